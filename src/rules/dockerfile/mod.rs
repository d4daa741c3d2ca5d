//! Rules for Dockerfiles. What ships is the final stage (the last `FROM`, what `docker
//! build` produces without `--target`), together with the stages it is built on (`FROM
//! builder` inherits their layers, `USER` and `ENV`): most rules judge only that. Rules about
//! what is written in the file whatever the stage (secrets, unpinned base images, `curl | sh`
//! running at build time) judge every stage. A finding about something absent from the
//! final stage points at its `FROM`.

use crate::formats::dockerfile::{Dockerfile, Instruction};
use crate::formats::shell::simple_commands;
use crate::rules::{checks, RegisteredCheck};
use crate::source::Span;

pub mod base_image;
pub mod build_commands;
pub mod files;
pub mod runtime;
pub mod secrets;
pub mod user;

/// The family's built-in checks, sorted by name (see `crate::rules::registry`).
pub(crate) const RULES: &[RegisteredCheck] = checks! {
    document "dockerfile-add-instead-of-copy" => files::add_instead_of_copy;
    document "dockerfile-add-remote-url" => files::add_remote_url;
    document "dockerfile-apt-recommends" => build_commands::apt_recommends;
    document "dockerfile-copy-whole-context" => files::copy_whole_context;
    document "dockerfile-dev-server" => runtime::dev_server_command;
    document "dockerfile-expose-ssh" => user::exposes_ssh;
    document "dockerfile-no-healthcheck" => runtime::no_healthcheck;
    document "dockerfile-node-env" => runtime::node_env;
    document "dockerfile-npm-install" => build_commands::npm_install;
    document "dockerfile-pipe-to-shell" => build_commands::pipe_to_shell;
    document "dockerfile-runs-as-root" => user::runs_as_root;
    document "dockerfile-secret-build-arg" => secrets::secret_build_arg;
    document "dockerfile-secret-in-env" => secrets::literal_secret;
    document "dockerfile-shell-form-command" => runtime::shell_form_command;
    document "dockerfile-sudo" => user::sudo;
    document "dockerfile-unpinned-base-image" => base_image::unpinned;
};

/// The instructions that make up the final image: those of the final stage and of the
/// stages it is built on.
fn final_instructions(file: &Dockerfile) -> Vec<&Instruction> {
    file.final_stage()
        .map_or_else(Vec::new, |stage| file.effective_instructions(stage))
}

/// The last instruction `keyword` in effect in the final image.
fn last_in_final<'a>(file: &'a Dockerfile, keyword: &str) -> Option<&'a Instruction> {
    final_instructions(file)
        .into_iter()
        .rev()
        .find(|i| i.keyword == keyword)
}

/// One simple command of a `RUN`: its words with where each is written, and whether its
/// output is piped into the next command.
pub struct ShellCommand {
    /// The words, unquoted, each with its span in the file.
    pub words: Vec<(String, Span)>,
    /// Whether a `|` (not `||`) follows it.
    pub piped: bool,
}

impl ShellCommand {
    /// The program run: the first word after `VAR=value` prefixes and `sudo`/`env`.
    pub fn program(&self) -> Option<(&str, usize)> {
        self.words
            .iter()
            .enumerate()
            .find(|(_, (w, _))| {
                let assignment = w.contains('=') && !w.starts_with('-');
                !assignment && w != "sudo" && w != "env"
            })
            .map(|(i, (w, _))| (w.rsplit('/').next().unwrap_or(w), i))
    }
}

/// Splits `line` into simple commands; `locate` turns a byte range of `line` into a file span.
fn commands_of(line: &str, locate: &dyn Fn(usize, usize) -> Span) -> Vec<ShellCommand> {
    let parsed = simple_commands(line);
    let mut out: Vec<ShellCommand> = Vec::new();
    let mut previous_end: Option<usize> = None;
    for words in parsed.into_iter().filter(|w| !w.is_empty()) {
        let start = words[0].range.start;
        if let (Some(end), Some(last)) = (previous_end, out.last_mut()) {
            let between = line.get(end..start).unwrap_or("");
            last.piped = between.contains('|') && !between.contains("||");
        }
        previous_end = words.last().map(|w| w.range.end);
        out.push(ShellCommand {
            words: words
                .into_iter()
                .map(|w| {
                    let span = locate(w.range.start, w.range.end);
                    (w.text, span)
                })
                .collect(),
            piped: false,
        });
    }
    out
}

/// The shell commands a `RUN` runs: its shell-form line, and the body of a heredoc that is
/// its script (`RUN <<EOF`, `RUN bash <<EOF`). Exec-form `RUN`s run no shell.
pub fn run_commands(instruction: &Instruction) -> Vec<ShellCommand> {
    if instruction.keyword != "RUN" {
        return Vec::new();
    }
    let Some(line) = instruction.shell() else {
        return Vec::new();
    };
    let mut commands = commands_of(line, &|s, e| instruction.shell_span(s, e));
    let script_runner = commands
        .first()
        .and_then(ShellCommand::program)
        .is_none_or(|(p, _)| {
            p.starts_with("<<") || matches!(p, "sh" | "bash" | "ash" | "dash" | "zsh")
        });
    if script_runner {
        for heredoc in &instruction.heredocs {
            for (base, body_line) in heredoc.lines() {
                commands.extend(commands_of(body_line, &|s, e| {
                    heredoc.file_span(base + s, base + e)
                }));
            }
        }
    }
    commands
        .into_iter()
        .filter(|c| c.words.first().is_some_and(|(w, _)| !w.starts_with("<<")))
        .collect()
}
