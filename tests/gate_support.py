"""Helpers of the gate tests (issue 7: hostile files, fuzzing, privacy, nothing lost): a filled declaration
workbook made from JSON with the current layout, and a CLI run measured like an operator would (wall
time, peak memory of the child, exit status, both output streams)."""

from __future__ import annotations

import copy
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HPCARBON = Path(sys.executable).with_name("hpcarbon")
EXAMPLE_JSON = Path(__file__).resolve().parents[1] / "workbook_templates" / "examples" / "example-declaration.json"
EXAMPLES = Path(__file__).resolve().parents[1] / "workbook_templates" / "examples"
CJK = re.compile(r"[\u4e00-\u9fff]")


def example_data() -> dict:
    return copy.deepcopy(json.loads(EXAMPLE_JSON.read_text(encoding="utf-8")))


def filled(path: Path, data: dict | None = None) -> Path:
    """``data`` (default: the SPEC §12 example) written into the template as it is now."""
    from hpcarbon.workbook.fill import fill_workbook

    fill_workbook(example_data() if data is None else data).save(path)
    return path


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float  # the child's maximum resident set size

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(*args, timeout: float = 60, python: list[str] | None = None) -> Run:
    """``hpcarbon ARGS`` (or ``python ARGS``) as a child process: its own peak RSS comes from wait4."""
    cmd = [*python, *map(str, args)] if python else [str(HPCARBON), *map(str, args)]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        timer = threading.Timer(timeout, lambda: os.kill(proc.pid, signal.SIGKILL))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(proc.returncode, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                   seconds, usage.ru_maxrss / 1024)
