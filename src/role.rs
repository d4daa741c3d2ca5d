//! File roles: whether a file deploys to production or serves development, tests, CI or as
//! an example. A debug image, a test Compose file or an example stack judged as production
//! fills a report with findings nobody will fix, and a gate that fails on them is switched
//! off; so rules written for production hardening give such files at most `info`, while
//! rules that find leaked secrets or broken files judge every role alike.
//!
//! The role comes from path and name conventions ([`conventional`]), overridden by
//! `[roles]` globs in `preflight.toml`; `--role-all` (or `[roles] all_production = true`)
//! judges every file as production. The CLI gives findings their roles (`cli::judge_roles`):
//! this module knows only paths, so findings and policies can name [`Role`].

use std::path::Path;

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};

/// What a file is for.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Deployed: judged by every rule at its own severity.
    #[default]
    Production,
    /// Local development: `.devcontainer/`, `Dockerfile.dev`, `docker-compose.override.yml`.
    Development,
    /// Tests: `tests/`, `docker-compose.test.yml`, `*_test/`.
    Test,
    /// Continuous integration: `.github/`, `docker-compose.ci.yml`.
    Ci,
    /// Examples and templates: `examples/`, `*.example`, `*.sample`, a cookiecutter folder.
    Example,
}

impl Role {
    /// Every role, production first.
    pub const ALL: [Role; 5] = [
        Role::Production,
        Role::Development,
        Role::Test,
        Role::Ci,
        Role::Example,
    ];

    /// The name used in policies, `preflight.toml` and every report.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Production => "production",
            Role::Development => "development",
            Role::Test => "test",
            Role::Ci => "ci",
            Role::Example => "example",
        }
    }

    /// The role named `name`.
    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

impl Role {
    /// What human, Markdown and GitHub reports add after a location: nothing for
    /// production, ` (test file)` and the like for the rest.
    pub fn marker(self) -> &'static str {
        match self {
            Role::Production => "",
            Role::Development => " (development file)",
            Role::Test => " (test file)",
            Role::Ci => " (CI file)",
            Role::Example => " (example file)",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The roles a rule judges at its own severity, from a policy's `roles = [...]` (role names,
/// or `"all"`); no list means production only.
pub fn parse_scope(names: Option<&[String]>) -> Result<Vec<Role>, String> {
    let Some(names) = names else {
        return Ok(vec![Role::Production]);
    };
    let mut roles = Vec::new();
    for name in names {
        if name == "all" {
            roles.extend(Role::ALL);
        } else {
            roles.push(Role::from_name(name).ok_or_else(|| {
                format!("unknown role `{name}` (production, development, test, ci, example or all)")
            })?);
        }
    }
    roles.sort();
    roles.dedup();
    Ok(roles)
}

/// Folder names that make everything below them of a role.
const FOLDERS: &[(Role, &[&str])] = &[
    (
        Role::Example,
        &[
            "example",
            "examples",
            ".examples",
            "sample",
            "samples",
            "_examples",
            // Scaffolds copied by a generator: Django's and Wagtail's `startproject` and
            // `startapp` templates, `create-*` packages' `template/`.
            "template",
            "project_template",
            "app_template",
        ],
    ),
    (
        Role::Ci,
        &[
            ".github",
            ".gitlab",
            ".circleci",
            ".buildkite",
            ".woodpecker",
            ".ci",
            "ci",
        ],
    ),
    (
        Role::Test,
        &[
            "test",
            "tests",
            "testing",
            "testdata",
            "e2e",
            "__tests__",
            "spec",
            "integration-test",
            "integration-tests",
            "_integration-test",
        ],
    ),
    (
        Role::Development,
        &[
            ".devcontainer",
            "dev",
            "development",
            "local",
            "debug",
            "workstation",
            "workstations",
        ],
    ),
];

/// Words of a file name (split at `.`, `-`, `_`) that give it a role: in the name of a
/// Dockerfile, Compose or env file (`Dockerfile.debug`, `docker-compose.ci-test.yml`), as a
/// file's last word (`nginx.conf.sample`), or as a settings module (`settings/test.py`).
/// Other names are left alone: `example.com.conf` and `dev.example.org` are virtual hosts.
const NAME_WORDS: &[(Role, &[&str])] = &[
    (
        Role::Example,
        &["example", "examples", "sample", "dist", "template", "tpl"],
    ),
    (Role::Ci, &["ci"]),
    (Role::Test, &["test", "tests", "e2e"]),
    (
        Role::Development,
        &["dev", "development", "debug", "devcontainer", "override"],
    ),
];

/// The role path and name conventions give `path` (as reports show it). Examples win over
/// CI, CI over tests, tests over development: a test file among examples is an example.
pub fn conventional(path: &str) -> Role {
    // Compared without case, and nothing allocated but the lower-cased name: every file of
    // a scan is judged, on one thread.
    let parts: smallvec::SmallVec<[&str; 16]> = path
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let Some((name, folders)) = parts.split_last() else {
        return Role::Production;
    };
    let name = name.to_ascii_lowercase();
    let words: smallvec::SmallVec<[&str; 8]> = name
        .split(['.', '-', '_'])
        .filter(|w| !w.is_empty())
        .collect();
    let before_extension = &words[..words.len().saturating_sub(1)];
    let named = |names: &[&str], word: &str| names.iter().any(|n| n.eq_ignore_ascii_case(word));
    let ends_with = |folder: &str, suffix: &str| {
        folder.len() >= suffix.len()
            && folder.as_bytes()[folder.len() - suffix.len()..]
                .eq_ignore_ascii_case(suffix.as_bytes())
    };
    // Precedence is the order of `Role`'s variants from the last: example, CI, test, dev.
    let mut found: Option<Role> = None;
    let mut found_role = |role: Role| found = found.max(Some(role));
    for folder in folders {
        // A cookiecutter or copier project folder (`{{cookiecutter.project_slug}}`).
        if folder.contains('{') && (folder.contains("{{") || folder.contains("{%")) {
            found_role(Role::Example);
        }
        for (role, names) in FOLDERS {
            if named(names, folder) {
                found_role(*role);
            }
        }
        let affixes = [
            (Role::Test, ["_test", "-test", "_tests", "-tests"]),
            (Role::Development, ["_dev", "-dev", "_debug", "-debug"]),
        ];
        for (role, suffixes) in affixes {
            if suffixes.iter().any(|s| ends_with(folder, s)) {
                found_role(role);
            }
        }
    }
    let deployment_name = words.first().is_some_and(|w| {
        matches!(
            *w,
            "dockerfile" | "containerfile" | "docker" | "compose" | "env"
        )
    });
    let settings_module = folders
        .last()
        .is_some_and(|f| f.eq_ignore_ascii_case("settings"))
        && words.len() == 2;
    let judged: &[&str] = if deployment_name {
        &words
    } else if settings_module {
        &words[..1]
    } else {
        &words[words.len().saturating_sub(1)..]
    };
    // The env format's own reading of template names (`.env.dist`, `.env.defaults`).
    if crate::formats::dotenv::env_kind(&name) == Some(crate::formats::Target::EnvExample) {
        found_role(Role::Example);
    }
    for (role, names) in NAME_WORDS {
        if judged.iter().any(|w| names.contains(w)) {
            found_role(*role);
        }
    }
    // `local` before the extension: `docker-compose.local.yml`, `settings/local.py` (fail2ban's
    // `jail.local` is production).
    if (deployment_name || settings_module) && before_extension.contains(&"local") {
        found_role(Role::Development);
    }
    found.unwrap_or(Role::Production)
}

/// `[roles]` in `preflight.toml`: globs (relative to the file) that give files a role
/// whatever their names say, and the switch that judges everything as production.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolesConfig {
    /// Judge every file as production (as `--role-all` does).
    #[serde(default)]
    pub all_production: bool,
    #[serde(default)]
    pub production: Vec<String>,
    #[serde(default)]
    pub development: Vec<String>,
    #[serde(default)]
    pub test: Vec<String>,
    #[serde(default)]
    pub ci: Vec<String>,
    #[serde(default)]
    pub example: Vec<String>,
}

/// How the roles of a scan's files are decided.
#[derive(Debug, Default)]
pub struct Roles {
    all_production: bool,
    /// Globs from the configuration, in the order of [`Role::ALL`]: the first match wins.
    globs: Vec<(Role, GlobSet)>,
    /// Where the configuration's globs are relative to (absolute, normalised).
    base: std::path::PathBuf,
}

impl Roles {
    /// Roles from `config` (globs relative to `base`); `all_production` as `--role-all`.
    pub fn new(config: &RolesConfig, base: &Path, all_production: bool) -> Result<Self, String> {
        let lists = [
            (Role::Production, &config.production),
            (Role::Development, &config.development),
            (Role::Test, &config.test),
            (Role::Ci, &config.ci),
            (Role::Example, &config.example),
        ];
        let mut globs = Vec::new();
        for (role, patterns) in lists {
            if patterns.is_empty() {
                continue;
            }
            let mut set = GlobSetBuilder::new();
            for pattern in patterns {
                let glob = Glob::new(pattern)
                    .map_err(|e| format!("bad `[roles] {role}` pattern in config: {e}"))?;
                set.add(glob);
            }
            let set = set
                .build()
                .map_err(|e| format!("bad `[roles] {role}` pattern in config: {e}"))?;
            globs.push((role, set));
        }
        Ok(Self {
            all_production: all_production || config.all_production,
            globs,
            base: crate::formats::absolute_normal(base),
        })
    }

    /// The role of the file reports show as `path`.
    pub fn of(&self, path: &str) -> Role {
        // A live host's files are its production.
        if self.all_production || path.contains("://") {
            return Role::Production;
        }
        if !self.globs.is_empty() {
            let absolute = crate::formats::absolute_normal(Path::new(path));
            let relative = absolute.strip_prefix(&self.base).unwrap_or(&absolute);
            let as_written = Path::new(path.strip_prefix("./").unwrap_or(path));
            for (role, set) in &self.globs {
                if set.is_match(relative) || set.is_match(as_written) {
                    return *role;
                }
            }
        }
        conventional(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conventions_give_roles() {
        let cases = [
            ("Dockerfile", Role::Production),
            ("deploy/nginx/nginx.conf", Role::Production),
            ("src/cartservice/Dockerfile.debug", Role::Development),
            ("Dockerfile.dev", Role::Development),
            (".devcontainer/Dockerfile", Role::Development),
            ("workstation/postinstall/Dockerfile", Role::Development),
            ("image/web_dev/Dockerfile", Role::Development),
            ("docker-compose.override.yml", Role::Development),
            ("compose.local.yaml", Role::Development),
            ("config/settings/local.py", Role::Development),
            ("/etc/fail2ban/jail.local", Role::Production),
            ("image/web_test/Dockerfile", Role::Test),
            ("tests/Dockerfile", Role::Test),
            ("result/docker-compose.test.yml", Role::Test),
            ("docker/compose/docker-compose.ci-test.yml", Role::Ci),
            (".github/release-cluster/ingress.yaml", Role::Ci),
            (".examples/docker-compose/compose.yaml", Role::Example),
            ("examples/tests/Dockerfile", Role::Example),
            (".env.example", Role::Example),
            ("nginx.conf.sample", Role::Example),
            (
                "wagtail/project_template/project_name/settings/production.py",
                Role::Example,
            ),
            ("template/Dockerfile", Role::Example),
            (
                "{{cookiecutter.project_slug}}/compose/production/Dockerfile",
                Role::Example,
            ),
            ("latest/Dockerfile", Role::Production),
            ("sites-enabled/example.com.conf", Role::Production),
            ("sites-available/dev.example.org", Role::Production),
            ("/etc/ssh/sshd_config.d/50-local.conf", Role::Production),
            ("config/settings/test.py", Role::Test),
            ("contest/Dockerfile", Role::Production),
        ];
        for (path, role) in cases {
            assert_eq!(conventional(path), role, "{path}");
        }
    }

    #[test]
    fn configured_globs_win_and_all_production_wins_over_everything() {
        let config = RolesConfig {
            production: vec!["deploy/**".into()],
            test: vec!["qa/**".into()],
            ..RolesConfig::default()
        };
        let roles = Roles::new(&config, Path::new("."), false).unwrap();
        assert_eq!(roles.of("deploy/examples/Dockerfile"), Role::Production);
        assert_eq!(roles.of("qa/Dockerfile"), Role::Test);
        assert_eq!(roles.of("tests/Dockerfile"), Role::Test);
        assert_eq!(roles.of("Dockerfile"), Role::Production);
        let all = Roles::new(&config, Path::new("."), true).unwrap();
        assert_eq!(all.of("tests/Dockerfile"), Role::Production);
    }

    #[test]
    fn scopes_parse_and_refuse_unknown_roles() {
        assert_eq!(parse_scope(None).unwrap(), vec![Role::Production]);
        assert_eq!(
            parse_scope(Some(&["all".into()])).unwrap(),
            Role::ALL.to_vec()
        );
        assert!(parse_scope(Some(&["staging".into()])).is_err());
    }
}
