//! LIVE015: security updates are not installed automatically. LIVE010 sees what is pending
//! today; this is why it will be pending again tomorrow.

use crate::formats::host::apt_periodic::AptPeriodic;
use crate::rules::Context;

/// LIVE015: on a Debian or Ubuntu host, `unattended-upgrades` is not installed, or apt's
/// daily job does not run it (`APT::Periodic::Unattended-Upgrade` off or unset, or
/// `APT::Periodic::Enable "0"`), or the package lists it upgrades from are never refreshed.
pub fn disabled(cx: &mut Context<'_, AptPeriodic>) {
    let apt = cx.content;
    if !apt.has_apt {
        let source = std::sync::Arc::clone(cx.source());
        cx.not_applicable_in(
            &source,
            "not a Debian or Ubuntu host: `apt-config` is not installed",
        );
        return;
    }
    let (span, message) = match (apt.package, apt.setting("Enable"), apt.setting("Unattended-Upgrade")) {
        (None, ..) => {
            cx.not_evaluated("the output does not say whether `unattended-upgrades` is installed");
            return;
        }
        (Some((false, line)), ..) => (line, "`unattended-upgrades` is not installed, so security updates wait until someone runs `apt upgrade`; `apt install unattended-upgrades` and `dpkg-reconfigure -plow unattended-upgrades`"),
        (_, Some(enable), _) if !enable.is_on() => (enable.span, "`APT::Periodic::Enable \"0\"` turns off apt's daily job, so `unattended-upgrades` never runs; remove the line (or set it to \"1\")"),
        (Some((true, line)), _, None) => (line, "`unattended-upgrades` is installed but `APT::Periodic::Unattended-Upgrade` is not set, so apt's daily job never runs it; write `APT::Periodic::Unattended-Upgrade \"1\";` to `/etc/apt/apt.conf.d/20auto-upgrades` (`dpkg-reconfigure -plow unattended-upgrades`)"),
        (_, _, Some(setting)) if !setting.is_on() => (setting.span, "`APT::Periodic::Unattended-Upgrade` is \"0\", so apt's daily job never installs security updates; set it to \"1\" in `/etc/apt/apt.conf.d/20auto-upgrades`"),
        _ => match apt.setting("Update-Package-Lists") {
            Some(lists) if lists.is_on() => return,
            Some(lists) => (lists.span, "`APT::Periodic::Update-Package-Lists` is \"0\", so the package lists are never refreshed and `unattended-upgrades` finds no new security update; set it to \"1\""),
            None => (apt.first_line, "`APT::Periodic::Update-Package-Lists` is not set, so the package lists are never refreshed and `unattended-upgrades` finds no new security update; write `APT::Periodic::Update-Package-Lists \"1\";` to `/etc/apt/apt.conf.d/20auto-upgrades`"),
        },
    };
    cx.report(span, "automatic-updates", message);
}
