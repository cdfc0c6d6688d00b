"""Fast start (issue 13): `hpcarbon --help` and `hpcarbon compute` never import openpyxl, the validator or a
database/web stack — their parsers are light and implementations load on use. Checked by the modules the
command's own process loaded (a fresh interpreter each), not by timing: bench/bench_startup.py times it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from builders import EXAMPLE_PATH

HEAVY = ("openpyxl", "hpcarbon.validator", "hpcarbon.workbook.layout", "sqlalchemy", "starlette", "fastapi",
         "uvicorn")
PROBE = """
import contextlib, io, json, sys
from hpcarbon.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main(sys.argv[1:])
    except SystemExit:
        pass
print(json.dumps(sorted(sys.modules)))
"""


@pytest.mark.parametrize("argv", [["--help"], ["compute", str(EXAMPLE_PATH)], ["validate", "--help"]])
def test_command_start_imports_nothing_heavy(argv):
    out = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, timeout=60,
                         check=True).stdout
    loaded = json.loads(out.splitlines()[-1])
    heavy = [m for m in loaded if any(m == h or m.startswith(h + ".") for h in HEAVY)]
    assert heavy == [], heavy
    if argv[0] == "--help":
        assert "pydantic" not in loaded  # not even the model
