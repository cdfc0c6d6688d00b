"""Every rule, with a failing and a passing declaration (SPEC §3–§9).

Each case names the one finding it provokes — code, severity, clause, field — and the complete set of
codes the failing declaration yields (so a rule that fires too widely fails too); its passing twin
differs only at the rule's boundary and must not yield the code (in most cases: no finding at all).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from builders import (
    coupled_total_meter,
    drop,
    example,
    findings,
    gb32100_check,
    ground_example,
    iso7064_mod11_2,
    lacked,
    load,
    metered_ground,
    mixed,
    onsite,
    put,
    results,
    shift_years,
)

from hpcarbon import accounting, calendar, rules
from hpcarbon.findings import CATALOG, Severity

RECHECK = {"performed": True, "by": "王工", "date": "2025-05-10", "note": "复核 COP 检测报告与面积"}
VALID_RESIDENT_ID = "22010219850312123" + iso7064_mod11_2("22010219850312123")  # → …1230, worked by hand:
# Σ a_i·W_i = 2·7+2·9+0·10+1·5+0·8+2·4+1·2+9·1+8·6+5·3+0·7+3·9+1·10+2·5+1·8+2·4+3·2 = 188; 188 mod 11 = 1 → check "0"


def with_(base: Callable[[], dict], *edits: Callable[[dict], object]) -> Callable[[], dict]:
    def build() -> dict:
        d = base()
        for e in edits:
            e(d)
        return d
    return build


def P(path, value):
    return lambda d: put(d, path, value)


def D(path):
    return lambda d: drop(d, path)


def individual(id_number: str):
    def edit(d):
        d["project"]["owner"] = {"type": "individual", "name": "张三丰", "id_number": id_number, "phone": "13812345678"}
    return edit


def add_month(month: str, hours=0, kwh=0):
    return lambda d: d["monthly"].append({"month": month, "heating_hours": hours, "outage_hours": 0,
                                          "extreme_weather": False, "electricity_kwh": {"air": kwh}, "heat_gj": {}})


def summer_months(d):
    for m in ("2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10"):
        add_month(m)(d)


def total_readings_for_air(d):
    for r, q in zip(d["monthly"], [150, 450, 600, 640, 540, 520, 80]):  # Σ 2 980 GJ → BE 327.8 > PE
        r["total_heat_gj"] = q


def make_ground_also_own_metered(d):
    d["systems"][0]["heat_metered"] = True
    d["systems"][0]["heat_meter"] = {"id": "HM-G1", "verified_on": "2024-09-01"}
    for r, q in zip(d["monthly"], [50, 150, 200, 210, 180, 170, 25]):
        r["heat_gj"]["ground"] = q


def measurement(day, value=2.2, temp=-15.0, **extra):
    return lambda d: d["systems"][0]["cop"]["measurements"].append(
        {"date": day, "value": value, "outdoor_temp_c": temp, "extreme_weather": False, **extra})


def remove_measurements(prefix: str, keep: int = 0):
    def edit(d):
        ms = d["systems"][0]["cop"]["measurements"]
        hits = [m for m in ms if m["date"].startswith(prefix)]
        for m in hits[keep:]:
            ms.remove(m)
    return edit


@dataclass
class Case:
    code: str
    severity: str
    clause: str
    field: str | None
    fail: Callable[[], dict]
    passing: Callable[[], dict]
    also: set[str] = field(default_factory=set)  # other codes the failing declaration yields
    pass_also: set[str] = field(default_factory=set)  # codes the passing twin may yield
    message: str | None = None  # a fragment both languages must show
    name: str = ""


CASES = [
    # --- periods, §5.2, §5.3 ---
    Case("period.operation_before_traceability", "error", "5.3", "project.operation_start",
         with_(example, P("project.operation_start", "2022-12-31")),
         with_(example, P("project.operation_start", "2023-01-01")), message="2022-12-31"),
    Case("period.season_before_operation", "error", "5.2", "season.start",
         with_(example, P("project.operation_start", "2024-10-21")),
         with_(example, P("project.operation_start", "2024-10-20")), message="2024-10-21"),
    # operation 2023-01-01 → crediting period ends 2037-12-31; a 2037/38 season ends after it
    Case("period.season_after_crediting", "error", "5.2", "season.end",
         with_(lambda: shift_years(example(), 13), P("project.operation_start", "2023-01-01")),
         # operation 2023-04-06 → crediting ends 2038-04-05, the season's own last day
         with_(lambda: shift_years(example(), 13), P("project.operation_start", "2023-04-06")), message="2037-12-31"),
    Case("period.season_too_long", "error", "6.2", "season.end",
         with_(example, P("season.end", "2025-10-20"), summer_months),
         with_(example, P("season.end", "2025-10-19"), summer_months)),
    # --- owner, §2.2 ---
    Case("owner.uscc_invalid", "error", "2.2.1", "project.owner.id_number",
         with_(example, P("project.owner.id_number", "91220101MA0Y4H5X3A")),
         with_(example, P("project.owner.id_number", "91220102MA1234567" + gb32100_check("91220102MA1234567"))),
         message="9122**********5X3A"),  # masked: a person's ID typed here would be personal data
    Case("owner.resident_id_invalid", "error", "2.2.2", "project.owner.id_number",
         with_(example, individual(VALID_RESIDENT_ID[:17] + "1")),
         with_(example, individual(VALID_RESIDENT_ID)), message="2201**********1231"),
    # --- parameters, §7.1 ---
    Case("parameters.version_mismatch", "error", "7.1", "parameters.version",
         with_(example, P("parameters.version", "V02")), example, message="V02"),
    Case("parameters.value_mismatch", "error", "7.1, 表1", "parameters.ef_heat",
         with_(example, P("parameters.ef_heat", 0.12)), example, message="0.12", name="ef_heat"),
    Case("parameters.value_mismatch", "error", "7.1, 表3", "parameters.ef_elec",
         with_(example, P("parameters.ef_elec", 0.5)), example, message="0.4671", name="ef_elec"),
    Case("parameters.value_mismatch", "error", "7.1, 表4", "parameters.td_percent",
         with_(example, P("parameters.td_percent", 5)), example, message="4.37", name="td"),
    Case("parameters.no_set_in_force", "error", "7.1", "season.start",
         with_(lambda: shift_years(example(), -2), P("project.operation_start", "2023-01-01")), example,
         also={"period.season_before_operation"}, message="2022-10-20"),
    # --- systems and meters ---
    Case("system.ground_subtype_missing", "error", "2.1.1.1", "systems[0].subtype",
         with_(ground_example, D("systems[0].subtype")), ground_example),
    Case("meter.electricity_missing", "error", "表9–表11", "systems[0].electricity_meter.id",
         with_(example, P("systems[0].electricity_meter", None)), example),
    Case("meter.heat_missing", "error", "表5–表7", "systems[0].heat_meter.id",
         with_(metered_ground, D("systems[0].heat_meter")), metered_ground),
    Case("meter.verification_missing", "warning", "7.3.2", "systems[0].electricity_meter.verified_on",
         with_(example, P("systems[0].electricity_meter.verified_on", None)), example, message="EM-001"),
    # [D] cycles: electricity 6 years, heat 2 years; the cycle must cover the whole season, to its end 2025-04-05
    Case("meter.verification_expired", "warning", "7.3.2", "systems[0].electricity_meter.verified_on",
         with_(example, P("systems[0].electricity_meter.verified_on", "2019-04-04")),
         with_(example, P("systems[0].electricity_meter.verified_on", "2019-04-05")), message="2019-04-04",
         name="electricity_6y"),
    Case("meter.verification_expired", "warning", "7.3.2", "systems[0].heat_meter.verified_on",
         with_(metered_ground, P("systems[0].heat_meter.verified_on", "2023-04-04")),
         with_(metered_ground, P("systems[0].heat_meter.verified_on", "2023-04-05")), message="HM-G1",
         name="heat_2y"),
    Case("meter.verification_expired", "warning", "7.3.2", "total_heat_meter.verified_on",
         with_(coupled_total_meter, P("total_heat_meter.verified_on", "2023-04-04")),
         with_(coupled_total_meter, P("total_heat_meter.verified_on", "2023-04-05")), message="HM-T1",
         name="total_2y"),
    # --- total-output meter, 表5–7 note ---
    Case("total_meter.not_coupled", "error", "表5–表7", "total_heat_meter.covers",
         with_(example, P("total_heat_meter", {"covers": ["air"], "id": "HM-T1", "verified_on": "2024-08-01"}),
               total_readings_for_air),
         coupled_total_meter),
    Case("total_meter.unknown_type", "error", "表5–表7", "total_heat_meter.covers",
         with_(coupled_total_meter, P("total_heat_meter.covers", ["ground", "air", "wastewater"])),
         coupled_total_meter),
    Case("total_meter.double_metered", "error", "6.2.1", "systems[0].heat_metered",
         with_(coupled_total_meter, make_ground_also_own_metered), coupled_total_meter),
    Case("total_meter.readings_without_meter", "warning", "表5–表7", "monthly[0].total_heat_gj",
         with_(example, P("monthly[0].total_heat_gj", 10)), example),
    Case("heat.readings_for_unmetered", "warning", "表5–表7", "monthly[0].heat_gj.air",
         with_(example, P("monthly[0].heat_gj.air", 5)), example),
    Case("electricity.unknown_type", "error", "6.2.1", "monthly[0].electricity_kwh.ground",
         with_(example, P("monthly[0].electricity_kwh.ground", 100)), example),
    # --- monthly coverage ---
    Case("monthly.outside_season", "error", "表5–表11", "monthly[7].month",
         with_(example, add_month("2025-05")), example, message="2025-05"),
    Case("monthly.duplicate", "error", "表5–表11", "monthly[7].month",
         with_(example, lambda d: d["monthly"].append(copy.deepcopy(d["monthly"][6]))), example, message="2025-04"),
    # January deleted: the finding sits where it belongs, at February, now monthly[3]
    Case("monthly.missing_month", "error", "表5–表11", "monthly[3].month",
         with_(example, D("monthly[3]")), example, message="2025-01"),
    # 0 kWh is a reading (the passing twin keeps d ≤ 10 % with 4 000 m²), an absent key is not
    Case("monthly.electricity_missing", "error", "表9–表11", "monthly[2].electricity_kwh.air",
         with_(example, D("monthly[2].electricity_kwh.air")),
         with_(example, P("monthly[2].electricity_kwh.air", 0), P("areas[0].area_m2", 4000)), message="2024-12"),
    Case("monthly.heat_missing", "error", "表5–表7", "monthly[1].heat_gj.ground",
         with_(metered_ground, D("monthly[1].heat_gj.ground")),
         with_(metered_ground, P("monthly[1].heat_gj.ground", 0)), message="2024-11"),
    Case("monthly.total_heat_missing", "error", "表5–表7", "monthly[1].total_heat_gj",
         with_(coupled_total_meter, D("monthly[1].total_heat_gj")),
         with_(coupled_total_meter, P("monthly[1].total_heat_gj", 0)), message="2024-11"),
    # --- hours, §6.2.4.2: 20–31 October = 12 days = 288 h ---
    Case("hours.exceed_calendar", "error", "6.2.4.2", "monthly[0].heating_hours",
         with_(example, P("monthly[0].heating_hours", 289)), example, message="288"),
    Case("hours.exceed_calendar", "error", "6.2.4.2", "monthly[4].heating_hours",
         with_(example, P("monthly[4].heating_hours", 673)), example, message="672", name="february"),
    Case("hours.outage_exceeds_heating", "error", "6.2.4.2", "monthly[6].outage_hours",
         with_(example, P("monthly[6].outage_hours", 121)),
         with_(example, P("monthly[6].outage_hours", 120)), message="121"),
    # --- COP, 表8, §6.2.4.1 ---
    Case("cop.missing", "error", "表8", "systems[0].cop.source",
         with_(example, P("systems[0].cop", None)), example),
    Case("cop.report_value_missing", "error", "表8", "systems[0].cop.report_value",
         with_(example, P("systems[0].cop.report_value", None)), example),
    Case("cop.report_no_missing", "warning", "表8", "systems[0].cop.report_no",
         with_(example, P("systems[0].cop.report_no", None)), example),
    # 0.9: Q_elec = 1 036.8 GJ; 1 800 m² → Q_area = 1 045.0944 GJ keeps d small; ER < 0
    Case("cop.implausible", "error", "6.2.4.1", "systems[0].cop.report_value",
         with_(example, P("systems[0].cop.report_value", 0.9), P("areas[0].area_m2", 1800)),
         with_(example, P("systems[0].cop.report_value", 1.0), P("areas[0].area_m2", 2000)),
         also={"reductions.negative"}, pass_also={"cop.atypical", "reductions.negative"}, message="0.9",
         name="below_1"),
    # 8.5: Q_elec = 9 792 GJ; 17 000 m² → Q_area = 9 870.336 GJ
    Case("cop.implausible", "error", "6.2.4.1", "systems[0].cop.report_value",
         with_(example, P("systems[0].cop.report_value", 8.5), P("areas[0].area_m2", 17000)),
         with_(example, P("systems[0].cop.report_value", 8.0), P("areas[0].area_m2", 16000)),
         pass_also={"cop.atypical"}, message="8.5", name="above_8"),
    # air 1.5–4.5 [D]; 1.4: Q_elec = 1 612.8, 2 900 m² → 1 683.7632
    Case("cop.atypical", "warning", "6.2.4.1", "systems[0].cop.report_value",
         with_(example, P("systems[0].cop.report_value", 1.4), P("areas[0].area_m2", 2900)),
         with_(example, P("systems[0].cop.report_value", 1.5), P("areas[0].area_m2", 3000)), message="1.5",
         name="air_low"),
    # 4.6: Q_elec = 5 299.2, 9 500 m² → 5 515.776; 4.5: 5 184, 9 300 m² → 5 399.6544
    Case("cop.atypical", "warning", "6.2.4.1", "systems[0].cop.report_value",
         with_(example, P("systems[0].cop.report_value", 4.6), P("areas[0].area_m2", 9500)),
         with_(example, P("systems[0].cop.report_value", 4.5), P("areas[0].area_m2", 9300)), message="4.5",
         name="air_high"),
    # ground 2.5–6.0 [D]: 2.4 with W = 256 000 → Q_elec = 2 211.84, 4 000 m² → 2 322.432
    Case("cop.atypical", "warning", "6.2.4.1", "systems[0].cop.report_value",
         with_(ground_example, P("systems[0].cop.report_value", 2.4), P("areas[0].area_m2", 4000)),
         with_(ground_example, P("systems[0].cop.report_value", 2.5), P("areas[0].area_m2", 4000)),
         message="2.5", name="ground_low"),
    Case("cop.onsite_lower_than_report", "warning", "6.2.4.1", "systems[0].cop.report_value",
         with_(example, measurement("2024-12-10", 2.2)),
         with_(example, measurement("2024-12-10", 2.4)), message="2.200"),
    Case("cop.measurement_missing_month", "error", "表8", "systems[0].cop.measurements",
         with_(onsite, remove_measurements("2025-02")),
         with_(onsite, remove_measurements("2025-02"), P("monthly[4].electricity_kwh.air", 0), P("areas[0].area_m2", 3800)),
         message="2025-02"),
    # located at the month's first measurement: Oct is [0], Nov [1–2], Dec starts at [3], Jan at [6]
    Case("cop.measurement_frequency", "error", "表8", "systems[0].cop.measurements[3].date",
         with_(onsite, remove_measurements("2024-12", keep=2)), onsite, message="2024-12", name="december_3"),
    Case("cop.measurement_frequency", "error", "表8", "systems[0].cop.measurements[6].date",
         with_(onsite, remove_measurements("2025-01", keep=3)),
         with_(onsite, remove_measurements("2025-01", keep=3), P("monthly[3].extreme_weather", False),
               lambda d: [m.update(extreme_weather=False) for m in d["systems"][0]["cop"]["measurements"]]),
         message="2025-01", name="january_extreme_4"),
    Case("cop.measurement_outside_season", "error", "表8", "systems[0].cop.measurements[16].date",
         with_(onsite, measurement("2024-10-19", 3.0, 5.0)),
         with_(onsite, measurement("2024-10-20", 3.0, 5.0)), message="2024-10-19"),
    Case("cop.measurement_record_incomplete", "warning", "表8", "systems[0].cop.measurements[0].outdoor_temp_c",
         with_(onsite, P("systems[0].cop.measurements[0].outdoor_temp_c", None)), onsite, message="2024-10-25"),
    Case("cop.condition_mismatch", "warning", "表8", "systems[0].cop.measurements[3].condition",
         with_(onsite, P("systems[0].cop.measurements[3].condition", "mild")), onsite, message="2024-12-05"),
    # --- areas and q ---
    Case("area.missing", "error", "6.2.2", "areas", with_(example, P("areas", [])), example),
    Case("area.q_above_table", "error", "6.2.4.1", "areas[0].q_w_per_m2",
         with_(example, P("areas[0].q_w_per_m2", 41)), with_(example, P("areas[0].q_w_per_m2", 40)), message="40"),
    Case("area.q_below_table", "info", "6.2.4.1", "areas[0].q_w_per_m2",
         with_(example, P("areas[0].q_w_per_m2", 39)), with_(example, P("areas[0].q_w_per_m2", 40)), message="39"),
    Case("area.served_by_unknown_type", "error", "6.2.2", "areas[0].served_by",
         with_(example, P("areas[0].served_by", ["ground"])), with_(example, P("areas[0].served_by", ["air"]))),
    Case("area.served_by_required", "error", "6.2.3", "areas[1].served_by",
         with_(mixed, D("areas[1].served_by")), mixed),  # the missing served_by says it all: no area.missing
    Case("area.served_by_required", "error", "6.2.3", "areas[1].served_by",
         with_(mixed, P("areas[1].served_by", ["ground", "air"])), mixed, also={"area.missing"}, name="both_kinds"),
    # --- estimate, re-check, results ---
    Case("deviation.recheck_required", "error", "6.2.3.2", "recheck.performed",
         with_(example, P("areas[0].area_m2", 6000)), example, message="26.0%"),
    Case("deviation.rechecked", "warning", "6.2.3.2", "recheck",
         with_(example, P("areas[0].area_m2", 6000), P("recheck", RECHECK)),
         with_(example, P("recheck", RECHECK)), message="2025-05-10"),
    # located at the first empty field of the record
    Case("recheck.incomplete", "error", "6.2.3.2", "recheck.by",
         with_(example, P("recheck", {**RECHECK, "by": None})), with_(example, P("recheck", RECHECK))),
    Case("recheck.incomplete", "error", "6.2.3.2", "recheck.date",
         with_(example, P("recheck", {**RECHECK, "date": None, "note": ""})), with_(example, P("recheck", RECHECK)),
         name="date_and_note"),
    # ER < 0 needs COP < 0.4671e-3 / 0.9563 / (0.0036 × 0.11) ≈ 1.233 — always atypical for air.
    # 1.2 with 2 500 m²: Q = 1 382.4 GJ, BE 152.064 < PE 156.302 → ER −4.238. Twin: 1.5 with 2 800 m²:
    # Q_elec = 1 728, Q_area = 1 625.7024 → BE 178.827 > PE.
    Case("reductions.negative", "warning", "6.4", "results.emission_reductions_t",
         with_(example, P("systems[0].cop.report_value", 1.2), P("areas[0].area_m2", 2500)),
         with_(example, P("systems[0].cop.report_value", 1.5), P("areas[0].area_m2", 2800)),
         also={"cop.atypical"}, message="-4.24"),
]

STATEMENT_CLAUSES = {"not_claimed_elsewhere": "2.3", "refrigerant_compliant": "2.1.2.1", "standards_compliant": "2.1.2.2",
                     "owner_qualified": "2.2", "data_authorised": "7.3.1"}
for _name, _clause in STATEMENT_CLAUSES.items():
    CASES.append(Case("statement.not_affirmed", "error", _clause, f"project.statements.{_name}",
                      with_(example, P(f"project.statements.{_name}", False)), example, name=_name))


def _id(case: Case) -> str:
    return case.code + (f"-{case.name}" if case.name else "")


def test_example_has_no_findings_at_all():
    assert findings(example()) == []


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_rule_fails(case: Case):
    found = findings(case.fail())
    hits = [f for f in found if f.code == case.code and f.field == case.field]
    assert hits, [(f.code, f.field) for f in found]
    f = hits[0]
    assert (f.severity.value, f.clause) == (case.severity, case.clause)
    assert f.clause == case.clause
    assert {x.code for x in found} == {case.code} | case.also
    zh, en = f.message("zh"), f.message("en")
    assert re.search(r"[\u4e00-\u9fff]", zh) and re.search(r"[A-Za-z]{3}", en)
    assert "{" not in zh + en  # every placeholder filled
    if case.message:
        assert case.message in zh and case.message in en, (zh, en)


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_rule_passes(case: Case):
    got = {f.code for f in findings(case.passing())}
    assert case.code not in got
    assert got <= case.pass_also, got


def test_every_rule_code_has_a_case():
    """Each finding code rules.py can emit is exercised above (read from the rule source itself)."""
    source = Path(rules.__file__).read_text(encoding="utf-8")
    emitted = set(re.findall(r'finding\(\s*"([a-z_.]+)"', source))
    # the season's month coverage is detected once, in hpcarbon.calendar, and reported by the rule
    emitted |= set(re.findall(r'MonthProblem\("([a-z_.]+)"', Path(calendar.__file__).read_text(encoding="utf-8")))
    # COP and area gaps are detected once, in hpcarbon.accounting (which lacks them), and reported by the rules
    emitted |= set(re.findall(r'Missing\("([a-z_.]+)"', Path(accounting.__file__).read_text(encoding="utf-8")))
    # as are the readings a month lacks (accounting.missing_readings, Reading(..., "<code>", ...))
    emitted |= set(re.findall(r'"(monthly\.[a-z_]+_missing)"', Path(accounting.__file__).read_text(encoding="utf-8")))
    assert emitted <= set(CATALOG)
    covered = {c.code for c in CASES}
    assert emitted == covered, emitted ^ covered


def test_case_severities_are_the_catalogue_defaults():
    for c in CASES:
        assert CATALOG[c.code].severity.value == c.severity, c.code


# --- further checks of single rules ---------------------------------------------------------------------
def test_statement_messages_name_the_statement():
    d = example()
    for name in STATEMENT_CLAUSES:
        d["project"]["statements"][name] = False
    found = findings(d)
    assert [f.field for f in found] == [f"project.statements.{n}" for n in STATEMENT_CLAUSES]
    assert "CCER" in found[0].message("en") and "全国温室气体自愿减排" in found[0].message("zh")
    assert "制冷剂" in found[1].message("zh")


@pytest.mark.parametrize("uscc, reason_en", [
    ("91220101MA0Y4H5X3", "18 characters"),
    ("91220101MA0Y4H5XIT", "outside GB 32100's set"),
    ("91220101MA0Y4H5X3A", "check character"),
])
def test_uscc_reasons(uscc, reason_en):
    f = [x for x in findings(put(example(), "project.owner.id_number", uscc)) if x.code == "owner.uscc_invalid"]
    assert len(f) == 1 and reason_en in f[0].message("en")


def test_uscc_check_character_computed_independently():
    for body in ("91220101MA0Y4H5X3", "91220102MA1234567", "12220000412760079"):
        good = body + gb32100_check(body)
        assert "owner.uscc_invalid" not in {f.code for f in findings(put(example(), "project.owner.id_number", good))}
        wrong = body + next(c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != good[-1])
        assert "owner.uscc_invalid" in {f.code for f in findings(put(example(), "project.owner.id_number", wrong))}


def test_resident_id_known_valid_and_lowercase_x():
    # 11010519491231002X — the standard's own example; Σ a_i·W_i = 167, 167 mod 11 = 2 → "X"
    assert iso7064_mod11_2("11010519491231002") == "X"
    for rid in ("11010519491231002X", "11010519491231002x", VALID_RESIDENT_ID):
        d = example()
        individual(rid)(d)
        assert findings(d) == [], rid


@pytest.mark.parametrize("rid, reason_en", [
    ("2201021985031212", "18 characters"),
    ("22010219850230123" + iso7064_mod11_2("22010219850230123"), "date-of-birth"),  # 30 February
    ("2201021985031212A3", "digits"),
])
def test_resident_id_reasons_masked(rid, reason_en):
    d = example()
    individual(rid)(d)
    (f,) = [x for x in findings(d) if x.code == "owner.resident_id_invalid"]
    assert reason_en in f.message("en")
    for lang in ("zh", "en"):
        assert rid not in f.message(lang)
        assert rid[4:-4] not in f.message(lang)  # the middle digits (birth date …) never shown
    assert rid not in repr(f.params)


def test_parameter_mismatch_accounts_with_the_value_in_force():
    d = put(example(), "parameters.ef_heat", 0.12)
    assert results(d).baseline_emissions_t == pytest.approx(2764.8 * 0.11, rel=1e-12)


def test_verification_expired_names_cycle():
    d = put(example(), "systems[0].electricity_meter.verified_on", "2010-01-01")
    (f,) = findings(d)
    assert "6 年检定周期" in f.message("zh") and "6-year" in f.message("en")
    d = put(metered_ground(), "systems[0].heat_meter.verified_on", "2020-01-01")
    (f,) = findings(d)
    assert "2-year" in f.message("en")


def test_a_meter_is_named_in_the_language_of_the_message():
    """The English message names the meter in English (it said 电能表/热量表 in both); the total-output meter is
    named as what it is, with the heat meters' 2-year cycle (JJG 225)."""
    d = example()
    d["systems"][0]["electricity_meter"]["verified_on"] = None
    (f,) = findings(d)
    meter_id = d["systems"][0]["electricity_meter"]["id"]
    assert f.message("en") == f"electricity meter {meter_id} has no last verification date"
    assert f.message("zh") == f"电能表 {meter_id} 未填写最近检定日期"
    assert not re.search(r"[\u4e00-\u9fff]", f.message("en"))
    # total-output meter verified 2023-04-04: 2 years later is before the season's end 2025-04-05
    t = put(coupled_total_meter(), "total_heat_meter.verified_on", "2023-04-04")
    (f,) = [f for f in findings(t) if f.code == "meter.verification_expired"]
    assert f.message("en").startswith("total-output heat meter HM-T1 was last verified on 2023-04-04; its 2-year")
    assert f.message("zh").startswith("总输出端热量表 HM-T1 最近检定日期 2023-04-04，2 年检定周期")


def test_measurement_after_the_season_end():
    d = onsite()
    measurement("2025-04-06", 3.0, 8.0)(d)
    f = [x for x in findings(d) if x.code == "cop.measurement_outside_season"]
    assert [x.field for x in f] == ["systems[0].cop.measurements[16].date"]


def test_implausible_measurement_value():
    d = onsite()
    d["systems"][0]["cop"]["measurements"][0]["value"] = 0.5
    f = [x for x in findings(d) if x.code == "cop.implausible"]
    assert [(x.field, x.severity.value) for x in f] == [("systems[0].cop.measurements[0].value", "error")]


def test_atypical_wastewater():
    d = example()
    d["systems"][0]["type"] = "wastewater"
    d["systems"][0]["cop"]["report_value"] = 7.1  # wastewater 3.0–7.0 [D]
    for r in d["monthly"]:
        r["electricity_kwh"] = {"wastewater": r["electricity_kwh"]["air"]}
    d["areas"][0]["area_m2"] = 15000
    assert "cop.atypical" in {f.code for f in findings(d)}
    d["systems"][0]["cop"]["report_value"] = 7.0
    assert "cop.atypical" not in {f.code for f in findings(d)}


def test_extreme_weather_from_the_measurement_flag_alone():
    d = onsite()
    d["monthly"][3]["extreme_weather"] = False  # January's measurement still says extreme weather → 4 needed
    remove_measurements("2025-01", keep=3)(d)
    f = [x for x in findings(d) if x.code == "cop.measurement_frequency"]
    assert len(f) == 1 and "3 on-site" in f[0].message("en") and "the 4 required" in f[0].message("en")
    assert f[0].severity is Severity.error


NOT_COMPUTABLE = {  # a declaration lacking an input → the (code, field) the accounting names for it
    "reading": (with_(example, D("monthly[2].electricity_kwh.air")),
                ("monthly.electricity_missing", "monthly[2].electricity_kwh.air")),
    "heat": (with_(metered_ground, D("monthly[1].heat_gj.ground")), ("monthly.heat_missing", "monthly[1].heat_gj.ground")),
    "total": (with_(coupled_total_meter, P("monthly[0].total_heat_gj", None)),
              ("monthly.total_heat_missing", "monthly[0].total_heat_gj")),
    "no_cop": (with_(example, P("systems[0].cop", None)), ("cop.missing", "systems[0].cop.source")),
    "no_report_cop": (with_(example, P("systems[0].cop.report_value", None)),
                      ("cop.report_value_missing", "systems[0].cop.report_value")),
    "cop_month": (with_(onsite, remove_measurements("2025-02")),
                  ("cop.measurement_missing_month", "systems[0].cop.measurements")),
    "no_area": (with_(example, P("areas", [])), ("area.missing", "areas")),
    "served_by": (with_(mixed, P("areas[0].served_by", None)), ("area.served_by_required", "areas[0].served_by")),
    # December deleted: located at the first later month entered (January, now monthly[2])
    "missing_month": (with_(example, lambda d: d["monthly"].pop(2)), ("monthly.missing_month", "monthly[2].month")),
    "duplicate": (with_(example, lambda d: d["monthly"].append(dict(d["monthly"][2]))),
                  ("monthly.duplicate", "monthly[7].month")),
    "no_parameters": (with_(example, P("season", {"start": "2022-10-20", "end": "2023-04-05"}),
                            P("project.operation_start", "2022-10-20")),
                      ("parameters.no_set_in_force", "season.start")),
}


@pytest.mark.parametrize("name", NOT_COMPUTABLE)
def test_rules_report_every_input_the_accounting_lacks(name):
    """The rules own detection: each input a result lacks is an error finding with the same code and
    field (the accounting only names it), and no finding of its own repeats it."""
    build, expected = NOT_COMPUTABLE[name]
    decl = load(build())
    ctx = rules.make_context(decl)
    assert expected in {(m.code, m.field) for m in lacked(ctx.accounting)}
    errors = {(f.code, f.field) for f in rules.check(decl, ctx) if f.severity is Severity.error}
    for m in lacked(ctx.accounting):
        assert (m.code, m.field) in errors, (m, errors)


def test_complete_declarations_lack_nothing():
    for build in (example, metered_ground, coupled_total_meter, onsite, mixed):
        acc = rules.make_context(load(build())).accounting
        assert lacked(acc) == [] and acc.results.unavailable == {}


def test_mixed_project_all_area_served_by_metered_types():
    d = mixed()
    d["areas"][1]["served_by"] = ["ground"]
    assert "area.missing" in {f.code for f in findings(d)}


def test_rules_never_name_a_cell():
    d = with_(onsite, remove_measurements("2025-02"), P("areas[0].q_w_per_m2", 41))()
    for f in findings(d):
        assert f.location is None
        assert f.field is not None


@pytest.mark.parametrize("month, index, minimum", [
    ("2024-10", 0, 1), ("2024-11", 1, 2), ("2024-12", 2, 3), ("2025-01", 3, 4),  # January: extreme weather, 3 + 1
    ("2025-02", 4, 3), ("2025-03", 5, 2), ("2025-04", 6, 1),
])
def test_table_8_minimum_per_month(month, index, minimum):
    """The on-site builder holds exactly 表8's minimum each month (no finding); one fewer is caught."""
    d = onsite()
    assert sum(m["date"].startswith(month) for m in d["systems"][0]["cop"]["measurements"]) == minimum
    assert findings(d) == []
    remove_measurements(month, keep=minimum - 1)(d)
    found = findings(d)
    if minimum == 1:  # none left in a month with electricity: an error, not a frequency note
        assert [(f.code, f.severity.value) for f in found] == [("cop.measurement_missing_month", "error")]
    else:
        assert [(f.code, f.severity.value) for f in found] == [("cop.measurement_frequency", "error")]
        assert f"{minimum - 1} on-site COP measurements, fewer than the {minimum} required" in found[0].message("en")
    assert month in found[0].message("zh")


# --- 表8 is a requirement (issue 13, ruling 1) -------------------------------------------------------------
# Hand-worked from 表8: December is severe (3 a month), January severe with extreme weather (3 + 1 = 4),
# November normal (2), October mild (1).
def test_table_8_two_december_measurements_fail_with_month_count_required_and_why():
    d = onsite()
    remove_measurements("2024-12", keep=2)(d)
    f = [x for x in findings(d) if x.code == "cop.measurement_frequency"]
    assert len(f) == 1 and f[0].severity is Severity.error and f[0].clause == "表8"
    assert f[0].message("en") == ("air-source heat pump 2024-12: 2 on-site COP measurements, fewer than the 3 "
                                  "required by 表8 (severe conditions 3)")
    assert f[0].message("zh") == "空气源热泵 2024-12 现场 COP 测量 2 次，少于表8要求的 3 次（严寒工况 3 次）"


def test_table_8_three_january_measurements_with_extreme_weather_fail():
    d = onsite()
    remove_measurements("2025-01", keep=3)(d)  # January has extreme weather: 3 + 1 = 4 required
    f = [x for x in findings(d) if x.code == "cop.measurement_frequency"]
    assert len(f) == 1 and f[0].severity is Severity.error
    assert f[0].message("en").endswith("3 on-site COP measurements, fewer than the 4 required by 表8 "
                                       "(severe conditions 3, plus 1 for extreme weather)")
    assert "极端天气另加 1 次" in f[0].message("zh")
    assert rules.check(load(d)) and any(x.severity is Severity.error for x in rules.check(load(d)))


def test_table_8_for_a_heat_metered_type_is_a_warning():
    """Measurements of a heat-metered type feed no number: too few is a warning, not an error."""
    d = metered_ground()
    d["systems"][0]["cop"] = {"source": "onsite", "report_value": None, "report_no": None,
                              "measurements": [{"date": "2024-11-08", "value": 3.2, "outdoor_temp_c": -5.0,
                                                "extreme_weather": False}]}
    f = [x for x in findings(d) if x.code == "cop.measurement_frequency"]
    assert [(x.severity, x.params["month"], x.params["count"], x.params["required"]) for x in f] == [
        (Severity.warning, "2024-11", 1, 2)]


def test_placed_puts_findings_at_their_fields_cell_and_keeps_the_rest():
    from hpcarbon.findings import finding, placed

    cells = {"season.start": ("项目信息", "B12")}
    at_field = finding("field.required", "season.start")
    no_field = finding("field.required")
    unknown = finding("field.required", "areas[7].area_m2")
    already = finding("field.required", "season.start").located("核算", "E9")
    out = placed([at_field, no_field, unknown, already], cells.get)
    assert [(f.location.sheet, f.location.cell) if f.location else None for f in out] == [
        ("项目信息", "B12"), None, None, ("核算", "E9")]


def test_table_8_month_without_measurement_follows_the_count_severity():
    """A heat-metered ground type measured on site only in November: its COP feeds no number, so the six
    other months with electricity but no measurement are warnings, like November's 1 of 2 (表8: normal 2);
    the verdict is not failed by them. The same months for an unmetered type (its COP gives formula (2))
    are errors."""
    from hpcarbon.report import Report

    d = metered_ground()  # ground electricity every month: 4 000 … 2 000 kWh, all > 0
    d["systems"][0]["cop"] = {"source": "onsite", "report_value": None, "report_no": None,
                              "measurements": [{"date": "2024-11-08", "value": 4.0, "outdoor_temp_c": -5.0,
                                                "extreme_weather": False}]}
    found = findings(d)
    missing = [f for f in found if f.code == "cop.measurement_missing_month"]
    assert [f.params["month"] for f in missing] == ["2024-10", "2024-12", "2025-01", "2025-02", "2025-03",
                                                    "2025-04"]
    assert {f.severity for f in missing} == {Severity.warning}
    assert [(f.code, f.severity) for f in found if f.code == "cop.measurement_frequency"] == [
        ("cop.measurement_frequency", Severity.warning)]
    assert Report(found).status == "pass" and not [f for f in found if f.severity is Severity.error]

    unmetered = onsite()  # air, no heat meter: the measured COP is formula (2)'s
    remove_measurements("2025-02")(unmetered)
    missing = [f for f in findings(unmetered) if f.code == "cop.measurement_missing_month"]
    assert [(f.params["month"], f.severity) for f in missing] == [("2025-02", Severity.error)]


def test_table_8_shortfall_is_kept_beside_an_invalid_measurement():
    """December with 2 measurements (表8: severe, 3 required), the first with value "abc": the field error
    and the shortfall are both reported, the shortfall at December's measurement that was read."""
    from hpcarbon.declaration_io import declaration_from_data

    d = onsite()
    remove_measurements("2024-12", keep=2)(d)  # Oct [0], Nov [1–2], Dec [3–4]
    d["systems"][0]["cop"]["measurements"][3]["value"] = "abc"
    loaded = declaration_from_data(d)
    ctx = rules.make_context(loaded.draft, invalid=loaded.invalid)
    found = loaded.findings + rules.check(loaded.draft, ctx)
    assert [(f.code, f.field) for f in found] == [
        ("field.invalid", "systems[0].cop.measurements[3].value"),
        ("cop.measurement_frequency", "systems[0].cop.measurements[4].date")]
    shortfall = found[1]
    assert (shortfall.severity, shortfall.params["month"], shortfall.params["count"],
            shortfall.params["required"]) == (Severity.error, "2024-12", 2, 3)


# --- numbers in messages are rendered from the numbers (issue 13, item 6) ------------------------------------
def test_a_value_just_past_its_bound_is_shown_with_the_digits_that_differ():
    """A message never shows a violating value equal to its bound: COP 8.0000001 > 8 (SPEC §5), 720.0000001 h >
    30 days × 24 = 720 h in November, q 40.0000001 > 40 W/m² (表2 residential, energy-saving lowest 40)."""
    d = put(example(), "systems[0].cop.report_value", 8.0000001)
    f = [x for x in findings(d) if x.code == "cop.implausible"]
    assert f[0].message("en") == "检测报告 test report COP = 8.0000001 is implausible (must be between 1 and 8)"
    assert f[0].params["value"] == 8.0000001  # kept as the number, rendered at output time

    d = put(example(), "monthly[1].heating_hours", 720.0000001)
    f = [x for x in findings(d) if x.code == "hours.exceed_calendar"]
    assert f[0].message("en") == ("2024-11: 720.0000001 heating hours exceed the 720 calendar hours of the season "
                                  "in that month (30 days × 24)")

    d = put(example(), "areas[0].q_w_per_m2", 40.0000001)
    f = [x for x in findings(d) if x.code == "area.q_above_table"]
    assert "heat index 40.0000001 W/m²" in f[0].message("en") and "lowest recommended value 40 W/m²" in f[0].message("en")


def test_number_text_is_the_shortest_round_trip_without_a_trailing_zero():
    from hpcarbon.findings import number_text

    assert [number_text(v) for v in (8.0, 8.0000001, 720, 0.1 + 0.2, -3.0, 2.5)] == [
        "8", "8.0000001", "720", "0.30000000000000004", "-3", "2.5"]
    assert float(number_text(0.1 + 0.2)) == 0.1 + 0.2


def test_a_deviation_just_past_ten_percent_is_not_shown_as_ten():
    """Q_elec = 320 000 × 2.4 × 0.0036 = 2 764.8 GJ; 5 238.3 m² at 40 W/m² over 4 032 h: Q_area =
    0.580608 × 5 238.3 = 3 041.3988864 GJ, so d = 276.5988864 / 2 764.8 = 0.100043 — above 10 %, and shown with
    the digits that say so (10.0 % would read as the threshold it exceeds)."""
    from hpcarbon.findings import percent_text

    f = [x for x in findings(put(example(), "areas[0].area_m2", 5238.3)) if x.code == "deviation.recheck_required"]
    assert "deviate by 10.004% (> 10%)" in f[0].message("en")
    assert [percent_text(0.26, 0.1), percent_text(0.1, 0.1), percent_text(float("inf"), 0.1)] == ["26.0%", "10.0%", "∞"]


# --- 表8 with no measurement in a month, and measurements outside the season (verifier, SPEC §5) ------------
def test_table_8_month_without_measurement_names_count_required_and_why():
    """November (normal: 2 required) with none; January (severe, extreme weather: 3 + 1 = 4) with none —
    the message says 0 were found, how many are required and why, as the frequency message does."""
    d = onsite()
    remove_measurements("2024-11")(d)
    remove_measurements("2025-01")(d)
    missing = [f for f in findings(d) if f.code == "cop.measurement_missing_month"]
    assert [f.message("en") for f in missing] == [
        "air-source heat pump takes its COP from on-site measurement, but 2024-11 has electricity use and no COP measurement: 0 found, "
        "2 required by 表8 (normal conditions 2)",
        "air-source heat pump takes its COP from on-site measurement, but 2025-01 has electricity use and no COP measurement: 0 found, "
        "4 required by 表8 (severe conditions 3, plus 1 for extreme weather)"]
    assert missing[0].message("zh") == ("空气源热泵 COP 采用现场测量，但 2024-11 有耗电量却没有 COP 测量记录："
                                        "测量 0 次，表8要求 2 次（常规工况 2 次）")
    assert "极端天气另加 1 次" in missing[1].message("zh")


# the example's months, Oct–Apr, all with electricity; 表8 requires Oct 1, Nov 2, Dec–Feb 3, Mar 2, Apr 1
SEASON_MONTHS = ["2024-10", "2024-11", "2024-12", "2025-01", "2025-02", "2025-03", "2025-04"]


def test_table_8_empty_measurement_list_warns_for_a_heat_metered_type_and_fails_an_unmetered_one():
    """On-site COP source with no measurement at all: none in a month is what too few is, every month —
    a warning where the heat is metered (the COP feeds no number), an error where formula (2) needs it."""
    d = metered_ground()
    d["systems"][0]["cop"] = {"source": "onsite", "report_value": None, "report_no": None, "measurements": []}
    found = findings(d)
    assert [(f.code, f.severity, f.params["month"], f.params["count"], f.params["required"]) for f in found] == [
        ("cop.measurement_missing_month", Severity.warning, m, 0, n) for m, n in zip(SEASON_MONTHS, (1, 2, 3, 3, 3, 2, 1))]

    d = onsite()
    d["systems"][0]["cop"]["measurements"] = []  # January has extreme weather: 4 required
    found = [f for f in findings(d) if f.code == "cop.measurement_missing_month"]
    assert [(f.severity, f.params["month"], f.params["required"]) for f in found] == [
        (Severity.error, m, n) for m, n in zip(SEASON_MONTHS, (1, 2, 3, 4, 3, 2, 1))]


def test_a_measurement_before_the_season_counts_in_no_month_and_feeds_no_number():
    """Season 2024-10-20 … 2025-04-05; October's only measurement moved to 2024-10-05 (value 4.0): it is
    refused (outside the season), October then has no measurement (表8: mild, 1 required) and formula (2)
    has no COP for October's 16 000 kWh — Q_elec is null and names what it lacks (not 4.0 × 16 000)."""
    d = onsite()
    assert d["season"] == {"start": "2024-10-20", "end": "2025-04-05"}
    d["systems"][0]["cop"]["measurements"][0].update(date="2024-10-05", value=4.0)
    decl = load(d)
    ctx = rules.make_context(decl)
    found = rules.check(decl, ctx)
    assert [(f.code, f.field, f.params.get("month")) for f in found] == [
        ("cop.measurement_outside_season", "systems[0].cop.measurements[0].date", None),
        ("cop.measurement_missing_month", "systems[0].cop.measurements", "2024-10")]
    r = ctx.accounting.results
    assert r.heat_elec_method_gj is None and r.heat_supplied_gj is None
    assert [(m.code, m.field) for m in r.unavailable["heat_elec_method_gj"]] == [
        ("cop.measurement_missing_month", "systems[0].cop.measurements")]


def test_a_measurement_after_the_season_is_not_averaged_into_its_month():
    """A fifth-of-April measurement is the last day of the season; one on 2025-04-06 (COP 4.0) is not: April's
    mean stays 3.2 (not (3.2 + 4.0) / 2 = 3.6), so Q_elec is the on-site case's, worked by hand:
    0.0036 × (16 000×3.0 + 46 000×2.5 + 62 000×2.0 + 66 000×1.95 + 56 000×2.1 + 64 000×2.6 + 10 000×3.2)
    = 0.0036 × 731 700 = 2 634.12 GJ."""
    d = onsite()
    d["systems"][0]["cop"]["measurements"].append(
        {"date": "2025-04-06", "value": 4.0, "outdoor_temp_c": 8.0, "condition": "mild", "extreme_weather": False})
    decl = load(d)
    ctx = rules.make_context(decl)
    assert [(f.code, f.field) for f in rules.check(decl, ctx)] == [
        ("cop.measurement_outside_season", "systems[0].cop.measurements[16].date")]
    assert ctx.accounting.results.heat_elec_method_gj == pytest.approx(0.0036 * 731_700, rel=1e-12)
    assert calendar.measurements_by_month(decl.system(decl.types[0]).cop.measurements, decl.season)["2025-04"] == [
        (15, decl.system(decl.types[0]).cop.measurements[15])]


def test_a_month_s_missing_readings_are_found_once_for_the_rules_and_the_accounting():
    """表5–表11: the readings a month lacks are one list (accounting.missing_readings); the rule reports each
    at its field, with its month, and the accounting lacks exactly those inputs."""
    from builders import account, lacked, metered_ground

    ground = metered_ground()
    del ground["monthly"][1]["heat_gj"]["ground"]
    del ground["monthly"][3]["electricity_kwh"]["ground"]
    coupled = coupled_total_meter()
    coupled["monthly"][5]["total_heat_gj"] = None
    expected = {
        id(ground): [("monthly.heat_missing", "monthly[1].heat_gj.ground", "2024-11"),
                     ("monthly.electricity_missing", "monthly[3].electricity_kwh.ground", "2025-01")],
        id(coupled): [("monthly.total_heat_missing", "monthly[5].total_heat_gj", "2025-03")],
    }
    for d in (ground, coupled):
        found = [(f.code, f.field, f.params["month"]) for f in rules.check(load(d))
                 if f.code.startswith("monthly.") and f.code.endswith("_missing")]
        assert found == expected[id(d)]
        assert {(m.code, m.field) for m in lacked(account(d))} >= {(c, p) for c, p, _ in expected[id(d)]}
    en = [f.message("en") for f in rules.check(load(ground)) if f.code == "monthly.heat_missing"]
    assert en == ["2024-11 has no heat meter reading for ground-source heat pump"]
