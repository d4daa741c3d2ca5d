//! The HTML report: one self-contained page (inline CSS and one small inline script; no
//! external script, font, image or request, so it works offline and as a CI artifact) with
//! the summary, a bar per framework named with `--framework`, a target × control matrix when
//! several files or hosts were judged, and every finding with its code frame — the masked
//! snippet every reporter prints, never the file read again.
//!
//! Every string is escaped at the output edge with [`escape::html`]: file names, messages,
//! snippets and host labels are attacker-controlled. A Content-Security-Policy allows no
//! request at all and only this page's own script (by its hash), so markup that slipped
//! through escaping could neither run nor load anything. The page works without JavaScript;
//! the script adds the filters (severity, status, framework; also read from the URL's
//! fragment, `#severity=critical,high&status=fail`) and sortable columns.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::{self, Write};

use sha2::{Digest, Sha256};

use crate::compliance::{ControlStatus, Rollup};
use crate::finding::{count_by_severity, DiagnosticKind, Finding};
use crate::policy::Severity;
use crate::report::escape::html as esc;
use crate::report::Report;
use crate::results::{count_by_status, host_of, RuleResult, Status};

const STYLE: &str = include_str!("html.css");
const SCRIPT: &str = include_str!("html.js");

/// Writes the report as one HTML page.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut page = String::with_capacity(64 * 1024);
    head(&mut page);
    page.push_str("<header>\n<h1>preflight report</h1>\n");
    let _ = writeln!(
        page,
        "<p class=\"muted\">preflight {} · {}</p>\n</header>\n<main>",
        esc(env!("CARGO_PKG_VERSION")),
        esc(&headline(report))
    );
    summary(report, &mut page);
    filters(report, &mut page);
    for rollup in report.compliance {
        framework(rollup, &mut page);
    }
    if report.compliance.is_empty() {
        if let Some(results) = report.results {
            rule_matrix(results, &mut page);
        }
    }
    findings(report, &mut page);
    for rollup in report.compliance {
        controls(rollup, &mut page);
    }
    if let Some(results) = report.results {
        results_table(report, results, &mut page);
    }
    page.push_str("</main>\n<footer>");
    page.push_str(
        "Secret values are masked in every snippet. `preflight explain ID` explains a rule. ",
    );
    page.push_str("Written by preflight; this page loads nothing from the network.</footer>\n");
    let _ = writeln!(page, "<script>{SCRIPT}</script>\n</body>\n</html>");
    out.write_all(page.as_bytes())
}

/// The doctype, the policy, the style.
fn head(page: &mut String) {
    let digest = Sha256::digest(SCRIPT.as_bytes());
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'sha256-{}'; base-uri 'none'; form-action 'none'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"preflight {}\">\n\
         <title>preflight report</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        base64(&digest),
        esc(env!("CARGO_PKG_VERSION")),
    );
}

/// `12 findings in 7 files checked` as the human summary says it.
fn headline(report: &Report) -> String {
    let total: usize = count_by_severity(report.findings)
        .iter()
        .map(|(_, n)| n)
        .sum();
    format!(
        "{} in {} checked",
        plural(total, "finding"),
        plural(report.files_checked, "file")
    )
}

/// The hosts the report covers: of findings, notes, results and rollups (a host with
/// nothing found is still one checked).
fn hosts(report: &Report) -> BTreeSet<String> {
    let mut hosts: BTreeSet<String> = report
        .findings
        .iter()
        .filter_map(|f| f.host.as_deref())
        .chain(report.diagnostics.iter().filter_map(|d| host_of(&d.path)))
        .map(str::to_owned)
        .collect();
    let judged = report.results.unwrap_or_default().iter().map(|r| &r.host);
    let rolled_up = report
        .compliance
        .iter()
        .flat_map(|r| &r.targets)
        .map(|t| &t.host);
    hosts.extend(judged.chain(rolled_up).flatten().cloned());
    hosts
}

fn summary(report: &Report, page: &mut String) {
    page.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n<dl class=\"counts\">\n");
    let counts = count_by_severity(report.findings);
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    let _ = writeln!(
        page,
        "<div><dt>findings</dt><dd id=\"count-findings\">{total}</dd></div>"
    );
    for (severity, n) in &counts {
        let s = severity.as_str();
        let _ = writeln!(
            page,
            "<div class=\"sev-{s}\"><dt>{s}</dt><dd id=\"count-{s}\">{n}</dd></div>"
        );
    }
    page.push_str("</dl>\n<ul class=\"facts\">\n");
    let _ = writeln!(
        page,
        "<li><span id=\"files-checked\">{}</span> {} checked</li>",
        report.files_checked,
        if report.files_checked == 1 {
            "file"
        } else {
            "files"
        }
    );
    let hosts = hosts(report);
    if !hosts.is_empty() {
        let names: Vec<String> = hosts.iter().map(|h| esc(h)).collect();
        let _ = writeln!(
            page,
            "<li><span id=\"hosts-checked\">{}</span> {}: {}</li>",
            hosts.len(),
            if hosts.len() == 1 { "host" } else { "hosts" },
            names.join(", ")
        );
    }
    let suppressed = report
        .findings
        .iter()
        .filter(|f| f.suppression.is_some())
        .count();
    if suppressed > 0 {
        let _ = writeln!(
            page,
            "<li><span id=\"count-suppressed\">{suppressed}</span> suppressed inline (listed below, not counted)</li>"
        );
    }
    if let Some(b) = report.baseline {
        let _ = writeln!(
            page,
            "<li>Baseline: {} new, {} unchanged (listed below, not counted), {} fixed</li>",
            b.new, b.unchanged, b.fixed
        );
    }
    if let Some(results) = report.results {
        let [pass, fail, na, ne] = count_by_status(results);
        let _ = writeln!(
            page,
            "<li>Results (rule × file): <span id=\"results-pass\">{pass}</span> pass, \
             <span id=\"results-fail\">{fail}</span> fail, <span id=\"results-not_applicable\">{na}</span> \
             not applicable, <span id=\"results-not_evaluated\">{ne}</span> not evaluated</li>"
        );
    }
    if let Some(config) = report.configuration {
        let class = if config.relaxes() {
            " class=\"relaxes\""
        } else {
            ""
        };
        let _ = writeln!(
            page,
            "<li id=\"configuration\"{class}>{}</li>",
            esc(&config.summary())
        );
    }
    page.push_str("</ul>\n");
    if !report.diagnostics.is_empty() {
        page.push_str("<h3>Not checked</h3>\n<ul class=\"notes\" id=\"diagnostics\">\n");
        for d in report.diagnostics {
            let what = match d.kind {
                DiagnosticKind::UnableToCheck => "unable to check",
                k if k.is_about_a_host() => "host",
                _ => "could not check",
            };
            let _ = writeln!(
                page,
                "<li>{what} <code>{}</code>: {}</li>",
                esc(&d.path),
                esc(&d.message)
            );
        }
        page.push_str("</ul>\n");
    }
    page.push_str("</section>\n");
}

/// The frameworks a finding's rule gives evidence for, of those the report offers.
fn frameworks_of<'a>(report: &'a Report, rule_id: &str, offered: &[&str]) -> Vec<&'a str> {
    let mut own: Vec<&str> = report
        .catalog
        .get(rule_id)
        .map(|r| {
            r.controls
                .iter()
                .filter_map(|c| c.split_once(':').map(|(f, _)| f))
                .filter(|f| offered.contains(f))
                .collect()
        })
        .unwrap_or_default();
    own.sort_unstable();
    own.dedup();
    own
}

/// The frameworks to filter by: those named with `--framework`, else those the findings'
/// rules give evidence for.
fn offered_frameworks<'a>(report: &'a Report) -> Vec<&'a str> {
    if !report.compliance.is_empty() {
        return report
            .compliance
            .iter()
            .map(|r| r.framework.id.as_str())
            .collect();
    }
    let mut ids: BTreeSet<&str> = BTreeSet::new();
    for finding in report.findings {
        if let Some(rule) = report.catalog.get(&finding.rule_id) {
            ids.extend(
                rule.controls
                    .iter()
                    .filter_map(|c| c.split_once(':').map(|(f, _)| f)),
            );
        }
    }
    ids.into_iter().collect()
}

/// The filter form: hidden until the script shows it (without JavaScript everything is
/// listed).
fn filters(report: &Report, page: &mut String) {
    page.push_str("<form id=\"filters\" hidden>\n<fieldset><legend>Severity</legend>");
    for severity in Severity::ALL {
        let s = severity.as_str();
        let _ = write!(
            page,
            "<label><input type=\"checkbox\" name=\"severity\" value=\"{s}\" checked> {s}</label>"
        );
    }
    page.push_str("</fieldset>\n<fieldset><legend>Status</legend>");
    let mut statuses: Vec<&str> = vec!["fail"];
    let any = |keep: fn(&Finding) -> bool| report.findings.iter().any(keep);
    if any(|f| f.suppression.is_some()) {
        statuses.push("suppressed");
    }
    if any(|f| f.suppression.is_none() && f.is_baselined()) {
        statuses.push("baselined");
    }
    if report.results.is_some() || !report.compliance.is_empty() {
        statuses.extend(["pass", "not_applicable", "not_evaluated"]);
    }
    if !report.compliance.is_empty() {
        statuses.push("not_covered");
    }
    for s in statuses {
        // An open finding is a failure: one box for both.
        let label = if s == "fail" {
            "fail (open findings)".to_owned()
        } else {
            s.replace('_', " ")
        };
        let _ = write!(
            page,
            "<label><input type=\"checkbox\" name=\"status\" value=\"{s}\" checked> {label}</label>"
        );
    }
    page.push_str("</fieldset>\n");
    let offered = offered_frameworks(report);
    if !offered.is_empty() {
        page.push_str("<fieldset><legend>Framework</legend>");
        for id in &offered {
            let _ = write!(
                page,
                "<label><input type=\"checkbox\" name=\"framework\" value=\"{0}\" checked> {0}</label>",
                esc(id)
            );
        }
        page.push_str("<label><input type=\"checkbox\" name=\"framework\" value=\"-\" checked> no control</label></fieldset>\n");
    }
    page.push_str("<button type=\"reset\">Show all</button>\n</form>\n");
}

/// A framework: its bar, its controls, its matrix.
fn framework(rollup: &Rollup, page: &mut String) {
    let f = &rollup.framework;
    let t = &rollup.totals;
    let id = esc(&f.id);
    let _ = writeln!(
        page,
        "<section class=\"framework\" data-framework=\"{id}\" id=\"framework-{id}\">\n<h2>{} {} <span class=\"muted\">({id})</span></h2>",
        esc(&f.title),
        esc(&f.version)
    );
    let link = if f.url.starts_with("https://") || f.url.starts_with("http://") {
        format!("<a href=\"{0}\">{0}</a>", esc(&f.url))
    } else {
        esc(&f.url)
    };
    let _ = writeln!(page, "<p class=\"muted\">{} · {link}</p>", esc(&f.licence));
    let parts = [
        ("pass", "passed", t.passed),
        ("fail", "failed", t.failed),
        ("not_applicable", "not applicable", t.not_applicable),
        ("not_evaluated", "not evaluated", t.not_evaluated),
        ("not_covered", "not covered", t.not_covered),
    ];
    let _ = write!(
        page,
        "<div class=\"bar\" role=\"img\" aria-label=\"{} of {} controls covered: {} passed, {} failed, {} not applicable, {} not evaluated, {} not covered\">",
        t.covered, t.controls, t.passed, t.failed, t.not_applicable, t.not_evaluated, t.not_covered
    );
    for (class, _, n) in parts {
        if n > 0 {
            let _ = write!(
                page,
                "<span class=\"{class}\" style=\"flex-grow:{n}\"></span>"
            );
        }
    }
    page.push_str("</div>\n<ul class=\"legend\">");
    for (class, label, n) in parts {
        let _ = write!(
            page,
            "<li class=\"{class}\"><i></i><span data-total=\"{class}\">{n}</span> {label}</li>"
        );
    }
    let _ = writeln!(
        page,
        "<li>{} of {} controls covered</li></ul>\n<p class=\"statement\">{}</p>",
        t.covered,
        t.controls,
        esc(rollup.statement)
    );
    if rollup.targets.len() > 1 {
        control_matrix(rollup, page);
    }
    let _ = writeln!(
        page,
        "<p><a href=\"#controls-section-{id}\">Every control of {}</a> follows the findings.</p>\n</section>",
        esc(&f.title)
    );
}

/// A framework's controls, every one in a table (after the findings).
fn controls(rollup: &Rollup, page: &mut String) {
    let f = &rollup.framework;
    let id = esc(&f.id);
    let table_id = format!("controls-{id}");
    let _ = writeln!(
        page,
        "<section class=\"controls\" data-framework=\"{id}\" id=\"controls-section-{id}\">\n<h2>Controls of {} {} <output class=\"muted\" data-shown-for=\"{table_id}\" data-total=\"{n}\" data-shown=\"{n}\">{n}</output></h2>",
        esc(&f.title),
        esc(&f.version),
        n = rollup.controls.len()
    );
    let _ = writeln!(
        page,
        "<div class=\"scroll\"><table class=\"sortable\" id=\"{table_id}\">\n<thead><tr><th data-sort>Control</th><th data-sort>Title</th><th data-sort>Status</th><th data-sort>Rules</th><th>Targets</th><th>Why</th></tr></thead>\n<tbody>"
    );
    // Covered controls first, in the framework's order; then those no rule covers.
    let (covered, uncovered): (Vec<_>, Vec<_>) = rollup
        .controls
        .iter()
        .partition(|c| c.status != ControlStatus::NotCovered);
    for control in covered.into_iter().chain(uncovered) {
        let status = control.status.as_str();
        let targets: Vec<String> = control
            .targets
            .iter()
            .map(|(s, n)| format!("{n} {}", s.replace('_', " ")))
            .collect();
        let reasons: Vec<String> = control.reasons.iter().map(|r| prose(r)).collect();
        let _ = writeln!(
            page,
            "<tr data-filtered data-status=\"{status}\"><td class=\"mono\">{}</td><td>{}</td><td data-key=\"{}\"><span class=\"badge {status}\">{}</span></td><td class=\"mono\">{}</td><td>{}</td><td>{}</td></tr>",
            esc(&control.id),
            esc(&control.title),
            control_rank(control.status),
            status.replace('_', " "),
            esc(&control.rules_shown()),
            targets.join(", "),
            reasons.join("<br>")
        );
    }
    page.push_str("</tbody></table></div>\n</section>\n");
}

/// Sorts fail first, pass last.
fn control_rank(status: ControlStatus) -> u8 {
    match status {
        ControlStatus::Fail => 0,
        ControlStatus::NotEvaluated => 1,
        ControlStatus::Pass => 2,
        ControlStatus::NotApplicable => 3,
        ControlStatus::NotCovered => 4,
    }
}

/// A cell's mark: readable without colour (printed in black and white).
fn mark(status: &str) -> &'static str {
    match status {
        "pass" => "✓",
        "fail" => "✗",
        "not_applicable" => "–",
        "not_evaluated" => "?",
        _ => "",
    }
}

/// A matrix row: the target, and per column id its status and a note for the tooltip.
type MatrixRow = (String, BTreeMap<String, (String, String)>);

/// One matrix: a row per target, a column per control (or rule).
fn matrix(title: &str, columns: &[(String, String)], rows: &[MatrixRow], page: &mut String) {
    let _ = writeln!(
        page,
        "<h3>{title}</h3>\n<p class=\"muted no-print\">✓ pass · ✗ fail · – not applicable · ? not evaluated · empty: nothing to judge</p>\n<div class=\"scroll\"><table class=\"matrix\">\n<thead><tr><th>Target</th>"
    );
    for (id, tip) in columns {
        let _ = write!(
            page,
            "<th class=\"col\" scope=\"col\" title=\"{}\">{}</th>",
            esc(tip),
            esc(id)
        );
    }
    page.push_str("</tr></thead>\n<tbody>\n");
    for (target, cells) in rows {
        let _ = write!(page, "<tr><td class=\"target mono\">{}</td>", esc(target));
        for (id, _) in columns {
            match cells.get(id) {
                Some((status, why)) => {
                    let _ = write!(
                        page,
                        "<td class=\"{status}\" title=\"{}\">{}</td>",
                        esc(&format!("{id}: {}{why}", status.replace('_', " "))),
                        mark(status)
                    );
                }
                None => page.push_str("<td></td>"),
            }
        }
        page.push_str("</tr>\n");
    }
    page.push_str("</tbody></table></div>\n");
}

fn control_matrix(rollup: &Rollup, page: &mut String) {
    let columns: Vec<(String, String)> = rollup
        .controls
        .iter()
        .filter(|c| c.status != ControlStatus::NotCovered)
        .map(|c| (c.id.clone(), c.title.clone()))
        .collect();
    let rows: Vec<MatrixRow> = rollup
        .targets
        .iter()
        .map(|target| {
            let cells = target
                .controls
                .iter()
                .map(|c| {
                    let why = if c.failed_rules.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", c.failed_rules.join(", "))
                    };
                    (c.control.clone(), (c.status.as_str().to_owned(), why))
                })
                .collect();
            (target.target.clone(), cells)
        })
        .collect();
    matrix("Targets × controls", &columns, &rows, page);
}

/// Without a framework: targets × the rules that judged something.
fn rule_matrix(results: &[RuleResult], page: &mut String) {
    let mut rows: BTreeMap<String, BTreeMap<String, (String, String)>> = BTreeMap::new();
    let mut columns: BTreeSet<String> = BTreeSet::new();
    for result in results {
        if result.path.is_none() && result.host.is_none() {
            continue;
        }
        let target = match &result.host {
            Some(host) => format!("ssh://{host}"),
            None => result.target(),
        };
        if result.status != Status::NotApplicable {
            columns.insert(result.rule_id.clone());
        }
        let cell = rows
            .entry(target)
            .or_default()
            .entry(result.rule_id.clone())
            .or_insert_with(|| (Status::NotApplicable.as_str().to_owned(), String::new()));
        // A host's files together: fail over not evaluated over pass over not applicable.
        let rank = |s: &str| match s {
            "fail" => 3,
            "not_evaluated" => 2,
            "pass" => 1,
            _ => 0,
        };
        if rank(result.status.as_str()) > rank(&cell.0) {
            cell.0 = result.status.as_str().to_owned();
        }
    }
    if rows.len() < 2 || columns.is_empty() {
        return;
    }
    let columns: Vec<(String, String)> = columns.into_iter().map(|c| (c.clone(), c)).collect();
    let rows: Vec<_> = rows.into_iter().collect();
    page.push_str("<section id=\"matrix\">\n<h2>Results by target</h2>\n");
    matrix("Targets × rules", &columns, &rows, page);
    page.push_str("</section>\n");
}

fn findings(report: &Report, page: &mut String) {
    let offered = offered_frameworks(report);
    let total = report.findings.len();
    let _ = writeln!(
        page,
        "<section id=\"findings-section\">\n<h2>Findings <output class=\"muted\" data-shown-for=\"findings\" data-total=\"{total}\" data-shown=\"{total}\">{total}</output></h2>"
    );
    if report.findings.is_empty() {
        page.push_str("<p>No findings.</p>\n");
    }
    page.push_str("<table class=\"sortable grouped\" id=\"findings\">\n<thead><tr><th data-sort>Severity</th><th data-sort>Rule</th><th data-sort>Location</th><th>Message</th><th data-sort>Status</th><th>Controls</th></tr></thead>\n");
    let mut ordered: Vec<&Finding> = report.findings.iter().collect();
    ordered.sort_by_key(|f| std::cmp::Reverse(f.severity));
    for finding in ordered {
        finding_rows(report, finding, &offered, page);
    }
    page.push_str("</table>\n</section>\n");
}

fn finding_rows(report: &Report, finding: &Finding, offered: &[&str], page: &mut String) {
    let rule = report.catalog.get(&finding.rule_id);
    let severity = finding.severity.as_str();
    let status = if finding.suppression.is_some() {
        "suppressed"
    } else if finding.is_baselined() {
        "baselined"
    } else {
        "fail"
    };
    let frameworks = frameworks_of(report, &finding.rule_id, offered);
    let frameworks = if frameworks.is_empty() {
        "-".to_owned()
    } else {
        frameworks.join(" ")
    };
    let loc = &finding.location;
    let rank = Severity::ALL.len()
        - Severity::ALL
            .iter()
            .position(|s| *s == finding.severity)
            .unwrap_or(0);
    let _ = writeln!(
        page,
        "<tbody class=\"finding\" data-filtered data-severity=\"{severity}\" data-status=\"{status}\" data-frameworks=\"{}\">",
        esc(&frameworks)
    );
    let controls: Vec<String> = rule
        .map(|r| {
            r.controls
                .iter()
                .map(|c| {
                    let tip = report.catalog.control_title(c).unwrap_or_default();
                    format!("<span title=\"{}\">{}</span>", esc(&tip), esc(c))
                })
                .collect()
        })
        .unwrap_or_default();
    let _ = writeln!(
        page,
        "<tr><td data-key=\"{rank}\"><span class=\"badge {severity}\">{severity}</span></td>\
         <td><code>{}</code><br>{}</td>\
         <td class=\"loc mono\" data-key=\"{} {:08}\">{}:{}:{}{}</td>\
         <td>{}</td><td><span class=\"badge {status}\">{}</span>{}</td><td class=\"mono\">{}</td></tr>",
        esc(&finding.rule_id),
        esc(rule.map_or("", |r| r.title.as_str())),
        esc(&loc.path),
        loc.start_line,
        esc(&loc.path),
        loc.start_line,
        loc.start_column,
        esc(finding.role.marker()),
        prose(&finding.message),
        if status == "fail" { "open" } else { status },
        finding
            .suppression
            .as_ref()
            .map(|s| format!("<br><span class=\"muted\">{}</span>", esc(&s.reason)))
            .unwrap_or_default(),
        controls.join("<br>")
    );
    page.push_str("<tr class=\"frame\"><td colspan=\"6\">");
    code_frame(finding, page);
    let mut notes: Vec<String> = finding
        .related
        .iter()
        .map(|r| {
            let mut note = format!(
                "note: {} at <code>{}:{}:{}</code>",
                prose(&r.message),
                esc(&r.location.path),
                r.location.start_line,
                r.location.start_column
            );
            // The other side of a difference, with its lines.
            if let Some(snippet) = &r.snippet {
                note.push_str("<pre class=\"frame\">");
                for (i, line) in snippet.text.split('\n').enumerate() {
                    let number = snippet.first_line + i;
                    let _ = write!(
                        note,
                        "<span class=\"l\"><span class=\"n\">{number}</span>{}</span>",
                        esc(line)
                    );
                }
                note.push_str("</pre>");
            }
            note
        })
        .collect();
    if let Some(rule) = rule {
        let help = rule
            .remediation
            .split("\n\n")
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        notes.push(format!("<strong>help:</strong> {}", prose(&help)));
    }
    notes.push(format!(
        "see: <code>preflight explain {}</code>",
        esc(&finding.rule_id)
    ));
    let _ = writeln!(
        page,
        "<ul class=\"notes\"><li>{}</li></ul></td></tr>\n</tbody>",
        notes.join("</li><li>")
    );
}

/// The masked snippet with line numbers, the finding's span marked.
fn code_frame(finding: &Finding, page: &mut String) {
    let loc = &finding.location;
    page.push_str("<pre class=\"frame\">");
    for (i, line) in finding.snippet.text.split('\n').enumerate() {
        let number = finding.snippet.first_line + i;
        let chars: Vec<char> = line.chars().collect();
        let (start, end) = if number < loc.start_line || number > loc.end_line {
            (0, 0)
        } else {
            let start = if number == loc.start_line {
                loc.start_column.saturating_sub(1)
            } else {
                0
            };
            let end = if number == loc.end_line {
                loc.end_column.saturating_sub(1)
            } else {
                chars.len()
            };
            (start.min(chars.len()), end.min(chars.len()))
        };
        let piece = |from: usize, to: usize| esc(&chars[from..to].iter().collect::<String>());
        let _ = write!(page, "<span class=\"l\"><span class=\"n\">{number}</span>");
        if start < end {
            let _ = write!(
                page,
                "{}<mark>{}</mark>{}",
                piece(0, start),
                piece(start, end),
                piece(end, chars.len())
            );
        } else {
            page.push_str(&esc(line));
        }
        page.push_str("</span>");
    }
    page.push_str("</pre>");
}

fn results_table(report: &Report, results: &[RuleResult], page: &mut String) {
    let total = results.len();
    let _ = writeln!(
        page,
        "<section id=\"results-section\">\n<h2>Results <output class=\"muted\" data-shown-for=\"results\" data-total=\"{total}\" data-shown=\"{total}\">{total}</output></h2>\n<p class=\"muted\">Every enabled rule on every file or host it could judge (<code>--results all</code>).</p>"
    );
    let offered = offered_frameworks(report);
    page.push_str("<div class=\"scroll\"><table class=\"sortable\" id=\"results\">\n<thead><tr><th data-sort>Rule</th><th data-sort>Target</th><th data-sort>Status</th><th data-sort>Findings</th><th>Why</th></tr></thead>\n<tbody>\n");
    for result in results {
        let status = result.status.as_str();
        let frameworks = frameworks_of(report, &result.rule_id, &offered);
        let frameworks = if frameworks.is_empty() {
            "-".to_owned()
        } else {
            frameworks.join(" ")
        };
        let mut reasons: Vec<String> = result.reasons.iter().map(|r| prose(r)).collect();
        if result.reasons_left_out > 0 {
            reasons.push(format!("and {} more", result.reasons_left_out));
        }
        let title = report
            .catalog
            .get(&result.rule_id)
            .map_or("", |r| r.title.as_str());
        let _ = writeln!(
            page,
            "<tr data-filtered data-status=\"{status}\" data-frameworks=\"{}\"><td><code>{}</code> {}</td><td class=\"loc mono\">{}</td><td><span class=\"badge {status}\">{}</span></td><td>{}</td><td>{}</td></tr>",
            esc(&frameworks),
            esc(&result.rule_id),
            esc(title),
            esc(&result.target()),
            status.replace('_', " "),
            result.findings,
            reasons.join("<br>")
        );
    }
    page.push_str("</tbody></table></div>\n</section>\n");
}

/// Prose (a message, a reason, help): escaped, then each pair of backticks a `<code>`, as
/// the Markdown the messages are written in shows them. The backticks are matched in the
/// escaped text, so only the markup added here is markup.
fn prose(text: &str) -> String {
    let escaped = esc(text);
    let pieces: Vec<&str> = escaped.split('`').collect();
    if pieces.len() < 3 {
        return escaped;
    }
    let mut out = String::with_capacity(escaped.len() + 16);
    let last = pieces.len() - 1;
    for (i, piece) in pieces.iter().enumerate() {
        if i % 2 == 1 && i != last {
            let _ = write!(out, "<code>{piece}</code>");
        } else {
            if i % 2 == 1 {
                // An unpaired backtick at the end stays a backtick.
                out.push('`');
            }
            out.push_str(piece);
        }
    }
    out
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Standard base64 with padding (RFC 4648 §4), for the script's hash in the policy.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_test_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected, "{input}");
        }
    }

    #[test]
    fn backticks_become_code_only_in_pairs_and_after_escaping() {
        assert_eq!(prose("set `a<b` now"), "set <code>a&lt;b</code> now");
        assert_eq!(prose("`x` and `y"), "<code>x</code> and `y");
        assert_eq!(prose("no code"), "no code");
    }

    #[test]
    fn the_script_cannot_close_its_own_element() {
        assert!(!SCRIPT.contains("</"), "`</` in the inline script");
        assert!(!STYLE.contains("</"), "`</` in the inline style");
    }
}
