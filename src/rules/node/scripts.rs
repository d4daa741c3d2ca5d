//! NODE001–NODE004: what the production scripts of a `package.json` run. `npm start` is
//! what PM2, Docker images and platform buildpacks run, so a development tool there
//! (nodemon, the inspector, ts-node, `NODE_ENV=development`) ends up in production.

use crate::formats::javascript::{PackageJson, Property};
use crate::message::Quote;
use crate::msg;
use crate::rules::Context;
use crate::source::Span;

/// Script name parts that mark a script for development.
const DEV_PARTS: &[&str] = &[
    "dev",
    "development",
    "debug",
    "watch",
    "test",
    "local",
    "e2e",
];

/// Whether npm runs the script in production: `start`, or a name with `prod`/`production`
/// (`start:prod`, `prod`), but not one that says it is for development (`start:dev`).
pub fn is_production_script(name: &str) -> bool {
    let parts: Vec<String> = name
        .split([':', '-', '_', '.'])
        .map(str::to_ascii_lowercase)
        .collect();
    if parts.iter().any(|p| DEV_PARTS.contains(&p.as_str())) {
        return false;
    }
    name == "start" || parts.iter().any(|p| p == "prod" || p == "production")
}

/// A word of a production script command, with its span in the file.
struct Word<'a> {
    script: &'a Property,
    text: &'a str,
    span: Span,
}

/// The words of every production script.
fn production_words<'a>(cx: &Context<'a, PackageJson>) -> Vec<Word<'a>> {
    let mut words = Vec::new();
    for script in &cx.content.scripts {
        let Some(command) = script.value.as_str() else {
            continue;
        };
        if !is_production_script(&script.key) {
            continue;
        }
        let literal = script.value.span;
        // Exact offsets when the literal has no escapes, else the whole literal.
        let exact = cx.source().text.get(literal.range()).map(str::len) == Some(command.len() + 2);
        let mut offset = 0;
        for piece in command.split_inclusive(|c: char| c.is_whitespace() || c == ';') {
            let text = piece.trim_end_matches(|c: char| c.is_whitespace() || c == ';');
            let start = offset;
            offset += piece.len();
            if text.is_empty() {
                continue;
            }
            let span = if exact {
                Span::new(
                    literal.start + 1 + start,
                    literal.start + 1 + start + text.len(),
                )
            } else {
                literal
            };
            words.push(Word { script, text, span });
        }
    }
    words
}

impl Word<'_> {
    /// The script's name as messages show it.
    fn script_name(&self) -> Quote {
        Quote::derived(self.script.key_span, self.script.key.as_str())
    }
}

/// The program a word names (`nodemon` for `./node_modules/.bin/nodemon`).
fn program(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// NODE001: a production script runs nodemon.
pub fn nodemon(cx: &mut Context<'_, PackageJson>) {
    for word in production_words(cx) {
        if program(word.text) == "nodemon" {
            cx.report(word.span, format!("scripts.{}", word.script.key),
                msg!("the `{}` script runs nodemon: a file watcher that restarts the app on every change, holds file handles and is not a process manager; run `node` (under PM2 or systemd) in production and keep nodemon in a `dev` script", word.script_name()));
        }
    }
}

/// Programs that run a script with Node's own options before it (`node [options] script
/// [arguments]`).
const NODE_RUNNERS: &[&str] = &[
    "node",
    "babel-node",
    "ts-node",
    "ts-node-dev",
    "tsx",
    "nodemon",
];

/// Options of those runners that take the next word as their value (`-r dotenv/config`).
const OPTIONS_WITH_VALUE: &[&str] = &[
    "-r",
    "--require",
    "--import",
    "--loader",
    "--experimental-loader",
    "--env-file",
    "--title",
    "--extensions",
    "--config-file",
    "--presets",
    "--plugins",
    "--ignore",
    "--only",
    "-x",
    "--exec",
];

/// The words of `script` that are Node options: `NODE_OPTIONS=…`, and a runner's options
/// before the script it runs; `node server.js --inspect` hands `--inspect` to the app.
fn node_options(words: &[&Word<'_>]) -> Vec<usize> {
    let mut options = Vec::new();
    let (mut runner, mut previous): (bool, &str) = (false, "");
    for (index, word) in words.iter().enumerate() {
        let text = word.text;
        if matches!(text, "&&" | "||" | "|" | "&") {
            runner = false;
        } else if text.starts_with("NODE_OPTIONS=") {
            options.push(index);
        } else if NODE_RUNNERS.contains(&program(text)) {
            runner = true;
        } else if runner && text.starts_with('-') {
            options.push(index);
        } else if runner && !OPTIONS_WITH_VALUE.contains(&previous) {
            // The script: what follows is its own arguments.
            runner = false;
        }
        previous = text;
    }
    options
}

/// NODE002: a production script starts the inspector (`--inspect`, `--inspect-brk`).
pub fn inspect(cx: &mut Context<'_, PackageJson>) {
    let words = production_words(cx);
    let mut flagged = Vec::new();
    for script in &cx.content.scripts {
        let of_script: Vec<&Word<'_>> = words
            .iter()
            .filter(|w| std::ptr::eq(w.script, script))
            .collect();
        flagged.extend(node_options(&of_script).into_iter().map(|i| of_script[i]));
    }
    for word in flagged {
        let option = word
            .text
            .trim_start_matches("NODE_OPTIONS=")
            .trim_matches(['"', '\'']);
        if !option.starts_with("--inspect") {
            continue;
        }
        let public = option.contains("0.0.0.0") || option.contains("[::]");
        let reach = if public {
            "on every interface: anyone who reaches the port can run code as the application"
        } else {
            "on 127.0.0.1:9229: any local user or SSRF-able process can attach and run code as the application"
        };
        cx.report(word.span, format!("scripts.{}", word.script.key),
            msg!("the `{}` script starts the Node inspector {}; remove `--inspect` from production scripts", word.script_name(), reach));
    }
}

/// NODE003: a production script runs ts-node (compiles TypeScript at every start).
pub fn ts_node(cx: &mut Context<'_, PackageJson>) {
    for word in production_words(cx) {
        let name = program(word.text);
        if name.starts_with("ts-node") || word.text.starts_with("ts-node/") {
            cx.report(word.span, format!("scripts.{}", word.script.key),
                msg!("the `{}` script runs ts-node: TypeScript is compiled in memory at every start (slow starts, more memory, the compiler in production); compile with `tsc` at build time and run `node dist/…`", word.script_name()));
        }
    }
}

/// NODE004: a production script sets `NODE_ENV=development`.
pub fn dev_node_env(cx: &mut Context<'_, PackageJson>) {
    for word in production_words(cx) {
        let Some(value) = word.text.strip_prefix("NODE_ENV=") else {
            continue;
        };
        let value = value.trim_matches(['"', '\'']);
        if matches!(value, "development" | "dev") {
            cx.report(word.span, format!("scripts.{}", word.script.key),
                msg!("the `{}` script sets NODE_ENV={}: Express then sends stack traces to clients, disables view caching, and many libraries turn off their production safeguards; set NODE_ENV=production", word.script_name(), Quote::derived(word.span, value)));
        }
    }
}
