//! Shell command lines as cron, systemd's `ExecStart=` and container commands hold them:
//! split into simple commands and words the way `sh` does (quotes, escapes, `|`, `&&`,
//! `;`), each word with the byte range it is written at. Nothing is expanded or run.

use std::ops::Range;

/// One shell word, unquoted, with its byte range in the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellWord {
    /// The word as the command receives it: quotes removed, escapes applied.
    pub text: String,
    /// Where it is written in the command line, quotes included.
    pub range: Range<usize>,
    /// Where `text` is written in the command line, as runs written without a quote or an
    /// escape between their characters: the byte of `text` each starts at and where that
    /// byte is written. (A position per byte was eight bytes and a push per byte.)
    runs: Vec<(usize, usize)>,
}

impl ShellWord {
    fn new(at: usize) -> Self {
        // Room for a common word and its one run: pushed a character at a time, an empty
        // word was allocated, then grown again, on the way to sixteen bytes.
        Self {
            text: String::with_capacity(16),
            range: at..at,
            runs: Vec::with_capacity(1),
        }
    }

    /// Appends `c`, written at byte `at` of the command line.
    fn push(&mut self, c: char, at: usize) {
        self.push_str(c.encode_utf8(&mut [0; 4]), at);
    }

    /// Appends `text`, written as it is from byte `at` of the command line.
    fn push_str(&mut self, text: &str, at: usize) {
        let len = self.text.len();
        let continues = self
            .runs
            .last()
            .is_some_and(|&(from, written)| written + (len - from) == at);
        if !continues {
            self.runs.push((len, at));
        }
        self.text.push_str(text);
    }

    /// Where bytes `range` of [`Self::text`] are written in the command line, when they are
    /// written as they are (inside quotes, say), `None` when an escape or a quote sits
    /// between them, so the written text is not the same.
    pub fn written_range(&self, range: Range<usize>) -> Option<Range<usize>> {
        if range.start >= range.end || range.end > self.text.len() {
            return None;
        }
        // Characters are pushed in the order they are written: bytes written one after
        // the other are in one run.
        let run = self.runs.partition_point(|&(from, _)| from <= range.start) - 1;
        let (from, written) = self.runs[run];
        let run_end = self
            .runs
            .get(run + 1)
            .map_or(self.text.len(), |&(next, _)| next);
        (range.end <= run_end).then(|| written + range.start - from..written + range.end - from)
    }
}

/// Splits a command line into simple commands (separated by `|`, `||`, `&&`, `;`, `&` and
/// parentheses), each a list of words. `$(…)` and backquotes stay inside their
/// word.
pub fn simple_commands(line: &str) -> Vec<Vec<ShellWord>> {
    let mut commands = vec![Vec::new()];
    let mut chars = line.char_indices().peekable();
    let mut current: Option<ShellWord> = None;
    let finish =
        |current: &mut Option<ShellWord>, commands: &mut Vec<Vec<ShellWord>>, end: usize| {
            if let Some(mut word) = current.take() {
                word.range.end = end;
                if let Some(last) = commands.last_mut() {
                    last.push(word);
                }
            }
        };
    while let Some((i, c)) = chars.next() {
        match c {
            c if c.is_whitespace() => finish(&mut current, &mut commands, i),
            '|' | '&' | ';' | '(' | ')' => {
                // `2>&1` and `>&2` are redirections, not operators.
                let redirect = c == '&'
                    && current
                        .as_ref()
                        .is_some_and(|w| w.text.ends_with('>') || w.text.ends_with('<'));
                if redirect {
                    if let Some(word) = current.as_mut() {
                        word.push(c, i);
                    }
                    continue;
                }
                finish(&mut current, &mut commands, i);
                while chars.next_if(|(_, n)| *n == c).is_some() {}
                if commands.last().is_some_and(|c| !c.is_empty()) {
                    commands.push(Vec::new());
                }
            }
            _ => {
                let word = current.get_or_insert_with(|| ShellWord::new(i));
                match c {
                    '\'' => {
                        for (j, q) in chars.by_ref() {
                            if q == '\'' {
                                break;
                            }
                            word.push(q, j);
                        }
                    }
                    '"' => {
                        while let Some((j, q)) = chars.next() {
                            match q {
                                '"' => break,
                                '\\' => {
                                    if let Some((k, e)) = chars.next() {
                                        word.push(e, k);
                                    }
                                }
                                q => word.push(q, j),
                            }
                        }
                    }
                    '\\' => {
                        if let Some((j, e)) = chars.next() {
                            word.push(e, j);
                        }
                    }
                    '$' if chars.peek().is_some_and(|(_, n)| *n == '(') => {
                        word.push('$', i);
                        let mut depth = 0usize;
                        for (j, q) in chars.by_ref() {
                            word.push(q, j);
                            match q {
                                '(' => depth += 1,
                                ')' => {
                                    depth = depth.saturating_sub(1);
                                    if depth == 0 {
                                        break;
                                    }
                                }
                                _ => {}
                            }
                        }
                    }
                    '`' => {
                        word.push('`', i);
                        for (j, q) in chars.by_ref() {
                            word.push(q, j);
                            if q == '`' {
                                break;
                            }
                        }
                    }
                    _ => {
                        // The plain bytes after it join the word at once (most of a
                        // command line): one copy where a character at a time cost a
                        // match and a push each.
                        let end = plain_run_end(line, i + c.len_utf8());
                        word.push_str(&line[i..end], i);
                        while chars.next_if(|&(j, _)| j < end).is_some() {}
                    }
                }
            }
        }
    }
    finish(&mut current, &mut commands, line.len());
    commands.retain(|c| !c.is_empty());
    commands
}

/// Where the run of bytes from `from` that [`simple_commands`] adds to a word as they are
/// written ends: ASCII that is no blank, operator, quote, escape, `$` or backquote.
fn plain_run_end(line: &str, from: usize) -> usize {
    // ASCII blanks as `char::is_whitespace` has them: `u8::is_ascii_whitespace` lacks the
    // vertical tab.
    let special = |b: &u8| {
        !b.is_ascii()
            || b.is_ascii_whitespace()
            || matches!(
                b,
                b'\x0b' | b'|' | b'&' | b';' | b'(' | b')' | b'\'' | b'"' | b'\\' | b'$' | b'`'
            )
    };
    line.as_bytes()[from..]
        .iter()
        .position(special)
        .map_or(line.len(), |at| from + at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str) -> Vec<Vec<String>> {
        simple_commands(line)
            .into_iter()
            .map(|c| c.into_iter().map(|w| w.text).collect())
            .collect()
    }

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(
            texts("A=1 pg_dump 'my db' | gzip > \"/b/x $(date +%F).gz\" 2>&1 && echo ok"),
            [
                vec!["A=1", "pg_dump", "my db"],
                vec!["gzip", ">", "/b/x $(date +%F).gz", "2>&1"],
                vec!["echo", "ok"],
            ]
        );
        let line = "cp  \"a b\" c";
        let words = &simple_commands(line)[0];
        assert_eq!(&line[words[1].range.clone()], "\"a b\"");
    }

    #[test]
    fn written_ranges_follow_quotes_and_stop_at_escapes() {
        let line = r#"x "a b"'c' d\e"#;
        let words = &simple_commands(line)[0];
        let (quoted, escaped) = (&words[1], &words[2]);
        assert_eq!(quoted.text, "a bc");
        assert_eq!(quoted.written_range(0..3), Some(3..6));
        assert_eq!(&line[quoted.written_range(3..4).unwrap()], "c");
        // `a b` and `c` are written apart: no one range holds them.
        assert_eq!(quoted.written_range(2..4), None);
        assert_eq!(escaped.text, "de");
        assert_eq!(escaped.written_range(0..1), Some(11..12));
        assert_eq!(escaped.written_range(1..2), Some(13..14));
        assert_eq!(escaped.written_range(0..2), None);
        assert_eq!(escaped.written_range(2..9), None);
    }

    /// Every range of every word: a range is found exactly when its bytes are written one
    /// after the other, and what is written there is the text.
    #[test]
    fn a_written_range_is_found_exactly_when_written_as_is() {
        for line in [
            r#"pg_dump "db name" -U 'us''er' a\ b "x\"y" $(date +%F) 'ünï'"cödé""#,
            r#"echo "$HOME"/'a b'\c"#,
        ] {
            for word in simple_commands(line).iter().flatten() {
                let len = word.text.len();
                for start in 0..len {
                    for end in start + 1..=len {
                        if !word.text.is_char_boundary(start) || !word.text.is_char_boundary(end) {
                            continue;
                        }
                        let found = word.written_range(start..end);
                        if let Some(at) = &found {
                            assert_eq!(&line[at.clone()], &word.text[start..end], "{line}");
                        }
                        // Written as is: the text at the range's first written byte, for
                        // its length, is the text, and the range holds no quote or escape.
                        let first = word.written_range(start..start + 1).map(|r| r.start);
                        let as_is = first.is_some_and(|at| {
                            line.get(at..at + (end - start)) == Some(&word.text[start..end])
                        });
                        if !as_is {
                            assert_eq!(found, None, "{line}: {start}..{end}");
                        }
                    }
                }
            }
        }
    }

    /// Runs of plain bytes are taken whole: they end where a character that splits or
    /// quotes starts, ASCII or not.
    #[test]
    fn plain_runs_end_where_a_character_splits_or_quotes() {
        assert_eq!(
            texts("ab\u{b}cd é1\u{a0}2 x$y p$(q r)s t`u v`w k=\"v w\"z m&&n"),
            [
                vec!["ab", "cd", "é1", "2", "x$y", "p$(q r)s", "t`u v`w", "k=v wz", "m"],
                vec!["n"],
            ]
        );
        let line = "run --opt=1 é/ß";
        let words = &simple_commands(line)[0];
        assert_eq!(
            words[2].written_range(0..words[2].text.len()),
            Some(12..line.len())
        );
    }

    #[test]
    fn unbalanced_input_is_read_to_the_end() {
        for line in ["\"open", "'open", "$(open", "`open", "\\", "|||", "a\u{0}b"] {
            let _ = simple_commands(line);
        }
    }
}
