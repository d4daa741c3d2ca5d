//! Escaping at the output edge: one function per kind of output, applied by the reporters
//! (and the command line's notes) to every string, whatever its origin. File names, file
//! contents and whatever a host sends are attacker-controlled; none of it may move the
//! cursor, retitle the terminal, start a workflow command or close a Markdown code span.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as is: C0 and C1 controls, DEL, and the Unicode
/// bidirectional controls that reorder what is displayed ("Trojan Source", CVE-2021-42574).
fn is_unsafe_for_terminal(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// One visible, one-column stand-in for an unsafe character, so code frames keep their
/// columns: C0 controls and DEL as their Unicode control pictures (`␛`, `␊`), everything else
/// as `�`. A tab stays a tab (the human reporter expands it).
fn stand_in(c: char) -> char {
    match c {
        '\t' => '\t',
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + u32::from(c)).unwrap_or('\u{FFFD}'),
        '\u{7f}' => '\u{2421}',
        _ => '\u{FFFD}',
    }
}

/// `text` safe to print on a terminal or in a CI log line: see [`stand_in`].
pub fn terminal(text: &str) -> Cow<'_, str> {
    if text.chars().any(|c| c != '\t' && is_unsafe_for_terminal(c)) {
        Cow::Owned(
            text.chars()
                .map(|c| {
                    if is_unsafe_for_terminal(c) {
                        stand_in(c)
                    } else {
                        c
                    }
                })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

/// A GitHub workflow command's data (after `::`): `%`, CR and LF are special (actions/toolkit
/// `escapeData`); other control characters are made visible.
pub fn workflow_data(text: &str) -> String {
    terminal(
        &text
            .replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A"),
    )
    .into_owned()
}

/// A GitHub workflow command's property value (`file=`, `title=`): also `:` and `,`
/// (actions/toolkit `escapeProperty`).
pub fn workflow_property(text: &str) -> String {
    workflow_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Text in a Markdown table cell: no row break, no column break, no HTML.
pub fn markdown_cell(text: &str) -> String {
    terminal(
        &text
            .replace('\\', "\\\\")
            .replace('|', "\\|")
            .replace(['\r', '\n'], " ")
            .replace('<', "&lt;")
            .replace('>', "&gt;"),
    )
    .into_owned()
}

/// A Markdown code span holding `text` that nothing inside can close: delimited by one more
/// backtick than the longest run of backticks in it (CommonMark 6.1), padded when it starts
/// or ends with one. Usable inside a table cell.
pub fn markdown_code(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let body = terminal(&text.replace('|', "\\|").replace(['\r', '\n'], " ")).into_owned();
    let pad = if body.starts_with('`') || body.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// Text for an XML attribute or element (JUnit): the five markup characters as entities,
/// and every character XML 1.0 cannot carry (C0 controls other than tab, newline and
/// carriage return; U+FFFE, U+FFFF) as `�`, so any file name or message gives a
/// well-formed document.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Text for an HTML element or a double- or single-quoted attribute value: the markup
/// characters as references, and what must not reach a page as is (C0 and C1 controls,
/// DEL, bidirectional controls, noncharacters U+FFFE/U+FFFF) as the one-column stand-ins
/// terminals get, so a code frame keeps its columns. Tabs stay (a `<pre>` shows them).
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in terminal(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\u{FFFE}' | '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminals_see_control_characters_not_obey_them() {
        let hostile = "a\u{1b}]0;pwned\u{7}b\rc\nd\u{202E}e\u{9b}f\tg";
        let shown = terminal(hostile);
        assert_eq!(shown, "a␛]0;pwned␇b␍c␊d\u{FFFD}e\u{FFFD}f\tg");
        assert_eq!(shown.chars().count(), hostile.chars().count());
        assert!(matches!(terminal("plain text"), Cow::Borrowed(_)));
    }

    #[test]
    fn workflow_commands_cannot_be_started_from_data() {
        assert_eq!(workflow_property("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
        assert_eq!(workflow_data("50%\r\nnext"), "50%25%0D%0Anext");
        let injected = workflow_data("x\n::add-mask::secret\n::stop-commands::tok");
        assert!(!injected.contains('\n'), "{injected}");
    }

    #[test]
    fn markdown_cells_and_code_spans_cannot_be_closed() {
        assert_eq!(markdown_cell("a|b\nc<script>"), "a\\|b c&lt;script&gt;");
        assert_eq!(markdown_code("plain"), "`plain`");
        assert_eq!(markdown_code("a`b"), "``a`b``");
        assert_eq!(markdown_code("`x``"), "``` `x`` ```");
        assert_eq!(markdown_code("a|b\nc"), "`a\\|b c`");
    }

    #[test]
    fn xml_text_is_well_formed_whatever_it_holds() {
        assert_eq!(
            super::xml("a<b & \"c\" 'd'>\u{1b}[31m\u{0}\n"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;\u{FFFD}[31m\u{FFFD}\n"
        );
    }

    #[test]
    fn html_text_and_attributes_cannot_be_left() {
        assert_eq!(
            super::html("<script>alert('x')</script> & \"a\"\u{1b}[31m\u{0}\n\u{202E}\u{FFFF}\t"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;a&quot;␛[31m␀␊\u{FFFD}\u{FFFD}\t"
        );
    }
}
