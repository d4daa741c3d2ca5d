//! preflight: a compliance auditor and pre-flight linter for production deployments.
//!
//! The pipeline, one module per stage: [`discover`] finds and reads files, [`formats`]
//! parses them into span-carrying documents ([`document`]), [`rules`] evaluates the
//! [`policy`] catalog on them, [`engine`] wires the stages and adds the guarantees every
//! finding needs (locations, redaction, suppressions, fingerprints), and [`report`] prints.

pub mod backup;
pub mod baseline;
pub mod changed;
pub mod cli;
pub mod compliance;
pub mod config;
pub mod diff;
pub mod discover;
pub mod document;
pub mod engine;
pub mod finding;
pub mod formats;
pub mod fuzzing;
pub mod init;
pub mod live;
pub mod message;
pub mod policy;
pub mod redact;
pub mod report;
pub mod results;
pub mod role;
pub mod rules;
pub mod secrets;
pub mod source;
pub mod suppress;
pub mod target;

#[cfg(test)]
mod architecture {
    //! The pipeline's layers depend one way: a module may not use another that uses it.

    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    /// The top-level modules each top-level module names in code (`crate::x`), comments and
    /// doc links left out.
    fn dependencies() -> BTreeMap<String, BTreeSet<String>> {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut graph = BTreeMap::new();
        for entry in std::fs::read_dir(&src).unwrap().flatten() {
            let path = entry.path();
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            if name == "lib" || name == "main" {
                continue;
            }
            let mut files = vec![path.clone()];
            let mut dirs = vec![path.clone()];
            while let Some(dir) = dirs.pop() {
                for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                    let p = e.path();
                    if p.is_dir() {
                        dirs.push(p);
                    } else if p.extension().is_some_and(|x| x == "rs") {
                        files.push(p);
                    }
                }
            }
            let uses: &mut BTreeSet<String> = graph.entry(name.clone()).or_default();
            for file in files.iter().filter(|f| f.is_file()) {
                let text = std::fs::read_to_string(file).unwrap();
                for line in text.lines() {
                    let code = line.split("//").next().unwrap_or("");
                    for (at, _) in code.match_indices("crate::") {
                        let used: String = code[at + 7..]
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                            .collect();
                        if !used.is_empty() && used != name {
                            uses.insert(used);
                        }
                    }
                }
            }
        }
        graph
    }

    #[test]
    fn no_two_top_level_modules_depend_on_each_other() {
        let graph = dependencies();
        assert!(graph.len() > 10, "{graph:?}");
        let mut cycles = Vec::new();
        for (module, uses) in &graph {
            // Every module reachable from `module`; a cycle comes back to it.
            let mut seen = BTreeSet::new();
            let mut stack: Vec<&String> = uses.iter().collect();
            while let Some(next) = stack.pop() {
                if seen.insert(next.clone()) {
                    stack.extend(graph.get(next).into_iter().flatten());
                }
            }
            if seen.contains(module) {
                cycles.push(module.clone());
            }
        }
        assert!(cycles.is_empty(), "modules on an import cycle: {cycles:?}");
    }
}
