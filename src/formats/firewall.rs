//! Firewall rules from the three places a Linux host keeps them: `ufw status verbose`
//! output, ufw's rule files (`/etc/ufw/user.rules`, `user6.rules`: iptables-restore syntax
//! with `### tuple ###` comments) and `iptables-save` output.
//!
//! All three are read into one model, [`FirewallRules`]: the default verdict for incoming
//! traffic (when the input says) and an ordered list of [`FirewallRule`]s, each with the
//! chain it sits in, its verdict, the ports and source it matches. Rules judge that model, so
//! a check written once covers every input. The parser only records what is written; which
//! ports matter and what "anywhere" means for exposure is the rules' business.

use crate::formats::sensitive::unreadable_lines;
use crate::formats::Target;
use crate::formats::{lines_with_offsets, quoted_words, ParseError, Sensitive};
use crate::formats::{Classification, FileName, Format, ParseContext};
use crate::source::SourceFile;
use crate::source::Span;
use std::sync::{Arc, LazyLock};

use memchr::memmem;

/// Which of the three inputs a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirewallSource {
    /// `ufw status` / `ufw status verbose` output.
    UfwStatus,
    /// iptables-restore syntax: `iptables-save` output or ufw's `user.rules`.
    IptablesSave,
}

/// What a rule does with a matching packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// ACCEPT / ufw ALLOW and LIMIT (rate-limited, still open).
    Accept,
    /// DROP / ufw DENY.
    Drop,
    /// REJECT / ufw REJECT.
    Reject,
    /// A jump to another chain, LOG, RETURN, …: not a final decision on its own.
    Other(String),
}

impl Verdict {
    /// Whether the packet's fate is decided here (iptables stops at the first such rule).
    pub fn is_final(&self) -> bool {
        !matches!(self, Self::Other(_))
    }
}

/// An inclusive port range (`5432` is `5432..=5432`).
pub type PortRange = (u16, u16);

/// One rule, whatever input it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirewallRule {
    /// The whole rule line.
    pub span: Span,
    /// The chain (`INPUT`, `ufw-user-input`, …); ufw status rows are `IN` or `OUT`.
    pub chain: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The jump is a `-g`/`--goto`: when the chain it goes to ends without a verdict, the
    /// chain that holds this rule ends too.
    pub goto: bool,
    /// Destination ports matched; empty means every port.
    pub ports: Vec<PortRange>,
    /// The protocol (`tcp`, `udp`), `None` for all.
    pub protocol: Option<String>,
    /// The source address as written; `None` when the rule names none (any source).
    pub source: Option<String>,
    /// The source was negated (`! -s 10.0.0.0/8`).
    pub source_negated: bool,
    /// The input interface (`-i lo`, ufw's `on eth0`), `None` for all.
    pub interface: Option<String>,
    /// The rule only matches some connection states (`--ctstate ESTABLISHED`).
    pub state_restricted: bool,
    /// Other match conditions the model does not interpret (`-m recent`, `--icmp-type`, …),
    /// so a rule can tell a catch-all from a narrower match.
    pub other_matches: bool,
    /// The rule is an IPv6 one (`ip6tables`, `user6.rules`, ufw's `(v6)` rows).
    pub ipv6: bool,
}

/// The default verdict for a chain (`:INPUT DROP [0:0]`, `Default: deny (incoming)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainPolicy {
    /// The chain (`INPUT`; ufw status says `incoming`, read as `INPUT`).
    pub chain: String,
    /// The policy word in upper case (`DROP`, `ACCEPT`, ufw's `DENY`, `ALLOW`, `REJECT`).
    pub policy: String,
    /// Where it is written.
    pub span: Span,
}

/// A parsed firewall file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirewallRules {
    /// Which input the text was.
    pub source: FirewallSource,
    /// ufw status only: `Status: active` (true) or `inactive` (false), and where.
    pub active: Option<(bool, Span)>,
    /// Chain policies of the filter table (iptables) or ufw's `Default:` line.
    pub policies: Vec<ChainPolicy>,
    /// The rules in order.
    pub rules: Vec<FirewallRule>,
    /// What could not be read.
    pub errors: Vec<ParseError>,
}

impl FirewallRules {
    /// Parses `text`, deciding from its content whether it is ufw status output or
    /// iptables-restore syntax.
    pub fn parse(text: &str) -> Self {
        let first = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .unwrap_or("");
        if first.starts_with("Status:") {
            parse_ufw_status(text)
        } else {
            parse_iptables(text)
        }
    }

    /// Whether the text really is one of the three inputs, for files whose name only
    /// suggests it (`firewall.txt`): a `Status:` line, or iptables-restore lines with no
    /// line that is not.
    pub fn looks_like_firewall(&self) -> bool {
        match self.source {
            FirewallSource::UfwStatus => self.active.is_some(),
            FirewallSource::IptablesSave => {
                self.errors.is_empty() && !(self.policies.is_empty() && self.rules.is_empty())
            }
        }
    }

    /// The policy of `chain`, if the input states one.
    pub fn policy(&self, chain: &str) -> Option<&ChainPolicy> {
        self.policies.iter().rev().find(|p| p.chain == chain)
    }
}

/// Reads `ufw status [verbose]`: the `Status:` and `Default:` lines, then the table whose
/// columns are found from the `To  Action  From` header (values may contain spaces, such as
/// `Apache Full` or `Anywhere (v6)`, so splitting on blanks is not enough).
fn parse_ufw_status(text: &str) -> FirewallRules {
    let mut out = FirewallRules {
        source: FirewallSource::UfwStatus,
        active: None,
        policies: Vec::new(),
        rules: Vec::new(),
        errors: Vec::new(),
    };
    let mut columns: Option<(usize, usize)> = None;
    for (start, line) in lines_with_offsets(text) {
        let trimmed = line.trim();
        let span = Span::new(start, start + line.len());
        if let Some(rest) = trimmed.strip_prefix("Status:") {
            let word = rest.trim();
            let at = start + line.find(word).unwrap_or(0);
            out.active = Some((
                word.eq_ignore_ascii_case("active"),
                Span::new(at, at + word.len()),
            ));
        } else if let Some(rest) = trimmed.strip_prefix("Default:") {
            let rest_at = start + line.find(rest).unwrap_or(0);
            let mut offset = 0;
            for part in rest.split(',') {
                let part_at = rest_at + offset;
                offset += part.len() + 1;
                let word_at = part_at + (part.len() - part.trim_start().len());
                let part = part.trim();
                if let Some((policy, direction)) = part.split_once(" (") {
                    let chain = match direction.trim_end_matches(')') {
                        "incoming" => "INPUT",
                        "outgoing" => "OUTPUT",
                        "routed" => "FORWARD",
                        other => other,
                    };
                    out.policies.push(ChainPolicy {
                        chain: chain.to_owned(),
                        policy: policy.trim().to_ascii_uppercase(),
                        span: Span::new(word_at, word_at + part.len()),
                    });
                }
            }
        } else if trimmed.starts_with("To ") && trimmed.contains("Action") {
            let action = line.find("Action");
            let from = line.find("From");
            if let (Some(a), Some(f)) = (action, from) {
                columns = Some((a, f));
            }
        } else if trimmed.is_empty() || trimmed.chars().all(|c| c == '-' || c == ' ') {
            continue;
        } else if let Some((action_col, from_col)) = columns {
            match ufw_row(line, start, action_col, from_col) {
                Some(rule) => out.rules.push(rule),
                None => out.errors.push(ParseError {
                    span,
                    message: "not a `To  Action  From` row of `ufw status`".into(),
                }),
            }
        }
    }
    out
}

/// Splits a status row at the header's columns (falling back to the action word when the
/// `To` text overflows its column, as ufw lets it do).
fn ufw_row(line: &str, start: usize, action_col: usize, from_col: usize) -> Option<FirewallRule> {
    const ACTIONS: [&str; 4] = ["ALLOW", "DENY", "REJECT", "LIMIT"];
    let action_at = ACTIONS
        .iter()
        .filter_map(|a| {
            line.get(action_col.min(line.len())..)
                .and_then(|rest| rest.find(a))
                .map(|i| i + action_col.min(line.len()))
                .or_else(|| line.find(&format!(" {a}")).map(|i| i + 1))
        })
        .min()?;
    let to = line.get(..action_at)?.trim();
    let after = line.get(action_at..)?;
    let action_len = after.find("  ").unwrap_or(after.len());
    let action = after[..action_len].trim();
    let from_at = if from_col > action_at + action_len && from_col < line.len() {
        from_col
    } else {
        action_at + action_len
    };
    let from = line.get(from_at..)?.trim();
    let mut words = action.split_whitespace();
    let verdict = match words.next()? {
        "ALLOW" | "LIMIT" => Verdict::Accept,
        "DENY" => Verdict::Drop,
        "REJECT" => Verdict::Reject,
        other => Verdict::Other(other.to_owned()),
    };
    let chain = words.next().unwrap_or("IN").to_owned();
    let ipv6 = to.contains("(v6)") || from.contains("(v6)");
    let (to, interface) = match to.replace("(v6)", "").split_once(" on ") {
        Some((to, iface)) => (to.trim().to_owned(), Some(iface.trim().to_owned())),
        None => (to.replace("(v6)", "").trim().to_owned(), None),
    };
    let (ports, protocol) = ufw_ports(&to);
    let from = from.replace("(v6)", "");
    let from = from.trim();
    let source = (!from.eq_ignore_ascii_case("anywhere")).then(|| from.to_owned());
    Some(FirewallRule {
        span: Span::new(start, start + line.trim_end().len()),
        chain,
        verdict,
        goto: false,
        ports,
        protocol,
        source,
        source_negated: false,
        interface,
        state_restricted: false,
        other_matches: false,
        ipv6,
    })
}

/// The `To` column: `Anywhere`, `22/tcp`, `80,443/tcp`, `6000:6007/udp`, `5432`, or an
/// application profile name (`OpenSSH`, `Nginx Full`), whose ports ufw does not print —
/// kept as "every port" would overstate, so profiles read as the well-known ports of the
/// common ones and as no port otherwise.
fn ufw_ports(to: &str) -> (Vec<PortRange>, Option<String>) {
    let to = to.trim();
    if to.eq_ignore_ascii_case("anywhere") {
        return (Vec::new(), None);
    }
    // `10.0.0.5 5432/tcp`: a destination address first.
    let spec = to.rsplit(' ').next().unwrap_or(to);
    let (ports, protocol) = match spec.split_once('/') {
        Some((ports, proto)) => (ports, Some(proto.to_ascii_lowercase())),
        None => (spec, None),
    };
    let parsed = parse_port_list(ports, ':');
    if parsed.is_empty() {
        let profile = match to.to_ascii_lowercase().as_str() {
            "openssh" | "ssh" => vec![(22, 22)],
            "nginx http" | "apache" | "www" => vec![(80, 80)],
            "nginx https" | "apache secure" | "www secure" => vec![(443, 443)],
            "nginx full" | "apache full" | "www full" => vec![(80, 80), (443, 443)],
            // Unknown profile: a port nobody checks, so it never reads as "all ports".
            _ => vec![(0, 0)],
        };
        return (profile, Some("tcp".into()));
    }
    (parsed, protocol)
}

/// `80,443,6000:6007` (ranges with `:` in iptables and ufw); unreadable parts are dropped.
fn parse_port_list(text: &str, range_sep: char) -> Vec<PortRange> {
    text.split(',')
        .filter_map(|part| match part.split_once(range_sep) {
            Some((a, b)) => Some((a.trim().parse().ok()?, b.trim().parse().ok()?)),
            None => {
                let port = part.trim().parse().ok()?;
                Some((port, port))
            }
        })
        .collect()
}

/// Splits an iptables-restore line into words with their spans (quotes group, as
/// iptables-restore does for `--comment "…"`).
fn words(line: &str, start: usize) -> Vec<(String, Span)> {
    quoted_words(line, start, |_| false)
}

/// Reads iptables-restore syntax: `*table`, `:CHAIN POLICY [p:b]`, `-A CHAIN …`, `COMMIT`,
/// `#` comments (ufw's `### tuple ###` lines among them). Only the `filter` table decides
/// what is let in, so rules of other tables are skipped.
fn parse_iptables(text: &str) -> FirewallRules {
    let mut out = FirewallRules {
        source: FirewallSource::IptablesSave,
        active: None,
        policies: Vec::new(),
        rules: Vec::new(),
        errors: Vec::new(),
    };
    let mut table = String::from("filter");
    for (start, line) in lines_with_offsets(text) {
        let trimmed = line.trim();
        let lead = line.len() - line.trim_start().len();
        let span = Span::new(start + lead, start + lead + trimmed.len());
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed == "COMMIT" {
            continue;
        }
        if let Some(name) = trimmed.strip_prefix('*') {
            name.trim().clone_into(&mut table);
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix(':') {
            let mut parts = rest.split_whitespace();
            let (Some(chain), Some(policy)) = (parts.next(), parts.next()) else {
                out.errors.push(ParseError {
                    span,
                    message: "a chain line needs a name and a policy (`:INPUT DROP [0:0]`)".into(),
                });
                continue;
            };
            if table == "filter" && policy != "-" {
                let at = start + line.find(policy).unwrap_or(0);
                out.policies.push(ChainPolicy {
                    chain: chain.to_owned(),
                    policy: policy.to_ascii_uppercase(),
                    span: Span::new(at, at + policy.len()),
                });
            }
            continue;
        }
        let words = words(line, start);
        match words.first().map(|(w, _)| w.as_str()) {
            Some("-A" | "--append" | "-I" | "--insert") => {
                if table == "filter" {
                    out.rules.push(iptables_rule(&words, span));
                }
            }
            // `-P INPUT DROP` as written in shell scripts turned into rule files.
            Some("-P" | "--policy") if words.len() >= 3 => out.policies.push(ChainPolicy {
                chain: words[1].0.clone(),
                policy: words[2].0.to_ascii_uppercase(),
                span: words[2].1,
            }),
            Some("-N" | "--new-chain" | "-F" | "-X" | "-Z") => {}
            _ => out.errors.push(ParseError {
                span,
                message: "not an iptables-restore line (`*table`, `:CHAIN POLICY`, `-A CHAIN …`, `COMMIT`)".into(),
            }),
        }
    }
    // iptables-restore files are per family: `ip6tables-save` output and ufw's
    // `user6.rules` (chains `ufw6-…`) hold IPv6 rules only.
    let ipv6 = text.contains("ip6tables-save")
        || out.rules.iter().any(|r| {
            r.chain.starts_with("ufw6-") || r.source.as_deref().is_some_and(|s| s.contains(':'))
        });
    for rule in &mut out.rules {
        rule.ipv6 = ipv6;
    }
    out
}

/// One `-A CHAIN …` line. Options that take a value consume it; `!` negates the next match.
fn iptables_rule(words: &[(String, Span)], span: Span) -> FirewallRule {
    let mut rule = FirewallRule {
        span,
        chain: words.get(1).map(|w| w.0.clone()).unwrap_or_default(),
        verdict: Verdict::Other(String::new()),
        goto: false,
        ports: Vec::new(),
        protocol: None,
        source: None,
        source_negated: false,
        interface: None,
        state_restricted: false,
        other_matches: false,
        ipv6: false,
    };
    let mut negate = false;
    let mut i = 2;
    // `-I CHAIN 3 …` has a position number.
    if words
        .first()
        .is_some_and(|w| w.0 == "-I" || w.0 == "--insert")
        && words.get(2).is_some_and(|w| w.0.parse::<u32>().is_ok())
    {
        i = 3;
    }
    while i < words.len() {
        let word = words[i].0.as_str();
        let value = words.get(i + 1).map(|w| w.0.as_str()).unwrap_or("");
        let mut takes_value = true;
        match word {
            "!" => {
                negate = true;
                i += 1;
                continue;
            }
            "-s" | "--source" | "--src" => {
                rule.source = Some(value.to_owned());
                rule.source_negated = negate;
            }
            "-p" | "--protocol" => {
                if negate || value == "all" {
                    rule.other_matches |= negate;
                } else {
                    rule.protocol = Some(value.to_ascii_lowercase());
                }
            }
            "--dport" | "--destination-port" | "--dports" | "--destination-ports" => {
                if negate {
                    rule.other_matches = true;
                } else {
                    rule.ports.extend(parse_port_list(value, ':'));
                }
            }
            "-i" | "--in-interface" => {
                rule.interface = Some(if negate {
                    format!("!{value}")
                } else {
                    value.to_owned()
                });
            }
            "--state" | "--ctstate" => rule.state_restricted = !value.contains("NEW") || negate,
            "-j" | "--jump" | "-g" | "--goto" => {
                rule.goto = matches!(word, "-g" | "--goto");
                rule.verdict = match value {
                    "ACCEPT" => Verdict::Accept,
                    "DROP" => Verdict::Drop,
                    "REJECT" => Verdict::Reject,
                    other => Verdict::Other(other.to_owned()),
                };
            }
            // Match modules and options that do not narrow who may connect to a port.
            "-m" | "--match" => {
                if !matches!(
                    value,
                    "tcp" | "udp" | "multiport" | "comment" | "state" | "conntrack" | "addrtype"
                ) {
                    rule.other_matches = true;
                }
            }
            // A connection to the host is addressed to one of its own (`LOCAL`) addresses,
            // as ufw's `ufw-not-local` chain lets through with `RETURN`; other address
            // types narrow the match.
            "--dst-type" => rule.other_matches |= negate || value != "LOCAL",
            "--comment" | "--reject-with" | "--log-prefix" | "--log-level" | "--sport"
            | "--source-port" | "--sports" | "-o" | "--out-interface" => {}
            _ if word.starts_with('-') => {
                rule.other_matches = true;
                // Flags without a value (`--syn`, `--rcheck`): do not swallow the next option.
                takes_value = !value.starts_with('-') && !value.is_empty();
            }
            _ => takes_value = false,
        }
        negate = false;
        i += if takes_value { 2 } else { 1 };
    }
    rule
}

impl Format for FirewallRules {
    /// Saved `ufw status`/`iptables-save` output and rule files by name for certain
    /// (`ufw-status*`, `iptables-save*`, `user.rules`, `user6.rules`, `rules.v4`,
    /// `rules.v6`); other saved output whose name mentions a firewall (`host1-ufw.txt`,
    /// `firewall.out`) if the content is one.
    fn classify(name: &FileName) -> Option<Classification> {
        let n = name.name.as_str();
        // Every word below holds `ufw`, `iptables`, `firewall` or `ip6tables`: a name holding
        // none (nearly every name) is let go after searches set up once, not seven set up
        // for each name.
        static WORDS: LazyLock<[memmem::Finder<'static>; 4]> =
            LazyLock::new(|| ["ufw", "iptables", "firewall", "ip6tables"].map(memmem::Finder::new));
        let holds = |word: usize| WORDS[word].find(n.as_bytes()).is_some();
        let mentions = holds(0) || holds(1) || holds(2);
        let certain = ((mentions || holds(3))
            && [
                "ufw-status",
                "ufw_status",
                "iptables-save",
                "ip6tables-save",
            ]
            .iter()
            .any(|w| n.contains(w)))
            || ["user.rules", "user6.rules", "rules.v4", "rules.v6"]
                .iter()
                .any(|b| name.is(b));
        if certain {
            return Classification::certain(Target::Firewall);
        }
        if mentions && matches!(name.extension(), Some("txt" | "out" | "log")) {
            return Classification::probable(Target::Firewall);
        }
        None
    }

    fn parse(source: &Arc<SourceFile>, _: &ParseContext) -> Self {
        Self::parse(&source.text)
    }

    fn confirms_kind(&self) -> bool {
        self.looks_like_firewall()
    }

    fn errors(&self) -> &[ParseError] {
        &self.errors
    }

    /// Lines that are not firewall rules, after their first word: saved command output
    /// may hold anything that was on the screen.
    fn sensitive(&self, source: &SourceFile) -> Vec<Sensitive> {
        let mut found = Vec::new();
        unreadable_lines(&self.errors, &source.text, &mut found);
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The name test as first written (seven `contains` per name), the reference for the
    /// one that searches for the shared words first.
    fn classify_by_contains(name: &FileName) -> Option<Classification> {
        let n = name.name.as_str();
        let certain = [
            "ufw-status",
            "ufw_status",
            "iptables-save",
            "ip6tables-save",
        ]
        .iter()
        .any(|w| n.contains(w))
            || ["user.rules", "user6.rules", "rules.v4", "rules.v6"]
                .iter()
                .any(|b| name.is(b));
        if certain {
            return Classification::certain(Target::Firewall);
        }
        let mentions = ["ufw", "iptables", "firewall"]
            .iter()
            .any(|w| n.contains(w));
        if mentions && matches!(name.extension(), Some("txt" | "out" | "log")) {
            return Classification::probable(Target::Firewall);
        }
        None
    }

    #[test]
    fn names_are_classified_as_by_seven_searches() {
        let stems = [
            "ufw-status",
            "ufw_status",
            "iptables-save",
            "ip6tables-save",
            "ip6tables",
            "ufw",
            "iptables",
            "firewall",
            "fire-wall",
            "host1-ufw",
            "ufwstatus",
            "rules",
            "user",
            "nginx",
            "ip6tables-save-2024",
            "prod.iptables-save",
        ];
        let mut checked = 0;
        for stem in stems {
            for ext in ["", ".txt", ".out", ".log", ".conf", ".rules", ".v4", ".v6"] {
                for upper in [false, true] {
                    let file = format!("{stem}{ext}");
                    let file = if upper {
                        file.to_ascii_uppercase()
                    } else {
                        file
                    };
                    let path = std::path::PathBuf::from("/srv/etc").join(&file);
                    let name = FileName::new(&path).unwrap();
                    let (new, old) = (FirewallRules::classify(&name), classify_by_contains(&name));
                    assert_eq!(
                        new.map(|c| c.confirm_by_content),
                        old.map(|c| c.confirm_by_content),
                        "{file}"
                    );
                    checked += usize::from(old.is_some());
                }
            }
        }
        assert!(checked > 40, "{checked} firewall names");
    }

    #[test]
    fn ufw_status_rows_are_split_at_the_header_columns() {
        let text = "Status: active\nLogging: on (low)\nDefault: deny (incoming), allow (outgoing), disabled (routed)\nNew profiles: skip\n\nTo                         Action      From\n--                         ------      ----\n22/tcp                     ALLOW IN    Anywhere\n5432/tcp                   ALLOW IN    10.0.0.0/8\nNginx Full                 ALLOW IN    Anywhere\n6379 (v6)                  DENY IN     Anywhere (v6)\n";
        let fw = FirewallRules::parse(text);
        assert_eq!(fw.source, FirewallSource::UfwStatus);
        assert_eq!(fw.active.map(|a| a.0), Some(true));
        assert_eq!(fw.policy("INPUT").map(|p| p.policy.as_str()), Some("DENY"));
        assert_eq!(fw.rules.len(), 4, "{:?}", fw.errors);
        assert_eq!(fw.rules[0].ports, vec![(22, 22)]);
        assert_eq!(fw.rules[0].source, None);
        assert_eq!(fw.rules[1].source.as_deref(), Some("10.0.0.0/8"));
        assert_eq!(fw.rules[2].ports, vec![(80, 80), (443, 443)]);
        assert!(fw.rules[3].ipv6);
        assert_eq!(fw.rules[3].verdict, Verdict::Drop);
        assert_eq!(
            &text[fw.rules[0].span.range()],
            "22/tcp                     ALLOW IN    Anywhere"
        );
    }

    #[test]
    fn iptables_save_reads_policies_and_rule_matches() {
        let text = "*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp --dport 80 -j REDIRECT --to-ports 8080\nCOMMIT\n*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -i lo -j ACCEPT\n-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 5432 -j ACCEPT\n-A INPUT -p tcp -m multiport --dports 80,443,9000:9100 -m comment --comment \"web and more\" -j ACCEPT\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\nCOMMIT\n";
        let fw = FirewallRules::parse(text);
        assert!(fw.errors.is_empty(), "{:?}", fw.errors);
        assert_eq!(fw.policies.len(), 1, "only the filter table counts");
        assert_eq!(fw.rules.len(), 4);
        assert_eq!(fw.rules[0].interface.as_deref(), Some("lo"));
        assert_eq!(fw.rules[1].source.as_deref(), Some("10.0.0.0/8"));
        assert_eq!(fw.rules[2].ports, vec![(80, 80), (443, 443), (9000, 9100)]);
        assert!(!fw.rules[2].other_matches);
        assert!(fw.rules[3].state_restricted);
    }

    #[test]
    fn garbage_is_collected_as_errors_without_panicking() {
        for text in [
            "-A",
            ":",
            "Status: active\nTo Action From\nx",
            "\u{0}\u{ffff}ALLOW",
            "*filter\n-A INPUT ! -s",
        ] {
            let _ = FirewallRules::parse(text);
        }
        let fw = FirewallRules::parse("*filter\nhello world\n");
        assert_eq!(fw.errors.len(), 1);
    }
}
