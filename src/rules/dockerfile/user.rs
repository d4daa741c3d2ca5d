//! DKR002, DKR014, DKR015: what the container is allowed to do as which user.

use crate::formats::dockerfile::Dockerfile;
use crate::message::Quote;
use crate::msg;
use crate::rules::dockerfile::{final_instructions, last_in_final, RunCommands, ShellCommand};
use crate::rules::Context;
use crate::source::Span;

/// Whether a `USER` value names root (`root`, `0`, `0000`, `root:root`, `0:0`), or Windows
/// containers' administrator (`ContainerAdministrator`).
pub(crate) fn is_root(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or(user).trim();
    // runc reads a numeric user as a number: `0000` is uid 0.
    let uid_zero = !name.is_empty() && name.bytes().all(|b| b == b'0');
    name == "root" || uid_zero || name.eq_ignore_ascii_case("ContainerAdministrator")
}

/// DKR002: the final image runs as root: its last `USER` (inherited from the stages it is
/// built on) is root, or there is none (then the base image's user, root for almost every
/// official image). Absence is reported at the final `FROM`.
pub fn runs_as_root(cx: &mut Context<'_, Dockerfile>) {
    let file = cx.content;
    let Some(stage) = file.final_stage() else {
        return;
    };
    match last_in_final(cx.content, "USER") {
        Some(user) => {
            let Some(word) = user.words.first() else {
                return;
            };
            if is_root(&word.text) {
                cx.report(word.span, "USER", msg!(
                    "`USER {}` is the last user of the final stage, so the container runs as root: a compromised process can then write everywhere in the image and is one kernel bug away from the host; create a user (`RUN adduser -S -u 1001 app`) and end with `USER app`",
                    Quote::derived(word.span, word.text.as_str())));
            }
        }
        None => {
            let Some(from) = file.from_of(stage) else {
                return;
            };
            cx.report(from.span, "USER",
                "the final stage sets no `USER`, so the container runs as the base image's user, root for nearly every official image: a compromised process can then write everywhere in the image and is one kernel bug away from the host; create a user (`RUN adduser -S -u 1001 app`) and add `USER app` after the last `RUN`");
        }
    }
}

/// DKR014: `EXPOSE 22`: an SSH server inside the container.
pub fn exposes_ssh(cx: &mut Context<'_, Dockerfile>) {
    for instruction in final_instructions(cx.content)
        .into_iter()
        .filter(|i| i.keyword == "EXPOSE")
    {
        for word in &instruction.words {
            let port = word.text.split('/').next().unwrap_or("");
            if port == "22" {
                cx.report(word.span, "EXPOSE 22",
                    "`EXPOSE 22` announces an SSH server inside the container: one more daemon with credentials to steal and patch; use `docker exec` (or `kubectl exec`) to get a shell and remove sshd from the image");
            }
        }
    }
}

/// DKR015: `sudo` in a `RUN` of the final image: builds run as root anyway unless a `USER`
/// was set, and installing sudo leaves a way back to root in the running container.
/// DKR015 judges only `sudo` as the program run (`sudo apt-get …`; not a package named `sudo` in an install
/// list), unless it runs the command as another user than root (`sudo -u app …`: a root
/// build dropping privileges for one step).
pub fn sudo(cx: &mut Context<'_, Dockerfile>) {
    let commands = RunCommands::of(cx);
    for instruction in final_instructions(cx.content) {
        for command in commands.run_by(cx.content, instruction) {
            if let Some((word, span)) = escalating_sudo(command) {
                cx.report(*span, word.clone(),
                    "`sudo` in a `RUN`: it only works if sudo is installed and configured in the image, which leaves a way back to root for anyone who gets into the container; run the privileged steps before `USER app` (or switch with `USER root` … `USER app`) instead");
                break;
            }
        }
    }
}

/// The word `sudo` when `command` runs through it to become root.
fn escalating_sudo(command: &ShellCommand) -> Option<&(String, Span)> {
    let mut words = command
        .words
        .iter()
        .skip_while(|(w, _)| w.contains('=') && !w.starts_with('-'));
    let sudo = words
        .next()
        .filter(|(w, _)| w == "sudo" || w.ends_with("/sudo"))?;
    // Options come before the command; `-u` and `--user` take the next word.
    let mut words = words.map(|(w, _)| w.as_str());
    let mut user = None;
    while let Some(option) = words.next().filter(|w| w.starts_with('-')) {
        user = match option {
            "-u" | "--user" => words.next().or(user),
            _ => option
                .strip_prefix("--user=")
                .or_else(|| option.strip_prefix("-u").filter(|u| !u.is_empty()))
                .or(user),
        };
    }
    match user {
        Some(user) if !is_root(user) && user != "#0" => None,
        _ => Some(sudo),
    }
}
