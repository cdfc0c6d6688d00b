"""The sheets as openpyxl reads them, in one streaming parse per sheet (issue 10: parse, don't pattern-match).

Each worksheet part that :mod:`.ooxml` resolved is parsed once, in C — only bytes the container pass has
already accepted (no DOCTYPE, no entity declaration, elements bounded by the limits) — and walked as
``openpyxl.worksheet._reader.WorkSheetParser`` walks it: a ``<row>`` is a row, its ``<c>`` children are
its cells, a cell's reference is its ``r`` attribute normalised by openpyxl's own ``coordinate_to_tuple``
(``f6``, ``F06`` → F6) or the next column when absent, its formula the ``<f>`` child and its cached
value the first ``<v>`` child. Comments, processing instructions, attribute order and element order
therefore hide nothing; where openpyxl and Excel would place something differently — a row outside the
sheet data or nested in another, an element in a row that is not a cell, a reference naming another row
than its row element, rows out of order — the cell is refused (a bad cell), not guessed. What is
collected:

* every formula, as (cell, text) — :func:`reaches_outside` says whether one leaves the workbook;
* every merged range; hidden rows and columns;
* the cached values of the cells asked for (the calculation sheet's results);
* cells whose stored value openpyxl cannot cast (it would give up on the whole sheet), located;
* the values of the cells the reader needs, as openpyxl gives them (:mod:`.cells`), so that nothing
  parses the sheet a second time; the counts behind the row and cell limits.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
import re
from xml.etree.ElementTree import fromstring  # C parser: bytes the container pass accepted (no DOCTYPE, bounded)

from openpyxl.formula.tokenizer import Token, Tokenizer, TokenizerError
from openpyxl.utils.cell import column_index_from_string, coordinate_to_tuple, get_column_letter, range_boundaries
from openpyxl.utils.datetime import from_ISO8601
from openpyxl.utils.exceptions import CellCoordinatesException

from hpcarbon.validator.cells import NumberStyles, ValueReader, item_text, style_index
from hpcarbon.validator.ooxml import MAIN, local_name
from hpcarbon.workbook.layout import LAYOUT

_ROW, _C_F, _C_V = f"{MAIN}row", f"{MAIN}f", f"{MAIN}v"
_MERGE, _COL, _IS = f"{MAIN}mergeCell", f"{MAIN}col", f"{MAIN}is"
_CELL, _DATA = f"{MAIN}c", f"{MAIN}sheetData"
#: a reference as Excel writes it (upper case, no $, no leading zero): openpyxl reads it unchanged
_CANONICAL = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")
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
    #: row → column → value as openpyxl reads it (:mod:`.cells`), within the extent asked for
    grid: dict[int, dict[int, object]] = field(default_factory=dict)
    #: cell elements, row elements, the last row number (where openpyxl's rows end), and for the row
    #: limit the rows that hold a cell and the last of them: an empty row element or the declared
    #: dimension costs no reader anything (LibreOffice writes an empty row 1 048 576 after a row deletion)
    cells: int = 0
    rows: int = 0
    last_row: int = 0
    rows_with_cells: int = 0
    last_cell_row: int = 0

    def rows_of(self, max_row: int, max_col: int) -> list[tuple]:
        """The first ``max_row`` rows as openpyxl's ``iter_rows(values_only=True)`` gives them: tuples of
        ``max_col`` values, ending at the sheet's last row."""
        last = min(max_row, self.last_row)
        blank = (None,) * max_col
        out = []
        for r in range(1, last + 1):
            row = self.grid.get(r)
            out.append(tuple(row.get(c) for c in range(1, max_col + 1)) if row else blank)
        return out


def shown(value: str, limit: int = ECHO_CHARS) -> str:
    """A value echoed into a message: quoted, truncated."""
    return "'" + (value if len(value) <= limit else value[: limit - 1] + "…") + "'"


def _cast_problem(kind: str, text: str, strings: int) -> tuple[str, str] | None:
    """openpyxl 3.1's casts (worksheet._reader): a number is float() with '.', 'e' or 'E', else int();
    ``s`` an index into the shared strings; ``b`` int(); ``d`` ISO 8601."""
    try:
        if kind == "n":
            float(text) if ("." in text or "e" in text or "E" in text) else int(text)
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


_NO_VALUES = ValueReader([], NumberStyles(), False)


def scan_sheet(data: bytes, wanted: set[str] = frozenset(), cells: ValueReader = _NO_VALUES,
               keep_styles: bool = False, extent: tuple[int, int] | None = None) -> SheetScan:
    """One pass over a sheet part (see the module docstring). ``wanted``: refs whose cached value is
    kept; ``cells``: the shared strings, number styles and epoch (an index beyond the strings is a bad
    cell); ``extent``: (rows, columns) whose values are kept in ``grid`` as openpyxl reads them. The
    part's elements are bounded (counted or bounded from above by the container pass, which also refused
    any DOCTYPE), so its tree is built at once in C; a part that is not well-formed raises
    ``xml.etree.ElementTree.ParseError``."""
    out = SheetScan()
    root = fromstring(data)
    strings = len(cells.strings)
    max_row, max_col = extent or (0, 0)
    grid = out.grid
    row_counter = last_row = n_rows = n_cells = rows_with_cells = last_cell_row = 0
    for el in root.iter(_ROW):
        n_rows += 1
        n_cells += len(el)
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
        if len(el):
            rows_with_cells += 1
            last_cell_row = row_counter
        if el.get("hidden", "").lower() in ("1", "true"):
            out.hidden_rows.add(row_counter)
        values = grid.setdefault(row_counter, {}) if row_counter <= max_row else None
        col_counter = 0
        previous = None  # the last explicit reference: its column is computed only if a cell lacks one
        for c in el:
            if c.tag != _CELL:
                # openpyxl would take it for a cell, Excel would not: refused rather than guessed
                _bad(out, None, ("行中的非单元格元素", "element in a row that is not a cell"), local_name(c.tag))
                continue
            coordinate = c.get("r")
            if coordinate:
                canonical = _CANONICAL.fullmatch(coordinate)
                if canonical:  # as Excel writes it: already what openpyxl makes of it
                    ref, row = coordinate, int(canonical.group(2))
                else:
                    try:
                        row, col = coordinate_to_tuple(coordinate)
                        ref = f"{get_column_letter(col)}{row}"
                    except (ValueError, CellCoordinatesException, KeyError, IndexError):
                        _bad(out, None, ("单元格地址", "cell reference"), coordinate)
                        continue
                if row != row_counter:
                    # openpyxl's read-only reader puts the value in the row element's row, the formula
                    # scan (and openpyxl's full reader) in the reference's: ambiguous, refused
                    _bad(out, None, ("单元格地址（与所在行不符）", "cell reference in its row"), coordinate)
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
                    continue
            try:
                style = style_index(c.get("s"))
            except ValueError:
                _bad(out, ref, ("单元格格式编号", "cell format index"), c.get("s", ""))
                continue
            if keep_styles and (text is not None or kind == "inlineStr"):
                out.styled[ref] = style if style is not None and 0 <= style < 1 << 31 else 0
            if ref in wanted:
                out.values[ref] = _cached(f is not None, kind, text, c, cells.strings)
            if values is not None and (text is not None or kind == "inlineStr"):
                col = col_counter if col_counter > 0 else column_index_from_string(_LETTERS.match(ref).group())
                if col <= max_col:
                    values[col] = cells.value(kind, text, style, c)
    out.rows, out.cells, out.last_row = n_rows, n_cells, last_row
    out.rows_with_cells, out.last_cell_row = rows_with_cells, last_cell_row
    if n_rows != sum(len(data_el.findall(_ROW)) for data_el in root.iter(_DATA)):
        # a row nested in a row or a cell, or outside the sheet data: openpyxl reads it in the order its
        # end tag comes, Excel not at all — refused rather than guessed
        _bad(out, None, ("工作表数据之外的行", "row outside the sheet data"), "<row>")
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


def _cached(has_formula: bool, kind: str, text: str | None, c, table: list[str]) -> Cached:
    if kind == "inlineStr":
        node = c.find(_IS)
        return Cached(has_formula, value=item_text(node)[:CACHED_TEXT_CHARS] if node is not None else None)
    if text is None:
        v = c.find(_C_V)
        # a formula that returned "" (Excel writes <v></v>)
        return Cached(has_formula, value="") if kind == "str" and v is not None else Cached(has_formula)
    if kind == "e":
        return Cached(has_formula, error=text[:CACHED_TEXT_CHARS])
    if kind == "str":
        return Cached(has_formula, value=text[:CACHED_TEXT_CHARS])
    if kind == "s":
        try:
            idx = int(text)
        except ValueError:
            return Cached(has_formula)
        return Cached(has_formula, value=table[idx][:CACHED_TEXT_CHARS] if 0 <= idx < len(table) else None)
    try:
        return Cached(has_formula, value=float(text))
    except ValueError:
        return Cached(has_formula, value=text[:CACHED_TEXT_CHARS])


# --- formulas that reach outside the workbook ----------------------------------------------------------
#: functions that fetch, call or register something outside the workbook
OUTSIDE_FUNCTIONS = frozenset({"WEBSERVICE", "FILTERXML", "RTD", "CALL", "REGISTER", "REGISTER.ID", "EXEC",
                               "IMAGE", "EXECUTE"})
#: a formula whose upper-cased text holds none of these cannot reach outside: most are not tokenised (searched
#: in str.upper()'s text, as the names are compared below: "ﬁ" and "ı" upper-case to ASCII letters)
_PREFILTER = re.compile(r"[|\[]|WEBSERVICE|FILTERXML|RTD|CALL|REGISTER|EXEC|IMAGE")


def reaches_outside(formula: str) -> str | None:
    """What makes a formula reach outside its workbook — a web/DDE/add-in function, a DDE link
    (``cmd|'…'!A0``), a reference to another workbook (``[1]Sheet!A1``) — or None. Tokenised with
    openpyxl's formula tokenizer (only formulas containing one of the telltale words or signs are)."""
    if not formula or not _PREFILTER.search(formula.upper()):
        return None
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
    return frozenset((s.sheet, s.cell()) for s in LAYOUT.slots if s.spec.personal and not s.table)
