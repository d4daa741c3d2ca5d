//! LIVE009: no firewall filters incoming traffic at all: no ufw status, no nftables input
//! chain and no iptables `INPUT` policy that drops by default. An inactive ufw is FW004's
//! finding (said once, there).

use crate::formats::firewall::FirewallRules;
use crate::formats::host::nft::NftRuleset;
use crate::rules::firewall::other_firewall_drops;
use crate::rules::ProjectContext;
use crate::source::Span;

/// LIVE009: across the snapshot's firewall outputs, nothing drops by default.
pub fn inactive(cx: &mut ProjectContext<'_, NftRuleset>) {
    // ufw's status, active or not, is judged by the ufw rules (FW003, FW004).
    if cx
        .of_kind::<FirewallRules>()
        .iter()
        .any(|file| file.content.active.is_some())
    {
        return;
    }
    // Without nftables' view (a static scan, or `nft` not readable) the host may filter
    // in a way these files do not show: say nothing.
    let Some(&nftables) = cx.docs.first() else {
        return;
    };
    if other_firewall_drops(cx) {
        return;
    }
    let span = nftables
        .content
        .input_chains
        .first()
        .map_or(Span::new(0, 0), |chain| chain.span);
    cx.report_in(
        nftables.source(),
        span,
        "no-firewall",
        "no firewall filters incoming traffic: ufw is absent and neither nftables nor iptables drops by default, so every listening port is reachable; install ufw (`ufw default deny incoming`, allow SSH and the served ports, `ufw enable`) or give the nftables input chain `policy drop`",
    );
}

#[cfg(test)]
mod tests {
    use crate::document::Document;
    use crate::formats::Target;
    use crate::policy::Catalog;
    use crate::rules::{resolve, Check, Emitter};
    use crate::source::SourceFile;

    fn doc(name: &str, target: Target, text: &str) -> Document {
        let source = SourceFile::from_bytes(name.into(), name.into(), text.as_bytes().to_vec());
        Document::parse(source, target)
    }

    /// The findings of the project check `name` on all of `docs` (whatever its targets).
    fn findings(name: &str, docs: &[Document]) -> Vec<String> {
        let Some(Check::Project(rule)) = resolve(name) else {
            panic!("{name} is a project check");
        };
        let catalog = Catalog::builtin().unwrap();
        let mut out = Emitter::new(&catalog);
        let refs: Vec<&Document> = docs.iter().collect();
        rule(&refs, &mut out);
        out.into_findings()
            .iter()
            .map(|f| format!("{}:{}", f.source.display_path, f.span.start))
            .collect()
    }

    /// `ufw status verbose` as captured on a Debian 12 machine with ufw installed, not enabled.
    const UFW_INACTIVE: &str = "Status: inactive\n";

    #[test]
    fn a_host_without_any_default_drop_is_reported_once() {
        let ufw = || {
            doc(
                "/.preflight/ufw-status-verbose.txt",
                Target::Firewall,
                UFW_INACTIVE,
            )
        };
        let nft = |text: &str| doc("/.preflight/nft-ruleset.txt", Target::Nftables, text);
        let dropping = "table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t}\n}\n";
        let iptables = || {
            doc(
                "/.preflight/iptables-save.txt",
                Target::Firewall,
                "*filter\n:INPUT DROP [0:0]\nCOMMIT\n",
            )
        };
        let (ufw_rule, inactive) = ("firewall-ufw-inactive", "live-firewall-inactive");
        // An inactive ufw is FW004's finding, said once; LIVE009 is for hosts without ufw.
        assert_eq!(
            findings(ufw_rule, &[ufw(), nft("")]),
            ["/.preflight/ufw-status-verbose.txt:8"]
        );
        assert!(findings(inactive, &[ufw(), nft("")]).is_empty());
        assert_eq!(
            findings(inactive, &[nft("")]),
            ["/.preflight/nft-ruleset.txt:0"]
        );
        // Something else drops by default: neither says the host is open.
        let elsewhere = || [vec![nft(dropping)], vec![nft(""), iptables()]];
        for (mut others, alone) in elsewhere().into_iter().zip(elsewhere()) {
            assert!(findings(inactive, &alone).is_empty());
            others.push(ufw());
            assert!(findings(ufw_rule, &others).is_empty());
        }
        // Without nftables' view (not readable), LIVE009 claims nothing.
        assert!(findings(inactive, &[ufw()]).is_empty());
        assert!(findings(inactive, &[iptables()]).is_empty());
    }
}
