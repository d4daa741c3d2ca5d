#!/usr/bin/env bash
# Builds preflight from the action's own checkout unless the cache restored it, and puts it
# on PATH. A released binary would replace the `cargo install` line by a download and a
# checksum check; nothing else changes.
set -euo pipefail
if [ ! -x "$INSTALL_ROOT/bin/preflight" ]; then
  cargo install --locked --path "$ACTION_PATH" --root "$INSTALL_ROOT"
fi
"$INSTALL_ROOT/bin/preflight" --version
