"""Proven by a real spreadsheet engine: the calculation sheet's native formulas equal the core.

The template is filled with every bundled example and with generated declarations (mixed projects, on-site
monthly COP, a total-output meter, 29 February operation starts, a deviation of exactly 10 %, a negative
ER …), LibreOffice recalculates them all in ONE headless conversion (recalculation on load forced in a
fresh profile), and every compared cell of 核算 is read back and checked against the core — the native
results (column E) and the per-type electricity; the add-in's column F shows #NAME? (no add-in here).
LibreOffice is required (tools/install-system-deps installs it); this test never skips.
"""

from __future__ import annotations

import copy
import json
import random
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from builders import example
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from hpcarbon.accounting import compute
from hpcarbon.model import HeatPumpType
from hpcarbon.declaration_io import declaration_from_data
from hpcarbon.validator.scan import Cached
from hpcarbon.validator.recompute import agrees, compare_cached, display, expected_cells
from hpcarbon.workbook import layout as L
from hpcarbon.workbook.calc_sheet import AGREE, NO_ADDIN
from hpcarbon.workbook.fill import fill_bytes

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "workbook_templates" / "examples").glob("*.json"))
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

#: LibreOffice profile setting: recalculate OOXML (and ODF) files on load, always (0 = always, 1 = never, 2 = ask)
RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def recalculate(folder: Path, sources: list[Path]) -> Path:
    """One soffice call: every source recalculated and saved as .xlsx into ``folder/out``."""
    assert SOFFICE, "LibreOffice (soffice) is required: run tools/install-system-deps"
    profile = folder / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")
    out = folder / "out"
    proc = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                           "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), *map(str, sources)],
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr
    return out


# --- generated declarations ----------------------------------------------------------------------------------
SEASON = (date(2024, 10, 20), date(2025, 4, 5))
MONTHS = ["2024-10", "2024-11", "2024-12", "2025-01", "2025-02", "2025-03", "2025-04"]
HOURS = [12 * 24, 30 * 24, 31 * 24, 31 * 24, 28 * 24, 31 * 24, 5 * 24]
BUILDINGS = ["residential", "residential_district", "school_office", "hospital_nursery", "hotel", "shop",
             "canteen_restaurant", "theatre_exhibition", "auditorium_gymnasium"]
TYPES = ["ground", "air", "wastewater"]


def _month_dates(month: str, n: int) -> list[str]:
    y, m = int(month[:4]), int(month[5:])
    first = max(date(y, m, 1), SEASON[0])
    return [(first + timedelta(days=i)).isoformat() for i in range(n)]


@st.composite
def declarations(draw) -> dict:
    """A computable declaration of the example's season: 1–3 types, each metered, on the total meter, or
    estimated from a test-report or on-site (monthly) COP; areas served by the estimated types."""
    d = example()
    d["project"]["operation_start"] = draw(st.sampled_from(
        ["2024-02-29", "2023-03-01", "2024-10-01", "2023-12-31", "2024-03-01"]))
    kinds = draw(st.lists(st.sampled_from(TYPES), min_size=1, max_size=3, unique=True))
    how = {k: draw(st.sampled_from(["meter", "total", "report", "onsite"])) for k in kinds}
    if sum(h == "total" for h in how.values()) == 1 and len(kinds) == 1:
        how[kinds[0]] = "meter"
    systems, covers = [], []
    for k in kinds:
        s = {"type": k, "heat_metered": how[k] == "meter",
             "electricity_meter": {"id": f"E-{k}", "verified_on": "2024-09-01"}}
        if k == "ground":
            s["subtype"] = "buried_pipe"
        if how[k] == "meter":
            s["heat_meter"] = {"id": f"H-{k}", "verified_on": "2024-09-01"}
        elif how[k] == "total":
            covers.append(k)
        elif how[k] == "report":
            s["cop"] = {"source": "test_report", "report_value": draw(st.sampled_from([2.4, 3.1, 4.25, 1.7])),
                        "report_no": "R-1"}
        else:
            ms = []
            for month in MONTHS:
                n = draw(st.integers(1, 3))
                for day in _month_dates(month, n):
                    ms.append({"date": day, "value": draw(st.sampled_from([2.1, 2.6, 3.35, 4.0, 1.9])),
                               "outdoor_temp_c": -10.0, "extreme_weather": False})
            s["cop"] = {"source": "onsite", "measurements": ms}
        systems.append(s)
    d["systems"] = systems
    d["total_heat_meter"] = {"covers": covers, "id": "T-1", "verified_on": "2024-09-01"} if covers else None
    monthly = []
    for month, hours in zip(MONTHS, HOURS):
        rec = {"month": month, "heating_hours": float(hours), "outage_hours": float(draw(st.sampled_from([0, 0, 6, 12.5]))),
               "extreme_weather": False,
               "electricity_kwh": {k: float(draw(st.integers(0, 90_000))) for k in kinds},
               "heat_gj": {k: float(draw(st.integers(0, 3_000))) / 2 for k in kinds if how[k] == "meter"}}
        if covers:
            rec["total_heat_gj"] = float(draw(st.integers(0, 5_000)))
        monthly.append(rec)
    d["monthly"] = monthly
    estimated = [k for k in kinds if how[k] in ("report", "onsite")]
    metered = [k for k in kinds if k not in estimated]
    areas = []
    for _ in range(draw(st.integers(1, 3)) if estimated else draw(st.integers(0, 1))):
        a = {"building_type": draw(st.sampled_from(BUILDINGS)), "energy_saving": draw(st.booleans()),
             "area_m2": float(draw(st.integers(100, 400_000)))}
        if draw(st.booleans()):
            a["q_w_per_m2"] = float(draw(st.integers(10, 40)))
        if estimated and metered:
            a["served_by"] = draw(st.lists(st.sampled_from(estimated), min_size=1, unique=True))
        areas.append(a)
    if estimated and metered:  # a metered type's own area, not counted by the area method
        areas.append({"building_type": "residential", "energy_saving": True, "area_m2": 5000.0,
                      "served_by": [metered[0]]})
    d["areas"] = areas
    if draw(st.booleans()):
        d["recheck"] = {"performed": True, "by": "王工", "date": "2025-04-20", "note": "复核了 COP 与面积"}
    return d


def _exactly_ten_percent() -> dict:
    """Q面 = 1.1 × Q电 exactly in decimal (2 764.8 and 3 041.28 GJ, SPEC §9): the core's noise rule says no
    re-check; the sheet must say the same (a plain d > 0.1 would say yes)."""
    d = example()
    d["areas"] = [{"building_type": "residential", "energy_saving": True, "area_m2": 3041.28e6 / 3.6 / 4032 / 40 * 1,
                   "q_w_per_m2": 40.0}]
    return d


def _negative_er() -> dict:
    """COP 1.2: more emitted than avoided, ER < 0, nothing creditable."""
    d = example()
    d["systems"][0]["cop"]["report_value"] = 1.2
    return d


#: 表8 by month of the season: (date, value) of the air source's on-site COP measurements; the two marked
#: "out" are dated outside the season 2024-10-20 … 2025-04-05 (so count in no month), the bounds are inside
OUTSIDE_SEASON_COPS = [("2024-10-05", 9.0), ("2024-10-20", 3.0), ("2024-10-25", 2.0), ("2024-11-10", 2.5),
                       ("2024-12-10", 2.0), ("2025-01-10", 2.0), ("2025-02-10", 2.5), ("2025-03-10", 3.0),
                       ("2025-04-02", 4.0), ("2025-04-05", 2.0), ("2025-04-10", 9.0)]
#: worked by hand, leaving out 2024-10-05 and 2025-04-10: October (3.0 + 2.0) / 2, April (4.0 + 2.0) / 2
OUTSIDE_SEASON_MONTHLY_COP = {"2024-10": 2.5, "2024-11": 2.5, "2024-12": 2.0, "2025-01": 2.0, "2025-02": 2.5,
                              "2025-03": 3.0, "2025-04": 3.0}
#: Q电 = Σ W × COP × 0.0036 with the example's W (16 000, 46 000, 62 000, 66 000, 56 000, 64 000, 10 000 kWh):
#: (40 000 + 115 000 + 124 000 + 132 000 + 140 000 + 192 000 + 30 000) × 0.0036 = 773 000 × 0.0036
OUTSIDE_SEASON_Q_ELEC = 2782.8


def _cop_outside_season() -> dict:
    """The example with the air source's COP measured on site, two measurements dated outside the season."""
    d = example()
    d["systems"][0]["cop"] = {"source": "onsite", "measurements": [
        {"date": day, "value": v, "outdoor_temp_c": -10.0, "extreme_weather": False} for day, v in OUTSIDE_SEASON_COPS]}
    return d


def _leap_start() -> dict:
    d = example()
    d["project"]["operation_start"] = "2024-02-29"
    return d


#: generated declarations recalculated (LibreOffice takes a few seconds per workbook: the suite stays fast)
GENERATED = 7


def _cases() -> list[tuple[str, dict]]:
    cases = [(p.stem, json.loads(p.read_text("utf-8"))) for p in EXAMPLES]
    cases += [("exactly-10-percent", _exactly_ten_percent()), ("negative-er", _negative_er()),
              ("leap-start", _leap_start()), ("cop-outside-season", _cop_outside_season())]
    generated: list[dict] = []

    @settings(max_examples=GENERATED, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(declarations())
    def collect(d):
        generated.append(copy.deepcopy(d))

    collect()
    random.Random(12).shuffle(generated)
    return cases + [(f"generated-{i:02d}", d) for i, d in enumerate(generated)]


CASES = _cases()


#: two examples again (estimated air source; mixed with a total-output meter and on-site COP), each add-in cell
#: holding what the add-in returns (no add-in runs in LibreOffice)
WITH_ADDIN = ["example-declaration", "example-coupled-total-meter"]


def _with_addin_values(data: dict) -> bytes:
    """The filled workbook with every formula of 核算 that calls an HP_* function replaced by the value the
    add-in gives: HP_PARAM and HP_Q_INDEX called here (xladdin/hpcarbon_udfs); the result steps' HP_*
    chains, the core's results (the add-in's functions call the core's)."""
    import io

    import hpcarbon_udfs as U
    from openpyxl.formula.tokenizer import Token, Tokenizer

    decl, acc = _core(data)
    results = {e.cell: e.value for e in expected_cells(acc, decl) if e.addin}
    params = {line.row: line.en for line in L.CALC_LINES if line.addin and line.addin.formula.startswith("=HP_PARAM(")}
    # Q估 is not a result of its own: the add-in's HP_HEAT_CONSERVATIVE of the core's two estimates
    r = acc.results
    q_est = next(f"{L.ADDIN_COLUMN}{line.row}" for line in L.CALC_LINES if line.en == "Conservative estimate")
    results[q_est] = "" if None in (r.heat_elec_method_gj, r.heat_area_method_gj) else U.HP_HEAT_CONSERVATIVE(
        r.heat_elec_method_gj, r.heat_area_method_gj)
    wb = load_workbook(io.BytesIO(fill_bytes(data)))
    ws, areas = wb[L.S_CALC], wb[L.S_AREAS]
    for row in ws.iter_rows():
        for c in row:
            if not (isinstance(c.value, str) and c.value.startswith("=")) or not any(
                    t.type == Token.FUNC and t.value.upper().startswith("HP_") for t in Tokenizer(c.value).items):
                continue
            if c.coordinate in results:
                c.value = "" if results[c.coordinate] is None else results[c.coordinate]
            elif c.row in params:
                c.value = U.HP_PARAM(params[c.row], decl.season.start)
            else:
                a = L.AREAS.first_row + c.row - L.CALC_AREA_FIRST_ROW
                assert L.CALC_AREA_FIRST_ROW <= c.row and c.column_letter == L.CALC_AREA_COLUMNS[2], c.coordinate
                kind, saving = (areas[f"{s.column}{a}"].value for s in L.AREAS.slots[:2])
                c.value = "" if kind is None else U.HP_Q_INDEX(kind, saving)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("recalc")
    sources = []
    for name, data in CASES:
        path = folder / f"{name}.xlsx"
        path.write_bytes(fill_bytes(data))
        sources.append(path)
    for name in WITH_ADDIN:
        path = folder / f"{name}-addin.xlsx"
        path.write_bytes(_with_addin_values(dict(CASES)[name]))
        sources.append(path)
    out = recalculate(folder, sources)
    return {p.stem: p for p in out.glob("*.xlsx")}


def _core(data: dict):
    loaded = declaration_from_data(copy.deepcopy(data))
    assert loaded.declaration is not None, [f.bilingual() for f in loaded.findings]
    acc = compute(loaded.declaration)
    assert acc.results is not None, acc.not_computable
    return loaded.declaration, acc


def test_the_special_cases_are_what_they_claim():
    _, acc = _core(_exactly_ten_percent())
    r = acc.results
    assert r.heat_elec_method_gj == pytest.approx(2764.8) and r.heat_area_method_gj == pytest.approx(3041.28)
    assert r.deviation > 0.1 and round(r.deviation, 9) == 0.1  # noise above 10 %, not a real excess
    _, acc = _core(_negative_er())
    assert acc.results.emission_reductions_t < 0 and acc.results.creditable_reductions_t == 0
    _, acc = _core(_leap_start())
    # 2024-02-29 + 15 years is 1 March 2039 (no 29 February), the day before is 28 February
    assert acc.results.crediting_period_end == date(2039, 2, 28)
    assert acc.results.records_keep_until == date(2044, 2, 28)
    kinds = {json.dumps(sorted((s["type"], s["heat_metered"], (s.get("cop") or {}).get("source")) for s in d["systems"]))
             for name, d in CASES if name.startswith("generated")}
    assert len(kinds) >= 4  # the generated cases are varied
    how = [(s["heat_metered"], (s.get("cop") or {}).get("source")) for name, d in CASES if name.startswith("gen")
           for s in d["systems"]]
    assert (False, "onsite") in how and (False, "test_report") in how and (True, None) in how
    assert any(d.get("total_heat_meter") for name, d in CASES if name.startswith("gen"))
    assert any(any(a.get("served_by") for a in d["areas"]) for name, d in CASES if name.startswith("gen"))


@pytest.mark.parametrize("name", [name for name, _ in CASES])
def test_libreoffice_computes_every_result_the_core_computes(recalculated, name):
    data = dict(CASES)[name]
    decl, acc = _core(data)
    ws = load_workbook(recalculated[name], data_only=True)[L.S_CALC]
    expected = expected_cells(acc, decl)
    native = [e for e in expected if not e.addin]
    assert len(native) == len(L.LAYOUT.calc_checks) >= 19
    wrong = [(e.cell, e.label, display(ws[e.cell].value), display(e.value)) for e in native
             if not agrees(e.value, ws[e.cell].value)]
    assert wrong == []
    # without the add-in its column says #NAME? where it calls an HP_* function, else the core's value
    for e in expected:
        if e.addin:
            value = ws[e.cell].value
            assert value == "#NAME?" or agrees(e.value, value), (e.cell, value)
    # and the validator's comparison of what LibreOffice saved finds nothing wrong
    cached = {e.cell: _as_cached(ws[e.cell].value) for e in expected}
    findings = compare_cached(acc, decl, cached, L.S_CALC)
    assert [f.code for f in findings if f.code == "recompute.mismatch"] == []


def _as_cached(value) -> Cached:
    if isinstance(value, str) and value.startswith("#"):
        return Cached(True, error=value)
    if hasattr(value, "toordinal"):
        return Cached(True, value=float((value.date() if hasattr(value, "date") else value).toordinal()
                                        - date(1899, 12, 30).toordinal()))
    return Cached(True, value="" if value is None else value)


def test_leap_day_start_is_28_february_on_the_sheet(recalculated):
    ws = load_workbook(recalculated["leap-start"], data_only=True)[L.S_CALC]
    cells = L.LAYOUT.result_cells
    assert ws[cells["crediting_period_end"][1]].value.date() == date(2039, 2, 28)
    assert ws[cells["records_keep_until"][1]].value.date() == date(2044, 2, 28)


def test_exactly_ten_percent_needs_no_recheck_on_the_sheet(recalculated):
    ws = load_workbook(recalculated["exactly-10-percent"], data_only=True)[L.S_CALC]
    row = next(line.row for line in L.CALC_LINES if line.check == "recheck_needed")
    assert ws[f"E{row}"].value == "无需复核"


def test_negative_reductions_credit_nothing_on_the_sheet(recalculated):
    ws = load_workbook(recalculated["negative-er"], data_only=True)[L.S_CALC]
    cells = L.LAYOUT.result_cells
    assert ws[cells["emission_reductions_t"][1]].value < 0
    assert ws[cells["creditable_reductions_t"][1]].value == 0


def test_a_cop_measured_outside_the_season_counts_in_no_month_on_the_sheet(recalculated):
    """表8: the sheet's monthly on-site COP (AVERAGEIFS) leaves out a measurement dated outside the season, as
    the core does; so Q电 is the one worked by hand."""
    ws = load_workbook(recalculated["cop-outside-season"], data_only=True)[L.S_CALC]
    cop_column = L.CALC_MONTHLY_COLUMNS[HeatPumpType.air][1]
    rows = range(L.CALC_MONTHLY_FIRST_ROW, L.CALC_MONTHLY_FIRST_ROW + len(OUTSIDE_SEASON_MONTHLY_COP))
    assert {ws[f"A{r}"].value: ws[f"{cop_column}{r}"].value for r in rows} == pytest.approx(OUTSIDE_SEASON_MONTHLY_COP)
    assert ws[L.LAYOUT.result_cells["heat_elec_method_gj"][1]].value == pytest.approx(OUTSIDE_SEASON_Q_ELEC)
    _, acc = _core(_cop_outside_season())
    assert acc.results.heat_elec_method_gj == pytest.approx(OUTSIDE_SEASON_Q_ELEC)


@pytest.mark.parametrize("name", WITH_ADDIN)
def test_every_agree_cell_says_the_native_and_add_in_results_agree(recalculated, name):
    """With the add-in's values in its cells, every step's agree cell (G) and every filled row of the area
    block — the native table-2 lookup beside HP_Q_INDEX — says 一致, as LibreOffice computes them."""
    ws = load_workbook(recalculated[f"{name}-addin"], data_only=True)[L.S_CALC]
    steps = [line for line in L.CALC_LINES if line.addin]
    assert len(steps) >= 12 and any("HP_Q_INDEX" in line.formula_zh for line in steps)
    assert {f"{L.AGREE_COLUMN}{line.row}": ws[f"{L.AGREE_COLUMN}{line.row}"].value for line in steps} == {
        f"{L.AGREE_COLUMN}{line.row}": AGREE for line in steps}
    rows = [r for r in range(L.CALC_AREA_FIRST_ROW, L.CALC_AREA_FIRST_ROW + L.CALC_AREA_ROWS)
            if ws[f"{L.CALC_AREA_COLUMNS[0]}{r}"].value not in (None, "")]
    assert len(rows) == len(dict(CASES)[name]["areas"]) >= 1
    label, native_q, addin_q, agree = L.CALC_AREA_COLUMNS
    for r in rows:
        assert isinstance(ws[f"{native_q}{r}"].value, (int, float)) and ws[f"{agree}{r}"].value == AGREE, r
    # without the add-in (the plain copy) the block says so, row by row
    plain = load_workbook(recalculated[name], data_only=True)[L.S_CALC]
    assert [plain[f"{agree}{r}"].value for r in rows] == [NO_ADDIN] * len(rows)
