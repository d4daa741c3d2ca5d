//! The declared minimum Rust version (`rust-version` in Cargo.toml) is the one the locked
//! dependencies need: never lower (a user with that Rust could not build), never higher
//! than needed without a reason written here.

/// `1.90` or `1.90.0` as comparable numbers.
fn parse(version: &str) -> Vec<u64> {
    let mut parts: Vec<u64> = version
        .split('.')
        .map(|p| {
            p.parse()
                .unwrap_or_else(|_| panic!("not a Rust version: {version}"))
        })
        .collect();
    parts.resize(3, 0);
    parts
}

#[test]
fn rust_version_is_the_highest_any_locked_dependency_needs() {
    let output = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--locked", "--format-version", "1", "--offline"])
        .current_dir(crate::common::root())
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo metadata (every locked crate must be here: `cargo fetch --locked`): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let packages = metadata["packages"].as_array().expect("packages");
    let ours = packages
        .iter()
        .find(|p| p["name"] == "preflight")
        .and_then(|p| p["rust_version"].as_str())
        .expect("Cargo.toml declares rust-version");
    let (needed, by) = packages
        .iter()
        .filter(|p| p["name"] != "preflight")
        .filter_map(|p| {
            let version = p["rust_version"].as_str()?;
            Some((parse(version), format!("{} {}", p["name"], p["version"])))
        })
        .max()
        .expect("some dependency declares a rust-version");
    assert_eq!(
        parse(ours),
        needed,
        "Cargo.toml says rust-version = \"{ours}\", the locked dependencies need {needed:?} ({by}): set rust-version to that (and the Dockerfile's rust image tag)"
    );
}

/// The container builds with that Rust too (Dockerfile).
#[test]
fn the_container_builds_with_the_declared_rust_version() {
    let manifest =
        std::fs::read_to_string(crate::common::root().join("Cargo.toml")).expect("Cargo.toml");
    let declared = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .expect("rust-version in Cargo.toml");
    let dockerfile =
        std::fs::read_to_string(crate::common::root().join("Dockerfile")).expect("Dockerfile");
    assert!(
        dockerfile.contains(&format!("\nFROM rust:{declared}-alpine AS build\n")),
        "the Dockerfile's build stage should use rust:{declared}-alpine"
    );
}
