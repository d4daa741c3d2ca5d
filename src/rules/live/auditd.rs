//! LIVE014: the Linux audit daemon does not run, so logins, `sudo`, changes to
//! `/etc/passwd` and module loads leave no tamper-evident record to investigate with.

use crate::formats::host::ps::{Processes, Visibility};
use crate::rules::Context;

/// The daemons that take the kernel's audit records: `auditd`, or Elastic's `auditbeat`
/// and Slack's `go-audit`, which replace it. The kernel thread `[kauditd]` is not one.
pub const AUDIT_DAEMONS: &[&str] = &["auditd", "auditbeat", "go-audit"];

/// LIVE014: the process list shows the whole machine and no audit daemon; one finding, at
/// PID 1.
pub fn not_running(cx: &mut Context<'_, Processes>) {
    let processes = cx.content;
    match processes.visibility() {
        Visibility::Partial => {
            cx.not_evaluated("the process list has no PID 1, so other users' processes are hidden (`/proc` mounted with `hidepid`) and auditd may run unseen; audit as root or with --sudo");
            return;
        }
        Visibility::Container => {
            cx.not_evaluated("the process list is a container's (a PID namespace without kernel threads): the audit subsystem is the host kernel's, audited on the host");
            return;
        }
        Visibility::Machine => {}
    }
    if processes.running(AUDIT_DAEMONS).is_some() {
        return;
    }
    let Some(init) = processes.processes.iter().find(|p| p.pid == 1) else {
        return;
    };
    cx.report(
        init.span,
        "auditd",
        "auditd does not run, so logins, sudo, account changes and changes to audited files leave no audit trail; `apt install auditd audispd-plugins`, `systemctl enable --now auditd`, and load rules (`/etc/audit/rules.d/`)",
    );
}
