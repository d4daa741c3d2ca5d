//! DKR008–DKR010: how `RUN` installs things.

use crate::formats::dockerfile::Dockerfile;
use crate::rules::dockerfile::{final_instructions, RunCommands};
use crate::rules::Context;

/// DKR008: `apt-get install` in the final image without `--no-install-recommends`: every
/// recommended package is one more thing to patch.
pub fn apt_recommends(cx: &mut Context<'_, Dockerfile>) {
    let commands = RunCommands::of(cx);
    for instruction in final_instructions(cx.content) {
        for command in commands.run_by(cx.content, instruction) {
            let Some((program, at)) = command.program() else {
                continue;
            };
            if !matches!(program, "apt-get" | "apt") {
                continue;
            }
            let Some((_, span)) = command.words[at..].iter().find(|(w, _)| w == "install") else {
                continue;
            };
            let lean = command.words.iter().any(|(w, _)| {
                w == "--no-install-recommends"
                    || w.to_ascii_lowercase().contains("install-recommends=false")
                    || w.to_ascii_lowercase().contains("install-recommends=0")
            });
            if !lean {
                cx.report(*span, "apt-get install",
                    "`apt-get install` without `--no-install-recommends` also installs every recommended package: a bigger image with more software to patch; write `apt-get install -y --no-install-recommends …` and end the same `RUN` with `rm -rf /var/lib/apt/lists/*`");
            }
        }
    }
}

/// DKR009: `curl … | sh` (or `wget -O- … | bash`) in any stage: a script fetched at build
/// time runs unverified as root.
pub fn pipe_to_shell(cx: &mut Context<'_, Dockerfile>) {
    let file = cx.content;
    let commands = RunCommands::of(cx);
    for instruction in &file.instructions {
        for pair in commands.run_by(file, instruction).windows(2) {
            let (fetch, run) = (&pair[0], &pair[1]);
            let fetches = fetch
                .program()
                .is_some_and(|(p, _)| matches!(p, "curl" | "wget"));
            let shell = run.program().is_some_and(|(p, _)| {
                matches!(
                    p,
                    "sh" | "bash" | "ash" | "dash" | "zsh" | "python" | "python3" | "perl"
                )
            });
            if fetch.piped && fetches && shell {
                let Some((_, span)) = fetch.words.first() else {
                    continue;
                };
                let end = run.words.last().map_or(span.end, |(_, s)| s.end);
                cx.report(crate::source::Span::new(span.start, end), "curl | sh",
                    "a script downloaded at build time is piped straight into a shell: whatever the server sends runs as root in the build, unverified, and a truncated download runs half a script; download it to a file, check its sha256 (`echo \"<sha256>  install.sh\" | sha256sum -c -`), then run it, or install from the distribution's signed packages");
            }
        }
    }
}

/// DKR010: `npm install` (no package names) in the final image: it may rewrite the lock
/// file and install other versions than were tested, and installs dev dependencies.
pub fn npm_install(cx: &mut Context<'_, Dockerfile>) {
    let commands = RunCommands::of(cx);
    for instruction in final_instructions(cx.content) {
        for command in commands.run_by(cx.content, instruction) {
            let Some((program, at)) = command.program() else {
                continue;
            };
            if program != "npm" {
                continue;
            }
            let Some((sub, span)) = command.words.get(at + 1) else {
                continue;
            };
            let packages = command.words[at + 2..]
                .iter()
                .any(|(w, _)| !w.starts_with('-'));
            if matches!(sub.as_str(), "install" | "i" | "add") && !packages {
                cx.report(*span, "npm install",
                    "`npm install` in the image resolves versions again (and may rewrite `package-lock.json`), so the image can hold other dependencies than the ones tested; use `npm ci --omit=dev`, which installs exactly the lock file and fails when it is out of date");
            }
        }
    }
}
