//! PG001–PG002: a server reachable from the network without TLS, or by everyone.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use crate::formats::postgres::{PgConf, PgHba, PgSetting};
use crate::message::Quote;
use crate::msg;
use crate::rules::postgres::{is_whole_internet, listens_on_network, listens_publicly, written};
use crate::rules::{Parsed, ProjectContext};
use crate::source::SourceFile;

/// PG001: `ssl` off (PostgreSQL's default) while `listen_addresses` goes beyond localhost,
/// judged on the settings in effect for each server: its `postgresql.conf` with the files
/// it includes, read where it includes them, then `postgresql.auto.conf` (`ALTER SYSTEM`),
/// the last value of a name winning, as PostgreSQL reads them. A drop-in or `auto.conf`
/// scanned without the `postgresql.conf` that reads it is judged alone, and only where it
/// decides by itself.
pub fn ssl_off(cx: &mut ProjectContext<'_, PgConf>) {
    let docs = cx.docs;
    let mut by_folder: HashMap<&Path, Vec<Parsed<'_, PgConf>>> = HashMap::new();
    for doc in docs {
        by_folder
            .entry(doc.source().path.parent().unwrap_or(Path::new("")))
            .or_default()
            .push(*doc);
    }
    for files in by_folder.values_mut() {
        files.sort_by(|a, b| a.source().path.cmp(&b.source().path));
    }
    let mut read_by_a_server: HashSet<&Path> = HashSet::new();
    for main in docs.iter().filter(|d| is_main(&d.source().path)) {
        let mut server = InEffect::default();
        server.read(*main, &by_folder, 0);
        if let Some(auto) = auto_conf(main, &server, &by_folder) {
            server.read(auto, &by_folder, 0);
        }
        judge(cx, &server, main.source());
        // The files it read after its own.
        for file in server.files.iter().skip(1) {
            read_by_a_server.insert(&file.source().path);
            cx.not_applicable_in(
                file.source(),
                "judged with the postgresql.conf that reads it",
            );
        }
    }
    for alone in docs.iter().filter(|d| {
        !is_main(&d.source().path) && !read_by_a_server.contains(d.source().path.as_path())
    }) {
        let mut server = InEffect {
            unread: true,
            ..InEffect::default()
        };
        server.read(*alone, &HashMap::new(), MAX_INCLUDE_DEPTH);
        judge(cx, &server, alone.source());
    }
}

/// How deep includes are followed (PostgreSQL stops at 10).
const MAX_INCLUDE_DEPTH: usize = 10;

/// The settings a server ends up with: each name's last value, the files read in order, and
/// whether a file it reads was not scanned (what it sets is unknown).
#[derive(Default)]
struct InEffect<'a> {
    last: HashMap<&'a str, (&'a Arc<SourceFile>, &'a PgSetting)>,
    files: Vec<Parsed<'a, PgConf>>,
    unread: bool,
}

impl<'a> InEffect<'a> {
    /// Applies `doc`'s settings in order, reading each included file where it is included.
    fn read(
        &mut self,
        doc: Parsed<'a, PgConf>,
        by_folder: &HashMap<&'a Path, Vec<Parsed<'a, PgConf>>>,
        depth: usize,
    ) {
        let path = doc.source().path.as_path();
        if self.files.iter().any(|f| f.source().path == path) {
            return;
        }
        self.files.push(doc);
        let folder = path.parent().unwrap_or(Path::new(""));
        for setting in &doc.content.settings {
            let included = match setting.name.as_str() {
                "include" | "include_if_exists" => {
                    let target = folder.join(&setting.value);
                    let file = target.parent().and_then(|dir| {
                        folder_of(by_folder, folder, dir)?
                            .iter()
                            .find(|d| d.source().path.file_name() == target.file_name())
                    });
                    file.map(|f| vec![*f])
                }
                // Every `*.conf` of the folder, in file-name order.
                "include_dir" => {
                    folder_of(by_folder, folder, &folder.join(&setting.value)).map(|files| {
                        files
                            .iter()
                            .filter(|f| f.source().path.extension().is_some_and(|e| e == "conf"))
                            .copied()
                            .collect()
                    })
                }
                name => {
                    self.last.insert(name, (doc.source(), setting));
                    continue;
                }
            };
            match included {
                Some(files) if depth < MAX_INCLUDE_DEPTH => {
                    for file in files {
                        self.read(file, by_folder, depth + 1);
                    }
                }
                _ => self.unread = true,
            }
        }
    }

    fn get(&self, name: &str) -> Option<(&'a Arc<SourceFile>, &'a PgSetting)> {
        self.last.get(name).copied()
    }
}

/// The scanned files of `dir`, named in a file of `from`: the folder itself, or for an
/// absolute path that folder under one of `from`'s ancestors (a host snapshot holds
/// `/etc/postgresql/16/main` under its own folder, a fleet one snapshot per host).
fn folder_of<'m, 'a>(
    by_folder: &'m HashMap<&'a Path, Vec<Parsed<'a, PgConf>>>,
    from: &Path,
    dir: &Path,
) -> Option<&'m Vec<Parsed<'a, PgConf>>> {
    if let Some(files) = by_folder.get(dir) {
        return Some(files);
    }
    let relative = dir.strip_prefix("/").ok()?;
    from.ancestors()
        .find_map(|root| by_folder.get(root.join(relative).as_path()))
}

/// Whether the file is a server's main configuration (`postgresql.conf`,
/// `prod.postgresql.conf`), not a drop-in or `postgresql.auto.conf`.
fn is_main(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.ends_with("postgresql.conf")
        && path.parent().and_then(Path::file_name) != Some("conf.d".as_ref())
}

/// The `postgresql.auto.conf` PostgreSQL reads after `main`: in its `data_directory`, beside
/// it (RHEL keeps both in the data folder), or in Debian's data folder for
/// `/etc/postgresql/VERSION/CLUSTER/` (`/var/lib/postgresql/VERSION/CLUSTER/`).
fn auto_conf<'a>(
    main: &Parsed<'a, PgConf>,
    server: &InEffect<'a>,
    by_folder: &HashMap<&'a Path, Vec<Parsed<'a, PgConf>>>,
) -> Option<Parsed<'a, PgConf>> {
    let folder = main.source().path.parent()?;
    let mut candidates = Vec::new();
    if let Some((_, data)) = server.get("data_directory") {
        candidates.push(folder.join(&data.value));
    }
    candidates.push(folder.to_path_buf());
    let parts: Vec<_> = folder.components().collect();
    if let [prefix @ .., etc, postgresql, version, cluster] = parts.as_slice() {
        if etc.as_os_str() == "etc" && postgresql.as_os_str() == "postgresql" {
            let mut debian: std::path::PathBuf = prefix.iter().collect();
            debian.extend(["var", "lib", "postgresql"]);
            debian.push(version);
            debian.push(cluster);
            candidates.push(debian);
        }
    }
    candidates.iter().find_map(|dir| {
        folder_of(by_folder, folder, dir)?
            .iter()
            .find(|d| d.source().path.file_name() == Some("postgresql.auto.conf".as_ref()))
            .copied()
    })
}

/// Reports the server whose settings are `server` when it listens beyond localhost without
/// TLS; `main` is where a finding about an absent setting lands.
fn judge(cx: &mut ProjectContext<'_, PgConf>, server: &InEffect<'_>, main: &Arc<SourceFile>) {
    let Some((listen_file, listen)) = server.get("listen_addresses") else {
        if server.unread {
            cx.not_evaluated_in(main, "`listen_addresses` may be set in a file this one includes, or that includes it, which was not scanned");
        }
        // PostgreSQL's default listens on localhost only.
        return;
    };
    if !listens_on_network(&listen.value) {
        return;
    }
    let listen_at = msg!(
        " (`listen_addresses = '{}'`)",
        Quote::derived(listen.value_span, listen.value.as_str())
    );
    match server.get("ssl") {
        Some((ssl_file, ssl)) if is_off(&ssl.value) => {
            let finding = cx.report_in(ssl_file, ssl.value_span, "ssl",
                msg!("`ssl = {}` while the server listens on the network{}: passwords (md5 included) and data cross the network in clear; set `ssl = on` with `ssl_cert_file`/`ssl_key_file`, and use `hostssl` records in pg_hba.conf", Quote::derived(ssl.value_span, ssl.value.as_str()), listen_at));
            if !Arc::ptr_eq(ssl_file, listen_file) {
                finding.related_in(listen_file, listen.value_span, "the server listens here");
            }
        }
        Some(_) => {}
        None if server.unread => cx.not_evaluated_in(
            main,
            "`ssl` may be set in a file this one includes, or that includes it, which was not scanned",
        ),
        None => {
            cx.report_in(listen_file, listen.value_span, "ssl",
                msg!("`ssl` is not set (PostgreSQL's default is off) while the server listens on the network{}: set `ssl = on` with a certificate, and use `hostssl` records in pg_hba.conf", listen_at));
        }
    }
}

/// What comes before the standard name: `""` for `pg_hba.conf`, `prod` for
/// `prod.pg_hba.conf`, so `prod.pg_hba.conf` pairs with `prod.postgresql.conf`.
fn label(path: &Path, standard: &str) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.strip_suffix(standard)
        .unwrap_or(&name)
        .trim_end_matches('.')
        .to_owned()
}

/// PostgreSQL's spellings of a false boolean.
fn is_off(value: &str) -> bool {
    matches!(
        value.to_ascii_lowercase().as_str(),
        "off" | "false" | "no" | "0" | "of" | "f" | "n"
    )
}

/// PG002: `pg_hba.conf` admits `0.0.0.0/0`/`::/0`/`all` while the server in the same
/// directory listens beyond localhost (or no `postgresql.conf` was scanned beside it).
pub fn open_to_internet(cx: &mut ProjectContext<'_, PgHba>) {
    // Each folder's `postgresql.conf` files by label (the first scanned wins), so pairing
    // costs a look-up per pg_hba.conf, not a walk over every configuration.
    let mut confs: HashMap<(&Path, String), (&Arc<SourceFile>, &PgConf)> = HashMap::new();
    for conf in cx.of_kind::<PgConf>() {
        if let Some(dir) = conf.source().path.parent() {
            let label = label(&conf.source().path, "postgresql.conf");
            confs
                .entry((dir, label))
                .or_insert((conf.source(), conf.content));
        }
    }
    for file in cx.docs {
        let hba = file.content;
        let label = label(&file.source().path, "pg_hba.conf");
        let sibling = file
            .source()
            .path
            .parent()
            .and_then(|dir| confs.get(&(dir, label)));
        let listening = match sibling {
            Some((_, conf)) => listens_publicly(conf),
            None => Some(true),
        };
        if listening == Some(false) {
            continue;
        }
        for record in hba
            .records
            .iter()
            .filter(|r| r.is_host() && is_whole_internet(r))
        {
            if record.method.value == "reject" {
                continue;
            }
            let address = record.address.as_ref().map_or("", |a| a.value.as_str());
            let why = match sibling {
                Some(_) => "and the server listens beyond localhost",
                None => "(no postgresql.conf was scanned beside it; the official container image listens on every address)",
            };
            let finding = cx.report_in(file.source(), record.address.as_ref().map_or(record.span, |a| a.span),
                format!("{}:{address}", record.kind.value),
                msg!("{} lets every address on the internet try to log in {}; list the application's networks (`10.0.0.0/8`, the app server's `/32`) instead", written(record), why));
            if let Some((source, conf)) = sibling {
                if let Some(listen) = conf.get("listen_addresses") {
                    finding.related_in(source, listen.value_span, "the server listens here");
                }
            }
        }
    }
}
