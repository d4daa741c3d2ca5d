//! ENV010–ENV013: secrets that are placeholders, documentation examples, too short, or
//! predictable. Each secret gets at most one of these, the most specific (see
//! [`crate::secrets::assess`]).

use crate::formats::dotenv::EnvFile;
use crate::message::{Decimals, Message, Quote};
use crate::msg;
use crate::rules::env::{secret_values, SecretValue};
use crate::rules::Context;
use crate::secrets::{vendor_example, Weakness};

const GENERATE: &str =
    "generate one with `openssl rand -base64 48` and keep it out of version control";

fn report_weak(
    cx: &mut Context<'_, EnvFile>,
    describe: impl Fn(&Weakness, &SecretValue) -> Option<Message>,
) {
    for secret in secret_values(cx.content) {
        if let Some(message) = secret.weakness.and_then(|w| describe(w, &secret)) {
            cx.report(secret.span, secret.fingerprint_key(), message);
        }
    }
}

/// ENV010: placeholder text or a well-known password.
pub fn placeholder(cx: &mut Context<'_, EnvFile>) {
    report_weak(cx, |weakness, secret| match weakness {
        Weakness::Placeholder(why) => Some(msg!(
            "{} {}, not a secret; {}",
            secret.label(),
            *why,
            GENERATE
        )),
        _ => None,
    });
}

/// ENV011: a credential copied from a vendor's documentation, in any variable.
pub fn example_credential(cx: &mut Context<'_, EnvFile>) {
    for entry in cx.content.effective_entries() {
        let Some(value) = &entry.value else { continue };
        if let Some(what) = vendor_example(&value.text) {
            cx.report(
                value.inner_span,
                entry.key.clone(),
                msg!(
                    "`{}` holds the {}, a value known outside this deployment; replace it with a credential issued or generated for it",
                    Quote::at(entry.key_span),
                    what
                ),
            );
        }
    }
}

/// ENV012: shorter than its kind of secret needs.
pub fn short(cx: &mut Context<'_, EnvFile>) {
    report_weak(cx, |weakness, secret| match weakness {
        Weakness::TooShort { len: 0, .. } => Some(msg!(
            "{} is empty, so anything signed with it can be forged; {}",
            secret.label(),
            GENERATE
        )),
        Weakness::TooShort { len, min } => Some(msg!(
            "{} is only {} characters long; a {} needs at least {}; {}",
            secret.label(),
            *len,
            secret.kind.noun(),
            *min,
            GENERATE
        )),
        _ => None,
    });
}

/// ENV013: long enough but predictable. The message gives the length and the counts, never
/// any character of the value.
pub fn low_entropy(cx: &mut Context<'_, EnvFile>) {
    report_weak(cx, |weakness, secret| {
        match weakness {
        Weakness::LowEntropy { bits, distinct } => Some(msg!(
            "{} is predictable: {} characters with only {} distinct ones (about {} bits of entropy); {}",
            secret.label(),
            secret.value.chars().count(),
            *distinct,
            Decimals(*bits, 0),
            GENERATE
        )),
        _ => None,
    }
    });
}
