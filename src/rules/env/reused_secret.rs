//! ENV014: one secret value used for two purposes or in two environments, so that leaking
//! or rotating one affects the other.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::document::Document;
use crate::formats::dotenv::EnvFile;
use crate::msg;
use crate::rules::env::{secret_values, SecretValue};
use crate::rules::{FactsContext, ScanFacts};
use crate::secrets::{Redacted, SecretKind, Weakness};
use crate::source::{FileRef, Span};

/// A secret as ENV014 compares it across the scan: the digest of its value, not the value,
/// and where it is written.
struct Occurrence {
    source: FileRef,
    digest: [u8; 16],
    key: String,
    key_span: Span,
    span: Span,
    kind: SecretKind,
    in_url: bool,
}

impl Occurrence {
    /// The secret as messages name it (the value itself is not kept: only its digest).
    fn named(&self) -> SecretValue<'_> {
        SecretValue {
            key: &self.key,
            key_span: self.key_span,
            kind: self.kind,
            value: "",
            span: self.span,
            in_url: self.in_url,
            weakness: None,
        }
    }
}

/// A password repeated inside its own connection URL (`POSTGRES_PASSWORD` and the password
/// in `DATABASE_URL`) is the same credential written twice, not a reuse.
fn same_credential(a: &Occurrence, b: &Occurrence) -> bool {
    a.in_url != b.in_url && (a.kind == SecretKind::Password && b.kind == SecretKind::Password)
}

/// The secrets of one `.env` file that could be reused: long enough, and not placeholders.
pub struct Secrets(Vec<Occurrence>);

impl ScanFacts for Secrets {
    type Kind = EnvFile;

    fn collect(doc: &Document, env: &EnvFile) -> Option<Self> {
        let mut file = None;
        let found: Vec<Occurrence> = secret_values(env)
            .filter_map(|secret| {
                let placeholder = matches!(
                    secret.weakness,
                    Some(Weakness::Placeholder(_) | Weakness::VendorExample(_))
                );
                // A saved snapshot's redaction compares by its keyed identity; one from
                // before identities were kept cannot be compared.
                let (compared, chars) = match Redacted::parse(secret.value) {
                    Some(redacted) => (
                        format!("redacted identity {}", redacted.facts?.identity),
                        redacted.chars,
                    ),
                    None => (secret.value.to_owned(), secret.value.chars().count()),
                };
                (chars >= 8 && !placeholder).then_some((secret, compared))
            })
            .map(|(secret, compared)| {
                let file = file.get_or_insert_with(|| doc.file_ref());
                let mut digest = [0; 16];
                digest.copy_from_slice(&Sha256::digest(compared.as_bytes())[..16]);
                Occurrence {
                    source: file.clone(),
                    digest,
                    key: secret.key.to_owned(),
                    key_span: secret.key_span,
                    span: secret.span,
                    kind: secret.kind,
                    in_url: secret.in_url,
                }
            })
            .collect();
        (!found.is_empty()).then_some(Self(found))
    }

    /// Reports each later occurrence of a secret value that an earlier key already uses.
    fn judge(facts: Vec<Self>, cx: &mut FactsContext<'_>) {
        let mut by_value: HashMap<[u8; 16], Vec<&Occurrence>> = HashMap::new();
        for occurrence in facts.iter().flat_map(|f| &f.0) {
            by_value
                .entry(occurrence.digest)
                .or_default()
                .push(occurrence);
        }
        let mut groups: Vec<_> = by_value.into_values().filter(|g| g.len() > 1).collect();
        groups.sort_by(|a, b| {
            (a[0].source.display_path(), a[0].span).cmp(&(b[0].source.display_path(), b[0].span))
        });
        for group in groups {
            for (i, later) in group.iter().enumerate().skip(1) {
                let Some(first) = group[..i]
                    .iter()
                    .find(|earlier| !same_credential(earlier, later))
                else {
                    continue;
                };
                let (first_named, later_named) = (first.named(), later.named());
                let first_label = first_named.label_in(&first.source);
                let message = if first.source == later.source {
                    msg!(
                        "{} has the same value as {}; give every purpose its own secret so one leak or rotation does not affect the other",
                        later_named.label(),
                        first_label
                    )
                } else {
                    msg!(
                        "{} has the same value as {} in `{}`; every environment needs its own secrets",
                        later_named.label(),
                        first_label,
                        &first.source
                    )
                };
                let key = format!(
                    "{}=={}",
                    later_named.fingerprint_key(),
                    first_named.fingerprint_key()
                );
                cx.report_in(&later.source, later.span, key, message)
                    .related_in(
                        &first.source,
                        first.span,
                        msg!("{} is set here", first_named.label()),
                    );
            }
        }
    }
}
