//! Rules for systemd units. A `.service` file is complete: a setting it leaves out takes
//! systemd's default, and a finding about the missing setting is reported at the
//! `[Service]` header (the section where it belongs). Drop-ins (`*.service.d/*.conf`) are
//! fragments: only what they set is judged.

use crate::formats::systemd::{parse_boolean, UnitFile, UnitKind, UnitSection};
use crate::rules::{checks, Context, RegisteredCheck};

pub mod environment;
pub mod hardening;
pub mod identity;

/// The family's built-in checks, sorted by name (see `crate::rules::registry`).
pub(crate) const RULES: &[RegisteredCheck] = checks! {
    document "systemd-no-new-privileges" => hardening::no_new_privileges;
    document "systemd-private-tmp" => hardening::private_tmp;
    document "systemd-protect-system" => hardening::protect_system;
    document "systemd-runs-as-root" => identity::runs_as_root;
    document "systemd-secret-in-environment" => environment::secret_in_environment;
    document "systemd-secret-on-command-line" => environment::secret_on_command_line;
};

/// The `[Service]` section of a `.service` file or drop-in that has one.
fn service(unit: &UnitFile) -> Option<&UnitSection> {
    if !matches!(unit.kind, UnitKind::Service | UnitKind::DropIn) {
        return None;
    }
    unit.section("Service")
}

/// Whether an absent setting takes systemd's default here: in a complete `.service` file
/// (not a drop-in, not a user unit from `~/.config/systemd/user/`, which runs as its user).
fn judges_defaults(cx: &Context<'_, UnitFile>) -> bool {
    let user_unit = cx
        .source()
        .display_path
        .replace('\\', "/")
        .contains("systemd/user/");
    cx.content.kind == UnitKind::Service && !user_unit
}

/// `DynamicUser=yes`: a transient non-root user, and systemd then forces
/// `NoNewPrivileges=`, `ProtectSystem=strict` and `PrivateTmp=` on whatever the unit says
/// (checked against `systemd-analyze security`, tests/systemd_differential.rs).
fn dynamic_user(unit: &UnitFile) -> bool {
    unit.last("Service", "DynamicUser")
        .and_then(|e| parse_boolean(&e.value))
        .unwrap_or(false)
}
