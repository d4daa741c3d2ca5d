//! DJ013–DJ024: HTTPS, HSTS, cookies and the headers SecurityMiddleware sends. Like
//! Django, the checks on SecurityMiddleware's settings stay silent when that middleware is
//! absent (DJ009 reports that) and when a value is unknown (DJ008 reports that).

use crate::formats::python_settings::{SettingsModule, Value};
use crate::message::Message;
use crate::msg;
use crate::rules::django::middleware::{CSRF_MIDDLEWARE, SECURITY_MIDDLEWARE};
use crate::rules::django::{each_deployed, Deployed};
use crate::rules::ProjectContext;

/// One year: what the HSTS preload list (hstspreload.org) and Django's deployment
/// checklist (`SECURE_HSTS_SECONDS`) ask for.
const ONE_YEAR: i64 = 31_536_000;

/// Runs `check` on deployed modules where SecurityMiddleware is known to be on.
fn with_security_middleware(
    cx: &mut ProjectContext<'_, SettingsModule>,
    check: impl Fn(&Deployed, &mut ProjectContext<'_, SettingsModule>),
) {
    each_deployed(cx, |d, cx| {
        if d.has_middleware(SECURITY_MIDDLEWARE) == Some(true) {
            check(d, cx);
        }
    });
}

/// Whether the setting is known and not `True` (Django's `is True` tests).
fn known_not_true(d: &Deployed, name: &'static str) -> bool {
    d.get(name).value.is_true() == Some(false)
}

/// Whether HSTS is known to be on (a non-zero `SECURE_HSTS_SECONDS`).
fn hsts_on(d: &Deployed) -> Option<bool> {
    d.get("SECURE_HSTS_SECONDS").value.truthy()
}

/// DJ013: `SECURE_HSTS_SECONDS` unset or 0 (security.W004).
pub fn hsts_missing(cx: &mut ProjectContext<'_, SettingsModule>) {
    with_security_middleware(cx, |d, cx| {
        if hsts_on(d) == Some(false) {
            d.report(cx, "SECURE_HSTS_SECONDS",
                "SECURE_HSTS_SECONDS is 0: browsers are not told to insist on HTTPS, so the first plain-HTTP request can be intercepted; set it to 31536000 once the whole site is on HTTPS",
                Some("security.W004"));
        }
    });
}

/// DJ014: HSTS shorter than a year (no Django check).
pub fn hsts_short(cx: &mut ProjectContext<'_, SettingsModule>) {
    with_security_middleware(cx, |d, cx| {
        if let Value::Int(seconds) = d.get("SECURE_HSTS_SECONDS").value {
            if seconds > 0 && seconds < ONE_YEAR {
                d.report(cx, "SECURE_HSTS_SECONDS", msg!(
                    "SECURE_HSTS_SECONDS is {}, less than a year: browsers forget the HTTPS-only rule quickly and preload lists refuse it; use 31536000", seconds),
                    None);
            }
        }
    });
}

/// DJ015: HSTS on without `SECURE_HSTS_INCLUDE_SUBDOMAINS` (security.W005).
pub fn hsts_subdomains(cx: &mut ProjectContext<'_, SettingsModule>) {
    with_security_middleware(cx, |d, cx| {
        if hsts_on(d) == Some(true) && known_not_true(d, "SECURE_HSTS_INCLUDE_SUBDOMAINS") {
            d.report(cx, "SECURE_HSTS_INCLUDE_SUBDOMAINS",
                "SECURE_HSTS_INCLUDE_SUBDOMAINS is not True: a subdomain served over plain HTTP can set cookies for the site; set it to True if every subdomain is HTTPS",
                Some("security.W005"));
        }
    });
}

/// DJ016: HSTS on without `SECURE_HSTS_PRELOAD` (security.W021).
pub fn hsts_preload(cx: &mut ProjectContext<'_, SettingsModule>) {
    with_security_middleware(cx, |d, cx| {
        if hsts_on(d) == Some(true) && known_not_true(d, "SECURE_HSTS_PRELOAD") {
            d.report(cx, "SECURE_HSTS_PRELOAD",
                "SECURE_HSTS_PRELOAD is not True: the site cannot be submitted to the browsers' preload list, so a first visit is still unprotected",
                Some("security.W021"));
        }
    });
}

/// DJ017: `SECURE_CONTENT_TYPE_NOSNIFF` not True (security.W006).
pub fn nosniff(cx: &mut ProjectContext<'_, SettingsModule>) {
    with_security_middleware(cx, |d, cx| {
        if known_not_true(d, "SECURE_CONTENT_TYPE_NOSNIFF") {
            d.report(cx, "SECURE_CONTENT_TYPE_NOSNIFF",
                "SECURE_CONTENT_TYPE_NOSNIFF is not True: browsers may sniff an uploaded file as HTML or script; set it to True",
                Some("security.W006"));
        }
    });
}

/// DJ018: `SECURE_SSL_REDIRECT` not True (security.W008).
pub fn ssl_redirect(cx: &mut ProjectContext<'_, SettingsModule>) {
    with_security_middleware(cx, |d, cx| {
        if known_not_true(d, "SECURE_SSL_REDIRECT") {
            d.report(cx, "SECURE_SSL_REDIRECT",
                "SECURE_SSL_REDIRECT is not True: plain-HTTP requests are served instead of redirected; set it to True (or redirect at the proxy and say so in a suppression)",
                Some("security.W008"));
        }
    });
}

/// Django's session-cookie checks: which id applies depends on where sessions are enabled —
/// the app only, the middleware only, or both (then the combined id replaces the two).
fn session_cookie(
    cx: &mut ProjectContext<'_, SettingsModule>,
    setting: &'static str,
    [app_only, middleware_only, both]: [&'static str; 3],
    message: &'static str,
) {
    each_deployed(cx, |d, cx| {
        if !known_not_true(d, setting) {
            return;
        }
        let app = d.has_app("django.contrib.sessions");
        let middleware = d.has_middleware("django.contrib.sessions.middleware.SessionMiddleware");
        let id = match (app, middleware) {
            (Some(true), Some(true)) => both,
            (Some(true), Some(false)) => app_only,
            (Some(false), Some(true)) => middleware_only,
            _ => return,
        };
        d.report(cx, setting, message, Some(id));
    });
}

/// DJ019: `SESSION_COOKIE_SECURE` not True while sessions are used (security.W010, W011,
/// W012 — as Django picks them).
pub fn session_cookie_secure(cx: &mut ProjectContext<'_, SettingsModule>) {
    session_cookie(cx, "SESSION_COOKIE_SECURE",
        ["security.W010", "security.W011", "security.W012"],
        "SESSION_COOKIE_SECURE is not True: the session cookie is also sent over plain HTTP, where it can be sniffed and the session hijacked; set it to True");
}

/// DJ020: `SESSION_COOKIE_HTTPONLY` not True while sessions are used (security.W013, W014,
/// W015).
pub fn session_cookie_httponly(cx: &mut ProjectContext<'_, SettingsModule>) {
    session_cookie(cx, "SESSION_COOKIE_HTTPONLY",
        ["security.W013", "security.W014", "security.W015"],
        "SESSION_COOKIE_HTTPONLY is not True: scripts can read the session cookie, so one XSS hijacks sessions; remove the line or set it to True");
}

/// DJ021: `CSRF_COOKIE_SECURE` not True while the CSRF middleware uses a cookie
/// (security.W016).
pub fn csrf_cookie_secure(cx: &mut ProjectContext<'_, SettingsModule>) {
    each_deployed(cx, |d, cx| {
        let uses_sessions = d.get("CSRF_USE_SESSIONS").value.truthy();
        if uses_sessions == Some(false)
            && d.has_middleware(CSRF_MIDDLEWARE) == Some(true)
            && known_not_true(d, "CSRF_COOKIE_SECURE")
        {
            d.report(cx, "CSRF_COOKIE_SECURE",
                "CSRF_COOKIE_SECURE is not True: the CSRF cookie is also sent over plain HTTP; set it to True",
                Some("security.W016"));
        }
    });
}

/// What `SECURE_REFERRER_POLICY` may contain.
const REFERRER_POLICIES: &[&str] = &[
    "no-referrer",
    "no-referrer-when-downgrade",
    "origin",
    "origin-when-cross-origin",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
    "unsafe-url",
];

/// DJ022: `SECURE_REFERRER_POLICY = None` (security.W022).
pub fn referrer_policy_unset(cx: &mut ProjectContext<'_, SettingsModule>) {
    with_security_middleware(cx, |d, cx| {
        if d.get("SECURE_REFERRER_POLICY").value == Value::None {
            d.report(cx, "SECURE_REFERRER_POLICY",
                "SECURE_REFERRER_POLICY is None: no Referrer-Policy header is sent, so full URLs (tokens in query strings included) leak to other sites; use 'same-origin' or 'strict-origin-when-cross-origin'",
                Some("security.W022"));
        }
    });
}

/// DJ023: `SECURE_REFERRER_POLICY` names a policy that does not exist (security.E023).
pub fn referrer_policy_invalid(cx: &mut ProjectContext<'_, SettingsModule>) {
    with_security_middleware(cx, |d, cx| {
        let values: Vec<String> = match d.get("SECURE_REFERRER_POLICY").value {
            Value::Str(s) => s.split(',').map(|v| v.trim().to_owned()).collect(),
            Value::List(items) => {
                let strings: Option<Vec<String>> = items
                    .into_iter()
                    .map(|v| match v {
                        Value::Str(s) => Some(s),
                        _ => None,
                    })
                    .collect();
                match strings {
                    Some(s) => s,
                    None => return,
                }
            }
            _ => return,
        };
        if let Some(bad) = values
            .into_iter()
            .find(|v| !REFERRER_POLICIES.contains(&v.as_str()))
        {
            d.report(cx, "SECURE_REFERRER_POLICY", msg!(
                "SECURE_REFERRER_POLICY contains {}, which is not a referrer policy: Django refuses to start its checks cleanly and browsers ignore the header; valid values are {}",
                d.shown("SECURE_REFERRER_POLICY", &Value::Str(bad)),
                Message::join(REFERRER_POLICIES.iter().copied(), ", ")),
                Some("security.E023"));
        }
    });
}

/// DJ024: `SECURE_CROSS_ORIGIN_OPENER_POLICY` names a policy that does not exist
/// (security.E024).
pub fn coop_invalid(cx: &mut ProjectContext<'_, SettingsModule>) {
    with_security_middleware(cx, |d, cx| {
        let policy = d.get("SECURE_CROSS_ORIGIN_OPENER_POLICY").value;
        if let Value::Str(s) = &policy {
            if !matches!(
                s.as_str(),
                "same-origin" | "same-origin-allow-popups" | "unsafe-none"
            ) {
                d.report(cx, "SECURE_CROSS_ORIGIN_OPENER_POLICY", msg!(
                    "SECURE_CROSS_ORIGIN_OPENER_POLICY is {}, which is not a policy: the header is ignored and other windows keep a handle on the site's; use 'same-origin'",
                    d.shown("SECURE_CROSS_ORIGIN_OPENER_POLICY", &policy)),
                    Some("security.E024"));
            }
        }
    });
}
