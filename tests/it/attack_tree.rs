//! One tree holding every attack a pull request or a hostile host made on preflight (issue
//! "untrusted pull requests"), scanned at once: nothing outside the tree is read, no
//! planted secret reaches any output, no workflow command is started, every budget holds,
//! and what could be judged still is. The same tree is timed by `cargo bench --bench
//! attacks` (time and memory goals live there, not here).

use std::path::Path;

/// Text planted outside the tree, behind links and in the checkout's credentials: it must
/// appear in no output.
pub const CANARY: &str = "qzCANARYqz";

/// A file name that carries workflow commands, terminal escapes, a backtick and a backslash.
pub const HOSTILE_NAME: &str =
    "x\n::add-mask::shown\n::stop-commands::tok\u{1b}]0;title\u{7}`|b\\c";

fn write(root: &Path, path: &str, contents: &[u8]) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, contents).expect("write");
}

#[cfg(unix)]
fn link(target: impl AsRef<Path>, root: &Path, name: &str) {
    let at = root.join(name);
    std::fs::create_dir_all(at.parent().expect("parent")).expect("mkdir");
    std::os::unix::fs::symlink(target, at).expect("symlink");
}

/// Writes the attacks under `root` and the files they reach for under `outside` (a folder
/// that is not scanned). Each attack has its own folder, so their findings do not mix.
#[cfg(unix)]
pub fn plant(root: &Path, outside: &Path) {
    // A snapshot manifest at the top used to turn `check .` into "0 files checked".
    write(
        root,
        "manifest.json",
        br#"{"format": "preflight-host-snapshot", "host": "x", "collected_at": 0, "allowlist_version": 2, "location_prefix": "", "files": [], "unable_to_check": []}"#,
    );
    // A configuration that relaxes the gate: allowed, but every output must say so.
    write(
        root,
        "preflight.toml",
        b"[rules.ENV001]\nseverity = \"low\"\n[rules.env-export-prefix]\nenabled = false\n",
    );

    // Links out of the tree, and into the checkout's credentials.
    write(
        outside,
        "secret.env",
        format!("JWT_SECRET={CANARY}-outside\n").as_bytes(),
    );
    write(
        outside,
        "id_rsa",
        format!("-----BEGIN OPENSSH PRIVATE KEY-----\n{CANARY}\n").as_bytes(),
    );
    write(
        root,
        ".git/config",
        format!("[http \"https://github.com/\"]\n\textraheader = AUTHORIZATION: basic {CANARY}\n")
            .as_bytes(),
    );
    link("../.git/config", root, "links/.env");
    link(outside.join("secret.env"), root, "links/app/.env");
    link(outside.join("id_rsa"), root, "links/x.env");
    link("/proc/self/pagemap", root, "links/pagemap.env");
    link("/proc", root, "links/proc");
    link("/sys", root, "links/sys");
    link(outside, root, "links/home");
    link("app", root, "links/app-again");
    let fifo = root.join("links/app/.env.production");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    write(
        root,
        "compose/docker-compose.yml",
        format!(
            "services:\n  web:\n    image: web:1.0\n    restart: always\n    env_file:\n      - {}\n      - ../../../../../../../etc/passwd\n",
            outside.join("secret.env").display()
        )
        .as_bytes(),
    );
    // nginx includes outside the tree: no existence oracle, nothing read.
    write(
        root,
        "oracle/nginx.conf",
        format!(
            "http {{\n  include {};\n  include /etc/shadow;\n  server {{\n    listen 80;\n  }}\n}}\n",
            outside.join("secret.env").display()
        )
        .as_bytes(),
    );

    // Names and contents that try to become output syntax.
    let many: String = (0..25).map(|i| format!("DEBUG_{i}_DEBUG=true\n")).collect();
    write(root, &format!("names/{HOSTILE_NAME}/.env"), many.as_bytes());
    write(
        root,
        "names/app/.env",
        "DEBUG=true \u{1b}[2J\u{202E}\n".as_bytes(),
    );

    // Budgets.
    std::fs::create_dir_all(root.join("budgets")).expect("mkdir");
    std::fs::File::create(root.join("budgets/big.env"))
        .expect("create")
        .set_len(3 << 30)
        .expect("a 3 GB sparse file");
    write(
        root,
        "budgets/django/settings.py",
        format!(
            "DEBUG = False\ns = 'x'\n{}SECRET_KEY = s\n",
            "s = s + s\n".repeat(40)
        )
        .as_bytes(),
    );
    write(
        root,
        "budgets/django/manage.py",
        b"import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'settings')\n",
    );
    for level in 0..12 {
        for file in 0..4 {
            let body = if level < 11 {
                format!("include l{}/*.conf;\n", level + 1)
            } else {
                "add_header X-Level-Eleven 1;\n".to_owned()
            };
            write(
                root,
                &format!("budgets/fanout/l{level}/f{file}.conf"),
                body.as_bytes(),
            );
        }
    }
    write(
        root,
        "budgets/fanout/nginx.conf",
        b"http {\n  include l0/*.conf;\n  server {\n    listen 80;\n  }\n}\n",
    );
    let levels = 15_000;
    write(
        root,
        "budgets/deep/nginx.conf",
        format!(
            "http {{\nserver {{\n{}{}}}\n}}\n",
            "location / {\n".repeat(levels),
            "}\n".repeat(levels)
        )
        .as_bytes(),
    );
    write(root, "budgets/dup/.env", "A=1\n".repeat(40_000).as_bytes());
    write(
        root,
        "budgets/unit/app.service",
        format!(
            "[Service]\nExecStart=/usr/bin/app\n{}",
            "Environment=A=1\n".repeat(40_000)
        )
        .as_bytes(),
    );
    // Large but clean, but for the last block: the cost is in reading, not in reporting.
    let blocks: String = (0..40_000)
        .map(|i| {
            let keep = if i == 39_999 { 0 } else { 7 };
            format!("/var/log/app{i}/*.log {{\n  daily\n  rotate {keep}\n}}\n")
        })
        .collect();
    write(
        root,
        "budgets/logrotate/etc/logrotate.d/app",
        blocks.as_bytes(),
    );
    let matches: String = (0..30_000)
        .map(|i| format!("Match User u{i}\n  X11Forwarding no\n"))
        .collect();
    write(root, "budgets/sshd/sshd_config", matches.as_bytes());
    let stages: String = (0..30_000)
        .map(|i| {
            format!(
                "FROM alpine:3.20 AS s{i}\nCOPY --from=s{} /a /b\n",
                i.max(1) - 1
            )
        })
        .collect();
    write(root, "budgets/docker/Dockerfile", stages.as_bytes());

    // Smaller: names that are not what they seem, and a minimal settings module.
    write(root, "kinds/page.env.html", b"<html>DEBUG=true</html>\n");
    write(
        root,
        "kinds/project/settings.py",
        b"DEBUG = True\nSECRET_KEY = 'changeme'\n",
    );
}

#[cfg(unix)]
#[test]
fn a_tree_holding_every_attack_is_judged_and_leaks_nothing() {
    let root = tempfile::tempdir().expect("tempdir");
    let outside = tempfile::tempdir().expect("tempdir");
    plant(root.path(), outside.path());
    // `check .` on the tree in a format, from the tree's root as CI runs it.
    let run = |root: &Path, format: &str| {
        let output = crate::common::preflight_in(root)
            .args(["check", ".", "--format", format])
            .output()
            .expect("runs");
        (
            output.status.code().expect("exited"),
            String::from_utf8(output.stdout).expect("UTF-8"),
            String::from_utf8(output.stderr).expect("UTF-8"),
        )
    };

    let (code, json, stderr) = run(root.path(), "json");
    assert_eq!(code, 1, "findings fail the gate: {stderr}");
    let report: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let findings = report["findings"].as_array().expect("findings");
    let has = |rule: &str, path: &str| {
        findings
            .iter()
            .any(|f| f["rule_id"] == rule && f["location"]["path"].as_str() == Some(path))
    };
    let notes = crate::common::notes(&report);
    let noted = |path: &str, says: &str| {
        notes
            .iter()
            .any(|(p, m)| p.ends_with(path) && m.contains(says))
    };

    // The manifest did not switch the scan off, and the configuration is named.
    assert!(
        report["summary"]["files_checked"].as_u64() > Some(20),
        "{json}"
    );
    assert_eq!(report["configuration"]["disabled"][0], "ENV033", "{json}");
    // Links: nothing outside the tree, nothing from .git, special files skipped.
    for (path, says) in [
        ("links/.env", "a link into a folder preflight skips"),
        ("links/app/.env", "outside the folders"),
        ("links/x.env", "outside the folders"),
        ("links/pagemap.env", "outside the folders"),
        ("links/proc", "outside the folders"),
        ("links/sys", "outside the folders"),
        ("links/home", "outside the folders"),
        ("links/app/.env.production", "FIFO"),
        ("budgets/big.env", "over the"),
    ] {
        assert!(noted(path, says), "{path}: {notes:?}");
    }
    assert!(
        notes
            .iter()
            .any(|(p, m)| p.ends_with("secret.env") && m.contains("outside")),
        "{notes:?}"
    );
    // Budgets: each says what it cut, at the place, and the rest is judged.
    assert!(
        findings.iter().any(|f| f["rule_id"] == "NGX026"
            && f["location"]["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("budgets/fanout/"))),
        "{json}"
    );
    assert!(has("PF001", "budgets/deep/nginx.conf"), "{json}");
    assert!(has("DJ008", "budgets/django/settings.py"), "{json}");
    let at_line = |rule: &str, path: &str| -> Vec<u64> {
        findings
            .iter()
            .filter(|f| f["rule_id"] == rule && f["location"]["path"] == path)
            .filter_map(|f| f["location"]["start_line"].as_u64())
            .collect()
    };
    assert_eq!(
        at_line("LOG003", "budgets/logrotate/etc/logrotate.d/app"),
        [159_997],
        "only the last block keeps nothing"
    );
    for path in [
        "names/app/.env".to_owned(),
        format!("names/{HOSTILE_NAME}/.env"),
    ] {
        assert!(
            findings.iter().any(|f| f["location"]["path"] == *path),
            "{path}: {json}"
        );
    }
    // Kinds: an HTML page is not a .env file; a two-line settings module is checked.
    assert!(
        !findings
            .iter()
            .any(|f| f["location"]["path"] == "kinds/page.env.html"),
        "{json}"
    );
    assert!(has("DJ001", "kinds/project/settings.py"), "{json}");

    // No output carries the canary; no format starts a workflow command of its own or
    // prints a terminal control character.
    assert!(
        !json.contains(CANARY) && !stderr.contains(CANARY),
        "json leaks the canary"
    );
    for format in ["human", "sarif", "github", "markdown"] {
        let (code, stdout, stderr) = run(root.path(), format);
        assert_eq!(code, 1, "{format}: {stderr}");
        assert!(
            !stdout.contains(CANARY) && !stderr.contains(CANARY),
            "{format} leaks the canary"
        );
        assert!(
            !stdout.contains('\u{1b}') && !stderr.contains('\u{1b}'),
            "{format} prints ESC"
        );
        if format == "github" {
            crate::common::assert_only_annotations(&stdout);
            crate::common::assert_only_annotations(&stderr);
        }
        if format == "sarif" {
            crate::common::assert_valid_sarif(&serde_json::from_str(&stdout).expect("JSON"));
        }
    }
}
