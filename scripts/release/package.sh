#!/usr/bin/env bash
# Packs one built preflight binary as a release archive, the same way in the release
# workflow (.github/workflows/release.yml) and in the tests (tests/it/release.rs).
#
# Usage: package.sh BINARY TARGET OUTDIR
#   BINARY  the built executable (preflight or preflight.exe)
#   TARGET  its Rust target triple, e.g. x86_64-unknown-linux-musl
#   OUTDIR  where preflight-<version>-<target>.tar.gz and its .sha256 file are written
#
# The archive holds one folder, preflight-<version>-<target>/, with the binary, README.md,
# LICENSE and CHANGELOG.md. tar.gz on every platform: Windows 10 and later unpack it with
# their own tar. Entries are sorted and owned by root with the commit's date when GNU tar is
# there (Linux), so the same binary gives the same archive bytes.
set -euo pipefail
if [ $# -ne 3 ]; then
  echo "usage: $0 BINARY TARGET OUTDIR" >&2
  exit 2
fi
binary=$1 target=$2 outdir=$3
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/scripts/release/common.sh"
version=$(preflight_version "$repo")
name="preflight-$version-$target"
exe=preflight
case "$target" in *windows*) exe=preflight.exe ;; esac

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/$name"
cp "$binary" "$stage/$name/$exe"
chmod 755 "$stage/$name/$exe"
# The release profile keeps line tables for backtraces; the archive drops the debug
# information (`strip -S`, the same on GNU binutils and macOS), about four fifths of a Linux
# binary, and keeps the symbols. Windows keeps its debug information in a separate .pdb.
case "$target" in
  *windows*) ;;
  *) strip -S "$stage/$name/$exe" ;;
esac
for doc in README.md LICENSE CHANGELOG.md; do
  cp "$repo/$doc" "$stage/$name/"
done

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
archive="$name.tar.gz"
if tar --version 2>/dev/null | grep -q 'GNU tar'; then
  epoch=${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || echo 0)}
  tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
    -cf - "$name" | gzip -9n > "$outdir/$archive"
else
  tar -C "$stage" -cf - "$name" | gzip -9n > "$outdir/$archive"
fi
# "<sha256>  <file name>", as `sha256sum -c` reads it.
(cd "$outdir" && sha256 "$archive") > "$outdir/$archive.sha256"
echo "$outdir/$archive"
