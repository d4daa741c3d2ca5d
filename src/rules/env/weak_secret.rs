//! ENV010–ENV013: secrets that are placeholders, documentation examples, too short, or
//! predictable. Each secret gets at most one of these, the most specific (see
//! [`crate::secrets::assess`]).

use crate::formats::dotenv::EnvFile;
use crate::rules::env::{secret_values, SecretValue};
use crate::rules::Context;
use crate::secrets::{assess, vendor_example, Weakness};

const GENERATE: &str =
    "generate one with `openssl rand -base64 48` and keep it out of version control";

fn report_weak(
    cx: &mut Context<'_, EnvFile>,
    describe: impl Fn(&Weakness, &SecretValue) -> Option<String>,
) {
    for secret in secret_values(cx.content) {
        if let Some(message) = assess(secret.kind, secret.value).and_then(|w| describe(&w, &secret))
        {
            cx.report(secret.span, secret.fingerprint_key(), message);
        }
    }
}

/// ENV010: placeholder text or a well-known password.
pub fn placeholder(cx: &mut Context<'_, EnvFile>) {
    report_weak(cx, |weakness, secret| match weakness {
        Weakness::Placeholder(why) => Some(format!(
            "{} {why}, not a secret; {GENERATE}",
            secret.label()
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
                format!(
                    "`{}` holds the {what}, published for everyone to read; issue a real credential from the vendor's console",
                    entry.key
                ),
            );
        }
    }
}

/// ENV012: shorter than its kind of secret needs.
pub fn short(cx: &mut Context<'_, EnvFile>) {
    report_weak(cx, |weakness, secret| match weakness {
        Weakness::TooShort { len: 0, .. } => Some(format!(
            "{} is empty, so anything signed with it can be forged; {GENERATE}",
            secret.label()
        )),
        Weakness::TooShort { len, min } => Some(format!(
            "{} is only {len} characters long; a {} needs at least {min}; {GENERATE}",
            secret.label(),
            secret.kind.noun()
        )),
        _ => None,
    });
}

/// ENV013: long enough but predictable.
pub fn low_entropy(cx: &mut Context<'_, EnvFile>) {
    report_weak(cx, |weakness, secret| {
        match weakness {
        Weakness::LowEntropy { bits, distinct } => Some(format!(
            "{} is predictable: {} characters with only {distinct} distinct ones (about {bits:.0} bits of entropy); {GENERATE}",
            secret.label(),
            secret.value.chars().count(),
        )),
        _ => None,
    }
    });
}
