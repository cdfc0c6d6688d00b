"""Reading a filled declaration workbook back into a :class:`~hpcarbon.model.Declaration`.

It reads what a person types — numbers stored as text, full-width digits, dates typed as text
(2024-10-20, 2024/10/20, 2024年10月20日) or as Excel serials, trailing spaces, 是/否/TRUE/FALSE —
through :mod:`hpcarbon.excel_values`, and reports, at its sheet and cell and with the field's
clause, every cell it cannot read. When the model rejects the assembled data, each pydantic error
is mapped back to its field path and cell.

Rules of reading (the layout schema says where each field is):

* a table row with every input cell empty is absent; the other rows are numbered in order
  (``monthly[0]`` is the first used row, wherever it is);
* an empty cell is an absent key: in a month row an empty electricity cell is a missing reading,
  0 is a reading;
* a heat-pump type is in the declaration when its column says 是 (yes); the systems appear in the
  order ground, air, waste-heat water; COP records go to their type's system in row order;
* the workbook is read once (openpyxl ``read_only``, ``data_only``), each sheet with one
  ``iter_rows(values_only=True)`` pass — or, in the gate, from the values of its own one pass over
  each sheet (:func:`read_values`).
"""

from __future__ import annotations

import io
import math

import re
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, to_excel

from hpcarbon import excel_values as xv
from hpcarbon.admission import admit
from hpcarbon.errors import clause_of, path_of, reason
from hpcarbon.findings import Finding, finding
from hpcarbon.model import Declaration, HeatPumpType, OwnerType
from hpcarbon.privacy import NOT_SHOWN_EN, NOT_SHOWN_ZH
from hpcarbon.vocabulary import NO, YES, month_key, month_of
from hpcarbon.workbook import layout as L

_MONTH_TEXT = re.compile(r"^(?P<y>[0-9]{4})\s*[-/.年]\s*(?P<m>[0-9]{1,2})\s*月?(?:\s*[-/.]?\s*0?1\s*日?)?$")
_DEFAULT_MAX_TEXT = 10_000
#: rows read beyond the schema's last row, to say how many rows were inserted
_MOVE_MARGIN = 30
#: Sheets the reader needs; a workbook without one of them is not the standard template.
_NEEDED = (L.S_INSTRUCTIONS, L.S_PROJECT, L.S_SYSTEMS, L.S_MONTHLY, L.S_COP, L.S_AREAS, L.S_RECHECK, L.S_PARAMETERS)


@dataclass
class ReadResult:
    """What :func:`read_workbook` found.

    ``declaration`` is None when the model rejects the data (or the file is not a template);
    ``findings`` then say why, each located. A declaration may come with error findings too (a
    cell that could not be read and was left out): a workbook is acceptable only when no finding
    is an error. ``provenance`` maps the JSON path of every input cell of the used rows and
    sections — filled or empty — to its ``(sheet, cell)``.
    """

    declaration: Declaration | None
    provenance: dict[str, tuple[str, str]]
    findings: list[Finding]
    template_version: str | None
    unreadable: bool = False  # not the standard template at all (sheets missing, unknown version …)
    owner_type: OwnerType | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    data: dict | None = field(default=None, repr=False)  # the assembled JSON-shaped data
    locator: L.Locator = field(default_factory=L.Locator, repr=False)
    #: the data with placeholders where fields are invalid, for results as far as they go (hpcarbon.admission)
    draft: Declaration | None = None
    invalid: dict[str, str] = field(default_factory=dict)  # JSON path → finding code of the refused fields
    #: with coerced inputs: the declaration as the sheet's own formulas see it (None: nothing coerced)
    sheet_view: SheetView | None = None

    def locate(self, path: str | None) -> tuple[str, str | None] | None:
        """``(sheet, cell)`` of a JSON path as this workbook holds it (see :mod:`.layout`)."""
        if not path:
            return None
        hit = self.provenance.get(path)
        if hit is not None:
            return hit
        return self.locator.locate(path)

    def raw_text(self, path: str) -> str | None:
        """The text of a cell as typed (for masking personal data in an annotated copy)."""
        value = self.raw.get(path)
        if xv.is_blank(value):
            return None
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    def result_cells(self) -> dict[str, tuple[str, str]]:
        """accounting.Results key → ``(sheet, cell)`` of the calculation sheet cell holding it."""
        return dict(L.LAYOUT.result_cells)


class _Grid:
    """One sheet's values, read in a single pass: ``rows[r - 1][c - 1]`` is the value of row r, column c."""

    def __init__(self, rows: list[tuple]):
        self.rows = rows

    def get(self, row: int, column: str) -> Any:
        c = column_index_from_string(column)
        if row - 1 >= len(self.rows):
            return None
        r = self.rows[row - 1]
        return r[c - 1] if c - 1 < len(r) else None


class _Unreadable(Exception):
    def __init__(self, zh: str, en: str):
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


def sheet_extents() -> dict[str, tuple[int, int]]:
    """Sheet → (rows, columns) of it the reader reads, margins included: what a caller handing the reader
    already-parsed values (:func:`read_values`) must provide."""
    out = {}
    for sheet in _NEEDED:
        rows, cols = _extent(sheet)
        # a margin, so that a label pushed down or right by inserted rows or columns is found and named
        out[sheet] = (rows + _MOVE_MARGIN, cols + 5)
    return out


def _extent(sheet: str) -> tuple[int, int]:
    """Rows and columns of ``sheet`` the schema needs read."""
    rows, cols = 1, 2
    for slot in L.LAYOUT.slots:
        if slot.sheet != sheet:
            continue
        row = L.LAYOUT.tables[slot.table].end_row if slot.table else slot.row
        rows, cols = max(rows, row), max(cols, column_index_from_string(slot.column))
    if sheet == L.VERSION_CELL[0]:
        rows = max(rows, int(L.VERSION_CELL[1][1:]))
    return rows, cols


# ---------------------------------------------------------------------------------------------
# Cell values
# ---------------------------------------------------------------------------------------------

def _no_excel_error(value: Any) -> None:
    try:
        xv.reject_excel_error(value)
    except xv.ExcelValueError as exc:
        raise _Unreadable(exc.zh, exc.en) from None


def _text(value: Any, limit: int) -> str | None:
    if xv.is_blank(value):
        return None
    if isinstance(value, str):
        _no_excel_error(value)
        text = value.strip()
    else:
        text = xv.to_text(value)
    if len(text) > limit:
        raise _Unreadable(f"文字过长（{len(text)} 个字符，上限 {limit}）", f"text too long ({len(text)} characters, limit {limit})")
    return text


def _ident(value: Any, limit: int) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) >= 1e15:
        raise _Unreadable("以数值形式保存，超过 15 位的数字已丢失精度；请将单元格设为文本后重新输入",
                          "stored as a number, so digits beyond the 15th were lost; format the cell as text and "
                          "type it again")
    text = _text(value, limit)
    if text is None:
        return None
    return re.sub(r"\s+", "", xv.normalize_text(text))


def _month(value: Any) -> str | None:
    if xv.is_blank(value):
        return None
    if isinstance(value, (date, datetime)):
        return month_of(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return month_of(_serial_to_date(float(value)))
    if isinstance(value, str):
        _no_excel_error(value)
        text = xv.normalize_text(value)
        m = _MONTH_TEXT.match(text)
        if m and 1 <= int(m["m"]) <= 12:
            return month_key(int(m["y"]), int(m["m"]))
        try:
            return month_of(xv.to_date(text))
        except xv.ExcelValueError:
            pass
    raise _Unreadable(f"不是月份：{xv.describe(value)}（请用 2024-10 形式）",
                      f"is not a month: {xv.describe(value)} (use the form 2024-10)")


_SERIAL_TEXT = re.compile(r"^[0-9]{5}(?:\.0+)?$")
_COMPACT_DATE = re.compile(r"^(?P<y>(?:19|20)[0-9]{2})(?P<m>[0-9]{2})(?P<d>[0-9]{2})$")


def _date(value: Any) -> date | None:
    """Dates as :func:`excel_values.to_date` reads them, plus what people type into a text cell:
    an Excel serial (``45585``) or a compact date (``20241020``)."""
    if isinstance(value, str):
        text = xv.normalize_text(value)
        if _SERIAL_TEXT.match(text):
            return _serial_to_date(float(text))
        m = _COMPACT_DATE.match(text)
        if m:
            try:
                return date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                pass
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _serial_to_date(float(value))
    return xv.to_date(value)


#: the workbook being read counts its serials from 1904 (Mac Excel's date system, workbookPr date1904):
#: openpyxl converts the date-formatted cells itself; a serial typed as text or in a cell without a date
#: format is converted here, in the workbook's own system
_DATE1904: ContextVar[bool] = ContextVar("hpcarbon_date1904", default=False)
_EPOCH_1904 = date(1904, 1, 1)
_FIRST_DATE_1900 = date(1900, 1, 1)  # serial 1 of the 1900 date system


def _serial_to_date(serial: float) -> date:
    if not _DATE1904.get():
        return xv.excel_serial_to_date(serial)
    if not math.isfinite(serial) or serial < 0 or serial >= xv.MAX_SERIAL - xv.SERIAL_1904_OFFSET + 1:
        raise xv.serial_out_of_range(serial, date1904=True)
    return _EPOCH_1904 + timedelta(days=math.floor(serial))


def _serial_held(value: Any) -> Any:
    """What a date-formatted cell holds when its number is no Excel date: the number (a date field then
    says it is an out-of-range date serial). openpyxl reads a serial beyond 9999-12-31 as ``#VALUE!`` (the
    gate marks it, :class:`excel_values.SerialNotADate`), one below 1 (1900 system) as a day of 1899 or a
    time of day; any other value is returned as it is."""
    if isinstance(value, xv.SerialNotADate):
        return value.serial
    date1904 = _DATE1904.get()
    if isinstance(value, time) and not date1904:
        return to_excel(value)
    if isinstance(value, date):
        day = value.date() if isinstance(value, datetime) else value
        if day < (_EPOCH_1904 if date1904 else _FIRST_DATE_1900):
            moment = value if isinstance(value, datetime) else datetime.combine(value, time())
            return to_excel(moment, CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900)
    return value


def _yes_no(value: Any, energy_saving: bool = False) -> bool | None:
    try:
        return xv.to_bool(value, energy_saving=energy_saving)
    except xv.ExcelValueError as exc:
        raise _Unreadable(exc.zh, exc.en) from None


def _enum(value: Any, vocab: L.Vocab) -> Any:
    if xv.is_blank(value):
        return None
    if isinstance(value, str):
        _no_excel_error(value)
        try:
            return vocab.parse(value)
        except KeyError:
            pass
    raise _Unreadable(f"{xv.describe(value)} 不在可选范围内，应为：{vocab.choices('zh')}",
                      f"{xv.describe(value)} is not one of the allowed values: {vocab.choices('en')}")


def coerce(value: Any, spec: L.FieldSpec, max_text: int = _DEFAULT_MAX_TEXT) -> Any:
    """A cell's value as the JSON value of its field (None for a blank cell); raises _Unreadable."""
    try:
        kind = spec.kind
        if kind in (L.DATE, L.MONTH) or isinstance(value, xv.SerialNotADate):
            value = _serial_held(value)
        if kind in (L.TEXT, L.LONGTEXT):
            if spec.vocab is not None and not spec.vocab.closed and isinstance(value, str):
                try:
                    return spec.vocab.parse(value)
                except KeyError:
                    pass
            return _text(value, max_text)
        if kind == L.ID:
            return _ident(value, max_text)
        if kind == L.DATE:
            return _date(value)
        if kind == L.MONTH:
            return _month(value)
        if kind == L.NUMBER:
            return xv.to_number(value)
        if kind in (L.BOOL, L.MEMBER, L.PRESENCE):
            return _yes_no(value, energy_saving=spec.vocab is L.ENERGY_SAVING)
        if kind == L.ENUM:
            return _enum(value, spec.vocab)
    except xv.ExcelValueError as exc:
        raise _Unreadable(exc.zh, exc.en) from None
    raise AssertionError(f"unknown field kind {spec.kind}")


def _shown(value: Any, spec: L.FieldSpec) -> str:
    if spec.vocab is not None and spec.vocab.label(value) is not None:
        return spec.vocab.label(value)
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def formulas_ignore(raw: Any, value: Any, spec: L.FieldSpec) -> tuple[str, str, str, str] | None:
    """Why the workbook's own formulas would not see what the reader read from ``raw`` (a number stored as
    text, 'Y' in a 是/否 cell, a date typed as text …), and how to retype it: (why zh, why en, fix zh, fix en);
    None when the cell holds exactly what the formulas expect."""
    kind = spec.kind
    if kind == L.NUMBER and not isinstance(raw, (int, float)) or kind == L.NUMBER and isinstance(raw, bool):
        return ("以文本形式保存的数字，求和和公式都不计入", "a number stored as text counts as nothing in sums and formulas",
                f"删除后重新输入数字 {_shown(value, spec)}（不带引号、全角数字、空格或单位）",
                f"delete it and type the number {_shown(value, spec)} again (no quote, full-width digits, spaces "
                "or unit)")
    if kind in (L.BOOL, L.MEMBER, L.PRESENCE) and raw not in (YES, NO):
        word = YES if value else NO
        return (f"公式只认下拉列表中的“{YES}”或“{NO}”", f"the formulas only recognise the dropdown's “{YES}” or “{NO}”",
                f"从下拉列表选择“{word}”", f"choose “{word}” from the dropdown")
    if kind == L.ENUM and raw != spec.vocab.label(value):
        label = spec.vocab.label(value)
        return ("公式只认下拉列表中的选项原文", "the formulas only recognise the dropdown's exact wording",
                f"从下拉列表选择“{label}”", f"choose “{label}” from the dropdown")
    if kind == L.DATE and not isinstance(raw, (date, datetime, int, float)):
        return ("以文本形式保存的日期，公式不当作日期", "a date stored as text is not a date to the formulas",
                f"按 {value} 的形式重新输入日期", f"type the date again as {value}")
    if kind == L.MONTH and raw != value:
        return ("月份须为 YYYY-MM 形式的文本，公式按此匹配 COP 记录", "a month must be the text YYYY-MM; the "
                "formulas match COP records by it", f"输入文本 {value}", f"type the text {value}")
    return None


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------

def _label(slot: L.Slot, sheet: str | None = None, cell: str | None = None) -> str:
    """How a message names a field (the finding's location says where it is)."""
    return f"「{slot.spec.zh} / {slot.spec.en}」"


#: Names of the lists and groups a model error can concern as a whole.
_GROUP_LABELS = {
    "systems": "「热泵系统（是否采用） / heat-pump systems in use」",
    "monthly": "「月度数据 / monthly records」",
    "areas": "「供暖面积 / heated areas」",
    "season": "「供暖期 / heating season」",
    "total_heat_meter": "「总输出端热量表 / total-output heat meter」",
}


class _Reader:
    def __init__(self, grids: dict[str, _Grid], max_text: int):
        self.grids = grids
        self.max_text = max_text
        self.findings: list[Finding] = []
        self.provenance: dict[str, tuple[str, str]] = {}
        self.raw: dict[str, Any] = {}
        self.reported: set[str] = set()  # paths with a reading finding: their pydantic errors are dropped
        self.slot_of_path: dict[str, L.Slot] = {}
        #: cells the reader coerced that the sheet's formulas may read otherwise: (slot, row, raw, path)
        self.coerced: list[tuple[L.Slot, int | None, Any, str | None]] = []

    # -- one cell
    def value(self, slot: L.Slot, path: str | None, row: int | None = None, record: bool = True) -> Any:
        """One cell as its field's JSON value; None when blank or unreadable (then a finding is
        recorded). With ``record`` the cell becomes the provenance of ``path``."""
        cell = slot.cell(row)
        raw = self.grids[slot.sheet].get(row if row is not None else slot.row, slot.column)
        if path and record:
            self.provenance.setdefault(path, (slot.sheet, cell))
            self.slot_of_path.setdefault(path, slot)
            self.raw.setdefault(path, raw)
        try:
            value = coerce(raw, slot.spec, self.max_text)
        except _Unreadable as exc:
            self.unreadable(slot, path, cell, exc.zh, exc.en)
            return None
        if value is not None and not slot.spec.personal:
            ignored = formulas_ignore(raw, value, slot.spec)
            if ignored:
                self.coerced.append((slot, row, raw, path))
                self.findings.append(finding(
                    "field.coerced", path, clause=slot.spec.clause, field_label=_label(slot, slot.sheet, cell),
                    typed=xv.describe(raw), value=_shown(value, slot.spec), why_zh=ignored[0], why_en=ignored[1],
                    fix_zh=ignored[2], fix_en=ignored[3]).located(slot.sheet, cell))
        return value

    def unreadable(self, slot: L.Slot, path: str | None, cell: str, zh: str, en: str) -> None:
        if slot.spec.personal:  # never echo personal data (SPEC §10)
            zh, en = f"无法识别（{NOT_SHOWN_ZH}）", f"cannot be read ({NOT_SHOWN_EN})"
        f = finding("field.invalid", path, clause=slot.spec.clause, field_label=_label(slot, slot.sheet, cell),
                    reason_zh=zh, reason_en=en).located(slot.sheet, cell)
        self.findings.append(f)
        if path:
            self.reported.add(path)

    def required(self, slot: L.Slot, path: str | None, row: int | None = None) -> None:
        cell = slot.cell(row)
        self.findings.append(finding("field.required", path, clause=slot.spec.clause,
                                     field_label=_label(slot, slot.sheet, cell)).located(slot.sheet, cell))
        if path:
            self.reported.add(path)

    def blank(self, slot: L.Slot, row: int | None = None) -> bool:
        return xv.is_blank(self.grids[slot.sheet].get(row if row is not None else slot.row, slot.column))

    # -- form sheets
    def form(self, lines, data: dict) -> None:
        for line in lines:
            for slot in line.slots:
                value = self.value(slot, slot.path)
                if value is not None:
                    _assign(data, slot.path, value)

    # -- the systems sheet
    def systems(self) -> tuple[list[HeatPumpType], dict[HeatPumpType, dict]]:
        """Types in use (a 是 in their column) in the order ground, air, waste-heat water."""
        rows = [line for line in L.SYSTEM_LINES if line.slots and line.slots[0].path.startswith("systems[")]
        presence = {s.htype: s for s in rows[0].slots}
        types = []
        for t in L.TYPES:
            has_data = any(not self.blank(s) for line in rows[1:] for s in line.slots if s.htype == t)
            in_use = self.value(presence[t], None, record=False)
            if in_use is True:
                types.append(t)
            elif has_data and in_use is False:
                self.ignored(presence[t], "该类型标为未采用（否），本列其他数据不予读取",
                             "this type is marked not in use; the rest of its column is ignored")
            elif has_data and self.blank(presence[t]):
                self.required(presence[t], None)
        systems = {}
        for i, t in enumerate(types):
            path = f"systems[{i}]"
            self.provenance[path] = (presence[t].sheet, presence[t].cell())
            self.raw[path] = self.grids[L.S_SYSTEMS].get(presence[t].row, presence[t].column)
            system: dict = {"type": t.value}
            for line in rows[1:]:
                slot = next((s for s in line.slots if s.htype == t), None)
                if slot is None:
                    continue
                value = self.value(slot, slot.path.replace("systems[{t}]", path))
                if value is not None:
                    _assign(system, slot.path.replace("systems[{t}].", ""), value)
            systems[t] = system
        return types, systems

    def total_meter(self) -> dict | None:
        lines = {line.slots[0].path: line for line in L.SYSTEM_LINES if line.slots}
        presence = lines["total_heat_meter"].slots[0]
        covers = lines["total_heat_meter.covers"].slots
        others = [lines["total_heat_meter.id"].slots[0], lines["total_heat_meter.verified_on"].slots[0]]
        installed = self.value(presence, "total_heat_meter")
        has_data = any(not self.blank(s) for s in others) or any(
            _peek_yes(self.grids[s.sheet].get(s.row, s.column)) for s in covers)
        if installed is not True:
            if has_data and installed is False:
                self.ignored(presence, "标为未安装总输出端热量表（否），其编号、日期和覆盖类型不予读取",
                             "the total-output meter is marked not installed; its id, date and coverage are ignored")
            elif has_data and self.blank(presence):
                self.required(presence, "total_heat_meter")
            return None
        meter: dict = {"covers": []}
        for k, slot in enumerate(covers):
            if self.value(slot, "total_heat_meter.covers", record=k == 0) is True:
                meter["covers"].append(slot.member.value)
        for slot in others:
            value = self.value(slot, slot.path)
            if value is not None:
                meter[slot.json_key] = value
        return meter

    def ignored(self, slot: L.Slot, zh: str, en: str, row: int | None = None) -> None:
        cell = slot.cell(row)
        self.findings.append(finding("workbook.data_ignored", None, clause=slot.spec.clause,
                                     field_label=_label(slot, slot.sheet, cell), reason_zh=zh,
                                     reason_en=en).located(slot.sheet, cell))

    # -- tables
    def used_rows(self, table: L.Table) -> list[int]:
        grid = self.grids[table.sheet]
        cols = [s.column for s in table.slots]
        return [r for r in range(table.first_row, table.last_row + 1)
                if any(not xv.is_blank(grid.get(r, c)) for c in cols)]

    def monthly(self) -> tuple[list[dict], list[int]]:
        rows = self.used_rows(L.MONTHLY)
        out = []
        for k, row in enumerate(rows):
            rec: dict = {}
            for slot in L.MONTHLY.slots:
                path = slot.path.replace("{i}", str(k))
                value = self.value(slot, path, row)
                if value is not None:
                    _assign(rec, slot.path.replace("monthly[{i}].", ""), value)
            out.append(rec)
        return out, rows

    def areas(self) -> tuple[list[dict], list[int]]:
        rows = self.used_rows(L.AREAS)
        out = []
        for k, row in enumerate(rows):
            entry: dict = {}
            served: list[str] = []
            any_member = False
            for slot in L.AREAS.slots:
                path = slot.path.replace("{i}", str(k))
                if slot.member is not None:
                    value = self.value(slot, path, row, record=slot.member is L.TYPES[0])
                    if value is not None:
                        any_member = True
                        if value:
                            served.append(slot.member.value)
                    elif not self.blank(slot, row):
                        any_member = True  # unreadable: reported; the list is still stated
                    continue
                value = self.value(slot, path, row)
                if value is not None:
                    entry[slot.json_key] = value
            if any_member:
                entry["served_by"] = served
            out.append(entry)
        return out, rows

    def measurements(self, types: list[HeatPumpType], systems: dict[HeatPumpType, dict]) -> dict[int, list[int]]:
        rows = self.used_rows(L.MEASUREMENTS)
        type_slot, value_slots = L.MEASUREMENTS.slots[0], L.MEASUREMENTS.slots[1:]
        counts: dict[HeatPumpType, int] = {}
        row_map: dict[int, list[int]] = {}
        for row in rows:
            cell = type_slot.cell(row)
            raw = self.grids[type_slot.sheet].get(row, type_slot.column)
            code = self.value(type_slot, None, row, record=False)
            if code is None:
                if xv.is_blank(raw):
                    self.required(type_slot, None, row)
                continue
            t = HeatPumpType(code)
            if t not in types:
                self.ignored(type_slot, "该热泵类型未在“热泵系统”表中采用，本行不予读取",
                             "this type is not in use on the systems sheet; the row is ignored", row)
                continue
            i, j = types.index(t), counts.get(t, 0)
            counts[t] = j + 1
            row_map.setdefault(i, []).append(row)
            base = f"systems[{i}].cop.measurements[{j}]"
            self.provenance[base] = (type_slot.sheet, cell)
            self.raw[base] = raw
            m: dict = {}
            for slot in value_slots:
                value = self.value(slot, f"{base}.{slot.json_key}", row)
                if value is not None:
                    m[slot.json_key] = value
            cop = systems[t].setdefault("cop", {})
            cop.setdefault("measurements", []).append(m)
        return row_map


def _peek_yes(value: Any) -> bool:
    try:
        return _yes_no(value) is True
    except _Unreadable:
        return not xv.is_blank(value)


def _assign(data: dict, dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    for key in keys[:-1]:
        data = data.setdefault(key, {})
    data[keys[-1]] = value


def _not_template(zh: str, en: str, version: str | None = None) -> ReadResult:
    return ReadResult(None, {}, [finding("workbook.not_template", None, reason_zh=zh, reason_en=en)], version,
                      unreadable=True)


def read_workbook(path: str | Path | bytes, *, limits=None) -> ReadResult:
    """Read a declaration workbook (see the module docstring) from a path, or from the bytes the gate
    read once (the very bytes it checked). Never raises for a bad file: a file that is not a readable
    template gives ``unreadable=True`` and a finding saying why."""
    source = io.BytesIO(path) if isinstance(path, (bytes, bytearray)) else path
    try:
        wb = load_workbook(source, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged or foreign file
        return ReadResult(None, {}, [finding("input.unreadable", None,
                                             reason=f"无法打开工作簿 / cannot open the workbook: "
                                                    f"{type(exc).__name__}")], None, unreadable=True)
    try:
        sheets = set(wb.sheetnames)
        again: list = []  # the workbook's formulas, opened only to say which table row or column moved

        def formulas_of(sheet: str, max_row: int, max_col: int):
            if not again:
                again.append(_formulas_of(source))
            return _rows(again[0], sheet, max_row, max_col) if sheet in sheets else None

        return read_values(lambda sheet, max_row, max_col: _rows(wb, sheet, max_row, max_col) if sheet in sheets
                           else None, limits=limits, date1904=wb.epoch == CALENDAR_MAC_1904, formulas_of=formulas_of)
    finally:
        wb.close()
        for other in again:
            other.close()


def _rows(wb, sheet: str, max_row: int, max_col: int) -> list[tuple]:
    return [tuple(r) for r in wb[sheet].iter_rows(min_row=1, max_row=max_row, max_col=max_col, values_only=True)]


def _formulas_of(source) -> Any:
    """The workbook again, formulas rather than values."""
    if hasattr(source, "seek"):
        source.seek(0)
    return load_workbook(source, read_only=True, data_only=False, keep_links=False)


def read_values(rows_of, *, limits=None, date1904: bool = False, formulas_of=None) -> ReadResult:
    """Read a declaration from values already parsed: ``rows_of(sheet, max_row, max_col)`` gives the sheet's
    first ``max_row`` rows as tuples of ``max_col`` values, as openpyxl's ``iter_rows(values_only=True)``
    gives them (fewer rows where the sheet ends), or None when the workbook has no such worksheet. The gate
    hands it the values of its own one pass over each sheet (:mod:`hpcarbon.validator.scan`).
    ``formulas_of`` gives the formulas (text starting with ``=``) the same way: asked only when a table's row
    or column moved, to name it."""
    token = _DATE1904.set(date1904)
    try:
        return _read(rows_of, getattr(limits, "max_text_chars", _DEFAULT_MAX_TEXT), formulas_of)
    finally:
        _DATE1904.reset(token)


def _read(rows_of, max_text: int, formulas_of=None) -> ReadResult:
    grids = {}
    for sheet, (rows, cols) in sheet_extents().items():
        got = rows_of(sheet, rows, cols)
        if got is not None:
            grids[sheet] = _Grid(got)
    missing = [s for s in _NEEDED if s not in grids]
    if missing:
        return _not_template(f"缺少工作表 {'、'.join(missing)}；请使用 hpcarbon template 生成的申报表模板",
                             f"sheets missing: {', '.join(missing)}; use the template made by `hpcarbon template`")
    sheet, ref = L.VERSION_CELL
    stamp = grids[sheet].get(int(ref[1:]), ref[0])
    version = None if xv.is_blank(stamp) else xv.to_text(stamp)
    if version not in L.SUPPORTED_TEMPLATE_VERSIONS:
        r = ReadResult(None, {}, [finding("workbook.template_version", None, found=version or "（无 none）",
                                          supported="、".join(sorted(L.SUPPORTED_TEMPLATE_VERSIONS))).located(sheet, ref)],
                       version, unreadable=True)
        return r
    moved = _layout_problem(grids, formulas_of)
    if moved:
        sheet, cell, zh, en = moved
        r = _not_template(zh, en, version)
        r.findings = [f.located(sheet, cell) for f in r.findings]
        return r

    rd = _Reader(grids, max_text)
    data, locator = _assemble(rd)

    owner_type = None
    try:
        owner_type = OwnerType(data["project"]["owner"]["type"])
    except (KeyError, ValueError):
        pass
    result = ReadResult(None, rd.provenance, rd.findings, version, owner_type=owner_type, raw=rd.raw, data=data,
                        locator=locator)
    admitted = admit(data)
    result.declaration, result.draft = admitted.declaration, admitted.draft
    result.findings += _model_findings(admitted.errors, result, rd)
    result.invalid = _refused(admitted, result.findings)
    if rd.coerced:
        result.sheet_view = _sheet_view(grids, rd, max_text)
    return result


def _assemble(rd: _Reader) -> tuple[dict, L.Locator]:
    """The JSON-shaped data of the workbook, and where its rows are."""
    data: dict = {"project": {"owner": {}, "statements": {}}, "season": {}, "parameters": {}, "recheck": {}}
    rd.form(L.PROJECT_LINES, data)
    rd.form(L.PARAMETER_LINES, data)
    rd.form(L.RECHECK_LINES, data)
    types, systems = rd.systems()
    data["total_heat_meter"] = rd.total_meter()
    data["monthly"], monthly_rows = rd.monthly()
    row_map = rd.measurements(types, systems)
    data["systems"] = [systems[t] for t in types]
    data["areas"], area_rows = rd.areas()
    return data, L.Locator(types, rows={"monthly": monthly_rows, "areas": area_rows}, measurement_rows=row_map)


@dataclass(frozen=True)
class TakenAs:
    """A coerced input and what the sheet's native formulas take it for (:mod:`.sheet_view`)."""

    sheet: str
    cell: str
    field_label: str
    typed: str  # as typed, described
    value: Any  # the typed value the formulas treat it as; sheet_view.UNKNOWN when none is
    fix: tuple[str, str]  # how to retype it (zh, en)


@dataclass
class SheetView:
    """The declaration as the spreadsheet's own formulas see it: each coerced input taken the way they take
    it (``inputs``). ``declaration`` is None when the model refuses it even as a draft. With several inputs
    taken otherwise, ``alone`` holds, per input, the declaration with only that one taken so (to say which
    results each of them changes)."""

    declaration: Declaration | None
    invalid: dict[str, str]
    inputs: list[TakenAs]
    alone: list[tuple[TakenAs, Declaration | None, dict[str, str]]] = field(default_factory=list)


class _Patched:
    """A sheet's grid with some cells typed otherwise."""

    def __init__(self, grid: _Grid, cells: dict[tuple[int, str], Any]):
        self.grid, self.cells = grid, cells

    def get(self, row: int, column: str) -> Any:
        key = (row, column)
        return self.cells[key] if key in self.cells else self.grid.get(row, column)


def _sheet_view(grids: dict[str, _Grid], rd: _Reader, max_text: int) -> SheetView:
    """Read the workbook again with every coerced input typed as the sheet's formulas take it."""
    from hpcarbon.workbook.sheet_view import UNKNOWN, readings_of, slot_node, taken_as

    inputs: list[TakenAs] = []
    cells: list[tuple[str, tuple[int, str]]] = []
    patched: dict[str, dict[tuple[int, str], Any]] = {}
    for slot, row, raw, _path in rd.coerced:
        readings = readings_of(slot_node(slot))
        if not readings:
            continue  # no formula a compared result depends on reads it
        value = taken_as(raw, slot.spec, readings)
        fix = formulas_ignore(raw, coerce(raw, slot.spec, max_text), slot.spec)
        r = row if row is not None else slot.row
        inputs.append(TakenAs(slot.sheet, slot.cell(r), _label(slot), xv.describe(raw), value,
                              (fix[2], fix[3]) if fix else ("", "")))
        cells.append((slot.sheet, (r, slot.column)))
        if value is not UNKNOWN:
            patched.setdefault(slot.sheet, {})[(r, slot.column)] = value
    if not patched:
        return SheetView(None, {}, inputs)
    declaration, invalid = _read_as(grids, patched, max_text)
    alone = []
    known = [(t, sheet, key) for t, (sheet, key) in zip(inputs, cells) if t.value is not UNKNOWN]
    if 1 < len(known) <= _ALONE_AT_MOST:
        for taken, sheet, key in known:
            alone.append((taken, *_read_as(grids, {sheet: {key: taken.value}}, max_text)))
    return SheetView(declaration, invalid, inputs, alone)


#: inputs taken otherwise up to which each is also accounted alone (beyond, each is named with them all)
_ALONE_AT_MOST = 8


def _read_as(grids: dict[str, _Grid], patched: dict[str, dict[tuple[int, str], Any]],
             max_text: int) -> tuple[Declaration | None, dict[str, str]]:
    """The declaration of the workbook with the ``patched`` cells typed otherwise, and its refused fields."""
    again = _Reader({s: _Patched(g, patched[s]) if s in patched else g for s, g in grids.items()}, max_text)
    data, _locator = _assemble(again)
    admitted = admit(data)
    return admitted.declaration or admitted.draft, _refused(admitted, again.findings)


def _refused(admitted, findings) -> dict[str, str]:
    """The fields to account without (path → its finding's code): refused by the model, or cells the reader
    could not read and left out (a field's code is its finding's, where the model saw such a cell as missing)."""
    return admitted.invalid | {f.field: f.code for f in findings
                               if f.code in ("field.invalid", "field.required") and f.field}


def _layout_problem(grids: dict[str, _Grid], formulas_of=None) -> tuple[str, str, str, str] | None:
    """A row or column inserted/deleted: a label is not where the schema puts it. In a table, the rows or
    columns that were inserted or deleted are named (:func:`_table_change`)."""
    anchors = []
    for lines in (L.PROJECT_LINES, L.SYSTEM_LINES, L.RECHECK_LINES, L.PARAMETER_LINES):
        first = next(line for line in lines if line.slots)
        last = [line for line in lines if line.slots][-1]
        anchors += [(first.slots[0].sheet, first.row, "A", first.spec.zh, None), (last.slots[0].sheet, last.row, "A",
                                                                                   last.spec.zh, None)]
    for table in (L.MONTHLY, L.MEASUREMENTS, L.AREAS):
        for slot in (table.slots[0], table.slots[-1]):
            anchors.append((table.sheet, table.header_row, slot.column, slot.spec.zh, table))
        anchors.append((table.sheet, table.end_row, table.first_column, table.end_label, table))
    for sheet, row, col, label, table in anchors:
        value = grids[sheet].get(row, col)
        if not isinstance(value, str) or label not in value:
            said = None
            if table is not None and formulas_of is not None:
                try:
                    said = _table_change(table, grids[table.sheet], formulas_of)
                except Exception:  # noqa: BLE001 - naming the row is a courtesy: the refusal stands without it
                    said = None
            return said or _moved(grids[sheet], sheet, row, col, label)
    return None


def _header_labels(table: L.Table) -> list[tuple[str, str]]:
    """(column, label) of a table's header row, left to right (inputs, then computed columns)."""
    return [(s.column, s.spec.zh) for s in table.slots] + [(c.column, c.zh) for c in table.computed]


def _span(items: list) -> str:
    return f"{items[0]}" if len(items) == 1 else f"{items[0]}–{items[-1]}"


def _table_change(table: L.Table, grid: _Grid, formulas_of) -> tuple[str, str, str, str] | None:
    """Which columns or rows of ``table`` were inserted or deleted, said with the sheet, the exact columns or
    rows and how to fix it; None when the workbook does not tell.

    Columns: the header labels, compared with the template's. Rows: a row's computed cells hold the
    template's formulas — an inserted row has none; a deleted row leaves its references in 核算's blocks
    (one row of 核算 per row of the monthly and the areas table) as #REF! where a spreadsheet program
    deleted it, and the rows below it referring to the rows they came from where a tool moved them."""
    from openpyxl.utils import get_column_letter

    sheet = table.sheet
    expected = _header_labels(table)
    for k, (col, label) in enumerate(expected):
        if _holds(grid, table.header_row, col, label):
            continue
        c = column_index_from_string(col)
        for n in range(1, 10):
            if _holds(grid, table.header_row, get_column_letter(c + n), label):
                cols = [get_column_letter(c + i) for i in range(n)]
                return (sheet, f"{col}{table.header_row}",
                        f"工作表“{sheet}”的表格中插入了 {_span(cols)} 列（模板没有这{'列' if n == 1 else '些列'}，"
                        f"“{label}”因此从 {col} 列移到了 {get_column_letter(c + n)} 列）。请删除 {_span(cols)} 列后保存",
                        f"column{'s' if n > 1 else ''} {_span(cols)} of sheet {sheet} {'were' if n > 1 else 'was'} "
                        f"inserted into the table (the template has none there, so “{label}” moved from column {col} "
                        f"to {get_column_letter(c + n)}). Delete column{'s' if n > 1 else ''} {_span(cols)} and save "
                        "again")
            if k + n < len(expected) and _holds(grid, table.header_row, col, expected[k + n][1]):
                gone = [label for _c, label in expected[k:k + n]]
                cols = [get_column_letter(c + i) for i in range(n)]
                return (sheet, f"{col}{table.header_row}",
                        f"工作表“{sheet}”表格的 {_span(cols)} 列（“{'”“'.join(gone)}”）被删除了，其右侧的列因此左移。"
                        "请撤销删除，或将数据填入新的空白模板（hpcarbon template）",
                        f"column{'s' if n > 1 else ''} {_span(cols)} (“{'”, “'.join(gone)}”) of the table on sheet "
                        f"{sheet} {'were' if n > 1 else 'was'} deleted, so the columns to the right moved left. Undo "
                        "the deletion, or copy the data into a fresh template (hpcarbon template)")
        return None
    end = next((table.end_row + k for k in range(-table.rows, _MOVE_MARGIN)
                if _holds(grid, table.end_row + k, table.first_column, table.end_label)), None)
    if end is None or end == table.end_row:
        return None
    shift = end - table.end_row
    rows = _rows_changed(table, formulas_of, shift)
    if not rows:
        return None
    first = table.first_column
    if shift > 0:
        return (sheet, f"{first}{rows[0]}",
                f"工作表“{sheet}”的表格中插入了第 {_span(rows)} 行（模板没有这{'行' if len(rows) == 1 else '些行'}，"
                f"其下的行和“{table.end_label}”行因此下移）。请删除第 {_span(rows)} 行后保存",
                f"row{'s' if len(rows) > 1 else ''} {_span(rows)} of sheet {sheet} {'were' if len(rows) > 1 else 'was'} "
                f"inserted into the table (the template has none there, so the rows below and the “{table.end_label}” "
                f"row moved down). Delete row{'s' if len(rows) > 1 else ''} {_span(rows)} and save again")
    return (sheet, f"{first}{rows[0]}",
            f"工作表“{sheet}”表格的第 {_span(rows)} 行被删除了（其下的行和“{table.end_label}”行因此上移 {-shift} 行）。"
            "请撤销删除，或将数据填入新的空白模板（hpcarbon template）",
            f"row{'s' if len(rows) > 1 else ''} {_span(rows)} of the table on sheet {sheet} "
            f"{'were' if len(rows) > 1 else 'was'} deleted (the rows below and the “{table.end_label}” row moved up "
            f"by {-shift}). Undo the deletion, or copy the data into a fresh template (hpcarbon template)")


def _rows_changed(table: L.Table, formulas_of, shift: int) -> list[int]:
    """The rows inserted (``shift`` > 0: rows of the table whose computed cells hold no formula) or deleted
    (``shift`` < 0, numbered as in the template) in ``table``; ``formulas_of`` as :func:`read_values`."""
    computed = table.computed[0].column
    last = table.last_row + max(shift, 0)
    grid = _Grid(formulas_of(table.sheet, last, column_index_from_string(computed)) or [])
    if shift > 0:
        return [r for r in range(table.first_row, last + 1)
                if not (isinstance(grid.get(r, computed), str) and grid.get(r, computed).startswith("="))][:shift]
    block = _calc_block_rows(table, formulas_of)
    if block:
        return block[:-shift]
    for r in range(table.first_row, table.last_row + shift + 1):  # a tool moved the rows, not their formulas
        came_from = _own_row(grid.get(r, computed))
        if came_from is not None and came_from != r:
            return list(range(r, r - shift))
    if table.sheet in _CALC_BLOCKS and formulas_of(L.S_CALC, 1, 1) is not None:
        # no #REF! in 核算 (a program would have left one) and no row below moved: a tool deleted the last rows
        return list(range(table.last_row + shift + 1, table.last_row + 1))
    return []


#: tables with a block in 核算 that refers to each of their rows: the block's first row
_CALC_BLOCKS = {L.S_MONTHLY: L.CALC_MONTHLY_FIRST_ROW, L.S_AREAS: L.CALC_AREA_FIRST_ROW}


def _calc_block_rows(table: L.Table, formulas_of) -> list[int]:
    """Rows of ``table`` whose reference in 核算's block became #REF! (deleted by a spreadsheet program)."""
    first_block = _CALC_BLOCKS.get(table.sheet)
    rows = formulas_of(L.S_CALC, first_block + table.rows, 1) if first_block is not None else None
    if rows is None:
        return []
    grid = _Grid(rows)
    return [table.first_row + i for i in range(table.rows)
            if isinstance(grid.get(first_block + i, "A"), str) and "#REF!" in grid.get(first_block + i, "A").upper()]


def _own_row(formula: Any) -> int | None:
    """The row a computed cell's formula refers to on its own sheet (its first same-sheet reference)."""
    if not (isinstance(formula, str) and formula.startswith("=")):
        return None
    from openpyxl.formula.tokenizer import Token, Tokenizer

    for tok in Tokenizer(formula).items:
        if tok.type == Token.OPERAND and tok.subtype == Token.RANGE and "!" not in tok.value:
            m = re.fullmatch(r"\$?[A-Z]{1,3}\$?([0-9]+)", tok.value)
            if m:
                return int(m.group(1))
    return None


def _holds(grid: _Grid, row: int, col: str, label: str) -> bool:
    value = grid.get(row, col)
    return isinstance(value, str) and label in value


def _moved(grid: _Grid, sheet: str, row: int, col: str, label: str) -> tuple[str, str, str, str]:
    """Where an anchor label went, said as the rows or columns inserted or deleted, and how to fix it (the
    finding stays at the cell where the label belongs)."""
    from openpyxl.utils import get_column_letter

    for k in range(1, 2000):
        for shift in (k, -k):
            if row + shift >= 1 and _holds(grid, row + shift, col, label):
                if shift > 0:
                    zh = (f"工作表“{sheet}”第 {row} 行之前插入了 {shift} 行（“{label}”现在在第 {row + shift} 行，"
                          f"应在第 {row} 行）。请删除插入的行（如第 {row}–{row + shift - 1} 行中多出的行）后保存")
                    en = (f"{shift} row(s) were inserted above row {row} of sheet {sheet} (“{label}” is now on row "
                          f"{row + shift}, its place is row {row}). Delete the inserted rows and save again")
                else:
                    zh = (f"工作表“{sheet}”第 {row} 行之前删除了 {-shift} 行（“{label}”现在在第 {row + shift} 行，"
                          f"应在第 {row} 行）。请撤销删除，或将数据填入新的空白模板")
                    en = (f"{-shift} row(s) were deleted above row {row} of sheet {sheet} (“{label}” is now on row "
                          f"{row + shift}, its place is row {row}). Undo the deletion, or copy the data into a fresh "
                          "template")
                return (sheet, f"{col}{row}", zh, en)
        if k > _MOVE_MARGIN:
            break
    c = column_index_from_string(col)
    for k in range(1, 30):
        for shift in (k, -k):
            if c + shift >= 1 and _holds(grid, row, get_column_letter(c + shift), label):
                moved = get_column_letter(c + shift)
                if shift > 0:
                    zh = (f"工作表“{sheet}”第 {col} 列之前插入了 {shift} 列（“{label}”现在在 {moved} 列，应在 {col} 列）。"
                          "请删除插入的列后保存")
                    en = (f"{shift} column(s) were inserted before column {col} of sheet {sheet} (“{label}” is now in "
                          f"column {moved}, its place is column {col}). Delete the inserted columns and save again")
                else:
                    zh = (f"工作表“{sheet}”第 {col} 列之前删除了 {-shift} 列（“{label}”现在在 {moved} 列，应在 {col} 列）。"
                          "请撤销删除，或将数据填入新的空白模板")
                    en = (f"{-shift} column(s) were deleted before column {col} of sheet {sheet} (“{label}” is now in "
                          f"column {moved}, its place is column {col}). Undo the deletion, or copy the data into a "
                          "fresh template")
                return (sheet, f"{col}{row}", zh, en)
    return (sheet, f"{col}{row}", f"工作表“{sheet}”的 {col}{row} 应为“{label}”：行或列被插入、删除或移动，"
            "无法按标准位置读取；请将数据填入新的空白模板", f"cell {col}{row} of sheet {sheet} should read “{label}”: rows "
            "or columns were inserted, deleted or moved, so the standard positions cannot be read; copy the data "
            "into a fresh template")


def _model_findings(errors: list[dict], result: ReadResult, rd: _Reader) -> list[Finding]:
    out = []
    seen = set()
    for err in errors:
        path = path_of(tuple(p for p in err.get("loc", ()) if p != "[key]"))
        if any(path == p or path.startswith((p + ".", p + "[")) for p in rd.reported):
            continue
        where = result.locate(path) or (None, None)
        slot = rd.slot_of_path.get(path)
        clause = slot.spec.clause if slot else clause_of(path)
        label = _label(slot) if slot else _GROUP_LABELS.get(path, path)
        if err.get("type") == "missing":
            f = finding("field.required", path or None, clause=clause, field_label=label)
        else:
            zh, en = reason(err)
            f = finding("field.invalid", path or None, clause=clause, field_label=label, reason_zh=zh, reason_en=en)
        key = (f.code, path, where)
        if key in seen:
            continue
        seen.add(key)
        out.append(f.located(*where) if where[0] else f)
    return out
