//! GitHub Actions workflow commands: `::error file=…,line=…::message` lines that GitHub
//! turns into annotations on the pull request's diff. Most severe first, because GitHub
//! shows only the first annotations of a step.

use std::io::{self, Write};

use crate::finding::Finding;
use crate::policy::Severity;
use crate::report::Report;

/// Escapes a property value (`file=`, `title=`): `%`, CR, LF, `:` and `,` are special.
fn escape_property(value: &str) -> String {
    escape_data(value).replace(':', "%3A").replace(',', "%2C")
}

/// Escapes the message: `%`, CR and LF are special.
fn escape_data(value: &str) -> String {
    value
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "notice",
    }
}

/// Writes one workflow command per active finding.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut active: Vec<&Finding> = report.findings.iter().filter(|f| f.is_active()).collect();
    active.sort_by_key(|f| std::cmp::Reverse(f.severity));
    for f in active {
        let loc = &f.location;
        let title = report
            .catalog
            .get(&f.rule_id)
            .map_or_else(|| f.rule_id.clone(), |r| format!("{} {}", r.id, r.title));
        writeln!(
            out,
            "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            command(f.severity),
            escape_property(&loc.path),
            loc.start_line,
            loc.start_column,
            loc.end_line,
            loc.end_column,
            escape_property(&title),
            escape_data(&format!("[{}] {}", f.severity, f.message))
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_workflow_command_syntax() {
        assert_eq!(escape_property("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
        assert_eq!(escape_data("50%\r\nnext"), "50%25%0D%0Anext");
    }
}
