//! LIVE010: security updates are pending. Published fixes are what attackers read first.

use crate::document::Document;
use crate::formats::host::HostOutput;
use crate::rules::Emitter;

/// LIVE010: packages from a `-security` suite wait to be installed; one finding, at the
/// first of them, naming a few.
pub fn pending(doc: &Document, out: &mut Emitter) {
    let Some(HostOutput::Updates(pending)) = doc.as_host() else {
        return;
    };
    let security: Vec<_> = pending.security().collect();
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
    out.report(
        &doc.source,
        first.span,
        "security-updates",
        format!(
            "{} security update(s) are not installed ({}{more}); run `apt-get upgrade` and enable `unattended-upgrades` for the security suite",
            security.len(),
            names.join(", ")
        ),
    );
}
