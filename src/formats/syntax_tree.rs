//! What the two tree-sitter readers (JavaScript/TypeScript and Python settings) share: a
//! parser per thread and grammar, one cursor per file to list a node's children, cursor
//! walks, and field and kind look-ups by id.
//!
//! Both are about allocations. A new `tree_sitter::Parser` allocates its stacks and pools on
//! every file, and `Node::walk` allocates a cursor on every call: listing children that way
//! made a quarter of all heap allocations of a scan (dhat, 1,000-file tree).

use std::cell::RefCell;
use std::num::NonZeroU16;
use std::thread::LocalKey;

use smallvec::SmallVec;
use tree_sitter::{Language, Node, Parser, Tree, TreeCursor};

/// A node's children: inline up to eight, the common case, so listing them allocates
/// nothing.
pub type Children<'t> = SmallVec<[Node<'t>; 8]>;

thread_local! {
    /// One parser per grammar on this thread, each keeping its memory between files.
    static PARSERS: RefCell<Vec<(Language, Option<Parser>)>> = const { RefCell::new(Vec::new()) };
}

/// Runs `parse` with this thread's parser for `language`, reset from any earlier parse (one
/// given up by its progress callback included). `None` when the grammar cannot be loaded.
pub fn with_parser<R>(language: &Language, parse: impl FnOnce(&mut Parser) -> R) -> Option<R> {
    per_grammar(&PARSERS, language, |parser: &mut Option<Parser>| {
        let parser = match parser {
            Some(parser) => {
                parser.reset();
                parser
            }
            None => {
                let mut made = Parser::new();
                made.set_language(language).ok()?;
                parser.insert(made)
            }
        };
        Some(parse(parser))
    })
}

/// One grammar's field ids by name, as far as they have been asked for.
type FieldIds = Vec<(&'static str, Option<NonZeroU16>)>;

/// One grammar's node kind names by kind id, as far as they have been asked for.
type KindNames = Vec<Option<&'static str>>;

thread_local! {
    /// Field ids by grammar and name, each looked up once on this thread.
    static FIELD_IDS: RefCell<Vec<(Language, FieldIds)>> = const { RefCell::new(Vec::new()) };
    /// Kind names by grammar and kind id, each made once on this thread.
    static KIND_NAMES: RefCell<Vec<(Language, KindNames)>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on this thread's entry of `cache` for `language`, made empty the first time.
fn per_grammar<T: Default, R>(
    cache: &'static LocalKey<RefCell<Vec<(Language, T)>>>,
    language: &Language,
    f: impl FnOnce(&mut T) -> R,
) -> R {
    cache.with(|cache| {
        let mut cache = cache.borrow_mut();
        let at = match cache.iter().position(|(l, _)| l == language) {
            Some(at) => at,
            None => {
                cache.push((language.clone(), T::default()));
                cache.len() - 1
            }
        };
        f(&mut cache[at].1)
    })
}

/// Cheaper look-ups of what the readers ask every node: tree-sitter answers them by name
/// with C strings (`strncmp` over the grammar's field names, `strlen` and a UTF-8 check of
/// the kind name) on every call, together 5% of a scan's instructions (callgrind, 1k-file
/// tree). Here each name is looked up once per grammar and thread; grammars number their
/// fields and kinds differently (JavaScript, TypeScript, Python).
pub trait NodeNames<'t> {
    /// The child in field `name`, as `child_by_field_name` gives it.
    fn field_child(&self, name: &'static str) -> Option<Node<'t>>;
    /// The node's kind, as `kind` gives it.
    fn kind_name(&self) -> &'static str;
}

impl<'t> NodeNames<'t> for Node<'t> {
    fn field_child(&self, name: &'static str) -> Option<Node<'t>> {
        let language = self.language();
        let id = per_grammar(&FIELD_IDS, &language, |ids: &mut FieldIds| {
            match ids.iter().find(|(n, _)| *n == name) {
                Some(&(_, id)) => id,
                None => {
                    let id = language.field_id_for_name(name);
                    ids.push((name, id));
                    id
                }
            }
        })?;
        self.child_by_field_id(id.get())
    }

    fn kind_name(&self) -> &'static str {
        let id = usize::from(self.kind_id());
        let language = self.language();
        per_grammar(&KIND_NAMES, &language, |names: &mut KindNames| {
            if names.is_empty() {
                names.resize(language.node_kind_count(), None);
            }
            match names.get_mut(id) {
                Some(Some(name)) => name,
                Some(slot) => *slot.insert(self.kind()),
                // Built-in kinds past the grammar's own (`ERROR`).
                None => self.kind(),
            }
        })
    }
}

/// What [`visit_named`] does after a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visit {
    /// Go into its children.
    Descend,
    /// Go on with the node after it, not into its children.
    Skip,
    /// End the walk.
    Stop,
}

/// Visits `root` and its named descendants in source order with one cursor (no stack of
/// nodes, no listing of children). Unnamed nodes (punctuation, keywords) are neither shown
/// nor entered.
pub fn visit_named<'t>(root: Node<'t>, mut visit: impl FnMut(Node<'t>) -> Visit) {
    let mut walk = PreOrder::new(root);
    loop {
        let node = walk.node();
        let next = if node.is_named() {
            visit(node)
        } else {
            Visit::Skip
        };
        if next == Visit::Stop || !walk.advance(next == Visit::Descend, |_| {}) {
            return;
        }
    }
}

/// A pre-order walk of every node under a root with one cursor: no recursion (a deep tree
/// cannot overflow the stack) and no cursor per node.
pub struct PreOrder<'t> {
    cursor: TreeCursor<'t>,
    depth: usize,
}

impl<'t> PreOrder<'t> {
    /// A walk starting at `root` (depth 0).
    pub fn new(root: Node<'t>) -> Self {
        PreOrder {
            cursor: root.walk(),
            depth: 0,
        }
    }

    /// The node the walk is at.
    pub fn node(&self) -> Node<'t> {
        self.cursor.node()
    }

    /// How far below the root the current node is.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Moves to the next node: the first child when `descend` and there is one, else the
    /// node after the current one's subtree. `left` is told the depth of each node whose
    /// subtree is done (the current one, then each parent it finishes). `false` when the
    /// walk is over.
    pub fn advance(&mut self, descend: bool, mut left: impl FnMut(usize)) -> bool {
        if descend && self.cursor.goto_first_child() {
            self.depth += 1;
            return true;
        }
        loop {
            left(self.depth);
            if self.depth == 0 {
                return false;
            }
            if self.cursor.goto_next_sibling() {
                return true;
            }
            self.cursor.goto_parent();
            self.depth -= 1;
        }
    }
}

/// One cursor for a whole tree, lent out to list children (the readers recurse, so a
/// listing is copied out before the next one starts).
pub struct ChildLister<'t> {
    cursor: RefCell<TreeCursor<'t>>,
}

impl<'t> ChildLister<'t> {
    /// A lister for the nodes of `tree`.
    pub fn new(tree: &'t Tree) -> Self {
        Self {
            cursor: RefCell::new(tree.walk()),
        }
    }

    /// Every child of `node`, in order.
    pub fn children(&self, node: Node<'t>) -> Children<'t> {
        self.list(node, false)
    }

    /// The named children of `node`, in order.
    pub fn named_children(&self, node: Node<'t>) -> Children<'t> {
        self.list(node, true)
    }

    fn list(&self, node: Node<'t>, named_only: bool) -> Children<'t> {
        let mut out = Children::new();
        let mut cursor = self.cursor.borrow_mut();
        cursor.reset(node);
        if cursor.goto_first_child() {
            loop {
                let child = cursor.node();
                if !named_only || child.is_named() {
                    out.push(child);
                }
                if !cursor.goto_next_sibling() {
                    break;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_are_those_tree_sitter_lists_and_the_parser_is_reused_across_grammars() {
        let python: Language = tree_sitter_python::LANGUAGE.into();
        let javascript: Language = tree_sitter_javascript::LANGUAGE.into();
        for _ in 0..2 {
            for (language, text) in [
                (&python, "A = [1, 'x', f(y)]\nB = {'k': 2}\n"),
                (&javascript, "const a = f(1, 'x', [2, 3]); g({ k: a });"),
            ] {
                let tree = with_parser(language, |p| p.parse(text, None))
                    .flatten()
                    .expect("parses");
                let lister = ChildLister::new(&tree);
                let mut stack = vec![tree.root_node()];
                let mut visited = 0;
                while let Some(node) = stack.pop() {
                    visited += 1;
                    let mut cursor = node.walk();
                    let all: Vec<_> = node.children(&mut cursor).collect();
                    let named: Vec<_> = node.named_children(&mut cursor).collect();
                    assert_eq!(lister.children(node).as_slice(), all.as_slice());
                    assert_eq!(lister.named_children(node).as_slice(), named.as_slice());
                    stack.extend(all);
                }
                assert!(visited > 10, "{visited} nodes");
                // The cursor walk meets the named nodes a recursive listing meets, in order.
                let mut recursive = Vec::new();
                let mut pending = vec![tree.root_node()];
                while let Some(node) = pending.pop() {
                    recursive.push(node);
                    pending.extend(lister.named_children(node).into_iter().rev());
                }
                let mut walked = Vec::new();
                visit_named(tree.root_node(), |node| {
                    walked.push(node);
                    Visit::Descend
                });
                assert_eq!(walked, recursive);
                let mut until_string = 0;
                visit_named(tree.root_node(), |node| {
                    until_string += 1;
                    if node.kind() == "string" {
                        Visit::Stop
                    } else {
                        Visit::Descend
                    }
                });
                assert!(until_string < walked.len(), "{until_string}");
            }
        }
    }

    /// The cached look-ups give what tree-sitter's own do, for every node and every field
    /// of three grammars parsed in turn on one thread (ids differ between grammars).
    #[test]
    fn field_children_and_kinds_are_those_tree_sitter_gives_by_name() {
        let grammars: [(Language, &str); 3] = [
            (
                tree_sitter_python::LANGUAGE.into(),
                "import os\nDEBUG = os.environ.get('D', 'x') == 'y'\nA = {'k': [1, f(b=2)]}\n",
            ),
            (
                tree_sitter_javascript::LANGUAGE.into(),
                "const app = express(); app.use(helmet({ a: 1 })); new X(y).listen(3000); let = ) ;",
            ),
            (
                tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
                "const app: App = NestFactory.create(M); export default { key: process.env.K };",
            ),
        ];
        let mut compared = 0;
        let mut kinds = std::collections::HashSet::new();
        for _ in 0..2 {
            for (language, text) in &grammars {
                let tree = with_parser(language, |p| p.parse(text, None))
                    .flatten()
                    .expect("parses");
                let names: Vec<&'static str> = (1..=language.field_count() as u16)
                    .filter_map(|id| language.field_name_for_id(id))
                    .collect();
                assert!(names.len() > 10, "{} fields", names.len());
                let mut walk = PreOrder::new(tree.root_node());
                loop {
                    let node = walk.node();
                    assert_eq!(node.kind_name(), node.kind());
                    kinds.insert(node.kind());
                    for &name in &names {
                        assert_eq!(node.field_child(name), node.child_by_field_name(name));
                        compared += usize::from(node.field_child(name).is_some());
                    }
                    if !walk.advance(true, |_| {}) {
                        break;
                    }
                }
                assert_eq!(node_field(&tree, "no_such_field"), None);
            }
        }
        assert!(compared > 30, "{compared} fields found");
        assert!(kinds.contains("ERROR") && kinds.len() > 40, "{kinds:?}");

        fn node_field<'t>(tree: &'t Tree, name: &'static str) -> Option<Node<'t>> {
            tree.root_node().field_child(name)
        }
    }

    /// Every node entered once in source order with its depth, and left once after its
    /// subtree, as a recursive walk does; not descending leaves a subtree out.
    #[test]
    fn the_pre_order_walk_enters_and_leaves_as_recursion_does() {
        fn recurse<'t>(node: Node<'t>, depth: usize, events: &mut Vec<(bool, usize, usize)>) {
            events.push((true, node.id(), depth));
            let mut cursor = node.walk();
            for child in node.children(&mut cursor) {
                recurse(child, depth + 1, events);
            }
            events.push((false, 0, depth));
        }
        let javascript: Language = tree_sitter_javascript::LANGUAGE.into();
        let text = "function f(a) { return [a, { k: g(a) }]; }\nconst x = f(1);";
        let tree = with_parser(&javascript, |p| p.parse(text, None))
            .flatten()
            .expect("parses");
        let mut expected = Vec::new();
        recurse(tree.root_node(), 0, &mut expected);
        let mut events = Vec::new();
        let mut walk = PreOrder::new(tree.root_node());
        loop {
            events.push((true, walk.node().id(), walk.depth()));
            if !walk.advance(true, |depth| events.push((false, 0, depth))) {
                break;
            }
        }
        assert_eq!(events, expected);
        assert!(events.len() > 40, "{} events", events.len());
        // Not descending: the nodes below depth 1 are passed over.
        let mut entered = Vec::new();
        let mut walk = PreOrder::new(tree.root_node());
        loop {
            entered.push(walk.depth());
            if !walk.advance(walk.depth() < 1, |_| {}) {
                break;
            }
        }
        assert_eq!(entered.len(), 1 + tree.root_node().child_count());
        assert!(entered[1..].iter().all(|&d| d == 1), "{entered:?}");
    }
}
