//! SSH016–SSH017: lines that do not do what they seem to: values ignored because an
//! earlier one won, and `Include`s that read nothing.

use crate::formats::sshd::effective::{normalize, SshdConfig};
use crate::rules::sshd::place;
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
        let written = config.source(ignored).slice(line.keyword_span).to_owned();
        cx.report(
            line.span,
            format!("shadowed:{}", line.keyword),
            format!(
                "`{written} {}` is ignored: sshd uses the first value it reads, `{} {}` at {}; delete one of the two and keep the value you mean at the first place",
                line.values().collect::<Vec<_>>().join(" "),
                config.source(winner).slice(won.keyword_span),
                won.values().collect::<Vec<_>>().join(" "),
                place(config, winner),
            ),
        )
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
        cx.report(
            line.value_span(),
            format!("include:{}", missing.pattern),
            format!(
                "`Include {}` names a file that does not exist here, so the settings you expect from it are not applied (sshd does not complain); fix the path, or copy the included files next to this one so they are checked too",
                missing.pattern
            ),
        );
    }
}
