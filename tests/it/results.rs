//! Evaluation results (`--results all`): the status of every rule on every file of every
//! fixture folder is one snapshot per folder (`results__<folder>.snap`), one line per file
//! and status listing the rules, not-evaluated ones with their reasons; and the JSON's
//! counts agree with its list.

use std::collections::BTreeMap;

use crate::common::{assert_snapshots, json_report, preflight_in, root, Snapshot};

/// The results of `preflight check fixtures/<folder> --results all`, grouped per file.
fn results_text(folder: &str) -> String {
    let (report, _) = json_report(
        &root(),
        &[
            &format!("fixtures/{folder}"),
            "--results",
            "all",
            "--fail-on",
            "never",
            // Git state depends on where the tree is checked out.
            "--ignore",
            "ENV015,ENV016",
            // So does whether a `helm` is on PATH: charts are rendered in tests/it/helm.rs.
            "--no-helm",
        ],
    );
    let results = report["results"].as_array().expect("results");
    let mut by_file: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut absent = 0;
    for result in results {
        let status = result["status"].as_str().expect("status").to_owned();
        let Some(path) = result["path"].as_str() else {
            assert_eq!(status, "not_applicable", "{result}");
            absent += 1;
            continue;
        };
        let reasons: Vec<&str> = result["reasons"]
            .as_array()
            .map(|r| r.iter().map(|r| r.as_str().expect("reason")).collect())
            .unwrap_or_default();
        let rule = result["rule_id"].as_str().expect("rule_id");
        let entry = if status == "not_evaluated" {
            format!("{rule} ({})", reasons.join("; "))
        } else {
            rule.to_owned()
        };
        by_file
            .entry((path.to_owned(), status))
            .or_default()
            .push(entry);
    }
    let mut lines: Vec<String> = by_file
        .into_iter()
        .map(|((path, status), rules)| {
            let separator = if status == "not_evaluated" {
                "\n    "
            } else {
                ", "
            };
            format!("{path} {status}: {}", rules.join(separator))
        })
        .collect();
    lines.push(format!(
        "(scan) not_applicable: {absent} rules (no file of their kinds)"
    ));
    // The summary counts what the list holds.
    let summary = &report["summary"]["results"];
    let listed: u64 = ["pass", "fail", "not_applicable", "not_evaluated"]
        .iter()
        .map(|s| summary[s].as_u64().expect("count"))
        .sum();
    assert_eq!(listed as usize, results.len(), "{summary}");
    lines.push(String::new());
    lines.join("\n")
}

#[test]
fn every_rule_on_every_fixture_has_its_result() {
    let mut folders: Vec<String> = std::fs::read_dir(root().join("fixtures"))
        .expect("fixtures")
        .map(|e| e.expect("entry"))
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    assert!(folders.len() >= 15, "{folders:?}");
    assert_snapshots(
        "results",
        folders.iter().map(|folder| Snapshot {
            name: folder.clone(),
            description: format!(
                "`preflight check fixtures/{folder} --results all`: per file and status, the rules"
            ),
            text: results_text(folder),
        }),
    );
}

#[test]
fn results_are_opt_in() {
    let (report, _) = json_report(&root(), &["examples/insecure-shop", "--fail-on", "never"]);
    assert!(report.get("results").is_none(), "{report}");
    assert!(report["summary"].get("results").is_none());
    let (report, _) = json_report(
        &root(),
        &[
            "examples/insecure-shop",
            "--fail-on",
            "never",
            "--results",
            "all",
        ],
    );
    let results = report["results"].as_array().expect("results");
    // Every finding's rule fails on the finding's file.
    for finding in report["findings"].as_array().expect("findings") {
        let (rule, path) = (&finding["rule_id"], &finding["location"]["path"]);
        assert!(
            results.iter().any(|r| &r["rule_id"] == rule
                && &r["path"] == path
                && (r["status"] == "fail" || r["status"] == "not_applicable")),
            "{rule} {path}"
        );
    }
}

#[test]
fn frameworks_lists_each_with_its_coverage() {
    let catalog = preflight::policy::Catalog::builtin().expect("catalog");
    let output = crate::common::preflight()
        .arg("frameworks")
        .output()
        .expect("runs");
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(catalog.frameworks().len() >= 3);
    for framework in catalog.frameworks() {
        let covered = framework
            .controls
            .iter()
            .filter(|c| !catalog.rules_for(&framework.id, &c.id).is_empty())
            .count();
        let in_part = framework
            .controls
            .iter()
            .filter(|c| !catalog.partial_rules_for(&framework.id, &c.id).is_empty())
            .count();
        assert!(covered + in_part > 0, "{}", framework.id);
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{} ", framework.id)))
            .unwrap_or_else(|| panic!("{} missing:\n{text}", framework.id));
        assert!(
            line.contains(&format!(
                " {covered}/{} controls covered ",
                framework.controls.len()
            )),
            "{line}"
        );
    }
    assert!(text.contains("not a certification"), "{text}");
}

#[test]
fn a_framework_rollup_agrees_with_the_findings() {
    let (report, code) = json_report(
        &root(),
        &[
            "fixtures/sshd",
            "--framework",
            "devsec-ssh",
            "--fail-on",
            "never",
        ],
    );
    assert_eq!(code, 0);
    // Results are recorded for the rollup, but listed only with --results all.
    assert!(report.get("results").is_none());
    let rollup = &report["compliance"][0];
    assert_eq!(rollup["framework"]["id"], "devsec-ssh");
    assert!(rollup["statement"]
        .as_str()
        .expect("statement")
        .contains("not a certification"));
    let findings = report["findings"].as_array().expect("findings");
    let totals = &rollup["totals"];
    let (mut counted, mut partly) = (0, 0);
    for control in rollup["controls"].as_array().expect("controls") {
        let names = |field: &str| -> Vec<&str> {
            control[field]
                .as_array()
                .map(|list| list.iter().map(|r| r.as_str().expect("rule")).collect())
                .unwrap_or_default()
        };
        let (rules, in_part) = (names("rules"), names("partial_rules"));
        let status = control["status"].as_str().expect("status");
        if rules.is_empty() && in_part.is_empty() {
            assert_eq!(status, "not_covered", "{control}");
            continue;
        }
        counted += 1;
        partly += usize::from(rules.is_empty());
        // A rule mapped in part fails the control as one mapped to the whole does; where
        // only such rules pass, the control is not evaluated, never passed.
        let failed = findings.iter().any(|f| {
            let rule = f["rule_id"].as_str().expect("rule_id");
            rules.contains(&rule) || in_part.contains(&rule)
        });
        assert_eq!(status == "fail", failed, "{control}");
        if rules.is_empty() {
            assert_ne!(status, "pass", "{control}");
        }
    }
    assert_eq!(totals["covered"], counted);
    assert_eq!(totals["partly_covered"], partly);
    assert!(partly > 0, "devsec-ssh has controls covered in part");
    assert_eq!(
        totals["controls"],
        rollup["controls"].as_array().expect("controls").len()
    );
    // The hardened fixture passes every control covered as a whole; those covered in part
    // only are not evaluated there.
    let hardened = rollup["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .find(|t| t["target"] == "fixtures/sshd/pass-hardened.sshd_config")
        .expect("the hardened file is a target");
    assert_eq!(hardened["totals"]["passed"], counted - partly, "{hardened}");
    assert_eq!(hardened["totals"]["not_evaluated"], partly, "{hardened}");
    assert_eq!(hardened["totals"]["partly_covered"], partly, "{hardened}");
    // An unknown framework is a usage error, before anything is scanned.
    let output = crate::common::preflight()
        .args(["check", "fixtures/sshd", "--framework", "cis-nope"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown framework `cis-nope`"));
}

/// docs/frameworks.md reviews every mapping: its coverage table holds the counts the data
/// gives, and each framework's section has a row for every mapped control naming its rules.
#[test]
fn the_framework_docs_review_every_mapping() {
    let catalog = preflight::policy::Catalog::builtin().expect("catalog");
    let docs = std::fs::read_to_string(root().join("docs/frameworks.md")).expect("docs");
    for framework in catalog.frameworks() {
        let covered: Vec<_> = framework
            .controls
            .iter()
            .filter(|c| !catalog.rules_for(&framework.id, &c.id).is_empty())
            .collect();
        let row = docs
            .lines()
            .find(|l| l.starts_with(&format!("| `{}`:", framework.id)))
            .unwrap_or_else(|| panic!("no coverage row for {}", framework.id));
        assert!(
            row.ends_with(&format!(
                "| {} / {} |",
                covered.len(),
                framework.controls.len()
            )),
            "{row}"
        );
        let section = docs
            .split("\n## ")
            .find(|s| s.contains(&format!("(`{}`)", framework.id)))
            .unwrap_or_else(|| panic!("no section for {}", framework.id));
        let partly = framework
            .controls
            .iter()
            .filter(|c| !catalog.partial_rules_for(&framework.id, &c.id).is_empty());
        for control in covered.into_iter().chain(partly) {
            let rules = catalog
                .rules_for(&framework.id, &control.id)
                .into_iter()
                .chain(catalog.partial_rules_for(&framework.id, &control.id));
            // A control's rows: one for the whole control, one for evidence for a part.
            let lines: Vec<&str> = section
                .lines()
                .filter(|l| l.starts_with(&format!("| {} ", control.id)))
                .collect();
            assert!(
                !lines.is_empty(),
                "{}: no row for {}",
                framework.id,
                control.id
            );
            for rule in rules {
                assert!(
                    lines.iter().any(|line| line.contains(&rule.id)),
                    "{}: {lines:?} lack {}",
                    control.id,
                    rule.id
                );
            }
        }
    }
}

/// A live audit's rollup is per host: a saved snapshot re-checked with `--snapshot` is
/// judged as the host it came from.
#[test]
fn a_host_audit_rolls_up_per_host() {
    use preflight::formats::Target;
    use preflight::live::snapshot::{HostSnapshot, SnapshotFile};
    let dir = tempfile::tempdir().expect("tempdir");
    let snapshot = HostSnapshot {
        host: "web1".into(),
        collected_at: std::time::SystemTime::UNIX_EPOCH
            + std::time::Duration::from_secs(1_767_225_600),
        files: vec![SnapshotFile {
            path: "/etc/ssh/sshd_config".into(),
            target: Target::Sshd,
            bytes: b"PasswordAuthentication no\nX11Forwarding yes\n".to_vec(),
        }],
        unable: Vec::new(),
    };
    preflight::live::save::save(&snapshot, "ssh://web1", dir.path()).expect("save");
    let (report, _) = json_report(
        dir.path(),
        &[
            "--snapshot",
            ".",
            "--framework",
            "devsec-ssh",
            "--fail-on",
            "never",
        ],
    );
    let targets = report["compliance"][0]["targets"]
        .as_array()
        .expect("targets");
    assert_eq!(targets.len(), 1, "{targets:?}");
    assert_eq!(targets[0]["target"], "ssh://web1");
    assert_eq!(targets[0]["host"], "web1");
    let status = |control: &str| {
        targets[0]["controls"]
            .as_array()
            .expect("controls")
            .iter()
            .find(|c| c["control"] == control)
            .map(|c| c["status"].as_str().expect("status").to_owned())
    };
    assert_eq!(status("sshd-27").as_deref(), Some("pass"));
    assert_eq!(status("sshd-42").as_deref(), Some("fail"));
}

/// SARIF keeps failures only, and carries each rule's controls as tags.
#[test]
fn sarif_rules_carry_their_controls_as_tags() {
    let output = crate::common::preflight()
        .args([
            "check",
            "fixtures/sshd",
            "--format",
            "sarif",
            "--fail-on",
            "never",
        ])
        .output()
        .expect("runs");
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let ssh003 = rules
        .iter()
        .find(|r| r["id"] == "SSH003")
        .expect("SSH003 is described");
    let tags = ssh003["properties"]["tags"].as_array().expect("tags");
    assert!(tags.iter().any(|t| t == "devsec-ssh:sshd-27"), "{tags:?}");
}

/// A fleet saved with `audit host A B C --save-snapshot DIR` is one folder per host: naming
/// the folder judges each host as it was audited, exactly as naming every host does; a
/// folder holding no snapshot is refused, not read as an empty fleet.
#[test]
fn a_folder_of_snapshots_judges_each_as_its_host() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fleet = dir.path().join("fleet");
    let folders = crate::html::three_hosts(&fleet);
    let run = |args: &[String]| {
        let mut all: Vec<String> = vec!["check".into()];
        all.extend(args.iter().cloned());
        all.extend(["--format", "json", "--fail-on", "never"].map(String::from));
        let out = preflight_in(dir.path()).args(&all).output().expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let mut found: Vec<(String, String)> = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| (f["rule_id"].to_string(), f["location"]["path"].to_string()))
            .collect();
        // Hosts come in the order they are named, or by folder name.
        found.sort();
        (found, report["summary"]["files_checked"].clone())
    };
    let each: Vec<String> = folders
        .iter()
        .flat_map(|f| ["--snapshot".to_owned(), f.display().to_string()])
        .collect();
    let by_host = run(&each);
    let whole = run(&["--snapshot".to_owned(), "fleet".to_owned()]);
    assert_eq!(whole, by_host);
    // web1 is hardened: its two files are checked and give nothing.
    assert_eq!(whole.1, 5, "sshd and nginx of web1 and web2, sshd of db1");
    for host in ["web2", "db1"] {
        assert!(
            whole
                .0
                .iter()
                .any(|(_, path)| path.contains(&format!("ssh://{host}/"))),
            "{host}: {whole:?}"
        );
    }
    // A link to a snapshot elsewhere is not followed: only the folder named is read.
    #[cfg(unix)]
    {
        let outside = tempfile::tempdir().expect("tempdir");
        let others = crate::html::three_hosts(outside.path());
        std::os::unix::fs::symlink(&others[1], fleet.join("linked")).expect("symlink");
        assert_eq!(run(&["--snapshot".to_owned(), "fleet".to_owned()]), whole);
    }
    std::fs::create_dir(dir.path().join("plain")).expect("mkdir");
    let out = preflight_in(dir.path())
        .args(["check", "--snapshot", "plain"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("plain is no saved host snapshot"),
        "{stderr}"
    );
}
