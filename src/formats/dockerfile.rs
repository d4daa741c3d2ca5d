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

use crate::formats::sensitive::{
    assignment_sensitive, command_sensitive, list_command_sensitive, ListWord, Sensitive, Shown,
};
use crate::formats::Target;
use crate::formats::{lines_with_offsets, ParseError};
use crate::formats::{Classification, FileName, Format, ParseContext, Presence};
use crate::message::{Message, Quote};
use crate::msg;
use crate::source::SourceFile;
use crate::source::Span;
use std::collections::HashMap;
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
/// with where each of its pieces (one per physical line) is written, so any part of it can
/// be located exactly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Logical {
    text: String,
    /// `(start in text, offset in the file)` of each piece, in order. A piece per line, not
    /// an offset per byte: that was eight bytes kept per byte of every instruction.
    pieces: Vec<(usize, usize)>,
}

impl Logical {
    fn push(&mut self, piece: &str, at: usize) {
        self.pieces.push((self.text.len(), at));
        self.text.push_str(piece);
    }

    /// The file offset of byte `i` of `text` (`i == text.len()`: just past the last piece),
    /// or `None` past that. The latest piece starting at or before `i` holds it: a piece
    /// pushed empty is overridden by the next one.
    fn offset(&self, i: usize) -> Option<usize> {
        if i > self.text.len() {
            return None;
        }
        let holder = self.pieces.partition_point(|&(start, _)| start <= i);
        let (start, at) = *self.pieces.get(holder.checked_sub(1)?)?;
        Some(at + (i - start))
    }

    fn span(&self, start: usize, end: usize) -> Span {
        let first = self.offset(start).unwrap_or(0);
        if end <= start {
            return Span::new(first, first);
        }
        let last = self.offset(end - 1).map_or(first, |o| o + 1).max(first);
        Span::new(first, last)
    }
}

/// A `# name=value` parser directive from the top of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// The directive's name, lower-cased (`syntax`, `escape`, `check`).
    pub name: &'static str,
    /// Its value.
    pub value: String,
    /// The whole comment line.
    pub span: Span,
    /// Where the value is written.
    pub value_span: Span,
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

    /// The words of a JSON array starting at byte `from` of the arguments (the exec form;
    /// empty when there is none), each located exactly when written without escapes.
    fn json_words(&self, from: usize) -> Vec<ListWord<'_>> {
        let args = self.logical.text[self.args_start..].trim_end();
        let Some(items) = args.get(from..).and_then(json_array) else {
            return Vec::new();
        };
        items
            .into_iter()
            .map(|(text, s, e)| {
                let (s, e) = (from + s, from + e);
                let verbatim = args.get(s + 1..e - 1) == Some(text.as_str());
                ListWord {
                    text,
                    locate: Box::new(move |start, end| {
                        if verbatim {
                            self.shell_span(s + 1 + start, s + 1 + end)
                        } else {
                            self.shell_span(s, e)
                        }
                    }),
                }
            })
            .collect()
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
    /// The same for messages, each part tied to where it is written (the reference, the
    /// `ARG` defaults).
    pub shown: Option<Message>,
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
    /// What could not be read as an instruction's parts, and so may hold a secret the
    /// reading missed: the rest of a line that is no instruction, a word without its key.
    unreadable: Vec<Span>,
    /// The first stage of each name (lower case), so `FROM name` finds its base stage in
    /// one look-up however many stages come before.
    stage_by_name: HashMap<String, usize>,
    /// Whether a `.dockerignore`, or the Dockerfile's own `<name>.dockerignore`, is next to
    /// it, as far as the scan can tell: asked while parsing with the scan's files, so
    /// nothing outside the scan is looked at.
    pub context_ignore: Presence,
}

/// `line` without its trailing continuation character, and whether there was one.
fn strip_continuation(line: &str, escape: char) -> (&str, bool) {
    let trimmed = line.trim_end_matches([' ', '\t']);
    match trimmed.strip_suffix(escape) {
        Some(rest) => (rest, true),
        None => (trimmed, false),
    }
}

/// A parser directive on `line`: `(name, value, value's byte range in line)` for `# name =
/// value`. Only the directives BuildKit knows are read: any other comment ends them.
fn directive(line: &str) -> Option<(&'static str, &str, std::ops::Range<usize>)> {
    let rest = line.strip_prefix('#')?.trim_start();
    let (name, value) = rest.split_once('=')?;
    let name = ["syntax", "escape", "check"]
        .into_iter()
        .find(|known| name.trim_end().eq_ignore_ascii_case(known))?;
    let start = line.len() - value.trim_start().len();
    let value = value.trim();
    (!value.is_empty()).then(|| (name, value, start..start + value.len()))
}

/// Splits `text` into words like BuildKit's `parseWords`: blanks separate, quotes group (and
/// are removed), the escape character protects the next one. Ranges are byte offsets in
/// `text`.
fn split_words(text: &str, escape: char) -> Vec<(String, usize, usize)> {
    words_with(text, escape, word_at_fast)
}

/// The words of `text`, each read by `read` from where it starts (after blanks) to where it
/// says it ends.
fn words_with(
    text: &str,
    escape: char,
    read: impl Fn(&str, usize, char) -> (String, usize),
) -> Vec<(String, usize, usize)> {
    let mut words = Vec::new();
    let mut at = 0;
    loop {
        let rest = &text[at..];
        at += rest.len() - rest.trim_start_matches(char::is_whitespace).len();
        if at == text.len() {
            return words;
        }
        let (word, end) = read(text, at, escape);
        words.push((word, at, end));
        at = end;
    }
}

/// [`word_at`], for most words without reading a character at a time: a word of ASCII
/// without quotes or escapes is its text, up to a blank.
fn word_at_fast(text: &str, start: usize, escape: char) -> (String, usize) {
    let bytes = text.as_bytes();
    // A blank as `word_at` reads one (`char::is_whitespace`), in one byte.
    let blank = |b: u8| b.is_ascii() && char::from(b).is_whitespace();
    let special =
        |b: u8| !b.is_ascii() || matches!(b, b'"' | b'\'') || char::from(b) == escape || blank(b);
    let stop = bytes[start..]
        .iter()
        .position(|&b| special(b))
        .map_or(text.len(), |i| start + i);
    if bytes.get(stop).is_none_or(|&b| blank(b)) {
        (text[start..stop].to_owned(), stop)
    } else {
        word_at(text, start, escape)
    }
}

/// The word of [`split_words`] that starts at `start`, read a character at a time, and
/// where it ends.
fn word_at(text: &str, start: usize, escape: char) -> (String, usize) {
    let mut chars = text[start..]
        .char_indices()
        .map(|(i, c)| (start + i, c))
        .peekable();
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
    (word, end)
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

/// An `ARG` declared before the first `FROM`: its value expanded where it is declared, and
/// the same for messages (its parts tied to where each is written).
#[derive(Debug, Clone)]
struct GlobalArg {
    name: String,
    value: Option<(String, Message)>,
}

/// A part of a text with its variables substituted.
enum Piece {
    /// Bytes of the text itself (outside variables, or a `:-` default or `:+` alternative).
    Written(std::ops::Range<usize>),
    /// The value of `args[i]`.
    Arg(usize),
}

/// Substitutes `$VAR`, `${VAR}`, `${VAR:-default}` and `${VAR:+alt}` from `args`; `None`
/// when a variable without a value is used bare.
fn substitute(text: &str, args: &[GlobalArg]) -> Option<Vec<Piece>> {
    let lookup = |name: &str| {
        let i = args.iter().rposition(|a| a.name == name)?;
        args[i]
            .value
            .as_ref()
            .map(|(value, _)| (i, value.is_empty()))
    };
    let mut out = Vec::new();
    let mut literal_from = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c != '$' {
            continue;
        }
        let written = |out: &mut Vec<Piece>| out.push(Piece::Written(literal_from..at));
        if chars.next_if(|(_, c)| *c == '{').is_some() {
            let inner_start = at + 2;
            let close = text[inner_start..].find('}')? + inner_start;
            while chars.next_if(|(i, _)| *i <= close).is_some() {}
            let inner = &text[inner_start..close];
            // The modifier (`:-`, `:+`, or another, which keeps the value) and where the
            // text after it starts.
            let (name, modifier) = match inner.find(':') {
                Some(i) => {
                    let m = &inner[i..];
                    let kind = [":-", ":+"].into_iter().find(|k| m.starts_with(k));
                    (
                        &inner[..i],
                        Some((kind.unwrap_or(":"), inner_start + i + 2)),
                    )
                }
                None => (inner, None),
            };
            let value = lookup(name).filter(|(_, empty)| !empty).map(|(i, _)| i);
            written(&mut out);
            match (modifier, value) {
                (Some((":-", from)), None) | (Some((":+", from)), Some(_)) => {
                    out.push(Piece::Written(from.min(close)..close));
                }
                (Some((":+", _)), None) => {}
                (_, Some(i)) => out.push(Piece::Arg(i)),
                (_, None) => return None,
            }
            literal_from = close + 1;
        } else {
            let name_end = text[at + 1..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(text.len(), |i| at + 1 + i);
            if name_end == at + 1 {
                continue;
            }
            while chars.next_if(|(i, _)| *i < name_end).is_some() {}
            written(&mut out);
            out.push(Piece::Arg(lookup(&text[at + 1..name_end])?.0));
            literal_from = name_end;
        }
    }
    out.push(Piece::Written(literal_from..text.len()));
    Some(out)
}

/// `text`, written at `span`, with its variables substituted from `args`: as the build
/// reads it, and for messages.
fn substituted(text: &str, span: Span, args: &[GlobalArg]) -> Option<(String, Message)> {
    let mut value = String::new();
    let mut shown = Message::new();
    for piece in substitute(text, args)? {
        match piece {
            Piece::Written(range) if range.is_empty() => {}
            Piece::Written(range) => {
                value.push_str(&text[range.clone()]);
                shown.push(Quote::derived(span, &text[range]));
            }
            Piece::Arg(i) => {
                let (arg, arg_shown) = args[i].value.as_ref()?;
                value.push_str(arg);
                shown.push(arg_shown);
            }
        }
    }
    Some((value, shown))
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
            let Some((name, value, range)) = directive(line) else {
                break;
            };
            let span = Span::new(off, off + line.len());
            let value_span = Span::new(off + range.start, off + range.end);
            if file.directives.iter().any(|d| d.name == name) {
                file.errors.push(ParseError {
                    span,
                    message: msg!("the `{}` parser directive is given twice", name),
                });
            }
            if name == "escape" {
                match value {
                    "\\" => file.escape = '\\',
                    "`" => file.escape = '`',
                    _ => file.errors.push(ParseError {
                        span,
                        message: msg!(
                            "invalid escape character `{}`: BuildKit accepts only `\\` or `` ` ``",
                            Quote::at(value_span)
                        ),
                    }),
                }
            }
            file.comments.push(span);
            file.directives.push(Directive {
                name,
                value: value.to_owned(),
                span,
                value_span,
            });
            i += 1;
        }
        let escape = file.escape;
        let mut global_args: Vec<GlobalArg> = Vec::new();
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
                    "this line is not an instruction (a `KEY=value` needs `ENV` or `ARG` before it): BuildKit refuses to build this file".into()
                } else {
                    match closest_instruction(&keyword) {
                        Some(known) => msg!(
                            "this line does not start with an instruction (did you mean `{}`?): BuildKit refuses to build this file",
                            known
                        ),
                        None => "this line does not start with an instruction (`FROM`, `RUN`, `COPY`, …): BuildKit refuses to build this file".into(),
                    }
                },
            });
            self.unreadable
                .push(unknown_instruction_rest(&logical, keyword_end));
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
            "ENV" => self.pairs("ENV", args_text, args_start, &logical),
            "ARG" => self.pairs("ARG", args_text, args_start, &logical),
            "LABEL" => self.pairs("LABEL", args_text, args_start, &logical),
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
                message: msg!(
                    "unterminated heredoc: no line `{}` ends it before the end of the file",
                    Quote::derived(marker_span, name.as_str())
                ),
            });
            // BuildKit refuses the file: what follows is not known to be a script.
            if let Some(body) = body_span {
                self.unreadable.push(body);
            }
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
        keyword: &'static str,
        args: &str,
        args_start: usize,
        logical: &Logical,
    ) -> Vec<KeyValue> {
        let words = split_words(args, self.escape);
        let at = |s: usize, e: usize| logical.span(args_start + s, args_start + e);
        let Some((first, fs, fe)) = words.first() else {
            self.errors.push(ParseError {
                span: logical.span(0, logical.text.len()),
                message: msg!("`{}` needs at least one argument", keyword),
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
                let key = Quote::derived(at(*fs, *fe), first.as_str());
                self.errors.push(ParseError {
                    span: at(*fs, *fe),
                    message: msg!(
                        "`{} {}` has no value: write `{} {}=value`",
                        keyword,
                        &key,
                        keyword,
                        &key
                    ),
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
                None => {
                    // A word without `=` may be a value its key lost (`PASSWORD= hunter2`).
                    self.unreadable.push(at(s, e));
                    self.errors.push(ParseError {
                        span: at(s, e),
                        message: msg!(
                            "`{}` mixes `key=value` pairs with `{}` alone: every word needs `=`",
                            keyword,
                            Quote::derived(at(s, e), word)
                        ),
                    });
                }
            }
        }
        pairs
    }

    /// Files `instruction` under its stage (opening one for `FROM`).
    fn place(&mut self, mut instruction: Instruction, global_args: &mut Vec<GlobalArg>) {
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
            let substituted = substituted(&image.text, image.span, global_args);
            let (resolved, shown) = match substituted {
                Some((resolved, shown)) => (Some(resolved), Some(shown)),
                None => (None, None),
            };
            let base_stage = resolved
                .as_deref()
                .and_then(|r| self.stage_by_name.get(&r.to_ascii_lowercase()).copied());
            let stage = self.stages.len();
            if let Some(name) = &name {
                self.stage_by_name.entry(name.clone()).or_insert(stage);
            }
            instruction.stage = Some(stage);
            self.stages.push(Stage {
                from: index,
                image: ImageRef {
                    written: image.text.clone(),
                    span: image.span,
                    resolved,
                    shown,
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
                let value = match (&pair.value, pair.value_span) {
                    (Some(value), Some(span)) => substituted(value, span, global_args),
                    _ => None,
                };
                global_args.push(GlobalArg {
                    name: pair.key.clone(),
                    value,
                });
            }
        } else if let Some(keyword) = INSTRUCTIONS
            .iter()
            .find(|known| **known == instruction.keyword)
        {
            self.errors.push(ParseError {
                span: instruction.keyword_span,
                message: msg!(
                    "`{}` before the first `FROM`: only `ARG` may come before it",
                    *keyword
                ),
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

/// A line that is not an instruction (`DB_PASSWORD=…`, a token pasted on its own line): its
/// value after a `KEY=`, else all of it (its first word is not known to be a name).
fn unknown_instruction_rest(logical: &Logical, keyword_end: usize) -> Span {
    let word = &logical.text[..keyword_end];
    let from = word.find('=').map_or(0, |eq| eq + 1);
    logical.span(from, logical.text.len())
}

/// The instruction `word` (upper-cased) is a typo of: one letter added, dropped, changed or
/// two swapped. A suggestion names preflight's own word, never the file's.
fn closest_instruction(word: &str) -> Option<&'static str> {
    INSTRUCTIONS
        .iter()
        .copied()
        .find(|known| within_one_edit(word, known))
}

/// Whether `a` becomes `b` with one insertion, deletion, substitution or transposition.
fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a == b || a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let first = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[first..], &b[first..]);
    let tail = |x: &[char], y: &[char]| x == y;
    match a.len().cmp(&b.len()) {
        std::cmp::Ordering::Equal => {
            tail(&ra[1..], &rb[1..])
                || (ra.len() >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && tail(&ra[2..], &rb[2..]))
        }
        std::cmp::Ordering::Less => tail(ra, &rb[1..]),
        std::cmp::Ordering::Greater => tail(&ra[1..], rb),
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

    fn parse(source: &Arc<SourceFile>, cx: &ParseContext) -> Self {
        let mut file = Self::parse(&source.text);
        let dir = source.path.parent().unwrap_or(std::path::Path::new(""));
        let own = source.path.file_name().and_then(|n| n.to_str());
        let own_ignore = own.map(|name| dir.join(format!("{name}.dockerignore")));
        let candidates = std::iter::once(dir.join(".dockerignore")).chain(own_ignore);
        file.context_ignore = Presence::of_any(cx.files, candidates);
        file
    }

    fn confirms_kind(&self) -> bool {
        !self.stages.is_empty()
    }

    fn errors(&self) -> &[ParseError] {
        &self.errors
    }

    fn sensitive(&self, _: &SourceFile) -> Vec<Sensitive> {
        dockerfile_sensitive(self, &Shown::everything())
    }

    /// Instructions and heredocs are read only where they touch what is shown.
    fn sensitive_in(&self, _: &SourceFile, shown: &Shown) -> Vec<Sensitive> {
        dockerfile_sensitive(self, shown)
    }
}

/// In Dockerfiles: `ENV` values and `ARG` defaults under secret names (or that look like
/// credentials); secrets on the command lines of `RUN`, `CMD`, `ENTRYPOINT`, `HEALTHCHECK`
/// and `ONBUILD`, in shell and exec form, and in heredoc bodies (scripts and files); and
/// what the parser could not read (a stray `DB_PASSWORD=…` line). Only instructions and
/// heredoc bodies touching `shown` are read.
fn dockerfile_sensitive(file: &Dockerfile, shown: &Shown) -> Vec<Sensitive> {
    let mut found = Vec::new();
    for instruction in &file.instructions {
        let heredocs = instruction.heredocs.iter();
        let heredocs = heredocs.filter(|heredoc| shown.touches(heredoc.body_span));
        if !shown.touches(instruction.span) {
            found.extend(heredocs.flat_map(heredoc_sensitive));
            continue;
        }
        for pair in &instruction.pairs {
            if let (Some(value), Some(span)) = (&pair.value, pair.value_span) {
                found.extend(assignment_sensitive(&pair.key, value, span));
            }
        }
        let runs_commands = matches!(
            instruction.keyword.as_str(),
            "RUN" | "CMD" | "ENTRYPOINT" | "HEALTHCHECK" | "ONBUILD"
        );
        if runs_commands {
            match &instruction.arguments {
                Arguments::Shell(line) => {
                    found.extend(command_sensitive(line, &|start, end| {
                        instruction.shell_span(start, end)
                    }));
                    // `HEALTHCHECK CMD ["curl", …]`, `ONBUILD RUN [...]`: the exec form of
                    // the command after the first word.
                    let nested = matches!(instruction.keyword.as_str(), "HEALTHCHECK" | "ONBUILD");
                    if let Some(at) = line.find('[').filter(|_| nested) {
                        found.extend(list_command_sensitive(&instruction.json_words(at)));
                    }
                }
                Arguments::Exec(_) => {
                    found.extend(list_command_sensitive(&instruction.json_words(0)));
                }
            }
        }
        found.extend(heredocs.flat_map(heredoc_sensitive));
    }
    found.extend(file.unreadable.iter().map(|span| Sensitive { span: *span }));
    found
}

/// Secrets on the command lines of a heredoc body (a script, or a file it writes).
fn heredoc_sensitive(heredoc: &Heredoc) -> Vec<Sensitive> {
    let mut found = Vec::new();
    for (base, line) in heredoc.lines() {
        found.extend(command_sensitive(line, &|start, end| {
            heredoc.file_span(base + start, base + end)
        }));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A logical line locates every byte, and the end, where an offset kept per byte (the
    /// old layout) did: pieces of every length, empty ones between and at the end included.
    #[test]
    fn logical_offsets_are_those_of_an_offset_per_byte() {
        let piece_sets: [&[(&str, usize)]; 5] = [
            &[("RUN a", 0)],
            &[("RUN a ", 0), ("b c", 12), ("d", 40)],
            &[("ab", 10), ("", 20), ("cd", 30)],
            &[("ab", 10), ("", 20)],
            &[("", 3), ("", 7), ("x", 9), ("", 15)],
        ];
        for pieces in piece_sets {
            let mut logical = Logical::default();
            let mut per_byte: Vec<usize> = Vec::new();
            for &(piece, at) in pieces {
                logical.push(piece, at);
                per_byte.pop();
                per_byte.extend(at..at + piece.len());
                per_byte.push(at + piece.len());
            }
            for i in 0..=logical.text.len() + 2 {
                assert_eq!(
                    logical.offset(i),
                    per_byte.get(i).copied(),
                    "{pieces:?} byte {i}"
                );
            }
        }
        assert_eq!(Logical::default().offset(0), None);
    }

    /// Words read a byte run at a time are the words read a character at a time (the
    /// reader's whole-word path), for every mix of blanks, quotes, escapes and non-ASCII.
    #[test]
    fn words_are_split_alike_on_both_paths() {
        let pieces = [
            "a", "bc", " ", "\t", "\u{b}", "\n", "\"", "'", "\\", "`", "é", "\u{a0}", "$X", "=",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..4000 {
            let mut text = String::new();
            for _ in 0..(seed % 12) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            for escape in ['\\', '`'] {
                let whole = words_with(&text, escape, word_at);
                assert_eq!(split_words(&text, escape), whole, "{text:?}");
            }
        }
    }

    #[test]
    fn typos_of_instructions_are_recognised_and_other_words_are_not() {
        for (typo, known) in [
            ("RUNN", "RUN"),
            ("COPPY", "COPY"),
            ("EXPSOE", "EXPOSE"),
            ("FRM", "FROM"),
            ("USRE", "USER"),
        ] {
            assert_eq!(closest_instruction(typo), Some(known), "{typo}");
        }
        for word in ["QZCANARY-HORSE", "DB_PASSWORD", "R", "SECRET"] {
            assert_eq!(closest_instruction(word), None, "{word}");
        }
    }

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

    /// The errors' messages as shown for `text` when it holds no secret.
    fn messages(text: &str, file: &Dockerfile) -> Vec<String> {
        let source = SourceFile::from_bytes("Dockerfile".into(), "Dockerfile".into(), text.into());
        let messages = file
            .errors
            .iter()
            .map(|e| e.message.fingerprint_text(&source));
        messages.collect()
    }

    #[test]
    fn unterminated_heredoc_is_an_error() {
        let text = "FROM alpine\nRUN <<EOF\necho\n";
        let file = Dockerfile::parse(text);
        assert_eq!(
            messages(text, &file),
            ["unterminated heredoc: no line `EOF` ends it before the end of the file"]
        );
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
        // For messages, each part is tied to where it is written.
        let source = SourceFile::from_bytes("Dockerfile".into(), "Dockerfile".into(), text.into());
        let shown = file.stages[0].image.shown.as_ref().unwrap();
        assert_eq!(shown.fingerprint_text(&source), "node:18-alpine");
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
        let text =
            "# syntax=docker/dockerfile:1\n# syntax=other\n# escape=x\n\n# escape=`\nFROM alpine\n";
        let file = Dockerfile::parse(text);
        assert_eq!(file.directives.len(), 3);
        assert_eq!(file.escape, '\\');
        assert_eq!(
            messages(text, &file),
            [
                "the `syntax` parser directive is given twice",
                "invalid escape character `x`: BuildKit accepts only `\\` or `` ` ``"
            ]
        );
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
