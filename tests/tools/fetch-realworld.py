#!/usr/bin/env python3
"""Fetches the real-world corpus that tests/it/realworld.rs checks.

The corpus is public projects as their authors published them to the npm and PyPI registries
(the only sources CI reaches besides apt and crates.io), pinned in tests/corpus/realworld.toml
by version and SHA-256. Nothing of them is committed: each run downloads the archives into
tests/tools/realworld/.download/, refuses one whose digest differs, and unpacks it (files and
folders only: no links, nothing outside its folder) into tests/tools/realworld/<folder>/
without the archive's top folder. `.complete` records what was unpacked; a run with the same
list does nothing.

    python3 tests/tools/fetch-realworld.py

The same way, `--list tests/corpus/suites.toml --out tests/tools/suites` fetches the labelled
suites other tools publish in their packages (gixy-ng's tests/ in its PyPI sdist), which
tests/it/gixy_conformance.rs runs.
"""

import argparse

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXPECTATIONS = ROOT / "tests/corpus/realworld.toml"
OUT = ROOT / "tests/tools/realworld"
# The largest archive accepted, so that a changed package cannot fill the disk.
MAX_ARCHIVE = 64 * 1024 * 1024


def fail(message: str) -> None:
    print(f"fetch-realworld: {message}", file=sys.stderr)
    sys.exit(1)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(url: str, into: Path) -> None:
    with urllib.request.urlopen(url, timeout=120) as response, into.open("wb") as f:
        size = 0
        while block := response.read(1 << 20):
            size += len(block)
            if size > MAX_ARCHIVE:
                fail(f"{url} is larger than {MAX_ARCHIVE} bytes")
            f.write(block)


def from_pypi(name: str, file: str, into: Path) -> None:
    """Downloads `file` of project `name` through the simple index pip uses (PEP 691 JSON)."""
    index = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple/").rstrip("/") + "/"
    page = urllib.parse.urljoin(index, f"{name.lower().replace('_', '-').replace('.', '-')}/")
    request = urllib.request.Request(
        page, headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        listing = json.load(response)
    for entry in listing["files"]:
        if entry["filename"] == file:
            download(urllib.parse.urljoin(page, entry["url"]), into)
            return
    fail(f"{file} is not in {page}")


def from_npm(spec: str, file: str, into: Path) -> None:
    """Downloads the tarball of `spec` (name@version) with npm, from its configured registry."""
    result = subprocess.run(
        ["npm", "pack", spec, "--json", "--silent", "--pack-destination", str(into.parent)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        fail(f"npm pack {spec}: {result.stderr.strip()}")
    packed = into.parent / json.loads(result.stdout)[0]["filename"]
    if packed.name != file:
        fail(f"npm pack {spec} gave {packed.name}, expected {file}")


def unpack(archive: Path, folder: Path) -> None:
    """Unpacks regular files and folders only, without the archive's top folder."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            parts = Path(member.name).parts[1:]
            if not parts or not (member.isfile() or member.isdir()):
                continue
            if any(part in ("..", "") or part.startswith("/") for part in parts):
                fail(f"{archive.name}: {member.name!r} leaves its folder")
            member.name = str(Path(*parts))
            member.mode = 0o755 if member.isdir() else 0o644
            if hasattr(tarfile, "data_filter"):
                tar.extract(member, folder, filter="data")
            else:  # Python before 3.11.4: the checks above are the filter
                tar.extract(member, folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", type=Path, default=EXPECTATIONS, help="the pinned packages")
    parser.add_argument("--out", type=Path, default=OUT, help="where to unpack them")
    args = parser.parse_args()
    expectations, out = args.list.resolve(), args.out.resolve()
    download_folder, complete = out / ".download", out / ".complete"
    repositories = tomllib.loads(expectations.read_text())["repository"]
    wanted = "".join(f"{r['folder']} {r['sha256']}\n" for r in repositories)
    if complete.is_file() and complete.read_text() == wanted:
        return
    complete.unlink(missing_ok=True)
    download_folder.mkdir(parents=True, exist_ok=True)
    for repository in repositories:
        registry, spec = repository["package"].split(":", 1)
        archive = download_folder / repository["archive"]
        if not archive.is_file() or sha256(archive) != repository["sha256"]:
            archive.unlink(missing_ok=True)
            if registry == "npm":
                from_npm(spec, archive.name, archive)
            elif registry == "pypi":
                from_pypi(spec.split("@", 1)[0], archive.name, archive)
            else:
                fail(f"unknown registry {registry!r} in {repository['package']}")
        got = sha256(archive)
        if got != repository["sha256"]:
            archive.unlink()
            fail(f"{archive.name}: SHA-256 {got}, {expectations.name} pins {repository['sha256']}")
        unpack(archive, out / repository["folder"])
        print(f"fetch-realworld: {repository['folder']}", file=sys.stderr)
    complete.write_text(wanted)


if __name__ == "__main__":
    main()
