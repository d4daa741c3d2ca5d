//! Bad input is normal input: every case gets a clear note or finding with a location, the
//! scan goes on, and nothing panics.

use crate::common::{self, active_rules, json_report, preflight_in, tree};
use predicates::prelude::*;

#[test]
fn non_utf8_env_is_a_finding_with_the_byte_offset_and_the_rest_is_still_checked() {
    let dir = tree(&[(".env", b"APP=caf\xe9\nDEBUG=true\n")]);
    let (report, code) = json_report(dir.path(), &["."]);
    assert_eq!(code, 1);
    let rules = active_rules(&report);
    assert!(rules.contains(&"ENV030".to_owned()), "{rules:?}");
    assert!(
        rules.contains(&"ENV001".to_owned()),
        "later lines still checked: {rules:?}"
    );
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "ENV030")
        .unwrap();
    assert!(finding["message"].as_str().unwrap().contains("offset 7"));
    assert_eq!(finding["location"]["start_line"], 1);
    assert_eq!(finding["location"]["start_column"], 8);
}

#[test]
fn binary_oversized_and_unreadable_files_are_noted_and_skipped() {
    let dir = tree(&[
        ("bin/.env", b"\0\0\0ELF"),
        ("big/.env", &[b'A'; 300]),
        ("ok/.env", b"DEBUG=true\n"),
        ("preflight.toml", b"max_file_size = 200\n"),
    ]);
    // Reading /proc/self/mem at offset 0 fails with EIO even for root: a real unreadable file.
    std::os::unix::fs::symlink("/proc/self/mem", dir.path().join("mem.env")).unwrap();
    let (report, code) = json_report(dir.path(), &["."]);
    assert_eq!(code, 1, "the readable file's finding still counts");
    assert_eq!(active_rules(&report), ["ENV001"]);
    let kinds: Vec<(&str, &str)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["path"].as_str().unwrap(), d["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("big/.env", "too-large"),
            ("bin/.env", "binary"),
            ("mem.env", "unreadable")
        ]
    );
    preflight_in(dir.path())
        .args(["check", "."])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "warning: could not check bin/.env",
        ))
        .stdout(predicate::str::contains("3 files could not be checked"));
}

#[test]
fn symlink_loops_and_dangling_links_do_not_stop_the_scan() {
    let dir = tree(&[("app/.env", b"DEBUG=true\n")]);
    std::os::unix::fs::symlink("..", dir.path().join("app/loop")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/target", dir.path().join("app/.env.local")).unwrap();
    let (report, code) = json_report(dir.path(), &["."]);
    assert_eq!(code, 1);
    assert_eq!(active_rules(&report), ["ENV001"]);
    let kinds: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.iter().all(|k| *k == "broken-link"), "{kinds:?}");
    assert!(!kinds.is_empty());
}

#[test]
fn fifo_named_env_is_not_read() {
    let dir = tree(&[]);
    let fifo = dir.path().join(".env");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(status.success());
    preflight_in(dir.path())
        .args(["check", ".env"])
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("not a regular file"));
}

#[test]
fn empty_directory_is_clean() {
    let dir = tree(&[]);
    preflight_in(dir.path())
        .args(["check", "."])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No findings in 0 files checked."));
}

#[test]
fn malformed_lines_are_findings_with_locations() {
    let dir = tree(&[(".env", b"GOOD=1\nthis is not env\nQUOTE=\"open\nNEXT=2\n")]);
    let (report, _) = json_report(dir.path(), &["."]);
    let errors: Vec<(u64, u64)> = common::findings_of(&report, "PF001")
        .map(|f| {
            (
                f["location"]["start_line"].as_u64().unwrap(),
                f["location"]["start_column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(errors, [(2, 1), (3, 7)]);
}

/// A file of garbage is 50 findings and one that counts the rest, not one per line.
#[test]
fn unreadable_lines_past_fifty_are_counted_in_one_finding() {
    let garbage = "this is not env\n".repeat(200);
    let dir = tree(&[(".env", garbage.as_bytes())]);
    let (report, _) = json_report(dir.path(), &["."]);
    let errors = common::line_messages(&report, "PF001");
    assert_eq!(errors.len(), 51, "{errors:?}");
    assert_eq!(errors[49].0, 50);
    assert_eq!(errors[50].0, 51);
    assert!(
        errors[50].1.starts_with("150 more places"),
        "{:?}",
        errors[50]
    );
}

#[test]
fn explicit_file_of_unknown_kind_is_noted() {
    let dir = tree(&[("notes.txt", b"hello")]);
    preflight_in(dir.path())
        .args(["check", "notes.txt"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "not a kind of file preflight checks",
        ));
}

#[test]
fn dependency_and_vcs_folders_are_skipped_but_gitignored_env_files_are_checked() {
    let dir = tree(&[
        ("node_modules/pkg/.env", b"DEBUG=true\n"),
        ("vendor/x/.env", b"DEBUG=true\n"),
        (".venv/.env", b"DEBUG=true\n"),
        (".gitignore", b".env\n"),
        (".env", b"DEBUG=true\n"),
    ]);
    let (report, _) = json_report(dir.path(), &["."]);
    let paths: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, [".env"]);
    let (report, code) = json_report(dir.path(), &[".", "--respect-gitignore"]);
    assert_eq!(
        (report["summary"]["files_checked"].as_u64(), code),
        (Some(0), 0)
    );
}

#[test]
fn sshd_include_loops_garbage_and_special_files_do_not_stop_the_scan() {
    let dir = tree(&[
        (
            "etc/ssh/sshd_config",
            b"Include sshd_config\nInclude sshd_config.d/*\nBanner \"unterminated\nMatch\nPermitRootLogin yes\n\xff\xfe=\n",
        ),
        (
            "etc/ssh/sshd_config.d/a.conf",
            b"Include /etc/ssh/sshd_config.d/b.conf\nX11Forwarding yes\n",
        ),
        (
            "etc/ssh/sshd_config.d/b.conf",
            b"Include /etc/ssh/sshd_config.d/a.conf\nPermitEmptyPasswords yes\n",
        ),
        ("etc/ssh/sshd_config.d/sub/c.conf", b"MaxAuthTries 1\n"),
    ]);
    // A FIFO that a careless reader would block on forever.
    let fifo = dir.path().join("etc/ssh/sshd_config.d/zz-fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let (report, code) = json_report(dir.path(), &["etc/ssh/sshd_config"]);
    assert_eq!(code, 1);
    let rules = active_rules(&report);
    for expected in ["PF001", "SSH001", "SSH005", "SSH012"] {
        assert!(
            rules.contains(&expected.to_owned()),
            "{expected} in {rules:?}"
        );
    }
    // The directory `sub` is not a file; `MaxAuthTries 1` is never read, so the default 6 is.
    assert!(rules.contains(&"SSH013".to_owned()), "{rules:?}");
}

#[test]
fn sshd_includes_that_include_each_other_stop_quickly() {
    let files: Vec<(String, Vec<u8>)> = (0..12)
        .map(|i| {
            (
                format!("etc/ssh/sshd_config.d/{i:02}.conf"),
                format!("Include /etc/ssh/sshd_config.d/*.conf\nMaxSessions {i}\n").into_bytes(),
            )
        })
        .chain(std::iter::once((
            "etc/ssh/sshd_config".to_owned(),
            b"Include sshd_config.d/*.conf\n".to_vec(),
        )))
        .collect();
    let borrowed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_slice()))
        .collect();
    let dir = tree(&borrowed);
    let (report, _) = json_report(dir.path(), &["."]);
    assert_eq!(report["summary"]["files_checked"], 13);
}

/// Fixture texts of the host service formats, cut, spliced and sprinkled with odd bytes by a
/// fixed pseudo-random sequence, scanned at once: every file is parsed and every rule runs,
/// and the scan ends normally with a JSON report.
#[test]
fn mangled_host_service_files_never_stop_the_scan() {
    let sources: &[(&str, &str)] = &[
        ("firewall", "fail-verbose.ufw-status.txt"),
        ("firewall", "fail-open-host.rules.v4"),
        ("firewall", "fail-s0-guide.user.rules"),
        ("postgres", "fail-s3-guide.postgresql.conf"),
        ("postgres", "fail-tutorial.pg_hba.conf"),
        ("redis", "fail-tutorial.redis.conf"),
        ("fail2ban", "fail-copied.jail.local"),
        ("logrotate", "fail-careless.logrotate"),
    ];
    const ODD: &[&[u8]] = &[
        b"\xff\xfe",
        b"\"",
        b"'",
        b"{",
        b"}",
        b"[",
        b"]",
        b"\\",
        b"#",
        b";",
        b"=",
        b"\n",
        b"\r\n",
        b"\t",
        b" ",
        b":",
        b"/",
        b"-A",
        b"!",
        "é€".as_bytes(),
        b"(v6)",
        b"ALLOW",
        b"\\x",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n.max(1) as u64) as usize
    };
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for (i, (folder, name)) in sources.iter().enumerate() {
        let text = std::fs::read(common::root().join("fixtures").join(folder).join(name))
            .expect("fixture");
        for round in 0..25 {
            let mut bytes = text.clone();
            for _ in 0..=next(6) {
                let at = next(bytes.len() + 1);
                match next(3) {
                    0 => bytes.truncate(at),
                    1 => {
                        let odd = ODD[next(ODD.len())];
                        bytes.splice(at..at, odd.iter().copied());
                    }
                    _ => {
                        let end = (at + next(40)).min(bytes.len());
                        bytes.drain(at..end);
                    }
                }
            }
            files.push((format!("t{i}-{round}/{name}"), bytes));
        }
    }
    files.push(("huge/redis.conf".into(), b"bind ".repeat(200_000)));
    files.push((
        "huge/pg_hba.conf".into(),
        b"host all all \\\n".repeat(50_000),
    ));
    let borrowed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    let dir = tree(&borrowed);
    let (report, code) = json_report(dir.path(), &["."]);
    assert!(code == 0 || code == 1, "exit {code}");
    let checked = report["summary"]["files_checked"].as_u64().expect("count");
    assert!(checked >= 190, "only {checked} files checked");
}

#[test]
fn broken_node_files_are_parse_errors_with_locations_and_the_rest_is_still_checked() {
    let deep = format!("{{\"scripts\": {}", "[".repeat(3_000));
    let dir = tree(&[
        (
            "api/package.json",
            b"{\n  \"scripts\": {\n    \"start\": \"nodemon server.js\",\n  \"oops\n}\n" as &[u8],
        ),
        ("deep/package.json", deep.as_bytes()),
        (
            "api/server.js",
            b"const express = require('express');\nconst app = express(;\napp.listen(3000, '0.0.0.0');\n",
        ),
        ("api/ecosystem.config.js", b"module.exports = { apps: [ { watch: true, "),
        ("nest/src/main.ts", b"import { NestFactory } from '@nestjs/core';\n\xff\xfe const x: = ;\n"),
    ]);
    let (report, _) = json_report(dir.path(), &["."]);
    let rules = active_rules(&report);
    for rule in ["PF001", "NODE001", "NODE015"] {
        assert!(rules.iter().any(|r| r == rule), "{rule} missing: {rules:?}");
    }
    let syntax = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "PF001" && f["location"]["path"] == "api/server.js")
        .expect("server.js syntax error");
    assert_eq!(syntax["location"]["start_line"], 2, "{syntax}");
}

/// The PF001 findings of a report whose message contains `text`, as (path, line).
fn parse_errors_saying(report: &serde_json::Value, text: &str) -> Vec<(String, u64)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["message"].as_str().unwrap().contains(text))
        .map(|f| {
            (
                f["location"]["path"].as_str().unwrap().to_owned(),
                f["location"]["start_line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn nginx_blocks_nested_thousands_deep_are_cut_off_with_one_error() {
    let levels = 15_000;
    let deep = format!(
        "http {{\nserver {{\n{}{}}}\n}}\n",
        "location / {\n".repeat(levels),
        "}\n".repeat(levels)
    );
    // Each file 150 levels deep, the first including the second at its bottom: 300 levels
    // once expanded.
    let nest = |inner: &str| {
        format!(
            "{}{inner}\n{}",
            "location / {\n".repeat(150),
            "}\n".repeat(150)
        )
    };
    let first = nest("include second.conf;");
    let second = nest("return 200;");
    let dir = tree(&[
        ("deep/nginx.conf", deep.as_bytes()),
        (
            "chain/nginx.conf",
            b"http {\n  server {\n    include first.conf;\n  }\n}\n",
        ),
        ("chain/first.conf", first.as_bytes()),
        ("chain/second.conf", second.as_bytes()),
    ]);
    let (report, code) = json_report(dir.path(), &["."]);
    assert!(code == 0 || code == 1, "exit code {code}");
    let pf001: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "PF001")
        .collect();
    assert_eq!(pf001.len(), 1, "{pf001:?}");
    // `http` and `server` are two levels: the 199th `location` opens the 201st block.
    assert_eq!(
        parse_errors_saying(&report, "more than 200 levels deep"),
        [
            ("chain/first.conf".to_owned(), 151),
            ("deep/nginx.conf".to_owned(), 201)
        ]
    );
    // The include is not followed, and that is a finding of its own at the include.
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule_id"] == "NGX026"
                && f["location"]["path"] == "chain/first.conf"
                && f["location"]["start_line"] == 151),
        "{report}"
    );
    // The levels that were read are still checked.
    assert!(active_rules(&report).contains(&"NGX001".to_owned()));
}

#[test]
fn an_env_file_of_forty_thousand_duplicates_gets_the_findings_a_short_one_does() {
    let findings = |lines: usize| {
        let dir = tree(&[(".env", "A=1\n".repeat(lines).as_bytes())]);
        let (report, code) = json_report(dir.path(), &["."]);
        assert!(code == 0 || code == 1, "exit code {code}");
        let findings: Vec<serde_json::Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                serde_json::json!([
                    f["rule_id"],
                    f["location"],
                    f["message"],
                    f["related"],
                    f["fingerprint"]
                ])
            })
            .collect();
        findings
    };
    let short = findings(3);
    let long = findings(40_000);
    assert_eq!(short.len(), 2, "{short:?}");
    // One rule reports at most 100 findings in one file, the last naming how many more.
    assert_eq!(long.len(), 100);
    assert_eq!(long[..2], short[..]);
    let last = &long[99];
    assert_eq!(last[0], "ENV031");
    assert_eq!(last[1]["start_line"], 101);
    let message = last[2].as_str().unwrap();
    assert!(message.contains("line 100"), "{last}");
    assert!(
        message.contains("(39899 more findings of this rule"),
        "{last}"
    );
}

/// A unit of 40,000 `Environment=` lines (the attack took 62 s): each line is judged once,
/// one rule reports 100 of its secrets and counts the rest, the unit's other findings are a
/// short unit's, and no secret is shown.
#[test]
fn a_unit_of_forty_thousand_environment_lines_gets_the_findings_a_short_one_does() {
    let counts = |secrets: usize| {
        let mut unit = String::from("[Unit]\nDescription=x\n[Service]\nExecStart=/usr/bin/app\n");
        for i in 0..secrets {
            unit += &format!("Environment=API_TOKEN_{i}=Zq8vN2pL7xR4tW9mK3jH{i:05}\n");
        }
        unit += "[Install]\nWantedBy=multi-user.target\n";
        let dir = tree(&[("app.service", unit.as_bytes())]);
        let (report, code) = json_report(dir.path(), &["."]);
        assert_eq!(code, 1);
        assert!(!report.to_string().contains("Zq8vN2pL7xR4tW9mK3jH"));
        let mut counts = std::collections::BTreeMap::new();
        for (rule, _) in common::rule_messages(&report) {
            *counts.entry(rule.to_owned()).or_insert(0) += 1;
        }
        let last_sys002 = common::rule_messages(&report)
            .into_iter()
            .filter(|(rule, _)| *rule == "SYS002")
            .map(|(_, message)| message.to_owned())
            .next_back();
        (counts, last_sys002)
    };
    let (mut short, _) = counts(2);
    let (long, last) = counts(40_000);
    assert_eq!(short.get("SYS002"), Some(&2), "{short:?}");
    assert_eq!(long.get("SYS002"), Some(&100), "{long:?}");
    short.insert("SYS002".into(), 100);
    assert_eq!(long, short);
    let last = last.expect("SYS002");
    assert!(last.contains("(39900 more findings of this rule"), "{last}");
}

/// A 43-line settings module that doubles a string forty times asked for a terabyte; the
/// evaluator's budgets make the value unknown instead, reported like any unknown setting.
#[test]
fn django_settings_doubling_a_string_forty_times_is_an_unknown_value_not_a_crash() {
    let settings = format!(
        "DEBUG = False\ns = 'x'\n{}SECRET_KEY = s\n",
        "s = s + s\n".repeat(40)
    );
    let manage = "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'settings')\n";
    let dir = tree(&[
        ("manage.py", manage.as_bytes()),
        ("settings.py", settings.as_bytes()),
    ]);
    let (report, code) = json_report(dir.path(), &["."]);
    assert!(code == 0 || code == 1, "exit {code}: {report}");
    let unknown = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "DJ008")
        .unwrap_or_else(|| panic!("no finding on the unknown SECRET_KEY: {report}"));
    assert!(unknown["location"]["path"]
        .as_str()
        .unwrap()
        .ends_with("settings.py"));
    assert_eq!(unknown["location"]["start_line"], 43);
    let message = unknown["message"].as_str().unwrap();
    assert!(
        message.contains("SECRET_KEY") && message.contains("too large"),
        "{message}"
    );
}

/// Includes that fan out: twelve folders of four files, each including every file of the
/// next folder, would expand to 4^11 copies of the last file (the attack ran out of 8 GB).
/// The expansion stops at a budget, says so at the `include`, and the rest is still judged.
#[test]
fn nginx_includes_that_fan_out_stop_at_a_budget() {
    let dir = tempfile::tempdir().expect("tempdir");
    for level in 0..12 {
        let folder = dir.path().join(format!("l{level}"));
        std::fs::create_dir_all(&folder).expect("mkdir");
        for file in 0..4 {
            let body = if level < 11 {
                format!("include l{}/*.conf;\n", level + 1)
            } else {
                "add_header X-Level-Eleven 1;\n".to_owned()
            };
            std::fs::write(folder.join(format!("f{file}.conf")), body).expect("write");
        }
    }
    std::fs::write(
        dir.path().join("nginx.conf"),
        "http {\n  include l0/*.conf;\n  server {\n    listen 80;\n    server_tokens on;\n  }\n}\n",
    )
    .expect("write");
    let output = preflight_in(dir.path())
        .args(["check", ".", "--format", "json"])
        .output()
        .expect("runs");
    assert!(matches!(output.status.code(), Some(0 | 1)), "{output:?}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let findings = report["findings"].as_array().expect("findings");
    // Its own rule, not "broken include": the configuration may be valid.
    assert!(
        findings.iter().any(|f| f["rule_id"] == "NGX026"
            && f["message"]
                .as_str()
                .unwrap_or("")
                .contains("includes that fan out")),
        "{report}"
    );
    // What could be read is still judged: the server block's own finding is there.
    assert!(
        findings
            .iter()
            .any(|f| f["location"]["path"] == "nginx.conf" && f["rule_id"] != "PF001"),
        "{report}"
    );
}

/// A server file padded with text tree-sitter's error recovery chokes on (the java_script
/// fuzz target's 256 KiB of backslash-continued lines): the parser gives up at its limit
/// (a quarter second plus a second per MiB), and the file is reported as unparsed, not
/// silently left out as "not a server file", which would hide its findings.
#[test]
fn a_server_file_the_parser_gives_up_on_is_reported_not_dropped() {
    let text = format!(
        "const express = require('express');\nconst app = express();\napp.listen(3000);\n{}",
        "a \\\n".repeat(65_000)
    );
    let dir = tree(&[("server.js", text.as_bytes())]);
    let (report, _) = json_report(dir.path(), &[".", "--fail-on", "never"]);
    assert_eq!(report["summary"]["files_checked"], 1, "{report}");
    let unparsed = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "PF001")
        .unwrap_or_else(|| panic!("no PF001: {report}"));
    assert!(
        unparsed["message"]
            .as_str()
            .unwrap()
            .contains("parsing took too long"),
        "{unparsed}"
    );
}
