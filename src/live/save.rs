//! `--save-snapshot DIR`: a snapshot on disk, secrets redacted, that `preflight check --snapshot DIR`
//! re-checks offline with the same live findings at the same locations.
//!
//! Layout: every file at its host path under `DIR` (`DIR/etc/crontab`,
//! `DIR/srv/shop/.env`), command output under `DIR/.preflight/` (the snapshot's
//! [`OUTPUT_DIR`]), and `DIR/manifest.json` ([`Manifest`]): the host, when it was collected
//! (time-based rules judge against it, not against the time of the re-check), the
//! allowlist version, the location prefix reports used, each file's kind, and the
//! "unable to check" notes.
//!
//! Redaction: every secret a document names (`.env` values, Django `SECRET_KEY`, passwords
//! on command lines, private-key blocks, …, see [`crate::redact`]) is replaced by
//! `[redacted-Nchars]`; key names stay, so the file still reads as what it was.

use std::path::{Component, Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::document::Document;
use crate::formats::Target;
use crate::live::snapshot::{HostSnapshot, SnapshotFile, UnableToCheck, ALLOWLIST_VERSION};
use crate::redact;
use crate::source::SourceFile;

/// The name of the manifest in a saved snapshot.
pub const MANIFEST: &str = "manifest.json";

/// What `manifest.json` holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always `"preflight-host-snapshot"`: how `preflight check` recognises the folder.
    pub format: String,
    /// The host's label.
    pub host: String,
    /// When collection started, seconds since the Unix epoch.
    pub collected_at: i64,
    /// The allowlist version that collected it.
    pub allowlist_version: u32,
    /// What reports put before each host path (`ssh://prod-1`, or `""`).
    pub location_prefix: String,
    /// Each saved file: its path on the host and its kind.
    pub files: Vec<ManifestFile>,
    /// What could not be checked.
    pub unable_to_check: Vec<UnableToCheck>,
}

/// One saved file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    /// Its absolute path on the host (command output under `/.preflight/`).
    pub path: PathBuf,
    /// How it is read.
    pub kind: Target,
}

/// The `format` value of a manifest.
const FORMAT: &str = "preflight-host-snapshot";

/// Writes `snapshot` to `dir` (created if needed), secrets redacted.
pub fn save(snapshot: &HostSnapshot, location_prefix: &str, dir: &Path) -> Result<(), String> {
    let fail = |path: &Path, e: std::io::Error| format!("cannot write {}: {e}", path.display());
    std::fs::create_dir_all(dir).map_err(|e| fail(dir, e))?;
    let mut files = Vec::new();
    // Keys the secrets' identities for this snapshot only; not kept anywhere.
    let key = crate::live::script::nonce();
    for file in &snapshot.files {
        match write_under(dir, &file.path, &redacted(file, key.as_bytes())) {
            Ok(Some(_)) => {}
            Ok(None) => continue,
            Err(e) => return Err(fail(&dir.join(&file.path), e)),
        }
        files.push(ManifestFile {
            path: file.path.clone(),
            kind: file.target,
        });
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        host: snapshot.host.clone(),
        collected_at: snapshot.collected_at_secs(),
        allowlist_version: ALLOWLIST_VERSION,
        location_prefix: location_prefix.into(),
        files,
        unable_to_check: snapshot.unable.clone(),
    };
    let path = dir.join(MANIFEST);
    let json = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?;
    std::fs::write(&path, json + "\n").map_err(|e| fail(&path, e))
}

/// Whether `dir` is a saved snapshot (has a manifest of ours).
pub fn is_snapshot(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join(MANIFEST))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .is_some_and(|v| v.get("format").and_then(|f| f.as_str()) == Some(FORMAT))
}

/// The snapshots a folder named with `check --snapshot` holds: the folder itself when it
/// is one, else each of its subfolders that is one (a fleet saved by `audit host A B
/// --save-snapshot DIR`: one folder per host), sorted by name. Empty when it holds none.
pub fn snapshots_in(dir: &Path) -> Vec<PathBuf> {
    if is_snapshot(dir) {
        return vec![dir.to_path_buf()];
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        // A link could lead out of the folder the user named: only real folders count.
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_dir()))
        .map(|entry| entry.path())
        .filter(|path| is_snapshot(path))
        .collect();
    found.sort();
    found
}

/// Largest manifest read: a snapshot of every allowlisted file of a large host is well
/// under a megabyte.
const MAX_MANIFEST: u64 = 64 * 1024 * 1024;

/// Reads a saved snapshot back, with the location prefix it was audited with. A snapshot is
/// a folder anyone may have handed over: its files are read only inside it (no symbolic
/// link, no `..`), each bounded by `max_file_size` like a scanned file.
pub fn load(dir: &Path, max_file_size: u64) -> Result<(HostSnapshot, String), String> {
    let path = dir.join(MANIFEST);
    let bytes = read_inside(dir, Path::new(MANIFEST), MAX_MANIFEST)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let manifest: Manifest = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{} is not a valid snapshot manifest: {e}", path.display()))?;
    let mut files = Vec::new();
    let mut unable = manifest.unable_to_check;
    for entry in manifest.files {
        let Some(relative) = relative(&entry.path) else {
            continue;
        };
        match read_inside(dir, &relative, max_file_size) {
            Ok(bytes) => files.push(SnapshotFile {
                path: entry.path,
                target: entry.kind,
                bytes,
            }),
            Err(e) => unable.push(UnableToCheck {
                what: entry.path.display().to_string(),
                why: format!("not read from the saved snapshot: {e}"),
                hides: vec![entry.kind],
            }),
        }
    }
    let snapshot = HostSnapshot {
        host: manifest.host,
        collected_at: SystemTime::UNIX_EPOCH
            + Duration::from_secs(u64::try_from(manifest.collected_at).unwrap_or(0)),
        files,
        unable,
    };
    Ok((snapshot, manifest.location_prefix))
}

/// `relative` under `root`, refusing a symbolic link at any level, anything but a regular
/// file, and more than `limit` bytes (checked before allocating, and again while reading).
fn read_inside(root: &Path, relative: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut at = root.to_path_buf();
    for component in relative.components() {
        at.push(component);
        if std::fs::symlink_metadata(&at)?.file_type().is_symlink() {
            return Err(std::io::Error::other(
                "a symbolic link; a snapshot is read only inside its folder",
            ));
        }
    }
    let metadata = std::fs::metadata(&at)?;
    if !metadata.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    if metadata.len() > limit {
        return Err(std::io::Error::other(format!(
            "{} bytes, over the {limit}-byte limit",
            metadata.len()
        )));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    std::fs::File::open(&at)?
        .take(limit + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::other(format!(
            "over the {limit}-byte limit"
        )));
    }
    Ok(bytes)
}

/// A host path made relative, refusing `..` so a manifest cannot point outside the folder.
/// Writes `bytes` at `path` (a host path) under `root`, creating folders, and returns where;
/// `None` for a path that would leave `root` (`..`, which a hostile host could send).
pub(crate) fn write_under(
    root: &Path,
    path: &Path,
    bytes: &[u8],
) -> std::io::Result<Option<PathBuf>> {
    let Some(relative) = relative(path) else {
        return Ok(None);
    };
    // Folder by folder, refusing any symbolic link already in the output folder: a link
    // planted there (`etc -> /etc`) must not make the snapshot write outside it.
    let mut at = root.to_path_buf();
    let mut components = relative.components().peekable();
    while let Some(component) = components.next() {
        at.push(component);
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(std::io::Error::other(format!(
                    "{} is a symbolic link; a snapshot writes only inside its folder",
                    at.display()
                )));
            }
            Ok(_) => {}
            Err(_) if components.peek().is_some() => std::fs::create_dir(&at)?,
            Err(_) => {}
        }
    }
    std::fs::write(&at, bytes)?;
    Ok(Some(at))
}

fn relative(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::RootDir | Component::CurDir => {}
            Component::ParentDir | Component::Prefix(_) => return None,
        }
    }
    (!out.as_os_str().is_empty()).then_some(out)
}

/// The file's bytes with every secret its document names replaced by what the rules judge
/// it by ([`crate::secrets::redacted_placeholder`], identities keyed with `key`).
pub fn redacted(file: &SnapshotFile, key: &[u8]) -> Vec<u8> {
    if file.target == Target::Any {
        return file.bytes.clone();
    }
    let source = SourceFile::from_bytes(
        file.path.clone(),
        file.path.display().to_string(),
        file.bytes.clone(),
    );
    let document = Document::parse(source, file.target);
    let spans = redact::merged(document.sensitive().iter().map(|s| s.span));
    if spans.is_empty() {
        return file.bytes.clone();
    }
    let text = &document.source.text;
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in spans {
        let secret = text.get(span.range()).unwrap_or("");
        // A quoted literal keeps its quotes, so the file still parses as what it was.
        let quote = secret
            .chars()
            .next()
            .filter(|q| matches!(q, '"' | '\'') && secret.len() >= 2 && secret.ends_with(*q));
        let inner = quote.map_or(secret, |q| {
            &secret[q.len_utf8()..secret.len() - q.len_utf8()]
        });
        out.push_str(&text[at..span.start]);
        let hint = crate::secrets::redacted_placeholder(inner, key);
        match quote {
            Some(q) => out.extend([q.to_string(), hint, q.to_string()]),
            None => out.push_str(&hint),
        }
        at = span.end;
    }
    out.push_str(&text[at..]);
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` with each redaction cut to its length (`[redacted-20chars]`), after checking
    /// that every one reads back.
    fn lengths_only(text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(at) = rest.find("[redacted-") {
            out.push_str(&rest[..at]);
            let end = at + rest[at..].find(']').expect("closed") + 1;
            let marker = crate::secrets::Redacted::parse(&rest[at..end])
                .unwrap_or_else(|| panic!("unreadable {}", &rest[at..end]));
            assert!(marker.facts.is_some());
            out.push_str(&format!("[redacted-{}chars]", marker.chars));
            rest = &rest[end..];
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn secrets_are_replaced_by_length_hints_keeping_keys_and_quotes() {
        let env = SnapshotFile::text(
            "/srv/shop/.env",
            Target::Env,
            "DEBUG=false\nSECRET_KEY=\"Zx9Cv7Bn5Mm3Qw1Er4Ty\"\n",
        );
        let text = String::from_utf8(redacted(&env, b"test key")).unwrap();
        assert_eq!(
            lengths_only(&text),
            "DEBUG=false\nSECRET_KEY=\"[redacted-20chars]\"\n"
        );
        let settings = SnapshotFile::text(
            "/srv/shop/shop/settings.py",
            Target::Django,
            "DEBUG = False\nSECRET_KEY = 'k3J9xQ2mV8pL5nR7tW1yZ4bC6dF0gH'\n",
        );
        let text = String::from_utf8(redacted(&settings, b"test key")).unwrap();
        assert!(!text.contains("k3J9xQ2m"), "{text}");
        assert!(text.contains("SECRET_KEY = '[redacted-"), "{text}");
        let listing = SnapshotFile::text(
            "/.preflight/ss-tlnpH.txt",
            Target::Listeners,
            "LISTEN 0 1 0.0.0.0:22 0.0.0.0:*\n",
        );
        assert_eq!(redacted(&listing, b"test key"), listing.bytes);
    }

    #[test]
    fn secrets_in_jail_files_and_logrotate_scripts_are_redacted() {
        let jail = SnapshotFile::text(
            "/etc/fail2ban/jail.local",
            Target::Fail2ban,
            "[DEFAULT]\nbantime = 1h\nabuseipdb_apikey = 9f3b2c7d1e8a4f6b0c5d2e9a7b3c1f8e\n\n[sshd]\nenabled = true\naction = cloudflare[cfuser=\"ops@example.org\", cftoken=\"Zq8Wm3Kp7Rt2Lx9Vn4Bc\"]\n\n[nginx-http-auth]\naction = %(action_)s\n         cloudflare[cftoken='Yh5Tg8Nm2Qw7Er4Ui1Op']\n",
        );
        let text = lengths_only(&String::from_utf8(redacted(&jail, b"test key")).unwrap());
        for secret in ["9f3b2c7d", "Zq8Wm3Kp", "Yh5Tg8Nm"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(
            text.contains("cloudflare[cfuser=\"ops@example.org\", cftoken=\"[redacted-20chars]\"]"),
            "{text}"
        );
        assert!(text.contains("bantime = 1h\nabuseipdb_apikey = [redacted-32chars]\n"));

        let snippet = "/var/log/mysql/*.log {\n    daily\n    create 640 mysql adm\n    postrotate\n        mysqladmin -uroot -pS3cretPw77 flush-logs\n    endscript\n}\n";
        let logrotate =
            SnapshotFile::text("/etc/logrotate.d/mysql-server", Target::Logrotate, snippet);
        let text = String::from_utf8(redacted(&logrotate, b"test key")).unwrap();
        assert_eq!(
            lengths_only(&text),
            snippet.replace("-pS3cretPw77", "-p[redacted-10chars]"),
            "only the password in the script"
        );
    }

    #[test]
    fn a_saved_snapshot_loads_back_with_its_time_prefix_and_notes() {
        let dir = tempfile::tempdir().unwrap();
        let snapshot = HostSnapshot {
            host: "prod-1".into(),
            collected_at: SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000),
            files: vec![SnapshotFile::text(
                "/etc/crontab",
                Target::Cron,
                "0 3 * * * root /usr/local/bin/backup\n",
            )],
            unable: vec![UnableToCheck {
                what: "nft list ruleset".into(),
                why: "not installed (command not found)".into(),
                hides: Vec::new(),
            }],
        };
        save(&snapshot, "ssh://prod-1", dir.path()).unwrap();
        assert!(is_snapshot(dir.path()));
        assert!(dir.path().join("etc/crontab").is_file());
        let (loaded, prefix) = load(dir.path(), LIMIT).unwrap();
        assert_eq!(prefix, "ssh://prod-1");
        assert_eq!(loaded.host, "prod-1");
        assert_eq!(loaded.collected_at, snapshot.collected_at);
        assert_eq!(loaded.files, snapshot.files);
        assert_eq!(loaded.unable, snapshot.unable);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_inside_the_output_folder_is_not_followed() {
        let outside = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("etc")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("motd"), dir.path().join("motd")).unwrap();
        assert!(write_under(dir.path(), Path::new("/etc/nginx/nginx.conf"), b"x").is_err());
        assert!(write_under(dir.path(), Path::new("/motd"), b"x").is_err());
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
        let written = write_under(dir.path(), Path::new("/srv/app/.env"), b"A=1\n").unwrap();
        assert_eq!(std::fs::read(written.unwrap()).unwrap(), b"A=1\n");
    }

    #[test]
    fn a_manifest_cannot_point_outside_its_folder() {
        assert_eq!(relative(Path::new("/etc/../../x")), None);
        assert_eq!(relative(Path::new("/")), None);
        assert_eq!(
            relative(Path::new("/etc/crontab")),
            Some(PathBuf::from("etc/crontab"))
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(MANIFEST),
            r#"{"format":"preflight-host-snapshot","host":"h","collected_at":0,"allowlist_version":1,"location_prefix":"","files":[{"path":"/../../etc/passwd","kind":"env"}],"unable_to_check":[]}"#,
        )
        .unwrap();
        let (loaded, _) = load(dir.path(), LIMIT).unwrap();
        assert!(loaded.files.is_empty());
        std::fs::write(
            dir.path().join(MANIFEST),
            r#"{"format":"preflight-host-snapshot"}"#,
        )
        .unwrap();
        assert!(load(dir.path(), LIMIT)
            .unwrap_err()
            .contains("not a valid snapshot manifest"));
    }

    const LIMIT: u64 = crate::config::DEFAULT_MAX_FILE_SIZE;

    /// A snapshot handed over by someone else: a link inside it (to a file or a folder
    /// outside), a FIFO and an oversized file are not read, and each says why.
    #[cfg(unix)]
    #[test]
    fn a_snapshot_is_read_only_inside_its_folder_and_within_the_size_limit() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "JWT_SECRET=qzoutsideqz\n").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let files = [
            "/app/.env",
            "/linked/.env",
            "/etc/fifo.env",
            "/big.env",
            "/ok.env",
        ];
        let entries: Vec<String> = files
            .iter()
            .map(|f| format!(r#"{{"path":"{f}","kind":"env"}}"#))
            .collect();
        std::fs::write(
            dir.path().join(MANIFEST),
            format!(
                r#"{{"format":"preflight-host-snapshot","host":"h","collected_at":0,"allowlist_version":1,"location_prefix":"","files":[{}],"unable_to_check":[]}}"#,
                entries.join(",")
            ),
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("app")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), dir.path().join("app/.env"))
            .unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("linked")).unwrap();
        std::fs::write(outside.path().join(".env"), "A=qzoutsideqz\n").unwrap();
        std::fs::create_dir_all(dir.path().join("etc")).unwrap();
        let fifo = std::process::Command::new("mkfifo")
            .arg(dir.path().join("etc/fifo.env"))
            .status();
        assert!(fifo.is_ok_and(|s| s.success()));
        std::fs::File::create(dir.path().join("big.env"))
            .unwrap()
            .set_len(LIMIT + 1)
            .unwrap();
        std::fs::write(dir.path().join("ok.env"), "A=1\n").unwrap();
        let (loaded, _) = load(dir.path(), LIMIT).unwrap();
        let read: Vec<String> = loaded
            .files
            .iter()
            .map(|f| f.path.display().to_string())
            .collect();
        assert_eq!(read, ["/ok.env"]);
        let why: Vec<(&str, &str)> = loaded
            .unable
            .iter()
            .map(|u| (u.what.as_str(), u.why.as_str()))
            .collect();
        for (what, says) in [
            ("/app/.env", "symbolic link"),
            ("/linked/.env", "symbolic link"),
            ("/etc/fifo.env", "not a regular file"),
            ("/big.env", "over the"),
        ] {
            assert!(
                why.iter().any(|(w, m)| *w == what && m.contains(says)),
                "{what}: {why:?}"
            );
        }
    }
}
