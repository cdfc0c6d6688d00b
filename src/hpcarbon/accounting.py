"""Declaration → results, with the full calculation trace that §6.2.3.3 requires be kept.

The accounting computes from the data *as declared*; judging the data is the rules' job
(:mod:`hpcarbon.rules`), and they alone report problems. Each result is computed as far as its own
inputs allow: a result whose input is missing or invalid is ``None`` and :attr:`Results.unavailable`
says which inputs, by the catalogue code a rule (or the field validation) reports them with —
never a guess, and never a blank where the number does not depend on the problem.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from functools import partial
from datetime import date
from typing import Any, Mapping, Sequence

from hpcarbon import formulas
from hpcarbon.admission import unaccounted
from hpcarbon.calendar import (
    CREDITING_YEARS,
    RECORD_KEEPING_YEARS,
    crediting_period,
    measurements_by_month,
    month_coverage,
    records_keep_until,
)
from hpcarbon.findings import CATALOG
from hpcarbon.model import CopMeasurement, CopSource, Declaration, HeatPumpType, Season, System
from hpcarbon.parameters import ParameterSet, set_in_force_or_none
from hpcarbon.vocabulary import TYPE_LABEL

#: Formula symbols of the methodology per type (Qgs/Qas/Qws, Wgs/Was/Wws).
TYPE_SYMBOL = {HeatPumpType.ground: "gs", HeatPumpType.air: "as", HeatPumpType.wastewater: "ws"}


#: The fields of an on-site COP measurement that formula (2) does not read (表8 records and counts them).
RECORD_ONLY = ("outdoor_temp_c", "condition", "extreme_weather")


@dataclass(frozen=True)
class Quantity:
    """A named value of the trace, kept as the number (or date, text) it is; rendered at output time."""

    name: str
    value: Any
    unit: str = ""


@dataclass(frozen=True)
class TraceStep:
    """One step of the calculation: what was computed, by which clause and formula, from what."""

    step: str
    clause: str
    title_zh: str
    title_en: str
    formula: str
    inputs: tuple[Quantity, ...]
    output: Quantity

    def to_dict(self) -> dict:
        d = asdict(self)
        d["output"]["value"] = json_value(d["output"]["value"])
        for q in d["inputs"]:
            q["value"] = json_value(q["value"])
        return d


def json_value(v):
    """A result or trace value as JSON holds it: full precision; ∞ (one method gives 0) as null, dates ISO."""
    if isinstance(v, float) and not math.isfinite(v):
        return None  # JSON has no infinity; the formula text says why
    if isinstance(v, date):
        return v.isoformat()
    return v


@dataclass(frozen=True)
class Missing:
    """An input a result needs that is absent or invalid: the catalogue code the rules (or the field
    validation) report it by, and the field's JSON path. The accounting detects nothing itself: the
    finding with this code and field says what is wrong and where."""

    code: str
    field: str | None

    def __post_init__(self):
        if self.code not in CATALOG:  # a reason no finding reports would name nothing a reader can look up
            raise ValueError(f"Missing: {self.code!r} is not a finding code of hpcarbon.findings.CATALOG")

    def to_dict(self) -> dict:
        return {"code": self.code, "field": self.field}


@dataclass(frozen=True)
class _Unknown:
    """A value that cannot be formed, and the inputs it lacks."""

    missing: tuple[Missing, ...]


def _unknown(*values) -> _Unknown | None:
    """The union of what the unknown ``values`` lack (in order, once each); None when all are known."""
    out: dict[Missing, None] = {}
    for v in values:
        if isinstance(v, _Unknown):
            out.update(dict.fromkeys(v.missing))
    return _Unknown(tuple(out)) if out else None


def _lacking(code: str, path: str | None) -> _Unknown:
    return _Unknown((Missing(code, path),))


@dataclass(frozen=True)
class MeteringPlan:
    """How each type's heat is known (§6.2, 表5–7)."""

    own_meter: tuple[HeatPumpType, ...]  # heat_metered with its own meter
    total_meter: tuple[HeatPumpType, ...]  # covered by the coupled system's total-output meter
    unmetered: tuple[HeatPumpType, ...]  # estimated by §6.2.3

    @property
    def method(self) -> str:
        metered = bool(self.own_meter or self.total_meter)
        if metered and self.unmetered:
            return "mixed"
        return "metered" if metered else "estimated"


def metering_plan(decl: Declaration) -> MeteringPlan:
    covered = set(decl.total_heat_meter.covers) if decl.total_heat_meter else set()
    own, total, unmetered = [], [], []
    for s in decl.systems:
        if s.heat_metered:
            own.append(s.type)
        elif s.type in covered:
            total.append(s.type)
        else:
            unmetered.append(s.type)
    return MeteringPlan(tuple(own), tuple(total), tuple(unmetered))


def group_key(types) -> str:
    return "+".join(t.value for t in types)


# --- what the accounting needs and the rules report: one detection each (issue 13, item 4) -----------------
def cop_gap(system: System, index: int, needed: bool) -> Missing | None:
    """The COP that formula (2) would use and is not declared (表8): none at all where ``needed`` (the type
    is not heat-metered), or a test report without its value."""
    path = f"systems[{index}].cop"
    if system.cop is None:
        return Missing("cop.missing", f"{path}.source") if needed else None
    if system.cop.source is CopSource.test_report and system.cop.report_value is None:
        return Missing("cop.report_value_missing", f"{path}.report_value")
    return None


@dataclass(frozen=True)
class Reading:
    """One number a month's record must hold (表5–表11), and the finding that names it when it is absent."""
    month: str
    path: str
    value: float | None
    missing_code: str
    kind: HeatPumpType | None = None  # None: the total-output meter's


def electricity_reading(decl: Declaration, index: int, kind: HeatPumpType) -> Reading:
    """Month ``index``'s electricity of ``kind`` (表9–表11)."""
    rec = decl.monthly[index]
    return Reading(rec.month, f"monthly[{index}].electricity_kwh.{kind.value}", rec.electricity_kwh.get(kind),
                   "monthly.electricity_missing", kind)


def heat_reading(decl: Declaration, index: int, kind: HeatPumpType) -> Reading:
    """Month ``index``'s heat of ``kind`` by its own meter (表5–表7)."""
    rec = decl.monthly[index]
    return Reading(rec.month, f"monthly[{index}].heat_gj.{kind.value}", rec.heat_gj.get(kind),
                   "monthly.heat_missing", kind)


def total_heat_reading(decl: Declaration, index: int) -> Reading:
    """Month ``index``'s heat by the total-output meter (表5–表7 note)."""
    rec = decl.monthly[index]
    return Reading(rec.month, f"monthly[{index}].total_heat_gj", rec.total_heat_gj, "monthly.total_heat_missing")


def missing_readings(decl: Declaration, plan: MeteringPlan, index: int) -> list[Reading]:
    """The readings month ``index``'s record lacks (continuous monitoring, one reading a month): each declared
    type's electricity, each own-metered type's heat, the total-output meter's heat where there is one."""
    needed = ([electricity_reading(decl, index, k) for k in decl.types]
              + [heat_reading(decl, index, k) for k in plan.own_meter]
              + ([total_heat_reading(decl, index)] if plan.total_meter else []))
    return [r for r in needed if r.value is None]


def months_without_measurement(decl: Declaration, kind: HeatPumpType,
                               measurements: Sequence[CopMeasurement] | None = None) -> list[str]:
    """The months whose record has the type use electricity but that have no on-site COP measurement of it
    (表8: formula (2) has no COP for them); ``measurements``: those to go by, else all the type's."""
    if measurements is None:
        system = decl.system(kind)
        measurements = system.cop.measurements if system and system.cop else []
    measured = measurements_by_month(measurements, decl.season)
    return [r.month for r in decl.monthly if (r.electricity_kwh.get(kind) or 0.0) > 0 and r.month not in measured]


def monthly_mean_cops(measurements: Sequence[CopMeasurement], season: Season) -> dict[str, float]:
    """Month of the season → the mean of its on-site COP measurements (表8)."""
    return {month: formulas.mean_cop([m.value for _, m in pairs])
            for month, pairs in measurements_by_month(measurements, season).items()}


@dataclass(frozen=True)
class EstimatedAreas:
    """What :func:`estimated_areas` finds: the area entries the area method covers, and what keeps the method
    from being formed (empty when nothing does)."""
    entries: tuple[int, ...]
    problems: tuple[Missing, ...]


def estimated_areas(decl: Declaration, plan: MeteringPlan) -> EstimatedAreas:
    """The indices of the area entries the area method covers (§6.2.3.1: the area heated by the unmetered
    types), and what keeps it from being formed: in a mixed project an entry that does not say which types
    heat it, or names metered and unmetered types at once (area.served_by_required [D], the first such entry);
    no area at all (area.missing; an entry without served_by counts as area, reported as the former)."""
    metered = set(plan.own_meter) | set(plan.total_meter)
    unmetered = set(plan.unmetered)
    entries: list[int] = []
    problems: list[Missing] = []
    unassigned = False
    for i, a in enumerate(decl.areas):
        served = set(a.served_by or ())
        if metered:
            if not served or (served & metered and served & unmetered):
                if not problems:
                    problems.append(Missing("area.served_by_required", f"areas[{i}].served_by"))
                unassigned = unassigned or not served
                continue
            if not served <= unmetered:
                continue  # heated by metered types: its heat is already measured
        entries.append(i)
    if not entries and not unassigned:
        problems.append(Missing("area.missing", "areas"))
    return EstimatedAreas(tuple(entries), tuple(problems))


@dataclass
class Results:
    """Every result of the accounting; ``None`` where :attr:`unavailable` says which inputs it lacks."""

    parameter_version: str | None
    heating_hours: float | None
    heat_supplied_gj: float | None
    heat_elec_method_gj: float | None
    heat_area_method_gj: float | None
    deviation: float | None
    method: str | None  # metered | estimated | mixed; None when the draft is not accounted
    estimate_basis: str | None  # electricity | area | None when nothing is estimated (or not known)
    heat_by_type_gj: dict[str, float]  # the parts that are known; they sum to Q when Q is known
    electricity_kwh: float | None
    electricity_by_type_kwh: dict[str, float]  # the types whose every reading is known
    baseline_emissions_t: float | None
    project_emissions_t: float | None
    emission_reductions_t: float | None
    creditable_reductions_t: float | None
    crediting_period_start: date | None
    crediting_period_end: date | None
    records_keep_until: date | None
    #: result key → the inputs it lacks (only for results that are None because of them)
    unavailable: dict[str, tuple[Missing, ...]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        out = {k: json_value(v) for k, v in asdict(self).items() if k != "unavailable"}
        out["unavailable"] = {k: [m.to_dict() for m in v] for k, v in self.unavailable.items()}
        return out


@dataclass
class Accounting:
    results: Results | None  # None only when there is no declaration to account
    trace: list[TraceStep] = field(default_factory=list)
    parameters: ParameterSet | None = None


def at_or_under(path: str, scope: str) -> bool:
    """Whether JSON path ``path`` is ``scope`` or a field inside it (``a.b``, ``a[0]`` are inside ``a``)."""
    return path == scope or path.startswith((scope + ".", scope + "["))


class _Run:
    def __init__(self, decl: Declaration, params: ParameterSet | None, invalid: Mapping[str, str]):
        self.decl = decl
        self.params = params
        self.invalid = invalid
        self.trace: list[TraceStep] = []

    def record(self, *, step: str, clause: str, title_zh: str, title_en: str, formula: str,
               inputs: list[Quantity] | tuple[Quantity, ...], output: Quantity):
        """Keep one step of the trace and return its output value."""
        self.trace.append(TraceStep(step=step, clause=clause, title_zh=title_zh, title_en=title_en, formula=formula,
                                    inputs=tuple(inputs), output=output))
        return output.value

    def invalid_under(self, path: str, but: tuple[str, ...] = ()) -> _Unknown | None:
        """The invalid fields at or under ``path`` but not under any of ``but`` (a field the validation refused
        is no input), each named as its finding names it: a scope marked for a placeholder (a whole
        measurement, see :mod:`hpcarbon.admission`) is left out where the refused field under it is marked too."""
        hits = [p for p in self.invalid if at_or_under(p, path) and not any(at_or_under(p, b) for b in but)]
        named = [Missing(self.invalid[p], p) for p in hits if not any(q != p and at_or_under(q, p) for q in hits)]
        return _Unknown(tuple(named)) if named else None

    def coverage(self) -> _Unknown | None:
        """The monthly records as a whole: a month missing, twice or outside the season makes every sum
        over the months unknown (no month is summed twice, none is left out)."""
        problems = month_coverage(self.decl.season, [r.month for r in self.decl.monthly])
        return _Unknown(tuple(Missing(p.code, f"monthly[{p.index}].month") for p in problems)) if problems else None

    def reading(self, reading: Reading) -> float | _Unknown:
        """A declared number: unknown when its field is invalid, or absent (reported by its missing code)."""
        bad = self.invalid_under(reading.path)
        if bad:
            return bad
        return _lacking(reading.missing_code, reading.path) if reading.value is None else reading.value


def compute(decl: Declaration, params: ParameterSet | None = None, invalid: Mapping[str, str] | None = None) -> Accounting:
    """Account one declaration: Q per type, Q_elec, Q_area, deviation, BE, PE, ER, creditable ER.

    ``invalid``: JSON path → finding code of the fields the validation refused (their values in ``decl``
    are placeholders, see :mod:`hpcarbon.admission`); a result that needs one of them is None.
    """
    invalid = invalid or {}
    if params is None:
        params = params_in_force(decl, invalid)
    run = _Run(decl, params, invalid)
    return Accounting(results=_account(run), trace=run.trace, parameters=params)


def params_in_force(decl: Declaration, invalid: Mapping[str, str]) -> ParameterSet | None:
    """The parameter set in force for the season; None where the season was refused (a placeholder)."""
    if any(at_or_under("season.start", p) for p in invalid):
        return None
    return set_in_force_or_none(decl.season.start)


def _result(unavailable: dict[str, tuple[Missing, ...]], key: str, value):
    """The result ``key``: ``value``, or None when it is unknown, what it lacks kept in ``unavailable``."""
    if isinstance(value, _Unknown):
        unavailable[key] = value.missing
        return None
    return value


def _account(run: _Run) -> Results:
    decl = run.decl
    unavailable: dict[str, tuple[Missing, ...]] = {}
    result = partial(_result, unavailable)

    # a refused season names itself; a valid one without a set in force, the rule reporting that
    p: ParameterSet | _Unknown = run.params if run.params is not None else (
        run.invalid_under("season") or _lacking("parameters.no_set_in_force", "season.start"))
    if isinstance(p, ParameterSet):
        run.record(step="parameters", clause="7.1", title_zh="生效参数集", title_en="parameter set in force",
                   formula=f"set {p.version}, effective {p.effective_from}",
                   inputs=[Quantity("EF_heat", p.ef_heat.value, p.ef_heat.unit),
                           Quantity("EF_elec", p.ef_elec.value, p.ef_elec.unit),
                           Quantity("TD", p.td_percent.value, p.td_percent.unit)],
                   output=Quantity("version", p.version))

    not_accounted = unaccounted(run.invalid)
    if not_accounted:
        return _unaccounted(run, p, not_accounted)
    hours = _heating_hours(run)
    plan = metering_plan(decl)
    electricity = {kind: _electricity(run, kind) for kind in decl.types}
    heat_by_type: dict[str, float | _Unknown] = {}
    for kind in plan.own_meter:
        heat_by_type[kind.value] = _metered_heat(run, kind)
    if plan.total_meter:
        heat_by_type[group_key(plan.total_meter)] = _total_meter_heat(run, plan)

    heat_elec = heat_area = dev = None
    basis = None
    if plan.unmetered:
        heat_elec, per_type_elec = _electricity_method(run, plan, electricity)
        heat_area = _area_method(run, plan, hours, p)
        lacking = _unknown(heat_elec, heat_area)
        if lacking:  # the conservative rule needs both methods
            estimate = dev = lacking
            heat_by_type[group_key(plan.unmetered)] = lacking
        else:
            pair = [Quantity("Q_elec", heat_elec, "GJ"), Quantity("Q_area", heat_area, "GJ")]
            estimate = run.record(step="heat_conservative", clause="6.2.3.2", title_zh="保守取值 Q估 = min(Q电, Q面)",
                                  title_en="conservative estimate Q_est = min(Q_elec, Q_area)",
                                  formula="Q_est = min(Q_elec, Q_area)", inputs=pair,
                                  output=Quantity("Q_est", formulas.conservative_heat(heat_elec, heat_area), "GJ"))
            threshold = formulas.recheck_threshold_text()
            dev = run.record(step="deviation", clause="6.2.3.2", title_zh="两种方法偏差 d",
                             title_en="deviation between the methods d",
                             formula=f"d = |Q_elec − Q_area| / min(Q_elec, Q_area) [D]; d > {threshold} → 复核 re-check",
                             inputs=pair, output=Quantity("d", formulas.deviation(heat_elec, heat_area)))
            if heat_elec <= heat_area:
                basis = "electricity"
                heat_by_type.update(per_type_elec)
            else:
                basis = "area"
                heat_by_type[group_key(plan.unmetered)] = estimate

    heat_total: float | _Unknown = _unknown(*heat_by_type.values()) or run.record(
        step="heat_supplied", clause="6.2", title_zh="供暖期总供热量 Qgs+Qas+Qws", title_en="heat supplied Qgs+Qas+Qws",
        formula="Q = Σ Q[source]", inputs=[Quantity(f"Q[{k}]", v, "GJ") for k, v in heat_by_type.items()],
        output=Quantity("Q", math.fsum(heat_by_type.values()), "GJ"))
    be = _unknown(heat_total, p) or run.record(
        step="baseline", clause="6.2", title_zh="基准线排放 BE，公式（1）", title_en="baseline emissions BE, formula (1)",
        formula="BE = (Qgs + Qas + Qws) × EF_heat",
        inputs=[Quantity("Q", heat_total, "GJ"), Quantity("EF_heat", p.ef_heat.value, p.ef_heat.unit)],
        output=Quantity("BE", formulas.baseline_emissions(heat_total, p.ef_heat.value), "t CO2"))

    w_by_type = {k.value: math.fsum(w for _, w in s) for k, s in electricity.items() if not isinstance(s, _Unknown)}
    w_total = _unknown(*electricity.values()) or math.fsum(w_by_type.values())
    pe = _unknown(w_total, p) or run.record(
        step="project", clause="6.3", title_zh="项目排放 PE，公式（4）", title_en="project emissions PE, formula (4)",
        formula="PE = (Wgs + Was + Wws) / (1 − TD/100) × 10⁻³ × EF_elec",
        inputs=[Quantity("W", w_total, "kWh"), Quantity("TD", p.td_percent.value, "%"),
                Quantity("EF_elec", p.ef_elec.value, p.ef_elec.unit)],
        output=Quantity("PE", formulas.project_emissions(w_total, p.td_percent.value, p.ef_elec.value), "t CO2"))
    er = _unknown(be, pe) or run.record(
        step="reductions", clause="6.4", title_zh="减排量 ER，公式（5）", title_en="emission reductions ER, formula (5)",
        formula="ER = BE − PE", inputs=[Quantity("BE", be, "t CO2"), Quantity("PE", pe, "t CO2")],
        output=Quantity("ER", formulas.emission_reductions(be, pe), "t CO2"))
    credit = _unknown(er) or run.record(
        step="creditable", clause="9 [D]", title_zh=f"可签发减排量（向下取整至 {formulas.credit_step()} t，负值取 0）",
        title_en=f"creditable reductions (rounded down to {formulas.credit_step()} t, 0 when negative)",
        formula=f"floor(ER, {formulas.credit_step()}), ≥ 0",
        inputs=[Quantity("ER", er, "t CO2")], output=Quantity("ER_creditable", formulas.creditable_reductions(er),
                                                               "t CO2"))

    start, end, keep = _periods(run)
    return Results(
        parameter_version=result("parameter_version", p if isinstance(p, _Unknown) else p.version),
        heating_hours=result("heating_hours", hours),
        heat_supplied_gj=result("heat_supplied_gj", heat_total),
        heat_elec_method_gj=result("heat_elec_method_gj", heat_elec) if plan.unmetered else None,
        heat_area_method_gj=result("heat_area_method_gj", heat_area) if plan.unmetered else None,
        deviation=result("deviation", dev) if plan.unmetered else None,
        method=plan.method, estimate_basis=basis,
        heat_by_type_gj={k: v for k, v in heat_by_type.items() if not isinstance(v, _Unknown)},
        electricity_kwh=result("electricity_kwh", w_total), electricity_by_type_kwh=w_by_type,
        baseline_emissions_t=result("baseline_emissions_t", be), project_emissions_t=result("project_emissions_t", pe),
        emission_reductions_t=result("emission_reductions_t", er),
        creditable_reductions_t=result("creditable_reductions_t", credit),
        crediting_period_start=result("crediting_period_start", start),
        crediting_period_end=result("crediting_period_end", end),
        records_keep_until=result("records_keep_until", keep),
        unavailable=unavailable,
    )


def _periods(run: _Run) -> tuple:
    """The crediting period and the records' keeping date (§5.2, §7.3.2): from the operation start alone."""
    op_bad = run.invalid_under("project.operation_start")
    if op_bad:
        return op_bad, op_bad, op_bad
    op = run.decl.project.operation_start
    crediting = crediting_period(op)
    keep = run.record(step="periods", clause="5.2, 7.3.2", title_zh="计入期与台账保存期限",
                      title_en="crediting period and record keeping",
                      formula=f"crediting = [start, start + {CREDITING_YEARS} y − 1 d]; "
                              f"keep = crediting_end + {RECORD_KEEPING_YEARS} y",
                      inputs=[Quantity("operation_start", op)],
                      output=Quantity("records_keep_until", records_keep_until(op)))
    return crediting.start, crediting.end, keep


def _unaccounted(run: _Run, p: ParameterSet | _Unknown, fields: tuple[str, ...]) -> Results:
    """The results of a draft that is not accounted (:func:`hpcarbon.admission.unaccounted`): a refused field
    without a neutral placeholder (the season, a type …) underlies every number, which each names as what it
    lacks — but the parameter set (unless the season is the field) and the crediting period."""
    lacking = _Unknown(tuple(Missing(run.invalid[f], f) for f in fields))
    unavailable: dict[str, tuple[Missing, ...]] = {}
    result = partial(_result, unavailable)

    start, end, keep = _periods(run)
    numbers = ("heating_hours", "heat_supplied_gj", "heat_elec_method_gj", "heat_area_method_gj", "deviation",
               "method", "electricity_kwh", "baseline_emissions_t", "project_emissions_t", "emission_reductions_t",
               "creditable_reductions_t")
    return Results(
        parameter_version=result("parameter_version", p if isinstance(p, _Unknown) else p.version),
        **{key: result(key, lacking) for key in numbers},
        estimate_basis=None, heat_by_type_gj={}, electricity_by_type_kwh={},
        crediting_period_start=result("crediting_period_start", start),
        crediting_period_end=result("crediting_period_end", end),
        records_keep_until=result("records_keep_until", keep),
        unavailable=unavailable,
    )


def _heating_hours(run: _Run) -> float | _Unknown:
    """t — actual heating hours (§6.2.2, §6.2.4.2)."""
    recs = run.decl.monthly
    lacking = _unknown(run.coverage(), *(run.invalid_under(f"monthly[{i}].{name}") for i in range(len(recs))
                                         for name in ("heating_hours", "outage_hours")))
    if lacking:
        return lacking
    return run.record(step="heating_hours", clause="6.2.4.2", title_zh="实际供暖小时数 t", title_en="actual heating hours t",
                      formula="t = Σ_m (heating_hours_m − outage_hours_m)",
                      inputs=[Quantity(f"{r.month} h−outage", r.heating_hours - r.outage_hours, "h") for r in recs],
                      output=Quantity("t", formulas.heating_hours((r.heating_hours, r.outage_hours) for r in recs), "h"))


def _electricity(run: _Run, kind: HeatPumpType) -> list[tuple[str, float]] | _Unknown:
    """The type's monthly electricity (表9–11), used by PE and by the electricity method."""
    values = [(rec.month, run.reading(electricity_reading(run.decl, i, kind))) for i, rec in enumerate(run.decl.monthly)]
    lacking = _unknown(run.coverage(), *(w for _, w in values))
    if lacking:
        return lacking
    sym = TYPE_SYMBOL[kind]
    run.record(step=f"electricity.{kind.value}", clause="表9–表11", title_zh=f"{TYPE_LABEL[kind][0]}耗电量 W{sym}",
               title_en=f"electricity W{sym}, {TYPE_LABEL[kind][1]}", formula="W = Σ_m W_m",
               inputs=[Quantity(m, w, "kWh") for m, w in values],
               output=Quantity(f"W{sym}", math.fsum(w for _, w in values), "kWh"))
    return values


def _metered_heat(run: _Run, kind: HeatPumpType) -> float | _Unknown:
    """Heat of a type with its own meter (表5–7)."""
    values = [(r.month, run.reading(heat_reading(run.decl, i, kind))) for i, r in enumerate(run.decl.monthly)]
    lacking = _unknown(run.coverage(), *(v for _, v in values))
    if lacking:
        return lacking
    sym = TYPE_SYMBOL[kind]
    return run.record(step=f"heat_metered.{kind.value}", clause="表5–表7",
                      title_zh=f"{TYPE_LABEL[kind][0]}热量表计量供热量 Q{sym}",
                      title_en=f"metered heat Q{sym}, {TYPE_LABEL[kind][1]}", formula="Q = Σ_m heat_meter_m",
                      inputs=[Quantity(m, v, "GJ") for m, v in values],
                      output=Quantity(f"Q{sym}", math.fsum(v for _, v in values), "GJ"))


def _total_meter_heat(run: _Run, plan: MeteringPlan) -> float | _Unknown:
    """Heat of the coupled types under the total-output meter (表5–7 note)."""
    values = [(r.month, run.reading(total_heat_reading(run.decl, i))) for i, r in enumerate(run.decl.monthly)]
    lacking = _unknown(run.coverage(), *(v for _, v in values))
    if lacking:
        return lacking
    key = group_key(plan.total_meter)
    return run.record(step="heat_metered.total", clause="表5–表7", title_zh=f"总输出端热量表计量供热量（{key}）",
                      title_en=f"total-output meter heat ({key})", formula="Q = Σ_m total_heat_meter_m",
                      inputs=[Quantity(m, v, "GJ") for m, v in values],
                      output=Quantity(f"Q[{key}]", math.fsum(v for _, v in values), "GJ"))


def _monthly_cops(run: _Run, kind: HeatPumpType, series: list[tuple[str, float]]) -> list[float] | _Unknown:
    """The COP of each month of ``series`` (表8): the test report's, or the month's mean on-site COP
    (NaN for a month without a measurement and without electricity: it adds no heat)."""
    idx = run.decl.types.index(kind)
    path = f"systems[{idx}].cop"
    cop = run.decl.systems[idx].cop
    # only the fields formula (2) reads may blank it: the test report's value, or each measurement's value
    # and date (the date places it in a month); the report number, a measurement's conditions of record
    # (表8 counts) and the side of the source not in use feed no number
    unused = (f"{path}.report_no",)
    if cop is not None and cop.source is CopSource.test_report:
        unused += (f"{path}.measurements",)
    elif cop is not None:
        unused += (f"{path}.report_value",) + tuple(
            f"{path}.measurements[{j}].{name}" for j in range(len(cop.measurements)) for name in RECORD_ONLY)
    bad = run.invalid_under(path, but=unused)
    if bad:
        return bad
    gap = cop_gap(run.decl.systems[idx], idx, needed=True)
    if gap:
        return _Unknown((gap,))
    if cop.source is CopSource.test_report:
        return [cop.report_value] * len(series)
    if months_without_measurement(run.decl, kind):
        return _lacking("cop.measurement_missing_month", f"{path}.measurements")
    means = monthly_mean_cops(cop.measurements, run.decl.season)
    return [means.get(month, math.nan) for month, _ in series]


def _electricity_method(run: _Run, plan: MeteringPlan, electricity) -> tuple[float | _Unknown, dict[str, float]]:
    """§6.2.1, formula (2) per unmetered type (month by month), then summed (§6.2.3.1)."""
    per_type: dict[str, float | _Unknown] = {}
    for kind in plan.unmetered:
        series = electricity[kind]
        cops = series if isinstance(series, _Unknown) else _monthly_cops(run, kind, series)
        if isinstance(cops, _Unknown):
            per_type[kind.value] = cops
            continue
        sym = TYPE_SYMBOL[kind]
        title = dict(title_zh=f"电算法 {TYPE_LABEL[kind][0]} Q{sym}，公式（2）",
                     title_en=f"electricity method Q{sym}, {TYPE_LABEL[kind][1]}, formula (2)")
        cop = run.decl.system(kind).cop
        if cop.source is CopSource.test_report:
            # one COP for the season: formula (2) exactly as written, W × COP × GJ per kWh
            w_total = math.fsum(w for _, w in series)
            per_type[kind.value] = run.record(
                step=f"heat_elec.{kind.value}", clause="6.2.1", **title, formula=f"Q = W × COP × {formulas.shown_gj_per_kwh()}",
                inputs=[Quantity(f"W{sym}", w_total, "kWh"), Quantity("COP (检测报告 test report)", cop.report_value)],
                output=Quantity(f"Q{sym}_elec", formulas.heat_by_electricity(w_total, cop.report_value), "GJ"))
            continue
        used = [(m, w, c) for (m, w), c in zip(series, cops) if not math.isnan(c)]
        inputs = []
        for m, w, c in used:
            inputs += [Quantity(f"{m} W", w, "kWh"), Quantity(f"{m} COP_mean", c)]
        per_type[kind.value] = run.record(
            step=f"heat_elec.{kind.value}", clause="6.2.1", **title, formula=f"Q = Σ_m W_m × COP_m × {formulas.shown_gj_per_kwh()} [D]",
            inputs=inputs, output=Quantity(f"Q{sym}_elec", formulas.heat_by_electricity_monthly(
                [w for _, w, _ in used], [c for _, _, c in used]), "GJ"))
    lacking = _unknown(*per_type.values())
    if lacking:
        return lacking, {}
    total = run.record(step="heat_elec", clause="6.2.3.1", title_zh="电算法合计 Q电", title_en="electricity method total Q_elec",
                       formula="Q_elec = Σ_types Qw", inputs=[Quantity(f"Q[{k}]", v, "GJ") for k, v in per_type.items()],
                       output=Quantity("Q_elec", math.fsum(per_type.values()), "GJ"))
    return total, per_type


def _area_method(run: _Run, plan: MeteringPlan, hours, p) -> float | _Unknown:
    """§6.2.2, formula (3) over the area heated by the unmetered types."""
    decl = run.decl
    bad = run.invalid_under("areas")
    if bad:
        return bad
    covered = estimated_areas(decl, plan)
    if covered.problems:
        return _Unknown(covered.problems)
    entries = [(i, decl.areas[i]) for i in covered.entries]
    lacking = _unknown(hours, p)
    if lacking:
        return lacking
    inputs, pairs = [], []
    for i, a in entries:
        q = a.q_w_per_m2 if a.q_w_per_m2 is not None else p.q_lowest(a.building_type.value, a.energy_saving)
        name = f"areas[{i}] {a.building_type.value}{'' if a.energy_saving else ' (not energy-saving)'}"
        inputs += [Quantity(f"{name} q", q, "W/m²"), Quantity(f"{name} A", a.area_m2, "m²")]
        pairs.append((q, a.area_m2))
    return run.record(step="heat_area", clause="6.2.2", title_zh="面积法 Q面，公式（3）", title_en="area method Q_area, formula (3)",
                      formula=f"Q_area = (Σ q_i × A_i) × t × {formulas.shown_gj_per_wh()}", inputs=inputs + [Quantity("t", hours, "h")],
                      output=Quantity("Q_area", formulas.heat_by_area_entries(pairs, hours), "GJ"))
