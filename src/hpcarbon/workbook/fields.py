"""The types the workbook schema is made of: field specs (kind, unit, vocabulary, required condition,
help, clause), slots (an input cell or table column bound to a declaration path), form lines, tables,
calculation-sheet lines and sheet specs. No sheet content here (see :mod:`.sheets`, :mod:`.calc_sheet`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from hpcarbon.errors import clause_of
from hpcarbon.formulas import recheck_threshold_text
from hpcarbon.model import HeatPumpType
from hpcarbon.workbook.vocabularies import Vocab


def clause_text(clause: str, lang: str = "zh") -> str:
    """``6.2.1`` → ``§6.2.1``; ``表8`` stays ``表8``."""
    return clause if not clause[:1].isdigit() else f"§{clause}"


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

NUMBER_FORMATS = {
    "kWh": '#,##0.00" kWh"', "GJ": '#,##0.000" GJ"', "h": '#,##0.0" h"', "m²": '#,##0.00" m²"',
    "W/m²": '0.0" W/m²"', "°C": '0.0" °C"', "-": "0.00", "t CO2/GJ": '0.0000" t/GJ"',
    "kg CO2/kWh": '0.0000" kg/kWh"', "%": '0.00" %"',
}
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"


#: the §6.2.3.2 threshold as the workbook's texts state it, rendered from the constant the rules apply
RECHECK_ABOVE = recheck_threshold_text()  # 10%
RECHECK_ABOVE_EN = recheck_threshold_text("en")  # 10 %


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
            return NUMBER_FORMATS.get(self.unit, "General")
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

    def __post_init__(self):
        # the clause a field cites is its path's, from the one table a JSON declaration's field errors use too
        object.__setattr__(self, "spec", replace(self.spec, clause=clause_of(self.path)))

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
    #: the add-in's HP_* rendering of the step (column F), beside the native result (column E)
    addin: CalcCell | None = None
    #: key of a per-type accounting.Results dict the B–D cells must equal (e.g. electricity_by_type_kwh)
    type_result: str | None = None
    #: a derived check the E cell must equal (not a Results key), e.g. "recheck_needed"
    check: str | None = None


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
    hidden: bool = False

    @property
    def last_column(self) -> str:
        return self.widths[-1][0]
