//! Docker Compose variable interpolation (`$VAR`, `${VAR:-default}`, `$$`), read the way
//! Compose reads it, so rules can tell a value written into the file (a committed secret)
//! from one that comes from the environment at `docker compose up` time.
//!
//! The syntax is the Compose Specification's (compose-go's template package): `$$` is a
//! literal `$`; `$NAME` and `${NAME}` substitute; inside braces `:-`/`-` give a default
//! (when unset or empty / when unset), `:?`/`?` make the variable required, `:+`/`+` give
//! an alternative value used when the variable *is* set. Defaults and alternatives may
//! themselves contain interpolations (`${A:-${B:-x}}`). A `$` followed by anything else
//! stays a literal `$`, as in Compose.

/// One piece of an interpolated string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Text written literally (`$$` already turned into `$`), and the byte range it is
    /// written at in the parsed string.
    Literal {
        text: String,
        written: std::ops::Range<usize>,
    },
    /// A variable reference.
    Variable(Variable),
}

/// `$NAME` or `${NAME…}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    /// The variable's name.
    pub name: String,
    /// What happens when it is unset (or empty).
    pub fallback: Fallback,
}

/// The modifier of a braced variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fallback {
    /// `$NAME`, `${NAME}`: empty when unset.
    None,
    /// `${NAME:-default}` (`unset_only` false) or `${NAME-default}` (true).
    Default {
        /// `-` without `:`: an empty but set variable keeps its empty value.
        unset_only: bool,
        /// The default, itself interpolated.
        value: Template,
    },
    /// `${NAME:?message}`, `${NAME?message}`: Compose refuses to start when unset.
    Required,
    /// `${NAME:+alternative}`, `${NAME+alternative}`: the alternative replaces a set value.
    Alternative(Template),
}

/// A parsed string: its pieces in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Template {
    /// The pieces, in order.
    pub pieces: Vec<Piece>,
}

impl Template {
    /// Parses `text`. Never fails: an unclosed `${` is kept as literal text, which is what
    /// a rule wants to see (Compose itself would refuse the file).
    pub fn parse(text: &str) -> Self {
        parse_at(text, 0, 0)
    }

    /// Whether nothing is substituted: the value is what is written.
    pub fn is_literal(&self) -> bool {
        self.pieces
            .iter()
            .all(|p| matches!(p, Piece::Literal { .. }))
    }

    /// The value when no variable is set: defaults taken, alternatives dropped. `None` when
    /// a variable without a default decides the value (unknown here) or is required.
    pub fn unset_value(&self) -> Option<String> {
        self.render(None)
    }

    /// Like [`Self::unset_value`], but a variable whose value is unknown is written as
    /// `unknown` instead of making the whole value unknown, so the parts of a
    /// `"${DB_PORT}:5432"` that are known can still be read.
    pub fn render_with(&self, unknown: &str) -> String {
        self.render(Some(unknown)).unwrap_or_default()
    }

    fn render(&self, unknown: Option<&str>) -> Option<String> {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Literal { text, .. } => out.push_str(text),
                Piece::Variable(var) => match &var.fallback {
                    Fallback::Default { value, .. } => out.push_str(&value.render(unknown)?),
                    Fallback::Alternative(_) => {}
                    Fallback::None | Fallback::Required => out.push_str(unknown?),
                },
            }
        }
        Some(out)
    }

    /// Literal values written inside the template that Compose may substitute: the
    /// defaults and alternatives whose text is fully literal, with their byte range in the
    /// written string, outermost first.
    pub fn literal_fallbacks(&self) -> Vec<(String, std::ops::Range<usize>)> {
        let mut found = Vec::new();
        for piece in &self.pieces {
            let Piece::Variable(var) = piece else {
                continue;
            };
            let inner = match &var.fallback {
                Fallback::Default { value, .. } | Fallback::Alternative(value) => value,
                Fallback::None | Fallback::Required => continue,
            };
            if let Some(range) = inner.written_range() {
                if inner.is_literal() {
                    found.push((inner.unset_value().unwrap_or_default(), range));
                    continue;
                }
            }
            found.extend(inner.literal_fallbacks());
        }
        found
    }

    /// The range the template was written at, when it is one literal piece.
    fn written_range(&self) -> Option<std::ops::Range<usize>> {
        match self.pieces.as_slice() {
            [Piece::Literal { written, .. }] => Some(written.clone()),
            _ => None,
        }
    }
}

/// Whether `c` may start a variable name.
fn name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// How deeply defaults may nest (`${A:-${B:-…}}`): far more than anyone writes, few enough
/// that hostile input can neither overflow the stack nor make the scan for closing braces
/// quadratic (each scan stops after this many nested openings).
const MAX_NESTING: usize = 32;

/// Parses `text`, which starts at byte `base` of the written string and is nested `level`
/// defaults deep.
fn parse_at(text: &str, base: usize, level: usize) -> Template {
    let bytes = text.as_bytes();
    let mut pieces: Vec<Piece> = Vec::new();
    let mut literal = String::new();
    let mut literal_at = base;
    let mut i = 0;
    let flush = |pieces: &mut Vec<Piece>, literal: &mut String, at: usize, end: usize| {
        if !literal.is_empty() {
            pieces.push(Piece::Literal {
                text: std::mem::take(literal),
                written: at..base + end,
            });
        }
    };
    while i < bytes.len() {
        if bytes[i] != b'$' {
            let next = text[i..].find('$').map_or(text.len(), |n| i + n);
            if literal.is_empty() {
                literal_at = base + i;
            }
            literal.push_str(&text[i..next]);
            i = next;
            continue;
        }
        let next = bytes.get(i + 1).copied();
        match next {
            Some(b'$') => {
                if literal.is_empty() {
                    literal_at = base + i;
                }
                literal.push('$');
                i += 2;
            }
            Some(c) if name_start(c) => {
                let end = (i + 1..bytes.len())
                    .find(|&j| !name_char(bytes[j]))
                    .unwrap_or(bytes.len());
                flush(&mut pieces, &mut literal, literal_at, i);
                pieces.push(Piece::Variable(Variable {
                    name: text[i + 1..end].to_owned(),
                    fallback: Fallback::None,
                }));
                i = end;
            }
            Some(b'{') => match braced(text, i, base, level) {
                Some((variable, end)) => {
                    flush(&mut pieces, &mut literal, literal_at, i);
                    pieces.push(Piece::Variable(variable));
                    i = end;
                }
                None => {
                    if literal.is_empty() {
                        literal_at = base + i;
                    }
                    literal.push('$');
                    i += 1;
                }
            },
            _ => {
                if literal.is_empty() {
                    literal_at = base + i;
                }
                literal.push('$');
                i += 1;
            }
        }
    }
    flush(&mut pieces, &mut literal, literal_at, bytes.len());
    Template { pieces }
}

/// Reads `${…}` starting at `start` (the `$`): the variable and the byte after the `}`.
fn braced(text: &str, start: usize, base: usize, level: usize) -> Option<(Variable, usize)> {
    if level >= MAX_NESTING {
        return None;
    }
    let bytes = text.as_bytes();
    let name_from = start + 2;
    if !bytes.get(name_from).is_some_and(|&c| name_start(c)) {
        return None;
    }
    let name_end = (name_from..bytes.len())
        .find(|&j| !name_char(bytes[j]))
        .unwrap_or(bytes.len());
    let name = text[name_from..name_end].to_owned();
    if bytes.get(name_end) == Some(&b'}') {
        return Some((
            Variable {
                name,
                fallback: Fallback::None,
            },
            name_end + 1,
        ));
    }
    let colon = bytes.get(name_end) == Some(&b':');
    let op_at = name_end + usize::from(colon);
    let op = *bytes.get(op_at)?;
    if !matches!(op, b'-' | b'?' | b'+') {
        return None;
    }
    // The closing brace that matches, counting nested `${`.
    let body_from = op_at + 1;
    let mut depth = 0usize;
    let mut j = body_from;
    let close = loop {
        match bytes.get(j)? {
            b'$' if bytes.get(j + 1) == Some(&b'{') => {
                depth += 1;
                if depth > MAX_NESTING {
                    return None;
                }
                j += 2;
                continue;
            }
            b'$' if bytes.get(j + 1) == Some(&b'$') => {
                j += 2;
                continue;
            }
            b'}' if depth == 0 => break j,
            b'}' => depth -= 1,
            _ => {}
        }
        j += 1;
    };
    let body = parse_at(&text[body_from..close], base + body_from, level + 1);
    let fallback = match op {
        b'-' => Fallback::Default {
            unset_only: !colon,
            value: body,
        },
        b'?' => Fallback::Required,
        _ => Fallback::Alternative(body),
    };
    Some((Variable { name, fallback }, close + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_compose_knows_is_read() {
        assert!(Template::parse("production").is_literal());
        assert!(Template::parse("cost: $$5").is_literal());
        assert_eq!(
            Template::parse("cost: $$5").unset_value().unwrap(),
            "cost: $5"
        );
        assert!(!Template::parse("$DB_PASSWORD").is_literal());
        assert_eq!(Template::parse("${DB_PASSWORD}").unset_value(), None);
        assert_eq!(Template::parse("${DB:?set DB}").unset_value(), None);
        assert_eq!(
            Template::parse("${TAG:-1.2}").unset_value().as_deref(),
            Some("1.2")
        );
        assert_eq!(
            Template::parse("${TAG-latest}").pieces[0],
            Piece::Variable(Variable {
                name: "TAG".into(),
                fallback: Fallback::Default {
                    unset_only: true,
                    value: Template {
                        pieces: vec![Piece::Literal {
                            text: "latest".into(),
                            written: 6..12
                        }]
                    }
                }
            })
        );
        assert_eq!(
            Template::parse("${DEBUG:+--debug}x")
                .unset_value()
                .as_deref(),
            Some("x")
        );
        assert_eq!(
            Template::parse("${A:-${B:-deep}}").unset_value().as_deref(),
            Some("deep")
        );
        // A `$` that starts nothing stays a `$`, like Compose.
        assert!(Template::parse("price $5 and ${").is_literal());
    }

    #[test]
    fn hostile_nesting_does_not_overflow_the_stack() {
        // Recursing once per level would overflow a test thread's stack long before 100,000
        // levels; how fast it is lives in benches/ (`interpolation_hostile_nesting`).
        let deep = format!("{}x{}", "${A:-".repeat(100_000), "}".repeat(100_000));
        let unclosed = "${A:-".repeat(200_000);
        for text in [deep, unclosed] {
            let _ = Template::parse(&text).unset_value();
        }
    }

    #[test]
    fn literal_defaults_are_located_in_the_written_text() {
        let text = "${DB_PASSWORD:-changeme}";
        let found = Template::parse(text).literal_fallbacks();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "changeme");
        assert_eq!(&text[found[0].1.clone()], "changeme");
        let text = "postgres://app:${P:-pa$$word}@db/${N}";
        let found = Template::parse(text).literal_fallbacks();
        assert_eq!(found[0].0, "pa$word");
        assert_eq!(&text[found[0].1.clone()], "pa$$word");
        let nested = "${A:-${B:-inner}}";
        let found = Template::parse(nested).literal_fallbacks();
        assert_eq!(&nested[found[0].1.clone()], "inner");
        assert!(Template::parse("${A:-}").literal_fallbacks().is_empty());
    }
}
