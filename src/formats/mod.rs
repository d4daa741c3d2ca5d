//! One parser per file format. Parsers know nothing of rules: they produce trees whose
//! every node carries the [`crate::source::Span`] it was read from.
//!
//! Each format owns its knowledge next to its parser, through the [`Format`] trait: how its
//! files are named ([`Format::classify`]), how to parse them, which parse errors they have,
//! whether the content confirms a guess made from the name, and which spans hold secrets.
//! The document module registers every format in one table; nothing else knows the list.

use std::any::Any;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::message::Message;
use crate::source::{SourceFile, Span};

pub mod crontab;
pub mod dbconf;
pub mod deployed;
pub mod dotenv;
pub mod nginx;
pub mod python_settings;
pub mod readers;
pub mod shell;
pub mod sshd;
pub mod systemd;
pub mod yaml;

pub mod accounts;
pub mod fail2ban;
pub mod firewall;
pub mod logrotate;
pub mod postgres;
pub mod redis;
pub mod sysctl;

pub mod dockerfile;
pub mod image;
pub mod javascript;

pub mod compose;
pub mod helm;
pub mod interpolation;
pub mod kubernetes;
pub mod kustomize;

pub mod host;
pub mod sensitive;
pub mod sets;
pub mod syntax_tree;
pub mod template;
pub use crate::target::Target;
pub use sensitive::{Sensitive, Shown};

/// What a parsed file format tells the pipeline. Parsing never fails (errors are kept in the
/// tree) and does no I/O of its own: a format that reads other files (sshd `Include`, a
/// manifest's `kustomization.yaml`) asks [`ParseContext::files`], the pipeline's bounded,
/// contained view of the inputs.
pub trait Format: Sized {
    /// Decides from a file's name whether it is of this format. Cheap by design: no file is
    /// opened; an ambiguous name (`*.conf`) is marked for confirmation by content.
    fn classify(_name: &FileName) -> Option<Classification> {
        None
    }
    /// Whether `text` could be this format at all, decided before parsing so that parsing
    /// thousands of unrelated files (most JavaScript under `src/`) never happens.
    fn may_confirm(_text: &str) -> bool {
        true
    }
    /// Parses `source` as the kind in `context`.
    fn parse(source: &Arc<SourceFile>, context: &ParseContext) -> Self;
    /// Whether the content confirms the kind the file's name suggested.
    fn confirms_kind(&self) -> bool {
        true
    }
    /// Why a file of this kind is deliberately not judged (a Helm template, a kustomize
    /// patch): reported once as a diagnostic instead of findings.
    fn not_checked(&self) -> Option<&'static str> {
        None
    }
    /// Lines the parser could not read.
    fn errors(&self) -> &[ParseError] {
        &[]
    }
    /// The spans of `source` that hold secrets, masked in every output.
    fn sensitive(&self, _source: &SourceFile) -> Vec<Sensitive> {
        Vec::new()
    }
    /// [`Format::sensitive`] for a report that shows only `shown` of the file: every secret
    /// touching it, others as the format finds convenient. A format whose files are large
    /// and whose secrets are found value by value skips what lies elsewhere.
    fn sensitive_in(&self, source: &SourceFile, _shown: &Shown) -> Vec<Sensitive> {
        self.sensitive(source)
    }
    /// Other files this document makes part of the deployment, to be read as documents of
    /// the kind given (the `.env` files a Compose service names in `env_file:`, the module
    /// `DJANGO_SETTINGS_MODULE` names). Paths may not exist; the pipeline reads only those
    /// that do, inside the scan.
    fn follow_ups(&self, _source: &SourceFile, _target: Target) -> Vec<FollowUp> {
        Vec::new()
    }
    /// Whether a file of no checked kind names files of this kind (a Django project's
    /// `manage.py`, `wsgi.py` and `asgi.py` name its settings module): such entry points are
    /// read for [`Format::entry_point_follow_ups`] and not judged.
    fn is_entry_point(_name: &FileName) -> bool {
        false
    }
    /// The files of this kind the entry point at `path` names.
    fn entry_point_follow_ups(_path: &Path, _text: &str) -> Vec<FollowUp> {
        Vec::new()
    }
    /// Where the spans of a document built from several files point (a kustomization's
    /// built objects): findings at those spans are reported in the file they map to.
    fn origins(&self) -> Option<&kustomize::Origins> {
        None
    }
    /// Relates the documents of this format to each other once all are parsed (nginx
    /// `include`s): `documents` are all of the scan's, in a stable order.
    fn relate(_documents: &mut [(&Arc<SourceFile>, &mut Self)], _files: &dyn Files) {}
    /// Whether [`Format::relate`] may change how documents of this format are judged in a
    /// scan of the files at `paths`. Their documents are then kept until all are parsed;
    /// otherwise each is judged as soon as it is read and dropped, so memory does not grow
    /// with them.
    fn relates(_paths: &[&Path]) -> bool {
        false
    }
    /// Whether this document of a [`Format::GROUPED`] format may be judged on its own until
    /// another names it (an nginx file without `include`s): it is then judged as soon as it
    /// is read and only its file is kept, in case [`Format::groups`] finds that a kept file
    /// names it after all. Not consulted for formats that are not grouped.
    fn judged_alone(&self, _source: &SourceFile) -> bool {
        false
    }
    /// Whether the documents of this format kept to the end split into groups that relate
    /// only within themselves ([`Format::groups`]): each group is then parsed, related and
    /// judged on its own, so memory holds the largest group's trees, not all of them.
    const GROUPED: bool = false;
    /// What this document names of other files (nginx: its `include` arguments; Django
    /// settings: the modules they star-import), kept for [`Format::groups`] once its tree is
    /// dropped.
    fn names(&self) -> Vec<String> {
        Vec::new()
    }
    /// Groups the files kept to the end: `files`, in the order the scan read them, each
    /// with what it names, or `None` for a file judged alone that joins a group only if a
    /// kept file names it. Only called when [`Format::GROUPED`].
    fn groups(_files: &[GroupedFile], _view: &dyn Files) -> Grouping {
        Grouping::default()
    }
    /// [`Format::relate`] on one group of [`Format::groups`], with the relations
    /// [`Grouping::relations`] built once for all groups.
    fn relate_within(
        documents: &mut [(&Arc<SourceFile>, &mut Self)],
        _relations: &(dyn Any + Send + Sync),
        files: &dyn Files,
    ) {
        Self::relate(documents, files)
    }
}

/// A file of a grouped format kept to the end ([`Format::groups`]): its path and what it
/// names, or `None` when it was judged alone.
pub type GroupedFile<'a> = (&'a Path, Option<&'a [String]>);

/// The files of a format kept to the end, split into groups no relation crosses
/// ([`Format::groups`]).
pub struct Grouping {
    /// Of the files judged alone, those a kept file names (indices into the files given):
    /// they are judged with it after all.
    pub named: Vec<usize>,
    /// Each group: indices into the files given, in the order its documents are related
    /// and judged.
    pub groups: Vec<Vec<usize>>,
    /// What the format resolves relations against, built once for every group (nginx: the
    /// index of all the grouped files' paths).
    pub relations: Arc<dyn Any + Send + Sync>,
}

impl Default for Grouping {
    fn default() -> Self {
        Self {
            named: Vec::new(),
            groups: Vec::new(),
            relations: Arc::new(()),
        }
    }
}

/// A file a document names, to be read as `target` (whatever its own name suggests, unless
/// the name is certain of its kind).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    /// Where it is, `.` and `..` applied.
    pub path: PathBuf,
    /// What it is read as.
    pub target: Target,
}

/// `a/./b/../c` as `a/c`, without touching the file system, like Go's `filepath.Join`
/// (which Compose resolves relative `env_file` paths with) cleans it.
pub fn lexically_normal(path: &Path) -> PathBuf {
    if is_lexically_normal(path) {
        return path.to_path_buf();
    }
    rebuilt_normal(path)
}

/// [`lexically_normal`] of a path already owned: kept as it is when already normal.
fn into_lexically_normal(path: PathBuf) -> PathBuf {
    if is_lexically_normal(&path) {
        return path;
    }
    rebuilt_normal(&path)
}

/// [`lexically_normal`] a component at a time.
fn rebuilt_normal(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            // `/..` is `/`, as the kernel reads it.
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::RootDir)) => {}
            other => out.push(other),
        }
    }
    out
}

/// Whether [`lexically_normal`] would give `path` back as it is: no empty, `.` or `..`
/// part but a leading one, and no trailing `/`. Most paths of a scan are, and rebuilding
/// one a component at a time cost more than the look-up it keys (10,000 files: 73M
/// instructions).
fn is_lexically_normal(path: &Path) -> bool {
    if !cfg!(unix) {
        return false;
    }
    let bytes = path.as_os_str().as_encoded_bytes();
    // A leading `.` or `..` is kept as it is; a leading empty part is the root.
    match memchr::memchr(b'/', bytes) {
        None => !bytes.is_empty(),
        Some(first_end) => parts_are_names(&bytes[first_end + 1..]),
    }
}

/// Whether every `/`-separated part of `path` is a name: none empty, `.` or `..`.
pub(crate) fn parts_are_names(path: &[u8]) -> bool {
    path.split(|&b| b == b'/')
        .all(|part| !part.is_empty() && part != b"." && part != b"..")
}

/// `path` made absolute against the working directory, `.` and `..` applied, without
/// touching the file system: the key files of a scan are compared by.
pub fn absolute_normal(path: &Path) -> PathBuf {
    match working_directory() {
        Some(cwd) if path.is_relative() => into_lexically_normal(joined(cwd, path)),
        _ => lexically_normal(path),
    }
}

/// `base.join(rest)` in a buffer allocated once: `join` copies `base` into a buffer of its
/// exact size, then grows it for `rest` (a reallocation and a second copy per path).
pub fn joined(base: &Path, rest: &Path) -> PathBuf {
    let mut out = PathBuf::with_capacity(base.as_os_str().len() + 1 + rest.as_os_str().len());
    out.push(base);
    out.push(rest);
    out
}

/// The working directory, asked once: relative paths are resolved against it for every
/// file of a scan.
pub fn working_directory() -> Option<&'static Path> {
    static CWD: std::sync::LazyLock<Option<PathBuf>> =
        std::sync::LazyLock::new(|| std::env::current_dir().ok());
    CWD.as_deref()
}

/// What a parser is told besides the text.
pub struct ParseContext<'a> {
    /// The kind the file was classified as (one format can serve several kinds).
    pub target: Target,
    /// The moment time-based judgements are made at (seconds since the epoch): a host
    /// snapshot's collection time, `None` for now.
    pub judged_at: Option<i64>,
    /// Other files of the scan, for formats that read what a file includes.
    pub files: &'a dyn Files,
}

/// The files a scan may read: the directory walk's roots on disk, or a host snapshot's
/// collected files. Every read is bounded and contained (nothing outside the scan), so a
/// parser following an include cannot be pointed anywhere else.
pub trait Files: Sync {
    /// Reads `path`, refusing what is absent, outside the scan, too large or binary.
    fn read(&self, path: &Path) -> Result<SourceFile, Unreadable>;
    /// [`Self::read`] for a file the directory walk found as a regular file in folders it
    /// checked lead inside the scan ([`crate::discover::Input::found_plain`]): a view may
    /// skip asking again where it leads.
    fn read_found(&self, path: &Path) -> Result<SourceFile, Unreadable> {
        self.read(path)
    }
    /// Whether `path` is a regular file of the scan.
    fn is_file(&self, path: &Path) -> bool;
    /// Whether `path` is a directory of the scan.
    fn is_dir(&self, path: &Path) -> bool;
    /// The names in directory `dir`, sorted, or `None` when it is not a directory of the scan.
    fn list(&self, dir: &Path) -> Option<Vec<String>>;
    /// `path` with symbolic links resolved where the view has any (include cycles and
    /// `sites-enabled/` links are recognised by it).
    fn canonical(&self, path: &Path) -> PathBuf {
        path.to_path_buf()
    }
    /// Whether `path` is written inside the scan (decided from the path alone, so asking
    /// tells nothing about files outside).
    fn is_inside(&self, _path: &Path) -> bool {
        true
    }
    /// Whether `path` itself is a symbolic link.
    fn is_link(&self, _path: &Path) -> bool {
        false
    }
    /// Whether a file a document names (an `env_file:`, a `.dockerignore`) exists, as far
    /// as the scan may tell: nothing is asked of a path written outside it.
    fn presence(&self, path: &Path) -> Presence {
        match self.is_inside(path) {
            false => Presence::Unknown,
            true if self.is_file(path) => Presence::Present,
            true => Presence::Absent,
        }
    }
    /// `path` as reports show it.
    fn display(&self, path: &Path) -> String;
    /// The `helm` the user's scan renders Helm charts with, if any ([`helm::Helm`]).
    fn helm(&self) -> Option<&helm::Helm> {
        None
    }
    /// Whether the view holds every file nginx reads, as `nginx -T` printed them (a host
    /// snapshot): an `include` glob that matches nothing here matched nothing on the host,
    /// rather than files the scan does not have.
    fn holds_whole_nginx_configuration(&self) -> bool {
        false
    }
    /// Where facts read from other files are kept for the rest of the scan ([`memoised`]),
    /// if the view keeps any.
    fn memo(&self) -> Option<&ScanMemo> {
        None
    }
}

/// Whether a file a document names exists ([`Files::presence`]). A rule that reports a
/// missing file reports only [`Presence::Absent`]: a file outside the scan, or one a host
/// snapshot did not collect, may well be there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Presence {
    /// A regular file of the scan.
    Present,
    /// Inside the scan, and no file there.
    Absent,
    /// The scan cannot tell.
    #[default]
    Unknown,
}

impl Presence {
    /// Present if either is; absent only if both are.
    pub fn or(self, other: impl FnOnce() -> Presence) -> Presence {
        match self {
            Presence::Present => Presence::Present,
            Presence::Absent => other(),
            Presence::Unknown => match other() {
                Presence::Present => Presence::Present,
                _ => Presence::Unknown,
            },
        }
    }

    /// Whether any of `paths` is there ([`Presence::or`] over them, in order): asked of
    /// `files` one after another until one is present.
    pub fn of_any(files: &dyn Files, paths: impl IntoIterator<Item = PathBuf>) -> Presence {
        let mut found = Presence::Absent;
        for path in paths {
            found = found.or(|| files.presence(&path));
            if found == Presence::Present {
                break;
            }
        }
        found
    }
}

/// Facts a format reads from a file other than the one it parses, kept for the rest of
/// the scan: each manifest of a folder asks whether the folder's `kustomization.yaml`
/// patches it, and reading and parsing that file once per manifest made a folder cost the
/// square of its size. Bounded ([`MEMO_KEPT`]), as it is asked about every folder.
#[derive(Default)]
pub struct ScanMemo {
    facts: std::sync::Mutex<
        std::collections::HashMap<(std::any::TypeId, PathBuf), Arc<dyn Any + Send + Sync>>,
    >,
}

impl std::fmt::Debug for ScanMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let facts = self
            .facts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f.debug_struct("ScanMemo")
            .field("facts", &facts.len())
            .finish()
    }
}

/// How many facts [`ScanMemo`] keeps at most. Files are read in path order, a folder's
/// together: the facts of the last few thousand folders hit as often as those of every
/// folder would (each fact is read again at most once per emptying), and memory does not
/// grow with the tree (one per folder was 5 MiB of 100,000 files).
const MEMO_KEPT: usize = 4096;

/// The `T` for `key` (a path: the file or folder it was read from) from `files`' memo,
/// computed by `compute` the first time it is asked for, or every time when the view
/// keeps no memo. Two threads asking at once may both compute it; the first kept wins.
pub fn memoised<T: Any + Send + Sync>(
    files: &dyn Files,
    key: &Path,
    compute: impl FnOnce() -> T,
) -> Arc<T> {
    let Some(memo) = files.memo() else {
        return Arc::new(compute());
    };
    let lock = || {
        memo.facts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    let id = (std::any::TypeId::of::<T>(), key.to_path_buf());
    let known = lock().get(&id).cloned();
    // Computed without the lock: it reads and parses files.
    let fact = known.unwrap_or_else(|| {
        let computed: Arc<dyn Any + Send + Sync> = Arc::new(compute());
        let mut facts = lock();
        if facts.len() >= MEMO_KEPT {
            facts.clear();
        }
        Arc::clone(facts.entry(id).or_insert(computed))
    });
    fact.downcast()
        .unwrap_or_else(|_| unreachable!("memo entries are keyed by their type"))
}

/// The files of `files` that `pattern` matches, sorted like `glob(3)` (which sshd and nginx
/// both use): wildcards in any component, hidden names only for patterns that name them.
pub fn glob(files: &dyn Files, pattern: &Path) -> Vec<PathBuf> {
    use std::path::Component;
    let mut found = vec![PathBuf::new()];
    for component in pattern.components() {
        let part = component.as_os_str().to_string_lossy();
        let wild = matches!(component, Component::Normal(_)) && part.contains(['*', '?', '[']);
        if !wild {
            for path in &mut found {
                path.push(component.as_os_str());
            }
            continue;
        }
        let Some(matcher) = ComponentPattern::new(&part) else {
            return Vec::new();
        };
        let mut next = Vec::new();
        for dir in &found {
            let listed = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir.as_path()
            };
            for name in files.list(listed).unwrap_or_default() {
                if name.starts_with('.') && !part.starts_with('.') {
                    continue;
                }
                if matcher.is_match(&name) {
                    next.push(dir.join(&name));
                }
            }
        }
        found = next;
    }
    found.retain(|p| files.is_file(p));
    found.sort();
    found
}

/// The pattern of one path component of a [`glob`].
enum ComponentPattern<'p> {
    /// One `*` and nothing else special (`*.conf`, `*`): the include patterns of nearly every
    /// nginx configuration, matched without compiling a regex for each file that has one.
    Star {
        before: &'p str,
        after: &'p str,
    },
    Compiled(globset::GlobMatcher),
}

impl<'p> ComponentPattern<'p> {
    fn new(part: &'p str) -> Option<Self> {
        let special = |c: char| matches!(c, '*' | '?' | '[' | ']' | '{' | '}' | '\\');
        if let Some((before, after)) = part.split_once('*') {
            if !before.contains(special) && !after.contains(special) {
                return Some(Self::Star { before, after });
            }
        }
        let glob = globset::GlobBuilder::new(part)
            .literal_separator(true)
            .build()
            .ok()?;
        Some(Self::Compiled(glob.compile_matcher()))
    }

    /// Whether a name in a folder (no `/`) matches.
    fn is_match(&self, name: &str) -> bool {
        match self {
            Self::Star { before, after } => {
                name.len() >= before.len() + after.len()
                    && name.starts_with(before)
                    && name.ends_with(after)
            }
            Self::Compiled(matcher) => matcher.is_match(name),
        }
    }
}

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    /// It does not exist (or is a dangling link).
    Missing,
    /// It is, or leads through a link, outside the folders being scanned.
    Outside,
    /// A link into a folder the walk skips (`.git`, `node_modules`, …).
    SkippedFolder,
    /// A FIFO, socket, device or directory.
    NotRegular,
    /// Larger than the limit: `size` bytes (when known) over `limit`.
    TooLarge {
        /// Its size, when the file system says.
        size: Option<u64>,
        /// `max_file_size`.
        limit: u64,
    },
    /// A NUL byte in the first 8 KiB: a binary file.
    Binary,
    /// Any other error, as the system describes it.
    Io(SystemError),
}

/// An error the system gave, described only when shown: most are a probe's "no such file",
/// never shown, and describing each (ten thousand on a 10,000-file scan) was a formatted
/// string apiece.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SystemError {
    /// An operating system error code, described as `std::io::Error` describes it.
    Os(i32),
    /// Any other error, described.
    Described(String),
}

impl From<std::io::Error> for SystemError {
    fn from(error: std::io::Error) -> Self {
        match error.raw_os_error() {
            Some(code) => Self::Os(code),
            None => Self::Described(error.to_string()),
        }
    }
}

impl std::fmt::Display for SystemError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // The text depends on the code alone: the error's own `to_string()`.
            Self::Os(code) => std::io::Error::from_raw_os_error(*code).fmt(f),
            Self::Described(text) => f.write_str(text),
        }
    }
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Missing => f.write_str("does not exist"),
            Self::Outside => f.write_str("outside the folders being checked; not read"),
            Self::SkippedFolder => f.write_str(
                "a link into a folder preflight skips (version control, dependencies, caches); not read",
            ),
            Self::NotRegular => {
                f.write_str("not a regular file (a FIFO, socket or device); skipped")
            }
            Self::TooLarge {
                size: Some(size),
                limit,
            } => write!(
                f,
                "{size} bytes, over the {limit}-byte limit (`max_file_size` in preflight.toml)"
            ),
            Self::TooLarge { size: None, limit } => write!(f, "over the {limit}-byte limit"),
            Self::Binary => f.write_str("contains NUL bytes: a binary file, not text; skipped"),
            Self::Io(message) => write!(f, "cannot read: {message}"),
        }
    }
}

/// Whether `bytes` are a binary file's: a NUL in the first 8 KiB, as git and ripgrep decide.
pub fn is_binary(bytes: &[u8]) -> bool {
    // `memchr` looks 32 bytes at a time where `contains` looked one (every file is asked).
    memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some()
}

/// A view with no files at all, for parsing a text on its own.
pub struct NoFiles;

impl Files for NoFiles {
    fn is_inside(&self, _: &Path) -> bool {
        false
    }
    fn read(&self, _: &Path) -> Result<SourceFile, Unreadable> {
        Err(Unreadable::Missing)
    }
    fn is_file(&self, _: &Path) -> bool {
        false
    }
    fn is_dir(&self, _: &Path) -> bool {
        false
    }
    fn list(&self, _: &Path) -> Option<Vec<String>> {
        None
    }
    fn display(&self, path: &Path) -> String {
        path.display().to_string()
    }
}

/// Files held in memory: a host snapshot's collected files, or texts in tests. Directories
/// are the folders above the files.
#[derive(Debug, Default)]
pub struct MemoryFiles {
    files: std::collections::BTreeMap<PathBuf, Arc<Vec<u8>>>,
    /// Written before each path to show it (`ssh://prod-1`).
    display_prefix: String,
    /// Files shown otherwise than at the prefix and their path (a repository file put
    /// next to a host's files).
    shown: std::collections::BTreeMap<PathBuf, String>,
    /// The nginx files are an `nginx -T` dump ([`Files::holds_whole_nginx_configuration`]).
    whole_nginx: bool,
    /// Emptied whenever a file is added: what it holds was read from the files before.
    memo: ScanMemo,
}

impl MemoryFiles {
    /// No files yet; paths are shown with `display_prefix` before them.
    pub fn new(display_prefix: &str) -> Self {
        Self {
            files: std::collections::BTreeMap::new(),
            display_prefix: display_prefix.to_owned(),
            shown: std::collections::BTreeMap::new(),
            whole_nginx: false,
            memo: ScanMemo::default(),
        }
    }

    /// Says the nginx files held are the whole configuration `nginx -T` printed.
    pub fn hold_whole_nginx_configuration(&mut self) {
        self.whole_nginx = true;
    }

    /// Adds the file at `path`.
    pub fn insert(&mut self, path: impl Into<PathBuf>, bytes: impl Into<Arc<Vec<u8>>>) {
        self.memo = ScanMemo::default();
        self.files.insert(path.into(), bytes.into());
    }

    /// Adds the file at `path`, shown as `shown` rather than at the prefix.
    pub fn insert_shown(
        &mut self,
        path: impl Into<PathBuf>,
        bytes: impl Into<Arc<Vec<u8>>>,
        shown: String,
    ) {
        self.memo = ScanMemo::default();
        let path = path.into();
        self.shown.insert(path.clone(), shown);
        self.files.insert(path, bytes.into());
    }
}

impl Files for MemoryFiles {
    fn read(&self, path: &Path) -> Result<SourceFile, Unreadable> {
        let bytes = self.files.get(path).ok_or(Unreadable::Missing)?;
        if is_binary(bytes) {
            return Err(Unreadable::Binary);
        }
        Ok(SourceFile::from_bytes(
            path.to_path_buf(),
            self.display(path),
            bytes.to_vec(),
        ))
    }
    fn display(&self, path: &Path) -> String {
        match self.shown.get(path) {
            Some(shown) => shown.clone(),
            None => format!("{}{}", self.display_prefix, path.display()),
        }
    }
    fn is_file(&self, path: &Path) -> bool {
        self.files.contains_key(path)
    }
    /// A snapshot holds the files it collected, not every file of the host.
    fn presence(&self, path: &Path) -> Presence {
        match self.is_file(path) {
            true => Presence::Present,
            false => Presence::Unknown,
        }
    }
    fn holds_whole_nginx_configuration(&self) -> bool {
        self.whole_nginx
    }
    fn memo(&self) -> Option<&ScanMemo> {
        Some(&self.memo)
    }
    fn is_dir(&self, path: &Path) -> bool {
        self.files
            .range(path.to_path_buf()..)
            .next()
            .is_some_and(|(p, _)| p != path && p.starts_with(path))
    }
    fn list(&self, dir: &Path) -> Option<Vec<String>> {
        let mut names: Vec<String> = self
            .files
            .range(dir.to_path_buf()..)
            .take_while(|(p, _)| p.starts_with(dir))
            .filter_map(|(p, _)| p.strip_prefix(dir).ok()?.components().next())
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        names.dedup();
        (!names.is_empty()).then_some(names)
    }
}

/// What a view of files was asked ([`Asked`]).
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    Read,
    IsFile,
    IsDir,
    List,
    IsLink,
}

/// [`MemoryFiles`] recording what it is asked, in order: for tests that a question about the
/// disk (a system call there) is asked once, or not at all.
#[cfg(test)]
pub struct Asked<'a> {
    files: &'a MemoryFiles,
    asked: std::sync::Mutex<Vec<(Question, PathBuf)>>,
}

#[cfg(test)]
impl<'a> Asked<'a> {
    pub fn new(files: &'a MemoryFiles) -> Self {
        Self {
            files,
            asked: std::sync::Mutex::default(),
        }
    }

    /// What was asked since the last call.
    pub fn take(&self) -> Vec<(Question, PathBuf)> {
        std::mem::take(&mut *self.asked.lock().expect("not poisoned"))
    }

    fn ask(&self, question: Question, path: &Path) {
        let mut asked = self.asked.lock().expect("not poisoned");
        asked.push((question, path.to_path_buf()));
    }
}

#[cfg(test)]
impl Files for Asked<'_> {
    fn read(&self, path: &Path) -> Result<SourceFile, Unreadable> {
        self.ask(Question::Read, path);
        self.files.read(path)
    }
    fn is_file(&self, path: &Path) -> bool {
        self.ask(Question::IsFile, path);
        self.files.is_file(path)
    }
    fn is_dir(&self, path: &Path) -> bool {
        self.ask(Question::IsDir, path);
        self.files.is_dir(path)
    }
    fn list(&self, dir: &Path) -> Option<Vec<String>> {
        self.ask(Question::List, dir);
        self.files.list(dir)
    }
    fn is_link(&self, path: &Path) -> bool {
        self.ask(Question::IsLink, path);
        self.files.is_link(path)
    }
    fn display(&self, path: &Path) -> String {
        self.files.display(path)
    }
    fn memo(&self) -> Option<&ScanMemo> {
        self.files.memo()
    }
}

/// What a file's name says about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classification {
    /// The kind of file.
    pub target: Target,
    /// The name is ambiguous (`*.conf`): the parsed content must confirm the kind.
    pub confirm_by_content: bool,
}

impl Classification {
    /// A kind the name is certain of.
    pub fn certain(target: Target) -> Option<Self> {
        Some(Self {
            target,
            confirm_by_content: false,
        })
    }

    /// A kind the name is certain of, when `claimed`.
    pub fn certain_if(claimed: bool, target: Target) -> Option<Self> {
        claimed.then_some(Self {
            target,
            confirm_by_content: false,
        })
    }

    /// A kind the content must confirm.
    pub fn probable(target: Target) -> Option<Self> {
        Some(Self {
            target,
            confirm_by_content: true,
        })
    }
}

/// A path with the parts of its name classification looks at, computed once.
pub struct FileName<'a> {
    /// The whole path.
    pub path: &'a Path,
    /// The file name, lower-cased.
    pub name: String,
    /// The folders above the file, as written, when the path is UTF-8: split once, when
    /// first asked, as many formats' [`Format::classify`] ask ([`Self::in_folder`]).
    folders: std::cell::OnceCell<Option<Vec<&'a str>>>,
}

impl<'a> FileName<'a> {
    /// The name of `path`, or `None` when it has none (or it is not UTF-8).
    pub fn new(path: &'a Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        Some(Self {
            path,
            name,
            folders: std::cell::OnceCell::new(),
        })
    }

    /// The parts of the folder path `Path::components` gives: the root or a leading `.`,
    /// then the parts that are neither empty nor `.`.
    fn folders(&self) -> Option<&[&'a str]> {
        self.folders
            .get_or_init(|| {
                let parent = self.path.parent()?.to_str()?;
                #[cfg(unix)]
                let parts = || parent.split('/');
                #[cfg(not(unix))]
                let parts = || parent.split(std::path::is_separator);
                let lead = if parent.starts_with(std::path::is_separator) {
                    Some(&parent[..1])
                } else {
                    parts().next().filter(|first| *first == ".")
                };
                Some(
                    lead.into_iter()
                        .chain(parts().filter(|part| !part.is_empty() && *part != "."))
                        .collect(),
                )
            })
            .as_deref()
    }

    /// The name of the folder the file is in, as written.
    pub fn parent(&self) -> Option<&'a str> {
        match self.folders() {
            // A name, not the root, `.` or `..`, as `Path::file_name` says.
            Some(folders) => folders.last().copied().filter(|folder| {
                !matches!(*folder, "." | "..") && !folder.starts_with(std::path::is_separator)
            }),
            None => self.path.parent()?.file_name()?.to_str(),
        }
    }

    /// The last `.`-separated part of the lower-cased name.
    pub fn extension(&self) -> Option<&str> {
        self.name.rsplit_once('.').map(|(_, ext)| ext)
    }

    /// Whether the name is `suffix` or ends in `.suffix` (`prod.redis.conf`).
    pub fn is(&self, suffix: &str) -> bool {
        self.name == suffix
            || (self.name.len() > suffix.len()
                && self.name.ends_with(suffix)
                && self.name.as_bytes()[self.name.len() - suffix.len() - 1] == b'.')
    }

    /// Whether any folder above the file is named one of `names`.
    pub fn in_folder(&self, names: &[&str]) -> bool {
        match self.folders() {
            Some(folders) => folders.iter().any(|folder| names.contains(folder)),
            None => self
                .path
                .parent()
                .into_iter()
                .flat_map(Path::components)
                .any(|c| c.as_os_str().to_str().is_some_and(|c| names.contains(&c))),
        }
    }
}

/// Something a parser could not read. Parsers collect these and go on, so one mistake never
/// hides the rest of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Where the problem is.
    pub span: Span,
    /// What is wrong, in words a user can act on.
    pub message: Message,
}

/// The lines of `text` with the byte offset each starts at, `\n` and `\r\n` removed: the
/// line-oriented formats (PostgreSQL, Redis, fail2ban, logrotate, firewall rules) all read
/// one statement a line and need absolute spans.
pub fn lines_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split_inclusive('\n').map(move |line| {
        let start = offset;
        offset += line.len();
        (start, line.trim_end_matches(['\n', '\r']))
    })
}

/// Blank-separated words of `line` (which starts at absolute offset `start`), double or
/// single quotes grouping and removed, each with the span it is written at. Characters for
/// which `is_token` holds are words of their own (logrotate's `{` and `}`).
pub fn quoted_words(line: &str, start: usize, is_token: fn(char) -> bool) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    let mut chars = line.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut value = String::new();
        let mut end = i;
        let mut quote = None;
        while let Some(&(j, c)) = chars.peek() {
            if quote.is_none() && (c.is_whitespace() || is_token(c)) && j != i {
                break;
            }
            chars.next();
            end = j + c.len_utf8();
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, c) if is_token(c) => {
                    value.push(c);
                    break;
                }
                _ => value.push(c),
            }
        }
        out.push((value, Span::new(start + i, start + end)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error of the system's reads as the error itself would: only its code is kept,
    /// and the text depends on nothing else.
    #[test]
    fn system_errors_read_as_the_errors_they_were() {
        for error in [
            std::io::Error::from_raw_os_error(2),
            std::io::Error::from_raw_os_error(13),
            std::io::Error::from(std::io::ErrorKind::InvalidData),
            std::io::Error::other("a reason of its own"),
        ] {
            let shown = error.to_string();
            assert_eq!(SystemError::from(error).to_string(), shown);
        }
    }

    /// Present if either is, absent only if both are; the second is not asked once the
    /// first is present.
    #[test]
    fn presences_combine_as_either_file() {
        use Presence::{Absent, Present, Unknown};
        for (first, second, either) in [
            (Present, Present, Present),
            (Present, Absent, Present),
            (Present, Unknown, Present),
            (Absent, Present, Present),
            (Absent, Absent, Absent),
            (Absent, Unknown, Unknown),
            (Unknown, Present, Present),
            (Unknown, Absent, Unknown),
            (Unknown, Unknown, Unknown),
        ] {
            let mut asked = false;
            let combined = first.or(|| {
                asked = true;
                second
            });
            assert_eq!(combined, either, "{first:?} or {second:?}");
            assert_eq!(asked, first != Present, "{first:?} or {second:?}");
        }
    }

    /// Any of several paths: present once one is, absent only when there are none to ask.
    #[test]
    fn presence_of_any_path_combines_them_in_order() {
        let mut files = MemoryFiles::new("");
        files.insert("/h/a.env", b"A=1\n".to_vec());
        let paths = |names: &[&str]| names.iter().map(PathBuf::from).collect::<Vec<_>>();
        let of_any = |names: &[&str]| Presence::of_any(&files, paths(names));
        assert_eq!(of_any(&[]), Presence::Absent);
        assert_eq!(of_any(&["/h/b.env"]), Presence::Unknown);
        assert_eq!(of_any(&["/h/b.env", "/h/a.env"]), Presence::Present);
        assert_eq!(of_any(&["/h/a.env", "/h/b.env"]), Presence::Present);
    }

    /// A snapshot holds what it collected: a file it does not hold may be on the host.
    #[test]
    fn a_snapshot_knows_only_the_files_it_holds() {
        let mut view = MemoryFiles::new("");
        view.insert("/srv/app/.env", b"A=1\n".to_vec());
        assert_eq!(view.presence(Path::new("/srv/app/.env")), Presence::Present);
        assert_eq!(
            view.presence(Path::new("/srv/app/web.env")),
            Presence::Unknown
        );
        assert_eq!(
            NoFiles.presence(Path::new("/srv/app/.env")),
            Presence::Unknown
        );
    }

    /// A path given back as it is is the path rebuilt a component at a time, byte for byte.
    #[test]
    fn a_normal_path_is_its_own_lexical_normal_form() {
        let parts = ["", ".", "..", "a", "b.c", "-", "..."];
        let mut paths = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = paths
                .iter()
                .flat_map(|p| parts.iter().map(move |part| format!("{p}/{part}")))
                .collect();
            paths.extend(longer);
        }
        let spellings = paths
            .iter()
            .flat_map(|p| [p.clone(), p.trim_start_matches('/').to_owned()]);
        let mut given_back = 0;
        for spelling in spellings {
            let path = Path::new(&spelling);
            assert_eq!(
                lexically_normal(path).as_os_str(),
                rebuilt_normal(path).as_os_str(),
                "{spelling:?}"
            );
            given_back += usize::from(is_lexically_normal(path));
        }
        assert!(given_back > 100, "{given_back}");
    }

    /// The folders split once answer as `Path::components` does, whatever the spelling.
    #[cfg(unix)]
    #[test]
    fn a_files_folders_are_its_path_components() {
        let paths = [
            "a/nginx/x.conf",
            "./nginx//x.conf",
            "/etc/nginx/./sites-enabled/x",
            "a/../nginx/x",
            "nginx/",
            "x.conf",
            "/x",
            "a/./b/./c/x",
            "sites-enabled",
            ".",
            "./.",
            "../x",
            "//a//b/",
            "a/b/../x",
            "a/b/./x",
            "./x",
            "conf.d/x.conf",
        ];
        let names: [&[&str]; 4] = [
            &["nginx"],
            &["sites-enabled", "b"],
            &[".", "..", "/"],
            &[""],
        ];
        for path in paths {
            let Some(name) = FileName::new(Path::new(path)) else {
                continue;
            };
            for names in names {
                let by_components = Path::new(path)
                    .parent()
                    .into_iter()
                    .flat_map(Path::components)
                    .any(|c| c.as_os_str().to_str().is_some_and(|c| names.contains(&c)));
                assert_eq!(name.in_folder(names), by_components, "{path} in {names:?}");
            }
            let parent = Path::new(path).parent().and_then(Path::file_name);
            assert_eq!(name.parent(), parent.and_then(|p| p.to_str()), "{path}");
        }
    }

    /// A pattern with one `*` matches the names globset matches it with.
    #[test]
    fn a_star_pattern_matches_as_globset_does() {
        let names = [
            "",
            "a",
            "a.conf",
            ".conf",
            "a.conf.bak",
            "conf",
            "default",
            "x.conf.conf",
            "ab",
            "a b.conf",
            "é.conf",
            "*",
            "a*b",
            "A.CONF",
        ];
        for part in [
            "*",
            "*.conf",
            "a*",
            "a*b",
            "default*",
            "*.conf.conf",
            "x*.conf",
            "*é",
            // Overlapping ends: `a` is no match.
            "a*a",
        ] {
            let star = ComponentPattern::new(part).expect("valid");
            assert!(matches!(star, ComponentPattern::Star { .. }), "{part}");
            let compiled = globset::GlobBuilder::new(part)
                .literal_separator(true)
                .build()
                .expect("valid")
                .compile_matcher();
            for name in names {
                assert_eq!(
                    star.is_match(name),
                    compiled.is_match(name),
                    "{part} {name}"
                );
            }
        }
        for compiled in ["*.{conf,inc}", "?.conf", "[ab]*", "a\\*", "**"] {
            assert!(matches!(
                ComponentPattern::new(compiled),
                Some(ComponentPattern::Compiled(_))
            ));
        }
    }

    /// A fact is computed once while it is kept, again once the memo was emptied to stay
    /// within its bound, and every time for a view that keeps no memo.
    #[test]
    fn a_memoised_fact_is_computed_once_while_kept() {
        let files = MemoryFiles::new("");
        let computed = std::cell::Cell::new(0);
        let ask = |files: &dyn Files, key: &str| {
            *memoised(files, Path::new(key), || {
                computed.set(computed.get() + 1);
                key.len()
            })
        };
        assert_eq!((ask(&files, "ab"), ask(&files, "ab")), (2, 2));
        assert_eq!(computed.get(), 1);
        for n in 0..MEMO_KEPT {
            ask(&files, &n.to_string());
        }
        computed.set(0);
        ask(&files, "ab");
        assert_eq!(computed.get(), 1);
        ask(&NoFiles, "ab");
        ask(&NoFiles, "ab");
        assert_eq!(computed.get(), 3);
    }

    #[test]
    fn globs_expand_sorted_and_skip_hidden_files() {
        let mut files = MemoryFiles::default();
        for name in [
            "50-b.conf",
            "10-a.conf",
            ".hidden.conf",
            "notes.txt",
            "sub/x.conf",
        ] {
            files.insert(Path::new("/etc/ssh/sshd_config.d").join(name), Vec::new());
        }
        let d = Path::new("/etc/ssh/sshd_config.d");
        let names: Vec<String> = glob(&files, &d.join("*.conf"))
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["10-a.conf", "50-b.conf"]);
        assert!(glob(&files, &d.join("missing.conf")).is_empty());
        assert_eq!(glob(&files, &d.join("notes.txt")).len(), 1);
        assert_eq!(
            glob(&files, Path::new("/etc/*/sshd_config.d/sub/*.conf")).len(),
            1
        );
        assert!(files.is_dir(Path::new("/etc/ssh")));
        assert!(!files.is_dir(Path::new("/etc/ss")));
    }
}
