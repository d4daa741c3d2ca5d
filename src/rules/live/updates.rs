//! LIVE010: security updates are pending. Published fixes are what attackers read first.

use crate::formats::host::apt::PendingUpgrades;
use crate::message::{Message, Quote};
use crate::msg;
use crate::rules::Context;

/// LIVE010: packages from a `-security` suite wait to be installed; one finding, at the
/// first of them, naming a few.
pub fn pending(cx: &mut Context<'_, PendingUpgrades>) {
    let security: Vec<_> = cx.content.security().collect();
    let Some(first) = security.first() else {
        return;
    };
    const NAMED: usize = 5;
    let names = Message::join(
        security
            .iter()
            .take(NAMED)
            .map(|u| Quote::at(u.package_span)),
        ", ",
    );
    let more = security.len().saturating_sub(NAMED);
    let more = (more > 0).then(|| msg!(" and {} more", more));
    cx.report(
        first.span,
        "security-updates",
        msg!(
            "{} security update(s) are not installed ({}{}); run `apt-get upgrade` and enable `unattended-upgrades` for the security suite",
            security.len(),
            names,
            more
        ),
    );
}
