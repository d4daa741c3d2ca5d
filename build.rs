//! Build script. Each job is one function, so that jobs added later merge as one more call:
//! the tools the integration tests can use (`build/test_tools.rs`), the built-in policy files
//! as JSON (`build/catalog_json.rs`), and the commit and date `--version` shows.

use std::path::Path;
use std::process::Command;

#[path = "build/catalog_json.rs"]
mod catalog_json;
#[path = "build/test_tools.rs"]
mod test_tools;

fn main() {
    println!("cargo::rerun-if-changed=build/test_tools.rs");
    test_tools::probe();
    println!("cargo::rerun-if-changed=build/catalog_json.rs");
    catalog_json::write();
    version_details();
}

/// `preflight --version` names the commit and its date when built from a git checkout of
/// this repository: `preflight 0.1.0 (a9a3af1c2d3e 2026-12-02)`, as rustc and cargo do.
/// Built from a source archive (no `.git`, no git, or a checkout of some other repository
/// around it), it says the version alone. Sets `PREFLIGHT_VERSION_DETAILS`.
fn version_details() {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let git = |args: &[&str]| -> Option<String> {
        let output = Command::new("git")
            .args(args)
            .current_dir(&manifest_dir)
            .output()
            .ok()?;
        let text = String::from_utf8(output.stdout).ok()?.trim().to_owned();
        (output.status.success() && !text.is_empty()).then_some(text)
    };
    // Only this repository's own history: not an enclosing repository's.
    let ours = git(&["rev-parse", "--show-toplevel"]).is_some_and(|top| {
        Path::new(&top).canonicalize().ok() == Path::new(&manifest_dir).canonicalize().ok()
    });
    let details = if ours {
        match (
            git(&["rev-parse", "--short=12", "HEAD"]),
            git(&["log", "-1", "--format=%cs", "HEAD"]),
        ) {
            (Some(commit), Some(date)) => format!(" ({commit} {date})"),
            _ => String::new(),
        }
    } else {
        String::new()
    };
    println!("cargo:rustc-env=PREFLIGHT_VERSION_DETAILS={details}");
    // Again when HEAD moves (a commit, a checkout of another branch): HEAD, the branch it
    // names and packed-refs, those that exist (a missing one would rerun every build).
    if ours {
        let branch = git(&["symbolic-ref", "-q", "HEAD"]);
        for name in ["HEAD", "packed-refs"].into_iter().chain(branch.as_deref()) {
            let file = git(&["rev-parse", "--git-path", name])
                .map(|file| Path::new(&manifest_dir).join(file));
            if let Some(file) = file.filter(|f| f.is_file()) {
                println!("cargo:rerun-if-changed={}", file.display());
            }
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
