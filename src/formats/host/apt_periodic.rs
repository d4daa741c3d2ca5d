//! Whether a Debian or Ubuntu host installs security updates by itself: `apt-config dump
//! APT::Periodic` (the `APT::Periodic::…` settings apt's daily timer reads, from
//! `/etc/apt/apt.conf.d/20auto-upgrades` and the rest of apt's configuration, as apt
//! merges them) followed by one line on the `unattended-upgrades` package, written by the
//! collecting command: `unattended-upgrades install ok installed` (dpkg's status) or
//! `unattended-upgrades not-installed`.

use std::sync::Arc;

use crate::formats::{lines_with_offsets, Format, ParseContext};
use crate::source::{SourceFile, Span};

/// One `Key "value";` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AptSetting {
    /// The full key (`APT::Periodic::Unattended-Upgrade`).
    pub key: String,
    /// The value without quotes.
    pub value: String,
    /// Where the line is written.
    pub span: Span,
}

impl AptSetting {
    /// Whether the periodic job is on: any value but `0` (a number of days, or `always`).
    pub fn is_on(&self) -> bool {
        self.value.trim() != "0" && !self.value.trim().is_empty()
    }
}

/// The periodic settings and the package's state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AptPeriodic {
    /// The settings, in output order.
    pub settings: Vec<AptSetting>,
    /// Whether `unattended-upgrades` is installed, and where that is said; `None` when the
    /// output does not say.
    pub package: Option<(bool, Span)>,
}

impl AptPeriodic {
    /// Reads `Key "value";` lines and the package line; anything else is ignored.
    pub fn parse(text: &str) -> Self {
        let mut periodic = Self::default();
        for (start, content) in lines_with_offsets(text) {
            let line = content.trim();
            let span = Span::new(start, start + content.len());
            if let Some(status) = line.strip_prefix("unattended-upgrades ") {
                periodic.package = Some((status.trim() == "install ok installed", span));
                continue;
            }
            let Some((key, rest)) = line.split_once(' ') else {
                continue;
            };
            let value = rest.trim().trim_end_matches(';').trim().trim_matches('"');
            if key.starts_with("APT::Periodic::") {
                periodic.settings.push(AptSetting {
                    key: key.to_owned(),
                    value: value.to_owned(),
                    span,
                });
            }
        }
        periodic
    }

    /// The setting in effect for `key` (apt prints each once; the last wins otherwise).
    pub fn get(&self, key: &str) -> Option<&AptSetting> {
        self.settings.iter().rev().find(|s| s.key == key)
    }
}

/// Host state only comes from a snapshot, which says what each file is: no name claims it.
impl Format for AptPeriodic {
    fn parse(source: &Arc<SourceFile>, _: &ParseContext) -> Self {
        Self::parse(&source.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_and_the_package_line_are_read() {
        // `apt-config dump APT::Periodic` on Debian 12 with unattended-upgrades configured.
        let text = "APT::Periodic \"\";\nAPT::Periodic::Update-Package-Lists \"1\";\nAPT::Periodic::Unattended-Upgrade \"1\";\nunattended-upgrades install ok installed\n";
        let periodic = AptPeriodic::parse(text);
        assert_eq!(periodic.settings.len(), 2);
        assert!(periodic
            .get("APT::Periodic::Unattended-Upgrade")
            .unwrap()
            .is_on());
        assert_eq!(periodic.package.map(|(installed, _)| installed), Some(true));
        let off = AptPeriodic::parse(
            "APT::Periodic::Unattended-Upgrade \"0\";\nunattended-upgrades not-installed\n",
        );
        assert!(!off
            .get("APT::Periodic::Unattended-Upgrade")
            .unwrap()
            .is_on());
        assert_eq!(off.package.map(|(installed, _)| installed), Some(false));
        assert_eq!(AptPeriodic::parse("garbage\n\u{1b}[31m\n").package, None);
    }
}
