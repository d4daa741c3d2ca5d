//! A lossless-position parser for `.env` files.
//!
//! There is no single dotenv standard; this follows the union of what python-dotenv, the npm
//! `dotenv` package and Docker Compose accept, so that anything one of them loads is read here
//! with the same value: `export` prefixes, `KEY = value` with spaces, single quotes (literal),
//! double quotes (escapes), backticks, quoted values spanning lines, inline `#` comments after
//! whitespace, `${VAR}` references. Malformed lines become [`ParseError`]s and parsing goes on
//! with the next line, so one typo never hides the rest of the file.

use crate::formats::sensitive::{assignment_sensitive, Sensitive, Shown};
use crate::formats::ParseError;
use crate::formats::Target;
use crate::formats::{Classification, FileName, FollowUp, Format, ParseContext};
use crate::message::{self, Message};
use crate::msg;
use crate::secrets::{
    assess, is_indirection, looks_like_token, mentioned_secrets, parse_url, secret_kind,
    SecretKind, Weakness,
};
use crate::source::SourceFile;
use crate::source::Span;
use std::sync::Arc;

/// How a value was written; it decides escapes, comments and interpolation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quote {
    /// `KEY=value`
    None,
    /// `KEY='value'`: literal.
    Single,
    /// `KEY="value"`: backslash escapes and `${VAR}` expansion.
    Double,
    /// ``KEY=`value` ``: literal (npm dotenv).
    Backtick,
}

/// The value side of an assignment.
#[derive(Debug, Clone)]
pub struct EnvValue {
    /// The value as the application receives it (quotes removed, escapes applied).
    pub text: String,
    /// The value as written, quotes included.
    pub span: Span,
    /// The value as written, without its quotes.
    pub inner_span: Span,
    /// The quoting style.
    pub quote: Quote,
    /// Whether the value contains `$VAR`/`${VAR}` references the loader expands.
    pub interpolated: bool,
}

/// One `KEY=VALUE` statement (which may span several lines when its value is quoted).
#[derive(Debug, Clone)]
pub struct EnvEntry {
    /// The variable name.
    pub key: String,
    /// Where the name is written.
    pub key_span: Span,
    /// The value, or `None` for a bare `KEY` line without `=`.
    pub value: Option<EnvValue>,
    /// The `export` keyword, when present.
    pub export_span: Option<Span>,
    /// The whole statement, from the first character of the line to the end of the value.
    pub span: Span,
}

/// A parsed `.env` file: its statements in order, including duplicates, plus parse errors.
#[derive(Debug, Clone, Default)]
pub struct EnvFile {
    /// Every statement, in file order.
    pub entries: Vec<EnvEntry>,
    /// Lines that could not be parsed.
    pub errors: Vec<ParseError>,
    /// For each entry, whether it is the assignment in effect for its key.
    in_effect: Vec<bool>,
    /// What the parser could not read, which may hold a secret: the unreadable lines after
    /// their leading key, and unquoted values pasted over several lines.
    unreadable: Vec<Span>,
    /// The comments, `#` included.
    comments: Vec<Span>,
    /// [`EnvFile::secrets`], worked out on first use: four rules ask for them.
    secrets: std::sync::OnceLock<Vec<EnvSecret>>,
}

/// A secret value in effect in an env file ([`EnvFile::secrets`]).
#[derive(Debug, Clone)]
pub struct EnvSecret {
    /// The entry holding it, an index into [`EnvFile::entries`].
    pub entry: usize,
    /// What it is used for.
    pub kind: SecretKind,
    /// The value as the application sees it: a range of the entry's value text.
    value: std::ops::Range<usize>,
    /// Where it is written.
    pub span: Span,
    /// Whether it is a password inside a URL.
    pub in_url: bool,
    /// Why it is weak ([`assess`]), if it is.
    pub weakness: Option<Weakness>,
}

impl EnvFile {
    /// Parses `text`; never fails, malformed lines are collected in [`EnvFile::errors`].
    ///
    /// ```
    /// use preflight::formats::dotenv::EnvFile;
    ///
    /// let env = EnvFile::parse("export A=1\nA=\"two\\nlines\" # wins\nnot an assignment\n");
    /// assert_eq!(env.effective("A").unwrap().value.as_ref().unwrap().text, "two\nlines");
    /// assert_eq!(env.errors.len(), 1);
    /// ```
    pub fn parse(text: &str) -> Self {
        let mut file = Parser {
            text,
            pos: 0,
            file: EnvFile::default(),
        }
        .run();
        let mut seen = std::collections::HashSet::new();
        let mut in_effect: Vec<bool> = file
            .entries
            .iter()
            .rev()
            .map(|e| seen.insert(e.key.as_str()))
            .collect();
        in_effect.reverse();
        file.in_effect = in_effect;
        file
    }

    /// The statement whose value the application sees for `key`: the last one, as every
    /// common loader lets a later assignment override an earlier one.
    pub fn effective(&self, key: &str) -> Option<&EnvEntry> {
        self.entries.iter().rev().find(|e| e.key == key)
    }

    /// The statements in effect (the last assignment of each key), in file order.
    pub fn effective_entries(&self) -> impl Iterator<Item = &EnvEntry> {
        self.effective_indexed().map(|(_, e)| e)
    }

    fn effective_indexed(&self) -> impl Iterator<Item = (usize, &EnvEntry)> {
        self.entries
            .iter()
            .enumerate()
            .zip(&self.in_effect)
            .filter(|(_, on)| **on)
            .map(|(e, _)| e)
    }

    /// Every secret in effect (the last assignment of each key): the value of a secret-like
    /// key, or the password inside a connection URL, skipping references to secrets kept
    /// elsewhere (`${VAR}`, `/run/secrets/x`, `op://…`) and interpolated values.
    pub fn secrets(&self) -> &[EnvSecret] {
        self.secrets.get_or_init(|| {
            let mut found = Vec::new();
            for (index, entry) in self.effective_indexed() {
                let Some(value) = &entry.value else { continue };
                if value.interpolated {
                    continue;
                }
                let mut push = |kind, range: std::ops::Range<usize>, span, in_url| {
                    let weakness = assess(kind, &value.text[range.clone()]);
                    found.push(EnvSecret {
                        entry: index,
                        kind,
                        value: range,
                        span,
                        in_url,
                        weakness,
                    });
                };
                if let Some(url) = parse_url(&value.text) {
                    if let Some((_, range)) = url.password {
                        let span = value.password_span(range.clone());
                        push(SecretKind::Password, range, span, true);
                    }
                    continue;
                }
                let Some(kind) = secret_kind(&entry.key) else {
                    continue;
                };
                if is_indirection(&value.text)
                    || (value.text.is_empty() && kind != SecretKind::Signing)
                {
                    continue;
                }
                let span = if value.text.is_empty() {
                    entry.key_span
                } else {
                    value.inner_span
                };
                push(kind, 0..value.text.len(), span, false);
            }
            found
        })
    }

    /// The value of `secret`, one of [`EnvFile::secrets`].
    pub fn secret_value(&self, secret: &EnvSecret) -> &str {
        self.entries[secret.entry]
            .value
            .as_ref()
            .map_or("", |value| &value.text[secret.value.clone()])
    }
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    file: EnvFile,
}

impl Parser<'_> {
    fn run(mut self) -> EnvFile {
        while self.pos < self.text.len() {
            self.statement();
        }
        self.file
    }

    fn bytes(&self) -> &[u8] {
        self.text.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.pos).copied()
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    /// Offset of the end of the current line (before `\r\n` or `\n`).
    fn line_end(&self, from: usize) -> usize {
        let end =
            memchr::memchr(b'\n', &self.bytes()[from..]).map_or(self.text.len(), |i| from + i);
        if end > from && self.bytes()[end - 1] == b'\r' {
            end - 1
        } else {
            end
        }
    }

    /// Moves past the end of the current line.
    fn next_line(&mut self) {
        self.pos = memchr::memchr(b'\n', &self.bytes()[self.pos..])
            .map_or(self.text.len(), |i| self.pos + i + 1);
    }

    /// Records the comment that starts at `from` (at a `#`, or at the end of the line: none).
    fn comment(&mut self, from: usize) {
        let end = self.line_end(from);
        if end > from {
            self.file.comments.push(Span::new(from, end));
        }
    }

    /// Records an error at `span`, and `unreadable` (the part of it that may hold a secret)
    /// for masking.
    fn error(&mut self, span: Span, unreadable: Span, message: impl Into<Message>) {
        self.file.errors.push(ParseError {
            span,
            message: message.into(),
        });
        self.file.unreadable.push(unreadable);
    }

    fn statement(&mut self) {
        let line_start = self.pos;
        self.skip_blanks();
        match self.peek() {
            None => return,
            Some(b'#') => {
                self.comment(self.pos);
                return self.next_line();
            }
            Some(b'\n' | b'\r') => return self.next_line(),
            _ => {}
        }
        let export_span = self.export_keyword();
        let key_start = self.pos;
        while self
            .peek()
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        {
            self.pos += 1;
        }
        let key_span = Span::new(key_start, self.pos);
        let key = &self.text[key_span.range()];
        let line_end = self.line_end(line_start);
        if key.is_empty() || key.as_bytes()[0].is_ascii_digit() {
            let bad = Span::new(key_start, line_end.max(key_start));
            self.error(
                bad,
                bad,
                "expected `KEY=VALUE`: a variable name starts with a letter or `_`",
            );
            return self.next_line();
        }
        let key = key.to_owned();
        self.skip_blanks();
        match self.peek() {
            Some(b'=') => self.pos += 1,
            None | Some(b'\n' | b'\r' | b'#') => {
                self.comment(self.pos);
                self.file.entries.push(EnvEntry {
                    key,
                    key_span,
                    value: None,
                    export_span,
                    span: Span::new(line_start, key_span.end),
                });
                return self.next_line();
            }
            Some(_) => {
                let bad = Span::new(key_start, line_end);
                // A word is a key only when an `=` follows on its line (`API KEY=…`), and
                // then only unless it looks like a credential; a line without `=` assigns
                // nothing and may be a secret pasted on its own, first word included. The
                // rest of the line is never shown.
                let assigns = self.text[self.pos..line_end].contains('=');
                if assigns && !looks_like_token(&key) {
                    self.error(
                        bad,
                        Span::new(key_span.end, line_end),
                        msg!(
                            "expected `=` after `{}`: variable names are letters, digits, `_`, `.` and `-`, without spaces",
                            message::Quote::at(key_span)
                        ),
                    );
                } else {
                    self.error(
                        bad,
                        bad,
                        "expected `KEY=VALUE`: a line without `=` assigns nothing",
                    );
                }
                return self.next_line();
            }
        }
        self.skip_blanks();
        let value = self.value();
        let end = value.span.end;
        let pem = value.quote == Quote::None && value.text.starts_with("-----BEGIN ");
        let value_start = value.span.start;
        self.file.entries.push(EnvEntry {
            key,
            key_span,
            value: Some(value),
            export_span,
            span: Span::new(line_start, end),
        });
        self.trailing(value_start);
        if pem {
            self.pem_continuation(key_span, value_start);
        }
    }

    /// The lines after an unquoted `-----BEGIN …-----` value that continue it (a private key
    /// or certificate pasted without quotes): loaders read only the first line and fail on
    /// the others, which are the key itself. They are taken as one unreadable block (up to
    /// the `-----END …-----` line, or while lines look like base64) rather than as
    /// statements, and the whole value is masked.
    fn pem_continuation(&mut self, key_span: Span, value_start: usize) {
        let start = self.pos;
        let mut end = None;
        let mut at = start;
        while at < self.text.len() {
            let line_end = self.line_end(at);
            let line = self.text[at..line_end].trim();
            let body = line.trim_end_matches('=');
            // Long enough and without a `=` inside: `DEBUG=true` is a statement.
            let base64 = body.len() >= 16
                && line.len() - body.len() <= 2
                && body
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/'));
            // Encrypted keys (RFC 1421) carry `Proc-Type:` and `DEK-Info:` headers.
            let header = line.starts_with("Proc-Type:") || line.starts_with("DEK-Info:");
            if line.starts_with("-----END ") {
                end = Some(line_end);
                break;
            }
            if !base64 && !header {
                break;
            }
            end = Some(line_end);
            at = self.text[at..]
                .find('\n')
                .map_or(self.text.len(), |i| at + i + 1);
        }
        let Some(end) = end else { return };
        self.error(
            Span::new(start, end),
            Span::new(value_start, end),
            msg!(
                "the value of `{}` goes on over the next lines without quotes: loaders read only its first line and fail on the others; put the whole value in double quotes",
                message::Quote::at(key_span)
            ),
        );
        self.pos = end;
    }

    fn export_keyword(&mut self) -> Option<Span> {
        let rest = &self.text[self.pos..];
        let after = rest.strip_prefix("export")?;
        if after.starts_with([' ', '\t']) {
            let span = Span::new(self.pos, self.pos + "export".len());
            self.pos = span.end;
            self.skip_blanks();
            Some(span)
        } else {
            None
        }
    }

    fn value(&mut self) -> EnvValue {
        let start = self.pos;
        let quote = match self.peek() {
            Some(b'\'') => Quote::Single,
            Some(b'"') => Quote::Double,
            Some(b'`') => Quote::Backtick,
            _ => return self.unquoted(),
        };
        let delimiter = self.bytes()[start];
        let body_start = start + 1;
        let mut text = String::new();
        let mut i = body_start;
        let bytes = self.bytes();
        while i < bytes.len() {
            let b = bytes[i];
            if b == delimiter {
                self.pos = i + 1;
                let interpolated =
                    quote == Quote::Double && has_reference(&self.text[body_start..i]);
                return EnvValue {
                    text,
                    span: Span::new(start, i + 1),
                    inner_span: Span::new(body_start, i),
                    quote,
                    interpolated,
                };
            }
            if b == b'\\' && quote != Quote::Backtick && i + 1 < bytes.len() {
                let next = bytes[i + 1];
                let escaped = match (quote, next) {
                    (Quote::Double, b'n') => Some('\n'),
                    (Quote::Double, b'r') => Some('\r'),
                    (Quote::Double, b't') => Some('\t'),
                    (Quote::Double, b'"' | b'\\' | b'$') => Some(next as char),
                    (Quote::Single, b'\'' | b'\\') => Some(next as char),
                    _ => None,
                };
                if let Some(c) = escaped {
                    text.push(c);
                    i += 2;
                    continue;
                }
            }
            let ch = self.text[i..].chars().next().unwrap_or('\u{fffd}');
            text.push(ch);
            i += ch.len_utf8();
        }
        // Unterminated: report at the opening quote and read the line as an unquoted value,
        // which is what the lenient loaders fall back to, then continue on the next line.
        let line_end = self.line_end(start);
        let open = Span::new(start, line_end);
        self.error(
            open,
            open,
            msg!(
                "unterminated {} quote: the value runs to the end of the file",
                quote_name(quote)
            ),
        );
        self.pos = start;
        let mut value = self.unquoted();
        value.quote = Quote::None;
        value
    }

    fn unquoted(&mut self) -> EnvValue {
        let start = self.pos;
        let line_end = self.line_end(start);
        let raw = &self.text[start..line_end];
        let mut end = raw.len();
        let mut prev_blank = true;
        for (i, c) in raw.char_indices() {
            if c == '#' && prev_blank {
                end = i;
                self.comment(start + i);
                break;
            }
            prev_blank = c == ' ' || c == '\t';
        }
        let value = raw[..end].trim_end_matches([' ', '\t']);
        let span = Span::new(start, start + value.len());
        self.pos = line_end;
        EnvValue {
            text: value.to_owned(),
            span,
            inner_span: span,
            quote: Quote::None,
            interpolated: has_reference(value),
        }
    }

    /// After a value (which starts at `value_start`): blanks, an optional comment, the end of
    /// the line. Anything else is an error (python-dotenv refuses such lines; others
    /// silently drop the rest), and the whole statement after its key is unreadable: the
    /// quote may have closed somewhere else than meant.
    fn trailing(&mut self, value_start: usize) {
        self.skip_blanks();
        match self.peek() {
            Some(b'#') => self.comment(self.pos),
            None | Some(b'\n' | b'\r') => {}
            Some(_) => {
                let end = self.line_end(self.pos);
                self.error(
                    Span::new(self.pos, end),
                    Span::new(value_start, end),
                    "unexpected text after the closing quote; put the whole value inside the quotes",
                );
            }
        }
        self.next_line();
    }
}

fn quote_name(quote: Quote) -> &'static str {
    match quote {
        Quote::Single => "single",
        Quote::Double => "double",
        Quote::Backtick => "backtick",
        Quote::None => "no",
    }
}

/// `$NAME` or `${...}` somewhere in `s` (a `\$` escape does not count).
fn has_reference(s: &str) -> bool {
    let bytes = s.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        b == b'$'
            && (i == 0 || bytes[i - 1] != b'\\')
            && bytes
                .get(i + 1)
                .is_some_and(|&n| n == b'{' || n == b'_' || n.is_ascii_alphabetic())
    })
}

/// Last name parts of files that merely mention env in their name (`env.d.ts`, `.env.vault`).
const NOT_ENV_EXTENSIONS: &[&str] = &[
    "py", "js", "mjs", "cjs", "ts", "sh", "json", "yaml", "yml", "toml", "md", "rb", "go", "rs",
    "java", "php", "txt", "cfg", "ini", "conf", "vault", "swp", "bak", "orig", "gpg", "age", "enc",
    "asc", "html", "htm", "xml", "patch", "diff", "rej", "log", "lock", "csv",
];

/// Name parts that mark an env file as a committed template.
pub const EXAMPLE_MARKERS: &[&str] = &[
    "example", "sample", "template", "tpl", "dist", "defaults", "default", "schema", "skel",
];
/// Name parts that mark an env file as development-only.
const DEV_MARKERS: &[&str] = &["development", "dev", "test", "testing", "ci", "e2e"];

/// The kind of environment file a lower-cased file name says it is: deployed, development
/// or a committed template; `None` for names that only mention env (`env.d.ts`).
pub fn env_kind(name: &str) -> Option<Target> {
    let parts: Vec<&str> = name.split('.').filter(|p| !p.is_empty()).collect();
    let is_env = name == ".env"
        || name.starts_with(".env.")
        || name.ends_with(".env")
        || name.contains(".env.");
    let last = parts.last().copied().unwrap_or("");
    let is_other = NOT_ENV_EXTENSIONS.contains(&last) || name.ends_with('~');
    if !is_env || is_other {
        return None;
    }
    if parts.iter().any(|p| EXAMPLE_MARKERS.contains(p)) {
        Some(Target::EnvExample)
    } else if parts.iter().any(|p| DEV_MARKERS.contains(p)) {
        Some(Target::EnvDev)
    } else {
        Some(Target::Env)
    }
}

impl EnvValue {
    /// A quote of `part`, a slice of [`EnvValue::text`] (a URL's host): exactly where it is
    /// written when the value is written as the application sees it (no quotes to remove, no
    /// escapes), else derived from the whole value.
    pub fn quote_part(&self, part: &str) -> message::Quote {
        let offset = (part.as_ptr() as usize).checked_sub(self.text.as_ptr() as usize);
        let inner = self.inner_span;
        match offset {
            Some(offset)
                if inner.len() == self.text.len() && offset + part.len() <= self.text.len() =>
            {
                message::Quote::at(Span::new(
                    inner.start + offset,
                    inner.start + offset + part.len(),
                ))
            }
            _ => message::Quote::derived(inner, part),
        }
    }

    /// Where the password of a URL value, at `range` of the value as the application sees
    /// it, is written: the position maps back onto the file only when that equals the
    /// written text (no escapes), otherwise the whole value is the span.
    fn password_span(&self, range: std::ops::Range<usize>) -> Span {
        let inner = self.inner_span;
        if inner.len() == self.text.len() {
            Span::new(inner.start + range.start, inner.start + range.end)
        } else {
            inner
        }
    }
}

impl Format for EnvFile {
    fn classify(name: &FileName) -> Option<Classification> {
        Classification::certain(env_kind(&name.name)?)
    }

    fn parse(source: &Arc<SourceFile>, _: &ParseContext) -> Self {
        Self::parse(&source.text)
    }

    fn errors(&self) -> &[ParseError] {
        &self.errors
    }

    fn sensitive(&self, source: &SourceFile) -> Vec<Sensitive> {
        env_sensitive(self, &source.text, &Shown::everything())
    }

    fn sensitive_in(&self, source: &SourceFile, shown: &Shown) -> Vec<Sensitive> {
        env_sensitive(self, &source.text, shown)
    }

    /// A deployed `.env` setting `DJANGO_SETTINGS_MODULE` names the settings module the
    /// application runs with, resolved from the file's folder.
    fn follow_ups(&self, source: &SourceFile, target: Target) -> Vec<FollowUp> {
        if target != Target::Env {
            return Vec::new();
        }
        let dir = source.path.parent().unwrap_or(std::path::Path::new(""));
        self.entries
            .iter()
            .filter(|e| e.key == "DJANGO_SETTINGS_MODULE")
            .filter_map(|e| e.value.as_ref())
            .flat_map(|value| crate::formats::python_settings::module_files(dir, &value.text))
            .collect()
    }
}

/// Values of secret-like keys, passwords inside URLs, values that look like generated
/// credentials whatever their key is called, private keys under any name, a "key" that
/// looks like a credential (a token pasted on a line of its own), what the parser could not
/// read, and in comments a secret named (`# DB_PASSWORD=old…` left commented out) or
/// repeated (`# preflight: ignore[ENV012] <the value> is rotated hourly`).
///
/// Values are classified one by one, so only those touching `shown` are (what is found of
/// an entry lies in its statement); but a shown comment may repeat any value of the file,
/// and then every value is. Comments are read only when one is shown.
fn env_sensitive(env: &EnvFile, text: &str, shown: &Shown) -> Vec<Sensitive> {
    let at = |span: Span| Sensitive { span };
    let mut found = Vec::new();
    let comment_shown = env.comments.iter().any(|&comment| shown.touches(comment));
    let touched = |entry: &&EnvEntry| comment_shown || shown.touches(entry.span);
    for entry in env.entries.iter().filter(touched) {
        match &entry.value {
            // A private key, or any value over several lines (a key or certificate pasted
            // in quotes, a quote closed lines later): whole.
            Some(value)
                if value.text.contains("PRIVATE KEY")
                    || text
                        .get(value.span.range())
                        .is_some_and(|v| v.contains('\n')) =>
            {
                found.push(at(value.span));
            }
            Some(value) => found.extend(assignment_sensitive(
                &entry.key,
                &value.text,
                value.inner_span,
            )),
            None if looks_like_token(&entry.key) => found.push(at(entry.key_span)),
            None => {}
        }
    }
    found.extend(env.unreadable.iter().map(|&span| at(span)));
    if !comment_shown {
        return found;
    }
    let repeated = repeated_in_comments(env, text, &found);
    found.extend(repeated.into_iter().map(at));
    for comment in &env.comments {
        let body = text.get(comment.range()).unwrap_or("");
        found.extend(mentioned_secrets(body).into_iter().map(|value| {
            at(Span::new(
                comment.start + value.start,
                comment.start + value.end,
            ))
        }));
    }
    found
}

/// Where a comment repeats the written text of one of the `secrets` (four characters or
/// more: a shorter one would blank out ordinary words). The comment is searched, not the
/// file: only comments are free text next to the values. One automaton of every distinct
/// secret reads each comment once, overlapping matches included (a secret that overlaps
/// another's match is masked too): searching each comment for each secret in turn was
/// quadratic in the file (a 256 KiB file of comments and secrets took 1.7 s, found by the
/// `env` fuzz target).
fn repeated_in_comments(env: &EnvFile, text: &str, secrets: &[Sensitive]) -> Vec<Span> {
    let mut written: Vec<&str> = secrets
        .iter()
        .filter_map(|s| text.get(s.span.range()))
        .filter(|w| w.chars().count() >= 4)
        .collect();
    written.sort_unstable();
    written.dedup();
    if written.is_empty() || env.comments.is_empty() {
        return Vec::new();
    }
    let comment_bytes: usize = env.comments.iter().map(|c| c.len()).sum();
    if comment_bytes.saturating_mul(written.len()) <= SEARCHED_IN_TURN {
        return env
            .comments
            .iter()
            .filter_map(|comment| Some((comment.start, text.get(comment.range())?)))
            .flat_map(|(start, body)| {
                written.iter().flat_map(move |w| {
                    occurrences(body, w).map(move |at| Span::new(start + at, start + at + w.len()))
                })
            })
            .collect();
    }
    // The non-contiguous NFA builds fastest: most files have a few short comments, and
    // building the default DFA cost more than searching them (3% of a scan's CPU).
    let Ok(automaton) = aho_corasick::AhoCorasick::builder()
        .kind(Some(aho_corasick::AhoCorasickKind::NoncontiguousNFA))
        .build(&written)
    else {
        // Too large to build: every comment is masked whole rather than searched.
        return env.comments.clone();
    };
    let mut found = Vec::new();
    for comment in &env.comments {
        let Some(body) = text.get(comment.range()) else {
            continue;
        };
        found.extend(
            automaton
                .find_overlapping_iter(body)
                .map(|m| Span::new(comment.start + m.start(), comment.start + m.end())),
        );
    }
    found
}

/// Up to this many bytes of comments times secrets, each comment is searched for each
/// secret in turn: building the automaton costs more (2% of a scan's instructions went to
/// building one per `.env` file of a few short comments).
const SEARCHED_IN_TURN: usize = 16 * 1024;

/// Where `needle` starts in `haystack`, overlapping occurrences included (`aaa` in `aaaa`
/// twice), as the automaton finds them. Each place holding the needle's first byte is
/// compared: comments are short, and `str::find` set up a searcher for every comment and
/// secret (a fifth of the `.env` format's sensitive spans). A match of valid UTF-8 in valid
/// UTF-8 starts on a character boundary, so no place inside a character is reported.
fn occurrences<'h>(haystack: &'h str, needle: &'h str) -> impl Iterator<Item = usize> + 'h {
    let first = needle.as_bytes().first().copied();
    first
        .into_iter()
        .flat_map(move |first| memchr::memchr_iter(first, haystack.as_bytes()))
        .filter(move |&at| haystack.as_bytes()[at..].starts_with(needle.as_bytes()))
}

/// What users could see of a file and of its messages, for the formats' tests that plant a
/// secret and look for it in the output.
#[cfg(test)]
pub(crate) mod shown {
    use std::sync::Arc;

    use crate::formats::Format;
    use crate::message::Message;
    use crate::source::{SourceFile, Span};

    /// Planted in tests as a secret: no digits, so it is no credential to any rule.
    pub const CANARY: &str = "qzcanary-horse-river-tmsvqpa";

    /// A file and the spans its format declared sensitive.
    pub struct Shown {
        pub source: Arc<SourceFile>,
        spans: Vec<Span>,
    }

    impl Shown {
        /// `text`, with the secrets `parse` (the text's format) declares.
        pub fn new<T: Format>(text: &str, parse: impl FnOnce(&str) -> T) -> (Self, T) {
            let document = parse(text);
            let source = Arc::new(SourceFile::from_bytes(
                "f".into(),
                "f".into(),
                text.as_bytes().to_vec(),
            ));
            let spans = document
                .sensitive(&source)
                .into_iter()
                .map(|s| s.span)
                .collect();
            (Self { source, spans }, document)
        }

        /// The file as code frames show it: every sensitive character a `*`.
        pub fn text(&self) -> String {
            self.source
                .text
                .char_indices()
                .map(|(i, c)| {
                    let hidden = self.spans.iter().any(|s| s.start <= i && i < s.end);
                    if hidden && c != '\n' {
                        '*'
                    } else {
                        c
                    }
                })
                .collect()
        }

        /// Checks that code frames show nothing of [`CANARY`] and all of `visible`.
        pub fn assert_masked(&self, visible: &[&str]) {
            let masked = self.text();
            assert!(!masked.contains("qzcanary"), "{masked}");
            for shown in visible {
                assert!(masked.contains(shown), "{shown} in {masked}");
            }
        }

        /// `message` with every quote shown, secret or not: a planted secret absent from
        /// it is absent from what users read, whatever is masked.
        pub fn message(&self, message: &Message) -> String {
            message.fingerprint_text(&self.source)
        }

        /// The parse errors' messages (as [`Shown::message`]), one a line.
        pub fn errors<T: Format>(&self, document: &T) -> String {
            let messages: Vec<String> = document
                .errors()
                .iter()
                .map(|e| self.message(&e.message))
                .collect();
            messages.join("\n")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::shown::{Shown, CANARY};
    use super::*;

    fn values(text: &str) -> Vec<(String, Option<String>)> {
        let file = EnvFile::parse(text);
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        file.entries
            .into_iter()
            .map(|e| (e.key, e.value.map(|v| v.text)))
            .collect()
    }

    fn one(text: &str) -> String {
        values(text).remove(0).1.unwrap()
    }

    /// A report showing some lines gets the secrets of the values there; one showing a
    /// comment gets every value's, since the comment may repeat any of them.
    #[test]
    fn secrets_where_shown_are_those_of_the_shown_values_or_all_for_a_comment() {
        let text = "API_TOKEN=ghp_x9Kq2Lm8Np4Rt6Vw0Yz3Bc5Df7Gh1Jk2Lm4Np\n\nDEBUG=true\n\nDB_PASSWORD=s3cr3t-v4lue-9k2\n\n# was s3cr3t-v4lue-9k2\n";
        let source = SourceFile::from_bytes("app/.env".into(), "app/.env".into(), text.into());
        let env = EnvFile::parse(text);
        let at = |needle: &str| {
            let start = text.find(needle).unwrap();
            Span::new(start, start + needle.len())
        };
        let secrets = |shown: &[Span]| -> Vec<&str> {
            let shown = crate::formats::sensitive::Shown::lines_of(&source, shown.iter().copied());
            let mut found: Vec<&str> = Format::sensitive_in(&env, &source, &shown)
                .iter()
                .map(|s| &text[s.span.range()])
                .collect();
            found.sort_unstable();
            found
        };
        let everything: Vec<&str> = {
            let mut all: Vec<&str> =
                env_sensitive(&env, text, &crate::formats::sensitive::Shown::everything())
                    .iter()
                    .map(|s| &text[s.span.range()])
                    .collect();
            all.sort_unstable();
            all
        };
        assert_eq!(secrets(&[at("DEBUG")]), Vec::<&str>::new());
        assert_eq!(secrets(&[at("DB_PASSWORD")]), ["s3cr3t-v4lue-9k2"]);
        assert_eq!(secrets(&[at("# was")]), everything);
        assert!(everything.len() >= 3, "{everything:?}");
    }

    /// A comment repeating secrets is searched in turn when it is short and by the automaton
    /// when it is long: both find every occurrence, overlapping ones included.
    #[test]
    fn repeated_secrets_are_found_alike_searched_in_turn_or_by_automaton() {
        let found = |padding: usize| {
            let text = format!(
                "API_TOKEN=xyxyxy\nDB_PASSWORD=s3cr3t-v4lue\n# old: xyxyxyxy s3cr3t-v4lue éxyxyxy\n{}",
                "# padding\n".repeat(padding)
            );
            let env = EnvFile::parse(&text);
            let secrets =
                env_sensitive(&env, &text, &crate::formats::sensitive::Shown::everything());
            let comments: usize = env.comments.iter().map(|c| c.len()).sum();
            let mut spans: Vec<&str> = repeated_in_comments(&env, &text, &secrets)
                .into_iter()
                .map(|s| &text[s.range()])
                .collect();
            spans.sort_unstable();
            (comments * 2 > SEARCHED_IN_TURN, spans.join(" "))
        };
        let (automaton, long) = found(SEARCHED_IN_TURN / 10);
        assert!(automaton);
        assert_eq!(found(0), (false, long.clone()));
        assert_eq!(long, "s3cr3t-v4lue xyxyxy xyxyxy xyxyxy");
    }

    #[test]
    fn reads_the_forms_loaders_accept() {
        assert_eq!(one("A=b"), "b");
        assert_eq!(one("export A=b"), "b");
        assert_eq!(one("  A = b  "), "b");
        assert_eq!(one("A=b # comment"), "b");
        assert_eq!(one("A=b#not-a-comment"), "b#not-a-comment");
        assert_eq!(one("A='x # y'"), "x # y");
        assert_eq!(one(r#"A="a\nb\"c""#), "a\nb\"c");
        assert_eq!(one(r"A='a\nb'"), r"a\nb");
        assert_eq!(one("A=`b`"), "b");
        assert_eq!(one("A="), "");
        assert_eq!(one("A=\"\""), "");
    }

    #[test]
    fn quoted_values_span_lines() {
        let file = EnvFile::parse("KEY=\"-----BEGIN\nabc\n-----END\"\nNEXT=1\n");
        assert_eq!(file.entries.len(), 2);
        assert_eq!(
            file.entries[0].value.as_ref().unwrap().text,
            "-----BEGIN\nabc\n-----END"
        );
        assert_eq!(file.entries[1].key, "NEXT");
    }

    #[test]
    fn comments_blank_lines_and_crlf() {
        let v = values("# c\r\n\r\nA=1\r\nB=\"2\"\r\n");
        assert_eq!(
            v,
            vec![
                ("A".into(), Some("1".into())),
                ("B".into(), Some("2".into()))
            ]
        );
    }

    #[test]
    fn last_assignment_wins() {
        let file = EnvFile::parse("A=1\nA=2\n");
        let winner = file.effective("A").unwrap();
        assert_eq!(winner.value.as_ref().unwrap().text, "2");
        let in_effect: Vec<_> = file.effective_entries().map(|e| e.span).collect();
        assert_eq!(in_effect, [file.entries[1].span]);
    }

    #[test]
    fn bad_lines_are_errors_and_parsing_continues() {
        let file = EnvFile::parse("this is not env\nGOOD=1\n9X=2\nA=\"open\nB=3\nC='x' y\n");
        let keys: Vec<_> = file.entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["GOOD", "A", "B", "C"]);
        assert_eq!(file.errors.len(), 4, "{:?}", file.errors);
    }

    #[test]
    fn bare_key_has_no_value() {
        let file = EnvFile::parse("LONELY\n");
        assert!(file.entries[0].value.is_none());
    }

    #[test]
    fn references_are_recognised() {
        let file = EnvFile::parse("A=${SECRET}\nB=\"$X\"\nC='${X}'\nD=a\\$b\n");
        let refs: Vec<_> = file
            .entries
            .iter()
            .map(|e| e.value.as_ref().unwrap().interpolated)
            .collect();
        assert_eq!(refs, [true, true, false, false]);
    }

    #[test]
    fn spans_point_at_key_and_value() {
        let text = "export  KEY = 'v'\n";
        let file = EnvFile::parse(text);
        let e = &file.entries[0];
        assert_eq!(&text[e.key_span.range()], "KEY");
        assert_eq!(&text[e.value.as_ref().unwrap().span.range()], "'v'");
        assert_eq!(&text[e.export_span.unwrap().range()], "export");
    }

    #[test]
    fn a_private_key_pasted_without_quotes_is_one_masked_value() {
        let body = "QzcanaryHorseRiverTmsvqpaQzcanaryHorseRiverTmsvqpa+AB/cd";
        let text = format!(
            "NAME=web\nSP_PEM=-----BEGIN PRIVATE KEY-----\n{body}\n{body}==\n-----END PRIVATE KEY-----\nNEXT=1\n"
        );
        let (shown, env) = Shown::new(&text, EnvFile::parse);
        let keys: Vec<_> = env.entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["NAME", "SP_PEM", "NEXT"]);
        let masked = shown.text();
        assert!(
            !masked.contains("Qzcanary") && !masked.contains("END"),
            "{masked}"
        );
        assert!(masked.starts_with("NAME=web\nSP_PEM=*") && masked.ends_with("*\nNEXT=1\n"));
        let errors = shown.errors(&env);
        assert_eq!(
            errors,
            "the value of `SP_PEM` goes on over the next lines without quotes: loaders read only its first line and fail on the others; put the whole value in double quotes"
        );
    }

    /// `GPG_KEY` names a public key's fingerprint, not a secret (the fingerprint itself is
    /// masked as bare hex is): unless it holds a private key, here an OpenPGP one on one
    /// line with `\n` escapes.
    #[test]
    fn a_private_key_is_masked_whatever_its_name() {
        let body = "QzcanaryHorseRiverTmsvqpaQzcanaryHorseRiverTmsvqpa";
        let text = format!(
            "GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D\nGPG_KEY=\"-----BEGIN PGP PRIVATE KEY BLOCK-----\\n\\n{body}\\n-----END PGP PRIVATE KEY BLOCK-----\"\n"
        );
        let (shown, _) = Shown::new(&text, EnvFile::parse);
        let masked = shown.text();
        assert!(!masked.contains("Qzcanary"), "{masked}");
    }

    #[test]
    fn a_key_cut_short_is_masked_without_its_end_line_or_with_a_statement_after_it() {
        let body = "QzcanaryHorseRiverTmsvqpaQzcanaryHorseRiverTmsvqpa";
        let text = format!("KEY=-----BEGIN PRIVATE KEY-----\n{body}\nDEBUG=true\n");
        let (shown, env) = Shown::new(&text, EnvFile::parse);
        assert_eq!(env.entries.len(), 2, "{:?}", env.entries);
        assert!(!shown.text().contains("Qzcanary"));
        assert!(shown.text().ends_with("*\nDEBUG=true\n"));
    }

    #[test]
    fn unreadable_lines_are_masked_after_their_key_and_errors_quote_only_the_key() {
        let text = format!(
            "API KEY={CANARY}\n9TOKEN={CANARY}\nGREETING='{CANARY}\nNAME=\"web\" {CANARY}\n{CANARY} \"{CANARY} ]{{\n"
        );
        let (shown, env) = Shown::new(&text, EnvFile::parse);
        assert_eq!(env.errors.len(), 5, "{:?}", env.errors);
        let masked = shown.text();
        assert!(!masked.contains("qzcanary"), "{masked}");
        assert!(masked.starts_with("API*") && masked.contains("\nGREETING=*"));
        let errors = shown.errors(&env);
        assert!(!errors.contains("qzcanary"), "{errors}");
        assert!(errors.contains("expected `=` after `API`"), "{errors}");
    }

    #[test]
    fn secrets_in_comments_are_masked() {
        let text = format!(
            "# DB_PASSWORD={CANARY}\nSMTP_PASS=qzcanaryhorse # ignore[ENV012] qzcanaryhorse is rotated\n# NOTE: keep\n"
        );
        let (shown, _) = Shown::new(&text, EnvFile::parse);
        shown.assert_masked(&["# DB_PASSWORD=*", " is rotated\n# NOTE: keep\n"]);
    }

    #[test]
    fn secrets_a_comment_repeats_are_masked_where_they_overlap() {
        // Each secret is found, also where it overlaps another's match in the comment and
        // where the same secret is written several times.
        let text = "A_PASSWORD=qzcanaryab12\nB_PASSWORD=b12qzcanaryxy\nC_PASSWORD=qzcanaryab12\n\
                    # old: qzcanaryab12qzcanaryxy and qzcanaryab12qzcanaryab12\n";
        let (shown, _) = Shown::new(text, EnvFile::parse);
        shown.assert_masked(&["# old: ", " and "]);
        let masked = shown.text();
        assert!(
            !masked.contains("ab12") && !masked.contains("xy and"),
            "{masked}"
        );
    }

    #[test]
    fn bare_lines_that_look_like_credentials_are_masked() {
        let token = "sk_live_51HxYz9Kq2Lm8Np4RtQzcanary";
        let (shown, _) = Shown::new(&format!("{token}\nLONELY\n"), EnvFile::parse);
        assert_eq!(
            shown.text(),
            format!("{}\nLONELY\n", "*".repeat(token.len()))
        );
    }
}
