//! LIVE011: a file that holds secrets (an env file, a TLS private key) is readable by every
//! account on the host.

use crate::formats::host::modes::FileModes;
use crate::message::Quote;
use crate::msg;
use crate::rules::Context;

/// LIVE011: each secret file with the "other read" bit set.
pub fn world_readable(cx: &mut Context<'_, FileModes>) {
    for file in cx.content.files.iter().filter(|f| f.world_readable()) {
        cx.report(
            file.mode_span,
            format!("mode:{}", file.path),
            msg!(
                "`{}` is readable by every account on the host (mode {}): any local user or compromised service reads the secrets in it; `chmod 640` (or 600) and give the group to the service that reads it",
                Quote::at(file.path_span),
                Quote::at(file.mode_span)
            ),
        );
    }
}
