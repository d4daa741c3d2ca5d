//! FW003–FW004: whether anything is denied by default, and whether ufw runs at all.

use crate::formats::firewall::{FirewallRules, FirewallSource};
use crate::msg;
use crate::rules::firewall::{accepts, deciding_rules};
use crate::rules::{Context, ProjectContext};

/// FW003: incoming traffic is accepted unless a rule says otherwise (`Default: allow
/// (incoming)`, `:INPUT ACCEPT` without a final DROP/REJECT), or a rule accepts every
/// port from anywhere before anything is denied.
pub fn no_default_deny(cx: &mut Context<'_, FirewallRules>) {
    let rules = cx.content;
    if rules.active.is_some_and(|(active, _)| !active) {
        return; // FW004: an inactive ufw filters nothing at all.
    }
    let catch_all = deciding_rules(rules, None);
    for (chain, ipv6, index) in &catch_all {
        let rule = &rules.rules[*index];
        if accepts(rule) {
            let family = if *ipv6 { "IPv6" } else { "IPv4" };
            cx.report(rule.span, format!("catch-all:{chain}:{family}"),
                msg!("this rule accepts every port from any {} address, so nothing after it is ever denied; remove it and allow only the ports the host serves", family));
        }
    }
    let Some(policy) = rules.policy("INPUT") else {
        return;
    };
    if !matches!(policy.policy.as_str(), "ACCEPT" | "ALLOW") {
        return;
    }
    // A catch-all DROP/REJECT at the end of INPUT is default deny too.
    if catch_all
        .iter()
        .any(|(chain, _, _)| chain == "INPUT" || chain == "IN")
    {
        return;
    }
    let how = match rules.source {
        FirewallSource::UfwStatus => "write `sudo ufw default deny incoming`",
        FirewallSource::IptablesSave => "set `:INPUT DROP [0:0]` (`iptables -P INPUT DROP`) after the rules that allow loopback, established connections and the served ports",
    };
    cx.report(policy.span, "default:INPUT",
        msg!("incoming connections are accepted by default, so every port a service listens on is open; {}", how));
}

/// FW004: `Status: inactive` — ufw is installed but filters nothing. Judged across the
/// scan: when iptables or nftables drops by default (a host filtering without ufw), an
/// inactive ufw opens nothing and is not reported.
pub fn ufw_inactive(cx: &mut ProjectContext<'_, FirewallRules>) {
    if super::other_firewall_drops(cx) {
        return;
    }
    for file in cx.docs {
        if let Some((false, span)) = file.content.active {
            cx.report_in(file.source(), span, "status",
                "ufw is inactive: no rule is applied and every listening port is reachable; add the rules, then `sudo ufw enable`");
        }
    }
}
