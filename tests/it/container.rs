//! The container image (`Dockerfile`): built from a static binary, run as an unprivileged
//! user, `check` on a mounted folder.
//!
//! Ignored by default: it needs a Docker daemon with BuildKit and a static Linux binary. The
//! `build` stage needs the Rust image from Docker Hub, so the test builds the `prebuilt`
//! variant from PREFLIGHT_STATIC_BINARY instead:
//!
//! ```sh
//! cargo build --release --target x86_64-unknown-linux-musl
//! PREFLIGHT_STATIC_BINARY=target/x86_64-unknown-linux-musl/release/preflight \
//!   cargo test --test it container -- --ignored
//! ```
//!
//! PREFLIGHT_DOCKER names the client (default `docker`); it must build with BuildKit when
//! DOCKER_BUILDKIT=1 is set (Docker 23 and later need the buildx plugin for that).

use std::process::Command;

use crate::common::root;

fn docker() -> Command {
    let mut command =
        Command::new(std::env::var("PREFLIGHT_DOCKER").unwrap_or_else(|_| "docker".into()));
    command.env("DOCKER_BUILDKIT", "1");
    command
}

fn run(command: &mut Command) -> std::process::Output {
    let output = command.output().expect("docker runs");
    assert!(
        output.status.code().is_some_and(|c| c <= 1),
        "{command:?}:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[test]
#[ignore = "needs a Docker daemon and PREFLIGHT_STATIC_BINARY (a musl build); see the module doc"]
fn the_image_runs_check_on_a_mounted_folder_as_an_unprivileged_user() {
    let binary = std::env::var("PREFLIGHT_STATIC_BINARY")
        .expect("PREFLIGHT_STATIC_BINARY names a static Linux build of preflight");
    let context = tempfile::tempdir().expect("tempdir");
    std::fs::copy(&binary, context.path().join("preflight")).expect("copy the binary");
    let image = format!("preflight-test:{}", std::process::id());
    run(docker()
        .args([
            "build",
            "--build-arg",
            "BINARY_FROM=prebuilt",
            "-t",
            &image,
            "-f",
        ])
        .arg(root().join("Dockerfile"))
        .arg(context.path()));

    let user = run(docker().args(["inspect", "--format", "{{.Config.User}}", &image]));
    assert_eq!(String::from_utf8_lossy(&user.stdout).trim(), "65534:65534");

    let mount = format!("{}:/src:ro", root().join("examples").display());
    let output = run(docker().args([
        "run",
        "--rm",
        "--network",
        "none",
        "-v",
        &mount,
        &image,
        "check",
        "insecure-shop",
        "--format",
        "json",
    ]));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    assert_eq!(
        output.status.code(),
        Some(1),
        "the example is insecure on purpose"
    );
    assert_eq!(report["summary"]["files_checked"], 7, "{report}");
    let findings = report["findings"].as_array().expect("findings");
    assert!(!findings.is_empty());
    for finding in findings {
        let path = finding["location"]["path"].as_str().expect("path");
        assert!(path.starts_with("insecure-shop/"), "{path}");
    }
    run(docker().args(["rmi", &image]));
}
