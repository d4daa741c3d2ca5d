//! A parser for OpenSSH's `sshd_config`, with the server's own reading rules.
//!
//! It follows `servconf.c` (OpenSSH 9.x): one `Keyword arguments` statement per line; the
//! keyword is case-insensitive and separated from its arguments by blanks and/or a single
//! `=`; arguments are split like `argv_split()` does (double or single quotes group a word,
//! `\` escapes the next character, an unquoted word starting with `#` ends the line); lines
//! whose first word starts with `#` are comments. A `Match` line opens a conditional block
//! that runs until the next `Match` or the end of the file it is written in. Unknown keywords
//! are kept (OpenSSH keeps adding them), so a newer file never breaks parsing.
//!
//! This module reads one file. [`effective`] follows `Include`s and computes what the
//! server actually uses: the *first* value obtained for a keyword wins, unlike most formats.
//!
//! `sshd -T` prints the fully expanded configuration (lower-case keywords, one statement a
//! line); such dumps are recognised ([`SshdFile::looks_like_dump`]) and read as effective
//! values.

use crate::formats::ParseError;
use crate::message::{Message, Quote};
use crate::msg;
use crate::source::Span;

pub mod effective;
pub mod include;

/// One word after the keyword, as sshd reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshdArg {
    /// The word with quotes removed and `\` escapes applied.
    pub value: String,
    /// The word as written, quotes included.
    pub span: Span,
}

/// One `Keyword arguments` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshdLine {
    /// The keyword in lower case, aliases folded (`ChallengeResponseAuthentication` is read
    /// as `kbdinteractiveauthentication`, as OpenSSH 8.7+ does), so rules compare one name.
    pub keyword: String,
    /// The keyword as written.
    pub keyword_span: Span,
    /// The arguments.
    pub args: Vec<SshdArg>,
    /// From the keyword to the end of the last argument.
    pub span: Span,
    /// Index into [`SshdFile::matches`] of the `Match` block this line is in, if any.
    pub block: Option<usize>,
}

impl SshdLine {
    /// The argument values.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.args.iter().map(|a| a.value.as_str())
    }

    /// The first argument, or `""`: single-valued keywords only read that one.
    pub fn first_value(&self) -> &str {
        self.args.first().map_or("", |a| a.value.as_str())
    }

    /// Where the value is written (the keyword when there is none), for findings.
    pub fn value_span(&self) -> Span {
        match (self.args.first(), self.args.last()) {
            (Some(first), Some(last)) => Span::new(first.span.start, last.span.end),
            _ => self.keyword_span,
        }
    }
}

/// One `Match` line and the block it opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshdMatch {
    /// Index into [`SshdFile::lines`] of the `Match` line itself.
    pub line: usize,
    /// `(criterion, patterns)` pairs, criterion in lower case (`user`, `address`, `all`, …).
    pub criteria: Vec<(String, String)>,
}

impl SshdMatch {
    /// Whether this is `Match all`, which applies to every connection and to the global
    /// configuration as well.
    pub fn is_all(&self) -> bool {
        self.criteria.iter().any(|(c, _)| c == "all")
    }
}

/// A parsed sshd configuration file (main file, drop-in or `sshd -T` dump).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SshdFile {
    /// Every statement, in file order, `Match` and `Include` lines included.
    pub lines: Vec<SshdLine>,
    /// The `Match` blocks, in file order.
    pub matches: Vec<SshdMatch>,
    /// Every comment.
    pub comments: Vec<Span>,
    /// What could not be read.
    pub errors: Vec<ParseError>,
}

/// Spellings OpenSSH accepts for the same option; the first is what `sshd -T` prints.
const ALIASES: &[(&str, &str)] = &[
    (
        "challengeresponseauthentication",
        "kbdinteractiveauthentication",
    ),
    ("pubkeyacceptedkeytypes", "pubkeyacceptedalgorithms"),
    ("hostbasedacceptedkeytypes", "hostbasedacceptedalgorithms"),
];

/// Keywords sshd accepts only outside `Match` blocks (checked against OpenSSH 9.2's
/// `sshd -T`: "Directive … is not allowed within a Match block", and sshd refuses to start).
/// In a `Match all` block they are read as global settings. Keywords not listed here are
/// treated as allowed in `Match`, so unknown or newer keywords never raise an error.
pub const GLOBAL_ONLY: &[&str] = &[
    "addressfamily",
    "ciphers",
    "compression",
    "hostcertificate",
    "hostkey",
    "hostkeyagent",
    "hostkeyalgorithms",
    "kexalgorithms",
    "listenaddress",
    "logingracetime",
    "macs",
    "maxstartups",
    "permituserenvironment",
    "pidfile",
    "port",
    "printlastlog",
    "printmotd",
    "protocol",
    "strictmodes",
    "subsystem",
    "syslogfacility",
    "tcpkeepalive",
    "usedns",
    "usepam",
    "versionaddendum",
];

/// Whether sshd accepts `keyword` (canonical) inside a `Match` block, and so lets a block
/// override it per connection.
pub fn allowed_in_match(keyword: &str) -> bool {
    GLOBAL_ONLY.binary_search(&keyword).is_err()
}

/// Keywords whose single value is `yes` or `no` (any case).
const FLAGS: &[&str] = &[
    "allowagentforwarding",
    "disableforwarding",
    "exposeauthinfo",
    "gssapiauthentication",
    "hostbasedauthentication",
    "ignorerhosts",
    "kbdinteractiveauthentication",
    "kerberosauthentication",
    "passwordauthentication",
    "permitemptypasswords",
    "permittty",
    "permituserrc",
    "printlastlog",
    "printmotd",
    "pubkeyauthentication",
    "strictmodes",
    "streamlocalbindunlink",
    "tcpkeepalive",
    "usedns",
    "usepam",
    "x11forwarding",
    "x11uselocalhost",
];

/// Keywords with a fixed set of values (any case).
const CHOICES: &[(&str, &[&str])] = &[
    (
        "allowstreamlocalforwarding",
        &["yes", "all", "no", "local", "remote"],
    ),
    (
        "allowtcpforwarding",
        &["yes", "all", "no", "local", "remote"],
    ),
    ("compression", &["yes", "delayed", "no"]),
    ("gatewayports", &["yes", "no", "clientspecified"]),
    (
        "permitrootlogin",
        &[
            "yes",
            "prohibit-password",
            "without-password",
            "forced-commands-only",
            "no",
        ],
    ),
    ("permittunnel", &["yes", "point-to-point", "ethernet", "no"]),
];

/// The spelling preflight uses for `value` when it is one of the fixed values `keyword`
/// takes (`yes`, `prohibit-password`), compared as sshd does, ignoring case.
pub fn known_choice(keyword: &str, value: &str) -> Option<&'static str> {
    let choices: &[&'static str] = if FLAGS.contains(&keyword) {
        &["yes", "no"]
    } else {
        CHOICES.iter().find(|(k, _)| *k == keyword)?.1
    };
    choices
        .iter()
        .copied()
        .find(|c| c.eq_ignore_ascii_case(value))
}

/// Keywords whose value is a non-negative integer.
const INTEGERS: &[&str] = &["clientalivecountmax", "maxauthtries", "maxsessions"];

/// Keywords whose value is a time (`90`, `2m`, `1h30m`); `sshd -T` prints them in seconds.
const TIMES: &[&str] = &["clientaliveinterval", "logingracetime"];

/// Why sshd would refuse `args` for `keyword`, for the keywords whose values it checks
/// while reading (flags, fixed choices, integers, times); `None` when it accepts them or the
/// keyword is not one of those.
fn invalid_value(keyword: &str, args: &[SshdArg]) -> Option<Message> {
    let choices: &[&str] = if FLAGS.contains(&keyword) {
        &["yes", "no"]
    } else if let Some((_, choices)) = CHOICES.iter().find(|(k, _)| *k == keyword) {
        choices
    } else if INTEGERS.contains(&keyword) || TIMES.contains(&keyword) {
        &[]
    } else {
        return None;
    };
    let first = args.first()?;
    let value = first.value.as_str();
    if args.len() > 1 {
        return Some("has more than one value".into());
    }
    let valid = if INTEGERS.contains(&keyword) {
        value.parse::<u32>().is_ok()
    } else if TIMES.contains(&keyword) {
        effective::seconds(value).is_some()
    } else {
        choices.iter().any(|c| c.eq_ignore_ascii_case(value))
    };
    let written = Quote::derived(first.span, value);
    (!valid).then(|| match choices {
        [] => msg!("has an invalid value `{}`", written),
        _ => msg!(
            "has an unsupported value `{}` (use one of: {})",
            written,
            Message::join(choices.iter().copied(), ", ")
        ),
    })
}

/// Every keyword sshd reads (lower case): those OpenSSH 9.2's `sshd -T` prints (Debian's
/// build, GSSAPI key exchange included), those it reads but does not print (`Match`,
/// `Include`, the allow/deny lists, aliases, deprecated keywords it still accepts with a
/// warning, Debian's additions), and the keywords of OpenSSH 9.3–10.0. sshd refuses to start
/// on any other word, so a typo in a keyword is an outage, not a no-op.
pub const KNOWN_KEYWORDS: &[&str] = &[
    "acceptenv",
    "addressfamily",
    "afstokenpassing",
    "allowagentforwarding",
    "allowgroups",
    "allowstreamlocalforwarding",
    "allowtcpforwarding",
    "allowusers",
    "authenticationmethods",
    "authorizedkeyscommand",
    "authorizedkeyscommanduser",
    "authorizedkeysfile",
    "authorizedkeysfile2",
    "authorizedprincipalscommand",
    "authorizedprincipalscommanduser",
    "authorizedprincipalsfile",
    "banner",
    "casignaturealgorithms",
    "challengeresponseauthentication",
    "channeltimeout",
    "chrootdirectory",
    "ciphers",
    "clientalivecountmax",
    "clientaliveinterval",
    "compression",
    "debianbanner",
    "denygroups",
    "denyusers",
    "disableforwarding",
    "dsaauthentication",
    "exposeauthinfo",
    "fingerprinthash",
    "forcecommand",
    "gatewayports",
    "gssapiauthentication",
    "gssapicleanupcredentials",
    "gssapicleanupcreds",
    "gssapikexalgorithms",
    "gssapikeyexchange",
    "gssapistorecredentialsonrekey",
    "gssapistrictacceptorcheck",
    "gssapiusesessioncredcache",
    "gssusesessionccache",
    "hostbasedacceptedalgorithms",
    "hostbasedacceptedkeytypes",
    "hostbasedauthentication",
    "hostbasedusesnamefrompacketonly",
    "hostcertificate",
    "hostdsakey",
    "hostkey",
    "hostkeyagent",
    "hostkeyalgorithms",
    "ignorerhosts",
    "ignoreuserknownhosts",
    "include",
    "ipqos",
    "kbdinteractiveauthentication",
    "kerberosauthentication",
    "kerberosgetafstoken",
    "kerberosorlocalpasswd",
    "kerberostgtpassing",
    "kerberosticketcleanup",
    "kexalgorithms",
    "keyregenerationinterval",
    "listenaddress",
    "logingracetime",
    "loglevel",
    "logverbose",
    "macs",
    "match",
    "maxauthtries",
    "maxsessions",
    "maxstartups",
    "modulifile",
    "pamauthenticationviakbdint",
    "pamservicename",
    "passwordauthentication",
    "permitblacklistedkeys",
    "permitemptypasswords",
    "permitlisten",
    "permitopen",
    "permitrootlogin",
    "permittty",
    "permittunnel",
    "permituserenvironment",
    "permituserrc",
    "persourcemaxstartups",
    "persourcenetblocksize",
    "persourcepenalties",
    "persourcepenaltyexemptlist",
    "pidfile",
    "port",
    "printlastlog",
    "printmotd",
    "protocol",
    "pubkeyacceptedalgorithms",
    "pubkeyacceptedkeytypes",
    "pubkeyauthentication",
    "pubkeyauthoptions",
    "rdomain",
    "refuseconnection",
    "rekeylimit",
    "requiredrsasize",
    "reversemappingcheck",
    "revokedkeys",
    "rhostsauthentication",
    "rhostsrsaauthentication",
    "rsaauthentication",
    "securitykeyprovider",
    "serverkeybits",
    "setenv",
    "skeyauthentication",
    "sshdauthpath",
    "sshdsessionpath",
    "streamlocalbindmask",
    "streamlocalbindunlink",
    "strictmodes",
    "subsystem",
    "syslogfacility",
    "tcpkeepalive",
    "trustedusercakeys",
    "unusedconnectiontimeout",
    "usedns",
    "uselogin",
    "usepam",
    "useprivilegeseparation",
    "verifyreversemapping",
    "versionaddendum",
    "x11displayoffset",
    "x11forwarding",
    "x11uselocalhost",
    "xauthlocation",
];

/// Whether sshd knows `keyword` (canonical, lower case).
pub fn is_known_keyword(keyword: &str) -> bool {
    KNOWN_KEYWORDS.binary_search(&keyword).is_ok()
}

/// The known keyword closest to a misspelt one (at most three edits away), for messages.
pub fn closest_keyword(keyword: &str) -> Option<&'static str> {
    // Lengths more than three apart are more than three edits apart: skipping them keeps a
    // file of long unknown words (attacker-written) from costing 132 full distance tables
    // per line (the fuzzer spent a fifth of its time here).
    let length = keyword.chars().count();
    KNOWN_KEYWORDS
        .iter()
        .filter(|k| k.len().abs_diff(length) <= 3)
        .map(|k| (edit_distance(k, keyword), *k))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, k)| k)
}

/// Levenshtein distance, on characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// The canonical lower-case name of a keyword.
pub fn canonical_keyword(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == lower)
        .map_or(lower, |(_, name)| (*name).to_owned())
}

impl SshdFile {
    /// Parses `text`; never fails, problems are collected in [`SshdFile::errors`].
    ///
    /// ```
    /// use preflight::formats::sshd::SshdFile;
    ///
    /// let file = SshdFile::parse("PermitRootLogin=no # comment\nMatch User bob\n  X11Forwarding \"yes\"\n");
    /// assert_eq!(file.lines[0].keyword, "permitrootlogin");
    /// assert_eq!(file.lines[0].first_value(), "no");
    /// assert_eq!(file.lines[2].block, Some(0));
    /// ```
    pub fn parse(text: &str) -> Self {
        let mut file = SshdFile::default();
        let mut offset = 0;
        for raw in text.split_inclusive('\n') {
            let start = offset;
            offset += raw.len();
            let line = raw.trim_end_matches(['\n', '\r']);
            file.line(text, start, line.len());
        }
        file
    }

    fn error(&mut self, span: Span, message: impl Into<Message>) {
        self.errors.push(ParseError {
            span,
            message: message.into(),
        });
    }

    /// Reads the line at `start..start + len` of `text`.
    fn line(&mut self, text: &str, start: usize, len: usize) {
        let line = &text[start..start + len];
        let (words, comment, problem) = split_words(line, start);
        if let Some(comment) = comment {
            self.comments.push(comment);
        }
        if let Some((span, message)) = problem {
            self.error(span, message);
        }
        let mut words = words.into_iter();
        let Some(first) = words.next() else { return };
        // `Keyword=value`: the `=` may be glued to the keyword or stand alone.
        let (keyword_text, keyword_span, glued) = match first.value.split_once('=') {
            Some((name, rest)) => (
                name.to_owned(),
                Span::new(first.span.start, first.span.start + name.len()),
                (!rest.is_empty()).then(|| SshdArg {
                    value: rest.to_owned(),
                    span: Span::new(first.span.start + name.len() + 1, first.span.end),
                }),
            ),
            None => (first.value.clone(), first.span, None),
        };
        let mut args: Vec<SshdArg> = glued.into_iter().collect();
        let mut seen_equals = first.value.contains('=');
        for word in words {
            if !seen_equals && args.is_empty() && word.value.starts_with('=') {
                seen_equals = true;
                let rest = &word.value[1..];
                if !rest.is_empty() {
                    args.push(SshdArg {
                        value: rest.to_owned(),
                        span: Span::new(word.span.start + 1, word.span.end),
                    });
                }
                continue;
            }
            args.push(word);
        }
        if keyword_text.is_empty() {
            self.error(
                first.span,
                "a line starting with `=` has no keyword; write `Keyword value`",
            );
            return;
        }
        let keyword = canonical_keyword(&keyword_text);
        let written = Quote::derived(keyword_span, keyword_text.as_str());
        let end = args.last().map_or(keyword_span.end, |a| a.span.end);
        let index = self.lines.len();
        let block = if keyword == "match" {
            let criteria = match_criteria(&args);
            if criteria.is_empty() {
                self.error(
                    keyword_span,
                    "`Match` needs criteria (`Match User bob`, `Match Address 10.0.0.0/8`, `Match all`)",
                );
            }
            self.matches.push(SshdMatch {
                line: index,
                criteria,
            });
            Some(self.matches.len() - 1)
        } else {
            if args.is_empty() {
                self.error(
                    keyword_span,
                    msg!("`{}` has no value; sshd refuses to start", &written),
                );
            }
            if let Some(problem) = invalid_value(&keyword, &args) {
                self.error(
                    Span::new(keyword_span.start, end),
                    msg!("`{}` {}; sshd refuses to start", &written, problem),
                );
            }
            let block = self.matches.len().checked_sub(1);
            let conditional = block.is_some_and(|b| !self.matches[b].is_all());
            if conditional && !allowed_in_match(&keyword) {
                self.error(
                    keyword_span,
                    msg!("`{}` is not allowed inside a `Match` block and sshd refuses to start; move it above the first `Match`", written),
                );
            }
            block
        };
        self.lines.push(SshdLine {
            keyword,
            keyword_span,
            args,
            span: Span::new(keyword_span.start, end),
            block,
        });
    }

    /// Whether the text is `sshd -T` output: lower-case keywords only, and the keywords that
    /// sshd always prints (a hand-written file never lists every option).
    pub fn looks_like_dump(&self) -> bool {
        let has = |k: &str| self.lines.iter().any(|l| l.keyword == k);
        let lower_case = self.lines.iter().all(|l| {
            l.keyword
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
        lower_case
            && self.matches.is_empty()
            && [
                "port",
                "permitrootlogin",
                "passwordauthentication",
                "kexalgorithms",
                "ciphers",
                "macs",
                "logingracetime",
                "maxauthtries",
            ]
            .iter()
            .all(|k| has(k))
    }
}

/// `Match` arguments as `(criterion, patterns)` pairs; `all` stands alone.
fn match_criteria(args: &[SshdArg]) -> Vec<(String, String)> {
    let mut criteria = Vec::new();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let name = word.value.to_ascii_lowercase();
        if name == "all" {
            criteria.push((name, String::new()));
        } else if let Some((key, value)) = word.value.split_once('=') {
            // `Match User=bob` is accepted too.
            criteria.push((key.to_ascii_lowercase(), value.to_owned()));
        } else {
            let value = words.next().map(|w| w.value.clone()).unwrap_or_default();
            criteria.push((name, value));
        }
    }
    criteria
}

/// Splits one line into words like OpenSSH's `argv_split(…, terminate_on_comment)`.
/// Returns the words (offsets absolute, from `base`), the comment span, and a problem.
#[allow(clippy::type_complexity)]
fn split_words(
    line: &str,
    base: usize,
) -> (Vec<SshdArg>, Option<Span>, Option<(Span, &'static str)>) {
    let bytes = line.as_bytes();
    let mut words = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\r') {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        if bytes[i] == b'#' {
            return (words, Some(Span::new(base + i, base + line.len())), None);
        }
        let start = i;
        let mut value = String::new();
        let mut quote: Option<char> = None;
        let mut chars = line[i..].char_indices();
        let mut end = line.len();
        while let Some((at, c)) = chars.next() {
            match (c, quote) {
                ('\\', _) => match chars.next() {
                    Some((_, next)) => value.push(next),
                    None => value.push('\\'),
                },
                ('"' | '\'', None) => quote = Some(c),
                (c, Some(q)) if c == q => quote = None,
                (' ' | '\t' | '\r', None) => {
                    end = i + at;
                    break;
                }
                (c, _) => value.push(c),
            }
        }
        let span = Span::new(base + start, base + end);
        if quote.is_some() {
            return (
                words,
                None,
                Some((span, "unterminated quote; sshd refuses this line")),
            );
        }
        words.push(SshdArg { value, span });
        i = end;
    }
    (words, None, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    #[test]
    fn keywords_are_case_insensitive_and_equals_is_a_separator() {
        let text = "PERMITROOTLOGIN no\npasswordauthentication=no\nX11Forwarding = yes\nMaxAuthTries =3\nChallengeResponseAuthentication no\n";
        let file = SshdFile::parse(text);
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        let pairs: Vec<(&str, &str)> = file
            .lines
            .iter()
            .map(|l| (l.keyword.as_str(), l.first_value()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("permitrootlogin", "no"),
                ("passwordauthentication", "no"),
                ("x11forwarding", "yes"),
                ("maxauthtries", "3"),
                ("kbdinteractiveauthentication", "no"),
            ]
        );
        let value = &file.lines[1].args[0];
        assert_eq!(&text[value.span.range()], "no");
        assert_eq!(
            &text[file.lines[1].keyword_span.range()],
            "passwordauthentication"
        );
    }

    #[test]
    fn quotes_comments_and_match_blocks() {
        let text = "# header\nBanner \"/etc/issue net\" # trailing\nMatch User bob,alice Address 10.0.0.0/8\n\tPasswordAuthentication yes\nMatch all\nAllowUsers a b\n";
        let file = SshdFile::parse(text);
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        assert_eq!(file.comments.len(), 2);
        assert_eq!(file.lines[0].first_value(), "/etc/issue net");
        assert_eq!(file.lines[0].args.len(), 1);
        assert_eq!(
            file.matches[0].criteria,
            [
                ("user".to_owned(), "bob,alice".to_owned()),
                ("address".to_owned(), "10.0.0.0/8".to_owned())
            ]
        );
        assert_eq!(file.lines[2].block, Some(0));
        assert!(file.matches[1].is_all());
        assert_eq!(file.lines[4].block, Some(1));
        assert_eq!(file.lines[4].values().collect::<Vec<_>>(), ["a", "b"]);
    }

    #[test]
    fn problems_are_errors_not_panics() {
        let file = SshdFile::parse("PermitRootLogin\nBanner \"open\n= x\nMatch\nÄ=ö\n\\");
        assert_eq!(file.errors.len(), 6, "{:?}", file.errors);
        assert_eq!(file.lines.last().unwrap().keyword, "\\");
    }

    #[test]
    fn global_only_keywords_inside_match_are_errors_except_in_match_all() {
        let text = "Match User a\n  LoginGraceTime 10\n  X11Forwarding no\nMatch all\n  Ciphers aes128-ctr\n";
        let file = SshdFile::parse(text);
        assert_eq!(file.errors.len(), 1, "{:?}", file.errors);
        let source =
            SourceFile::from_bytes("sshd_config".into(), "sshd_config".into(), text.into());
        assert!(file.errors[0]
            .message
            .fingerprint_text(&source)
            .starts_with("`LoginGraceTime` is not allowed"));
        assert!(GLOBAL_ONLY.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn values_sshd_refuses_are_errors() {
        let bad = [
            "PasswordAuthentication maybe",
            "X11Forwarding 1",
            "MaxAuthTries -1",
            "LoginGraceTime 2x",
            "PermitRootLogin yes please",
        ];
        for text in bad {
            assert_eq!(SshdFile::parse(text).errors.len(), 1, "{text}");
        }
        let good = [
            "PasswordAuthentication YES",
            "PermitRootLogin Without-Password",
            "LoginGraceTime 1M",
            "AllowTcpForwarding Local",
            "Ciphers whatever",
            "Frobnicate x y",
        ];
        for text in good {
            assert!(SshdFile::parse(text).errors.is_empty(), "{text}");
        }
    }

    #[test]
    fn misspelt_keywords_are_unknown_with_a_suggestion() {
        assert!(KNOWN_KEYWORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(is_known_keyword("permitrootlogin"));
        assert!(!is_known_keyword("permitrootlogon"));
        assert_eq!(closest_keyword("permitrootlogon"), Some("permitrootlogin"));
        assert_eq!(
            closest_keyword("passwordauthenticaton"),
            Some("passwordauthentication")
        );
        assert_eq!(closest_keyword("frobnicate"), None);
    }

    #[test]
    fn dumps_are_told_apart_from_hand_written_files() {
        let dump = "port 22\npermitrootlogin without-password\npasswordauthentication yes\nkexalgorithms a\nciphers b\nmacs c\nlogingracetime 120\nmaxauthtries 6\n";
        assert!(SshdFile::parse(dump).looks_like_dump());
        assert!(!SshdFile::parse("Port 22\nPermitRootLogin no\n").looks_like_dump());
    }
}
