//! A faithful parser for nginx configuration files.
//!
//! It follows nginx's own tokenizer (`ngx_conf_read_token` in `src/core/ngx_conf_file.c`):
//! words are separated by blanks, `;` ends a directive, `{ … }` opens a block, `#` starts a
//! comment only where a word could start, single and double quotes group a word (with `\`
//! escapes), `${var}` keeps its braces inside a word, and `}` inside a word is part of it.
//! Directive names are never checked against a list: nginx keeps adding directives
//! (`http2 on;` since 1.25.1), so unknown ones are kept like any other. `*_by_lua_block`
//! bodies are Lua, not nginx syntax, and are kept raw.
//!
//! The tree keeps a span for every directive, name, argument and block, plus every comment,
//! so the original text can be reproduced and every finding located exactly.

use std::sync::Arc;

use compact_str::CompactString;

pub mod includes;

use crate::formats::sensitive::{assignment_sensitive, unreadable_lines, Sensitive, Shown};
use crate::formats::ParseError;
use crate::formats::Target;
use crate::formats::{Classification, FileName, Files, Format, ParseContext};
use crate::message::{Message, Quote};
use crate::msg;
use crate::secrets::secret_kind;
use crate::source::{SourceFile, Span};

/// One word of a directive, as nginx reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NginxArg {
    /// The word with quotes removed and `\` escapes applied (`\"` → `"`), as nginx sees it.
    pub value: CompactString,
    /// The word as written, quotes included.
    pub span: Span,
    /// The quote character, if the word was quoted.
    pub quote: Option<char>,
}

/// A `{ … }` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NginxBlock {
    /// The directives inside (empty for raw blocks).
    pub directives: Vec<NginxDirective>,
    /// From `{` to `}` inclusive.
    pub span: Span,
    /// For `*_by_lua_block`: the Lua source between the braces, not parsed.
    pub raw: Option<Span>,
}

/// `name arg…;` or `name arg… { … }`.
#[derive(Debug, Clone)]
pub struct NginxDirective {
    /// The directive name (`server`, `add_header`, …).
    pub name: CompactString,
    /// Where the name is written.
    pub name_span: Span,
    /// The arguments after the name.
    pub args: Vec<NginxArg>,
    /// The block, for block directives.
    pub block: Option<NginxBlock>,
    /// From the name to the `;` or the closing `}`.
    pub span: Span,
    /// The file the directive was written in, when an `include` brought it into another
    /// file's tree; `None` for the file's own directives. Spans are relative to it.
    pub origin: Option<Arc<SourceFile>>,
    /// For a directive at the top of an included file: the `include` that brought it in
    /// (its file and span), so a finding can say where the context came from.
    pub included_at: Option<(Arc<SourceFile>, Span)>,
}

impl PartialEq for NginxDirective {
    /// Same text at the same place; the origin file is compared by identity.
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.name_span == other.name_span
            && self.args == other.args
            && self.block == other.block
            && self.span == other.span
            && self.included_at.as_ref().map(|(f, s)| (Arc::as_ptr(f), *s))
                == other
                    .included_at
                    .as_ref()
                    .map(|(f, s)| (Arc::as_ptr(f), *s))
            && match (&self.origin, &other.origin) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                (a, b) => a.is_none() && b.is_none(),
            }
    }
}

impl Eq for NginxDirective {}

impl NginxDirective {
    /// The argument values, as nginx sees them.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.args.iter().map(|a| a.value.as_str())
    }

    /// The directives of this directive's block (none for simple directives).
    pub fn children(&self) -> &[NginxDirective] {
        self.block.as_ref().map_or(&[], |b| &b.directives)
    }
}

/// A parsed nginx file: its top-level directives, comments and parse errors.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NginxConfig {
    /// Directives at the top of the file.
    pub directives: Vec<NginxDirective>,
    /// Every `# comment`, in file order.
    pub comments: Vec<Span>,
    /// What could not be read.
    pub errors: Vec<ParseError>,
    /// Text the parser gave up on: from an unclosed quote or Lua block to the end of the
    /// file, which may be a credential whose closing quote is missing.
    pub unread: Vec<Span>,
    /// What following this file's `include` directives found (filled after parsing, when
    /// the other files of the scan are known).
    pub includes: IncludeResolution,
}

/// The result of following `include` directives across the files of a scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncludeResolution {
    /// This file's directives with every followed `include` replaced by the directives of
    /// the files it names (their [`NginxDirective::origin`] says which); `None` when no
    /// include was followed.
    pub expanded: Option<Vec<NginxDirective>>,
    /// Another file of the scan includes this one, so its directives are judged there, in
    /// the context they are included in.
    pub included_elsewhere: bool,
    /// Includes nginx would fail on: a file that does not exist, a cycle.
    pub problems: Vec<ParseError>,
    /// Includes preflight did not follow, though nginx would: they would expand past the
    /// directive budget or nest blocks past the parser's depth limit. Kept apart from
    /// `problems` because the configuration may be valid; what is unjudged is preflight's.
    pub not_followed: Vec<ParseError>,
}

impl NginxConfig {
    /// Parses `text`; never fails, errors are collected in [`NginxConfig::errors`].
    pub fn parse(text: &str) -> Self {
        let mut parser = Parser::new(text);
        let directives = parser.block_body(None);
        if let Some(open) = parser.too_deep {
            parser.error(
                Span::new(open, open + 1),
                msg!(
                    "blocks nested more than {} levels deep; the deeper levels were not read",
                    MAX_DEPTH
                ),
            );
        }
        NginxConfig {
            directives,
            comments: parser.comments,
            errors: parser.errors,
            unread: parser.unread,
            includes: IncludeResolution::default(),
        }
    }

    /// Whether this is plausibly an nginx file at all, for names that do not say (`*.conf`
    /// is also fail2ban, logrotate, BIND…): at least one complete directive that only nginx
    /// has, a `server { … }` or `if (…) { … }` block, `set $var`, or an `include` of a relative `*.conf` (fragments
    /// such as h5bp's `basic.conf` consist of nothing else). Syntax errors do not disqualify
    /// a file, so broken nginx files are still reported.
    pub fn looks_like_nginx(&self) -> bool {
        self.directives().any(|d| {
            let first = d.args.first().map_or("", |a| a.value.as_str());
            NGINX_DIRECTIVES.binary_search(&d.name.as_str()).is_ok()
                || (d.name == "server" && d.block.is_some())
                || (d.name == "if" && first.starts_with('(') && d.block.is_some())
                || (d.name == "set" && first.starts_with('$'))
                || (d.name == "include"
                    && !first.starts_with('/')
                    && (first.ends_with(".conf") || first.ends_with('*')))
        })
    }

    /// Every directive written in the file, depth first, with the block directives around
    /// it, outermost first (`[http, server]` for a directive inside `server` inside `http`).
    pub fn walk(&self) -> Vec<(Vec<&NginxDirective>, &NginxDirective)> {
        walk(&self.directives)
    }

    /// Every directive written in the file, depth first, as [`Self::walk`] lists them but
    /// without the blocks around each (no list of them copied per directive).
    pub fn directives(&self) -> impl Iterator<Item = &NginxDirective> {
        directives(&self.directives)
    }

    /// The directives as nginx would see them from this file: its own, with followed
    /// includes expanded.
    pub fn tree(&self) -> &[NginxDirective] {
        self.includes
            .expanded
            .as_deref()
            .unwrap_or(&self.directives)
    }
}

/// Calls `visit` for every directive of `list`, depth first, with the block directives
/// around it, outermost first. Unlike [`walk`] it allocates nothing per directive, which
/// matters because every nginx rule goes through the whole tree.
pub fn for_each<'a>(
    list: &'a [NginxDirective],
    visit: &mut impl FnMut(&[&'a NginxDirective], &'a NginxDirective),
) {
    fn go<'a>(
        list: &'a [NginxDirective],
        path: &mut Vec<&'a NginxDirective>,
        visit: &mut impl FnMut(&[&'a NginxDirective], &'a NginxDirective),
    ) {
        for directive in list {
            visit(path, directive);
            if let Some(block) = &directive.block {
                path.push(directive);
                go(&block.directives, path, visit);
                path.pop();
            }
        }
    }
    go(list, &mut Vec::new(), visit);
}

/// Every directive of `list`, depth first, as [`walk`] lists them, without the blocks
/// around each.
pub fn directives(list: &[NginxDirective]) -> impl Iterator<Item = &NginxDirective> {
    let mut open = vec![list.iter()];
    std::iter::from_fn(move || loop {
        let block = open.last_mut()?;
        match block.next() {
            Some(directive) => {
                if let Some(inner) = &directive.block {
                    open.push(inner.directives.iter());
                }
                return Some(directive);
            }
            None => {
                open.pop();
            }
        }
    })
}

/// Every directive of `list`, depth first, with the block directives around it.
pub fn walk(list: &[NginxDirective]) -> Vec<(Vec<&NginxDirective>, &NginxDirective)> {
    fn visit<'a>(
        list: &'a [NginxDirective],
        path: &mut Vec<&'a NginxDirective>,
        out: &mut Vec<(Vec<&'a NginxDirective>, &'a NginxDirective)>,
    ) {
        for directive in list {
            out.push((path.clone(), directive));
            if let Some(block) = &directive.block {
                path.push(directive);
                visit(&block.directives, path, out);
                path.pop();
            }
        }
    }
    let mut out = Vec::new();
    visit(list, &mut Vec::new(), &mut out);
    out
}

/// Directive names that only nginx uses (sorted, for binary search). Only used to recognise
/// nginx files; directives not listed here are still parsed and kept.
const NGINX_DIRECTIVES: &[&str] = &[
    "access_log",
    "add_header",
    "alias",
    "auth_basic",
    "auth_basic_user_file",
    "autoindex",
    "brotli",
    "brotli_static",
    "brotli_types",
    "charset",
    "charset_types",
    "client_body_buffer_size",
    "client_max_body_size",
    "default_type",
    "error_log",
    "error_page",
    "etag",
    "events",
    "expires",
    "fastcgi_index",
    "fastcgi_param",
    "fastcgi_pass",
    "fastcgi_split_path_info",
    "geo",
    "grpc_pass",
    "gzip",
    "gzip_comp_level",
    "gzip_proxied",
    "gzip_static",
    "gzip_types",
    "gzip_vary",
    "http",
    "keepalive_timeout",
    "limit_conn",
    "limit_conn_zone",
    "limit_req",
    "limit_req_zone",
    "listen",
    "location",
    "log_format",
    "map",
    "more_clear_headers",
    "more_set_headers",
    "open_file_cache",
    "open_file_cache_errors",
    "open_file_cache_min_uses",
    "open_file_cache_valid",
    "proxy_buffering",
    "proxy_cache",
    "proxy_http_version",
    "proxy_pass",
    "proxy_read_timeout",
    "proxy_redirect",
    "proxy_set_header",
    "resolver",
    "return",
    "rewrite",
    "sendfile",
    "server_name",
    "server_tokens",
    "ssl_certificate",
    "ssl_certificate_key",
    "ssl_ciphers",
    "ssl_dhparam",
    "ssl_prefer_server_ciphers",
    "ssl_protocols",
    "ssl_session_cache",
    "ssl_session_tickets",
    "ssl_session_timeout",
    "ssl_stapling",
    "ssl_stapling_verify",
    "ssl_trusted_certificate",
    "stream",
    "tcp_nodelay",
    "tcp_nopush",
    "try_files",
    "types",
    "types_hash_max_size",
    "upstream",
    "uwsgi_param",
    "uwsgi_pass",
    "valid_referers",
    "worker_connections",
    "worker_processes",
];

/// How deep blocks are read; deeper ones are skipped (real configurations nest fewer than
/// 20 levels). Every recursive walk over a tree relies on it: no stack overflow on hostile
/// input.
pub const MAX_DEPTH: usize = 200;

/// What ended a directive's list of words.
enum Terminator {
    Semicolon(usize),
    BlockOpen(usize),
    BlockClose(usize),
    Eof,
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    comments: Vec<Span>,
    errors: Vec<ParseError>,
    unread: Vec<Span>,
    /// How many blocks are open.
    depth: usize,
    /// The first `{` opening a block deeper than [`MAX_DEPTH`].
    too_deep: Option<usize>,
    /// The lines last made unread by a word right after a closing quote.
    unread_after_quote: Option<Span>,
    /// Where the line of the first quoted word that runs over a line end starts.
    first_multiline_quote: Option<usize>,
}

const fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// The bytes a bare word's reader must look at: those that may end it (blanks, `;`, `{`),
/// start an escape (`\\`) or a variable (`$`, before a `{` that then does not end it).
const BARE_WORD_STOPS: [bool; 256] = {
    let mut stops = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        stops[i] = is_blank(b) || matches!(b, b';' | b'{' | b'\\' | b'$');
        i += 1;
    }
    stops
};

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Parser {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            comments: Vec::new(),
            errors: Vec::new(),
            unread: Vec::new(),
            depth: 0,
            too_deep: None,
            unread_after_quote: None,
            first_multiline_quote: None,
        }
    }

    fn error(&mut self, span: Span, message: impl Into<Message>) {
        self.errors.push(ParseError {
            span,
            message: message.into(),
        });
    }

    /// Gives up on the rest of the file from `start`, reporting `message` there. Nothing
    /// from `unread_from` on is read: at most the start of `start`'s line, since the words
    /// before an unclosed quote are not known to be a directive.
    fn give_up(&mut self, start: usize, unread_from: usize, message: &'static str) {
        self.error(Span::new(start, start + 1), message);
        let unread_from = unread_from.min(self.line_start(start));
        self.unread.push(Span::new(unread_from, self.bytes.len()));
        self.pos = self.bytes.len();
    }

    /// Where the line holding `at` starts.
    fn line_start(&self, at: usize) -> usize {
        self.text[..at].rfind('\n').map_or(0, |i| i + 1)
    }

    /// Directives until the `}` closing the block opened at `open` (or the end of the file
    /// at the top level).
    fn block_body(&mut self, open: Option<usize>) -> Vec<NginxDirective> {
        let mut directives = Vec::new();
        loop {
            let (words, terminator) = self.words();
            match terminator {
                Terminator::Semicolon(at) => match split_name(words) {
                    Some((name, name_span, args)) => {
                        let span = Span::new(name_span.start, at + 1);
                        directives.push(NginxDirective {
                            name,
                            name_span,
                            args,
                            block: None,
                            span,
                            origin: None,
                            included_at: None,
                        });
                    }
                    None => self.error(
                        Span::new(at, at + 1),
                        "unexpected \";\": a directive needs a name",
                    ),
                },
                Terminator::BlockOpen(at) => match split_name(words) {
                    Some((name, name_span, args)) => {
                        let block = if name.ends_with("_by_lua_block") {
                            self.raw_block(at)
                        } else {
                            let inner = self.nested_block(at);
                            NginxBlock {
                                directives: inner,
                                span: Span::new(at, self.pos),
                                raw: None,
                            }
                        };
                        let span = Span::new(name_span.start, block.span.end);
                        directives.push(NginxDirective {
                            name,
                            name_span,
                            args,
                            block: Some(block),
                            span,
                            origin: None,
                            included_at: None,
                        });
                    }
                    None => {
                        self.error(
                            Span::new(at, at + 1),
                            "unexpected \"{\": a block needs a directive name before it",
                        );
                        // Read the anonymous block anyway so its closing brace does not end ours.
                        self.nested_block(at);
                    }
                },
                Terminator::BlockClose(at) => {
                    self.unterminated(&words, "unexpected \"}\"");
                    if open.is_some() {
                        return directives;
                    }
                    self.error(
                        Span::new(at, at + 1),
                        "unexpected \"}\": no block is open here",
                    );
                }
                Terminator::Eof => {
                    self.unterminated(&words, "unexpected end of file");
                    if let Some(open) = open {
                        self.error(
                            Span::new(open, open + 1),
                            "unexpected end of file: this \"{\" is never closed",
                        );
                    }
                    return directives;
                }
            }
        }
    }

    /// The directives of the block opened at `open`, or none if it is deeper than
    /// [`MAX_DEPTH`]: then its text is skipped (and unread) up to its closing `}`.
    fn nested_block(&mut self, open: usize) -> Vec<NginxDirective> {
        if self.depth < MAX_DEPTH {
            self.depth += 1;
            let directives = self.block_body(Some(open));
            self.depth -= 1;
            return directives;
        }
        self.too_deep.get_or_insert(open);
        let mut open_blocks = 1usize;
        while open_blocks > 0 {
            match self.words().1 {
                Terminator::BlockOpen(_) => open_blocks += 1,
                Terminator::BlockClose(_) => open_blocks -= 1,
                Terminator::Semicolon(_) => {}
                Terminator::Eof => {
                    self.error(
                        Span::new(open, open + 1),
                        "unexpected end of file: this \"{\" is never closed",
                    );
                    break;
                }
            }
        }
        self.unread.push(Span::new(open, self.pos));
        Vec::new()
    }

    /// Reports words that no `;` or block ended, as nginx does when `what` comes instead.
    fn unterminated(&mut self, words: &[NginxArg], what: &'static str) {
        if let (Some(first), Some(last)) = (words.first(), words.last()) {
            let span = Span::new(first.span.start, last.span.end);
            let name = Quote::derived(first.span, first.value.as_str());
            self.error(
                span,
                msg!("{}: the directive `{}` is missing its \";\"", what, name),
            );
        }
    }

    /// Reads words up to the next `;`, `{`, `}` or the end of the file.
    fn words(&mut self) -> (Vec<NginxArg>, Terminator) {
        let mut words = Vec::new();
        loop {
            while self.pos < self.bytes.len() && is_blank(self.bytes[self.pos]) {
                self.pos += 1;
            }
            let Some(&b) = self.bytes.get(self.pos) else {
                return (words, Terminator::Eof);
            };
            let at = self.pos;
            match b {
                b'#' => {
                    let end = self.text[at..]
                        .find('\n')
                        .map_or(self.text.len(), |i| at + i);
                    self.comments.push(Span::new(at, end));
                    self.pos = end;
                }
                b';' => {
                    self.pos += 1;
                    return (words, Terminator::Semicolon(at));
                }
                b'{' => {
                    self.pos += 1;
                    return (words, Terminator::BlockOpen(at));
                }
                b'}' => {
                    self.pos += 1;
                    return (words, Terminator::BlockClose(at));
                }
                b'"' | b'\'' => {
                    if let Some(word) = self.quoted(b) {
                        words.push(word);
                    }
                }
                _ => words.push(self.bare()),
            }
        }
    }

    /// A quoted word. After the closing quote nginx wants a blank, `;`, `{` or `}`.
    fn quoted(&mut self, quote: u8) -> Option<NginxArg> {
        let start = self.pos;
        let mut value = CompactString::default();
        let mut i = start + 1;
        // The text between escapes is copied a run at a time: only ASCII bytes matter here.
        let mut copied = i;
        while i < self.bytes.len() {
            let b = self.bytes[i];
            if b == b'\\' && i + 1 < self.bytes.len() {
                value.push_str(&self.text[copied..i]);
                i += 1 + unescape(&self.text[i + 1..], &mut value);
                copied = i;
                continue;
            }
            if b == quote {
                value.push_str(&self.text[copied..i]);
                self.pos = i + 1;
                let span = Span::new(start, i + 1);
                if self.first_multiline_quote.is_none() && self.text[span.range()].contains('\n') {
                    self.first_multiline_quote = Some(self.line_start(start));
                }
                if let Some(&next) = self.bytes.get(self.pos) {
                    // nginx: a blank, `;`, `{`, or `)` (closing an `if` condition).
                    if !is_blank(next) && !matches!(next, b';' | b'{' | b')') {
                        let c = self.text[self.pos..].chars().next().unwrap_or(' ');
                        let at = Span::new(self.pos, self.pos + c.len_utf8());
                        // The quote may have closed another one's text: neither the word
                        // nor what stands before it on its line is known to be what nginx
                        // reads. Its lines are searched for once: `""""…` on one 1 MiB line
                        // is half a million such words, and a search per word took minutes.
                        let unread_already = self
                            .unread_after_quote
                            .is_some_and(|line| line.start <= start && at.end <= line.end);
                        if !unread_already {
                            let line_start = self.line_start(start);
                            let line_end = self.text[at.end..]
                                .find('\n')
                                .map_or(self.text.len(), |i| at.end + i);
                            let line = Span::new(line_start, line_end);
                            self.unread.push(line);
                            self.unread_after_quote = Some(line);
                        }
                        self.error(
                            at,
                            msg!(
                                "unexpected \"{}\" after a quoted word: put a blank before it",
                                Quote::at(at)
                            ),
                        );
                    }
                }
                return Some(NginxArg {
                    value,
                    span,
                    quote: Some(quote as char),
                });
            }
            i += 1;
        }
        // A quote left open means the file's quotes were paired wrongly before it, where
        // a quote meant to close text opened some: quoted text running over a line end is
        // where that shows, so nothing from the first such word on is known to be read.
        self.give_up(
            start,
            self.first_multiline_quote.unwrap_or(start),
            "unterminated quote: the word runs to the end of the file",
        );
        None
    }

    /// An unquoted word: up to a blank, `;` or `{` (but `${` belongs to the word).
    fn bare(&mut self) -> NginxArg {
        let start = self.pos;
        let text = self.text;
        let bytes = self.bytes;
        // Only ASCII bytes end a word or escape, so the word is scanned a byte at a time.
        // Most words hold no escape: their value is their text, copied once at the end. An
        // escape starts a copy, grown a run of text at a time from there on.
        let mut unescaped: Option<CompactString> = None;
        let mut copied = start;
        let mut variable = false;
        let mut pos = start;
        loop {
            // Most bytes only continue the word: skipped by a look-up each.
            let run = bytes[pos..]
                .iter()
                .position(|&b| BARE_WORD_STOPS[usize::from(b)])
                .unwrap_or(bytes.len() - pos);
            if run > 0 {
                pos += run;
                variable = false;
            }
            let Some(&b) = bytes.get(pos) else { break };
            if b == b'{' && variable {
                pos += 1;
                variable = false;
                continue;
            }
            if is_blank(b) || b == b';' || b == b'{' {
                break;
            }
            variable = b == b'$';
            if b == b'\\' && pos + 1 < bytes.len() {
                let value = unescaped.get_or_insert_with(CompactString::default);
                value.push_str(&text[copied..pos]);
                pos += 1 + unescape(&text[pos + 1..], value);
                copied = pos;
                continue;
            }
            pos += 1;
        }
        self.pos = pos;
        let value = match unescaped {
            Some(mut value) => {
                value.push_str(&text[copied..pos]);
                value
            }
            None => CompactString::new(&text[start..pos]),
        };
        NginxArg {
            value,
            span: Span::new(start, pos),
            quote: None,
        }
    }

    /// The body of a `*_by_lua_block`: Lua source, kept as is. Braces are counted outside
    /// Lua strings and comments to find the end.
    fn raw_block(&mut self, open: usize) -> NginxBlock {
        let mut depth = 1usize;
        let mut i = open + 1;
        while i < self.bytes.len() {
            match self.bytes[i] {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        self.pos = i + 1;
                        return NginxBlock {
                            directives: Vec::new(),
                            span: Span::new(open, i + 1),
                            raw: Some(Span::new(open + 1, i)),
                        };
                    }
                }
                q @ (b'"' | b'\'') => {
                    i += 1;
                    while i < self.bytes.len() && self.bytes[i] != q {
                        i += if self.bytes[i] == b'\\' { 2 } else { 1 };
                    }
                }
                b'-' if self.bytes.get(i + 1) == Some(&b'-') => {
                    while i < self.bytes.len() && self.bytes[i] != b'\n' {
                        i += 1;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        self.give_up(
            open,
            open,
            "unexpected end of file: this Lua block is never closed",
        );
        NginxBlock {
            directives: Vec::new(),
            span: Span::new(open, self.bytes.len()),
            raw: Some(Span::new(open + 1, self.bytes.len())),
        }
    }
}

/// Applies one `\` escape as nginx does for every word: `\"`, `\'` and `\\` lose the
/// backslash, `\t`, `\r`, `\n` become the control character, anything else keeps it
/// (so regexes such as `\.` arrive intact). Returns the bytes consumed after the `\`.
fn unescape(after: &str, value: &mut CompactString) -> usize {
    let Some(next) = after.chars().next() else {
        value.push('\\');
        return 0;
    };
    match next {
        '"' | '\'' | '\\' => value.push(next),
        't' => value.push('\t'),
        'r' => value.push('\r'),
        'n' => value.push('\n'),
        other => {
            value.push('\\');
            value.push(other);
        }
    }
    next.len_utf8()
}

/// The first word is the directive's name, the rest its arguments.
fn split_name(mut words: Vec<NginxArg>) -> Option<(CompactString, Span, Vec<NginxArg>)> {
    if words.is_empty() {
        return None;
    }
    let name = words.remove(0);
    Some((name.value, name.span, words))
}

/// Folders of programs whose own configuration may be called `nginx.conf` (what to collect
/// from nginx), where the name alone does not make a file nginx's.
const OTHER_PROGRAMS: &[&str] = &[
    "syslog-ng",
    "rsyslog",
    "rsyslog.d",
    "fluent-bit",
    "fluentd",
    "td-agent",
    "logstash",
    "filebeat",
    "promtail",
    "telegraf",
    "collectd",
    "datadog",
    "netdata",
    "zabbix",
];

impl Format for NginxConfig {
    /// `nginx.conf` for certain; `*.conf`, `*.types` and, inside an `nginx`/`sites-*`
    /// folder, extension-less files and `*_params` if the content is nginx's.
    fn classify(name: &FileName) -> Option<Classification> {
        if name.name == "nginx.conf" {
            // Log shippers and monitoring agents name their nginx section `nginx.conf` too
            // (`syslog-ng/conf.d/nginx.conf`): there the content decides.
            return if name.in_folder(OTHER_PROGRAMS) {
                Classification::probable(Target::Nginx)
            } else {
                Classification::certain(Target::Nginx)
            };
        }
        let in_nginx_dir = name.in_folder(&["nginx", ".nginx", "sites-available", "sites-enabled"]);
        match name.extension() {
            Some("conf" | "types") => Classification::probable(Target::Nginx),
            None | Some("params") if in_nginx_dir => Classification::probable(Target::Nginx),
            _ if name.name.ends_with("_params") && in_nginx_dir => {
                Classification::probable(Target::Nginx)
            }
            _ => None,
        }
    }

    fn parse(source: &Arc<SourceFile>, _: &ParseContext) -> Self {
        Self::parse(&source.text)
    }

    fn confirms_kind(&self) -> bool {
        self.looks_like_nginx()
    }

    fn errors(&self) -> &[ParseError] {
        &self.errors
    }

    fn sensitive(&self, source: &SourceFile) -> Vec<Sensitive> {
        nginx_sensitive(self, &source.text, &Shown::everything())
    }

    /// Directives are read only where their arguments touch what is shown.
    fn sensitive_in(&self, source: &SourceFile, shown: &Shown) -> Vec<Sensitive> {
        nginx_sensitive(self, &source.text, shown)
    }

    fn relate(documents: &mut [(&Arc<SourceFile>, &mut Self)], files: &dyn Files) {
        includes::resolve(documents, files);
    }

    /// Any nginx file may include, or be included by, another of the scan.
    fn relates(_paths: &[&std::path::Path]) -> bool {
        true
    }

    /// A file without `include`s is judged on its own unless another includes it; an
    /// `nginx.conf` never is, since it sets where relative includes of the others start.
    fn judged_alone(&self, source: &SourceFile) -> bool {
        source.path.file_name().is_none_or(|n| n != "nginx.conf") && !has_include(&self.directives)
    }

    const GROUPED: bool = true;

    fn names(&self) -> Vec<String> {
        includes::include_arguments(self)
    }

    fn groups(files: &[crate::formats::GroupedFile], view: &dyn Files) -> crate::formats::Grouping {
        includes::group_files(files, view)
    }

    fn relate_within(
        documents: &mut [(&Arc<SourceFile>, &mut Self)],
        relations: &(dyn std::any::Any + Send + Sync),
        files: &dyn Files,
    ) {
        includes::resolve_within(documents, relations, files);
    }
}

/// Whether an `include` stands anywhere in `directives`, blocks included.
fn has_include(directives: &[NginxDirective]) -> bool {
    let mut pending: Vec<&[NginxDirective]> = vec![directives];
    while let Some(level) = pending.pop() {
        for directive in level {
            if directive.name == "include" {
                return true;
            }
            if let Some(block) = &directive.block {
                pending.push(&block.directives);
            }
        }
    }
    false
}

/// Header names whose values are credentials (besides names [`secret_kind`] calls secret,
/// such as `X-Api-Key`).
const CREDENTIAL_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-api-key",
    "x-auth-token",
];

/// Whether a header named `name` carries a credential.
fn is_credential_header(name: &str) -> bool {
    let name = name.trim().trim_end_matches(':').to_ascii_lowercase();
    CREDENTIAL_HEADERS.contains(&name.as_str()) || secret_kind(&name).is_some()
}

/// Directives whose arguments are never secrets but may look like generated tokens
/// (`ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256:…`, `ssl_ecdh_curve X25519:secp384r1`, and
/// the `proxy_`/`grpc_` variants): shown in messages and snippets as written.
fn never_secret(directive: &str) -> bool {
    directive.ends_with("ssl_ciphers") || directive.ends_with("ssl_ecdh_curve")
}

/// In nginx files: values of credential headers set with `proxy_set_header`/`add_header`/
/// `grpc_set_header` or `more_set_headers "Name: value"`, values of secret-like variables
/// and parameters (`set $api_key …`, `fastcgi_param DB_PASSWORD …`, `env NAME=…`),
/// passwords in URLs, arguments that look like generated tokens, and what the parser
/// could not read: a directive without its `;` after its name, everything after an
/// unclosed quote (`"Bearer …` up to the end of the file, from the first quoted word over a
/// line end when there is one before it). Only directives with an argument touching `shown`
/// are read.
fn nginx_sensitive(config: &NginxConfig, text: &str, shown: &Shown) -> Vec<Sensitive> {
    let hide = |span: Span| Sensitive { span };
    let mut found = Vec::new();
    // What a directive hides is among its arguments.
    let directives = config.directives();
    for directive in directives.filter(|d| d.args.iter().any(|a| shown.touches(a.span))) {
        let args = &directive.args;
        let name = directive.name.as_str();
        match (name, args.as_slice()) {
            ("proxy_set_header" | "add_header" | "grpc_set_header", [header, values @ ..])
                if is_credential_header(&header.value) =>
            {
                let always = values.len() > 1 && values.last().is_some_and(|a| a.value == "always");
                let values = if always {
                    &values[..values.len() - 1]
                } else {
                    values
                };
                found.extend(values.iter().map(|a| hide(a.span)));
            }
            // `'Name: value'`, or `Name:` and the value as two words.
            ("more_set_headers" | "more_set_input_headers", _) => {
                for (i, arg) in args.iter().enumerate() {
                    let Some((header, value)) = arg.value.split_once(':') else {
                        continue;
                    };
                    if is_credential_header(header) {
                        found.push(hide(arg.span));
                        if value.trim().is_empty() {
                            found.extend(args.get(i + 1).map(|a| hide(a.span)));
                        }
                    }
                }
            }
            ("set", [variable, value, ..]) => {
                let variable = variable.value.trim_start_matches('$');
                let variable = variable.trim_start_matches('{').trim_end_matches('}');
                found.extend(assignment_sensitive(variable, &value.value, value.span));
            }
            ("fastcgi_param" | "uwsgi_param" | "scgi_param", [parameter, value, ..]) => found
                .extend(assignment_sensitive(
                    &parameter.value,
                    &value.value,
                    value.span,
                )),
            ("env", [assignment]) => {
                if let Some((variable, value)) = assignment.value.split_once('=') {
                    found.extend(assignment_sensitive(variable, value, assignment.span));
                }
            }
            _ => {}
        }
        if !never_secret(name) {
            for arg in args {
                found.extend(assignment_sensitive("", &arg.value, arg.span));
            }
        }
    }
    found.extend(config.unread.iter().copied().map(hide));
    unreadable_lines(&config.errors, text, &mut found);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The directives without their blocks are the walk's, in the walk's order.
    #[test]
    fn directives_are_the_walks_in_its_order() {
        let text = "user www;\nhttp {\n  server {\n    listen 80;\n    location / { return 200; }\n    if ($a) { set $b 1; }\n  }\n  server { }\n}\nevents { }\nworker_processes 2;\n";
        let config = NginxConfig::parse(text);
        let walked: Vec<*const NginxDirective> =
            config.walk().iter().map(|(_, d)| *d as *const _).collect();
        let listed: Vec<*const NginxDirective> =
            config.directives().map(|d| d as *const _).collect();
        assert_eq!(listed, walked);
        assert_eq!(listed.len(), 11);
    }

    /// A word without escapes is its text, copied once; one with escapes is its text up to
    /// the first escape, then unescaped: the value, span and end are those of the word.
    #[test]
    fn a_bare_word_is_its_text_until_an_escape() {
        for (text, value, end) in [
            ("a", "a", 1),
            ("$host", "$host", 5),
            ("${host}x", "${host}x", 8),
            ("$a{b", "$a", 2),
            ("a{", "a", 1),
            ("/ünïcode/ß", "/ünïcode/ß", 13),
            ("x;", "x", 1),
            ("a\\", "a\\", 2),
            ("e$", "e$", 2),
            (
                "http://[::1]:80/$uri?$args",
                "http://[::1]:80/$uri?$args",
                26,
            ),
            // Only quotes, `\\`, `t`, `r` and `n` are unescaped; other escapes stay.
            ("ab\\;cd ef", "ab\\;cd", 6),
            ("ü\\tx\\q${y}", "ü\tx\\q${y}", 11),
        ] {
            let mut parser = Parser::new(text);
            let word = parser.bare();
            assert_eq!(
                (word.value.as_str(), word.span, parser.pos),
                (value, Span::new(0, end), end),
                "{text:?}"
            );
        }
    }

    fn parse_ok(text: &str) -> NginxConfig {
        let config = NginxConfig::parse(text);
        assert!(config.errors.is_empty(), "{:?}", config.errors);
        config
    }

    #[test]
    fn reads_blocks_arguments_and_comments() {
        let text = "user www-data; # who\nhttp {\n  server {\n    listen 443 ssl;\n    add_header X-Frame-Options \"DENY\" always;\n  }\n}\n";
        let config = parse_ok(text);
        assert_eq!(config.directives.len(), 2);
        let server = &config.directives[1].children()[0];
        assert_eq!(server.name, "server");
        let header = &server.children()[1];
        assert_eq!(
            header.values().collect::<Vec<_>>(),
            ["X-Frame-Options", "DENY", "always"]
        );
        assert_eq!(&text[header.args[1].span.range()], "\"DENY\"");
        assert_eq!(config.comments.len(), 1);
        let paths: Vec<String> = config
            .walk()
            .iter()
            .map(|(p, d)| {
                let names: Vec<&str> = p.iter().map(|b| b.name.as_str()).collect();
                format!("{}/{}", names.join("/"), d.name)
            })
            .collect();
        assert_eq!(
            paths,
            [
                "/user",
                "/http",
                "http/server",
                "http/server/listen",
                "http/server/add_header"
            ]
        );
    }

    #[test]
    fn variables_regexes_and_escapes_follow_nginx() {
        let config = parse_ok(
            "location ~* \\.(js|css)$ { return 301 https://${host}$request_uri; }\nset $a 'it\\'s';\nif ($http_origin ~* \"^https://a\\.b$\") { }\n",
        );
        let location = &config.directives[0];
        assert_eq!(
            location.values().collect::<Vec<_>>(),
            ["~*", "\\.(js|css)$"]
        );
        assert_eq!(
            location.children()[0].args[1].value,
            "https://${host}$request_uri"
        );
        assert_eq!(config.directives[1].args[1].value, "it's");
        let condition: Vec<&str> = config.directives[2].values().collect();
        assert_eq!(condition, ["($http_origin", "~*", "^https://a\\.b$", ")"]);
    }

    #[test]
    fn hash_inside_a_word_is_not_a_comment_and_brace_inside_a_word_is_part_of_it() {
        let config = parse_ok("add_header X-A a#b;\nreturn 200 x};\n");
        assert_eq!(config.directives[0].args[1].value, "a#b");
        assert_eq!(config.directives[1].args[1].value, "x}");
    }

    #[test]
    fn nginx_is_told_apart_from_other_conf_formats() {
        let nginx = [
            "server {\n  listen 80;\n}\n",
            "resolver\n  1.1.1.1\n  valid=60s;\n",
            "include h5bp/security/x-frame-options.conf;\n",
            "if ($http_origin !~ '^https://a') {\n}\n",
            "rewrite ^ http://some$uri;\n",
            "server {\n  listen 80\n}\n",
        ];
        for text in nginx {
            assert!(NginxConfig::parse(text).looks_like_nginx(), "{text}");
        }
        let other = [
            "[sshd]\nenabled = true\n",
            "/var/log/app/*.log {\n  daily\n  rotate 7\n}\n",
            "options {\n  directory \"/var/cache/bind\";\n};\ninclude \"/etc/bind/named.conf.local\";\n",
            "bind 127.0.0.1\nrequirepass x\n",
        ];
        for text in other {
            assert!(!NginxConfig::parse(text).looks_like_nginx(), "{text}");
        }
    }

    #[test]
    fn directive_list_is_sorted_for_binary_search() {
        assert!(NGINX_DIRECTIVES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn lua_blocks_are_kept_raw() {
        let text = "content_by_lua_block {\n  local t = { a = \"}\" } -- }\n  ngx.say(t.a)\n}\nlisten 80;\n";
        let config = parse_ok(text);
        let lua = config.directives[0].block.as_ref().unwrap();
        assert!(text[lua.raw.unwrap().range()].contains("ngx.say"));
        assert_eq!(config.directives[1].name, "listen");
    }

    /// The parse errors of `text`, as their messages read with every quote shown.
    fn error_messages(text: &str) -> Vec<String> {
        let source = SourceFile::from_bytes("nginx.conf".into(), "nginx.conf".into(), text.into());
        NginxConfig::parse(text)
            .errors
            .iter()
            .map(|e| e.message.fingerprint_text(&source))
            .collect()
    }

    #[test]
    fn errors_have_locations_and_parsing_continues() {
        let text = "server {\n  listen 80\n}\n}\nuser x;\n";
        let messages = error_messages(text);
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[0].contains("`listen` is missing its \";\""));
        assert!(messages[1].contains("no block is open"));
        assert_eq!(
            NginxConfig::parse(text).directives.last().unwrap().name,
            "user"
        );

        let config = NginxConfig::parse("http {\n  server {\n");
        assert_eq!(config.errors.len(), 2, "{:?}", config.errors);
        assert!(error_messages("add_header X \"open;\n")[0].contains("unterminated quote"));
        assert_eq!(
            error_messages("add_header X \"a\"b;\n")[0],
            "unexpected \"b\" after a quoted word: put a blank before it"
        );
        let messages = error_messages("location / { return 200 \"a\"}\n");
        assert!(messages[0].contains("after a quoted word"));
    }

    /// The text of each sensitive span of `text`.
    fn hidden(text: &str) -> Vec<&str> {
        let source = SourceFile::from_bytes("nginx.conf".into(), "nginx.conf".into(), text.into());
        Format::sensitive(&NginxConfig::parse(text), &source)
            .into_iter()
            .map(|s| &text[s.span.range()])
            .collect()
    }

    /// A quote left open at the end shows the file's quotes were paired wrongly before it:
    /// a stray line's quote pairs with the header value's opening one, whose closing quote
    /// then opens text to the end. What the stray line holds is not known to be read, at
    /// whatever line it stands.
    #[test]
    fn a_quote_left_open_hides_from_the_first_quote_over_a_line_end() {
        let stray = "qzname-horse-river-tmsvqpa \"qzvalue-stone-lake-kwpmzrb ]{\n";
        let lines = [
            "add_header Content-Security-Policy \"\n",
            "    default-src 'none';\n",
            "    img-src 'self';\";\n",
        ];
        for at in 0..=lines.len() {
            let mut text = String::from("worker_processes 2;\n");
            text.extend(
                lines[..at]
                    .iter()
                    .copied()
                    .chain([stray])
                    .chain(lines[at..].iter().copied()),
            );
            let masked = hidden(&text);
            for canary in ["qzname-horse-river-tmsvqpa", "qzvalue-stone-lake-kwpmzrb"] {
                assert!(
                    masked.iter().any(|h| h.contains(canary)),
                    "{text}: {masked:?}"
                );
            }
            // What stands before the first quote over a line end is read, and shown.
            assert!(
                masked.iter().all(|h| !h.contains("worker_processes")),
                "{masked:?}"
            );
        }
        // With its quotes closed, a value over several lines is read as written.
        assert_eq!(hidden(&lines.concat()), Vec::<&str>::new());
    }

    #[test]
    fn credentials_in_headers_variables_and_unread_text_are_sensitive() {
        let canary = "qzcanary-horse-river-tmsvqpa";
        let missing_semicolon =
            format!("server {{\n  proxy_set_header Authorization Bearer {canary}\n}}\n");
        let cases = [
            format!("proxy_set_header Authorization \"Bearer {canary}\";\n"),
            format!("add_header X-Api-Key {canary} always;\n"),
            format!("more_set_input_headers 'Authorization: Basic {canary}';\n"),
            format!("more_set_headers Authorization: {canary};\n"),
            format!("set $api_token {canary};\n"),
            format!("fastcgi_param DB_PASSWORD {canary};\n"),
            format!("proxy_pass http://app:{canary}@backend;\n"),
            format!("env SESSION_SECRET={canary};\n"),
            format!("server {{\n  proxy_set_header Authorization \"Bearer {canary};\n}}\n"),
            missing_semicolon.clone(),
            format!("content_by_lua_block {{\n  local t = \"{canary}\"\n"),
        ];
        for text in &cases {
            assert!(
                hidden(text).iter().any(|h| h.contains(canary)),
                "{text}: {:?}",
                hidden(text)
            );
        }
        // An unreadable directive is hidden whole, its leading word too (a word the parser
        // did not understand is not known to be a directive).
        assert!(hidden(&missing_semicolon)
            .iter()
            .any(|h| h.contains("proxy_set_header")));
        // Not secrets: the path of the password file, cipher lists, ordinary headers.
        let plain = "auth_basic_user_file /etc/nginx/htpasswd;\nssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384;\nadd_header X-Frame-Options DENY always;\nproxy_set_header Host $host;\n";
        assert_eq!(hidden(plain), Vec::<&str>::new());
    }
}
