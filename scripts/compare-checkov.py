#!/usr/bin/env python3
"""Side-by-side comparison of Checkov and preflight on the same Kubernetes manifests,
Dockerfiles and Compose files.

Both tools are run once on the same explicit list of files; their findings are mapped to
shared *concepts* (the tables below) and, per file, the script prints which concepts only
Checkov reports, which only preflight reports, and which both report. It is a documented
measurement, not a test: Checkov is not needed by the test suite or `.ci/run`.

Usage (from the repository root, after `cargo build --release` and `pip install checkov`):

    python3 scripts/compare-checkov.py                      # corpus + fixtures, markdown
    python3 scripts/compare-checkov.py --kinds dockerfile,compose
    python3 scripts/compare-checkov.py --json results.json  # raw rows for further work
    python3 scripts/compare-checkov.py DIR ...              # other roots

Checkov has no Docker Compose framework (its `--framework` list has `dockerfile`,
`kubernetes`, `helm`, `kustomize`, `yaml` for custom policies and `secrets`, but nothing
that reads Compose services): Compose files are seen by its `secrets` framework only, which
is run on every file here.

Python 3.11, standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# --- Concepts ---------------------------------------------------------------------------
# A concept is one thing a reviewer would call "the same finding". Checkov ids and
# preflight ids map onto them; an id missing from both tables is its own concept (shown as
# `checkov:<id>` or `preflight:<id>`) so nothing is silently dropped.

CHECKOV_CONCEPTS: dict[str, str] = {
    # Dockerfile (checkov/dockerfile/checks and checkov/dockerfile/checks/graph_checks)
    "CKV_DOCKER_1": "ssh-port-exposed",
    "CKV_DOCKER_2": "no-healthcheck",
    "CKV_DOCKER_3": "runs-as-root",
    "CKV_DOCKER_4": "add-instruction",
    "CKV_DOCKER_5": "apt-update-alone",
    "CKV_DOCKER_6": "maintainer-deprecated",
    "CKV_DOCKER_7": "unpinned-image",
    "CKV_DOCKER_8": "runs-as-root",
    "CKV_DOCKER_9": "apt-instead-of-apt-get",
    "CKV_DOCKER_10": "workdir-not-absolute",
    "CKV_DOCKER_11": "from-alias-not-unique",
    "CKV2_DOCKER_1": "sudo",
    # Kubernetes (checkov/kubernetes/checks/resource/k8s)
    "CKV_K8S_8": "probes",
    "CKV_K8S_9": "probes",
    "CKV_K8S_10": "resources",
    "CKV_K8S_11": "resources",
    "CKV_K8S_12": "resources",
    "CKV_K8S_13": "resources",
    "CKV_K8S_14": "unpinned-image",
    "CKV_K8S_15": "pull-policy",
    "CKV_K8S_16": "privileged",
    "CKV_K8S_17": "host-namespace",
    "CKV_K8S_18": "host-namespace",
    "CKV_K8S_19": "host-namespace",
    "CKV_K8S_20": "privilege-escalation",
    "CKV_K8S_21": "default-namespace",
    "CKV_K8S_22": "read-only-root",
    "CKV_K8S_23": "runs-as-root",
    "CKV_K8S_25": "dangerous-capability",
    "CKV_K8S_26": "host-port",
    "CKV_K8S_27": "sensitive-host-path",
    "CKV_K8S_28": "capabilities",
    "CKV_K8S_29": "security-context",
    "CKV_K8S_30": "security-context",
    "CKV_K8S_31": "seccomp",
    "CKV_K8S_35": "secret-in-env",
    "CKV_K8S_37": "capabilities",
    "CKV_K8S_38": "automount-token",
    "CKV_K8S_39": "dangerous-capability",
    "CKV_K8S_40": "high-uid",
    "CKV_K8S_43": "image-digest",
    "CKV_K8S_49": "rbac-wildcard",
}

# Checkov's `secrets` framework reports CKV_SECRET_<n> for every detector.
CHECKOV_PREFIX_CONCEPTS: list[tuple[str, str]] = [
    ("CKV_SECRET_", "literal-secret"),
    # CKV2_DOCKER_2..17: TLS verification turned off in a RUN (curl -k, wget
    # --no-check-certificate, pip --trusted-host, NODE_TLS_REJECT_UNAUTHORIZED=0, …).
    ("CKV2_DOCKER_", "tls-verification-off-in-build"),
]

PREFLIGHT_CONCEPTS: dict[str, str] = {
    "DKR001": "unpinned-image",
    "DKR002": "runs-as-root",
    "DKR003": "literal-secret",
    "DKR004": "secret-build-arg",
    # Checkov's CKV_DOCKER_4 reports every ADD; preflight tells a remote URL (DKR005) from a
    # local file (DKR006).
    "DKR005": "add-instruction",
    "DKR006": "add-instruction",
    "DKR007": "copy-whole-context",
    "DKR008": "apt-recommends",
    "DKR009": "pipe-to-shell",
    "DKR010": "npm-install",
    "DKR011": "node-env",
    "DKR012": "dev-server",
    "DKR013": "no-healthcheck",
    "DKR014": "ssh-port-exposed",
    "DKR015": "sudo",
    "DKR016": "shell-form-command",
    "CMP001": "data-port-public",
    "CMP002": "admin-port-public",
    "CMP003": "literal-secret",
    "CMP004": "privileged",
    "CMP005": "docker-socket",
    "CMP006": "host-namespace",
    "CMP007": "no-restart-policy",
    "CMP008": "unpinned-image",
    "CMP009": "dangerous-capability",
    "CMP010": "runs-as-root",
    "CMP011": "env-file-missing",
    "CMP012": "port-base60",
    "ENV010": "literal-secret",
    "ENV011": "literal-secret",
    "ENV012": "literal-secret",
    "ENV013": "literal-secret",
    "PF001": "parse-error",
    "BAK001": "backup-missing",
    "K8S001": "runs-as-root",
    "K8S002": "privileged",
    "K8S003": "privilege-escalation",
    "K8S004": "capabilities",
    "K8S005": "dangerous-capability",
    "K8S006": "read-only-root",
    "K8S007": "host-namespace",
    "K8S008": "sensitive-host-path",
    "K8S009": "host-path",
    "K8S010": "unpinned-image",
    "K8S011": "pull-policy",
    "K8S012": "image-digest",
    "K8S013": "resources",
    "K8S014": "probes",
    "K8S015": "literal-secret",
    "K8S016": "literal-secret",
    "K8S017": "exposed-data-port",
    "K8S018": "ingress-no-tls",
    "K8S019": "rbac-wildcard",
    "K8S020": "rbac-secrets",
    "K8S021": "automount-token",
    "K8S022": "seccomp",
    "K8S023": "host-port",
    "K8S024": "seccomp",
}

# Rules not in the table above (rules added later) are mapped by words of their name, as
# `preflight rules` lists them. Verify the result and move the ids into PREFLIGHT_CONCEPTS.
PREFLIGHT_NAME_WORDS: list[tuple[str, str]] = [
    ("privilege-escalation", "privilege-escalation"),
    ("privileged", "privileged"),
    ("host-namespace", "host-namespace"),
    ("host-network", "host-namespace"),
    ("host-pid", "host-namespace"),
    ("dangerous-capab", "dangerous-capability"),
    ("capabilit", "capabilities"),
    ("read-only-root", "read-only-root"),
    ("readonly-root", "read-only-root"),
    ("root", "runs-as-root"),
    ("digest", "image-digest"),
    ("latest", "unpinned-image"),
    ("unpinned", "unpinned-image"),
    ("pull-policy", "pull-policy"),
    ("probe", "probes"),
    ("resource", "resources"),
    ("limits", "resources"),
    ("automount", "automount-token"),
    ("service-account-token", "automount-token"),
    ("rbac-wildcard", "rbac-wildcard"),
    ("rbac-secret", "rbac-secrets"),
    ("host-path", "host-path"),
    ("docker-socket", "docker-socket"),
    ("env-secret", "secret-in-env"),
    ("secret", "literal-secret"),
    ("seccomp", "seccomp"),
    ("default-namespace", "default-namespace"),
]


def checkov_concept(check_id: str) -> str:
    if check_id in CHECKOV_CONCEPTS:
        return CHECKOV_CONCEPTS[check_id]
    for prefix, concept in CHECKOV_PREFIX_CONCEPTS:
        if check_id.startswith(prefix):
            return concept
    return f"checkov:{check_id}"


def preflight_concepts(preflight: str) -> dict[str, str]:
    """Rule id -> concept for every rule the binary knows."""
    out = subprocess.run(
        [preflight, "rules", "--no-color"], capture_output=True, text=True, check=True
    ).stdout
    concepts = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 3 or not re.fullmatch(r"[A-Z][A-Z0-9]*[0-9]{3}", parts[0]):
            continue
        rule_id, name = parts[0], parts[2]
        concept = PREFLIGHT_CONCEPTS.get(rule_id)
        if concept is None:
            concept = next(
                (c for word, c in PREFLIGHT_NAME_WORDS if word in name),
                f"preflight:{rule_id}",
            )
        concepts[rule_id] = concept
    return concepts


# --- Files ------------------------------------------------------------------------------

NOT_DOCKERFILE_SUFFIXES = (".expected", ".md", ".dockerignore", ".txt", ".orig", ".bak")


def kind_of(path: Path) -> str | None:
    """`dockerfile`, `compose`, `kubernetes` or None, by name (and content for YAML)."""
    name = path.name.lower()
    if name.endswith(NOT_DOCKERFILE_SUFFIXES):
        return None
    if name in ("dockerfile", "containerfile") or name.endswith(".dockerfile"):
        return "dockerfile"
    if name.startswith(("dockerfile.", "containerfile.")):
        return "dockerfile"
    if not name.endswith((".yml", ".yaml")):
        return None
    if name.startswith(("docker-compose", "compose.")):
        return "compose"
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return None
    if re.search(r"^apiVersion:", text, re.M) and re.search(r"^kind:", text, re.M):
        return "kubernetes"
    return None


def collect(roots: list[Path], kinds: set[str]) -> dict[Path, str]:
    files: dict[Path, str] = {}
    for root in roots:
        candidates = [root] if root.is_file() else sorted(root.rglob("*"))
        for path in candidates:
            if not path.is_file() or any(p in (".git", "target") for p in path.parts):
                continue
            kind = kind_of(path)
            if kind in kinds:
                files[path.resolve()] = kind
    return files


# --- Running the tools --------------------------------------------------------------------


def run_checkov(checkov: str, files: list[Path]) -> dict[Path, list[tuple[str, int]]]:
    found: dict[Path, list[tuple[str, int]]] = defaultdict(list)
    # A few hundred paths per call keep the command line short.
    for start in range(0, len(files), 300):
        chunk = files[start : start + 300]
        cmd = [checkov, "--quiet", "--compact", "-o", "json", "--skip-download"]
        cmd += ["--framework", "dockerfile", "kubernetes", "secrets"]
        for f in chunk:
            cmd += ["-f", str(f)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if not proc.stdout.strip():
            sys.exit(f"checkov printed nothing (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
        reports = json.loads(proc.stdout)
        if isinstance(reports, dict):
            reports = [reports]
        for report in reports:
            for check in report.get("results", {}).get("failed_checks", []):
                path = Path(check.get("file_abs_path") or check["file_path"]).resolve()
                line = (check.get("file_line_range") or [0])[0]
                found[path].append((check["check_id"], line))
    return found


def run_preflight(preflight: str, files: list[Path]) -> dict[Path, list[tuple[str, int]]]:
    found: dict[Path, list[tuple[str, int]]] = defaultdict(list)
    for start in range(0, len(files), 300):
        chunk = [str(f) for f in files[start : start + 300]]
        proc = subprocess.run(
            [preflight, "check", *chunk, "--format", "json", "--fail-on", "never"],
            capture_output=True,
            text=True,
            cwd="/",
        )
        report = json.loads(proc.stdout)
        for finding in report["findings"]:
            path = Path("/", finding["location"]["path"]).resolve()
            # A finding suppressed with a reason in the file is still one preflight found.
            rule = finding["rule_id"] + ("(suppressed)" if finding.get("suppression") else "")
            found[path].append((rule, finding["location"]["start_line"]))
    return found


# --- Comparing --------------------------------------------------------------------------


def compare(files, checkov_found, preflight_found, concepts):
    """One row per (file, concept) that either tool reports."""
    rows = []
    for path, kind in sorted(files.items()):
        by_concept: dict[str, dict[str, list[str]]] = defaultdict(
            lambda: {"checkov": [], "preflight": []}
        )
        for check_id, line in checkov_found.get(path, []):
            by_concept[checkov_concept(check_id)]["checkov"].append(f"{check_id}@{line}")
        for rule_id, line in preflight_found.get(path, []):
            rule = rule_id.removesuffix("(suppressed)")
            concept = concepts.get(rule) or PREFLIGHT_CONCEPTS.get(rule, f"preflight:{rule}")
            by_concept[concept]["preflight"].append(f"{rule_id}@{line}")
        for concept, seen in sorted(by_concept.items()):
            lines = [{int(x.rsplit("@", 1)[1]) for x in seen[t]} for t in ("checkov", "preflight")]
            if seen["checkov"] and seen["preflight"]:
                verdict = "both" if lines[0] == lines[1] else "both, other lines"
            elif seen["checkov"]:
                verdict = "only Checkov"
            else:
                verdict = "only preflight"
            rows.append(
                {
                    "file": display(path),
                    "kind": kind,
                    "concept": concept,
                    "checkov": sorted(set(seen["checkov"])),
                    "preflight": sorted(set(seen["preflight"])),
                    "verdict": verdict,
                }
            )
    return rows


def display(path: Path) -> str:
    for base, label in ((ROOT, ""), (ROOT.parent / "shared", "shared/")):
        try:
            return label + str(path.relative_to(base.resolve()))
        except ValueError:
            continue
    return str(path)


def markdown(rows, files) -> str:
    out = []
    kinds = sorted(set(files.values()))
    out.append(f"Files compared: {len(files)} ({', '.join(f'{k}: {list(files.values()).count(k)}' for k in kinds)}).\n")
    out.append("### Summary by concept\n")
    out.append("| kind | concept | both, same lines | both, other lines | only Checkov | only preflight |")
    out.append("|---|---|---:|---:|---:|---:|")
    summary: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        summary[(row["kind"], row["concept"])][row["verdict"]] += 1
    for (kind, concept), counts in sorted(summary.items()):
        out.append(
            f"| {kind} | {concept} | {counts['both']} | {counts['both, other lines']} | {counts['only Checkov']} | {counts['only preflight']} |"
        )
    out.append("\n### Differences per file\n")
    out.append("`ID@line`: the first line each tool gives (Checkov gives the line range of a whole")
    out.append("resource or file for absent settings; preflight the line of the object lacking it).\n")
    out.append("| file | concept | Checkov | preflight |")
    out.append("|---|---|---|---|")
    for row in rows:
        if row["verdict"] == "both":
            continue
        out.append(
            f"| {row['file']} | {row['concept']} | {' '.join(row['checkov']) or '—'} | {' '.join(row['preflight']) or '—'} |"
        )
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("roots", nargs="*", type=Path, help="folders or files (default: the fetched real-world corpus and fixtures/)")
    parser.add_argument("--preflight", default=str(ROOT / "target/release/preflight"))
    parser.add_argument("--checkov", default=os.environ.get("CHECKOV", shutil.which("checkov") or "checkov"))
    parser.add_argument("--kinds", default="dockerfile,compose,kubernetes")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args()
    roots = args.roots or [ROOT / "tests/tools/realworld", ROOT / "fixtures"]
    files = collect([r for r in roots if r.exists()], set(args.kinds.split(",")))
    if not files:
        sys.exit("no Kubernetes manifest, Dockerfile or Compose file found")
    ordered = sorted(files)
    concepts = preflight_concepts(args.preflight)
    checkov_found = run_checkov(args.checkov, ordered)
    preflight_found = run_preflight(args.preflight, ordered)
    rows = compare(files, checkov_found, preflight_found, concepts)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    sys.stdout.write(markdown(rows, files))


if __name__ == "__main__":
    main()
