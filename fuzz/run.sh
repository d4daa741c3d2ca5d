#!/bin/sh
# Runs fuzz targets one after another, each for a fixed time, with the limits the issue sets
# (-rss_limit_mb=512: peak memory under 512 MiB; -timeout=10: no input may take longer, 30 for
# pipeline, which parses each input as every kind), and
# prints one line per target: executions, seconds, peak RSS, and the crash file if any.
#
# Usage: fuzz/run.sh SECONDS [TARGET...] [-- LIBFUZZER-OPTION...]
#   fuzz/run.sh 120                        every target, two minutes each
#   fuzz/run.sh 1800 pipeline              the whole pipeline for 30 minutes
#   fuzz/run.sh 300 nginx -- -max_len=1048576   inputs up to 1 MiB
#
# Builds first (without a sanitizer: the code is safe Rust apart from the tree-sitter
# grammars, and ASan's shadow memory would hide the real peak RSS), seeds corpus/ from the
# fixtures (seed.sh), runs under `nice` on one rayon thread (one core per fuzzer), and
# leaves crashes in artifacts/<target>/ and the log in artifacts/<target>/log.
set -eu
fuzz=$(cd "$(dirname "$0")" && pwd)
seconds=$1
shift
targets=""
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
    targets="$targets $1"
    shift
done
[ "$#" -gt 0 ] && shift
if [ -z "$targets" ]; then
    targets=$(sed -n 's/^name = "\(.*\)"$/\1/p' "$fuzz/Cargo.toml" | grep -v '^preflight-fuzz$')
fi
# cargo-fuzz passes nightly-only flags; RUSTC_BOOTSTRAP lets a stable toolchain take them.
(cd "$fuzz" && RUSTC_BOOTSTRAP=1 cargo fuzz build -s none --debug-assertions --codegen-units 16)
bin="$fuzz/target/x86_64-unknown-linux-gnu/release"
for target in $targets; do
    "$fuzz/seed.sh" "$target" >/dev/null
    mkdir -p "$fuzz/artifacts/$target"
    log="$fuzz/artifacts/$target/log"
    status=0
    # pipeline reads each input as every kind (JavaScript in three dialects, each parse cut
    # by the parser itself at a quarter second plus a second per MiB): a real scan reads a
    # file once, so its slowest input may take several times what one format's may.
    timeout=10
    [ "$target" = pipeline ] && timeout=30
    RAYON_NUM_THREADS=1 nice -n 10 "$bin/$target" "$fuzz/corpus/$target" \
        -max_total_time="$seconds" -rss_limit_mb=512 -timeout="$timeout" -print_final_stats=1 \
        -artifact_prefix="$fuzz/artifacts/$target/" "$@" >"$log" 2>&1 || status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log")
    time=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log")
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log")
    echo "$target: ${runs:-?} executions in ${time:-?} s, peak RSS ${rss:-?} MB, exit $status${crash:+, crash: $crash}"
done
