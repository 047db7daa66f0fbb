"""Runs action.yml's shell steps here, as GitHub's runner would, and checks what they leave.

A composite action is YAML around bash. This reads it, gives each `run:` step the environment
its `env:` block asks for (inputs with their defaults, `github.action_path`, earlier steps'
outputs), evaluates each `if:` (the few forms action.yml uses), and runs the script with
`bash --noprofile --norc -eo pipefail`, as GitHub does. `uses:` steps (actions/cache,
actions/upload-artifact) cannot run here: the cache is taken as a hit on a prepared folder
holding the binary under test, and the upload is recorded as skipped.

Cases: a passing run, a failing verdict (exit 1), bad input (exit 2), and inputs that would run
as shell code if they were spliced into the scripts. For each: the outputs, the job summary,
junit.xml where the `junit` output says, the exit code the gate step gives, and that nothing
injected ran.

    .peers/deploy-check/bin/python scripts/verify/action.py target/release/cogbench
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# Where a step's outcome is kept among its outputs (no real output has this name).
OUTCOME = " outcome"


def fail(why):
    sys.exit(f"action.py: FAIL: {why}")


class Runner:
    def __init__(self, action, binary, work):
        self.action = action
        self.binary = binary
        self.work = work

    def expression(self, text, inputs, outputs):
        """The value of `${{ … }}` forms action.yml uses; anything else is refused."""

        def value(ref):
            ref = ref.strip()
            if ref.startswith("inputs."):
                return inputs[ref[len("inputs."):]]
            if ref == "github.action_path":
                return ROOT
            m = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", ref)
            if m:
                return outputs.get(m.group(1), {}).get(m.group(2), "")
            m = re.fullmatch(r"steps\.([\w-]+)\.outcome", ref)
            if m:
                return outputs.get(m.group(1), {}).get(OUTCOME, "skipped")
            fail(f"action.yml uses an expression this runner does not know: {ref}")

        return re.sub(r"\$\{\{(.*?)\}\}", lambda m: value(m.group(1)), text)

    def condition(self, text, inputs, outputs):
        if text is None:
            return True
        text = re.sub(r"^\$\{\{(.*)\}\}$", r"\1", text.strip()).strip()
        allowed = r"(inputs|steps)\.[\w.-]+|'[^']*'|==|!=|&&|\|\||!cancelled\(\)|\(|\)|\s+"
        if re.sub(allowed, "", text):
            fail(f"action.yml has a condition this runner cannot evaluate: {text}")
        values = {}

        def name(m):
            key = f"v{len(values)}"
            values[key] = self.expression("${{ " + m.group(0) + " }}", inputs, outputs)
            return key

        python = re.sub(r"(inputs|steps)\.[\w.-]+", name, text)
        for key in list(values):
            values[key] = values[key].lower()
        python = re.sub(r"'[^']*'", lambda m: m.group(0).lower(), python)
        python = python.replace("!cancelled()", "True").replace("&&", " and ").replace("||", " or ")
        return bool(eval(python, {"__builtins__": {}}, values))  # noqa: S307 (checked above)

    def run(self, given, cwd):
        inputs = {k: str(v.get("default", "")) for k, v in self.action["inputs"].items()}
        unknown = set(given) - set(inputs)
        if unknown:
            fail(f"inputs {unknown} are not declared in action.yml")
        inputs.update(given)
        outputs = {}
        files = {n: os.path.join(self.work, n) for n in ("output", "summary", "path")}
        for f in files.values():
            open(f, "w").close()
        path = os.environ["PATH"]
        code = 0
        log = []
        for step in self.action["runs"]["steps"]:
            name = step["name"]
            # After a failure GitHub runs only the steps whose condition asks to (the default
            # condition is success()).
            if code and "cancelled()" not in str(step.get("if")):
                log.append(f"skipped (an earlier step failed): {name}")
                continue
            if not self.condition(step.get("if"), inputs, outputs):
                log.append(f"skipped (if): {name}")
                continue
            if "uses" in step:
                if step["uses"].startswith("actions/cache@"):
                    root = self.expression(step["with"]["path"], inputs, outputs)
                    os.makedirs(os.path.join(root, "bin"), exist_ok=True)
                    link = os.path.join(root, "bin", "cogbench")
                    if not os.path.exists(link):
                        os.symlink(os.path.abspath(self.binary), link)
                    outputs[step["id"]] = {"cache-hit": "true", OUTCOME: "success"}
                log.append(f"not run here ({step['uses']}): {name}")
                continue
            env = dict(os.environ, PATH=path, GITHUB_OUTPUT=files["output"],
                       GITHUB_STEP_SUMMARY=files["summary"], GITHUB_PATH=files["path"],
                       RUNNER_OS="Linux", RUNNER_ARCH="X64", RUNNER_TOOL_CACHE=self.work)
            for k, v in step.get("env", {}).items():
                env[k] = self.expression(str(v), inputs, outputs)
            open(files["output"], "w").close()
            r = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                               cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
                               errors="replace")
            log.append(f"ran: {name} (exit {r.returncode})\n{r.stdout}{r.stderr}")
            step_outputs = {}
            for line in open(files["output"]):
                k, _, v = line.rstrip("\n").partition("=")
                step_outputs[k] = v
            step_outputs[OUTCOME] = "failure" if r.returncode else "success"
            if "id" in step:
                outputs[step["id"]] = step_outputs
            for line in open(files["path"]):
                if line.strip() and line.strip() not in path.split(":"):
                    path = line.strip() + ":" + path
            if r.returncode and not code:
                code = r.returncode
        summary = open(files["summary"], encoding="utf-8").read()
        return code, outputs, summary, "\n".join(log)


def run_step(self, name, env, cwd):
    """One `run:` step by name, with the environment given; returns the job summary it wrote."""
    step = next(s for s in self.action["runs"]["steps"] if s["name"] == name)
    summary = os.path.join(self.work, "summary-one")
    open(summary, "w").close()
    r = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                       cwd=cwd, env=dict(os.environ, GITHUB_STEP_SUMMARY=summary, **env),
                       capture_output=True, text=True, timeout=60)
    if r.returncode:
        fail(f"step {name!r} failed: {r.stderr}")
    # Strict decoding: a cut inside a character fails here.
    return open(summary, encoding="utf-8").read()


Runner.run_step = run_step


def main():
    binary = os.path.abspath(sys.argv[1])
    with open(os.path.join(ROOT, "action.yml")) as f:
        action = yaml.safe_load(f)
    work = tempfile.mkdtemp(prefix="cogbench-action-")
    try:
        runner = Runner(action, binary, work)
        project = os.path.join(work, "project")
        os.makedirs(project)
        # Every case once, gated on the verdicts only: a latency threshold would make the
        # action's check depend on how busy the machine is.
        with open(os.path.join(project, "smoke.yaml"), "w") as f:
            f.write("name: action-pass\nphases: [{vus: 2, rounds: 1}]\nmix: all\n"
                    "thresholds: [conformance_failures == 0]\n")
        with open(os.path.join(project, "failing.yaml"), "w") as f:
            f.write("name: action-fail\nphases: [{vus: 1, rounds: 1}]\n"
                    "mix: {unknown-user: 1}\nthresholds: [\"error_rate > 99%\"]\n")

        def check(label, given, want_code, want_summary, want_junit):
            code, outputs, summary, log = runner.run(given, project)
            run = outputs.get("run", {})
            if code != want_code:
                fail(f"{label}: the action ended {code}, not {want_code}\n{log}")
            if run.get("exit-code") != str(want_code):
                fail(f"{label}: exit-code output {run.get('exit-code')!r}, not {want_code}\n{log}")
            if want_summary not in summary:
                fail(f"{label}: the job summary lacks {want_summary!r}:\n{summary[:2000]}")
            junit = os.path.join(project, run.get("junit", "?"))
            if want_junit != os.path.isfile(junit):
                fail(f"{label}: junit.xml {'missing' if want_junit else 'present'} at {junit}\n{log}")
            print(f"action.py: ok: {label}: exit {code}, summary and junit as expected")
            return log

        log = check("passing run on the embedded emulator",
                    {"scenario": "smoke.yaml", "output-dir": "out-pass"}, 0,
                    "| valid-code |", True)
        written = os.listdir(os.path.join(project, "out-pass"))
        if not any(f.endswith(".html") for f in written):
            fail(f"the default reports input (html) wrote no HTML report: {written}")
        if "ran: Put cogbench on PATH" not in log or "ran: Build cogbench" in log:
            fail(f"the cached build was not put on PATH as a cache hit should be:\n{log}")
        code, _, summary, log = runner.run({"scenario": "smoke.yaml", "output-dir": "out-args",
                                            "args": "--cases\n  valid-code,unknown-user  -v"},
                                           project)
        if code != 0 or "| valid-code |" not in summary or "| wrong-code |" in summary:
            fail(f"args did not reach cogbench run as two arguments (exit {code}):\n{log}")
        print("action.py: ok: args split on spaces and new lines reach cogbench run")
        check("a failing threshold", {"scenario": "failing.yaml", "output-dir": "out-fail",
                                       "reports": "csv, junit"}, 1, "| error\\_rate", True)
        check("a scenario that is not there", {"scenario": "missing.yaml",
                                                "output-dir": "out-bad"}, 2,
              "wrote no summary", False)
        marker = os.path.join(work, "injected")
        hostile = f"$(touch {marker}) `touch {marker}` ; touch {marker}"
        check("inputs holding shell code", {"scenario": "smoke.yaml", "output-dir": "out-hostile",
                                            "args": f"--cases {hostile}",
                                            "fail-on": hostile}, 2, "wrote no summary", False)
        if os.path.exists(marker):
            fail("an input ran as shell code")
        print("action.py: ok: no input ran as shell code")
        code, _, _, log = runner.run({"scenario": "smoke.yaml", "install": "brew"}, project)
        if code != 2 or "install must be cargo or path" not in log:
            fail(f"install: brew was not refused with exit 2\n{log}")
        print("action.py: ok: an unknown install method is refused")

        shutil.copy(os.path.join(project, "smoke.yaml"), os.path.join(project, "-smoke.yaml"))
        code, _, summary, log = runner.run({"scenario": "-smoke.yaml", "output-dir": "-odd",
                                            "reports": "hlog\nhtml,, csv", "install": "CARGO"},
                                           project)
        written = os.listdir(os.path.join(project, "-odd")) if code == 0 else []
        if code != 0 or not all(any(f.endswith(e) for f in written) for e in (".hlog", ".html")):
            fail(f"values starting with '-', reports on several lines with an empty item, or "
                 f"install in capitals did not run as asked (exit {code}, wrote {written}):\n{log}")
        print("action.py: ok: values starting with '-', reports on lines with empty items, "
              "install: CARGO")

        code, _, summary, log = runner.run({"scenario": "smoke.yaml", "output-dir": "out-pass"},
                                           project)
        if code != 2 or summary or "is not empty" not in log or "ran: Upload" in log \
                or "ran: Run the scenario" in log:
            fail(f"a used output-dir was not refused before the run (exit {code}):\n{log}")
        for odd in ("x\njunit=/etc/passwd", "~/rep", " rep", "rep ", "rep*"):
            code, outputs, _, log = runner.run({"scenario": "smoke.yaml", "output-dir": odd},
                                               project)
            if code != 2 or "junit" in outputs.get("run", {}):
                fail(f"output-dir {odd!r} was not refused before the run (exit {code}):\n{log}")
        print("action.py: ok: a used output-dir, and ones holding a line break, a pattern, a "
              "leading ~ or spaces at an end, are refused")

        big = os.path.join(project, "big")
        os.makedirs(big)
        with open(os.path.join(big, "summary.md"), "w", encoding="utf-8") as f:
            for _ in range(30000):
                f.write("| é · ✅ | " + "µ" * 40 + " |\n")
        summary = runner.run_step("Write the job summary", {"OUTPUT_DIR": "big", "CODE": "0"},
                                  project)
        size = len(summary.encode())
        if not (900_000 < size <= 1024 * 1024) or "summary cut at 1 MB" not in summary:
            fail(f"a 3 MB summary was not cut below 1 MiB with a note: {size} bytes")
        print(f"action.py: ok: a 3 MB summary is cut to {size} bytes at a line, valid UTF-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
