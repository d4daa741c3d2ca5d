//! What users see for each rule: every failing example of the built-in catalog, written as
//! a file of its rule's kind, checked with that rule alone and printed by the human reporter
//! without colour. One snapshot per rule (`rule_examples__<ID>.snap`) holds all its
//! examples, so a reviewer sees the message, the span under the carets, the masking of
//! secrets and the help together.
//!
//! Files go through the library's scan (discovery, parsing, the rule, redaction) under the
//! name [`Target::example_file_name`] gives, except where discovery needs what a project has:
//! a Django settings module named by `manage.py` (a settings fragment alone is not confirmed
//! as Django settings). What only a host shows (sockets, processes,
//! certificates, …) is saved as a host snapshot at its host path and re-checked with
//! `preflight check --snapshot DIR`, as after `preflight audit local --save-snapshot DIR`.

use std::path::Path;
use std::time::{Duration, SystemTime};

use preflight::discover::{exclude_set, WalkOptions};
use preflight::engine;
use preflight::formats::Target;
use preflight::live::snapshot::{HostSnapshot, SnapshotFile};
use preflight::policy::{Catalog, Rule};
use preflight::report::{human, Report, Style};

use crate::common::{assert_snapshots, preflight_in, Snapshot};

/// When the saved host snapshots were collected (2026-01-01T00:00:00Z): time-based rules
/// judge against it, so their messages do not change from day to day.
const COLLECTED_AT: Duration = Duration::from_secs(1_767_225_600);

/// Failing examples that are not reported when they are a whole file on their own:
/// (rule, example number from 1, why). Each must still be silent, so the list cannot go
/// stale, and every other example must be reported.
const SILENT_ALONE: &[(&str, usize, &str)] = &[
    (
        "NODE010",
        2,
        "one line without the imports that make a file a Node server",
    ),
    (
        "NODE011",
        1,
        "one line without the imports that make a file a Node server",
    ),
    (
        "NODE014",
        2,
        "one line without the imports that make a file a Node server",
    ),
];

/// The human report of `example` checked with `rule` alone (`catalog` enables only it).
fn human_report(rule: &Rule, catalog: &Catalog, example: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = rule.targets[0];
    let text = if target.is_host_state() {
        host_report(dir.path(), rule, example)
    } else {
        scan_report(dir.path(), rule, catalog, example)
    };
    // Paths are shown relative to the folder, which is the only temporary part.
    let text = text.replace(&format!("{}/", dir.path().display()), "");
    let dir_name = dir.path().display().to_string();
    assert!(!text.contains(&dir_name), "{dir_name} leaks into:\n{text}");
    text
}

/// Writes `example` as a file of `rule`'s kind under `dir`, scans `dir` with the rule alone
/// and renders the human report.
fn scan_report(dir: &Path, rule: &Rule, catalog: &Catalog, example: &str) -> String {
    let name = match rule.targets[0] {
        Target::Django => {
            let entry_point =
                "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"production\")\n";
            write(&dir.join("manage.py"), entry_point.as_bytes());
            "production.py"
        }
        other => other.example_file_name(),
    };
    write(&dir.join(name), example.as_bytes());
    let options = WalkOptions {
        exclude: Vec::new(),
        exclude_base: dir.to_path_buf(),
        respect_gitignore: false,
        max_file_size: preflight::config::DEFAULT_MAX_FILE_SIZE,
        helm: None,
    };
    let excludes = exclude_set(&[]).expect("no excludes");
    let outcome = engine::scan(&[dir.to_path_buf()], &options, &excludes, catalog);
    let report = Report {
        findings: &outcome.findings,
        diagnostics: &outcome.diagnostics,
        catalog,
        files_checked: outcome.files_checked,
        root: dir,
        baseline: None,
        configuration: None,
        results: None,
        compliance: &[],
        hosts: &[],
        local_host: None,
    };
    let style = Style {
        color: false,
        quiet: false,
    };
    let mut out = Vec::new();
    human::write(&report, style, &mut out).expect("write report");
    String::from_utf8(out).expect("UTF-8 report")
}

/// Saves `example` as a host snapshot under `dir` (at its host path, with its kind) and
/// prints what `preflight check DIR --select RULE` shows.
fn host_report(dir: &Path, rule: &Rule, example: &str) -> String {
    let target = rule.targets[0];
    let snapshot = HostSnapshot {
        host: "example-host".into(),
        collected_at: SystemTime::UNIX_EPOCH + COLLECTED_AT,
        files: vec![SnapshotFile {
            path: Path::new("/").join(target.example_file_name()),
            target,
            bytes: example.as_bytes().to_vec(),
        }],
        unable: Vec::new(),
    };
    preflight::live::save::save(&snapshot, "", dir).expect("save snapshot");
    let output = preflight_in(dir)
        .args([
            "check",
            "--snapshot",
            ".",
            "--select",
            &rule.id,
            "--fail-on",
            "never",
        ])
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 report")
}

/// `catalog` with only `rule` enabled.
fn only(catalog: &Catalog, rule: &Rule) -> Catalog {
    let mut catalog = catalog.clone();
    catalog
        .select(std::slice::from_ref(&rule.id), &[])
        .expect("select");
    let enabled: Vec<&str> = catalog.enabled().map(|r| r.id.as_str()).collect();
    assert_eq!(enabled, [rule.id.as_str()], "only the rule is selected");
    catalog
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, bytes).expect("write example");
}

#[test]
fn every_rules_failing_examples_as_users_see_them() {
    let catalog = Catalog::builtin().expect("catalog");
    let mut problems = Vec::new();
    let mut cases = Vec::new();
    for rule in catalog.all() {
        let count = rule.examples.fail.len();
        let selected = only(&catalog, rule);
        let mut reports = Vec::new();
        for (i, example) in rule.examples.fail.iter().enumerate() {
            let number = i + 1;
            let report = human_report(rule, &selected, example);
            let reported = report.contains(&format!("[{}]: ", rule.id));
            let silent_alone = SILENT_ALONE
                .iter()
                .find(|(id, n, _)| *id == rule.id && *n == number);
            match (reported, silent_alone) {
                (false, None) => problems.push(format!(
                    "{} example {number} is not reported:\n{example}\n{report}",
                    rule.id
                )),
                (true, Some((_, _, why))) => problems.push(format!(
                    "{} example {number} is reported now: remove it from SILENT_ALONE ({why})",
                    rule.id
                )),
                _ => {}
            }
            let note = silent_alone.map_or(String::new(), |(_, _, why)| {
                format!(" (not reported on its own: {why})")
            });
            reports.push(format!(
                "===== example {number} of {count}{note} =====\n{report}"
            ));
        }
        if !reports.is_empty() {
            cases.push(Snapshot {
                name: rule.id.clone(),
                description: format!("{}: {} (examples.fail)", rule.id, rule.title),
                text: reports.join("\n"),
            });
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    assert_snapshots("rule_examples", cases);
}
