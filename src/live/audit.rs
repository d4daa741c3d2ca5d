//! A snapshot judged: its files become documents for the same analyzers and rules as a
//! static scan (plus the live-only rules), shown at `<prefix><path on the host>`.

use std::path::{Path, PathBuf};

use crate::document::{Content, Document};
use crate::engine::{self, ScanOutcome};
use crate::finding::{Diagnostic, DiagnosticKind};
use crate::live::snapshot::HostSnapshot;
use crate::policy::{Catalog, Target};
use crate::source::SourceFile;

/// Judges `snapshot` with the enabled rules of `catalog`. Every document's display path
/// is `location_prefix` followed by the file's absolute path on the host (`ssh://prod-1`
/// gives `ssh://prod-1/etc/ssh/sshd_config`; `""` gives `/etc/ssh/sshd_config`). Notes on
/// what could not be checked come back as diagnostics of kind
/// [`DiagnosticKind::UnableToCheck`].
pub fn audit(snapshot: &HostSnapshot, catalog: &Catalog, location_prefix: &str) -> ScanOutcome {
    // nginx `include`s are resolved against files on disk (globs, `sites-enabled/`), so the
    // nginx files are laid out in a private directory standing in for the host's root.
    let root = tempfile::Builder::new()
        .prefix("preflight-snapshot-")
        .tempdir()
        .ok();
    let judged_at = snapshot.collected_at_secs();
    let mut documents = Vec::new();
    let mut diagnostics = Vec::new();
    for file in &snapshot.files {
        if file.target == Target::Any {
            continue;
        }
        let shown = format!("{location_prefix}{}", file.path.display());
        let path = match (&root, file.target) {
            (Some(root), Target::Nginx) => {
                lay_out(root.path(), &file.path, &file.bytes).unwrap_or_else(|| file.path.clone())
            }
            _ => file.path.clone(),
        };
        if file.bytes[..file.bytes.len().min(8192)].contains(&0) {
            diagnostics.push(Diagnostic {
                path: shown,
                kind: DiagnosticKind::Binary,
                message: "contains NUL bytes: a binary file, not text; skipped".into(),
            });
            continue;
        }
        let source = SourceFile::from_bytes(path, shown, file.bytes.clone());
        let mut document = Document::parse(source, file.target);
        if let Content::Host(output) = &mut document.content {
            output.judge_at(judged_at);
        }
        let confirmed = !crate::discover::classify(&file.path).is_some_and(|c| {
            c.confirm_by_content && c.target == file.target && !document.confirms_kind()
        });
        if confirmed {
            documents.push(document);
        }
    }
    crate::includes::resolve(&mut documents);
    diagnostics.extend(snapshot.unable.iter().map(|note| Diagnostic {
        path: format!("{location_prefix}{}", note.what),
        kind: DiagnosticKind::UnableToCheck,
        message: note.why.clone(),
    }));
    ScanOutcome {
        findings: engine::evaluate(catalog, &documents),
        files_checked: documents.len(),
        diagnostics,
    }
}

/// Writes `bytes` at `root` + `path`, returning where.
fn lay_out(root: &Path, path: &Path, bytes: &[u8]) -> Option<PathBuf> {
    let relative = path.strip_prefix("/").unwrap_or(path);
    let target = root.join(relative);
    std::fs::create_dir_all(target.parent()?).ok()?;
    std::fs::write(&target, bytes).ok()?;
    Some(target)
}
