//! ENV014: one secret value used for two purposes or in two environments, so that leaking
//! or rotating one affects the other.

use std::collections::HashMap;

use crate::formats::dotenv::EnvFile;
use crate::msg;
use crate::rules::env::{secret_values, SecretValue};
use crate::rules::{Parsed, ProjectContext};
use crate::secrets::{assess, SecretKind, Weakness};

struct Occurrence<'a> {
    file: Parsed<'a, EnvFile>,
    secret: SecretValue<'a>,
}

/// A password repeated inside its own connection URL (`POSTGRES_PASSWORD` and the password
/// in `DATABASE_URL`) is the same credential written twice, not a reuse.
fn same_credential(a: &SecretValue, b: &SecretValue) -> bool {
    a.in_url != b.in_url && (a.kind == SecretKind::Password && b.kind == SecretKind::Password)
}

/// Reports each later occurrence of a secret value that an earlier key already uses.
pub fn check(cx: &mut ProjectContext<'_, EnvFile>) {
    let mut by_value: HashMap<&str, Vec<Occurrence>> = HashMap::new();
    for &file in cx.docs {
        for secret in secret_values(file.content) {
            let placeholder = matches!(
                assess(secret.kind, secret.value),
                Some(Weakness::Placeholder(_) | Weakness::VendorExample(_))
            );
            if secret.value.chars().count() >= 8 && !placeholder {
                by_value
                    .entry(secret.value)
                    .or_default()
                    .push(Occurrence { file, secret });
            }
        }
    }
    let mut groups: Vec<_> = by_value.into_values().filter(|g| g.len() > 1).collect();
    groups.sort_by_key(|g| (g[0].file.source().display_path.clone(), g[0].secret.span));
    for group in groups {
        for (i, later) in group.iter().enumerate().skip(1) {
            let Some(first) = group[..i]
                .iter()
                .find(|earlier| !same_credential(&earlier.secret, &later.secret))
            else {
                continue;
            };
            let same_file = std::ptr::eq(first.file.doc, later.file.doc);
            let first_label = first.secret.label_in(first.file.source());
            let message = if same_file {
                msg!(
                    "{} has the same value as {}; give every purpose its own secret so one leak or rotation does not affect the other",
                    later.secret.label(),
                    first_label
                )
            } else {
                msg!(
                    "{} has the same value as {} in `{}`; every environment needs its own secrets",
                    later.secret.label(),
                    first_label,
                    first.file.source()
                )
            };
            let key = format!(
                "{}=={}",
                later.secret.fingerprint_key(),
                first.secret.fingerprint_key()
            );
            cx.report_in(later.file.source(), later.secret.span, key, message)
                .related_in(
                    first.file.source(),
                    first.secret.span,
                    msg!("{} is set here", first.secret.label()),
                );
        }
    }
}
