"""How the template's own formulas see an input cell — derived from the formulas, not from a list.

A value the reader had to coerce (a number stored as text, ``Y`` in a 是/否 cell, a date typed as text)
is read by the validator as what it means; the spreadsheet's native formulas take it as they take any
text: ``SUM`` counts it as nothing, ``ISNUMBER`` says no, ``="是"`` says no. To explain a difference
between the cached results of 核算 and the core, the validator accounts *the declaration as the sheet
sees it*: each coerced input replaced by the typed value every native formula reading it treats the
same way (``0`` for a text number only ever summed, a blank for one only ever tested with ``ISNUMBER``,
``否`` for a word only ever compared with ``是`` …).

Which formulas read a cell, and how, is found by tokenising the template's native formulas (the
formulas of :mod:`.calc_sheet` and the tables' computed columns; the add-in's ``HP_*`` calls read an
argument as the validator does and are left out) and following a value that a formula passes on
(``IF(…, $D4, …)``) to the cells that read that formula's result. Only formulas a compared result of
核算 depends on count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any

from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.utils import column_index_from_string, get_column_letter

from hpcarbon import excel_values as xv
from hpcarbon.vocabulary import NO, YES
from hpcarbon.workbook import layout as L


class Use(Enum):
    SUM = "sum"  # SUM, SUMPRODUCT, AVERAGE…, N: a text counts as nothing
    IS_NUMBER = "is_number"  # ISNUMBER / ISTEXT
    LENGTH = "length"  # LEN: blank or not
    WORD = "word"  # compared (= / <>) with a text literal
    OTHER = "other"  # arithmetic, lookup, shown as is: what the program makes of a text is its own affair


@dataclass(frozen=True)
class Reading:
    use: Use
    literal: str | None = None  # the word compared with (Use.WORD)


#: a node of the data flow: (sheet, column, row); row None = every data row of a table (or of 核算's block)
Node = tuple[str, str, int | None]

_SUMS = frozenset({"SUM", "SUMPRODUCT", "AVERAGE", "MIN", "MAX", "N"})
_IS = frozenset({"ISNUMBER", "ISTEXT"})
_PASS = {"IF": (1, 2), "IFERROR": (0, 1)}  # arguments a function returns as its value
#: values (arg 0 of AVERAGEIFS, arg 2 of AVERAGEIF) are summed; criteria ranges are matched (OTHER)
_SUM_ARGS = {"AVERAGEIFS": (0,), "AVERAGEIF": (2,), "SUMIF": (2,), "SUMIFS": (0,)}
_COMPARE = frozenset({"=", "<>"})
_REF = re.compile(r"^(?:'?(?P<sheet>[^'!]+)'?!)?\$?(?P<c1>[A-Z]{1,3})\$?(?P<r1>[0-9]+)"
                  r"(?::\$?(?P<c2>[A-Z]{1,3})\$?(?P<r2>[0-9]+))?$")


def _blocks() -> list[tuple[str, int, int]]:
    """Regions whose rows all hold the same formulas: the tables' data rows and 核算's monthly block."""
    out = [(t.sheet, t.first_row, t.last_row) for t in L.LAYOUT.tables.values()]
    out.append((L.S_CALC, L.CALC_MONTHLY_FIRST_ROW, L.CALC_MONTHLY_FIRST_ROW + L.CALC_MONTHLY_ROWS - 1))
    return out


def _node(sheet: str, column: str, row: int) -> Node:
    for s, first, last in _blocks():
        if s == sheet and first <= row <= last:
            return (sheet, column, None)
    return (sheet, column, row)


def template_formulas() -> list[tuple[Node, str]]:
    """The template's native formulas, one per node (a table's computed column once, for its first row)."""
    out: list[tuple[Node, str]] = []
    for line in L.CALC_LINES:
        for c in line.cells:
            out.append(((L.S_CALC, c.column, line.row), c.formula))
    for cell in L.calc_monthly_cells(L.CALC_MONTHLY_FIRST_ROW, 0):
        out.append(((L.S_CALC, cell.column, None), cell.formula))
    for t in L.LAYOUT.tables.values():
        for comp in t.computed:
            out.append(((t.sheet, comp.column, None), comp.formula.replace("{r}", str(t.first_row))))
    return out


def _nodes_of(ref: str, here: str) -> list[Node]:
    """The nodes a reference (a defined name or an A1 reference) covers."""
    ref = L.LAYOUT.defined_names.get(ref, ref)
    m = _REF.match(ref)
    if not m:
        return []
    sheet = m["sheet"] or here
    c1, r1 = m["c1"], int(m["r1"])
    c2, r2 = m["c2"] or c1, int(m["r2"] or r1)
    out: list[Node] = []
    for c in range(column_index_from_string(c1), column_index_from_string(c2) + 1):
        for r in range(r1, min(r2, r1 + 40) + 1):  # a block's rows are one node: the first few say it
            node = _node(sheet, get_column_letter(c), r)
            if node not in out:
                out.append(node)
    return out


def _tree(formula: str) -> list:
    """A formula as nested lists: a function is ("F", NAME, [args]), each arg a list of items; a
    parenthesis group is ("P", [items]); other items are tokens."""
    items = [t for t in Tokenizer(formula).items if t.type != Token.WSPACE]
    pos = 0

    def seq(stop) -> list:
        nonlocal pos
        out: list = []
        while pos < len(items):
            tok = items[pos]
            if stop(tok):
                return out
            pos += 1
            if tok.type == Token.FUNC and tok.subtype == Token.OPEN:
                args = []
                while True:
                    args.append(seq(lambda t: (t.type == Token.SEP and t.subtype == Token.ARG)
                                    or (t.type == Token.FUNC and t.subtype == Token.CLOSE)))
                    end = items[pos] if pos < len(items) else None
                    pos += 1
                    if end is None or end.type == Token.FUNC:
                        break
                out.append(("F", tok.value[:-1].upper().lstrip("@"), args))
            elif tok.type == Token.PAREN and tok.subtype == Token.OPEN:
                inner = seq(lambda t: t.type == Token.PAREN and t.subtype == Token.CLOSE)
                pos += 1
                out.append(("P", inner))
            else:
                out.append(tok)
        return out

    return seq(lambda t: False)


def _is_ref(item) -> bool:
    return isinstance(item, Token) and item.type == Token.OPERAND and item.subtype == Token.RANGE


def _occurrences(expr: list, here: str, parent: tuple[str, int, list] | None, out: list,
                 guarded: frozenset[str] = frozenset()) -> None:
    """(nodes, Reading or "pass", or None: not read natively) of every reference in ``expr``; a reference
    inside ``IF(ISNUMBER(x), …)``'s first branch is reached only when x is a number (``guarded``)."""
    for k, item in enumerate(expr):
        if isinstance(item, tuple) and item[0] == "F":
            _, name, args = item
            for i, arg in enumerate(args):
                inner = guarded | ({_guard(args[0])} - {None} if name == "IF" and i == 1 else set())
                _occurrences(arg, here, (name, i, args), out, frozenset(inner))
            continue
        if isinstance(item, tuple) and item[0] == "P":
            _occurrences(item[1], here, None if len(expr) > 1 else parent, out, guarded)
            continue
        if not _is_ref(item):
            continue
        nodes = _nodes_of(item.value, here)
        if nodes:
            out.append((nodes, None if item.value in guarded else _context(expr, k, parent)))


def _context(expr: list, k: int, parent) -> Reading | str | None:
    for j in (k - 1, k + 1):  # a neighbour comparison with a text literal
        if 0 <= j < len(expr) and isinstance(expr[j], Token) and expr[j].type == Token.OP_IN:
            other = expr[j - 1 if j < k else j + 1] if 0 <= (j - 1 if j < k else j + 1) < len(expr) else None
            if expr[j].value in _COMPARE and isinstance(other, Token) and other.subtype == Token.TEXT:
                return Reading(Use.WORD, other.value[1:-1].replace('""', '"'))
            return Reading(Use.OTHER)
        if 0 <= j < len(expr) and isinstance(expr[j], Token) and expr[j].type in (Token.OP_PRE, Token.OP_POST):
            return Reading(Use.OTHER)
    if len(expr) > 1:
        return Reading(Use.OTHER)
    if parent is None:
        return "pass"  # the whole formula: its value is this cell's
    name, i, _args = parent
    if name.startswith("HP_"):
        return None  # the add-in reads its arguments as the validator does
    if name in _SUMS or i in _SUM_ARGS.get(name, ()):
        return Reading(Use.SUM)
    if name in _IS:
        return Reading(Use.IS_NUMBER)
    if name == "LEN":
        return Reading(Use.LENGTH)
    if i in _PASS.get(name, ()):
        return "pass"
    return Reading(Use.OTHER)


def _guard(condition: list) -> str | None:
    """x when a condition is exactly ISNUMBER(x)."""
    if (len(condition) == 1 and isinstance(condition[0], tuple) and condition[0][0] == "F"
            and condition[0][1] == "ISNUMBER" and len(condition[0][2]) == 1 and len(condition[0][2][0]) == 1
            and _is_ref(condition[0][2][0][0])):
        return condition[0][2][0][0].value
    return None


@lru_cache(maxsize=1)
def _flow() -> tuple[dict[Node, set], dict[Node, set[Node]]]:
    """Per node: the readings of it by formulas, and the nodes its value is passed on to."""
    readings: dict[Node, set] = {}
    passes: dict[Node, set[Node]] = {}
    for node, formula in template_formulas():
        found: list = []
        _occurrences(_tree(formula), node[0], None, found)
        for nodes, how in found:
            for n in nodes:
                if how == "pass":
                    passes.setdefault(n, set()).add(node)
                elif isinstance(how, Reading):
                    readings.setdefault(n, set()).add((how, node))
    return readings, passes


@lru_cache(maxsize=1)
def _compared() -> frozenset[Node]:
    """The nodes a compared result of 核算 depends on (the compared cells included)."""
    readings, passes = _flow()
    readers: dict[Node, set[Node]] = {}
    for n, rs in readings.items():
        for _how, by in rs:
            readers.setdefault(n, set()).add(by)
    for n, to in passes.items():
        readers.setdefault(n, set()).update(to)
    shown = {(L.S_CALC, c.native[0], int(c.native[1:])) for c in L.LAYOUT.calc_checks}
    matters = set(shown)
    # fixed point: a node matters when a node that matters reads it
    changed = True
    while changed:
        changed = False
        for n, by in readers.items():
            if n not in matters and by & matters:
                matters.add(n)
                changed = True
    return frozenset(matters)


@lru_cache(maxsize=None)
def readings_of(node: Node) -> frozenset[Reading]:
    """How the native formulas that a compared result depends on read ``node``, following values passed on."""
    readings, passes = _flow()
    matters = _compared()
    shown = {(L.S_CALC, c.native[0], int(c.native[1:])) for c in L.LAYOUT.calc_checks}
    out: set[Reading] = set()
    seen: set[Node] = set()
    todo = [node]
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        out |= {how for how, by in readings.get(n, ()) if by in matters}
        if n in shown and n != node:
            out.add(Reading(Use.OTHER))  # the value itself is a compared result
        todo += [to for to in passes.get(n, ()) if to in matters]
    return frozenset(out)


def slot_node(slot: L.Slot) -> Node:
    return (slot.sheet, slot.column, None if slot.table else slot.row)


# --- what a reading sees --------------------------------------------------------------------------------

def _sees(value: Any, reading: Reading) -> Any:
    blank = value is None or value == ""
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if reading.use is Use.SUM:
        return float(value) if number else 0.0
    if reading.use is Use.IS_NUMBER:
        return number
    if reading.use is Use.LENGTH:
        return blank
    if reading.use is Use.WORD:
        if reading.literal == "":
            return blank
        return isinstance(value, str) and value.casefold() == reading.literal.casefold()
    return ("value", type(value).__name__, value)


#: unknown: no typed value is read the same way by every formula (the programs differ, or it is shown as is)
UNKNOWN = object()


def taken_as(raw: Any, spec, readings: frozenset[Reading]) -> Any:
    """The typed value every reading in ``readings`` sees exactly as it sees ``raw`` — what the sheet takes
    ``raw`` for — among a blank, 0 (for a number) and 否 (for a yes/no word); :data:`UNKNOWN` if none is."""
    if spec.kind == L.NUMBER:
        candidates: tuple = (0.0, None)
    elif spec.kind in (L.BOOL, L.MEMBER, L.PRESENCE):
        candidates = (NO, None)
    else:
        candidates = (None,)
    for candidate in candidates:
        if all(_sees(raw, r) == _sees(candidate, r) for r in readings):
            return candidate
    return UNKNOWN


def how_taken(value: Any) -> tuple[str, str]:
    """How the sheet's formulas take an input, said to the owner (zh, en: a verb phrase)."""
    if value is UNKNOWN:
        return "不按其含义读取", "do not read for what it means"
    if value is None:
        return "当作空白", "take as a blank"
    if value == NO:
        return f"当作“{NO}”（不是“{YES}”）", f"take as “{NO}” (not “{YES}”)"
    return f"当作 {xv.describe(value)}", f"take as {xv.describe(value)}"
