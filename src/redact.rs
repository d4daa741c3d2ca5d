//! Keeping secret values out of every output.
//!
//! Documents name the byte ranges that hold secrets; the engine masks those ranges in code
//! frames and scrubs their text from messages, whatever a rule wrote. Reporters therefore
//! never receive a secret, in any format.

use crate::source::Span;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::dotenv::EnvFile;
    use crate::formats::Format;
    use crate::source::SourceFile;

    #[test]
    fn masks_secret_keys_url_passwords_and_tokens_only() {
        let text = "JWT_SECRET=abcdef\nNODE_ENV=production\nDATABASE_URL=postgres://u:pw123@h/db\nX=sk_live_51HxYz9Kq2Lm8Np4Rt\n";
        let source = SourceFile::from_bytes(".env".into(), ".env".into(), text.into());
        let env = EnvFile::parse(text);
        let spans: Vec<Span> = Format::sensitive(&env, &source)
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
