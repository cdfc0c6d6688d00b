"""The input sheets' contents: sheet names, every form line, the systems grid, the monthly, COP and area
tables, the re-check record and the locked parameters — each field with its path, defined name and spec."""

from __future__ import annotations

from hpcarbon.calendar import CONDITION_LABEL, CREDITING_YEARS, TRACEABILITY_DATE
from hpcarbon.model import TEMPERATURE_RANGE_C, HeatPumpType, WorkingCondition
from hpcarbon.vocabulary import NO, STATEMENTS, TYPE_LABEL, YES, one_of
from hpcarbon.workbook.fields import (
    RECHECK_ABOVE,
    RECHECK_ABOVE_EN,
    ALWAYS,
    BOOL,
    DATE,
    ENUM,
    ESTIMATED,
    HEAT_METERED,
    ID,
    IN_USE,
    LONGTEXT,
    MEMBER,
    MONTH,
    NUMBER,
    NUMBER_FORMATS,
    PERFORMED,
    PRESENCE,
    REPORT,
    ROW,
    ROW_HEAT,
    ROW_IN_USE,
    ROW_TOTAL,
    TEXT,
    TOTAL,
    Computed,
    FieldSpec,
    Line,
    Slot,
    Table,
)
from hpcarbon.workbook.texts import CONDITION_MONTHS, EXTRA_EN, EXTRA_ZH, FREQUENCY_EN, FREQUENCY_ZH
from hpcarbon.workbook.vocabularies import (
    BUILDING_TYPE,
    CONDITION,
    COP_SOURCE,
    DISTRICT,
    ENERGY_SAVING,
    GROUND_SUBTYPE,
    HEAT_PUMP_TYPE,
    OWNER_TYPE,
    PARAMETER_VERSION,
    SRC_ESTIMATE,
    TYPE_SHORT,
    TYPE_TAG,
    TYPES,
    YES_NO,
)

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
            lines.append(Line(row, spec.zh, spec.en, (slot,), slot.spec))
            row += 1
    return tuple(lines)


def _f(zh, en, kind, unit="", vocab=None, required=None, help_zh="", help_en="", **kw) -> FieldSpec:
    """A field's spec; its clause is its path's (errors.FIELD_CLAUSES), given by the Slot that holds it."""
    return FieldSpec(zh, en, kind, "", unit, vocab, required, help_zh, help_en, **kw)


# --- 项目信息 Project ---------------------------------------------------------------------------


PROJECT_LINES = _form(S_PROJECT, 4, [
    (("一、项目", "1. Project"), [
        ("project.id", "HP_PROJECT_ID", _f("项目编号", "Project ID", TEXT, required=ALWAYS,
                                          help_zh="碳普惠平台备案编号，或业主自编的唯一编号",
                                          help_en="the platform's registration number, or your own unique id"), False),
        ("project.name", "HP_PROJECT_NAME", _f("项目名称", "Project name", TEXT, required=ALWAYS,
                                              help_zh="项目全称", help_en="full name of the project"), False),
        ("project.district", "HP_PROJECT_DISTRICT", _f(
            "所在区域", "District", ENUM, vocab=DISTRICT, required=ALWAYS,
            help_zh="须在长春市行政区域内：从下拉列表选择区、县（市）或开发区",
            help_en="must be inside Changchun: choose the district, county or development zone"), False),
        ("project.address", "HP_PROJECT_ADDRESS", _f("项目地址", "Address", TEXT, required=ALWAYS,
                                                    help_zh="项目所在地详细地址", help_en="street address"), False),
        ("project.operation_start", "HP_PROJECT_OPERATION_START", _f(
            "热泵实际开始运行日期", "Operation start date", DATE, required=ALWAYS,
            help_zh=f"不得早于 {TRACEABILITY_DATE.isoformat()}（可追溯期）；{CREDITING_YEARS} 年计入期自此日起算（§5.2）",
            help_en=f"on or after {TRACEABILITY_DATE.isoformat()} (traceability); the {CREDITING_YEARS}-year crediting "
                    "period starts here (§5.2)"), False),
    ]),
    (("二、项目业主", "2. Owner"), [
        ("project.owner.type", "HP_OWNER_TYPE", _f(
            "业主类型", "Owner type", ENUM, vocab=OWNER_TYPE, required=ALWAYS,
            help_zh="企业（独立法人）或个人", help_en="enterprise (legal person) or individual"), False),
        ("project.owner.name", "HP_OWNER_NAME", _f(
            "业主名称/姓名", "Owner name", TEXT, required=ALWAYS, personal=True,
            help_zh="企业全称或个人姓名（个人信息在报告中脱敏显示）",
            help_en="company name or the person's name (masked in every report)"), False),
        ("project.owner.id_number", "HP_OWNER_ID_NUMBER", _f(
            "统一社会信用代码/身份证号", "USCC / resident ID", ID, required=ALWAYS, personal=True,
            help_zh="企业填 18 位统一社会信用代码，个人填 18 位居民身份证号（本格为文本格式）",
            help_en="enterprise: 18-character unified social credit code; individual: 18-digit resident ID"), False),
        ("project.owner.phone", "HP_OWNER_PHONE", _f(
            "联系电话", "Phone", ID, personal=True,
            help_zh="选填", help_en="optional"), False),
    ]),
    (("三、供暖期与参数集", "3. Heating season and parameter set"), [
        ("season.start", "HP_SEASON_START", _f(
            "供暖期开始日期", "Season start", DATE, required=ALWAYS,
            help_zh="一份申报＝一个项目的一个供暖周期；不得早于热泵实际开始运行日期",
            help_en="one declaration = one project, one heating season; not before the operation start"), False),
        ("season.end", "HP_SEASON_END", _f(
            "供暖期结束日期（含当日）", "Season end (inclusive)", DATE, required=ALWAYS,
            help_zh=f"须在 {CREDITING_YEARS} 年计入期内", help_en=f"must lie within the {CREDITING_YEARS}-year crediting period"),
         False),
        ("parameters.version", "HP_PARAMETERS_VERSION", _f(
            "参数集版本", "Parameter set version", TEXT, vocab=PARAMETER_VERSION, required=ALWAYS,
            help_zh="供暖期开始日生效的参数集（数值见“参数”表）",
            help_en="the parameter set in force on the season start (values on sheet 参数)"), False),
    ]),
    ((f"四、书面声明（{YES}/{NO}）", "4. Written statements (yes/no)"), [
        (f"project.statements.{s.key}", f"HP_STATEMENT_{s.key.upper()}", _f(
            s.label_zh, s.label_en, BOOL, vocab=YES_NO, required=ALWAYS, help_zh=s.text_zh,
            help_en=s.text_en), False)
        for s in STATEMENTS
    ]),
])

# --- 参数 Parameters (declared values: locked, prefilled with the set in force) --------------------

PARAMETER_LINES = _form(S_PARAMETERS, 4, [
    (("一、申报采用的参数（表1、表3、表4）", "1. Parameters declared (tables 1, 3, 4)"), [
        ("parameters.ef_heat", "HP_PARAMETERS_EF_HEAT", _f(
            "EF_heat 热力排放因子", "EF_heat heat emission factor", NUMBER, "t CO2/GJ", minimum=0,
            exclusive=True, help_zh="公式（1）；由参数集给定，不可修改",
            help_en="formula (1); set by the parameter set, not editable"), True),
        ("parameters.ef_elec", "HP_PARAMETERS_EF_ELEC", _f(
            "EF_elec 吉林省电力排放因子", "EF_elec Jilin grid emission factor", NUMBER, "kg CO2/kWh",
            minimum=0, exclusive=True, help_zh="公式（4）；由参数集给定，不可修改",
            help_en="formula (4); set by the parameter set, not editable"), True),
        ("parameters.td_percent", "HP_PARAMETERS_TD_PERCENT", _f(
            "TD 电网输配电损失率", "TD grid loss rate", NUMBER, "%", minimum=0,
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
                "是否采用该类型热泵", "This type is in use", PRESENCE, vocab=YES_NO,
                help_zh=f"采用的类型填“{YES}”；不同类型热泵严禁混合计算，各占一列",
                help_en="yes for each type the project uses; types are never mixed, one column each"), TYPES),
            ("systems[{t}].subtype", "SUBTYPE", _f(
                "地源热泵形式", "Ground-source subtype", ENUM, vocab=GROUND_SUBTYPE, required=IN_USE,
                help_zh=f"{one_of([o.zh for o in GROUND_SUBTYPE.options], 'zh')}"
                        f"（仅{TYPE_LABEL[HeatPumpType.ground][0]}）",
                help_en=one_of([o.en for o in GROUND_SUBTYPE.options], "en")),
             (HeatPumpType.ground,)),
            ("systems[{t}].heat_metered", "HEAT_METERED", _f(
                "单独安装热量表计量", "Own heat meter", BOOL, vocab=YES_NO, required=IN_USE,
                help_zh="该类型输出端有热量表：是；无热量表（供热量估算）或由总输出端热量表计量：否",
                help_en="yes when this type's output has its own heat meter; no when estimated or on the total meter"),
             TYPES),
            ("systems[{t}].heat_meter.id", "HEAT_METER_ID", _f(
                "热量表编号", "Heat meter id", TEXT, required=HEAT_METERED,
                help_zh="准确度符合 GB/T 32224", help_en="accuracy per GB/T 32224"), TYPES),
            ("systems[{t}].heat_meter.verified_on", "HEAT_METER_VERIFIED_ON", _f(
                "热量表最近检定日期", "Heat meter last verified", DATE, required=HEAT_METERED,
                help_zh="按 JJG 225 检定周期定期检定", help_en="verified per the JJG 225 cycle"), TYPES),
            ("systems[{t}].electricity_meter.id", "ELECTRICITY_METER_ID", _f(
                "电能表编号", "Electricity meter id", TEXT, required=IN_USE,
                help_zh="按热泵类型分别计量耗电量；准确度符合 DL/T 448",
                help_en="electricity is metered per type; accuracy per DL/T 448"), TYPES),
            ("systems[{t}].electricity_meter.verified_on", "ELECTRICITY_METER_VERIFIED_ON", _f(
                "电能表最近检定日期", "Electricity meter last verified", DATE, required=IN_USE,
                help_zh="按 JJG 596 检定周期定期检定", help_en="verified per the JJG 596 cycle"), TYPES),
        ]),
        (("二、COP（无热量表的类型，表8）", "2. COP (types without a heat meter, table 8)"), [
            ("systems[{t}].cop.source", "COP_SOURCE", _f(
                "COP 来源", "COP source", ENUM, vocab=COP_SOURCE, required=ESTIMATED,
                help_zh="优先采用热泵设备检测报告；无报告时采用专业机构现场测量（记录填“COP记录”表）",
                help_en="the equipment test report first; else on-site measurement (sheet COP记录)"), TYPES),
            ("systems[{t}].cop.report_value", "COP_REPORT_VALUE", _f(
                "检测报告 COP", "Test-report COP", NUMBER, "-", required=REPORT, minimum=0, exclusive=True,
                help_zh="热泵设备检测报告中的制热性能系数；严禁高估（§6.2.4.1）",
                help_en="heating COP from the equipment test report; never overestimate (§6.2.4.1)"), TYPES),
            ("systems[{t}].cop.report_no", "COP_REPORT_NO", _f(
                "检测报告编号", "Test-report number", TEXT, required=REPORT,
                help_zh="检测报告编号", help_en="number of the test report"), TYPES),
        ]),
        (("三、总输出端热量表（两种及以上热泵耦合时）", "3. Total-output heat meter (two or more coupled types)"), [
            ("total_heat_meter", "TOTAL_METER_INSTALLED", _f(
                "是否在总输出端安装热量表", "Total-output heat meter installed", PRESENCE, vocab=YES_NO,
                help_zh="仅适用于两种及以上热泵耦合的项目；读数填“月度数据”表的总输出端热量列",
                help_en="only for two or more coupled types; its readings go to the monthly sheet's total column"),
             (HeatPumpType.ground,)),
            ("total_heat_meter.covers", "TOTAL_METER_COVERS", _f(
                "由总输出端热量表计量", "Covered by the total meter", MEMBER, vocab=YES_NO,
                help_zh="该类型的供热量由总输出端热量表计量：是",
                help_en="yes when this type's heat is measured by the total-output meter"), TYPES),
            ("total_heat_meter.id", "TOTAL_METER_ID", _f(
                "总输出端热量表编号", "Total meter id", TEXT, required=TOTAL,
                help_zh="准确度符合 GB/T 32224", help_en="accuracy per GB/T 32224"), (HeatPumpType.ground,)),
            ("total_heat_meter.verified_on", "TOTAL_METER_VERIFIED_ON", _f(
                "总输出端热量表最近检定日期", "Total meter last verified", DATE, required=TOTAL,
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
            lines.append(Line(row, spec.zh, spec.en, tuple(slots), slots[0].spec, *note))
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
        "月份", "Month", MONTH, required=ROW,
        help_zh="YYYY-MM，如 2024-10；供暖期内每个日历月一行", help_en="YYYY-MM, e.g. 2024-10; one row per month"))
    add("B", "monthly[{i}].heating_hours", "HP_MONTHLY_HEATING_HOURS", _f(
        "供暖小时数", "Heating hours", NUMBER, "h", required=ROW, minimum=0,
        help_zh="该月供暖期内的供暖小时数，不超过 24 × 当月供暖天数",
        help_en="hours heated in the month, at most 24 × the season's days in it"))
    add("C", "monthly[{i}].outage_hours", "HP_MONTHLY_OUTAGE_HOURS", _f(
        "停供/间歇小时数", "Outage hours", NUMBER, "h", minimum=0,
        help_zh="停供、间歇供暖的小时数，须扣除（空白＝0）", help_en="outage or intermittent hours, deducted (blank = 0)"))
    add("D", "monthly[{i}].extreme_weather", "HP_MONTHLY_EXTREME_WEATHER", _f(
        "极端天气", "Extreme weather", BOOL, vocab=YES_NO,
        help_zh=f"当月出现严寒暴雪或异常升温：{YES}（现场测量 COP 须{EXTRA_ZH}）",
        help_en=f"yes if the month had extreme weather ({EXTRA_EN} on-site COP measurement)"))
    for col, t in zip("EFG", TYPES):
        add(col, f"monthly[{{i}}].electricity_kwh.{t.value}", f"HP_MONTHLY_ELEC_{TYPE_TAG[t]}", _f(
            f"耗电量-{TYPE_LABEL[t][0]}", f"Electricity, {TYPE_SHORT[t][1]}", NUMBER, "kWh",
            required=ROW_IN_USE, minimum=0,
            help_zh="电能表当月读数差；空白＝未抄表（缺读数），没有用电填 0",
            help_en="the month's metered use; blank = no reading, enter 0 when none was used"), t.value)
    for col, t in zip("HIJ", TYPES):
        add(col, f"monthly[{{i}}].heat_gj.{t.value}", f"HP_MONTHLY_HEAT_{TYPE_TAG[t]}", _f(
            f"供热量-{TYPE_LABEL[t][0]}", f"Heat, {TYPE_SHORT[t][1]}", NUMBER, "GJ",
            required=ROW_HEAT, minimum=0,
            help_zh="仅单独安装热量表的类型填写：热量表当月读数差",
            help_en="only for types with their own heat meter: the month's metered heat"), t.value)
    add("K", "monthly[{i}].total_heat_gj", "HP_MONTHLY_TOTAL_HEAT", _f(
        "总输出端供热量", "Total-output heat", NUMBER, "GJ", required=ROW_TOTAL, minimum=0,
        help_zh="仅安装总输出端热量表时填写：当月读数差", help_en="only with a total-output meter: the month's heat"))
    return Table("monthly", sheet, 4, MONTHLY_FIRST_ROW, MONTHLY_ROWS, tuple(slots), (
        Computed("L", "实际供暖小时数", "Net heating hours", '=IF(LEN($A{r})=0,"",N(B{r})-N(C{r}))',
                 "HP_MONTHLY_NET_HOURS", NUMBER_FORMATS["h"], "h"),
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
            "热泵类型", "Heat-pump type", ENUM, vocab=HEAT_PUMP_TYPE, required=ROW,
            help_zh="该次测量的热泵类型（须在“热泵系统”表中采用）",
            help_en="the type measured (must be in use on the systems sheet)"),
            "HP_COP_TYPE", table="measurements"),
        Slot(base + ".date", sheet, "B", None, _f(
            "测量日期", "Date", DATE, required=ROW,
            help_zh=f"监测日期；{FREQUENCY_ZH}", help_en=f"date; {FREQUENCY_EN}"),
            "HP_COP_DATE", table="measurements", json_key="date"),
        Slot(base + ".outdoor_temp_c", sheet, "C", None, _f(
            "室外温度", "Outdoor temperature", NUMBER, "°C", required=ROW,
            minimum=TEMPERATURE_RANGE_C[0], maximum=TEMPERATURE_RANGE_C[1],
            help_zh="测量时的室外温度", help_en="outdoor temperature at the measurement"),
            "HP_COP_OUTDOOR_TEMP", table="measurements", json_key="outdoor_temp_c"),
        Slot(base + ".condition", sheet, "D", None, _f(
            "供暖工况", "Condition", ENUM, vocab=CONDITION,
            help_zh="、".join(f"{CONDITION_LABEL[c][0]}（{CONDITION_MONTHS[c][0]}）" for c in WorkingCondition),
            help_en=", ".join(f"{CONDITION_LABEL[c][1]} ({CONDITION_MONTHS[c][1]})" for c in WorkingCondition)),
            "HP_COP_CONDITION", table="measurements", json_key="condition"),
        Slot(base + ".extreme_weather", sheet, "E", None, _f(
            "极端天气", "Extreme weather", BOOL, vocab=YES_NO,
            help_zh="极端天气下的加测：是", help_en="yes for the extra measurement in extreme weather"),
            "HP_COP_EXTREME_WEATHER", table="measurements", json_key="extreme_weather"),
        Slot(base + ".value", sheet, "F", None, _f(
            "单次 COP", "COP", NUMBER, "-", required=ROW, minimum=0, exclusive=True,
            help_zh="专业机构现场测量的单次 COP 值（月均值由各次取平均）",
            help_en="one on-site COP value by a professional body (the month's mean is taken)"),
            "HP_COP_VALUE", table="measurements", json_key="value"),
    )
    return Table("measurements", sheet, 3, COP_FIRST_ROW, COP_ROWS, slots, (
        Computed("G", "月份", "Month",
                 '=IF(LEN($B{r})=0,"",IFERROR(YEAR($B{r})&"-"&TEXT(MONTH($B{r}),"00"),""))', "HP_COP_MONTH"),
    ))


MEASUREMENTS = _measurements()

# --- 面积 Heated areas ---------------------------------------------------------------------------

AREA_FIRST_ROW = 4


#: 表2's lowest q of the parameter set in force, kept on the (hidden) lists sheet for native lookups:
#: the building-type labels of the dropdown, and the lowest q without / with energy-saving measures
Q_TABLE_NAMES = ("HP_Q_LABEL", "HP_Q_LOWEST_NOT_SAVING", "HP_Q_LOWEST_SAVING")
#: the areas sheet's table q, looked up natively (no add-in needed)
Q_LOOKUP = (f'=IF(LEN($A{{r}})=0,"",IFERROR(IF($B{{r}}="{YES}",INDEX(HP_Q_LOWEST_SAVING,MATCH($A{{r}},HP_Q_LABEL,0)),'
            f'IF($B{{r}}="{NO}",INDEX(HP_Q_LOWEST_NOT_SAVING,MATCH($A{{r}},HP_Q_LABEL,0)),"")),""))')


def _areas() -> Table:
    sheet = S_AREAS
    slots = [
        Slot("areas[{i}].building_type", sheet, "A", None, _f(
            "建筑类型", "Building type", ENUM, vocab=BUILDING_TYPE, required=ROW,
            help_zh="按 CJJ/T 34-2022 表 3.1.2-1 的建筑类型", help_en="building type of CJJ/T 34-2022 table 3.1.2-1"),
            "HP_AREA_BUILDING_TYPE", table="areas", json_key="building_type"),
        Slot("areas[{i}].energy_saving", sheet, "B", None, _f(
            "采取节能措施", "Energy-saving", BOOL, vocab=ENERGY_SAVING, required=ROW,
            help_zh="建筑采取节能措施：是；未采取：否", help_en="yes if the building is energy-saving"),
            "HP_AREA_ENERGY_SAVING", table="areas", json_key="energy_saving"),
        Slot("areas[{i}].area_m2", sheet, "C", None, _f(
            "实际供暖面积", "Heated area", NUMBER, "m²", required=ROW, minimum=0, exclusive=True,
            help_zh="项目实际供暖面积 A", help_en="actual heated area A"),
            "HP_AREA_M2", table="areas", json_key="area_m2"),
        Slot("areas[{i}].q_w_per_m2", sheet, "D", None, _f(
            "单位面积热指标 q", "Heat index q", NUMBER, "W/m²", minimum=0, exclusive=True,
            help_zh="空白＝表2 推荐值下限（H 列）；不得高于下限（严禁高估）",
            help_en="blank = the table's lowest value (column H); never above it"),
            "HP_AREA_Q", table="areas", json_key="q_w_per_m2"),
    ]
    for col, t in zip("EFG", TYPES):
        slots.append(Slot("areas[{i}].served_by", sheet, col, None, _f(
            f"由{TYPE_LABEL[t][0]}供热", f"Heated by {TYPE_SHORT[t][1]}", MEMBER, vocab=YES_NO,
            help_zh="部分类型有热量表、部分没有时必填：该面积由哪些类型供热 [D]",
            help_en="needed when some types are metered and some not: which types heat this area [D]"),
            f"HP_AREA_SERVED_BY_{TYPE_TAG[t]}", table="areas", member=t, json_key=t.value))
    computed = (
        Computed("H", "表2 q 下限", "Table q (lowest)", Q_LOOKUP,
                 "HP_AREA_Q_TABLE", NUMBER_FORMATS["W/m²"], "W/m²"),
        Computed("I", "采用 q", "q used", '=IF(LEN($A{r})=0,"",IF(LEN($D{r})=0,$H{r},$D{r}))',
                 "HP_AREA_Q_USED", NUMBER_FORMATS["W/m²"], "W/m²"),
        Computed("J", "计入面积法的面积", "Area in the area method",
                 f'=IF(LEN($C{{r}})=0,"",IF(HP_CALC_MIXED="{YES}",IF(AND(OR($E{{r}}="{YES}",$F{{r}}="{YES}",'
                 f'$G{{r}}="{YES}"),OR($E{{r}}<>"{YES}",HP_CALC_SRC_GROUND="{SRC_ESTIMATE}"),OR($F{{r}}<>"{YES}",'
                 f'HP_CALC_SRC_AIR="{SRC_ESTIMATE}"),OR($G{{r}}<>"{YES}",HP_CALC_SRC_WASTEWATER="{SRC_ESTIMATE}")),'
                 f'$C{{r}},0),$C{{r}}))',
                 "HP_AREA_COUNTED", NUMBER_FORMATS["m²"], "m²"),
    )
    return Table("areas", sheet, 3, AREA_FIRST_ROW, AREA_ROWS, tuple(slots), computed,
                 groups=())


AREAS = _areas()

# --- 复核记录 Re-check record -----------------------------------------------------------------------

RECHECK_DEVIATION_ROW = 5
RECHECK_LINES = _form(S_RECHECK, 6, [
    (("二、复核记录（§6.2.3.2）", "2. Re-check record (§6.2.3.2)"), [
        ("recheck.performed", "HP_RECHECK_PERFORMED", _f(
            "已重新核查参数", "Parameters re-checked", BOOL, vocab=YES_NO,
            help_zh=f"两种方法偏差超过 {RECHECK_ABOVE} 时须重新核查 COP、热指标、耗电量、面积等参数",
            help_en=f"required when the methods deviate by more than {RECHECK_ABOVE_EN}: re-check COP, q, electricity, area"),
         False),
        ("recheck.by", "HP_RECHECK_BY", _f(
            "复核人/单位", "Re-checked by", TEXT, required=PERFORMED,
            help_zh="复核人姓名或复核单位", help_en="who re-checked"), False),
        ("recheck.date", "HP_RECHECK_DATE", _f(
            "复核日期", "Re-check date", DATE, required=PERFORMED,
            help_zh="复核完成日期", help_en="date of the re-check"), False),
        ("recheck.note", "HP_RECHECK_NOTE", _f(
            "复核内容与结论", "What was reviewed", LONGTEXT, required=PERFORMED,
            help_zh="核查了哪些参数、发现与修正、为何仍取较小值",
            help_en="which parameters were reviewed, findings and corrections, why the smaller value stands"),
         False),
    ]),
])


def sheet_range(sheet: str, c1: str, r1: int, c2: str, r2: int) -> str:
    ref = f"${c1}${r1}" if (c1, r1) == (c2, r2) else f"${c1}${r1}:${c2}${r2}"
    return f"'{sheet}'!{ref}"
