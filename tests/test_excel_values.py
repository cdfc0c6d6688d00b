"""hpcarbon.excel_values: coercion of the values Excel readers hand to Python.

Expected values are written out by hand from the rules in the module docstring (and Excel's
own conventions, e.g. its 1900 date system), never taken from the code's output.
"""

from __future__ import annotations

import math
from datetime import date, datetime

import pytest

from hpcarbon import excel_values as xv

# --------------------------------------------------------------------------- blanks and errors


@pytest.mark.parametrize("value", [None, "", " ", "\u3000", "\t\n"])
def test_blank_values(value):
    assert xv.is_blank(value)
    assert xv.to_number(value) is None
    assert xv.to_bool(value) is None
    assert xv.to_date(value) is None
    assert xv.to_text(value) is None


@pytest.mark.parametrize("value", [0, 0.0, "0", False, "x"])
def test_zero_and_text_are_not_blank(value):
    assert not xv.is_blank(value)


@pytest.mark.parametrize("text", ["#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!",
                                  "#SPILL!", "#CALC!", " #N/A ", "#n/a", "＃N/A"])
def test_excel_errors_are_recognised(text):
    canonical = text.strip().upper().replace("＃", "#")
    assert xv.excel_error(text) == canonical
    with pytest.raises(xv.ExcelValueError) as info:
        xv.to_number(text)
    assert canonical in info.value.zh and canonical in info.value.en
    assert "错误" in info.value.zh and "error" in info.value.en


@pytest.mark.parametrize("value", ["#hashtag", "N/A", 1.0, None, "#"])
def test_other_values_are_not_excel_errors(value):
    assert xv.excel_error(value) is None


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("value, expected", [
    (320000.0, 320000.0),
    (320000, 320000.0),           # some readers give int for whole numbers
    (2.4, 2.4),
    (-1.5, -1.5),
    ("1,234", 1234.0),
    ("1,234,567.25", 1234567.25),
    ("１２３", 123.0),              # full-width digits
    ("１，２３４．５", 1234.5),      # full-width comma and full stop
    ("－５", -5.0),                  # full-width minus
    ("\u22123", -3.0),             # U+2212 MINUS SIGN
    (" 2.4 ", 2.4),
    ("\u3000４０\u3000", 40.0),     # ideographic spaces around
    ("3.6e-6", 3.6e-6),
    ("3.6E-06", 3.6e-6),
    (".5", 0.5),
    ("5.", 5.0),
    ("+7", 7.0),
    ("0", 0.0),
])
def test_to_number_accepts(value, expected):
    result = xv.to_number(value)
    assert isinstance(result, float)
    assert result == expected


@pytest.mark.parametrize("value", [
    "abc", "1,5", "1,23", "1234,567", "12 345", "320000 kWh", "4.37%", "1_000", "inf", "nan", "-", ".",
    "0x10", "1e", "--1", "١٢٣",  # Arabic-Indic digits: not folded by NFKC, rejected on purpose
])
def test_to_number_rejects_text(value):
    with pytest.raises(xv.ExcelValueError) as info:
        xv.to_number(value)
    assert "不是数值" in info.value.zh or "超出范围" in info.value.zh
    assert "number" in info.value.en


def test_to_number_rejects_huge_text_and_non_finite_floats():
    with pytest.raises(xv.ExcelValueError):
        xv.to_number("1e400")
    for bad in (math.inf, -math.inf, math.nan):
        with pytest.raises(xv.ExcelValueError) as info:
            xv.to_number(bad)
        assert "finite" in info.value.en


@pytest.mark.parametrize("value, word", [(True, "TRUE"), (False, "FALSE")])
def test_logical_values_are_not_numbers(value, word):
    with pytest.raises(xv.ExcelValueError) as info:
        xv.to_number(value)
    assert word in info.value.zh and word in info.value.en


@pytest.mark.parametrize("value", [datetime(2024, 10, 20), date(2024, 10, 20)])
def test_dates_are_not_numbers(value):
    with pytest.raises(xv.ExcelValueError) as info:
        xv.to_number(value)
    assert "2024-10-20" in info.value.en and "date" in info.value.en and "日期" in info.value.zh


def test_error_message_is_bilingual_text():
    error = xv.ExcelValueError("必须大于 0", "must be > 0")
    assert str(error) == "必须大于 0 / must be > 0"
    assert isinstance(error, ValueError)


def test_long_text_is_shortened_in_messages():
    with pytest.raises(xv.ExcelValueError) as info:
        xv.to_number("x" * 500)
    assert len(info.value.en) < 80 and "…" in info.value.en


# --------------------------------------------------------------------------- yes / no


@pytest.mark.parametrize("value", [True, 1.0, 1, "TRUE", "true", "是", "yes", "Y", "1", "１", "（是）"])
def test_to_bool_true(value):
    assert xv.to_bool(value) is True
    assert xv.to_bool(value, energy_saving=True) is True


@pytest.mark.parametrize("value", [False, 0.0, 0, "FALSE", "false", "否", "no", "N", "0", " 否 "])
def test_to_bool_false(value):
    assert xv.to_bool(value) is False
    assert xv.to_bool(value, energy_saving=True) is False


@pytest.mark.parametrize("value, saving", [("采取节能措施", True), ("节能", True), ("未采取节能措施", False),
                                           ("非节能", False), ("不节能", False)])
def test_energy_saving_words_are_yes_no_only_for_the_energy_saving_question(value, saving):
    assert xv.to_bool(value, energy_saving=True) is saving
    with pytest.raises(xv.ExcelValueError) as info:  # a statement or another yes/no cell is 是/否
        xv.to_bool(value)
    assert value in info.value.zh and value in info.value.en


@pytest.mark.parametrize("value", [2.0, 0.5, "maybe", "#N/A", datetime(2024, 1, 1)])
def test_to_bool_rejects(value):
    with pytest.raises(xv.ExcelValueError) as info:
        xv.to_bool(value)
    assert info.value.zh and info.value.en


# --------------------------------------------------------------------------- dates


def test_to_date_forms():
    expected = date(2024, 10, 20)
    assert xv.to_date(datetime(2024, 10, 20, 13, 5)) == expected
    assert xv.to_date(expected) == expected
    for text in ("2024-10-20", "2024/10/20", "2024.10.20", "2024年10月20日", "２０２４－１０－２０",
                 "2024-10-20 00:00:00", "2024-10-20T08:30", " 2024/10/20 "):
        assert xv.to_date(text) == expected, text


def test_excel_serial_dates_1900_system():
    # Serial numbers worked out by hand: day 1 is 1900-01-01; Excel counts a fictitious
    # 1900-02-29 (serial 60), so from 1900-03-01 (serial 61) on, serial = days since 1899-12-30.
    assert xv.to_date(1.0) == date(1900, 1, 1)
    assert xv.to_date(59.0) == date(1900, 2, 28)
    assert xv.to_date(61.0) == date(1900, 3, 1)
    assert xv.to_date(float((date(2024, 10, 20) - date(1899, 12, 30)).days)) == date(2024, 10, 20)
    assert xv.to_date(45585.75) == date(2024, 10, 20)  # the time of day is dropped
    assert xv.to_date(2958465.0) == date(9999, 12, 31)


@pytest.mark.parametrize("value", [60.0, 0.0, -1.0, 2958466.0, math.nan, True, "2024-13-01", "2024-02-30",
                                   "20.10.2024", "next week", "#VALUE!"])
def test_to_date_rejects(value):
    with pytest.raises(xv.ExcelValueError) as info:
        xv.to_date(value)
    assert info.value.zh and info.value.en


# --------------------------------------------------------------------------- text


def test_to_text():
    assert xv.to_text(" 住宅 ") == "住宅"
    assert xv.to_text("ＥＦ＿ｈｅａｔ") == "EF_heat"
    assert xv.to_text(1.0) == "1"
    assert xv.to_text(2.5) == "2.5"
    assert xv.to_text(True) == "TRUE"
    assert xv.to_text(date(2024, 10, 20)) == "2024-10-20"
    with pytest.raises(xv.ExcelValueError):
        xv.to_text("#REF!")


# --------------------------------------------------------------------------- shapes


def test_as_grid_shapes():
    assert xv.as_grid(5.0) == [[5.0]]
    assert xv.as_grid(None) == [[None]]
    assert xv.as_grid("x") == [["x"]]
    assert xv.as_grid([1.0, 2.0, 3.0]) == [[1.0, 2.0, 3.0]]          # a flat list is one row
    assert xv.as_grid([[1.0], [2.0]]) == [[1.0], [2.0]]              # a column
    assert xv.as_grid(((1.0, None), (2.0, "a"))) == [[1.0, None], [2.0, "a"]]  # COM gives tuples
    assert xv.as_grid([]) == []
    assert xv.grid_shape(xv.as_grid([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])) == (2, 3)
    assert xv.grid_shape([]) == (0, 0)


def test_as_grid_accepts_objects_with_tolist():
    class ArrayLike:
        def tolist(self):
            return [[1.0, 2.0]]

    assert xv.as_grid(ArrayLike()) == [[1.0, 2.0]]


@pytest.mark.parametrize("value", [[[1.0, 2.0], [3.0]], [[1.0], 2.0], [1.0, [2.0]], [[[1.0]]]])
def test_as_grid_rejects_ragged_or_3d(value):
    with pytest.raises(xv.ExcelValueError):
        xv.as_grid(value)


def test_iter_cells_is_row_major_and_one_based():
    assert list(xv.iter_cells([[1.0, 2.0], [3.0, None]])) == [(1, 1, 1.0), (1, 2, 2.0), (2, 1, 3.0), (2, 2, None)]


def test_sum_numbers_is_exact_and_order_free():
    values = [0.1] * 10 + [1e16, 1.0, -1e16]
    assert xv.sum_numbers(values) == 2.0   # 10 × 0.1 + 1, correctly rounded
    assert xv.sum_numbers(reversed(values)) == 2.0
    assert xv.sum_numbers([]) == 0.0


@pytest.mark.parametrize("energy_saving", [False, True])
def test_a_refused_yes_no_cell_is_told_the_same_spellings_in_both_languages(energy_saving):
    """The verifier saw the Chinese refusal leave out the yes/no the English one lists: both now list the
    same spellings, 是/否 and yes/no among them, and every spelling listed is one the reader takes."""
    with pytest.raises(xv.ExcelValueError) as caught:
        xv.to_bool("可能", energy_saving=energy_saving)
    zh = caught.value.zh.split("（", 1)[1].split("）", 1)[0].split("、")
    en = caught.value.en.split(" (", 1)[1].split(")", 1)[0].split(", ")
    assert zh == en
    assert {"是/否", "yes/no", "TRUE/FALSE", "1/0"} <= set(zh)
    for pair in zh:
        yes, no = pair.split("/")
        assert xv.to_bool(yes, energy_saving=energy_saving) is True
        assert xv.to_bool(no, energy_saving=energy_saving) is False
    assert caught.value.zh.startswith("应为是/否") and caught.value.en.startswith("expected yes/no")
