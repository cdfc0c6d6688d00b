"""The calculation sheet 核算: every step's row, cells and formulas, and its monthly block."""

from __future__ import annotations

from hpcarbon.model import HeatPumpType
from hpcarbon.workbook.fields import DATE_FORMAT, NUMBER_FORMATS, CalcCell, CalcLine
from hpcarbon.workbook.sheets import MONTHLY, MONTHLY_ROWS, S_CALC, S_MONTHLY, _range
from hpcarbon.workbook.vocabularies import TYPE_LABEL, TYPE_TAG, TYPES

CALC_TYPE_COLUMNS = {HeatPumpType.ground: "B", HeatPumpType.air: "C", HeatPumpType.wastewater: "D"}
CALC_MONTHLY_ROWS = MONTHLY_ROWS


def _calc() -> tuple[tuple[CalcLine, ...], int]:
    lines: list[CalcLine] = []
    row = 4
    fmt = NUMBER_FORMATS

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
        cells += [CalcCell(wc, watt, None, NUMBER_FORMATS["kWh"]), CalcCell(cc, cop, None, NUMBER_FORMATS["-"])]
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
