//! LIVE016: a filesystem is nearly full. A full disk is how a healthy host stops: the
//! database refuses writes, backups and log rotation fail, and services that cannot write
//! their PID or socket files do not restart.

use crate::formats::host::df::DiskUsage;
use crate::message::{Decimals, Message, Quote};
use crate::msg;
use crate::rules::Context;
use crate::source::Span;

/// The share of usable space at which a filesystem is reported (percent).
pub const NEARLY_FULL: u64 = 90;

/// LIVE016: each storage filesystem at [`NEARLY_FULL`] or more, at its line, naming the
/// data folders on it.
pub fn nearly_full(cx: &mut Context<'_, DiskUsage>) {
    let df = cx.content;
    for fs in df.filesystems.iter().filter(|f| f.is_storage()) {
        let used = fs.used_percent();
        if used < NEARLY_FULL {
            continue;
        }
        let data: Vec<&(String, Span)> = df.data_on(fs).collect();
        let holds = if data.is_empty() {
            Message::new()
        } else {
            let names = data
                .iter()
                .map(|(dir, span)| Message::from(Quote::derived(*span, dir.as_str())));
            msg!(" and holds `{}`", Message::join(names, "`, `"))
        };
        let problem = msg!(
            "`{}` is {}% full ({} GiB free of {} GiB){}: when it fills, databases refuse writes, backups and log rotation fail and services cannot restart; free space (old backups and logs, `journalctl --vacuum-size=500M`, `apt-get clean`, `docker system prune`) or grow the volume, and alert well before {}%",
            Quote::derived(fs.span, fs.mount.as_str()),
            used,
            Decimals(gib(fs.available_kib), 1),
            Decimals(gib(fs.used_kib + fs.available_kib), 1),
            holds,
            NEARLY_FULL
        );
        cx.report(fs.span, "disk-nearly-full", problem);
    }
}

/// `kib` in GiB.
fn gib(kib: u64) -> f64 {
    kib as f64 / (1024.0 * 1024.0)
}
