//! Host files deployed from files of the repository (`files = { "/etc/nginx/sites-enabled/shop"
//! = "deploy/nginx/shop.conf" }` in an inventory entry): a live finding on a host line that
//! the repository file has too is shown on the repository file's line, where code scanning
//! can show it and where it is fixed; the host's place becomes a related location.
//!
//! The repository files are named by the configuration, which a pull request may change:
//! each must be a regular file inside the configuration file's folder (after following
//! links), under the per-file size limit.

use std::path::{Path, PathBuf};

use crate::engine::ScanOutcome;
use crate::finding::{Location, RelatedLocation};
use crate::live::snapshot::HostSnapshot;

/// The message of the related location that keeps a moved finding's place on the host.
pub const DEPLOYED_HERE: &str = "deployed to the host here";

/// Largest repository file read (as a host file: the snapshot's limit).
const SIZE_LIMIT: u64 = crate::live::snapshot::SIZE_LIMIT as u64;

/// One host file and the repository file that deploys it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployedFrom {
    /// The file's absolute path on the host.
    pub host_path: PathBuf,
    /// The repository file as reports show it (relative to the working directory when
    /// below it).
    pub shown: String,
    /// Its text.
    pub text: String,
}

/// Reads the repository files `files` names (host path → path relative to `base`, the
/// configuration file's folder); an error names the entry and what is wrong, as a
/// configuration error.
pub fn read_sources(
    host: &str,
    files: &std::collections::BTreeMap<String, PathBuf>,
    base: &Path,
) -> Result<Vec<DeployedFrom>, String> {
    let wrong =
        |host_path: &str, why: String| format!("[hosts.{host}] files: {host_path:?}: {why}");
    let root = base
        .canonicalize()
        .map_err(|e| format!("[hosts.{host}] files: the configuration's folder: {e}"))?;
    let mut sources = Vec::new();
    for (host_path, relative) in files {
        if !host_path.starts_with('/') {
            return Err(wrong(host_path, "the host path must be absolute".into()));
        }
        let escapes = relative.is_absolute()
            || relative
                .components()
                .any(|c| matches!(c, std::path::Component::ParentDir));
        if escapes || relative.as_os_str().is_empty() {
            return Err(wrong(
                host_path,
                format!(
                    "{}: must be a path inside the configuration's folder, without `..`",
                    relative.display()
                ),
            ));
        }
        let joined = base.join(relative);
        let at =
            |why: &dyn std::fmt::Display| wrong(host_path, format!("{}: {why}", joined.display()));
        let real = joined.canonicalize().map_err(|e| at(&e))?;
        if !real.starts_with(&root) {
            return Err(at(&"leads outside the configuration's folder"));
        }
        let meta = std::fs::metadata(&real).map_err(|e| at(&e))?;
        if !meta.is_file() {
            return Err(at(&"not a regular file"));
        }
        if meta.len() > SIZE_LIMIT {
            return Err(at(&format!("over the {SIZE_LIMIT}-byte limit")));
        }
        let bytes = std::fs::read(&real).map_err(|e| at(&e))?;
        sources.push(DeployedFrom {
            host_path: PathBuf::from(host_path),
            shown: crate::discover::display_path(&joined),
            text: String::from_utf8_lossy(&bytes).into_owned(),
        });
    }
    Ok(sources)
}

/// For each line of `host` (0-based), the line of `repository` with the same text that a
/// line diff pairs it with; `None` for lines the host changed or added.
fn same_lines(host: &str, repository: &str) -> Vec<Option<usize>> {
    let old: Vec<&str> = host.lines().collect();
    let new: Vec<&str> = repository.lines().collect();
    let mut map = vec![None; old.len()];
    for op in crate::formats::deployed::line_diff(&old, &new) {
        if let similar::DiffOp::Equal {
            old_index,
            new_index,
            len,
        } = op
        {
            for i in 0..len {
                if let Some(slot) = map.get_mut(old_index + i) {
                    *slot = Some(new_index + i);
                }
            }
        }
    }
    map
}

/// Moves the findings on the deployed host files of `snapshot` (shown as
/// `prefix` + path) to the repository files' lines, where every line of the finding's
/// snippet is one the repository file has unchanged; the host's place is kept as the first
/// related location. Findings on lines the host changed stay on the host.
pub(crate) fn place_on_sources(
    outcome: &mut ScanOutcome,
    snapshot: &HostSnapshot,
    prefix: &str,
    sources: &[DeployedFrom],
) {
    for source in sources {
        let Some(host_file) = snapshot.files.iter().find(|f| f.path == source.host_path) else {
            continue;
        };
        let map = same_lines(&String::from_utf8_lossy(&host_file.bytes), &source.text);
        let on_host = format!("{prefix}{}", source.host_path.display());
        // Line `n` (from 1) of the host file, on the repository file (from 1).
        let moved = |n: usize| map.get(n.checked_sub(1)?).copied().flatten().map(|r| r + 1);
        for finding in outcome
            .findings
            .iter_mut()
            .filter(|f| f.location.path == on_host)
        {
            let shown_lines = finding.snippet.text.lines().count().max(1);
            let first = finding.snippet.first_line;
            let Some(first_moved) = moved(first) else {
                continue;
            };
            // The snippet's lines must stay consecutive, so its numbering holds.
            let consecutive = (0..shown_lines).all(|i| moved(first + i) == Some(first_moved + i));
            let lines = (
                moved(finding.location.start_line),
                moved(finding.location.end_line),
            );
            let (Some(start), Some(end)) = lines else {
                continue;
            };
            if !consecutive {
                continue;
            }
            let host_place = finding.location.clone();
            finding.location = Location {
                path: source.shown.as_str().into(),
                start_line: start,
                end_line: end,
                ..host_place.clone()
            };
            finding.snippet.first_line = first_moved;
            finding.related.insert(
                0,
                RelatedLocation {
                    location: host_place,
                    message: DEPLOYED_HERE.to_owned(),
                    snippet: None,
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::Target;
    use crate::live::snapshot::SnapshotFile;
    use std::collections::BTreeMap;

    fn files(pairs: &[(&str, &str)]) -> BTreeMap<String, PathBuf> {
        pairs
            .iter()
            .map(|(host, repo)| ((*host).to_owned(), PathBuf::from(repo)))
            .collect()
    }

    #[test]
    fn repository_files_are_read_only_inside_the_configurations_folder() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("repo");
        std::fs::create_dir_all(base.join("deploy")).unwrap();
        std::fs::write(base.join("deploy/shop.env"), "A=1\n").unwrap();
        std::fs::write(dir.path().join("outside.env"), "SECRET=x\n").unwrap();
        std::os::unix::fs::symlink(dir.path().join("outside.env"), base.join("deploy/link.env"))
            .unwrap();
        let read = |pairs: &[(&str, &str)]| read_sources("shop-1", &files(pairs), &base);
        let good = read(&[("/srv/shop/.env", "deploy/shop.env")]).unwrap();
        assert_eq!(good[0].host_path, PathBuf::from("/srv/shop/.env"));
        assert_eq!(good[0].text, "A=1\n");
        assert!(
            good[0].shown.ends_with("repo/deploy/shop.env"),
            "{}",
            good[0].shown
        );
        for (pairs, why) in [
            (&[("/srv/shop/.env", "../outside.env")][..], "without `..`"),
            (&[("/srv/shop/.env", "/etc/shadow")][..], "without `..`"),
            (
                &[("/srv/shop/.env", "deploy/link.env")][..],
                "outside the configuration",
            ),
            (&[("/srv/shop/.env", "deploy")][..], "not a regular file"),
            (&[("/srv/shop/.env", "deploy/none.env")][..], "No such file"),
            (
                &[("srv/shop/.env", "deploy/shop.env")][..],
                "must be absolute",
            ),
        ] {
            let error = read(pairs).unwrap_err();
            assert!(
                error.contains(why) && error.contains("[hosts.shop-1]"),
                "{error}"
            );
            assert!(!error.contains("SECRET"), "{error}");
        }
    }

    #[test]
    fn findings_on_lines_the_repository_file_has_move_there_and_others_stay() {
        let host_text = "DEBUG=true\nSECRET_KEY=short-secret-PF1\nDATABASE_URL=postgres://shop:pw@db.internal/shop\n";
        // The repository adds a comment on top and sets DEBUG=false: the host drifted there.
        let repo_text = "# deployed by the playbook\nDEBUG=false\nSECRET_KEY=short-secret-PF1\nDATABASE_URL=postgres://shop:pw@db.internal/shop\n";
        let snapshot = HostSnapshot {
            host: "shop-1".into(),
            collected_at: std::time::SystemTime::now(),
            files: vec![SnapshotFile::text("/srv/shop/.env", Target::Env, host_text)],
            unable: Vec::new(),
        };
        let catalog = crate::policy::Catalog::builtin().unwrap();
        let before: Vec<(String, usize)> =
            crate::live::audit::audit(&snapshot, &catalog, "ssh://shop-1")
                .findings
                .iter()
                .map(|f| (f.rule_id.clone(), f.location.start_line))
                .collect();
        assert!(before.contains(&("ENV001".into(), 1)), "{before:?}");
        assert!(before.contains(&("ENV012".into(), 2)), "{before:?}");
        let sources = vec![DeployedFrom {
            host_path: PathBuf::from("/srv/shop/.env"),
            shown: "deploy/shop.env".into(),
            text: repo_text.into(),
        }];
        let outcome = crate::live::audit::audit_deployed(
            &snapshot,
            &catalog,
            "ssh://shop-1",
            false,
            &sources,
        );
        let at = |rule: &str| {
            let f = outcome.findings.iter().find(|f| f.rule_id == rule).unwrap();
            (
                f.location.path.as_str(),
                f.location.start_line,
                f.snippet.first_line,
            )
        };
        // DEBUG differs from the repository's line: the finding stays on the host.
        assert_eq!(at("ENV001"), ("ssh://shop-1/srv/shop/.env", 1, 1));
        // The secret's line is the repository's line 3.
        assert_eq!(at("ENV012"), ("deploy/shop.env", 3, 3));
        let moved = outcome
            .findings
            .iter()
            .find(|f| f.rule_id == "ENV012")
            .unwrap();
        assert_eq!(moved.related[0].location.path, "ssh://shop-1/srv/shop/.env");
        assert_eq!(moved.related[0].location.start_line, 2);
        assert_eq!(moved.host.as_deref(), Some("shop-1"));
        assert!(
            !moved.snippet.text.contains("short-secret"),
            "{}",
            moved.snippet.text
        );
        // The drift itself: at the repository's first line the host lacks, the host's
        // first line the repository lacks related.
        let drift = outcome
            .findings
            .iter()
            .find(|f| f.rule_id == "LIVE017")
            .unwrap();
        assert_eq!(
            (drift.location.path.as_str(), drift.location.start_line),
            ("deploy/shop.env", 1)
        );
        assert_eq!(drift.related[0].location.path, "ssh://shop-1/srv/shop/.env");
        assert_eq!(drift.related[0].location.start_line, 1);
        assert!(
            drift
                .message
                .contains("(2 of this file's lines are not on the host, 1 of the host's"),
            "{}",
            drift.message
        );
        assert_eq!(drift.host.as_deref(), Some("shop-1"));
    }

    #[test]
    fn a_drifted_secret_line_is_reported_masked_and_an_identical_file_is_not() {
        let snapshot = HostSnapshot {
            host: "shop-1".into(),
            collected_at: std::time::SystemTime::now(),
            files: vec![SnapshotFile::text(
                "/srv/shop/.env",
                Target::Env,
                "DEBUG=false\nSECRET_KEY=PF-CANARY-host-7c1d0e9a5b3f2a8c4e6d1b0a9f8e7d6c\n",
            )],
            unable: Vec::new(),
        };
        let catalog = crate::policy::Catalog::builtin().unwrap();
        let judged = |text: &str| {
            let sources = [DeployedFrom {
                host_path: PathBuf::from("/srv/shop/.env"),
                shown: "deploy/shop.env".into(),
                text: text.into(),
            }];
            crate::live::audit::audit_deployed(&snapshot, &catalog, "ssh://shop-1", false, &sources)
        };
        let drifted =
            judged("DEBUG=false\nSECRET_KEY=PF-CANARY-repo-0f9e8d7c6b5a49382716a5b4c3d2e1f0\n");
        let drift = drifted
            .findings
            .iter()
            .find(|f| f.rule_id == "LIVE017")
            .unwrap();
        assert_eq!(drift.location.start_line, 2);
        assert_eq!(drift.related[0].location.start_line, 2);
        let shown = serde_json::to_string(&drifted.findings).unwrap();
        assert!(!shown.contains("PF-CANARY"), "{shown}");
        assert!(
            drift.snippet.text.starts_with("SECRET_KEY=*"),
            "{}",
            drift.snippet.text
        );
        let same =
            judged("DEBUG=false\nSECRET_KEY=PF-CANARY-host-7c1d0e9a5b3f2a8c4e6d1b0a9f8e7d6c\n");
        assert!(same.findings.iter().all(|f| f.rule_id != "LIVE017"));
    }
}
