//! The real-world corpus (public npm and PyPI packages pinned in `tests/corpus/realworld.toml`,
//! fetched into `tests/tools/realworld/` by `tests/tools/fetch-realworld.py`), scanned as one
//! tree, is read without a crash and without a parse error on any file preflight reads; every
//! Dockerfile in it is discovered and judged.

use crate::common::{json_report, root};

#[test]
#[cfg_attr(
    not(test_tool = "realworld_corpus"),
    ignore = "needs the real-world corpus (python3 tests/tools/fetch-realworld.py)"
)]
fn realworld_corpus_scans_as_one_tree_without_parse_errors() {
    let corpus = root().join("tests/tools/realworld");
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
    // Only templates (`{{…}}` manifests) may be left unchecked.
    assert!(report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .all(|d| d["kind"] == "template"));
}

/// Every Dockerfile of the corpus (docker-compose's test fixtures, n8n's, umami's…, found here
/// by name, independently of discovery) is read as a Dockerfile and parses without an error.
#[test]
#[cfg_attr(
    not(test_tool = "realworld_corpus"),
    ignore = "needs the real-world corpus (python3 tests/tools/fetch-realworld.py)"
)]
fn every_corpus_dockerfile_is_discovered_and_parses() {
    let corpus = root().join("tests/tools/realworld");
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
    // Relative to the corpus, as the report shows them.
    let relative: Vec<String> = dockerfiles
        .iter()
        .map(|p| {
            let p = p.strip_prefix(&corpus).expect("inside the corpus");
            p.to_str().expect("utf-8 path").to_owned()
        })
        .collect();
    let args: Vec<&str> = relative.iter().map(String::as_str).collect();
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
