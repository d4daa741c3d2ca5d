#!/usr/bin/env bash
# Builds preflight with profile-guided optimisation, as the release workflow
# (.github/workflows/release.yml) builds the binaries it publishes: an instrumented build
# `check`s the repository's fixtures and example in every output format, and the final
# build is optimised for the branches and calls those runs took (LLVM's PGO, which rustc
# exposes as -Cprofile-generate / -Cprofile-use). The training files are the rules'
# fixtures, not the generated tree the benchmark measures (scripts/bench-scale.py), so its
# gain is not a gain on files the optimiser has seen.
#
#   scripts/release/pgo-build.sh TARGET [cargo build options…]
#   scripts/release/pgo-build.sh x86_64-unknown-linux-gnu
#
# TARGET is the Rust target triple (the instrumented binary must run here). The options go
# to both builds (`--no-default-features`, `--profile dev`); RUSTFLAGS is kept and added
# to. The optimised binary is where `cargo build --release --target TARGET` puts it
# (`--profile` another), and the script prints its path last. The instrumented build has
# its own target folder, target/pgo-instrumented (CARGO_TARGET_DIR/pgo-instrumented when
# that is set).
#
# Needs llvm-profdata of the compiler's own LLVM: `rustup component add llvm-tools` (done
# here when it is missing), or LLVM_PROFDATA naming one.
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: $0 TARGET [cargo build options…]" >&2
  exit 2
fi
target=$1
shift
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"

profdata=${LLVM_PROFDATA:-}
if [ -z "$profdata" ]; then
  host=$(rustc -vV | sed -n 's/^host: //p')
  profdata="$(rustc --print sysroot)/lib/rustlib/$host/bin/llvm-profdata"
  case "$host" in *windows*) profdata="$profdata.exe" ;; esac
  [ -x "$profdata" ] || rustup component add llvm-tools >&2
fi
[ -x "$profdata" ] || { echo "error: no llvm-profdata at $profdata" >&2; exit 1; }

data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
# Paths in variables reach rustc and the instrumented binary as written: on Windows (Git
# Bash) they must be Windows paths.
native=$data
if command -v cygpath >/dev/null 2>&1; then native=$(cygpath -m "$data"); fi
target_dir=${CARGO_TARGET_DIR:-$repo/target}

# Where cargo puts the executable: target/TARGET/PROFILE/ (`dev` builds into debug/).
profile=release
previous=
for option in "$@"; do
  case "$option" in --profile=*) profile=${option#--profile=} ;; esac
  [ "$previous" = --profile ] && profile=$option
  previous=$option
done
[ "$profile" = dev ] && out=debug || out=$profile
exe=preflight
case "$target" in *windows*) exe=preflight.exe ;; esac

# `cargo build` for TARGET with the options given (in the profile they name, else release).
build() {
  if [ "$profile" = release ]; then
    cargo build --locked --release --target "$target" "$@"
  else
    cargo build --locked --target "$target" "$@"
  fi
}

RUSTFLAGS="${RUSTFLAGS:-} -Cprofile-generate=$native" \
  build --target-dir "$target_dir/pgo-instrumented" "$@"
instrumented="$target_dir/pgo-instrumented/$target/$out/$exe"
"$instrumented" --version >&2
# Every format the fixtures cover, through every reporter. Exit codes are findings, not
# failures; a crash is.
for folder in fixtures examples; do
  for format in human json sarif github markdown codequality junit html; do
    code=0
    LLVM_PROFILE_FILE="$native/%p-%m.profraw" "$instrumented" check "$folder" \
      --format "$format" -o "$data/report" --no-config --fail-on never || code=$?
    [ "$code" = 0 ] || { echo "error: check $folder --format $format exited $code" >&2; exit 1; }
  done
done
"$profdata" merge -o "$data/merged.profdata" "$data"/*.profraw

RUSTFLAGS="${RUSTFLAGS:-} -Cprofile-use=$native/merged.profdata" build "$@"
echo "$target_dir/$target/$out/$exe"
