//! NGX018: a line break from the request written into a header (gixy's `http_splitting`).

use crate::formats::nginx::{NginxConfig, NginxDirective};
use crate::msg;
use crate::rules::nginx::each_directive;
use crate::rules::nginx::variables::{expand, Piece};
use crate::rules::Context;

/// Where a directive writes a value that ends up in a header or request line, and whether
/// that is the response to the client (where a bare `\r` splits too) or the request to the
/// upstream (where only `\n` ends a line for nginx-style parsers).
struct HeaderSink {
    directive: &'static str,
    to_client: bool,
}

const SINKS: &[HeaderSink] = &[
    HeaderSink {
        directive: "add_header",
        to_client: true,
    },
    HeaderSink {
        directive: "return",
        to_client: true,
    },
    HeaderSink {
        directive: "rewrite",
        to_client: true,
    },
    HeaderSink {
        directive: "proxy_set_header",
        to_client: false,
    },
    HeaderSink {
        directive: "proxy_pass",
        to_client: false,
    },
];

/// NGX018: a variable that can hold a decoded line break (`$uri`, `$document_uri`, a regex
/// capture such as `([^/]+)` or `(\W*)`, directly or through `set`) written into a response
/// header (`add_header`, a redirect's `Location`) or into the request sent upstream
/// (`proxy_set_header`, `proxy_pass`). `%0d%0a` in the URL then adds headers of the
/// attacker's choosing, or a second request. `$request_uri` and arguments are raw and safe;
/// `rewrite` captures are re-escaped by nginx.
pub fn check(cx: &mut Context<'_, NginxConfig>) {
    for sink in SINKS {
        each_directive(cx.content, sink.directive, |blocks, directive| {
            let Some(arg) = written_argument(directive) else {
                return;
            };
            let pieces = expand(blocks, directive, &directive.args[arg]);
            let culprit = pieces.into_iter().find_map(|piece| match piece {
                Piece::Variable {
                    name,
                    written,
                    via,
                    traits: Some(traits),
                    origin,
                } if traits.line_feed || (sink.to_client && traits.carriage_return) => Some((
                    cx.describe(&name, written, via.as_ref()),
                    cx.variable(&name, written),
                    traits.line_feed,
                    origin,
                )),
                _ => None,
            });
            let Some((shown, variable, line_feed, origin)) = culprit else {
                return;
            };
            let (breaks, encoded) = if line_feed {
                ("a line break", "%0d%0a")
            } else {
                ("a carriage return", "%0d")
            };
            let target = if sink.to_client {
                "response headers to the client"
            } else {
                "request sent upstream"
            };
            let origin = origin.map(|(span, written_in)| (cx.source_of(written_in), span));
            let finding = cx.report_at(
                blocks,
                directive,
                arg,
                msg!("{} can hold {} decoded from the URL (`{}`), and `{}` writes it into the {}, so a crafted link adds headers of the attacker's choosing; use `$request_uri` or a capture that excludes line breaks (`([^/\\r\\n]+)`, `(.*)`)", shown, breaks, encoded, sink.directive, target),
            );
            if let Some((source, span)) = origin {
                finding.related_in(source, span, msg!("`{}` comes from this regex", variable));
            }
        });
    }
}

/// The argument of `directive` that nginx writes into a header or the upstream request line,
/// if any: the header value, a redirect's URL (`return 301 URL`, `return URL`, a `rewrite`
/// that redirects), `proxy_pass`'s URL.
fn written_argument(directive: &NginxDirective) -> Option<usize> {
    let args: Vec<&str> = directive.values().collect();
    let redirect_url = |url: &str| {
        ["http://", "https://", "$scheme"]
            .iter()
            .any(|p| url.starts_with(p))
    };
    let index = match (directive.name.as_str(), args.as_slice()) {
        ("add_header" | "proxy_set_header", [_, _, ..]) => 1,
        ("proxy_pass", [_]) => 0,
        ("return", [code, _]) if matches!(*code, "301" | "302" | "303" | "307" | "308") => 1,
        ("return", [url]) if redirect_url(url) => 0,
        ("rewrite", [_, url, rest @ ..])
            if redirect_url(url) || rest.iter().any(|f| matches!(*f, "redirect" | "permanent")) =>
        {
            1
        }
        _ => return None,
    };
    Some(index)
}
