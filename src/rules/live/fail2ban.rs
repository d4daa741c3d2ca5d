//! LIVE008: fail2ban not running, or running without an sshd jail. A jail file that says
//! `enabled = true` protects nothing if the server is stopped.

use crate::formats::host::fail2ban::{Fail2banState, Fail2banStatus};
use crate::rules::Context;

/// LIVE008: fail2ban inactive or without an sshd jail.
pub fn inactive(cx: &mut Context<'_, Fail2banStatus>) {
    let status = cx.content;
    let message = match &status.state {
        Fail2banState::NotInstalled => "fail2ban is not installed, so password and key guessing against sshd is never slowed down; `apt install fail2ban` and enable the `[sshd]` jail",
        Fail2banState::NotRunning => "fail2ban is installed but not running, so no jail bans anyone; start it (`systemctl enable --now fail2ban`) and read why it stopped (`journalctl -u fail2ban`)",
        Fail2banState::Running { jails } if !jails.iter().any(|j| j == "sshd") => "fail2ban runs without an `sshd` jail, so SSH guessing is not banned; enable `[sshd]` in `/etc/fail2ban/jail.local`",
        _ => return,
    };
    cx.report(status.span, "fail2ban", message);
}
