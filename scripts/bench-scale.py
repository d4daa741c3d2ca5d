#!/usr/bin/env python3
"""Scaling benchmark: preflight on generated monorepo-like trees, with a ripgrep floor.

Generates trees of 10,000 and 100,000 files (or `--sizes`) with the corpus generator
`gen_corpus.py` (25% Kubernetes, 15% nginx, 15% `.env`, 10% each Dockerfile, Compose and
Django settings, 5% each sshd, systemd and Node, plus ~20% noise files; deterministic for a
seed), then runs the release binary and `rg` on each tree, alternating them, `--runs` times,
and prints medians: wall time, CPU time (user + system, the number to compare on a shared
machine), peak RSS, files/s and MB/s (per CPU second), and preflight's CPU as a multiple of
the ripgrep floor measured in the same run.

The ripgrep floor is `rg --hidden --no-ignore --count . TREE`: every file read once and
every line looked at, the least any scanner of these files must do.

Usage (from the repository root, after `cargo build --release`; `apt-get install ripgrep`).
Releases are built with profile-guided optimisation: build with
`scripts/release/pgo-build.sh x86_64-unknown-linux-gnu` and pass
`--binary target/x86_64-unknown-linux-gnu/release/preflight`. The Linux release archives
hold static musl builds (`TARGET_CC=musl-gcc scripts/release/pgo-build.sh
x86_64-unknown-linux-musl`): measure that one to quote what the archives give. Its
`memcpy`, `memmove`, `memcmp` and `bcmp` are crates/memfns' (musl's own took a fifth of
its CPU) and its C `malloc` is jemalloc (musl's mapped and unmapped memory per folder
walked): it takes no more CPU than the glibc build.

    python3 scripts/bench-scale.py                        # 10k and 100k files, 3 runs each
    python3 scripts/bench-scale.py --sizes 1000,10000 --runs 5
    python3 scripts/bench-scale.py --extra /path/to/real/configs   # a real tree as well
    python3 scripts/bench-scale.py --binary /tmp/preflight-before --binary target/release/preflight
                                                          # before and after, alternating
    python3 scripts/bench-scale.py --pipeline             # and each build with one rule that
                                                          # never fires: memory findings aside
    python3 scripts/bench-scale.py --sizes 1000 --runs 5 --checkov ~/venv/bin/checkov
                                                          # and Checkov, alternating: how many
                                                          # times less CPU preflight takes

The generator is `benches/gen_corpus.py` (standard library only; `--generator PATH` or
`GEN_CORPUS` picks another). Trees are generated once
into `target/bench-scale/` and reused. Per-process CPU and peak RSS come from `wait4`, so
no `/usr/bin/time` is needed. A documented measurement, not a test: nothing here fails on a
slow run.

Python 3.11, standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def default_generator() -> Path:
    """The corpus generator kept with the benchmarks (`benches/gen_corpus.py`)."""
    return ROOT / "benches" / "gen_corpus.py"


@dataclass
class Sample:
    """One run of one command: seconds and bytes."""

    wall: float
    cpu: float
    peak_rss: int


def tree_size(folder: Path) -> tuple[int, int]:
    """Files and bytes under `folder`, symbolic links not followed."""
    files = size = 0
    for dirpath, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(dirpath, name)
            if os.path.isfile(path) and not os.path.islink(path):
                files += 1
                size += os.path.getsize(path)
    return files, size


def generate(generator: Path, out: Path, files: int, seed: int) -> Path:
    """The generated tree of `files` files, made once and reused."""
    tree = out / f"files-{files}-seed-{seed}"
    done = tree.with_suffix(".done")
    if done.exists():
        return tree
    shutil.rmtree(tree, ignore_errors=True)
    print(f"generating {files:,} files into {tree} …", flush=True)
    subprocess.run([sys.executable, str(generator), str(tree), "--files", str(files),
                    "--seed", str(seed)], check=True, stdout=subprocess.DEVNULL)
    done.write_text(f"{generator} --files {files} --seed {seed}\n")
    return tree


def measure(cmd: list[str], ok: tuple[int, ...], timeout: float) -> Sample | None:
    """Runs `cmd` with its output discarded; `None` when it ran out of time."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            os.wait4(proc.pid, 0)
            return None
        time.sleep(0.01)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    if code not in ok:
        stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        sys.exit(f"{cmd[0]} failed ({code}): {stderr[-2000:]}")
    # ru_maxrss is in KiB on Linux.
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000",
                        help="comma-separated file counts (default 10000,100000)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each tool per tree")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--generator", type=Path,
                        default=Path(os.environ.get("GEN_CORPUS") or default_generator()))
    parser.add_argument("--out", type=Path, default=ROOT / "target" / "bench-scale",
                        help="where trees are generated (default target/bench-scale)")
    parser.add_argument("--extra", type=Path, action="append", default=[],
                        help="a real tree to measure as well (repeatable)")
    parser.add_argument("--binary", type=Path, action="append",
                        help="a preflight binary (repeatable: builds are alternated; "
                        "default target/release/preflight)")
    parser.add_argument("--rg", default=shutil.which("rg") or "rg")
    parser.add_argument("--timeout", type=float, default=900,
                        help="seconds before a run is killed and reported as such")
    parser.add_argument("--json", type=Path, help="also write every sample here")
    parser.add_argument("--checkov", type=Path,
                        help="also run this Checkov (`pip install checkov`) on each tree, "
                        "alternating with the rest, and print Checkov's CPU over each build's")
    parser.add_argument("--pipeline", action="store_true",
                        help="also run each build with one rule the trees never trigger "
                        "(`--select ACCT001`): the walk, reads, parses and what cross-file "
                        "checks keep, without the findings' own memory")
    args = parser.parse_args()

    binaries = args.binary or [ROOT / "target" / "release" / "preflight"]
    for binary in binaries:
        if not binary.is_file():
            sys.exit(f"no binary at {binary}: run `cargo build --release` first")
    # Each build is named by its file, or by its position when names repeat.
    names = [b.name for b in binaries]
    if len(set(names)) < len(names):
        names = [f"preflight#{i + 1}" for i in range(len(binaries))]
    if not shutil.which(args.rg):
        sys.exit("ripgrep not found: `apt-get install ripgrep` (the floor is measured in the same run)")
    trees: list[Path] = []
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if sizes:
        if not args.generator.is_file():
            sys.exit(f"generator not found at {args.generator}: pass --generator or set GEN_CORPUS")
        args.out.mkdir(parents=True, exist_ok=True)
        trees += [generate(args.generator, args.out, n, args.seed) for n in sizes]
    trees += args.extra

    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}; {args.runs} runs each, alternating")
    rows = []
    report = []
    for tree in trees:
        files, size = tree_size(tree)
        tools = {
            name: ([str(binary), "check", str(tree), "--format", "json",
                    "-o", os.devnull, "--fail-on", "never", "--no-config"], (0,))
            for name, binary in zip(names, binaries)
        }
        if args.pipeline:
            for name, binary in zip(names, binaries):
                tools[f"{name} (pipeline)"] = (
                    tools[name][0] + ["--select", "ACCT001"], (0,))
        if args.checkov:
            # Checkov exits 1 when a check failed.
            tools["checkov"] = ([str(args.checkov), "-d", str(tree), "--quiet", "-o", "json"],
                                (0, 1))
        # rg exits 1 when nothing matches (an empty tree).
        tools["ripgrep"] = ([args.rg, "--hidden", "--no-ignore", "--count", ".", str(tree)], (0, 1))
        samples: dict[str, list[Sample]] = {name: [] for name in tools}
        timed_out: set[str] = set()
        for run in range(args.runs):
            for name, (cmd, ok) in tools.items():
                if name in timed_out:
                    continue
                sample = measure(cmd, ok, args.timeout)
                if sample is None:
                    timed_out.add(name)
                    print(f"{tree.name}: {name} killed after {args.timeout:.0f} s", flush=True)
                    continue
                samples[name].append(sample)
                print(f"{tree.name} run {run + 1}: {name:18} wall {sample.wall:7.2f} s  "
                      f"cpu {sample.cpu:7.2f} s  peak {sample.peak_rss / 2**20:7.1f} MiB", flush=True)
        medians = {}
        for name, taken in samples.items():
            if not taken:
                continue
            wall = statistics.median(s.wall for s in taken)
            cpu = statistics.median(s.cpu for s in taken)
            rss = statistics.median(s.peak_rss for s in taken)
            medians[name] = cpu
            rows.append((tree.name, name, files, size, wall, cpu, rss, len(taken)))
            report.append({"tree": str(tree), "tool": name, "files": files, "bytes": size,
                           "samples": [s.__dict__ for s in taken]})
        for name in names:
            if name in medians and medians.get("ripgrep"):
                rows.append((tree.name, f"{name} ÷ ripgrep CPU", files, size, None,
                             medians[name] / medians["ripgrep"], None, 0))
            if name in medians and medians.get("checkov"):
                rows.append((tree.name, f"Checkov ÷ {name} CPU", files, size, None,
                             medians["checkov"] / medians[name], None, 0))

    print()
    print("| tree | tool | files | MB | runs | wall (median) | CPU user+sys (median) "
          "| peak RSS | files/CPU-s | MB/CPU-s |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for tree, tool, files, size, wall, cpu, rss, runs in rows:
        if wall is None:
            print(f"| {tree} | {tool} | | | | | {cpu:.1f}× | | | |" if cpu < 100
                  else f"| {tree} | {tool} | | | | | {cpu:.0f}× | | | |")
            continue
        print(f"| {tree} | {tool} | {files:,} | {size / 1e6:.1f} | {runs} | {wall:.2f} s | {cpu:.2f} s "
              f"| {rss / 2**20:.0f} MiB | {files / cpu:,.0f} | {size / 1e6 / cpu:.1f} |")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
