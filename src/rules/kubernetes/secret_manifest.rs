//! K8S015: a Secret manifest with literal values. `data` is base64, an encoding, not
//! encryption: whoever reads the repository reads the secret. Values are decoded and judged
//! with the secret classifier `.env` files use (placeholders, vendor examples, short or
//! predictable values), and never shown.

use crate::formats::kubernetes::{secret_values, Manifests};
use crate::msg;
use crate::rules::kubernetes::{is_reference, object_key, objects, weakness};
use crate::rules::Context;

/// Keys of a TLS or registry Secret that hold public data.
const PUBLIC_KEYS: &[&str] = &["tls.crt", "ca.crt"];

/// K8S015: a non-empty value in a Secret's `data` or `stringData`.
pub fn check(cx: &mut Context<'_, Manifests>) {
    for object in objects(cx.content) {
        for (key, plain, written) in secret_values(object) {
            let Some(name) = key.as_str() else { continue };
            if plain.trim().is_empty() || PUBLIC_KEYS.contains(&name) || is_reference(&plain) {
                continue;
            }
            let how = weakness(name, &plain).map(|w| msg!(" and {}", w));
            cx.report(written.span, object_key(object, name), msg!(
                "{} holds the literal value of `{}` ({} characters){}: everyone who can read this file can read it (base64 is not encryption); create the Secret out of band (`kubectl create secret generic … --from-literal`, Sealed Secrets, External Secrets, SOPS) and commit only the reference",
                object.label(),
                key.quote(),
                plain.chars().count(),
                how));
        }
    }
}
