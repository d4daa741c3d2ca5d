//! LIVE007: the newest file in a backup directory is older than allowed, or there is none.
//! A backup job that stopped (full disk, expired credentials, a renamed database) fails
//! silently; the age of its newest artefact is what tells.

use crate::formats::host::backups::BackupListing;
use crate::message::{Message, Quote};
use crate::msg;
use crate::rules::Context;

/// LIVE007: stale, empty or missing backup directory.
pub fn stale(cx: &mut Context<'_, BackupListing>) {
    let listing = cx.content;
    let now = super::judged_at(listing.judged_at);
    for dir in &listing.dirs {
        let path = Quote::at(dir.path_span);
        let (span, message) = match &dir.newest {
            _ if dir.missing && dir.named_by_job => (
                dir.span,
                msg!("the backup job writes into `{}`, which does not exist: the job fails before it writes anything; create the folder for the job's user, or fix the path in the job", path),
            ),
            _ if dir.missing => (
                dir.span,
                msg!("the backup directory `{}` does not exist; point the backup job at it, or fix `--backup-dir`", path),
            ),
            None if dir.named_by_job => (
                dir.span,
                msg!("the folder `{}` the backup job writes into holds no file: the job has never finished; run it once by hand, read its error and check that cron runs", path),
            ),
            None => (
                dir.span,
                msg!("the backup directory `{}` holds no file: the backup job never ran or writes elsewhere; run it once by hand and check its timer or crontab", path),
            ),
            Some(newest) => {
                let age = now - newest.time as i64;
                if age <= dir.max_age as i64 {
                    continue;
                }
                let allowed = if dir.named_by_job {
                    msg!("the {} its schedule allows", hours(dir.max_age as i64))
                } else {
                    msg!("the {} allowed", hours(dir.max_age as i64))
                };
                (
                    newest.span,
                    msg!("the newest backup `{}` is {} old, more than {}: the backup job has stopped; check its logs and timer, then run it by hand", Quote::at(newest.path_span), hours(age), allowed),
                )
            }
        };
        cx.report(span, format!("backup:{}", dir.path), message);
    }
}

fn hours(seconds: i64) -> Message {
    let hours = seconds / 3600;
    if hours >= 48 {
        msg!("{} days {} hours", hours / 24, hours % 24)
    } else {
        msg!("{} hours", hours)
    }
}
