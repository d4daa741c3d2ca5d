//! BAK003: database dumps written in the clear.

use crate::backup::BackupKind;
use crate::document::Document;
use crate::msg;
use crate::rules::backup::jobs;
use crate::rules::Context;

/// BAK003: a dump or file archive with no encryption step on its line (`gpg`, `age`,
/// `openssl enc`); restic and borg encrypt by design. A backup copied off the host, or
/// read by anyone who gets the backup folder, is the whole database.
pub fn unencrypted(cx: &mut Context<'_, Document>) {
    for job in jobs(cx.doc) {
        let visible = matches!(job.command.kind, BackupKind::Dump(_) | BackupKind::Files);
        if visible && !job.command.encrypted {
            cx.report(job.span, format!("encryption:{}", job.command.tool.name()), msg!(
                "this `{}` backup is written unencrypted: whoever reads the backup folder or the off-site copy reads the data; pipe it through `gpg --encrypt -r backup@example.org` or `age -r <recipient>`, or use restic/borg",
                job.tool()));
        }
    }
}
