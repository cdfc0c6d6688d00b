"""Test configuration: no stray parameter folder from the environment leaks into a test."""

from __future__ import annotations

import pytest

from hpcarbon.parameters import PARAMETER_DIR_ENV


@pytest.fixture(autouse=True)
def _no_extra_parameter_dir(monkeypatch):
    monkeypatch.delenv(PARAMETER_DIR_ENV, raising=False)
