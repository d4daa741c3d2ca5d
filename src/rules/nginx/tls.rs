//! NGX003: TLS protocol versions that are broken or deprecated.

use crate::document::Document;
use crate::rules::nginx::{each_directive, report_at};
use crate::rules::Emitter;

/// Protocols RFC 8996 and the SSL RFCs retired: SSLv2, SSLv3, TLS 1.0, TLS 1.1.
const WEAK: &[&str] = &["SSLv2", "SSLv3", "TLSv1", "TLSv1.1"];

/// NGX003: each weak protocol listed in `ssl_protocols`.
pub fn weak_protocols(doc: &Document, out: &mut Emitter) {
    each_directive(doc, "ssl_protocols", |blocks, directive| {
        for (i, arg) in directive.args.iter().enumerate() {
            if WEAK.contains(&arg.value.as_str()) {
                report_at(
                    doc,
                    out,
                    blocks,
                    directive,
                    i,
                    format!("`{}` is deprecated and attackable (RFC 8996); write `ssl_protocols TLSv1.2 TLSv1.3;`", arg.value),
                );
            }
        }
    });
}
