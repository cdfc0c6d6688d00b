"""Rules on the declaration model (SPEC §3, §5–§9). Each rule is a function
``(declaration, context) -> iterable of Finding``; it names the field it concerns by JSON path and
never a cell — the workbook layer adds locations to the same findings.

Find a rule by its finding code (``hpcarbon.findings.CATALOG``) or by the clause in its docstring.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable, Iterator, Mapping

from hpcarbon.accounting import (
    RECORD_ONLY, Accounting, MeteringPlan, at_or_under, compute, cop_gap, estimated_areas, metering_plan,
    missing_readings, monthly_mean_cops, months_without_measurement, params_in_force,
)
from hpcarbon.admission import unaccounted
from hpcarbon.calendar import (
    CONDITION_LABEL, EXTREME_WEATHER_EXTRA, MIN_MEASUREMENTS, TRACEABILITY_DATE, add_years, crediting_period,
    days_in_season, in_season, measurements_by_month, month_coverage, required_measurements, working_condition,
)
from hpcarbon.findings import Finding, Severity, finding, percent_text
from hpcarbon.formulas import DEVIATION_RECHECK_THRESHOLD, deviation_requires_recheck, recheck_threshold_text
from hpcarbon.model import CopSource, Declaration, HeatPumpType, OwnerType, month_parts
from hpcarbon.parameters import ParameterSet
from hpcarbon import vocabulary
from hpcarbon.vocabulary import METER_LABEL, TYPE_LABEL
from hpcarbon.privacy import mask_id, resident_id_problem, uscc_problem

#: SPEC §5: a COP outside [1, 8] is implausible.
COP_PLAUSIBLE = (1.0, 8.0)
#: SPEC §5 [D]: typical seasonal COP bands per type; outside is a warning.
COP_TYPICAL = {HeatPumpType.air: (1.5, 4.5), HeatPumpType.ground: (2.5, 6.0), HeatPumpType.wastewater: (3.0, 7.0)}

#: field → (clause, zh, en): the texts live in hpcarbon.vocabulary (the workbook shows the same)
STATEMENTS = {s.key: (s.clause, s.text_zh, s.text_en) for s in vocabulary.STATEMENTS}


@dataclass
class Context:
    """What the rules share: the parameter set in force, the metering plan and the accounting."""

    params: ParameterSet | None
    plan: MeteringPlan
    accounting: Accounting
    invalid: Mapping[str, str] = field(default_factory=dict)
    #: refused fields without a neutral placeholder (:func:`hpcarbon.admission.unaccounted`): the rules
    #: resting on the season, the types, the months or the metering plan do not run
    unaccounted: tuple[str, ...] = ()

    @property
    def accounted(self) -> bool:
        return not self.unaccounted

    @property
    def season_known(self) -> bool:
        return not _under("season", self.invalid)


Rule = Callable[[Declaration, Context], Iterable[Finding]]
RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


def _t(kind: HeatPumpType) -> dict:
    zh, en = TYPE_LABEL[kind]
    return {"type_zh": zh, "type_en": en}


def _system_index(decl: Declaration, kind: HeatPumpType) -> int:
    return decl.types.index(kind)


# --- eligibility and periods: §1, §5.2, §5.3 -------------------------------------------------------
@rule
def periods(decl: Declaration, ctx: Context) -> Iterator[Finding]:
    """§5.3 traceability; §5.2 season inside the 15-year crediting period; one season ≤ 12 months."""
    op, season = decl.project.operation_start, decl.season
    if op < TRACEABILITY_DATE:
        yield finding("period.operation_before_traceability", "project.operation_start",
                      operation_start=op.isoformat(), traceability=TRACEABILITY_DATE.isoformat())
    if season.start < op:
        yield finding("period.season_before_operation", "season.start",
                      season_start=season.start.isoformat(), operation_start=op.isoformat())
    crediting_end = crediting_period(op).end
    if season.end > crediting_end:
        yield finding("period.season_after_crediting", "season.end",
                      season_end=season.end.isoformat(), crediting_end=crediting_end.isoformat())
    if season.end >= add_years(season.start, 1):
        yield finding("period.season_too_long", "season.end",
                      season_start=season.start.isoformat(), season_end=season.end.isoformat())


# --- owner: §2.2 ----------------------------------------------------------------------------------
@rule
def owner_identifier(decl: Declaration, ctx: Context) -> Iterator[Finding]:
    """§2.2.1 USCC check character (GB 32100); §2.2.2 resident ID check digit (ISO 7064 MOD 11-2)."""
    owner = decl.project.owner
    if owner.type is OwnerType.enterprise:
        problem = uscc_problem(owner.id_number)
        if problem:
            # masked too: a person's ID typed here by mistake is still personal data (SPEC §10)
            yield finding("owner.uscc_invalid", "project.owner.id_number", id_number=mask_id(owner.id_number),
                          reason_zh=problem.zh, reason_en=problem.en)
    else:
        problem = resident_id_problem(owner.id_number)
        if problem:  # personal data: never shown unmasked (SPEC §10)
            yield finding("owner.resident_id_invalid", "project.owner.id_number", id_number=mask_id(owner.id_number),
                          reason_zh=problem.zh, reason_en=problem.en)


# --- statements: §2.1.2, §2.2, §2.3, §7.3.1 ---------------------------------------------------------
@rule
def statements(decl: Declaration, ctx: Context) -> Iterator[Finding]:
    """Every written statement must be affirmed."""
    for name, (clause, zh, en) in STATEMENTS.items():
        if not getattr(decl.project.statements, name):
            yield finding("statement.not_affirmed", f"project.statements.{name}", clause=clause,
                          statement_zh=zh, statement_en=en)


# --- parameters: §7.1 ----------------------------------------------------------------------------
@rule
def parameters_in_force(decl: Declaration, ctx: Context) -> Iterator[Finding]:
    """§7.1, 表1–表4: declared parameters equal the set in force for the season."""
    p = ctx.params
    if p is None:
        yield finding("parameters.no_set_in_force", "season.start", season_start=decl.season.start.isoformat())
        return
    declared = decl.parameters
    if declared.version != p.version:
        yield finding("parameters.version_mismatch", "parameters.version", declared=declared.version, in_force=p.version)
    for name, label in (("ef_heat", "EF_heat"), ("ef_elec", "EF_elec"), ("td_percent", "TD")):
        in_force = p.value(name)
        value = getattr(declared, name)
        if not math.isclose(value, in_force.value, rel_tol=1e-12, abs_tol=1e-12):
            yield finding("parameters.value_mismatch", f"parameters.{name}", clause=f"7.1, {in_force.clause}",
                          name=label, declared=value, in_force=in_force.value, unit=in_force.unit)


# --- systems and meters: 表5–表11, §7.3.2 ---------------------------------------------------------------
@rule
def systems_and_meters(decl: Declaration, ctx: Context) -> Iterator[Finding]:
    """Subtype of ground systems; electricity meter per type; heat meter when heat-metered; verification
    (no expiry without the season: ``ctx.params`` is None then)."""
    p = ctx.params
    end = decl.season.end  # the meter must be within its cycle for every reading of the season
    for i, s in enumerate(decl.systems):
        if s.type is HeatPumpType.ground and s.subtype is None:
            yield finding("system.ground_subtype_missing", f"systems[{i}].subtype")
        if s.electricity_meter is None:
            yield finding("meter.electricity_missing", f"systems[{i}].electricity_meter.id", **_t(s.type))
        if s.heat_metered and s.heat_meter is None:
            yield finding("meter.heat_missing", f"systems[{i}].heat_meter.id", **_t(s.type))
        meters = [(s.electricity_meter, f"systems[{i}].electricity_meter", "electricity")]
        if s.heat_metered:
            meters.append((s.heat_meter, f"systems[{i}].heat_meter", "heat"))
        for meter, path, kind in meters:
            if meter is not None:
                yield from _verification(meter, path, kind, end, p)
    if decl.total_heat_meter is not None:
        yield from _verification(decl.total_heat_meter, "total_heat_meter", "total", end, p)


def _verification(meter, path: str, kind: str, season_end: date, p: ParameterSet | None) -> Iterator[Finding]:
    """§7.3.2 meters calibrated periodically; SPEC §8 [D] a verification older than the cycle warns."""
    zh, en = METER_LABEL[kind]
    named = {"meter_zh": zh, "meter_en": en, "meter_id": meter.id}
    if meter.verified_on is None:
        yield finding("meter.verification_missing", f"{path}.verified_on", **named)
        return
    if p is None:
        return
    cycle = p.electricity_meter_cycle_years if kind == "electricity" else p.heat_meter_cycle_years
    if add_years(meter.verified_on, cycle) < season_end:
        yield finding("meter.verification_expired", f"{path}.verified_on", **named,
                      verified_on=meter.verified_on.isoformat(), cycle=cycle)


@rule
def total_output_meter(decl: Declaration, ctx: Context) -> Iterator[Finding]:
    """表5–表7 note: a total-output meter only for two or more coupled types; no double metering."""
    if not ctx.accounted:  # the types or the meter's coverage are placeholders
        return
    tm = decl.total_heat_meter
    if tm is None:
        for i, r in enumerate(decl.monthly):
            if r.total_heat_gj is not None:
                yield finding("total_meter.readings_without_meter", f"monthly[{i}].total_heat_gj", month=r.month)
        return
    covers = list(dict.fromkeys(tm.covers))
    if len(covers) < 2:
        yield finding("total_meter.not_coupled", "total_heat_meter.covers",
                      covers=", ".join(t.value for t in covers))
    for kind in covers:
        system = decl.system(kind)
        if system is None:
            yield finding("total_meter.unknown_type", "total_heat_meter.covers", **_t(kind))
        elif system.heat_metered:
            yield finding("total_meter.double_metered", f"systems[{_system_index(decl, kind)}].heat_metered", **_t(kind))


# --- monthly records: 表5–表11, §6.2.4.2 -----------------------------------------------------------------
@rule
def monthly_coverage(decl: Declaration, ctx: Context) -> Iterator[Finding]:
    """Every month of the season once, none outside it; readings each month (continuous monitoring)."""
    if not ctx.accounted:  # the season, a month or the types are placeholders
        return
    span = dict(season_start=decl.season.start.isoformat(), season_end=decl.season.end.isoformat())
    for p in month_coverage(decl.season, [r.month for r in decl.monthly]):
        extra = span if p.code == "monthly.outside_season" else {}
        yield finding(p.code, f"monthly[{p.index}].month", month=p.month, **extra)
    plan = ctx.plan
    declared = set(decl.types)
    for i, r in enumerate(decl.monthly):
        for reading in missing_readings(decl, plan, i):
            yield finding(reading.missing_code, reading.path, month=reading.month,
                          **(_t(reading.kind) if reading.kind else {}))
        for kind in r.electricity_kwh:
            if kind not in declared:
                yield finding("electricity.unknown_type", f"monthly[{i}].electricity_kwh.{kind.value}",
                              month=r.month, **_t(kind))
        for kind in r.heat_gj:
            if kind not in plan.own_meter:
                yield finding("heat.readings_for_unmetered", f"monthly[{i}].heat_gj.{kind.value}",
                              month=r.month, **_t(kind))


@rule
def heating_hours(decl: Declaration, ctx: Context) -> Iterator[Finding]:
    """§6.2.4.2: hours within the calendar; outages deducted, never more than the heating hours."""
    for i, r in enumerate(decl.monthly):
        days = days_in_season(r.month, decl.season)
        if ctx.season_known and r.heating_hours > 24 * days:
            yield finding("hours.exceed_calendar", f"monthly[{i}].heating_hours", month=r.month,
                          hours=r.heating_hours, max_hours=24 * days, days=days)
        if r.outage_hours > r.heating_hours:
            yield finding("hours.outage_exceeds_heating", f"monthly[{i}].outage_hours", month=r.month,
                          outage=r.outage_hours, hours=r.heating_hours)


# --- COP: 表8, §6.2.4.1 ----------------------------------------------------------------------------------
@rule
def cop(decl: Declaration, ctx: Context) -> Iterator[Finding]:
    """COP source, plausibility, on-site measurement frequency and coverage."""
    for i, s in enumerate(decl.systems):
        t = _t(s.type)
        path = f"systems[{i}].cop"
        # without the accounting the metering plan rests on placeholders: only the COP's own fields are judged
        gap = cop_gap(s, i, needed=ctx.accounted and s.type in ctx.plan.unmetered)
        if gap:
            yield finding(gap.code, gap.field, **t)
        if s.cop is None:
            continue
        c = s.cop
        if c.report_value is not None:
            yield from _cop_value(f"{path}.report_value", "检测报告 test report", c.report_value, s.type)
        for j, m in enumerate(c.measurements):
            mpath = f"{path}.measurements[{j}]"
            yield from _cop_value(f"{mpath}.value", f"{m.date.isoformat()}", m.value, s.type)
            if ctx.season_known and not in_season(m.date, decl.season):
                yield finding("cop.measurement_outside_season", f"{mpath}.date", date=m.date.isoformat(), **t)
            if m.outdoor_temp_c is None:
                yield finding("cop.measurement_record_incomplete", f"{mpath}.outdoor_temp_c", date=m.date.isoformat(), **t)
            expected = working_condition(m.date.month)
            if m.condition is not None and m.condition is not expected:
                yield finding("cop.condition_mismatch", f"{mpath}.condition", date=m.date.isoformat(),
                              declared_zh=CONDITION_LABEL[m.condition][0], declared_en=CONDITION_LABEL[m.condition][1],
                              expected_zh=CONDITION_LABEL[expected][0], expected_en=CONDITION_LABEL[expected][1], **t)
        if c.source is CopSource.test_report:
            if not c.report_no:
                yield finding("cop.report_no_missing", f"{path}.report_no", **t)
            # a refused measurement holds a placeholder value: the seasonal on-site COP is then unknown (not
            # for a refused field the mean does not read: the temperature, condition, extreme-weather mark)
            refused = not ctx.accounted or any(at_or_under(p, f"{path}.measurements")
                                               and p.rpartition(".")[2] not in RECORD_ONLY for p in ctx.invalid)
            onsite = None if refused else _seasonal_onsite_cop(decl, s.type)
            if c.report_value is not None and onsite is not None and onsite < c.report_value:
                yield finding("cop.onsite_lower_than_report", f"{path}.report_value", onsite=onsite,
                              report=c.report_value, **t)
        elif ctx.accounted:  # 表8 counts rest on the months and the metering plan
            # 表8 is a requirement where these measurements give the COP of formula (2); for a heat-metered
            # type they are recorded but feed no number, so too few — or none at all — is a warning there
            used = s.type in ctx.plan.unmetered
            yield from _onsite_frequency(decl, i, s.type, Severity.error if used else Severity.warning, ctx.invalid)


def _cop_value(path: str, what: str, value: float, kind: HeatPumpType) -> Iterator[Finding]:
    low, high = COP_PLAUSIBLE
    if not low <= value <= high:
        yield finding("cop.implausible", path, what=what, value=value, low=low, high=high)
        return
    tlow, thigh = COP_TYPICAL[kind]
    if not tlow <= value <= thigh:
        yield finding("cop.atypical", path, what=what, value=value, low=tlow, high=thigh, **_t(kind))


def _seasonal_onsite_cop(decl: Declaration, kind: HeatPumpType) -> float | None:
    """Electricity-weighted mean of the monthly mean on-site COPs [D] (the weighting formula (2) applies)."""
    means = monthly_mean_cops(decl.system(kind).cop.measurements, decl.season)
    if not means:
        return None
    weights = {r.month: r.electricity_kwh.get(kind, 0.0) for r in decl.monthly if r.month in means}
    total_w = math.fsum(weights.values())
    if total_w > 0:
        return math.fsum(means[m] * w for m, w in weights.items()) / total_w
    return math.fsum(means.values()) / len(means)


def _onsite_frequency(decl: Declaration, index: int, kind: HeatPumpType, severity: Severity,
                      invalid: Mapping[str, str]) -> Iterator[Finding]:
    """表8: measurements per month by working condition, one more with extreme weather (the month's
    record or any of its measurements says so). ``severity``: error where the measurements give the COP,
    warning where they feed no number — for a month with none as for a month with too few."""
    whole = f"systems[{index}].cop.measurements"
    # a measurement whose date was refused holds a placeholder date: it is counted in no month
    dated = [m for j, m in enumerate(decl.system(kind).cop.measurements) if f"{whole}[{j}].date" not in invalid]
    by_month = {month: [(j, m) for j, m in pairs if f"{whole}[{j}].date" not in invalid]
                for month, pairs in measurements_by_month(decl.system(kind).cop.measurements, decl.season).items()}
    t = _t(kind)
    unmeasured = set(months_without_measurement(decl, kind, dated))
    for r in decl.monthly:
        pairs = by_month.get(r.month, [])
        count = len(pairs)
        month_no = month_parts(r.month)[1]
        extreme = r.extreme_weather or any(m.extreme_weather for _, m in pairs)
        if r.month in unmeasured:
            yield finding("cop.measurement_missing_month", whole, severity=severity, month=r.month,
                          **_table8_requirement(month_no, extreme, count), **t)
            continue
        if count == 0:  # and no electricity used: nothing to measure
            continue
        requirement = _table8_requirement(month_no, extreme, count)
        if count < requirement["required"]:
            # at the month's first measurement the validation did not refuse (a finding under a refused field
            # is dropped with that field's own findings, though the count does not rest on its value)
            at = next((f"{whole}[{j}].date" for j, _ in pairs if not _under(f"{whole}[{j}]", invalid)), whole)
            yield finding("cop.measurement_frequency", at, severity=severity, month=r.month, **requirement, **t)


def _table8_requirement(month_no: int, extreme: bool, count: int) -> dict:
    """The parameters of a 表8 shortfall message: how many were found, how many are required and why (the
    month's working condition, extreme weather)."""
    cond = working_condition(month_no)
    extra = EXTREME_WEATHER_EXTRA if extreme else 0
    return dict(count=count, required=required_measurements(month_no, extreme), base=MIN_MEASUREMENTS[cond],
                condition_zh=CONDITION_LABEL[cond][0], condition_en=CONDITION_LABEL[cond][1],
                extreme_zh=f"，极端天气另加 {extra} 次" if extra else "",
                extreme_en=f", plus {extra} for extreme weather" if extra else "")


# --- areas and q: §6.2.2, §6.2.4.1, 表2 --------------------------------------------------------------------
@rule
def areas(decl: Declaration, ctx: Context) -> Iterator[Finding]:
    """Area needed for the area method; q never above the table's lowest value; served-by in mixed projects."""
    plan, p = ctx.plan, ctx.params
    if plan.unmetered and ctx.accounted:  # the area method needs the area heated by the unmetered types (§6.2.3.1)
        for problem in estimated_areas(decl, plan).problems:
            yield finding(problem.code, problem.field)
    declared = set(decl.types)
    for i, a in enumerate(decl.areas):
        for kind in a.served_by or ():
            if kind not in declared and ctx.accounted:
                yield finding("area.served_by_unknown_type", f"areas[{i}].served_by", **_t(kind))
        if a.q_w_per_m2 is not None and p is not None:
            row = p.q_rows[a.building_type.value]
            lowest = row.lowest(a.energy_saving)
            kw = dict(building_zh=row.label_zh + ("（节能）" if a.energy_saving else "（非节能）"),
                      building_en=row.label_en + (" (energy-saving)" if a.energy_saving else " (not energy-saving)"),
                      declared=a.q_w_per_m2, lowest=lowest)
            if a.q_w_per_m2 > lowest:
                yield finding("area.q_above_table", f"areas[{i}].q_w_per_m2", **kw)
            elif a.q_w_per_m2 < lowest:
                yield finding("area.q_below_table", f"areas[{i}].q_w_per_m2", **kw)


# --- estimation: §6.2.3.2 ----------------------------------------------------------------------------------
@rule
def deviation_recheck(decl: Declaration, ctx: Context) -> Iterator[Finding]:
    """§6.2.3.2: deviation > 10 % needs a re-check record; the smaller value still applies."""
    rc = decl.recheck
    if rc.performed:
        missing = [(zh, en) for value, zh, en in ((rc.by, "复核人", "who"), (rc.date, "复核日期", "when"),
                                                  (rc.note, "复核内容", "what was reviewed")) if not value]
        if missing:  # located at the first field left empty
            first = {"who": "recheck.by", "when": "recheck.date", "what was reviewed": "recheck.note"}[missing[0][1]]
            yield finding("recheck.incomplete", first, missing_zh="、".join(z for z, _ in missing),
                          missing_en=", ".join(e for _, e in missing))
    res = ctx.accounting.results
    if res is None or res.deviation is None or not deviation_requires_recheck(res.deviation):
        return
    shown = percent_text(res.deviation, DEVIATION_RECHECK_THRESHOLD)
    threshold = recheck_threshold_text()
    if rc.performed:
        yield finding("deviation.rechecked", "recheck", deviation=shown, threshold=threshold, by=rc.by or "?",
                      date=rc.date.isoformat() if rc.date else "?")
    else:
        yield finding("deviation.recheck_required", "recheck.performed", deviation=shown, threshold=threshold,
                      heat_elec=res.heat_elec_method_gj, heat_area=res.heat_area_method_gj)


# --- results: §6.4, SPEC §9 ---------------------------------------------------------------------------------
@rule
def results(decl: Declaration, ctx: Context) -> Iterator[Finding]:
    """A negative ER is reported with a warning (credit 0). A result that cannot be formed is not a finding
    of its own: the accounting names the inputs it lacks, and the rules above report each of them."""
    res = ctx.accounting.results
    if res is not None and res.emission_reductions_t is not None and res.emission_reductions_t < 0:
        yield finding("reductions.negative", "results.emission_reductions_t", er=res.emission_reductions_t)


def make_context(decl: Declaration, params: ParameterSet | None = None,
                 invalid: Mapping[str, str] | None = None) -> Context:
    """``invalid``: the fields the validation refused (JSON path → finding code), whose values in ``decl``
    are placeholders (:mod:`hpcarbon.admission`)."""
    invalid = dict(invalid or {})
    if params is None:
        params = params_in_force(decl, invalid)
    return Context(params=params, plan=metering_plan(decl), accounting=compute(decl, params, invalid),
                   invalid=invalid, unaccounted=unaccounted(invalid))


def _under(path: str | None, invalid: Mapping[str, str]) -> bool:
    return bool(path) and any(at_or_under(path, p) for p in invalid)


def check(decl: Declaration, ctx: Context | None = None, rules: Iterable[Rule] = RULES) -> list[Finding]:
    """Run every rule; findings in rule order. A field the validation refused holds a placeholder: its
    field error is the finding, so the rules say nothing about it."""
    ctx = ctx or make_context(decl)
    return [f for r in rules for f in r(decl, ctx) if not _under(f.field, ctx.invalid)]
