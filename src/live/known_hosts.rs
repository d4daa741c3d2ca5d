//! Host-key verification against an OpenSSH `known_hosts` file. An audit must talk to the
//! real host: a key nobody has seen is refused unless the user says to trust it on first
//! use, and a changed key is always refused, with both fingerprints shown as `ssh` shows
//! them so the user can compare them with the host's console.
//!
//! Understood: plain and `[host]:port` names, comma-separated lists, `*`/`?`/`!` patterns,
//! hashed names (`|1|salt|hmac-sha1`, written by `HashKnownHosts yes`), and the markers
//! `@revoked` (the key is refused wherever it is presented) and `@cert-authority` (such a
//! line vouches only for host *certificates*; preflight asks for plain host keys, so these
//! lines neither trust nor contradict a plain key).

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use data_encoding::BASE64;
use hmac::{Hmac, KeyInit, Mac};
use russh::keys::{HashAlg, PublicKey};
use sha1::Sha1;

use super::ssh_config::wildcard_match;

/// A line's marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    /// `@revoked`.
    Revoked,
    /// `@cert-authority`.
    CertAuthority,
}

/// One usable line of the file.
#[derive(Debug, Clone)]
struct Entry {
    line: usize,
    marker: Option<Marker>,
    hosts: String,
    key: PublicKey,
    text: String,
}

/// A known key line, as shown when a key changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownLine {
    /// The file.
    pub path: PathBuf,
    /// 1-based line number.
    pub line: usize,
    /// The recorded key's fingerprint (`SHA256:…`).
    pub fingerprint: String,
    /// The recorded key's algorithm (`ssh-ed25519`).
    pub algorithm: String,
    /// The line itself (keys are public: nothing to hide).
    pub text: String,
}

/// What the file says about the key a server presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A line for this host names this key.
    Trusted,
    /// No line names this host.
    Unknown,
    /// The host is known with other keys: possibly an attack, always refused.
    Changed(Vec<KnownLine>),
    /// An `@revoked` line names this key.
    Revoked(KnownLine),
}

/// A parsed `known_hosts` file.
#[derive(Debug, Clone)]
pub struct KnownHosts {
    path: PathBuf,
    entries: Vec<Entry>,
}

impl KnownHosts {
    /// Reads `path`; a missing file knows no host.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        Ok(Self::parse(path, &text))
    }

    /// Parses file text. Lines that are not `[marker] hosts key-type base64 [comment]`
    /// with a decodable key are skipped, as `ssh` skips them.
    pub fn parse(path: &Path, text: &str) -> Self {
        let entries = text
            .lines()
            .enumerate()
            .filter_map(|(index, line)| parse_line(index + 1, line))
            .collect();
        Self {
            path: path.to_path_buf(),
            entries,
        }
    }

    /// The file this was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The algorithms of the keys recorded for `host`:`port`, so the client can ask the
    /// server for a key it can verify (as `ssh` orders `HostKeyAlgorithms`).
    pub fn known_algorithms(&self, host: &str, port: u16) -> Vec<russh::keys::Algorithm> {
        let name = lookup_name(host, port);
        self.entries
            .iter()
            .filter(|e| e.marker.is_none() && hosts_match(&e.hosts, &name))
            .map(|e| e.key.algorithm())
            .collect()
    }

    /// Judges the key `key` presented by `host`:`port`.
    pub fn verify(&self, host: &str, port: u16, key: &PublicKey) -> Verdict {
        let name = lookup_name(host, port);
        let mut others = Vec::new();
        for entry in &self.entries {
            let same_key = entry.key.key_data() == key.key_data();
            match entry.marker {
                Some(Marker::Revoked) if same_key => return Verdict::Revoked(self.known(entry)),
                Some(_) => {}
                None if hosts_match(&entry.hosts, &name) => {
                    if same_key {
                        return Verdict::Trusted;
                    }
                    others.push(self.known(entry));
                }
                None => {}
            }
        }
        if others.is_empty() {
            Verdict::Unknown
        } else {
            Verdict::Changed(others)
        }
    }

    fn known(&self, entry: &Entry) -> KnownLine {
        KnownLine {
            path: self.path.clone(),
            line: entry.line,
            fingerprint: fingerprint(&entry.key),
            algorithm: entry.key.algorithm().to_string(),
            text: entry.text.clone(),
        }
    }

    /// Appends a line trusting `key` for `host`:`port` (plain, not hashed, like `ssh`
    /// with its upstream defaults), creating the file and its directory if needed.
    pub fn append(&mut self, host: &str, port: u16, key: &PublicKey) -> Result<(), String> {
        let name = lookup_name(host, port);
        let key_text = key
            .to_openssh()
            .map_err(|e| format!("cannot encode the host key: {e}"))?;
        // The key without its comment: `algorithm base64`.
        let key_text = key_text.split(' ').take(2).collect::<Vec<_>>().join(" ");
        let line = format!("{name} {key_text}");
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(|e| format!("cannot open {}: {e}", self.path.display()))?;
        // One write of a whole line: concurrent appends (a fleet) never interleave.
        file.write_all(format!("{line}\n").as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", self.path.display()))?;
        if let Some(entry) = parse_line(self.entries.len() + 1, &line) {
            self.entries.push(entry);
        }
        Ok(())
    }
}

/// A key's fingerprint as `ssh` prints it: `SHA256:` and unpadded base64.
pub fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// The name `ssh` looks up: `host`, or `[host]:port` off port 22.
fn lookup_name(host: &str, port: u16) -> String {
    if port == 22 {
        host.to_owned()
    } else {
        format!("[{host}]:{port}")
    }
}

fn parse_line(line: usize, text: &str) -> Option<Entry> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return None;
    }
    let mut fields = trimmed.split_whitespace();
    let mut first = fields.next()?;
    let marker = match first {
        "@revoked" => Some(Marker::Revoked),
        "@cert-authority" => Some(Marker::CertAuthority),
        other if other.starts_with('@') => return None,
        _ => None,
    };
    if marker.is_some() {
        first = fields.next()?;
    }
    let algorithm = fields.next()?;
    let base64 = fields.next()?;
    let key = PublicKey::from_openssh(&format!("{algorithm} {base64}")).ok()?;
    Some(Entry {
        line,
        marker,
        hosts: first.to_owned(),
        key,
        text: trimmed.to_owned(),
    })
}

/// Whether a comma-separated host list names `name`.
fn hosts_match(list: &str, name: &str) -> bool {
    let mut matched = false;
    for pattern in list.split(',') {
        if let Some(hashed) = pattern.strip_prefix("|1|") {
            matched |= hashed_match(hashed, name);
        } else if let Some(negated) = pattern.strip_prefix('!') {
            if wildcard_match(negated, name) {
                return false;
            }
        } else {
            matched |= wildcard_match(pattern, name);
        }
    }
    matched
}

/// `salt|hash`: HMAC-SHA1 of the name keyed by the salt, both base64.
fn hashed_match(hashed: &str, name: &str) -> bool {
    let Some((salt, hash)) = hashed.split_once('|') else {
        return false;
    };
    let (Ok(salt), Ok(hash)) = (
        BASE64.decode(salt.as_bytes()),
        BASE64.decode(hash.as_bytes()),
    ) else {
        return false;
    };
    let Ok(mac) = Hmac::<Sha1>::new_from_slice(&salt) else {
        return false;
    };
    mac.chain_update(name.as_bytes())
        .verify_slice(&hash)
        .is_ok()
}

impl fmt::Display for KnownLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} ({}:{}: {})",
            self.algorithm,
            self.fingerprint,
            self.path.display(),
            self.line,
            self.text
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED_A: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBXxNS25xMovzUdDLDK/g30B8QmPzdB/LO6KUMNxF4cx";
    const ED_B: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDMtD2nGtVEesQuuZAfZtdMCcXd8LalfqA5pwkPxBaNG";

    fn key(text: &str) -> PublicKey {
        PublicKey::from_openssh(text).unwrap()
    }

    fn hosts(text: &str) -> KnownHosts {
        KnownHosts::parse(Path::new("known_hosts"), text)
    }

    #[test]
    fn plain_and_bracketed_entries() {
        let file = hosts(&format!("prod-1,10.0.0.5 {ED_A}\n[prod-2]:2222 {ED_A}\n"));
        assert_eq!(file.verify("10.0.0.5", 22, &key(ED_A)), Verdict::Trusted);
        assert_eq!(file.verify("prod-2", 2222, &key(ED_A)), Verdict::Trusted);
        assert_eq!(file.verify("prod-2", 22, &key(ED_A)), Verdict::Unknown);
        assert_eq!(file.verify("prod-1", 2222, &key(ED_A)), Verdict::Unknown);
    }

    #[test]
    fn a_changed_key_names_the_known_line_and_fingerprint() {
        let file = hosts(&format!("# comment\nprod-1 {ED_A} old\n"));
        let Verdict::Changed(known) = file.verify("prod-1", 22, &key(ED_B)) else {
            panic!("expected a changed key");
        };
        assert_eq!(known.len(), 1);
        assert_eq!(known[0].line, 2);
        assert_eq!(known[0].fingerprint, fingerprint(&key(ED_A)));
        assert!(known[0].fingerprint.starts_with("SHA256:"));
        assert!(!known[0].fingerprint.ends_with('='));
    }

    #[test]
    fn hashed_entries_match_their_host_only() {
        // Written by `ssh-keygen -H` for "[127.0.0.1]:2222".
        let salt = [7u8; 20];
        let mac = Hmac::<Sha1>::new_from_slice(&salt)
            .unwrap()
            .chain_update(b"[127.0.0.1]:2222")
            .finalize()
            .into_bytes();
        let line = format!(
            "|1|{}|{} {ED_A}\n",
            BASE64.encode(&salt),
            BASE64.encode(&mac)
        );
        let file = hosts(&line);
        assert_eq!(file.verify("127.0.0.1", 2222, &key(ED_A)), Verdict::Trusted);
        assert_eq!(file.verify("127.0.0.2", 2222, &key(ED_A)), Verdict::Unknown);
    }

    #[test]
    fn markers_revoke_or_stay_out_of_the_way() {
        let file = hosts(&format!(
            "@revoked * {ED_B}\n@cert-authority *.example.com {ED_A}\n"
        ));
        assert!(matches!(
            file.verify("a.example.com", 22, &key(ED_B)),
            Verdict::Revoked(line) if line.line == 1
        ));
        assert_eq!(
            file.verify("a.example.com", 22, &key(ED_A)),
            Verdict::Unknown
        );
    }

    #[test]
    fn patterns_and_negation() {
        let file = hosts(&format!("*.example.com,!bad.example.com {ED_A}\n"));
        assert_eq!(
            file.verify("a.example.com", 22, &key(ED_A)),
            Verdict::Trusted
        );
        assert_eq!(
            file.verify("bad.example.com", 22, &key(ED_A)),
            Verdict::Unknown
        );
    }

    #[test]
    fn appended_keys_are_trusted_on_the_next_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/known_hosts");
        let mut file = KnownHosts::load(&path).unwrap();
        file.append("127.0.0.1", 2200, &key(ED_A)).unwrap();
        assert_eq!(file.verify("127.0.0.1", 2200, &key(ED_A)), Verdict::Trusted);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, format!("[127.0.0.1]:2200 {ED_A}\n"));
        let again = KnownHosts::load(&path).unwrap();
        assert_eq!(
            again.verify("127.0.0.1", 2200, &key(ED_A)),
            Verdict::Trusted
        );
    }

    #[test]
    fn garbage_lines_are_skipped() {
        let file = hosts(&format!(
            "nonsense\n@weird x {ED_A}\nhost ssh-ed25519 !!!\nok {ED_A}\n"
        ));
        assert_eq!(file.entries.len(), 1);
        assert_eq!(file.verify("x", 22, &key(ED_A)), Verdict::Unknown);
    }
}
