"""Results as far as they can go, and one exit-code policy (issue 13, rulings 2 and 3).

A field error that feeds no number leaves every number standing (verdict still fail); a result is null only
when one of its own inputs is missing or invalid, and says which. Expected numbers are the example's, worked
by hand in SPEC §12 and again here from formulas (1)–(5) in exact fractions.
"""

from __future__ import annotations

import json
from datetime import date
from fractions import Fraction as F

import pytest
from builders import example, put

from hpcarbon import cli
from hpcarbon.accounting import Missing
from hpcarbon.admission import admit
from hpcarbon.declaration_io import declaration_from_data
from hpcarbon.exit_codes import ExitCode, worst
from hpcarbon.report import Report
from hpcarbon.rules import check, make_context

# the example: air source, test-report COP 2.4, W = 320 000 kWh, 5 000 m² residential (q 40), t = 4 032 h
Q_ELEC = F(320_000) * F("2.4") * F("0.0036")  # (2) = 2 764.8 GJ, below Q_area → Q
Q_AREA = F(40) * 5000 * 4032 * F("3.6e-6")  # (3) = 2 903.04 GJ
BE = Q_ELEC * F("0.11")  # (1) = 304.128 t
PE = F(320_000) / (1 - F("4.37") / 100) / 1000 * F("0.4671")  # (4) = 156.302…
ER = BE - PE  # (5) = 147.825…


def approx(x):
    return pytest.approx(float(x), rel=1e-12)


def account(data: dict):
    loaded = declaration_from_data(data)
    decl = loaded.declaration or loaded.draft
    assert decl is not None
    ctx = make_context(decl, invalid=loaded.invalid)
    return loaded, ctx, loaded.findings + check(decl, ctx)


def test_wrong_district_and_missing_owner_name_keep_every_number():
    d = put(example(), "project.district", "北京市朝阳区")
    del d["project"]["owner"]["name"]
    loaded, ctx, found = account(d)
    assert loaded.readable and loaded.declaration is None
    assert {(f.code, f.field) for f in found} == {("field.invalid", "project.district"),
                                                  ("field.required", "project.owner.name")}
    r = ctx.accounting.results
    assert r.heat_supplied_gj == approx(Q_ELEC) and r.heat_area_method_gj == approx(Q_AREA)
    assert r.baseline_emissions_t == approx(BE) and r.project_emissions_t == approx(PE)
    assert r.emission_reductions_t == approx(ER) and r.creditable_reductions_t == 147.82
    assert r.unavailable == {}
    report = Report(found, accounting=ctx.accounting, declaration=loaded.draft, invalid_fields=frozenset(loaded.invalid))
    assert report.status == "fail"
    shown = report.to_dict("en")
    assert shown["results"]["baseline_emissions_t"] == approx(BE)
    assert shown["project"]["owner"]["name"] is None  # the placeholder is never shown as declared


def test_negative_reading_blanks_only_what_it_feeds():
    """December's air electricity −5 kWh: W (PE, ER) and Q_elec (so Q and BE: the conservative rule needs
    both methods) are null, naming the field; t and Q_area stand."""
    _loaded, ctx, found = account(put(example(), "monthly[2].electricity_kwh.air", -5))
    assert [(f.code, f.field) for f in found] == [("field.invalid", "monthly[2].electricity_kwh.air")]
    r = ctx.accounting.results
    bad = (Missing("field.invalid", "monthly[2].electricity_kwh.air"),)
    for key in ("project_emissions_t", "emission_reductions_t", "baseline_emissions_t", "heat_supplied_gj",
                "heat_elec_method_gj", "creditable_reductions_t"):
        assert getattr(r, key) is None and r.unavailable[key] == bad, key
    assert r.heat_area_method_gj == approx(Q_AREA) and r.heating_hours == 4032


def test_invalid_operation_start_blanks_only_the_periods():
    _loaded, ctx, found = account(put(example(), "project.operation_start", "2023-02-30"))
    assert [(f.code, f.field) for f in found] == [("field.invalid", "project.operation_start")]
    r = ctx.accounting.results
    assert r.crediting_period_end is None and r.records_keep_until is None
    assert r.unavailable["crediting_period_end"] == (Missing("field.invalid", "project.operation_start"),)
    assert r.emission_reductions_t == approx(ER)


def test_rules_still_judge_the_valid_fields():
    """An unaffirmed statement is found beside the field error; the placeholder district draws nothing."""
    d = put(put(example(), "project.district", "上海"), "project.statements.data_authorised", False)
    _loaded, _ctx, found = account(d)
    assert {(f.code, f.field) for f in found} == {("field.invalid", "project.district"),
                                                  ("statement.not_affirmed", "project.statements.data_authorised")}


def test_invalid_owner_type_masks_the_owner():
    """An owner whose type cannot be read might be a person: the placeholder is 'individual' (masked)."""
    d = example()
    d["project"]["owner"] = {"type": "person", "name": "张三丰", "id_number": "220102198503121230"}
    loaded, ctx, found = account(d)
    report = Report(found, accounting=ctx.accounting, declaration=loaded.draft, invalid_fields=frozenset(loaded.invalid))
    text = report.to_text("zh") + json.dumps(report.to_dict("en"), ensure_ascii=False)
    assert "张三丰" not in text and "220102198503121230" not in text
    assert [f.code for f in found] == ["field.invalid"]  # no resident-ID check of a placeholder type


# --- no neutral placeholder: the rules on valid fields still run, no number rests on the field -------------
#: every result the accounting forms from the season, the types and the months (all but the parameter set
#: and the crediting period, which rest on the season's start and the operation start alone)
HANGING = ("heating_hours", "heat_supplied_gj", "heat_elec_method_gj", "heat_area_method_gj", "deviation",
           "method", "electricity_kwh", "baseline_emissions_t", "project_emissions_t", "emission_reductions_t",
           "creditable_reductions_t")
BAD_USCC = "91220101MA0Y4H5X3A"  # the example's code with a wrong check character (T is right, GB 32100)


def _rules_case(d: dict) -> dict:
    """The verifier's further faults, each judged by a rule on valid fields only."""
    put(d, "project.owner.id_number", BAD_USCC)  # owner.uscc_invalid (§2.2.1)
    return put(d, "project.statements.not_claimed_elsewhere", False)  # statement.not_affirmed (§2.3)


def _lacking_only(r, missing: Missing, keep: tuple[str, ...] = ()) -> None:
    for key in HANGING:
        assert getattr(r, key) is None and r.unavailable[key] == (missing,), key
    assert set(r.unavailable) == set(HANGING) | set(keep)
    assert r.heat_by_type_gj == {} and r.electricity_by_type_kwh == {} and r.estimate_basis is None


def test_reversed_season_still_judges_every_valid_field():
    """The verifier's case: season 2025-04-05 … 2024-10-20 (refused: its end before its start), operation start
    2022-05-01, a wrong USCC check character, a statement not affirmed, a test-report COP of 0.5. Every rule on
    valid fields reports beside the season's error: 2022-05-01 < 2023-01-01 (§5.3), COP 0.5 outside [1, 8]; no
    rule resting on the season runs (the months, their hours, the parameter set in force for it)."""
    d = _rules_case(put(example(), "season", {"start": "2025-04-05", "end": "2024-10-20"}))
    put(d, "project.operation_start", "2022-05-01")
    put(d, "systems[0].cop.report_value", 0.5)
    loaded, ctx, found = account(d)
    assert loaded.readable and loaded.declaration is None and not ctx.accounted
    assert [(f.code, f.field) for f in found] == [
        ("field.invalid", "season"),
        ("period.operation_before_traceability", "project.operation_start"),
        ("owner.uscc_invalid", "project.owner.id_number"),
        ("statement.not_affirmed", "project.statements.not_claimed_elsewhere"),
        ("cop.implausible", "systems[0].cop.report_value"),
    ]
    r = ctx.accounting.results
    season = Missing("field.invalid", "season")
    # the parameter set in force is the season's: it lacks the season too
    _lacking_only(r, season, keep=("parameter_version",))
    assert r.parameter_version is None and r.unavailable["parameter_version"] == (season,)
    # 15 years from 2022-05-01, both ends inclusive (§5.2), and 5 years beyond (§7.3.2)
    assert (r.crediting_period_start, r.crediting_period_end, r.records_keep_until) == (
        date(2022, 5, 1), date(2037, 4, 30), date(2042, 4, 30))
    shown = Report(found, accounting=ctx.accounting, declaration=loaded.draft,
                   invalid_fields=frozenset(loaded.invalid)).to_dict("en")
    assert shown["project"]["id"] == "CC-HP-2024-0001" and shown["project"]["owner"]["type"] == "enterprise"
    assert shown["season"] == {"start": None, "end": None}  # the placeholder season is never shown
    assert shown["results"]["unavailable"]["baseline_emissions_t"] == [{"code": "field.invalid", "field": "season"}]
    assert shown["results"]["records_keep_until"] == "2042-04-30"


def test_invalid_type_still_judges_every_valid_field():
    """The verifier's case: systems[0].type "solar" with the example otherwise (and a wrong USCC, a statement
    not affirmed, the declared EF_heat 0.12 instead of V01's 0.11): the owner, statement and parameter rules
    report; the type's own findings, and the rules on the types (readings per type, 表8, the area method), do
    not run on the placeholder type. The parameter set and the crediting period stand."""
    d = put(_rules_case(put(example(), "systems[0].type", "solar")), "parameters.ef_heat", 0.12)
    put(d, "systems[0].cop.report_value", 0.5)  # under the refused system: not judged on its own
    loaded, ctx, found = account(d)
    assert [(f.code, f.field) for f in found] == [
        ("field.invalid", "systems[0].type"),
        ("owner.uscc_invalid", "project.owner.id_number"),
        ("statement.not_affirmed", "project.statements.not_claimed_elsewhere"),
        ("parameters.value_mismatch", "parameters.ef_heat"),
    ]
    r = ctx.accounting.results
    _lacking_only(r, Missing("field.invalid", "systems[0].type"))
    assert r.parameter_version == "V01"
    assert (r.crediting_period_end, r.records_keep_until) == (date(2038, 10, 19), date(2043, 10, 19))
    shown = Report(found, accounting=ctx.accounting, declaration=loaded.draft,
                   invalid_fields=frozenset(loaded.invalid)).to_dict("en")
    assert shown["season"] == {"start": "2024-10-20", "end": "2025-04-05"}
    assert shown["results"]["unavailable"]["method"] == [{"code": "field.invalid", "field": "systems[0].type"}]


@pytest.mark.parametrize("path, value, lacking", [
    ("season.start", "2024-13-01", "season.start"),  # named as its finding names it, not the season marked
    ("systems[0].heat_metered", "yes", "systems[0].heat_metered"),
    ("monthly[0].month", "Oct", "monthly[0].month"),
    ("total_heat_meter", {"covers": ["solar"], "id": "TM-1"}, "total_heat_meter.covers[0]"),
])
def test_no_neutral_placeholder_leaves_the_other_rules_standing(path, value, lacking):
    """A field without a neutral placeholder: its error and the unaffirmed statement, nothing resting on the
    placeholder (no month reported missing for a refused month, no total meter rule, no 表8 count); every
    number but the crediting period lacks the field."""
    loaded, ctx, found = account(put(put(example(), path, value), "project.statements.data_authorised", False))
    assert loaded.draft is not None and not ctx.accounted
    assert [(f.code, f.field) for f in found] == [("field.invalid", lacking),
                                                  ("statement.not_affirmed", "project.statements.data_authorised")]
    r = ctx.accounting.results
    missing = Missing("field.invalid", lacking)
    for key in HANGING:
        assert getattr(r, key) is None and r.unavailable[key] == (missing,), key
    assert r.records_keep_until == date(2043, 10, 19)


def test_compute_without_a_neutral_placeholder_exit_1_with_every_finding(tmp_path, capsys):
    d = _rules_case(put(example(), "systems[0].type", "solar"))
    code, rep = run_compute(tmp_path, capsys, json.dumps(d, ensure_ascii=False))
    assert code == ExitCode.FINDINGS == 1
    assert {(f["code"], f["field"]) for f in rep["findings"]} == {
        ("field.invalid", "systems[0].type"), ("owner.uscc_invalid", "project.owner.id_number"),
        ("statement.not_affirmed", "project.statements.not_claimed_elsewhere")}
    assert rep["project"]["name"] == "示例小区空气源热泵供暖项目"
    assert rep["results"]["crediting_period_end"] == "2038-10-19" and rep["results"]["method"] is None
    assert rep["results"]["unavailable"]["emission_reductions_t"] == [
        {"code": "field.invalid", "field": "systems[0].type"}]


def test_no_draft_without_a_whole_section():
    """[D] a whole section missing (the monthly records, the systems): nothing to stand in for it."""
    for section in ("monthly", "systems"):
        d = example()
        del d[section]
        admitted = admit(d, strict_json=True)
        assert admitted.declaration is None and admitted.draft is None, section


def test_a_valid_declaration_is_its_own_draft():
    admitted = admit(example(), strict_json=True)
    assert admitted.draft is admitted.declaration and admitted.invalid == {}


# --- one exit-code policy ---------------------------------------------------------------------------------
def run_compute(tmp_path, capsys, content: str) -> tuple[int, dict]:
    f = tmp_path / "d.json"
    f.write_text(content, encoding="utf-8")
    code = cli.main(["compute", str(f), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_compute_field_errors_exit_1_with_results(tmp_path, capsys):
    d = put(example(), "project.district", "北京市朝阳区")
    code, rep = run_compute(tmp_path, capsys, json.dumps(d, ensure_ascii=False))
    assert code == ExitCode.FINDINGS == 1 and rep["status"] == "fail"
    assert rep["results"]["emission_reductions_t"] == approx(ER)


@pytest.mark.parametrize("content", ["{", "[1]", "null", '{"name": "package"}'])
def test_compute_not_a_declaration_exit_2(tmp_path, capsys, content):
    code, rep = run_compute(tmp_path, capsys, content)
    assert code == ExitCode.UNREADABLE == 2 and rep["results"] is None
    assert [f["code"] for f in rep["findings"]] == ["input.unreadable"]


def test_worst_of_a_batch():
    assert worst([0, 1, 0]) == 1 and worst([1, 2, 0]) == 2 and worst([]) == 0


def test_a_month_missing_or_twice_blanks_every_sum_over_the_months():
    """No month is summed twice and none is left out: with December entered twice, W, t and Q would each
    count it twice (320 000 + 62 000 kWh) — so they are null, naming the duplicate record; the crediting
    period, which needs no month, stands."""
    d = example()
    d["monthly"].append(dict(d["monthly"][2]))
    _loaded, ctx, found = account(d)
    assert ("monthly.duplicate", "monthly[7].month") in {(f.code, f.field) for f in found}
    r = ctx.accounting.results
    dup = (Missing("monthly.duplicate", "monthly[7].month"),)
    for key in ("electricity_kwh", "heating_hours", "heat_supplied_gj", "project_emissions_t", "emission_reductions_t"):
        assert getattr(r, key) is None and r.unavailable[key] == dup, key
    assert r.crediting_period_end is not None


def test_a_refused_measurement_is_lacked_by_the_field_its_finding_names():
    """The placeholder of an invalid measurement value covers the whole measurement (so no rule judges its
    date or condition), but the results name the refused field itself — the finding's — once."""
    d = example()
    d["systems"][0]["cop"] = {"source": "onsite", "report_value": None, "report_no": None, "measurements": [
        {"date": "2024-10-25", "value": 3.0, "outdoor_temp_c": 2.0, "extreme_weather": False},
        {"date": "2024-11-08", "value": "abc", "outdoor_temp_c": -5.0, "extreme_weather": False}]}
    loaded, ctx, found = account(d)
    refused = [(f.code, f.field) for f in found if f.code == "field.invalid"]
    assert refused == [("field.invalid", "systems[0].cop.measurements[1].value")]
    lacking = ctx.accounting.results.unavailable["heat_elec_method_gj"]
    assert [(m.code, m.field) for m in lacking] == refused
    report = Report(found, accounting=ctx.accounting, declaration=loaded.draft, invalid_fields=frozenset(loaded.invalid))
    rows = dict(report.result_rows("en"))
    assert rows["electricity method Q_elec"] == "cannot be computed, lacking: systems[0].cop.measurements[1].value"


def test_a_refused_measurement_value_makes_no_seasonal_on_site_cop():
    """Test-report COP 2.4 with two December measurements, 2.6 and "abc": the refused one holds a placeholder
    (1.0), which must not make a seasonal on-site COP of (2.6 + 1.0) / 2 = 1.8 < 2.4 and a warning about it."""
    d = example()
    d["systems"][0]["cop"]["measurements"] = [
        {"date": "2024-12-05", "value": 2.6, "outdoor_temp_c": -14.0, "extreme_weather": False},
        {"date": "2024-12-15", "value": "abc", "outdoor_temp_c": -14.0, "extreme_weather": False}]
    _loaded, ctx, found = account(d)
    assert [(f.code, f.field) for f in found] == [("field.invalid", "systems[0].cop.measurements[1].value")]
    assert ctx.accounting.results.heat_supplied_gj == approx(Q_ELEC)  # the test report's COP stands


def test_a_measurement_with_a_refused_date_counts_in_no_month():
    """On-site COP, October's only measurement dated 2024-10-32: its placeholder date (the season start, also
    October) must not count as October's measurement (表8: mild, 1 required); October has none that is known."""
    from builders import onsite

    d = onsite()
    d["systems"][0]["cop"]["measurements"][0]["date"] = "2024-10-32"
    _loaded, _ctx, found = account(d)
    assert [(f.code, f.field, f.params.get("month")) for f in found] == [
        ("field.invalid", "systems[0].cop.measurements[0].date", None),
        ("cop.measurement_missing_month", "systems[0].cop.measurements", "2024-10")]


def test_a_refused_report_number_blanks_no_result():
    """The test report's number feeds no formula: typed as a number (not text) it is refused, and Q, BE, PE
    and ER still stand (SPEC §12)."""
    _loaded, ctx, found = account(put(example(), "systems[0].cop.report_no", 456))
    assert [(f.code, f.field) for f in found] == [("field.invalid", "systems[0].cop.report_no")]
    r = ctx.accounting.results
    assert r.unavailable == {} and r.heat_supplied_gj == approx(Q_ELEC) and r.emission_reductions_t == approx(ER)


# on-site COP case (builders.onsite): formula (2) month by month with the monthly mean COPs written out again
# from the measurements — Oct 3.0, Nov (2.6+2.4)/2, Dec (2.1+2.0+1.9)/3, Jan (1.8+2.0+1.9+2.1)/4,
# Feb (2.2+2.0+2.1)/3, Mar (2.5+2.7)/2, Apr 3.2 — and the monthly electricity of the example
_ONSITE_W = (16_000, 46_000, 62_000, 66_000, 56_000, 64_000, 10_000)
_ONSITE_COP = (F("3.0"), (F("2.6") + F("2.4")) / 2, (F("2.1") + F("2.0") + F("1.9")) / 3,
               (F("1.8") + F("2.0") + F("1.9") + F("2.1")) / 4, (F("2.2") + F("2.0") + F("2.1")) / 3,
               (F("2.5") + F("2.7")) / 2, F("3.2"))
ONSITE_Q_ELEC = sum(w * c for w, c in zip(_ONSITE_W, _ONSITE_COP)) * F("0.0036")  # 2 634.12 GJ
ONSITE_Q_AREA = F(40) * 4700 * 4032 * F("3.6e-6")  # 2 728.8576 GJ > Q_elec → Q = Q_elec
ONSITE_ER = ONSITE_Q_ELEC * F("0.11") - PE


@pytest.mark.parametrize("where, value", [
    ("systems[0].cop.measurements[1].outdoor_temp_c", 99),
    ("systems[0].cop.measurements[1].outdoor_temp_c", "cold"),
    ("systems[0].cop.measurements[3].extreme_weather", "yes"),
    ("systems[0].cop.measurements[1].condition", "hot"),
    ("systems[0].cop.report_value", -1),  # the source is on-site: the report value is not in use
])
def test_a_refused_on_site_field_that_feeds_no_number_blanks_none(where, value):
    """Formula (2) reads only each measurement's value and date (and, with a test report, the report value):
    a refused temperature, working condition or extreme-weather mark, or a report value not in use, is the
    field error alone, and Q_elec, Q, BE, ER and the creditable amount all stand."""
    from builders import onsite

    _loaded, ctx, found = account(put(onsite(), where, value))
    assert [(f.code, f.field) for f in found] == [("field.invalid", where)]
    r = ctx.accounting.results
    assert r.unavailable == {}
    assert r.heat_elec_method_gj == approx(ONSITE_Q_ELEC) and float(ONSITE_Q_ELEC) == pytest.approx(2634.12)
    assert r.heat_supplied_gj == approx(ONSITE_Q_ELEC)
    assert r.baseline_emissions_t == approx(ONSITE_Q_ELEC * F("0.11"))
    assert r.emission_reductions_t == approx(ONSITE_ER)
    assert r.creditable_reductions_t is not None


def test_a_refused_report_value_in_use_blanks_the_electricity_method():
    """With a test-report COP the report value is what formula (2) reads: refused, Q_elec (and Q) name it."""
    _loaded, ctx, found = account(put(example(), "systems[0].cop.report_value", -1))
    assert [(f.code, f.field) for f in found] == [("field.invalid", "systems[0].cop.report_value")]
    r = ctx.accounting.results
    assert r.heat_elec_method_gj is None and r.heat_supplied_gj is None
    assert [(m.code, m.field) for m in r.unavailable["heat_elec_method_gj"]] == [
        ("field.invalid", "systems[0].cop.report_value")]
    assert r.heat_area_method_gj == approx(Q_AREA) and r.project_emissions_t == approx(PE)


def test_a_refused_temperature_keeps_the_on_site_comparison_with_the_test_report():
    """Test-report COP 2.4; three December measurements of 2.0 (mean 2.0, the only month measured, so the
    seasonal on-site COP is 2.0 < 2.4: a warning). A refused outdoor temperature on one of them does not
    touch that mean, so the warning stays beside the field error; a refused value (placeholder) would."""
    d = example()
    d["systems"][0]["cop"]["measurements"] = [
        {"date": day, "value": 2.0, "outdoor_temp_c": -14.0, "extreme_weather": False}
        for day in ("2024-12-05", "2024-12-15", "2024-12-25")]
    d["systems"][0]["cop"]["measurements"][1]["outdoor_temp_c"] = "cold"
    _loaded, _ctx, found = account(d)
    assert [(f.code, f.field) for f in found] == [
        ("field.invalid", "systems[0].cop.measurements[1].outdoor_temp_c"),
        ("cop.onsite_lower_than_report", "systems[0].cop.report_value")]
    assert found[1].params["onsite"] == pytest.approx(2.0) and found[1].params["report"] == 2.4
