"""One vocabulary for the core, the workbook and the add-in (hpcarbon.vocabulary)."""

from __future__ import annotations

import pytest

from hpcarbon import excel_values as xv
from hpcarbon import rules, vocabulary
from hpcarbon.model import BuildingType, Statements
from hpcarbon.workbook import layout as L

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


def test_the_dropdown_offers_the_yes_and_no_words_the_calculation_sheet_compares_with():
    assert [o.zh for o in L.YES_NO.options] == [vocabulary.YES, vocabulary.NO]


def test_building_type_keys_are_the_model_s_and_the_dropdown_s():
    assert vocabulary.BUILDING_TYPES == tuple(b.value for b in BuildingType)
    assert tuple(o.value for o in L.BUILDING_TYPE.options) == vocabulary.BUILDING_TYPES


def test_month_keys():
    assert vocabulary.month_key(2024, 3) == "2024-03"
    assert vocabulary.MONTH_PATTERN.match("2024-10") and not vocabulary.MONTH_PATTERN.match("2024-1")
