"""Formulas (1)–(5), the conservative choice, the deviation and the creditable rounding (SPEC §2, §3, §9),
against values worked out by hand. SPEC §12 is the reference example."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from hpcarbon import formulas as f

REL = 1e-12  # the hand values are exact decimals; a double carries ~1e-16 relative error per operation


def close(a, b, rel=REL):
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)


# --- SPEC §12 -------------------------------------------------------------------------------------
def test_formula_2_electricity_method_spec_12():
    # 320 000 kWh × 2.4 × 0.0036 GJ/kWh = 768 000 × 0.0036 = 2 764.8 GJ
    assert close(f.heat_by_electricity(320_000, 2.4), 2764.8)


def test_formula_3_area_method_spec_12():
    # t = 288 + 720 + 744 + 744 + 672 + 744 + 120 = 4 032 h
    t = f.heating_hours([(288, 0), (720, 0), (744, 0), (744, 0), (672, 0), (744, 0), (120, 0)])
    assert t == 4032
    # 40 W/m² × 5 000 m² × 4 032 h = 806 400 000 Wh × 3.6×10⁻⁶ = 2 903.04 GJ
    assert close(f.heat_by_area_entries([(40, 5000)], t), 2903.04)


def test_deviation_and_choice_spec_12():
    # d = (2 903.04 − 2 764.8) / 2 764.8 = 138.24 / 2 764.8 = 0.05
    assert close(f.deviation(2764.8, 2903.04), 0.05)
    assert f.conservative_heat(2764.8, 2903.04) == 2764.8
    assert f.conservative_heat(2903.04, 2764.8) == 2764.8


def test_formula_1_baseline_spec_12():
    # 2 764.8 GJ × 0.11 t/GJ = 304.128 t
    assert close(f.baseline_emissions(2764.8, 0.11), 304.128)


def test_formula_4_project_emissions_spec_12():
    # 320 000 / (1 − 0.0437) = 320 000 / 0.9563 = 334 623.026247… kWh; × 10⁻³ × 0.4671 = 156.30241556…
    # exactly: 320 000 × 0.4671 / 956.3 = 149 472 / 956.3
    exact = Fraction(149_472_000, 956_300)
    pe = f.project_emissions(320_000, 4.37, 0.4671)
    assert close(pe, float(exact))
    assert f"{pe:.8f}" == "156.30241556"


def test_formula_5_and_creditable_spec_12():
    be = f.baseline_emissions(f.heat_by_electricity(320_000, 2.4), 0.11)
    pe = f.project_emissions(320_000, 4.37, 0.4671)
    er = f.emission_reductions(be, pe)
    # 304.128 − 149 472/956.3 = (304.128 × 956.3 − 149 472)/956.3 = (290 837.6064 − 149 472)/956.3
    #   = 141 365.6064 / 956.3 = 147.82558444…
    exact = Fraction("304.128") - Fraction(149_472_000, 956_300)
    assert close(er, float(exact))
    assert f"{er:.8f}" == "147.82558444"
    assert f.creditable_reductions(er) == 147.82


def test_formula_5_is_a_plain_difference():
    assert f.emission_reductions(10.5, 2.25) == 8.25
    assert f.emission_reductions(2.25, 10.5) == -8.25


# --- formula (2) month by month, SPEC §2 [D] ------------------------------------------------------------
def test_monthly_electricity_method_equals_seasonal_with_constant_cop():
    kwh = [16000, 46000, 62000, 66000, 56000, 64000, 10000]
    assert close(f.heat_by_electricity_monthly(kwh, [2.4] * 7), 2764.8)


def test_monthly_electricity_method_sums_each_month():
    # 1 000 × 2.0 × 0.0036 + 2 000 × 3.0 × 0.0036 = 7.2 + 21.6 = 28.8 GJ
    assert close(f.heat_by_electricity_monthly([1000, 2000], [2.0, 3.0]), 28.8)
    with pytest.raises(ValueError):
        f.heat_by_electricity_monthly([1000, 2000], [2.0])


def test_mean_cop():
    assert close(f.mean_cop([2.1, 2.0, 1.9]), 2.0)
    assert close(f.mean_cop([1.8, 2.0, 1.9, 2.1]), 1.95)
    with pytest.raises(ValueError):
        f.mean_cop([])


def test_area_entries_sum_q_times_a_with_one_t():
    # (40 × 2 000 + 60 × 1 000) W × 1 000 h = 140 000 000 Wh × 3.6×10⁻⁶ = 504 GJ
    assert close(f.heat_by_area_entries([(40, 2000), (60, 1000)], 1000), 504.0)


def test_heating_hours_deduct_outages():
    # (744 − 24) + (744 − 48) + (672 − 0) = 720 + 696 + 672 = 2 088 h
    assert f.heating_hours([(744, 24), (744, 48), (672, 0)]) == 2088


# --- deviation with zero bases, SPEC §3 [D] ---------------------------------------------------------------
def test_deviation_base_is_the_smaller_value():
    # |100 − 125| / 100 = 0.25, whichever argument is larger
    assert f.deviation(100, 125) == 0.25
    assert f.deviation(125, 100) == 0.25


def test_deviation_zero_bases():
    assert f.deviation(0.0, 0.0) == 0.0
    assert f.deviation(0.0, 5.0) == math.inf
    assert f.deviation(5.0, 0.0) == math.inf


@pytest.mark.parametrize("elec, area, required", [
    (100.0, 110.0, False),  # exactly 10 %: "超过10%" is not reached
    (100.0, 110.0001, True),
    (100.0, 100.0, False),
    (0.0, 1.0, True),
])
def test_recheck_threshold(elec, area, required):
    assert f.deviation_requires_recheck(f.deviation(elec, area)) is required


def test_recheck_threshold_ignores_float_noise_at_exactly_ten_percent():
    # 320 000 kWh × 2.4 × 0.0036 = 2 764.8 GJ; 40 × 5 000 × 4 224 h × 3.6×10⁻⁶ = 3 041.28 GJ = 1.1 × 2 764.8:
    # exactly 10 % in decimal arithmetic, 0.10000000000000002 in doubles.
    d = f.deviation(f.heat_by_electricity(320_000, 2.4), f.heat_by_area_entries([(40, 5000)], 4224))
    assert d > 0.1  # the noise is real …
    assert f.deviation_requires_recheck(d) is False  # … and must not trigger §6.2.3.2


# --- creditable rounding, SPEC §9 [D] -------------------------------------------------------------------------
def test_creditable_float_noise_below_a_cent_boundary_is_not_lost():
    er = 304.128 - 156.298  # 147.83 in decimal, 147.82999999999998 in doubles
    assert er < 147.83
    assert f.creditable_reductions(er) == 147.83
    noisy = 147.73 + 0.1  # the 0.1 + 0.2 kind of noise
    assert noisy != 147.83
    assert f.creditable_reductions(noisy) == 147.83


@pytest.mark.parametrize("er, expected", [
    (147.829999, 147.82),  # a real shortfall of 1×10⁻⁶ t is never rounded up
    (147.8299999, 147.82),
    (147.83, 147.83),
    (147.839999, 147.83),
    (0.009, 0.0),
    (0.01, 0.01),
    (0.0, 0.0),
    (-0.0, 0.0),
    (-4.23841556, 0.0),
    (-1e-12, 0.0),
    (1e-12, 0.0),
    (12345678.999, 12345678.99),
])
def test_creditable_edges(er, expected):
    c = f.creditable_reductions(er)
    assert c == expected
    assert not math.copysign(1.0, c) < 0  # never −0.0


def test_creditable_of_huge_finite_reductions_does_not_raise():
    # a double this large has no cents at all; the floor is the number itself
    assert f.creditable_reductions(1e20) == 1e20
    assert f.creditable_reductions(1.5e30) == 1.5e30


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_creditable_rejects_non_finite(bad):
    with pytest.raises(ValueError):
        f.creditable_reductions(bad)
