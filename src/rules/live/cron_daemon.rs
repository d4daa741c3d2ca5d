//! LIVE013: no cron daemon runs while crontabs hold jobs. Every backup, renewal and
//! cleanup scheduled there silently stops; this is the usual reason a backup is stale.

use crate::formats::crontab::Crontab;
use crate::formats::host::ps::{Processes, Visibility};
use crate::formats::Target;
use crate::msg;
use crate::rules::ProjectContext;

/// The daemons that run crontabs: Debian's `cron`, cronie's and busybox's and dcron's
/// `crond`, `fcron`, and `supercronic` (containers).
pub const CRON_DAEMONS: &[&str] = &["cron", "crond", "fcron", "supercronic"];

/// LIVE013: the host's process list (one per snapshot) shows no cron daemon and the
/// collected crontabs hold jobs; one finding, at the first job.
pub fn not_running(cx: &mut ProjectContext<'_, Processes>) {
    let crontabs = cx.of_kind::<Crontab>();
    let Some(ps) = cx.docs.first().copied() else {
        // A static scan, or a host whose process list could not be collected.
        for crontab in &crontabs {
            if cx.unseen(Target::Processes).is_some() {
                cx.not_evaluated_in(crontab.source(), "the host's process list could not be collected, so whether cron runs is unknown");
            } else {
                cx.not_applicable_in(
                    crontab.source(),
                    "judged only in a live audit, against the host's process list",
                );
            }
        }
        return;
    };
    if ps.content.visibility() == Visibility::Partial {
        cx.not_evaluated_in(ps.source(), "the process list has no PID 1, so other users' processes are hidden (`/proc` mounted with `hidepid`) and cron may run unseen; audit as root or with --sudo");
        for crontab in &crontabs {
            cx.not_evaluated_in(
                crontab.source(),
                "the host's process list is partial, so whether cron runs is unknown",
            );
        }
        return;
    }
    if ps.content.running(CRON_DAEMONS).is_some() {
        return;
    }
    let with_jobs: Vec<_> = crontabs
        .iter()
        .filter(|c| !c.content.jobs.is_empty())
        .collect();
    let Some(first) = with_jobs.first() else {
        if cx.unseen(Target::Cron).is_some() {
            cx.not_evaluated_in(ps.source(), "no cron daemon runs, and some crontabs could not be read, so whether jobs wait for it is unknown");
        }
        return;
    };
    let jobs: usize = with_jobs.iter().map(|c| c.content.jobs.len()).sum();
    let job = &first.content.jobs[0];
    cx.report_in(
        first.source(),
        job.span,
        "cron-daemon",
        msg!(
            "no cron daemon runs, so this job and every other one in the {} crontab(s) with jobs ({} job(s)) never run: backups, certificate renewals and cleanups silently stop; start it (`systemctl enable --now cron`) or move the jobs to systemd timers",
            with_jobs.len(),
            jobs
        ),
    );
}
