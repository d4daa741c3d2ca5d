//! Differential test against the real nginx (Debian's nginx package, installed by `.ci/run`):
//! for every configuration in `fixtures/nginx-context/`, `nginx -t` accepts it exactly when
//! preflight reports no syntax (PF001), context (NGX020) or missing-certificate (NGX015) finding. Fragments are wrapped in
//! a minimal main configuration at each level (main, http, server, location); nginx accepts a
//! fragment when any level works.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{active_rules, json_report, root};

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

/// Whether `nginx -t` accepts `main` (written to a scratch prefix).
fn nginx_accepts(nginx: &Path, main: &str) -> (bool, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let conf = dir.path().join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "pid {}/nginx.pid;\nerror_log stderr;\n{main}",
            dir.path().display()
        ),
    )
    .expect("write");
    let output = Command::new(nginx)
        .arg("-t")
        .arg("-q")
        .arg("-p")
        .arg(dir.path())
        .arg("-e")
        .arg("stderr")
        .arg("-c")
        .arg(&conf)
        .output()
        .expect("nginx runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn preflight_and_nginx_agree_on_syntax_and_contexts() {
    let Some(nginx) = nginx() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install nginx (see .ci/run)"
        );
        eprintln!("skipped: nginx is not installed");
        return;
    };
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
