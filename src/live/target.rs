//! From what the user typed (`prod-1`, `deploy@10.0.0.5:2222`, `[2001:db8::1]:22`) to
//! where and as whom preflight connects. Precedence, most specific first: the command
//! line, the `[hosts.NAME]` inventory of `preflight.toml`, `~/.ssh/config`, the defaults
//! (port 22, the local user name), so an alias that works with `ssh` works here too.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::config::HostEntry;

use super::ssh_config::{expand_path, SshConfig};

/// A target as typed: `[ssh://][user@]host[:port]`, IPv6 in brackets when a port follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetSpec {
    /// `user@`, when given.
    pub user: Option<String>,
    /// The host name, alias or address (brackets removed).
    pub host: String,
    /// `:port`, when given.
    pub port: Option<u16>,
}

impl TargetSpec {
    /// Parses a target; the error says what form is expected.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = |why: &str| {
            format!(
                "bad target `{text}`: {why} (expected [user@]host[:port] or [user@][ipv6]:port)"
            )
        };
        let rest = text.strip_prefix("ssh://").unwrap_or(text);
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let (user, rest) = match rest.rsplit_once('@') {
            Some(("", _)) => return Err(bad("empty user")),
            Some((user, rest)) => (Some(user.to_owned()), rest),
            None => (None, rest),
        };
        let parse_port = |port: &str| {
            port.parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| bad("the port must be a number from 1 to 65535"))
        };
        let (host, port) = if let Some(inner) = rest.strip_prefix('[') {
            let (host, after) = inner.split_once(']').ok_or_else(|| bad("missing `]`"))?;
            match after {
                "" => (host, None),
                _ => match after.strip_prefix(':') {
                    Some(port) => (host, Some(parse_port(port)?)),
                    None => return Err(bad("unexpected text after `]`")),
                },
            }
        } else if rest.matches(':').count() > 1 {
            (rest, None) // a bare IPv6 address
        } else {
            match rest.split_once(':') {
                Some((host, port)) => (host, Some(parse_port(port)?)),
                None => (rest, None),
            }
        };
        if host.is_empty() || host.contains(char::is_whitespace) || host.starts_with('-') {
            return Err(bad("missing or malformed host"));
        }
        Ok(Self {
            user,
            host: host.to_owned(),
            port,
        })
    }

    /// The name reports use: the host as typed plus an explicit port, never the user
    /// (`prod-1`, `10.0.0.5:2222`, `[::1]:2222`).
    pub fn label(&self) -> String {
        match self.port {
            None => self.host.clone(),
            Some(port) if self.host.contains(':') => format!("[{}]:{port}", self.host),
            Some(port) => format!("{}:{port}", self.host),
        }
    }
}

/// Everything needed to connect to one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedTarget {
    /// The name reports use (see [`TargetSpec::label`]).
    pub label: String,
    /// The address connected to (`HostName` or inventory `address`), also the name looked
    /// up in `known_hosts`.
    pub host: String,
    /// The port.
    pub port: u16,
    /// The login user.
    pub user: String,
    /// `IdentityFile`s from the configuration, expanded; empty means the defaults.
    pub identity_files: Vec<PathBuf>,
    /// Offer only `identity_files`, not every key of the agent.
    pub identities_only: bool,
    /// `ProxyJump` hosts, comma-separated, each itself a target.
    pub proxy_jump: Option<String>,
    /// `UserKnownHostsFile` from the configuration, expanded.
    pub known_hosts_file: Option<PathBuf>,
    /// The inventory entry, when the name is in `[hosts]`.
    pub inventory: Option<HostEntry>,
}

/// Resolves one typed target.
pub fn resolve(
    text: &str,
    inventory: &BTreeMap<String, HostEntry>,
    ssh_config: &SshConfig,
) -> Result<ResolvedTarget, String> {
    let spec = TargetSpec::parse(text)?;
    let entry = inventory.get(&spec.host);
    let settings = ssh_config.resolve(&spec.host);
    let host = entry
        .and_then(|e| e.address.clone())
        .or(settings.host_name)
        .unwrap_or_else(|| spec.host.clone());
    let user = spec
        .user
        .clone()
        .or_else(|| entry.and_then(|e| e.user.clone()))
        .or(settings.user)
        .unwrap_or_else(local_user);
    let port = spec
        .port
        .or(entry.and_then(|e| e.port))
        .or(settings.port)
        .unwrap_or(22);
    Ok(ResolvedTarget {
        label: spec.label(),
        identity_files: settings
            .identity_files
            .iter()
            .map(|file| expand_path(file, &host, &user))
            .collect(),
        identities_only: settings.identities_only,
        proxy_jump: settings.proxy_jump,
        known_hosts_file: settings
            .user_known_hosts_file
            .map(|file| expand_path(&file, &host, &user)),
        inventory: entry.cloned(),
        host,
        port,
        user,
    })
}

/// The inventory names in `group`, sorted; an error when there are none, so a typo in a
/// group name does not pass as an empty, clean fleet.
pub fn group_members(
    inventory: &BTreeMap<String, HostEntry>,
    group: &str,
) -> Result<Vec<String>, String> {
    let members: Vec<String> = inventory
        .iter()
        .filter(|(_, entry)| entry.groups.iter().any(|g| g == group))
        .map(|(name, _)| name.clone())
        .collect();
    if members.is_empty() {
        let mut known: Vec<&str> = inventory
            .values()
            .flat_map(|e| e.groups.iter().map(String::as_str))
            .collect();
        known.sort_unstable();
        known.dedup();
        return Err(format!(
            "no inventory host is in group `{group}` (groups in preflight.toml: {})",
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        ));
    }
    Ok(members)
}

/// The local user name, `ssh`'s default login.
fn local_user() -> String {
    std::env::var("USER")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "root".to_owned())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn spec(text: &str) -> TargetSpec {
        TargetSpec::parse(text).unwrap()
    }

    #[test]
    fn target_forms() {
        assert_eq!(
            spec("deploy@10.0.0.5:2222"),
            TargetSpec {
                user: Some("deploy".into()),
                host: "10.0.0.5".into(),
                port: Some(2222)
            }
        );
        assert_eq!(spec("[2001:db8::1]:22").host, "2001:db8::1");
        assert_eq!(spec("[2001:db8::1]:22").label(), "[2001:db8::1]:22");
        assert_eq!(spec("2001:db8::1").port, None);
        assert_eq!(spec("ssh://root@prod-1/").user.as_deref(), Some("root"));
        assert_eq!(spec("prod-1").label(), "prod-1");
        assert_eq!(spec("a@b@host").user.as_deref(), Some("a@b"));
        for bad in [
            "host:0",
            "host:x",
            "[::1",
            "[::1]x",
            "@host",
            "",
            "-oProxyCommand=x",
        ] {
            assert!(TargetSpec::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn command_line_beats_inventory_beats_ssh_config() {
        let config = SshConfig::parse(
            "Host prod-1\n  HostName from-config\n  User cfg\n  Port 2200\n  IdentityFile /k/%r@%h\n",
            Path::new("."),
        )
        .unwrap();
        let mut inventory = BTreeMap::new();
        inventory.insert(
            "prod-1".to_owned(),
            HostEntry {
                address: Some("10.0.0.5".into()),
                user: Some("inv".into()),
                ..HostEntry::default()
            },
        );
        let target = resolve("prod-1", &inventory, &config).unwrap();
        assert_eq!(
            (target.host.as_str(), target.user.as_str(), target.port),
            ("10.0.0.5", "inv", 2200)
        );
        assert_eq!(
            target.identity_files,
            vec![PathBuf::from("/k/inv@10.0.0.5")]
        );
        assert!(target.inventory.is_some());
        let explicit = resolve("root@prod-1:22", &inventory, &config).unwrap();
        assert_eq!((explicit.user.as_str(), explicit.port), ("root", 22));
        assert_eq!(explicit.label, "prod-1:22");
        let plain = resolve("other", &BTreeMap::new(), &config).unwrap();
        assert_eq!((plain.host.as_str(), plain.port), ("other", 22));
    }

    #[test]
    fn groups_select_inventory_hosts() {
        let inventory: BTreeMap<String, HostEntry> = toml::from_str(
            "[web-2]\ngroups = [\"web\"]\n[web-1]\ngroups = [\"web\", \"eu\"]\n[db]\ngroups = [\"db\"]\n",
        )
        .unwrap();
        assert_eq!(
            group_members(&inventory, "web").unwrap(),
            ["web-1", "web-2"]
        );
        let err = group_members(&inventory, "wbe").unwrap_err();
        assert!(err.contains("db, eu, web"), "{err}");
    }
}
