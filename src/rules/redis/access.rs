//! RDS001–RDS003: who may connect, and from where.

use crate::formats::redis::RedisConf;
use crate::message::Quote;
use crate::msg;
use crate::rules::redis::{has_includes, protected_mode_off, uses_acl};
use crate::rules::Context;
use crate::source::Span;

/// RDS001: no `requirepass` and no ACL users: any client that reaches the port is admin.
pub fn no_password(cx: &mut Context<'_, RedisConf>) {
    let conf = cx.content;
    if uses_acl(conf) {
        // `user default on nopass ~* &* +@all` is an ACL spelling of "no password".
        for user in conf.all("user") {
            let default_nopass = user.first() == "default"
                && user.args.iter().any(|a| a.value == "nopass")
                && user.args.iter().any(|a| a.value == "on");
            if default_nopass {
                cx.report(user.value_span(), "user:default",
                    "the `default` user is on with `nopass`: every connection is logged in with its rights; give it a password (`>…`) or turn it `off`");
            }
        }
        return;
    }
    match conf.last("requirepass") {
        Some(pass) if pass.first().is_empty() => {
            cx.report(pass.value_span(), "requirepass",
                "`requirepass` is empty, which turns authentication off; set a long random password (or define ACL users)");
        }
        Some(_) => {}
        None if has_includes(conf) => {}
        None => {
            cx.report(Span::new(0, 0), "requirepass",
                "no `requirepass` and no ACL `user`: any client that reaches the port can read, change and delete every key and reconfigure the server; add `requirepass` with a long random secret (in a container: `redis-server --requirepass ${REDIS_PASSWORD}`)");
        }
    }
}

/// RDS002: `protected-mode no`: the last guard of a password-less server on a public
/// interface is off.
pub fn protected_mode(cx: &mut Context<'_, RedisConf>) {
    let conf = cx.content;
    if protected_mode_off(conf) {
        if let Some(directive) = conf.last("protected-mode") {
            cx.report(directive.value_span(), "protected-mode",
                "`protected-mode no` lets clients on other hosts in even when no password is set; write `protected-mode yes` and set `requirepass`");
        }
    }
}

/// Addresses meaning "every interface" in `bind` (a leading `-` only makes it optional).
fn is_all_interfaces(address: &str) -> bool {
    matches!(
        address.trim_start_matches('-'),
        "0.0.0.0" | "*" | "::" | "::*" | "0::0"
    )
}

/// RDS003: bound to every interface (`bind 0.0.0.0`, `*`, `::`), or no `bind` at all (Redis
/// then listens everywhere) with protected mode off.
pub fn bind_all(cx: &mut Context<'_, RedisConf>) {
    let conf = cx.content;
    match conf.last("bind") {
        Some(bind) => {
            if let Some(all) = bind.args.iter().find(|a| is_all_interfaces(&a.value)) {
                cx.report(all.span, "bind",
                    msg!("`bind {}` listens on every interface, public ones included; bind to `127.0.0.1 -::1` and the private address the applications use", Quote::derived(all.span, all.value.as_str())));
            }
        }
        None if has_includes(conf) => {}
        None => {
            if protected_mode_off(conf) {
                let span = conf
                    .last("protected-mode")
                    .map_or(Span::new(0, 0), |d| d.value_span());
                cx.report(span, "bind",
                    "no `bind` line, so Redis listens on every interface, and protected mode is off; write `bind 127.0.0.1 -::1` (plus the private address applications use)");
            }
        }
    }
}
