//! LIVE012: no time synchronisation daemon runs. A drifting clock breaks TLS validity
//! checks, TOTP codes, Kerberos, log correlation and every "older than" a backup monitor
//! computes.

use super::{report_missing, NeededDaemon};
use crate::formats::host::ps::Processes;
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
    report_missing(
        cx,
        &NeededDaemon {
            names: TIME_DAEMONS,
            unseen: "the process list has no PID 1, so other users' processes are hidden (`/proc` mounted with `hidepid`) and a time daemon may run unseen; audit as root or with --sudo",
            in_container: "the process list is a container's (a PID namespace without kernel threads): its clock is the host kernel's, kept in time on the host",
            key: "time-sync",
            message: "no time synchronisation daemon runs (systemd-timesyncd, chronyd or ntpd), so the clock drifts: certificate validity, TOTP codes, log timestamps and backup ages go wrong; `apt install systemd-timesyncd` (or chrony) and `timedatectl set-ntp true`",
        },
    );
}
