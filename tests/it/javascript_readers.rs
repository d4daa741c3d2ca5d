//! The exact JavaScript reader (oxc) must read a file as the tolerant one (tree-sitter)
//! does, wherever it reads it: the same calls, imports, bindings, exports, named strings
//! and secrets, with the same spans. Run over every script committed (fixtures, fuzz
//! seeds), and over the real-world corpus's 3,800 when it is fetched.

use std::path::Path;

use preflight::formats::javascript::{compare_readers, Dialect, ReadersCompared};

use crate::common::root;

/// The extensions of scripts.
const SCRIPTS: &[&str] = &["js", "cjs", "mjs", "jsx", "ts", "mts", "cts", "tsx"];

/// JSON (`package.json`, PM2's `ecosystem.config.json`), read as the expression `(…)`.
const JSON: &[&str] = &["json"];

/// What comparing the readers on every file with one of `extensions` under `folder` gave: (agreements, files left
/// to tree-sitter, files only tree-sitter finds errors in, files it misreads `await` in,
/// disagreements).
/// With `committed`, only files git does not ignore.
fn compare_under(
    folder: &Path,
    committed: bool,
    extensions: &[&str],
) -> (usize, usize, usize, usize, Vec<String>) {
    let (mut agree, mut left, mut errs, mut awaits, mut disagree) = (0, 0, 0, 0, Vec::new());
    for entry in ignore::WalkBuilder::new(folder)
        .standard_filters(committed)
        .build()
        .flatten()
    {
        let path = entry.path();
        let wanted = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| extensions.contains(&e));
        if !wanted || !path.is_file() {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        match compare_readers(&text, Dialect::of(path)) {
            ReadersCompared::Agree => agree += 1,
            ReadersCompared::LeftToTolerant => left += 1,
            ReadersCompared::OnlyTreeSitterErrs => errs += 1,
            ReadersCompared::TreeSitterMisreadsAwait => awaits += 1,
            ReadersCompared::Disagree(how) => {
                disagree.push(format!("{}:\n{how}", path.display()));
            }
        }
    }
    (agree, left, errs, awaits, disagree)
}

#[test]
fn javascript_readers_agree_on_the_repositorys_scripts() {
    let (agree, left, errs, awaits, disagree) = compare_under(&root(), true, SCRIPTS);
    assert!(disagree.is_empty(), "{}", disagree.join("\n\n"));
    eprintln!(
        "{agree} read alike, {left} left to tree-sitter; of the files oxc reads, tree-sitter \
         finds errors in {errs} and misreads `await` in {awaits}"
    );
    assert!(agree >= 12, "only {agree} scripts compared");
}

#[test]
#[cfg_attr(
    not(test_tool = "realworld_corpus"),
    ignore = "needs the real-world corpus (python3 tests/tools/fetch-realworld.py)"
)]
fn javascript_readers_agree_on_the_realworld_corpus() {
    let (agree, left, errs, awaits, disagree) =
        compare_under(&root().join("tests/tools/realworld"), false, SCRIPTS);
    if let Ok(dump) = std::env::var("PF_DUMP") {
        std::fs::write(dump, disagree.join("\n=====\n")).unwrap();
    }
    let shown: Vec<&String> = disagree.iter().take(5).collect();
    assert!(
        disagree.is_empty(),
        "{} of {} scripts read otherwise, the first:\n{shown:#?}",
        disagree.len(),
        agree + disagree.len()
    );
    eprintln!(
        "{agree} read alike, {left} left to tree-sitter; of the files oxc reads, tree-sitter \
         finds errors in {errs} and misreads `await` in {awaits}"
    );
    assert!(agree >= 1_000, "only {agree} scripts compared");
}

/// Where oxc reads a JSON document it reads it as tree-sitter does, and never one
/// tree-sitter finds an error in (the JSON reader's errors are reported).
fn assert_json_read_alike(folder: &Path, committed: bool, at_least: usize) {
    let (agree, left, errs, awaits, disagree) = compare_under(folder, committed, JSON);
    let shown: Vec<&String> = disagree.iter().take(5).collect();
    assert!(disagree.is_empty(), "{shown:#?}");
    assert_eq!((errs, awaits), (0, 0), "oxc reads JSON tree-sitter errs on");
    eprintln!("{agree} JSON files read alike, {left} left to tree-sitter");
    assert!(agree >= at_least, "only {agree} JSON files compared");
}

#[test]
fn javascript_readers_agree_on_the_repositorys_json() {
    assert_json_read_alike(&root(), true, 5);
}

#[test]
#[cfg_attr(
    not(test_tool = "realworld_corpus"),
    ignore = "needs the real-world corpus (python3 tests/tools/fetch-realworld.py)"
)]
fn javascript_readers_agree_on_the_realworld_corpuss_json() {
    assert_json_read_alike(&root().join("tests/tools/realworld"), false, 1_000);
}
