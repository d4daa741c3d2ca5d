//! LIVE010: security updates are pending; LIVE015: they are not installed automatically.
//! Published fixes are what attackers read first.

use crate::formats::host::apt::PendingUpgrades;
use crate::formats::host::apt_periodic::AptPeriodic;
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

/// LIVE015: security updates are not installed automatically: `unattended-upgrades`
/// missing, or apt's daily job told not to refresh the lists or not to run it.
pub fn not_automatic(cx: &mut Context<'_, AptPeriodic>) {
    let periodic = cx.content;
    let Some((installed, package_line)) = periodic.package else {
        return cx
            .not_evaluated("the output does not say whether unattended-upgrades is installed");
    };
    if !installed {
        cx.report(package_line, "unattended-upgrades", msg!(
            "unattended-upgrades is not installed, so security updates wait until someone runs apt by hand, while exploits for published fixes appear within days; `apt install unattended-upgrades` and `dpkg-reconfigure -plow unattended-upgrades` (which writes /etc/apt/apt.conf.d/20auto-upgrades)"));
        return;
    }
    for key in [
        "APT::Periodic::Update-Package-Lists",
        "APT::Periodic::Unattended-Upgrade",
    ] {
        match periodic.get(key) {
            Some(setting) if setting.is_on() => {}
            Some(setting) => {
                cx.report(setting.span, key, msg!(
                    "unattended-upgrades is installed but switched off: `{}` is `0`, so apt's daily job {}; write `{} \"1\";` in /etc/apt/apt.conf.d/20auto-upgrades (`dpkg-reconfigure -plow unattended-upgrades`)",
                    key, what_it_does(key), key));
            }
            None => {
                cx.report(package_line, key, msg!(
                    "unattended-upgrades is installed but never runs: `{}` is not set, so apt's daily job {}; write `{} \"1\";` in /etc/apt/apt.conf.d/20auto-upgrades (`dpkg-reconfigure -plow unattended-upgrades`)",
                    key, what_it_does(key), key));
            }
        }
    }
}

/// What apt's daily job skips when `key` is off.
fn what_it_does(key: &str) -> &'static str {
    if key.ends_with("Update-Package-Lists") {
        "never learns of new updates"
    } else {
        "never installs them"
    }
}
