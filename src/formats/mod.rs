//! One parser per file format. Parsers know nothing of rules: they produce trees whose
//! every node carries the [`crate::source::Span`] it was read from.

use crate::source::Span;

pub mod crontab;
pub mod dbconf;
pub mod dotenv;
pub mod nginx;
pub mod python_settings;
pub mod shell;
pub mod sshd;
pub mod systemd;
pub mod yaml;

pub mod fail2ban;
pub mod firewall;
pub mod logrotate;
pub mod postgres;
pub mod redis;

pub mod dockerfile;
pub mod image;
pub mod javascript;

pub mod compose;
pub mod interpolation;
pub mod kubernetes;

pub mod host;
mod target;
pub use target::Target;

/// Something a parser could not read. Parsers collect these and go on, so one mistake never
/// hides the rest of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Where the problem is.
    pub span: Span,
    /// What is wrong, in words a user can act on.
    pub message: String,
}

/// The lines of `text` with the byte offset each starts at, `\n` and `\r\n` removed: the
/// line-oriented formats (PostgreSQL, Redis, fail2ban, logrotate, firewall rules) all read
/// one statement a line and need absolute spans.
pub fn lines_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split_inclusive('\n').map(move |line| {
        let start = offset;
        offset += line.len();
        (start, line.trim_end_matches(['\n', '\r']))
    })
}

/// Blank-separated words of `line` (which starts at absolute offset `start`), double or
/// single quotes grouping and removed, each with the span it is written at. Characters for
/// which `is_token` holds are words of their own (logrotate's `{` and `}`).
pub fn quoted_words(line: &str, start: usize, is_token: fn(char) -> bool) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    let mut chars = line.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut value = String::new();
        let mut end = i;
        let mut quote = None;
        while let Some(&(j, c)) = chars.peek() {
            if quote.is_none() && (c.is_whitespace() || is_token(c)) && j != i {
                break;
            }
            chars.next();
            end = j + c.len_utf8();
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, c) if is_token(c) => {
                    value.push(c);
                    break;
                }
                _ => value.push(c),
            }
        }
        out.push((value, Span::new(start + i, start + end)));
    }
    out
}
