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
                        word.text.push(c);
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
                let word = current.get_or_insert_with(|| ShellWord {
                    text: String::new(),
                    range: i..i,
                });
                match c {
                    '\'' => {
                        for (_, q) in chars.by_ref() {
                            if q == '\'' {
                                break;
                            }
                            word.text.push(q);
                        }
                    }
                    '"' => {
                        while let Some((_, q)) = chars.next() {
                            match q {
                                '"' => break,
                                '\\' => {
                                    if let Some((_, e)) = chars.next() {
                                        word.text.push(e);
                                    }
                                }
                                q => word.text.push(q),
                            }
                        }
                    }
                    '\\' => {
                        if let Some((_, e)) = chars.next() {
                            word.text.push(e);
                        }
                    }
                    '$' if chars.peek().is_some_and(|(_, n)| *n == '(') => {
                        word.text.push('$');
                        let mut depth = 0usize;
                        for (_, q) in chars.by_ref() {
                            word.text.push(q);
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
                        word.text.push('`');
                        for (_, q) in chars.by_ref() {
                            word.text.push(q);
                            if q == '`' {
                                break;
                            }
                        }
                    }
                    c => word.text.push(c),
                }
            }
        }
    }
    finish(&mut current, &mut commands, line.len());
    commands.retain(|c| !c.is_empty());
    commands
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
    fn unbalanced_input_is_read_to_the_end() {
        for line in ["\"open", "'open", "$(open", "`open", "\\", "|||", "a\u{0}b"] {
            let _ = simple_commands(line);
        }
    }
}
