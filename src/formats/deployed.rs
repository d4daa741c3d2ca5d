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
    /// The differing parts in file order, at most [`MAX_HUNKS`].
    pub hunks: Vec<Hunk>,
    /// Differing parts past [`MAX_HUNKS`].
    pub more_hunks: usize,
}

/// One differing part: the lines only the repository file has and those only the host has
/// in their place (either may be none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk {
    /// The repository file's lines (0-based), and their span (empty where none).
    pub repository_lines: std::ops::Range<usize>,
    pub repository: Span,
    /// The host's lines, and their span.
    pub host_lines: std::ops::Range<usize>,
    pub host: Span,
}

/// Most differing parts a drift finding lists, each with its lines.
pub const MAX_HUNKS: usize = 8;

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
    let (mut hunks, mut more_hunks) = (Vec::new(), 0);
    let lines_span = |file: &SourceFile, lines: &std::ops::Range<usize>| {
        if lines.is_empty() {
            let at = line_at(file, lines.start).start;
            return Span::new(at, at);
        }
        let first = file.lines.line_span(&file.text, lines.start);
        let last = file.lines.line_span(&file.text, lines.end - 1);
        Span::new(first.start, last.end)
    };
    for op in ops {
        let (old_range, new_range) = (op.old_range(), op.new_range());
        if matches!(op, similar::DiffOp::Equal { .. }) {
            continue;
        }
        only_on_host += old_range.len();
        only_in_repository += new_range.len();
        if hunks.len() == MAX_HUNKS {
            more_hunks += 1;
            continue;
        }
        hunks.push(Hunk {
            repository: lines_span(repository, &new_range),
            repository_lines: new_range,
            host: lines_span(&host, &old_range),
            host_lines: old_range,
        });
    }
    // Same lines, other line endings or a final newline: say so at the end.
    let (host_index, repository_index) = hunks.first().map_or((old.len(), new.len()), |h| {
        (h.host_lines.start, h.repository_lines.start)
    });
    Some(Difference {
        repository_line: line_at(repository, repository_index),
        host_line: line_at(&host, host_index),
        host,
        only_in_repository,
        only_on_host,
        hunks,
        more_hunks,
    })
}

/// The span of line `index` of `file`, or its end past the last line.
fn line_at(file: &SourceFile, index: usize) -> Span {
    if index < file.text.lines().count() {
        file.lines.line_span(&file.text, index)
    } else {
        Span::new(file.text.len(), file.text.len())
    }
}
