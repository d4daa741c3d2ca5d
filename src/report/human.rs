//! The human report: rustc-style code frames with the fix hint, then a summary line.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style as Ansi};

use crate::compliance::{ControlStatus, Rollup};
use crate::finding::{count_by_severity, DiagnosticKind, Finding};
use crate::policy::Severity;
use crate::report::escape::terminal;
use crate::report::{Report, Style};

fn severity_style(severity: Severity) -> Ansi {
    let color = match severity {
        Severity::Critical => AnsiColor::BrightRed,
        Severity::High => AnsiColor::Red,
        Severity::Medium => AnsiColor::Yellow,
        Severity::Low => AnsiColor::Cyan,
        Severity::Info => AnsiColor::Blue,
    };
    Ansi::new().fg_color(Some(color.into())).bold()
}

struct Painter {
    color: bool,
}

impl Painter {
    fn paint(&self, style: Ansi, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    }
}

/// Writes every active finding as a code frame, the files that could not be checked, and
/// a summary line.
pub fn write(report: &Report, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let painter = Painter { color: style.color };
    if !style.quiet {
        for finding in report.findings.iter().filter(|f| f.is_active()) {
            frame(report, finding, &painter, out)?;
        }
        for d in report.diagnostics {
            if d.kind == DiagnosticKind::UnableToCheck {
                let label = painter.paint(severity_style(Severity::Info), "note");
                writeln!(
                    out,
                    "{label}: unable to check {}: {}",
                    terminal(&d.path),
                    terminal(&d.message)
                )?;
                continue;
            }
            let label = painter.paint(severity_style(Severity::Medium), "warning");
            if d.kind.is_about_a_host() {
                writeln!(
                    out,
                    "{label}: {}: {}",
                    terminal(&d.path),
                    terminal(&d.message)
                )?;
                continue;
            }
            writeln!(
                out,
                "{label}: could not check {}: {}",
                terminal(&d.path),
                terminal(&d.message)
            )?;
        }
        if !report.diagnostics.is_empty() {
            writeln!(out)?;
        }
    }
    for rollup in report.compliance {
        compliance(rollup, style.quiet, &painter, out)?;
    }
    summary(report, &painter, out)
}

/// A framework's rollup: the totals, each covered control with its status (the failing
/// rules, or why it was not evaluated), each file or host, and the statement of what this
/// is. Uncovered controls are counted, not listed (`preflight frameworks`).
fn compliance(
    rollup: &Rollup,
    quiet: bool,
    painter: &Painter,
    out: &mut dyn Write,
) -> io::Result<()> {
    let f = &rollup.framework;
    let t = &rollup.totals;
    let bold = Ansi::new().bold();
    writeln!(
        out,
        "{} {}: {} {} ({})",
        painter.paint(bold, "Framework"),
        terminal(&f.id),
        terminal(&f.title),
        terminal(&f.version),
        terminal(&f.licence)
    )?;
    let partly = match t.partly_covered {
        0 => String::new(),
        n => format!(" ({n} of them in part only)"),
    };
    writeln!(
        out,
        "  {} of {} controls covered{partly}: {} passed, {} failed, {} not applicable, {} not evaluated; {} not covered",
        t.covered, t.controls, t.passed, t.failed, t.not_applicable, t.not_evaluated, t.not_covered
    )?;
    if !quiet {
        for control in rollup
            .controls
            .iter()
            .filter(|c| c.status != ControlStatus::NotCovered)
        {
            let style = match control.status {
                ControlStatus::Fail => severity_style(Severity::High),
                ControlStatus::Pass => Ansi::new().fg_color(Some(AnsiColor::Green.into())),
                _ => Ansi::new(),
            };
            let status = format!("{:<14}", control.status.as_str());
            writeln!(
                out,
                "  {} {} {} [{}]",
                painter.paint(style, &status),
                terminal(&control.id),
                terminal(&control.title),
                control.rules_shown()
            )?;
            for reason in &control.reasons {
                writeln!(out, "      {}", terminal(reason))?;
            }
        }
        for target in &rollup.targets {
            let tt = &target.totals;
            let failed: Vec<String> = target
                .controls
                .iter()
                .filter(|c| c.status == ControlStatus::Fail)
                .map(|c| format!("{} ({})", c.control, c.failed_rules.join(", ")))
                .collect();
            writeln!(
                out,
                "  {}: {} passed, {} failed, {} not applicable, {} not evaluated{}",
                terminal(&target.target),
                tt.passed,
                tt.failed,
                tt.not_applicable,
                tt.not_evaluated,
                if failed.is_empty() {
                    String::new()
                } else {
                    format!(" — failed: {}", terminal(&failed.join(", ")))
                }
            )?;
        }
    }
    writeln!(out, "  {}", rollup.statement)?;
    writeln!(out)
}

fn frame(
    report: &Report,
    finding: &Finding,
    painter: &Painter,
    out: &mut dyn Write,
) -> io::Result<()> {
    let rule = report.catalog.get(&finding.rule_id);
    let blue = Ansi::new().fg_color(Some(AnsiColor::Blue.into())).bold();
    let head = painter.paint(
        severity_style(finding.severity),
        &format!("{}[{}]", finding.severity, finding.rule_id),
    );
    writeln!(
        out,
        "{head}: {}",
        painter.paint(Ansi::new().bold(), &terminal(&finding.message))
    )?;
    let loc = &finding.location;
    let lines: Vec<&str> = finding.snippet.text.split('\n').collect();
    let last_line = finding.snippet.first_line + lines.len().saturating_sub(1);
    let width = last_line.to_string().len();
    let gutter = painter.paint(blue, &format!("{:width$} |", ""));
    writeln!(
        out,
        "{:width$}{} {}:{}:{}{}",
        "",
        painter.paint(blue, "-->"),
        terminal(&loc.path),
        loc.start_line,
        loc.start_column,
        finding.role.marker()
    )?;
    writeln!(out, "{gutter}")?;
    for (i, line) in lines.iter().enumerate() {
        let number = finding.snippet.first_line + i;
        let shown = code_line(out, painter, number, width, line)?;
        if number == loc.start_line {
            let line_len = shown.chars().count();
            let start = loc.start_column.saturating_sub(1).min(line_len);
            let end = if loc.end_line == loc.start_line {
                loc.end_column.saturating_sub(1)
            } else {
                line_len
            };
            let carets = "^".repeat(end.saturating_sub(start).max(1));
            let label = rule.map_or("", |r| r.title.as_str());
            let marks = painter.paint(
                severity_style(finding.severity),
                &format!("{carets} {label}"),
            );
            // Spaces written out: a width over u16::MAX is a formatting panic (a
            // finding at column 70,000 of a one-line file).
            writeln!(out, "{gutter} {}{marks}", " ".repeat(start))?;
        }
    }
    writeln!(out, "{gutter}")?;
    for related in &finding.related {
        let r = &related.location;
        writeln!(
            out,
            "{:width$} = note: {} at {}:{}:{}",
            "",
            terminal(&related.message),
            terminal(&r.path),
            r.start_line,
            r.start_column
        )?;
        // The other side of a difference: its lines, as the snippet shows the finding's.
        if let Some(snippet) = &related.snippet {
            let lines: Vec<&str> = snippet.text.split('\n').collect();
            let last = snippet.first_line + lines.len().saturating_sub(1);
            let width = width.max(last.to_string().len());
            for (i, line) in lines.iter().enumerate() {
                code_line(out, painter, snippet.first_line + i, width, line)?;
            }
        }
    }
    if let Some(rule) = rule {
        let first_paragraph = rule.remediation.split("\n\n").next().unwrap_or("");
        let help = first_paragraph
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        writeln!(
            out,
            "{:width$} {} {help}",
            "",
            painter.paint(Ansi::new().bold(), "= help:")
        )?;
    }
    writeln!(
        out,
        "{:width$} = see: preflight explain {}",
        "", finding.rule_id
    )?;
    writeln!(out)
}

/// Writes line `number` of a snippet with its gutter; the line as shown (control characters
/// made visible, tabs as spaces).
fn code_line(
    out: &mut dyn Write,
    painter: &Painter,
    number: usize,
    width: usize,
    line: &str,
) -> io::Result<String> {
    let blue = Ansi::new().fg_color(Some(AnsiColor::Blue.into())).bold();
    let shown = terminal(line).replace('\t', " ");
    writeln!(
        out,
        "{} {shown}",
        painter.paint(blue, &format!("{number:>width$} |"))
    )?;
    Ok(shown)
}

fn summary(report: &Report, painter: &Painter, out: &mut dyn Write) -> io::Result<()> {
    let counts = count_by_severity(report.findings);
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    let suppressed = report
        .findings
        .iter()
        .filter(|f| f.suppression.is_some())
        .count();
    let files = plural(report.files_checked, "file");
    let mut line = if total == 0 {
        painter.paint(
            Ansi::new().fg_color(Some(AnsiColor::Green.into())).bold(),
            &format!("No findings in {files} checked."),
        )
    } else {
        let parts: Vec<String> = counts
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| painter.paint(severity_style(*s), &format!("{n} {s}")))
            .collect();
        format!(
            "Found {} ({}) in {files} checked.",
            plural(total, "finding"),
            parts.join(", ")
        )
    };
    if suppressed > 0 {
        line.push_str(&format!(" {suppressed} suppressed inline."));
    }
    if let Some(baseline) = report.baseline {
        line.push_str(&format!(
            " Baseline: {} new, {} unchanged (not shown), {} fixed.",
            baseline.new, baseline.unchanged, baseline.fixed
        ));
    }
    let count = |keep: &dyn Fn(DiagnosticKind) -> bool| {
        report.diagnostics.iter().filter(|d| keep(d.kind)).count()
    };
    let unable = count(&|k| k == DiagnosticKind::UnableToCheck);
    let files = count(&|k| k != DiagnosticKind::UnableToCheck && !k.is_about_a_host());
    if files > 0 {
        line.push_str(&format!(" {} could not be checked.", plural(files, "file")));
    }
    let missed = count(&|k| k == DiagnosticKind::HostNotAudited);
    if missed > 0 {
        line.push_str(&format!(" {} not audited.", plural(missed, "host")));
    }
    let partly = count(&|k| k == DiagnosticKind::HostPartlyAudited);
    if partly > 0 {
        line.push_str(&format!(" {} partly audited.", plural(partly, "host")));
    }
    if unable > 0 {
        line.push_str(&format!(" {}.", plural(unable, "unable-to-check note")));
    }
    writeln!(out, "{line}")?;
    if let Some(results) = report.results {
        let [pass, fail, not_applicable, not_evaluated] = crate::results::count_by_status(results);
        writeln!(
            out,
            "Results (rule × file): {pass} pass, {fail} fail, {not_applicable} not applicable, {not_evaluated} not evaluated (every result, with reasons: --format json)."
        )?;
    }
    // A configuration file changes what is judged: name it, and what it relaxes.
    if let Some(in_effect) = report.configuration.filter(|c| c.file.is_some()) {
        let style = if in_effect.relaxes() {
            severity_style(Severity::Medium)
        } else {
            Ansi::new()
        };
        writeln!(
            out,
            "{}",
            painter.paint(style, &terminal(&in_effect.summary()))
        )?;
    }
    Ok(())
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
