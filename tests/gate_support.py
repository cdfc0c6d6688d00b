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


#: Runs the command and writes "<seconds> <peak KB>" of it to argv[1]. A fresh small interpreter in between:
#: a child forked straight from the test process would count the test process's pages in its max RSS.
_WRAPPER = """import os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
seconds = time.perf_counter() - start
with open(sys.argv[1], "w") as fh:
    fh.write(f"{seconds} {usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_cli(*args, timeout: float = 60, python: list[str] | None = None) -> Run:
    """``hpcarbon ARGS`` (or ``python ARGS``) as a child process, with its wall time and its own peak RSS
    (wait4 in a small wrapper process); killed, with its wrapper, after ``timeout`` seconds."""
    cmd = [*python, *map(str, args)] if python else [str(HPCARBON), *map(str, args)]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".peak") as peak:
        proc = subprocess.Popen([sys.executable, "-c", _WRAPPER, peak.name, *cmd], stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        timer = threading.Timer(timeout, lambda: os.killpg(proc.pid, signal.SIGKILL))
        timer.start()
        try:
            proc.wait()
        finally:
            timer.cancel()
        measured = peak.read().split()
        seconds, peak_kb = (float(measured[0]), int(measured[1])) if measured else (float(timeout), 0)
        out.seek(0)
        err.seek(0)
        return Run(proc.returncode, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                   seconds, peak_kb / 1024)
