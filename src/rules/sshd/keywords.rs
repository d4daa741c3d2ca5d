//! SSH018: keywords sshd does not know. sshd refuses to start on them, so a typo in a
//! hardening line takes SSH down at the next restart (and the line never did its job).

use crate::formats::sshd::effective::SshdConfig;
use crate::formats::sshd::{closest_keyword, is_known_keyword};
use crate::message::{Message, Quote};
use crate::msg;
use crate::rules::Context;

/// SSH018: a keyword that is not an OpenSSH server keyword.
pub fn unknown_keyword(cx: &mut Context<'_, SshdConfig>) {
    let Some(main) = cx.content.files.first() else {
        return;
    };
    for line in main
        .file
        .lines
        .iter()
        .filter(|l| !is_known_keyword(&l.keyword))
    {
        let written = cx.source().slice(line.keyword_span);
        // The suggestion takes the capitals the user wrote, so it is derived from the line.
        let hint: Message = match closest_keyword(&line.keyword) {
            Some(k) => msg!(
                "did you mean `{}`?",
                Quote::derived(line.keyword_span, camel_case(k, written))
            ),
            None => "check the spelling against `man sshd_config`".into(),
        };
        cx.report(
            line.keyword_span,
            format!("unknown:{}", line.keyword),
            msg!("`{}` is not an sshd keyword and sshd refuses to start with it (`sshd -t` says \"Bad configuration option\"); {}", Quote::at(line.keyword_span), hint),
        );
    }
}

/// The suggestion in the spelling the user wrote where it matches, lower case otherwise
/// (sshd ignores case; the manual's capitals are not derivable from the lower-case name).
fn camel_case(known: &str, written: &str) -> String {
    let mut out = String::new();
    let mut written = written.chars();
    for c in known.chars() {
        match written.next() {
            Some(w) if w.eq_ignore_ascii_case(&c) => out.push(w),
            _ => {
                out.push(c);
                written = "".chars();
            }
        }
    }
    out
}
