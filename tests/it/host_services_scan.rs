//! Host trees scanned end to end: the files fail2ban, PostgreSQL and logrotate read
//! together are judged together, and every host service file lands in its own analyzer
//! rather than in nginx's (which claims ambiguous `*.conf` files by content).

use crate::common::{findings_at as findings, json_report, tree};

fn ids(report: &serde_json::Value) -> Vec<String> {
    findings(report).into_iter().map(|f| f.0).collect()
}

const JAIL_CONF: &[u8] = b"[DEFAULT]\nenabled = false\nbantime = 10m\nmaxretry = 5\n\n[sshd]\nport = ssh\nlogpath = %(sshd_log)s\n";
const DEBIAN_DEFAULTS: &[u8] = b"[sshd]\nbackend = systemd\nenabled = true\n";
const S3_JAIL_LOCAL: &[u8] = b"[DEFAULT]\nbantime = 3600\nfindtime = 600\nmaxretry = 5\n\n[nginx-http-auth]\nenabled = true\n";

#[test]
fn debian_jail_d_enables_sshd_for_a_jail_local_that_does_not() {
    let dir = tree(&[
        ("etc/fail2ban/jail.conf", JAIL_CONF),
        ("etc/fail2ban/jail.d/defaults-debian.conf", DEBIAN_DEFAULTS),
        ("etc/fail2ban/jail.local", S3_JAIL_LOCAL),
        (
            "etc/fail2ban/fail2ban.conf",
            b"[Definition]\nloglevel = INFO\n",
        ),
        (
            "etc/fail2ban/filter.d/sshd.conf",
            b"[Definition]\nfailregex = ^Failed\n",
        ),
    ]);
    let (report, _) = json_report(dir.path(), &["."]);
    assert_eq!(report["summary"]["files_checked"], 3, "{report}");
    assert!(ids(&report).is_empty(), "{:?}", findings(&report));
}

#[test]
fn jail_local_turns_off_what_jail_d_conf_enabled_and_jail_d_local_turns_it_back_on() {
    let off = b"[sshd]\nenabled = false\n";
    let dir = tree(&[
        ("etc/fail2ban/jail.conf", JAIL_CONF),
        ("etc/fail2ban/jail.d/defaults-debian.conf", DEBIAN_DEFAULTS),
        ("etc/fail2ban/jail.local", off),
    ]);
    let (report, _) = json_report(dir.path(), &["."]);
    assert_eq!(
        findings(&report),
        [("F2B001".to_owned(), "etc/fail2ban/jail.local".to_owned(), 2)]
    );

    let dir = tree(&[
        ("etc/fail2ban/jail.d/defaults-debian.conf", DEBIAN_DEFAULTS),
        ("etc/fail2ban/jail.local", off),
        (
            "etc/fail2ban/jail.d/zz-sshd.local",
            b"[sshd]\nenabled = true\nbantime = 30\n",
        ),
    ]);
    let (report, _) = json_report(dir.path(), &["."]);
    assert_eq!(
        findings(&report),
        [(
            "F2B002".to_owned(),
            "etc/fail2ban/jail.d/zz-sshd.local".to_owned(),
            3
        )],
        "the .local in jail.d is read last and wins"
    );
}

#[test]
fn two_fail2ban_directories_are_judged_apart() {
    let dir = tree(&[
        ("a/etc/fail2ban/jail.local", b"[sshd]\nenabled = true\n"),
        (
            "b/etc/fail2ban/jail.local",
            b"[nginx-http-auth]\nenabled = true\n",
        ),
    ]);
    let (report, _) = json_report(dir.path(), &["."]);
    assert_eq!(
        findings(&report),
        [(
            "F2B001".to_owned(),
            "b/etc/fail2ban/jail.local".to_owned(),
            1
        )]
    );
}

const OPEN_HBA: &[u8] = b"local all postgres peer\nhost all all 0.0.0.0/0 scram-sha-256\n";

#[test]
fn pg_hba_open_to_the_internet_matters_only_when_the_server_listens_publicly() {
    let dir = tree(&[
        (
            "etc/postgresql/16/main/postgresql.conf",
            b"listen_addresses = 'localhost'\n",
        ),
        ("etc/postgresql/16/main/pg_hba.conf", OPEN_HBA),
    ]);
    let (report, _) = json_report(dir.path(), &[".", "--select", "PG"]);
    assert!(ids(&report).is_empty(), "{:?}", findings(&report));

    let dir = tree(&[
        (
            "etc/postgresql/16/main/postgresql.conf",
            b"listen_addresses = '*'\nssl = on\n",
        ),
        ("etc/postgresql/16/main/pg_hba.conf", OPEN_HBA),
    ]);
    let (report, code) = json_report(dir.path(), &[".", "--select", "PG"]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        [(
            "PG002".to_owned(),
            "etc/postgresql/16/main/pg_hba.conf".to_owned(),
            2
        )]
    );
    let related = &report["findings"][0]["related"][0];
    assert_eq!(
        related["path"], "etc/postgresql/16/main/postgresql.conf",
        "{report}"
    );
    assert_eq!(related["start_line"], 1);
}

#[test]
fn each_pg_hba_conf_pairs_with_the_server_that_reads_it() {
    // Several servers in one scan: pairing goes by a server's `hba_file` (relative, or
    // absolute under the scanned folder as in a host snapshot), else by folder and by the
    // name's label (`prod.pg_hba.conf` with `prod.postgresql.conf`), never across folders;
    // a server whose `listen_addresses` may be in a file not scanned is not judged.
    let dir = tree(&[
        (
            "a/postgresql.conf",
            b"listen_addresses = 'localhost'\n" as &[u8],
        ),
        ("a/pg_hba.conf", OPEN_HBA),
        (
            "a/prod.postgresql.conf",
            b"listen_addresses = '*'\nssl = on\n",
        ),
        ("a/prod.pg_hba.conf", OPEN_HBA),
        ("b/postgresql.conf", b"listen_addresses = '*'\nssl = on\n"),
        ("b/pg_hba.conf", OPEN_HBA),
        ("c/pg_hba.conf", OPEN_HBA),
        ("d/postgresql.conf", b"listen_addresses = 'localhost'\n"),
        ("d/sub/pg_hba.conf", OPEN_HBA),
        (
            "e/postgresql.conf",
            b"hba_file = 'auth/pg_hba.conf'\nlisten_addresses = '*'\nssl = on\n",
        ),
        ("e/auth/pg_hba.conf", OPEN_HBA),
        (
            "f/postgresql.conf",
            b"hba_file = '/etc/f-auth/pg_hba.conf'\nlisten_addresses = 'localhost'\n",
        ),
        ("etc/f-auth/pg_hba.conf", OPEN_HBA),
        ("g/postgresql.conf", b"include_dir = 'conf.d'\n"),
        ("g/pg_hba.conf", OPEN_HBA),
    ]);
    let (report, _) = json_report(dir.path(), &[".", "--select", "PG002"]);
    let found = report["findings"].as_array().expect("findings");
    let got: Vec<(&str, Option<&str>)> = found
        .iter()
        .map(|f| {
            (
                f["location"]["path"].as_str().expect("path"),
                f["related"][0]["path"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("a/prod.pg_hba.conf", Some("a/prod.postgresql.conf")),
            ("b/pg_hba.conf", Some("b/postgresql.conf")),
            ("c/pg_hba.conf", None),
            ("d/sub/pg_hba.conf", None),
            ("e/auth/pg_hba.conf", Some("e/postgresql.conf")),
        ],
        "{report}"
    );
}

#[test]
fn logrotate_snippets_inherit_rotate_from_logrotate_conf() {
    let snippet: &[u8] = b"/var/log/app/*.log {\n  daily\n  create 0640 app adm\n}\n";
    let dir = tree(&[
        (
            "etc/logrotate.conf",
            b"weekly\nrotate 4\ncreate\ninclude /etc/logrotate.d\n",
        ),
        ("etc/logrotate.d/app", snippet),
    ]);
    let (report, _) = json_report(dir.path(), &["."]);
    assert!(ids(&report).is_empty(), "{:?}", findings(&report));

    let dir = tree(&[("etc/logrotate.d/app", snippet)]);
    let (report, _) = json_report(dir.path(), &["."]);
    assert_eq!(
        findings(&report),
        [("LOG003".to_owned(), "etc/logrotate.d/app".to_owned(), 1)]
    );
}

#[test]
fn each_hosts_logrotate_snippets_inherit_from_that_hosts_logrotate_conf() {
    // Several host trees in one scan: a snippet inherits `rotate` only from the
    // `logrotate.conf` beside its own `logrotate.d/`.
    let snippet: &[u8] = b"/var/log/app/*.log {\n  daily\n}\n";
    let dir = tree(&[
        ("web/etc/logrotate.conf", b"weekly\nrotate 4\n" as &[u8]),
        ("web/etc/logrotate.d/app", snippet),
        ("web/etc/logrotate.d/nginx", snippet),
        ("db/etc/logrotate.conf", b"weekly\n"),
        ("db/etc/logrotate.d/app", snippet),
        ("cache/etc/logrotate.conf", b"rotate 0\n"),
        ("cache/etc/logrotate.d/app", snippet),
        ("bare/etc/logrotate.d/app", snippet),
        ("misplaced/logrotate.d/app", snippet),
        ("misplaced/etc/logrotate.conf", b"rotate 9\n"),
    ]);
    let (report, _) = json_report(dir.path(), &[".", "--select", "LOG003"]);
    let paths: Vec<String> = findings(&report).into_iter().map(|f| f.1).collect();
    assert_eq!(
        paths,
        [
            "bare/etc/logrotate.d/app",
            "cache/etc/logrotate.d/app",
            "db/etc/logrotate.d/app",
            "misplaced/logrotate.d/app",
        ],
        "{report}"
    );
}

#[test]
fn host_service_conf_files_are_not_taken_for_nginx() {
    // Each file holds something nginx's sniffing would accept (`server {`, `location`),
    // so only classification by name keeps them away from the nginx rules.
    let dir = tree(&[
        ("etc/redis/redis.conf", b"# server {\nbind 127.0.0.1\nrequirepass Zk3v9Qw1Rt5Yp8Ux2Ma7Lc4\nrename-command FLUSHALL \"\"\nrename-command FLUSHDB \"\"\nrename-command CONFIG \"\"\nrename-command DEBUG \"\"\nrename-command KEYS \"\"\nrename-command SHUTDOWN \"\"\n"),
        ("etc/postgresql/16/main/postgresql.conf", b"# location / {\nlisten_addresses = 'localhost'\n"),
        ("etc/fail2ban/jail.d/nginx.conf", b"[nginx-http-auth]\n# server { listen 80; }\nenabled = true\n"),
        ("etc/fail2ban/jail.local", b"[sshd]\nenabled = true\n"),
        ("etc/logrotate.d/nginx.conf", b"/var/log/nginx/*.log {\n  rotate 14\n  create 0640 www-data adm\n}\n"),
        ("etc/nginx/conf.d/site.conf", b"server {\n  listen 80;\n  return 301 https://$host$request_uri;\n}\n"),
    ]);
    let (report, _) = json_report(dir.path(), &["."]);
    assert_eq!(report["summary"]["files_checked"], 6, "{report}");
    let found = findings(&report);
    assert!(
        found
            .iter()
            .all(|(id, path, _)| !id.starts_with("NGX") || path.starts_with("etc/nginx/")),
        "{found:?}"
    );
    assert!(!found.iter().any(|(id, _, _)| id == "PF001"), "{found:?}");
}

#[test]
fn saved_command_output_is_kept_only_when_its_content_is_firewall_rules() {
    let dir = tree(&[
        ("audit/web1-ufw.txt", b"Status: inactive\n"),
        (
            "audit/web2-iptables.txt",
            b"*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n",
        ),
        (
            "audit/firewall-notes.txt",
            b"We should really enable ufw.\nStatus: nobody knows\n",
        ),
    ]);
    let (report, _) = json_report(dir.path(), &["."]);
    assert_eq!(report["summary"]["files_checked"], 2, "{report}");
    assert_eq!(
        findings(&report),
        [
            ("FW004".to_owned(), "audit/web1-ufw.txt".to_owned(), 1),
            ("FW003".to_owned(), "audit/web2-iptables.txt".to_owned(), 2),
        ]
    );
}
