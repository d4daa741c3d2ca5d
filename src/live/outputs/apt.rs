//! `apt-get -s upgrade` output (a simulation: nothing is installed): the `Inst` lines, and
//! which of them come from a security suite (`Debian-Security:12/stable-security`,
//! `Ubuntu:22.04/jammy-security`).

use crate::source::Span;

/// One package the upgrade would install.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingUpgrade {
    /// The package name.
    pub package: String,
    /// Whether the new version comes from a `-security` suite.
    pub security: bool,
    /// The `Inst` line.
    pub span: Span,
}

/// The pending upgrades.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PendingUpgrades {
    /// `Inst` lines in output order.
    pub upgrades: Vec<PendingUpgrade>,
}

impl PendingUpgrades {
    /// Reads the `Inst` lines; everything else (progress, `Conf` lines) is ignored.
    pub fn parse(text: &str) -> Self {
        let mut upgrades = Vec::new();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            let content = line.trim_end_matches(['\n', '\r']);
            let Some(rest) = content.strip_prefix("Inst ") else {
                continue;
            };
            let package = rest.split_whitespace().next().unwrap_or("").to_owned();
            // The suites are in the last parenthesis: `(1.2 Debian:12.15/oldstable, Debian-Security:12/oldstable-security [amd64])`.
            let suites = rest.rsplit_once('(').map_or("", |(_, s)| s);
            let security = suites
                .split([',', ' '])
                .any(|s| s.ends_with("-security") || s.starts_with("Debian-Security:"));
            upgrades.push(PendingUpgrade {
                package,
                security,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `Inst` lines captured from `apt-get -s upgrade` on Debian 12 (apt 2.6) while writing
    /// this parser: four from the security suite, two point-release updates.
    const CAPTURED: &str = "Inst libgcrypt20-dev [1.10.1-3] (1.10.1-3+deb12u1 Debian:12.15/oldstable, Debian-Security:12/oldstable-security [amd64]) []
Inst libgcrypt20 [1.10.1-3] (1.10.1-3+deb12u1 Debian:12.15/oldstable, Debian-Security:12/oldstable-security [amd64])
Inst liblzma-dev [5.4.1-1] (5.4.1-1+deb12u2 Debian-Security:12/oldstable-security [amd64]) []
Inst liblzma5 [5.4.1-1] (5.4.1-1+deb12u2 Debian-Security:12/oldstable-security [amd64])
Inst base-files [12.4+deb12u11] (12.4+deb12u15 Debian:12.15/oldstable [amd64])
Inst bash [5.2.15-2+b8] (5.2.15-2+b13 Debian:12.15/oldstable [amd64])
";

    #[test]
    fn security_suites_are_told_apart() {
        let pending = PendingUpgrades::parse(CAPTURED);
        assert_eq!(pending.upgrades.len(), 6);
        let security: Vec<&str> = pending.security().map(|u| u.package.as_str()).collect();
        assert_eq!(
            security,
            ["libgcrypt20-dev", "libgcrypt20", "liblzma-dev", "liblzma5"]
        );
    }

    #[test]
    fn ubuntu_suites_and_other_lines() {
        let text = "Reading package lists...\nInst openssl [3.0.2-0ubuntu1.15] (3.0.2-0ubuntu1.18 Ubuntu:22.04/jammy-security [amd64])\nConf openssl (3.0.2-0ubuntu1.18 Ubuntu:22.04/jammy-security [amd64])\n";
        let pending = PendingUpgrades::parse(text);
        assert_eq!(pending.upgrades.len(), 1);
        assert!(pending.upgrades[0].security);
    }
}
