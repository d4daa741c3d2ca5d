//! LIVE012, LIVE014: system services a server is expected to run, judged from its process
//! list — time synchronisation and the audit daemon. Only on a system whose PID 1 is an
//! init: a container or a minimal VM leaves both to its host, and says so as not evaluated.

use crate::formats::host::ps::{Process, Processes};
use crate::message::Quote;
use crate::msg;
use crate::rules::Context;
use crate::source::Span;

/// Programs that run as PID 1 of a whole system.
const INITS: &[&str] = &[
    "systemd",
    "init",
    "openrc-init",
    "runit",
    "runit-init",
    "s6-svscan",
    "launchd",
];

/// NTP clients and servers that keep the clock in step.
const TIME_DAEMONS: &[&str] = &[
    "systemd-timesyncd",
    "chronyd",
    "ntpd",
    "openntpd",
    "ntpsec",
    "timesyncd",
    "vmtoolsd-timesync",
];

/// Whether the list is a whole system's: its PID 1 (when listed) is an init. Otherwise the
/// reason the check is not evaluated.
fn whole_system<'a>(processes: &'a Processes) -> Result<Option<&'a Process>, &'static str> {
    match processes.processes.iter().find(|p| p.pid == 1) {
        Some(init) if INITS.contains(&init.program()) => Ok(Some(init)),
        Some(_) => Err("PID 1 is not a system's init: a container or a minimal VM, whose clock and audit log are its host's"),
        None => Ok(None),
    }
}

/// Where a missing service is reported: PID 1's program, or the start of the list.
fn at_init(init: Option<&Process>) -> Span {
    init.map_or(Span::new(0, 0), Process::program_span)
}

/// LIVE012: no time synchronisation daemon runs.
pub fn time_sync(cx: &mut Context<'_, Processes>) {
    let init = match whole_system(cx.content) {
        Ok(init) => init,
        Err(why) => return cx.not_evaluated(why),
    };
    if cx
        .content
        .processes
        .iter()
        .any(|p| TIME_DAEMONS.contains(&p.program()))
    {
        return;
    }
    let span = at_init(init);
    cx.report(span, "time-sync", msg!(
        "no time synchronisation runs (no systemd-timesyncd, chronyd or ntpd process): the clock drifts, so TLS certificate checks, TOTP codes, token expiry and the order of log lines across hosts go wrong; `timedatectl set-ntp true` (systemd-timesyncd) or `apt install chrony`{}",
        match init {
            Some(_) => msg!(" (PID 1 is `{}`)", Quote::at(span)),
            None => msg!(""),
        }));
}

/// LIVE014: the Linux audit daemon does not run.
pub fn auditd(cx: &mut Context<'_, Processes>) {
    let init = match whole_system(cx.content) {
        Ok(init) => init,
        Err(why) => return cx.not_evaluated(why),
    };
    if cx.content.processes.iter().any(|p| p.program() == "auditd") {
        return;
    }
    cx.report(at_init(init), "auditd", msg!(
        "the Linux audit daemon does not run (no `auditd` process): logins, privilege changes and changes to /etc/passwd, sudoers or sshd_config leave no tamper-evident trail; `apt install auditd` (or `dnf install audit`), `systemctl enable --now auditd`, and load rules such as the CIS ones with `augenrules --load`"));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn processes(text: &str) -> Processes {
        Processes::parse(text)
    }

    #[test]
    fn a_system_is_told_from_a_container_by_its_pid_1() {
        let host = processes("root 1 /sbin/init\nroot 300 /usr/sbin/sshd -D\n");
        assert_eq!(whole_system(&host).unwrap().unwrap().program(), "init");
        let systemd = processes("root 1 /lib/systemd/systemd --system --deserialize 31\n");
        assert!(whole_system(&systemd).unwrap().is_some());
        let container = processes("root 1 tini -- gunicorn app:app\napp 7 gunicorn app:app\n");
        assert!(whole_system(&container).is_err());
        // A list without PID 1 (a filtered capture) is judged as a system's.
        let partial = processes("root 300 /usr/sbin/sshd -D\n");
        assert!(whole_system(&partial).unwrap().is_none());
    }
}
