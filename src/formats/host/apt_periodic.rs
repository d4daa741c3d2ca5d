//! What the snapshot's automatic-updates command prints on a Debian or Ubuntu host: the
//! `APT::Periodic::*` lines of `apt-config dump` (the merged `/etc/apt/apt.conf.d/`, so
//! `20auto-upgrades` and any file overriding it count), then `dpkg-query`'s state of the
//! `unattended-upgrades` package, or one line saying apt is not there.
//!
//! ```text
//! APT::Periodic::Update-Package-Lists "1";
//! APT::Periodic::Unattended-Upgrade "1";
//! unattended-upgrades ii
//! ```

use crate::formats::lines_with_offsets;
use crate::formats::{Format, ParseContext};
use crate::source::SourceFile;
use crate::source::Span;
use std::sync::Arc;

/// The line the collector prints on a host without `apt-config`.
pub const APT_MISSING: &str = "apt-config: not installed";

/// The line the collector prints when `dpkg-query` knows no `unattended-upgrades`.
pub const PACKAGE_UNKNOWN: &str = "unattended-upgrades not-installed";

/// The package that installs updates unattended.
pub const PACKAGE: &str = "unattended-upgrades";

/// One `APT::Periodic::NAME "VALUE";` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodicSetting {
    /// The name after `APT::Periodic::` (`Unattended-Upgrade`).
    pub name: String,
    /// The value without its quotes (`1`, `0`, `always`).
    pub value: String,
    /// The whole line.
    pub span: Span,
}

impl PeriodicSetting {
    /// Whether the value turns the job on: apt's daily script skips a job whose interval is
    /// `0` or empty.
    pub fn is_on(&self) -> bool {
        let value = self.value.trim();
        !(value.is_empty() || value.trim_start_matches('0').is_empty())
    }
}

/// The parsed output.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AptPeriodic {
    /// Whether the host has apt (`false` on the collector's "not installed" line).
    pub has_apt: bool,
    /// `APT::Periodic::*` settings in output order.
    pub settings: Vec<PeriodicSetting>,
    /// Whether `unattended-upgrades` is installed, and the line that says so; `None` when
    /// the output has no such line.
    pub package: Option<(bool, Span)>,
    /// The first line, where a finding about something absent is shown.
    pub first_line: Span,
}

/// Longest value kept: a setting is a number or a word.
const MAX_VALUE: usize = 64;

impl AptPeriodic {
    /// Reads the output; other lines are ignored.
    pub fn parse(text: &str) -> Self {
        let mut parsed = Self {
            has_apt: true,
            first_line: Span::new(0, text.find('\n').unwrap_or(text.len())),
            ..Self::default()
        };
        for (start, content) in lines_with_offsets(text) {
            let span = Span::new(start, start + content.len());
            let trimmed = content.trim();
            if trimmed == APT_MISSING {
                parsed.has_apt = false;
            } else if let Some(rest) = trimmed.strip_prefix("APT::Periodic::") {
                let Some((name, value)) = rest.split_once(' ') else {
                    continue;
                };
                let value = value.trim().trim_end_matches(';').trim().trim_matches('"');
                parsed.settings.push(PeriodicSetting {
                    name: name.to_owned(),
                    value: value.chars().take(MAX_VALUE).collect(),
                    span,
                });
            } else if trimmed == PACKAGE_UNKNOWN {
                parsed.package = Some((false, span));
            } else if let Some(status) = trimmed.strip_prefix("unattended-upgrades ") {
                // `${db:Status-Abbrev}`: desired action, then state (`i` installed); `rc`
                // is removed with its configuration left.
                let installed = status.trim().chars().nth(1) == Some('i');
                parsed.package = Some((installed, span));
            }
        }
        parsed
    }

    /// The last value of `APT::Periodic::NAME` (apt's dump prints each once; the last
    /// assignment wins in apt's configuration).
    pub fn setting(&self, name: &str) -> Option<&PeriodicSetting> {
        self.settings
            .iter()
            .rev()
            .find(|s| s.name.eq_ignore_ascii_case(name))
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

    /// What the collector printed on a Debian 12 host after `apt install
    /// unattended-upgrades` and `dpkg-reconfigure -plow unattended-upgrades` (which writes
    /// `/etc/apt/apt.conf.d/20auto-upgrades`), `apt-config dump` lines filtered by the
    /// collector's `grep '^APT::Periodic::'`.
    const ENABLED: &str = "APT::Periodic::Update-Package-Lists \"1\";\nAPT::Periodic::Unattended-Upgrade \"1\";\nunattended-upgrades ii \n";

    #[test]
    fn reads_settings_and_the_package_state() {
        let parsed = AptPeriodic::parse(ENABLED);
        assert!(parsed.has_apt);
        let on = |name| parsed.setting(name).map(PeriodicSetting::is_on);
        assert_eq!(on("Unattended-Upgrade"), Some(true));
        assert_eq!(on("update-package-lists"), Some(true));
        assert_eq!(on("Enable"), None);
        let (installed, span) = parsed.package.unwrap();
        assert!(installed);
        assert_eq!(ENABLED[span.range()].trim_end(), "unattended-upgrades ii");
    }

    #[test]
    fn zero_empty_and_removed_mean_off() {
        let parsed = AptPeriodic::parse(
            "APT::Periodic::Unattended-Upgrade \"0\";\nAPT::Periodic::Enable \"\";\nAPT::Periodic::Update-Package-Lists \"00\";\nAPT::Periodic::Download-Upgradeable-Packages \"always\";\nunattended-upgrades rc \n",
        );
        let on = |name| parsed.setting(name).map(PeriodicSetting::is_on);
        assert_eq!(on("Unattended-Upgrade"), Some(false));
        assert_eq!(on("Enable"), Some(false));
        assert_eq!(on("Update-Package-Lists"), Some(false));
        assert_eq!(on("Download-Upgradeable-Packages"), Some(true));
        assert_eq!(parsed.package.map(|p| p.0), Some(false));
        let unknown = AptPeriodic::parse("unattended-upgrades not-installed\n");
        assert_eq!(unknown.package.map(|p| p.0), Some(false));
        assert!(unknown.settings.is_empty());
        let missing = AptPeriodic::parse("apt-config: not installed\n");
        assert!(!missing.has_apt);
    }

    #[test]
    fn later_assignments_win() {
        let parsed = AptPeriodic::parse(
            "APT::Periodic::Unattended-Upgrade \"1\";\nAPT::Periodic::Unattended-Upgrade \"0\";\n",
        );
        assert_eq!(
            parsed
                .setting("Unattended-Upgrade")
                .map(|s| s.value.as_str()),
            Some("0")
        );
    }

    #[test]
    fn hostile_output_is_bounded_and_never_panics() {
        let long = "9".repeat(100_000);
        let text = format!(
            "APT::Periodic::\nAPT::Periodic::X\"1\"\nAPT::Periodic::Y \"{long}\";\n\u{0}\u{1b}[2J unattended-upgrades \nunattended-upgrades \u{e9}\u{e9}\r\nAPT::Periodic::Z \"\u{1f600}\u{1f600}\""
        );
        let parsed = AptPeriodic::parse(&text);
        assert_eq!(parsed.setting("Y").map(|s| s.value.len()), Some(MAX_VALUE));
        assert!(parsed.setting("X\"1\"").is_none());
        assert_eq!(parsed.package.map(|p| p.0), Some(false));
        for setting in &parsed.settings {
            assert!(setting.span.end <= text.len());
        }
        assert!(AptPeriodic::parse("").settings.is_empty());
    }
}
