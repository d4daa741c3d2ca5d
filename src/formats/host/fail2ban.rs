//! What the snapshot's fail2ban command prints: `fail2ban-client status` followed by
//! `fail2ban-client status sshd`, or a line saying the client is not installed.

use crate::formats::lines_with_offsets;
use crate::formats::{Format, ParseContext};
use crate::source::SourceFile;
use crate::source::Span;
use std::sync::Arc;

/// The state of fail2ban on a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fail2banState {
    /// `fail2ban-client` is not installed.
    NotInstalled,
    /// The server does not answer (`Is fail2ban running?`).
    NotRunning,
    /// Running, with these jails.
    Running {
        /// The jail names from `Jail list:`.
        jails: Vec<String>,
    },
    /// Output of another shape (a permission error, a newer format).
    Unknown,
}

/// The parsed output and where its deciding line is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fail2banStatus {
    /// What the output says.
    pub state: Fail2banState,
    /// The line that says it (`Jail list:`, the error); the first line otherwise.
    pub span: Span,
}

/// The line the collector prints when the client is missing.
pub const NOT_INSTALLED: &str = "fail2ban-client: not installed";

impl Fail2banStatus {
    /// Reads the output.
    pub fn parse(text: &str) -> Self {
        let first = text.find('\n').unwrap_or(text.len());
        let mut found = Self {
            state: Fail2banState::Unknown,
            span: Span::new(0, first),
        };
        for (start, content) in lines_with_offsets(text) {
            let span = Span::new(start, start + content.len());
            if content.trim() == NOT_INSTALLED {
                return Self {
                    state: Fail2banState::NotInstalled,
                    span,
                };
            }
            if content.contains("Is fail2ban running?") {
                return Self {
                    state: Fail2banState::NotRunning,
                    span,
                };
            }
            if let Some((_, list)) = content.split_once("Jail list:") {
                let jails = list
                    .split([',', ' ', '\t'])
                    .filter(|j| !j.is_empty())
                    .map(str::to_owned)
                    .collect();
                found = Self {
                    state: Fail2banState::Running { jails },
                    span,
                };
            }
        }
        found
    }
}

/// Host state only comes from a snapshot, which says what each file is: no name claims it.
impl Format for Fail2banStatus {
    fn parse(source: &Arc<SourceFile>, _: &ParseContext) -> Self {
        Self::parse(&source.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Captured from fail2ban 1.0.2 (Debian 12) with an sshd jail running: `status`, then
    /// `status sshd`.
    const UP: &str = "Status
|- Number of jail:\t1
`- Jail list:\tsshd
";
    const SSHD: &str = "Status for the jail: sshd
|- Filter
|  |- Currently failed:\t0
|  |- Total failed:\t0
|  `- File list:\t/var/log/auth.log
`- Actions
   |- Currently banned:\t0
   |- Total banned:\t0
   `- Banned IP list:\t
";
    /// Captured from the same machine with the server stopped (exit status 255).
    const DOWN: &str = "2026-11-25 17:31:31,580 fail2ban                [6992]: ERROR   Failed to access socket path: /var/run/fail2ban/fail2ban.sock. Is fail2ban running?
";

    #[test]
    fn a_running_server_lists_its_jails() {
        let running = format!("{UP}{SSHD}");
        let status = Fail2banStatus::parse(&running);
        assert_eq!(
            status.state,
            Fail2banState::Running {
                jails: vec!["sshd".into()]
            }
        );
        assert!(running[status.span.range()].contains("Jail list:"));
    }

    #[test]
    fn a_stopped_server_and_a_missing_client_are_recognised() {
        assert_eq!(Fail2banStatus::parse(DOWN).state, Fail2banState::NotRunning);
        let missing = format!("{NOT_INSTALLED}\n");
        assert_eq!(
            Fail2banStatus::parse(&missing).state,
            Fail2banState::NotInstalled
        );
        assert_eq!(
            Fail2banStatus::parse("Permission denied to socket\n").state,
            Fail2banState::Unknown
        );
    }

    #[test]
    fn several_jails_are_split_on_commas() {
        let status = Fail2banStatus::parse(
            "Status\n|- Number of jail:\t2\n`- Jail list:\tnginx-http-auth, sshd\n",
        );
        assert_eq!(
            status.state,
            Fail2banState::Running {
                jails: vec!["nginx-http-auth".into(), "sshd".into()]
            }
        );
    }
}
