//! PG001–PG002: a server reachable from the network without TLS, or by everyone.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::formats::postgres::{PgConf, PgHba};
use crate::message::{Message, Quote};
use crate::msg;
use crate::rules::postgres::{is_whole_internet, listens_publicly, written};
use crate::rules::{Context, ProjectContext};
use crate::source::{SourceFile, Span};

/// PG001: `ssl` off (PostgreSQL's default) while `listen_addresses` goes beyond localhost.
pub fn ssl_off(cx: &mut Context<'_, PgConf>) {
    let conf = cx.content;
    if listens_publicly(conf) != Some(true) {
        return;
    }
    let listen = conf.get("listen_addresses").map_or_else(Message::new, |s| {
        msg!(
            " (`listen_addresses = '{}'`)",
            Quote::derived(s.value_span, s.value.as_str())
        )
    });
    match conf.get("ssl") {
        Some(ssl) if is_off(&ssl.value) => {
            cx.report(ssl.value_span, "ssl",
                msg!("`ssl = {}` while the server listens on the network{}: passwords (md5 included) and data cross the network in clear; set `ssl = on` with `ssl_cert_file`/`ssl_key_file`, and use `hostssl` records in pg_hba.conf", Quote::derived(ssl.value_span, ssl.value.as_str()), listen));
        }
        Some(_) => {}
        None if super::has_includes(conf) => {}
        None => {
            let span = conf
                .get("listen_addresses")
                .map_or(Span::new(0, 0), |s| s.value_span);
            cx.report(span, "ssl",
                msg!("`ssl` is not set (PostgreSQL's default is off) while the server listens on the network{}: set `ssl = on` with a certificate, and use `hostssl` records in pg_hba.conf", listen));
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
