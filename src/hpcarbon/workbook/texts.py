"""Text of the instructions sheet (填表说明): how to fill, the colours, the product's decisions [D]
in plain words, and the note on #NAME?. Bilingual: each entry is (Chinese, English).

Positions are not here: the generator writes these rows in order from
:data:`hpcarbon.workbook.layout.INSTRUCTIONS_FIRST_ROW`.
"""

from __future__ import annotations

import calendar as _months

from hpcarbon.calendar import (
    CONDITION_LABEL,
    CREDITING_YEARS,
    EXTREME_WEATHER_EXTRA,
    MIN_MEASUREMENTS,
    RECORD_KEEPING_YEARS,
    TABLE8_MONTHS,
    working_condition,
)
from hpcarbon.formulas import (  # the constants as texts show them: written once, in the core
    DENOISE_DECIMALS,
    credit_step,
    recheck_threshold_text,
    shown_gj_per_kwh,
    shown_gj_per_wh,
)
from hpcarbon.model import CopSource, HeatPumpType, WorkingCondition
from hpcarbon.parameters import all_sets, set_in_force
from hpcarbon.report import GJ_DECIMALS, T_DECIMALS
from hpcarbon.rules import COP_PLAUSIBLE, COP_TYPICAL
from hpcarbon.vocabulary import COP_SOURCE_LABEL, NO, STATEMENTS, YES

# thresholds as the texts state them, rendered from the constants and parameters that the rules apply
_D, _D_EN = recheck_threshold_text("zh"), recheck_threshold_text("en")  # 10%, 10 %
_PLAUSIBLE = f"{COP_PLAUSIBLE[0]:g}–{COP_PLAUSIBLE[1]:g}"
_BAND = {t: f"{COP_TYPICAL[t][0]:.1f}–{COP_TYPICAL[t][1]:.1f}" for t in HeatPumpType}
_CYCLES = set_in_force()
_N = {c: MIN_MEASUREMENTS[c] for c in WorkingCondition}
_FIRST_SET = all_sets()[0]
_ZH_NUMERALS = "零一二三四五六七八九十"
_EN_NUMERALS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def zh_count(n: int) -> str:
    """一 … 十 (digits beyond)."""
    return _ZH_NUMERALS[n] if n < len(_ZH_NUMERALS) else str(n)


def en_count(n: int) -> str:
    """one … ten (digits beyond)."""
    return _EN_NUMERALS[n] if n < len(_EN_NUMERALS) else str(n)


#: formulas (2) and (3)'s unit constants, as the texts write them
GJ_PER_KWH_SHOWN, GJ_PER_WH_SHOWN = shown_gj_per_kwh(), shown_gj_per_wh()
#: the step creditable reductions are rounded down to (0.01 t)
CREDIT_STEP = credit_step()
#: float noise removed before a comparison or rounding, as the texts state it
DENOISE_ZH = f"{DENOISE_DECIMALS} 位小数"
#: 表8 names the season's edge months by their part (late October, early April)
_MONTH_PART = {10: ("下旬", "late "), 4: ("上旬", "early ")}


def _condition_months(condition: WorkingCondition) -> tuple[str, str]:
    months = [m for m in TABLE8_MONTHS if working_condition(m) is condition]
    return ("、".join(f"{m} 月{_MONTH_PART.get(m, ('', ''))[0]}" for m in months),
            ", ".join(f"{_MONTH_PART.get(m, ('', ''))[1]}{_months.month_name[m]}" for m in months))


#: 表8's months of each working condition (zh, en), from the calendar's table
CONDITION_MONTHS = {c: _condition_months(c) for c in WorkingCondition}
#: 表8's extra measurement in a month with extreme weather (zh, en)
EXTRA_ZH = f"加测 {EXTREME_WEATHER_EXTRA} 次"
EXTRA_EN = "one more" if EXTREME_WEATHER_EXTRA == 1 else f"{EXTREME_WEATHER_EXTRA} more"
#: 表8's minimum measurements per month in one phrase (zh, en)
FREQUENCY_ZH = ("、".join(f"{CONDITION_LABEL[c][0]}月 {_N[c]} 次" for c in WorkingCondition)
                + f"，极端天气{EXTRA_ZH}")
FREQUENCY_EN = (", ".join(f"{CONDITION_LABEL[c][1]} months {_N[c]}" for c in WorkingCondition)
                + f" measurements, {EXTRA_EN} with extreme weather")
_UNNAMED = working_condition(next(m for m in range(1, 13) if m not in TABLE8_MONTHS))  # [D] a month 表8 omits

# (kind, label zh, label en, text zh, text en); kind: heading | step | colour:<style> | text
HOW_TO_FILL = [
    ("heading", "一、填写步骤", "1. How to fill", "", ""),
    ("step", "1 项目信息", "1 Project",
     "填写项目编号、名称、所在区域、地址、热泵实际开始运行日期；业主类型、名称、统一社会信用代码或身份证号；"
     f"供暖期开始与结束日期；参数集版本；{zh_count(len(STATEMENTS))}项书面声明选“{YES}”或“{NO}”。",
     "Project id, name, district, address and operation start; owner type, name and USCC or resident ID; "
     f"the season's start and end; the parameter set version; answer the {en_count(len(STATEMENTS))} written "
     "statements yes or no."),
    ("step", "2 热泵系统", "2 Systems",
     f"每种热泵类型一列。采用的类型在“是否采用”选“{YES}”，并填写热量表、电能表编号与最近检定日期；"
     "无热量表的类型填写 COP 来源（检测报告优先）。两种及以上热泵耦合且在总输出端装有热量表时填写第三部分。",
     "One column per heat-pump type. For each type in use choose yes and give its meters and their last "
     "verification dates; a type without a heat meter needs its COP source (the test report first). "
     "Part 3 is for a total-output heat meter of two or more coupled types."),
    ("step", "3 月度数据", "3 Monthly",
     "供暖期内每个日历月一行：供暖小时数、停供小时数、极端天气、各类型耗电量（kWh）、有热量表时的供热量（GJ）。",
     "One row per calendar month of the season: heating and outage hours, extreme weather, electricity per "
     "type (kWh) and, for metered types, heat (GJ)."),
    ("step", "4 COP记录", "4 COP",
     f"COP 来源为“{COP_SOURCE_LABEL[CopSource.onsite][0]}”时，每次测量一行：类型、日期、室外温度、工况、极端天气、单次 COP"
     "（频次见下方表8）。",
     "When the COP source is on-site measurement: one row per measurement — type, date, outdoor temperature, "
     "condition, extreme weather, value (frequency: table 8 below)."),
    ("step", "5 面积", "5 Areas",
     "无热量表的类型须按面积法校核：每种建筑类型一行，填写是否节能、实际供暖面积；q 留空即取表2 推荐值下限。"
     "部分类型有热量表、部分没有时，须注明每条面积由哪些类型供热。",
     "Types without a heat meter are checked by the area method: one row per building type with energy-saving "
     "and heated area; a blank q takes the lowest value of table 2. In a project with both metered and "
     "unmetered types, say which types heat each area."),
    ("step", "6 复核记录", "6 Re-check",
     f"电算法与面积法偏差超过 {_D} 时，须重新核查 COP、热指标、耗电量、面积等参数，并记录复核人、日期与内容（§6.2.3.2）。"
     f"面积法用设计热指标乘以全部供暖小时，通常比电算法高出 {_D} 以上，因此复核记录很常见。",
     f"When the two methods deviate by more than {_D_EN}, re-check COP, heat index, electricity and area and record "
     "who, when and what (§6.2.3.2). The area method multiplies a design heat index by every heating hour, so it "
     f"usually exceeds the electricity method by more than {_D_EN}: a re-check record is common."),
    ("step", "7 参数、核算", "7 Parameters, calculation",
     "只读。参数为生效参数集的数值及来源；核算表逐步列出公式（1）–（5）与保守取值。",
     "Read only: the parameter set in force with its sources, and the calculation step by step, formulas (1)–(5) "
     "and the conservative rule."),
    ("step", "8 校验", "8 Validate",
     "保存为 .xlsx 后运行  hpcarbon validate 文件名.xlsx  ，校验器逐格指出问题并独立完成核算。",
     "Save as .xlsx and run  hpcarbon validate FILE.xlsx : the validator points at each cell with a problem and "
     "computes the results itself."),
]

COLOURS = [
    ("heading", "二、单元格颜色", "2. Cell colours", "", ""),
    ("colour:input", "黄色", "Yellow", "填写项（未锁定）。", "Inputs (unlocked)."),
    ("colour:required", "红色", "Red", "必填但尚未填写（填写后自动消失）。",
     "Required and still empty (disappears once filled)."),
    ("colour:computed", "浅蓝", "Light blue", "公式计算结果（锁定）。", "Computed by a formula (locked)."),
    ("colour:locked", "灰色", "Grey", "由参数集给定或不适用（锁定）。", "Set by the parameter set, or not applicable (locked)."),
    ("colour:header", "深蓝", "Dark blue", "表头。", "Headers."),
]

NAME_NOTE = [
    ("heading", "三、核算表的两列结果与 #NAME?", "3. The calculation sheet's two result columns, and #NAME?", "", ""),
    ("text", "E 列 结果", "Column E Result",
     "用 Excel、WPS、LibreOffice 都能计算的函数（SUMPRODUCT、MIN、IF、ROUND、ROUNDDOWN、DATE 等）即时算出每一步："
     "Q电、Q面、偏差 d、是否须复核、BE、PE、ER 与可签发减排量。填写时即可看到，无需安装任何加载项。",
     "Every step computed with functions Excel, WPS and LibreOffice all evaluate (SUMPRODUCT, MIN, IF, ROUND, "
     "ROUNDDOWN, DATE …): Q_elec, Q_area, deviation d, re-check needed, BE, PE, ER and the creditable amount, "
     "shown as you type, no add-in needed."),
    ("text", "F 列 加载项", "Column F Add-in",
     "同一步骤由 hpcarbon 加载项的 HP_* 函数（与校验器同一套 Python 公式）计算，供安装了加载项的用户交叉核对。"
     "未安装加载项时显示 #NAME?，这不影响申报。",
     "The same step by the hpcarbon add-in's HP_* functions (the validator's own Python formulas), a cross-check "
     "for those who have the add-in. Without it these cells show #NAME?; that does not affect the declaration."),
    ("text", "G 列 是否一致", "Column G Agree?",
     "“一致”：两列结果相同；“不一致”：请检查输入（如以文本形式保存的数字）；“未装加载项”：F 列无法计算。"
     "以校验器 hpcarbon validate 的核算为准，它不需要 Excel，会按方法学独立完成全部核算。",
     "“一致” the two agree; “不一致” they differ (check the inputs, e.g. numbers stored as text); “未装加载项” "
     "column F cannot compute. The headless validator `hpcarbon validate` is the authority: it needs no Excel and "
     "computes everything by the methodology itself."),
]

DECISIONS = [
    ("heading", "四、本产品的决定 [D]（方法学未明确处）", "4. This product's decisions [D] (where the methodology is silent)",
     "", ""),
    ("text", "[D] 逐月电算法", "[D] Monthly formula (2)",
     f"同一类型的 COP 逐月不同（现场测量）时，公式（2）逐月计算后求和：Q = Σ 月耗电量 × 月均 COP × {GJ_PER_KWH_SHOWN}；"
     f"COP 全季相同（检测报告）时即 W × COP × {GJ_PER_KWH_SHOWN}。",
     "When a type's COP differs month by month (on-site measurement), formula (2) is applied per month and "
     f"summed; with one COP for the season (test report) it is W × COP × {GJ_PER_KWH_SHOWN}."),
    ("text", "[D] 偏差的基数", "[D] Deviation base",
     f"两种方法的偏差 d = |Q电 − Q面| ÷ 两者中的较小值（最严格的理解）；d 超过 {_D} 且无复核记录为错误，"
     "有复核记录为警告，仍取较小值。",
     f"d = |Q_elec − Q_area| ÷ the smaller of the two (the strictest reading); above {_D_EN} without a re-check "
     "record it is an error, with one a warning, and the smaller value is still used."),
    ("text", "[D] COP 合理范围", "[D] COP bands",
     f"COP 须在 {_PLAUSIBLE} 之间；超出典型范围（空气源 {_BAND[HeatPumpType.air]}，地源 {_BAND[HeatPumpType.ground]}，"
     f"余热水源 {_BAND[HeatPumpType.wastewater]}）给出警告。",
     f"COP must lie between {COP_PLAUSIBLE[0]:g} and {COP_PLAUSIBLE[1]:g}; outside the typical band (air "
     f"{_BAND[HeatPumpType.air]}, ground {_BAND[HeatPumpType.ground]}, waste-heat water "
     f"{_BAND[HeatPumpType.wastewater]}) it is a warning."),
    ("text", "[D] 检定周期", "[D] Verification cycles",
     f"热量表 {_CYCLES.heat_meter_cycle_years} 年（JJG 225）、电能表 {_CYCLES.electricity_meter_cycle_years} 年（JJG 596）；"
     "检定周期在供暖期结束前届满时给出警告（整个供暖期的读数须来自检定有效期内的仪表）。",
     f"Heat meters {_CYCLES.heat_meter_cycle_years} years (JJG 225), electricity meters "
     f"{_CYCLES.electricity_meter_cycle_years} years (JJG 596); a cycle that runs out before the "
     "season ends is a warning (every reading of the season must come from a meter within its cycle)."),
    ("text", "[D] 取整", "[D] Rounding",
     f"全程不做中间取整；报告中热量保留 {GJ_DECIMALS} 位小数（GJ）、排放保留 {T_DECIMALS} 位（t CO2）；"
     f"可签发减排量向下取整到 {CREDIT_STEP} t，减排量为负时为 0。",
     f"No intermediate rounding; reports show GJ to {GJ_DECIMALS} and t CO2 to {T_DECIMALS} decimals; the "
     f"creditable reduction is rounded down to {CREDIT_STEP} t, and 0 when the reduction is negative."),
    ("text", "[D] 参数集生效日期", "[D] Parameter set dates",
     f"{_FIRST_SET.version} 未注明发布日期，视为自可追溯期起点 {_FIRST_SET.effective_from.isoformat()} 起生效；"
     "供暖期采用其开始日已生效的最新参数集。",
     f"{_FIRST_SET.version} carries no date and is taken in force from {_FIRST_SET.effective_from.isoformat()}; "
     "a season uses the newest set in force on its start."),
    ("text", "[D] 表8 未列月份", "[D] Months not in table 8",
     f"表8 未列明的月份（如 9 月、5 月）按{CONDITION_LABEL[_UNNAMED][0]}工况（每月 {_N[_UNNAMED]} 次）。",
     f"Months table 8 does not name (e.g. September, May) count as {CONDITION_LABEL[_UNNAMED][1]} "
     f"({en_count(_N[_UNNAMED])} measurement{'s' if _N[_UNNAMED] != 1 else ''})."),
    ("text", "[D] 面积的供热类型", "[D] Areas per type",
     "部分类型有热量表、部分没有时，面积法只计入由无热量表类型供热的面积，每条面积须注明供热类型。",
     "With both metered and unmetered types, the area method counts only the area heated by the unmetered "
     "types, so each area entry names its types."),
    ("text", "[D] 单元格的读法", "[D] How cells are read",
     f"文本形式的数字、全角数字（１２３）、2024/10/20、2024年10月20日、Excel 日期序号、{YES}/{NO}/TRUE/FALSE 均可识别；"
     "空白是缺读数，0 是读数。无法识别的单元格逐格报告，不作猜测。",
     "Numbers stored as text, full-width digits, 2024/10/20, 2024年10月20日, Excel date serials and "
     f"{YES}/{NO}/TRUE/FALSE are read; blank is a missing reading, 0 a reading. A cell that cannot be read is reported, "
     "never guessed."),
]

TABLE8 = [
    ("heading", "五、现场测量 COP 的最少次数（表8）", "5. Minimum on-site COP measurements (table 8)", "", ""),
    *(("text", f"{CONDITION_LABEL[c][0]} {CONDITION_LABEL[c][1]}", "", f"{CONDITION_MONTHS[c][0]}：每月 {_N[c]} 次",
       f"{CONDITION_MONTHS[c][1]}: {_N[c]} a month") for c in WorkingCondition),
    ("text", "极端天气", "extreme weather", f"当月另加 {EXTREME_WEATHER_EXTRA} 次", f"{EXTRA_EN} that month"),
]

NOTES = [
    ("heading", "六、其他", "6. Other notes", "", ""),
    ("text", "计入期", "Crediting period",
     f"自热泵实际开始运行之日起 {CREDITING_YEARS} 年（§5.2）；台账保存至最后一个计入期结束后 {RECORD_KEEPING_YEARS} 年（§2.2、§7.3.2）。",
     f"{CREDITING_YEARS} years from the operation start (§5.2); records are kept until {RECORD_KEEPING_YEARS} "
     "years after the last crediting period ends."),
    ("text", "个人信息", "Personal data",
     "个人业主的姓名、身份证号、电话在任何报告中均脱敏显示（§7.3.1）；所有工具离线运行，不上传任何数据。",
     "An individual owner's name, ID and phone are masked in every report (§7.3.1); every tool runs offline."),
    ("text", "不要插入或删除行列", "Do not insert rows",
     "请勿插入、删除或移动行列与工作表：校验器按固定位置读取。表格行数不够时请联系平台。",
     "Do not insert, delete or move rows, columns or sheets: the validator reads fixed positions."),
]

SECTIONS = HOW_TO_FILL + COLOURS + NAME_NOTE + DECISIONS + TABLE8 + NOTES
