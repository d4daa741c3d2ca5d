//! Docker Compose files: the project fixtures under `fixtures/compose/` (the guides' files
//! verbatim, every port, secret and privilege form), env files named by `env_file:`,
//! bad input, and canary secrets that must not appear in any output format.

use crate::common::{self, check_fixture_cases, json_report, preflight_in, tree};

#[test]
fn compose_fixtures_report_exactly_their_expected_findings() {
    assert!(check_fixture_cases("compose") >= 10);
}

/// `(rule, path, line)` of the active findings whose rule starts with `prefix`.
fn findings(report: &serde_json::Value, prefix: &str) -> Vec<(String, String, u64)> {
    common::findings_at(report)
        .into_iter()
        .filter(|(rule, _, _)| rule.starts_with(prefix))
        .collect()
}

#[test]
fn env_files_are_checked_by_the_env_rules_whatever_their_name() {
    let dir = tree(&[
        (
            "deploy/docker-compose.yml",
            b"services:\n  web:\n    image: web:1.0\n    restart: always\n    env_file:\n      - ../config/web.conf\n      - ./secrets.txt\n",
        ),
        ("config/web.conf", b"SESSION_SECRET=changeme\n"),
        ("deploy/secrets.txt", b"JWT_SECRET=short\n"),
    ]);
    // Named explicitly: the env files it references in its folder are still followed; one
    // outside the folders being checked is not read (a pull request could otherwise point
    // `env_file:` anywhere), and a note says so.
    let (report, _) = json_report(dir.path(), &["deploy/docker-compose.yml"]);
    let env = findings(&report, "ENV01");
    assert_eq!(
        env,
        [("ENV012".into(), "deploy/secrets.txt".into(), 1)],
        "{env:?}"
    );
    let notes = report["diagnostics"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n["path"] == "config/web.conf"
            && n["message"].as_str().unwrap().contains("outside")),
        "{notes:?}"
    );
    // Found by walking: the same, once each.
    let (report, _) = json_report(dir.path(), &["."]);
    let env = findings(&report, "ENV01");
    assert_eq!(env.len(), 2, "{env:?}");
    assert!(findings(&report, "CMP011").is_empty());
}

#[test]
fn a_missing_required_env_file_is_reported_at_its_reference() {
    let dir = tree(&[(
        "compose.yaml",
        b"services:\n  web:\n    image: web:1.0\n    restart: always\n    env_file:\n      - path: ./optional.env\n        required: false\n      - path: ./needed.env\n",
    )]);
    let (report, _) = json_report(dir.path(), &["."]);
    let missing = &report["findings"].as_array().unwrap()[0];
    assert_eq!(missing["rule_id"], "CMP011");
    assert_eq!(missing["location"]["start_line"], 8);
    assert_eq!(missing["location"]["start_column"], 15);
}

/// Whether a file outside the scan exists is not asked: an `env_file:` there is neither
/// reported missing (it may be on the deploy host's checkout) nor looked for, whether it
/// is there or not; one inside the scan is judged, a committed template counting as it.
#[test]
fn an_env_file_outside_the_scan_is_not_reported_missing() {
    let compose = b"services:\n  web:\n    image: web:1.0\n    restart: always\n    env_file:\n      - ../common/present.env\n      - ../common/absent.env\n      - ./local.env\n      - ./templated.env\n";
    let dir = tree(&[
        ("app/compose.yaml", compose),
        ("common/present.env", b"A=1\n"),
        ("app/templated.env.example", b"A=\n"),
    ]);
    let (report, _) = json_report(&dir.path().join("app"), &["."]);
    let missing: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "CMP011")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert!(missing[0].contains("`./local.env`"), "{missing:?}");
    // The whole tree scanned: the absent one is inside now, and reported.
    let (report, _) = json_report(dir.path(), &["."]);
    let missing = findings(&report, "CMP011");
    assert_eq!(
        missing,
        [
            ("CMP011".into(), "app/compose.yaml".into(), 7),
            ("CMP011".into(), "app/compose.yaml".into(), 8),
        ],
        "{missing:?}"
    );
}

#[test]
fn bad_input_gives_located_errors_never_a_crash() {
    let huge_service = format!(
        "services:\n{}",
        (0..20_000)
            .map(|i| format!("  s{i}:\n    image: app:1\n    restart: always\n    ports: [\"127.0.0.1:{}:80\"]\n", 1000 + i % 60_000))
            .collect::<String>()
    );
    let deep = format!(
        "services:\n  a: {}{}\n",
        "[".repeat(5_000),
        "]".repeat(5_000)
    );
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("broken.yml", b"services:\n  db:\n    image: [unclosed\n".to_vec()),
        ("types.yml", b"services:\n  db:\n    ports: 5432\n    environment: 3\n    volumes: x\n    cap_add: {a: 1}\n    env_file: [[a]]\n".to_vec()),
        ("top.yml", b"- not\n- a mapping\n".to_vec()),
        ("services.yml", b"services: 3\n".to_vec()),
        ("binary.yml", vec![0xff, 0xfe, b':', b' ', 0x00, b'\n']),
        ("tabs.yml", b"services:\n\tdb:\n\t\timage: x\n".to_vec()),
        ("huge.yml", huge_service.into_bytes()),
        ("deep.yml", deep.into_bytes()),
        ("interpolation.yml", b"services:\n  a:\n    image: ${A:-${B:-${C\n    environment:\n      P: ${:-x} $ ${A:?} ${A:+${B-}}}\n    ports: [\"${P:-}:${Q}\", \"::::\", \"/udp\", \"99999:1\"]\n".to_vec()),
    ];
    for (name, text) in cases {
        let file = format!("docker-compose.{name}");
        let dir = tree(&[(file.as_str(), text.as_slice())]);
        let output = preflight_in(dir.path())
            .args(["check", ".", "--format", "json"])
            .output()
            .expect("runs");
        let code = output.status.code().expect("exited, not killed");
        assert!(code == 0 || code == 1, "{name}: exit {code}");
        let report: serde_json::Value =
            serde_json::from_slice(&output.stdout).expect("JSON report");
        for error in findings(&report, "PF001") {
            assert!(error.2 >= 1, "{name}: {error:?}");
        }
    }
    // Wrong types are reported at the value, not at line 1.
    let dir = tree(&[(
        "docker-compose.yml",
        b"services:\n  db:\n    image: postgres:16.4\n    restart: always\n    ports: 5432\n    environment: 3\n".as_slice(),
    )]);
    let (report, _) = json_report(dir.path(), &["."]);
    let lines: Vec<u64> = findings(&report, "PF001").iter().map(|f| f.2).collect();
    assert_eq!(lines, vec![5, 6]);
}

/// Secrets in every place a Compose file holds them, all with findings nearby.
const CANARY_COMPOSE: &str = "\
services:
  db:
    image: postgres:latest
    ports:
      - \"5432:5432\"
    environment:
      POSTGRES_PASSWORD: cmpcnry1LiteralPw
      REPLICA_PASSWORD: ${REPLICA_PASSWORD:-cmpcnry2DefaultPw}
      ADMIN_TOKEN: \"cmpcnry3QuotedToken\"
  api:
    image: app:latest
    command: redis-server --requirepass cmpcnry4CommandPw
    environment:
      - DATABASE_URL=postgresql://app:cmpcnry5UrlPw@db:5432/app
      - JWT_SECRET=${JWT:+cmpcnry6AltSecret}
      - SESSION_SECRET=cmpcnry7ListSecretValue
    env_file: app.vars
  web:
    build:
      context: .
      args:
        NPM_TOKEN: cmpcnry9BuildArgToken
";

const CANARIES: &[&str] = &[
    "cmpcnry1LiteralPw",
    "cmpcnry2DefaultPw",
    "cmpcnry3QuotedToken",
    "cmpcnry4CommandPw",
    "cmpcnry5UrlPw",
    "cmpcnry6AltSecret",
    "cmpcnry7ListSecretValue",
    "cmpcnry8EnvFileSecret",
    "cmpcnry9BuildArgToken",
];

#[test]
fn compose_secrets_never_reach_any_output_format() {
    let dir = tree(&[
        ("docker-compose.yml", CANARY_COMPOSE.as_bytes()),
        ("app.vars", b"API_KEY=cmpcnry8EnvFileSecret\n"),
    ]);
    let (report, _) = json_report(dir.path(), &["."]);
    let secret_findings = findings(&report, "CMP003");
    assert!(secret_findings.len() >= 7, "{secret_findings:?}");
    for format in ["human", "json", "sarif", "markdown", "github"] {
        let output = preflight_in(dir.path())
            .args(["check", ".", "--format", format])
            .output()
            .expect("runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stdout.contains("CMP003"), "{format}: {stdout}");
        for canary in CANARIES {
            assert!(
                !stdout.contains(canary),
                "{format} leaks {canary}:\n{stdout}"
            );
            assert!(!stderr.contains(canary), "{format} stderr leaks {canary}");
        }
    }
}

/// The Compose files of the real-world corpus (docker-compose 1.29.2's own test fixtures,
/// gunicorn's, jupyterhub's… from their registry packages, pinned in
/// `tests/corpus/realworld.toml`), found here by name, independently of discovery: every one is
/// read as Compose without an error. Each of their findings is reviewed by hand in
/// `tests/corpus/realworld.toml` and checked by `realworld.rs`.
#[test]
#[cfg_attr(
    not(test_tool = "realworld_corpus"),
    ignore = "needs the real-world corpus (python3 tests/tools/fetch-realworld.py)"
)]
fn realworld_compose_files_are_all_read_as_compose_without_an_error() {
    let corpus = common::root().join("tests/tools/realworld");
    let mut composes: Vec<String> = Vec::new();
    let mut folders = vec![corpus.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("corpus folder").flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                folders.push(path);
            } else if (name.starts_with("docker-compose") || name.starts_with("compose."))
                && (name.ends_with(".yml") || name.ends_with(".yaml"))
            {
                let relative = path.strip_prefix(&corpus).expect("inside the corpus");
                composes.push(relative.to_string_lossy().into_owned());
            }
        }
    }
    composes.sort();
    assert!(composes.len() >= 100, "{composes:?}");
    let args: Vec<&str> = composes.iter().map(String::as_str).collect();
    let (report, _) = json_report(&corpus, &args);
    // Every Compose file is read (and the env files they name with it).
    assert!(
        report["summary"]["files_checked"]
            .as_u64()
            .expect("files_checked")
            >= composes.len() as u64,
        "{}",
        report["summary"]
    );
    assert!(findings(&report, "PF001").is_empty(), "{report:#}");
    // Read as Compose, not as plain YAML: the Compose rules judge them.
    assert!(findings(&report, "CMP").len() >= 50, "{report:#}");
}
