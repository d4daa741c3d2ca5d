//! YAML with positions: a generic tree whose every key, value and collection carries the
//! [`Span`] it was written at, so rules on Compose files, Kubernetes manifests or CI
//! workflows can point at the exact line of `image: postgres:16`.
//!
//! Built on `saphyr-parser` (the maintained YAML 1.2 parser of the saphyr project, the
//! successor of yaml-rust/yaml-rust2), driven through its event API rather than its loader:
//! scalars keep their text as written (no `yes`→bool, no `010`→8 surprises: each rule decides
//! what a value means), duplicate keys are kept in order instead of failing the whole file,
//! aliases are expanded into copies of their anchored node (spans pointing at the anchor,
//! where the value is written) within a budget, so a "billion laughs" file stays an alias
//! instead of exhausting memory, merge keys (`<<: *defaults`) are resolved into the mappings that use them,
//! and the tree is built with an explicit stack, so deep nesting cannot overflow ours. A syntax error ends the tree where it
//! happened: what was read before it is kept, and the error is recorded with its position.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use compact_str::CompactString;
use saphyr_parser::{Event, Marker, Parser, ScalarStyle};

mod block;

use crate::formats::sensitive::{quoted_verbatim, Sensitive};
use crate::formats::ParseError;
use crate::message::Quote;
use crate::msg;
use crate::source::Span;

/// One node of a YAML document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlNode {
    /// Where the node is written (for a scalar: the value, quotes included).
    pub span: Span,
    /// What it holds.
    pub value: YamlValue,
}

/// The content of a node. Scalars are kept as text; tags are dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YamlValue {
    /// A scalar, as the application reads it (quotes removed, escapes applied), untyped.
    Scalar(CompactString),
    /// A sequence. Shared: formats keep subtrees (a manifest's pod spec, its containers)
    /// next to the file's tree, and aliases expand into copies, so a clone must not copy.
    Sequence(Arc<[YamlNode]>),
    /// A mapping, in document order, duplicate keys included (shared, as sequences are).
    Mapping(Arc<[(YamlNode, YamlNode)]>),
    /// An alias (`*name`) that could not be expanded: its anchor is unknown, or expanding
    /// it would exceed the expansion budget.
    Alias,
}

impl YamlNode {
    /// The scalar text, if this is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            YamlValue::Scalar(text) => Some(text),
            _ => None,
        }
    }

    /// The entries, if this is a mapping.
    pub fn entries(&self) -> &[(YamlNode, YamlNode)] {
        match &self.value {
            YamlValue::Mapping(entries) => entries,
            _ => &[],
        }
    }

    /// The items, if this is a sequence.
    pub fn items(&self) -> &[YamlNode] {
        match &self.value {
            YamlValue::Sequence(items) => items,
            _ => &[],
        }
    }

    /// The node for a message: a scalar as the application reads it (quotes removed), or
    /// what is written for a collection; shown only if its span holds no secret.
    pub fn quote(&self) -> Quote {
        match &self.value {
            YamlValue::Scalar(text) => Quote::derived(self.span, text.as_str()),
            _ => Quote::at(self.span),
        }
    }

    /// Where a scalar's text starts in `source` when it is written verbatim (plain, or
    /// quoted without escapes), so a part of it can be located exactly; `None` otherwise.
    pub fn verbatim_at(&self, source: &str) -> Option<usize> {
        let text = self.as_str()?;
        let written = source.get(self.span.range()).unwrap_or("");
        if written == text {
            Some(self.span.start)
        } else if quoted_verbatim(written, text) {
            Some(self.span.start + 1)
        } else {
            None
        }
    }

    /// The value of the last entry whose key is the scalar `key` (YAML loaders that accept
    /// duplicates keep the last one). Merge keys (`<<: *defaults`) were resolved when the
    /// tree was built, so merged keys are found too.
    pub fn get(&self, key: &str) -> Option<&YamlNode> {
        self.entries()
            .iter()
            .rev()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }
}

/// A parsed YAML file: one node per document (`---` separates them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YamlFile {
    /// The documents, in order.
    pub documents: Vec<YamlNode>,
    /// What could not be read (at most one: the parser stops at the first error).
    pub errors: Vec<ParseError>,
    /// Where the text the tree does not hold is written: from the end of what was read
    /// before a syntax error to the end of the file (the parser stops there), and
    /// collections nested too deep.
    pub unread: Vec<Span>,
}

impl YamlFile {
    /// Parses `text`. Never fails and never panics: a syntax error is recorded and what was
    /// read up to it is kept.
    ///
    /// `saphyr-parser` 0.3.4 (the latest release) refuses a token of a multi-line flow
    /// collection written left of the block indentation it opened in, after a quoted scalar
    /// (`key: [\n  "a",\n]` with `]` under `key`), which libyaml, PyYAML and ruamel load
    /// (upstream saphyr-rs/saphyr#108). Such a token is moved right with spaces and the text
    /// parsed again; the spaces are then taken out of every position.
    ///
    /// A file written wholly in the plain block style most configuration uses is read by
    /// a faster reader of that style alone ([`block`]), which builds the same tree.
    pub fn parse(text: &str) -> Self {
        Self::read_block_style(text).unwrap_or_else(|| Self::parse_in_full(text))
    }

    /// The tree of `text` read by the reader of the plain block style, or `None` when the
    /// file is not wholly written in it. Public so tests can compare the two readers.
    pub fn read_block_style(text: &str) -> Option<Self> {
        block::read(text)
    }

    /// The tree of `text` read by the full YAML parser, whatever style it is written in.
    /// Public so tests can compare the two readers.
    pub fn parse_in_full(text: &str) -> Self {
        let mut patched = Cow::Borrowed(text);
        let mut inserted: Vec<(usize, usize)> = Vec::new();
        let mut reparsed = 0;
        loop {
            let (mut file, reindent) = Self::parse_once(&patched);
            match reindent {
                Some(Reindent { at, spaces })
                    if inserted.len() < MAX_REINDENTS
                        && spaces <= MAX_REINDENT_SPACES
                        && reparsed + patched.len() <= REPARSE_BUDGET =>
                {
                    reparsed += patched.len();
                    patched.to_mut().insert_str(at, &" ".repeat(spaces));
                    inserted.push((at, spaces));
                }
                _ => {
                    if !inserted.is_empty() {
                        file.unshift(&inserted);
                    }
                    return file;
                }
            }
        }
    }

    /// One pass of the parser over `text`, and where to move a token right when the pass
    /// stopped at the indentation check described in [`YamlFile::parse`].
    fn parse_once(text: &str) -> (Self, Option<Reindent>) {
        let mut builder = Builder {
            text,
            cursor: (0, 0),
            stack: Vec::new(),
            documents: Vec::new(),
            read_to: 0,
            last_start: 0,
            skipping: 0,
            too_deep: None,
            skipped: Vec::new(),
            anchors: HashMap::new(),
            expanded: 0,
        };
        // Events are pulled one by one: the parser's own `load()` recurses once per
        // nesting level and overflows the stack on hostile input.
        let mut parser = Parser::new_from_str(text);
        let mut errors = Vec::new();
        let mut unread = Vec::new();
        let mut reindent = None;
        while let Some(next) = parser.next_event() {
            match next {
                Ok((event, span)) => builder.on_event(event, span),
                Err(error) => {
                    let at = builder.offset(error.marker());
                    if error.info() == "invalid indentation" {
                        reindent = builder.reindent(at);
                    }
                    // The line of the error is not read, whatever was taken from it; and a
                    // scalar before it may have been scanned but not handed over, so
                    // nothing after the last event was read either.
                    let from = builder
                        .read_to
                        .min(line_start(text, at))
                        .min(line_start(text, builder.last_start));
                    errors.push(ParseError {
                        span: Span::new(at, lines_end(text, at)),
                        message: msg!(
                            "YAML syntax error: {}; the parser stops here, so nothing from line {} to the end of the file (line {}) was checked",
                            syntax_error(error.info()),
                            line_number(text, from),
                            line_number(text, text.len().saturating_sub(1))
                        ),
                    });
                    unread.push(Span::new(from, text.len()));
                    break;
                }
            }
        }
        if let Some(span) = builder.too_deep {
            errors.push(ParseError {
                span,
                message: msg!(
                    "nested more than {} levels deep; the deeper levels were not read",
                    MAX_DEPTH
                ),
            });
        }
        if builder.skipping > 0 {
            if let Some(last) = builder.skipped.last_mut() {
                last.end = text.len();
            }
        }
        unread.extend(builder.skipped.iter().copied());
        builder.close_all();
        let file = Self {
            documents: builder.documents,
            errors,
            unread,
        };
        (file, reindent)
    }

    /// Takes the spaces [`YamlFile::parse`] inserted (`(where, how many)`, in the order
    /// they were inserted) out of every position.
    fn unshift(&mut self, inserted: &[(usize, usize)]) {
        let original = |mut at: usize| {
            for &(from, spaces) in inserted.iter().rev() {
                if at >= from + spaces {
                    at -= spaces;
                } else if at > from {
                    at = from;
                }
            }
            at
        };
        let fix = |span: &mut Span| *span = Span::new(original(span.start), original(span.end));
        let mut stack: Vec<&mut YamlNode> = self.documents.iter_mut().collect();
        while let Some(node) = stack.pop() {
            fix(&mut node.span);
            match &mut node.value {
                // Shared subtrees (expanded aliases) are copied on write: at most as many
                // nodes as the expansion budget allowed, and only on this rare path.
                YamlValue::Sequence(items) => {
                    stack.extend(std::sync::Arc::make_mut(items).iter_mut());
                }
                YamlValue::Mapping(entries) => {
                    stack.extend(
                        std::sync::Arc::make_mut(entries)
                            .iter_mut()
                            .flat_map(|(k, v)| [k, v]),
                    );
                }
                YamlValue::Scalar(_) | YamlValue::Alias => {}
            }
        }
        self.errors.iter_mut().for_each(|e| fix(&mut e.span));
        self.unread.iter_mut().for_each(fix);
    }

    /// The lines the tree does not hold may hold secrets no rule saw: each is sensitive
    /// after its key (`key:`) or the `-` of a list item, and whole when it starts with
    /// neither (a word the parser did not read is not known to be a key).
    pub fn unread_sensitive(&self, text: &str) -> Vec<Sensitive> {
        let mut found = Vec::new();
        for span in &self.unread {
            let mut at = span.start;
            // A span starting inside a line starts after what was read of it (its key).
            let partial = span.start > 0 && !text[..span.start].ends_with('\n');
            for (i, line) in text.get(span.range()).unwrap_or("").split('\n').enumerate() {
                let content = line.trim_start();
                let start = at + (line.len() - content.len());
                at += line.len() + 1;
                let key_end = content
                    .char_indices()
                    .skip(1)
                    .find(|(_, c)| *c == ':' || c.is_whitespace())
                    .filter(|(end, c)| {
                        *c == ':'
                            && (content[end + 1..].starts_with([' ', '\t'])
                                || content[end + 1..].is_empty())
                    })
                    .map(|(end, _)| end);
                let lead = if content.starts_with("- ") {
                    Some(1)
                } else {
                    key_end
                };
                let cut = match lead {
                    Some(end) if i > 0 || !partial => end,
                    _ => 0,
                };
                let hidden = content[cut..].trim_end();
                if !hidden.is_empty() {
                    found.push(Sensitive {
                        span: Span::new(start + cut, start + cut + hidden.len()),
                    });
                }
            }
        }
        found
    }
}

/// What the YAML parser says went wrong, in its own words, taken from the list of what it
/// can say rather than from the error: a few of its messages quote the file (`unexpected
/// character: `@'`), and a message shows no file text it was not given with its span.
fn syntax_error(info: &str) -> &'static str {
    match info {
        "unexpected character: `@'" => "unexpected character: `@'",
        "unexpected character: `%'" => "unexpected character: `%'",
        "unexpected character: ``'" => "unexpected character: ``'",
        _ => SYNTAX_ERRORS
            .iter()
            .find(|known| **known == info)
            .copied()
            .unwrap_or("the YAML parser could not read this"),
    }
}

/// The messages of `saphyr-parser` 0.3 that quote nothing of the file.
const SYNTAX_ERRORS: &[&str] = &[
    "\"-\" is only valid inside a block",
    "'-' must be followed by a valid YAML whitespace",
    "':' may not precede any of `[{` in flow mapping",
    "':' must be followed by a valid YAML whitespace",
    "a block scalar content cannot start with a tab",
    "a byte order mark must not appear inside a document",
    "block sequence entries are not allowed in this context",
    "comment intercepting the multiline text",
    "comments must be separated from other tokens by whitespace",
    "did not find expected <document start>",
    "did not find expected <document-start>",
    "did not find expected <stream-start>",
    "did not find expected next token",
    "duplicate version directive",
    "expected whitespace",
    "found unprintable character",
    "illegal placement of ':' indicator",
    "invalid content after document end marker",
    "invalid global tag character",
    "invalid indentation for anchor",
    "invalid indentation in flow construct",
    "invalid indentation in quoted scalar",
    "invalid indentation",
    "invalid trailing content after double-quoted scalar",
    "mapping keys are not allowed in this context",
    "mapping values are not allowed in this context",
    "misplaced bracket",
    "missing explicit document end marker before directive",
    "plain scalar cannot start with '-' followed by ,[]{}",
    "recursion limit exceeded",
    "simple key expect ':'",
    "simple key expected",
    "tab cannot be used as indentation",
    "tabs disallowed in this context",
    "tabs disallowed within this context (block indentation)",
    "the TAG directive must only be given at most once per handle in the same document",
    "the handle wasn't declared",
    "unexpected end of plain scalar",
    "unexpected eof",
    "while parsing a block collection, did not find expected '-' indicator",
    "while parsing a block mapping, did not find expected key",
    "while parsing a flow mapping, did not find expected ',' or '}'",
    "while parsing a flow sequence, expected ',' or ']'",
    "while parsing a node, did not find expected node content",
    "while parsing a quoted scalar, did not find expected hexadecimal number",
    "while parsing a quoted scalar, found invalid Unicode character escape code",
    "while parsing a quoted scalar, found unknown escape character",
    "while parsing a tag directive, did not find expected '!'",
    "while parsing a tag, did not find expected tag URI",
    "while parsing a tag, found an incorrect leading UTF-8 byte",
    "while parsing a tag, found an incorrect trailing UTF-8 byte",
    "while parsing a tag, found an invalid UTF-8 codepoint",
    "while parsing a tag, found an invalid escape sequence",
    "while parsing node, found unknown anchor",
    "while scanning TAG, did not find expected whitespace or line break",
    "while scanning a YAML directive, did not find expected digit or '.' character",
    "while scanning a YAML directive, did not find expected version number",
    "while scanning a YAML directive, found extremely long version number",
    "while scanning a block scalar, did not find expected comment or line break",
    "while scanning a block scalar, found an indentation indicator equal to 0",
    "while scanning a directive, could not find expected directive name",
    "while scanning a directive, did not find expected comment or line break",
    "while scanning a directive, found unexpected non-alphabetical character",
    "while scanning a plain scalar, found a tab",
    "while scanning a quoted scalar, found unexpected document indicator",
    "while scanning a quoted scalar, found unexpected end of stream",
    "while scanning a tag, did not find expected '!'",
    "while scanning a tag, did not find expected whitespace or line break",
    "while scanning a verbatim tag, did not find the expected '>'",
    "while scanning an anchor or alias, did not find expected alphabetic or numeric character",
    "wrongly indented line in block scalar",
];

/// A quoted scalar's span, ending at its closing quote: the parser's span runs on over the
/// blanks and comment that follow it (`- "5432:5432"  # db`).
fn quoted_span(text: &str, span: Span) -> Span {
    let written = text.get(span.range()).unwrap_or("").as_bytes();
    let Some(&quote) = written.first() else {
        return span;
    };
    let mut i = 1;
    while i < written.len() {
        match written[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && written.get(i + 1) == Some(&b'\'') => i += 2,
            c if c == quote => return Span::new(span.start, span.start + i + 1),
            _ => i += 1,
        }
    }
    span
}

/// The end of the line holding `at`, so an error span is never empty.
fn lines_end(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i)
}

/// The start of the line holding `at`.
fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// The 1-based number of the line holding `at`.
fn line_number(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Spaces to insert at `at` so the flow token there is right of the block indentation.
struct Reindent {
    at: usize,
    spaces: usize,
}

/// How many tokens of one file may be moved right ([`YamlFile::parse`]), how far, and how
/// many bytes may be parsed again for it: each move parses the whole file once more.
const MAX_REINDENTS: usize = 64;
const MAX_REINDENT_SPACES: usize = 1024;
const REPARSE_BUDGET: usize = 16 << 20;

/// Whether `key` is YAML 1.1's merge key: `<<` written plain (quoted, it is a string).
fn is_merge_key(key: &YamlNode, text: &str) -> bool {
    key.as_str() == Some("<<") && text.get(key.span.range()) == Some("<<")
}

/// A mapping's entries with its merge keys (`<<: *defaults`, or a list of them) replaced by
/// the entries they bring in, as YAML 1.1 loaders and Compose read them: the mapping's own
/// keys win, then the first merged mapping that has the key. Merged mappings were resolved
/// when they closed, so merges of merges come along. A merge that is not a mapping (an
/// alias left unexpanded) stays a `<<` entry, for readers to see what they could not read.
fn resolve_merges(entries: Vec<(YamlNode, YamlNode)>, text: &str) -> Vec<(YamlNode, YamlNode)> {
    if !entries.iter().any(|(k, _)| is_merge_key(k, text)) {
        return entries;
    }
    let mut taken: std::collections::HashSet<String> = entries
        .iter()
        .filter(|(k, _)| !is_merge_key(k, text))
        .filter_map(|(k, _)| k.as_str().map(str::to_owned))
        .collect();
    let mut resolved = Vec::with_capacity(entries.len());
    for (key, value) in entries {
        let mergeable = match &value.value {
            YamlValue::Mapping(_) => true,
            YamlValue::Sequence(items) => items
                .iter()
                .all(|i| matches!(i.value, YamlValue::Mapping(_))),
            _ => false,
        };
        if !is_merge_key(&key, text) || !mergeable {
            resolved.push((key, value));
            continue;
        }
        let sources: std::sync::Arc<[YamlNode]> = match value.value {
            YamlValue::Sequence(items) => items,
            _ => vec![value].into(),
        };
        for source in sources.iter() {
            let YamlValue::Mapping(merged) = &source.value else {
                continue;
            };
            for (k, v) in merged.iter().cloned() {
                let fresh = match k.as_str() {
                    Some(name) => taken.insert(name.to_owned()),
                    None => true,
                };
                if fresh {
                    resolved.push((k, v));
                }
            }
        }
    }
    resolved
}

/// A collection being read, with the anchor id it is to be remembered under (0: none).
enum Open {
    Sequence(Span, usize, Vec<YamlNode>),
    Mapping(Span, usize, Vec<(YamlNode, YamlNode)>, Option<YamlNode>),
}

/// How many nodes alias expansion may copy in one file: far more than any real
/// configuration repeats, far less than a "billion laughs" file asks for.
const EXPANSION_BUDGET: usize = 100_000;

/// How many nodes `node` holds, itself included.
fn size(node: &YamlNode) -> usize {
    let mut count = 0;
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        count += 1;
        match &n.value {
            YamlValue::Sequence(items) => stack.extend(items.iter()),
            YamlValue::Mapping(entries) => stack.extend(entries.iter().flat_map(|(k, v)| [k, v])),
            YamlValue::Scalar(_) | YamlValue::Alias => {}
        }
    }
    count
}

/// Deeper collections are skipped: no configuration nests this deep, and dropping a
/// 100,000-level tree would overflow the stack.
const MAX_DEPTH: usize = 256;

struct Builder<'a> {
    text: &'a str,
    /// `(characters, bytes)` before the last marker converted.
    cursor: (usize, usize),
    stack: Vec<Open>,
    documents: Vec<YamlNode>,
    /// Where the last event read ends.
    read_to: usize,
    /// Where the last content event began: a scalar handed over just before an error may be
    /// the text the error is about (`word "text` read as a plain scalar).
    last_start: usize,
    /// How many levels below [`MAX_DEPTH`] are being skipped.
    skipping: usize,
    /// Where the first skipped collection starts.
    too_deep: Option<Span>,
    /// Where the skipped collections are written.
    skipped: Vec<Span>,
    /// Anchored nodes by the parser's anchor id, with their size.
    anchors: HashMap<usize, (YamlNode, usize)>,
    /// How many nodes alias expansion has copied so far.
    expanded: usize,
}

impl Builder<'_> {
    /// The byte offset of a parser marker, whose index counts characters. Markers arrive
    /// nearly in order, so a cursor walks from the last one: linear in the file, even for
    /// a megabyte of YAML on one line.
    fn offset(&mut self, marker: &Marker) -> usize {
        let target = marker.index();
        let (mut chars, mut bytes) = self.cursor;
        while chars > target && bytes > 0 {
            bytes -= 1;
            while bytes > 0 && !self.text.is_char_boundary(bytes) {
                bytes -= 1;
            }
            chars -= 1;
        }
        if chars < target {
            for c in self.text[bytes..].chars() {
                if chars == target {
                    break;
                }
                bytes += c.len_utf8();
                chars += 1;
            }
        }
        self.cursor = (chars, bytes);
        bytes
    }

    fn span(&mut self, span: saphyr_parser::Span) -> Span {
        let start = self.offset(&span.start);
        let end = self.offset(&span.end).max(start);
        Span::new(start, end)
    }

    /// Remembers `node` under `anchor` (0: not anchored) and hands it on.
    fn finish(&mut self, node: YamlNode, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), size(&node)));
        }
        self.push(node);
    }

    /// A copy of the node anchored as `anchor`, or an [`YamlValue::Alias`] at `span` when
    /// the anchor is unknown or the copy would exceed the budget.
    fn alias(&mut self, anchor: usize, span: Span) -> YamlNode {
        match self.anchors.get(&anchor) {
            Some((node, size)) if self.expanded + size <= EXPANSION_BUDGET => {
                self.expanded += size;
                node.clone()
            }
            _ => YamlNode {
                span,
                value: YamlValue::Alias,
            },
        }
    }

    /// Hands a finished node to the collection it belongs to, or ends a document.
    fn push(&mut self, node: YamlNode) {
        match self.stack.last_mut() {
            None => self.documents.push(node),
            Some(Open::Sequence(_, _, items)) => items.push(node),
            Some(Open::Mapping(_, _, entries, key)) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
    }

    /// Closes the innermost collection; `end` is where it ended.
    fn close(&mut self, end: usize) {
        let Some(open) = self.stack.pop() else { return };
        let (node, anchor) = match open {
            Open::Sequence(span, anchor, items) => (
                YamlNode {
                    span: Span::new(span.start, end.max(span.start)),
                    value: YamlValue::Sequence(items.into()),
                },
                anchor,
            ),
            Open::Mapping(span, anchor, mut entries, key) => {
                // A key whose value was cut off by an error keeps an empty value.
                if let Some(k) = key {
                    let at = k.span.end;
                    entries.push((
                        k,
                        YamlNode {
                            span: Span::new(at, at),
                            value: YamlValue::Scalar(CompactString::default()),
                        },
                    ));
                }
                (
                    YamlNode {
                        span: Span::new(span.start, end.max(span.start)),
                        value: YamlValue::Mapping(resolve_merges(entries, self.text).into()),
                    },
                    anchor,
                )
            }
        };
        self.finish(node, anchor);
    }

    /// Where to move right the token at `at` that the parser found left of the block
    /// indentation, when it is the first thing on its line inside an open flow collection:
    /// one column right of the outermost open `[` or `{` is right of that indentation.
    fn reindent(&self, at: usize) -> Option<Reindent> {
        let line = line_start(self.text, at);
        if !self.text[line..at].bytes().all(|b| b == b' ') {
            return None;
        }
        let opener = self.stack.iter().find_map(|open| {
            let start = match open {
                Open::Sequence(span, ..) | Open::Mapping(span, ..) => span.start,
            };
            matches!(self.text.as_bytes().get(start), Some(b'[' | b'{')).then_some(start)
        })?;
        let column = self.text[line_start(self.text, opener)..opener]
            .chars()
            .count()
            + 1;
        let spaces = column.checked_sub(at - line).filter(|s| *s > 0)?;
        Some(Reindent { at, spaces })
    }

    /// Corrects the end of a block scalar (`|`, `>`) written at `span` where the parser
    /// differs from libyaml: its final line break is the one after its last line, so a file
    /// ending without one gives none; and without the keep indicator (`|+`) trailing
    /// lines that hold only spaces add no line break.
    fn chomp(&self, value: &mut String, span: Span) {
        // The header (`|+`, `>-2`) ends the last line before the content; an empty
        // scalar's span starts at it.
        let head_end = if self.text[span.start..].starts_with(['|', '>']) {
            lines_end(self.text, span.start)
        } else {
            span.start
        };
        let before = self.text[..head_end].trim_end_matches([' ', '\t', '\r', '\n']);
        let line = &before[line_start(before, before.len())..];
        let code = line.split(" #").next().unwrap_or("");
        let header = code.rsplit(['|', '>']).next().unwrap_or("");
        if !header.contains('+') {
            let kept = value.trim_end_matches('\n').len();
            value.truncate((kept + 1).min(value.len()));
        }
        let last_line = line_start(self.text, self.text.len());
        if !self.text[last_line..].trim().is_empty() && span.end > last_line {
            if let Some(kept) = value.strip_suffix('\n') {
                value.truncate(kept.len());
            }
        }
    }

    /// Closes everything still open (after an error).
    fn close_all(&mut self) {
        while !self.stack.is_empty() {
            self.close(self.text.len());
        }
    }
}

impl Builder<'_> {
    /// Adds one parser event to the tree.
    fn on_event(&mut self, event: Event<'_>, span: saphyr_parser::Span) {
        let span = self.span(span);
        // Only content counts as read: a document's start is reported where the parser
        // stands, which may be past a scalar it scanned and never handed over.
        if !matches!(event, Event::StreamStart | Event::DocumentStart(..)) {
            self.read_to = self.read_to.max(span.end);
            self.last_start = span.start;
        }
        let opens = matches!(event, Event::SequenceStart(..) | Event::MappingStart(..));
        let closes = matches!(event, Event::SequenceEnd | Event::MappingEnd);
        if self.skipping > 0 || (opens && self.stack.len() >= MAX_DEPTH) {
            if opens {
                if self.skipping == 0 {
                    self.too_deep.get_or_insert(span);
                    self.skipped.push(span);
                }
                self.skipping += 1;
            } else if closes {
                self.skipping -= 1;
                if let Some(last) = self.skipped.last_mut() {
                    last.end = span.end.max(last.end);
                }
            }
            return;
        }
        match event {
            Event::Scalar(value, style, anchor, _) => {
                let span = match style {
                    ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                        quoted_span(self.text, span)
                    }
                    _ => span,
                };
                let mut value = Cow::into_owned(value);
                if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
                    self.chomp(&mut value, span);
                }
                // The scanner grows its buffer ahead of the text; the tree keeps each scalar
                // for the whole scan, so it keeps only the bytes it holds: a copy of exactly
                // them costs the allocator less than shrinking the buffer in place.
                if value.capacity() > value.len() {
                    value = value.as_str().to_owned();
                }
                self.finish(
                    YamlNode {
                        span,
                        value: YamlValue::Scalar(value.into()),
                    },
                    anchor,
                );
            }
            Event::Alias(anchor) => {
                let node = self.alias(anchor, span);
                self.push(node);
            }
            Event::SequenceStart(anchor, _) => {
                self.stack.push(Open::Sequence(span, anchor, Vec::new()));
            }
            Event::MappingStart(anchor, _) => {
                self.stack
                    .push(Open::Mapping(span, anchor, Vec::new(), None));
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(span.end),
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(_)
            | Event::DocumentEnd => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(text: &'a str, node: &YamlNode) -> &'a str {
        &text[node.span.range()]
    }

    #[test]
    fn keys_and_values_carry_their_exact_positions() {
        let text = "services:\n  db:\n    image: \"postgres:16\"\n  ä: {x: 1}\n";
        let file = YamlFile::parse(text);
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        let services = file.documents[0].get("services").unwrap();
        let image = services.get("db").unwrap().get("image").unwrap();
        assert_eq!(image.as_str(), Some("postgres:16"));
        assert_eq!(at(text, image), "\"postgres:16\"");
        let key = &services.entries()[1].0;
        assert_eq!(at(text, key), "ä");
        let x = services.get("ä").unwrap().get("x").unwrap();
        assert_eq!(at(text, x), "1");
    }

    #[test]
    fn scalars_stay_text_and_duplicates_are_kept() {
        let file = YamlFile::parse("a: yes\na: 010\n");
        let entries = file.documents[0].entries();
        assert_eq!(entries.len(), 2);
        assert_eq!(file.documents[0].get("a").unwrap().as_str(), Some("010"));
        assert_eq!(entries[0].1.as_str(), Some("yes"));
    }

    #[test]
    fn a_syntax_error_keeps_what_came_before_it() {
        let text = "services:\n  db:\n    image: redis\n  bad: [unclosed\n";
        let file = YamlFile::parse(text);
        assert_eq!(file.errors.len(), 1);
        let services = file.documents[0].get("services").unwrap();
        assert_eq!(
            services.get("db").unwrap().get("image").unwrap().as_str(),
            Some("redis")
        );
    }

    #[test]
    fn hostile_input_neither_panics_nor_overflows() {
        for text in [
            "[".repeat(100_000),
            "{a: ".repeat(50_000),
            "- ".repeat(10_000),
            "&a [*a, *a]\n".to_owned(),
            "\u{feff}\t: :\n  - ? ]\n".to_owned(),
            "key: \"unterminated\n".to_owned(),
            format!("[{}]", "1, ".repeat(200_000)),
            format!("a:\n  b: [\n{}]\n", "\"x\",\n".repeat(20_000)),
        ] {
            let _ = YamlFile::parse(&text);
        }
    }

    #[test]
    fn aliases_are_copies_of_their_anchor_and_merge_keys_are_read() {
        let text = "base: &base\n  image: redis:7\n  user: &u \"1001\"\nsvc:\n  <<: *base\n  user: *u\n  name: cache\nlist: [*base]\n";
        let file = YamlFile::parse(text);
        let doc = &file.documents[0];
        let svc = doc.get("svc").unwrap();
        let image = svc.get("image").unwrap();
        assert_eq!(image.as_str(), Some("redis:7"));
        assert_eq!(at(text, image), "redis:7");
        assert_eq!(svc.get("user").unwrap().as_str(), Some("1001"));
        assert_eq!(svc.get("name").unwrap().as_str(), Some("cache"));
        assert_eq!(
            doc.get("list").unwrap().items()[0]
                .get("image")
                .unwrap()
                .as_str(),
            Some("redis:7")
        );
    }

    #[test]
    fn merge_keys_of_merged_mappings_are_honoured() {
        let text = "a: &a {image: redis:7, user: \"1\"}\nb: &b\n  <<: *a\n  user: \"2\"\nc:\n  <<: *b\n  name: c\n";
        let file = YamlFile::parse(text);
        let c = file.documents[0].get("c").unwrap();
        assert_eq!(c.get("image").unwrap().as_str(), Some("redis:7"));
        assert_eq!(c.get("user").unwrap().as_str(), Some("2"));
        assert_eq!(c.get("name").unwrap().as_str(), Some("c"));
        assert!(c.get("missing").is_none());
    }

    #[test]
    fn merges_are_resolved_in_every_mapping_own_keys_first_then_the_first_merged() {
        let text = "a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\ne: &e {<<: *a, w: 3}\nenv:\n  <<: [*b, *a]\n  z: own\nf:\n  <<: *e\nq:\n  '<<': *a\n";
        let file = YamlFile::parse(text);
        let doc = &file.documents[0];
        let keys = |node: &YamlNode| -> Vec<String> {
            node.entries()
                .iter()
                .map(|(k, v)| format!("{}={}", k.as_str().unwrap(), v.as_str().unwrap_or("{}")))
                .collect()
        };
        assert_eq!(keys(doc.get("env").unwrap()), ["y=2", "x=1", "z=own"]);
        assert_eq!(keys(doc.get("f").unwrap()), ["x=1", "y=1", "w=3"]);
        // A quoted `<<` is a string key, not a merge.
        assert_eq!(keys(doc.get("q").unwrap()), ["<<={}"]);
    }

    #[test]
    fn a_flow_collection_closed_left_of_its_block_indentation_is_read() {
        for (text, items) in [
            ("s:\n  web:\n    command: [\n      \"a\", # one\n      \"b\"  # two\n    ]\n    privileged: true\n", 2),
            ("c: [\n  \"x\",\n]\nd: 1\n", 1),
            ("a:\n  c: [\n\"x\",\n  'y'\n  ]\n  d: 1\n", 2),
        ] {
            let file = YamlFile::parse(text);
            assert!(file.errors.is_empty(), "{text}: {:?}", file.errors);
            assert!(file.unread.is_empty(), "{text}");
            let last = text.lines().next_back().unwrap();
            let (key, value) = last.trim().split_once(": ").unwrap();
            let mut node = &file.documents[0];
            while node.get(key).is_none() {
                node = &node.entries()[0].1;
            }
            let found = node.get(key).unwrap();
            assert_eq!(at(text, found), value, "{text}");
            let list = &node.entries().iter().find(|(_, v)| !v.items().is_empty()).unwrap().1;
            assert_eq!(list.items().len(), items, "{text}");
            for item in list.items() {
                assert_eq!(&at(text, item)[1..2], item.as_str().unwrap(), "{text}");
            }
        }
        // Nested flow collections, and a closing bracket at column 0 of a nested key.
        let text = "a:\n  - k: [\n      \"x\", {\n    y: \"z\"\n  }\n  ]\n    d: 1\n";
        let file = YamlFile::parse(text);
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        let item = &file.documents[0].get("a").unwrap().items()[0];
        assert_eq!(at(text, item.get("d").unwrap()), "1");
        let y = item.get("k").unwrap().items()[1].get("y").unwrap();
        assert_eq!(at(text, y), "\"z\"");
    }

    #[test]
    fn a_syntax_error_says_which_lines_were_not_checked() {
        let source =
            crate::source::SourceFile::from_bytes("a.yaml".into(), "a.yaml".into(), Vec::new());
        let file = YamlFile::parse("a: 1\nb: [x\nc: 3\nd: 4\n");
        let message = file.errors[0].message.fingerprint_text(&source);
        assert!(
            message.ends_with("nothing from line 2 to the end of the file (line 4) was checked"),
            "{message}"
        );
    }

    #[test]
    fn a_billion_laughs_stays_aliases_beyond_the_budget() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (name, prev) in ["b", "c", "d", "e", "f", "g", "h", "i"]
            .iter()
            .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
        {
            text.push_str(&format!(
                "{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        let file = YamlFile::parse(&text);
        assert!(size(&file.documents[0]) <= EXPANSION_BUDGET * 2);
        assert!(file.documents[0].get("i").is_some());
    }

    #[test]
    fn quoted_scalars_end_at_their_closing_quote() {
        let text = "- \"a\\\"b\"   # note\n- 'it''s'  # more\n- plain  # c\n";
        let file = YamlFile::parse(text);
        let items = file.documents[0].items();
        let written: Vec<&str> = items.iter().map(|i| at(text, i)).collect();
        assert_eq!(written, vec!["\"a\\\"b\"", "'it''s'", "plain"]);
    }

    #[test]
    fn a_block_scalar_at_the_end_of_a_file_without_a_final_line_break_has_none() {
        for (text, value) in [
            ("a: |\n  x\n  y", "x\ny"),
            ("a: |\n  x\n  y\n", "x\ny\n"),
            ("a: >\n  x\n  y", "x y"),
            ("a: |\n  x\nb: 1", "x\n"),
            ("a: |\n  x\n  y\n  ", "x\ny\n"),
            ("a: |+\n  x\n\n", "x\n\n"),
            ("a: |-\n  x\n\n", "x"),
            ("a: |+\n\n\n", "\n\n"),
        ] {
            let file = YamlFile::parse(text);
            assert_eq!(
                file.documents[0].get("a").unwrap().as_str(),
                Some(value),
                "{text:?}"
            );
        }
    }

    #[test]
    fn several_documents_are_read() {
        let file = YamlFile::parse("a: 1\n---\nb: 2\n");
        assert_eq!(file.documents.len(), 2);
    }

    #[test]
    fn syntax_errors_are_told_in_the_parser_s_words_not_with_the_file_s_text() {
        let source =
            crate::source::SourceFile::from_bytes("a.yaml".into(), "a.yaml".into(), Vec::new());
        for (text, said) in [
            ("a: @qzcanary\n", "unexpected character: `@'"),
            ("a: `qzcanary\n", "unexpected character: ``'"),
            (
                "a: \"qzcanary\n",
                "while scanning a quoted scalar, found unexpected end of stream",
            ),
            (
                "a: qzcanary: x\n",
                "mapping values are not allowed in this context",
            ),
            (
                "a: \"\\qqzcanary\"\n",
                "while parsing a quoted scalar, found unknown escape character",
            ),
        ] {
            let file = YamlFile::parse(text);
            let message = file.errors[0].message.fingerprint_text(&source);
            assert!(
                message.starts_with(&format!("YAML syntax error: {said}; ")),
                "{text}: {message}"
            );
        }
        assert_eq!(
            syntax_error("a message quoting qzcanary"),
            "the YAML parser could not read this"
        );
    }

    #[test]
    fn what_the_parser_did_not_hand_over_is_sensitive_after_each_line_s_key_or_whole() {
        let text = "a: 1\nb: [x, \"qzcanary\"\n  c: qzcanary\nd qzcanary\n";
        let file = YamlFile::parse(text);
        let hidden: Vec<&str> = file
            .unread_sensitive(text)
            .iter()
            .map(|s| &text[s.span.range()])
            .collect();
        // From the last value handed over (`[`), after a key, and a line without one whole.
        assert_eq!(hidden, [": [x, \"qzcanary\"", ": qzcanary", "d qzcanary"]);

        let deep = format!("a: 1\nb: {}qzcanary{}\n", "[".repeat(300), "]".repeat(300));
        let file = YamlFile::parse(&deep);
        let hidden = file.unread_sensitive(&deep);
        assert!(hidden
            .iter()
            .any(|s| deep[s.span.range()].contains("qzcanary")));
        assert!(!hidden.iter().any(|s| deep[s.span.range()].contains("a: 1")));
    }
}
