//! What sshd actually uses: a configuration with its `Include`s followed, and the value in
//! effect for each keyword, globally and for a given connection.
//!
//! The semantics are `servconf.c`'s: the **first** value obtained for a keyword wins (a later
//! `PermitRootLogin yes` is ignored, whatever a reviewer reading the file assumes); `Match`
//! blocks are skipped when the global configuration is read, except `Match all`; for a
//! connection, the first value in the `Match` blocks it satisfies overrides the global one;
//! an included file is read in place, and a `Match` it opens ends with that file. Keywords a
//! file leaves out take OpenSSH 9.x's compiled-in defaults ([`DEFAULTS`]).

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;

use crate::formats::sensitive::unreadable_lines;
use crate::formats::sshd::include::IncludeBase;
use crate::formats::sshd::{allowed_in_match, SshdFile, SshdLine, TIMES};
use crate::formats::{glob, Files, Sensitive};
use crate::formats::{Classification, FileName, Format, ParseContext, ParseError, Target};
use crate::source::{SourceFile, Span};

/// sshd's limit on nested includes (`SERVCONF_MAX_DEPTH`).
const MAX_INCLUDE_DEPTH: usize = 16;
/// How many included files one configuration may read: globs that include each other
/// would otherwise multiply (sshd gives up on such a file; preflight stops reading).
const MAX_INCLUDED_FILES: usize = 256;

/// What kind of sshd file a document is; it decides whether absent keywords count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SshdRole {
    /// A complete `sshd_config`: absent keywords take OpenSSH's defaults.
    Main,
    /// A drop-in from `sshd_config.d/`: a fragment, only what it sets counts.
    DropIn,
    /// `sshd -T` output: every value is already the effective one.
    Dump,
}

/// One file of the configuration, with its text (for locating findings).
#[derive(Debug)]
pub struct LoadedFile {
    /// The text.
    pub source: Arc<SourceFile>,
    /// The parse.
    pub file: SshdFile,
}

/// A statement in the order sshd reads it, includes flattened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Statement {
    /// Index into [`SshdConfig::files`].
    pub file: usize,
    /// Index into that file's [`SshdFile::lines`].
    pub line: usize,
    /// Index into [`SshdConfig::blocks`] of the `Match` block it is in, if any.
    pub block: Option<usize>,
}

/// A `Match` block, wherever it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    /// Index into [`SshdConfig::files`].
    pub file: usize,
    /// Index into that file's [`SshdFile::matches`].
    pub matcher: usize,
    /// The block whose `Include` brought this one in: both must match.
    pub within: Option<usize>,
    /// Index into [`SshdConfig::statements`] of its `Match` line.
    pub statement: usize,
}

/// An `Include` whose pattern matched no file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingInclude {
    /// Index into [`SshdConfig::files`] of the including file.
    pub file: usize,
    /// Index of the `Include` line in that file.
    pub line: usize,
    /// The pattern as sshd reads it (quotes removed), or the path of a file it matched
    /// that could not be read.
    pub pattern: String,
    /// Where the pattern is written.
    pub span: Span,
}

/// Where a value in effect comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Written at this statement.
    Set(Statement),
    /// Not written anywhere: OpenSSH's compiled-in default.
    Default,
}

/// A keyword's value in effect, normalised ([`normalize`]) so rules compare one spelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// The value, normalised.
    pub value: String,
    /// Where it comes from.
    pub origin: Origin,
}

/// The connection `sshd -T -C user=…,host=…,addr=…` describes, for evaluating `Match`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Connection {
    /// The user name.
    pub user: Option<String>,
    /// The client's host name.
    pub host: Option<String>,
    /// The client's address.
    pub addr: Option<String>,
    /// The server address the client connected to.
    pub laddr: Option<String>,
    /// The server port the client connected to.
    pub lport: Option<String>,
    /// The routing domain.
    pub rdomain: Option<String>,
}

/// An sshd configuration with its includes, and what is in effect.
#[derive(Debug)]
pub struct SshdConfig {
    /// The file itself first, then every included file in the order first read.
    pub files: Vec<LoadedFile>,
    /// Every statement in reading order.
    pub statements: Vec<Statement>,
    /// Every `Match` block in reading order.
    pub blocks: Vec<Block>,
    /// `Include`s that matched nothing.
    pub missing_includes: Vec<MissingInclude>,
    /// What kind of file the document is.
    pub role: SshdRole,
    global: BTreeMap<String, Setting>,
}

/// OpenSSH 9.x's compiled-in defaults for the options rules look at, as `sshd -T` prints
/// them after [`normalize`] (OpenSSH 9.2, Debian 12's; newer releases add post-quantum
/// key exchange methods at the front of `kexalgorithms`).
pub const DEFAULTS: &[(&str, &str)] = &[
    ("allowagentforwarding", "yes"),
    ("allowtcpforwarding", "yes"),
    ("ciphers", "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com"),
    ("clientalivecountmax", "3"),
    ("clientaliveinterval", "0"),
    ("gatewayports", "no"),
    ("hostbasedauthentication", "no"),
    ("hostkeyalgorithms", "ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com,sk-ssh-ed25519-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256"),
    ("ignorerhosts", "yes"),
    ("kbdinteractiveauthentication", "yes"),
    ("kexalgorithms", "sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256"),
    ("logingracetime", "120"),
    ("macs", "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1"),
    ("maxauthtries", "6"),
    ("maxsessions", "10"),
    ("passwordauthentication", "yes"),
    ("permitemptypasswords", "no"),
    ("permitrootlogin", "prohibit-password"),
    ("permittunnel", "no"),
    ("permituserenvironment", "no"),
    ("port", "22"),
    ("pubkeyauthentication", "yes"),
    ("strictmodes", "yes"),
    ("usepam", "no"),
    ("x11forwarding", "no"),
];

/// Keywords whose every line adds to the value instead of the first one winning.
const ACCUMULATING: &[&str] = &[
    "acceptenv",
    "allowgroups",
    "allowusers",
    "denygroups",
    "denyusers",
    "hostcertificate",
    "hostkey",
    "listenaddress",
    "port",
    "subsystem",
];

/// The algorithm lists that take `+`/`-`/`^` modifiers against their default.
const ALGORITHM_LISTS: &[&str] = &[
    "ciphers",
    "hostkeyalgorithms",
    "kexalgorithms",
    "macs",
    "pubkeyacceptedalgorithms",
    "casignaturealgorithms",
    "hostbasedacceptedalgorithms",
];

/// A keyword's default, when [`DEFAULTS`] knows it.
pub fn default_of(keyword: &str) -> Option<&'static str> {
    DEFAULTS
        .iter()
        .find(|(k, _)| *k == keyword)
        .map(|(_, v)| *v)
}

/// Whether every line of `keyword` adds to its value (`AllowUsers`, `Port`, …).
pub fn accumulates(keyword: &str) -> bool {
    ACCUMULATING.contains(&keyword)
}

/// The value of `line` in the spelling `sshd -T` prints: flags in lower case, aliases of
/// values folded (`without-password` → `prohibit-password`, `all` → `yes` for
/// `AllowTcpForwarding`), times in seconds, algorithm lists with `+`/`-`/`^` applied to the
/// default. Values sshd would refuse are returned as written.
pub fn normalize(line: &SshdLine) -> String {
    let keyword = line.keyword.as_str();
    let first = line.first_value();
    if TIMES.contains(&keyword) {
        return seconds(first).map_or_else(|| first.to_owned(), |s| s.to_string());
    }
    if ALGORITHM_LISTS.contains(&keyword) {
        return algorithm_list(first, default_of(keyword).unwrap_or(""));
    }
    let lower = first.to_ascii_lowercase();
    match (keyword, lower.as_str()) {
        ("permitrootlogin", "without-password") => "prohibit-password".to_owned(),
        ("allowtcpforwarding" | "allowstreamlocalforwarding", "all") => "yes".to_owned(),
        _ if default_of(keyword).is_some() && !accumulates(keyword) => lower,
        _ => line.values().collect::<Vec<_>>().join(" "),
    }
}

/// Parses sshd's time format (`90`, `2m`, `1h30m`, `1w`) into seconds.
pub fn seconds(text: &str) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    let mut total = 0u64;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c.to_ascii_lowercase() {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            'w' => 604_800,
            _ => return None,
        };
        let n: u64 = number.parse().ok()?;
        total = total.checked_add(n.checked_mul(unit)?)?;
        number.clear();
    }
    if !number.is_empty() {
        total = total.checked_add(number.parse().ok()?)?;
    }
    Some(total)
}

/// Applies OpenSSH's list modifiers: `+a,b` appends to the default, `-a*,b` removes
/// (wildcards allowed), `^a,b` puts at the front; anything else replaces the default.
pub fn algorithm_list(value: &str, default: &str) -> String {
    let defaults: Vec<&str> = default.split(',').filter(|s| !s.is_empty()).collect();
    let join = |list: Vec<&str>| list.join(",");
    if let Some(added) = value.strip_prefix('+') {
        let mut list = defaults.clone();
        list.extend(added.split(',').filter(|a| !defaults.contains(a)));
        join(list)
    } else if let Some(removed) = value.strip_prefix('-') {
        let patterns: Vec<&str> = removed.split(',').collect();
        join(
            defaults
                .into_iter()
                .filter(|d| !patterns.iter().any(|p| wildcard(p, d)))
                .collect(),
        )
    } else if let Some(front) = value.strip_prefix('^') {
        let front: Vec<&str> = front.split(',').collect();
        let mut list = front.clone();
        list.extend(defaults.into_iter().filter(|d| !front.contains(d)));
        join(list)
    } else {
        value.to_owned()
    }
}

/// OpenSSH's `match_pattern`: `*` any run, `?` one character. Linear backtracking (one
/// resume point), so a pattern full of stars cannot make a scan slow.
pub fn wildcard(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut i, mut j) = (0, 0);
    let mut resume: Option<(usize, usize)> = None;
    while j < t.len() {
        if i < p.len() && (p[i] == '?' || (p[i] != '*' && p[i] == t[j])) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            resume = Some((i, j));
            i += 1;
        } else if let Some((star, matched)) = resume {
            i = star + 1;
            j = matched + 1;
            resume = Some((star, matched + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

/// OpenSSH's `match_pattern_list`: comma-separated patterns, `!` negates, a matching
/// negated pattern rules the whole list out.
fn pattern_list(list: &str, text: &str, fold_case: bool) -> bool {
    let text = if fold_case {
        text.to_ascii_lowercase()
    } else {
        text.to_owned()
    };
    let mut matched = false;
    for pattern in list.split(',') {
        let (negated, pattern) = match pattern.strip_prefix('!') {
            Some(p) => (true, p),
            None => (false, pattern),
        };
        let pattern = if fold_case {
            pattern.to_ascii_lowercase()
        } else {
            pattern.to_owned()
        };
        if wildcard(&pattern, &text) {
            if negated {
                return false;
            }
            matched = true;
        }
    }
    matched
}

/// OpenSSH's `addr_match_list`: CIDR blocks, addresses or wildcard patterns, `!` negates.
fn address_list(list: &str, addr: &str) -> bool {
    let ip: Option<IpAddr> = addr.parse().ok();
    let mut matched = false;
    for entry in list.split(',') {
        let (negated, entry) = match entry.strip_prefix('!') {
            Some(e) => (true, e),
            None => (false, entry),
        };
        let hit = match (entry.split_once('/'), ip) {
            (Some((net, bits)), Some(ip)) => in_network(ip, net, bits),
            (Some(_), None) => false,
            (None, _) => wildcard(entry, addr),
        };
        if hit {
            if negated {
                return false;
            }
            matched = true;
        }
    }
    matched
}

fn in_network(ip: IpAddr, net: &str, bits: &str) -> bool {
    let (Ok(net), Ok(bits)) = (net.parse::<IpAddr>(), bits.parse::<u32>()) else {
        return false;
    };
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

impl SshdConfig {
    /// Reads `source` as an sshd file of the role its name suggests (a file shaped like
    /// `sshd -T` output is read as a dump whatever its name), following its `Include`s
    /// in `files` (a file that cannot be read there counts as missing).
    pub fn load(source: Arc<SourceFile>, role: SshdRole, files: &dyn Files) -> Self {
        let file = SshdFile::parse(&source.text);
        let role = if file.looks_like_dump() {
            SshdRole::Dump
        } else {
            role
        };
        let base = IncludeBase::for_file(&source.path);
        let mut config = Self {
            files: vec![LoadedFile { source, file }],
            statements: Vec::new(),
            blocks: Vec::new(),
            missing_includes: Vec::new(),
            role,
            global: BTreeMap::new(),
        };
        let mut chain = Vec::new();
        config.flatten(0, None, &base, files, &mut chain);
        let mut global = config.first_values(None);
        global.extend(config.first_values(Some(&Connection::default())));
        config.global = global;
        config
    }

    /// Appends the statements of file `index` (read inside block `within`).
    fn flatten(
        &mut self,
        index: usize,
        within: Option<usize>,
        base: &IncludeBase,
        files: &dyn Files,
        chain: &mut Vec<std::path::PathBuf>,
    ) {
        chain.push(files.canonical(&self.files[index].source.path));
        let mut block = within;
        let count = self.files[index].file.lines.len();
        for line in 0..count {
            let entry = &self.files[index].file.lines[line];
            if entry.keyword == "match" {
                if let Some(matcher) = entry.block {
                    self.blocks.push(Block {
                        file: index,
                        matcher,
                        within,
                        statement: self.statements.len(),
                    });
                    block = Some(self.blocks.len() - 1);
                }
            }
            self.statements.push(Statement {
                file: index,
                line,
                block,
            });
            if entry.keyword != "include" {
                continue;
            }
            let patterns: Vec<(String, Span)> = entry
                .args
                .iter()
                .map(|a| (a.value.clone(), a.span))
                .collect();
            for (pattern, span) in patterns {
                let paths = glob(files, &base.resolve(&pattern));
                if paths.is_empty() {
                    self.missing_includes.push(MissingInclude {
                        file: index,
                        line,
                        pattern,
                        span,
                    });
                    continue;
                }
                for path in paths {
                    // sshd refuses loops and deep nesting; preflight simply stops there.
                    let path = files.canonical(&path);
                    if chain.len() >= MAX_INCLUDE_DEPTH
                        || chain.contains(&path)
                        || self.files.len() > MAX_INCLUDED_FILES
                    {
                        continue;
                    }
                    let Ok(included) = files.read(&path) else {
                        self.missing_includes.push(MissingInclude {
                            file: index,
                            line,
                            pattern: path.display().to_string(),
                            span,
                        });
                        continue;
                    };
                    let file = SshdFile::parse(&included.text);
                    self.files.push(LoadedFile {
                        source: Arc::new(included),
                        file,
                    });
                    let child = self.files.len() - 1;
                    self.flatten(child, block, base, files, chain);
                }
            }
        }
        chain.pop();
    }

    /// The line a statement stands for.
    pub fn line(&self, statement: Statement) -> &SshdLine {
        &self.files[statement.file].file.lines[statement.line]
    }

    /// The file a statement is written in.
    pub fn source(&self, statement: Statement) -> &Arc<SourceFile> {
        &self.files[statement.file].source
    }

    /// The `Match` line of block `block`.
    pub fn match_statement(&self, block: usize) -> Option<Statement> {
        let b = self.blocks.get(block)?;
        self.statements.get(b.statement).copied()
    }

    /// Whether block `block` (and every block it was included from) applies to
    /// `connection`. Only `Match all` applies to the blank connection `sshd -T` uses
    /// without `-C`.
    fn block_applies(&self, block: usize, connection: &Connection) -> bool {
        let b = self.blocks[block];
        let Some(matcher) = self.files[b.file].file.matches.get(b.matcher) else {
            return false;
        };
        let here = matcher.criteria.iter().all(|(criterion, patterns)| {
            let list = |field: &Option<String>, fold_case: bool| {
                field
                    .as_deref()
                    .is_some_and(|v| pattern_list(patterns, v, fold_case))
            };
            let addresses = |field: &Option<String>| {
                field.as_deref().is_some_and(|a| address_list(patterns, a))
            };
            match criterion.as_str() {
                "all" => true,
                "user" => list(&connection.user, false),
                "host" => list(&connection.host, true),
                "address" => addresses(&connection.addr),
                "localaddress" => addresses(&connection.laddr),
                "localport" => list(&connection.lport, false),
                "rdomain" => list(&connection.rdomain, false),
                // Group needs the host's group database; unknown criteria never match.
                _ => false,
            }
        });
        here && b
            .within
            .is_none_or(|outer| self.block_applies(outer, connection))
    }

    /// First value of every keyword. `None`: sshd's first reading, where the lines outside
    /// `Match` blocks and those in `Match all` blocks count. `Some(connection)`: its second
    /// reading for a connection, where only the blocks that apply to it count, and only for
    /// keywords a `Match` block may set.
    fn first_values(&self, connection: Option<&Connection>) -> BTreeMap<String, Setting> {
        let blank = Connection::default();
        let mut settings = BTreeMap::new();
        for statement in &self.statements {
            let line = self.line(*statement);
            if matches!(line.keyword.as_str(), "match" | "include") {
                continue;
            }
            let applies = match (statement.block, connection) {
                (None, None) => true,
                (Some(block), None) => self.block_applies(block, &blank),
                (Some(block), Some(connection)) => {
                    allowed_in_match(&line.keyword) && self.block_applies(block, connection)
                }
                (None, Some(_)) => false,
            };
            if applies {
                settings
                    .entry(line.keyword.clone())
                    .or_insert_with(|| Setting {
                        value: normalize(line),
                        origin: Origin::Set(*statement),
                    });
            }
        }
        settings
    }

    /// The value in effect for every connection: the first value of sshd's first reading
    /// (global lines and `Match all` blocks), overridden for keywords a `Match` may set by
    /// the first value in a `Match all` block (sshd applies those to every connection, and
    /// so does `sshd -T` without `-C`), falling back to OpenSSH's default; `None` for
    /// keywords that are neither set nor in [`DEFAULTS`].
    pub fn effective(&self, keyword: &str) -> Option<Setting> {
        self.global.get(keyword).cloned().or_else(|| {
            default_of(keyword).map(|value| Setting {
                value: value.to_owned(),
                origin: Origin::Default,
            })
        })
    }

    /// The value in effect for `connection`: the first value in the `Match` blocks it
    /// satisfies, else the global one.
    pub fn effective_for(&self, keyword: &str, connection: &Connection) -> Option<Setting> {
        self.first_values(Some(connection))
            .remove(keyword)
            .or_else(|| self.global.get(keyword).cloned())
            .or_else(|| self.effective(keyword))
    }

    /// For each `Match` block, the first statement of each keyword it sets: what the block
    /// overrides for the connections it matches.
    pub fn block_overrides(&self) -> Vec<(usize, Vec<Statement>)> {
        let mut out: Vec<(usize, Vec<Statement>)> =
            (0..self.blocks.len()).map(|b| (b, Vec::new())).collect();
        for statement in &self.statements {
            let Some(block) = statement.block else {
                continue;
            };
            let keyword = &self.line(*statement).keyword;
            if keyword == "match" || keyword == "include" {
                continue;
            }
            let list = &mut out[block].1;
            if !list.iter().any(|s| &self.line(*s).keyword == keyword) {
                list.push(*statement);
            }
        }
        out
    }

    /// Statements of single-valued keywords that are not in effect because an earlier
    /// statement of the same keyword, in the same scope, won: `(ignored, winner)` pairs.
    pub fn shadowed(&self) -> Vec<(Statement, Statement)> {
        let mut first: BTreeMap<(Option<usize>, &str), Statement> = BTreeMap::new();
        let mut out = Vec::new();
        for statement in &self.statements {
            let line = self.line(*statement);
            if matches!(line.keyword.as_str(), "match" | "include") || accumulates(&line.keyword) {
                continue;
            }
            // Global lines form one scope, each conditional block its own. `Match all`
            // lines compete with each other for keywords a `Match` may set (the first one
            // wins for every connection), and with the global lines for the others.
            let scope = match statement.block {
                Some(b) if self.block_applies(b, &Connection::default()) => {
                    allowed_in_match(&line.keyword).then_some(usize::MAX)
                }
                other => other,
            };
            match first.get(&(scope, line.keyword.as_str())) {
                Some(winner) => out.push((*statement, *winner)),
                None => {
                    first.insert((scope, line.keyword.as_str()), *statement);
                }
            }
        }
        out
    }
}

/// Names under which `sshd -T` output is saved.
fn is_dump_name(name: &str) -> bool {
    name.starts_with("sshd-t.")
        || name.starts_with("sshd_t.")
        || name == "sshd-t"
        || name.starts_with("sshd_effective")
        || name.starts_with("sshd-effective")
}

impl SshdRole {
    /// What an sshd file is, by its name: a dump, a drop-in (only what it sets counts), or
    /// a complete `sshd_config` (absent keywords take OpenSSH's defaults).
    pub fn of(path: &Path) -> Self {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let parent = path
            .parent()
            .and_then(Path::file_name)
            .and_then(|n| n.to_str());
        if is_dump_name(&name) {
            Self::Dump
        } else if parent.is_some_and(|d| d.ends_with(".d")) {
            Self::DropIn
        } else {
            Self::Main
        }
    }
}

impl Format for SshdConfig {
    /// `sshd_config`, `*.sshd_config`, `*.conf` in a `sshd_config.d/` folder (claimed
    /// before nginx's `*.conf`), and saved `sshd -T` output (`sshd-T.txt`,
    /// `sshd_effective*`). sshd_config names key files but holds no secret values.
    fn classify(name: &FileName) -> Option<Classification> {
        let in_drop_in_dir = name
            .parent()
            .is_some_and(|d| d.eq_ignore_ascii_case("sshd_config.d"));
        let n = name.name.as_str();
        let sshd = n == "sshd_config"
            || n.ends_with(".sshd_config")
            || (in_drop_in_dir && n.ends_with(".conf"))
            || is_dump_name(n);
        Classification::certain_if(sshd, Target::Sshd)
    }

    fn parse(source: &Arc<SourceFile>, context: &ParseContext) -> Self {
        Self::load(
            Arc::clone(source),
            SshdRole::of(&source.path),
            context.files,
        )
    }

    /// The errors of the file itself (its includes are documents of their own).
    fn errors(&self) -> &[ParseError] {
        self.files
            .first()
            .map_or(&[], |main| main.file.errors.as_slice())
    }

    /// Lines sshd would refuse, after their keyword: sshd_config holds no secret values,
    /// but a line it cannot read may be anything (a password pasted in the wrong window).
    fn sensitive(&self, source: &SourceFile) -> Vec<Sensitive> {
        let mut found = Vec::new();
        unreadable_lines(Format::errors(self), &source.text, &mut found);
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> SshdConfig {
        let source = SourceFile::from_bytes(
            "sshd_config".into(),
            "sshd_config".into(),
            text.as_bytes().to_vec(),
        );
        SshdConfig::load(Arc::new(source), SshdRole::Main, &crate::formats::NoFiles)
    }

    #[test]
    fn sshd_roles_follow_the_name() {
        assert_eq!(
            SshdRole::of(Path::new("etc/ssh/sshd_config")),
            SshdRole::Main
        );
        assert_eq!(
            SshdRole::of(Path::new("etc/ssh/sshd_config.d/50-cloud-init.conf")),
            SshdRole::DropIn
        );
        assert_eq!(SshdRole::of(Path::new("host/sshd-T.txt")), SshdRole::Dump);
    }

    #[test]
    fn first_value_wins_and_defaults_fill_the_rest() {
        let c = config("PermitRootLogin no\npermitrootlogin yes\nLoginGraceTime 1m30s\n");
        let root = c.effective("permitrootlogin").unwrap();
        assert_eq!(root.value, "no");
        assert!(matches!(root.origin, Origin::Set(s) if s.line == 0));
        assert_eq!(c.effective("logingracetime").unwrap().value, "90");
        let password = c.effective("passwordauthentication").unwrap();
        assert_eq!(
            password,
            Setting {
                value: "yes".into(),
                origin: Origin::Default
            }
        );
        assert_eq!(c.shadowed().len(), 1);
    }

    #[test]
    fn match_blocks_apply_only_to_their_connections() {
        let c = config("PasswordAuthentication no\nMatch User bob,!root Address 10.0.0.0/8\n PasswordAuthentication yes\nMatch all\n X11Forwarding yes\n");
        assert_eq!(c.effective("passwordauthentication").unwrap().value, "no");
        assert_eq!(c.effective("x11forwarding").unwrap().value, "yes");
        let bob = Connection {
            user: Some("bob".into()),
            addr: Some("10.1.2.3".into()),
            ..Connection::default()
        };
        assert_eq!(
            c.effective_for("passwordauthentication", &bob)
                .unwrap()
                .value,
            "yes"
        );
        let outside = Connection {
            addr: Some("192.0.2.1".into()),
            ..bob.clone()
        };
        assert_eq!(
            c.effective_for("passwordauthentication", &outside)
                .unwrap()
                .value,
            "no"
        );
        let overrides = c.block_overrides();
        assert_eq!(overrides[0].1.len(), 1);
        assert!(c.shadowed().is_empty());
    }

    #[test]
    fn algorithm_modifiers_follow_openssh() {
        assert_eq!(algorithm_list("+c", "a,b"), "a,b,c");
        assert_eq!(algorithm_list("-a*", "ab,b"), "b");
        assert_eq!(algorithm_list("^b", "a,b"), "b,a");
        assert_eq!(algorithm_list("x,y", "a,b"), "x,y");
        assert_eq!(seconds("1h30m"), Some(5400));
        assert_eq!(seconds("2x"), None);
        assert!(address_list("10.0.0.0/8,!10.9.0.0/16", "10.1.0.1"));
        assert!(!address_list("10.0.0.0/8,!10.9.0.0/16", "10.9.0.1"));
        assert!(address_list("fd00::/8", "fd12::1"));
        assert!(wildcard("*.example.org", "a.b.example.org"));
        assert!(wildcard("a*b?c*", "aXXbYc"));
        assert!(!wildcard("a*b?c", "aXXbYcd"));
        assert!(!wildcard(&"*a".repeat(40), &format!("{}b", "a".repeat(60))));
        assert!(wildcard(&"*a".repeat(40), &"a".repeat(60)));
    }
}
