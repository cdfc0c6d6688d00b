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
loader = sys.modules.get("pydantic.plugin._loader")
print(json.dumps({"modules": sorted(sys.modules),
                  "plugins_scanned": loader is not None and loader._plugins is not None}))
"""


@pytest.mark.parametrize("argv", [["--help"], ["compute", str(EXAMPLE_PATH)], ["validate", "--help"]])
def test_command_start_imports_nothing_heavy(argv):
    out = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, timeout=60,
                         check=True).stdout
    probe = json.loads(out.splitlines()[-1])
    loaded = probe["modules"]
    heavy = [m for m in loaded if any(m == h or m.startswith(h + ".") for h in HEAVY)]
    assert heavy == [], heavy
    if argv[0] == "--help":
        assert "pydantic" not in loaded  # not even the model
    if argv[-1] == "--help":  # the parsers only: no command's implementation, not even file writing
        assert [m for m in loaded if m in ("hpcarbon.validator_cli", "hpcarbon.files", "dataclasses")] == []
    if argv[0] == "compute":  # only its own parser is built: no other command's module is imported
        others = ("hpcarbon.workbook.commands", "hpcarbon.validate_command", "hpcarbon.validator_cli", "hpcarbon.registry",
                  "hpcarbon.service")
        assert [m for m in loaded if m.startswith(others)] == []
        # pydantic plugins are off: the model validates as written, and no installed distribution is scanned
        assert "pydantic" in loaded and not probe["plugins_scanned"]


def test_every_command_is_listed_and_dispatched_with_only_its_own_parser(capsys):
    """``hpcarbon --help`` lists every command with its help; a usage error names every command."""
    from hpcarbon.cli import PARSERS, main

    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    listing = capsys.readouterr().out
    for name in PARSERS:
        line = next(ln for ln in listing.splitlines() if ln.strip().startswith(name + " "))
        assert "/" in line, line  # the bilingual help, not a bare name
    with pytest.raises(SystemExit) as done:
        main(["computer", "x.json"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "usage error" in err and all(f"'{name}'" in err for name in PARSERS), err
