"""Recomputation (validator layer 4): every result the calculation sheet 核算 shows vs the core.

The cells to compare come from the layout (:attr:`hpcarbon.workbook.schema.Layout.calc_checks`): each step's
native result (column E), the add-in's ``HP_*`` result beside it (column F) and the per-type cells of the
electricity row. What a workbook *cached* is given as data (``cell → Cached``), however it was read.

Every key of :class:`hpcarbon.accounting.Results` is either compared here or listed in :data:`EXEMPT`
with the reason (tests/test_recompute.py fails otherwise).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from hpcarbon.findings import Finding, finding
from hpcarbon.formulas import deviation_requires_recheck
from hpcarbon.rules import make_context
from hpcarbon.validator.scan import Cached
from hpcarbon.workbook import calc_sheet as C
from hpcarbon.workbook.renderings import INFINITE
from hpcarbon.workbook.schema import LAYOUT, SUPPORTED_TEMPLATE_VERSIONS, TEMPLATE_VERSION
from hpcarbon.workbook.sheet_view import UNKNOWN, how_taken
from hpcarbon.workbook.sheets import S_CALC

#: Results keys the sheet does not show as one cell, and why.
EXEMPT = {
    "parameter_version": "an input on 项目信息 (declared), judged by the rules against the set in force (§7.1)",
    "heat_by_type_gj": "heat per metering source (a type, the total meter's group or the estimate's group); "
                       "the sheet shows its parts — metered heat, total-output heat, Q估 — and their sum Q, compared",
    "unavailable": "which inputs a missing result lacks: said by the findings at those inputs, not a value the "
                   "sheet shows (a missing result's cells are not compared)",
}

#: relative tolerance of a numeric comparison (Excel keeps 15 significant digits)
REL_TOL = 1e-9
_EPOCH = date(1899, 12, 30)


@dataclass(frozen=True)
class Expected:
    cell: str
    label: str  # the step's label on the sheet
    value: Any  # float, str (the sheet's word), date, or None (the cell must be blank)
    addin: bool  # the add-in's column
    formed: bool = True  # False: the core could not form the result (``value`` is what the sheet shows then)


def expected_cells(accounting, decl, blank_missing: bool = False) -> list[Expected]:
    """What each compared cell of 核算 must show for ``decl`` (results of the core's ``accounting``). A result
    the core could not form is not compared — or, with ``blank_missing``, expected as the sheet shows it
    then: blank, or "—" for a word."""
    res = accounting.results
    if res is None:
        return []
    values = res.to_dict()
    out = []
    missing = set(getattr(res, "unavailable", None) or ())
    for check in LAYOUT.calc_checks:
        # a result the core could not form (an input lacking) is not compared: the findings name the input
        # (the estimate's basis is formed from Q电 and Q面: when one is missing the core says "—"; in the
        # sheet's reading that "—" is no result to compare)
        if check.key in missing or (check.key == "recheck_needed" and "deviation" in missing) or (
                check.sub is not None and check.sub not in (getattr(res, check.key) or {})
                and check.key.replace("_by_type", "") in missing) or (
                blank_missing and check.key == "estimate_basis"
                and missing & {"heat_elec_method_gj", "heat_area_method_gj"}):
            if blank_missing:
                shown = "—" if check.key in ("recheck_needed", "estimate_basis") else None
                out.append(Expected(check.native, check.label, shown, False, formed=False))
                if check.addin:
                    out.append(Expected(check.addin, check.label, shown, True, formed=False))
            continue
        if check.key == "recheck_needed":
            value = _recheck_word(res, decl, C)
        elif check.sub is not None:
            value = (getattr(res, check.key) or {}).get(check.sub, 0.0)
        else:
            value = getattr(res, check.key)
            if check.key == "method":
                value = C.METHOD_LABEL[value]
            elif check.key == "estimate_basis":
                value = C.BASIS_LABEL[value]
            elif check.key == "deviation" and value is not None and math.isinf(value):
                value = INFINITE
            elif check.key in values and values[check.key] is None:
                value = None
        out.append(Expected(check.native, check.label, value, False))
        if check.addin:
            out.append(Expected(check.addin, check.label, value, True))
    return out


def _recheck_word(res, decl, C) -> str:
    if res.deviation is None:
        return "—"
    if not deviation_requires_recheck(res.deviation):
        return C.RECHECK_NOT_NEEDED
    return C.RECHECK_DONE if decl.recheck is not None and decl.recheck.performed else C.RECHECK_NEEDED


def sheet_and_cells() -> tuple[str, set[str]]:
    """The calculation sheet and every cell of it the comparison reads."""
    cells = set()
    for check in LAYOUT.calc_checks:
        cells.add(check.native)
        if check.addin:
            cells.add(check.addin)
    return S_CALC, cells


def old_template() -> frozenset[str]:
    """Template versions whose calculation sheet predates the compared layout (read, not compared): every
    supported version but the current one."""
    return SUPPORTED_TEMPLATE_VERSIONS - {TEMPLATE_VERSION}


def agrees(expected: Any, got: Any) -> bool:
    """Does a cached value equal the expected one? Numbers to :data:`REL_TOL`; a date as its serial or a date;
    a blank cell as "" or None."""
    if expected is None:
        return got is None or got == ""
    if isinstance(expected, date):
        if isinstance(got, datetime):
            got = got.date()
        if isinstance(got, date):
            return got == expected
        return isinstance(got, (int, float)) and not isinstance(got, bool) and got == (expected - _EPOCH).days
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        return (isinstance(got, (int, float)) and not isinstance(got, bool)
                and math.isclose(got, expected, rel_tol=REL_TOL, abs_tol=1e-9))
    return isinstance(got, str) and got.strip() == str(expected)


def _at_input(code: str, cells: list[tuple[Expected, Any]], taken, sheet: str) -> Finding:
    """The warning at a coerced input: which results of the sheet its reading explains (or leaves
    undetermined), what the first of them shows and what the methodology gives, and how to retype it."""
    exp, got = cells[0]
    shown = "、".join(e.cell for e, _ in cells)  # at most the ~20 compared cells
    how_zh, how_en = how_taken(taken.value)
    return finding(code, None, field_label=taken.field_label, typed=taken.typed, how_zh=how_zh, how_en=how_en,
                   count=len(cells), cells=f"{sheet}!{shown}", label=exp.label, cached=display(got),
                   computed=display(exp.value), fix_zh=taken.fix[0], fix_en=taken.fix[1]).located(taken.sheet,
                                                                                                  taken.cell)


def display(value: Any) -> str:
    """A value as the sheet would show it: numbers to 10 significant digits, dates ISO, blank said as such."""
    if value is None or value == "":
        return "（空白 blank）"
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


@dataclass(frozen=True)
class SheetSees:
    """What the sheet's cells must show when its formulas take the coerced inputs as they do
    (:class:`hpcarbon.workbook.reader.SheetView` accounted): cell → :class:`Expected`; empty when that
    declaration could not be formed. ``inputs``: taken as a known typed value; ``unknown``: inputs no typed
    value stands in for (what the sheet makes of them is not known)."""

    expected: dict[str, Expected]
    inputs: list  # reader.TakenAs
    unknown: list  # reader.TakenAs
    #: with several inputs: per input, what the cells show with only that one taken as the sheet takes it
    alone: list = field(default_factory=list)  # (reader.TakenAs, {cell: Expected})

    def owners(self, cell: str, value: Any, inputs: list) -> list:
        """The inputs (of ``inputs``) that account for ``cell`` differing from ``value`` (the methodology's):
        each that alone changes it or leaves it unformed, and each not accounted alone (it cannot be ruled
        out); all of them when none is left."""
        alone = {id(t): cells for t, cells in self.alone}
        out = []
        for taken in inputs:
            cells = alone.get(id(taken))
            exp = cells.get(cell) if cells is not None else None
            if cells is None or exp is None or not exp.formed or not agrees(value, exp.value):
                out.append(taken)
        return out or list(inputs)

    def verdict(self, cell: str, got: Any) -> str:
        """"explained" (the sheet's reading gives ``got``), "undetermined" (it gives no result to compare:
        the core cannot form it from the inputs so read, or an input's reading is unknown) or "wrong"."""
        exp = self.expected.get(cell)
        if exp is not None and agrees(exp.value, got):
            return "explained"
        if exp is None or not exp.formed or self.unknown:
            return "undetermined"
        return "wrong"


def sheet_sees(sheet_view) -> SheetSees | None:
    """Account the declaration as the sheet sees it (None when no coerced input is read by its formulas)."""
    if sheet_view is None or not sheet_view.inputs:
        return None
    known = [t for t in sheet_view.inputs if t.value is not UNKNOWN]
    unknown = [t for t in sheet_view.inputs if t.value is UNKNOWN]
    decl = sheet_view.declaration
    if decl is None and known:
        return SheetSees({}, known, unknown)
    if decl is None:  # nothing taken otherwise: the declaration as read is the sheet's, but for the unknown
        return SheetSees({}, [], unknown)
    alone = []
    for taken, one, invalid in sheet_view.alone:
        cells = {} if one is None else _sheet_cells(one, invalid)
        alone.append((taken, cells))
    return SheetSees(_sheet_cells(decl, sheet_view.invalid), known, unknown, alone)


def _sheet_cells(decl, invalid) -> dict[str, Expected]:
    ctx = make_context(decl, invalid=invalid)
    return {e.cell: e for e in expected_cells(ctx.accounting, decl, blank_missing=True)}


def compare_cached(accounting, decl, cached: Mapping[str, Cached], sheet: str,
                   sees: SheetSees | None = None) -> list[Finding]:
    """Findings of the comparison of ``cached`` (cell → Cached, the calculation sheet's saved values) with the
    core: a mismatch at its cell (error) — unless the declaration as the sheet sees it (``sees``) gives the
    cached value (explained) or gives nothing to compare it with (undetermined): then it is said at the
    coerced inputs (a warning each); cells never calculated (one info), the add-in's cells showing an error
    because it is not installed (one info)."""
    out: list[Finding] = []
    not_calculated: list[Expected] = []
    no_addin: list[tuple[Expected, str]] = []
    said: dict[str, list[tuple[Expected, Any]]] = {"explained": [], "undetermined": []}
    for exp in expected_cells(accounting, decl):
        state = cached.get(exp.cell)
        if state is None or (state.value is None and state.error is None):
            if not exp.addin:
                not_calculated.append(exp)
            continue
        if state.error:
            if exp.addin:
                no_addin.append((exp, state.error))
            else:
                not_calculated.append(exp)
            continue
        got = state.value
        if isinstance(exp.value, date) and isinstance(got, float):
            got_shown = _EPOCH + timedelta(days=int(got)) if 0 < got < 2958466 else got
        else:
            got_shown = got
        if agrees(exp.value, got):
            continue
        verdict = sees.verdict(exp.cell, got) if sees is not None else "wrong"
        if verdict != "wrong":
            said[verdict].append((exp, got_shown))
        else:
            column = "加载项 add-in" if exp.addin else "结果 result"
            out.append(finding("recompute.mismatch", None, label=exp.label, column=column, cell=f"{sheet}!{exp.cell}",
                               cached=display(got_shown), computed=display(exp.value)).located(sheet, exp.cell))
    for verdict, inputs in (("explained", sees.inputs if sees else []),
                            ("undetermined", (sees.inputs + sees.unknown) if sees else [])):
        by_input: dict[int, list[tuple[Expected, Any]]] = {}
        for exp, got in said[verdict]:
            for taken in sees.owners(exp.cell, exp.value, inputs):
                by_input.setdefault(id(taken), []).append((exp, got))
        for taken in inputs:
            if id(taken) in by_input:
                out.append(_at_input(f"recompute.{verdict}_by_input", by_input[id(taken)], taken, sheet))
    if not_calculated:
        exp = not_calculated[0]
        out.append(finding("recompute.no_cached_value", None, count=len(not_calculated),
                           state_zh="文件保存时未经电子表格程序计算", state_en="the file was saved without being calculated")
                   .located(sheet, exp.cell))
    if no_addin:
        exp, err = no_addin[0]
        out.append(finding("recompute.addin_not_installed", None, count=len(no_addin), error=err)
                   .located(sheet, exp.cell))
    return out
