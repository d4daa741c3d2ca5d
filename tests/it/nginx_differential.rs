//! Differential test against the real nginx (Debian's nginx package, installed by `.ci/run`):
//! for every configuration in `fixtures/nginx-context/`, `nginx -t` accepts it exactly when
//! preflight reports no syntax (PF001), context (NGX020) or missing-certificate (NGX015) finding. Fragments are wrapped in
//! a minimal main configuration at each level (main, http, server, location); nginx accepts a
//! fragment when any level works.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{active_rules, json_report, root};

fn nginx() -> Option<PathBuf> {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Main configurations that put `file` at each level nginx could include it from.
fn wrappings(file: &Path) -> Vec<String> {
    let include = format!("include {};", file.display());
    let text = std::fs::read_to_string(file).expect("readable");
    let has_events = text.lines().any(|l| l.trim_start().starts_with("events"));
    let events = if has_events { "" } else { "events {}\n" };
    vec![
        format!("{events}{include}\n"),
        format!("events {{}}\nhttp {{\n{include}\n}}\n"),
        format!("events {{}}\nhttp {{\nserver {{\nlisten 127.0.0.1:18081;\n{include}\n}}\n}}\n"),
        format!("events {{}}\nhttp {{\nserver {{\nlisten 127.0.0.1:18081;\nlocation / {{\n{include}\n}}\n}}\n}}\n"),
    ]
}

/// Runs `nginx -t` on `conf` with `prefix` as nginx's prefix (its pid file there, errors on
/// stderr): whether nginx accepts it, and what it said.
fn nginx_test(nginx: &Path, prefix: &Path, conf: &Path) -> (bool, String) {
    let output = Command::new(nginx)
        .arg("-t")
        .arg("-q")
        .arg("-p")
        .arg(prefix)
        .arg("-e")
        .arg("stderr")
        .arg("-g")
        .arg(format!("pid {}/nginx.pid;", prefix.display()))
        .arg("-c")
        .arg(conf)
        .output()
        .expect("nginx runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Whether `nginx -t` accepts `main` (written to a scratch prefix).
fn nginx_accepts(nginx: &Path, main: &str) -> (bool, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let conf = dir.path().join("nginx.conf");
    std::fs::write(&conf, format!("error_log stderr;\n{main}")).expect("write");
    nginx_test(nginx, dir.path(), &conf)
}

/// The installed nginx (the build found one, or the tests using it are ignored).
fn installed_nginx() -> PathBuf {
    nginx().expect("nginx was installed when the tests were built: reinstall it")
}

#[test]
#[cfg_attr(
    not(test_tool = "nginx"),
    ignore = "needs nginx (apt-get install nginx)"
)]
fn preflight_and_nginx_agree_on_syntax_and_contexts() {
    let nginx = installed_nginx();
    let dir = root().join("fixtures/nginx-context");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "conf"))
        .collect();
    files.sort();
    assert!(files.len() >= 12);
    let mut disagreements = Vec::new();
    for file in &files {
        let mut errors = Vec::new();
        let accepted = wrappings(file).iter().any(|main| {
            let (ok, stderr) = nginx_accepts(&nginx, main);
            errors.push(stderr);
            ok
        });
        let (report, _) = json_report(
            &root(),
            &[
                file.to_str().expect("utf-8"),
                "--select",
                "PF001,NGX015,NGX020",
            ],
        );
        let preflight_accepts = active_rules(&report).is_empty();
        let name = file
            .file_name()
            .expect("name")
            .to_string_lossy()
            .to_string();
        assert_eq!(
            name.starts_with("ok-"),
            accepted,
            "{name}: fixture label disagrees with nginx: {errors:?}"
        );
        if accepted != preflight_accepts {
            disagreements.push(format!("{name}: nginx accepts={accepted}, preflight accepts={preflight_accepts}; nginx said {errors:?}"));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

/// Copies the directory tree `from` into `to`.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("readable") {
        let path = entry.expect("entry").path();
        let target = to.join(path.file_name().expect("name"));
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}

/// Whether `nginx -t` accepts the configuration directory `case` (with its `nginx.conf`),
/// copied to a scratch prefix so that relative includes resolve as on a server, and with
/// `/etc/nginx/…` includes pointed at the copy, as a server's `/etc/nginx` would be.
fn nginx_accepts_tree(nginx: &Path, case: &Path) -> (bool, String) {
    let prefix = tempfile::tempdir().expect("tempdir");
    let conf = prefix.path().join("conf");
    copy_tree(case, &conf);
    std::fs::create_dir_all(prefix.path().join("logs")).expect("logs");
    let main = conf.join("nginx.conf");
    let text = std::fs::read_to_string(&main).expect("nginx.conf");
    std::fs::write(
        &main,
        text.replace("/etc/nginx/", &format!("{}/", conf.display())),
    )
    .expect("write");
    // An include cycle makes nginx recurse until it crashes: that is a refusal too.
    nginx_test(nginx, prefix.path(), &main)
}

/// The same agreement for whole configuration directories whose files include each other
/// (`fixtures/nginx-include/`): contexts come from the including file, and missing files
/// and include cycles make nginx fail.
#[test]
#[cfg_attr(
    not(test_tool = "nginx"),
    ignore = "needs nginx (apt-get install nginx)"
)]
fn preflight_and_nginx_agree_across_includes() {
    let nginx = installed_nginx();
    let dir = root().join("fixtures/nginx-include");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 6);
    let mut disagreements = Vec::new();
    for case in &cases {
        let (accepted, errors) = nginx_accepts_tree(&nginx, case);
        let (report, _) = json_report(
            &root(),
            &[
                case.to_str().expect("utf-8"),
                "--select",
                "PF001,NGX015,NGX020,NGX021",
            ],
        );
        let preflight_accepts = active_rules(&report).is_empty();
        let name = case
            .file_name()
            .expect("name")
            .to_string_lossy()
            .to_string();
        assert_eq!(
            name.starts_with("ok-"),
            accepted,
            "{name}: fixture label disagrees with nginx: {errors}"
        );
        if accepted != preflight_accepts {
            disagreements.push(format!(
                "{name}: nginx accepts={accepted}, preflight accepts={preflight_accepts}; nginx said {errors}"
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
