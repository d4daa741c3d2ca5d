//! ENV020–ENV021: connection URLs that send credentials and data in clear text.

use crate::formats::dotenv::{EnvEntry, EnvFile, EnvValue};
use crate::message::{Message, Quote};
use crate::msg;
use crate::rules::Context;
use crate::secrets::{parse_url, UrlParts};

/// Runs `judge` on every URL value in effect whose host is another machine; `judge` gets
/// the entry, the value and the URL read from it.
fn each_url(
    cx: &mut Context<'_, EnvFile>,
    judge: impl Fn(&EnvEntry, &EnvValue, &UrlParts) -> Option<Message>,
) {
    for entry in cx.content.effective_entries() {
        let Some(value) = &entry.value else { continue };
        let Some(url) = parse_url(&value.text) else {
            continue;
        };
        if url.host_is_local() {
            continue;
        }
        if let Some(message) = judge(entry, value, &url) {
            cx.report(value.inner_span, entry.key.clone(), message);
        }
    }
}

fn param_in(url: &UrlParts, names: &[&str], accepted: &[&str]) -> bool {
    names.iter().any(|name| {
        url.param(name)
            .is_some_and(|v| accepted.iter().any(|a| v.eq_ignore_ascii_case(a)))
    })
}

/// ENV020: PostgreSQL, MySQL/MariaDB and MongoDB URLs to another host without TLS required.
pub fn database(cx: &mut Context<'_, EnvFile>) {
    each_url(cx, |entry, value, url| {
        let (encrypted, fix) = match &*url.scheme {
            "postgres" | "postgresql" => (
                param_in(url, &["sslmode"], &["require", "verify-ca", "verify-full"])
                    || param_in(url, &["ssl"], &["true", "1"]),
                "append `?sslmode=verify-full` (or at least `sslmode=require`)",
            ),
            "mysql" | "mysql2" | "mariadb" | "mysqlx" => (
                param_in(
                    url,
                    &["ssl-mode", "sslmode", "ssl_mode"],
                    &[
                        "required",
                        "require",
                        "verify_ca",
                        "verify_identity",
                        "verify-ca",
                        "verify-full",
                    ],
                ) || param_in(url, &["ssl", "tls", "useSSL"], &["true", "1", "required"])
                    || param_in(url, &["sslaccept"], &["strict"]),
                "append `?ssl-mode=VERIFY_IDENTITY` (or at least `ssl-mode=REQUIRED`)",
            ),
            "mongodb" => (
                param_in(url, &["tls", "ssl"], &["true"]),
                "append `?tls=true`",
            ),
            "mongodb+srv" => (
                !param_in(url, &["tls", "ssl"], &["false"]),
                "remove `tls=false`",
            ),
            _ => return None,
        };
        (!encrypted).then(|| {
            msg!(
                "`{}` connects to `{}` without requiring TLS, so credentials and data cross the network in clear text; {}",
                Quote::at(entry.key_span),
                value.quote_part(url.host),
                fix
            )
        })
    });
}

/// ENV021: `redis://` carrying a password to another host.
pub fn redis(cx: &mut Context<'_, EnvFile>) {
    each_url(cx, |entry, value, url| {
        (url.scheme == "redis" && url.password.is_some()).then(|| {
            msg!(
                "`{}` sends its Redis password to `{}` in clear text; use `rediss://` (TLS) instead of `redis://`",
                Quote::at(entry.key_span),
                value.quote_part(url.host)
            )
        })
    });
}
