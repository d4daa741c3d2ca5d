//! The backup listing the snapshot collects for each configured backup directory: a
//! header line naming the directory and the allowed age, then the newest files with their
//! modification times (never their contents), as this shell loop prints them:
//!
//! ```text
//! # backup-dir /var/backups/db max-age=93600
//! 1732456800.1234567890 /var/backups/db/shop-2024-11-24.sql.gz
//! # backup-dir /srv/missing max-age=93600 missing
//! # backup-dir /var/backups/shop max-age=93600 job
//! ```
//!
//! `job` marks a folder the host's own backup job names (its dump's output), which the
//! snapshot found without `--backup-dir`; its allowed age comes from the job's schedule.

use crate::formats::lines_with_offsets;
use crate::formats::{Format, ParseContext};
use crate::source::SourceFile;
use crate::source::Span;
use std::sync::Arc;

/// One directory's listing.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupDir {
    /// The directory.
    pub path: String,
    /// Where the directory is written.
    pub path_span: Span,
    /// The oldest the newest file may be, in seconds.
    pub max_age: u64,
    /// The directory does not exist (or is not a directory).
    pub missing: bool,
    /// A backup job names the directory (not `--backup-dir`).
    pub named_by_job: bool,
    /// The newest file.
    pub newest: Option<BackupFile>,
    /// The header line.
    pub span: Span,
}

/// A file in a backup directory.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupFile {
    /// Its modification time, in seconds since the epoch.
    pub time: f64,
    /// Its path.
    pub path: String,
    /// Where the path is written.
    pub path_span: Span,
    /// Its line.
    pub span: Span,
}

/// All directories of a listing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BackupListing {
    /// Directories in listing order.
    pub dirs: Vec<BackupDir>,
    /// The moment ages are judged against (seconds since the epoch): the snapshot's
    /// `collected_at`, or `None` for "now".
    pub judged_at: Option<i64>,
}

impl BackupListing {
    /// Reads a listing; lines before the first header and unreadable lines are ignored.
    pub fn parse(text: &str) -> Self {
        let mut dirs: Vec<BackupDir> = Vec::new();
        for (start, content) in lines_with_offsets(text) {
            let span = Span::new(start, start + content.len());
            const HEADER: &str = "# backup-dir ";
            if let Some(header) = content.strip_prefix(HEADER) {
                let mut words: Vec<&str> = header.split(' ').collect();
                let missing = words.last() == Some(&"missing");
                if missing {
                    words.pop();
                }
                let named_by_job = words.last() == Some(&"job");
                if named_by_job {
                    words.pop();
                }
                let max_age = words
                    .last()
                    .and_then(|w| w.strip_prefix("max-age="))
                    .and_then(|n| n.parse().ok());
                if let Some(max_age) = max_age {
                    words.pop();
                    let path = words.join(" ");
                    let path_at = start + HEADER.len();
                    dirs.push(BackupDir {
                        path_span: Span::new(path_at, path_at + path.len()),
                        path,
                        max_age,
                        missing,
                        named_by_job,
                        newest: None,
                        span,
                    });
                }
                continue;
            }
            let Some(dir) = dirs.last_mut() else {
                continue;
            };
            let Some((time, path)) = content.split_once(' ') else {
                continue;
            };
            let Ok(time) = time.parse::<f64>() else {
                continue;
            };
            if dir.newest.as_ref().is_none_or(|newest| time > newest.time) {
                let path_at = span.end - path.len();
                dir.newest = Some(BackupFile {
                    time,
                    path: path.to_owned(),
                    path_span: Span::new(path_at, span.end),
                    span,
                });
            }
        }
        Self {
            dirs,
            judged_at: None,
        }
    }
}

/// Host state only comes from a snapshot, which says what each file is: no name claims it.
impl Format for BackupListing {
    fn parse(source: &Arc<SourceFile>, context: &ParseContext) -> Self {
        let mut parsed = Self::parse(&source.text);
        parsed.judged_at = context.judged_at;
        parsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_headers_and_keeps_the_newest_file() {
        // The shape `find DIR -type f -printf '%T@ %p\n'` prints (GNU findutils 4.9).
        let text = "# backup-dir /var/backups/db max-age=93600\n\
                    1732456800.1234567890 /var/backups/db/a.sql.gz\n\
                    1732543200.0000000000 /var/backups/db/my dump.sql.gz\n\
                    # backup-dir /srv/empty max-age=3600\n\
                    # backup-dir /srv/gone dir max-age=93600 missing\n\
                    # backup-dir /var/backups/shop max-age=612000 job missing\n";
        let listing = BackupListing::parse(text);
        assert_eq!(listing.dirs.len(), 4);
        let named = &listing.dirs[3];
        assert_eq!(
            (
                named.path.as_str(),
                named.max_age,
                named.named_by_job,
                named.missing
            ),
            ("/var/backups/shop", 612000, true, true)
        );
        assert!(!listing.dirs[0].named_by_job);
        let db = &listing.dirs[0];
        assert_eq!(db.path, "/var/backups/db");
        assert_eq!(db.max_age, 93600);
        let newest = db.newest.as_ref().unwrap();
        assert_eq!(newest.time, 1732543200.0);
        assert_eq!(newest.path, "/var/backups/db/my dump.sql.gz");
        assert_eq!(&text[newest.path_span.range()], newest.path);
        assert!(text[newest.span.range()].starts_with("1732543200"));
        assert_eq!(&text[db.path_span.range()], "/var/backups/db");
        assert!(listing.dirs[1].newest.is_none() && !listing.dirs[1].missing);
        assert_eq!(listing.dirs[2].path, "/srv/gone dir");
        assert_eq!(&text[listing.dirs[2].path_span.range()], "/srv/gone dir");
        assert!(listing.dirs[2].missing);
    }
}
