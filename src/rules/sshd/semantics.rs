//! SSH016–SSH017: lines that do not do what they seem to: values ignored because an
//! earlier one won, and `Include`s that read nothing.

use crate::formats::sshd::effective::{normalize, SshdConfig};
use crate::message::Quote;
use crate::msg;
use crate::rules::sshd::{place, written_value};
use crate::rules::Context;

/// SSH016: a single-valued keyword written again later in the same scope with a
/// different value. sshd keeps the first; a reviewer reads the last.
pub fn shadowed_value(cx: &mut Context<'_, SshdConfig>) {
    let config = cx.content;
    for (ignored, winner) in config.shadowed() {
        if ignored.file != 0 {
            continue;
        }
        let line = config.line(ignored);
        let won = config.line(winner);
        if normalize(line) == normalize(won) {
            continue;
        }
        let (source, winner_source) = (config.source(ignored), config.source(winner));
        let message = msg!(
            "`{} {}` is ignored: sshd uses the first value it reads, `{} {}` at {}; delete one of the two and keep the value you mean at the first place",
            Quote::in_file(source, line.keyword_span),
            written_value(config, ignored),
            Quote::in_file(winner_source, won.keyword_span),
            written_value(config, winner),
            place(config, winner),
        );
        cx.report(line.span, format!("shadowed:{}", line.keyword), message)
            .related_in(config.source(winner), won.span, "this value wins");
    }
}

/// SSH017: an `Include` whose pattern matches no file (sshd goes on silently).
pub fn missing_include(cx: &mut Context<'_, SshdConfig>) {
    let config = cx.content;
    // A glob that matches nothing is how an empty drop-in folder looks (Debian ships
    // `Include /etc/ssh/sshd_config.d/*.conf` with the folder empty): only a named file
    // that is missing is a mistake.
    let named = |pattern: &str| !pattern.contains(['*', '?', '[']);
    for missing in config
        .missing_includes
        .iter()
        .filter(|m| m.file == 0 && named(&m.pattern))
    {
        let line = &config.files[0].file.lines[missing.line];
        let pattern = Quote::derived(missing.span, missing.pattern.as_str());
        cx.report(
            line.value_span(),
            format!("include:{}", missing.pattern),
            msg!(
                "`Include {}` names a file that does not exist here, so the settings you expect from it are not applied (sshd does not complain); fix the path, or copy the included files next to this one so they are checked too",
                pattern
            ),
        );
    }
}
