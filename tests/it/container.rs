//! The container image (`Dockerfile`), built and run for real: Podman builds its `prebuilt`
//! variant from a statically linked preflight (`.ci/run` builds one into
//! `target/static/`), and `scripts/release/container-check.sh` checks that the image runs
//! as user 65534 and `check`s a mounted folder. The release's musl binaries cannot be built
//! on the test machines (no musl standard library for the toolchain), so the binary here is
//! glibc linked with `crt-static`: as self-contained, which is what the image needs.
//!
//! Podman runs without a daemon; its storage lives in the test's temporary folder (vfs, no
//! overlay mounts), runc replaces crun (which refuses hybrid cgroup hierarchies) and the
//! container asks for limits no higher than an unprivileged sandbox grants.

use std::path::Path;
use std::process::Command;

use crate::common::root;

/// The statically linked binary (build/test_tools.rs' `STATIC_BINARY`).
const STATIC_BINARY: &str = "target/static/x86_64-unknown-linux-gnu/debug/preflight";

/// `podman` with its storage, run state and configuration under `dir`, so a test neither
/// needs nor touches the machine's images.
fn podman(dir: &Path) -> String {
    format!(
        "podman --root {root} --runroot {run} --storage-driver vfs --runtime runc --cgroup-manager cgroupfs --events-backend none",
        root = dir.join("storage").display(),
        run = dir.join("run").display(),
    )
}

/// `scripts/release/container-check.sh binary`, with Podman in a temporary folder.
///
/// The image gets a stripped copy of `binary`: a debug build is over 250 MB, and Podman's vfs
/// storage copies it into every layer and container (about five copies per check), which
/// once filled a CI machine's disk. Symbols are not what the check is about.
fn container_check(binary: &Path) -> std::process::Output {
    let dir = tempfile::tempdir().expect("temp dir");
    let stripped = dir.path().join("preflight");
    let strip = Command::new("strip")
        .arg("-o")
        .arg(&stripped)
        .arg(binary)
        .status()
        .expect("run strip");
    assert!(strip.success(), "strip {binary:?} failed");
    Command::new(root().join("scripts/release/container-check.sh"))
        .arg(&stripped)
        .env("DOCKER", podman(dir.path()))
        .env(
            "RUN_OPTIONS",
            "--ulimit nofile=1024:1024 --ulimit nproc=1024:1024",
        )
        .env("TMPDIR", dir.path())
        .output()
        .expect("run container-check.sh")
}

fn version(binary: &Path) -> String {
    let output = Command::new(binary)
        .arg("--version")
        .output()
        .expect("run preflight --version");
    assert!(output.status.success(), "{binary:?} --version failed");
    String::from_utf8(output.stdout).expect("UTF-8 version")
}

#[test]
#[cfg_attr(
    not(test_tool = "container"),
    ignore = "needs podman, runc, strip and a static binary (apt-get install podman runc binutils; RUSTFLAGS='-C target-feature=+crt-static' cargo build --target x86_64-unknown-linux-gnu --target-dir target/static)"
)]
fn the_container_image_runs_check_as_an_unprivileged_user() {
    let binary = root().join(STATIC_BINARY);
    // The image must hold this checkout's preflight, not a stale build.
    assert_eq!(
        version(&binary),
        version(Path::new(env!("CARGO_BIN_EXE_preflight"))),
        "{STATIC_BINARY} is not built from this checkout: build it again"
    );
    let output = container_check(&binary);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "container check failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("findings in 7 files, as user 65534"),
        "{stdout}"
    );
}

#[test]
#[cfg_attr(
    not(test_tool = "container"),
    ignore = "needs podman, runc, strip and a static binary (apt-get install podman runc binutils; RUSTFLAGS='-C target-feature=+crt-static' cargo build --target x86_64-unknown-linux-gnu --target-dir target/static)"
)]
fn the_container_check_refuses_a_binary_that_needs_shared_libraries() {
    // The image is `scratch`: a dynamically linked preflight cannot start in it, and the
    // check must say so rather than pass.
    let output = container_check(Path::new(env!("CARGO_BIN_EXE_preflight")));
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("expected 1") || stderr.contains("printed no JSON report"),
        "{stderr}"
    );
}
