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

/// PF001: every line a parser could not read.
pub fn parse_errors(cx: &mut Context<'_, Document>) {
    for (n, error) in cx.doc.parse_errors().iter().enumerate() {
        let key = format!("{}#{n}", error.message.fingerprint_text(cx.source()));
        cx.report(error.span, key, error.message.clone());
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
