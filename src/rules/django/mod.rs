//! Rules for Django settings: the checks of `manage.py check --deploy`, read statically.
//!
//! Every rule is project-wide, because a settings module is judged with what it
//! star-imports (`from .base import *`). The modules judged are the *deployed* ones: those
//! no other scanned settings module imports, and whose name does not say they are for
//! development or tests (`dev.py`, `local.py`, `test_settings.py`). A base module is judged
//! through the modules that import it, like an nginx snippet through its includer.
//!
//! The checks see the modules judged together: a module with every module its star imports
//! lead to, never the whole scan (see [`crate::formats::python_settings::group`]), so a
//! scan holds one group's modules per thread rather than all of them.
//!
//! Findings land in the deployed module: a value inherited from a base module is reported
//! at the `from … import *` line, with the assignment in the base module as a related
//! location; an absent setting is reported at the `MIDDLEWARE` assignment (middleware
//! checks) or the module's last line. Each message ends with Django's own check id.

use crate::rules::{checks, Parsed, ProjectContext, RegisteredCheck};
use std::cell::RefCell;
use std::path::Path;
use std::sync::Arc;

use crate::formats::python_settings::{
    evaluate, Binding, Evaluation, ModuleRef, Modules, SettingsModule, Value,
};
use crate::message::{Message, Quote};
use crate::msg;
use crate::source::{SourceFile, Span};

pub mod core;
pub mod middleware;
pub mod transport;
pub mod weak_secret_default;

/// The family's built-in checks, sorted by name (see `crate::rules::registry`).
pub(crate) const RULES: &[RegisteredCheck] = checks! {
    project "django-allowed-hosts-empty" => core::allowed_hosts_empty;
    project "django-allowed-hosts-wildcard" => core::allowed_hosts_wildcard;
    project "django-coop-invalid" => transport::coop_invalid;
    project "django-csrf-cookie-insecure" => transport::csrf_cookie_secure;
    project "django-csrf-middleware-missing" => middleware::csrf_middleware;
    project "django-debug" => core::debug;
    project "django-hardcoded-secret-key" => core::hardcoded_secret_key;
    project "django-hsts-missing" => transport::hsts_missing;
    project "django-hsts-no-preload" => transport::hsts_preload;
    project "django-hsts-no-subdomains" => transport::hsts_subdomains;
    project "django-hsts-short" => transport::hsts_short;
    project "django-nosniff-off" => transport::nosniff;
    project "django-referrer-policy-invalid" => transport::referrer_policy_invalid;
    project "django-referrer-policy-unset" => transport::referrer_policy_unset;
    project "django-security-middleware-missing" => middleware::security_middleware;
    project "django-session-cookie-insecure" => transport::session_cookie_secure;
    project "django-session-cookie-script-readable" => transport::session_cookie_httponly;
    project "django-sqlite-in-production" => core::sqlite_database;
    project "django-ssl-redirect-off" => transport::ssl_redirect;
    project "django-unknown-setting" => core::unknown_statically;
    project "django-weak-fallback-key" => core::weak_fallback_keys;
    project "django-weak-secret-default" => weak_secret_default::check;
    project "django-weak-secret-key" => core::weak_secret_key;
    project "django-xframe-middleware-missing" => middleware::xframe_middleware;
    project "django-xframe-not-deny" => middleware::xframe_not_deny;
};

/// Module names (or name parts) that mark settings for development or tests.
const DEV_MARKERS: &[&str] = &[
    "dev",
    "development",
    "local",
    "test",
    "tests",
    "testing",
    "ci",
];

/// Whether a settings module's name, or a `tests` folder it sits in, says it is not
/// deployed.
fn is_dev_module(path: &std::path::Path) -> bool {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let in_tests = path
        .parent()
        .into_iter()
        .flat_map(std::path::Path::components)
        .any(|c| matches!(c.as_os_str().to_str(), Some("tests" | "test")));
    in_tests
        || stem
            .split(['_', '-', '.'])
            .any(|part| DEV_MARKERS.contains(&part))
}

/// A deployed settings module with its settings evaluated.
pub struct Deployed<'a> {
    /// The settings modules judged together (bindings index into them).
    docs: &'a [Parsed<'a, SettingsModule>],
    /// Which of `docs` is the deployed module.
    entry: usize,
    /// What it evaluates to.
    pub evaluation: &'a Evaluation,
    /// The settings a check read whose value is unknown statically, and why: after the
    /// check, each becomes a `not_evaluated` mark on the module (see [`each_deployed`]).
    unknown: RefCell<Vec<Message>>,
}

/// The value of a setting as Django would see it, and where it was set (`None`: Django's
/// default applies).
pub struct Setting<'e> {
    /// The value in effect.
    pub value: Value,
    /// The statement that set it.
    pub binding: Option<&'e Binding>,
}

/// Django's defaults (`django/conf/global_settings.py`) for the settings the checks read.
fn default_of(name: &str) -> Value {
    match name {
        "DEBUG"
        | "SESSION_COOKIE_SECURE"
        | "CSRF_COOKIE_SECURE"
        | "CSRF_USE_SESSIONS"
        | "SECURE_HSTS_INCLUDE_SUBDOMAINS"
        | "SECURE_HSTS_PRELOAD"
        | "SECURE_SSL_REDIRECT" => Value::Bool(false),
        "SECURE_CONTENT_TYPE_NOSNIFF" | "SESSION_COOKIE_HTTPONLY" => Value::Bool(true),
        "SECURE_HSTS_SECONDS" => Value::Int(0),
        "X_FRAME_OPTIONS" => Value::Str("DENY".into()),
        "SECURE_REFERRER_POLICY" | "SECURE_CROSS_ORIGIN_OPENER_POLICY" => {
            Value::Str("same-origin".into())
        }
        "SECRET_KEY" => Value::Str(String::new()),
        _ => Value::List(Vec::new()),
    }
}

/// Every deployed settings module of `docs` (its index), evaluated.
fn deployed_evaluations(docs: &[Parsed<'_, SettingsModule>]) -> Vec<(usize, Evaluation)> {
    let refs = Modules::new(
        docs.iter()
            .map(|file| ModuleRef {
                path: &file.source().path,
                source: file.source(),
                module: file.content,
            })
            .collect(),
    );
    let mut imported = vec![false; refs.len()];
    for (i, module) in refs.iter().enumerate() {
        for (name, _) in module.module.star_imports() {
            if let Some(target) = crate::formats::python_settings::resolve_import(&refs, i, name) {
                if target != i {
                    imported[target] = true;
                }
            }
        }
    }
    (0..refs.len())
        // Judged by the path as users see it (relative to where preflight runs), so a
        // checkout that happens to sit below a `tests` folder is not taken for a test.
        .filter(|i| !imported[*i] && !is_dev_module(Path::new(&docs[*i].source().display_path)))
        .map(|entry| (entry, evaluate(&refs, entry)))
        .collect()
}

impl<'a> Deployed<'a> {
    /// The deployed module's file.
    pub fn source(&self) -> &Arc<SourceFile> {
        self.docs[self.entry].source()
    }

    /// The setting `name` in effect. A value unknown statically is recorded: the check that
    /// read it could not judge the module (unless it reports a finding all the same).
    pub fn get(&self, name: &'static str) -> Setting<'_> {
        let setting = self.lookup(name);
        if let Value::Unknown(reason) = &setting.value {
            self.unknown_read(msg!("{} is unknown statically ({})", name, reason.clone()));
        }
        setting
    }

    /// Records that a check needed something only the runtime knows.
    fn unknown_read(&self, reason: Message) {
        let mut unknown = self.unknown.borrow_mut();
        if !unknown.contains(&reason) {
            unknown.push(reason);
        }
    }

    /// The setting `name` in effect, for a rule that judges where a value comes from rather
    /// than the value (an unknown value read from the environment is then the answer, not
    /// a gap): nothing is recorded.
    pub fn lookup(&self, name: &str) -> Setting<'_> {
        match self.evaluation.settings.get(name) {
            Some(binding) => Setting {
                value: binding.value.clone(),
                binding: Some(binding),
            },
            None if self.evaluation.names_from_globals.is_some() => Setting {
                value: Value::Unknown(
                    "not assigned, and the settings write names through `globals()`".into(),
                ),
                binding: None,
            },
            None => Setting {
                value: default_of(name),
                binding: None,
            },
        }
    }

    /// The `from … import *` line of the deployed module that led to `module`.
    pub(super) fn import_line(&self, module: usize) -> Option<Span> {
        let mut current = module;
        for _ in 0..32 {
            let (_, importer, span) = self
                .evaluation
                .imported
                .iter()
                .find(|(target, _, _)| *target == current)?;
            if *importer == self.entry {
                return Some(*span);
            }
            current = *importer;
        }
        None
    }

    /// The end of the deployed module, where absent settings are reported.
    fn end(&self) -> Span {
        self.docs[self.entry].content.end
    }

    /// Reports a problem with setting `name`. A value set in the deployed module is reported
    /// where it is written; an inherited one at the import that brought it in; an absent one
    /// where the setting it qualifies is set (`SECURE_HSTS_PRELOAD` next to `SECURE_HSTS_SECONDS`), or at the module's last
    /// line. `django_id` ends the message.
    pub fn report(
        &self,
        cx: &mut ProjectContext<'_, SettingsModule>,
        name: &'static str,
        message: impl Into<Message>,
        django_id: Option<&'static str>,
    ) {
        let message = message.into();
        let suffix = django_id.map(|id| msg!(" (Django: {})", id));
        let key = name.to_owned();
        match self.evaluation.settings.get(name) {
            Some(binding) if binding.module == self.entry => {
                let env = env_note(binding);
                cx.report_in(
                    self.source(),
                    binding.value_span,
                    key,
                    msg!("{}{}{}", message, env, suffix),
                );
            }
            Some(binding) => {
                let origin = self.docs[binding.module].source();
                let at = self
                    .import_line(binding.module)
                    .unwrap_or_else(|| self.end());
                let env = env_note(binding);
                let (line, _) = origin.locate(binding.span);
                cx.report_in(
                    self.source(),
                    at,
                    key,
                    msg!(
                        "{}{}; inherited from {}:{} and not overridden here{}",
                        message,
                        env,
                        origin,
                        line.line,
                        suffix
                    ),
                )
                .related_in(
                    origin,
                    binding.value_span,
                    msg!("{} is set here", name),
                );
            }
            None => {
                let at = qualified(name)
                    .and_then(|other| self.evaluation.settings.get(other))
                    .map(|b| {
                        if b.module == self.entry {
                            b.value_span
                        } else {
                            self.import_line(b.module).unwrap_or_else(|| self.end())
                        }
                    })
                    .unwrap_or_else(|| self.end());
                cx.report_in(
                    self.source(),
                    at,
                    key,
                    msg!(
                        "{}; {} is not set, so Django's default applies{}",
                        message,
                        name,
                        suffix
                    ),
                );
            }
        }
    }

    /// How a message shows `value`, the value of setting `name` (see [`shown_value`]).
    pub fn shown(&self, name: &str, value: &Value) -> Message {
        let written = self
            .evaluation
            .settings
            .get(name)
            .map(|b| (self.docs[b.module].source(), b.value_span));
        shown_value(value, written)
    }

    /// Whether `MIDDLEWARE` is known and contains `class`; `None` when unknown.
    pub fn has_middleware(&self, class: &'static str) -> Option<bool> {
        self.list_has("MIDDLEWARE", class)
    }

    /// Whether `INSTALLED_APPS` is known and contains `app`; `None` when unknown.
    pub fn has_app(&self, app: &'static str) -> Option<bool> {
        self.list_has("INSTALLED_APPS", app)
    }

    /// Whether the list setting `name` is known and contains `item`; `None` when unknown.
    /// An item added only inside a condition (`if …: MIDDLEWARE.append(…)`) may be
    /// missing: unknown, while the rest of the list is still judged.
    fn list_has(&self, name: &'static str, item: &'static str) -> Option<bool> {
        let setting = self.get(name);
        let is_item = |v: &Value| matches!(v, Value::Str(s) if s == item);
        let maybe = setting
            .binding
            .map_or(0, |b| b.conditional.iter().filter(|v| is_item(v)).count());
        let found = contains(&setting.value, item);
        let all = setting
            .value
            .items()
            .map_or(0, |items| items.into_iter().filter(|v| is_item(v)).count());
        if maybe > 0 && found == Some(true) && all <= maybe {
            self.unknown_read(msg!(
                "whether {} contains `{}` is unknown statically (it is added only inside a condition)",
                name,
                item
            ));
            return None;
        }
        if found.is_none() && !matches!(setting.value, Value::Unknown(_)) {
            self.unknown_read(msg!(
                "whether {} contains `{}` is unknown statically (an entry is computed at runtime)",
                name,
                item
            ));
        }
        found
    }
}

fn contains(list: &Value, item: &str) -> Option<bool> {
    match list {
        Value::Unknown(_) => None,
        other => {
            let items = other.items()?;
            if items.iter().any(|v| matches!(v, Value::Unknown(_))) {
                // An unknown entry might be the one we look for, unless it is there anyway.
                return items
                    .iter()
                    .any(|v| matches!(v, Value::Str(s) if s == item))
                    .then_some(true);
            }
            Some(
                items
                    .iter()
                    .any(|v| matches!(v, Value::Str(s) if s == item)),
            )
        }
    }
}

/// A value as Python writes it, for a message: a string is quoted from where it is written
/// in `written` (the file and the value expression of the statement that set it), and only
/// described when it is not written there as it is (computed, or set elsewhere); lists item
/// by item.
fn shown_value(value: &Value, written: Option<(&Arc<SourceFile>, Span)>) -> Message {
    match value {
        Value::Str(s) if s.is_empty() => "\"\"".into(),
        Value::Str(s) => {
            let quoted = written.and_then(|(file, span)| {
                let at = span.start + file.slice(span).find(s.as_str())?;
                Some(Quote::in_file(file, Span::new(at, at + s.len())))
            });
            match quoted {
                Some(quote) => msg!("\"{}\"", quote),
                None => "a string computed elsewhere".into(),
            }
        }
        Value::Int(i) => msg!("{}", *i),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::None => "None".into(),
        Value::List(items) => msg!(
            "[{}]",
            Message::join(items.iter().map(|v| shown_value(v, written)), ", ")
        ),
        Value::Dict(_) => "{…}".into(),
        Value::Unknown(reason) => msg!("unknown ({})", reason),
    }
}

/// " (the default when DJANGO_DEBUG is unset)" for values read from the environment.
fn env_note(binding: &Binding) -> Option<Message> {
    let vars: Vec<&Quote> = binding
        .env
        .iter()
        .filter(|(_, has_default)| *has_default)
        .map(|(v, _)| v)
        .collect();
    (!vars.is_empty()).then(|| {
        msg!(
            " (the default when the environment variable {} is unset)",
            Message::join(vars, ", ")
        )
    })
}

/// The setting a flag qualifies, where a finding about the flag's absence is reported
/// (`SECURE_HSTS_PRELOAD` belongs next to `SECURE_HSTS_SECONDS`).
fn qualified(name: &str) -> Option<&'static str> {
    match name {
        "SECURE_HSTS_INCLUDE_SUBDOMAINS" | "SECURE_HSTS_PRELOAD" => Some("SECURE_HSTS_SECONDS"),
        _ => None,
    }
}

/// Runs `check` on every deployed settings module of the scan. A setting the check read
/// that is unknown statically makes the module's result `not_evaluated` (unless the check
/// reported there); a module that is not deployed is `not_applicable`, judged through the
/// modules that import it.
pub fn each_deployed(
    cx: &mut ProjectContext<'_, SettingsModule>,
    check: impl Fn(&Deployed, &mut ProjectContext<'_, SettingsModule>),
) {
    let docs = cx.docs;
    let evaluations = cx.shared(|| deployed_evaluations(docs));
    for (entry, evaluation) in evaluations.iter() {
        let deployed = Deployed {
            docs,
            entry: *entry,
            evaluation,
            unknown: RefCell::new(Vec::new()),
        };
        check(&deployed, cx);
        for reason in deployed.unknown.take() {
            cx.not_evaluated_in(deployed.source(), reason);
        }
    }
    // Marked once, rather than every module looked for among the entries (a project's
    // modules times its entries, for each of the Django rules).
    let mut is_entry = vec![false; docs.len()];
    for (entry, _) in evaluations.iter() {
        is_entry[*entry] = true;
    }
    for (doc, _) in docs.iter().zip(is_entry).filter(|(_, is_entry)| !is_entry) {
        cx.not_applicable_in(
            doc.source(),
            "not a deployed settings module: another settings module star-imports it (and is judged with it), or its name says development or tests",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::is_dev_module;
    use std::path::Path;

    #[test]
    fn development_and_test_settings_are_recognised_by_name_and_folder() {
        for dev in [
            "shop/settings/dev.py",
            "shop/settings/local.py",
            "shop/test_settings.py",
            "shop/settings_development.py",
            "tests/settings.py",
        ] {
            assert!(is_dev_module(Path::new(dev)), "{dev}");
        }
        for deployed in [
            "shop/settings.py",
            "shop/settings/production.py",
            "shop/settings/base.py",
            "config/prod.py",
            "devices/settings.py",
        ] {
            assert!(!is_dev_module(Path::new(deployed)), "{deployed}");
        }
    }
}
