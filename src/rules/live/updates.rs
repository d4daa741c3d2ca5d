//! LIVE010: security updates are pending. Published fixes are what attackers read first.

use crate::formats::host::apt::PendingUpgrades;
use crate::rules::Context;

/// LIVE010: packages from a `-security` suite wait to be installed; one finding, at the
/// first of them, naming a few.
pub fn pending(cx: &mut Context<'_, PendingUpgrades>) {
    let security: Vec<_> = cx.content.security().collect();
    let Some(first) = security.first() else {
        return;
    };
    let names: Vec<&str> = security
        .iter()
        .take(5)
        .map(|u| u.package.as_str())
        .collect();
    let more = security.len().saturating_sub(names.len());
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    cx.report(
        first.span,
        "security-updates",
        format!(
            "{} security update(s) are not installed ({}{more}); run `apt-get upgrade` and enable `unattended-upgrades` for the security suite",
            security.len(),
            names.join(", ")
        ),
    );
}
