#!/usr/bin/env bash
# Checks the container image (Dockerfile): built from a static binary, it runs as an
# unprivileged user and `check`s a mounted folder.
#
#   cargo build --release --target x86_64-unknown-linux-musl
#   scripts/release/container-check.sh target/x86_64-unknown-linux-musl/release/preflight
#
# Not part of `cargo test`: it needs a Docker daemon with BuildKit, which the test machines
# do not have (and the image's own build stage needs the Rust image from Docker Hub, so this
# builds the `prebuilt` variant from the binary given). DOCKER names the client.
set -euo pipefail
binary=${1:?usage: $0 STATIC_BINARY}
docker=${DOCKER:-docker}
export DOCKER_BUILDKIT=1
root=$(cd "$(dirname "$0")/../.." && pwd)
context=$(mktemp -d)
image="preflight-check:$$"
trap 'rm -rf "$context"; "$docker" rmi -f "$image" >/dev/null 2>&1 || true' EXIT
cp "$binary" "$context/preflight"
"$docker" build --build-arg BINARY_FROM=prebuilt -t "$image" -f "$root/Dockerfile" "$context"
user=$("$docker" inspect --format '{{.Config.User}}' "$image")
[ "$user" = "65534:65534" ] || { echo "error: the image runs as '$user', not 65534:65534" >&2; exit 1; }
set +e
report=$("$docker" run --rm --network none -v "$root/examples:/src:ro" "$image" check insecure-shop --format json)
code=$?
set -e
[ "$code" = 1 ] || { echo "error: exit $code, expected 1 (the example is insecure on purpose)" >&2; exit 1; }
python3 - "$report" <<'PY'
import json, sys
report = json.loads(sys.argv[1])
assert report["summary"]["files_checked"] == 7, report["summary"]
assert report["findings"], "no findings"
for f in report["findings"]:
    assert f["location"]["path"].startswith("insecure-shop/"), f["location"]["path"]
print(f"ok: {len(report['findings'])} findings in 7 files, as user 65534")
PY
