//! Whole-file fixtures under `fixtures/<target>/`: each checked file's findings, one
//! `RULE line:column` per line, are the snapshot `fixture_files__<target>__<file>.snap`
//! (see tests/it/main.rs to review and accept changes).

use std::path::{Path, PathBuf};

use crate::common::{assert_snapshots, json_report, root, Snapshot};

/// The folders under `fixtures/` whose files are checked one by one.
const FIXTURE_DIRS: &[&str] = &[
    "env",
    "nginx",
    "sshd",
    "sshd/sshd_config.d",
    "firewall",
    "postgres",
    "redis",
    "fail2ban",
    "fail2ban/jail.d",
    "logrotate",
    "systemd",
    "systemd/keyforge.service.d",
    "cron",
    "cron/cron.d",
    "dockerfile",
    "kubernetes",
];

fn fixture_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("fixtures folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "md"))
        .collect();
    files.sort();
    files
}

fn actual(file: &Path) -> String {
    // Git state depends on where the tree is checked out; ENV015/ENV016 have their own tests.
    // BAK001 judges a whole project, not one file: tests/backups.rs builds project trees.
    let (report, _) = json_report(
        &root(),
        &[
            file.to_str().expect("utf-8 path"),
            "--ignore",
            "ENV015,ENV016,BAK001",
        ],
    );
    let mut lines: Vec<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let state = if f["suppression"].is_null() {
                ""
            } else {
                " (suppressed)"
            };
            format!(
                "{} {}:{}{state}",
                f["rule_id"].as_str().unwrap(),
                f["location"]["start_line"],
                f["location"]["start_column"]
            )
        })
        .collect();
    lines.push(String::new());
    lines.join("\n")
}

#[test]
fn fixtures_report_exactly_their_expected_findings() {
    let fixtures = root().join("fixtures");
    let files: Vec<PathBuf> = FIXTURE_DIRS
        .iter()
        .flat_map(|target| fixture_files(&fixtures.join(target)))
        .collect();
    assert!(files.len() >= 20, "fixtures missing");
    assert_snapshots(
        "fixture_files",
        files.iter().map(|file| {
            let name = file.strip_prefix(&fixtures).expect("under fixtures/");
            Snapshot {
                name: name.to_string_lossy().into_owned(),
                description: format!(
                    "fixtures/{}: RULE line:column of each finding",
                    name.display()
                ),
                text: actual(file),
            }
        }),
    );
}

#[test]
fn passing_fixtures_are_clean() {
    for target in FIXTURE_DIRS {
        for file in fixture_files(&root().join("fixtures").join(target)) {
            let name = file.file_name().unwrap().to_string_lossy().to_string();
            if name.starts_with("pass") {
                assert_eq!(actual(&file), "", "{name} should be clean");
            }
        }
    }
}
