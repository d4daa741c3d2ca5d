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

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::formats::nginx::{NginxConfig, NginxDirective, MAX_DEPTH};
use crate::formats::{absolute_normal, Files, ParseError};
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
        .find(|(file, _)| path == *file || path.ends_with(&format!("/{file}")))
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
    let view: Vec<(&Arc<SourceFile>, &NginxConfig)> = nginx
        .iter()
        .map(|(source, config)| (*source, &**config))
        .collect();
    let Some((expanded, included, mut problems, mut not_followed)) = follow(&view, files) else {
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

/// Of `candidates` (scanned nginx files without `include`s of their own, judged on their
/// own so far), those the includes of `documents` reach, with every other name each was
/// read by (a `sites-enabled/` link and its target): they are judged where they are
/// included after all. Resolved over every scanned file, exactly as [`resolve`] does.
pub fn named(
    documents: &[(&Arc<SourceFile>, &NginxConfig)],
    candidates: &[&Arc<SourceFile>],
    files: &dyn Files,
) -> Vec<usize> {
    let paths = documents
        .iter()
        .map(|(s, _)| s.path.as_path())
        .chain(candidates.iter().map(|s| s.path.as_path()));
    let index = ScanIndex::new(paths, files);
    let first = documents.len();
    let mut named = HashSet::new();
    for (source, config) in documents {
        for (_, directive) in config.walk() {
            let argument = match directive.args.first() {
                Some(argument) if directive.name == "include" => argument,
                _ => continue,
            };
            if let Resolution::Files(targets) = index.resolve(&source.path, &argument.value) {
                for target in targets {
                    let names = index.copies.get(&target).cloned();
                    named.extend(names.unwrap_or_else(|| vec![target]));
                }
            }
        }
    }
    let mut named: Vec<usize> = named
        .into_iter()
        .filter_map(|i| i.checked_sub(first))
        .collect();
    named.sort_unstable();
    named
}

/// What following the includes found, per file: expanded trees, files included
/// elsewhere, problems, includes not followed; `None` when no file includes another.
type Followed = (
    Vec<(usize, Vec<NginxDirective>)>,
    HashSet<usize>,
    HashMap<usize, Vec<ParseError>>,
    HashMap<usize, Vec<ParseError>>,
);

fn follow(documents: &NginxView, files: &dyn Files) -> Option<Followed> {
    let index = ScanIndex::new(documents.iter().map(|(s, _)| s.path.as_path()), files);
    let edges = {
        let mut edges = Vec::new();
        for (i, (source, config)) in documents.iter().enumerate() {
            for (_, directive) in config.walk() {
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
                    resolution: index.resolve(&source.path, &argument.value),
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
                let named = Quote::derived(edge.argument, files.display(path));
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
        .flat_map(|t| index.copies.get(t).cloned().unwrap_or_else(|| vec![*t]))
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
/// `nginx.conf`).
struct ScanIndex<'f> {
    /// Documents by path, `.` and `..` applied.
    files: HashMap<PathBuf, usize>,
    /// Documents that are the same file read under several names (a `sites-enabled/`
    /// symlink and its target), each mapped to all of them.
    copies: HashMap<usize, Vec<usize>>,
    prefixes: HashSet<PathBuf>,
    /// The files of the scan, where globs are expanded and existence is asked.
    scan: &'f dyn Files,
}

impl<'f> ScanIndex<'f> {
    /// The index of the files at `paths`, numbered in that order.
    fn new<'p>(paths: impl Iterator<Item = &'p Path>, scan: &'f dyn Files) -> Self {
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
            any_symlink |= scan.is_link(&path);
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
        for base in &bases {
            let candidate = absolute_normal(&base.join(named));
            let matches = if is_glob {
                self.glob(&candidate)
            } else if self.scan.is_file(&candidate) {
                vec![candidate.clone()]
            } else {
                Vec::new()
            };
            // A glob whose directory exists means what it matches, even nothing (nginx
            // accepts that); otherwise try the next base.
            let directory_exists =
                is_glob && candidate.parent().is_some_and(|d| self.scan.is_dir(d));
            if matches.is_empty() && !directory_exists {
                continue;
            }
            let scanned: Option<Vec<usize>> = matches
                .iter()
                .map(|m| self.files.get(&absolute_normal(m)).copied())
                .collect();
            return scanned.map_or(Resolution::Unknown, Resolution::Files);
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
