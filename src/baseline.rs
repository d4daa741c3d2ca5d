//! Baselines: adopt preflight on a project with known findings and fail only on new ones.
//!
//! `--write-baseline FILE` records today's active findings by fingerprint (rule, file and
//! logical key — never a line number, so findings survive code moving around them);
//! `--baseline FILE` marks findings already recorded as *unchanged*, which reporters show
//! apart and the gate ignores, and counts the recorded ones that are gone as *fixed*. The
//! file holds no secret: messages are already scrubbed and snippets are not stored.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::finding::BaselineState;
use crate::finding::Finding;

/// Version of the baseline file format.
const VERSION: u32 = 1;

/// The file `--write-baseline` writes and `--baseline` reads.
#[derive(Debug, Serialize, Deserialize)]
pub struct BaselineFile {
    /// Format version.
    pub version: u32,
    /// The findings recorded.
    pub findings: Vec<BaselineEntry>,
}

/// One recorded finding. Only the fingerprint is compared; the rest tells a reviewer of the
/// file what was accepted.
#[derive(Debug, Serialize, Deserialize)]
pub struct BaselineEntry {
    /// The finding's fingerprint.
    pub fingerprint: String,
    /// Its rule.
    pub rule_id: String,
    /// Its file.
    pub path: String,
    /// Its message when it was recorded.
    pub message: String,
}

/// What comparing a scan with a baseline found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BaselineSummary {
    /// Active findings not in the baseline.
    pub new: usize,
    /// Findings in the baseline and still present.
    pub unchanged: usize,
    /// Findings in the baseline that are gone.
    pub fixed: usize,
}

impl BaselineFile {
    /// The active findings of a scan, as a baseline.
    pub fn from_findings(findings: &[Finding]) -> Self {
        let mut entries: Vec<BaselineEntry> = findings
            .iter()
            .filter(|f| f.suppression.is_none())
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint.clone(),
                rule_id: f.rule_id.clone(),
                path: f.location.path.to_string(),
                message: f.message.clone(),
            })
            .collect();
        entries.sort_by(|a, b| {
            (&a.path, &a.rule_id, &a.fingerprint).cmp(&(&b.path, &b.rule_id, &b.fingerprint))
        });
        Self {
            version: VERSION,
            findings: entries,
        }
    }

    /// Reads a baseline file; errors name the file and say what is wrong.
    pub fn read(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read baseline {}: {e}", path.display()))?;
        let file: Self = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{}:{}:{}: not a preflight baseline: {e}",
                path.display(),
                e.line(),
                e.column()
            )
        })?;
        if file.version != VERSION {
            return Err(format!(
                "{}: baseline version {} is not supported (expected {VERSION}); write it again with --write-baseline",
                path.display(),
                file.version
            ));
        }
        Ok(file)
    }

    /// Writes the baseline as pretty JSON (one entry per line block, easy to review).
    pub fn write(&self, path: &Path) -> Result<(), String> {
        let mut text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        text.push('\n');
        std::fs::write(path, text)
            .map_err(|e| format!("cannot write baseline {}: {e}", path.display()))
    }

    /// Marks each finding new or unchanged and counts what was fixed.
    pub fn apply(&self, findings: &mut [Finding]) -> BaselineSummary {
        let recorded: HashSet<&str> = self
            .findings
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect();
        let mut present = HashSet::new();
        let mut summary = BaselineSummary::default();
        for finding in findings.iter_mut().filter(|f| f.suppression.is_none()) {
            if recorded.contains(finding.fingerprint.as_str()) {
                present.insert(finding.fingerprint.clone());
                finding.baseline = Some(BaselineState::Unchanged);
                summary.unchanged += 1;
            } else {
                finding.baseline = Some(BaselineState::New);
                summary.new += 1;
            }
        }
        summary.fixed = recorded.iter().filter(|f| !present.contains(**f)).count();
        summary
    }
}
