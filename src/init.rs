//! `preflight init`: the two files a repository needs to start, written from templates kept
//! next to this file so they can be read and reviewed as files.

use std::path::Path;
use std::process::ExitCode;

/// A commented `preflight.toml` with every setting and its default.
const CONFIG: &str = include_str!("init/preflight.toml");
/// A GitHub workflow that runs the preflight action on pull requests.
const WORKFLOW: &str = include_str!("init/workflow.yml");
/// The workflow's `uses:` line, with placeholders for the owner, commit SHA and tag: no
/// real repository or release can be known here, and a wrong one must fail loudly.
pub const ACTION_PLACEHOLDER: &str =
    "OWNER/preflight@0000000000000000000000000000000000000000 # vX.Y.Z";

/// Writes `preflight.toml` and `.github/workflows/preflight.yml` under `root`. Existing
/// files are kept unless `force`; each file written or kept is said on stderr.
pub fn run(root: &Path, force: bool) -> Result<ExitCode, String> {
    let files = [
        (root.join("preflight.toml"), CONFIG),
        (root.join(".github/workflows/preflight.yml"), WORKFLOW),
    ];
    for (path, text) in &files {
        if path.exists() && !force {
            eprintln!("kept {} (exists; --force overwrites it)", path.display());
            continue;
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        eprintln!("wrote {}", path.display());
        if *text == WORKFLOW {
            eprintln!(
                "  edit it before use: in `uses: {ACTION_PLACEHOLDER}` replace OWNER with the \
                 owner of the preflight repository you use, the zeros with the full commit SHA \
                 of the release you choose, and vX.Y.Z with its tag (see the comment above it)"
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow_uses_the_placeholder_the_note_names() {
        assert!(WORKFLOW.contains(&format!("- uses: {ACTION_PLACEHOLDER}\n")));
    }
}
