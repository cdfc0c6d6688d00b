"""Prose that states a threshold is rendered from the constant or parameter the rules apply (issue 13,
item 5): change the constant and the instructions sheet's text follows; the findings take it as a parameter."""

from __future__ import annotations

import importlib
import re
import importlib.util
from datetime import date

import hpcarbon_udfs
import pytest
from builders import account, example, findings, onsite, put
from pydantic import ValidationError

from hpcarbon import calendar, formulas, model, parameters, report, rules, vocabulary
from hpcarbon import findings as findings_module
from hpcarbon.workbook import layout as L
from hpcarbon.workbook import renderings, texts


def _all_text() -> str:
    return "\n".join(" ".join(row) for block in (texts.HOW_TO_FILL, texts.DECISIONS, texts.TABLE8) for row in block)


def test_instructions_follow_the_constants(monkeypatch):
    try:
        monkeypatch.setattr(formulas, "DEVIATION_RECHECK_THRESHOLD", 0.15)
        monkeypatch.setattr(rules, "COP_PLAUSIBLE", (1.2, 9.0))
        monkeypatch.setitem(calendar.MIN_MEASUREMENTS, calendar.WorkingCondition.severe, 4)
        text = _all_text()
        assert "15%" not in text  # not yet reloaded
        importlib.reload(texts)
        text = _all_text()
        assert "偏差超过 15% 时" in text and "more than 15 %" in text and "10 %" not in text
        assert "COP 须在 1.2–9 之间" in text and "between 1.2 and 9" in text
        assert "12 月、1 月、2 月：每月 4 次" in text
    finally:
        monkeypatch.undo()
        importlib.reload(texts)
    assert "偏差超过 10% 时" in _all_text()


def test_findings_render_the_thresholds():
    d = put(example(), "systems[0].cop.report_value", 8.5)
    (f,) = [x for x in findings(d) if x.code == "cop.implausible"]
    assert f.message("en").endswith("(must be between 1 and 8)")
    # d = (2 903.04 − 2 419.2) / 2 419.2 = 20 % with COP 2.1 (Q_elec = 320 000 × 2.1 × 0.0036 = 2 419.2 GJ)
    (g,) = [x for x in findings(put(example(), "systems[0].cop.report_value", 2.1)) if x.code == "deviation.recheck_required"]
    assert "deviate by 20.0% (> 10%)" in g.message("en") and "偏差 20.0% 超过 10%" in g.message("zh")


def _texts_with(monkeypatch, changes: dict) -> None:
    """Reload the instructions' texts after ``changes`` (module attribute → value) to the core's constants."""
    for (module, name), value in changes.items():
        monkeypatch.setattr(module, name, value)
    importlib.reload(texts)


def test_periods_rounding_statements_and_table8_in_the_texts_follow_the_core(monkeypatch):
    severe_in_march = {**calendar._CONDITION_BY_MONTH, 3: calendar.WorkingCondition.severe}
    try:
        _texts_with(monkeypatch, {
            (calendar, "CREDITING_YEARS"): 20, (calendar, "RECORD_KEEPING_YEARS"): 7,
            (calendar, "EXTREME_WEATHER_EXTRA"): 2, (calendar, "_CONDITION_BY_MONTH"): severe_in_march,
            (formulas, "CREDIT_DECIMALS"): 3, (formulas, "DENOISE_DECIMALS"): 8,
            (report, "GJ_DECIMALS"): 4, (report, "T_DECIMALS"): 1,
            (vocabulary, "STATEMENTS"): vocabulary.STATEMENTS[:4]})
        text = _all_text() + "\n".join(" ".join(row) for block in (texts.HOW_TO_FILL, texts.NOTES) for row in block)
        assert "自热泵实际开始运行之日起 20 年" in text and "计入期结束后 7 年" in text
        assert "20 years from the operation start" in text and "until 7 years after" in text
        assert "当月另加 2 次" in text and "2 more that month" in text
        assert texts.FREQUENCY_ZH == "温和月 1 次、常规月 2 次、严寒月 3 次，极端天气加测 2 次"
        assert texts.FREQUENCY_EN == "mild months 1, normal months 2, severe months 3 measurements, 2 more with extreme weather"
        assert "11 月：每月 2 次" in text and "12 月、1 月、2 月、3 月：每月 3 次" in text
        assert "December, January, February, March: 3 a month" in text
        assert "向下取整到 0.001 t" in text and "rounded down to 0.001 t" in text and texts.DENOISE_ZH == "8 位小数"
        assert "热量保留 4 位小数（GJ）、排放保留 1 位" in text and "GJ to 4 and t CO2 to 1 decimals" in text
        assert "四项书面声明" in text and "the four written statements" in text
    finally:
        monkeypatch.undo()
        importlib.reload(texts)
    assert "五项书面声明" in _all_text() + " ".join(" ".join(r) for r in texts.HOW_TO_FILL)


def test_the_first_parameter_set_s_date_is_the_one_the_texts_state():
    first = parameters.all_sets()[0]
    (row,) = [r for r in texts.DECISIONS if r[1] == "[D] 参数集生效日期"]
    assert f"{first.version} 未注明发布日期" in row[3] and first.effective_from.isoformat() in row[3]
    assert first.effective_from == date(2023, 1, 1) and first.version == "V01"  # SPEC §4 [D]


def test_the_core_computes_with_the_constants_the_texts_state(monkeypatch):
    # the calculation sheet's crediting-period rendering and 2 decimals of credits, from the same constants
    assert f"+{calendar.CREDITING_YEARS}," in renderings.RENDERINGS["crediting_period"].native
    assert renderings.RENDERINGS["creditable_reductions"].native.endswith(f",{formulas.CREDIT_DECIMALS}))")
    # ER = 147.82558444 t (SPEC §12): to 0.01 t → 147.82; were credits kept to 0.001 t → 147.825
    assert formulas.creditable_reductions(147.82558444) == 147.82
    monkeypatch.setattr(formulas, "CREDIT_DECIMALS", 3)
    assert formulas.creditable_reductions(147.82558444) == 147.825


def test_workbook_help_texts_state_the_core_s_values():
    slots = {s.path: s for s in L.LAYOUT.slots}
    season_end = slots["season.end"].spec
    assert f"{calendar.CREDITING_YEARS} 年计入期" in season_end.help_zh
    assert f"{calendar.CREDITING_YEARS}-year" in season_end.help_en
    start = slots["project.operation_start"].spec
    assert calendar.TRACEABILITY_DATE.isoformat() in start.help_zh
    date_help = slots["systems[{t}].cop.measurements[{i}].date"].spec
    assert date_help.help_zh == f"监测日期；{texts.FREQUENCY_ZH}" and date_help.help_en == f"date; {texts.FREQUENCY_EN}"
    condition = slots["systems[{t}].cop.measurements[{i}].condition"].spec
    assert condition.help_zh == "温和（10 月下旬、4 月上旬）、常规（11 月、3 月）、严寒（12 月、1 月、2 月）"
    # the temperature bounds of the cell's validation are the model's
    temp = slots["systems[{t}].cop.measurements[{i}].outdoor_temp_c"].spec
    assert (temp.minimum, temp.maximum) == model.TEMPERATURE_RANGE_C
    with pytest.raises(ValidationError):
        model.CopMeasurement(date=date(2024, 12, 1), value=2.5, outdoor_temp_c=model.TEMPERATURE_RANGE_C[1] + 0.5)
    calc = {line.en: line for line in L.CALC_LINES}
    assert f"开始后 {calendar.CREDITING_YEARS} 年" in calc["Crediting period ends"].formula_zh
    assert f"结束后 {calendar.RECORD_KEEPING_YEARS} 年" in calc["Records kept until"].formula_zh
    assert f"至 {texts.CREDIT_STEP} t" in calc["Creditable reductions"].formula_zh and texts.CREDIT_STEP == "0.01"


def test_addin_descriptions_render_the_core_s_thresholds(monkeypatch):
    """The function wizard's text (the UDF docstring) is rendered when the add-in is loaded: load it afresh
    with other constants and the text follows."""
    try:
        _texts_with(monkeypatch, {(formulas, "DEVIATION_RECHECK_THRESHOLD"): 0.15, (formulas, "CREDIT_DECIMALS"): 3,
                                  (formulas, "GJ_PER_KWH"): 0.004, (formulas, "GJ_PER_WH"): 4e-6})
        spec = importlib.util.spec_from_file_location("hpcarbon_udfs_again", hpcarbon_udfs.__file__)
        again = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(again)
        assert ">0.15 须复核参数" in again.HP_DEVIATION.__doc__ and "above 0.15 the parameters" in again.HP_DEVIATION.__doc__
        assert "向下取整到 0.001 t CO2" in again.HP_CREDITABLE.__doc__
        assert "Q = Σ W×COP×0.004 [GJ]" in again.HP_HEAT_ELEC.__doc__
        assert "Q = Σ q×A × t × 4×10⁻⁶ [GJ]" in again.HP_HEAT_AREA.__doc__
        assert "W × COP × 0.004。" in _all_text()
    finally:
        monkeypatch.undo()
        importlib.reload(texts)
    assert ">0.10 须复核参数" in hpcarbon_udfs.HP_DEVIATION.__doc__
    assert "rounded down to 0.01 t CO2" in hpcarbon_udfs.HP_CREDITABLE.__doc__


# --- one detection each (issue 13, item 4): the rules report what the accounting lacks, found by one helper --
def test_missing_names_only_catalogued_codes():
    import pytest

    from hpcarbon.accounting import Missing

    assert Missing("cop.missing", "systems[0].cop.source").code == "cop.missing"
    with pytest.raises(ValueError, match="not a finding code"):
        Missing("cop.no_such_thing", "systems[0].cop")


def test_a_mixed_area_entry_is_lacked_and_reported_alike():
    """Mixed project (ground metered, air unmetered): an area entry heated by both kinds is no area of the
    area method and needs served_by [D]; with no other entry for air alone there is no area either. The
    accounting lacks both, the rules report both (one detection: accounting.estimated_areas)."""
    from builders import load, mixed

    from hpcarbon.accounting import Missing

    d = mixed()
    d["areas"][1]["served_by"] = ["ground", "air"]
    decl = load(d)
    ctx = rules.make_context(decl)
    lacking = ctx.accounting.results.unavailable["heat_area_method_gj"]
    assert lacking == (Missing("area.served_by_required", "areas[1].served_by"), Missing("area.missing", "areas"))
    reported = [(f.code, f.field) for f in rules.check(decl, ctx) if f.code.startswith("area.")]
    assert reported == [(m.code, m.field) for m in lacking]


def test_months_without_measurement_and_by_month_grouping():
    """Air measured on site in October (1) and December (2, listed apart): November and the months after
    December use electricity without a measurement; a month with none and no electricity is no gap."""
    from builders import load, onsite

    from hpcarbon.accounting import months_without_measurement, monthly_mean_cops
    from hpcarbon.model import HeatPumpType

    d = onsite()
    d["systems"][0]["cop"]["measurements"] = [
        {"date": "2024-12-05", "value": 2.0, "outdoor_temp_c": -14.0, "extreme_weather": False},
        {"date": "2024-10-25", "value": 3.0, "outdoor_temp_c": 2.0, "extreme_weather": False},
        {"date": "2024-12-20", "value": 2.5, "outdoor_temp_c": -18.0, "extreme_weather": False}]
    d["monthly"][6]["electricity_kwh"]["air"] = 0  # April: no electricity, no measurement needed
    decl = load(d)
    assert months_without_measurement(decl, HeatPumpType.air) == ["2024-11", "2025-01", "2025-02", "2025-03"]
    pairs = calendar.measurements_by_month(decl.systems[0].cop.measurements, decl.season)
    assert {m: [j for j, _ in p] for m, p in pairs.items()} == {"2024-12": [0, 2], "2024-10": [1]}
    assert monthly_mean_cops(decl.systems[0].cop.measurements, decl.season) == {"2024-12": 2.25, "2024-10": 3.0}


@pytest.mark.parametrize("value, shown", [(0.0036, "0.0036"), (3.6e-6, "3.6×10⁻⁶"), (1e-3, "0.001"), (2.5e12, "2.5×10¹²"),
                                          (0.11, "0.11")])
def test_a_formula_s_constant_is_shown_as_the_methodology_writes_it(value, shown):
    assert formulas.shown_constant(value) == shown


def test_no_text_of_the_template_holds_an_unrendered_placeholder():
    """Texts built from constants are f-strings; one that lost its f would show ``{YES}`` to the owner."""
    from pathlib import Path

    from openpyxl import load_workbook

    wb = load_workbook(Path(__file__).resolve().parents[1] / "workbook_templates" / "hpcarbon-declaration-template.xlsx")
    placeholder = re.compile(r"\{[A-Za-z_][A-Za-z_0-9.\[\]]*\}")
    texts_seen = []
    for ws in wb.worksheets:
        texts_seen += [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        texts_seen += [t for dv in ws.data_validations.dataValidation for t in (dv.prompt, dv.error) if t]
    assert texts_seen and not [t for t in texts_seen if placeholder.search(t)]


def _trace_formulas(d: dict) -> dict[str, tuple[str, str, str]]:
    return {s.step: (s.formula, s.title_zh, s.title_en) for s in account(d).trace}


def test_the_calculation_trace_states_the_constants_as_the_methodology_writes_them():
    """Formulas (2), (3), §5.2, §7.3.2 and SPEC §9 [D], read off the methodology's text: 0.0036, 3.6×10⁻⁶,
    15 years, 5 years, 0.01 t."""
    by = _trace_formulas(example())
    assert by["heat_elec.air"][0] == "Q = W × COP × 0.0036"
    assert by["heat_area"][0] == "Q_area = (Σ q_i × A_i) × t × 3.6×10⁻⁶"
    assert by["periods"][0] == "crediting = [start, start + 15 y − 1 d]; keep = crediting_end + 5 y"
    assert by["creditable"] == ("floor(ER, 0.01), ≥ 0", "可签发减排量（向下取整至 0.01 t，负值取 0）",
                                "creditable reductions (rounded down to 0.01 t, 0 when negative)")
    assert _trace_formulas(onsite())["heat_elec.air"][0] == \
        "Q = Σ_m W_m × COP_m × 0.0036 [D]"


def test_the_calculation_trace_follows_the_constants(monkeypatch):
    """Change a constant and the trace's prose follows: nothing in it is retyped."""
    from hpcarbon import accounting

    monkeypatch.setattr(formulas, "GJ_PER_KWH", 0.004)
    monkeypatch.setattr(formulas, "GJ_PER_WH", 4e-6)
    monkeypatch.setattr(formulas, "CREDIT_DECIMALS", 3)
    monkeypatch.setattr(accounting, "CREDITING_YEARS", 99)
    monkeypatch.setattr(accounting, "RECORD_KEEPING_YEARS", 77)
    by = _trace_formulas(example())
    assert by["heat_elec.air"][0] == "Q = W × COP × 0.004"
    assert by["heat_area"][0] == "Q_area = (Σ q_i × A_i) × t × 4×10⁻⁶"
    assert by["periods"][0] == "crediting = [start, start + 99 y − 1 d]; keep = crediting_end + 77 y"
    assert by["creditable"][0] == "floor(ER, 0.001), ≥ 0" and "0.001 t" in by["creditable"][1]
    assert "0.001 t" in by["creditable"][2]
    assert _trace_formulas(onsite())["heat_elec.air"][0] == "Q = Σ_m W_m × COP_m × 0.004 [D]"


def _message(code: str, lang: str, **params) -> str:
    from hpcarbon.findings import Finding

    return Finding(code, findings_module.CATALOG[code].severity, "", params).message(lang)


def test_the_catalogue_states_facts_as_the_methodology_does():
    """§5.2 (15 years), §2.1.1.1 (the three ground subtypes), 表8 (the COP sources) and SPEC §9 [D] (GJ to 3, t to
    2 decimals), read off the methodology and the spec, not the code."""
    assert _message("period.season_after_crediting", "zh", season_end="2039-01-01", crediting_end="2038-10-19") == \
        "供暖期结束日期 2039-01-01 晚于计入期结束日期 2038-10-19（计入期 15 年）"
    assert _message("period.season_after_crediting", "en", season_end="2039-01-01", crediting_end="2038-10-19") == \
        "season end 2039-01-01 is after the crediting period ends on 2038-10-19 (15 years)"
    assert _message("system.ground_subtype_missing", "zh") == "地源热泵须注明子类型（地埋管、地表水或地下水）"
    assert _message("system.ground_subtype_missing", "en") == \
        "a ground-source system must state its subtype (buried pipe, surface water or groundwater)"
    assert _message("cop.missing", "zh", type_zh="空气源热泵") == "空气源热泵未计量热量，须提供 COP（检测报告或现场测量）"
    assert _message("cop.missing", "en", type_en="air") == \
        "air is not heat-metered, so its COP is needed (test report or on-site measurement)"
    assert _message("reductions.negative", "en", er=-1.23456) == \
        "emission reductions are negative (-1.23 t CO2); the creditable amount is 0"
    assert "电算法 1.235 GJ 与面积法 2.000 GJ" in _message("deviation.recheck_required", "zh", heat_elec=1.23456,
                                                        heat_area=2, deviation="62%", threshold="10%")


def test_the_catalogue_follows_the_constants(monkeypatch):
    """Change the constant (or the label) and the message follows: no template retypes it."""
    monkeypatch.setattr(calendar, "CREDITING_YEARS", 20)
    monkeypatch.setitem(vocabulary.GROUND_SUBTYPE_LABEL, model.GroundSubtype.groundwater, ("深层地下水", "deep groundwater"))
    monkeypatch.setitem(vocabulary.COP_SOURCE_LABEL, model.CopSource.onsite, ("现场实测", "field test"))
    monkeypatch.setattr(findings_module, "GJ_DECIMALS", 1)
    monkeypatch.setattr(findings_module, "T_DECIMALS", 4)
    assert "（计入期 20 年）" in _message("period.season_after_crediting", "zh")
    assert "(20 years)" in _message("period.season_after_crediting", "en")
    assert _message("system.ground_subtype_missing", "zh") == "地源热泵须注明子类型（地埋管、地表水或深层地下水）"
    assert "(buried pipe, surface water or deep groundwater)" in _message("system.ground_subtype_missing", "en")
    assert "（检测报告或现场实测）" in _message("cop.missing", "zh") and "(test report or field test)" in \
        _message("cop.missing", "en")
    assert "takes its COP from field test" in _message("cop.measurement_missing_month", "en")
    assert "(-1.2346 t CO2)" in _message("reductions.negative", "en", er=-1.23456)
    assert "电算法 1.2 GJ 与面积法 2.0 GJ" in _message("deviation.recheck_required", "zh", heat_elec=1.23456, heat_area=2)


def test_the_template_s_subtype_help_lists_the_subtypes_labels():
    spec = {s.path: s for s in L.LAYOUT.slots}["systems[{t}].subtype"].spec
    assert (spec.help_zh, spec.help_en) == ("地埋管、地表水或地下水（仅地源热泵）", "buried pipe, surface water or groundwater")


def test_the_recheck_threshold_is_rendered_once_and_everything_states_it(monkeypatch):
    """§6.2.3.2's 10 %: formulas renders it; the template's fields, the trace and the finding take that text."""
    from hpcarbon.workbook import fields

    assert (formulas.recheck_threshold_text("zh"), formulas.recheck_threshold_text("en")) == ("10%", "10 %")
    assert (fields.RECHECK_ABOVE, fields.RECHECK_ABOVE_EN) == ("10%", "10 %")
    assert "d > 10% → 复核" in {s.step: s for s in account(example()).trace}["deviation"].formula
    # the example's methods deviate by 5 % (SPEC §12): with a 1 % threshold the trace and the finding say 1%
    monkeypatch.setattr(formulas, "DEVIATION_RECHECK_THRESHOLD", 0.01)
    assert "d > 1% → 复核" in {s.step: s for s in account(example()).trace}["deviation"].formula
    recheck = [f for f in findings(example()) if f.code == "deviation.recheck_required"]
    assert [f.params["threshold"] for f in recheck] == ["1%"]


@pytest.mark.parametrize("month, parts", [("2024-10", (2024, 10)), ("1900-01", (1900, 1)), ("2999-12", (2999, 12))])
def test_a_month_key_is_read_by_its_pattern(month, parts):
    assert model.month_parts(month) == parts
    assert vocabulary.month_key(*parts) == month


@pytest.mark.parametrize("text", ["2024-13", "2024-1", "24-10", "2024/10", "2024-10-01"])
def test_a_month_key_that_is_not_one_is_refused(text):
    with pytest.raises(ValueError):
        model.month_parts(text)


def test_days_in_season_and_table8_read_months_by_the_pattern(monkeypatch):
    """calendar and rules take a month apart with model.month_parts, not by slicing: make the reading answer
    another month and both follow it."""
    season = model.Season(start=date(2024, 10, 20), end=date(2025, 4, 10))
    assert calendar.days_in_season("2024-10", season) == 12  # 20 … 31 October
    monkeypatch.setattr(calendar, "month_parts", lambda month: (2025, 4))
    assert calendar.days_in_season("2024-10", season) == 10  # read as April: 1 … 10


def test_rates_and_computed_cops_in_messages_follow_their_decimals(monkeypatch):
    """Heat per heating hour to 4 decimals and a computed COP to 3 (as the messages have said), from one constant."""
    rate = dict(estimate_rate=0.123456, metered_rate=0.1, other="b.xlsx", later_start="2025-10-20")
    assert "0.1235 GJ/h 高于后期热量表实测的 0.1000 GJ/h" in _message("batch.estimate_above_later_metered", "zh", **rate)
    assert "COP 2.346 低于" in _message("cop.onsite_lower_than_report", "zh", type_zh="空气源热泵", onsite=2.34567,
                                       report=2.4)
    monkeypatch.setattr(findings_module, "RATE_DECIMALS", 2)
    monkeypatch.setattr(findings_module, "COP_DECIMALS", 1)
    assert "heat per heating hour 0.12 GJ/h exceeds the 0.10 GJ/h" in \
        _message("batch.estimate_above_later_metered", "en", **rate)
    assert "COP 2.3 低于" in _message("cop.onsite_lower_than_report", "zh", type_zh="空气源热泵", onsite=2.34567,
                                     report=2.4)
