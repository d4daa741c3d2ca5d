//! `apt list --upgradable` output: the packages with a newer version available, and
//! which of them come from a security suite (`bookworm-security`, `jammy-security`).
//! (`apt-get -s upgrade` says the same but takes four times as long: it plans the upgrade.)

use crate::formats::lines_with_offsets;
use crate::formats::{Format, ParseContext};
use crate::source::SourceFile;
use crate::source::Span;
use std::sync::Arc;

/// One package with a newer version available.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingUpgrade {
    /// The package name.
    pub package: String,
    /// Where the package name is written.
    pub package_span: Span,
    /// Whether a suite offering the new version is a `-security` suite.
    pub security: bool,
    /// The line.
    pub span: Span,
}

/// The pending upgrades.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PendingUpgrades {
    /// Packages in output order.
    pub upgrades: Vec<PendingUpgrade>,
}

impl PendingUpgrades {
    /// Reads `name/suite[,suite…] version arch [upgradable from: old]` lines; everything
    /// else (`Listing...`) is ignored.
    pub fn parse(text: &str) -> Self {
        let mut upgrades = Vec::new();
        for (start, content) in lines_with_offsets(text) {
            if !content.contains("[upgradable from:") {
                continue;
            }
            let first = content.split_whitespace().next().unwrap_or("");
            let Some((package, suites)) = first.split_once('/') else {
                continue;
            };
            let package_at = start + content.len() - content.trim_start().len();
            upgrades.push(PendingUpgrade {
                package: package.to_owned(),
                package_span: Span::new(package_at, package_at + package.len()),
                security: suites.split(',').any(|s| s.ends_with("-security")),
                span: Span::new(start, start + content.len()),
            });
        }
        Self { upgrades }
    }

    /// The upgrades from a security suite.
    pub fn security(&self) -> impl Iterator<Item = &PendingUpgrade> {
        self.upgrades.iter().filter(|u| u.security)
    }
}

/// Host state only comes from a snapshot, which says what each file is: no name claims it.
impl Format for PendingUpgrades {
    fn parse(source: &Arc<SourceFile>, _: &ParseContext) -> Self {
        Self::parse(&source.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines captured from `apt list --upgradable` (apt 2.6, Debian 12) while writing this
    /// parser: six from the security suite (one offered by both suites), two point-release
    /// updates, and apt's `Listing...` line.
    const CAPTURED: &str = "libgcrypt20/oldstable,oldstable-security 1.10.1-3+deb12u1 amd64 [upgradable from: 1.10.1-3]
liblzma5/oldstable-security 5.4.1-1+deb12u2 amd64 [upgradable from: 5.4.1-1]
apt-transport-https/oldstable-security 2.6.2 all [upgradable from: 2.6.1]
apt/oldstable-security 2.6.2 amd64 [upgradable from: 2.6.1]
ca-certificates/oldstable-security 20250419~deb12u2 all [upgradable from: 20230311+deb12u1]
jq/oldstable-security 1.6-2.1+deb12u3 amd64 [upgradable from: 1.6-2.1+deb12u1]
Listing...
appstream/oldstable 0.16.1-2+b1 amd64 [upgradable from: 0.16.1-2]
base-files/oldstable 12.4+deb12u15 amd64 [upgradable from: 12.4+deb12u11]
";

    #[test]
    fn security_suites_are_told_apart() {
        let pending = PendingUpgrades::parse(CAPTURED);
        assert_eq!(pending.upgrades.len(), 8);
        let security: Vec<&str> = pending.security().map(|u| u.package.as_str()).collect();
        assert_eq!(
            security,
            [
                "libgcrypt20",
                "liblzma5",
                "apt-transport-https",
                "apt",
                "ca-certificates",
                "jq"
            ]
        );
    }

    #[test]
    fn ubuntu_suites_and_other_lines() {
        let text = "Listing... Done\nopenssl/jammy-updates,jammy-security 3.0.2-0ubuntu1.18 amd64 [upgradable from: 3.0.2-0ubuntu1.15]\nWARNING: apt does not have a stable CLI interface.\n";
        let pending = PendingUpgrades::parse(text);
        assert_eq!(pending.upgrades.len(), 1);
        assert!(pending.upgrades[0].security);
        assert_eq!(&text[pending.upgrades[0].package_span.range()], "openssl");
    }
}
