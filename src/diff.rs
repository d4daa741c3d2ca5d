//! `preflight diff OLD.json NEW.json`: what changed between two JSON reports — findings new,
//! fixed, waived and unchanged (matched by fingerprint, which does not change when lines
//! move), and, when both reports carry them, controls (`--framework` rollups, per target) and
//! rule results (`--results all`) whose status changed. A weekly fleet audit saved as JSON
//! shows what changed since the last one.
//!
//! The reports are read as data (bounded, never trusted): every string printed is escaped at
//! the output edge; the findings' messages and snippets were masked when the reports were
//! written.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Read, Write};
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::policy::Severity;
use crate::report::escape::terminal;

/// The largest report read (a fleet's JSON with every result is tens of MiB; parsed, a
/// report takes several times its size in memory).
pub const MAX_REPORT_SIZE: u64 = 256 * 1024 * 1024;

/// A JSON report as read: its findings, results and rollups.
pub struct Loaded {
    findings: Vec<Value>,
    results: Option<Vec<Value>>,
    compliance: Vec<Value>,
}

/// Reads `path` as a preflight JSON report (`--format json`, schema version 1).
pub fn load(path: &Path) -> Result<Loaded, String> {
    let name = path.display();
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {name}: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_REPORT_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {name}: {e}"))?;
    if bytes.len() as u64 > MAX_REPORT_SIZE {
        return Err(format!(
            "{name} is larger than {MAX_REPORT_SIZE} bytes: not a report preflight wrote"
        ));
    }
    let doc: Value = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{name} is not JSON ({e}); `preflight diff` compares reports written with `--format json`"))?;
    if doc["tool"]["name"] != "preflight"
        || doc["schema_version"] != crate::report::json::SCHEMA_VERSION
    {
        return Err(format!(
            "{name} is not a preflight JSON report of schema version {} (written with `--format json`)",
            crate::report::json::SCHEMA_VERSION
        ));
    }
    let list = |field: &str| -> Result<Option<Vec<Value>>, String> {
        match &doc[field] {
            Value::Null => Ok(None),
            Value::Array(items) => Ok(Some(items.clone())),
            _ => Err(format!("{name}: `{field}` is not a list")),
        }
    };
    let findings = list("findings")?.ok_or_else(|| format!("{name}: no `findings`"))?;
    for finding in &findings {
        if finding["fingerprint"].as_str().is_none() || finding["rule_id"].as_str().is_none() {
            return Err(format!(
                "{name}: a finding without `fingerprint` or `rule_id`"
            ));
        }
    }
    Ok(Loaded {
        findings,
        results: list("results")?,
        compliance: list("compliance")?.unwrap_or_default(),
    })
}

/// Whether a finding counts (not suppressed inline, not recorded in a baseline).
fn is_active(finding: &Value) -> bool {
    finding["suppression"].is_null() && finding["baseline"] != "unchanged"
}

fn severity(finding: &Value) -> Severity {
    Severity::ALL
        .into_iter()
        .find(|s| finding["severity"] == s.as_str())
        .unwrap_or(Severity::Info)
}

fn text<'a>(value: &'a Value, field: &str) -> &'a str {
    value[field].as_str().unwrap_or("")
}

/// A status that changed between the reports.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StatusChange {
    /// `newly_failing` (fails now, did not), `fixed` (failed, passes or does not apply
    /// now), or `changed` (any other change, e.g. pass → not_evaluated).
    pub change: &'static str,
    /// The framework (controls only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub framework: Option<String>,
    /// The control's id, or the rule's.
    pub id: String,
    /// The file or host.
    pub target: String,
    /// Its status in the old report (`absent` when it had none there).
    pub old: String,
    /// Its status in the new report (`absent` when it has none there).
    pub new: String,
}

/// Counts of one kind of comparison.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    /// Failing now, not before.
    pub newly_failing: usize,
    /// Failing before, not now.
    pub fixed: usize,
    /// Another change of status.
    pub changed: usize,
    /// The same status in both.
    pub unchanged: usize,
}

/// The comparison.
#[derive(Debug, Serialize)]
pub struct Diff {
    /// Counts.
    pub summary: Summary,
    /// Active findings of the new report that were not active in the old one.
    pub new: Vec<Value>,
    /// Active findings of the old report that the new one does not have.
    pub fixed: Vec<Value>,
    /// Active findings of the old report that the new one has, suppressed or baselined.
    pub waived: Vec<Value>,
    /// Active in both (as the new report has them).
    pub unchanged: Vec<Value>,
    /// Controls whose status on a target changed (both reports with the framework).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<StatusChange>,
    /// Rule results whose status changed (both reports with `--results all`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub results: Vec<StatusChange>,
}

/// The counts of a [`Diff`].
#[derive(Debug, Serialize)]
pub struct Summary {
    /// Findings: new, fixed, waived, unchanged.
    pub findings: FindingCounts,
    /// Controls per target, when both reports have rollups of the same framework.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub controls: Option<Counts>,
    /// Rule results, when both reports have them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results: Option<Counts>,
    /// Per framework in both reports: its totals (controls passed, failed, …) then and now.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub frameworks: Vec<FrameworkTotals>,
}

/// A framework's totals in the old and the new report (`compliance[].totals`).
#[derive(Debug, Serialize)]
pub struct FrameworkTotals {
    /// The framework's id.
    pub id: String,
    /// Its totals in the old report.
    pub old: Value,
    /// Its totals in the new report.
    pub new: Value,
}

/// Finding counts.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct FindingCounts {
    /// See [`Diff::new`].
    pub new: usize,
    /// See [`Diff::fixed`].
    pub fixed: usize,
    /// See [`Diff::waived`].
    pub waived: usize,
    /// See [`Diff::unchanged`].
    pub unchanged: usize,
}

/// Compares two reports.
pub fn diff(old: &Loaded, new: &Loaded) -> Diff {
    // Fingerprints of each report, with how often each occurs (a fingerprint repeats only
    // in a report merged from several runs; each occurrence is matched once).
    let index = |findings: &[Value]| {
        let mut by: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, f) in findings.iter().enumerate() {
            by.entry(text(f, "fingerprint").to_owned())
                .or_default()
                .push(i);
        }
        by
    };
    let old_index = index(&old.findings);
    let new_index = index(&new.findings);
    let mut out = Diff {
        summary: Summary {
            findings: FindingCounts::default(),
            controls: None,
            results: None,
            frameworks: Vec::new(),
        },
        new: Vec::new(),
        fixed: Vec::new(),
        waived: Vec::new(),
        unchanged: Vec::new(),
        controls: Vec::new(),
        results: Vec::new(),
    };
    for (fingerprint, old_at) in &old_index {
        let new_at = new_index
            .get(fingerprint)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for (k, &i) in old_at.iter().enumerate() {
            let before = &old.findings[i];
            if !is_active(before) {
                continue;
            }
            match new_at.get(k).map(|&j| &new.findings[j]) {
                None => out.fixed.push(before.clone()),
                Some(after) if is_active(after) => out.unchanged.push(after.clone()),
                Some(after) => out.waived.push(after.clone()),
            }
        }
    }
    for (fingerprint, new_at) in &new_index {
        let old_at = old_index
            .get(fingerprint)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for (k, &j) in new_at.iter().enumerate() {
            let after = &new.findings[j];
            let was_active = old_at.get(k).is_some_and(|&i| is_active(&old.findings[i]));
            if is_active(after) && !was_active {
                out.new.push(after.clone());
            }
        }
    }
    for list in [
        &mut out.new,
        &mut out.fixed,
        &mut out.waived,
        &mut out.unchanged,
    ] {
        sort_findings(list);
    }
    out.summary.findings = FindingCounts {
        new: out.new.len(),
        fixed: out.fixed.len(),
        waived: out.waived.len(),
        unchanged: out.unchanged.len(),
    };
    if let (Some(before), Some(after)) = (&old.results, &new.results) {
        let statuses = |results: &[Value]| -> BTreeMap<(String, String), String> {
            results
                .iter()
                .map(|r| {
                    (
                        (text(r, "rule_id").to_owned(), result_target(r)),
                        text(r, "status").to_owned(),
                    )
                })
                .collect()
        };
        let (counts, changes) = compare(&statuses(before), &statuses(after), None);
        out.summary.results = Some(counts);
        out.results = changes;
    }
    let rollups = |report: &Loaded| -> BTreeMap<String, BTreeMap<(String, String), String>> {
        report
            .compliance
            .iter()
            .map(|rollup| {
                let mut statuses = BTreeMap::new();
                for target in rollup["targets"].as_array().into_iter().flatten() {
                    for control in target["controls"].as_array().into_iter().flatten() {
                        statuses.insert(
                            (
                                text(control, "control").to_owned(),
                                text(target, "target").to_owned(),
                            ),
                            text(control, "status").to_owned(),
                        );
                    }
                }
                (text(&rollup["framework"], "id").to_owned(), statuses)
            })
            .collect()
    };
    let (before, after) = (rollups(old), rollups(new));
    for (framework, after) in &after {
        let Some(before) = before.get(framework) else {
            continue;
        };
        let (counts, changes) = compare(before, after, Some(framework));
        let total = out.summary.controls.get_or_insert_with(Counts::default);
        total.newly_failing += counts.newly_failing;
        total.fixed += counts.fixed;
        total.changed += counts.changed;
        total.unchanged += counts.unchanged;
        out.controls.extend(changes);
    }
    for rollup in &new.compliance {
        let id = text(&rollup["framework"], "id");
        if let Some(earlier) = old
            .compliance
            .iter()
            .find(|r| text(&r["framework"], "id") == id)
        {
            out.summary.frameworks.push(FrameworkTotals {
                id: id.to_owned(),
                old: earlier["totals"].clone(),
                new: rollup["totals"].clone(),
            });
        }
    }
    out
}

/// Most severe first, then by place.
fn sort_findings(findings: &mut [Value]) {
    findings.sort_by(|a, b| {
        severity(b).cmp(&severity(a)).then_with(|| {
            let place = |f: &Value| {
                (
                    text(&f["location"], "path").to_owned(),
                    f["location"]["start_line"].as_u64().unwrap_or(0),
                    text(f, "rule_id").to_owned(),
                )
            };
            place(a).cmp(&place(b))
        })
    });
}

/// Where a result belongs, as [`crate::results::RuleResult::target`] says it.
fn result_target(result: &Value) -> String {
    match (result["host"].as_str(), result["path"].as_str()) {
        (_, Some(path)) => path.to_owned(),
        (Some(host), None) => format!("ssh://{host}"),
        (None, None) => "(scan)".to_owned(),
    }
}

/// Compares `(id, target) → status` maps.
fn compare(
    before: &BTreeMap<(String, String), String>,
    after: &BTreeMap<(String, String), String>,
    framework: Option<&String>,
) -> (Counts, Vec<StatusChange>) {
    let mut counts = Counts::default();
    let mut changes = Vec::new();
    let keys: std::collections::BTreeSet<&(String, String)> =
        before.keys().chain(after.keys()).collect();
    for key in keys {
        let old = before.get(key).map_or("absent", String::as_str);
        let new = after.get(key).map_or("absent", String::as_str);
        if old == new {
            counts.unchanged += 1;
            continue;
        }
        let change = if new == "fail" {
            counts.newly_failing += 1;
            "newly_failing"
        } else if old == "fail" && matches!(new, "pass" | "not_applicable" | "absent") {
            counts.fixed += 1;
            "fixed"
        } else {
            counts.changed += 1;
            "changed"
        };
        changes.push(StatusChange {
            change,
            framework: framework.cloned(),
            id: key.0.clone(),
            target: key.1.clone(),
            old: old.to_owned(),
            new: new.to_owned(),
        });
    }
    // Newly failing first, then fixed, then the rest.
    let rank = |c: &StatusChange| match c.change {
        "newly_failing" => 0,
        "fixed" => 1,
        _ => 2,
    };
    changes.sort_by_key(rank);
    (counts, changes)
}

/// Whether a new finding is at least as severe as `threshold`.
pub fn fails(diff: &Diff, threshold: Option<Severity>) -> bool {
    threshold.is_some_and(|t| diff.new.iter().any(|f| severity(f) >= t))
}

/// The comparison as JSON (schema version 1).
pub fn write_json(diff: &Diff, out: &mut dyn Write) -> io::Result<()> {
    #[derive(Serialize)]
    struct Doc<'a> {
        schema_version: u32,
        tool: &'static str,
        #[serde(flatten)]
        diff: &'a Diff,
    }
    crate::report::write_pretty_json(
        out,
        &Doc {
            schema_version: 1,
            tool: "preflight diff",
            diff,
        },
    )
}

/// The comparison for people: per kind (findings, controls, results) the counts, then a
/// line per new, fixed and waived finding and per changed status (unchanged ones are
/// counted, not listed).
pub fn write_human(diff: &Diff, out: &mut dyn Write) -> io::Result<()> {
    let f = diff.summary.findings;
    writeln!(
        out,
        "Findings: {} new, {} fixed, {} waived (suppressed or baselined now), {} unchanged.",
        f.new, f.fixed, f.waived, f.unchanged
    )?;
    for (label, list) in [
        ("new", &diff.new),
        ("fixed", &diff.fixed),
        ("waived", &diff.waived),
    ] {
        for finding in list {
            writeln!(
                out,
                "  {label:<6} {}[{}] {}:{}:{}: {}",
                severity(finding),
                terminal(text(finding, "rule_id")),
                terminal(text(&finding["location"], "path")),
                finding["location"]["start_line"].as_u64().unwrap_or(0),
                finding["location"]["start_column"].as_u64().unwrap_or(0),
                terminal(text(finding, "message"))
            )?;
        }
    }
    for framework in &diff.summary.frameworks {
        let count = |totals: &Value, field: &str| totals[field].as_u64().unwrap_or(0);
        let parts: Vec<String> = [
            ("passed", "passed"),
            ("failed", "failed"),
            ("not_applicable", "not applicable"),
            ("not_evaluated", "not evaluated"),
        ]
        .iter()
        .map(|(field, label)| {
            let (old, new) = (count(&framework.old, field), count(&framework.new, field));
            if old == new {
                format!("{new} {label}")
            } else {
                format!("{old} → {new} {label}")
            }
        })
        .collect();
        writeln!(
            out,
            "Framework {}: {} (controls, over every target).",
            terminal(&framework.id),
            parts.join(", ")
        )?;
    }
    for (what, counts, changes) in [
        (
            "Controls (control × target)",
            diff.summary.controls,
            &diff.controls,
        ),
        (
            "Results (rule × target)",
            diff.summary.results,
            &diff.results,
        ),
    ] {
        let Some(c) = counts else { continue };
        writeln!(
            out,
            "{what}: {} newly failing, {} fixed, {} changed otherwise, {} unchanged.",
            c.newly_failing, c.fixed, c.changed, c.unchanged
        )?;
        for change in changes {
            let id = match &change.framework {
                Some(framework) => format!("{} {}", terminal(framework), terminal(&change.id)),
                None => terminal(&change.id).into_owned(),
            };
            writeln!(
                out,
                "  {:<13} {id} on {}: {} → {}",
                change.change.replace('_', " "),
                terminal(&change.target),
                terminal(&change.old),
                terminal(&change.new)
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn finding(fingerprint: &str, severity: &str, suppressed: bool) -> Value {
        json!({
            "rule_id": "X001", "severity": severity, "message": "m",
            "location": {"path": "a", "start_line": 1, "start_column": 1},
            "fingerprint": fingerprint,
            "suppression": if suppressed { json!({"reason": "r", "line": 1}) } else { Value::Null },
        })
    }

    fn loaded(findings: Vec<Value>) -> Loaded {
        Loaded {
            findings,
            results: None,
            compliance: Vec::new(),
        }
    }

    #[test]
    fn findings_are_matched_by_fingerprint() {
        let old = loaded(vec![
            finding("kept", "high", false),
            finding("gone", "low", false),
            finding("waived", "medium", false),
            finding("was-waived", "high", true),
        ]);
        let new = loaded(vec![
            finding("kept", "high", false),
            finding("waived", "medium", true),
            finding("was-waived", "high", false),
            finding("fresh", "critical", false),
        ]);
        let d = diff(&old, &new);
        let prints = |list: &[Value]| -> Vec<String> {
            list.iter()
                .map(|f| text(f, "fingerprint").to_owned())
                .collect()
        };
        assert_eq!(prints(&d.new), ["fresh", "was-waived"]);
        assert_eq!(prints(&d.fixed), ["gone"]);
        assert_eq!(prints(&d.waived), ["waived"]);
        assert_eq!(prints(&d.unchanged), ["kept"]);
        assert!(fails(&d, Some(Severity::Critical)));
        assert!(!fails(&loaded_diff_without_new(), Some(Severity::Info)));
    }

    fn loaded_diff_without_new() -> Diff {
        let old = loaded(vec![finding("a", "critical", false)]);
        diff(&old, &loaded(Vec::new()))
    }

    #[test]
    fn status_changes_are_classified() {
        let map = |pairs: &[(&str, &str)]| -> BTreeMap<(String, String), String> {
            pairs
                .iter()
                .map(|(id, s)| ((id.to_string(), "t".to_owned()), s.to_string()))
                .collect()
        };
        let (counts, changes) = compare(
            &map(&[
                ("a", "pass"),
                ("b", "fail"),
                ("c", "pass"),
                ("d", "pass"),
                ("e", "fail"),
            ]),
            &map(&[
                ("a", "fail"),
                ("b", "pass"),
                ("c", "not_evaluated"),
                ("d", "pass"),
                ("f", "fail"),
            ]),
            None,
        );
        assert_eq!(
            counts,
            Counts {
                newly_failing: 2,
                fixed: 2,
                changed: 1,
                unchanged: 1
            }
        );
        let kinds: Vec<(&str, &str)> = changes.iter().map(|c| (c.id.as_str(), c.change)).collect();
        assert_eq!(
            kinds,
            [
                ("a", "newly_failing"),
                ("f", "newly_failing"),
                ("b", "fixed"),
                ("e", "fixed"),
                ("c", "changed")
            ]
        );
    }
}
