//! Declarative env rules: "key X must / must not match Y", straight from the policy file.

use crate::formats::dotenv::EnvFile;
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
            let message = condition
                .message
                .replace("{key}", &entry.key)
                .replace("{value}", &value.text);
            let span = if value.text.is_empty() {
                entry.key_span
            } else {
                value.inner_span
            };
            cx.report(span, entry.key.clone(), message);
        }
    }
}
