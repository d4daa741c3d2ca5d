//! NGX004: the `Host` sent upstream taken from what the client claims.

use crate::document::Document;
use crate::rules::nginx::{each_directive, report_at};
use crate::rules::Emitter;

/// NGX004: `proxy_set_header Host` built from `$http_host` or a query argument, which the
/// client controls; `$host` is validated against `server_name`.
pub fn check(doc: &Document, out: &mut Emitter) {
    each_directive(doc, "proxy_set_header", |blocks, directive| {
        let (Some(name), Some(value)) = (directive.args.first(), directive.args.get(1)) else {
            return;
        };
        if !name.value.eq_ignore_ascii_case("host") {
            return;
        }
        let lower = value.value.to_ascii_lowercase();
        let spoofable = lower.contains("$http_host")
            || lower.contains("${http_host}")
            || lower.contains("$arg_")
            || lower.contains("${arg_");
        if spoofable {
            report_at(
                doc,
                out,
                blocks,
                directive,
                1,
                format!("the `Host` header sent upstream comes from the client (`{}`), so password-reset links and cache keys can be poisoned; write `proxy_set_header Host $host;`", value.value),
            );
        }
    });
}
