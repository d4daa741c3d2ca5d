//! `df -P -k` output from a host: each mounted filesystem's size, use and mount point, in
//! POSIX's portable format (one line per filesystem, 1024-byte blocks), which GNU coreutils
//! and busybox print alike.
//!
//! After the table the collector prints `# data DIR` for each data folder (databases,
//! Docker, backups) the host has, so a full filesystem can be named by what it holds.
//!
//! ```text
//! Filesystem     1024-blocks     Used Available Capacity Mounted on
//! /dev/vda1         41152736 37812344   1426808      97% /
//! tmpfs              2008220        0   2008220       0% /dev/shm
//! # data /var/lib/postgresql
//! ```

use crate::formats::lines_with_offsets;
use crate::formats::{Format, ParseContext};
use crate::source::{SourceFile, Span};
use std::sync::Arc;

/// One filesystem line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filesystem {
    /// The device or source (`/dev/vda1`, `tmpfs`, `overlay`).
    pub source: String,
    /// Size, used and available space in KiB.
    pub size_kib: u64,
    pub used_kib: u64,
    pub available_kib: u64,
    /// The mount point (may contain spaces: it is the rest of the line).
    pub mount: String,
    /// The whole line.
    pub span: Span,
}

/// Filesystems that hold no data of their own: memory-backed, the kernel's, and read-only
/// images that are always full by design (snap packages' squashfs loops).
const NOT_STORAGE: &[&str] = &[
    "tmpfs", "devtmpfs", "udev", "none", "shm", "proc", "sysfs", "cgroup",
];

impl Filesystem {
    /// Used space as a share of what users may fill (`used / (used + available)`, as
    /// `df`'s own Capacity column computes it: the root-reserved blocks do not count).
    pub fn used_percent(&self) -> u64 {
        let usable = self.used_kib + self.available_kib;
        if usable == 0 {
            return 0;
        }
        (self.used_kib * 100).div_ceil(usable)
    }

    /// Whether it stores data that can fill up: not memory or the kernel's, not a loop
    /// image mounted read-only under `/snap`.
    pub fn is_storage(&self) -> bool {
        !NOT_STORAGE.contains(&self.source.as_str())
            && !self.source.starts_with("/dev/loop")
            && !["/proc", "/sys", "/dev", "/run", "/snap"]
                .iter()
                .any(|p| self.mount == *p || self.mount.starts_with(&format!("{p}/")))
            && self.size_kib > 0
    }

    /// Whether `path` lies on this filesystem's mount point (not yet which of several).
    pub fn contains(&self, path: &str) -> bool {
        self.mount == "/"
            || path == self.mount
            || path
                .strip_prefix(self.mount.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
    }
}

/// The data folders the collector looks for (see [`DATA_DIRS_COMMAND`]).
pub const DATA_DIRS: &[&str] = &[
    "/var/lib/postgresql",
    "/var/lib/pgsql",
    "/var/lib/mysql",
    "/var/lib/redis",
    "/var/lib/mongodb",
    "/var/lib/docker",
    "/var/backups",
    "/backup",
    "/backups",
    "/srv/backups",
];

/// The parsed output.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiskUsage {
    /// Filesystems in output order; lines that are not six columns of numbers are skipped.
    pub filesystems: Vec<Filesystem>,
    /// The `# data DIR` lines: data folders the host has, and where each is named.
    pub data_dirs: Vec<(String, Span)>,
}

impl DiskUsage {
    pub fn parse(text: &str) -> Self {
        let mut filesystems = Vec::new();
        let mut data_dirs = Vec::new();
        for (start, content) in lines_with_offsets(text) {
            if let Some(dir) = content.strip_prefix("# data ") {
                if data_dirs.len() < DATA_DIRS.len() {
                    let offset = start + content.len() - dir.len();
                    data_dirs.push((
                        dir.trim().to_owned(),
                        Span::new(offset, start + content.len()),
                    ));
                }
                continue;
            }
            let mut words = content.split_whitespace();
            let (Some(source), Some(size), Some(used), Some(available), Some(capacity)) = (
                words.next(),
                words.next(),
                words.next(),
                words.next(),
                words.next(),
            ) else {
                continue;
            };
            let (Ok(size_kib), Ok(used_kib), Ok(available_kib)) =
                (size.parse(), used.parse(), available.parse())
            else {
                continue; // the header, or a line `df` wrapped
            };
            if !capacity.ends_with('%') {
                continue;
            }
            // The mount point is the rest of the line after the capacity column (the fifth
            // word; `split_whitespace` hands out slices of `content`).
            let at = capacity.as_ptr() as usize - content.as_ptr() as usize + capacity.len();
            let mount = content[at..].trim();
            if mount.is_empty() {
                continue;
            }
            filesystems.push(Filesystem {
                source: source.to_owned(),
                size_kib,
                used_kib,
                available_kib,
                mount: mount.to_owned(),
                span: Span::new(start, start + content.len()),
            });
        }
        Self {
            filesystems,
            data_dirs,
        }
    }

    /// The data folders stored on `filesystem`.
    pub fn data_on<'a>(
        &'a self,
        filesystem: &'a Filesystem,
    ) -> impl Iterator<Item = &'a (String, Span)> {
        self.data_dirs
            .iter()
            .filter(move |(dir, _)| self.holding(dir) == Some(filesystem))
    }

    /// The filesystem `path` is stored on: the one with the longest mount point that
    /// contains it.
    pub fn holding(&self, path: &str) -> Option<&Filesystem> {
        self.filesystems
            .iter()
            .filter(|f| f.contains(path))
            .max_by_key(|f| f.mount.len())
    }
}

/// Host state only comes from a snapshot, which says what each file is: no name claims it.
impl Format for DiskUsage {
    fn parse(source: &Arc<SourceFile>, _: &ParseContext) -> Self {
        Self::parse(&source.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filesystems_are_read_with_their_mount_points_and_use() {
        let text = "Filesystem     1024-blocks     Used Available Capacity Mounted on\n/dev/vda1         41152736 37812344   1426808      97% /\ntmpfs              2008220        0   2008220       0% /dev/shm\n/dev/vdb1        103081248 51540624  46281376      53% /var/lib/postgresql\n/dev/loop3           65536    65536         0     100% /snap/core20/2015\n/dev/sdc1          1000000   900000    100000      90% /mnt/backup disk\n";
        let df = DiskUsage::parse(text);
        let mounts: Vec<&str> = df.filesystems.iter().map(|f| f.mount.as_str()).collect();
        assert_eq!(
            mounts,
            [
                "/",
                "/dev/shm",
                "/var/lib/postgresql",
                "/snap/core20/2015",
                "/mnt/backup disk"
            ]
        );
        assert_eq!(df.filesystems[0].used_percent(), 97);
        let storage: Vec<&str> = df
            .filesystems
            .iter()
            .filter(|f| f.is_storage())
            .map(|f| f.mount.as_str())
            .collect();
        assert_eq!(storage, ["/", "/var/lib/postgresql", "/mnt/backup disk"]);
        assert_eq!(
            df.holding("/var/lib/postgresql/15/main")
                .map(|f| f.mount.as_str()),
            Some("/var/lib/postgresql")
        );
        assert_eq!(
            df.holding("/var/lib/mysql").map(|f| f.mount.as_str()),
            Some("/")
        );
        let with_data = DiskUsage::parse(&format!(
            "{text}# data /var/lib/postgresql\n# data /var/backups\n"
        ));
        let on = |i: usize| -> Vec<&str> {
            with_data
                .data_on(&with_data.filesystems[i])
                .map(|(dir, _)| dir.as_str())
                .collect()
        };
        assert_eq!(on(0), ["/var/backups"]);
        assert_eq!(on(2), ["/var/lib/postgresql"]);
        assert_eq!(
            df.holding("/var/lib/postgresql-old")
                .map(|f| f.mount.as_str()),
            Some("/"),
            "a mount point is a whole path component"
        );
        let line = &text[df.filesystems[0].span.start..df.filesystems[0].span.end];
        assert!(line.starts_with("/dev/vda1") && line.ends_with("97% /"));
    }

    #[test]
    fn lines_that_are_not_filesystems_are_skipped() {
        let df = DiskUsage::parse("df: /mnt/gone: Stale file handle\nFilesystem 1024-blocks Used Available Capacity Mounted on\n/dev/x 10 5 5 50%\n\u{0}\u{ff} 1 2 3 4% /\n");
        assert_eq!(df.filesystems.len(), 1);
        assert_eq!(df.filesystems[0].used_percent(), 40);
    }
}
