//! The tolerant reader: tree-sitter-python, which reads on after a syntax error.

use std::collections::BTreeMap;

use tree_sitter::Node;

use super::{
    decode, is_environ, is_raw, is_secret_name, line_from, list_change, looks_up, parse_int,
    unescape, CallParts, Cast, CompareOp, Context, Expr, Opaque, SettingsModule, StatementKind,
    MAX_DEPTH,
};
use crate::formats::sensitive::assignment_sensitive;
use crate::formats::syntax_tree::{
    visit_named, with_parser, ChildLister, Children, NodeNames, Visit,
};
use crate::formats::ParseError;
use crate::msg;
use crate::secrets::{looks_like_token, mentioned_secrets};
use crate::source::Span;

/// `text` read by tree-sitter. Never fails: a grammar that cannot load or a broken file
/// yields errors.
pub(super) fn read(text: &str) -> SettingsModule {
    let mut module = SettingsModule::empty(text);
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
        module.end = line_from(text, last.start_byte());
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

struct Reader<'a> {
    text: &'a str,
    module: &'a mut SettingsModule,
    /// How deep the reader is in nested expressions and blocks: a crafted file with
    /// thousands of nested brackets must not overflow the stack.
    depth: std::cell::Cell<usize>,
    /// Lists children without a cursor per node.
    lister: ChildLister<'a>,
}

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

    /// The named children of `node` but its comments (the items of a list).
    fn items(&self, node: Node<'a>) -> Vec<Node<'a>> {
        self.named_children(node)
            .into_iter()
            .filter(|c| c.kind_name() != "comment")
            .collect()
    }

    /// The arguments of call `node` as written; a generator expression given alone
    /// (`list(x for x in y)`) is one.
    fn arguments(&self, call: Node<'a>) -> Vec<Node<'a>> {
        match call.field_child("arguments") {
            Some(generator) if generator.kind_name() == "generator_expression" => vec![generator],
            Some(list) => self.items(list),
            None => Vec::new(),
        }
    }

    /// What subscript `node` indexes with: `a[1, 2]` with a tuple.
    fn index(&self, node: Node<'a>) -> Option<Index<'a>> {
        let items = self.items(node);
        // The first is the value indexed.
        match items.get(1..)? {
            [] => None,
            [one] => Some(Index::One(*one)),
            indices => Some(Index::Tuple(indices.to_vec())),
        }
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
        self.module.push(kind, span, name_span, value_span);
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
                let args = self.arguments(expr);
                // `SECRET_KEY_FALLBACKS.append("…")` adds a secret.
                for arg in &args {
                    self.note_secrets(&name, *arg);
                }
                if let Some((v, change)) = list_change(self.text(method), &args) {
                    let kind = change.statement(name, self.expr(v), context);
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
                let (Some(object), Some(index)) = (target.field_child("value"), self.index(target))
                else {
                    return;
                };
                if object.kind_name() != "identifier" {
                    return;
                }
                let name = self.text(object).to_owned();
                let kind = if context == Context::Conditional {
                    StatementKind::Conditional(name, "changed inside a condition")
                } else {
                    StatementKind::SetItem(name, index.expr(self), self.expr(value))
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
                "boolean_operator"
                | "parenthesized_expression"
                | "list"
                | "tuple"
                | "set"
                | "expression_list" => {
                    stack.extend(self.named_children(node));
                }
                "subscript" if self.environ_subscript(node) => {}
                "call" if self.lookup_path(node) => {
                    for (i, arg) in self.arguments(node).into_iter().enumerate() {
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
        node.field_child("function")
            .is_some_and(|f| looks_up(self.text(f)))
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
                for part in self.items(node) {
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
            // `X = a, b`: an expression list is a tuple.
            "list" | "tuple" | "set" | "expression_list" => {
                Expr::List(self.items(node).iter().map(|c| self.expr(*c)).collect())
            }
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
            "parenthesized_expression" => match self.items(node).as_slice() {
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
                let (Some(value), Some(index)) = (node.field_child("value"), self.index(node))
                else {
                    return self.unknown(node);
                };
                let Index::One(index) = index else {
                    return Expr::Index(Box::new(self.expr(value)), Box::new(index.expr(self)));
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
        let raw = is_raw(self.text(node));
        let mut out = String::new();
        for part in self.named_children(node) {
            match part.kind_name() {
                "string_content" => out.push_str(&decode(self.text(part), raw)),
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
        for arg in self.arguments(node) {
            if arg.kind_name() == "keyword_argument" {
                if let Some([k, v]) = fields(arg, ["name", "value"]) {
                    kwargs.insert(self.text(k), v);
                }
            } else {
                args.push(arg);
            }
        }
        let method = (function.kind_name() == "attribute")
            .then(|| fields(function, ["object", "attribute"]))
            .flatten()
            .map(|[object, method]| (object, self.text(method)));
        let parts = CallParts {
            path: self.text(function),
            cast: kwargs.get("cast").map(|c| self.text(*c)),
            args,
            kwargs,
            method,
        };
        parts.reduce(
            |n| self.expr(n),
            |n| self.string_inner(n),
            || self.unknown(node),
        )
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

/// What a subscript indexes with.
enum Index<'a> {
    One(Node<'a>),
    /// `a[1, 2]`.
    Tuple(Vec<Node<'a>>),
}

impl<'a> Index<'a> {
    fn expr(&self, reader: &Reader<'a>) -> Expr {
        match self {
            Index::One(node) => reader.expr(*node),
            Index::Tuple(nodes) => Expr::List(nodes.iter().map(|n| reader.expr(*n)).collect()),
        }
    }
}
