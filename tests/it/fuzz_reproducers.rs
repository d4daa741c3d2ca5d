//! The fuzz targets' bodies (`preflight::fuzzing`, run by cargo-fuzz from `fuzz/`) as plain
//! tests: every crash the fuzzer found, kept under `tests/data/fuzz/<target>/`, must stay
//! fixed, and every fixture and example must pass through every parser and the whole
//! pipeline. `fuzz/Cargo.toml` must name a target for every registered format.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use preflight::fuzzing;
use rayon::prelude::*;

use crate::common::root;

/// Every file under `dir`, recursively, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn the_fuzz_crate_has_a_target_for_every_format_and_the_pipeline() {
    let manifest =
        std::fs::read_to_string(root().join("fuzz/Cargo.toml")).expect("fuzz/Cargo.toml");
    let manifest: toml::Table = toml::from_str(&manifest).expect("fuzz/Cargo.toml parses");
    let declared: BTreeSet<String> = manifest["bin"]
        .as_array()
        .expect("[[bin]] tables")
        .iter()
        .map(|bin| bin["name"].as_str().expect("a bin's name").to_owned())
        .collect();
    let expected: BTreeSet<String> = fuzzing::target_names().into_iter().collect();
    assert_eq!(declared, expected);
}

#[test]
fn every_crash_reproducer_stays_fixed() {
    let dir = root().join("tests/data/fuzz");
    let targets = fuzzing::target_names();
    // `.gitkeep` keeps the folder while it has no reproducer.
    let reproducers = files_under(&dir)
        .into_iter()
        .filter(|path| path.file_name().is_some_and(|n| n != ".gitkeep"));
    for path in reproducers {
        let relative = path.strip_prefix(&dir).expect("under the folder");
        let target = relative
            .components()
            .next()
            .expect("a target folder")
            .as_os_str()
            .to_string_lossy()
            .into_owned();
        assert!(
            targets.contains(&target) && relative.components().count() == 2,
            "{}: reproducers go in tests/data/fuzz/<target>/, one of {targets:?}",
            relative.display()
        );
        let bytes = std::fs::read(&path).expect("reproducer");
        fuzzing::run(&target, &bytes);
    }
}

/// The fixtures and examples, which also seed the fuzz corpus (`fuzz/seed.sh`).
fn seeds() -> Vec<PathBuf> {
    ["fixtures", "examples"]
        .iter()
        .flat_map(|dir| files_under(&root().join(dir)))
        .filter(|path| {
            path.extension()
                .is_none_or(|e| !matches!(e.to_str(), Some("snap" | "rs" | "md")))
        })
        .collect()
}

#[test]
fn every_fixture_passes_through_every_parser() {
    let seeds = seeds();
    assert!(seeds.len() > 100, "{} fixtures", seeds.len());
    for path in &seeds {
        let bytes = std::fs::read(path).expect("fixture");
        for target in fuzzing::target_names() {
            if target != "pipeline" {
                fuzzing::run(&target, &bytes);
            }
        }
    }
}

#[test]
fn every_fixture_passes_through_the_pipeline_and_every_reporter() {
    // In parallel: each fixture is a scan of some thirty files with every rule.
    seeds().par_iter().for_each(|path| {
        fuzzing::pipeline(&std::fs::read(path).expect("fixture"));
    });
}

/// The pipeline fuzz target's crash: a finding past column 65,535 (a 256 KiB line of `}`,
/// read as every format) made the human report's caret padding a formatting panic.
#[test]
fn a_finding_past_column_65535_passes_through_every_reporter() {
    let line = root().join("tests/data/fuzz/nginx/one-line-of-stray-closing-braces");
    fuzzing::pipeline(&std::fs::read(line).unwrap());
}

/// The pipeline fuzz target's out-of-memory input (256 KiB): `ExecStart=a \` continued over
/// 65,000 lines of `a \`. Read as sshd configuration, each line is a keyword sshd does not
/// know: 65,000 findings of one rule, times every kind the target reads it as, through
/// every reporter (492 MB, 12 s). One rule now reports at most 100 findings in one file, the
/// last saying how many more there were (the input: 229 MB, 5.6 s).
#[test]
fn one_rule_reports_at_most_a_hundred_findings_in_one_file() {
    let lines = "a \\\n".repeat(5_000);
    let tree = crate::common::tree(&[("sshd_config", lines.as_bytes())]);
    let (report, _) = crate::common::json_report(tree.path(), &[".", "--fail-on", "never"]);
    let unknown: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == "SSH018")
        .map(|f| f["message"].as_str().expect("message"))
        .collect();
    assert_eq!(unknown.len(), 100);
    assert!(
        unknown[99].ends_with(
            "(4900 more findings of this rule in this file are not reported one by one: fix these first, then check again)"
        ),
        "{}",
        unknown[99]
    );
    assert!(!unknown[98].contains("more findings"));
}
