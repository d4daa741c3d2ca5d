#!/usr/bin/env bash
# Computes the cache key of the preflight build this action would install: a hash of the
# sources it is built from (scripts/release/source-hash.sh), so a new preflight version (or a
# local change) installs again. Writes `key` and `install-root` to $GITHUB_OUTPUT.
set -euo pipefail
hash=$("$ACTION_PATH/scripts/release/source-hash.sh" "$ACTION_PATH" | cut -c1-16)
{
  echo "key=preflight-${RUNNER_OS:-local}-${hash}"
  echo "install-root=${RUNNER_TOOL_CACHE:-$HOME/.cache}/preflight-action/${hash}"
} >> "$GITHUB_OUTPUT"
