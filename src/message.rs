//! Text for users that cannot carry a secret, by construction.
//!
//! A finding's message, a related location's message and a parse error are [`Message`]s,
//! assembled only from parts that say what they are: text written in preflight's own source
//! code (`&'static str`), numbers, other messages, and [`Quote`]s — text from a scanned file
//! together with the span it was read from. No function turns an arbitrary `String` into a
//! message. When the engine renders a message it shows a quote only if its span holds none
//! of the secrets the file's format declared ([`crate::formats::Format::sensitive`]); masking
//! is by position, never by searching for a value's text, so a password that happens to be
//! `password` or the project's name blanks out nothing else.
//!
//! Rules write messages with [`msg!`](crate::msg), a `format!` that accepts only `{}`
//! placeholders (checked at compile time) and only [`Shown`] arguments:
//!
//! ```
//! use preflight::{message::Quote, msg, source::Span};
//! let key_span = Span::new(0, 10);
//! let message = msg!("`{}` is only {} characters long", Quote::at(key_span), 7_usize);
//! # let _ = message;
//! ```
//!
//! Text read from a file cannot be passed as it is: a `String` is not [`Shown`].
//!
//! ```compile_fail
//! use preflight::msg;
//! let read_from_the_file = String::from("hunter2");
//! let message = msg!("the value is {}", read_from_the_file);
//! ```

use std::fmt::Write as _;
use std::sync::Arc;

use crate::source::{FileRef, SourceFile, Span};

/// A message for users, rendered by the engine once the file's secrets are known.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Message {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Part {
    /// Text from preflight's own source code.
    Static(&'static str),
    /// Text preflight produced itself (a number, a name it defines); never file text.
    Produced(String),
    /// Text from a scanned file.
    Quote(Quote),
}

/// Text from a scanned file, with the span it was read from: shown only if that span holds
/// no secret, cut to [`Quote::MAX_CHARS`] characters, control characters made visible.
#[derive(Debug, Clone)]
pub struct Quote {
    /// `None`: the file the message is attached to.
    file: Option<QuotedFile>,
    span: Span,
    /// `None`: the text at `span`; otherwise text derived from it (a normalised name, a
    /// value without its quotes).
    text: Option<Box<str>>,
}

/// The file a quote comes from: one the scan holds, or one a fact-based check named
/// without its text, which the engine reads again before the message is rendered (an
/// unresolved one shows nothing).
#[derive(Debug, Clone)]
pub enum QuotedFile {
    /// The file, read.
    Read(Arc<SourceFile>),
    /// The file, named.
    Named(FileRef),
}

impl From<&Arc<SourceFile>> for QuotedFile {
    fn from(file: &Arc<SourceFile>) -> Self {
        Self::Read(Arc::clone(file))
    }
}

impl From<&FileRef> for QuotedFile {
    fn from(file: &FileRef) -> Self {
        Self::Named(file.clone())
    }
}

impl PartialEq for QuotedFile {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Read(a), Self::Read(b)) => Arc::ptr_eq(a, b),
            (Self::Named(a), Self::Named(b)) => a == b,
            _ => false,
        }
    }
}

impl std::hash::Hash for QuotedFile {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self {
            Self::Read(file) => Arc::as_ptr(file).hash(state),
            Self::Named(file) => file.hash(state),
        }
    }
}

impl Quote {
    /// Longest quote shown; longer ones end in `…`.
    pub const MAX_CHARS: usize = 200;

    /// What is written at `span` of the file the message is attached to.
    pub fn at(span: Span) -> Self {
        Self {
            file: None,
            span,
            text: None,
        }
    }

    /// `text`, which was derived from what is written at `span` of the file the message is
    /// attached to (unquoted, unescaped, normalised, joined).
    pub fn derived(span: Span, text: impl Into<Box<str>>) -> Self {
        Self {
            file: None,
            span,
            text: Some(text.into()),
        }
    }

    /// What is written at `span` of another file (the file a value came from, an included
    /// file).
    pub fn in_file(file: impl Into<QuotedFile>, span: Span) -> Self {
        Self {
            file: Some(file.into()),
            span,
            text: None,
        }
    }

    /// `text`, derived from what is written at `span` of `file`.
    pub fn derived_in(file: impl Into<QuotedFile>, span: Span, text: impl Into<Box<str>>) -> Self {
        Self {
            file: Some(file.into()),
            span,
            text: Some(text.into()),
        }
    }
}

impl Quote {
    /// The quoted text, `file` being the file it comes from.
    fn text_in<'a>(&'a self, file: &'a SourceFile) -> &'a str {
        self.text
            .as_deref()
            .unwrap_or_else(|| file.slice(self.span))
    }
}

/// Two quotes are the same when they quote the same place of the same file (by identity:
/// one scan reads a file once).
impl PartialEq for Quote {
    fn eq(&self, other: &Self) -> bool {
        self.span == other.span && self.text == other.text && self.file == other.file
    }
}

impl Eq for Quote {}

impl std::hash::Hash for Quote {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.span.hash(state);
        self.text.hash(state);
        self.file.hash(state);
    }
}

/// What stands in a message for a quote whose span holds a secret.
pub const HIDDEN: &str = "[hidden]";

/// Where a message is rendered: its own file, and the secrets of any file.
pub trait Secrets {
    /// The sorted, non-overlapping sensitive spans of `file`, or `None` when they are not
    /// known (then nothing from the file is shown).
    fn spans_of(&self, file: &SourceFile) -> Option<&[Span]>;
}

/// Whether `span` overlaps any of `sorted` (sorted by start, non-overlapping). An empty span
/// overlaps a secret it sits inside.
pub fn overlaps(sorted: &[Span], span: Span) -> bool {
    let first_ending_after = sorted.partition_point(|s| s.end <= span.start);
    sorted.get(first_ending_after).is_some_and(|s| {
        if span.is_empty() {
            s.start <= span.start
        } else {
            s.start < span.end
        }
    })
}

impl Message {
    /// An empty message, to build with [`Message::push`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a part.
    pub fn push(&mut self, part: impl Shown) -> &mut Self {
        part.append_to(self);
        self
    }

    /// `items` separated by `separator`.
    pub fn join<T: Shown>(items: impl IntoIterator<Item = T>, separator: &'static str) -> Self {
        let mut message = Self::new();
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                message.push(separator);
            }
            message.push(item);
        }
        message
    }

    /// Whether the message has no text at all.
    pub fn is_empty(&self) -> bool {
        self.parts.iter().all(|p| match p {
            Part::Static(s) => s.is_empty(),
            Part::Produced(s) => s.is_empty(),
            Part::Quote(_) => false,
        })
    }

    /// An empty message with room for `parts` parts (what [`msg!`](crate::msg) starts from).
    #[doc(hidden)]
    pub fn with_capacity(parts: usize) -> Self {
        Self {
            parts: Vec::with_capacity(parts),
        }
    }

    /// Appends the template's text from piece `from` up to its next placeholder, and
    /// returns where the text after that placeholder starts (what [`msg!`](crate::msg)
    /// expands to, around each argument).
    #[doc(hidden)]
    pub fn push_template(
        &mut self,
        template: &'static str,
        pieces: &[Piece],
        from: usize,
    ) -> usize {
        for (i, piece) in pieces.iter().enumerate().skip(from) {
            match *piece {
                Piece::Text(start, end) => self.push_static(&template[start..end]),
                Piece::Hole => return i + 1,
            }
        }
        pieces.len()
    }

    /// The message with every quote of the file it is attached to (`own`) moved to the
    /// file and span `locate` maps its span to: for a document built from several files,
    /// whose spans are in one address space. A quote `locate` cannot map stays `own`'s.
    pub fn relocated(
        &self,
        own: &Arc<SourceFile>,
        locate: &dyn Fn(Span) -> Option<(Arc<SourceFile>, Span)>,
    ) -> Self {
        let parts = self
            .parts
            .iter()
            .map(|part| match part {
                Part::Quote(q)
                    if q.file.as_ref().is_none_or(
                        |f| matches!(f, QuotedFile::Read(f) if Arc::ptr_eq(f, own)),
                    ) =>
                {
                    let (file, span) = locate(q.span).unwrap_or_else(|| (Arc::clone(own), q.span));
                    Part::Quote(Quote {
                        file: Some(QuotedFile::Read(file)),
                        span,
                        text: q.text.clone(),
                    })
                }
                other => other.clone(),
            })
            .collect();
        Self { parts }
    }

    /// Each file the message quotes, with the span quoted, for a message attached to `own`
    /// (a quote of a file named without its text is read again later, and not listed).
    pub fn quotes<'a>(
        &'a self,
        own: &'a Arc<SourceFile>,
    ) -> impl Iterator<Item = (&'a Arc<SourceFile>, Span)> + 'a {
        self.parts.iter().filter_map(move |part| match part {
            Part::Quote(quote) => match &quote.file {
                None => Some((own, quote.span)),
                Some(QuotedFile::Read(read)) => Some((read, quote.span)),
                Some(QuotedFile::Named(_)) => None,
            },
            _ => None,
        })
    }

    /// The files named without their text that the message quotes.
    pub fn named_files(&self) -> impl Iterator<Item = &FileRef> {
        self.parts.iter().filter_map(|part| match part {
            Part::Quote(Quote {
                file: Some(QuotedFile::Named(file)),
                ..
            }) => Some(file),
            _ => None,
        })
    }

    /// The message with every file named without its text replaced by the file `read`
    /// gives for it (read again at the end of a scan).
    pub fn resolved(self, read: &dyn Fn(&FileRef) -> Arc<SourceFile>) -> Self {
        let parts = self
            .parts
            .into_iter()
            .map(|part| match part {
                Part::Quote(Quote {
                    file: Some(QuotedFile::Named(file)),
                    span,
                    text,
                }) => Part::Quote(Quote {
                    file: Some(QuotedFile::Read(read(&file))),
                    span,
                    text,
                }),
                other => other,
            })
            .collect();
        Self { parts }
    }

    fn push_static(&mut self, text: &'static str) {
        if !text.is_empty() {
            self.parts.push(Part::Static(text));
        }
    }

    fn push_produced(&mut self, text: String) {
        self.parts.push(Part::Produced(text));
    }

    /// The message as users read it, attached to `own` (the file quotes without a file of
    /// their own come from): quotes over a secret become [`HIDDEN`].
    pub fn render(&self, own: &SourceFile, secrets: &dyn Secrets) -> String {
        self.assemble(own, |out, file, quote| {
            let shown = file.and_then(|file| {
                let spans = secrets.spans_of(file)?;
                (!overlaps(spans, quote.span)).then(|| quote.text_in(file))
            });
            match shown {
                Some(text) => push_visible(out, text),
                None => out.push_str(HIDDEN),
            }
        })
    }

    /// A stable text for fingerprints: the message with every quote's raw text. Hashed,
    /// never shown.
    pub fn fingerprint_text(&self, own: &SourceFile) -> String {
        self.assemble(own, |out, file, quote| match file {
            Some(file) => out.push_str(quote.text_in(file)),
            None => out.push_str(quote.text.as_deref().unwrap_or_default()),
        })
    }

    /// The parts in order, each quote written by `quote` with the file it comes from
    /// (`None`: a file named without its text that was never read again).
    fn assemble(
        &self,
        own: &SourceFile,
        mut quote: impl FnMut(&mut String, Option<&SourceFile>, &Quote),
    ) -> String {
        // Grown once rather than doubled a few times for each finding's message.
        let expected = self
            .parts
            .iter()
            .map(|part| match part {
                Part::Static(text) => text.len(),
                Part::Produced(text) => text.len(),
                Part::Quote(q) => q
                    .text
                    .as_deref()
                    .map_or(q.span.len(), str::len)
                    .clamp(HIDDEN.len(), Quote::MAX_CHARS),
            })
            .sum();
        let mut out = String::with_capacity(expected);
        for part in &self.parts {
            match part {
                Part::Static(text) => out.push_str(text),
                Part::Produced(text) => out.push_str(text),
                Part::Quote(q) => {
                    let file = match &q.file {
                        None => Some(own),
                        Some(QuotedFile::Read(file)) => Some(&**file),
                        Some(QuotedFile::Named(_)) => None,
                    };
                    quote(&mut out, file, q);
                }
            }
        }
        out
    }
}

/// Appends `text` cut to [`Quote::MAX_CHARS`] characters, with control characters written
/// as escapes so a file cannot move the cursor, ring bells or start a new output line.
pub fn push_visible(out: &mut String, text: &str) {
    // Nearly every quote is short printable ASCII, shown as it is.
    if text.len() <= Quote::MAX_CHARS && text.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        out.push_str(text);
        return;
    }
    for (i, c) in text.chars().enumerate() {
        if i == Quote::MAX_CHARS {
            out.push('…');
            break;
        }
        if c.is_control() {
            let _ = write!(out, "{}", c.escape_default());
        } else {
            out.push(c);
        }
    }
}

impl From<&'static str> for Message {
    fn from(text: &'static str) -> Self {
        let mut message = Self::new();
        message.push_static(text);
        message
    }
}

impl From<Quote> for Message {
    fn from(quote: Quote) -> Self {
        Self {
            parts: vec![Part::Quote(quote)],
        }
    }
}

/// What may go into a message: text from preflight's own code, numbers, quotes, messages.
/// Deliberately not implemented for `String` or `&str` of any shorter lifetime.
pub trait Shown {
    /// Appends itself.
    fn append_to(self, message: &mut Message);
}

impl Shown for &'static str {
    fn append_to(self, message: &mut Message) {
        message.push_static(self);
    }
}

impl Shown for Message {
    fn append_to(self, message: &mut Message) {
        message.parts.extend(self.parts);
    }
}

impl Shown for &Message {
    fn append_to(self, message: &mut Message) {
        message.parts.extend(self.parts.iter().cloned());
    }
}

impl Shown for Quote {
    fn append_to(self, message: &mut Message) {
        message.parts.push(Part::Quote(self));
    }
}

impl Shown for &Quote {
    fn append_to(self, message: &mut Message) {
        message.parts.push(Part::Quote(self.clone()));
    }
}

macro_rules! numbers_are_shown {
    ($($t:ty),*) => {$(
        impl Shown for $t {
            fn append_to(self, message: &mut Message) {
                message.push_produced(self.to_string());
            }
        }
    )*};
}

numbers_are_shown!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

/// A number with a fixed count of decimals (`Decimals(bits, 0)`).
#[derive(Debug, Clone, Copy)]
pub struct Decimals(pub f64, pub usize);

impl Shown for Decimals {
    fn append_to(self, message: &mut Message) {
        message.push_produced(format!("{:.*}", self.1, self.0));
    }
}

/// The path of a file as shown to users (file names are not secrets).
impl Shown for &SourceFile {
    fn append_to(self, message: &mut Message) {
        message.push_produced(self.display_path.clone());
    }
}

impl Shown for &Arc<SourceFile> {
    fn append_to(self, message: &mut Message) {
        message.push_produced(self.display_path.clone());
    }
}

impl Shown for &FileRef {
    fn append_to(self, message: &mut Message) {
        message.push_produced(self.display_path().to_owned());
    }
}

/// Nothing, or the part.
impl<T: Shown> Shown for Option<T> {
    fn append_to(self, message: &mut Message) {
        if let Some(part) = self {
            part.append_to(message);
        }
    }
}

/// A run of a [`msg!`](crate::msg) template: text (a byte range of it) or a placeholder.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece {
    /// The template's bytes `start..end`, with no placeholder or brace escape inside.
    Text(usize, usize),
    /// A `{}`.
    Hole,
}

/// How many [`Piece`]s [`pieces`] splits `template` into.
#[doc(hidden)]
pub const fn piece_count(template: &str) -> usize {
    split_template(template, &mut []).1
}

/// `template` split at compile time: text runs and placeholders, in order, with `{{` and
/// `}}` each a run of one brace. A message is then its runs and arguments pushed in
/// turn: nothing is searched, and no argument is built as a message of its own first.
#[doc(hidden)]
pub const fn pieces<const N: usize>(template: &str) -> [Piece; N] {
    let mut pieces = [Piece::Hole; N];
    let _ = split_template(template, &mut pieces);
    pieces
}

/// Writes `template`'s pieces into `out` as far as it has room, and returns the
/// placeholders and the pieces it has.
const fn split_template(template: &str, out: &mut [Piece]) -> (usize, usize) {
    const fn put(out: &mut [Piece], at: usize, piece: Piece) -> usize {
        if at < out.len() {
            out[at] = piece;
        }
        at + 1
    }
    let bytes = template.as_bytes();
    let (mut i, mut run, mut count, mut holes) = (0, 0, 0, 0);
    while i < bytes.len() {
        if bytes[i] != b'{' && bytes[i] != b'}' {
            i += 1;
            continue;
        }
        assert!(
            i + 1 < bytes.len()
                && (bytes[i + 1] == bytes[i] || (bytes[i] == b'{' && bytes[i + 1] == b'}')),
            "msg!: write `{{}}` placeholders and pass the values as arguments; a lone brace is written twice"
        );
        if run < i {
            count = put(out, count, Piece::Text(run, i));
        }
        if bytes[i + 1] == b'}' && bytes[i] == b'{' {
            count = put(out, count, Piece::Hole);
            holes += 1;
        } else {
            count = put(out, count, Piece::Text(i, i + 1));
        }
        i += 2;
        run = i;
    }
    if run < bytes.len() {
        count = put(out, count, Piece::Text(run, bytes.len()));
    }
    (holes, count)
}

/// Counts `{}` placeholders in a [`msg!`](crate::msg) template; any other use of `{` or `}`
/// (named or formatted placeholders, which would bypass [`Shown`]) fails to compile.
#[doc(hidden)]
pub const fn placeholders(template: &str) -> usize {
    split_template(template, &mut []).0
}

/// A [`Message`] from a template with `{}` placeholders and [`Shown`] arguments:
/// `msg!("`{}` is {} characters long", Quote::at(span), len)`.
#[macro_export]
macro_rules! msg {
    ($template:literal $(, $arg:expr)* $(,)?) => {{
        const _: () = assert!(
            $crate::message::placeholders($template) == 0 $(+ { let _ = stringify!($arg); 1 })*,
            "msg!: the number of `{{}}` placeholders and arguments differ"
        );
        const COUNT: usize = $crate::message::piece_count($template);
        const PIECES: [$crate::message::Piece; COUNT] = $crate::message::pieces::<COUNT>($template);
        let mut message = $crate::message::Message::with_capacity(COUNT);
        #[allow(unused_mut)]
        let mut _next = 0;
        $(
            _next = message.push_template($template, &PIECES, _next);
            message.push($arg);
        )*
        message.push_template($template, &PIECES, _next);
        message
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Known(Vec<Span>);

    impl Secrets for Known {
        fn spans_of(&self, _: &SourceFile) -> Option<&[Span]> {
            Some(&self.0)
        }
    }

    fn file(text: &str) -> SourceFile {
        SourceFile::from_bytes("f".into(), "f".into(), text.as_bytes().to_vec())
    }

    /// Templates are split at compile time into the parts the message then has: holes at
    /// either end and side by side, escaped braces on their own and next to holes, and an
    /// argument of several parts, rendered and compared part for part.
    #[test]
    fn templates_become_their_runs_and_arguments() {
        assert_eq!(pieces::<1>("{}"), [Piece::Hole]);
        assert_eq!(
            pieces::<5>("a{{}}{}b"),
            [
                Piece::Text(0, 1),
                Piece::Text(1, 2),
                Piece::Text(3, 4),
                Piece::Hole,
                Piece::Text(7, 8)
            ]
        );
        assert_eq!(piece_count("{}{}x{}"), 4);
        assert_eq!(placeholders("{{{}}}"), 1);
        let source = file("abcdef");
        let none = Known(Vec::new());
        let two: Message = msg!("{}+{}", Quote::at(Span::new(0, 1)), 2usize);
        let cases = [
            (msg!("{}{}", 1usize, 2usize), "12", 2),
            (msg!("{{{}}}", 7usize), "{7}", 3),
            (msg!("x{{}}y"), "x{}y", 4),
            (msg!("[{}]", &two), "[a+2]", 5),
            (msg!(""), "", 0),
            (
                msg!("{} and {}", two.clone(), Quote::at(Span::new(1, 3))),
                "a+2 and bc",
                5,
            ),
        ];
        for (message, rendered, parts) in cases {
            assert_eq!(message.render(&source, &none), rendered);
            assert_eq!(message.parts.len(), parts, "{rendered}");
        }
    }

    #[test]
    fn quotes_are_shown_unless_their_span_holds_a_secret() {
        let source = file("PASSWORD=hunter22 NAME=web");
        let secrets = Known(vec![Span::new(9, 17)]);
        let message = msg!(
            "`{}` = `{}`; `{}` is {} long {{ok}}",
            Quote::at(Span::new(0, 8)),
            Quote::at(Span::new(9, 17)),
            Quote::at(Span::new(23, 26)),
            8usize
        );
        assert_eq!(
            message.render(&source, &secrets),
            "`PASSWORD` = `[hidden]`; `web` is 8 long {ok}"
        );
    }

    #[test]
    fn a_quote_touching_a_secret_by_one_byte_is_hidden_and_neighbours_are_not() {
        let spans = [Span::new(5, 10), Span::new(20, 22)];
        assert!(overlaps(&spans, Span::new(9, 12)));
        assert!(overlaps(&spans, Span::new(0, 6)));
        assert!(overlaps(&spans, Span::new(7, 7)));
        assert!(!overlaps(&spans, Span::new(10, 20)));
        assert!(!overlaps(&spans, Span::new(0, 5)));
        assert!(!overlaps(&spans, Span::new(22, 30)));
    }

    #[test]
    fn unknown_files_show_nothing_and_control_characters_are_escaped() {
        struct Unknown;
        impl Secrets for Unknown {
            fn spans_of(&self, _: &SourceFile) -> Option<&[Span]> {
                None
            }
        }
        let source = file("a\u{1b}]0;x\u{7}\nb");
        let quote: Message = Quote::at(Span::new(0, source.text.len())).into();
        assert_eq!(quote.render(&source, &Unknown), HIDDEN);
        assert_eq!(
            quote.render(&source, &Known(vec![])),
            "a\\u{1b}]0;x\\u{7}\\nb"
        );
    }

    #[test]
    fn long_quotes_are_cut() {
        let source = file(&"x".repeat(300));
        let quote: Message = Quote::at(Span::new(0, 300)).into();
        let shown = quote.render(&source, &Known(vec![]));
        assert_eq!(shown.chars().count(), Quote::MAX_CHARS + 1);
        assert!(shown.ends_with('…'));
    }
}
