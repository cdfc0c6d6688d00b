"""How the template's native formulas read each input cell (workbook/sheet_view.py), derived from the
formulas themselves, and what they take a coerced input for."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from hpcarbon.vocabulary import NO
from hpcarbon.workbook import layout as L
from hpcarbon.workbook.sheet_view import UNKNOWN, Reading, Use, readings_of, slot_node, taken_as, template_formulas

TEMPLATE = Path(__file__).resolve().parents[1] / "workbook_templates" / "hpcarbon-declaration-template.xlsx"


def _slot(path: str, column: str | None = None) -> L.Slot:
    return next(s for s in L.LAYOUT.slots if s.path == path and (column is None or s.column == column))


def test_the_analysed_formulas_are_the_committed_templates():
    """Every formula the analysis reads is the one the committed template holds in that cell (a table's
    computed column and 核算's monthly block at their first row)."""
    wb = load_workbook(TEMPLATE)
    for (sheet, column, row), formula in template_formulas():
        if row is None:
            table = next((t for t in L.LAYOUT.tables.values() if t.sheet == sheet), None)
            row = table.first_row if table else L.CALC_MONTHLY_FIRST_ROW
        assert wb[sheet][f"{column}{row}"].value == formula, (sheet, column, row)


def test_readings_follow_the_formulas():
    # SUM over the column; LEN and <>"" in 核算's monthly block, which passes the value on to SUMPRODUCT
    elec = readings_of(slot_node(_slot("monthly[{i}].electricity_kwh.air")))
    assert elec == {Reading(Use.SUM), Reading(Use.LENGTH), Reading(Use.WORD, "")}
    # the test report's COP: only used behind ISNUMBER(…)
    assert readings_of(slot_node(_slot("systems[{t}].cop.report_value", "C"))) == {Reading(Use.IS_NUMBER)}
    # yes/no cells compared with 是 (and the areas' energy-saving also with 否)
    assert readings_of(slot_node(_slot("systems[{t}]", "C"))) == {Reading(Use.WORD, "是")}
    assert readings_of(slot_node(_slot("areas[{i}].energy_saving"))) == {Reading(Use.WORD, "是"),
                                                                         Reading(Use.WORD, "否")}
    # the area passes through column J into SUMPRODUCT
    assert Reading(Use.SUM) in readings_of(slot_node(_slot("areas[{i}].area_m2")))
    # the season bounds the on-site COP's AVERAGEIFS (">="&start): a criterion, read as programs differ
    assert readings_of(slot_node(_slot("season.start"))) == {Reading(Use.OTHER)}
    # read only by the add-in (HP_PARAM) or by nothing the validator compares
    assert readings_of(slot_node(_slot("project.statements.owner_qualified"))) == frozenset()


def test_what_the_sheet_takes_a_coerced_input_for():
    spec = _slot("monthly[{i}].electricity_kwh.air").spec
    assert taken_as("16000", spec, frozenset({Reading(Use.SUM), Reading(Use.LENGTH)})) == 0.0
    assert taken_as("2.4", spec, frozenset({Reading(Use.IS_NUMBER)})) is None
    assert taken_as("2.4", spec, frozenset({Reading(Use.IS_NUMBER), Reading(Use.LENGTH)})) is UNKNOWN
    assert taken_as("2.4", spec, frozenset({Reading(Use.OTHER)})) is UNKNOWN  # arithmetic: programs differ
    yes = _slot("recheck.performed").spec
    assert taken_as("Y", yes, frozenset({Reading(Use.WORD, "是")})) == NO
    assert taken_as(True, yes, frozenset({Reading(Use.WORD, "是")})) == NO
    # compared with 是 and with 否: 'Y' is neither, as a blank is
    assert taken_as("Y", yes, frozenset({Reading(Use.WORD, "是"), Reading(Use.WORD, "否")})) is None
