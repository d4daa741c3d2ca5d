//! systemd units end to end: where absent-setting findings land, how they are suppressed,
//! and which units are judged on what they leave out.

use crate::common::{active_rules, json_report, tree};

const BARE: &[u8] = b"[Unit]\nDescription=app\n\n[Service]\nExecStart=/usr/bin/app\n";

#[test]
fn absent_settings_are_reported_at_the_service_header_never_line_one() {
    let dir = tree(&[("app.service", BARE)]);
    let (report, _) = json_report(dir.path(), &["."]);
    let findings = report["findings"].as_array().unwrap();
    let ids: Vec<&str> = findings
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["SYS001", "SYS003", "SYS004", "SYS005"]);
    for finding in findings {
        assert_eq!(finding["location"]["start_line"], 4, "{finding:#}");
        assert_eq!(finding["snippet"]["text"], "[Service]");
    }
}

#[test]
fn a_comment_above_the_section_suppresses_with_its_reason() {
    let unit = b"# preflight: ignore[SYS001] nginx drops to www-data itself\n[Service]\nExecStart=/usr/sbin/nginx\nNoNewPrivileges=yes\nProtectSystem=strict\nPrivateTmp=yes\n";
    let dir = tree(&[("nginx.service", unit)]);
    let (report, code) = json_report(dir.path(), &["."]);
    assert_eq!(code, 0);
    assert!(active_rules(&report).is_empty(), "{report:#}");
    assert_eq!(
        report["findings"][0]["suppression"]["reason"],
        "nginx drops to www-data itself"
    );
}

#[test]
fn drop_ins_and_user_units_are_judged_only_on_what_they_set() {
    let dir = tree(&[
        ("etc/systemd/system/app.service.d/override.conf", BARE),
        ("home/dev/.config/systemd/user/sync.service", BARE),
        (
            "etc/systemd/system/web.service.d/root.conf",
            b"[Service]\nUser=root\nNoNewPrivileges=no\n",
        ),
    ]);
    let (report, _) = json_report(dir.path(), &["."]);
    let mut found: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["location"]["path"].as_str().unwrap().to_owned(),
                f["rule_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    let root = "etc/systemd/system/web.service.d/root.conf".to_owned();
    assert_eq!(
        found,
        [
            (root.clone(), "SYS001".to_owned()),
            (root, "SYS003".to_owned())
        ]
    );
}
