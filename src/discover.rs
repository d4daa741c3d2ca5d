//! Finding the files to check: a parallel walk of the given paths, skipping VCS and
//! dependency folders and the user's `exclude` globs, classifying each file by its name.
//!
//! `.gitignore` is deliberately *not* honoured by default: `.env` files are git-ignored by
//! design, yet they are exactly what a pre-flight on a deploy host must check. Pass
//! `--respect-gitignore` (or set `respect_gitignore = true`) for a "what would be committed"
//! view.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::{WalkBuilder, WalkState};

use crate::finding::{Diagnostic, DiagnosticKind};
use crate::formats::sshd::effective::SshdRole;
use crate::formats::Target;
use crate::source::SourceFile;

/// Folders no deployment file lives in, skipped without looking inside.
pub const SKIPPED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "target",
    "vendor",
    ".venv",
    "venv",
    "__pycache__",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
    "bower_components",
    ".terraform",
    ".next",
    ".nuxt",
];

/// Last name parts of files that merely mention env in their name (`env.d.ts`, `.env.vault`).
const NOT_ENV_EXTENSIONS: &[&str] = &[
    "py", "js", "mjs", "cjs", "ts", "sh", "json", "yaml", "yml", "toml", "md", "rb", "go", "rs",
    "java", "php", "txt", "cfg", "ini", "conf", "vault", "swp", "bak", "orig", "gpg", "age", "enc",
    "asc",
];

/// Name parts that mark an env file as a committed template.
const EXAMPLE_MARKERS: &[&str] = &[
    "example", "sample", "template", "tpl", "dist", "defaults", "default", "schema", "skel",
];
/// Name parts that mark an env file as development-only.
const DEV_MARKERS: &[&str] = &["development", "dev", "test", "testing", "ci", "e2e"];

/// What a file's name says about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classification {
    /// The kind of file.
    pub target: Target,
    /// The name is ambiguous (`*.conf`): the parsed content must confirm the kind.
    pub confirm_by_content: bool,
}

/// Decides what kind of file `path` is from its name; `None` for files preflight does not
/// check. Cheap by design: no file is opened to decide, and ambiguous names are marked for
/// a look at the content once the file is read anyway.
pub fn classify(path: &Path) -> Option<Classification> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let certain = |target| {
        Some(Classification {
            target,
            confirm_by_content: false,
        })
    };
    let probable = |target| {
        Some(Classification {
            target,
            confirm_by_content: true,
        })
    };
    if let Some(target) = classify_env(&name) {
        return certain(target);
    }
    // Before `nginx.conf`: `jail.d/nginx.conf` is a fail2ban jail, not nginx's main file.
    if let Some(target) = host_service_target(path, &name) {
        return certain(target);
    }
    if name == "nginx.conf" {
        return certain(Target::Nginx);
    }
    if is_sshd_name(path, &name) {
        return certain(Target::Sshd);
    }
    if let Some(kind) = classify_host_file(path, &name) {
        return Some(kind);
    }
    let in_nginx_dir = path
        .parent()
        .into_iter()
        .flat_map(Path::components)
        .any(|c| {
            matches!(
                c.as_os_str().to_str(),
                Some("nginx" | ".nginx" | "sites-available" | "sites-enabled")
            )
        });
    let extension = name.rsplit_once('.').map(|(_, ext)| ext);
    // Saved command output (`host1-ufw.txt`, `firewall.out`): kept only if the content is
    // `ufw status` output or iptables-save output.
    let firewall_word = ["ufw", "iptables", "firewall"]
        .iter()
        .any(|w| name.contains(w));
    if firewall_word && matches!(extension, Some("txt" | "out" | "log")) {
        return probable(Target::Firewall);
    }
    if extension == Some("py") && is_django_settings_name(path, &name) {
        return probable(Target::Django);
    }
    if let Some(kind) = classify_node(path, &name) {
        return Some(kind);
    }
    match extension {
        // Kept only when a document has `apiVersion` and `kind` (or it is a template or
        // kustomize input): workflows, values files and other YAML are left alone.
        Some("yaml" | "yml") => probable(Target::Kubernetes),
        Some("conf" | "types") => probable(Target::Nginx),
        None | Some("params") if in_nginx_dir => probable(Target::Nginx),
        _ if name.ends_with("_params") && in_nginx_dir => probable(Target::Nginx),
        _ => None,
    }
}

/// sshd files by name: `sshd_config`, `*.sshd_config`, `*.conf` in a `sshd_config.d/`
/// folder (before nginx claims `*.conf`), and saved `sshd -T` output (`sshd-T.txt`,
/// `sshd_effective*`).
fn is_sshd_name(path: &Path, name: &str) -> bool {
    let in_drop_in_dir = parent_name(path).is_some_and(|d| d.eq_ignore_ascii_case("sshd_config.d"));
    name == "sshd_config"
        || name.ends_with(".sshd_config")
        || (in_drop_in_dir && name.ends_with(".conf"))
        || is_dump_name(name)
}

/// Host service files by name, decided before nginx claims `*.conf` by content:
/// firewall rules (names containing `ufw-status` or `iptables-save`, `user.rules`/
/// `user6.rules`, `rules.v4`/`rules.v6`), `postgresql.conf`, `pg_hba.conf`, `redis.conf` (and `redis-6379.conf`),
/// fail2ban's `jail.conf`/`jail.local`/`jail.d/*`, logrotate's `logrotate.conf` and every
/// file in `logrotate.d/`. A `<label>.<name>` prefix (`prod.redis.conf`) keeps the kind.
fn host_service_target(path: &Path, name: &str) -> Option<Target> {
    let parent = parent_name(path).unwrap_or("");
    let base = |suffix: &str| name == suffix || name.ends_with(&format!(".{suffix}"));
    let firewall = [
        "ufw-status",
        "ufw_status",
        "iptables-save",
        "ip6tables-save",
    ]
    .iter()
    .any(|n| name.contains(n))
        || base("user.rules")
        || base("user6.rules")
        || base("rules.v4")
        || base("rules.v6");
    if firewall {
        Some(Target::Firewall)
    } else if base("postgresql.conf") || name == "postgresql.auto.conf" {
        Some(Target::Postgres)
    } else if base("pg_hba.conf") {
        Some(Target::PgHba)
    } else if base("redis.conf")
        || (name.starts_with("redis") && name.ends_with(".conf") && parent != "conf.d")
    {
        Some(Target::Redis)
    } else if base("jail.local")
        || base("jail.conf")
        || (parent == "jail.d" && (name.ends_with(".conf") || name.ends_with(".local")))
    {
        Some(Target::Fail2ban)
    } else if name == "logrotate.conf"
        || name.ends_with(".logrotate")
        || (parent == "logrotate.d" && !name.starts_with('.') && !name.ends_with('~'))
    {
        Some(Target::Logrotate)
    } else {
        None
    }
}

/// systemd units, crontabs, Compose files and database configurations, by name (before
/// nginx claims `*.conf`).
fn classify_host_file(path: &Path, name: &str) -> Option<Classification> {
    use crate::formats::{crontab, dbconf::DatabaseConfigFile, systemd::UnitKind};
    let kind = |target, confirm_by_content| {
        Some(Classification {
            target,
            confirm_by_content,
        })
    };
    if UnitKind::from_path(path).is_some() {
        return kind(Target::Systemd, false);
    }
    if let Some(confirm) = crontab::crontab_name(path) {
        return kind(Target::Cron, confirm);
    }
    if DatabaseConfigFile::engine_of(path).is_some() {
        return kind(Target::DatabaseConfig, false);
    }
    // `compose.yaml`, `compose.prod.yml`, `docker-compose.override.yml`; not `composer.yml`.
    let compose = (name.starts_with("docker-compose") || name.starts_with("compose."))
        && (name.ends_with(".yml") || name.ends_with(".yaml"));
    if compose {
        return kind(Target::Compose, false);
    }
    if let Some(confirm) = dockerfile_name(name) {
        return kind(Target::Dockerfile, confirm);
    }
    None
}

/// Dockerfiles by name (lower-cased): `Dockerfile`, `Containerfile` and `api.Dockerfile` for
/// certain (`Some(false)`); `Dockerfile.prod`, `Containerfile.dev` if the content has a
/// `FROM` (`Some(true)`), since that suffix also names notes, templates and backups; never
/// `Dockerfile.md`, `Dockerfile.j2`, `Dockerfile.orig` or the ignore file
/// `Dockerfile.dockerignore`.
fn dockerfile_name(name: &str) -> Option<bool> {
    const NOT_DOCKERFILES: &[&str] = &[
        "dockerignore",
        "md",
        "txt",
        "rst",
        "j2",
        "jinja",
        "jinja2",
        "tmpl",
        "tpl",
        "erb",
        "orig",
        "bak",
        "swp",
        "rej",
        "patch",
        "diff",
        "sh",
        "py",
        "json",
        "yml",
        "yaml",
        "lock",
    ];
    if name == "dockerfile" || name == "containerfile" || name.ends_with(".dockerfile") {
        return Some(false);
    }
    let suffixed = name.starts_with("dockerfile.") || name.starts_with("containerfile.");
    let extension = name.rsplit_once('.').map_or("", |(_, ext)| ext);
    (suffixed && !NOT_DOCKERFILES.contains(&extension) && !name.ends_with('~')).then_some(true)
}

fn parent_name(path: &Path) -> Option<&str> {
    path.parent()?.file_name()?.to_str()
}

/// Names under which `sshd -T` output is saved.
fn is_dump_name(name: &str) -> bool {
    name.starts_with("sshd-t.")
        || name.starts_with("sshd_t.")
        || name == "sshd-t"
        || name.starts_with("sshd_effective")
        || name.starts_with("sshd-effective")
}

/// What an sshd file is, by its name: a dump, a drop-in (only what it sets counts), or a
/// complete `sshd_config` (absent keywords take OpenSSH's defaults).
pub fn sshd_role(path: &Path) -> SshdRole {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if is_dump_name(&name) {
        SshdRole::Dump
    } else if parent_name(path).is_some_and(|d| d.ends_with(".d")) {
        SshdRole::DropIn
    } else {
        SshdRole::Main
    }
}

/// Python files that may be Django settings: `settings.py`, `*settings*.py`, and any module
/// of a `settings/` package. The content must confirm it (an assignment to `DEBUG`,
/// `SECRET_KEY`, `MIDDLEWARE`, … or a star import), so an unrelated `settings.py` is left alone.
fn is_django_settings_name(path: &Path, name: &str) -> bool {
    name.contains("settings")
        || parent_name(path).is_some_and(|d| d.eq_ignore_ascii_case("settings"))
}

/// Node.js files by name: `package.json`, PM2's `ecosystem.config.{js,cjs,json}` (and
/// `ecosystem.<stage>.config.js`), and the JavaScript/TypeScript files a server is usually
/// bootstrapped from (`server`, `app`, `index`, `main`) or configured in (anything under
/// `src/` or `config/`). Those are only kept when their imports confirm a Node server
/// (Express, Nest, cors, helmet, sessions, JWT): most `.js` files are not deployment files.
fn classify_node(path: &Path, name: &str) -> Option<Classification> {
    if name == "package.json" {
        return Some(Classification {
            target: Target::NodePackage,
            confirm_by_content: false,
        });
    }
    let (stem, extension) = name.rsplit_once('.')?;
    if stem.starts_with("ecosystem") && stem.ends_with("config") {
        return matches!(extension, "js" | "cjs" | "mjs" | "json").then_some(Classification {
            target: Target::Pm2,
            confirm_by_content: false,
        });
    }
    let script = matches!(extension, "js" | "cjs" | "mjs" | "ts" | "mts" | "cts");
    let generated_or_test = [".d", ".test", ".spec", ".min", ".e2e-spec"]
        .iter()
        .any(|s| stem.ends_with(s));
    if !script || generated_or_test {
        return None;
    }
    let bootstrap_name = matches!(stem, "server" | "app" | "index" | "main");
    let in_config_folder = path
        .parent()
        .into_iter()
        .flat_map(Path::components)
        .any(|c| matches!(c.as_os_str().to_str(), Some("src" | "config")));
    (bootstrap_name || in_config_folder).then_some(Classification {
        target: Target::NodeApp,
        confirm_by_content: true,
    })
}

fn classify_env(name: &str) -> Option<Target> {
    let parts: Vec<&str> = name.split('.').filter(|p| !p.is_empty()).collect();
    let is_env = name == ".env"
        || name.starts_with(".env.")
        || name.ends_with(".env")
        || name.contains(".env.");
    let last = parts.last().copied().unwrap_or("");
    let is_other = NOT_ENV_EXTENSIONS.contains(&last) || name.ends_with('~');
    if !is_env || is_other {
        return None;
    }
    if parts.iter().any(|p| EXAMPLE_MARKERS.contains(p)) {
        Some(Target::EnvExample)
    } else if parts.iter().any(|p| DEV_MARKERS.contains(p)) {
        Some(Target::EnvDev)
    } else {
        Some(Target::Env)
    }
}

/// How to walk.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Glob patterns of paths to leave out, relative to `exclude_base`.
    pub exclude: Vec<String>,
    /// The directory `exclude` patterns are relative to (where `preflight.toml` is).
    pub exclude_base: PathBuf,
    /// Honour `.gitignore` files.
    pub respect_gitignore: bool,
    /// Files larger than this are not read.
    pub max_file_size: u64,
}

/// A file to check.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Where it is.
    pub path: PathBuf,
    /// What its name says it is.
    pub kind: Classification,
}

/// Compiles exclude patterns; a pattern without `/` matches a name at any depth, like
/// `.gitignore` does.
pub fn exclude_set(patterns: &[String]) -> Result<GlobSet, globset::Error> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let pattern = pattern.trim_end_matches('/');
        let anchored = pattern.trim_start_matches("./");
        let base = if anchored.contains('/') {
            anchored.to_owned()
        } else {
            format!("**/{anchored}")
        };
        builder.add(Glob::new(&base)?);
        builder.add(Glob::new(&format!("{base}/**"))?);
    }
    builder.build()
}

/// Walks `paths` in parallel. Files named explicitly are always kept (and reported when of
/// no known kind); directories are searched for known kinds.
pub fn discover(
    paths: &[PathBuf],
    options: &WalkOptions,
    excludes: &GlobSet,
) -> (Vec<Candidate>, Vec<Diagnostic>) {
    let found = Mutex::new(Vec::new());
    let problems = Mutex::new(Vec::new());
    let entry_points = Mutex::new(Vec::new());
    let mut dirs = Vec::new();
    for path in paths {
        if path.is_dir() {
            dirs.push(path.clone());
        } else {
            match classify(path) {
                Some(kind) => lock(&found).push(Candidate {
                    path: path.clone(),
                    kind,
                }),
                None => lock(&problems).push(Diagnostic {
                    path: display_path(path),
                    kind: DiagnosticKind::Unrecognised,
                    message: "not a kind of file preflight checks (by its name); it was skipped"
                        .into(),
                }),
            }
        }
    }
    if let Some((first, rest)) = dirs.split_first() {
        let mut builder = WalkBuilder::new(first);
        for dir in rest {
            builder.add(dir);
        }
        let base = std::path::absolute(&options.exclude_base)
            .unwrap_or_else(|_| options.exclude_base.clone());
        let excludes = excludes.clone();
        let excluded = move |path: &Path| {
            let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
            let relative = absolute.strip_prefix(&base).unwrap_or(&absolute);
            excludes.is_match(relative)
        };
        builder
            .hidden(false)
            .parents(false)
            .ignore(false)
            .git_ignore(options.respect_gitignore)
            .git_exclude(options.respect_gitignore)
            .git_global(false)
            .require_git(false)
            .follow_links(true)
            .filter_entry(move |entry| {
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                let skipped = is_dir
                    && entry.depth() > 0
                    && SKIPPED_DIRS.iter().any(|d| entry.file_name() == *d);
                !skipped && !excluded(entry.path())
            });
        builder.build_parallel().run(|| {
            Box::new(|entry| {
                match entry {
                    Ok(entry) if entry.file_type().is_some_and(|t| t.is_file()) => {
                        if names_django_settings(entry.path()) {
                            lock(&entry_points).push(entry.path().to_path_buf());
                        }
                        if let Some(kind) = classify(entry.path()) {
                            lock(&found).push(Candidate {
                                path: entry.into_path(),
                                kind,
                            });
                        }
                    }
                    Ok(_) => {}
                    Err(err) => lock(&problems).push(walk_problem(&err)),
                }
                WalkState::Continue
            })
        });
    }
    let mut found = found.into_inner().unwrap_or_else(|e| e.into_inner());
    for entry_point in entry_points.into_inner().unwrap_or_else(|e| e.into_inner()) {
        found.extend(django_settings_named_in(&entry_point));
    }
    add_compose_env_files(&mut found, options.max_file_size);
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found.dedup_by(|a, b| a.path == b.path);
    (
        found,
        problems.into_inner().unwrap_or_else(|e| e.into_inner()),
    )
}

/// Files that name the Django settings module in `DJANGO_SETTINGS_MODULE`.
fn names_django_settings(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
        matches!(n, "manage.py" | "wsgi.py" | "asgi.py")
            || classify_env(&n.to_ascii_lowercase()) == Some(Target::Env)
    })
}

/// The settings modules `DJANGO_SETTINGS_MODULE` names in a `manage.py`, `wsgi.py`,
/// `asgi.py` or `.env`, so settings with any file name (`config/prod.py`) are checked. The
/// dotted name is resolved from the folder of `manage.py`/`.env` and from the parent of the
/// project package that holds `wsgi.py`/`asgi.py`, as Python's import path would be.
fn django_settings_named_in(entry_point: &Path) -> Vec<Candidate> {
    const LIMIT: usize = 256 * 1024;
    let Ok(text) = std::fs::read(entry_point) else {
        return Vec::new();
    };
    let text = String::from_utf8_lossy(&text[..text.len().min(LIMIT)]).into_owned();
    if !text.contains("DJANGO_SETTINGS_MODULE") {
        return Vec::new();
    }
    static SETTINGS_MODULE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"DJANGO_SETTINGS_MODULE["']?\s*[,=:]\s*["']?([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)"#,
        )
        .expect("valid regex")
    });
    let pattern = &*SETTINGS_MODULE;
    let Some(dir) = entry_point.parent() else {
        return Vec::new();
    };
    let in_package = entry_point
        .file_name()
        .is_some_and(|n| n == "wsgi.py" || n == "asgi.py");
    let base = if in_package {
        dir.parent().unwrap_or(dir)
    } else {
        dir
    };
    let mut found = Vec::new();
    for capture in pattern.captures_iter(&text) {
        let parts: PathBuf = capture[1].split('.').collect();
        let module = base.join(&parts);
        for file in [module.with_extension("py"), module.join("__init__.py")] {
            if file.is_file() {
                found.push(Candidate {
                    path: file,
                    kind: Classification {
                        target: Target::Django,
                        confirm_by_content: false,
                    },
                });
            }
        }
    }
    found
}

/// Adds the files Compose files name in `env_file:` as `.env` files, whatever their name
/// (`config/web.conf`, `secrets.txt`), so the `.env` rules check what the containers get.
/// A name that already says what the file is keeps its kind (`.env.example` stays a
/// template); a guess awaiting confirmation by content (`*.conf`) gives way.
fn add_compose_env_files(found: &mut Vec<Candidate>, max_file_size: u64) {
    let composes: Vec<PathBuf> = found
        .iter()
        .filter(|c| c.kind.target == Target::Compose)
        .map(|c| c.path.clone())
        .collect();
    let mut named = Vec::new();
    for compose in composes {
        let Ok(metadata) = std::fs::metadata(&compose) else {
            continue;
        };
        // Too large to read, it is reported as such when read for checking.
        if metadata.len() > max_file_size {
            continue;
        }
        let Ok(bytes) = std::fs::read(&compose) else {
            continue;
        };
        let file = crate::formats::compose::ComposeFile::parse(&String::from_utf8_lossy(&bytes));
        let dir = compose.parent().unwrap_or(Path::new(""));
        for reference in file.services.iter().flat_map(|s| &s.env_files) {
            let Some(path) = &reference.path else {
                continue;
            };
            let path = lexically_normal(&dir.join(path));
            if !path.is_file() {
                continue;
            }
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            named.push(Candidate {
                kind: Classification {
                    target: classify_env(&name).unwrap_or(Target::Env),
                    confirm_by_content: false,
                },
                path,
            });
        }
    }
    found.retain(|c| !(c.kind.confirm_by_content && named.iter().any(|n| n.path == c.path)));
    found.extend(named);
}

/// `a/./b/../c` as `a/c`, without touching the file system, like Go's `filepath.Join`
/// (which Compose resolves relative `env_file` paths with) cleans it.
fn lexically_normal(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn walk_problem(err: &ignore::Error) -> Diagnostic {
    fn innermost(err: &ignore::Error) -> (&ignore::Error, Option<&Path>) {
        match err {
            ignore::Error::WithPath { path, err } => (innermost(err).0, Some(path)),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                innermost(err)
            }
            other => (other, None),
        }
    }
    let (inner, path) = innermost(err);
    let (kind, path) = match inner {
        ignore::Error::Loop { child, .. } => (DiagnosticKind::BrokenLink, Some(child.as_path())),
        ignore::Error::Io(io) if io.kind() == std::io::ErrorKind::NotFound => {
            (DiagnosticKind::BrokenLink, path)
        }
        _ => (DiagnosticKind::Unreadable, path),
    };
    Diagnostic {
        path: path.map(display_path).unwrap_or_default(),
        kind,
        message: match kind {
            DiagnosticKind::BrokenLink => format!("symbolic link loop or dangling link: {inner}"),
            _ => inner.to_string(),
        },
    }
}

/// The path as users see it: relative to the working directory when below it.
pub fn display_path(path: &Path) -> String {
    let cwd = working_directory();
    let absolute = match cwd {
        Some(cwd) if path.is_relative() => cwd.join(path),
        _ => path.to_path_buf(),
    };
    let shown = cwd
        .and_then(|cwd| absolute.strip_prefix(cwd).ok())
        .filter(|rel| !rel.as_os_str().is_empty())
        .unwrap_or(path);
    let text = shown.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_owned).unwrap_or(text)
}

/// The working directory, asked once: relative paths are resolved against it for every
/// file of a scan.
pub fn working_directory() -> Option<&'static Path> {
    static CWD: std::sync::LazyLock<Option<PathBuf>> =
        std::sync::LazyLock::new(|| std::env::current_dir().ok());
    CWD.as_deref()
}

/// Reads a candidate once: refuses files over the size limit and binary files, decodes the
/// rest (remembering where invalid UTF-8 starts).
pub fn read(candidate: &Candidate, max_file_size: u64) -> Result<SourceFile, Diagnostic> {
    let path = &candidate.path;
    let shown = display_path(path);
    let problem = |kind, message: String| Diagnostic {
        path: shown.clone(),
        kind,
        message,
    };
    let unreadable =
        |e: std::io::Error| problem(DiagnosticKind::Unreadable, format!("cannot read: {e}"));
    // Look before opening: opening a FIFO blocks until someone writes to it.
    let metadata = std::fs::metadata(path).map_err(unreadable)?;
    if !metadata.is_file() {
        return Err(problem(
            DiagnosticKind::Unreadable,
            "not a regular file (a FIFO, socket or device); skipped".into(),
        ));
    }
    let size = metadata.len();
    let file = std::fs::File::open(path).map_err(unreadable)?;
    if size > max_file_size {
        return Err(problem(
            DiagnosticKind::TooLarge,
            format!("{size} bytes, over the {max_file_size}-byte limit (`max_file_size` in preflight.toml)"),
        ));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(max_file_size + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > max_file_size {
        return Err(problem(
            DiagnosticKind::TooLarge,
            format!("over the {max_file_size}-byte limit"),
        ));
    }
    if is_binary(&bytes) {
        return Err(problem(DiagnosticKind::Binary, BINARY.into()));
    }
    Ok(SourceFile::from_bytes(path.clone(), shown, bytes))
}

/// Why a binary file is skipped, for its diagnostic.
pub const BINARY: &str = "contains NUL bytes: a binary file, not text; skipped";

/// Whether `bytes` are a binary file's: a NUL in the first 8 KiB, as git and ripgrep decide.
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(8192)].contains(&0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_env_files_by_name() {
        let cases = [
            (".env", Some(Target::Env)),
            (".env.production", Some(Target::Env)),
            (".env.local", Some(Target::Env)),
            ("db.env", Some(Target::Env)),
            ("prod.env", Some(Target::Env)),
            (".env.development", Some(Target::EnvDev)),
            (".env.test", Some(Target::EnvDev)),
            (".env.example", Some(Target::EnvExample)),
            (".env.production.sample", Some(Target::EnvExample)),
            ("env.py", None),
            (".envrc", None),
            (".env.vault", None),
            ("environment.ts", None),
            (".env.d.ts", None),
            ("docker.env.production", Some(Target::Env)),
            ("secrets.env.gpg", None),
            ("README.md", None),
            ("nginx.conf", Some(Target::Nginx)),
            ("site.conf", Some(Target::Nginx)),
            ("etc/nginx/proxy_params", Some(Target::Nginx)),
            ("etc/nginx/sites-available/default", Some(Target::Nginx)),
            ("app/nginx/Dockerfile", Some(Target::Dockerfile)),
            ("app/Dockerfile", Some(Target::Dockerfile)),
            ("etc/ssh/sshd_config", Some(Target::Sshd)),
            (
                "etc/ssh/sshd_config.d/50-cloud-init.conf",
                Some(Target::Sshd),
            ),
            ("etc/nginx/conf.d/site.conf", Some(Target::Nginx)),
            ("hardened.sshd_config", Some(Target::Sshd)),
            ("sshd-T.txt", Some(Target::Sshd)),
            ("sshd_effective.txt", Some(Target::Sshd)),
            ("shop/settings.py", Some(Target::Django)),
            ("shop/settings/production.py", Some(Target::Django)),
            ("shop/test_settings.py", Some(Target::Django)),
            ("shop/views.py", None),
            ("ssh_config", None),
            ("etc/fail2ban/jail.local", Some(Target::Fail2ban)),
            (
                "etc/fail2ban/jail.d/defaults-debian.conf",
                Some(Target::Fail2ban),
            ),
            ("etc/fail2ban/jail.d/sshd.local", Some(Target::Fail2ban)),
            ("etc/fail2ban/jail.d/nginx.conf", Some(Target::Fail2ban)),
            ("etc/logrotate.d/nginx.conf", Some(Target::Logrotate)),
            (
                "etc/postgresql/16/main/postgresql.conf",
                Some(Target::Postgres),
            ),
            ("etc/postgresql/16/main/pg_hba.conf", Some(Target::PgHba)),
            ("etc/redis/redis.conf", Some(Target::Redis)),
            ("redis-6379.conf", Some(Target::Redis)),
            ("etc/logrotate.d/nginx", Some(Target::Logrotate)),
            ("etc/logrotate.d/app.conf", Some(Target::Logrotate)),
            ("etc/logrotate.conf", Some(Target::Logrotate)),
            ("debian/app.logrotate", Some(Target::Logrotate)),
            ("etc/ufw/user.rules", Some(Target::Firewall)),
            ("etc/ufw/user6.rules", Some(Target::Firewall)),
            ("ufw-status-verbose.txt", Some(Target::Firewall)),
            ("etc/iptables/rules.v4", Some(Target::Firewall)),
            ("iptables-save.txt", Some(Target::Firewall)),
            ("host1-ufw.txt", Some(Target::Firewall)),
            ("notes.txt", None),
            ("deploy/app.service", Some(Target::Systemd)),
            ("deploy/backup.timer", Some(Target::Systemd)),
            (
                "etc/systemd/system/app.service.d/override.conf",
                Some(Target::Systemd),
            ),
            ("etc/crontab", Some(Target::Cron)),
            ("etc/cron.d/pg-backup", Some(Target::Cron)),
            ("etc/cron.d/README.md", None),
            ("deploy/app.crontab", Some(Target::Cron)),
            ("docker-compose.yml", Some(Target::Compose)),
            ("compose.prod.yaml", Some(Target::Compose)),
            ("etc/mysql/my.cnf", Some(Target::DatabaseConfig)),
            ("etc/mongod.conf", Some(Target::DatabaseConfig)),
            // Other YAML is a Kubernetes manifest only if its content says so.
            ("config.yml", Some(Target::Kubernetes)),
            ("composer.yml", Some(Target::Kubernetes)),
            ("docker-compose.override.yml", Some(Target::Compose)),
            ("Dockerfile", Some(Target::Dockerfile)),
            ("deploy/Dockerfile.prod", Some(Target::Dockerfile)),
            ("api.Dockerfile", Some(Target::Dockerfile)),
            ("web.dockerfile", Some(Target::Dockerfile)),
            ("Containerfile", Some(Target::Dockerfile)),
            ("Dockerfile.dockerignore", None),
            ("docs/Dockerfile.md", None),
            ("Dockerfile.j2", None),
            ("Containerfile.dev", Some(Target::Dockerfile)),
            ("backend/package.json", Some(Target::NodePackage)),
            ("ecosystem.config.js", Some(Target::Pm2)),
            ("ecosystem.production.config.cjs", Some(Target::Pm2)),
            ("backend/src/server.js", Some(Target::NodeApp)),
            ("main.ts", Some(Target::NodeApp)),
            ("src/config/session.ts", Some(Target::NodeApp)),
            ("src/app.spec.ts", None),
            ("src/types.d.ts", None),
            ("scripts/build.js", None),
            ("public/bundle.min.js", None),
        ];
        for (name, want) in cases {
            assert_eq!(classify(Path::new(name)).map(|c| c.target), want, "{name}");
        }
    }

    #[test]
    fn sshd_roles_follow_the_name() {
        assert_eq!(sshd_role(Path::new("etc/ssh/sshd_config")), SshdRole::Main);
        assert_eq!(
            sshd_role(Path::new("etc/ssh/sshd_config.d/50-cloud-init.conf")),
            SshdRole::DropIn
        );
        assert_eq!(sshd_role(Path::new("host/sshd-T.txt")), SshdRole::Dump);
    }

    #[test]
    fn exclude_patterns_match_names_anywhere_and_anchored_paths() {
        let set = exclude_set(&["fixtures".into(), "deploy/old/*.env".into()]).unwrap();
        assert!(set.is_match("fixtures/env/.env"));
        assert!(set.is_match("a/fixtures/x"));
        assert!(set.is_match("deploy/old/a.env"));
        assert!(!set.is_match("deploy/new/a.env"));
    }
}
