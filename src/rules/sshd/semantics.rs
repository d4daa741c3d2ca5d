//! SSH016–SSH017: lines that do not do what they seem to: values ignored because an
//! earlier one won, and `Include`s that read nothing.

use crate::document::Document;
use crate::formats::sshd::effective::normalize;
use crate::rules::sshd::place;
use crate::rules::Emitter;

/// SSH016: a single-valued keyword written again later in the same scope with a
/// different value. sshd keeps the first; a reviewer reads the last.
pub fn shadowed_value(doc: &Document, out: &mut Emitter) {
    let Some(config) = doc.as_sshd() else { return };
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
        out.report(
            &doc.source,
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
        .related(config.source(winner), won.span, "this value wins");
    }
}

/// SSH017: an `Include` whose pattern matches no file (sshd goes on silently).
pub fn missing_include(doc: &Document, out: &mut Emitter) {
    let Some(config) = doc.as_sshd() else { return };
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
        out.report(
            &doc.source,
            line.value_span(),
            format!("include:{}", missing.pattern),
            format!(
                "`Include {}` names a file that does not exist here, so the settings you expect from it are not applied (sshd does not complain); fix the path, or copy the included files next to this one so they are checked too",
                missing.pattern
            ),
        );
    }
}
