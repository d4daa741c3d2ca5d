//! Differential test against Django itself: for every project in `fixtures/django/`, the set
//! of Django check ids preflight reports (the `(Django: security.Wxxx)` at the end of its
//! messages) equals the set the real `manage.py check --deploy` prints, except for the
//! differences listed in [`KNOWN_DIFFERENCES`], each with its reason and each asserted to
//! still happen.
//!
//! Django is installed with pip into a virtualenv under `target/` keyed by the Django series
//! (created once, reused by later runs), together with django-environ and python-decouple,
//! which the fixtures import. Each fixture is copied to a temporary folder (Python writes
//! bytecode next to the sources) and run with a clean environment plus the variables it
//! reads without a default, set to safe values: preflight cannot know those (it reports them
//! as DJ008, which has no Django id), and with safe values Django reports nothing for them.
//! Without python3's venv module the test is ignored with that reason; the first run downloads
//! Django and the packages above from PyPI (about 40 MB under `target/`) and says so on the
//! terminal; without network it fails, naming pip's error.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{json_report, root};
use preflight::policy::Catalog;
use regex::Regex;

/// The Django series the test installs; W006/W007's history: W007 (XSS filter) was removed
/// in Django 3.0, W006 (nosniff) still exists and is checked.
const DJANGO_SERIES: &str = "5.2";

/// What pip installs next to Django: the settings libraries the fixtures use, and the
/// PostgreSQL driver (Django imports the database backend when it loads the models).
const EXTRA_REQUIREMENTS: &[&str] = &["django-environ", "python-decouple", "psycopg[binary]"];

/// What each fixture reads from the environment without a default, and the safe value set
/// for Django. Every variable here is one preflight reports as unknown (DJ008).
fn fixture_env(fixture: &str) -> Vec<(&'static str, String)> {
    match fixture {
        "package" | "hardened" | "sessions-middleware" => {
            vec![("DJANGO_SECRET_KEY", strong_key())]
        }
        "guide" => vec![("SECRET_KEY", strong_key())],
        _ => Vec::new(),
    }
}

/// Where preflight and Django disagree on purpose: (fixture, Django id, reason). A listed
/// difference must still occur (only on the side the reason says), so the list cannot rot.
const KNOWN_DIFFERENCES: &[(&str, &str, &str)] = &[];

/// A key Django accepts: 64 characters, many distinct, no `django-insecure-` prefix.
fn strong_key() -> String {
    let alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#%^&*(-_=+)";
    alphabet.chars().cycle().step_by(7).take(64).collect()
}

fn python3() -> Option<PathBuf> {
    let found = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    found.then(|| PathBuf::from("python3"))
}

/// The cached virtualenv with Django installed, created on first use.
fn django_venv() -> Result<PathBuf, String> {
    let python = python3().ok_or("python3 is not installed")?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    // Keyed by the Django series and the extra packages, so a changed list gets a new venv.
    let key: u32 = EXTRA_REQUIREMENTS
        .join(" ")
        .bytes()
        .fold(17u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    let venv = target.join(format!("django-venv-{DJANGO_SERIES}-{key:08x}"));
    let bin = venv.join("bin").join("python");
    if bin.exists() {
        return Ok(bin);
    }
    std::fs::create_dir_all(&target).map_err(|e| e.to_string())?;
    // Built under a temporary name and renamed, so an interrupted install is never reused.
    let building = target.join(format!(
        "django-venv-{DJANGO_SERIES}-{key:08x}.building-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&building);
    announce(&format!(
        "django_differential: downloading Django {DJANGO_SERIES} and {} from PyPI into {} \
         (once; later runs reuse it)",
        EXTRA_REQUIREMENTS.join(", "),
        venv.display()
    ));
    let status = Command::new(&python)
        .args(["-m", "venv"])
        .arg(&building)
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("python3 -m venv failed (Debian: apt-get install python3-venv)".into());
    }
    let output = Command::new(building.join("bin").join("python"))
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .arg(format!("django~={DJANGO_SERIES}.0"))
        .args(EXTRA_REQUIREMENTS)
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        let _ = std::fs::remove_dir_all(&building);
        return Err(format!(
            "pip install django failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    if std::fs::rename(&building, &venv).is_err() {
        // Another run finished first; use its copy.
        let _ = std::fs::remove_dir_all(&building);
    }
    Ok(bin)
}

/// Prints `line` on the terminal even while libtest captures the test's output (the capture
/// only takes `print!`/`eprint!`): a download should never be silent.
fn announce(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            copy_tree(&path, &dest);
        } else {
            std::fs::copy(&path, &dest).expect("copy");
        }
    }
}

/// The Django check ids `manage.py check --deploy` prints for `fixture`.
fn django_ids(python: &Path, fixture: &Path, name: &str) -> BTreeSet<String> {
    let work = tempfile::tempdir().expect("tempdir");
    copy_tree(fixture, work.path());
    let mut command = Command::new(python);
    command
        .args(["manage.py", "check", "--deploy", "--fail-level", "CRITICAL"])
        .current_dir(work.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("PYTHONDONTWRITEBYTECODE", "1");
    for (key, value) in fixture_env(name) {
        command.env(key, value);
    }
    let output = command.output().expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && format!("{stdout}{stderr}").contains("System check identified"),
        "{name}: manage.py check --deploy failed:\n{stdout}\n{stderr}"
    );
    let id = Regex::new(r"\((security\.[WE]\d{3})\)").expect("regex");
    id.captures_iter(&format!("{stdout}\n{stderr}"))
        .map(|c| c[1].to_owned())
        .collect()
}

/// The Django check ids preflight reports for `fixture`, each checked against its rule's
/// tags (the metadata SARIF shows).
fn preflight_ids(fixture: &Path, catalog: &Catalog) -> BTreeSet<String> {
    let (report, _) = json_report(
        &root(),
        &[fixture.to_str().expect("utf-8"), "--fail-on", "never"],
    );
    let id = Regex::new(r"\(Django: (security\.[WE]\d{3})\)$").expect("regex");
    let mut ids = BTreeSet::new();
    for finding in report["findings"].as_array().expect("findings") {
        let message = finding["message"].as_str().expect("message");
        let Some(found) = id.captures(message) else {
            continue;
        };
        let rule = catalog
            .get(finding["rule_id"].as_str().expect("rule id"))
            .expect("known rule");
        assert!(
            rule.tags.iter().any(|t| t == &found[1]),
            "{} reports {} but its tags do not carry it",
            rule.id,
            &found[1]
        );
        ids.insert(found[1].to_owned());
    }
    ids
}

fn fixtures() -> Vec<(String, PathBuf)> {
    let mut found: Vec<(String, PathBuf)> = std::fs::read_dir(root().join("fixtures/django"))
        .expect("fixtures/django")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("manage.py").is_file())
        .map(|p| {
            (
                p.file_name().expect("name").to_string_lossy().into_owned(),
                p,
            )
        })
        .collect();
    found.sort();
    found
}

#[test]
#[cfg_attr(
    not(test_tool = "python_venv"),
    ignore = "needs python3 with venv and pip (apt-get install python3-venv); downloads Django from PyPI into target/"
)]
fn preflight_reports_the_check_ids_django_reports() {
    let python = django_venv().unwrap_or_else(|why| {
        panic!("cannot install Django into target/ (python3 -m venv, pip, network): {why}")
    });
    let catalog = Catalog::builtin().expect("catalog");
    let fixtures = fixtures();
    assert!(fixtures.len() >= 5, "fixtures missing");
    let mut problems = Vec::new();
    let mut seen_differences = BTreeSet::new();
    let mut reported = BTreeSet::new();
    for (name, path) in &fixtures {
        let django = django_ids(&python, path, name);
        let ours = preflight_ids(path, &catalog);
        reported.extend(django.iter().cloned());
        eprintln!("{name}: django {django:?} preflight {ours:?}");
        for id in django.symmetric_difference(&ours) {
            let known = KNOWN_DIFFERENCES
                .iter()
                .find(|(f, i, _)| f == name && i == id);
            match known {
                Some(difference) => {
                    seen_differences.insert(*difference);
                }
                None => problems.push(format!(
                    "{name}: {id} reported by {} only",
                    if django.contains(id) {
                        "Django"
                    } else {
                        "preflight"
                    }
                )),
            }
        }
    }
    for difference in KNOWN_DIFFERENCES {
        if !seen_differences.contains(difference) {
            problems.push(format!(
                "{}: the known difference on {} no longer happens; remove it from KNOWN_DIFFERENCES",
                difference.0, difference.1
            ));
        }
    }
    // The fixtures must exercise every check a rule claims, not agree on nothing.
    let claimed: BTreeSet<String> = catalog
        .all()
        .iter()
        .flat_map(|r| r.tags.iter())
        .filter(|t| t.starts_with("security.") && t.len() == "security.W000".len())
        .cloned()
        .collect();
    let unexercised: Vec<&String> = claimed.difference(&reported).collect();
    assert!(
        unexercised.is_empty(),
        "no fixture makes Django report {unexercised:?}"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
