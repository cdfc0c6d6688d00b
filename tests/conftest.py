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
    "test_parameters", "test_properties", "test_results_as_far", "test_rules", "test_suite_setup", "test_vocabulary",
})


#: The modules that take longest (LibreOffice conversions, hypothesis, batches of child processes), run
#: first. ``make test`` hands each module whole to one of its two workers (``--dist loadfile``: a module's
#: shared fixtures — a LibreOffice conversion, a hostile corpus, a database cluster, a browser — are built
#: once, not once per worker); the longest going first lets both workers finish together. (xdist's
#: ``loadgroup`` would allow finer groups, but it renames node ids in a way pytest 9 no longer honours.)
LONGEST_FIRST = (  # measured (--durations=0, 2026-12-01): seconds of one worker per module, longest first
    "test_hostile", "test_workbook_structure", "test_validate", "test_gate_integrity", "test_workbook_recalc",
    "test_workbook_soffice", "test_gate_inputs", "test_validate_cli", "test_fuzz", "test_workbook_roundtrip",
    "test_service_browser", "test_workbook_reader", "test_properties", "test_service_http", "test_workbook_print",
    "test_registry_processes", "test_privacy", "test_registry_postgres", "test_nothing_lost", "test_gate_values",
    "test_results_as_far_workbook", "test_service_registry", "test_workbook_fill",
)


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.module.__name__, len(rank)))  # stable: test order kept
    for item in items:
        if item.module.__name__ in FAST_MODULES:
            item.add_marker(pytest.mark.fast)
