//! NGX010: the add_header inheritance trap.
//!
//! nginx inherits `add_header` from the enclosing level only when a level has none of its
//! own. One `add_header Cache-Control …` in a static-files location therefore silently drops
//! HSTS, CSP and every other security header set on the server (deployment guides
//! copied into many sites do exactly this). Since nginx 1.29.3, `add_header_inherit merge` keeps them, and
//! `add_header_inherit off` drops them on purpose; both are honoured.

use std::collections::HashSet;

use crate::formats::nginx::{directives, NginxConfig, NginxDirective};
use crate::message::Message;
use crate::msg;
use crate::rules::nginx::effective::{has_unfollowed_include, HeaderInheritance, HeaderScope};
use crate::rules::nginx::tree;
use crate::rules::Context;

/// Response headers whose loss weakens the browser's protections.
const SECURITY_HEADERS: &[&str] = &[
    "content-security-policy",
    "content-security-policy-report-only",
    "cross-origin-embedder-policy",
    "cross-origin-opener-policy",
    "cross-origin-resource-policy",
    "permissions-policy",
    "referrer-policy",
    "strict-transport-security",
    "x-content-type-options",
    "x-frame-options",
    "x-xss-protection",
];

/// Blocks `add_header` is valid in, through which it is inherited.
const HEADER_CONTEXTS: &[&str] = &["http", "server", "location", "if"];

fn header_name(directive: &NginxDirective) -> Option<String> {
    directive
        .args
        .first()
        .map(|a| a.value.as_str().to_ascii_lowercase())
}

/// A level, as fingerprint keys name it and as messages show it.
struct Place {
    key: String,
    shown: Message,
}

impl Place {
    /// The block `directive` opens.
    fn of<'a>(cx: &Context<'a, NginxConfig>, directive: &'a NginxDirective) -> Self {
        // Joined, not `format!`ted: every block of every file is a level (a fifth of a
        // scan's `format!` calls).
        let mut parts = vec!["`", directive.name.as_str()];
        for arg in directive.values() {
            parts.extend([" ", arg]);
        }
        parts.push("`");
        let key = parts.concat();
        Self {
            key,
            shown: cx.written(directive),
        }
    }

    /// A level named by preflight itself.
    fn named(name: &'static str) -> Self {
        Self {
            key: name.to_owned(),
            shown: name.into(),
        }
    }
}

struct Level<'a> {
    /// The headers a response gets at the enclosing level, and how they are passed on.
    scope: HeaderScope<'a>,
    /// How the enclosing level is named in messages.
    parent: Message,
}

/// NGX010: reports a level whose own `add_header` drops inherited security headers, at its
/// first `add_header`, naming the headers lost and pointing at where they were set.
pub fn check(cx: &mut Context<'_, NginxConfig>) {
    let Some(tree) = tree(cx.content) else { return };
    let top = Level {
        scope: HeaderScope::top(),
        parent: "the enclosing level".into(),
    };
    let walk = Walk {
        always_set: always_set_variables(tree),
    };
    walk.visit(cx, tree, &top, &Place::named("this file's top level"));
}

/// Variables the configuration always gives a value: `set`, or a `map` with a non-empty
/// `default`. A header whose value is any other variable is sent only for some responses,
/// by design (h5bp maps `X-Frame-Options` to `DENY` for HTML and to nothing otherwise) or
/// from a `map` this scan does not show, so a level that drops it may be one where it would
/// be empty anyway.
fn always_set_variables(tree: &[NginxDirective]) -> HashSet<String> {
    directives(tree)
        .filter(|d| match d.name.as_str() {
            "set" => true,
            "map" => d.children().iter().any(|entry| {
                entry.name == "default" && entry.args.first().is_some_and(|v| !v.value.is_empty())
            }),
            _ => false,
        })
        .filter_map(|d| {
            let variable = if d.name == "set" {
                d.args.first()
            } else {
                d.args.get(1)
            };
            variable.map(|v| v.value.as_str().to_ascii_lowercase())
        })
        .collect()
}

/// What one run of the check needs besides the level it is at.
struct Walk {
    always_set: HashSet<String>,
}

impl Walk {
    /// Whether `header` is one whose loss weakens the browser's protections: a security
    /// header with a value that is always sent (see [`always_set_variables`]).
    fn matters(&self, header: &NginxDirective) -> bool {
        let value = header
            .args
            .get(1)
            .map(|v| v.value.as_str().to_ascii_lowercase());
        let conditional =
            value.is_some_and(|v| v.starts_with('$') && !self.always_set.contains(&v));
        header_name(header).is_some_and(|n| SECURITY_HEADERS.contains(&n.as_str())) && !conditional
    }

    fn visit<'a>(
        &self,
        cx: &mut Context<'a, NginxConfig>,
        list: &'a [NginxDirective],
        outer: &Level<'a>,
        here: &Place,
    ) {
        let own: Vec<&NginxDirective> = list.iter().filter(|d| d.name == "add_header").collect();
        let scope = outer.scope.enter(list);
        // An `include` at this level that was not followed may add headers not seen here.
        let opaque = has_unfollowed_include(list);
        if let Some(first) = own.first() {
            if scope.mode == HeaderInheritance::Replace && !opaque {
                let kept: HashSet<String> = own.iter().filter_map(|d| header_name(d)).collect();
                let mut seen = HashSet::new();
                let dropped: Vec<&NginxDirective> = outer
                    .scope
                    .headers
                    .iter()
                    .copied()
                    .filter(|h| {
                        self.matters(h)
                            && header_name(h).is_some_and(|n| !kept.contains(&n) && seen.insert(n))
                    })
                    .collect();
                if !dropped.is_empty() {
                    let names = dropped
                        .iter()
                        .filter_map(|d| cx.arg_of(d, 0).map(|name| msg!("`{}`", name)));
                    let names = Message::join(names, ", ");
                    let set_at: Vec<_> = dropped
                        .iter()
                        .map(|header| (cx.source_of(header), header.span))
                        .collect();
                    let source = cx.source_of(first);
                    let finding = cx.report_in(
                        source,
                        first.name_span,
                        format!("{} > add_header", here.key),
                        msg!(
                            "this `add_header` makes {} drop {} inherited from {}: nginx inherits `add_header` only into levels that set none; repeat those headers here (or include one shared snippet everywhere), or write `add_header_inherit merge;` (nginx 1.29.3+)",
                            &here.shown,
                            names,
                            &outer.parent
                        ),
                    );
                    for (source, span) in set_at {
                        finding.related_in(source, span, "dropped header set here");
                    }
                }
            }
        }
        for directive in list
            .iter()
            .filter(|d| HEADER_CONTEXTS.contains(&d.name.as_str()))
        {
            let Some(block) = &directive.block else {
                continue;
            };
            let level = Level {
                scope: scope.clone(),
                parent: here.shown.clone(),
            };
            let place = Place::of(cx, directive);
            self.visit(cx, &block.directives, &level, &place);
        }
    }
}
