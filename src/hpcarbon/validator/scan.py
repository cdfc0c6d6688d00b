"""The sheets as openpyxl reads them, in one streaming parse per sheet (issue 10: parse, don't pattern-match).

Each worksheet part that :mod:`.ooxml` resolved is walked with the C ``iterparse`` — only over bytes the
container pass has already accepted (well-formed, no DOCTYPE, no entity declaration, element counts
within the limits) — mirroring ``openpyxl.worksheet._reader.WorkSheetParser``: a ``<row>`` anywhere is a
row, its children are its cells, a cell's reference is its ``r`` attribute normalised by openpyxl's own
``coordinate_to_tuple`` (``f6``, ``F06`` → F6) or the next column when absent, its formula the ``<f>``
child and its cached value the first ``<v>`` child. Comments, processing instructions, attribute order
and element order therefore hide nothing. What is collected:

* every formula, as (cell, text) — :func:`reaches_outside` says whether one leaves the workbook;
* every merged range; hidden rows and columns;
* the cached values of the cells asked for (the calculation sheet's results);
* cells whose stored value openpyxl cannot cast (it would give up on the whole sheet), located.
"""

from __future__ import annotations

import io
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
import re
from xml.etree.ElementTree import fromstring, iterparse  # C parser: bytes were accepted by ooxml.check_xml first

from openpyxl.utils.cell import column_index_from_string, coordinate_to_tuple, get_column_letter, range_boundaries
from openpyxl.utils.datetime import from_ISO8601
from openpyxl.utils.exceptions import CellCoordinatesException

from hpcarbon.validator.ooxml import MAIN

_ROW, _C_F, _C_V = f"{MAIN}row", f"{MAIN}f", f"{MAIN}v"
_MERGE, _COL, _SI, _T, _R = f"{MAIN}mergeCell", f"{MAIN}col", f"{MAIN}si", f"{MAIN}t", f"{MAIN}r"
_IS = f"{MAIN}is"
#: elements openpyxl's sheet parser clears after reading them (memory stays bounded the same way)
_CLEARED = {f"{MAIN}{t}" for t in ("cols", "sheetProtection", "extLst", "conditionalFormatting", "legacyDrawing",
                                    "rowBreaks", "colBreaks", "customSheetViews", "printOptions", "pageMargins",
                                    "pageSetup", "headerFooter", "autoFilter", "dataValidations", "sheetPr",
                                    "sheetViews", "sheetFormatPr", "scenarios", "tableParts", "hyperlinks",
                                    "mergeCells")}
#: a reference as Excel writes it (upper case, no $, no leading zero): openpyxl reads it unchanged
_CANONICAL = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,6}")
_LETTERS = re.compile(r"[A-Z]+")
_CAST_KINDS = frozenset({"n", "s", "b", "d"})
#: characters of a value echoed into a message
ECHO_CHARS = 30
#: characters of a cached text kept (a result cell holds a number or a short word)
CACHED_TEXT_CHARS = 200
MAX_BAD_CELLS = 20


@dataclass(frozen=True)
class Cached:
    """A cell's cached state: ``value`` (float or str), or ``error`` ('#NAME?' …), or neither."""

    has_formula: bool
    value: float | str | None = None
    error: str | None = None


@dataclass(frozen=True)
class BadCell:
    ref: str | None
    kind_zh: str
    kind_en: str
    value: str


@dataclass
class SheetScan:
    formulas: list[tuple[str, str]] = field(default_factory=list)  # (ref, formula text, truncated)
    outside: list[tuple[str, str, str]] = field(default_factory=list)  # (ref, formula shown, what)
    merges: list[str] = field(default_factory=list)
    values: dict[str, Cached] = field(default_factory=dict)
    bad: list[BadCell] = field(default_factory=list)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: list[tuple[int, int]] = field(default_factory=list)
    #: (ref, style id) of every cell holding a value, for the reviewer checks (hidden formats)
    styled: dict[str, int] = field(default_factory=dict)


def shown(value: str, limit: int = ECHO_CHARS) -> str:
    """A value echoed into a message: quoted, truncated."""
    return "'" + (value if len(value) <= limit else value[: limit - 1] + "…") + "'"


def _cast_problem(kind: str, text: str, strings: int) -> tuple[str, str] | None:
    """openpyxl 3.1's casts (worksheet._reader): a number is float() with '.', 'e' or 'E', else int();
    ``s`` an index into the shared strings; ``b`` int(); ``d`` ISO 8601."""
    try:
        if kind == "n":
            float(text) if any(ch in text for ch in ".eE") else int(text)
        elif kind == "s":
            if not 0 <= int(text) < strings:
                raise ValueError
        elif kind == "b":
            int(text)
        elif kind == "d" and from_ISO8601(text) is None:
            raise ValueError
    except (ValueError, OverflowError, TypeError):
        return {"s": ("共享字符串编号", "shared-string index"), "b": ("逻辑值", "logical value"),
                "d": ("日期", "date")}.get(kind, ("数值", "number"))
    return None


def scan_sheet(data: bytes, wanted: set[str] = frozenset(), strings: int = 0,
               shared=lambda: [], keep_styles: bool = False) -> SheetScan:
    """One pass over a sheet part (see the module docstring). ``wanted``: refs whose cached value is
    kept; ``strings``: entries in the shared-string table (an index beyond is a bad cell); ``shared()``
    gives the table itself, parsed once, only if a wanted cell needs it. The part's elements are within
    max_sheet_elements (counted by the container pass), so its tree is built at once in C."""
    out = SheetScan()
    root = fromstring(data)
    row_counter = last_row = 0
    for el in root.iter(_ROW):
        r = el.get("r")
        if r is not None:
            try:
                row_counter = int(r)
            except ValueError:
                try:
                    val = float(r)
                except ValueError:
                    val = 0.5
                if not val.is_integer():
                    _bad(out, None, ("行号", "row number"), r)
                    continue
                row_counter = int(val)
        else:
            row_counter += 1
        if row_counter <= last_row:
            # Excel refuses rows out of order; openpyxl's read-only reader would skip the earlier ones
            _bad(out, None, ("行号（顺序颠倒）", "row number in order"), str(row_counter))
        last_row = max(last_row, row_counter)
        if el.get("hidden", "").lower() in ("1", "true"):
            out.hidden_rows.add(row_counter)
        col_counter = 0
        previous = None  # the last explicit reference: its column is computed only if a cell lacks one
        for c in el:
            coordinate = c.get("r")
            if coordinate:
                if _CANONICAL.fullmatch(coordinate):  # as Excel writes it: already what openpyxl makes of it
                    ref = coordinate
                else:
                    try:
                        row, col = coordinate_to_tuple(coordinate)
                        ref = f"{get_column_letter(col)}{row}"
                    except (ValueError, CellCoordinatesException, KeyError, IndexError):
                        _bad(out, None, ("单元格地址", "cell reference"), coordinate)
                        continue
                previous, col_counter = ref, -1
            else:
                if col_counter < 0:
                    col_counter = column_index_from_string(_LETTERS.match(previous).group())
                col_counter += 1
                try:
                    ref = f"{get_column_letter(col_counter)}{row_counter}"
                except ValueError:
                    _bad(out, None, ("单元格地址", "cell reference"), str(col_counter))
                    continue
            kind = c.get("t", "n")
            f = c.find(_C_F)
            text = None if kind == "inlineStr" else (c.findtext(_C_V, None) or None)
            if f is not None:
                formula = f.text or ""
                out.formulas.append((ref, formula[:200]))
                what = reaches_outside(formula)
                if what:
                    out.outside.append((ref, formula[:60], what))
            if text is not None and kind in _CAST_KINDS:
                problem = _cast_problem(kind, text, strings)
                if problem:
                    _bad(out, ref, problem, text)
            if keep_styles and (text is not None or kind == "inlineStr"):
                style = c.get("s", "0") or "0"
                out.styled[ref] = int(style) if style.isdigit() and len(style) < 10 else 0
            if ref in wanted:
                out.values[ref] = _cached(f is not None, kind, text, c, shared)
    for el in root.iter(_MERGE):
        out.merges.append(el.get("ref", ""))
    for el in root.iter(_COL):
        if el.get("hidden", "").lower() in ("1", "true"):
            try:
                out.hidden_cols.append((int(el.get("min", "0")), int(el.get("max", "0"))))
            except ValueError:
                pass
    return out


def _bad(out: SheetScan, ref: str | None, kind: tuple[str, str], value: str) -> None:
    if len(out.bad) < MAX_BAD_CELLS:
        out.bad.append(BadCell(ref if ref and len(ref) <= 10 else None, kind[0], kind[1], value[:ECHO_CHARS + 1]))


def _cached(has_formula: bool, kind: str, text: str | None, c, shared) -> Cached:
    if kind == "inlineStr":
        node = c.find(_IS)
        return Cached(has_formula, value=_text_of(node)[:CACHED_TEXT_CHARS] if node is not None else None)
    if text is None:
        v = c.find(_C_V)
        # a formula that returned "" (Excel writes <v></v>)
        return Cached(has_formula, value="") if kind == "str" and v is not None else Cached(has_formula)
    if kind == "e":
        return Cached(has_formula, error=text[:CACHED_TEXT_CHARS])
    if kind == "str":
        return Cached(has_formula, value=text[:CACHED_TEXT_CHARS])
    if kind == "s":
        table = shared()
        try:
            idx = int(text)
        except ValueError:
            return Cached(has_formula)
        return Cached(has_formula, value=table[idx][:CACHED_TEXT_CHARS] if 0 <= idx < len(table) else None)
    try:
        return Cached(has_formula, value=float(text))
    except ValueError:
        return Cached(has_formula, value=text[:CACHED_TEXT_CHARS])


def _text_of(node) -> str:
    """A string item's plain text as openpyxl's Text.content: its <t>, or the <t> of each run (phonetic
    runs left out)."""
    direct = node.find(_T)
    parts = [direct.text or ""] if direct is not None else []
    for run in node.findall(_R):
        t = run.find(_T)
        if t is not None:
            parts.append(t.text or "")
    return "".join(parts)


def shared_strings(data: bytes) -> list[str]:
    """The shared-string table, parsed once (bytes accepted by the container pass)."""
    out = []
    for _, el in iterparse(io.BytesIO(data)):
        if el.tag == _SI:
            out.append(_text_of(el))
            el.clear()
    return out


# --- formulas that reach outside the workbook ----------------------------------------------------------
#: functions that fetch, call or register something outside the workbook
OUTSIDE_FUNCTIONS = frozenset({"WEBSERVICE", "FILTERXML", "RTD", "CALL", "REGISTER", "REGISTER.ID", "EXEC",
                               "IMAGE", "EXECUTE"})
_PREFILTER = ("|", "[", "WEBSERVICE", "FILTERXML", "RTD", "CALL", "REGISTER", "EXEC", "IMAGE")


def reaches_outside(formula: str) -> str | None:
    """What makes a formula reach outside its workbook — a web/DDE/add-in function, a DDE link
    (``cmd|'…'!A0``), a reference to another workbook (``[1]Sheet!A1``) — or None. Tokenised with
    openpyxl's formula tokenizer (only formulas containing one of the telltale words or signs are)."""
    if not formula:
        return None
    upper = formula.upper()
    if not any(s in upper for s in _PREFILTER):
        return None
    from openpyxl.formula.tokenizer import Token, Tokenizer, TokenizerError

    try:
        items = Tokenizer("=" + formula.lstrip("=")).items
    except TokenizerError:
        return "DDE" if "|" in formula else "?"
    for tok in items:
        if tok.type == Token.FUNC and tok.subtype == Token.OPEN:
            name = tok.value[:-1].upper().lstrip("@")
            for prefix in ("_XLFN.", "_XLWS.", "_XLL."):
                name = name.removeprefix(prefix)
            if name in OUTSIDE_FUNCTIONS:
                return name
        elif tok.type == Token.OPERAND and tok.subtype == Token.RANGE:
            value = tok.value
            if "|" in value:
                return "DDE"
            book = value.rsplit("!", 1)[0] if "!" in value else ("" if not value.startswith("[") else value)
            if "[" in book:
                return "外部工作簿 / another workbook"
    return None


# --- input cells of the template ------------------------------------------------------------------------
@lru_cache(maxsize=1)
def input_cells() -> dict[str, dict[str, tuple[int, int]]]:
    """The template's input cells: sheet → {A1 ref: (column index, row)} (every row of a table)."""
    from hpcarbon.workbook.layout import LAYOUT

    out: dict[str, dict[str, tuple[int, int]]] = {}
    for slot in LAYOUT.slots:
        col = column_index_from_string(slot.column)
        if slot.table:
            t = LAYOUT.tables[slot.table]
            rows = range(t.first_row, t.last_row + 1)
        else:
            rows = range(slot.row, slot.row + 1)
        cells = out.setdefault(slot.sheet, {})
        for r in rows:
            cells[f"{slot.column}{r}"] = (col, r)
    return out


@lru_cache(maxsize=1)
def _input_index() -> dict[str, tuple[list[tuple[int, int, str]], list[int]]]:
    """Per sheet, the input cells sorted by (row, column) and their rows: a merged range finds the input
    cells it covers by bisection (merges × input cells is never walked)."""
    out = {}
    for sheet, refs in input_cells().items():
        items = sorted((r, c, ref) for ref, (c, r) in refs.items())
        out[sheet] = (items, [r for r, _, _ in items])
    return out


def inputs_in(sheet: str, rng: str) -> list[tuple[int, int, str]] | None:
    """Input cells of ``sheet`` inside range ``rng`` as (row, column, ref), in order; None for a range
    that is not one (reported by the caller as a bad merge)."""
    try:
        c1, r1, c2, r2 = range_boundaries(rng.replace("$", ""))
    except (ValueError, TypeError):
        return None
    if None in (c1, r1, c2, r2):
        return None
    items, rows = _input_index().get(sheet, ([], []))
    lo, hi = bisect_left(rows, r1), bisect_right(rows, r2)
    return [(r, c, ref) for r, c, ref in items[lo:hi] if c1 <= c <= c2]


@lru_cache(maxsize=1)
def personal_cells() -> frozenset[tuple[str, str]]:
    """(sheet, ref) of the cells holding an individual owner's personal data (never echoed)."""
    from hpcarbon.workbook.layout import LAYOUT

    return frozenset((s.sheet, s.cell()) for s in LAYOUT.slots if s.spec.personal and not s.table)
