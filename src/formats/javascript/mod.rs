//! JavaScript and TypeScript modules (Express/Nest bootstrap files, PM2's
//! `ecosystem.config.js`) and `package.json`, reduced to what deployment rules read.
//!
//! Regexes cannot tell `cors({ origin: '*' })` from a comment or a string that mentions it,
//! so files are parsed with real parsers (oxc for files without errors, see [`oxc_reader`];
//! tree-sitter-javascript and tree-sitter-typescript for the rest, whose error recovery
//! still reads the valid parts) and reduced to a small value model: calls with their
//! arguments, object literals, string literals, `process.env.X` (unknown until run time)
//! and `process.env.X || 'default'` (the default is known), every node with its span. JSON
//! is a JavaScript expression, so `package.json` and `ecosystem.config.json` are read by
//! the same code, as the expression `(…)`. It knows nothing of rules.

use tree_sitter::Node;

use crate::formats::readers::first_difference;
use crate::formats::sensitive::{
    assignment_sensitive, command_sensitive, unreadable_lines, Sensitive,
};
use crate::formats::syntax_tree::{with_parser, ChildLister, NodeNames, PreOrder};
use crate::formats::ParseError;
use crate::formats::Target;
use crate::formats::{Classification, FileName, Format, ParseContext};
use crate::secrets::{js_secret_kind, last_part};
use crate::source::SourceFile;
use crate::source::Span;
use std::sync::Arc;

mod oxc_reader;

/// Which grammar reads a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `.js`, `.cjs`, `.mjs`, `.jsx`.
    JavaScript,
    /// `.ts`, `.mts`, `.cts`.
    TypeScript,
    /// `.tsx`.
    Tsx,
    /// `.json`: one JavaScript expression.
    Json,
}

impl Dialect {
    /// The grammar a file's name asks for (JavaScript when the name says nothing).
    pub fn of(path: &std::path::Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some("ts" | "mts" | "cts") => Self::TypeScript,
            Some("tsx") => Self::Tsx,
            Some("json") => Self::Json,
            _ => Self::JavaScript,
        }
    }
}

/// A JavaScript value as far as it can be known without running the file.
#[derive(Debug, Clone, PartialEq)]
pub enum JsValue {
    /// A string literal or a template without substitutions.
    Str(String),
    /// A number literal.
    Num(f64),
    /// `true`/`false`.
    Bool(bool),
    /// `null`/`undefined`.
    Null,
    /// An object literal.
    Object(Vec<Property>),
    /// An array literal.
    Array(Vec<JsNode>),
    /// `process.env.X` (or `process.env['X']`), with the `||`/`??` default when one is given.
    Env {
        /// The variable's name.
        var: String,
        /// Where the name is written (`JWT_SECRET` of `process.env.JWT_SECRET`).
        var_span: Span,
        /// The value used when the variable is unset or empty.
        default: Option<Box<JsNode>>,
    },
    /// A name (resolved by [`JsModule::resolve`] when it is a `const`/`let`/`var`).
    Ident(String),
    /// A call or `new` expression.
    Call(Box<Call>),
    /// Anything else (a function, arithmetic, a template with substitutions), with its kind.
    Other(String),
}

/// A value with where it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct JsNode {
    /// The value.
    pub value: JsValue,
    /// Where it is written.
    pub span: Span,
}

/// One `key: value` of an object literal (`{ secure }` shorthand reads as `secure: secure`).
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    /// The key, unquoted.
    pub key: String,
    /// Where the key is written.
    pub key_span: Span,
    /// The value.
    pub value: JsNode,
}

/// A call, `new` expression included: `cors({…})`, `app.listen(3000)`, `jwt.sign(p, 's')`.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The callee as a dotted path (`app.use`, `JwtModule.register`, `express`); empty for
    /// callees that are not names (`require('x')()` gives `require()`).
    pub callee: String,
    /// The arguments.
    pub args: Vec<JsNode>,
    /// The whole call.
    pub span: Span,
    /// Whether it is a `new` expression.
    pub is_new: bool,
}

impl Call {
    /// The last part of the callee (`listen` for `app.listen`).
    pub fn method(&self) -> &str {
        last_part(&self.callee)
    }

    /// The part before the method (`app` for `app.listen`); empty for plain functions.
    pub fn receiver(&self) -> &str {
        let before_method = &self.callee[..self.callee.len() - self.method().len()];
        before_method.strip_suffix('.').unwrap_or("")
    }
}

/// A module imported with `require('x')` or `import … from 'x'`.
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    /// The module specifier (`express`, `@nestjs/core`, `./app`).
    pub source: String,
    /// The local name it is bound to, when it is one name (`const cors = require('cors')`,
    /// `import helmet from 'helmet'`, `import * as session from 'express-session'`).
    pub local: Option<String>,
    /// The statement.
    pub span: Span,
}

/// A string literal and the name it is given to: the property key, the variable, or the
/// callee and argument position (`jwt.sign#1`). Redaction decides from this which
/// literals are secrets.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedString {
    /// The property key, variable name or `callee#index`.
    pub name: String,
    /// Where the key, the variable or the callee is written.
    pub name_span: Span,
    /// The decoded value.
    pub value: String,
    /// Where the literal is written, quotes included.
    pub span: Span,
}

/// A parsed JavaScript/TypeScript module or JSON document.
#[derive(Debug, Clone, Default)]
pub struct JsModule {
    /// Every call of the file, outermost first, in source order.
    pub calls: Vec<Call>,
    /// Every import.
    pub imports: Vec<Import>,
    /// `const`/`let`/`var` declarations and plain assignments to names, in source order.
    pub bindings: Vec<(String, JsNode)>,
    /// `module.exports = …` or `export default …` (for JSON: the document itself).
    pub exports: Option<JsNode>,
    /// Every string literal with the name it is given to.
    pub strings: Vec<NamedString>,
    /// Syntax errors.
    pub errors: Vec<ParseError>,
    /// Where secrets are written: values given to secret-like names, literals that look
    /// like credentials, URL passwords, and what the parser could not read.
    secrets: Vec<Span>,
    /// The parser gave up (its time limit) on a text that names a server module: still a
    /// server file, reported as unparsed rather than silently left out (padding a server
    /// file with text the parser chokes on would otherwise hide its findings).
    unparsed_server: bool,
}

/// Modules whose import makes a file a Node server file (`@nestjs` covers every Nest package).
pub const NODE_SERVER_MODULES: &[&str] = &[
    "express",
    "@nestjs",
    "cors",
    "helmet",
    "express-session",
    "cookie-session",
    "cookie-parser",
    "jsonwebtoken",
    "fastify",
];

/// How long a file of `len` bytes may take to parse: a quarter second, plus a second per MiB.
/// Real code parses at several MiB a second (a 4.5 MB minified bundle in about 1.5 s), so
/// this leaves it room; tree-sitter's error recovery on hostile text (a quarter megabyte of
/// backslash-continued lines) would take seconds, and is cut at half a second there. The
/// time a scan may spend is so bounded by the bytes it reads, not by the number of files.
fn parse_time_limit(len: usize) -> std::time::Duration {
    const PER_MIB: std::time::Duration = std::time::Duration::from_secs(1);
    std::time::Duration::from_millis(250) + PER_MIB.mul_f64(len as f64 / (1024.0 * 1024.0))
}

/// How deep nested values are followed; deeper ones are [`JsValue::Other`] (no stack
/// overflow on hostile input).
const MAX_DEPTH: usize = 64;

/// JSON as both readers parse it, the expression `(…)`: a bare `{` would start a block.
/// The JSON text starts one byte in.
fn json_as_expression(text: &str) -> String {
    format!("({text}\n)")
}

impl JsModule {
    /// Parses `text` with the grammar of `dialect`. Never fails: problems are in `errors`.
    pub fn parse(text: &str, dialect: Dialect) -> Self {
        if let Some(module) = oxc_reader::read(text, dialect) {
            return module;
        }
        Self::parse_tolerant(text, dialect)
    }

    /// [`Self::parse`] with tree-sitter, whose error recovery reads what it can of a broken
    /// file: the reader of files the exact parser rejects.
    fn parse_tolerant(text: &str, dialect: Dialect) -> Self {
        let (source, shift) = match dialect {
            Dialect::Json => (json_as_expression(text), 1),
            _ => (text.to_owned(), 0),
        };
        let language: tree_sitter::Language = match dialect {
            Dialect::JavaScript | Dialect::Json => tree_sitter_javascript::LANGUAGE.into(),
            Dialect::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Dialect::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
        };
        // tree-sitter's error recovery is quadratic on some hostile input (thousands of
        // unclosed brackets): give up after a bound rather than stall the whole scan.
        let started = std::time::Instant::now();
        let limit = parse_time_limit(text.len());
        let bytes = source.as_bytes();
        let tree = with_parser(&language, |parser| {
            let mut give_up = |_: &tree_sitter::ParseState| started.elapsed() > limit;
            let options = tree_sitter::ParseOptions::new().progress_callback(&mut give_up);
            parser.parse_with_options(
                &mut |offset, _| bytes.get(offset..).unwrap_or_default(),
                None,
                Some(options),
            )
        })
        .flatten();
        let Some(tree) = tree else {
            return Self {
                unparsed_server: names_a_server_module(text),
                errors: vec![ParseError {
                    span: Span::new(0, 0),
                    message: "the file could not be parsed as JavaScript (grammar unavailable, or parsing took too long)".into(),
                }],
                // Nothing of it was read, so nothing of it is known not to be a secret.
                secrets: vec![Span::new(0, text.len())],
                ..Self::default()
            };
        };
        let reader = Reader {
            text: &source,
            shift,
            len: text.len(),
            lister: ChildLister::new(&tree),
        };
        let root = tree.root_node();
        let mut builder = Builder::default();
        reader.walk(root, &mut builder);
        let mut module = builder.finish();
        if dialect == Dialect::Json {
            let first = root
                .named_child(0)
                .and_then(|statement| statement.named_child(0));
            module.exports = first.map(|expr| reader.value(expr, 0));
            // A broken document still has readable `"scripts": {…}` pairs inside the
            // parser's error region: keep them, so one typo does not hide the scripts.
            if !matches!(
                module.exports.as_ref().map(|e| &e.value),
                Some(JsValue::Object(_))
            ) {
                if let Some(pair) = find_pair(root, &reader, "scripts", 0) {
                    let key = pair.field_child("key");
                    let value = pair.field_child("value");
                    if let (Some(key), Some(value)) = (key, value) {
                        module.exports = Some(JsNode {
                            value: JsValue::Object(vec![Property {
                                key: "scripts".to_owned(),
                                key_span: reader.span(key),
                                value: reader.value(value, 0),
                            }]),
                            span: reader.span(pair),
                        });
                    }
                } else {
                    module.exports = scripts_after_error(root, &reader);
                }
            }
        }
        module
    }

    /// Follows a name to the value it was last bound to before `before` (at most a few
    /// steps, so `a = b; b = a` ends); anything else is returned as it is.
    pub fn resolve<'a>(&'a self, node: &'a JsNode) -> &'a JsNode {
        let mut current = node;
        for _ in 0..8 {
            let JsValue::Ident(name) = &current.value else {
                return current;
            };
            let bound = self
                .bindings
                .iter()
                .rev()
                .find(|(n, value)| n == name && value.span != current.span);
            match bound {
                Some((_, value)) => current = value,
                None => return current,
            }
        }
        current
    }

    /// Whether the file imports a module whose specifier is `name` or starts with `name/`.
    pub fn imports(&self, name: &str) -> bool {
        self.imports.iter().any(|i| {
            i.source == name
                || i.source
                    .strip_prefix(name)
                    .is_some_and(|rest| rest.starts_with('/'))
        })
    }

    /// Whether `text` can be a Node server file at all: it names one of
    /// [`NODE_SERVER_MODULES`] or calls `listen`. A substring test that spares parsing the
    /// thousands of ordinary modules under `src/` that discovery has to look at.
    pub fn could_be_node_server(text: &str) -> bool {
        text.contains("listen") || NODE_SERVER_MODULES.iter().any(|m| text.contains(m))
    }
}

/// Whether `text` names a server module as a module is named in an import or `require`
/// (`'express'`, `"@nestjs/core"`): the evidence left when the parser gave up.
fn names_a_server_module(text: &str) -> bool {
    NODE_SERVER_MODULES.iter().any(|m| {
        ['\'', '"', '`'].iter().any(|q| {
            let quoted = format!("{q}{m}");
            text.match_indices(&quoted).any(|(at, _)| {
                let after = &text[at + quoted.len()..];
                after.starts_with(*q) || (m.starts_with('@') && after.starts_with('/'))
            })
        })
    })
}

pub use crate::formats::readers::ReadersCompared;

/// Reads `text` with both readers and compares what they give: the exact reader must give
/// what tree-sitter's does wherever it reads a file. For the differential test
/// (`tests/it/javascript_readers.rs`) and the `java_script` fuzz target.
pub fn compare_readers(text: &str, dialect: Dialect) -> ReadersCompared {
    let Some(exact) = oxc_reader::read(text, dialect) else {
        return ReadersCompared::LeftToTolerant;
    };
    let tolerant = JsModule::parse_tolerant(text, dialect);
    if !tolerant.errors.is_empty() {
        return ReadersCompared::OnlyTreeSitterErrs;
    }
    let shown = |m: &JsModule| {
        let secrets = crate::formats::readers::sorted_spans(&m.secrets);
        format!(
            "calls {:#?}\nimports {:#?}\nbindings {:#?}\nexports {:#?}\nstrings {:#?}\nsecrets {secrets:?}\nerrors {:?} {}",
            m.calls, m.imports, m.bindings, m.exports, m.strings, m.errors, m.unparsed_server
        )
    };
    let misread_await = |m: &JsModule| m.calls.iter().any(|c| c.callee == "await");
    let tolerant_misreads = misread_await(&tolerant) && !misread_await(&exact);
    let (exact, tolerant) = (shown(&exact), shown(&tolerant));
    if exact == tolerant {
        return ReadersCompared::Agree;
    }
    if tolerant_misreads {
        return ReadersCompared::TreeSitterMisreadsAwait;
    }
    ReadersCompared::Disagree(first_difference("oxc", &exact, &tolerant))
}

impl JsModule {
    /// Whether the module is part of a Node web server: it imports Express, Nest, or one of
    /// the middleware packages the Node rules judge, or it starts a server it imports
    /// (`const app = require('./app'); app.listen(…)`). A `src/utils.js` that does none of
    /// this is not a deployment file and is left alone.
    pub fn looks_like_node_server(&self) -> bool {
        let starts_imported_server = self.calls.iter().any(|c| {
            c.method() == "listen"
                && self
                    .imports
                    .iter()
                    .any(|i| i.local.as_deref() == Some(c.receiver()))
        });
        starts_imported_server || NODE_SERVER_MODULES.iter().any(|m| self.imports(m))
    }

    /// The local name a module is imported under (`session` for
    /// `const session = require('express-session')`).
    pub fn local_name_of(&self, source: &str) -> Option<&str> {
        self.imports
            .iter()
            .find(|i| i.source == source)
            .and_then(|i| i.local.as_deref())
    }
}

impl JsNode {
    /// The property `key` of an object value.
    pub fn get(&self, key: &str) -> Option<&JsNode> {
        match &self.value {
            JsValue::Object(props) => props.iter().rev().find(|p| p.key == key).map(|p| &p.value),
            _ => None,
        }
    }

    /// The property `key` with its key span.
    pub fn property(&self, key: &str) -> Option<&Property> {
        match &self.value {
            JsValue::Object(props) => props.iter().rev().find(|p| p.key == key),
            _ => None,
        }
    }

    /// The value as a string, if it is a literal one or an environment read with a literal
    /// default.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            JsValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value as a boolean literal.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            JsValue::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

/// What either reader finds, put into a [`JsModule`] the same way: the readers only map
/// their syntax trees to these events, in source order.
#[derive(Default)]
struct Builder {
    module: JsModule,
    /// Every string literal and template read so far.
    literals: Vec<Span>,
    /// Calls given to a secret-like name, whose string literals are secrets.
    secret_calls: Vec<Span>,
}

impl Builder {
    /// The module, with the string literals inside calls given to a secret
    /// (`Buffer.from('…')`), now that every literal is known.
    fn finish(self) -> JsModule {
        let Builder {
            mut module,
            literals,
            secret_calls,
        } = self;
        for call in secret_calls {
            module.secrets.extend(
                literals
                    .iter()
                    .filter(|l| call.start <= l.start && l.end <= call.end),
            );
        }
        module
    }

    /// A call or `new` expression, its callee written at `callee`: an import when it is a
    /// `require` no declaration recorded, and its string arguments named `callee#index`.
    fn call(&mut self, call: Call, callee: Span) {
        // `const x = require('y')` was recorded with its name by the declarator, which is
        // read just before its value.
        let declared = self
            .module
            .imports
            .last()
            .is_some_and(|i| i.span == call.span);
        if call.callee == "require" && !declared {
            if let Some(source) = call.args.first().and_then(JsNode::as_str) {
                self.module.imports.push(Import {
                    source: source.to_owned(),
                    local: None,
                    span: call.span,
                });
            }
        }
        // One name rewritten per argument, not one allocated; the number written by itoa,
        // not `write!` (the formatting machinery set up for every argument of every call).
        let mut name = String::with_capacity(call.callee.len() + 4);
        name.push_str(&call.callee);
        let mut number = itoa::Buffer::new();
        for (index, arg) in call.args.iter().enumerate() {
            name.truncate(call.callee.len());
            name.push('#');
            name.push_str(number.format(index));
            self.name_string(&name, callee, arg);
        }
        self.module.calls.push(call);
    }

    /// `const name = value` (a plain name, not a pattern).
    fn declarator(&mut self, name: &str, name_span: Span, value: JsNode) {
        if let JsValue::Call(call) = &value.value {
            let source = call.args.first().and_then(JsNode::as_str);
            if let (Some(source), "require") = (source, call.callee.as_str()) {
                self.module.imports.push(Import {
                    source: source.to_owned(),
                    local: Some(name.to_owned()),
                    span: call.span,
                });
            }
        }
        self.name_string(name, name_span, &value);
        self.module.bindings.push((name.to_owned(), value));
    }

    /// `target = value`, `target` as written, its last name written at `last_span`.
    fn assignment(&mut self, target: &str, last_span: Span, value: JsNode) {
        if matches!(target, "module.exports" | "exports") {
            self.module.exports = Some(value.clone());
        }
        let last = last_part(target);
        self.name_string(last, last_span, &value);
        self.module.bindings.push((target.to_owned(), value));
    }

    /// `key: value` in an object literal.
    fn pair(&mut self, key: &str, key_span: Span, value: &JsNode) {
        self.name_string(key, key_span, value);
    }

    /// Records a string given to `name` (written at `name_span`), directly or as an
    /// environment default, and the value given to a secret-like name.
    fn name_string(&mut self, name: &str, name_span: Span, value: &JsNode) {
        // An environment default is named after the variable (`process.env.JWT_SECRET ||
        // 'dev'` gives `JWT_SECRET`), which says more than `const fallback`.
        let (name, name_span, given) = match &value.value {
            JsValue::Env {
                var,
                var_span,
                default: Some(default),
            } => (var.as_str(), *var_span, default.as_ref()),
            _ => (name, name_span, value),
        };
        self.note_secret(name, given);
        if let JsValue::Str(s) = &given.value {
            self.module.strings.push(NamedString {
                name: name.to_owned(),
                name_span,
                value: s.clone(),
                span: given.span,
            });
        }
    }

    /// The value given to a secret-like name (`password: '…'`, `jwt.sign(p, '…')`, the
    /// default of `process.env.JWT_SECRET || …`, see [`crate::secrets::js_secret_kind`]) is
    /// a secret whatever its shape: a literal, a template, a concatenation; of a call
    /// (`Buffer.from('…').toString()`) the string literals inside it, as the call itself is
    /// code (`const token = jwt.sign(…)`). Names, environment reads, and objects and arrays
    /// (whose entries are judged one by one) hold none themselves.
    fn note_secret(&mut self, name: &str, value: &JsNode) {
        if js_secret_kind(name).is_none() {
            return;
        }
        match &value.value {
            JsValue::Str(s) if s.is_empty() => {}
            JsValue::Str(_) | JsValue::Num(_) => self.module.secrets.push(value.span),
            JsValue::Other(kind) if kind == "template" || kind == "binary_expression" => {
                self.module.secrets.push(value.span);
            }
            // A callee that is no name is an expression holding the value itself.
            JsValue::Call(call) if call.callee.is_empty() => self.module.secrets.push(value.span),
            JsValue::Call(_) => self.secret_calls.push(value.span),
            _ => {}
        }
    }

    /// A string literal written as `raw` (quotes included) at `span`.
    fn string_literal(&mut self, span: Span, raw: &str) {
        self.literal(span, &string_content(raw));
    }

    /// A template literal written as `raw` (backquotes included) at `span`.
    fn template_literal(&mut self, span: Span, raw: &str) {
        self.literal(span, raw.get(1..raw.len().saturating_sub(1)).unwrap_or(""));
    }

    /// `import … from source` (`source` as written, quotes included), bound to `local` when
    /// it is one name.
    fn import(&mut self, source: &str, local: Option<String>, span: Span) {
        self.module.imports.push(Import {
            source: string_content(source),
            local,
            span,
        });
    }

    /// `export default value`.
    fn export(&mut self, value: JsNode) {
        self.module.exports = Some(value);
    }

    /// A string literal or template written at `span`, `content` between its quotes: a
    /// secret whatever it is given to when it looks like a generated credential, or a URL
    /// with a password (`mongodb://app:…@db`: the password, or the whole literal when
    /// escapes make its position uncertain).
    fn literal(&mut self, span: Span, content: &str) {
        self.literals.push(span);
        let inner = Span::new(span.start + 1, span.end.saturating_sub(1).max(span.start));
        // No name: only what the value itself shows.
        let found = assignment_sensitive("", content, inner);
        self.module.secrets.extend(found.map(|s| s.span));
    }
}

struct Reader<'t> {
    text: &'t str,
    shift: usize,
    len: usize,
    /// Lists children without a cursor per node.
    lister: ChildLister<'t>,
}

impl<'t> Reader<'t> {
    fn span(&self, node: Node) -> Span {
        let start = node.start_byte().saturating_sub(self.shift).min(self.len);
        let end = node.end_byte().saturating_sub(self.shift).min(self.len);
        Span::new(start, end.max(start))
    }

    /// `span` widened to the whole lines it touches (of the file, not of the JSON wrapper).
    fn lines_of(&self, span: Span) -> Span {
        let file = &self.text[self.shift..self.shift + self.len];
        let start = file[..span.start].rfind('\n').map_or(0, |i| i + 1);
        let end = file[span.end..]
            .find('\n')
            .map_or(file.len(), |i| span.end + i);
        Span::new(start, end)
    }

    fn source(&self, node: Node) -> &str {
        self.text.get(node.byte_range()).unwrap_or("")
    }

    /// Collects calls, imports, bindings, exports and named strings from the whole tree:
    /// every node in source order, with one cursor (no recursion, no listing of children).
    fn walk(&self, root: Node<'t>, builder: &mut Builder) {
        let mut walk = PreOrder::new(root);
        // The depth of the outermost error node the walk is inside.
        let mut error_at: Option<usize> = None;
        loop {
            let (node, depth) = (walk.node(), walk.depth());
            self.visit(node, builder, error_at.is_some());
            if node.is_error() && error_at.is_none() {
                error_at = Some(depth);
            }
            let went_on = walk.advance(depth < 4 * MAX_DEPTH, |left| {
                if error_at == Some(left) {
                    error_at = None;
                }
            });
            if !went_on {
                return;
            }
        }
    }

    /// What one node of [`Self::walk`] adds to the module.
    fn visit(&self, node: Node<'t>, builder: &mut Builder, inside_error: bool) {
        // One error per broken region: the parser's recovery nests error nodes. (Asking a
        // node for its parent walks down from the root: quadratic on wide error regions.)
        if (node.is_error() || node.is_missing()) && !inside_error {
            builder.module.errors.push(ParseError {
                span: self.span(node),
                message: if node.is_missing() {
                    "JavaScript (missing token) syntax error".into()
                } else {
                    "JavaScript syntax error".into()
                },
            });
            // What the parser could not read may be a secret in a broken literal, and so
            // may the rest of its lines (`qz…-…-… "…` reads as a subtraction, then an
            // unterminated string).
            builder.module.secrets.push(self.lines_of(self.span(node)));
        }
        match node.kind_name() {
            // Named: TypeScript's `string` type is an anonymous node of the same kind.
            "string" if node.is_named() => {
                builder.string_literal(self.span(node), self.source(node))
            }
            "template_string" if node.is_named() => {
                builder.template_literal(self.span(node), self.source(node));
            }
            "call_expression" | "new_expression" => {
                if let JsValue::Call(call) = self.value(node, 0).value {
                    let callee = node
                        .field_child(if call.is_new {
                            "constructor"
                        } else {
                            "function"
                        })
                        .map_or(call.span, |c| self.span(c));
                    builder.call(*call, callee);
                }
            }
            "import_statement" => {
                if let Some(source) = node.field_child("source") {
                    let local = self.find_kind(node, "import_clause").and_then(|clause| {
                        self.lister
                            .named_children(clause)
                            .into_iter()
                            .find_map(|c| match c.kind_name() {
                                "identifier" => Some(self.source(c).to_owned()),
                                "namespace_import" => self
                                    .find_kind(c, "identifier")
                                    .map(|i| self.source(i).to_owned()),
                                _ => None,
                            })
                    });
                    builder.import(self.source(source), local, self.span(node));
                }
            }
            "variable_declarator" => {
                if let (Some(name), Some(value)) =
                    (node.field_child("name"), node.field_child("value"))
                {
                    if name.kind_name() == "identifier" {
                        let value = self.value(value, 0);
                        builder.declarator(self.source(name), self.span(name), value);
                    }
                }
            }
            "assignment_expression" => {
                if let (Some(left), Some(right)) =
                    (node.field_child("left"), node.field_child("right"))
                {
                    let last_span = left
                        .field_child("property")
                        .map_or(self.span(left), |p| self.span(p));
                    builder.assignment(self.source(left), last_span, self.value(right, 0));
                }
            }
            "export_statement" => {
                if let Some(value) = node.field_child("value") {
                    builder.export(self.value(value, 0));
                }
            }
            "pair" => {
                if let (Some(key), Some(value)) =
                    (node.field_child("key"), node.field_child("value"))
                {
                    let value = self.value(value, 0);
                    builder.pair(&key_text(self, key), self.span(key), &value);
                }
            }
            _ => {}
        }
    }

    /// Reduces an expression to a [`JsNode`].
    fn value(&self, node: Node<'t>, depth: usize) -> JsNode {
        let span = self.span(node);
        let other = |kind: &str| JsNode {
            value: JsValue::Other(kind.to_owned()),
            span,
        };
        if depth > MAX_DEPTH {
            return other("deep");
        }
        let value = match node.kind_name() {
            "string" => JsValue::Str(string_content(self.source(node))),
            "template_string" => {
                if self.find_kind(node, "template_substitution").is_some() {
                    JsValue::Other("template".to_owned())
                } else {
                    template_text(self.source(node))
                }
            }
            "number" => number(self.source(node)),
            "true" => JsValue::Bool(true),
            "false" => JsValue::Bool(false),
            "null" | "undefined" => JsValue::Null,
            "identifier" if self.source(node) == "undefined" => JsValue::Null,
            "identifier" | "property_identifier" | "shorthand_property_identifier" => {
                JsValue::Ident(self.source(node).to_owned())
            }
            "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression"
            | "await_expression"
            | "type_assertion" => match node.named_child(0) {
                Some(inner) if inner.kind_name() != "type_arguments" => {
                    return self.value(inner, depth + 1)
                }
                _ => JsValue::Other(node.kind_name().to_owned()),
            },
            "object" => {
                let mut props = Vec::new();
                for child in self.lister.named_children(node) {
                    match child.kind_name() {
                        "pair" => {
                            if let (Some(key), Some(value)) =
                                (child.field_child("key"), child.field_child("value"))
                            {
                                props.push(Property {
                                    key: key_text(self, key),
                                    key_span: self.span(key),
                                    value: self.value(value, depth + 1),
                                });
                            }
                        }
                        "shorthand_property_identifier" => props.push(Property {
                            key: self.source(child).to_owned(),
                            key_span: self.span(child),
                            value: JsNode {
                                value: JsValue::Ident(self.source(child).to_owned()),
                                span: self.span(child),
                            },
                        }),
                        _ => {}
                    }
                }
                JsValue::Object(props)
            }
            "array" => {
                let items = self
                    .lister
                    .named_children(node)
                    .into_iter()
                    .filter(|c| c.kind_name() != "comment")
                    .map(|c| self.value(c, depth + 1))
                    .collect();
                JsValue::Array(items)
            }
            "member_expression" | "subscript_expression" => {
                env_read(self, node).unwrap_or_else(|| JsValue::Ident(self.source(node).to_owned()))
            }
            "binary_expression" => {
                let op = node
                    .field_child("operator")
                    .map(|o| self.source(o))
                    .unwrap_or("");
                let left = node.field_child("left").map(|l| self.value(l, depth + 1));
                match (op, left) {
                    ("||" | "??", Some(left)) => env_or(left, || {
                        node.field_child("right").map(|r| self.value(r, depth + 1))
                    }),
                    _ => JsValue::Other("binary_expression".to_owned()),
                }
            }
            "call_expression" | "new_expression" => {
                let is_new = node.kind_name() == "new_expression";
                let callee = node
                    .field_child(if is_new { "constructor" } else { "function" })
                    .map(|c| callee_name(self, c))
                    .unwrap_or_default();
                let args = node
                    .field_child("arguments")
                    .map(|a| {
                        self.lister
                            .named_children(a)
                            .into_iter()
                            .filter(|c| c.kind_name() != "comment")
                            .map(|c| self.value(c, depth + 1))
                            .collect()
                    })
                    .unwrap_or_default();
                JsValue::Call(Box::new(Call {
                    callee,
                    args,
                    span,
                    is_new,
                }))
            }
            kind => JsValue::Other(kind.to_owned()),
        };
        JsNode { value, span }
    }
}

/// The dotted name of a callee: `app.use`, `express`, `require('cors')` gives `require()`.
fn callee_name(reader: &Reader, node: Node) -> String {
    match node.kind_name() {
        "identifier" | "property_identifier" | "this" | "super" => reader.source(node).to_owned(),
        "member_expression" => {
            let object = node
                .field_child("object")
                .map(|o| callee_name(reader, o))
                .unwrap_or_default();
            let property = node
                .field_child("property")
                .map(|p| reader.source(p))
                .unwrap_or("");
            format!("{object}.{property}")
        }
        "call_expression" => {
            let inner = node
                .field_child("function")
                .map(|f| callee_name(reader, f))
                .unwrap_or_default();
            format!("{inner}()")
        }
        "parenthesized_expression" | "await_expression" | "non_null_expression" => node
            .named_child(0)
            .map(|n| callee_name(reader, n))
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// `process.env.X` / `process.env['X']` as an environment read (tree-sitter's member or
/// subscript expression `node`).
fn env_read(reader: &Reader, node: Node) -> Option<JsValue> {
    let object = node.field_child("object")?;
    let property = node
        .field_child("property")
        .or_else(|| node.field_child("index"))?;
    env_var(
        reader.source(object),
        reader.source(property),
        property.kind_name() == "string",
        reader.span(property),
    )
}

/// What both readers reduce alike, from the text of the nodes.
///
/// `object.property` as an environment read when `object` is `process.env`: the variable
/// is `property` as written, unquoted when it is a string literal (`process.env['X']`).
fn env_var(object: &str, property: &str, quoted: bool, property_span: Span) -> Option<JsValue> {
    if object.replace(char::is_whitespace, "") != "process.env" {
        return None;
    }
    Some(JsValue::Env {
        var: if quoted {
            string_content(property)
        } else {
            property.to_owned()
        },
        var_span: property_span,
        default: None,
    })
}

/// `left || right` (or `??`): an environment read with its default when `left` is one
/// without, else an expression.
fn env_or(left: JsNode, right: impl FnOnce() -> Option<JsNode>) -> JsValue {
    match (left.value, right()) {
        (
            JsValue::Env {
                var,
                var_span,
                default: None,
            },
            Some(right),
        ) => JsValue::Env {
            var,
            var_span,
            default: Some(Box::new(right)),
        },
        _ => JsValue::Other("binary_expression".to_owned()),
    }
}

/// A template literal without substitutions written as `raw`: its text.
fn template_text(raw: &str) -> JsValue {
    JsValue::Str(raw.trim_start_matches('`').trim_end_matches('`').to_owned())
}

/// A number literal written as `raw` (0 when Rust does not read it: hex, BigInt).
fn number(raw: &str) -> JsValue {
    JsValue::Num(raw.replace('_', "").parse().unwrap_or(0.0))
}

/// An object key without quotes.
fn key_text(reader: &Reader, key: Node) -> String {
    match key.kind_name() {
        "string" => string_content(reader.source(key)),
        _ => reader.source(key).to_owned(),
    }
}

/// The decoded content of a string literal written as `raw`, quotes included (common
/// escapes only).
fn string_content(raw: &str) -> String {
    let inner = raw
        .get(1..raw.len().saturating_sub(1))
        .filter(|_| raw.len() >= 2)
        .unwrap_or("");
    // Most literals hold no escape: their content is their text.
    if memchr::memchr(b'\\', inner.as_bytes()).is_none() {
        return inner.to_owned();
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// When the parser lost the `"scripts"` pair itself (an unterminated string further down
/// turns the object into an error region), the string-valued pairs that follow a
/// `"scripts"` string in that region, up to the next nested object: the scripts as written.
fn scripts_after_error<'t>(root: Node<'t>, reader: &Reader<'t>) -> Option<JsNode> {
    let mut flat = Vec::new();
    flatten(reader, root, &mut flat, 0);
    let start = flat.iter().position(|n| {
        n.kind_name() == "string" && string_content(reader.source(*n)) == "scripts"
    })?;
    let mut props = Vec::new();
    for node in &flat[start + 1..] {
        if node.kind_name() != "pair" {
            continue;
        }
        let (Some(key), Some(value)) = (node.field_child("key"), node.field_child("value")) else {
            continue;
        };
        if value.kind_name() == "object" {
            break;
        }
        props.push(Property {
            key: key_text(reader, key),
            key_span: reader.span(key),
            value: reader.value(value, 0),
        });
    }
    if props.is_empty() {
        return None;
    }
    let span = reader.span(flat[start]);
    Some(JsNode {
        value: JsValue::Object(vec![Property {
            key: "scripts".to_owned(),
            key_span: span,
            value: JsNode {
                value: JsValue::Object(props),
                span,
            },
        }]),
        span,
    })
}

/// Every node of the tree in source order (bounded depth).
fn flatten<'t>(reader: &Reader<'t>, node: Node<'t>, out: &mut Vec<Node<'t>>, depth: usize) {
    if depth > 4 * MAX_DEPTH {
        return;
    }
    out.push(node);
    for child in reader.lister.children(node) {
        flatten(reader, child, out, depth + 1);
    }
}

/// The first `key: value` pair with the given key, anywhere in the tree.
fn find_pair<'t>(node: Node<'t>, reader: &Reader<'t>, key: &str, depth: usize) -> Option<Node<'t>> {
    if depth > 4 * MAX_DEPTH {
        return None;
    }
    if node.kind_name() == "pair"
        && node
            .field_child("key")
            .is_some_and(|k| key_text(reader, k) == key)
    {
        return Some(node);
    }
    reader
        .lister
        .children(node)
        .into_iter()
        .find_map(|c| find_pair(c, reader, key, depth + 1))
}

impl<'t> Reader<'t> {
    /// The first descendant (or the node itself) of a kind.
    fn find_kind(&self, node: Node<'t>, kind: &str) -> Option<Node<'t>> {
        if node.kind_name() == kind {
            return Some(node);
        }
        self.lister
            .named_children(node)
            .into_iter()
            .find_map(|c| self.find_kind(c, kind))
    }
}

/// A `package.json`'s `scripts`, with spans.
#[derive(Debug, Clone, Default)]
pub struct PackageJson {
    /// The package name, when given.
    pub name: Option<String>,
    /// `scripts` entries in order: name, command, span of the command literal.
    pub scripts: Vec<Property>,
    /// The whole document (dependencies and the rest).
    pub document: Option<JsNode>,
    /// Syntax errors.
    pub errors: Vec<ParseError>,
    /// Where the document's secrets are written, scripts aside (see [`JsModule`]).
    secrets: Vec<Span>,
}

impl PackageJson {
    /// Parses a `package.json`. Never fails.
    pub fn parse(text: &str) -> Self {
        let module = JsModule::parse(text, Dialect::Json);
        let scripts = match module.exports.as_ref().and_then(|d| d.get("scripts")) {
            Some(JsNode {
                value: JsValue::Object(props),
                ..
            }) => props.clone(),
            _ => Vec::new(),
        };
        Self {
            name: module
                .exports
                .as_ref()
                .and_then(|d| d.get("name"))
                .and_then(JsNode::as_str)
                .map(str::to_owned),
            scripts,
            document: module.exports,
            errors: module.errors,
            secrets: module.secrets,
        }
    }

    /// The command of script `name`.
    pub fn script(&self, name: &str) -> Option<&Property> {
        self.scripts.iter().rev().find(|p| p.key == name)
    }
}

impl Format for PackageJson {
    fn classify(name: &FileName) -> Option<Classification> {
        Classification::certain_if(name.name == "package.json", Target::NodePackage)
    }

    fn parse(source: &Arc<SourceFile>, _: &ParseContext) -> Self {
        Self::parse(&source.text)
    }

    fn errors(&self) -> &[ParseError] {
        &self.errors
    }

    fn sensitive(&self, source: &SourceFile) -> Vec<Sensitive> {
        let mut found = package_json_sensitive(self, &source.text);
        unreadable_lines(&self.errors, &source.text, &mut found);
        found
    }
}

impl Format for JsModule {
    /// PM2's `ecosystem.config.{js,cjs,mjs,json}` (and `ecosystem.<stage>.config.js`) for
    /// certain, and the JavaScript/TypeScript files a server is usually bootstrapped from
    /// (`server`, `app`, `index`, `main`) or configured in (anything under `src/` or
    /// `config/`) if their imports confirm a Node server (Express, Nest, cors, helmet,
    /// sessions, JWT): most `.js` files are not deployment files.
    fn classify(name: &FileName) -> Option<Classification> {
        let (stem, extension) = name.name.rsplit_once('.')?;
        if stem.starts_with("ecosystem") && stem.ends_with("config") {
            return Classification::certain_if(
                matches!(extension, "js" | "cjs" | "mjs" | "json"),
                Target::Pm2,
            );
        }
        let script = matches!(extension, "js" | "cjs" | "mjs" | "ts" | "mts" | "cts");
        let generated_or_test = [".d", ".test", ".spec", ".min", ".e2e-spec"]
            .iter()
            .any(|s| stem.ends_with(s));
        if !script || generated_or_test {
            return None;
        }
        let bootstrap_name = matches!(stem, "server" | "app" | "index" | "main");
        (bootstrap_name || name.in_folder(&["src", "config"])).then_some(Classification {
            target: Target::NodeApp,
            confirm_by_content: true,
        })
    }

    fn may_confirm(text: &str) -> bool {
        Self::could_be_node_server(text)
    }

    fn parse(source: &Arc<SourceFile>, _: &ParseContext) -> Self {
        Self::parse(&source.text, Dialect::of(&source.path))
    }

    fn confirms_kind(&self) -> bool {
        self.looks_like_node_server() || self.unparsed_server
    }

    fn errors(&self) -> &[ParseError] {
        &self.errors
    }

    fn sensitive(&self, source: &SourceFile) -> Vec<Sensitive> {
        let mut found = spans_sensitive(&self.secrets);
        unreadable_lines(&self.errors, &source.text, &mut found);
        found
    }
}

/// `spans` as secrets.
fn spans_sensitive(spans: &[Span]) -> Vec<Sensitive> {
    spans.iter().map(|&span| Sensitive { span }).collect()
}

/// In `package.json`: secrets on script command lines (`JWT_SECRET=… node server.js`,
/// URLs with passwords), as on any command line, and in the rest of the document as in any
/// JavaScript (`"config": { "apiToken": "…" }`).
fn package_json_sensitive(package: &PackageJson, text: &str) -> Vec<Sensitive> {
    let mut found = spans_sensitive(&package.secrets);
    for script in &package.scripts {
        let Some(command) = script.value.as_str() else {
            continue;
        };
        let span = script.value.span;
        // Offsets map one to one when the literal has no escapes; otherwise mask it whole.
        let exact = text.get(span.range()).map(str::len) == Some(command.len() + 2);
        let locate = |start: usize, end: usize| {
            if exact {
                Span::new(span.start + 1 + start, span.start + 1 + end)
            } else {
                span
            }
        };
        found.extend(command_sensitive(command, &locate));
    }
    found
}

#[cfg(test)]
mod tests {
    /// The method and receiver of a callee are split at its last `.`, as `rsplit` splits.
    #[test]
    fn callees_split_at_their_last_dot() {
        for callee in [
            "",
            ".",
            "a",
            "a.b",
            "app.use.x",
            "a..b",
            ".a",
            "a.",
            "ü.ö.é",
            "x.ü",
        ] {
            let call = Call {
                callee: callee.into(),
                args: Vec::new(),
                span: Span::new(0, 0),
                is_new: false,
            };
            assert_eq!(call.method(), callee.rsplit('.').next().unwrap_or(""));
            assert_eq!(
                call.receiver(),
                callee.rsplit_once('.').map_or("", |(r, _)| r)
            );
        }
    }

    use super::*;
    use crate::formats::dotenv::shown::{Shown, CANARY};

    #[test]
    fn url_passwords_and_secret_values_are_masked_whatever_their_shape() {
        let text = format!(
            "module.exports = {{ apps: [{{ name: 'api', env: {{ MONGO_URL: 'mongodb://app:{CANARY}@db.example.org/app', DB_PASSWORD: '{CANARY}' }} }}] }};\nconst store = MongoStore.create({{ mongoUrl: \"mongodb://u:{CANARY}@h/db\" }});\nconst urls = ['redis://:{CANARY}@cache:6379'];\nconst o = {{ secret: '{CANARY}' + x, apiKey: `{CANARY}${{x}}`, password: Buffer.from('{CANARY}').toString(), token: process.env.TOKEN, session: {{ secure: true }} }};\n"
        );
        let (shown, module) = Shown::new(&text, |t| JsModule::parse(t, Dialect::JavaScript));
        assert!(module.errors.is_empty(), "{:?}", module.errors);
        shown.assert_masked(&[
            "mongodb://app:",
            "@db.example.org/app",
            "token: process.env.TOKEN",
            "secure: true",
            "name: 'api'",
        ]);
    }

    #[test]
    fn what_does_not_parse_is_masked() {
        let text =
            format!("module.exports = {{ apps: [{{ env: {{ GREETING: '{CANARY} }} }}] }};\n");
        let (shown, module) = Shown::new(&text, |t| JsModule::parse(t, Dialect::JavaScript));
        assert!(!module.errors.is_empty());
        shown.assert_masked(&[]);
        assert!(!shown.errors(&module).contains("qzcanary"));
        // A stray line reads as a subtraction before the broken string: the whole line goes.
        let text = format!("const app = express();\n{CANARY} \"{CANARY} ]{{\n");
        let (shown, _) = Shown::new(&text, |t| JsModule::parse(t, Dialect::JavaScript));
        shown.assert_masked(&["const app = express();\n*"]);
        let (shown, _) = Shown::new(
            &format!("{{\n{CANARY} \"{CANARY} ]{{\n"),
            PackageJson::parse,
        );
        shown.assert_masked(&[]);
    }

    #[test]
    fn package_json_scripts_and_settings_hide_their_secrets() {
        let text = format!(
            "{{\n  \"name\": \"api\",\n  \"config\": {{ \"apiToken\": \"{CANARY}\" }},\n  \"scripts\": {{\n    \"start\": \"DATABASE_URL=postgres://app:{CANARY}@db/app node server.js\",\n    \"migrate\": \"knex migrate --password {CANARY}\"\n  }}\n}}\n"
        );
        let (shown, _) = Shown::new(&text, PackageJson::parse);
        shown.assert_masked(&["postgres://app:*", "@db/app node server.js", "--password *"]);
    }

    #[test]
    fn reads_calls_objects_and_env_defaults() {
        let text = "const cors = require('cors');\nconst secret = process.env.JWT_SECRET || 'dev-secret';\napp.use(cors({ origin: '*', credentials: true }));\n";
        let module = JsModule::parse(text, Dialect::JavaScript);
        assert!(module.imports("cors"));
        assert_eq!(module.local_name_of("cors"), Some("cors"));
        let cors = module.calls.iter().find(|c| c.callee == "cors").unwrap();
        let options = &cors.args[0];
        assert_eq!(options.get("origin").and_then(JsNode::as_str), Some("*"));
        assert_eq!(
            options.get("credentials").and_then(JsNode::as_bool),
            Some(true)
        );
        let (_, secret) = module.bindings.iter().find(|(n, _)| n == "secret").unwrap();
        match &secret.value {
            JsValue::Env { var, default, .. } => {
                assert_eq!(var, "JWT_SECRET");
                let default = default.as_ref().unwrap();
                assert_eq!(&text[default.span.range()], "'dev-secret'");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reads_typescript_imports_and_nest_calls() {
        let text = "import { NestFactory } from '@nestjs/core';\nimport * as session from 'express-session';\nasync function bootstrap() {\n  const app = await NestFactory.create(AppModule);\n  app.enableCors({ origin: true, credentials: true } as CorsOptions);\n  await app.listen(3000);\n}\n";
        let module = JsModule::parse(text, Dialect::TypeScript);
        assert!(module.imports("@nestjs"));
        assert_eq!(module.local_name_of("express-session"), Some("session"));
        let cors = module
            .calls
            .iter()
            .find(|c| c.method() == "enableCors")
            .unwrap();
        assert_eq!(
            cors.args[0].get("origin").and_then(JsNode::as_bool),
            Some(true)
        );
        assert!(module.calls.iter().any(|c| c.callee == "app.listen"));
    }

    #[test]
    fn strings_are_named_after_what_they_are_given_to() {
        let text = "jwt.sign(p, process.env.JWT_SECRET || 'a');\nconst fallback = process.env.SESSION_SECRET ?? 'b';\nconst o = { 'jwtSecret': 'c' };\njwt.verify(t, 'd');\n";
        let module = JsModule::parse(text, Dialect::JavaScript);
        let names: Vec<(&str, &str, &str)> = module
            .strings
            .iter()
            .map(|s| {
                (
                    s.name.as_str(),
                    &text[s.name_span.range()],
                    s.value.as_str(),
                )
            })
            .collect();
        for want in [
            ("JWT_SECRET", "JWT_SECRET", "a"),
            ("SESSION_SECRET", "SESSION_SECRET", "b"),
            ("jwtSecret", "'jwtSecret'", "c"),
            ("jwt.verify#1", "jwt.verify", "d"),
        ] {
            assert!(names.contains(&want), "{want:?} in {names:?}");
        }
    }

    #[test]
    fn package_json_scripts_have_spans_into_the_file() {
        let text =
            "{\n  \"name\": \"api\",\n  \"scripts\": { \"start\": \"nodemon server.js\" }\n}\n";
        let package = PackageJson::parse(text);
        let start = package.script("start").unwrap();
        assert_eq!(&text[start.value.span.range()], "\"nodemon server.js\"");
        assert_eq!(package.name.as_deref(), Some("api"));
    }

    #[test]
    fn garbage_does_not_panic() {
        for text in [
            "{",
            "app.listen(",
            "\u{0}\u{1}",
            "((((((((((",
            "{\"a\": [1, 2",
        ] {
            let _ = JsModule::parse(text, Dialect::JavaScript);
            let _ = PackageJson::parse(text);
        }
        let deep = "[".repeat(5000);
        let _ = PackageJson::parse(&deep);
    }
}
