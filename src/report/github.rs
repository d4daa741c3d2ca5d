//! GitHub Actions workflow commands: `::error file=…,line=…::message` lines that GitHub
//! turns into annotations on the pull request's diff. Most severe first, because GitHub
//! shows only the first annotations of a step.

use std::collections::HashMap;
use std::io::{self, Write};

use crate::finding::Finding;
use crate::policy::Severity;
use crate::report::escape::{workflow_data as escape_data, workflow_property as escape_property};
use crate::report::Report;

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "notice",
    }
}

/// Annotations GitHub shows per kind (error, warning, notice) and step; more are dropped
/// silently (actions/toolkit's problem-matchers documentation).
const PER_KIND: usize = 10;

/// Writes one workflow command per active finding, most severe first, within GitHub's
/// limits: findings beyond them are printed as plain log lines, and one notice says how
/// many were not annotated.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut active: Vec<&Finding> = report.findings.iter().filter(|f| f.is_active()).collect();
    active.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let mut shown: HashMap<&str, usize> = HashMap::new();
    // A configuration that relaxes the gate is the first thing a reviewer must see.
    if let Some(in_effect) = report.configuration.filter(|c| c.relaxes()) {
        writeln!(
            out,
            "::warning title=preflight configuration::{}",
            escape_data(&in_effect.summary())
        )?;
        shown.insert("warning", 1);
    }
    let overflows = ["error", "warning", "notice"].iter().any(|kind| {
        active
            .iter()
            .filter(|f| command(f.severity) == *kind)
            .count()
            + shown.get(kind).copied().unwrap_or(0)
            > PER_KIND
    });
    let mut rest = Vec::new();
    for f in active {
        let kind = command(f.severity);
        // One notice is kept for the line that says what was left out.
        let limit = if overflows && kind == "notice" {
            PER_KIND - 1
        } else {
            PER_KIND
        };
        let count = shown.entry(kind).or_default();
        if *count >= limit {
            rest.push(f);
            continue;
        }
        *count += 1;
        let loc = &f.location;
        let title = report
            .catalog
            .get(&f.rule_id)
            .map_or_else(|| f.rule_id.clone(), |r| format!("{} {}", r.id, r.title));
        writeln!(
            out,
            "::{kind} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&loc.path),
            loc.start_line,
            loc.start_column,
            loc.end_line,
            loc.end_column,
            escape_property(&title),
            escape_data(&format!(
                "[{}]{} {}",
                f.severity,
                f.role.marker(),
                f.message
            ))
        )?;
    }
    for f in &rest {
        let loc = &f.location;
        // A log line that starts with `::` is a workflow command: a path cannot start one.
        let path = escape_data(&loc.path);
        let path = if path.starts_with(':') {
            format!("./{path}")
        } else {
            path
        };
        writeln!(
            out,
            "{}:{}:{}: {} [{}] {}",
            path,
            loc.start_line,
            loc.start_column,
            f.severity,
            f.rule_id,
            escape_data(&f.message)
        )?;
    }
    if !rest.is_empty() {
        writeln!(
            out,
            "::notice title=preflight::{} more findings are listed in the log, not annotated: GitHub shows at most {PER_KIND} errors, {PER_KIND} warnings and {PER_KIND} notices per step. The SARIF report (code scanning) has all of them.",
            rest.len()
        )?;
    }
    Ok(())
}
