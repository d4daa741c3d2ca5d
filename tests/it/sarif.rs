//! Every SARIF log preflight writes validates against the official SARIF 2.1.0 schema and
//! carries what GitHub code scanning needs.

use crate::common::{assert_valid_sarif as assert_valid, preflight, preflight_in, tree};

/// Every `uri` in `sarif` is relative to `%SRCROOT%` or a `file:` URI.
fn assert_no_uri_outside_the_repository(sarif: &serde_json::Value) {
    match sarif {
        serde_json::Value::Object(map) => {
            if let Some(uri) = map.get("uri").and_then(|u| u.as_str()) {
                assert!(
                    uri.starts_with("file:") || !uri.contains("://"),
                    "{uri}: code scanning refuses absolute non-file URIs"
                );
            }
            map.values().for_each(assert_no_uri_outside_the_repository);
        }
        serde_json::Value::Array(items) => {
            items.iter().for_each(assert_no_uri_outside_the_repository);
        }
        _ => {}
    }
}

fn sarif_of(cmd: &mut assert_cmd::Command) -> serde_json::Value {
    let output = cmd.args(["--format", "sarif"]).output().expect("runs");
    serde_json::from_slice(&output.stdout).expect("SARIF is JSON")
}

#[test]
fn example_shop_sarif_validates_and_carries_github_metadata() {
    let sarif = sarif_of(preflight().args(["check", "examples/insecure-shop"]));
    assert_valid(&sarif);
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert!(run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap()
        .starts_with("file:///"));
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let placeholder = rules
        .iter()
        .find(|r| r["id"] == "ENV010")
        .expect("ENV010 described");
    assert_eq!(placeholder["properties"]["security-severity"], "9.5");
    assert!(placeholder["properties"]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t == "security"));
    assert!(placeholder["help"]["markdown"]
        .as_str()
        .unwrap()
        .contains("## How to fix it"));
    assert!(placeholder["helpUri"].as_str().unwrap().starts_with("http"));
    let results = run["results"].as_array().unwrap();
    assert!(results.len() > 5);
    for result in results {
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(location["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .starts_with("examples/insecure-shop/"));
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
        assert_eq!(
            result["partialFingerprints"]["preflight/v1"]
                .as_str()
                .unwrap()
                .len(),
            32
        );
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }
    let severities: Vec<u8> = results
        .iter()
        .map(|r| match r["level"].as_str().unwrap() {
            "error" => 2,
            "warning" => 1,
            _ => 0,
        })
        .collect();
    assert!(
        severities.windows(2).all(|w| w[0] >= w[1]),
        "most severe first"
    );
}

#[test]
fn sarif_validates_for_clean_runs_related_locations_notifications_and_odd_paths() {
    let dir = tree(&[
        ("with space/.env", b"A=1\nA=2\n"),
        ("clean/.env", b"NODE_ENV=production\n"),
        ("bin/.env", b"A=\0\x01\x02"),
    ]);
    let sarif = sarif_of(preflight_in(dir.path()).args(["check", "."]));
    assert_valid(&sarif);
    let run = &sarif["runs"][0];
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "ENV031");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "with%20space/.env"
    );
    assert_eq!(
        result["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
        1
    );
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(notes[0]["message"]["text"]
        .as_str()
        .unwrap()
        .contains("bin/.env"));

    let clean = sarif_of(preflight_in(&dir.path().join("clean")).args(["check", "."]));
    assert_valid(&clean);
    assert_eq!(clean["runs"][0]["results"].as_array().unwrap().len(), 0);
}

#[test]
fn sarif_keeps_the_most_severe_results_within_githubs_limit_and_warns() {
    // 252 files of 100 info findings each (one rule reports at most 100 in a file), and
    // one high finding in the last file.
    let exports: String = (0..100).map(|i| format!("export K{i}=1\n")).collect();
    let last = format!("{exports}DEBUG=true\n");
    let names: Vec<String> = (0..252).map(|i| format!("app{i:03}/.env")).collect();
    let files: Vec<(&str, &[u8])> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let text = if i == 251 { &last } else { &exports };
            (name.as_str(), text.as_bytes())
        })
        .collect();
    let dir = tree(&files);
    let output = preflight_in(dir.path())
        .args(["check", ".", "--format", "sarif"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("exceed GitHub's 25000 per run"), "{stderr}");
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).expect("SARIF");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 25_000);
    assert_eq!(
        results[0]["ruleId"], "ENV001",
        "the high finding survives the cut"
    );
}

/// A host label is whatever the user or a saved snapshot calls the host: `%`, spaces and
/// brackets in it are percent-encoded in the run's `automationDetails.id`, so the log stays
/// valid, and the label reads back in the message and properties. A host without an
/// inventory entry has no place in the repository: its results have no location, never an
/// `ssh://` URI code scanning would refuse.
#[test]
fn host_labels_with_uri_syntax_are_percent_encoded() {
    let dir = tree(&[
        (
            "snap/manifest.json",
            br#"{"format": "preflight-host-snapshot", "host": "we%ird [host]", "collected_at": 0, "allowlist_version": 2, "location_prefix": "ssh://we%ird [host]#x?y", "files": [{"path": "/srv/app %1/.env", "kind": "env"}], "unable_to_check": []}"#,
        ),
        ("snap/srv/app %1/.env", b"DEBUG=true\n"),
    ]);
    let sarif = sarif_of(preflight_in(dir.path()).args(["check", "--snapshot", "snap"]));
    assert_valid(&sarif);
    let runs = sarif["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1, "the host's run only");
    assert_eq!(
        runs[0]["automationDetails"]["id"],
        "preflight/live/we%25ird%20%5Bhost%5D%23x%3Fy/"
    );
    let results = runs[0]["results"].as_array().expect("results");
    let debug = results
        .iter()
        .find(|r| r["ruleId"] == "ENV001")
        .expect("ENV001");
    assert!(debug
        .get("locations")
        .is_none_or(|l| l.as_array().is_some_and(Vec::is_empty)));
    assert_eq!(debug["properties"]["host"], "we%ird [host]#x?y");
    assert_eq!(
        debug["properties"]["hostLocation"],
        "ssh://we%ird [host]#x?y/srv/app %1/.env:1"
    );
    assert!(debug["message"]["text"]
        .as_str()
        .expect("text")
        .starts_with("ssh://we%ird [host]#x?y/srv/app %1/.env:1: "));
    assert_no_uri_outside_the_repository(&sarif);
}

/// A fleet in the inventory: each host's findings in a run of its own
/// (`automationDetails.id` = `preflight/live/HOST/`), located at the `preflight.toml` line
/// naming the host, with the host's file and line in the message and properties. Every
/// location is a repository-relative path: what GitHub code scanning accepts.
#[test]
fn a_fleets_findings_are_located_at_the_inventory_lines_naming_the_hosts() {
    let dir = tempfile::tempdir().expect("tempdir");
    crate::html::three_hosts(&dir.path().join("fleet"));
    std::fs::write(
        dir.path().join("preflight.toml"),
        "fail_on = \"never\"\n\n[hosts.web1]\naddress = \"10.0.0.1\"\n\n[hosts.\"web2\"]\naddress = \"10.0.0.2\"\n\n[hosts]\ndb1 = { address = \"10.0.0.3\" }\n",
    )
    .expect("write");
    let sarif = sarif_of(preflight_in(dir.path()).args(["check", "--snapshot", "fleet"]));
    assert_valid(&sarif);
    let runs = sarif["runs"].as_array().expect("runs");
    let ids: Vec<&str> = runs
        .iter()
        .map(|r| r["automationDetails"]["id"].as_str().expect("id"))
        .collect();
    // web1 is hardened and has no finding: no run of its own.
    assert_eq!(ids, ["preflight/live/db1/", "preflight/live/web2/"]);
    for (run, (host, line)) in runs.iter().zip([("db1", 10), ("web2", 6)]) {
        let results = run["results"].as_array().expect("results");
        assert!(!results.is_empty(), "{host}");
        for result in results {
            assert_eq!(result["properties"]["host"], host);
            let location = &result["locations"][0]["physicalLocation"];
            assert_eq!(location["artifactLocation"]["uri"], "preflight.toml");
            assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            assert_eq!(location["region"]["startLine"], line, "{host}");
            let text = result["message"]["text"].as_str().expect("text");
            assert!(text.starts_with(&format!("ssh://{host}/etc/")), "{text}");
        }
    }
    assert_no_uri_outside_the_repository(&sarif);
}

/// GitHub accepts 20 runs per SARIF file: past that, the last hosts share the run
/// `preflight/live/` (each result still naming its host), and a warning says so.
#[test]
fn a_fleet_past_githubs_run_limit_shares_one_run_and_warns() {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..22 {
        let host = format!("host{i:02}");
        files.push((
            format!("fleet/{host}/manifest.json"),
            format!(r#"{{"format": "preflight-host-snapshot", "host": "{host}", "collected_at": 0, "allowlist_version": 2, "location_prefix": "ssh://{host}", "files": [{{"path": "/srv/app/.env", "kind": "env"}}], "unable_to_check": []}}"#).into_bytes(),
        ));
        files.push((
            format!("fleet/{host}/srv/app/.env"),
            b"DEBUG=true\n".to_vec(),
        ));
    }
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    let dir = tree(&refs);
    let output = preflight_in(dir.path())
        .args(["check", "--snapshot", "fleet", "--format", "sarif"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("3 of 22 hosts share the run `preflight/live/`"),
        "{stderr}"
    );
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).expect("SARIF");
    assert_valid(&sarif);
    let runs = sarif["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 20);
    assert_eq!(runs[0]["automationDetails"]["id"], "preflight/live/host00/");
    assert_eq!(runs[19]["automationDetails"]["id"], "preflight/live/");
    let shared: std::collections::BTreeSet<&str> = runs[19]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["properties"]["host"].as_str().expect("host"))
        .collect();
    assert_eq!(shared, ["host19", "host20", "host21"].into());
}
