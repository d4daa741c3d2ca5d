//! `preflight.toml`: project settings, found next to the scanned tree or named by `--config`.
//!
//! ```toml
//! fail_on = "high"                      # default gate for `check` (a severity, or "never")
//! exclude = ["fixtures", "docs/*.env"]  # globs, relative to this file
//! policy_files = ["ops/policies.toml"]  # extra rules, relative to this file
//! respect_gitignore = false             # .env files are git-ignored by design: keep false
//! max_file_size = 5242880               # bytes; bigger files are skipped with a note
//!
//! [roles]                               # file roles; first match wins, then conventions
//! production = ["deploy/**"]            # also development, test, ci, example; all_production
//!
//! [rules.ENV012]                        # an id, a name or a prefix such as "ENV01"
//! severity = "medium"
//! [rules.ENV033]
//! enabled = false
//!
//! [hosts.prod-1]                        # inventory for `preflight audit host`
//! address = "10.0.0.5"                  # default: the name, resolved via ~/.ssh/config
//! user = "deploy"
//! port = 22
//! groups = ["web"]                      # `audit host --group web`
//! app_dirs = ["/srv/app"]
//! cert_paths = ["/etc/ssl/private/app.pem"]
//! backup_dirs = ["/var/backups/db"]
//! backup_max_age = "36h"
//! files = { "/etc/nginx/sites-enabled/app" = "deploy/nginx/app.conf" }   # host file → repository file
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::policy::{toml_error, Lowered, PolicyError, RuleOverride, Severity};

/// The file name looked for when `--config` is not given.
pub const CONFIG_FILE: &str = "preflight.toml";

/// Default for `max_file_size`: far above any real config file, far below a log or dump.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 5 * 1024 * 1024;

/// The settings of `preflight.toml`. Unknown keys are errors: a typo must not silently
/// turn a control off.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Default `--fail-on` (a severity, or `never`).
    pub fail_on: Option<FailOn>,
    /// Paths to leave out (globs).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Extra policy files.
    #[serde(default)]
    pub policy_files: Vec<PathBuf>,
    /// Honour `.gitignore` when walking.
    pub respect_gitignore: Option<bool>,
    /// Largest file read, in bytes.
    pub max_file_size: Option<u64>,
    /// Per-rule severity changes and switches.
    #[serde(default)]
    pub rules: BTreeMap<String, RuleOverride>,
    /// The live-audit inventory: `[hosts.NAME]` tables.
    #[serde(default)]
    pub hosts: BTreeMap<String, HostEntry>,
    /// File roles: globs per role and the switch that judges everything as production.
    #[serde(default)]
    pub roles: crate::role::RolesConfig,
}

/// One inventory host: where it is, how to log in, which groups it belongs to, and what
/// the snapshot should look at beyond the fixed allowlist.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostEntry {
    /// Host name or IP address to connect to (default: the table's name).
    pub address: Option<String>,
    /// Login user.
    pub user: Option<String>,
    /// SSH port.
    pub port: Option<u16>,
    /// Group names, for `--group`.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Application directories whose `.env` files and settings are collected.
    #[serde(default)]
    pub app_dirs: Vec<PathBuf>,
    /// Certificate files to check besides `/etc/letsencrypt/live`.
    #[serde(default)]
    pub cert_paths: Vec<PathBuf>,
    /// Backup directories whose newest file time is checked.
    #[serde(default)]
    pub backup_dirs: Vec<PathBuf>,
    /// The oldest a newest backup may be (`"36h"`, `"2d"`).
    pub backup_max_age: Option<String>,
    /// Host files deployed from files of the repository: the host's absolute path → the
    /// repository file, relative to this configuration file's folder. A finding on a host
    /// line that the repository file has too is shown on the repository file's line.
    #[serde(default)]
    pub files: BTreeMap<String, PathBuf>,
}

/// A configuration and where it came from.
#[derive(Debug, Clone, Default)]
pub struct LoadedConfig {
    /// The settings (defaults when no file was found).
    pub config: Config,
    /// The directory relative paths in the file are resolved against.
    pub base: PathBuf,
    /// The file, if one was found.
    pub path: Option<PathBuf>,
}

/// Where the repository names an audited host: the line of `preflight.toml` that opens its
/// inventory table. Code scanning shows findings only on files of the repository, and the
/// host's own files are not, so a live host's findings are shown there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostAnchor {
    /// The host's name in the inventory (its label in reports).
    pub host: String,
    /// The configuration file, as the user named or preflight found it.
    pub path: PathBuf,
    /// The line, from 1.
    pub line: usize,
}

impl LoadedConfig {
    /// The line naming each inventory host: `[hosts.prod-1]` (`[hosts."prod-1"]`), or
    /// `prod-1 = { … }` in a `[hosts]` table.
    pub fn host_anchors(&self) -> Vec<HostAnchor> {
        let Some(path) = &self.path else {
            return Vec::new();
        };
        let Ok(text) = std::fs::read_to_string(path) else {
            return Vec::new();
        };
        let mut anchors = Vec::new();
        let mut in_hosts = false;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            let named =
                if let Some(header) = line.strip_prefix('[').filter(|_| !line.starts_with("[[")) {
                    let keys = toml_keys(header.split(']').next().unwrap_or_default());
                    in_hosts = keys == ["hosts"];
                    match keys.as_slice() {
                        [hosts, name] if hosts == "hosts" => Some(name.clone()),
                        _ => None,
                    }
                } else if in_hosts {
                    line.split_once('=')
                        .map(|(key, _)| toml_keys(key))
                        .filter(|keys| keys.len() == 1)
                        .map(|keys| keys[0].clone())
                } else {
                    None
                };
            if let Some(host) = named.filter(|h| self.config.hosts.contains_key(h)) {
                if !anchors.iter().any(|a: &HostAnchor| a.host == host) {
                    anchors.push(HostAnchor {
                        host,
                        path: path.clone(),
                        line: i + 1,
                    });
                }
            }
        }
        anchors
    }
}

/// The parts of a dotted TOML key (`hosts."prod-1"` → `hosts`, `prod-1`), quotes removed.
fn toml_keys(key: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut current = String::new();
    let mut quote = None;
    for c in key.chars() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '.') => keys.push(std::mem::take(&mut current).trim().to_owned()),
            (None, c) if c.is_whitespace() => {}
            (_, c) => current.push(c),
        }
    }
    keys.push(current.trim().to_owned());
    keys
}

/// What a run's configuration file changed, shown in every report: a pull request that adds
/// or edits a `preflight.toml` can relax its own gate, and a reviewer must be able to see it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ConfigInEffect {
    /// The configuration file (as named or found), or none.
    pub file: Option<String>,
    /// Rules it switched off.
    pub disabled: Vec<String>,
    /// Rules whose severity it lowered.
    pub lowered: Vec<Lowered>,
    /// Its `fail_on`.
    pub fail_on: Option<FailOn>,
    /// Its `exclude` globs.
    pub exclude: Vec<String>,
    /// Its `max_file_size`.
    pub max_file_size: Option<u64>,
    /// Policy files it adds.
    pub policy_files: Vec<String>,
}

impl ConfigInEffect {
    /// Whether the file changes what is checked or what fails: something a reviewer of a
    /// pull request must look at.
    pub fn relaxes(&self) -> bool {
        !self.disabled.is_empty()
            || !self.lowered.is_empty()
            || !self.exclude.is_empty()
            || self.max_file_size.is_some()
            || self.fail_on.is_some_and(|f| f != FailOn::High)
    }

    /// One line for people: the file and what it relaxes.
    pub fn summary(&self) -> String {
        let Some(file) = &self.file else {
            return "no configuration file (built-in defaults)".to_owned();
        };
        let mut parts = Vec::new();
        if !self.disabled.is_empty() {
            parts.push(format!("disables {}", self.disabled.join(", ")));
        }
        if !self.lowered.is_empty() {
            let lowered: Vec<String> = self
                .lowered
                .iter()
                .map(|l| format!("{} {}→{}", l.rule, l.from, l.to))
                .collect();
            parts.push(format!("lowers {}", lowered.join(", ")));
        }
        if let Some(fail_on) = self.fail_on {
            parts.push(format!("fail_on = {}", fail_on.name()));
        }
        if !self.exclude.is_empty() {
            parts.push(format!("excludes {}", self.exclude.join(", ")));
        }
        if let Some(size) = self.max_file_size {
            parts.push(format!("max_file_size = {size}"));
        }
        if parts.is_empty() {
            format!("configuration {file}")
        } else {
            format!("configuration {file}: {}", parts.join("; "))
        }
    }
}

/// Loads `explicit` (which must exist), or the nearest `preflight.toml` in the first
/// scanned directory or its ancestors, or the defaults.
pub fn load(explicit: Option<&Path>, scan_paths: &[PathBuf]) -> Result<LoadedConfig, PolicyError> {
    let path = match explicit {
        Some(path) => Some(path.to_path_buf()),
        None => find(scan_paths),
    };
    let Some(path) = path else {
        return Ok(LoadedConfig {
            base: PathBuf::from("."),
            ..LoadedConfig::default()
        });
    };
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(&path)
        .map_err(|e| PolicyError(format!("cannot read config {origin}: {e}")))?;
    let config: Config = toml::from_str(&text).map_err(|e| toml_error(&origin, &text, &e))?;
    let base = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    Ok(LoadedConfig {
        config,
        base,
        path: Some(path),
    })
}

fn find(scan_paths: &[PathBuf]) -> Option<PathBuf> {
    let first = scan_paths.first()?;
    let start = if first.is_dir() {
        first.clone()
    } else {
        first.parent()?.to_path_buf()
    };
    let start = std::path::absolute(&start).ok()?;
    start
        .ancestors()
        .map(|dir| dir.join(CONFIG_FILE))
        .find(|candidate| candidate.is_file())
}

/// The gate: the least severity that fails the run, or never.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Fail on critical findings only.
    Critical,
    /// Fail on high or critical.
    High,
    /// Fail on medium and above.
    Medium,
    /// Fail on low and above.
    Low,
    /// Fail on any finding.
    Info,
    /// Report only, never fail.
    Never,
}

impl FailOn {
    /// The least severity that fails the run (`None`: never).
    pub fn threshold(self) -> Option<Severity> {
        match self {
            Self::Critical => Some(Severity::Critical),
            Self::High => Some(Severity::High),
            Self::Medium => Some(Severity::Medium),
            Self::Low => Some(Severity::Low),
            Self::Info => Some(Severity::Info),
            Self::Never => None,
        }
    }

    /// As written in `preflight.toml` and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Critical => "critical",
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
            Self::Info => "info",
            Self::Never => "never",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_errors_with_a_position() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("preflight.toml");
        std::fs::write(&path, "fail_on = \"high\"\nexclud = []\n").unwrap();
        let err = load(Some(&path), &[]).unwrap_err();
        assert!(err.0.contains("preflight.toml:2:1"), "{err}");
    }

    #[test]
    fn rule_overrides_parse() {
        let config: Config = toml::from_str(
            "[rules.ENV012]\nseverity = \"medium\"\n[rules.ENV033]\nenabled = false\n",
        )
        .unwrap();
        assert_eq!(config.rules["ENV012"].severity, Some(Severity::Medium));
        assert_eq!(config.rules["ENV033"].enabled, Some(false));
    }
}
