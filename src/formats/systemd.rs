//! A parser for systemd unit files (`*.service`, `*.timer`, `*.socket`, drop-ins from
//! `*.service.d/`), with systemd's own reading rules (systemd.syntax(7)):
//!
//! - `[Section]` headers; `Key=Value` assignments, blanks around `=` and at both ends of the
//!   value removed; a key may repeat, and for list settings an empty assignment (`Key=`)
//!   resets the list, for single-valued ones the last assignment wins.
//! - Lines starting with `#` or `;` are comments, also between continuation lines.
//! - A line ending in `\` continues on the next one; the backslash becomes a blank.
//! - Settings like `Environment=` hold several words, each quoted or not
//!   (`Environment="A=1 2" B=3`); [`UnitEntry::words`] splits them as systemd does.
//!
//! Every section, key, value and word carries the [`Span`] it was written at; a value spread
//! over continuation lines maps each of its bytes back to the file.

use std::path::Path;

use crate::formats::sensitive::{
    assignment_sensitive, command_sensitive, list_command_sensitive, quoted_verbatim,
    unreadable_lines, ListWord, Sensitive, Shown,
};
use crate::formats::ParseError;
use crate::formats::Target;
use crate::formats::{Classification, FileName, Format, ParseContext};
use crate::message::Quote;
use crate::msg;
use crate::source::SourceFile;
use crate::source::Span;
use std::sync::Arc;

/// What a unit file is, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    /// `*.service`: a process systemd runs.
    Service,
    /// `*.timer`: a schedule that starts a service.
    Timer,
    /// `*.socket`: a listening socket that starts a service.
    Socket,
    /// A `*.conf` drop-in from a `<unit>.d/` folder: a fragment that changes another unit,
    /// so settings it leaves out are not missing.
    DropIn,
    /// Any other unit type (`.mount`, `.path`, …).
    Other,
}

impl UnitKind {
    /// The kind `path` names, or `None` when it is not a unit file at all.
    pub fn from_path(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        let in_drop_in_dir = path
            .parent()
            .and_then(Path::file_name)
            .and_then(|d| d.to_str())
            .is_some_and(|d| {
                [".service.d", ".timer.d", ".socket.d"]
                    .iter()
                    .any(|s| d.to_ascii_lowercase().ends_with(s))
            });
        if in_drop_in_dir && name.ends_with(".conf") {
            return Some(Self::DropIn);
        }
        match name.rsplit_once('.').map(|(_, ext)| ext) {
            Some("service") => Some(Self::Service),
            Some("timer") => Some(Self::Timer),
            Some("socket") => Some(Self::Socket),
            _ => None,
        }
    }
}

/// One `Key=Value` assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitEntry {
    /// The key as written (systemd keys are case-sensitive).
    pub key: String,
    /// Where the key is written.
    pub key_span: Span,
    /// The value, continuation lines joined with a blank, as systemd reads it.
    pub value: String,
    /// From the first to the last byte of the value in the file (the key when it is empty).
    pub value_span: Span,
    /// `(offset in value, offset in file)` at the start of each physical piece of the value.
    pieces: Vec<(usize, usize)>,
}

/// One word of a value, split like systemd's `extract_first_word()` with unquoting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitWord {
    /// The word with quotes removed and `\` escapes applied.
    pub text: String,
    /// The word as written, quotes included.
    pub span: Span,
    /// The written word's byte range in [`UnitEntry::value`].
    value_range: (usize, usize),
}

impl UnitEntry {
    /// The file offset of byte `at` of [`Self::value`].
    ///
    /// The pieces are in value order: a binary search, as a value continued over a
    /// hundred thousand lines has as many pieces, and a word on each.
    pub fn file_offset(&self, at: usize) -> usize {
        let after = self.pieces.partition_point(|(start, _)| *start <= at);
        let piece = after
            .checked_sub(1)
            .map_or((0, self.value_span.start), |i| self.pieces[i]);
        piece.1 + (at - piece.0)
    }

    /// The span in the file of bytes `start..end` of [`Self::value`].
    pub fn file_span(&self, start: usize, end: usize) -> Span {
        let first = self.file_offset(start);
        let last = if end > start {
            self.file_offset(end - 1) + 1
        } else {
            first
        };
        Span::new(first, last.max(first))
    }

    /// Whether the value resets a list (`Key=` with nothing after it).
    pub fn is_reset(&self) -> bool {
        self.value.is_empty()
    }

    /// The value split into words: blanks separate words, `"…"` and `'…'` group (also in
    /// the middle of a word, `A="x y"`), `\` escapes the next character.
    pub fn words(&self) -> Vec<UnitWord> {
        split_words(&self.value)
            .into_iter()
            .map(|(text, start, end)| UnitWord {
                text,
                span: self.file_span(start, end),
                value_range: (start, end),
            })
            .collect()
    }
}

/// Splits `value` into unquoted words with their byte ranges in `value`.
pub fn split_words(value: &str) -> Vec<(String, usize, usize)> {
    let mut words = Vec::new();
    let mut chars = value.char_indices().peekable();
    loop {
        while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
        let Some(&(start, _)) = chars.peek() else {
            break;
        };
        let mut text = String::new();
        let mut quote: Option<char> = None;
        let mut end = start;
        while let Some((i, c)) = chars.next() {
            end = i + c.len_utf8();
            match (quote, c) {
                (None, c) if c.is_whitespace() => {
                    end = i;
                    break;
                }
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (_, '\\') => {
                    if let Some((j, next)) = chars.next() {
                        end = j + next.len_utf8();
                        text.push(match next {
                            'n' => '\n',
                            't' => '\t',
                            other => other,
                        });
                    }
                }
                (_, c) => text.push(c),
            }
        }
        words.push((text, start, end));
    }
    words
}

/// One `[Section]` and the assignments under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitSection {
    /// The section name without brackets (`Service`).
    pub name: String,
    /// The header as written, brackets included: where "this section lacks X" is reported.
    pub header_span: Span,
    /// The assignments, in file order.
    pub entries: Vec<UnitEntry>,
}

/// A parsed unit file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitFile {
    /// What the file name says the unit is.
    pub kind: UnitKind,
    /// The sections, in file order (a name may appear twice; systemd merges them).
    pub sections: Vec<UnitSection>,
    /// Every comment line.
    pub comments: Vec<Span>,
    /// What could not be read.
    pub errors: Vec<ParseError>,
}

/// A physical line: its span without the terminator.
fn physical_lines(text: &str) -> impl Iterator<Item = Span> + '_ {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let mut content_end = end;
        if content_end > start && text.as_bytes()[content_end - 1] == b'\r' {
            content_end -= 1;
        }
        let line = Span::new(start, content_end);
        start = end + 1;
        Some(line)
    })
}

/// `span` without leading and trailing blanks.
fn trim(text: &str, span: Span) -> Span {
    let s = &text[span.range()];
    let start = span.start + (s.len() - s.trim_start().len());
    let end = span.start + s.trim_end().len();
    Span::new(start, end.max(start))
}

impl UnitFile {
    /// Parses `text` as a unit of `kind`. Never fails: unreadable lines become errors.
    pub fn parse(text: &str, kind: UnitKind) -> Self {
        let mut file = Self {
            kind,
            sections: Vec::new(),
            comments: Vec::new(),
            errors: Vec::new(),
        };
        let mut lines = physical_lines(text);
        while let Some(raw) = lines.next() {
            let line = trim(text, raw);
            let written = &text[line.range()];
            if written.is_empty() {
                continue;
            }
            if written.starts_with(['#', ';']) {
                file.comments.push(line);
                continue;
            }
            if written.starts_with('[') {
                match written.strip_suffix(']') {
                    Some(inner) if !inner.is_empty() && !inner[1..].contains([']', '[']) => {
                        file.sections.push(UnitSection {
                            name: inner[1..].to_owned(),
                            header_span: line,
                            entries: Vec::new(),
                        })
                    }
                    _ => file.errors.push(ParseError {
                        span: line,
                        message: "a section header is `[Name]` alone on its line".into(),
                    }),
                }
                continue;
            }
            let Some(eq) = written.find('=') else {
                file.errors.push(ParseError {
                    span: line,
                    message: "not a `Key=Value` assignment, section header or comment".into(),
                });
                continue;
            };
            let key_span = trim(text, Span::new(line.start, line.start + eq));
            let entry = read_value(text, &mut lines, key_span, line.start + eq + 1, line.end);
            match file.sections.last_mut() {
                Some(section) if !entry.key.is_empty() => section.entries.push(entry),
                Some(_) => file.errors.push(ParseError {
                    span: line,
                    message: "an assignment needs a key before `=`".into(),
                }),
                None => file.errors.push(ParseError {
                    span: line,
                    message: msg!(
                        "`{}=` comes before any section header; systemd ignores it",
                        Quote::at(entry.key_span)
                    ),
                }),
            }
        }
        file
    }

    /// Every section called `name` (systemd merges repeated sections).
    pub fn sections_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a UnitSection> {
        self.sections.iter().filter(move |s| s.name == name)
    }

    /// The first `[name]` header, where findings about the section are reported.
    pub fn section(&self, name: &str) -> Option<&UnitSection> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// Every assignment of `key` in the `[section]` sections, in file order.
    pub fn assignments(&self, section: &str, key: &str) -> Vec<&UnitEntry> {
        self.sections
            .iter()
            .filter(|s| s.name == section)
            .flat_map(|s| s.entries.iter())
            .filter(|e| e.key == key)
            .collect()
    }

    /// The value in effect for a single-valued setting: the last assignment.
    pub fn last(&self, section: &str, key: &str) -> Option<&UnitEntry> {
        self.assignments(section, key).pop()
    }

    /// The assignments in effect for a list setting: those after the last reset.
    pub fn list(&self, section: &str, key: &str) -> Vec<&UnitEntry> {
        let all = self.assignments(section, key);
        let from = all.iter().rposition(|e| e.is_reset()).map_or(0, |i| i + 1);
        all[from..].to_vec()
    }

    /// Where the service's application lives, for a live audit to look there without being
    /// told: `WorkingDirectory=` and the `EnvironmentFile=` paths in effect (absolute paths
    /// only: `~`, specifiers such as `%h` and relative paths are left out; the `-` that
    /// makes a file optional is dropped).
    pub fn application_paths(&self) -> (Option<String>, Vec<String>) {
        let absolute = |value: &str| {
            let value = value.trim().trim_start_matches('-');
            (value.starts_with('/') && !value.contains('%')).then(|| value.to_owned())
        };
        let working = self
            .last("Service", "WorkingDirectory")
            .and_then(|e| absolute(&e.value));
        let files = self
            .list("Service", "EnvironmentFile")
            .iter()
            .filter_map(|e| absolute(&e.value))
            .collect();
        (working, files)
    }

    /// The `Environment=` assignments of `[Service]` in effect, split into variables.
    pub fn environment(&self) -> Vec<EnvironmentVariable> {
        let mut vars = Vec::new();
        for entry in self.list("Service", "Environment") {
            for word in entry.words() {
                let Some((name, value)) = word.text.split_once('=') else {
                    continue;
                };
                let (name_span, value_span) = written_spans(&word, entry);
                vars.push(EnvironmentVariable {
                    name: name.to_owned(),
                    name_span,
                    value: value.to_owned(),
                    word: word.span,
                    value_span,
                });
            }
        }
        vars
    }
}

/// Where the parts of an `Environment=` word before and after `=` are written, without the
/// quotes that enclose them (`"A=x y"`, `A="x y"`).
fn written_spans(word: &UnitWord, entry: &UnitEntry) -> (Span, Span) {
    let (start, end) = word.value_range;
    let written = &entry.value[start..end];
    let Some(eq) = written.find('=') else {
        return (word.span, word.span);
    };
    let name_from = start + usize::from(written.starts_with(['"', '\'']));
    let name = entry.file_span(name_from, start + eq);
    let mut from = start + eq + 1;
    let mut to = end;
    if entry.value[from..to].starts_with(['"', '\'']) {
        from += 1;
    }
    if to > from && entry.value[from..to].ends_with(['"', '\'']) {
        to -= 1;
    }
    (name, entry.file_span(from, to.max(from)))
}

/// One variable set by `Environment=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironmentVariable {
    /// Its name.
    pub name: String,
    /// Where the name is written (inside a quote that opens the word).
    pub name_span: Span,
    /// Its value, unquoted.
    pub value: String,
    /// The whole `NAME=value` word as written.
    pub word: Span,
    /// Where the value is written (to mask it).
    pub value_span: Span,
}

/// Reads a value that starts at `start` on the line ending at `end`, following `\`
/// continuations (comment lines between them are skipped, as systemd does).
fn read_value(
    text: &str,
    lines: &mut impl Iterator<Item = Span>,
    key_span: Span,
    start: usize,
    end: usize,
) -> UnitEntry {
    let mut value = String::new();
    let mut pieces = Vec::new();
    let mut piece = trim(text, Span::new(start.min(end), end));
    let mut first = None;
    let mut last = key_span.end;
    loop {
        let written = &text[piece.range()];
        let (content, continues) = match written.strip_suffix('\\') {
            Some(before) => (before, true),
            None => (written, false),
        };
        let content_span = Span::new(piece.start, piece.start + content.len());
        if !content.is_empty() {
            if !value.is_empty() && !value.ends_with(' ') {
                value.push(' ');
            }
            pieces.push((value.len(), content_span.start));
            value.push_str(content);
            first.get_or_insert(content_span.start);
            last = content_span.end;
        } else if continues && !value.is_empty() && !value.ends_with(' ') {
            value.push(' ');
        }
        if !continues {
            break;
        }
        // Comment lines inside a continuation are skipped.
        let next = loop {
            match lines.next() {
                Some(line) => {
                    let trimmed = trim(text, line);
                    if text[trimmed.range()].starts_with(['#', ';']) {
                        continue;
                    }
                    break Some(trimmed);
                }
                None => break None,
            }
        };
        match next {
            Some(next) => piece = next,
            None => break,
        }
    }
    let value = value.trim_end().to_owned();
    let value_span = match first {
        Some(first) => Span::new(first, last),
        None => key_span,
    };
    UnitEntry {
        key: text[key_span.range()].to_owned(),
        key_span,
        value,
        value_span,
        pieces,
    }
}

/// systemd's boolean parser: `1`, `yes`, `y`, `true`, `t`, `on` (any case) are true;
/// `0`, `no`, `n`, `false`, `f`, `off` are false; anything else is not a boolean.
pub fn parse_boolean(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "yes" | "y" | "true" | "t" | "on" => Some(true),
        "0" | "no" | "n" | "false" | "f" | "off" => Some(false),
        _ => None,
    }
}

impl Format for UnitFile {
    /// `*.service`, `*.timer`, `*.socket` and drop-ins (see [`UnitKind::from_path`]).
    fn classify(name: &FileName) -> Option<Classification> {
        UnitKind::from_path(name.path).and(Classification::certain(Target::Systemd))
    }

    fn parse(source: &Arc<SourceFile>, _: &ParseContext) -> Self {
        Self::parse(
            &source.text,
            UnitKind::from_path(&source.path).unwrap_or(UnitKind::Other),
        )
    }

    fn errors(&self) -> &[ParseError] {
        &self.errors
    }

    fn sensitive(&self, source: &SourceFile) -> Vec<Sensitive> {
        systemd_sensitive(self, &source.text, &Shown::everything())
    }

    fn sensitive_in(&self, source: &SourceFile, shown: &Shown) -> Vec<Sensitive> {
        systemd_sensitive(self, &source.text, shown)
    }
}

/// In unit files: `Environment=` values and secrets on `Exec*=` command lines, those of
/// command lines only where they touch `shown` (what is found of one lies in its value).
fn systemd_sensitive(unit: &UnitFile, text: &str, shown: &Shown) -> Vec<Sensitive> {
    let mut found: Vec<Sensitive> = unit
        .environment()
        .into_iter()
        .filter_map(|var| assignment_sensitive(&var.name, &var.value, var.value_span))
        .collect();
    for section in &unit.sections {
        let commands = section
            .entries
            .iter()
            .filter(|e| e.key.starts_with("Exec") && shown.touches(e.value_span));
        for entry in commands {
            found.extend(command_sensitive(&entry.value, &|start, end| {
                entry.file_span(start, end)
            }));
            // systemd splits the line itself, unescaping `\'` and `\"` inside quotes (which
            // a shell does not): the words it passes read as the command they make.
            let words: Vec<ListWord> = entry
                .words()
                .into_iter()
                .map(|word| {
                    let (start, end) = word.value_range;
                    let written = &entry.value[start..end];
                    let contiguous = word.span.len() == end - start;
                    // Quoted only when the same quote closes it: an unclosed `'\é` is
                    // as long as its text plus two but ends inside a character.
                    let quoted = quoted_verbatim(written, &word.text);
                    let verbatim = match () {
                        () if !contiguous => None,
                        () if written == word.text => Some(word.span.start),
                        () if quoted => Some(word.span.start + 1),
                        () => None,
                    };
                    ListWord::written(&word.text, word.span, verbatim)
                })
                .collect();
            found.extend(list_command_sensitive(&words));
        }
    }
    unreadable_lines(&unit.errors, text, &mut found);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> UnitFile {
        UnitFile::parse(text, UnitKind::Service)
    }

    #[test]
    fn sections_keys_and_values_keep_their_positions() {
        let text = "[Unit]\nDescription = My app \n\n[Service]\nUser=app\n";
        let unit = parse(text);
        assert!(unit.errors.is_empty());
        let service = unit.section("Service").unwrap();
        assert_eq!(&text[service.header_span.range()], "[Service]");
        let description = unit.last("Unit", "Description").unwrap();
        assert_eq!(description.value, "My app");
        assert_eq!(&text[description.value_span.range()], "My app");
        assert_eq!(&text[description.key_span.range()], "Description");
    }

    #[test]
    fn continuation_lines_join_with_a_blank_and_skip_comments() {
        let text =
            "[Service]\nExecStart=/usr/bin/pg_dump \\\n# a comment\n    --file=/x \\\n  db\n";
        let unit = parse(text);
        let exec = unit.last("Service", "ExecStart").unwrap();
        assert_eq!(exec.value, "/usr/bin/pg_dump --file=/x db");
        let words = exec.words();
        assert_eq!(&text[words[1].span.range()], "--file=/x");
        assert_eq!(&text[words[2].span.range()], "db");
    }

    #[test]
    fn exec_lines_mask_their_secrets_where_written() {
        let text = "[Service]\nExecStartPre=-/usr/bin/mysql -pqzcanary-one -e 'select 1'\nExecStart=/usr/bin/curl \\\n  -u ops:qzcanary-two https://x.example/\nExecStop=/bin/sh -c \"redis-cli -a qzcanary-three SHUTDOWN\"\n";
        let unit = parse(text);
        let mut spans: Vec<Span> = systemd_sensitive(&unit, text, &Shown::everything())
            .iter()
            .map(|s| s.span)
            .collect();
        spans.sort_unstable();
        spans.dedup();
        let masked: Vec<&str> = spans.iter().map(|s| &text[s.range()]).collect();
        assert_eq!(masked, ["qzcanary-one", "qzcanary-two", "qzcanary-three"]);
        // A report showing the continued line only: its command line's secret, not the others'.
        let source = SourceFile::from_bytes("u.service".into(), "u.service".into(), text.into());
        let at = text.find("  -u ops").unwrap();
        let shown = Shown::lines_of(&source, [Span::new(at, at + 1)]);
        let mut masked: Vec<&str> = Format::sensitive_in(&unit, &source, &shown)
            .iter()
            .map(|s| &text[s.span.range()])
            .collect();
        masked.dedup();
        assert_eq!(masked, ["qzcanary-two"]);
    }

    #[test]
    fn an_unclosed_quote_ending_in_an_escaped_multibyte_character_is_no_quoted_word() {
        // `'\é` is as long as its text `é` plus two, but is no quoted word: its last byte
        // is inside the `é` (the fuzzer's systemd crash).
        let text = "[Service]\nExecStart=/usr/bin/mysql -pqzcanary-four '\\é\n";
        let unit = parse(text);
        let masked: Vec<&str> = systemd_sensitive(&unit, text, &Shown::everything())
            .iter()
            .map(|s| &text[s.span.range()])
            .collect();
        assert!(masked.contains(&"qzcanary-four"), "{masked:?}");
    }

    #[test]
    fn environment_splits_quoted_assignments_and_resets() {
        let text =
            "[Service]\nEnvironment=OLD=1\nEnvironment=\nEnvironment=\"A=x y\" B=2 C=\"q r\"\n";
        let unit = parse(text);
        let vars = unit.environment();
        let names: Vec<&str> = vars.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["A", "B", "C"]);
        assert_eq!(vars[0].value, "x y");
        assert_eq!(&text[vars[0].value_span.range()], "x y");
        assert_eq!(&text[vars[0].name_span.range()], "A");
        assert_eq!(&text[vars[2].name_span.range()], "C");
        assert_eq!(&text[vars[1].value_span.range()], "2");
        assert_eq!(vars[2].value, "q r");
        assert_eq!(&text[vars[2].value_span.range()], "q r");
    }

    #[test]
    fn broken_lines_are_errors_not_panics() {
        let unit =
            parse("Key=before any section\n[Service\nnot an assignment\n[Service]\n=x\n\\\n");
        assert_eq!(unit.errors.len(), 5, "{:?}", unit.errors);
        let _ = parse("[Service]\nA=\\");
        let _ = parse("[]\n[é]\nÜ=ü\\\n");
    }

    #[test]
    fn unit_kinds_come_from_the_name() {
        assert_eq!(
            UnitKind::from_path(Path::new("deploy/app.service")),
            Some(UnitKind::Service)
        );
        assert_eq!(
            UnitKind::from_path(Path::new("backup.timer")),
            Some(UnitKind::Timer)
        );
        assert_eq!(
            UnitKind::from_path(Path::new("app.service.d/override.conf")),
            Some(UnitKind::DropIn)
        );
        assert_eq!(UnitKind::from_path(Path::new("site.conf")), None);
    }
}
