"""What a human reviewer opening the workbook would miss (issue 10, item 4) — warnings at the cell:

* data in hidden rows or columns inside the input tables;
* input cells formatted to hide their value (number format ``;;;``, font colour equal to the fill, or
  white text without a fill);
* content in the hidden dropdown-lists sheet beyond its lists;
* an extra visible sheet whose name imitates a template sheet (``项目信息 `` with a trailing space, a
  zero-width character, full-width letters, ``项目信息(2)``).

Everything comes from the container's one pass over the sheets and the styles part it accepted.
"""

from __future__ import annotations

import re
import unicodedata
from openpyxl.utils.cell import coordinate_to_tuple

from hpcarbon.findings import Finding, finding
from hpcarbon.validator import ooxml

_MAX_EACH = 20
_WHITE = {"FFFFFFFF", "FFFFFF"}


def reviewer_findings(container, read) -> list[Finding]:
    from hpcarbon.validator.scan import input_cells

    out: list[Finding] = []
    inputs = input_cells()
    hidden_styles = _hiding_styles(container.styles_root)
    for sheet, refs in inputs.items():
        scan = container.scans.get(sheet)
        if scan is None:
            continue
        rows_hidden, cols_hidden = scan.hidden_rows, scan.hidden_cols
        hidden_data = fmt = 0
        for ref, style in scan.styled.items():
            if ref not in refs:
                continue
            col, row = refs[ref]
            if hidden_data < _MAX_EACH and (row in rows_hidden or any(a <= col <= b for a, b in cols_hidden)):
                what = ("行", "row") if row in rows_hidden else ("列", "column")
                out.append(finding("workbook.hidden_input_data", what_zh=what[0], what_en=what[1]).located(sheet, ref))
                hidden_data += 1
            how = hidden_styles.get(style)
            if how and fmt < _MAX_EACH:
                out.append(finding("workbook.hidden_format", how_zh=how[0], how_en=how[1]).located(sheet, ref))
                fmt += 1
    out += _lists_extra(container)
    out += _imitations(container)
    return out


def _hiding_styles(root) -> dict[int, tuple[str, str]]:
    """Cell format index → how it hides a value (``root``: the style sheet's tree, None when absent)."""
    if root is None:
        return {}
    m = ooxml.MAIN
    formats = {el.get("numFmtId"): el.get("formatCode", "") for el in root.iter(f"{m}numFmt")}
    fonts = []
    fonts_el = root.find(f"{m}fonts")
    for font in fonts_el if fonts_el is not None else ():
        color = font.find(f"{m}color")
        fonts.append((color.get("rgb") or "").upper() if color is not None else "")
    fills = []
    fills_el = root.find(f"{m}fills")
    for fill in fills_el if fills_el is not None else ():
        pattern = fill.find(f"{m}patternFill")
        fg = pattern.find(f"{m}fgColor") if pattern is not None else None
        solid = pattern is not None and pattern.get("patternType") == "solid"
        fills.append((fg.get("rgb") or "").upper() if solid and fg is not None else "")
    out = {}
    xfs = root.find(f"{m}cellXfs")
    for i, xf in enumerate(xfs if xfs is not None else ()):
        code = formats.get(xf.get("numFmtId"), "")
        if code and all(not section.strip() for section in _sections(code)):
            out[i] = ("数字格式 ;;;", "number format ;;;")
            continue
        font = _at(fonts, xf.get("fontId"))
        fill = _at(fills, xf.get("fillId"))
        if font and (font == fill or (not fill and font in _WHITE)):
            out[i] = ("文字颜色与底色相同", "text coloured like its background")
    return out


def _sections(code: str) -> list[str]:
    """A number format's sections, quoted text and escapes removed (``;;;`` → four empty sections)."""
    code = re.sub(r'"[^"]*"|\\.', "x", code)
    return code.split(";")


def _at(items: list[str], index: str | None) -> str:
    try:
        return items[int(index or 0)]
    except (ValueError, IndexError):
        return ""


def _lists_extra(container) -> list[Finding]:
    from openpyxl.utils.cell import range_boundaries

    from hpcarbon.workbook.layout import LAYOUT
    from hpcarbon.workbook.schema import _lists_ranges

    lists = next((s.name for s in LAYOUT.sheets if s.hidden), None)
    scan = container.scans.get(lists) if lists else None
    if scan is None:
        return []
    last_row: dict[int, int] = {}  # column → last row of its list (row 1 is its header)
    for ref in _lists_ranges().values():
        c1, _r1, c2, r2 = range_boundaries(ref.split("!")[-1].replace("$", ""))
        for col in range(c1, c2 + 1):
            last_row[col] = max(last_row.get(col, 0), r2)
    extra = []
    for ref in scan.styled:
        row, col = coordinate_to_tuple(ref)
        if row > last_row.get(col, 0):
            extra.append((row, col, ref))
    if not extra:
        return []
    first = min(extra)[2]
    return [finding("workbook.lists_extra", count=len(extra)).located(lists, first)]


def _fold(name: str) -> str:
    """A sheet name as a reader's eye takes it: width, case, spaces, invisible characters and a copy
    suffix like (2) ignored."""
    name = unicodedata.normalize("NFKC", name).casefold()
    name = "".join(c for c in name if not c.isspace() and unicodedata.category(c) not in ("Cf", "Cc", "Zs"))
    return re.sub(r"[\(（]\d+[\)）]$|[-_ ]?(副本|copy)\d*$", "", name)


def _imitations(container) -> list[Finding]:
    from hpcarbon.workbook.layout import LAYOUT

    template = {s.name for s in LAYOUT.sheets}
    folded = {_fold(n): n for n in template}
    out = []
    for name, state in container.sheets:
        if name in template or state != "visible":
            continue
        like = folded.get(_fold(name))
        if like:
            out.append(finding("workbook.imitation_sheet", sheet=name[:40], template=like).located(name, None))
    return out[:_MAX_EACH]
