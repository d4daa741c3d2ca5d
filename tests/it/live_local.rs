//! `preflight audit local` on this machine, with real conditions planted by the test: a
//! process listening on every interface on a database port, certificates close to expiry,
//! a stale backup directory, secrets in an application's `.env` and on a command line —
//! and their clean counterparts, which must not be reported. Then `--save-snapshot` and
//! `preflight check DIR` must give the same live findings without any planted secret.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::OnceLock;

use crate::common::{self, preflight_in};

/// Secrets planted in the application's `.env` and on a running process's command line.
const ENV_CANARY: &str = "cnryLive1Qx7vTz9Lw2Pk4Mj8Rb";
const URL_CANARY: &str = "cnryLive2UrlPw5Nc";
const PROCESS_CANARY: &str = "cnryLive3CmdPw9Xf";

/// Database ports tried in turn for the planted public listener.
const PUBLIC_PORTS: &[u16] = &[6379, 27017, 9200, 3306, 5432];

/// What the planted host looks like.
struct Planted {
    dir: tempfile::TempDir,
    /// The database port bound to 0.0.0.0 (None when all were taken by something else).
    public_port: Option<u16>,
    /// A database port bound to 127.0.0.1 only.
    loopback_port: Option<u16>,
    _listeners: Vec<TcpListener>,
    process: Child,
}

impl Planted {
    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// The `audit local` arguments that point the snapshot at the planted files.
    fn args(&self) -> Vec<String> {
        let mut args = vec!["audit".to_owned(), "local".to_owned()];
        for (flag, relative) in [
            ("--cert-path", "certs/two-days.pem"),
            ("--cert-path", "certs/ten-days.pem"),
            ("--cert-path", "certs/ninety-days.pem"),
            ("--backup-dir", "backups/stale"),
            ("--backup-dir", "backups/fresh"),
            ("--backup-dir", "backups/missing"),
            ("--app-dir", "app"),
        ] {
            args.push(flag.to_owned());
            args.push(self.path(relative).display().to_string());
        }
        args
    }
}

/// Plants everything once for the whole file (the tests share one listener set).
fn planted() -> &'static Planted {
    static PLANTED: OnceLock<Planted> = OnceLock::new();
    PLANTED.get_or_init(|| {
        // The audit collects `sshd -T`, which runs only where the ssh service has started.
        common::sshd_privsep_dir_ready();
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("certs")).unwrap();
        for (name, days) in [("two-days", 2), ("ten-days", 10), ("ninety-days", 90)] {
            certificate(&root.join(format!("certs/{name}.pem")), days, name);
        }
        for (name, age) in [("stale", "3 days ago"), ("fresh", "1 hour ago")] {
            let folder = root.join("backups").join(name);
            std::fs::create_dir_all(&folder).unwrap();
            let file = folder.join("shop.sql.gz");
            std::fs::write(&file, b"not really a dump").unwrap();
            let touched = Command::new("touch")
                .args(["-d", age])
                .arg(&file)
                .status()
                .unwrap();
            assert!(touched.success());
        }
        std::fs::create_dir_all(root.join("app")).unwrap();
        std::fs::write(
            root.join("app/.env"),
            format!(
                "DEBUG=false\nSECRET_KEY={ENV_CANARY}\nDATABASE_URL=postgres://shop:{URL_CANARY}@db.internal/shop\n"
            ),
        )
        .unwrap();
        // Readable by every account (LIVE011), and one kept private (no finding).
        let mode = |path: &Path, bits: u32| {
            let mut permissions = std::fs::metadata(path).unwrap().permissions();
            std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, bits);
            std::fs::set_permissions(path, permissions).unwrap();
        };
        mode(&root.join("app/.env"), 0o644);
        std::fs::write(root.join("app/private.env"), "DEBUG=false\n").unwrap();
        mode(&root.join("app/private.env"), 0o600);
        let mut listeners = Vec::new();
        let public_port = PUBLIC_PORTS.iter().copied().find(|port| {
            TcpListener::bind(("0.0.0.0", *port))
                .map(|l| listeners.push(l))
                .is_ok()
        });
        let loopback_port = PUBLIC_PORTS
            .iter()
            .copied()
            .filter(|p| Some(*p) != public_port)
            .find(|port| {
                TcpListener::bind(("127.0.0.1", *port))
                    .map(|l| listeners.push(l))
                    .is_ok()
            });
        // An application process with a password on its command line, as `ps` will show
        // it (run as root in CI, so LIVE003 shows the line in every report, masked).
        let app = root.join("app/worker.py");
        std::fs::write(&app, "import time\ntime.sleep(60)\n").unwrap();
        // The interpreter itself, not a version manager's shim: a shim is a shell script whose
        // process only becomes Python after `exec`, which can take seconds on a loaded machine.
        let interpreter = Command::new("python3")
            .args(["-c", "import sys; print(sys.executable)"])
            .output()
            .expect("python3 runs");
        let interpreter = String::from_utf8(interpreter.stdout).unwrap();
        let process = Command::new(interpreter.trim())
            .arg(&app)
            .arg(format!("--password={PROCESS_CANARY}"))
            .spawn()
            .expect("python3 runs");
        // Wait until the interpreter runs.
        let comm = format!("/proc/{}/comm", process.id());
        for _ in 0..100 {
            if std::fs::read_to_string(&comm).is_ok_and(|c| c.starts_with("python")) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        Planted {
            dir,
            public_port,
            loopback_port,
            _listeners: listeners,
            process,
        }
    })
}

/// A self-signed certificate valid for `days` more days, made with the openssl command
/// line (parsing in preflight is x509-parser's, in Rust).
pub(crate) fn certificate(path: &Path, days: u32, name: &str) {
    let key = path.with_extension("key");
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ])
        .args([
            "-days",
            &days.to_string(),
            "-subj",
            &format!("/CN={name}.example"),
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(path)
        .output()
        .expect("openssl is installed (.ci/run installs it)");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
}

/// Runs `preflight audit local` on the planted host with `extra` arguments.
fn audit(extra: &[&str]) -> std::process::Output {
    let planted = planted();
    preflight_in(planted.dir.path())
        .args(planted.args())
        .args(extra)
        .output()
        .expect("runs")
}

fn json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// `(rule, path, line, message)` of the live findings (LIVE rules).
fn live_findings(report: &serde_json::Value) -> Vec<(String, String, u64, String)> {
    let mut found: Vec<_> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"].as_str().unwrap().starts_with("LIVE"))
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                f["location"]["path"].as_str().unwrap().to_owned(),
                f["location"]["start_line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

#[test]
#[cfg_attr(
    not(test_tool = "audit_local"),
    ignore = "needs python3, openssl, ss and ps (apt-get install python3 openssl iproute2 procps)"
)]
fn planted_conditions_are_found_and_clean_ones_are_not() {
    let _machine = crate::host_changes::machine_unchanged();
    let planted = planted();
    let output = audit(&["--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "findings at high and above");
    let report = json(&output);
    let live = live_findings(&report);
    let with = |rule: &str, text: &str| {
        live.iter()
            .filter(|(r, _, _, m)| r == rule && m.contains(text))
            .count()
    };

    match planted.public_port {
        Some(port) => {
            let finding = live
                .iter()
                .find(|(r, _, _, m)| r == "LIVE001" && m.contains(&format!("port {port} ")))
                .unwrap_or_else(|| panic!("no LIVE001 for 0.0.0.0:{port} in {live:#?}"));
            assert_eq!(finding.1, "/.preflight/ss-tlnpH.txt");
            assert!(
                finding.3.contains("every interface (0.0.0.0)"),
                "{}",
                finding.3
            );
            // Run as root (CI), ss names the process: this test binary, by its kernel name.
            if is_root() {
                let name = std::fs::read_to_string("/proc/self/comm").expect("own name");
                let named = format!("`{}`", name.trim_end());
                assert!(finding.3.contains(&named), "{named} in {}", finding.3);
            }
        }
        None => eprintln!(
            "note: LIVE001 on 0.0.0.0 not checked: every candidate database port is taken"
        ),
    }
    if let Some(port) = planted.loopback_port {
        assert_eq!(
            with("LIVE001", &format!("port {port} ")),
            0,
            "127.0.0.1:{port} is not public: {live:#?}"
        );
    }

    let two_days = planted.path("certs/two-days.pem").display().to_string();
    let expired = live
        .iter()
        .find(|(r, p, _, _)| r == "LIVE006" && *p == two_days)
        .unwrap_or_else(|| panic!("no LIVE006 for {two_days} in {live:#?}"));
    assert_eq!(expired.2, 1, "at the leaf's BEGIN line");
    // Two days minus the seconds between planting and collecting: "1 day" or "2 days".
    assert!(
        ["expires in 1 day (", "expires in 2 days ("]
            .iter()
            .any(|left| expired.3.contains(&format!("`two-days.example` {left}"))),
        "{}",
        expired.3
    );
    assert_eq!(
        with("LIVE005", "`ten-days.example` expires in"),
        1,
        "{live:#?}"
    );
    assert_eq!(with("LIVE005", "ninety-days"), 0);
    assert_eq!(with("LIVE006", "ninety-days"), 0);
    assert_eq!(
        with("LIVE005", "two-days"),
        0,
        "within 3 days is LIVE006 only"
    );

    let stale = planted
        .path("backups/stale/shop.sql.gz")
        .display()
        .to_string();
    assert_eq!(
        with("LIVE007", &format!("`{stale}` is 3 days")),
        1,
        "{live:#?}"
    );
    assert_eq!(with("LIVE007", "fresh"), 0, "{live:#?}");
    let readable = planted.path("app/.env").display().to_string();
    assert_eq!(
        with(
            "LIVE011",
            &format!("`{readable}` is readable by every account")
        ),
        1,
        "{live:#?}"
    );
    assert_eq!(with("LIVE011", "private.env"), 0, "{live:#?}");
    assert_eq!(with("LIVE007", "does not exist"), 1, "{live:#?}");

    if is_root() {
        let pid = format!("(pid {})", planted.process.id());
        let worker = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule_id"] == "LIVE003" && f["message"].as_str().unwrap().contains(&pid))
            .unwrap_or_else(|| panic!("no LIVE003 for the planted worker {pid}: {live:#?}"));
        let snippet = worker["snippet"]["text"].as_str().unwrap();
        assert!(snippet.contains("--password=*****"), "{snippet}");
    }

    // The application's .env went through the same env rules as a static scan.
    let env_path = planted.path("app/.env").display().to_string();
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["location"]["path"] == env_path.as_str()),
        "no finding in {env_path}"
    );
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

#[test]
#[cfg_attr(
    not(test_tool = "audit_local"),
    ignore = "needs python3, openssl, ss and ps (apt-get install python3 openssl iproute2 procps)"
)]
fn a_saved_snapshot_rechecks_to_the_same_live_findings_without_secrets() {
    let _machine = crate::host_changes::machine_unchanged();
    let planted = planted();
    let saved = tempfile::tempdir().unwrap();
    let snapshot = saved.path().join("snapshot");
    let output = audit(&[
        "--format",
        "json",
        "--save-snapshot",
        snapshot.to_str().unwrap(),
    ]);
    let live = live_findings(&json(&output));
    assert!(!live.is_empty());

    let recheck = preflight_in(planted.dir.path())
        .args([
            "check",
            "--snapshot",
            snapshot.to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(live_findings(&json(&recheck)), live);

    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(snapshot.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["format"], "preflight-host-snapshot");
    assert_eq!(
        manifest["allowlist_version"],
        preflight::live::snapshot::ALLOWLIST_VERSION
    );
    let env_file = snapshot.join(planted.path("app/.env").strip_prefix("/").unwrap());
    let env = std::fs::read_to_string(&env_file).unwrap();
    assert!(env.contains("SECRET_KEY=[redacted-"), "{env}");
    assert!(env.contains("DEBUG=false"), "{env}");
    assert!(snapshot.join(".preflight/ps.txt").is_file());
    for entry in walk(&snapshot) {
        let bytes = std::fs::read(&entry).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for canary in [ENV_CANARY, URL_CANARY, PROCESS_CANARY] {
            assert!(!text.contains(canary), "{canary} in {}", entry.display());
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
#[cfg_attr(
    not(test_tool = "audit_local"),
    ignore = "needs python3, openssl, ss and ps (apt-get install python3 openssl iproute2 procps)"
)]
fn secrets_never_appear_in_any_output_format() {
    let _machine = crate::host_changes::machine_unchanged();
    let runs: Vec<_> = ["json", "sarif", "human", "markdown", "github"]
        .into_iter()
        .map(|format| std::thread::spawn(move || (format, audit(&["--format", format]))))
        .collect();
    for run in runs {
        let (format, output) = run.join().unwrap();
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(printed.len() > 100, "{format}: {printed}");
        for canary in [ENV_CANARY, URL_CANARY, PROCESS_CANARY] {
            assert!(!printed.contains(canary), "{canary} in the {format} report");
        }
        if format == "sarif" {
            common::assert_valid_sarif(&json(&output));
        }
    }
}

/// The SARIF of `audit local` is this machine's run (`preflight/live/NAME/`), and none of its
/// locations is a file of the machine (`file:///etc/…`, `file:///.preflight/ps.txt`): code
/// scanning refuses locations outside the repository. The machine's places are in the
/// messages.
#[test]
#[cfg_attr(
    not(test_tool = "audit_local"),
    ignore = "needs python3, openssl, ss and ps (apt-get install python3 openssl iproute2 procps)"
)]
fn the_sarif_of_a_local_audit_places_nothing_outside_the_repository() {
    let _machine = crate::host_changes::machine_unchanged();
    let output = audit(&["--format", "sarif", "--fail-on", "never"]);
    let sarif = json(&output);
    common::assert_valid_sarif(&sarif);
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "{sarif:#}");
    assert_eq!(
        runs[0]["automationDetails"]["id"],
        format!("preflight/live/{}/", name.trim())
    );
    let results = runs[0]["results"].as_array().unwrap();
    assert!(
        results.iter().any(|r| r["message"]["text"]
            .as_str()
            .unwrap()
            .contains("two-days.pem")),
        "{sarif:#}"
    );
    let notifications = runs[0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for located in results.iter().chain(&notifications) {
        for location in located["locations"].as_array().into_iter().flatten() {
            let uri = location["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap();
            assert!(
                !uri.contains("://") && !uri.starts_with('/'),
                "{uri}: not a repository path"
            );
        }
    }
}

/// A host where `--sudo` cannot work (sudo asks for a password, or is not installed) yields
/// nothing at all: it is "not audited", exit 2, with the reason sudo gave, never "No
/// findings in 0 files" and exit 0 (as it was), and no note blames each audit command.
#[test]
fn a_host_where_sudo_cannot_run_is_not_audited() {
    let _machine = crate::host_changes::machine_unchanged();
    for (script, says) in [
        (
            "#!/bin/sh\necho 'sudo: a password is required' >&2\nexit 1\n",
            "sudo: a password is required",
        ),
        ("#!/bin/sh\nexit 127\n", "sudo is not installed"),
    ] {
        let bin = tempfile::tempdir().unwrap();
        let sudo = bin.path().join("sudo");
        common::write_executable(&sudo, script);
        let path = format!(
            "{}:{}",
            bin.path().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        for format in ["json", "sarif", "human", "markdown", "github"] {
            let output = preflight_in(bin.path())
                .args(["audit", "local", "--sudo", "--format", format])
                .env("PATH", &path)
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&output.stdout);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{format}: {stdout}{stderr}");
            assert!(
                stderr.contains("not audited")
                    && stderr.contains("sudo -n true")
                    && stderr.contains(says),
                "{format}: {stderr}"
            );
            assert!(!stdout.contains("No findings"), "{format}: {stdout}");
            assert!(!stderr.contains("ss -tlnpH"), "{format}: {stderr}");
        }
    }
}

/// A host whose crontabs cannot be read (a login user without root, sudo refusing the
/// listing) is "partly audited": exit 2 with a note naming what was not seen, never a clean
/// pass; `--allow-partial` gates on the findings alone. The refusal is a stand-in `sudo`
/// that denies exactly the crontab listing, so the test runs the same on any machine.
#[test]
fn a_host_whose_crontabs_cannot_be_read_is_partly_audited() {
    let _machine = crate::host_changes::machine_unchanged();
    common::sshd_privsep_dir_ready();
    let bin = tempfile::tempdir().unwrap();
    let sudo = bin.path().join("sudo");
    common::write_executable(
        &sudo,
        "#!/bin/sh\n[ \"$1\" = -n ] && shift\ncase \"$*\" in\n  */var/spool/cron/crontabs*) echo \"find: '/var/spool/cron/crontabs': Permission denied\" >&2; exit 1 ;;\nesac\nexec \"$@\"\n",
    );
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = |extra: &[&str]| {
        preflight_in(bin.path())
            .args(["audit", "local", "--sudo", "--format", "json"])
            .args(extra)
            .env("PATH", &path)
            .output()
            .unwrap()
    };
    let partial = run(&[]);
    let stdout = String::from_utf8_lossy(&partial.stdout);
    let stderr = String::from_utf8_lossy(&partial.stderr);
    assert_eq!(partial.status.code(), Some(2), "{stdout}{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&partial.stdout).expect("JSON");
    let partly: Vec<&serde_json::Value> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == "host-partly-audited")
        .collect();
    assert_eq!(partly.len(), 1, "{stdout}");
    let message = partly[0]["message"].as_str().unwrap();
    assert!(
        message.contains("/var/spool/cron/crontabs") && message.contains("--allow-partial"),
        "{message}"
    );
    assert!(stderr.contains("partly audited"), "{stderr}");
    // The same note in every format, and the refused listing as its own note.
    assert!(report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| { d["kind"] == "unable-to-check" && d["path"] == "/var/spool/cron/crontabs" }));
    let accepted = run(&["--allow-partial"]);
    assert_ne!(
        accepted.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&accepted.stderr)
    );
}

/// The command that collects `/etc/shadow` (`SHADOW`) sends no hash: run on a planted
/// shadow file, every hash is replaced and a lock or an empty field stays what it was.
#[test]
fn the_shadow_collection_replaces_every_hash_on_the_host() {
    let _machine = crate::host_changes::machine_unchanged();
    let dir = tempfile::tempdir().unwrap();
    let shadow = dir.path().join("shadow");
    let hash = "$6$Ca1tSalt$HashCanaryXq9Zr5Lw0Pm3Vb7Nc1Dd8Ef";
    std::fs::write(
        &shadow,
        format!(
            "root:{hash}:20000:0:99999:7:::\nlocked:!{hash}:20000:0:99999:7:::\nsystem:*:20000:0:99999:7:::\nnopass::20000:0:99999:7:::\nplain:x:20000::::::\n"
        ),
    )
    .unwrap();
    let command =
        preflight::live::snapshot::SHADOW.replace("/etc/shadow", shadow.to_str().unwrap());
    let output = Command::new("sh").arg("-c").arg(&command).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        !text.contains("Ca1tSalt") && !text.contains("HashCanary"),
        "{text}"
    );
    assert_eq!(
        text,
        "root:REDACTED:20000:0:99999:7:::\nlocked:!REDACTED:20000:0:99999:7:::\nsystem:*REDACTED:20000:0:99999:7:::\nnopass::20000:0:99999:7:::\nplain:x:20000::::::\n"
    );
    // What ACCT002 needs survives: the one account without a password is still found.
    let scan = tempfile::tempdir().unwrap();
    std::fs::create_dir(scan.path().join("etc")).unwrap();
    std::fs::write(scan.path().join("etc/shadow"), &text).unwrap();
    let report = common::json_report(scan.path(), &["."]).0;
    let found = common::rule_messages(&report);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "ACCT002");
    assert!(found[0].1.contains("`nopass`"), "{found:?}");
}
