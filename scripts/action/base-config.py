#!/usr/bin/env python3
"""Prints the `preflight` arguments that take the configuration from the pull request's base
branch, so a pull request cannot relax its own gate by adding or editing a `preflight.toml`
(or the policy files it names).

Usage: base-config.py BASE_REF SCAN_PATH [CONFIG] OUT_DIR

Fetches BASE_REF (one commit deep), finds the configuration the base branch would use (CONFIG
when given, else the nearest `preflight.toml` from SCAN_PATH up to the repository root),
writes it and its policy files under OUT_DIR at the same relative paths, and prints
`--config OUT_DIR/...`; prints `--no-config` when the base branch has none. Exit 2 on any
error (the action then fails the step rather than run with the pull request's configuration).
"""

import os
import subprocess
import sys
import tomllib


def git(*args, binary=False):
    out = subprocess.run(["git", *args], check=True, capture_output=True)
    return out.stdout if binary else out.stdout.decode()


def exists(rev, path):
    return subprocess.run(["git", "cat-file", "-e", f"{rev}:{path}"], capture_output=True).returncode == 0


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    base_ref, scan_path, explicit, out_dir = sys.argv[1:]
    git("fetch", "--no-tags", "--depth=1", "origin", base_ref)
    rev = git("rev-parse", "FETCH_HEAD").strip()
    top = git("rev-parse", "--show-toplevel").strip()
    def relative(path):
        return os.path.relpath(os.path.abspath(path), top).replace(os.sep, "/")
    if explicit:
        candidates = [relative(explicit)]
    else:
        start = relative(scan_path if os.path.isdir(scan_path) else os.path.dirname(scan_path) or ".")
        candidates = []
        while True:
            candidates.append("preflight.toml" if start == "." else f"{start}/preflight.toml")
            if start in (".", ""):
                break
            start = os.path.dirname(start) or "."
    found = next((c for c in candidates if exists(rev, c)), None)
    if found is None:
        print("--no-config")
        return
    text = git("show", f"{rev}:{found}", binary=True)
    folder = os.path.dirname(found)
    files = {found: text}
    for policy in tomllib.loads(text.decode()).get("policy_files", []):
        path = os.path.normpath(os.path.join(folder, policy)).replace(os.sep, "/")
        if path.startswith("../") or os.path.isabs(path):
            sys.exit(f"policy file {policy} is outside the repository")
        files[path] = git("show", f"{rev}:{path}", binary=True)
    for path, content in files.items():
        target = os.path.join(out_dir, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as f:
            f.write(content)
    print(f"--config={os.path.join(out_dir, found)}")


if __name__ == "__main__":
    try:
        main()
    except (subprocess.CalledProcessError, OSError, tomllib.TOMLDecodeError) as e:
        print(f"cannot take the configuration from the base branch: {e}", file=sys.stderr)
        sys.exit(2)
