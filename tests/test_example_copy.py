"""The bundled example is the shared one, byte for byte (SPEC §12 numbers are worked on the shared file)."""

import pytest

from builders import EXAMPLE_PATH, SHARED_EXAMPLE_PATH


def test_bundled_example_is_the_shared_example():
    if not SHARED_EXAMPLE_PATH.exists():
        pytest.skip(f"shared/ is not beside this checkout ({SHARED_EXAMPLE_PATH}); nothing to compare against")
    assert EXAMPLE_PATH.read_bytes() == SHARED_EXAMPLE_PATH.read_bytes()
