//! CMP013: the PostgreSQL image is told to accept every connection without a password.

use crate::formats::compose::{ComposeFile, ComposeString};
use crate::message::Message;
use crate::msg;
use crate::rules::Context;
use crate::source::Span;

/// The variable the official image's entrypoint writes into `pg_hba.conf` as the method of
/// `host all all all`.
const VARIABLE: &str = "POSTGRES_HOST_AUTH_METHOD";

/// CMP013: `POSTGRES_HOST_AUTH_METHOD: trust` (map or list form), or a default that makes it
/// `trust` when the deploy host does not set the variable (`${PG_AUTH:-trust}`): the
/// official image then lets every client that reaches the port log in as any user, the
/// superuser included, without a password, even when `POSTGRES_PASSWORD` is set.
pub fn check(cx: &mut Context<'_, ComposeFile>) {
    for service in &cx.content.services {
        for var in service.environment.iter().filter(|v| v.name == VARIABLE) {
            let Some(value) = &var.value else { continue };
            let Some((span, how)) = trust(value) else {
                continue;
            };
            cx.report(
                span,
                format!("{}:environment:{VARIABLE}", service.name),
                msg!(
                    "`{}` of service `{}` {}: PostgreSQL's official image then writes `host all all all trust` into pg_hba.conf, so anyone who reaches the port logs in as any user, the superuser included, without a password (`POSTGRES_PASSWORD` or not); remove it and set `POSTGRES_PASSWORD` from a secret (`POSTGRES_PASSWORD_FILE: /run/secrets/db_password` with Compose `secrets:`), or write `{}: scram-sha-256`",
                    VARIABLE,
                    service.quote(),
                    how,
                    VARIABLE
                ),
            );
        }
    }
}

/// Where `value` makes the method `trust` once Compose has interpolated it with the
/// deploy host's variables unset, and how to say so; `None` when it does not.
fn trust(value: &ComposeString) -> Option<(Span, Message)> {
    let is_trust = |text: &str| text.trim() == "trust";
    if !value.resolved().is_some_and(|v| is_trust(&v)) {
        return None;
    }
    let template = value.template();
    if template.is_literal() {
        return Some((value.span, "is `trust`".into()));
    }
    // `${PG_AUTH:-trust}`: the default is what runs, and where the fix goes.
    let span = template
        .literal_fallbacks()
        .into_iter()
        .find(|(text, _)| is_trust(text))
        .map_or(value.span, |(_, range)| value.span_of(range));
    let how = msg!(
        "is `{}`, which is `trust` whenever the deploy host does not set the variable",
        value.quote()
    );
    Some((span, how))
}
