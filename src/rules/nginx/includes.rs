//! NGX021: `include` directives nginx would fail on.

use crate::document::Document;
use crate::rules::Emitter;

/// NGX021: an `include` naming a file that does not exist where the scan has its directory,
/// or one that closes a cycle of includes. Found while resolving includes (see
/// [`crate::formats::nginx::includes`]); reported in the file that has the `include`, whether or not another
/// file includes that one.
pub fn check(doc: &Document, out: &mut Emitter) {
    let Some(config) = doc.as_nginx() else { return };
    for problem in &config.includes.problems {
        let key = format!("include {}", doc.source.slice(problem.span));
        out.report(&doc.source, problem.span, key, problem.message.clone());
    }
}
