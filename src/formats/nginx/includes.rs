//! Following nginx `include` directives across the files of a scan.
//!
//! nginx reads an included file as if its text stood in place of the `include`, so a
//! snippet's `add_header` belongs to the `server` that includes it and a site file's
//! directives are in `http` context. Rules should see the configuration that way. After
//! parsing, this module resolves every `include` against the scanned files the way nginx
//! does — relative paths against the configuration prefix (the directory of `nginx.conf`),
//! `/etc/nginx/…` mapped onto that prefix, globs sorted — and gives each file a tree with
//! its includes expanded. A file that another one includes is judged there, in its real
//! context, and not on its own; a file nothing includes is judged on its own.
//!
//! Includes nginx would fail on become problems of the file that has them: a named file
//! that does not exist in a directory the scan has (`nginx -t`: `open() … failed`), and
//! cycles. An include preflight cannot follow (a file outside the scan, a path with a
//! variable) is left in the tree, and rules treat the level it stands at as unknown.

use std::any::Any;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::formats::nginx::{NginxConfig, NginxDirective, MAX_DEPTH};
use crate::formats::sets::Sets;
use crate::formats::{absolute_normal, Files, GroupedFile, Grouping, ParseError};
use crate::message::{Message, Quote};
use crate::msg;
use crate::source::{SourceFile, Span};

/// The nginx documents of a scan: each file's source and its tree.
pub type NginxFiles<'a, 'b> = [(&'a Arc<SourceFile>, &'b mut NginxConfig)];
/// The same, read-only.
type NginxView<'a> = [(&'a Arc<SourceFile>, &'a NginxConfig)];

/// Files distributions and images ship next to `nginx.conf`, and whether their content is
/// neutral to the checks (MIME types, charset maps, `*_params`, `load_module` lines) —
/// `snippets/snakeoil.conf` sets a certificate, `fastcgi-php.conf` a `try_files`. A scanned
/// project that includes them without shipping them relies on the host's copies.
const PACKAGE_FILES: &[(&str, bool)] = &[
    ("mime.types", true),
    ("fastcgi_params", true),
    ("fastcgi.conf", true),
    ("scgi_params", true),
    ("uwsgi_params", true),
    ("proxy_params", true),
    ("koi-utf", true),
    ("koi-win", true),
    ("win-utf", true),
    ("modules-enabled/*.conf", true),
    ("snippets/fastcgi-php.conf", false),
    ("snippets/snakeoil.conf", false),
];

/// For an `include` path naming a file packages ship (`mime.types`,
/// `/etc/nginx/proxy_params`): whether its content is neutral to the checks.
pub fn package_file(path: &str) -> Option<bool> {
    PACKAGE_FILES
        .iter()
        .find(|(file, _)| {
            // `path` is `file` or ends with `/file`, tested without building `/file`.
            path.strip_suffix(file)
                .is_some_and(|before| before.is_empty() || before.ends_with('/'))
        })
        .map(|(_, neutral)| *neutral)
}

/// What one `include` resolves to.
enum Resolution {
    /// Scanned files, in the order nginx reads them.
    Files(Vec<usize>),
    /// A named file nginx would fail to open.
    Missing(PathBuf),
    /// Cannot be followed: the level it stands at is unknown.
    Unknown,
}

/// One `include` of one file.
struct Edge {
    /// The file that has it.
    from: usize,
    /// Its span in that file (the key to find it again when expanding).
    span: Span,
    /// Where the argument is written, for problems.
    argument: Span,
    resolution: Resolution,
}

/// Resolves the includes of every nginx document of the scan against `files` and records
/// the expanded trees, which files are included elsewhere, and the problems.
pub fn resolve(nginx: &mut NginxFiles, files: &dyn Files) {
    let index = ScanIndex::new(nginx.iter().map(|(s, _)| s.path.as_path()), files);
    let globals: Vec<usize> = (0..nginx.len()).collect();
    record(nginx, &index, &globals);
}

/// [`resolve`] for one group of the files [`group`] made: includes are resolved against
/// every file of the scan's groups (`relations`, the [`ScanPaths`] [`group`] built once),
/// so relative paths and missing files mean what they mean when all are related at once,
/// while only this group's trees are in memory.
pub fn resolve_within(
    nginx: &mut NginxFiles,
    relations: &(dyn Any + Send + Sync),
    files: &dyn Files,
) {
    let Some(paths) = relations.downcast_ref::<ScanPaths>() else {
        return resolve(nginx, files);
    };
    let index = ScanIndex::over(paths, files);
    let globals: Option<Vec<usize>> = nginx
        .iter()
        .map(|(source, _)| paths.files.get(&absolute_normal(&source.path)).copied())
        .collect();
    match globals {
        Some(globals) => record(nginx, &index, &globals),
        None => resolve(nginx, files),
    }
}

/// Follows the includes of `nginx` against `index`, in which `nginx[i]` is file
/// `globals[i]`, and records the expanded trees, inclusions and problems in each document.
fn record(nginx: &mut NginxFiles, index: &ScanIndex, globals: &[usize]) {
    let view: Vec<(&Arc<SourceFile>, &NginxConfig)> = nginx
        .iter()
        .map(|(source, config)| (*source, &**config))
        .collect();
    let Some((expanded, included, mut problems, mut not_followed)) = follow(&view, index, globals)
    else {
        return;
    };
    for (i, tree) in expanded {
        nginx[i].1.includes.expanded = Some(tree);
    }
    for (i, (_, config)) in nginx.iter_mut().enumerate() {
        config.includes.included_elsewhere = included.contains(&i);
        config.includes.problems = problems.remove(&i).unwrap_or_default();
        config.includes.not_followed = not_followed.remove(&i).unwrap_or_default();
    }
}

/// What following the includes found, per file: expanded trees, files included
/// elsewhere, problems, includes not followed; `None` when no file includes another.
type Followed = (
    Vec<(usize, Vec<NginxDirective>)>,
    HashSet<usize>,
    HashMap<usize, Vec<ParseError>>,
    HashMap<usize, Vec<ParseError>>,
);

/// The arguments of every `include` in `config`: all [`group`] needs of a file once its
/// tree is dropped.
pub fn include_arguments(config: &NginxConfig) -> Vec<String> {
    // Collected by reference: collecting the walk's own vector in place kept its buffer
    // (every directive of the file) alive behind one or two names until the end of the
    // scan, a quarter of the memory a tree of nginx files held.
    config
        .directives()
        .filter(|directive| directive.name == "include")
        .filter_map(|directive| directive.args.first().map(|a| a.value.to_string()))
        .collect()
}

/// Splits the nginx files kept to the end (`kept`: each path with its
/// [`include_arguments`]) and the files judged alone that they include (of `candidates`:
/// files without `include`s of their own, judged on their own so far, with every other
/// name each was read by, a `sites-enabled/` link and its target) into groups no include crosses, so each group is
/// parsed, related ([`resolve_within`]) and judged on its own.
pub fn group(kept: &[(&Path, &[String])], candidates: &[&Path], files: &dyn Files) -> Grouping {
    let first = kept.len();
    let index = ScanIndex::new(
        kept.iter()
            .map(|(p, _)| *p)
            .chain(candidates.iter().copied()),
        files,
    );
    let mut named = HashSet::new();
    for (_, target) in reached(&index, kept) {
        let names = index.copies.get(&target).cloned();
        named.extend(names.unwrap_or_else(|| vec![target]));
    }
    let mut named: Vec<usize> = named
        .into_iter()
        .filter_map(|i| i.checked_sub(first))
        .collect();
    named.sort_unstable();

    // The files related at the end, and the includes and copies that tie them together.
    let scan: Vec<PathBuf> = kept
        .iter()
        .map(|(p, _)| p.to_path_buf())
        .chain(named.iter().map(|&i| candidates[i].to_path_buf()))
        .collect();
    // The same files again, fewer: none is a link if none of all of them was.
    let paths = ScanPaths::new(scan.iter().map(PathBuf::as_path), files, index.any_symlink);
    let index = ScanIndex::over(&paths, files);
    let mut sets = Sets::new(scan.len());
    for (from, target) in reached(&index, kept) {
        sets.join(from, target);
    }
    for same in index.copies.values() {
        for &copy in same {
            sets.join(same[0], copy);
        }
    }
    let groups = sets.groups();
    Grouping {
        named,
        groups,
        relations: Arc::new(paths),
    }
}

/// [`group`] on the files of [`crate::formats::Format::groups`]: those kept with their
/// includes, and those judged alone as candidates, each keeping its position in the scan.
pub fn group_files(scan: &[GroupedFile], files: &dyn Files) -> Grouping {
    let (kept_at, candidates_at): (Vec<usize>, Vec<usize>) =
        (0..scan.len()).partition(|&i| scan[i].1.is_some());
    let kept: Vec<(&Path, &[String])> = kept_at
        .iter()
        .filter_map(|&i| Some((scan[i].0, scan[i].1?)))
        .collect();
    let candidates: Vec<&Path> = candidates_at.iter().map(|&i| scan[i].0).collect();
    let mut grouping = group(&kept, &candidates, files);
    let at: Vec<usize> = kept_at
        .iter()
        .copied()
        .chain(grouping.named.iter().map(|&j| candidates_at[j]))
        .collect();
    for group in &mut grouping.groups {
        for k in group.iter_mut() {
            *k = at[*k];
        }
    }
    for j in &mut grouping.named {
        *j = candidates_at[*j];
    }
    grouping
}

/// Every file of `index` the includes of each `kept` file reach: (kept index, file).
fn reached<'k>(
    index: &'k ScanIndex,
    kept: &'k [(&Path, &[String])],
) -> impl Iterator<Item = (usize, usize)> + 'k {
    kept.iter()
        .enumerate()
        .flat_map(move |(from, (path, arguments))| {
            arguments
                .iter()
                .filter_map(move |argument| match index.resolve(path, argument) {
                    Resolution::Files(targets) => Some(targets),
                    _ => None,
                })
                .flatten()
                .map(move |target| (from, target))
        })
}

/// Follows the includes of `documents` against `index`, in which `documents[i]` is file
/// `globals[i]`; a file of the index that is none of them (another group's, never reached
/// from this one) is not followed.
fn follow(documents: &NginxView, index: &ScanIndex, globals: &[usize]) -> Option<Followed> {
    let local: HashMap<usize, usize> = globals.iter().enumerate().map(|(i, &g)| (g, i)).collect();
    // Resolutions in the documents' own numbering; a match that is not one of them is not
    // followed, as a match that is not a scanned file.
    let to_local = |resolution: Resolution| match resolution {
        Resolution::Files(targets) => targets
            .iter()
            .map(|g| local.get(g).copied())
            .collect::<Option<Vec<usize>>>()
            .map_or(Resolution::Unknown, Resolution::Files),
        other => other,
    };
    let copies: HashMap<usize, Vec<usize>> = globals
        .iter()
        .enumerate()
        .filter_map(|(i, g)| {
            let same = index.copies.get(g)?;
            Some((
                i,
                same.iter().filter_map(|c| local.get(c).copied()).collect(),
            ))
        })
        .collect();
    let edges = {
        let mut edges = Vec::new();
        for (i, (source, config)) in documents.iter().enumerate() {
            for directive in config.directives() {
                if directive.name != "include" {
                    continue;
                }
                let Some(argument) = directive.args.first() else {
                    continue;
                };
                edges.push(Edge {
                    from: i,
                    span: directive.span,
                    argument: argument.span,
                    resolution: to_local(index.resolve(&source.path, &argument.value)),
                });
            }
        }
        edges
    };
    if edges.is_empty() {
        return None;
    }

    let mut problems: HashMap<usize, Vec<ParseError>> = HashMap::new();
    let graph = Graph::new(&edges);
    let mut followed: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
    for edge in &edges {
        match &edge.resolution {
            Resolution::Files(targets) => {
                if let Some(cycle) = targets.iter().find_map(|&t| graph.path(t, edge.from)) {
                    let names = std::iter::once(edge.from)
                        .chain(cycle)
                        .map(|i| msg!("`{}`", documents[i].0));
                    problems.entry(edge.from).or_default().push(ParseError {
                        span: edge.argument,
                        message: msg!(
                            "this `include` forms a cycle ({}), so nginx includes the same files again and again until it crashes; include each file from one place only",
                            Message::join(names, " → ")
                        ),
                    });
                } else {
                    followed.insert((edge.from, edge.span.start), targets.clone());
                }
            }
            Resolution::Missing(path) => {
                // The path nginx would open: what is written, joined to the prefix.
                let named = Quote::derived(edge.argument, index.scan.display(path));
                problems.entry(edge.from).or_default().push(ParseError {
                    span: edge.argument,
                    message: msg!(
                        "the included file `{}` does not exist, so `nginx -t` fails with \"open() … failed\" and nginx will not start or reload; fix the path (relative paths start at the directory of `nginx.conf`) or add the file",
                        named
                    ),
                });
            }
            Resolution::Unknown => {}
        }
    }

    // An included file is judged where it is included, under every name it was read by.
    let included: HashSet<usize> = followed
        .iter()
        .flat_map(|((from, _), targets)| targets.iter().filter(move |t| *t != from))
        .flat_map(|t| copies.get(t).cloned().unwrap_or_else(|| vec![*t]))
        .collect();
    let mut expander = Expander {
        documents,
        followed: &followed,
        done: HashMap::new(),
        sizes: HashMap::new(),
        used: 0,
        not_followed: Vec::new(),
    };
    // Included files first, so expanding a file never recurses down a chain of includes.
    for i in included_first(&followed) {
        expander.expand(i);
    }
    let with_includes: HashSet<usize> = followed.keys().map(|(from, _)| *from).collect();
    let expanded: Vec<(usize, Vec<NginxDirective>)> = with_includes
        .iter()
        .map(|&i| (i, expander.expand(i)))
        .collect();
    let mut not_followed: HashMap<usize, Vec<ParseError>> = HashMap::new();
    for (i, error) in expander.not_followed {
        not_followed.entry(i).or_default().push(error);
    }
    Some((expanded, included, problems, not_followed))
}

/// The scanned nginx files by path, and the configuration prefixes (directories holding an
/// `nginx.conf`): built once for all the groups of a scan ([`group`]).
#[derive(Clone)]
pub struct ScanPaths {
    /// Documents by path, `.` and `..` applied.
    files: HashMap<PathBuf, usize>,
    /// Documents that are the same file read under several names (a `sites-enabled/`
    /// symlink and its target), each mapped to all of them.
    copies: HashMap<usize, Vec<usize>>,
    prefixes: HashSet<PathBuf>,
    /// Whether any of the files is a symlink.
    any_symlink: bool,
}

impl ScanPaths {
    /// The index of the files at `paths`, numbered in that order; `may_link` false when
    /// they are known to hold no symlink (none is asked about: a system call each).
    fn new<'p>(paths: impl Iterator<Item = &'p Path>, scan: &dyn Files, may_link: bool) -> Self {
        let mut files = HashMap::new();
        let mut prefixes = HashSet::new();
        let mut any_symlink = false;
        for (i, path) in paths.enumerate() {
            let path = absolute_normal(path);
            if path.file_name().is_some_and(|n| n == "nginx.conf") {
                if let Some(dir) = path.parent() {
                    prefixes.insert(dir.to_path_buf());
                }
            }
            any_symlink = any_symlink || (may_link && scan.is_link(&path));
            files.insert(path, i);
        }
        // Resolving every path costs a system call per component; only worth it when some
        // file is a symlink and may be another one under a second name.
        let mut copies = HashMap::new();
        if any_symlink {
            let mut by_file: HashMap<PathBuf, Vec<usize>> = HashMap::new();
            for (path, &i) in &files {
                by_file.entry(scan.canonical(path)).or_default().push(i);
            }
            for same in by_file.into_values().filter(|same| same.len() > 1) {
                for &i in &same {
                    copies.insert(i, same.clone());
                }
            }
        }
        Self {
            files,
            copies,
            prefixes,
            any_symlink,
        }
    }
}

/// [`ScanPaths`] with the files of the scan, where globs are expanded and existence is
/// asked.
struct ScanIndex<'f> {
    paths: Cow<'f, ScanPaths>,
    scan: &'f dyn Files,
}

impl std::ops::Deref for ScanIndex<'_> {
    type Target = ScanPaths;

    fn deref(&self) -> &ScanPaths {
        &self.paths
    }
}

impl<'f> ScanIndex<'f> {
    /// The index of the files at `paths`, numbered in that order.
    fn new<'p>(paths: impl Iterator<Item = &'p Path>, scan: &'f dyn Files) -> Self {
        Self {
            paths: Cow::Owned(ScanPaths::new(paths, scan, true)),
            scan,
        }
    }

    /// The index of `paths`, built before.
    fn over(paths: &'f ScanPaths, scan: &'f dyn Files) -> Self {
        Self {
            paths: Cow::Borrowed(paths),
            scan,
        }
    }

    /// The nearest directory at or above `file`'s that holds an `nginx.conf`.
    fn prefix_of(&self, file: &Path) -> Option<&Path> {
        let file = absolute_normal(file);
        file.ancestors()
            .skip(1)
            .find_map(|dir| self.prefixes.get(dir).map(PathBuf::as_path))
    }

    /// What `include pattern` in `file` names.
    fn resolve(&self, file: &Path, pattern: &str) -> Resolution {
        if pattern.contains('$') {
            return Resolution::Unknown;
        }
        let prefix = self.prefix_of(file);
        let relative = pattern
            .strip_prefix("/etc/nginx/")
            .or_else(|| (!pattern.starts_with('/')).then_some(pattern));
        let bases: Vec<PathBuf> = match (prefix, relative) {
            (Some(prefix), Some(_)) => vec![prefix.to_path_buf()],
            // No nginx.conf in the scan: try the including file's directory and the ones
            // above it, where a project keeps `snippets/` next to `sites-available/`.
            (None, Some(_)) => absolute_normal(file)
                .ancestors()
                .skip(1)
                .take(3)
                .map(Path::to_path_buf)
                .collect(),
            (_, None) => vec![PathBuf::new()],
        };
        let named = relative.unwrap_or(pattern);
        let is_glob = named.contains(['*', '?', '[']);
        let candidates = bases.iter().map(|base| absolute_normal(&base.join(named)));
        if !is_glob {
            // The first base where the file exists wins: a scanned file is known to exist
            // without asking, and a file that exists unscanned cannot be followed. A file
            // packages ship (`snippets/fastcgi-php.conf`) that no base has scanned cannot be
            // followed whichever base holds it, so nothing is asked at all.
            let candidates: Vec<PathBuf> = candidates.collect();
            let scanned = candidates.iter().position(|c| self.files.contains_key(c));
            if scanned.is_none() && package_file(named).is_some() {
                return Resolution::Unknown;
            }
            for (at, candidate) in candidates.iter().enumerate() {
                if Some(at) == scanned {
                    return Resolution::Files(vec![self.files[candidate]]);
                }
                if self.scan.is_file(candidate) {
                    return Resolution::Unknown;
                }
            }
        } else {
            let whole = self.scan.holds_whole_nginx_configuration();
            for candidate in candidates {
                // A glob whose directory exists means what it matches, even nothing (nginx
                // accepts that), and so does any glob in an `nginx -T` dump, which holds
                // every file nginx read; otherwise try the next base. Asked before listing:
                // a directory the scan lacks lists nothing, and asking once costs less.
                if !whole && !candidate.parent().is_some_and(|d| self.scan.is_dir(d)) {
                    continue;
                }
                let matches = self.glob(&candidate);
                let scanned: Option<Vec<usize>> = matches
                    .iter()
                    .map(|m| self.files.get(&absolute_normal(m)).copied())
                    .collect();
                return scanned.map_or(Resolution::Unknown, Resolution::Files);
            }
        }
        // Nothing matched. A named file that is missing is an error, reported when the scan
        // has the directory it should be in; a glob into a directory the scan does not have
        // may match files on the server.
        let Some(prefix) = prefix.filter(|_| relative.is_some() && !is_glob) else {
            return Resolution::Unknown;
        };
        let candidate = absolute_normal(&prefix.join(named));
        let provided = package_file(named).is_some();
        if is_glob || provided || !candidate.parent().is_some_and(|d| self.scan.is_dir(d)) {
            return Resolution::Unknown;
        }
        Resolution::Missing(candidate)
    }

    /// The files matching `pattern`, sorted as nginx's `glob()` returns them. Wildcards are
    /// honoured in the last component only; elsewhere the include is not followed.
    fn glob(&self, pattern: &Path) -> Vec<PathBuf> {
        let wild_directory = pattern
            .parent()
            .is_some_and(|dir| dir.to_string_lossy().contains(['*', '?', '[']));
        if wild_directory {
            return Vec::new();
        }
        crate::formats::glob(self.scan, pattern)
    }
}

/// Which files include which, for cycle detection.
struct Graph {
    next: HashMap<usize, Vec<usize>>,
}

impl Graph {
    fn new(edges: &[Edge]) -> Self {
        let mut next: HashMap<usize, Vec<usize>> = HashMap::new();
        for edge in edges {
            if let Resolution::Files(targets) = &edge.resolution {
                next.entry(edge.from).or_default().extend(targets);
            }
        }
        Self { next }
    }

    /// The files on a path of includes from `from` to `to`, both included, if any.
    fn path(&self, from: usize, to: usize) -> Option<Vec<usize>> {
        let mut came_from: HashMap<usize, usize> = HashMap::new();
        let mut queue = std::collections::VecDeque::from([from]);
        let mut seen = HashSet::from([from]);
        while let Some(at) = queue.pop_front() {
            if at == to {
                let mut path = vec![at];
                let mut cursor = at;
                while let Some(&previous) = came_from.get(&cursor) {
                    path.push(previous);
                    cursor = previous;
                }
                path.reverse();
                return Some(path);
            }
            for &n in self.next.get(&at).into_iter().flatten() {
                if seen.insert(n) {
                    came_from.insert(n, at);
                    queue.push_back(n);
                }
            }
        }
        None
    }
}

/// The files the followed includes lead from and to, every file after the files it
/// includes (a depth-first post-order, kept on a heap stack: chains of includes may be as
/// long as the scan has files).
fn included_first(followed: &HashMap<(usize, usize), Vec<usize>>) -> Vec<usize> {
    let mut next: HashMap<usize, Vec<usize>> = HashMap::new();
    for ((from, _), targets) in followed {
        next.entry(*from).or_default().extend(targets);
    }
    let mut starts: Vec<usize> = next.keys().copied().collect();
    starts.sort_unstable();
    let mut order = Vec::new();
    let mut seen = HashSet::new();
    for start in starts {
        if !seen.insert(start) {
            continue;
        }
        let mut stack = vec![(start, 0)];
        while let Some((file, visited)) = stack.last_mut() {
            match next.get(file).and_then(|targets| targets.get(*visited)) {
                Some(&target) => {
                    *visited += 1;
                    if seen.insert(target) {
                        stack.push((target, 0));
                    }
                }
                None => {
                    order.push(*file);
                    stack.pop();
                }
            }
        }
    }
    order
}

/// Most directives one file's expanded tree may hold. Real configurations expand to a few
/// thousand; includes that fan out (every file including every file of the next folder,
/// a dozen folders down) would otherwise expand to millions and exhaust memory.
pub const MAX_EXPANDED: usize = 50_000;

/// How many directives `list` holds, blocks' contents included (bounded: trees are at most
/// [`MAX_DEPTH`] deep).
fn count(list: &[NginxDirective]) -> usize {
    list.iter()
        .map(|d| 1 + d.block.as_ref().map_or(0, |b| count(&b.directives)))
        .sum()
}

/// Builds expanded trees, each file once (the include graph it follows has no cycles).
struct Expander<'a> {
    documents: &'a NginxView<'a>,
    followed: &'a HashMap<(usize, usize), Vec<usize>>,
    /// Each expanded file's tree and how many levels of directives it has.
    done: HashMap<usize, (Vec<NginxDirective>, usize)>,
    /// How many directives each expanded file's tree holds.
    sizes: HashMap<usize, usize>,
    /// How many directives the file being expanded holds so far.
    used: usize,
    /// Includes not followed (past [`MAX_EXPANDED`], or blocks nesting deeper than
    /// [`MAX_DEPTH`]), by the file that has them.
    not_followed: Vec<(usize, ParseError)>,
}

impl<'a> Expander<'a> {
    /// File `i`'s directives with its followed includes expanded.
    fn expand(&mut self, i: usize) -> Vec<NginxDirective> {
        self.expand_with_levels(i).0
    }

    /// The same, with how many levels of directives the tree has.
    fn expand_with_levels(&mut self, i: usize) -> (Vec<NginxDirective>, usize) {
        if let Some(done) = self.done.get(&i) {
            return done.clone();
        }
        let config = self.documents[i].1;
        let outer = std::mem::replace(&mut self.used, 0);
        let done = self.splice(i, &config.directives, 0);
        self.used = outer;
        self.sizes.insert(i, count(&done.0));
        self.done.insert(i, done.clone());
        done
    }

    /// `list`, `depth` blocks deep in file `i`, with its followed includes expanded, and
    /// how many levels of directives it has then. An include whose file would put blocks
    /// deeper than [`MAX_DEPTH`] (the parser's limit for one file) stays unfollowed, so
    /// every expanded tree is as shallow as a parsed one.
    fn splice(
        &mut self,
        i: usize,
        list: &'a [NginxDirective],
        depth: usize,
    ) -> (Vec<NginxDirective>, usize) {
        let mut out = Vec::with_capacity(list.len());
        let mut levels = usize::from(!list.is_empty());
        for directive in list {
            if directive.name == "include" {
                if let Some(targets) = self.followed.get(&(i, directive.span.start)) {
                    let trees: Vec<_> = targets
                        .iter()
                        .map(|&target| (target, self.expand_with_levels(target)))
                        .collect();
                    let added: usize = targets
                        .iter()
                        .map(|t| self.sizes.get(t).copied().unwrap_or(0))
                        .sum();
                    let argument = directive.args.first().map_or(directive.span, |a| a.span);
                    let deep = !trees.iter().all(|(_, (_, l))| depth + l <= MAX_DEPTH + 1);
                    if self.used + added > MAX_EXPANDED {
                        self.not_followed.push((
                            i,
                            ParseError {
                                span: argument,
                                message: msg!(
                                    "this `include` would expand the configuration to more than {} directives (includes that fan out), so preflight did not follow it and the directives it brings are not judged in this context",
                                    MAX_EXPANDED
                                ),
                            },
                        ));
                    } else if !deep {
                        self.used += added;
                        let site = (Arc::clone(self.documents[i].0), directive.span);
                        for (target, (tree, target_levels)) in trees {
                            let source = self.documents[target].0;
                            levels = levels.max(target_levels);
                            out.extend(tree.into_iter().map(|mut d| {
                                if d.origin.is_none() {
                                    d.included_at = Some(site.clone());
                                }
                                set_origin(&mut d, source);
                                d
                            }));
                        }
                        continue;
                    } else {
                        self.not_followed.push((
                            i,
                            ParseError {
                                span: argument,
                                message: msg!(
                                    "the included file nests blocks more than {} levels deep here, so preflight did not follow this `include` and the directives it brings are not judged in this context",
                                    MAX_DEPTH
                                ),
                            },
                        ));
                    }
                }
            }
            self.used += 1;
            let mut copy = directive.clone();
            if let Some(block) = &mut copy.block {
                let (children, child_levels) = self.splice(i, directive.children(), depth + 1);
                block.directives = children;
                levels = levels.max(1 + child_levels);
            }
            out.push(copy);
        }
        (out, levels)
    }
}

/// Marks `directive` and its children as read from `source`, unless an include further
/// down already said where they came from.
fn set_origin(directive: &mut NginxDirective, source: &Arc<SourceFile>) {
    if directive.origin.is_none() {
        directive.origin = Some(Arc::clone(source));
        if let Some(block) = &mut directive.block {
            for child in &mut block.directives {
                set_origin(child, source);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::{Asked, MemoryFiles, Question};

    #[test]
    fn a_package_file_is_named_whole_or_after_a_slash() {
        assert_eq!(package_file("mime.types"), Some(true));
        assert_eq!(package_file("/etc/nginx/mime.types"), Some(true));
        assert_eq!(package_file("snippets/snakeoil.conf"), Some(false));
        assert_eq!(
            package_file("/etc/nginx/snippets/snakeoil.conf"),
            Some(false)
        );
        assert_eq!(package_file("conf/xmime.types"), None);
        assert_eq!(package_file("mime.types.bak"), None);
        assert_eq!(package_file("my-snippets/snakeoil.conf"), None);
    }

    const FILES: &[(&str, &str)] = &[
        // A prefix whose nginx.conf includes only sites-enabled/.
        ("/p/nginx.conf", "http { include sites-enabled/*; }\n"),
        (
            "/p/sites-enabled/a.conf",
            "server { include snippets/h.conf; }\n",
        ),
        // Included by nothing, yet its relative include starts at /p (nginx.conf's folder).
        (
            "/p/conf.d/b.conf",
            "server { include snippets/k.conf; include snippets/gone.conf; }\n",
        ),
        ("/p/snippets/h.conf", "add_header X-Frame-Options DENY;\n"),
        (
            "/p/snippets/k.conf",
            "add_header X-Content-Type-Options nosniff;\n",
        ),
        // Elsewhere: a site including only what packages ship.
        (
            "/q/site.conf",
            "server { include /etc/nginx/mime.types; }\n",
        ),
        ("/q/alone.conf", "server { listen 80; }\n"),
    ];

    fn files() -> MemoryFiles {
        let mut files = MemoryFiles::new("");
        for (path, text) in FILES {
            files.insert(*path, text.as_bytes().to_vec());
        }
        files
    }

    fn sources() -> Vec<Arc<SourceFile>> {
        FILES
            .iter()
            .map(|(path, text)| {
                Arc::new(SourceFile::from_bytes(
                    (*path).into(),
                    (*path).into(),
                    text.as_bytes().to_vec(),
                ))
            })
            .collect()
    }

    /// What relating `which` of the files leaves in each: included elsewhere, expanded,
    /// problems, by path.
    fn related(
        which: &[usize],
        relate: impl FnOnce(&mut NginxFiles),
    ) -> Vec<(PathBuf, bool, bool, usize)> {
        let sources = sources();
        let mut configs: Vec<NginxConfig> = which
            .iter()
            .map(|&i| NginxConfig::parse(&sources[i].text))
            .collect();
        let mut nginx: Vec<(&Arc<SourceFile>, &mut NginxConfig)> = which
            .iter()
            .map(|&i| &sources[i])
            .zip(configs.iter_mut())
            .collect();
        relate(&mut nginx);
        nginx
            .iter()
            .map(|(s, c)| {
                let i = &c.includes;
                (
                    s.path.clone(),
                    i.included_elsewhere,
                    i.expanded.is_some(),
                    i.problems.len(),
                )
            })
            .collect()
    }

    /// Relating the files a scan's includes name asks again about none of them: whether a
    /// file is a link is a system call on disk, asked once per file.
    #[test]
    fn grouping_asks_once_whether_each_file_is_a_link() {
        let files = files();
        let sources = sources();
        let names: Vec<Vec<String>> = sources
            .iter()
            .map(|s| include_arguments(&NginxConfig::parse(&s.text)))
            .collect();
        let scan: Vec<GroupedFile> = sources
            .iter()
            .zip(&names)
            .map(|(s, n)| (s.path.as_path(), (!n.is_empty()).then_some(n.as_slice())))
            .collect();
        let asking = Asked::new(&files);
        let grouping = group_files(&scan, &asking);
        assert!(!grouping.named.is_empty(), "some candidate is included");
        let mut asked: Vec<PathBuf> = asking
            .take()
            .into_iter()
            .filter(|(question, _)| *question == Question::IsLink)
            .map(|(_, path)| path)
            .collect();
        let all = asked.len();
        asked.sort();
        asked.dedup();
        assert_eq!((all, asked.len()), (FILES.len(), FILES.len()));
    }

    /// The first base holding the file wins, a scanned file known without asking; a file
    /// packages ship that no base has scanned is not asked about, as it could not be
    /// followed anywhere; a missing file of the project is still looked for, and reported.
    #[test]
    fn includes_resolve_asking_only_what_the_scan_does_not_know() {
        const PATHS: [&str; 6] = [
            "/p/nginx.conf",
            "/p/snippets/h.conf",
            "/r/a/b/site.conf",
            "/r/a/b/snippets/x.conf",
            "/r/a/snippets/x.conf",
            "/r/a/snippets/y.conf",
        ];
        let mut view = MemoryFiles::new("");
        for path in PATHS {
            view.insert(path, b"# x\n".to_vec());
        }
        let asking = Asked::new(&view);
        // Scanned: all but /r/a/b/snippets/x.conf, which exists unscanned.
        let scanned = [0, 1, 2, 4, 5].map(|i| Path::new(PATHS[i]));
        let index = ScanIndex::new(scanned.into_iter(), &asking);
        asking.take();
        let resolved = |file: &str, pattern: &str| match index.resolve(Path::new(file), pattern) {
            Resolution::Files(found) => format!("files {found:?}"),
            Resolution::Missing(path) => format!("missing {}", path.display()),
            Resolution::Unknown => "unknown".to_owned(),
        };
        assert_eq!(resolved("/p/nginx.conf", "snippets/h.conf"), "files [1]");
        assert_eq!(asking.take().len(), 0);
        for provided in ["snippets/fastcgi-php.conf", "/etc/nginx/mime.types"] {
            assert_eq!(resolved("/p/nginx.conf", provided), "unknown");
            assert_eq!(resolved("/r/a/b/site.conf", provided), "unknown");
            assert_eq!(asking.take().len(), 0, "{provided}");
        }
        // Without an nginx.conf the folders above are tried in turn: the unscanned file in
        // the first hides the scanned one above it, as nginx would read the first.
        assert_eq!(resolved("/r/a/b/site.conf", "snippets/x.conf"), "unknown");
        assert_eq!(resolved("/r/a/b/site.conf", "snippets/y.conf"), "files [4]");
        assert!(!asking.take().is_empty());
        assert_eq!(
            resolved("/p/nginx.conf", "snippets/gone.conf"),
            "missing /p/snippets/gone.conf"
        );
        assert!(!asking.take().is_empty());
        // A glob into a folder no base has: one question per base, none listed.
        assert_eq!(resolved("/r/a/b/site.conf", "conf.d/*.conf"), "unknown");
        assert_eq!(asking.take().len(), 3);
        // In a folder that exists, the glob means what it matches.
        assert_eq!(resolved("/r/a/b/site.conf", "snippets/*.conf"), "unknown");
        assert_eq!(resolved("/p/nginx.conf", "snippets/*.conf"), "files [1]");
    }

    #[test]
    fn groups_relate_as_the_whole_scan_does() {
        let files = files();
        let sources = sources();
        // Kept: the files with includes; candidates: those without.
        let kept_at = [0, 1, 2, 5];
        let candidates_at = [3, 4, 6];
        let names: Vec<Vec<String>> = kept_at
            .iter()
            .map(|&i| include_arguments(&NginxConfig::parse(&sources[i].text)))
            .collect();
        let kept: Vec<(&Path, &[String])> = kept_at
            .iter()
            .zip(&names)
            .map(|(&i, n)| (sources[i].path.as_path(), n.as_slice()))
            .collect();
        let candidates: Vec<&Path> = candidates_at
            .iter()
            .map(|&i| sources[i].path.as_path())
            .collect();
        let grouping = group(&kept, &candidates, &files);
        // h.conf and k.conf are included; alone.conf is not.
        assert_eq!(grouping.named, vec![0, 1]);
        let scan_at: Vec<usize> = kept_at
            .iter()
            .copied()
            .chain(grouping.named.iter().map(|&j| candidates_at[j]))
            .collect();
        let groups: Vec<Vec<usize>> = grouping
            .groups
            .iter()
            .map(|g| g.iter().map(|&k| scan_at[k]).collect())
            .collect();
        assert_eq!(groups, vec![vec![0, 1, 3], vec![2, 4], vec![5]]);

        // Each group related on its own gives what relating them all at once gives.
        let mut whole = related(&scan_at, |nginx| resolve(nginx, &files));
        let mut by_group: Vec<_> = groups
            .iter()
            .flat_map(|g| {
                related(g, |nginx| {
                    resolve_within(nginx, &*grouping.relations, &files)
                })
            })
            .collect();
        whole.sort();
        by_group.sort();
        assert_eq!(by_group, whole);
        // b.conf: k.conf followed from the prefix, gone.conf missing there.
        let b = whole
            .iter()
            .find(|r| r.0 == Path::new("/p/conf.d/b.conf"))
            .expect("b");
        assert_eq!((b.2, b.3), (true, 1), "{whole:?}");
        // Without the shared index, b.conf's group has no nginx.conf to start from.
        let alone = related(&groups[1], |nginx| resolve(nginx, &files));
        assert_ne!(
            alone.iter().find(|r| r.0 == b.0).expect("b").3,
            1,
            "{alone:?}"
        );
    }
}
