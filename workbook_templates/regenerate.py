"""Regenerate the committed workbooks from their sources (run after changing the layout schema):

    python workbook_templates/regenerate.py

* ``hpcarbon-declaration-template.xlsx`` — ``hpcarbon template`` (Chinese first);
* ``examples/*.xlsx`` — ``hpcarbon fill`` of the JSON beside each.

The outputs are deterministic (fixed zip and document times), so git shows a change only when the
content changed. ``tests/test_workbook_template.py`` fails while a committed file differs from what
the generator makes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "hpcarbon-declaration-template.xlsx"
EXAMPLES = HERE / "examples"


def expected() -> dict[Path, bytes]:
    """Every committed workbook → the bytes the generator makes for it now."""
    from hpcarbon.workbook.fill import fill_bytes
    from hpcarbon.workbook.template import template_bytes

    out = {TEMPLATE: template_bytes("zh")}
    for source in sorted(EXAMPLES.glob("*.json")):
        out[source.with_suffix(".xlsx")] = fill_bytes(json.loads(source.read_text(encoding="utf-8")))
    return out


def main() -> int:
    for path, payload in expected().items():
        old = path.read_bytes() if path.exists() else None
        if old != payload:
            path.write_bytes(payload)
            print(f"written {path.relative_to(HERE.parent)}")
        else:
            print(f"unchanged {path.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
