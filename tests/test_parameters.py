"""Parameter sets as versioned data (SPEC §4, methodology §7.1 tables 1–4)."""

from __future__ import annotations

import json
from datetime import date
from importlib import resources

import pytest
from builders import example, findings, load, pe_formula, shift_years

from hpcarbon import parameters as P
from hpcarbon.accounting import compute

# SPEC §4 table, written out again: building type → (not energy-saving lowest, energy-saving lowest)
SPEC_Q = {
    "residential": (58, 40),
    "residential_district": (60, 45),
    "school_office": (60, 50),
    "hospital_nursery": (65, 55),
    "hotel": (60, 50),
    "shop": (65, 55),
    "canteen_restaurant": (115, 100),
    "theatre_exhibition": (95, 80),
    "auditorium_gymnasium": (115, 100),
}
# and the upper ends of the ranges SPEC §4 quotes
SPEC_Q_RANGES = {
    "residential": ((58, 64), (40, 45)),
    "residential_district": ((60, 67), (45, 55)),
    "school_office": ((60, 80), (50, 70)),
    "hospital_nursery": ((65, 80), (55, 70)),
    "hotel": ((60, 70), (50, 60)),
    "shop": ((65, 80), (55, 70)),
    "canteen_restaurant": ((115, 140), (100, 130)),
    "theatre_exhibition": ((95, 115), (80, 105)),
    "auditorium_gymnasium": ((115, 165), (100, 150)),
}


def v01():
    return next(s for s in P.all_sets(extra_dir="") if s.version == "V01")


def test_v01_scalars():
    p = v01()
    assert p.effective_from == date(2023, 1, 1)
    assert (p.ef_heat.value, p.ef_heat.unit, p.ef_heat.clause) == (0.11, "t CO2/GJ", "表1")
    assert (p.ef_elec.value, p.ef_elec.unit, p.ef_elec.clause) == (0.4671, "kg CO2/kWh", "表3")
    assert (p.td_percent.value, p.td_percent.unit, p.td_percent.clause) == (4.37, "%", "表4")
    assert "GB/T 32150-2025" in p.ef_heat.source
    assert "吉林" in p.ef_elec.source or "Jilin" in p.ef_elec.source
    assert "国家能源局" in p.td_percent.source
    assert (p.heat_meter_cycle_years, p.electricity_meter_cycle_years) == (2, 6)  # SPEC §8 [D]


def test_v01_lookup_by_name():
    p = v01()
    assert p.value("EF_heat").value == 0.11
    assert p.value("ef_elec").value == 0.4671
    assert p.value("TD").value == 4.37
    with pytest.raises(P.ParameterError):
        p.value("COP")


@pytest.mark.parametrize("building_type", sorted(SPEC_Q))
def test_v01_q_table_is_spec_4(building_type):
    p = v01()
    not_saving, saving = SPEC_Q[building_type]
    assert p.q_lowest(building_type, energy_saving=False) == not_saving
    assert p.q_lowest(building_type, energy_saving=True) == saving
    row = p.q_rows[building_type]
    assert (row.not_energy_saving, row.energy_saving) == SPEC_Q_RANGES[building_type]


def test_v01_q_table_names_its_source_and_has_no_other_rows():
    p = v01()
    assert set(p.q_rows) == set(SPEC_Q)
    assert "CJJ/T 34-2022" in p.q_source and "3.1.2-1" in p.q_source  # SPEC §4: name the table
    with pytest.raises(P.ParameterError):
        p.q_lowest("garage", True)


def test_no_set_in_force_before_traceability_date():
    with pytest.raises(P.ParameterError):
        P.set_in_force(date(2022, 12, 31), extra_dir="")
    assert P.set_in_force(date(2023, 1, 1), extra_dir="").version == "V01"


# --- a second set as a fixture: selection by effective date, no code change ------------------------
def _write_v02(folder, effective_from="2025-07-01", ef_elec=0.5, ef_heat=0.12, td=5.0):
    raw = json.loads((resources.files("hpcarbon") / "data" / "parameters" / "V01.json").read_text(encoding="utf-8"))
    raw["version"] = "V02"
    raw["effective_from"] = effective_from
    raw["ef_elec"]["value"] = ef_elec
    raw["ef_heat"]["value"] = ef_heat
    raw["td_percent"]["value"] = td
    (folder / "V02.json").write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return str(folder)


def test_set_in_force_by_effective_date(tmp_path):
    extra = _write_v02(tmp_path)
    assert [s.version for s in P.all_sets(extra)] == ["V01", "V02"]
    assert P.set_in_force(date(2025, 6, 30), extra_dir=extra).version == "V01"
    assert P.set_in_force(date(2025, 7, 1), extra_dir=extra).version == "V02"  # on the effective date itself
    assert P.set_in_force(date(2025, 10, 20), extra_dir=extra).version == "V02"
    assert P.set_in_force(None, extra_dir=extra).version == "V02"
    assert P.set_in_force(date(2024, 10, 20), extra_dir=extra).ef_elec.value == 0.4671


def test_accounting_uses_the_set_in_force_via_environment(tmp_path, monkeypatch):
    """The whole engine picks V02 for a season that starts after its effective date — no code change."""
    extra = _write_v02(tmp_path)
    monkeypatch.setenv(P.PARAMETER_DIR_ENV, extra)

    later = shift_years(example(), 1)  # season 2025-10-20 … 2026-04-05, after V02's 2025-07-01
    later["parameters"] = {"version": "V02", "ef_heat": 0.12, "ef_elec": 0.5, "td_percent": 5.0}
    acc = compute(load(later))
    assert acc.parameters.version == "V02"
    r = acc.results
    # BE = 2 764.8 × 0.12 = 331.776; PE = 320 000 / 0.95 × 10⁻³ × 0.5 = 168.421052631…
    assert r.baseline_emissions_t == pytest.approx(331.776, rel=1e-12)
    assert r.project_emissions_t == pytest.approx(pe_formula(320_000, td=5.0, ef=0.5), rel=1e-12)
    assert r.project_emissions_t == pytest.approx(168.42105263157896, rel=1e-12)
    assert r.parameter_version == "V02"
    assert findings(later) == []  # the declared V02 values match the set in force

    earlier = example()  # season 2024-10-20: still V01
    acc = compute(load(earlier))
    assert acc.parameters.version == "V01"
    assert acc.results.baseline_emissions_t == pytest.approx(304.128, rel=1e-12)
    assert findings(earlier) == []

    # declaring V01 for the later season is a mismatch against the set in force
    stale = shift_years(example(), 1)
    codes = {(x.code, x.field) for x in findings(stale)}
    assert ("parameters.version_mismatch", "parameters.version") in codes
    assert ("parameters.value_mismatch", "parameters.ef_elec") in codes


def test_parameter_folder_is_read_fresh_per_folder(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    _write_v02(a, effective_from="2025-07-01")
    _write_v02(b, effective_from="2026-07-01")
    assert P.set_in_force(date(2025, 10, 20), extra_dir=str(a)).version == "V02"
    assert P.set_in_force(date(2025, 10, 20), extra_dir=str(b)).version == "V01"
