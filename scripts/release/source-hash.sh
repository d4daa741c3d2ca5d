#!/usr/bin/env bash
# Prints the SHA-256 of the sources a preflight binary is built from (Cargo.toml,
# Cargo.lock, build.rs, src/, policies/, crates/*/{Cargo.toml,src}: names and contents) in
# the checkout at $1 (default: this repository). The action keys its cache on it, and each
# release publishes it, so the action installs a released binary only when that release was
# built from exactly the action's own sources.
set -euo pipefail
. "$(dirname "$0")/common.sh"
cd "${1:-$(dirname "$0")/../..}"
files=(Cargo.toml Cargo.lock src policies)
if [ -e build.rs ]; then files+=(build.rs); fi
# The workspace's other crates (crates/memfns, the musl build's memory functions): their
# manifests and sources only, not what a release step writes beside them (cargo-cyclonedx
# puts an SBOM next to every Cargo.toml of the workspace).
for crate in crates/*/; do
  if [ -e "${crate}Cargo.toml" ]; then files+=("${crate}Cargo.toml" "${crate}src"); fi
done
# One "<sha256>  <path>" line per file, in a fixed order, hashed again. (xargs cannot call
# a shell function: the loop hashes file by file.)
find "${files[@]}" -type f -print0 | LC_ALL=C sort -z | while IFS= read -r -d '' file; do
  sha256 "$file"
done | sha256 | cut -c1-64
