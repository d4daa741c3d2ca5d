//! NGX024–NGX025: limits on what clients may send — request rates on login endpoints and
//! body sizes on uploads — judged on what is in effect in each location.

use std::sync::LazyLock;

use regex::Regex;

use crate::formats::nginx::{directives, for_each, NginxConfig, NginxDirective};
use crate::msg;
use crate::rules::nginx::effective::{chain, inherited, Effective};
use crate::rules::nginx::{each_directive, tree};
use crate::rules::Context;

/// Paths of endpoints that check credentials or send one-time codes: the ones password
/// guessing and credential stuffing aim at.
static LOGIN_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(^|[/^(|_-])(log-?in|log-?on|sign-?in|sign_in|auth|authenticate|oauth|token|sessions?|passwor(d|t)|passwd|register|sign-?up|otp|2fa|mfa|wp-login\.php)([/$)|.?_-]|$)",
    )
    .expect("valid regex")
});

/// Paths of endpoints that receive uploads.
static UPLOAD_PATH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)upload").expect("valid regex"));

/// Directives that hand the request body to an application.
const PASSES_BODY: &[&str] = &[
    "proxy_pass",
    "fastcgi_pass",
    "uwsgi_pass",
    "scgi_pass",
    "grpc_pass",
];

/// The path a `location` matches (`= /login`, `~ ^/api/(login|register)`, `/auth/`).
fn location_path(location: &NginxDirective) -> Option<&str> {
    location.values().last()
}

/// Calls `check` for every `location` in `doc` whose path matches `pattern` and that has no
/// enclosing location matching it too (the outermost one is judged).
fn each_location<'a>(
    config: &'a NginxConfig,
    pattern: &Regex,
    mut check: impl FnMut(&'a [NginxDirective], &[&'a NginxDirective], &'a NginxDirective),
) {
    let Some(tree) = tree(config) else { return };
    let matches = |d: &NginxDirective| {
        d.name == "location" && location_path(d).is_some_and(|p| pattern.is_match(p))
    };
    for_each(tree, &mut |blocks, directive| {
        if matches(directive) && !blocks.iter().any(|b| matches(b)) {
            check(tree, blocks, directive);
        }
    });
}

/// NGX024: a login, token or registration location with no `limit_req` in effect.
pub fn login_without_rate_limit(cx: &mut Context<'_, NginxConfig>) {
    each_location(cx.content, &LOGIN_PATH, |tree, blocks, location| {
        let found = inherited(&chain(tree, blocks, location), "limit_req");
        if found == Effective::Unknown {
            cx.not_evaluated(super::https::UNFOLLOWED_INCLUDE);
        }
        if found == Effective::Default {
            let path = cx.arg_of(location, location.args.len().saturating_sub(1));
            cx.report_at(
                blocks,
                location,
                location.args.len().saturating_sub(1),
                msg!("`location {}` checks credentials but no `limit_req` applies to it, so passwords can be guessed as fast as the backend answers; declare `limit_req_zone $binary_remote_addr zone=login:10m rate=5r/m;` in `http` and add `limit_req zone=login burst=5 nodelay;` here", path),
            );
        }
    });
}

/// NGX025: an upload location handed to an application with nginx's 1 MB default body
/// limit in effect, and `client_max_body_size 0` (no limit) anywhere.
pub fn body_size(cx: &mut Context<'_, NginxConfig>) {
    each_location(cx.content, &UPLOAD_PATH, |tree, blocks, location| {
        let passes_body =
            directives(location.children()).any(|d| PASSES_BODY.contains(&d.name.as_str()));
        let limit = inherited(&chain(tree, blocks, location), "client_max_body_size");
        if passes_body && limit == Effective::Unknown {
            cx.not_evaluated(super::https::UNFOLLOWED_INCLUDE);
        }
        if passes_body && limit == Effective::Default {
            let path = cx.arg_of(location, location.args.len().saturating_sub(1));
            cx.report_at(
                blocks,
                location,
                location.args.len().saturating_sub(1),
                msg!("uploads through `location {}` are limited by nginx's default `client_max_body_size` of 1 MB, so larger files fail with 413 and the limit is nobody's decision; set it here to your largest upload, e.g. `client_max_body_size 20m;`", path),
            );
        }
    });
    each_directive(cx.content, "client_max_body_size", |blocks, directive| {
        if directive.args.first().is_some_and(|a| a.value == "0") {
            cx.report_at(
                blocks,
                directive,
                0,
                "`client_max_body_size 0` turns the request body limit off, so any client can make nginx buffer bodies of any size to disk; set the largest size the application accepts, e.g. `client_max_body_size 20m;`",
            );
        }
    });
}
