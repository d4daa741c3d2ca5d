//! logrotate's configuration (`/etc/logrotate.conf`, snippets in `/etc/logrotate.d/`),
//! following logrotate's `config.c`: one directive a line; `#` starts a comment at the start
//! of a line; one or more (possibly quoted, possibly globbed) paths followed by `{` open a
//! block that `}` closes; the script directives (`postrotate`, `prerotate`, `firstaction`,
//! `lastaction`, `preremove`) take the following lines verbatim up to `endscript`.
//! Directives outside blocks are the file's defaults for the blocks after them.

use crate::formats::sensitive::{command_sensitive, unreadable_lines, Sensitive};
use crate::formats::Target;
use crate::formats::{lines_with_offsets, quoted_words, ParseError};
use crate::formats::{Classification, FileName, Format, ParseContext};
use crate::source::SourceFile;
use crate::source::Span;
use std::collections::HashMap;
use std::sync::Arc;

/// One word of a directive or a block's path list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogrotateWord {
    /// The word, quotes removed.
    pub value: String,
    /// As written.
    pub span: Span,
}

/// One directive (`create 0640 www-data adm`, `rotate 14`, `daily`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogrotateDirective {
    /// The name in lower case.
    pub name: String,
    /// The name as written.
    pub name_span: Span,
    /// The arguments.
    pub args: Vec<LogrotateWord>,
    /// Index into [`LogrotateConf::blocks`] of the enclosing block; `None` at top level.
    pub block: Option<usize>,
}

/// One `paths { … }` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogrotateBlock {
    /// The log files it rotates.
    pub paths: Vec<LogrotateWord>,
    /// The path list up to the `{`.
    pub header_span: Span,
    /// Indices into [`LogrotateConf::directives`] of its own directives (they are
    /// contiguous: blocks do not nest).
    pub directives: std::ops::Range<usize>,
}

/// A parsed logrotate file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogrotateConf {
    /// Directives in file order, top-level and in blocks.
    pub directives: Vec<LogrotateDirective>,
    /// The blocks in file order.
    pub blocks: Vec<LogrotateBlock>,
    /// What could not be read.
    pub errors: Vec<ParseError>,
    /// Indices of the top-level directives by name, in file order, so that finding the
    /// default a block inherits costs a binary search, not a walk back over the file.
    top_level: HashMap<String, Vec<usize>>,
}

/// Directives whose following lines are a shell script ended by `endscript`.
const SCRIPTS: &[&str] = &[
    "postrotate",
    "prerotate",
    "firstaction",
    "lastaction",
    "preremove",
];

/// Blank-separated words; quotes group, `{` and `}` stand alone.
fn words(line: &str, start: usize) -> Vec<LogrotateWord> {
    quoted_words(line, start, |c| c == '{' || c == '}')
        .into_iter()
        .map(|(value, span)| LogrotateWord { value, span })
        .collect()
}

impl LogrotateConf {
    /// Parses `text`.
    pub fn parse(text: &str) -> Self {
        let mut out = Self::default();
        let mut state = ParseState::default();
        for (start, line) in lines_with_offsets(text) {
            let body = line.trim();
            if state.in_script {
                if body.eq_ignore_ascii_case("endscript") {
                    state.in_script = false;
                }
                continue;
            }
            if body.is_empty() || body.starts_with('#') {
                continue;
            }
            let mut words = words(line, start);
            // `/var/log/wtmp /var/log/btmp {}` and `/x { daily }`: a block on one line
            // (logrotate reads words, not lines). The closing `}` is taken last.
            let closing = if words.len() > 1 && words.last().is_some_and(|w| w.value == "}") {
                words.pop()
            } else {
                None
            };
            // `/x { rotate 3`: the header, then the directive after its `{`.
            let after_brace = match words.iter().position(|w| w.value == "{") {
                Some(brace) if brace + 1 < words.len() => words.split_off(brace + 1),
                _ => Vec::new(),
            };
            out.take_line(&mut state, words);
            out.take_line(&mut state, after_brace);
            if let Some(brace) = closing {
                out.close(&mut state, brace.span);
            }
        }
        if state.current.is_some() {
            out.errors.push(ParseError {
                span: Span::new(text.len(), text.len()),
                message: "a block is not closed with `}`".into(),
            });
        }
        for path in state.pending_paths {
            out.errors.push(ParseError {
                span: path.span,
                message: "a log file path not followed by a `{ … }` block".into(),
            });
        }
        let end = out.directives.len();
        if let Some(open) = state.current {
            out.blocks[open].directives.end = end;
        }
        for (i, directive) in out.directives.iter().enumerate() {
            if directive.block.is_none() {
                out.top_level
                    .entry(directive.name.clone())
                    .or_default()
                    .push(i);
            }
        }
        out
    }

    /// One line's words (a trailing `}` already taken off).
    fn take_line(&mut self, state: &mut ParseState, mut words: Vec<LogrotateWord>) {
        let Some(first) = words.first() else { return };
        if first.value == "}" {
            let span = first.span;
            self.close(state, span);
            return;
        }
        if words.last().is_some_and(|w| w.value == "{") {
            let brace = words.pop().map_or(Span::default(), |w| w.span);
            if state.current.is_some() {
                self.errors.push(ParseError {
                    span: brace,
                    message: "blocks cannot be nested".into(),
                });
                return;
            }
            state.pending_paths.append(&mut words);
            let header_start = state
                .pending_paths
                .first()
                .map_or(brace.start, |w| w.span.start);
            if state.pending_paths.is_empty() {
                self.errors.push(ParseError {
                    span: brace,
                    message: "a block needs at least one log file path before `{`".into(),
                });
            }
            let here = self.directives.len();
            self.blocks.push(LogrotateBlock {
                paths: std::mem::take(&mut state.pending_paths),
                header_span: Span::new(header_start, brace.end),
                directives: here..here,
            });
            state.current = Some(self.blocks.len() - 1);
            return;
        }
        // A path line whose `{` comes on a later line (logrotate allows a list of
        // paths over several lines).
        if first.value.starts_with('/') || first.value.starts_with('~') {
            state.pending_paths.append(&mut words);
            return;
        }
        let name = first.value.to_ascii_lowercase();
        state.in_script = SCRIPTS.contains(&name.as_str());
        let name_span = first.span;
        words.remove(0);
        self.directives.push(LogrotateDirective {
            name,
            name_span,
            args: words,
            block: state.current,
        });
    }

    /// A `}` at `span`: ends the open block, or is an error.
    fn close(&mut self, state: &mut ParseState, span: Span) {
        match state.current.take() {
            Some(open) => self.blocks[open].directives.end = self.directives.len(),
            None => self.errors.push(ParseError {
                span,
                message: "`}` without an open block".into(),
            }),
        }
    }

    /// The directive `name` that applies to block `block`: its own, or the last top-level
    /// one written before the block.
    pub fn applying(&self, block: usize, name: &str) -> Option<&LogrotateDirective> {
        let block = self.blocks.get(block)?;
        let header = block.header_span.start;
        self.directives[block.directives.clone()]
            .iter()
            .rev()
            .find(|d| d.name == name)
            .or_else(|| {
                let defaults = self.top_level.get(name)?;
                let before =
                    defaults.partition_point(|&i| self.directives[i].name_span.start < header);
                Some(&self.directives[defaults[before.checked_sub(1)?]])
            })
    }

    /// The last top-level directive `name`: a file's default for every block after it.
    pub fn last_top_level(&self, name: &str) -> Option<&LogrotateDirective> {
        let defaults = self.top_level.get(name)?;
        Some(&self.directives[*defaults.last()?])
    }
}

/// Where the parser is between lines.
#[derive(Default)]
struct ParseState {
    /// The open block.
    current: Option<usize>,
    /// Inside a `postrotate` … `endscript` script.
    in_script: bool,
    /// Paths read since the last block, waiting for their `{`.
    pending_paths: Vec<LogrotateWord>,
}

impl Format for LogrotateConf {
    /// `logrotate.conf`, `*.logrotate` and every file of `logrotate.d/` but hidden files and
    /// editor backups. Modes and counts, not credentials.
    fn classify(name: &FileName) -> Option<Classification> {
        let snippet = name.parent() == Some("logrotate.d")
            && !name.name.starts_with('.')
            && !name.name.ends_with('~');
        Classification::certain_if(
            name.name == "logrotate.conf" || name.name.ends_with(".logrotate") || snippet,
            Target::Logrotate,
        )
    }

    fn parse(source: &Arc<SourceFile>, _: &ParseContext) -> Self {
        Self::parse(&source.text)
    }

    fn errors(&self) -> &[ParseError] {
        &self.errors
    }

    /// Secrets on the command lines of the scripts (`mysqladmin -p… flush-logs` in a
    /// `postrotate`), and lines logrotate cannot read after their first word; the rest of a
    /// logrotate file is modes and counts.
    fn sensitive(&self, source: &SourceFile) -> Vec<Sensitive> {
        let mut found = Vec::new();
        unreadable_lines(&self.errors, &source.text, &mut found);
        let mut in_script = false;
        for (start, line) in lines_with_offsets(&source.text) {
            let first = line.split_whitespace().next().unwrap_or("");
            let ends = first.eq_ignore_ascii_case("endscript");
            if in_script && !ends {
                found.extend(command_sensitive(line, &|from, to| {
                    Span::new(start + from, start + to)
                }));
            }
            in_script = if in_script {
                !ends
            } else {
                SCRIPTS.contains(&first.to_ascii_lowercase().as_str())
            };
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_directives_and_scripts() {
        let text = "weekly\nrotate 4\ncreate\n/var/log/app4kitas/*.log {\n    daily\n    rotate 52\n    create 644 app4kitas app4kitas\n    postrotate\n        pm2 reloadLogs { not a block }\n    endscript\n}\n/var/log/a.log\n\"/var/log/b c.log\" {\n  missingok\n}\n";
        let conf = LogrotateConf::parse(text);
        assert!(conf.errors.is_empty(), "{:?}", conf.errors);
        assert_eq!(conf.blocks.len(), 2);
        assert_eq!(conf.blocks[0].paths[0].value, "/var/log/app4kitas/*.log");
        assert_eq!(conf.blocks[1].paths[1].value, "/var/log/b c.log");
        let create = conf.applying(0, "create").unwrap();
        assert_eq!(create.args[0].value, "644");
        assert_eq!(conf.applying(1, "rotate").unwrap().args[0].value, "4");
        assert!(conf.directives.iter().all(|d| d.name != "pm2"));
    }

    #[test]
    fn unbalanced_braces_are_errors() {
        assert_eq!(LogrotateConf::parse("}\n").errors.len(), 1);
        assert_eq!(LogrotateConf::parse("/a {\n").errors.len(), 1);
        assert_eq!(LogrotateConf::parse("/a {\n/b {\n}\n").errors.len(), 1);
        let _ = LogrotateConf::parse("{{{{\"\u{0}");
    }

    /// `logrotate -d` accepts a block on one line (Debian's own `wtmp` snippet style).
    #[test]
    fn a_block_on_one_line_is_a_block() {
        let conf = LogrotateConf::parse(
            "/var/log/wtmp /var/log/btmp {}\n/var/log/x { rotate 3 }\n/var/log/y {\n}\n",
        );
        assert!(conf.errors.is_empty(), "{:?}", conf.errors);
        assert_eq!(conf.blocks.len(), 3);
        assert_eq!(conf.blocks[0].paths.len(), 2);
        assert!(conf.applying(0, "rotate").is_none());
        assert_eq!(conf.applying(1, "rotate").unwrap().args[0].value, "3");
        assert!(conf.applying(2, "rotate").is_none());
    }

    /// Each block takes the last default written before it, not one written after it, and
    /// its own directive over any default.
    #[test]
    fn defaults_apply_to_the_blocks_after_them() {
        let conf = LogrotateConf::parse(
            "/a {\n}\nrotate 1\n/b {\n}\nrotate 2\n/c {\n  rotate 9\n}\n/d {\n}\nrotate 3\n",
        );
        let rotate = |b| conf.applying(b, "rotate").map(|d| d.args[0].value.as_str());
        assert_eq!(
            [rotate(0), rotate(1), rotate(2), rotate(3)],
            [None, Some("1"), Some("9"), Some("2")]
        );
        assert_eq!(conf.last_top_level("rotate").unwrap().args[0].value, "3");
        assert!(conf.applying(7, "rotate").is_none());
    }
}
