"""Fast start (issue 13): `hpcarbon --help` and `hpcarbon compute` never import openpyxl, the validator or a
database/web stack — their parsers are light and implementations load on use. Checked by the modules the
command's own process loaded (a fresh interpreter each), not by timing: bench/bench_startup.py times it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from pathlib import Path
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
                  "plugins": None if loader is None else list(loader.get_plugins())}))
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
        # pydantic plugins are off: the model validates as written, and no installed distribution's
        # metadata is read — not even importlib.metadata is loaded to find that out
        assert "pydantic" in loaded and probe["plugins"] == []
        assert "importlib.metadata" not in loaded


def test_pydantic_plugin_loader_given_in_its_plugins_off_form_answers_as_the_real_one():
    """The CLI gives pydantic its plugin loader in the plugins-off form (no importlib.metadata at start):
    the real loader, with plugins off, gives the same answer — no plugins. Building the model then reads no
    distribution metadata; if pydantic moves its loader, this fails rather than the saving silently ending."""
    real = subprocess.run(
        [sys.executable, "-c", "import os; os.environ['PYDANTIC_DISABLE_PLUGINS'] = '__all__'\n"
         "import pydantic.plugin._loader as loader; print(list(loader.get_plugins()))"],
        capture_output=True, text=True, timeout=60, check=True).stdout.split()
    assert real == ["[]"]
    given = subprocess.run(
        [sys.executable, "-c", "import sys; from hpcarbon.cli import pydantic_without_plugins as off; off()\n"
         "from hpcarbon.model import Declaration; Declaration.model_rebuild()\n"
         "print(list(sys.modules['pydantic.plugin._loader'].get_plugins()), 'importlib.metadata' in sys.modules)"],
        capture_output=True, text=True, timeout=60, check=True).stdout.split()
    assert given == ["[]", "False"]


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


def test_parameter_sets_are_read_alike_from_files_and_from_a_zipped_package(tmp_path):
    """Bundled parameter sets are read as plain files where the package is files (no importlib.resources
    at start), and through importlib.resources from a zipped package: the same sets either way."""
    import zipfile

    import hpcarbon
    from hpcarbon.parameters import all_sets

    package = Path(hpcarbon.__file__).parent
    zipped = tmp_path / "hpcarbon.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        for path in package.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, Path("hpcarbon") / path.relative_to(package))
    probe = ("import json, sys; sys.path.insert(0, sys.argv[1]); import hpcarbon.parameters as p\n"
             "assert p.__file__.startswith(sys.argv[1]) and not p.BUNDLED_DIR.is_dir(), p.__file__\n"
             "print(json.dumps([[s.version, s.effective_from.isoformat(), s.ef_heat.value, s.ef_elec.value,"
             " s.td_percent.value, sorted(s.q_rows)] for s in p.all_sets('')]))")
    from_zip = json.loads(subprocess.run([sys.executable, "-c", probe, str(zipped)], capture_output=True,
                                         text=True, timeout=60, check=True).stdout)
    from_files = [[s.version, s.effective_from.isoformat(), s.ef_heat.value, s.ef_elec.value, s.td_percent.value,
                   sorted(s.q_rows)] for s in all_sets("")]
    assert from_zip == from_files and from_files


@pytest.mark.parametrize("collector_on", [True, False])
def test_implementation_imports_pause_the_collector_and_freeze_only_what_they_imported(tmp_path, monkeypatch,
                                                                                    collector_on):
    import gc

    from hpcarbon.cli import implementation_imports

    (tmp_path / "freshly_imported_module.py").write_text("TABLE = [[n] for n in range(1000)]\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    (gc.enable if collector_on else gc.disable)()
    frozen = gc.get_freeze_count()
    try:
        with implementation_imports():  # nothing new: nothing frozen
            assert not gc.isenabled()
            import json  # noqa: F401  (already loaded)
        assert gc.get_freeze_count() == frozen and gc.isenabled() is collector_on
        with implementation_imports():
            import freshly_imported_module  # noqa: F401
        assert gc.get_freeze_count() >= frozen + 1000 and gc.isenabled() is collector_on
    finally:
        gc.unfreeze()
        gc.enable()
        sys.modules.pop("freshly_imported_module", None)
