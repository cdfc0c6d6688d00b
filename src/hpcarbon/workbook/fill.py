"""``hpcarbon fill``: write a JSON declaration (SPEC §11) into a copy of the template.

Fill places what it is given and judges nothing: a value the rules or the model would reject is
still written to its cell (the validator then points at it there). It refuses only what it cannot
place — a key that has no cell, a value of the wrong shape (an object where a number belongs …), a
heat-pump type that has no column, more rows than a table has, text an .xlsx cannot hold — and
then writes nothing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from hpcarbon.declaration_io import read_json
from hpcarbon.model import (
    AreaEntry,
    Cop,
    CopMeasurement,
    Declaration,
    DeclaredParameters,
    Meter,
    MonthlyRecord,
    Owner,
    Project,
    Recheck,
    Season,
    Statements,
    System,
    TotalHeatMeter,
)
from hpcarbon.workbook import layout as L
from hpcarbon.workbook.template import build_workbook, workbook_bytes

#: Characters an .xlsx cell cannot hold (XML 1.0); tab, CR and LF are fine.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_MAX_CELL_TEXT = 32767


@dataclass
class Problem:
    path: str
    zh: str
    en: str

    def text(self) -> str:
        where = self.path or "（顶层 top level）"
        return f"{where}: {self.zh} / {self.en}"


class FillError(Exception):
    """The declaration cannot be placed in the workbook; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.text() for p in problems[:5]))
        self.problems = problems


def _keys(model) -> set[str]:
    return set(model.model_fields)


@dataclass
class _Filler:
    wb: Workbook
    problems: list[Problem] = field(default_factory=list)

    # -- checks ------------------------------------------------------------------------------
    def problem(self, path: str, zh: str, en: str) -> None:
        self.problems.append(Problem(path, zh, en))

    def obj(self, value: Any, path: str, model) -> dict | None:
        """``value`` as an object of ``model``'s keys (any keys when ``model`` is None); None, with a
        problem, when it is not an object."""
        if value is None:  # a missing object leaves its cells blank; the reader/model will say if it is required
            return None
        if not isinstance(value, dict):
            self.problem(path, f"应为对象，而不是{_kind_zh(value)}", f"must be an object, not {_kind_en(value)}")
            return None
        unknown = sorted(set(value) - _keys(model)) if model is not None else []
        for key in unknown:
            self.problem(_sub(path, key), "不是申报格式中的字段，申报表中没有对应的单元格",
                         "is not a field of the declaration format; the workbook has no cell for it")
        return value

    def lst(self, value: Any, path: str) -> list | None:
        if value is None:
            return None
        if not isinstance(value, list):
            self.problem(path, f"应为列表，而不是{_kind_zh(value)}", f"must be a list, not {_kind_en(value)}")
            return None
        return value

    # -- writing -----------------------------------------------------------------------------
    def put(self, slot: L.Slot, value: Any, path: str, row: int | None = None) -> None:
        """Write one JSON scalar into the slot's cell, in the form a person would type it."""
        if isinstance(value, (dict, list)):
            self.problem(path, f"应为单个值，而不是{_kind_zh(value)}", f"must be a single value, not {_kind_en(value)}")
            return
        if value is None:
            return
        if isinstance(value, float) and not math.isfinite(value):
            self.problem(path, "应为有限的数字，不能是 NaN 或 Infinity", "must be a finite number, not NaN or Infinity")
            return
        spec = slot.spec
        cell = self.wb[slot.sheet][slot.cell(row)]
        out: Any = value
        if spec.kind in (L.BOOL, L.MEMBER, L.PRESENCE) and isinstance(value, bool):
            out = L.YES_NO.label(value)
        elif spec.kind == L.ENUM and isinstance(value, str):
            label = spec.vocab.label(value)
            out = label if label is not None else value
        elif spec.kind == L.DATE and isinstance(value, str):
            try:
                out = date.fromisoformat(value.strip())
            except ValueError:
                out = value
        elif spec.kind in (L.TEXT, L.ID, L.LONGTEXT, L.MONTH) and isinstance(value, (int, float)) \
                and not isinstance(value, bool):
            out = _number_text(value)
        if isinstance(out, str):
            if _ILLEGAL.search(out):
                self.problem(path, "含 Excel 单元格不能保存的控制字符", "contains control characters an Excel cell cannot hold")
                return
            if len(out) > _MAX_CELL_TEXT:
                self.problem(path, f"文字超过 Excel 单元格上限 {_MAX_CELL_TEXT} 个字符",
                             f"text longer than an Excel cell holds ({_MAX_CELL_TEXT} characters)")
                return
            cell.value = out
            if out.startswith("="):
                cell.data_type = "s"  # text, never a formula
            return
        cell.value = out


def _number_text(value: float) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _kind_zh(value: Any) -> str:
    return {dict: "对象", list: "列表", str: "文字", bool: "是/否", type(None): "空值"}.get(type(value), "数值")


def _kind_en(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}.get(
        type(value), "a number")


def _sub(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _slot(pattern: str, htype=None) -> L.Slot:
    slots = L.LAYOUT.by_path[pattern]
    if htype is None:
        return slots[0]
    return next(s for s in slots if s.htype == htype or s.member == htype)


def _form_object(f: _Filler, data: dict | None, path: str, model) -> None:
    obj = f.obj(data, path, model)
    if obj is None:
        return
    for key, value in obj.items():
        if key not in _keys(model):
            continue
        sub = _sub(path, key)
        if sub in L.LAYOUT.by_path:
            f.put(_slot(sub), value, sub)


def fill_workbook(data: Any, lang: str = "zh") -> Workbook:
    """The template with ``data`` (the JSON declaration, as parsed) written in; raises FillError."""
    wb = build_workbook(lang)
    f = _Filler(wb)
    root = f.obj(data, "", Declaration)
    if root is None:
        if not f.problems:
            f.problem("", "顶层应为对象（project、season …）", "the top level must be an object (project, season …)")
        raise FillError(f.problems)

    project = f.obj(root.get("project"), "project", Project)
    if project is not None:
        for key in ("id", "name", "district", "address", "operation_start"):
            if key in project:
                f.put(_slot(f"project.{key}"), project[key], f"project.{key}")
        _form_object(f, project.get("owner"), "project.owner", Owner)
        _form_object(f, project.get("statements"), "project.statements", Statements)
    _form_object(f, root.get("season"), "season", Season)
    _form_object(f, root.get("parameters"), "parameters", DeclaredParameters)
    _form_object(f, root.get("recheck"), "recheck", Recheck)

    # every table prints whole (the template's print areas), so rows typed later are never left off paper
    _systems(f, root.get("systems"))
    _total_meter(f, root.get("total_heat_meter"))
    _monthly(f, root.get("monthly"))
    _areas(f, root.get("areas"))
    if f.problems:
        raise FillError(f.problems)
    wb.active = wb.sheetnames.index(L.S_PROJECT)
    return wb


def _systems(f: _Filler, value: Any) -> int:
    """Systems into their type columns, their COP measurements into the COP sheet; returns rows used."""
    systems = f.lst(value, "systems")
    seen: dict = {}
    row = L.MEASUREMENTS.first_row
    for i, raw in enumerate(systems or []):
        path = f"systems[{i}]"
        s = f.obj(raw, path, System)
        if s is None:
            if raw is None:
                f.problem(path, "应为对象，而不是空值", "must be an object, not null")
            continue
        htype = _type_of(s.get("type"))
        if htype is None:
            f.problem(f"{path}.type", f"热泵类型应为 {L.HEAT_PUMP_TYPE.choices()} 之一，申报表没有其他类型的列",
                      "the heat-pump type must be ground, air or wastewater; the workbook has no column for another")
            continue
        if htype in seen:
            f.problem(f"{path}.type", f"热泵类型与 systems[{seen[htype]}] 重复，申报表每种类型只有一列",
                      f"the same type as systems[{seen[htype]}]; the workbook has one column per type")
            continue
        seen[htype] = i
        f.put(_slot("systems[{t}]", htype), True, path)
        for key in ("subtype", "heat_metered"):
            if key not in s:
                continue
            pattern = f"systems[{{t}}].{key}"
            target = [x for x in L.LAYOUT.by_path[pattern] if x.htype == htype]
            if not target:
                if s[key] is not None:
                    f.problem(f"{path}.{key}", "只有地源热泵有此单元格", "only ground-source systems have this cell")
                continue
            f.put(target[0], s[key], f"{path}.{key}")
        for meter in ("electricity_meter", "heat_meter"):
            m = f.obj(s.get(meter), f"{path}.{meter}", Meter)
            for key, v in (m or {}).items():
                if key in _keys(Meter):
                    f.put(_slot(f"systems[{{t}}].{meter}.{key}", htype), v, f"{path}.{meter}.{key}")
        cop = f.obj(s.get("cop"), f"{path}.cop", Cop)
        if cop is None:
            continue
        for key in ("source", "report_value", "report_no"):
            if key in cop:
                f.put(_slot(f"systems[{{t}}].cop.{key}", htype), cop[key], f"{path}.cop.{key}")
        ms = f.lst(cop.get("measurements"), f"{path}.cop.measurements") or []
        for j, mraw in enumerate(ms):
            mpath = f"{path}.cop.measurements[{j}]"
            m = f.obj(mraw, mpath, CopMeasurement)
            if m is None:
                if mraw is None:
                    f.problem(mpath, "应为对象，而不是空值", "must be an object, not null")
                continue
            if row > L.MEASUREMENTS.last_row:
                f.problem(mpath, f"COP 记录超过申报表的 {L.MEASUREMENTS.rows} 行",
                          f"more COP measurements than the workbook's {L.MEASUREMENTS.rows} rows")
                break
            f.put(_slot("systems[{t}].cop.measurements[{i}]"), htype.value, mpath, row)
            for key, v in m.items():
                if key in _keys(CopMeasurement):
                    f.put(_slot(f"systems[{{t}}].cop.measurements[{{i}}].{key}"), v, f"{mpath}.{key}", row)
            row += 1
    for t in L.TYPES:
        if t not in seen:
            f.put(_slot("systems[{t}]", t), False, "systems")
    return row - L.MEASUREMENTS.first_row


def _type_of(value: Any):
    if not isinstance(value, str):
        return None
    return next((t for t in L.TYPES if t.value == value), None)


def _type_list(f: _Filler, value: Any, path: str) -> list | None:
    items = f.lst(value, path)
    if items is None:
        return None
    out = []
    for k, item in enumerate(items):
        t = _type_of(item)
        if t is None:
            f.problem(_sub(path, k), "应为热泵类型 ground、air 或 wastewater，申报表没有其他类型的列",
                      "must be a heat-pump type (ground, air, wastewater); the workbook has no column for another")
        elif t in out:
            f.problem(_sub(path, k), "热泵类型重复，申报表每种类型只有一个“是/否”单元格",
                      "a type listed twice; the workbook has one yes/no cell per type")
        else:
            out.append(t)
    return out


def _total_meter(f: _Filler, value: Any) -> None:
    installed = _slot("total_heat_meter")
    meter = f.obj(value, "total_heat_meter", TotalHeatMeter)
    if value is None or meter is None:
        if value is None:
            f.put(installed, False, "total_heat_meter")
        return
    f.put(installed, True, "total_heat_meter")
    covers = _type_list(f, meter.get("covers"), "total_heat_meter.covers")
    if covers is not None:
        for t in L.TYPES:
            f.put(_slot("total_heat_meter.covers", t), t in covers, "total_heat_meter.covers")
    for key in ("id", "verified_on"):
        if key in meter:
            f.put(_slot(f"total_heat_meter.{key}"), meter[key], f"total_heat_meter.{key}")


def _table_rows(f: _Filler, value: Any, path: str, table: L.Table) -> list:
    items = f.lst(value, path) or []
    if len(items) > table.rows:
        f.problem(path, f"有 {len(items)} 行，申报表“{table.sheet}”只有 {table.rows} 行",
                  f"has {len(items)} rows; the workbook's sheet {table.sheet} has {table.rows}")
        return []
    return items


def _monthly(f: _Filler, value: Any) -> int:
    rows = _table_rows(f, value, "monthly", L.MONTHLY)
    for i, raw in enumerate(rows):
        path = f"monthly[{i}]"
        rec = f.obj(raw, path, MonthlyRecord)
        if rec is None:
            if raw is None:
                f.problem(path, "应为对象，而不是空值", "must be an object, not null")
            continue
        row = L.MONTHLY.row_of(i)
        for key, v in rec.items():
            if key in ("electricity_kwh", "heat_gj"):
                readings = f.obj(v, f"{path}.{key}", None)
                if readings is None:
                    continue
                for t_key, reading in readings.items():
                    t = _type_of(t_key)
                    if t is None:
                        f.problem(f"{path}.{key}.{t_key}", "不是热泵类型，申报表没有对应的列",
                                  "is not a heat-pump type; the workbook has no column for it")
                        continue
                    f.put(_slot(f"monthly[{{i}}].{key}.{t.value}"), reading, f"{path}.{key}.{t.value}", row)
            elif key in _keys(MonthlyRecord):
                f.put(_slot(f"monthly[{{i}}].{key}"), v, f"{path}.{key}", row)
    return len(rows)


def _areas(f: _Filler, value: Any) -> int:
    rows = _table_rows(f, value, "areas", L.AREAS)
    for i, raw in enumerate(rows):
        path = f"areas[{i}]"
        a = f.obj(raw, path, AreaEntry)
        if a is None:
            if raw is None:
                f.problem(path, "应为对象，而不是空值", "must be an object, not null")
            continue
        row = L.AREAS.row_of(i)
        for key, v in a.items():
            if key == "served_by":
                types = _type_list(f, v, f"{path}.served_by")
                if types is not None:
                    for t in L.TYPES:
                        f.put(_slot("areas[{i}].served_by", t), t in types, f"{path}.served_by", row)
            elif key in _keys(AreaEntry):
                f.put(_slot(f"areas[{{i}}].{key}"), v, f"{path}.{key}", row)
    return len(rows)


def fill_bytes(data: Any, lang: str = "zh") -> bytes:
    """The filled workbook as deterministic .xlsx bytes; raises FillError."""
    return workbook_bytes(fill_workbook(data, lang))


class InputError(Exception):
    """The JSON file cannot be read at all (bilingual message)."""


def load_json(path: str | Path) -> Any:
    """Parse a declaration JSON file (:func:`hpcarbon.declaration_io.read_json`: one size limit, one
    NaN/Infinity policy — read, then refused where a number is placed); raises InputError."""
    read = read_json(path)
    if read.problem is not None:
        raise InputError(" / ".join(read.problem))
    return read.data
