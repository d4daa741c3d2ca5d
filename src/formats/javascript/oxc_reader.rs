//! The exact reader: JavaScript and TypeScript files that parse without an error are read
//! with oxc, a conformant parser about thirty times faster than tree-sitter on server code
//! (138 against 4.8 MB/s on the generated tree's Express files).
//!
//! It gives what the tree-sitter reader gives, node for node: the same events to the same
//! [`Builder`], the same values, the same spans (`tests/it/javascript_readers.rs` compares
//! both on every committed script and the real-world corpus, the `java_script` fuzz target
//! on every input).
//! oxc gives up on the first error where tree-sitter reads on, so a file with any error,
//! and any construct the two trees do not shape alike (tagged templates, import
//! attributes, TypeScript's `export =`), is left to the tree-sitter reader: `None`. So is
//! JSON whose document tree-sitter may read otherwise: one with a comment, or that is no
//! object (tree-sitter then looks for `"scripts"` anywhere in it).
//!
//! oxc parses recursively: a hostile file nested thousands deep would overflow the stack.
//! Its recursion needs at most about 1.6 KiB of stack per byte of input (measured with
//! `((((…`, the worst of twenty constructs), so a file is read on a stack of 4 KiB a byte
//! ([`stacker`] switches to one when the thread's is short); files over 64 KiB are left to
//! tree-sitter, which needs no stack.

use std::cell::{Cell, RefCell};

use oxc_allocator::Allocator;
use oxc_ast::ast::{
    Argument, ArrayExpressionElement, AssignmentExpression, AssignmentOperator, AssignmentTarget,
    CallExpression, ChainElement, ExportDefaultDeclaration, ExportDefaultDeclarationKind,
    Expression, ImportDeclaration, ImportDeclarationSpecifier, ImportExpression, LogicalOperator,
    MemberExpression, NewExpression, ObjectExpression, ObjectProperty, ObjectPropertyKind,
    PropertyKey, PropertyKind, Statement, StringLiteral, TSExportAssignment, TSImportType,
    TaggedTemplateExpression, TemplateLiteral, VariableDeclarator, WithClause,
};
use oxc_ast::AstKind;
use oxc_ast_visit::{walk, Visit, VisitMut};
use oxc_parser::{ParseOptions, Parser};
use oxc_span::{GetSpan, SourceType};

use super::{
    env_or, env_var, number, string_content, template_text, Builder, Call, Dialect, JsModule,
    JsNode, JsValue, Property, MAX_DEPTH,
};
use crate::source::Span;

/// Files larger than this are read by tree-sitter (the stack they could need is too much to
/// reserve).
const MAX_LEN: usize = 64 * 1024;

/// Stack reserved per byte of input: 2.6 times the most measured.
const STACK_PER_BYTE: usize = 4 * 1024;

/// How deep the syntax tree may go: the tree-sitter reader stops descending at 256 of its
/// levels, about two of which make one of oxc's.
const MAX_TREE_DEPTH: usize = 120;

thread_local! {
    /// The arena oxc builds trees in, kept between files.
    static ARENA: RefCell<Allocator> = RefCell::new(Allocator::default());
}

/// `text` read by oxc, or `None` when the tree-sitter reader must read it (see the module
/// documentation).
pub(super) fn read(text: &str, dialect: Dialect) -> Option<JsModule> {
    if text.len() > MAX_LEN {
        return None;
    }
    let stack = STACK_PER_BYTE * text.len() + 256 * 1024;
    stacker::maybe_grow(stack, stack, || {
        ARENA.with(|arena| {
            let mut arena = arena.borrow_mut();
            arena.reset();
            read_in(&arena, text, dialect)
        })
    })
}

fn read_in(arena: &Allocator, text: &str, dialect: Dialect) -> Option<JsModule> {
    // tree-sitter's JavaScript grammar reads scripts, modules, JSX and JSON alike.
    let source_type = match dialect {
        Dialect::JavaScript | Dialect::Json => SourceType::unambiguous().with_jsx(true),
        Dialect::TypeScript => SourceType::unambiguous().with_typescript(true),
        Dialect::Tsx => SourceType::unambiguous()
            .with_typescript(true)
            .with_jsx(true),
    };
    let json = dialect == Dialect::Json;
    // JSON is read as the tree-sitter reader reads it, as the expression `(…)`.
    let wrapped;
    let source = if json {
        wrapped = super::json_as_expression(text);
        wrapped.as_str()
    } else {
        text
    };
    let options = ParseOptions {
        allow_return_outside_function: true,
        preserve_parens: true,
        ..ParseOptions::default()
    };
    let mut parsed = Parser::new(arena, source, source_type)
        .with_options(options)
        .parse();
    if parsed.panicked || !parsed.errors.is_empty() {
        return None;
    }
    if json {
        // tree-sitter may take a comment for the first child of the parentheses, and so
        // for the document.
        if !parsed.program.comments.is_empty() {
            return None;
        }
        Unwrap { len: text.len() }.visit_program(&mut parsed.program);
    }
    let mut reader = Reader {
        text,
        builder: Builder::default(),
        depth: 0,
        deepest: 0,
        unsupported: Cell::new(false),
    };
    reader.visit_program(&parsed.program);
    // The tree-sitter reader's document is the first statement's expression; when it is
    // no object, it looks for `"scripts"` elsewhere in the tree.
    let document = if json {
        let Some(Statement::ExpressionStatement(first)) = parsed.program.body.first() else {
            return None;
        };
        let document = reader.value(&first.expression, 0);
        if !matches!(document.value, JsValue::Object(_)) {
            return None;
        }
        Some(document)
    } else {
        None
    };
    if reader.unsupported.get() || reader.deepest > MAX_TREE_DEPTH {
        return None;
    }
    let mut module = reader.builder.finish();
    if json {
        module.exports = document;
    }
    Some(module)
}

/// Moves the spans of `(…)` back onto the JSON text inside, clamped to it as the
/// tree-sitter reader's are.
struct Unwrap {
    len: usize,
}

impl<'a> VisitMut<'a> for Unwrap {
    fn visit_span(&mut self, span: &mut oxc_span::Span) {
        let len = u32::try_from(self.len).unwrap_or(u32::MAX);
        span.start = span.start.saturating_sub(1).min(len);
        span.end = span.end.saturating_sub(1).min(len).max(span.start);
    }
}

struct Reader<'s> {
    text: &'s str,
    builder: Builder,
    depth: usize,
    deepest: usize,
    /// Set on a construct the tree-sitter reader shapes differently.
    unsupported: Cell<bool>,
}

fn span_of(span: oxc_span::Span) -> Span {
    Span::new(span.start as usize, span.end as usize)
}

impl<'s> Reader<'s> {
    fn source(&self, span: oxc_span::Span) -> &'s str {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }

    /// Gives the builder a call read by [`Self::call`] or its kin, its callee written at
    /// `callee`.
    fn record_call(&mut self, node: JsNode, callee: Span) {
        if let JsValue::Call(call) = node.value {
            self.builder.call(*call, callee);
        }
    }

    fn unsupported(&self) -> JsValue {
        self.unsupported.set(true);
        JsValue::Null
    }

    /// A node the tree-sitter reader reduces to its kind: [`JsValue::Other`], or `deep`
    /// past [`MAX_DEPTH`] as it checks depth first.
    fn other(span: Span, kind: &str, depth: usize) -> JsNode {
        let kind = if depth > MAX_DEPTH { "deep" } else { kind };
        JsNode {
            value: JsValue::Other(kind.to_owned()),
            span,
        }
    }

    /// Reduces an expression to a [`JsNode`], as the tree-sitter reader's `value` does.
    fn value(&self, expr: &Expression<'_>, depth: usize) -> JsNode {
        let span = span_of(expr.span());
        if depth > MAX_DEPTH {
            return Self::other(span, "deep", depth);
        }
        let kind = |kind: &str| JsValue::Other(kind.to_owned());
        let value = match expr {
            Expression::StringLiteral(s) => JsValue::Str(string_content(self.source(s.span))),
            Expression::TemplateLiteral(t) => {
                if t.expressions.is_empty() {
                    template_text(self.source(t.span))
                } else {
                    kind("template")
                }
            }
            Expression::NumericLiteral(_) | Expression::BigIntLiteral(_) => {
                number(self.source(expr.span()))
            }
            Expression::BooleanLiteral(b) => JsValue::Bool(b.value),
            Expression::NullLiteral(_) => JsValue::Null,
            Expression::Identifier(i) => match self.source(i.span) {
                "undefined" => JsValue::Null,
                name => JsValue::Ident(name.to_owned()),
            },
            Expression::ParenthesizedExpression(e) => return self.value(&e.expression, depth + 1),
            Expression::AwaitExpression(e) => return self.value(&e.argument, depth + 1),
            Expression::TSAsExpression(e) => return self.value(&e.expression, depth + 1),
            Expression::TSSatisfiesExpression(e) => return self.value(&e.expression, depth + 1),
            Expression::TSNonNullExpression(e) => return self.value(&e.expression, depth + 1),
            // tree-sitter's first child of `<T>x` is the type.
            Expression::TSTypeAssertion(_) => kind("type_assertion"),
            Expression::ObjectExpression(o) => self.object(o, depth),
            Expression::ArrayExpression(a) => JsValue::Array(
                a.elements
                    .iter()
                    .filter_map(|element| match element {
                        ArrayExpressionElement::SpreadElement(s) => {
                            Some(Self::other(span_of(s.span), "spread_element", depth + 1))
                        }
                        ArrayExpressionElement::Elision(_) => None,
                        other => Some(self.value(other.to_expression(), depth + 1)),
                    })
                    .collect(),
            ),
            Expression::StaticMemberExpression(_)
            | Expression::ComputedMemberExpression(_)
            | Expression::PrivateFieldExpression(_) => match expr.as_member_expression() {
                Some(member) => self.member(member),
                None => self.unsupported(),
            },
            Expression::LogicalExpression(l)
                if matches!(l.operator, LogicalOperator::Or | LogicalOperator::Coalesce) =>
            {
                env_or(self.value(&l.left, depth + 1), || {
                    Some(self.value(&l.right, depth + 1))
                })
            }
            Expression::LogicalExpression(_)
            | Expression::BinaryExpression(_)
            | Expression::PrivateInExpression(_) => kind("binary_expression"),
            Expression::CallExpression(c) => {
                self.call(&c.callee, &c.arguments, c.span, false, depth)
                    .value
            }
            Expression::NewExpression(n) => {
                self.call(&n.callee, &n.arguments, n.span, true, depth)
                    .value
            }
            Expression::ImportExpression(i) => self.import_call(i, depth).value,
            Expression::ChainExpression(c) => match &c.expression {
                ChainElement::CallExpression(c) => {
                    self.call(&c.callee, &c.arguments, c.span, false, depth)
                        .value
                }
                ChainElement::TSNonNullExpression(e) => {
                    return self.value(&e.expression, depth + 1)
                }
                other => match other.as_member_expression() {
                    Some(member) => self.member(member),
                    None => self.unsupported(),
                },
            },
            Expression::ArrowFunctionExpression(_) => kind("arrow_function"),
            Expression::FunctionExpression(f) if f.generator => kind("generator_function"),
            Expression::FunctionExpression(_) => kind("function_expression"),
            Expression::ClassExpression(_) => kind("class"),
            Expression::UnaryExpression(_) => kind("unary_expression"),
            Expression::UpdateExpression(_) => kind("update_expression"),
            Expression::ConditionalExpression(_) => kind("ternary_expression"),
            Expression::RegExpLiteral(_) => kind("regex"),
            Expression::ThisExpression(_) => kind("this"),
            Expression::Super(_) => kind("super"),
            Expression::MetaProperty(_) => kind("meta_property"),
            Expression::YieldExpression(_) => kind("yield_expression"),
            Expression::SequenceExpression(_) => kind("sequence_expression"),
            Expression::AssignmentExpression(a) if a.operator == AssignmentOperator::Assign => {
                kind("assignment_expression")
            }
            Expression::AssignmentExpression(_) => kind("augmented_assignment_expression"),
            Expression::JSXElement(e) if e.closing_element.is_none() => {
                kind("jsx_self_closing_element")
            }
            Expression::JSXElement(_) | Expression::JSXFragment(_) => kind("jsx_element"),
            Expression::TSInstantiationExpression(_) => kind("instantiation_expression"),
            Expression::TaggedTemplateExpression(_) | Expression::V8IntrinsicExpression(_) => {
                self.unsupported()
            }
        };
        JsNode { value, span }
    }

    /// An object literal's `key: value` pairs and shorthands; methods, accessors and
    /// spreads are left out.
    fn object(&self, object: &ObjectExpression<'_>, depth: usize) -> JsValue {
        let mut props = Vec::new();
        for property in &object.properties {
            let ObjectPropertyKind::ObjectProperty(p) = property else {
                continue;
            };
            if p.method || p.kind != PropertyKind::Init {
                continue;
            }
            let Some((key, key_span)) = self.key(p) else {
                continue;
            };
            let value = if p.shorthand {
                JsNode {
                    value: JsValue::Ident(key.clone()),
                    span: key_span,
                }
            } else {
                self.value(&p.value, depth + 1)
            };
            props.push(Property {
                key,
                key_span,
                value,
            });
        }
        JsValue::Object(props)
    }

    /// A property's key as the tree-sitter reader gives it (unquoted; a computed key as
    /// written, brackets included) and where it is written.
    fn key(&self, p: &ObjectProperty<'_>) -> Option<(String, Span)> {
        let span = p.key.span();
        if p.computed {
            // oxc's key is the expression inside the brackets.
            let open = p.span.start as usize;
            let after = span.end as usize;
            let close = after + self.text.get(after..)?.find(|c: char| !c.is_whitespace())?;
            if !self.text[open..].starts_with('[') || !self.text[close..].starts_with(']') {
                self.unsupported.set(true);
                return None;
            }
            let span = Span::new(open, close + 1);
            return Some((self.text[span.range()].to_owned(), span));
        }
        let text = self.source(span);
        let key = match &p.key {
            PropertyKey::StringLiteral(_) => string_content(text),
            _ => text.to_owned(),
        };
        Some((key, span_of(span)))
    }

    /// `process.env.X` as an environment read, any other member expression as a name.
    fn member(&self, member: &MemberExpression<'_>) -> JsValue {
        let (object, property) = match member {
            MemberExpression::StaticMemberExpression(m) => (&m.object, m.property.span),
            MemberExpression::ComputedMemberExpression(m) => (&m.object, m.expression.span()),
            MemberExpression::PrivateFieldExpression(m) => (&m.object, m.field.span),
        };
        let quoted = matches!(
            member,
            MemberExpression::ComputedMemberExpression(m)
                if matches!(m.expression, Expression::StringLiteral(_))
        );
        env_var(
            self.source(object.span()),
            self.source(property),
            quoted,
            span_of(property),
        )
        .unwrap_or_else(|| JsValue::Ident(self.source(member.span()).to_owned()))
    }

    /// Appends the dotted name of a member expression as a callee (none for `a[b]`).
    fn push_member_callee_name(&self, member: &MemberExpression<'_>, name: &mut String) {
        let (object, property) = match member {
            MemberExpression::StaticMemberExpression(m) => (&m.object, m.property.span),
            MemberExpression::PrivateFieldExpression(m) => (&m.object, m.field.span),
            MemberExpression::ComputedMemberExpression(_) => return,
        };
        self.push_callee_name(object, name);
        name.push('.');
        name.push_str(self.source(property));
    }

    fn arguments(&self, arguments: &[Argument<'_>], depth: usize) -> Vec<JsNode> {
        arguments
            .iter()
            .map(|argument| match argument {
                Argument::SpreadElement(s) => {
                    Self::other(span_of(s.span), "spread_element", depth + 1)
                }
                other => self.value(other.to_expression(), depth + 1),
            })
            .collect()
    }

    /// A call (`new` one when `is_new`) of `callee` with `arguments`.
    fn call(
        &self,
        callee: &Expression<'_>,
        arguments: &[Argument<'_>],
        span: oxc_span::Span,
        is_new: bool,
        depth: usize,
    ) -> JsNode {
        self.made_call(
            self.callee_name(callee),
            self.arguments(arguments, depth),
            span,
            is_new,
        )
    }

    /// `import('x')`: to tree-sitter a call whose callee is the keyword, no name.
    fn import_call(&self, call: &ImportExpression<'_>, depth: usize) -> JsNode {
        let args = std::iter::once(&call.source)
            .chain(call.options.as_ref())
            .map(|arg| self.value(arg, depth + 1))
            .collect();
        self.made_call(String::new(), args, call.span, false)
    }

    fn made_call(
        &self,
        callee: String,
        args: Vec<JsNode>,
        span: oxc_span::Span,
        is_new: bool,
    ) -> JsNode {
        let span = span_of(span);
        JsNode {
            value: JsValue::Call(Box::new(Call {
                callee,
                args,
                span,
                is_new,
            })),
            span,
        }
    }

    /// The dotted name of a callee, as the tree-sitter reader's `callee_name` gives it.
    fn callee_name(&self, callee: &Expression<'_>) -> String {
        // The name is made of the callee's words, so about as long as it is written.
        let mut name = String::with_capacity(callee.span().size() as usize);
        self.push_callee_name(callee, &mut name);
        name
    }

    /// Appends the dotted name of a callee: one string for the whole chain
    /// (`res.status(500).json`), where a string per link cost more than reading the call.
    fn push_callee_name(&self, callee: &Expression<'_>, name: &mut String) {
        if let Some(member) = callee.as_member_expression() {
            return self.push_member_callee_name(member, name);
        }
        match callee {
            Expression::Identifier(_) | Expression::ThisExpression(_) | Expression::Super(_) => {
                name.push_str(self.source(callee.span()));
            }
            Expression::CallExpression(c) => {
                self.push_callee_name(&c.callee, name);
                name.push_str("()");
            }
            Expression::ImportExpression(_) => name.push_str("()"),
            Expression::ParenthesizedExpression(e) => self.push_callee_name(&e.expression, name),
            Expression::AwaitExpression(e) => self.push_callee_name(&e.argument, name),
            Expression::TSNonNullExpression(e) => self.push_callee_name(&e.expression, name),
            Expression::ChainExpression(c) => match &c.expression {
                ChainElement::CallExpression(call) => {
                    self.push_callee_name(&call.callee, name);
                    name.push_str("()");
                }
                ChainElement::TSNonNullExpression(e) => self.push_callee_name(&e.expression, name),
                other => {
                    if let Some(member) = other.as_member_expression() {
                        self.push_member_callee_name(member, name);
                    }
                }
            },
            Expression::TaggedTemplateExpression(_) => self.unsupported.set(true),
            _ => {}
        }
    }
}

impl<'a> Visit<'a> for Reader<'_> {
    fn enter_node(&mut self, _: AstKind<'a>) {
        self.depth += 1;
        self.deepest = self.deepest.max(self.depth);
    }

    fn leave_node(&mut self, _: AstKind<'a>) {
        self.depth -= 1;
    }

    fn visit_string_literal(&mut self, it: &StringLiteral<'a>) {
        self.builder
            .string_literal(span_of(it.span), self.source(it.span));
        walk::walk_string_literal(self, it);
    }

    fn visit_template_literal(&mut self, it: &TemplateLiteral<'a>) {
        self.builder
            .template_literal(span_of(it.span), self.source(it.span));
        walk::walk_template_literal(self, it);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        let call = self.call(&it.callee, &it.arguments, it.span, false, 0);
        self.record_call(call, span_of(it.callee.span()));
        walk::walk_call_expression(self, it);
    }

    fn visit_new_expression(&mut self, it: &NewExpression<'a>) {
        let call = self.call(&it.callee, &it.arguments, it.span, true, 0);
        self.record_call(call, span_of(it.callee.span()));
        walk::walk_new_expression(self, it);
    }

    fn visit_import_expression(&mut self, it: &ImportExpression<'a>) {
        // tree-sitter's callee is the keyword.
        let start = it.span.start as usize;
        let call = self.import_call(it, 0);
        self.record_call(call, Span::new(start, start + "import".len()));
        walk::walk_import_expression(self, it);
    }

    fn visit_import_declaration(&mut self, it: &ImportDeclaration<'a>) {
        let local = it.specifiers.iter().flatten().find_map(|s| match s {
            ImportDeclarationSpecifier::ImportDefaultSpecifier(d) => Some(d.local.span),
            ImportDeclarationSpecifier::ImportNamespaceSpecifier(n) => Some(n.local.span),
            ImportDeclarationSpecifier::ImportSpecifier(_) => None,
        });
        self.builder.import(
            self.source(it.source.span),
            local.map(|span| self.source(span).to_owned()),
            span_of(it.span),
        );
        walk::walk_import_declaration(self, it);
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        if let (Some(name), Some(init)) = (it.id.get_binding_identifier(), &it.init) {
            if matches!(it.id, oxc_ast::ast::BindingPattern::BindingIdentifier(_)) {
                let value = self.value(init, 0);
                self.builder
                    .declarator(self.source(name.span), span_of(name.span), value);
            }
        }
        walk::walk_variable_declarator(self, it);
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        if it.operator == AssignmentOperator::Assign {
            let left = it.left.span();
            if it.span.start < left.start {
                // `(a) = …`: oxc leaves the parentheses out of the target.
                self.unsupported.set(true);
            }
            let last = match &it.left {
                AssignmentTarget::StaticMemberExpression(m) => m.property.span,
                AssignmentTarget::PrivateFieldExpression(m) => m.field.span,
                _ => left,
            };
            let value = self.value(&it.right, 0);
            self.builder
                .assignment(self.source(left), span_of(last), value);
        }
        walk::walk_assignment_expression(self, it);
    }

    fn visit_export_default_declaration(&mut self, it: &ExportDefaultDeclaration<'a>) {
        // tree-sitter reads a named function or class as a declaration, an anonymous one
        // as a value.
        let exported = match &it.declaration {
            ExportDefaultDeclarationKind::FunctionDeclaration(f) if f.id.is_none() => {
                let kind = if f.generator {
                    "generator_function"
                } else {
                    "function_expression"
                };
                Some(Self::other(span_of(f.span), kind, 0))
            }
            ExportDefaultDeclarationKind::ClassDeclaration(c) if c.id.is_none() => {
                Some(Self::other(span_of(c.span), "class", 0))
            }
            ExportDefaultDeclarationKind::FunctionDeclaration(_)
            | ExportDefaultDeclarationKind::ClassDeclaration(_)
            | ExportDefaultDeclarationKind::TSInterfaceDeclaration(_) => None,
            other => Some(self.value(other.to_expression(), 0)),
        };
        if let Some(exported) = exported {
            self.builder.export(exported);
        }
        walk::walk_export_default_declaration(self, it);
    }

    fn visit_object_property(&mut self, it: &ObjectProperty<'a>) {
        if !it.method && !it.shorthand && it.kind == PropertyKind::Init {
            if let Some((key, key_span)) = self.key(it) {
                let value = self.value(&it.value, 0);
                self.builder.pair(&key, key_span, &value);
            }
        }
        walk::walk_object_property(self, it);
    }

    /// `import('x')` in a type: to tree-sitter a call, as in an expression.
    fn visit_ts_import_type(&mut self, it: &TSImportType<'a>) {
        let after = it.source.span.end as usize;
        let close = self
            .text
            .get(after..)
            .and_then(|rest| rest.find(|c: char| !c.is_whitespace()))
            .map(|at| after + at)
            .filter(|&at| self.text[at..].starts_with(')'));
        match close {
            Some(close) if it.options.is_none() => {
                let start = it.span.start as usize;
                let source = JsNode {
                    value: JsValue::Str(string_content(self.source(it.source.span))),
                    span: span_of(it.source.span),
                };
                let call = Call {
                    callee: String::new(),
                    args: vec![source],
                    span: Span::new(start, close + 1),
                    is_new: false,
                };
                self.builder
                    .call(call, Span::new(start, start + "import".len()));
            }
            _ => self.unsupported.set(true),
        }
        walk::walk_ts_import_type(self, it);
    }

    fn visit_tagged_template_expression(&mut self, _: &TaggedTemplateExpression<'a>) {
        self.unsupported.set(true);
    }

    fn visit_ts_export_assignment(&mut self, _: &TSExportAssignment<'a>) {
        self.unsupported.set(true);
    }

    fn visit_with_clause(&mut self, _: &WithClause<'a>) {
        self.unsupported.set(true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nesting as deep as a file of up to [`MAX_LEN`] bytes allows, of the constructs that
    /// take oxc the most stack, is read on a thread with a small stack: the reader moves to
    /// a stack of its own. (Without `stacker`, `((((…` 30,000 deep overflows 8 MiB.)
    #[test]
    fn hostile_nesting_is_read_on_a_stack_of_its_own() {
        let units = [
            "(", "[", "{a:", "f(", "a[", "`${", "class{[", "!", "a=>", "<a>", "-",
        ];
        let worker = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || {
                let mut read = 0;
                for unit in units {
                    let depth = (MAX_LEN - 16) / unit.len();
                    let open = format!("x = {}", unit.repeat(depth));
                    // Unclosed: oxc gives up on it, after recursing all the way down.
                    assert!(read_in_budget(&open).is_none(), "{unit}");
                    if unit == "(" {
                        let closed =
                            format!("x = {}1{};", "(".repeat(depth / 2), ")".repeat(depth / 2));
                        // Read, and too deep for tree-sitter's reader to follow alike.
                        assert!(read_in_budget(&closed).is_none());
                        let shallow = format!("x = {}1{};", "(".repeat(50), ")".repeat(50));
                        read += usize::from(read_in_budget(&shallow).is_some());
                    }
                }
                read
            })
            .expect("thread");
        assert_eq!(worker.join().expect("no overflow"), 1);

        fn read_in_budget(text: &str) -> Option<JsModule> {
            read(text, Dialect::Tsx)
        }
    }

    #[test]
    fn large_files_are_left_to_tree_sitter() {
        let large = format!("const a = 1;\n{}", "// padding\n".repeat(MAX_LEN / 10));
        assert!(read(&large, Dialect::JavaScript).is_none());
        assert!(read(&large[..200], Dialect::JavaScript).is_some());
    }

    /// JSON whose document tree-sitter could read otherwise is left to it: one with a
    /// comment, one that is no object, one that is no expression.
    #[test]
    fn json_is_read_when_its_document_is_an_object() {
        let read_json = |text: &str| read(text, Dialect::Json);
        let module = read_json("{\"a\": \"b\"}").expect("read");
        let document = module.exports.expect("document");
        assert_eq!(document.span, Span::new(0, 10));
        assert_eq!(document.get("a").map(|a| a.span), Some(Span::new(6, 9)));
        for left in [
            "// c\n{\"a\": 1}",
            "[{\"scripts\": {}}]",
            "{\"a\": 1}) + (1",
            "{",
        ] {
            assert!(read_json(left).is_none(), "{left:?}");
        }
    }
}
