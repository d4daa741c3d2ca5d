//! The JSON report: one document with stable, documented field names (see
//! `docs/json-format.md`). `schema_version` changes only on incompatible changes.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::baseline::BaselineSummary;
use crate::finding::{count_by_severity, Finding};
use crate::policy::Catalog;
use crate::report::pretty::Pretty;
use crate::report::Report;
use crate::results::{count_by_status, Status};

/// The version of this document's shape.
pub const SCHEMA_VERSION: u32 = 1;

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

/// Writes the report as pretty-printed JSON: `{schema_version, tool, summary,
/// configuration?, findings, diagnostics, results?, compliance?}`, the findings written by
/// hand ([`Pretty`]; they are nearly all of a large report's bytes), the rest by serde.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut json = Pretty::new(out);
    json.begin_object();
    json.serde_field("schema_version", &SCHEMA_VERSION)?;
    json.serde_field(
        "tool",
        &Tool {
            name: "preflight",
            version: env!("CARGO_PKG_VERSION"),
        },
    )?;
    json.serde_field("summary", &summary(report))?;
    if let Some(configuration) = report.configuration {
        json.serde_field("configuration", configuration)?;
    }
    json.key("findings");
    json.begin_array();
    for finding in report.findings {
        json.element()?;
        write_finding(&mut json, report.catalog, finding)?;
    }
    json.end_array();
    json.serde_field("diagnostics", report.diagnostics)?;
    if let Some(results) = report.results {
        json.serde_field("results", results)?;
    }
    if !report.compliance.is_empty() {
        json.serde_field("compliance", report.compliance)?;
    }
    json.end_object();
    json.finish()
}

fn summary(report: &Report) -> Summary {
    let counts = count_by_severity(report.findings);
    Summary {
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
    }
}

/// One finding: its rule's name and title, then its fields as [`Finding`]'s `Serialize`
/// writes them (the test `findings_are_written_as_serde_writes_them` holds the two alike).
fn write_finding(json: &mut Pretty<'_>, catalog: &Catalog, finding: &Finding) -> io::Result<()> {
    let rule = catalog.get(&finding.rule_id);
    json.begin_object();
    json.string_field("rule_name", rule.map_or("", |r| r.name.as_str()));
    json.string_field("title", rule.map_or("", |r| r.title.as_str()));
    json.string_field("rule_id", &finding.rule_id);
    json.string_field("severity", finding.severity.as_str());
    json.string_field("message", &finding.message);
    json.key("location");
    let location = &finding.location;
    json.begin_object();
    json.string_field("path", &location.path);
    json.number_field("start_line", location.start_line);
    json.number_field("start_column", location.start_column);
    json.number_field("end_line", location.end_line);
    json.number_field("end_column", location.end_column);
    json.end_object();
    json.serde_field("related", &finding.related)?;
    json.key("snippet");
    json.begin_object();
    json.number_field("first_line", finding.snippet.first_line);
    json.string_field("text", &finding.snippet.text);
    json.end_object();
    json.string_field("fingerprint", &finding.fingerprint);
    json.serde_field("suppression", &finding.suppression)?;
    if let Some(baseline) = &finding.baseline {
        json.serde_field("baseline", baseline)?;
    }
    json.string_field("role", finding.role.as_str());
    if let Some(host) = &finding.host {
        json.string_field("host", host);
    }
    json.end_object();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConfigInEffect;
    use crate::finding::{
        BaselineState, Diagnostic, DiagnosticKind, Location, RelatedLocation, Snippet, Suppression,
    };
    use crate::policy::Severity;
    use crate::results::RuleResult;

    /// The report as serde derives it, finding fields flattened: what [`write`] writes by
    /// hand must read the same, byte for byte.
    #[derive(Serialize)]
    struct SerdeReport<'a> {
        schema_version: u32,
        tool: Tool,
        summary: Summary,
        #[serde(skip_serializing_if = "Option::is_none")]
        configuration: Option<&'a ConfigInEffect>,
        findings: Vec<SerdeFinding<'a>>,
        diagnostics: &'a [Diagnostic],
        #[serde(skip_serializing_if = "Option::is_none")]
        results: Option<&'a [RuleResult]>,
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        compliance: &'a [crate::compliance::Rollup],
    }

    #[derive(Serialize)]
    struct SerdeFinding<'a> {
        rule_name: &'a str,
        title: &'a str,
        #[serde(flatten)]
        finding: &'a Finding,
    }

    fn serde_report(report: &Report) -> String {
        let doc = SerdeReport {
            schema_version: SCHEMA_VERSION,
            tool: Tool {
                name: "preflight",
                version: env!("CARGO_PKG_VERSION"),
            },
            summary: summary(report),
            configuration: report.configuration,
            findings: report
                .findings
                .iter()
                .map(|finding| {
                    let rule = report.catalog.get(&finding.rule_id);
                    SerdeFinding {
                        rule_name: rule.map_or("", |r| r.name.as_str()),
                        title: rule.map_or("", |r| r.title.as_str()),
                        finding,
                    }
                })
                .collect(),
            diagnostics: report.diagnostics,
            results: report.results,
            compliance: report.compliance,
        };
        serde_json::to_string_pretty(&doc).unwrap() + "\n"
    }

    fn location(path: &str, line: usize) -> Location {
        Location {
            path: path.into(),
            start_line: line,
            start_column: 3,
            end_line: line + 1,
            end_column: 1,
        }
    }

    /// A plain finding, and one with every optional part and text that needs escaping.
    fn findings() -> Vec<Finding> {
        let plain = Finding {
            rule_id: "ENV001".into(),
            severity: Severity::High,
            message: "`DEBUG=True` turns debug mode on".into(),
            location: location("app/.env", 4),
            related: Vec::new(),
            snippet: Snippet {
                first_line: 4,
                text: "DEBUG=True".into(),
            },
            fingerprint: "28a592cebf4079b87e62bf1e217a403f".into(),
            suppression: None,
            baseline: None,
            role: crate::role::Role::Production,
            host: None,
        };
        let everything = Finding {
            rule_id: "NOT-IN-THE-CATALOG".into(),
            severity: Severity::Info,
            message: "a \"quoted\" word".into(),
            location: location("dir with \"quotes\"/file\\name", 1),
            related: vec![RelatedLocation {
                location: location("other\n.conf", 9),
                message: "a \\ back\u{1}slash\ttab, é 🚀".into(),
                snippet: Some(Snippet {
                    first_line: 9,
                    text: "line one\n\tline two\r\n".into(),
                }),
            }],
            snippet: Snippet {
                first_line: 1,
                text: "x = \"\u{7f}\u{1f}\"\n".into(),
            },
            fingerprint: String::new(),
            suppression: Some(Suppression {
                reason: "waived: \"why\"".into(),
                line: 2,
            }),
            baseline: Some(BaselineState::Unchanged),
            role: crate::role::Role::Example,
            host: Some("prod-1\u{1b}[31m".into()),
        };
        vec![plain.clone(), everything, plain]
    }

    #[test]
    fn findings_are_written_as_serde_writes_them() {
        let catalog = Catalog::builtin().unwrap();
        let findings = findings();
        let diagnostics = [Diagnostic {
            role: None,
            path: "unreadable\".env".into(),
            kind: DiagnosticKind::Unreadable,
            message: "permission denied".into(),
        }];
        for (findings, diagnostics, results) in [
            (&findings[..], &diagnostics[..], None),
            (&[][..], &[][..], Some(&[][..])),
            (&findings[..1], &[][..], Some(&[][..])),
        ] {
            let report = Report {
                findings,
                diagnostics,
                catalog: &catalog,
                files_checked: 3,
                root: std::path::Path::new("."),
                baseline: None,
                configuration: None,
                results,
                compliance: &[],
                hosts: &[],
                local_host: None,
            };
            let mut ours = Vec::new();
            write(&report, &mut ours).unwrap();
            assert_eq!(String::from_utf8(ours).unwrap(), serde_report(&report));
        }
    }
}
