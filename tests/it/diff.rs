//! `preflight diff OLD.json NEW.json`: two JSON reports of the same tree before and after a
//! change. Findings are matched by fingerprint (a finding whose line moved is unchanged), the
//! changed controls and results agree with the two reports' own rollups and results, the
//! human output is snapshotted, the gate looks at new findings only, and anything that is not
//! a preflight JSON report is refused.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::common::{assert_snapshots, preflight_in, tree, Snapshot};

/// The tree before: an sshd configuration with passwords on, an `.env` with debug on.
const SSHD_OLD: &str = "PasswordAuthentication yes\nX11Forwarding no\nPermitRootLogin no\n";
/// After: passwords off, X11 forwarding on, and a comment above everything (lines move).
const SSHD_NEW: &str =
    "# hardened 2026-12\n\nPasswordAuthentication no\nX11Forwarding yes\nPermitRootLogin no\n";
const ENV_OLD: &str = "DEBUG=true\nSECRET_KEY=changeme\n";
const ENV_NEW: &str = "# production\nDEBUG=true\n# preflight: ignore[ENV010] rotated by the vault agent\nSECRET_KEY=changeme\n";

const ARGS: &[&str] = &[
    ".",
    "--no-config",
    "--framework",
    "devsec-ssh",
    "--results",
    "all",
    "--ignore",
    "ENV015,ENV016",
    "--fail-on",
    "never",
    "--format",
    "json",
];

/// Writes the JSON report of `dir` to `file` and returns it.
fn report(dir: &Path, file: &Path) -> serde_json::Value {
    let output = preflight_in(dir)
        .arg("check")
        .args(ARGS)
        .arg("-o")
        .arg(file)
        .output()
        .expect("runs");
    assert!(output.status.success(), "{output:?}");
    serde_json::from_slice(&std::fs::read(file).expect("report")).expect("JSON")
}

/// The two reports (files in `out`) of the tree before and after.
fn before_and_after(out: &Path) -> (serde_json::Value, serde_json::Value) {
    let dir = tree(&[
        ("etc/ssh/sshd_config", SSHD_OLD.as_bytes()),
        ("app/.env.production", ENV_OLD.as_bytes()),
    ]);
    let old = report(dir.path(), &out.join("old.json"));
    std::fs::write(dir.path().join("etc/ssh/sshd_config"), SSHD_NEW).expect("write");
    std::fs::write(dir.path().join("app/.env.production"), ENV_NEW).expect("write");
    let new = report(dir.path(), &out.join("new.json"));
    (old, new)
}

fn diff(dir: &Path, extra: &[&str]) -> std::process::Output {
    preflight_in(dir)
        .args(["diff", "old.json", "new.json"])
        .args(extra)
        .output()
        .expect("runs")
}

/// Fingerprints of the active (or waived) findings of a report.
fn prints(report: &serde_json::Value, active: bool) -> BTreeSet<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["suppression"].is_null() == active)
        .map(|f| f["fingerprint"].as_str().expect("fingerprint").to_owned())
        .collect()
}

fn listed(diff: &serde_json::Value, field: &str) -> BTreeSet<String> {
    diff[field]
        .as_array()
        .expect(field)
        .iter()
        .map(|f| f["fingerprint"].as_str().expect("fingerprint").to_owned())
        .collect()
}

#[test]
fn findings_controls_and_results_between_two_reports() {
    let out = tempfile::tempdir().expect("tempdir");
    let (old, new) = before_and_after(out.path());
    let output = diff(out.path(), &["--format", "json"]);
    assert!(output.status.success(), "{output:?}");
    let d: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let (old_active, new_active) = (prints(&old, true), prints(&new, true));
    let new_waived = prints(&new, false);
    let expected_new: BTreeSet<String> = new_active.difference(&old_active).cloned().collect();
    let expected_unchanged: BTreeSet<String> =
        new_active.intersection(&old_active).cloned().collect();
    let expected_waived: BTreeSet<String> = old_active.intersection(&new_waived).cloned().collect();
    let expected_fixed: BTreeSet<String> = old_active
        .difference(&new_active)
        .filter(|p| !new_waived.contains(*p))
        .cloned()
        .collect();
    assert_eq!(listed(&d, "new"), expected_new);
    assert_eq!(listed(&d, "fixed"), expected_fixed);
    assert_eq!(listed(&d, "waived"), expected_waived);
    assert_eq!(listed(&d, "unchanged"), expected_unchanged);
    let rules = |field: &str| -> Vec<String> {
        d[field]
            .as_array()
            .expect(field)
            .iter()
            .map(|f| f["rule_id"].as_str().expect("rule").to_owned())
            .collect()
    };
    // What the edit did: SSH003 fixed, SSH012 new, ENV010 waived; ENV001's line moved and it
    // is the same finding.
    assert!(rules("fixed").contains(&"SSH003".to_owned()), "{d}");
    assert!(rules("new").contains(&"SSH012".to_owned()), "{d}");
    assert_eq!(rules("waived"), ["ENV010"], "{d}");
    assert!(rules("unchanged").contains(&"ENV001".to_owned()), "{d}");
    let moved = d["unchanged"]
        .as_array()
        .expect("unchanged")
        .iter()
        .find(|f| f["rule_id"] == "ENV001")
        .expect("ENV001");
    assert_eq!(moved["location"]["start_line"], 2, "the new report's place");
    // Controls: every (control, target) whose status differs between the two rollups.
    let statuses = |report: &serde_json::Value| -> BTreeMap<(String, String), String> {
        let mut map = BTreeMap::new();
        for target in report["compliance"][0]["targets"]
            .as_array()
            .expect("targets")
        {
            for control in target["controls"].as_array().expect("controls") {
                map.insert(
                    (
                        control["control"].as_str().expect("id").to_owned(),
                        target["target"].as_str().expect("target").to_owned(),
                    ),
                    control["status"].as_str().expect("status").to_owned(),
                );
            }
        }
        map
    };
    let (before, after) = (statuses(&old), statuses(&new));
    let changed: BTreeSet<(String, String, String, String)> = before
        .iter()
        .filter(|(k, s)| after.get(*k) != Some(*s))
        .map(|(k, s)| (k.0.clone(), k.1.clone(), s.clone(), after[k].clone()))
        .collect();
    assert!(!changed.is_empty());
    let reported: BTreeSet<(String, String, String, String)> = d["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .map(|c| {
            let s = |f: &str| c[f].as_str().expect(f).to_owned();
            (s("id"), s("target"), s("old"), s("new"))
        })
        .collect();
    assert_eq!(reported, changed);
    assert!(reported.contains(&(
        "sshd-27".into(),
        "etc/ssh/sshd_config".into(),
        "fail".into(),
        "pass".into()
    )));
    assert_eq!(
        d["summary"]["controls"]["unchanged"]
            .as_u64()
            .expect("count") as usize,
        before.len() - changed.len()
    );
    // The framework's totals then and now, as each report has them.
    let framework = &d["summary"]["frameworks"][0];
    assert_eq!(framework["id"], "devsec-ssh");
    assert_eq!(framework["old"], old["compliance"][0]["totals"]);
    assert_eq!(framework["new"], new["compliance"][0]["totals"]);
    // Results: SSH012 newly failing on the file, SSH003 fixed.
    let result = |rule: &str| {
        d["results"]
            .as_array()
            .expect("results")
            .iter()
            .find(|r| r["id"] == rule && r["target"] == "etc/ssh/sshd_config")
            .map(|r| r["change"].as_str().expect("change").to_owned())
    };
    assert_eq!(result("SSH012").as_deref(), Some("newly_failing"));
    assert_eq!(result("SSH003").as_deref(), Some("fixed"));
    assert_eq!(result("SSH007"), None, "unchanged results are counted only");
}

#[test]
fn the_comparison_as_people_read_it() {
    let out = tempfile::tempdir().expect("tempdir");
    before_and_after(out.path());
    let output = diff(out.path(), &[]);
    // SSH012 (medium) is the only new finding: the default gate (high) passes.
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    assert_snapshots(
        "diff",
        [Snapshot {
            name: "before-and-after".into(),
            description: "`preflight diff old.json new.json`: an sshd configuration hardened but X11 forwarding turned on, a placeholder secret suppressed, lines moved".into(),
            text,
        }],
    );
    // The gate looks at new findings: medium fails `--fail-on medium`.
    assert_eq!(
        diff(out.path(), &["--fail-on", "medium"]).status.code(),
        Some(1)
    );
    // -o *.json picks JSON.
    let written = out.path().join("changes.json");
    let output = diff(out.path(), &["-o", written.to_str().expect("UTF-8 path")]);
    assert!(output.status.success());
    let d: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&written).expect("written")).expect("JSON");
    assert_eq!(d["tool"], "preflight diff");
}

#[test]
fn only_preflight_json_reports_are_compared() {
    let dir = tree(&[
        ("new.json", b"{\"findings\": []}"),
        ("report.sarif", b"{\"version\": \"2.1.0\", \"runs\": []}"),
        ("notes.txt", b"hello\x1b]0;title\x07"),
    ]);
    for old in ["report.sarif", "notes.txt", "missing.json"] {
        let output = preflight_in(dir.path())
            .args(["diff", old, "new.json"])
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(2), "{old}: {output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.starts_with("error: "), "{stderr}");
        assert!(!stderr.contains('\u{1b}'), "{stderr}");
    }
}

#[test]
fn hostile_names_reach_the_terminal_as_text() {
    let dir = tree(&[("x\u{1b}]0;pwned\u{7}/.env.production", b"DEBUG=true\n")]);
    let output = preflight_in(dir.path())
        .args([
            "check",
            ".",
            "--no-config",
            "--fail-on",
            "never",
            "-o",
            "new.json",
        ])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{output:?}");
    std::fs::write(
        dir.path().join("old.json"),
        br#"{"schema_version": 1, "tool": {"name": "preflight", "version": "0"}, "findings": []}"#,
    )
    .expect("write");
    let output = diff(dir.path(), &["--fail-on", "never"]);
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(text.contains("x␛]0;pwned␇/.env.production"), "{text}");
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text}"
    );
}

/// A weekly fleet audit: three hosts (saved snapshots), then the same three after web2's
/// sshd was hardened. The diff names web2's fixed findings and controls, nothing else.
#[test]
fn a_fleet_audit_week_over_week() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folders = crate::html::three_hosts(dir.path());
    let mut args: Vec<String> = Vec::new();
    for folder in &folders {
        args.push("--snapshot".into());
        args.push(folder.display().to_string());
    }
    args.extend(
        [
            "--framework",
            "devsec-ssh",
            "--fail-on",
            "never",
            "--format",
            "json",
            "-o",
        ]
        .map(String::from),
    );
    let run = |out: &str| {
        let output = preflight_in(dir.path())
            .arg("check")
            .args(&args)
            .arg(out)
            .output()
            .expect("runs");
        assert!(output.status.success(), "{output:?}");
    };
    run("old.json");
    let web2 = folders.iter().find(|f| f.ends_with("web2")).expect("web2");
    std::fs::copy(
        crate::common::root().join("fixtures/sshd/pass-hardened.sshd_config"),
        web2.join("etc/ssh/sshd_config"),
    )
    .expect("harden web2");
    run("new.json");
    let output = diff(dir.path(), &["--format", "json"]);
    assert!(output.status.success(), "{output:?}");
    let d: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(d["summary"]["findings"]["new"], 0, "{d}");
    let fixed = d["fixed"].as_array().expect("fixed");
    assert!(!fixed.is_empty());
    for finding in fixed {
        let path = finding["location"]["path"].as_str().expect("path");
        assert!(path.starts_with("ssh://web2/etc/ssh/"), "{path}");
    }
    let controls = d["controls"].as_array().expect("controls");
    assert!(
        controls
            .iter()
            .any(|c| c["id"] == "sshd-42" && c["target"] == "ssh://web2" && c["change"] == "fixed"),
        "{d}"
    );
    assert!(controls.iter().all(|c| c["target"] == "ssh://web2"), "{d}");
    // Over the fleet, one control fewer fails (sshd-42 failed on web2 only).
    let totals = &d["summary"]["frameworks"][0];
    assert_eq!(
        totals["old"]["failed"].as_u64().expect("failed"),
        totals["new"]["failed"].as_u64().expect("failed") + 1,
        "{totals}"
    );
    let human = String::from_utf8(diff(dir.path(), &[]).stdout).expect("UTF-8");
    let line = human
        .lines()
        .find(|l| l.starts_with("Framework devsec-ssh: "))
        .expect("the framework's line");
    assert!(line.contains(" failed") && line.contains(" → "), "{line}");
}
