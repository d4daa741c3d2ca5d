//! The command line end to end: every output format and every exit code.

use crate::common::{self, active_rules, json_report, preflight, preflight_in, tree};
use predicates::prelude::*;

#[test]
fn example_shop_fails_with_a_human_report() {
    preflight()
        .args(["check", "examples/insecure-shop"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("critical[ENV010]"))
        .stdout(predicate::str::contains(
            "--> examples/insecure-shop/.env.production:",
        ))
        .stdout(predicate::str::contains("= help:"))
        .stdout(
            predicate::str::is_match(r"Found \d+ findings \(.*critical.*\) in 7 files checked\.")
                .unwrap(),
        );
}

#[test]
fn clean_tree_exits_zero() {
    let dir = tree(&[(
        ".env",
        b"NODE_ENV=production\nJWT_SECRET=Zq8vN2pL7xR4tW9mK3jH6gF1dS5aB0cEy7Ut\n",
    )]);
    preflight_in(dir.path())
        .args(["check", "."])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No findings in 1 file checked."));
}

#[test]
fn fail_on_sets_the_gate() {
    let dir = tree(&[(".env", b"DEBUG=true\n")]);
    let check = |gate: &str| {
        preflight_in(dir.path())
            .args(["check", ".", "--fail-on", gate])
            .assert()
    };
    check("critical").code(0);
    check("high").code(1);
    check("never").code(0);
    preflight_in(dir.path())
        .args(["check", "."])
        .assert()
        .code(1);
}

#[test]
fn quiet_prints_only_the_summary() {
    preflight()
        .args(["check", "examples/insecure-shop", "--quiet"])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("Found "))
        .stdout(predicate::str::contains("-->").not());
}

#[test]
fn usage_and_configuration_errors_exit_two_with_one_line() {
    let one_error_line = predicate::str::is_match(r"^error: [^\n]+\n$").unwrap();
    preflight()
        .args(["check", "does/not/exist"])
        .assert()
        .code(2)
        .stderr(one_error_line.clone());
    preflight()
        .args(["check", ".", "--select", "NOPE"])
        .assert()
        .code(2)
        .stderr(one_error_line.clone());
    preflight()
        .args(["explain", "NOPE"])
        .assert()
        .code(2)
        .stderr(one_error_line.clone());
    // What clap refuses is one line too, naming the help to read.
    for args in [
        &["check", "--format", "xml"][..],
        &["check", "--bogus"],
        &["chek"],
    ] {
        preflight()
            .args(args)
            .assert()
            .code(2)
            .stderr(one_error_line.clone())
            .stderr(predicate::str::contains("--help')"));
    }
    let dir = tree(&[
        ("preflight.toml", b"fail_on = \"loud\"\n"),
        (".env", b"A=1\n"),
    ]);
    preflight_in(dir.path())
        .args(["check", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::is_match(r"^error: .*preflight.toml:1:11: [^\n]+\n$").unwrap());
    preflight()
        .args(["check", ".", "--config", "missing.toml"])
        .assert()
        .code(2)
        .stderr(one_error_line);
}

#[test]
fn rules_lists_the_catalog_and_explain_documents_a_rule() {
    preflight()
        .arg("rules")
        .assert()
        .success()
        .stdout(predicate::str::contains("ENV010"))
        .stdout(predicate::str::contains("PF001"));
    for id in [
        "ENV010",
        "env-placeholder-secret",
        "env010",
        "SSH003",
        "sshd-match-reenables-login",
    ] {
        preflight()
            .args(["explain", id])
            .assert()
            .success()
            .stdout(predicate::str::contains("## Why it matters"))
            .stdout(predicate::str::contains("## How to fix it"))
            .stdout(predicate::str::contains("## References"));
    }
}

#[test]
fn json_report_has_documented_fields() {
    let (report, code) = json_report(&common::root(), &["examples/insecure-shop"]);
    assert_eq!(code, 1);
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["tool"]["name"], "preflight");
    assert_eq!(report["summary"]["files_checked"], 7);
    let finding = &report["findings"][0];
    for field in [
        "rule_id",
        "rule_name",
        "title",
        "severity",
        "message",
        "location",
        "snippet",
        "fingerprint",
        "related",
    ] {
        assert!(!finding[field].is_null(), "missing {field}");
    }
    for field in [
        "path",
        "start_line",
        "start_column",
        "end_line",
        "end_column",
    ] {
        assert!(
            finding["location"][field].is_number() || finding["location"][field].is_string(),
            "{field}"
        );
    }
    let rules = active_rules(&report);
    for expected in [
        "ENV001", "ENV002", "ENV004", "ENV010", "ENV011", "ENV012", "ENV013", "ENV014", "ENV020",
        "ENV021", "ENV022", "ENV031", "ENV032", "ENV033",
    ] {
        assert!(
            rules.iter().any(|r| r == expected),
            "{expected} not reported: {rules:?}"
        );
    }
}

#[test]
fn github_format_prints_workflow_commands_most_severe_first() {
    let output = preflight()
        .args(["check", "examples/insecure-shop", "--format", "github"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("::error file=examples/insecure-shop/.env.production,line="),
        "{}",
        lines[0]
    );
    // Within GitHub's limits of 10 annotations per kind and step; the rest are plain log
    // lines, announced by one final notice (the example has more than 10 errors).
    for kind in ["::error ", "::warning ", "::notice "] {
        assert!(lines.iter().filter(|l| l.starts_with(kind)).count() <= 10);
    }
    let plain = lines.iter().filter(|l| !l.starts_with("::")).count();
    assert!(plain > 0, "{text}");
    let last = lines.last().unwrap();
    assert!(
        last.starts_with(&format!("::notice title=preflight::{plain} more findings")),
        "{last}"
    );
}

#[test]
fn output_file_receives_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    preflight()
        .args([
            "check",
            "examples/insecure-shop",
            "--format",
            "json",
            "--output",
        ])
        .arg(&out)
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty());
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap();
    assert!(report["summary"]["findings"].as_u64().unwrap() > 5);
}

#[test]
fn select_and_ignore_filter_rules() {
    let (report, _) = json_report(
        &common::root(),
        &[
            "examples/insecure-shop",
            "--select",
            "ENV01",
            "--ignore",
            "ENV010",
        ],
    );
    let rules = active_rules(&report);
    assert!(!rules.is_empty());
    assert!(
        rules
            .iter()
            .all(|r| r.starts_with("ENV01") && r != "ENV010"),
        "{rules:?}"
    );
}

#[test]
fn config_overrides_severity_disables_rules_and_excludes_paths() {
    let dir = tree(&[
        (".env", b"DEBUG=true\nexport A=1\n"),
        ("old/.env", b"NODE_ENV=development\n"),
        (
            "preflight.toml",
            b"exclude = [\"old\"]\n[rules.ENV001]\nseverity = \"low\"\n[rules.env-export-prefix]\nenabled = false\n",
        ),
    ]);
    let (report, code) = json_report(dir.path(), &["."]);
    assert_eq!(
        code, 0,
        "ENV001 lowered to low no longer fails the default gate"
    );
    assert_eq!(active_rules(&report), ["ENV001"]);
    assert_eq!(report["findings"][0]["severity"], "low");
    // Every output names the configuration and what it relaxed: a pull request may bring
    // its own.
    let configuration = &report["configuration"];
    assert_eq!(configuration["file"], "preflight.toml");
    assert_eq!(configuration["disabled"], serde_json::json!(["ENV033"]));
    assert_eq!(
        configuration["lowered"],
        serde_json::json!([{"rule": "ENV001", "from": "high", "to": "low"}])
    );
    assert_eq!(configuration["exclude"], serde_json::json!(["old"]));
    let summary =
        "configuration preflight.toml: disables ENV033; lowers ENV001 high→low; excludes old";
    for format in [
        "human",
        "markdown",
        "github",
        "junit",
        "codequality",
        "html",
        "sarif",
    ] {
        let output = preflight_in(dir.path())
            .args(["check", ".", "--format", format])
            .output()
            .expect("runs");
        let stdout = String::from_utf8(output.stdout).expect("UTF-8");
        if format == "sarif" {
            let sarif: serde_json::Value = serde_json::from_str(&stdout).expect("SARIF");
            assert_eq!(
                sarif["runs"][0]["invocations"][0]["properties"]["configuration"],
                *configuration
            );
        } else {
            assert!(stdout.contains(summary), "{format}: {stdout}");
        }
    }
}

#[test]
fn inline_suppression_is_reported_as_suppressed() {
    let dir = tree(&[(
        ".env",
        b"DEBUG=true # preflight: ignore[ENV001] internal demo host\n",
    )]);
    let (report, code) = json_report(dir.path(), &["."]);
    assert_eq!(code, 0);
    assert_eq!(report["summary"]["suppressed"], 1);
    assert_eq!(
        report["findings"][0]["suppression"]["reason"],
        "internal demo host"
    );
    let output = preflight_in(dir.path())
        .args(["check", ".", "--format", "sarif"])
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        result["suppressions"][0]["justification"],
        "internal demo host"
    );
}

#[test]
fn env_example_files_are_not_judged_for_placeholders() {
    let dir = tree(&[(
        ".env.example",
        b"JWT_SECRET=CHANGE_ME\nNODE_ENV=development\n",
    )]);
    let (report, code) = json_report(dir.path(), &["."]);
    assert_eq!(code, 0);
    assert!(active_rules(&report).is_empty());
}

#[test]
fn user_policy_files_add_declarative_rules_that_explain_and_report() {
    let policy = br#"
[[rule]]
id = "ACME001"
name = "acme-experimental-flag"
title = "Experimental feature enabled"
severity = "high"
targets = ["env"]
rationale = "Experimental features are not load-tested."
remediation = "Set the flag to false."
references = ["https://wiki.acme.example/flags"]
[rule.condition]
key = '^ACME_EXPERIMENTAL_.*$'
value_matches = '(?i)^(true|1)$'
message = "`{key}` enables an experimental feature; set `{key}=false`"
"#;
    let dir = tree(&[
        ("ops/acme.toml", policy),
        ("preflight.toml", b"policy_files = [\"ops/acme.toml\"]\n"),
        (
            ".env",
            b"ACME_EXPERIMENTAL_SEARCH=true\nACME_EXPERIMENTAL_CART=false\n",
        ),
    ]);
    let (report, code) = json_report(dir.path(), &["."]);
    assert_eq!(code, 1);
    assert_eq!(active_rules(&report), ["ACME001"]);
    assert_eq!(
        report["findings"][0]["title"],
        "Experimental feature enabled"
    );
    preflight_in(dir.path())
        .args(["explain", "ACME001"])
        .assert()
        .success()
        .stdout(predicate::str::contains("ops/acme.toml"));

    let broken = tree(&[
        ("bad.toml", b"[[rule]]\nid = \"X1\"\nname = \"x\"\ntitle = \"t\"\nseverity = \"high\"\ntargets = [\"env\"]\nrationale = \"r\"\nremediation = \"r\"\ncheck = \"no-such-check\"\n"),
        ("preflight.toml", b"policy_files = [\"bad.toml\"]\n"),
    ]);
    preflight_in(broken.path())
        .args(["check", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no built-in check named `no-such-check`",
        ));
}

/// Runs preflight on a real pseudo-terminal (util-linux `script`), where colours are on
/// unless `--no-color` or `NO_COLOR` say otherwise.
fn on_a_terminal(env: &str, flags: &str) -> String {
    let binary = assert_cmd::cargo::cargo_bin("preflight");
    let command = format!(
        "{env} {} check {flags} examples/insecure-shop",
        binary.display()
    );
    let output = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(common::root())
        .env_remove("NO_COLOR")
        .output()
        .expect("script(1) runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
#[cfg_attr(
    not(test_tool = "script"),
    ignore = "needs script for a pseudo-terminal (apt-get install bsdutils)"
)]
fn colours_on_a_terminal_unless_switched_off() {
    let escape = "\u{1b}[";
    assert!(
        on_a_terminal("", "").contains(escape),
        "colours expected on a terminal"
    );
    assert!(!on_a_terminal("env NO_COLOR=1", "").contains(escape));
    assert!(!on_a_terminal("", "--no-color").contains(escape));
    assert!(on_a_terminal("", "--no-color").contains("critical[ENV010]"));
}

#[test]
fn the_report_file_name_chooses_the_format_unless_format_is_given() {
    let dir = tree(&[(".env", b"DEBUG=true\n")]);
    for (name, starts_with) in [
        ("out.sarif", "{"),
        ("out.json", "{"),
        ("summary.md", "#"),
        ("report.txt", "high[ENV001]"),
    ] {
        preflight_in(dir.path())
            .args(["check", ".", "--no-color", "-o", name])
            .assert()
            .code(1);
        let text = std::fs::read_to_string(dir.path().join(name)).expect("written");
        assert!(text.trim_start().starts_with(starts_with), "{name}: {text}");
    }
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.sarif")).unwrap())
            .expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.json")).unwrap())
            .expect("JSON");
    assert!(json["findings"].is_array());
    // `--format` wins over the name.
    preflight_in(dir.path())
        .args(["check", ".", "--format", "json", "-o", "forced.sarif"])
        .assert()
        .code(1);
    let forced: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("forced.sarif")).unwrap())
            .expect("JSON");
    assert!(forced["findings"].is_array());
}

#[test]
fn fail_on_never_is_accepted_in_the_configuration_file() {
    let dir = tree(&[
        (".env", b"DEBUG=true\n"),
        ("preflight.toml", b"fail_on = \"never\"\n"),
    ]);
    preflight_in(dir.path())
        .args(["check", "."])
        .assert()
        .code(0);
    // The command line still decides over the file.
    preflight_in(dir.path())
        .args(["check", ".", "--fail-on", "high"])
        .assert()
        .code(1);
}

#[test]
fn nothing_to_check_says_what_preflight_reads_and_can_fail_the_gate() {
    let dir = tree(&[("src/main.rs", b"fn main() {}\n")]);
    preflight_in(dir.path())
        .args(["check", "."])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("0 files checked"))
        .stderr(predicate::str::contains("it reads .env files"));
    preflight_in(dir.path())
        .args(["check", ".", "--require-files"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--require-files"));
    // A tree with something to check is not affected.
    let with_env = tree(&[(".env", b"PORT=8080\n")]);
    preflight_in(with_env.path())
        .args(["check", ".", "--require-files"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("it reads").not());
    // Files found but none readable (here a relaxing `max_file_size`) is not "nothing here".
    let unreadable = tree(&[
        (".env", b"DEBUG=true\n"),
        ("preflight.toml", b"max_file_size = 1\n"),
    ]);
    preflight_in(unreadable.path())
        .args(["check", "."])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "none of the files found here could be checked",
        ))
        .stderr(predicate::str::contains("it reads").not());
    preflight_in(unreadable.path())
        .args(["check", ".", "--require-files"])
        .assert()
        .code(2);
}

#[test]
fn every_subcommand_has_a_manual_page_with_the_exit_codes() {
    let page = |args: &[&str]| {
        let output = preflight().arg("man").args(args).output().expect("runs");
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        String::from_utf8(output.stdout).expect("UTF-8")
    };
    let check = page(&["check"]);
    assert!(check.contains(".TH preflight-check 1"), "{check}");
    assert!(check.contains("\\-\\-require\\-files"), "{check}");
    assert!(check.contains(".SH \"EXIT STATUS\""), "{check}");
    assert!(page(&[]).contains("preflight\\-check(1)"));
    let dir = tempfile::tempdir().expect("tempdir");
    preflight()
        .args(["man", "--dir"])
        .arg(dir.path())
        .assert()
        .success();
    let mut written: Vec<String> = std::fs::read_dir(dir.path())
        .expect("pages")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    for name in [
        "preflight.1",
        "preflight-check.1",
        "preflight-explain.1",
        "preflight-rules.1",
    ] {
        assert!(written.contains(&name.to_owned()), "{written:?}");
    }
    preflight()
        .args(["man", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no manual page for `nope`"));
}

/// A long scan shows a progress line on a terminal (after 0 ms here, a second normally), and
/// clears it before the report; a pipe never sees it.
#[test]
#[cfg_attr(
    not(test_tool = "script"),
    ignore = "needs script for a pseudo-terminal (apt-get install bsdutils)"
)]
fn a_progress_line_shows_on_a_terminal_only() {
    let transcript = on_a_terminal("env -u CI PREFLIGHT_PROGRESS_AFTER_MS=0", "--no-color");
    assert!(transcript.contains("checking files… 0 s"), "{transcript}");
    assert!(transcript.contains("\r\u{1b}[2K"), "cleared: {transcript}");
    preflight()
        .args(["check", "examples/insecure-shop"])
        .env("PREFLIGHT_PROGRESS_AFTER_MS", "0")
        .env_remove("CI")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("checking files").not());
}

/// `init` cannot know which preflight repository and release a user wants: the workflow it
/// writes pins placeholders that fail loudly if left, and says so when written.
#[test]
fn init_writes_a_workflow_with_marked_placeholders_and_says_what_to_edit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let placeholder = "OWNER/preflight@0000000000000000000000000000000000000000 # vX.Y.Z";
    preflight_in(dir.path())
        .arg("init")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "wrote ./.github/workflows/preflight.yml",
        ))
        .stderr(predicate::str::contains(format!(
            "edit it before use: in `uses: {placeholder}` replace OWNER"
        )));
    let workflow = std::fs::read_to_string(dir.path().join(".github/workflows/preflight.yml"))
        .expect("workflow written");
    assert!(
        workflow.contains(&format!("      - uses: {placeholder}\n")),
        "{workflow}"
    );
    assert!(workflow.contains("# Written by `preflight init`. EDIT BEFORE USE"));
    // Run again: both files are kept, and there is nothing new to edit.
    preflight_in(dir.path())
        .arg("init")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "kept ./.github/workflows/preflight.yml",
        ))
        .stderr(predicate::str::contains("edit it before use").not());
}
