#!/usr/bin/env bash
# Finishes a release folder: writes preflight-<version>-source-hash.txt, the hash of the
# sources the binaries were built from (source-hash.sh; the action compares it with its own
# before it installs a released binary instead of building one), then SHA256SUMS over every
# file in the folder except the per-archive .sha256 files.
#
# Usage: checksums.sh DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
version=$(preflight_version "$here/../..")
cd "$1"
"$here/source-hash.sh" > "preflight-$version-source-hash.txt"
files=()
while IFS= read -r -d '' file; do files+=("$file"); done \
  < <(find . -maxdepth 1 -type f ! -name SHA256SUMS ! -name '*.sha256' -printf '%f\0' | LC_ALL=C sort -z)
sha256 "${files[@]}" > SHA256SUMS
cat SHA256SUMS
