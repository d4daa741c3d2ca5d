//! Every SARIF log preflight writes validates against the official SARIF 2.1.0 schema and
//! carries what GitHub code scanning needs.

use crate::common::{assert_valid_sarif as assert_valid, preflight, preflight_in, tree};

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
    let mut env = String::from("DEBUG=true\n");
    for i in 0..25_100 {
        env.push_str(&format!("export K{i}=1\n"));
    }
    let dir = tree(&[(".env", env.as_bytes())]);
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
/// brackets in it are percent-encoded in the `ssh://` URI, so the log stays valid and the
/// label still reads back.
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
    let uris: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(
        uris.contains(&"ssh://we%25ird%20%5Bhost%5D%23x%3Fy/srv/app%20%251/.env"),
        "{uris:?}"
    );
}
