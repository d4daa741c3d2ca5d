//! Keeping secret values out of every output.
//!
//! Documents name the byte ranges that hold secrets; the engine masks those ranges in code
//! frames and scrubs their text from messages, whatever a rule wrote. Reporters therefore
//! never receive a secret, in any format.

use crate::formats::dotenv::EnvFile;
use crate::formats::nginx::NginxConfig;
use crate::formats::python_settings::SettingsModule;
use crate::secrets::{env_url_password, looks_like_token, secret_kind};
use crate::source::Span;

/// A secret in a document: where it is written, and its value as the application sees it
/// (which differs from the written text when escapes were used).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sensitive {
    /// The written form, to mask in code frames.
    pub span: Span,
    /// The value, to scrub from messages.
    pub value: String,
}

/// Values of secret-like keys, passwords inside URLs, and values that look like generated
/// credentials whatever their key is called.
pub fn env_sensitive(env: &EnvFile, text: &str) -> Vec<Sensitive> {
    let mut found = Vec::new();
    for entry in &env.entries {
        let Some(value) = &entry.value else { continue };
        if value.text.is_empty() {
            continue;
        }
        if secret_kind(&entry.key).is_some() || looks_like_token(&value.text) {
            found.push(Sensitive {
                span: value.inner_span,
                value: value.text.clone(),
            });
            continue;
        }
        if let Some((password, span)) = env_url_password(value) {
            found.push(Sensitive {
                span,
                value: password.to_owned(),
            });
        }
    }
    // A line the parser could not read may still hold a secret: keep the leading word
    // visible (it is usually the key) and hide the rest.
    for error in &env.errors {
        let written = text.get(error.span.range()).unwrap_or("");
        let cut = written
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(0);
        let span = Span::new(error.span.start + cut, error.span.end);
        found.push(Sensitive {
            span,
            value: text.get(span.range()).unwrap_or("").trim().to_owned(),
        });
    }
    found
}

/// Header names whose values are credentials.
const CREDENTIAL_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-api-key",
    "x-auth-token",
];

/// In nginx files: values of credential headers set with `proxy_set_header`/`add_header`/
/// `more_set_headers`/`grpc_set_header`, and any argument that looks like a generated token.
pub fn nginx_sensitive(config: &NginxConfig) -> Vec<Sensitive> {
    let mut found = Vec::new();
    for (_, directive) in config.walk() {
        let sets_header = matches!(
            directive.name.as_str(),
            "proxy_set_header"
                | "add_header"
                | "grpc_set_header"
                | "more_set_headers"
                | "more_set_input_headers"
        );
        for (i, arg) in directive.args.iter().enumerate() {
            let credential_header = sets_header
                && i == 1
                && CREDENTIAL_HEADERS.contains(
                    &directive.args[0]
                        .value
                        .to_ascii_lowercase()
                        .trim_end_matches(':'),
                );
            if credential_header || looks_like_token(&arg.value) {
                found.push(Sensitive {
                    span: arg.span,
                    value: arg.value.clone(),
                });
            }
        }
    }
    found
}

/// Replaces every character inside `spans` (absolute offsets) of `text` (which starts at
/// absolute offset `base`) with `*`, keeping line breaks so the frame keeps its shape.
pub fn mask(text: &str, base: usize, spans: &[Span]) -> String {
    text.char_indices()
        .map(|(i, c)| {
            let at = base + i;
            if c != '\n' && spans.iter().any(|s| s.start <= at && at < s.end) {
                '*'
            } else {
                c
            }
        })
        .collect()
}

/// Removes a file's secrets from text, wherever they occur. Built once per file; a file
/// holds a handful of secrets, so a sorted list beats building an automaton.
#[derive(Debug, Default)]
pub struct Scrubber {
    /// Secrets with their length in characters, longest first so that a secret containing
    /// another is replaced whole.
    secrets: Vec<(String, usize)>,
}

impl Scrubber {
    /// A scrubber for `secrets`. Secrets shorter than 3 characters cannot be scrubbed without
    /// destroying the text and say nothing anyway.
    pub fn new(secrets: Vec<String>) -> Self {
        let mut secrets: Vec<(String, usize)> = secrets
            .into_iter()
            .map(|s| {
                let len = s.chars().count();
                (s, len)
            })
            .filter(|(_, len)| *len >= 3)
            .collect();
        secrets.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        secrets.dedup();
        Self { secrets }
    }

    /// Replaces each secret in a message by `[redacted]`.
    pub fn scrub(&self, text: &str) -> String {
        self.replace(text, |_| "[redacted]".to_owned())
    }

    /// Replaces each secret in a snippet by as many `*` as it has characters, so columns
    /// still line up (a secret repeated in a comment, say).
    pub fn mask(&self, text: &str) -> String {
        self.replace(text, |len| "*".repeat(len))
    }

    fn replace(&self, text: &str, with: impl Fn(usize) -> String) -> String {
        let mut out = text.to_owned();
        for (secret, len) in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), &with(*len));
            }
        }
        out
    }
}

/// A hint that identifies a secret without revealing it: its length, and for long values
/// the first two characters.
pub fn hint(value: &str) -> String {
    let len = value.chars().count();
    if len >= 16 {
        let head: String = value.chars().take(2).collect();
        format!("`{head}…` ({len} chars)")
    } else {
        format!("({len} chars)")
    }
}

/// In Django settings: string literals under secret-like settings (`SECRET_KEY`,
/// `SECRET_KEY_FALLBACKS`) and secret-like dict keys (`DATABASES[…]["PASSWORD"]`), and any
/// literal that looks like a generated credential.
pub fn django_sensitive(module: &SettingsModule) -> Vec<Sensitive> {
    module
        .secret_literals
        .iter()
        .map(|(span, value)| Sensitive {
            span: *span,
            value: value.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_secret_keys_url_passwords_and_tokens_only() {
        let text = "JWT_SECRET=abcdef\nNODE_ENV=production\nDATABASE_URL=postgres://u:pw123@h/db\nX=sk_live_51HxYz9Kq2Lm8Np4Rt\n";
        let env = EnvFile::parse(text);
        let spans: Vec<Span> = env_sensitive(&env, text)
            .into_iter()
            .map(|s| s.span)
            .collect();
        let masked = mask(text, 0, &spans);
        assert_eq!(
            masked,
            "JWT_SECRET=******\nNODE_ENV=production\nDATABASE_URL=postgres://u:*****@h/db\nX=**************************\n"
        );
    }

    #[test]
    fn scrubber_replaces_secrets_longest_first() {
        let scrubber = Scrubber::new(vec!["hunter2".into(), "hunter2hunter2".into(), "ab".into()]);
        assert_eq!(
            scrubber.scrub("ab hunter2hunter2 hunter2!"),
            "ab [redacted] [redacted]!"
        );
        assert_eq!(scrubber.mask("x=hunter2"), "x=*******");
    }
}
