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


# --- the gate's own reading of the values against openpyxl's (issue 10, item 9) -------------------------------
def openpyxl_rows(data: bytes, sheet: str, max_row: int, max_col: int) -> list[tuple]:
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    try:
        return [tuple(r) for r in wb[sheet].iter_rows(min_row=1, max_row=max_row, max_col=max_col, values_only=True)]
    finally:
        wb.close()


def gate_rows(data: bytes, sheet: str, max_row: int, max_col: int) -> list[tuple]:
    from hpcarbon.validator.container import inspect_container
    from hpcarbon.validator.limits import DEFAULT_LIMITS

    container = inspect_container(data, DEFAULT_LIMITS, extents={sheet: (max_row, max_col)})
    assert container.readable, [f.code for f in container.findings]
    scan = container.scans[sheet]
    assert not scan.bad, scan.bad
    return scan.rows_of(max_row, max_col)


def assert_same_values(data: bytes, sheets: dict[str, tuple[int, int]]) -> None:
    """The values the gate hands the reader equal openpyxl's, value for value and type for type."""
    for sheet, (rows, cols) in sheets.items():
        expected = openpyxl_rows(data, sheet, rows, cols)
        got = gate_rows(data, sheet, rows, cols)
        assert len(got) == len(expected), sheet
        for r, (a, b) in enumerate(zip(got, expected), start=1):
            assert a == b and [_type(x) for x in a] == [type(x) for x in b], (sheet, r, a, b)


def _type(value) -> type:
    """A value's type as openpyxl's: the gate's out-of-range date serial is openpyxl's text "#VALUE!" (a
    ``str``), carrying the number besides (excel_values.SerialNotADate)."""
    from hpcarbon.excel_values import SerialNotADate

    return str if type(value) is SerialNotADate else type(value)
