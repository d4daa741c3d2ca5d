//! LIVE017: a host file differs from the repository file that deploys it (the inventory's
//! `files`). Someone changed the server by hand, or the last deployment did not run: either
//! way the repository no longer describes the host, and the next deployment will silently
//! undo the change or keep a fix from landing.

use crate::formats::deployed::DeployedCopy;
use crate::msg;
use crate::rules::Context;

/// LIVE017: over the repository file's first differing lines, each differing part listed
/// with its lines on both sides (secrets masked by each file's own format), as a unified
/// diff would show them.
pub fn differs(cx: &mut Context<'_, DeployedCopy>) {
    let Some(difference) = &cx.content.difference else {
        return;
    };
    let message = msg!(
        "the host's copy of this file differs from it in {} place(s) ({} of this file's lines are not on the host, {} of the host's are not here): someone changed the host by hand or the last deployment did not run, and the next one will overwrite or keep the change unseen; deploy this file again, or bring the host's change into the repository",
        difference.hunks.len() + difference.more_hunks,
        difference.only_in_repository,
        difference.only_on_host
    );
    let first = difference
        .hunks
        .first()
        .map(|h| h.repository)
        .filter(|span| !span.is_empty())
        .unwrap_or(difference.repository_line);
    let source = std::sync::Arc::clone(cx.source());
    let finding = cx.report(first, "deployed-copy-differs", message);
    if difference.hunks.is_empty() {
        // Only line endings or the final newline differ.
        finding.related_in(
            &difference.host,
            difference.host_line,
            "the host's copy differs from here",
        );
        return;
    }
    for (i, hunk) in difference.hunks.iter().enumerate() {
        let lines = |range: &std::ops::Range<usize>| match range.len() {
            1 => msg!("line {}", range.start + 1),
            _ => msg!("lines {}–{}", range.start + 1, range.end),
        };
        if hunk.host_lines.is_empty() {
            finding.related_in(
                &difference.host,
                hunk.host,
                msg!(
                    "the host lacks the repository's {} here",
                    lines(&hunk.repository_lines)
                ),
            );
        } else if hunk.repository_lines.is_empty() {
            finding.related_code_in(
                &difference.host,
                hunk.host,
                msg!("only on the host ({})", lines(&hunk.host_lines)),
            );
        } else {
            finding.related_code_in(
                &difference.host,
                hunk.host,
                msg!(
                    "only on the host ({}), in place of the repository's {}",
                    lines(&hunk.host_lines),
                    lines(&hunk.repository_lines)
                ),
            );
        }
        // The first part's repository lines are the finding's own.
        if i > 0 && !hunk.repository_lines.is_empty() {
            finding.related_code_in(
                &source,
                hunk.repository,
                msg!("only in the repository ({})", lines(&hunk.repository_lines)),
            );
        }
    }
}
