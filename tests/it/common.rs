//! Helpers shared by the integration tests: they drive the real `preflight` binary.

use std::collections::BTreeSet;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `preflight` with colours off, run from `dir`.
pub fn preflight_in(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("preflight").expect("binary builds");
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

/// `preflight` run from the repository root.
pub fn preflight() -> Command {
    preflight_in(&root())
}

/// Runs `preflight check ARGS --format json` and parses the report.
pub fn json_report(dir: &Path, args: &[&str]) -> (serde_json::Value, i32) {
    let output = preflight_in(dir)
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("runs");
    let code = output.status.code().expect("exited");
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    (report, code)
}

/// The rule ids of the active findings in a JSON report (not suppressed, not baselined).
pub fn active_rules(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["suppression"].is_null() && f["baseline"] != "unchanged")
        .map(|f| f["rule_id"].as_str().expect("rule_id").to_owned())
        .collect()
}

/// `(path, message)` of every note (diagnostic) in a JSON report.
pub fn notes(report: &serde_json::Value) -> Vec<(String, String)> {
    notes_with(report, "message")
}

/// `(path, FIELD)` of every note (diagnostic) in a JSON report (`kind`, `message`).
pub fn notes_with(report: &serde_json::Value, field: &str) -> Vec<(String, String)> {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap_or("").to_owned(),
                d[field].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// Fails on any GitHub workflow command in `output` that preflight does not write itself
/// (only `::error`, `::warning` and `::notice` annotations): a file name or value that
/// smuggles `::add-mask::` or `::stop-commands::` into the log must stay data.
pub fn assert_only_annotations(output: &str) {
    for line in output.lines() {
        if let Some(command) = line.strip_prefix("::") {
            assert!(
                ["error ", "warning ", "notice "]
                    .iter()
                    .any(|c| command.starts_with(c)),
                "a workflow command preflight did not write: {line}"
            );
        }
    }
}

/// Writes `files` (path, contents) under a new temporary directory.
pub fn tree(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, contents) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, contents).expect("write");
    }
    dir
}

/// Asserts that `sarif` validates against the official SARIF 2.1.0 schema.
pub fn assert_valid_sarif(sarif: &serde_json::Value) {
    assert_matches_schema(
        include_str!("../data/sarif-schema-2.1.0.json"),
        sarif,
        "SARIF",
    );
}

/// Asserts that `document` validates against the JSON Schema `schema`; `what` names the
/// document in the failure.
pub fn assert_matches_schema(schema: &str, document: &serde_json::Value, what: &str) {
    let schema: serde_json::Value = serde_json::from_str(schema).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not validate:\n{}",
        errors.join("\n")
    );
}

/// Runs git in `dir` with a fixed identity and default branch; panics on failure.
pub fn git(dir: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.org",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

/// `(rule, path, line)` of every finding in a JSON report, for tests that scan a tree.
pub fn findings_at(report: &serde_json::Value) -> Vec<(String, String, u64)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().expect("id").to_owned(),
                f["location"]["path"].as_str().expect("path").to_owned(),
                f["location"]["start_line"].as_u64().expect("line"),
            )
        })
        .collect()
}

/// Writes `script` to `path` as an executable (a stand-in for `sudo`, `helm`, `cargo`).
pub fn write_executable(path: &Path, script: &str) {
    std::fs::write(path, script).expect("write");
    let mut permissions = std::fs::metadata(path).expect("stat").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(path, permissions).expect("chmod");
}

/// Makes sure sshd's privilege separation directory exists, as the ssh service does when it
/// starts (`RuntimeDirectory=sshd`): without it `sshd -T` refuses to run. `false` when it
/// cannot be created (not root).
pub fn sshd_privsep_dir_ready() -> bool {
    let dir = Path::new("/run/sshd");
    dir.is_dir() || std::fs::create_dir_all(dir).is_ok()
}

/// Every report format `check` writes to standard output.
pub const REPORT_FORMATS: [&str; 8] = [
    "human",
    "json",
    "sarif",
    "github",
    "markdown",
    "codequality",
    "junit",
    "html",
];

/// `preflight check . --fail-on never ARGS` in `dir` once per report format: each format
/// with what it printed, standard output then standard error.
pub fn shown_in_every_format(dir: &Path, args: &[&str]) -> Vec<(&'static str, String)> {
    REPORT_FORMATS
        .iter()
        .map(|format| {
            let output = preflight_in(dir)
                .args(["check", ".", "--format", format, "--fail-on", "never"])
                .args(args)
                .output()
                .expect("runs");
            let shown = format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            (*format, shown)
        })
        .collect()
}

/// The findings of `rule` in a JSON report.
pub fn findings_of<'r>(
    report: &'r serde_json::Value,
    rule: &'r str,
) -> impl Iterator<Item = &'r serde_json::Value> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(move |f| f["rule_id"] == rule)
}

/// `(rule, message)` of every finding in a JSON report.
pub fn rule_messages(report: &serde_json::Value) -> Vec<(&str, &str)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().expect("id"),
                f["message"].as_str().expect("message"),
            )
        })
        .collect()
}

/// `(line, message)` of the findings of `rule` in a JSON report.
pub fn line_messages<'r>(report: &'r serde_json::Value, rule: &'r str) -> Vec<(u64, &'r str)> {
    findings_of(report, rule)
        .map(|f| {
            (
                f["location"]["start_line"].as_u64().expect("line"),
                f["message"].as_str().expect("message"),
            )
        })
        .collect()
}

/// The case folders under `fixtures/<folder>/`, sorted: whole-project fixtures.
pub fn fixture_cases(folder: &str) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures").join(folder))
        .expect("fixture folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

/// A project fixture's findings as `RULE path:line:column` lines (paths relative to the case
/// folder; the git rules left out), and the JSON report.
pub fn case_findings(case: &Path) -> (String, serde_json::Value) {
    let (report, _) = json_report(
        case,
        &[".", "--fail-on", "never", "--ignore", "ENV015,ENV016"],
    );
    let mut lines: Vec<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}:{}",
                f["rule_id"].as_str().expect("rule id"),
                f["location"]["path"].as_str().expect("path"),
                f["location"]["start_line"],
                f["location"]["start_column"]
            )
        })
        .collect();
    lines.push(String::new());
    (lines.join("\n"), report)
}

/// Snapshots every case of `fixtures/<folder>/` (see [`case_findings`]) as
/// `fixture_projects__<folder>__<case>.snap`. Returns the number of cases.
pub fn check_fixture_cases(folder: &str) -> usize {
    let cases = fixture_cases(folder);
    assert_snapshots(
        &format!("fixture_projects__{folder}"),
        cases.iter().map(|case| {
            let name = case.file_name().expect("case name").to_string_lossy();
            Snapshot {
                name: name.clone().into_owned(),
                description: format!(
                    "fixtures/{folder}/{name}/ scanned as one project: RULE path:line:column of each finding"
                ),
                text: case_findings(case).0,
            }
        }),
    );
    cases.len()
}

/// One case of [`assert_snapshots`].
pub struct Snapshot {
    /// The case, unique within its owner (`/` allowed: it becomes `__` in the file name).
    pub name: String,
    /// What the snapshot shows, written into its header for reviewers.
    pub description: String,
    /// What the snapshot holds.
    pub text: String,
}

/// Asserts one insta snapshot `tests/it/snapshots/<owner>__<name>.snap` per case, all of
/// them before failing, so one run reports (and `INSTA_UPDATE` writes) every changed one.
/// A snapshot of `owner` that no case makes any more (a rule or fixture removed) fails too.
pub fn assert_snapshots(owner: &str, cases: impl IntoIterator<Item = Snapshot>) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let mut made = BTreeSet::new();
    let mut changed = Vec::new();
    for case in cases {
        let name = format!("{owner}__{}", case.name.replace('/', "__"));
        let mut settings = settings.clone();
        settings.set_description(case.description);
        let asserted = std::panic::catch_unwind(AssertUnwindSafe(|| {
            settings.bind(|| insta::assert_snapshot!(name.as_str(), case.text));
        }));
        if asserted.is_err() {
            changed.push(name.clone());
        }
        assert!(made.insert(name.clone()), "two cases are named {name}");
    }
    assert!(!made.is_empty(), "{owner}: no snapshot cases");
    assert!(
        changed.is_empty(),
        "{} snapshots are missing or differ from what the code prints: {changed:?} (see tests/it/main.rs to review and accept them)",
        changed.len()
    );
    let folder = root().join("tests/it/snapshots");
    let prefix = format!("{owner}__");
    let stale: Vec<String> = std::fs::read_dir(&folder)
        .expect("tests/it/snapshots")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|file| {
            file.strip_suffix(".snap")
                .is_some_and(|name| name.starts_with(&prefix) && !made.contains(name))
        })
        .collect();
    assert!(
        stale.is_empty(),
        "snapshots in {} that no case makes any more, remove them: {stale:?}",
        folder.display()
    );
}
