//! LIVE003–LIVE004: application processes as root, and development servers running.

use crate::formats::host::ps::{Process, Processes};
use crate::message::Quote;
use crate::msg;
use crate::rules::Context;

/// Programs that run application code.
const APP_PROGRAMS: &[&str] = &[
    "node",
    "nodejs",
    "gunicorn",
    "uvicorn",
    "hypercorn",
    "daphne",
    "celery",
    "java",
    "ruby",
    "puma",
    "rails",
    "php",
    "deno",
    "bun",
    "flask",
    "waitress-serve",
];

/// Python modules that serve an application when run with `python -m`.
const SERVER_MODULES: &[&str] = &[
    "gunicorn",
    "uvicorn",
    "hypercorn",
    "daphne",
    "celery",
    "flask",
    "waitress",
    "django",
    "http.server",
];

/// Where distribution packages keep their programs: a Python daemon started from there
/// (`fail2ban-server`, `unattended-upgrade`) is the system's, not an application.
const SYSTEM_PREFIXES: &[&str] = &[
    "/usr/bin/",
    "/usr/sbin/",
    "/usr/lib/",
    "/usr/share/",
    "/usr/libexec/",
    "/bin/",
    "/sbin/",
    "/lib/",
];

/// Whether `process` runs application code: a known runtime or server, or a Python
/// interpreter running something that is not a system script.
fn is_application(process: &Process) -> bool {
    let program = process.program();
    if APP_PROGRAMS.contains(&program) {
        return true;
    }
    if !program.starts_with("python") {
        return false;
    }
    // `python3 -c '…'` is a one-off command, not a service.
    if process.words().nth(1) == Some("-c") {
        return false;
    }
    // `python3 -m MODULE`: a service only when the module is a server (`-m gunicorn`);
    // `-m pip install`, `-m venv` are one-off commands.
    let mut words = process.words().skip(1);
    if words.by_ref().any(|w| w == "-m") {
        return words.next().is_some_and(|module| {
            SERVER_MODULES.contains(&module) || APP_PROGRAMS.contains(&module)
        });
    }
    let script = process.words().skip(1).find(|w| !w.starts_with('-'));
    match script {
        None => false,
        Some(script) => !SYSTEM_PREFIXES.iter().any(|p| script.starts_with(p)),
    }
}

/// LIVE003: an application process running as root. A bug in the application (a path
/// traversal, a deserialisation flaw, a template injection) then owns the whole host.
/// Reported once per command line: a server's master and its workers (`gunicorn -w 7`)
/// are one finding, at the first, with how many processes share it.
pub fn app_as_root(cx: &mut Context<'_, Processes>) {
    let as_root: Vec<&Process> = cx
        .content
        .processes
        .iter()
        .filter(|p| p.user == "root" && !p.is_kernel_thread() && is_application(p))
        .collect();
    for (index, process) in as_root.iter().enumerate() {
        if as_root[..index].iter().any(|p| p.args == process.args) {
            continue;
        }
        let others = as_root[index + 1..]
            .iter()
            .filter(|p| p.args == process.args)
            .count();
        let how_many = match others {
            0 => msg!("pid {}", process.pid),
            n => msg!(
                "pid {} and {} more with the same command line",
                process.pid,
                n
            ),
        };
        cx.report(
            process.args_span,
            format!("root:{}", process.args),
            msg!(
                "`{}` ({}) runs as root, so any flaw in the application gives the whole host away; run it as an unprivileged user (`User=app` in its systemd unit, `user` in the process manager)",
                Quote::at(process.program_span()),
                how_many
            ),
        );
    }
}

/// LIVE004: `manage.py runserver` or `nodemon` running at all. Development servers are
/// single-threaded, reload on file changes and show debug pages; none belongs on a host.
pub fn dev_server(cx: &mut Context<'_, Processes>) {
    for process in &cx.content.processes {
        let words: Vec<&str> = process.words().collect();
        let runserver = words
            .windows(2)
            .any(|w| w[0].ends_with("manage.py") && w[1] == "runserver");
        let nodemon = words.iter().take(3).any(|w| {
            w.rsplit('/').next() == Some("nodemon") || w.ends_with("nodemon/bin/nodemon.js")
        });
        let (what, instead) = if runserver {
            (
                "Django's development server (`manage.py runserver`)",
                "gunicorn or uvicorn behind nginx",
            )
        } else if nodemon {
            ("nodemon", "`node` under systemd or PM2")
        } else {
            continue;
        };
        cx.report(
            process.args_span,
            format!("dev:{}", process.args),
            msg!(
                "{} is running (pid {}, user {}): it reloads on file changes and is not built for production traffic; run the application with {}",
                what,
                process.pid,
                Quote::at(process.user_span),
                instead
            ),
        );
    }
}
