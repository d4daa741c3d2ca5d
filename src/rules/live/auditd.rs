//! LIVE014: the Linux audit daemon does not run, so logins, `sudo`, changes to
//! `/etc/passwd` and module loads leave no tamper-evident record to investigate with.

use super::{report_missing, NeededDaemon};
use crate::formats::host::ps::Processes;
use crate::rules::Context;

/// The daemons that take the kernel's audit records: `auditd`, or Elastic's `auditbeat`
/// and Slack's `go-audit`, which replace it. The kernel thread `[kauditd]` is not one.
pub const AUDIT_DAEMONS: &[&str] = &["auditd", "auditbeat", "go-audit"];

/// LIVE014: the process list shows the whole machine and no audit daemon; one finding, at
/// PID 1.
pub fn not_running(cx: &mut Context<'_, Processes>) {
    report_missing(
        cx,
        &NeededDaemon {
            names: AUDIT_DAEMONS,
            unseen: "the process list has no PID 1, so other users' processes are hidden (`/proc` mounted with `hidepid`) and auditd may run unseen; audit as root or with --sudo",
            in_container: "the process list is a container's (a PID namespace without kernel threads): the audit subsystem is the host kernel's, audited on the host",
            key: "auditd",
            message: "auditd does not run, so logins, sudo, account changes and changes to audited files leave no audit trail; `apt install auditd audispd-plugins`, `systemctl enable --now auditd`, and load rules (`/etc/audit/rules.d/`)",
        },
    );
}
