//! `--format junit`: one test case per control and target with `--framework`, per rule and
//! file without; failures carry the findings (masked snippets), skips the reason. Validated
//! against Jenkins' JUnit schema (`junit-10.xsd`, which GitLab and Azure read by too) with
//! xmllint; the schema comes from pytest's source archive (tests/tools/fetch-junit-xsd.py).

use std::path::Path;

use crate::common::{json_report, preflight, root};

/// `preflight check ARGS --format junit`, and the JSON report of the same run.
fn junit(args: &[&str]) -> (String, serde_json::Value) {
    let output = preflight()
        .arg("check")
        .args(args)
        .args(["--format", "junit", "--fail-on", "never"])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{output:?}");
    let (json, _) = json_report(&root(), &[args, &["--fail-on", "never"]].concat());
    (String::from_utf8(output.stdout).expect("UTF-8"), json)
}

fn count(xml: &str, needle: &str) -> usize {
    xml.matches(needle).count()
}

#[test]
fn controls_by_target_with_a_framework() {
    let (xml, json) = junit(&["fixtures/sshd", "--framework", "devsec-ssh"]);
    let rollup = &json["compliance"][0];
    let judged: usize = rollup["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .map(|t| t["controls"].as_array().expect("controls").len())
        .sum();
    let not_covered = rollup["totals"]["not_covered"].as_u64().expect("count") as usize;
    assert_eq!(count(&xml, "<testcase "), judged + not_covered, "{xml}");
    let failed: usize = rollup["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .map(|t| t["totals"]["failed"].as_u64().expect("failed") as usize)
        .sum();
    assert!(failed > 0);
    assert_eq!(count(&xml, "<failure "), failed);
    assert!(
        xml.contains("not covered: no preflight rule gives evidence"),
        "{xml}"
    );
    assert!(xml.contains("not a certification"));
    // A failure carries each finding's message.
    let finding = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule_id"] == "SSH003")
        .expect("an SSH003 finding");
    let message = finding["message"].as_str().expect("message");
    let escaped = message
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;");
    assert!(xml.contains(&escaped), "{message}");
}

#[test]
fn rules_by_file_without_a_framework_and_secrets_stay_masked() {
    let (xml, json) = junit(&["fixtures/env", "--results", "all"]);
    let results = json["results"].as_array().expect("results");
    assert_eq!(count(&xml, "<testcase "), results.len());
    // A fail whose every finding is suppressed inline is a skip (waived), not a failure.
    let findings = json["findings"].as_array().expect("findings");
    let failed = results
        .iter()
        .filter(|r| {
            r["status"] == "fail"
                && findings.iter().any(|f| {
                    f["rule_id"] == r["rule_id"]
                        && f["location"]["path"] == r["path"]
                        && f["suppression"].is_null()
                })
        })
        .count();
    assert!(failed > 0 && failed < results.len());
    assert_eq!(count(&xml, "<failure "), failed);
    let waived = results.iter().filter(|r| r["status"] == "fail").count() - failed;
    assert_eq!(
        count(
            &xml,
            "every finding here is suppressed inline or recorded in the baseline"
        ),
        waived
    );
    // Every snippet in the XML is the JSON's masked one: no secret shows in either.
    for finding in json["findings"].as_array().expect("findings") {
        let snippet = finding["snippet"]["text"].as_str().expect("snippet");
        if snippet.contains('*') {
            let first = snippet.lines().next().expect("a line");
            let escaped = first
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', "&apos;");
            assert!(xml.contains(&escaped), "{first}");
        }
    }
}

#[test]
#[cfg_attr(
    not(test_tool = "junit_schema"),
    ignore = "needs xmllint (apt-get install libxml2-utils) and the JUnit schema (python3 tests/tools/fetch-junit-xsd.py)"
)]
fn junit_reports_validate_against_the_jenkins_schema() {
    let schema = root().join("tests/tools/junit/junit-10.xsd");
    let dir = tempfile::tempdir().expect("tempdir");
    let runs: [&[&str]; 4] = [
        &["fixtures/sshd", "--framework", "devsec-ssh"],
        &[
            "fixtures/django",
            "fixtures/nginx",
            "--framework",
            "asvs-4.0.3,devsec-nginx",
        ],
        &["fixtures/env"],
        &["examples/insecure-shop"],
    ];
    for (i, args) in runs.iter().enumerate() {
        let file = dir.path().join(format!("report-{i}.xml"));
        let status = preflight()
            .arg("check")
            .args(*args)
            .args(["--fail-on", "never", "-o"])
            .arg(&file)
            .output()
            .expect("runs");
        assert!(status.status.success(), "{args:?}: {status:?}");
        validate(&schema, &file);
    }
}

fn validate(schema: &Path, file: &Path) {
    let output = std::process::Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(schema)
        .arg(file)
        .output()
        .expect("xmllint runs");
    assert!(
        output.status.success(),
        "{}: {}",
        file.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}
