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
//!
//! A test that needs a tool this machine may lack (nginx, sshd, PyYAML, a
//! fetched corpus, …) carries `#[cfg_attr(not(test_tool = "…"), ignore = "needs …")]`: `build/test_tools.rs`
//! probes the tools, the runner lists a test without its tool as `ignored, needs …`, and
//! `.ci/run` fails on such a line (`.ci/ignored-tests`).

mod attack_tree;
mod backups;
mod bad_input;
mod canaries;
mod cli;
mod codequality;
mod common;
mod compose;
mod container;
mod corpus;
mod diff;
mod django_differential;
mod django_fixtures;
mod fixtures;
mod fuzz_reproducers;
mod git_exposure;
mod github_action;
mod gixy_conformance;
mod helm;
#[cfg(feature = "live")] // changes the machine the live tests audit
mod host_changes;
mod host_files_bad_input;
mod host_services_scan;
mod html;
mod javascript_readers;
mod junit;
mod kubernetes;
mod kustomize;
#[cfg(feature = "live")] // runs `preflight audit` or the SSH client
mod live_checks;
#[cfg(feature = "live")] // runs `preflight audit` or the SSH client
mod live_local;
#[cfg(feature = "live")] // runs `preflight audit` or the SSH client
mod live_services;
mod logrotate_differential;
mod msrv;
mod nginx_differential;
mod nginx_includes;
mod node_fixtures;
#[cfg(feature = "live")] // runs `preflight audit` and changes the machine
mod planted_host;
mod postgres_differential;
mod pull_requests;
mod python_readers;
mod realworld;
mod results;
mod roles;
mod rule_examples;
mod sarif;
mod secrets_never_leak;
#[cfg(feature = "live")] // runs `preflight audit` or the SSH client
mod ssh_audit;
mod sshd_differential;
mod sshd_scan;
mod systemd_differential;
mod systemd_scan;
mod templates;
mod texts;
mod yaml_conformance;

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

/// A test without its tool is ignored by the runner with a reason (see the module doc),
/// never a pass that checked nothing: no test returns early after printing "skipped", and
/// none asks whether it runs in CI to decide between skipping and failing.
#[test]
fn no_test_passes_by_skipping_itself() {
    let mut offenders = Vec::new();
    for entry in std::fs::read_dir(common::root().join("tests/it")).expect("tests/it") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "rs") || path.ends_with("main.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        for (n, line) in text.lines().enumerate() {
            if line.contains("eprintln!(\"skipped") || line.contains("var_os(\"CI\")") {
                offenders.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(offenders.is_empty(), "{}", offenders.join("\n"));
}

/// `.ci/ignored-tests` on a test log: a test ignored for a missing tool or data fails the run,
/// naming it; a log where everything ran passes.
#[test]
fn ci_fails_on_a_test_ignored_for_a_missing_tool() {
    let run = |log: &str| {
        let scratch = tempfile::tempdir().expect("tempdir");
        std::fs::write(scratch.path().join("test.log"), log).expect("write");
        let output = std::process::Command::new("bash")
            .arg(common::root().join(".ci/ignored-tests"))
            .arg(scratch.path().join("test.log"))
            .output()
            .expect("bash runs");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, stderr) = run("test a::ran ... ok\n\
        test b::differential ... ignored, needs nginx (apt-get install nginx)\n\
        test c::corpus ... ignored, needs the real-world corpus (python3 tests/tools/fetch-realworld.py)\n");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("b::differential"), "{stderr}");
    assert!(stderr.contains("c::corpus"), "{stderr}");
    let (code, stderr) = run("test a::ran ... ok\ntest d::slow ... ignored\n");
    assert_eq!(code, Some(0), "{stderr}");
}
