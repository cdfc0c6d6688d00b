"""The monthly chart of a report: electricity use, heat and (where measured on site) COP per month of the
season, as plain numbers (:class:`MonthlySeries`) and as SVG geometry the report template draws.

Heat per month is what the declaration says or what formula (2) gives for that month: a heat-meter reading
where a type is metered (its own meter, or the coupled system's total-output meter), else W_m × COP × 0.0036
(the test-report COP, or the month's mean on-site COP, 表8). The chart shows the data; the results table
shows the accounted Q (which may be the area method's, §6.2.3.1).
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass

from hpcarbon import formulas
from hpcarbon.accounting import at_or_under, metering_plan, monthly_mean_cops
from hpcarbon.model import CopSource, Declaration, HeatPumpType
from hpcarbon.vocabulary import TYPE_LABEL


@dataclass(frozen=True)
class MonthlySeries:
    months: tuple[str, ...]
    electricity_kwh: tuple[float | None, ...]  # all types together; None: no reading that month
    heat_gj: tuple[float | None, ...]  # metered readings + formula (2) for unmetered types; None: unknown
    heat_estimated: tuple[bool, ...]  # the month's heat includes a formula (2) estimate
    #: type → mean on-site COP of each month (None: no measurement that month); only types measured on site
    cop: dict[HeatPumpType, tuple[float | None, ...]]


def monthly_series(decl: Declaration, refused: Collection[str] = ()) -> MonthlySeries:
    """``refused``: JSON paths of the fields the validation refused. ``decl`` may then be the accounting's
    draft, where such a field holds a placeholder: a value at or under a refused path is no reading and is
    not drawn (nor is a month's on-site COP mean from a refused measurement)."""

    def known(path: str) -> bool:
        return not any(at_or_under(path, p) for p in refused)

    plan = metering_plan(decl)
    onsite = {}
    for i, s in enumerate(decl.systems):
        if s.cop is not None and s.cop.source is CopSource.onsite:
            kept = [m for j, m in enumerate(s.cop.measurements)
                    if known(f"systems[{i}].cop.measurements[{j}].value") and known(f"systems[{i}].cop.measurements[{j}].date")]
            onsite[s.type] = monthly_mean_cops(kept, decl.season)
    report_cop = {s.type: s.cop.report_value for i, s in enumerate(decl.systems)
                  if s.cop is not None and s.cop.source is CopSource.test_report and known(f"systems[{i}].cop.report_value")}
    months, elec, heat, estimated = [], [], [], []
    for m, rec in enumerate(decl.monthly):
        months.append(rec.month)
        kwh = {k: w for k, w in rec.electricity_kwh.items()
               if w is not None and known(f"monthly[{m}].electricity_kwh.{k.value}")}
        elec.append(math.fsum(kwh.values()) if kwh else None)
        parts: list[float] = [rec.heat_gj[k] for k in plan.own_meter
                              if rec.heat_gj.get(k) is not None and known(f"monthly[{m}].heat_gj.{k.value}")]
        if plan.total_meter and rec.total_heat_gj is not None and known(f"monthly[{m}].total_heat_gj"):
            parts.append(rec.total_heat_gj)
        by_formula = False
        for kind in plan.unmetered:
            w = kwh.get(kind)
            c = report_cop.get(kind) if kind in report_cop else onsite.get(kind, {}).get(rec.month)
            if w is not None and c is not None:
                parts.append(formulas.heat_by_electricity(w, c))
                by_formula = True
        heat.append(math.fsum(parts) if parts else None)
        estimated.append(by_formula)
    cop_series = {kind: tuple(per_month.get(m) for m in months) for kind, per_month in onsite.items()}
    return MonthlySeries(tuple(months), tuple(elec), tuple(heat), tuple(estimated), cop_series)


# --- geometry -------------------------------------------------------------------------------------------
WIDTH, PANEL_HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 150, 64, 12, 26, 22


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above ``value`` (an axis maximum people can read)."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude * (1 + 1e-12):
            return step * magnitude
    return 10 * magnitude  # pragma: no cover


def _number(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.2f}".rstrip("0").rstrip(".")


def _panel(title_zh: str, title_en: str, unit: str, values, kind: str, css: str, y0: float, months,
           flags=None) -> dict:
    known = [v for v in values if v is not None]
    top = nice_ceiling(max(known) if known else 0.0)
    plot_h = PANEL_HEIGHT - TOP - BOTTOM
    plot_w = WIDTH - LEFT - RIGHT
    slot = plot_w / max(len(months), 1)
    ticks = [{"y": round(y0 + TOP + plot_h * (1 - k / 4), 1), "label": _number(top * k / 4)} for k in range(5)]
    marks = []
    for i, (month, v) in enumerate(zip(months, values)):
        x = LEFT + slot * i
        mark = {"month": month, "label_x": round(x + slot / 2, 1), "value": None if v is None else _number(v),
                "flag": bool(flags[i]) if flags else False}
        if v is not None:
            h = plot_h * v / top
            mark.update(x=round(x + slot * 0.15, 1), w=round(slot * 0.7, 1), y=round(y0 + TOP + plot_h - h, 1),
                        h=round(h, 1), cx=round(x + slot / 2, 1))
        marks.append(mark)
    line = " ".join(f"{m['cx']},{m['y']}" for m in marks if m.get("cx") is not None)
    return {"title_zh": title_zh, "title_en": title_en, "unit": unit, "kind": kind, "css": css, "y0": y0, "ticks": ticks,
            "marks": marks, "line": line, "axis_y": y0 + TOP + plot_h, "label_y": y0 + PANEL_HEIGHT - 6}


def chart_view(series: MonthlySeries) -> dict | None:
    """What the template draws: one panel per quantity (each with its own axis), stacked; None without months."""
    if not series.months:
        return None
    months = series.months
    panels = [
        _panel("月度耗电量", "monthly electricity use", "kWh", series.electricity_kwh, "bar", "elec", 0, months),
        _panel("月度供热量", "monthly heat", "GJ", series.heat_gj, "bar", "heat", PANEL_HEIGHT, months, series.heat_estimated),
    ]
    for kind, values in series.cop.items():
        zh, en = TYPE_LABEL[kind]
        panels.append(_panel(f"{zh}月均现场实测 COP", f"{en}: monthly mean on-site COP", "", values, "line", "cop",
                             PANEL_HEIGHT * len(panels), months))
    table = [{"month": m, "electricity": None if e is None else _number(e), "heat": None if h is None else _number(h),
              "estimated": est, "cop": {TYPE_LABEL[k][0]: (None if vals[i] is None else f"{vals[i]:.2f}")
                                        for k, vals in series.cop.items()}}
             for i, (m, e, h, est) in enumerate(zip(months, series.electricity_kwh, series.heat_gj,
                                                    series.heat_estimated))]
    return {"width": WIDTH, "height": PANEL_HEIGHT * len(panels), "left": LEFT, "right": WIDTH - RIGHT,
            "panels": panels, "table": table, "any_estimated": any(series.heat_estimated),
            "cop_types": [TYPE_LABEL[k] for k in series.cop]}
