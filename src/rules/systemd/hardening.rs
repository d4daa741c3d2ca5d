//! SYS003–SYS005: sandboxing directives every network service can afford.

use crate::document::Document;
use crate::formats::systemd::parse_boolean;
use crate::rules::systemd::{dynamic_user, judges_defaults, service};
use crate::rules::Emitter;

/// Reports `key` in `[Service]` when its value in effect is not accepted by `good`, or
/// (complete units only) when it is absent; `advice` ends the message. `DynamicUser=yes`
/// forces all three protections on.
fn require(doc: &Document, out: &mut Emitter, key: &str, good: fn(&str) -> bool, advice: &str) {
    let Some((unit, section)) = service(doc) else {
        return;
    };
    if dynamic_user(unit) {
        return;
    }
    match unit.last("Service", key) {
        Some(entry) if !good(&entry.value) => {
            out.report(
                &doc.source,
                entry.value_span,
                key,
                format!(
                    "`{key}={}` turns this protection off: {advice}",
                    entry.value
                ),
            );
        }
        Some(_) => {}
        None if judges_defaults(doc, unit) => {
            out.report(
                &doc.source,
                section.header_span,
                key,
                format!("`{key}=` is not set (systemd's default is off): {advice}"),
            );
        }
        None => {}
    }
}

/// SYS003: `NoNewPrivileges=` missing or off.
pub fn no_new_privileges(doc: &Document, out: &mut Emitter) {
    require(doc, out, "NoNewPrivileges", |v| parse_boolean(v) == Some(true),
        "a compromised process may gain privileges through setuid binaries (`sudo`, `su`); add `NoNewPrivileges=yes` to `[Service]`");
}

/// SYS004: `ProtectSystem=` missing, off, or `yes` (which leaves `/etc` writable).
pub fn protect_system(doc: &Document, out: &mut Emitter) {
    require(doc, out, "ProtectSystem", |v| matches!(v, "strict" | "full"),
        "the service can rewrite the operating system's files; add `ProtectSystem=strict` (with `ReadWritePaths=` for its data) or at least `ProtectSystem=full`");
}

/// SYS005: `PrivateTmp=` missing or off.
pub fn private_tmp(doc: &Document, out: &mut Emitter) {
    require(doc, out, "PrivateTmp", |v| parse_boolean(v) == Some(true),
        "the service shares `/tmp` with every other process, open to symlink and race attacks; add `PrivateTmp=yes`");
}
