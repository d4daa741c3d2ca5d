//! `nft list ruleset` output, read only as far as the live firewall rule needs: the
//! base chains hooked into `input` and their policies.

use crate::formats::lines_with_offsets;
use crate::formats::{Format, ParseContext};
use crate::source::SourceFile;
use crate::source::Span;
use std::sync::Arc;

/// A base chain on the input hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputChain {
    /// `table family name` and chain name, for messages (`inet filter input`).
    pub name: String,
    /// Its policy (`accept` when not written, as nft defaults).
    pub policy: String,
    /// The `type filter hook input …` line.
    pub span: Span,
}

/// The input chains of a ruleset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NftRuleset {
    /// Base chains hooked into `input`.
    pub input_chains: Vec<InputChain>,
}

impl NftRuleset {
    /// Reads the ruleset line by line: `table`, `chain` and `type … hook input` lines.
    pub fn parse(text: &str) -> Self {
        let mut chains = Vec::new();
        let (mut table, mut chain) = (String::new(), String::new());
        for (start, content) in lines_with_offsets(text) {
            let trimmed = content.trim();
            let words: Vec<&str> = trimmed.split_whitespace().collect();
            match words.as_slice() {
                ["table", family, name, ..] => table = format!("{family} {name}"),
                ["chain", name, ..] => chain = (*name).to_owned(),
                ["type", _, "hook", "input", ..] => {
                    let policy = trimmed
                        .split_once("policy ")
                        .map_or("accept", |(_, p)| p.trim_end_matches(';').trim());
                    let at = start + (content.len() - content.trim_start().len());
                    chains.push(InputChain {
                        name: format!("{table} {chain}"),
                        policy: policy.to_owned(),
                        span: Span::new(at, at + trimmed.len()),
                    });
                }
                _ => {}
            }
        }
        Self {
            input_chains: chains,
        }
    }

    /// Whether some input chain drops what no rule accepts.
    pub fn default_drop(&self) -> bool {
        self.input_chains
            .iter()
            .any(|c| c.policy == "drop" || c.policy == "reject")
    }
}

/// Host state only comes from a snapshot, which says what each file is: no name claims it.
impl Format for NftRuleset {
    fn parse(source: &Arc<SourceFile>, _: &ParseContext) -> Self {
        Self::parse(&source.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Captured from `nft list ruleset` (nftables 1.0.6, Debian 12) after creating an
    /// `inet` table with a dropping input chain.
    const CAPTURED: &str = "table inet preflighttest {
\tchain input {
\t\ttype filter hook input priority filter; policy drop;
\t\ttcp dport 22 accept
\t}
}
";

    #[test]
    fn finds_input_chains_and_their_policy() {
        let ruleset = NftRuleset::parse(CAPTURED);
        assert_eq!(ruleset.input_chains.len(), 1);
        let chain = &ruleset.input_chains[0];
        assert_eq!(chain.name, "inet preflighttest input");
        assert_eq!(chain.policy, "drop");
        assert!(ruleset.default_drop());
        assert!(CAPTURED[chain.span.range()].starts_with("type filter hook input"));
    }

    #[test]
    fn an_empty_ruleset_or_an_accepting_chain_does_not_drop() {
        // An empty ruleset prints nothing (captured on the same machine).
        assert!(!NftRuleset::parse("").default_drop());
        let accepting = "table ip filter {\n\tchain INPUT {\n\t\ttype filter hook input priority filter; policy accept;\n\t}\n}\n";
        let ruleset = NftRuleset::parse(accepting);
        assert_eq!(ruleset.input_chains[0].policy, "accept");
        assert!(!ruleset.default_drop());
    }
}
