#!/usr/bin/env bash
# Prints the SHA-256 of the sources a preflight binary is built from (Cargo.toml,
# Cargo.lock, build.rs, src/, policies/, crates/: names and contents) in the checkout at $1
# (default: this repository). The action keys its cache on it, and each release publishes
# it, so the action installs a released binary only when that release was built from
# exactly the action's own sources.
set -euo pipefail
. "$(dirname "$0")/common.sh"
cd "${1:-$(dirname "$0")/../..}"
files=(Cargo.toml Cargo.lock src policies)
if [ -e build.rs ]; then files+=(build.rs); fi
# crates/: the workspace's other crates (the musl build's memory functions).
if [ -e crates ]; then files+=(crates); fi
# One "<sha256>  <path>" line per file, in a fixed order, hashed again. (xargs cannot call
# a shell function: the loop hashes file by file.)
find "${files[@]}" -type f -print0 | LC_ALL=C sort -z | while IFS= read -r -d '' file; do
  sha256 "$file"
done | sha256 | cut -c1-64
