//! DJ025: a credential setting that falls back to a placeholder or a well-known password
//! when its environment variable is unset (`os.environ.get("ADMIN_PASSWORD", "changeme")`).
//! `SECRET_KEY` has its own rules (DJ002, DJ003).

use std::cell::RefCell;
use std::collections::BTreeSet;

use crate::formats::python_settings::{is_secret_name, SettingsModule, Value};
use crate::message::Quote;
use crate::msg;
use crate::rules::django::{each_deployed, env_note};
use crate::rules::ProjectContext;
use crate::secrets::placeholder;
use crate::source::Span;

/// DJ025: a setting named like a credential, read from the environment with a default
/// that is placeholder text or a common password: a deployment that forgets the variable
/// starts anyway, with a credential anyone can guess.
pub fn check(cx: &mut ProjectContext<'_, SettingsModule>) {
    // A base module imported by several deployed ones is reported once.
    let reported = RefCell::new(BTreeSet::new());
    each_deployed(cx, |d, cx| {
        for (name, binding) in &d.evaluation.settings {
            let falls_back = binding.env.iter().any(|(_, has_default)| *has_default);
            if name == "SECRET_KEY" || !falls_back || !is_secret_name(name) {
                continue;
            }
            let Value::Str(value) = &binding.value else {
                continue;
            };
            let Some(why) = placeholder(value) else {
                continue;
            };
            let source = cx.docs[binding.module].source();
            let name_at = Span::new(binding.span.start, binding.span.start + name.len());
            if source.text.get(name_at.range()) != Some(name.as_str())
                || !reported
                    .borrow_mut()
                    .insert((binding.module, binding.span.start))
            {
                continue;
            }
            cx.report_in(source, binding.value_span, name.clone(), msg!(
                "{} {}{}: a deployment that does not set the variable starts anyway, with a credential anyone can guess; read it without a default (`os.environ[\"…\"]`) so that a missing variable stops the start",
                Quote::at(name_at),
                why,
                env_note(binding)
            ));
        }
    });
}
