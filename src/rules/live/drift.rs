//! LIVE017: a host file differs from the repository file that deploys it (the inventory's
//! `files`). Someone changed the server by hand, or the last deployment did not run: either
//! way the repository no longer describes the host, and the next deployment will silently
//! undo the change or keep a fix from landing.

use crate::formats::deployed::DeployedCopy;
use crate::msg;
use crate::rules::Context;

/// LIVE017: at the first line of the repository file that the host's copy does not have,
/// with the host's first differing line as a related location.
pub fn differs(cx: &mut Context<'_, DeployedCopy>) {
    let Some(difference) = &cx.content.difference else {
        return;
    };
    let message = msg!(
        "the host's copy of this file differs from it ({} of this file's lines are not on the host, {} of the host's are not here; the first difference is here): someone changed the host by hand or the last deployment did not run, and the next one will overwrite or keep the change unseen; deploy this file again, or bring the host's change into the repository",
        difference.only_in_repository,
        difference.only_on_host
    );
    cx.report(difference.repository_line, "deployed-copy-differs", message)
        .related_in(
            &difference.host,
            difference.host_line,
            "the host's copy differs from here",
        );
}
