//! Rules for PostgreSQL: `postgresql.conf` alone (PG001), `pg_hba.conf` alone
//! (PG003–PG007), and both together (PG002: a server that listens on public addresses *and*
//! admits the whole internet).

use crate::formats::postgres::{HbaField, HbaRecord, PgConf};
use crate::message::{Message, Quote};
use crate::msg;
use crate::rules::{checks, RegisteredCheck};

pub mod exposure;
pub mod hba;

/// The family's built-in checks, sorted by name (see `crate::rules::registry`).
pub(crate) const RULES: &[RegisteredCheck] = checks! {
    document "postgres-cleartext-password" => hba::cleartext_password;
    document "postgres-hostnossl-remote" => hba::hostnossl_remote;
    document "postgres-md5" => hba::md5;
    project "postgres-open-to-internet" => exposure::open_to_internet;
    document "postgres-ssl-off" => exposure::ssl_off;
    document "postgres-trust-local" => hba::trust_local;
    document "postgres-trust-network" => hba::trust_network;
};

/// PostgreSQL's default `listen_addresses`.
const DEFAULT_LISTEN: &str = "localhost";

/// Where the server listens, as far as this file says: `Some(true)` beyond the loopback
/// interface, `Some(false)` loopback or Unix socket only, `None` unknown (not set here, and
/// an include could set it).
fn listens_publicly(conf: &PgConf) -> Option<bool> {
    let value = match conf.get("listen_addresses") {
        Some(setting) => setting.value.as_str(),
        None if has_includes(conf) => return None,
        None => DEFAULT_LISTEN,
    };
    Some(
        value
            .split(',')
            .map(str::trim)
            .any(|a| !a.is_empty() && !is_loopback(a)),
    )
}

/// Whether the file pulls in other files that may set what it leaves out.
fn has_includes(conf: &PgConf) -> bool {
    conf.settings.iter().any(|s| {
        matches!(
            s.name.as_str(),
            "include" | "include_if_exists" | "include_dir"
        )
    })
}

/// Loopback addresses, with or without a prefix length.
fn is_loopback(address: &str) -> bool {
    let host = address.split('/').next().unwrap_or(address);
    host == "localhost" || host == "::1" || host.starts_with("127.") || host == "samehost"
}

/// The record as written (type and method in lower case), in backticks, for messages.
fn written(record: &HbaRecord) -> Message {
    let field = |f: &HbaField| Quote::derived(f.span, f.value.as_str());
    let address = [&record.address, &record.mask]
        .into_iter()
        .flatten()
        .map(|f| msg!(" {}", field(f)));
    msg!(
        "`{} {} {}{} {}`",
        field(&record.kind),
        field(&record.database),
        field(&record.user),
        Message::join(address, ""),
        field(&record.method)
    )
}

/// Whether a `host*` record admits clients from outside the machine.
fn is_remote(record: &HbaRecord) -> bool {
    record.is_host()
        && record
            .address
            .as_ref()
            .is_some_and(|a| !is_loopback(&a.value))
}

/// Whether a record admits every address on the internet.
fn is_whole_internet(record: &HbaRecord) -> bool {
    let Some(address) = &record.address else {
        return false;
    };
    let mask_zero = record
        .mask
        .as_ref()
        .is_some_and(|m| m.value == "0.0.0.0" || m.value == "::");
    matches!(
        address.value.as_str(),
        "all" | "0.0.0.0/0" | "::/0" | "::0/0" | "0/0"
    ) || mask_zero
}
