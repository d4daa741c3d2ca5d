//! What a scan produces: findings (a rule matched, with an exact location) and diagnostics
//! (a file could not be read). Reporters only ever see these types.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::Serialize;

use crate::policy::Severity;

/// Text that many findings hold the same (the path of the file they are in): one allocation
/// per file, not one per finding. Reads, compares and serialises as the `str` it holds.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SharedText(Arc<str>);

impl SharedText {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for SharedText {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<std::path::Path> for SharedText {
    fn as_ref(&self) -> &std::path::Path {
        std::path::Path::new(&*self.0)
    }
}

impl fmt::Debug for SharedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for SharedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl Serialize for SharedText {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl From<&str> for SharedText {
    fn from(text: &str) -> Self {
        Self(Arc::from(text))
    }
}

impl PartialEq<&str> for SharedText {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for SharedText {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

/// Where in a file something is: 1-based lines and columns (columns in characters), the end
/// being exclusive, as SARIF and editors expect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// Path as shown to users: relative to the working directory when below it, `/`-separated.
    pub path: SharedText,
    /// First line.
    pub start_line: usize,
    /// First column.
    pub start_column: usize,
    /// Last line.
    pub end_line: usize,
    /// Column just past the end.
    pub end_column: usize,
}

/// A second place that explains a finding ("first defined here").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelatedLocation {
    /// Where.
    #[serde(flatten)]
    pub location: Location,
    /// Why it is related.
    pub message: String,
    /// Its lines, secrets masked, when the rule shows them (the other side of a difference).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<Snippet>,
}

/// The source lines of a finding's primary location, with every secret value masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    /// Line number of the first line in `text`.
    pub first_line: usize,
    /// The lines, `\n`-separated, secrets replaced by `*`s of the same length so columns
    /// still line up.
    pub text: String,
}

/// An inline `# preflight: ignore[ID] reason` that silenced a finding. Suppressed findings
/// stay in machine-readable reports, so an audit can see what was waived and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppression {
    /// The reason written in the comment.
    pub reason: String,
    /// 1-based line of the comment.
    pub line: usize,
}

/// One violation of one rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The rule's id.
    pub rule_id: String,
    /// The severity in effect.
    pub severity: Severity,
    /// What is wrong and what to write instead. Never contains a secret value.
    pub message: String,
    /// The exact place.
    pub location: Location,
    /// Other places that explain it.
    pub related: Vec<RelatedLocation>,
    /// The redacted source lines.
    pub snippet: Snippet,
    /// Stable identity: rule + file + logical key (not the line), so it survives edits above.
    pub fingerprint: String,
    /// Set when an inline comment waived it.
    pub suppression: Option<Suppression>,
    /// Set when the run compared findings with a baseline (`--baseline`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineState>,
    /// What the file is for; production-only rules give other roles at most `info`.
    pub role: crate::role::Role,
    /// The audited host (`prod-1`) for findings of `preflight audit host`, also when the
    /// finding is shown on the repository file that deploys the host's file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

impl Finding {
    /// Whether the finding counts: not suppressed inline, not already in the baseline.
    pub fn is_active(&self) -> bool {
        self.suppression.is_none() && !self.is_baselined()
    }

    /// Whether the finding was recorded in the baseline the run compared with.
    pub fn is_baselined(&self) -> bool {
        self.baseline == Some(BaselineState::Unchanged)
    }
}

/// Why a file was not checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiagnosticKind {
    /// Permission denied or another I/O error.
    Unreadable,
    /// Larger than `max_file_size`.
    TooLarge,
    /// Looks binary (NUL bytes).
    Binary,
    /// A symbolic link loop, or a link to nowhere.
    BrokenLink,
    /// Named explicitly on the command line but of no kind preflight checks.
    Unrecognised,
    /// A template or tool input (a Helm template, a kustomization) that is only checkable
    /// once rendered.
    Template,
    /// A live host's command or file the snapshot could not read (missing, not permitted,
    /// timed out): a note, not a failure of the host.
    UnableToCheck,
    /// A live host that could not be audited at all (unreachable, authentication failed,
    /// host key refused, timed out, connection lost).
    HostNotAudited,
    /// A live host audited only in part: collections that exist there failed (not
    /// permitted, timed out), so what they would show is missing. The gate exits 2 unless
    /// `--allow-partial`.
    HostPartlyAudited,
}

impl DiagnosticKind {
    /// Whether it is about a whole live host (not audited, partly audited), not one file.
    pub fn is_about_a_host(self) -> bool {
        matches!(self, Self::HostNotAudited | Self::HostPartlyAudited)
    }
}

/// A file preflight could not check, and why. Reported next to the findings, never fatal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The file (display path).
    pub path: String,
    /// The category.
    pub kind: DiagnosticKind,
    /// The details.
    pub message: String,
    /// What the file is for, when it was scanned as a file of a tree (not a live host's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<crate::role::Role>,
}

/// Counts of active findings by severity, most severe first.
pub fn count_by_severity(findings: &[Finding]) -> Vec<(Severity, usize)> {
    Severity::ALL
        .iter()
        .map(|s| {
            (
                *s,
                findings
                    .iter()
                    .filter(|f| f.is_active() && f.severity == *s)
                    .count(),
            )
        })
        .collect()
}

/// Whether a finding was already in the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BaselineState {
    /// Not in the baseline: it counts.
    New,
    /// Recorded in the baseline: shown apart, not gated on.
    Unchanged,
}
