//! The real-world corpus in `../shared/corpus` (public nginx, Kubernetes, compose and
//! Debian configs) is scanned without a crash and without a parse error on any file
//! preflight reads.

use crate::common::{json_report, shared_corpus};

#[test]
#[cfg_attr(
    not(test_tool = "shared_corpus"),
    ignore = "needs ../shared/corpus, the maintainers' corpus of public configurations beside the checkout"
)]
fn shared_corpus_scans_without_parse_errors() {
    let corpus = shared_corpus("");
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
    // Only templates (vitess' and New Relic's `{{…}}` manifests) are left unchecked.
    assert!(report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .all(|d| d["kind"] == "template"));
}

/// Every Dockerfile of the corpus (awesome-compose's, found here by name, independently of
/// discovery) is read as a Dockerfile and parses without an error: BuildKit builds them all.
#[test]
#[cfg_attr(
    not(test_tool = "shared_corpus"),
    ignore = "needs ../shared/corpus, the maintainers' corpus of public configurations beside the checkout"
)]
fn every_corpus_dockerfile_is_discovered_and_parses() {
    let corpus = shared_corpus("");
    let mut dockerfiles = Vec::new();
    let mut folders = vec![corpus.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("corpus folder") {
            let path = entry.expect("entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            if path.is_dir() {
                folders.push(path);
            } else if name == "dockerfile" || name.ends_with(".dockerfile") {
                dockerfiles.push(path);
            }
        }
    }
    assert!(
        dockerfiles.len() >= 30,
        "corpus Dockerfiles: {dockerfiles:?}"
    );
    let args: Vec<&str> = dockerfiles
        .iter()
        .map(|p| p.to_str().expect("utf-8 path"))
        .collect();
    let (report, _) = json_report(&corpus, &args);
    assert_eq!(
        report["summary"]["files_checked"].as_u64(),
        Some(dockerfiles.len() as u64),
        "every Dockerfile is read"
    );
    let findings = report["findings"].as_array().expect("findings");
    let errors: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| f["rule_id"] == "PF001")
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // Read as Dockerfiles, not skipped: each has at least its final stage judged.
    let judged = |path: &str| {
        findings.iter().any(|f| {
            f["location"]["path"] == path && f["rule_id"].as_str().unwrap_or("").starts_with("DKR")
        })
    };
    let unjudged: Vec<&&str> = args.iter().filter(|p| !judged(p)).collect();
    assert!(
        unjudged.is_empty(),
        "no Dockerfile finding at all: {unjudged:?}"
    );
}
