//! A snapshot judged: its files are inputs to the same pipeline as a static scan (the same
//! parsers, confirmation by content, template notes, includes, rules, plus the live-only
//! rules), read from memory and shown at `<prefix><path on the host>`.

use crate::discover::Input;
use crate::document::classify;
use crate::engine::{self, Inputs, ScanOutcome};
use crate::finding::{Diagnostic, DiagnosticKind};
use crate::formats::{Classification, MemoryFiles, Target};
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
    let mut view = MemoryFiles::new(location_prefix);
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
        files.push(Input {
            path: file.path.clone(),
            kind: Classification {
                target: file.target,
                confirm_by_content: guess,
            },
        });
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
