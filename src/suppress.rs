//! Inline suppressions: `# preflight: ignore[ENV012] rotated by vault agent at boot`.
//!
//! A suppression names the rules it silences and must say why; the reason travels with the
//! finding into JSON and SARIF (as a SARIF suppression), so a waiver is visible, not lost.

use std::sync::LazyLock;

use regex::Regex;

use crate::source::{SourceFile, Span};

/// One suppression comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuppressionComment {
    /// Where the comment is.
    pub span: Span,
    /// 0-based line whose findings it silences: its own line when it trails code, the next
    /// line when it stands alone.
    pub target_line: usize,
    /// 0-based line of the comment itself.
    pub line: usize,
    /// The rule ids or names listed in brackets.
    pub rules: Vec<String>,
    /// The justification (may be empty, which makes the comment invalid).
    pub reason: String,
    /// Where the justification is written.
    pub reason_span: Span,
}

static SUPPRESSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:#|//)\s*preflight:\s*ignore\[([^\]]*)\]([^\n]*)").expect("valid regex")
});

/// Finds every suppression comment in a file.
pub fn find(source: &SourceFile) -> Vec<SuppressionComment> {
    // Most files have none: a vectorised search of the whole text rules them out.
    if memchr::memmem::find(source.text.as_bytes(), b"preflight:").is_none() {
        return Vec::new();
    }
    SUPPRESSION
        .captures_iter(&source.text)
        .filter_map(|caps| {
            let whole = caps.get(0)?;
            let line = source.lines.line_of(whole.start());
            let line_span = source.lines.line_span(&source.text, line);
            let before = source.text[line_span.start..whole.start()].trim();
            let target_line = if before.is_empty() { line + 1 } else { line };
            let reason = caps.get(2)?;
            let written = reason.as_str();
            let leading = written.len() - written.trim_start().len();
            let reason_span = Span::new(
                reason.start() + leading,
                reason.start() + written.trim_end().len(),
            );
            let rules = caps[1]
                .split([',', ' '])
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            Some(SuppressionComment {
                span: Span::new(whole.start(), whole.end()),
                target_line,
                line,
                rules,
                reason: written.trim().to_owned(),
                reason_span: Span::new(reason_span.start, reason_span.end.max(reason_span.start)),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comments(text: &str) -> Vec<SuppressionComment> {
        find(&SourceFile::from_bytes(
            "t".into(),
            "t".into(),
            text.as_bytes().to_vec(),
        ))
    }

    #[test]
    fn trailing_comment_targets_its_line_and_standalone_the_next() {
        let c = comments("A=1 # preflight: ignore[ENV001, ENV002] demo only\n# preflight: ignore[ENV003] why\nB=2\n");
        assert_eq!(c.len(), 2);
        assert_eq!((c[0].line, c[0].target_line), (0, 0));
        assert_eq!(c[0].rules, ["ENV001", "ENV002"]);
        assert_eq!(c[0].reason, "demo only");
        assert_eq!((c[1].line, c[1].target_line), (1, 2));
    }

    #[test]
    fn missing_reason_is_kept_empty() {
        assert_eq!(comments("A=1 # preflight: ignore[ENV001]\n")[0].reason, "");
    }
}
