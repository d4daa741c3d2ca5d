//! Rules for OpenSSH server configurations. They read the effective view
//! ([`SshdConfig::effective`]): the first value obtained wins, `Include`s are followed and
//! absent keywords take OpenSSH's defaults, so a rule judges what sshd will do, not what a
//! line seems to say.
//!
//! Findings always land in the document's own file: a value that comes from an included
//! file is reported at the `Include` line that brought it in, with the included line as a
//! related location; a default is reported at line 1, column 1 (a complete `sshd_config`
//! only: drop-ins are fragments, and `sshd -T` output lists every value).

use crate::document::Document;
use crate::formats::sshd::effective::{Origin, Setting, SshdConfig, SshdRole, Statement};
use crate::rules::Emitter;
use crate::source::Span;

pub mod algorithms;
pub mod authentication;
pub mod hardening;
pub mod keywords;
pub mod semantics;

/// The statement in the document's own file that stands for `statement`: itself, or the
/// `Include` line of the main file that led to it.
fn anchor(config: &SshdConfig, statement: Statement) -> Statement {
    if statement.file == 0 {
        return statement;
    }
    let position = config
        .statements
        .iter()
        .position(|s| *s == statement)
        .unwrap_or(0);
    config.statements[..position]
        .iter()
        .rev()
        .find(|s| s.file == 0)
        .copied()
        .unwrap_or(statement)
}

/// `path:line` of a statement, for messages.
fn place(config: &SshdConfig, statement: Statement) -> String {
    let source = config.source(statement);
    let (start, _) = source.locate(config.line(statement).span);
    format!("{}:{}", source.display_path, start.line)
}

/// Reports a value in effect that a rule objects to. `name` is the keyword as the
/// documentation spells it (`PasswordAuthentication`); the message starts with where the
/// value comes from and goes on with `problem`. Defaults are reported only for a complete
/// `sshd_config`.
fn report_setting(
    doc: &Document,
    config: &SshdConfig,
    out: &mut Emitter,
    name: &str,
    setting: &Setting,
    problem: &str,
) {
    let key = name.to_ascii_lowercase();
    match &setting.origin {
        Origin::Default => {
            if config.role == SshdRole::Main {
                out.report(
                    &doc.source,
                    Span::new(0, 0),
                    key,
                    format!(
                        "`{name}` is not set, and OpenSSH's default is `{}`: {problem}",
                        setting.value
                    ),
                );
            }
        }
        Origin::Set(statement) => {
            let at = anchor(config, *statement);
            let line = config.line(*statement);
            let written = format!("`{name} {}`", line.values().collect::<Vec<_>>().join(" "));
            if at == *statement {
                out.report(
                    &doc.source,
                    line.value_span(),
                    key,
                    format!("{written}: {problem}"),
                );
            } else {
                let origin = place(config, *statement);
                out.report(
                    &doc.source,
                    config.line(at).value_span(),
                    key,
                    format!("{written} from {origin}, read through this Include, is in effect: {problem}"),
                )
                .related(config.source(*statement), line.value_span(), format!("{name} is set here"));
            }
        }
    }
}

/// Calls `check` with the global value in effect for `keyword`, when there is one.
fn with_effective(
    doc: &Document,
    out: &mut Emitter,
    keyword: &str,
    check: impl FnOnce(&SshdConfig, &Setting, &mut Emitter),
) {
    let Some(config) = doc.as_sshd() else { return };
    if let Some(setting) = config.effective(keyword) {
        check(config, &setting, out);
    }
}
