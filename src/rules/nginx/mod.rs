//! Rules for nginx configuration files: directives judged where they stand, and the
//! add_header inheritance trap. Includes are not followed yet.

use crate::document::Document;
use crate::formats::nginx::NginxDirective;
use crate::rules::{Emitter, RawFinding};

pub mod alias_traversal;
pub mod context;
pub mod exposure;
pub mod header_inheritance;
pub mod header_values;
pub mod host_spoofing;
pub mod https;
pub mod origin_regex;
pub mod response_splitting;
pub mod security_headers;
pub mod ssrf;
pub mod tls;
pub mod variables;

/// Calls `check` for every directive named `name`, with the blocks around it.
fn each_directive<'a>(
    doc: &'a Document,
    name: &str,
    mut check: impl FnMut(&[&'a NginxDirective], &'a NginxDirective),
) {
    let Some(config) = doc.as_nginx() else { return };
    for (blocks, directive) in config.walk() {
        if directive.name == name {
            check(&blocks, directive);
        }
    }
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
    out.report(&doc.source, span, directive_key(blocks, directive), message)
}
