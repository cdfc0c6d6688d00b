"""One vocabulary for the core, the workbook and the add-in (hpcarbon.vocabulary)."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import hpcarbon_udfs
import pytest
from openpyxl import load_workbook
from pydantic import TypeAdapter, ValidationError

from hpcarbon import excel_values as xv
from hpcarbon import rules, vocabulary
from hpcarbon.model import BuildingType, CopSource, HeatPumpType, MonthText, Statements
from hpcarbon.workbook import layout as L
from hpcarbon.workbook import reader
from hpcarbon.workbook import vocabularies as V
from hpcarbon.workbook.renderings import INFINITE

pytestmark = pytest.mark.fast


def test_every_statement_of_the_model_has_one_text_shared_by_rules_and_workbook():
    keys = [s.key for s in vocabulary.STATEMENTS]
    assert sorted(keys) == sorted(Statements.model_fields)
    rows = {line.slots[0].path: line for line in L.PROJECT_LINES if line.slots}
    for s in vocabulary.STATEMENTS:
        assert rules.STATEMENTS[s.key] == (s.clause, s.text_zh, s.text_en)
        line = rows[f"project.statements.{s.key}"]
        assert (line.zh, line.spec.help_zh, line.spec.clause) == (s.label_zh, s.text_zh, s.clause)


@pytest.mark.parametrize("word, expected", [("是", True), ("Ｙ", True), ("TRUE", True), (" yes ", True), ("√", True),
                                            ("否", False), ("n", False), ("False", False), ("×", False),
                                            ("也许", None), ("", None)])
def test_yes_no_words_are_read_the_same_by_vocabulary_dropdown_and_addin(word, expected):
    assert vocabulary.yes_no(word) is expected
    if expected is None:
        with pytest.raises(KeyError):
            L.YES_NO.parse(word)
    else:
        assert L.YES_NO.parse(word) is expected
        assert xv.to_bool(word) is expected


def _slot(path: str) -> L.Slot:
    return next(s for s in L.LAYOUT.slots if s.path == path)


def _reader_answer(word: str, path: str):
    try:
        return reader.coerce(word, _slot(path).spec)
    except Exception as exc:  # noqa: BLE001 - the reader's refusal, compared as "refused"
        assert exc.zh and exc.en, exc  # bilingual
        return "refused"


def _addin_q_index_answer(word: str):
    q = hpcarbon_udfs.HP_Q_INDEX("residential", word)
    # 表2 residential: energy-saving lowest q = 40 W/m², not energy-saving 58 W/m²
    return {40: True, 58: False}.get(q, "refused" if str(q).startswith("#HP!") else q)


STATEMENT = "project.statements.refrigerant_compliant"
SAVING = "areas[{i}].energy_saving"

#: word → (a statement cell, the energy-saving column), each as the reader and the add-in must read it
YES_NO_CASES = {
    "是": (True, True), "否": (False, False), "（是）": (True, True), "( 否 )": (False, False),
    "Yes": (True, True), "ｎｏ": (False, False), "TRUE": (True, True), "0": (False, False), "√": (True, True),
    "节能": ("refused", True), "采取节能措施": ("refused", True),
    "非节能": ("refused", False), "未采取节能措施": ("refused", False), "不节能": ("refused", False),
    "也许": ("refused", "refused"), "是否": ("refused", "refused"), "#N/A": ("refused", "refused"),
    "１": (True, True), "-1": ("refused", "refused"), "(0)": ("refused", "refused"), "1.0": ("refused", "refused"),
}


@pytest.mark.parametrize("word", YES_NO_CASES)
def test_the_reader_and_the_addin_read_a_yes_no_word_alike(word):
    in_statement, in_saving_column = YES_NO_CASES[word]
    assert _reader_answer(word, STATEMENT) == in_statement
    assert _reader_answer(word, SAVING) == in_saving_column
    # the add-in's reading of a yes/no argument (xv.to_bool) and of HP_Q_INDEX's energy_saving
    try:
        addin_plain = xv.to_bool(word)
    except xv.ExcelValueError:
        addin_plain = "refused"
    assert addin_plain == in_statement
    assert _addin_q_index_answer(word) == in_saving_column


def test_the_dropdown_offers_the_yes_and_no_words_the_calculation_sheet_compares_with():
    assert [o.zh for o in L.YES_NO.options] == [vocabulary.YES, vocabulary.NO]


def test_building_type_keys_are_the_model_s_and_the_dropdown_s():
    assert vocabulary.BUILDING_TYPES == tuple(b.value for b in BuildingType)
    assert tuple(o.value for o in L.BUILDING_TYPE.options) == vocabulary.BUILDING_TYPES


@pytest.mark.parametrize("text, is_month", [("2024-10", True), ("2025-01", True), ("2024-12", True),
                                            ("2024-1", False), ("2024-13", False), ("2024-00", False),
                                            ("24-10", False), ("2024/10", False), ("2024-10-01", False)])
def test_the_vocabulary_s_month_pattern_is_the_model_s(text, is_month):
    assert bool(vocabulary.MONTH_PATTERN.match(text)) is is_month
    try:
        TypeAdapter(MonthText).validate_python(text)
        model_accepts = True
    except ValidationError:
        model_accepts = False
    assert model_accepts is is_month


def test_month_keys_are_months_the_model_accepts():
    assert vocabulary.month_key(2024, 3) == "2024-03"
    assert vocabulary.month_of(date(2025, 1, 31)) == "2025-01"
    for m in range(1, 13):
        assert TypeAdapter(MonthText).validate_python(vocabulary.month_key(2024, m)) == f"2024-{m:02d}"


@pytest.mark.parametrize("cell, month", [(date(2024, 3, 5), "2024-03"), (datetime(2024, 11, 1, 8, 30), "2024-11"),
                                         (45597.0, "2024-11"),  # Excel serial 45597 = 2024-11-01
                                         ("2024年3月", "2024-03"), ("2024/3", "2024-03"), ("２０２４-１２", "2024-12"),
                                         ("2024-10-20", "2024-10")])
def test_the_reader_writes_a_month_cell_as_the_vocabulary_s_month_key(cell, month):
    assert reader.coerce(cell, _slot("monthly[{i}].month").spec) == month


TEMPLATE = Path(__file__).resolve().parents[1] / "workbook_templates" / "hpcarbon-declaration-template.xlsx"


def _compared_words(path: Path) -> set[str]:
    """Every text a formula of the workbook compares a cell with (``="…"`` / ``<>"…"``): in cells, conditional
    formats (the red "required" marks) and data validations."""
    # the string literals of a formula, read left to right ("" inside one is a quote), so that the text between
    # two literals (">="&HP_SEASON_START,HP_COP_DATE,"<=") is never taken for one
    literal = re.compile(r'"((?:[^"]|"")*)"')

    def compared(formula: str) -> list[str]:
        return [m[1].replace('""', '"') for m in literal.finditer(formula)
                if formula[:m.start()].endswith(("=", "<>"))]

    wb = load_workbook(path)
    formulas = []
    for ws in wb.worksheets:
        formulas += [c.value for row in ws.iter_rows() for c in row
                     if isinstance(c.value, str) and c.value.startswith("=")]
        formulas += [f for rng in ws.conditional_formatting for rule in rng.rules for f in rule.formula or ()]
        formulas += [dv.formula1 for dv in ws.data_validations.dataValidation if dv.formula1]
    return {word for f in formulas for word in compared(f)}


def test_the_words_the_template_s_formulas_compare_with_are_the_dropdowns_words():
    """A formula that tests a yes/no cell or a COP source compares with the very word the dropdown writes
    (vocabulary.YES/NO, COP_SOURCE_LABEL), and 核算's "how heat is known" words with the ones it writes."""
    dropdown_words = {o.zh for v in (L.YES_NO, L.ENERGY_SAVING, L.COP_SOURCE) for o in v.options}
    assert dropdown_words == {vocabulary.YES, vocabulary.NO, *(zh for zh, _ in vocabulary.COP_SOURCE_LABEL.values())}
    calc_words = {V.SRC_METER, V.SRC_TOTAL, V.SRC_ESTIMATE, V.SRC_NONE}
    words = _compared_words(TEMPLATE)
    assert words <= dropdown_words | calc_words | {"", INFINITE}, words - dropdown_words - calc_words
    # and the template does compare with each of them (the test looks where the words are)
    assert {vocabulary.YES, vocabulary.NO, "检测报告", "现场测量", "估算"} <= words


def test_type_and_cop_source_labels_are_the_vocabulary_s():
    assert vocabulary.TYPE_LABEL[HeatPumpType.wastewater] == ("低温余热水源热泵", "waste-heat water-source heat pump")
    assert [o.zh for o in L.HEAT_PUMP_TYPE.options] == [vocabulary.TYPE_LABEL[t][0] for t in L.TYPES]
    assert L.COP_SOURCE.label(CopSource.onsite.value) == "现场测量"
