#!/usr/bin/env python3
"""Fetches the JUnit XML schema that tests/it/junit.rs validates `--format junit` against.

The schema is Jenkins' (the xUnit plugin's `junit-10.xsd`, MIT), the one GitLab and Azure
read reports by too. pytest validates its own JUnit output against the same file and ships
it in its source archive on PyPI, the only place CI reaches that holds it: this script
downloads that archive with pip (pinned by version and SHA-256), refuses one whose digest
differs, and writes the schema alone to tests/tools/junit/junit-10.xsd. A run that finds the
schema in place does nothing.

    python3 tests/tools/fetch-junit-xsd.py
"""

import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests/tools/junit/junit-10.xsd"
VERSION = "8.3.4"
SHA256 = "965370d062bce11e73868e0335abac31b4d3de0e82f4007408d242b4f8610761"
MEMBER = f"pytest-{VERSION}/testing/example_scripts/junit-10.xsd"


def fail(message: str) -> None:
    print(f"fetch-junit-xsd: {message}", file=sys.stderr)
    sys.exit(1)


def main() -> None:
    if OUT.is_file():
        return
    with tempfile.TemporaryDirectory() as tmp:
        command = [
            sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
            "--no-binary", ":all:", "--dest", tmp, f"pytest=={VERSION}",
        ]
        # pip prepares the archive's metadata (in an isolated build environment it installs
        # from PyPI); the archive itself is never built or installed.
        if subprocess.run(command, check=False).returncode != 0:
            fail(f"pip could not download pytest {VERSION}'s source archive")
        archive = Path(tmp) / f"pytest-{VERSION}.tar.gz"
        if not archive.is_file():
            fail(f"pip left no {archive.name}")
        got = hashlib.sha256(archive.read_bytes()).hexdigest()
        if got != SHA256:
            fail(f"{archive.name}: SHA-256 {got}, this script pins {SHA256}")
        with tarfile.open(archive) as tar:
            member = tar.getmember(MEMBER)
            if not member.isfile():
                fail(f"{MEMBER} is not a regular file")
            data = tar.extractfile(member).read()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    partial = OUT.with_suffix(".partial")
    partial.write_bytes(data)
    partial.replace(OUT)


if __name__ == "__main__":
    main()
