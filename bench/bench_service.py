"""Load test of ``hpcarbon serve`` (a script, not a test): 500 uploads of the example workbooks from 16
concurrent clients against a real server on 127.0.0.1, bounded in count and time.

Checks, in one run: every request answered (200); no report lost or mixed up — each upload is a distinct
file (the examples, each copy with its own project id) and each answer must carry that file's SHA-256 and
name; throughput in files/s as a ratio to ``hpcarbon validate --jobs N --format jsonl`` over the same files
with the same number of worker processes (target ≥ 0.8×); the server's memory before, at peak and after
(the main process and its workers, RSS from /proc).

    python bench/bench_service.py [--uploads 500] [--clients 16] [--workers 2] [--deadline 900]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "workbook_templates" / "examples"
HPCARBON = Path(sys.executable).with_name("hpcarbon")


def distinct_uploads(folder: Path, count: int) -> list[Path]:
    """``count`` distinct workbooks: the examples in turn, each copy with its own project id (same length)."""
    sources = []
    for xlsx in sorted(EXAMPLES.glob("*.xlsx")):
        project_id = json.loads(xlsx.with_suffix(".json").read_text(encoding="utf-8"))["project"]["id"]
        sources.append((xlsx, project_id.encode()))
    out = []
    for i in range(count):
        source, project_id = sources[i % len(sources)]
        new_id = project_id[:-4] + b"%04d" % i
        target = folder / f"{i:04d}-{source.name}"
        with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                dst.writestr(info, src.read(info).replace(project_id, new_id))
        out.append(target)
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tree(pid: int) -> list[int]:
    """The process and its descendants (the worker processes and the forkserver)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        children = []
        for task in Path(f"/proc/{p}/task").glob("*"):  # a child started from any thread of the process
            try:
                children += Path(task, "children").read_text().split()
            except OSError:
                pass
        todo += [int(c) for c in children]
    return out


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def memory(pid: int) -> dict:
    procs = _tree(pid)
    return {"main_rss_mb": _status_kb(pid, "VmRSS") / 1024, "main_peak_mb": _status_kb(pid, "VmHWM") / 1024,
            "all_rss_mb": sum(_status_kb(p, "VmRSS") for p in procs) / 1024,
            "largest_worker_peak_mb": max((_status_kb(p, "VmHWM") for p in procs if p != pid), default=0) / 1024}


def run_service(files: list[Path], clients: int, workers: int, deadline: float, folder: Path) -> dict:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = (folder / "server.log").open("w")
    env = {**os.environ, "TMPDIR": str(folder)}
    server = subprocess.Popen([str(HPCARBON), "serve", "--no-registry", "--port", str(port), "--workers",
                               str(workers), "--queue", str(max(64, clients * 2))],
                              stdout=subprocess.DEVNULL, stderr=log, env=env, cwd=folder)
    try:
        until = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > until or server.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.2)
        # one upload per worker first, so that start-up is not counted
        with httpx.Client(base_url=url, timeout=120) as c:
            for f in files[:workers]:
                c.post("/api/v1/validate", files=[("files", (f.name, f.read_bytes()))])
        before = memory(server.pid)
        expected = {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
        todo: queue.Queue = queue.Queue()
        for f in files:
            todo.put(f)
        answers: dict[str, tuple[int, str | None, str | None]] = {}
        problems: list[str] = []
        lock = threading.Lock()
        stop_at = time.monotonic() + deadline
        peak_all = [before["all_rss_mb"]]

        def client():
            with httpx.Client(base_url=url, timeout=120) as c:
                while time.monotonic() < stop_at:
                    try:
                        f = todo.get_nowait()
                    except queue.Empty:
                        return
                    try:
                        r = c.post("/api/v1/validate", files=[("files", (f.name, f.read_bytes()))])
                        body = r.json()
                        got = (r.status_code, body[0].get("sha256"), body[0].get("file")) if r.status_code == 200 \
                            else (r.status_code, None, None)
                    except (httpx.HTTPError, ValueError, KeyError, IndexError) as exc:
                        got = (0, None, None)
                        with lock:
                            problems.append(f"{f.name}: {type(exc).__name__}")
                    with lock:
                        answers[f.name] = got

        def sample():
            while any(t.is_alive() for t in threads):
                peak_all[0] = max(peak_all[0], memory(server.pid)["all_rss_mb"])
                time.sleep(0.25)

        threads = [threading.Thread(target=client) for _ in range(clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        sampler = threading.Thread(target=sample)
        sampler.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - started
        sampler.join()
        after = memory(server.pid)
        ok = sum(1 for n, (code, sha, name) in answers.items() if code == 200 and sha == expected[n] and name == n)
        statuses: dict[int, int] = {}
        for code, _, _ in answers.values():
            statuses[code] = statuses.get(code, 0) + 1
        return {"uploads": len(files), "answered": len(answers), "matching": ok, "statuses": statuses,
                "problems": problems[:5], "seconds": seconds, "files_per_s": len(answers) / seconds,
                "memory_before": before, "memory_after": after, "all_rss_peak_mb": peak_all[0]}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def run_cli(folder: Path, count: int, workers: int) -> dict:
    started = time.perf_counter()
    code = subprocess.call([str(HPCARBON), "validate", str(folder), "--format", "jsonl", "--jobs", str(workers)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    return {"exit": code, "seconds": seconds, "files_per_s": count / seconds}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--uploads", type=int, default=500)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--deadline", type=float, default=900, help="seconds; the load stops then, answered or not")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hpcarbon-bench-service-") as tmp:
        tmp = Path(tmp)
        (tmp / "files").mkdir()
        files = distinct_uploads(tmp / "files", args.uploads)
        service = run_service(files, args.clients, args.workers, args.deadline, tmp)
        cli = run_cli(tmp / "files", len(files), args.workers)
    ratio = service["files_per_s"] / cli["files_per_s"]
    print(json.dumps({"service": service, "cli": cli, "ratio_service_to_cli": ratio}, indent=2, ensure_ascii=False))
    b, a = service["memory_before"], service["memory_after"]
    print(f"\n{args.uploads} uploads, {args.clients} clients, {args.workers} workers: "
          f"{service['answered']} answered, {service['matching']} matching their file's SHA-256 and name, "
          f"statuses {service['statuses']}")
    print(f"service {service['files_per_s']:.1f} files/s vs hpcarbon validate --jobs {args.workers} "
          f"{cli['files_per_s']:.1f} files/s = {ratio:.2f}× (target ≥ 0.8×)")
    print(f"memory, server + workers RSS: before {b['all_rss_mb']:.0f} MB, peak {service['all_rss_peak_mb']:.0f} MB, "
          f"after {a['all_rss_mb']:.0f} MB; main process peak {b['main_peak_mb']:.0f} → {a['main_peak_mb']:.0f} MB; "
          f"largest worker peak {a['largest_worker_peak_mb']:.0f} MB")
    complete = service["answered"] == service["matching"] == args.uploads
    return 0 if complete else 1


if __name__ == "__main__":
    raise SystemExit(main())
