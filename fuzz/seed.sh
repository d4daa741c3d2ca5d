#!/bin/sh
# Builds the seed corpus of every fuzz target from the repository's own inputs: the
# fixtures, the examples and the crash reproducers under tests/data/fuzz/. Every target gets
# every file (a parser that meets another format's file is fuzzed too, and libFuzzer keeps
# only what adds coverage). Written to fuzz/corpus/<target>/, which is never committed; files
# are named by their SHA-1, as libFuzzer names what it adds, so re-running adds nothing twice.
#
# Usage: fuzz/seed.sh [TARGET...]   (default: every [[bin]] in fuzz/Cargo.toml)
set -eu
fuzz=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$fuzz")
if [ "$#" -eq 0 ]; then
    set -- $(sed -n 's/^name = "\(.*\)"$/\1/p' "$fuzz/Cargo.toml" | grep -v '^preflight-fuzz$')
fi
# Snapshots, sources and notes are not inputs; nothing over 1 MiB (the size the fuzz runs
# are held to).
seeds=$(mktemp)
trap 'rm -f "$seeds"' EXIT
find "$root/fixtures" "$root/examples" "$root/tests/data/fuzz" -type f -size -1025k \
    ! -name '*.snap' ! -name '*.rs' ! -name '*.md' 2>/dev/null >"$seeds" || true
for target in "$@"; do
    mkdir -p "$fuzz/corpus/$target"
    while IFS= read -r file; do
        sum=$(sha1sum "$file" | cut -d' ' -f1)
        cp "$file" "$fuzz/corpus/$target/$sum"
    done <"$seeds"
    echo "$target: $(ls "$fuzz/corpus/$target" | wc -l) files"
done
