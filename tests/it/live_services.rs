//! `preflight audit local` on this machine's real PostgreSQL, Redis, fail2ban, logrotate,
//! cron and systemd configuration, with insecure settings planted in the real files (and
//! undone afterwards), against `preflight check` on a copy of the same files at the same
//! relative paths: a file collected from a host must be judged by exactly the rules a static
//! scan runs on it, with the same findings at the same lines.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::common::{findings_at, preflight_in};
use crate::host_changes::{
    files_under, glob_dirs, machine_to_change, postgres_cluster, HostChanges,
};
use preflight::formats::Target;

/// The host's files a static scan of its configuration folders would see: every regular
/// file of the service folders (links, as `systemctl enable` makes them, left out), and
/// from the PostgreSQL data folders only `postgresql.auto.conf`, never the data.
fn host_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for root in [
        "/etc/crontab",
        "/etc/cron.d",
        "/var/spool/cron/crontabs",
        "/etc/systemd/system",
        "/etc/redis.conf",
        "/etc/redis",
        "/etc/postgresql",
        "/etc/fail2ban",
        "/etc/logrotate.conf",
        "/etc/logrotate.d",
    ] {
        let root = Path::new(root);
        if std::fs::symlink_metadata(root).is_ok_and(|m| m.is_file()) {
            files.push(root.to_path_buf());
        } else {
            files.extend(files_under(root));
        }
    }
    for cluster in glob_dirs("/var/lib/postgresql", 2) {
        let auto = cluster.join("postgresql.auto.conf");
        if auto.is_file() {
            files.push(auto);
        }
    }
    files
}

/// The files `nginx -T` says the running configuration is made of.
fn nginx_files() -> Vec<PathBuf> {
    let dump = std::process::Command::new("/usr/sbin/nginx")
        .arg("-T")
        .output()
        .expect("nginx runs");
    assert!(
        dump.status.success(),
        "nginx -T: {}",
        String::from_utf8_lossy(&dump.stderr)
    );
    String::from_utf8_lossy(&dump.stdout)
        .lines()
        .filter_map(|line| line.strip_prefix("# configuration file "))
        .filter_map(|rest| rest.strip_suffix(':'))
        // The snapshot leaves out what packages ship and no check reads (`mime.types`).
        .filter(|path| preflight::formats::nginx::includes::package_file(path) != Some(true))
        .map(PathBuf::from)
        .collect()
}

/// Why this machine cannot run the test, if it cannot.
fn missing_setup() -> Option<String> {
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    if !root {
        return Some("not root: the host's service files cannot be changed".into());
    }
    let needed = [
        ("/etc/redis/redis.conf", "redis-server"),
        ("/etc/fail2ban/jail.conf", "fail2ban"),
        ("/etc/logrotate.conf", "logrotate"),
        ("/usr/sbin/nginx", "nginx"),
    ];
    if let Some((_, package)) = needed.iter().find(|(path, _)| !Path::new(path).exists()) {
        return Some(format!("{package} is not installed"));
    }
    postgres_cluster()
        .is_none()
        .then(|| "postgresql is not installed (no cluster under /etc/postgresql)".into())
}

/// A setting planted in a host file.
struct Plant {
    /// The host file, created when missing.
    path: String,
    /// What is appended to it.
    text: &'static str,
    /// A finding a static scan gives for it: the rule and the line of `text` it is on.
    finding: Option<(&'static str, usize)>,
}

/// `(rule, path, line)` of the findings of a JSON report, sorted.
fn findings(output: &std::process::Output) -> Vec<(String, String, u64)> {
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let mut found = findings_at(&report);
    found.sort();
    found
}

#[test]
#[cfg_attr(
    not(test_tool = "host_services"),
    ignore = "needs root with postgresql, redis-server, fail2ban, logrotate and nginx installed (apt-get install …; changes their files and restores them)"
)]
fn host_service_files_get_the_findings_a_static_scan_gives_the_same_files() {
    if let Some(why) = missing_setup() {
        panic!("the build found the services, this run does not: {why}");
    }
    let cluster = postgres_cluster().expect("checked");
    let cluster = cluster.to_str().expect("UTF-8");
    let _machine = machine_to_change();
    let changes = HostChanges::begin("/var/tmp/preflight-live-services-backup");
    let hba = format!("{cluster}/pg_hba.conf");
    let pg_conf = format!("{cluster}/postgresql.conf");
    let planted = [
        Plant {
            path: hba.clone(),
            text: "host all all 0.0.0.0/0 md5\n",
            finding: Some(("PG006", 1)),
        },
        Plant {
            path: pg_conf.clone(),
            text: "listen_addresses = '*'\nssl = off\n",
            finding: Some(("PG001", 2)),
        },
        Plant {
            path: format!("{cluster}/conf.d/preflight-live-test.conf"),
            text: "listen_addresses = '*'\n",
            finding: None,
        },
        Plant {
            path: "/etc/nginx/conf.d/preflight-live-test.conf".into(),
            text: "server {\n    listen 127.0.0.1:8098;\n    autoindex on;\n}\n",
            finding: Some(("NGX002", 3)),
        },
        Plant {
            path: "/etc/redis/redis.conf".into(),
            text: "protected-mode no\nbind 0.0.0.0\n",
            finding: Some(("RDS002", 1)),
        },
        Plant {
            path: "/etc/fail2ban/jail.local".into(),
            text: "[DEFAULT]\nbantime = 60\nmaxretry = 20\n\n[sshd]\nenabled = false\naction = cloudflare[cfuser=\"ops@example.org\", cftoken=\"cnryLiveSvc1Tok\"]\n",
            finding: Some(("F2B001", 6)),
        },
        Plant {
            path: "/etc/logrotate.d/preflight-live-test".into(),
            text: "/var/log/preflight-live-test/*.log {\n    daily\n    rotate 0\n    create 0666 root root\n    postrotate\n        mysqladmin -uroot -pcnryLiveSvc2Pw flush-logs\n    endscript\n}\n",
            finding: Some(("LOG001", 4)),
        },
        Plant {
            path: "/etc/systemd/system/preflight-live-test.service".into(),
            text: "[Unit]\nDescription=planted by tests/live_services.rs\n\n[Service]\nExecStart=/usr/bin/python3 -m http.server 8099\nUser=root\n",
            finding: Some(("SYS001", 6)),
        },
        Plant {
            path: "/etc/systemd/system/preflight-live-test.socket".into(),
            text: "[Socket]\nListenStream=0.0.0.0:8099\n\n[Install]\nWantedBy=sockets.target\n",
            finding: None,
        },
        Plant {
            path: "/etc/systemd/system/preflight-live-test.service.d/override.conf".into(),
            text: "[Service]\nEnvironment=DATABASE_URL=postgres://app:cnryLiveSvc3Pw@db/app\n",
            finding: Some(("SYS002", 2)),
        },
    ];
    let mut expected_static = Vec::new();
    for plant in &planted {
        let first = changes.append(&plant.path, plant.text);
        if let Some((rule, line)) = plant.finding {
            expected_static.push((
                rule.to_owned(),
                plant.path.clone(),
                (first + line - 1) as u64,
            ));
        }
    }

    // The same files, copied at the same relative paths: the service folders, and nginx's
    // files as `nginx -T` reads them (links such as `sites-enabled/default` copied as the
    // files they lead to; what nginx does not read, like `sites-available/`, left out).
    let copy = tempfile::tempdir().expect("tempdir");
    let mut files = host_files();
    let nginx = nginx_files();
    files.extend(nginx.iter().cloned());
    for file in &files {
        let to = copy.path().join(file.strip_prefix("/").expect("absolute"));
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(file, &to).expect("copy");
    }
    let copied: BTreeSet<String> = files.iter().map(|f| f.display().to_string()).collect();

    let started = std::time::Instant::now();
    let snapshot = tempfile::tempdir().expect("tempdir");
    let saved = snapshot.path().join("snapshot");
    let audit = preflight_in(copy.path())
        .args(["audit", "local", "--format", "json", "--fail-on", "never"])
        .arg("--save-snapshot")
        .arg(&saved)
        .output()
        .expect("runs");
    eprintln!("audit local took {:?}", started.elapsed());
    let check = preflight_in(copy.path())
        .args(["check", ".", "--format", "json", "--fail-on", "never"])
        .output()
        .expect("runs");
    let recheck = preflight_in(copy.path())
        .args(["check", "--snapshot"])
        .arg(&saved)
        .args(["--format", "json", "--fail-on", "never"])
        .output()
        .expect("runs");
    drop(changes);
    for plant in &planted {
        let now = std::fs::read_to_string(&plant.path).unwrap_or_default();
        assert!(!now.contains(plant.text), "{} was not restored", plant.path);
    }

    // Collection: every copied file a static scan reads as a host service file is in the
    // snapshot, as the same kind.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(saved.join("manifest.json")).expect("manifest"))
            .expect("JSON");
    let kinds: BTreeSet<(String, String)> = manifest["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().expect("path").to_owned(),
                f["kind"].as_str().expect("kind").to_owned(),
            )
        })
        .collect();
    let service_kinds = [
        Target::Cron,
        Target::Systemd,
        Target::Redis,
        Target::Postgres,
        Target::PgHba,
        Target::Fail2ban,
        Target::Logrotate,
    ];
    // nginx's files are what `nginx -T` printed, each kept as nginx configuration.
    let mut expected_kinds: BTreeSet<(String, String)> = nginx
        .iter()
        .map(|file| {
            (
                file.display().to_string(),
                Target::Nginx.as_str().to_owned(),
            )
        })
        .collect();
    for file in &files {
        let Some(kind) = preflight::document::classify(file) else {
            continue;
        };
        if service_kinds.contains(&kind.target) {
            expected_kinds.insert((file.display().to_string(), kind.target.as_str().to_owned()));
        }
    }
    let collected: BTreeSet<(String, String)> = kinds
        .iter()
        .filter(|(path, _)| copied.contains(path))
        .cloned()
        .collect();
    assert_eq!(collected, expected_kinds, "collected files and their kinds");
    for (path, kind) in [(&hba, "pg-hba"), (&pg_conf, "postgres")] {
        assert!(kinds.contains(&(path.clone(), kind.to_owned())), "{path}");
    }
    for saved_file in files_under(&saved) {
        let text = String::from_utf8_lossy(&std::fs::read(&saved_file).expect("read")).into_owned();
        for canary in ["cnryLiveSvc1Tok", "cnryLiveSvc2Pw", "cnryLiveSvc3Pw"] {
            assert!(
                !text.contains(canary),
                "{canary} in {}",
                saved_file.display()
            );
        }
    }

    // Findings: the static scan of the copy, at host paths.
    let statically: Vec<(String, String, u64)> = findings(&check)
        .into_iter()
        .map(|(rule, path, line)| (rule, format!("/{path}"), line))
        .collect();
    for planted in &expected_static {
        assert!(
            statically.contains(planted),
            "the static scan misses the planted {planted:?}: {statically:#?}"
        );
    }
    let on_those_files = |found: Vec<(String, String, u64)>| -> Vec<(String, String, u64)> {
        found
            .into_iter()
            .filter(|(_, path, _)| copied.contains(path))
            .collect()
    };
    let live = on_those_files(findings(&audit));
    eprintln!(
        "{} static findings on {} host files compared",
        statically.len(),
        copied.len()
    );
    let missing: Vec<_> = statically.iter().filter(|f| !live.contains(f)).collect();
    // Live-only rules judge host files against the host's state too (LIVE013: crontabs
    // with jobs while no cron daemon runs), which a static scan has not got.
    let extra: Vec<_> = live
        .iter()
        .filter(|f| !statically.contains(f) && !f.0.starts_with("LIVE"))
        .collect();
    assert!(
        missing.is_empty(),
        "static findings the live audit lacks: {missing:#?}"
    );
    assert!(
        extra.is_empty(),
        "live findings a static scan does not give: {extra:#?}"
    );
    assert_eq!(
        on_those_files(findings(&recheck)),
        live,
        "the saved snapshot re-checked offline"
    );

    // Files neither could check (binary, template, …) are told the same way.
    let not_checked = |output: &std::process::Output, prefix: &str| -> Vec<(String, String)> {
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        let mut found: Vec<(String, String)> = report["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .map(|d| {
                (
                    format!("{prefix}{}", d["path"].as_str().expect("path")),
                    d["kind"].as_str().expect("kind").to_owned(),
                )
            })
            .filter(|(path, _)| copied.contains(path))
            .collect();
        found.sort();
        found
    };
    assert_eq!(not_checked(&audit, ""), not_checked(&check, "/"));
}
