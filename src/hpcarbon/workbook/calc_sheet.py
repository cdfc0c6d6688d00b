"""The calculation sheet 核算: every step's row, cells and formulas, and its monthly block.

Each step shows (template 1.1 on) its value computed with native spreadsheet functions in column E (what an
owner sees in Excel, WPS or LibreOffice without the add-in), the add-in's ``HP_*`` result in column F,
and in column G whether the two agree. The formulas come from :mod:`.renderings`, which declares each
step's two renderings beside the core function they render.
"""

from __future__ import annotations

from hpcarbon.calendar import CREDITING_YEARS, RECORD_KEEPING_YEARS
from hpcarbon.model import HeatPumpType
from hpcarbon.vocabulary import NO, YES
from hpcarbon.workbook.fields import (
    DATE_FORMAT, NUMBER_FORMATS, RECHECK_ABOVE, RECHECK_ABOVE_EN, CalcCell, CalcLine,
)
from hpcarbon.workbook.renderings import INFINITE, addin, native
from hpcarbon.workbook.texts import CREDIT_STEP, DENOISE_ZH, GJ_PER_KWH_SHOWN, GJ_PER_WH_SHOWN
from hpcarbon.workbook.sheets import AREAS, MONTHLY, MONTHLY_ROWS, S_AREAS, S_CALC, S_MONTHLY, sheet_range
from hpcarbon.workbook.vocabularies import (
    COP_ONSITE,
    COP_REPORT,
    SRC_ESTIMATE,
    SRC_METER,
    SRC_NONE,
    SRC_TOTAL,
    TYPE_LABEL,
    TYPE_TAG,
    TYPES,
)

CALC_TYPE_COLUMNS = {HeatPumpType.ground: "B", HeatPumpType.air: "C", HeatPumpType.wastewater: "D"}
CALC_MONTHLY_ROWS = MONTHLY_ROWS
#: the native result, the add-in's result, whether they agree
RESULT_COLUMN, ADDIN_COLUMN, AGREE_COLUMN = "E", "F", "G"

# What the sheet writes for the core's words (compared by the validator and the recalculation test)
METHOD_LABEL = {"metered": "计量", "estimated": SRC_ESTIMATE, "mixed": "混合"}
BASIS_LABEL = {"electricity": "电算法", "area": "面积法", None: "—"}
RECHECK_NEEDED, RECHECK_DONE, RECHECK_NOT_NEEDED = "须复核（错误）", "已复核（警告）", "无需复核"
AGREE, DISAGREE, NO_ADDIN = "一致", "不一致", "未装加载项"

_T_FMT = '#,##0.00" t"'
#: a season's electricity in whole kWh (the cells keep every decimal; 320,000.00 kWh would not fit)
_KWH_FMT = '#,##0" kWh"'


def agree_formula(row: int, native: str = RESULT_COLUMN, addin: str = ADDIN_COLUMN) -> str:
    """Column G (or ``addin``'s neighbour): do the native result and the add-in's agree? (float noise allowed)"""
    e, f = f"{native}{row}", f"{addin}{row}"
    return (f'=IF(ISERROR({f}),"{NO_ADDIN}",IF(AND(ISNUMBER({e}),ISNUMBER({f})),'
            f'IF(ABS({e}-{f})<=1E-9*MAX(1,ABS({e})),"{AGREE}","{DISAGREE}"),IF({e}&""={f}&"","{AGREE}","{DISAGREE}")))')


def _calc() -> tuple[tuple[CalcLine, ...], int]:
    lines: list[CalcLine] = []
    row = 4
    fmt = NUMBER_FORMATS

    def heading(zh, en):
        nonlocal row
        lines.append(CalcLine(row, zh, en, heading=True))
        row += 1

    def step(zh, en, cells=(), unit="", formula="", clause="", result=None, addin_formula=None, addin_name=None,
             number_format="General", type_result=None, check=None):
        nonlocal row
        extra = CalcCell(ADDIN_COLUMN, addin_formula, addin_name, number_format) if addin_formula else None
        lines.append(CalcLine(row, zh, en, tuple(cells), unit, formula, clause, result, addin=extra,
                              type_result=type_result, check=check))
        row += 1
        return row - 1

    def per_type(make, tag, number_format="General", total=None, total_name=None, total_format=None):
        cells = [CalcCell(CALC_TYPE_COLUMNS[t], make(t, CALC_TYPE_COLUMNS[t]), f"HP_CALC_{tag}_{TYPE_TAG[t]}",
                          number_format) for t in TYPES]
        if total:
            cells.append(CalcCell(RESULT_COLUMN, total, total_name, total_format or number_format))
        return cells

    def e(formula, name, number_format="General"):
        return [CalcCell(RESULT_COLUMN, formula, name, number_format)]

    heading("一、生效参数（按供暖期开始日）", "1. Parameters in force on the season start")
    for key, zh, unit, f, clause in (("EF_heat", "EF_heat 热力排放因子", "t CO2/GJ", "t CO2/GJ", "7.1 表1"),
                                     ("EF_elec", "EF_elec 吉林省电力排放因子", "kg CO2/kWh", "kg CO2/kWh", "7.1 表3"),
                                     ("TD", "TD 电网输配电损失率", "%", "%", "7.1 表4")):
        declared = {"EF_heat": "HP_PARAMETERS_EF_HEAT", "EF_elec": "HP_PARAMETERS_EF_ELEC",
                    "TD": "HP_PARAMETERS_TD_PERCENT"}[key]
        step(zh, key, e(f"={declared}", f"HP_CALC_{key.upper()}", fmt[f]), unit,
             f"E：“参数”表的申报值；F：HP_PARAM(\"{key}\", 供暖期开始日)", clause,
             addin_formula=f'=HP_PARAM("{key}",HP_SEASON_START)', addin_name=f"HP_CALC_{key.upper()}_ADDIN",
             number_format=fmt[f])
    heading("二、实际供暖小时数", "2. Actual heating hours")
    step("实际供暖小时数 t", "Heating hours t",
         e("=" + native("heating_hours", hours="HP_MONTHLY_HEATING_HOURS", outage="HP_MONTHLY_OUTAGE_HOURS"),
           "HP_CALC_T", fmt["h"]), "h", "t = Σ(供暖小时 − 停供小时)", "6.2.4.2", "heating_hours")
    heading("三、各类型热泵（不同类型严禁混合计算）", "3. Per heat-pump type (never mixed)")
    in_use = step("是否采用", "In use", per_type(
        lambda t, c: f'=IF(HP_IN_USE_{TYPE_TAG[t]}="{YES}","{YES}","{NO}")', "IN_USE"), "", "热泵系统表", "6.2.1")
    src = step("供热量取得方式", "How heat is known", per_type(
        lambda t, c: (f'=IF({c}{in_use}<>"{YES}","{SRC_NONE}",IF(HP_HEAT_METERED_{TYPE_TAG[t]}="{YES}",'
                      f'"{SRC_METER}",IF(AND(HP_TOTAL_METER_INSTALLED="{YES}",HP_TOTAL_METER_COVERS_{TYPE_TAG[t]}='
                      f'"{YES}"),"{SRC_TOTAL}","{SRC_ESTIMATE}")))'), "SRC"),
        "", "热量表 / 总输出端 / 估算", "6.2, 表5–表7")
    srcs = f"$B${src}:$D${src}"
    w = step("耗电量 W", "Electricity W", per_type(
        lambda t, c: f'=IF({c}{in_use}="{YES}",SUM(HP_MONTHLY_ELEC_{TYPE_TAG[t]}),0)', "W", _KWH_FMT,
        total=f"=SUM(B{row}:D{row})", total_name="HP_CALC_W"), "kWh", "W = Σ 逐月读数", "表9–表11",
        "electricity_kwh", type_result="electricity_by_type_kwh")
    step("热量表计量供热量", "Metered heat", per_type(
        lambda t, c: f'=IF({c}{src}="{SRC_METER}",SUM(HP_MONTHLY_HEAT_{TYPE_TAG[t]}),0)', "Q_METERED", fmt["GJ"],
        total=f"=SUM(B{row}:D{row})", total_name="HP_CALC_Q_METERED"), "GJ", "Q = Σ 逐月热量表读数", "表5–表7")
    step("COP 来源", "COP source", per_type(
        lambda t, c: f'=IF({c}{src}<>"{SRC_ESTIMATE}","—",IF(LEN(HP_COP_SOURCE_{TYPE_TAG[t]})=0,"（未填）",'
                     f'HP_COP_SOURCE_{TYPE_TAG[t]}))', "COP_SOURCE"), "", "检测报告优先，其次现场测量", "表8")
    step("COP（报告值或现场测量季均值，仅供参考）", "COP (report, or mean of on-site values; for reference)", per_type(
        lambda t, c: (f'=IF({c}{src}<>"{SRC_ESTIMATE}","",IF(HP_COP_SOURCE_{TYPE_TAG[t]}="{COP_REPORT}",'
                      f'HP_COP_REPORT_VALUE_{TYPE_TAG[t]},IFERROR(AVERAGEIF(HP_COP_TYPE,"{TYPE_LABEL[t][0]}",'
                      f'HP_COP_VALUE),"")))'), "COP", fmt["-"]), "-", "现场测量按月平均后逐月计算", "表8")

    def q_elec_native(t, c):
        tag = TYPE_TAG[t]
        mw, mcop = f"HP_CALC_MW_{tag}", f"HP_CALC_MCOP_{tag}"
        report = native("heat_by_electricity", W=f"{c}{w}", COP=f"HP_COP_REPORT_VALUE_{tag}")
        monthly = native("heat_by_electricity_monthly", W=mw, COP=mcop)
        # a month with electricity but no COP measurement: not computable (the core says which month)
        return (f'=IF({c}{src}<>"{SRC_ESTIMATE}","",IF(HP_COP_SOURCE_{tag}="{COP_REPORT}",'
                f'IF(ISNUMBER(HP_COP_REPORT_VALUE_{tag}),{report},""),IF(HP_COP_SOURCE_{tag}="{COP_ONSITE}",'
                f'IF(SUMPRODUCT(--({mw}<>""),--({mcop}=""))>0,"",{monthly}),"")))')

    def q_elec_addin(t):
        tag, c = TYPE_TAG[t], CALC_TYPE_COLUMNS[t]
        return (f'IF({c}{src}<>"{SRC_ESTIMATE}",0,IF(HP_COP_SOURCE_{tag}="{COP_REPORT}",'
                f'{addin("heat_by_electricity", W=f"{c}{w}", COP=f"HP_COP_REPORT_VALUE_{tag}")},'
                f'{addin("heat_by_electricity_monthly", W=f"HP_CALC_MW_{tag}", COP=f"HP_CALC_MCOP_{tag}")}))')

    q_row = row
    step("电算法供热量 Q电，公式（2）", "Electricity method, formula (2)", per_type(
        q_elec_native, "Q_ELEC", fmt["GJ"],
        total=(f'=IF(COUNTIF({srcs},"{SRC_ESTIMATE}")=0,"",IF(SUMPRODUCT(--({srcs}="{SRC_ESTIMATE}"),'
               f'--ISTEXT(B{q_row}:D{q_row}))>0,"",SUM(B{q_row}:D{q_row})))'),
        total_name="HP_CALC_Q_ELEC"), "GJ", f"Q = Σ W × COP × {GJ_PER_KWH_SHOWN}（逐月）", "6.2.1", "heat_elec_method_gj",
        addin_formula=f'=IF(COUNTIF({srcs},"{SRC_ESTIMATE}")=0,"",' + "+".join(q_elec_addin(t) for t in TYPES) + ")",
        addin_name="HP_CALC_Q_ELEC_ADDIN", number_format=fmt["GJ"])
    heading("四、供热量：计量、估算与保守取值", "4. Heat supplied: metered, estimated, conservative")
    step("估算供热量的类型数", "Types whose heat is estimated", e(f'=COUNTIF({srcs},"{SRC_ESTIMATE}")',
                                                              "HP_CALC_N_ESTIMATED"), "", "“供热量取得方式”为估算", "6.2.3")
    step("计量供热量的类型数", "Types whose heat is metered",
         e(f'=COUNTIF({srcs},"{SRC_METER}")+COUNTIF({srcs},"{SRC_TOTAL}")', "HP_CALC_N_METERED"), "",
         "热量表或总输出端", "6.2")
    step("部分计量、部分估算（混合）", "Mixed: some metered, some estimated",
         e(f'=IF(AND(HP_CALC_N_ESTIMATED>0,HP_CALC_N_METERED>0),"{YES}","{NO}")', "HP_CALC_MIXED"), "",
         "混合时面积表须注明供热类型", "6.2.3")
    step("核算方式", "Method", e(
        f'=IF(HP_CALC_N_METERED=0,"{METHOD_LABEL["estimated"]}",IF(HP_CALC_N_ESTIMATED>0,'
        f'"{METHOD_LABEL["mixed"]}","{METHOD_LABEL["metered"]}"))', "HP_CALC_METHOD"), "",
         "计量 / 估算 / 混合", "6.2", "method")
    step("总输出端热量表供热量", "Total-output meter heat", e(
        f'=IF(COUNTIF({srcs},"{SRC_TOTAL}")=0,0,SUM(HP_MONTHLY_TOTAL_HEAT))', "HP_CALC_Q_TOTAL_METER", fmt["GJ"]),
        "GJ", "Q = Σ 逐月总输出端读数", "表5–表7")
    step("表2 q 下限（面积表各行之和，逐行见第八部分）", "Table 2 lowest q (sum over the area rows; by row: part 8)",
         e(f"=SUM({AREA_Q_NATIVE})", "HP_CALC_Q_TABLE", fmt["W/m²"]), "W/m²",
         "E：面积表 H 列（通用公式查表）；F：HP_Q_INDEX(建筑类型, 节能)", "表2",
         addin_formula=f"=SUM({AREA_Q_ADDIN})", addin_name="HP_CALC_Q_TABLE_ADDIN", number_format=fmt["W/m²"])
    area_args = {"q": "HP_AREA_Q_USED", "A": "HP_AREA_COUNTED", "t": "HP_CALC_T"}
    step("面积法供热量 Q面，公式（3）", "Area method, formula (3)", e(
        f'=IF(HP_CALC_N_ESTIMATED=0,"",{native("heat_by_area_entries", **area_args)})', "HP_CALC_Q_AREA", fmt["GJ"]),
        "GJ", f"Q = Σ(q × A) × t × {GJ_PER_WH_SHOWN}（面积表 I、J 列）", "6.2.2", "heat_area_method_gj",
        addin_formula=f'=IF(HP_CALC_N_ESTIMATED=0,"",{addin("heat_by_area_entries", **area_args)})',
        addin_name="HP_CALC_Q_AREA_ADDIN", number_format=fmt["GJ"])
    both = "AND(ISNUMBER(HP_CALC_Q_ELEC),ISNUMBER(HP_CALC_Q_AREA))"
    # the add-in's chain lets an error through (#NAME? without the add-in), so column G can say so
    est_addin = "HP_CALC_N_ESTIMATED=0"
    qs = {"Q_elec": "HP_CALC_Q_ELEC", "Q_area": "HP_CALC_Q_AREA"}
    qs_addin = {"Q_elec": "HP_CALC_Q_ELEC_ADDIN", "Q_area": "HP_CALC_Q_AREA_ADDIN"}
    step("保守取值 Q估 = min(Q电, Q面)", "Conservative estimate", e(
        f'=IF({both},{native("conservative_heat", **qs)},"")', "HP_CALC_Q_EST", fmt["GJ"]), "GJ",
        "取两种方法的较小值", "6.2.3.2",
        addin_formula=f'=IF({est_addin},"",{addin("conservative_heat", **qs_addin)})',
        addin_name="HP_CALC_Q_EST_ADDIN", number_format=fmt["GJ"])
    step("两种方法偏差 d", "Deviation d", e(
        f'=IF({both},{native("deviation", **qs)},"")', "HP_CALC_DEVIATION", "0.0%"), "",
        f"d = |Q电 − Q面| / min(Q电, Q面) [D]；一方为 0 时 {INFINITE}", "6.2.3.2", "deviation",
        addin_formula=f'=IF({est_addin},"",{addin("deviation", **qs_addin)})', addin_name="HP_CALC_DEVIATION_ADDIN",
        number_format="0.0%")

    def recheck(d):
        return (f'=IF(HP_CALC_N_ESTIMATED=0,"—",IF(LEN({d}&"")=0,"—",IF({native("deviation_requires_recheck", d=d)},'
                f'IF(HP_RECHECK_PERFORMED="{YES}","{RECHECK_DONE}","{RECHECK_NEEDED}"),"{RECHECK_NOT_NEEDED}")))')

    step(f"是否须复核参数（d > {RECHECK_ABOVE}）", f"Re-check needed (d > {RECHECK_ABOVE_EN})", e(recheck("HP_CALC_DEVIATION"), "HP_CALC_RECHECK"),
         "", f"d 取 {DENOISE_ZH}后大于 {RECHECK_ABOVE}；见“复核记录”表", "6.2.3.2", check="recheck_needed",
         addin_formula=recheck("HP_CALC_DEVIATION_ADDIN"), addin_name="HP_CALC_RECHECK_ADDIN")
    step("估算依据", "Estimate basis", e(
        f'=IF(HP_CALC_N_ESTIMATED=0,"—",IF(ISNUMBER(HP_CALC_Q_EST),'
        f'IF(HP_CALC_Q_ELEC<=HP_CALC_Q_AREA,"{BASIS_LABEL["electricity"]}","{BASIS_LABEL["area"]}"),"—"))',
        "HP_CALC_BASIS"), "", "较小值所属方法", "6.2.3.2", "estimate_basis")
    heading("五、排放与减排量", "5. Emissions and reductions")
    step("供热量 Q = Qgs + Qas + Qws", "Heat supplied Q", e(
        "=HP_CALC_Q_METERED+HP_CALC_Q_TOTAL_METER+N(HP_CALC_Q_EST)", "HP_CALC_Q", fmt["GJ"]), "GJ",
        "热量表 + 总输出端 + 保守估算", "6.2", "heat_supplied_gj",
        addin_formula="=HP_CALC_Q_METERED+HP_CALC_Q_TOTAL_METER+N(HP_CALC_Q_EST_ADDIN)", addin_name="HP_CALC_Q_ADDIN",
        number_format=fmt["GJ"])
    step("基准线排放 BE，公式（1）", "Baseline emissions BE, formula (1)", e(
        "=" + native("baseline_emissions", Q="HP_CALC_Q", EF_heat="HP_CALC_EF_HEAT"), "HP_CALC_BE", _T_FMT),
        "t CO2", "BE = (Qgs + Qas + Qws) × EF_heat（Q 已按类型合计）", "6.2", "baseline_emissions_t",
        addin_formula="=" + addin("baseline_emissions", Q="HP_CALC_Q_ADDIN", EF_heat="HP_CALC_EF_HEAT_ADDIN"),
        addin_name="HP_CALC_BE_ADDIN", number_format=_T_FMT)
    step("项目排放 PE，公式（4）", "Project emissions PE, formula (4)", e(
        "=" + native("project_emissions", W="HP_CALC_W", TD="HP_CALC_TD", EF_elec="HP_CALC_EF_ELEC"), "HP_CALC_PE",
        _T_FMT), "t CO2", "PE = (Wgs + Was + Wws) / (1 − TD/100) × 10⁻³ × EF_elec", "6.3", "project_emissions_t",
        addin_formula="=" + addin("project_emissions", Wgs="HP_CALC_W_GROUND", Was="HP_CALC_W_AIR",
                                  Wws="HP_CALC_W_WASTEWATER", TD="HP_CALC_TD_ADDIN", EF_elec="HP_CALC_EF_ELEC_ADDIN"),
        addin_name="HP_CALC_PE_ADDIN", number_format=_T_FMT)
    step("减排量 ER，公式（5）", "Emission reductions ER, formula (5)", e(
        "=" + native("emission_reductions", BE="HP_CALC_BE", PE="HP_CALC_PE"), "HP_CALC_ER", _T_FMT), "t CO2",
        "ER = BE − PE", "6.4", "emission_reductions_t",
        addin_formula="=" + addin("emission_reductions", BE="HP_CALC_BE_ADDIN", PE="HP_CALC_PE_ADDIN"),
        addin_name="HP_CALC_ER_ADDIN", number_format=_T_FMT)
    step("可签发减排量", "Creditable reductions", e(
        "=" + native("creditable_reductions", ER="HP_CALC_ER"), "HP_CALC_ER_CREDITABLE", _T_FMT), "t CO2",
        f"ER 去除浮点噪声（{DENOISE_ZH}）后向下取整至 {CREDIT_STEP} t，负值取 0 [D]", "9 [D]", "creditable_reductions_t",
        addin_formula="=" + addin("creditable_reductions", ER="HP_CALC_ER_ADDIN"),
        addin_name="HP_CALC_ER_CREDITABLE_ADDIN", number_format=_T_FMT)
    heading("六、计入期与台账保存", "6. Crediting period and record keeping")
    step("计入期开始", "Crediting period starts", e(
        '=IF(ISNUMBER(HP_PROJECT_OPERATION_START),HP_PROJECT_OPERATION_START,"")', "HP_CALC_CREDITING_START",
        DATE_FORMAT), "", "热泵实际开始运行之日", "5.2", "crediting_period_start")
    step("计入期结束", "Crediting period ends", e(
        f'=IF(ISNUMBER(HP_PROJECT_OPERATION_START),{native("crediting_period", start="HP_PROJECT_OPERATION_START")},"")',
        "HP_CALC_CREDITING_END", DATE_FORMAT), "", f"开始后 {CREDITING_YEARS} 年的前一日（2 月 29 日起算：次年 3 月 1 日前一日）",
        "5.2", "crediting_period_end")
    step("台账保存至", "Records kept until", e(
        f'=IF(ISNUMBER(HP_CALC_CREDITING_END),{native("records_keep_until", end="HP_CALC_CREDITING_END")},"")',
        "HP_CALC_RECORDS_UNTIL", DATE_FORMAT), "", f"计入期结束后 {RECORD_KEEPING_YEARS} 年", "7.3.2", "records_keep_until")
    row += 1
    heading("七、电算法逐月数据（现场测量 COP：当月各次测量的平均值）",
            "7. Electricity method by month (on-site COP: mean of the month's measurements)")
    monthly_header = row
    row += 1 + CALC_MONTHLY_ROWS + 1
    heading("八、面积表逐行：表2 q 下限（通用公式）与加载项 HP_Q_INDEX",
            "8. Area rows: table 2 lowest q (any program) and the add-in's HP_Q_INDEX")
    return tuple(lines), monthly_header, row


#: 核算's block of the area rows (part 8): per row of 面积, the building type, the table q looked up
#: natively (面积!H), the add-in's HP_Q_INDEX and whether they agree; its ranges are summed in part 4
CALC_AREA_COLUMNS = ("A", "B", "C", "D")  # building type, native q, add-in q, agree
AREA_Q_NATIVE, AREA_Q_ADDIN = "HP_CALC_AREA_Q_TABLE", "HP_CALC_AREA_Q_INDEX"
CALC_LINES, CALC_MONTHLY_HEADER_ROW, CALC_AREA_HEADER_ROW = _calc()
CALC_MONTHLY_FIRST_ROW = CALC_MONTHLY_HEADER_ROW + 1
CALC_AREA_FIRST_ROW = CALC_AREA_HEADER_ROW + 1
CALC_AREA_ROWS = AREAS.rows
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
        mean = native("mean_cop", values="HP_COP_VALUE", type_range="HP_COP_TYPE", type=f'"{TYPE_LABEL[t][0]}"',
                      month_range="HP_COP_MONTH", month=f"$A{row}", date_range="HP_COP_DATE",
                      start="HP_SEASON_START", end="HP_SEASON_END")
        cop = (f'=IF(OR(LEN($A{row})=0,{src}<>"{SRC_ESTIMATE}",HP_COP_SOURCE_{tag}<>"{COP_ONSITE}"),"",'
               f'IFERROR({mean},""))')
        wref = f"'{S_MONTHLY}'!${elec_cols[t.value]}{m}"
        # a month with no electricity and no measurement adds nothing (accounting: skipped, not an error)
        watt = (f'=IF(OR(LEN($A{row})=0,{src}<>"{SRC_ESTIMATE}",LEN({wref})=0),"",'
                f'IF(AND(N({wref})=0,LEN({cc}{row})=0),"",{wref}))')
        cells += [CalcCell(wc, watt, None, NUMBER_FORMATS["kWh"]), CalcCell(cc, cop, None, NUMBER_FORMATS["-"])]
    return cells


def calc_area_cells(row: int, index: int) -> list[CalcCell]:
    """Cells of one row of 核算's area block (aligned with row ``index`` of the areas table)."""
    a = AREAS.first_row + index
    kind, saving = (f"'{S_AREAS}'!${s.column}{a}" for s in AREAS.slots[:2])
    table_q = next(c for c in AREAS.computed if c.name == "HP_AREA_Q_TABLE")
    label, native_q, addin_q, agree = CALC_AREA_COLUMNS
    return [CalcCell(label, f'=IF(LEN({kind})=0,"",{kind})'),
            CalcCell(native_q, f'=IF(LEN(${label}{row})=0,"",\'{S_AREAS}\'!${table_q.column}{a})', None,
                     NUMBER_FORMATS["W/m²"]),
            CalcCell(addin_q, f'=IF(LEN(${label}{row})=0,"",HP_Q_INDEX({kind},{saving}))', None, NUMBER_FORMATS["W/m²"]),
            CalcCell(agree, f'=IF(LEN(${label}{row})=0,"",{agree_formula(row, native_q, addin_q)[1:]})')]


def calc_monthly_names() -> dict[str, str]:
    """Defined names of the monthly block's ranges: HP_CALC_MW_<TYPE>, HP_CALC_MCOP_<TYPE>."""
    first, last = CALC_MONTHLY_FIRST_ROW, CALC_MONTHLY_FIRST_ROW + CALC_MONTHLY_ROWS - 1
    out = {}
    for t in TYPES:
        wc, cc = CALC_MONTHLY_COLUMNS[t]
        out[f"HP_CALC_MW_{TYPE_TAG[t]}"] = sheet_range(S_CALC, wc, first, wc, last)
        out[f"HP_CALC_MCOP_{TYPE_TAG[t]}"] = sheet_range(S_CALC, cc, first, cc, last)
    first, last = CALC_AREA_FIRST_ROW, CALC_AREA_FIRST_ROW + CALC_AREA_ROWS - 1
    out[AREA_Q_NATIVE] = sheet_range(S_CALC, CALC_AREA_COLUMNS[1], first, CALC_AREA_COLUMNS[1], last)
    out[AREA_Q_ADDIN] = sheet_range(S_CALC, CALC_AREA_COLUMNS[2], first, CALC_AREA_COLUMNS[2], last)
    return out
