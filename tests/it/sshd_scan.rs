//! A host tree scanned end to end: `etc/ssh/sshd_config` with its drop-ins next to an nginx
//! `conf.d`, as a configuration repository or a mounted image holds them.

use crate::common::{findings_at as findings, json_report, tree};

#[test]
fn cloud_init_drop_in_beats_the_hardened_main_file() {
    let dir = tree(&[
        (
            "etc/ssh/sshd_config",
            b"Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication no\nPermitRootLogin no\nKbdInteractiveAuthentication no\nMaxAuthTries 3\nLoginGraceTime 30\nAllowGroups ssh-users\n",
        ),
        (
            "etc/ssh/sshd_config.d/50-cloud-init.conf",
            b"PasswordAuthentication yes\n",
        ),
        (
            "etc/nginx/conf.d/site.conf",
            b"server {\n  listen 80;\n  return 301 https://$host$request_uri;\n}\n",
        ),
    ]);
    let (report, code) = json_report(dir.path(), &["."]);
    assert_eq!(code, 1, "SSH003 is high");
    assert_eq!(report["summary"]["files_checked"], 3);
    let found = findings(&report);
    let main = "etc/ssh/sshd_config".to_owned();
    let drop_in = "etc/ssh/sshd_config.d/50-cloud-init.conf".to_owned();
    assert!(
        found.contains(&("SSH003".into(), main.clone(), 1)),
        "{found:?}"
    );
    assert!(
        found.contains(&("SSH016".into(), main.clone(), 2)),
        "{found:?}"
    );
    assert!(
        found.contains(&("SSH003".into(), drop_in.clone(), 1)),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .all(|(id, path, _)| !path.contains("nginx") || id.starts_with("NGX")),
        "{found:?}"
    );
    // The finding at the Include names the drop-in as the place the value comes from.
    let at_include = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule_id"] == "SSH003" && f["location"]["path"] == main.as_str())
        .expect("finding at the Include");
    assert!(at_include["message"]
        .as_str()
        .expect("message")
        .contains("50-cloud-init.conf:1"));
    assert_eq!(at_include["related"][0]["path"], drop_in.as_str());
}

#[test]
fn moving_the_value_above_the_include_fixes_it() {
    let dir = tree(&[
        (
            "etc/ssh/sshd_config",
            b"PasswordAuthentication no\nInclude /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin no\nKbdInteractiveAuthentication no\nMaxAuthTries 3\nLoginGraceTime 30\nAllowGroups ssh-users\n",
        ),
        (
            "etc/ssh/sshd_config.d/50-cloud-init.conf",
            b"PasswordAuthentication yes\n",
        ),
    ]);
    let (report, _) = json_report(dir.path(), &["etc/ssh/sshd_config"]);
    assert_eq!(findings(&report), Vec::<(String, String, u64)>::new());
}
