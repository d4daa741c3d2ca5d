//! Differential test against the real logrotate (Debian's `logrotate`, installed by
//! `.ci/run`): for each configuration, `logrotate -d` (debug: reads and plans, changes
//! nothing) and preflight's parser must agree on whether the file is refused, on the blocks
//! it holds, and on the number of old logs each block keeps — the value LOG003 judges, which
//! comes from the block or from the top-level defaults before it.
//!
//! The fixtures in `fixtures/logrotate/` are used with their owners replaced by `root` (the
//! accounts they name do not exist here, and logrotate refuses unknown owners), without
//! `olddir` (logrotate checks that the folder exists) and without `include` (it would read
//! this machine's `/etc/logrotate.d`).

use std::path::Path;
use std::process::Command;

use crate::common::root;
use preflight::formats::logrotate::LogrotateConf;

/// Configurations logrotate accepts, beyond the fixtures.
const ACCEPTED: &[&str] = &[
    "rotate 4\n/var/log/a.log {\n  daily\n}\n/var/log/b.log {\n  rotate 9\n}\nrotate 2\n/var/log/c.log {\n}\n",
    "/var/log/q.log {\n  postrotate\n    echo \"}\" { not a block\n  endscript\n  rotate 2\n}\n",
    "\"/var/log/a b.log\" /var/log/c.log {\n rotate 5\n}\n",
    "/var/log/x.log\n/var/log/y.log {\n rotate 1\n}\n",
    "# comment\n/var/log/z.log{\n rotate 3 \n}\n",
    "/var/log/w.log {\n  rotate 0\n  create 0640 root root\n}\n",
];

/// Configurations logrotate refuses.
const REFUSED: &[&str] = &["}\n", "/var/log/a.log {\n/var/log/b.log {\n}\n}\n"];

fn logrotate() -> Option<&'static str> {
    ["/usr/sbin/logrotate", "/sbin/logrotate"]
        .into_iter()
        .find(|p| Path::new(p).exists())
}

/// What logrotate makes of `text`: its configuration errors, and the number of old logs
/// kept by each block in order.
fn real(logrotate: &str, text: &str) -> (Vec<String>, Vec<u64>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("case.conf");
    std::fs::write(&config, text).expect("write");
    let output = Command::new(logrotate)
        .arg("-d")
        .arg("-s")
        .arg(dir.path().join("state"))
        .arg(&config)
        .output()
        .expect("logrotate runs");
    let log = String::from_utf8_lossy(&output.stderr).into_owned()
        + &String::from_utf8_lossy(&output.stdout);
    let errors = log
        .lines()
        .filter(|l| l.starts_with(&format!("error: {}:", config.display())))
        .map(str::to_owned)
        .collect();
    // A pattern written over several lines is printed over several lines, the count
    // after the last one.
    let counts = log
        .split("rotating pattern: ")
        .skip(1)
        .filter_map(|pattern| {
            let line = pattern.lines().find(|l| {
                l.ends_with(" rotations)") || l.ends_with("(no old logs will be kept)")
            })?;
            if line.ends_with("(no old logs will be kept)") {
                return Some(0);
            }
            let (_, count) = line.rsplit_once('(')?;
            count.strip_suffix(" rotations)")?.parse().ok()
        })
        .collect();
    (errors, counts)
}

/// What preflight makes of `text`: whether it has parse errors, and the `rotate` count in
/// effect for each block (logrotate's default is 0).
fn ours(text: &str) -> (bool, Vec<u64>) {
    let conf = LogrotateConf::parse(text);
    let counts = (0..conf.blocks.len())
        .map(|i| {
            conf.applying(i, "rotate")
                .and_then(|d| d.args.first())
                .and_then(|a| a.value.parse().ok())
                .unwrap_or(0)
        })
        .collect();
    (!conf.errors.is_empty(), counts)
}

/// A fixture made runnable here (see the module comment).
fn runnable(text: &str) -> String {
    text.lines()
        .filter(|l| {
            let word = l.split_whitespace().next().unwrap_or("");
            word != "olddir" && word != "include" && word != "su"
        })
        .map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            match words.as_slice() {
                [name @ ("create" | "createolddir"), mode, _, _] => {
                    let indent = &l[..l.len() - l.trim_start().len()];
                    format!("{indent}{name} {mode} root root")
                }
                _ => l.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
#[cfg_attr(
    not(test_tool = "logrotate"),
    ignore = "needs logrotate (apt-get install logrotate)"
)]
fn block_retention_matches_logrotate() {
    let logrotate = logrotate().expect("logrotate was installed when the tests were built");
    let mut cases: Vec<(String, String)> = ACCEPTED
        .iter()
        .enumerate()
        .map(|(i, t)| (format!("accepted #{i}"), (*t).to_owned()))
        .collect();
    let fixtures = root().join("fixtures/logrotate");
    for entry in std::fs::read_dir(&fixtures).expect("fixtures") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        cases.push((path.display().to_string(), runnable(&text)));
    }
    assert!(cases.len() >= 10, "cases missing");
    let mut mismatches = Vec::new();
    let mut blocks = 0;
    for (name, text) in &cases {
        let (errors, real_counts) = real(logrotate, text);
        blocks += real_counts.len();
        let (has_errors, our_counts) = ours(text);
        if !errors.is_empty() || has_errors {
            mismatches.push(format!(
                "{name}: refused (logrotate: {errors:?}, preflight errors: {has_errors})"
            ));
        } else if real_counts != our_counts {
            mismatches.push(format!(
                "{name}: logrotate keeps {real_counts:?}, preflight reads {our_counts:?}\n{text}"
            ));
        }
    }
    for text in REFUSED {
        let (errors, _) = real(logrotate, text);
        let (has_errors, _) = ours(text);
        if errors.is_empty() || !has_errors {
            mismatches.push(format!(
                "{text:?}: logrotate errors {errors:?}, preflight errors: {has_errors}"
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n\n"));
    assert!(
        blocks >= 10,
        "only {blocks} blocks compared: is logrotate's output read?"
    );
}
