//! Auditing many hosts at once: a fixed number of workers (`--jobs`) take hosts from a
//! queue; each host gets its own deadline (`--timeout`) that bounds its connection and
//! every command, so a host that hangs or drops costs at most that much and never holds
//! up the others. Each host ends in one [`HostStatus`], shown as it finishes.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::config::HostEntry;
use crate::engine::ScanOutcome;
use crate::live::snapshot::CollectOptions;

use super::ssh::{ConnectError, SshClient, SshTransport};
use super::target::ResolvedTarget;

/// How one host's audit ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostStatus {
    /// Audited; no active finding.
    Ok,
    /// Audited; this many active findings.
    Findings(usize),
    /// Audited in part (collections that exist on the host failed); this many active
    /// findings among what could be seen.
    PartlyAudited(usize),
    /// No connection (refused, no route, name unknown, SSH handshake failed).
    Unreachable(String),
    /// Connected, but no key was accepted.
    AuthFailed(String),
    /// The host key is unknown, changed or revoked.
    HostKeyRefused(String),
    /// The deadline ran out (while connecting, or with commands still to run).
    TimedOut(String),
    /// The connection dropped during the audit.
    ConnectionLost(String),
    /// Audited, but its result could not be kept (e.g. `--save-snapshot` could not write).
    Failed(String),
}

impl HostStatus {
    /// Whether the host was fully audited (its findings are complete).
    pub fn audited(&self) -> bool {
        matches!(self, Self::Ok | Self::Findings(_))
    }

    /// The short word of a status line (`ok`, `findings 3`, `unreachable`…).
    pub fn word(&self) -> String {
        match self {
            Self::Ok => "ok".to_owned(),
            Self::Findings(n) => format!("findings {n}"),
            Self::PartlyAudited(n) => format!("partly audited, findings {n}"),
            Self::Unreachable(_) => "unreachable".to_owned(),
            Self::AuthFailed(_) => "auth failed".to_owned(),
            Self::HostKeyRefused(_) => "host key refused".to_owned(),
            Self::TimedOut(_) => "timed out".to_owned(),
            Self::ConnectionLost(_) => "connection lost".to_owned(),
            Self::Failed(_) => "failed".to_owned(),
        }
    }

    /// Why the host was not audited, for failures.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::Ok | Self::Findings(_) | Self::PartlyAudited(_) => None,
            Self::Unreachable(why)
            | Self::AuthFailed(why)
            | Self::HostKeyRefused(why)
            | Self::TimedOut(why)
            | Self::ConnectionLost(why)
            | Self::Failed(why) => Some(why),
        }
    }
}

impl From<ConnectError> for HostStatus {
    fn from(error: ConnectError) -> Self {
        match error {
            ConnectError::Unreachable(why) => Self::Unreachable(why),
            ConnectError::AuthFailed(why) => Self::AuthFailed(why),
            ConnectError::HostKeyRefused(why) => Self::HostKeyRefused(why),
            ConnectError::TimedOut(why) => Self::TimedOut(why),
        }
    }
}

/// One host's result.
#[derive(Debug)]
pub struct HostAudit {
    /// The host's label.
    pub label: String,
    /// How it ended.
    pub status: HostStatus,
    /// Its findings and notes (empty when it was not reached; partial when it timed
    /// out or dropped mid-way).
    pub outcome: ScanOutcome,
    /// How long it took.
    pub elapsed: Duration,
}

/// How to run a fleet.
#[derive(Debug, Clone, Copy)]
pub struct FleetOptions {
    /// Hosts audited at the same time.
    pub jobs: usize,
    /// Each host's deadline, from its start.
    pub timeout: Duration,
    /// No status lines (`--quiet`).
    pub quiet: bool,
}

/// Audits every target with `audit` (collect and judge, given the target's index and a
/// connected transport) and returns the results in the targets' order.
pub fn audit_fleet(
    client: &SshClient,
    targets: &[ResolvedTarget],
    options: FleetOptions,
    audit: impl Fn(usize, &SshTransport) -> Result<ScanOutcome, String> + Sync,
) -> Vec<HostAudit> {
    let progress = if std::io::stderr().is_terminal() && !options.quiet && targets.len() > 1 {
        ProgressBar::with_draw_target(Some(targets.len() as u64), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} hosts  {elapsed}") {
        progress.set_style(style);
    }
    let say = |line: String| {
        if options.quiet {
            return;
        }
        // Host names and errors come from the inventory and the hosts.
        let line = crate::report::escape::terminal(&line).into_owned();
        if progress.is_hidden() {
            eprintln!("{line}");
        } else {
            progress.println(line);
        }
    };
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<HostAudit>>> =
        Mutex::new((0..targets.len()).map(|_| None).collect());
    let workers = options.jobs.clamp(1, targets.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(target) = targets.get(index) else {
                    break;
                };
                let result = audit_one(
                    client,
                    target,
                    options.timeout,
                    &|t: &SshTransport| audit(index, t),
                    &say,
                );
                say(status_line(&result));
                progress.inc(1);
                results.lock().unwrap_or_else(|e| e.into_inner())[index] = Some(result);
            });
        }
    });
    progress.finish_and_clear();
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .flatten()
        .collect()
}

fn audit_one(
    client: &SshClient,
    target: &ResolvedTarget,
    timeout: Duration,
    audit: &(impl Fn(&SshTransport) -> Result<ScanOutcome, String> + Sync),
    say: &(impl Fn(String) + Sync),
) -> HostAudit {
    let started = Instant::now();
    let deadline = started + timeout;
    let done = |status, outcome| HostAudit {
        label: target.label.clone(),
        status,
        outcome,
        elapsed: started.elapsed(),
    };
    let transport = match client.connect(target, deadline) {
        Ok(transport) => transport,
        Err(error) => return done(error.into(), ScanOutcome::default()),
    };
    if let Some(note) = transport.accepted_host_key() {
        say(format!("{}: {note}", target.label));
    }
    let outcome = match audit(&transport) {
        Ok(outcome) => outcome,
        Err(why) => {
            transport.disconnect();
            return done(HostStatus::Failed(why), ScanOutcome::default());
        }
    };
    let status = if transport.timed_out() {
        HostStatus::TimedOut(format!(
            "the deadline of {} s ran out before every command had run; the findings shown are partial",
            timeout.as_secs_f32()
        ))
    } else if transport.connection_lost() {
        HostStatus::ConnectionLost(
            "the SSH connection dropped during the audit; the findings shown are partial"
                .to_owned(),
        )
    } else {
        let partly = outcome
            .diagnostics
            .iter()
            .any(|d| d.kind == crate::finding::DiagnosticKind::HostPartlyAudited);
        match outcome.findings.iter().filter(|f| f.is_active()).count() {
            n if partly => HostStatus::PartlyAudited(n),
            0 => HostStatus::Ok,
            n => HostStatus::Findings(n),
        }
    };
    transport.disconnect();
    done(status, outcome)
}

/// `prod-1: findings 3 (1.2 s)`, with the reason for failures.
pub fn status_line(result: &HostAudit) -> String {
    let mut line = format!(
        "{}: {} ({:.1} s)",
        result.label,
        result.status.word(),
        result.elapsed.as_secs_f32()
    );
    if let Some(why) = result.status.reason() {
        line.push_str(": ");
        line.push_str(why);
    }
    line
}

/// The snapshot options for one host: the command line's, plus its inventory entry's
/// directories and certificate paths, and its `backup_max_age` when set.
pub fn collect_options_for(
    base: &CollectOptions,
    entry: Option<&HostEntry>,
) -> Result<CollectOptions, String> {
    let mut options = base.clone();
    if let Some(entry) = entry {
        options.app_dirs.extend(entry.app_dirs.iter().cloned());
        options.cert_paths.extend(entry.cert_paths.iter().cloned());
        options
            .backup_dirs
            .extend(entry.backup_dirs.iter().cloned());
        if let Some(age) = &entry.backup_max_age {
            options.backup_max_age = parse_age(age)?;
        }
    }
    Ok(options)
}

/// A host label as a directory name: characters other than `[A-Za-z0-9._-]` become `_`
/// (`[::1]:2222` → `___1__2222`).
pub fn directory_name(label: &str) -> String {
    label
        .chars()
        .map(|c| match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '.' | '-' | '_' => c,
            _ => '_',
        })
        .collect()
}

/// Parses an inventory `backup_max_age`: a number with `m`, `h` or `d` (`90m`, `36h`,
/// `2d`), or a bare number of hours.
pub fn parse_age(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => (&text[..at], text[at..].trim()),
        None => (text, "h"),
    };
    let bad = || format!("bad backup_max_age `{text}`: write e.g. \"36h\", \"2d\" or \"90m\"");
    let n: u64 = number.parse().map_err(|_| bad())?;
    let seconds = match unit {
        "m" | "min" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(bad()),
    };
    Ok(Duration::from_secs(n * seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_parse_with_units() {
        assert_eq!(parse_age("36h"), Ok(Duration::from_secs(36 * 3600)));
        assert_eq!(parse_age("2d"), Ok(Duration::from_secs(2 * 86_400)));
        assert_eq!(parse_age("90m"), Ok(Duration::from_secs(90 * 60)));
        assert_eq!(parse_age("26"), Ok(Duration::from_secs(26 * 3600)));
        assert!(parse_age("2w").is_err());
        assert!(parse_age("h").is_err());
    }

    #[test]
    fn status_words_and_reasons() {
        let result = HostAudit {
            label: "prod-1".into(),
            status: HostStatus::TimedOut("no SSH connection within 5 s".into()),
            outcome: ScanOutcome::default(),
            elapsed: Duration::from_millis(5012),
        };
        assert_eq!(
            status_line(&result),
            "prod-1: timed out (5.0 s): no SSH connection within 5 s"
        );
        assert!(!result.status.audited());
        assert!(HostStatus::Findings(2).audited());
        assert!(!HostStatus::PartlyAudited(2).audited());
        assert_eq!(
            HostStatus::PartlyAudited(0).word(),
            "partly audited, findings 0"
        );
        assert_eq!(HostStatus::PartlyAudited(0).reason(), None);
        assert_eq!(HostStatus::Findings(2).word(), "findings 2");
    }
}
