"""The blank declaration template, generated from the layout schema with openpyxl.

``build_workbook(lang)`` returns the openpyxl Workbook (``fill`` writes into it);
``workbook_bytes(wb)`` saves any workbook deterministically (fixed zip timestamps and document
dates), so the committed template and examples only change when their content does.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import unicodedata
import weakref
import zipfile
from collections.abc import Callable
from copy import copy
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell import _writer as _cell_writer
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties

from hpcarbon import methodology
from hpcarbon.parameters import ParameterSet, set_in_force
from hpcarbon.workbook import layout as L
from hpcarbon.workbook import texts
from hpcarbon.vocabulary import METER_LABEL, YES
from hpcarbon.workbook.vocabularies import COP_REPORT

FONT = "等线"
COLOURS = {
    "input": "FFF2CC",  # one clear fill colour for every input
    "required": "F4B6B6",  # conditional formatting: required and empty
    "computed": "DDEBF7",
    "locked": "E7E6E6",
    "header": "1F4E78",
    "section": "D9E1F2",
    "title": "FFFFFF",
}
_THIN = Side(style="thin", color="A6A6A6")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FIXED_TIME = datetime(2025, 1, 1, 0, 0, 0)
_ZIP_TIME = (2025, 1, 1, 0, 0, 0)


def _fill(key: str) -> PatternFill:
    return PatternFill("solid", start_color=COLOURS[key], end_color=COLOURS[key])


def _font(**kw) -> Font:
    return Font(name=FONT, size=kw.pop("size", 10), **kw)


F_BODY = _font()
F_BOLD = _font(bold=True)
F_TITLE = _font(size=14, bold=True, color="1F4E78")
F_NOTE = _font(size=10, italic=True, color="595959")
F_HEADER = _font(bold=True, color="FFFFFF")
F_SMALL = _font(size=10, color="404040")
WRAP = Alignment(wrap_text=True, vertical="top")
WRAP_MID = Alignment(wrap_text=True, vertical="center")
WRAP_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
CENTER = Alignment(vertical="center", horizontal="center")
UNLOCKED = Protection(locked=False)
LOCKED = Protection(locked=True)


def bi(zh: str, en: str, lang: str, sep: str = "\n") -> str:
    if not en:
        return zh
    if not zh:
        return en
    return f"{zh}{sep}{en}" if lang == "zh" else f"{en}{sep}{zh}"


def _display_width(text: str, size: float = 10) -> float:
    """Approximate width of ``text`` in Excel column units at font ``size`` (measured on the PDF)."""
    return sum(1.75 if unicodedata.east_asian_width(c) in "WF" else 0.85 for c in text) * size / 10


def _lines_needed(text: str, width: float, size: float = 10) -> int:
    width = max(width - 1.0, 4)
    return sum(max(1, math.ceil(_display_width(p, size) / width)) for p in str(text).split("\n"))


def _fit_height(ws, row: int, texts_by_width: list[tuple], minimum: float = 15.0) -> None:
    """Set a row height that shows every wrapped text of the row (openpyxl cannot auto-fit).
    Each item is (text, column width) or (text, column width, font size)."""
    heights = []
    for item in texts_by_width:
        text, width, size = (*item, 10)[:3]
        if text:
            heights.append(_lines_needed(text, width, size) * (1.3 * size) + 4)
    ws.row_dimensions[row].height = max([minimum, *heights])


# ---------------------------------------------------------------------------------------------
# Input messages, validations and required-cell highlighting
# ---------------------------------------------------------------------------------------------

def input_message(spec: L.FieldSpec) -> tuple[str, str]:
    """(title, prompt) of a cell's input message: unit and clause, in both languages (≤ 32/255 chars)."""
    title = spec.zh[:32]
    unit = f"单位 {spec.unit}；" if spec.unit and spec.unit != "-" else ""
    unit_en = f"unit {spec.unit}; " if spec.unit and spec.unit != "-" else ""
    clause = L.clause_text(spec.clause)
    prompt = f"{spec.help_zh}\n{unit}条款 {clause}\n{spec.help_en}\n{unit_en}clause {clause}"
    return title, prompt


def _validation(spec: L.FieldSpec) -> DataValidation:
    title, prompt = input_message(spec)
    kw = {"showInputMessage": True, "promptTitle": title, "prompt": prompt, "showErrorMessage": True,
          "allow_blank": True}
    if spec.vocab is not None:
        closed = spec.vocab.closed
        return DataValidation(type="list", formula1=spec.vocab.name, errorStyle="stop" if closed else "warning",
                              errorTitle="请从列表选择", error=f"请从下拉列表中选择：{spec.vocab.choices()}\n"
                              "Choose one of the values above from the dropdown list.", **kw)
    if spec.kind == L.NUMBER:
        if spec.minimum is not None and spec.maximum is not None:
            dv = DataValidation(type="decimal", operator="between", formula1=repr(spec.minimum),
                                formula2=repr(spec.maximum), **kw)
        elif spec.minimum is not None:
            dv = DataValidation(type="decimal", operator="greaterThan" if spec.exclusive else "greaterThanOrEqual",
                                formula1=repr(float(spec.minimum)), **kw)
        else:
            dv = DataValidation(type="decimal", **kw)
        dv.errorStyle, dv.errorTitle = "warning", "请填写数值"
        dv.error = f"请填写数值（{spec.unit}）。/ Enter a number ({spec.unit})."
        return dv
    if spec.kind == L.DATE:
        return DataValidation(type="date", operator="between", formula1="32874", formula2="73415",
                              errorStyle="warning", errorTitle="请填写日期",
                              error="请填写日期，如 2024-10-20。/ Enter a date, e.g. 2024-10-20.", **kw)
    limit = {L.LONGTEXT: 4000, L.ID: 40}.get(spec.kind, 500)
    return DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(limit), errorStyle="warning",
                          errorTitle="文字过长", error=f"最多 {limit} 个字符。/ At most {limit} characters.", **kw)


def _row_used(row: int, table: L.Table) -> str:
    return f"COUNTA(${table.first_column}{row}:${table.last_input_column}{row})>0"


def _grid_row(path: str) -> int:
    return next(line.row for line in L.SYSTEM_LINES if line.slots and line.slots[0].path == path)


def required_formula(slot: L.Slot, top_left: str) -> str | None:
    """Conditional-formatting formula (relative to ``top_left``) that is TRUE when the cell is required
    and empty."""
    cond = slot.spec.required
    if cond is None:
        return None
    empty = f"LEN(TRIM({top_left}))=0"
    col = slot.column
    tag = L.TYPE_TAG.get(slot.htype) if slot.htype else None
    if slot.table:
        t = L.LAYOUT.tables[slot.table]
        used = _row_used(t.first_row, t)
        key = slot.json_key
        tag = next((L.TYPE_TAG[h] for h in L.TYPES if h.value == key), None)
        extra = {
            L.ROW: [],
            L.ROW_IN_USE: [f'HP_IN_USE_{tag}="{YES}"'],
            L.ROW_HEAT: [f'HP_IN_USE_{tag}="{YES}"', f'HP_HEAT_METERED_{tag}="{YES}"'],
            L.ROW_TOTAL: [f'HP_TOTAL_METER_INSTALLED="{YES}"'],
        }[cond]
        return f"AND({','.join([used, *extra, empty])})"
    if cond == L.ALWAYS:
        return empty
    in_use = f'{col}${_grid_row("systems[{t}]")}="{YES}"'
    metered = f'{col}${_grid_row("systems[{t}].heat_metered")}="{YES}"'
    installed = f'$B${_grid_row("total_heat_meter")}="{YES}"'
    covered = f'{col}${_grid_row("total_heat_meter.covers")}="{YES}"'
    parts = {
        L.IN_USE: [in_use],
        L.HEAT_METERED: [in_use, metered],
        L.ESTIMATED: [in_use, f"NOT({metered})", f"NOT(AND({installed},{covered}))"],
        L.REPORT: [in_use, f'{col}${_grid_row("systems[{t}].cop.source")}="{COP_REPORT}"'],
        L.TOTAL: [installed],
        L.PERFORMED: [f'HP_RECHECK_PERFORMED="{YES}"'],
    }[cond]
    return f"AND({','.join([*parts, empty])})"


def _required_rule(formula: str) -> FormulaRule:
    return FormulaRule(formula=[formula], fill=_fill("required"), stopIfTrue=False)


# ---------------------------------------------------------------------------------------------
# Sheets
# ---------------------------------------------------------------------------------------------

def _setup(ws, spec: L.SheetSpec, lang: str, title_span: str | None = None) -> None:
    for col, width in spec.widths:
        ws.column_dimensions[col].width = width
    last = spec.last_column
    ws["A1"] = bi(spec.zh, spec.en, lang, "  ")
    ws["A1"].font = F_TITLE
    ws["A1"].alignment = Alignment(vertical="center")
    ws.row_dimensions[1].height = 24
    ws.merge_cells(f"A1:{title_span or last}1")
    if spec.note_zh:
        ws["A2"] = bi(spec.note_zh, spec.note_en, lang, "  ")
        ws["A2"].font = F_NOTE
        ws["A2"].alignment = WRAP
        ws.merge_cells(f"A2:{last}2")
        total = sum(w for _, w in spec.widths)
        _fit_height(ws, 2, [(ws["A2"].value, total)])
    ws.sheet_view.zoomScale = 100
    if spec.freeze:
        ws.freeze_panes = spec.freeze
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # people may widen columns and rows
    ws.protection.formatRows = False
    ps = ws.page_setup
    ps.paperSize = ws.PAPERSIZE_A4
    ps.orientation = "landscape" if spec.landscape else "portrait"
    ps.fitToWidth = 1
    ps.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.oddHeader.right.text = f"hpcarbon 申报表 / declaration v{L.TEMPLATE_VERSION}  &A"
    ws.oddHeader.right.size = 10
    ws.oddFooter.center.text = "第 &P 页 / 共 &N 页  page &P of &N"
    ws.oddFooter.center.size = 10


def _header_row(ws, row: int, headers, lang: str, widths: dict[str, float]) -> None:
    from openpyxl.utils import get_column_letter

    fit = []
    for i, (zh, en) in enumerate(headers, start=1):
        c = ws.cell(row, i, bi(zh, en, lang))
        c.font, c.fill, c.alignment, c.border = F_HEADER, _fill("header"), WRAP_CENTER, BORDER
        fit.append((c.value, widths.get(get_column_letter(i), 10)))
    _fit_height(ws, row, fit, minimum=28)


def _section(ws, row: int, zh: str, en: str, lang: str, last: str) -> None:
    c = ws.cell(row, 1, bi(zh, en, lang, "  "))
    c.font, c.fill, c.alignment = F_BOLD, _fill("section"), Alignment(vertical="center")
    for col in range(2, _col(last) + 1):
        ws.cell(row, col).fill = _fill("section")
    ws.merge_cells(f"A{row}:{last}{row}")
    ws.row_dimensions[row].height = 18


def _col(letter: str) -> int:
    from openpyxl.utils import column_index_from_string
    return column_index_from_string(letter)


#: Per workbook, the style of each kind of cell already styled once. openpyxl hashes every Font, Fill,
#: Border … object on assignment to find its index in the workbook's style tables, which made styling
#: the 5 000 table cells most of the template's build time; a cell of a kind already seen gets a copy of
#: that cell's style indices instead, which is exactly what the assignments would have produced.
_STAMPS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _stamp(cell, key: tuple, apply: Callable[[object], None]) -> None:
    """Style ``cell`` with ``apply`` the first time ``key`` is seen in its workbook, by copy after."""
    seen = _STAMPS.setdefault(cell.parent.parent, {})
    style = seen.get(key)
    if style is None:
        apply(cell)
        seen[key] = copy(cell._style)
    else:
        cell._style = copy(style)


def _set(cell, **style) -> None:
    for name, value in style.items():
        setattr(cell, name, value)


def _style_input(cell, spec: L.FieldSpec, locked: bool = False) -> None:
    def apply(c) -> None:
        c.fill = _fill("locked" if locked else "input")
        c.protection = LOCKED if locked else UNLOCKED
        c.number_format = spec.number_format
        c.font = F_BODY
        c.border = BORDER
        c.alignment = WRAP if spec.kind == L.LONGTEXT else Alignment(vertical="center", horizontal=(
            "left" if spec.kind in (L.TEXT, L.ID, L.ENUM, L.MONTH, L.BOOL, L.MEMBER, L.PRESENCE) else None))

    _stamp(cell, ("input", locked, spec.number_format, spec.kind), apply)


def _label(cell, text: str) -> None:
    cell.value = text
    cell.font, cell.alignment, cell.border = F_BODY, WRAP_MID, BORDER


def _help(cell, spec: L.FieldSpec, lang: str) -> None:
    clause = L.clause_text(spec.clause)
    cell.value = bi(f"{spec.help_zh}（{clause}）", f"{spec.help_en} ({clause})", lang)
    cell.font, cell.alignment, cell.border = F_SMALL, WRAP_MID, BORDER


#: the signature and stamp block of the project sheet (printed, signed on paper; not read)
SIGNATURE_LINES = (("申报单位（盖章）", "Declaring entity (seal)"),
                   ("法定代表人或授权代表（签字）", "Legal representative or authorised person (signature)"),
                   ("填报人", "Prepared by"), ("联系电话", "Phone"), ("日期", "Date"))


def _signature_block(ws, spec: L.SheetSpec, lang: str, row: int) -> int:
    """Section and rows to sign and stamp on paper below the form; returns the last row."""
    last = spec.last_column
    _section(ws, row, "五、申报单位签章（打印后签字盖章）", "5. Signature and seal (sign and stamp the printout)", lang, last)
    ws.cell(row + 1, 1, bi("本单位（本人）承诺以上填报内容及所附数据真实、准确、完整。",
                           "We (I) declare the above and the attached data true, accurate and complete.", lang, " "))
    ws.cell(row + 1, 1).font, ws.cell(row + 1, 1).alignment = F_BODY, WRAP_MID
    ws.merge_cells(f"A{row + 1}:{last}{row + 1}")
    ws.row_dimensions[row + 1].height = 30
    r = row + 1
    for zh, en in SIGNATURE_LINES:
        r += 1
        _label(ws.cell(r, 1), bi(zh, en, lang))
        for col in range(2, _col(last) + 1):
            ws.cell(r, col).border = Border(bottom=_THIN)
        ws.merge_cells(f"B{r}:{last}{r}")
        ws.row_dimensions[r].height = 52 if zh.startswith(("申报单位", "法定代表人")) else 30
    return r


def _add_validations(ws, slots_ranges: list[tuple[L.Slot, str]]) -> None:
    for slot, rng in slots_ranges:
        dv = _validation(slot.spec)
        dv.add(rng)
        ws.add_data_validation(dv)


def _build_form(ws, spec: L.SheetSpec, lang: str, params: ParameterSet) -> None:
    _setup(ws, spec, lang)
    _header_row(ws, spec.header_row, spec.headers, lang, dict(spec.widths))
    widths = dict(spec.widths)
    last = spec.last_column
    validations = []
    if spec.key == "recheck":
        _section(ws, 4, "一、两种方法的偏差", "1. Deviation between the methods", lang, last)
        r = L.RECHECK_DEVIATION_ROW
        _label(ws.cell(r, 1), bi("电算法与面积法偏差 d", "Deviation d", lang))
        c = ws.cell(r, 2, "=HP_CALC_DEVIATION")
        c.fill, c.number_format, c.font, c.border = _fill("computed"), "0.0%", F_BODY, BORDER
        ws.cell(r, 4, bi(f"来自“核算”表；超过 {L.RECHECK_ABOVE} 须复核（§6.2.3.2）",
                         f"from the calculation sheet; above {L.RECHECK_ABOVE_EN} the parameters must be re-checked", lang)).font = F_SMALL
        ws.cell(r, 4).alignment = WRAP
        _fit_height(ws, r, [(ws.cell(r, 4).value, widths["D"])])
    for line in spec.lines:
        if line.heading:
            _section(ws, line.row, line.zh, line.en, lang, last)
            continue
        slot = line.slots[0]
        _label(ws.cell(line.row, 1), line.spec.label(lang))
        cell = ws.cell(line.row, 2)
        _style_input(cell, line.spec, locked=slot.locked)
        unit = ws.cell(line.row, 3, line.spec.unit if line.spec.unit != "-" else "")
        unit.font, unit.alignment, unit.border = F_SMALL, CENTER, BORDER
        if spec.key == "parameters":
            value = params.value(slot.json_key)
            cell.value = value.value
            ws.cell(line.row, 4, value.clause).font = F_SMALL
            ws.cell(line.row, 4).alignment = CENTER
            src = ws.cell(line.row, 5, value.source)
            src.font, src.alignment = F_SMALL, WRAP
            for col in (4, 5):
                ws.cell(line.row, col).border = BORDER
            _fit_height(ws, line.row, [(line.spec.label(lang), widths["A"]), (value.source, widths["E"], 10)])
        else:
            _help(ws.cell(line.row, 4), line.spec, lang)
            if line.spec.kind == L.LONGTEXT:
                ws.row_dimensions[line.row].height = 120
            else:
                _fit_height(ws, line.row, [(line.spec.label(lang), widths["A"]),
                                           (ws.cell(line.row, 4).value, widths["D"], 10)], minimum=28)
            if slot.path == "parameters.version":
                cell.value = params.version
        if not slot.locked:
            validations.append((slot, cell.coordinate))
            f = required_formula(slot, cell.coordinate)
            if f:
                ws.conditional_formatting.add(cell.coordinate, _required_rule(f))
    _add_validations(ws, validations)
    ws.print_area = f"A1:{last}{spec.lines[-1].row}"
    if spec.key == "project":  # the page the owner signs: the signature block, whole, on the last page
        first = spec.lines[-1].row + 2
        ws.print_area = f"A1:{last}{_signature_block(ws, spec, lang, first)}"
        ws.row_breaks.append(Break(id=first - 1))
    if spec.key == "parameters":
        _parameter_info(ws, spec, lang, params)
    ws.print_title_rows = f"1:{spec.header_row}"


def _parameter_info(ws, spec: L.SheetSpec, lang: str, params: ParameterSet) -> None:
    row = L.PARAMETER_INFO_ROW
    last = spec.last_column
    _section(ws, row, f"二、单位面积热指标 q（表2，W/m²）— 参数集 {params.version}",
             f"2. Heat index q (table 2, W/m²) — parameter set {params.version}", lang, last)
    row += 1
    _header_row(ws, row, (("建筑类型", "Building type"), ("未节能 q 下限", "Not energy-saving, lowest"),
                          ("推荐范围", "Range"), ("节能 q 下限", "Energy-saving, lowest"), ("推荐范围", "Range")), lang, dict(spec.widths))
    for q in params.q_rows.values():
        row += 1
        values = [bi(q.label_zh, q.label_en, lang, " "), q.not_energy_saving[0],
                  f"{q.not_energy_saving[0]:g}–{q.not_energy_saving[1]:g}", q.energy_saving[0],
                  f"{q.energy_saving[0]:g}–{q.energy_saving[1]:g}"]
        for i, v in enumerate(values, start=1):
            c = ws.cell(row, i, v)
            c.font, c.border, c.fill = F_BODY, BORDER, _fill("locked")
            c.alignment = CENTER if i > 1 else Alignment(vertical="center")
    row += 1
    src = ws.cell(row, 1, bi(f"来源：{params.q_source}", "", lang))
    src.font, src.alignment = F_SMALL, WRAP
    ws.merge_cells(f"A{row}:{last}{row}")
    _fit_height(ws, row, [(src.value, sum(w for _, w in spec.widths))])
    row += 2
    _section(ws, row, "三、计量器具检定周期 [D]", "3. Meter verification cycles [D]", lang, last)
    for (zh, en), years in ((METER_LABEL["heat"], params.heat_meter_cycle_years),
                            (METER_LABEL["electricity"], params.electricity_meter_cycle_years)):
        row += 1
        _label(ws.cell(row, 1), bi(zh, en, lang, " "))
        c = ws.cell(row, 2, years)
        c.font, c.border, c.fill = F_BODY, BORDER, _fill("locked")
        ws.cell(row, 3, bi("年", "years", lang, " ")).font = F_SMALL
        ws.cell(row, 4, "7.3.2").font = F_SMALL
    row += 1
    src = ws.cell(row, 1, params.meter_cycle_source)
    src.font, src.alignment = F_SMALL, WRAP
    ws.merge_cells(f"A{row}:{last}{row}")
    _fit_height(ws, row, [(src.value, sum(w for _, w in spec.widths))])
    row += 2
    info = ws.cell(row, 1, bi(f"参数集 {params.version}，生效日期 {params.effective_from.isoformat()}：{params.title}",
                              "", lang))
    info.font, info.alignment = F_SMALL, WRAP
    ws.merge_cells(f"A{row}:{last}{row}")
    _fit_height(ws, row, [(info.value, sum(w for _, w in spec.widths))])
    ws.print_area = f"A1:{last}{row}"


def _build_grid(ws, spec: L.SheetSpec, lang: str) -> None:
    _setup(ws, spec, lang)
    _header_row(ws, spec.header_row, spec.headers, lang, dict(spec.widths))
    widths = dict(spec.widths)
    last = spec.last_column
    validations = []
    for line in spec.lines:
        if line.heading:
            _section(ws, line.row, line.zh, line.en, lang, last)
            continue
        _label(ws.cell(line.row, 1), line.spec.label(lang))
        used = {s.column: s for s in line.slots}
        for col in L.SYSTEM_COLUMNS.values():
            cell = ws[f"{col}{line.row}"]
            if col in used:
                _style_input(cell, line.spec)
            else:
                cell.value = bi(line.note_zh, line.note_en, lang, " ") if line.note_zh not in ("", "—") else "—"
                cell.fill, cell.font, cell.border, cell.alignment = _fill("locked"), F_SMALL, BORDER, CENTER
        unit = ws.cell(line.row, 5, line.spec.unit if line.spec.unit != "-" else "")
        unit.font, unit.alignment, unit.border = F_SMALL, CENTER, BORDER
        _help(ws.cell(line.row, 6), line.spec, lang)
        _fit_height(ws, line.row, [(line.spec.label(lang), widths["A"]),
                                   (ws.cell(line.row, 6).value, widths["F"], 10)], minimum=28)
        cols = sorted(used)
        rng = f"{cols[0]}{line.row}:{cols[-1]}{line.row}" if len(cols) > 1 else f"{cols[0]}{line.row}"
        validations.append((line.slots[0], rng))
        f = required_formula(line.slots[0], f"{cols[0]}{line.row}")
        if f:
            ws.conditional_formatting.add(rng, _required_rule(f))
    _add_validations(ws, validations)
    ws.print_title_rows = f"1:{spec.header_row}"
    ws.print_area = f"A1:{last}{spec.lines[-1].row}"


def _build_table(ws, spec: L.SheetSpec, lang: str) -> None:
    t = spec.table
    _setup(ws, spec, lang)
    for first, last_col, zh, en in t.groups:
        c = ws[f"{first}{t.header_row - 1}"]
        c.value = bi(zh, en, lang, "  ")
        c.font, c.fill, c.alignment = F_HEADER, _fill("header"), CENTER
        ws.merge_cells(f"{first}{t.header_row - 1}:{last_col}{t.header_row - 1}")
        for col in range(_col(first), _col(last_col) + 1):
            ws.cell(t.header_row - 1, col).fill = _fill("header")
            ws.cell(t.header_row - 1, col).border = BORDER
    headers = {s.column: s.spec.header(lang) for s in t.slots}
    headers.update({c.column: bi(c.zh + (f"（{c.unit}）" if c.unit else ""), c.en, lang) for c in t.computed})
    widths = dict(spec.widths)
    for col, text in headers.items():
        cell = ws[f"{col}{t.header_row}"]
        cell.value = text
        cell.font, cell.alignment, cell.border = F_HEADER, WRAP_CENTER, BORDER
        cell.fill = _fill("header")
    _fit_height(ws, t.header_row, [(v, widths[c]) for c, v in headers.items()], minimum=28)
    for slot in t.slots:
        for r in range(t.first_row, t.last_row + 1):
            _style_input(ws[f"{slot.column}{r}"], slot.spec)
        rng = f"{slot.column}{t.first_row}:{slot.column}{t.last_row}"
        dv = _validation(slot.spec)
        dv.add(rng)
        ws.add_data_validation(dv)
        f = required_formula(slot, f"{slot.column}{t.first_row}")
        if f:
            ws.conditional_formatting.add(rng, _required_rule(f))
    for comp in t.computed:
        for r in range(t.first_row, t.last_row + 1):
            c = ws[f"{comp.column}{r}"]
            c.value = comp.formula.format(r=r)
            _stamp(c, ("computed", comp.number_format), lambda c, comp=comp: _set(
                c, fill=_fill("computed"), font=F_BODY, border=BORDER, number_format=comp.number_format))
    # every row that can hold data is printed, and the end marker below it (rows typed later never vanish)
    last_print = t.end_row
    if t.total_row:
        r = t.last_row + 1
        label = ws[f"A{r}"]
        label.value = bi("合计", "Total", lang, " ")
        label.font, label.fill, label.border = F_BOLD, _fill("computed"), BORDER
        for slot in t.slots[1:]:
            c = ws[f"{slot.column}{r}"]
            if slot.spec.kind == L.NUMBER:
                c.value = f"=SUM({slot.column}{t.first_row}:{slot.column}{t.last_row})"
                c.number_format = slot.spec.number_format
            c.font, c.fill, c.border = F_BOLD, _fill("computed"), BORDER
        for comp in t.computed:
            c = ws[f"{comp.column}{r}"]
            c.value = f"=SUM({comp.column}{t.first_row}:{comp.column}{t.last_row})"
            c.number_format = comp.number_format
            c.font, c.fill, c.border = F_BOLD, _fill("computed"), BORDER
        last_print = r
    else:
        r = t.end_row
        for col in range(1, _col(t.last_column) + 1):
            c = ws.cell(r, col)
            c.fill, c.border = _fill("locked"), BORDER
        end = ws.cell(r, 1, bi(f"{t.end_label}（以下不再读取）", "end of table (nothing below is read)", lang, " / "))
        end.font = F_SMALL
    ws.print_title_rows = f"1:{t.header_row}"
    ws.print_area = f"A1:{t.last_column}{last_print}"


def _build_calc(ws, spec: L.SheetSpec, lang: str) -> None:
    _setup(ws, spec, lang)
    _header_row(ws, spec.header_row, spec.headers, lang, dict(spec.widths))
    widths = dict(spec.widths)
    last = spec.last_column
    for line in spec.calc:
        if line.heading:
            _section(ws, line.row, line.zh, line.en, lang, last)
            continue
        _label(ws.cell(line.row, 1), bi(line.zh, line.en, lang))
        for col in "BCDEFG":
            ws[f"{col}{line.row}"].border = BORDER
            ws[f"{col}{line.row}"].fill = _fill("locked")
        cells = list(line.cells)
        if line.addin:
            cells += [line.addin, L.CalcCell(L.AGREE_COLUMN, L.agree_formula(line.row))]
        for cell in cells:
            c = ws[f"{cell.column}{line.row}"]
            c.value = cell.formula
            c.fill, c.font, c.number_format = _fill("computed"), F_BOLD if line.result else F_BODY, cell.number_format
            c.alignment = Alignment(horizontal="right", vertical="center")
        for col, value in ((8, line.unit), (9, line.formula_zh), (10, line.clause)):
            c = ws.cell(line.row, col, value)
            c.font, c.alignment, c.border = F_SMALL, WRAP_MID, BORDER
        _fit_height(ws, line.row, [(ws.cell(line.row, 1).value, widths["A"]), (line.formula_zh, widths["I"], 10)])
    # monthly block of the electricity method
    heads = [("月份", "Month")]
    for t in L.TYPES:
        heads += [(f"{L.TYPE_SHORT[t][0]} W 计入（kWh）", f"{L.TYPE_SHORT[t][1]} W"),
                  (f"{L.TYPE_SHORT[t][0]} 月均 COP", f"{L.TYPE_SHORT[t][1]} COP")]
    _calc_block(ws, spec, lang, L.CALC_MONTHLY_HEADER_ROW, heads, L.CALC_MONTHLY_ROWS, L.calc_monthly_cells)
    # area block: table 2's q looked up natively beside the add-in's HP_Q_INDEX, row by row
    _calc_block(ws, spec, lang, L.CALC_AREA_HEADER_ROW,
                [("建筑类型", "Building type"), ("表2 q 下限（通用公式）", "Table q (any program)"),
                 ("HP_Q_INDEX（加载项）", "HP_Q_INDEX (add-in)"), ("是否一致", "Agree?")], L.CALC_AREA_ROWS,
                L.calc_area_cells)
    ws.print_title_rows = f"1:{spec.header_row}"
    # the area block is the add-in's row-by-row cross-check (part 4 prints its sum and whether it agrees;
    # without the add-in each filled row shows #NAME?): the paper stops after the monthly block
    ws.print_area = f"A1:{last}{L.CALC_MONTHLY_FIRST_ROW + L.CALC_MONTHLY_ROWS - 1}"


def _calc_block(ws, spec: L.SheetSpec, lang: str, header_row: int, heads, rows: int, cells_of) -> None:
    """A block of 核算 below its steps: a header row, then ``rows`` rows of ``cells_of(row, index)``."""
    _header_row(ws, header_row, heads, lang, dict(spec.widths))
    for i in range(rows):
        r = header_row + 1 + i
        for cell in cells_of(r, i):
            c = ws[f"{cell.column}{r}"]
            c.value = cell.formula
            _stamp(c, ("computed", cell.number_format), lambda c, cell=cell: _set(
                c, fill=_fill("computed"), font=F_BODY, border=BORDER, number_format=cell.number_format))


def _build_instructions(ws, spec: L.SheetSpec, lang: str, params: ParameterSet) -> None:
    _setup(ws, spec, lang)
    widths = dict(spec.widths)
    ws["A2"] = bi(f"依据《{methodology.TITLE_ZH}》（版本号 {methodology.VERSION}），长春市生态环境局",
                  f"per the {methodology.TITLE_EN} ({methodology.VERSION}), Changchun Ecology and "
                  "Environment Bureau", lang, "  ")
    ws["A2"].font = F_NOTE
    ws.merge_cells("A2:B2")
    ref = L.VERSION_CELL[1]
    _label(ws["A3"], bi("模板版本", "Template version", lang, " "))
    v = ws[ref]
    v.value = L.TEMPLATE_VERSION
    v.font, v.border, v.fill, v.alignment = F_BOLD, BORDER, _fill("locked"), Alignment(horizontal="left")
    _label(ws["A4"], bi("参数集", "Parameter set", lang, " "))
    p = ws["B4"]
    p.value = f"{params.version}（{params.effective_from.isoformat()} 起生效 / in force from)"
    p.font, p.border, p.fill = F_BODY, BORDER, _fill("locked")
    row = L.INSTRUCTIONS_FIRST_ROW
    for kind, lzh, len_, tzh, ten in texts.SECTIONS:
        if kind == "heading":
            if row > L.INSTRUCTIONS_FIRST_ROW:
                row += 1
            _section(ws, row, lzh, len_, lang, "B")
        else:
            a = ws.cell(row, 1, bi(lzh, len_, lang))
            a.font, a.alignment, a.border = F_BOLD, WRAP, BORDER
            if kind.startswith("colour:"):
                a.fill = _fill(kind.split(":", 1)[1])
                if kind.endswith("header"):
                    a.font = F_HEADER
            b = ws.cell(row, 2, bi(tzh, ten, lang))
            b.font, b.alignment, b.border = F_BODY, WRAP, BORDER
            _fit_height(ws, row, [(a.value, widths["A"]), (b.value, widths["B"])])
        row += 1
    ws.print_area = f"A1:B{row - 1}"


def _build_lists(ws, spec: L.SheetSpec, params: ParameterSet) -> None:
    for i, vocab in enumerate(L.VOCABS, start=1):
        ws.cell(1, i, vocab.key).font = F_BOLD
        for j, option in enumerate(vocab.options, start=2):
            ws.cell(j, i, option.zh).font = F_BODY
    # 表2's lowest q by dropdown label, for the areas sheet's native lookup (same set as the 参数 sheet)
    first = L.Q_TABLE_FIRST_COLUMN
    for i, head in enumerate(L.Q_TABLE_NAMES):
        ws.cell(1, first + i, head).font = F_BOLD
    for j, key in enumerate(L.BUILDING_TYPES, start=2):
        q = params.q_rows[key]
        for i, value in enumerate((q.label_zh, q.not_energy_saving[0], q.energy_saving[0])):
            ws.cell(j, first + i, value).font = F_BODY
    for col, width in spec.widths:
        ws.column_dimensions[col].width = width
    ws.protection.sheet = True
    ws.sheet_state = "hidden"


def build_workbook(lang: str = "zh", params: ParameterSet | None = None) -> Workbook:
    """The blank declaration template as an openpyxl Workbook (``lang`` puts zh or en first)."""
    if lang not in ("zh", "en"):
        raise ValueError("lang must be zh or en")
    params = params or set_in_force()
    wb = Workbook()
    wb.remove(wb.active)
    for spec in L.SHEETS:
        ws = wb.create_sheet(spec.name)
        if spec.kind == "instructions":
            _build_instructions(ws, spec, lang, params)
        elif spec.kind == "form":
            _build_form(ws, spec, lang, params)
        elif spec.kind == "grid":
            _build_grid(ws, spec, lang)
        elif spec.kind == "table":
            _build_table(ws, spec, lang)
        elif spec.kind == "calc":
            _build_calc(ws, spec, lang)
        elif spec.kind == "lists":
            _build_lists(ws, spec, params)
    for name, ref in L.LAYOUT.defined_names.items():
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
    wb.active = 0
    wb.calculation.fullCalcOnLoad = True
    props = wb.properties
    props.title = "长春市热泵供暖碳普惠申报表 / Changchun heat-pump heating declaration"
    props.creator = "hpcarbon"
    props.lastModifiedBy = "hpcarbon"
    props.keywords = f"hpcarbon-template {L.TEMPLATE_VERSION}"
    props.created = _FIXED_TIME
    props.modified = _FIXED_TIME
    return wb


_MODIFIED = re.compile(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>")


def _exact_string(value):
    """openpyxl's cell-value formatter, but a float keeps all its digits (``repr``, the shortest
    text that reads back as the same double) instead of ``%.16g`` — SPEC §9: full double precision."""
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    return _openpyxl_safe_string(value)


# openpyxl (3.1) writes cell values through this module-level name; imported plainly so that another openpyxl
# layout fails here, loudly, instead of the template silently losing full double precision
_openpyxl_safe_string = _cell_writer.safe_string


@contextlib.contextmanager
def _exact_numbers():
    _cell_writer.safe_string = _exact_string
    try:
        yield
    finally:
        _cell_writer.safe_string = _openpyxl_safe_string


class _DeterministicZip(zipfile.ZipFile):
    """The archive openpyxl writes into, made deterministic as it is written: every member deflated, with
    the fixed time and mode, and the document's modification date fixed (one compression pass; it used
    to be written, read back and compressed again)."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        name = zinfo_or_arcname.filename if isinstance(zinfo_or_arcname, zipfile.ZipInfo) else zinfo_or_arcname
        if isinstance(data, str):
            data = data.encode("utf-8")
        if name == "docProps/core.xml":
            stamp = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
            data = _MODIFIED.sub(rb"<dcterms:modified\1>" + stamp + rb"</dcterms:modified>", data)
        entry = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
        entry.compress_type = zipfile.ZIP_DEFLATED
        entry.external_attr = 0o644 << 16
        super().writestr(entry, data)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        with open(filename, "rb") as fh:  # a sheet openpyxl streamed to a temporary file
            self.writestr(arcname or str(filename), fh.read())


def workbook_bytes(wb: Workbook) -> bytes:
    """Save ``wb`` deterministically (fixed zip entry times and document dates, same order) and
    with every number exact."""
    from openpyxl.writer.excel import ExcelWriter

    out = io.BytesIO()
    with _exact_numbers():
        ExcelWriter(wb, _DeterministicZip(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    return out.getvalue()


def template_bytes(lang: str = "zh") -> bytes:
    return workbook_bytes(build_workbook(lang))
