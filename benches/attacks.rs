//! The tree of every attack on untrusted input (`tests/it/attack_tree.rs`), scanned by the
//! release binary: `cargo bench --bench attacks`. Prints the median wall time, CPU time and
//! peak memory of `preflight check . --format json` over `BENCH_RUNS` runs (default 5).
//! The goal (issue "untrusted pull requests"): under 10 s and 512 MiB.
//!
//! Needs GNU time (`/usr/bin/time`, Debian package `time`) for CPU time and peak memory;
//! without it only wall time is printed.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

#[cfg(unix)]
#[path = "../tests/it/attack_tree.rs"]
#[allow(dead_code)]
mod attack_tree;

/// One run: wall seconds, and (user + system seconds, peak KiB) when GNU time is there.
fn run(root: &Path) -> (f64, Option<(f64, u64)>) {
    let binary = env!("CARGO_BIN_EXE_preflight");
    let gnu_time = Path::new("/usr/bin/time").exists();
    let mut command = if gnu_time {
        let mut c = Command::new("/usr/bin/time");
        c.args(["-f", "%U %S %M", binary]);
        c
    } else {
        Command::new(binary)
    };
    command
        .args(["check", ".", "--format", "json", "-o", "/dev/null"])
        .current_dir(root);
    let started = Instant::now();
    let output = command.output().expect("preflight runs");
    let wall = started.elapsed().as_secs_f64();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let measured = gnu_time
        .then(|| {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let last = stderr.lines().last()?.to_owned();
            let mut fields = last.split_whitespace();
            let user: f64 = fields.next()?.parse().ok()?;
            let system: f64 = fields.next()?.parse().ok()?;
            let peak: u64 = fields.next()?.parse().ok()?;
            Some((user + system, peak))
        })
        .flatten();
    (wall, measured)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[cfg(unix)]
fn main() {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
        .max(1);
    let root = tempfile::tempdir().expect("tempdir");
    let outside = tempfile::tempdir().expect("tempdir");
    attack_tree::plant(root.path(), outside.path());
    let results: Vec<_> = (0..runs).map(|_| run(root.path())).collect();
    let wall = median(results.iter().map(|r| r.0).collect());
    println!("attack tree, {runs} runs: median wall {wall:.2} s");
    let measured: Vec<(f64, u64)> = results.iter().filter_map(|r| r.1).collect();
    if measured.len() == results.len() {
        let cpu = median(measured.iter().map(|m| m.0).collect());
        let peak = measured.iter().map(|m| m.1).max().unwrap_or(0);
        println!(
            "  median CPU {cpu:.2} s, largest peak RSS {:.0} MiB",
            peak as f64 / 1024.0
        );
    } else {
        println!("  (no /usr/bin/time: CPU time and peak memory not measured)");
    }
}

#[cfg(not(unix))]
fn main() {
    println!("the attack tree needs symbolic links and FIFOs: unix only");
}
