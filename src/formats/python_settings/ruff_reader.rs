//! The exact reader: settings modules that parse without an error are read with ruff's
//! parser, about ten times faster than tree-sitter (86.7 against 8.5 MB/s on the generated
//! tree's settings modules).
//!
//! It gives what the tree-sitter reader gives: the same statements, values, secrets and
//! spans (`tests/it/python_readers.rs` compares both on every committed Python file and
//! the real-world corpus, the `django` fuzz target on every input). ruff stops at the first
//! error where tree-sitter reads on, so a file with any error is left to the tree-sitter
//! reader: `None`.
//!
//! ruff parses recursively, and so do the walks of its tree and its drop: a hostile file
//! nested thousands deep would overflow the stack (`-` 100,000 deep overflows 2 MiB). Its
//! parse needs at most 64 bytes of stack per byte of input in a release build (`-` repeated,
//! the worst of twenty-five constructs, binary search on the thread's stack size), all of it
//! with the walks under 1 KiB in a debug build; so a file is read on a stack of
//! [`STACK_PER_BYTE`] a byte ([`stacker`] switches to one when the thread's is short), and
//! files over [`MAX_LEN`] are left to tree-sitter, which needs no stack.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::LazyLock;

use memchr::memmem;

use ruff_python_ast::token::{parenthesized_range, TokenKind, Tokens};
use ruff_python_ast::visitor::source_order::{self, SourceOrderVisitor};
use ruff_python_ast::{
    self as ast, BoolOp, CmpOp, Expr as Py, FStringPart, InterpolatedStringElement, Number,
    Operator, Stmt, UnaryOp,
};
use ruff_text_size::{Ranged, TextRange};

use super::{
    decode, is_environ, is_raw, is_secret_name, line_from, list_change, looks_up, parse_int,
    CallParts, Cast, CompareOp, Context, Expr, Opaque, SettingsModule, StatementKind, MAX_DEPTH,
};
use crate::formats::sensitive::assignment_sensitive;
use crate::secrets::{looks_like_token, mentioned_secrets};
use crate::source::Span;

/// Files larger than this are read by tree-sitter (the stack they could need is too much to
/// reserve).
const MAX_LEN: usize = 64 * 1024;

/// Stack reserved per byte of input: four times what a debug build needs.
const STACK_PER_BYTE: usize = 4 * 1024;

/// `text` read by ruff, or `None` when the tree-sitter reader must read it.
pub(super) fn read(text: &str) -> Option<SettingsModule> {
    if text.len() > MAX_LEN {
        return None;
    }
    let stack = STACK_PER_BYTE * text.len() + 256 * 1024;
    stacker::maybe_grow(stack, stack, || {
        let parsed = ruff_python_parser::parse_module(text).ok()?;
        let mut reader = Reader {
            text,
            tokens: parsed.tokens(),
            module: SettingsModule::empty(text),
            depth: Cell::new(0),
        };
        let body = &parsed.syntax().body;
        // Absent settings are reported at the last top-level statement (its first line).
        if let Some(last) = body.last() {
            reader.module.end = line_from(text, last.start().to_usize());
        }
        reader.block(body, Context::Top);
        reader.free_text_and_urls(body, parsed.tokens());
        Some(reader.module)
    })
}

fn span_of(node: &impl Ranged) -> Span {
    Span::new(node.start().to_usize(), node.end().to_usize())
}

/// An argument of a call as tree-sitter lists them: a keyword argument (or `**mapping`) is
/// one node.
#[derive(Clone, Copy)]
enum Arg<'a> {
    Positional(&'a Py),
    Keyword(&'a ast::Keyword),
}

impl Ranged for Arg<'_> {
    fn range(&self) -> TextRange {
        match self {
            Arg::Positional(expr) => expr.range(),
            Arg::Keyword(keyword) => keyword.range(),
        }
    }
}

/// The arguments of a call in the order they are written.
fn arguments(arguments: &ast::Arguments) -> Vec<Arg<'_>> {
    arguments
        .iter_source_order()
        .map(|arg| match arg {
            ast::ArgOrKeyword::Arg(expr) => Arg::Positional(expr),
            ast::ArgOrKeyword::Keyword(keyword) => Arg::Keyword(keyword),
        })
        .collect()
}

struct Reader<'a> {
    text: &'a str,
    tokens: &'a Tokens,
    module: SettingsModule,
    /// How deep the reader is in nested expressions and blocks, counted as the tree-sitter
    /// reader counts.
    depth: Cell<usize>,
}

impl Reader<'_> {
    fn text(&self, range: TextRange) -> &str {
        self.text.get(range.to_std_range()).unwrap_or("")
    }

    /// Where `expr`, a child of `parent`, is written, with the parentheses around it (ruff's
    /// ranges leave them out, tree-sitter's nodes hold them).
    fn outer_span(&self, expr: &Py, parent: ast::AnyNodeRef) -> Span {
        span_of(&parenthesized_range(expr.into(), parent, self.tokens).unwrap_or(expr.range()))
    }

    fn outer_arg_span(&self, arg: Arg, call: &ast::ExprCall) -> Span {
        match arg {
            Arg::Positional(expr) => self.outer_span(expr, (&call.arguments).into()),
            Arg::Keyword(keyword) => span_of(keyword),
        }
    }

    fn block(&mut self, body: &[Stmt], context: Context) {
        if self.depth.get() > MAX_DEPTH {
            return;
        }
        self.depth.set(self.depth.get() + 1);
        for stmt in body {
            self.statement(stmt, context);
        }
        self.depth.set(self.depth.get() - 1);
    }

    fn statement(&mut self, stmt: &Stmt, context: Context) {
        let span = span_of(stmt);
        match stmt {
            Stmt::Expr(_) | Stmt::Assign(_) | Stmt::AugAssign(_) | Stmt::AnnAssign(_) => {
                if let Some(call) = self.globals_call(stmt) {
                    self.module
                        .push(StatementKind::NamesFromGlobals, span, call, span);
                }
            }
            _ => {}
        }
        match stmt {
            Stmt::Expr(statement) => match &*statement.value {
                // `a.append(1), b.append(2)`: each is read as a statement of its own.
                Py::Tuple(tuple) if !tuple.parenthesized => {
                    for expr in &tuple.elts {
                        self.call_statement(expr, span, context);
                    }
                }
                expr => self.call_statement(expr, span, context),
            },
            Stmt::Assign(assign) => {
                let value_span = self.outer_span(&assign.value, stmt.into());
                for target in &assign.targets {
                    self.assign(target, &assign.value, [span, value_span], context);
                }
            }
            Stmt::AnnAssign(assign) => {
                if let Some(value) = &assign.value {
                    let value_span = self.outer_span(value, stmt.into());
                    self.assign(&assign.target, value, [span, value_span], context);
                }
            }
            Stmt::AugAssign(assign) => {
                let Py::Name(target) = &*assign.target else {
                    return;
                };
                let name = target.id.to_string();
                self.note_secrets(&name, Arg::Positional(&assign.value));
                let kind = match (context, assign.op) {
                    (Context::Conditional, _) => {
                        StatementKind::Conditional(name, "changed inside a condition")
                    }
                    (_, Operator::Add) => StatementKind::Extend(name, self.expr(&assign.value)),
                    _ => StatementKind::Assign(
                        name,
                        Expr::Unknown(Opaque {
                            what: "an augmented assignment",
                            span,
                        }),
                    ),
                };
                self.module.push(
                    kind,
                    span,
                    span_of(target),
                    self.outer_span(&assign.value, stmt.into()),
                );
            }
            Stmt::ImportFrom(import) => {
                if !matches!(import.names.as_slice(), [alias] if alias.name.as_str() == "*") {
                    return;
                }
                // The module as written: `from` and spaces skipped, then the dots and name.
                let after_from = span.start + "from".len();
                let start = after_from
                    + self.text[after_from..span.end]
                        .find(|c: char| !c.is_whitespace() && c != '\\')
                        .unwrap_or(0);
                let end = import.module.as_ref().map_or_else(
                    || {
                        start + self.text[start..].len()
                            - self.text[start..].trim_start_matches('.').len()
                    },
                    |module| module.end().to_usize(),
                );
                let name_span = Span::new(start, end.max(start));
                self.module.push(
                    StatementKind::StarImport {
                        module: self.text[start..end.max(start)].to_owned(),
                        optional: context == Context::Try,
                    },
                    span,
                    name_span,
                    span,
                );
            }
            Stmt::Try(statement) => {
                self.block(&statement.body, Context::Try);
                // Handlers run only when the body failed: what they set is conditional.
                for handler in &statement.handlers {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    self.block(&handler.body, Context::Conditional);
                }
                self.block(&statement.orelse, Context::Conditional);
                self.block(&statement.finalbody, Context::Conditional);
            }
            Stmt::If(statement) => {
                self.block(&statement.body, Context::Conditional);
                for clause in &statement.elif_else_clauses {
                    self.block(&clause.body, Context::Conditional);
                }
            }
            Stmt::For(statement) => {
                self.block(&statement.body, Context::Conditional);
                self.block(&statement.orelse, Context::Conditional);
            }
            Stmt::While(statement) => {
                self.block(&statement.body, Context::Conditional);
                self.block(&statement.orelse, Context::Conditional);
            }
            Stmt::With(statement) => self.block(&statement.body, Context::Conditional),
            _ => {}
        }
    }

    /// The last call of `globals()`, `vars()` or `locals()` without arguments in `stmt`.
    fn globals_call(&self, stmt: &Stmt) -> Option<Span> {
        // Most statements name none of them: no need to look at their nodes. The finders are
        // set up once (`contains` sets one up for each statement and word).
        static NAMES: LazyLock<[memmem::Finder<'static>; 3]> =
            LazyLock::new(|| ["globals", "vars", "locals"].map(memmem::Finder::new));
        let text = self.text(stmt.range()).as_bytes();
        if !NAMES.iter().any(|name| name.find(text).is_some()) {
            return None;
        }
        #[derive(Default)]
        struct Finder(Option<Span>);
        impl<'a> SourceOrderVisitor<'a> for Finder {
            fn visit_expr(&mut self, expr: &'a Py) {
                if let Py::Call(call) = expr {
                    let named = matches!(&*call.func, Py::Name(name)
                        if matches!(name.id.as_str(), "globals" | "vars" | "locals"));
                    if named && call.arguments.is_empty() {
                        self.0 = Some(span_of(call));
                    }
                }
                source_order::walk_expr(self, expr);
            }
        }
        let mut finder = Finder::default();
        finder.visit_stmt(stmt);
        finder.0
    }

    /// `NAME.append(value)`, `.insert(i, value)`, `.extend(values)`, `.remove(value)`.
    fn call_statement(&mut self, expr: &Py, span: Span, context: Context) {
        let Py::Call(call) = expr else {
            return;
        };
        let Py::Attribute(function) = &*call.func else {
            return;
        };
        let Py::Name(object) = &*function.value else {
            return;
        };
        let name = object.id.to_string();
        let name_span = span_of(object);
        let args = arguments(&call.arguments);
        // `SECRET_KEY_FALLBACKS.append("…")` adds a secret.
        for arg in &args {
            self.note_secrets(&name, *arg);
        }
        if let Some((v, change)) = list_change(function.attr.as_str(), &args) {
            let kind = change.statement(name, self.arg_expr(v), context);
            self.module
                .push(kind, span, name_span, self.outer_arg_span(v, call));
        }
    }

    fn assign(&mut self, target: &Py, value: &Py, [span, value_span]: [Span; 2], context: Context) {
        // `DATABASES["default"]["PASSWORD"] = …`, `SECRET_KEY, X = …`: a secret-like name
        // anywhere in the target makes the whole value a secret.
        if self.names_secret(target) {
            self.secret_value(Arg::Positional(value));
        } else {
            self.secret_keys(Arg::Positional(value));
        }
        match target {
            Py::Name(name) => {
                let name_text = name.id.to_string();
                let kind = if context == Context::Conditional {
                    StatementKind::Conditional(name_text, "set inside a condition")
                } else {
                    StatementKind::Assign(name_text, self.expr(value))
                };
                self.module.push(kind, span, span_of(target), value_span);
            }
            Py::Subscript(subscript) => {
                let Py::Name(object) = &*subscript.value else {
                    return;
                };
                let name = object.id.to_string();
                let kind = if context == Context::Conditional {
                    StatementKind::Conditional(name, "changed inside a condition")
                } else {
                    StatementKind::SetItem(name, self.expr(&subscript.slice), self.expr(value))
                };
                self.module.push(kind, span, span_of(object), value_span);
            }
            Py::Tuple(ast::ExprTuple { elts, .. }) | Py::List(ast::ExprList { elts, .. }) => {
                for element in elts {
                    if let Py::Name(name) = element {
                        self.module.push(
                            StatementKind::Conditional(
                                name.id.to_string(),
                                "unpacked from a sequence",
                            ),
                            span,
                            span_of(element),
                            value_span,
                        );
                    }
                }
            }
            _ => {}
        }
    }

    /// Whether an assignment target names a secret: a secret-like name, attribute or
    /// string subscript anywhere in it.
    fn names_secret(&self, target: &Py) -> bool {
        struct Finder<'r, 's> {
            reader: &'r Reader<'s>,
            secret: bool,
        }
        impl<'a> SourceOrderVisitor<'a> for Finder<'_, '_> {
            fn enter_node(&mut self, _: ast::AnyNodeRef<'a>) -> source_order::TraversalSignal {
                if self.secret {
                    source_order::TraversalSignal::Skip
                } else {
                    source_order::TraversalSignal::Traverse
                }
            }
            fn visit_expr(&mut self, expr: &'a Py) {
                if let Py::Name(name) = expr {
                    self.secret |= is_secret_name(&name.id);
                }
                source_order::walk_expr(self, expr);
            }
            fn visit_identifier(&mut self, identifier: &'a ast::Identifier) {
                self.secret |= is_secret_name(identifier);
            }
            fn visit_string_literal(&mut self, literal: &'a ast::StringLiteral) {
                self.secret |= matches!(self.reader.part(literal.range, false),
                    Expr::Str(key) if is_secret_name(&key));
            }
            fn visit_bytes_literal(&mut self, literal: &'a ast::BytesLiteral) {
                self.secret |= matches!(self.reader.part(literal.range, false),
                    Expr::Str(key) if is_secret_name(&key));
            }
            fn visit_f_string(&mut self, f_string: &'a ast::FString) {
                self.secret |= matches!(self.reader.f_string(f_string),
                    Expr::Str(key) if is_secret_name(&key));
            }
        }
        let mut finder = Finder {
            reader: self,
            secret: false,
        };
        finder.visit_expr(target);
        finder.secret
    }

    /// Records the value given to setting `name` as a secret when the name is secret-like,
    /// else what it holds under secret-like keys.
    fn note_secrets(&mut self, name: &str, value: Arg) {
        if is_secret_name(name) {
            self.secret_value(value);
        } else {
            self.secret_keys(value);
        }
    }

    /// Records the values under secret-like dict keys and keyword arguments anywhere in
    /// `value` (`DATABASES = {"default": {"PASSWORD": …}}`, `dict(password=…)`) as secrets.
    fn secret_keys(&mut self, value: Arg) {
        struct Finder<'r, 's, 'a> {
            reader: &'r Reader<'s>,
            found: Vec<Arg<'a>>,
        }
        impl<'a> Finder<'_, '_, 'a> {
            fn secret_key(&self, key: &Py) -> bool {
                matches!(self.reader.expr(key), Expr::Str(k) if is_secret_name(&k))
            }
        }
        impl<'a> SourceOrderVisitor<'a> for Finder<'_, '_, 'a> {
            fn visit_expr(&mut self, expr: &'a Py) {
                match expr {
                    Py::Dict(dict) => {
                        for item in &dict.items {
                            match &item.key {
                                Some(key) if self.secret_key(key) => {
                                    self.found.push(Arg::Positional(&item.value));
                                }
                                key => {
                                    if let Some(key) = key {
                                        self.visit_expr(key);
                                    }
                                    self.visit_expr(&item.value);
                                }
                            }
                        }
                    }
                    Py::DictComp(comp) => match &comp.key {
                        Some(key) if self.secret_key(key) => {
                            self.found.push(Arg::Positional(&comp.value));
                            for generator in &comp.generators {
                                self.visit_comprehension(generator);
                            }
                        }
                        _ => source_order::walk_expr(self, expr),
                    },
                    _ => source_order::walk_expr(self, expr),
                }
            }
            fn visit_keyword(&mut self, keyword: &'a ast::Keyword) {
                if keyword.arg.as_ref().is_some_and(|k| is_secret_name(k)) {
                    self.found.push(Arg::Positional(&keyword.value));
                } else {
                    source_order::walk_keyword(self, keyword);
                }
            }
        }
        let mut finder = Finder {
            reader: self,
            found: Vec::new(),
        };
        match value {
            Arg::Positional(expr) => finder.visit_expr(expr),
            Arg::Keyword(keyword) => finder.visit_keyword(keyword),
        }
        for v in finder.found {
            self.secret_value(v);
        }
    }

    /// Records what a value given to a secret holds (see the tree-sitter reader's
    /// `secret_value`): the whole expression, except what only names something.
    fn secret_value(&mut self, value: Arg) {
        let mut stack = vec![value];
        while let Some(arg) = stack.pop() {
            let Arg::Positional(node) = arg else {
                self.module.secrets.push(span_of(&arg));
                continue;
            };
            match node {
                Py::Name(_) | Py::Attribute(_) | Py::NoneLiteral(_) | Py::BooleanLiteral(_) => {}
                Py::BoolOp(ast::ExprBoolOp { values: elts, .. })
                | Py::List(ast::ExprList { elts, .. })
                | Py::Tuple(ast::ExprTuple { elts, .. })
                | Py::Set(ast::ExprSet { elts, .. }) => {
                    stack.extend(elts.iter().map(Arg::Positional));
                }
                Py::Subscript(subscript) if is_environ(self.text(subscript.value.range())) => {}
                Py::Call(call) if looks_up(self.text(call.func.range())) => {
                    for (i, arg) in arguments(&call.arguments).into_iter().enumerate() {
                        match arg {
                            // What to convert to names no secret.
                            Arg::Keyword(ast::Keyword {
                                arg: Some(name), ..
                            }) if name.as_str() == "cast" => {}
                            Arg::Keyword(ast::Keyword {
                                arg: Some(_),
                                value,
                                ..
                            }) => stack.push(Arg::Positional(value)),
                            _ if i > 0 => stack.push(arg),
                            _ => {}
                        }
                    }
                }
                _ => self.module.secrets.push(self.string_inner(node)),
            }
        }
    }

    /// Secrets named in comments and docstrings, and the passwords of the URLs in every
    /// string literal of the module (see the tree-sitter reader's `free_text_and_urls`).
    fn free_text_and_urls(&mut self, body: &[Stmt], tokens: &[ast::token::Token]) {
        struct Finder<'r, 's> {
            reader: &'r Reader<'s>,
            free_text: Vec<TextRange>,
            strings: Vec<(TextRange, Expr)>,
        }
        impl<'a> SourceOrderVisitor<'a> for Finder<'_, '_> {
            fn visit_stmt(&mut self, stmt: &'a Stmt) {
                // A string standing as a statement of its own (not in parentheses): free
                // text, like a comment.
                if let Stmt::Expr(statement) = stmt {
                    if is_one_literal(&statement.value) && statement.value.range() == stmt.range() {
                        self.free_text.push(stmt.range());
                    }
                }
                source_order::walk_stmt(self, stmt);
            }
            fn visit_string_literal(&mut self, literal: &'a ast::StringLiteral) {
                if may_hold_unnamed_secret(self.reader.text(literal.range)) {
                    let value = self.reader.part(literal.range, false);
                    self.strings.push((literal.range, value));
                }
            }
            fn visit_bytes_literal(&mut self, literal: &'a ast::BytesLiteral) {
                if may_hold_unnamed_secret(self.reader.text(literal.range)) {
                    let value = self.reader.part(literal.range, false);
                    self.strings.push((literal.range, value));
                }
            }
            // Not into its replacement fields, as tree-sitter's reader.
            fn visit_f_string(&mut self, f_string: &'a ast::FString) {
                if may_hold_unnamed_secret(self.reader.text(f_string.range)) {
                    let value = self.reader.f_string(f_string);
                    self.strings.push((f_string.range, value));
                }
            }
        }
        let mut finder = Finder {
            reader: self,
            free_text: Vec::new(),
            strings: Vec::new(),
        };
        finder.visit_body(body);
        let Finder {
            mut free_text,
            strings,
            ..
        } = finder;
        free_text.extend(
            tokens
                .iter()
                .filter(|token| token.kind() == TokenKind::Comment)
                .map(Ranged::range),
        );
        for range in free_text {
            let start = range.start().to_usize();
            for value in mentioned_secrets(self.text(range)) {
                let span = Span::new(start + value.start, start + value.end);
                self.module.secrets.push(span);
            }
        }
        for (range, value) in strings {
            match value {
                // Of an unnamed value, only a URL's password is a secret here.
                Expr::Str(value) if !looks_like_token(&value) => {
                    let inner = inner_span(self.text, range);
                    let found = assignment_sensitive("", &value, inner);
                    self.module.secrets.extend(found.map(|s| s.span));
                }
                _ => {}
            }
        }
    }

    fn arg_expr(&self, arg: Arg) -> Expr {
        match arg {
            Arg::Positional(expr) => self.expr(expr),
            Arg::Keyword(keyword) => self.opaque(span_of(keyword), "an expression"),
        }
    }

    fn expr(&self, node: &Py) -> Expr {
        if self.depth.get() > MAX_DEPTH {
            return self.opaque(span_of(node), "an expression nested too deeply");
        }
        self.depth.set(self.depth.get() + 1);
        let expr = self.expr_inner(node);
        self.depth.set(self.depth.get() - 1);
        expr
    }

    fn expr_inner(&self, node: &Py) -> Expr {
        match node {
            Py::StringLiteral(string) => {
                self.concatenation(string.value.iter().map(|part| (part.range, false)))
            }
            Py::BytesLiteral(bytes) => {
                self.concatenation(bytes.value.iter().map(|part| (part.range, false)))
            }
            Py::FString(string) => {
                let mut out = String::new();
                for part in string.value.iter() {
                    let value = match part {
                        FStringPart::Literal(literal) => self.part(literal.range, false),
                        FStringPart::FString(f_string) => self.f_string(f_string),
                    };
                    match value {
                        Expr::Str(s) => out.push_str(&s),
                        other => return other,
                    }
                }
                Expr::Str(out)
            }
            Py::NumberLiteral(ast::ExprNumberLiteral {
                value: Number::Int(_),
                range,
                ..
            }) => parse_int(self.text(*range)).map_or_else(|| self.unknown(node), Expr::Int),
            Py::BooleanLiteral(literal) => Expr::Bool(literal.value),
            Py::NoneLiteral(_) => Expr::None,
            Py::List(ast::ExprList { elts, .. })
            | Py::Tuple(ast::ExprTuple { elts, .. })
            | Py::Set(ast::ExprSet { elts, .. }) => {
                Expr::List(elts.iter().map(|e| self.expr(e)).collect())
            }
            Py::Dict(dict) => Expr::Dict(
                dict.items
                    .iter()
                    .filter_map(|item| {
                        Some((self.expr(item.key.as_ref()?), self.expr(&item.value)))
                    })
                    .collect(),
            ),
            Py::Name(name) => Expr::Name(name.id.to_string(), span_of(name)),
            Py::UnaryOp(unary) => match (unary.op, self.expr(&unary.operand)) {
                (UnaryOp::Not, operand) => Expr::Not(Box::new(operand)),
                (UnaryOp::USub, Expr::Int(i)) => Expr::Int(-i),
                (UnaryOp::UAdd, Expr::Int(i)) => Expr::Int(i),
                _ => self.unknown(node),
            },
            // `a and b and c` is one node of ruff's, nested to the left in tree-sitter's.
            Py::BoolOp(bool_op) => {
                let mut values = bool_op.values.iter().map(|v| self.expr(v));
                let first = values.next().unwrap_or(Expr::None);
                values.fold(first, |l, r| match bool_op.op {
                    BoolOp::And => Expr::And(Box::new(l), Box::new(r)),
                    BoolOp::Or => Expr::Or(Box::new(l), Box::new(r)),
                })
            }
            Py::BinOp(binary) => match binary.op {
                Operator::Add => Expr::Add(
                    Box::new(self.expr(&binary.left)),
                    Box::new(self.expr(&binary.right)),
                ),
                Operator::Mult => Expr::Mul(
                    Box::new(self.expr(&binary.left)),
                    Box::new(self.expr(&binary.right)),
                ),
                _ => self.unknown(node),
            },
            Py::Compare(compare) => {
                let op = match &*compare.ops {
                    [CmpOp::Eq] => CompareOp::Eq,
                    [CmpOp::NotEq] => CompareOp::NotEq,
                    [CmpOp::In] => CompareOp::In,
                    [CmpOp::NotIn] => CompareOp::NotIn,
                    _ => return self.unknown(node),
                };
                match &*compare.comparators {
                    [right] => Expr::Compare(
                        Box::new(self.expr(&compare.left)),
                        op,
                        Box::new(self.expr(right)),
                    ),
                    _ => self.unknown(node),
                }
            }
            Py::If(if_else) => Expr::IfElse(
                Box::new(self.expr(&if_else.test)),
                Box::new(self.expr(&if_else.body)),
                Box::new(self.expr(&if_else.orelse)),
            ),
            Py::Subscript(subscript) => {
                if is_environ(self.text(subscript.value.range())) {
                    return match self.expr(&subscript.slice) {
                        Expr::Str(var) => Expr::Env {
                            var,
                            var_span: self.string_inner(&subscript.slice),
                            default: None,
                            cast: Cast::None,
                        },
                        _ => self.unknown(node),
                    };
                }
                Expr::Index(
                    Box::new(self.expr(&subscript.value)),
                    Box::new(self.expr(&subscript.slice)),
                )
            }
            Py::Call(call) => self.call(call),
            _ => self.unknown(node),
        }
    }

    /// An expression preflight does not evaluate, described by its kind (as tree-sitter's
    /// reader names its nodes).
    fn unknown(&self, node: &Py) -> Expr {
        let what = match node {
            Py::Call(_) => "a function call",
            Py::NumberLiteral(ast::ExprNumberLiteral {
                value: Number::Int(_),
                ..
            }) => "an integer",
            // tree-sitter takes `1j` for an integer, `1.5j` for a float.
            Py::NumberLiteral(ast::ExprNumberLiteral {
                value: Number::Complex { .. },
                range,
                ..
            }) if self.text(*range)[..range.len().to_usize().saturating_sub(1)]
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'_') =>
            {
                "an integer"
            }
            Py::NumberLiteral(_) => "a float",
            Py::BinOp(_) | Py::UnaryOp(_) => "an arithmetic expression",
            Py::Compare(_) => "a comparison",
            Py::Attribute(_) => "an attribute",
            Py::Lambda(_) => "a lambda",
            Py::ListComp(_) | Py::DictComp(_) | Py::SetComp(_) | Py::Generator(_) => {
                "a comprehension"
            }
            _ => "an expression",
        };
        let span = match node {
            // `list(x for x in y)`: tree-sitter's generator holds the call's parentheses.
            Py::Generator(generator) if !generator.parenthesized => {
                let (start, end) = (generator.start().to_usize(), generator.end().to_usize());
                let open = self.text[..start].trim_end();
                let close = self.text[end..].trim_start();
                match (open.strip_suffix('('), close.strip_prefix(')')) {
                    (Some(open), Some(close)) => {
                        Span::new(open.len(), self.text.len() - close.len())
                    }
                    _ => span_of(node),
                }
            }
            _ => span_of(node),
        };
        self.opaque(span, what)
    }

    fn opaque(&self, span: Span, what: &'static str) -> Expr {
        Expr::Unknown(Opaque { what, span })
    }

    /// Implicitly concatenated literals (`"a" "b"`), or one.
    fn concatenation(&self, parts: impl Iterator<Item = (TextRange, bool)>) -> Expr {
        let mut out = String::new();
        for (range, interpolated) in parts {
            match self.part(range, interpolated) {
                Expr::Str(s) => out.push_str(&s),
                other => return other,
            }
        }
        Expr::Str(out)
    }

    /// One literal of a concatenation, from its text, as the tree-sitter reader decodes it.
    fn part(&self, range: TextRange, interpolated: bool) -> Expr {
        if interpolated {
            return self.opaque(span_of(&range), "an f-string");
        }
        let literal = self.text(range);
        let inner = inner_span(self.text, range);
        Expr::Str(decode(&self.text[inner.start..inner.end], is_raw(literal)).into_owned())
    }

    /// An f-string: its text when it has no replacement field.
    fn f_string(&self, f_string: &ast::FString) -> Expr {
        let interpolated = f_string
            .elements
            .iter()
            .any(|e| matches!(e, InterpolatedStringElement::Interpolation(_)));
        self.part(f_string.range, interpolated)
    }

    /// A string literal without its prefix and quotes; any other expression whole.
    fn string_inner(&self, node: &Py) -> Span {
        if is_one_literal(node) {
            inner_span(self.text, node.range())
        } else {
            span_of(node)
        }
    }

    fn call(&self, call: &ast::ExprCall) -> Expr {
        let mut args = Vec::new();
        let mut kwargs = BTreeMap::new();
        for arg in arguments(&call.arguments) {
            match arg {
                Arg::Keyword(ast::Keyword {
                    arg: Some(name),
                    value,
                    ..
                }) => {
                    kwargs.insert(name.as_str(), Arg::Positional(value));
                }
                _ => args.push(arg),
            }
        }
        let method = match &*call.func {
            Py::Attribute(function) => {
                Some((Arg::Positional(&function.value), function.attr.as_str()))
            }
            _ => None,
        };
        let parts = CallParts {
            path: self.text(call.func.range()),
            cast: kwargs.get("cast").map(|c| self.text(c.range())),
            args,
            kwargs,
            method,
        };
        parts.reduce(
            |arg| self.arg_expr(arg),
            |arg| match arg {
                Arg::Positional(expr) => self.string_inner(expr),
                Arg::Keyword(keyword) => span_of(keyword),
            },
            || self.unknown_call(call),
        )
    }

    fn unknown_call(&self, call: &ast::ExprCall) -> Expr {
        self.opaque(span_of(call), "a function call")
    }
}

/// Whether a literal written as `raw` may hold what an unnamed string hides: a private key
/// or a URL's password, which needs the `:` of `scheme://` ([`crate::secrets::parse_url`]).
/// An escape can spell either, so a literal with one is decoded and looked at. Most
/// literals of a settings module are neither, and are not decoded for this.
fn may_hold_unnamed_secret(raw: &str) -> bool {
    memchr::memchr2(b':', b'\\', raw.as_bytes()).is_some()
        || memchr::memmem::find(raw.as_bytes(), b"PRIVATE KEY").is_some()
}

/// Whether `expr` is one string literal (tree-sitter's `string`), not a concatenation.
fn is_one_literal(expr: &Py) -> bool {
    match expr {
        Py::StringLiteral(s) => !s.value.is_implicit_concatenated(),
        Py::BytesLiteral(s) => !s.value.is_implicit_concatenated(),
        Py::FString(s) => !s.value.is_implicit_concatenated(),
        _ => false,
    }
}

/// A literal's text at `range` without its prefix and quotes.
fn inner_span(text: &str, range: TextRange) -> Span {
    let (start, end) = (range.start().to_usize(), range.end().to_usize());
    let literal = &text[start..end];
    let prefix = literal.bytes().take_while(u8::is_ascii_alphabetic).count();
    let body = &literal[prefix..];
    let quotes = if body.starts_with("\"\"\"") || body.starts_with("'''") {
        3
    } else {
        1
    };
    let inner_start = (start + prefix + quotes).min(end);
    Span::new(inner_start, end.saturating_sub(quotes).max(inner_start))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nesting as deep as a file of up to [`MAX_LEN`] bytes allows, of the constructs that
    /// take ruff the most stack, is read on a thread with a small stack: the reader moves to
    /// a stack of its own. (Without `stacker`, `-` 100,000 deep overflows 2 MiB.)
    #[test]
    fn hostile_nesting_is_read_on_a_stack_of_its_own() {
        let nestings = [
            ("-", ""),
            ("not ", ""),
            ("[", "]"),
            ("{1:", "}"),
            ("f(", ")"),
            ("a[", "]"),
            ("(1,", ")"),
            ("lambda:", ""),
            ("1 if 1 else ", ""),
            ("f'{", "}'"),
            ("2**", ""),
        ];
        let worker = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || {
                let mut read_whole = 0;
                for (open, close) in nestings {
                    let depth = (MAX_LEN - 16) / (open.len() + close.len());
                    // Unclosed: ruff gives up on it, after recursing all the way down.
                    let unclosed = format!("X = {}1", open.repeat(depth));
                    assert!(
                        super::read(&unclosed).is_none() || close.is_empty(),
                        "{open}"
                    );
                    // Closed: read, its tree walked and dropped.
                    let closed = format!("X = {}1{}", open.repeat(depth), close.repeat(depth));
                    read_whole += usize::from(super::read(&closed).is_some());
                }
                read_whole
            })
            .expect("thread");
        assert_eq!(worker.join().expect("no overflow"), nestings.len());
    }

    #[test]
    fn large_files_and_broken_ones_are_left_to_tree_sitter() {
        let large = format!("DEBUG = False\n{}", "# padding\n".repeat(MAX_LEN / 10));
        assert!(read(&large).is_none());
        assert!(read(&large[..200]).is_some());
        assert!(read("DEBUG = (\n").is_none());
    }
}
