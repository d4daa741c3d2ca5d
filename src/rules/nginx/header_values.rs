//! NGX006–NGX007: header and referer directives whose values do not do what they seem to.

use crate::formats::nginx::NginxConfig;
use crate::msg;
use crate::rules::nginx::each_directive;
use crate::rules::Context;

/// NGX006: a header value spanning lines. nginx sends the line break as is; browsers and
/// proxies reject such a response or read the continuation as a new header (gixy's
/// `add_header_multiline`). `more_set_headers` flags (`-s`, `-t`, `-r`) and their values
/// are not header values.
pub fn multiline(cx: &mut Context<'_, NginxConfig>) {
    let mut check = |name: &'static str| {
        each_directive(cx.content, name, |blocks, directive| {
            let mut skip_next = false;
            for (i, arg) in directive.args.iter().enumerate() {
                if name == "more_set_headers" {
                    if skip_next {
                        skip_next = false;
                        continue;
                    }
                    if matches!(arg.value.as_str(), "-s" | "-t") {
                        skip_next = true;
                        continue;
                    }
                    if arg.value == "-r" {
                        continue;
                    }
                } else if i != 1 {
                    continue;
                }
                if arg.value.contains('\n') {
                    cx.report_at(
                        blocks,
                        directive,
                        i,
                        msg!("this `{}` value spans several lines; nginx sends the line breaks, which clients reject or read as new headers — write the value on one line", name),
                    );
                }
            }
        });
    };
    check("add_header");
    check("more_set_headers");
}

/// NGX007: `valid_referers none` accepts requests without a `Referer`, which is every
/// request an attacker crafts (gixy's `valid_referers`).
pub fn referers_none(cx: &mut Context<'_, NginxConfig>) {
    each_directive(cx.content, "valid_referers", |blocks, directive| {
        if let Some(i) = directive.args.iter().position(|a| a.value == "none") {
            cx.report_at(
                blocks,
                directive,
                i,
                "`none` accepts requests without a `Referer` header, which an attacker can always send; remove `none` and list the allowed sites",
            );
        }
    });
}
