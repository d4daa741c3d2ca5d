//! The exact Python reader (ruff) must read a settings module as the tolerant one
//! (tree-sitter) does, wherever it reads it: the same statements, values, secrets and
//! spans. Run over every Python file committed (fixtures, fuzz seeds), and over the
//! real-world corpus's when it is fetched: any Python file, settings or not, since the
//! readers must agree on whatever a scan hands them.

use std::path::Path;

use preflight::formats::python_settings::{compare_readers, ReadersCompared};

use crate::common::root;

/// What comparing the readers on every Python file under `folder` gave: (agreements, files
/// left to tree-sitter, files only tree-sitter finds errors in, disagreements).
/// With `committed`, only files git does not ignore.
fn compare_under(folder: &Path, committed: bool) -> (usize, usize, usize, Vec<String>) {
    let (mut agree, mut left, mut errs, mut disagree) = (0, 0, 0, Vec::new());
    for entry in ignore::WalkBuilder::new(folder)
        .standard_filters(committed)
        .build()
        .flatten()
    {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "py") || !path.is_file() {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        match compare_readers(&text) {
            ReadersCompared::Agree => agree += 1,
            ReadersCompared::LeftToTolerant => left += 1,
            ReadersCompared::OnlyTreeSitterErrs => errs += 1,
            ReadersCompared::TreeSitterMisreadsAwait => unreachable!("a JavaScript reading"),
            ReadersCompared::Disagree(how) => {
                disagree.push(format!("{}:\n{how}", path.display()));
            }
        }
    }
    (agree, left, errs, disagree)
}

#[test]
fn python_readers_agree_on_the_repositorys_python() {
    let (agree, left, errs, disagree) = compare_under(&root(), true);
    assert!(disagree.is_empty(), "{}", disagree.join("\n\n"));
    eprintln!(
        "{agree} read alike, {left} left to tree-sitter; tree-sitter finds errors in {errs} \
         of the files ruff reads"
    );
    assert!(agree >= 30, "only {agree} Python files compared");
}

#[test]
#[cfg_attr(
    not(test_tool = "realworld_corpus"),
    ignore = "needs the real-world corpus (python3 tests/tools/fetch-realworld.py)"
)]
fn python_readers_agree_on_the_realworld_corpus() {
    let (agree, left, errs, disagree) = compare_under(&root().join("tests/tools/realworld"), false);
    if let Ok(dump) = std::env::var("PF_DUMP") {
        std::fs::write(dump, disagree.join("\n=====\n")).unwrap();
    }
    let shown: Vec<&String> = disagree.iter().take(5).collect();
    assert!(
        disagree.is_empty(),
        "{} of {} Python files read otherwise, the first:\n{shown:#?}",
        disagree.len(),
        agree + disagree.len()
    );
    eprintln!(
        "{agree} read alike, {left} left to tree-sitter; tree-sitter finds errors in {errs} \
         of the files ruff reads"
    );
    assert!(agree >= 1_000, "only {agree} Python files compared");
}
