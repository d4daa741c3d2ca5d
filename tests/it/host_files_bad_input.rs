//! Bad input for systemd units, crontabs and Compose files: invalid UTF-8, CRLF, garbage,
//! endless lines and deep nesting give findings with locations, never a crash, and what can
//! be read is still checked.

use crate::common::{json_report, tree};

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

#[test]
fn broken_dockerfiles_give_findings_not_crashes() {
    let huge_run = format!(
        "FROM alpine:3.19\nRUN echo {}\nUSER root\n",
        "x".repeat(1_000_000)
    );
    let endless_continuation = format!(
        "FROM alpine:3.19\nRUN true{}\nUSER root\n",
        " \\\n &&true".repeat(50_000)
    );
    let many_heredocs = format!("FROM alpine:3.19\nRUN {}\n", "<<A ".repeat(10_000));
    let found = findings(&[
        ("binary/Dockerfile", b"\0\x01\x02FROM\xff\xfe\0ELF"),
        (
            "latin1/Dockerfile",
            b"FROM alpine:3.19\r\nLABEL x=caf\xe9\r\nUSER root\r\n",
        ),
        ("huge/Dockerfile", huge_run.as_bytes()),
        ("long/Dockerfile", endless_continuation.as_bytes()),
        ("heredocs/Dockerfile", many_heredocs.as_bytes()),
        (
            "unterminated/Dockerfile",
            b"FROM alpine:3.19\nRUN <<EOF\necho hi\nUSER root\n",
        ),
        (
            "stray/Dockerfile",
            b"FROM alpine:3.19\nUSER root\nRUN echo \\",
        ),
        ("lone/Dockerfile", b"\\"),
        (
            "badescape/Dockerfile",
            b"# escape=x\nFROM alpine:3.19\nUSER root\n",
        ),
        (
            "json/Dockerfile",
            b"FROM alpine:3.19\nUSER root\nCMD [\"a\", \"\\u12\nSHELL not json\n",
        ),
        ("empty/Dockerfile", b""),
        ("notes/Dockerfile.notes", b"how to build:\nrun make first\n"),
    ]);
    let has = |path: &str, rule: &str, line: u64| {
        found
            .iter()
            .any(|(p, r, l)| p == path && r == rule && *l == line)
    };
    // What can be read is still judged, before and after the damage.
    assert!(has("latin1/Dockerfile", "DKR002", 3), "{found:?}");
    assert!(has("huge/Dockerfile", "DKR002", 3), "{found:?}");
    assert!(has("long/Dockerfile", "DKR002", 50_003), "{found:?}");
    assert!(has("stray/Dockerfile", "DKR002", 2), "{found:?}");
    assert!(has("badescape/Dockerfile", "PF001", 1), "{found:?}");
    assert!(has("badescape/Dockerfile", "DKR002", 3), "{found:?}");
    assert!(has("json/Dockerfile", "PF001", 4), "{found:?}");
    assert!(has("json/Dockerfile", "DKR016", 3), "{found:?}");
    // An unterminated heredoc swallows the rest of the file, as BuildKit would, and says so.
    assert!(has("unterminated/Dockerfile", "PF001", 2), "{found:?}");
    assert!(!has("unterminated/Dockerfile", "DKR002", 4), "{found:?}");
    let heredoc_errors = found
        .iter()
        .filter(|(p, r, _)| p == "heredocs/Dockerfile" && r == "PF001")
        .count();
    assert_eq!(
        heredoc_errors, 1,
        "one error for the file ending in a heredoc"
    );
    assert!(
        !found.iter().any(|(p, _, _)| p.starts_with("binary/")),
        "binary files are skipped: {found:?}"
    );
    assert!(
        !found
            .iter()
            .any(|(p, _, _)| p == "lone/Dockerfile" || p == "empty/Dockerfile"),
        "{found:?}"
    );
    // `Dockerfile.<suffix>` without a `FROM` is some other file, not a broken Dockerfile.
    assert!(
        !found.iter().any(|(p, _, _)| p.starts_with("notes/")),
        "{found:?}"
    );
}
