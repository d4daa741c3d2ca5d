//! The bodies of the fuzz targets in `fuzz/` (cargo-fuzz), kept in the library so that the
//! integration tests run the very same functions over every fixture and every crash
//! reproducer under `tests/data/fuzz/`: a fix cannot pass the test and still crash the
//! fuzzer, or the reverse.
//!
//! Scanned files are attacker-controlled (issue 15, "untrusted input"): every parser must
//! return on any bytes, in bounded time and memory, and so must the whole pipeline down to
//! every reporter. These functions panic only where the code under test does, or where one
//! of the few invariants they check (spans inside the text, reports that parse) breaks.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::discover::Input;
use crate::document::{classify, may_confirm, relate, Document, FORMATS};
use crate::engine::{self, Inputs, ScanOutcome};
use crate::formats::readers::ReadersCompared;
use crate::formats::{
    javascript, python_settings, Classification, Files, MemoryFiles, ParseContext, Shown, Target,
};
use crate::policy::Catalog;
use crate::redact;
use crate::report::{self, Report, Style};
use crate::source::{SourceFile, Span};

/// Where the fuzzed files are put: an absolute folder, as a host snapshot's files are.
const ROOT: &str = "/srv/app";

/// The moment time-based rules judge at (certificate expiry, backup ages): fixed, so that
/// a crash found once reproduces.
const JUDGED_AT: i64 = 1_750_000_000;

/// Names besides each kind's example name under which a format reads the same text
/// differently (unit type, crontab flavour, script dialect, sshd role, database engine).
const MORE_NAMES: &[(Target, &str)] = &[
    (Target::Systemd, "etc/systemd/system/app.timer"),
    (Target::Systemd, "etc/systemd/system/app.socket"),
    (
        Target::Systemd,
        "etc/systemd/system/app.service.d/override.conf",
    ),
    (Target::Cron, "etc/cron.d/app"),
    (Target::Cron, "var/spool/cron/crontabs/root"),
    (Target::Cron, "backup.crontab"),
    (Target::NodeApp, "src/main.ts"),
    (Target::NodeApp, "src/app.tsx"),
    (Target::Pm2, "ecosystem.config.json"),
    (Target::Sshd, "etc/ssh/sshd_config.d/50-app.conf"),
    (Target::Sshd, "sshd-T.txt"),
    (Target::DatabaseConfig, "etc/mysql/my.cnf"),
    (Target::DatabaseConfig, "etc/mongod.conf"),
    (Target::DatabaseConfig, "etc/redis/redis.conf"),
    (Target::Env, "config/app.env"),
];

/// The fuzz target names: one per registered format (its variant in snake case), and
/// `pipeline`.
pub fn target_names() -> Vec<String> {
    FORMATS
        .iter()
        .map(|(variant, _)| snake_case(variant))
        .chain(["pipeline".to_owned()])
        .collect()
}

/// `DatabaseConfig` as `database_config`.
fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.char_indices() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Runs the fuzz target `name` (see [`target_names`]) on `bytes`.
///
/// # Panics
/// On an unknown name, and wherever the code under test panics.
pub fn run(name: &str, bytes: &[u8]) {
    if name == "pipeline" {
        pipeline(bytes);
        return;
    }
    let (_, targets) = FORMATS
        .iter()
        .find(|(variant, _)| snake_case(variant) == name)
        .unwrap_or_else(|| panic!("no fuzz target {name}"));
    for &target in *targets {
        for path in names_of(target) {
            parse(target, &path, bytes);
        }
    }
}

/// Every path the text is written at for `target`.
fn names_of(target: Target) -> Vec<PathBuf> {
    let extra = MORE_NAMES.iter().filter(|(t, _)| *t == target);
    std::iter::once(target.example_file_name())
        .chain(extra.map(|(_, name)| *name))
        .map(|name| Path::new(ROOT).join(name))
        .collect()
}

/// One format's parser on `bytes` as the file at `path`, alone in the view (so that an
/// include of itself is found), and every question the pipeline asks a parsed document.
/// The binary-file check is skipped: parsers must survive any text, NULs included.
fn parse(target: Target, path: &Path, bytes: &[u8]) {
    let mut view = MemoryFiles::new("");
    view.insert(path, bytes.to_vec());
    let source = SourceFile::from_bytes(path.to_path_buf(), view.display(path), bytes.to_vec());
    may_confirm(target, &source.text);
    // Formats read by two parsers must read alike wherever the exact one reads.
    let compared = match target {
        Target::NodeApp => javascript::compare_readers(&source.text, javascript::Dialect::of(path)),
        Target::Django => python_settings::compare_readers(&source.text),
        _ => ReadersCompared::Agree,
    };
    if let ReadersCompared::Disagree(how) = compared {
        panic!(
            "the readers of {target:?} disagree on {}:\n{how}",
            path.display()
        );
    }
    let context = ParseContext {
        target,
        judged_at: Some(JUDGED_AT),
        files: &view,
    };
    let mut doc = Document::parse_with(Arc::new(source), &context);
    doc.confirms_kind();
    doc.not_checked();
    doc.follow_ups();
    let text = &doc.source.text;
    for error in doc.parse_errors() {
        check_span(text, error.span, "parse error");
        doc.source.locate(error.span);
    }
    for secret in doc.sensitive() {
        check_span(text, secret.span, "secret");
    }
    secrets_alike_where_shown(&doc);
    relate(std::slice::from_mut(&mut doc), &view);
}

/// A report showing part of a file finds the secrets there that the whole file's have
/// ([`Document::sensitive_in`]): checked for windows of a few lines across the file, and for
/// every third line at once.
fn secrets_alike_where_shown(doc: &Document) {
    let source = &doc.source;
    let lines = source.lines.line_of(source.text.len()) + 1;
    let line = |n: usize| source.lines.line_span(&source.text, n.min(lines - 1));
    let windows = (0..lines)
        .step_by(lines.div_ceil(24).max(1))
        .map(|n| Shown::lines_of(source, [Span::new(line(n).start, line(n + 2).end)]));
    let every_third = Shown::lines_of(source, (0..lines).step_by(3).map(line));
    let everywhere = redact::merged(doc.sensitive().iter().map(|s| s.span));
    for shown in windows.chain([every_third]) {
        let found = redact::merged(doc.sensitive_in(&shown).iter().map(|s| s.span));
        let seen = |spans: &[Span]| -> Vec<Span> {
            let hidden: Vec<Span> = shown.hidden(source.text.len()).collect();
            let mut masked = vec![false; source.text.len()];
            for span in spans {
                masked[span.range()].fill(true);
            }
            for span in hidden {
                masked[span.range()].fill(false);
            }
            let positions = masked.iter().enumerate().filter(|(_, m)| **m);
            redact::merged(positions.map(|(at, _)| Span::new(at, at + 1)))
        };
        assert_eq!(
            seen(&everywhere),
            seen(&found),
            "{}: the secrets found for a report showing {shown:?} differ from the whole file's",
            source.path.display()
        );
    }
}

/// Spans are sliced out of the text by reporters and masking: one outside the text or
/// inside a character is a bug wherever it comes from.
fn check_span(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && text.get(span.start..span.end).is_some(),
        "{what} span {}..{} is not inside the {}-byte text",
        span.start,
        span.end,
        text.len()
    );
}

/// The whole pipeline on `bytes`: the same text written under every kind's example name in
/// one in-memory tree, so that files can include and name each other, classified as the
/// directory walk would; a Django `manage.py` entry point; the engine with every built-in
/// rule; then every reporter. JSON and SARIF must parse. ([`MORE_NAMES`] are left to the
/// format targets: each copy costs a parse and a rule run, and the pipeline is the slowest
/// target already.)
///
/// # Panics
/// Wherever the pipeline panics, or when a machine-readable report is not valid JSON.
pub fn pipeline(bytes: &[u8]) {
    let mut view = MemoryFiles::new("");
    let mut files: Vec<Input> = Vec::new();
    let every_kind = FORMATS
        .iter()
        .flat_map(|(_, targets)| targets.iter().copied());
    for target in every_kind {
        let path = Path::new(ROOT).join(target.example_file_name());
        if files.iter().any(|input| input.path == path) {
            continue;
        }
        // As the walk would: the name's own kind when it has one (a guess to be confirmed
        // by content), else the kind a snapshot would say it is.
        let kind = classify(&path).unwrap_or(Classification {
            target,
            confirm_by_content: false,
        });
        view.insert(&path, bytes.to_vec());
        files.push(Input::new(path, kind));
    }
    // A kustomization too, built from the tree (it may name every other file).
    let kustomization = Path::new(ROOT).join("kustomization.yaml");
    if let Some(kind) = classify(&kustomization) {
        view.insert(&kustomization, bytes.to_vec());
        files.push(Input::new(kustomization, kind));
    }
    let manage = Path::new(ROOT).join("manage.py");
    view.insert(&manage, bytes.to_vec());
    let outcome = engine::run(
        Inputs {
            files,
            entry_points: vec![manage],
            view: &view,
            judged_at: Some(JUDGED_AT),
            diagnostics: Vec::new(),
            unseen: Vec::new(),
            results: true,
        },
        catalog(),
    );
    write_every_report(&outcome);
}

/// The built-in rules, loaded once per process (the fuzzer calls thousands of times).
fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::builtin().expect("the built-in policies load"))
}

/// Writes `outcome` in every output format, colours on, and checks the JSON ones parse.
fn write_every_report(outcome: &ScanOutcome) {
    let rollups: Vec<crate::compliance::Rollup> = outcome
        .results
        .as_deref()
        .map(|results| {
            catalog()
                .frameworks()
                .iter()
                .map(|f| crate::compliance::rollup(f, catalog(), results))
                .collect()
        })
        .unwrap_or_default();
    let report = Report {
        findings: &outcome.findings,
        diagnostics: &outcome.diagnostics,
        catalog: catalog(),
        files_checked: outcome.files_checked,
        root: Path::new(ROOT),
        baseline: None,
        configuration: None,
        results: outcome.results.as_deref(),
        compliance: &rollups,
        hosts: &[],
        local_host: None,
    };
    let style = Style {
        color: true,
        quiet: false,
    };
    for format in [
        report::Format::Human,
        report::Format::Json,
        report::Format::Sarif,
        report::Format::Github,
        report::Format::Markdown,
        report::Format::Junit,
    ] {
        let mut out = Vec::new();
        report::write(format, &report, style, &mut out).expect("writing to memory never fails");
        if matches!(format, report::Format::Json | report::Format::Sarif) {
            if let Err(error) = serde_json::from_slice::<serde_json::Value>(&out) {
                panic!("the {format:?} report is not valid JSON: {error}");
            }
        }
    }
}
