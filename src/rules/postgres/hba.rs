//! PG003–PG007: how `pg_hba.conf` records authenticate.

use crate::formats::postgres::{HbaRecord, PgHba};
use crate::message::Message;
use crate::msg;
use crate::rules::postgres::{is_remote, written};
use crate::rules::Context;

/// Calls `report` for each record of the document that `select` picks.
fn each_record(
    cx: &mut Context<'_, PgHba>,
    select: impl Fn(&HbaRecord) -> bool,
    message: impl Fn(&HbaRecord) -> Message,
) {
    for record in cx.content.records.iter().filter(|r| select(r)) {
        let address = record.address.as_ref().map_or("", |a| a.value.as_str());
        cx.report(
            record.method.span,
            format!(
                "{}:{}:{}:{address}",
                record.kind.value, record.database.value, record.user.value
            ),
            message(record),
        );
    }
}

/// PG003: `trust` on a record for network clients: no password at all.
pub fn trust_network(cx: &mut Context<'_, PgHba>) {
    each_record(
        cx,
        |r| r.method.value == "trust" && is_remote(r),
        |r| {
            msg!(
        "{} lets anyone who reaches the port connect as any of these users without a password; use `scram-sha-256`", written(r))
        },
    );
}

/// PG004: `trust` for local connections (Unix socket or loopback).
pub fn trust_local(cx: &mut Context<'_, PgHba>) {
    each_record(
        cx,
        |r| r.method.value == "trust" && !is_remote(r),
        |r| {
            msg!(
        "{} lets every local account (and every process of a compromised application) connect as these users, the superuser included, without a password; use `peer` for the Unix socket and `scram-sha-256` for TCP", written(r))
        },
    );
}

/// PG005: `password`: the password is sent in clear text.
pub fn cleartext_password(cx: &mut Context<'_, PgHba>) {
    each_record(
        cx,
        |r| r.method.value == "password" && r.is_host(),
        |r| {
            msg!(
        "{} sends the password in clear text over the connection; use `scram-sha-256` (and `password_encryption = scram-sha-256`)", written(r))
        },
    );
}

/// PG006: `md5`: a replayable hash scheme, deprecated since PostgreSQL 14 in favour of
/// SCRAM.
pub fn md5(cx: &mut Context<'_, PgHba>) {
    each_record(
        cx,
        |r| r.method.value == "md5",
        |r| {
            msg!(
        "{} uses MD5 challenge-response: a stolen hash logs in as the user; prefer `scram-sha-256` once the passwords are re-set with `password_encryption = scram-sha-256`", written(r))
        },
    );
}

/// PG007: `hostnossl` from a remote network: TLS explicitly refused.
pub fn hostnossl_remote(cx: &mut Context<'_, PgHba>) {
    each_record(
        cx,
        |r| r.kind.value == "hostnossl" && is_remote(r) && r.method.value != "reject",
        |r| {
            msg!(
        "{} admits network clients only when they do *not* use TLS, so credentials and data cross the network in clear; write `hostssl`", written(r))
        },
    );
}
