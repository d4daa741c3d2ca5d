//! The JSON report: one document with stable, documented field names (see
//! `docs/json-format.md`). `schema_version` changes only on incompatible changes.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::baseline::BaselineSummary;
use crate::config::ConfigInEffect;
use crate::finding::{count_by_severity, Diagnostic, Finding};
use crate::report::Report;
use crate::results::{count_by_status, RuleResult, Status};

/// The version of this document's shape.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    schema_version: u32,
    tool: Tool,
    summary: Summary,
    /// The configuration file in effect and what it relaxed.
    #[serde(skip_serializing_if = "Option::is_none")]
    configuration: Option<&'a ConfigInEffect>,
    findings: Vec<JsonFinding<'a>>,
    diagnostics: &'a [Diagnostic],
    /// Every rule's result on every file (`--results all`).
    #[serde(skip_serializing_if = "Option::is_none")]
    results: Option<&'a [RuleResult]>,
    /// Per framework named with `--framework`: its controls over the run.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    compliance: &'a [crate::compliance::Rollup],
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    files_checked: usize,
    findings: usize,
    suppressed: usize,
    by_severity: BTreeMap<&'static str, usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<BaselineSummary>,
    /// Results by status (`pass`, `fail`, `not_applicable`, `not_evaluated`), when recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    results: Option<BTreeMap<&'static str, usize>>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule_name: &'a str,
    title: &'a str,
    #[serde(flatten)]
    finding: &'a Finding,
}

/// Writes the report as pretty-printed JSON.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let findings = report
        .findings
        .iter()
        .map(|finding| {
            let rule = report.catalog.get(&finding.rule_id);
            JsonFinding {
                rule_name: rule.map_or("", |r| r.name.as_str()),
                title: rule.map_or("", |r| r.title.as_str()),
                finding,
            }
        })
        .collect();
    let counts = count_by_severity(report.findings);
    let doc = JsonReport {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "preflight",
            version: env!("CARGO_PKG_VERSION"),
        },
        summary: Summary {
            files_checked: report.files_checked,
            findings: counts.iter().map(|(_, n)| n).sum(),
            suppressed: report
                .findings
                .iter()
                .filter(|f| f.suppression.is_some())
                .count(),
            by_severity: counts.iter().map(|(s, n)| (s.as_str(), *n)).collect(),
            baseline: report.baseline,
            results: report.results.map(|results| {
                Status::ALL
                    .iter()
                    .zip(count_by_status(results))
                    .map(|(s, n)| (s.as_str(), n))
                    .collect()
            }),
        },
        configuration: report.configuration,
        findings,
        diagnostics: report.diagnostics,
        results: report.results,
        compliance: report.compliance,
    };
    super::write_pretty_json(out, &doc)
}
