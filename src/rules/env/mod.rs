//! Rules for environment files.

use crate::formats::dotenv::EnvFile;
use crate::secrets::{is_indirection, parse_url, secret_kind, SecretKind};
use crate::source::Span;

pub mod condition;
pub mod git_exposure;
pub mod reused_secret;
pub mod syntax;
pub mod url_tls;
pub mod weak_secret;

/// A secret value in effect in an env file: the value of a secret-like key, or the
/// password inside a connection URL.
#[derive(Debug, Clone)]
pub struct SecretValue<'a> {
    /// The variable holding it.
    pub key: &'a str,
    /// What it is used for.
    pub kind: SecretKind,
    /// The value as the application sees it.
    pub value: &'a str,
    /// Where it is written.
    pub span: Span,
    /// Whether it is a password inside a URL.
    pub in_url: bool,
}

impl SecretValue<'_> {
    /// How messages name it: "`JWT_SECRET`" or "the password in `DATABASE_URL`".
    pub fn label(&self) -> String {
        if self.in_url {
            format!("the password in `{}`", self.key)
        } else {
            format!("`{}`", self.key)
        }
    }

    /// The fingerprint key: the variable, and which part of it.
    pub fn fingerprint_key(&self) -> String {
        if self.in_url {
            format!("{}:url-password", self.key)
        } else {
            self.key.to_owned()
        }
    }
}

/// Every secret in effect (the last assignment of each key), skipping references to
/// secrets kept elsewhere (`${VAR}`, `/run/secrets/x`, `op://…`).
pub fn secret_values(env: &EnvFile) -> Vec<SecretValue<'_>> {
    let mut found = Vec::new();
    for entry in env.effective_entries() {
        let Some(value) = &entry.value else { continue };
        if value.interpolated {
            continue;
        }
        if parse_url(&value.text).is_some() {
            if let Some((password, span)) = value.url_password() {
                found.push(SecretValue {
                    key: &entry.key,
                    kind: SecretKind::Password,
                    value: password,
                    span,
                    in_url: true,
                });
            }
            continue;
        }
        let Some(kind) = secret_kind(&entry.key) else {
            continue;
        };
        if is_indirection(&value.text) || (value.text.is_empty() && kind != SecretKind::Signing) {
            continue;
        }
        let span = if value.text.is_empty() {
            entry.key_span
        } else {
            value.inner_span
        };
        found.push(SecretValue {
            key: &entry.key,
            kind,
            value: &value.text,
            span,
            in_url: false,
        });
    }
    found
}
