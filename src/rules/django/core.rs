//! DJ001–DJ008 and DJ023: debug mode, the secret key, allowed hosts, the database engine,
//! and settings whose value cannot be known without running the project.

use crate::formats::python_settings::{SettingsModule, Value};
use crate::message::Quote;
use crate::msg;
use crate::rules::django::{each_deployed, Deployed};
use crate::rules::ProjectContext;
use crate::secrets::placeholder;

/// DJ001: `DEBUG` is True in a deployed settings module (security.W018).
pub fn debug(cx: &mut ProjectContext<'_, SettingsModule>) {
    each_deployed(cx, |d, cx| {
        if d.get("DEBUG").value.truthy() == Some(true) {
            d.report(cx, "DEBUG",
                "DEBUG is True: every error page shows tracebacks, settings and local variables to anyone; set DEBUG = False (or read it from the environment with a False default)",
                Some("security.W018"));
        }
    });
}

/// Django's `_check_secret_key`: 50+ characters, 5+ distinct, not `django-insecure-`.
const SECRET_KEY_MIN_LENGTH: usize = 50;
const SECRET_KEY_MIN_UNIQUE: usize = 5;
const SECRET_KEY_INSECURE_PREFIX: &str = "django-insecure-";

/// Why a key fails Django's test, if it does, or is placeholder text (a sentence such as
/// "replace this with a long random string" passes Django's test at any length).
fn weak_key_reason(key: &str) -> Option<&'static str> {
    let unique = key.chars().collect::<std::collections::BTreeSet<_>>().len();
    if key.is_empty() {
        Some("is empty")
    } else if let Some(why) = placeholder(key) {
        Some(why)
    } else if key.starts_with(SECRET_KEY_INSECURE_PREFIX) {
        Some("starts with `django-insecure-`, the throwaway key `startproject` generates")
    } else if key.chars().count() < SECRET_KEY_MIN_LENGTH {
        Some("is shorter than 50 characters")
    } else if unique < SECRET_KEY_MIN_UNIQUE {
        Some("has fewer than 5 distinct characters")
    } else {
        None
    }
}

/// DJ002: `SECRET_KEY` unset, empty, short, repetitive or `django-insecure-` (security.W009).
pub fn weak_secret_key(cx: &mut ProjectContext<'_, SettingsModule>) {
    each_deployed(cx, |d, cx| {
        if let Value::Str(key) = &d.get("SECRET_KEY").value {
            if let Some(reason) = weak_key_reason(key) {
                d.report(cx, "SECRET_KEY", msg!(
                    "SECRET_KEY {}: sessions, password-reset links and signed cookies can be forged; generate 50+ random characters (`python -c 'from django.core.management.utils import get_random_secret_key as k; print(k())'`) and read them from the environment", reason),
                    Some("security.W009"));
            }
        }
    });
}

/// DJ003: a `SECRET_KEY` literal in the source, however strong (no Django check).
pub fn hardcoded_secret_key(cx: &mut ProjectContext<'_, SettingsModule>) {
    each_deployed(cx, |d, cx| {
        // Where the key comes from is what is judged: a key only the environment knows passes.
        let setting = d.lookup("SECRET_KEY");
        let literal = setting
            .binding
            .is_some_and(|b| b.env.is_empty() || b.env.iter().all(|(_, default)| *default));
        if let (true, Value::Str(key)) = (literal, &setting.value) {
            if !key.is_empty() && weak_key_reason(key).is_none() {
                d.report(cx, "SECRET_KEY",
                    "SECRET_KEY is written in the source (or is the fallback of an environment lookup): everyone with the repository can forge sessions; read it from the environment without a default (`os.environ[\"DJANGO_SECRET_KEY\"]`)",
                    None);
            }
        }
    });
}

/// DJ004: a weak key in `SECRET_KEY_FALLBACKS` (security.W025).
pub fn weak_fallback_keys(cx: &mut ProjectContext<'_, SettingsModule>) {
    each_deployed(cx, |d, cx| {
        if let Value::List(keys) = &d.get("SECRET_KEY_FALLBACKS").value {
            let weak = keys.iter().enumerate().find_map(|(i, k)| match k {
                Value::Str(k) => weak_key_reason(k).map(|r| (i, r)),
                _ => None,
            });
            if let Some((index, reason)) = weak {
                d.report(cx, "SECRET_KEY_FALLBACKS", msg!(
                    "SECRET_KEY_FALLBACKS[{}] {}: an old key still validates signatures; remove it or replace it with a strong one", index, reason),
                    Some("security.W025"));
            }
        }
    });
}

/// DJ005: `ALLOWED_HOSTS` empty (security.W020).
pub fn allowed_hosts_empty(cx: &mut ProjectContext<'_, SettingsModule>) {
    each_deployed(cx, |d, cx| {
        if d.get("ALLOWED_HOSTS").value.truthy() == Some(false) {
            d.report(cx, "ALLOWED_HOSTS",
                "ALLOWED_HOSTS is empty: with DEBUG off Django answers every request with 400; list the production domains",
                Some("security.W020"));
        }
    });
}

/// DJ006: `ALLOWED_HOSTS` contains `*` (no Django check: Django accepts it).
pub fn allowed_hosts_wildcard(cx: &mut ProjectContext<'_, SettingsModule>) {
    each_deployed(cx, |d, cx| {
        let hosts = d.get("ALLOWED_HOSTS").value;
        let wildcard = hosts.items().is_some_and(|items| {
            items
                .iter()
                .any(|h| matches!(h, Value::Str(s) if s.trim() == "*"))
        });
        if wildcard {
            d.report(cx, "ALLOWED_HOSTS",
                "ALLOWED_HOSTS contains `*`: any Host header is accepted, so password-reset links and absolute URLs can be pointed at an attacker's domain; list the production domains",
                None);
        }
    });
}

/// DJ007: the SQLite engine in a deployed `DATABASES` (no Django check).
pub fn sqlite_database(cx: &mut ProjectContext<'_, SettingsModule>) {
    each_deployed(cx, |d, cx| {
        let databases = d.get("DATABASES").value;
        let engine = databases
            .get("default")
            .and_then(|db| db.get("ENGINE"))
            .cloned();
        if let Some(Value::Str(engine)) = engine {
            if engine.ends_with("sqlite3") {
                d.report(cx, "DATABASES",
                    "the default database is SQLite: one writer at a time, no network access control, and the file sits next to the code; use PostgreSQL or MySQL in production",
                    None);
            }
        }
    });
}

/// The settings the deploy checks read; an unknown value among them is worth saying.
const CHECKED_SETTINGS: &[&str] = &[
    "DEBUG",
    "SECRET_KEY",
    "SECRET_KEY_FALLBACKS",
    "ALLOWED_HOSTS",
    "MIDDLEWARE",
    "INSTALLED_APPS",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_SSL_REDIRECT",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "CSRF_USE_SESSIONS",
    "X_FRAME_OPTIONS",
];

/// DJ008: a checked setting whose value depends on the runtime (an environment variable
/// without a default, a condition, an unknown function), or a star import outside the scan.
pub fn unknown_statically(cx: &mut ProjectContext<'_, SettingsModule>) {
    each_deployed(cx, |d, cx| {
        let mut unassigned = Vec::new();
        for name in CHECKED_SETTINGS {
            let setting = d.get(name);
            if setting.binding.is_none() && d.evaluation.names_from_globals.is_some() {
                unassigned.push(*name);
                continue;
            }
            if let Value::Unknown(reason) = &setting.value {
                d.report(cx, name, msg!(
                    "{} cannot be known statically ({}); the checks that read it were skipped — run `manage.py check --deploy` with the production environment to confirm", *name, reason),
                    None);
            }
        }
        // One finding for the `globals()` call, not one per setting it may set.
        if let (Some((module, call)), Some(first)) =
            (d.evaluation.names_from_globals, unassigned.first())
        {
            let at = if module == d.entry_index() {
                call
            } else {
                d.import_line(module).unwrap_or(call)
            };
            cx.report_in(d.source(), at, "globals", msg!(
                "settings are written through `globals()`: {} checked settings (such as {}) are not assigned in the files and cannot be known statically; the checks that read them were skipped — run `manage.py check --deploy` with the production environment to confirm",
                unassigned.len(), *first));
        }
        for import in d.evaluation.unresolved.iter().filter(|u| !u.optional) {
            if import.module == d.entry_index() {
                cx.report_in(d.source(), import.span, format!("import:{}", import.name), msg!(
                    "`from {} import *` names a module outside the scan: settings it sets are not known, and findings about them may be wrong",
                    Quote::at(import.name_span)));
            }
        }
    });
}

impl Deployed<'_> {
    /// The index of the deployed module among the evaluated ones.
    pub fn entry_index(&self) -> usize {
        self.entry
    }
}
