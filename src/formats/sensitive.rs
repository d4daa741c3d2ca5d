//! The shared knowledge of where secrets are written, used by every format to declare its
//! sensitive spans: `NAME=value` assignments, command lines (password options, URL
//! passwords, token-like words), YAML values, and lines a parser could not read.

use std::ops::Range;
use std::sync::LazyLock;

use memchr::memmem;

use crate::formats::shell::{simple_commands, ShellWord};
use crate::formats::yaml::{YamlFile, YamlNode, YamlValue};
use crate::formats::ParseError;
use crate::secrets::{is_indirection, looks_like_token, parse_url, secret_kind};
use crate::source::{SourceFile, Span};

/// A secret in a document: where it is written. Only the place: reports mask by position,
/// never by searching for a value's text (a short or common value would blank out
/// unrelated words and tell the reader what it is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sensitive {
    /// The written form, masked in code frames and snapshots and hidden in quotes.
    pub span: Span,
}

/// The parts of a file a report shows: whole lines around the places of its findings and
/// the text their messages quote, sorted and merged. Secrets need only be looked for where
/// they could touch these ([`crate::formats::Format::sensitive_in`]); the rest of the file
/// is masked whole ([`Shown::hidden`]), so a quote or a frame outside them shows nothing
/// rather than a secret nobody looked for. Most of a file is never shown: classifying every
/// value of it was a fourteenth of a scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown(Vec<Span>);

impl Shown {
    /// The whole of any text.
    pub fn everything() -> Self {
        Self(vec![Span::new(0, usize::MAX)])
    }

    /// The lines of `source` that `spans` are on, each with its line break.
    pub fn lines_of(source: &SourceFile, spans: impl IntoIterator<Item = Span>) -> Self {
        let text = &source.text;
        let mut spans: Vec<Span> = spans.into_iter().collect();
        // By start, so the lines come out sorted and merge as they come; a span on lines
        // already taken (most are: a file's findings share lines and quote their own
        // places) needs no look-up.
        spans.sort_unstable_by_key(|s| s.start);
        let mut lines: Vec<Span> = Vec::new();
        for span in spans {
            let start = span.start.min(text.len());
            let last = span.end.saturating_sub(1).max(start).min(text.len());
            if lines.last().is_some_and(|taken| last < taken.end) {
                continue;
            }
            let first = source.lines.line_span(text, source.lines.line_of(start));
            let end = source.lines.line_span(text, source.lines.line_of(last)).end;
            let end = text[end..].find('\n').map_or(text.len(), |at| end + at + 1);
            match lines.last_mut() {
                Some(taken) if first.start <= taken.end => taken.end = taken.end.max(end),
                _ if first.start < end => lines.push(Span::new(first.start, end)),
                _ => {}
            }
        }
        Self(lines)
    }

    /// Whether `span` touches a shown part (or only borders it): what is found there may be
    /// shown.
    pub fn touches(&self, span: Span) -> bool {
        let first_ending_at_or_after = self.0.partition_point(|s| s.end < span.start);
        self.0
            .get(first_ending_at_or_after)
            .is_some_and(|s| s.start <= span.end)
    }

    /// What is not shown of a text of `len` bytes: the spans between the shown parts.
    pub fn hidden(&self, len: usize) -> impl Iterator<Item = Span> + '_ {
        let starts = self.0.iter().map(move |s| s.start.min(len)).chain([len]);
        let ends = std::iter::once(0).chain(self.0.iter().map(move |s| s.end.min(len)));
        ends.zip(starts)
            .filter(|(end, start)| end < start)
            .map(|(end, start)| Span::new(end, start))
    }
}

/// A line a parser could not read may hold anything, a secret pasted on a line of its own
/// included: the whole of each error's lines is sensitive, its first word too (a word the
/// parser did not understand is not known to be a key). Messages about such a line name
/// what was expected, not what is written.
///
/// The lines are found by binary search in the line starts, and each is given once: a
/// parser may report a million errors on one 1 MiB line (`}}}…` to nginx), and searching
/// the line for its ends once per error took minutes.
pub fn unreadable_lines(errors: &[ParseError], text: &str, found: &mut Vec<Sensitive>) {
    if errors.is_empty() {
        return;
    }
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    // The line holding `offset`: its first byte, and the `\n` ending it (or the text's end).
    let line = |offset: usize| {
        let next = starts.partition_point(|&start| start <= offset.min(text.len()));
        let end = starts.get(next).map_or(text.len(), |next| next - 1);
        (starts[next - 1], end)
    };
    let mut spans: Vec<Span> = errors
        .iter()
        .map(|error| {
            let (start, _) = line(error.span.start);
            let (_, end) = line(error.span.end);
            Span::new(start, end.max(start))
        })
        .collect();
    spans.sort_unstable();
    spans.dedup();
    found.extend(spans.into_iter().map(|span| Sensitive { span }));
}

/// The secret in a `NAME=value` assignment, wherever it is written (a `.env` line, a
/// unit's `Environment=`, a crontab variable, a Compose `environment:` entry): the whole
/// value of a secret-like name or of a value that looks like a generated credential, else
/// the password inside a connection URL. `span` is where the value is written; when that
/// differs from `value` (quotes, escapes) a URL password is masked with the whole value.
pub fn assignment_sensitive(name: &str, value: &str, span: Span) -> Option<Sensitive> {
    let range = assignment_secret(name, value)?;
    let span = if range.len() == value.len() || span.len() != value.len() {
        span
    } else {
        Span::new(span.start + range.start, span.start + range.end)
    };
    Some(Sensitive { span })
}

/// Where the secret of `name=value` is in `value`: all of it for a secret-like name, a
/// value that looks like a generated credential or holds a private key (PEM, OpenPGP),
/// else a URL's password.
fn assignment_secret(name: &str, value: &str) -> Option<Range<usize>> {
    if value.is_empty() {
        return None;
    }
    // `contains` sets up a search for each value it is given: the finder is set up once.
    static PRIVATE_KEY: LazyLock<memmem::Finder<'static>> =
        LazyLock::new(|| memmem::Finder::new("PRIVATE KEY"));
    let holds_private_key = || PRIVATE_KEY.find(value.as_bytes()).is_some();
    if secret_kind(name).is_some() || looks_like_token(value) || holds_private_key() {
        return Some(0..value.len());
    }
    parse_url(value)?.password.map(|(_, range)| range)
}

/// Secrets on a command line (a crontab job, a unit's `Exec*=`, a process listing, a
/// container command): the credential options of [`PROGRAMS`] and [`ANY_PROGRAM`], any
/// long option with a secret-like name (`--api-token X`, `--db-password=X`), `NAME=value`
/// words with secret-like names (`PGPASSWORD=…`), `password=` inside a word (libpq
/// conninfo, mount options, npm's `:_authToken=`), credential HTTP headers, netrc lines
/// (`machine h login u password X`), URLs with a password anywhere in a word, and words that
/// look like generated tokens. Quoted strings that are command lines themselves
/// (`sh -c "…"`) are read too.
///
/// `locate` turns a byte range of `line` into a file span. A secret is masked alone where
/// its word is written as the command receives it (quotes around it are fine); when an
/// escape sits inside it, its whole word is masked.
pub fn command_sensitive(line: &str, locate: &dyn Fn(usize, usize) -> Span) -> Vec<Sensitive> {
    let mut secrets = command_secrets(line, 0);
    secrets.sort_by_key(|(r, _)| (r.start, r.end));
    let mut found: Vec<Sensitive> = secrets
        .into_iter()
        .map(|(r, _)| Sensitive {
            span: locate(r.start, r.end),
        })
        .collect();
    found.dedup_by_key(|s| s.span);
    found
}

/// How an option's value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    /// A required argument, getopt style: `-u X` or `-uX`, `--user X` or `--user=X`.
    Required,
    /// An optional argument: only `-pX` or `--password=X`. Alone the option asks for the
    /// password on the terminal (mysql's `-p`, 7-Zip's `-p`), and the next word is not it.
    Attached,
    /// A single-dash long option and its value as the next word (OpenSSL's `-passin X`).
    NextWord,
    /// A letter flag, alone or bundled with others (`-b`, `-bc`, `-nb`): no value of its
    /// own, but it says where the credential is (see [`Form::LastOperand`]).
    Flag,
}

/// Which part of an option's value is the credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// All of it.
    Secret,
    /// `user<separator>password`: what follows the first separator. A value without it
    /// only names a user (and the program asks for the password).
    UserPassword(char),
    /// An HTTP header, `Name: value`: the value of a credential header (see
    /// [`header_secret`]).
    Header,
    /// An OpenSSL pass phrase argument (openssl-passphrase-options(1)): what follows
    /// `pass:`; `env:`, `file:`, `fd:` and `stdin` say where the pass phrase is kept and
    /// hold none; anything else is taken as the pass phrase itself.
    OpensslPass,
    /// Cookies, `name=value; …` (curl's `-b`; a value without `=` names a cookie file).
    Cookies,
    /// The command's last operand, when there are at least two (`htpasswd -b FILE USER
    /// PASSWORD`, `htpasswd -nb USER PASSWORD`).
    LastOperand,
}

/// One option that carries a credential.
#[derive(Debug, Clone, Copy)]
struct CredentialOption {
    /// As written, case-sensitive: `-u`, `--user`, `-passin`; for a [`Syntax::Flag`], `-`
    /// and its letter.
    option: &'static str,
    syntax: Syntax,
    form: Form,
}

const fn opt(option: &'static str, syntax: Syntax, form: Form) -> CredentialOption {
    CredentialOption {
        option,
        syntax,
        form,
    }
}

/// A program whose options carry credentials.
struct Program {
    /// Its file names; a trailing `*` matches any name that starts so (`mysql*` is also
    /// `mysqldump`, `mysqladmin`).
    names: &'static [&'static str],
    /// Whether its own options end at its first operand, which is another program's command
    /// line (`sshpass -p PW ssh -p 2222 host`: `-p 2222` is ssh's port).
    runs_command: bool,
    options: &'static [CredentialOption],
}

use Form::{Cookies, Header, LastOperand, OpensslPass, Secret, UserPassword};
use Syntax::{Attached, Flag, NextWord, Required};

/// The programs people pass credentials to on the command line, and how (each from the
/// program's manual page). An option applies to the words after the program's name, so
/// wrappers (`sudo -u postgres`, `docker exec db`) in front do not matter. To teach the
/// recogniser a program, add a row here; options every program may have are in
/// [`ANY_PROGRAM`].
const PROGRAMS: &[Program] = &[
    // curl(1): `-u user:password` (`-u user` alone prompts), the proxy's `-U`, headers,
    // cookies and an OAuth bearer token.
    Program {
        names: &["curl"],
        runs_command: false,
        options: &[
            opt("-u", Required, UserPassword(':')),
            opt("--user", Required, UserPassword(':')),
            opt("-U", Required, UserPassword(':')),
            opt("--proxy-user", Required, UserPassword(':')),
            opt("-H", Required, Header),
            opt("--header", Required, Header),
            opt("--proxy-header", Required, Header),
            opt("-b", Required, Cookies),
            opt("--cookie", Required, Cookies),
            opt("--oauth2-bearer", Required, Secret),
        ],
    },
    // wget(1).
    Program {
        names: &["wget"],
        runs_command: false,
        options: &[
            opt("--password", Required, Secret),
            opt("--http-password", Required, Secret),
            opt("--ftp-password", Required, Secret),
            opt("--proxy-password", Required, Secret),
            opt("--header", Required, Header),
        ],
    },
    // HTTPie: `-a user:password`.
    Program {
        names: &["http", "https", "httpie"],
        runs_command: false,
        options: &[
            opt("-a", Required, UserPassword(':')),
            opt("--auth", Required, UserPassword(':')),
        ],
    },
    // openssl(1): pass phrase arguments, and `enc -k PASSWORD` / `enc -K HEXKEY`.
    Program {
        names: &["openssl"],
        runs_command: false,
        options: &[
            opt("-pass", NextWord, OpensslPass),
            opt("-passin", NextWord, OpensslPass),
            opt("-passout", NextWord, OpensslPass),
            opt("-password", NextWord, OpensslPass),
            opt("-k", NextWord, Secret),
            opt("-K", NextWord, Secret),
        ],
    },
    // zip(1), unzip(1): `-P password`.
    Program {
        names: &["zip", "unzip", "zipcloak"],
        runs_command: false,
        options: &[
            opt("-P", Required, Secret),
            opt("--password", Required, Secret),
        ],
    },
    // 7-Zip: `-pPASSWORD` (alone, `-p` prompts).
    Program {
        names: &["7z", "7za", "7zr", "7zz"],
        runs_command: false,
        options: &[opt("-p", Attached, Secret)],
    },
    // sshpass(1): `-p password`, then the command it runs.
    Program {
        names: &["sshpass"],
        runs_command: true,
        options: &[opt("-p", Required, Secret)],
    },
    // Samba's clients: `-U user%password`.
    Program {
        names: &["smbclient", "rpcclient", "smbcacls", "smbget"],
        runs_command: false,
        options: &[
            opt("-U", Required, UserPassword('%')),
            opt("--user", Required, UserPassword('%')),
        ],
    },
    // htpasswd(1): `-b` takes the password from the command line, as the last argument.
    Program {
        names: &["htpasswd"],
        runs_command: false,
        options: &[opt("-b", Flag, LastOperand)],
    },
    // MySQL and MariaDB clients: `-pPASSWORD`, `--password=PASSWORD`; alone they prompt.
    Program {
        names: &["mysql*", "mariadb*", "mariabackup", "xtrabackup"],
        runs_command: false,
        options: &[
            opt("-p", Attached, Secret),
            opt("--password", Attached, Secret),
        ],
    },
    // redis-cli(1): `-a password`, `--pass password`.
    Program {
        names: &["redis-cli", "redis-benchmark", "valkey-cli", "keydb-cli"],
        runs_command: false,
        options: &[opt("-a", Required, Secret), opt("--pass", Required, Secret)],
    },
];

/// Options any program may have: the Redis server's `--requirepass` and `--masterauth`
/// (`redis-server --requirepass …` in Compose files and unit files). Beyond these, any long
/// option with a secret-like name takes a secret (`--password X`, `--api-token=X`), unless
/// the program's row says otherwise (mysql's `--password`).
const ANY_PROGRAM: &[CredentialOption] = &[
    opt("--requirepass", Required, Secret),
    opt("--masterauth", Required, Secret),
];

/// Headers whose value is a credential wherever a header is written (httpie's
/// `Authorization:'Bearer …'`, a quoted header in any tool). Inside a header option (curl's
/// `-H`) any header with a secret-like name counts as well (`X-Vault-Token`).
const CREDENTIAL_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-api-key",
    "api-key",
    "x-auth-token",
    "x-access-token",
    "private-token",
    "job-token",
];

/// Keys of `key=value` pairs inside a word that hold a credential though their name is not
/// secret-like (npm's base64 `user:password` in `//registry/:_auth=…`).
const CREDENTIAL_KEYS: &[&str] = &["_auth"];

/// How deep `sh -c "bash -c '…'"` strings are read.
const MAX_NESTING: usize = 3;

/// Programs whose string arguments are command lines (`ssh host "mysqldump -p…"`), besides
/// any word after a `-c` option (`sh -c`, `bash -lc`, `su postgres -c`).
const RUN_STRINGS: &[&str] = &["ssh", "eval", "watch"];

/// The secrets of `line`: where each is written in `line` and its value as the program
/// receives it (unsorted, possibly repeated).
fn command_secrets(line: &str, depth: usize) -> Vec<(Range<usize>, String)> {
    let mut found = Vec::new();
    for words in simple_commands(line) {
        let at = |word: &ShellWord, range: Range<usize>| {
            word.written_range(range).unwrap_or(word.range.clone())
        };
        for (i, range) in CommandReader::read(&words) {
            let word = &words[i];
            found.push((at(word, range.clone()), word.text[range].to_owned()));
        }
        if depth >= MAX_NESTING {
            continue;
        }
        let mut runs_strings = false;
        for (i, word) in words.iter().enumerate() {
            let after_c = i > 0 && is_flag_bundle(&words[i - 1].text, 'c');
            if (after_c || runs_strings) && word.text.contains(char::is_whitespace) {
                for (range, value) in command_secrets(&word.text, depth + 1) {
                    found.push((at(word, range), value));
                }
            }
            runs_strings |= RUN_STRINGS.contains(&basename(&word.text));
        }
    }
    found
}

fn basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Whether `word` is single-letter flags (`-b`, `-bc`, `-lc`) that include `letter`.
fn is_flag_bundle(word: &str, letter: char) -> bool {
    word.strip_prefix('-').is_some_and(|letters| {
        letters.chars().all(|c| c.is_ascii_alphabetic()) && letters.contains(letter)
    })
}

/// What the next word is, after an option that takes one.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// The option's value.
    Value(Form),
    /// The value of a credential header split from its `Name:` (process listings lose the
    /// quotes of `-H "Authorization: Bearer …"`); `scheme` when an auth scheme comes first.
    HeaderValue { scheme: bool },
}

/// Reads one simple command's words, left to right.
struct CommandReader<'a> {
    words: &'a [ShellWord],
    /// The program whose options are being read, and the index of its name.
    program: Option<(&'static Program, usize)>,
    expect: Option<Expect>,
    /// The index of a program's name whose last operand is a secret.
    last_operand_after: Option<usize>,
    /// `(word, byte range in its text)` of each secret.
    found: Vec<(usize, Range<usize>)>,
}

impl<'a> CommandReader<'a> {
    fn read(words: &'a [ShellWord]) -> Vec<(usize, Range<usize>)> {
        let mut reader = Self {
            words,
            program: None,
            expect: None,
            last_operand_after: None,
            found: Vec::new(),
        };
        for i in 0..words.len() {
            reader.word(i);
        }
        if let Some(after) = reader.last_operand_after {
            let operands = operands(&words[after + 1..]);
            if let [_, .., last] = operands[..] {
                let last = after + 1 + last;
                reader.push(last, 0..words[last].text.len());
            }
        }
        for (i, range) in netrc_passwords(words) {
            reader.push(i, range);
        }
        reader.found
    }

    fn word(&mut self, i: usize) {
        let text = self.words[i].text.as_str();
        if let Some(expect) = self.expect.take() {
            match expect {
                Expect::Value(form) => self.value(i, 0, form),
                Expect::HeaderValue { scheme } => {
                    if scheme && is_scheme(text) {
                        self.expect = Some(Expect::Value(Secret));
                    } else {
                        self.push(i, 0..text.len());
                    }
                }
            }
            return;
        }
        if let Some(program) = program_named(text, i == 0) {
            self.program = Some((program, i));
            return;
        }
        let program = self.program.map(|(p, _)| p);
        if let Some((form, value)) = credential_option(program, text) {
            match value {
                OptionValue::Next => self.expect = Some(Expect::Value(form)),
                OptionValue::At(offset) => self.value(i, offset, form),
                OptionValue::Flag => self.last_operand_after = self.program.map(|(_, at)| at),
                OptionValue::Prompt => {}
            }
            return;
        }
        if program.is_some_and(|p| p.runs_command) && !text.starts_with('-') {
            self.program = None;
        }
        for range in word_secrets(text) {
            self.push(i, range);
        }
    }

    /// The credential in the value of an option (`form`), written from byte `offset` of
    /// word `i`.
    fn value(&mut self, i: usize, offset: usize, form: Form) {
        let value = &self.words[i].text[offset..];
        let shift = |r: Range<usize>| offset + r.start..offset + r.end;
        match form {
            Secret => self.push(i, shift(0..value.len())),
            UserPassword(separator) => {
                if let Some(at) = value.find(separator) {
                    self.push(i, shift(at + separator.len_utf8()..value.len()));
                }
            }
            Header => match header_secret(value, true) {
                Some(HeaderSecret::At(range)) => self.push(i, shift(range)),
                Some(HeaderSecret::Next { scheme }) => {
                    self.expect = Some(Expect::HeaderValue { scheme });
                }
                None => {}
            },
            OpensslPass => {
                let source = value.split_once(':').map_or(value, |(s, _)| s);
                if let Some(pass) = value.strip_prefix("pass:") {
                    self.push(i, shift(value.len() - pass.len()..value.len()));
                } else if !matches!(source, "env" | "file" | "fd" | "stdin") {
                    self.push(i, shift(0..value.len()));
                }
            }
            Cookies => {
                let mut at = 0;
                for pair in value.split(';') {
                    if let Some((name, cookie)) = pair.split_once('=') {
                        let start = at + name.len() + 1;
                        self.push(i, shift(start..start + cookie.len()));
                    }
                    at += pair.len() + 1;
                }
            }
            LastOperand => {}
        }
    }

    fn push(&mut self, i: usize, range: Range<usize>) {
        if written_here(&self.words[i].text[range.clone()]) {
            self.found.push((i, range));
        }
    }
}

/// The program of the table a word names (`/usr/bin/curl`, `mysqldump`). A unit's
/// `ExecStart=` may prefix its first word with `-`, `@`, `+`, `!` or `:`.
fn program_named(word: &str, first: bool) -> Option<&'static Program> {
    let word = if first {
        word.trim_start_matches(['-', '@', '+', '!', ':'])
    } else {
        word
    };
    if word.is_empty() || word.starts_with('-') || word.contains(['=', ' ']) || word.contains("://")
    {
        return None;
    }
    let name = basename(word);
    PROGRAMS.iter().find(|program| {
        program.names.iter().any(|n| match n.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => name == *n,
        })
    })
}

/// Where an option word's value is.
enum OptionValue {
    /// The next word.
    Next,
    /// In the word itself, from this byte (`-pX`, `--password=X`).
    At(usize),
    /// A flag without a value.
    Flag,
    /// Nowhere: the program asks for it.
    Prompt,
}

/// The credential option `word` is, for `program` (`None`: no program of the table): what
/// its value holds, and where the value is.
fn credential_option(program: Option<&Program>, word: &str) -> Option<(Form, OptionValue)> {
    let own = program.map_or(&[][..], |p| p.options);
    let listed = own
        .iter()
        .chain(ANY_PROGRAM)
        .find_map(|option| Some((option.form, option_value(option, word)?)));
    if listed.is_some() {
        return listed;
    }
    // Any other long option with a secret-like name, followed by its value.
    let name = word.strip_prefix("--")?;
    (!name.contains('=') && secret_kind(name).is_some()).then_some((Secret, OptionValue::Next))
}

fn option_value(option: &CredentialOption, word: &str) -> Option<OptionValue> {
    let name = option.option;
    let long = name.starts_with("--");
    if option.syntax == Flag {
        let letter = name.chars().nth(1)?;
        return is_flag_bundle(word, letter).then_some(OptionValue::Flag);
    }
    if word == name {
        return Some(match option.syntax {
            Attached => OptionValue::Prompt,
            _ => OptionValue::Next,
        });
    }
    let rest = word.strip_prefix(name)?;
    let attached = match option.syntax {
        Required | Attached if long => rest.strip_prefix('=').map(|_| name.len() + 1),
        Required | Attached => (!rest.is_empty()).then_some(name.len()),
        NextWord | Flag => None,
    };
    attached.map(OptionValue::At)
}

/// Indices of a command's operands in `words`: not options, not redirections (`> file`,
/// `2>&1`).
fn operands(words: &[ShellWord]) -> Vec<usize> {
    let mut found = Vec::new();
    let mut skip_next = false;
    for (i, word) in words.iter().enumerate() {
        let text = word.text.as_str();
        let redirection = text.trim_start_matches(|c: char| c.is_ascii_digit());
        if std::mem::take(&mut skip_next) || text.starts_with('-') {
            continue;
        }
        if redirection.starts_with(['>', '<']) {
            skip_next = redirection.trim_start_matches(['>', '<', '&']).is_empty();
            continue;
        }
        found.push(i);
    }
    found
}

/// Where the credential of an HTTP header is.
enum HeaderSecret {
    /// In the header's own text.
    At(Range<usize>),
    /// In the next word (`Authorization:` written alone); `scheme` when an auth scheme
    /// (`Bearer`) comes first.
    Next { scheme: bool },
}

/// The credential in `Name: value` when `Name` is a credential header (in a header option,
/// `any_secret_name` also counts secret-like names): the value, or for `Authorization` the
/// part after the scheme (`Bearer`, `Basic`).
fn header_secret(header: &str, any_secret_name: bool) -> Option<HeaderSecret> {
    let (name, value) = header.split_once(':')?;
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    let credential = CREDENTIAL_HEADERS.contains(&lower.as_str())
        || (any_secret_name && secret_kind(name).is_some());
    if !credential {
        return None;
    }
    let scheme = lower.ends_with("authorization");
    let start = header.len() - value.trim_start().len();
    let value = value.trim();
    if value.is_empty() {
        return Some(HeaderSecret::Next { scheme });
    }
    let skip = match value.split_once(char::is_whitespace) {
        Some((word, rest)) if scheme && is_scheme(word) => value.len() - rest.trim_start().len(),
        _ => 0,
    };
    Some(HeaderSecret::At(start + skip..start + value.len()))
}

/// HTTP authentication schemes: IANA's registry and those of well-known APIs. A word that
/// is none of them is taken for the credential itself.
const AUTH_SCHEMES: &[&str] = &[
    "basic",
    "bearer",
    "concealed",
    "digest",
    "dpop",
    "gnap",
    "hoba",
    "mutual",
    "negotiate",
    "ntlm",
    "oauth",
    "privatetoken",
    "scram-sha-1",
    "scram-sha-256",
    "vapid",
    "token",
    "apikey",
    "key",
    "aws4-hmac-sha256",
    "ssws",
    "splunk",
];

/// Whether `word` names an HTTP authentication scheme (`Bearer`, `Basic`).
fn is_scheme(word: &str) -> bool {
    AUTH_SCHEMES.contains(&word.to_ascii_lowercase().as_str())
}

/// Whether a value is a secret written right there, not a reference to one kept elsewhere
/// (`$PW`, `${PW}`, `$(cat /run/secrets/pw)`, a file path): only the former is shown to
/// whoever reads the file or the process list.
fn written_here(value: &str) -> bool {
    !value.trim().is_empty() && !value.starts_with('$') && !is_indirection(value)
}

/// The secrets in one word, whatever program it is given to: the value of a `NAME=value`
/// word with a secret-like name, a credential header, credential `key=value` pairs inside
/// it, URL passwords, or else the value (or the word) when it looks like a generated token.
fn word_secrets(text: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let assignment = text
        .split_once('=')
        .filter(|(name, _)| !name.is_empty() && !name.contains(['/', ' ']));
    let value_at = assignment.map_or(0, |(name, _)| name.len() + 1);
    if let Some((name, _)) = assignment {
        if secret_kind(name.trim_start_matches('-')).is_some() {
            found.push(value_at..text.len());
        }
    }
    for at in [0, value_at] {
        if let Some(HeaderSecret::At(r)) = header_secret(&text[at..], false) {
            found.push(at + r.start..at + r.end);
        }
    }
    found.extend(credential_pairs(text, assignment.is_some()));
    found.extend(url_passwords(text));
    if found.is_empty() && looks_like_token(&text[value_at..]) {
        found.push(value_at..text.len());
    }
    found.retain(|r| written_here(&text[r.clone()]));
    found
}

/// Values of `key=value` pairs inside a word whose key is secret-like (libpq's
/// `"host=db password=…"`, `mount -o user=u,password=…`, npm's `//registry/:_authToken=…`,
/// a URL's `?access_token=…`): up to the next blank, `,`, `;` or `&`, or inside `'…'`.
/// `skip_first`: the pair at the start of the word was read as an assignment.
fn credential_pairs(text: &str, skip_first: bool) -> Vec<Range<usize>> {
    let is_key = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    let mut found = Vec::new();
    for (eq, _) in text.match_indices('=') {
        let start = text[..eq].trim_end_matches(is_key).len();
        let key = &text[start..eq];
        if key.is_empty() || (start == 0 && skip_first) {
            continue;
        }
        if secret_kind(key).is_none() && !CREDENTIAL_KEYS.contains(&key) {
            continue;
        }
        let after = &text[eq + 1..];
        let range = match after.strip_prefix('\'') {
            Some(quoted) => {
                let end = quoted.find('\'').unwrap_or(quoted.len());
                eq + 2..eq + 2 + end
            }
            None => {
                let end = after
                    .find(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '&'))
                    .unwrap_or(after.len());
                eq + 1..eq + 1 + end
            }
        };
        found.push(range);
    }
    found
}

/// The passwords of URLs anywhere in a word (`--proxy=http://u:PW@proxy`,
/// `url:https://u:PW@host`, two URLs in one string). A URL ends at a blank, a quote, or
/// where the next URL's scheme begins (so a word of many URLs is read in one pass).
fn url_passwords(text: &str) -> Vec<Range<usize>> {
    let is_scheme_byte = |b: u8| b.is_ascii_alphanumeric() || b"+-.".contains(&b);
    let bytes = text.as_bytes();
    // A `:` search, not `match_indices("://")`: asked of every word of every command line,
    // most without a `:`, and `"://"` cannot overlap itself, so the same starts are found.
    let starts: Vec<usize> = memchr::memchr_iter(b':', bytes)
        .filter(|&at| bytes[at..].starts_with(b"://"))
        .map(|at| {
            let mut start = at;
            while start > 0 && is_scheme_byte(bytes[start - 1]) {
                start -= 1;
            }
            start
        })
        .collect();
    let mut found = Vec::new();
    let mut separator = 0;
    for (k, &start) in starts.iter().enumerate() {
        if separator <= start {
            separator = text[start..]
                .find(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | '<' | '>'))
                .map_or(text.len(), |i| start + i);
        }
        let end = starts
            .get(k + 1)
            .map_or(separator, |&next| next.min(separator));
        let password = parse_url(&text[start..end]).and_then(|url| url.password);
        if let Some((_, range)) = password {
            found.push(start + range.start..start + range.end);
        }
    }
    found
}

/// netrc lines written by a command (`echo "machine h login u password X" >> ~/.netrc`):
/// the word after `password`, once `machine`, `default` or `login` came before it in the
/// same command. Literal `\n` and `\t` (for `echo -e`, `printf`) separate words too.
fn netrc_passwords(words: &[ShellWord]) -> Vec<(usize, Range<usize>)> {
    // Only a token `password` is followed by one: most commands have none to split words for.
    let names_password = |word: &ShellWord| word.text.len() >= 8 && word.text.contains("password");
    if !words.iter().any(names_password) {
        return Vec::new();
    }
    let tokens: Vec<(usize, Range<usize>)> = words
        .iter()
        .enumerate()
        .flat_map(|(i, word)| netrc_tokens(&word.text).into_iter().map(move |r| (i, r)))
        .collect();
    let mut context = false;
    let mut found = Vec::new();
    for (k, (i, range)) in tokens.iter().enumerate() {
        match &words[*i].text[range.clone()] {
            "machine" | "default" | "login" => context = true,
            "password" if context => found.extend(tokens.get(k + 1).cloned()),
            _ => {}
        }
    }
    found
}

/// Words of `text`, split at blanks and at literal `\n` and `\t`.
fn netrc_tokens(text: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut start = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let escape = c == '\\' && chars.next_if(|(_, n)| matches!(n, 'n' | 't')).is_some();
        if escape || c.is_whitespace() {
            if let Some(s) = start.take() {
                found.push(s..i);
            }
        } else {
            start.get_or_insert(i);
        }
    }
    if let Some(s) = start {
        found.push(s..text.len());
    }
    found
}
/// In YAML (Compose files): `KEY: value` pairs and `- KEY=value` list items whose key is
/// secret-like, URL passwords and token-like scalars. Only values touching `shown` are
/// classified: a node's span holds those of the nodes under it.
pub fn yaml_sensitive(yaml: &YamlFile, text: &str, shown: &Shown) -> Vec<Sensitive> {
    let mut found = Vec::new();
    let shown_node = |node: &&YamlNode| shown.touches(node.span);
    let mut stack: Vec<&YamlNode> = yaml.documents.iter().filter(shown_node).collect();
    while let Some(node) = stack.pop() {
        match &node.value {
            YamlValue::Mapping(entries) => {
                for (key, value) in entries.iter().filter(|(_, value)| shown_node(&value)) {
                    match (key.as_str(), value.as_str()) {
                        (Some(name), Some(text)) => {
                            found.extend(assignment_sensitive(name, text, value.span));
                        }
                        _ => stack.push(value),
                    }
                }
            }
            YamlValue::Sequence(items) => stack.extend(items.iter().filter(shown_node)),
            YamlValue::Scalar(text) => {
                let (name, value) = text.split_once('=').unwrap_or(("", text));
                let skip = if value.len() == text.len() {
                    0
                } else {
                    name.len() + 1
                };
                let span = if node.span.len() == text.len() {
                    Span::new(node.span.start + skip, node.span.end)
                } else {
                    node.span
                };
                found.extend(assignment_sensitive(name, value, span));
            }
            YamlValue::Alias => {}
        }
    }
    unreadable_lines(&yaml.errors, text, &mut found);
    found
}

/// One word of a command written as a list: a Dockerfile's exec form (`CMD ["redis-server",
/// "--requirepass", "…"]`), which Compose's `command:` lists and Kubernetes' `command`/`args`
/// override and are written like.
pub struct ListWord<'a> {
    /// The word as the process receives it.
    pub text: String,
    /// The file span of bytes `start..end` of `text`.
    pub locate: Box<dyn Fn(usize, usize) -> Span + 'a>,
}

impl ListWord<'_> {
    /// A word written at `span`, whose text starts at `verbatim_at` when it is written as
    /// is (plain, or quoted without escapes): parts of it are then located exactly, else
    /// the whole written word stands for any part.
    pub fn written(text: &str, span: Span, verbatim_at: Option<usize>) -> Self {
        Self {
            text: text.to_owned(),
            locate: Box::new(move |start, end| match verbatim_at {
                Some(at) => Span::new(at + start, at + end),
                None => span,
            }),
        }
    }
}

/// Whether `written` is `text` between a pair of the same quotes (`"…"` or `'…'`), with no
/// escapes: the text then starts one byte after the quote. Compares whole strings, never a
/// slice by length (an unclosed `'\é` is as long as `é` plus two, but ends inside the `é`).
pub fn quoted_verbatim(written: &str, text: &str) -> bool {
    ['"', '\''].into_iter().any(|quote| {
        written
            .strip_prefix(quote)
            .and_then(|inner| inner.strip_suffix(quote))
            == Some(text)
    })
}

/// Secrets in a command written as a list of words. The words are read as the command line
/// they make, each one word of it, so an option and its value in two items
/// (`"--requirepass", "…"`) are read together; a word that is a script of its own (`["sh",
/// "-c", "…"]`, Compose's `["CMD-SHELL", "…"]`) is also read as a command line.
pub fn list_command_sensitive(words: &[ListWord]) -> Vec<Sensitive> {
    if words.is_empty() {
        return Vec::new();
    }
    // Each item becomes one shell word: written as is when no shell character is in it,
    // else single-quoted (and then located as a whole).
    let mut line = String::new();
    let mut placed: Vec<(usize, usize, bool)> = Vec::new();
    for word in words {
        if !line.is_empty() {
            line.push(' ');
        }
        let start = line.len();
        let plain = !word.text.is_empty()
            && !word
                .text
                .contains(|c: char| c.is_whitespace() || "'\"\\|&;()<>$`".contains(c));
        if plain {
            line.push_str(&word.text);
        } else {
            line.push('\'');
            line.push_str(&word.text.replace('\'', "'\\''"));
            line.push('\'');
        }
        placed.push((start, line.len(), plain));
    }
    let locate = |start: usize, end: usize| {
        let i = placed
            .partition_point(|(_, item_end, _)| *item_end <= start)
            .min(words.len() - 1);
        let (item_start, item_end, plain) = placed[i];
        let word = &words[i];
        // A quoted item holds its text one byte in, unchanged unless it had a `'` to escape.
        let inner = if plain {
            Some((item_start, item_end))
        } else if !word.text.contains('\'') {
            Some((item_start + 1, item_end - 1))
        } else {
            None
        };
        match inner {
            Some((inner_start, inner_end)) => {
                let start = start.clamp(inner_start, inner_end);
                (word.locate)(
                    start - inner_start,
                    end.clamp(start, inner_end) - inner_start,
                )
            }
            None => (word.locate)(0, word.text.len()),
        }
    };
    let mut found = command_sensitive(&line, &locate);
    for word in words
        .iter()
        .filter(|w| w.text.contains(char::is_whitespace))
    {
        found.extend(command_sensitive(&word.text, &*word.locate));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::from_bytes("f".into(), "f".into(), text.as_bytes().to_vec())
    }

    /// Each span shows its whole lines with their line breaks (`\r\n` too), spans on one
    /// line or on neighbouring lines show one part, and what lies between parts is hidden.
    #[test]
    fn a_report_shows_whole_lines_and_hides_the_rest() {
        let text = "a=1\r\nb=2\nc=3\nd=4\ne=5";
        let source = file(text);
        let at = |s: &str| Span::new(text.find(s).unwrap(), text.find(s).unwrap() + s.len());
        let shown = Shown::lines_of(&source, [at("b"), at("2"), at("c=3"), at("e=5")]);
        let parts: Vec<&str> = shown.0.iter().map(|s| &text[s.range()]).collect();
        assert_eq!(parts, ["b=2\nc=3\n", "e=5"]);
        let hidden: Vec<&str> = shown.hidden(text.len()).map(|s| &text[s.range()]).collect();
        assert_eq!(hidden, ["a=1\r\n", "d=4\n"]);
        // A span ending at a line break shows that line only; an empty one, its line.
        let shown = Shown::lines_of(&source, [Span::new(0, 5), Span::new(10, 10)]);
        let parts: Vec<&str> = shown.0.iter().map(|s| &text[s.range()]).collect();
        assert_eq!(parts, ["a=1\r\n", "c=3\n"]);
        assert!(shown.touches(at("a=1")) && shown.touches(at("c")));
        // Bordering a shown part counts; lying wholly between parts does not.
        assert!(shown.touches(Span::new(5, 5)) && shown.touches(Span::new(13, 16)));
        assert!(!shown.touches(at("=2")) && !shown.touches(at("e=5")));
        assert!(Shown::everything().touches(Span::new(usize::MAX - 1, usize::MAX)));
        assert_eq!(Shown::everything().hidden(text.len()).count(), 0);
        assert_eq!(
            Shown::lines_of(&source, []).hidden(3).collect::<Vec<_>>(),
            [Span::new(0, 3)]
        );
    }

    /// The lines are what each span's own lines merged give, whatever the spans' order,
    /// overlaps and repeats (spans inside lines already taken are skipped, not looked up).
    #[test]
    fn shown_lines_are_each_spans_lines_merged() {
        for text in [
            "a=1\r\nbb=22\n\nccc=333\nd\r\n\n\ne=5\nlast",
            "x=1\n\ny\n",
            "",
        ] {
            let source = file(text);
            let lines_of_one = |span: Span| {
                let start = span.start.min(text.len());
                let last = span.end.saturating_sub(1).max(start).min(text.len());
                let first = text[..start].rfind('\n').map_or(0, |at| at + 1);
                let end = text[last..]
                    .find('\n')
                    .map_or(text.len(), |at| last + at + 1);
                Span::new(first, end)
            };
            // Every span of the text and past its end, in pseudo-random groups and orders.
            let len = text.len();
            let all: Vec<Span> = (0..=len + 1)
                .flat_map(|start| (start..=len + 2).map(move |end| Span::new(start, end)))
                .collect();
            let mut seed = 7u64;
            let mut next = || {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (seed >> 33) as usize
            };
            for _ in 0..2000 {
                let pick: Vec<Span> = (0..next() % 6).map(|_| all[next() % all.len()]).collect();
                let expected = crate::source::merged(pick.iter().map(|&s| lines_of_one(s)));
                assert_eq!(
                    Shown::lines_of(&source, pick.clone()).0,
                    expected,
                    "{text:?} {pick:?}"
                );
            }
        }
    }

    /// A name that holds no secret (`GPG_KEY` is a fingerprint, `CACHE_KEY` a lookup key)
    /// does not show a private key written under it.
    #[test]
    fn a_private_key_is_a_secret_under_any_name() {
        for value in [
            "-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=",
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\\n\\nlQOYBF0canary",
        ] {
            for name in ["GPG_KEY", "CACHE_KEY", "NOTES"] {
                assert_eq!(
                    assignment_secret(name, value),
                    Some(0..value.len()),
                    "{name}"
                );
            }
        }
        assert_eq!(
            assignment_secret("GPG_KEY", "not a key: the fingerprint's owner"),
            None
        );
    }

    /// A planted secret: no digits, no dictionary shape, found nowhere else in the lines.
    const CANARY: &str = "qzcanary-horse-river-tmsvqpa";

    /// The written text of each secret `command_sensitive` finds in `line`.
    fn masked(line: &str) -> Vec<&str> {
        command_sensitive(line, &|start, end| Span::new(start, end))
            .into_iter()
            .map(|s| &line[s.span.range()])
            .collect()
    }

    /// `line` with `{}` replaced by the canary: exactly the canary is masked.
    fn only_the_canary(template: &str) {
        let line = template.replace("{}", CANARY);
        assert_eq!(masked(&line), [CANARY], "{line}");
    }

    #[test]
    fn curl_user_password_headers_cookies_and_tokens() {
        only_the_canary("curl -u deploy:{} https://x.example/");
        only_the_canary("curl --user deploy:{} https://x.example/");
        only_the_canary("curl --user=deploy:{} https://x.example/");
        only_the_canary("curl -udeploy:{} https://x.example/");
        only_the_canary("curl -x proxy:3128 -U squid:{} https://x.example/");
        only_the_canary("curl -H \"Authorization: Bearer {}\" https://x.example/");
        only_the_canary("curl --header 'Authorization: Basic {}' https://x.example/");
        only_the_canary("curl -H 'X-Api-Key: {}' https://x.example/");
        only_the_canary("curl -H 'X-Auth-Token:{}' https://x.example/");
        only_the_canary("curl -H 'Private-Token: {}' https://x.example/");
        only_the_canary("curl -H 'X-Vault-Token: {}' https://x.example/");
        only_the_canary("curl -H 'Cookie: {}' https://x.example/");
        only_the_canary("curl -b 'session={}' https://x.example/");
        only_the_canary("curl --oauth2-bearer {} https://x.example/");
        // A process listing has lost the quotes: the header's words follow one another.
        only_the_canary("curl -H Authorization: Bearer {} https://x.example/");
        only_the_canary("curl -H X-Api-Key: {} https://x.example/");
        only_the_canary("curl -H Authorization: {} https://x.example/");
        // An unknown scheme may be part of the credential: the whole value is hidden.
        let line = format!("curl -H 'Authorization: Custom {CANARY}' https://x.example/");
        assert_eq!(masked(&line), [format!("Custom {CANARY}")]);
    }

    #[test]
    fn wget_passwords_and_headers() {
        only_the_canary("wget --password={} https://x.example/f");
        only_the_canary("wget --http-password={} https://x.example/f");
        only_the_canary("wget --ftp-password {} ftp://x.example/f");
        only_the_canary("wget --header='Authorization: Bearer {}' https://x.example/f");
        only_the_canary("wget --header 'Private-Token: {}' https://x.example/f");
    }

    #[test]
    fn any_credential_header_in_a_word() {
        only_the_canary("http https://x.example/ 'Authorization:Bearer {}'");
        only_the_canary("http -a ops:{} https://x.example/");
        only_the_canary("/opt/tool 'X-Auth-Token: {}'");
        only_the_canary("/opt/tool --header='Cookie: {}'");
    }

    #[test]
    fn openssl_pass_phrase_arguments() {
        only_the_canary("openssl enc -aes-256-cbc -pass pass:{} -in a -out b");
        only_the_canary("openssl rsa -in k.pem -passin pass:{} -out k2.pem");
        only_the_canary("openssl genrsa -aes256 -passout pass:{} 4096");
        only_the_canary("openssl pkcs12 -export -in c -inkey k -password pass:{}");
        only_the_canary("openssl enc -aes-256-cbc -k {} -in a");
        // Without a known source the argument is read as the pass phrase itself.
        only_the_canary("openssl rsa -in k.pem -passin {}");
        for reference in ["env:KEY_PASS", "file:/etc/app/pass", "fd:3", "stdin"] {
            let line = format!("openssl rsa -in k.pem -passin {reference} -out k2.pem");
            assert!(masked(&line).is_empty(), "{line}");
        }
    }

    #[test]
    fn archives_sshpass_samba_and_htpasswd() {
        only_the_canary("zip -r -P {} /b/site.zip /srv/site");
        only_the_canary("unzip -P {} /b/site.zip");
        only_the_canary("7z a -p{} /b/site.7z /srv/site");
        only_the_canary("sshpass -p {} ssh -p 2222 deploy@x.example");
        only_the_canary("sshpass -p{} rsync -a /srv x.example:/b");
        only_the_canary("smbclient //nas/share -U backup%{} -c 'put a'");
        only_the_canary("smbclient //nas/share --user=backup%{}");
        only_the_canary("htpasswd -b /etc/nginx/.htpasswd admin {}");
        only_the_canary("htpasswd -bc /etc/nginx/.htpasswd admin {}");
        only_the_canary("htpasswd -nb admin {} > /etc/nginx/.htpasswd");
        only_the_canary("htpasswd -B -b -C 10 /etc/nginx/.htpasswd admin {} 2>&1");
    }

    #[test]
    fn database_clients() {
        only_the_canary("mysqldump -u root -p{} app > /b/a.sql");
        only_the_canary("mysql --password={} app");
        only_the_canary("mariadb-dump -p{} app");
        only_the_canary("docker exec db mysqladmin -p'{}' status");
        only_the_canary("redis-cli -a {} BGSAVE");
        only_the_canary("redis-cli --pass {} PING");
        only_the_canary("redis-server --requirepass {}");
        only_the_canary("redis-server --masterauth {} --port 6380");
        only_the_canary("psql \"host=db.internal user=app password={} dbname=app\"");
        only_the_canary("psql 'host=db.internal password=''{}'' dbname=app'");
        only_the_canary("pg_dump postgresql://app:{}@db/app -f /b/app.sql");
        only_the_canary("PGPASSWORD={} pg_dump -U app app");
        // mysql's `-p` and `--password` alone prompt: the next word is the database.
        assert!(masked("mysql -u root -p app").is_empty());
        assert!(masked("mysql -u root --password app").is_empty());
    }

    #[test]
    fn npm_tokens_netrc_urls_and_options() {
        only_the_canary("npm config set //registry.npmjs.org/:_authToken={}");
        only_the_canary("npm publish --//registry.npmjs.org/:_authToken={}");
        only_the_canary("npm config set //npm.example/:_auth={}");
        only_the_canary("echo \"machine git.example login ci password {}\" > ~/.netrc");
        only_the_canary("printf 'machine h\\nlogin u\\npassword {}\\n' >> /root/.netrc");
        only_the_canary("echo machine h login u password {} >> ~/.netrc");
        only_the_canary("/opt/app --proxy=http://ops:{}@proxy.internal:3128");
        only_the_canary("/opt/app 'upstream:https://ops:{}@x.example/api'");
        only_the_canary("mount -t cifs //nas/b /mnt -o username=backup,password={},uid=0");
        only_the_canary("/opt/app --api-token {}");
        only_the_canary("/opt/app --db-password={}");
        only_the_canary("env API_KEY={} /opt/app");
        only_the_canary("su - app -c \"curl -u ci:{} https://x.example/\"");
    }

    #[test]
    fn token_like_words_are_masked_whole() {
        let token = "ghp_4fG9kQ2xR7mZ1vB8nW3yT6pL0sD5hJ";
        assert_eq!(masked(&format!("/opt/app {token} --verbose")), [token]);
    }

    #[test]
    fn what_holds_no_secret_is_not_masked() {
        for line in [
            "curl -u deploy https://x.example/",
            "curl -H 'Accept: application/json' -b cookies.txt https://x.example/",
            "openssl enc -aes-256-cbc -pass env:BACKUP_PASS -in a -out b",
            "grep password /etc/app.conf",
            "grep -r 'password:' /etc/app",
            "sshpass -f /root/.pw ssh -p 2222 deploy@x.example",
            "docker run -u 1000:1000 alpine true",
            "smbclient //nas/share -U backup -c ls",
            "htpasswd -D /etc/nginx/.htpasswd admin",
            "mount -t cifs //nas/b /mnt -o credentials=/root/.smb,uid=0",
            "7z a -p /b/site.7z /srv/site",
            "zip -e /b/site.zip /srv/site",
            "pg_dump -U app app | gzip > /b/a.sql.gz",
            "echo password >> /tmp/words",
            // References to secrets kept elsewhere are not secrets written here.
            "curl -u ci:$CI_PASS https://x.example/",
            "/opt/app --db-password=${DB_PASSWORD}",
            "PGPASSWORD=$(cat /root/.pgpw) pg_dump app",
            "curl -H \"Authorization: Bearer $TOKEN\" https://x.example/",
            "echo machine h login u password $NETRC_PW >> ~/.netrc",
            "mysqldump -p\"$MYSQL_PWD\" app",
        ] {
            assert!(masked(line).is_empty(), "{line}: {:?}", masked(line));
        }
    }

    #[test]
    fn escapes_inside_a_secret_mask_its_whole_word() {
        let line = format!("curl -u 'deploy:{CANARY}' \"-H\" \"Authorization: Bearer ab\\\"cd\"");
        assert_eq!(
            masked(&line),
            [CANARY, "\"Authorization: Bearer ab\\\"cd\""]
        );
    }

    #[test]
    fn nested_and_long_lines_are_cheap() {
        let deep = format!("sh -c {}", "\"sh -c \\".repeat(2_000));
        let _ = masked(&deep);
        for long in [
            "a=b ".repeat(100_000),
            "x://".repeat(100_000),
            "=".repeat(100_000),
        ] {
            assert!(masked(&long).is_empty());
        }
    }
}
