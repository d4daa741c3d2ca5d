//! The real-world corpus in `../shared/corpus` (public nginx, Kubernetes, compose and
//! Debian configs) is scanned without a crash and without a parse error on any file
//! preflight reads.

mod common;

use common::{json_report, shared_corpus};

#[test]
fn shared_corpus_scans_without_parse_errors() {
    let Some(corpus) = shared_corpus("") else {
        return;
    };
    let (report, code) = json_report(&corpus, &["."]);
    assert!(code == 0 || code == 1, "exit code {code}");
    let parse_errors: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == "PF001")
        .collect();
    assert!(
        parse_errors.is_empty(),
        "parse errors on the corpus: {parse_errors:#?}"
    );
    assert!(report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .is_empty());
}
