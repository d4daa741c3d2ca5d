# Shell functions shared by the release scripts and the action's installer (sourced, not run).

# `sha256sum FILE…` output ("<hex>  <name>" lines) with GNU coreutils (Linux, Windows' Git
# Bash) or shasum (macOS); hashes standard input when no file is named.
sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$@"; else shasum -a 256 "$@"; fi
}

# The package version in the Cargo.toml of checkout $1: the first `version = "…"` line,
# which is [package]'s.
preflight_version() {
  local version
  version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$1/Cargo.toml" | head -n 1)
  if [ -z "$version" ]; then
    echo "no version in $1/Cargo.toml" >&2
    return 1
  fi
  echo "$version"
}

# The Rust target of the release archive that runs on this machine; fails when no release
# is built for it.
release_target() {
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) echo x86_64-unknown-linux-musl ;;
    Linux-aarch64 | Linux-arm64) echo aarch64-unknown-linux-musl ;;
    Darwin-arm64) echo aarch64-apple-darwin ;;
    Darwin-x86_64) echo x86_64-apple-darwin ;;
    MINGW*-x86_64 | MSYS*-x86_64 | CYGWIN*-x86_64) echo x86_64-pc-windows-msvc ;;
    *) return 1 ;;
  esac
}
