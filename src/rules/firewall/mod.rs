//! Rules for firewall rules (ufw status output, ufw's rule files, iptables-save). They judge
//! the shared [`FirewallRules`] model by simulating a new TCP connection from an arbitrary
//! internet address: the first rule of an input chain that matches it decides, as in
//! iptables and ufw, and the chain's policy applies when none does.

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
/// `docs`: an iptables `INPUT` policy of DROP/REJECT, or (in a live snapshot) an nftables
/// input chain with `policy drop`. An inactive ufw is then no open door, and its rules
/// (FW004, LIVE009) say nothing.
pub fn other_firewall_drops<T: ?Sized>(cx: &ProjectContext<'_, T>) -> bool {
    let iptables = cx.of_kind::<FirewallRules>().iter().any(|file| {
        let rules = file.content;
        rules.active.is_none()
            && rules
                .policy("INPUT")
                .is_some_and(|p| matches!(p.policy.as_str(), "DROP" | "REJECT"))
    });
    let nftables = cx
        .of_kind::<NftRuleset>()
        .iter()
        .any(|file| file.content.default_drop());
    iptables || nftables
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

/// The rule that decides a new connection from anywhere (to `port`, or to any port), per
/// chain and address family, in file order: `(chain, ipv6, rule index)`.
fn deciding_rules(rules: &FirewallRules, port: Option<u16>) -> Vec<(String, bool, usize)> {
    let mut decided: Vec<(String, bool, usize)> = Vec::new();
    let mut seen: Vec<(String, bool)> = Vec::new();
    for (i, rule) in rules.rules.iter().enumerate() {
        if !is_input_chain(&rule.chain) || !rule.verdict.is_final() {
            continue;
        }
        let key = (rule.chain.clone(), rule.ipv6);
        if seen.contains(&key) || !matches_from_anywhere(rule, port) {
            continue;
        }
        seen.push(key);
        decided.push((rule.chain.clone(), rule.ipv6, i));
    }
    decided
}

/// Whether a rule lets the connection in.
fn accepts(rule: &FirewallRule) -> bool {
    rule.verdict == Verdict::Accept
}
