"""A real ``hpcarbon serve`` (uvicorn) on a free port of 127.0.0.1, for the service's HTTP and browser tests:
started once per test module, its JSON-lines access log and its private temp folder kept for inspection."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

HPCARBON = Path(sys.executable).with_name("hpcarbon")
TOKEN = "test-token-3b9c1d0e"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path  # the server's stderr: one JSON line per request
    tmp: Path  # the server's TMPDIR: uploads live there only while validated

    def log_lines(self) -> list[str]:
        return self.log.read_text(encoding="utf-8").splitlines()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(folder: Path, *args: str, tokens: str = TOKEN, env: dict | None = None) -> Server:
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / "tmp"
    tmp.mkdir(exist_ok=True)
    log = folder / "server.log"
    environ = {**os.environ, "TMPDIR": str(tmp), "HPCARBON_API_TOKENS": tokens, **(env or {})}
    environ.pop("HPCARBON_REGISTRY", None) if "HPCARBON_REGISTRY" not in (env or {}) else None
    proc = subprocess.Popen([str(HPCARBON), "serve", "--host", "127.0.0.1", "--port", str(port), *args],
                            stdout=subprocess.DEVNULL, stderr=log.open("w"), env=environ, cwd=folder)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"hpcarbon serve exited {proc.returncode}: {log.read_text()}")
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return Server(url, proc, log, tmp)
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"hpcarbon serve did not answer within 60 s: {log.read_text()}")


# --- jobs for the pool tests (module level: the worker processes import them by name) ----------------------
def misbehaving_job(job):
    """``crash``: the worker dies; ``hang``: it never answers; ``raise``: the job raises; else an answer."""
    import time

    if job.data == b"crash":
        os._exit(3)
    if job.data == b"hang":
        time.sleep(600)
    if job.data == b"raise":
        raise ValueError("a bug")
    if job.data == b"memory":
        return len(bytearray(900 * 1024 * 1024))
    return ("ok", job.index, os.getpid())
