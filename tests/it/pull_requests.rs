//! The pull-request workflow around `preflight check`: baselines, `--changed-since` on real
//! git repositories, GitHub's annotation limits, and the CLI's helpers (`init`,
//! completions, man page, the pre-commit hook definition).

use crate::common::{self, active_rules, findings_at, git, json_report, preflight_in, root, tree};

const LEAKY: &[u8] = b"JWT_SECRET=changeme\nDEBUG=true\n";

#[test]
fn a_baseline_accepts_todays_findings_and_fails_only_on_new_ones() {
    let dir = tree(&[("app/.env.production", LEAKY)]);
    let baseline = dir.path().join("preflight-baseline.json");
    let written = preflight_in(dir.path())
        .args(["check", ".", "--write-baseline"])
        .arg(&baseline)
        .output()
        .expect("runs");
    assert_eq!(
        written.status.code(),
        Some(0),
        "writing a baseline is not a gate"
    );
    let text = std::fs::read_to_string(&baseline).expect("baseline written");
    assert!(
        !text.contains("changeme"),
        "a baseline must not hold secrets"
    );

    // Same tree, lines moved: nothing new, exit 0, the findings are counted as unchanged.
    std::fs::write(
        dir.path().join("app/.env.production"),
        b"# moved down\nPORT=1\nDEBUG=true\nJWT_SECRET=changeme\n",
    )
    .expect("write");
    let (report, code) = json_report(dir.path(), &[".", "--baseline", "preflight-baseline.json"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["summary"]["findings"], 0);
    assert_eq!(report["summary"]["baseline"]["unchanged"], 2);
    assert!(report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .all(|f| f["baseline"] == "unchanged"));

    // One fixed, one new: the new one fails the run, the fixed one is counted.
    std::fs::write(
        dir.path().join("app/.env.production"),
        b"JWT_SECRET=changeme\nNODE_ENV=development\n",
    )
    .expect("write");
    let (report, code) = json_report(dir.path(), &[".", "--baseline", "preflight-baseline.json"]);
    assert_eq!(code, 1);
    assert_eq!(active_rules(&report), ["ENV002"]);
    assert_eq!(report["summary"]["baseline"]["fixed"], 1);
    let human = preflight_in(dir.path())
        .args(["check", ".", "--baseline", "preflight-baseline.json"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("Baseline: 1 new, 1 unchanged (not shown), 1 fixed."),
        "{text}"
    );
    assert!(
        !text.contains("JWT_SECRET"),
        "baselined findings are not shown: {text}"
    );
}

#[test]
fn a_broken_baseline_is_a_usage_error_with_its_location() {
    let dir = tree(&[
        (".env", b"PORT=1\n"),
        ("base.json", b"{\"version\": 1, \"findings\": [}"),
    ]);
    let output = preflight_in(dir.path())
        .args(["check", ".", "--baseline", "base.json"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("base.json:1:"), "{stderr}");
}

#[test]
fn changed_since_reports_only_files_the_branch_touched() {
    let dir = tree(&[
        ("old/.env.production", LEAKY),
        ("new/.env.production", b"PORT=1\n"),
    ]);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "base"]);
    git(dir.path(), &["checkout", "-qb", "feature"]);
    std::fs::write(
        dir.path().join("new/.env.production"),
        b"PORT=1\nDEBUG=true\n",
    )
    .expect("write");
    git(dir.path(), &["commit", "-qam", "debug on"]);
    // Uncommitted and untracked files count too.
    std::fs::write(dir.path().join("scratch.env"), b"LOG_LEVEL=debug\n").expect("write");

    let (report, code) = json_report(
        dir.path(),
        &[
            ".",
            "--changed-since",
            "main",
            "--select",
            "ENV001,ENV004,ENV010",
        ],
    );
    let mut paths: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["location"]["path"].as_str().expect("path"))
        .collect();
    paths.sort_unstable();
    assert_eq!(paths, ["new/.env.production", "scratch.env"], "{report}");
    assert_eq!(code, 1);

    // Without the flag, the old file's findings are there.
    let (report, _) = json_report(dir.path(), &[".", "--select", "ENV001,ENV004,ENV010"]);
    assert!(report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .any(|f| f["location"]["path"] == "old/.env.production"));

    // A ref that does not exist is a usage error.
    let output = preflight_in(dir.path())
        .args(["check", ".", "--changed-since", "no-such-branch"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no-such-branch"));
}

#[test]
fn cross_file_findings_count_when_either_file_changed() {
    // ENV014 (one secret in two files) is evaluated over the whole tree and kept when the
    // changed file is its location or its related location.
    let secret = b"SESSION_SECRET=Zq8vN2pL7xR4tW9mK3jH6gF1dS5aB0cEy7Ut\n";
    let dir = tree(&[
        ("a/.env.production", secret),
        ("b/.env.production", b"PORT=1\n"),
    ]);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "base"]);
    std::fs::write(dir.path().join("b/.env.production"), secret).expect("write");
    let (report, _) = json_report(
        dir.path(),
        &[".", "--changed-since", "HEAD", "--select", "ENV014"],
    );
    assert_eq!(active_rules(&report), ["ENV014"], "{report}");
}

#[test]
fn github_annotations_stay_within_githubs_limits_most_severe_first() {
    let many: String = (0..25).map(|i| format!("DEBUG_{i}_DEBUG=true\n")).collect();
    let dir = tree(&[(".env", many.as_bytes())]);
    let output = preflight_in(dir.path())
        .args(["check", ".", "--format", "github", "--select", "ENV001"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&output.stdout);
    let errors = text.lines().filter(|l| l.starts_with("::error ")).count();
    assert_eq!(errors, 10, "{text}");
    let plain = text.lines().filter(|l| l.starts_with(".env:")).count();
    assert_eq!(plain, 15, "the rest stays in the log: {text}");
    let last = text.lines().last().expect("lines");
    assert!(
        last.starts_with("::notice title=preflight::15 more findings"),
        "{last}"
    );
}

#[test]
fn init_writes_a_config_and_workflow_that_work_and_keeps_existing_files() {
    let dir = tree(&[(".env", b"PORT=1\n")]);
    let output = preflight_in(dir.path()).arg("init").output().expect("runs");
    assert!(output.status.success());
    let config = dir.path().join("preflight.toml");
    let workflow = dir.path().join(".github/workflows/preflight.yml");
    assert!(config.is_file() && workflow.is_file());
    // The config it writes is valid: a check picks it up without complaint.
    let (_, code) = json_report(dir.path(), &["."]);
    assert_eq!(code, 0);

    std::fs::write(&config, "fail_on = \"low\"\n").expect("write");
    let output = preflight_in(dir.path()).arg("init").output().expect("runs");
    assert!(String::from_utf8_lossy(&output.stderr).contains("kept"));
    assert_eq!(
        std::fs::read_to_string(&config).expect("read"),
        "fail_on = \"low\"\n"
    );
    preflight_in(dir.path())
        .args(["init", "--force"])
        .assert()
        .success();
    assert_ne!(
        std::fs::read_to_string(&config).expect("read"),
        "fail_on = \"low\"\n"
    );
}

#[test]
fn completions_and_man_page_come_from_the_cli_definition() {
    let dir = tree(&[]);
    let bash = preflight_in(dir.path())
        .args(["completions", "bash"])
        .output()
        .expect("runs");
    let script = String::from_utf8_lossy(&bash.stdout);
    assert!(script.contains("--changed-since") && script.contains("--write-baseline"));
    let man = preflight_in(dir.path()).arg("man").output().expect("runs");
    let page = String::from_utf8_lossy(&man.stdout);
    assert!(
        page.starts_with(".ie") || page.contains(".TH preflight"),
        "{page}"
    );
    assert!(page.contains("check"));
}

#[test]
fn the_pre_commit_hook_selects_the_files_preflight_checks() {
    let hooks = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).expect("hooks");
    let pattern = hooks
        .lines()
        .find_map(|l| l.trim().strip_prefix("files: "))
        .expect("files pattern");
    let files = regex::Regex::new(pattern).expect("valid regex");
    // Every kind preflight reads, by the names projects give them: each must be one
    // preflight's own classifier takes, and the hook must pass it.
    let kinds = [
        ".env",
        "deploy/.env.production",
        "prod.env",
        "etc/nginx/nginx.conf",
        "etc/ssh/sshd_config",
        "etc/ssh/sshd_config.d/50-cloud.conf",
        "nginx/sites-available/shop",
        "Dockerfile",
        "docker/api.Dockerfile",
        "Containerfile",
        "docker-compose.yml",
        "compose.yaml",
        "deploy/docker-compose.prod.yml",
        "k8s/deployment.yaml",
        "deploy/k8s/ingress.yml",
        "shop/settings.py",
        "shop/settings/production.py",
        "server.js",
        "src/app.ts",
        "package.json",
        "etc/systemd/system/shop.service",
        "deploy/backup.timer",
        "etc/crontab",
        "etc/cron.d/backup",
        "deploy/crontab",
        "etc/logrotate.d/shop",
        "etc/fail2ban/jail.local",
        "etc/postgresql/16/main/pg_hba.conf",
        "etc/redis/redis.conf",
        "etc/ufw/user.rules",
        "etc/iptables/rules.v4",
        "etc/nftables.conf",
    ];
    let mut unread = Vec::new();
    for path in kinds {
        assert!(files.is_match(path), "the hook does not pass {path}");
        if preflight::document::classify(std::path::Path::new(path)).is_none() {
            unread.push(path);
        }
    }
    assert!(unread.is_empty(), "preflight does not read {unread:?}");
    for path in [
        "src/main.rs",
        "README.md",
        ".envrc",
        "Cargo.lock",
        "docs/logo.png",
    ] {
        assert!(!files.is_match(path), "{path}");
    }
}

#[test]
fn sarif_carries_the_baseline_state_and_still_validates() {
    let dir = tree(&[(".env.production", LEAKY)]);
    preflight_in(dir.path())
        .args(["check", ".", "--write-baseline", "base.json"])
        .assert()
        .success();
    std::fs::write(
        dir.path().join(".env.production"),
        b"JWT_SECRET=changeme\nNODE_ENV=test\n",
    )
    .expect("write");
    let output = preflight_in(dir.path())
        .args(["check", ".", "--baseline", "base.json", "--format", "sarif"])
        .output()
        .expect("runs");
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).expect("SARIF");
    common::assert_valid_sarif(&sarif);
    let states: Vec<(&str, &str)> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().expect("rule"),
                r["baselineState"].as_str().expect("state"),
            )
        })
        .collect();
    assert!(states.contains(&("ENV010", "unchanged")), "{states:?}");
    assert!(
        states.contains(&("ENV003", "new")) || states.contains(&("ENV002", "new")),
        "{states:?}"
    );
}

#[test]
fn a_pull_request_fails_only_on_what_it_introduces() {
    // main: a committed baseline of the findings the project lives with.
    let dir = tree(&[
        ("deploy/.env.production", LEAKY),
        ("deploy/other.env", b"PORT=1\n"),
    ]);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "project"]);
    preflight_in(dir.path())
        .args(["check", ".", "--write-baseline", ".preflight-baseline.json"])
        .assert()
        .success();
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "baseline"]);
    // A branch reorders the old file and breaks another one.
    git(dir.path(), &["checkout", "-qb", "feature"]);
    std::fs::write(
        dir.path().join("deploy/.env.production"),
        b"DEBUG=true\n\nJWT_SECRET=changeme\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("deploy/other.env"),
        b"PORT=1\nNODE_ENV=development\n",
    )
    .expect("write");
    git(dir.path(), &["commit", "-qam", "feature"]);
    let args = [
        ".",
        "--baseline",
        ".preflight-baseline.json",
        "--changed-since",
        "main",
    ];
    let (report, code) = json_report(dir.path(), &args);
    assert_eq!(code, 1);
    assert_eq!(active_rules(&report), ["ENV002"], "{report}");
    // DEBUG, JWT_SECRET and both files being committed (ENV015) were accepted on main.
    assert_eq!(report["summary"]["baseline"]["unchanged"], 4, "{report}");
    // Fixing it makes the pull request pass although the old findings remain.
    std::fs::write(
        dir.path().join("deploy/other.env"),
        b"PORT=1\nNODE_ENV=production\n",
    )
    .expect("write");
    git(dir.path(), &["commit", "-qam", "fix"]);
    let (report, code) = json_report(dir.path(), &args);
    assert_eq!(code, 0, "{report}");
}

#[test]
fn a_snapshot_manifest_in_the_tree_does_not_turn_the_scan_off() {
    // A pull request adds a host-snapshot manifest at the top of the repository: before,
    // `check .` judged the folder as an (empty) snapshot, "No findings in 0 files", exit 0.
    let dir = tree(&[
        (
            "manifest.json",
            br#"{"format": "preflight-host-snapshot", "host": "x", "collected_at": 0, "allowlist_version": 2, "location_prefix": "", "files": [], "unable_to_check": []}"#,
        ),
        (".env", b"DEBUG=true\nSESSION_SECRET=changeme\n"),
    ]);
    let (report, code) = json_report(dir.path(), &["."]);
    assert_eq!(code, 1, "{report}");
    assert!(
        report["summary"]["files_checked"].as_u64() >= Some(1),
        "{report}"
    );
    assert!(
        findings_at(&report)
            .iter()
            .any(|(rule, path, _)| rule == "ENV001" && path == ".env"),
        "{report}"
    );
    // The folder is named on the command line: a note says how to judge it as a snapshot.
    let output = preflight_in(dir.path())
        .args(["check", ".", "--quiet"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--snapshot"), "{stderr}");
}

/// A pull request controls file names and contents: a name holding a newline and workflow
/// commands, terminal escapes, a backtick and a backslash. GitHub output starts no command
/// of its own, human output and stderr carry no control character, the Markdown code span
/// holds, and the backslash stays in the location.
#[test]
fn hostile_file_names_and_contents_stay_data_in_every_output() {
    let hostile = "x\n::add-mask::shown\n::stop-commands::tok\u{1b}]0;title\u{7}`|b\\c";
    let many: String = (0..25).map(|i| format!("DEBUG_{i}_DEBUG=true\n")).collect();
    let dir = tree(&[
        (&format!("{hostile}/.env"), many.as_bytes()),
        ("app/.env", "DEBUG=true \u{1b}[2J\u{202E}\n".as_bytes()),
    ]);
    let run = |format: &str| {
        let output = preflight_in(dir.path())
            .args(["check", ".", "--format", format, "--fail-on", "never"])
            .output()
            .expect("runs");
        assert!(output.status.success(), "{format}");
        (
            String::from_utf8(output.stdout).expect("UTF-8"),
            String::from_utf8(output.stderr).expect("UTF-8"),
        )
    };
    let (github, stderr) = run("github");
    crate::common::assert_only_annotations(&github);
    crate::common::assert_only_annotations(&stderr);
    assert!(
        github.lines().any(|l| !l.starts_with("::")),
        "plain log lines are there too"
    );
    for format in ["human", "github", "markdown", "json", "sarif"] {
        let (stdout, stderr) = run(format);
        // JSON and SARIF are data (serde escapes control characters; a bidi mark is a
        // character like any other there); text formats show stand-ins.
        let forbidden: &[char] = if matches!(format, "json" | "sarif") {
            &['\u{1b}', '\u{7}']
        } else {
            &['\u{1b}', '\u{7}', '\u{202E}']
        };
        assert!(
            !stdout.contains(forbidden) && !stderr.contains('\u{1b}'),
            "{format} prints control characters"
        );
        if format == "human" {
            assert!(stdout.contains("␛]0;title␇`|b\\c/.env"), "{stdout}");
        }
        if format == "markdown" {
            let row = stdout
                .lines()
                .find(|l| l.contains("::add-mask::"))
                .expect("a row for the hostile file");
            assert!(
                row.contains("``x ::add-mask::shown ::stop-commands::tok␛]0;title␇`\\|b\\c/.env:"),
                "{row}"
            );
        }
        if format == "sarif" {
            // A backslash is part of the name, percent-encoded, not a separator.
            let sarif: serde_json::Value = serde_json::from_str(&stdout).expect("SARIF");
            assert!(
                sarif["runs"][0]["results"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(
                        |r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                            .as_str()
                            .is_some_and(|uri| uri.ends_with("%7Cb%5Cc/.env"))
                    ),
                "{stdout}"
            );
        }
        if format == "json" {
            let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
            assert!(report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["location"]["path"] == format!("{hostile}/.env")));
        }
    }
}

/// Links a pull request can add: folders outside the tree (`/proc` never ends, `/etc` and a
/// home folder are the machine's), a FIFO with a name of ours. None is read; each is a note.
#[cfg(unix)]
#[test]
fn links_out_of_the_tree_and_special_files_are_notes_not_reads() {
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        outside.path().join(".env"),
        "JWT_SECRET=qzoutside-secret-value\n",
    )
    .expect("write");
    let dir = tree(&[("app/.env", b"DEBUG=true\n")]);
    std::os::unix::fs::symlink("/proc", dir.path().join("proc")).expect("link");
    std::os::unix::fs::symlink(outside.path(), dir.path().join("home")).expect("link");
    std::os::unix::fs::symlink("app", dir.path().join("app-again")).expect("link");
    let fifo = dir.path().join("app/.env.production");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    // Devices never end: a `.env` that is `/dev/zero` would be read forever.
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("app/.env.staging")).expect("link");
    std::os::unix::fs::symlink("/dev/urandom", dir.path().join("x.env")).expect("link");
    let (report, _) = json_report(dir.path(), &["."]);
    let text = report.to_string();
    assert!(!text.contains("qzoutside"), "{text}");
    let notes = crate::common::notes(&report);
    for link in ["proc", "home"] {
        assert!(
            notes
                .iter()
                .any(|(p, m)| p == link && m.contains("outside the folders checked")),
            "{link}: {notes:?}"
        );
    }
    for special in ["app/.env.production", "app/.env.staging", "x.env"] {
        assert!(
            notes
                .iter()
                .any(|(p, m)| p == special && m.contains("not a regular file")),
            "{special}: {notes:?}"
        );
    }
    // A link that stays inside is walked.
    assert!(findings_at(&report)
        .iter()
        .any(|(_, path, _)| path == "app-again/.env"));
}

/// An nginx `include` of a path outside the tree told whether the file existed there ("does
/// not exist" only when absent). Both now read the same, and what the include may set is
/// not judged: NGX001 is "not evaluated" rather than passed.
#[cfg(unix)]
#[test]
fn an_nginx_include_outside_the_tree_tells_nothing_about_the_file() {
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(outside.path().join("exists.conf"), "server_tokens off;\n").expect("write");
    let report = |name: &str| {
        let include = outside.path().join(name);
        let conf = format!(
            "events {{}}\nhttp {{\n    server {{ listen 80; include {}; }}\n}}\n",
            include.display()
        );
        let dir = tree(&[("nginx.conf", conf.as_bytes())]);
        let (report, _) = json_report(dir.path(), &[".", "--results", "all"]);
        let ngx001 = report["results"]
            .as_array()
            .expect("results")
            .iter()
            .find(|r| r["rule_id"] == "NGX001")
            .expect("NGX001")["status"]
            .clone();
        assert_eq!(ngx001, "not_evaluated", "{name}");
        report.to_string().replace(name, "NAME")
    };
    assert_eq!(report("exists.conf"), report("absent.conf"));
}

/// Values a pull request or a saved snapshot controls reach GitHub output through other
/// paths than findings: a note on a file with a hostile name, a configuration error naming
/// a hostile rule id, a relaxing configuration's excluded pattern, a snapshot's host label
/// and file path. None starts a workflow command or writes a terminal escape.
#[test]
fn notes_configuration_and_snapshot_values_start_no_workflow_command() {
    let hostile = "x\n::add-mask::shown\n::stop-commands::tok\u{1b}]0;t\u{7}";
    let binary = format!("{hostile}/.env");
    let manifest = serde_json::json!({
        "format": "preflight-host-snapshot",
        "host": hostile,
        "collected_at": 0,
        "allowlist_version": 2,
        "location_prefix": format!("ssh://{hostile}"),
        "files": [{"path": "/srv/app/.env", "kind": "env"}],
        "unable_to_check": []
    })
    .to_string();
    // A JSON string is a TOML basic string too (`\n`, `\u001b`).
    let quoted = serde_json::to_string(hostile).expect("JSON");
    let disables = format!("[rules.{quoted}]\nenabled = false\n");
    let excludes = format!("exclude = [{quoted}]\n");
    // What is tried, the files of its tree, the arguments after `check`.
    type Case<'a> = (&'a str, &'a [(&'a str, &'a [u8])], &'a [&'a str]);
    let cases: [Case; 4] = [
        (
            "note",
            &[(&binary, b"A\0B\0"), ("app/.env", b"DEBUG=true\n")],
            &["."],
        ),
        (
            "configuration error",
            &[("preflight.toml", disables.as_bytes())],
            &["."],
        ),
        (
            "relaxing configuration",
            &[
                ("preflight.toml", excludes.as_bytes()),
                ("app/.env", b"DEBUG=true\n"),
            ],
            &["."],
        ),
        (
            "snapshot",
            &[
                ("snap/manifest.json", manifest.as_bytes()),
                ("snap/srv/app/.env", b"DEBUG=true\n"),
            ],
            &["--snapshot", "snap"],
        ),
    ];
    for (what, files, args) in cases {
        let dir = tree(files);
        for format in ["github", "human"] {
            let output = preflight_in(dir.path())
                .arg("check")
                .args(args)
                .args(["--format", format, "--fail-on", "never"])
                .output()
                .expect("runs");
            let stdout = String::from_utf8_lossy(&output.stdout);
            let stderr = String::from_utf8_lossy(&output.stderr);
            common::assert_only_annotations(&stdout);
            common::assert_only_annotations(&stderr);
            assert!(
                !stdout.contains('\u{1b}') && !stderr.contains('\u{1b}'),
                "{what}, {format}: {stdout}{stderr}"
            );
            assert!(
                stdout.contains("add-mask") || stderr.contains("add-mask"),
                "{what}, {format}: the value is shown, as data: {stdout}{stderr}"
            );
        }
    }
}
