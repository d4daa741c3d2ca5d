#!/usr/bin/env bash
# Computes the cache key of the preflight build this action would install: a hash of the
# sources it is built from (scripts/release/source-hash.sh), so a new preflight version (or a
# local change) installs again. Writes `key`, `install-root` and `source-hash` to
# $GITHUB_OUTPUT.
set -euo pipefail
source_hash=$("$ACTION_PATH/scripts/release/source-hash.sh" "$ACTION_PATH")
hash=$(echo "$source_hash" | cut -c1-16)
{
  echo "key=preflight-${RUNNER_OS:-local}-${hash}"
  echo "install-root=${RUNNER_TOOL_CACHE:-$HOME/.cache}/preflight-action/${hash}"
  echo "source-hash=${source_hash}"
} >> "$GITHUB_OUTPUT"
