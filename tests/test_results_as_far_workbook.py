"""Results as far as they go, through the workbook gate (issue 13, ruling 3): a workbook whose district is
not in Changchun and whose owner name is empty still shows Q, BE, PE and ER (verdict fail, exit 1); a bad
reading blanks only what it feeds and the report names its cell. Numbers: the example's, SPEC §12."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from builders import example, iso7064_mod11_2
from validate_support import at, errors, filled, inject_cached, located, set_cells, validate

from hpcarbon.validator_cli import SummaryRow

Q_ELEC = F(320_000) * F("2.4") * F("0.0036")  # (2): 2 764.8 GJ
BE = Q_ELEC * F("0.11")  # (1): 304.128 t
PE = F(320_000) / (1 - F("4.37") / 100) / 1000 * F("0.4671")  # (4)
Q_AREA = F(40) * 5000 * 4032 * F("3.6e-6")  # (3): 2 903.04 GJ


def assert_all_results(res: dict) -> None:
    """Q, BE, PE and ER of the example, every one computed."""
    assert res["heat_supplied_gj"] == pytest.approx(float(Q_ELEC), rel=1e-12)
    assert res["baseline_emissions_t"] == pytest.approx(float(BE), rel=1e-12)
    assert res["project_emissions_t"] == pytest.approx(float(PE), rel=1e-12)
    assert res["emission_reductions_t"] == pytest.approx(float(BE - PE), rel=1e-12)
    assert res["unavailable"] == {}


def test_workbook_field_errors_keep_the_numbers(tmp_path):
    d = example()
    p = filled(tmp_path, d)
    set_cells(p, {located("project.district", d): "北京市朝阳区", located("project.owner.name", d): None})
    r = validate(p)
    assert r.exit_code == 1 and r.report.status == "fail"
    codes = {(f.code, f.field) for f in r.report.findings if f.severity.value == "error"}
    assert {f for _c, f in codes} == {"project.district", "project.owner.name"}, codes
    assert_all_results(r.report.results_dict())
    row = SummaryRow.of(r)
    assert row.sha256 and row.project_id == "CC-HP-2024-0001"
    assert row.baseline_emissions_t == pytest.approx(float(BE), rel=1e-12)


def test_workbook_bad_reading_is_named_by_its_cell(tmp_path):
    d = example()
    p = filled(tmp_path, d)
    sheet, cell = located("monthly[2].electricity_kwh.air", d)
    set_cells(p, {(sheet, cell): -5})
    r = validate(p)
    assert r.exit_code == 1
    res = r.report.results_dict()
    assert res["project_emissions_t"] is None and res["heat_area_method_gj"] == pytest.approx(float(Q_AREA), rel=1e-12)
    assert [m["field"] for m in res["unavailable"]["project_emissions_t"]] == ["monthly[2].electricity_kwh.air"]
    text = r.report.to_text("en")
    assert f"cannot be computed, lacking: {sheet}!{cell}" in text


def _formula_in(path, d, field: str, formula: str, cached):
    """Type ``formula`` into the input cell of ``field`` with the value Excel would have saved with it."""
    sheet, cell = located(field, d)
    set_cells(path, {(sheet, cell): formula})
    inject_cached(path, {cell: cached}, sheet=sheet)
    return sheet, cell


def test_a_formula_in_the_project_name_keeps_the_numbers(tmp_path):
    d = example()
    p = filled(tmp_path, d)
    where = _formula_in(p, d, "project.name", '="示例"&"小区"', "示例小区")
    r = validate(p)
    assert r.exit_code == 1 and r.report.status == "fail"
    errs = [f for f in r.report.findings if f.severity.value == "error"]
    assert [(f.code, f.field, at(f)) for f in errs] == [("workbook.formula_in_input", "project.name", where)]
    assert_all_results(r.report.results_dict())


def test_a_formula_in_a_reading_blanks_only_what_rests_on_it(tmp_path):
    d = example()
    p = filled(tmp_path, d)
    field = "monthly[2].electricity_kwh.air"
    sheet, cell = _formula_in(p, d, field, "=60000+2000", 62000)  # the declared 62 000 kWh, as a formula
    r = validate(p)
    assert r.exit_code == 1
    assert [(f.code, at(f)) for f in r.report.findings if f.severity.value == "error"] == \
        [("workbook.formula_in_input", (sheet, cell))]
    res = r.report.results_dict()
    # the one heat-pump type's electricity feeds Q (electricity method), so BE, PE and ER; not Q_area or t
    for key in ("heat_supplied_gj", "baseline_emissions_t", "project_emissions_t", "emission_reductions_t"):
        assert res[key] is None
        assert res["unavailable"][key] == [{"code": "workbook.formula_in_input", "field": field}]
    assert res["heat_area_method_gj"] == pytest.approx(float(Q_AREA), rel=1e-12)
    assert res["heating_hours"] == 4032
    assert f"cannot be computed, lacking: {sheet}!{cell}" in r.report.to_text("en")


def test_workbook_bad_measurement_is_named_by_its_cell_alone(tmp_path):
    """An on-site COP measurement whose value is text: the results resting on the COP (Q_elec, Q, BE, ER) lack
    exactly that cell — the one its finding sits at — and t, Q_area and PE stand."""
    from builders import onsite

    d = onsite()
    p = filled(tmp_path, d)
    sheet, cell = located("systems[0].cop.measurements[3].value", d)
    set_cells(p, {(sheet, cell): "abc"})
    r = validate(p)
    assert r.exit_code == 1
    bad = [f for f in r.report.findings if f.code == "field.invalid"]
    assert [(f.field, f.location.sheet, f.location.cell) for f in bad] == [
        ("systems[0].cop.measurements[3].value", sheet, cell)]
    res = r.report.results_dict()
    assert res["heat_elec_method_gj"] is None and res["baseline_emissions_t"] is None
    assert res["unavailable"]["heat_elec_method_gj"] == [{"code": "field.invalid",
                                                          "field": "systems[0].cop.measurements[3].value"}]
    assert res["project_emissions_t"] == pytest.approx(float(PE), rel=1e-12)
    assert f"cannot be computed, lacking: {sheet}!{cell}\n" in r.report.to_text("en")


def test_workbook_text_hours_are_lacked_as_the_finding_says(tmp_path):
    """December's heating hours typed as text: the reader refuses the cell (field.invalid) and the model then
    sees the field missing; the results lack it by the reader's finding, so the report names its cell."""
    d = example()
    p = filled(tmp_path, d)
    sheet, cell = located("monthly[2].heating_hours", d)
    set_cells(p, {(sheet, cell): "abc"})
    r = validate(p)
    res = r.report.results_dict()
    assert res["unavailable"]["heating_hours"] == [{"code": "field.invalid", "field": "monthly[2].heating_hours"}]
    assert f"cannot be computed, lacking: {sheet}!{cell}\n" in r.report.to_text("en")


def test_a_formula_in_an_area_blanks_the_area_method_and_what_rests_on_it(tmp_path):
    """The area entry's placeholder stands for the whole entry (admission): Q_area, so the conservative Q and
    BE, are null and say so; t = 4 032 h and the electricity method (320 000 kWh × 2.4 × 0.0036) stand."""
    d = example()
    p = filled(tmp_path, d)
    sheet, cell = _formula_in(p, d, "areas[0].area_m2", "=2500*2", 5000)
    res = validate(p).report.results_dict()
    for key in ("heat_area_method_gj", "heat_supplied_gj", "baseline_emissions_t", "emission_reductions_t"):
        assert res[key] is None
        assert res["unavailable"][key] == [{"code": "workbook.formula_in_input", "field": "areas[0].area_m2"}]
    assert res["heating_hours"] == 4032
    assert res["heat_elec_method_gj"] == pytest.approx(float(Q_ELEC), rel=1e-12)
    assert res["project_emissions_t"] == pytest.approx(float(PE), rel=1e-12)


def test_a_formula_in_the_season_start_leaves_only_the_crediting_period(tmp_path):
    """The season has no neutral placeholder: a formula there — even one giving the declared date — refuses
    it, so no number resting on the season stands (each names the cell), but the crediting period from the
    operation start does (2023-10-20 + 15 y − 1 d = 2038-10-19, kept 5 y more) and a rule on a valid cell
    still reports beside the formula's error (a statement not affirmed)."""
    from builders import put

    d = put(example(), "project.statements.data_authorised", False)
    p = filled(tmp_path, d)
    where = _formula_in(p, d, "season.start", "=DATE(2024,10,20)", 45585)  # the serial of 2024-10-20
    r = validate(p)
    assert r.exit_code == 1 and r.report.status == "fail"
    assert [(f.code, at(f)) for f in r.report.findings if f.severity.value == "error"] == [
        ("workbook.formula_in_input", where),
        ("statement.not_affirmed", located("project.statements.data_authorised", d))]
    res = r.report.results_dict()
    lacking = [{"code": "workbook.formula_in_input", "field": "season.start"}]
    for key in ("heating_hours", "heat_supplied_gj", "baseline_emissions_t", "emission_reductions_t",
                "parameter_version"):
        assert res[key] is None and res["unavailable"][key] == lacking, key
    assert (res["crediting_period_end"], res["records_keep_until"]) == ("2038-10-19", "2043-10-19")
    assert f"cannot be computed, lacking: {where[0]}!{where[1]}\n" in r.report.to_text("en")


def _individual(d: dict) -> dict:
    first17 = "22010119800101123"
    d["project"]["owner"] = {"type": "individual", "name": "张三丰", "id_number": first17 + iso7064_mod11_2(first17),
                             "phone": "13812345678"}
    return d


@pytest.mark.parametrize("builder, field, formula", [
    (example, "project.name", '="示例"&"项目"'),
    (lambda: _individual(example()), "project.owner.name", '="张三丰"'),
])
def test_a_formula_saved_without_its_value_is_not_an_empty_field(tmp_path, builder, field, formula):
    """A formula written by a script (openpyxl) is saved with no value, so the reader sees the cell blank;
    the cell is not empty: its one error is the formula's — no "required field is empty" at the same
    cell — and the numbers, which do not rest on the field, all stand."""
    d = builder()
    p = filled(tmp_path, d)
    where = located(field, d)
    set_cells(p, {where: formula})  # no saved value, as a script writes it
    r = validate(p)
    assert r.exit_code == 1 and r.report.status == "fail"
    assert [(f.code, f.field, at(f)) for f in errors(r)] == [("workbook.formula_in_input", field, where)]
    assert_all_results(r.report.results_dict())


def test_a_formula_without_its_value_in_the_season_start_is_the_one_error(tmp_path):
    d = example()
    p = filled(tmp_path, d)
    where = located("season.start", d)
    set_cells(p, {where: "=DATE(2024,10,20)"})
    r = validate(p)
    assert [(f.code, at(f)) for f in errors(r)] == [("workbook.formula_in_input", where)]
    res = r.report.results_dict()  # the season refused: no number but the crediting period stands
    assert res["heat_supplied_gj"] is None and res["unavailable"]["heat_supplied_gj"] == [
        {"code": "workbook.formula_in_input", "field": "season.start"}]
    assert res["crediting_period_end"] == "2038-10-19"


def test_a_formula_without_its_value_in_the_hours_is_lacked_as_the_formula(tmp_path):
    """December's heating hours (required) as a formula with no saved value: t and what rests on it are
    lacked by the formula's finding, not by an "empty" field; the electricity method (320 000 kWh × 2.4 ×
    0.0036) does not use t and stands."""
    d = example()
    p = filled(tmp_path, d)
    field = "monthly[2].heating_hours"
    sheet, cell = located(field, d)
    set_cells(p, {(sheet, cell): "=700+44"})
    r = validate(p)
    assert [(f.code, at(f)) for f in errors(r)] == [("workbook.formula_in_input", (sheet, cell))]
    res = r.report.results_dict()
    assert res["heating_hours"] is None and res["heat_area_method_gj"] is None
    assert res["unavailable"]["heating_hours"] == [{"code": "workbook.formula_in_input", "field": field}]
    assert res["heat_elec_method_gj"] == pytest.approx(float(Q_ELEC), rel=1e-12)
    assert f"cannot be computed, lacking: {sheet}!{cell}" in r.report.to_text("en")


def test_a_reversed_season_leaves_every_rule_on_valid_cells_standing(tmp_path):
    """The verifier's workbook: the season's cells reversed (2025-04-05 … 2024-10-20: no neutral placeholder),
    the operation start 2022-05-01, a wrong USCC check character, a statement not affirmed and a test-report
    COP of 0.5. Each rule on valid cells reports at its cell beside the season's error (2022-05-01 < 2023-01-01,
    §5.3; 0.5 outside [1, 8]); every number but the crediting period (2022-05-01 + 15 y − 1 d = 2037-04-30,
    kept 5 y more) lacks the season, named by the season's cell."""
    from datetime import datetime

    from builders import put

    d = put(example(), "project.operation_start", "2022-05-01")
    put(d, "project.owner.id_number", "91220101MA0Y4H5X3A")  # T is the right check character (GB 32100)
    put(d, "project.statements.not_claimed_elsewhere", False)
    put(d, "systems[0].cop.report_value", 0.5)
    p = filled(tmp_path, d)
    set_cells(p, {located("season.start", d): datetime(2025, 4, 5), located("season.end", d): datetime(2024, 10, 20)})
    r = validate(p)
    assert r.exit_code == 1 and r.report.status == "fail"
    errors = [(f.code, f.field, at(f)) for f in r.report.findings if f.severity.value == "error"]
    season_at = next(where for code, field, where in errors if field == "season")
    assert season_at[1] is not None  # located at a cell of the season
    assert errors == [
        ("field.invalid", "season", season_at),
        ("period.operation_before_traceability", "project.operation_start", located("project.operation_start", d)),
        ("owner.uscc_invalid", "project.owner.id_number", located("project.owner.id_number", d)),
        ("statement.not_affirmed", "project.statements.not_claimed_elsewhere",
         located("project.statements.not_claimed_elsewhere", d)),
        ("cop.implausible", "systems[0].cop.report_value", located("systems[0].cop.report_value", d)),
    ]
    res = r.report.results_dict()
    for key in ("heat_supplied_gj", "baseline_emissions_t", "project_emissions_t", "emission_reductions_t"):
        assert res[key] is None and res["unavailable"][key] == [{"code": "field.invalid", "field": "season"}]
    assert (res["crediting_period_end"], res["records_keep_until"]) == ("2037-04-30", "2042-04-30")
    shown = r.report.to_dict("en")
    assert shown["project"]["id"] == "CC-HP-2024-0001" and shown["season"] == {"start": None, "end": None}
    assert f"cannot be computed, lacking: {season_at[0]}!{season_at[1]}\n" in r.report.to_text("en")
