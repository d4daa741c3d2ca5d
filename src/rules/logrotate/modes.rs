//! LOG001–LOG002: `create` (and `createolddir`) modes that let other accounts read or
//! write the logs.

use crate::formats::logrotate::{LogrotateConf, LogrotateDirective};
use crate::message::Quote;
use crate::msg;
use crate::rules::Context;
use crate::source::Span;

/// The mode argument of a `create`/`createolddir` directive, with the directive.
fn modes(conf: &LogrotateConf) -> impl Iterator<Item = (&LogrotateDirective, u32)> {
    conf.directives
        .iter()
        .filter(|d| d.name == "create" || d.name == "createolddir")
        .filter_map(|d| {
            let mode = d.args.first()?;
            Some((d, u32::from_str_radix(&mode.value, 8).ok()?))
        })
}

/// Reports each mode for which `bad` holds (and `unless` does not: a world-writable mode is
/// LOG001's alone).
fn report_modes(
    cx: &mut Context<'_, LogrotateConf>,
    bad: u32,
    unless: u32,
    what: &'static str,
    fix: &'static str,
) {
    for (directive, mode) in modes(cx.content) {
        if mode & bad != 0 && mode & unless == 0 {
            let created = if directive.name == "createolddir" {
                "the directory of old logs"
            } else {
                "new log files"
            };
            let written: Vec<&str> = directive.args.iter().map(|a| a.value.as_str()).collect();
            let args = Span::new(
                directive.args[0].span.start,
                directive.args[directive.args.len() - 1].span.end,
            );
            let message = msg!(
                "`{} {}` makes {} {}; {}",
                Quote::derived(directive.name_span, directive.name.as_str()),
                Quote::derived(args, written.join(" ")),
                created,
                what,
                fix
            );
            cx.report(
                directive.args[0].span,
                format!("{}:{}", directive.name, written.join(" ")),
                message,
            );
        }
    }
}

/// LOG001: world-writable logs (`0666`, `0777`): anyone on the host can forge or erase
/// entries.
pub fn world_writable(cx: &mut Context<'_, LogrotateConf>) {
    report_modes(
        cx,
        0o002,
        0,
        "writable by every account on the host, so any process can forge or wipe the audit trail",
        "use `create 0640 <owner> adm`",
    );
}

/// LOG002: world-readable logs (`644`, as many published logrotate snippets write): logs hold tokens, e-mail
/// addresses and IPs.
pub fn world_readable(cx: &mut Context<'_, LogrotateConf>) {
    report_modes(cx, 0o004, 0o002, "readable by every account on the host (application logs carry session ids, e-mail addresses, tokens in URLs)",
        "use `create 0640 <owner> adm` so only the owner and the `adm` group read them");
}
