#!/usr/bin/env bash
# Puts preflight in $INSTALL_ROOT/bin unless the cache restored it. It installs the released
# binary when the action's repository has a release (tag v<Cargo.toml version>) built from
# exactly the action's own sources (scripts/release/source-hash.sh), after checking each
# downloaded file's SHA-256 against the release's SHA256SUMS; a file that does not match is
# refused and the step fails. With no such release (a branch or a commit between releases,
# a fork, a runner no release is built for) it builds preflight from the action's checkout.
#
# Environment: ACTION_PATH (the action's checkout), INSTALL_ROOT, ACTION_REPOSITORY
# (owner/name, where releases are looked for); PREFLIGHT_RELEASE_BASE replaces
# https://github.com/$ACTION_REPOSITORY/releases/download (a mirror; file:// in the tests).
set -euo pipefail
. "$ACTION_PATH/scripts/release/common.sh"
bin="$INSTALL_ROOT/bin"

# Downloads $1 to $2; fails (saying why) when it cannot.
download() {
  curl --proto '=https,file' --tlsv1.2 --fail --silent --show-error --location --retry 3 \
    --output "$2" "$1"
}

# Downloads release file $1 into $dir and checks it against SHA256SUMS; a mismatch ends
# the step.
download_verified() {
  local want got
  download "$base/$1" "$dir/$1" || return 1
  want=$(awk -v name="$1" '$2 == name || $2 == "*" name { print $1 }' "$dir/SHA256SUMS")
  got=$(sha256 "$dir/$1" | cut -d' ' -f1)
  if [ -z "$want" ] || [ "$want" != "$got" ]; then
    echo "::error title=preflight::refusing $base/$1: its SHA-256 is $got, the release's SHA256SUMS says ${want:-nothing}. The download was altered or the release is broken; nothing was installed."
    exit 1
  fi
}

# Installs the release built from these sources; fails when there is none.
install_release() {
  local version target exe=preflight
  version=$(preflight_version "$ACTION_PATH")
  if ! target=$(release_target); then
    echo "preflight: no release binary is built for $(uname -sm)"
    return 1
  fi
  case "$target" in *windows*) exe=preflight.exe ;; esac
  if [ -z "${PREFLIGHT_RELEASE_BASE:-}" ] && [ -z "${ACTION_REPOSITORY:-}" ]; then
    echo "preflight: a local action (uses: ./) has no releases"
    return 1
  fi
  base="${PREFLIGHT_RELEASE_BASE:-https://github.com/${ACTION_REPOSITORY:-}/releases/download}/v$version"
  dir=$(mktemp -d)
  # Refusing a download ends the step (exit): the folder goes either way.
  trap 'rm -rf "$dir"' EXIT
  if ! download "$base/SHA256SUMS" "$dir/SHA256SUMS"; then
    echo "preflight: no release v$version at $base"
    return 1
  fi
  download_verified "preflight-$version-source-hash.txt" || return 1
  if [ "$(head -c 64 "$dir/preflight-$version-source-hash.txt")" != "$("$ACTION_PATH/scripts/release/source-hash.sh" "$ACTION_PATH")" ]; then
    echo "preflight: release v$version was built from other sources than this action's"
    return 1
  fi
  download_verified "preflight-$version-$target.tar.gz" || return 1
  tar -xzf "$dir/preflight-$version-$target.tar.gz" -C "$dir"
  mkdir -p "$bin"
  cp "$dir/preflight-$version-$target/$exe" "$bin/$exe"
  echo "preflight: installed release v$version ($target), SHA-256 verified"
}

if [ ! -x "$bin/preflight" ]; then
  if ! install_release; then
    echo "preflight: building from the action's sources instead (cargo install, a few minutes)"
    features=()
    # `preflight audit` needs Unix process groups: Windows builds the static linter.
    case "$(uname -s)" in MINGW* | MSYS* | CYGWIN*) features=(--no-default-features) ;; esac
    cargo install --locked --path "$ACTION_PATH" --root "$INSTALL_ROOT" ${features[@]+"${features[@]}"}
  fi
fi
"$bin/preflight" --version
