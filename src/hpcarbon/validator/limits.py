"""Resource limits of the validator (issue: unbreakable at the gate). Every limit is configurable
(``hpcarbon validate --limit NAME=VALUE``) and documented in the README."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Limits:
    #: largest workbook file accepted, bytes (a real declaration is well under 1 MB)
    max_file_bytes: int = 20 * 1024 * 1024
    #: total uncompressed size of all zip members, bytes (zip-bomb guard)
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    #: largest compression ratio of one member (zip-bomb guard; real XML compresses ~10–30×)
    max_compression_ratio: int = 200
    #: members in the zip container
    max_zip_entries: int = 2000
    #: sheets in the workbook
    max_sheets: int = 50
    #: rows any one sheet may use (the template's tables are far smaller)
    max_rows: int = 10_000
    #: cells in all sheets together (the template has ~7 500; openpyxl parses ~100 000 cells a second, and
    #: a few rows 16 384 cells wide would otherwise cost minutes)
    max_cells: int = 200_000
    #: style records (cell formats, fonts, fills, borders, number formats, differential formats) — Excel
    #: itself allows 64 000 cell formats; openpyxl builds every record up front (100 000 take ~5 s, 200 MB)
    max_styles: int = 65_000
    #: XML elements outside the sheets (workbook, its defined names, styles, shared strings, relationships,
    #: properties …), which openpyxl builds up front (the template has ~1 100; 100 000 defined names take ~3 s)
    max_elements: int = 100_000
    #: XML elements in all sheets together (the template has ~13 000; rich-text runs or empty tags in a cell
    #: are not cells, but openpyxl builds each: 150 000 runs take ~6 s, 340 MB)
    max_sheet_elements: int = 500_000
    #: cells of a workbook whose annotated copy is still written (openpyxl loads and saves every cell of the
    #: copy: 190 000 take ~11 s); above it the report says the copy was not made
    max_annotated_cells: int = 100_000
    #: characters in one text cell
    max_text_chars: int = 10_000
    #: seconds for one file before it is given up as unreadable
    timeout_seconds: float = 60.0

    def with_overrides(self, pairs: list[str]) -> "Limits":
        """Apply ``NAME=VALUE`` strings; raises ValueError with a bilingual message."""
        known = {f.name: f.type for f in fields(self)}
        changes = {}
        for pair in pairs:
            name, sep, value = pair.partition("=")
            name = name.strip().replace("-", "_")
            if not sep or name not in known:
                raise ValueError(f"未知的限制项 {name!r}（可用：{', '.join(known)}） / unknown limit {name!r} "
                                 f"(known: {', '.join(known)})")
            try:
                number = float(value) if name == "timeout_seconds" else int(value)
            except ValueError:
                raise ValueError(f"限制项 {name} 的值应为数字 / limit {name} takes a number") from None
            if not math.isfinite(number) or number <= 0:
                raise ValueError(f"限制项 {name} 应为大于 0 的有限数 / limit {name} must be a finite number > 0")
            changes[name] = number
        return replace(self, **changes)


DEFAULT_LIMITS = Limits()
