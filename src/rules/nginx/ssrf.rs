//! NGX017: `proxy_pass` to a host the client chooses (gixy's `ssrf`).

use crate::formats::nginx::NginxConfig;
use crate::msg;
use crate::rules::nginx::each_directive;
use crate::rules::nginx::variables::{expand, Piece};
use crate::rules::Context;

/// Which part of the upstream URL a piece of `proxy_pass`'s value lands in.
#[derive(Clone, Copy, PartialEq)]
enum UrlPart {
    Scheme,
    Host,
    Path,
}

/// NGX017: a `proxy_pass` whose scheme or host is built from a variable the client
/// controls and that can hold a dot (so it can name any host): a query argument, a header,
/// or a regex capture of the URI, directly or through `set`. Variables that always start
/// with `/` (`$request_uri`, `$uri`) end the host; `internal` locations are only reachable
/// from nginx itself and are not judged.
pub fn check(cx: &mut Context<'_, NginxConfig>) {
    each_directive(cx.content, "proxy_pass", |blocks, directive| {
        let Some(value) = directive.args.first() else {
            return;
        };
        let internal = blocks
            .iter()
            .any(|b| b.name == "location" && b.children().iter().any(|d| d.name == "internal"));
        if internal {
            return;
        }
        let mut part = UrlPart::Scheme;
        for piece in expand(blocks, directive, value) {
            match piece {
                Piece::Text(text) => part = advance(part, &text),
                Piece::Variable { .. } if part == UrlPart::Path => return,
                Piece::Variable { traits: None, .. } => return,
                Piece::Variable {
                    traits: Some(traits),
                    ..
                } if traits.leading_slash => part = UrlPart::Path,
                Piece::Variable {
                    name,
                    written,
                    via,
                    traits: Some(traits),
                    origin,
                } if traits.controlled && traits.dot => {
                    let shown = cx.describe(&name, written, via.as_ref());
                    let variable = cx.variable(&name, written);
                    let which = if part == UrlPart::Scheme {
                        "scheme and host"
                    } else {
                        "host"
                    };
                    let origin = origin.map(|(span, written_in)| (cx.source_of(written_in), span));
                    let finding = cx.report_at(
                        blocks,
                        directive,
                        0,
                        msg!("the upstream's {} comes from {}, which the client controls, so anyone can make nginx fetch internal addresses (cloud metadata at 169.254.169.254, admin ports); proxy to a fixed upstream, map allowed values with `map`, or mark the location `internal`", which, shown),
                    );
                    if let Some((source, span)) = origin {
                        finding.related_in(
                            source,
                            span,
                            msg!("`{}` is set from the request here", variable),
                        );
                    }
                    return;
                }
                Piece::Variable { .. } => {}
            }
        }
    });
}

/// The URL part after `text`, given the part it starts in.
fn advance(part: UrlPart, text: &str) -> UrlPart {
    match part {
        UrlPart::Scheme => match text.find("://") {
            Some(at) => advance(UrlPart::Host, &text[at + 3..]),
            None => UrlPart::Scheme,
        },
        UrlPart::Host if text.contains(['/', '?', '#']) => UrlPart::Path,
        other => other,
    }
}
