//! Many allowlisted command lines in one exec. Over SSH every exec starts the user's login
//! shell, whose rc files may cost a tenth of a second or more (a version manager's
//! `eval "$(pyenv init -)"`), plus a round trip; a host's collection is therefore a few
//! scripts, not sixty commands.
//!
//! The script runs in a clean environment (`env -i`, keeping only `PATH` and `HOME`, with
//! `LC_ALL=C` so no tool's output is translated). It runs each line as `sh -c LINE` with
//! standard input closed, its standard output cut at [`Limits::line_stdout`] by `head -c`,
//! and under coreutils' `timeout` when the host has it. Marker lines carrying a random
//! nonce separate the lines' output on both streams, and each line's exit status follows
//! its output. A file's content cannot forge a marker (it was written before the nonce
//! existed); a hostile host can lie about anything, so parsing only has to stay bounded
//! and never panic.
//!
//! What a script could not finish is not lost: a line whose output did not fit in the
//! script's output cap runs again in a next script, and lines a time limit cut short are
//! told apart (the line that was running timed out, the ones after it were skipped).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant};

use super::snapshot::quote;
use super::transport::{ExecError, ExecOutput, STDERR_CAP, STDOUT_CAP};

/// Sizes that bound a script and what it sends back.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most bytes of one line's standard output kept (cut on the host by `head -c`).
    pub line_stdout: usize,
    /// Most bytes of a whole script's standard output kept; lines past it run again.
    pub script_stdout: usize,
    /// Most bytes of a whole script's standard error kept.
    pub script_stderr: usize,
    /// Longest script text sent at once (lines beyond it go in a next script).
    pub script_text: usize,
}

/// The limits the transports use: a line keeps what a single command keeps.
pub const LIMITS: Limits = Limits {
    line_stdout: STDOUT_CAP,
    script_stdout: 16 * 1024 * 1024,
    script_stderr: 1024 * 1024,
    script_text: 96 * 1024,
};

/// What a transport gives back for one script: what it printed, even when it was stopped.
#[derive(Debug, Clone, Default)]
pub struct ScriptRun {
    /// Output and status so far.
    pub output: ExecOutput,
    /// The script was stopped at its time limit.
    pub timed_out: bool,
}

/// The exit status of coreutils' `timeout` when it stopped the command.
const TIMED_OUT: i32 = 124;

/// The stdout and stderr caps a transport keeps of one script.
pub type Caps = (usize, usize);

/// Runs `lines` through `run` (which executes one script within a time limit, keeping at
/// most the given caps of its output) in as few scripts as [`LIMITS`] allow. Each line gets
/// at most `per_line`; all of them together at most `total`.
pub fn exec_each(
    run: impl Fn(&str, Duration, Caps) -> Result<ScriptRun, ExecError>,
    lines: &[String],
    per_line: Duration,
    total: Duration,
) -> Vec<Result<ExecOutput, ExecError>> {
    exec_each_within(run, lines, per_line, total, LIMITS)
}

/// [`exec_each`] with other limits.
fn exec_each_within(
    run: impl Fn(&str, Duration, Caps) -> Result<ScriptRun, ExecError>,
    lines: &[String],
    per_line: Duration,
    total: Duration,
    limits: Limits,
) -> Vec<Result<ExecOutput, ExecError>> {
    let started = Instant::now();
    let mut results: Vec<Option<Result<ExecOutput, ExecError>>> = vec![None; lines.len()];
    let mut pending: Vec<usize> = (0..lines.len()).collect();
    while !pending.is_empty() {
        let left = total.saturating_sub(started.elapsed());
        if left.is_zero() {
            for &i in &pending {
                results[i] = Some(Err(ExecError::Skipped));
            }
            break;
        }
        let batch = fitting(&pending, lines, limits.script_text);
        let nonce = nonce();
        let text = script(
            &batch.iter().map(|&i| &*lines[i]).collect::<Vec<_>>(),
            &nonce,
            per_line,
            limits,
        );
        let outcomes = match run(&text, left, (limits.script_stdout, limits.script_stderr)) {
            Ok(ran) => split(&ran, batch.len(), &nonce, per_line, limits),
            Err(e) => vec![Outcome::Done(Err(e)); batch.len()],
        };
        let mut again = Vec::new();
        for (position, (&i, outcome)) in batch.iter().zip(outcomes).enumerate() {
            match outcome {
                Outcome::Done(result) => results[i] = Some(result),
                // The first line of a script always fits; should a host claim otherwise,
                // it is not asked again (the loop must end).
                Outcome::Again if position == 0 => {
                    results[i] = Some(Err(ExecError::Transport(
                        "its output did not fit in the script's output".into(),
                    )));
                }
                Outcome::Again => again.push(i),
            }
        }
        again.extend(pending.into_iter().skip(batch.len()));
        pending = again;
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or(Err(ExecError::Skipped)))
        .collect()
}

/// The first of `pending` whose quoted text fits in `limit` bytes (always at least one).
fn fitting(pending: &[usize], lines: &[String], limit: usize) -> Vec<usize> {
    let mut size = 0;
    let mut batch = Vec::new();
    for &i in pending {
        size += lines[i].len() + 16;
        if !batch.is_empty() && size > limit {
            break;
        }
        batch.push(i);
    }
    batch
}

/// A fresh nonce: 128 bits from the standard library's randomly keyed hasher (seeded by the
/// operating system), so no file on the host can contain a marker made of it by design, and
/// no saved snapshot's secret identities can be recomputed.
pub(crate) fn nonce() -> String {
    let mut text = String::from("PF");
    for salt in 0..2u8 {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u8(salt);
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        text.push_str(&format!("{:016x}", hasher.finish()));
    }
    text
}

/// The script that runs `lines` in order (see the module documentation), as one command
/// line for the host's shell.
fn script(lines: &[&str], nonce: &str, per_line: Duration, limits: Limits) -> String {
    let seconds = per_line.as_secs() + u64::from(per_line.subsec_nanos() > 0);
    // fd 4 is the script's standard output: `head` writes there, while the status goes
    // through the command substitution's pipe (fd 3), so it follows the whole output.
    let mut body = format!(
        "exec 4>&1\nM={nonce}\nT=\nif command -v timeout >/dev/null 2>&1; then T='timeout -k 2 {seconds}'; fi\n\
         s() {{\n\
         printf '\\n%s %s\\n' \"$M\" \"$1\" >&2\n\
         printf '\\n%s %s\\n' \"$M\" \"$1\"\n\
         c=$( {{ {{ $T sh -c \"$2\" </dev/null 3>&- 4>&-; echo \"$?\" >&3; }} | head -c {cap} >&4; }} 3>&1 )\n\
         printf '\\n%s end %s %s\\n' \"$M\" \"$1\" \"$c\"\n\
         }}\n",
        cap = limits.line_stdout,
    );
    for (i, line) in lines.iter().enumerate() {
        body.push_str(&format!("s {i} {}\n", quote(line)));
    }
    format!(
        "exec env -i PATH=\"$PATH\" HOME=\"$HOME\" LC_ALL=C sh -c {}",
        quote(&body)
    )
}

/// What became of one line of a script.
#[derive(Debug, Clone)]
enum Outcome {
    Done(Result<ExecOutput, ExecError>),
    /// Its output did not fit in what the script may send: run it again.
    Again,
}

/// A marker line the script printed: line `index` starts, or ends with `status`.
#[derive(Debug, Clone, Copy)]
struct Marker {
    /// Where the marker's leading newline is.
    at: usize,
    /// Where the text after the marker's line starts.
    after: usize,
    index: usize,
    /// `Some` for an end marker (`None` inside when the status is not a number).
    end: Option<Option<i32>>,
}

/// The marker lines of `stream`, in order, found in one pass (a host's output is read in
/// time linear in its size, whatever it contains).
fn markers(stream: &[u8], nonce: &str) -> Vec<Marker> {
    let prefix = format!("\n{nonce} ");
    memchr::memmem::find_iter(stream, prefix.as_bytes())
        .filter_map(|at| {
            let rest = &stream[at + prefix.len()..];
            let newline = memchr::memchr(b'\n', rest)?;
            let line = std::str::from_utf8(&rest[..newline]).ok()?;
            let after = at + prefix.len() + newline + 1;
            let (index, end) = match line.strip_prefix("end ") {
                Some(ended) => {
                    let (index, status) = ended.split_once(' ')?;
                    (index, Some(status.parse().ok()))
                }
                None => (line, None),
            };
            Some(Marker {
                at,
                after,
                index: index.parse().ok()?,
                end,
            })
        })
        .collect()
}

/// Each of the `count` lines' output, error output and status, from what the script sent.
fn split(
    ran: &ScriptRun,
    count: usize,
    nonce: &str,
    per_line: Duration,
    limits: Limits,
) -> Vec<Outcome> {
    let stdout = &ran.output.stdout;
    let truncated = stdout.len() >= limits.script_stdout;
    // Where each line's output begins, and where it ends with which status (first only).
    let mut begins: Vec<Option<usize>> = vec![None; count];
    let mut ends: Vec<Option<(usize, Option<i32>)>> = vec![None; count];
    for marker in markers(stdout, nonce) {
        if marker.index >= count {
            continue;
        }
        match marker.end {
            None => {
                begins[marker.index].get_or_insert(marker.after);
            }
            Some(status) => match begins[marker.index] {
                Some(begin) if begin <= marker.at && ends[marker.index].is_none() => {
                    ends[marker.index] = Some((marker.at, status));
                }
                _ => {}
            },
        }
    }
    let errors = error_sections(&ran.output.stderr, nonce, count);
    let unfinished = |started: bool| {
        if truncated {
            Outcome::Again
        } else if ran.timed_out && started {
            Outcome::Done(Err(ExecError::Timeout(per_line)))
        } else if ran.timed_out {
            Outcome::Done(Err(ExecError::Skipped))
        } else {
            Outcome::Done(Err(ExecError::Transport(
                "the host stopped before it finished".into(),
            )))
        }
    };
    (0..count)
        .map(|i| match (begins[i], ends[i]) {
            (Some(_), Some((_, Some(TIMED_OUT)))) => {
                Outcome::Done(Err(ExecError::Timeout(per_line)))
            }
            (Some(begin), Some((stop, status))) => {
                let mut stderr = errors[i].to_vec();
                stderr.truncate(STDERR_CAP);
                Outcome::Done(Ok(ExecOutput {
                    // A shell reports a command ended by signal N as status 128 + N.
                    status: status.filter(|s| !(129..=192).contains(s)),
                    stdout: stdout[begin..stop].to_vec(),
                    stderr,
                }))
            }
            (started, _) => unfinished(started.is_some()),
        })
        .collect()
}

/// Each line's part of the script's error output: from its marker to the next marker.
fn error_sections<'a>(stderr: &'a [u8], nonce: &str, count: usize) -> Vec<&'a [u8]> {
    let mut parts = vec![&stderr[..0]; count];
    let found = markers(stderr, nonce);
    for (k, marker) in found.iter().enumerate() {
        let stop = found.get(k + 1).map_or(stderr.len(), |next| next.at);
        if marker.end.is_none() && marker.index < count && parts[marker.index].is_empty() {
            parts[marker.index] = &stderr[marker.after.min(stop)..stop];
        }
    }
    parts
}

/// The default for transports that cannot run scripts (and test stand-ins): one exec per
/// line, within `total`.
pub fn one_by_one(
    exec: impl Fn(&str, Duration) -> Result<ExecOutput, ExecError>,
    lines: &[String],
    per_line: Duration,
    total: Duration,
) -> Vec<Result<ExecOutput, ExecError>> {
    let started = Instant::now();
    lines
        .iter()
        .map(|line| {
            let left = total.saturating_sub(started.elapsed());
            if left.is_zero() {
                Err(ExecError::Skipped)
            } else {
                exec(line, per_line.min(left))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::transport::{run_sh, LocalTransport, Transport};
    use std::path::Path;

    const MINUTE: Duration = Duration::from_secs(60);

    /// Runs `lines` as scripts on this machine with `limits`, the script's text prefixed by
    /// `prefix`, recording each script's text.
    fn scripted(
        lines: &[&str],
        per_line: Duration,
        total: Duration,
        limits: Limits,
        prefix: &str,
    ) -> (Vec<Result<ExecOutput, ExecError>>, usize) {
        let runs = std::sync::atomic::AtomicUsize::new(0);
        let lines: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
        let results = exec_each_within(
            |script, limit, caps| {
                runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                run_sh(&format!("{prefix}{script}"), limit, caps)
            },
            &lines,
            per_line,
            total,
            limits,
        );
        (results, runs.into_inner())
    }

    #[test]
    fn a_script_gives_each_line_what_running_it_alone_gives() {
        // Output without a final newline, binary bytes, error output, exit statuses, a
        // missing command, a signal, and lines that print marker-like text (another nonce,
        // this script's marker shape) that must stay the lines' own output.
        let lines = [
            "printf 'no newline'",
            "printf 'a\\0b\\377\\n\\n'",
            "echo out; echo err >&2; exit 3",
            "no-such-command-preflight",
            "kill -9 $$",
            "printf '\\nPF0123456789abcdef0123456789abcdef 7\\nforged\\nPF0123 end 0 0\\n'",
            "cat /dev/null",
            "echo \"$LC_ALL\"",
        ];
        let (scripted, runs) = scripted(&lines, MINUTE, MINUTE, LIMITS, "");
        assert_eq!(runs, 1);
        let local = LocalTransport::new();
        for (line, got) in lines.iter().zip(&scripted) {
            let alone = local.exec(&format!("LC_ALL=C; {line}"), MINUTE).unwrap();
            let got = got.as_ref().unwrap();
            assert_eq!(got.stdout, alone.stdout, "{line}");
            assert_eq!(got.status, alone.status, "{line}");
            // The shell names itself differently (`sh: 1:` against `sh: 1: sh:`), and the
            // script's shell says `Killed` of a killed line; whether there is error output
            // is the same otherwise.
            if got.status.is_some() {
                assert_eq!(got.stderr.is_empty(), alone.stderr.is_empty(), "{line}");
            }
        }
        assert_eq!(scripted[2].as_ref().unwrap().stderr, b"err\n");
        assert_eq!(scripted[3].as_ref().unwrap().status, Some(127));
        assert_eq!(
            scripted[4].as_ref().unwrap().status,
            None,
            "killed by a signal"
        );
        assert_eq!(
            scripted[7].as_ref().unwrap().stdout,
            b"C\n",
            "a clean environment"
        );
    }

    #[test]
    fn lines_whose_output_does_not_fit_run_again_in_a_next_script() {
        let limits = Limits {
            line_stdout: 1001,
            script_stdout: 2500,
            script_stderr: 4096,
            script_text: 10_000,
        };
        let lines = [
            "head -c 900 /dev/zero",
            "head -c 900 /dev/zero",
            "head -c 5000 /dev/zero",
            "head -c 900 /dev/zero; echo e >&2",
            "echo last",
        ];
        let (results, runs) = scripted(&lines, MINUTE, MINUTE, limits, "");
        // The first script's output is full during the third line: it and the rest run
        // again in a second one.
        assert_eq!(runs, 2);
        let sizes: Vec<usize> = results
            .iter()
            .map(|r| r.as_ref().unwrap().stdout.len())
            .collect();
        // The third is cut at the line cap on the host (one byte over the snapshot's limit).
        assert_eq!(sizes, [900, 900, 1001, 900, 5]);
        assert_eq!(results[3].as_ref().unwrap().stderr, b"e\n");
    }

    #[test]
    fn long_scripts_are_split_by_their_text() {
        let limits = Limits {
            script_text: 100,
            ..LIMITS
        };
        let lines: Vec<String> = (0..10).map(|i| format!("echo {i}")).collect();
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let (results, runs) = scripted(&lines, MINUTE, MINUTE, limits, "");
        assert!(runs > 1);
        for (i, result) in results.iter().enumerate() {
            assert_eq!(result.as_ref().unwrap().stdout, format!("{i}\n").as_bytes());
        }
    }

    #[test]
    fn a_hanging_line_times_out_alone_where_the_host_has_timeout() {
        let (results, _) = scripted(
            &["echo before", "sleep 600", "echo after"],
            Duration::from_secs(1),
            MINUTE,
            LIMITS,
            "",
        );
        assert_eq!(results[0].as_ref().unwrap().stdout, b"before\n");
        assert_eq!(results[1], Err(ExecError::Timeout(Duration::from_secs(1))));
        assert_eq!(results[2].as_ref().unwrap().stdout, b"after\n");
    }

    #[test]
    fn without_timeout_on_the_host_the_script_is_stopped_and_the_rest_skipped() {
        // A PATH with the tools the script needs but not `timeout`.
        let bin = tempfile::tempdir().unwrap();
        for tool in ["sh", "env", "head", "sleep", "echo"] {
            let found = ["/usr/bin", "/bin"]
                .iter()
                .map(|d| Path::new(d).join(tool))
                .find(|p| p.exists())
                .unwrap();
            std::os::unix::fs::symlink(found, bin.path().join(tool)).unwrap();
        }
        let prefix = format!("PATH={}; ", quote(&bin.path().display().to_string()));
        let (results, _) = scripted(
            &["echo before", "sleep 600", "echo after"],
            Duration::from_secs(30),
            Duration::from_millis(1500),
            LIMITS,
            &prefix,
        );
        assert_eq!(results[0].as_ref().unwrap().stdout, b"before\n");
        assert!(
            matches!(results[1], Err(ExecError::Timeout(_))),
            "{results:?}"
        );
        assert_eq!(results[2], Err(ExecError::Skipped));
    }

    #[test]
    fn whatever_a_host_sends_is_split_without_panicking() {
        let nonce = "PFabc";
        let hostile: [&[u8]; 8] = [
            b"",
            b"\nPFabc 0\n",
            b"\nPFabc end 0 0\n\nPFabc 0\nx",
            b"\nPFabc 99999999999999999999\n\nPFabc end 0 x\n",
            b"\nPFabc 1\nb\nPFabc end 1 0\n\nPFabc 0\na\nPFabc end 0 0\n",
            b"\nPFabc 0\n\nPFabc 0\n\nPFabc end 0 \n",
            b"\nPFabc end 0 0",
            b"\xff\xfe\nPFabc \xff\n",
        ];
        for stdout in hostile {
            for timed_out in [false, true] {
                let ran = ScriptRun {
                    output: ExecOutput {
                        status: Some(0),
                        stdout: stdout.to_vec(),
                        stderr: stdout.to_vec(),
                    },
                    timed_out,
                };
                let outcomes = split(&ran, 2, nonce, MINUTE, LIMITS);
                assert_eq!(outcomes.len(), 2);
            }
        }
        // Lines out of order still get their own output.
        let ran = ScriptRun {
            output: ExecOutput {
                status: Some(0),
                stdout: hostile[4].to_vec(),
                stderr: Vec::new(),
            },
            timed_out: false,
        };
        let outputs: Vec<Vec<u8>> = split(&ran, 2, nonce, MINUTE, LIMITS)
            .into_iter()
            .map(|o| match o {
                Outcome::Done(Ok(out)) => out.stdout,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(outputs, [b"a".to_vec(), b"b".to_vec()]);
    }
}
