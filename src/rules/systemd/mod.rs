//! Rules for systemd units. A `.service` file is complete: a setting it leaves out takes
//! systemd's default, and a finding about the missing setting is reported at the
//! `[Service]` header (the section where it belongs). Drop-ins (`*.service.d/*.conf`) are
//! fragments: only what they set is judged.

use crate::document::Document;
use crate::formats::systemd::{parse_boolean, UnitFile, UnitKind, UnitSection};

pub mod environment;
pub mod hardening;
pub mod identity;

/// The unit and its `[Service]` section, for a `.service` file or drop-in that has one.
fn service(doc: &Document) -> Option<(&UnitFile, &UnitSection)> {
    let unit = doc.as_systemd()?;
    if !matches!(unit.kind, UnitKind::Service | UnitKind::DropIn) {
        return None;
    }
    Some((unit, unit.section("Service")?))
}

/// Whether an absent setting takes systemd's default here: in a complete `.service` file
/// (not a drop-in, not a user unit from `~/.config/systemd/user/`, which runs as its user).
fn judges_defaults(doc: &Document, unit: &UnitFile) -> bool {
    let user_unit = doc
        .source
        .display_path
        .replace('\\', "/")
        .contains("systemd/user/");
    unit.kind == UnitKind::Service && !user_unit
}

/// `DynamicUser=yes`: a transient non-root user, and systemd then forces
/// `NoNewPrivileges=`, `ProtectSystem=strict` and `PrivateTmp=` on whatever the unit says
/// (checked against `systemd-analyze security`, tests/systemd_differential.rs).
fn dynamic_user(unit: &UnitFile) -> bool {
    unit.last("Service", "DynamicUser")
        .and_then(|e| parse_boolean(&e.value))
        .unwrap_or(false)
}
