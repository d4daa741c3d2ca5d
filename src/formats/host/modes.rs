//! `stat -c '%a %U %G %n'` output: the permission bits, owner and group of the files that
//! hold secrets (env files, TLS private keys), one line each.

use std::sync::Arc;

use crate::formats::{lines_with_offsets, Format, ParseContext};
use crate::source::{SourceFile, Span};

/// One file's mode and owners.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMode {
    /// The permission bits (`0o640`).
    pub mode: u32,
    /// Where the mode is written.
    pub mode_span: Span,
    /// The owning user and group, as `stat` names them.
    pub owner: String,
    /// The group.
    pub group: String,
    /// The path, as written (a host's path: attacker-controlled text).
    pub path: String,
    /// Where the path is written.
    pub path_span: Span,
}

impl FileMode {
    /// Whether every account on the host may read it (the "other read" bit).
    pub fn world_readable(&self) -> bool {
        self.mode & 0o004 != 0
    }
}

/// The files listed, in output order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileModes {
    /// One entry per readable line.
    pub files: Vec<FileMode>,
}

impl FileModes {
    /// Reads `MODE USER GROUP PATH` lines (the mode in octal, as `%a` prints it); others are
    /// skipped.
    pub fn parse(text: &str) -> Self {
        let mut files = Vec::new();
        for (start, content) in lines_with_offsets(text) {
            let mut fields = content.splitn(4, ' ');
            let (Some(mode), Some(owner), Some(group), Some(path)) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            let Ok(bits) = u32::from_str_radix(mode, 8) else {
                continue;
            };
            let path_at = start + mode.len() + owner.len() + group.len() + 3;
            files.push(FileMode {
                mode: bits,
                mode_span: Span::new(start, start + mode.len()),
                owner: owner.to_owned(),
                group: group.to_owned(),
                path: path.to_owned(),
                path_span: Span::new(path_at, path_at + path.len()),
            });
        }
        Self { files }
    }
}

/// Host state only comes from a snapshot, which says what each file is: no name claims it.
impl Format for FileModes {
    fn parse(source: &Arc<SourceFile>, _: &ParseContext) -> Self {
        Self::parse(&source.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_owners_and_paths_are_read_with_their_places() {
        let text = "644 app app /srv/shop/.env\n600 root root /etc/ssl/private/shop key.pem\nstat: cannot statx\n";
        let modes = FileModes::parse(text);
        assert_eq!(modes.files.len(), 2);
        assert!(modes.files[0].world_readable());
        assert!(!modes.files[1].world_readable());
        assert_eq!(&text[modes.files[0].mode_span.range()], "644");
        assert_eq!(
            &text[modes.files[1].path_span.range()],
            "/etc/ssl/private/shop key.pem"
        );
        assert_eq!(modes.files[0].owner, "app");
    }
}
