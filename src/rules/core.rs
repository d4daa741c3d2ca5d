//! Checks every format shares: parse errors and suppression comments.

use crate::document::Document;
use crate::message::Quote;
use crate::msg;
use crate::rules::{checks, Context, RegisteredCheck};
use crate::suppress;

/// The family's built-in checks, sorted by name (see `crate::rules::registry`).
pub(crate) const RULES: &[RegisteredCheck] = checks! {
    document "parse-errors" => parse_errors;
    document "suppression-comments" => suppression_comments;
};

/// Parse errors reported one by one in a file. Past that many the file is not what its
/// name says, or is hostile (a megabyte of garbage would be a hundred thousand findings and
/// annotations): one more finding counts the rest.
pub const MAX_PARSE_ERRORS: usize = 50;

/// PF001: every line a parser could not read, up to [`MAX_PARSE_ERRORS`] per file.
pub fn parse_errors(cx: &mut Context<'_, Document>) {
    let errors = cx.doc.parse_errors();
    for (n, error) in errors.iter().take(MAX_PARSE_ERRORS).enumerate() {
        let key = format!("{}#{n}", error.message.fingerprint_text(cx.source()));
        cx.report(error.span, key, error.message.clone());
    }
    if let Some(first) = errors.get(MAX_PARSE_ERRORS) {
        let more = errors.len() - MAX_PARSE_ERRORS;
        cx.report(first.span, "more-parse-errors", msg!(
            "{} more places cannot be read either (the first {} are reported one by one); fix those, or exclude the file if it is not of the kind its name says",
            more, MAX_PARSE_ERRORS));
    }
}

/// PF002: suppression comments without a reason or naming rules that do not exist.
pub fn suppression_comments(cx: &mut Context<'_, Document>) {
    let catalog = cx.catalog();
    for comment in suppress::find(cx.source()) {
        let key = format!("line-comment:{}", comment.rules.join(","));
        if comment.reason.is_empty() {
            cx.report(
                comment.span,
                key.clone(),
                msg!(
                    "this suppression has no reason and is not applied; write why: `# preflight: ignore[{}] <reason>`",
                    Quote::derived(comment.span, comment.rules.join(", "))
                ),
            );
        }
        if comment.rules.is_empty() {
            cx.report(
                comment.span,
                key.clone(),
                "this suppression names no rule; write `# preflight: ignore[RULE-ID] <reason>`",
            );
        }
        for rule in comment.rules.iter().filter(|r| catalog.get(r).is_none()) {
            cx.report(
                comment.span,
                format!("{key}:{rule}"),
                msg!(
                    "this suppression names `{}`, which is not a rule (see `preflight rules`)",
                    Quote::derived(comment.span, rule.as_str())
                ),
            );
        }
    }
}
