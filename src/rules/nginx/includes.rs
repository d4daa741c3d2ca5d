//! NGX021: `include` directives nginx would fail on.

use crate::formats::nginx::NginxConfig;
use crate::rules::Context;

/// NGX021: an `include` naming a file that does not exist where the scan has its directory,
/// or one that closes a cycle of includes. Found while resolving includes (see
/// [`crate::formats::nginx::includes`]); reported in the file that has the `include`, whether or not another
/// file includes that one.
pub fn check(cx: &mut Context<'_, NginxConfig>) {
    for problem in &cx.content.includes.problems {
        let key = format!("include {}", cx.source().slice(problem.span));
        cx.report(problem.span, key, problem.message.clone());
    }
}
