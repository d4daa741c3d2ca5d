//! NGX011, NGX012, NGX019, NGX022, NGX023: security headers that are missing from what an
//! HTTPS server's responses get (judged on the effective headers, includes and inheritance
//! applied), or written so that they do less than they seem to.

use crate::formats::nginx::{NginxConfig, NginxDirective};
use crate::message::Message;
use crate::msg;
use crate::rules::nginx::effective::{chain, HeaderScope};
use crate::rules::nginx::servers::{is_redirecting, listens, public_names, servers, Listen};
use crate::rules::nginx::{each_directive, tree};
use crate::rules::Context;

/// Headers that must also be on error responses (a 404 or 500 page can be framed or sniffed
/// just as well, and HSTS on a redirect is what protects the first visit).
const ALWAYS_HEADERS: &[&str] = &[
    "content-security-policy",
    "referrer-policy",
    "strict-transport-security",
    "x-content-type-options",
    "x-frame-options",
];

/// One year, the least HSTS max-age browsers' preload list accepts (hstspreload.org)
/// and OWASP's HTTP headers cheat sheet recommends.
const MIN_HSTS_MAX_AGE: u64 = 31_536_000;

/// NGX011: a security header without `always`, so nginx drops it from 4xx/5xx responses.
pub fn without_always(cx: &mut Context<'_, NginxConfig>) {
    each_directive(cx.content, "add_header", |blocks, directive| {
        let Some(name) = directive.args.first() else {
            return;
        };
        let lower = name.value.to_ascii_lowercase();
        let has_always = directive.args.get(2).is_some_and(|a| a.value == "always");
        if ALWAYS_HEADERS.contains(&lower.as_str()) && !has_always && directive.args.len() >= 2 {
            let name = cx.quote(directive, name.span, &name.value);
            cx.report_at(
                blocks,
                directive,
                0,
                msg!(
                    "`{}` is only added to 200/201/204/206/301/302/303/304/307/308 responses; error pages go out without it — append `always`",
                    name
                ),
            );
        }
    });
}

/// The `max-age` of an HSTS value, if it has a valid one.
fn hsts_max_age(value: &str) -> Option<u64> {
    value.split(';').find_map(|part| {
        let (key, number) = part.trim().split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("max-age")
            .then(|| number.trim().trim_matches('"').parse::<u64>().ok())?
    })
}

/// Calls `check` with every `add_header Strict-Transport-Security` and its value.
fn each_hsts<'a>(
    config: &'a NginxConfig,
    mut check: impl FnMut(&[&'a NginxDirective], &'a NginxDirective, &'a str),
) {
    each_directive(config, "add_header", |blocks, directive| {
        if let (Some(name), Some(value)) = (directive.args.first(), directive.args.get(1)) {
            if name.value.eq_ignore_ascii_case("strict-transport-security") {
                check(blocks, directive, &value.value);
            }
        }
    });
}

/// NGX012: HSTS with a max-age under a year, or none browsers accept.
pub fn weak_hsts(cx: &mut Context<'_, NginxConfig>) {
    each_hsts(cx.content, |blocks, directive, value| {
        let problem: Message = match hsts_max_age(value) {
            None if value.starts_with('$') => return,
            None => "has no valid `max-age`, so browsers ignore it".into(),
            Some(age) if age < MIN_HSTS_MAX_AGE => msg!(
                "has `max-age={}` ({} days); browsers forget the policy that soon — use at least `max-age=31536000`",
                age,
                age / 86_400
            ),
            Some(_) => return,
        };
        cx.report_at(
            blocks,
            directive,
            1,
            msg!("this `Strict-Transport-Security` header {}", problem),
        );
    });
}

/// NGX023: HSTS without `includeSubDomains`.
pub fn hsts_without_subdomains(cx: &mut Context<'_, NginxConfig>) {
    each_hsts(cx.content, |blocks, directive, value| {
        let valid = hsts_max_age(value).is_some_and(|age| age > 0);
        if valid && !value.to_ascii_lowercase().contains("includesubdomains") {
            cx.report_at(
                blocks,
                directive,
                1,
                "this `Strict-Transport-Security` header has no `includeSubDomains`, so a subdomain can still be reached over plain HTTP and set or read the parent domain's cookies; append `; includeSubDomains` once every subdomain serves HTTPS",
            );
        }
    });
}

/// HTTPS servers for public names, with the headers a response from them gets (`None` when
/// an include that was not followed may add some).
fn https_servers<'a>(
    config: &'a NginxConfig,
) -> Vec<(
    Vec<&'a NginxDirective>,
    &'a NginxDirective,
    Listen<'a>,
    Option<HeaderScope<'a>>,
)> {
    let Some(tree) = tree(config) else {
        return Vec::new();
    };
    servers(config)
        .into_iter()
        .filter(|(_, server)| !public_names(server).is_empty())
        .filter_map(|(blocks, server)| {
            let listen = listens(server).into_iter().find(|l| l.ssl && !l.local)?;
            let scope = HeaderScope::along(&chain(tree, &blocks, server));
            let scope = (!scope.unknown).then_some(scope);
            Some((blocks, server, listen, scope))
        })
        .collect()
}

/// NGX019: an HTTPS server whose responses carry no `Strict-Transport-Security`.
pub fn missing_hsts(cx: &mut Context<'_, NginxConfig>) {
    for (blocks, server, listen, scope) in https_servers(cx.content) {
        let Some(scope) = scope else {
            cx.not_evaluated(super::https::UNFOLLOWED_INCLUDE);
            continue;
        };
        if scope.get("strict-transport-security").is_none() {
            let name = cx.public_name(server);
            cx.report_on_listen(
                &blocks,
                server,
                &listen,
                msg!(
                    "`{}` is served over HTTPS without `Strict-Transport-Security`, so a visitor's first plain-HTTP request can be intercepted and kept on HTTP; add `add_header Strict-Transport-Security \"max-age=31536000; includeSubDomains\" always;` to this server",
                    name
                ),
            );
        }
    }
}

/// The security headers every HTML-serving site needs, as (what is missing, headers that
/// provide it, the line to add).
const BASELINE_HEADERS: &[(&str, &[&str], &str)] = &[
    (
        "Content-Security-Policy",
        &["content-security-policy"],
        "add_header Content-Security-Policy \"default-src 'self'; frame-ancestors 'none'\" always;",
    ),
    (
        "X-Content-Type-Options",
        &["x-content-type-options"],
        "add_header X-Content-Type-Options nosniff always;",
    ),
    (
        "X-Frame-Options (or CSP `frame-ancestors`)",
        &["x-frame-options"],
        "add_header X-Frame-Options DENY always;",
    ),
    (
        "Referrer-Policy",
        &["referrer-policy"],
        "add_header Referrer-Policy strict-origin-when-cross-origin always;",
    ),
];

/// NGX022: an HTTPS server serving content whose responses lack baseline security headers
/// (a server that only redirects serves no page to protect).
pub fn missing_headers(cx: &mut Context<'_, NginxConfig>) {
    for (blocks, server, listen, scope) in https_servers(cx.content) {
        if is_redirecting(server) {
            continue;
        }
        let Some(scope) = scope else {
            cx.not_evaluated(super::https::UNFOLLOWED_INCLUDE);
            continue;
        };
        let frame_ancestors = scope.get("content-security-policy").is_some_and(|csp| {
            csp.args
                .get(1)
                .is_some_and(|v| v.value.to_ascii_lowercase().contains("frame-ancestors"))
        });
        let missing: Vec<&(&str, &[&str], &str)> = BASELINE_HEADERS
            .iter()
            .filter(|(_, names, _)| names.iter().all(|n| scope.get(n).is_none()))
            .filter(|(_, names, _)| !(names.contains(&"x-frame-options") && frame_ancestors))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let what = Message::join(missing.iter().map(|(m, _, _)| msg!("`{}`", *m)), ", ");
        let lines = Message::join(missing.iter().map(|(_, _, line)| *line), " ");
        let name = cx.public_name(server);
        cx.report_on_listen(
            &blocks,
            server,
            &listen,
            msg!(
                "responses from `{}` carry no {}; add to this server: {}",
                name,
                what,
                lines
            ),
        );
    }
}
