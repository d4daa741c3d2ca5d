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
