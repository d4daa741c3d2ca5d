//! A parser for Dockerfiles (and Containerfiles) with BuildKit's reading rules, so that what
//! the rules judge is what `docker build` builds:
//!
//! - Parser directives (`# syntax=`, `# escape=`, `# check=`) only at the very top, before
//!   any comment, blank line or instruction; `# escape=`` ` `` makes the backtick the
//!   escape and line-continuation character (Windows images).
//! - A line ending in the escape character continues on the next one; comment lines and
//!   blank lines between continuation lines are skipped, as BuildKit does.
//! - Instructions are case-insensitive; their flags (`--from=`, `--chown=`, `--mount=`,
//!   `--platform=`) are read before the arguments.
//! - `RUN`, `CMD`, `ENTRYPOINT`, `SHELL`, `COPY`, `ADD` and `VOLUME` arguments in JSON (exec)
//!   form are told from shell form; `ENV`/`ARG`/`LABEL` `key=value` pairs and the legacy
//!   `ENV key value` are split into keys and values.
//! - Heredocs (`RUN <<EOF`, `COPY <<EOF /path`, `<<-EOF`, quoted terminators) take the
//!   following lines up to their terminator as the instruction's body.
//! - Multi-stage builds: every `FROM` opens a [`Stage`]; `FROM image AS name`, stages built
//!   on earlier stages, and `ARG`s declared before the first `FROM` substituted into `FROM`
//!   (`${VAR}`, `$VAR`, `${VAR:-default}`).
//!
//! Every instruction, keyword, flag, word, key and value carries the [`Span`] it was written
//! at, also when continuation lines split it. What BuildKit would refuse (an unknown
//! instruction, an instruction before `FROM`, an unterminated heredoc, a bad `# escape=`)
//! becomes a [`ParseError`]; parsing always goes on.

use crate::formats::sensitive::{assignment_sensitive, command_sensitive, Sensitive};
use crate::formats::Target;
use crate::formats::{lines_with_offsets, ParseError};
use crate::formats::{Classification, FileName, Format, ParseContext};
use crate::source::SourceFile;
use crate::source::Span;
use std::sync::Arc;

/// The instructions BuildKit knows; any other word at the start of an instruction is refused
/// ("unknown instruction").
pub const INSTRUCTIONS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// An instruction as one logical line: the text after continuation characters were removed,
/// with the file offset of every byte, so any part of it can be located exactly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Logical {
    text: String,
    /// `offsets[i]` is where byte `i` of `text` is written; one more entry for the end.
    offsets: Vec<usize>,
}

impl Logical {
    fn push(&mut self, piece: &str, at: usize) {
        self.offsets.pop();
        self.text.push_str(piece);
        self.offsets.extend(at..at + piece.len());
        self.offsets.push(at + piece.len());
    }

    fn span(&self, start: usize, end: usize) -> Span {
        let first = self.offsets.get(start).copied().unwrap_or(0);
        if end <= start {
            return Span::new(first, first);
        }
        let last = self
            .offsets
            .get(end - 1)
            .map_or(first, |o| o + 1)
            .max(first);
        Span::new(first, last)
    }
}

/// A `# name=value` parser directive from the top of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// The directive's name, lower-cased (`syntax`, `escape`, `check`).
    pub name: String,
    /// Its value.
    pub value: String,
    /// The whole comment line.
    pub span: Span,
}

/// One word of an instruction's arguments: quotes removed and escapes applied, as the build
/// sees it (variables are not expanded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The unquoted text.
    pub text: String,
    /// Where it is written, quotes included.
    pub span: Span,
}

/// A `--name[=value]` flag before an instruction's arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// The name without dashes (`from`, `chown`, `mount`).
    pub name: String,
    /// The value after `=`, unquoted; `None` for a boolean flag (`--link`).
    pub value: Option<String>,
    /// The whole flag as written.
    pub span: Span,
    /// Where the value is written.
    pub value_span: Option<Span>,
}

/// A `key=value` of `ENV`, `ARG` or `LABEL` (or the legacy `ENV key value`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    /// The key.
    pub key: String,
    /// Where the key is written.
    pub key_span: Span,
    /// The value unquoted, `None` for an `ARG` without a default.
    pub value: Option<String>,
    /// Where the value is written (quotes included).
    pub value_span: Option<Span>,
}

/// A heredoc body (`RUN <<EOF` … `EOF`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The terminator word (`EOF`).
    pub name: String,
    /// Where `<<EOF` is written in the instruction.
    pub marker_span: Span,
    /// The body, lines joined with `\n` (leading tabs removed for `<<-`).
    pub body: String,
    /// From the first to the last byte of the body.
    pub body_span: Span,
    /// `(offset in body, offset in file)` at the start of each body line.
    lines: Vec<(usize, usize)>,
}

impl Heredoc {
    /// The body's lines, each with its offset in the body (for [`Heredoc::file_span`]).
    pub fn lines(&self) -> impl Iterator<Item = (usize, &str)> {
        let mut at = 0;
        self.body.split('\n').map(move |line| {
            let start = at;
            at += line.len() + 1;
            (start, line)
        })
    }

    /// The file span of bytes `start..end` of [`Self::body`] (within one line).
    pub fn file_span(&self, start: usize, end: usize) -> Span {
        let (at, file) = self
            .lines
            .iter()
            .rev()
            .find(|(s, _)| *s <= start)
            .copied()
            .unwrap_or((0, self.body_span.start));
        Span::new(file + (start - at), file + (end.max(start) - at))
    }
}

/// An instruction's arguments, by form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arguments {
    /// JSON (exec) form: `["node", "server.js"]`; run without a shell.
    Exec(Vec<Word>),
    /// Shell form: the text as written (continuations removed), run by `/bin/sh -c`.
    Shell(String),
}

/// One instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// The keyword, upper-cased (`RUN`).
    pub keyword: String,
    /// Where the keyword is written.
    pub keyword_span: Span,
    /// From the keyword to the end of the last continuation line (heredoc bodies excluded).
    pub span: Span,
    /// Flags before the arguments.
    pub flags: Vec<Flag>,
    /// The arguments after the flags, in the form they were written.
    pub arguments: Arguments,
    /// The arguments after the flags split into words (shell form; the exec form's items).
    pub words: Vec<Word>,
    /// Pairs of `ENV`, `ARG` and `LABEL`.
    pub pairs: Vec<KeyValue>,
    /// Heredoc bodies, in order.
    pub heredocs: Vec<Heredoc>,
    /// The stage it belongs to (`None` for `ARG`s before the first `FROM`).
    pub stage: Option<usize>,
    logical: Logical,
    /// Byte offset of the arguments (after flags) in the logical line.
    args_start: usize,
}

impl Instruction {
    /// The flag `name` (`from` for `--from=`), if given.
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The shell-form command line, or `None` in exec form.
    pub fn shell(&self) -> Option<&str> {
        match &self.arguments {
            Arguments::Shell(text) => Some(text),
            Arguments::Exec(_) => None,
        }
    }

    /// The file span of bytes `start..end` of the shell-form text [`Self::shell`].
    pub fn shell_span(&self, start: usize, end: usize) -> Span {
        self.logical
            .span(self.args_start + start, self.args_start + end)
    }

    /// The keyword as written (case kept).
    pub fn keyword_written(&self) -> &str {
        let end = self
            .logical
            .text
            .find(char::is_whitespace)
            .unwrap_or(self.logical.text.len());
        &self.logical.text[..end]
    }

    /// Where the arguments (after the flags) are written.
    pub fn arguments_span(&self) -> Span {
        self.logical.span(self.args_start, self.logical.text.len())
    }
}

/// A base image reference from `FROM`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// As written (`node:${NODE_VERSION}-alpine`).
    pub written: String,
    /// Where it is written.
    pub span: Span,
    /// With the `ARG`s declared before the first `FROM` substituted at their defaults;
    /// `None` when a variable has no default (only the build command knows it).
    pub resolved: Option<String>,
}

impl ImageRef {
    /// The tag (`18-alpine` of `node:18-alpine`), if the resolved reference has one.
    pub fn tag(&self) -> Option<&str> {
        super::image::tag(self.resolved.as_deref()?)
    }
}

/// A build stage: one `FROM` and the instructions after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// Index of its `FROM` in [`Dockerfile::instructions`].
    pub from: usize,
    /// The base image.
    pub image: ImageRef,
    /// `AS name`, lower-cased as BuildKit compares them.
    pub name: Option<String>,
    /// The earlier stage it is built on (`FROM builder`), which it inherits `USER`,
    /// `ENV` and the rest from.
    pub base_stage: Option<usize>,
    /// Indices of its instructions (the `FROM` excluded), in order.
    pub instructions: Vec<usize>,
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dockerfile {
    /// Parser directives from the top.
    pub directives: Vec<Directive>,
    /// The escape character (`\` or `` ` ``).
    pub escape: char,
    /// Every instruction, in file order.
    pub instructions: Vec<Instruction>,
    /// The build stages, in order; the last is the image `docker build` produces by default.
    pub stages: Vec<Stage>,
    /// Every comment line.
    pub comments: Vec<Span>,
    /// What BuildKit would refuse.
    pub errors: Vec<ParseError>,
}

/// `line` without its trailing continuation character, and whether there was one.
fn strip_continuation(line: &str, escape: char) -> (&str, bool) {
    let trimmed = line.trim_end_matches([' ', '\t']);
    match trimmed.strip_suffix(escape) {
        Some(rest) => (rest, true),
        None => (trimmed, false),
    }
}

/// A parser directive on `line`: `(name, value)` for `# name = value`.
fn directive(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix('#')?.trim_start();
    let (name, value) = rest.split_once('=')?;
    let name = name.trim_end();
    let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric());
    let value = value.trim();
    (valid && !value.is_empty()).then(|| (name.to_ascii_lowercase(), value.to_owned()))
}

/// Splits `text` into words like BuildKit's `parseWords`: blanks separate, quotes group (and
/// are removed), the escape character protects the next one. Ranges are byte offsets in
/// `text`.
fn split_words(text: &str, escape: char) -> Vec<(String, usize, usize)> {
    let mut words = Vec::new();
    let mut chars = text.char_indices().peekable();
    loop {
        while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
        let Some(&(start, _)) = chars.peek() else {
            break;
        };
        let mut word = String::new();
        let mut quote: Option<char> = None;
        let mut end = start;
        while let Some(&(i, c)) = chars.peek() {
            if quote.is_none() && c.is_whitespace() {
                break;
            }
            chars.next();
            end = i + c.len_utf8();
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (Some('\''), c) => word.push(c),
                (_, c) if c == escape => {
                    if let Some((j, next)) = chars.next() {
                        end = j + next.len_utf8();
                        word.push(next);
                    }
                }
                (_, c) => word.push(c),
            }
        }
        words.push((word, start, end));
    }
    words
}

/// Reads a JSON array of strings (`["a", "b"]`) with each item's byte range in `text`;
/// `None` when `text` is not one (BuildKit then takes the shell form).
fn json_array(text: &str) -> Option<Vec<(String, usize, usize)>> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let skip = |i: &mut usize| {
        while *i < bytes.len() && bytes[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    skip(&mut i);
    if bytes.get(i) != Some(&b'[') {
        return None;
    }
    i += 1;
    let mut items = Vec::new();
    skip(&mut i);
    if bytes.get(i) == Some(&b']') {
        i += 1;
        skip(&mut i);
        return (i == bytes.len()).then_some(items);
    }
    loop {
        skip(&mut i);
        if bytes.get(i) != Some(&b'"') {
            return None;
        }
        let start = i;
        i += 1;
        let mut value = String::new();
        loop {
            let c = text.get(i..)?.chars().next()?;
            i += c.len_utf8();
            match c {
                '"' => break,
                '\\' => {
                    let e = text.get(i..)?.chars().next()?;
                    i += e.len_utf8();
                    match e {
                        'n' => value.push('\n'),
                        't' => value.push('\t'),
                        'r' => value.push('\r'),
                        'b' => value.push('\u{8}'),
                        'f' => value.push('\u{c}'),
                        'u' => {
                            let hex = text.get(i..i + 4)?;
                            i += 4;
                            value.push(char::from_u32(u32::from_str_radix(hex, 16).ok()?)?);
                        }
                        other => value.push(other),
                    }
                }
                c => value.push(c),
            }
        }
        items.push((value, start, i));
        skip(&mut i);
        match bytes.get(i) {
            Some(b',') => i += 1,
            Some(b']') => {
                i += 1;
                skip(&mut i);
                return (i == bytes.len()).then_some(items);
            }
            _ => return None,
        }
    }
}

/// Heredoc markers in a `RUN`/`COPY`/`ADD` line: `(name, strip_tabs, start, end)` with the
/// marker's byte range; markers inside quotes are not heredocs.
fn heredoc_markers(text: &str) -> Vec<(String, bool, usize, usize)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'<'
                && bytes.get(i + 1) == Some(&b'<')
                && bytes.get(i + 2) != Some(&b'<')
                && (i == 0 || bytes[i - 1] != b'<') =>
            {
                let start = i;
                let mut j = i + 2;
                let strip = bytes.get(j) == Some(&b'-');
                if strip {
                    j += 1;
                }
                let open = bytes.get(j).copied().filter(|c| *c == b'"' || *c == b'\'');
                if open.is_some() {
                    j += 1;
                }
                let name_start = j;
                while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
                    j += 1;
                }
                let name = &text[name_start..j];
                if let Some(q) = open {
                    if bytes.get(j) != Some(&q) {
                        i += 2;
                        continue;
                    }
                    j += 1;
                }
                if !name.is_empty() {
                    found.push((name.to_owned(), strip, start, j));
                    i = j;
                    continue;
                }
                i += 2;
                continue;
            }
            None => {}
        }
        i += 1;
    }
    found
}

/// Substitutes `$VAR`, `${VAR}`, `${VAR:-default}` and `${VAR:+alt}` from `args`; `None`
/// when a variable without a value is used bare.
pub fn substitute(text: &str, args: &[(String, Option<String>)]) -> Option<String> {
    let lookup = |name: &str| {
        args.iter()
            .rev()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.clone())
    };
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'{') {
            chars.next();
            let mut inner = String::new();
            let mut closed = false;
            for c in chars.by_ref() {
                if c == '}' {
                    closed = true;
                    break;
                }
                inner.push(c);
            }
            if !closed {
                return None;
            }
            let (name, modifier) = match inner.find(':') {
                Some(i) => (&inner[..i], Some(&inner[i..])),
                None => (inner.as_str(), None),
            };
            let value = lookup(name).filter(|v| !v.is_empty());
            match (modifier, value) {
                (Some(m), None) if m.starts_with(":-") => out.push_str(&m[2..]),
                (Some(m), Some(_)) if m.starts_with(":+") => out.push_str(&m[2..]),
                (Some(m), None) if m.starts_with(":+") => {}
                (_, Some(v)) => out.push_str(&v),
                (_, None) => return None,
            }
        } else {
            let mut name = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_ascii_alphanumeric() || c == '_' {
                    name.push(c);
                    chars.next();
                } else {
                    break;
                }
            }
            if name.is_empty() {
                out.push('$');
            } else {
                out.push_str(&lookup(&name)?);
            }
        }
    }
    Some(out)
}

impl Dockerfile {
    /// Parses `text`. Never fails: what BuildKit would refuse is kept in [`Self::errors`].
    pub fn parse(text: &str) -> Self {
        let mut file = Self {
            escape: '\\',
            ..Self::default()
        };
        let lines: Vec<(usize, &str)> = lines_with_offsets(text)
            .map(|(off, line)| match line.strip_prefix('\u{feff}') {
                Some(rest) if off == 0 => (3, rest),
                _ => (off, line),
            })
            .collect();
        let mut i = 0;
        while let Some(&(off, line)) = lines.get(i) {
            let Some((name, value)) = directive(line) else {
                break;
            };
            if !matches!(name.as_str(), "syntax" | "escape" | "check") {
                break;
            }
            let span = Span::new(off, off + line.len());
            if file.directives.iter().any(|d| d.name == name) {
                file.errors.push(ParseError {
                    span,
                    message: crate::message::Message::from(format!(
                        "the `{name}` parser directive is given twice"
                    )),
                });
            }
            if name == "escape" {
                match value.as_str() {
                    "\\" => file.escape = '\\',
                    "`" => file.escape = '`',
                    _ => file.errors.push(ParseError {
                        span,
                        message: crate::message::Message::from(format!(
                            "invalid escape character `{value}`: BuildKit accepts only `\\` or `` ` ``"
                        )),
                    }),
                }
            }
            file.comments.push(span);
            file.directives.push(Directive { name, value, span });
            i += 1;
        }
        let escape = file.escape;
        let mut global_args: Vec<(String, Option<String>)> = Vec::new();
        while let Some(&(off, raw)) = lines.get(i) {
            i += 1;
            let indent = raw.len() - raw.trim_start().len();
            let content = raw.trim_start();
            if content.is_empty() {
                continue;
            }
            if content.starts_with('#') {
                file.comments
                    .push(Span::new(off + indent, off + raw.trim_end().len()));
                continue;
            }
            let mut logical = Logical::default();
            let (piece, mut continues) = strip_continuation(content, escape);
            logical.push(piece, off + indent);
            let mut end = off + indent + piece.len();
            while continues {
                let Some(&(off, raw)) = lines.get(i) else {
                    break;
                };
                i += 1;
                let trimmed = raw.trim_start();
                if trimmed.starts_with('#') {
                    let indent = raw.len() - trimmed.len();
                    file.comments
                        .push(Span::new(off + indent, off + raw.trim_end().len()));
                    continue;
                }
                if trimmed.trim_end().is_empty() {
                    continue;
                }
                let (piece, more) = strip_continuation(raw, escape);
                logical.push(piece, off);
                end = end.max(off + piece.trim_end().len());
                continues = more;
            }
            if logical.text.trim().is_empty() {
                continue;
            }
            let instruction = file.instruction(logical, end, &lines, &mut i);
            file.place(instruction, &mut global_args);
        }
        file
    }

    /// Reads one logical line as an instruction (and its heredoc bodies from `lines[*next..]`).
    fn instruction(
        &mut self,
        logical: Logical,
        end: usize,
        lines: &[(usize, &str)],
        next: &mut usize,
    ) -> Instruction {
        let text = logical.text.as_str();
        let keyword_end = text.find(char::is_whitespace).unwrap_or(text.len());
        let keyword = text[..keyword_end].to_ascii_uppercase();
        let keyword_span = logical.span(0, keyword_end);
        let span = Span::new(keyword_span.start, end.max(keyword_span.end));
        if !INSTRUCTIONS.contains(&keyword.as_str()) {
            self.errors.push(ParseError {
                span: keyword_span,
                message: if keyword.contains(['=', ':']) {
                    crate::message::Message::from("this line is not an instruction (a `KEY=value` needs `ENV` or `ARG` before it): BuildKit refuses to build this file".to_owned())
                } else {
                    crate::message::Message::from(format!(
                        "unknown instruction `{}`: BuildKit refuses to build this file",
                        &text[..keyword_end]
                    ))
                },
            });
        }
        let mut args_start =
            keyword_end + (text[keyword_end..].len() - text[keyword_end..].trim_start().len());
        let mut flags = Vec::new();
        if matches!(
            keyword.as_str(),
            "FROM" | "RUN" | "COPY" | "ADD" | "HEALTHCHECK"
        ) {
            loop {
                let rest = &text[args_start..];
                if !rest.starts_with("--") {
                    break;
                }
                let Some((word, s, e)) = split_words(rest, self.escape).into_iter().next() else {
                    break;
                };
                let (abs_s, abs_e) = (args_start + s, args_start + e);
                let body = word.trim_start_matches('-');
                let (name, value, value_span) = match body.split_once('=') {
                    Some((name, value)) => {
                        let eq = text[abs_s..abs_e]
                            .find('=')
                            .map_or(abs_e, |p| abs_s + p + 1);
                        (
                            name.to_owned(),
                            Some(value.to_owned()),
                            Some(logical.span(eq, abs_e)),
                        )
                    }
                    None => (body.to_owned(), None, None),
                };
                flags.push(Flag {
                    name,
                    value,
                    span: logical.span(abs_s, abs_e),
                    value_span,
                });
                let after = &text[abs_e..];
                args_start = abs_e + (after.len() - after.trim_start().len());
            }
        }
        let args_text = text[args_start..].trim_end();
        let located = |items: Vec<(String, usize, usize)>| -> Vec<Word> {
            items
                .into_iter()
                .map(|(text, s, e)| Word {
                    text,
                    span: logical.span(args_start + s, args_start + e),
                })
                .collect()
        };
        let exec_capable = matches!(
            keyword.as_str(),
            "RUN" | "CMD" | "ENTRYPOINT" | "SHELL" | "COPY" | "ADD" | "VOLUME"
        );
        let exec = if exec_capable && args_text.starts_with('[') {
            json_array(args_text)
        } else {
            None
        };
        if keyword == "SHELL" && exec.is_none() {
            self.errors.push(ParseError {
                span: logical.span(args_start, text.len()),
                message: "`SHELL` takes a JSON array (`SHELL [\"/bin/bash\", \"-c\"]`)".into(),
            });
        }
        let (arguments, words) = match exec {
            Some(items) => {
                let words = located(items);
                (Arguments::Exec(words.clone()), words)
            }
            None => (
                Arguments::Shell(args_text.to_owned()),
                located(split_words(args_text, self.escape)),
            ),
        };
        let pairs = match keyword.as_str() {
            "ENV" | "ARG" | "LABEL" => self.pairs(&keyword, args_text, args_start, &logical),
            _ => Vec::new(),
        };
        let mut heredocs = Vec::new();
        if matches!(keyword.as_str(), "RUN" | "COPY" | "ADD") && exec_is_none(&arguments) {
            for (name, strip, s, e) in heredoc_markers(args_text) {
                // Once the file has ended inside a heredoc, later markers have no body to
                // read: one error says so.
                if *next >= lines.len() && !heredocs.is_empty() {
                    break;
                }
                let marker_span = logical.span(args_start + s, args_start + e);
                heredocs.push(self.heredoc(name, strip, marker_span, lines, next));
            }
        }
        Instruction {
            keyword,
            keyword_span,
            span,
            flags,
            arguments,
            words,
            pairs,
            heredocs,
            stage: None,
            logical,
            args_start,
        }
    }

    /// Reads a heredoc body from `lines[*next..]` up to its terminator.
    fn heredoc(
        &mut self,
        name: String,
        strip: bool,
        marker_span: Span,
        lines: &[(usize, &str)],
        next: &mut usize,
    ) -> Heredoc {
        let mut body = String::new();
        let mut body_lines = Vec::new();
        let mut body_span: Option<Span> = None;
        let mut terminated = false;
        while let Some(&(off, raw)) = lines.get(*next) {
            *next += 1;
            let (line, off) = if strip {
                let stripped = raw.trim_start_matches('\t');
                (stripped, off + (raw.len() - stripped.len()))
            } else {
                (raw, off)
            };
            if line == name {
                terminated = true;
                break;
            }
            if !body_lines.is_empty() {
                body.push('\n');
            }
            body_lines.push((body.len(), off));
            body.push_str(line);
            let end = off + line.len();
            body_span = Some(body_span.map_or(Span::new(off, end), |s| Span::new(s.start, end)));
        }
        if !terminated {
            self.errors.push(ParseError {
                span: marker_span,
                message: crate::message::Message::from(format!(
                    "unterminated heredoc: no line `{name}` ends it before the end of the file"
                )),
            });
        }
        Heredoc {
            name,
            marker_span,
            body,
            body_span: body_span.unwrap_or(Span::new(marker_span.end, marker_span.end)),
            lines: body_lines,
        }
    }

    /// The `key=value` pairs of `ENV`, `ARG` or `LABEL` (and the legacy `ENV key value`).
    fn pairs(
        &mut self,
        keyword: &str,
        args: &str,
        args_start: usize,
        logical: &Logical,
    ) -> Vec<KeyValue> {
        let words = split_words(args, self.escape);
        let at = |s: usize, e: usize| logical.span(args_start + s, args_start + e);
        let Some((first, fs, fe)) = words.first() else {
            self.errors.push(ParseError {
                span: logical.span(0, logical.text.len()),
                message: crate::message::Message::from(format!(
                    "`{keyword}` needs at least one argument"
                )),
            });
            return Vec::new();
        };
        let written_first = &args[*fs..*fe];
        if keyword != "ARG" && !written_first.contains('=') {
            // Legacy `ENV key value`: the rest of the line is the value, as written.
            let rest = &args[*fe..];
            let value_start = fe + (rest.len() - rest.trim_start().len());
            let value = args[value_start..].trim_end();
            if value.is_empty() {
                self.errors.push(ParseError {
                    span: at(*fs, *fe),
                    message: crate::message::Message::from(format!(
                        "`{keyword} {first}` has no value: write `{keyword} {first}=value`"
                    )),
                });
            }
            let unquoted: String = split_words(value, self.escape)
                .into_iter()
                .map(|(w, _, _)| w)
                .collect::<Vec<_>>()
                .join(" ");
            return vec![KeyValue {
                key: first.clone(),
                key_span: at(*fs, *fe),
                value: Some(unquoted),
                value_span: Some(at(value_start, value_start + value.len())),
            }];
        }
        let mut pairs = Vec::new();
        for (word, s, e) in words {
            let written = &args[s..e];
            match written.find('=') {
                Some(eq) => {
                    let key = split_words(&written[..eq], self.escape)
                        .into_iter()
                        .map(|(w, _, _)| w)
                        .collect::<String>();
                    let value = word
                        .split_once('=')
                        .map_or(String::new(), |(_, v)| v.to_owned());
                    pairs.push(KeyValue {
                        key,
                        key_span: at(s, s + eq),
                        value: Some(value),
                        value_span: Some(at(s + eq + 1, e)),
                    });
                }
                None if keyword == "ARG" => pairs.push(KeyValue {
                    key: word,
                    key_span: at(s, e),
                    value: None,
                    value_span: None,
                }),
                None => self.errors.push(ParseError {
                    span: at(s, e),
                    message: crate::message::Message::from(format!(
                        "`{keyword}` mixes `key=value` pairs with `{word}` alone: every word needs `=`"
                    )),
                }),
            }
        }
        pairs
    }

    /// Files `instruction` under its stage (opening one for `FROM`).
    fn place(
        &mut self,
        mut instruction: Instruction,
        global_args: &mut Vec<(String, Option<String>)>,
    ) {
        let index = self.instructions.len();
        if instruction.keyword == "FROM" {
            let words: Vec<&Word> = instruction.words.iter().collect();
            let Some(image) = words.first() else {
                self.errors.push(ParseError {
                    span: instruction.span,
                    message: "`FROM` needs an image".into(),
                });
                self.instructions.push(instruction);
                return;
            };
            let name = match words.as_slice() {
                [_] => None,
                [_, r#as, name] if r#as.text.eq_ignore_ascii_case("as") => {
                    Some(name.text.to_ascii_lowercase())
                }
                _ => {
                    self.errors.push(ParseError {
                        span: instruction.arguments_span(),
                        message: "`FROM` takes an image and optionally `AS name`".into(),
                    });
                    None
                }
            };
            let resolved = substitute(&image.text, global_args);
            let base_stage = resolved.as_deref().and_then(|r| {
                let r = r.to_ascii_lowercase();
                self.stages
                    .iter()
                    .position(|s| s.name.as_deref() == Some(&r))
            });
            let stage = self.stages.len();
            instruction.stage = Some(stage);
            self.stages.push(Stage {
                from: index,
                image: ImageRef {
                    written: image.text.clone(),
                    span: image.span,
                    resolved,
                },
                name,
                base_stage,
                instructions: Vec::new(),
            });
        } else if let Some(last) = self.stages.len().checked_sub(1) {
            instruction.stage = Some(last);
            self.stages[last].instructions.push(index);
        } else if instruction.keyword == "ARG" {
            // Defaults are expanded where they are declared (`ARG B=${A}-x`), as BuildKit does.
            for pair in &instruction.pairs {
                let value = pair
                    .value
                    .as_deref()
                    .and_then(|v| substitute(v, global_args));
                global_args.push((pair.key.clone(), value));
            }
        } else if INSTRUCTIONS.contains(&instruction.keyword.as_str()) {
            self.errors.push(ParseError {
                span: instruction.keyword_span,
                message: crate::message::Message::from(format!(
                    "`{}` before the first `FROM`: only `ARG` may come before it",
                    instruction.keyword
                )),
            });
        }
        self.instructions.push(instruction);
    }

    /// The stage `docker build` produces without `--target`: the last one.
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// The instructions of `stage`, in order (its `FROM` excluded).
    pub fn stage_instructions<'a>(
        &'a self,
        stage: &'a Stage,
    ) -> impl Iterator<Item = &'a Instruction> + 'a {
        stage
            .instructions
            .iter()
            .filter_map(|i| self.instructions.get(*i))
    }

    /// The `FROM` instruction of `stage`.
    pub fn from_of(&self, stage: &Stage) -> Option<&Instruction> {
        self.instructions.get(stage.from)
    }

    /// The instructions in effect for `stage`: those of the stages it is built on (`FROM
    /// builder`), then its own, so `USER` and `ENV` are inherited as Docker inherits them.
    pub fn effective_instructions<'a>(&'a self, stage: &'a Stage) -> Vec<&'a Instruction> {
        let mut chain = vec![stage];
        let mut current = stage;
        while let Some(base) = current.base_stage.and_then(|b| self.stages.get(b)) {
            if chain.len() > self.stages.len() {
                break;
            }
            chain.push(base);
            current = base;
        }
        chain
            .iter()
            .rev()
            .flat_map(|s| self.stage_instructions(s))
            .collect()
    }
}

fn exec_is_none(arguments: &Arguments) -> bool {
    matches!(arguments, Arguments::Shell(_))
}

/// Dockerfiles by name (lower-cased): `Dockerfile`, `Containerfile` and `api.Dockerfile` for
/// certain (`Some(false)`); `Dockerfile.prod`, `Containerfile.dev` if the content has a
/// `FROM` (`Some(true)`), since that suffix also names notes, templates and backups; never
/// `Dockerfile.md`, `Dockerfile.j2`, `Dockerfile.orig` or the ignore file
/// `Dockerfile.dockerignore`.
fn dockerfile_name(name: &str) -> Option<bool> {
    const NOT_DOCKERFILES: &[&str] = &[
        "dockerignore",
        "md",
        "txt",
        "rst",
        "j2",
        "jinja",
        "jinja2",
        "tmpl",
        "tpl",
        "erb",
        "orig",
        "bak",
        "swp",
        "rej",
        "patch",
        "diff",
        "sh",
        "py",
        "json",
        "yml",
        "yaml",
        "lock",
    ];
    if name == "dockerfile" || name == "containerfile" || name.ends_with(".dockerfile") {
        return Some(false);
    }
    let suffixed = name.starts_with("dockerfile.") || name.starts_with("containerfile.");
    let extension = name.rsplit_once('.').map_or("", |(_, ext)| ext);
    (suffixed && !NOT_DOCKERFILES.contains(&extension) && !name.ends_with('~')).then_some(true)
}

impl Format for Dockerfile {
    fn classify(name: &FileName) -> Option<Classification> {
        Some(Classification {
            target: Target::Dockerfile,
            confirm_by_content: dockerfile_name(&name.name)?,
        })
    }

    fn parse(source: &Arc<SourceFile>, _: &ParseContext) -> Self {
        Self::parse(&source.text)
    }

    fn confirms_kind(&self) -> bool {
        !self.stages.is_empty()
    }

    fn errors(&self) -> &[ParseError] {
        &self.errors
    }

    fn sensitive(&self, _: &SourceFile) -> Vec<Sensitive> {
        dockerfile_sensitive(self)
    }
}

/// In Dockerfiles: `ENV` values and `ARG` defaults under secret names (or that look like
/// credentials), secrets on `RUN` command lines and in `RUN` heredoc scripts, and whatever
/// follows an instruction BuildKit does not know (a stray `DB_PASSWORD=…` line).
fn dockerfile_sensitive(file: &Dockerfile) -> Vec<Sensitive> {
    let mut found = Vec::new();
    for instruction in &file.instructions {
        for pair in &instruction.pairs {
            if let (Some(value), Some(span)) = (&pair.value, pair.value_span) {
                found.extend(assignment_sensitive(&pair.key, value, span));
            }
        }
        if instruction.keyword == "RUN" {
            if let Some(line) = instruction.shell() {
                found.extend(command_sensitive(line, &|start, end| {
                    instruction.shell_span(start, end)
                }));
            }
            for heredoc in &instruction.heredocs {
                for (base, line) in heredoc.lines() {
                    found.extend(command_sensitive(line, &|start, end| {
                        heredoc.file_span(base + start, base + end)
                    }));
                }
            }
        }
        if !INSTRUCTIONS.contains(&instruction.keyword.as_str()) {
            // Not an instruction: a stray `NAME=value` or `NAME value` line, judged as an
            // assignment so a secret in it is masked like any other.
            let written = instruction.span;
            let keyword = instruction.keyword_span;
            let rest = instruction.arguments_span();
            found.extend(match file_text_split(instruction) {
                Some((name, value, at)) => {
                    assignment_sensitive(&name, &value, Span::new(keyword.start + at, written.end))
                }
                None => {
                    let value: Vec<&str> =
                        instruction.words.iter().map(|w| w.text.as_str()).collect();
                    assignment_sensitive(&instruction.keyword, &value.join(" "), rest)
                }
            });
        }
    }
    found
}

/// A keyword written as `NAME=value…`: the name, the value (with the rest of the line) and
/// the value's offset from the keyword's start.
fn file_text_split(instruction: &Instruction) -> Option<(String, String, usize)> {
    let first = instruction.keyword_written();
    let (name, value) = first.split_once('=')?;
    let mut whole = value.to_owned();
    for word in &instruction.words {
        whole.push(' ');
        whole.push_str(&word.text);
    }
    Some((name.to_owned(), whole.trim().to_owned(), name.len() + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, span: Span) -> &str {
        &text[span.range()]
    }

    #[test]
    fn continuation_lines_with_comments_between_join_into_one_instruction() {
        let text =
            "FROM alpine:3.19\nRUN apk add \\\n# a comment\n    curl \\\n\n    git\nUSER app\n";
        let file = Dockerfile::parse(text);
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        let run = &file.instructions[1];
        assert_eq!(run.shell(), Some("apk add     curl     git"));
        let git = run.words.iter().find(|w| w.text == "git").unwrap();
        assert_eq!(at(text, git.span), "git");
        assert_eq!(file.instructions[2].keyword, "USER");
        assert_eq!(file.comments.len(), 1);
    }

    #[test]
    fn escape_directive_makes_the_backtick_the_continuation_character() {
        let text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir C:\\ `\n  && echo done\n";
        let file = Dockerfile::parse(text);
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        assert_eq!(file.escape, '`');
        assert_eq!(file.instructions.len(), 2);
        assert!(file.instructions[1]
            .shell()
            .unwrap()
            .contains("&& echo done"));
    }

    #[test]
    fn directives_after_a_comment_are_comments() {
        let file = Dockerfile::parse("# hello\n# escape=`\nFROM alpine\n");
        assert!(file.directives.is_empty());
        assert_eq!(file.escape, '\\');
    }

    #[test]
    fn exec_and_shell_forms_are_told_apart() {
        let text =
            "FROM node:20\nCMD [\"node\", \"server.js\"]\nENTRYPOINT npm start\nRUN [not json\n";
        let file = Dockerfile::parse(text);
        assert!(
            matches!(&file.instructions[1].arguments, Arguments::Exec(w) if w[1].text == "server.js")
        );
        assert_eq!(
            at(text, file.instructions[1].words[1].span),
            "\"server.js\""
        );
        assert_eq!(file.instructions[2].shell(), Some("npm start"));
        assert_eq!(file.instructions[3].shell(), Some("[not json"));
    }

    #[test]
    fn heredocs_take_their_body_lines() {
        let text = "FROM alpine\nRUN <<EOF\napk add curl\necho ok\nEOF\nCOPY <<-\"CONF\" /etc/app.conf\n\tkey=1\n\tCONF\nUSER app\n";
        let file = Dockerfile::parse(text);
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        let run = &file.instructions[1];
        assert_eq!(run.heredocs[0].body, "apk add curl\necho ok");
        assert_eq!(at(text, run.heredocs[0].body_span), "apk add curl\necho ok");
        assert_eq!(file.instructions[2].heredocs[0].body, "key=1");
        assert_eq!(file.instructions[3].keyword, "USER");
    }

    #[test]
    fn unterminated_heredoc_is_an_error() {
        let file = Dockerfile::parse("FROM alpine\nRUN <<EOF\necho\n");
        assert_eq!(file.errors.len(), 1);
        assert!(file.errors[0].message.contains("unterminated"));
    }

    #[test]
    fn stages_args_before_from_and_flags() {
        let text = "ARG MAJOR=18\nARG VERSION=${MAJOR}\nARG BASE\nFROM --platform=$BUILDPLATFORM node:${VERSION}-alpine AS Build\nRUN npm ci\nFROM build\nCOPY --from=build --chown=app:app /app /app\nFROM ${BASE}\n";
        let file = Dockerfile::parse(text);
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        assert_eq!(file.stages.len(), 3);
        assert_eq!(
            file.stages[0].image.resolved.as_deref(),
            Some("node:18-alpine")
        );
        assert_eq!(file.stages[0].image.tag(), Some("18-alpine"));
        assert_eq!(file.stages[0].name.as_deref(), Some("build"));
        assert_eq!(file.stages[1].base_stage, Some(0));
        assert_eq!(file.stages[2].image.resolved, None);
        let copy = &file.instructions[6];
        assert_eq!(
            copy.flag("chown").and_then(|f| f.value.as_deref()),
            Some("app:app")
        );
        assert_eq!(at(text, copy.flag("from").unwrap().span), "--from=build");
        assert_eq!(copy.words.len(), 2);
    }

    #[test]
    fn env_pairs_and_the_legacy_form() {
        let text = "FROM alpine\nENV A=1 B=\"two words\" \\\n    C=3\nenv LEGACY some value\n";
        let file = Dockerfile::parse(text);
        let env = &file.instructions[1];
        let keys: Vec<&str> = env.pairs.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["A", "B", "C"]);
        assert_eq!(env.pairs[1].value.as_deref(), Some("two words"));
        assert_eq!(at(text, env.pairs[2].value_span.unwrap()), "3");
        let legacy = &file.instructions[2];
        assert_eq!(legacy.keyword, "ENV");
        assert_eq!(legacy.pairs[0].value.as_deref(), Some("some value"));
    }

    #[test]
    fn unknown_instructions_and_instructions_before_from_are_errors() {
        let file = Dockerfile::parse("RUN echo\nFROM alpine\nFOO bar\n");
        assert_eq!(file.errors.len(), 2, "{:?}", file.errors);
    }

    #[test]
    fn stray_escape_at_the_end_of_the_file_does_not_crash() {
        let file = Dockerfile::parse("FROM alpine\nRUN echo \\");
        assert_eq!(file.instructions[1].shell(), Some("echo"));
        let file = Dockerfile::parse("\\");
        assert_eq!(file.errors.len(), 0);
    }

    #[test]
    fn directives_are_only_read_before_a_blank_line_and_checked() {
        let file = Dockerfile::parse(
            "# syntax=docker/dockerfile:1\n# syntax=other\n# escape=x\n\n# escape=`\nFROM alpine\n",
        );
        assert_eq!(file.directives.len(), 3);
        assert_eq!(file.escape, '\\');
        let messages: Vec<&str> = file.errors.iter().map(|e| e.message.as_str()).collect();
        assert!(messages[0].contains("given twice"), "{messages:?}");
        assert!(messages[1].contains("invalid escape"), "{messages:?}");
        assert_eq!(messages.len(), 2);
    }

    #[test]
    fn json_escapes_are_decoded_and_spans_cover_the_written_item() {
        let text = "FROM alpine\nENTRYPOINT [\"/bin/sh\", \"-c\", \"echo \\\"hi\\\" \\u00e9\"]\n";
        let file = Dockerfile::parse(text);
        let Arguments::Exec(words) = &file.instructions[1].arguments else {
            panic!("exec form expected: {:?}", file.instructions[1].arguments);
        };
        assert_eq!(words[2].text, "echo \"hi\" \u{e9}");
        assert_eq!(at(text, words[2].span), "\"echo \\\"hi\\\" \\u00e9\"");
    }

    #[test]
    fn stage_names_are_case_insensitive_and_onbuild_is_kept() {
        let file =
            Dockerfile::parse("FROM golang:1.22 as Builder\nONBUILD RUN make\nFROM BUILDER\n");
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        assert_eq!(file.stages[1].base_stage, Some(0));
        assert_eq!(file.instructions[1].keyword, "ONBUILD");
    }
}
