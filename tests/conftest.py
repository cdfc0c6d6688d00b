"""Test configuration: no stray parameter folder from the environment leaks into a test."""

from __future__ import annotations

import pytest

from hpcarbon.parameters import PARAMETER_DIR_ENV


@pytest.fixture(autouse=True)
def _no_extra_parameter_dir(monkeypatch):
    monkeypatch.delenv(PARAMETER_DIR_ENV, raising=False)


#: The edit-test loop (`make test-fast`): modules that generate no workbook, start no subprocess and call no
#: external program — the core (formulas, parameters, model, rules, accounting, vocabulary, admission).
FAST_MODULES = frozenset({
    "test_accounting", "test_example_copy", "test_excel_values", "test_formulas", "test_model", "test_one_source",
    "test_parameters", "test_properties", "test_results_as_far", "test_rules", "test_vocabulary",
})


def _shared_fixture_owner(item) -> str | None:
    """The module (or, for a session fixture, the fixture) whose expensive shared fixture ``item`` uses:
    a LibreOffice conversion, a hostile corpus, a database cluster, a browser. Tests sharing one are kept
    on one xdist worker (``--dist loadgroup``), or each worker would build it again."""
    info = getattr(item, "_fixtureinfo", None)
    for name in info.names_closure if info else ():
        for fixture in info.name2fixturedefs.get(name, ()):
            if fixture.scope in ("module", "session") and not fixture.func.__module__.startswith("_pytest"):
                return item.module.__name__ if fixture.scope == "module" else f"session:{name}"
    return None


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups (--dist loadgroup)
def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.module.__name__ in FAST_MODULES:
            item.add_marker(pytest.mark.fast)
        owner = _shared_fixture_owner(item)
        if owner:
            item.add_marker(pytest.mark.xdist_group(owner))
