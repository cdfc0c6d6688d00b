"""Start-up of the ``hpcarbon`` command, as ratios to ``python -c pass`` measured in the same run.

    python bench/bench_startup.py [--repeat N]

Targets (issue 13): ``hpcarbon --help`` ≤ 0.1 s and ``hpcarbon compute`` on the example ≤ 0.25 s of wall time
on the reference machine; the ratios make runs on a busy or different machine comparable. Each command is run
N times interleaved with the baseline; medians are reported.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "workbook_templates" / "examples"
CASES = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "hpcarbon --help": [sys.executable, "-m", "hpcarbon", "--help"],
    "hpcarbon compute example": [sys.executable, "-m", "hpcarbon", "compute",
                                 str(Path("/work/shared/methodology/example-declaration.json"))],
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
    CASES["hpcarbon compute example"][-1] = _example_json()
    times: dict[str, list[float]] = {k: [] for k in CASES}
    for _ in range(args.repeat):
        for name, cmd in CASES.items():  # interleaved: load changes hit every case alike
            t0 = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            times[name].append(time.perf_counter() - t0)
    base = statistics.median(times["python -c pass"])
    print(f"{'command':28} {'median s':>9} {'× python':>9} {'target s':>9}")
    for name, ts in times.items():
        med = statistics.median(ts)
        target = TARGETS.get(name)
        print(f"{name:28} {med:9.3f} {med / base:9.2f} {target if target else '':>9}")


if __name__ == "__main__":
    main()
