"""What a human reviewer opening the workbook would miss (issue 10, item 4) — warnings at the cell:

* data in hidden rows or columns inside the input tables;
* input cells formatted to hide their value (number format ``;;;``, a font colour equal to the fill — or
  to the white sheet without one — resolved as Excel shows them: theme colours with tint, indexed
  colours from the workbook's own palette or the default one, automatic colours);
* content in the hidden dropdown-lists sheet beyond its lists;
* an extra visible sheet whose name imitates a template sheet (``项目信息 `` with a trailing space, a
  zero-width character, full-width letters, ``项目信息(2)``).

Everything comes from the container's one pass over the sheets and the styles part it accepted.
"""

from __future__ import annotations

import colorsys
import re
import unicodedata
from xml.etree.ElementTree import XML

from openpyxl.styles.colors import COLOR_INDEX
from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries

from hpcarbon.findings import Finding, finding
from hpcarbon.validator import ooxml
from hpcarbon.validator.scan import input_cells
from hpcarbon.workbook.layout import LAYOUT
from hpcarbon.workbook.schema import lists_ranges

_MAX_EACH = 20


def reviewer_findings(container, read) -> list[Finding]:
    out: list[Finding] = []
    inputs = input_cells()
    hidden_styles = _hiding_styles(container.styles_root, theme_colours(container.package))
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


#: how close (per channel, of 255) text must be to its background to count as hidden: FEFEFE on white is
_INVISIBLE_DELTA = 12
_WHITE = (255, 255, 255)
_BLACK = (0, 0, 0)
#: Excel's theme colour index → the theme's clrScheme child (the first two pairs are swapped: 0 is lt1)
_THEME_ORDER = ("lt1", "dk1", "lt2", "dk2", "accent1", "accent2", "accent3", "accent4", "accent5", "accent6",
                "hlink", "folHlink")
_DRAWING = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def _hiding_styles(root, theme: dict[int, tuple[int, int, int]] | None = None) -> dict[int, tuple[str, str]]:
    """Cell format index → how it hides a value (``root``: the style sheet's tree, None when absent;
    ``theme``: the theme's colours by Excel's theme index). Colours are resolved as Excel shows them:
    ``rgb``, ``theme`` (with ``tint``), ``indexed`` (the style sheet's own palette if it has one, else the
    default one), ``auto``; a cell without a solid fill is on the white sheet."""
    if root is None:
        return {}
    m = ooxml.MAIN
    palette = _palette(root)
    formats = {el.get("numFmtId"): el.get("formatCode", "") for el in root.iter(f"{m}numFmt")}
    fonts = []
    fonts_el = root.find(f"{m}fonts")
    for font in fonts_el if fonts_el is not None else ():
        color = font.find(f"{m}color")
        # no colour, or auto: the window's text colour, black
        fonts.append(_colour(color, theme or {}, palette, _BLACK) if color is not None else _BLACK)
    fills = []
    fills_el = root.find(f"{m}fills")
    for fill in fills_el if fills_el is not None else ():
        pattern = fill.find(f"{m}patternFill")
        kind = pattern.get("patternType", "none") if pattern is not None else ("gradient" if len(fill) else "none")
        if kind == "solid":
            fg = pattern.find(f"{m}fgColor")
            fills.append(_colour(fg, theme or {}, palette, _BLACK) if fg is not None else _BLACK)
        else:  # no fill: the white sheet; a pattern or a gradient: not one colour, never taken as hiding
            fills.append(_WHITE if kind == "none" else None)
    out = {}
    xfs = root.find(f"{m}cellXfs")
    for i, xf in enumerate(xfs if xfs is not None else ()):
        code = formats.get(xf.get("numFmtId"), "")
        if code and all(not section.strip() for section in _sections(code)):
            out[i] = ("数字格式 ;;;", "number format ;;;")
            continue
        font = _at(fonts, xf.get("fontId"))
        fill = _at(fills, xf.get("fillId")) if fills else _WHITE
        if font is not None and fill is not None and _alike(font, fill):
            out[i] = ("文字颜色与底色相同", "text coloured like its background")
    return out


def _alike(a: tuple[int, int, int], b: tuple[int, int, int]) -> bool:
    return all(abs(x - y) <= _INVISIBLE_DELTA for x, y in zip(a, b))


def _hex(text: str | None) -> tuple[int, int, int] | None:
    """RRGGBB or AARRGGBB (Excel ignores the alpha of a cell colour)."""
    text = (text or "").strip()
    if len(text) not in (6, 8):
        return None
    try:
        value = int(text[-6:], 16)
    except ValueError:
        return None
    return value >> 16, (value >> 8) & 0xFF, value & 0xFF


def _palette(root) -> list[tuple[int, int, int] | None]:
    """The indexed colours: the style sheet's own ``indexedColors`` if it has them, else Excel's default."""
    custom = root.find(f"{ooxml.MAIN}colors/{ooxml.MAIN}indexedColors")
    if custom is not None:
        return [_hex(el.get("rgb")) for el in custom]
    return [_hex(c) for c in COLOR_INDEX]


def _tinted(rgb: tuple[int, int, int], tint: float) -> tuple[int, int, int]:
    """Excel's tint, applied to the luminance in HLS: darker by |tint| below 0, lighter toward white above."""
    h, lum, s = colorsys.rgb_to_hls(*(c / 255 for c in rgb))
    lum = lum * (1 + tint) if tint < 0 else lum * (1 - tint) + tint
    return tuple(round(c * 255) for c in colorsys.hls_to_rgb(h, max(0.0, min(1.0, lum)), s))


def _colour(el, theme: dict[int, tuple[int, int, int]], palette: list, auto: tuple[int, int, int]):
    """The colour an element (``<color>``, ``<fgColor>``) shows, or None when it cannot be told."""
    if el.get("auto", "").lower() in ("1", "true"):
        return auto
    rgb = None
    if el.get("rgb") is not None:
        rgb = _hex(el.get("rgb"))
    elif el.get("theme") is not None:
        rgb = theme.get(_int(el.get("theme")))
    elif el.get("indexed") is not None:
        idx = _int(el.get("indexed"))
        # 64 and 65: the system's foreground and background (black text, white window)
        rgb = {64: _BLACK, 65: _WHITE}.get(idx) or (palette[idx] if idx is not None and 0 <= idx < len(palette) else None)
    else:
        return auto
    tint = el.get("tint")
    if rgb is not None and tint:
        try:
            t = float(tint)
        except ValueError:
            return rgb
        if -1 <= t <= 1:
            rgb = _tinted(rgb, t)
    return rgb


def _int(text: str | None) -> int | None:
    try:
        return int(text or "")
    except ValueError:
        return None


def theme_colours(pkg) -> dict[int, tuple[int, int, int]]:
    """Excel's theme colour index → RGB, from the workbook's theme part (found through the workbook's
    relationships; accepted by the container pass, so its tree is built in C)."""
    if pkg is None:
        return {}
    source = ooxml.rels_path(pkg.workbook)
    part = next((r.target for src, r in pkg.relationships if src == source and r.kind == "theme" and not r.external
                 and r.target in pkg.names), None)
    if part is None:
        return {}
    scheme = XML(pkg.read(part)).find(f"{_DRAWING}themeElements/{_DRAWING}clrScheme")
    if scheme is None:
        return {}
    by_name = {}
    for el in scheme:
        name = ooxml.local_name(el.tag)
        colour = el.find(f"{_DRAWING}srgbClr")
        system = el.find(f"{_DRAWING}sysClr")
        rgb = _hex(colour.get("val")) if colour is not None else _hex(system.get("lastClr")) if system is not None else None
        if rgb is not None:
            by_name[name] = rgb
    return {i: by_name[n] for i, n in enumerate(_THEME_ORDER) if n in by_name}


def _sections(code: str) -> list[str]:
    """A number format's sections, quoted text and escapes removed (``;;;`` → four empty sections)."""
    code = re.sub(r'"[^"]*"|\\.', "x", code)
    return code.split(";")


def _at(items: list, index: str | None):
    try:
        return items[int(index or 0)]
    except (ValueError, IndexError):
        return None


def _lists_extra(container) -> list[Finding]:
    lists = next((s.name for s in LAYOUT.sheets if s.hidden), None)
    scan = container.scans.get(lists) if lists else None
    if scan is None:
        return []
    last_row: dict[int, int] = {}  # column → last row of its list (row 1 is its header)
    for ref in lists_ranges().values():
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
