//! JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure Pipelines): one
//! test suite per framework named with `--framework`, one test case per control and target
//! (a file, or a host); without a framework, one suite with a test case per rule and file.
//! A failure carries the findings' messages and masked snippets, a skip the reason the
//! control or rule did not apply or could not be evaluated. The document follows the JUnit
//! schema Jenkins' xUnit plugin publishes (`junit-10.xsd`), which GitLab and Azure read too.

use std::collections::HashMap;
use std::io::{self, Write};

use crate::compliance::{ControlStatus, Rollup};
use crate::finding::Finding;
use crate::report::escape::xml;
use crate::report::Report;
use crate::results::Status;

/// One test case before it is written.
struct Case {
    classname: String,
    name: String,
    outcome: Outcome,
}

enum Outcome {
    Passed,
    Failed { message: String, body: String },
    Skipped { message: String },
}

/// Writes the report as JUnit XML.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut by_rule_and_path: HashMap<(&str, &str), Vec<&Finding>> = HashMap::new();
    for finding in report.findings.iter().filter(|f| f.is_active()) {
        by_rule_and_path
            .entry((finding.rule_id.as_str(), finding.location.path.as_str()))
            .or_default()
            .push(finding);
    }
    let mut suites: Vec<(String, Vec<Case>)> = Vec::new();
    if report.compliance.is_empty() {
        suites.push((
            "preflight".to_owned(),
            rule_cases(report, &by_rule_and_path),
        ));
    } else {
        for rollup in report.compliance {
            suites.push((
                format!("{} {}", rollup.framework.title, rollup.framework.version),
                control_cases(rollup, report),
            ));
        }
    }
    let count =
        |cases: &[Case], f: fn(&Outcome) -> bool| cases.iter().filter(|c| f(&c.outcome)).count();
    let failed = |o: &Outcome| matches!(o, Outcome::Failed { .. });
    let skipped = |o: &Outcome| matches!(o, Outcome::Skipped { .. });
    let all: Vec<&Case> = suites.iter().flat_map(|(_, c)| c).collect();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="preflight" tests="{}" failures="{}" errors="0">"#,
        all.len(),
        all.iter().filter(|c| failed(&c.outcome)).count()
    )?;
    for (name, cases) in &suites {
        writeln!(
            out,
            r#"  <testsuite name="{}" tests="{}" failures="{}" errors="0" skipped="{}">"#,
            xml(name),
            cases.len(),
            count(cases, failed),
            count(cases, skipped)
        )?;
        // What the results are statements of, and the configuration they were made under
        // (every report names it: a pull request may bring its own).
        let mut properties = Vec::new();
        if !report.compliance.is_empty() {
            properties.push(("statement", crate::compliance::STATEMENT.to_owned()));
        }
        if let Some(in_effect) = report.configuration.filter(|c| c.file.is_some()) {
            properties.push(("configuration", in_effect.summary()));
        }
        if !properties.is_empty() {
            writeln!(out, "    <properties>")?;
            for (name, value) in &properties {
                writeln!(
                    out,
                    r#"      <property name="{name}" value="{}"/>"#,
                    xml(value)
                )?;
            }
            writeln!(out, "    </properties>")?;
        }
        for case in cases {
            write!(
                out,
                r#"    <testcase classname="{}" name="{}""#,
                xml(&case.classname),
                xml(&case.name)
            )?;
            match &case.outcome {
                Outcome::Passed => writeln!(out, "/>")?,
                Outcome::Failed { message, body } => writeln!(
                    out,
                    ">\n      <failure type=\"finding\" message=\"{}\">{}</failure>\n    </testcase>",
                    xml(message),
                    xml(body)
                )?,
                Outcome::Skipped { message } => writeln!(
                    out,
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                    xml(message)
                )?,
            }
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

/// Without a framework: a test case per rule and file (`--results all` implied); a rule
/// with nothing to judge in the whole run is one skipped case.
fn rule_cases(report: &Report, findings: &HashMap<(&str, &str), Vec<&Finding>>) -> Vec<Case> {
    let Some(results) = report.results else {
        return Vec::new();
    };
    results
        .iter()
        .map(|result| {
            let rule = report.catalog.get(&result.rule_id);
            let title = rule.map_or("", |r| r.title.as_str());
            let target = result.target();
            let outcome = match result.status {
                Status::Pass => Outcome::Passed,
                Status::Fail => {
                    let mine = findings
                        .get(&(result.rule_id.as_str(), target.as_str()))
                        .map(Vec::as_slice)
                        .unwrap_or_default();
                    if mine.is_empty() {
                        // Every finding was suppressed or baselined: waived, not passed.
                        Outcome::Skipped {
                            message: "every finding here is suppressed inline or recorded in the baseline".to_owned(),
                        }
                    } else {
                        failure(mine)
                    }
                }
                Status::NotApplicable | Status::NotEvaluated => Outcome::Skipped {
                    message: format!("{}: {}", result.status, result.reasons.join("; ")),
                },
            };
            Case {
                classname: target,
                name: format!("{} {}", result.rule_id, title),
                outcome,
            }
        })
        .collect()
}

/// With a framework: a test case per covered control and target; controls no rule covers
/// are one skipped case each, so the suite shows them.
fn control_cases(rollup: &Rollup, report: &Report) -> Vec<Case> {
    let title_of = |id: &str| {
        rollup
            .controls
            .iter()
            .find(|c| c.id == id)
            .map_or(String::new(), |c| c.title.clone())
    };
    let mut cases = Vec::new();
    for target in &rollup.targets {
        for control in &target.controls {
            let outcome = match control.status {
                ControlStatus::Pass => Outcome::Passed,
                ControlStatus::Fail => {
                    let mine: Vec<&Finding> = report
                        .findings
                        .iter()
                        .filter(|f| {
                            f.is_active()
                                && control.failed_rules.contains(&f.rule_id)
                                && in_target(
                                    &f.location.path,
                                    &target.target,
                                    target.host.is_some(),
                                )
                        })
                        .collect();
                    if mine.is_empty() {
                        Outcome::Skipped {
                            message: format!(
                                "{} failed here, but every finding is suppressed inline or recorded in the baseline",
                                control.failed_rules.join(", ")
                            ),
                        }
                    } else {
                        failure(&mine)
                    }
                }
                status => Outcome::Skipped {
                    message: format!("{}: {}", status.as_str(), control.reasons.join("; ")),
                },
            };
            cases.push(Case {
                classname: target.target.clone(),
                name: format!("{} {}", control.control, title_of(&control.control)),
                outcome,
            });
        }
    }
    for control in rollup
        .controls
        .iter()
        .filter(|c| c.status == ControlStatus::NotCovered)
    {
        cases.push(Case {
            classname: rollup.framework.id.clone(),
            name: format!("{} {}", control.id, control.title),
            outcome: Outcome::Skipped {
                message: "not covered: no preflight rule gives evidence for this control"
                    .to_owned(),
            },
        });
    }
    cases
}

/// Whether a finding at `path` belongs to `target` (the file itself, or a file of the host).
fn in_target(path: &str, target: &str, host: bool) -> bool {
    if host {
        path.strip_prefix(target)
            .is_some_and(|rest| rest.starts_with('/'))
    } else {
        path == target
    }
}

/// A failure: the first finding's message as the message, every finding (location,
/// message, masked snippet) in the body.
fn failure(findings: &[&Finding]) -> Outcome {
    let body = findings
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}:{}: {}\n{}\n",
                f.rule_id,
                f.location.path,
                f.location.start_line,
                f.location.start_column,
                f.message,
                f.snippet.text
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    Outcome::Failed {
        message: findings[0].message.clone(),
        body,
    }
}
