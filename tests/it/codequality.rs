//! `--format codequality`: the GitLab Code Quality report (ci/gitlab/preflight.gitlab-ci.yml
//! uploads it). Checked against the fields GitLab requires, for what GitLab relies on
//! (unique, line-independent fingerprints; paths relative to the project), and snapshotted
//! on the bundled example.

use std::collections::BTreeSet;

use crate::common::{self, json_report, preflight, preflight_in, tree, Snapshot};

fn codequality_of(cmd: &mut assert_cmd::Command) -> (serde_json::Value, String) {
    let output = cmd
        .args(["--format", "codequality"])
        .output()
        .expect("runs");
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    let report = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON: {e}\n{text}"));
    assert_valid(&report);
    (report, text)
}

fn assert_valid(report: &serde_json::Value) {
    common::assert_matches_schema(
        include_str!("../data/gitlab-codequality.schema.json"),
        report,
        "the Code Quality report",
    );
}

#[test]
fn example_shop_report_has_every_active_finding_with_unique_fingerprints() {
    let example = "examples/insecure-shop";
    let (report, text) = codequality_of(preflight().args(["check", example]));
    let issues = report.as_array().expect("an array");
    let json = json_report(&common::root(), &[example]).0;
    assert_eq!(
        issues.len().to_string(),
        json["summary"]["findings"].to_string()
    );
    let fingerprints: BTreeSet<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().expect("fingerprint"))
        .collect();
    assert_eq!(
        fingerprints.len(),
        issues.len(),
        "GitLab merges equal fingerprints"
    );
    for issue in issues {
        let path = issue["location"]["path"].as_str().expect("path");
        assert!(path.starts_with("examples/insecure-shop/"), "{path}");
        assert!(common::root().join(path).is_file(), "{path}");
    }
    // Each of preflight's severities has its own GitLab level.
    let levels: BTreeSet<&str> = issues
        .iter()
        .map(|i| i["severity"].as_str().expect("severity"))
        .collect();
    assert!(
        levels.contains("blocker") && levels.contains("critical"),
        "{levels:?}"
    );
    common::assert_snapshots(
        "codequality",
        [Snapshot {
            name: "insecure-shop".into(),
            description: "preflight check examples/insecure-shop --format codequality".into(),
            text,
        }],
    );
}

/// GitLab compares a merge request's report with its base's by fingerprint: a finding that
/// only moved down a file is the same finding, not a new one and a resolved one.
#[test]
fn fingerprints_do_not_change_when_lines_move() {
    let before = tree(&[(".env.production", b"DEBUG=true\n")]);
    let after = tree(&[(".env.production", b"# a comment\n\nDEBUG=true\n")]);
    let fingerprints = |dir: &std::path::Path| {
        let (report, _) = codequality_of(preflight_in(dir).args(["check", "."]));
        let issues = report.as_array().expect("array").clone();
        assert!(!issues.is_empty());
        issues
            .iter()
            .map(|i| {
                (
                    i["fingerprint"].clone(),
                    i["location"]["lines"]["begin"].clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    let (before, after) = (fingerprints(before.path()), fingerprints(after.path()));
    assert_eq!(before.len(), after.len());
    for ((fp_before, line_before), (fp_after, line_after)) in before.iter().zip(&after) {
        assert_eq!(fp_before, fp_after);
        assert_ne!(line_before, line_after);
    }
}

/// Paths are data: quotes, backslashes and control characters in a file name come back
/// out of the JSON as they went in.
#[test]
fn paths_with_quotes_and_backslashes_are_escaped() {
    let odd = "we\"ird\\dir\tx/.env.production";
    let dir = tree(&[(odd, b"DEBUG=true\n")]);
    let (report, _) = codequality_of(preflight_in(dir.path()).args(["check", "."]));
    let paths: BTreeSet<&str> = report
        .as_array()
        .expect("array")
        .iter()
        .map(|i| i["location"]["path"].as_str().expect("path"))
        .collect();
    assert_eq!(paths, BTreeSet::from([odd]));
}

/// A configuration file that switches rules off is shown to the merge request's reviewers
/// as an issue on that file.
#[test]
fn a_relaxing_configuration_is_an_issue_on_its_file() {
    let dir = tree(&[
        (".env.production", b"DEBUG=true\n"),
        ("preflight.toml", b"[rules.ENV010]\nenabled = false\n"),
    ]);
    let (report, _) = codequality_of(preflight_in(dir.path()).args(["check", "."]));
    let config = report
        .as_array()
        .expect("array")
        .iter()
        .find(|i| i["check_name"] == "preflight-configuration")
        .unwrap_or_else(|| panic!("no configuration issue: {report}"));
    assert_eq!(config["location"]["path"], "preflight.toml");
    assert!(
        config["description"]
            .as_str()
            .expect("text")
            .contains("disables ENV010"),
        "{config}"
    );
}
