//! A parser for `redis.conf`, following Redis's `config.c`: one directive a line, the name
//! case-insensitive, arguments split like `sdssplitargs()` does (double quotes with `\n`,
//! `\xHH`, `\"` escapes; single quotes with `\'`), lines whose first non-blank is `#` are
//! comments (Redis has no trailing comments). `include` is kept as a directive; this module
//! reads one file. When a single-valued directive repeats, the last one wins, as in Redis.

use crate::formats::sensitive::{unreadable_lines, Sensitive};
use crate::formats::Target;
use crate::formats::{lines_with_offsets, ParseError};
use crate::formats::{Classification, FileName, Format, ParseContext};
use crate::source::SourceFile;
use crate::source::Span;
use std::sync::Arc;

/// One argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisArg {
    /// The value, quotes removed and escapes applied.
    pub value: String,
    /// As written.
    pub span: Span,
}

/// One directive line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisDirective {
    /// The name in lower case.
    pub name: String,
    /// The name as written.
    pub name_span: Span,
    /// The arguments.
    pub args: Vec<RedisArg>,
}

impl RedisDirective {
    /// The first argument's value, or `""`.
    pub fn first(&self) -> &str {
        self.args.first().map_or("", |a| a.value.as_str())
    }

    /// From the first to the last argument (the name when there is none), for findings.
    pub fn value_span(&self) -> Span {
        match (self.args.first(), self.args.last()) {
            (Some(a), Some(b)) => Span::new(a.span.start, b.span.end),
            _ => self.name_span,
        }
    }
}

/// A parsed `redis.conf`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RedisConf {
    /// Every directive in file order.
    pub directives: Vec<RedisDirective>,
    /// What could not be read.
    pub errors: Vec<ParseError>,
}

impl RedisConf {
    /// Parses `text`.
    pub fn parse(text: &str) -> Self {
        let mut out = Self::default();
        for (start, line) in lines_with_offsets(text) {
            let body = line.trim_start();
            if body.is_empty() || body.starts_with('#') {
                continue;
            }
            match split_args(line, start) {
                Ok(mut words) if !words.is_empty() => {
                    let name = words.remove(0);
                    out.directives.push(RedisDirective {
                        name: name.value.to_ascii_lowercase(),
                        name_span: name.span,
                        args: words,
                    });
                }
                Ok(_) => {}
                Err(at) => out.errors.push(ParseError {
                    span: Span::new(at, start + line.len()),
                    message: "unbalanced quotes in configuration line (Redis refuses to start)"
                        .into(),
                }),
            }
        }
        out
    }

    /// The last directive named `name` (lower case), the one Redis uses for single values.
    pub fn last(&self, name: &str) -> Option<&RedisDirective> {
        self.directives.iter().rev().find(|d| d.name == name)
    }

    /// Every directive named `name`, for the ones that accumulate (`rename-command`, `user`).
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a RedisDirective> + 'a {
        self.directives.iter().filter(move |d| d.name == name)
    }
}

/// `sdssplitargs()`: words with their spans; `Err(offset)` at an unbalanced quote (or a
/// closing quote not followed by a blank, which Redis rejects too).
fn split_args(line: &str, start: usize) -> Result<Vec<RedisArg>, usize> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let word_start = i;
        let mut value: Vec<u8> = Vec::new();
        let quote = match bytes[i] {
            q @ (b'"' | b'\'') => {
                i += 1;
                Some(q)
            }
            _ => None,
        };
        loop {
            match (quote, bytes.get(i)) {
                (None, None) => break,
                (None, Some(b)) if b.is_ascii_whitespace() => break,
                (None, Some(&b)) => {
                    value.push(b);
                    i += 1;
                }
                (Some(_), None) => return Err(start + word_start),
                (Some(q), Some(&b)) if b == q => {
                    i += 1;
                    if bytes.get(i).is_some_and(|b| !b.is_ascii_whitespace()) {
                        return Err(start + word_start);
                    }
                    break;
                }
                (Some(q), Some(b'\\')) => {
                    let next = bytes.get(i + 1).copied();
                    let hex = || {
                        let h = line.get(i + 2..i + 4)?;
                        u8::from_str_radix(h, 16).ok()
                    };
                    match (q, next) {
                        (b'"', Some(b'x')) if hex().is_some() => {
                            value.push(hex().unwrap_or(b'x'));
                            i += 4;
                        }
                        (b'"', Some(c)) => {
                            value.push(match c {
                                b'n' => b'\n',
                                b'r' => b'\r',
                                b't' => b'\t',
                                b'b' => 8,
                                b'a' => 7,
                                other => other,
                            });
                            i += 2;
                        }
                        (b'\'', Some(b'\'')) => {
                            value.push(b'\'');
                            i += 2;
                        }
                        _ => {
                            value.push(b'\\');
                            i += 1;
                        }
                    }
                }
                (Some(_), Some(&b)) => {
                    value.push(b);
                    i += 1;
                }
            }
        }
        out.push(RedisArg {
            value: String::from_utf8_lossy(&value).into_owned(),
            span: Span::new(start + word_start, start + i),
        });
    }
    Ok(out)
}

impl Format for RedisConf {
    /// `redis.conf`, `<label>.redis.conf` and `redis-6379.conf` (not in a `conf.d/`).
    fn classify(name: &FileName) -> Option<Classification> {
        let numbered = name.name.starts_with("redis")
            && name.name.ends_with(".conf")
            && name.parent() != Some("conf.d");
        Classification::certain_if(name.is("redis.conf") || numbered, Target::Redis)
    }

    fn parse(source: &Arc<SourceFile>, _: &ParseContext) -> Self {
        Self::parse(&source.text)
    }

    fn errors(&self) -> &[ParseError] {
        &self.errors
    }

    fn sensitive(&self, source: &SourceFile) -> Vec<Sensitive> {
        redis_sensitive(self, source)
    }
}

/// Redis directives whose arguments are credentials: the server password, the password a
/// replica uses, and the TLS key passphrase.
const REDIS_SECRET_DIRECTIVES: &[&str] = &[
    "requirepass",
    "masterauth",
    "tls-key-file-pass",
    "tls-client-key-file-pass",
];

/// In `redis.conf`: the values of [`REDIS_SECRET_DIRECTIVES`], `>password` and `#hash`
/// rules of ACL `user` lines, the new names of renamed commands (a secret name is the only
/// thing guarding the command), and unreadable lines after their directive name (which may
/// be a broken `requirepass`).
fn redis_sensitive(conf: &RedisConf, source: &SourceFile) -> Vec<Sensitive> {
    let mut found = Vec::new();
    unreadable_lines(&conf.errors, &source.text, &mut found);
    let mut push = |arg: &crate::formats::redis::RedisArg, value: &str| {
        if !value.is_empty() {
            found.push(Sensitive { span: arg.span });
        }
    };
    for directive in &conf.directives {
        match directive.name.as_str() {
            name if REDIS_SECRET_DIRECTIVES.contains(&name) => {
                for arg in &directive.args {
                    push(arg, &arg.value);
                }
            }
            "user" => {
                for arg in directive.args.iter().skip(1) {
                    if let Some(secret) = arg.value.strip_prefix(['>', '<', '#', '!']) {
                        push(arg, secret);
                    }
                }
            }
            "rename-command" => {
                if let Some(arg) = directive.args.get(1) {
                    push(arg, &arg.value);
                }
            }
            _ => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_arguments_and_renamed_commands() {
        let text = "# comment\nbind 127.0.0.1 -::1\nrequirepass \"s3cr\\x41t \\\"x\\\"\"\nrename-command CONFIG \"\"\nRENAME-COMMAND flushall ''\nbad \"open\n";
        let conf = RedisConf::parse(text);
        assert_eq!(conf.directives.len(), 4);
        assert_eq!(conf.last("requirepass").unwrap().first(), "s3crAt \"x\"");
        let renames: Vec<_> = conf
            .all("rename-command")
            .map(|d| d.first().to_owned())
            .collect();
        assert_eq!(renames, ["CONFIG", "flushall"]);
        assert_eq!(conf.all("rename-command").nth(1).unwrap().args[1].value, "");
        assert_eq!(conf.errors.len(), 1);
        let bind = conf.last("bind").unwrap();
        assert_eq!(&text[bind.value_span().range()], "127.0.0.1 -::1");
    }

    #[test]
    fn non_ascii_and_odd_escapes_do_not_panic() {
        for text in [
            "requirepass \"\\x\"",
            "a \"\\xé\"",
            "a '\\",
            "\"",
            "a\"b\" c",
            "ü ü",
        ] {
            let _ = RedisConf::parse(text);
        }
    }
}
