//! `ps -ww -eo user:32=,pid=,args=` output: who runs what. The user column is wide enough
//! never to be truncated or replaced by a uid, the pid is a number, and the rest of the
//! line is the full command line (kernel threads show as `[name]`).

use crate::formats::lines_with_offsets;
use crate::formats::sensitive::{command_sensitive, Sensitive};
use crate::formats::{Format, ParseContext};
use crate::source::SourceFile;
use crate::source::Span;
use std::sync::Arc;

/// One process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Process {
    /// The user name it runs as.
    pub user: String,
    /// Where the user name is written.
    pub user_span: Span,
    /// Its process id.
    pub pid: u32,
    /// The command line, as `ps` shows it.
    pub args: String,
    /// Where the command line is written.
    pub args_span: Span,
    /// The whole line.
    pub span: Span,
}

impl Process {
    /// The words of the command line (split on blanks; `ps` does not keep quoting).
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.args.split_whitespace()
    }

    /// The program's file name: `python3` for `/usr/bin/python3 app.py`, `gunicorn` for
    /// `gunicorn: master [shop]` (setproctitle's form).
    pub fn program(&self) -> &str {
        let first = self.words().next().unwrap_or("");
        let name = first.rsplit('/').next().unwrap_or(first);
        name.trim_end_matches(':')
    }

    /// Where [`Self::program`] is written.
    pub fn program_span(&self) -> Span {
        let first = self.words().next().unwrap_or("");
        let name = self.program();
        let from = self.args_span.start
            + (self.args.len() - self.args.trim_start().len())
            + first.rfind('/').map_or(0, |i| i + 1);
        Span::new(from, from + name.len())
    }

    /// Whether this is a kernel thread (`[kworker/0:1]`).
    pub fn is_kernel_thread(&self) -> bool {
        self.args.starts_with('[') && self.args.ends_with(']')
    }
}

/// The parsed output.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Processes {
    /// Processes in output order.
    pub processes: Vec<Process>,
}

impl Processes {
    /// Reads the output; lines without a user, a numeric pid and a command are skipped.
    pub fn parse(text: &str) -> Self {
        let mut processes = Vec::new();
        for (start, content) in lines_with_offsets(text) {
            let words = super::ss::words_with_offsets(content);
            let (Some(&(user_at, user)), Some(&(_, pid)), Some(&(args_at, _))) =
                (words.first(), words.get(1), words.get(2))
            else {
                continue;
            };
            let Ok(pid) = pid.parse() else {
                continue;
            };
            processes.push(Process {
                user: user.to_owned(),
                user_span: Span::new(start + user_at, start + user_at + user.len()),
                pid,
                args: content[args_at..].trim_end().to_owned(),
                args_span: Span::new(start + args_at, start + content.trim_end().len()),
                span: Span::new(start, start + content.len()),
            });
        }
        Self { processes }
    }
}

/// How much of the machine a process list shows, judged from the list itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// PID 1 and kernel threads (`[kthreadd]`): every process of the machine.
    Machine,
    /// PID 1 but no kernel thread: a PID namespace of its own, as in a container, whose
    /// clock and audit subsystem belong to the host's kernel.
    Container,
    /// No PID 1: other users' processes are hidden (`/proc` mounted with `hidepid`) or the
    /// list is not `ps -e` output, so a daemon missing from it may still run.
    Partial,
}

impl Processes {
    /// How much of the machine the list shows (see [`Visibility`]).
    pub fn visibility(&self) -> Visibility {
        if !self.processes.iter().any(|p| p.pid == 1) {
            Visibility::Partial
        } else if self.processes.iter().any(Process::is_kernel_thread) {
            Visibility::Machine
        } else {
            Visibility::Container
        }
    }

    /// The first process running one of `programs` (by [`Process::program`], or the applet
    /// `busybox` runs: `busybox crond -f`); kernel threads never match, so `[kauditd]` is
    /// not `auditd`.
    pub fn running(&self, programs: &[&str]) -> Option<&Process> {
        self.processes.iter().find(|p| {
            if p.is_kernel_thread() {
                return false;
            }
            let program = match p.program() {
                "busybox" => p.words().nth(1).unwrap_or(""),
                other => other,
            };
            programs.contains(&program)
        })
    }
}

/// Host state only comes from a snapshot, which says what each file is: no name claims it.
impl Format for Processes {
    fn parse(source: &Arc<SourceFile>, _: &ParseContext) -> Self {
        Self::parse(&source.text)
    }

    /// Secrets on process command lines, as on any command line.
    fn sensitive(&self, _: &SourceFile) -> Vec<Sensitive> {
        self.processes
            .iter()
            .flat_map(|p| {
                let base = p.args_span.start;
                command_sensitive(&p.args, &|from, to| Span::new(base + from, base + to))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines captured from `ps -ww -eo user:32=,pid=,args=` on Debian 12 (procps 4.0.2),
    /// plus the forms gunicorn, nodemon and `manage.py runserver` show.
    const CAPTURED: &str = "\
root                                 1 /process_api --firecracker-init --addr 0.0.0.0:2024
root                                 2 [kthreadd]
root                              1158 bash /dev/fd/3
www-data                          2210 gunicorn: master [shop]
root                              2301 /usr/bin/python3 manage.py runserver 0.0.0.0:8000
deploy                            2400 node /srv/app/node_modules/.bin/nodemon server.js
";

    #[test]
    fn command_line_secrets_are_masked_though_ps_dropped_the_quotes() {
        let text = "root 31 curl -H Authorization: Bearer qzcanary-one https://x.example/\n\
                    app 32 mysqld\n\
                    app 33 mysql -pqzcanary-two shop\n";
        let parsed = Processes::parse(text);
        let source = SourceFile::from_bytes("ps".into(), "ps".into(), text.into());
        let masked: Vec<&str> = parsed
            .sensitive(&source)
            .iter()
            .map(|s| &text[s.span.range()])
            .collect();
        assert_eq!(masked, ["qzcanary-one", "qzcanary-two"]);
    }

    #[test]
    fn reads_users_pids_and_command_lines() {
        let parsed = Processes::parse(CAPTURED);
        let got: Vec<(&str, u32, &str)> = parsed
            .processes
            .iter()
            .map(|p| (p.user.as_str(), p.pid, p.program()))
            .collect();
        assert_eq!(
            got,
            [
                ("root", 1, "process_api"),
                ("root", 2, "[kthreadd]"),
                ("root", 1158, "bash"),
                ("www-data", 2210, "gunicorn"),
                ("root", 2301, "python3"),
                ("deploy", 2400, "node"),
            ]
        );
        assert!(parsed.processes[1].is_kernel_thread());
        for process in &parsed.processes {
            assert_eq!(&CAPTURED[process.program_span().range()], process.program());
            assert_eq!(&CAPTURED[process.user_span.range()], process.user);
        }
        let runserver = &parsed.processes[4];
        assert_eq!(
            &CAPTURED[runserver.args_span.range()],
            "/usr/bin/python3 manage.py runserver 0.0.0.0:8000"
        );
    }

    #[test]
    fn daemons_are_found_by_program_and_kernel_threads_are_not_daemons() {
        let parsed = Processes::parse(
            "root 1 /sbin/init\nroot 30 [kauditd]\nroot 412 /usr/sbin/chronyd -F 1\n\
             root 500 busybox crond -f -l 8\n_chrony 413 /usr/sbin/chronyd -F 1\n",
        );
        assert_eq!(parsed.running(&["chronyd"]).map(|p| p.pid), Some(412));
        assert_eq!(parsed.running(&["crond", "cron"]).map(|p| p.pid), Some(500));
        assert!(parsed.running(&["auditd", "kauditd"]).is_none());
        assert_eq!(parsed.visibility(), Visibility::Machine);
    }

    #[test]
    fn what_the_list_shows_of_the_machine() {
        let container = Processes::parse("root 1 /usr/bin/tini -- app\napp 7 node server.js\n");
        assert_eq!(container.visibility(), Visibility::Container);
        // hidepid: only the user's own processes, no PID 1.
        let hidden = Processes::parse("deploy 2400 node server.js\ndeploy 2405 ps -e\n");
        assert_eq!(hidden.visibility(), Visibility::Partial);
        assert_eq!(Processes::parse("").visibility(), Visibility::Partial);
    }

    #[test]
    fn hostile_output_is_read_without_panicking() {
        let mut text = String::new();
        for i in 0..2000u32 {
            text.push_str(&format!(
                "u{i} {i} \u{1b}[2J busybox\r\n\0\t 99999999999999999999 x\n"
            ));
        }
        text.push_str("root 1 busybox");
        let parsed = Processes::parse(&text);
        assert!(parsed.running(&["crond"]).is_none());
        assert_eq!(
            parsed.processes.last().map(|p| p.program()),
            Some("busybox")
        );
        for p in &parsed.processes {
            assert!(p.span.end <= text.len());
        }
    }

    #[test]
    fn lines_without_a_numeric_pid_are_skipped() {
        let parsed = Processes::parse("USER PID COMMAND\nroot 1\n\n");
        assert!(parsed.processes.is_empty());
    }
}
