"""Benchmark of the declaration registry (issue 11). A script, not a test:

    python bench/bench_registry.py [--size N] [--small N] [--repeat N] [--keep DIR]

Measures, on this machine, in one run, on SQLite:

1. the registry checks alone (§7.3.3 / §6.2.4.3 look-ups for one declaration: project, meters, address,
   types) with ``--small`` (default 10³) and ``--size`` (default 10⁵) declarations already accepted — the
   time per file and the ratio of the two (indexes, not scans: ≈ 1);
2. ``check`` and ``accept`` of a JSON declaration end to end at both sizes, and the validator alone, so
   that what the registry adds per file is the difference (target ≤ 5 ms) — the three timed block after
   block in turn, as the machine's load varies by the second;
3. peak Python memory (tracemalloc) of one check and one accept at both sizes (flat in the registry's size);
4. ``verify`` at both sizes: its time and peak memory (it keeps a digest per declaration: not flat).

The declarations already accepted are synthetic rows inserted straight into the tables (many per
transaction): their values vary like real ones — many projects, seasons over several years, distinct
meters and addresses — and some share the probed declaration's project, meter or address.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
import zlib
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_JSON = ROOT / "workbook_templates" / "examples" / "example-declaration.json"


def synthetic_rows(n: int):
    """Rows of ``n`` accepted declarations: ~n/5 projects × 5 seasons (2020…2024, the probes' season last), one
    meter each; each with its (small) archived file, so that ``verify`` finds a whole registry."""
    for i in range(n):
        project = i // 5
        year = 2020 + i % 5
        content = f"synthetic declaration {i}".encode()
        yield content, {
            "id": i + 1, "sha256": hashlib.sha256(content).hexdigest(), "file_name": f"s{i}.json", "file_kind": "json",
            "project_id": f"SYN-{project:06d}", "project_key": f"SYN-{project:06d}", "project_name": f"项目{project}",
            "address": f"长春市合成路 {project} 号", "address_key": f"长春市合成路{project}号",
            "season_start": date(year, 10, 20), "season_end": date(year + 1, 4, 5),
            "method": ("estimated", "metered", "mixed")[i % 3], "heating_hours": 4032.0,
            "heat_supplied_gj": 2000.0 + i % 1000, "ef_heat": 0.11, "project_emissions_t": 150.0,
            "creditable_reductions_t": 100.0, "parameter_version": "V01", "template_version": None,
            "records_keep_until": date(2043, 10, 19), "boundary": "{}", "declaration": "{}", "results": "{}",
            "trace": "[]", "findings": "[]", "operator": "bench", "accepted_at": "2026-01-01T00:00:00+00:00",
            "status": "accepted",
        }


def fill(reg, n: int) -> None:
    """Insert ``n`` synthetic declarations with their types, meters, archived files and a valid event chain
    (each ``accepted`` event holding its row's digest), many rows per statement."""
    from hpcarbon.registry import chain
    from hpcarbon.registry.database import write_transaction
    from hpcarbon.registry.schema import archive, declaration_types, declarations, events, meters

    batch = 5000
    rows = list(synthetic_rows(n))
    prev = chain.GENESIS
    with write_transaction(reg.engine) as conn:
        for k in range(0, n, batch):
            chunk = [r for _, r in rows[k:k + batch]]
            conn.execute(declarations.insert(), chunk)
            conn.execute(archive.insert(), [{"sha256": r["sha256"], "size": len(c), "compression": "zlib",
                                             "content": zlib.compress(c)} for c, r in rows[k:k + batch]])
            conn.execute(declaration_types.insert(), [{"declaration_id": r["id"], "type": "air",
                                                       "metered": r["method"] == "metered"} for r in chunk])
            conn.execute(meters.insert(), [{"declaration_id": r["id"], "kind": "electricity",
                                            "meter_key": f"EMSYN{r['id']}", "meter_id": f"EM-SYN-{r['id']}",
                                            "type": "air"} for r in chunk])
            chained = []
            for r in chunk:
                payload = {"record_sha256": chain._digest({k: v for k, v in r.items() if k != "status"}),
                           "file_sha256": r["sha256"]}
                h = chain.event_hash(r["id"], "accepted", r["id"], r["accepted_at"], "bench", payload, prev)
                chained.append({"seq": r["id"], "kind": "accepted", "declaration_id": r["id"], "at": r["accepted_at"],
                                "operator": "bench", "payload": chain.canonical_json(payload), "prev_hash": prev,
                                "hash": h})
                prev = h
            conn.execute(events.insert(), chained)


def probe_files(folder: Path, count: int) -> list[Path]:
    """JSON declarations to check and accept: the example moved to fresh projects (distinct SHA-256), one in
    three sharing a synthetic project's id (a look-up that finds rows), meter or address."""
    base = json.loads(EXAMPLE_JSON.read_text(encoding="utf-8"))
    out = []
    for i in range(count):
        d = json.loads(json.dumps(base))
        d["project"]["id"] = f"SYN-{i:06d}" if i % 3 == 0 else f"NEW-{i:06d}"
        d["project"]["address"] = f"长春市合成路 {i} 号" if i % 3 == 1 else f"长春市新路 {i} 号"
        d["systems"][0]["electricity_meter"]["id"] = f"EM-SYN-{i + 1}" if i % 3 == 2 else f"EM-NEW-{i}"
        p = folder / f"probe-{i}.json"
        p.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
        out.append(p)
    return out


def registry_only(reg, files: list[Path], repeat: int) -> float:
    """Median seconds of the registry checks alone for one declaration (validation done beforehand)."""
    from hpcarbon.registry.checks import registry_findings
    from hpcarbon.registry.database import read_transaction
    from hpcarbon.registry.records import record_of
    from hpcarbon.registry.submission import validate_submission

    subs = [validate_submission(f) for f in files]
    recs = [(record_of(s.report.declaration, s.report.accounting), s.sha256) for s in subs]
    times = []
    for _ in range(repeat):
        for rec, sha in recs:
            t = time.perf_counter()
            with read_transaction(reg.engine) as conn:
                registry_findings(conn, rec, sha)
            times.append(time.perf_counter() - t)
    return statistics.median(times)


def timed(fn, files: list[Path]) -> float:
    times = []
    for f in files:
        t = time.perf_counter()
        fn(f)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def peak(fn, f: Path) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn(f)
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top


def measure(folder: Path, n: int, repeat: int) -> dict:
    from hpcarbon.registry import Registry
    from hpcarbon.registry.submission import validate_submission

    db = folder / f"registry-{n}.sqlite"
    reg = Registry.open(str(db), create=True)
    t = time.perf_counter()
    fill(reg, n)
    fill_s = time.perf_counter() - t
    probes = probe_files(folder, 30)
    out = {"declarations": n, "fill_s": round(fill_s, 2)}
    out["registry_checks_ms"] = registry_only(reg, probes, repeat) * 1e3
    # interleaved, file by file, so that the machine's load weighs on both alike: the median of the differences
    added, alone, whole = [], [], []
    for _ in range(repeat):
        for f in probes:
            t0 = time.perf_counter()
            validate_submission(f)
            t1 = time.perf_counter()
            reg.check(f)
            t2 = time.perf_counter()
            alone.append(t1 - t0)
            whole.append(t2 - t1)
            added.append((t2 - t1) - (t1 - t0))
    out["validate_only_ms"] = statistics.median(alone) * 1e3
    out["check_ms"] = statistics.median(whole) * 1e3
    out["check_added_ms"] = statistics.median(added) * 1e3
    acc_folder = folder / f"accept-{n}"
    acc_folder.mkdir()
    acc_files = probe_files(acc_folder, 30)
    for i, f in enumerate(acc_files):  # distinct projects, so every one is accepted
        d = json.loads(f.read_text(encoding="utf-8"))
        d["project"]["id"] = f"ACC-{n}-{i}"
        d["systems"][0]["electricity_meter"]["id"] = f"EM-ACC-{n}-{i}"
        d["project"]["address"] = f"长春市受理路 {i} 号"
        f.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    out["accept_ms"] = timed(lambda f: reg.accept(f, operator="bench"), acc_files[:25]) * 1e3
    out["peak_check_kib"] = peak(reg.check, probes[0]) / 1024
    out["peak_accept_kib"] = peak(lambda f: reg.accept(f, operator="bench"), acc_files[25]) / 1024
    t = time.perf_counter()
    result = reg.verify()
    out["verify_s"] = time.perf_counter() - t
    out["verify_events"] = result.events
    assert result.ok, [p.en for p in result.problems[:3]]  # the synthetic registry is whole: verify finds nothing
    out["peak_verify_kib"] = peak(lambda _f: reg.verify(), None) / 1024  # traced again: tracemalloc slows it
    return out, reg, probes


def interleaved(regs: dict, probes: list[Path], blocks: int) -> dict:
    """``check`` against each registry and the validator alone, block after block in turn, so that the load
    of a shared machine weighs on each alike: median ms per file of each."""
    from hpcarbon.registry.submission import validate_submission

    times: dict[str, list[float]] = {"validate": [], **{name: [] for name in regs}}
    for _ in range(blocks):
        for name, fn in [("validate", validate_submission)] + [(n, r.check) for n, r in regs.items()]:
            for f in probes:
                t = time.perf_counter()
                fn(f)
                times[name].append(time.perf_counter() - t)
    return {name: statistics.median(ts) * 1e3 for name, ts in times.items()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--small", type=int, default=1_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--keep", metavar="DIR", help="keep the registries in DIR")
    args = ap.parse_args(argv)
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-registry-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        (folder / "small").mkdir()
        (folder / "large").mkdir()
        small, small_reg, probes = measure(folder / "small", args.small, args.repeat)
        large, large_reg, _ = measure(folder / "large", args.size, args.repeat)
        side = interleaved({"small": small_reg, "large": large_reg}, probes, blocks=2 * args.repeat)
        small_reg.close()
        large_reg.close()
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    for label, m in (("small", small), ("large", large)):
        print(f"{label}: " + ", ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in m.items()))
    added_check = side["large"] - side["validate"]
    print(f"registry checks per file at {args.size}: {large['registry_checks_ms']:.3f} ms "
          f"(at {args.small}: {small['registry_checks_ms']:.3f} ms; ratio "
          f"{large['registry_checks_ms'] / small['registry_checks_ms']:.2f}) — target ≤ 5 ms")
    print(f"check, interleaved: validator alone {side['validate']:.3f} ms, check at {args.small} "
          f"{side['small']:.3f} ms, at {args.size} {side['large']:.3f} ms: the registry adds "
          f"{side['small'] - side['validate']:.3f} → {added_check:.3f} ms; accept "
          f"{large['accept_ms']:.1f} ms (validation {large['validate_only_ms']:.1f} ms)")
    print(f"peak memory check {small['peak_check_kib']:.0f} → {large['peak_check_kib']:.0f} KiB, accept "
          f"{small['peak_accept_kib']:.0f} → {large['peak_accept_kib']:.0f} KiB "
          f"(ratio {large['peak_accept_kib'] / small['peak_accept_kib']:.2f})")
    print(f"verify: {large['verify_s']:.2f} s for {large['verify_events']} events; peak memory "
          f"{small['peak_verify_kib'] / 1024:.1f} → {large['peak_verify_kib'] / 1024:.1f} MiB")
    ok = large["registry_checks_ms"] <= 5.0 and added_check <= 5.0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
