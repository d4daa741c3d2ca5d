//! `preflight init`: the two files a repository needs to start, written from templates kept
//! next to this file so they can be read and reviewed as files.

use std::path::Path;
use std::process::ExitCode;

/// A commented `preflight.toml` with every setting and its default.
const CONFIG: &str = include_str!("init/preflight.toml");
/// A GitHub workflow that runs the preflight action on pull requests.
const WORKFLOW: &str = include_str!("init/workflow.yml");

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
    }
    Ok(ExitCode::SUCCESS)
}
