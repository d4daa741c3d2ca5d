//! Whole-project fixtures under `fixtures/django/<case>/`: each case's findings, one
//! `RULE path:line:column` per line, are the snapshot `fixture_projects__django__<case>.snap`
//! (see tests/it/main.rs to review and accept changes).

use crate::common::{
    self, case_findings, check_fixture_cases, findings_at, json_report, root, tree,
};

#[test]
fn django_fixtures_report_exactly_their_expected_findings() {
    assert!(check_fixture_cases("django") >= 7, "fixtures missing");
}

#[test]
fn hardened_settings_have_nothing_above_info() {
    let (_, report) = case_findings(&root().join("fixtures/django/hardened"));
    let findings = report["findings"].as_array().expect("findings");
    assert!(
        !findings.is_empty(),
        "the env-read SECRET_KEY is worth a note"
    );
    for finding in findings {
        assert_eq!(finding["severity"], "info", "{finding}");
    }
}

#[test]
fn a_base_module_and_dev_settings_are_judged_only_through_production() {
    let (got, _) = case_findings(&root().join("fixtures/django/package"));
    assert!(got.contains("production.py"), "{got}");
    assert!(
        !got.contains("base.py") && !got.contains("dev.py"),
        "base.py is judged through production.py and dev.py is not deployed:\n{got}"
    );
}

#[test]
fn inherited_debug_is_reported_at_the_star_import_with_the_base_line_related() {
    let (_, report) = case_findings(&root().join("fixtures/django/package"));
    let debug = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule_id"] == "DJ001")
        .expect("production.py inherits DEBUG = True");
    let message = debug["message"].as_str().expect("message");
    assert!(message.contains("inherited from"), "{message}");
    assert!(message.ends_with("(Django: security.W018)"), "{message}");
    let related = debug["related"].to_string();
    assert!(related.contains("base.py"), "{related}");
}

#[test]
fn settings_py_files_that_are_not_django_are_left_alone() {
    let dir = common::tree(&[
        ("tool/settings.py", b"COLOR = 'blue'\nWIDTH = 80\n" as &[u8]),
        (
            "flask_app/settings.py",
            b"from defaults import *\nDEBUG = True\nSECRET_KEY = 'dev'\n",
        ),
    ]);
    let (report, code) = json_report(dir.path(), &["."]);
    assert_eq!(code, 0);
    assert_eq!(report["findings"].as_array().expect("findings").len(), 0);
}

/// The smallest settings module a project can deploy with: `DEBUG` and `SECRET_KEY`, nothing
/// else (it used to pass unchecked).
#[test]
fn a_settings_py_with_only_debug_and_secret_key_is_checked() {
    let dir = common::tree(&[(
        "project/settings.py",
        b"DEBUG = True\nSECRET_KEY = 'changeme'\n" as &[u8],
    )]);
    let (report, code) = json_report(dir.path(), &["."]);
    assert_eq!(code, 1, "{report}");
    let rules = common::active_rules(&report);
    assert!(rules.contains(&"DJ001".to_owned()), "{rules:?}");
    assert!(rules.contains(&"DJ002".to_owned()), "{rules:?}");
}

#[test]
fn the_module_django_settings_module_names_is_checked_whatever_its_name() {
    let manage: &[u8] =
        b"import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.prod')\n";
    let wsgi: &[u8] =
        b"import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"proj.deploy\")\n";
    let dir = common::tree(&[
        ("manage.py", manage),
        ("config/__init__.py", b""),
        ("config/prod.py", b"DEBUG = True\n"),
        ("proj/wsgi.py", wsgi),
        ("proj/deploy.py", b"ALLOWED_HOSTS = []\n"),
        (".env", b"DJANGO_SETTINGS_MODULE=envset.live\n"),
        ("envset/live.py", b"SECRET_KEY = 'short'\n"),
        ("other/prod.py", b"DEBUG = True\n"),
    ]);
    let (report, _) = json_report(dir.path(), &[".", "--select", "DJ001,DJ002,DJ005"]);
    let findings = report["findings"].as_array().expect("findings");
    let has = |rule: &str, path: &str| {
        findings
            .iter()
            .filter(|f| f["rule_id"] == rule && f["location"]["path"] == path)
            .count()
    };
    assert_eq!(has("DJ001", "config/prod.py"), 1, "{findings:?}");
    assert_eq!(has("DJ002", "envset/live.py"), 1, "{findings:?}");
    assert_eq!(has("DJ005", "proj/deploy.py"), 1, "{findings:?}");
    assert!(
        findings
            .iter()
            .all(|f| f["location"]["path"] != "other/prod.py"),
        "a module nothing names is not a settings module: {findings:?}"
    );
}

#[test]
fn several_projects_are_each_judged_through_their_own_imports_by_every_rule() {
    // The deployed modules are evaluated once per scan and shared by the rules: every rule
    // still sees every project, each through its own base module.
    let base_debug: &[u8] = b"DEBUG = True\nSECRET_KEY = 'x'\nALLOWED_HOSTS = []\n";
    let base_safe: &[u8] = b"DEBUG = False\nALLOWED_HOSTS = ['example.com']\n";
    let dir = tree(&[
        ("one/config/settings/__init__.py", b"" as &[u8]),
        ("one/config/settings/base.py", base_debug),
        (
            "one/config/settings/production.py",
            b"from .base import *\n",
        ),
        ("two/config/settings/__init__.py", b""),
        ("two/config/settings/base.py", base_safe),
        (
            "two/config/settings/production.py",
            b"from .base import *\nSECRET_KEY = 'y'\n",
        ),
        (
            "three/site/settings.py",
            b"DEBUG = True\nALLOWED_HOSTS = []\nSECRET_KEY = 'z'\n",
        ),
    ]);
    let (report, _) = json_report(dir.path(), &[".", "--select", "DJ001,DJ005"]);
    let mut got: Vec<(String, String)> = findings_at(&report)
        .into_iter()
        .map(|(rule, path, _)| (rule, path))
        .collect();
    got.sort();
    let want: Vec<(String, String)> = [
        ("DJ001", "one/config/settings/production.py"),
        ("DJ001", "three/site/settings.py"),
        ("DJ005", "one/config/settings/production.py"),
        ("DJ005", "three/site/settings.py"),
    ]
    .iter()
    .map(|(r, p)| ((*r).to_owned(), (*p).to_owned()))
    .collect();
    assert_eq!(got, want, "{report}");
}

#[test]
fn broken_python_import_cycles_and_deep_nesting_do_not_stop_the_scan() {
    let deep = format!(
        "INSTALLED_APPS = []\nDEBUG = {}True{}\n",
        "[".repeat(20_000),
        "]".repeat(20_000)
    );
    let nested_ifs: String = (0..300)
        .map(|i| format!("{}if x:\n", "    ".repeat(i)))
        .collect::<String>()
        + &format!("{}DEBUG = True\nINSTALLED_APPS = []\n", "    ".repeat(300));
    let dir = common::tree(&[
        (
            "a/settings/a.py",
            b"from .b import *\nDEBUG = True\n" as &[u8],
        ),
        ("a/settings/b.py", b"from .a import *\nSECRET_KEY = 'x'\n"),
        (
            "b/settings.py",
            b"INSTALLED_APPS = []\nDEBUG = (\nSECRET_KEY = 'x\n\xff\xfe\x01 def ::\n",
        ),
        ("c/settings.py", deep.as_bytes()),
        ("d/settings.py", nested_ifs.as_bytes()),
        (
            "e/settings.py",
            b"from ....nowhere import *\nfrom . import *\nDEBUG = True\n",
        ),
    ]);
    let (report, code) = json_report(dir.path(), &[".", "--fail-on", "never"]);
    assert_eq!(code, 0, "{report}");
    let findings = report["findings"].as_array().expect("findings");
    let paths: Vec<&str> = findings
        .iter()
        .filter_map(|f| f["location"]["path"].as_str())
        .collect();
    assert!(
        paths.contains(&"b/settings.py"),
        "parse errors are reported: {paths:?}"
    );
    assert!(paths.contains(&"e/settings.py"), "{paths:?}");
}

#[test]
fn explain_and_sarif_carry_djangos_check_ids() {
    let explain = common::preflight()
        .args(["explain", "DJ001"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&explain.stdout);
    assert!(text.contains("Also known as: security.W018"), "{text}");
    let sarif = common::preflight()
        .args(["check", "fixtures/django/single", "--format", "sarif"])
        .output()
        .expect("runs");
    let sarif: serde_json::Value = serde_json::from_slice(&sarif.stdout).expect("json");
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"].to_string();
    assert!(rules.contains("security.W018"), "SARIF rule tags: {rules}");
}

#[test]
fn a_settings_module_named_by_manage_py_is_checked_whatever_it_holds() {
    // Alone, a `settings.py` holding only `DEBUG = True` is not confirmed as Django settings;
    // named by `manage.py` it is the module the application runs with.
    let dir = tree(&[
        (
            "manage.py",
            b"import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"settings\")\n",
        ),
        ("settings.py", b"DEBUG = True\n"),
    ]);
    let (report, _) = json_report(dir.path(), &["."]);
    assert!(
        findings_at(&report).contains(&("DJ001".into(), "settings.py".into(), 1)),
        "{report}"
    );
    assert_eq!(report["summary"]["files_checked"], 1, "{report}");
}
