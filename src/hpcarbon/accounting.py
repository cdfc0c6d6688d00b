"""Declaration → results, with the full calculation trace that §6.2.3.3 requires be kept.

The accounting computes from the data *as declared*; judging the data is the rules' job
(:mod:`hpcarbon.rules`). Where a number cannot be formed at all (no COP, a missing reading, no
parameter set in force …) the results are ``None`` and the reasons are returned, never a guess.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from hpcarbon import formulas
from hpcarbon.calendar import crediting_period, records_keep_until
from hpcarbon.model import CopSource, Declaration, HeatPumpType
from hpcarbon.parameters import ParameterError, ParameterSet, set_in_force

TYPE_LABEL = {
    HeatPumpType.ground: ("地源热泵", "ground-source heat pump"),
    HeatPumpType.air: ("空气源热泵", "air-source heat pump"),
    HeatPumpType.wastewater: ("低温余热水源热泵", "waste-heat water-source heat pump"),
}
#: Formula symbols of the methodology per type (Qgs/Qas/Qws, Wgs/Was/Wws).
TYPE_SYMBOL = {HeatPumpType.ground: "gs", HeatPumpType.air: "as", HeatPumpType.wastewater: "ws"}


@dataclass(frozen=True)
class Quantity:
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
        d["output"]["value"] = _json_number(d["output"]["value"])
        for q in d["inputs"]:
            q["value"] = _json_number(q["value"])
        return d


def _json_number(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None  # JSON has no infinity; the formula text says why
    if isinstance(v, date):
        return v.isoformat()
    return v


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


@dataclass
class Results:
    parameter_version: str
    heating_hours: float
    heat_supplied_gj: float
    heat_elec_method_gj: float | None
    heat_area_method_gj: float | None
    deviation: float | None
    method: str  # metered | estimated | mixed
    estimate_basis: str | None  # electricity | area | None when nothing is estimated
    heat_by_type_gj: dict[str, float]
    electricity_kwh: float
    electricity_by_type_kwh: dict[str, float]
    baseline_emissions_t: float
    project_emissions_t: float
    emission_reductions_t: float
    creditable_reductions_t: float
    crediting_period_start: date
    crediting_period_end: date
    records_keep_until: date

    def to_dict(self) -> dict:
        return {k: _json_number(v) for k, v in asdict(self).items()}


@dataclass
class Accounting:
    results: Results | None
    trace: list[TraceStep] = field(default_factory=list)
    #: why the results could not be formed: (reason_zh, reason_en, field path)
    not_computable: list[tuple[str, str, str | None]] = field(default_factory=list)
    parameters: ParameterSet | None = None


class _Stop(Exception):
    pass


class _Run:
    def __init__(self, decl: Declaration, params: ParameterSet | None):
        self.decl = decl
        self.params = params
        self.trace: list[TraceStep] = []
        self.problems: list[tuple[str, str, str | None]] = []

    def step(self, step, clause, title_zh, title_en, formula, inputs, name, value, unit):
        self.trace.append(TraceStep(step, clause, title_zh, title_en, formula, tuple(inputs), Quantity(name, value, unit)))
        return value

    def problem(self, zh, en, path=None):
        self.problems.append((zh, en, path))

    # --- monthly data -------------------------------------------------------------------
    def electricity_series(self, kind: HeatPumpType) -> list[tuple[str, float]]:
        out = []
        for i, rec in enumerate(self.decl.monthly):
            w = rec.electricity_kwh.get(kind)
            if w is None:
                zh, en = TYPE_LABEL[kind]
                self.problem(f"{rec.month} 缺少{zh}耗电量", f"{rec.month} has no electricity reading for {en}",
                             f"monthly[{i}].electricity_kwh.{kind.value}")
                continue
            out.append((rec.month, w))
        return out

    def cop_series(self, kind: HeatPumpType, months: list[str]) -> list[float] | None:
        system = self.decl.system(kind)
        zh, en = TYPE_LABEL[kind]
        idx = self.decl.systems.index(system)
        cop = system.cop
        if cop is None:
            self.problem(f"{zh}缺少 COP", f"{en} has no COP", f"systems[{idx}].cop.source")
            return None
        if cop.source is CopSource.test_report:
            if cop.report_value is None:
                self.problem(f"{zh}缺少检测报告 COP 值", f"{en} has no test-report COP", f"systems[{idx}].cop.report_value")
                return None
            return [cop.report_value] * len(months)
        by_month: dict[str, list[float]] = defaultdict(list)
        for m in cop.measurements:
            by_month[m.date.strftime("%Y-%m")].append(m.value)
        out = []
        for month in months:
            values = by_month.get(month)
            out.append(formulas.mean_cop(values) if values else math.nan)
        return out


def compute(decl: Declaration, params: ParameterSet | None = None) -> Accounting:
    """Account one declaration: Q per type, Q_elec, Q_area, deviation, BE, PE, ER, creditable ER."""
    if params is None:
        try:
            params = set_in_force(decl.season.start)
        except ParameterError:
            params = None
    run = _Run(decl, params)
    try:
        results = _account(run)
    except _Stop:
        results = None
    if run.problems:
        results = None
    return Accounting(results=results, trace=run.trace, not_computable=run.problems, parameters=params)


def _account(run: _Run) -> Results:
    decl, p = run.decl, run.params
    if p is None:
        run.problem(f"供暖期开始日 {decl.season.start} 没有生效的参数集",
                    f"no parameter set is in force on {decl.season.start}", "season.start")
        raise _Stop
    run.step("parameters", "7.1", "生效参数集", "parameter set in force", f"set {p.version}, effective {p.effective_from}",
             [Quantity("EF_heat", p.ef_heat.value, p.ef_heat.unit), Quantity("EF_elec", p.ef_elec.value, p.ef_elec.unit),
              Quantity("TD", p.td_percent.value, p.td_percent.unit)], "version", p.version, "")

    # t — actual heating hours (§6.2.2, §6.2.4.2)
    hours = formulas.heating_hours((r.heating_hours, r.outage_hours) for r in decl.monthly)
    run.step("heating_hours", "6.2.4.2", "实际供暖小时数 t", "actual heating hours t", "t = Σ_m (heating_hours_m − outage_hours_m)",
             [Quantity(f"{r.month} h−outage", r.heating_hours - r.outage_hours, "h") for r in decl.monthly],
             "t", hours, "h")

    plan = metering_plan(decl)
    heat_by_type: dict[str, float] = {}

    # electricity per type (表9–11), used by PE and by the electricity method
    electricity: dict[HeatPumpType, list[tuple[str, float]]] = {}
    for kind in decl.types:
        series = run.electricity_series(kind)
        electricity[kind] = series
        run.step(f"electricity.{kind.value}", "表9–表11", f"{TYPE_LABEL[kind][0]}耗电量 W{TYPE_SYMBOL[kind]}",
                 f"electricity W{TYPE_SYMBOL[kind]}, {TYPE_LABEL[kind][1]}", "W = Σ_m W_m",
                 [Quantity(m, w, "kWh") for m, w in series], f"W{TYPE_SYMBOL[kind]}",
                 math.fsum(w for _, w in series), "kWh")

    # metered heat (表5–7)
    for kind in plan.own_meter:
        readings = []
        for i, r in enumerate(decl.monthly):
            if kind not in r.heat_gj:
                zh, en = TYPE_LABEL[kind]
                run.problem(f"{r.month} 缺少{zh}热量表读数", f"{r.month} has no heat reading for {en}",
                            f"monthly[{i}].heat_gj.{kind.value}")
                continue
            readings.append((r.month, r.heat_gj[kind]))
        q = run.step(f"heat_metered.{kind.value}", "表5–表7", f"{TYPE_LABEL[kind][0]}热量表计量供热量 Q{TYPE_SYMBOL[kind]}",
                     f"metered heat Q{TYPE_SYMBOL[kind]}, {TYPE_LABEL[kind][1]}", "Q = Σ_m heat_meter_m",
                     [Quantity(m, v, "GJ") for m, v in readings], f"Q{TYPE_SYMBOL[kind]}",
                     math.fsum(v for _, v in readings), "GJ")
        heat_by_type[kind.value] = q
    if plan.total_meter:
        readings = []
        for i, r in enumerate(decl.monthly):
            if r.total_heat_gj is None:
                run.problem(f"{r.month} 缺少总输出端热量表读数", f"{r.month} has no total-output heat reading",
                            f"monthly[{i}].total_heat_gj")
                continue
            readings.append((r.month, r.total_heat_gj))
        key = group_key(plan.total_meter)
        heat_by_type[key] = run.step("heat_metered.total", "表5–表7", f"总输出端热量表计量供热量（{key}）",
                                     f"total-output meter heat ({key})", "Q = Σ_m total_heat_meter_m",
                                     [Quantity(m, v, "GJ") for m, v in readings], f"Q[{key}]",
                                     math.fsum(v for _, v in readings), "GJ")

    heat_elec = heat_area = dev = None
    basis = None
    if plan.unmetered:
        heat_elec, per_type_elec = _electricity_method(run, plan, electricity)
        heat_area = _area_method(run, plan, hours)
        if heat_elec is None or heat_area is None:
            raise _Stop
        estimate = run.step("heat_conservative", "6.2.3.2", "保守取值 Q估 = min(Q电, Q面)",
                            "conservative estimate Q_est = min(Q_elec, Q_area)", "Q_est = min(Q_elec, Q_area)",
                            [Quantity("Q_elec", heat_elec, "GJ"), Quantity("Q_area", heat_area, "GJ")], "Q_est",
                            formulas.conservative_heat(heat_elec, heat_area), "GJ")
        dev = run.step("deviation", "6.2.3.2", "两种方法偏差 d", "deviation between the methods d",
                       "d = |Q_elec − Q_area| / min(Q_elec, Q_area) [D]; d > 10 % → 复核 re-check",
                       [Quantity("Q_elec", heat_elec, "GJ"), Quantity("Q_area", heat_area, "GJ")], "d",
                       formulas.deviation(heat_elec, heat_area), "")
        if heat_elec <= heat_area:
            basis = "electricity"
            heat_by_type.update(per_type_elec)
        else:
            basis = "area"
            heat_by_type[group_key(plan.unmetered)] = estimate

    heat_total = math.fsum(heat_by_type.values())
    run.step("heat_supplied", "6.2", "供暖期总供热量 Qgs+Qas+Qws", "heat supplied Qgs+Qas+Qws", "Q = Σ Q[source]",
             [Quantity(f"Q[{k}]", v, "GJ") for k, v in heat_by_type.items()], "Q", heat_total, "GJ")
    be = run.step("baseline", "6.2", "基准线排放 BE，公式（1）", "baseline emissions BE, formula (1)",
                  "BE = (Qgs + Qas + Qws) × EF_heat",
                  [Quantity("Q", heat_total, "GJ"), Quantity("EF_heat", p.ef_heat.value, p.ef_heat.unit)], "BE",
                  formulas.baseline_emissions(heat_total, p.ef_heat.value), "t CO2")

    w_by_type = {k.value: math.fsum(w for _, w in s) for k, s in electricity.items()}
    w_total = math.fsum(w_by_type.values())
    pe = run.step("project", "6.3", "项目排放 PE，公式（4）", "project emissions PE, formula (4)",
                  "PE = (Wgs + Was + Wws) / (1 − TD/100) × 10⁻³ × EF_elec",
                  [Quantity("W", w_total, "kWh"), Quantity("TD", p.td_percent.value, "%"),
                   Quantity("EF_elec", p.ef_elec.value, p.ef_elec.unit)], "PE",
                  formulas.project_emissions(w_total, p.td_percent.value, p.ef_elec.value), "t CO2")
    er = run.step("reductions", "6.4", "减排量 ER，公式（5）", "emission reductions ER, formula (5)", "ER = BE − PE",
                  [Quantity("BE", be, "t CO2"), Quantity("PE", pe, "t CO2")], "ER",
                  formulas.emission_reductions(be, pe), "t CO2")
    credit = run.step("creditable", "9 [D]", "可签发减排量（向下取整至 0.01 t，负值取 0）",
                      "creditable reductions (rounded down to 0.01 t, 0 when negative)", "floor(ER, 0.01), ≥ 0",
                      [Quantity("ER", er, "t CO2")], "ER_creditable", formulas.creditable_reductions(er), "t CO2")
    start, end = crediting_period(decl.project.operation_start)
    keep = records_keep_until(decl.project.operation_start)
    run.step("periods", "5.2, 7.3.2", "计入期与台账保存期限", "crediting period and record keeping",
             "crediting = [start, start + 15 y − 1 d]; keep = crediting_end + 5 y",
             [Quantity("operation_start", decl.project.operation_start)], "records_keep_until", keep, "")
    return Results(
        parameter_version=p.version, heating_hours=hours, heat_supplied_gj=heat_total,
        heat_elec_method_gj=heat_elec, heat_area_method_gj=heat_area, deviation=dev, method=plan.method,
        estimate_basis=basis, heat_by_type_gj=heat_by_type, electricity_kwh=w_total, electricity_by_type_kwh=w_by_type,
        baseline_emissions_t=be, project_emissions_t=pe, emission_reductions_t=er, creditable_reductions_t=credit,
        crediting_period_start=start, crediting_period_end=end, records_keep_until=keep,
    )


def _electricity_method(run: _Run, plan: MeteringPlan, electricity) -> tuple[float | None, dict[str, float]]:
    """§6.2.1, formula (2) per unmetered type (month by month), then summed (§6.2.3.1)."""
    per_type: dict[str, float] = {}
    ok = True
    for kind in plan.unmetered:
        series = electricity[kind]
        months = [m for m, _ in series]
        cops = run.cop_series(kind, months)
        if cops is None:
            ok = False
            continue
        used_w, used_cop = [], []
        for (month, w), c in zip(series, cops):
            if math.isnan(c):
                if w > 0:
                    zh, en = TYPE_LABEL[kind]
                    run.problem(f"{zh} {month} 有耗电量但无 COP 测量", f"{en} {month} has electricity but no COP measurement",
                                f"systems[{run.decl.types.index(kind)}].cop.measurements")
                    ok = False
                continue  # no electricity and no measurement: the month adds no heat
            used_w.append(w)
            used_cop.append(c)
        sym = TYPE_SYMBOL[kind]
        title = (f"电算法 {TYPE_LABEL[kind][0]} Q{sym}，公式（2）", f"electricity method Q{sym}, {TYPE_LABEL[kind][1]}, formula (2)")
        if run.decl.system(kind).cop.source is CopSource.test_report:
            # one COP for the season: formula (2) exactly as written, W × COP × 0.0036
            w_total = math.fsum(used_w)
            report_cop = run.decl.system(kind).cop.report_value
            q = run.step(f"heat_elec.{kind.value}", "6.2.1", *title, "Q = W × COP × 0.0036",
                         [Quantity(f"W{sym}", w_total, "kWh"), Quantity("COP (检测报告 test report)", report_cop, "")],
                         f"Q{sym}_elec", formulas.heat_by_electricity(w_total, report_cop), "GJ")
        else:
            used_months = [m for (m, _), c in zip(series, cops) if not math.isnan(c)]
            q = run.step(f"heat_elec.{kind.value}", "6.2.1", *title, "Q = Σ_m W_m × COP_m × 0.0036 [D]",
                         [Quantity(f"{m}: W × COP_mean", f"{w:g} × {c:.4g}", "kWh × -")
                          for m, w, c in zip(used_months, used_w, used_cop)],
                         f"Q{sym}_elec", formulas.heat_by_electricity_monthly(used_w, used_cop), "GJ")
        per_type[kind.value] = q
    if not ok:
        return None, per_type
    total = run.step("heat_elec", "6.2.3.1", "电算法合计 Q电", "electricity method total Q_elec", "Q_elec = Σ_types Qw",
                     [Quantity(f"Q[{k}]", v, "GJ") for k, v in per_type.items()], "Q_elec",
                     math.fsum(per_type.values()), "GJ")
    return total, per_type


def _area_method(run: _Run, plan: MeteringPlan, hours: float) -> float | None:
    """§6.2.2, formula (3) over the area heated by the unmetered types."""
    decl, p = run.decl, run.params
    if not decl.areas:
        run.problem("未填写供暖面积，无法按面积法校核", "no heated area is given for the area method", "areas")
        return None
    metered = set(plan.own_meter) | set(plan.total_meter)
    unmetered = set(plan.unmetered)
    entries = []
    for i, a in enumerate(decl.areas):
        if metered:
            served = set(a.served_by or ())
            if not served or (served & metered and served & unmetered):
                run.problem("混合计量项目的面积条目须注明供热热泵类型，且不能同时由计量与未计量类型供热",
                            "in a mixed project each area entry must name the types that heat it, not both kinds",
                            f"areas[{i}].served_by")
                return None
            if not served <= unmetered:
                continue  # heated by metered types: its heat is already measured
        lowest = p.q_lowest(a.building_type.value, a.energy_saving)
        q = a.q_w_per_m2 if a.q_w_per_m2 is not None else lowest
        entries.append((f"{a.building_type.value}{'' if a.energy_saving else ' (not energy-saving)'}", q, a.area_m2))
    return run.step("heat_area", "6.2.2", "面积法 Q面，公式（3）", "area method Q_area, formula (3)",
                    "Q_area = (Σ q_i × A_i) × t × 3.6×10⁻⁶",
                    [Quantity(f"{name}: q × A", f"{q:g} × {a:g}", "W/m² × m²") for name, q, a in entries]
                    + [Quantity("t", hours, "h")], "Q_area",
                    formulas.heat_by_area_entries([(q, a) for _, q, a in entries], hours), "GJ")
