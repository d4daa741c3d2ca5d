//! NGX026: `include` directives preflight did not follow.

use crate::formats::nginx::NginxConfig;
use crate::rules::Context;

/// NGX026: an `include` nginx would follow but preflight did not, because the expanded
/// configuration would exceed its directive budget (includes that fan out) or nest blocks
/// past the parser's depth limit. Without a finding, a configuration built to exhaust the
/// budget would pass with part of it unjudged.
pub fn check(cx: &mut Context<'_, NginxConfig>) {
    for not_followed in &cx.content.includes.not_followed {
        let key = format!("include {}", cx.source().slice(not_followed.span));
        cx.report(not_followed.span, key, not_followed.message.clone());
    }
}
