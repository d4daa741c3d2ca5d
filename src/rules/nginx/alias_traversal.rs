//! NGX005: `alias` under a prefix location without a trailing slash.

use crate::document::Document;
use crate::rules::nginx::{each_directive, report_at};
use crate::rules::Emitter;

/// NGX005: `location /files { alias /home/; }` serves `/files../etc/passwd` as
/// `/home/../etc/passwd`. Only prefix locations are affected: exact (`=`) locations match
/// one URI and regex locations substitute captures.
pub fn check(doc: &Document, out: &mut Emitter) {
    each_directive(doc, "alias", |blocks, directive| {
        let Some(location) = blocks.last().filter(|b| b.name == "location") else {
            return;
        };
        let args: Vec<&str> = location.values().collect();
        let prefix = match args.as_slice() {
            [path] => *path,
            ["^~", path] => *path,
            _ => return,
        };
        if !prefix.ends_with('/') {
            report_at(
                doc,
                out,
                blocks,
                directive,
                0,
                format!("`location {prefix}` has no trailing slash, so `{prefix}../` walks out of the aliased directory; write `location {prefix}/`"),
            );
        }
    });
}
