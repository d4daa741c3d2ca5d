#!/usr/bin/env bash
# Checks the container image (Dockerfile): built from a static binary, it runs as an
# unprivileged user and `check`s a mounted folder.
#
#   cargo build --release --target x86_64-unknown-linux-musl
#   scripts/release/container-check.sh target/x86_64-unknown-linux-musl/release/preflight
#
# It builds the `prebuilt` variant from the binary given (the image's own build stage needs
# the Rust image from Docker Hub). DOCKER is the client command with its options (default
# `docker`, with BuildKit); RUN_OPTIONS are added to `run`. The tests run it with Podman
# (tests/it/container.rs), where no Docker daemon runs:
#   DOCKER="podman --storage-driver vfs --runtime runc --cgroup-manager cgroupfs" \
#   RUN_OPTIONS="--ulimit nofile=1024:1024" scripts/release/container-check.sh BINARY
set -euo pipefail
binary=${1:?usage: $0 STATIC_BINARY}
read -ra docker <<<"${DOCKER:-docker}"
read -ra run_options <<<"${RUN_OPTIONS:-}"
export DOCKER_BUILDKIT=1
root=$(cd "$(dirname "$0")/../.." && pwd)
context=$(mktemp -d)
image="preflight-check:$$"
trap 'rm -rf "$context"; "${docker[@]}" rmi -f "$image" >/dev/null 2>&1 || true' EXIT
cp "$binary" "$context/preflight"
"${docker[@]}" build --build-arg BINARY_FROM=prebuilt -t "$image" -f "$root/Dockerfile" "$context"
user=$("${docker[@]}" inspect --format '{{.Config.User}}' "$image")
[ "$user" = "65534:65534" ] || { echo "error: the image runs as '$user', not 65534:65534" >&2; exit 1; }
set +e
report=$("${docker[@]}" run --rm --network none "${run_options[@]}" -v "$root/examples:/src:ro" "$image" check insecure-shop --format json)
code=$?
set -e
[ "$code" = 1 ] || { echo "error: exit $code, expected 1 (the example is insecure on purpose)" >&2; exit 1; }
python3 - "$report" <<'PY'
import json, sys
try:
    report = json.loads(sys.argv[1])
except ValueError:
    # Podman gives exit 1 when the binary cannot start (Docker gives 127): the missing
    # report is what says so.
    sys.exit("error: the container printed no JSON report (a binary that cannot start in `scratch`?)")
assert report["summary"]["files_checked"] == 7, report["summary"]
assert report["findings"], "no findings"
for f in report["findings"]:
    assert f["location"]["path"].startswith("insecure-shop/"), f["location"]["path"]
print(f"ok: {len(report['findings'])} findings in 7 files, as user 65534")
PY
