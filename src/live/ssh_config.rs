//! The OpenSSH client configuration (`~/.ssh/config`), read the way `ssh` reads it, so
//! `preflight audit host prod-1` reaches the same machine as `ssh prod-1`.
//!
//! Supported: `Host` patterns (`*`, `?`, `!negation`, several per line), the first value
//! of a keyword wins (except `IdentityFile`, which accumulates), `Include` (with `*`/`?` in
//! the file name), and the keywords `HostName`, `User`, `Port`, `IdentityFile`,
//! `IdentitiesOnly`, `ProxyJump`, `UserKnownHostsFile`. `Match` blocks are skipped (their
//! criteria need a shell and the local environment); every other keyword is ignored, as
//! it does not change where or as whom preflight connects.

use std::path::{Path, PathBuf};

/// One `Keyword value…` line, with the `Host` block it belongs to.
#[derive(Debug, Clone)]
struct Directive {
    /// The keyword, lower-cased.
    keyword: String,
    /// The arguments, quotes removed.
    args: Vec<String>,
    /// The patterns of the enclosing `Host` line; `None` for a skipped `Match` block.
    hosts: Option<Vec<String>>,
}

/// A parsed client configuration: the directives of the file and of its includes, in
/// order.
#[derive(Debug, Clone, Default)]
pub struct SshConfig {
    directives: Vec<Directive>,
}

/// What the configuration says about one host alias.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostSettings {
    /// `HostName`, with `%h` expanded.
    pub host_name: Option<String>,
    /// `User`.
    pub user: Option<String>,
    /// `Port`.
    pub port: Option<u16>,
    /// Every `IdentityFile`, in order, unexpanded (see [`expand_path`]).
    pub identity_files: Vec<String>,
    /// `IdentitiesOnly yes`: offer only the identity files, not every agent key.
    pub identities_only: bool,
    /// `ProxyJump`, unless `none`.
    pub proxy_jump: Option<String>,
    /// The first `UserKnownHostsFile`, unexpanded.
    pub user_known_hosts_file: Option<String>,
}

impl SshConfig {
    /// Reads `path`; a missing file is an empty configuration (as for `ssh`).
    pub fn load(path: &Path) -> Result<Self, String> {
        let mut config = Self::default();
        let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        config.read_file(path, &base, None, 0)?;
        Ok(config)
    }

    /// Parses configuration text; `Include` paths are resolved against `base`.
    pub fn parse(text: &str, base: &Path) -> Result<Self, String> {
        let mut config = Self::default();
        config.parse_into(text, "<text>", base, None, 0)?;
        Ok(config)
    }

    fn read_file(
        &mut self,
        path: &Path,
        base: &Path,
        hosts: Option<Vec<String>>,
        depth: usize,
    ) -> Result<(), String> {
        match std::fs::read_to_string(path) {
            Ok(text) => self.parse_into(&text, &path.display().to_string(), base, hosts, depth),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    fn parse_into(
        &mut self,
        text: &str,
        origin: &str,
        base: &Path,
        mut hosts: Option<Vec<String>>,
        depth: usize,
    ) -> Result<(), String> {
        if depth > 16 {
            return Err(format!("{origin}: Include nested too deeply"));
        }
        // Lines before the first Host apply to every host.
        if hosts.is_none() && depth == 0 {
            hosts = Some(vec!["*".to_owned()]);
        }
        for (index, line) in text.lines().enumerate() {
            let Some((keyword, args)) =
                split_line(line).map_err(|e| format!("{origin}:{}: {e}", index + 1))?
            else {
                continue;
            };
            match keyword.as_str() {
                "host" => hosts = Some(args),
                "match" => {
                    hosts = (args.len() == 1 && args[0].eq_ignore_ascii_case("all"))
                        .then(|| vec!["*".to_owned()]);
                }
                "include" => {
                    for pattern in &args {
                        for file in include_files(pattern, base) {
                            self.read_file(&file, base, hosts.clone(), depth + 1)?;
                        }
                    }
                }
                _ => self.directives.push(Directive {
                    keyword,
                    args,
                    hosts: hosts.clone(),
                }),
            }
        }
        Ok(())
    }

    /// The settings for `alias` (the name typed on the command line).
    pub fn resolve(&self, alias: &str) -> HostSettings {
        let mut settings = HostSettings::default();
        let mut seen = std::collections::HashSet::new();
        for directive in &self.directives {
            let Some(patterns) = &directive.hosts else {
                continue;
            };
            if !host_matches(patterns, alias) {
                continue;
            }
            let Some(first) = directive.args.first() else {
                continue;
            };
            if directive.keyword == "identityfile" {
                settings.identity_files.push(first.clone());
                continue;
            }
            if !seen.insert(directive.keyword.clone()) {
                continue; // the first value wins
            }
            match directive.keyword.as_str() {
                "hostname" => settings.host_name = Some(first.replace("%h", alias)),
                "user" => settings.user = Some(first.clone()),
                "port" => settings.port = first.parse().ok(),
                "identitiesonly" => settings.identities_only = first.eq_ignore_ascii_case("yes"),
                "proxyjump" => {
                    settings.proxy_jump = (!first.eq_ignore_ascii_case("none")).then(|| {
                        // Several jumps are comma-separated; all the arguments form one list.
                        directive.args.join(",")
                    });
                }
                "userknownhostsfile" => settings.user_known_hosts_file = Some(first.clone()),
                _ => {}
            }
        }
        settings
    }
}

/// Splits `Keyword value…` or `Keyword=value…`; `None` for blank lines and comments.
fn split_line(line: &str) -> Result<Option<(String, Vec<String>)>, String> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let end = line
        .find(|c: char| c.is_whitespace() || c == '=')
        .unwrap_or(line.len());
    let keyword = line[..end].to_ascii_lowercase();
    let mut rest = line[end..].trim_start();
    if let Some(after) = rest.strip_prefix('=') {
        rest = after.trim_start();
    }
    let mut args = Vec::new();
    let mut chars = rest.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if c == '#' {
            break;
        }
        let mut arg = String::new();
        if c == '"' {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') => break,
                    Some(c) => arg.push(c),
                    None => return Err("unterminated quote".to_owned()),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                arg.push(c);
                chars.next();
            }
        }
        args.push(arg);
    }
    Ok(Some((keyword, args)))
}

/// The files an `Include` names: relative paths are under `base` (`~/.ssh`), and `*`/`?`
/// in the file name match like the shell, in sorted order.
fn include_files(pattern: &str, base: &Path) -> Vec<PathBuf> {
    let expanded = PathBuf::from(expand_tilde(pattern));
    let path = if expanded.is_absolute() {
        expanded
    } else {
        base.join(expanded)
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !name.contains(['*', '?']) {
        return vec![path];
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| wildcard_match(&name, &entry.file_name().to_string_lossy()))
        .map(|entry| entry.path())
        .collect();
    files.sort();
    files
}

/// Whether a list of `Host` patterns selects `host`: one positive pattern matches and no
/// negated (`!`) one does.
pub fn host_matches(patterns: &[String], host: &str) -> bool {
    let mut matched = false;
    for pattern in patterns.iter().flat_map(|p| p.split(',')) {
        if let Some(negated) = pattern.strip_prefix('!') {
            if wildcard_match(negated, host) {
                return false;
            }
        } else if wildcard_match(pattern, host) {
            matched = true;
        }
    }
    matched
}

/// OpenSSH's pattern match: `*` any run of characters, `?` one character, ASCII case
/// ignored (host names are case-insensitive).
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let text: Vec<char> = text.to_ascii_lowercase().chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                backtrack = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match backtrack {
                Some((star, from)) => {
                    p = star + 1;
                    t = from + 1;
                    backtrack = Some((star, from + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// The user's home directory (`$HOME`).
pub fn home_dir() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/"))
}

fn expand_tilde(path: &str) -> String {
    match path.strip_prefix("~/") {
        Some(rest) => home_dir().join(rest).display().to_string(),
        None if path == "~" => home_dir().display().to_string(),
        None => path.to_owned(),
    }
}

/// Expands `~` and the tokens `%h` (host name), `%r` (remote user), `%u` (local user),
/// `%d` (home directory) and `%%` in an `IdentityFile` or `UserKnownHostsFile` value.
pub fn expand_path(value: &str, host: &str, remote_user: &str) -> PathBuf {
    let local_user = std::env::var("USER").unwrap_or_default();
    let mut out = String::new();
    let mut chars = expand_tilde(value).chars().collect::<Vec<_>>().into_iter();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('h') => out.push_str(host),
            Some('r') => out.push_str(remote_user),
            Some('u') => out.push_str(&local_user),
            Some('d') => out.push_str(&home_dir().display().to_string()),
            Some('%') => out.push('%'),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    PathBuf::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> SshConfig {
        SshConfig::parse(text, Path::new("/nonexistent")).unwrap()
    }

    #[test]
    fn first_value_wins_and_patterns_select_blocks() {
        let config = config(
            "Host prod-*\n  User deploy\n  Port 2222\n\nHost prod-1 !prod-10\n  HostName 10.0.0.5\n  User other\n\nHost *\n  User fallback\n  IdentityFile ~/.ssh/id_%h\n",
        );
        let prod1 = config.resolve("prod-1");
        assert_eq!(prod1.host_name.as_deref(), Some("10.0.0.5"));
        assert_eq!(prod1.user.as_deref(), Some("deploy"));
        assert_eq!(prod1.port, Some(2222));
        assert_eq!(prod1.identity_files, vec!["~/.ssh/id_%h"]);
        let prod10 = config.resolve("prod-10");
        assert_eq!(prod10.host_name, None);
        let web = config.resolve("web");
        assert_eq!(web.user.as_deref(), Some("fallback"));
        assert_eq!(web.port, None);
    }

    #[test]
    fn equals_signs_quotes_comments_and_case_are_accepted() {
        let config = config(
            "# global\nhost=\"db one\" db?\n  HOSTNAME = db.internal # trailing\n  IdentityFile \"/keys/my key\"\n  ProxyJump bastion\nMatch exec \"true\"\n  User never\n",
        );
        let db = config.resolve("db1");
        assert_eq!(db.host_name.as_deref(), Some("db.internal"));
        assert_eq!(db.identity_files, vec!["/keys/my key"]);
        assert_eq!(db.proxy_jump.as_deref(), Some("bastion"));
        assert_eq!(db.user, None, "Match blocks are skipped");
        assert_eq!(
            config.resolve("db one").host_name.as_deref(),
            Some("db.internal")
        );
    }

    #[test]
    fn wildcards_match_like_openssh() {
        assert!(wildcard_match("*.example.com", "a.b.EXAMPLE.com"));
        assert!(wildcard_match("web-?", "web-1"));
        assert!(!wildcard_match("web-?", "web-10"));
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("a*b*c", "axxbyyc"));
        assert!(!wildcard_match("a*b*c", "axxbyy"));
        assert!(host_matches(&["*".into(), "!bastion".into()], "web"));
        assert!(!host_matches(&["*".into(), "!bastion".into()], "bastion"));
    }

    #[test]
    fn includes_are_read_in_place() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("conf.d")).unwrap();
        std::fs::write(dir.path().join("conf.d/a.conf"), "Host a\n  Port 1\n").unwrap();
        std::fs::write(dir.path().join("conf.d/b.conf"), "Host b\n  Port 2\n").unwrap();
        let main = dir.path().join("config");
        std::fs::write(&main, "Include conf.d/*.conf\nHost *\n  Port 3\n").unwrap();
        let config = SshConfig::load(&main).unwrap();
        assert_eq!(config.resolve("a").port, Some(1));
        assert_eq!(config.resolve("b").port, Some(2));
        assert_eq!(config.resolve("c").port, Some(3));
    }

    #[test]
    fn tokens_expand_in_paths() {
        let path = expand_path("/keys/%r@%h-%%", "10.0.0.5", "deploy");
        assert_eq!(path, PathBuf::from("/keys/deploy@10.0.0.5-%"));
    }

    #[test]
    fn unterminated_quotes_are_located_errors() {
        let err = SshConfig::parse("Host a\n  User \"x\n", Path::new(".")).unwrap_err();
        assert!(err.contains(":2:"), "{err}");
    }
}
