"""The methodology's formulas, one small pure function each (SPEC §2, §6.2.3, §9).

Every function takes plain numbers in the units its docstring names and returns a float;
none rounds (SPEC §9: full double precision, in the formula's own order). Inputs are not
validated here beyond what the arithmetic needs — the declaration model and the rules do that.
"""

from __future__ import annotations

import math
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Context, Decimal
from typing import Iterable, Sequence

#: GJ per kWh, formula (2).
GJ_PER_KWH = 0.0036
#: GJ per W·h, formula (3).
GJ_PER_WH = 3.6e-6
#: Relative deviation above which §6.2.3.2 requires the parameters to be re-checked.
DEVIATION_RECHECK_THRESHOLD = 0.10
#: Decimals kept when float noise is removed before a comparison or a rounding (SPEC §9 [D]).
DENOISE_DECIMALS = 9
#: Decimals of the creditable reductions: ER is rounded down to 0.01 t CO2 (SPEC §9 [D]).
CREDIT_DECIMALS = 2

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def shown_constant(x: float) -> str:
    """A formula's constant as the methodology writes it: 0.0036 → ``0.0036``, 3.6e-06 → ``3.6×10⁻⁶``."""
    text = f"{x:g}"
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return f"{mantissa}×10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def shown_gj_per_kwh() -> str:
    """Formula (2)'s unit constant :data:`GJ_PER_KWH` as texts write it (``0.0036``)."""
    return shown_constant(GJ_PER_KWH)


def shown_gj_per_wh() -> str:
    """Formula (3)'s unit constant :data:`GJ_PER_WH` as texts write it (``3.6×10⁻⁶``)."""
    return shown_constant(GJ_PER_WH)


def recheck_threshold_text(lang: str = "zh") -> str:
    """:data:`DEVIATION_RECHECK_THRESHOLD` as texts state it: ``10%`` (zh), ``10 %`` (en)."""
    text = f"{DEVIATION_RECHECK_THRESHOLD:.0%}"
    return text.replace("%", " %") if lang == "en" else text


def credit_step() -> str:
    """The step creditable reductions are rounded down to, as texts state it (``0.01`` t), from
    :data:`CREDIT_DECIMALS`."""
    return f"{10 ** -CREDIT_DECIMALS:.{CREDIT_DECIMALS}f}"


#: Wide enough for any finite double with 9 decimals (≈ 309 + 9 digits), so quantize never overflows.
_WIDE = Context(prec=400)


def heat_by_electricity(electricity_kwh: float, cop: float) -> float:
    """Heat supplied by one heat-pump type, electricity method — formula (2), §6.2.1.

    Qw = W × COP × 0.0036

    Parameters
    ----------
    electricity_kwh : W, the type's electricity use over the season [kWh]
    cop : COP, the type's heating coefficient of performance [-]

    Returns
    -------
    Qw [GJ]
    """
    return electricity_kwh * cop * GJ_PER_KWH


def heat_by_electricity_monthly(electricity_kwh: Sequence[float], cop: Sequence[float]) -> float:
    """Formula (2) applied month by month and summed — SPEC §2 [D], §6.2.1.

    Qw = Σ_m W_m × COP_m × 0.0036; equals formula (2) when COP is the same every month.

    Parameters
    ----------
    electricity_kwh : W_m, the type's electricity use in each month [kWh]
    cop : COP_m, the type's COP in the same months [-]; same length as ``electricity_kwh``

    Returns
    -------
    Qw [GJ]
    """
    if len(electricity_kwh) != len(cop):
        raise ValueError("electricity_kwh and cop must have the same number of months")
    return math.fsum(heat_by_electricity(w, c) for w, c in zip(electricity_kwh, cop))


def heat_by_area_entries(entries: Iterable[tuple[float, float]], hours: float) -> float:
    """Heat supplied, area (heat-index) method — formula (3), §6.2.2, over one or several area entries
    sharing one t (SPEC §2); one entry is the formula as written, Qa = q × A × t × 3.6×10⁻⁶.

    Qa = (Σ_i q_i × A_i) × t × 3.6×10⁻⁶

    Parameters
    ----------
    entries : pairs (q_i [W/m²] — the lowest recommended heat index of CJJ/T 34-2022, A_i [m²], heated area),
        one per building type / area entry
    hours : t, actual heating hours of the season, outages deducted [h]

    Returns
    -------
    Qa [GJ]
    """
    load_w = math.fsum(q * a for q, a in entries)
    return load_w * hours * GJ_PER_WH


def heating_hours(monthly_hours: Iterable[tuple[float, float]]) -> float:
    """Actual heating hours t of the season — §6.2.2, §6.2.4.2.

    t = Σ_m (heating hours_m − outage hours_m)

    Parameters
    ----------
    monthly_hours : pairs (heating hours [h], outage/interrupted hours [h]) per month
    """
    return math.fsum(h - o for h, o in monthly_hours)


def conservative_heat(heat_elec_gj: float, heat_area_gj: float) -> float:
    """Conservative selection of estimated heat — §6.2.3.2: the smaller of the two methods.

    Parameters
    ----------
    heat_elec_gj : Q by the electricity method, formula (2) [GJ]
    heat_area_gj : Q by the area method, formula (3) [GJ]

    Returns
    -------
    min(Q_elec, Q_area) [GJ]
    """
    return min(heat_elec_gj, heat_area_gj)


def deviation(heat_elec_gj: float, heat_area_gj: float) -> float:
    """Relative deviation between the two estimates — §6.2.3.2, SPEC §3 [D].

    d = |Q_elec − Q_area| / min(Q_elec, Q_area)   (the smaller value is the base)

    Returns 0 when both are 0 and ``math.inf`` when only the smaller is 0. A value above
    :data:`DEVIATION_RECHECK_THRESHOLD` (0.10) requires a parameter re-check.
    """
    base = min(heat_elec_gj, heat_area_gj)
    diff = abs(heat_elec_gj - heat_area_gj)
    if base == 0:
        return 0.0 if diff == 0 else math.inf
    return diff / base


def deviation_requires_recheck(d: float) -> bool:
    """§6.2.3.2 "偏差超过10%": True when d exceeds 10 %.

    Float noise is removed first (d taken to 9 decimals, as for the creditable amount, SPEC §9 [D]),
    so two estimates exactly 10 % apart in decimal arithmetic — e.g. 2 764.8 and 3 041.28 GJ, whose
    double-precision d is 0.10000000000000002 — do not require a re-check.
    """
    if math.isnan(d):
        raise ValueError("deviation must be a number")
    return math.isinf(d) or round(d, DENOISE_DECIMALS) > DEVIATION_RECHECK_THRESHOLD


def baseline_emissions(heat_supplied_gj: float, ef_heat_t_per_gj: float) -> float:
    """Baseline emissions of a season — formula (1), §6.2.

    BE = (Qgs + Qas + Qws) × EF_heat

    Parameters
    ----------
    heat_supplied_gj : Qgs + Qas + Qws, heat supplied by all heat-pump types [GJ]
    ef_heat_t_per_gj : EF_heat, heat emission factor [t CO2/GJ] (表1)

    Returns
    -------
    BE [t CO2]
    """
    return heat_supplied_gj * ef_heat_t_per_gj


def project_emissions(electricity_kwh: float, td_percent: float, ef_elec_kg_per_kwh: float) -> float:
    """Project emissions of a season — formula (4), §6.3.

    PE = (Wgs + Was + Wws) / (1 − TD/100) × 10⁻³ × EF_elec

    Parameters
    ----------
    electricity_kwh : Wgs + Was + Wws, grid electricity used by all heat-pump types [kWh]
    td_percent : TD, grid transmission and distribution loss rate [%] (表4)
    ef_elec_kg_per_kwh : EF_elec, Jilin grid emission factor [kg CO2/kWh] (表3)

    Returns
    -------
    PE [t CO2]
    """
    return electricity_kwh / (1 - td_percent / 100) * 1e-3 * ef_elec_kg_per_kwh


def emission_reductions(baseline_t: float, project_t: float) -> float:
    """Emission reductions — formula (5), §6.4: ER = BE − PE [t CO2]."""
    return baseline_t - project_t


def creditable_reductions(reductions_t: float) -> float:
    """Creditable reductions — SPEC §9 [D]: ER rounded down to 0.01 t CO2, 0 when ER ≤ 0.

    Float noise is removed first (ER is taken to 9 decimals), so an ER computed as
    147.82999999999998 credits 147.83, never 147.82; nothing is ever rounded up past ER
    by more than that noise.

    Parameters
    ----------
    reductions_t : ER [t CO2]

    Returns
    -------
    creditable ER [t CO2], a multiple of 0.01
    """
    if not math.isfinite(reductions_t):
        raise ValueError("emission reductions must be a finite number")
    if reductions_t <= 0:
        return 0.0
    denoised = Decimal(repr(reductions_t)).quantize(Decimal(1).scaleb(-DENOISE_DECIMALS), rounding=ROUND_HALF_EVEN,
                                                    context=_WIDE)
    return float(denoised.quantize(Decimal(1).scaleb(-CREDIT_DECIMALS), rounding=ROUND_FLOOR, context=_WIDE))


def mean_cop(values: Sequence[float]) -> float:
    """Monthly average COP: the mean of that month's on-site measurements — 表8."""
    if not values:
        raise ValueError("no COP measurements to average")
    return math.fsum(values) / len(values)
