//! The pipeline in one place: discover → read → parse → evaluate → finalise.
//!
//! Finalising is where cross-cutting guarantees live, so no rule can forget them: exact
//! locations, secrets masked in snippets and scrubbed from messages, inline suppressions,
//! and fingerprints that do not depend on line numbers.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use globset::GlobSet;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::discover::{self, WalkOptions};
use crate::document::Document;
use crate::finding::{
    Diagnostic, DiagnosticKind, Finding, Location, RelatedLocation, Snippet, Suppression,
};
use crate::includes;
use crate::policy::{Catalog, Rule};
use crate::redact::{self, Scrubber};
use crate::rules::{self, BoundRule, Emitter, RawFinding};
use crate::source::{SourceFile, Span};
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
}

/// Scans `paths` with the enabled rules of `catalog`.
pub fn scan(
    paths: &[std::path::PathBuf],
    options: &WalkOptions,
    excludes: &GlobSet,
    catalog: &Catalog,
) -> ScanOutcome {
    let (candidates, mut diagnostics) = discover::discover(paths, options, excludes);
    let read: Vec<Option<Result<Document, Diagnostic>>> = candidates
        .par_iter()
        .map(|c| match discover::read(c, options.max_file_size) {
            // A name-based guess the content does not confirm is simply not ours.
            Ok(source)
                if c.kind.confirm_by_content
                    && !Document::may_confirm(c.kind.target, &source.text) =>
            {
                None
            }
            Ok(source) => {
                let doc = Document::parse(source, c.kind.target);
                if !c.kind.confirm_by_content || doc.confirms_kind() {
                    Some(match doc.not_checked() {
                        Some(reason) => Err(Diagnostic {
                            path: doc.source.display_path.clone(),
                            kind: DiagnosticKind::Template,
                            message: reason.to_owned(),
                        }),
                        None => Ok(doc),
                    })
                } else {
                    None
                }
            }
            Err(problem) => Some(Err(problem)),
        })
        .collect();
    let mut documents = Vec::with_capacity(read.len());
    for result in read.into_iter().flatten() {
        match result {
            Ok(doc) => documents.push(doc),
            Err(problem) => diagnostics.push(problem),
        }
    }
    diagnostics.sort_by(|a, b| a.path.cmp(&b.path));
    includes::resolve(&mut documents);
    ScanOutcome {
        findings: evaluate(catalog, &documents),
        files_checked: documents.len(),
        diagnostics,
    }
}

/// Runs every enabled rule on `documents` and finalises the findings.
pub fn evaluate(catalog: &Catalog, documents: &[Document]) -> Vec<Finding> {
    let bound = rules::bind(catalog).expect("checks are resolved when the catalog is loaded");
    let (project_rules, document_rules): (Vec<&BoundRule>, Vec<&BoundRule>) =
        bound.iter().partition(|r| r.is_project());
    let mut raw: Vec<(&Rule, RawFinding)> = documents
        .par_iter()
        .flat_map_iter(|doc| {
            document_rules.iter().flat_map(move |rule| {
                let mut out = Emitter::new(catalog);
                rule.check_document(doc, &mut out);
                out.into_findings().into_iter().map(move |f| (rule.rule, f))
            })
        })
        .collect();
    let project_findings: Vec<(&Rule, RawFinding)> = project_rules
        .par_iter()
        .flat_map_iter(|rule| {
            let mut out = Emitter::new(catalog);
            rule.check_project(documents, &mut out);
            out.into_findings().into_iter().map(move |f| (rule.rule, f))
        })
        .collect();
    raw.extend(project_findings);
    // A snippet included in several places is judged in each of them; the same finding at
    // the same place is reported once.
    let mut seen = HashSet::new();
    raw.retain(|(rule, f)| {
        seen.insert((
            rule.id.clone(),
            Arc::as_ptr(&f.source) as usize,
            f.span,
            f.message.clone(),
        ))
    });

    let contexts: HashMap<usize, FileContext> = documents
        .par_iter()
        .map(|doc| (Arc::as_ptr(&doc.source) as usize, FileContext::new(doc)))
        .collect();
    let empty = FileContext::default();
    let mut findings: Vec<Finding> = raw
        .into_iter()
        .map(|(rule, f)| {
            let context = contexts
                .get(&(Arc::as_ptr(&f.source) as usize))
                .unwrap_or(&empty);
            finalise(rule, f, context, catalog)
        })
        .collect();
    make_fingerprints_unique(&mut findings);
    findings.sort_by(|a, b| {
        (
            &a.location.path,
            a.location.start_line,
            a.location.start_column,
            &a.rule_id,
        )
            .cmp(&(
                &b.location.path,
                b.location.start_line,
                b.location.start_column,
                &b.rule_id,
            ))
    });
    findings
}

/// What finalising needs to know about a file, computed once per file.
#[derive(Default)]
struct FileContext {
    sensitive_spans: Vec<Span>,
    scrubber: Scrubber,
    suppressions: Vec<SuppressionComment>,
}

impl FileContext {
    fn new(doc: &Document) -> Self {
        let sensitive = doc.sensitive();
        let secrets = sensitive
            .iter()
            .flat_map(|s| [s.value.clone(), doc.source.slice(s.span).to_owned()])
            .collect();
        Self {
            sensitive_spans: sensitive.iter().map(|s| s.span).collect(),
            scrubber: Scrubber::new(secrets),
            suppressions: suppress::find(&doc.source),
        }
    }
}

fn location(source: &SourceFile, span: Span) -> Location {
    let (start, end) = source.locate(span);
    Location {
        path: source.display_path.clone(),
        start_line: start.line,
        start_column: start.column,
        end_line: end.line,
        end_column: end.column,
    }
}

/// Most lines a snippet shows.
const SNIPPET_LINES: usize = 6;

fn snippet(source: &SourceFile, span: Span, context: &FileContext) -> Snippet {
    let first = source.lines.line_of(span.start);
    let last = source
        .lines
        .line_of(span.end.saturating_sub(1).max(span.start))
        .min(first + SNIPPET_LINES - 1);
    let start = source.lines.line_span(&source.text, first).start;
    let end = source.lines.line_span(&source.text, last).end;
    Snippet {
        first_line: first + 1,
        text: context.scrubber.mask(&redact::mask(
            &source.text[start..end],
            start,
            &context.sensitive_spans,
        )),
    }
}

fn finalise(rule: &Rule, raw: RawFinding, context: &FileContext, catalog: &Catalog) -> Finding {
    let source = &raw.source;
    let line = source.lines.line_of(raw.span.start);
    let suppression = context
        .suppressions
        .iter()
        .find(|c| {
            c.target_line == line
                && !c.reason.is_empty()
                && c.rules
                    .iter()
                    .any(|r| catalog.get(r).is_some_and(|named| named.id == rule.id))
        })
        .map(|c| Suppression {
            reason: context.scrubber.scrub(&c.reason),
            line: c.line + 1,
        });
    Finding {
        rule_id: rule.id.clone(),
        severity: rule.severity,
        message: context.scrubber.scrub(&raw.message),
        location: location(source, raw.span),
        related: raw
            .related
            .iter()
            .map(|(file, span, message)| RelatedLocation {
                location: location(file, *span),
                message: context.scrubber.scrub(message),
            })
            .collect(),
        snippet: snippet(source, raw.span, context),
        fingerprint: fingerprint(&rule.id, &source.display_path, &raw.key),
        suppression,
        baseline: None,
    }
}

/// `sha256(rule \0 path \0 logical key)`, hex, 32 characters. No line numbers: the
/// fingerprint survives edits above the finding.
pub fn fingerprint(rule_id: &str, path: &str, key: &str) -> String {
    let digest = Sha256::digest(format!("{rule_id}\0{path}\0{key}").as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// Two findings with the same rule, file and key (a check reporting one key twice) get
/// distinct fingerprints, numbered in file order.
fn make_fingerprints_unique(findings: &mut [Finding]) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for finding in findings.iter_mut() {
        let n = seen.entry(finding.fingerprint.clone()).or_insert(0);
        if *n > 0 {
            finding.fingerprint =
                fingerprint(&finding.rule_id, &finding.fingerprint, &n.to_string());
        }
        *n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::Target;

    fn check(text: &str) -> Vec<Finding> {
        let catalog = Catalog::builtin().unwrap();
        let source = SourceFile::from_bytes(".env".into(), ".env".into(), text.as_bytes().to_vec());
        evaluate(&catalog, &[Document::parse(source, Target::Env)])
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
}
