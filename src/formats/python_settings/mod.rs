//! Django settings modules, read without running them.
//!
//! `manage.py check --deploy` needs the project importable, its dependencies installed and
//! every environment variable set, so teams skip it. This module parses a settings file with
//! a real Python parser, turns its module-level statements into a small expression language,
//! and evaluates them statically: literals, environment lookups
//! (`os.environ`, `os.getenv`, django-environ's `env.bool`, python-decouple's `config`) taken
//! at their defaults, comparisons, `+=`/`.append` on lists, and `from .base import *` chains
//! across the modules of a scan. Whatever cannot be known is [`Value::Unknown`] with the
//! reason, never a guess. It knows nothing of rules.
//!
//! Two readers give the same [`SettingsModule`]: ruff's parser reads a file without a syntax
//! error (`ruff_reader`, ten times faster), tree-sitter-python any other
//! (`tree_sitter_reader`: it reads on after an error); [`compare_readers`] checks they agree.

use std::collections::BTreeMap;

use crate::formats::sensitive::Sensitive;
use crate::formats::ParseError;
use crate::formats::Target;
use crate::formats::{Classification, FileName, Files, FollowUp, Format, ParseContext};
use crate::secrets::secret_kind;
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
        ruff_reader::read(text).unwrap_or_else(|| tree_sitter_reader::read(text))
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

pub use crate::formats::readers::ReadersCompared;

/// Reads `text` with both readers and compares what they give: the exact reader (ruff) must
/// give what tree-sitter's does wherever it reads a file. For the differential test
/// (`tests/it/python_readers.rs`) and the `django` fuzz target.
pub fn compare_readers(text: &str) -> ReadersCompared {
    let Some(exact) = ruff_reader::read(text) else {
        return ReadersCompared::LeftToTolerant;
    };
    let tolerant = tree_sitter_reader::read(text);
    if !tolerant.errors.is_empty() {
        return ReadersCompared::OnlyTreeSitterErrs;
    }
    let shown = |m: &SettingsModule| {
        let secrets = crate::formats::readers::sorted_spans(&m.secrets);
        format!(
            "statements {:#?}\nend {:?}\nsecrets {secrets:#?}\nerrors {:?}",
            m.statements, m.end, m.errors
        )
    };
    let (exact, tolerant) = (shown(&exact), shown(&tolerant));
    if exact == tolerant {
        ReadersCompared::Agree
    } else {
        ReadersCompared::Disagree(crate::formats::readers::first_difference(
            "ruff", &exact, &tolerant,
        ))
    }
}

impl SettingsModule {
    /// A module with nothing read yet: absent settings are reported at its last line.
    fn empty(text: &str) -> Self {
        Self {
            end: last_line(text),
            ..Self::default()
        }
    }

    fn push(&mut self, kind: StatementKind, span: Span, name_span: Span, value_span: Span) {
        self.statements.push(Statement {
            kind,
            span,
            name_span,
            value_span,
        });
    }
}

/// The line of `text` that starts at `start`, without its line break.
fn line_from(text: &str, start: usize) -> Span {
    let end = text
        .get(start..)
        .and_then(|rest| rest.find('\n'))
        .map_or(text.len(), |i| start + i);
    Span::new(start, end)
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

/// Deeper nesting than this is left unknown (real settings nest a handful of levels).
const MAX_DEPTH: usize = 100;

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

/// Whether a call of `path` is an environment lookup (`os.environ.get`, `os.getenv`,
/// django-environ's `env(…)`, decouple's `config(…)`), whose first argument names a
/// variable.
fn looks_up(path: &str) -> bool {
    lookup_cast(path, None).is_some()
}

/// How an environment lookup by a call of `path` converts what it reads, given the text of
/// its `cast=` argument; `None` when the call is no lookup. os.environ.get / os.getenv:
/// (name, default). django-environ: env("X", default=…), env.bool("X", default=…), …; it
/// returns a default as written, without the cast (`parse_default=False`), so
/// `env.bool("X", default="on")` is the string "on". python-decouple: config("X",
/// default=…, cast=bool) casts defaults too.
fn lookup_cast(path: &str, cast: Option<&str>) -> Option<Cast> {
    if is_environ_get(path) {
        Some(Cast::None)
    } else if let Some(method) = env_method(path) {
        Some(match method {
            "" | "str" | "bool" | "int" | "float" | "list" | "tuple" | "dict" | "json" => {
                Cast::None
            }
            _ => Cast::Other,
        })
    } else if path == "config" || path == "decouple.config" {
        Some(match cast {
            None | Some("str") => Cast::None,
            Some("bool") => Cast::Bool,
            Some("int") => Cast::Int,
            Some(c) if c.starts_with("Csv") => Cast::List,
            Some(_) => Cast::Other,
        })
    } else {
        None
    }
}

/// How `NAME.method(…)` changes a list setting.
#[derive(Clone, Copy)]
enum ListChange {
    /// `.append(v)`, `.insert(i, v)`; `.extend(vs)` when `extend`.
    Add { extend: bool },
    /// `.remove(v)`.
    Remove,
}

/// Of a call of `method` with `args` on a setting, the argument that is the value and how
/// the list changes; `None` when the call changes no list preflight models.
fn list_change<N: Copy>(method: &str, args: &[N]) -> Option<(N, ListChange)> {
    match (method, args) {
        ("append", [v]) | ("insert", [_, v]) => Some((*v, ListChange::Add { extend: false })),
        ("extend", [v]) => Some((*v, ListChange::Add { extend: true })),
        ("remove", [v]) => Some((*v, ListChange::Remove)),
        _ => None,
    }
}

impl ListChange {
    /// The statement that makes this change to setting `name` with `value`, in `context`.
    fn statement(self, name: String, value: Expr, context: Context) -> StatementKind {
        match (self, context) {
            (ListChange::Remove, Context::Conditional) => {
                StatementKind::Conditional(name, "changed inside a condition")
            }
            (ListChange::Remove, _) => StatementKind::Remove(name, value),
            (ListChange::Add { extend }, Context::Conditional) => {
                StatementKind::AddMaybe(name, value, extend)
            }
            (ListChange::Add { extend: true }, _) => StatementKind::Extend(name, value),
            (ListChange::Add { extend: false }, _) => StatementKind::Append(name, value),
        }
    }
}

/// A call as a reader sees it, its nodes of type `N` not read yet.
struct CallParts<'t, N> {
    /// The function as written (`os.environ.get`).
    path: &'t str,
    /// The arguments but the keyword ones, in order.
    args: Vec<N>,
    /// The keyword arguments by name.
    kwargs: BTreeMap<&'t str, N>,
    /// The text of the `cast=` argument.
    cast: Option<&'t str>,
    /// Of a method call (`x.lower()`): the object and the method's name.
    method: Option<(N, &'t str)>,
}

impl<N: Copy> CallParts<'_, N> {
    /// The call reduced, as both readers reduce it: an environment lookup, a conversion, a
    /// string method, or `unknown()`. `expr` reads a node, `string_inner` says where a
    /// string node's text is.
    fn reduce(
        &self,
        expr: impl Fn(N) -> Expr,
        string_inner: impl Fn(N) -> Span,
        unknown: impl FnOnce() -> Expr,
    ) -> Expr {
        if let Some(cast) = lookup_cast(self.path, self.cast) {
            let var = self.args.first().map(|a| (expr(*a), string_inner(*a)));
            let Some((Expr::Str(var), var_span)) = var else {
                return unknown();
            };
            let default = self.kwargs.get("default").or_else(|| self.args.get(1));
            return Expr::Env {
                var,
                var_span,
                default: default.map(|d| Box::new(expr(*d))),
                cast,
            };
        }
        if let (Some(cast), [arg]) = (conversion(self.path), self.args.as_slice()) {
            return Expr::Convert(cast, Box::new(expr(*arg)));
        }
        if let Some((object, method)) = self.method.and_then(|(o, m)| Some((o, string_method(m)?)))
        {
            return Expr::Method(
                Box::new(expr(object)),
                method,
                self.args.iter().map(|a| expr(*a)).collect(),
            );
        }
        unknown()
    }
}

/// The conversion a call of builtin `path` with one argument makes (`bool(x)`).
fn conversion(path: &str) -> Option<Cast> {
    match path {
        "bool" => Some(Cast::Bool),
        "int" => Some(Cast::Int),
        "str" => Some(Cast::None),
        "list" | "tuple" => Some(Cast::List),
        _ => None,
    }
}

/// The string methods settings call on values (`x.lower()`).
fn string_method(name: &str) -> Option<&'static str> {
    match name {
        "lower" => Some("lower"),
        "upper" => Some("upper"),
        "strip" => Some("strip"),
        "split" => Some("split"),
        _ => None,
    }
}

/// Whether a string literal (its text, prefix first) is raw (`r"…"`, `Rb'…'`).
fn is_raw(literal: &str) -> bool {
    literal
        .bytes()
        .take_while(u8::is_ascii_alphabetic)
        .any(|b| b.eq_ignore_ascii_case(&b'r'))
}

/// The value of the text between a literal's quotes: copied when raw or without a
/// backslash, else with the common escapes decoded.
fn decode(content: &str, raw: bool) -> std::borrow::Cow<'_, str> {
    if raw || !content.contains('\\') {
        content.into()
    } else {
        unescape(content).into()
    }
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
mod ruff_reader;
mod tree_sitter_reader;

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

    /// Comments inside a list, a parenthesised value or an implicit concatenation are no
    /// part of the value; a generator is one argument; `a[1, 2]` indexes with a tuple:
    /// alike whichever reader reads the file (tree-sitter's reads a broken one).
    #[test]
    fn both_readers_read_comments_generators_and_tuple_indices_alike() {
        let text = r#"INSTALLED_APPS = [
    "a",  # first
    # "b",
    "c",
]
TIMEOUT = (  # seconds
    50
)
NAMES = list(x for x in range(3))
PICK = TABLE["a", "b"]
JOINED = ("a"  # the first half
          "b")
"#;
        assert_eq!(compare_readers(text), ReadersCompared::Agree);
        let str = |s: &str| Expr::Str(s.into());
        let expected = [
            ("INSTALLED_APPS", Expr::List(vec![str("a"), str("c")])),
            ("TIMEOUT", Expr::Int(50)),
            ("JOINED", str("ab")),
        ];
        let broken = format!("{text}BROKEN = (\n");
        for module in [SettingsModule::parse(text), SettingsModule::parse(&broken)] {
            for (name, value) in &expected {
                let found = module.statements.iter().find_map(|s| match &s.kind {
                    StatementKind::Assign(n, v) if n == name => Some(v),
                    _ => None,
                });
                assert_eq!(found, Some(value), "{name}");
            }
            let kinds: Vec<_> = module.statements.iter().map(|s| &s.kind).collect();
            assert!(matches!(
                kinds[2],
                StatementKind::Assign(_, Expr::Convert(Cast::List, _))
            ));
            assert!(matches!(kinds[3],
                StatementKind::Assign(_, Expr::Index(_, index)) if **index == Expr::List(vec![str("a"), str("b")])));
        }
        assert!(SettingsModule::parse(&broken).errors.len() == 1);
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
