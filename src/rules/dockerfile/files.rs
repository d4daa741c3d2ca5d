//! DKR005–DKR007: what goes into the image from where.

use crate::formats::dockerfile::{Dockerfile, Instruction};
use crate::formats::Presence;
use crate::message::Quote;
use crate::msg;
use crate::rules::dockerfile::final_instructions;
use crate::rules::Context;
use crate::source::Span;

/// The source words of a `COPY`/`ADD` (all words but the destination), heredoc markers out.
fn sources(instruction: &Instruction) -> impl Iterator<Item = (&str, Span)> {
    let count = instruction.words.len().saturating_sub(1);
    instruction
        .words
        .iter()
        .take(count)
        .filter(|w| !w.text.starts_with("<<"))
        .map(|w| (w.text.as_str(), w.span))
}

fn is_url(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Archives `ADD` unpacks, the one thing `COPY` cannot do.
fn is_local_archive(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    [
        ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz", ".tar.zst",
    ]
    .iter()
    .any(|ext| lower.ends_with(ext))
}

/// DKR005: `ADD https://…` without `--checksum=`, in any stage: the build downloads
/// whatever the server sends at that moment, unverified, into the image.
pub fn add_remote_url(cx: &mut Context<'_, Dockerfile>) {
    let file = cx.content;
    for add in file.instructions.iter().filter(|i| i.keyword == "ADD") {
        if add.flag("checksum").is_some() {
            continue;
        }
        for (source, span) in sources(add).filter(|(s, _)| is_url(s)) {
            cx.report(span, source, msg!(
                "`ADD {}` downloads a file at build time without verifying it: whoever controls that server (or the network) decides what ends up in the image, and the download is not repeatable; add `--checksum=sha256:…` or download with `RUN curl -fsSLO … && echo \"<sha256>  file\" | sha256sum -c -`",
                Quote::derived(span, source)));
        }
    }
}

/// DKR006: `ADD` of a local file or folder that is not an archive: `COPY` does the same
/// without `ADD`'s surprises (unpacking archives, fetching URLs).
pub fn add_instead_of_copy(cx: &mut Context<'_, Dockerfile>) {
    for add in cx
        .content
        .instructions
        .iter()
        .filter(|i| i.keyword == "ADD")
    {
        let local = sources(add)
            .filter(|(s, _)| !is_url(s) && !s.starts_with("git@") && !is_local_archive(s))
            .count();
        if local > 0 && local == sources(add).count() {
            cx.report(add.keyword_span, "ADD",
                "`ADD` of local files: `COPY` does the same and nothing more, while `ADD` also unpacks anything that looks like an archive and fetches URLs; write `COPY`");
        }
    }
}

/// DKR007: `COPY . .` (the whole build context) into the final image while no
/// `.dockerignore` sits next to the Dockerfile: `.env` files, `.git` and local secrets are
/// baked into the image.
pub fn copy_whole_context(cx: &mut Context<'_, Dockerfile>) {
    // Unknown (a Dockerfile outside the scan's folders, a snapshot's): not reported.
    if cx.content.context_ignore != Presence::Absent {
        return;
    }
    for copy in final_instructions(cx.content)
        .into_iter()
        .filter(|i| matches!(i.keyword.as_str(), "COPY" | "ADD") && i.flag("from").is_none())
    {
        if let Some((source, span)) = sources(copy).find(|(s, _)| matches!(*s, "." | "./")) {
            let keyword = if copy.keyword == "ADD" { "ADD" } else { "COPY" };
            cx.report(span, "COPY .", msg!(
                "`{} {}` copies the whole build context into the image and there is no `.dockerignore` next to this Dockerfile: `.env` files, `.git`, keys and local databases end up in the image for anyone who pulls it; add a `.dockerignore` (`.env*`, `.git`, `node_modules`, `*.pem`) or copy only what the application needs",
                keyword, Quote::derived(span, source)));
        }
    }
}
