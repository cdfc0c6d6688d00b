"""The suite's own configuration names real test modules (a stale name would silently do nothing)."""

from pathlib import Path

from conftest import FAST_MODULES, LONGEST_FIRST

MODULES = {p.stem for p in Path(__file__).parent.glob("test_*.py")}


def test_the_module_lists_name_existing_modules():
    assert set(FAST_MODULES) <= MODULES, set(FAST_MODULES) - MODULES
    assert set(LONGEST_FIRST) <= MODULES, set(LONGEST_FIRST) - MODULES
    assert len(set(LONGEST_FIRST)) == len(LONGEST_FIRST)
