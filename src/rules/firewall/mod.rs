//! Rules for firewall rules (ufw status output, ufw's rule files, iptables-save). They judge
//! the shared [`FirewallRules`] model by simulating a new TCP connection from an arbitrary
//! internet address: the first rule of an input chain that matches it decides, as in
//! iptables and ufw, and the chain's policy applies when none does.

use std::collections::{HashMap, HashSet};

use crate::formats::firewall::{FirewallRule, FirewallRules, Verdict};
use crate::formats::host::nft::NftRuleset;
use crate::rules::{checks, ProjectContext, RegisteredCheck};

pub mod exposure;
pub mod policy;

/// The family's built-in checks, sorted by name (see `crate::rules::registry`).
pub(crate) const RULES: &[RegisteredCheck] = checks! {
    document "firewall-admin-port-open" => exposure::admin_ports;
    document "firewall-data-port-open" => exposure::data_ports;
    document "firewall-no-default-deny" => policy::no_default_deny;
    project "firewall-ufw-inactive" => policy::ufw_inactive;
};

/// Whether a firewall other than ufw drops incoming traffic by default somewhere in
/// `docs`: an iptables `INPUT` that denies by default ([`denies_by_default`]), or (in a live snapshot) an nftables
/// input chain with `policy drop`. An inactive ufw is then no open door, and its rules
/// (FW004, LIVE009) say nothing.
pub fn other_firewall_drops<T: ?Sized>(cx: &ProjectContext<'_, T>) -> bool {
    let iptables = cx
        .of_kind::<FirewallRules>()
        .iter()
        .any(|file| file.content.active.is_none() && denies_by_default(file.content));
    let nftables = cx
        .of_kind::<NftRuleset>()
        .iter()
        .any(|file| file.content.default_drop());
    iptables || nftables
}

/// Whether `INPUT` refuses a connection no rule allows: its policy is DROP or REJECT, or a
/// rule that every connection from anywhere reaches drops or rejects it (`-A INPUT -j DROP`
/// last, or a jump to a chain that logs and drops).
pub fn denies_by_default(rules: &FirewallRules) -> bool {
    rules
        .policy("INPUT")
        .is_some_and(|p| matches!(p.policy.as_str(), "DROP" | "REJECT" | "DENY"))
        || deciding_rules(rules, None)
            .iter()
            .any(|(chain, _, i)| chain == "INPUT" && !accepts(&rules.rules[*i]))
}

/// Chains that filter traffic addressed to the host itself: iptables' `INPUT`, ufw's own
/// `ufw-user-input`/`ufw6-user-input`, and the `IN` rows of `ufw status`.
fn is_input_chain(chain: &str) -> bool {
    chain == "INPUT" || chain == "IN" || chain.ends_with("-user-input")
}

/// Addresses that mean "any source".
fn is_anywhere(address: &str) -> bool {
    matches!(
        address,
        "0.0.0.0/0" | "::/0" | "0/0" | "0.0.0.0" | "::" | "any" | "Anywhere"
    )
}

/// Interfaces that are not reachable from the outside; a rule limited to them never lets an
/// internet connection in. Others (`eth0`, `ens3`, negations) may be public.
fn is_internal_interface(interface: &str) -> bool {
    [
        "lo", "docker", "br-", "virbr", "wg", "tun", "tap", "veth", "cni", "flannel", "cali",
    ]
    .iter()
    .any(|p| interface.starts_with(p))
}

/// Whether `rule` matches a new connection from anywhere on a public interface (to `port`
/// over TCP, or to every port when `port` is `None`: then only rules without a port or
/// protocol restriction match).
fn matches_from_anywhere(rule: &FirewallRule, port: Option<u16>) -> bool {
    let source_open = match &rule.source {
        None => true,
        Some(source) => rule.source_negated || is_anywhere(source),
    };
    let interface_open = rule
        .interface
        .as_deref()
        .is_none_or(|i| i.starts_with('!') || !is_internal_interface(i));
    let port_open = match port {
        Some(port) => {
            rule.protocol.as_deref().is_none_or(|p| p == "tcp")
                && (rule.ports.is_empty()
                    || rule.ports.iter().any(|&(a, b)| a <= port && port <= b))
        }
        None => rule.ports.is_empty() && rule.protocol.is_none(),
    };
    source_open && interface_open && port_open && !rule.state_restricted && !rule.other_matches
}

/// How many chains deep jumps are followed; iptables itself refuses loops, so a deeper or
/// looping input is hostile and its jumps past the bound are taken as returning.
const MAX_JUMP_DEPTH: usize = 32;

/// The rule that decides a new connection from anywhere (to `port`, or to any port), per
/// input chain and address family, in the order the chains first appear: `(chain, ipv6,
/// rule index)`. Jumps (`-j CHAIN`, `-g CHAIN`) into the file's own chains are followed as
/// iptables does, so a final `-A INPUT -j LOG_AND_DROP` is a default deny and an `ACCEPT`
/// in a chain that `INPUT` jumps to opens the port. A chain only reached by a jump (ufw's
/// `ufw-user-input` in a full `iptables-save`) is judged where it is jumped to.
fn deciding_rules(rules: &FirewallRules, port: Option<u16>) -> Vec<(String, bool, usize)> {
    let mut chains: HashMap<(&str, bool), Vec<usize>> = HashMap::new();
    let mut roots: Vec<(&str, bool)> = Vec::new();
    for (i, rule) in rules.rules.iter().enumerate() {
        let key = (rule.chain.as_str(), rule.ipv6);
        chains.entry(key).or_default().push(i);
        if is_input_chain(&rule.chain) && !roots.contains(&key) {
            roots.push(key);
        }
    }
    let jumped_to: HashSet<(&str, bool)> = rules
        .rules
        .iter()
        .filter_map(|rule| match &rule.verdict {
            Verdict::Other(target) => Some((target.as_str(), rule.ipv6)),
            _ => None,
        })
        .collect();
    let mut walk = ChainWalk {
        rules,
        chains,
        port,
        outcomes: HashMap::new(),
        stack: Vec::new(),
    };
    roots
        .into_iter()
        .filter(|root| !jumped_to.contains(root))
        .filter_map(|(chain, ipv6)| {
            let decided = walk.decide(chain, ipv6)?;
            Some((chain.to_owned(), ipv6, decided))
        })
        .collect()
}

/// Follows one connection through the chains; each chain's outcome is computed once
/// (it does not depend on where the chain was jumped from), so the walk is linear.
struct ChainWalk<'a> {
    rules: &'a FirewallRules,
    /// The rules of each chain and family, in order.
    chains: HashMap<(&'a str, bool), Vec<usize>>,
    port: Option<u16>,
    /// The deciding rule of each chain already walked, `None` when it ends without one.
    outcomes: HashMap<(&'a str, bool), Option<usize>>,
    /// The chains being walked, to stop at loops and at [`MAX_JUMP_DEPTH`].
    stack: Vec<(&'a str, bool)>,
}

impl<'a> ChainWalk<'a> {
    fn decide(&mut self, chain: &'a str, ipv6: bool) -> Option<usize> {
        let key = (chain, ipv6);
        if let Some(&outcome) = self.outcomes.get(&key) {
            return outcome;
        }
        if self.stack.len() >= MAX_JUMP_DEPTH || self.stack.contains(&key) {
            return None;
        }
        self.stack.push(key);
        let rules = self.rules;
        let indices = self.chains.get(&key).cloned().unwrap_or_default();
        let mut decided = None;
        for i in indices {
            let rule = &rules.rules[i];
            if !matches_from_anywhere(rule, self.port) {
                continue;
            }
            match &rule.verdict {
                Verdict::Other(target) if target == "RETURN" => break,
                Verdict::Other(target) => {
                    decided = self.decide(target, ipv6);
                    if decided.is_some() || rule.goto {
                        break;
                    }
                }
                _ => {
                    decided = Some(i);
                    break;
                }
            }
        }
        self.stack.pop();
        self.outcomes.insert(key, decided);
        decided
    }
}

/// Whether a rule lets the connection in.
fn accepts(rule: &FirewallRule) -> bool {
    rule.verdict == Verdict::Accept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deciding(text: &str, port: Option<u16>) -> Vec<(String, usize)> {
        let rules = FirewallRules::parse(text);
        deciding_rules(&rules, port)
            .into_iter()
            .map(|(chain, _, i)| (chain, i))
            .collect()
    }

    #[test]
    fn jumps_are_followed_and_a_goto_ends_the_chain_it_leaves() {
        let jump = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -j WEB\n-A INPUT -j DROP\n-A WEB -p tcp --dport 443 -j ACCEPT\nCOMMIT\n";
        assert_eq!(deciding(jump, Some(443)), [("INPUT".into(), 2)]);
        assert_eq!(deciding(jump, Some(5432)), [("INPUT".into(), 1)]);
        let goto = jump.replace("-p tcp -j WEB", "-p tcp -g WEB");
        assert_eq!(deciding(&goto, Some(5432)), []);
        let returns = jump.replace(
            "-A WEB -p tcp --dport 443",
            "-A WEB -j RETURN\n-A WEB -p tcp --dport 443",
        );
        assert_eq!(deciding(&returns, Some(443)), [("INPUT".into(), 1)]);
    }

    /// iptables refuses loops; a hostile file with one, or with thousands of chains each
    /// jumping to the next, ends quickly (each chain is walked once) and decides nothing
    /// past the depth bound.
    #[test]
    fn loops_and_deep_chains_end() {
        let looping = "*filter\n-A INPUT -j A\n-A A -j B\n-A B -j A\n-A B -j DROP\nCOMMIT\n";
        assert_eq!(deciding(looping, None), [("INPUT".into(), 3)]);
        let mut deep = String::from("*filter\n-A INPUT -j C0\n");
        for i in 0..10_000 {
            deep.push_str(&format!("-A C{i} -j C{}\n", i + 1));
        }
        deep.push_str("-A C10000 -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n");
        assert_eq!(deciding(&deep, None), [("INPUT".into(), 10_002)]);
    }
}
