//! Kernel parameters as `sysctl` reads and prints them: `/etc/sysctl.conf` and
//! `/etc/sysctl.d/*.conf` in a repository or on a host, and a live host's `sysctl` output
//! (`key = value` lines, the same syntax; `sysctl.d(5)`). Keys may be written with `/`
//! (`net/ipv4/ip_forward`); a leading `-` only tells sysctl to ignore a missing key.

use std::sync::Arc;

use crate::formats::sensitive::unreadable_lines;
use crate::formats::{
    lines_with_offsets, Classification, FileName, Format, ParseContext, ParseError, Sensitive,
    Target,
};
use crate::source::{SourceFile, Span};

/// One `key = value` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SysctlEntry {
    /// The key with `/` read as `.` (`net.ipv4.conf.all.rp_filter`).
    pub key: String,
    /// Where the key is written.
    pub key_span: Span,
    /// The value, trimmed.
    pub value: String,
    /// Where the value is written.
    pub value_span: Span,
}

/// The entries of one file or output, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SysctlSettings {
    /// Every assignment, in file order (sysctl applies them in order: the last wins).
    pub entries: Vec<SysctlEntry>,
    /// Lines that are neither comments nor `key = value`.
    pub errors: Vec<ParseError>,
}

impl SysctlSettings {
    /// Reads `key = value` lines; `#` and `;` start comments.
    pub fn parse(text: &str) -> Self {
        let mut settings = Self::default();
        for (start, content) in lines_with_offsets(text) {
            let trimmed = content.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
                continue;
            }
            let indent = content.len() - trimmed.len();
            let Some((key, value)) = trimmed.split_once('=') else {
                settings.errors.push(ParseError {
                    span: Span::new(start + indent, start + content.len()),
                    message: "sysctl reads `key = value` lines; this line has no `=`".into(),
                });
                continue;
            };
            let key_start = start + indent + (key.len() - key.trim_start().len());
            let written = key.trim().trim_start_matches('-');
            let key_start = key_start + (key.trim().len() - written.len());
            let value_start =
                start + indent + key.len() + 1 + (value.len() - value.trim_start().len());
            let value = value.trim();
            settings.entries.push(SysctlEntry {
                key: written.replace('/', "."),
                key_span: Span::new(key_start, key_start + written.len()),
                value: value.to_owned(),
                value_span: Span::new(value_start, value_start + value.len()),
            });
        }
        settings
    }

    /// The entry in effect for `key`: its last assignment.
    pub fn get(&self, key: &str) -> Option<&SysctlEntry> {
        self.entries.iter().rev().find(|e| e.key == key)
    }
}

impl Format for SysctlSettings {
    /// `sysctl.conf`, and `*.conf` in a `sysctl.d/` folder (`/etc/sysctl.d`, `/usr/lib/sysctl.d`).
    fn classify(name: &FileName) -> Option<Classification> {
        let dropin = name.parent() == Some("sysctl.d") && name.name.ends_with(".conf");
        Classification::certain_if(name.name == "sysctl.conf" || dropin, Target::Sysctl)
    }

    fn parse(source: &Arc<SourceFile>, _: &ParseContext) -> Self {
        Self::parse(&source.text)
    }

    fn errors(&self) -> &[ParseError] {
        &self.errors
    }

    /// Kernel parameters are no secrets; a line sysctl cannot read may be anything.
    fn sensitive(&self, source: &SourceFile) -> Vec<Sensitive> {
        let mut found = Vec::new();
        unreadable_lines(&self.errors, &source.text, &mut found);
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_values_and_their_places_are_read_as_sysctl_reads_them() {
        let text = "# hardening\n; also a comment\nkernel.kptr_restrict = 1\n-net/ipv4/ip_forward=0\n  fs.suid_dumpable =  2  \nnot a setting\nkernel.kptr_restrict = 0\n";
        let settings = SysctlSettings::parse(text);
        let shown: Vec<(&str, &str, &str, &str)> = settings
            .entries
            .iter()
            .map(|e| {
                (
                    e.key.as_str(),
                    e.value.as_str(),
                    &text[e.key_span.range()],
                    &text[e.value_span.range()],
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("kernel.kptr_restrict", "1", "kernel.kptr_restrict", "1"),
                ("net.ipv4.ip_forward", "0", "net/ipv4/ip_forward", "0"),
                ("fs.suid_dumpable", "2", "fs.suid_dumpable", "2"),
                ("kernel.kptr_restrict", "0", "kernel.kptr_restrict", "0"),
            ]
        );
        assert_eq!(settings.errors.len(), 1);
        assert_eq!(&text[settings.errors[0].span.range()], "not a setting");
        assert_eq!(settings.get("kernel.kptr_restrict").unwrap().value, "0");
    }
}
