//! Source text and positions: every document keeps the text it was parsed from, so a
//! finding can always be turned into an exact file/line/column and a (redacted) code frame.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::target::Target;

/// A half-open byte range into a [`SourceFile`]'s text.
///
/// Parsers hand out spans instead of line numbers so that positions are exact and cheap,
/// and lines/columns are computed only for the findings that are actually reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    /// First byte of the range.
    pub start: usize,
    /// One past the last byte of the range.
    pub end: usize,
}

impl Span {
    /// Builds a span from byte offsets.
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// The span as a range, for slicing the text it points into.
    pub const fn range(self) -> Range<usize> {
        self.start..self.end
    }

    /// The bytes in the span.
    pub const fn len(self) -> usize {
        self.end - self.start
    }

    /// Whether the span covers no bytes (an insertion point, e.g. "after this key").
    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// `spans` sorted by start, overlapping and touching ones merged, empty ones dropped: what
/// masking ([`crate::redact::mask`]) expects.
pub fn merged(spans: impl IntoIterator<Item = Span>) -> Vec<Span> {
    let mut spans: Vec<Span> = spans.into_iter().filter(|s| !s.is_empty()).collect();
    spans.sort_unstable();
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans {
        match out.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => out.push(span),
        }
    }
    out
}

/// A 1-based line and column; columns count Unicode scalar values, like editors do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineColumn {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// Byte offsets of line starts, so offset→line/column is a binary search, not a rescan.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// The characters before every [`CHARS_EVERY`]th byte (rounded down to a character
    /// boundary): a column is counted from the nearest of these, not from its line's start.
    /// Else every position on one long line rescans it, and a 1 MiB line of a million parse
    /// errors (`}}}…` to nginx) takes minutes to report. Empty for an ASCII text, whose
    /// characters are its bytes.
    chars_before: Vec<usize>,
}

/// How far apart [`LineIndex`] remembers character counts: a column costs at most this many
/// bytes of counting, twice.
const CHARS_EVERY: usize = 1024;

impl LineIndex {
    /// Indexes `text`; `\n` ends a line (a preceding `\r` stays part of the line).
    pub fn new(text: &str) -> Self {
        // Counted first, so the index is allocated once at its size.
        let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count();
        let mut starts = Vec::with_capacity(lines + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        let mut chars_before = Vec::new();
        if !text.is_ascii() {
            chars_before.reserve_exact(text.len() / CHARS_EVERY + 1);
            let (mut counted, mut chars) = (0, 0);
            for checkpoint in (0..=text.len()).step_by(CHARS_EVERY) {
                let at = floor_char_boundary(text, checkpoint);
                chars += text[counted..at].chars().count();
                counted = at;
                chars_before.push(chars);
            }
        }
        Self {
            starts,
            chars_before,
        }
    }

    /// The characters in `text[..offset]` (`offset` on a character boundary).
    fn chars_to(&self, text: &str, offset: usize) -> usize {
        if self.chars_before.is_empty() {
            return offset;
        }
        let checkpoint = offset / CHARS_EVERY;
        let at = floor_char_boundary(text, checkpoint * CHARS_EVERY);
        self.chars_before[checkpoint] + text[at..offset].chars().count()
    }

    /// The 0-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// Line and column of a byte offset within `text` (the text this index was built on).
    pub fn line_column(&self, text: &str, offset: usize) -> LineColumn {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.starts[line];
        LineColumn {
            line: line + 1,
            column: self.chars_to(text, offset) - self.chars_to(text, start) + 1,
        }
    }

    /// The byte range of 0-based line `line`, without its line terminator.
    pub fn line_span(&self, text: &str, line: usize) -> Span {
        let start = self.starts[line];
        let mut end = self
            .starts
            .get(line + 1)
            .map_or(text.len(), |next| next - 1);
        if end > start && text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        Span::new(start, end.max(start))
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// A file named without its text: what a fact-based check keeps of a document it may later
/// report in (see `rules::ScanFacts`). Keeping the file itself kept every text
/// until the end of the scan; the engine reads and parses again only the files that receive
/// a finding, and [`FileRef::digest`] tells it whether the file changed in between.
#[derive(Debug, Clone)]
pub struct FileRef(Arc<NamedFile>);

#[derive(Debug)]
struct NamedFile {
    path: PathBuf,
    display_path: String,
    target: Target,
    digest: u64,
}

impl FileRef {
    /// Names `source`, read as `target`.
    pub fn new(source: &SourceFile, target: Target) -> Self {
        Self(Arc::new(NamedFile {
            path: source.path.clone(),
            display_path: source.display_path.clone(),
            target,
            digest: digest(&source.text),
        }))
    }

    /// Where the file was read from.
    pub fn path(&self) -> &Path {
        &self.0.path
    }

    /// The path shown to users (see [`SourceFile::display_path`]).
    pub fn display_path(&self) -> &str {
        &self.0.display_path
    }

    /// The kind it was read as.
    pub fn target(&self) -> Target {
        self.0.target
    }

    /// Whether `text` is the text the file had when it was named.
    pub fn digest_matches(&self, text: &str) -> bool {
        digest(text) == self.0.digest
    }
}

/// Two names are the same when they name the same path (one scan reads a file once).
impl PartialEq for FileRef {
    fn eq(&self, other: &Self) -> bool {
        self.0.path == other.0.path
    }
}

impl Eq for FileRef {}

impl std::hash::Hash for FileRef {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.path.hash(state);
    }
}

/// A digest of a file's text, to tell whether it changed during the scan (not a defence
/// against anyone: whoever can change the file can change what it says anyway). No table is
/// keyed by it, so a fixed seed is enough; every file with facts is digested, and SipHash
/// over whole files was a third of a percent of a scan.
fn digest(text: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0).hash_one(text)
}

/// One file as read from disk (or from a remote host later), decoded once and shared by the
/// parser, the rules and the reporters.
#[derive(Debug)]
pub struct SourceFile {
    /// Where the file was read from.
    pub path: PathBuf,
    /// The path shown to users and written into reports: relative to the working directory
    /// when the file is below it, with `/` separators.
    pub display_path: String,
    /// The decoded text (lossily decoded when the bytes were not UTF-8).
    pub text: String,
    /// Byte offset of the first invalid UTF-8 sequence in the original bytes, if any.
    pub invalid_utf8_at: Option<usize>,
    /// Line starts of `text`.
    pub lines: LineIndex,
}

impl SourceFile {
    /// Decodes `bytes` (lossily if needed, remembering where the first bad byte was).
    pub fn from_bytes(path: PathBuf, display_path: String, bytes: Vec<u8>) -> Self {
        let (text, invalid_utf8_at) = match String::from_utf8(bytes) {
            Ok(text) => (text, None),
            Err(err) => {
                let at = err.utf8_error().valid_up_to();
                (
                    String::from_utf8_lossy(err.as_bytes()).into_owned(),
                    Some(at),
                )
            }
        };
        let text = text
            .strip_prefix('\u{feff}')
            .map(str::to_owned)
            .unwrap_or(text);
        let lines = LineIndex::new(&text);
        Self {
            path,
            display_path,
            text,
            invalid_utf8_at,
            lines,
        }
    }

    /// Text of a span (empty if the span is out of range, which only a buggy rule produces).
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    /// Start and end positions of a span.
    pub fn locate(&self, span: Span) -> (LineColumn, LineColumn) {
        (
            self.lines.line_column(&self.text, span.start),
            self.lines.line_column(&self.text, span.end),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "a=1\nÄÖ=x\n";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(
            index.line_column(text, x),
            LineColumn { line: 2, column: 4 }
        );
    }

    #[test]
    fn columns_on_long_lines_count_characters_across_checkpoints() {
        // Multibyte characters straddle the checkpoints (every 1024 bytes).
        let line = "aé€𝄞".repeat(300);
        let text = format!("x\n{line}\n{line}");
        let index = LineIndex::new(&text);
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let expected = text[start..offset].chars().count() + 1;
            assert_eq!(
                index.line_column(&text, offset).column,
                expected,
                "at {offset}"
            );
        }
    }

    /// An ASCII text keeps no character counts: its columns are byte counts, on long
    /// lines too, and a line that ends the text without a newline has its start.
    #[test]
    fn columns_of_an_ascii_text_are_its_bytes() {
        let text = format!("x\n{}\r\nlast", "ab\t".repeat(1000));
        let index = LineIndex::new(&text);
        assert!(index.chars_before.is_empty());
        for offset in 0..=text.len() {
            let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let at = index.line_column(&text, offset);
            assert_eq!(
                (at.line, at.column),
                (text[..start].matches('\n').count() + 1, offset - start + 1)
            );
        }
    }

    #[test]
    fn line_span_excludes_crlf() {
        let text = "a=1\r\nb=2";
        let index = LineIndex::new(text);
        assert_eq!(&text[index.line_span(text, 0).range()], "a=1");
        assert_eq!(&text[index.line_span(text, 1).range()], "b=2");
    }

    #[test]
    fn invalid_utf8_offset_is_remembered() {
        let file = SourceFile::from_bytes("x".into(), "x".into(), b"A=\xff\n".to_vec());
        assert_eq!(file.invalid_utf8_at, Some(2));
        assert!(file.text.starts_with("A="));
    }
}
