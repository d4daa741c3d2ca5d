//! Differential test against the real OpenSSH server (Debian's openssh-server, installed by
//! `.ci/run`): for every configuration in `fixtures/sshd-differential/` and
//! `fixtures/sshd/*.sshd_config`, the values preflight computes as in effect — globally and
//! for a few connections evaluated against the `Match` blocks — equal what `sshd -T` prints,
//! for every security keyword the rules read.
//!
//! The other direction: every file in `fixtures/sshd-refused/` is refused by sshd and has a
//! parse error (PF001) or an unknown keyword (SSH018) in preflight, and no accepted
//! configuration has either.
//!
//! Each configuration is copied to `<tmp>/preflight/etc/ssh/` with the folders next to it
//! (drop-ins). sshd resolves `Include` against the real `/etc/ssh`, so its copy, in
//! `<tmp>/sshd/etc/ssh/`, has its `Include` paths rewritten to that folder: the same mapping
//! preflight applies to a scanned tree, so the test checks that mapping too.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::root;
use std::sync::Arc;

use preflight::discover::DiskFiles;
use preflight::document::Document;
use preflight::formats::sshd::effective::Connection;
use preflight::formats::sshd::is_known_keyword;
use preflight::formats::ParseContext;
use preflight::formats::Target;
use preflight::source::SourceFile;

/// The keywords the rules read (single-valued ones; `sshd -T` prints each once).
const KEYWORDS: &[&str] = &[
    "permitrootlogin",
    "passwordauthentication",
    "kbdinteractiveauthentication",
    "pubkeyauthentication",
    "permitemptypasswords",
    "x11forwarding",
    "maxauthtries",
    "logingracetime",
    "allowtcpforwarding",
    "allowagentforwarding",
    "clientaliveinterval",
    "clientalivecountmax",
    "gatewayports",
    "hostbasedauthentication",
    "ignorerhosts",
    "permituserenvironment",
    "permittunnel",
    "strictmodes",
    "maxsessions",
    "usepam",
    "ciphers",
    "macs",
    "kexalgorithms",
    "hostkeyalgorithms",
];

/// Connections the `Match` blocks of the fixtures are written for (no such users exist on
/// a CI machine except root, so `Match Group` never matches, as preflight assumes).
const CONNECTIONS: &[&str] = &[
    "user=bob,host=bastion.example.org,addr=10.1.2.3",
    "user=carol,host=laptop.example.net,addr=10.9.0.7",
    "user=root,host=admin.example.org,addr=192.168.1.5",
    "user=alice,host=client.example.net,addr=203.0.113.9",
];

fn sshd() -> Option<PathBuf> {
    ["/usr/sbin/sshd", "/usr/bin/sshd"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// A configuration to compare: its main file and the folders to copy next to it.
struct Case {
    name: String,
    main: PathBuf,
    folders: Vec<PathBuf>,
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let differential = root().join("fixtures/sshd-differential");
    for entry in std::fs::read_dir(&differential).expect("fixtures") {
        let dir = entry.expect("entry").path();
        if dir.is_dir() {
            cases.push(Case {
                name: dir
                    .file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned(),
                main: dir.join("sshd_config"),
                folders: subfolders(&dir),
            });
        }
    }
    let fixtures = root().join("fixtures/sshd");
    for entry in std::fs::read_dir(&fixtures).expect("fixtures") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "sshd_config") {
            cases.push(Case {
                name: path
                    .file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned(),
                main: path,
                folders: subfolders(&fixtures),
            });
        }
    }
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

fn subfolders(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .expect("readable")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect()
}

/// `Include` arguments as sshd must see them to read the files preflight reads.
fn rewrite_includes(text: &str, ssh_dir: &Path) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        let mut words = trimmed.split_whitespace();
        if words
            .next()
            .is_some_and(|w| w.eq_ignore_ascii_case("include"))
        {
            let args: Vec<String> = words
                .map(|arg| match arg.strip_prefix("/etc/ssh/") {
                    Some(rest) => ssh_dir.join(rest).display().to_string(),
                    None if arg.starts_with('/') => arg.to_owned(),
                    None => ssh_dir.join(arg).display().to_string(),
                })
                .collect();
            out.push_str(&format!("Include {}\n", args.join(" ")));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Copies `from` into `to`, rewriting includes when `ssh_dir` is given.
fn copy_tree(from: &Path, to: &Path, ssh_dir: Option<&Path>) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("readable") {
        let path = entry.expect("entry").path();
        let target = to.join(path.file_name().expect("name"));
        if path.is_dir() {
            copy_tree(&path, &target, ssh_dir);
        } else {
            copy_file(&path, &target, ssh_dir);
        }
    }
}

fn copy_file(from: &Path, to: &Path, ssh_dir: Option<&Path>) {
    let text = std::fs::read_to_string(from).expect("utf-8 fixture");
    let text = match ssh_dir {
        Some(dir) => rewrite_includes(&text, dir),
        None => text,
    };
    std::fs::write(to, text).expect("write");
}

/// Lays out a case for preflight and for sshd; returns both main files.
fn lay_out(case: &Case, tmp: &Path) -> (PathBuf, PathBuf) {
    let mut mains = Vec::new();
    for (side, rewrite) in [("preflight", false), ("sshd", true)] {
        let ssh_dir = tmp.join(side).join("etc/ssh");
        std::fs::create_dir_all(&ssh_dir).expect("mkdir");
        let rewrite = rewrite.then_some(ssh_dir.as_path());
        for folder in &case.folders {
            copy_tree(
                folder,
                &ssh_dir.join(folder.file_name().expect("name")),
                rewrite,
            );
        }
        let main = ssh_dir.join("sshd_config");
        copy_file(&case.main, &main, rewrite);
        mains.push(main);
    }
    (mains[0].clone(), mains[1].clone())
}

/// `sshd -T` output as keyword → first value, with sshd 9.2's old spelling of
/// `prohibit-password` folded into the one preflight uses.
fn sshd_effective(
    sshd: &Path,
    config: &Path,
    host_key: &Path,
    spec: Option<&str>,
) -> Vec<(String, String)> {
    let stdout = sshd_test(sshd, config, host_key, spec).unwrap_or_else(|stderr| {
        panic!("sshd -T refused {} ({spec:?}): {stderr}", config.display())
    });
    let mut values: Vec<(String, String)> = Vec::new();
    for line in stdout.lines() {
        let Some((keyword, value)) = line.split_once(' ') else {
            continue;
        };
        if values.iter().any(|(k, _)| k == keyword) {
            continue;
        }
        let value = match (keyword, value) {
            ("permitrootlogin", "without-password") => "prohibit-password",
            _ => value,
        };
        values.push((keyword.to_owned(), value.to_owned()));
    }
    values
}

fn connection(spec: &str) -> Connection {
    let mut connection = Connection::default();
    for pair in spec.split(',') {
        let (key, value) = pair.split_once('=').expect("key=value");
        let value = Some(value.to_owned());
        match key {
            "user" => connection.user = value,
            "host" => connection.host = value,
            "addr" => connection.addr = value,
            "laddr" => connection.laddr = value,
            "lport" => connection.lport = value,
            "rdomain" => connection.rdomain = value,
            other => panic!("unknown connection field {other}"),
        }
    }
    connection
}

/// Runs `sshd -T` on `config`; `Err(stderr)` when sshd refuses it.
fn sshd_test(
    sshd: &Path,
    config: &Path,
    host_key: &Path,
    spec: Option<&str>,
) -> Result<String, String> {
    let mut command = Command::new(sshd);
    command
        .arg("-T")
        .arg("-f")
        .arg(config)
        .arg("-h")
        .arg(host_key);
    if let Some(spec) = spec {
        command.arg("-C").arg(spec);
    }
    let output = command.output().expect("sshd runs");
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// The sshd binary, a scratch host key (in the returned folder) and the privilege
/// separation directory (the build found them, or the tests using them are ignored).
fn sshd_ready() -> (PathBuf, tempfile::TempDir, PathBuf) {
    let sshd = sshd().expect("sshd was installed when the tests were built: reinstall it");
    assert!(
        crate::common::sshd_privsep_dir_ready(),
        "/run/sshd is missing and cannot be created (not root)"
    );
    let keys = tempfile::tempdir().expect("tempdir");
    let host_key = keys.path().join("host_ed25519");
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", ""])
        .arg("-f")
        .arg(&host_key)
        .status()
        .expect("ssh-keygen runs");
    assert!(status.success(), "ssh-keygen failed");
    (sshd, keys, host_key)
}

/// Parses an sshd file the way a scan of `root` does: its `Include`s read from disk.
fn parse_on_disk(source: SourceFile, root: &Path) -> Document {
    let files = DiskFiles::new(&[root.to_path_buf()], 4 * 1024 * 1024);
    let context = ParseContext {
        target: Target::Sshd,
        judged_at: None,
        files: &files,
    };
    Document::parse_with(Arc::new(source), &context)
}

#[test]
#[cfg_attr(
    not(test_tool = "sshd"),
    ignore = "needs sshd, ssh-keygen and /run/sshd (apt-get install openssh-server; as root)"
)]
fn preflight_and_sshd_agree_on_effective_values() {
    let (sshd, _keys, host_key) = sshd_ready();
    let cases = cases();
    assert!(cases.len() >= 7, "differential fixtures missing");
    let mut disagreements = Vec::new();
    let mut compared = 0;
    for case in &cases {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (ours, theirs) = lay_out(case, tmp.path());
        let bytes = std::fs::read(&ours).expect("readable");
        let source = SourceFile::from_bytes(ours.clone(), case.name.clone(), bytes);
        let doc = parse_on_disk(source, tmp.path());
        let config = doc.as_sshd().expect("an sshd document");
        // sshd accepted every keyword of the configuration and printed its own.
        let unknown: Vec<&str> = config
            .files
            .iter()
            .flat_map(|f| &f.file.lines)
            .map(|l| l.keyword.as_str())
            .filter(|k| !is_known_keyword(k))
            .collect();
        if !unknown.is_empty() {
            disagreements.push(format!(
                "{}: sshd accepts {unknown:?}, preflight does not know them",
                case.name
            ));
        }
        if !doc.parse_errors().is_empty() {
            disagreements.push(format!(
                "{}: sshd accepts it, preflight reports {:?}",
                case.name,
                doc.parse_errors()
            ));
        }
        let runs = std::iter::once(None).chain(CONNECTIONS.iter().map(|c| Some(*c)));
        for spec in runs {
            let expected = sshd_effective(&sshd, &theirs, &host_key, spec);
            for (keyword, _) in expected.iter().filter(|(k, _)| !is_known_keyword(k)) {
                disagreements.push(format!(
                    "sshd -T prints `{keyword}`, preflight does not know it"
                ));
            }
            for keyword in KEYWORDS {
                let want = expected
                    .iter()
                    .find(|(k, _)| k == keyword)
                    .map(|(_, v)| v.as_str());
                let got = match spec {
                    None => config.effective(keyword),
                    Some(spec) => config.effective_for(keyword, &connection(spec)),
                };
                let got = got.map(|s| s.value);
                compared += 1;
                if want != got.as_deref() {
                    disagreements.push(format!(
                        "{} [{}] {keyword}: sshd says {want:?}, preflight says {got:?}",
                        case.name,
                        spec.unwrap_or("global")
                    ));
                }
            }
        }
    }
    eprintln!(
        "{} configurations, {} connections each, {compared} values compared",
        cases.len(),
        CONNECTIONS.len() + 1
    );
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

#[test]
#[cfg_attr(
    not(test_tool = "sshd"),
    ignore = "needs sshd, ssh-keygen and /run/sshd (apt-get install openssh-server; as root)"
)]
fn sshd_refuses_exactly_what_preflight_reports_as_broken() {
    let (sshd, _keys, host_key) = sshd_ready();
    let dir = root().join("fixtures/sshd-refused");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sshd_config"))
        .collect();
    files.sort();
    assert!(files.len() >= 8, "refused fixtures missing");
    let mut disagreements = Vec::new();
    for file in &files {
        let refused = sshd_test(&sshd, file, &host_key, None).err();
        let bytes = std::fs::read(file).expect("readable");
        let source = SourceFile::from_bytes(file.clone(), file.display().to_string(), bytes);
        let doc = parse_on_disk(source, file.parent().expect("a folder"));
        let config = doc.as_sshd().expect("an sshd document");
        let unknown_keyword = config.files[0]
            .file
            .lines
            .iter()
            .any(|l| !is_known_keyword(&l.keyword));
        match (refused, doc.parse_errors().is_empty() && !unknown_keyword) {
            (Some(_), false) => {}
            (None, _) => disagreements.push(format!("{}: sshd accepts it", file.display())),
            (Some(why), true) => disagreements.push(format!(
                "{}: sshd refuses it ({}), preflight reports nothing",
                file.display(),
                why.trim()
            )),
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
