"""One vocabulary for the core, the workbook and the add-in (hpcarbon.vocabulary)."""

from __future__ import annotations

import re
from pathlib import Path

import hpcarbon_udfs
import pytest
from openpyxl import load_workbook

from hpcarbon import excel_values as xv
from hpcarbon import rules, vocabulary
from hpcarbon.model import BuildingType, CopSource, HeatPumpType, Statements
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


def test_month_keys():
    assert vocabulary.month_key(2024, 3) == "2024-03"
    assert vocabulary.MONTH_PATTERN.match("2024-10") and not vocabulary.MONTH_PATTERN.match("2024-1")


TEMPLATE = Path(__file__).resolve().parents[1] / "workbook_templates" / "hpcarbon-declaration-template.xlsx"


def _compared_words(path: Path) -> set[str]:
    """Every text a formula of the workbook compares a cell with (``="…"`` / ``<>"…"``): in cells, conditional
    formats (the red "required" marks) and data validations."""
    compared = re.compile(r'(?:=|<>)"([^"]*)"')
    wb = load_workbook(path)
    formulas = []
    for ws in wb.worksheets:
        formulas += [c.value for row in ws.iter_rows() for c in row
                     if isinstance(c.value, str) and c.value.startswith("=")]
        formulas += [f for rng in ws.conditional_formatting for rule in rng.rules for f in rule.formula or ()]
        formulas += [dv.formula1 for dv in ws.data_validations.dataValidation if dv.formula1]
    return {word for f in formulas for word in compared.findall(f)}


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
