//! File roles: development, test, CI and example files get at most `info` from rules
//! written for production, say so in every output, and can be judged as production.

use crate::common::{json_report, preflight_in, tree};

/// A Dockerfile without `USER` (DKR002, medium, production-only) and a Compose file with a
/// literal password (CMP003, high, judged in every role), in production and test places.
fn project() -> tempfile::TempDir {
    let image: &[u8] = b"FROM python:3.12-slim\nCMD [\"python\", \"-m\", \"http.server\"]\n";
    let compose: &[u8] =
        b"services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: hunter2hunter2\n";
    tree(&[
        ("Dockerfile", image),
        ("tests/Dockerfile", image),
        ("Dockerfile.dev", image),
        ("compose.yaml", compose),
        ("docker-compose.test.yml", compose),
    ])
}

fn finding<'a>(report: &'a serde_json::Value, rule: &str, path: &str) -> &'a serde_json::Value {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule_id"] == rule && f["location"]["path"] == path)
        .unwrap_or_else(|| panic!("{rule} at {path}: {report:#}"))
}

#[test]
fn production_only_rules_give_other_roles_info() {
    let dir = project();
    let (report, _) = json_report(dir.path(), &["--no-config", "."]);
    let root = finding(&report, "DKR002", "Dockerfile");
    assert_eq!(
        (root["role"].as_str(), root["severity"].as_str()),
        (Some("production"), Some("medium"))
    );
    let test = finding(&report, "DKR002", "tests/Dockerfile");
    assert_eq!(
        (test["role"].as_str(), test["severity"].as_str()),
        (Some("test"), Some("info"))
    );
    let dev = finding(&report, "DKR002", "Dockerfile.dev");
    assert_eq!(
        (dev["role"].as_str(), dev["severity"].as_str()),
        (Some("development"), Some("info"))
    );
    // A literal secret is a leak wherever it is written.
    let leak = finding(&report, "CMP003", "docker-compose.test.yml");
    assert_eq!(
        (leak["role"].as_str(), leak["severity"].as_str()),
        (Some("test"), Some("high"))
    );
}

#[test]
fn role_all_judges_every_file_as_production() {
    let dir = project();
    let (report, _) = json_report(dir.path(), &["--no-config", "--role-all", "."]);
    let test = finding(&report, "DKR002", "tests/Dockerfile");
    assert_eq!(
        (test["role"].as_str(), test["severity"].as_str()),
        (Some("production"), Some("medium"))
    );
}

#[test]
fn configured_roles_override_the_conventions() {
    let dir = project();
    std::fs::write(
        dir.path().join("preflight.toml"),
        "[roles]\nproduction = [\"tests/**\"]\nexample = [\"Dockerfile\"]\n",
    )
    .expect("write config");
    let (report, _) = json_report(dir.path(), &["."]);
    let test = finding(&report, "DKR002", "tests/Dockerfile");
    assert_eq!(
        (test["role"].as_str(), test["severity"].as_str()),
        (Some("production"), Some("medium"))
    );
    let root = finding(&report, "DKR002", "Dockerfile");
    assert_eq!(
        (root["role"].as_str(), root["severity"].as_str()),
        (Some("example"), Some("info"))
    );
    std::fs::write(
        dir.path().join("preflight.toml"),
        "[roles]\nall_production = true\n",
    )
    .expect("write config");
    let (report, _) = json_report(dir.path(), &["."]);
    assert_eq!(
        finding(&report, "DKR002", "Dockerfile.dev")["severity"],
        "medium"
    );
}

#[test]
fn every_output_shows_the_role() {
    let dir = project();
    let run = |format: &str| {
        let output = preflight_in(dir.path())
            .args(["check", "--no-config", "--format", format, "."])
            .output()
            .expect("runs");
        String::from_utf8(output.stdout).expect("utf-8")
    };
    let sarif: serde_json::Value = serde_json::from_str(&run("sarif")).expect("SARIF is JSON");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(
        results.iter().any(|r| r["properties"]["role"] == "test"),
        "{sarif:#}"
    );
    assert!(results
        .iter()
        .any(|r| r["properties"]["role"] == "production"));
    assert!(run("human").contains("tests/Dockerfile:1:1 (test file)"));
    assert!(run("github").contains("[info] (test file)"));
    assert!(run("markdown").contains("(development file)"));
}
