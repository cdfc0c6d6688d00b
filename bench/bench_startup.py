"""Start-up of the ``hpcarbon`` command, as ratios to ``python -c pass`` measured in the same run.

    python bench/bench_startup.py [--repeat N]

Targets (issue 13): ``hpcarbon --help`` ≤ 0.1 s and ``hpcarbon compute`` on the example ≤ 0.25 s of wall time
on the reference machine; the ratios make runs on a busy or different machine comparable. Each command is run
N times interleaved with the baseline; medians are reported. The package is measured as installed: its
modules are byte-compiled first, as pip leaves an installed package (``make setup`` does the same).
"""

from __future__ import annotations

import argparse
import compileall
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "workbook_templates" / "examples"
#: the command as users run it: the console script pip installs beside the interpreter
HPCARBON = str(Path(sys.executable).with_name("hpcarbon"))
#: the part of compute that is pydantic's: import it, build the declaration model, validate the example, as the
#: command does (plugins off, garbage collector paused while building) — the floor of any compute validating
#: with the model
PYDANTIC_FLOOR = """
import json, sys
from hpcarbon.cli import implementation_imports, pydantic_without_plugins
pydantic_without_plugins()
with implementation_imports():
    from hpcarbon.model import Declaration
    Declaration.model_rebuild()
Declaration.model_validate(json.load(open(sys.argv[1], encoding="utf-8")))
"""
CASES = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "hpcarbon --help": [HPCARBON, "--help"],
    "hpcarbon compute example": [HPCARBON, "compute", ""],
    "pydantic floor": [sys.executable, "-c", PYDANTIC_FLOOR, ""],
}
TARGETS = {"hpcarbon --help": 0.10, "hpcarbon compute example": 0.25}


def _example_json() -> str:
    shared = Path("/work/shared/methodology/example-declaration.json")
    if shared.exists():
        return str(shared)
    return str(next(EXAMPLE.glob("*.json")))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    CASES["hpcarbon compute example"][-1] = CASES["pydantic floor"][-1] = _example_json()
    compileall.compile_dir(ROOT / "src", quiet=1)
    times: dict[str, list[float]] = {k: [] for k in CASES}
    cpu: dict[str, list[float]] = {k: [] for k in CASES}  # the child's user + system CPU: robust to a busy machine
    for _ in range(args.repeat):
        for name, cmd in CASES.items():  # interleaved: load changes hit every case alike
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)  # a failing case would time nothing
            times[name].append(time.perf_counter() - t0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    base = statistics.median(times["python -c pass"])
    base_cpu = statistics.median(cpu["python -c pass"])
    print(f"{'command':28} {'wall s':>8} {'× python':>9} {'CPU s':>8} {'× python':>9} {'target s':>9}")
    for name in CASES:
        med, med_cpu = statistics.median(times[name]), statistics.median(cpu[name])
        target = TARGETS.get(name)
        print(f"{name:28} {med:8.3f} {med / base:9.2f} {med_cpu:8.3f} {med_cpu / base_cpu:9.2f} "
              f"{target if target else '':>9}")


if __name__ == "__main__":
    main()
