//! Kustomize as deployed: every kustomization no other includes is built natively
//! (`preflight::formats::kustomize`) and judged as one deployment. The fixture projects of
//! `fixtures/kustomize/` are snapshotted with the deployments each finding is in; the
//! differential test builds every kustomization of `fixtures/` with the real
//! `kubectl kustomize` and compares the objects.
//!
//! Debian bookworm's `kubernetes-client` (kubectl 1.20, what `.ci/run` installs) carries
//! kustomize v2.0.3, which lacks what later versions added and real repositories use:
//! folders in `resources` (v2.1; v2 wants them under `bases`), `patches` (v3.1),
//! `replicas` (v3.2), `components` (v3.7), `labels` (v4.1) and inline patches (each
//! checked with bookworm's kubectl: it refuses them); and generated names hash differently
//! before kustomize 5 (v2 hashes the name too, v5's hasher leaves it out), so generators
//! are compared with v5 only. A kustomization using any of them is compared with the hand-checked
//! output beside it (`kustomize-build.expected`, what kustomize v5.5.0 prints, each object
//! read and checked against the kustomization); with a kubectl that has them, that file is
//! compared with kubectl's output too, so it cannot go stale.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use preflight::discover::DiskFiles;
use preflight::formats::kustomize::{self, is_kustomization_name};
use preflight::formats::yaml::{YamlFile, YamlNode};
use preflight::source::SourceFile;
use serde_json::Value;

use crate::common::{assert_snapshots, fixture_cases, json_report, root, Snapshot};

/// A case's findings as `RULE path:line:column [the kustomizations (or values files) whose
/// deployment it is in]`, paths relative to the case folder; `extra` arguments after them.
pub fn deployed_findings(case: &Path, extra: &[&str]) -> (String, Value) {
    let args: Vec<&str> = [".", "--fail-on", "never"]
        .iter()
        .chain(extra)
        .copied()
        .collect();
    let (report, _) = json_report(case, &args);
    let mut lines: Vec<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let deployments: Vec<&str> = f["related"]
                .as_array()
                .expect("related")
                .iter()
                .filter(|r| {
                    r["message"]
                        .as_str()
                        .is_some_and(|m| m.starts_with("in the deployment"))
                })
                .map(|r| r["path"].as_str().expect("path"))
                .collect();
            format!(
                "{} {}:{}:{} [{}]",
                f["rule_id"].as_str().expect("rule id"),
                f["location"]["path"].as_str().expect("path"),
                f["location"]["start_line"],
                f["location"]["start_column"],
                deployments.join(", ")
            )
        })
        .collect();
    lines.push(String::new());
    (lines.join("\n"), report)
}

fn case(name: &str) -> (String, Value) {
    deployed_findings(&root().join("fixtures/kustomize").join(name), &[])
}

#[test]
fn fixture_projects_are_judged_as_built() {
    let cases = fixture_cases("kustomize");
    assert_snapshots(
        "kustomize",
        cases.iter().map(|case| {
            let name = case.file_name().expect("name").to_string_lossy().into_owned();
            Snapshot {
                description: format!(
                    "fixtures/kustomize/{name}/ scanned as one project: RULE path:line:column [deployments it is in]"
                ),
                text: deployed_findings(case, &[]).0,
                name,
            }
        }),
    );
}

#[test]
fn what_an_overlay_patches_in_is_reported_at_the_patch_line() {
    let (text, _) = case("introduced");
    // `privileged: true` from the strategic merge patch, `hostNetwork` from the JSON patch.
    assert!(
        text.contains(
            "K8S002 overlays/production/debug.yaml:12:23 [overlays/production/kustomization.yaml]"
        ),
        "{text}"
    );
    assert!(
        text.contains("K8S007 overlays/production/host-network.yaml:3:10 [overlays/production/kustomization.yaml]"),
        "{text}"
    );
    // The base is not judged on its own: every finding is in the overlay's deployment.
    assert!(
        text.lines()
            .filter(|l| !l.is_empty())
            .all(|l| l.ends_with("kustomization.yaml]")),
        "{text}"
    );
}

#[test]
fn what_an_overlay_fixes_is_not_reported_and_a_shared_base_is_reported_once() {
    let (text, report) = case("fixed");
    // Production sizes and probes the container; staging and dev do not: one finding at the
    // base line, naming both deployments, none naming production.
    let resources: Vec<&str> = text.lines().filter(|l| l.starts_with("K8S013")).collect();
    assert_eq!(
        resources,
        ["K8S013 base/deployment.yaml:19:15 [overlays/dev/kustomization.yaml, overlays/staging/kustomization.yaml]"],
        "{text}"
    );
    assert!(
        !text
            .lines()
            .any(|l| l.starts_with("K8S014") && l.contains("production")),
        "{text}"
    );
    // Staging's inline JSON patch adds `hostPID: true`: reported at its line in the
    // kustomization.
    assert!(
        text.contains("K8S028 overlays/staging/kustomization.yaml:11:14 []"),
        "{text}"
    );
    // Not judged as written either: the base would have been reported without a deployment.
    assert!(
        text.lines()
            .filter(|l| l.contains("base/"))
            .all(|l| !l.ends_with("[]")),
        "{text}"
    );
    assert!(report["diagnostics"].as_array().unwrap().is_empty());
}

#[test]
fn images_namespaces_prefixes_deletes_and_components_are_applied() {
    let (text, report) = case("transformers");
    // `newTag: latest` is the overlay's doing: reported at the kustomization's line.
    assert!(
        text.contains("K8S010 app/kustomization.yaml:14:11 []"),
        "{text}"
    );
    // The mirror's digest pins the redis image: no K8S012 for it.
    assert!(!text.contains("K8S012"), "{text}");
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("Deployment `shop-worker-v2`")),
        "{messages:#?}"
    );
    let (text, _) = case("deletes");
    // The privileged debug container and the hostPID pod are deleted by the overlay; the
    // component adds the seccomp profile.
    for gone in ["K8S002", "K8S007", "K8S022"] {
        assert!(!text.contains(gone), "{gone}: {text}");
    }
    assert!(text.contains("K8S014 base/app.yaml:17:15"), "{text}");
}

#[test]
fn remote_and_missing_resources_are_noted_not_followed() {
    let dir = crate::common::tree(&[(
        "deploy/kustomization.yaml",
        b"resources:\n- https://github.com/example/app//deploy?ref=v1.2.0\n- missing.yaml\npatches:\n- path: nothing.yaml\n",
    )]);
    let (report, _) = json_report(dir.path(), &[".", "--fail-on", "never"]);
    let notes = crate::common::line_messages(&report, "K8S025");
    assert_eq!(notes.len(), 3, "{notes:#?}");
    assert!(notes[0].1.contains("is a remote resource"), "{notes:#?}");
    assert_eq!(notes[0].0, 2);
    assert!(notes[1].1.contains("cannot be read"), "{notes:#?}");
    assert_eq!(notes[2].0, 5);
}

/// What kubectl's kustomize lacks, by its major version: (first version that has it, what).
const FEATURES: &[(u32, &str)] = &[
    (3, "a folder in `resources`"),
    (3, "patches"),
    (3, "replicas"),
    (4, "components"),
    (5, "labels"),
    (3, "an inline patch"),
    (5, "configMapGenerator"),
    (5, "secretGenerator"),
];

/// The major version of the kustomize `kubectl kustomize` runs.
fn kustomize_major() -> u32 {
    let output = std::process::Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .expect("kubectl runs");
    let text = String::from_utf8_lossy(&output.stdout);
    if let Some(at) = text.find("Kustomize Version: v") {
        let rest = &text[at + "Kustomize Version: v".len()..];
        return rest
            .split('.')
            .next()
            .and_then(|m| m.parse().ok())
            .expect("a version number");
    }
    // Before 1.21 kubectl did not print it: kustomize v2.0.3 up to kubectl 1.20.
    2
}

/// Every kustomization file under `dir` that is not a component.
fn kustomizations(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(is_kustomization_name)
            {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                let component = YamlFile::parse(&text)
                    .documents
                    .first()
                    .and_then(|d| d.get("kind"))
                    .and_then(YamlNode::as_str)
                    == Some("Component");
                if !component {
                    found.push(path);
                }
            }
        }
    }
    found.sort();
    found
}

/// The features of [`FEATURES`] the kustomizations of a build use.
fn features(used: &[PathBuf]) -> Vec<(u32, &'static str)> {
    let mut found = Vec::new();
    for path in used.iter().filter(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(is_kustomization_name)
    }) {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let yaml = YamlFile::parse(&text);
        let Some(k) = yaml.documents.first() else {
            continue;
        };
        let dir = path.parent().expect("folder");
        for &(version, what) in FEATURES {
            let used = match what {
                "a folder in `resources`" => k.get("resources").is_some_and(|r| {
                    r.items()
                        .iter()
                        .filter_map(YamlNode::as_str)
                        .any(|p| dir.join(p).is_dir())
                }),
                "an inline patch" => ["patchesStrategicMerge", "patches", "patchesJson6902"]
                    .iter()
                    .filter_map(|key| k.get(key))
                    .flat_map(YamlNode::items)
                    .any(|p| {
                        p.get("patch").is_some() || p.as_str().is_some_and(|s| s.contains('\n'))
                    }),
                key => k.get(key).is_some(),
            };
            if used && !found.contains(&(version, what)) {
                found.push((version, what));
            }
        }
    }
    found
}

/// Objects as plain data in a canonical order: keys sorted (serde_json's default map), the
/// items of lists Kubernetes merges by key sorted (their order is kustomize's choice), the
/// objects sorted by kind, namespace and name.
fn normalised(objects: Vec<Value>) -> Vec<String> {
    fn sort_merged(value: &mut Value, key: &str) {
        match value {
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    sort_merged(v, k);
                }
            }
            Value::Array(items) => {
                items.iter_mut().for_each(|i| sort_merged(i, ""));
                if matches!(
                    key,
                    "containers" | "initContainers" | "env" | "ports" | "volumes" | "volumeMounts"
                ) {
                    items.sort_by_key(|i| i.to_string());
                }
            }
            // YAML 1.1's octal integers (`defaultMode: 0755`), which kustomize prints in
            // decimal.
            Value::String(text)
                if text.len() > 1
                    && text.starts_with('0')
                    && text.bytes().all(|b| (b'0'..=b'7').contains(&b)) =>
            {
                if let Ok(n) = u64::from_str_radix(text, 8) {
                    *text = n.to_string();
                }
            }
            _ => {}
        }
    }
    let mut out: Vec<String> = objects
        .into_iter()
        .map(|mut o| {
            sort_merged(&mut o, "");
            serde_json::to_string_pretty(&o).expect("json")
        })
        .collect();
    out.sort();
    out
}

/// What preflight builds of the kustomization at `path`, and the files it read.
fn ours(path: &Path) -> (Vec<String>, Vec<PathBuf>) {
    let files = DiskFiles::new(&[root()], preflight::config::DEFAULT_MAX_FILE_SIZE);
    let text = std::fs::read(path).expect("kustomization");
    let source = Arc::new(SourceFile::from_bytes(
        path.to_path_buf(),
        path.display().to_string(),
        text,
    ));
    let built = kustomize::build(&source, &files, &HashMap::new());
    assert!(
        built.notes.is_empty(),
        "{}: {:?}",
        path.display(),
        built.notes
    );
    let objects = built.objects.iter().map(kustomize::to_json).collect();
    (normalised(objects), built.used)
}

/// Objects of a `kustomize build` output.
fn printed(text: &str) -> Vec<String> {
    let yaml = YamlFile::parse(text);
    assert!(yaml.errors.is_empty(), "{text}");
    normalised(yaml.documents.iter().map(kustomize::to_json).collect())
}

/// What `kubectl kustomize` prints for the folder, or why it refused.
fn kubectl(dir: &Path) -> Result<Vec<String>, String> {
    let output = std::process::Command::new("kubectl")
        .arg("kustomize")
        .arg(dir)
        .output()
        .expect("kubectl runs");
    if output.status.success() {
        Ok(printed(&String::from_utf8_lossy(&output.stdout)))
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

#[test]
#[cfg_attr(
    not(test_tool = "kubectl"),
    ignore = "needs kubectl (apt-get install kubernetes-client)"
)]
fn every_kustomization_builds_as_kubectl_kustomize_builds_it() {
    let major = kustomize_major();
    let mut compared = 0;
    let mut expected_only = Vec::new();
    let corpora = [root().join("fixtures")];
    for corpus in &corpora {
        for path in kustomizations(corpus) {
            let dir = path.parent().expect("folder");
            let (built, used) = ours(&path);
            let lacking: Vec<&str> = features(&used)
                .into_iter()
                .filter(|(since, _)| *since > major)
                .map(|(_, what)| what)
                .collect();
            let expected = dir.join("kustomize-build.expected");
            if expected.is_file() {
                let text = std::fs::read_to_string(&expected).expect("expected output");
                assert_eq!(
                    built,
                    printed(&text),
                    "{} (hand-checked output)",
                    dir.display()
                );
            }
            if lacking.is_empty() {
                let real = kubectl(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
                assert_eq!(built, real, "{} (kubectl kustomize)", dir.display());
                compared += 1;
            } else {
                assert!(
                    expected.is_file() || !path.starts_with(root().join("fixtures")),
                    "{} uses {lacking:?}, which kustomize v{major} lacks: write the hand-checked kustomize-build.expected",
                    dir.display()
                );
                expected_only.push(dir.to_path_buf());
            }
        }
    }
    assert!(
        compared >= 2,
        "compared with kubectl: {compared}, expected output only: {expected_only:?}"
    );
}

#[test]
fn generated_secrets_are_reported_and_never_shown() {
    let (text, _) = case("generators");
    // The literal in the kustomization, and the env file's token, each at its line.
    assert!(
        text.contains("K8S015 app/kustomization.yaml:14:17 []"),
        "{text}"
    );
    assert!(
        text.contains("K8S015 app/api.secrets:2:11 [app/kustomization.yaml]"),
        "{text}"
    );
    let dir = root().join("fixtures/kustomize/generators");
    for (format, shown) in crate::common::shown_in_every_format(&dir, &[]) {
        assert!(shown.contains("K8S015"), "{format}: {shown}");
        for secret in [
            "Kz7-fixture-horse",
            "S3o3LWZpeHR1cmUt",
            "tok_live_9fJ2kQ8xLm4PzR7vWc3N",
            "dG9rX2xpdmVf",
        ] {
            assert!(!shown.contains(secret), "{format} shows {secret}: {shown}");
        }
    }
}

#[test]
fn an_overlay_checked_without_its_base_says_so() {
    let (report, _) = json_report(
        &root(),
        &[
            "fixtures/kustomize/fixed/overlays/staging",
            "--fail-on",
            "never",
        ],
    );
    let found = crate::common::rule_messages(&report);
    // The base is outside what was checked: noted, and nothing of it is judged; the overlay's
    // own patch has no object to apply to, which is said too.
    assert!(
        found
            .iter()
            .any(|(id, m)| *id == "K8S025" && m.contains("outside the folders being checked")),
        "{found:#?}"
    );
    assert!(found.iter().all(|(id, _)| *id == "K8S025"), "{found:#?}");
}
