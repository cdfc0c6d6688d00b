"""Accounting of whole declarations (SPEC §2, §3, §5, §6, §9). Every expected value is worked out here
by hand (comments) and re-derived with exact rationals from the formulas of SPEC §2 — never read
from the code's own output."""

from __future__ import annotations

import math
from datetime import date
from fractions import Fraction as F

import pytest
from builders import (
    EXAMPLE_HOURS,
    EXAMPLE_KWH,
    GROUND_HEAT_GJ,
    GROUND_KWH,
    MIXED_AIR_KWH,
    TOTAL_HEAT_GJ,
    account,
    codes,
    coupled_total_meter,
    example,
    findings,
    floor_cents,
    lacked,
    load,
    metered_ground,
    mixed,
    onsite,
    results,
    shift_years,
)

from hpcarbon.accounting import EstimatedAreas, Missing, estimated_areas, metering_plan
from hpcarbon.calendar import Period, crediting_period

EF_HEAT = F("0.11")
EF_ELEC = F("0.4671")
ONE_MINUS_TD = 1 - F("4.37") / 100  # 0.9563


def pe_exact(kwh) -> F:
    """(4): W / (1 − TD/100) × 10⁻³ × EF_elec, exactly."""
    return F(kwh) / ONE_MINUS_TD / 1000 * EF_ELEC


def q_elec_exact(kwh, cop) -> F:
    """(2): W × COP × 0.0036, exactly."""
    return F(kwh) * F(str(cop)) * F("0.0036")


def q_area_exact(entries, hours) -> F:
    """(3) generalised: Σ q_i·A_i × t × 3.6×10⁻⁶, exactly."""
    return sum(F(str(q)) * F(a) for q, a in entries) * F(hours) * F("3.6e-6")


def approx(x):
    return pytest.approx(float(x), rel=1e-12, abs=1e-9)


def check_results(r, *, q, kwh, method, basis, by_type, q_elec=None, q_area=None, dev=None):
    """BE, PE, ER and the creditable amount follow from Q and W by formulas (1), (4), (5) and SPEC §9."""
    be = q * EF_HEAT
    pe = pe_exact(kwh)
    er = be - pe
    assert r.method == method
    assert r.estimate_basis == basis
    assert r.heat_supplied_gj == approx(q)
    assert set(r.heat_by_type_gj) == set(by_type)
    for k, v in by_type.items():
        assert r.heat_by_type_gj[k] == approx(v), k
    assert math.fsum(r.heat_by_type_gj.values()) == approx(q)
    assert r.electricity_kwh == approx(kwh)
    assert r.baseline_emissions_t == approx(be)
    assert r.project_emissions_t == approx(pe)
    assert r.emission_reductions_t == approx(er)
    assert r.emission_reductions_t == pytest.approx(r.baseline_emissions_t - r.project_emissions_t, abs=1e-12)
    assert r.creditable_reductions_t == floor_cents(er)
    for got, want in ((r.heat_elec_method_gj, q_elec), (r.heat_area_method_gj, q_area), (r.deviation, dev)):
        if want is None:
            assert got is None
        else:
            assert got == approx(want)


def steps(acc) -> dict[str, str]:
    return {s.step: s.clause for s in acc.trace}


ESTIMATE_CLAUSES = {"heat_area": "6.2.2", "heat_conservative": "6.2.3.2", "deviation": "6.2.3.2",
                    "heat_supplied": "6.2", "baseline": "6.2", "project": "6.3", "reductions": "6.4"}


# --- SPEC §12 ---------------------------------------------------------------------------------------------
def test_spec_12_example():
    acc = account(example())
    r = acc.results
    # t = 288 + 720 + 744 + 744 + 672 + 744 + 120 = 4 032 h; W = 320 000 kWh
    assert r.heating_hours == 4032
    assert r.electricity_kwh == 320_000
    check_results(r, q=F("2764.8"), kwh=320_000, method="estimated", basis="electricity", by_type={"air": F("2764.8")},
                  q_elec=F("2764.8"), q_area=F("2903.04"), dev=F("0.05"))
    # SPEC §12 stated values
    assert r.heat_elec_method_gj == pytest.approx(2764.8, rel=1e-12)
    assert r.heat_area_method_gj == pytest.approx(2903.04, rel=1e-12)
    assert r.deviation == pytest.approx(0.05, rel=1e-9)
    assert r.baseline_emissions_t == pytest.approx(304.128, rel=1e-12)
    assert f"{r.project_emissions_t:.8f}" == "156.30241556"
    assert f"{r.emission_reductions_t:.8f}" == "147.82558444"
    assert r.creditable_reductions_t == 147.82
    assert (r.crediting_period_start, r.crediting_period_end) == (date(2023, 10, 20), date(2038, 10, 19))
    assert r.records_keep_until == date(2043, 10, 19)
    assert r.parameter_version == "V01"
    s = steps(acc)
    assert s["heat_elec.air"] == "6.2.1"
    assert {k: s[k] for k in ESTIMATE_CLAUSES} == ESTIMATE_CLAUSES
    assert s["heat_elec"] == "6.2.3.1"
    assert s["periods"] == "5.2, 7.3.2"


def test_trace_order_and_values_of_the_example():
    acc = account(example())
    order = [s.step for s in acc.trace]
    assert order.index("heating_hours") < order.index("heat_area") < order.index("heat_conservative")
    assert order.index("heat_elec.air") < order.index("heat_elec") < order.index("heat_conservative")
    assert order.index("heat_supplied") < order.index("baseline") < order.index("reductions") < order.index("creditable")
    by = {s.step: s for s in acc.trace}
    assert by["heat_elec.air"].formula == "Q = W × COP × 0.0036"
    assert [(q.name, q.value) for q in by["heat_elec.air"].inputs] == [("Was", 320_000), ("COP (检测报告 test report)", 2.4)]
    assert by["heat_conservative"].output.value == pytest.approx(2764.8, rel=1e-12)
    assert by["parameters"].clause == "7.1" and by["parameters"].output.value == "V01"
    # every step serialises to JSON-ready values
    for s in acc.trace:
        s.to_dict()


# --- (a) metered ground source -------------------------------------------------------------------------------
def test_a_metered_ground_source():
    d = metered_ground()
    acc = account(d)
    # Q = Σ readings = 50 + 300 + 450 + 480 + 400 + 350 + 40 = 2 070 GJ; W = 170 000 kWh
    # BE = 2 070 × 0.11 = 227.7; PE = 170 000 × 0.4671 / 0.9563 / 1 000 = 79.407 / 0.9563 = 83.0356582…
    # ER = 144.6643417… → 144.66
    assert sum(GROUND_HEAT_GJ) == 2070 and sum(GROUND_KWH) == 170_000
    check_results(acc.results, q=F(2070), kwh=170_000, method="metered", basis=None, by_type={"ground": F(2070)})
    assert acc.results.creditable_reductions_t == 144.66
    s = steps(acc)
    assert s["heat_metered.ground"] == "表5–表7"
    assert (s["heat_supplied"], s["baseline"], s["project"], s["reductions"]) == ("6.2", "6.2", "6.3", "6.4")
    assert not {"heat_elec", "heat_area", "deviation", "heat_conservative"} & set(s)  # nothing estimated
    assert findings(d) == []


# --- (b) coupled ground + air with a total-output meter ----------------------------------------------------------
def test_b_coupled_total_output_meter():
    d = coupled_total_meter()
    acc = account(d)
    # Q = 120 + 380 + 560 + 600 + 500 + 470 + 70 = 2 700 GJ for both types together
    # W = 170 000 (ground) + 160 000 (air) = 330 000 kWh; BE = 297; PE = 154.143 / 0.9563 = 161.1868660…
    # ER = 135.8131339… → 135.81
    assert sum(TOTAL_HEAT_GJ) == 2700
    check_results(acc.results, q=F(2700), kwh=330_000, method="metered", basis=None, by_type={"ground+air": F(2700)})
    assert acc.results.creditable_reductions_t == 135.81
    assert acc.results.electricity_by_type_kwh == {"ground": 170_000, "air": 160_000}
    assert steps(acc)["heat_metered.total"] == "表5–表7"
    assert findings(d) == []


# --- (c) mixed: ground metered, air estimated; areas with served_by -------------------------------------------------
def test_c_mixed_metered_and_estimated():
    d = mixed()
    acc = account(d)
    # ground metered: 2 070 GJ. air: Q_elec = 160 000 × 2.4 × 0.0036 = 1 382.4 GJ;
    # Q_area over the air-served area only: 50 W/m² (school/office, energy-saving) × 2 000 m² × 4 032 h × 3.6e-6
    #   = 100 000 × 4 032 × 3.6e-6 = 1 451.52 GJ (the 3 000 m² served by ground are not counted)
    # d = 69.12 / 1 382.4 = 0.05 → min = 1 382.4 (electricity)
    # Q = 2 070 + 1 382.4 = 3 452.4 GJ; BE = 379.764; W = 330 000 → PE = 161.1868660…; ER = 218.5771339… → 218.57
    assert sum(MIXED_AIR_KWH) == 160_000
    q_elec = q_elec_exact(160_000, 2.4)
    q_area = q_area_exact([(50, 2000)], 4032)
    assert (q_elec, q_area) == (F("1382.4"), F("1451.52"))
    check_results(acc.results, q=F(2070) + q_elec, kwh=330_000, method="mixed", basis="electricity",
                  by_type={"ground": F(2070), "air": q_elec}, q_elec=q_elec, q_area=q_area, dev=F("0.05"))
    assert acc.results.creditable_reductions_t == 218.57
    s = steps(acc)
    assert s["heat_metered.ground"] == "表5–表7"
    assert s["heat_elec.air"] == "6.2.1"
    assert "heat_elec.ground" not in s  # a metered type is never estimated
    assert {k: s[k] for k in ESTIMATE_CLAUSES} == ESTIMATE_CLAUSES
    assert findings(d) == []


def test_c_mixed_area_method_chosen_goes_to_the_unmetered_group():
    d = mixed()
    d["areas"][1]["area_m2"] = 1900
    # Q_area = 50 × 1 900 × 4 032 × 3.6e-6 = 1 378.944 GJ < Q_elec 1 382.4 → area method for air;
    # d = 3.456 / 1 378.944 = 0.0025062656…
    q_area = q_area_exact([(50, 1900)], 4032)
    assert q_area == F("1378.944")
    r = results(d)
    check_results(r, q=F(2070) + q_area, kwh=330_000, method="mixed", basis="area",
                  by_type={"ground": F(2070), "air": q_area}, q_elec=F("1382.4"), q_area=q_area,
                  dev=(F("1382.4") - q_area) / q_area)


def test_estimated_areas_names_the_entries_and_the_problems():
    """§6.2.3.1: in the mixed case only the air-served entry (index 1) is estimated; an entry that names both
    groups keeps the area method from being formed (area.served_by_required [D], at that entry)."""
    d = mixed()
    decl = load(d)
    assert estimated_areas(decl, metering_plan(decl)) == EstimatedAreas(entries=(1,), problems=())
    d["areas"][0]["served_by"] = ["ground", "air"]
    decl = load(d)
    found = estimated_areas(decl, metering_plan(decl))
    assert found.entries == (1,)
    assert found.problems == (Missing("area.served_by_required", "areas[0].served_by"),)


# --- (d) on-site COP month by month -------------------------------------------------------------------------------
def test_d_onsite_cop_month_by_month():
    d = onsite()
    acc = account(d)
    # monthly mean COP (表8 records): Oct 3.0, Nov 2.5, Dec 2.0, Jan 1.95, Feb 2.1, Mar 2.6, Apr 3.2
    # Q_elec = 0.0036 × (16 000×3.0 + 46 000×2.5 + 62 000×2.0 + 66 000×1.95 + 56 000×2.1 + 64 000×2.6 + 10 000×3.2)
    #        = 0.0036 × (48 000 + 115 000 + 124 000 + 128 700 + 117 600 + 166 400 + 32 000) = 0.0036 × 731 700 = 2 634.12 GJ
    # Q_area = 40 × 4 700 × 4 032 × 3.6e-6 = 2 728.8576 GJ; d = 94.7376 / 2 634.12 = 0.0359657…
    # BE = 289.7532; ER = 289.7532 − 156.3024155… = 133.4507844… → 133.45
    means = ["3.0", "2.5", "2.0", "1.95", "2.1", "2.6", "3.2"]
    q_elec = sum(F(w) * F(c) for w, c in zip(EXAMPLE_KWH, means)) * F("0.0036")
    assert q_elec == F("2634.12")
    q_area = q_area_exact([(40, 4700)], 4032)
    check_results(acc.results, q=q_elec, kwh=320_000, method="estimated", basis="electricity", by_type={"air": q_elec},
                  q_elec=q_elec, q_area=q_area, dev=(q_area - q_elec) / q_elec)
    assert acc.results.creditable_reductions_t == 133.45
    step = {s.step: s for s in acc.trace}["heat_elec.air"]
    assert step.clause == "6.2.1" and "Σ_m" in step.formula
    # the trace keeps the numbers: each month's W and mean COP, as numbers (rendered only at output time)
    assert [q.name for q in step.inputs[:2]] == ["2024-10 W", "2024-10 COP_mean"]
    assert [q.value for q in step.inputs[0::2]] == EXAMPLE_KWH
    assert [q.value for q in step.inputs[1::2]] == [pytest.approx(float(F(c)), rel=1e-15) for c in means]
    assert findings(d) == []


def test_d_a_single_seasonal_cop_is_not_the_same_as_monthly():
    """Guard against averaging the COPs first: the mean of the monthly means (2.4785714…) × W × 0.0036
    = 2 855.52 GJ would differ from the month-by-month 2 634.12 GJ."""
    r = results(onsite())
    plain_mean = sum(F(c) for c in ["3.0", "2.5", "2.0", "1.95", "2.1", "2.6", "3.2"]) / 7
    assert r.heat_elec_method_gj != pytest.approx(float(q_elec_exact(320_000, 1) * plain_mean), rel=1e-6)


def test_d_measurements_of_a_month_without_electricity_add_nothing():
    d = onsite()
    d["monthly"][6]["electricity_kwh"]["air"] = 0  # April: 0 kWh is a reading; its COP does not matter
    # Q_elec = 0.0036 × (731 700 − 32 000) = 0.0036 × 699 700 = 2 518.92 GJ; W = 310 000
    r = results(d)
    assert r.heat_elec_method_gj == approx(F("2518.92"))
    assert r.electricity_kwh == 310_000


# --- (e) deviation above 10 % --------------------------------------------------------------------------------------
def test_e_deviation_above_ten_percent_without_recheck():
    d = example()
    d["areas"][0]["area_m2"] = 6000
    # Q_area = 40 × 6 000 × 4 032 × 3.6e-6 = 3 483.648 GJ; d = 718.848 / 2 764.8 = 0.26 → re-check required
    q_area = q_area_exact([(40, 6000)], 4032)
    r = results(d)
    check_results(r, q=F("2764.8"), kwh=320_000, method="estimated", basis="electricity", by_type={"air": F("2764.8")},
                  q_elec=F("2764.8"), q_area=q_area, dev=F("0.26"))
    found = findings(d)
    assert [(f.code, f.severity.value, f.clause, f.field) for f in found] == [
        ("deviation.recheck_required", "error", "6.2.3.2", "recheck.performed")]
    assert "26.0%" in found[0].message("zh") and "26.0%" in found[0].message("en")


RECHECK = {"performed": True, "by": "吉林某核查机构 王工", "date": "2025-05-10",
           "note": "复核 COP 检测报告与供暖面积测绘，确认无误 / COP report and area survey re-checked"}


def test_e_deviation_above_ten_percent_with_recheck_still_takes_min():
    d = example()
    d["areas"][0]["area_m2"] = 6000
    d["recheck"] = dict(RECHECK)
    r = results(d)
    assert r.heat_supplied_gj == approx(F("2764.8"))
    assert r.estimate_basis == "electricity"
    found = findings(d)
    assert [(f.code, f.severity.value, f.clause, f.field) for f in found] == [
        ("deviation.rechecked", "warning", "6.2.3.2", "recheck")]
    assert "2025-05-10" in found[0].message("en")


def test_e_area_method_chosen_when_smaller():
    d = example()
    d["areas"][0]["area_m2"] = 4000
    d["recheck"] = dict(RECHECK)
    # Q_area = 40 × 4 000 × 4 032 × 3.6e-6 = 2 322.432 GJ < 2 764.8 → area method
    # d = 442.368 / 2 322.432 = 4/21 = 0.190476…; BE = 255.46752; ER = 99.1651044… → 99.16
    q_area = q_area_exact([(40, 4000)], 4032)
    assert q_area == F("2322.432")
    acc = account(d)
    check_results(acc.results, q=q_area, kwh=320_000, method="estimated", basis="area", by_type={"air": q_area},
                  q_elec=F("2764.8"), q_area=q_area, dev=F(4, 21))
    assert acc.results.creditable_reductions_t == 99.16
    assert {x.code for x in findings(d)} == {"deviation.rechecked"}
    d["recheck"] = {"performed": False, "by": None, "date": None, "note": None}
    assert {x.code for x in findings(d)} == {"deviation.recheck_required"}


def test_e_exactly_ten_percent_needs_no_recheck():
    """Season 2024-10-12 … 2025-04-05: October has 20 days = 480 h, so t = 4 032 − 288 + 480 = 4 224 h and
    Q_area = 40 × 5 000 × 4 224 × 3.6e-6 = 3 041.28 GJ = 1.1 × 2 764.8: d is exactly 10 %, not "超过10%"."""
    d = example()
    d["season"]["start"] = "2024-10-12"
    d["monthly"][0]["heating_hours"] = 480
    r = results(d)
    assert r.heating_hours == 4224
    assert r.heat_area_method_gj == approx(F("3041.28"))
    assert findings(d) == []
    d["areas"][0]["area_m2"] = 5001  # one more m²: Q_area = 40 × 5 001 × 4 224 × 3.6e-6 = 3 041.88256 → d > 10 %
    assert codes(d) == {"deviation.recheck_required"}


# --- (f) negative reductions ------------------------------------------------------------------------------------------
def test_f_negative_reductions():
    d = example()
    d["systems"][0]["cop"]["report_value"] = 1.2
    d["areas"][0]["area_m2"] = 2500
    # Q_elec = 320 000 × 1.2 × 0.0036 = 1 382.4 GJ; Q_area = 40 × 2 500 × 4 032 × 3.6e-6 = 1 451.52 GJ; d = 0.05
    # BE = 152.064; PE = 156.3024155…; ER = −4.2384155… → creditable 0
    acc = account(d)
    check_results(acc.results, q=F("1382.4"), kwh=320_000, method="estimated", basis="electricity",
                  by_type={"air": F("1382.4")}, q_elec=F("1382.4"), q_area=F("1451.52"), dev=F("0.05"))
    assert acc.results.emission_reductions_t < 0
    assert acc.results.creditable_reductions_t == 0.0
    found = {(f.code, f.severity.value, f.clause) for f in findings(d)}
    assert found == {("reductions.negative", "warning", "6.4"),
                     ("cop.atypical", "warning", "6.2.4.1")}  # 1.2 is below air's typical 1.5–4.5 [D]


# --- (g) outages -----------------------------------------------------------------------------------------------------
def test_g_outage_hours_are_deducted():
    d = example()
    d["monthly"][2]["outage_hours"] = 100
    d["monthly"][3]["outage_hours"] = 182
    # t = 4 032 − 100 − 182 = 3 750 h; Q_area = 40 × 5 000 × 3 750 × 3.6e-6 = 2 700 GJ < 2 764.8 → area method
    # d = 64.8 / 2 700 = 0.024; BE = 297; ER = 140.6975844… → 140.69
    acc = account(d)
    assert acc.results.heating_hours == 3750
    check_results(acc.results, q=F(2700), kwh=320_000, method="estimated", basis="area", by_type={"air": F(2700)},
                  q_elec=F("2764.8"), q_area=F(2700), dev=F("0.024"))
    assert acc.results.creditable_reductions_t == 140.69
    hours = {s.step: s for s in acc.trace}["heating_hours"]
    assert hours.clause == "6.2.4.2"
    assert [q.value for q in hours.inputs] == [288, 720, 644, 562, 672, 744, 120]
    assert findings(d) == []


# --- (h) several building types, q from the table --------------------------------------------------------------------
def test_h_several_building_types_with_table_defaults():
    d = example()
    d["areas"] = [
        {"building_type": "residential", "energy_saving": True, "area_m2": 2000},  # q = 40
        {"building_type": "school_office", "energy_saving": False, "area_m2": 1000},  # q = 60
        {"building_type": "shop", "energy_saving": True, "area_m2": 500},  # q = 55
        {"building_type": "canteen_restaurant", "energy_saving": False, "area_m2": 150},  # q = 115
    ]
    # Σ q·A = 80 000 + 60 000 + 27 500 + 17 250 = 184 750 W; Q_area = 184 750 × 4 032 × 3.6e-6 = 2 681.6832 GJ
    # < 2 764.8 → area; d = 83.1168 / 2 681.6832 = 0.0309942…; BE = 294.985152; ER = 138.6827364… → 138.68
    q_area = q_area_exact([(40, 2000), (60, 1000), (55, 500), (115, 150)], 4032)
    assert q_area == F("2681.6832")
    acc = account(d)
    check_results(acc.results, q=q_area, kwh=320_000, method="estimated", basis="area", by_type={"air": q_area},
                  q_elec=F("2764.8"), q_area=q_area, dev=(F("2764.8") - q_area) / q_area)
    assert acc.results.creditable_reductions_t == 138.68
    step = {s.step: s for s in acc.trace}["heat_area"]
    assert step.clause == "6.2.2"
    assert [q.value for q in step.inputs[:-1]] == [40, 2000, 60, 1000, 55, 500, 115, 150]
    assert [q.unit for q in step.inputs[:2]] == ["W/m²", "m²"] and step.inputs[-1].value == 4032
    assert findings(d) == []


@pytest.mark.parametrize("building_type, saving, q", [
    ("residential", False, 58), ("residential", True, 40),
    ("residential_district", False, 60), ("residential_district", True, 45),
    ("school_office", False, 60), ("school_office", True, 50),
    ("hospital_nursery", False, 65), ("hospital_nursery", True, 55),
    ("hotel", False, 60), ("hotel", True, 50),
    ("shop", False, 65), ("shop", True, 55),
    ("canteen_restaurant", False, 115), ("canteen_restaurant", True, 100),
    ("theatre_exhibition", False, 95), ("theatre_exhibition", True, 80),
    ("auditorium_gymnasium", False, 115), ("auditorium_gymnasium", True, 100),
])
def test_h_each_table_default(building_type, saving, q):
    """SPEC §4 lowest values, each through the whole accounting: Q_area = q × 1 000 m² × 4 032 h × 3.6e-6."""
    d = example()
    d["areas"] = [{"building_type": building_type, "energy_saving": saving, "area_m2": 1000}]
    assert results(d).heat_area_method_gj == approx(q_area_exact([(q, 1000)], 4032))


def test_h_declared_lower_q_is_used():
    d = example()
    d["areas"][0]["q_w_per_m2"] = 39
    # 39 × 5 000 × 4 032 × 3.6e-6 = 2 830.464 GJ
    assert results(d).heat_area_method_gj == approx(F("2830.464"))


# --- (i) two unmetered types estimated together ------------------------------------------------------------------------
def test_i_two_unmetered_types_each_with_its_own_cop():
    d = coupled_total_meter()
    d["total_heat_meter"] = None
    for rec in d["monthly"]:
        rec.pop("total_heat_gj")
    d["systems"][0]["cop"] = {"source": "test_report", "report_value": 4.0, "report_no": "G-1", "measurements": []}
    d["systems"][1]["cop"] = {"source": "test_report", "report_value": 2.5, "report_no": "A-1", "measurements": []}
    d["areas"] = [{"building_type": "residential", "energy_saving": True, "area_m2": 7000}]
    # ground 170 000 × 4.0 × 0.0036 = 2 448 GJ; air 160 000 × 2.5 × 0.0036 = 1 440 GJ (never mixed, §6.2.1)
    # Q_elec = 3 888; Q_area = 40 × 7 000 × 4 032 × 3.6e-6 = 4 064.256; d = 176.256 / 3 888 = 0.0453333…
    q_area = q_area_exact([(40, 7000)], 4032)
    acc = account(d)
    check_results(acc.results, q=F(3888), kwh=330_000, method="estimated", basis="electricity",
                  by_type={"ground": F(2448), "air": F(1440)}, q_elec=F(3888), q_area=q_area,
                  dev=(q_area - 3888) / 3888)
    s = steps(acc)
    assert s["heat_elec.ground"] == s["heat_elec.air"] == "6.2.1"
    assert findings(d) == []
    # 6 600 m²: Q_area = 264 000 W × 4 032 h × 3.6e-6 = 1 064 448 000 Wh × 3.6e-6 = 3 832.0128 < 3 888 → area, for the group
    d["areas"][0]["area_m2"] = 6600
    q_area = q_area_exact([(40, 6600)], 4032)
    assert q_area == F("3832.0128")
    r = results(d)
    assert r.estimate_basis == "area"
    assert r.heat_by_type_gj == {"ground+air": approx(q_area)}


# --- periods ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("start, end, keep", [
    ("2023-10-20", "2038-10-19", "2043-10-19"),
    ("2023-01-01", "2037-12-31", "2042-12-31"),
    ("2024-02-29", "2039-02-28", "2044-02-28"),  # 15 years from 29 Feb: 1 Mar 2039 − 1 day
])
def test_crediting_period_and_record_keeping(start, end, keep):
    d = example()
    d["project"]["operation_start"] = start
    r = results(d)
    assert r.crediting_period_start == date.fromisoformat(start)
    assert r.crediting_period_end == date.fromisoformat(end)
    assert r.records_keep_until == date.fromisoformat(keep)


def test_crediting_period_is_a_named_period():
    """The crediting period is read by name, not by position: start is the operation start, end 15 years on
    less a day (§5.2)."""
    p = crediting_period(date(2023, 10, 20))
    assert p == Period(start=date(2023, 10, 20), end=date(2038, 10, 19))
    assert (p.start, p.end) == (date(2023, 10, 20), date(2038, 10, 19))


# --- not computable ------------------------------------------------------------------------------------------------
def test_missing_reading_blanks_only_the_results_that_need_it():
    """December's air electricity is missing: W (so PE, ER) and the electricity method (so Q, BE) cannot be
    formed; t, Q_area and the periods can. The accounting names the input by the rule's code."""
    d = example()
    del d["monthly"][2]["electricity_kwh"]["air"]
    acc = account(d)
    r = acc.results
    lacking = (Missing("monthly.electricity_missing", "monthly[2].electricity_kwh.air"),)
    for key in ("electricity_kwh", "heat_elec_method_gj", "heat_supplied_gj", "baseline_emissions_t",
                "project_emissions_t", "emission_reductions_t", "creditable_reductions_t", "deviation"):
        assert getattr(r, key) is None and r.unavailable[key] == lacking, key
    # Q_area = 40 × 5 000 × 4 032 × 3.6e-6 = 2 903.04 GJ (formula (3), hand-worked)
    assert r.heat_area_method_gj == approx(F("2903.04")) and r.heating_hours == 4032
    assert r.crediting_period_end == date(2038, 10, 19)
    assert lacked(acc) == list(lacking)


def test_metered_project_keeps_baseline_when_electricity_is_missing():
    """Metered heat needs no electricity: BE = 2 070 × 0.11 = 227.7 t stands; PE and ER do not."""
    d = metered_ground()
    del d["monthly"][0]["electricity_kwh"]["ground"]
    r = results(d)
    assert r.heat_supplied_gj == 2070 and r.baseline_emissions_t == approx(F("227.7"))
    assert r.project_emissions_t is None and r.emission_reductions_t is None
    assert r.unavailable["project_emissions_t"] == (Missing("monthly.electricity_missing",
                                                            "monthly[0].electricity_kwh.ground"),)


def test_zero_is_a_reading():
    d = example()
    d["monthly"][2]["electricity_kwh"]["air"] = 0
    r = results(d)
    assert r.electricity_kwh == 320_000 - 62_000
    assert r.heat_elec_method_gj == approx(q_elec_exact(258_000, 2.4))


def test_no_parameter_set_before_2023():
    d = shift_years(example(), -2)  # season 2022-10-20 … 2023-04-05, its months with it
    acc = account(d)
    assert acc.parameters is None
    r = acc.results
    no_set = (Missing("parameters.no_set_in_force", "season.start"),)
    assert r.baseline_emissions_t is None and r.unavailable["baseline_emissions_t"] == no_set
    assert r.parameter_version is None and r.unavailable["project_emissions_t"] == no_set
    assert r.heating_hours == 4032 and r.electricity_kwh == 320_000  # need no parameter


def test_example_hours_constant_is_the_calendar():
    # sanity of the builder: 12, 30, 31, 31, 28, 31, 5 days × 24
    assert sum(EXAMPLE_HOURS) == 4032 == (12 + 30 + 31 + 31 + 28 + 31 + 5) * 24
