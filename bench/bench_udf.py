"""The Python overhead of the Excel add-in's functions, as Excel calls them (a script, not a test).

Each ``HP_*`` call is timed in one process against the core function it wraps (``timeit``, best of 5),
with the value shapes Excel passes (scalars, 1×1 ranges as ``[[v]]``, blanks as ``None``). The target is
an overhead ≤ 50 µs a call; a timed assertion in the test suite would fail on a busy machine, so the
numbers live here.

    python bench/bench_udf.py
"""

from __future__ import annotations

import sys
import timeit
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "xladdin"))  # the source tree wins over an installed copy

import hpcarbon_udfs as U  # noqa: E402

from hpcarbon import formulas  # noqa: E402
from hpcarbon.parameters import set_in_force  # noqa: E402

TARGET_US = 50.0
CASES = [  # (label, the add-in call, the core work it stands for)
    ("HP_HEAT_ELEC(320000, 2.4)", lambda: U.HP_HEAT_ELEC(320000.0, 2.4),
     lambda: formulas.heat_by_electricity_monthly([320000.0], [2.4])),
    ("HP_HEAT_ELEC([[320000]], [[2.4]])", lambda: U.HP_HEAT_ELEC([[320000.0]], [[2.4]]),
     lambda: formulas.heat_by_electricity_monthly([320000.0], [2.4])),
    ("HP_BASELINE([[2764.8]], [[blank]], [[blank]])", lambda: U.HP_BASELINE([[2764.8]], [[None]], [[None]]),
     lambda: formulas.baseline_emissions(2764.8, 0.11)),
    ("HP_PROJECT_EMISSIONS([[blank]], [[320000]], [[blank]])",
     lambda: U.HP_PROJECT_EMISSIONS([[None]], [[320000.0]], [[None]]),
     lambda: formulas.project_emissions(320000.0, 4.37, 0.4671)),
    ("HP_Q_INDEX(住宅, TRUE)", lambda: U.HP_Q_INDEX("住宅", True),
     lambda: set_in_force(date(2024, 10, 20)).q_rows["residential"].lowest(True)),
    ("HP_PARAM(EF_heat, 2024-10-20)", lambda: U.HP_PARAM("EF_heat", datetime(2024, 10, 20)),
     lambda: set_in_force(date(2024, 10, 20)).ef_heat.value),
]


def best_us(fn, number: int) -> float:
    fn()  # warm caches (parameter files are read once)
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6


def main(number: int = 20_000) -> int:
    print("| call | add-in | core | overhead |")
    print("|---|---|---|---|")
    worst = 0.0
    for label, udf, core in CASES:
        u, c = best_us(udf, number), best_us(core, number)
        worst = max(worst, u - c)
        print(f"| {label} | {u:.2f} µs | {c:.2f} µs | {u - c:.2f} µs |")
    print(f"\nlargest overhead {worst:.2f} µs a call (target ≤ {TARGET_US:.0f} µs)")
    return 0 if worst <= TARGET_US else 1


if __name__ == "__main__":
    sys.exit(main())
