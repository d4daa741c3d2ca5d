//! Reporters turn findings into output for people and machines. They know nothing of the
//! file formats that were checked: everything they print comes from [`Finding`]s,
//! [`Diagnostic`]s and the [`Catalog`].

use std::io::{self, Write};
use std::path::Path;

use crate::baseline::BaselineSummary;
use crate::compliance::Rollup;
use crate::config::ConfigInEffect;
use crate::finding::{Diagnostic, Finding};
use crate::policy::Catalog;
use crate::results::RuleResult;

pub mod codequality;
pub mod escape;
pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
mod pretty;
pub mod sarif;

/// Everything a reporter may print.
pub struct Report<'a> {
    /// All findings, suppressed ones included, sorted by path and position.
    pub findings: &'a [Finding],
    /// Files that could not be checked.
    pub diagnostics: &'a [Diagnostic],
    /// The rules (for titles, help text, references).
    pub catalog: &'a Catalog,
    /// How many files were checked.
    pub files_checked: usize,
    /// The directory display paths are relative to (SARIF's `%SRCROOT%`).
    pub root: &'a Path,
    /// The comparison with `--baseline`, when the run made one.
    pub baseline: Option<BaselineSummary>,
    /// The configuration file in effect and what it relaxed (every report names it).
    pub configuration: Option<&'a ConfigInEffect>,
    /// Every rule's result on every file, when the run recorded them (`--results all`).
    pub results: Option<&'a [RuleResult]>,
    /// The rollups of the frameworks named with `--framework`.
    pub compliance: &'a [Rollup],
    /// Where the repository names each audited host (SARIF shows a host's findings there).
    pub hosts: &'a [crate::config::HostAnchor],
    /// The name of the machine `audit local` audited: its findings are at absolute paths
    /// of that machine, not of the repository (SARIF shows them as that host's).
    pub local_host: Option<&'a str>,
}

/// The output formats `--format` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Code frames for people.
    Human,
    /// A documented, stable JSON document for scripts.
    Json,
    /// SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…::`), annotations on a PR's diff.
    Github,
    /// A Markdown summary (totals and a table), for `$GITHUB_STEP_SUMMARY`.
    Markdown,
    /// GitLab Code Quality (Code Climate JSON), shown in merge requests.
    Codequality,
    /// JUnit XML: a test case per control and target with `--framework`, else per rule and
    /// file; for CI test reports (GitLab, Jenkins, Azure).
    Junit,
    /// One self-contained HTML page (no external requests): summary, framework bars, a
    /// target × control matrix, findings with code frames; filters and sorting.
    Html,
}

impl Format {
    /// The format a report file's name asks for: `.sarif` (and `.sarif.json`) SARIF,
    /// `.json` JSON, `.xml` JUnit, `.md` Markdown, `.html` HTML; anything else, and standard
    /// output, human.
    pub fn for_output(path: Option<&std::path::Path>) -> Self {
        let name = path
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if name.ends_with(".sarif") || name.ends_with(".sarif.json") {
            Self::Sarif
        } else if name.ends_with(".json") {
            Self::Json
        } else if name.ends_with(".xml") {
            Self::Junit
        } else if name.ends_with(".html") || name.ends_with(".htm") {
            Self::Html
        } else if name.ends_with(".md") || name.ends_with(".markdown") {
            Self::Markdown
        } else {
            Self::Human
        }
    }
}

/// Options that change how a report looks, not what it says.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// ANSI colours in human output.
    pub color: bool,
    /// Only the summary line in human output.
    pub quiet: bool,
}

/// `value` as pretty JSON and a newline on `out`, through a buffer of its own: serde
/// writes token by token, and through `dyn Write` each token was a call that could not be
/// inlined (a report of 45,000 findings: two million calls, 3% of the scan's instructions).
pub(crate) fn write_pretty_json(
    out: &mut dyn Write,
    value: &impl serde::Serialize,
) -> io::Result<()> {
    let mut buffered = io::BufWriter::with_capacity(1 << 16, out);
    let mut serializer = serde_json::Serializer::with_formatter(&mut buffered, Indented::default());
    value.serialize(&mut serializer)?;
    writeln!(buffered)?;
    buffered.flush()
}

/// serde_json's pretty layout (two spaces a level), each line break written with its
/// indentation in one piece: serde_json's own formatter writes two spaces at a time, a
/// tenth of a large report's serialisation.
#[derive(Default)]
struct Indented {
    level: usize,
    has_value: bool,
}

/// `,\n` and the indentation of 64 levels.
const LINE_BREAKS: [u8; 130] = {
    let mut bytes = [b' '; 130];
    bytes[0] = b',';
    bytes[1] = b'\n';
    bytes
};

impl Indented {
    /// Layout nested `level` deep, for a value written inside one laid out by hand
    /// ([`pretty::Pretty`]).
    fn at(level: usize) -> Self {
        Self {
            level,
            has_value: false,
        }
    }

    /// A line break (after a comma when `comma`) and the current indentation. Inlined: a
    /// hand-written report breaks a line for every field.
    #[inline]
    fn line_break<W: ?Sized + Write>(&self, writer: &mut W, comma: bool) -> io::Result<()> {
        let start = usize::from(!comma);
        match LINE_BREAKS.get(start..2 + 2 * self.level) {
            Some(bytes) => writer.write_all(bytes),
            None => {
                writer.write_all(&LINE_BREAKS[start..2])?;
                (0..self.level).try_for_each(|_| writer.write_all(b"  "))
            }
        }
    }

    fn open<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        writer.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.line_break(writer, false)?;
        }
        writer.write_all(bracket)
    }
}

impl serde_json::ser::Formatter for Indented {
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.line_break(writer, !first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.line_break(writer, !first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Writes `report` in `format`. Warnings about the output itself (e.g. SARIF results cut to
/// fit GitHub's limits) are returned for the caller to print on stderr.
pub fn write(
    format: Format,
    report: &Report,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<Vec<String>> {
    match format {
        Format::Human => human::write(report, style, out).map(|()| Vec::new()),
        Format::Json => json::write(report, out).map(|()| Vec::new()),
        Format::Sarif => sarif::write(report, out),
        Format::Github => github::write(report, out).map(|()| Vec::new()),
        Format::Markdown => markdown::write(report, out).map(|()| Vec::new()),
        Format::Codequality => codequality::write(report, out).map(|()| Vec::new()),
        Format::Junit => junit::write(report, out).map(|()| Vec::new()),
        Format::Html => html::write(report, out).map(|()| Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same bytes as serde_json's pretty printer, nested deeper than the indentation
    /// kept in one piece too.
    #[test]
    fn pretty_json_is_laid_out_as_serde_jsons() {
        let mut deep = serde_json::json!({"leaf": [1, {}, [], "x\n\"y\""]});
        for level in 0..70 {
            deep = serde_json::json!({ "level": level, "empty": [], "next": [deep, {"a": null}] });
        }
        for value in [
            serde_json::json!([]),
            serde_json::json!({}),
            serde_json::json!(1),
            deep,
        ] {
            let mut ours = Vec::new();
            write_pretty_json(&mut ours, &value).expect("written");
            let mut theirs = serde_json::to_vec_pretty(&value).expect("written");
            theirs.push(b'\n');
            assert_eq!(String::from_utf8(ours), String::from_utf8(theirs));
        }
    }
}
