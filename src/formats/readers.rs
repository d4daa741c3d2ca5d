//! Formats read by two parsers: an exact one, fast, for files without a syntax error, and a
//! tolerant one (tree-sitter) that reads on after an error. Both must give the same
//! document wherever the exact one reads; what comparing them on a file gives.

/// How the two readers read one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadersCompared {
    /// The exact reader read it, as the tolerant one does.
    Agree,
    /// The exact reader left it to the tolerant one (an error, a construct it leaves
    /// alone, too large).
    LeftToTolerant,
    /// The exact reader read it; tree-sitter found errors the exact parser does not (its
    /// grammar lags the language): nothing to compare, and the exact reading is the right
    /// one.
    OnlyTreeSitterErrs,
    /// JavaScript: they differ where tree-sitter misreads `await (f)(x)` as calls of a
    /// function named `await`: the exact reading is the right one.
    TreeSitterMisreadsAwait,
    /// They differ: what each read.
    Disagree(String),
}

/// Where two readings (`exact` by the parser named `exact_name`, `tolerant` by
/// tree-sitter), shown one item a line, first differ: that line of each, and the lines
/// around it.
pub(crate) fn first_difference(exact_name: &str, exact: &str, tolerant: &str) -> String {
    // The first lines that differ, to keep a report readable.
    let first = exact
        .lines()
        .zip(tolerant.lines())
        .position(|(a, b)| a != b)
        .unwrap_or(0);
    let around = |text: &str| {
        text.lines()
            .skip(first.saturating_sub(8))
            .take(24)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let line = |text: &str| text.lines().nth(first).unwrap_or("").trim().to_owned();
    format!(
        "first difference: {exact_name} `{}`, tree-sitter `{}`\n{exact_name}:\n{}\n--- tree-sitter:\n{}",
        line(exact),
        line(tolerant),
        around(exact),
        around(tolerant)
    )
}

/// `secrets` as a reading shows them: sorted, each once (the readers find them in different
/// orders, some twice).
pub(crate) fn sorted_spans(secrets: &[crate::source::Span]) -> Vec<crate::source::Span> {
    let mut secrets = secrets.to_vec();
    secrets.sort_unstable();
    secrets.dedup();
    secrets
}
