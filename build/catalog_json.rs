//! The built-in policy and framework files as JSON, for `Catalog::builtin` (`src/policy.rs`).
//!
//! Every run loads the whole built-in catalog, some 430 KB of TOML: `toml::from_str` spent
//! about 80 instructions a byte on it, serde_json spends about 12 on the same data as JSON.
//! So each `policies/*.toml` and `frameworks/*.toml` is read here as a plain TOML table and
//! written as `$OUT_DIR/<folder>/<name>.toml.json`, the same tables, arrays and scalars: the
//! policy structs deserialize from it what they did from the TOML (a test in
//! `src/policy.rs` compares the two for every built-in file). A user's policy file is still
//! read as TOML, with line and column in its errors.

use std::path::{Path, PathBuf};

/// The folders of built-in files, relative to the package.
const FOLDERS: &[&str] = &["policies", "frameworks"];

/// Writes the JSON of every built-in file and prints the rerun triggers.
pub fn write() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    for folder in FOLDERS {
        // A folder scans every file in it: an edit, an addition or a removal reruns.
        println!("cargo::rerun-if-changed={folder}");
        // Emptied first: the JSON of a file since removed must not stay for `include_str!`.
        let _ = std::fs::remove_dir_all(out.join(folder));
        std::fs::create_dir_all(out.join(folder)).expect("OUT_DIR is writable");
        let entries = std::fs::read_dir(manifest.join(folder))
            .unwrap_or_else(|e| panic!("cannot list {folder}: {e}"));
        for entry in entries {
            let path = entry.expect("a listed entry").path();
            if path.extension().is_some_and(|e| e == "toml") {
                let name = path.file_name().expect("a file").to_string_lossy();
                let json = to_json(&path, &format!("{folder}/{name}"));
                std::fs::write(out.join(folder).join(format!("{name}.json")), json)
                    .expect("OUT_DIR is writable");
            }
        }
    }
}

/// The JSON of one TOML file; `origin` names it in a panic.
fn to_json(path: &Path, origin: &str) -> String {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {origin}: {e}"));
    let table: toml::Table =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{origin} is no valid TOML: {e}"));
    table.values().for_each(|v| refuse_unlike(v, origin));
    serde_json::to_string(&table).expect("a TOML table has a JSON form")
}

/// Panics at a value whose JSON would not deserialize as its TOML does: a date (TOML's
/// private `{"$__toml_private_datetime": …}` table) or an infinite or NaN float (`null`).
/// No policy field takes either; refusing them here keeps the two readings the same.
fn refuse_unlike(value: &toml::Value, origin: &str) {
    match value {
        toml::Value::Datetime(d) => panic!("{origin}: a date ({d}) in a built-in file"),
        toml::Value::Float(f) if !f.is_finite() => {
            panic!("{origin}: a float that is not finite ({f}) in a built-in file")
        }
        toml::Value::Array(items) => items.iter().for_each(|v| refuse_unlike(v, origin)),
        toml::Value::Table(table) => table.values().for_each(|v| refuse_unlike(v, origin)),
        _ => {}
    }
}
