//! NGX001–NGX002: nginx telling visitors more than it should.

use crate::document::Document;
use crate::rules::nginx::{each_directive, report_at};
use crate::rules::Emitter;

/// NGX001: `server_tokens on` (or `build`) explicitly set.
pub fn server_tokens(doc: &Document, out: &mut Emitter) {
    each_directive(doc, "server_tokens", |blocks, directive| {
        let value = directive.args.first().map_or("", |a| a.value.as_str());
        if matches!(value, "on" | "build") {
            report_at(
                doc,
                out,
                blocks,
                directive,
                0,
                format!("`server_tokens {value}` puts the nginx version in every error page and `Server` header; write `server_tokens off;`"),
            );
        }
    });
}

/// NGX002: `autoindex on`.
pub fn autoindex(doc: &Document, out: &mut Emitter) {
    each_directive(doc, "autoindex", |blocks, directive| {
        if directive.args.first().is_some_and(|a| a.value == "on") {
            report_at(
                doc,
                out,
                blocks,
                directive,
                0,
                "`autoindex on` lists every file in the directory to anyone who asks; write `autoindex off;` (the default) and link the files you mean to publish".to_owned(),
            );
        }
    });
}
