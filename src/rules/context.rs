//! What a check sees: the document (or, for a project check, the documents) of its kind,
//! already typed, and where its findings go. The glue from an untyped [`Document`] to a
//! typed [`Context`] is written here once, for every kind, through [`FromDocument`].

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use crate::document::{Document, FromDocument};
use crate::message::Message;
use crate::policy::Catalog;
use crate::source::{FileRef, SourceFile, Span};

/// A finding as a check reports it: a span in a file, before the engine adds the location,
/// redacted snippet, fingerprint and suppression state. A fact-based check names its files
/// without their text (`F` = [`FileRef`]); the engine reads those again before finishing.
#[derive(Debug, Clone)]
pub struct RawFinding<F = Arc<SourceFile>> {
    /// The file.
    pub source: F,
    /// The exact place.
    pub span: Span,
    /// What identifies this finding within the file for fingerprints (a key name, not a line).
    pub key: String,
    /// What is wrong and what to write instead.
    pub message: Message,
    /// Other places that explain the finding.
    pub related: Vec<Related<F>>,
}

/// A place that explains a finding.
#[derive(Debug, Clone)]
pub struct Related<F = Arc<SourceFile>> {
    pub source: F,
    pub span: Span,
    /// Why it is related.
    pub message: Message,
    /// Whether reports show its lines (secrets masked as in the finding's own snippet).
    pub show_code: bool,
}

impl<F: Clone> RawFinding<F> {
    /// Adds a related location in the finding's own file.
    pub fn related(&mut self, span: Span, message: impl Into<Message>) -> &mut Self {
        let source = self.source.clone();
        self.related_in(&source, span, message)
    }

    /// Adds a related location in another file (an included file, the file a value came
    /// from).
    pub fn related_in(&mut self, source: &F, span: Span, message: impl Into<Message>) -> &mut Self {
        self.related.push(Related {
            source: source.clone(),
            span,
            message: message.into(),
            show_code: false,
        });
        self
    }

    /// Adds a related location whose lines reports show too (the other side of a difference).
    pub fn related_code_in(
        &mut self,
        source: &F,
        span: Span,
        message: impl Into<Message>,
    ) -> &mut Self {
        self.related_in(source, span, message);
        if let Some(last) = self.related.last_mut() {
            last.show_code = true;
        }
        self
    }
}

impl RawFinding<FileRef> {
    /// The finding in the files `read` gives for the files it names. A span beyond its
    /// file's text (a file gone or changed since it was named is read as empty) becomes the
    /// file's start.
    pub fn resolved(self, read: &dyn Fn(&FileRef) -> Arc<SourceFile>) -> RawFinding {
        let within = |source: &SourceFile, span: Span| {
            if span.end <= source.text.len() {
                span
            } else {
                Span::new(0, 0)
            }
        };
        let source = read(&self.source);
        let related = self
            .related
            .into_iter()
            .map(|r| {
                let source = read(&r.source);
                Related {
                    span: within(&source, r.span),
                    source,
                    message: r.message.resolved(read),
                    show_code: r.show_code,
                }
            })
            .collect();
        RawFinding {
            span: within(&source, self.span),
            source,
            key: self.key,
            message: self.message.resolved(read),
            related,
        }
    }
}

/// What a check says about a file it could not judge, or that it does not apply to: an
/// evaluation result the engine records next to the findings (see [`crate::results`]).
#[derive(Debug, Clone)]
pub struct RawMark {
    /// The file.
    pub source: Arc<SourceFile>,
    /// Not evaluated (a value unknown statically), or not applicable.
    pub not_evaluated: bool,
    /// Why.
    pub reason: Message,
}

/// What checks compute once and share: the two dozen Django rules each need every deployed
/// settings module evaluated, and evaluating them once per rule cost a tenth of a scan; the
/// rules of one document share a memo of their own (a Dockerfile's `RUN` commands, split
/// once). Entries are keyed by the type computed and the identity of the
/// documents it was computed from, so rules that see different documents (a policy giving
/// one rule other targets) never share; the memo lives no longer than the scan's
/// documents, so identities cannot be reused while it does.
#[derive(Default)]
pub struct ProjectMemo {
    entries: Mutex<ByIdentity<MemoKey, Arc<dyn Any + Send + Sync>>>,
}

/// Values keyed by what the scan itself makes: addresses of what it holds (a file's, a
/// document's identity) and types. SipHash, the standard maps' defence against keys chosen
/// to collide, is for keys an input chooses; these are the allocator's and the compiler's,
/// and a finding's message looks its file up once per quote (a hundred thousand times on a
/// 10,000-file scan).
pub(crate) type ByIdentity<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// The type of a shared value and the identities of the documents it was computed from.
type MemoKey = (TypeId, Vec<usize>);

impl ProjectMemo {
    /// The value `compute` gives for `docs`, computed by the first rule that asks. The lock
    /// is held while computing, so rules asking for the same value wait instead of
    /// repeating the work.
    fn get<T: Any + Send + Sync>(&self, docs: Vec<usize>, compute: impl FnOnce() -> T) -> Arc<T> {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = entries
            .entry((TypeId::of::<T>(), docs))
            .or_insert_with(|| Arc::new(compute()));
        Arc::clone(entry)
            .downcast::<T>()
            .expect("entries are keyed by their type")
    }
    /// What `compute` gives for the documents `docs` names, from `memo` when there is one
    /// (computed each time when there is none).
    fn through<T: Any + Send + Sync>(
        memo: Option<&Self>,
        docs: impl FnOnce() -> Vec<usize>,
        compute: impl FnOnce() -> T,
    ) -> Arc<T> {
        match memo {
            Some(memo) => memo.get(docs(), compute),
            None => Arc::new(compute()),
        }
    }
}

/// A document's identity in a [`ProjectMemo`] key.
fn identity(doc: &Document) -> usize {
    std::ptr::from_ref(doc) as usize
}

/// Where checks put their findings; the engine makes one per rule run and reads it back.
pub struct Emitter<'a> {
    /// The whole catalog (a check on suppression comments needs to know every rule id).
    catalog: &'a Catalog,
    findings: Vec<RawFinding>,
    /// A fact-based check's findings, in files named without their text.
    placed: Vec<RawFinding<FileRef>>,
    marks: Vec<RawMark>,
    /// What the scan's project checks share (none: each computes its own).
    memo: Option<&'a ProjectMemo>,
    /// Kinds of file the producer could not collect (a live host's unreadable crontabs).
    unseen: &'a [Unseen],
}

/// A kind of file the producer of the inputs could not collect, and why: rules that
/// judge an absence (no backup job anywhere) must not judge what they could not see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unseen {
    /// The kind.
    pub target: crate::formats::Target,
    /// The command or file and its error (`/var/spool/cron/crontabs: not permitted …`).
    pub why: String,
}

impl<'a> Emitter<'a> {
    /// An empty emitter.
    pub fn new(catalog: &'a Catalog) -> Self {
        Self {
            catalog,
            findings: Vec::new(),
            placed: Vec::new(),
            marks: Vec::new(),
            memo: None,
            unseen: &[],
        }
    }

    /// An empty emitter for a project check that shares what it computes through `memo`
    /// and is told what the producer could not collect.
    pub fn sharing(catalog: &'a Catalog, memo: &'a ProjectMemo, unseen: &'a [Unseen]) -> Self {
        Self {
            memo: Some(memo),
            unseen,
            ..Self::new(catalog)
        }
    }

    /// The findings reported so far.
    pub fn into_findings(self) -> Vec<RawFinding> {
        self.findings
    }

    /// A fact-based check's findings, in files the engine has to read again.
    pub fn into_placed(self) -> Vec<RawFinding<FileRef>> {
        self.placed
    }

    /// Moves a fact-based check's findings into `docs`, the documents its facts came from:
    /// for a check run on documents at hand (tests, tools); a scan reads the files again.
    pub(crate) fn place_in(&mut self, docs: &[Document]) {
        let source_of = |file: &FileRef| {
            let doc = docs
                .iter()
                .find(|d| d.source.path == file.path())
                .expect("facts come from these documents");
            Arc::clone(&doc.source)
        };
        for finding in std::mem::take(&mut self.placed) {
            self.findings.push(finding.resolved(&source_of));
        }
    }

    /// The findings and the marks (not evaluated, not applicable) reported so far.
    pub fn into_parts(self) -> (Vec<RawFinding>, Vec<RawMark>) {
        (self.findings, self.marks)
    }
}

/// A document with its content of kind `T`.
pub struct Parsed<'a, T: ?Sized> {
    /// The document (its file, its kind).
    pub doc: &'a Document,
    /// What its checks read.
    pub content: &'a T,
}

impl<T: ?Sized> Clone for Parsed<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: ?Sized> Copy for Parsed<'_, T> {}

impl<'a, T: FromDocument + ?Sized> Parsed<'a, T> {
    /// `doc` with its content, when it is of kind `T`.
    pub fn of(doc: &'a Document) -> Option<Self> {
        Some(Self {
            doc,
            content: T::from_document(doc)?,
        })
    }
}

impl<'a, T: ?Sized> Parsed<'a, T> {
    /// The document's file.
    pub fn source(&self) -> &'a Arc<SourceFile> {
        &self.doc.source
    }
}

/// Where a check's findings go. Both contexts dereference to it, so `cx.report_in(…)`
/// reads the same in per-document and project checks.
pub struct Reporter<'a> {
    findings: &'a mut Vec<RawFinding>,
    marks: &'a mut Vec<RawMark>,
}

impl Reporter<'_> {
    /// Reports a finding at `span` of `source` (an included file, the file a value came
    /// from, one of a project's files): `key` names what is wrong within the file (it goes
    /// into the fingerprint, so never a line number), `message` says what is wrong and what
    /// to write instead.
    pub fn report_in(
        &mut self,
        source: &Arc<SourceFile>,
        span: Span,
        key: impl Into<String>,
        message: impl Into<Message>,
    ) -> &mut RawFinding {
        push_finding(
            self.findings,
            Arc::clone(source),
            span,
            key.into(),
            message.into(),
        )
    }

    /// Says that the rule could not judge (part of) `source`: a value it needs is unknown
    /// statically (an environment variable without a default, a value set inside a
    /// condition). The file's result is `not_evaluated` with `reason` unless the rule also
    /// reports a finding there; checks call this exactly where they give up on a value,
    /// so a silent check is never mistaken for a pass.
    pub fn not_evaluated_in(&mut self, source: &Arc<SourceFile>, reason: impl Into<Message>) {
        self.mark(source, true, reason.into());
    }

    /// Says that the rule does not apply to `source` (a settings module judged through the
    /// module that imports it): its result is `not_applicable` with `reason`, unless the
    /// rule reports a finding or cannot evaluate something there.
    pub fn not_applicable_in(&mut self, source: &Arc<SourceFile>, reason: impl Into<Message>) {
        self.mark(source, false, reason.into());
    }

    fn mark(&mut self, source: &Arc<SourceFile>, not_evaluated: bool, reason: Message) {
        // One mark per file and reason is enough: a check looping over many items that
        // all depend on one unknown value does not grow the list.
        let repeated = self.marks.iter().any(|m| {
            Arc::ptr_eq(&m.source, source) && m.not_evaluated == not_evaluated && m.reason == reason
        });
        if !repeated {
            self.marks.push(RawMark {
                source: Arc::clone(source),
                not_evaluated,
                reason,
            });
        }
    }
}

/// What a per-document check gets: one document of its kind, and where to report.
pub struct Context<'a, T: ?Sized> {
    /// The document being checked.
    pub doc: &'a Document,
    /// Its content, typed.
    pub content: &'a T,
    catalog: &'a Catalog,
    /// What the document's rules share (see [`Context::shared`]).
    memo: Option<&'a ProjectMemo>,
    out: Reporter<'a>,
}

impl<'a, T: FromDocument + ?Sized> Context<'a, T> {
    /// Runs `check` on `doc` when it is of kind `T` (and does nothing otherwise): the glue
    /// every family's table uses through [`crate::rules::checks!`].
    pub(crate) fn run(
        doc: &'a Document,
        out: &'a mut Emitter,
        check: impl FnOnce(&mut Context<'_, T>),
    ) {
        if let Some(content) = T::from_document(doc) {
            check(&mut Context {
                doc,
                content,
                catalog: out.catalog,
                memo: out.memo,
                out: Reporter {
                    findings: &mut out.findings,
                    marks: &mut out.marks,
                },
            });
        }
    }
}

impl<'a, T: ?Sized> Context<'a, T> {
    /// The document's file.
    pub fn source(&self) -> &'a Arc<SourceFile> {
        &self.doc.source
    }

    /// The folder the document is in, which relative paths written in it start from.
    pub fn folder(&self) -> &'a Path {
        self.doc.source.path.parent().unwrap_or(Path::new(""))
    }

    /// Every rule known, enabled or not.
    pub fn catalog(&self) -> &'a Catalog {
        self.catalog
    }

    /// What `compute` gives for this document, computed once for all the document's rules
    /// that ask for the same type (what several rules read the same way).
    pub fn shared<V: Any + Send + Sync>(&self, compute: impl FnOnce() -> V) -> Arc<V> {
        ProjectMemo::through(self.memo, || vec![identity(self.doc)], compute)
    }

    /// Reports a finding at `span` of the document (see [`Reporter::report_in`]).
    pub fn report(
        &mut self,
        span: Span,
        key: impl Into<String>,
        message: impl Into<Message>,
    ) -> &mut RawFinding {
        let source = self.source();
        self.out.report_in(source, span, key, message)
    }

    /// Says that the rule could not judge (part of) the document: a value it needs is
    /// unknown statically (see [`Reporter::not_evaluated_in`]).
    pub fn not_evaluated(&mut self, reason: impl Into<Message>) {
        let source = self.source();
        self.out.not_evaluated_in(source, reason);
    }
}

/// What a project check gets: every document of its kind in the scan, and where to report.
pub struct ProjectContext<'a, T: ?Sized> {
    /// The documents of kind `T` the rule applies to.
    pub docs: &'a [Parsed<'a, T>],
    all: &'a [&'a Document],
    memo: Option<&'a ProjectMemo>,
    unseen: &'a [Unseen],
    out: Reporter<'a>,
}

impl<'a, T: FromDocument + ?Sized> ProjectContext<'a, T> {
    /// Runs `check` on the documents of kind `T` among `all`: the glue every family's table
    /// uses through [`crate::rules::checks!`].
    pub(crate) fn run(
        all: &'a [&'a Document],
        out: &'a mut Emitter,
        check: impl FnOnce(&mut ProjectContext<'_, T>),
    ) {
        let docs: Vec<Parsed<T>> = all.iter().filter_map(|doc| Parsed::of(doc)).collect();
        check(&mut ProjectContext {
            docs: &docs,
            all,
            memo: out.memo,
            unseen: out.unseen,
            out: Reporter {
                findings: &mut out.findings,
                marks: &mut out.marks,
            },
        });
    }
}

impl<'a, T: ?Sized> ProjectContext<'a, T> {
    /// The documents of another kind the rule applies to (a check that reads two kinds
    /// together: `postgresql.conf` with `pg_hba.conf`).
    pub fn of_kind<U: FromDocument + ?Sized>(&self) -> Vec<Parsed<'a, U>> {
        self.all.iter().filter_map(|doc| Parsed::of(doc)).collect()
    }

    /// Every document the rule applies to, whatever its kind (a check about the whole
    /// deployment: does anything back the databases up?).
    pub fn documents(&self) -> &'a [&'a Document] {
        self.all
    }

    /// Why files of kind `target` could not be collected, when they could not: a check
    /// about what is absent says nothing then.
    pub fn unseen(&self, target: crate::formats::Target) -> Option<&'a str> {
        why_unseen(self.unseen, target)
    }

    /// What `compute` gives for this rule's documents, computed once per scan for every
    /// project check that asks for the same type over the same documents (see
    /// [`ProjectMemo`]).
    pub fn shared<V: Any + Send + Sync>(&self, compute: impl FnOnce() -> V) -> Arc<V> {
        let docs = || self.docs.iter().map(|d| identity(d.doc)).collect();
        ProjectMemo::through(self.memo, docs, compute)
    }
}

/// A whole-scan check that keeps no documents: it takes small facts from each document of
/// its kinds as the scan reads it, and judges all of them at the end. Memory then grows
/// with the facts (a database's place, a secret's hash), not with the documents, which the
/// scan drops once their own rules ran. Registered with `facts "name" => Type;`.
pub trait ScanFacts: Sized + Send + Sync + 'static {
    /// The kind of document facts come from ([`Document`] for several kinds).
    type Kind: FromDocument + ?Sized;

    /// What one document tells the check; `None` when nothing.
    fn collect(doc: &Document, content: &Self::Kind) -> Option<Self>;

    /// Reports over the facts of every document, in the order the scan read them.
    fn judge(facts: Vec<Self>, cx: &mut FactsContext<'_>);
}

fn why_unseen(unseen: &[Unseen], target: crate::formats::Target) -> Option<&str> {
    unseen
        .iter()
        .find(|u| u.target == target)
        .map(|u| u.why.as_str())
}

/// What a fact-based check's judgement gets: where to report, and what the producer of the
/// inputs could not collect. Its findings name their files ([`FileRef`]): the documents
/// are gone by then.
pub struct FactsContext<'a> {
    unseen: &'a [Unseen],
    placed: &'a mut Vec<RawFinding<FileRef>>,
    memo: Option<&'a ProjectMemo>,
}

impl<'a> FactsContext<'a> {
    /// `F`'s facts from `doc`, type-erased for the engine: the glue of
    /// [`crate::rules::checks!`].
    pub(crate) fn collect<F: ScanFacts>(doc: &Document) -> Option<crate::rules::AnyFacts> {
        let content = F::Kind::from_document(doc)?;
        F::collect(doc, content).map(|f| Box::new(f) as crate::rules::AnyFacts)
    }

    /// Judges `facts`, each made by [`FactsContext::collect`] for `F`.
    pub(crate) fn judge<F: ScanFacts>(facts: Vec<crate::rules::AnyFacts>, out: &'a mut Emitter) {
        let facts: Vec<F> = facts
            .into_iter()
            .map(|f| {
                *f.downcast::<F>()
                    .expect("facts are collected by the same check")
            })
            .collect();
        F::judge(
            facts,
            &mut FactsContext {
                unseen: out.unseen,
                placed: &mut out.placed,
                memo: out.memo,
            },
        );
    }

    /// What `compute` makes of `inputs`, with them: made once per scan for the checks that
    /// ask with the same inputs (ENV015 and ENV016 ask git about the same files), each
    /// check that asks with other inputs making its own.
    pub fn shared<I, T>(&self, inputs: I, compute: impl FnOnce(&I) -> T) -> Arc<(I, T)>
    where
        I: PartialEq + Send + Sync + 'static,
        T: Send + Sync + 'static,
    {
        let mut compute = Some(compute);
        let mut make = |inputs: I| {
            let compute = compute.take().expect("made once");
            let made = compute(&inputs);
            (inputs, made)
        };
        let Some(memo) = self.memo else {
            return Arc::new(make(inputs));
        };
        let mut mine = Some(inputs);
        let kept = memo.get(Vec::new(), || make(mine.take().expect("asked once")));
        match mine {
            Some(inputs) if kept.0 != inputs => Arc::new(make(inputs)),
            _ => kept,
        }
    }

    /// Why files of kind `target` could not be collected, when they could not (see
    /// [`ProjectContext::unseen`]).
    pub fn unseen(&self, target: crate::formats::Target) -> Option<&'a str> {
        why_unseen(self.unseen, target)
    }

    /// Reports a finding at `span` of `file` (see [`Reporter::report_in`]).
    pub fn report_in(
        &mut self,
        file: &FileRef,
        span: Span,
        key: impl Into<String>,
        message: impl Into<Message>,
    ) -> &mut RawFinding<FileRef> {
        push_finding(self.placed, file.clone(), span, key.into(), message.into())
    }
}

/// Adds a finding without related locations; the caller may add them.
fn push_finding<F>(
    findings: &mut Vec<RawFinding<F>>,
    source: F,
    span: Span,
    key: String,
    message: Message,
) -> &mut RawFinding<F> {
    findings.push(RawFinding {
        source,
        span,
        key,
        message,
        related: Vec::new(),
    });
    findings.last_mut().expect("just pushed")
}

/// Both contexts dereference to their [`Reporter`].
macro_rules! reports_through_out {
    ($($context:ident),*) => {$(
        impl<'a, T: ?Sized> Deref for $context<'a, T> {
            type Target = Reporter<'a>;

            fn deref(&self) -> &Reporter<'a> {
                &self.out
            }
        }

        impl<T: ?Sized> DerefMut for $context<'_, T> {
            fn deref_mut(&mut self) -> &mut Self::Target {
                &mut self.out
            }
        }
    )*};
}

reports_through_out!(Context, ProjectContext);

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks that ask with the same inputs share one computation; one asking with other
    /// inputs gets its own, and without a memo each computes.
    #[test]
    fn shared_values_are_made_once_for_the_same_inputs() {
        let memo = ProjectMemo::default();
        let made = std::sync::atomic::AtomicUsize::new(0);
        let make = |inputs: &Vec<u32>| {
            made.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            inputs.iter().sum::<u32>()
        };
        let mut placed = Vec::new();
        for memo in [Some(&memo), None] {
            let cx = FactsContext {
                unseen: &[],
                placed: &mut placed,
                memo,
            };
            made.store(0, std::sync::atomic::Ordering::Relaxed);
            assert_eq!(cx.shared(vec![1, 2], make).1, 3);
            assert_eq!(cx.shared(vec![1, 2], make).1, 3);
            assert_eq!(cx.shared(vec![5], make).1, 5);
            let expected = if memo.is_some() { 2 } else { 3 };
            assert_eq!(made.load(std::sync::atomic::Ordering::Relaxed), expected);
        }
    }
}
