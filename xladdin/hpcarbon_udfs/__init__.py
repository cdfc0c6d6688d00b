"""Excel worksheet functions for the Changchun heat-pump heating methodology (hpcarbon.methodology names
it and its version) — xlwings UDFs.

长春市热泵供暖碳普惠方法学 Excel 工作表函数（xlwings 用户自定义函数；方法学名称与版本见 hpcarbon.methodology）。

Every function here is a thin wrapper: it turns the values Excel passes (numbers, blanks, ranges,
numbers stored as text, error values) into plain numbers with :mod:`hpcarbon.excel_values`, calls
:mod:`hpcarbon.formulas` / :mod:`hpcarbon.parameters` for all arithmetic and parameter values, and
returns a number — or, for a bad argument, a bilingual message string starting with ``#HP!`` that
names the argument. A function never raises into Excel (no tracebacks in cells).

Conventions (see also INSTALL.md):

* Excel names are the Python names (``HP_HEAT_ELEC`` …); argument names are what Excel's function
  wizard shows. The docstring (≤ 255 characters, Excel's limit) is the wizard's description.
* Range arguments are read with ``ndim=2`` (always a list of rows) and every argument with
  ``err_to_str=True`` so an error cell (#N/A …) arrives as its text and is reported, rather than
  silently read as a blank.
* Defaults of optional parameters (EF_heat, EF_elec, TD) come from the parameter set in force
  (:func:`hpcarbon.parameters.set_in_force`; with no date, the newest set). A reference to an
  empty cell counts as omitted.
* No type hints on the functions: xlwings would read an annotation as a converter. The decorators
  used (``@xw.func``, ``@xw.arg``) exist in classic xlwings (Windows), xlwings Lite and xlwings
  Server alike; ``@xw.sub`` exists only in classic xlwings and is skipped elsewhere.

Packaging: this file is ``xladdin/hpcarbon_udfs/__init__.py``; pyproject.toml lists ``xladdin``
as a second ``packages.find`` root, so ``pip install`` (normal or ``-e``) of hpcarbon installs the
package ``hpcarbon_udfs`` and xlwings' *UDF Modules* setting is simply ``hpcarbon_udfs``.
"""

from __future__ import annotations

import functools
import math
import os
from datetime import datetime

import xlwings as xw

from hpcarbon import excel_values as xv
from hpcarbon import formulas
from hpcarbon.parameters import ParameterError, set_in_force
from hpcarbon.model import HeatPumpType
from hpcarbon.formulas import credit_step, shown_gj_per_kwh, shown_gj_per_wh
from hpcarbon.vocabulary import ENERGY_SAVING_WORDS, NO, NOT_ENERGY_SAVING_WORDS, TYPE_LABEL, YES, text_key

__all__ = [
    "HP_BASELINE",
    "HP_COP_MEAN",
    "HP_CREDITABLE",
    "HP_DEVIATION",
    "HP_HEAT_AREA",
    "HP_HEAT_CONSERVATIVE",
    "HP_HEAT_ELEC",
    "HP_PARAM",
    "HP_PROJECT_EMISSIONS",
    "HP_Q_INDEX",
    "HP_REDUCTION",
    "hp_validate_active_workbook",
]

#: Category of the functions in Excel's Insert Function dialog (classic xlwings on Windows).
CATEGORY = "hpcarbon 热泵碳普惠"
#: Prefix of every error message a function returns instead of a number.
ERROR_PREFIX = "#HP!"
#: Sheet the validation sub writes its findings to.
RESULTS_SHEET = "HP校验结果"


def _passthrough(f=None, **_kwargs):
    return f if f is not None else (lambda g: g)


#: ``@xw.sub`` is classic xlwings only (xlwings Lite/Server have ``script`` instead).
_sub = getattr(xw, "sub", None) or _passthrough


# --------------------------------------------------------------------------------------------
# Argument handling (no arithmetic here — only coercion and messages)
# --------------------------------------------------------------------------------------------


class _ArgError(Exception):
    """A bad argument; the message is already bilingual and names the argument."""

    def __init__(self, arg: str, zh: str, en: str, cell: tuple[int, int] | None = None) -> None:
        where_zh = f"（第{cell[0]}行第{cell[1]}列）" if cell else ""
        where_en = f" (row {cell[0]}, col {cell[1]})" if cell else ""
        super().__init__(f"{ERROR_PREFIX} {arg}{where_zh or ' '}{zh} / {arg}{where_en} {en}")


def _message(zh: str, en: str) -> str:
    return f"{ERROR_PREFIX} {zh} / {en}"


def _excel(f):
    """Innermost decorator of every UDF: never let an exception reach Excel; keep the
    docstring on one line (it becomes the function-wizard description)."""

    @functools.wraps(f)
    def wrapper(*args):
        try:
            result = f(*args)
        except _ArgError as e:
            return str(e)
        except xv.ExcelValueError as e:  # helpers convert these to _ArgError; kept as a safety net
            return _message(e.zh, e.en)
        except Exception as e:  # noqa: BLE001 - a cell must show a message, never a traceback
            return _message(f"内部错误 {type(e).__name__}：{e}", f"internal error {type(e).__name__}: {e}")
        if isinstance(result, float) and not math.isfinite(result):
            return _message("结果超出数值范围", "the result is out of range")
        return result

    wrapper.__doc__ = " ".join((f.__doc__ or "").split())
    return wrapper


def _described(doc: str):
    """Give a UDF a docstring rendered from the core's constants (set before xlwings reads it); outermost
    of the function's own decorators, just above its ``def``."""

    def give(f):
        f.__doc__ = doc
        return f

    return give


def _single(arg: str, value):
    """One cell's value: a scalar, or a 1×1 range unwrapped."""
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        try:
            grid = xv.as_grid(value)
        except xv.ExcelValueError as e:
            raise _ArgError(arg, e.zh, e.en) from None
        if xv.grid_shape(grid) != (1, 1):
            raise _ArgError(arg, "须为单个值，不能是多个单元格的区域", "must be a single value, not a range of cells")
        return grid[0][0]
    return value


def _check(arg: str, number: float, rule: str | None, cell=None) -> float:
    if rule == "nonneg" and number < 0:
        raise _ArgError(arg, "不能为负数", "must not be negative", cell)
    if rule == "positive" and number <= 0:
        raise _ArgError(arg, "必须大于 0", "must be > 0", cell)
    if rule == "percent" and not 0 <= number < 100:
        raise _ArgError(arg, "必须不小于 0 且小于 100（单位 %，如 4.37）",
                        "must be ≥ 0 and < 100 (per cent, e.g. 4.37)", cell)
    return number


def _number(arg: str, value, rule: str | None = None, *, required: bool = True):
    """A single number (None when blank and not required)."""
    raw = _single(arg, value)
    try:
        number = xv.to_number(raw)
    except xv.ExcelValueError as e:
        raise _ArgError(arg, e.zh, e.en) from None
    if number is None:
        if required:
            raise _ArgError(arg, "必须填写", "is required")
        return None
    return _check(arg, number, rule)


def _grid(arg: str, value, rule: str | None = None):
    """A range as a grid of floats, None for blank cells; (grid, shape)."""
    try:
        raw = xv.as_grid(value)
    except xv.ExcelValueError as e:
        raise _ArgError(arg, e.zh, e.en) from None
    single = xv.grid_shape(raw) == (1, 1)  # a single value: no position in messages
    out = []
    for r, row in enumerate(raw, start=1):
        cells = []
        for c, item in enumerate(row, start=1):
            where = None if single else (r, c)
            try:
                number = xv.to_number(item)
            except xv.ExcelValueError as e:
                raise _ArgError(arg, e.zh, e.en, where) from None
            cells.append(None if number is None else _check(arg, number, rule, where))
        out.append(cells)
    return out, xv.grid_shape(out)


def _numbers(arg: str, value, rule: str | None = None) -> list[float]:
    """All numbers of a range (blank cells left out), row by row."""
    grid, _ = _grid(arg, value, rule)
    return [n for row in grid for n in row if n is not None]


def _paired(first: str, first_value, second: str, second_value, second_rule: str):
    """Cell-by-cell pairs of two equal-shaped ranges (a single value of ``second`` applies to
    every cell of ``first``). A blank ``first`` cell is skipped (no reading); a ``first`` of 0
    needs no ``second``; any other ``first`` with a blank ``second`` is an error. Returns the
    pairs (first, second) to compute with."""
    grid_a, shape_a = _grid(first, first_value, "nonneg")
    grid_b, shape_b = _grid(second, second_value, second_rule)
    if shape_b == (1, 1):
        if grid_b[0][0] is None:
            raise _ArgError(second, "必须填写", "is required")
        grid_b = [[grid_b[0][0]] * shape_a[1] for _ in range(shape_a[0])]
    elif shape_a != shape_b:
        raise _ArgError(f"{first}, {second}",
                        f"区域形状不同（{shape_a[0]}×{shape_a[1]} 与 {shape_b[0]}×{shape_b[1]}），须逐格对应",
                        f"ranges differ in shape ({shape_a[0]}×{shape_a[1]} vs {shape_b[0]}×{shape_b[1]}); "
                        "they must match cell by cell")
    pairs, readings = [], 0
    for r, (row_a, row_b) in enumerate(zip(grid_a, grid_b), start=1):
        for c, (a, b) in enumerate(zip(row_a, row_b), start=1):
            if a is None:
                continue
            readings += 1
            if b is None:
                if a == 0:
                    continue
                raise _ArgError(second, f"为空，但 {first} 在对应位置有数值 {a:.12g}",
                                f"is blank where {first} has the value {a:.12g}", (r, c))
            pairs.append((a, b))
    if not readings:
        raise _ArgError(first, "没有任何数值", "holds no values")
    return pairs


def _param_default(arg: str, value, name: str, rule: str) -> float:
    """An optional parameter argument; omitted or blank → the newest parameter set's value."""
    number = _number(arg, value, rule, required=False)
    if number is None:
        return set_in_force().value(name).value
    return number


# --------------------------------------------------------------------------------------------
# Worksheet functions
# --------------------------------------------------------------------------------------------

_W_DOC = "W：热泵耗电量 [kWh]，数值或逐月区域（空白格不计） / W: heat-pump electricity use [kWh], a number or a monthly range (blank cells are skipped)."
_COP_DOC = "COP：制热性能系数 [-]，> 0；单个值（整季）或与 W 同形状的逐月区域 / COP: coefficient of performance [-], > 0; one value for the season or a range shaped like W."


@xw.func(category=CATEGORY)
@xw.arg("W", ndim=2, err_to_str=True, doc=_W_DOC)
@xw.arg("COP", ndim=2, err_to_str=True, doc=_COP_DOC)
@_excel
@_described(f"电量法供热量，公式(2) §6.2.1：Q = Σ W×COP×{shown_gj_per_kwh()} [GJ]（逐月相乘后求和） / Heat supplied, "
            f"electricity method, formula (2) §6.2.1: Q = Σ W×COP×{shown_gj_per_kwh()} [GJ], month by month.")
def HP_HEAT_ELEC(W, COP):
    pairs = _paired("W", W, "COP", COP, "positive")
    return formulas.heat_by_electricity_monthly([w for w, _ in pairs], [c for _, c in pairs])


@xw.func(category=CATEGORY)
@xw.arg("q", ndim=2, err_to_str=True,
        doc="q：单位面积供暖热指标 [W/m²]，> 0；单个值或与 A 同形状的区域（可用 HP_Q_INDEX） / q: heat index [W/m²], > 0; one value or a range shaped like A (see HP_Q_INDEX).")
@xw.arg("A", ndim=2, err_to_str=True,
        doc="A：供暖面积 [m²]，数值或区域（空白格不计） / A: heated area [m²], a number or a range (blank cells are skipped).")
@xw.arg("t", err_to_str=True,
        doc="t：实际供暖小时数 [h]（已扣除停供、中断时间） / t: actual heating hours of the season [h], outages deducted.")
@_excel
@_described(f"面积法供热量，公式(3) §6.2.2：Q = Σ q×A × t × {shown_gj_per_wh()} [GJ] / Heat supplied, area method, "
            f"formula (3) §6.2.2: Q = Σ q×A × t × {shown_gj_per_wh()} [GJ].")
def HP_HEAT_AREA(q, A, t):
    hours = _number("t", t, "nonneg")
    pairs = _paired("A", A, "q", q, "positive")
    return formulas.heat_by_area_entries([(q_i, a_i) for a_i, q_i in pairs], hours)


_Q_ELEC_DOC = "Q_elec：电量法供热量 [GJ]（HP_HEAT_ELEC） / Q_elec: heat by the electricity method [GJ] (HP_HEAT_ELEC)."
_Q_AREA_DOC = "Q_area：面积法供热量 [GJ]（HP_HEAT_AREA） / Q_area: heat by the area method [GJ] (HP_HEAT_AREA)."


@xw.func(category=CATEGORY)
@xw.arg("Q_elec", err_to_str=True, doc=_Q_ELEC_DOC)
@xw.arg("Q_area", err_to_str=True, doc=_Q_AREA_DOC)
@_excel
def HP_HEAT_CONSERVATIVE(Q_elec, Q_area):
    """保守取值 §6.2.3.2：两种方法供热量取较小值 min(Q_elec, Q_area) [GJ] / Conservative estimate, §6.2.3.2: the smaller of the two methods, min(Q_elec, Q_area) [GJ]."""
    return formulas.conservative_heat(_number("Q_elec", Q_elec, "nonneg"), _number("Q_area", Q_area, "nonneg"))


@xw.func(category=CATEGORY)
@xw.arg("Q_elec", err_to_str=True, doc=_Q_ELEC_DOC)
@xw.arg("Q_area", err_to_str=True, doc=_Q_AREA_DOC)
@_excel
@_described("两种方法偏差 §6.2.3.2：d = |Q_elec − Q_area| ÷ min(Q_elec, Q_area) [-]，小数（0.05 即 5%），"
            f">{formulas.DEVIATION_RECHECK_THRESHOLD:.2f} 须复核参数 / Deviation, §6.2.3.2: d = |Q_elec − Q_area| ÷ "
            f"min(Q_elec, Q_area) [-], a fraction; above {formulas.DEVIATION_RECHECK_THRESHOLD:.2f} the parameters "
            "must be re-checked.")
def HP_DEVIATION(Q_elec, Q_area):
    d = formulas.deviation(_number("Q_elec", Q_elec, "nonneg"), _number("Q_area", Q_area, "nonneg"))
    if math.isinf(d):
        return _message("偏差无定义：较小的估算值为 0", "deviation undefined: the smaller estimate is 0")
    return d


def _heat_doc(symbol: str, kind: HeatPumpType) -> str:
    zh, en = TYPE_LABEL[kind][0], f"{TYPE_LABEL[kind][1]}s"
    return f"{symbol}：{zh}供热量 [GJ]，数值、区域（求和）或空白（0） / {symbol}: heat supplied by {en} [GJ]: a number, a range (summed) or blank (0)."


def _elec_doc(symbol: str, kind: HeatPumpType) -> str:
    zh, en = TYPE_LABEL[kind][0], f"{TYPE_LABEL[kind][1]}s"
    return f"{symbol}：{zh}耗电量 [kWh]，数值、区域（求和）或空白（0） / {symbol}: electricity used by {en} [kWh]: a number, a range (summed) or blank (0)."


@xw.func(category=CATEGORY)
@xw.arg("Qgs", ndim=2, err_to_str=True, doc=_heat_doc("Qgs", HeatPumpType.ground))
@xw.arg("Qas", ndim=2, err_to_str=True, doc=_heat_doc("Qas", HeatPumpType.air))
@xw.arg("Qws", ndim=2, err_to_str=True, doc=_heat_doc("Qws", HeatPumpType.wastewater))
@xw.arg("EF_heat", err_to_str=True,
        doc="[EF_heat]：热力排放因子 [t CO2/GJ]（表1）；省略或空白＝生效参数集的值（HP_PARAM(\"EF_heat\")） / [EF_heat]: heat emission factor [t CO2/GJ] (表1); omitted or blank = the parameter set's value.")
@_excel
def HP_BASELINE(Qgs, Qas, Qws, EF_heat=None):
    """基准线排放，公式(1) §6.2：BE = (Qgs + Qas + Qws) × EF_heat [t CO2] / Baseline emissions, formula (1) §6.2: BE = (Qgs + Qas + Qws) × EF_heat [t CO2]."""
    heat = xv.sum_numbers([*_numbers("Qgs", Qgs, "nonneg"), *_numbers("Qas", Qas, "nonneg"),
                           *_numbers("Qws", Qws, "nonneg")])
    return formulas.baseline_emissions(heat, _param_default("EF_heat", EF_heat, "ef_heat", "positive"))


@xw.func(category=CATEGORY)
@xw.arg("Wgs", ndim=2, err_to_str=True, doc=_elec_doc("Wgs", HeatPumpType.ground))
@xw.arg("Was", ndim=2, err_to_str=True, doc=_elec_doc("Was", HeatPumpType.air))
@xw.arg("Wws", ndim=2, err_to_str=True, doc=_elec_doc("Wws", HeatPumpType.wastewater))
@xw.arg("TD_percent", err_to_str=True,
        doc="[TD_percent]：电网输配电损失率 [%]（表4），填 4.37 而非 4.37%；省略或空白＝生效参数集的值 / [TD_percent]: grid loss rate [%] (表4), enter 4.37 not 4.37%; omitted or blank = the parameter set's value.")
@xw.arg("EF_elec", err_to_str=True,
        doc="[EF_elec]：吉林省电力排放因子 [kg CO2/kWh]（表3）；省略或空白＝生效参数集的值 / [EF_elec]: Jilin grid emission factor [kg CO2/kWh] (表3); omitted or blank = the parameter set's value.")
@_excel
def HP_PROJECT_EMISSIONS(Wgs, Was, Wws, TD_percent=None, EF_elec=None):
    """项目排放，公式(4) §6.3：PE = (Wgs+Was+Wws)/(1−TD/100)×10⁻³×EF_elec [t CO2] / Project emissions, formula (4) §6.3: PE = (Wgs + Was + Wws)/(1 − TD/100) × 10⁻³ × EF_elec [t CO2]."""
    electricity = xv.sum_numbers([*_numbers("Wgs", Wgs, "nonneg"), *_numbers("Was", Was, "nonneg"),
                                  *_numbers("Wws", Wws, "nonneg")])
    td = _param_default("TD_percent", TD_percent, "td_percent", "percent")
    ef = _param_default("EF_elec", EF_elec, "ef_elec", "positive")
    return formulas.project_emissions(electricity, td, ef)


@xw.func(category=CATEGORY)
@xw.arg("BE", err_to_str=True, doc="BE：基准线排放 [t CO2]（HP_BASELINE） / BE: baseline emissions [t CO2] (HP_BASELINE).")
@xw.arg("PE", err_to_str=True, doc="PE：项目排放 [t CO2]（HP_PROJECT_EMISSIONS） / PE: project emissions [t CO2] (HP_PROJECT_EMISSIONS).")
@_excel
def HP_REDUCTION(BE, PE):
    """减排量，公式(5) §6.4：ER = BE − PE [t CO2]（可为负） / Emission reductions, formula (5) §6.4: ER = BE − PE [t CO2] (may be negative)."""
    return formulas.emission_reductions(_number("BE", BE, "nonneg"), _number("PE", PE, "nonneg"))


@xw.func(category=CATEGORY)
@xw.arg("ER", err_to_str=True, doc="ER：减排量 [t CO2]（HP_REDUCTION） / ER: emission reductions [t CO2] (HP_REDUCTION).")
@_excel
@_described(f"可签发减排量 SPEC §9 [D]：ER 向下取整到 {credit_step()} t CO2，ER ≤ 0 时为 0 / Creditable reductions, "
            f"SPEC §9 [D]: ER rounded down to {credit_step()} t CO2; 0 when ER ≤ 0.")
def HP_CREDITABLE(ER):
    return formulas.creditable_reductions(_number("ER", ER))


# Building-type lookup tables, one per parameter set (kept for the set's lifetime).
_BUILDING_LOOKUP: dict[int, tuple[object, dict[str, str]]] = {}


def _building_key(text: str) -> str:
    return text_key(xv.normalize_text(text))


def _building_lookup(pset) -> dict[str, str]:
    entry = _BUILDING_LOOKUP.get(id(pset))
    if entry is None or entry[0] is not pset:
        table: dict[str, str] = {}
        for code, row in pset.q_rows.items():
            for name in (code, row.label_zh, row.label_en):
                table.setdefault(_building_key(name), code)
        entry = _BUILDING_LOOKUP[id(pset)] = (pset, table)
    return entry[1]


@xw.func(category=CATEGORY)
@xw.arg("building_type", err_to_str=True,
        doc="building_type：建筑类型，中文名（住宅、学校、办公……）或代码（residential、school_office……） / building_type: building type, Chinese label (住宅 …) or JSON code (residential …).")
@xw.arg("energy_saving", err_to_str=True,
        doc=f"energy_saving：是否采取节能措施：TRUE/FALSE、{YES}/{NO}、yes/no、1/0、"
            f"{ENERGY_SAVING_WORDS[0]}/{NOT_ENERGY_SAVING_WORDS[0]} / energy_saving: energy-saving measures taken? "
            f"TRUE/FALSE, {YES}/{NO}, yes/no, 1/0.")
@_excel
def HP_Q_INDEX(building_type, energy_saving):
    """单位面积供暖热指标 q，表2 / CJJ/T 34-2022 推荐值下限 [W/m²]（§6.2.2，最新参数集） / Heat index q: the lowest recommended value of 表2 / CJJ/T 34-2022 [W/m²] (§6.2.2, newest parameter set)."""
    try:
        label = xv.to_text(_single("building_type", building_type))
    except xv.ExcelValueError as e:
        raise _ArgError("building_type", e.zh, e.en) from None
    if label is None:
        raise _ArgError("building_type", "必须填写", "is required")
    try:
        saving = xv.to_bool(_single("energy_saving", energy_saving), energy_saving=True)
    except xv.ExcelValueError as e:
        raise _ArgError("energy_saving", e.zh, e.en) from None
    if saving is None:
        raise _ArgError("energy_saving", "必须填写", "is required")
    pset = set_in_force()
    code = _building_lookup(pset).get(_building_key(label))
    if code is None:
        raise _ArgError("building_type",
                        f"不是已知的建筑类型：{xv.describe(label)}；可选：{'；'.join(r.label_zh for r in pset.q_rows.values())}",
                        f"is not a known building type: {xv.describe(label)}; use one of: {', '.join(pset.q_rows)}")
    return pset.q_lowest(code, saving)


_PARAM_NAMES = "EF_heat、EF_elec、TD、version"


@xw.func(category=CATEGORY)
@xw.arg("name", err_to_str=True,
        doc="name：参数名 EF_heat [t CO2/GJ]、EF_elec [kg CO2/kWh]、TD [%] 或 version（参数集版本） / name: EF_heat [t CO2/GJ], EF_elec [kg CO2/kWh], TD [%] or version (parameter set id).")
@xw.arg("season_start", err_to_str=True,
        doc="[season_start]：供暖期开始日期（日期、Excel 日期序号或 2024-10-20）；省略＝最新参数集 / [season_start]: season start date (date, Excel serial or 2024-10-20); omitted = the newest set.")
@_excel
def HP_PARAM(name, season_start=None):
    """参数值 §7.1 表1、3、4：供暖期开始日生效的参数集中的 EF_heat [t CO2/GJ]、EF_elec [kg CO2/kWh] 或 TD [%] / Parameter value, §7.1 tables 1, 3, 4: EF_heat [t CO2/GJ], EF_elec [kg CO2/kWh] or TD [%] in force on the season start."""
    try:
        key = xv.to_text(_single("name", name))
    except xv.ExcelValueError as e:
        raise _ArgError("name", e.zh, e.en) from None
    if key is None:
        raise _ArgError("name", f"必须填写（{_PARAM_NAMES}）", f"is required ({_PARAM_NAMES.replace('、', ', ')})")
    try:
        on = xv.to_date(_single("season_start", season_start))
    except xv.ExcelValueError as e:
        raise _ArgError("season_start", e.zh, e.en) from None
    try:
        pset = set_in_force(on)
    except ParameterError:
        raise _ArgError("season_start", f"{on} 时没有生效的参数集", f"{on}: no parameter set is in force on that date") from None
    if key.lower() == "version":
        return pset.version
    try:
        return pset.value(key).value
    except ParameterError:
        raise _ArgError("name", f"不是已知的参数：{xv.describe(key)}；可选：{_PARAM_NAMES}",
                        f"is not a known parameter: {xv.describe(key)}; use one of: {_PARAM_NAMES.replace('、', ', ')}") from None


@xw.func(category=CATEGORY)
@xw.arg("values", ndim=2, err_to_str=True,
        doc="values：该月现场实测 COP 值的区域（表8），空白格忽略；每个值须 > 0 / values: the month's on-site COP measurements (表8), a range; blank cells are ignored; each value > 0.")
@_excel
def HP_COP_MEAN(values):
    """月平均 COP，表8：当月各次现场实测值的算术平均 [-]，空白忽略 / Monthly mean COP, 表8: the arithmetic mean of the month's on-site measurements [-]; blanks ignored."""
    measured = _numbers("values", values, "positive")
    if not measured:
        raise _ArgError("values", "没有任何 COP 测量值", "holds no COP measurements")
    return formulas.mean_cop(measured)


# --------------------------------------------------------------------------------------------
# Validate from Excel (hpcarbon.validator.validate_file on the saved file)
# --------------------------------------------------------------------------------------------


@_sub
def hp_validate_active_workbook():
    """校验当前工作簿（已保存的文件），结果写入工作表“HP校验结果” / Validate the active workbook's saved file; findings go to the sheet "HP校验结果"."""
    write_validation_results(xw.Book.caller())


def _validation_rows(path: str) -> list[list]:
    stamp = datetime.now().isoformat(sep=" ", timespec="seconds")
    head = [["hpcarbon 校验结果 / validation results", path, stamp]]
    if not os.path.isfile(path):
        return head + [[_message("请先保存工作簿：校验针对已保存的文件",
                                 "save the workbook first: the validator checks the saved file")]]
    from hpcarbon.validator import validate_file  # on use: the UDFs load without openpyxl

    try:
        result = validate_file(path)
    except Exception as e:  # noqa: BLE001 - report in the sheet, not as a VBA error box
        return head + [[_message(f"校验器出错 {type(e).__name__}：{e}",
                                 f"the validator failed: {type(e).__name__}: {e}")]]
    report = result.report
    head[0] += [report.status.value, report.meta.get("sha256")]
    rows = [["严重程度 severity", "代码 code", "条款 clause", "工作表 sheet", "单元格 cell", "说明 message"]]
    for f in report.findings:  # a workbook's findings are always located (FileResult), sheet/cell possibly None
        rows.append([f.severity.value, f.code, f.clause, f.location.sheet, f.location.cell, f.bilingual()])
    if not report.findings:
        rows.append(["", "", "", "", "", "未发现问题 / no findings"])
    results = report.results_dict()
    if results:  # the validator's own numbers, to set beside the 核算 sheet's
        rows.append(["核算结果 results (hpcarbon)"])
        rows += [[key, results[key]] for key in _RESULT_ROWS if results.get(key) is not None]
    return head + rows


#: Results the validation sub writes under its findings (keys of ``hpcarbon compute`` JSON).
_RESULT_ROWS = ("heat_supplied_gj", "heat_elec_method_gj", "heat_area_method_gj", "deviation", "method",
                "baseline_emissions_t", "project_emissions_t", "emission_reductions_t", "creditable_reductions_t")


def write_validation_results(book) -> list[list]:
    """Run the validator on ``book``'s saved file and write the rows to the results sheet
    (created when missing, cleared otherwise). Returns the rows written."""
    rows = _validation_rows(book.fullname)
    width = max(len(r) for r in rows)
    rows = [r + [None] * (width - len(r)) for r in rows]
    names = [s.name for s in book.sheets]
    if RESULTS_SHEET in names:
        sheet = book.sheets[RESULTS_SHEET]
        sheet.clear_contents()
    else:
        sheet = book.sheets.add(RESULTS_SHEET, after=book.sheets[len(names) - 1])
    sheet.range("A1").value = rows
    sheet.activate()
    return rows
