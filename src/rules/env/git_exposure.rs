//! ENV015–ENV016: secrets files committed to git, or one `git add .` away from it.
//!
//! Only committed `.gitignore` files count: a user's global excludes or `.git/info/exclude`
//! protect one clone, not the teammate who clones next. Git is asked once per repository
//! (`git ls-files`), never once per file.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;

use crate::discover::through_parent;
use crate::document::Document;
use crate::msg;
use crate::rules::{FactsContext, ScanFacts};
use crate::source::{FileRef, Span};

/// The repository holding `path`: the nearest ancestor with a `.git` entry.
/// Every directory visited on the way up is remembered, so sibling and nested files cost
/// no further `stat` calls.
fn repository_root(dir: &Path, cache: &mut HashMap<PathBuf, Option<PathBuf>>) -> Option<PathBuf> {
    let mut visited = Vec::new();
    let mut found = None;
    for ancestor in dir.ancestors() {
        if let Some(known) = cache.get(ancestor) {
            found = known.clone();
            break;
        }
        visited.push(ancestor.to_path_buf());
        if ancestor.join(".git").exists() {
            found = Some(ancestor.to_path_buf());
            break;
        }
    }
    for dir in visited {
        cache.insert(dir, found.clone());
    }
    found
}

/// Which of `files` (absolute) git tracks in `root`; `None` when git cannot tell (not
/// installed, or not a repository after all).
fn tracked_files(root: &Path, files: &[&Path]) -> Option<HashSet<PathBuf>> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["ls-files", "-z", "--full-name", "--"])
        .args(files)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    Some(
        output
            .stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| root.join(String::from_utf8_lossy(p).as_ref()))
            .collect(),
    )
}

/// A repository holding secrets files: its root, each file's place among the files
/// asked about with its resolved path, and which of them git tracks (`None` when git
/// cannot tell).
struct Repository {
    root: PathBuf,
    files: Vec<(usize, PathBuf)>,
    tracked: Option<HashSet<PathBuf>>,
}

/// The resolved path, as git sees it: `std::path::absolute` keeps `..`, which would make
/// `/work/app/../other` look as if it were inside `/work/app`.
fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf())
}

/// [`absolute`] for a secrets file: one that is not a link is in its resolved folder, and
/// each folder (`folders`) is resolved once — a `readlink` per component of its path —
/// rather than for each file in it.
fn absolute_file(path: &Path, folders: &mut HashMap<PathBuf, PathBuf>) -> PathBuf {
    let not_link = std::fs::symlink_metadata(path).is_ok_and(|m| !m.file_type().is_symlink());
    match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) if not_link => {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            absolute_dir(dir, folders).join(name)
        }
        _ => absolute(path),
    }
}

/// [`absolute`] for a folder, each asked once and resolved through its parent where it can
/// be ([`through_parent`]; 10,000 files: 11,826 `readlink` calls before).
fn absolute_dir(dir: &Path, folders: &mut HashMap<PathBuf, PathBuf>) -> PathBuf {
    if let Some(known) = folders.get(dir) {
        return known.clone();
    }
    let resolved = match through_parent(dir) {
        Some((parent, name)) => absolute_dir(parent, folders).join(name),
        None => absolute(dir),
    };
    folders.insert(dir.to_path_buf(), resolved.clone());
    resolved
}

/// The repositories of `files`, with what git tracks of them: asked of git once for
/// ENV015 and ENV016 together ([`FactsContext::shared`]).
fn repositories(
    files: &[SecretsFile],
    cx: &FactsContext<'_>,
) -> Arc<(Vec<PathBuf>, Vec<Repository>)> {
    let asked: Vec<PathBuf> = files.iter().map(|f| f.0.path().to_path_buf()).collect();
    cx.shared(asked, |asked| grouped_by_repository(asked))
}

/// Groups `files` by repository and asks git which are tracked.
fn grouped_by_repository(files: &[PathBuf]) -> Vec<Repository> {
    let mut by_root: BTreeMap<PathBuf, Vec<(usize, PathBuf)>> = BTreeMap::new();
    let mut root_of_dir: HashMap<PathBuf, Option<PathBuf>> = HashMap::new();
    let mut folders = HashMap::new();
    for (at, file) in files.iter().enumerate() {
        let path = absolute_file(file, &mut folders);
        let Some(dir) = path.parent() else { continue };
        if let Some(root) = repository_root(dir, &mut root_of_dir) {
            by_root.entry(root).or_default().push((at, path));
        }
    }
    by_root
        .into_iter()
        .map(|(root, files)| {
            let refs: Vec<&Path> = files.iter().map(|(_, path)| path.as_path()).collect();
            let tracked = tracked_files(&root, &refs);
            Repository {
                root,
                files,
                tracked,
            }
        })
        .collect()
}

/// A secrets file as ENV015 and ENV016 see it: only where it is.
pub struct SecretsFile(FileRef);

impl SecretsFile {
    fn of(doc: &Document) -> Self {
        Self(doc.file_ref())
    }
}

/// The secrets files of the scan, for ENV015 (`TRACKED`) or ENV016.
pub struct SecretsFiles<const TRACKED: bool>(SecretsFile);

/// ENV015's facts.
pub type Tracked = SecretsFiles<true>;
/// ENV016's facts.
pub type NotIgnored = SecretsFiles<false>;

impl<const TRACKED: bool> ScanFacts for SecretsFiles<TRACKED> {
    type Kind = Document;

    fn collect(doc: &Document, _: &Document) -> Option<Self> {
        Some(Self(SecretsFile::of(doc)))
    }

    fn judge(facts: Vec<Self>, cx: &mut FactsContext<'_>) {
        let files: Vec<SecretsFile> = facts.into_iter().map(|f| f.0).collect();
        if TRACKED {
            tracked(&files, cx);
        } else {
            not_ignored(&files, cx);
        }
    }
}

/// A finding about the file as a whole points at its start.
fn whole_file() -> Span {
    Span::new(0, 0)
}

/// ENV015: a secrets file in git's index.
fn tracked(files: &[SecretsFile], cx: &mut FactsContext<'_>) {
    let shared = repositories(files, cx);
    for repo in &shared.1 {
        let Some(tracked) = &repo.tracked else {
            continue;
        };
        for (at, _) in repo.files.iter().filter(|(_, path)| tracked.contains(path)) {
            let source = &files[*at].0;
            cx.report_in(
                source,
                whole_file(),
                "tracked",
                msg!(
                    "`{}` is committed to its git repository: every secret in it is in the history for good; rotate them, `git rm --cached` the file and add it to `.gitignore`",
                    source
                ),
            );
        }
    }
}

/// ENV016: a secrets file in a work tree that no committed `.gitignore` covers.
fn not_ignored(files: &[SecretsFile], cx: &mut FactsContext<'_>) {
    let shared = repositories(files, cx);
    for repo in &shared.1 {
        let mut matchers: HashMap<PathBuf, Option<Gitignore>> = HashMap::new();
        for (at, path) in &repo.files {
            if repo.tracked.as_ref().is_some_and(|t| t.contains(path)) {
                continue;
            }
            let source = &files[*at].0;
            if !is_ignored(&repo.root, path, &mut matchers) {
                cx.report_in(
                    source,
                    whole_file(),
                    "not-ignored",
                    msg!(
                        "`{}` is inside a git work tree but no `.gitignore` covers it, so `git add .` would commit its secrets; add its name (or `.env*` with `!.env.example`) to `.gitignore`",
                        source
                    ),
                );
            }
        }
    }
}

/// Applies the `.gitignore` files from the file's directory up to the repository root, the
/// deepest match winning, as git does.
fn is_ignored(root: &Path, path: &Path, cache: &mut HashMap<PathBuf, Option<Gitignore>>) -> bool {
    // Whether `matcher` ignores `path` (`Some(true)`), re-includes it (`Some(false)`) or
    // says nothing of it.
    let verdict = |matcher: &Gitignore| match matcher.matched_path_or_any_parents(path, false) {
        Match::Ignore(_) => Some(true),
        Match::Whitelist(_) => Some(false),
        Match::None => None,
    };
    for dir in path.ancestors().skip(1) {
        // Looked up once, not asked then fetched: the folders above a file are mostly
        // known already, and hashing a long path costs more than matching it. An entry
        // would copy the path each time.
        let said = match cache.get(dir) {
            Some(matcher) => matcher.as_ref().and_then(verdict),
            None => {
                let file = dir.join(".gitignore");
                let matcher = file.is_file().then(|| {
                    let mut builder = GitignoreBuilder::new(dir);
                    builder.add(&file);
                    builder.build().unwrap_or_else(|_| Gitignore::empty())
                });
                let said = matcher.as_ref().and_then(verdict);
                cache.insert(dir.to_path_buf(), matcher);
                said
            }
        };
        if let Some(ignored) = said {
            return ignored;
        }
        if dir == root {
            break;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Folders resolved through their parents resolve as the system resolves them, links
    /// and `..` included, whichever is asked first.
    #[cfg(unix)]
    #[test]
    fn folders_resolve_as_the_system_resolves_them() {
        let tree = tempfile::tempdir().unwrap();
        let root = tree.path();
        std::fs::create_dir_all(root.join("a/b/c")).unwrap();
        std::os::unix::fs::symlink(root.join("a/b"), root.join("link")).unwrap();
        std::os::unix::fs::symlink(root.join("a"), root.join("a/b/up")).unwrap();
        let spellings = [
            "a/b/c",
            "link/c",
            "a/b",
            "link",
            "a/../a/b",
            "a/b/up/b/c",
            "a/./b",
            "absent/x",
        ];
        for first in 0..spellings.len() {
            let mut folders = HashMap::new();
            for spelling in spellings[first..].iter().chain(&spellings[..first]) {
                let dir = root.join(spelling);
                assert_eq!(
                    absolute_dir(&dir, &mut folders),
                    absolute(&dir),
                    "{spelling} after {}",
                    spellings[first]
                );
            }
        }
    }
}
