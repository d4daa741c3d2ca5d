//! `--changed-since REF`: the files a pull request touches, asked from git.
//!
//! The whole tree is still scanned (rules such as "a secret reused across files" need it);
//! only the findings are narrowed to those located in, or related to, a changed file. Changes
//! are counted from the merge base of `REF` and `HEAD` to the working tree, plus untracked
//! files, so a branch's commits, staged and unstaged edits all count and commits that landed
//! on `REF` meanwhile do not.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::finding::Finding;

/// The changed files, as canonical absolute paths.
#[derive(Debug, Default)]
pub struct ChangedFiles {
    files: HashSet<PathBuf>,
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("--changed-since needs git: {e}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
    }
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

impl ChangedFiles {
    /// The files changed since `reference` in the repository around `dir`.
    pub fn since(reference: &str, dir: &Path) -> Result<Self, String> {
        let top = git(dir, &["rev-parse", "--show-toplevel"]).map_err(|e| {
            format!(
                "--changed-since: {} is not in a git repository ({e})",
                dir.display()
            )
        })?;
        let top = PathBuf::from(String::from_utf8_lossy(&top).trim());
        let commit = format!("{reference}^{{commit}}");
        git(&top, &["rev-parse", "--verify", "--quiet", &commit]).map_err(|_| {
            format!(
                "--changed-since: `{reference}` is not a commit in {}",
                top.display()
            )
        })?;
        let base = git(&top, &["merge-base", reference, "HEAD"])
            .map(|out| String::from_utf8_lossy(&out).trim().to_owned())
            .unwrap_or_else(|_| reference.to_owned());
        let mut names = git(&top, &["diff", "--name-only", "--no-renames", "-z", &base])?;
        names.extend(git(
            &top,
            &["ls-files", "--others", "--exclude-standard", "-z"],
        )?);
        let files = names
            .split(|b| *b == 0)
            .filter(|name| !name.is_empty())
            .map(|name| canonical(&top.join(String::from_utf8_lossy(name).as_ref())))
            .collect();
        Ok(Self { files })
    }

    /// Whether `finding` concerns a changed file: its location or a related one is in one.
    pub fn touches(&self, finding: &Finding, root: &Path) -> bool {
        std::iter::once(&finding.location.path)
            .chain(finding.related.iter().map(|r| &r.location.path))
            .any(|path| self.files.contains(&canonical(&root.join(path))))
    }
}
