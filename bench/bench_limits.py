"""Files just under each limit of the validator, through the command, with and without --annotate
(issue 10: bounded in every case — ≤ 10 s and ≤ 500 MB). A script, not a test:

    python bench/bench_limits.py [--keep DIR]

Each case is one of the hostile corpus's generators (tests/hostile_corpus.py) sized just under the default
limit it probes; the table gives exit status, wall time (interpreter start included) and peak RSS.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "bench")]


def cases(base: Path, folder: Path) -> dict[str, Path]:
    import hostile_corpus as hc

    from hpcarbon.validator.limits import DEFAULT_LIMITS as L

    monthly = hc._monthly_sheet(base)
    with __import__("zipfile").ZipFile(base) as zf:  # cells the template already has
        rows = zf.read(hc.sheet_part(base, monthly)).count(b"<row")
    width = max(31, (L.max_cells - 10_000) // max(rows, 1))
    return {
        f"cells just under max_cells ({width} wide × {rows} rows)":
            hc.wide_rows(base, folder / "cells.xlsx", monthly, width=width),
        "shared strings just under max_cells": hc.many_shared_strings(base, folder / "strings.xlsx",
                                                                      count=L.max_cells - 10_000),
        "styles just under max_styles": hc.style_bloat(base, folder / "styles.xlsx", count=L.max_styles - 2_000),
        "defined names just under max_elements": hc.many_defined_names(base, folder / "names.xlsx",
                                                                        count=(L.max_elements - 5_000) // 1),
        "rich-text runs just under max_sheet_elements": hc.rich_text_runs(
            base, folder / "runs.xlsx", count=(L.max_sheet_elements - 30_000) // 3),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", metavar="DIR")
    args = ap.parse_args(argv)
    from bench_validate import run_measured
    from gate_support import filled

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        base = filled(folder / "base.xlsx")
        print("| case | exit | wall | peak RSS | with --annotate: exit | wall | peak RSS |")
        print("|---|---|---|---|---|---|---|")
        for name, path in cases(base, folder).items():
            plain = run_measured(["validate", str(path), "--format", "json"])
            annotated = run_measured(["validate", str(path), "--format", "json", "--annotate",
                                      str(folder / "annotated"), "--force"])
            print(f"| {name} | {plain[0]} | {plain[1]:.1f} s | {plain[2]:.0f} MB "
                  f"| {annotated[0]} | {annotated[1]:.1f} s | {annotated[2]:.0f} MB |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
