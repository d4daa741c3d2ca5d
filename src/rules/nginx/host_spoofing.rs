//! NGX004: the `Host` sent upstream taken from what the client claims.

use crate::formats::nginx::NginxConfig;
use crate::msg;
use crate::rules::nginx::each_directive;
use crate::rules::Context;

/// NGX004: `proxy_set_header Host` built from `$http_host` or a query argument, which the
/// client controls; `$host` is validated against `server_name`.
pub fn check(cx: &mut Context<'_, NginxConfig>) {
    each_directive(cx.content, "proxy_set_header", |blocks, directive| {
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
            let value = cx.quote(directive, value.span, &value.value);
            cx.report_at(
                blocks,
                directive,
                1,
                msg!("the `Host` header sent upstream comes from the client (`{}`), so password-reset links and cache keys can be poisoned; write `proxy_set_header Host $host;`", value),
            );
        }
    });
}
