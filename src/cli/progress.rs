//! A progress line on standard error while a long `check` runs: after a second without a
//! report, a spinner and the seconds so far, cleared when the scan ends. Only on a terminal
//! (never in CI logs, pipes or files), so no output a machine reads ever changes.
//!
//! Hand-written rather than indicatif: indicatif is only built with the `live` feature (the
//! fleet's bars), and one line redrawn by a thread does not justify it in the static build.

use std::io::{IsTerminal, Write};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a scan runs before the line appears; `PREFLIGHT_PROGRESS_AFTER_MS` changes it
/// (the tests set 0 to see the line on any scan).
const QUIET_FOR: Duration = Duration::from_secs(1);
/// How often the line is redrawn.
const TICK: Duration = Duration::from_millis(125);
const FRAMES: &[char] = &['|', '/', '-', '\\'];

/// The running indicator; [`Progress::finish`] (or drop) stops it and clears its line.
pub struct Progress {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts the indicator when standard error is an interactive terminal outside CI.
    pub fn start(what: &'static str, quiet: bool) -> Self {
        let wanted =
            !quiet && std::io::stderr().is_terminal() && interactive(|k| std::env::var_os(k));
        if !wanted {
            return Self {
                stop: None,
                thread: None,
            };
        }
        let quiet_for = std::env::var("PREFLIGHT_PROGRESS_AFTER_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map_or(QUIET_FOR, Duration::from_millis);
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            if !quiet_for.is_zero()
                && stopped.recv_timeout(quiet_for) != Err(RecvTimeoutError::Timeout)
            {
                return;
            }
            let mut frame = 0;
            let mut stderr = std::io::stderr();
            loop {
                let seconds = started.elapsed().as_secs();
                let _ = write!(
                    stderr,
                    "\r{} {what}… {seconds} s",
                    FRAMES[frame % FRAMES.len()]
                );
                let _ = stderr.flush();
                frame += 1;
                if stopped.recv_timeout(TICK) != Err(RecvTimeoutError::Timeout) {
                    // Erase the line, so the report starts on a clean one.
                    let _ = write!(stderr, "\r\x1b[2K");
                    let _ = stderr.flush();
                    return;
                }
            }
        });
        Self {
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Stops the indicator and waits until its line is cleared.
    pub fn finish(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop_now();
    }
}

/// Whether the environment is a person's terminal: not CI (`CI`, as GitHub, GitLab and most
/// others set it) and not a terminal that cannot move the cursor (`TERM=dumb`).
fn interactive(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> bool {
    var("CI").is_none_or(|v| v.is_empty() || v == "false" || v == "0")
        && var("TERM").is_none_or(|t| t != "dumb")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<OsString> {
        move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.into())
    }

    #[test]
    fn ci_and_dumb_terminals_get_no_progress_line() {
        assert!(interactive(env(&[("TERM", "xterm-256color")])));
        assert!(interactive(env(&[("CI", "false")])));
        assert!(!interactive(env(&[("CI", "true")])));
        assert!(!interactive(env(&[("CI", "1"), ("TERM", "xterm")])));
        assert!(!interactive(env(&[("TERM", "dumb")])));
    }
}
