#!/usr/bin/env bash
# Runs preflight for the action. Inputs arrive as INPUT_* environment variables (never
# spliced into this script's text). Writes the job summary, optional SARIF, HTML report and
# annotations, and the outputs `findings`, `sarif-file`, `html-file` and `exit-code`; the
# gate itself is a later step, so that the uploads happen even when findings fail the run.
set -euo pipefail
preflight="$INSTALL_ROOT/bin/preflight"
out="${RUNNER_TEMP:-/tmp}/preflight-report"
mkdir -p "$out"

args=(check "$INPUT_PATH")
if [ "${INPUT_CONFIG_FROM_BASE:-false}" = "true" ] && [ -n "${BASE_REF:-}" ]; then
  # The base branch's configuration, never the pull request's own.
  config_arg=$(python3 "$ACTION_PATH/scripts/action/base-config.py" "$BASE_REF" "$INPUT_PATH" "${INPUT_CONFIG:-}" "$out/base-config") || {
    echo "::error title=preflight::cannot take the configuration from the base branch $BASE_REF"
    echo "exit-code=2" >> "$GITHUB_OUTPUT"
    exit 2
  }
  args+=("$config_arg")
elif [ -n "${INPUT_CONFIG:-}" ]; then
  args+=(--config "$INPUT_CONFIG")
fi
[ -n "${INPUT_BASELINE:-}" ] && args+=(--baseline "$INPUT_BASELINE")
[ -n "${INPUT_CHANGED_SINCE:-}" ] && args+=(--changed-since "$INPUT_CHANGED_SINCE")

# The gating run writes the JSON report; its exit code is the step's verdict.
code=0
"$preflight" "${args[@]}" --fail-on "$INPUT_FAIL_ON" --format json --output "$out/preflight.json" || code=$?
if [ "$code" -ge 2 ]; then
  echo "::error title=preflight::preflight could not run (exit code $code); see the log above"
  echo "exit-code=$code" >> "$GITHUB_OUTPUT"
  exit "$code"
fi

"$preflight" "${args[@]}" --fail-on never --format markdown >> "${GITHUB_STEP_SUMMARY:-/dev/null}"
sarif=""
if [ "$INPUT_SARIF" = "true" ]; then
  sarif="$out/preflight.sarif"
  "$preflight" "${args[@]}" --fail-on never --format sarif --output "$sarif"
fi
html=""
if [ "${INPUT_HTML:-false}" = "true" ]; then
  html="$out/preflight.html"
  "$preflight" "${args[@]}" --fail-on never --format html --output "$html"
fi
if [ "$INPUT_ANNOTATIONS" = "true" ]; then
  "$preflight" "${args[@]}" --fail-on never --format github
fi

findings=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["summary"]["findings"])' "$out/preflight.json")
{
  echo "findings=$findings"
  echo "sarif-file=$sarif"
  echo "html-file=$html"
  echo "exit-code=$code"
} >> "$GITHUB_OUTPUT"
echo "preflight: $findings findings, exit code $code"
