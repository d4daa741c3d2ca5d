"""Runs a composite GitHub action's steps locally, the way a runner does.

Usage: run_composite.py ACTION_DIR INPUTS_JSON

The environment must provide what a runner provides (GITHUB_WORKSPACE, GITHUB_STEP_SUMMARY,
RUNNER_TEMP, RUNNER_TOOL_CACHE, RUNNER_OS); the working directory is the workspace. Each
`run` step gets a fresh GITHUB_OUTPUT file, its `env:` with `${{ ... }}` expressions
evaluated (inputs, github.action_path, github.action_repository, github.base_ref, runner.temp, steps.<id>.outputs.<name>) and runs
under `bash --noprofile --norc -eo pipefail`, as GitHub's `shell: bash` does. `uses` steps
(cache, SARIF upload) cannot run here and are reported as skipped. A `run:` script that
contains `${{` is refused: expressions must reach scripts through the environment.

The steps' own output (the job log) goes to stderr. Prints a JSON document: {"steps": [{"name", "status", "exit_code"}], "outputs": {...},
"exit_code": N} where exit_code is the first failing step's code (0 when all passed).
"""

import json
import os
import re
import subprocess
import sys
import tempfile

import yaml


def main():
    action_dir, inputs_json = sys.argv[1], sys.argv[2]
    with open(os.path.join(action_dir, "action.yml"), encoding="utf-8") as f:
        action = yaml.safe_load(f)
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    given = json.loads(inputs_json)
    unknown = set(given) - set(inputs)
    if unknown:
        sys.exit(f"unknown inputs: {sorted(unknown)}")
    inputs.update({k: str(v) for k, v in given.items()})
    step_outputs = {}
    context = {
        "github.action_path": os.path.abspath(action_dir),
        "runner.temp": os.environ["RUNNER_TEMP"],
        # Set on pull_request events only; the test names the base branch through GITHUB_BASE_REF.
        "github.base_ref": os.environ.get("GITHUB_BASE_REF", ""),
        # Empty for a local action (`uses: ./`), as on GitHub.
        "github.action_repository": os.environ.get("GITHUB_ACTION_REPOSITORY", ""),
    }

    def value(expr):
        expr = expr.strip()
        if expr.startswith("inputs."):
            return inputs[expr[len("inputs."):]]
        if expr.startswith("steps."):
            _, step, kind, name = expr.split(".", 3)
            assert kind == "outputs", expr
            return step_outputs.get(step, {}).get(name, "")
        if expr in context:
            return context[expr]
        raise ValueError(f"expression not supported by this harness: {expr}")

    def render(text):
        return re.sub(r"\$\{\{(.*?)\}\}", lambda m: value(m.group(1)), str(text))

    def condition(expr):
        """`a == 'x' && b != ''`: the subset of GitHub expressions the action uses."""
        for part in expr.split("&&"):
            m = re.fullmatch(r"\s*([\w.-]+)\s*(==|!=)\s*'([^']*)'\s*", part)
            if not m:
                raise ValueError(f"condition not supported by this harness: {expr}")
            left, op, right = value(m.group(1)), m.group(2), m.group(3)
            if (left == right) != (op == "=="):
                return False
        return True

    report = {"steps": [], "outputs": {}, "exit_code": 0}
    for step in action["runs"]["steps"]:
        name = step.get("name", step.get("id", "?"))
        if report["exit_code"] != 0:
            report["steps"].append({"name": name, "status": "skipped (an earlier step failed)"})
            continue
        if "if" in step and not condition(step["if"]):
            report["steps"].append({"name": name, "status": "skipped (condition false)"})
            continue
        if "uses" in step:
            report["steps"].append({"name": name, "status": "skipped (uses " + step["uses"] + ")"})
            continue
        if "${{" in step["run"]:
            sys.exit(f"step {name!r} splices an expression into its script")
        env = dict(os.environ)
        env.update({k: render(v) for k, v in step.get("env", {}).items()})
        env["GITHUB_ACTION_PATH"] = context["github.action_path"]
        with tempfile.NamedTemporaryFile("w+", delete=False, dir=os.environ["RUNNER_TEMP"]) as out:
            env["GITHUB_OUTPUT"] = out.name
        with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False, dir=os.environ["RUNNER_TEMP"]) as script:
            script.write(step["run"])
        # The step's log goes to stderr; stdout carries only this harness's report.
        code = subprocess.call(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", script.name],
            env=env,
            stdout=sys.stderr,
        )
        with open(env["GITHUB_OUTPUT"], encoding="utf-8") as f:
            lines = f.read().splitlines()
        outputs, i = {}, 0
        while i < len(lines):
            line = lines[i]
            if "<<" in line and "=" not in line.split("<<", 1)[0]:
                key, delimiter = line.split("<<", 1)
                body = []
                i += 1
                while lines[i] != delimiter:
                    body.append(lines[i])
                    i += 1
                outputs[key] = "\n".join(body)
            elif "=" in line:
                key, val = line.split("=", 1)
                outputs[key] = val
            i += 1
        if "id" in step:
            step_outputs[step["id"]] = outputs
        report["steps"].append({"name": name, "status": "ran", "exit_code": code})
        if code != 0:
            report["exit_code"] = code
    report["outputs"] = {name: render(spec["value"]) for name, spec in action.get("outputs", {}).items()}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
