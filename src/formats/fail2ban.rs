//! fail2ban's jail files (`jail.conf`, `jail.local`, `jail.d/*.conf|*.local`): Python
//! `configparser` INI as fail2ban configures it. `[section]` headers, `key = value` or
//! `key: value`, indented lines continue the previous value, whole-line comments start with
//! `#` or `;`, and fail2ban also strips trailing comments that start with `#` or `;` after a
//! blank. Interpolations (`%(known/port)s`, `%(action_)s`) are kept as text. Keys are
//! case-insensitive (`configparser` lower-cases them); section names are not.
//!
//! This module reads one file. Which file overrides which (`.local` over `.conf`, `jail.d`
//! after the main file) is the rules' view across files.

use crate::formats::sensitive::{assignment_sensitive, unreadable_lines, Sensitive};
use crate::formats::Target;
use crate::formats::{lines_with_offsets, ParseError};
use crate::formats::{Classification, FileName, Format, ParseContext};
use crate::source::SourceFile;
use crate::source::Span;
use std::sync::Arc;

/// One `key = value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IniEntry {
    /// The key in lower case.
    pub key: String,
    /// The key as written.
    pub key_span: Span,
    /// The value, continuation lines joined with `\n`, trailing comment removed.
    pub value: String,
    /// From the first to the last character of the value (empty at the end of the key when
    /// the value is empty).
    pub value_span: Span,
}

/// One `[name]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IniSection {
    /// The name between the brackets.
    pub name: String,
    /// The header line.
    pub span: Span,
    /// The entries in order.
    pub entries: Vec<IniEntry>,
}

impl IniSection {
    /// The last entry for `key` (lower case) in this section.
    pub fn get(&self, key: &str) -> Option<&IniEntry> {
        self.entries.iter().rev().find(|e| e.key == key)
    }
}

/// A parsed jail file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JailFile {
    /// Sections in file order (a repeated header is a separate entry here).
    pub sections: Vec<IniSection>,
    /// What could not be read.
    pub errors: Vec<ParseError>,
}

/// Where a trailing comment starts (`#` or `;` after a blank), if any.
fn comment_start(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    (1..bytes.len())
        .find(|&i| matches!(bytes[i], b'#' | b';') && bytes[i - 1].is_ascii_whitespace())
}

impl JailFile {
    /// Parses `text`.
    pub fn parse(text: &str) -> Self {
        let mut out = Self::default();
        for (start, line) in lines_with_offsets(text) {
            let body = line.trim_start();
            let lead = line.len() - body.len();
            if body.is_empty() || body.starts_with('#') || body.starts_with(';') {
                continue;
            }
            let content = &body[..comment_start(body).unwrap_or(body.len())];
            let content = content.trim_end();
            let at = start + lead;
            // An indented line continues the value above (configparser's rule).
            if lead > 0 {
                if let Some(entry) = out.sections.last_mut().and_then(|s| s.entries.last_mut()) {
                    entry.value.push('\n');
                    entry.value.push_str(content);
                    entry.value_span.end = at + content.len();
                    continue;
                }
            }
            if let Some(name) = content.strip_prefix('[') {
                match name.strip_suffix(']') {
                    Some(name) => out.sections.push(IniSection {
                        name: name.to_owned(),
                        span: Span::new(at, at + content.len()),
                        entries: Vec::new(),
                    }),
                    None => out.errors.push(ParseError {
                        span: Span::new(at, at + content.len()),
                        message: "a section header needs a closing `]`".into(),
                    }),
                }
                continue;
            }
            let Some(sep) = content.find(['=', ':']) else {
                out.errors.push(ParseError {
                    span: Span::new(at, at + content.len()),
                    message: "expected `key = value`".into(),
                });
                continue;
            };
            let key = content[..sep].trim_end();
            let value = content[sep + 1..].trim_start();
            let value_at = at + content.len() - value.len();
            let Some(section) = out.sections.last_mut() else {
                out.errors.push(ParseError {
                    span: Span::new(at, at + content.len()),
                    message: "a setting before any `[section]` header (fail2ban refuses the file)"
                        .into(),
                });
                continue;
            };
            section.entries.push(IniEntry {
                key: key.to_ascii_lowercase(),
                key_span: Span::new(at, at + key.len()),
                value: value.to_owned(),
                value_span: Span::new(value_at, value_at + value.len()),
            });
        }
        out
    }

    /// The last value of `key` in the last section named `section`, as configparser merges
    /// repeated sections of one file.
    pub fn get(&self, section: &str, key: &str) -> Option<&IniEntry> {
        self.sections
            .iter()
            .rev()
            .filter(|s| s.name == section)
            .find_map(|s| s.get(key))
    }
}

impl Format for JailFile {
    /// `jail.conf`, `jail.local` and the `.conf`/`.local` files of `jail.d/`. Jails hold
    /// times and counts, not credentials.
    fn classify(name: &FileName) -> Option<Classification> {
        let drop_in = name.parent() == Some("jail.d")
            && (name.name.ends_with(".conf") || name.name.ends_with(".local"));
        Classification::certain_if(
            name.is("jail.local") || name.is("jail.conf") || drop_in,
            Target::Fail2ban,
        )
    }

    fn parse(source: &Arc<SourceFile>, _: &ParseContext) -> Self {
        Self::parse(&source.text)
    }

    fn errors(&self) -> &[ParseError] {
        &self.errors
    }

    /// Settings and action arguments with secret-like names or token-like values
    /// (`cftoken="…"`, `abuseipdb_apikey = …`, as fail2ban's Cloudflare and AbuseIPDB
    /// actions are configured), and lines fail2ban cannot read, after their key.
    fn sensitive(&self, source: &SourceFile) -> Vec<Sensitive> {
        let text = source.text.as_str();
        let mut found = Vec::new();
        unreadable_lines(&self.errors, &source.text, &mut found);
        for entry in self.sections.iter().flat_map(|s| &s.entries) {
            let exact = text.get(entry.value_span.range()) == Some(entry.value.as_str());
            let mut pairs = vec![(entry.key.as_str(), 0..entry.value.len())];
            pairs.extend(action_arguments(&entry.value));
            for (name, range) in pairs {
                let span = if exact {
                    Span::new(
                        entry.value_span.start + range.start,
                        entry.value_span.start + range.end,
                    )
                } else {
                    entry.value_span
                };
                found.extend(assignment_sensitive(name, &entry.value[range], span));
            }
        }
        found
    }
}

/// The `name=value` arguments of fail2ban actions in a setting's value
/// (`cloudflare[cfuser="me@example.org", cftoken="…"]`): each name, with where its value
/// is in `value` (inside its quotes).
fn action_arguments(value: &str) -> Vec<(&str, std::ops::Range<usize>)> {
    let mut found = Vec::new();
    let mut quote = None;
    // Where the current argument starts, inside brackets.
    let mut start = None;
    for (i, c) in value.char_indices() {
        match (quote, start, c) {
            (Some(q), _, c) if c == q => quote = None,
            (Some(_), _, _) => {}
            (None, Some(_), '"' | '\'') => quote = Some(c),
            (None, None, '[') => start = Some(i + 1),
            (None, Some(from), ',' | ']') => {
                found.extend(argument(value, from..i));
                start = (c == ',').then_some(i + 1);
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        found.extend(argument(value, from..value.len()));
    }
    found
}

/// One `name=value` argument, `value[range]`: its name, and where its value is (inside its
/// quotes, if quoted).
fn argument(value: &str, range: std::ops::Range<usize>) -> Option<(&str, std::ops::Range<usize>)> {
    let equals = range.start + value[range.clone()].find('=')?;
    let name = value[range.start..equals].trim();
    let after = &value[equals + 1..range.end];
    let written = after.trim();
    let at = equals + 1 + (after.len() - after.trim_start().len());
    let quoted =
        written.len() >= 2 && written.starts_with(['"', '\'']) && written.ends_with(&written[..1]);
    let inner = if quoted {
        at + 1..at + written.len() - 1
    } else {
        at..at + written.len()
    };
    (!name.is_empty()).then_some((name, inner))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_entries_continuations_and_comments() {
        let text = "# jail.local\n[DEFAULT]\nbantime = 3600 ; one hour\nfindtime: 600\n[sshd]\nenabled = true\nport    = ssh\naction = %(action_)s\n         %(mta)s-whois[name=%(__name__)s]\n[broken\nstray line\n";
        let jail = JailFile::parse(text);
        assert_eq!(jail.sections.len(), 2);
        assert_eq!(jail.get("DEFAULT", "bantime").unwrap().value, "3600");
        assert_eq!(jail.get("DEFAULT", "findtime").unwrap().value, "600");
        let enabled = jail.get("sshd", "enabled").unwrap();
        assert_eq!(&text[enabled.value_span.range()], "true");
        assert_eq!(
            jail.get("sshd", "action").unwrap().value,
            "%(action_)s\n%(mta)s-whois[name=%(__name__)s]"
        );
        assert_eq!(jail.errors.len(), 2);
    }
}
