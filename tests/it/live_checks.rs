//! The host checks Lynis and the CIS benchmarks have (LIVE012 time synchronisation,
//! LIVE013 cron daemon, LIVE014 auditd, LIVE015 automatic updates, LIVE016 disk space): on saved snapshots of a
//! host with everything stopped and its hardened twin, and `audit local` on this machine,
//! whose results must agree with what the machine runs.

use std::path::Path;
use std::process::Command;

use preflight::rules::live::auditd::AUDIT_DAEMONS;
use preflight::rules::live::cron_daemon::CRON_DAEMONS;
use preflight::rules::live::time_sync::TIME_DAEMONS;

use crate::common::{self, preflight_in};

const RULES: [&str; 5] = ["LIVE012", "LIVE013", "LIVE014", "LIVE015", "LIVE016"];

/// The new rules' findings in a JSON report: (rule, path, line).
fn findings(report: &serde_json::Value) -> Vec<(String, String, u64)> {
    common::findings_at(report)
        .into_iter()
        .filter(|(rule, ..)| RULES.contains(&rule.as_str()))
        .collect()
}

fn check_snapshot(dir: &Path) -> serde_json::Value {
    let output = preflight_in(&common::root())
        .args(["check", "--snapshot"])
        .arg(dir)
        .args(["--format", "json", "--results", "all", "--fail-on", "never"])
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)))
}

#[test]
fn a_host_with_its_daemons_stopped_is_reported_and_its_hardened_twin_is_not() {
    let fixtures = common::root().join("fixtures/live");
    let stopped = check_snapshot(&fixtures.join("stopped"));
    let found = findings(&stopped);
    let at = |rule: &str| -> Vec<(String, u64)> {
        found
            .iter()
            .filter(|(r, ..)| r == rule)
            .map(|(_, path, line)| (path.clone(), *line))
            .collect()
    };
    let ps = "ssh://db-stopped/.preflight/ps.txt".to_owned();
    assert_eq!(at("LIVE012"), [(ps.clone(), 1)]);
    assert_eq!(at("LIVE014"), [(ps, 1)], "[kauditd] is a kernel thread");
    assert_eq!(
        at("LIVE013"),
        [("ssh://db-stopped/etc/cron.d/shop-backup".to_owned(), 2)]
    );
    assert_eq!(
        at("LIVE015"),
        [("ssh://db-stopped/.preflight/apt-periodic.txt".to_owned(), 2)]
    );
    assert_eq!(
        at("LIVE016"),
        [("ssh://db-stopped/.preflight/df.txt".to_owned(), 2)],
        "the root filesystem; not tmpfs, not a snap's image"
    );
    let hardened = check_snapshot(&fixtures.join("hardened"));
    assert_eq!(findings(&hardened), []);
    // Every new rule judged the hardened host: a pass, never "not applicable".
    for rule in RULES {
        let statuses: Vec<&str> = hardened["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["rule_id"] == rule)
            .map(|r| r["status"].as_str().unwrap())
            .collect();
        assert!(
            !statuses.is_empty() && statuses.iter().all(|s| *s == "pass"),
            "{rule}: {statuses:?}"
        );
    }
}

/// Whether the process list shows a running `programs` (its first word's file name, or
/// busybox's applet), read without preflight's parser.
fn runs(ps: &str, programs: &[&str]) -> bool {
    ps.lines().any(|line| {
        let mut words = line.split_whitespace().skip(2);
        let first = words.next().unwrap_or("");
        let name = first.rsplit('/').next().unwrap_or("").trim_end_matches(':');
        let name = if name == "busybox" {
            words.next().unwrap_or("")
        } else {
            name
        };
        !first.starts_with('[') && programs.contains(&name)
    })
}

#[test]
#[cfg_attr(
    not(test_tool = "audit_local"),
    ignore = "needs python3, openssl, ss and ps (apt-get install python3 openssl iproute2 procps)"
)]
fn audit_local_collects_the_new_kinds_and_judges_them_as_this_machine_is() {
    let _machine = crate::host_changes::machine_unchanged();
    let saved = tempfile::tempdir().unwrap();
    let snapshot = saved.path().join("snapshot");
    let output = preflight_in(saved.path())
        .args(["audit", "local", "--format", "json", "--results", "all"])
        .args(["--fail-on", "never", "--allow-partial", "--save-snapshot"])
        .arg(&snapshot)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    let fired = |rule: &str| findings(&report).iter().any(|(r, ..)| r == rule);

    // The new kind is collected, and the process list the daemon rules read.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(snapshot.join("manifest.json")).unwrap()).unwrap();
    let kinds: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"automatic-updates"), "{kinds:?}");
    assert!(kinds.contains(&"processes"), "{kinds:?}");

    // What this machine runs, read from the collected list with this test's own reading.
    let ps = std::fs::read_to_string(snapshot.join(".preflight/ps.txt")).unwrap();
    let whole_machine = ps.lines().any(|l| l.split_whitespace().nth(1) == Some("1"))
        && ps.lines().any(|l| {
            l.split_whitespace()
                .nth(2)
                .is_some_and(|w| w.starts_with('['))
        });
    let time = runs(&ps, TIME_DAEMONS);
    let audit = runs(&ps, AUDIT_DAEMONS);
    let cron = runs(&ps, CRON_DAEMONS);
    assert_eq!(fired("LIVE012"), whole_machine && !time, "{ps}");
    assert_eq!(fired("LIVE014"), whole_machine && !audit, "{ps}");

    // Crontabs with jobs among what was collected (a job line: not blank, not a comment,
    // not `NAME=value`).
    let has_jobs = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "cron")
        .any(|f| {
            let path = snapshot.join(f["path"].as_str().unwrap().trim_start_matches('/'));
            std::fs::read_to_string(path).unwrap().lines().any(|l| {
                let l = l.trim();
                !l.is_empty()
                    && !l.starts_with('#')
                    && !l.split_whitespace().next().unwrap_or("").contains('=')
            })
        });
    let partial = !ps.lines().any(|l| l.split_whitespace().nth(1) == Some("1"));
    assert_eq!(fired("LIVE013"), !partial && !cron && has_jobs, "{ps}");

    // Disk space, from this machine's own `df` with this test's reading: a disk-backed
    // filesystem at 90% or more of its usable space.
    assert!(kinds.contains(&"disk-usage"), "{kinds:?}");
    let df = Command::new("df").args(["-P", "-k"]).output().unwrap();
    let nearly_full = String::from_utf8_lossy(&df.stdout)
        .lines()
        .skip(1)
        .any(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            let number = |i: usize| words.get(i).and_then(|w| w.parse::<u64>().ok());
            let (Some(used), Some(available)) = (number(2), number(3)) else {
                return false;
            };
            let mount = words.get(5).copied().unwrap_or("");
            let memory = ["tmpfs", "devtmpfs", "udev", "none"].contains(&words[0])
                || words[0].starts_with("/dev/loop")
                || ["/proc", "/sys", "/dev", "/run", "/snap"]
                    .iter()
                    .any(|p| mount == *p || mount.starts_with(&format!("{p}/")));
            !memory && used + available > 0 && (used * 100).div_ceil(used + available) >= 90
        });
    assert_eq!(fired("LIVE016"), nearly_full);

    // Automatic updates, asked of apt and dpkg directly.
    let apt = Command::new("sh")
        .args(["-c", "command -v apt-config"])
        .output()
        .is_ok_and(|o| o.status.success());
    if apt {
        let installed = Command::new("dpkg-query")
            .args(["-W", "-f=${db:Status-Abbrev}", "unattended-upgrades"])
            .output()
            .is_ok_and(|o| o.stdout.get(1) == Some(&b'i'));
        let dump = Command::new("apt-config").arg("dump").output().unwrap();
        let dump = String::from_utf8_lossy(&dump.stdout);
        let on = |name: &str| {
            dump.lines()
                .rev()
                .find(|l| l.starts_with(&format!("APT::Periodic::{name} ")))
                .is_some_and(|l| !matches!(l.split('"').nth(1), None | Some("" | "0")))
        };
        let enabled = dump
            .lines()
            .all(|l| !l.starts_with("APT::Periodic::Enable \"0\""));
        let automatic =
            installed && enabled && on("Unattended-Upgrade") && on("Update-Package-Lists");
        assert_eq!(fired("LIVE015"), !automatic, "{dump}");
    } else {
        assert!(!fired("LIVE015"));
    }

    // Every new rule has a result on this host, and a finding means `fail`.
    let results = report["results"].as_array().expect("results");
    for rule in RULES {
        let mine: Vec<&serde_json::Value> =
            results.iter().filter(|r| r["rule_id"] == rule).collect();
        assert!(!mine.is_empty(), "{rule}");
        assert!(mine.iter().all(|r| r["host"] == "local"), "{mine:?}");
        assert_eq!(
            mine.iter().any(|r| r["status"] == "fail"),
            fired(rule),
            "{rule}: {mine:?}"
        );
    }

    // The saved snapshot re-checks to the same findings of these rules.
    let recheck = check_snapshot(&snapshot);
    let strip = |found: Vec<(String, String, u64)>| -> Vec<(String, u64)> {
        found
            .into_iter()
            .map(|(rule, _, line)| (rule, line))
            .collect()
    };
    assert_eq!(strip(findings(&recheck)), strip(findings(&report)));
}
