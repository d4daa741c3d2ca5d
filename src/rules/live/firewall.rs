//! LIVE009: no firewall filters incoming traffic at all: ufw inactive (or absent), no
//! nftables input chain and no iptables `INPUT` policy that drops by default.

use crate::document::Document;
use crate::live::outputs::HostOutput;
use crate::rules::Emitter;
use crate::source::Span;

/// LIVE009: across the snapshot's firewall outputs, nothing drops by default.
pub fn inactive(docs: &[&Document], out: &mut Emitter) {
    let mut filtering = false;
    let mut ufw_inactive = None;
    let mut nftables = None;
    for doc in docs {
        if let Some(rules) = doc.as_firewall() {
            match rules.active {
                Some((true, _)) => filtering = true,
                Some((false, span)) => ufw_inactive = Some((*doc, span)),
                None => {
                    filtering |= rules
                        .policy("INPUT")
                        .is_some_and(|p| matches!(p.policy.as_str(), "DROP" | "REJECT"));
                }
            }
        }
        if let Some(HostOutput::Nftables(ruleset)) = doc.as_host() {
            filtering |= ruleset.default_drop();
            nftables = Some((*doc, ruleset));
        }
    }
    // Without nftables' view (a static scan, or `nft` not readable) the host may filter
    // in a way these files do not show: say nothing.
    let Some((nft_doc, ruleset)) = nftables.filter(|_| !filtering) else {
        return;
    };
    let (doc, span) = match (ufw_inactive, ruleset.input_chains.first()) {
        (Some((doc, span)), _) => (doc, span),
        (None, Some(chain)) => (nft_doc, chain.span),
        (None, None) => (nft_doc, Span::new(0, 0)),
    };
    out.report(
        &doc.source,
        span,
        "no-firewall",
        "no firewall filters incoming traffic: ufw is inactive or absent and neither nftables nor iptables drops by default, so every listening port is reachable; `ufw default deny incoming`, allow SSH and the served ports, then `ufw enable`",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Catalog, Target};
    use crate::source::SourceFile;

    fn doc(name: &str, target: Target, text: &str) -> Document {
        let source = SourceFile::from_bytes(name.into(), name.into(), text.as_bytes().to_vec());
        Document::parse(source, target)
    }

    fn findings(docs: &[Document]) -> Vec<String> {
        let catalog = Catalog::builtin().unwrap();
        let mut out = Emitter::new(&catalog);
        let refs: Vec<&Document> = docs.iter().collect();
        inactive(&refs, &mut out);
        out.into_findings()
            .iter()
            .map(|f| format!("{}:{}", f.source.display_path, f.span.start))
            .collect()
    }

    /// `ufw status verbose` as captured on a Debian 12 machine with ufw installed, not enabled.
    const UFW_INACTIVE: &str = "Status: inactive\n";

    #[test]
    fn an_inactive_ufw_counts_only_when_nothing_else_drops() {
        let ufw = || {
            doc(
                "/.preflight/ufw-status-verbose.txt",
                Target::Firewall,
                UFW_INACTIVE,
            )
        };
        let nft = |text: &str| doc("/.preflight/nft-ruleset.txt", Target::Nftables, text);
        let dropping = "table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t}\n}\n";
        assert_eq!(
            findings(&[ufw(), nft("")]),
            ["/.preflight/ufw-status-verbose.txt:8"]
        );
        assert!(findings(&[ufw(), nft(dropping)]).is_empty());
        let iptables = doc(
            "/.preflight/iptables-save.txt",
            Target::Firewall,
            "*filter\n:INPUT DROP [0:0]\nCOMMIT\n",
        );
        assert!(findings(&[ufw(), nft(""), iptables]).is_empty());
        // Without nftables' view (not readable), nothing is claimed.
        assert!(findings(&[ufw()]).is_empty());
    }
}
