#!/usr/bin/env bash
# Computes the cache key of the preflight build this action would install: a hash of the
# sources it is built from, so a new preflight version (or a local change) builds again.
# Writes `key` and `install-root` to $GITHUB_OUTPUT.
set -euo pipefail
cd "$ACTION_PATH"
hash=$(find Cargo.toml Cargo.lock src policies -type f -print0 | LC_ALL=C sort -z \
  | xargs -0 sha256sum | sha256sum | cut -c1-16)
{
  echo "key=preflight-${RUNNER_OS:-local}-${hash}"
  echo "install-root=${RUNNER_TOOL_CACHE:-$HOME/.cache}/preflight-action/${hash}"
} >> "$GITHUB_OUTPUT"
