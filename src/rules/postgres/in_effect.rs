//! The settings each PostgreSQL server ends up with, as the server reads them: its
//! `postgresql.conf` with the files it includes, read where it includes them, then
//! `postgresql.auto.conf` (`ALTER SYSTEM`), the last value of a name winning. Shared by the
//! rules that judge a server's settings (PG001) and what they mean for its `pg_hba.conf`
//! (PG002), so that both read one server the same way.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::formats::postgres::{PgConf, PgSetting};
use crate::rules::Parsed;
use crate::source::SourceFile;

/// The servers of a scan, and the files no scanned server reads.
pub struct Servers<'a> {
    /// Each main `postgresql.conf` with the settings in effect for its server.
    pub servers: Vec<(Parsed<'a, PgConf>, InEffect<'a>)>,
    /// A drop-in or `postgresql.auto.conf` scanned without the `postgresql.conf` that
    /// reads it, read alone and marked `unread` (what the rest of its server sets is
    /// unknown).
    pub alone: Vec<(Parsed<'a, PgConf>, InEffect<'a>)>,
}

impl<'a> Servers<'a> {
    /// Reads every server of `docs`, grouped by folder once so that includes are look-ups.
    pub fn read(docs: &[Parsed<'a, PgConf>]) -> Self {
        let mut by_folder: HashMap<&'a Path, Vec<Parsed<'a, PgConf>>> = HashMap::new();
        for doc in docs {
            by_folder
                .entry(doc.source().path.parent().unwrap_or(Path::new("")))
                .or_default()
                .push(*doc);
        }
        for files in by_folder.values_mut() {
            files.sort_by(|a, b| a.source().path.cmp(&b.source().path));
        }
        let mut servers = Vec::new();
        let mut read_by_a_server: HashSet<&Path> = HashSet::new();
        for main in docs.iter().filter(|d| is_main(&d.source().path)) {
            let mut server = InEffect::default();
            server.read(*main, &by_folder, 0);
            if let Some(auto) = auto_conf(main, &server, &by_folder) {
                server.read(auto, &by_folder, 0);
            }
            read_by_a_server.extend(
                server
                    .files
                    .iter()
                    .skip(1)
                    .map(|f| f.source().path.as_path()),
            );
            servers.push((*main, server));
        }
        let alone = docs
            .iter()
            .filter(|d| {
                !is_main(&d.source().path) && !read_by_a_server.contains(d.source().path.as_path())
            })
            .map(|alone| {
                let mut server = InEffect {
                    unread: true,
                    ..InEffect::default()
                };
                server.read(*alone, &HashMap::new(), MAX_INCLUDE_DEPTH);
                (*alone, server)
            })
            .collect();
        Self { servers, alone }
    }
}

/// Where a path a file of `from` names (already joined to `from`) may be in the scan: the
/// path itself, and for an absolute one the same path under each of `from`'s ancestors (a
/// host snapshot holds `/etc/postgresql/16/main` under its own folder, a fleet one snapshot
/// per host).
pub fn candidates<'p>(path: &'p Path, from: &'p Path) -> impl Iterator<Item = PathBuf> + 'p {
    let relative = path.strip_prefix("/").ok();
    std::iter::once(path.to_path_buf()).chain(
        relative
            .into_iter()
            .flat_map(move |relative| from.ancestors().map(move |root| root.join(relative))),
    )
}

/// How deep includes are followed (PostgreSQL stops at 10).
const MAX_INCLUDE_DEPTH: usize = 10;

/// The settings a server ends up with: each name's last value, the files read in order, and
/// whether a file it reads was not scanned (what it sets is unknown).
#[derive(Default)]
pub struct InEffect<'a> {
    last: HashMap<&'a str, (&'a Arc<SourceFile>, &'a PgSetting)>,
    /// The files read, the main one first.
    pub files: Vec<Parsed<'a, PgConf>>,
    /// A file it reads was not scanned: a setting it leaves out may be set there.
    pub unread: bool,
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

    /// The value in effect of `name`, and the file that sets it.
    pub fn get(&self, name: &str) -> Option<(&'a Arc<SourceFile>, &'a PgSetting)> {
        self.last.get(name).copied()
    }
}

/// The scanned files of `dir`, named in a file of `from` (see [`candidates`]).
fn folder_of<'m, 'a>(
    by_folder: &'m HashMap<&'a Path, Vec<Parsed<'a, PgConf>>>,
    from: &Path,
    dir: &Path,
) -> Option<&'m Vec<Parsed<'a, PgConf>>> {
    candidates(dir, from).find_map(|dir| by_folder.get(dir.as_path()))
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
