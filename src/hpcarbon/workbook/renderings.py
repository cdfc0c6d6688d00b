"""One formula, two renderings: each methodology step's Python definition beside its spreadsheet forms.

For every function of :mod:`hpcarbon.formulas` (and the periods of :mod:`hpcarbon.calendar`) that the
calculation sheet 核算 shows, :data:`RENDERINGS` holds

* ``native`` — the same formula in functions Excel, WPS and LibreOffice all evaluate (SUMPRODUCT, MIN,
  IF, ROUND, ROUNDDOWN, DATE …); it is the value the owner sees without the add-in;
* ``addin`` — the call of the add-in's ``HP_*`` function (xladdin/hpcarbon_udfs), which runs the Python
  definition itself; None where the add-in has no function for the step.

Placeholders in braces name the arguments; the constants (0.0036, 10 %, 9 decimals, 15 and 5 years) are
rendered from the core's own constants, never retyped. A change to a formula is one edit here beside
the function it renders; tests/test_workbook_recalc.py proves every rendering equal to the core by
recalculating filled workbooks in LibreOffice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hpcarbon import calendar, formulas


@dataclass(frozen=True)
class Rendering:
    python: Callable  # the core's definition
    native: str
    addin: str | None = None

    def render(self, which: str = "native", **args: str) -> str:
        template = self.native if which == "native" else self.addin
        if template is None:
            raise ValueError(f"{self.python.__name__} has no {which} rendering")
        return template.format(**args)


def _num(x: float) -> str:
    return repr(float(x)).replace("e-0", "E-").replace("e-", "E-")


_DENOISE = formulas.DENOISE_DECIMALS
_THRESHOLD = _num(formulas.DEVIATION_RECHECK_THRESHOLD)
#: what the sheet shows for an infinite deviation (one estimate 0, the other not)
INFINITE = "∞"

RENDERINGS: dict[str, Rendering] = {r.python.__name__: r for r in (
    Rendering(formulas.heating_hours, "SUM({hours})-SUM({outage})"),
    Rendering(formulas.heat_by_electricity, f"{{W}}*{{COP}}*{_num(formulas.GJ_PER_KWH)}", "HP_HEAT_ELEC({W},{COP})"),
    # Σ_m W_m × COP_m × 0.0036; blank months are text "" and count as 0 in SUMPRODUCT (every engine)
    Rendering(formulas.heat_by_electricity_monthly, f"SUMPRODUCT({{W}},{{COP}})*{_num(formulas.GJ_PER_KWH)}",
              "HP_HEAT_ELEC({W},{COP})"),
    # the month's measurements of the type dated in the season, bounds included (calendar.measurements_by_month:
    # one dated outside the season counts in no month)
    Rendering(formulas.mean_cop, 'AVERAGEIFS({values},{type_range},{type},{month_range},{month},'
                                 '{date_range},">="&{start},{date_range},"<="&{end})'),
    Rendering(formulas.heat_by_area_entries, f"SUMPRODUCT({{q}},{{A}})*{{t}}*{_num(formulas.GJ_PER_WH)}",
              "HP_HEAT_AREA({q},{A},{t})"),
    Rendering(formulas.conservative_heat, "MIN({Q_elec},{Q_area})", "HP_HEAT_CONSERVATIVE({Q_elec},{Q_area})"),
    # base 0: 0 when both are 0, else infinite (shown as ∞)
    Rendering(formulas.deviation,
              f'IF(MIN({{Q_elec}},{{Q_area}})=0,IF({{Q_elec}}={{Q_area}},0,"{INFINITE}"),'
              f'ABS({{Q_elec}}-{{Q_area}})/MIN({{Q_elec}},{{Q_area}}))',
              "HP_DEVIATION({Q_elec},{Q_area})"),
    # float noise removed first (d taken to DENOISE_DECIMALS), then compared with the threshold
    Rendering(formulas.deviation_requires_recheck,
              f'IF(ISNUMBER({{d}}),ROUND({{d}},{_DENOISE})>{_THRESHOLD},{{d}}="{INFINITE}")'),
    Rendering(formulas.baseline_emissions, "{Q}*{EF_heat}", "HP_BASELINE({Q},0,0,{EF_heat})"),
    Rendering(formulas.project_emissions, "{W}/(1-{TD}/100)*0.001*{EF_elec}",
              "HP_PROJECT_EMISSIONS({Wgs},{Was},{Wws},{TD},{EF_elec})"),
    Rendering(formulas.emission_reductions, "{BE}-{PE}", "HP_REDUCTION({BE},{PE})"),
    # rounded down to CREDIT_DECIMALS after the noise is removed (ER to DENOISE_DECIMALS); 0 when ER ≤ 0
    Rendering(formulas.creditable_reductions,
              f"IF({{ER}}<=0,0,ROUNDDOWN(ROUND({{ER}},{_DENOISE}),{formulas.CREDIT_DECIMALS}))",
              "HP_CREDITABLE({ER})"),
    # calendar.add_years: the same calendar day; 29 February → 1 March in a common year, which is what
    # DATE(y, 2, 29) gives in every engine (EDATE would give 28 February)
    Rendering(calendar.crediting_period, f"DATE(YEAR({{start}})+{calendar.CREDITING_YEARS},MONTH({{start}}),"
                                         "DAY({start}))-1"),
    Rendering(calendar.records_keep_until, f"DATE(YEAR({{end}})+{calendar.RECORD_KEEPING_YEARS},MONTH({{end}}),"
                                           "DAY({end}))"),
)}


def native(name: str, **args: str) -> str:
    return RENDERINGS[name].render("native", **args)


def addin(name: str, **args: str) -> str:
    return RENDERINGS[name].render("addin", **args)
