//! Rules for Dockerfiles. What ships is the final stage (the last `FROM`, what `docker
//! build` produces without `--target`), together with the stages it is built on (`FROM
//! builder` inherits their layers, `USER` and `ENV`): most rules judge only that. Rules about
//! what is written in the file whatever the stage (secrets, unpinned base images, `curl | sh`
//! running at build time) judge every stage. A finding about something absent from the
//! final stage points at its `FROM`.

use std::sync::Arc;

use crate::formats::dockerfile::{Dockerfile, Instruction};
use crate::formats::shell::simple_commands;
use crate::rules::{checks, Context, RegisteredCheck};
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

/// The shell commands of each instruction of a Dockerfile ([`run_commands`]), split once
/// for every rule of the file that reads them (four did, each splitting every line again).
pub struct RunCommands(Vec<Vec<ShellCommand>>);

impl RunCommands {
    /// Those of the checked Dockerfile.
    pub fn of(cx: &Context<'_, Dockerfile>) -> Arc<Self> {
        cx.shared(|| Self(cx.content.instructions.iter().map(run_commands).collect()))
    }

    /// Those `instruction` (one of `file`'s) runs.
    pub fn run_by(&self, file: &Dockerfile, instruction: &Instruction) -> &[ShellCommand] {
        file.instructions
            .iter()
            .position(|i| std::ptr::eq(i, instruction))
            .and_then(|at| self.0.get(at))
            .map_or(&[], Vec::as_slice)
    }
}

/// The shell commands a `RUN` runs: its shell-form line, and the body of a heredoc that is
/// its script (`RUN <<EOF`, `RUN bash <<EOF`). Exec-form `RUN`s run no shell.
fn run_commands(instruction: &Instruction) -> Vec<ShellCommand> {
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

/// For the tests of the families whose files run containers (Dockerfiles, Compose files,
/// Kubernetes manifests): a secret planted in a file is masked and shown by no message.
#[cfg(test)]
pub(crate) mod canary {
    use crate::document::Document;
    use crate::formats::Target;
    use crate::message::{Message, Secrets};
    use crate::policy::Catalog;
    use crate::rules::registry::bind;
    use crate::rules::Emitter;
    use crate::source::{SourceFile, Span};

    /// The secrets of one file.
    struct Own<'a>(&'a SourceFile, Vec<Span>);

    impl Secrets for Own<'_> {
        fn spans_of(&self, file: &SourceFile) -> Option<&[Span]> {
            std::ptr::eq(file, self.0).then_some(self.1.as_slice())
        }
    }

    /// A secret no heuristic for random-looking values would catch: digit-free words.
    const CANARY: &str = "qzcanary-horse-river-tmsvqpa";

    /// Checks `text`, read as a file of kind `target` with a secret where it says `CANARY`:
    /// every occurrence of the secret is inside one of the spans its format declares
    /// sensitive (so snippets mask it), and no message of a parse error or of a finding of
    /// any rule, related locations included, shows it. Returns the messages as shown
    /// (`RULE: message`, `PF001` for parse errors), for the caller to check that the places
    /// that could show it were reached.
    pub(crate) fn hidden(target: Target, text: &str) -> Vec<String> {
        let (text, canary) = (&text.replace("CANARY", CANARY), CANARY);
        let name = target.example_file_name();
        let source = SourceFile::from_bytes(name.into(), name.into(), text.as_bytes().to_vec());
        let doc = Document::parse(source, target);
        assert!(text.contains(canary), "no canary in:\n{text}");
        let spans = crate::redact::merged(doc.sensitive().iter().map(|s| s.span));
        for (at, _) in text.match_indices(canary) {
            assert!(
                spans
                    .iter()
                    .any(|s| s.start <= at && at + canary.len() <= s.end),
                "the canary at byte {at} is not sensitive in:\n{text}\nsensitive: {:?}",
                spans.iter().map(|s| &text[s.range()]).collect::<Vec<_>>()
            );
        }
        let secrets = Own(&doc.source, spans);
        let render = |message: &Message| message.render(&doc.source, &secrets);
        let mut shown: Vec<String> = doc
            .parse_errors()
            .iter()
            .map(|e| format!("PF001: {}", render(&e.message)))
            .collect();
        let catalog = Catalog::builtin().unwrap();
        for rule in bind(&catalog).unwrap() {
            let mut out = Emitter::new(&catalog);
            rule.check_document(&doc, &mut out);
            for finding in out.into_findings() {
                let related = finding.related.iter().map(|r| &r.message);
                for message in std::iter::once(&finding.message).chain(related) {
                    shown.push(format!("{}: {}", rule.rule.id, render(message)));
                }
            }
        }
        for message in &shown {
            assert!(!message.contains(canary), "{message}");
        }
        shown
    }
}

#[cfg(test)]
mod tests {
    use crate::formats::Target::Dockerfile;
    use crate::rules::dockerfile::canary::hidden;

    #[test]
    fn env_values_and_arg_defaults_of_secrets_are_hidden() {
        let shown = hidden(Dockerfile, "FROM node:20.11\nARG API_TOKEN=CANARY\nENV DB_PASSWORD=\"CANARY\" \\\n    SECRET_KEY=CANARY\nENV LEGACY_PASSWORD CANARY\nUSER app\n");
        for key in ["API_TOKEN", "DB_PASSWORD", "SECRET_KEY", "LEGACY_PASSWORD"] {
            let said = format!("DKR003: `{key}` is a secret written into the Dockerfile");
            assert!(
                shown.iter().any(|m| m.starts_with(&said)),
                "{key}: {shown:#?}"
            );
        }
    }

    #[test]
    fn a_base_image_shows_the_arg_defaults_it_is_made_of_unless_they_are_secrets() {
        let shown = hidden(
            Dockerfile,
            "ARG OS=alpine\nARG API_TOKEN=CANARY\nFROM app/${OS}-${API_TOKEN}\nUSER app\n",
        );
        assert!(
            shown
                .iter()
                .any(|m| m.starts_with("DKR001: the base image `app/alpine-[hidden]` has no tag")),
            "{shown:#?}"
        );
    }

    #[test]
    fn command_lines_in_every_form_are_read_for_passwords() {
        hidden(Dockerfile, "FROM node:20.11\nRUN mysql --password=CANARY -e 'select 1' \\\n && psql --password CANARY\nRUN [\"app\", \"--password\", \"CANARY\"]\nRUN <<EOF\nredis-cli -a CANARY ping\nEOF\nCOPY <<EOF /app/.env\nDB_PASSWORD=CANARY\nEOF\nONBUILD RUN app --token=CANARY\nUSER app\n");
        hidden(Dockerfile, "FROM node:20.11\nUSER app\nHEALTHCHECK --interval=5s CMD redis-cli -a CANARY ping\nENTRYPOINT app --password CANARY\nCMD [\"redis-server\", \"--requirepass\", \"CANARY\"]\n");
        let shown = hidden(Dockerfile, "FROM node:20.11\nUSER app\nHEALTHCHECK CMD [\"redis-cli\", \"-a\", \"CANARY\", \"ping\"]\nCMD [\"nodemon\", \"--password=CANARY\", \"server.js\"]\nENTRYPOINT [\"sh\", \"-c\", \"exec app --password=CANARY\"]\n");
        assert!(shown
            .iter()
            .any(|m| m.starts_with("DKR012: the image starts with a development server")));
    }

    #[test]
    fn lines_that_are_no_instruction_are_hidden_whole() {
        let shown = hidden(
            Dockerfile,
            "FROM node:20.11\nDB_HOST=db CANARY\nPASSWORD CANARY\nENV A=1 CANARY\nUSER app\n",
        );
        assert!(
            shown.iter().any(|m| m
                == "PF001: this line does not start with an instruction (`FROM`, `RUN`, `COPY`, …): BuildKit refuses to build this file"),
            "{shown:#?}"
        );
        assert!(
            shown.iter().any(|m| m == "PF001: `ENV` mixes `key=value` pairs with `[hidden]` alone: every word needs `=`"),
            "{shown:#?}"
        );
    }
}
