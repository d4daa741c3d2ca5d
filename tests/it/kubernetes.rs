//! Kubernetes manifests end to end: discovery by content, templates and kustomize inputs
//! reported as not checked, the public examples corpus read without parse errors, bad input
//! as located diagnostics, secrets never printed, and CronJobs counting as backups.

use crate::common::{active_rules, json_report, preflight_in, root, tree};

fn findings(report: &serde_json::Value) -> &Vec<serde_json::Value> {
    report["findings"].as_array().expect("findings")
}

const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        image: nginx
";

#[test]
fn only_yaml_with_api_version_and_kind_is_read_as_kubernetes() {
    let dir = tree(&[
        ("k8s/web.yaml", DEPLOYMENT.as_bytes()),
        (
            ".github/workflows/ci.yml",
            b"name: ci\non: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n    - run: echo kind\n",
        ),
        ("chart/values.yaml", b"image:\n  tag: latest\nkind: web\n"),
        ("config.yml", b"apiVersion: 1\nname: x\n"),
        (
            "docker-compose.yml",
            b"services:\n  db:\n    image: postgres:16\n",
        ),
    ]);
    let (report, _) = json_report(dir.path(), &[".", "--ignore", "BAK001"]);
    let paths: Vec<&str> = findings(&report)
        .iter()
        .filter(|f| f["rule_id"].as_str().unwrap_or("").starts_with("K8S"))
        .map(|f| f["location"]["path"].as_str().unwrap())
        .collect();
    assert!(paths.iter().all(|p| *p == "k8s/web.yaml"), "{paths:?}");
    assert!(paths.contains(&"k8s/web.yaml"));
    // The manifest and the Compose file; the workflow, values file and config are not ours.
    assert_eq!(report["summary"]["files_checked"], 2, "{report:#}");
    assert!(report["diagnostics"].as_array().unwrap().is_empty());
}

#[test]
fn templates_are_reported_once_as_not_checked_and_kustomizations_are_built() {
    // Without Helm: charts rendered with it are tests/it/helm.rs's.
    let (report, code) = json_report(&root(), &["fixtures/kubernetes-templates", "--no-helm"]);
    let diagnostics = report["diagnostics"].as_array().expect("diagnostics");
    let mut not_checked: Vec<&str> = diagnostics
        .iter()
        .map(|d| {
            assert_eq!(d["kind"], "template", "{d}");
            assert!(
                d["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("not checked: template"),
                "{d}"
            );
            d["path"].as_str().unwrap()
        })
        .collect();
    not_checked.sort_unstable();
    assert_eq!(
        not_checked,
        [
            "fixtures/kubernetes-templates/chart/templates/deployment.yaml",
            "fixtures/kubernetes-templates/chart/templates/service.yaml",
            "fixtures/kubernetes-templates/chart/templates/tests/test-connection.yaml",
            "fixtures/kubernetes-templates/mustache-service.yaml",
        ]
    );
    // Not an error: the templates' LoadBalancer on 5432 is not judged, nothing fails the gate.
    assert_eq!(code, 0, "{report:#}");
    let judged: Vec<&str> = findings(&report)
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap())
        .collect();
    assert!(judged
        .iter()
        .all(|p| *p == "fixtures/kubernetes-templates/kustomize/deployment.yaml"));
    assert!(
        !judged.is_empty(),
        "the kustomization's resource is checked"
    );
    // As built: the patch the kustomization applies gives the container its resources.
    assert!(
        !active_rules(&report).contains(&"K8S013".to_owned()),
        "{report:#}"
    );
    assert!(findings(&report).iter().all(|f| f["related"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["path"] == "fixtures/kubernetes-templates/kustomize/kustomization.yaml")));
    assert!(!active_rules(&report).contains(&"PF001".to_owned()));
    // The human report names them too, as warnings, not findings.
    let output = preflight_in(&root())
        .args(["check", "fixtures/kubernetes-templates/chart", "--no-helm"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("chart/templates/service.yaml: not checked: template"),
        "{stdout}"
    );
}

/// Every committed Kubernetes manifest (`fixtures/kubernetes`, `fixtures/kubernetes-templates`,
/// `fixtures/kustomize`: Lists, anchors, multi-document files, CronJobs, StatefulSets, Helm and
/// Go-template files, kustomize bases and overlays) parses without an error; the templates
/// among them are reported as such, and every workload is judged. (This ran on the public
/// kubernetes/examples repository kept beside the checkout; no package registry CI reaches
/// carries it, so it runs on the committed manifests.)
#[test]
fn every_committed_manifest_parses_and_every_workload_is_judged() {
    let mut checked = 0;
    for set in ["kubernetes", "kubernetes-templates", "kustomize"] {
        let corpus = root().join("fixtures").join(set);
        let (report, _) = json_report(&corpus, &["."]);
        let all = findings(&report);
        let errors: Vec<&serde_json::Value> =
            all.iter().filter(|f| f["rule_id"] == "PF001").collect();
        assert!(errors.is_empty(), "{errors:#?}");
        let diagnostics = report["diagnostics"].as_array().expect("diagnostics");
        assert!(
            diagnostics.iter().all(|d| d["kind"] == "template"),
            "{diagnostics:#?}"
        );
        checked += report["summary"]["files_checked"].as_u64().unwrap();
        let templates: Vec<&str> = diagnostics
            .iter()
            .map(|d| d["path"].as_str().unwrap())
            .collect();
        let mut unjudged = Vec::new();
        let mut folders = vec![corpus.clone()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).expect("corpus folder") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    folders.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                let workload = text.lines().any(|l| {
                    matches!(
                        l.trim_end(),
                        "kind: Deployment"
                            | "kind: StatefulSet"
                            | "kind: DaemonSet"
                            | "kind: Pod"
                            | "kind: ReplicationController"
                            | "kind: Job"
                    )
                });
                let display = path
                    .strip_prefix(&corpus)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                let judged = all.iter().any(|f| {
                    f["location"]["path"] == display.as_str()
                        && f["rule_id"].as_str().unwrap().starts_with("K8S")
                });
                // `pass-*` fixtures are hardened on purpose: no finding is their expected result
                // (checked by `check_fixture_cases`).
                let hardened = display.starts_with("pass-");
                // Kustomize patches are judged in the deployment they patch, at the base's
                // lines: only plain manifests must carry their own findings.
                let plain = set == "kubernetes";
                if plain
                    && workload
                    && !judged
                    && !hardened
                    && !templates.contains(&display.as_str())
                {
                    unjudged.push(display);
                }
            }
        }
        assert!(
            unjudged.is_empty(),
            "{set}: workloads not judged: {unjudged:?}"
        );
    }
    assert!(checked >= 58, "{checked} files checked");
}

#[test]
fn bad_input_is_a_located_diagnostic_never_a_panic() {
    let deep = format!(
        "apiVersion: v1\nkind: Pod\nspec: {}x{}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let huge = format!(
        "apiVersion: v1\nkind: ConfigMap\ndata:\n{}",
        (0..50_000)
            .map(|i| format!("  k{i}: v{i}\n"))
            .collect::<String>()
    );
    let dir = tree(&[
        (
            "broken.yaml",
            b"apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: web\n    image: [unclosed\n",
        ),
        (
            "wrong-types.yaml",
            b"apiVersion: v1\nkind: Pod\nspec:\n  containers: \"x\"\n  securityContext:\n    runAsNonRoot: maybe\n    runAsUser: root\n---\napiVersion: apps/v1\nkind: Deployment\nspec:\n  template: [1, 2]\n---\napiVersion: v1\nkind: Pod\nspec:\n  initContainers:\n  - just a string\n",
        ),
        (
            "not-mappings.yaml",
            b"--- just a scalar\n--- [apiVersion, kind]\n---\n- apiVersion: v1\n  kind: Pod\n---\napiVersion: v1\nkind: [Pod]\n---\napiVersion: v1\nkind: List\nitems: nope\n",
        ),
        ("deep.yaml", deep.as_bytes()),
        ("huge.yaml", huge.as_bytes()),
        ("aliases.yaml", b"apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - *nowhere\n  - name: a\n    securityContext: *undefined\n"),
    ]);
    let (report, code) = json_report(dir.path(), &["."]);
    assert!(code == 0 || code == 1, "exit {code}");
    let errors: Vec<(String, u64, u64, String)> = findings(&report)
        .iter()
        .filter(|f| f["rule_id"] == "PF001")
        .map(|f| {
            (
                f["location"]["path"].as_str().unwrap().to_owned(),
                f["location"]["start_line"].as_u64().unwrap(),
                f["location"]["start_column"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let at = |path: &str, line: u64| errors.iter().any(|e| e.0 == path && e.1 == line);
    assert!(at("broken.yaml", 7) || at("broken.yaml", 6), "{errors:#?}");
    // `containers: "x"` and the two bad securityContext values, each at its value.
    assert!(
        errors.iter().any(|e| e.0 == "wrong-types.yaml"
            && e.1 == 4
            && e.2 == 15
            && e.3.contains("`containers` must be a list")),
        "{errors:#?}"
    );
    assert!(
        at("wrong-types.yaml", 6) && at("wrong-types.yaml", 7),
        "{errors:#?}"
    );
    assert!(at("wrong-types.yaml", 12), "template: [1, 2]: {errors:#?}");
    assert!(
        at("wrong-types.yaml", 18),
        "a container that is a string: {errors:#?}"
    );
    assert!(at("aliases.yaml", 5), "an alias to nowhere: {errors:#?}");
    assert!(at("deep.yaml", 3), "{errors:#?}");
    assert!(!errors
        .iter()
        .any(|e| e.0 == "huge.yaml" || e.0 == "not-mappings.yaml"));
    assert!(errors.iter().all(|e| e.1 > 0));
}

/// Values that must never appear in any output: a Secret's `stringData`, the decoded and
/// encoded forms of its `data`, a literal env secret and a URL password.
const CANARIES: &[&str] = &[
    "kcnry1Qx7vTz9Lw2Pk4MjRb8Nc5Vd2Xf",
    "kcnry2hunter2hunter",
    "a2NucnkyaHVudGVyMmh1bnRlcg==",
    "kcnry3Zx9Cv7Bn5Mm3k2Lp8Qa1Ws",
    "kcnry4Up0Wq2Er4",
];

const MANIFEST: &str = "\
apiVersion: v1
kind: Secret
metadata:
  name: app
stringData:
  JWT_SECRET: kcnry1Qx7vTz9Lw2Pk4MjRb8Nc5Vd2Xf
data:
  db-password: a2NucnkyaHVudGVyMmh1bnRlcg==
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
      - name: api
        image: api:latest
        env:
        - name: STRIPE_API_KEY
          value: kcnry3Zx9Cv7Bn5Mm3k2Lp8Qa1Ws
        - name: DATABASE_URL
          value: postgresql://app:kcnry4Up0Wq2Er4@db.example.org:5432/app
";

#[test]
fn no_output_format_shows_a_manifest_secret() {
    let dir = tree(&[("k8s/app.yaml", MANIFEST.as_bytes())]);
    for format in ["human", "json", "sarif", "github", "markdown"] {
        let output = preflight_in(dir.path())
            .args(["check", ".", "--format", format])
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(1), "{format}");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stdout.len() > 300, "{format}: {stdout}");
        for canary in CANARIES {
            assert!(
                !stdout.contains(canary),
                "{format} leaks {canary}:\n{stdout}"
            );
            assert!(
                !stderr.contains(canary),
                "{format} leaks {canary}:\n{stderr}"
            );
        }
    }
    // The secrets are still found, at their values.
    let (report, _) = json_report(dir.path(), &["."]);
    let rules = active_rules(&report);
    assert_eq!(
        rules.iter().filter(|r| *r == "K8S015").count(),
        2,
        "{rules:?}"
    );
    assert_eq!(
        rules.iter().filter(|r| *r == "K8S016").count(),
        2,
        "{rules:?}"
    );
}

#[test]
fn a_cronjob_running_pg_dump_counts_as_a_backup_job() {
    let compose = b"services:\n  db:\n    image: postgres:16\n".as_slice();
    let cronjob = std::fs::read(root().join("fixtures/kubernetes/cronjob-backup.yaml")).unwrap();
    let without = tree(&[("docker-compose.yml", compose)]);
    let with = tree(&[
        ("docker-compose.yml", compose),
        ("k8s/backup.yaml", cronjob.as_slice()),
    ]);
    let (report, _) = json_report(without.path(), &["."]);
    assert!(active_rules(&report).contains(&"BAK001".to_owned()));
    let (report, _) = json_report(with.path(), &["."]);
    assert!(
        !active_rules(&report).contains(&"BAK001".to_owned()),
        "{report:#}"
    );
    // The same command in a one-off Job is not a schedule.
    let one_off = String::from_utf8(cronjob)
        .unwrap()
        .replace("kind: CronJob", "kind: Job");
    let job = tree(&[
        ("docker-compose.yml", compose),
        ("k8s/backup.yaml", one_off.as_bytes()),
    ]);
    let (report, _) = json_report(job.path(), &["."]);
    assert!(active_rules(&report).contains(&"BAK001".to_owned()));
}

#[test]
fn settings_with_secret_like_names_are_not_scrubbed_from_messages() {
    // `automountServiceAccountToken: false` has "token" in its name: `false` is still not a
    // secret, and messages that quote `allowPrivilegeEscalation: false` stay readable.
    let dir = tree(&[(
        "pod.yaml",
        b"apiVersion: v1\nkind: Pod\nspec:\n  automountServiceAccountToken: false\n  containers:\n  - name: web\n".as_slice(),
    )]);
    let (report, _) = json_report(dir.path(), &["."]);
    let escalation = findings(&report)
        .iter()
        .find(|f| f["rule_id"] == "K8S003")
        .expect("K8S003");
    let message = escalation["message"].as_str().unwrap();
    assert!(
        message.contains("`allowPrivilegeEscalation: false`"),
        "{message}"
    );
}
