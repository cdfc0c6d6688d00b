"""Files just under and just over each limit of the validator, through the command, with and without
--annotate (issue 10: bounded in every case — exit 1 or 2 with a clear message, ≤ 10 s and ≤ 500 MB).
A script, not a test:

    python bench/bench_limits.py [--keep DIR] [--only WORD]

Each case is one of the hostile corpus's generators (tests/hostile_corpus.py) sized from the default limit
it probes (``validator.limits.DEFAULT_LIMITS``: the sizes follow the limits, never retyped); the table gives
the exit status, the codes of the findings about the file itself, wall time (interpreter start included)
and peak RSS of the command, and whether both stay within the promise.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "bench")]

MAX_SECONDS, MAX_MB = 10.0, 500.0
#: elements of one rich-text run as the corpus writes it: <r><rPr><sz/><color/></rPr><t/></r>
RUN_ELEMENTS = 5


def _cells_and_rows(base: Path, sheet: str) -> tuple[int, int]:
    import hostile_corpus as hc

    with zipfile.ZipFile(base) as zf:
        total = sum(zf.read(n).count(b"<c ") for n in zf.namelist() if n.startswith("xl/worksheets/"))
        rows = zf.read(hc.sheet_part(base, sheet)).count(b"<row")
    return total, rows


def _wide(base: Path, out: Path, sheet: str, target_cells: int) -> Path:
    """The sheet's rows widened (from column AD on) until the workbook holds about ``target_cells`` cells."""
    import hostile_corpus as hc

    cells, rows = _cells_and_rows(base, sheet)
    width = 29 + max(1, (target_cells - cells) // max(rows, 1))
    return hc.wide_rows(base, out, sheet, width=width)


def _big_binary(base: Path, out: Path, size: int) -> Path:
    """A stored (uncompressed) binary part of random bytes, so that the file is ``size`` bytes."""
    import shutil

    shutil.copy(base, out)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_STORED) as zf:
        zf.writestr("xl/media/blob.bin", os.urandom(max(0, size - base.stat().st_size - 200)))
    return out


def _compressible(size: int, ratio: float) -> bytes:
    """``size`` bytes that deflate (zipfile's default level) about ``ratio`` times: blocks of fresh random
    bytes and zeros, the random share tuned on a sample."""
    import zlib

    block = 1 << 16

    def made(random_bytes: int, n: int) -> bytes:
        return b"".join(os.urandom(random_bytes) + bytes(block - random_bytes) for _ in range(n))

    lo, hi = 1, block
    while hi - lo > 1:  # the smallest random share that compresses no better than the ratio asked
        mid = (lo + hi) // 2
        sample = made(mid, 16)
        if len(sample) / len(zlib.compress(sample, 6)) > ratio:
            lo = mid
        else:
            hi = mid
    return made(hi, size // block + 1)[:size]


def _inflating(base: Path, out: Path, size: int, ratio: float) -> Path:
    """A deflated binary part of ``size`` bytes that compresses about ``ratio`` times."""
    import shutil

    shutil.copy(base, out)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/pad.bin", _compressible(size, ratio))
    return out


def cases(base: Path, folder: Path, only: str | None) -> dict[str, Path]:
    import hostile_corpus as hc

    from hpcarbon.validator.limits import DEFAULT_LIMITS as L

    monthly = hc._monthly_sheet(base)
    under_over = {
        "max_cells": lambda o, over: _wide(base, o, monthly, L.max_cells + (5_000 if over else -10_000)),
        "max_cells (shared strings)": lambda o, over: hc.many_shared_strings(
            base, o, count=L.max_cells + 1 if over else L.max_cells - 10_000),
        "max_styles": lambda o, over: hc.style_bloat(base, o, count=L.max_styles + 1 if over else L.max_styles - 2_000),
        "max_elements (defined names)": lambda o, over: hc.many_defined_names(
            base, o, count=L.max_elements + 1 if over else L.max_elements - 5_000),
        "max_sheet_elements (rich-text runs)": lambda o, over: hc.rich_text_runs(
            base, o, count=(L.max_sheet_elements + (1 if over else -30_000)) // RUN_ELEMENTS + over),
        "max_rows (a cell on every row)": lambda o, over: hc.million_rows_of_data(
            base, o, monthly, rows=L.max_rows + 1 if over else L.max_rows - 10),
        "max_annotated_cells": lambda o, over: _wide(base, o, monthly,
                                                     L.max_annotated_cells + (5_000 if over else -5_000)),
        "max_file_bytes": lambda o, over: _big_binary(base, o, L.max_file_bytes + (100_000 if over else -100_000)),
        # the whole package inflated (parts compressing well under the ratio limit), and one part's ratio
        "max_uncompressed_bytes": lambda o, over: _inflating(
            base, o, L.max_uncompressed_bytes + (1 << 20 if over else -(1 << 20)), L.max_compression_ratio / 4),
        "max_compression_ratio": lambda o, over: _inflating(
            base, o, 20 << 20, L.max_compression_ratio * (1.05 if over else 0.95)),
    }
    out = {}
    for name, make in under_over.items():
        if only and only not in name:
            continue
        slug = re.sub(r"[^a-z]+", "-", name.lower()).strip("-")
        for over in (False, True):
            label = f"{name} {'just over' if over else 'just under'}"
            out[label] = make(folder / f"{slug}-{'over' if over else 'under'}.xlsx", over)
    return out


def _codes(path: Path) -> str:
    """The file-level findings of one run (which limit answered), read from the JSON report."""
    from gate_support import HPCARBON

    run = subprocess.run([str(HPCARBON), "validate", str(path), "--format", "json"], capture_output=True, text=True,
                         timeout=120)
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        return "?"
    codes = sorted({f["code"] for f in report["findings"] if f["code"].startswith("file.")})
    return ", ".join(codes) or "—"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", metavar="DIR")
    ap.add_argument("--only", metavar="WORD", help="only the limits whose name contains WORD")
    args = ap.parse_args(argv)
    from bench_validate import machine, run_measured
    from gate_support import filled

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        base = filled(folder / "base.xlsx")
        print(f"machine: {machine()}\n")
        print("| case | size | exit | file findings | wall | peak RSS | --annotate: exit | wall | peak RSS | "
              f"≤ {MAX_SECONDS:.0f} s, ≤ {MAX_MB:.0f} MB |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for name, path in cases(base, folder, args.only).items():
            plain = run_measured(["validate", str(path), "--format", "json"])
            annotated = run_measured(["validate", str(path), "--format", "json", "--annotate",
                                      str(folder / "annotated"), "--force"])
            ok = all(r[1] <= MAX_SECONDS and r[2] <= MAX_MB for r in (plain, annotated))
            size = path.stat().st_size
            print(f"| {name} | {size / 1e6:.1f} MB | {plain[0]} | {_codes(path)} | {plain[1]:.1f} s | {plain[2]:.0f} MB "
                  f"| {annotated[0]} | {annotated[1]:.1f} s | {annotated[2]:.0f} MB | {'yes' if ok else '**no**'} |",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
