//! Where an nginx variable's value comes from, and what it can contain.
//!
//! Checks on variables (SSRF through `proxy_pass`, response splitting) need to know, for a
//! value such as `http://$host/$p`, which variables the client controls and whether they can
//! carry a line break or a dot. This module answers that once: it splits a value into text
//! and variables the way nginx's script compiler does, follows `set $var …` in the enclosing
//! blocks, reads regex captures (`$1`, `$name`) from the `location`, `if` or `rewrite` regex
//! that sets them, parsing the regex to learn which characters the group can match, and
//! knows nginx's built-in variables. A variable it cannot trace (set by `map`, a module, or
//! nowhere) is unknown, and unknown variables are never reported on.

use regex_syntax::hir::{Class, Hir, HirKind};
use regex_syntax::ParserBuilder;

use crate::formats::nginx::{NginxArg, NginxConfig, NginxDirective};
use crate::message::{Message, Quote};
use crate::msg;
use crate::rules::Context;
use crate::source::Span;

/// What a variable's value can be at run time, as far as the checks need to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ValueTraits {
    /// The client chooses (part of) the value.
    pub controlled: bool,
    /// The value can contain a line feed.
    pub line_feed: bool,
    /// The value can contain a carriage return.
    pub carriage_return: bool,
    /// The value can contain a dot, so it can name any host.
    pub dot: bool,
    /// Every value starts with `/`, so whatever follows it in a URL is path.
    pub leading_slash: bool,
}

/// Where a variable is written: the argument it is part of, and that argument's directive.
pub type Written<'a> = (Span, &'a NginxDirective);

impl<'a> Context<'a, NginxConfig> {
    /// `$name`, read from the argument it is written in.
    pub(crate) fn variable(&self, name: &str, (span, directive): Written<'a>) -> Quote {
        self.quote(directive, span, &format!("${name}"))
    }

    /// How a message names a variable: `` `$proxy_host` (set from `$2`) `` when it came
    /// through `set`.
    pub(crate) fn describe(
        &self,
        name: &str,
        written: Written<'a>,
        via: Option<&(String, Written<'a>)>,
    ) -> Message {
        match via {
            Some((set, at)) if set != name => msg!(
                "`{}` (set from `{}`)",
                self.variable(set, *at),
                self.variable(name, written)
            ),
            _ => msg!("`{}`", self.variable(name, written)),
        }
    }
}

impl ValueTraits {
    /// A value nginx or the configuration fixes.
    const FIXED: Self = Self {
        controlled: false,
        line_feed: false,
        carriage_return: false,
        dot: true,
        leading_slash: false,
    };
    /// A request header or argument: raw bytes of a request line or header line, which
    /// cannot hold a line break.
    const RAW_INPUT: Self = Self {
        controlled: true,
        line_feed: false,
        carriage_return: false,
        dot: true,
        leading_slash: false,
    };
}

/// One piece of a value after `set` variables were expanded.
#[derive(Debug, Clone)]
pub enum Piece<'a> {
    /// Literal text.
    Text(String),
    /// A variable and, when it could be traced, what it can hold and where it came from.
    Variable {
        /// Its name, without `$`.
        name: String,
        /// Where `name` is written.
        written: Written<'a>,
        /// The `set` variable the directive names, when `name` reached it through `set`
        /// (`$proxy_host` for `set $proxy_host $2; proxy_pass http://$proxy_host;`), and
        /// where the directive names it.
        via: Option<(String, Written<'a>)>,
        /// What it can contain; `None` when its origin is unknown.
        traits: Option<ValueTraits>,
        /// The regex that gives it its value (of a `location`, `if` or `rewrite`), and the
        /// directive it is written in; absent for built-in variables.
        origin: Option<(Span, &'a NginxDirective)>,
    },
}

/// Splits a directive argument into text and variable names the way nginx's script
/// compiler does: `$name`, `${name}`, and `$1`–`$9` (one digit).
pub fn split(value: &str) -> Vec<(bool, &str)> {
    let bytes = value.as_bytes();
    let mut parts = Vec::new();
    let (mut i, mut text_start) = (0, 0);
    while i < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        let (name_start, name_end, next) = if bytes.get(i + 1) == Some(&b'{') {
            match value[i + 2..].find('}') {
                Some(end) => (i + 2, i + 2 + end, i + 3 + end),
                None => break,
            }
        } else if bytes.get(i + 1).is_some_and(|b| (b'1'..=b'9').contains(b)) {
            (i + 1, i + 2, i + 2)
        } else {
            let end = bytes[i + 1..]
                .iter()
                .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                .map_or(bytes.len(), |p| i + 1 + p);
            (i + 1, end, end)
        };
        if name_end == name_start {
            i += 1;
            continue;
        }
        if text_start < i {
            parts.push((false, &value[text_start..i]));
        }
        parts.push((true, &value[name_start..name_end]));
        i = next;
        text_start = next;
    }
    if text_start < value.len() {
        parts.push((false, &value[text_start..]));
    }
    parts
}

/// Expands `arg`, found in `directive` inside `blocks`, into pieces: `set` variables are
/// replaced by their own pieces (so `set $u "http://x$request_uri"; proxy_pass $u;` is
/// judged as `http://x$request_uri`), other variables are traced to their origin.
pub fn expand<'a>(
    blocks: &[&'a NginxDirective],
    directive: &'a NginxDirective,
    arg: &'a NginxArg,
) -> Vec<Piece<'a>> {
    let mut out = Vec::new();
    expand_into(blocks, directive, arg, None, 0, &mut out);
    out
}

fn expand_into<'a>(
    blocks: &[&'a NginxDirective],
    directive: &'a NginxDirective,
    arg: &'a NginxArg,
    via: Option<&(String, Written<'a>)>,
    depth: usize,
    out: &mut Vec<Piece<'a>>,
) {
    for (is_variable, part) in split(&arg.value) {
        if !is_variable {
            out.push(Piece::Text(part.to_owned()));
            continue;
        }
        let written = (arg.span, directive);
        if depth < 8 {
            if let Some((around, set)) = find_set(blocks, directive, part) {
                if let Some(assigned) = set.args.get(1) {
                    let named = (part.to_owned(), written);
                    let via = via.unwrap_or(&named);
                    expand_into(&blocks[..around], set, assigned, Some(via), depth + 1, out);
                    continue;
                }
            }
        }
        let (traits, origin) = match capture(blocks, directive, part) {
            Some((traits, origin)) => (traits, Some(origin)),
            None => (builtin(part), None),
        };
        out.push(Piece::Variable {
            name: part.to_owned(),
            written,
            via: via.cloned(),
            traits,
            origin,
        });
    }
}

/// The `set $name …` that gives `name` its value for `directive`: the nearest enclosing
/// block that sets it, and in that block the last `set` before `directive` (or the last one
/// at all when `directive` is in a nested block). Returns how many of `blocks` surround the
/// `set`, and the `set`.
fn find_set<'a>(
    blocks: &[&'a NginxDirective],
    directive: &NginxDirective,
    name: &str,
) -> Option<(usize, &'a NginxDirective)> {
    // `$name` or `${name}`.
    let sets_name = |written: &str| {
        written.strip_prefix('$').is_some_and(|v| {
            v == name || v.strip_prefix('{').and_then(|v| v.strip_suffix('}')) == Some(name)
        })
    };
    (0..blocks.len()).rev().find_map(|depth| {
        blocks[depth]
            .children()
            .iter()
            .take_while(|d| !std::ptr::eq(*d, directive))
            .filter(|d| d.name == "set" && d.args.first().is_some_and(|a| sets_name(&a.value)))
            .last()
            .map(|set| (depth + 1, set))
    })
}

/// A regex capture (`$1`, `$name`) and the directive whose regex sets it: the directive
/// itself when it is a `rewrite` (nginx escapes captures there when the URI was escaped, so
/// they cannot carry a decoded line break), otherwise the innermost `location ~` or
/// `if (… ~ …)` around it.
fn capture<'a>(
    blocks: &[&'a NginxDirective],
    directive: &'a NginxDirective,
    name: &str,
) -> Option<(Option<ValueTraits>, (Span, &'a NginxDirective))> {
    if directive.name == "rewrite" {
        if let Some(pattern) = directive.args.first() {
            if let Some(mut traits) = group_traits(&pattern.value, false, name) {
                traits.line_feed = false;
                traits.carriage_return = false;
                return Some((Some(traits), (pattern.span, directive)));
            }
        }
    }
    for block in blocks.iter().rev() {
        let Some((pattern, span, case_insensitive)) = block_regex(block) else {
            continue;
        };
        let numbered = name.bytes().all(|b| b.is_ascii_digit());
        match group_traits(pattern, case_insensitive, name) {
            Some(traits) => return Some((Some(traits), (span, *block))),
            // `$1` belongs to the innermost regex even when it has no such group.
            None if numbered => return Some((None, (span, *block))),
            None => {}
        }
    }
    None
}

/// The regex of a `location ~ re`, `location ~* re` or `if ($v ~ re)` block.
fn block_regex(block: &NginxDirective) -> Option<(&str, Span, bool)> {
    let args: Vec<&str> = block.values().collect();
    let operator_at = match block.name.as_str() {
        "location" => 0,
        "if" => 1,
        _ => return None,
    };
    let operator = args.get(operator_at)?.trim_start_matches('(');
    let case_insensitive = match operator {
        "~" => false,
        "~*" => true,
        _ => return None,
    };
    let pattern = block.args.get(operator_at + 1)?;
    // `if ($v ~ re)`: the closing parenthesis may be glued to the regex.
    let text = match block.name.as_str() {
        "if" if args.len() == operator_at + 2 => {
            pattern.value.strip_suffix(')').unwrap_or(&pattern.value)
        }
        _ => &pattern.value,
    };
    Some((text, pattern.span, case_insensitive))
}

/// What capture group `name` (a number or a group name) of `pattern` can match, or `None`
/// when the pattern uses syntax the parser does not know (PCRE look-around, back
/// references) or has no such group.
fn group_traits(pattern: &str, case_insensitive: bool, name: &str) -> Option<ValueTraits> {
    let hir = ParserBuilder::new()
        .case_insensitive(case_insensitive)
        .build()
        .parse(pattern)
        .ok()?;
    let index: Option<u32> = name.parse().ok();
    let group = find_group(&hir, index, name)?;
    Some(ValueTraits {
        controlled: true,
        line_feed: can_match(group, '\n'),
        carriage_return: can_match(group, '\r'),
        dot: can_match(group, '.'),
        leading_slash: always_starts_with(group, '/'),
    })
}

fn find_group<'h>(hir: &'h Hir, index: Option<u32>, name: &str) -> Option<&'h Hir> {
    match hir.kind() {
        HirKind::Capture(capture) => {
            let hit = match index {
                Some(i) => capture.index == i,
                None => capture.name.as_deref() == Some(name),
            };
            if hit {
                Some(&capture.sub)
            } else {
                find_group(&capture.sub, index, name)
            }
        }
        HirKind::Repetition(repetition) => find_group(&repetition.sub, index, name),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            subs.iter().find_map(|sub| find_group(sub, index, name))
        }
        _ => None,
    }
}

/// Whether some string `hir` matches contains `c`.
fn can_match(hir: &Hir, c: char) -> bool {
    match hir.kind() {
        HirKind::Literal(literal) => String::from_utf8_lossy(&literal.0).contains(c),
        HirKind::Class(Class::Unicode(class)) => class
            .ranges()
            .iter()
            .any(|r| r.start() <= c && c <= r.end()),
        HirKind::Class(Class::Bytes(class)) => class
            .ranges()
            .iter()
            .any(|r| u32::from(r.start()) <= c as u32 && c as u32 <= u32::from(r.end())),
        HirKind::Repetition(repetition) => {
            repetition.max != Some(0) && can_match(&repetition.sub, c)
        }
        HirKind::Capture(capture) => can_match(&capture.sub, c),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            subs.iter().any(|sub| can_match(sub, c))
        }
        HirKind::Empty | HirKind::Look(_) => false,
    }
}

/// Whether every string `hir` matches starts with `c` (false when it can match nothing).
fn always_starts_with(hir: &Hir, c: char) -> bool {
    match hir.kind() {
        HirKind::Literal(literal) => String::from_utf8_lossy(&literal.0).starts_with(c),
        HirKind::Class(Class::Unicode(class)) => class
            .ranges()
            .iter()
            .all(|r| r.start() == c && r.end() == c),
        HirKind::Class(Class::Bytes(class)) => class
            .ranges()
            .iter()
            .all(|r| char::from(r.start()) == c && char::from(r.end()) == c),
        HirKind::Repetition(repetition) => {
            repetition.min >= 1 && always_starts_with(&repetition.sub, c)
        }
        HirKind::Capture(capture) => always_starts_with(&capture.sub, c),
        HirKind::Concat(subs) => subs
            .iter()
            .find(|sub| sub.properties().maximum_len() != Some(0))
            .is_some_and(|sub| {
                sub.properties().minimum_len() != Some(0) && always_starts_with(sub, c)
            }),
        HirKind::Alternation(subs) => subs.iter().all(|sub| always_starts_with(sub, c)),
        HirKind::Empty | HirKind::Look(_) => false,
    }
}

/// nginx's built-in variables that matter here (from the `ngx_http_core_module` variable
/// list): what the client controls, and which can hold a line break. nginx decodes `%0A`
/// in the path, so `$uri` and `$document_uri` can; the raw request line, headers and
/// arguments cannot.
fn builtin(name: &str) -> Option<ValueTraits> {
    let name = name.to_ascii_lowercase();
    let path = ValueTraits {
        controlled: true,
        line_feed: true,
        carriage_return: true,
        dot: true,
        leading_slash: true,
    };
    let traits = match name.as_str() {
        "uri" | "document_uri" => path,
        "request_uri" => ValueTraits {
            line_feed: false,
            carriage_return: false,
            ..path
        },
        "request_body" => ValueTraits {
            leading_slash: false,
            ..path
        },
        "args" | "query_string" | "host" | "request" | "content_type" | "content_length" => {
            ValueTraits::RAW_INPUT
        }
        "request_method" => ValueTraits {
            dot: false,
            ..ValueTraits::RAW_INPUT
        },
        "document_root" | "realpath_root" | "request_filename" => ValueTraits {
            leading_slash: true,
            ..ValueTraits::FIXED
        },
        "scheme"
        | "is_args"
        | "https"
        | "server_name"
        | "server_addr"
        | "server_port"
        | "server_protocol"
        | "hostname"
        | "remote_addr"
        | "binary_remote_addr"
        | "remote_port"
        | "request_id"
        | "nginx_version"
        | "pid"
        | "msec"
        | "time_iso8601"
        | "time_local"
        | "proxy_add_x_forwarded_for"
        | "proxy_host"
        | "proxy_port" => ValueTraits::FIXED,
        _ if ["arg_", "http_", "cookie_"]
            .iter()
            .any(|prefix| name.starts_with(prefix)) =>
        {
            ValueTraits::RAW_INPUT
        }
        _ => return None,
    };
    Some(traits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::nginx::NginxConfig;

    /// What `describe` makes of the pieces of the first directive named `name`'s argument
    /// `arg` in `text`.
    fn with_pieces<R>(
        text: &str,
        name: &str,
        arg: usize,
        describe: impl FnOnce(Vec<Piece>) -> R,
    ) -> R {
        let config = NginxConfig::parse(text);
        let walked = config.walk();
        let (blocks, directive) = walked
            .iter()
            .find(|(_, d)| d.name == name)
            .expect("directive present");
        describe(expand(blocks, directive, &directive.args[arg]))
    }

    fn traits_of(text: &str, name: &str, arg: usize) -> Vec<Option<ValueTraits>> {
        with_pieces(text, name, arg, |pieces| {
            pieces
                .into_iter()
                .filter_map(|p| match p {
                    Piece::Variable { traits, .. } => Some(traits),
                    Piece::Text(_) => None,
                })
                .collect()
        })
    }

    #[test]
    fn splits_like_nginx() {
        assert_eq!(
            split("http://$host${x}y/$1x$"),
            vec![
                (false, "http://"),
                (true, "host"),
                (true, "x"),
                (false, "y/"),
                (true, "1"),
                (false, "x$"),
            ]
        );
    }

    #[test]
    fn captures_know_their_characters() {
        let t = traits_of(
            "location ~ /p/(a|b)/(\\W*)$ { proxy_pass http://s/$1$2; }",
            "proxy_pass",
            0,
        );
        assert!(!t[0].expect("known").line_feed && !t[0].expect("known").dot);
        assert!(t[1].expect("known").line_feed);
        let dot = traits_of(
            "location ~* ^/t/(.*) { proxy_pass http://x/$1; }",
            "proxy_pass",
            0,
        );
        let dot = dot[0].expect("known");
        assert!(!dot.line_feed && dot.carriage_return && dot.dot);
    }

    #[test]
    fn set_variables_are_expanded_and_unknown_ones_stay_unknown() {
        with_pieces(
            "location / { set $u \"http://some$request_uri\"; proxy_pass $u$nowhere; }",
            "proxy_pass",
            0,
            |p| {
                assert!(matches!(&p[0], Piece::Text(t) if t == "http://some"));
                assert!(
                    matches!(&p[1], Piece::Variable { name, via: Some((via, _)), traits: Some(t), .. } if name == "request_uri" && via == "u" && t.leading_slash)
                );
                assert!(matches!(&p[2], Piece::Variable { traits: None, .. }));
            },
        );
    }

    #[test]
    fn rewrite_captures_are_escaped_by_nginx() {
        let t = traits_of(
            "rewrite ^/p/(?<path>\\W*)$ http://s/$path redirect;",
            "rewrite",
            1,
        );
        assert!(!t[0].expect("known").line_feed);
    }

    #[test]
    fn leading_slash_is_proved_not_assumed() {
        assert!(
            group_traits("^(/.*)$", false, "1")
                .expect("parsed")
                .leading_slash
        );
        assert!(
            !group_traits("^(/?.*)$", false, "1")
                .expect("parsed")
                .leading_slash
        );
        assert!(
            !group_traits("^(.*)$", false, "1")
                .expect("parsed")
                .leading_slash
        );
        assert!(group_traits("(?=x)", false, "1").is_none());
    }
}
