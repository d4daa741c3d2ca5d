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

/// The role and severity of `rule`'s finding at `path`.
fn judged<'a>(report: &'a serde_json::Value, rule: &str, path: &str) -> (&'a str, &'a str) {
    let finding = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule_id"] == rule && f["location"]["path"] == path)
        .unwrap_or_else(|| panic!("{rule} at {path}: {report:#}"));
    (
        finding["role"].as_str().unwrap_or(""),
        finding["severity"].as_str().unwrap_or(""),
    )
}

#[test]
fn production_only_rules_give_other_roles_info() {
    let dir = project();
    let (report, _) = json_report(dir.path(), &["--no-config", "."]);
    assert_eq!(
        judged(&report, "DKR002", "Dockerfile"),
        ("production", "medium")
    );
    assert_eq!(
        judged(&report, "DKR002", "tests/Dockerfile"),
        ("test", "info")
    );
    assert_eq!(
        judged(&report, "DKR002", "Dockerfile.dev"),
        ("development", "info")
    );
    // A literal secret is a leak wherever it is written.
    assert_eq!(
        judged(&report, "CMP003", "docker-compose.test.yml"),
        ("test", "high")
    );
}

#[test]
fn role_all_judges_every_file_as_production() {
    let dir = project();
    let (report, _) = json_report(dir.path(), &["--no-config", "--role-all", "."]);
    assert_eq!(
        judged(&report, "DKR002", "tests/Dockerfile"),
        ("production", "medium")
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
    assert_eq!(
        judged(&report, "DKR002", "tests/Dockerfile"),
        ("production", "medium")
    );
    assert_eq!(judged(&report, "DKR002", "Dockerfile"), ("example", "info"));
    std::fs::write(
        dir.path().join("preflight.toml"),
        "[roles]\nall_production = true\n",
    )
    .expect("write config");
    let (report, _) = json_report(dir.path(), &["."]);
    assert_eq!(
        judged(&report, "DKR002", "Dockerfile.dev"),
        ("production", "medium")
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

#[test]
fn files_left_unchecked_have_a_role_too() {
    let dir = tree(&[("tests/nginx.conf.j2", b"worker_processes {{ workers }};\n")]);
    let (report, _) = json_report(dir.path(), &["--no-config", "."]);
    let diagnostic = &report["diagnostics"][0];
    assert_eq!(diagnostic["path"], "tests/nginx.conf.j2");
    assert_eq!(diagnostic["role"], "test");
}

/// `.env` is created from the committed `.env.example` on the server: a checkout without it
/// is not a deployment that stops at `docker compose up`.
#[test]
fn a_missing_env_file_with_a_committed_template_is_not_reported() {
    let compose: &[u8] = b"services:\n  web:\n    image: app:1\n    env_file: .env\n";
    let with_template = tree(&[("compose.yaml", compose), (".env.example", b"PORT=8000\n")]);
    let (report, _) = json_report(with_template.path(), &["--no-config", "."]);
    assert!(!crate::common::active_rules(&report).contains(&"CMP011".to_owned()));
    let without = tree(&[("compose.yaml", compose)]);
    let (report, _) = json_report(without.path(), &["--no-config", "."]);
    assert!(crate::common::active_rules(&report).contains(&"CMP011".to_owned()));
}

#[test]
fn explain_says_which_roles_a_rule_judges() {
    let explain = |id: &str| {
        let output = crate::common::preflight()
            .args(["explain", id])
            .output()
            .expect("runs");
        String::from_utf8(output.stdout).expect("utf-8")
    };
    assert!(explain("DKR002").contains("Judges: production files (others: at most info)"));
    assert!(explain("CMP003").contains("Judges: every file role"));
}
