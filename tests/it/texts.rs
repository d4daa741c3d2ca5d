//! What users read never cites the maintainers' internal material: the deployment guides
//! (`S0`–`S4`), their `seeds/` folder, or `../shared`, which a clone does not have. Checked
//! on every rule's `explain` page (also the SARIF help), the policies, the rule examples'
//! rendered findings, the README, CONTRIBUTING, docs, the example project and what
//! `preflight init` writes.

use std::path::{Path, PathBuf};

use preflight::policy::Catalog;
use regex::Regex;

use crate::common::{active_rules, git, json_report, root, tree};

/// Internal references: the guides by name or number, and their folder.
fn internal_references(text: &str) -> Vec<String> {
    let urls = Regex::new(r"https?://\S+").expect("regex");
    let text = urls.replace_all(text, "");
    let forbidden = Regex::new(r"\b[Gg]uides?\b|\bS[0-4]\b|seeds/|the guides'").expect("regex");
    forbidden
        .find_iter(&text)
        // Amazon's storage service is no guide.
        .filter(|m| {
            let before = &text[..m.start()];
            !(m.as_str() == "S3" && (before.ends_with("Amazon ") || before.ends_with("AWS ")))
        })
        .map(|m| {
            let line_start = text[..m.start()].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[m.end()..]
                .find('\n')
                .map_or(text.len(), |i| m.end() + i);
            format!("`{}` in: {}", m.as_str(), text[line_start..line_end].trim())
        })
        .collect()
}

/// The files under `dir` (recursively) whose names satisfy `keep`.
fn files_under(dir: &Path, keep: &dyn Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if keep(&path) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn no_user_facing_text_cites_the_internal_guides() {
    let mut problems = Vec::new();
    let catalog = Catalog::builtin().expect("catalog");
    for rule in catalog.all() {
        for found in internal_references(&rule.explain()) {
            problems.push(format!("explain {}: {found}", rule.id));
        }
    }
    let everything = |_: &Path| true;
    let rule_examples = |p: &Path| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("rule_examples__"))
    };
    let mut files = vec![
        root().join("README.md"),
        root().join("CONTRIBUTING.md"),
        root().join("action.yml"),
        root().join(".pre-commit-hooks.yaml"),
    ];
    // The screenshots under docs/ are images, not text.
    let text = |p: &Path| p.extension().is_none_or(|e| e != "png");
    files.extend(files_under(&root().join("docs"), &text));
    files.extend(files_under(&root().join("policies"), &everything));
    files.extend(files_under(&root().join("examples"), &everything));
    files.extend(files_under(&root().join("src/init"), &everything));
    files.extend(files_under(
        &root().join("tests/it/snapshots"),
        &rule_examples,
    ));
    for file in &files {
        let text = std::fs::read_to_string(file).expect("text file");
        for found in internal_references(&text) {
            problems.push(format!("{}: {found}", file.display()));
        }
        // A folder users do not have, in what they run or read about the product.
        let product = !file.ends_with("README.md")
            && !file.ends_with("CONTRIBUTING.md")
            && !file.starts_with(root().join("docs"));
        if product && text.contains("../shared") {
            problems.push(format!("{}: names ../shared", file.display()));
        }
    }
    assert!(files.len() > 100, "{} files", files.len());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_check_finds_what_it_must_and_spares_what_it_may() {
    for cited in [
        "as the guides say",
        "the Node guide (S0)",
        "S3/S4 mistake",
        "see ../shared/seeds/node.md",
        "the guides' nginx mistakes",
    ] {
        assert!(!internal_references(cited).is_empty(), "{cited}");
    }
    for fine in [
        "Mozilla's OpenSSH guidelines",
        "https://nginx.org/en/docs/beginners_guide.html",
        "an Amazon S3 bucket",
        "PREFLIGHT_CANARY_SEEDS=20; more seeds plant other canaries",
        "fixtures/kubernetes/s2-k8s-deployment.yaml",
    ] {
        assert!(internal_references(fine).is_empty(), "{fine}");
    }
}

/// The explain page of a rule.
fn explain(id: &str) -> String {
    Catalog::builtin()
        .expect("catalog")
        .get(id)
        .expect("rule")
        .explain()
}

/// Help texts say what their rules report: NGX011 names every header it flags; ENV015 covers
/// a staged file as well as a committed one; ENV011 does not call Django's generated key a
/// vendor's published example; CMP003 says which part of a command is shown where.
#[test]
fn help_texts_match_what_the_rules_report() {
    let ngx011 = explain("NGX011");
    for header in [
        "Content-Security-Policy",
        "X-Frame-Options",
        "Strict-Transport-Security",
        "X-Content-Type-Options",
        "Referrer-Policy",
    ] {
        let dir = tree(&[(
            "nginx.conf",
            format!("add_header {header} \"x\";\n").as_bytes(),
        )]);
        let (report, _) = json_report(dir.path(), &["."]);
        assert!(
            active_rules(&report).contains(&"NGX011".to_owned()),
            "{header}"
        );
        assert!(
            ngx011.contains(header),
            "explain NGX011 does not name {header}"
        );
    }

    // ENV015 on a file only added to the index: the page must cover it.
    let dir = tree(&[(".env", b"API_TOKEN=x\n")]);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", ".env"]);
    let (report, _) = json_report(dir.path(), &["."]);
    assert!(active_rules(&report).contains(&"ENV015".to_owned()));
    assert!(
        explain("ENV015").contains("git add"),
        "{}",
        explain("ENV015")
    );

    let dir = tree(&[(
        ".env",
        b"SECRET_KEY=django-insecure-p4n8x2v7k9q3w6r1t5y0u8i2o4s7d1f3g6h9\n",
    )]);
    let (report, _) = json_report(dir.path(), &["."]);
    let message = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule_id"] == "ENV011")
        .expect("ENV011")["message"]
        .as_str()
        .expect("message")
        .to_owned();
    assert!(message.contains("startproject"), "{message}");
    assert!(
        !message.contains("published") && !message.contains("the Django's"),
        "{message}"
    );
    assert!(explain("ENV011").contains("startproject"));

    let cmp003 = explain("CMP003");
    assert!(
        cmp003.contains("shown by `docker inspect` and by `ps`")
            && cmp003.contains("recorded in the image's `docker history`"),
        "{cmp003}"
    );
}
