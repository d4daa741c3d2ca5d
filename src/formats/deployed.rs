//! A repository file that deploys a host file (an inventory's `files` mapping, see
//! [`crate::live::deployed`]), put next to the host's snapshot at
//! [`REPOSITORY_DIR`]`/<host path>` and shown at its repository path. It is compared with the
//! host's copy, read from the same snapshot; which of its spans are secrets is what the host
//! file's own format says (see `Document::sensitive`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::formats::{Format, ParseContext};
use crate::source::{SourceFile, Span};

/// Where the repository copies live in a host's snapshot view (no host has this folder).
pub const REPOSITORY_DIR: &str = "/.repository";

/// How the repository file and the host's copy differ.
#[derive(Debug, Clone)]
pub struct Difference {
    /// The first line of the repository file that the host does not have (or the end of
    /// the file, when the host only added lines).
    pub repository_line: Span,
    /// The host's copy, and its first line that the repository file does not have (or its
    /// end, when the host only lacks lines).
    pub host: Arc<SourceFile>,
    pub host_line: Span,
    /// Lines only the repository file has, and lines only the host has.
    pub only_in_repository: usize,
    pub only_on_host: usize,
}

/// The parsed repository copy.
#[derive(Debug, Clone, Default)]
pub struct DeployedCopy {
    /// Where the file is deployed to on the host.
    pub host_path: PathBuf,
    /// How it differs from the host's copy; `None` when they are the same or the host's
    /// copy was not collected.
    pub difference: Option<Difference>,
}

/// Longest a line diff may take; past it, similar pairs what it has, so a hostile pair
/// of files costs no more.
const DIFF_TIME: std::time::Duration = std::time::Duration::from_secs(1);

/// The operations that turn the lines `old` (the host's) into `new` (the repository's),
/// within [`DIFF_TIME`].
pub fn line_diff(old: &[&str], new: &[&str]) -> Vec<similar::DiffOp> {
    similar::capture_diff_deadline(
        similar::Algorithm::Patience,
        old,
        0..old.len(),
        new,
        0..new.len(),
        Some(std::time::Instant::now() + DIFF_TIME),
    )
}

impl Format for DeployedCopy {
    fn parse(source: &Arc<SourceFile>, cx: &ParseContext) -> Self {
        let Ok(host_path) = source.path.strip_prefix(REPOSITORY_DIR) else {
            return Self::default();
        };
        let host_path = Path::new("/").join(host_path);
        let difference = cx
            .files
            .read(&host_path)
            .ok()
            .and_then(|host| difference(source, Arc::new(host)));
        Self {
            host_path,
            difference,
        }
    }
}

/// How `repository` and `host` differ, line by line; `None` when they do not.
fn difference(repository: &SourceFile, host: Arc<SourceFile>) -> Option<Difference> {
    if repository.text == host.text {
        return None;
    }
    let old: Vec<&str> = host.text.lines().collect();
    let new: Vec<&str> = repository.text.lines().collect();
    let ops = line_diff(&old, &new);
    let (mut only_on_host, mut only_in_repository) = (0, 0);
    let mut first: Option<(usize, usize)> = None;
    for op in ops {
        let (old_range, new_range) = (op.old_range(), op.new_range());
        if matches!(op, similar::DiffOp::Equal { .. }) {
            continue;
        }
        only_on_host += old_range.len();
        only_in_repository += new_range.len();
        first.get_or_insert((old_range.start, new_range.start));
    }
    // Same lines, other line endings or a final newline: say so at the end.
    let (host_index, repository_index) = first.unwrap_or((old.len(), new.len()));
    let line_at = |file: &SourceFile, index: usize| {
        if index < file.text.lines().count() {
            file.lines.line_span(&file.text, index)
        } else {
            Span::new(file.text.len(), file.text.len())
        }
    };
    Some(Difference {
        repository_line: line_at(repository, repository_index),
        host_line: line_at(&host, host_index),
        host,
        only_in_repository,
        only_on_host,
    })
}
