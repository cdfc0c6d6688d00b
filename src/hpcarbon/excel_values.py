"""Coercion of Excel-shaped values into plain Python values — shared by the Excel add-in and the
workbook reader.

Excel hands Python a small zoo of value shapes. Whatever library reads them (xlwings for a live
workbook, openpyxl for a saved file), a value is one of:

* a **scalar**: ``float`` (Excel has one number type, so ``320000`` arrives as ``320000.0``; some
  readers give ``int``), ``str``, ``bool`` (TRUE/FALSE), ``datetime``/``date`` (a date-formatted
  cell), or ``None`` for a **blank** cell;
* a **range**: a 1-D list (one row or one column, depending on the reader's options) or a 2-D
  list of rows (lists or tuples);
* an **Excel error** (``#N/A``, ``#DIV/0!`` …): xlwings gives it as that text when the argument is
  read with ``err_to_str=True`` (else as ``None``, which would hide it — the add-in always sets
  the option), openpyxl gives the text too;
* **numbers stored as text**: ``"1,234"``, ``"１２３"`` (full-width digits, common with Chinese
  input methods), ``" 2.4 "``, ``"3.6e-6"``.

This module turns those into ``float`` / ``bool`` / ``date`` / ``str`` or raises
:class:`ExcelValueError` with a bilingual reason (Chinese / English) that says *what* is wrong
but not *where* — the caller knows the argument name or the cell address and prefixes it.

Decisions (documented for users where it matters):

* Blank = ``None``, ``""`` or a string of white space only (a formula returning ``""``, or a
  stray space typed into a cell). Blank is **not** zero (SPEC §3): functions here return ``None``
  for it and the caller decides.
* TRUE/FALSE are not numbers (Excel's SUM ignores them in ranges; a logical value in an energy
  cell is a data error).
* Numbers stored as text are accepted when they are unambiguous: optional sign, digits with
  optional thousands separators in groups of three (``1,234,567.5``), optional decimals and
  exponent; full-width characters are folded first (Unicode NFKC). A decimal comma (``1,5``),
  units (``320000 kWh``), percent signs (``4.37%``), ``inf``/``nan`` and Python-only spellings
  (``1_000``) are rejected — a number that has to be guessed is not accepted.
* Dates: ``date``/``datetime`` as given; a number is an Excel serial date of the 1900 date
  system (Windows default; Excel's fictitious 1900-02-29, serial 60, is rejected); text in
  ISO-like forms ``2024-10-20``, ``2024/10/20``, ``2024.10.20`` or ``2024年10月20日`` (an
  optional time of day is ignored).

Nothing here knows the methodology; the only arithmetic is :func:`sum_numbers` (Excel's SUM over
already-coerced numbers, with ``math.fsum`` so the order of cells does not change the result).
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

from hpcarbon.vocabulary import ENERGY_SAVING_WORDS, NO, NO_EN, NOT_ENERGY_SAVING_WORDS, YES, YES_EN, yes_no

__all__ = [
    "EXCEL_ERRORS",
    "ExcelValueError",
    "MAX_SERIAL",
    "SerialNotADate",
    "serial_out_of_range",
    "as_grid",
    "describe",
    "excel_error",
    "excel_serial_to_date",
    "grid_shape",
    "is_blank",
    "iter_cells",
    "normalize_text",
    "parse_number_text",
    "sum_numbers",
    "to_bool",
    "to_date",
    "to_number",
    "to_text",
]

#: Excel's error values, as xlwings (``err_to_str=True``) and openpyxl render them.
EXCEL_ERRORS: frozenset[str] = frozenset({
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
    "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#CONNECT!", "#BUSY!",
    "#PYTHON!", "#TIMEOUT!", "#EXTERNAL!",
})

# Characters NFKC does not fold but people type as a minus sign.
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-", "\ufe63": "-"})
_NUMBER_TEXT = re.compile(
    r"""^(?P<sign>[+-])?
        (?:(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<frac1>[0-9]*))?
          |\.(?P<frac2>[0-9]+))
        (?P<exp>[eE][+-]?[0-9]+)?$""",
    re.VERBOSE,
)
_DATE_TEXT = re.compile(
    r"^(?P<y>[0-9]{4})\s*[-/.年]\s*(?P<m>[0-9]{1,2})\s*[-/.月]\s*(?P<d>[0-9]{1,2})\s*日?"
    r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?$"
)
#: Excel 1900 date system: serial 61 is 1900-03-01; serials 1–59 are one day off because Excel
#: counts a 1900-02-29 that never existed (serial 60).
_SERIAL_EPOCH = date(1899, 12, 30)
_SERIAL_EPOCH_BEFORE_MARCH_1900 = date(1899, 12, 31)
MAX_SERIAL = 2958465  # 9999-12-31, Excel's last date (1900 date system)
#: the 1904 date system counts from 1904-01-01 (serial 0): 1 462 days after the 1900 system's serial 0
SERIAL_1904_OFFSET = 1462


class ExcelValueError(ValueError):
    """A value that cannot be used as asked; ``zh`` and ``en`` say why, without saying where.

    ``str(error)`` is ``"<zh> / <en>"``. Callers add the location (argument name, cell address).
    """

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en


def describe(value: Any, limit: int = 30) -> str:
    """A short rendering of a value for a message: text quoted and cut to ``limit`` characters."""
    if isinstance(value, str):
        text = value if len(value) <= limit else value[: limit - 1] + "…"
        return f"'{text}'"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if (value.hour, value.minute, value.second) != (0, 0, 0) \
            else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return repr(value)


def is_blank(value: Any) -> bool:
    """True for an empty cell: ``None``, ``""`` or white space only (incl. full-width spaces)."""
    return value is None or (isinstance(value, str) and not value.strip())


def excel_error(value: Any) -> str | None:
    """The Excel error a value stands for (``'#N/A'`` …), or None when it is not one."""
    if isinstance(value, str) and value.lstrip()[:1] in ("#", "＃"):
        text = normalize_text(value).upper()
        if text in EXCEL_ERRORS:
            return text
    return None


def reject_excel_error(value: Any) -> None:
    """Raise :class:`ExcelValueError` when ``value`` is an Excel error value (#N/A, #DIV/0! …)."""
    error = excel_error(value)
    if error:
        raise ExcelValueError(f"含 Excel 错误值 {error}", f"holds the Excel error {error}")


def normalize_text(text: str) -> str:
    """Fold full-width and compatibility characters (NFKC), unify minus signs, trim white space."""
    return unicodedata.normalize("NFKC", text).translate(_MINUS_SIGNS).strip()


def parse_number_text(text: str) -> float:
    """A number stored as text → float; see the module docstring for what is accepted."""
    folded = normalize_text(text)
    match = _NUMBER_TEXT.match(folded)
    if match is None or not (match["int"] or match["frac1"] or match["frac2"]):
        raise ExcelValueError(f"不是数值：{describe(text)}", f"is not a number: {describe(text)}")
    number = float(folded.replace(",", ""))
    if not math.isfinite(number):
        raise ExcelValueError(f"数值超出范围：{describe(text)}", f"number out of range: {describe(text)}")
    return number


def to_number(value: Any) -> float | None:
    """A cell value as a finite float; None for a blank cell.

    Raises :class:`ExcelValueError` for an Excel error, TRUE/FALSE, a date, non-numeric text or a
    non-finite number.
    """
    if value is None:
        return None
    if isinstance(value, float):  # the common case first: Excel numbers arrive as float
        if math.isfinite(value):
            return value
        raise ExcelValueError("不是有限数值", "is not a finite number")
    if isinstance(value, bool):
        raise ExcelValueError(f"逻辑值 {describe(value)} 不是数值", f"the logical value {describe(value)} is not a number")
    if isinstance(value, numbers.Real):
        return to_number(float(value))
    if isinstance(value, str):
        if not value.strip():
            return None
        reject_excel_error(value)
        return parse_number_text(value)
    if isinstance(value, (date, datetime)):
        raise ExcelValueError(f"日期 {describe(value)} 不是数值", f"the date {describe(value)} is not a number")
    raise ExcelValueError(f"不是数值：{describe(value)}", f"is not a number: {describe(value)}")


def to_bool(value: Any, *, energy_saving: bool = False) -> bool | None:
    """A yes/no cell as bool; None for a blank cell.

    Accepts TRUE/FALSE, the numbers 1/0, and the words :func:`hpcarbon.vocabulary.yes_no` reads
    (是/否, yes/no, true/false, y/n, 1/0 … in any case, full width folded); with ``energy_saving``
    (表2's question only) also 采取节能措施/未采取节能措施, 节能/非节能.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, numbers.Real):
        if value == 1:
            return True
        if value == 0:
            return False
        raise ExcelValueError(f"应为{YES}/{NO}（1/0），而不是 {describe(value)}",
                              f"expected {YES_EN}/{NO_EN} (1/0), not {describe(value)}")
    if isinstance(value, str):
        if not value.strip():
            return None
        reject_excel_error(value)
        answer = yes_no(value, energy_saving=energy_saving)
        if answer is not None:
            return answer
    spellings = _BOOL_SPELLINGS + (("/".join(_SAVING_PAIR),) if energy_saving else ())
    raise ExcelValueError(f"应为{YES}/{NO}（{'、'.join(spellings)}），而不是 {describe(value)}",
                          f"expected {YES_EN}/{NO_EN} ({', '.join(spellings)}), not {describe(value)}")


_SAVING_PAIR = (ENERGY_SAVING_WORDS[0], NOT_ENERGY_SAVING_WORDS[0])
#: the spellings a refused yes/no cell is told it may hold — one list, for both languages
_BOOL_SPELLINGS = ("TRUE/FALSE", f"{YES}/{NO}", f"{YES_EN}/{NO_EN}", "1/0")


class SerialNotADate(str):
    """A date-formatted cell holding a number that is no Excel date (beyond 9999-12-31): it reads as
    openpyxl reads it, ``#VALUE!`` (equal to that text), and carries the number it holds, so that a
    message says what the cell holds — an out-of-range date serial — not an Excel error it does not."""

    serial: float

    def __new__(cls, serial: float) -> "SerialNotADate":
        made = super().__new__(cls, "#VALUE!")
        made.serial = serial
        return made


def serial_out_of_range(serial: float, date1904: bool = False) -> ExcelValueError:
    """The error for a number that is no Excel date serial, naming the valid range of its date system."""
    first, last = (0, MAX_SERIAL - SERIAL_1904_OFFSET) if date1904 else (1, MAX_SERIAL)
    start = "1904-01-01" if date1904 else "1900-01-01"
    shown = str(int(serial)) if abs(serial) < 1e15 and float(serial).is_integer() else describe(serial)
    system_zh, system_en = ("，1904 日期系统", ", 1904 date system") if date1904 else ("", "")
    return ExcelValueError(
        f"{shown} 不是有效的 Excel 日期序号（有效范围 {first}–{last}，即 {start} 至 9999-12-31{system_zh}）",
        f"{shown} is not a valid Excel date serial (valid: {first}–{last}, {start} to 9999-12-31{system_en})")


def excel_serial_to_date(serial: float) -> date:
    """An Excel serial date (1900 date system) → date; the fraction (time of day) is dropped."""
    if not math.isfinite(serial) or serial < 1 or serial >= MAX_SERIAL + 1:
        raise serial_out_of_range(serial)
    day = math.floor(serial)
    if day == 60:
        raise ExcelValueError("Excel 日期序号 60（1900-02-29）不存在", "Excel date serial 60 (1900-02-29) does not exist")
    if day < 60:
        return _SERIAL_EPOCH_BEFORE_MARCH_1900 + timedelta(days=day)
    return _SERIAL_EPOCH + timedelta(days=day)


def to_date(value: Any) -> date | None:
    """A date cell as ``date``; None for a blank cell. See the module docstring for the forms."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise ExcelValueError(f"逻辑值 {describe(value)} 不是日期", f"the logical value {describe(value)} is not a date")
    if isinstance(value, numbers.Real):
        return excel_serial_to_date(float(value))
    if isinstance(value, str):
        if not value.strip():
            return None
        reject_excel_error(value)
        match = _DATE_TEXT.match(normalize_text(value))
        if match:
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                pass
    raise ExcelValueError(f"不是日期：{describe(value)}（请用 2024-10-20 形式）",
                          f"is not a date: {describe(value)} (use the form 2024-10-20)")


def to_text(value: Any) -> str | None:
    """A text cell, NFKC-folded and trimmed; None for a blank cell.

    Numbers are rendered without a spurious ``.0`` (``1.0`` → ``'1'``); an Excel error raises.
    """
    if is_blank(value):
        return None
    if isinstance(value, str):
        reject_excel_error(value)
        return normalize_text(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (date, datetime)):
        return describe(value)
    return str(value)


def as_grid(value: Any) -> list[list[Any]]:
    """Any Excel-shaped value as a rectangular 2-D list of rows.

    A scalar (incl. None) is a 1×1 grid; a flat list/tuple is one row; a list of lists/tuples is
    taken as rows. Objects with ``tolist()`` (numpy arrays) are converted first. A ragged or
    three-dimensional value raises :class:`ExcelValueError`.
    """
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        return [[value]]
    if not value:
        return []
    if not isinstance(value[0], (list, tuple)):
        row = list(value)
        if any(isinstance(v, (list, tuple)) for v in row):
            raise ExcelValueError("区域的行列不规则", "the range is not rectangular")
        return [row]
    rows = [list(r) if isinstance(r, (list, tuple)) else None for r in value]
    width = len(rows[0])
    for row in rows:
        if row is None or len(row) != width:
            raise ExcelValueError("区域的行列不规则", "the range is not rectangular")
        if any(isinstance(v, (list, tuple)) for v in row):
            raise ExcelValueError("区域不能是三维的", "the range must not be three-dimensional")
    return rows


def grid_shape(grid: list[list[Any]]) -> tuple[int, int]:
    """(rows, columns) of a grid from :func:`as_grid`."""
    return (len(grid), len(grid[0]) if grid else 0)


def iter_cells(grid: list[list[Any]]) -> Iterator[tuple[int, int, Any]]:
    """(row, column, value) of every cell of a grid, row by row; row/column are 1-based."""
    for r, row in enumerate(grid, start=1):
        for c, value in enumerate(row, start=1):
            yield r, c, value


def sum_numbers(values: Iterable[float]) -> float:
    """Excel's SUM over numbers already coerced (blanks removed), exactly rounded (``math.fsum``)."""
    return math.fsum(values)
