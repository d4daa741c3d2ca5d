//! How commands reach a host. Collection is written once against [`Transport`], so a host
//! audited over SSH and the same host audited locally run the very same commands and
//! produce the same snapshot.

use std::io::Read;
#[cfg(unix)]
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::live::script::{Caps, ScriptRun};

/// What a command printed and how it ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecOutput {
    /// The exit status; `None` when the command was ended by a signal.
    pub status: Option<i32>,
    /// Standard output, as bytes (files and command output need not be UTF-8).
    pub stdout: Vec<u8>,
    /// Standard error, kept for "unable to check" notes.
    pub stderr: Vec<u8>,
}

/// Most bytes of standard output kept per command: one more than the snapshot's per-file
/// limit, so an output over it is recognised as such; a hostile host streaming gigabytes
/// costs nothing beyond this.
pub const STDOUT_CAP: usize = 4 * 1024 * 1024 + 1;

/// Most bytes of standard error kept per command (only its first line is ever shown).
pub const STDERR_CAP: usize = 64 * 1024;

/// Appends `data` to `buffer` up to `cap` bytes in all; the rest is read and dropped, so
/// the command is never blocked on a full pipe.
pub fn push_capped(buffer: &mut Vec<u8>, data: &[u8], cap: usize) {
    let room = cap.saturating_sub(buffer.len());
    buffer.extend_from_slice(&data[..data.len().min(room)]);
}

impl ExecOutput {
    /// Whether the command exited with status 0.
    pub fn success(&self) -> bool {
        self.status == Some(0)
    }
}

/// Why a command could not be run at all (as opposed to running and failing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecError {
    /// The command did not finish within its timeout; it was stopped.
    Timeout(Duration),
    /// The channel to the host failed (connection dropped, process could not start).
    Transport(String),
    /// Not run: the time allowed for it ran out before its turn.
    Skipped,
}

impl std::fmt::Display for ExecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Timeout(limit) => write!(f, "timed out after {} s", limit.as_secs_f32()),
            Self::Transport(why) => f.write_str(why),
            Self::Skipped => f.write_str("skipped: the time limit was reached before it ran"),
        }
    }
}

impl std::error::Error for ExecError {}

/// A way to run a shell command line on one host.
///
/// Command lines are POSIX `sh` syntax, executed by the host's login shell over SSH or
/// by `sh -c` locally; callers only ever pass commands from the snapshot allowlist.
pub trait Transport: Send + Sync {
    /// The host's name as reports show it (`prod-1`, `localhost`).
    fn host_label(&self) -> &str;

    /// Runs `command` and waits at most `timeout` for it to finish.
    fn exec(&self, command: &str, timeout: Duration) -> Result<ExecOutput, ExecError>;

    /// Runs each of `lines`, in order, each for at most `per_line` and all of them within
    /// `total`; one result per line. Transports that can run a shell script send them
    /// together ([`crate::live::script`]); others run them one by one.
    fn exec_each(
        &self,
        lines: &[String],
        per_line: Duration,
        total: Duration,
    ) -> Vec<Result<ExecOutput, ExecError>> {
        crate::live::script::one_by_one(
            |line, limit| self.exec(line, limit),
            lines,
            per_line,
            total,
        )
    }
}

/// This machine, for `preflight audit local`: commands run under `sh -c`.
#[derive(Debug, Clone)]
pub struct LocalTransport {
    label: String,
}

impl LocalTransport {
    /// A transport labelled with this machine's host name.
    pub fn new() -> Self {
        let label = std::fs::read_to_string("/etc/hostname")
            .ok()
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| "localhost".to_owned());
        Self { label }
    }
}

impl Default for LocalTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl Transport for LocalTransport {
    fn host_label(&self) -> &str {
        &self.label
    }

    fn exec(&self, command: &str, timeout: Duration) -> Result<ExecOutput, ExecError> {
        let ran = run_sh(command, timeout, (STDOUT_CAP, STDERR_CAP))?;
        if ran.timed_out {
            return Err(ExecError::Timeout(timeout));
        }
        Ok(ran.output)
    }

    fn exec_each(
        &self,
        lines: &[String],
        per_line: Duration,
        total: Duration,
    ) -> Vec<Result<ExecOutput, ExecError>> {
        crate::live::script::exec_each(run_sh, lines, per_line, total)
    }
}

/// Runs `command` under `sh -c` for at most `timeout`, keeping at most the caps' bytes of
/// its output; what it printed before a timeout is kept too.
pub(crate) fn run_sh(
    command: &str,
    timeout: Duration,
    (stdout_cap, stderr_cap): Caps,
) -> Result<ScriptRun, ExecError> {
    let mut shell = Command::new("sh");
    shell
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Its own process group, so a timeout stops the command's children too. (Unix only:
    // the Windows build has no `audit`, but `check` compiles this module for snapshots.)
    #[cfg(unix)]
    shell.process_group(0);
    let mut child = shell
        .spawn()
        .map_err(|e| ExecError::Transport(format!("cannot start sh: {e}")))?;
    // Readers on their own threads, so a command filling a pipe never blocks the wait.
    let drain = |pipe: Option<Box<dyn Read + Send>>, cap: usize| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let mut chunk = vec![0u8; 64 * 1024];
                while let Ok(n) = pipe.read(&mut chunk) {
                    if n == 0 {
                        break;
                    }
                    push_capped(&mut bytes, &chunk[..n], cap);
                }
            }
            bytes
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
        stdout_cap,
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
        stderr_cap,
    );
    let started = Instant::now();
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status.code(),
            Ok(None) if started.elapsed() >= timeout => {
                let _ = Command::new("kill")
                    .args(["-KILL", "--", &format!("-{}", child.id())])
                    .stderr(Stdio::null())
                    .status();
                let _ = child.kill();
                let _ = child.wait();
                timed_out = true;
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(ExecError::Transport(e.to_string())),
        }
    };
    Ok(ScriptRun {
        output: ExecOutput {
            status,
            stdout: stdout.join().unwrap_or_default(),
            stderr: stderr.join().unwrap_or_default(),
        },
        timed_out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_printing_more_than_the_cap_keeps_only_the_cap() {
        let local = LocalTransport::new();
        let out = local
            .exec(
                "head -c 20000000 /dev/zero; head -c 1000000 /dev/zero >&2",
                Duration::from_secs(30),
            )
            .unwrap();
        assert!(out.success());
        assert_eq!(out.stdout.len(), STDOUT_CAP);
        assert_eq!(out.stderr.len(), STDERR_CAP);
    }

    #[test]
    fn local_commands_report_output_and_status() {
        let local = LocalTransport::new();
        let out = local
            .exec(
                "printf 'a\\0b'; echo oops >&2; exit 3",
                Duration::from_secs(5),
            )
            .unwrap();
        assert_eq!(out.stdout, b"a\0b");
        assert_eq!(out.stderr, b"oops\n");
        assert_eq!(out.status, Some(3));
        assert!(!out.success());
    }

    #[test]
    fn a_hanging_command_is_stopped_at_its_timeout() {
        // A command that would run for 20 minutes: returning at all (the runner's own
        // timeout would stop a wait for it) shows it was stopped; the bound is far from both
        // the 200 ms timeout and the command's length, so a loaded machine cannot fail it.
        let started = Instant::now();
        let result = LocalTransport::new().exec("sleep 1200", Duration::from_millis(200));
        assert_eq!(result, Err(ExecError::Timeout(Duration::from_millis(200))));
        assert!(started.elapsed() < Duration::from_secs(600));
    }
}
