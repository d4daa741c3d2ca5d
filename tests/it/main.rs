//! The integration tests, in one test binary (`cargo test --test it`): one compile and link
//! instead of one per file.
//!
//! The modules were `tests/<module>.rs` files: tests that drive the real `preflight` binary,
//! and the differential tests against the real tools (`nginx -t`, `sshd -T`,
//! `logrotate -d`, `systemd-analyze`, Django's `manage.py check --deploy`). `rule_examples`
//! snapshots what users see for every rule's failing examples; `fixtures`, `compose`,
//! `django_fixtures` and `node_fixtures` snapshot the findings of every fixture file and
//! project under `fixtures/`.
//!
//! Snapshots (insta) live in `tests/it/snapshots/`. When output changes on purpose:
//! - with cargo-insta installed, `cargo insta test --review` (or `cargo test --test it`, then
//!   `cargo insta review`) shows each change and accepts or rejects it;
//! - without it, `INSTA_UPDATE=always cargo test --test it` rewrites the snapshots; review
//!   them with `git diff tests/it/snapshots` before committing.
//!
//! A plain local run writes a changed snapshot next to the old one as `*.snap.new` and fails.
//! In CI (`CI` set, as `.ci/run` does) insta writes nothing and a changed or missing snapshot
//! fails the test; so does a snapshot that no rule or fixture makes any more.

mod backups;
mod bad_input;
mod canaries;
mod cli;
mod common;
mod compose;
mod corpus;
mod django_differential;
mod django_fixtures;
mod fixtures;
mod fuzz_reproducers;
mod git_exposure;
mod github_action;
mod gixy_conformance;
mod host_files_bad_input;
mod host_services_scan;
mod kubernetes;
#[cfg(feature = "live")] // runs `preflight audit` or the SSH client
mod live_local;
#[cfg(feature = "live")] // runs `preflight audit` or the SSH client
mod live_services;
mod logrotate_differential;
mod nginx_differential;
mod nginx_includes;
mod node_fixtures;
mod pull_requests;
mod rule_examples;
mod sarif;
mod secrets_never_leak;
#[cfg(feature = "live")] // runs `preflight audit` or the SSH client
mod ssh_audit;
mod sshd_differential;
mod sshd_scan;
mod systemd_differential;
mod systemd_scan;

/// With `autotests = false` cargo compiles no test file it is not told about: every `.rs`
/// file under `tests/` must be a module of this binary, or its tests silently never run.
#[test]
fn every_test_file_is_a_module_of_this_binary() {
    let main = include_str!("main.rs");
    let tests = common::root().join("tests");
    let mut strays = Vec::new();
    for dir in [tests.clone(), tests.join("it")] {
        for entry in std::fs::read_dir(&dir).expect("tests folder") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let stem = path.file_stem().expect("name").to_string_lossy();
            let declared = dir.ends_with("it")
                && (stem == "main" || main.contains(&format!("\nmod {stem};\n")));
            if !declared {
                strays.push(path.display().to_string());
            }
        }
    }
    assert!(
        strays.is_empty(),
        "never compiled: move them to tests/it/ and declare them with `mod NAME;` in tests/it/main.rs: {strays:?}"
    );
}
