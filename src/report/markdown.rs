//! A Markdown summary for `$GITHUB_STEP_SUMMARY` and pull-request comments: the totals and
//! a table of the most severe findings.

use std::io::{self, Write};

use crate::finding::{count_by_severity, DiagnosticKind, Finding};
use crate::report::escape::{markdown_cell, markdown_code};
use crate::report::Report;

/// Rows in the table; the rest is counted (a step summary is capped at 1 MiB, and a long
/// table is not read anyway).
const MAX_ROWS: usize = 50;

/// Makes text safe inside a table cell: no pipes, no line breaks, no HTML.
/// Writes the summary.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut active: Vec<&Finding> = report.findings.iter().filter(|f| f.is_active()).collect();
    active.sort_by_key(|f| std::cmp::Reverse(f.severity));
    writeln!(out, "## preflight\n")?;
    let counts: Vec<String> = count_by_severity(report.findings)
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    let files = match report.files_checked {
        1 => "1 file".to_owned(),
        n => format!("{n} files"),
    };
    let totals = if active.is_empty() {
        format!("**No findings** in {files} checked.")
    } else {
        format!(
            "**{} findings** ({}) in {files} checked.",
            active.len(),
            counts.join(", ")
        )
    };
    writeln!(out, "{totals}")?;
    if let Some(baseline) = report.baseline {
        writeln!(
            out,
            "\nBaseline: {} new, {} unchanged (not listed), {} fixed.",
            baseline.new, baseline.unchanged, baseline.fixed
        )?;
    }
    if let Some(in_effect) = report.configuration.filter(|c| c.file.is_some()) {
        let warning = if in_effect.relaxes() {
            "**Relaxed by its configuration:** "
        } else {
            ""
        };
        writeln!(out, "\n{warning}{}", markdown_cell(&in_effect.summary()))?;
    }
    let unable: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.kind == DiagnosticKind::UnableToCheck)
        .map(|d| {
            format!(
                "- {}: {}",
                markdown_code(&d.path),
                markdown_cell(&d.message)
            )
        })
        .collect();
    if !unable.is_empty() {
        writeln!(
            out,
            "\nUnable to check on the host (notes):\n\n{}",
            unable.join("\n")
        )?;
    }
    if active.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n| Severity | Rule | Location | Message |")?;
    writeln!(out, "|---|---|---|---|")?;
    for f in active.iter().take(MAX_ROWS) {
        let name = report
            .catalog
            .get(&f.rule_id)
            .map_or(String::new(), |r| format!(" {}", r.name));
        writeln!(
            out,
            "| {} | `{}`{} | {} | {} |",
            f.severity,
            f.rule_id,
            markdown_cell(&name),
            markdown_code(&format!("{}:{}", f.location.path, f.location.start_line))
                + f.role.marker(),
            markdown_cell(&f.message)
        )?;
    }
    if active.len() > MAX_ROWS {
        writeln!(
            out,
            "\n…and {} more; the JSON or SARIF report has them all.",
            active.len() - MAX_ROWS
        )?;
    }
    Ok(())
}
