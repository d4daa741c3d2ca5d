//! Declarative env rules: "key X must / must not match Y", straight from the policy file.

use std::collections::HashSet;
use std::sync::{LazyLock, Mutex, PoisonError};

use crate::formats::dotenv::EnvFile;
use crate::message::{Message, Quote};
use crate::policy::EnvCondition;
use crate::rules::Context;

/// Reports every variable in effect whose name matches `condition.key` and whose value
/// breaks the condition.
pub fn check(condition: &EnvCondition, cx: &mut Context<'_, EnvFile>) {
    for entry in cx
        .content
        .effective_entries()
        .filter(|e| condition.key.is_match(&e.key))
    {
        let Some(value) = &entry.value else { continue };
        let violated = match (&condition.value_matches, &condition.value_not_matches) {
            (Some(bad), _) => bad.is_match(&value.text),
            (None, Some(good)) => !good.is_match(&value.text),
            (None, None) => false,
        };
        if violated {
            let message = fill(
                template(&condition.message),
                &Quote::at(entry.key_span),
                &Quote::derived(value.inner_span, value.text.as_str()),
            );
            let span = if value.text.is_empty() {
                entry.key_span
            } else {
                value.inner_span
            };
            cx.report(span, entry.key.clone(), message);
        }
    }
}

/// The policy's message template as text that lives as long as the program, which is what
/// a [`Message`] is made of: the template is the operator's own policy, not a scanned file,
/// and the policy lives for the whole run anyway. Each distinct template is kept once.
fn template(text: &str) -> &'static str {
    static KEPT: LazyLock<Mutex<HashSet<&'static str>>> = LazyLock::new(Mutex::default);
    let mut kept = KEPT.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(&known) = kept.get(text) {
        return known;
    }
    let leaked: &'static str = Box::leak(text.to_owned().into_boxed_str());
    kept.insert(leaked);
    leaked
}

/// `template` with `{key}` and `{value}` replaced by quotes of the variable and its value
/// (a value that is a secret shows as hidden, like any quote of one).
fn fill(template: &'static str, key: &Quote, value: &Quote) -> Message {
    let mut message = Message::new();
    let mut rest = template;
    while let Some((at, placeholder)) = ["{key}", "{value}"]
        .into_iter()
        .filter_map(|p| rest.find(p).map(|at| (at, p)))
        .min()
    {
        message.push(&rest[..at]);
        message.push(if placeholder == "{key}" { key } else { value });
        rest = &rest[at + placeholder.len()..];
    }
    message.push(rest);
    message
}
