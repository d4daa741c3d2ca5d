//! gixy's own labelled suite (`../shared/corpus/gixy-tests/<check>/`): files ending in
//! `_fp.conf` must not be reported by the matching preflight rule, every other `.conf` must.
//! Covers the gixy checks preflight implements so far.

use crate::common::{active_rules, json_report, root, shared_corpus};

/// Files where preflight deliberately differs from gixy's label, and why. The test checks
/// that they still differ, so this list cannot go stale.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[(
    "origins/origin_https.conf",
    "gixy flags `https?` only because this file passes it the `https_only` option; preflight, like gixy by default, does not report it",
)];

/// gixy check folder → preflight rule.
const CHECKS: &[(&str, &str)] = &[
    ("host_spoofing", "NGX004"),
    ("alias_traversal", "NGX005"),
    ("add_header_redefinition", "NGX010"),
    ("add_header_multiline", "NGX006"),
    ("valid_referers", "NGX007"),
    ("origins", "NGX008"),
    ("ssrf", "NGX017"),
    ("http_splitting", "NGX018"),
];

#[test]
#[cfg_attr(
    not(test_tool = "shared_corpus"),
    ignore = "needs ../shared/corpus, the maintainers' corpus of public configurations beside the checkout"
)]
fn preflight_agrees_with_gixys_labels() {
    let suite = shared_corpus("gixy-tests");
    let mut disagreements = Vec::new();
    let mut table = Vec::new();
    for (folder, rule) in CHECKS {
        let mut files: Vec<_> = std::fs::read_dir(suite.join(folder))
            .expect("gixy folder")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "conf"))
            .collect();
        files.sort();
        let mut agree = 0;
        for file in &files {
            let (report, _) =
                json_report(&root(), &[file.to_str().expect("utf-8"), "--select", rule]);
            let flagged = !active_rules(&report).is_empty();
            let labelled = !file.to_string_lossy().ends_with("_fp.conf");
            let relative = format!(
                "{folder}/{}",
                file.file_name().expect("name").to_string_lossy()
            );
            let known = KNOWN_DIFFERENCES.iter().find(|(f, _)| *f == relative);
            if let Some((_, why)) = known {
                eprintln!("known difference, {relative}: {why}");
            }
            let expected = labelled != known.is_some();
            if flagged == expected {
                agree += 1;
            } else {
                disagreements.push(format!(
                    "{rule} on {}: preflight {flagged}, gixy {expected}",
                    file.display()
                ));
            }
        }
        let differences = KNOWN_DIFFERENCES
            .iter()
            .filter(|(f, _)| f.starts_with(folder))
            .count();
        table.push(format!(
            "{folder} ({rule}): agrees with gixy on {}/{}",
            agree - differences,
            files.len()
        ));
    }
    eprintln!("{}", table.join("\n"));
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
