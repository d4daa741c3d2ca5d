//! Django settings modules, read without running them.
//!
//! `manage.py check --deploy` needs the project importable, its dependencies installed and
//! every environment variable set, so teams skip it. This module parses a settings file with
//! a real Python grammar (tree-sitter-python), turns its module-level statements into a small
//! expression language, and evaluates them statically: literals, environment lookups
//! (`os.environ`, `os.getenv`, django-environ's `env.bool`, python-decouple's `config`) taken
//! at their defaults, comparisons, `+=`/`.append` on lists, and `from .base import *` chains
//! across the modules of a scan. Whatever cannot be known is [`Value::Unknown`] with the
//! reason, never a guess. It knows nothing of rules.

use std::collections::BTreeMap;

use tree_sitter::Node;

use crate::formats::syntax_tree::{
    visit_named, with_parser, ChildLister, Children, NodeNames, Visit,
};

use crate::formats::sensitive::{assignment_sensitive, Sensitive};
use crate::formats::ParseError;
use crate::formats::Target;
use crate::formats::{Classification, FileName, Files, FollowUp, Format, ParseContext};
use crate::msg;
use crate::secrets::{looks_like_token, mentioned_secrets, secret_kind};
use crate::source::SourceFile;
use crate::source::Span;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Settings whose assignment marks a Python file as a Django settings module. `DEBUG` and
/// `SECRET_KEY` are not enough: Flask and many other tools use them too.
pub const MARKER_SETTINGS: &[&str] = &[
    "INSTALLED_APPS",
    "MIDDLEWARE",
    "ALLOWED_HOSTS",
    "ROOT_URLCONF",
    "WSGI_APPLICATION",
    "ASGI_APPLICATION",
    "AUTH_PASSWORD_VALIDATORS",
    "DATABASES",
];

/// How an environment lookup converts the text it reads (django-environ's `env.bool`,
/// decouple's `cast=bool`), which decides what a default like `"False"` becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cast {
    /// The value as it is (`os.environ.get`, `env.str`).
    None,
    /// Parsed as a boolean.
    Bool,
    /// Parsed as an integer.
    Int,
    /// Split on commas into a list.
    List,
    /// A conversion preflight does not model.
    Other,
}

/// A comparison operator, as far as settings use them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `==`
    Eq,
    /// `!=`
    NotEq,
    /// `in`
    In,
    /// `not in`
    NotIn,
}

/// An expression of a settings module, reduced to what settings are made of.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A string literal (escape sequences decoded for the common cases).
    Str(String),
    /// An integer literal.
    Int(i64),
    /// `True`/`False`.
    Bool(bool),
    /// `None`.
    None,
    /// A list or tuple display.
    List(Vec<Expr>),
    /// A dict display.
    Dict(Vec<(Expr, Expr)>),
    /// A name defined earlier in the module (or imported from another settings module), and
    /// where it is written.
    Name(String, Span),
    /// An environment variable read, with its default when one is given.
    Env {
        /// The variable's name.
        var: String,
        /// Where the name is written (inside its quotes).
        var_span: Span,
        /// The value used when the variable is unset.
        default: Option<Box<Expr>>,
        /// How the text is converted.
        cast: Cast,
    },
    /// `bool(x)`, `int(x)`, `str(x)`.
    Convert(Cast, Box<Expr>),
    /// `x.lower()`, `x.upper()`, `x.strip()`, `x.split(",")`.
    Method(Box<Expr>, &'static str, Vec<Expr>),
    /// `a == b`, `a in (…)`.
    Compare(Box<Expr>, CompareOp, Box<Expr>),
    /// `not x`.
    Not(Box<Expr>),
    /// `a and b`.
    And(Box<Expr>, Box<Expr>),
    /// `a or b`.
    Or(Box<Expr>, Box<Expr>),
    /// `a + b`.
    Add(Box<Expr>, Box<Expr>),
    /// `a * b` (`"x" * 50`, `60 * 60 * 24`).
    Mul(Box<Expr>, Box<Expr>),
    /// `a[b]`.
    Index(Box<Expr>, Box<Expr>),
    /// `then if condition else otherwise`, as (condition, then, otherwise).
    IfElse(Box<Expr>, Box<Expr>, Box<Expr>),
    /// Anything else.
    Unknown(Opaque),
}

/// An expression preflight does not evaluate: what kind of expression it is, in words that
/// never quote it, and where it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opaque {
    /// "a function call", "an f-string".
    pub what: &'static str,
    /// The expression.
    pub span: Span,
}

/// What a module-level statement does to the settings.
#[derive(Debug, Clone, PartialEq)]
pub enum StatementKind {
    /// `NAME = value`.
    Assign(String, Expr),
    /// `NAME += value`.
    Extend(String, Expr),
    /// `NAME.append(value)` / `NAME.insert(i, value)`.
    Append(String, Expr),
    /// `NAME.remove(value)`.
    Remove(String, Expr),
    /// `NAME["key"] = value` (a dict item, e.g. `DATABASES["default"]`).
    SetItem(String, Expr, Expr),
    /// `from module import *`; `optional` when inside `try` (a missing module is expected).
    StarImport {
        /// The module as written (`.base`, `project.settings.base`).
        module: String,
        /// Written inside a `try` block.
        optional: bool,
    },
    /// `NAME.append(value)` / `.insert(i, value)` (`false`) or `.extend(values)` (`true`)
    /// inside a condition: the list may gain these items and loses none.
    AddMaybe(String, Expr, bool),
    /// A name set where its value depends on a condition preflight cannot decide, and why.
    Conditional(String, &'static str),
    /// `globals()` (or `vars()`, `locals()` at module level) handed to code or changed in
    /// place: any setting may be set where preflight cannot see it (Mayan EDMS loads its
    /// settings this way). `name_span` is the call.
    NamesFromGlobals,
}

/// One module-level statement and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// What it does.
    pub kind: StatementKind,
    /// The whole statement.
    pub span: Span,
    /// The name of the setting it changes, or the module a star import names.
    pub name_span: Span,
    /// The value part (the literal a finding should point at and a mask should cover).
    pub value_span: Span,
}

/// A parsed settings module.
#[derive(Debug, Clone, Default)]
pub struct SettingsModule {
    /// Module-level statements in order.
    pub statements: Vec<Statement>,
    /// Syntax errors (the rest of the file is still read).
    pub errors: Vec<ParseError>,
    /// The first line of the last top-level statement, where findings about absent
    /// settings point.
    pub end: Span,
    /// Where secrets are written: the values of secret-like settings and dict keys, literals
    /// that look like credentials, URL passwords, and what the parser could not read.
    pub secrets: Vec<Span>,
}

impl SettingsModule {
    /// Parses `text`. Never fails: a grammar that cannot load or a broken file yields errors.
    pub fn parse(text: &str) -> Self {
        let mut module = Self {
            end: last_line(text),
            ..Self::default()
        };
        let parsed = with_parser(&tree_sitter_python::LANGUAGE.into(), |parser| {
            parser.parse(text, None)
        });
        let Some(parsed) = parsed else {
            module.errors.push(ParseError {
                span: Span::new(0, 0),
                message: "the Python grammar could not be loaded".into(),
            });
            // Nothing of it was read, so nothing of it is known not to be a secret.
            module.secrets.push(Span::new(0, text.len()));
            return module;
        };
        let Some(tree) = parsed else {
            module.errors.push(ParseError {
                span: Span::new(0, 0),
                message: "the file could not be parsed as Python".into(),
            });
            module.secrets.push(Span::new(0, text.len()));
            return module;
        };
        let lister = ChildLister::new(&tree);
        let root = tree.root_node();
        // Absent settings are reported at the last top-level statement (its first line),
        // not inside a trailing `try`/`if` block.
        if let Some(last) = lister
            .named_children(root)
            .into_iter()
            .rev()
            .find(|n| n.kind_name() != "comment")
        {
            let start = last.start_byte();
            let end = text
                .get(start..)
                .and_then(|rest| rest.find('\n'))
                .map_or(text.len(), |i| start + i);
            module.end = Span::new(start, end);
        }
        let mut reader = Reader {
            text,
            module: &mut module,
            depth: std::cell::Cell::new(0),
            lister,
        };
        reader.block(root, Context::Top);
        reader.errors(root);
        reader.free_text_and_urls(root);
        drop(reader);
        module
    }

    /// Whether the module assigns a setting only Django settings have, or star-imports a
    /// sibling or another settings module (`from .base import *`).
    pub fn looks_like_django(&self) -> bool {
        // `DEBUG` and `SECRET_KEY` together: every settings module `startproject` writes
        // has both, and a minimal one may have nothing else. Unless it builds on another
        // kind of configuration (a Flask app's `from defaults import *`).
        let assigns = |wanted: &str| {
            self.statements
                .iter()
                .any(|s| matches!(&s.kind, StatementKind::Assign(name, _) if name == wanted))
        };
        let imports_other_configuration = self.statements.iter().any(|s| {
            matches!(&s.kind, StatementKind::StarImport { module, .. }
                if !module.starts_with('.') && !module.contains("settings"))
        });
        if assigns("DEBUG") && assigns("SECRET_KEY") && !imports_other_configuration {
            return true;
        }
        self.statements.iter().any(|s| match &s.kind {
            StatementKind::Assign(name, _) | StatementKind::Extend(name, _) => {
                MARKER_SETTINGS.contains(&name.as_str())
            }
            StatementKind::StarImport { module, .. } => {
                module.starts_with('.') || module.contains("settings")
            }
            _ => false,
        })
    }

    /// The modules this one star-imports, as written.
    pub fn star_imports(&self) -> impl Iterator<Item = (&str, Span)> {
        self.statements.iter().filter_map(|s| match &s.kind {
            StatementKind::StarImport { module, .. } => Some((module.as_str(), s.span)),
            _ => None,
        })
    }
}

/// How much of a line that does not parse stays readable: its indentation and, when it
/// assigns (`SECRET_KEY = "…`, `DATABASES = {`), the name with ` = `. A word not followed by
/// `=` is no name (it may be a secret pasted on a line of its own), nor is one that looks
/// like a credential.
fn readable_start(line: &str) -> usize {
    let indent = line.len() - line.trim_start().len();
    let rest = &line[indent..];
    let name = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let after = rest[name..].trim_start();
    let value = after
        .strip_prefix("+=")
        .or_else(|| after.strip_prefix('=').filter(|v| !v.starts_with('=')));
    match value {
        Some(value) if name > 0 && !looks_like_token(&rest[..name]) => {
            line.len() - value.trim_start().len()
        }
        _ => indent,
    }
}

fn last_line(text: &str) -> Span {
    let trimmed = text.trim_end();
    let start = trimmed.rfind('\n').map_or(0, |i| i + 1);
    Span::new(start, trimmed.len())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Top,
    Try,
    Conditional,
}

struct Reader<'a> {
    text: &'a str,
    module: &'a mut SettingsModule,
    /// How deep the reader is in nested expressions and blocks: a crafted file with
    /// thousands of nested brackets must not overflow the stack.
    depth: std::cell::Cell<usize>,
    /// Lists children without a cursor per node.
    lister: ChildLister<'a>,
}

/// Deeper nesting than this is left unknown (real settings nest a handful of levels).
const MAX_DEPTH: usize = 100;

fn span_of(node: Node) -> Span {
    Span::new(node.start_byte(), node.end_byte())
}

/// The named fields of a node, all or none (`fields(node, ["left", "right"])`).
fn fields<'t, const N: usize>(node: Node<'t>, names: [&'static str; N]) -> Option<[Node<'t>; N]> {
    let mut found = [node; N];
    for (slot, name) in found.iter_mut().zip(names) {
        *slot = node.field_child(name)?;
    }
    Some(found)
}

impl<'a> Reader<'a> {
    fn named_children(&self, node: Node<'a>) -> Children<'a> {
        self.lister.named_children(node)
    }

    fn children(&self, node: Node<'a>) -> Children<'a> {
        self.lister.children(node)
    }

    fn text(&self, node: Node<'a>) -> &str {
        self.text.get(node.byte_range()).unwrap_or("")
    }

    /// Syntax errors, and what they make unreadable: the rest of the line after its
    /// leading name (`SECRET_KEY = "unterminated…`), and the whole region the parser gave up
    /// on (an unclosed `DATABASES = {` runs to the end of the file).
    fn errors(&mut self, root: Node<'a>) {
        if !root.has_error() {
            return;
        }
        let mut broken = Vec::new();
        visit_named(root, |node| {
            if node.is_error() || node.is_missing() {
                broken.push(node);
                Visit::Skip
            } else if node.has_error() {
                Visit::Descend
            } else {
                Visit::Skip
            }
        });
        for node in broken {
            let start = node.start_byte();
            let line_end = self
                .text
                .get(start..)
                .and_then(|rest| rest.find('\n'))
                .map_or(self.text.len(), |i| start + i);
            self.module.errors.push(ParseError {
                span: Span::new(start, line_end.max(start)),
                message: if node.is_missing() {
                    msg!("Python syntax error: missing `{}`", node.kind_name())
                } else {
                    "Python syntax error".into()
                },
            });
            let line_start = self.text[..start.min(self.text.len())]
                .rfind('\n')
                .map_or(0, |i| i + 1);
            let line = &self.text[line_start..line_end.max(line_start)];
            let hidden_from = line_start + readable_start(line);
            let hidden_to = line_end.max(node.end_byte());
            self.module.secrets.push(Span::new(hidden_from, hidden_to));
        }
        self.module.errors.sort_by_key(|e| e.span);
    }

    fn push(&mut self, kind: StatementKind, span: Span, name_span: Span, value_span: Span) {
        self.module.statements.push(Statement {
            kind,
            span,
            name_span,
            value_span,
        });
    }

    fn block(&mut self, node: Node<'a>, context: Context) {
        if self.depth.get() > MAX_DEPTH {
            return;
        }
        self.depth.set(self.depth.get() + 1);
        for child in self.named_children(node) {
            self.statement(child, context);
        }
        self.depth.set(self.depth.get() - 1);
    }

    fn statement(&mut self, node: Node<'a>, context: Context) {
        match node.kind_name() {
            "expression_statement" => {
                if let Some(call) = self.globals_call(node) {
                    self.push(
                        StatementKind::NamesFromGlobals,
                        span_of(node),
                        span_of(call),
                        span_of(node),
                    );
                }
                for expr in self.named_children(node) {
                    self.expression_statement(expr, node, context);
                }
            }
            "import_from_statement" => {
                let is_star = self
                    .children(node)
                    .iter()
                    .any(|c| c.kind_name() == "wildcard_import");
                if let (true, Some(module)) = (is_star, node.field_child("module_name")) {
                    let name_span = span_of(module);
                    let module = self.text(module).to_owned();
                    self.push(
                        StatementKind::StarImport {
                            module,
                            optional: context == Context::Try,
                        },
                        span_of(node),
                        name_span,
                        span_of(node),
                    );
                }
            }
            "try_statement" => {
                if let Some(body) = node.field_child("body") {
                    self.block(body, Context::Try);
                }
                // Handlers run only when the body failed: what they set is conditional.
                for handler in self
                    .named_children(node)
                    .into_iter()
                    .filter(|c| c.kind_name() != "block")
                {
                    for block in self
                        .named_children(handler)
                        .into_iter()
                        .filter(|c| c.kind_name() == "block")
                    {
                        self.block(block, Context::Conditional);
                    }
                }
            }
            "if_statement" | "for_statement" | "while_statement" | "with_statement" => {
                let mut blocks = Vec::new();
                let mut stack = self.named_children(node);
                while let Some(child) = stack.pop() {
                    match child.kind_name() {
                        "block" => blocks.push(child),
                        "elif_clause" | "else_clause" | "with_clause" => {
                            stack.extend(self.named_children(child))
                        }
                        _ => {}
                    }
                }
                blocks.sort_by_key(|b| b.start_byte());
                for block in blocks {
                    self.block(block, Context::Conditional);
                }
            }
            _ => {}
        }
    }

    /// A call of `globals()`, `vars()` or `locals()` without arguments in `statement` (a
    /// bounded search: a statement is small, a hostile one is cut off).
    fn globals_call(&self, statement: Node<'a>) -> Option<Node<'a>> {
        // Most statements name none of them: no need to look at their nodes.
        let text = self.text(statement);
        if !["globals", "vars", "locals"]
            .iter()
            .any(|w| text.contains(w))
        {
            return None;
        }
        let mut stack = vec![statement];
        let mut visited = 0;
        while let Some(node) = stack.pop() {
            visited += 1;
            if visited > 4096 {
                return None;
            }
            if node.kind_name() == "call" {
                let function = node.field_child("function");
                let arguments = node.field_child("arguments");
                let named = function.is_some_and(|f| {
                    f.kind_name() == "identifier"
                        && matches!(self.text(f), "globals" | "vars" | "locals")
                });
                if named && arguments.is_some_and(|a| a.named_child_count() == 0) {
                    return Some(node);
                }
            }
            stack.extend(self.named_children(node));
        }
        None
    }

    fn expression_statement(&mut self, expr: Node<'a>, statement: Node<'a>, context: Context) {
        let span = span_of(statement);
        match expr.kind_name() {
            "assignment" => {
                let Some([left, right]) = fields(expr, ["left", "right"]) else {
                    return;
                };
                // `A = B = value`: the value is the innermost right-hand side.
                let mut targets = vec![left];
                let mut value = right;
                while value.kind_name() == "assignment" {
                    if let Some(l) = value.field_child("left") {
                        targets.push(l);
                    }
                    match value.field_child("right") {
                        Some(r) => value = r,
                        None => return,
                    }
                }
                for target in targets {
                    self.assign(target, value, span, context);
                }
            }
            "augmented_assignment" => {
                let Some([left, right, op]) = fields(expr, ["left", "right", "operator"]) else {
                    return;
                };
                if left.kind_name() != "identifier" {
                    return;
                }
                let name = self.text(left).to_owned();
                self.note_secrets(&name, right);
                let kind = match (context, self.text(op)) {
                    (Context::Conditional, _) => {
                        StatementKind::Conditional(name, "changed inside a condition")
                    }
                    (_, "+=") => StatementKind::Extend(name, self.expr(right)),
                    _ => StatementKind::Assign(
                        name,
                        Expr::Unknown(Opaque {
                            what: "an augmented assignment",
                            span: span_of(expr),
                        }),
                    ),
                };
                self.push(kind, span, span_of(left), span_of(right));
            }
            "call" => {
                let Some(function) = expr.field_child("function") else {
                    return;
                };
                if function.kind_name() != "attribute" {
                    return;
                }
                let Some([object, method]) = fields(function, ["object", "attribute"]) else {
                    return;
                };
                if object.kind_name() != "identifier" {
                    return;
                }
                let name = self.text(object).to_owned();
                let name_span = span_of(object);
                let args = expr
                    .field_child("arguments")
                    .map(|a| self.named_children(a))
                    .unwrap_or_default();
                // `SECRET_KEY_FALLBACKS.append("…")` adds a secret.
                for arg in &args {
                    self.note_secrets(&name, *arg);
                }
                let value = match (self.text(method), args.as_slice()) {
                    ("append", [v]) | ("insert", [_, v]) => Some((false, *v)),
                    ("extend", [v]) => Some((true, *v)),
                    ("remove", [v]) => {
                        let e = self.expr(*v);
                        let kind = if context == Context::Conditional {
                            StatementKind::Conditional(name.clone(), "changed inside a condition")
                        } else {
                            StatementKind::Remove(name.clone(), e)
                        };
                        self.push(kind, span, name_span, span_of(*v));
                        None
                    }
                    _ => None,
                };
                if let Some((extend, v)) = value {
                    let e = self.expr(v);
                    let kind = match (context, extend) {
                        (Context::Conditional, extend) => StatementKind::AddMaybe(name, e, extend),
                        (_, true) => StatementKind::Extend(name, e),
                        (_, false) => StatementKind::Append(name, e),
                    };
                    self.push(kind, span, name_span, span_of(v));
                }
            }
            _ => {}
        }
    }

    fn assign(&mut self, target: Node<'a>, value: Node<'a>, span: Span, context: Context) {
        // `DATABASES["default"]["PASSWORD"] = …`, `SECRET_KEY, X = …`: a secret-like name
        // anywhere in the target makes the whole value a secret.
        if self.names_secret(target) {
            self.secret_value(value);
        } else {
            self.secret_keys(value);
        }
        match target.kind_name() {
            "identifier" => {
                let name = self.text(target).to_owned();
                let kind = if context == Context::Conditional {
                    StatementKind::Conditional(name, "set inside a condition")
                } else {
                    StatementKind::Assign(name, self.expr(value))
                };
                self.push(kind, span, span_of(target), span_of(value));
            }
            "subscript" => {
                let Some([object, index]) = fields(target, ["value", "subscript"]) else {
                    return;
                };
                if object.kind_name() != "identifier" {
                    return;
                }
                let name = self.text(object).to_owned();
                let kind = if context == Context::Conditional {
                    StatementKind::Conditional(name, "changed inside a condition")
                } else {
                    StatementKind::SetItem(name, self.expr(index), self.expr(value))
                };
                self.push(kind, span, span_of(object), span_of(value));
            }
            "pattern_list" | "tuple_pattern" | "list_pattern" => {
                for child in self.named_children(target) {
                    if child.kind_name() == "identifier" {
                        let name = self.text(child).to_owned();
                        self.push(
                            StatementKind::Conditional(name, "unpacked from a sequence"),
                            span,
                            span_of(child),
                            span_of(value),
                        );
                    }
                }
            }
            _ => {}
        }
    }

    /// Whether an assignment target names a secret: a secret-like name, attribute or
    /// string subscript anywhere in it.
    fn names_secret(&self, target: Node<'a>) -> bool {
        let mut secret = false;
        visit_named(target, |node| {
            secret = match node.kind_name() {
                "identifier" => is_secret_name(self.text(node)),
                "string" => matches!(self.expr(node), Expr::Str(key) if is_secret_name(&key)),
                _ => false,
            };
            if secret {
                Visit::Stop
            } else {
                Visit::Descend
            }
        });
        secret
    }

    /// Records the value given to setting `name` as a secret when the name is secret-like,
    /// else what it holds under secret-like keys.
    fn note_secrets(&mut self, name: &str, value: Node<'a>) {
        if is_secret_name(name) {
            self.secret_value(value);
        } else {
            self.secret_keys(value);
        }
    }

    /// Records the values under secret-like dict keys and keyword arguments anywhere in
    /// `value` (`DATABASES = {"default": {"PASSWORD": …}}`, `dict(password=…)`) as secrets.
    fn secret_keys(&mut self, value: Node<'a>) {
        let mut secrets = Vec::new();
        visit_named(value, |node| {
            let secret = match node.kind_name() {
                "pair" => fields(node, ["key", "value"]).filter(
                    |[key, _]| matches!(self.expr(*key), Expr::Str(k) if is_secret_name(&k)),
                ),
                "keyword_argument" => fields(node, ["name", "value"])
                    .filter(|[key, _]| is_secret_name(self.text(*key))),
                _ => None,
            };
            match secret {
                Some([_, v]) => {
                    secrets.push(v);
                    Visit::Skip
                }
                None => Visit::Descend,
            }
        });
        for v in secrets {
            self.secret_value(v);
        }
    }

    /// Records what a value given to a secret holds: the whole expression, whatever its
    /// shape (a literal, an f-string, `base64.b64decode("…")`, `"".join([…])`, a
    /// concatenation), except what only names something: a name, an attribute, `None`, a
    /// boolean, and of an environment lookup the variable's name and `cast=` (its default is
    /// the secret). `or`, parentheses and lists are looked into, so
    /// `os.environ.get("SECRET_KEY") or "fallback"` hides the fallback only.
    fn secret_value(&mut self, node: Node<'a>) {
        let mut stack = vec![node];
        while let Some(node) = stack.pop() {
            match node.kind_name() {
                "identifier" | "attribute" | "none" | "true" | "false" | "comment" => {}
                "boolean_operator" | "parenthesized_expression" | "list" | "tuple" | "set" => {
                    stack.extend(self.named_children(node));
                }
                "subscript" if self.environ_subscript(node) => {}
                "call" if self.lookup_path(node) => {
                    let arguments = node
                        .field_child("arguments")
                        .map(|a| self.named_children(a))
                        .unwrap_or_default();
                    for (i, arg) in arguments.into_iter().enumerate() {
                        match arg.kind_name() {
                            "keyword_argument" => {
                                let is_cast = arg
                                    .field_child("name")
                                    .is_some_and(|n| self.text(n) == "cast");
                                if let (false, Some(v)) = (is_cast, arg.field_child("value")) {
                                    stack.push(v);
                                }
                            }
                            _ if i > 0 => stack.push(arg),
                            _ => {}
                        }
                    }
                }
                // Inside its quotes, as a literal secret has always been masked.
                "string" => self.module.secrets.push(self.string_inner(node)),
                _ => self.module.secrets.push(span_of(node)),
            }
        }
    }

    /// Whether `node` is `os.environ[…]`.
    fn environ_subscript(&self, node: Node<'a>) -> bool {
        node.field_child("value")
            .is_some_and(|value| is_environ(self.text(value)))
    }

    /// Whether the call `node` is an environment lookup (`os.environ.get`, `os.getenv`,
    /// django-environ's `env(…)`, decouple's `config(…)`), whose first argument names a
    /// variable.
    fn lookup_path(&self, node: Node<'a>) -> bool {
        node.field_child("function").is_some_and(|f| {
            let path = self.text(f);
            is_environ_get(path)
                || env_method(path).is_some()
                || path == "config"
                || path == "decouple.config"
        })
    }

    /// Whether `node` is a string standing as a statement of its own: free text, like a
    /// comment.
    fn is_docstring(&self, node: Node<'a>) -> bool {
        node.kind_name() == "expression_statement"
            && matches!(self.named_children(node).as_slice(), [only] if only.kind_name() == "string")
    }

    /// Secrets named in comments and docstrings (`# SECRET_KEY = '…'` left commented out),
    /// and the passwords of the URLs in every string literal of the module, whatever the
    /// literal is given to (`dj_database_url.parse("postgres://app:…@db/app")`), or the
    /// whole literal when escapes make the position uncertain. (Literals are not judged by
    /// how random they look: dotted paths such as `django.db.backends.sqlite3` would be
    /// taken for credentials.)
    fn free_text_and_urls(&mut self, root: Node<'a>) {
        let mut free_text = Vec::new();
        let mut strings = Vec::new();
        visit_named(root, |node| {
            if node.kind_name() == "comment" || self.is_docstring(node) {
                free_text.push(node);
            }
            if node.kind_name() == "string" {
                strings.push(node);
                return Visit::Skip;
            }
            Visit::Descend
        });
        for node in free_text {
            let start = node.start_byte();
            for value in mentioned_secrets(self.text(node)) {
                let span = Span::new(start + value.start, start + value.end);
                self.module.secrets.push(span);
            }
        }
        for node in strings {
            match self.expr(node) {
                // Of an unnamed value, only a URL's password is a secret here.
                Expr::Str(value) if !looks_like_token(&value) => {
                    let found = assignment_sensitive("", &value, self.string_inner(node));
                    self.module.secrets.extend(found.map(|s| s.span));
                }
                _ => {}
            }
        }
    }

    fn expr(&self, node: Node<'a>) -> Expr {
        if self.depth.get() > MAX_DEPTH {
            return self.opaque(node, "an expression nested too deeply");
        }
        self.depth.set(self.depth.get() + 1);
        let expr = self.expr_inner(node);
        self.depth.set(self.depth.get() - 1);
        expr
    }

    fn expr_inner(&self, node: Node<'a>) -> Expr {
        match node.kind_name() {
            "string" => self.string(node),
            "concatenated_string" => {
                let mut out = String::new();
                for part in self.named_children(node) {
                    match self.string(part) {
                        Expr::Str(s) => out.push_str(&s),
                        other => return other,
                    }
                }
                Expr::Str(out)
            }
            "integer" => parse_int(self.text(node)).map_or_else(|| self.unknown(node), Expr::Int),
            "true" => Expr::Bool(true),
            "false" => Expr::Bool(false),
            "none" => Expr::None,
            "list" | "tuple" | "set" => Expr::List(
                self.named_children(node)
                    .iter()
                    .map(|c| self.expr(*c))
                    .collect(),
            ),
            "dictionary" => Expr::Dict(
                self.named_children(node)
                    .iter()
                    .filter_map(|pair| {
                        Some((
                            self.expr(pair.field_child("key")?),
                            self.expr(pair.field_child("value")?),
                        ))
                    })
                    .collect(),
            ),
            "parenthesized_expression" => match self.named_children(node).as_slice() {
                [inner] => self.expr(*inner),
                _ => self.unknown(node),
            },
            "identifier" => Expr::Name(self.text(node).to_owned(), span_of(node)),
            "unary_operator" => {
                let Some([op, arg]) = fields(node, ["operator", "argument"]) else {
                    return self.unknown(node);
                };
                match (self.text(op), self.expr(arg)) {
                    ("-", Expr::Int(i)) => Expr::Int(-i),
                    ("+", Expr::Int(i)) => Expr::Int(i),
                    _ => self.unknown(node),
                }
            }
            "not_operator" => node
                .field_child("argument")
                .map_or_else(|| self.unknown(node), |a| Expr::Not(Box::new(self.expr(a)))),
            "boolean_operator" => {
                let Some([l, op, r]) = fields(node, ["left", "operator", "right"]) else {
                    return self.unknown(node);
                };
                let (l, r) = (Box::new(self.expr(l)), Box::new(self.expr(r)));
                if self.text(op) == "and" {
                    Expr::And(l, r)
                } else {
                    Expr::Or(l, r)
                }
            }
            "binary_operator" => {
                let Some([l, op, r]) = fields(node, ["left", "operator", "right"]) else {
                    return self.unknown(node);
                };
                match self.text(op) {
                    "+" => Expr::Add(Box::new(self.expr(l)), Box::new(self.expr(r))),
                    "*" => Expr::Mul(Box::new(self.expr(l)), Box::new(self.expr(r))),
                    _ => self.unknown(node),
                }
            }
            "comparison_operator" => self.comparison(node),
            "conditional_expression" => match self.named_children(node).as_slice() {
                [then, condition, otherwise] => Expr::IfElse(
                    Box::new(self.expr(*condition)),
                    Box::new(self.expr(*then)),
                    Box::new(self.expr(*otherwise)),
                ),
                _ => self.unknown(node),
            },
            "subscript" => {
                let Some([value, index]) = fields(node, ["value", "subscript"]) else {
                    return self.unknown(node);
                };
                if is_environ(self.text(value)) {
                    return match self.expr(index) {
                        Expr::Str(var) => Expr::Env {
                            var,
                            var_span: self.string_inner(index),
                            default: None,
                            cast: Cast::None,
                        },
                        _ => self.unknown(node),
                    };
                }
                Expr::Index(Box::new(self.expr(value)), Box::new(self.expr(index)))
            }
            "call" => self.call(node),
            _ => self.unknown(node),
        }
    }

    /// An expression preflight does not evaluate, described by its kind.
    fn unknown(&self, node: Node<'a>) -> Expr {
        let what = match node.kind_name() {
            "call" => "a function call",
            "string" | "concatenated_string" => "a string",
            "integer" => "an integer",
            "float" => "a float",
            "binary_operator" | "unary_operator" => "an arithmetic expression",
            "comparison_operator" => "a comparison",
            "conditional_expression" => "a conditional expression",
            "attribute" => "an attribute",
            "subscript" => "a subscript",
            "lambda" => "a lambda",
            "list_comprehension"
            | "dictionary_comprehension"
            | "set_comprehension"
            | "generator_expression" => "a comprehension",
            _ => "an expression",
        };
        self.opaque(node, what)
    }

    fn opaque(&self, node: Node<'a>, what: &'static str) -> Expr {
        Expr::Unknown(Opaque {
            what,
            span: span_of(node),
        })
    }

    fn string(&self, node: Node<'a>) -> Expr {
        if node.kind_name() != "string" {
            return self.unknown(node);
        }
        let raw = self
            .text(node)
            .bytes()
            .take_while(u8::is_ascii_alphabetic)
            .any(|b| b.eq_ignore_ascii_case(&b'r'));
        let mut out = String::new();
        for part in self.named_children(node) {
            match part.kind_name() {
                "string_content" => {
                    let text = self.text(part);
                    // Without a backslash there is nothing to unescape.
                    if raw || !text.contains('\\') {
                        out.push_str(text);
                    } else {
                        out.push_str(&unescape(text));
                    }
                }
                "escape_sequence" => out.push_str(&unescape(self.text(part))),
                "interpolation" => return self.opaque(node, "an f-string"),
                _ => {}
            }
        }
        Expr::Str(out)
    }

    fn comparison(&self, node: Node<'a>) -> Expr {
        let operands = self.named_children(node);
        let operators: Vec<String> = self
            .children(node)
            .iter()
            .filter(|c| !c.is_named())
            .map(|c| self.text(*c).to_owned())
            .collect();
        let op = match operators.join(" ").as_str() {
            "==" => CompareOp::Eq,
            "!=" => CompareOp::NotEq,
            "in" => CompareOp::In,
            "not in" => CompareOp::NotIn,
            _ => return self.unknown(node),
        };
        match operands.as_slice() {
            [l, r] => Expr::Compare(Box::new(self.expr(*l)), op, Box::new(self.expr(*r))),
            _ => self.unknown(node),
        }
    }

    fn call(&self, node: Node<'a>) -> Expr {
        let Some(function) = node.field_child("function") else {
            return self.unknown(node);
        };
        let mut args = Vec::new();
        let mut kwargs = BTreeMap::new();
        if let Some(list) = node.field_child("arguments") {
            for arg in self.named_children(list) {
                if arg.kind_name() == "keyword_argument" {
                    if let Some([k, v]) = fields(arg, ["name", "value"]) {
                        kwargs.insert(self.text(k).to_owned(), v);
                    }
                } else if arg.kind_name() != "comment" {
                    args.push(arg);
                }
            }
        }
        let path = self.text(function);
        let var = || match args.first().map(|a| (self.expr(*a), self.string_inner(*a))) {
            Some((Expr::Str(var), span)) => Some((var, span)),
            _ => None,
        };
        let default = |position: usize| {
            kwargs
                .get("default")
                .or_else(|| args.get(position))
                .map(|d| Box::new(self.expr(*d)))
        };
        // os.environ.get / os.getenv: (name, default). django-environ: env("X", default=…),
        // env.bool("X", default=…), …; it returns a default as written, without the cast
        // (`parse_default=False`), so `env.bool("X", default="on")` is the string "on".
        // python-decouple: config("X", default=…, cast=bool) casts defaults too.
        let lookup = if is_environ_get(path) {
            Some(Cast::None)
        } else if let Some(method) = env_method(path) {
            Some(match method {
                "" | "str" | "bool" | "int" | "float" | "list" | "tuple" | "dict" | "json" => {
                    Cast::None
                }
                _ => Cast::Other,
            })
        } else if path == "config" || path == "decouple.config" {
            Some(match kwargs.get("cast").map(|c| self.text(*c)) {
                None | Some("str") => Cast::None,
                Some("bool") => Cast::Bool,
                Some("int") => Cast::Int,
                Some(c) if c.starts_with("Csv") => Cast::List,
                Some(_) => Cast::Other,
            })
        } else {
            None
        };
        if let Some(cast) = lookup {
            return var().map_or_else(
                || self.unknown(node),
                |(var, var_span)| Expr::Env {
                    var,
                    var_span,
                    default: default(1),
                    cast,
                },
            );
        }
        let convert = match path {
            "bool" => Some(Cast::Bool),
            "int" => Some(Cast::Int),
            "str" => Some(Cast::None),
            "list" | "tuple" => Some(Cast::List),
            _ => None,
        };
        if let (Some(cast), [arg]) = (convert, args.as_slice()) {
            return Expr::Convert(cast, Box::new(self.expr(*arg)));
        }
        if function.kind_name() == "attribute" {
            if let Some([object, method]) = fields(function, ["object", "attribute"]) {
                let method = match self.text(method) {
                    "lower" => Some("lower"),
                    "upper" => Some("upper"),
                    "strip" => Some("strip"),
                    "split" => Some("split"),
                    _ => None,
                };
                if let Some(method) = method {
                    return Expr::Method(
                        Box::new(self.expr(object)),
                        method,
                        args.iter().map(|a| self.expr(*a)).collect(),
                    );
                }
            }
        }
        self.unknown(node)
    }

    /// A string literal without its prefix and quotes.
    fn string_inner(&self, node: Node<'a>) -> Span {
        let parts = self.named_children(node);
        let start = parts
            .iter()
            .find(|p| p.kind_name() == "string_start")
            .map_or(node.start_byte(), |p| p.end_byte());
        let end = parts
            .iter()
            .rev()
            .find(|p| p.kind_name() == "string_end")
            .map_or(node.end_byte(), |p| p.start_byte());
        Span::new(start, end.max(start))
    }
}

fn is_environ(path: &str) -> bool {
    matches!(path, "os.environ" | "environ")
}

fn is_environ_get(path: &str) -> bool {
    matches!(
        path,
        "os.environ.get" | "environ.get" | "os.getenv" | "getenv"
    )
}

/// `env(…)` or `env.<cast>(…)`: the django-environ reader (by its conventional name).
fn env_method(path: &str) -> Option<&str> {
    if path == "env" {
        return Some("");
    }
    path.strip_prefix("env.")
        .filter(|m| m.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

/// Setting names and dict keys that hold credentials (`SECRET_KEY`, `EMAIL_HOST_PASSWORD`,
/// `"PASSWORD"`, `STRIPE_API_KEY`), judged like environment variable names: settings about
/// secrets (`PASSWORD_HASHERS`, `AUTH_PASSWORD_VALIDATORS`, `SECRET_KEY_FILE`) hold none.
pub fn is_secret_name(name: &str) -> bool {
    secret_kind(name).is_some()
}

fn parse_int(text: &str) -> Option<i64> {
    let clean = text.replace('_', "");
    let lower = clean.to_ascii_lowercase();
    if let Some(hex) = lower.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok();
    }
    if let Some(oct) = lower.strip_prefix("0o") {
        return i64::from_str_radix(oct, 8).ok();
    }
    if let Some(bin) = lower.strip_prefix("0b") {
        return i64::from_str_radix(bin, 2).ok();
    }
    clean.parse().ok()
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('\n') => {}
            Some(other @ ('\\' | '\'' | '"')) => out.push(other),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

mod evaluate;

pub use evaluate::{
    evaluate, group, resolve_import, Binding, Evaluation, ModulePaths, ModuleRef, Modules,
    UnresolvedImport, Value,
};

/// The files that may hold Python module `dotted` (`config.settings.prod`) imported from
/// folder `base`: the module file and the package's `__init__.py`.
pub fn module_files(base: &Path, dotted: &str) -> Vec<FollowUp> {
    let valid = !dotted.is_empty()
        && dotted.split('.').all(|part| {
            part.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    if !valid {
        return Vec::new();
    }
    let module: PathBuf = base.join(dotted.split('.').collect::<PathBuf>());
    [module.with_extension("py"), module.join("__init__.py")]
        .into_iter()
        .map(|path| FollowUp {
            path,
            target: Target::Django,
        })
        .collect()
}

/// The settings modules a `manage.py`, `wsgi.py` or `asgi.py` at `path` names in
/// `DJANGO_SETTINGS_MODULE` (`os.environ.setdefault("DJANGO_SETTINGS_MODULE",
/// "config.settings")`), resolved the way Python's import path would be: from the folder of
/// `manage.py`, from the parent of the project package that holds `wsgi.py`/`asgi.py`.
fn settings_named_in(path: &Path, text: &str) -> Vec<FollowUp> {
    static SETTINGS_MODULE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"DJANGO_SETTINGS_MODULE["']?\s*[,=:]\s*["']?([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)"#,
        )
        .expect("valid regex")
    });
    if !text.contains("DJANGO_SETTINGS_MODULE") {
        return Vec::new();
    }
    let Some(dir) = path.parent() else {
        return Vec::new();
    };
    let in_package = path
        .file_name()
        .is_some_and(|n| n == "wsgi.py" || n == "asgi.py");
    let base = if in_package {
        dir.parent().unwrap_or(dir)
    } else {
        dir
    };
    SETTINGS_MODULE
        .captures_iter(text)
        .flat_map(|capture| module_files(base, &capture[1]))
        .collect()
}

impl Format for SettingsModule {
    /// Python files that may be Django settings: `settings.py`, `*settings*.py`, and any
    /// module of a `settings/` package. The content must confirm it (an assignment to
    /// `DEBUG`, `SECRET_KEY`, `MIDDLEWARE`, … or a star import), so an unrelated
    /// `settings.py` is left alone.
    fn classify(name: &FileName) -> Option<Classification> {
        let settings = name.name.contains("settings")
            || name
                .parent()
                .is_some_and(|d| d.eq_ignore_ascii_case("settings"));
        (name.extension() == Some("py") && settings).then_some(Classification {
            target: Target::Django,
            confirm_by_content: true,
        })
    }

    fn parse(source: &Arc<SourceFile>, _: &ParseContext) -> Self {
        Self::parse(&source.text)
    }

    fn confirms_kind(&self) -> bool {
        self.looks_like_django()
    }

    /// `manage.py`, `wsgi.py` and `asgi.py` set `DJANGO_SETTINGS_MODULE` for the process
    /// they start, so settings with any file name (`config/prod.py`) are checked.
    fn is_entry_point(name: &FileName) -> bool {
        matches!(name.name.as_str(), "manage.py" | "wsgi.py" | "asgi.py")
    }

    fn entry_point_follow_ups(path: &Path, text: &str) -> Vec<FollowUp> {
        settings_named_in(path, text)
    }

    fn errors(&self) -> &[ParseError] {
        &self.errors
    }

    /// The values of secret-like settings (`SECRET_KEY`, `SECRET_KEY_FALLBACKS`) and dict
    /// keys (`DATABASES[…]["PASSWORD"]`) whatever their shape, literals that look like
    /// generated credentials, URL passwords, and what the parser could not read.
    fn sensitive(&self, _: &SourceFile) -> Vec<Sensitive> {
        self.secrets
            .iter()
            .map(|&span| Sensitive { span })
            .collect()
    }

    /// A module that star-imports nothing is judged as soon as it is read, unless another
    /// module turns out to import it.
    fn judged_alone(&self, _: &SourceFile) -> bool {
        self.star_imports().next().is_none()
    }

    /// The Django checks judge a deployed module with what it star-imports: only those
    /// modules need to be read together, never all of a scan's.
    const GROUPED: bool = true;

    fn names(&self) -> Vec<String> {
        self.star_imports()
            .map(|(name, _)| name.to_owned())
            .collect()
    }

    fn groups(files: &[crate::formats::GroupedFile], _: &dyn Files) -> crate::formats::Grouping {
        group(files)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::formats::dotenv::shown::{Shown, CANARY};

    /// The settings of `text`, and the file as users see it.
    pub(super) fn evaluated(text: &str) -> (Shown, BTreeMap<String, Binding>) {
        let (shown, module) = Shown::new(text, SettingsModule::parse);
        let settings = evaluate(
            &Modules::new(vec![ModuleRef {
                path: Path::new("settings.py"),
                source: &shown.source,
                module: &module,
            }]),
            0,
        )
        .settings;
        (shown, settings)
    }

    pub(super) fn value(text: &str, name: &str) -> Value {
        evaluated(text)
            .1
            .get(name)
            .map_or(Value::Unknown("unset".into()), |b| b.value.clone())
    }

    /// Why setting `name` of `text` is unknown, as users read it.
    pub(super) fn unknown_reason(text: &str, name: &str) -> String {
        let (shown, settings) = evaluated(text);
        match &settings[name].value {
            Value::Unknown(reason) => shown.message(reason),
            other => panic!("{name} is {other:?}"),
        }
    }

    #[test]
    fn environment_lookups_take_their_defaults() {
        let text = "import os\nDEBUG = os.environ.get('DEBUG', True)\nA = os.getenv('A', 'x')\nB = os.environ['B']\nC = env.bool('C', default='yes')\nD = config('D', default='False', cast=bool)\nE = os.getenv('E', '0') == '1'\nF = os.getenv('F', 'True').lower() in ('true', '1')\n";
        assert_eq!(value(text, "DEBUG"), Value::Bool(true));
        assert_eq!(value(text, "A"), Value::Str("x".into()));
        assert_eq!(
            unknown_reason(text, "B"),
            "read from the environment variable B, which has no default"
        );
        // django-environ returns defaults uncast; decouple casts them.
        assert_eq!(value(text, "C"), Value::Str("yes".into()));
        assert_eq!(value(text, "D"), Value::Bool(false));
        assert_eq!(value(text, "E"), Value::Bool(false));
        assert_eq!(value(text, "F"), Value::Bool(true));
    }

    #[test]
    fn lists_grow_with_plus_equals_and_append() {
        let text = "MIDDLEWARE = ['a']\nMIDDLEWARE += ['b']\nMIDDLEWARE.append('c')\nMIDDLEWARE.insert(0, 'd')\nMIDDLEWARE.remove('a')\n";
        let want: Vec<Value> = ["b", "c", "d"]
            .iter()
            .map(|s| Value::Str((*s).into()))
            .collect();
        assert_eq!(value(text, "MIDDLEWARE"), Value::List(want));
    }

    #[test]
    fn from_dot_import_star_is_the_package_the_module_is_in() {
        // Mayan EDMS: `settings/production.py` says `from . import *`, and
        // `settings/__init__.py` says `from .base import *`.
        let (init_file, init) = Shown::new("from .base import *\n", SettingsModule::parse);
        let (base_file, base) = Shown::new("SECRET_KEY = 'k'\n", SettingsModule::parse);
        let (prod_file, prod) =
            Shown::new("from . import *\nDEBUG = False\n", SettingsModule::parse);
        let modules = Modules::new(
            [
                ("m/settings/__init__.py", &init_file, &init),
                ("m/settings/base.py", &base_file, &base),
                ("m/settings/production.py", &prod_file, &prod),
                ("m/settings.py", &base_file, &base),
            ]
            .into_iter()
            .map(|(path, file, module)| ModuleRef {
                path: Path::new(path),
                source: &file.source,
                module,
            })
            .collect(),
        );
        assert_eq!(resolve_import(&modules, 2, "."), Some(0));
        let result = evaluate(&modules, 2);
        assert!(result.unresolved.is_empty());
        assert_eq!(result.settings["SECRET_KEY"].module, 1);
    }

    #[test]
    fn globals_handed_to_code_is_noted_and_a_function_body_is_not() {
        let names_from_globals = |text: &str| {
            let (file, module) = Shown::new(text, SettingsModule::parse);
            let modules = Modules::new(vec![ModuleRef {
                path: Path::new("s/settings.py"),
                source: &file.source,
                module: &module,
            }]);
            evaluate(&modules, 0)
                .names_from_globals
                .map(|(_, call)| file.source.text[call.range()].to_owned())
        };
        let mayan = "ns = Namespace(global_symbol_table=globals())\nns.update_globals()\n";
        assert_eq!(names_from_globals(mayan).as_deref(), Some("globals()"));
        assert!(names_from_globals("globals().update(load())\n").is_some());
        assert!(names_from_globals("vars()['DEBUG'] = False\n").is_some());
        assert!(names_from_globals("def f():\n    return globals()\nDEBUG = False\n").is_none());
        assert!(names_from_globals("X = globals_of(1)\nY = vars(obj)\n").is_none());
    }

    #[test]
    fn conditional_assignments_are_unknown_not_guessed() {
        let text = "DEBUG = False\nif something():\n    DEBUG = True\n";
        assert!(matches!(value(text, "DEBUG"), Value::Unknown(_)));
    }

    #[test]
    fn star_imports_inherit_and_override() {
        let (base_file, base) = Shown::new(
            "DEBUG = True\nSECRET_KEY = 'x'\nA = [1]\n",
            SettingsModule::parse,
        );
        let (prod_file, prod) = Shown::new(
            "from .base import *\nA += [2]\nSECRET_KEY = 'y'\n",
            SettingsModule::parse,
        );
        let modules = Modules::new(vec![
            ModuleRef {
                path: Path::new("p/settings/base.py"),
                source: &base_file.source,
                module: &base,
            },
            ModuleRef {
                path: Path::new("p/settings/production.py"),
                source: &prod_file.source,
                module: &prod,
            },
        ]);
        let result = evaluate(&modules, 1);
        assert_eq!(result.settings["DEBUG"].value, Value::Bool(true));
        assert_eq!(result.settings["DEBUG"].module, 0);
        assert_eq!(result.settings["SECRET_KEY"].module, 1);
        assert_eq!(
            result.settings["A"].value,
            Value::List(vec![Value::Int(1), Value::Int(2)])
        );
        assert_eq!(
            resolve_import(&modules, 1, "p.settings.base"),
            Some(0),
            "dotted import"
        );
    }

    /// The rule the import index replaced: the first module whose path is the import's
    /// file or package (relative), or ends with it (absolute), found by a walk.
    fn resolve_by_walk(paths: &[&Path], from: usize, name: &str) -> Option<usize> {
        let base = paths.get(from)?.parent()?;
        let dots = name.chars().take_while(|c| *c == '.').count();
        let rest: Vec<&str> = name[dots..].split('.').filter(|s| !s.is_empty()).collect();
        if dots > 0 {
            let mut dir = base.to_path_buf();
            for _ in 1..dots {
                dir = dir.parent()?.to_path_buf();
            }
            dir.extend(&rest);
            let (file, package) = (dir.with_extension("py"), dir.join("__init__.py"));
            if rest.is_empty() {
                return paths.iter().position(|p| *p == package);
            }
            return paths.iter().position(|p| *p == file || *p == package);
        }
        let dir: std::path::PathBuf = rest.iter().collect();
        let (file, package) = (dir.with_extension("py"), dir.join("__init__.py"));
        paths
            .iter()
            .position(|p| p.ends_with(&file) || p.ends_with(&package))
    }

    #[test]
    fn the_import_index_resolves_as_a_walk_over_every_module_would() {
        // Several projects with the same module names (an absolute import then names the
        // first in scan order), packages, absolute and `./` paths, a module twice.
        let paths: Vec<&Path> = [
            "a/config/settings/base.py",
            "a/config/settings/prod.py",
            "a/config/settings/__init__.py",
            "b/config/settings/base.py",
            "b/config/settings/prod.py",
            "b/config/__init__.py",
            "b/config/settings.py",
            "c/settings.py",
            "c/base.py",
            "/srv/d/settings/base.py",
            "/srv/d/settings/production.py",
            "./e/base.py",
            "./e/prod.py",
            "a/config/settings/base.py",
            "base.py",
        ]
        .iter()
        .map(Path::new)
        .collect();
        let (file, module) = Shown::new("DEBUG = True\n", SettingsModule::parse);
        let modules = Modules::new(
            paths
                .iter()
                .map(|path| ModuleRef {
                    path,
                    source: &file.source,
                    module: &module,
                })
                .collect(),
        );
        let names = [
            ".base",
            "..settings",
            "..config",
            ".",
            "..",
            "...",
            ".settings.base",
            "config.settings.base",
            "config.settings",
            "settings.base",
            "settings",
            "base",
            "d.settings.production",
            "srv.d.settings.base",
            "config",
            "missing.module",
            "",
        ];
        let mut resolved = 0;
        for from in 0..paths.len() {
            for name in names {
                let want = resolve_by_walk(&paths, from, name);
                assert_eq!(
                    resolve_import(&modules, from, name),
                    want,
                    "{name} from {}",
                    paths[from].display()
                );
                resolved += usize::from(want.is_some());
            }
        }
        assert!(resolved > paths.len() * 4, "the fixture resolves imports");
    }

    #[test]
    fn broken_python_is_an_error_not_a_panic() {
        let module = SettingsModule::parse("DEBUG = (\nSECRET_KEY = 'x'\n\u{0}\u{ffff}");
        assert!(!module.errors.is_empty());
        let module = SettingsModule::parse("");
        assert!(module.statements.is_empty());
    }

    fn secrets(text: &str) -> Vec<&str> {
        let mut spans = SettingsModule::parse(text).secrets;
        spans.sort();
        spans.iter().map(|s| &text[s.range()]).collect()
    }

    #[test]
    fn secret_literals_are_found_under_secret_keys_but_lookup_names_are_not_secrets() {
        assert_eq!(
            secrets("SECRET_KEY = 'abc'\nDATABASES = {'default': {'PASSWORD': 'hunter2', 'NAME': 'db'}}\n"),
            ["abc", "hunter2"]
        );
        assert_eq!(
            secrets("SECRET_KEY = os.environ.get('SECRET_KEY', 'fallback')\nAPI_TOKEN = config('API_TOKEN', cast=str)\nPASSWORD_HASHERS = ['x']\n"),
            ["fallback"]
        );
    }

    #[test]
    fn secret_settings_are_masked_whole_whatever_their_shape() {
        let text = format!(
            "import os\nSECRET_KEY = f\"{{BASE}}{CANARY}\"\nAPI_TOKEN = base64.b64decode(\"{CANARY}\")\nSTRIPE_API_KEY = \"\".join([\"{CANARY}\", X])\nEMAIL_HOST_PASSWORD = \"{CANARY}\" + SUFFIX\nSIGNING_SECRET = os.environ.get(\"SIGNING_SECRET\", \"{CANARY}\".upper())\nDATABASES = {{\"default\": {{\"PASSWORD\": os.environ.get(\"DB_PASSWORD\") or f\"{CANARY}\"}}}}\nDATABASES[\"default\"][\"PASSWORD\"] = \"{CANARY}\"\nSECRET_KEY_FALLBACKS.append(\"{CANARY}\")\nDATABASE = dj_database_url.parse(\"postgres://app:{CANARY}@db.example.org/app\")\n"
        );
        let (shown, settings) = evaluated(&text);
        // What only names the secret stays readable.
        shown.assert_masked(&[
            "os.environ.get(\"SIGNING_SECRET\", ",
            "os.environ.get(\"DB_PASSWORD\") or ",
            "postgres://app:",
        ]);
        // An unknown secret is described, never quoted.
        for (name, what) in [
            ("SECRET_KEY", "an f-string"),
            ("API_TOKEN", "a function call"),
            ("STRIPE_API_KEY", "a function call"),
        ] {
            let Value::Unknown(reason) = &settings[name].value else {
                panic!("{name}");
            };
            assert_eq!(
                shown.message(reason),
                format!("{what} cannot be evaluated statically")
            );
        }
        assert_eq!(
            unknown_reason("DEBUG = compute()\n", "DEBUG"),
            "`compute()` cannot be evaluated statically"
        );
    }

    #[test]
    fn keys_left_in_comments_and_docstrings_are_masked() {
        let text = format!(
            "\"\"\"Settings. SECRET_KEY {CANARY} was the old one.\"\"\"\n# SECRET_KEY = '{CANARY}'\nDEBUG = False  # no DEBUG in production\n"
        );
        let (shown, _) = Shown::new(&text, SettingsModule::parse);
        shown.assert_masked(&[
            "was the old one.",
            "# SECRET_KEY = '*",
            "DEBUG = False  # no DEBUG",
        ]);
    }

    #[test]
    fn lines_that_do_not_parse_are_masked_after_their_name() {
        for broken in [
            format!("API_TOKEN = \"{CANARY}\nDEBUG = False\n"),
            format!("STRIPE_API_KEY = {CANARY} tmsvqpa\nDEBUG = False\n"),
            format!("DATABASES = {{\n    'default': {{\n        'PASSWORD': '{CANARY}',\n    }}\nDEBUG = False\n"),
            format!("DATABASES = {{'default': {{'HOST': 'db', 'PASSWORD': '{CANARY}',\n"),
            format!("DEBUG = False\n{CANARY} \"{CANARY} ]{{\nX = 1\n"),
        ] {
            let (shown, module) = Shown::new(&broken, SettingsModule::parse);
            assert!(!module.errors.is_empty(), "{broken}");
            let name = broken.split(' ').next().unwrap();
            shown.assert_masked(&[&format!("{name} = ")]);
            let errors = shown.errors(&module);
            assert!(!errors.contains("qzcanary"), "{errors}");
            let (_, settings) = evaluated(&broken);
            for binding in settings.values() {
                if let Value::Unknown(reason) = &binding.value {
                    assert!(!shown.message(reason).contains("qzcanary"));
                }
            }
        }
    }

    #[test]
    fn multiplication_builds_durations_and_repeated_strings() {
        assert_eq!(value("K = 'ab' * 3\n", "K"), Value::Str("ababab".into()));
        assert_eq!(
            value("HSTS = 60 * 60 * 24 * 365\n", "HSTS"),
            Value::Int(31_536_000)
        );
    }
}
