//! Differential test against systemd itself: `systemd-analyze security --offline=yes` reads
//! a unit file the way systemd does and says whether it runs as root and whether
//! `NoNewPrivileges=`, `ProtectSystem=` and `PrivateTmp=` protect it. SYS001, SYS003, SYS004
//! and SYS005 must agree with it on units built from every kind of assignment (repeated keys,
//! booleans in all spellings, continuation lines).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::common::{json_report, tree};

/// The `systemd-analyze` binary (the build found one, or the test is ignored).
fn systemd_analyze() -> &'static str {
    ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .unwrap_or("systemd-analyze")
}

const USERS: &[&str] = &[
    "",
    "User=app\n",
    "User=root\n",
    "User=0\n",
    "DynamicUser=yes\n",
    "User=app\nUser=root\n",
    "User=root\nUser=app\n",
];

const NO_NEW_PRIVILEGES: &[&str] = &[
    "",
    "NoNewPrivileges=yes\n",
    "NoNewPrivileges=no\n",
    "NoNewPrivileges=true\nNoNewPrivileges=off\n",
    "NoNewPrivileges=0\nNoNewPrivileges=on\n",
    "NoNewPrivileges= \\\n  yes\n",
];

const PROTECT_SYSTEM: &[&str] = &[
    "",
    "ProtectSystem=strict\n",
    "ProtectSystem=yes\n",
    "ProtectSystem=no\n",
    "ProtectSystem=strict\nProtectSystem=no\n",
];

const PRIVATE_TMP: &[&str] = &["", "PrivateTmp=yes\n", "PrivateTmp=1\n", "PrivateTmp=no\n"];

/// What systemd says about each directive (`User=/DynamicUser=` → protected?).
fn systemd_verdicts(analyze: &str, unit: &Path) -> BTreeMap<String, bool> {
    let output = Command::new(analyze)
        .args(["security", "--offline=yes", "--no-pager"])
        .arg(unit)
        .output()
        .expect("systemd-analyze runs");
    let text = String::from_utf8_lossy(&output.stdout);
    let mut verdicts = BTreeMap::new();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        let (Some(mark), Some(name)) = (words.next(), words.next()) else {
            continue;
        };
        if [
            "User=/DynamicUser=",
            "NoNewPrivileges=",
            "ProtectSystem=",
            "PrivateTmp=",
        ]
        .contains(&name)
        {
            verdicts.insert(name.to_owned(), mark == "✓");
        }
    }
    verdicts
}

#[test]
#[cfg_attr(
    not(test_tool = "systemd_analyze"),
    ignore = "needs systemd-analyze (apt-get install systemd)"
)]
fn service_identity_and_sandbox_verdicts_match_systemd_analyze_security() {
    let analyze = systemd_analyze();
    let mut files = Vec::new();
    for (i, user) in USERS.iter().enumerate() {
        for (j, nnp) in NO_NEW_PRIVILEGES.iter().enumerate() {
            let protect = PROTECT_SYSTEM[(i + j) % PROTECT_SYSTEM.len()];
            let tmp = PRIVATE_TMP[(i * 3 + j) % PRIVATE_TMP.len()];
            let text = format!(
                "[Unit]\nDescription=variant\n\n[Service]\nExecStart=/bin/true\n{user}{nnp}{protect}{tmp}"
            );
            files.push((format!("u{i}-{j}.service"), text));
        }
    }
    let entries: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(name, text)| (name.as_str(), text.as_bytes()))
        .collect();
    let dir = tree(&entries);
    let (report, _) = json_report(dir.path(), &[".", "--select", "SYS"]);
    let mut ours: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for finding in report["findings"].as_array().expect("findings") {
        ours.entry(finding["location"]["path"].as_str().unwrap().to_owned())
            .or_default()
            .push(finding["rule_id"].as_str().unwrap().to_owned());
    }
    let rules = [
        ("User=/DynamicUser=", "SYS001"),
        ("NoNewPrivileges=", "SYS003"),
        ("ProtectSystem=", "SYS004"),
        ("PrivateTmp=", "SYS005"),
    ];
    let mut disagreements = Vec::new();
    for (name, text) in &files {
        let theirs = systemd_verdicts(analyze, &dir.path().join(name));
        assert_eq!(theirs.len(), 4, "systemd-analyze output changed for {name}");
        let reported = ours.get(name).cloned().unwrap_or_default();
        for (directive, rule) in rules {
            let systemd_protected = theirs[directive];
            let we_protected = !reported.iter().any(|r| r == rule);
            if systemd_protected != we_protected {
                disagreements.push(format!(
                    "{name}: systemd says {directive} protected={systemd_protected}, {rule} says {we_protected}\n{text}"
                ));
            }
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
