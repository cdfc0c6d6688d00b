"""The workbook assembled: its sheets in order, the template version, and :data:`LAYOUT` — slots by
path, tables, defined names, result cells. (Contents: :mod:`.sheets`, :mod:`.calc_sheet`.)"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from openpyxl.utils import get_column_letter

from hpcarbon.model import CopSource
from hpcarbon.vocabulary import BUILDING_TYPES, COP_SOURCE_LABEL, NO
from hpcarbon.workbook.calc_sheet import (
    ADDIN_COLUMN,
    CALC_LINES,
    CALC_TYPE_COLUMNS,
    RESULT_COLUMN,
    calc_monthly_names,
)
from hpcarbon.workbook.fields import RECHECK_ABOVE, RECHECK_ABOVE_EN, SheetSpec, Slot, Table
from hpcarbon.workbook.sheets import (
    AREAS,
    COP_FIRST_ROW,
    MEASUREMENTS,
    MONTHLY,
    MONTHLY_FIRST_ROW,
    AREA_FIRST_ROW,
    PARAMETER_LINES,
    PROJECT_LINES,
    RECHECK_LINES,
    S_AREAS,
    S_CALC,
    S_COP,
    S_INSTRUCTIONS,
    S_LISTS,
    S_MONTHLY,
    S_PARAMETERS,
    S_PROJECT,
    S_RECHECK,
    S_SYSTEMS,
    SYSTEM_LINES,
    VERSION_CELL,
    Q_TABLE_NAMES,
    VERSION_NAME,
    sheet_range,
)
from hpcarbon.workbook.vocabularies import TYPE_LABEL, TYPE_SHORT, TYPES, VOCABS

#: Stamped into every generated template (defined name ``HP_TEMPLATE_VERSION``); the reader
#: refuses a workbook whose stamp it does not support. Bump the minor when the input cells stay where they
#: are (help text, styling, the calculation sheet: an older minor is read in full, its calculation sheet not
#: compared with the core), the major when an input cell moves.
TEMPLATE_VERSION = "1.2"
#: Read in full. 1.0's calculation sheet predates the native results; 1.1's (earlier on 2026-12-01) has
#: 核算's rows below part 4's q step one higher than 1.2's (no add-in cross-check of q): neither is compared
#: with the core (the validator says so and names the current version)
SUPPORTED_TEMPLATE_VERSIONS = frozenset({"1.0", "1.1", TEMPLATE_VERSION})


SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec("instructions", S_INSTRUCTIONS, "长春市热泵供暖碳普惠申报表 — 填表说明",
              "Changchun heat-pump heating carbon-inclusion declaration — instructions", "instructions",
              (("A", 20), ("B", 72)), freeze=None),
    SheetSpec("project", S_PROJECT, "项目信息", "Project information", "form",
              (("A", 34), ("B", 38), ("C", 10), ("D", 52)),
              headers=(("项目", "Item"), ("填写", "Value"), ("单位", "Unit"), ("说明（条款）", "Help (clause)")),
              note_zh="黄色单元格为填写项；红色＝必填未填。", note_en="Yellow cells are inputs; red = required and empty.",
              lines=PROJECT_LINES, landscape=True, freeze="A4"),
    SheetSpec("systems", S_SYSTEMS, "热泵系统与计量", "Heat-pump systems and meters", "grid",
              (("A", 30), ("B", 18), ("C", 18), ("D", 18), ("E", 7), ("F", 42)),
              headers=(("项目", "Item"), *((TYPE_LABEL[t][0], f"{TYPE_SHORT[t][1].capitalize()} source") for t in TYPES),
                       ("单位", "Unit"), ("说明（条款）", "Help (clause)")),
              note_zh=f"每种热泵类型一列；未采用的类型填“{NO}”或留空。",
              note_en=f"One column per heat-pump type; leave unused types blank or “{NO}”.",
              lines=SYSTEM_LINES, landscape=True, freeze="B4"),
    SheetSpec("monthly", S_MONTHLY, "月度监测数据", "Monthly monitoring data", "table",
              (("A", 11), ("B", 10), ("C", 10), ("D", 8), ("E", 14), ("F", 14), ("G", 14), ("H", 11), ("I", 11),
               ("J", 11), ("K", 11), ("L", 10)),
              note_zh="供暖期内每个日历月一行（连续监测，至少每月记录一次）。耗电量空白＝缺读数，0＝读数为零。",
              note_en="One row per calendar month of the season. Blank electricity = no reading; 0 = a reading of zero.",
              table=MONTHLY, landscape=True, freeze=f"B{MONTHLY_FIRST_ROW}"),
    SheetSpec("measurements", S_COP, "现场测量 COP 记录（表8）", "On-site COP measurements (table 8)", "table",
              (("A", 18), ("B", 13), ("C", 12), ("D", 11), ("E", 10), ("F", 10), ("G", 10)),
              note_zh=f"仅 COP 来源为“{COP_SOURCE_LABEL[CopSource.onsite][0]}”的类型填写，每次测量一行。",
              note_en="Only for types whose COP source is on-site measurement; one row per measurement.",
              table=MEASUREMENTS, freeze=f"A{COP_FIRST_ROW}"),
    SheetSpec("areas", S_AREAS, "供暖面积与热指标（面积法）", "Heated areas and heat index (area method)", "table",
              (("A", 16), ("B", 10), ("C", 14), ("D", 12), ("E", 10), ("F", 10), ("G", 10), ("H", 11), ("I", 11),
               ("J", 15)),
              note_zh="无热量表的类型须按面积法校核（§6.2.3）；q 留空取表2 推荐值下限。",
              note_en="Types without a heat meter are checked by the area method (§6.2.3); blank q = the table's lowest value.",
              table=AREAS, landscape=True, freeze=f"A{AREA_FIRST_ROW}"),
    SheetSpec("recheck", S_RECHECK, "参数复核记录", "Parameter re-check record", "form",
              (("A", 30), ("B", 50), ("C", 8), ("D", 46)),
              headers=(("项目", "Item"), ("填写", "Value"), ("单位", "Unit"), ("说明（条款）", "Help (clause)")),
              note_zh=f"电算法与面积法偏差超过 {RECHECK_ABOVE} 时须重新核查参数并在此记录（§6.2.3.2）。",
              note_en=f"When the two methods deviate by more than {RECHECK_ABOVE_EN}, re-check the parameters and record it here.",
              lines=RECHECK_LINES, landscape=True, freeze="A4"),
    SheetSpec("parameters", S_PARAMETERS, "参数（生效参数集，锁定）", "Parameters (the set in force, locked)", "form",
              (("A", 34), ("B", 14), ("C", 14), ("D", 14), ("E", 58)),
              headers=(("参数", "Parameter"), ("数值", "Value"), ("单位", "Unit"), ("条款", "Clause"),
                       ("来源", "Source")),
              note_zh="以下数值由参数集给定，不可修改；有更新版本时以最新发布数据为准（表1–表4 备注）。",
              note_en="Values come from the parameter set and are locked; a newer published value supersedes them.",
              lines=PARAMETER_LINES, landscape=True, freeze="A4"),
    SheetSpec("calc", S_CALC, "核算", "Calculation", "calc",
              (("A", 26), ("B", 13), ("C", 13), ("D", 13), ("E", 15), ("F", 13), ("G", 11), ("H", 8), ("I", 19),
               ("J", 6)),
              headers=(("步骤", "Step"), *((f"{TYPE_SHORT[t][0]}热泵", TYPE_SHORT[t][1].split()[0].capitalize())
                                           for t in TYPES), ("结果（通用公式）", "Result (any program)"),
                       ("加载项 HP_* 结果", "Add-in HP_* result"), ("是否一致", "Agree?"), ("单位", "Unit"),
                       ("公式", "Formula"), ("条款", "Clause")),
              note_zh="E 列用 Excel、WPS、LibreOffice 都能计算的函数即时算出结果；F 列为 hpcarbon 加载项 HP_* 函数的结果"
                      "（未安装加载项时显示 #NAME?）；G 列说明两者是否一致。以校验器 hpcarbon validate 的核算为准。",
              note_en="Column E: results computed with functions every spreadsheet program evaluates; column F: the "
                      "hpcarbon add-in's HP_* results (#NAME? without the add-in); column G: whether they agree. "
                      "`hpcarbon validate` is the authority.",
              calc=CALC_LINES, landscape=True, freeze="B4"),
    SheetSpec("lists", S_LISTS, "下拉列表", "Dropdown lists", "lists",
              tuple((get_column_letter(i + 1), 24) for i in range(len(VOCABS) + 1 + len(Q_TABLE_NAMES))),
              hidden=True),
)


#: first column of the lists sheet's 表2 q block (after one column per vocabulary and a blank one)
Q_TABLE_FIRST_COLUMN = len(VOCABS) + 2


def lists_ranges() -> dict[str, str]:
    out = {v.name: sheet_range(S_LISTS, get_column_letter(i + 1), 2, get_column_letter(i + 1), 1 + len(v.options))
           for i, v in enumerate(VOCABS)}
    for i, name in enumerate(Q_TABLE_NAMES):
        col = get_column_letter(Q_TABLE_FIRST_COLUMN + i)
        out[name] = sheet_range(S_LISTS, col, 2, col, 1 + len(BUILDING_TYPES))
    return out


@dataclass(frozen=True)
class CalcCheck:
    """A cell of 核算 that must equal the core: ``key`` of accounting.Results (``sub`` its per-type entry),
    or a derived check (``recheck_needed``); ``native`` its native cell, ``addin`` the add-in's beside it."""

    key: str
    sub: str | None
    native: str
    addin: str | None
    label: str  # the step's label on the sheet


@dataclass(frozen=True)
class Layout:
    sheets: tuple[SheetSpec, ...]

    @cached_property
    def slots(self) -> tuple[Slot, ...]:
        """Every input slot, in schema order (sheet by sheet, top to bottom, left to right)."""
        out: list[Slot] = []
        for s in self.sheets:
            for line in s.lines:
                out += line.slots
            if s.table:
                out += s.table.slots
        return tuple(out)

    @cached_property
    def by_path(self) -> dict[str, tuple[Slot, ...]]:
        """Slots by path pattern (several for a systems row or a member list)."""
        out: dict[str, list[Slot]] = {}
        for slot in self.slots:
            out.setdefault(slot.path, []).append(slot)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def tables(self) -> dict[str, Table]:
        return {s.table.key: s.table for s in self.sheets if s.table}

    @cached_property
    def defined_names(self) -> dict[str, str]:
        """Every defined name of the template → its reference (``'sheet'!$B$5`` or a range)."""
        names: dict[str, str] = {VERSION_NAME: sheet_range(VERSION_CELL[0], VERSION_CELL[1][0], int(VERSION_CELL[1][1:]),
                                                     VERSION_CELL[1][0], int(VERSION_CELL[1][1:]))}
        for slot in self.slots:
            if slot.table:
                t = self.tables[slot.table]
                ref = sheet_range(slot.sheet, slot.column, t.first_row, slot.column, t.last_row)
            else:
                ref = sheet_range(slot.sheet, slot.column, slot.row, slot.column, slot.row)
            _add_name(names, slot.name, ref)
        for t in self.tables.values():
            for c in t.computed:
                _add_name(names, c.name, sheet_range(t.sheet, c.column, t.first_row, c.column, t.last_row))
        for line in CALC_LINES:
            for c in line.cells + ((line.addin,) if line.addin else ()):
                if c.name:
                    _add_name(names, c.name, sheet_range(S_CALC, c.column, line.row, c.column, line.row))
        for name, ref in calc_monthly_names().items():
            _add_name(names, name, ref)
        for name, ref in lists_ranges().items():
            _add_name(names, name, ref)
        return names

    @cached_property
    def result_cells(self) -> dict[str, tuple[str, str]]:
        """accounting.Results key → (sheet, cell) of the calculation cell that must equal it."""
        out = {}
        for line in CALC_LINES:
            if line.result:
                assert any(c.column == RESULT_COLUMN for c in line.cells), line.en
                out[line.result] = (S_CALC, f"{RESULT_COLUMN}{line.row}")
        return out

    @cached_property
    def calc_checks(self) -> tuple[CalcCheck, ...]:
        """Every cell of 核算 that must equal the core: its native result and, where the step has one, the
        add-in's — by Results key, per-type Results key, or derived check."""
        out = []
        for line in CALC_LINES:
            addin = f"{ADDIN_COLUMN}{line.row}" if line.addin else None
            if line.result:
                out.append(CalcCheck(line.result, None, f"{RESULT_COLUMN}{line.row}", addin, line.zh))
            if line.check:
                out.append(CalcCheck(line.check, None, f"{RESULT_COLUMN}{line.row}", addin, line.zh))
            if line.type_result:
                for c in line.cells:
                    htype = next((t for t, col in CALC_TYPE_COLUMNS.items() if col == c.column), None)
                    if htype is not None:
                        out.append(CalcCheck(line.type_result, htype.value, f"{c.column}{line.row}", None,
                                             f"{line.zh}（{TYPE_LABEL[htype][0]}）"))
        return tuple(out)

    def sheet_of(self, top: str) -> str | None:
        """The sheet holding a top-level JSON key."""
        return _TOP_SHEET.get(top)


def _add_name(names: dict[str, str], name: str, ref: str) -> None:
    if name in names and names[name] != ref:
        raise ValueError(f"defined name {name} declared twice ({names[name]} and {ref})")
    names[name] = ref


_TOP_SHEET = {"project": S_PROJECT, "season": S_PROJECT, "parameters": S_PARAMETERS, "systems": S_SYSTEMS,
              "total_heat_meter": S_SYSTEMS, "monthly": S_MONTHLY, "areas": S_AREAS, "recheck": S_RECHECK}

LAYOUT = Layout(SHEETS)
