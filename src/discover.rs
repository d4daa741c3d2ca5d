//! Finding the files to check: a parallel walk of the given paths, skipping VCS and
//! dependency folders and the user's `exclude` globs, classifying each file by its name.
//!
//! `.gitignore` is deliberately *not* honoured by default: `.env` files are git-ignored by
//! design, yet they are exactly what a pre-flight on a deploy host must check. Pass
//! `--respect-gitignore` (or set `respect_gitignore = true`) for a "what would be committed"
//! view.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::{WalkBuilder, WalkState};

use crate::document::{classify, is_entry_point};
use crate::finding::{Diagnostic, DiagnosticKind};
use crate::formats::{
    absolute_normal, is_binary, parts_are_names, working_directory, Classification, Files,
    Unreadable,
};
use crate::source::SourceFile;

/// Folders no deployment file lives in, skipped without looking inside.
pub const SKIPPED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "target",
    "vendor",
    ".venv",
    "venv",
    "__pycache__",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
    "bower_components",
    ".terraform",
    ".next",
    ".nuxt",
];

/// How to walk.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Glob patterns of paths to leave out, relative to `exclude_base`.
    pub exclude: Vec<String>,
    /// The directory `exclude` patterns are relative to (where `preflight.toml` is).
    pub exclude_base: PathBuf,
    /// Honour `.gitignore` files.
    pub respect_gitignore: bool,
    /// Files larger than this are not read.
    pub max_file_size: u64,
    /// The `helm` Helm charts are rendered with; none leaves them as templates.
    pub helm: Option<crate::formats::helm::Helm>,
}

/// A file to check.
#[derive(Debug, Clone)]
pub struct Input {
    /// Where it is.
    pub path: PathBuf,
    /// What its name says it is.
    pub kind: Classification,
    /// Found by the directory walk as a regular file, not a link, in folders the walk let
    /// in only when they lead inside the scan: read without asking again where it leads
    /// ([`Files::read_found`]).
    pub found_plain: bool,
}

impl Input {
    /// A file named otherwise than by the walk (on the command line, by another file, by a
    /// producer of inputs): read the careful way.
    pub fn new(path: PathBuf, kind: Classification) -> Self {
        Self {
            path,
            kind,
            found_plain: false,
        }
    }
}

/// Compiles exclude patterns; a pattern without `/` matches a name at any depth, like
/// `.gitignore` does.
pub fn exclude_set(patterns: &[String]) -> Result<GlobSet, globset::Error> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let pattern = pattern.trim_end_matches('/');
        let anchored = pattern.trim_start_matches("./");
        let base = if anchored.contains('/') {
            anchored.to_owned()
        } else {
            format!("**/{anchored}")
        };
        builder.add(Glob::new(&base)?);
        builder.add(Glob::new(&format!("{base}/**"))?);
    }
    builder.build()
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct Walked {
    /// Files of known kinds, sorted by path.
    pub inputs: Vec<Input>,
    /// Files that name inputs without being checked themselves (`manage.py`).
    pub entry_points: Vec<PathBuf>,
    /// What could not be walked.
    pub diagnostics: Vec<Diagnostic>,
}

/// Walks `paths` in parallel. Files named explicitly are always kept (and reported when of
/// no known kind); directories are searched for known kinds.
/// What a template named after a file of a kind preflight checks (`nginx.conf.j2`,
/// `docker-compose.yml.tmpl`) would be once rendered: read only to confirm a guessed kind,
/// then reported once as not checked (see `engine`).
fn template_kind(path: &Path) -> Option<Classification> {
    classify(&crate::formats::template::rendered(path)?.1)
}

pub fn discover(paths: &[PathBuf], options: &WalkOptions, excludes: &GlobSet) -> Walked {
    let found = Mutex::new(Vec::new());
    let problems = Mutex::new(Vec::new());
    let entry_points = Mutex::new(Vec::new());
    let left_roots: Arc<Mutex<Vec<PathBuf>>> = Arc::new(Mutex::new(Vec::new()));
    let mut dirs = Vec::new();
    for path in paths {
        if path.is_dir() {
            dirs.push(path.clone());
        } else {
            match classify(path).or_else(|| template_kind(path)) {
                Some(kind) => lock(&found).push(Input::new(path.clone(), kind)),
                None => lock(&problems).push(Diagnostic {
                    role: None,
                    path: display_path(path),
                    kind: DiagnosticKind::Unrecognised,
                    message: "not a kind of file preflight checks (by its name); it was skipped"
                        .into(),
                }),
            }
        }
    }
    if let Some((first, rest)) = dirs.split_first() {
        let mut builder = WalkBuilder::new(first);
        for dir in rest {
            builder.add(dir);
        }
        let base = std::path::absolute(&options.exclude_base)
            .unwrap_or_else(|_| options.exclude_base.clone());
        let excludes = excludes.clone();
        // A folder reached through a symbolic link is walked only when it is inside the
        // folders named (a link to `/`, `/proc` or a home folder would read the machine).
        let roots: Vec<PathBuf> = dirs.iter().filter_map(|d| d.canonicalize().ok()).collect();
        let left = Arc::clone(&left_roots);
        let leaves_roots = move |entry: &ignore::DirEntry| {
            entry.path_is_symlink()
                && entry
                    .path()
                    .canonicalize()
                    .map_or(true, |target| !roots.iter().any(|r| target.starts_with(r)))
        };
        let excluded = move |path: &Path| {
            // Most scans exclude nothing: no path to build for each entry of the walk.
            if excludes.is_empty() {
                return false;
            }
            // As `std::path::absolute` (`..` kept, `.` dropped), without asking the
            // working directory again for every entry of the walk.
            let absolute: PathBuf = match crate::formats::working_directory() {
                Some(cwd) if path.is_relative() => cwd.join(path).components().collect(),
                _ => path.components().collect(),
            };
            let relative = absolute.strip_prefix(&base).unwrap_or(&absolute);
            excludes.is_match(relative)
        };
        builder
            .hidden(false)
            .parents(false)
            .ignore(false)
            .git_ignore(options.respect_gitignore)
            .git_exclude(options.respect_gitignore)
            .git_global(false)
            .require_git(false)
            .follow_links(true)
            .filter_entry(move |entry| {
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                let skipped = is_dir && entry.depth() > 0 && {
                    let name = entry.file_name();
                    SKIPPED_DIRS.iter().any(|d| name == *d)
                };
                if skipped || excluded(entry.path()) {
                    return false;
                }
                if is_dir && leaves_roots(entry) {
                    lock(&left).push(entry.path().to_path_buf());
                    return false;
                }
                true
            });
        builder.build_parallel().run(|| {
            Box::new(|entry| {
                match entry {
                    Ok(entry) if entry.file_type().is_some_and(|t| t.is_file()) => {
                        if is_entry_point(entry.path()) {
                            lock(&entry_points).push(entry.path().to_path_buf());
                        }
                        let kind = classify(entry.path()).or_else(|| template_kind(entry.path()));
                        if let Some(kind) = kind {
                            let found_plain = !entry.path_is_symlink();
                            lock(&found).push(Input {
                                path: entry.into_path(),
                                kind,
                                found_plain,
                            });
                        }
                    }
                    Ok(entry)
                        if entry.file_type().is_some_and(|t| !t.is_dir())
                            && classify(entry.path()).is_some() =>
                    {
                        lock(&problems).push(Diagnostic {
                            role: None,
                            path: display_path(entry.path()),
                            kind: DiagnosticKind::Unreadable,
                            message: "not a regular file (a FIFO, socket or device): not read"
                                .into(),
                        });
                    }
                    Ok(_) => {}
                    Err(err) => lock(&problems).push(walk_problem(&err)),
                }
                WalkState::Continue
            })
        });
    }
    for link in lock(&left_roots).drain(..) {
        lock(&problems).push(Diagnostic {
            role: None,
            path: display_path(&link),
            kind: DiagnosticKind::Unreadable,
            message: "a symbolic link to a folder outside the folders checked: not followed (name that folder to check it)".into(),
        });
    }
    let mut found = found.into_inner().unwrap_or_else(|e| e.into_inner());
    sort_by_path(&mut found);
    let mut entry_points = entry_points.into_inner().unwrap_or_else(|e| e.into_inner());
    entry_points.sort();
    Walked {
        inputs: found,
        entry_points,
        diagnostics: problems.into_inner().unwrap_or_else(|e| e.into_inner()),
    }
}

/// Sorts `inputs` in `Path`'s order and drops those naming a path again. `Path::cmp`
/// splits both paths into components on every comparison (10,000 files: 101M
/// instructions, on the main thread); paths without empty, `.` or `..` parts, as a walk
/// gives them, are compared byte by byte instead, which orders them alike.
fn sort_by_path(inputs: &mut Vec<Input>) {
    fn bytes(input: &Input, from: usize) -> &[u8] {
        &input.path.as_os_str().as_encoded_bytes()[from..]
    }
    // The walk of `.` (`preflight check .`) names every file `./…`: a start all the paths
    // share orders nothing, and the rest of each is compared.
    let shared = if inputs.iter().all(|i| bytes(i, 0).starts_with(b"./")) {
        2
    } else {
        0
    };
    let plain = |input: &Input| match shared {
        0 => is_plain_path(bytes(input, 0)),
        _ => parts_are_names(bytes(input, shared)),
    };
    if cfg!(unix) && inputs.iter().all(plain) {
        inputs.sort_by(|a, b| plain_path_order(bytes(a, shared), bytes(b, shared)));
        inputs.dedup_by(|a, b| bytes(a, shared) == bytes(b, shared));
    } else {
        inputs.sort_by(|a, b| a.path.cmp(&b.path));
        inputs.dedup_by(|a, b| a.path == b.path);
    }
}

/// Whether `path` has no empty, `.` or `..` part (a leading `/` aside).
fn is_plain_path(path: &[u8]) -> bool {
    parts_are_names(path.strip_prefix(b"/").unwrap_or(path))
}

/// `Path`'s order for two [`is_plain_path`] paths: byte by byte, `/` before any other
/// byte (a folder's name before a longer name it begins), a path before those below it.
fn plain_path_order(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let rank = |c: u8| if c == b'/' { 0 } else { u16::from(c) + 1 };
    let at = common_start(a, b);
    match (a.get(at), b.get(at)) {
        (Some(&x), Some(&y)) => rank(x).cmp(&rank(y)),
        _ => a.len().cmp(&b.len()),
    }
}

/// How many bytes `a` and `b` begin with alike. Compared eight at a time: the walk's paths
/// share long starts (`deploy/k8s/overlays/…`), and a byte at a time made sorting them
/// the walk's largest cost on the main thread.
fn common_start(a: &[u8], b: &[u8]) -> usize {
    let word = |w: &[u8]| u64::from_ne_bytes(w.try_into().expect("chunks of eight"));
    let alike = a
        .chunks_exact(8)
        .zip(b.chunks_exact(8))
        .take_while(|(x, y)| word(x) == word(y))
        .count()
        * 8;
    alike
        + a[alike..]
            .iter()
            .zip(&b[alike..])
            .take_while(|(x, y)| x == y)
            .count()
}

/// The parent and name `dir` resolves through when it is a folder and not itself a link:
/// it is its resolved parent's, one `lstat` where resolving the whole path takes a
/// `readlink` per component (the parent is usually resolved already). `None`: resolve it
/// whole.
pub fn through_parent(dir: &Path) -> Option<(&Path, &std::ffi::OsStr)> {
    match (dir.parent(), dir.file_name()) {
        (Some(parent), Some(name))
            if !parent.as_os_str().is_empty()
                && std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()) =>
        {
            Some((parent, name))
        }
        _ => None,
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn walk_problem(err: &ignore::Error) -> Diagnostic {
    fn innermost(err: &ignore::Error) -> (&ignore::Error, Option<&Path>) {
        match err {
            ignore::Error::WithPath { path, err } => (innermost(err).0, Some(path)),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                innermost(err)
            }
            other => (other, None),
        }
    }
    let (inner, path) = innermost(err);
    let (kind, path) = match inner {
        ignore::Error::Loop { child, .. } => (DiagnosticKind::BrokenLink, Some(child.as_path())),
        ignore::Error::Io(io) if io.kind() == std::io::ErrorKind::NotFound => {
            (DiagnosticKind::BrokenLink, path)
        }
        _ => (DiagnosticKind::Unreadable, path),
    };
    Diagnostic {
        role: None,
        path: path.map(display_path).unwrap_or_default(),
        kind,
        message: match kind {
            DiagnosticKind::BrokenLink => format!("symbolic link loop or dangling link: {inner}"),
            _ => inner.to_string(),
        },
    }
}

/// The path as users see it: relative to the working directory when below it.
pub fn display_path(path: &Path) -> String {
    display_path_in(path, working_directory())
}

/// [`display_path`] from the working directory `cwd`.
fn display_path_in(path: &Path, cwd: Option<&Path>) -> String {
    match cwd.and_then(|cwd| plainly_below(path, cwd)) {
        Some(below) => below.to_owned(),
        None => display_by_components(path, cwd),
    }
}

/// [`display_path_in`] the general way: components compared, separators translated.
fn display_by_components(path: &Path, cwd: Option<&Path>) -> String {
    let absolute = match cwd {
        Some(cwd) if path.is_relative() => crate::formats::joined(cwd, path),
        _ => path.to_path_buf(),
    };
    let shown = cwd
        .and_then(|cwd| absolute.strip_prefix(cwd).ok())
        .filter(|rel| !rel.as_os_str().is_empty())
        .unwrap_or(path);
    let text = shown.to_string_lossy();
    // `\` separates folders only on Windows; elsewhere it is part of a file's name.
    let text = if std::path::MAIN_SEPARATOR == '\\' {
        text.replace('\\', "/")
    } else {
        text.into_owned()
    };
    text.strip_prefix("./").map(str::to_owned).unwrap_or(text)
}

/// The rest of `path` below the folder `dir` when `path` is written plainly: `dir`'s
/// bytes, one `/`, then UTF-8 that neither starts nor ends with a separator or a `.` part.
/// That is what stripping the folder's components leaves, found by comparing bytes:
/// comparing components cost half a microsecond for each file of a scan.
fn plainly_below<'a>(path: &'a Path, dir: &Path) -> Option<&'a str> {
    if std::path::MAIN_SEPARATOR != '/' {
        return None;
    }
    let rest = path
        .as_os_str()
        .as_encoded_bytes()
        .strip_prefix(dir.as_os_str().as_encoded_bytes())?
        .strip_prefix(b"/")?;
    let plain = !rest.is_empty()
        && rest != b"."
        && !rest.starts_with(b"/")
        && !rest.starts_with(b"./")
        && !rest.ends_with(b"/")
        && !rest.ends_with(b"/.");
    plain.then(|| std::str::from_utf8(rest).ok()).flatten()
}

/// The files on disk a scan may read: below the folders it walks (and the folders of the
/// files named on the command line), through symbolic links only when they lead back
/// inside, and no more than `max_file_size` bytes of any file.
pub struct DiskFiles {
    /// The scanned folders, with symbolic links resolved.
    roots: Vec<PathBuf>,
    /// The same, as written (absolute, `.` and `..` applied).
    written_roots: Vec<PathBuf>,
    /// Folders with their links resolved, asked once each: a file that is not itself a
    /// link is inside the scan when its resolved folder is. Keyed by the folder as written:
    /// `Path` hashes component by component, a byte at a time, which cost more than the
    /// look-up saved. The folders asked are files' parents (no trailing `/` or `/.`), and
    /// two spellings of one folder (`a/./b`, `a/b`) resolve alike, each cached on its own.
    resolved_dirs: std::sync::RwLock<std::collections::HashMap<OsString, Option<PathBuf>>>,
    /// The scanned folders held open, for opening and describing what lies below them.
    held: HeldRoots,
    max_file_size: u64,
    helm: Option<crate::formats::helm::Helm>,
    memo: crate::formats::ScanMemo,
}

impl DiskFiles {
    /// The view of a scan of `paths`.
    pub fn new(paths: &[PathBuf], max_file_size: u64) -> Self {
        let dirs: Vec<&Path> = paths
            .iter()
            .filter_map(|path| {
                let dir = if path.is_dir() {
                    path.as_path()
                } else {
                    path.parent()?
                };
                Some(if dir.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    dir
                })
            })
            .collect();
        let written_roots: Vec<PathBuf> = dirs.iter().map(|dir| absolute_normal(dir)).collect();
        Self {
            roots: dirs
                .iter()
                .filter_map(|dir| std::fs::canonicalize(dir).ok())
                .collect(),
            held: HeldRoots::hold(written_roots.iter().cloned()),
            written_roots,
            resolved_dirs: std::sync::RwLock::default(),
            max_file_size,
            helm: None,
            memo: crate::formats::ScanMemo::default(),
        }
    }

    /// The same view, rendering Helm charts with `helm`.
    pub fn with_helm(self, helm: Option<crate::formats::helm::Helm>) -> Self {
        Self { helm, ..self }
    }

    /// `path` with links resolved, if that is inside the scan. A link into a folder the
    /// walk skips (`.git`, `node_modules`, …) is refused too: `.env -> .git/config` would
    /// otherwise read the checkout's credentials as if they were the project's.
    fn contained(&self, path: &Path) -> Result<PathBuf, Unreadable> {
        let is_link = self
            .held
            .describe(path, false)
            .map_err(|e| Unreadable::Io(e.into()))?
            .is_link;
        self.contained_as(path, is_link)
    }

    /// What `path` is, links followed, and whether it is inside the scan ([`Self::contained`]):
    /// one `lstat` for a path that is not a link, as most are, where asking for its metadata
    /// and then whether it is a link took two (10,000 files: 63,594 → 53,186 `statx` calls).
    fn inspect(&self, path: &Path) -> std::io::Result<(Described, Result<PathBuf, Unreadable>)> {
        let own = self.held.describe(path, false)?;
        if own.is_link {
            let target = self.held.describe(path, true)?;
            Ok((target, self.contained_as(path, true)))
        } else {
            Ok((own, self.contained_as(path, false)))
        }
    }

    /// `path` with its links resolved, for a path known to be a link or not: one that is not
    /// resolves through its folder, whose resolution is cached ([`Self::resolved_dir`]),
    /// where `realpath` reads every component as a link; a link is resolved whole.
    fn resolved(&self, path: &Path, is_link: bool) -> Option<PathBuf> {
        match (is_link, path.parent(), path.file_name()) {
            (false, Some(dir), Some(name)) => self.resolved_dir(dir).map(|d| d.join(name)),
            _ => std::fs::canonicalize(path).ok(),
        }
    }

    /// [`Self::contained`] for a path known to be a link or not.
    fn contained_as(&self, path: &Path, is_link: bool) -> Result<PathBuf, Unreadable> {
        let Some((root, real)) = self.resolved(path, is_link).and_then(|real| {
            let root = self.roots.iter().find(|root| real.starts_with(root))?;
            Some((root, real))
        }) else {
            return Err(Unreadable::Outside);
        };
        let into_skipped = || {
            real.strip_prefix(root).is_ok_and(|inside| {
                inside
                    .components()
                    .any(|c| SKIPPED_DIRS.iter().any(|d| c.as_os_str() == *d))
            })
        };
        if is_link && into_skipped() {
            return Err(Unreadable::SkippedFolder);
        }
        Ok(real)
    }

    /// The rest of a read once `path` is open as a regular file of `size` bytes: no more
    /// than the limit, and no binary.
    fn read_open(
        &self,
        path: &Path,
        file: std::fs::File,
        size: u64,
    ) -> Result<SourceFile, Unreadable> {
        let io = |e: std::io::Error| Unreadable::Io(e.into());
        let limit = self.max_file_size;
        if size > limit {
            return Err(Unreadable::TooLarge {
                size: Some(size),
                limit,
            });
        }
        let mut bytes = Vec::with_capacity(size as usize);
        // The size the file has is read and no more: one `read` where reading to the end
        // took a second, empty one (a file growing meanwhile is read as it was). A file
        // that says it is empty (`/proc`'s do) is read to its end, the limit bounding it.
        let read_up_to = if size == 0 { limit + 1 } else { size };
        file.take(read_up_to).read_to_end(&mut bytes).map_err(io)?;
        if bytes.len() as u64 > limit {
            return Err(Unreadable::TooLarge { size: None, limit });
        }
        if is_binary(&bytes) {
            return Err(Unreadable::Binary);
        }
        Ok(SourceFile::from_bytes(
            path.to_path_buf(),
            display_path(path),
            bytes,
        ))
    }

    /// `dir` with its links resolved, from the cache when asked before.
    fn resolved_dir(&self, dir: &Path) -> Option<PathBuf> {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let cache = |lock: &std::sync::RwLock<_>| -> Option<Option<PathBuf>> {
            let map: &std::collections::HashMap<OsString, Option<PathBuf>> = &lock
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            map.get(dir.as_os_str()).cloned()
        };
        if let Some(known) = cache(&self.resolved_dirs) {
            return known;
        }
        let resolved = match through_parent(dir) {
            Some((parent, name)) => self.resolved_dir(parent).map(|p| p.join(name)),
            None => std::fs::canonicalize(dir).ok(),
        };
        let mut map = self
            .resolved_dirs
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Files are read in path order, a folder's files together: a small cache hits as
        // often as one of every folder of the tree, and does not grow with it.
        if map.len() >= RESOLVED_DIRS_KEPT {
            map.clear();
        }
        map.insert(dir.as_os_str().to_owned(), resolved.clone());
        resolved
    }
}

/// What `lstat` (or `stat`, links followed) says of a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Described {
    is_file: bool,
    is_dir: bool,
    is_link: bool,
    len: u64,
}

impl From<std::fs::Metadata> for Described {
    fn from(metadata: std::fs::Metadata) -> Self {
        Self {
            is_file: metadata.is_file(),
            is_dir: metadata.is_dir(),
            is_link: metadata.file_type().is_symlink(),
            len: metadata.len(),
        }
    }
}

/// The scanned folders, held open: a path written plainly below one ([`plainly_below`]) is
/// opened and described relative to it (`openat`, `fstatat`), so the system looks up the
/// names below the folder rather than every folder above it again for each file (on a
/// 10,000-file scan 37,000 look-ups, a fifth of each one's cost; more in deep checkouts).
/// What is found is what the whole path finds: the names below are resolved alike, links
/// among them followed as before, and the folder is the one the path names when the scan
/// starts. Other paths are used whole.
struct HeldRoots {
    #[cfg(unix)]
    roots: Vec<(PathBuf, std::os::fd::OwnedFd)>,
}

impl HeldRoots {
    /// Holds the first [`MAX_HELD_ROOTS`] different folders of `roots` (absolute, normal)
    /// that open: a command line naming thousands of files (`git diff --name-only | xargs
    /// preflight check`) must not hold a descriptor per folder, which would leave none for
    /// reading the files.
    fn hold(roots: impl Iterator<Item = PathBuf>) -> Self {
        #[cfg(unix)]
        {
            use rustix::fs::{Mode, OFlags};
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
            let mut held: Vec<(PathBuf, std::os::fd::OwnedFd)> = Vec::new();
            for root in roots {
                if held.len() == MAX_HELD_ROOTS {
                    break;
                }
                if held.iter().any(|(known, _)| *known == root) {
                    continue;
                }
                if let Ok(fd) = rustix::fs::open(&root, flags, Mode::empty()) {
                    held.push((root, fd));
                }
            }
            Self { roots: held }
        }
        #[cfg(not(unix))]
        {
            let _ = roots;
            Self {}
        }
    }

    /// The held folder `path` lies plainly below, and the rest of the path.
    #[cfg(unix)]
    fn beneath<'a>(&self, path: &'a Path) -> Option<(&std::os::fd::OwnedFd, &'a str)> {
        self.roots
            .iter()
            .find_map(|(root, fd)| Some((fd, plainly_below(path, root)?)))
    }

    /// `lstat` of `path`, or `stat` when `follow`.
    fn describe(&self, path: &Path, follow: bool) -> std::io::Result<Described> {
        #[cfg(unix)]
        if let Some((fd, below)) = self.beneath(path) {
            use rustix::fs::{AtFlags, FileType};
            let flags = if follow {
                AtFlags::empty()
            } else {
                AtFlags::SYMLINK_NOFOLLOW
            };
            let stat = rustix::fs::statat(fd, below, flags)?;
            let kind = FileType::from_raw_mode(stat.st_mode);
            return Ok(Described {
                is_file: kind == FileType::RegularFile,
                is_dir: kind == FileType::Directory,
                is_link: kind == FileType::Symlink,
                len: u64::try_from(stat.st_size).unwrap_or(0),
            });
        }
        let metadata = if follow {
            std::fs::metadata(path)
        } else {
            std::fs::symlink_metadata(path)
        };
        metadata.map(Described::from)
    }

    /// `path` opened to read; with `found`, as [`Files::read_found`] opens what the walk
    /// found: not through a link (`O_NOFOLLOW`), and without waiting on a FIFO
    /// (`O_NONBLOCK`).
    fn open(&self, path: &Path, found: bool) -> std::io::Result<std::fs::File> {
        #[cfg(unix)]
        {
            use rustix::fs::{Mode, OFlags};
            let mut flags = OFlags::RDONLY | OFlags::CLOEXEC;
            if found {
                flags |= OFlags::NOFOLLOW | OFlags::NONBLOCK;
            }
            let fd = match self.beneath(path) {
                Some((fd, below)) => rustix::fs::openat(fd, below, flags, Mode::empty())?,
                None => rustix::fs::open(path, flags, Mode::empty())?,
            };
            Ok(std::fs::File::from(fd))
        }
        #[cfg(not(unix))]
        {
            let _ = found;
            std::fs::File::open(path)
        }
    }
}

/// How many scanned folders [`HeldRoots`] holds open at most; paths below others are used
/// whole.
const MAX_HELD_ROOTS: usize = 32;

/// How many folders' resolved paths [`DiskFiles`] remembers at most.
const RESOLVED_DIRS_KEPT: usize = 1024;

impl Files for DiskFiles {
    fn read(&self, path: &Path) -> Result<SourceFile, Unreadable> {
        let io = |e: std::io::Error| Unreadable::Io(e.into());
        // Look before opening: opening a FIFO blocks until someone writes to it.
        let (metadata, inside) = self.inspect(path).map_err(io)?;
        inside?;
        if !metadata.is_file {
            return Err(Unreadable::NotRegular);
        }
        let file = self.held.open(path, false).map_err(io)?;
        self.read_open(path, file, metadata.len)
    }

    /// One `open` and an `fstat` of what it opened, where [`Self::read`] asks `lstat` and
    /// resolves the folder first (10,000 files: 8,000 fewer path look-ups). `O_NOFOLLOW`
    /// refuses a link put in the file's place since the walk, which is then read the
    /// careful way; `O_NONBLOCK` keeps a FIFO put there from blocking the open.
    #[cfg(unix)]
    fn read_found(&self, path: &Path) -> Result<SourceFile, Unreadable> {
        let io = |e: std::io::Error| Unreadable::Io(e.into());
        let file = match self.held.open(path, true) {
            Ok(file) => file,
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return self.read(path),
            Err(e) => return Err(io(e)),
        };
        let metadata = file.metadata().map_err(io)?;
        if !metadata.is_file() {
            return Err(Unreadable::NotRegular);
        }
        self.read_open(path, file, metadata.len())
    }

    fn is_file(&self, path: &Path) -> bool {
        self.inspect(path)
            .is_ok_and(|(metadata, inside)| metadata.is_file && inside.is_ok())
    }

    fn is_dir(&self, path: &Path) -> bool {
        self.inspect(path)
            .is_ok_and(|(metadata, inside)| metadata.is_dir && inside.is_ok())
    }

    fn list(&self, dir: &Path) -> Option<Vec<String>> {
        self.contained(dir).ok()?;
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        Some(names)
    }

    /// A link leading outside the scan, or a file the system will not describe, is
    /// unknown rather than absent.
    fn presence(&self, path: &Path) -> crate::formats::Presence {
        use crate::formats::Presence;
        if !self.is_inside(path) {
            return Presence::Unknown;
        }
        match self.inspect(path) {
            Ok((metadata, Ok(_))) if metadata.is_file => Presence::Present,
            Ok((_, Err(_))) => Presence::Unknown,
            Ok(_) => Presence::Absent,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Presence::Absent,
            Err(_) => Presence::Unknown,
        }
    }

    fn is_inside(&self, path: &Path) -> bool {
        let path = absolute_normal(path);
        self.written_roots.iter().any(|root| path.starts_with(root))
            || self.roots.iter().any(|root| path.starts_with(root))
    }

    /// One `lstat` and the folder's cached resolution for a path that is not a link
    /// ([`Self::resolved`]): `realpath` on a tree's nginx files, when one of them is a link,
    /// was six thousand `readlink`s on the 10,000-file tree. A path that is not there is
    /// given back as it is.
    fn canonical(&self, path: &Path) -> PathBuf {
        let is_link = self.held.describe(path, false).map_or(true, |d| d.is_link);
        self.resolved(path, is_link)
            .unwrap_or_else(|| path.to_path_buf())
    }

    fn is_link(&self, path: &Path) -> bool {
        self.held.describe(path, false).is_ok_and(|d| d.is_link)
    }

    fn display(&self, path: &Path) -> String {
        display_path(path)
    }

    fn helm(&self) -> Option<&crate::formats::helm::Helm> {
        self.helm.as_ref().filter(|helm| helm.runs())
    }

    fn memo(&self) -> Option<&crate::formats::ScanMemo> {
        Some(&self.memo)
    }
}

/// `text` read as a file of kind `target`, named as discovery would name it, alone in
/// an empty folder and parsed as a scan of that folder parses it: a format that looks
/// beside the file (a Compose `env_file:`, a `.dockerignore`) sees no file there, and
/// nothing of the repository the tests run in. The folder lasts as long as the guard.
#[cfg(test)]
pub(crate) fn example_document(
    target: crate::formats::Target,
    text: &str,
) -> (tempfile::TempDir, crate::document::Document) {
    let folder = tempfile::tempdir().expect("temporary folder");
    let name = target.example_file_name();
    let source = SourceFile::from_bytes(
        folder.path().join(name),
        name.into(),
        text.as_bytes().to_vec(),
    );
    let files = DiskFiles::new(&[folder.path().to_path_buf()], 1 << 20);
    let context = crate::formats::ParseContext {
        target,
        judged_at: None,
        files: &files,
    };
    let doc = crate::document::Document::parse_with(std::sync::Arc::new(source), &context);
    (folder, doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tree of files and links for the tests of how paths are resolved: `a/b/.env`; links
    /// `a/to-b` (to the folder `b`), `abs.env` (to `a/b/.env`, absolute), `out.env` (to a
    /// file outside), `dangling.env`; and `via`, beside the tree, a link to it. The
    /// folders outside, around and of the tree, in that order.
    #[cfg(unix)]
    fn linked_tree() -> (tempfile::TempDir, tempfile::TempDir, PathBuf) {
        use std::os::unix::fs::symlink;
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "s").unwrap();
        let base = tempfile::tempdir().unwrap();
        let tree = base.path().join("tree");
        std::fs::create_dir_all(tree.join("a/b")).unwrap();
        std::fs::write(tree.join("a/b/.env"), "X=1\n").unwrap();
        symlink("b", tree.join("a/to-b")).unwrap();
        symlink(tree.join("a/b/.env"), tree.join("abs.env")).unwrap();
        symlink(outside.path().join("secret"), tree.join("out.env")).unwrap();
        symlink("gone", tree.join("dangling.env")).unwrap();
        symlink(&tree, base.path().join("via")).unwrap();
        (outside, base, tree)
    }

    /// A path resolved through its folder is the path `realpath` gives: files, folders and
    /// links inside and out, through a linked folder, `..`, `.`, dangling links and absent
    /// names (given back as they are), asked twice (the folders cached).
    #[cfg(unix)]
    #[test]
    fn canonical_paths_are_those_realpath_gives() {
        let (_outside, base, tree) = linked_tree();
        let rests = [
            "a/b/.env",
            "a/to-b/.env",
            "abs.env",
            "out.env",
            "a/b",
            "a/to-b",
            "dangling.env",
            "a/../a/b/.env",
            "a/b/./.env",
            "absent",
            "a/absent/.env",
        ];
        for root in [tree.clone(), base.path().join("via")] {
            let files = DiskFiles::new(std::slice::from_ref(&root), 1 << 20);
            for _ in 0..2 {
                for rest in rests {
                    let path = root.join(rest);
                    let expected = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
                    assert_eq!(files.canonical(&path), expected, "{rest}");
                }
            }
        }
    }

    /// A path below a held folder is described and opened as the whole path is: files,
    /// folders, links inside and out, dangling ones, `..`, names that are not there, a
    /// FIFO (opened without waiting), and the folder reached through a link to it.
    #[cfg(unix)]
    #[test]
    fn held_folders_find_what_whole_paths_find() {
        let (outside, base, tree) = linked_tree();
        let fifo = std::process::Command::new("mkfifo")
            .arg(tree.join("fifo"))
            .status();
        let rests = [
            "a",
            "a/b",
            "a/b/.env",
            "a/to-b",
            "a/to-b/.env",
            "abs.env",
            "out.env",
            "dangling.env",
            "a/../a/b/.env",
            "../tree/a",
            "a/b/.env/x",
            "absent",
            "fifo",
        ];
        for root in [tree.clone(), base.path().join("via")] {
            let held = HeldRoots::hold(std::iter::once(root.clone()));
            assert_eq!(held.roots.len(), 1);
            for rest in rests {
                if rest == "fifo" && !fifo.as_ref().is_ok_and(|s| s.success()) {
                    continue;
                }
                let path = root.join(rest);
                assert!(held.beneath(&path).is_some(), "{rest}");
                for follow in [false, true] {
                    let whole = if follow {
                        std::fs::metadata(&path)
                    } else {
                        std::fs::symlink_metadata(&path)
                    };
                    let described = held.describe(&path, follow);
                    match (whole, described) {
                        (Ok(w), Ok(d)) => assert_eq!(Described::from(w), d, "{rest} {follow}"),
                        (Err(w), Err(d)) => assert_eq!(w.kind(), d.kind(), "{rest} {follow}"),
                        (w, d) => panic!("{rest} {follow}: {w:?} {d:?}"),
                    }
                }
                for found in [false, true] {
                    // Opening a FIFO to read waits for a writer unless `O_NONBLOCK`.
                    if rest == "fifo" && !found {
                        continue;
                    }
                    let opened = held.open(&path, found).map(|f| f.metadata().unwrap().len());
                    let expected = if found {
                        use std::os::unix::fs::OpenOptionsExt;
                        std::fs::OpenOptions::new()
                            .read(true)
                            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
                            .open(&path)
                    } else {
                        std::fs::File::open(&path)
                    }
                    .map(|f| f.metadata().unwrap().len());
                    match (expected, opened) {
                        (Ok(e), Ok(o)) => assert_eq!(e, o, "{rest} {found}"),
                        (Err(e), Err(o)) => {
                            assert_eq!(e.raw_os_error(), o.raw_os_error(), "{rest} {found}")
                        }
                        (e, o) => panic!("{rest} {found}: {e:?} {o:?}"),
                    }
                }
            }
            // Not below the held folder: used whole.
            assert!(held.beneath(&outside.path().join("secret")).is_none());
            assert!(
                held.describe(&outside.path().join("secret"), false)
                    .unwrap()
                    .is_file
            );
        }
        // Named again and again, a folder is held once; past the bound, none more is.
        let many = (0..100).map(|i| {
            let dir = base.path().join(format!("d{}", i / 2));
            std::fs::create_dir_all(&dir).unwrap();
            dir
        });
        let held = HeldRoots::hold(many);
        assert_eq!(held.roots.len(), MAX_HELD_ROOTS);
        let past = base.path().join(format!("d{}", MAX_HELD_ROOTS + 5));
        assert!(held.beneath(&past.join("x")).is_none());
        assert!(held.beneath(&base.path().join("d0/x")).is_some());
        assert!(held.beneath(&base.path().join("d20/x")).is_some());
    }

    /// Where the bytes say a path is plainly below the working directory, the display path
    /// is what comparing components gives; elsewhere components are compared.
    #[test]
    fn display_paths_by_bytes_are_those_by_components() {
        let cwds = ["/work/main", "/", "/w", "/work/main/sub"];
        let rests = [
            "",
            "a",
            "a/b.env",
            ".",
            "./a",
            "a/.",
            "a/",
            "/a",
            "//a",
            "a//b",
            "a/./b",
            "../x",
            "a/../b",
            ".env",
            "..",
            "é/ü.conf",
            "main2/x",
            "a b/c\\d",
        ];
        let mut fast = 0;
        for cwd in cwds {
            for rest in rests {
                for joined in [
                    format!("{cwd}/{rest}"),
                    format!("{cwd}{rest}"),
                    rest.to_owned(),
                ] {
                    let path = Path::new(&joined);
                    let expected = display_by_components(path, Some(Path::new(cwd)));
                    assert_eq!(
                        display_path_in(path, Some(Path::new(cwd))),
                        expected,
                        "{cwd} {joined}"
                    );
                    fast += usize::from(plainly_below(path, Path::new(cwd)).is_some());
                }
            }
        }
        assert!(fast > 20, "{fast}");
        assert_eq!(display_path_in(Path::new("/a/b"), None), "/a/b");
    }

    #[test]
    fn exclude_patterns_match_names_anywhere_and_anchored_paths() {
        let set = exclude_set(&["fixtures".into(), "deploy/old/*.env".into()]).unwrap();
        assert!(set.is_match("fixtures/env/.env"));
        assert!(set.is_match("a/fixtures/x"));
        assert!(set.is_match("deploy/old/a.env"));
        assert!(!set.is_match("deploy/new/a.env"));
    }

    /// The resolved-folder cache is keyed by spelling: every spelling of a folder, a link
    /// to it included, resolves as the system resolves it, whichever was asked first.
    #[cfg(unix)]
    #[test]
    fn every_spelling_of_a_folder_resolves_as_the_system_resolves_it() {
        let tree = tempfile::tempdir().unwrap();
        let root = tree.path();
        std::fs::create_dir_all(root.join("a/b/c")).unwrap();
        std::os::unix::fs::symlink(root.join("a/b"), root.join("link")).unwrap();
        let spellings = [
            "a/b/c", "a/./b/c", "a//b/c", "link/c", "a/b", "link", "a/../a/b",
        ];
        for first in 0..spellings.len() {
            let files = DiskFiles::new(&[root.to_path_buf()], 1 << 20);
            for spelling in spellings[first..].iter().chain(&spellings[..first]) {
                let dir = root.join(spelling);
                assert_eq!(
                    files.resolved_dir(&dir),
                    std::fs::canonicalize(&dir).ok(),
                    "{spelling} after {}",
                    spellings[first]
                );
            }
        }
    }

    /// Plain paths compared byte by byte order as `Path::cmp` orders them.
    #[test]
    fn plain_paths_order_as_paths_do() {
        let short = ["a", "a-b", "a.b", "ab", "b", "a0", "A", ".env", "é", "a b"];
        // Parts longer than eight bytes too, differing past the eighth: compared by words.
        let parts: Vec<&str> = short
            .into_iter()
            .chain(["overlays-a", "overlays"])
            .collect();
        let mut paths: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
        for _ in 0..2 {
            let longer: Vec<String> = paths
                .iter()
                .flat_map(|p| parts.iter().map(move |part| format!("{p}/{part}")))
                .collect();
            paths.extend(longer);
        }
        paths.extend(paths.clone().iter().map(|p| format!("/{p}")));
        for a in &paths {
            assert!(is_plain_path(a.as_bytes()), "{a}");
            for b in paths.iter().step_by(7) {
                assert_eq!(
                    plain_path_order(a.as_bytes(), b.as_bytes()),
                    Path::new(a).cmp(Path::new(b)),
                    "{a} {b}"
                );
            }
        }
        for unplain in ["a//b", "./a", "a/./b", "a/../b", "a/", "..", "", "/"] {
            assert!(!is_plain_path(unplain.as_bytes()), "{unplain}");
        }
    }

    /// The walk's files end in `Path`'s order, once each, however their paths are spelled:
    /// below `.` (`./a/b`, compared without the start they share), plain, absolute, or
    /// mixed with spellings compared component by component.
    #[test]
    fn walked_files_sort_as_their_paths_do() {
        let names = [
            "a/b", "a-b", "a/b/c", ".env", "a.b/c", "ab", "a/b", "é/x", "a b/c",
        ];
        let spellings: [&dyn Fn(&str) -> String; 5] = [
            &|n| n.to_owned(),
            &|n| format!("./{n}"),
            &|n| format!("/r/{n}"),
            &|n| {
                if n.len() % 2 == 0 {
                    format!("./{n}")
                } else {
                    n.to_owned()
                }
            },
            &|n| {
                if n.len() % 2 == 0 {
                    format!(".//{n}")
                } else {
                    format!("./{n}")
                }
            },
        ];
        let kind = Classification {
            target: crate::formats::Target::Env,
            confirm_by_content: false,
        };
        for spell in spellings {
            let mut inputs: Vec<Input> = names
                .iter()
                .map(|n| Input::new(PathBuf::from(spell(n)), kind))
                .collect();
            let mut expected: Vec<PathBuf> = inputs.iter().map(|i| i.path.clone()).collect();
            expected.sort();
            expected.dedup();
            sort_by_path(&mut inputs);
            let sorted: Vec<PathBuf> = inputs.into_iter().map(|i| i.path).collect();
            assert_eq!(sorted, expected);
        }
    }

    /// A walked file is read with one `open`, which refuses what the careful read refuses:
    /// a link in its place that leads outside, a FIFO (without blocking), an oversized file.
    #[cfg(unix)]
    #[test]
    fn a_found_file_is_read_as_the_careful_read_reads_it() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "TOKEN=outside\n").unwrap();
        let tree = tempfile::tempdir().unwrap();
        let root = tree.path();
        std::fs::write(root.join(".env"), "DEBUG=false\n").unwrap();
        std::fs::write(root.join("big.env"), "A=1\n".repeat(64)).unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), root.join("link.env")).unwrap();
        std::os::unix::fs::symlink(root.join(".env"), root.join("inner.env")).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(root.join("fifo.env"))
            .status()
            .unwrap();
        assert!(made.success());
        let files = DiskFiles::new(&[root.to_path_buf()], 100);
        for name in [
            ".env",
            "big.env",
            "link.env",
            "inner.env",
            "fifo.env",
            "absent.env",
        ] {
            let path = root.join(name);
            let careful = files.read(&path).map(|source| source.text.clone());
            let found = files.read_found(&path).map(|source| source.text.clone());
            assert_eq!(found, careful, "{name}");
        }
        assert_eq!(
            files.read_found(&root.join("link.env")).map(|_| ()),
            Err(Unreadable::Outside)
        );
        assert_eq!(
            files.read_found(&root.join("fifo.env")).map(|_| ()),
            Err(Unreadable::NotRegular)
        );
        assert!(matches!(
            files.read_found(&root.join("big.env")),
            Err(Unreadable::TooLarge { .. })
        ));
    }

    /// A file a document names is absent only when the scan can see that it is: one
    /// written outside the scan, or a link leading there, is unknown whether it is there or
    /// not, so no finding says it is missing.
    #[cfg(unix)]
    #[test]
    fn a_named_file_is_absent_only_inside_the_scan() {
        use crate::formats::Presence;
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("shared.env"), "A=1\n").unwrap();
        let tree = tempfile::tempdir().unwrap();
        let root = tree.path().join("app");
        std::fs::create_dir_all(root.join("dir.env")).unwrap();
        std::fs::write(root.join(".env"), "A=1\n").unwrap();
        std::fs::write(tree.path().join("sibling.env"), "A=1\n").unwrap();
        std::os::unix::fs::symlink(outside.path().join("shared.env"), root.join("link.env"))
            .unwrap();
        std::os::unix::fs::symlink(root.join("gone"), root.join("dangling.env")).unwrap();
        let files = DiskFiles::new(std::slice::from_ref(&root), 1 << 20);
        for (name, expected) in [
            (".env", Presence::Present),
            ("absent.env", Presence::Absent),
            ("dir.env", Presence::Absent),
            ("dangling.env", Presence::Absent),
            ("link.env", Presence::Unknown),
            ("../sibling.env", Presence::Unknown),
            ("../absent.env", Presence::Unknown),
        ] {
            assert_eq!(files.presence(&root.join(name)), expected, "{name}");
        }
        let absolute = outside.path().join("shared.env");
        assert_eq!(files.presence(&absolute), Presence::Unknown);
    }
}
