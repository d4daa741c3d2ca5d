//! Rules for nginx configuration files: directives judged where they stand, and the
//! add_header inheritance trap. Rules see each configuration once, from the file nothing
//! else includes, with its includes expanded (see [`crate::formats::nginx::includes`]).

use crate::document::Document;
use std::sync::Arc;

use crate::formats::nginx::{for_each, NginxDirective};
use crate::rules::{Emitter, RawFinding};
use crate::source::SourceFile;

pub mod alias_traversal;
pub mod context;
pub mod effective;
pub mod exposure;
pub mod header_inheritance;
pub mod header_values;
pub mod host_spoofing;
pub mod https;
pub mod includes;
pub mod origin_regex;
pub mod request_limits;
pub mod response_splitting;
pub mod security_headers;
pub mod servers;
pub mod ssrf;
pub mod tls;
pub mod variables;

/// The directives nginx rules judge in `doc`: its tree with followed includes expanded, or
/// nothing when another scanned file includes it (it is judged there, in its real context).
pub(crate) fn tree(doc: &Document) -> Option<&[NginxDirective]> {
    let config = doc.as_nginx()?;
    (!config.includes.included_elsewhere).then(|| config.tree())
}

/// The file `directive` was written in: an included file, or `doc` itself.
pub(crate) fn source_of<'a>(
    doc: &'a Document,
    directive: &'a NginxDirective,
) -> &'a Arc<SourceFile> {
    directive.origin.as_ref().unwrap_or(&doc.source)
}

/// Calls `check` for every directive named `name` in `doc`'s [`tree`], with the blocks
/// around it.
fn each_directive<'a>(
    doc: &'a Document,
    name: &str,
    mut check: impl FnMut(&[&'a NginxDirective], &'a NginxDirective),
) {
    let Some(tree) = tree(doc) else { return };
    for_each(tree, &mut |blocks, directive| {
        if directive.name == name {
            check(blocks, directive);
        }
    });
}

/// A fingerprint key that names a directive by where it is, not by its line:
/// `server(shop.example.org) > location(/uploads) > autoindex`.
pub(crate) fn directive_key(blocks: &[&NginxDirective], directive: &NginxDirective) -> String {
    let mut parts: Vec<String> = blocks
        .iter()
        .map(|b| {
            let args: Vec<&str> = b.values().collect();
            format!("{}({})", b.name, args.join(" "))
        })
        .collect();
    parts.push(directive.name.clone());
    parts.join(" > ")
}

/// Reports `message` at `directive`'s argument `arg` (or its name when it has none).
fn report_at<'e>(
    doc: &Document,
    out: &'e mut Emitter,
    blocks: &[&NginxDirective],
    directive: &NginxDirective,
    arg: usize,
    message: String,
) -> &'e mut RawFinding {
    let span = directive
        .args
        .get(arg)
        .map_or(directive.name_span, |a| a.span);
    out.report(
        source_of(doc, directive),
        span,
        directive_key(blocks, directive),
        message,
    )
}
