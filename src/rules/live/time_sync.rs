//! LIVE012: no time synchronisation daemon runs. A drifting clock breaks TLS validity
//! checks, TOTP codes, Kerberos, log correlation and every "older than" a backup monitor
//! computes.

use crate::formats::host::ps::{Processes, Visibility};
use crate::rules::Context;

/// The daemons that keep a Linux clock in time: systemd's SNTP client, chrony, ntpd
/// (classic, NTPsec and OpenNTPD, whose processes are all `ntpd`), and the PTP daemons.
pub const TIME_DAEMONS: &[&str] = &[
    "systemd-timesyncd",
    "chronyd",
    "ntpd",
    "openntpd",
    "ptp4l",
    "phc2sys",
    "timemaster",
];

/// LIVE012: the process list shows the whole machine and none of [`TIME_DAEMONS`]; one
/// finding, at PID 1 (the init system that should start one).
pub fn inactive(cx: &mut Context<'_, Processes>) {
    let processes = cx.content;
    match processes.visibility() {
        Visibility::Partial => {
            cx.not_evaluated("the process list has no PID 1, so other users' processes are hidden (`/proc` mounted with `hidepid`) and a time daemon may run unseen; audit as root or with --sudo");
            return;
        }
        Visibility::Container => {
            cx.not_evaluated("the process list is a container's (a PID namespace without kernel threads): its clock is the host kernel's, kept in time on the host");
            return;
        }
        Visibility::Machine => {}
    }
    if processes.running(TIME_DAEMONS).is_some() {
        return;
    }
    let Some(init) = processes.processes.iter().find(|p| p.pid == 1) else {
        return;
    };
    cx.report(
        init.span,
        "time-sync",
        "no time synchronisation daemon runs (systemd-timesyncd, chronyd or ntpd), so the clock drifts: certificate validity, TOTP codes, log timestamps and backup ages go wrong; `apt install systemd-timesyncd` (or chrony) and `timedatectl set-ntp true`",
    );
}
