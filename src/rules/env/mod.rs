//! Rules for environment files.

use crate::formats::dotenv::EnvFile;
use crate::message::{Message, Quote, QuotedFile};
use crate::msg;
use crate::rules::{checks, RegisteredCheck};
use crate::secrets::{SecretKind, Weakness};
use crate::source::Span;

pub mod condition;
pub mod git_exposure;
pub mod reused_secret;
pub mod syntax;
pub mod url_tls;
pub mod weak_secret;

/// The family's built-in checks, sorted by name (see `crate::rules::registry`).
pub(crate) const RULES: &[RegisteredCheck] = checks! {
    document "database-url-without-tls" => url_tls::database;
    document "duplicate-key" => syntax::duplicate_key;
    document "example-credential" => weak_secret::example_credential;
    document "export-prefix" => syntax::export_prefix;
    document "low-entropy-secret" => weak_secret::low_entropy;
    document "missing-assignment" => syntax::missing_assignment;
    document "not-utf8" => syntax::not_utf8;
    document "placeholder-secret" => weak_secret::placeholder;
    document "redis-url-without-tls" => url_tls::redis;
    facts "reused-secret" => reused_secret::Secrets;
    facts "secrets-file-not-ignored" => git_exposure::NotIgnored;
    facts "secrets-file-tracked" => git_exposure::Tracked;
    document "short-secret" => weak_secret::short;
    document "unquoted-whitespace" => syntax::unquoted_whitespace;
};

/// A secret value in effect in an env file: the value of a secret-like key, or the
/// password inside a connection URL.
#[derive(Debug, Clone)]
pub struct SecretValue<'a> {
    /// The variable holding it.
    pub key: &'a str,
    /// Where the variable's name is written.
    pub key_span: Span,
    /// What it is used for.
    pub kind: SecretKind,
    /// The value as the application sees it.
    pub value: &'a str,
    /// Where it is written.
    pub span: Span,
    /// Whether it is a password inside a URL.
    pub in_url: bool,
    /// Why it is weak, if it is ([`crate::secrets::assess`]).
    pub weakness: Option<&'a Weakness>,
}

impl SecretValue<'_> {
    /// How messages attached to its own file name it: "`JWT_SECRET`" or "the password in
    /// `DATABASE_URL`".
    pub fn label(&self) -> Message {
        self.label_quoting(Quote::at(self.key_span))
    }

    /// How messages attached to another file name it, when it is in `file`.
    pub fn label_in(&self, file: impl Into<QuotedFile>) -> Message {
        self.label_quoting(Quote::in_file(file, self.key_span))
    }

    fn label_quoting(&self, key: Quote) -> Message {
        if self.in_url {
            msg!("the password in `{}`", key)
        } else {
            msg!("`{}`", key)
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

/// Every secret in effect ([`EnvFile::secrets`]).
pub fn secret_values(env: &EnvFile) -> impl Iterator<Item = SecretValue<'_>> {
    env.secrets().iter().map(|secret| {
        let entry = &env.entries[secret.entry];
        SecretValue {
            key: &entry.key,
            key_span: entry.key_span,
            kind: secret.kind,
            value: env.secret_value(secret),
            span: secret.span,
            in_url: secret.in_url,
            weakness: secret.weakness.as_ref(),
        }
    })
}
