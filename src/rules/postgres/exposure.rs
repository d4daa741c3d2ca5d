//! PG001–PG002: a server reachable from the network without TLS, or by everyone.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::formats::postgres::{PgConf, PgHba};
use crate::message::Quote;
use crate::msg;
use crate::rules::postgres::in_effect::{candidates, InEffect, Servers};
use crate::rules::postgres::{is_whole_internet, listens_on_network, written};
use crate::rules::ProjectContext;
use crate::source::SourceFile;

/// PG001: `ssl` off (PostgreSQL's default) while `listen_addresses` goes beyond localhost,
/// judged on the settings in effect for each server: its `postgresql.conf` with the files
/// it includes, read where it includes them, then `postgresql.auto.conf` (`ALTER SYSTEM`),
/// the last value of a name winning, as PostgreSQL reads them. A drop-in or `auto.conf`
/// scanned without the `postgresql.conf` that reads it is judged alone, and only where it
/// decides by itself.
pub fn ssl_off(cx: &mut ProjectContext<'_, PgConf>) {
    let servers = Servers::read(cx.docs);
    for (main, server) in &servers.servers {
        judge(cx, server, main.source());
        for file in server.files.iter().skip(1) {
            cx.not_applicable_in(
                file.source(),
                "judged with the postgresql.conf that reads it",
            );
        }
    }
    for (alone, server) in &servers.alone {
        judge(cx, server, alone.source());
    }
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

/// PG002: `pg_hba.conf` admits `0.0.0.0/0`/`::/0`/`all` while its server listens beyond
/// localhost, judged on the server's settings in effect (includes, drop-ins,
/// `postgresql.auto.conf`); the server is the one whose `hba_file` names the file, or whose
/// `postgresql.conf` is beside it under the same label. A `pg_hba.conf` without a scanned
/// server is judged as listening publicly (the official container image does).
pub fn open_to_internet(cx: &mut ProjectContext<'_, PgHba>) {
    let confs = cx.of_kind::<PgConf>();
    let servers = Servers::read(&confs);
    // Each server by the pg_hba.conf it reads (the first scanned wins), so pairing costs
    // a look-up per pg_hba.conf, not a walk over every server.
    let mut by_hba: HashMap<(&Path, String), &InEffect<'_>> = HashMap::new();
    let hba_paths: HashMap<&Path, String> = cx
        .docs
        .iter()
        .map(|d| {
            let path = d.source().path.as_path();
            (path, label(path, "pg_hba.conf"))
        })
        .collect();
    for (main, server) in &servers.servers {
        let main_path = &main.source().path;
        let Some(folder) = main_path.parent() else {
            continue;
        };
        let named = server.get("hba_file").and_then(|(_, hba_file)| {
            let path = folder.join(&hba_file.value);
            let found =
                candidates(&path, folder).find_map(|c| hba_paths.get_key_value(c.as_path()));
            found
        });
        let key = match named {
            Some((path, label)) => (path.parent().unwrap_or(Path::new("")), label.clone()),
            None => (folder, label(main_path, "postgresql.conf")),
        };
        by_hba.entry(key).or_insert(server);
    }
    for file in cx.docs {
        let path = &file.source().path;
        let server = path
            .parent()
            .and_then(|dir| by_hba.get(&(dir, label(path, "pg_hba.conf"))));
        let listen = match server {
            Some(server) => match server.get("listen_addresses") {
                Some((source, listen)) if listens_on_network(&listen.value) => {
                    Some((source, listen))
                }
                Some(_) => continue,
                None if server.unread => {
                    cx.not_evaluated_in(file.source(), "`listen_addresses` may be set in a file its server includes, which was not scanned");
                    continue;
                }
                // PostgreSQL's default listens on localhost only.
                None => continue,
            },
            None => None,
        };
        for record in file
            .content
            .records
            .iter()
            .filter(|r| r.is_host() && is_whole_internet(r))
        {
            if record.method.value == "reject" {
                continue;
            }
            let address = record.address.as_ref().map_or("", |a| a.value.as_str());
            let why = match listen {
                Some(_) => "and the server listens beyond localhost",
                None => "(no postgresql.conf was scanned for it; the official container image listens on every address)",
            };
            let finding = cx.report_in(file.source(), record.address.as_ref().map_or(record.span, |a| a.span),
                format!("{}:{address}", record.kind.value),
                msg!("{} lets every address on the internet try to log in {}; list the application's networks (`10.0.0.0/8`, the app server's `/32`) instead", written(record), why));
            if let Some((source, listen)) = listen {
                finding.related_in(source, listen.value_span, "the server listens here");
            }
        }
    }
}
