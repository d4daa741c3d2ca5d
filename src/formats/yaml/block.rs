//! A reader for the plain block style nearly every Kubernetes manifest and Compose file is
//! written in: `key: value` mappings and `- item` sequences by indentation, one-line plain
//! and quoted scalars, one-line flow sequences (`["ALL"]`), `{}`, literal block scalars
//! (`|`, `|-`) and comments, in ASCII.
//!
//! `saphyr-parser` reads a character at a time through a look-ahead buffer and grows every
//! scalar's buffer ahead of it: a fifth of a scan's instructions on a tree of manifests.
//! This reader takes a line at a time and builds the same tree, spans included, or declines
//! the file (`None`) at the first thing outside its subset — anchors, tags, flow mappings,
//! multi-line scalars, escapes, tabs, anything unusual — and the full parser reads it. What
//! it accepts, it must read exactly as the full parser does: tests compare the two on every
//! YAML file of the fixtures and corpora and on generated files.

use std::sync::Arc;

use compact_str::CompactString;

use super::{line_start, YamlFile, YamlNode, YamlValue, MAX_DEPTH};
use crate::source::Span;

/// The tree of `text` when all of it is in the subset; `None` otherwise.
pub(super) fn read(text: &str) -> Option<YamlFile> {
    if !printable_ascii_lines(text.as_bytes()) {
        return None;
    }
    let mut reader = Reader {
        text,
        at: 0,
        stack: Vec::new(),
        entries: Vec::new(),
        items: Vec::new(),
        documents: Vec::new(),
        root: None,
        explicit: false,
    };
    while let Some(line) = reader.next_line() {
        reader.line(line)?;
    }
    reader.end_document(text.len())?;
    if reader.documents.is_empty() {
        return None;
    }
    Some(YamlFile {
        documents: reader.documents,
        errors: Vec::new(),
        unread: Vec::new(),
    })
}

/// Whether `bytes` are printable ASCII and line feeds only. Looked at 64 bytes at a time
/// without stopping inside them, which the compiler turns into vector instructions: a byte
/// at a time with an exit after each was 0.8% of a scan's instructions.
fn printable_ascii_lines(bytes: &[u8]) -> bool {
    fn other(b: u8) -> u8 {
        u8::from(b != b'\n') & u8::from(!(b' '..=b'~').contains(&b))
    }
    bytes
        .chunks(64)
        .all(|chunk| chunk.iter().fold(0, |any, &b| any | other(b)) == 0)
}

/// A line holding something other than spaces and a comment.
#[derive(Clone, Copy)]
struct Line<'a> {
    /// Where the line starts.
    start: usize,
    /// Its leading spaces.
    indent: usize,
    /// The line after its leading spaces, without its line break.
    content: &'a str,
}

impl Line<'_> {
    /// Where its content starts.
    fn at(&self) -> usize {
        self.start + self.indent
    }
}

/// A block collection not yet closed. Its entries or items so far are the tail of the
/// reader's [`Reader::entries`] or [`Reader::items`] from the index it holds: only the
/// innermost collection takes any, so one list of each serves them all, and a closed
/// collection's are moved out into one allocation of their size.
enum Open {
    Mapping {
        indent: usize,
        start: usize,
        /// Where its entries start in [`Reader::entries`].
        entries: usize,
        /// A key whose value is still to come, with where its `:` is.
        key: Option<(YamlNode, usize)>,
    },
    Sequence {
        indent: usize,
        /// Written at its mapping's indentation (`key:\n- item`).
        indentless: bool,
        start: usize,
        /// Where its items start in [`Reader::items`].
        items: usize,
    },
}

struct Reader<'a> {
    text: &'a str,
    /// Where the next line starts.
    at: usize,
    stack: Vec<Open>,
    /// The entries of the open mappings, outermost first.
    entries: Vec<(YamlNode, YamlNode)>,
    /// The items of the open sequences, outermost first.
    items: Vec<YamlNode>,
    documents: Vec<YamlNode>,
    /// The current document's node, once read.
    root: Option<YamlNode>,
    /// The current document was started with `---`.
    explicit: bool,
}

impl<'a> Reader<'a> {
    /// The next line with content, skipping blank and comment lines.
    fn next_line(&mut self) -> Option<Line<'a>> {
        while self.at < self.text.len() {
            let start = self.at;
            let end = memchr::memchr(b'\n', &self.text.as_bytes()[start..])
                .map_or(self.text.len(), |i| start + i);
            self.at = (end + 1).min(self.text.len());
            let line = &self.text[start..end];
            let content = line.trim_start_matches(' ');
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            return Some(Line {
                start,
                indent: line.len() - content.len(),
                content,
            });
        }
        None
    }

    fn line(&mut self, line: Line<'a>) -> Option<()> {
        if line.indent == 0 && (line.content.starts_with("---") || line.content.starts_with("..."))
        {
            let rest = &line.content[3..];
            if !rest.is_empty() && !rest.starts_with(' ') {
                // `---x` is a plain scalar; not in the subset.
                return None;
            }
            if line.content.starts_with("...") || !is_comment_or_blank(rest) {
                return None;
            }
            self.end_document(line.start)?;
            self.explicit = true;
            return Some(());
        }
        if line.content.starts_with('%') && line.indent == 0 {
            return None;
        }
        let dash = is_dash(line.content);
        // Close what this line is left of, and an indentless sequence it does not continue.
        while let Some(open) = self.stack.last() {
            let closes = match open {
                Open::Mapping { indent, .. } => *indent > line.indent,
                Open::Sequence {
                    indent, indentless, ..
                } => *indent > line.indent || (*indentless && *indent == line.indent && !dash),
            };
            if !closes {
                break;
            }
            self.close(line.at())?;
        }
        match self.stack.last_mut() {
            None if line.indent == 0 => self.open_at(line, dash),
            None => None,
            Some(Open::Mapping {
                indent,
                key: waiting,
                ..
            }) => {
                let indent = *indent;
                if line.indent > indent {
                    // The value of a key written alone on its line.
                    waiting.as_ref()?;
                    self.open_at(line, dash)
                } else if dash {
                    // `key:` followed by `- item` at the key's own indentation.
                    waiting.as_ref()?;
                    let first = line.at() + item_offset(line.content)?;
                    self.open(Open::Sequence {
                        indent,
                        indentless: true,
                        start: first,
                        items: self.items.len(),
                    })?;
                    self.item(line)
                } else {
                    self.empty_value();
                    self.entry(key(line.at(), line.content)?, line.at(), line.content)
                }
            }
            Some(Open::Sequence { indent, .. }) => {
                if !dash || line.indent != *indent {
                    return None;
                }
                self.item(line)
            }
        }
    }

    /// Opens the collection `line` starts — a sequence if it is a `- item` line, a mapping
    /// otherwise — and reads the line into it.
    fn open_at(&mut self, line: Line<'a>, dash: bool) -> Option<()> {
        if dash {
            self.open(Open::Sequence {
                indent: line.indent,
                indentless: false,
                start: line.at(),
                items: self.items.len(),
            })?;
            self.item(line)
        } else {
            self.open(Open::Mapping {
                indent: line.indent,
                start: line.at(),
                entries: self.entries.len(),
                key: None,
            })?;
            self.entry(key(line.at(), line.content)?, line.at(), line.content)
        }
    }

    /// A `- item` line of the innermost sequence.
    fn item(&mut self, line: Line<'a>) -> Option<()> {
        let offset = item_offset(line.content)?;
        let at = line.at() + offset;
        let content = &line.content[offset..];
        if is_dash(content) {
            return None;
        }
        if let Some(key) = key(at, content) {
            self.open(Open::Mapping {
                indent: line.indent + offset,
                start: at,
                entries: self.entries.len(),
                key: None,
            })?;
            return self.entry(key, at, content);
        }
        let node = self.value(at, content, line.indent)?;
        self.push(node)
    }

    /// A `key: value` line (or the part of a `- key: value` line after its dash), written
    /// at `at` and starting with `key` ([`key`]), of the innermost mapping, which has no
    /// key waiting for its value.
    fn entry(
        &mut self,
        (key, colon): (YamlNode, usize),
        at: usize,
        content: &'a str,
    ) -> Option<()> {
        let Some(Open::Mapping { indent, .. }) = self.stack.last() else {
            return None;
        };
        let indent = *indent;
        let rest = &content[colon - at + 1..];
        let value = rest.trim_start_matches(' ');
        let value_at = colon + 1 + (rest.len() - value.len());
        if is_comment_or_blank(value) {
            if let Some(Open::Mapping { key: waiting, .. }) = self.stack.last_mut() {
                *waiting = Some((key, colon));
            }
            return Some(());
        }
        let node = self.value(value_at, value, indent)?;
        if let Some(Open::Mapping { .. }) = self.stack.last() {
            self.entries.push((key, node));
        }
        Some(())
    }

    /// The value written at `at` (`content`, to the end of its line) in a collection whose
    /// entries are indented `indent` spaces.
    fn value(&mut self, at: usize, content: &'a str, indent: usize) -> Option<YamlNode> {
        let first = content.as_bytes()[0];
        let (node, len) = match first {
            b'"' | b'\'' => {
                let (value, len) = quoted(content)?;
                (scalar(at, at + len, value), len)
            }
            b'[' => self.flow_sequence(at, content)?,
            b'{' if content.starts_with("{}") => {
                self.depth_allows()?;
                (
                    YamlNode {
                        span: Span::new(at, at + 2),
                        value: YamlValue::Mapping(Vec::new().into()),
                    },
                    2,
                )
            }
            b'|' => return self.literal(content, indent),
            // `-1`, `--flag`: a dash that starts no item.
            b'-' if content
                .as_bytes()
                .get(1)
                .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'-') =>
            {
                plain(at, content)?
            }
            _ if is_indicator(first) => return None,
            _ => plain(at, content)?,
        };
        let rest = &content[len..];
        // The full parser ends a flow collection followed by blanks or a comment
        // sometimes after them (where a block ends after it), sometimes not.
        if !ends_line(rest) || (!rest.is_empty() && matches!(first, b'[' | b'{')) {
            return None;
        }
        Some(node)
    }

    /// A one-line flow sequence of scalars (`["ALL"]`, `[a, b]`, `[]`).
    fn flow_sequence(&self, at: usize, content: &str) -> Option<(YamlNode, usize)> {
        self.depth_allows()?;
        let bytes = content.as_bytes();
        let mut items = Vec::new();
        let mut i = 1;
        let skip_spaces = |mut i: usize| {
            while bytes.get(i) == Some(&b' ') {
                i += 1;
            }
            i
        };
        i = skip_spaces(i);
        if bytes.get(i) == Some(&b']') {
            return Some((sequence(at, at + i + 1, Arc::new([])), i + 1));
        }
        loop {
            let item = &content[i..];
            let (node, len) = match *item.as_bytes().first()? {
                b'"' | b'\'' => {
                    let (value, len) = quoted(item)?;
                    (scalar(at + i, at + i + len, value), len)
                }
                first if is_indicator(first) => return None,
                _ => {
                    let len = item.find([',', ']'])?;
                    let written = item[..len].trim_end_matches(' ');
                    // `-` before `,` or `]` is an error to the full parser after a blank.
                    if written.ends_with('-')
                        || written
                            .bytes()
                            .any(|b| matches!(b, b'[' | b'{' | b'}' | b'#' | b':'))
                    {
                        return None;
                    }
                    let end = at + i + written.len();
                    (
                        scalar(at + i, end, CompactString::new(written)),
                        written.len(),
                    )
                }
            };
            items.push(node);
            i = skip_spaces(i + len);
            match bytes.get(i) {
                Some(b',') => {
                    i = skip_spaces(i + 1);
                    if matches!(bytes.get(i), Some(b']' | b',') | None) {
                        return None;
                    }
                }
                Some(b']') => return Some((sequence(at, at + i + 1, items.into()), i + 1)),
                _ => return None,
            }
        }
    }

    /// A literal block scalar (`|` or `|-`) whose header is `content`, in a collection
    /// indented `indent` spaces; reads its lines.
    fn literal(&mut self, content: &str, indent: usize) -> Option<YamlNode> {
        let strip = match content.as_bytes().get(1) {
            Some(b'-') => true,
            None | Some(b' ') => false,
            _ => return None,
        };
        if !ends_line(&content[1 + usize::from(strip)..]) {
            return None;
        }
        let bytes = self.text.as_bytes();
        let mut value = String::new();
        let mut lines_at = self.at;
        let mut width = None;
        let mut start = None;
        // Line breaks after the last line read, kept only if more lines follow.
        let mut breaks = 0;
        let end = loop {
            if lines_at >= bytes.len() {
                break bytes.len();
            }
            let line_end =
                memchr::memchr(b'\n', &bytes[lines_at..]).map_or(bytes.len(), |i| lines_at + i);
            let line = &self.text[lines_at..line_end];
            if line.is_empty() {
                // Empty lines before the first are not in the subset.
                start?;
                breaks += 1;
                lines_at = line_end + 1;
                continue;
            }
            let spaces = line.len() - line.trim_start_matches(' ').len();
            if spaces == line.len() {
                return None;
            }
            let width = *width.get_or_insert(spaces);
            if width <= indent {
                return None;
            }
            if spaces < width {
                break lines_at + spaces;
            }
            if start.is_none() {
                start = Some(lines_at + width);
            } else {
                value.extend(std::iter::repeat_n('\n', breaks + 1));
            }
            breaks = 0;
            value.push_str(&line[width..]);
            lines_at = line_end + 1;
        };
        let start = start?;
        let last_line = line_start(self.text, self.text.len());
        if end > last_line && last_line < self.text.len() {
            // Read to, or ended at, a last line without a line break: the two parsers end
            // the scalar differently there.
            return None;
        }
        if !strip {
            value.push('\n');
        }
        // The lines read are not read again; the line the scalar ends at is.
        self.at = line_start(self.text, end);
        Some(scalar(start, end, value.into()))
    }

    /// Opens a collection, if it is not nested deeper than the full parser reads.
    fn open(&mut self, open: Open) -> Option<()> {
        self.depth_allows()?;
        self.stack.push(open);
        Some(())
    }

    fn depth_allows(&self) -> Option<()> {
        (self.stack.len() < MAX_DEPTH).then_some(())
    }

    /// Gives the key of the innermost mapping that waits for a value the empty value the
    /// full parser gives it: an empty scalar at its `:`.
    fn empty_value(&mut self) {
        if let Some(Open::Mapping { key, .. }) = self.stack.last_mut() {
            if let Some((key, colon)) = key.take() {
                self.entries
                    .push((key, scalar(colon, colon, CompactString::default())));
            }
        }
    }

    /// Closes the innermost collection; the next token is at `end`.
    fn close(&mut self, end: usize) -> Option<()> {
        self.empty_value();
        let node = match self.stack.pop()? {
            Open::Mapping { start, entries, .. } => YamlNode {
                span: Span::new(start, end),
                value: YamlValue::Mapping(self.entries.drain(entries..).collect()),
            },
            Open::Sequence { start, items, .. } => {
                sequence(start, end, self.items.drain(items..).collect())
            }
        };
        self.push(node)
    }

    /// Hands a finished node to the collection it belongs to, or makes it the document's.
    fn push(&mut self, node: YamlNode) -> Option<()> {
        match self.stack.last_mut() {
            None => {
                self.root = Some(node);
            }
            Some(Open::Sequence { .. }) => self.items.push(node),
            Some(Open::Mapping { key, .. }) => self.entries.push((key.take()?.0, node)),
        }
        Some(())
    }

    /// Ends the current document at `end`; an empty document is not in the subset.
    fn end_document(&mut self, end: usize) -> Option<()> {
        while !self.stack.is_empty() {
            self.close(end)?;
        }
        match self.root.take() {
            Some(root) => self.documents.push(root),
            None if self.explicit => return None,
            None => {}
        }
        self.explicit = false;
        Some(())
    }
}

fn scalar(start: usize, end: usize, value: CompactString) -> YamlNode {
    YamlNode {
        span: Span::new(start, end),
        value: YamlValue::Scalar(value),
    }
}

fn sequence(start: usize, end: usize, items: Arc<[YamlNode]>) -> YamlNode {
    YamlNode {
        span: Span::new(start, end),
        value: YamlValue::Sequence(items),
    }
}

/// A one-line plain scalar at the start of `content`, to a comment or the end of the line.
fn plain(at: usize, content: &str) -> Option<(YamlNode, usize)> {
    // One pass: the scalar ends at ` #`; a `:` before that followed by a blank or the end
    // of the line is not in the subset.
    let bytes = content.as_bytes();
    let mut len = bytes.len();
    for i in memchr::memchr2_iter(b'#', b':', bytes) {
        if bytes[i] == b'#' {
            if i > 0 && bytes[i - 1] == b' ' {
                len = i - 1;
                break;
            }
        } else if matches!(bytes.get(i + 1), None | Some(b' ')) {
            return None;
        }
    }
    let written = content[..len].trim_end_matches(' ');
    Some((
        scalar(at, at + written.len(), CompactString::new(written)),
        written.len(),
    ))
}

/// A quoted scalar at the start of `content`, closed on the same line: its value and how
/// many bytes it is written in. Escapes (`\`) are not in the subset; `''` is.
fn quoted(content: &str) -> Option<(CompactString, usize)> {
    let bytes = content.as_bytes();
    let quote = bytes[0];
    let mut value = CompactString::default();
    let mut from = 1;
    let mut i = 1;
    loop {
        match *bytes.get(i)? {
            b'\\' if quote == b'"' => return None,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => {
                value.push_str(&content[from..=i]);
                i += 2;
                from = i;
            }
            b if b == quote => {
                value.push_str(&content[from..i]);
                return Some((value, i + 1));
            }
            _ => i += 1,
        }
    }
}

/// The key a `key: …` or `key:` line written at `at` starts with, and where its `:` is;
/// `None` when the line starts with no key of the subset.
fn key(at: usize, content: &str) -> Option<(YamlNode, usize)> {
    let bytes = content.as_bytes();
    let (value, end) = match bytes.first()? {
        b'"' | b'\'' => quoted(content)?,
        _ => {
            // The first `:` followed by a blank or the end of the line, before any comment.
            let mut i = 1;
            let end = loop {
                match bytes.get(i)? {
                    b':' if matches!(bytes.get(i + 1), None | Some(b' ')) => break i,
                    b'#' if bytes[i - 1] == b' ' => return None,
                    _ => i += 1,
                }
            };
            let written = &content[..end];
            if is_indicator(bytes[0]) || written.ends_with(' ') || written == "<<" {
                return None;
            }
            (CompactString::new(written), end)
        }
    };
    (bytes.get(end) == Some(&b':') && matches!(bytes.get(end + 1), None | Some(b' ')))
        .then(|| (scalar(at, at + end, value), at + end))
}

/// `- item` or a lone `-`.
fn is_dash(content: &str) -> bool {
    content == "-" || content.starts_with("- ")
}

/// How far after its dash an item's content starts; `None` for an item written on the
/// lines below (`-` alone), which is not in the subset.
fn item_offset(content: &str) -> Option<usize> {
    let rest = content.get(1..)?;
    let after = rest.trim_start_matches(' ');
    if is_comment_or_blank(after) {
        return None;
    }
    Some(1 + rest.len() - after.len())
}

/// Nothing, or spaces and a comment: what may follow a value on its line.
fn ends_line(rest: &str) -> bool {
    rest.is_empty() || (rest.starts_with(' ') && is_comment_or_blank(rest))
}

/// Nothing, or a comment, after spaces.
fn is_comment_or_blank(rest: &str) -> bool {
    let rest = rest.trim_start_matches(' ');
    rest.is_empty() || rest.starts_with('#')
}

/// Characters that start something other than a plain scalar.
fn is_indicator(b: u8) -> bool {
    matches!(
        b,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    )
}

#[cfg(test)]
mod tests {
    /// Every byte outside printable ASCII and the line feed is found, wherever it stands
    /// around the 64 looked at together.
    #[test]
    fn only_printable_ascii_and_line_feeds_are_plain() {
        for len in [0, 1, 63, 64, 65, 130] {
            let plain: Vec<u8> = (0..len).map(|i| b" ~az\n"[i % 5]).collect();
            assert!(printable_ascii_lines(&plain), "{len}");
            for at in 0..len {
                for byte in [0, b'\t', b'\r', 0x1f, 0x7f, 0x80, 0xff] {
                    let mut text = plain.clone();
                    text[at] = byte;
                    assert!(!printable_ascii_lines(&text), "{len} {at} {byte}");
                }
            }
        }
    }

    use super::*;

    /// The block style reader's tree of `text`, after checking it is the full parser's.
    fn read_checked(text: &str) -> Option<YamlFile> {
        let tree = read(text)?;
        assert_eq!(tree, YamlFile::parse_in_full(text), "{text:?}");
        Some(tree)
    }

    #[test]
    fn a_manifest_in_the_block_style_is_read_as_the_full_parser_reads_it() {
        let manifest = "# a comment\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web   # trailing\n  labels:\n    app.kubernetes.io/name: \"web\"\n  empty:\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: 'nginx:1.27'\n          args: [\"--port\", '8080', plain]\n          securityContext:\n            capabilities:\n              drop: [\"ALL\"]\n          env:\n          - name: A\n            value: ${A}\n      volumes:\n        - name: tmp\n          emptyDir: {}\n---\nkind: ConfigMap\ndata:\n  app.yaml: |\n    server:\n      port: 8081\n\n    # kept: a comment is text here\n  strip: |-\n    one\n\n# after\nlist:\n- a\n- b: 1\n  c:\n";
        let tree = read_checked(manifest).expect("read");
        assert_eq!(tree.documents.len(), 2);
    }

    #[test]
    fn what_the_block_style_reader_does_not_know_is_left_to_the_full_parser() {
        for text in [
            "a: &anchor 1\nb: *anchor\n",
            "a: !!str 1\n",
            "<<: {a: 1}\n",
            "a: {b: 1}\n",
            "a: plain\n  continued\n",
            "a: \"escaped \\\" quote\"\n",
            "a:\tb\n",
            "a: 1\r\nb: 2\r\n",
            "a: caf\u{e9}\n",
            "a: |+\n  kept\n\n",
            "a: >\n  folded\n",
            "a: |2\n   indented\n",
            "a: [b, [c]]\n",
            "a: [b]  # a comment\n",
            "? complex\n: key\n",
            "- - nested\n",
            "-\n  a: 1\n",
            "---\n",
            "%YAML 1.2\n---\na: 1\n",
            "a: 1\n...\n",
            "a: |\n  no line break at the end",
            "a: b: c\n",
            "  indented: root\n",
            "",
        ] {
            assert_eq!(read(text), None, "{text:?}");
        }
    }

    /// A deterministic generator of files in and around the block style (xorshift).
    struct Generator(u64);

    impl Generator {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }

        fn pick<'s>(&mut self, from: &[&'s str]) -> &'s str {
            from[self.below(from.len())]
        }

        fn spaces(&mut self, out: &mut String, n: usize) {
            out.extend(std::iter::repeat_n(' ', n));
        }

        fn comments(&mut self, out: &mut String, indent: usize) {
            while self.below(5) == 0 {
                match self.below(4) {
                    0 => out.push('\n'),
                    1 => {
                        let n = self.below(indent + 4);
                        self.spaces(out, n);
                        out.push_str("# c\n");
                    }
                    2 => out.push_str("  \n"),
                    _ => out.push_str("#\n"),
                }
            }
        }

        fn literal(&mut self, out: &mut String, indent: usize) {
            out.push_str(self.pick(&["|", "|-", "| # c", "|+", ">"]));
            out.push('\n');
            let width = indent + 1 + self.below(3);
            for _ in 0..1 + self.below(4) {
                match self.below(6) {
                    0 => out.push('\n'),
                    1 => {
                        let n = width + 1 + self.below(2);
                        self.spaces(out, n);
                        out.push_str("more\n");
                    }
                    2 => {
                        self.spaces(out, width);
                        out.push_str("# text\n");
                    }
                    _ => {
                        self.spaces(out, width);
                        out.push_str("line: x\n");
                    }
                }
            }
        }

        /// A value after `key:` or `-`, with its line breaks.
        fn value(&mut self, out: &mut String, indent: usize, depth: usize) {
            match if depth > 4 { 0 } else { self.below(5) } {
                0 | 1 => {
                    out.push(' ');
                    out.push_str(self.pick(SCALARS));
                    if self.below(8) == 0 {
                        out.push_str(" # c");
                    }
                    out.push('\n');
                }
                2 => {
                    out.push(' ');
                    self.literal(out, indent);
                }
                3 => {
                    out.push('\n');
                    self.comments(out, indent);
                    let step = [0, 1, 2, 4][self.below(4)];
                    self.sequence(out, indent + step, depth + 1);
                }
                _ => {
                    out.push('\n');
                    self.comments(out, indent);
                    let step = 1 + self.below(3);
                    self.mapping(out, indent + step, depth + 1);
                }
            }
        }

        fn mapping(&mut self, out: &mut String, indent: usize, depth: usize) {
            for _ in 0..1 + self.below(4) {
                self.spaces(out, indent);
                out.push_str(self.pick(KEYS));
                out.push(':');
                if self.below(10) == 0 {
                    out.push('\n');
                } else {
                    self.value(out, indent, depth);
                }
                self.comments(out, indent);
            }
        }

        fn sequence(&mut self, out: &mut String, indent: usize, depth: usize) {
            for _ in 0..1 + self.below(4) {
                self.spaces(out, indent);
                out.push('-');
                if self.below(3) == 0 && depth < 5 {
                    let inner = indent + 1 + self.below(3);
                    self.spaces(out, inner - indent);
                    out.push_str(self.pick(KEYS));
                    out.push(':');
                    self.value(out, inner, depth + 1);
                    if self.below(2) == 0 {
                        self.mapping(out, inner, depth + 1);
                    }
                } else {
                    self.value(out, indent, depth);
                }
                self.comments(out, indent);
            }
        }

        /// A file: documents, then perhaps a few bytes changed, perhaps no final break.
        fn file(&mut self) -> String {
            let mut out = String::new();
            for document in 0..1 + self.below(3) {
                if document > 0 || self.below(4) == 0 {
                    out.push_str(self.pick(&["---\n", "--- # c\n"]));
                }
                self.comments(&mut out, 0);
                if self.below(3) == 0 {
                    self.sequence(&mut out, 0, 0);
                } else {
                    self.mapping(&mut out, 0, 0);
                }
            }
            if self.below(2) == 0 {
                let mut bytes = out.into_bytes();
                for _ in 0..1 + self.below(2) {
                    let at = self.below(bytes.len().max(1));
                    match self.below(3) {
                        0 if !bytes.is_empty() => {
                            bytes.remove(at);
                        }
                        1 => bytes.insert(at.min(bytes.len()), b' '),
                        _ => {
                            let inserted = b"#:-'\"\n[|"[self.below(8)];
                            bytes.insert(at.min(bytes.len()), inserted);
                        }
                    }
                }
                out = String::from_utf8(bytes).expect("ASCII");
            }
            if self.below(6) == 0 {
                out.truncate(out.trim_end_matches('\n').len());
            }
            out
        }
    }

    const SCALARS: &[&str] = &[
        "v",
        "1",
        "-1",
        "--flag",
        "x y",
        "x#c",
        "'q''s'",
        "'q'",
        "\"d\"",
        "\"\"",
        "''",
        "[a, 'b']",
        "[ ]",
        "[]",
        "[ a ,b ]",
        "[a -, b]",
        "[\"ALL\"]",
        "{}",
        "${X}",
        "http://x:1/y",
        "~",
        "a: b",
        "x  #c",
        "'a b' # c",
        "[a, \"b c\"] # c",
        "-",
        "- x",
        "|",
        "*a",
        "&a b",
        ": x",
    ];
    const KEYS: &[&str] = &[
        "a",
        "b",
        "key",
        "a b",
        "'k'",
        "\"k\"",
        "'k''s'",
        "app.kubernetes.io/name",
        "x-y",
        "<<",
        "k#",
        "a[0]",
    ];

    #[test]
    fn generated_files_the_block_style_reader_reads_are_read_as_the_full_parser_reads_them() {
        let mut generator = Generator(0x9E37_79B9_7F4A_7C15);
        let mut read_files = 0;
        for _ in 0..20_000 {
            let text = generator.file();
            read_files += usize::from(read_checked(&text).is_some());
        }
        // Enough of them are in the block style for the comparison to mean something.
        assert!(read_files > 500, "{read_files} files read");
    }
}
