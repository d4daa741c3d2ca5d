//! Bad input for systemd units, crontabs and Compose files: invalid UTF-8, CRLF, garbage,
//! endless lines and deep nesting give findings with locations, never a crash, and what can
//! be read is still checked.

mod common;

use common::{json_report, tree};

/// `(path, rule)` of every finding.
fn findings(files: &[(&str, &[u8])]) -> Vec<(String, String, u64)> {
    let dir = tree(files);
    let (report, code) = json_report(dir.path(), &["."]);
    assert!(code == 0 || code == 1, "exit code {code}");
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["location"]["path"].as_str().unwrap().to_owned(),
                f["rule_id"].as_str().unwrap().to_owned(),
                f["location"]["start_line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn broken_units_and_crontabs_are_read_up_to_and_past_the_damage() {
    let long_line = format!("0 2 * * * {}\n", "x".repeat(1_000_000));
    let deep_yaml = format!("x: {}\n", "[".repeat(50_000));
    let found = findings(&[
        (
            "app.service",
            b"[Service]\r\nEnvironment=GREETING=caf\xe9\r\n[Broken\r\nUser=root\r\n",
        ),
        (
            "crontab",
            b"\xff\xfe garbage\n0 2 * * * PGPASSWORD=x1y2z3w4v5u6 psql -c 'select 1'\n",
        ),
        ("long.crontab", long_line.as_bytes()),
        ("deep/compose.yaml", deep_yaml.as_bytes()),
        (
            "docker-compose.yml",
            b"services:\n  db:\n    image: redis\n  bad: [unclosed\n",
        ),
        ("cron.d/empty", b""),
        ("empty.service", b""),
    ]);
    let has = |path: &str, rule: &str, line: u64| {
        found
            .iter()
            .any(|(p, r, l)| p == path && r == rule && *l == line)
    };
    assert!(has("app.service", "PF001", 3), "{found:?}");
    assert!(
        has("app.service", "SYS001", 4),
        "read past the damage: {found:?}"
    );
    assert!(has("crontab", "PF001", 1), "{found:?}");
    assert!(has("crontab", "CRN001", 2), "{found:?}");
    assert!(
        has("docker-compose.yml", "PF001", 5),
        "at the end of the input: {found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(p, r, _)| p == "deep/compose.yaml" && r == "PF001"),
        "{found:?}"
    );
    assert!(
        has("docker-compose.yml", "BAK001", 3),
        "read up to the damage: {found:?}"
    );
}
