"""Benchmark of ``hpcarbon validate`` (issue 7). A script, not a test:

    python bench/bench_validate.py [--repeat N] [--batch N] [--profile] [--keep DIR]

Measures, on this machine, in one run:

1. single-file validation time of the bundled example and of a large but legal declaration (a district
   energy station with three coupled heat-pump types, daily on-site COP measurements across the season,
   the areas table full), as a ratio to the floor: loading the same file with openpyxl alone
   (``load_workbook(read_only=True)``, every used cell of every sheet read once). The two are timed
   interleaved, in the same process, and the median of ``--repeat`` runs is kept;
2. the time of each layer of the validator on the large workbook (where the time goes);
3. batch throughput of ``--batch`` workbooks (default 200) through the command with --jobs 1 and --jobs 2,
   and the scaling ratio; peak memory (max RSS) of a single validation and of each batch;
4. the Python overhead of an Excel UDF call (``hpcarbon_udfs.HP_HEAT_ELEC(320000, 2.4)`` against the
   core formula it calls).

Targets (issue 7, tightened by issue 10): single file ≤ 1.0× the openpyxl floor; batch scaling ≥ 1.7× from 1 to 2 jobs; UDF
overhead ≤ 50 µs.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
import zipfile
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_JSON = ROOT / "workbook_templates" / "examples" / "example-declaration.json"
HPCARBON = Path(sys.executable).with_name("hpcarbon")


# --- the workbooks ---------------------------------------------------------------------------------------
def large_declaration() -> dict:
    """A district energy station: ground (buried pipe), air and waste-heat water source heat pumps, each
    with a daily on-site COP measurement across the season (168 days × 3 types = 504 rows of the COP
    sheet), and 200 area entries (the areas table full). Legal: it validates with no error."""
    from hpcarbon.calendar import working_condition

    start, end = date(2024, 10, 20), date(2025, 4, 5)
    days = [start + timedelta(d) for d in range((end - start).days + 1)]
    d = json.loads(EXAMPLE_JSON.read_text(encoding="utf-8"))
    d["project"].update(id="CC-HP-2024-0099", name="长春市某区域能源站多源耦合热泵供暖项目",
                        address="长春市南关区能源站路 9 号")
    d["season"] = {"start": start.isoformat(), "end": end.isoformat()}
    profile = {"ground": (4.2, 0.6), "air": (2.8, 0.7), "wastewater": (4.8, 0.5)}  # mild value, winter drop

    def cold(day: date) -> float:  # 0 in the mildest days, 1 in mid-January
        return max(0.0, 1 - abs((day - date(2025, 1, 15)).days) / 90)

    systems = []
    for i, t in enumerate(("ground", "air", "wastewater")):
        mild, drop = profile[t]
        system = {"type": t, "heat_metered": False,
                  "electricity_meter": {"id": f"EM-{t[:2].upper()}-0{i + 1}", "verified_on": "2024-09-01"},
                  "cop": {"source": "onsite", "report_value": None, "report_no": None, "measurements": [
                      {"date": day.isoformat(), "value": round(mild - drop * cold(day) + 0.05 * ((k * 7) % 5 - 2), 2),
                       "outdoor_temp_c": round(5 - 25 * cold(day), 1),
                       "condition": working_condition(day.month).value, "extreme_weather": False}
                      for k, day in enumerate(days)]}}
        if t == "ground":
            system["subtype"] = "buried_pipe"
        systems.append(system)
    d["systems"] = systems
    d["total_heat_meter"] = None
    base = json.loads(EXAMPLE_JSON.read_text(encoding="utf-8"))["monthly"]
    d["monthly"] = [dict(m, electricity_kwh={"ground": m["electricity_kwh"]["air"] * 2,
                                             "air": m["electricity_kwh"]["air"] * 3,
                                             "wastewater": m["electricity_kwh"]["air"]}) for m in base]
    types = ["residential", "residential_district", "school_office", "hospital_nursery", "hotel", "shop",
             "canteen_restaurant", "theatre_exhibition", "auditorium_gymnasium"]
    d["areas"] = [{"building_type": types[k % len(types)], "energy_saving": k % 3 != 0,
                   "area_m2": 80 + k} for k in range(200)]
    d["recheck"] = {"performed": True, "by": "长春市某检测中心 张工", "date": "2025-04-20",
                    "note": "面积法热指标为设计值，偏差经复核属实，取电算法结果。"}
    return d


def write_workbooks(folder: Path) -> dict[str, Path]:
    from hpcarbon.workbook.fill import fill_workbook

    out = {}
    for name, data in (("example", json.loads(EXAMPLE_JSON.read_text(encoding="utf-8"))),
                       ("large", large_declaration())):
        path = folder / f"{name}.xlsx"
        fill_workbook(data).save(path)
        out[name] = path
    return out


# --- timing ----------------------------------------------------------------------------------------------
def openpyxl_floor(path: Path) -> int:
    """The floor: openpyxl alone, read-only, every used cell of every sheet read once."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    n = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            for v in row:
                if v is not None:
                    n += 1
    wb.close()
    return n


def single_file(path: Path, repeat: int) -> dict:
    from hpcarbon.validator import validate_file

    result = validate_file(path)  # warm: imports, layout caches
    openpyxl_floor(path)
    floor, full = [], []
    for _ in range(repeat):  # interleaved, so drift of the machine hits both alike
        t = time.perf_counter()
        openpyxl_floor(path)
        floor.append(time.perf_counter() - t)
        t = time.perf_counter()
        validate_file(path)
        full.append(time.perf_counter() - t)
    f, v = statistics.median(floor), statistics.median(full)
    return {"file": path.name, "bytes": path.stat().st_size, "exit": result.exit_code,
            "findings": sorted({x.code for x in result.report.findings}), "floor_s": f, "validate_s": v,
            "ratio": v / f}


def layers(path: Path, repeat: int) -> dict[str, float]:
    """Median seconds of each layer of validate_file on ``path``, called as the validator calls them."""
    import hashlib

    from hpcarbon.rules import check, make_context
    from hpcarbon.validator import _compare_cached, _control_characters, _rows_of, _scan_inputs, read_submitted
    from hpcarbon.validator.container import inspect_container
    from hpcarbon.validator.limits import DEFAULT_LIMITS
    from hpcarbon.validator.ooxml import gated_openpyxl
    from hpcarbon.validator.reviewer import reviewer_findings
    from hpcarbon.validator.recompute import sheet_and_cells
    from hpcarbon.workbook.reader import read_values, read_workbook, sheet_extents

    data = read_submitted(path, DEFAULT_LIMITS.max_file_bytes)
    calc_sheet, calc_cells = sheet_and_cells()
    wanted = {calc_sheet: calc_cells}
    extents = sheet_extents()
    container = inspect_container(data, DEFAULT_LIMITS, wanted, extents=extents)
    read = read_workbook(data)
    ctx = make_context(read.declaration)

    def gated_read():
        with gated_openpyxl():
            return read_workbook(data, limits=DEFAULT_LIMITS)

    steps = {
        "read once + sha256": lambda: hashlib.sha256(read_submitted(path, DEFAULT_LIMITS.max_file_bytes)).hexdigest(),
        "container pass (inflate; expat over every part but the sheets' bodies; resolve; one C parse per sheet "
        "yielding formulas, merges, cached values and the reader's values)":
            lambda: inspect_container(data, DEFAULT_LIMITS, wanted, extents=extents),
        "reader from the container's values (what the gate runs)":
            lambda: read_values(_rows_of(container), limits=DEFAULT_LIMITS, date1904=container.package.date1904),
        "for comparison, not run by the gate: the reader on openpyxl, defusedxml":
            lambda: read_workbook(data, limits=DEFAULT_LIMITS),
        "for comparison, not run by the gate: the reader on openpyxl, C parser": gated_read,
        "formula / merge checks of input cells": lambda: _scan_inputs(read, container),
        "reviewer checks": lambda: reviewer_findings(container, read),
        "control characters": lambda: _control_characters(read),
        "rules + accounting": lambda: check(read.declaration, make_context(read.declaration)),
        "cached values (calculation sheet)": lambda: _compare_cached(ctx.accounting, read.declaration, read,
                                                                     container),
    }
    out = {}
    for name, fn in steps.items():
        fn()
        runs = []
        for _ in range(repeat):
            t = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - t)
        out[name] = statistics.median(runs)
    return out


#: Runs the command and writes "<seconds> <peak KB>" to argv[1]: a small interpreter in between, since a child
#: forked straight from this (larger) process would count this process's pages in its max RSS.
_WRAPPER = """import os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(proc.pid, 0)
with open(sys.argv[1], "w") as fh:
    fh.write(f"{time.perf_counter() - start} {usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measured(args: list[str]) -> tuple[int, float, float]:
    """(exit, wall seconds, peak RSS MB of the command — for a batch, of its largest process: the command
    and the workers it waited for)."""
    with tempfile.NamedTemporaryFile("r", suffix=".peak") as peak:
        code = subprocess.call([sys.executable, "-c", _WRAPPER, peak.name, str(HPCARBON), *args])
        seconds, kb = peak.read().split()
    return code, float(seconds), int(kb) / 1024


def _distinct_copy(source: Path, target: Path, project_id: bytes, new_id: bytes) -> None:
    """A copy with its own project id: a batch of one project's copies is a §7.3.3 double declaration."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info).replace(project_id, new_id))


def batch(source: Path, count: int, folder: Path) -> dict:
    files = folder / "batch"
    if files.exists():  # --keep DIR of an earlier run
        import shutil

        shutil.rmtree(files)
    files.mkdir()
    for i in range(count):
        _distinct_copy(source, files / f"{i:04d}-{source.name}", b"CC-HP-2024-0001", b"CC-HP-2024-9%03d" % i)
    out = {"count": count}
    for jobs in (1, 2):
        code, seconds, peak = run_measured(["validate", str(files), "--format", "jsonl", "--jobs", str(jobs)])
        out[jobs] = {"exit": code, "seconds": seconds, "files_per_s": count / seconds, "peak_mb": peak}
    out["scaling"] = out[1]["seconds"] / out[2]["seconds"]
    return out


def udf_overhead(number: int = 200_000) -> dict:
    sys.path.insert(0, str(ROOT / "xladdin"))  # installed as a package too; the source tree wins here
    import hpcarbon_udfs

    from hpcarbon import formulas

    udf = min(timeit.repeat(lambda: hpcarbon_udfs.HP_HEAT_ELEC(320000, 2.4), number=number, repeat=5)) / number
    core = min(timeit.repeat(lambda: formulas.heat_by_electricity_monthly([320000], [2.4]),
                             number=number, repeat=5)) / number
    return {"udf_us": udf * 1e6, "core_us": core * 1e6, "overhead_us": (udf - core) * 1e6}


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import openpyxl

    return (f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, openpyxl {openpyxl.__version__}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--profile", action="store_true", help="print cProfile's top functions for the large workbook")
    ap.add_argument("--keep", metavar="DIR", help="write the workbooks there (default: a temporary folder)")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        books = write_workbooks(folder)
        print(f"machine: {machine()}\n")

        print("| workbook | size | exit | openpyxl floor | validate | ratio (target ≤ 1.0) |")
        print("|---|---|---|---|---|---|")
        for name, path in books.items():
            r = single_file(path, args.repeat)
            print(f"| {name} | {r['bytes'] // 1024} KB | {r['exit']} | {r['floor_s'] * 1000:.0f} ms "
                  f"| {r['validate_s'] * 1000:.0f} ms | {r['ratio']:.2f}× |")

        print("\nlayers of validate on the large workbook (median):\n")
        for name, seconds in layers(books["large"], max(5, args.repeat // 2)).items():
            print(f"- {name}: {seconds * 1000:.1f} ms")

        code, seconds, peak = run_measured(["validate", str(books["large"]), "--format", "json"])
        print(f"\nsingle large workbook through the command: exit {code}, {seconds:.2f} s wall "
              f"(interpreter start included), peak {peak:.0f} MB")

        b = batch(books["example"], args.batch, folder)
        print(f"\nbatch of {b['count']} example workbooks:\n")
        print("| jobs | exit | wall | files/s | peak RSS (largest process) |")
        print("|---|---|---|---|---|")
        for jobs in (1, 2):
            j = b[jobs]
            print(f"| {jobs} | {j['exit']} | {j['seconds']:.1f} s | {j['files_per_s']:.1f} | {j['peak_mb']:.0f} MB |")
        print(f"\nscaling 1 → 2 jobs: {b['scaling']:.2f}× (target ≥ 1.7)")

        u = udf_overhead()
        print(f"\nUDF HP_HEAT_ELEC(320000, 2.4): {u['udf_us']:.2f} µs a call; the core formula alone "
              f"{u['core_us']:.2f} µs; overhead {u['overhead_us']:.2f} µs (target ≤ 50)")

        if args.profile:
            from hpcarbon.validator import validate_file

            prof = cProfile.Profile()
            prof.enable()
            for _ in range(5):
                validate_file(books["large"])
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
