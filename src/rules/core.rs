//! Checks every format shares: parse errors and suppression comments.

use crate::document::Document;
use crate::rules::Emitter;
use crate::suppress;

/// PF001: every line a parser could not read.
pub fn parse_errors(doc: &Document, out: &mut Emitter) {
    for (n, error) in doc.parse_errors().iter().enumerate() {
        let key = format!("{}#{n}", error.message);
        out.report(&doc.source, error.span, key, error.message.clone());
    }
}

/// PF002: suppression comments without a reason or naming rules that do not exist.
pub fn suppression_comments(doc: &Document, out: &mut Emitter) {
    for comment in suppress::find(&doc.source) {
        let key = format!("line-comment:{}", comment.rules.join(","));
        if comment.reason.is_empty() {
            out.report(
                &doc.source,
                comment.span,
                key.clone(),
                format!(
                    "this suppression has no reason and is not applied; write why: `# preflight: ignore[{}] <reason>`",
                    comment.rules.join(", ")
                ),
            );
        }
        if comment.rules.is_empty() {
            out.report(
                &doc.source,
                comment.span,
                key.clone(),
                "this suppression names no rule; write `# preflight: ignore[RULE-ID] <reason>`",
            );
        }
        for rule in comment
            .rules
            .iter()
            .filter(|r| out.catalog.get(r).is_none())
        {
            out.report(
                &doc.source,
                comment.span,
                format!("{key}:{rule}"),
                format!(
                    "this suppression names `{rule}`, which is not a rule (see `preflight rules`)"
                ),
            );
        }
    }
}
