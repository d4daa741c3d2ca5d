//! The static evaluation of settings modules: their statements run in order over a scope of
//! settings, environment lookups take their defaults, and `from … import *` pulls in the
//! other modules of the scan. What cannot be known becomes [`Value::Unknown`] with a reason.

use std::collections::{BTreeMap, HashMap};
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use super::{Cast, CompareOp, Expr, Opaque, SettingsModule, StatementKind};
use crate::formats::sets::Sets;
use crate::formats::{GroupedFile, Grouping};
use crate::message::{Message, Quote};
use crate::msg;
use crate::source::{SourceFile, Span};

/// A statically known value, or the reason it is not known.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// A boolean.
    Bool(bool),
    /// `None`.
    None,
    /// A list or tuple.
    List(Vec<Value>),
    /// A dict.
    Dict(Vec<(Value, Value)>),
    /// Not knowable without running the program, and why (quoting the module's text only
    /// where it holds no secret).
    Unknown(Message),
}

impl Value {
    /// Python's truthiness; `None` when the value is unknown.
    pub fn truthy(&self) -> Option<bool> {
        Some(match self {
            Self::Str(s) => !s.is_empty(),
            Self::Int(i) => *i != 0,
            Self::Bool(b) => *b,
            Self::None => false,
            Self::List(l) => !l.is_empty(),
            Self::Dict(d) => !d.is_empty(),
            Self::Unknown(_) => return None,
        })
    }

    /// Whether the value is the boolean `True` (Django's `is True` checks).
    pub fn is_true(&self) -> Option<bool> {
        match self {
            Self::Unknown(_) => None,
            Self::Bool(b) => Some(*b),
            _ => Some(false),
        }
    }

    /// The items of a list, tuple or dict keys.
    pub fn items(&self) -> Option<Vec<&Value>> {
        match self {
            Self::List(l) => Some(l.iter().collect()),
            Self::Dict(d) => Some(d.iter().map(|(k, _)| k).collect()),
            Self::Str(_) => None,
            _ => None,
        }
    }

    /// The value under `key` of a dict.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Self::Dict(d) => d
                .iter()
                .find(|(k, _)| matches!(k, Self::Str(s) if s == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// What kind of value it is, for messages that must not show it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Str(_) => "a string",
            Self::Int(_) => "an integer",
            Self::Bool(_) => "a boolean",
            Self::None => "None",
            Self::List(_) => "a list",
            Self::Dict(_) => "a dict",
            Self::Unknown(_) => "an unknown value",
        }
    }
}

/// A settings module taking part in an evaluation: where it is and what it says.
#[derive(Debug, Clone, Copy)]
pub struct ModuleRef<'a> {
    /// Its path (to resolve relative and dotted imports).
    pub path: &'a Path,
    /// Its file, which reasons for unknown values quote.
    pub source: &'a Arc<SourceFile>,
    /// Its statements.
    pub module: &'a SettingsModule,
}

impl ModuleRef<'_> {
    /// A quote of `text`, read from `span` of this module.
    fn quote(&self, span: Span, text: &str) -> Quote {
        Quote::derived_in(self.source, span, text)
    }

    /// Why `opaque` has no known value: the expression quoted (cut to its first line and 60
    /// characters), or only described when it holds a secret.
    fn cannot_evaluate(&self, opaque: &Opaque) -> Message {
        let span = opaque.span;
        let secret = self
            .module
            .secrets
            .iter()
            .any(|s| s.start < span.end && span.start < s.end);
        if secret {
            return msg!("{} cannot be evaluated statically", opaque.what);
        }
        let text = self.source.text.get(span.range()).unwrap_or("");
        let short: String = text.chars().take(60).collect();
        let short = short.lines().next().unwrap_or("");
        let ellipsis = (short.len() < text.len()).then_some("…");
        msg!(
            "`{}{}` cannot be evaluated statically",
            self.quote(span, short),
            ellipsis
        )
    }
}

/// An environment variable a value was read from: its name as written, and whether the
/// lookup has a default.
pub type EnvRead = (Quote, bool);

/// The longest string a settings module may build: far above any real setting, far below
/// what a file doubling a string forty times asks for.
const MAX_STRING_BYTES: usize = 64 * 1024;
/// The most values one value may be made of (list items, dict keys and values, counted
/// through nesting).
const MAX_ITEMS: usize = 10_000;
/// The deepest nesting one value may have (`A = [A]` repeated), so comparing and dropping
/// values cannot overflow the stack.
const MAX_VALUE_DEPTH: usize = 100;
/// The work one evaluation may do: each statement and expression evaluated, plus each item
/// and each 16 bytes of every value built or copied. Star imports that pull the same module
/// in many times share it, so they cannot multiply the work.
const MAX_OPERATIONS: usize = 1_000_000;

/// Why a value over [`MAX_STRING_BYTES`], [`MAX_ITEMS`] or [`MAX_VALUE_DEPTH`] is unknown.
const TOO_LARGE: &str = "a value too large to evaluate";
/// Why values are unknown once [`MAX_OPERATIONS`] is spent.
const TOO_MUCH_WORK: &str = "a settings module too costly to evaluate";

/// What is left of an evaluation's [`MAX_OPERATIONS`]: a settings file is untrusted input,
/// and a few lines of it can ask for gigabytes.
#[derive(Debug)]
struct Budget {
    /// Operations left.
    left: usize,
    /// Modules already run once the budget ran out (each is then read once, to mark what it
    /// sets as unknown).
    spent_in: Vec<usize>,
    /// The module each star import names, by importing module and statement start: a
    /// module imported many times over is resolved once, as resolving costs far more than
    /// the one operation a statement is counted as.
    resolved: BTreeMap<(usize, usize), Option<usize>>,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            left: MAX_OPERATIONS,
            spent_in: Vec::new(),
            resolved: BTreeMap::new(),
        }
    }
}

impl Budget {
    /// Takes `cost` operations; false when they are not left (and nothing is left after).
    fn spend(&mut self, cost: usize) -> bool {
        match self.left.checked_sub(cost) {
            Some(left) => {
                self.left = left;
                true
            }
            None => {
                self.left = 0;
                false
            }
        }
    }

    /// [`resolve_import`] of the star import `name` at `statement` of `modules[from]`.
    fn resolve(
        &mut self,
        modules: &Modules,
        from: usize,
        statement: &super::Statement,
        name: &str,
    ) -> Option<usize> {
        *self
            .resolved
            .entry((from, statement.span.start))
            .or_insert_with(|| resolve_import(modules, from, name))
    }

    /// `value` if it is within the size limits and its copy is paid for, else unknown.
    fn admit(&mut self, value: Value) -> Value {
        if matches!(value, Value::Unknown(_)) {
            return value;
        }
        match footprint(&value) {
            Some(cost) if self.spend(cost) => value,
            Some(_) => Value::Unknown(TOO_MUCH_WORK.into()),
            None => Value::Unknown(TOO_LARGE.into()),
        }
    }
}

/// What building or copying `value` costs in operations (one per item, one per 16 bytes of
/// string), or `None` when it is over a size limit. Stops as soon as a limit is passed, so
/// measuring costs no more than the limits allow.
fn footprint(value: &Value) -> Option<usize> {
    // Most values are one scalar, measured without a stack.
    match value {
        Value::Str(s) => return (s.len() <= MAX_STRING_BYTES).then_some(1 + s.len() / 16),
        Value::List(_) | Value::Dict(_) => {}
        _ => return Some(1),
    }
    let (mut items, mut bytes) = (0usize, 0usize);
    // Room for a small list or mapping's items at once (grown from one, it was copied three
    // times on the way to sixteen).
    let mut stack = Vec::with_capacity(16);
    stack.push((value, 0usize));
    while let Some((value, depth)) = stack.pop() {
        items += 1;
        if items > MAX_ITEMS || depth > MAX_VALUE_DEPTH {
            return None;
        }
        match value {
            Value::Str(s) => {
                bytes += s.len();
                if bytes > MAX_STRING_BYTES {
                    return None;
                }
            }
            Value::List(list) => stack.extend(list.iter().map(|v| (v, depth + 1))),
            Value::Dict(pairs) => {
                for (k, v) in pairs {
                    stack.push((k, depth + 1));
                    stack.push((v, depth + 1));
                }
            }
            _ => {}
        }
    }
    Some(items + bytes / 16)
}

/// Whether joining strings of `a` and `b` bytes stays within [`MAX_STRING_BYTES`]: checked
/// before the joined string is allocated.
fn joinable(a: usize, b: usize) -> bool {
    a.saturating_add(b) <= MAX_STRING_BYTES
}

/// Adds the environment reads of `more` to `env`, each once: a value built from itself
/// (`A = A + A`) must not double its list of reads with every line.
fn add_reads(env: &mut Vec<EnvRead>, more: impl IntoIterator<Item = EnvRead>) {
    for read in more {
        if !env.contains(&read) {
            env.push(read);
        }
    }
}

/// The value a setting ends up with, and where it got it.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    /// The value (at environment defaults).
    pub value: Value,
    /// The module (index into the evaluated list) of the statement that last set it.
    pub module: usize,
    /// That statement.
    pub span: Span,
    /// The value part of that statement.
    pub value_span: Span,
    /// Environment variables the value was read from, with whether each had a default.
    pub env: Vec<EnvRead>,
    /// Items of the list `value` that were added inside a condition (`if …:
    /// MIDDLEWARE.append(…)`): they may be missing, while the rest of the list is certain.
    pub conditional: Vec<Value>,
}

/// A star import that named no module of the scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnresolvedImport {
    /// The module that imports.
    pub module: usize,
    /// The import statement.
    pub span: Span,
    /// The module as written.
    pub name: String,
    /// Where the module's name is written.
    pub name_span: Span,
    /// Inside `try` (expected to be missing sometimes).
    pub optional: bool,
}

/// The settings one module produces once its star imports have been followed.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    /// Every setting by name.
    pub settings: BTreeMap<String, Binding>,
    /// Modules pulled in through `from … import *`, each with the first statement that
    /// imported it (a module imported many times over is listed once, so the list stays as
    /// small as the scan).
    pub imported: Vec<(usize, usize, Span)>,
    /// Star imports of modules not in the scan.
    pub unresolved: Vec<UnresolvedImport>,
    /// The first statement that hands `globals()` to code (module, the call): a setting not
    /// assigned is then unknown, not Django's default.
    pub names_from_globals: Option<(usize, Span)>,
}

impl Evaluation {
    /// Records that `importer` pulled in `target` with the statement at `span`, unless
    /// `target` was pulled in before.
    fn note_import(&mut self, target: usize, importer: usize, span: Span) {
        if !self.imported.iter().any(|(t, _, _)| *t == target) {
            self.imported.push((target, importer, span));
        }
    }
}

/// Evaluates `modules[entry]`, following star imports into the other modules.
pub fn evaluate(modules: &Modules, entry: usize) -> Evaluation {
    let mut evaluation = Evaluation::default();
    let mut stack = Vec::new();
    run(
        modules,
        entry,
        &mut evaluation,
        &mut stack,
        &mut Budget::default(),
    );
    evaluation
}

/// The settings modules of an evaluation, with the index that resolves star imports by
/// path.
pub struct Modules<'a> {
    refs: Vec<ModuleRef<'a>>,
    paths: ModulePaths<'a>,
}

impl<'a> Modules<'a> {
    /// Indexes `refs` (O(modules × path depth)).
    pub fn new(refs: Vec<ModuleRef<'a>>) -> Self {
        let paths = ModulePaths::new(refs.iter().map(|module| module.path));
        Self { refs, paths }
    }
}

impl<'a> Deref for Modules<'a> {
    type Target = [ModuleRef<'a>];

    fn deref(&self) -> &Self::Target {
        &self.refs
    }
}

/// Where star imports lead among the paths of a scan's settings modules: built once, so
/// resolving an import costs a few hash look-ups instead of a walk over every module of the
/// scan (which made a scan quadratic in its settings modules). Evaluation and the grouping
/// of modules that import each other ([`super::group`]) resolve through the same index, so
/// they agree on where every import leads.
pub struct ModulePaths<'a> {
    /// Each module's path, to the first module with it (relative imports).
    by_path: HashMap<&'a Path, usize>,
    /// Every tail of each module's path (`a/b/c.py`, `b/c.py`, `c.py`, and the empty
    /// path), to the first module that ends with it (absolute imports). `Path` hashes and
    /// compares by components, as [`Path::ends_with`] does. Built at the first absolute
    /// import: most import relatively, and the tails are most of the index's cost.
    by_suffix: OnceLock<HashMap<&'a Path, usize>>,
    /// Each module's path, by index.
    paths: Vec<&'a Path>,
}

impl<'a> ModulePaths<'a> {
    /// Indexes `paths`, in the order that decides which module is "first".
    pub fn new(paths: impl IntoIterator<Item = &'a Path>) -> Self {
        let paths: Vec<&'a Path> = paths.into_iter().collect();
        let mut by_path = HashMap::with_capacity(paths.len());
        for (i, &path) in paths.iter().enumerate() {
            by_path.entry(path).or_insert(i);
        }
        Self {
            by_path,
            by_suffix: OnceLock::new(),
            paths,
        }
    }

    /// [`Self::by_suffix`], built the first time it is asked for.
    fn by_suffix(&self) -> &HashMap<&'a Path, usize> {
        self.by_suffix.get_or_init(|| {
            let mut by_suffix = HashMap::new();
            for (i, &path) in self.paths.iter().enumerate() {
                let mut tail = path.components();
                loop {
                    by_suffix.entry(tail.as_path()).or_insert(i);
                    if tail.next().is_none() {
                        break;
                    }
                }
            }
            by_suffix
        })
    }

    /// Which module the star import `name` in module `from` names: the first module whose
    /// path is the import's file or package (`from .base import *`; `from . import *` is
    /// the package the importing module is in), or, for an absolute import, the first whose
    /// path ends with it (`from config.settings.base import *`).
    pub fn resolve(&self, from: usize, name: &str) -> Option<usize> {
        let base = self.paths.get(from)?.parent()?;
        let dots = name.chars().take_while(|c| *c == '.').count();
        let rest: Vec<&str> = name[dots..].split('.').filter(|s| !s.is_empty()).collect();
        let first = |index: &HashMap<&Path, usize>, file: &Path, package: Option<&Path>| {
            let file = index.get(file).copied();
            let package = package.and_then(|p| index.get(p).copied());
            file.into_iter().chain(package).min()
        };
        if dots > 0 {
            let mut dir: PathBuf = base.to_path_buf();
            for _ in 1..dots {
                dir = dir.parent()?.to_path_buf();
            }
            for part in &rest {
                dir.push(part);
            }
            let package = dir.join("__init__.py");
            // `from . import *` names the package itself: its `__init__.py`, never `../<dir>.py`.
            if rest.is_empty() {
                return self.by_path.get(package.as_path()).copied();
            }
            return first(&self.by_path, &dir.with_extension("py"), Some(&package));
        }
        let file: PathBuf = rest.iter().collect::<PathBuf>().with_extension("py");
        let package: PathBuf = rest.iter().collect::<PathBuf>().join("__init__.py");
        first(self.by_suffix(), &file, Some(&package))
    }
}

/// Splits settings modules into groups that star-import only each other, so each group
/// can be evaluated and judged on its own, as the whole scan would judge it: a module and
/// every module its imports resolve to (against all of `files`, as
/// [`ModulePaths::resolve`] would during evaluation) share a group. A module judged alone
/// (it imports nothing) joins only the group of a module that imports it. Groups list
/// their modules in the order of `files`, which decides which module is "first".
pub fn group(files: &[GroupedFile]) -> Grouping {
    let paths = ModulePaths::new(files.iter().map(|(path, _)| *path));
    let mut sets = Sets::new(files.len());
    for (from, (_, imports)) in files.iter().enumerate() {
        for name in imports.iter().copied().flatten() {
            if let Some(target) = paths.resolve(from, name) {
                sets.join(from, target);
            }
        }
    }
    let groups: Vec<Vec<usize>> = sets
        .groups()
        .into_iter()
        .filter(|group| group.iter().any(|&i| files[i].1.is_some()))
        .collect();
    let mut named: Vec<usize> = groups
        .iter()
        .flatten()
        .copied()
        .filter(|&i| files[i].1.is_none())
        .collect();
    named.sort_unstable();
    Grouping {
        named,
        groups,
        relations: Arc::new(()),
    }
}

/// Which module of `modules` the star import `name` in `modules[from]` names (see
/// [`ModulePaths::resolve`]).
pub fn resolve_import(modules: &Modules, from: usize, name: &str) -> Option<usize> {
    modules.paths.resolve(from, name)
}

fn run(
    modules: &Modules,
    index: usize,
    out: &mut Evaluation,
    stack: &mut Vec<usize>,
    budget: &mut Budget,
) {
    if stack.contains(&index) || stack.len() > 32 {
        return;
    }
    let Some(module) = modules.get(index) else {
        return;
    };
    stack.push(index);
    for statement in &module.module.statements {
        if !budget.spend(1) {
            run_spent(modules, index, statement, out, stack, budget);
            continue;
        }
        let set = |out: &mut Evaluation, name: &str, value: Value, env: Vec<EnvRead>| {
            out.settings.insert(
                name.to_owned(),
                Binding {
                    value,
                    module: index,
                    span: statement.span,
                    value_span: statement.value_span,
                    env,
                    conditional: Vec::new(),
                },
            );
        };
        match &statement.kind {
            StatementKind::Assign(name, expr) => {
                let mut env = Vec::new();
                let value = eval(expr, module, &out.settings, budget, &mut env);
                set(out, name, value, env);
            }
            StatementKind::Extend(name, expr)
            | StatementKind::Append(name, expr)
            | StatementKind::AddMaybe(name, expr, _) => {
                let extend = matches!(
                    statement.kind,
                    StatementKind::Extend(..) | StatementKind::AddMaybe(_, _, true)
                );
                let maybe = matches!(statement.kind, StatementKind::AddMaybe(..));
                let previous = out.settings.get(name);
                let mut env = previous.map(|b| b.env.clone()).unwrap_or_default();
                let mut conditional = previous.map(|b| b.conditional.clone()).unwrap_or_default();
                let current = previous.map(|b| budget.admit(b.value.clone()));
                let added = eval(expr, module, &out.settings, budget, &mut env);
                let value = match (current, added, extend) {
                    (Some(Value::List(list)), Value::List(more), true)
                        if list.len().saturating_add(more.len()) > MAX_ITEMS =>
                    {
                        Value::Unknown(TOO_LARGE.into())
                    }
                    (Some(Value::List(mut list)), Value::List(more), true) => {
                        if maybe {
                            conditional.extend(more.iter().cloned());
                        }
                        list.extend(more);
                        Value::List(list)
                    }
                    (Some(Value::List(mut list)), item, false)
                        if !matches!(item, Value::Unknown(_)) =>
                    {
                        if maybe {
                            conditional.push(item.clone());
                        }
                        list.push(item);
                        Value::List(list)
                    }
                    // A string joined inside a condition may or may not be joined.
                    (_, _, _) if maybe => Value::Unknown("changed inside a condition".into()),
                    (Some(Value::Str(s)), Value::Str(more), true)
                        if !joinable(s.len(), more.len()) =>
                    {
                        Value::Unknown(TOO_LARGE.into())
                    }
                    (Some(Value::Str(mut s)), Value::Str(more), true) => {
                        s.push_str(&more);
                        Value::Str(s)
                    }
                    (None, _, _) => Value::Unknown(msg!(
                        "{} is changed before it is set",
                        module.quote(statement.name_span, name)
                    )),
                    _ => Value::Unknown(msg!(
                        "{} is extended with an unknown value",
                        module.quote(statement.name_span, name)
                    )),
                };
                let value = budget.admit(value);
                set(out, name, value, env);
                if let Some(binding) = out.settings.get_mut(name) {
                    if matches!(binding.value, Value::List(_)) {
                        binding.conditional = conditional;
                    }
                }
            }
            StatementKind::Remove(name, expr) => {
                let mut env = Vec::new();
                let gone = eval(expr, module, &out.settings, budget, &mut env);
                if let Some(binding) = out.settings.get_mut(name) {
                    if let Value::List(list) = &mut binding.value {
                        if let Some(at) = list.iter().position(|v| *v == gone) {
                            list.remove(at);
                        }
                    }
                    binding.span = statement.span;
                    binding.value_span = statement.value_span;
                    binding.module = index;
                }
            }
            StatementKind::SetItem(name, key, expr) => {
                let mut env = Vec::new();
                let key = eval(key, module, &out.settings, budget, &mut env);
                let item = eval(expr, module, &out.settings, budget, &mut env);
                if let Some(binding) = out.settings.get_mut(name) {
                    if let Value::Dict(dict) = &mut binding.value {
                        match dict.iter_mut().find(|(k, _)| *k == key) {
                            Some((_, v)) => *v = item,
                            None => dict.push((key, item)),
                        }
                        // A dict grown item by item is held to the same limits.
                        let grown = std::mem::replace(&mut binding.value, Value::None);
                        binding.value = budget.admit(grown);
                    }
                    add_reads(&mut binding.env, env);
                }
            }
            StatementKind::Conditional(name, reason) => {
                set(out, name, Value::Unknown((*reason).into()), Vec::new());
            }
            StatementKind::NamesFromGlobals => {
                out.names_from_globals
                    .get_or_insert((index, statement.name_span));
            }
            StatementKind::StarImport {
                module: name,
                optional,
            } => match budget.resolve(modules, index, statement, name) {
                Some(target) => {
                    out.note_import(target, index, statement.span);
                    run(modules, target, out, stack, budget);
                }
                None => out.unresolved.push(UnresolvedImport {
                    module: index,
                    span: statement.span,
                    name: name.clone(),
                    name_span: statement.name_span,
                    optional: *optional,
                }),
            },
        }
    }
    stack.pop();
}

/// What `statement` of `modules[index]` does once the budget is spent: whatever it sets
/// becomes unknown (a value known before stays known), and a star import is followed into
/// a module not yet read this way, so the names it sets are unknown rather than absent.
fn run_spent(
    modules: &Modules,
    index: usize,
    statement: &super::Statement,
    out: &mut Evaluation,
    stack: &mut Vec<usize>,
    budget: &mut Budget,
) {
    let name = match &statement.kind {
        StatementKind::Assign(name, _)
        | StatementKind::Extend(name, _)
        | StatementKind::Append(name, _)
        | StatementKind::AddMaybe(name, ..)
        | StatementKind::Conditional(name, _) => name,
        StatementKind::Remove(name, _) | StatementKind::SetItem(name, ..) => {
            if !out.settings.contains_key(name) {
                return;
            }
            name
        }
        StatementKind::NamesFromGlobals => {
            out.names_from_globals
                .get_or_insert((index, statement.name_span));
            return;
        }
        StatementKind::StarImport { module: name, .. } => {
            if let Some(target) = budget.resolve(modules, index, statement, name) {
                if !budget.spent_in.contains(&target) {
                    budget.spent_in.push(target);
                    out.note_import(target, index, statement.span);
                    run(modules, target, out, stack, budget);
                }
            }
            return;
        }
    };
    out.settings.insert(
        name.clone(),
        Binding {
            value: Value::Unknown(TOO_MUCH_WORK.into()),
            module: index,
            span: statement.span,
            value_span: statement.value_span,
            env: Vec::new(),
            conditional: Vec::new(),
        },
    );
}

/// The value of `expr`, written in `module`, with the settings in `scope`; the environment
/// variables it reads are added to `env`.
/// Every value it produces is within the size limits and paid for from `budget`.
fn eval(
    expr: &Expr,
    module: &ModuleRef,
    scope: &BTreeMap<String, Binding>,
    budget: &mut Budget,
    env: &mut Vec<EnvRead>,
) -> Value {
    if !budget.spend(1) {
        return Value::Unknown(TOO_MUCH_WORK.into());
    }
    let value = eval_parts(expr, module, scope, budget, env);
    budget.admit(value)
}

/// [`eval`] before the value is measured.
fn eval_parts(
    expr: &Expr,
    module: &ModuleRef,
    scope: &BTreeMap<String, Binding>,
    budget: &mut Budget,
    env: &mut Vec<EnvRead>,
) -> Value {
    // What a part of `expr` evaluates to, in the same module and scope.
    let mut value_of = |expr: &Expr, env: &mut Vec<EnvRead>| eval(expr, module, scope, budget, env);
    match expr {
        Expr::Str(s) => Value::Str(s.clone()),
        Expr::Int(i) => Value::Int(*i),
        Expr::Bool(b) => Value::Bool(*b),
        Expr::None => Value::None,
        Expr::List(items) => Value::List(items.iter().map(|e| value_of(e, env)).collect()),
        Expr::Dict(pairs) => Value::Dict(
            pairs
                .iter()
                .map(|(k, v)| (value_of(k, env), value_of(v, env)))
                .collect(),
        ),
        Expr::Name(name, span) => match scope.get(name) {
            Some(binding) => {
                add_reads(env, binding.env.iter().cloned());
                binding.value.clone()
            }
            None => Value::Unknown(msg!(
                "`{}` is not a known setting",
                module.quote(*span, name)
            )),
        },
        Expr::Env {
            var,
            var_span,
            default,
            cast,
        } => {
            let shown = module.quote(*var_span, var);
            env.push((shown.clone(), default.is_some()));
            match default {
                None => Value::Unknown(msg!(
                    "read from the environment variable {}, which has no default",
                    shown
                )),
                Some(default) => {
                    let value = value_of(default, env);
                    apply_cast(*cast, value)
                }
            }
        }
        Expr::Convert(cast, inner) => {
            let value = value_of(inner, env);
            match cast {
                Cast::Bool => value.truthy().map_or(value, Value::Bool),
                _ => apply_cast(*cast, value),
            }
        }
        Expr::Method(receiver, method, args) => {
            let value = value_of(receiver, env);
            match (value, *method) {
                (Value::Str(s), "lower") => Value::Str(s.to_lowercase()),
                (Value::Str(s), "upper") => Value::Str(s.to_uppercase()),
                (Value::Str(s), "strip") => Value::Str(s.trim().to_owned()),
                (Value::Str(s), "split") => {
                    let parts: Vec<Value> = match args.first().map(|a| value_of(a, env)) {
                        Some(Value::Str(sep)) if !sep.is_empty() => s
                            .split(sep.as_str())
                            .map(|p| Value::Str(p.to_owned()))
                            .collect(),
                        None => s
                            .split_whitespace()
                            .map(|p| Value::Str(p.to_owned()))
                            .collect(),
                        _ => {
                            return Value::Unknown(msg!(
                                "`.{}()` with an unknown separator",
                                *method
                            ))
                        }
                    };
                    Value::List(parts)
                }
                (Value::Unknown(reason), _) => Value::Unknown(reason),
                (other, _) => Value::Unknown(msg!("`.{}()` on {}", *method, other.kind())),
            }
        }
        Expr::Compare(left, op, right) => {
            let (l, r) = (value_of(left, env), value_of(right, env));
            if let Value::Unknown(reason) = &l {
                return Value::Unknown(reason.clone());
            }
            if let Value::Unknown(reason) = &r {
                return Value::Unknown(reason.clone());
            }
            let contains = |hay: &Value, needle: &Value| match (hay, needle) {
                (Value::Str(h), Value::Str(n)) => Some(h.contains(n.as_str())),
                (Value::List(items), n) => Some(items.contains(n)),
                (Value::Dict(pairs), n) => Some(pairs.iter().any(|(k, _)| k == n)),
                _ => None,
            };
            let result = match op {
                CompareOp::Eq => Some(py_eq(&l, &r)),
                CompareOp::NotEq => Some(!py_eq(&l, &r)),
                CompareOp::In => contains(&r, &l),
                CompareOp::NotIn => contains(&r, &l).map(|b| !b),
            };
            result.map_or_else(
                || Value::Unknown("a comparison preflight cannot evaluate".into()),
                Value::Bool,
            )
        }
        Expr::Not(inner) => {
            let value = value_of(inner, env);
            value.truthy().map_or(value, |b| Value::Bool(!b))
        }
        Expr::And(l, r) => {
            let left = value_of(l, env);
            match left.truthy() {
                Some(false) => left,
                Some(true) => value_of(r, env),
                None => left,
            }
        }
        Expr::Or(l, r) => {
            let left = value_of(l, env);
            match left.truthy() {
                Some(true) => left,
                Some(false) => value_of(r, env),
                None => left,
            }
        }
        Expr::Add(l, r) => match (value_of(l, env), value_of(r, env)) {
            (Value::Str(a), Value::Str(b)) if !joinable(a.len(), b.len()) => {
                Value::Unknown(TOO_LARGE.into())
            }
            (Value::Str(a), Value::Str(b)) => Value::Str(a + &b),
            (Value::Int(a), Value::Int(b)) => Value::Int(a.saturating_add(b)),
            (Value::List(a), Value::List(b)) if a.len().saturating_add(b.len()) > MAX_ITEMS => {
                Value::Unknown(TOO_LARGE.into())
            }
            (Value::List(mut a), Value::List(b)) => {
                a.extend(b);
                Value::List(a)
            }
            (Value::Unknown(reason), _) | (_, Value::Unknown(reason)) => Value::Unknown(reason),
            _ => Value::Unknown("an addition of mismatched types".into()),
        },
        Expr::Mul(l, r) => match (value_of(l, env), value_of(r, env)) {
            (Value::Int(a), Value::Int(b)) => Value::Int(a.saturating_mul(b)),
            (Value::Str(s), Value::Int(n)) | (Value::Int(n), Value::Str(s)) => {
                let n = usize::try_from(n).unwrap_or(0);
                if s.len().saturating_mul(n) > MAX_STRING_BYTES {
                    Value::Unknown(TOO_LARGE.into())
                } else {
                    Value::Str(s.repeat(n))
                }
            }
            (Value::Unknown(reason), _) | (_, Value::Unknown(reason)) => Value::Unknown(reason),
            _ => Value::Unknown("a multiplication preflight cannot evaluate".into()),
        },
        Expr::Index(value, index) => match (value_of(value, env), value_of(index, env)) {
            (Value::Dict(pairs), key) => pairs
                .into_iter()
                .find(|(k, _)| *k == key)
                .map_or_else(|| Value::Unknown("a missing dict key".into()), |(_, v)| v),
            (Value::List(items), Value::Int(i)) => {
                let at = if i < 0 { items.len() as i64 + i } else { i };
                usize::try_from(at)
                    .ok()
                    .and_then(|at| items.get(at).cloned())
                    .unwrap_or_else(|| Value::Unknown("an index out of range".into()))
            }
            (Value::Unknown(reason), _) => Value::Unknown(reason),
            _ => Value::Unknown("an index preflight cannot evaluate".into()),
        },
        Expr::IfElse(condition, then, otherwise) => {
            let condition = value_of(condition, env);
            match condition.truthy() {
                Some(true) => value_of(then, env),
                Some(false) => value_of(otherwise, env),
                None => {
                    let (a, b) = (value_of(then, env), value_of(otherwise, env));
                    if a == b {
                        a
                    } else {
                        condition
                    }
                }
            }
        }
        Expr::Unknown(opaque) => Value::Unknown(module.cannot_evaluate(opaque)),
    }
}

fn py_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Bool(x), Value::Int(y)) | (Value::Int(y), Value::Bool(x)) => i64::from(*x) == *y,
        _ => a == b,
    }
}

/// What django-environ and decouple make of a default (they cast string defaults; a
/// non-string default is returned as it is).
fn apply_cast(cast: Cast, value: Value) -> Value {
    match (cast, value) {
        (Cast::Bool, Value::Str(s)) => Value::Bool(matches!(
            s.trim().to_ascii_lowercase().as_str(),
            "true" | "on" | "ok" | "y" | "yes" | "1" | "t"
        )),
        (Cast::Int, Value::Str(s)) => s.trim().parse().map_or_else(
            |_| Value::Unknown("a string that is not an integer".into()),
            Value::Int,
        ),
        (Cast::Int, Value::Bool(b)) => Value::Int(i64::from(b)),
        (Cast::List, Value::Str(s)) => Value::List(
            s.split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| Value::Str(p.to_owned()))
                .collect(),
        ),
        (Cast::None, Value::Int(i)) => Value::Int(i),
        (Cast::Other, value) => Value::Unknown(msg!(
            "a conversion preflight does not model, of {}",
            value.kind()
        )),
        (_, value) => value,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::tests::{evaluated, unknown_reason, value};
    use super::*;
    use crate::formats::dotenv::shown::Shown;

    /// Asserts setting `name` of `text` is unknown: too large where it first passed a
    /// limit, or extended with what was (`s += s` once `s` is unknown).
    fn assert_too_large(text: &str, name: &str) {
        let reason = unknown_reason(text, name);
        let extended = format!("{name} is extended with an unknown value");
        assert!(
            reason == TOO_LARGE || reason == extended,
            "{reason}: {text}"
        );
    }

    /// Asserts the value of `name` in `text` is within the limits and holds an unknown
    /// (`[L, L]` of an `L` too large is a list again).
    fn assert_cut(text: &str, name: &str) {
        let value = value(text, name);
        let mut stack = vec![&value];
        let mut unknown = false;
        while let Some(v) = stack.pop() {
            match v {
                Value::Unknown(_) => unknown = true,
                Value::List(items) => stack.extend(items),
                Value::Dict(pairs) => stack.extend(pairs.iter().map(|(_, v)| v)),
                _ => {}
            }
        }
        assert!(unknown && footprint(&value).is_some(), "{value:?}");
    }

    /// How deeply lists and dicts nest in `value`.
    fn depth(value: &Value) -> usize {
        match value {
            Value::List(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
            Value::Dict(pairs) => 1 + pairs.iter().map(|(_, v)| depth(v)).max().unwrap_or(0),
            _ => 0,
        }
    }

    /// `first`, then `line` `times` times.
    fn repeated(first: &str, line: &str, times: usize) -> String {
        format!("{first}\n{}", format!("{line}\n").repeat(times))
    }

    #[test]
    fn a_string_doubled_forty_times_is_too_large_but_a_short_one_is_built() {
        let text = repeated("s = 'x'", "s = s + s", 40) + "SECRET_KEY = s\n";
        assert_eq!(unknown_reason(&text, "SECRET_KEY"), TOO_LARGE);
        assert_too_large(&repeated("s = 'x'", "s += s", 40), "s");
        let text = repeated("s = 'x'", "s = s + s", 10);
        assert_eq!(value(&text, "s"), Value::Str("x".repeat(1024)));
    }

    #[test]
    fn repetition_is_refused_before_the_string_is_allocated() {
        for text in [
            "K = 'x' * 1000000000\n",
            "K = 1000000000 * 'x'\n",
            "K = 'x' * (1000 * 1000 * 1000)\n",
            "K = 'ab' * 9223372036854775807\n",
        ] {
            assert_eq!(unknown_reason(text, "K"), TOO_LARGE, "{text}");
        }
        assert_eq!(
            value("K = 'x' * 65536\n", "K"),
            Value::Str("x".repeat(MAX_STRING_BYTES))
        );
    }

    #[test]
    fn lists_and_dicts_doubled_or_grown_past_the_item_limit_are_too_large() {
        for text in [
            repeated("L = ['x']", "L = L + L", 20),
            repeated("L = ['x']", "L += L", 20),
            repeated("L = ['x']", "L.extend(L)", 20),
        ] {
            assert_too_large(&text, "L");
        }
        // Doubling by nesting: two items a level, 2^40 in all.
        assert_cut(&repeated("L = ['x']", "L = [L, L]", 40), "L");
        assert_cut(&repeated("L = ['x']", "L = {'a': L, 'b': L}", 40), "L");
        // The dict and its keys and values count: 1 + 2 × 4,999 fit, two more do not.
        let pairs: Vec<String> = (0..4_999).map(|i| format!("'k{i}': 1")).collect();
        let text = format!("D = {{{}}}\n", pairs.join(", "));
        assert!(matches!(value(&text, "D"), Value::Dict(d) if d.len() == 4_999));
        assert_eq!(unknown_reason(&(text + "D['a'] = 1\n"), "D"), TOO_LARGE);
        let text = repeated("L = ['x']", "L = L + L", 8);
        assert_eq!(
            value(&text, "L"),
            Value::List(vec![Value::Str("x".into()); 256])
        );
    }

    #[test]
    fn values_nested_through_names_are_depth_limited() {
        let text = repeated("A = 1", "A = [A]", MAX_VALUE_DEPTH + 1);
        assert_eq!(unknown_reason(&text, "A"), TOO_LARGE);
        assert_cut(&repeated("A = 1", "A = [A]", 10_000), "A");
    }

    #[test]
    fn deeply_nested_expressions_neither_overflow_the_stack_nor_get_a_value() {
        for levels in [200, 10_000] {
            for (open, close) in [("(", ")"), ("not ", ""), ("[", "]"), ("{'k': ", "}")] {
                let text = format!("X = {}1{}\n", open.repeat(levels), close.repeat(levels));
                match value(&text, "X") {
                    Value::Unknown(_) => {}
                    // Displays keep their outer levels; what is nested too deeply is unknown.
                    other => assert!(depth(&other) < levels, "{open} × {levels}"),
                }
            }
        }
        assert_eq!(value("X = ((((1))))\n", "X"), Value::Int(1));
    }

    #[test]
    fn star_imports_that_multiply_stop_at_the_work_budget() {
        // Each module imports the next twenty times: 20^8 runs of the last one, unbudgeted.
        let files: Vec<(Shown, SettingsModule)> = (0..9)
            .map(|i| {
                let text = if i == 8 {
                    "X = 'x' * 100\nY = [X, X, X, X]\n".to_owned()
                } else {
                    format!("from .m{} import *\n", i + 1).repeat(20)
                };
                Shown::new(&text, SettingsModule::parse)
            })
            .collect();
        let paths: Vec<String> = (0..9).map(|i| format!("p/m{i}.py")).collect();
        let modules = Modules::new(
            files
                .iter()
                .zip(&paths)
                .map(|((shown, module), path)| ModuleRef {
                    path: Path::new(path),
                    source: &shown.source,
                    module,
                })
                .collect(),
        );
        let settings = evaluate(&modules, 0).settings;
        for name in ["X", "Y"] {
            let Value::Unknown(reason) = &settings[name].value else {
                panic!("{name} is {:?}", settings[name].value);
            };
            assert_eq!(files[0].0.message(reason), TOO_MUCH_WORK);
        }
    }

    #[test]
    fn environment_reads_are_kept_once_however_often_a_value_is_reused() {
        let text = repeated("A = int(os.getenv('A', '1'))", "A = A + A", 64);
        let (_, settings) = evaluated(&text);
        assert_eq!(settings["A"].value, Value::Int(i64::MAX));
        assert_eq!(settings["A"].env.len(), 1);
    }
}
