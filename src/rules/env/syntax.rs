//! ENV030–ENV034: how the file is written: encoding, duplicates, quoting, `export`, lines
//! that assign nothing.

use std::collections::hash_map::{Entry, HashMap};

use crate::document::Document;
use crate::formats::dotenv::{EnvEntry, EnvFile, Quote};
use crate::message::Quote as Quoted;
use crate::msg;
use crate::rules::Context;
use crate::source::Span;

/// ENV030: bytes that are not UTF-8 (in any file: it reads only the bytes).
pub fn not_utf8(cx: &mut Context<'_, Document>) {
    let Some(at) = cx.source().invalid_utf8_at else {
        return;
    };
    let end = cx.source().text[at..]
        .chars()
        .next()
        .map_or(at, |c| at + c.len_utf8());
    cx.report(
        Span::new(at, end),
        "encoding",
        msg!(
            "the file is not valid UTF-8 (first bad byte at offset {}); python-dotenv and Node fail or garble values — re-save it as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)",
            at
        ),
    );
}

/// ENV031: a key assigned twice.
pub fn duplicate_key(cx: &mut Context<'_, EnvFile>) {
    let env = cx.content;
    // Per key: the latest assignment so far and how many there were (one pass: a file of
    // thousands of repeated keys stays linear).
    let mut assigned: HashMap<&str, (&EnvEntry, usize)> = HashMap::new();
    for entry in &env.entries {
        let (earlier, nth) = match assigned.entry(entry.key.as_str()) {
            Entry::Vacant(slot) => {
                slot.insert((entry, 1));
                continue;
            }
            Entry::Occupied(mut slot) => {
                let (earlier, count) = *slot.get();
                slot.insert((entry, count + 1));
                (earlier, count)
            }
        };
        let line = cx.source().lines.line_of(earlier.key_span.start) + 1;
        cx.report(
            entry.key_span,
            format!("{}#{nth}", entry.key),
            msg!(
                "`{}` is already assigned on line {}; loaders keep the later value, so delete the line that should not apply",
                Quoted::at(entry.key_span),
                line
            ),
        )
        .related(earlier.key_span, "earlier assignment");
    }
}

/// ENV032: an unquoted value with blanks inside.
pub fn unquoted_whitespace(cx: &mut Context<'_, EnvFile>) {
    for entry in &cx.content.entries {
        let Some(value) = &entry.value else { continue };
        if value.quote == Quote::None && value.text.contains([' ', '\t']) {
            cx.report(
                value.span,
                entry.key.clone(),
                msg!("the value of `{}` contains spaces but is not quoted; a shell sourcing this file runs the second word as a command — write `{}=\"…\"`", Quoted::at(entry.key_span), Quoted::at(entry.key_span)),
            );
        }
    }
}

/// ENV033: `export KEY=value`.
pub fn export_prefix(cx: &mut Context<'_, EnvFile>) {
    let env = cx.content;
    for entry in &env.entries {
        if let Some(span) = entry.export_span {
            cx.report(
                span,
                entry.key.clone(),
                msg!("`export {}` is not understood by systemd's `EnvironmentFile=` or `docker run --env-file`; write `{}=…`", Quoted::at(entry.key_span), Quoted::at(entry.key_span)),
            );
        }
    }
}

/// ENV034: a bare `KEY` line.
pub fn missing_assignment(cx: &mut Context<'_, EnvFile>) {
    for entry in cx.content.entries.iter().filter(|e| e.value.is_none()) {
        cx.report(
            entry.key_span,
            entry.key.clone(),
            msg!("`{}` has no `=`: most loaders ignore the line, Docker Compose passes the variable through from the host; write `{}=value`", Quoted::at(entry.key_span), Quoted::at(entry.key_span)),
        );
    }
}
