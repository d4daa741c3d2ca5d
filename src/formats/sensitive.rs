//! The shared knowledge of where secrets are written, used by every format to declare its
//! sensitive spans: `NAME=value` assignments, command lines (password options, URL
//! passwords, token-like words), YAML values, and lines a parser could not read.

use crate::formats::shell::simple_commands;
use crate::formats::yaml::{YamlFile, YamlNode, YamlValue};
use crate::formats::ParseError;
use crate::secrets::{looks_like_token, parse_url, secret_kind};
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

/// A line a parser could not read may still hold a secret: keep the leading word visible
/// (it is usually the key) and hide the rest.
pub fn unreadable_lines(errors: &[ParseError], text: &str, found: &mut Vec<Sensitive>) {
    for error in errors {
        let written = text.get(error.span.range()).unwrap_or("");
        let cut = written
            .find(|c: char| c == '=' || c == ':' || c.is_whitespace())
            .unwrap_or(0);
        let span = Span::new(error.span.start + cut, error.span.end);
        found.push(Sensitive {
            span,
            value: text.get(span.range()).unwrap_or("").trim().to_owned(),
        });
    }
}

/// The secret in a `NAME=value` assignment, wherever it is written (a `.env` line, a
/// unit's `Environment=`, a crontab variable, a Compose `environment:` entry): the whole
/// value of a secret-like name or of a value that looks like a generated credential, else
/// the password inside a connection URL. `span` is where the value is written; when that
/// differs from `value` (quotes, escapes) a URL password is masked with the whole value.
pub fn assignment_sensitive(name: &str, value: &str, span: Span) -> Option<Sensitive> {
    if value.is_empty() {
        return None;
    }
    if secret_kind(name).is_some() || looks_like_token(value) {
        return Some(Sensitive {
            span,
            value: value.to_owned(),
        });
    }
    let (password, range) = parse_url(value)?.password?;
    let span = if span.len() == value.len() {
        Span::new(span.start + range.start, span.start + range.end)
    } else {
        span
    };
    Some(Sensitive {
        span,
        value: password.to_owned(),
    })
}

/// Secrets on a command line: `NAME=value` prefixes (`PGPASSWORD=…`), password options
/// (`--password=…`, mysql's glued `-p…`, `redis-cli -a …`), URLs with passwords and
/// token-like words. `locate` turns a byte range of `line` into a file span.
pub fn command_sensitive(line: &str, locate: &dyn Fn(usize, usize) -> Span) -> Vec<Sensitive> {
    let mut found = Vec::new();
    for words in simple_commands(line) {
        let runs = |prefix: &str| {
            words
                .iter()
                .any(|w| w.text.rsplit('/').next().unwrap_or("").starts_with(prefix))
        };
        let mysql = runs("mysql") || runs("mariadb");
        let redis = runs("redis-cli");
        for (i, word) in words.iter().enumerate() {
            let written = &line[word.range.clone()];
            let exact = written == word.text;
            // The part of the word after `skip` bytes, located exactly when written plainly.
            let mut push = |skip: usize, name: &str| {
                let value = &word.text[skip.min(word.text.len())..];
                let span = if exact {
                    locate(word.range.start + skip, word.range.end)
                } else {
                    locate(word.range.start, word.range.end)
                };
                found.extend(assignment_sensitive(name, value, span));
            };
            let text = word.text.as_str();
            if let Some((name, _)) = text.split_once('=') {
                let option = name.trim_start_matches('-');
                if !name.is_empty() && !name.contains(['/', ' ']) {
                    push(name.len() + 1, option);
                    continue;
                }
            }
            if mysql && text.len() > 2 && text.starts_with("-p") {
                push(2, "password");
            } else if i > 0
                && (redis && words[i - 1].text == "-a" || password_option(&words[i - 1].text))
            {
                push(0, "password");
            } else {
                push(0, "");
            }
        }
    }
    found
}

/// Options whose next word is a password: `--password X`, `--token X`, and the Redis
/// server's `--requirepass X` and `--masterauth X` (`redis-server --requirepass …` in
/// Compose files and unit files).
fn password_option(word: &str) -> bool {
    let Some(name) = word.strip_prefix("--") else {
        return false;
    };
    matches!(name, "requirepass" | "masterauth") || secret_kind(name).is_some()
}

/// In YAML (Compose files): `KEY: value` pairs and `- KEY=value` list items whose key is
/// secret-like, URL passwords and token-like scalars.
pub fn yaml_sensitive(yaml: &YamlFile, text: &str) -> Vec<Sensitive> {
    let mut found = Vec::new();
    let mut stack: Vec<&YamlNode> = yaml.documents.iter().collect();
    while let Some(node) = stack.pop() {
        match &node.value {
            YamlValue::Mapping(entries) => {
                for (key, value) in entries {
                    match (key.as_str(), value.as_str()) {
                        (Some(name), Some(text)) => {
                            found.extend(assignment_sensitive(name, text, value.span));
                        }
                        _ => stack.push(value),
                    }
                }
            }
            YamlValue::Sequence(items) => stack.extend(items),
            YamlValue::Scalar(text) => {
                let (name, value) = text.split_once('=').unwrap_or(("", text));
                let skip = if value.len() == text.len() {
                    0
                } else {
                    name.len() + 1
                };
                let span = if node.span.len() == text.len() {
                    Span::new(node.span.start + skip, node.span.end)
                } else {
                    node.span
                };
                found.extend(assignment_sensitive(name, value, span));
            }
            YamlValue::Alias => {}
        }
    }
    unreadable_lines(&yaml.errors, text, &mut found);
    found
}
