"""The validator compares every result the calculation sheet shows (validator/recompute.py)."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from builders import example, load

from hpcarbon.accounting import Results, compute
from hpcarbon.findings import Severity
from hpcarbon.validator.scan import Cached
from hpcarbon.validator.recompute import EXEMPT, compare_cached, expected_cells
from hpcarbon.workbook import layout as L


def test_every_results_key_is_compared_or_exempt_with_a_reason():
    compared = {c.key for c in L.LAYOUT.calc_checks}
    keys = {f.name for f in dataclasses.fields(Results)}
    assert keys - compared - set(EXEMPT) == set(), "a result neither compared nor exempt"
    assert not compared & set(EXEMPT)
    assert all(len(reason) > 20 for reason in EXEMPT.values())
    assert set(EXEMPT) <= keys


def _example():
    decl = load(example())
    return decl, compute(decl)


def _cached_as_the_core_says(acc, decl, addin: str | None = None) -> dict[str, Cached]:
    out = {}
    for e in expected_cells(acc, decl):
        if e.addin and addin:
            out[e.cell] = Cached(True, error=addin)
            continue
        v = e.value
        if isinstance(v, date):
            v = float((v - date(1899, 12, 30)).days)
        out[e.cell] = Cached(True, value="" if v is None else v)
    return out


def test_the_example_as_excel_with_the_add_in_would_save_it_passes():
    decl, acc = _example()
    assert compare_cached(acc, decl, _cached_as_the_core_says(acc, decl), "核算") == []


def test_saved_without_the_add_in_native_results_are_compared_and_name_errors_are_one_info():
    decl, acc = _example()
    cached = _cached_as_the_core_says(acc, decl, addin="#NAME?")
    found = compare_cached(acc, decl, cached, "核算")
    assert [(f.code, f.severity) for f in found] == [("recompute.addin_not_installed", Severity.info)]
    assert "#NAME?" in found[0].message("en") and found[0].location.cell.startswith("F")


def test_a_wrong_native_result_is_named_by_its_label_cell_and_rounded_values():
    decl, acc = _example()
    cached = _cached_as_the_core_says(acc, decl, addin="#NAME?")
    cell = L.LAYOUT.result_cells["heat_elec_method_gj"][1]
    cached[cell] = Cached(True, value=2745.6)  # 2764.8 by the core (SPEC §12)
    found = [f for f in compare_cached(acc, decl, cached, "核算") if f.code == "recompute.mismatch"]
    assert len(found) == 1 and found[0].location.cell == cell and found[0].severity is Severity.error
    zh, en = found[0].message("zh"), found[0].message("en")
    assert f"核算!{cell}" in zh and "电算法供热量" in zh and "2745.6" in zh and "2764.8" in zh
    assert "heat_elec_method_gj" not in zh + en and ", ," not in en and "2764.7999" not in en


def test_dates_words_and_the_recheck_cell_are_compared():
    decl, acc = _example()
    cached = _cached_as_the_core_says(acc, decl, addin="#NAME?")
    end = L.LAYOUT.result_cells["crediting_period_end"][1]
    cached[end] = Cached(True, value=float((date(2038, 10, 18) - date(1899, 12, 30)).days))  # one day early
    method = L.LAYOUT.result_cells["method"][1]
    cached[method] = Cached(True, value="计量")  # the example is estimated
    recheck = next(c.native for c in L.LAYOUT.calc_checks if c.key == "recheck_needed")
    cached[recheck] = Cached(True, value="须复核（错误）")  # d = 5 %: none needed
    found = {f.location.cell: f for f in compare_cached(acc, decl, cached, "核算") if f.code == "recompute.mismatch"}
    assert set(found) == {end, method, recheck}
    assert "2038-10-18" in found[end].message("en") and "2038-10-19" in found[end].message("en")
    assert "估算" in found[method].message("zh")
    assert "无需复核" in found[recheck].message("zh")


@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_an_older_template_workbook_is_read_and_its_calculation_sheet_not_compared(tmp_path, version):
    """1.0 has no native results; 1.1's 核算 rows below part 4's q step sit one higher than today's."""
    from pathlib import Path

    from openpyxl import load_workbook

    from hpcarbon.validator import validate_file

    source = Path(__file__).resolve().parents[1] / "workbook_templates" / "examples" / "example-declaration.xlsx"
    wb = load_workbook(source)
    sheet, cell = L.VERSION_CELL
    wb[sheet][cell] = version
    old = tmp_path / "old.xlsx"
    wb.save(old)
    r = validate_file(old)
    assert r.exit_code == 0 and r.report.meta["template_version"] == version
    (f,) = [f for f in r.report.findings if f.code.startswith("recompute.")]
    assert f.code == "recompute.old_template" and f.severity is Severity.info
    assert L.TEMPLATE_VERSION != version and f"改用模板 {L.TEMPLATE_VERSION}" in f.message("zh")
    assert f"template {version}" in f.message("en") and f"use template {L.TEMPLATE_VERSION}" in f.message("en")
    assert r.report.results_dict()["creditable_reductions_t"] == 147.82  # SPEC §12, computed in full


# --- a coerced input explains a difference: said at the input, not at the locked sheet -------------------------
def _serial(d: date) -> float:
    return float((d - date(1899, 12, 30)).days)


def _as_the_sheet_shows_with_october_ignored(w: float = 320_000 - 16_000, t: float = 4_032) -> dict[str, object]:
    """SPEC §12's example as the sheet's own formulas compute it when October's 16 000 kWh (air) is a number
    stored as text, which SUM ignores: W = 320 000 − 16 000 = 304 000 kWh; worked here by hand, not by the core
    (``t``: the heating hours the sheet counts). The add-in's column shows #NAME? (saved without it)."""
    q_elec = w * 2.4 * 0.0036  # formula (2): 2 626.56 GJ
    q_area = 40 * 5_000 * t * 3.6e-6  # formula (3): 2 903.04 GJ
    q = min(q_elec, q_area)
    d = abs(q_area - q_elec) / q  # 10.53 % > 10 %: the sheet says a re-check is needed
    be = q * 0.11
    pe = w / (1 - 0.0437) * 1e-3 * 0.4671
    er = be - pe
    by_key = {"heating_hours": t, "electricity_kwh": w, ("electricity_by_type_kwh", "ground"): 0,
              ("electricity_by_type_kwh", "air"): w, ("electricity_by_type_kwh", "wastewater"): 0,
              "heat_elec_method_gj": q_elec, "method": "估算", "heat_area_method_gj": q_area, "deviation": d,
              "recheck_needed": "须复核（错误）" if round(d, 9) > 0.1 else "无需复核",
              "estimate_basis": "电算法" if q_elec <= q_area else "面积法", "heat_supplied_gj": q,
              "baseline_emissions_t": be, "project_emissions_t": pe, "emission_reductions_t": er,
              "creditable_reductions_t": int(er * 100) / 100, "crediting_period_start": _serial(date(2023, 10, 20)),
              "crediting_period_end": _serial(date(2038, 10, 19)), "records_keep_until": _serial(date(2043, 10, 19))}
    checks = {(c.key, c.sub) if c.sub else c.key: c for c in L.LAYOUT.calc_checks}
    assert set(checks) == set(by_key)  # every compared cell, with what the test says it shows
    shown: dict[str, object] = {checks[k].native: v for k, v in by_key.items()}
    shown.update({c.addin: "#NAME?" for c in L.LAYOUT.calc_checks if c.addin})
    return shown


@pytest.fixture(scope="module")
def october_as_text(tmp_path_factory):
    from validate_support import filled, located, set_cells

    d = example()
    folder = tmp_path_factory.mktemp("coerced")
    path = set_cells(filled(folder, d), {located("monthly[0].electricity_kwh.air", d): "16000"}, as_text=True)
    return path, located("monthly[0].electricity_kwh.air", d)


def test_a_number_stored_as_text_explains_the_sheets_results_at_that_cell(october_as_text, tmp_path):
    from validate_support import inject_cached, validate

    path, (sheet, cell) = october_as_text
    r = validate(inject_cached(path, _as_the_sheet_shows_with_october_ignored(), out=tmp_path / "saved.xlsx"))
    assert r.exit_code == 0 and r.report.status != "fail"
    assert not [f for f in r.report.findings if f.code == "recompute.mismatch"]
    (f,) = [f for f in r.report.findings if f.code == "recompute.explained_by_input"]
    assert (f.location.sheet, f.location.cell, f.severity) == (sheet, cell, Severity.warning)
    # the ten results October changes: W (total and air), Q电, d, the re-check word, Q, BE, PE, ER, creditable
    assert f.params["count"] == 10
    zh, en = f.message("zh"), f.message("en")
    assert "16000" in zh and "当作 0" in zh and "删除后重新输入数字 16000" in zh
    assert "take as 0" in en and "type the number 16000 again" in en
    # the validator's own results are the methodology's (SPEC §12)
    assert r.report.results_dict()["creditable_reductions_t"] == 147.82


def test_a_tampered_result_is_still_an_error_beside_the_explained_ones(october_as_text, tmp_path):
    from validate_support import inject_cached, validate

    path, (sheet, cell) = october_as_text
    shown = _as_the_sheet_shows_with_october_ignored()
    q_area = L.LAYOUT.result_cells["heat_area_method_gj"][1]
    shown[q_area] = 2_900.0  # Q面 is 2 903.04 GJ whichever way October is read: nothing explains this
    r = validate(inject_cached(path, shown, out=tmp_path / "tampered.xlsx"))
    assert r.exit_code == 1 and r.report.status == "fail"
    (mismatch,) = [f for f in r.report.findings if f.code == "recompute.mismatch"]
    assert (mismatch.location.sheet, mismatch.location.cell, mismatch.severity) == ("核算", q_area, Severity.error)
    assert "2900" in mismatch.message("en") and "2903.04" in mismatch.message("en")
    (f,) = [f for f in r.report.findings if f.code == "recompute.explained_by_input"]
    assert (f.location.sheet, f.location.cell) == (sheet, cell) and f.params["count"] == 10


def test_each_coerced_input_is_told_the_results_it_changes(october_as_text, tmp_path):
    """October's electricity and November's heating hours both stored as text: the sheet counts W = 304 000 kWh
    and t = 4 032 − 720 = 3 312 h. Each input is told the results it changes by itself: W and Q电 are October's,
    t, Q面 and the estimate's basis November's; d, the re-check, Q, BE, ER and the creditable amount both."""
    from validate_support import inject_cached, located, set_cells, validate

    path, october = october_as_text
    d = example()
    november = located("monthly[1].heating_hours", d)
    both = set_cells(inject_cached(path, {}, out=tmp_path / "both.xlsx"), {november: "720"}, as_text=True)
    shown = _as_the_sheet_shows_with_october_ignored(t=4_032 - 720)
    assert shown[L.LAYOUT.result_cells["estimate_basis"][1]] == "面积法"  # Q面 2 384.64 < Q电 2 626.56 GJ
    r = validate(inject_cached(both, shown, out=tmp_path / "both-saved.xlsx"))
    assert r.exit_code == 0 and not [f for f in r.report.findings if f.code == "recompute.mismatch"]
    told = {(f.location.sheet, f.location.cell): f.params["cells"].split("!")[1].split("、") for f in r.report.findings
            if f.code == "recompute.explained_by_input"}
    assert set(told) == {october, november}
    cell = {k: v[1] for k, v in L.LAYOUT.result_cells.items()}
    for key in ("electricity_kwh", "heat_elec_method_gj", "project_emissions_t"):
        assert cell[key] in told[october] and cell[key] not in told[november], key
    for key in ("heating_hours", "heat_area_method_gj", "estimate_basis"):
        assert cell[key] in told[november] and cell[key] not in told[october], key
    for key in ("deviation", "heat_supplied_gj"):
        assert cell[key] in told[october] and cell[key] in told[november], key
