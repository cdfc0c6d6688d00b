"""One vocabulary for the core, the workbook and the add-in (hpcarbon.vocabulary)."""

from __future__ import annotations

import hpcarbon_udfs
import pytest

from hpcarbon import excel_values as xv
from hpcarbon import rules, vocabulary
from hpcarbon.model import BuildingType, Statements
from hpcarbon.workbook import layout as L
from hpcarbon.workbook import reader

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
