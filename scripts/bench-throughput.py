#!/usr/bin/env python3
"""Throughput of preflight and Checkov on the same generated files, in the same run.

Generates a few thousand realistic deployment files in a temporary folder (by default 1,000
each of Kubernetes manifests, Dockerfiles and Compose files, one project folder per service,
with the usual variety: pinned and `latest` images, securityContext or none, published
database ports, literal and interpolated secrets), then times both tools on that folder,
alternating them, several runs each, and prints wall time and files per second.

Usage (from the repository root, after `cargo build --release` and `pip install checkov`):

    python3 scripts/bench-throughput.py                          # 3,000 files, 3 runs
    python3 scripts/bench-throughput.py --per-kind 500 --runs 5
    python3 scripts/bench-throughput.py --kinds dockerfile,compose
    python3 scripts/bench-throughput.py --keep /tmp/bench        # keep the files

With `--hyperfine` (and `hyperfine` installed: `apt-get install hyperfine`) the timing is
left to hyperfine instead. This is a documented measurement, not a test.

Python 3.11, standard library only.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

IMAGES = [
    ("postgres", ["16.4-alpine", "15", "latest", ""]),
    ("redis", ["7.2-alpine", "7", "latest", ""]),
    ("nginx", ["1.27-alpine", "stable", "latest"]),
    ("node", ["20-alpine", "18.20-bookworm-slim", "latest"]),
    ("python", ["3.12-slim", "3.11", "latest"]),
    ("registry.example.com/team/api", ["1.8.2", "latest", "sha-3f9c2e1"]),
]


def image(rng: random.Random) -> str:
    name, tags = rng.choice(IMAGES)
    tag = rng.choice(tags)
    return f"{name}:{tag}" if tag else name


def kubernetes(rng: random.Random, i: int) -> str:
    secure = rng.random() < 0.5
    container_sc = (
        "        securityContext:\n"
        "          runAsNonRoot: true\n"
        "          allowPrivilegeEscalation: false\n"
        "          readOnlyRootFilesystem: true\n"
        "          capabilities:\n"
        "            drop: [ALL]\n"
        if secure
        else ("        securityContext:\n          privileged: true\n" if rng.random() < 0.1 else "")
    )
    resources = (
        "        resources:\n"
        "          requests: {cpu: 100m, memory: 128Mi}\n"
        "          limits: {cpu: 500m, memory: 256Mi}\n"
        if rng.random() < 0.6
        else ""
    )
    probes = (
        "        livenessProbe:\n          httpGet: {path: /health, port: 8080}\n"
        "        readinessProbe:\n          httpGet: {path: /ready, port: 8080}\n"
        if rng.random() < 0.6
        else ""
    )
    env = (
        "        env:\n"
        "        - name: NODE_ENV\n          value: production\n"
        + (
            "        - name: DB_PASSWORD\n          value: CHANGE_ME_PLEASE\n"
            if rng.random() < 0.2
            else "        - name: DB_PASSWORD\n          valueFrom:\n            secretKeyRef: {name: db, key: password}\n"
        )
    )
    service_type = rng.choice(["ClusterIP", "ClusterIP", "LoadBalancer", "NodePort"])
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-{i}
  namespace: apps
  labels:
    app: svc-{i}
spec:
  replicas: {rng.randint(1, 5)}
  selector:
    matchLabels:
      app: svc-{i}
  template:
    metadata:
      labels:
        app: svc-{i}
    spec:
      containers:
      - name: app
        image: {image(rng)}
        ports:
        - containerPort: 8080
{container_sc}{resources}{probes}{env}---
apiVersion: v1
kind: Service
metadata:
  name: svc-{i}
  namespace: apps
spec:
  type: {service_type}
  selector:
    app: svc-{i}
  ports:
  - port: 80
    targetPort: 8080
"""


def dockerfile(rng: random.Random, i: int) -> str:
    multi = rng.random() < 0.5
    base = rng.choice(["node:20-alpine", "node:latest", "python:3.12-slim", "node"])
    lines = ["# syntax=docker/dockerfile:1"]
    if multi:
        lines += [
            f"FROM {base} AS build",
            "WORKDIR /app",
            "COPY package*.json ./",
            "RUN npm ci",
            "COPY . .",
            "RUN npm run build",
            "",
            "FROM node:20-alpine",
            "WORKDIR /app",
            "ENV NODE_ENV=production",
            "COPY --from=build /app/dist ./dist",
            "COPY --from=build /app/node_modules ./node_modules",
        ]
    else:
        lines += [
            f"FROM {base}",
            "WORKDIR /app",
            "RUN apt-get update && apt-get install -y curl \\",
            "    && rm -rf /var/lib/apt/lists/*",
            "COPY . .",
            "RUN npm install",
        ]
    if rng.random() < 0.15:
        lines.append(f"ENV API_TOKEN=tok_{i:08d}_{rng.getrandbits(64):016x}")
    if rng.random() < 0.6:
        lines.append("USER node")
    if rng.random() < 0.5:
        lines.append("HEALTHCHECK --interval=30s CMD wget -qO- http://localhost:3000/health || exit 1")
    lines.append("EXPOSE 3000")
    lines.append('CMD ["node", "dist/main.js"]' if rng.random() < 0.7 else "CMD npm start")
    return "\n".join(lines) + "\n"


def compose(rng: random.Random, i: int) -> str:
    db_ports = rng.choice(['"5432:5432"', '"127.0.0.1:5432:5432"', None])
    password = rng.choice(["${DB_PASSWORD:?set DB_PASSWORD}", "${DB_PASSWORD:-changeme}", "CHANGE_THIS_STRONG_PASSWORD", "${DB_PASSWORD}"])
    restart = "    restart: unless-stopped\n" if rng.random() < 0.7 else ""
    ports = f"    ports:\n      - {db_ports}\n" if db_ports else ""
    return f"""services:
  api-{i}:
    image: {image(rng)}
{restart}    environment:
      NODE_ENV: production
      DATABASE_URL: postgresql://app:${{DB_PASSWORD}}@db:5432/app
    ports:
      - "127.0.0.1:3000:3000"
    depends_on:
      - db
  db:
    image: postgres:{rng.choice(["16.4-alpine", "latest", "15"])}
{restart}    environment:
      POSTGRES_PASSWORD: {password}
{ports}    volumes:
      - db-data:/var/lib/postgresql/data
  cache:
    image: redis:7.2-alpine
    command: redis-server --requirepass ${{REDIS_PASSWORD}}
volumes:
  db-data:
"""


def generate(folder: Path, per_kind: int, kinds: set[str], seed: int) -> int:
    rng = random.Random(seed)
    count = 0
    for i in range(per_kind):
        project = folder / f"svc-{i:05d}"
        project.mkdir(parents=True, exist_ok=True)
        if "kubernetes" in kinds:
            (project / "k8s").mkdir(exist_ok=True)
            (project / "k8s" / "deployment.yaml").write_text(kubernetes(rng, i))
            count += 1
        if "dockerfile" in kinds:
            (project / "Dockerfile").write_text(dockerfile(rng, i))
            count += 1
        if "compose" in kinds:
            (project / "docker-compose.yml").write_text(compose(rng, i))
            count += 1
    return count


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    # preflight exits 1 and Checkov 1 when they find something: both do here.
    if proc.returncode not in (0, 1):
        sys.exit(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-kind", type=int, default=1000, help="files of each kind (default 1000)")
    parser.add_argument("--kinds", default="kubernetes,dockerfile,compose")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--preflight", default=str(ROOT / "target/release/preflight"))
    parser.add_argument("--checkov", default=os.environ.get("CHECKOV", shutil.which("checkov") or "checkov"))
    parser.add_argument("--keep", type=Path, help="generate here and keep the files")
    parser.add_argument("--hyperfine", action="store_true", help="time with hyperfine")
    args = parser.parse_args()
    kinds = set(args.kinds.split(","))
    folder = args.keep or Path(tempfile.mkdtemp(prefix="preflight-bench-"))
    files = generate(folder, args.per_kind, kinds, args.seed)
    frameworks = ["secrets"]
    frameworks += [k for k in ("kubernetes", "dockerfile") if k in kinds]
    checkov = [args.checkov, "-d", str(folder), "--framework", *frameworks,
               "-o", "json", "--quiet", "--compact", "--skip-download"]
    preflight = [args.preflight, "check", str(folder), "--format", "json", "--fail-on", "never"]
    print(f"{files} files ({', '.join(sorted(kinds))}) in {folder}; {os.cpu_count()} CPUs")
    print(f"preflight: {' '.join(preflight)}")
    print(f"checkov:   {' '.join(checkov)}")
    try:
        if args.hyperfine:
            subprocess.run(["hyperfine", "--runs", str(args.runs), "--ignore-failure",
                            "-n", "preflight", " ".join(preflight),
                            "-n", "checkov", " ".join(checkov)], check=True)
            return
        times: dict[str, list[float]] = {"preflight": [], "checkov": []}
        for run in range(args.runs):
            for name, cmd in (("preflight", preflight), ("checkov", checkov)):
                times[name].append(timed(cmd))
                print(f"run {run + 1}: {name} {times[name][-1]:.2f} s", flush=True)
        print("\n| tool | runs | median wall time | min | files/second (median) |")
        print("|---|---:|---:|---:|---:|")
        for name, samples in times.items():
            median = statistics.median(samples)
            print(f"| {name} | {len(samples)} | {median:.2f} s | {min(samples):.2f} s | {files / median:,.0f} |")
        ratio = statistics.median(times["checkov"]) / statistics.median(times["preflight"])
        print(f"\npreflight is {ratio:,.0f}× faster than Checkov on these files.")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
