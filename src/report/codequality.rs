//! GitLab Code Quality: the subset of the Code Climate issue format GitLab reads from a
//! job's `artifacts:reports:codequality` file, shown in merge requests (new and resolved
//! findings) and in the pipeline's Code Quality tab
//! (<https://docs.gitlab.com/ci/testing/code_quality/>).
//!
//! GitLab tells findings apart by `fingerprint` alone, comparing the head's report with the
//! base's: the finding's own fingerprint (rule, file and logical key, no line number) keeps a
//! finding "unchanged" when lines move above it. Paths are the report's display paths,
//! relative to the working directory, which in a GitLab job is the project directory.

use std::io::{self, Write};

use serde::Serialize;

use crate::engine::fingerprint;
use crate::finding::Finding;
use crate::policy::Severity;
use crate::report::Report;

#[derive(Serialize)]
struct Issue<'a> {
    /// Code Climate's issue type; GitLab ignores it, other Code Climate readers need it.
    #[serde(rename = "type")]
    kind: &'static str,
    check_name: &'a str,
    description: String,
    categories: [&'static str; 1],
    severity: &'static str,
    fingerprint: String,
    location: IssueLocation<'a>,
}

#[derive(Serialize)]
struct IssueLocation<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

/// GitLab's five levels, one for each of preflight's.
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "blocker",
        Severity::High => "critical",
        Severity::Medium => "major",
        Severity::Low => "minor",
        Severity::Info => "info",
    }
}

fn issue(finding: &Finding) -> Issue<'_> {
    let location = &finding.location;
    Issue {
        kind: "issue",
        check_name: &finding.rule_id,
        description: format!("[{}] {}", finding.rule_id, finding.message),
        categories: ["Security"],
        severity: severity(finding.severity),
        fingerprint: finding.fingerprint.clone(),
        location: IssueLocation {
            path: &location.path,
            lines: Lines {
                begin: location.start_line.max(1),
                end: location.end_line.max(location.start_line).max(1),
            },
        },
    }
}

/// Writes the active findings (not suppressed, not in the baseline) as a JSON array. A
/// configuration file that relaxes the gate is one more issue, on its first line, so a
/// merge request that adds or changes it shows that to its reviewers.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut issues: Vec<Issue> = report
        .findings
        .iter()
        .filter(|f| f.is_active())
        .map(issue)
        .collect();
    if let Some((in_effect, file)) = report
        .configuration
        .filter(|c| c.relaxes())
        .and_then(|c| Some((c, c.file.as_deref()?)))
    {
        let description = in_effect.summary();
        issues.push(Issue {
            kind: "issue",
            check_name: "preflight-configuration",
            fingerprint: fingerprint("preflight-configuration", file, &description),
            description,
            categories: ["Security"],
            severity: "major",
            location: IssueLocation {
                path: file,
                lines: Lines { begin: 1, end: 1 },
            },
        });
    }
    super::write_pretty_json(out, &issues)
}
