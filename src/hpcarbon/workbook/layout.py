"""The one layout schema of the standard declaration workbook (申报表).

Every sheet, section, field, table and calculation cell of the workbook is declared here, once:
the declaration field (JSON path) it maps to, its defined name, its Chinese label with English
subtitle, unit, type, whether it is required, its allowed values, its help text and its
methodology clause. The template generator (:mod:`.template`), ``fill`` (:mod:`.fill`), the reader
(:mod:`.reader`) and the validator's cell references all derive from it; no cell position is
written anywhere else.

Locating a field
----------------
A *path* is the JSON path of SPEC §11 that rules and pydantic errors name, e.g. ``project.name``,
``systems[1].cop.report_value``, ``monthly[3].electricity_kwh.air``,
``systems[0].cop.measurements[12].value``, ``areas[2].served_by``.

* :func:`cell_of(path, decl)` — where ``fill`` puts that field for ``decl`` (tables compact, in
  declaration order; each heat-pump type in its own column of the systems sheet). Without ``decl``
  the system index cannot be resolved to a column and the row's label cell is returned.
* :meth:`hpcarbon.workbook.reader.ReadResult.locate` — where the reader *found* it (exact for a
  workbook a person filled, gaps and all); use this for a workbook that was read.

Both return ``(sheet, cell)``; a path with no cell of its own falls back to its first field,
then its row, then its section, then ``(sheet, None)``; an unknown path gives ``None``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from openpyxl.utils import get_column_letter

from hpcarbon.accounting import TYPE_LABEL
from hpcarbon.calendar import CONDITION_LABEL
from hpcarbon.model import (
    BuildingType,
    CopSource,
    District,
    GroundSubtype,
    HeatPumpType,
    OwnerType,
    WorkingCondition,
)
from hpcarbon.parameters import all_sets, set_in_force

#: Stamped into every generated template (defined name ``HP_TEMPLATE_VERSION``); the reader
#: refuses a workbook whose stamp it does not support. Bump the minor for a compatible change
#: (new help text, styling), the major when a cell moves.
TEMPLATE_VERSION = "1.0"
SUPPORTED_TEMPLATE_VERSIONS = frozenset({"1.0"})

TYPES: tuple[HeatPumpType, ...] = (HeatPumpType.ground, HeatPumpType.air, HeatPumpType.wastewater)
TYPE_TAG = {HeatPumpType.ground: "GROUND", HeatPumpType.air: "AIR", HeatPumpType.wastewater: "WASTEWATER"}
TYPE_SHORT = {HeatPumpType.ground: ("地源", "ground"), HeatPumpType.air: ("空气源", "air"),
              HeatPumpType.wastewater: ("余热水源", "waste-heat water")}


def clause_text(clause: str, lang: str = "zh") -> str:
    """``6.2.1`` → ``§6.2.1``; ``表8`` stays ``表8``."""
    return clause if not clause[:1].isdigit() else f"§{clause}"


# ---------------------------------------------------------------------------------------------
# Vocabularies (closed lists shown as dropdowns)
# ---------------------------------------------------------------------------------------------

_KEY_NOISE = str.maketrans("", "", " \t\u3000、,，/／;；·_-()（）")


def vocab_key(text: str) -> str:
    """Comparison key of a typed label: NFKC-folded, case-folded, spaces and punctuation removed."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_KEY_NOISE)


@dataclass(frozen=True)
class Option:
    value: Any  # the JSON value: an enum code (str) or a bool
    zh: str  # the label shown in the workbook's dropdown
    en: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vocab:
    key: str
    options: tuple[Option, ...]
    #: False: a suggestion list only; other text is accepted as typed (e.g. parameter version)
    closed: bool = True

    @property
    def name(self) -> str:
        """Defined name of the dropdown's list range."""
        return f"HP_LIST_{self.key.upper()}"

    def label(self, value: Any) -> str | None:
        """The dropdown label (Chinese) of a JSON value; None when the value is not in the list."""
        for o in self.options:
            if o.value == value and type(o.value) is type(value):
                return o.zh
        return None

    @cached_property
    def _lookup(self) -> dict[str, Any]:
        table: dict[str, Any] = {}
        for o in self.options:
            for text in (o.zh, o.en, str(o.value), *o.aliases):
                table.setdefault(vocab_key(text), o.value)
        return table

    def parse(self, text: str) -> Any:
        """The JSON value a typed label stands for (Chinese or English label, code, alias).

        Raises KeyError when it matches none."""
        return self._lookup[vocab_key(text)]

    def choices(self, lang: str = "zh") -> str:
        return ("、" if lang == "zh" else ", ").join(o.zh for o in self.options)


_DISTRICT_EN = {
    District.nanguan: "Nanguan District", District.kuancheng: "Kuancheng District",
    District.chaoyang: "Chaoyang District", District.erdao: "Erdao District", District.lvyuan: "Lvyuan District",
    District.shuangyang: "Shuangyang District", District.jiutai: "Jiutai District", District.yushu: "Yushu City",
    District.dehui: "Dehui City", District.gongzhuling: "Gongzhuling City", District.nong_an: "Nong'an County",
    District.changchun_new_area: "Changchun New Area",
    District.economic_development_zone: "Changchun Economic and Technological Development Zone",
    District.high_tech_zone: "Changchun High-tech Industrial Development Zone",
    District.jingyue_zone: "Changchun Jingyue High-tech Industrial Development Zone",
    District.automotive_zone: "Changchun Automotive Economic and Technological Development Zone",
    District.sino_korean_zone: "China-Korea (Changchun) International Cooperation Demonstration Zone",
}

YES_NO = Vocab("yes_no", (
    Option(True, "是", "yes", ("true", "y", "1", "有", "对", "√", "✓")),
    Option(False, "否", "no", ("false", "n", "0", "无", "不", "×", "✗")),
))
DISTRICT = Vocab("district", tuple(Option(d.value, d.value, _DISTRICT_EN[d], (d.name,)) for d in District))
OWNER_TYPE = Vocab("owner_type", (
    Option(OwnerType.enterprise.value, "企业", "enterprise", ("企业业主", "法人", "单位")),
    Option(OwnerType.individual.value, "个人", "individual", ("个体", "个体业主", "个人业主")),
))
HEAT_PUMP_TYPE = Vocab("heat_pump_type", tuple(
    Option(t.value, TYPE_LABEL[t][0], TYPE_LABEL[t][1], (TYPE_SHORT[t][0], TYPE_SHORT[t][1]) + (
        ("低温余热水源", "余热水源热泵", "水源热泵", "wastewater heat pump") if t is HeatPumpType.wastewater else ()))
    for t in TYPES))
GROUND_SUBTYPE = Vocab("ground_subtype", (
    Option(GroundSubtype.buried_pipe.value, "地埋管", "buried pipe", ("地埋管地源热泵",)),
    Option(GroundSubtype.surface_water.value, "地表水", "surface water", ("地表水地源热泵",)),
    Option(GroundSubtype.groundwater.value, "地下水", "groundwater", ("地下水地源热泵",)),
))
COP_SOURCE = Vocab("cop_source", (
    Option(CopSource.test_report.value, "检测报告", "test report", ("热泵设备检测报告", "设备检测报告", "report")),
    Option(CopSource.onsite.value, "现场测量", "on-site measurement", ("现场实测", "现场", "on-site", "onsite")),
))
CONDITION = Vocab("condition", tuple(
    Option(c.value, CONDITION_LABEL[c][0], CONDITION_LABEL[c][1], (CONDITION_LABEL[c][0] + "工况",))
    for c in (WorkingCondition.mild, WorkingCondition.normal, WorkingCondition.severe)))


def _building_vocab() -> Vocab:
    rows = set_in_force().q_rows
    return Vocab("building_type", tuple(
        Option(b.value, rows[b.value].label_zh, rows[b.value].label_en) for b in BuildingType))


BUILDING_TYPE = _building_vocab()
PARAMETER_VERSION = Vocab("parameter_version", tuple(Option(s.version, s.version, s.version) for s in all_sets()),
                          closed=False)

VOCABS: tuple[Vocab, ...] = (YES_NO, DISTRICT, OWNER_TYPE, HEAT_PUMP_TYPE, GROUND_SUBTYPE, COP_SOURCE, CONDITION,
                             BUILDING_TYPE, PARAMETER_VERSION)


# ---------------------------------------------------------------------------------------------
# Fields
# ---------------------------------------------------------------------------------------------

# Field kinds (how a cell is written, read and validated)
TEXT, ID, LONGTEXT, DATE, MONTH, NUMBER, BOOL, ENUM, MEMBER, PRESENCE = (
    "text", "id", "longtext", "date", "month", "number", "bool", "enum", "member", "presence")

# Required conditions (the template highlights an empty required cell; the reader leaves "required"
# to the model and the rules). Each is turned into a conditional-formatting formula by the template.
ALWAYS = "always"  # form field
ROW = "row"  # table column: when its row is used
IN_USE = "in_use"  # systems sheet: when the type is in use
HEAT_METERED = "heat_metered"  # monthly heat / heat meter: when the type is in use and heat-metered
ESTIMATED = "estimated"  # COP source: type in use, not heat-metered, not covered by the total meter
REPORT = "report"  # report COP: COP source is the test report
TOTAL = "total"  # total-output meter fields: when the meter is installed
PERFORMED = "performed"  # re-check fields: when the re-check was performed
ROW_IN_USE = "row_in_use"  # monthly electricity: row used and the type in use
ROW_HEAT = "row_heat"  # monthly heat: row used, type in use and heat-metered
ROW_TOTAL = "row_total"  # monthly total-output heat: row used and the total meter installed

_NUMBER_FORMATS = {
    "kWh": '#,##0.00" kWh"', "GJ": '#,##0.000" GJ"', "h": '#,##0.0" h"', "m²": '#,##0.00" m²"',
    "W/m²": '0.0" W/m²"', "°C": '0.0" °C"', "-": "0.00", "t CO2/GJ": '0.0000" t/GJ"',
    "kg CO2/kWh": '0.0000" kg/kWh"', "%": '0.00" %"',
}
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"


@dataclass(frozen=True)
class FieldSpec:
    zh: str
    en: str
    kind: str
    clause: str
    unit: str = ""
    vocab: Vocab | None = None
    required: str | None = None
    help_zh: str = ""
    help_en: str = ""
    minimum: float | None = None  # data validation lower bound
    exclusive: bool = False  # the bound itself is not allowed (> rather than ≥)
    maximum: float | None = None
    personal: bool = False  # an individual's personal data (SPEC §10): never echoed in a message

    @property
    def number_format(self) -> str:
        if self.kind in (DATE,):
            return DATE_FORMAT
        if self.kind in (TEXT, ID, LONGTEXT, MONTH):
            return TEXT_FORMAT
        if self.kind == NUMBER:
            return _NUMBER_FORMATS.get(self.unit, "General")
        return "General"

    def label(self, lang: str = "zh", sep: str = "\n") -> str:
        return f"{self.zh}{sep}{self.en}" if lang == "zh" else f"{self.en}{sep}{self.zh}"

    def header(self, lang: str = "zh") -> str:
        unit = f"（{self.unit}）" if self.unit and self.unit != "-" else ""
        return f"{self.zh}{unit}\n{self.en}" if lang == "zh" else f"{self.en}{unit}\n{self.zh}"


@dataclass(frozen=True)
class Slot:
    """One input cell (form/grid) or one input column (table) and the declaration field it holds.

    ``path`` is a pattern: ``{t}`` stands for a heat-pump type (a column of the systems sheet, or the
    type column of a COP row) and ``{i}`` for a table row index, e.g. ``monthly[{i}].electricity_kwh.air``.
    """

    path: str
    sheet: str
    column: str
    row: int | None  # fixed row; None for a table column
    spec: FieldSpec
    name: str  # defined name: the cell, or the table column's data range
    table: str | None = None
    htype: HeatPumpType | None = None  # the systems-sheet column this cell belongs to
    member: HeatPumpType | None = None  # MEMBER: the list item this yes/no cell stands for
    locked: bool = False  # declared but not an input (the parameters in force)
    json_key: str | None = None  # last JSON key (for dict entries and members), see reader/fill

    def cell(self, row: int | None = None) -> str:
        return f"{self.column}{self.row if row is None else row}"


@dataclass(frozen=True)
class Line:
    """A row of a form or grid sheet: a section heading (no slots) or a field with its cells."""

    row: int
    zh: str
    en: str
    slots: tuple[Slot, ...] = ()
    spec: FieldSpec | None = None
    note_zh: str = ""  # text for non-input cells of the row (e.g. "仅地源热泵")
    note_en: str = ""

    @property
    def heading(self) -> bool:
        return self.spec is None


@dataclass(frozen=True)
class Computed:
    """A locked formula column of a table (``{r}`` = the row)."""

    column: str
    zh: str
    en: str
    formula: str
    name: str
    number_format: str = "General"
    unit: str = ""


@dataclass(frozen=True)
class Table:
    key: str  # monthly | measurements | areas
    sheet: str
    header_row: int
    first_row: int
    rows: int
    print_rows: int  # rows the blank template prints (fill prints the rows it used)
    slots: tuple[Slot, ...]  # input columns, left to right
    computed: tuple[Computed, ...] = ()
    groups: tuple[tuple[str, str, str, str], ...] = ()  # (first col, last col, zh, en) over the header
    total_row: bool = False  # a locked 合计 row after the data rows

    @property
    def last_row(self) -> int:
        return self.first_row + self.rows - 1

    @property
    def end_row(self) -> int:
        """The locked row right after the data rows (合计 total, or the end-of-table marker): the
        reader checks it is still there, so an inserted or deleted row is reported, not misread."""
        return self.last_row + 1

    @property
    def end_label(self) -> str:
        return "合计" if self.total_row else "表格结束"

    @property
    def first_column(self) -> str:
        return self.slots[0].column

    @property
    def last_input_column(self) -> str:
        return self.slots[-1].column

    @property
    def last_column(self) -> str:
        return (self.computed[-1] if self.computed else self.slots[-1]).column

    def row_of(self, index: int) -> int | None:
        row = self.first_row + index
        return row if 0 <= index < self.rows else None


@dataclass(frozen=True)
class CalcCell:
    column: str
    formula: str
    name: str | None = None
    number_format: str = "General"


@dataclass(frozen=True)
class CalcLine:
    """A row of the calculation sheet: a heading, or a step with per-type cells and/or a result."""

    row: int
    zh: str
    en: str
    cells: tuple[CalcCell, ...] = ()
    unit: str = ""
    formula_zh: str = ""
    clause: str = ""
    result: str | None = None  # key of accounting.Results this step's E cell must equal
    heading: bool = False


@dataclass(frozen=True)
class SheetSpec:
    key: str
    name: str  # the tab name
    zh: str  # title
    en: str
    kind: str  # instructions | form | grid | table | calc | lists
    widths: tuple[tuple[str, float], ...]
    header_row: int = 3
    headers: tuple[tuple[str, str], ...] = ()  # column headers (zh, en) for form/grid/calc sheets
    note_zh: str = ""
    note_en: str = ""
    lines: tuple[Line, ...] = ()
    table: Table | None = None
    calc: tuple[CalcLine, ...] = ()
    landscape: bool = False
    freeze: str | None = None
    print_last_row: int | None = None
    hidden: bool = False

    @property
    def last_column(self) -> str:
        return self.widths[-1][0]


# ---------------------------------------------------------------------------------------------
# The sheets
# ---------------------------------------------------------------------------------------------

S_INSTRUCTIONS, S_PROJECT, S_SYSTEMS, S_MONTHLY, S_COP, S_AREAS, S_RECHECK, S_PARAMETERS, S_CALC, S_LISTS = (
    "填表说明", "项目信息", "热泵系统", "月度数据", "COP记录", "面积", "复核记录", "参数", "核算", "列表")

#: The cell holding the template version stamp (defined name ``HP_TEMPLATE_VERSION``).
VERSION_CELL = (S_INSTRUCTIONS, "B3")
VERSION_NAME = "HP_TEMPLATE_VERSION"
#: The instructions sheet's text starts on this row (text rows are generated in order).
INSTRUCTIONS_FIRST_ROW = 6

MONTHLY_ROWS = 24  # = the model's limit (Declaration.monthly max_length); a season touches ≤ 13 months
COP_ROWS = 600  # daily measurements of a district station, for up to three types
AREA_ROWS = 200


def _form(sheet: str, first_row: int, sections, value_column: str = "B") -> tuple[Line, ...]:
    """Lay out a form sheet: sections of (path, name, spec) rows, one value cell each."""
    lines, row = [], first_row
    for (zh, en), fields in sections:
        lines.append(Line(row, zh, en))
        row += 1
        for path, name, spec, locked in fields:
            slot = Slot(path, sheet, value_column, row, spec, name, locked=locked,
                        json_key=path.rsplit(".", 1)[-1])
            lines.append(Line(row, spec.zh, spec.en, (slot,), spec))
            row += 1
    return tuple(lines)


def _f(zh, en, kind, clause, unit="", vocab=None, required=None, help_zh="", help_en="", **kw) -> FieldSpec:
    return FieldSpec(zh, en, kind, clause, unit, vocab, required, help_zh, help_en, **kw)


# --- 项目信息 Project ---------------------------------------------------------------------------

_STATEMENTS = (
    ("not_claimed_elsewhere", "2.3", "未在其他减排机制申报", "not claimed in any other mechanism",
     "该减排行为未在其他温室气体减排机制（如全国温室气体自愿减排）下核算并取得减排量",
     "the reduction has not been accounted or credited under any other mechanism (e.g. national CCER)"),
    ("refrigerant_compliant", "2.1.2.1", "制冷剂符合法规", "refrigerants comply with law",
     "热泵系统所有制冷装置使用的制冷剂均符合国家相关法律法规要求",
     "every refrigerant used complies with national laws and regulations"),
    ("standards_compliant", "2.1.2.2", "设计和实施符合标准", "design and construction meet standards",
     "热泵系统设计和实施符合现行国家和地方相关标准",
     "the system's design and construction comply with current national and local standards"),
    ("owner_qualified", "2.2", "业主具备资格", "the owner is qualified",
     "企业：独立法人、供暖经营资质或产权证明、建立台账；个人：建筑所有权、与供暖企业或监测平台的协议",
     "enterprise: legal person, heating licence or property certificate, ledgers; individual: ownership, "
     "agreement with a heating company or platform"),
    ("data_authorised", "7.3.1", "数据收集已获授权", "data collection is authorised",
     "供暖量、耗电量等数据的收集和使用已获业主/用户授权",
     "collecting and using heat and electricity data is authorised by the owner/user"),
)

PROJECT_LINES = _form(S_PROJECT, 4, [
    (("一、项目", "1. Project"), [
        ("project.id", "HP_PROJECT_ID", _f("项目编号", "Project ID", TEXT, "7.3.3", required=ALWAYS,
                                          help_zh="碳普惠平台备案编号，或业主自编的唯一编号",
                                          help_en="the platform's registration number, or your own unique id"), False),
        ("project.name", "HP_PROJECT_NAME", _f("项目名称", "Project name", TEXT, "1", required=ALWAYS,
                                              help_zh="项目全称", help_en="full name of the project"), False),
        ("project.district", "HP_PROJECT_DISTRICT", _f(
            "所在区域", "District", ENUM, "1", vocab=DISTRICT, required=ALWAYS,
            help_zh="须在长春市行政区域内：从下拉列表选择区、县（市）或开发区",
            help_en="must be inside Changchun: choose the district, county or development zone"), False),
        ("project.address", "HP_PROJECT_ADDRESS", _f("项目地址", "Address", TEXT, "1", required=ALWAYS,
                                                    help_zh="项目所在地详细地址", help_en="street address"), False),
        ("project.operation_start", "HP_PROJECT_OPERATION_START", _f(
            "热泵实际开始运行日期", "Operation start date", DATE, "5.3", required=ALWAYS,
            help_zh="不得早于 2023-01-01（可追溯期）；15 年计入期自此日起算（§5.2）",
            help_en="on or after 2023-01-01 (traceability); the 15-year crediting period starts here (§5.2)"), False),
    ]),
    (("二、项目业主", "2. Owner"), [
        ("project.owner.type", "HP_OWNER_TYPE", _f(
            "业主类型", "Owner type", ENUM, "2.2", vocab=OWNER_TYPE, required=ALWAYS,
            help_zh="企业（独立法人）或个人", help_en="enterprise (legal person) or individual"), False),
        ("project.owner.name", "HP_OWNER_NAME", _f(
            "业主名称/姓名", "Owner name", TEXT, "2.2", required=ALWAYS, personal=True,
            help_zh="企业全称或个人姓名（个人信息在报告中脱敏显示）",
            help_en="company name or the person's name (masked in every report)"), False),
        ("project.owner.id_number", "HP_OWNER_ID_NUMBER", _f(
            "统一社会信用代码/身份证号", "USCC / resident ID", ID, "2.2", required=ALWAYS, personal=True,
            help_zh="企业填 18 位统一社会信用代码，个人填 18 位居民身份证号（本格为文本格式）",
            help_en="enterprise: 18-character unified social credit code; individual: 18-digit resident ID"), False),
        ("project.owner.phone", "HP_OWNER_PHONE", _f(
            "联系电话", "Phone", ID, "2.2", personal=True,
            help_zh="选填", help_en="optional"), False),
    ]),
    (("三、供暖期与参数集", "3. Heating season and parameter set"), [
        ("season.start", "HP_SEASON_START", _f(
            "供暖期开始日期", "Season start", DATE, "5.2", required=ALWAYS,
            help_zh="一份申报＝一个项目的一个供暖周期；不得早于热泵实际开始运行日期",
            help_en="one declaration = one project, one heating season; not before the operation start"), False),
        ("season.end", "HP_SEASON_END", _f(
            "供暖期结束日期（含当日）", "Season end (inclusive)", DATE, "5.2", required=ALWAYS,
            help_zh="须在 15 年计入期内", help_en="must lie within the 15-year crediting period"), False),
        ("parameters.version", "HP_PARAMETERS_VERSION", _f(
            "参数集版本", "Parameter set version", TEXT, "7.1", vocab=PARAMETER_VERSION, required=ALWAYS,
            help_zh="供暖期开始日生效的参数集（数值见“参数”表）",
            help_en="the parameter set in force on the season start (values on sheet 参数)"), False),
    ]),
    (("四、书面声明（是/否）", "4. Written statements (yes/no)"), [
        (f"project.statements.{key}", f"HP_STATEMENT_{key.upper()}", _f(
            zh, en, BOOL, clause, vocab=YES_NO, required=ALWAYS, help_zh=hzh, help_en=hen), False)
        for key, clause, zh, en, hzh, hen in _STATEMENTS
    ]),
])

# --- 参数 Parameters (declared values: locked, prefilled with the set in force) --------------------

PARAMETER_LINES = _form(S_PARAMETERS, 4, [
    (("一、申报采用的参数（表1、表3、表4）", "1. Parameters declared (tables 1, 3, 4)"), [
        ("parameters.ef_heat", "HP_PARAMETERS_EF_HEAT", _f(
            "EF_heat 热力排放因子", "EF_heat heat emission factor", NUMBER, "表1", "t CO2/GJ", minimum=0,
            exclusive=True, help_zh="公式（1）；由参数集给定，不可修改",
            help_en="formula (1); set by the parameter set, not editable"), True),
        ("parameters.ef_elec", "HP_PARAMETERS_EF_ELEC", _f(
            "EF_elec 吉林省电力排放因子", "EF_elec Jilin grid emission factor", NUMBER, "表3", "kg CO2/kWh",
            minimum=0, exclusive=True, help_zh="公式（4）；由参数集给定，不可修改",
            help_en="formula (4); set by the parameter set, not editable"), True),
        ("parameters.td_percent", "HP_PARAMETERS_TD_PERCENT", _f(
            "TD 电网输配电损失率", "TD grid loss rate", NUMBER, "表4", "%", minimum=0,
            help_zh="公式（4）；由参数集给定，不可修改", help_en="formula (4); set by the parameter set, not editable"),
         True),
    ]),
], value_column="B")
#: first row of the parameters sheet's informative part (q table 表2, meter cycles)
PARAMETER_INFO_ROW = PARAMETER_LINES[-1].row + 2

# --- 热泵系统 Systems (one column per heat-pump type) ---------------------------------------------

SYSTEM_COLUMNS = {HeatPumpType.ground: "B", HeatPumpType.air: "C", HeatPumpType.wastewater: "D"}


def _grid() -> tuple[Line, ...]:
    sections = [
        (("一、热泵系统与计量", "1. Heat-pump systems and meters"), [
            ("systems[{t}]", "IN_USE", _f(
                "是否采用该类型热泵", "This type is in use", PRESENCE, "6.2.1", vocab=YES_NO,
                help_zh="采用的类型填“是”；不同类型热泵严禁混合计算，各占一列",
                help_en="yes for each type the project uses; types are never mixed, one column each"), TYPES),
            ("systems[{t}].subtype", "SUBTYPE", _f(
                "地源热泵形式", "Ground-source subtype", ENUM, "2.1.1.1", vocab=GROUND_SUBTYPE, required=IN_USE,
                help_zh="地埋管、地表水或地下水（仅地源热泵）", help_en="buried pipe, surface water or groundwater"),
             (HeatPumpType.ground,)),
            ("systems[{t}].heat_metered", "HEAT_METERED", _f(
                "单独安装热量表计量", "Own heat meter", BOOL, "表5–表7", vocab=YES_NO, required=IN_USE,
                help_zh="该类型输出端有热量表：是；无热量表（供热量估算）或由总输出端热量表计量：否",
                help_en="yes when this type's output has its own heat meter; no when estimated or on the total meter"),
             TYPES),
            ("systems[{t}].heat_meter.id", "HEAT_METER_ID", _f(
                "热量表编号", "Heat meter id", TEXT, "表5–表7", required=HEAT_METERED,
                help_zh="准确度符合 GB/T 32224", help_en="accuracy per GB/T 32224"), TYPES),
            ("systems[{t}].heat_meter.verified_on", "HEAT_METER_VERIFIED_ON", _f(
                "热量表最近检定日期", "Heat meter last verified", DATE, "7.3.2", required=HEAT_METERED,
                help_zh="按 JJG 225 检定周期定期检定", help_en="verified per the JJG 225 cycle"), TYPES),
            ("systems[{t}].electricity_meter.id", "ELECTRICITY_METER_ID", _f(
                "电能表编号", "Electricity meter id", TEXT, "表9–表11", required=IN_USE,
                help_zh="按热泵类型分别计量耗电量；准确度符合 DL/T 448",
                help_en="electricity is metered per type; accuracy per DL/T 448"), TYPES),
            ("systems[{t}].electricity_meter.verified_on", "ELECTRICITY_METER_VERIFIED_ON", _f(
                "电能表最近检定日期", "Electricity meter last verified", DATE, "7.3.2", required=IN_USE,
                help_zh="按 JJG 596 检定周期定期检定", help_en="verified per the JJG 596 cycle"), TYPES),
        ]),
        (("二、COP（无热量表的类型，表8）", "2. COP (types without a heat meter, table 8)"), [
            ("systems[{t}].cop.source", "COP_SOURCE", _f(
                "COP 来源", "COP source", ENUM, "表8", vocab=COP_SOURCE, required=ESTIMATED,
                help_zh="优先采用热泵设备检测报告；无报告时采用专业机构现场测量（记录填“COP记录”表）",
                help_en="the equipment test report first; else on-site measurement (sheet COP记录)"), TYPES),
            ("systems[{t}].cop.report_value", "COP_REPORT_VALUE", _f(
                "检测报告 COP", "Test-report COP", NUMBER, "表8", "-", required=REPORT, minimum=0, exclusive=True,
                help_zh="热泵设备检测报告中的制热性能系数；严禁高估（§6.2.4.1）",
                help_en="heating COP from the equipment test report; never overestimate (§6.2.4.1)"), TYPES),
            ("systems[{t}].cop.report_no", "COP_REPORT_NO", _f(
                "检测报告编号", "Test-report number", TEXT, "表8", required=REPORT,
                help_zh="检测报告编号", help_en="number of the test report"), TYPES),
        ]),
        (("三、总输出端热量表（两种及以上热泵耦合时）", "3. Total-output heat meter (two or more coupled types)"), [
            ("total_heat_meter", "TOTAL_METER_INSTALLED", _f(
                "是否在总输出端安装热量表", "Total-output heat meter installed", PRESENCE, "表5–表7", vocab=YES_NO,
                help_zh="仅适用于两种及以上热泵耦合的项目；读数填“月度数据”表的总输出端热量列",
                help_en="only for two or more coupled types; its readings go to the monthly sheet's total column"),
             (HeatPumpType.ground,)),
            ("total_heat_meter.covers", "TOTAL_METER_COVERS", _f(
                "由总输出端热量表计量", "Covered by the total meter", MEMBER, "表5–表7", vocab=YES_NO,
                help_zh="该类型的供热量由总输出端热量表计量：是",
                help_en="yes when this type's heat is measured by the total-output meter"), TYPES),
            ("total_heat_meter.id", "TOTAL_METER_ID", _f(
                "总输出端热量表编号", "Total meter id", TEXT, "表5–表7", required=TOTAL,
                help_zh="准确度符合 GB/T 32224", help_en="accuracy per GB/T 32224"), (HeatPumpType.ground,)),
            ("total_heat_meter.verified_on", "TOTAL_METER_VERIFIED_ON", _f(
                "总输出端热量表最近检定日期", "Total meter last verified", DATE, "7.3.2", required=TOTAL,
                help_zh="按 JJG 225 检定周期定期检定", help_en="verified per the JJG 225 cycle"),
             (HeatPumpType.ground,)),
        ]),
    ]
    lines, row = [], 4
    for (zh, en), fields in sections:
        lines.append(Line(row, zh, en))
        row += 1
        for path, tag, spec, types in fields:
            slots = []
            for t in types:
                if path.startswith("total_heat_meter") and spec.kind != MEMBER:
                    name = f"HP_{tag}"
                else:
                    name = f"HP_{tag}_{TYPE_TAG[t]}"
                slots.append(Slot(path, S_SYSTEMS, SYSTEM_COLUMNS[t], row, spec, name, htype=t,
                                  member=t if spec.kind == MEMBER else None,
                                  json_key=t.value if spec.kind == MEMBER else path.rsplit(".", 1)[-1]))
            note = ("仅地源热泵", "ground source only") if path.endswith("subtype") else (
                ("—", "—") if len(types) == 1 else ("", ""))
            lines.append(Line(row, spec.zh, spec.en, tuple(slots), spec, *note))
            row += 1
    return tuple(lines)


SYSTEM_LINES = _grid()

# --- 月度数据 Monthly ---------------------------------------------------------------------------

MONTHLY_FIRST_ROW = 5


def _monthly() -> Table:
    sheet, slots = S_MONTHLY, []

    def add(col, path, name, spec, key=None):
        slots.append(Slot(path, sheet, col, None, spec, name, table="monthly", json_key=key))

    add("A", "monthly[{i}].month", "HP_MONTHLY_MONTH", _f(
        "月份", "Month", MONTH, "表5–表11", required=ROW,
        help_zh="YYYY-MM，如 2024-10；供暖期内每个日历月一行", help_en="YYYY-MM, e.g. 2024-10; one row per month"))
    add("B", "monthly[{i}].heating_hours", "HP_MONTHLY_HEATING_HOURS", _f(
        "供暖小时数", "Heating hours", NUMBER, "6.2.4.2", "h", required=ROW, minimum=0,
        help_zh="该月供暖期内的供暖小时数，不超过 24 × 当月供暖天数",
        help_en="hours heated in the month, at most 24 × the season's days in it"))
    add("C", "monthly[{i}].outage_hours", "HP_MONTHLY_OUTAGE_HOURS", _f(
        "停供/间歇小时数", "Outage hours", NUMBER, "6.2.4.2", "h", minimum=0,
        help_zh="停供、间歇供暖的小时数，须扣除（空白＝0）", help_en="outage or intermittent hours, deducted (blank = 0)"))
    add("D", "monthly[{i}].extreme_weather", "HP_MONTHLY_EXTREME_WEATHER", _f(
        "极端天气", "Extreme weather", BOOL, "表8", vocab=YES_NO,
        help_zh="当月出现严寒暴雪或异常升温：是（现场测量 COP 须加测 1 次）",
        help_en="yes if the month had extreme weather (one more on-site COP measurement)"))
    for col, t in zip("EFG", TYPES):
        add(col, f"monthly[{{i}}].electricity_kwh.{t.value}", f"HP_MONTHLY_ELEC_{TYPE_TAG[t]}", _f(
            f"耗电量-{TYPE_LABEL[t][0]}", f"Electricity, {TYPE_SHORT[t][1]}", NUMBER, "表9–表11", "kWh",
            required=ROW_IN_USE, minimum=0,
            help_zh="电能表当月读数差；空白＝未抄表（缺读数），没有用电填 0",
            help_en="the month's metered use; blank = no reading, enter 0 when none was used"), t.value)
    for col, t in zip("HIJ", TYPES):
        add(col, f"monthly[{{i}}].heat_gj.{t.value}", f"HP_MONTHLY_HEAT_{TYPE_TAG[t]}", _f(
            f"供热量-{TYPE_LABEL[t][0]}", f"Heat, {TYPE_SHORT[t][1]}", NUMBER, "表5–表7", "GJ",
            required=ROW_HEAT, minimum=0,
            help_zh="仅单独安装热量表的类型填写：热量表当月读数差",
            help_en="only for types with their own heat meter: the month's metered heat"), t.value)
    add("K", "monthly[{i}].total_heat_gj", "HP_MONTHLY_TOTAL_HEAT", _f(
        "总输出端供热量", "Total-output heat", NUMBER, "表5–表7", "GJ", required=ROW_TOTAL, minimum=0,
        help_zh="仅安装总输出端热量表时填写：当月读数差", help_en="only with a total-output meter: the month's heat"))
    return Table("monthly", sheet, 4, MONTHLY_FIRST_ROW, MONTHLY_ROWS, MONTHLY_ROWS, tuple(slots), (
        Computed("L", "实际供暖小时数", "Net heating hours", '=IF(LEN($A{r})=0,"",N(B{r})-N(C{r}))',
                 "HP_MONTHLY_NET_HOURS", _NUMBER_FORMATS["h"], "h"),
    ), groups=(("E", "G", "耗电量 kWh（表9–表11）", "Electricity, kWh"),
               ("H", "K", "供热量 GJ（表5–表7，有热量表时）", "Heat, GJ (metered types only)")),
        total_row=True)


MONTHLY = _monthly()

# --- COP记录 On-site COP measurements ---------------------------------------------------------------

COP_FIRST_ROW = 4


def _measurements() -> Table:
    sheet = S_COP
    base = "systems[{t}].cop.measurements[{i}]"
    slots = (
        Slot(base, sheet, "A", None, _f(
            "热泵类型", "Heat-pump type", ENUM, "表8", vocab=HEAT_PUMP_TYPE, required=ROW,
            help_zh="该次测量的热泵类型（须在“热泵系统”表中采用）",
            help_en="the type measured (must be in use on the systems sheet)"),
            "HP_COP_TYPE", table="measurements"),
        Slot(base + ".date", sheet, "B", None, _f(
            "测量日期", "Date", DATE, "表8", required=ROW,
            help_zh="监测日期；温和月 1 次、常规月 2 次、严寒月 3 次，极端天气加 1 次",
            help_en="date; mild months 1, normal 2, severe 3 measurements, one more with extreme weather"),
            "HP_COP_DATE", table="measurements", json_key="date"),
        Slot(base + ".outdoor_temp_c", sheet, "C", None, _f(
            "室外温度", "Outdoor temperature", NUMBER, "表8", "°C", required=ROW, minimum=-60, maximum=50,
            help_zh="测量时的室外温度", help_en="outdoor temperature at the measurement"),
            "HP_COP_OUTDOOR_TEMP", table="measurements", json_key="outdoor_temp_c"),
        Slot(base + ".condition", sheet, "D", None, _f(
            "供暖工况", "Condition", ENUM, "表8", vocab=CONDITION,
            help_zh="温和（10月下旬、4月上旬）、常规（11月、3月）、严寒（12月至2月）",
            help_en="mild (late Oct, early Apr), normal (Nov, Mar), severe (Dec–Feb)"),
            "HP_COP_CONDITION", table="measurements", json_key="condition"),
        Slot(base + ".extreme_weather", sheet, "E", None, _f(
            "极端天气", "Extreme weather", BOOL, "表8", vocab=YES_NO,
            help_zh="极端天气下的加测：是", help_en="yes for the extra measurement in extreme weather"),
            "HP_COP_EXTREME_WEATHER", table="measurements", json_key="extreme_weather"),
        Slot(base + ".value", sheet, "F", None, _f(
            "单次 COP", "COP", NUMBER, "表8", "-", required=ROW, minimum=0, exclusive=True,
            help_zh="专业机构现场测量的单次 COP 值（月均值由各次取平均）",
            help_en="one on-site COP value by a professional body (the month's mean is taken)"),
            "HP_COP_VALUE", table="measurements", json_key="value"),
    )
    return Table("measurements", sheet, 3, COP_FIRST_ROW, COP_ROWS, 40, slots, (
        Computed("G", "月份", "Month",
                 '=IF(LEN($B{r})=0,"",IFERROR(YEAR($B{r})&"-"&TEXT(MONTH($B{r}),"00"),""))', "HP_COP_MONTH"),
    ))


MEASUREMENTS = _measurements()

# --- 面积 Heated areas ---------------------------------------------------------------------------

AREA_FIRST_ROW = 4


def _areas() -> Table:
    sheet = S_AREAS
    slots = [
        Slot("areas[{i}].building_type", sheet, "A", None, _f(
            "建筑类型", "Building type", ENUM, "表2", vocab=BUILDING_TYPE, required=ROW,
            help_zh="按 CJJ/T 34-2022 表 3.1.2-1 的建筑类型", help_en="building type of CJJ/T 34-2022 table 3.1.2-1"),
            "HP_AREA_BUILDING_TYPE", table="areas", json_key="building_type"),
        Slot("areas[{i}].energy_saving", sheet, "B", None, _f(
            "采取节能措施", "Energy-saving", BOOL, "表2", vocab=YES_NO, required=ROW,
            help_zh="建筑采取节能措施：是；未采取：否", help_en="yes if the building is energy-saving"),
            "HP_AREA_ENERGY_SAVING", table="areas", json_key="energy_saving"),
        Slot("areas[{i}].area_m2", sheet, "C", None, _f(
            "实际供暖面积", "Heated area", NUMBER, "6.2.2", "m²", required=ROW, minimum=0, exclusive=True,
            help_zh="项目实际供暖面积 A", help_en="actual heated area A"),
            "HP_AREA_M2", table="areas", json_key="area_m2"),
        Slot("areas[{i}].q_w_per_m2", sheet, "D", None, _f(
            "单位面积热指标 q", "Heat index q", NUMBER, "6.2.4.1", "W/m²", minimum=0, exclusive=True,
            help_zh="空白＝表2 推荐值下限（H 列）；不得高于下限（严禁高估）",
            help_en="blank = the table's lowest value (column H); never above it"),
            "HP_AREA_Q", table="areas", json_key="q_w_per_m2"),
    ]
    for col, t in zip("EFG", TYPES):
        slots.append(Slot("areas[{i}].served_by", sheet, col, None, _f(
            f"由{TYPE_LABEL[t][0]}供热", f"Heated by {TYPE_SHORT[t][1]}", MEMBER, "6.2.3", vocab=YES_NO,
            help_zh="部分类型有热量表、部分没有时必填：该面积由哪些类型供热 [D]",
            help_en="needed when some types are metered and some not: which types heat this area [D]"),
            f"HP_AREA_SERVED_BY_{TYPE_TAG[t]}", table="areas", member=t, json_key=t.value))
    computed = (
        Computed("H", "表2 q 下限", "Table q (lowest)", '=IF(LEN($A{r})=0,"",HP_Q_INDEX($A{r},$B{r}))',
                 "HP_AREA_Q_TABLE", _NUMBER_FORMATS["W/m²"], "W/m²"),
        Computed("I", "采用 q", "q used", '=IF(LEN($A{r})=0,"",IF(LEN($D{r})=0,$H{r},$D{r}))',
                 "HP_AREA_Q_USED", _NUMBER_FORMATS["W/m²"], "W/m²"),
        Computed("J", "计入面积法的面积", "Area in the area method",
                 '=IF(LEN($C{r})=0,"",IF(HP_CALC_MIXED="是",IF(AND(OR($E{r}="是",$F{r}="是",$G{r}="是"),'
                 'OR($E{r}<>"是",HP_CALC_SRC_GROUND="估算"),OR($F{r}<>"是",HP_CALC_SRC_AIR="估算"),'
                 'OR($G{r}<>"是",HP_CALC_SRC_WASTEWATER="估算")),$C{r},0),$C{r}))',
                 "HP_AREA_COUNTED", _NUMBER_FORMATS["m²"], "m²"),
    )
    return Table("areas", sheet, 3, AREA_FIRST_ROW, AREA_ROWS, 30, tuple(slots), computed,
                 groups=())


AREAS = _areas()

# --- 复核记录 Re-check record -----------------------------------------------------------------------

RECHECK_DEVIATION_ROW = 5
RECHECK_LINES = _form(S_RECHECK, 6, [
    (("二、复核记录（§6.2.3.2）", "2. Re-check record (§6.2.3.2)"), [
        ("recheck.performed", "HP_RECHECK_PERFORMED", _f(
            "已重新核查参数", "Parameters re-checked", BOOL, "6.2.3.2", vocab=YES_NO,
            help_zh="两种方法偏差超过 10% 时须重新核查 COP、热指标、耗电量、面积等参数",
            help_en="required when the methods deviate by more than 10 %: re-check COP, q, electricity, area"),
         False),
        ("recheck.by", "HP_RECHECK_BY", _f(
            "复核人/单位", "Re-checked by", TEXT, "6.2.3.2", required=PERFORMED,
            help_zh="复核人姓名或复核单位", help_en="who re-checked"), False),
        ("recheck.date", "HP_RECHECK_DATE", _f(
            "复核日期", "Re-check date", DATE, "6.2.3.2", required=PERFORMED,
            help_zh="复核完成日期", help_en="date of the re-check"), False),
        ("recheck.note", "HP_RECHECK_NOTE", _f(
            "复核内容与结论", "What was reviewed", LONGTEXT, "6.2.3.3", required=PERFORMED,
            help_zh="核查了哪些参数、发现与修正、为何仍取较小值",
            help_en="which parameters were reviewed, findings and corrections, why the smaller value stands"),
         False),
    ]),
])

# --- 核算 Calculation ----------------------------------------------------------------------------

CALC_TYPE_COLUMNS = {HeatPumpType.ground: "B", HeatPumpType.air: "C", HeatPumpType.wastewater: "D"}
CALC_MONTHLY_ROWS = MONTHLY_ROWS


def _calc() -> tuple[tuple[CalcLine, ...], int]:
    lines: list[CalcLine] = []
    row = 4
    fmt = _NUMBER_FORMATS

    def heading(zh, en):
        nonlocal row
        lines.append(CalcLine(row, zh, en, heading=True))
        row += 1

    def step(zh, en, cells=(), unit="", formula="", clause="", result=None):
        nonlocal row
        lines.append(CalcLine(row, zh, en, tuple(cells), unit, formula, clause, result))
        row += 1
        return row - 1

    def per_type(make, tag, number_format="General", total=None, total_name=None, total_format=None):
        cells = [CalcCell(CALC_TYPE_COLUMNS[t], make(t, CALC_TYPE_COLUMNS[t]), f"HP_CALC_{tag}_{TYPE_TAG[t]}",
                          number_format) for t in TYPES]
        if total:
            cells.append(CalcCell("E", total, total_name, total_format or number_format))
        return cells

    heading("一、生效参数（按供暖期开始日）", "1. Parameters in force on the season start")
    step("EF_heat 热力排放因子", "EF_heat", [CalcCell("E", '=HP_PARAM("EF_heat",HP_SEASON_START)', "HP_CALC_EF_HEAT",
                                                   fmt["t CO2/GJ"])], "t CO2/GJ", "HP_PARAM(\"EF_heat\", 供暖期开始日)",
         "7.1 表1")
    step("EF_elec 吉林省电力排放因子", "EF_elec", [CalcCell("E", '=HP_PARAM("EF_elec",HP_SEASON_START)',
                                                       "HP_CALC_EF_ELEC", fmt["kg CO2/kWh"])], "kg CO2/kWh",
         "HP_PARAM(\"EF_elec\", 供暖期开始日)", "7.1 表3")
    step("TD 电网输配电损失率", "TD", [CalcCell("E", '=HP_PARAM("TD",HP_SEASON_START)', "HP_CALC_TD", fmt["%"])],
         "%", "HP_PARAM(\"TD\", 供暖期开始日)", "7.1 表4")
    heading("二、实际供暖小时数", "2. Actual heating hours")
    step("实际供暖小时数 t", "Heating hours t",
         [CalcCell("E", "=SUM(HP_MONTHLY_HEATING_HOURS)-SUM(HP_MONTHLY_OUTAGE_HOURS)", "HP_CALC_T", fmt["h"])],
         "h", "t = Σ(供暖小时 − 停供小时)", "6.2.4.2", "heating_hours")
    heading("三、各类型热泵（不同类型严禁混合计算）", "3. Per heat-pump type (never mixed)")
    in_use = step("是否采用", "In use", per_type(
        lambda t, c: f'=IF(HP_IN_USE_{TYPE_TAG[t]}="是","是","否")', "IN_USE"), "", "热泵系统表", "6.2.1")
    src = step("供热量取得方式", "How heat is known", per_type(
        lambda t, c: (f'=IF({c}{in_use}<>"是","—",IF(HP_HEAT_METERED_{TYPE_TAG[t]}="是","热量表",'
                      f'IF(AND(HP_TOTAL_METER_INSTALLED="是",HP_TOTAL_METER_COVERS_{TYPE_TAG[t]}="是"),'
                      f'"总输出端","估算")))'), "SRC"),
        "", "热量表 / 总输出端 / 估算", "6.2, 表5–表7")
    srcs = f"B{src}:D{src}"
    w = step("耗电量 W", "Electricity W", per_type(
        lambda t, c: f'=IF({c}{in_use}="是",SUM(HP_MONTHLY_ELEC_{TYPE_TAG[t]}),0)', "W", fmt["kWh"],
        total=f"=SUM(B{row}:D{row})", total_name="HP_CALC_W"), "kWh", "W = Σ 逐月读数", "表9–表11",
        "electricity_kwh")
    step("热量表计量供热量", "Metered heat", per_type(
        lambda t, c: f'=IF({c}{src}="热量表",SUM(HP_MONTHLY_HEAT_{TYPE_TAG[t]}),0)', "Q_METERED", fmt["GJ"],
        total=f"=SUM(B{row}:D{row})", total_name="HP_CALC_Q_METERED"), "GJ", "Q = Σ 逐月热量表读数", "表5–表7")
    step("COP 来源", "COP source", per_type(
        lambda t, c: f'=IF({c}{src}<>"估算","—",IF(LEN(HP_COP_SOURCE_{TYPE_TAG[t]})=0,"（未填）",'
                     f'HP_COP_SOURCE_{TYPE_TAG[t]}))', "COP_SOURCE"), "", "检测报告优先，其次现场测量", "表8")
    step("COP（报告值或现场测量季均值，仅供参考）", "COP (report, or mean of on-site values; for reference)", per_type(
        lambda t, c: (f'=IF({c}{src}<>"估算","",IF(HP_COP_SOURCE_{TYPE_TAG[t]}="检测报告",'
                      f'HP_COP_REPORT_VALUE_{TYPE_TAG[t]},IFERROR(AVERAGEIF(HP_COP_TYPE,"{TYPE_LABEL[t][0]}",'
                      f'HP_COP_VALUE),"")))'), "COP", fmt["-"]), "-", "现场测量按月平均后逐月计算", "表8")
    step("电算法供热量 Q电，公式（2）", "Electricity method, formula (2)", per_type(
        lambda t, c: (f'=IF({c}{src}<>"估算","",IF(HP_COP_SOURCE_{TYPE_TAG[t]}="检测报告",'
                      f'HP_HEAT_ELEC({c}{w},HP_COP_REPORT_VALUE_{TYPE_TAG[t]}),'
                      f'HP_HEAT_ELEC(HP_CALC_MW_{TYPE_TAG[t]},HP_CALC_MCOP_{TYPE_TAG[t]})))'), "Q_ELEC", fmt["GJ"],
        total=f'=IF(COUNTIF({srcs},"估算")=0,"",SUM(B{row}:D{row}))', total_name="HP_CALC_Q_ELEC"), "GJ",
        "Q = Σ W × COP × 0.0036（逐月）", "6.2.1", "heat_elec_method_gj")
    heading("四、供热量：计量、估算与保守取值", "4. Heat supplied: metered, estimated, conservative")
    step("未计量类型数 / 计量类型数", "Types estimated / metered", [
        CalcCell("B", f'=COUNTIF({srcs},"估算")', "HP_CALC_N_ESTIMATED"),
        CalcCell("C", f'=COUNTIF({srcs},"热量表")+COUNTIF({srcs},"总输出端")', "HP_CALC_N_METERED"),
        CalcCell("E", '=IF(AND(HP_CALC_N_ESTIMATED>0,HP_CALC_N_METERED>0),"是","否")', "HP_CALC_MIXED"),
    ], "", "E：部分计量、部分估算（混合）", "6.2.3")
    step("总输出端热量表供热量", "Total-output meter heat", [CalcCell(
        "E", f'=IF(COUNTIF({srcs},"总输出端")=0,0,SUM(HP_MONTHLY_TOTAL_HEAT))', "HP_CALC_Q_TOTAL_METER", fmt["GJ"])],
        "GJ", "Q = Σ 逐月总输出端读数", "表5–表7")
    step("面积法供热量 Q面，公式（3）", "Area method, formula (3)", [CalcCell(
        "E", '=IF(HP_CALC_N_ESTIMATED=0,"",HP_HEAT_AREA(HP_AREA_Q_USED,HP_AREA_COUNTED,HP_CALC_T))',
        "HP_CALC_Q_AREA", fmt["GJ"])], "GJ", "Q = Σ(q × A) × t × 3.6×10⁻⁶（面积表 I、J 列）", "6.2.2",
        "heat_area_method_gj")
    step("保守取值 Q估 = min(Q电, Q面)", "Conservative estimate", [CalcCell(
        "E", '=IF(HP_CALC_N_ESTIMATED=0,"",HP_HEAT_CONSERVATIVE(HP_CALC_Q_ELEC,HP_CALC_Q_AREA))', "HP_CALC_Q_EST",
        fmt["GJ"])], "GJ", "取两种方法的较小值", "6.2.3.2")
    step("两种方法偏差 d", "Deviation d", [CalcCell(
        "E", '=IF(HP_CALC_N_ESTIMATED=0,"",HP_DEVIATION(HP_CALC_Q_ELEC,HP_CALC_Q_AREA))', "HP_CALC_DEVIATION",
        "0.0%")], "", "d = |Q电 − Q面| / min(Q电, Q面) [D]", "6.2.3.2", "deviation")
    step("是否须复核参数（d > 10%）", "Re-check needed (d > 10 %)", [CalcCell(
        "E", '=IF(HP_CALC_N_ESTIMATED=0,"—",IF(ISNUMBER(HP_CALC_DEVIATION),IF(HP_CALC_DEVIATION>0.1,'
             'IF(HP_RECHECK_PERFORMED="是","已复核（警告）","须复核（错误）"),"无需复核"),"—"))',
        "HP_CALC_RECHECK")], "", "见“复核记录”表", "6.2.3.2")
    step("估算依据", "Estimate basis", [CalcCell(
        "E", '=IF(HP_CALC_N_ESTIMATED=0,"—",IF(ISNUMBER(HP_CALC_Q_EST),'
             'IF(HP_CALC_Q_ELEC<=HP_CALC_Q_AREA,"电算法","面积法"),"—"))', "HP_CALC_BASIS")],
        "", "较小值所属方法", "6.2.3.2")
    heading("五、排放与减排量", "5. Emissions and reductions")
    step("供热量 Q = Qgs + Qas + Qws", "Heat supplied Q", [CalcCell(
        "E", "=HP_CALC_Q_METERED+HP_CALC_Q_TOTAL_METER+N(HP_CALC_Q_EST)", "HP_CALC_Q", fmt["GJ"])], "GJ",
        "热量表 + 总输出端 + 保守估算", "6.2", "heat_supplied_gj")
    step("基准线排放 BE，公式（1）", "Baseline emissions BE, formula (1)", [CalcCell(
        "E", "=HP_BASELINE(HP_CALC_Q,0,0,HP_CALC_EF_HEAT)", "HP_CALC_BE", '#,##0.00" t"')], "t CO2",
        "BE = (Qgs + Qas + Qws) × EF_heat（Q 已按类型合计）", "6.2", "baseline_emissions_t")
    step("项目排放 PE，公式（4）", "Project emissions PE, formula (4)", [CalcCell(
        "E", "=HP_PROJECT_EMISSIONS(HP_CALC_W_GROUND,HP_CALC_W_AIR,HP_CALC_W_WASTEWATER,HP_CALC_TD,HP_CALC_EF_ELEC)",
        "HP_CALC_PE", '#,##0.00" t"')], "t CO2", "PE = (Wgs + Was + Wws) / (1 − TD/100) × 10⁻³ × EF_elec", "6.3",
        "project_emissions_t")
    step("减排量 ER，公式（5）", "Emission reductions ER, formula (5)", [CalcCell(
        "E", "=HP_REDUCTION(HP_CALC_BE,HP_CALC_PE)", "HP_CALC_ER", '#,##0.00" t"')], "t CO2", "ER = BE − PE", "6.4",
        "emission_reductions_t")
    step("可签发减排量", "Creditable reductions", [CalcCell(
        "E", "=HP_CREDITABLE(HP_CALC_ER)", "HP_CALC_ER_CREDITABLE", '#,##0.00" t"')], "t CO2",
        "ER 向下取整至 0.01 t，负值取 0 [D]", "9 [D]", "creditable_reductions_t")
    heading("六、计入期与台账保存", "6. Crediting period and record keeping")
    step("计入期开始", "Crediting period starts", [CalcCell(
        "E", '=IF(ISNUMBER(HP_PROJECT_OPERATION_START),HP_PROJECT_OPERATION_START,"")', "HP_CALC_CREDITING_START",
        DATE_FORMAT)], "", "热泵实际开始运行之日", "5.2")
    step("计入期结束", "Crediting period ends", [CalcCell(
        "E", '=IF(ISNUMBER(HP_PROJECT_OPERATION_START),EDATE(HP_PROJECT_OPERATION_START,180)-1,"")',
        "HP_CALC_CREDITING_END", DATE_FORMAT)], "", "开始后 15 年", "5.2")
    step("台账保存至", "Records kept until", [CalcCell(
        "E", '=IF(ISNUMBER(HP_CALC_CREDITING_END),EDATE(HP_CALC_CREDITING_END,60),"")', "HP_CALC_RECORDS_UNTIL",
        DATE_FORMAT)], "", "计入期结束后 5 年", "7.3.2")
    row += 1
    heading("七、电算法逐月数据（现场测量 COP：当月各次测量的平均值）",
            "7. Electricity method by month (on-site COP: mean of the month's measurements)")
    return tuple(lines), row


CALC_LINES, CALC_MONTHLY_HEADER_ROW = _calc()
CALC_MONTHLY_FIRST_ROW = CALC_MONTHLY_HEADER_ROW + 1
#: monthly block columns: A month; per type: W counted (B/D/F) and COP (C/E/G)
CALC_MONTHLY_COLUMNS = {HeatPumpType.ground: ("B", "C"), HeatPumpType.air: ("D", "E"),
                        HeatPumpType.wastewater: ("F", "G")}


def calc_monthly_cells(row: int, index: int) -> list[CalcCell]:
    """Cells of one row of the calculation sheet's monthly block (aligned with the monthly table)."""
    src_row = next(line.row for line in CALC_LINES if line.en == "How heat is known")
    m = MONTHLY.first_row + index
    cells = [CalcCell("A", f"=IF(LEN('{S_MONTHLY}'!$A{m})=0,\"\",'{S_MONTHLY}'!$A{m})")]
    elec_cols = {s.json_key: s.column for s in MONTHLY.slots if ".electricity_kwh." in s.path}
    for t in TYPES:
        wc, cc = CALC_MONTHLY_COLUMNS[t]
        tag, src = TYPE_TAG[t], f"${CALC_TYPE_COLUMNS[t]}${src_row}"
        cop = (f'=IF(OR(LEN($A{row})=0,{src}<>"估算",HP_COP_SOURCE_{tag}<>"现场测量"),"",'
               f'IFERROR(AVERAGEIFS(HP_COP_VALUE,HP_COP_TYPE,"{TYPE_LABEL[t][0]}",HP_COP_MONTH,$A{row}),""))')
        wref = f"'{S_MONTHLY}'!${elec_cols[t.value]}{m}"
        # a month with no electricity and no measurement adds nothing (accounting: skipped, not an error)
        watt = (f'=IF(OR(LEN($A{row})=0,{src}<>"估算",LEN({wref})=0),"",'
                f'IF(AND(N({wref})=0,LEN({cc}{row})=0),"",{wref}))')
        cells += [CalcCell(wc, watt, None, _NUMBER_FORMATS["kWh"]), CalcCell(cc, cop, None, _NUMBER_FORMATS["-"])]
    return cells


def calc_monthly_names() -> dict[str, str]:
    """Defined names of the monthly block's ranges: HP_CALC_MW_<TYPE>, HP_CALC_MCOP_<TYPE>."""
    first, last = CALC_MONTHLY_FIRST_ROW, CALC_MONTHLY_FIRST_ROW + CALC_MONTHLY_ROWS - 1
    out = {}
    for t in TYPES:
        wc, cc = CALC_MONTHLY_COLUMNS[t]
        out[f"HP_CALC_MW_{TYPE_TAG[t]}"] = _range(S_CALC, wc, first, wc, last)
        out[f"HP_CALC_MCOP_{TYPE_TAG[t]}"] = _range(S_CALC, cc, first, cc, last)
    return out


def _range(sheet: str, c1: str, r1: int, c2: str, r2: int) -> str:
    ref = f"${c1}${r1}" if (c1, r1) == (c2, r2) else f"${c1}${r1}:${c2}${r2}"
    return f"'{sheet}'!{ref}"


# ---------------------------------------------------------------------------------------------
# The workbook
# ---------------------------------------------------------------------------------------------

SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec("instructions", S_INSTRUCTIONS, "长春市热泵供暖碳普惠申报表 — 填表说明",
              "Changchun heat-pump heating carbon-inclusion declaration — instructions", "instructions",
              (("A", 24), ("B", 110)), freeze=None),
    SheetSpec("project", S_PROJECT, "项目信息", "Project information", "form",
              (("A", 34), ("B", 42), ("C", 12), ("D", 64)),
              headers=(("项目", "Item"), ("填写", "Value"), ("单位", "Unit"), ("说明（条款）", "Help (clause)")),
              note_zh="黄色单元格为填写项；红色＝必填未填。", note_en="Yellow cells are inputs; red = required and empty.",
              lines=PROJECT_LINES, freeze="A4"),
    SheetSpec("systems", S_SYSTEMS, "热泵系统与计量", "Heat-pump systems and meters", "grid",
              (("A", 32), ("B", 20), ("C", 20), ("D", 20), ("E", 8), ("F", 58)),
              headers=(("项目", "Item"), (TYPE_LABEL[TYPES[0]][0], "Ground source"),
                       (TYPE_LABEL[TYPES[1]][0], "Air source"), (TYPE_LABEL[TYPES[2]][0], "Waste-heat water source"),
                       ("单位", "Unit"), ("说明（条款）", "Help (clause)")),
              note_zh="每种热泵类型一列；未采用的类型填“否”或留空。",
              note_en="One column per heat-pump type; leave unused types blank or “否”.",
              lines=SYSTEM_LINES, landscape=True, freeze="B4"),
    SheetSpec("monthly", S_MONTHLY, "月度监测数据", "Monthly monitoring data", "table",
              (("A", 11), ("B", 11), ("C", 11), ("D", 9), ("E", 15), ("F", 15), ("G", 15), ("H", 13), ("I", 13),
               ("J", 13), ("K", 13), ("L", 12)),
              note_zh="供暖期内每个日历月一行（连续监测，至少每月记录一次）。耗电量空白＝缺读数，0＝读数为零。",
              note_en="One row per calendar month of the season. Blank electricity = no reading; 0 = a reading of zero.",
              table=MONTHLY, landscape=True, freeze=f"B{MONTHLY_FIRST_ROW}"),
    SheetSpec("measurements", S_COP, "现场测量 COP 记录（表8）", "On-site COP measurements (table 8)", "table",
              (("A", 18), ("B", 13), ("C", 12), ("D", 11), ("E", 10), ("F", 10), ("G", 10)),
              note_zh="仅 COP 来源为“现场测量”的类型填写，每次测量一行。",
              note_en="Only for types whose COP source is on-site measurement; one row per measurement.",
              table=MEASUREMENTS, freeze=f"A{COP_FIRST_ROW}"),
    SheetSpec("areas", S_AREAS, "供暖面积与热指标（面积法）", "Heated areas and heat index (area method)", "table",
              (("A", 16), ("B", 10), ("C", 14), ("D", 12), ("E", 10), ("F", 10), ("G", 10), ("H", 11), ("I", 11),
               ("J", 15)),
              note_zh="无热量表的类型须按面积法校核（§6.2.3）；q 留空取表2 推荐值下限。",
              note_en="Types without a heat meter are checked by the area method (§6.2.3); blank q = the table's lowest value.",
              table=AREAS, landscape=True, freeze=f"A{AREA_FIRST_ROW}"),
    SheetSpec("recheck", S_RECHECK, "参数复核记录", "Parameter re-check record", "form",
              (("A", 30), ("B", 60), ("C", 8), ("D", 50)),
              headers=(("项目", "Item"), ("填写", "Value"), ("单位", "Unit"), ("说明（条款）", "Help (clause)")),
              note_zh="电算法与面积法偏差超过 10% 时须重新核查参数并在此记录（§6.2.3.2）。",
              note_en="When the two methods deviate by more than 10 %, re-check the parameters and record it here.",
              lines=RECHECK_LINES, freeze="A4"),
    SheetSpec("parameters", S_PARAMETERS, "参数（生效参数集，锁定）", "Parameters (the set in force, locked)", "form",
              (("A", 34), ("B", 14), ("C", 14), ("D", 14), ("E", 62)),
              headers=(("参数", "Parameter"), ("数值", "Value"), ("单位", "Unit"), ("条款", "Clause"),
                       ("来源", "Source")),
              note_zh="以下数值由参数集给定，不可修改；有更新版本时以最新发布数据为准（表1–表4 备注）。",
              note_en="Values come from the parameter set and are locked; a newer published value supersedes them.",
              lines=PARAMETER_LINES, freeze="A4"),
    SheetSpec("calc", S_CALC, "核算（加载项 HP_* 函数计算）", "Calculation (HP_* add-in functions)", "calc",
              (("A", 38), ("B", 16), ("C", 16), ("D", 15), ("E", 19), ("F", 11), ("G", 42), ("H", 11)),
              headers=(("步骤", "Step"), (TYPE_LABEL[TYPES[0]][0], "Ground"), (TYPE_LABEL[TYPES[1]][0], "Air"),
                       ("余热水源热泵", "Waste-heat"), ("结果", "Result"), ("单位", "Unit"), ("公式", "Formula"),
                       ("条款", "Clause")),
              note_zh="本表由加载项的 HP_* 函数计算；未安装加载项时显示 #NAME?，校验器 hpcarbon validate 仍会完整核算。",
              note_en="Computed by the add-in's HP_* functions; without the add-in it shows #NAME?, and "
                      "`hpcarbon validate` computes everything anyway.",
              calc=CALC_LINES, landscape=True, freeze="B4"),
    SheetSpec("lists", S_LISTS, "下拉列表", "Dropdown lists", "lists",
              tuple((get_column_letter(i + 1), 24) for i in range(len(VOCABS))), hidden=True),
)


def _lists_ranges() -> dict[str, str]:
    return {v.name: _range(S_LISTS, get_column_letter(i + 1), 2, get_column_letter(i + 1), 1 + len(v.options))
            for i, v in enumerate(VOCABS)}


@dataclass(frozen=True)
class Layout:
    sheets: tuple[SheetSpec, ...]

    @cached_property
    def by_key(self) -> dict[str, SheetSpec]:
        return {s.key: s for s in self.sheets}

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
        names: dict[str, str] = {VERSION_NAME: _range(VERSION_CELL[0], VERSION_CELL[1][0], int(VERSION_CELL[1][1:]),
                                                     VERSION_CELL[1][0], int(VERSION_CELL[1][1:]))}
        for slot in self.slots:
            if slot.table:
                t = self.tables[slot.table]
                ref = _range(slot.sheet, slot.column, t.first_row, slot.column, t.last_row)
            else:
                ref = _range(slot.sheet, slot.column, slot.row, slot.column, slot.row)
            _add_name(names, slot.name, ref)
        for t in self.tables.values():
            for c in t.computed:
                _add_name(names, c.name, _range(t.sheet, c.column, t.first_row, c.column, t.last_row))
        for line in CALC_LINES:
            for c in line.cells:
                if c.name:
                    _add_name(names, c.name, _range(S_CALC, c.column, line.row, c.column, line.row))
        for name, ref in calc_monthly_names().items():
            _add_name(names, name, ref)
        for name, ref in _lists_ranges().items():
            _add_name(names, name, ref)
        return names

    @cached_property
    def result_cells(self) -> dict[str, tuple[str, str]]:
        """accounting.Results key → (sheet, cell) of the calculation cell that must equal it."""
        out = {}
        for line in CALC_LINES:
            if line.result:
                assert any(c.column == "E" for c in line.cells), line.en
                out[line.result] = (S_CALC, f"E{line.row}")
        return out

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


# ---------------------------------------------------------------------------------------------
# JSON path → cell
# ---------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_path(path: str) -> list[str | int]:
    """``monthly[2].electricity_kwh.air`` → ['monthly', 2, 'electricity_kwh', 'air'] (pydantic's
    ``[key]`` markers dropped)."""
    out: list[str | int] = []
    for name, index in _TOKEN.findall(path or ""):
        if index:
            out.append(int(index))
        elif name != "[key]" and name:
            out.append(name)
    return [p for p in out if p != "key"] if "[key]" in (path or "") else out


def _join(tokens: Sequence[str | int]) -> str:
    out = ""
    for t in tokens:
        out += f"[{t}]" if isinstance(t, int) else (("." if out else "") + t)
    return out


class Locator:
    """Turns JSON paths into cells, given how rows and systems were placed.

    ``system_types[i]`` is the heat-pump type of ``systems[i]``; ``rows[table][i]`` is the sheet row
    of ``table[i]`` (``monthly``, ``areas``); ``measurement_rows[i][j]`` is the sheet row of
    ``systems[i].cop.measurements[j]``. Missing maps mean "compact, in order" for tables and
    "unknown" for system types.
    """

    def __init__(self, system_types: Sequence[HeatPumpType] | None = None,
                 rows: Mapping[str, Sequence[int]] | None = None,
                 measurement_rows: Mapping[int, Sequence[int]] | None = None):
        self.system_types = list(system_types) if system_types is not None else None
        self.rows = dict(rows or {})
        self.measurement_rows = dict(measurement_rows or {})

    @classmethod
    def for_declaration(cls, decl) -> Locator:
        """Placement as ``fill`` writes ``decl``: systems by type column, tables compact in order,
        COP measurements system after system."""
        if decl is None:
            return cls()
        mrows, row = {}, MEASUREMENTS.first_row
        for i, s in enumerate(decl.systems):
            n = len(s.cop.measurements) if s.cop else 0
            mrows[i] = list(range(row, row + n))
            row += n
        return cls([s.type for s in decl.systems], measurement_rows=mrows)

    # -- helpers
    def _table_row(self, table: str, index: int) -> int | None:
        t = LAYOUT.tables[table]
        known = self.rows.get(table)
        if known is not None:
            if index < len(known):
                return known[index]
            nxt = (known[-1] + 1 + index - len(known)) if known else t.first_row + index
            return nxt if nxt <= t.last_row else None
        return t.row_of(index)

    def _measurement_row(self, system: int, index: int) -> int | None:
        known = self.measurement_rows.get(system)
        if known is not None and index < len(known):
            return known[index]
        return None

    def locate(self, path: str) -> tuple[str, str | None] | None:
        tokens = parse_path(path)
        if not tokens or not isinstance(tokens[0], str):
            return None
        if tokens[0] == "results":  # a result the rules judge (e.g. a negative ER): its calculation cell
            key = tokens[1] if len(tokens) > 1 else None
            return LAYOUT.result_cells.get(key, (S_CALC, None))
        sheet = LAYOUT.sheet_of(tokens[0])
        if sheet is None:
            return None
        while tokens:
            found = self._resolve(tokens)
            if found is not None:
                return found
            tokens = tokens[:-1]
        return (sheet, None)

    def _resolve(self, tokens: list[str | int]) -> tuple[str, str | None] | None:
        """The cell of exactly this path, or of its first field when it names a group."""
        htype: HeatPumpType | None = None
        system: int | None = None
        row: int | None = None
        table: str | None = None
        pattern: list[str | int] = []
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            prev = pattern[-1] if pattern else None
            if isinstance(tok, int):
                if prev == "systems":
                    system = tok
                    if self.system_types is not None and tok < len(self.system_types):
                        htype = self.system_types[tok]
                    pattern.append("{t}")
                elif prev == "measurements":
                    table = "measurements"
                    row = self._measurement_row(system, tok) if system is not None else None
                    if row is None:
                        # unknown row: the table's first free row is no better than its start
                        row = -1
                    pattern.append("{i}")
                elif prev in ("monthly", "areas"):
                    table = prev
                    row = self._table_row(prev, tok)
                    if row is None:  # beyond the table: only the sheet
                        return (LAYOUT.tables[prev].sheet, None)
                    pattern.append("{i}")
                else:  # an index into a list of values (covers[1], served_by[0]): the list's cell
                    i += 1
                    continue
            else:
                pattern.append(tok)
            i += 1
        key = _pattern(pattern)
        slots = LAYOUT.by_path.get(key)
        if slots is None:
            # a group (``season``, ``systems[{t}].cop``, ``monthly[{i}]``): its first field
            prefix = key
            slots = next((v for k, v in LAYOUT.by_path.items()
                          if k.startswith((prefix + ".", prefix + "["))), None)
            if slots is None:
                return None
        slot = slots[0]
        if "{t}" in slot.path and slot.table is None:
            match = [s for s in slots if s.htype == htype]
            if not match:  # type unknown, or this type has no such cell: the row's label cell
                return (slot.sheet, f"A{slot.row}")
            slot = match[0]
        if slot.table:
            t = LAYOUT.tables[slot.table]
            if table is None and slot.table == "measurements" and system is not None:
                # one system's records: its first row, or the first free row to add them on
                rows = self.measurement_rows.get(system)
                if rows:
                    return (slot.sheet, f"{t.first_column}{rows[0]}")
                used = [r for rs in self.measurement_rows.values() for r in rs]
                free = max(used) + 1 if used else t.first_row
                return (slot.sheet, f"{t.first_column}{min(free, t.last_row)}")
            if table is None:  # the whole list: its first data row
                return (slot.sheet, f"{t.first_column}{t.first_row}")
            if row == -1:
                return (slot.sheet, f"{slot.column}{t.first_row}") if slot.table == "measurements" else None
            return (slot.sheet, slot.cell(row))
        return (slot.sheet, slot.cell())


def _pattern(tokens: Sequence[str | int]) -> str:
    out = ""
    for t in tokens:
        if t in ("{t}", "{i}"):
            out += f"[{t}]"
        else:
            out += ("." if out else "") + str(t)
    return out


def cell_of(path: str, decl=None) -> tuple[str, str | None] | None:
    """``(sheet, cell)`` of a JSON path in a workbook written by ``fill`` for ``decl``.

    ``cell_of("monthly[3].electricity_kwh.air")`` → ``("月度数据", "F8")``. For a path into
    ``systems[i]`` give ``decl`` (the index names a type column); without it the row's label cell is
    returned. A path with no cell of its own gives its group's first cell, its row or its sheet
    (``cell`` None); a path outside the declaration gives None. For a workbook that was *read*, use
    :meth:`hpcarbon.workbook.reader.ReadResult.locate` (it knows the rows a person actually used).
    """
    return Locator.for_declaration(decl).locate(path)


def iter_model_paths() -> Iterable[str]:
    """Path patterns of every input slot (for the schema-consistency test)."""
    return LAYOUT.by_path.keys()
