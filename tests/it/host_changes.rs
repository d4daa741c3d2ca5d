//! Changes a test makes to this machine's real files (configuration in `/etc`, an
//! application under `/srv`), recorded so they are undone when the test ends, fails, or is
//! killed (the next run undoes what a killed one left); and the lock that keeps the tests
//! that change the machine apart from those that audit it.

use std::path::{Path, PathBuf};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Held for writing by a test that changes the machine's files or services, for reading by
/// one that audits the machine and compares two collections: a planted `redis.conf` must not
/// appear in one run of a comparison and not in the other.
static MACHINE: RwLock<()> = RwLock::new(());

/// Waits until no other test changes the machine.
pub fn machine_unchanged() -> RwLockReadGuard<'static, ()> {
    MACHINE
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Waits until no other test audits or changes the machine.
pub fn machine_to_change() -> RwLockWriteGuard<'static, ()> {
    MACHINE
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The suffix of a backup entry that records a file or folder the test created.
const CREATED: &str = ".preflight-created";

/// Changes to real host files, undone when dropped (a failing test included).
pub struct HostChanges {
    backup: PathBuf,
}

impl HostChanges {
    /// Puts back what an earlier, killed run left in `backup` (a folder under `/var/tmp`
    /// of the test's own, where the originals are kept until they are put back), then
    /// starts recording.
    pub fn begin(backup: &str) -> Self {
        let backup = PathBuf::from(backup);
        undo(&backup);
        std::fs::create_dir_all(&backup).expect("backup folder");
        Self { backup }
    }

    /// Records the original of `path` (or that it and which folders above it are created)
    /// and makes its folder; returns the original bytes.
    fn prepare(&self, path: &Path) -> Vec<u8> {
        let mut missing = Vec::new();
        let mut at = path;
        while !at.exists() {
            missing.push(at.to_path_buf());
            at = at.parent().expect("under /");
        }
        for created in missing.iter().rev() {
            self.record(created, None);
        }
        let original = std::fs::read(path).unwrap_or_default();
        if missing.is_empty() {
            self.record(path, Some(&original));
        }
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        original
    }

    /// Writes `text` as the whole host file `path`, recording what was there.
    pub fn write(&self, path: &str, text: &str) {
        self.prepare(Path::new(path));
        std::fs::write(path, text).expect("write a host file");
    }

    /// Makes the folder `path` (and those above it), recording which were created.
    pub fn folder(&self, path: &str) {
        let path = Path::new(path);
        if !path.is_dir() {
            self.prepare(&path.join("x"));
        }
    }

    /// Appends `text` to the host file `path`, creating it (and missing folders) if needed;
    /// the original (or its absence) is recorded first. Returns the line `text` starts on.
    pub fn append(&self, path: &str, text: &str) -> usize {
        let path = Path::new(path);
        let original = self.prepare(path);
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)
            .expect("open for appending");
        let newline = if original.is_empty() || original.ends_with(b"\n") {
            ""
        } else {
            "\n"
        };
        std::io::Write::write_all(&mut file, format!("{newline}{text}").as_bytes())
            .expect("append");
        original.split(|&b| b == b'\n').count() + usize::from(!newline.is_empty())
    }

    /// Keeps `original` (or, for `None`, a note that `path` was created) under the backup.
    fn record(&self, path: &Path, original: Option<&[u8]>) {
        let kept = self.backup.join(path.strip_prefix("/").expect("absolute"));
        std::fs::create_dir_all(kept.parent().expect("parent")).expect("mkdir");
        match original {
            Some(bytes) if !kept.exists() => std::fs::write(&kept, bytes).expect("backup"),
            Some(_) => {}
            None => std::fs::write(format!("{}{CREATED}", kept.display()), b"").expect("note"),
        }
    }
}

impl Drop for HostChanges {
    fn drop(&mut self) {
        undo(&self.backup);
    }
}

/// Restores every original kept under `backup`, removes what the test created (deepest
/// first), then the backup itself.
pub fn undo(backup: &Path) {
    if !backup.is_dir() {
        return;
    }
    let mut created = Vec::new();
    for kept in files_under(backup) {
        let host = Path::new("/").join(kept.strip_prefix(backup).expect("under the backup"));
        match host.to_str().and_then(|h| h.strip_suffix(CREATED)) {
            Some(made) => created.push(PathBuf::from(made)),
            // Written in place: the owner and mode of the host file stay.
            None => std::fs::write(&host, std::fs::read(&kept).expect("backup"))
                .expect("restore the original"),
        }
    }
    created.sort_by_key(|p| std::cmp::Reverse(p.components().count()));
    for made in created {
        // A created folder may hold what the test made there by other means (certificates
        // from openssl, dumps): nothing in it was there before.
        let _ = std::fs::remove_file(&made).or_else(|_| std::fs::remove_dir_all(&made));
    }
    std::fs::remove_dir_all(backup).expect("remove the backup");
}

/// The regular files under `dir` (links are not followed), sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries {
        let path = entry.expect("entry").path();
        let kind = std::fs::symlink_metadata(&path).expect("stat").file_type();
        if kind.is_dir() {
            files.extend(files_under(&path));
        } else if kind.is_file() {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The folders `depth` levels under `root`.
pub fn glob_dirs(root: &str, depth: usize) -> Vec<PathBuf> {
    let mut level = vec![PathBuf::from(root)];
    for _ in 0..depth {
        level = level
            .iter()
            .filter_map(|d| std::fs::read_dir(d).ok())
            .flatten()
            .map(|e| e.expect("entry").path())
            .filter(|p| p.is_dir())
            .collect();
    }
    level.sort();
    level
}

/// The first PostgreSQL cluster's configuration folder (`/etc/postgresql/15/main`).
pub fn postgres_cluster() -> Option<PathBuf> {
    glob_dirs("/etc/postgresql", 2)
        .into_iter()
        .find(|d| d.join("pg_hba.conf").is_file() && d.join("postgresql.conf").is_file())
}
