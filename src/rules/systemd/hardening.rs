//! SYS003–SYS005: sandboxing directives every network service can afford.

use crate::formats::systemd::{parse_boolean, UnitFile};
use crate::message::Quote;
use crate::msg;
use crate::rules::systemd::{dynamic_user, judges_defaults, service};
use crate::rules::Context;

/// Reports `key` in `[Service]` when its value in effect is not accepted by `good`, or
/// (complete units only) when it is absent; `advice` ends the message. `DynamicUser=yes`
/// forces all three protections on.
fn require(
    cx: &mut Context<'_, UnitFile>,
    key: &'static str,
    good: fn(&str) -> bool,
    advice: &'static str,
) {
    let unit = cx.content;
    let Some(section) = service(unit) else {
        return;
    };
    if dynamic_user(unit) {
        return;
    }
    match unit.last("Service", key) {
        Some(entry) if !good(&entry.value) => {
            cx.report(
                entry.value_span,
                key,
                msg!(
                    "`{}={}` turns this protection off: {}",
                    key,
                    Quote::derived(entry.value_span, entry.value.as_str()),
                    advice
                ),
            );
        }
        Some(_) => {}
        None if judges_defaults(cx) => {
            cx.report(
                section.header_span,
                key,
                msg!(
                    "`{}=` is not set (systemd's default is off): {}",
                    key,
                    advice
                ),
            );
        }
        None => {}
    }
}

/// SYS003: `NoNewPrivileges=` missing or off.
pub fn no_new_privileges(cx: &mut Context<'_, UnitFile>) {
    require(cx, "NoNewPrivileges", |v| parse_boolean(v) == Some(true),
        "a compromised process may gain privileges through setuid binaries (`sudo`, `su`); add `NoNewPrivileges=yes` to `[Service]`");
}

/// SYS004: `ProtectSystem=` missing, off, or `yes` (which leaves `/etc` writable).
pub fn protect_system(cx: &mut Context<'_, UnitFile>) {
    require(cx, "ProtectSystem", |v| matches!(v, "strict" | "full"),
        "the service can rewrite the operating system's files; add `ProtectSystem=strict` (with `ReadWritePaths=` for its data) or at least `ProtectSystem=full`");
}

/// SYS005: `PrivateTmp=` missing or off.
pub fn private_tmp(cx: &mut Context<'_, UnitFile>) {
    require(cx, "PrivateTmp", |v| parse_boolean(v) == Some(true),
        "the service shares `/tmp` with every other process, open to symlink and race attacks; add `PrivateTmp=yes`");
}
