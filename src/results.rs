//! Evaluation results: for every enabled rule and every file (or host) it could judge,
//! whether it passed, failed, did not apply or could not be evaluated, and why.
//!
//! Findings say what is wrong; results say what was checked. They are opt-in
//! (`--results all`, or `--framework`), because a scan of a large tree judges millions of
//! (rule, file) pairs. One result is kept per (rule, file) — counts and at most
//! [`MAX_REASONS`] reasons, never an object per check — so memory grows with files × rules
//! that apply to them, not with what the checks look at.

use serde::Serialize;

use crate::role::Role;

/// How a rule fared on one file or host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Judged, nothing found.
    Pass,
    /// Judged, at least one finding (suppressed ones included: a waiver is recorded, not
    /// turned into a pass).
    Fail,
    /// Nothing for the rule to judge: no file of its kinds, or a file of a role the rule
    /// does not judge.
    NotApplicable,
    /// The rule could not judge it: a value only the runtime knows, a file that did not
    /// parse, a template, a file that could not be read.
    NotEvaluated,
}

impl Status {
    /// Every status, in report order.
    pub const ALL: [Status; 4] = [
        Status::Pass,
        Status::Fail,
        Status::NotApplicable,
        Status::NotEvaluated,
    ];

    /// The name used in every report (`not_applicable`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NotApplicable => "not_applicable",
            Status::NotEvaluated => "not_evaluated",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Most distinct reasons kept per (rule, file); `reasons_left_out` counts the rest.
pub const MAX_REASONS: usize = 3;

/// One rule on one file (or, when `path` is `None`, on a whole scan or host that has no
/// file of the rule's kinds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleResult {
    /// The rule's id.
    pub rule_id: String,
    /// The file judged, as findings show it; `None` for a rule with nothing to judge.
    pub path: Option<String>,
    /// The audited host, for results of `preflight audit` (`prod-1`, `local`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The file's role (set by the CLI like a finding's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// The outcome.
    pub status: Status,
    /// Findings of the rule in this file, suppressed ones included.
    pub findings: usize,
    /// Why it did not apply or could not be evaluated (masked like every message).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// Distinct reasons beyond [`MAX_REASONS`] not kept.
    #[serde(skip_serializing_if = "is_zero")]
    pub reasons_left_out: usize,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl RuleResult {
    /// Adds `reason` unless it is already there; beyond [`MAX_REASONS`] it is only counted.
    pub fn add_reason(&mut self, reason: String) {
        if self.reasons.contains(&reason) {
            return;
        }
        if self.reasons.len() < MAX_REASONS {
            self.reasons.push(reason);
        } else {
            self.reasons_left_out += 1;
        }
    }

    /// Where the result belongs: its host, or its file, or `(scan)`.
    pub fn target(&self) -> String {
        match (&self.host, &self.path) {
            (_, Some(path)) => path.clone(),
            (Some(host), None) => format!("ssh://{host}"),
            (None, None) => "(scan)".to_owned(),
        }
    }
}

/// The host a display path belongs to: `prod-1` for `ssh://prod-1/etc/…`.
pub fn host_of(path: &str) -> Option<&str> {
    path.strip_prefix("ssh://")
        .and_then(|rest| rest.split('/').next())
}

/// Counts of results by status, in [`Status::ALL`] order.
pub fn count_by_status<'a>(results: impl IntoIterator<Item = &'a RuleResult>) -> [usize; 4] {
    let mut counts = [0; 4];
    for result in results {
        counts[result.status as usize] += 1;
    }
    counts
}
