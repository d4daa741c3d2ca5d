//! BAK002: backup jobs that never delete old backups.

use crate::document::Document;
use crate::msg;
use crate::rules::backup::jobs;
use crate::rules::Context;

/// BAK002: a backup job whose command line is visible (not a script) and with no retention
/// step on its line or elsewhere in the same file: the disk fills up, and then the newest
/// backups are the ones that fail.
pub fn without_retention(cx: &mut Context<'_, Document>) {
    for job in jobs(cx.doc) {
        if job.command.is_visible() && job.retention.is_none() {
            cx.report(job.span, format!("retention:{}", job.command.tool.name()), msg!(
                "this `{}` backup is never cleaned up, so backups pile up until the disk is full and the next one fails; delete old copies on the same line, e.g. `&& find /var/backups -name '*.gz' -mtime +14 -delete` (or `restic forget --keep-daily 7 --prune`, `borg prune`)",
                job.tool()));
        }
    }
}
