//! Secrets files and git: committed (ENV015) or not covered by a committed .gitignore
//! (ENV016). Each test builds a real repository.

use std::path::Path;

use crate::common::{active_rules, git, json_report, tree};

fn git_rules(dir: &Path) -> Vec<String> {
    let (report, _) = json_report(dir, &[".", "--select", "ENV015,ENV016"]);
    active_rules(&report)
}

#[test]
fn committed_env_file_is_critical() {
    let dir = tree(&[(".env", b"NODE_ENV=production\n")]);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", ".env"]);
    git(dir.path(), &["commit", "-qm", "oops"]);
    assert_eq!(git_rules(dir.path()), ["ENV015"]);
}

#[test]
fn untracked_env_file_without_gitignore_is_reported() {
    let dir = tree(&[("deploy/.env.production", b"NODE_ENV=production\n")]);
    git(dir.path(), &["init", "-q"]);
    assert_eq!(git_rules(dir.path()), ["ENV016"]);
}

#[test]
fn gitignore_in_a_parent_or_the_same_folder_covers_it() {
    let dir = tree(&[
        ("deploy/.env.production", b"NODE_ENV=production\n"),
        (".gitignore", b".env*\n!.env.example\n"),
    ]);
    git(dir.path(), &["init", "-q"]);
    assert!(git_rules(dir.path()).is_empty());
    std::fs::write(dir.path().join("deploy/.gitignore"), "!.env.production\n").unwrap();
    assert_eq!(
        git_rules(dir.path()),
        ["ENV016"],
        "a deeper negation wins, as in git"
    );
}

#[test]
fn files_outside_any_repository_are_not_judged() {
    let dir = tree(&[(".env", b"NODE_ENV=production\n")]);
    assert!(git_rules(dir.path()).is_empty());
}

#[test]
fn a_path_through_dotdot_is_judged_by_where_it_really_is() {
    let dir = tree(&[
        ("repo/README", b"x"),
        ("outside/.env", b"NODE_ENV=production\n"),
    ]);
    git(&dir.path().join("repo"), &["init", "-q"]);
    let (report, _) = json_report(
        &dir.path().join("repo"),
        &["../outside", "--select", "ENV015,ENV016"],
    );
    assert!(
        active_rules(&report).is_empty(),
        "outside/.env is not in repo/"
    );
}
