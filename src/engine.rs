//! The pipeline in one place: discover → read → parse → evaluate → finalise.
//!
//! Finalising is where cross-cutting guarantees live, so no rule can forget them: exact
//! locations, secrets masked by position in snippets and in every quote of a message,
//! inline suppressions, and fingerprints that do not depend on line numbers.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::GlobSet;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use smallvec::SmallVec;

use crate::discover::{self, DiskFiles, Input, WalkOptions};
use crate::document::{
    entry_point_follow_ups, groups, is_grouped, may_confirm, names, relate, relate_within,
    related_kinds, Document,
};
use crate::finding::{
    Diagnostic, DiagnosticKind, Finding, Location, RelatedLocation, SharedText, Snippet,
    Suppression,
};
use crate::formats::{
    template, Classification, Files, FollowUp, GroupedFile, ParseContext, Shown, Target, Unreadable,
};
use crate::message::{Message, Quote, Secrets};
use crate::msg;
use crate::policy::{prefix_key, Catalog, Rule};
use crate::redact;
use crate::results::{host_of, RuleResult, Status};
use crate::rules::{
    self, AnyFacts, BoundRule, ByIdentity, Emitter, ProjectMemo, RawFinding, RawMark, Related,
    Unseen,
};
use crate::source::{FileRef, SourceFile, Span};
use crate::suppress::{self, SuppressionComment};

/// What a scan found.
#[derive(Debug, Default)]
pub struct ScanOutcome {
    /// Findings, suppressed ones included, sorted by file and position.
    pub findings: Vec<Finding>,
    /// Files that could not be checked.
    pub diagnostics: Vec<Diagnostic>,
    /// How many files were parsed and checked.
    pub files_checked: usize,
    /// Every enabled rule's result on every file it could judge, when asked for
    /// ([`Inputs::results`]); sorted by path, then rule.
    pub results: Option<Vec<RuleResult>>,
}

/// What a producer of inputs hands the pipeline: the directory walk, or a host snapshot.
pub struct Inputs<'a> {
    /// The files to check, each with the kind its name says.
    pub files: Vec<Input>,
    /// Files that may name more inputs without being checked themselves (a Django project's
    /// `manage.py` naming its settings module).
    pub entry_points: Vec<PathBuf>,
    /// Where they, and every file they include or name, are read: bounded and contained.
    pub view: &'a dyn Files,
    /// The moment time-based rules judge against (a snapshot's collection time), else now.
    pub judged_at: Option<i64>,
    /// What the producer could not list or collect.
    pub diagnostics: Vec<Diagnostic>,
    /// Kinds of file the producer could not collect (a live host's blind spots).
    pub unseen: Vec<Unseen>,
    /// Whether to record evaluation results (see [`crate::results`]) next to the findings.
    pub results: bool,
}

/// Scans `paths` on disk with the enabled rules of `catalog`: the directory walk as the
/// producer of inputs for [`run`].
pub fn scan(
    paths: &[PathBuf],
    options: &WalkOptions,
    excludes: &GlobSet,
    catalog: &Catalog,
) -> ScanOutcome {
    scan_with(paths, options, excludes, catalog, false)
}

/// [`scan`], recording evaluation results when `results` is set.
pub fn scan_with(
    paths: &[PathBuf],
    options: &WalkOptions,
    excludes: &GlobSet,
    catalog: &Catalog,
    results: bool,
) -> ScanOutcome {
    let walked = discover::discover(paths, options, excludes);
    let view = DiskFiles::new(paths, options.max_file_size).with_helm(options.helm.clone());
    run(
        Inputs {
            files: walked.inputs,
            entry_points: walked.entry_points,
            view: &view,
            judged_at: None,
            diagnostics: walked.diagnostics,
            unseen: Vec::new(),
            results,
        },
        catalog,
    )
}

/// The pipeline: read and parse every input (confirming guesses by content, setting
/// templates aside), read what the parsed documents name (Compose `env_file:`, settings
/// modules), let each format relate its documents (nginx `include`s), evaluate, finalise.
///
/// Memory does not grow with the documents: each is evaluated as soon as it is read and
/// dropped, keeping only its findings and the small facts whole-scan checks judge at the
/// end (see [`crate::rules::ScanFacts`]). Only documents a project check reads together,
/// or that their format relates to each other (nginx includes, kustomize), are kept to the
/// end.
pub fn run(inputs: Inputs, catalog: &Catalog) -> ScanOutcome {
    let Inputs {
        files,
        entry_points,
        view,
        judged_at,
        mut diagnostics,
        unseen,
        results,
    } = inputs;
    let bound = rules::bind(catalog).expect("checks are resolved when the catalog is loaded");
    let paths: Vec<&Path> = files.iter().map(|input| input.path.as_path()).collect();
    let plan = Plan::new(
        catalog,
        &bound,
        &related_kinds(&paths),
        judged_at,
        results,
        &unseen,
    );
    drop(paths);
    let mut scan = ScanDocuments {
        view,
        judged_at,
        plan: &plan,
        units: Vec::new(),
        checked: 0,
        // Every input may be kept: sized once, its paths are not hashed again as it grows.
        known: HashMap::with_capacity(files.len()),
    };
    let mut follow_ups = Vec::new();
    let mut unchecked = Vec::new();
    // Inputs are taken a chunk at a time, so each path moves into the scan's index or is
    // dropped, never copied.
    let mut files = files.into_iter();
    loop {
        let chunk: Vec<Input> = files.by_ref().take(PARSE_CHUNK).collect();
        if chunk.is_empty() {
            break;
        }
        let outcomes = scan.parse_all(&chunk);
        for (input, result) in chunk.into_iter().zip(outcomes) {
            match result {
                Outcome::Read(mut unit) => {
                    follow_ups.append(&mut unit.follow_ups);
                    scan.add(input, unit);
                }
                Outcome::NotOurs => {}
                Outcome::Problem(problem) => {
                    not_checked(problem, input.kind.target, &mut diagnostics, &mut unchecked);
                }
            }
        }
    }
    follow_ups.extend(entry_points.iter().flat_map(|path| {
        view.read(path)
            .map(|source| entry_point_follow_ups(path, &source.text))
            .unwrap_or_default()
    }));
    scan.follow(follow_ups, &mut diagnostics, &mut unchecked);
    diagnostics.sort_by(|a, b| a.path.cmp(&b.path));
    // A file read twice (found by the walk and named by another file) is reported once.
    diagnostics.dedup();
    if !results {
        unchecked = Vec::new();
    }
    unchecked.sort_by(|a, b| (&a.0, a.1.as_str()).cmp(&(&b.0, b.1.as_str())));
    unchecked.dedup();
    let units = scan.units;
    let files_checked = scan.checked;
    let (findings, results) = plan.finish(units, view, &unchecked);
    ScanOutcome {
        findings,
        files_checked,
        diagnostics,
        results,
    }
}

/// Records a file of kind `target` that could not be checked: a note for the report, and
/// for the results, which rules it leaves unevaluated.
fn not_checked(
    problem: Diagnostic,
    target: Target,
    diagnostics: &mut Vec<Diagnostic>,
    unchecked: &mut Vec<Unchecked>,
) {
    unchecked.push((problem.path.clone(), target, problem.message.clone()));
    diagnostics.push(problem);
}

/// A file of a kind the rules read that was not checked: its display path, its kind and
/// why (a template, unreadable, too large).
type Unchecked = (String, Target, String);

/// What reading and parsing one input gave.
enum Outcome {
    /// A document, evaluated or kept for the end.
    Read(Unit),
    /// A guess from the name that the content does not confirm: simply not ours.
    NotOurs,
    /// Unreadable, too large, binary, or a template: said once, never judged.
    Problem(Diagnostic),
}

/// Why an input gave no document (see [`Outcome`]).
enum Skipped {
    NotOurs,
    Problem(Diagnostic),
}

/// The enabled rules, split by how they see the scan, and which documents the scan keeps.
struct Plan<'c> {
    catalog: &'c Catalog,
    /// Rules run on one document at a time.
    document_rules: Vec<BoundRule<'c>>,
    /// Those of `document_rules` that apply to each kind a rule names, in their order; a
    /// document of a kind none names gets those for every kind. Most rules apply to one
    /// kind: asking each of them about every document was a fiftieth of a scan's CPU.
    document_rules_by_kind: RulesByKind,
    /// Rules that read documents of their kinds together, which are kept to the end.
    project_rules: Vec<BoundRule<'c>>,
    /// Rules that judge the whole scan from facts (see [`crate::rules::ScanFacts`]).
    facts_rules: Vec<BoundRule<'c>>,
    /// Kinds of document kept to the end because a project check reads them (`Any`: every
    /// kind).
    kept: HashSet<Target>,
    /// Kinds of a grouped format ([`crate::formats::Format::GROUPED`]) whose project checks
    /// read only the documents of one group together (Django settings modules, with what
    /// they star-import): their files are judged group by group, like related files,
    /// instead of being kept whole to the end.
    judged_by_group: HashSet<Target>,
    /// The kinds of file the producer could not collect, for project checks.
    unseen: &'c [Unseen],
    /// Kinds whose format relates their documents to each other
    /// ([`crate::formats::Format::relates`]): only their files are kept, to be parsed again
    /// and judged together at the end, unless one may be judged alone until another names
    /// it ([`crate::formats::Format::judged_alone`]).
    related: HashSet<Target>,
    /// The moment time-based rules judge against, for documents parsed again at the end.
    judged_at: Option<i64>,
    /// Whether evaluation results are recorded.
    results: bool,
}

impl<'c> Plan<'c> {
    fn new(
        catalog: &'c Catalog,
        bound: &[BoundRule<'c>],
        related: &[Target],
        judged_at: Option<i64>,
        results: bool,
        unseen: &'c [Unseen],
    ) -> Self {
        let of = |pick: fn(&BoundRule<'c>) -> bool| -> Vec<BoundRule<'c>> {
            bound.iter().copied().filter(&pick).collect()
        };
        let project_rules = of(BoundRule::is_project);
        let document_rules = of(|r| !r.is_project() && !r.is_facts());
        let mut kept: HashSet<Target> = project_rules
            .iter()
            .flat_map(|r| r.rule.targets.iter().copied())
            .collect();
        // A grouped kind is judged by group when every project check that reads it reads
        // nothing else (a policy may give a check more kinds).
        let judged_by_group: HashSet<Target> = kept
            .iter()
            .copied()
            .filter(|&target| {
                is_grouped(target)
                    && !kept.contains(&Target::Any)
                    && project_rules
                        .iter()
                        .filter(|r| r.rule.targets.contains(&target))
                        .all(|r| r.rule.targets.iter().all(|&t| t == target))
            })
            .collect();
        kept.retain(|target| !judged_by_group.contains(target));
        Self {
            catalog,
            kept,
            judged_by_group,
            unseen,
            related: related.iter().copied().collect(),
            judged_at,
            document_rules_by_kind: RulesByKind::new(&document_rules),
            document_rules,
            facts_rules: of(BoundRule::is_facts),
            project_rules,
            results,
        }
    }

    /// What is kept of `doc` until the end of the scan.
    fn keeps(&self, doc: &Document) -> Keep {
        if self.kept.contains(&Target::Any) || self.kept.contains(&doc.target) {
            Keep::Document
        } else if !self.related.contains(&doc.target) && !self.judged_by_group.contains(&doc.target)
        {
            Keep::Nothing
        } else if is_grouped(doc.target) && doc.judged_alone() {
            Keep::FileIfNamed
        } else {
            Keep::File
        }
    }

    /// The unit a freshly parsed document becomes: its facts taken, then evaluated and
    /// dropped, or kept for the end.
    fn read(&self, doc: Document) -> Unit {
        let facts: Vec<(usize, AnyFacts)> = self
            .facts_rules
            .iter()
            .enumerate()
            .filter_map(|(i, rule)| Some((i, rule.collect(&doc)?)))
            .collect();
        let follow_ups = doc.follow_ups();
        let judged = self.results.then(|| Judged::of(&doc));
        let keeps = self.keeps(&doc);
        match keeps {
            Keep::Document => {
                return Unit {
                    document: Some(Box::new(doc)),
                    facts,
                    follow_ups,
                    judged,
                    ..Unit::default()
                }
            }
            // A tree is many times its text: the file is parsed again at the end.
            Keep::File => {
                return Unit {
                    reparse: Some(Reparse::of(&doc, false)),
                    facts,
                    follow_ups,
                    judged,
                    ..Unit::default()
                }
            }
            Keep::FileIfNamed | Keep::Nothing => {}
        }
        let mut raw = Vec::new();
        let mut marks = Vec::new();
        for (rule, findings, rule_marks) in self.run_rules_on(std::slice::from_ref(&doc)) {
            raw.extend(findings.into_iter().map(|f| (rule, f)));
            marks.extend(rule_marks.into_iter().map(|m| (rule, m)));
        }
        drop_repeated(&mut raw);
        // A file's secrets and suppressions are only looked for when something of it is
        // shown: most files of a one-rule scan, and a seventh of a full one, have nothing.
        let shows_nothing = raw.is_empty() && (!self.results || marks.is_empty());
        let mut contexts = ByIdentity::default();
        if !shows_nothing {
            let shown = shown_spans(&doc.source, &raw, &marks);
            let context = FileContext::showing(&doc, shown);
            contexts.insert(Arc::as_ptr(&doc.source) as usize, context);
            contexts.extend(companion_contexts(&doc));
        }
        let files = KnownFiles {
            contexts,
            _alive: Vec::new(),
        };
        let findings = raw
            .into_iter()
            .map(|(rule, f)| finalise(rule, f, &files, self.catalog))
            .collect();
        let marks = if self.results {
            marks
                .iter()
                .map(|(rule, mark)| ShownMark::of(rule, mark, &files))
                .collect()
        } else {
            Vec::new()
        };
        Unit {
            document: None,
            findings,
            marks,
            facts,
            follow_ups,
            judged,
            reparse: (keeps == Keep::FileIfNamed).then(|| Reparse::of(&doc, true)),
        }
    }

    /// Puts fact-based findings into the files they name. The facts kept only names: a file
    /// kept to the end as a document is taken from it, any other is read and parsed again
    /// (once, however many findings it gets) for its text, secrets and suppressions. A
    /// file gone or changed since it was read keeps its findings at its start, nothing of
    /// it quoted.
    fn place(
        &self,
        placed: Vec<(&'c Rule, RawFinding<FileRef>)>,
        documents: &[Document],
        view: &dyn Files,
    ) -> (Vec<(&'c Rule, RawFinding)>, ReadAgain) {
        if placed.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let mut named: HashMap<&Path, FileRef> = HashMap::new();
        for (_, finding) in &placed {
            let related = finding.related.iter();
            let places = std::iter::once(&finding.source).chain(related.clone().map(|r| &r.source));
            let quoted = std::iter::once(&finding.message)
                .chain(related.map(|r| &r.message))
                .flat_map(Message::named_files);
            for file in places.chain(quoted) {
                if !named.contains_key(file.path()) {
                    named.insert(file.path(), file.clone());
                }
            }
        }
        let kept: HashMap<(&Path, Target), &Arc<SourceFile>> = documents
            .iter()
            .map(|doc| ((doc.source.path.as_path(), doc.target), &doc.source))
            .collect();
        let named: Vec<FileRef> = named.into_values().collect();
        let read: Vec<(Arc<SourceFile>, Option<FileContext>)> = named
            .into_par_iter()
            .map(|file| {
                let path = file.path();
                if let Some(source) = kept
                    .get(&(path, file.target()))
                    .filter(|source| file.digest_matches(&source.text))
                {
                    // Its context is the kept document's.
                    return (Arc::clone(source), None);
                }
                let doc = self
                    .parse_again(path, file.target(), view)
                    .filter(|doc| file.digest_matches(&doc.source.text));
                match doc {
                    Some(doc) => (Arc::clone(&doc.source), Some(FileContext::new(&doc))),
                    None => {
                        let gone = SourceFile::from_bytes(
                            path.to_path_buf(),
                            file.display_path().to_owned(),
                            Vec::new(),
                        );
                        (Arc::new(gone), None)
                    }
                }
            })
            .collect();
        let sources: HashMap<&Path, &Arc<SourceFile>> = read
            .iter()
            .map(|(source, _)| (source.path.as_path(), source))
            .collect();
        let source_of = |file: &FileRef| Arc::clone(sources[file.path()]);
        let findings = placed
            .into_iter()
            .map(|(rule, finding)| (rule, finding.resolved(&source_of)))
            .collect();
        let contexts = read
            .into_iter()
            .filter_map(|(source, context)| Some((source, context?)))
            .collect();
        (findings, contexts)
    }

    /// The per-document rules that apply to `doc`, in their order.
    fn document_rules_for<'p>(
        &'p self,
        doc: &Document,
    ) -> impl Iterator<Item = &'p BoundRule<'c>> + use<'p, 'c> {
        let rules = &self.document_rules;
        self.document_rules_by_kind
            .of(doc.target)
            .iter()
            .map(move |&i| &rules[i])
    }

    /// The document rules' runs on each of `documents`, with, for a kind judged by group,
    /// its project checks' runs on all of them: `documents` are then one group, or one
    /// document judged alone.
    fn run_rules_on(&self, documents: &[Document]) -> Vec<RunOutput<'c>> {
        let mut runs: Vec<RunOutput<'c>> = documents
            .iter()
            .flat_map(|doc| run_document_rules(self.catalog, self.document_rules_for(doc), doc))
            .collect();
        let Some(target) = documents.first().map(|doc| doc.target) else {
            return runs;
        };
        if self.judged_by_group.contains(&target) {
            let memo = ProjectMemo::default();
            for rule in &self.project_rules {
                if rule.rule.applies_to(target) {
                    let mut out = Emitter::sharing(self.catalog, &memo, self.unseen);
                    rule.check_project(documents, &mut out);
                    let (findings, marks) = out.into_parts();
                    runs.push((rule.rule, findings, marks));
                }
            }
        }
        runs
    }

    /// The file at `path` read and parsed again as `target` (`None` if it is gone).
    fn parse_again(&self, path: &Path, target: Target, view: &dyn Files) -> Option<Document> {
        Some(self.parse_read(view.read(path).ok()?, target, view))
    }

    /// A file kept to be parsed again at the end, read as it was the first time: one the
    /// walk found without asking again where it leads ([`Files::read_found`]).
    fn parse_kept(&self, reparse: &Reparse, view: &dyn Files) -> Option<Document> {
        let read = if reparse.found_plain {
            view.read_found(&reparse.path)
        } else {
            view.read(&reparse.path)
        };
        Some(self.parse_read(read.ok()?, reparse.target, view))
    }

    fn parse_read(&self, source: SourceFile, target: Target, view: &dyn Files) -> Document {
        let context = ParseContext {
            target,
            judged_at: self.judged_at,
            files: view,
        };
        Document::parse_with(Arc::new(source), &context)
    }

    /// The documents kept to the end: those kept whole and those kept as files parsed
    /// again, in the order the scan read them. Files of a kind judged group by group
    /// ([`crate::formats::Format::GROUPED`]) are returned as groups instead, to be parsed one
    /// group at a time, with those judged alone that a group names after all (an nginx
    /// snippet an `include` reaches), their findings so far dropped.
    fn kept_documents(&self, units: &mut [Unit], view: &dyn Files) -> (Vec<Document>, Vec<Group>) {
        let mut kept: Vec<(usize, Document)> = Vec::new();
        let mut alone: Vec<usize> = Vec::new();
        let mut grouped: Vec<(Target, Vec<usize>)> = Vec::new();
        let mut again: Vec<usize> = Vec::new();
        for (i, unit) in units.iter_mut().enumerate() {
            if let Some(document) = unit.document.take() {
                kept.push((i, *document));
            } else if let Some(reparse) = &unit.reparse {
                if reparse.if_named {
                    alone.push(i);
                } else if is_grouped(reparse.target) {
                    match grouped.iter_mut().find(|(t, _)| *t == reparse.target) {
                        Some((_, members)) => members.push(i),
                        None => grouped.push((reparse.target, vec![i])),
                    }
                } else {
                    again.push(i);
                }
            }
        }
        // Parsed again on every thread: on one, the nginx files of a large tree were a
        // twentieth of a scan's time, the other threads waiting.
        kept.par_extend(again.par_iter().filter_map(|&i| {
            let reparse = units[i].reparse.as_ref()?;
            Some((i, self.parse_kept(reparse, view)?))
        }));
        let mut groups = Vec::new();
        for (target, members) in grouped {
            let (named, kind_groups) = self.group(target, &members, &alone, units, view);
            for i in named {
                units[i].findings.clear();
                units[i].marks.clear();
            }
            groups.extend(kind_groups);
        }
        kept.sort_by_key(|(i, _)| *i);
        for unit in units.iter_mut() {
            unit.reparse = None;
        }
        (kept.into_iter().map(|(_, d)| d).collect(), groups)
    }

    /// The groups of the files of `target` kept to the end (`members`, unit indices, with
    /// what each names), with the units of `alone` they name after all (returned first,
    /// their files taken into the groups).
    fn group(
        &self,
        target: Target,
        members: &[usize],
        alone: &[usize],
        units: &mut [Unit],
        view: &dyn Files,
    ) -> (Vec<usize>, Vec<Group>) {
        // Both lists are in unit order: merged, the files keep the order the scan read them.
        let mut at: Vec<usize> = alone
            .iter()
            .copied()
            .filter(|&i| {
                units[i]
                    .reparse
                    .as_ref()
                    .is_some_and(|r| r.target == target)
            })
            .chain(members.iter().copied())
            .collect();
        at.sort_unstable();
        let grouping = {
            let files: Vec<GroupedFile> = at
                .iter()
                .filter_map(|&i| {
                    let file = units[i].reparse.as_ref()?;
                    let names = (!file.if_named).then_some(file.names.as_slice());
                    Some((file.path.as_path(), names))
                })
                .collect();
            groups(target, &files, view)
        };
        let named: Vec<usize> = grouping.named.iter().map(|&j| at[j]).collect();
        let relations = grouping.relations;
        let groups = grouping
            .groups
            .into_iter()
            .map(|group| Group {
                members: group
                    .into_iter()
                    .filter_map(|k| {
                        let i = at[k];
                        Some((i, units[i].reparse.take()?))
                    })
                    .collect(),
                relations: Arc::clone(&relations),
            })
            .collect();
        (named, groups)
    }

    /// Parses one group, relates it and judges it: its findings and marks, its trees
    /// dropped.
    fn judge_group(&self, group: &Group, view: &dyn Files) -> (Vec<Finding>, Vec<ShownMark>) {
        let mut documents: Vec<Document> = group
            .members
            .iter()
            .filter_map(|(_, reparse)| self.parse_kept(reparse, view))
            .collect();
        relate_within(&mut documents, &*group.relations, view);
        let mut raw: Vec<(&Rule, RawFinding)> = Vec::new();
        let mut marks: Vec<(&Rule, RawMark)> = Vec::new();
        for (rule, findings, rule_marks) in self.run_rules_on(&documents) {
            raw.extend(findings.into_iter().map(|f| (rule, f)));
            if self.results {
                marks.extend(rule_marks.into_iter().map(|m| (rule, m)));
            }
        }
        drop_repeated(&mut raw);
        let files = KnownFiles::of(&documents, &shown_spans_by_file(&raw, &marks), Vec::new());
        let findings = raw
            .into_iter()
            .map(|(rule, f)| finalise(rule, f, &files, self.catalog))
            .collect();
        let shown = marks
            .iter()
            .map(|(rule, mark)| ShownMark::of(rule, mark, &files))
            .collect();
        (findings, shown)
    }

    /// Evaluates what the scan kept and judges the facts, then puts every finding and
    /// result together.
    fn finish(
        &self,
        mut units: Vec<Unit>,
        view: &dyn Files,
        unchecked: &[Unchecked],
    ) -> (Vec<Finding>, Option<Vec<RuleResult>>) {
        let unseen = self.unseen;
        let (mut documents, groups) = self.kept_documents(&mut units, view);
        relate(&mut documents, view);
        let mut runs: Vec<RunOutput> = documents
            .par_iter()
            .flat_map_iter(|doc| {
                run_document_rules(self.catalog, self.document_rules_for(doc), doc)
            })
            .collect();
        let memo = ProjectMemo::default();
        runs.par_extend(self.project_rules.par_iter().map(|rule| {
            let mut out = Emitter::sharing(self.catalog, &memo, unseen);
            rule.check_project(&documents, &mut out);
            let (findings, marks) = out.into_parts();
            (rule.rule, findings, marks)
        }));
        let mut facts: Vec<Vec<AnyFacts>> = self.facts_rules.iter().map(|_| Vec::new()).collect();
        for unit in &mut units {
            for (i, fact) in unit.facts.drain(..) {
                facts[i].push(fact);
            }
        }
        let placed: Vec<(&Rule, RawFinding<FileRef>)> = self
            .facts_rules
            .par_iter()
            .zip(facts)
            .flat_map_iter(|(rule, facts)| {
                let mut out = Emitter::sharing(self.catalog, &memo, unseen);
                rule.judge(facts, &mut out);
                out.into_placed().into_iter().map(|f| (rule.rule, f))
            })
            .collect();
        let (placed, read_again) = self.place(placed, &documents, view);
        let mut marks: Vec<(&Rule, RawMark)> = Vec::new();
        let mut raw: Vec<(&Rule, RawFinding)> = placed;
        // Sized once: grown run by run, the findings were copied at every doubling.
        raw.reserve_exact(runs.iter().map(|(_, findings, _)| findings.len()).sum());
        for (rule, findings, rule_marks) in runs {
            raw.extend(findings.into_iter().map(|f| (rule, f)));
            if self.results {
                marks.extend(rule_marks.into_iter().map(|m| (rule, m)));
            }
        }
        relocate_built(&documents, &mut raw);
        drop_repeated(&mut raw);
        let files = KnownFiles::of(&documents, &shown_spans_by_file(&raw, &marks), read_again);
        let mut findings: Vec<Finding> = raw
            .into_par_iter()
            .map(|(rule, f)| finalise(rule, f, &files, self.catalog))
            .collect();
        let mut shown: Vec<ShownMark> = marks
            .iter()
            .map(|(rule, mark)| ShownMark::of(rule, mark, &files))
            .collect();
        drop(files);
        drop(documents);
        // Groups judged by the threads one at a time each, so memory holds the trees of a
        // group per thread.
        let judged_groups: Vec<(Vec<Finding>, Vec<ShownMark>)> = groups
            .par_iter()
            .map(|group| self.judge_group(group, view))
            .collect();
        for (group_findings, group_marks) in judged_groups {
            findings.extend(group_findings);
            shown.extend(group_marks);
        }
        drop(groups);
        let mut judged = Vec::new();
        findings.reserve(units.iter().map(|u| u.findings.len()).sum());
        for unit in units {
            findings.extend(unit.findings);
            shown.extend(unit.marks);
            judged.extend(unit.judged);
        }
        sort_findings(&mut findings);
        make_fingerprints_unique(&mut findings);
        let results = self.results.then(|| {
            let bound: Vec<&BoundRule> = self
                .document_rules
                .iter()
                .chain(&self.project_rules)
                .chain(&self.facts_rules)
                .collect();
            results_of(&bound, &judged, &findings, &shown, unchecked, unseen)
        });
        (findings, results)
    }
}

/// One file the scan read as a document: the document itself while checks that read
/// several at once need it, else what evaluating it at once gave.
#[derive(Default)]
struct Unit {
    /// The document, kept for the end.
    document: Option<Box<Document>>,
    /// Findings of a document evaluated as soon as it was read.
    findings: Vec<Finding>,
    /// Its rules' marks (not evaluated, not applicable), when results are recorded.
    marks: Vec<ShownMark>,
    /// What it tells fact-based checks, by their index in [`Plan::facts_rules`].
    facts: Vec<(usize, AnyFacts)>,
    /// The files it names, until the scan queues them.
    follow_ups: Vec<FollowUp>,
    /// The file as results name it, when they are recorded.
    judged: Option<Judged>,
    /// The file of a document parsed again at the end.
    reparse: Option<Reparse>,
}

impl Unit {
    /// Whether nothing of the file is left for the end of the scan.
    fn is_empty(&self) -> bool {
        let Unit {
            document,
            findings,
            marks,
            facts,
            follow_ups,
            judged,
            reparse,
        } = self;
        document.is_none()
            && findings.is_empty()
            && marks.is_empty()
            && facts.is_empty()
            && follow_ups.is_empty()
            && judged.is_none()
            && reparse.is_none()
    }
}

/// Files of one kind kept to the end that relate only to each other (see
/// [`crate::formats::Format::groups`]).
struct Group {
    /// Each file, with its unit's index.
    members: Vec<(usize, Reparse)>,
    /// What its format resolves relations against, shared by every group of its kind.
    relations: Arc<dyn std::any::Any + Send + Sync>,
}

/// What is kept of a document until the end of the scan.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// The document: a project check reads it.
    Document,
    /// Its file, parsed again and judged at the end with the documents it relates to.
    File,
    /// Its file, judged now and parsed again only if a kept document names it.
    FileIfNamed,
    /// Nothing: judged now.
    Nothing,
}

/// Files read again for fact-based findings ([`Plan::place`]), with their secrets and
/// suppressions.
type ReadAgain = Vec<(Arc<SourceFile>, FileContext)>;

/// A document's file kept to be parsed again at the end.
#[derive(Clone)]
struct Reparse {
    target: Target,
    /// The file, read again from the view at the end: holding the text of every related
    /// file until then (15,000 nginx files in a tree of 100,000) made memory grow with the
    /// tree. A file gone by then is not judged again.
    path: PathBuf,
    /// Only if a document kept to the end names it (it has been judged alone).
    if_named: bool,
    /// Found by the walk as a plain file ([`Input::found_plain`]), and read again as such.
    found_plain: bool,
    /// What a file of a grouped format names ([`names`]), taken while its tree is at hand,
    /// so grouping need not parse it again.
    names: Vec<String>,
}

impl Reparse {
    fn of(doc: &Document, if_named: bool) -> Self {
        Reparse {
            target: doc.target,
            path: doc.source.path.clone(),
            if_named,
            found_plain: false,
            names: if is_grouped(doc.target) && !if_named {
                names(doc)
            } else {
                Vec::new()
            },
        }
    }
}

/// A document as evaluation results name it: which rules applied to it, and whether all
/// of it could be read.
struct Judged {
    path: String,
    target: Target,
    parse_errors: bool,
}

impl Judged {
    fn of(doc: &Document) -> Self {
        Self {
            path: doc.source.display_path.clone(),
            target: doc.target,
            parse_errors: !doc.parse_errors().is_empty(),
        }
    }
}

/// A rule's mark, rendered with its file's secrets masked.
struct ShownMark {
    rule_id: String,
    path: String,
    not_evaluated: bool,
    reason: String,
}

impl ShownMark {
    fn of(rule: &Rule, mark: &RawMark, files: &KnownFiles) -> Self {
        Self {
            rule_id: rule.id.clone(),
            path: mark.source.display_path.clone(),
            not_evaluated: mark.not_evaluated,
            reason: mark.reason.render(&mark.source, files),
        }
    }
}

/// The documents of a scan so far, by path.
struct ScanDocuments<'a> {
    view: &'a dyn Files,
    judged_at: Option<i64>,
    plan: &'a Plan<'a>,
    units: Vec<Unit>,
    /// Every path read as a document, with its unit (none when reading it left nothing to
    /// keep) and whether its kind is certain: a follow-up may turn a guess into what a
    /// Compose file says it is.
    known: HashMap<PathBuf, (Option<usize>, bool)>,
    /// How many files were read as documents.
    checked: usize,
}

/// How many files are parsed in parallel before their outcomes are taken in: enough to keep
/// every thread busy, few enough that outcomes waiting to be taken stay small.
const PARSE_CHUNK: usize = 2048;

/// How many rounds of follow-ups are read (a `.env` named by a Compose file may name a
/// settings module); real projects need two.
const FOLLOW_UP_ROUNDS: usize = 4;

impl ScanDocuments<'_> {
    /// Reads, parses and evaluates `inputs` in parallel, a chunk at a time: what each gave,
    /// in their order. Only a chunk's outcomes are held before the scan takes them.
    fn parse_all(&self, inputs: &[Input]) -> Vec<Outcome> {
        inputs
            .par_iter()
            .map(|input| match self.parse(input) {
                Ok(doc) => Outcome::Read(self.plan.read(doc)),
                Err(Skipped::NotOurs) => Outcome::NotOurs,
                Err(Skipped::Problem(problem)) => Outcome::Problem(problem),
            })
            .collect()
    }

    fn parse(&self, input: &Input) -> Result<Document, Skipped> {
        let read = if input.found_plain {
            self.view.read_found(&input.path)
        } else {
            self.view.read(&input.path)
        };
        let source = match read {
            Ok(source) => source,
            Err(problem) => {
                return Err(Skipped::Problem(unreadable(
                    self.view.display(&input.path),
                    &problem,
                )))
            }
        };
        let guess = input.kind.confirm_by_content;
        let context = ParseContext {
            target: input.kind.target,
            judged_at: self.judged_at,
            files: self.view,
        };
        // A template named after the file it renders (`nginx.conf.j2`): said once, not judged;
        // a guessed kind (`hardening.conf.j2`) is confirmed on the text without its tags.
        if let Some((language, _)) = template::rendered(&input.path) {
            if crate::document::classify(&input.path).is_none() {
                let display = source.display_path.clone();
                if guess {
                    let bare = template::without_tags(&source.text);
                    let bare = SourceFile::from_bytes(source.path, display.clone(), bare.into());
                    if !may_confirm(input.kind.target, &bare.text)
                        || !Document::parse_with(Arc::new(bare), &context).confirms_kind()
                    {
                        return Err(Skipped::NotOurs);
                    }
                }
                return Err(Skipped::Problem(template_diagnostic(
                    display,
                    template::named_reason(language),
                )));
            }
        }
        if guess && !may_confirm(input.kind.target, &source.text) {
            return Err(Skipped::NotOurs);
        }
        let doc = Document::parse_with(Arc::new(source), &context);
        if guess && !doc.confirms_kind() {
            return Err(Skipped::NotOurs);
        }
        // Template tags are not errors of the file the template renders to.
        if !doc.parse_errors().is_empty() && template::has_template_tags(&doc.source.text) {
            return Err(Skipped::Problem(template_diagnostic(
                doc.source.display_path.clone(),
                template::CONTENT_REASON.to_owned(),
            )));
        }
        match doc.not_checked() {
            Some(reason) => Err(Skipped::Problem(template_diagnostic(
                doc.source.display_path.clone(),
                reason.to_owned(),
            ))),
            None => Ok(doc),
        }
    }

    fn add(&mut self, input: Input, mut unit: Unit) {
        if let Some(reparse) = &mut unit.reparse {
            reparse.found_plain = input.found_plain;
        }
        self.checked += 1;
        let at = self.keep(unit);
        self.known
            .insert(input.path, (at, !input.kind.confirm_by_content));
    }

    /// Keeps a unit that has something left to report or judge at the end; an empty one
    /// (most files of a large tree: nothing found, no facts, nothing kept) is only counted.
    fn keep(&mut self, unit: Unit) -> Option<usize> {
        (!unit.is_empty()).then(|| {
            self.units.push(unit);
            self.units.len() - 1
        })
    }

    /// Reads what documents name, round after round, each file once: a file already read
    /// as a kind its name is certain of keeps it; a guess gives way, and what reading it as
    /// the guess gave (findings, facts) goes with it.
    fn follow(
        &mut self,
        mut pending: Vec<FollowUp>,
        diagnostics: &mut Vec<Diagnostic>,
        unchecked: &mut Vec<Unchecked>,
    ) {
        for _ in 0..FOLLOW_UP_ROUNDS {
            let mut inputs: Vec<Input> = Vec::new();
            let mut queued = HashSet::new();
            for follow_up in pending.drain(..) {
                let certain = self
                    .known
                    .get(&follow_up.path)
                    .is_some_and(|(_, certain)| *certain);
                if certain || queued.contains(&follow_up.path) {
                    continue;
                }
                if !self.view.is_inside(&follow_up.path) {
                    diagnostics.push(unreadable(
                        self.view.display(&follow_up.path),
                        &Unreadable::Outside,
                    ));
                    continue;
                }
                if !self.view.is_file(&follow_up.path) {
                    continue;
                }
                queued.insert(follow_up.path.clone());
                let kind = Classification {
                    target: follow_up.target,
                    confirm_by_content: false,
                };
                inputs.push(Input::new(follow_up.path, kind));
            }
            if inputs.is_empty() {
                return;
            }
            let outcomes = self.parse_all(&inputs);
            for (input, result) in inputs.into_iter().zip(outcomes) {
                // Read before as a guess: what that gave goes.
                let replaced = self.known.get(&input.path).map(|(at, _)| *at);
                match result {
                    Outcome::Read(mut unit) => {
                        pending.append(&mut unit.follow_ups);
                        let Some(previous) = replaced else {
                            self.add(input, unit);
                            continue;
                        };
                        let at = match previous {
                            Some(at) => {
                                self.units[at] = unit;
                                Some(at)
                            }
                            None => self.keep(unit),
                        };
                        self.known.insert(input.path, (at, true));
                    }
                    Outcome::NotOurs => {}
                    Outcome::Problem(problem) => {
                        not_checked(problem, input.kind.target, diagnostics, unchecked);
                    }
                }
            }
        }
    }
}

/// The diagnostic for a file deliberately not checked because it is a template.
fn template_diagnostic(path: String, message: String) -> Diagnostic {
    Diagnostic {
        role: None,
        path,
        kind: DiagnosticKind::Template,
        message,
    }
}

/// The diagnostic for a file that could not be read.
fn unreadable(path: String, problem: &Unreadable) -> Diagnostic {
    Diagnostic {
        role: None,
        path,
        kind: match problem {
            Unreadable::TooLarge { .. } => DiagnosticKind::TooLarge,
            Unreadable::Binary => DiagnosticKind::Binary,
            _ => DiagnosticKind::Unreadable,
        },
        message: problem.to_string(),
    }
}

/// Runs every enabled rule on `documents`, kept whole as a project check would, and
/// finalises the findings (tests and tools that parse documents themselves).
#[cfg(test)]
pub fn evaluate(catalog: &Catalog, documents: Vec<Document>) -> Vec<Finding> {
    evaluate_kept(catalog, documents, false).0
}

/// [`evaluate`], with the evaluation results of every enabled rule on every document.
#[cfg(test)]
pub fn evaluate_with_results(
    catalog: &Catalog,
    documents: Vec<Document>,
) -> (Vec<Finding>, Vec<RuleResult>) {
    let (findings, results) = evaluate_kept(catalog, documents, true);
    (findings, results.unwrap_or_default())
}

#[cfg(test)]
fn evaluate_kept(
    catalog: &Catalog,
    documents: Vec<Document>,
    results: bool,
) -> (Vec<Finding>, Option<Vec<RuleResult>>) {
    let bound = rules::bind(catalog).expect("checks are resolved when the catalog is loaded");
    let mut plan = Plan::new(catalog, &bound, &[], None, results, &[]);
    plan.kept.insert(Target::Any);
    plan.judged_by_group.clear();
    let units = documents.into_iter().map(|doc| plan.read(doc)).collect();
    plan.finish(units, &crate::formats::NoFiles, &[])
}

/// What one rule's run gave: its findings and its marks.
type RunOutput<'c> = (&'c Rule, Vec<RawFinding>, Vec<RawMark>);

/// Indices of rules by the kind of document they apply to ([`Plan::document_rules_by_kind`]).
struct RulesByKind {
    named: HashMap<Target, Vec<usize>>,
    /// The rules for every kind (`Any`).
    any: Vec<usize>,
}

impl RulesByKind {
    fn new(rules: &[BoundRule]) -> Self {
        let for_kind = |kind: Target| -> Vec<usize> {
            (0..rules.len())
                .filter(|&i| rules[i].rule.applies_to(kind))
                .collect()
        };
        let named = rules
            .iter()
            .flat_map(|r| r.rule.targets.iter().copied())
            .filter(|&kind| kind != Target::Any)
            .collect::<HashSet<Target>>()
            .into_iter()
            .map(|kind| (kind, for_kind(kind)))
            .collect();
        let any = (0..rules.len())
            .filter(|&i| rules[i].rule.targets.contains(&Target::Any))
            .collect();
        Self { named, any }
    }

    fn of(&self, kind: Target) -> &[usize] {
        self.named.get(&kind).unwrap_or(&self.any)
    }
}

/// The per-document rules' runs on `doc` that found or marked something.
fn run_document_rules<'c: 'r, 'r, 'd, R: Iterator<Item = &'r BoundRule<'c>>>(
    catalog: &'c Catalog,
    rules: R,
    doc: &'d Document,
) -> impl Iterator<Item = RunOutput<'c>> + use<'c, 'r, 'd, R> {
    // Shared by the document's rules only, and dropped with them.
    let memo = ProjectMemo::default();
    rules.filter_map(move |rule| {
        let mut out = Emitter::sharing(catalog, &memo, &[]);
        rule.check_document(doc, &mut out);
        let (findings, marks) = out.into_parts();
        (!findings.is_empty() || !marks.is_empty()).then_some((rule.rule, findings, marks))
    })
}

/// A snippet included in several places is judged in each of them; the same finding at
/// the same place is reported once. And one rule reports at most
/// [`MAX_FINDINGS_PER_RULE_AND_FILE`] findings in one file: the last one kept says how many
/// more there were, so a hostile file of 200,000 unknown keywords costs a note, not 200,000
/// findings through every reporter.
fn drop_repeated(raw: &mut Vec<(&Rule, RawFinding)>) {
    // Sorted by place, not hashed: each finding's place is put in one list and sorted, so a
    // file's findings of one rule, and those at one span among them, come side by side, in
    // the order they were reported (two maps hashed every place with SipHash, nearly a
    // percent of a scan).
    // Judged by reference: copying every message cost a tenth of the peak. Messages are
    // compared only within one place: hashing every message cost a twentieth of a scan.
    let mut places: Vec<(usize, &str, Span, usize)> = raw
        .iter()
        .enumerate()
        .map(|(i, (rule, f))| (Arc::as_ptr(&f.source) as usize, rule.id.as_str(), f.span, i))
        .collect();
    places.sort_unstable();
    let mut keep = vec![true; raw.len()];
    // The last finding kept of a pair over the cap, and how many were left out.
    let mut told: Vec<(usize, usize)> = Vec::new();
    let mut not_repeated: Vec<usize> = Vec::new();
    for pair in places.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
        not_repeated.clear();
        for same_place in pair.chunk_by(|a, b| a.2 == b.2) {
            let mut messages: SmallVec<[&Message; 1]> = SmallVec::new();
            for &(_, _, _, i) in same_place {
                let message = &raw[i].1.message;
                if messages.contains(&message) {
                    keep[i] = false;
                } else {
                    messages.push(message);
                    not_repeated.push(i);
                }
            }
        }
        if not_repeated.len() > MAX_FINDINGS_PER_RULE_AND_FILE {
            not_repeated.sort_unstable();
            for &i in &not_repeated[MAX_FINDINGS_PER_RULE_AND_FILE..] {
                keep[i] = false;
            }
            told.push((
                not_repeated[MAX_FINDINGS_PER_RULE_AND_FILE - 1],
                not_repeated.len() - MAX_FINDINGS_PER_RULE_AND_FILE,
            ));
        }
    }
    drop(places);
    drop_and_tell(raw, keep, told);
}

/// Drops the findings `keep` says to drop; the last finding kept of each (rule, file) pair
/// over the cap (`told`: its index, and how many were left out) says what was left out.
fn drop_and_tell(raw: &mut Vec<(&Rule, RawFinding)>, keep: Vec<bool>, told: Vec<(usize, usize)>) {
    for (last, more) in told {
        let finding = &mut raw[last].1;
        finding.message = msg!(
            "{} ({} more findings of this rule in this file are not reported one by one: fix these first, then check again)",
            finding.message.clone(),
            more
        );
    }
    let mut keep = keep.into_iter();
    raw.retain(|_| keep.next().unwrap_or(true));
}

/// Most findings one rule reports in one file (see [`drop_repeated`]).
pub const MAX_FINDINGS_PER_RULE_AND_FILE: usize = 100;

/// One (rule, file) pair while results are gathered.
#[derive(Default)]
struct Tally {
    findings: usize,
    not_evaluated: Vec<String>,
    not_applicable: Vec<String>,
}

/// Every enabled rule's result on every document it applies to, every file that names it
/// in a finding or a mark, and every unchecked file of its kinds; a rule with none of
/// these is not applicable to the scan. A rule that reads a kind the producer could not
/// collect (`unseen`: a refused `ps`, unreadable crontabs) also gets a result for the
/// whole scan or host, `not_evaluated` with each failed collection as a reason: what it
/// would have judged there is unknown, so neither `pass` nor `not_applicable` is true.
fn results_of(
    bound: &[&BoundRule],
    judged: &[Judged],
    findings: &[Finding],
    marks: &[ShownMark],
    unchecked: &[Unchecked],
    unseen: &[Unseen],
) -> Vec<RuleResult> {
    // Keyed by rule id and the file's display path: an included snippet and its includer
    // are different files, and findings are shown at the file they are in.
    let mut tallies: HashMap<(&str, &str), Tally> = HashMap::new();
    for doc in judged {
        for rule in bound.iter().filter(|r| r.rule.applies_to(doc.target)) {
            let tally = tallies
                .entry((rule.rule.id.as_str(), doc.path.as_str()))
                .or_default();
            if doc.parse_errors {
                tally.not_evaluated.push(PARSE_ERRORS_REASON.to_owned());
            }
        }
    }
    for finding in findings {
        tallies
            .entry((finding.rule_id.as_str(), finding.location.path.as_str()))
            .or_default()
            .findings += 1;
    }
    for mark in marks {
        let tally = tallies
            .entry((mark.rule_id.as_str(), mark.path.as_str()))
            .or_default();
        if mark.not_evaluated {
            tally.not_evaluated.push(mark.reason.clone());
        } else {
            tally.not_applicable.push(mark.reason.clone());
        }
    }
    for (path, target, why) in unchecked {
        // Template notes already say "not checked: template (…)".
        let reason = if why.starts_with("not checked") {
            why.clone()
        } else {
            format!("not checked: {why}")
        };
        for rule in bound.iter().filter(|r| r.rule.applies_to(*target)) {
            tallies
                .entry((rule.rule.id.as_str(), path.as_str()))
                .or_default()
                .not_evaluated
                .push(reason.clone());
        }
    }
    let mut results: Vec<RuleResult> = tallies
        .into_iter()
        .map(|((rule_id, path), tally)| {
            let (status, reasons) = if tally.findings > 0 {
                (Status::Fail, Vec::new())
            } else if !tally.not_evaluated.is_empty() {
                (Status::NotEvaluated, tally.not_evaluated)
            } else if !tally.not_applicable.is_empty() {
                (Status::NotApplicable, tally.not_applicable)
            } else {
                (Status::Pass, Vec::new())
            };
            let mut result = RuleResult {
                rule_id: rule_id.to_owned(),
                path: Some(path.to_owned()),
                host: host_of(path).map(str::to_owned),
                role: None,
                status,
                findings: tally.findings,
                reasons: Vec::new(),
                reasons_left_out: 0,
            };
            for reason in reasons {
                result.add_reason(reason);
            }
            result
        })
        .collect();
    let judged: HashSet<&str> = results.iter().map(|r| r.rule_id.as_str()).collect();
    let mut blind = Vec::new();
    for rule in bound {
        let mut hidden = unseen.iter().filter(|u| rule.rule.applies_to(u.target));
        let Some(first) = hidden.next() else {
            continue;
        };
        let mut result = RuleResult {
            rule_id: rule.rule.id.clone(),
            path: None,
            host: None,
            role: None,
            status: Status::NotEvaluated,
            findings: 0,
            reasons: Vec::new(),
            reasons_left_out: 0,
        };
        for u in std::iter::once(first).chain(hidden) {
            result.add_reason(format!("not collected: {}", u.why));
        }
        blind.push(result);
    }
    let absent: Vec<RuleResult> = bound
        .iter()
        .filter(|r| !judged.contains(r.rule.id.as_str()))
        .filter(|r| !blind.iter().any(|b| b.rule_id == r.rule.id))
        .map(|r| RuleResult {
            rule_id: r.rule.id.clone(),
            path: None,
            host: None,
            role: None,
            status: Status::NotApplicable,
            findings: 0,
            reasons: vec![absent_reason(r.rule)],
            reasons_left_out: 0,
        })
        .collect();
    drop(judged);
    results.extend(absent);
    results.extend(blind);
    results.sort_by(|a, b| (&a.path, &a.rule_id).cmp(&(&b.path, &b.rule_id)));
    results
}

/// Why a rule judged nothing in a document with parse errors.
const PARSE_ERRORS_REASON: &str =
    "the file has parse errors: what could not be read was not judged";

/// Why a rule judged nothing in a scan: no file of its kinds.
fn absent_reason(rule: &Rule) -> String {
    let kinds: Vec<&str> = rule.targets.iter().map(|t| t.as_str()).collect();
    format!(
        "no file of the kinds it reads ({}) was found",
        kinds.join(", ")
    )
}

/// Moves the findings on documents built from several files (a kustomization's built
/// objects) to the files and lines their spans map to, each with a related location naming
/// the deployment; a finding at the same place of the same file from several deployments
/// (a base two overlays deploy unchanged) is reported once, naming each of them.
fn relocate_built(documents: &[Document], raw: &mut Vec<(&Rule, RawFinding)>) {
    let built: HashMap<usize, (&Arc<SourceFile>, &crate::formats::kustomize::Origins)> = documents
        .iter()
        .filter_map(|doc| {
            Some((
                Arc::as_ptr(&doc.source) as usize,
                (&doc.source, doc.origins()?),
            ))
        })
        .collect();
    if built.is_empty() {
        return;
    }
    // (rule, file, span) → the finding reported there first, and its deployment.
    let mut first: HashMap<(String, usize, Span), (usize, usize)> = HashMap::new();
    let mut keep = vec![true; raw.len()];
    for i in 0..raw.len() {
        let (rule, finding) = &mut raw[i];
        let Some((root, origins)) = built.get(&(Arc::as_ptr(&finding.source) as usize)) else {
            continue;
        };
        let locate = |span: Span| origins.locate(span).map(|(f, s)| (Arc::clone(f), s));
        let Some((file, span)) = locate(finding.span) else {
            continue;
        };
        // A chart rendered with several values files holds a deployment each.
        let (deployment, deployed) = match origins.deployment(finding.span) {
            Some(d) => (
                Arc::as_ptr(&d.file) as usize,
                Related {
                    source: Arc::clone(&d.file),
                    span: Span::new(0, 0),
                    message: d.message.clone(),
                    show_code: false,
                },
            ),
            None => (
                Arc::as_ptr(root) as usize,
                Related {
                    source: Arc::clone(root),
                    span: Span::new(0, 0),
                    message: msg!("in the deployment this kustomization builds"),
                    show_code: false,
                },
            ),
        };
        finding.message = finding.message.relocated(root, &locate);
        for related in &mut finding.related {
            if Arc::ptr_eq(&related.source, root) {
                if let Some((f, s)) = locate(related.span) {
                    related.source = f;
                    related.span = s;
                }
            }
            related.message = related.message.relocated(root, &locate);
        }
        // A chart's own files (its values) are in none of its deployments: nothing to name.
        let in_a_deployment =
            origins.deployments.is_empty() || origins.deployment(finding.span).is_some();
        let named = !rule.id.starts_with("PF") && !Arc::ptr_eq(&file, root) && in_a_deployment;
        if named {
            finding.related.push(deployed.clone());
        }
        // A secret a chart's values file set: where to change it.
        for (at, source) in &origins.value_sources {
            let overlaps = at.start < finding.span.end && finding.span.start < at.end;
            if overlaps || *at == finding.span {
                if let Some((f, s)) = locate(*source) {
                    finding.related.push(Related {
                        source: f,
                        span: s,
                        message: msg!("the value is set here, in a values file"),
                        show_code: false,
                    });
                }
            }
        }
        finding.source = file;
        finding.span = span;
        let place = (rule.id.clone(), Arc::as_ptr(&finding.source) as usize, span);
        match first.get(&place) {
            Some(&(j, other)) if other != deployment => {
                keep[i] = false;
                if named {
                    raw[j].1.related.push(deployed);
                }
            }
            Some(_) => {}
            None => {
                first.insert(place, (i, deployment));
            }
        }
    }
    let mut keep = keep.into_iter();
    raw.retain(|_| keep.next().unwrap_or(true));
}

/// What finalising needs to know about a file, computed once per file.
#[derive(Default)]
struct FileContext {
    /// Sorted, merged.
    sensitive_spans: Vec<Span>,
    suppressions: Vec<SuppressionComment>,
    /// The display path, shared by the file's findings.
    path: SharedText,
}

impl FileContext {
    fn new(doc: &Document) -> Self {
        Self::of(
            &doc.source,
            doc.sensitive().iter().map(|s| s.span),
            suppress::find(&doc.source),
        )
    }

    /// The context of a document of which reports show only `shown` (spans, with their
    /// suppressions' reasons): its secrets are looked for there, and the rest of the file
    /// is masked whole ([`Shown`]).
    fn showing(doc: &Document, shown: impl IntoIterator<Item = Span>) -> Self {
        let suppressions = suppress::find(&doc.source);
        let reasons = suppressions.iter().map(|c| c.reason_span);
        let shown = Shown::lines_of(&doc.source, shown.into_iter().chain(reasons));
        let secrets = doc.sensitive_in(&shown);
        let hidden = shown.hidden(doc.source.text.len());
        let masked = secrets.iter().map(|s| s.span).chain(hidden);
        Self::of(&doc.source, masked, suppressions)
    }

    /// The context of `source`, with its secrets at `sensitive` and its suppressions.
    fn of(
        source: &SourceFile,
        sensitive: impl IntoIterator<Item = Span>,
        suppressions: Vec<SuppressionComment>,
    ) -> Self {
        Self {
            sensitive_spans: redact::merged(sensitive),
            suppressions,
            path: SharedText::from(source.display_path.as_str()),
        }
    }
}

/// Each place findings and marks show, with its file: their places and related places,
/// and what their messages quote.
fn each_shown<'r>(
    raw: &'r [(&Rule, RawFinding)],
    marks: &'r [(&Rule, RawMark)],
) -> impl Iterator<Item = (&'r Arc<SourceFile>, Span)> + 'r {
    let findings = raw.iter().flat_map(|(_, finding)| {
        let related = finding.related.iter().flat_map(|related| {
            std::iter::once((&related.source, related.span))
                .chain(related.message.quotes(&related.source))
        });
        std::iter::once((&finding.source, finding.span))
            .chain(finding.message.quotes(&finding.source))
            .chain(related)
    });
    let marks = marks
        .iter()
        .flat_map(|(_, mark)| mark.reason.quotes(&mark.source));
    findings.chain(marks)
}

/// The spans of `file` that findings and marks show ([`each_shown`]).
fn shown_spans(
    file: &Arc<SourceFile>,
    raw: &[(&Rule, RawFinding)],
    marks: &[(&Rule, RawMark)],
) -> Vec<Span> {
    each_shown(raw, marks)
        .filter(|(of, _)| Arc::ptr_eq(of, file))
        .map(|(_, span)| span)
        .collect()
}

/// The spans findings and marks show ([`each_shown`]) of every file, by identity.
fn shown_spans_by_file(
    raw: &[(&Rule, RawFinding)],
    marks: &[(&Rule, RawMark)],
) -> ByIdentity<usize, Vec<Span>> {
    let mut shown: ByIdentity<usize, Vec<Span>> = ByIdentity::default();
    for (file, span) in each_shown(raw, marks) {
        shown
            .entry(Arc::as_ptr(file) as usize)
            .or_default()
            .push(span);
    }
    shown
}

/// The files a document shows lines of besides its own ([`Document::companions`]), by
/// identity, with their secrets.
fn companion_contexts(doc: &Document) -> Vec<(usize, FileContext)> {
    doc.companions()
        .into_iter()
        .map(|(source, sensitive)| {
            let context = FileContext::of(&source, sensitive.iter().map(|s| s.span), Vec::new());
            (Arc::as_ptr(&source) as usize, context)
        })
        .collect()
}

/// The files of the scan, by identity; a file outside it has unknown secrets and nothing
/// of it is quoted.
struct KnownFiles {
    contexts: ByIdentity<usize, FileContext>,
    /// Files no document holds any more: kept alive so their identities stay theirs.
    _alive: Vec<Arc<SourceFile>>,
}

impl KnownFiles {
    /// The files of the documents kept to the end (of which reports show `shown`, by
    /// identity: [`shown_spans_by_file`]), of the files built documents were made from,
    /// and of the files read again for fact-based findings ([`Plan::place`]).
    fn of(
        documents: &[Document],
        shown: &ByIdentity<usize, Vec<Span>>,
        read_again: ReadAgain,
    ) -> Self {
        let mut contexts: ByIdentity<usize, FileContext> = documents
            .par_iter()
            .map(|doc| {
                let file = Arc::as_ptr(&doc.source) as usize;
                let spans = shown.get(&file).into_iter().flatten().copied();
                (file, FileContext::showing(doc, spans))
            })
            .collect();
        contexts.extend(documents.iter().flat_map(companion_contexts));
        // The files built documents were made from: those the scan did not read as
        // documents get their secrets from the Kubernetes reader, and every one the secrets
        // the build put into Secrets (a `secretGenerator`'s files).
        for part in documents
            .iter()
            .filter_map(Document::origins)
            .flat_map(|o| &o.parts)
        {
            let context = contexts
                .entry(Arc::as_ptr(&part.source) as usize)
                .or_insert_with(|| {
                    if part.rendered {
                        return FileContext::of(&part.source, [], suppress::find(&part.source));
                    }
                    FileContext::new(&Document::parse_with(
                        Arc::clone(&part.source),
                        &ParseContext {
                            target: Target::Kubernetes,
                            judged_at: None,
                            files: &crate::formats::NoFiles,
                        },
                    ))
                });
            if !part.sensitive.is_empty() {
                let spans = context
                    .sensitive_spans
                    .iter()
                    .chain(&part.sensitive)
                    .copied();
                context.sensitive_spans = redact::merged(spans);
            }
        }
        let mut alive = Vec::new();
        for (source, context) in read_again {
            contexts
                .entry(Arc::as_ptr(&source) as usize)
                .or_insert(context);
            alive.push(source);
        }
        Self {
            contexts,
            _alive: alive,
        }
    }

    fn get(&self, file: &SourceFile) -> Option<&FileContext> {
        self.contexts.get(&(std::ptr::from_ref(file) as usize))
    }
}

impl Secrets for KnownFiles {
    fn spans_of(&self, file: &SourceFile) -> Option<&[Span]> {
        self.get(file).map(|c| c.sensitive_spans.as_slice())
    }
}

/// Where `span` of `source` is; the path shared with the file's other findings when the
/// file is known.
fn location(source: &SourceFile, span: Span, context: Option<&FileContext>) -> Location {
    let (start, end) = source.locate(span);
    Location {
        path: context.map_or_else(
            || SharedText::from(source.display_path.as_str()),
            |c| c.path.clone(),
        ),
        start_line: start.line,
        start_column: start.column,
        end_line: end.line,
        end_column: end.column,
    }
}

/// Most lines a snippet shows.
const SNIPPET_LINES: usize = 6;

fn snippet(source: &SourceFile, span: Span, context: Option<&FileContext>) -> Snippet {
    let first = source.lines.line_of(span.start);
    let last = source
        .lines
        .line_of(span.end.saturating_sub(1).max(span.start))
        .min(first + SNIPPET_LINES - 1);
    let start = source.lines.line_span(&source.text, first).start;
    let end = source.lines.line_span(&source.text, last).end;
    let text = &source.text[start..end];
    Snippet {
        first_line: first + 1,
        text: match context {
            Some(context) => redact::mask(text, start, &context.sensitive_spans),
            // Secrets unknown: nothing is shown.
            None => redact::mask(text, start, &[Span::new(start, end)]),
        },
    }
}

fn finalise(rule: &Rule, raw: RawFinding, files: &KnownFiles, catalog: &Catalog) -> Finding {
    let source = &raw.source;
    let context = files.get(source);
    let line = source.lines.line_of(raw.span.start);
    let render = |message: &Message, file: &SourceFile| message.render(file, files);
    let suppression = context
        .map_or(&[][..], |c| c.suppressions.as_slice())
        .iter()
        .find(|c| {
            c.target_line == line
                && !c.reason.is_empty()
                && c.rules
                    .iter()
                    .any(|r| catalog.get(r).is_some_and(|named| named.id == rule.id))
        })
        .map(|c| Suppression {
            reason: render(&Quote::at(c.reason_span).into(), source),
            line: c.line + 1,
        });
    Finding {
        rule_id: rule.id.clone(),
        severity: rule.severity,
        message: render(&raw.message, source),
        location: location(source, raw.span, context),
        related: raw
            .related
            .iter()
            .map(|related| RelatedLocation {
                location: location(&related.source, related.span, files.get(&related.source)),
                message: render(&related.message, &related.source),
                snippet: related
                    .show_code
                    .then(|| snippet(&related.source, related.span, files.get(&related.source))),
            })
            .collect(),
        snippet: snippet(source, raw.span, context),
        fingerprint: fingerprint(&rule.id, &source.display_path, &raw.key),
        suppression,
        baseline: None,
        role: crate::role::Role::Production,
        host: crate::results::host_of(&source.display_path).map(str::to_owned),
    }
}

/// `sha256(rule \0 path \0 logical key)`, hex, 32 characters. No line numbers: the
/// fingerprint survives edits above the finding.
pub fn fingerprint(rule_id: &str, path: &str, key: &str) -> String {
    let digest = Sha256::new()
        .chain_update(rule_id)
        .chain_update([0])
        .chain_update(path)
        .chain_update([0])
        .chain_update(key)
        .finalize();
    // One allocation per finding: a `String` per byte was a tenth of a scan's allocations.
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(32);
    for b in &digest[..16] {
        hex.push(char::from(DIGITS[usize::from(b >> 4)]));
        hex.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    hex
}

/// Sorts findings by file, position and rule, findings that tie keeping their order. The
/// order is sorted as indices and applied in place: a stable sort of the findings
/// themselves borrows a buffer of half of them, at the scan's peak (45 MB of 450,000
/// findings). Files are ranked first, so the sort compares numbers, not paths (long and
/// alike, `deploy/k8s/…`) read from each finding at every comparison.
fn sort_findings(findings: &mut [Finding]) {
    let ranks = path_ranks(findings);
    let key = |i: usize| {
        let at = &findings[i].location;
        (ranks[i], at.start_line, at.start_column)
    };
    let mut keyed: Vec<((u32, usize, usize), usize)> =
        (0..findings.len()).map(|i| (key(i), i)).collect();
    // Unstable, with the index last: findings that tie keep their order all the same.
    keyed.sort_unstable_by(|(a, i), (b, j)| {
        a.cmp(b)
            .then_with(|| findings[*i].rule_id.cmp(&findings[*j].rule_id))
            .then(i.cmp(j))
    });
    apply_order(findings, keyed.into_iter().map(|(_, i)| i).collect());
}

/// Each finding's file's place in the order of the files' paths. A file's findings mostly
/// come together (its rules' runs), so paths are compared once per run of one file, not
/// once per finding.
fn path_ranks(findings: &[Finding]) -> Vec<u32> {
    let path = |i: usize| findings[i].location.path.as_str();
    // The first finding of each run of one path, and each finding's run.
    let mut runs: Vec<usize> = Vec::new();
    let mut run_of: Vec<usize> = Vec::with_capacity(findings.len());
    for i in 0..findings.len() {
        if i == 0 || findings[i].location.path != findings[i - 1].location.path {
            runs.push(i);
        }
        run_of.push(runs.len() - 1);
    }
    let mut by_path: Vec<usize> = (0..runs.len()).collect();
    by_path.sort_unstable_by(|&a, &b| path(runs[a]).cmp(path(runs[b])));
    let mut rank_of_run = vec![0u32; runs.len()];
    let mut rank = 0u32;
    for (k, &run) in by_path.iter().enumerate() {
        if k > 0 && path(runs[run]) != path(runs[by_path[k - 1]]) {
            rank += 1;
        }
        rank_of_run[run] = rank;
    }
    run_of.into_iter().map(|run| rank_of_run[run]).collect()
}

/// Rearranges `items` so that position `i` holds what was at `order[i]`, cycle by cycle
/// with swaps (`order` must be a permutation; it is used up).
fn apply_order<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..items.len() {
        let mut at = start;
        // Each cycle is walked once: a visited position points at itself.
        while order[at] != start {
            let from = order[at];
            items.swap(at, from);
            order[at] = at;
            at = from;
        }
        order[at] = at;
    }
}

/// Two findings with the same rule, file and key (a check reporting one key twice) get
/// distinct fingerprints, numbered in file order.
fn make_fingerprints_unique(findings: &mut [Finding]) {
    // Sorted, not hashed: equal fingerprints come side by side, in file order, compared by
    // their first eight bytes as a number and in full only when those are equal (SipHash
    // over every fingerprint was a map entry per finding). Borrowed keys first, renamed
    // after: a copy of every fingerprint was memory growing with the findings at the
    // scan's peak.
    let mut by_fingerprint: Vec<(u64, &str, usize)> = findings
        .iter()
        .enumerate()
        .map(|(i, f)| (prefix_key(&f.fingerprint), f.fingerprint.as_str(), i))
        .collect();
    by_fingerprint.sort_unstable();
    let mut repeats: Vec<(usize, usize)> = Vec::new();
    for same in by_fingerprint.chunk_by(|a, b| a.1 == b.1) {
        repeats.extend(
            same.iter()
                .enumerate()
                .skip(1)
                .map(|(n, &(_, _, i))| (i, n)),
        );
    }
    drop(by_fingerprint);
    for (i, n) in repeats {
        let finding = &mut findings[i];
        finding.fingerprint = fingerprint(&finding.rule_id, &finding.fingerprint, &n.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Vec<Finding> {
        let catalog = Catalog::builtin().unwrap();
        let source = SourceFile::from_bytes(".env".into(), ".env".into(), text.as_bytes().to_vec());
        evaluate(&catalog, vec![Document::parse(source, Target::Env)])
    }

    /// [`drop_repeated`] as it was written first, with two hash maps: what sorting the
    /// places must keep the same.
    fn drop_repeated_by_hashing(raw: &mut Vec<(&Rule, RawFinding)>) {
        // Judged by reference: copying every message into the set cost a tenth of the peak.
        // Keyed by place, messages compared only within one place: hashing every message cost
        // a twentieth of a scan's CPU.
        // Sized for every finding at a place of its own: grown from empty, the map was
        // rehashed a dozen times on the way.
        let mut seen: HashMap<(&str, usize, Span), SmallVec<[&Message; 1]>> =
            HashMap::with_capacity(raw.len());
        // Per (rule, file): findings kept, and where the last one that may be kept is.
        let mut per_file: HashMap<(&str, usize), (usize, usize)> = HashMap::new();
        let keep: Vec<bool> = raw
            .iter()
            .enumerate()
            .map(|(i, (rule, f))| {
                let file = Arc::as_ptr(&f.source) as usize;
                let same_place = seen.entry((rule.id.as_str(), file, f.span)).or_default();
                if same_place.contains(&&f.message) {
                    return false;
                }
                same_place.push(&f.message);
                let (count, last) = per_file.entry((rule.id.as_str(), file)).or_default();
                *count += 1;
                if *count <= MAX_FINDINGS_PER_RULE_AND_FILE {
                    *last = i;
                }
                *count <= MAX_FINDINGS_PER_RULE_AND_FILE
            })
            .collect();
        drop(seen);
        // The last finding kept of a pair over the cap says what was left out.
        let told: Vec<(usize, usize)> = per_file
            .into_values()
            .filter(|(count, _)| *count > MAX_FINDINGS_PER_RULE_AND_FILE)
            .map(|(count, last)| (last, count - MAX_FINDINGS_PER_RULE_AND_FILE))
            .collect();
        drop_and_tell(raw, keep, told);
    }

    /// Repeats dropped by sorting places are those hashing them dropped, down to the note on
    /// the last finding kept over the cap: findings of three rules in three files at few
    /// places with few messages (many repeats), and rounds of one rule in one file with
    /// more findings than the cap.
    #[test]
    fn repeats_dropped_by_sorting_places_are_those_hashing_them_dropped() {
        let catalog = Catalog::builtin().unwrap();
        let rules: Vec<&Rule> = ["ENV001", "K8S001", "NGX001"]
            .iter()
            .map(|id| catalog.get(id).unwrap())
            .collect();
        let files: Vec<Arc<SourceFile>> = (0..3)
            .map(|i| {
                let name = format!("f{i}");
                Arc::new(SourceFile::from_bytes(
                    name.clone().into(),
                    name,
                    b"x\n".to_vec(),
                ))
            })
            .collect();
        let messages: [&'static str; 3] = ["a", "b", "c"];
        let mut next = numbers(7);
        let mut capped = 0;
        for round in 0..40 {
            let (pairs, len, places) = if round % 4 == 0 {
                (1, 400, 300)
            } else {
                (3, 80, 6)
            };
            let raw: Vec<(&Rule, RawFinding)> = (0..len)
                .map(|_| {
                    let start = next(places);
                    let finding = RawFinding {
                        source: Arc::clone(&files[next(pairs)]),
                        span: Span::new(start, start + 1 + next(2)),
                        key: String::new(),
                        message: messages[next(3)].into(),
                        related: Vec::new(),
                    };
                    (rules[next(pairs)], finding)
                })
                .collect();
            let (mut sorted, mut hashed) = (raw.clone(), raw);
            drop_repeated(&mut sorted);
            drop_repeated_by_hashing(&mut hashed);
            let seen = |raw: &[(&Rule, RawFinding)]| -> Vec<(String, usize, Span, Message)> {
                raw.iter()
                    .map(|(rule, f)| {
                        let file = Arc::as_ptr(&f.source) as usize;
                        (rule.id.clone(), file, f.span, f.message.clone())
                    })
                    .collect()
            };
            assert_eq!(seen(&sorted), seen(&hashed), "round {round}");
            capped += usize::from(sorted.len() < 150 && round % 4 == 0);
        }
        // The cap was reached, so its note was compared too.
        assert!(capped > 0);
    }

    /// A file's context for a report showing some of its lines masks the secrets there, and
    /// everything of the lines it does not show: a frame or quote reaching there shows
    /// nothing, whatever it holds.
    #[test]
    fn a_file_context_masks_the_lines_it_does_not_show() {
        let lines = [
            "apiVersion: v1",
            "kind: ConfigMap",
            "metadata:",
            "  name: db",
            "data:",
            "  DB_PASSWORD: QZCANARY-one-9f8e7d",
            "  API_TOKEN: QZCANARY-two-1a2b3c",
            "  LOG_LEVEL: info",
        ];
        let text = lines.join("\n");
        let source = SourceFile::from_bytes("s.yaml".into(), "s.yaml".into(), text.clone().into());
        let doc = Document::parse(source, Target::Kubernetes);
        let line = |n: usize| doc.source.lines.line_span(&text, n);
        for shown in [vec![line(5)], vec![line(3), line(7)]] {
            let context = FileContext::showing(&doc, shown.clone());
            let masked = redact::mask(&text, 0, &context.sensitive_spans);
            let expected: Vec<String> = lines
                .iter()
                .enumerate()
                .map(|(n, written)| match written.split_once(": QZCANARY") {
                    Some((key, _)) if shown.contains(&line(n)) => {
                        format!("{key}: {}", "*".repeat(written.len() - key.len() - 2))
                    }
                    _ if shown.contains(&line(n)) => (*written).to_owned(),
                    _ => "*".repeat(written.len()),
                })
                .collect();
            assert_eq!(masked, expected.join("\n"), "{shown:?}");
        }
    }

    /// The documents a scan keeps to the end: only those a project check reads together or
    /// their format relates; every other document is evaluated at once and dropped, keeping
    /// its findings and, for fact-based checks, its facts (which name files, not hold them).
    #[test]
    fn only_documents_read_together_are_kept() {
        let catalog = Catalog::builtin().unwrap();
        let bound = rules::bind(&catalog).unwrap();
        let plan = Plan::new(&catalog, &bound, &[Target::Nginx], None, false, &[]);
        let read = |name: &str, target: Target, text: &str| {
            let source = SourceFile::from_bytes(name.into(), name.into(), text.as_bytes().to_vec());
            plan.read(Document::parse(source, target))
        };
        let env_text = "DEBUG=true\nDB_PASSWORD=hunter2hunter2\n";
        let env_file = Arc::new(SourceFile::from_bytes(
            ".env".into(),
            ".env".into(),
            env_text.as_bytes().to_vec(),
        ));
        let context = ParseContext {
            target: Target::Env,
            judged_at: None,
            files: &crate::formats::NoFiles,
        };
        let env = plan.read(Document::parse_with(Arc::clone(&env_file), &context));
        assert!(env.document.is_none());
        assert!(env.findings.iter().any(|f| f.rule_id == "ENV001"));
        // ENV014's digests and ENV015/ENV016's file name are kept, but not the text: a
        // finding of theirs reads the file again.
        assert!(!env.facts.is_empty());
        assert_eq!(
            Arc::strong_count(&env_file),
            1,
            "only this test holds the text"
        );
        let compose = read(
            "compose.yaml",
            Target::Compose,
            "services:\n  web:\n    image: nginx:1.27\n",
        );
        assert!(
            compose.document.is_none() && compose.facts.is_empty() && compose.reparse.is_none()
        );
        // nginx relates its files: one with an `include` is kept as a file, judged at the
        // end; one without is judged alone, its file kept in case an include reaches it.
        let main = read(
            "nginx.conf",
            Target::Nginx,
            "events {}\nhttp {\n    server_tokens off;\n    include conf.d/*.conf;\n}\n",
        );
        assert!(main.findings.is_empty() && main.reparse.as_ref().is_some_and(|r| !r.if_named));
        let site = read("site.conf", Target::Nginx, "server { listen 80; }\n");
        assert!(site.document.is_none() && site.reparse.as_ref().is_some_and(|r| r.if_named));
        // Django settings are judged with what they star-import: one that imports nothing
        // is judged alone at once (its file kept in case another imports it), one that
        // imports is kept as a file, judged at the end with its group. Neither is kept whole.
        let settings = read("settings.py", Target::Django, "DEBUG = True\n");
        assert!(
            settings.document.is_none() && settings.reparse.as_ref().is_some_and(|r| r.if_named)
        );
        assert!(settings.findings.iter().any(|f| f.rule_id == "DJ001"));
        let production = read(
            "settings/production.py",
            Target::Django,
            "from .base import *\nDEBUG = True\n",
        );
        assert!(production.findings.is_empty() && production.document.is_none());
        assert!(production
            .reparse
            .as_ref()
            .is_some_and(|r| !r.if_named && r.names == [".base"]));
        // Kept documents are judged at the end, fact-based checks from every document.
        let (findings, _) = plan.finish(
            vec![env, compose, main, site, settings, production],
            &crate::formats::NoFiles,
            &[],
        );
        for id in ["ENV001", "DJ001"] {
            assert!(
                findings.iter().any(|f| f.rule_id == id),
                "{id}: {findings:?}"
            );
        }
    }

    /// Files edited once read: every read after a path's first gives `after`'s text, as if
    /// the file changed during the scan.
    struct EditedAfterReading {
        before: crate::formats::MemoryFiles,
        after: crate::formats::MemoryFiles,
        read: std::sync::Mutex<HashSet<PathBuf>>,
    }

    impl EditedAfterReading {
        fn new(before: &[(&str, &str)], after: &[(&str, &str)]) -> Self {
            let files = |texts: &[(&str, &str)]| {
                let mut files = crate::formats::MemoryFiles::new("");
                for (path, text) in texts {
                    files.insert(*path, text.as_bytes().to_vec());
                }
                files
            };
            Self {
                before: files(before),
                after: files(after),
                read: std::sync::Mutex::default(),
            }
        }
    }

    impl Files for EditedAfterReading {
        fn read(&self, path: &Path) -> Result<SourceFile, Unreadable> {
            let first = self.read.lock().unwrap().insert(path.to_path_buf());
            if first {
                self.before.read(path)
            } else {
                self.after.read(path)
            }
        }
        fn is_file(&self, path: &Path) -> bool {
            self.before.is_file(path)
        }
        fn is_dir(&self, path: &Path) -> bool {
            self.before.is_dir(path)
        }
        fn list(&self, dir: &Path) -> Option<Vec<String>> {
            self.before.list(dir)
        }
        fn display(&self, path: &Path) -> String {
            self.before.display(path)
        }
    }

    fn scan_files(view: &dyn Files, paths: &[&str]) -> Vec<Finding> {
        scan_outcome(view, paths, false).findings
    }

    fn scan_outcome(view: &dyn Files, paths: &[&str], results: bool) -> ScanOutcome {
        let catalog = Catalog::builtin().unwrap();
        let files = paths
            .iter()
            .map(|path| {
                let kind = crate::document::classify(Path::new(path)).unwrap();
                Input::new(path.into(), kind)
            })
            .collect();
        let inputs = Inputs {
            files,
            entry_points: Vec::new(),
            view,
            judged_at: None,
            diagnostics: Vec::new(),
            unseen: Vec::new(),
            results,
        };
        run(inputs, &catalog)
    }

    /// Django settings judged group by group (a module with what it star-imports, read
    /// again at the end; a module importing nothing judged at once, again with its importer
    /// if one turns out to import it) give what judging all modules together gives:
    /// findings, related locations and every rule's result. An absolute import two
    /// projects could satisfy leads to the first module in the scan's order either way.
    #[test]
    fn django_settings_judged_by_group_as_all_together() {
        let texts = [
            (
                "a/config/settings/base.py",
                "DEBUG = True\nSECRET_KEY = 'short'\nALLOWED_HOSTS = ['*']\n",
            ),
            (
                "a/config/settings/production.py",
                "from .base import *\nDEBUG = False\n",
            ),
            (
                "a/config/settings/dev.py",
                "from .base import *\nDEBUG = True\n",
            ),
            (
                "b/config/settings/base.py",
                "DEBUG = False\nSECRET_KEY = 'other'\nMIDDLEWARE = []\n",
            ),
            (
                "b/config/settings/production.py",
                "from config.settings.base import *\nSESSION_COOKIE_SECURE = True\n",
            ),
            ("c/settings.py", "DEBUG = True\nSECRET_KEY = 'x'\n"),
            ("d/settings/__init__.py", "from .common import *\n"),
            ("d/settings/common.py", "DEBUG = True\nSECRET_KEY = 'y'\n"),
        ];
        let view = EditedAfterReading::new(&texts, &texts);
        let paths: Vec<&str> = texts.iter().map(|(path, _)| *path).collect();
        let grouped = scan_outcome(&view, &paths, true);
        let documents = texts
            .iter()
            .map(|&(path, text)| {
                let source = SourceFile::from_bytes(path.into(), path.into(), text.into());
                Document::parse(source, Target::Django)
            })
            .collect();
        let (together, results) = evaluate_with_results(&Catalog::builtin().unwrap(), documents);
        assert_eq!(grouped.findings, together);
        assert_eq!(grouped.results.unwrap(), results);
        // b's production module inherits from a's base, the first `config/settings/base.py`.
        assert!(together.iter().any(|f| {
            f.location.path == "b/config/settings/production.py"
                && f.related
                    .iter()
                    .any(|r| r.location.path == "a/config/settings/base.py")
        }));
        for judged in [
            "a/config/settings/production.py",
            "c/settings.py",
            "d/settings/__init__.py",
        ] {
            assert!(
                together.iter().any(|f| f.location.path == judged),
                "{judged}"
            );
        }
    }

    const SHARED_SECRET: &str = "Zq8vN2pL7xR4tW9mK3jH6gF1dS5aB0cE";

    /// The one ENV014 finding of `findings`, asserted to be in `worker/.env` at (line,
    /// column) `at`, naming its secret as `label`.
    fn reuse_in_worker<'f>(
        findings: &'f [Finding],
        at: (usize, usize),
        label: &str,
    ) -> &'f Finding {
        let reused: Vec<&Finding> = findings.iter().filter(|f| f.rule_id == "ENV014").collect();
        assert_eq!(reused.len(), 1, "{findings:#?}");
        let finding = reused[0];
        assert_eq!(finding.location.path, "worker/.env");
        assert_eq!(
            (finding.location.start_line, finding.location.start_column),
            at
        );
        assert_eq!(
            finding.message,
            format!("{label} has the same value as `JWT_SECRET` in `app/.env`; every environment needs its own secrets")
        );
        finding
    }

    /// A fact-based finding (ENV014, a secret two files share) lands in files the scan no
    /// longer holds: each is read and parsed again, so the finding has its place, its
    /// masked snippet, its suppression and its quotes from the other file.
    #[test]
    fn fact_findings_read_their_files_again() {
        let first = format!("# deployed\nJWT_SECRET={SHARED_SECRET}\n");
        let later = format!(
            "PORT=8080\n# preflight: ignore[ENV014] rotated together\nSESSION_SECRET={SHARED_SECRET}\n"
        );
        let texts = [
            ("app/.env", first.as_str()),
            ("worker/.env", later.as_str()),
        ];
        let view = EditedAfterReading::new(&texts, &texts);
        let findings = scan_files(&view, &["app/.env", "worker/.env"]);
        let finding = reuse_in_worker(&findings, (3, 16), "`SESSION_SECRET`");
        assert_eq!(finding.snippet.first_line, 3);
        assert!(finding.snippet.text.starts_with("SESSION_SECRET="));
        assert_eq!(
            finding
                .suppression
                .as_ref()
                .map(|s| (s.reason.as_str(), s.line)),
            Some(("rotated together", 2))
        );
        let related = &finding.related[0];
        assert_eq!(
            (related.location.path.as_str(), related.location.start_line),
            ("app/.env", 2)
        );
        assert_eq!(related.message, "`JWT_SECRET` is set here");
        let shown = format!("{findings:?}");
        assert!(!shown.contains(SHARED_SECRET), "{shown}");
    }

    /// A file changed between its reading and its finding: the finding stays (the gate
    /// still fails), at the file's start, and nothing of the changed file is quoted.
    #[test]
    fn fact_findings_in_a_file_changed_during_the_scan_quote_nothing_of_it() {
        let first = format!("JWT_SECRET={SHARED_SECRET}\n");
        let later = format!("PORT=8080\nSESSION_SECRET={SHARED_SECRET}\n");
        let before = [
            ("app/.env", first.as_str()),
            ("worker/.env", later.as_str()),
        ];
        let after = [("app/.env", first.as_str()), ("worker/.env", "PORT=1\n")];
        let findings = scan_files(
            &EditedAfterReading::new(&before, &after),
            &["app/.env", "worker/.env"],
        );
        let finding = reuse_in_worker(&findings, (1, 1), "`[hidden]`");
        assert_eq!(finding.snippet.text, "");
    }

    /// Findings ranked by file are in the order of comparing their paths: by file, line,
    /// column and rule, ties keeping their order; a file's findings come in runs, some
    /// texts held apart (two runs of one file) and some shared.
    #[test]
    fn findings_sorted_by_file_rank_are_in_path_order() {
        let paths: Vec<SharedText> = ["b/x", "a/y", "a/y/z", "a-y", "b/x"]
            .into_iter()
            .map(SharedText::from)
            .collect();
        let rules = ["K8S001", "ENV001", "K8S001"];
        let mut next = numbers(11);
        for _ in 0..30 {
            let mut findings: Vec<Finding> = Vec::new();
            while findings.len() < 300 {
                // A run of one path's findings (the same text), as rules' runs give them.
                let path = paths[next(paths.len())].clone();
                for _ in 0..=next(6) {
                    let message = format!("finding {}", findings.len());
                    let at = (next(4), next(3));
                    let rule = rules[next(3)];
                    findings.push(finding_at(&path, at, rule, message, String::new()));
                }
            }
            let mut expected = findings.clone();
            fn at(f: &Finding) -> (&str, usize, usize, &str) {
                let l = &f.location;
                (l.path.as_str(), l.start_line, l.start_column, &f.rule_id)
            }
            expected.sort_by(|a, b| at(a).cmp(&at(b)));
            sort_findings(&mut findings);
            let messages = |f: &[Finding]| f.iter().map(|f| f.message.clone()).collect::<Vec<_>>();
            assert_eq!(messages(&findings), messages(&expected));
        }
    }

    /// Repeated fingerprints are numbered in file order, as a map counting them numbered
    /// them: fingerprints alike in their first eight bytes and apart after, short ones, and
    /// runs of one repeated.
    #[test]
    fn repeated_fingerprints_are_numbered_in_file_order() {
        let texts = [
            "0123456789abcdef",
            "0123456789abcdeX",
            "01234567",
            "0123",
            "",
            "zz",
        ];
        let mut next = numbers(5);
        for _ in 0..20 {
            let file = SharedText::from("f");
            let mut findings: Vec<Finding> = (0..60)
                .map(|i| {
                    let print = texts[next(texts.len())].to_owned();
                    finding_at(&file, (1, 1), "ENV001", i.to_string(), print)
                })
                .collect();
            let mut expected = findings.clone();
            let mut seen: HashMap<String, usize> = HashMap::new();
            for finding in &mut expected {
                let n = seen.entry(finding.fingerprint.clone()).or_insert(0);
                if *n > 0 {
                    finding.fingerprint =
                        fingerprint(&finding.rule_id, &finding.fingerprint, &n.to_string());
                }
                *n += 1;
            }
            make_fingerprints_unique(&mut findings);
            let prints =
                |f: &[Finding]| f.iter().map(|f| f.fingerprint.clone()).collect::<Vec<_>>();
            assert_eq!(prints(&findings), prints(&expected));
        }
    }

    /// Numbers below `n`, pseudo-random from `seed` (the same every run), for tests that
    /// compare two ways of doing one thing on many inputs.
    fn numbers(seed: u64) -> impl FnMut(usize) -> usize {
        let mut state = seed;
        move |n| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            usize::try_from(state >> 33).unwrap() % n
        }
    }

    /// A finding of `rule_id` at `line` and `column` of `path`, told apart by `message`.
    fn finding_at(
        path: &SharedText,
        (line, column): (usize, usize),
        rule_id: &str,
        message: String,
        fingerprint: String,
    ) -> Finding {
        Finding {
            rule_id: rule_id.into(),
            severity: crate::policy::Severity::Low,
            message,
            location: crate::finding::Location {
                path: path.clone(),
                start_line: line,
                start_column: column,
                end_line: line,
                end_column: column,
            },
            related: Vec::new(),
            snippet: Snippet {
                first_line: line,
                text: String::new(),
            },
            fingerprint,
            suppression: None,
            baseline: None,
            role: crate::role::Role::Production,
            host: None,
        }
    }

    /// Findings are put in order in place: each position gets the item the order names,
    /// whatever the cycles of the permutation (fixed points, one long cycle, many short).
    #[test]
    fn an_order_is_applied_in_place() {
        let n = 200;
        let orders: Vec<Vec<usize>> = vec![
            (0..n).collect(),
            (0..n).rev().collect(),
            (0..n).map(|i| (i + 1) % n).collect(),
            (0..n).map(|i| (i * 7 + 3) % n).collect(),
            (0..n).map(|i| i ^ 1).collect(),
        ];
        for order in orders {
            let old: Vec<String> = (0..n).map(|i| format!("item {i}")).collect();
            let mut items = old.clone();
            apply_order(&mut items, order.clone());
            let expected: Vec<&String> = order.iter().map(|&i| &old[i]).collect();
            assert_eq!(items.iter().collect::<Vec<_>>(), expected);
        }
    }

    #[test]
    fn fingerprint_survives_lines_added_above() {
        let before = check("JWT_SECRET=changeme\n");
        let after = check("# a comment\nPORT=1\n\nJWT_SECRET=changeme\n");
        let pick = |f: &[Finding]| f.iter().find(|f| f.rule_id == "ENV010").unwrap().clone();
        assert_eq!(pick(&before).fingerprint, pick(&after).fingerprint);
        assert_ne!(
            pick(&before).location.start_line,
            pick(&after).location.start_line
        );
    }

    #[test]
    fn secrets_are_masked_in_snippets_and_scrubbed_from_messages() {
        let findings = check("SESSION_SECRET=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n");
        let weak = findings.iter().find(|f| f.rule_id == "ENV013").unwrap();
        assert!(!weak.snippet.text.contains("aaaa"), "{}", weak.snippet.text);
        assert!(!weak.message.contains("aaaa"), "{}", weak.message);
        assert_eq!(weak.location.start_column, 16);
    }

    #[test]
    fn suppression_with_reason_is_recorded_not_dropped() {
        let findings = check("DEBUG=true # preflight: ignore[ENV001] staging box without users\n");
        let debug = findings.iter().find(|f| f.rule_id == "ENV001").unwrap();
        assert_eq!(
            debug.suppression.as_ref().unwrap().reason,
            "staging box without users"
        );
        assert!(!findings.iter().any(|f| f.rule_id == "PF002"));
    }

    #[test]
    fn suppression_without_reason_is_not_applied_and_reported() {
        let findings = check("DEBUG=true # preflight: ignore[ENV001]\n");
        assert!(findings
            .iter()
            .any(|f| f.rule_id == "ENV001" && f.is_active()));
        assert!(findings.iter().any(|f| f.rule_id == "PF002"));
    }

    // Every rule example gives its documented result (next to the findings test of the
    // same examples in src/rules/registry.rs).

    /// The result the engine records for `rule` on `text`, read as a file of the rule's
    /// first kind and judged by the rule alone (the catalog enables only it).
    fn result_of(rule: &Rule, text: &str) -> (crate::results::Status, Vec<String>) {
        let target = match rule.targets[0] {
            Target::Any => Target::Env,
            other => other,
        };
        let name = target.example_file_name();
        let (_folder, doc) = discover::example_document(target, text);
        let docs = vec![doc];
        let mut catalog = Catalog::builtin().unwrap();
        catalog.select(std::slice::from_ref(&rule.id), &[]).unwrap();
        let (_, results) = evaluate_with_results(&catalog, docs);
        let mine: Vec<_> = results
            .iter()
            .filter(|r| r.rule_id == rule.id && r.path.as_deref() == Some(name))
            .collect();
        assert_eq!(
            mine.len(),
            1,
            "{}: one result for {name}: {results:?}",
            rule.id
        );
        (mine[0].status, mine[0].reasons.clone())
    }

    /// Passing examples whose value only the runtime knows, so the rule cannot judge them
    /// (rule, example number from 1, why). Each must give exactly `not_evaluated`, so the
    /// list cannot go stale; every other passing example must give `pass`.
    const PASS_NOT_EVALUATED: &[(&str, usize, &str)] = &[
        (
            "DJ002",
            1,
            "the remediation itself: a key read from the environment, whose strength only the deployment knows",
        ),
        (
            "NGX019",
            3,
            "a snippet the example includes but does not hold may add the header: judged when it is scanned too",
        ),
        (
            "LIVE012",
            3,
            "a container's process list: its clock is the host kernel's, judged on the host",
        ),
        (
            "LIVE014",
            2,
            "a container's process list: its audit subsystem is the host kernel's, judged on the host",
        ),
    ];

    /// A document meets the rules that apply to its kind, every one of them, in catalog
    /// order, whichever kinds the rules name (a kind no rule names gets the rules for any).
    #[test]
    fn a_document_meets_exactly_the_rules_for_its_kind() {
        let catalog = Catalog::builtin().unwrap();
        let rules = crate::rules::bind(&catalog).unwrap();
        let by_kind = RulesByKind::new(&rules);
        let mut kinds: Vec<Target> = rules.iter().flat_map(|r| r.rule.targets.clone()).collect();
        kinds.extend([Target::Any, Target::EnvExample, Target::EnvDev]);
        for kind in kinds {
            let applying: Vec<usize> = (0..rules.len())
                .filter(|&i| rules[i].rule.applies_to(kind))
                .collect();
            assert_eq!(by_kind.of(kind), applying, "{kind:?}");
        }
        let only_some: Vec<BoundRule> = rules
            .iter()
            .copied()
            .filter(|r| !r.rule.targets.contains(&Target::Nginx))
            .collect();
        let by_kind = RulesByKind::new(&only_some);
        let for_any: Vec<usize> = (0..only_some.len())
            .filter(|&i| only_some[i].rule.targets.contains(&Target::Any))
            .collect();
        assert!(!for_any.is_empty());
        assert_eq!(by_kind.of(Target::Nginx), for_any);
    }

    #[test]
    fn every_rule_example_gives_the_documented_result() {
        use crate::results::Status;
        let catalog = Catalog::builtin().unwrap();
        let mut failures = Vec::new();
        for rule in catalog.all() {
            for (expected, list) in [
                (Status::Fail, &rule.examples.fail),
                (Status::Pass, &rule.examples.pass),
            ] {
                for (n, text) in list.iter().enumerate() {
                    let by_design = PASS_NOT_EVALUATED
                        .iter()
                        .any(|(id, at, _)| *id == rule.id && *at == n + 1);
                    let expected = if expected == Status::Pass && by_design {
                        Status::NotEvaluated
                    } else {
                        expected
                    };
                    let (status, reasons) = result_of(rule, text);
                    if status != expected {
                        failures.push(format!(
                            "{}: {status} instead of {expected} ({reasons:?}) for:\n{text}",
                            rule.id
                        ));
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    }

    #[test]
    fn values_unknown_statically_are_not_evaluated() {
        use crate::results::Status;
        let catalog = Catalog::builtin().unwrap();
        let cases = [
            (
                "DJ001",
                "import os\nDEBUG = os.environ[\"DJANGO_DEBUG\"]\nSECRET_KEY = os.environ[\"K\"]\n",
                "DEBUG is unknown statically",
            ),
            (
                "DJ009",
                "import os\nMIDDLEWARE = os.environ[\"M\"].split(\",\")\n",
                "MIDDLEWARE is unknown statically",
            ),
            (
                "DJ002",
                "import os\nDEBUG = False\nSECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]\n",
                "SECRET_KEY is unknown statically",
            ),
        ];
        for (id, text, reason) in cases {
            let rule = catalog.get(id).unwrap();
            let (status, reasons) = result_of(rule, text);
            assert_eq!(status, Status::NotEvaluated, "{id}: {reasons:?}");
            assert!(
                reasons.iter().any(|r| r.starts_with(reason)),
                "{id}: {reasons:?}"
            );
        }
        // nginx: a certificate an include that cannot be followed may set.
        let site = "http {\n    include /etc/nginx/snippets/tls.conf;\n    server {\n        listen 443 ssl;\n        server_name shop.example.com;\n    }\n}\n";
        let (status, reasons) = result_of(catalog.get("NGX015").unwrap(), site);
        assert_eq!(status, Status::NotEvaluated, "{reasons:?}");
        assert!(
            reasons[0].starts_with("an `include` that was not followed"),
            "{reasons:?}"
        );
        // Compose: a database port published on an address only the environment knows.
        let compose = "services:\n  db:\n    image: postgres:16\n    ports:\n      - \"${DB_BIND}:5432:5432\"\n";
        let (status, reasons) = result_of(catalog.get("CMP001").unwrap(), compose);
        assert_eq!(status, Status::NotEvaluated, "{reasons:?}");
        // PM2: NODE_ENV computed in the process file.
        let pm2 = "module.exports = { apps: [{ name: 'api', script: 'server.js', env: { NODE_ENV: process.env.MODE } }] };\n";
        let (status, reasons) = result_of(catalog.get("NODE005").unwrap(), pm2);
        assert_eq!(status, Status::NotEvaluated, "{reasons:?}");
        // Known values are judged: the same rule passes.
        let (status, _) = result_of(
            catalog.get("DJ001").unwrap(),
            "DEBUG = False\nSECRET_KEY = 'x'\n",
        );
        assert_eq!(status, Status::Pass);
    }
}
