//! DJ009–DJ012: the middleware that carries Django's protections, and the frame policy.

use crate::formats::python_settings::SettingsModule;
use crate::msg;
use crate::rules::django::each_deployed;
use crate::rules::ProjectContext;

/// The middleware classes the deploy checks look for.
pub const SECURITY_MIDDLEWARE: &str = "django.middleware.security.SecurityMiddleware";
/// Sends `X-Frame-Options`.
pub const XFRAME_MIDDLEWARE: &str = "django.middleware.clickjacking.XFrameOptionsMiddleware";
/// Checks CSRF tokens.
pub const CSRF_MIDDLEWARE: &str = "django.middleware.csrf.CsrfViewMiddleware";

fn missing(
    cx: &mut ProjectContext<'_, SettingsModule>,
    class: &'static str,
    why: &'static str,
    id: &'static str,
) {
    each_deployed(cx, |d, cx| {
        if d.has_middleware(class) == Some(false) {
            d.report_missing_middleware(cx, class, why, id);
        }
    });
}

impl crate::rules::django::Deployed<'_> {
    /// Reports a class absent from `MIDDLEWARE`, at the `MIDDLEWARE` assignment.
    fn report_missing_middleware(
        &self,
        cx: &mut ProjectContext<'_, SettingsModule>,
        class: &'static str,
        why: &'static str,
        id: &'static str,
    ) {
        self.report(
            cx,
            "MIDDLEWARE",
            msg!("MIDDLEWARE lacks `{}`: {}; add it", class, why),
            Some(id),
        );
    }
}

/// DJ009: no SecurityMiddleware (security.W001).
pub fn security_middleware(cx: &mut ProjectContext<'_, SettingsModule>) {
    missing(cx, SECURITY_MIDDLEWARE,
        "without it SECURE_HSTS_SECONDS, SECURE_SSL_REDIRECT, SECURE_CONTENT_TYPE_NOSNIFF and SECURE_REFERRER_POLICY have no effect",
        "security.W001");
}

/// DJ010: no XFrameOptionsMiddleware (security.W002).
pub fn xframe_middleware(cx: &mut ProjectContext<'_, SettingsModule>) {
    missing(
        cx,
        XFRAME_MIDDLEWARE,
        "pages are sent without an X-Frame-Options header and can be framed for clickjacking",
        "security.W002",
    );
}

/// DJ011: no CsrfViewMiddleware (security.W003).
pub fn csrf_middleware(cx: &mut ProjectContext<'_, SettingsModule>) {
    missing(
        cx,
        CSRF_MIDDLEWARE,
        "forms and state-changing views are not protected against cross-site request forgery",
        "security.W003",
    );
}

/// DJ012: X_FRAME_OPTIONS other than DENY while XFrameOptionsMiddleware is on (security.W019).
pub fn xframe_not_deny(cx: &mut ProjectContext<'_, SettingsModule>) {
    each_deployed(cx, |d, cx| {
        if d.has_middleware(XFRAME_MIDDLEWARE) != Some(true) {
            return;
        }
        match d.get("X_FRAME_OPTIONS").value {
            crate::formats::python_settings::Value::Str(s) if s == "DENY" => {}
            crate::formats::python_settings::Value::Unknown(_) => {}
            other => d.report(cx, "X_FRAME_OPTIONS", msg!(
                "X_FRAME_OPTIONS is {} rather than 'DENY': the site's own pages may frame it, which is enough for clickjacking through an injected page; write X_FRAME_OPTIONS = 'DENY'",
                d.shown("X_FRAME_OPTIONS", &other)), Some("security.W019")),
        }
    });
}
