//! A snapshot judged: its files are inputs to the same pipeline as a static scan (the same
//! parsers, confirmation by content, template notes, includes, rules, plus the live-only
//! rules), read from memory and shown at `<prefix><path on the host>`.

use crate::discover::Input;
use crate::document::classify;
use crate::engine::{self, Inputs, ScanOutcome};
use crate::finding::{Diagnostic, DiagnosticKind};
use crate::formats::deployed::REPOSITORY_DIR;
use crate::formats::{Classification, MemoryFiles, Target};
use crate::live::deployed::{place_on_sources, DeployedFrom};
use crate::live::snapshot::HostSnapshot;
use crate::policy::Catalog;
use crate::rules::Unseen;

/// Judges `snapshot` with the enabled rules of `catalog`. Every document's display path
/// is `location_prefix` followed by the file's absolute path on the host (`ssh://prod-1`
/// gives `ssh://prod-1/etc/ssh/sshd_config`; `""` gives `/etc/ssh/sshd_config`). Notes on
/// what could not be checked come back as diagnostics of kind
/// [`DiagnosticKind::UnableToCheck`].
pub fn audit(snapshot: &HostSnapshot, catalog: &Catalog, location_prefix: &str) -> ScanOutcome {
    audit_with_results(snapshot, catalog, location_prefix, false)
}

/// [`audit`], recording evaluation results when `results` is set: every result carries the
/// host (`prod-1` for `ssh://prod-1`, `local` for this machine), and a rule with no file of
/// its kinds on the host is not applicable there (what the host refused to show stays in
/// the notes).
pub fn audit_with_results(
    snapshot: &HostSnapshot,
    catalog: &Catalog,
    location_prefix: &str,
    results: bool,
) -> ScanOutcome {
    audit_deployed(snapshot, catalog, location_prefix, results, &[])
}

/// [`audit_with_results`], with the repository files that deploy some of the host's files
/// (the inventory's `files`): each is compared with the host's copy (LIVE017), and a
/// finding on a host line the repository file has too is shown there (see
/// [`crate::live::deployed`]).
pub fn audit_deployed(
    snapshot: &HostSnapshot,
    catalog: &Catalog,
    location_prefix: &str,
    results: bool,
    sources: &[DeployedFrom],
) -> ScanOutcome {
    let mut view = MemoryFiles::new(location_prefix);
    // A snapshot's nginx files are only ever what `nginx -T` printed: all nginx read.
    view.hold_whole_nginx_configuration();
    let mut files = Vec::new();
    for file in &snapshot.files {
        view.insert(file.path.clone(), file.bytes.clone());
        if file.target == Target::Any {
            continue;
        }
        // The snapshot says what each file is; a name that is only a guess for that kind
        // (`*.conf` for nginx) still needs the content to confirm it.
        let guess =
            classify(&file.path).is_some_and(|c| c.confirm_by_content && c.target == file.target);
        let kind = Classification {
            target: file.target,
            confirm_by_content: guess,
        };
        files.push(Input::new(file.path.clone(), kind));
    }
    for source in sources {
        let relative = source
            .host_path
            .strip_prefix("/")
            .unwrap_or(&source.host_path);
        let at = std::path::Path::new(REPOSITORY_DIR).join(relative);
        view.insert_shown(
            at.clone(),
            source.text.clone().into_bytes(),
            source.shown.clone(),
        );
        let kind = Classification {
            target: Target::DeployedCopy,
            confirm_by_content: false,
        };
        files.push(Input::new(at, kind));
    }
    let diagnostics = snapshot
        .unable
        .iter()
        .map(|note| Diagnostic {
            // Files at their shown path; commands named, with the host when there is a prefix.
            path: match (note.what.starts_with('/'), location_prefix) {
                (true, _) | (false, "") => format!("{location_prefix}{}", note.what),
                (false, prefix) => format!("{} on {prefix}", note.what),
            },
            kind: DiagnosticKind::UnableToCheck,
            message: note.why.clone(),
            role: None,
        })
        .collect();
    let unseen = snapshot
        .blind_spots()
        .flat_map(|note| {
            note.hides.iter().map(|target| Unseen {
                target: *target,
                why: format!("{}: {}", note.what, note.why),
            })
        })
        .collect();
    let mut outcome = engine::run(
        Inputs {
            files,
            entry_points: Vec::new(),
            view: &view,
            judged_at: Some(snapshot.collected_at_secs()),
            diagnostics,
            unseen,
            results,
        },
        catalog,
    );
    let host = crate::results::host_of(&format!("{location_prefix}/"))
        .unwrap_or("local")
        .to_owned();
    for result in outcome.results.iter_mut().flatten() {
        result.host = Some(host.clone());
    }
    // A repository file's findings are the host's too.
    if crate::results::host_of(&format!("{location_prefix}/")).is_some() {
        for finding in &mut outcome.findings {
            finding.host.get_or_insert_with(|| host.clone());
        }
    }
    place_on_sources(&mut outcome, snapshot, location_prefix, sources);
    if let Some(note) = partly_audited(snapshot, location_prefix) {
        outcome.diagnostics.push(note);
    }
    outcome
}

/// The note that the host was only partly audited, naming what could not be seen; `None`
/// when every collection that exists on the host answered.
pub fn partly_audited(snapshot: &HostSnapshot, location_prefix: &str) -> Option<Diagnostic> {
    let missed: Vec<&str> = snapshot.blind_spots().map(|u| u.what.as_str()).collect();
    let (first, rest) = missed.split_first()?;
    let mut named = (*first).to_owned();
    for what in rest.iter().take(4) {
        named.push_str(", ");
        named.push_str(what);
    }
    if rest.len() > 4 {
        named.push_str(&format!(" and {} more", rest.len() - 4));
    }
    let mut message = String::new();
    crate::message::push_visible(
        &mut message,
        &format!(
            "partly audited: {} collection(s) failed ({named}; each is a note), so findings about what they would show are missing; run with --sudo or as root, or accept it with --allow-partial",
            missed.len()
        ),
    );
    Some(Diagnostic {
        path: if location_prefix.is_empty() {
            snapshot.host.clone()
        } else {
            location_prefix.to_owned()
        },
        kind: DiagnosticKind::HostPartlyAudited,
        message,
        role: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::snapshot::{SnapshotFile, UnableToCheck};
    use crate::policy::Catalog;

    #[test]
    fn locations_carry_the_prefix_and_nginx_includes_are_followed() {
        let snapshot = HostSnapshot {
            host: "prod-1".into(),
            collected_at: std::time::SystemTime::now(),
            files: vec![
                SnapshotFile::text("/.preflight/ss-tlnpH.txt", Target::Listeners, "LISTEN 0 128 0.0.0.0:6379 0.0.0.0:*\n"),
                SnapshotFile::text("/etc/nginx/nginx.conf", Target::Nginx, "events {}\nhttp {\n    server_tokens off;\n    include /etc/nginx/sites-enabled/*;\n}\n"),
                // Judged inside `http` through the include: no NGX001 (server_tokens is off there).
                SnapshotFile::text("/etc/nginx/sites-enabled/shop", Target::Nginx, "server {\n    listen 80;\n    autoindex on;\n}\n"),
            ],
            unable: vec![
                UnableToCheck { what: "nft list ruleset".into(), why: "not installed".into(), hides: vec![Target::Nftables] },
                UnableToCheck { what: "/var/spool/cron/crontabs".into(), why: "not permitted".into(), hides: vec![Target::Cron] },
            ],
        };
        let catalog = Catalog::builtin().unwrap();
        let outcome = audit(&snapshot, &catalog, "ssh://prod-1");
        let at = |rule: &str| {
            outcome
                .findings
                .iter()
                .find(|f| f.rule_id == rule)
                .map(|f| (f.location.path.clone(), f.location.start_line))
        };
        assert_eq!(
            at("LIVE001"),
            Some(("ssh://prod-1/.preflight/ss-tlnpH.txt".into(), 1))
        );
        let autoindex = outcome
            .findings
            .iter()
            .find(|f| f.location.path == "ssh://prod-1/etc/nginx/sites-enabled/shop")
            .expect("the site is judged");
        assert_eq!(autoindex.location.start_line, 3);
        assert!(
            !outcome
                .findings
                .iter()
                .any(|f| f.message.contains("server_tokens")),
            "server_tokens is off in the http block that includes the site"
        );
        let notes: Vec<&str> = outcome
            .diagnostics
            .iter()
            .map(|d| d.path.as_str())
            .collect();
        assert_eq!(
            notes,
            [
                "nft list ruleset on ssh://prod-1",
                "ssh://prod-1/var/spool/cron/crontabs",
                "ssh://prod-1"
            ]
        );
        let kinds: Vec<DiagnosticKind> = outcome.diagnostics.iter().map(|d| d.kind).collect();
        assert_eq!(
            kinds,
            [
                DiagnosticKind::UnableToCheck,
                DiagnosticKind::UnableToCheck,
                DiagnosticKind::HostPartlyAudited
            ],
            "a program that is not installed hides nothing; refused crontabs do"
        );
        assert!(outcome.diagnostics[2]
            .message
            .contains("/var/spool/cron/crontabs"));
        assert!(!outcome.diagnostics[2].message.contains("nft"));
    }

    #[test]
    fn no_backup_job_is_not_claimed_when_the_crontabs_could_not_be_read() {
        let snapshot = |unable: Vec<UnableToCheck>| HostSnapshot {
            host: "db-1".into(),
            collected_at: std::time::SystemTime::now(),
            files: vec![SnapshotFile::text(
                "/etc/postgresql/15/main/postgresql.conf",
                Target::Postgres,
                "listen_addresses = 'localhost'\n",
            )],
            unable,
        };
        let catalog = Catalog::builtin().unwrap();
        let rules = |outcome: &ScanOutcome| -> Vec<String> {
            outcome.findings.iter().map(|f| f.rule_id.clone()).collect()
        };
        let seen = audit(&snapshot(Vec::new()), &catalog, "ssh://db-1");
        assert!(
            rules(&seen).contains(&"BAK001".to_owned()),
            "{:?}",
            rules(&seen)
        );
        assert!(seen.diagnostics.is_empty());
        let refused = UnableToCheck {
            what: "/var/spool/cron/crontabs".into(),
            why: "not permitted (Permission denied); run as root or with --sudo".into(),
            hides: vec![Target::Cron],
        };
        let blind = audit(&snapshot(vec![refused]), &catalog, "ssh://db-1");
        assert!(
            !rules(&blind).contains(&"BAK001".to_owned()),
            "{:?}",
            rules(&blind)
        );
        assert!(blind
            .diagnostics
            .iter()
            .any(|d| d.kind == DiagnosticKind::HostPartlyAudited));
    }

    /// The results of `id` in an audit of `snapshot` with results recorded: (path, status,
    /// reasons).
    fn results_of(
        snapshot: &HostSnapshot,
        id: &str,
    ) -> Vec<(Option<String>, crate::results::Status, Vec<String>)> {
        let catalog = Catalog::builtin().unwrap();
        let outcome = audit_with_results(snapshot, &catalog, "ssh://h", true);
        outcome
            .results
            .unwrap()
            .into_iter()
            .filter(|r| r.rule_id == id)
            .map(|r| (r.path, r.status, r.reasons))
            .collect()
    }

    const CRONTAB: &str = "17 3 * * * root pg_dump shop > /var/backups/shop.sql\n";
    const MACHINE: &str = "root 1 /sbin/init\nroot 2 [kthreadd]\nroot 530 /usr/sbin/sshd -D\n";

    #[test]
    fn rules_whose_input_a_failed_collection_hid_are_not_evaluated() {
        use crate::results::Status;
        let refused = |why: &str| UnableToCheck {
            what: "ps".into(),
            why: why.into(),
            hides: vec![Target::Processes],
        };
        let snapshot = |unable| HostSnapshot {
            host: "h".into(),
            collected_at: std::time::SystemTime::now(),
            files: vec![SnapshotFile::text(
                "/etc/cron.d/backup",
                Target::Cron,
                CRONTAB,
            )],
            unable,
        };
        let blind = snapshot(vec![refused("timed out after 30 s")]);
        for id in ["LIVE012", "LIVE014", "LIVE003"] {
            assert_eq!(
                results_of(&blind, id),
                [(
                    None,
                    Status::NotEvaluated,
                    vec!["not collected: ps: timed out after 30 s".to_owned()]
                )],
                "{id}"
            );
        }
        let cron = results_of(&blind, "LIVE013");
        assert!(
            cron.iter()
                .all(|(_, status, _)| *status == Status::NotEvaluated),
            "{cron:?}"
        );
        assert!(cron
            .iter()
            .any(|(path, ..)| path.as_deref() == Some("ssh://h/etc/cron.d/backup")));
        // A program that is not installed hides nothing: nothing to judge, not unknown.
        let absent = snapshot(vec![refused("not installed (command not found)")]);
        assert_eq!(results_of(&absent, "LIVE012")[0].1, Status::NotApplicable);
        // Rules of other kinds are untouched.
        assert!(results_of(&blind, "LIVE015")
            .iter()
            .all(|(_, status, _)| *status == Status::NotApplicable));
    }

    #[test]
    fn crontab_jobs_without_a_cron_daemon_are_reported_once_at_the_first_job() {
        use crate::results::Status;
        let snapshot = |ps: &str| HostSnapshot {
            host: "h".into(),
            collected_at: std::time::SystemTime::now(),
            files: vec![
                SnapshotFile::text("/.preflight/ps.txt", Target::Processes, ps),
                SnapshotFile::text("/etc/cron.d/backup", Target::Cron, CRONTAB),
                SnapshotFile::text(
                    "/etc/cron.d/certbot",
                    Target::Cron,
                    "0 */12 * * * root certbot -q renew\n",
                ),
            ],
            unable: Vec::new(),
        };
        let catalog = Catalog::builtin().unwrap();
        let stopped = audit(&snapshot(MACHINE), &catalog, "ssh://h");
        let found: Vec<(&str, &str, usize)> = stopped
            .findings
            .iter()
            .filter(|f| f.rule_id == "LIVE013")
            .map(|f| {
                (
                    f.rule_id.as_str(),
                    f.location.path.as_str(),
                    f.location.start_line,
                )
            })
            .collect();
        assert_eq!(found, [("LIVE013", "ssh://h/etc/cron.d/backup", 1)]);
        let running = format!("{MACHINE}root 512 /usr/sbin/cron -f\n");
        let clean = audit(&snapshot(&running), &catalog, "ssh://h");
        assert!(!clean.findings.iter().any(|f| f.rule_id == "LIVE013"));
        // Other users' processes hidden (no PID 1): cron may run unseen.
        let hidden = snapshot("deploy 2400 node server.js\n");
        let results = results_of(&hidden, "LIVE013");
        assert!(
            !results.is_empty() && results.iter().all(|(_, s, _)| *s == Status::NotEvaluated),
            "{results:?}"
        );
        // A static scan has no process list: the rule does not apply to its crontabs.
        let mut static_scan = snapshot(MACHINE);
        static_scan.files.remove(0);
        let results = results_of(&static_scan, "LIVE013");
        assert!(
            results.iter().all(|(_, s, _)| *s == Status::NotApplicable),
            "{results:?}"
        );
    }

    #[test]
    fn a_hostile_nginx_path_is_never_written_outside_the_private_folder() {
        let escape = std::env::temp_dir().join(format!("preflight-escape-{}", std::process::id()));
        let hostile = format!("/etc/nginx/../../../../../..{}/x.conf", escape.display());
        let snapshot = HostSnapshot {
            host: "evil".into(),
            collected_at: std::time::SystemTime::now(),
            files: vec![SnapshotFile::text(&hostile, Target::Nginx, "events {}\n")],
            unable: Vec::new(),
        };
        let catalog = Catalog::builtin().unwrap();
        let outcome = audit(&snapshot, &catalog, "ssh://evil");
        assert_eq!(outcome.files_checked, 1);
        assert!(!escape.exists(), "{} was written", escape.display());
    }
}
