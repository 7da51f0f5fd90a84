"""Renders every workload of tests/workloads from Python three ways and prints a markdown
table of the time per render:

- ``vtl``: the package in-process, ``Template.render`` (parsed once) and ``vtl.render``;
- ``vtl`` through a subprocess: ``vtl render NAME.vm --request NAME.json``, what a test
  suite without the package does;
- airspeed-ext, the Velocity engine LocalStack renders mapping templates with, in-process,
  with a minimal ``$input``/``$util``/``$context`` in the manner of LocalStack's (dotted
  JSONPath only), so that its speed can be read beside vtl's. Whether its output is the
  recorded one (``NAME.out``) is shown too: a fast wrong answer is no answer.

Not a test: nothing is asserted. Run with ``benches/bindings/run``.
"""

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import airspeed

import vtl

ROOT = Path(__file__).resolve().parents[2]
WORKLOADS = ROOT / "tests" / "workloads"


def per_call(fn, seconds):
    """Mean seconds per call of ``fn`` over about ``seconds``, after a short warm-up."""
    for _ in range(3):
        fn()
    count, start = 0, time.perf_counter()
    while True:
        fn()
        count += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return elapsed / count


def walk(value, path):
    """A dotted JSONPath (``$``, ``$.a.b``, ``$.a[0]``), which is all the workloads use."""
    for part in re.findall(r"\.([^.\[]+)|\[(\d+)\]", path[1:]):
        name, index = part
        if value is None:
            return None
        value = value[int(index)] if index else value.get(name)
    return value


class Input:
    def __init__(self, request):
        self.body = request.get("body") or "{}"
        self._params = {
            "path": request.get("path", {}),
            "querystring": request.get("querystring", {}),
            "header": request.get("header", {}),
        }

    def path(self, path):
        return walk(json.loads(self.body), path)

    def json(self, path):
        return json.dumps(walk(json.loads(self.body), path))

    def params(self, name=None):
        if name is None:
            return self._params
        for kind in ("path", "querystring", "header"):
            if name in self._params[kind]:
                return self._params[kind][name]
        return ""


class Util:
    def escapeJavaScript(self, text):
        return json.dumps(str(text))[1:-1].replace("'", "\\'").replace("/", "\\/")


def airspeed_render(template, request):
    return template.merge(
        {
            "input": Input(request),
            "util": Util(),
            "context": request.get("context", {}),
            "stageVariables": request.get("stageVariables", {}),
        }
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vtl", default=str(ROOT / "target" / "release" / "vtl"), help="the vtl binary")
    parser.add_argument("--seconds", type=float, default=1.0, help="measurement per cell")
    args = parser.parse_args()

    print("| workload | vtl `Template.render` µs | vtl `vtl.render` µs | `vtl render` subprocess µs | airspeed-ext µs | airspeed-ext output = `.out`? |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for vm in sorted(WORKLOADS.glob("*.vm")):
        source = vm.read_bytes().decode()
        request_path = vm.with_suffix(".json")
        request = json.loads(request_path.read_bytes())
        want = vm.with_suffix(".out").read_bytes().decode()
        template = vtl.Template(source)
        assert template.render(request) == want, vm.name

        def subprocess_render():
            done = subprocess.run(
                [args.vtl, "render", str(vm), "--request", str(request_path)],
                capture_output=True,
                check=True,
            )
            return done.stdout

        assert subprocess_render().decode() == want, vm.name
        compiled = airspeed.Template(source)
        try:
            same = "yes" if airspeed_render(compiled, request) == want else "no"
            airspeed_time = f"{per_call(lambda: airspeed_render(compiled, request), args.seconds) * 1e6:,.1f}"
        except Exception as error:  # a template the engine cannot render
            same, airspeed_time = f"fails: {type(error).__name__}", "-"
        row = [
            vm.stem,
            f"{per_call(lambda: template.render(request), args.seconds) * 1e6:,.1f}",
            f"{per_call(lambda: vtl.render(source, request), args.seconds) * 1e6:,.1f}",
            f"{per_call(subprocess_render, args.seconds) * 1e6:,.1f}",
            airspeed_time,
            same,
        ]
        print("| " + " | ".join(row) + " |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
