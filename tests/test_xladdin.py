"""The Excel add-in (xladdin/hpcarbon_udfs): worksheet functions, their xlwings registration, the
validation sub and the packaging — all without Excel.

* Values are called the way Excel hands them over (floats, None for blanks, 1-D/2-D lists, COM
  tuples, numbers stored as text, error values, datetimes). Expectations are written out again
  here from the methodology (SPEC §2, §4, §12) — never copied from the code's output.
* Registration: on Linux ``xw.func``/``xw.arg`` are no-ops, so the module is loaded a second time
  with xlwings' **own Windows decorators** (``xlwings.udfs``, importable here once its pywin32
  imports are stubbed — they are only used at call time). That yields the real ``__xlfunc__``
  metadata and lets xlwings' own ``generate_vba_wrapper`` write the VBA that *Import Functions*
  would put into the workbook.
* Conversion: xlwings' real conversion pipeline is run with the element cleaner of its Windows
  engine (``_clean_value_data_element`` etc., lifted from ``xlwings/_xlwindows.py`` by ``ast``
  because that module needs pywin32 to import), and the argument loop of ``udfs.call_udf``.
"""

from __future__ import annotations

import ast
import importlib.util
import io
import json
import math
import subprocess
import sys
import textwrap
import types
from datetime import date, datetime
from pathlib import Path

import hpcarbon_udfs
import pytest
import xlwings

from hpcarbon.findings import finding
from hpcarbon.report import Report
from hpcarbon.validator import FileResult

REPO = Path(__file__).resolve().parents[1]
U = hpcarbon_udfs

# Worked example, SPEC §12 (written out from the SPEC, not computed by the code under test).
W_SEASON = 320000.0
COP_REPORT = 2.4
AREA = 5000.0
HOURS = 288 + 720 + 744 + 744 + 672 + 744 + 120  # 4032 h
EF_HEAT, EF_ELEC, TD = 0.11, 0.4671, 4.37  # SPEC §4, V01 (in force for the 2024/25 season)
Q_ELEC = 320000 * 2.4 * 0.0036  # 2764.8 GJ
Q_AREA = 40 * 5000 * 4032 * 3.6e-6  # 2903.04 GJ
BE = 2764.8 * 0.11  # 304.128 t
PE = 320000 / (1 - 0.0437) * 1e-3 * 0.4671  # 156.30241556… t
ER = BE - PE  # 147.82558444… t

FUNCTIONS = {  # Excel name → argument names in order (fixed by the issue)
    "HP_HEAT_ELEC": ["W", "COP"],
    "HP_HEAT_AREA": ["q", "A", "t"],
    "HP_HEAT_CONSERVATIVE": ["Q_elec", "Q_area"],
    "HP_DEVIATION": ["Q_elec", "Q_area"],
    "HP_BASELINE": ["Qgs", "Qas", "Qws", "EF_heat"],
    "HP_PROJECT_EMISSIONS": ["Wgs", "Was", "Wws", "TD_percent", "EF_elec"],
    "HP_REDUCTION": ["BE", "PE"],
    "HP_CREDITABLE": ["ER"],
    "HP_Q_INDEX": ["building_type", "energy_saving"],
    "HP_PARAM": ["name", "season_start"],
    "HP_COP_MEAN": ["values"],
}
OPTIONAL = {"EF_heat", "TD_percent", "EF_elec", "season_start"}
RANGE_ARGS = {"W", "COP", "q", "A", "Qgs", "Qas", "Qws", "Wgs", "Was", "Wws", "values"}


def newest_parameter_file() -> dict:
    """The newest bundled parameter set, read straight from the JSON files (independent of
    hpcarbon.parameters)."""
    files = sorted((REPO / "src" / "hpcarbon" / "data" / "parameters").glob("*.json"))
    sets = [json.loads(p.read_text(encoding="utf-8")) for p in files]
    return max(sets, key=lambda s: s["effective_from"])


@pytest.fixture(autouse=True)
def _bundled_parameters_only(monkeypatch):
    monkeypatch.delenv("HPCARBON_PARAMETER_DIR", raising=False)


def is_message(result) -> bool:
    return isinstance(result, str) and result.startswith("#HP! ") and " / " in result


def assert_message(result, *fragments):
    assert is_message(result), result
    zh, en = result.split(" / ", 1)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), f"no Chinese half: {result}"
    assert any(ch.isascii() and ch.isalpha() for ch in en), f"no English half: {result}"
    for fragment in fragments:
        assert fragment in result, f"{fragment!r} not in {result!r}"


# ============================================================================ HP_HEAT_ELEC


def test_heat_elec_scalar_worked_example():
    assert U.HP_HEAT_ELEC(W_SEASON, COP_REPORT) == pytest.approx(Q_ELEC, rel=1e-12)
    assert U.HP_HEAT_ELEC(W_SEASON, COP_REPORT) == pytest.approx(2764.8, rel=1e-12)


@pytest.mark.parametrize("w, cop", [
    (320000, 2.4),                    # int from a literal
    ([[320000.0]], [[2.4]]),          # 1×1 ranges as ndim=2 delivers them
    ("320,000", "2.4"),               # numbers stored as text
    ("３２００００", "２．４"),          # full-width digits
    (((320000.0,),), ((2.4,),)),      # COM tuples
])
def test_heat_elec_value_shapes(w, cop):
    assert U.HP_HEAT_ELEC(w, cop) == pytest.approx(320000 * 2.4 * 0.0036, rel=1e-12)


def test_heat_elec_month_by_month():
    w = [[40000.0], [50000.0], [60000.0]]
    cop = [[2.0], [2.5], [3.0]]
    expected = 40000 * 2.0 * 0.0036 + 50000 * 2.5 * 0.0036 + 60000 * 3.0 * 0.0036  # 288 + 450 + 648
    assert U.HP_HEAT_ELEC(w, cop) == pytest.approx(1386.0, rel=1e-12)
    assert U.HP_HEAT_ELEC(w, cop) == pytest.approx(expected, rel=1e-12)
    # a row of months (1-D list), constant COP
    assert U.HP_HEAT_ELEC([40000.0, 50000.0, 60000.0], 2.4) == pytest.approx(150000 * 2.4 * 0.0036, rel=1e-12)
    # a 2-D block
    assert U.HP_HEAT_ELEC([[1000.0, 2000.0], [3000.0, 4000.0]], [[1.5, 2.0], [2.5, 3.0]]) == pytest.approx(
        (1000 * 1.5 + 2000 * 2.0 + 3000 * 2.5 + 4000 * 3.0) * 0.0036, rel=1e-12)


def test_heat_elec_blank_month_is_skipped_zero_is_a_reading():
    w = [[40000.0], [None], [0.0], [60000.0]]
    cop = [[2.0], [None], [None], [3.0]]  # no COP needed where there is no electricity
    assert U.HP_HEAT_ELEC(w, cop) == pytest.approx((40000 * 2.0 + 60000 * 3.0) * 0.0036, rel=1e-12)


def test_heat_elec_errors():
    assert U.HP_HEAT_ELEC(320000.0, 0.0) == "#HP! COP 必须大于 0 / COP must be > 0"
    assert_message(U.HP_HEAT_ELEC(320000.0, -2.4), "COP", "must be > 0")
    assert_message(U.HP_HEAT_ELEC(-1.0, 2.4), "W", "不能为负数", "must not be negative")
    assert_message(U.HP_HEAT_ELEC("abc", 2.4), "W", "不是数值", "is not a number", "'abc'")
    assert_message(U.HP_HEAT_ELEC(320000.0, None), "COP", "必须填写", "is required")
    assert_message(U.HP_HEAT_ELEC(None, 2.4), "W", "holds no values")
    assert_message(U.HP_HEAT_ELEC([[1.0], [2.0]], [[2.0], [None]]), "COP（第2行第1列）", "COP (row 2, col 1)", "blank")
    assert_message(U.HP_HEAT_ELEC([[1.0], ["#N/A"]], 2.4), "W（第2行第1列）", "W (row 2, col 1)", "#N/A")
    assert_message(U.HP_HEAT_ELEC([[1.0, 2.0]], [[2.0], [2.0]]), "W, COP", "1×2", "2×1", "shape")
    assert_message(U.HP_HEAT_ELEC(True, 2.4), "W", "TRUE")
    assert_message(U.HP_HEAT_ELEC(datetime(2024, 10, 20), 2.4), "W", "date")
    assert_message(U.HP_HEAT_ELEC([[1.0, 2.0], [3.0]], 2.4), "W", "rectangular")


# ============================================================================ HP_HEAT_AREA


def test_heat_area_worked_example():
    assert U.HP_HEAT_AREA(40.0, AREA, float(HOURS)) == pytest.approx(Q_AREA, rel=1e-12)
    assert U.HP_HEAT_AREA(40, 5000, 4032) == pytest.approx(2903.04, rel=1e-12)
    assert U.HP_HEAT_AREA("40", "5,000", "4,032") == pytest.approx(2903.04, rel=1e-12)


def test_heat_area_several_entries():
    q = [[40.0], [50.0], [None]]
    a = [[5000.0], [2000.0], [None]]  # an unused row of the area table
    expected = (40 * 5000 + 50 * 2000) * 4032 * 3.6e-6
    assert U.HP_HEAT_AREA(q, a, 4032.0) == pytest.approx(expected, rel=1e-12)
    # one q for every area entry
    assert U.HP_HEAT_AREA(40.0, [[3000.0], [2000.0]], 4032.0) == pytest.approx(40 * 5000 * 4032 * 3.6e-6, rel=1e-12)


def test_heat_area_errors():
    assert_message(U.HP_HEAT_AREA(0.0, 5000.0, 4032.0), "q", "必须大于 0", "must be > 0")
    assert_message(U.HP_HEAT_AREA(40.0, -5.0, 4032.0), "A", "must not be negative")
    assert_message(U.HP_HEAT_AREA(40.0, 5000.0, -1.0), "t", "must not be negative")
    assert_message(U.HP_HEAT_AREA(40.0, 5000.0, None), "t", "is required")
    assert_message(U.HP_HEAT_AREA(40.0, 5000.0, [[1.0, 2.0]]), "t", "single value")
    assert_message(U.HP_HEAT_AREA([[40.0], [None]], [[5000.0], [100.0]], 4032.0), "q (row 2, col 1)", "blank")
    assert_message(U.HP_HEAT_AREA([[40.0, 50.0]], [[5000.0], [100.0]], 4032.0), "shape")


# ============================================================================ conservative / deviation


def test_conservative_and_deviation_worked_example():
    assert U.HP_HEAT_CONSERVATIVE(2764.8, 2903.04) == 2764.8
    assert U.HP_HEAT_CONSERVATIVE("2903.04", [[2764.8]]) == 2764.8
    expected = (2903.04 - 2764.8) / 2764.8  # SPEC §12: 5.0 %
    assert U.HP_DEVIATION(2764.8, 2903.04) == pytest.approx(expected, rel=1e-12)
    assert U.HP_DEVIATION(2764.8, 2903.04) == pytest.approx(0.05, abs=1e-9)
    assert U.HP_DEVIATION(2903.04, 2764.8) == pytest.approx(expected, rel=1e-12)  # symmetric
    assert U.HP_DEVIATION(0.0, 0.0) == 0.0


def test_conservative_and_deviation_errors():
    assert_message(U.HP_DEVIATION(0.0, 10.0), "0")
    assert_message(U.HP_HEAT_CONSERVATIVE(-1.0, 10.0), "Q_elec", "must not be negative")
    assert_message(U.HP_HEAT_CONSERVATIVE(1.0, None), "Q_area", "is required")
    assert_message(U.HP_DEVIATION([[1.0, 2.0]], 3.0), "Q_elec", "single value")
    assert_message(U.HP_DEVIATION(1.0, "#DIV/0!"), "Q_area", "#DIV/0!")


# ============================================================================ HP_BASELINE / HP_PROJECT_EMISSIONS


def test_baseline_worked_example():
    assert U.HP_BASELINE(None, 2764.8, None, 0.11) == pytest.approx(BE, rel=1e-12)
    assert U.HP_BASELINE(None, 2764.8, None, 0.11) == pytest.approx(304.128, rel=1e-12)


def test_baseline_sums_ranges_and_treats_blanks_as_zero():
    result = U.HP_BASELINE([[100.0], [200.0], [None]], None, "50", 0.2)
    assert result == pytest.approx((100 + 200 + 50) * 0.2, rel=1e-12)
    assert U.HP_BASELINE([[None]], [[None]], [[None]], 0.11) == 0.0


def test_baseline_default_ef_heat_is_the_newest_parameter_set():
    ef = newest_parameter_file()["ef_heat"]["value"]
    assert U.HP_BASELINE(1000.0, 0.0, 0.0) == pytest.approx(1000 * ef, rel=1e-12)
    assert U.HP_BASELINE(1000.0, 0.0, 0.0, None) == pytest.approx(1000 * ef, rel=1e-12)
    assert U.HP_BASELINE(1000.0, 0.0, 0.0, "") == pytest.approx(1000 * ef, rel=1e-12)  # blank cell


def test_baseline_errors():
    assert_message(U.HP_BASELINE(-1.0, 0.0, 0.0, 0.11), "Qgs", "must not be negative")
    assert_message(U.HP_BASELINE(1.0, [[1.0], ["x"]], 0.0, 0.11), "Qas (row 2, col 1)", "'x'")
    assert_message(U.HP_BASELINE(1.0, 0.0, 0.0, 0.0), "EF_heat", "must be > 0")
    assert_message(U.HP_BASELINE(1.0, 0.0, 0.0, [[0.1, 0.2]]), "EF_heat", "single value")


def test_project_emissions_worked_example():
    result = U.HP_PROJECT_EMISSIONS(None, W_SEASON, None, TD, EF_ELEC)
    assert result == pytest.approx(PE, rel=1e-12)
    assert abs(result - 156.30241556) < 1e-8  # SPEC §12: 156.30241556…


def test_project_emissions_sums_all_types_and_months():
    result = U.HP_PROJECT_EMISSIONS([[1000.0], [2000.0]], [3000.0, None], "4,000", 5.0, 0.5)
    assert result == pytest.approx((1000 + 2000 + 3000 + 4000) / (1 - 5.0 / 100) * 1e-3 * 0.5, rel=1e-12)


def test_project_emissions_defaults_are_the_newest_parameter_set():
    newest = newest_parameter_file()
    td, ef = newest["td_percent"]["value"], newest["ef_elec"]["value"]
    expected = 10000 / (1 - td / 100) * 1e-3 * ef
    assert U.HP_PROJECT_EMISSIONS(10000.0, None, None) == pytest.approx(expected, rel=1e-12)
    assert U.HP_PROJECT_EMISSIONS(10000.0, None, None, None, None) == pytest.approx(expected, rel=1e-12)
    # TD given, EF_elec from the set
    assert U.HP_PROJECT_EMISSIONS(10000.0, None, None, 0.0) == pytest.approx(10000 * 1e-3 * ef, rel=1e-12)


def test_project_emissions_errors():
    assert_message(U.HP_PROJECT_EMISSIONS(1.0, 0.0, 0.0, 100.0), "TD_percent", "< 100")
    assert_message(U.HP_PROJECT_EMISSIONS(1.0, 0.0, 0.0, -1.0), "TD_percent", "≥ 0")
    assert_message(U.HP_PROJECT_EMISSIONS(1.0, 0.0, 0.0, "4.37%"), "TD_percent", "not a number")
    assert_message(U.HP_PROJECT_EMISSIONS(1.0, 0.0, 0.0, 4.37, 0.0), "EF_elec", "must be > 0")
    assert_message(U.HP_PROJECT_EMISSIONS(1.0, -5.0, 0.0), "Was", "must not be negative")
    assert_message(U.HP_PROJECT_EMISSIONS(1.0, 0.0, [["#REF!"]]), "Wws", "#REF!")


# ============================================================================ HP_REDUCTION / HP_CREDITABLE


def test_reduction_and_creditable_worked_example():
    er = U.HP_REDUCTION(BE, PE)
    assert er == pytest.approx(ER, rel=1e-12)
    assert abs(er - 147.82558444) < 1e-8  # SPEC §12: 147.82558444…
    assert U.HP_CREDITABLE(er) == 147.82
    assert U.HP_CREDITABLE(147.82558444) == 147.82


def test_reduction_may_be_negative_creditable_is_then_zero():
    er = U.HP_REDUCTION(100.0, 150.5)
    assert er == -50.5
    assert U.HP_CREDITABLE(er) == 0.0
    assert U.HP_CREDITABLE(0.0) == 0.0


@pytest.mark.parametrize("er, expected", [
    (147.829, 147.82),        # down, never up
    (147.83, 147.83),         # an exact hundredth stays
    (0.1 + 0.2, 0.30),        # 0.30000000000000004: float noise is not a reduction
    ("1,000.999", 1000.99),   # number stored as text
    (0.009, 0.0),
])
def test_creditable_rounds_down_to_hundredths(er, expected):
    assert U.HP_CREDITABLE(er) == expected


def test_reduction_and_creditable_errors():
    assert_message(U.HP_REDUCTION(-1.0, 1.0), "BE", "must not be negative")
    assert_message(U.HP_REDUCTION(1.0, None), "PE", "is required")
    assert_message(U.HP_CREDITABLE("#N/A"), "ER", "#N/A")
    assert_message(U.HP_CREDITABLE(None), "ER", "is required")
    assert_message(U.HP_CREDITABLE(math.inf), "ER", "finite")


# ============================================================================ HP_Q_INDEX


def _q_rows():
    return newest_parameter_file()["q_table"]["rows"]


@pytest.mark.parametrize("code", list(_q_rows()))
def test_q_index_every_row_by_label_and_code(code):
    row = _q_rows()[code]
    for label in (row["label_zh"], code, row["label_en"], row["label_zh"].replace("、", "，"),
                  row["label_zh"].replace("、", ","), f" {code.upper()} "):
        assert U.HP_Q_INDEX(label, True) == row["energy_saving"][0], label
        assert U.HP_Q_INDEX(label, False) == row["not_energy_saving"][0], label


def test_q_index_spec_table_values():
    # SPEC §4 (CJJ/T 34-2022 lower bounds) — valid while the newest set keeps that table
    assert U.HP_Q_INDEX("住宅", True) == 40
    assert U.HP_Q_INDEX("住宅", False) == 58
    assert U.HP_Q_INDEX("学校、办公", "采取节能措施") == 50
    assert U.HP_Q_INDEX("学校、办公", "未采取节能措施") == 60
    assert U.HP_Q_INDEX("大礼堂、体育馆", "否") == 115


@pytest.mark.parametrize("flag, saving", [
    (True, True), (False, False), (1.0, True), (0.0, False), ("是", True), ("否", False),
    ("yes", True), ("no", False), ("TRUE", True), ("FALSE", False), ("1", True), ("0", False),
    ("采取节能措施", True), ("未采取节能措施", False), ([[True]], True),
])
def test_q_index_energy_saving_spellings(flag, saving):
    assert U.HP_Q_INDEX("residential", flag) == (40 if saving else 58)


def test_q_index_errors():
    assert_message(U.HP_Q_INDEX("厂房", True), "building_type", "厂房", "住宅", "residential")
    assert_message(U.HP_Q_INDEX(None, True), "building_type", "is required")
    assert_message(U.HP_Q_INDEX("住宅", "maybe"), "energy_saving", "maybe")
    assert_message(U.HP_Q_INDEX("住宅", None), "energy_saving", "is required")
    assert_message(U.HP_Q_INDEX("#N/A", True), "building_type", "#N/A")
    assert_message(U.HP_Q_INDEX([["住宅", "商店"]], True), "building_type", "single value")


# ============================================================================ HP_PARAM


def test_param_in_force_for_the_worked_example_season():
    season = date(2024, 10, 20)
    serial = float((season - date(1899, 12, 30)).days)  # Excel 1900 date system
    assert U.HP_PARAM("EF_heat", datetime(2024, 10, 20)) == EF_HEAT
    assert U.HP_PARAM("EF_elec", season) == EF_ELEC
    assert U.HP_PARAM("TD", serial) == TD
    assert U.HP_PARAM("td_percent", "2024-10-20") == TD
    assert U.HP_PARAM("ＥＦ＿ｈｅａｔ", "2024/10/20") == EF_HEAT
    assert U.HP_PARAM("version", "2024年10月20日") == "V01"


def test_param_defaults_to_the_newest_set():
    newest = newest_parameter_file()
    assert U.HP_PARAM("EF_heat") == newest["ef_heat"]["value"]
    assert U.HP_PARAM("EF_elec", None) == newest["ef_elec"]["value"]
    assert U.HP_PARAM("TD", "") == newest["td_percent"]["value"]
    assert U.HP_PARAM("version") == newest["version"]


def test_param_errors():
    assert_message(U.HP_PARAM("COP"), "name", "'COP'", "EF_heat")
    assert_message(U.HP_PARAM(None), "name", "is required")
    assert_message(U.HP_PARAM("EF_heat", date(2020, 1, 1)), "season_start", "2020-01-01", "no parameter set")
    assert_message(U.HP_PARAM("EF_heat", "next winter"), "season_start", "not a date")
    assert_message(U.HP_PARAM("EF_heat", "#N/A"), "season_start", "#N/A")


# ============================================================================ HP_COP_MEAN


def test_cop_mean():
    assert U.HP_COP_MEAN([[2.0], [None], [3.0]]) == 2.5
    assert U.HP_COP_MEAN([2.1, 2.4, 2.7, None]) == pytest.approx((2.1 + 2.4 + 2.7) / 3, rel=1e-12)
    assert U.HP_COP_MEAN([["２.0", "3"], [None, "4"]]) == 3.0
    assert U.HP_COP_MEAN(2.4) == 2.4


def test_cop_mean_errors():
    assert_message(U.HP_COP_MEAN([[None], [None]]), "values", "no COP measurements")
    assert_message(U.HP_COP_MEAN([[2.0], [0.0]]), "values (row 2, col 1)", "must be > 0")
    assert_message(U.HP_COP_MEAN([[2.0], ["#N/A"]]), "values (row 2, col 1)", "#N/A")


# ============================================================================ never a traceback


def test_unexpected_failures_become_messages(monkeypatch):
    def broken(*_args):
        raise RuntimeError("boom")

    monkeypatch.setattr(U.formulas, "conservative_heat", broken)
    assert_message(U.HP_HEAT_CONSERVATIVE(1.0, 2.0), "RuntimeError", "boom", "internal error")


def test_non_finite_results_become_messages():
    assert_message(U.HP_HEAT_ELEC(1e308, 1e308), "out of range")


def test_functions_do_no_arithmetic_of_their_own():
    """Every * / + - between numbers must happen in hpcarbon.formulas (or sum_numbers): the UDF
    module's source has no arithmetic operator applied to the coerced values."""
    tree = ast.parse(Path(U.__file__).read_text(encoding="utf-8"))
    offenders = []
    for fn in (n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in FUNCTIONS):
        for node in ast.walk(fn):
            if isinstance(node, (ast.BinOp, ast.AugAssign)) and not isinstance(
                    getattr(node, "op", None), ast.Mod):
                offenders.append(f"{fn.name}: line {node.lineno}")
    assert offenders == []


# ============================================================================ xlwings registration (real Windows code)


class _ComRange:
    """What COM hands xlwings for a range argument: read by xlwings via ``raw_value``."""

    def __init__(self, raw_value):
        self.raw_value = raw_value


@pytest.fixture(scope="module")
def xlwin():
    """xlwings' Windows UDF machinery, importable on Linux: returns (udfs module, the UDF module
    loaded with its decorators, conversion, engine)."""
    stub_names = ["pythoncom", "pywintypes", "win32com", "win32com.client"]
    saved = {name: sys.modules.get(name) for name in stub_names + ["xlwings.udfs"]}
    saved_attrs = {name: getattr(xlwings, name) for name in ("func", "arg", "sub", "ret", "engines")}
    try:
        for name in stub_names:
            sys.modules[name] = types.ModuleType(name)
        sys.modules["pythoncom"].CoInitialize = lambda: None
        sys.modules["pywintypes"].com_error = Exception
        sys.modules["win32com.client"].Dispatch = None
        sys.modules.pop("xlwings.udfs", None)
        from xlwings import udfs

        # The Windows engine's value cleaning, taken from xlwings' own source.
        source = Path(xlwings.__file__).with_name("_xlwindows.py").read_text(encoding="utf-8")
        wanted = {"cell_errors", "_com_time_to_datetime", "_clean_value_data_element", "Engine"}
        body = [n for n in ast.parse(source).body
                if (isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name in wanted)
                or (isinstance(n, ast.Assign) and any(getattr(t, "id", None) in wanted for t in n.targets))]
        namespace = {"dt": __import__("datetime"), "time_types": (date, datetime), "np": None, "pd": None,
                     "base_classes": None}
        code = compile(ast.Module(body=body, type_ignores=[]), "xlwings/_xlwindows.py", "exec")
        exec(code, namespace)  # noqa: S102 - xlwings' own source, to run its Windows value cleaning
        from xlwings.main import Engine, Engines

        engine = Engine(impl=namespace["Engine"]())
        engines = Engines()
        engines.add(engine)
        xlwings.engines = engines
        xlwings.func, xlwings.arg, xlwings.sub, xlwings.ret = udfs.xlfunc, udfs.xlarg, udfs.xlsub, udfs.xlret

        spec = importlib.util.spec_from_file_location("hpcarbon_udfs_windows_registration", U.__file__)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        from xlwings import conversion

        yield types.SimpleNamespace(udfs=udfs, module=module, conversion=conversion, engine=engine)
    finally:
        for name, value in saved_attrs.items():
            setattr(xlwings, name, value)
        for name, value in saved.items():
            if value is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = value


def call_like_excel(xlwin, name, *args):
    """Call a UDF the way xlwings.udfs.call_udf does (its argument loop, then conversion.write)."""
    func = getattr(xlwin.module, name)
    info = func.__xlfunc__
    args = list(args)
    for i, arg in enumerate(args):
        arg_info = info["args"][min(i, len(info["args"]) - 1)]
        if isinstance(arg, int) and arg == -2147352572:  # COM's "missing argument"
            args[i] = arg_info.get("optional", None)
        elif isinstance(arg, _ComRange):
            rng = types.SimpleNamespace(
                raw_value=arg.raw_value, impl=types.SimpleNamespace(max_cells_per_read=None),
                sheet=types.SimpleNamespace(book=types.SimpleNamespace(app=types.SimpleNamespace(engine=xlwin.engine))))
            args[i] = xlwin.conversion.read(rng, None, arg_info["options"])
        else:
            args[i] = xlwin.conversion.read(None, arg, arg_info["options"])
    result = xlwin.conversion.write(func(*args), None, info["ret"]["options"])
    assert isinstance(result, list) and len(result) == 1 and len(result[0]) == 1
    return result[0][0]


MISSING = -2147352572
NA_ERROR = -2146826246  # how COM delivers #N/A in a cell


def test_registered_names_arguments_and_docs(xlwin):
    registered = {n: getattr(xlwin.module, n) for n in dir(xlwin.module)
                  if hasattr(getattr(xlwin.module, n), "__xlfunc__")}
    assert set(registered) == set(FUNCTIONS) | {"hp_validate_active_workbook"}
    for name, arg_names in FUNCTIONS.items():
        info = registered[name].__xlfunc__
        assert info["name"] == name
        assert info["sub"] is False
        assert info["category"] == "hpcarbon 热泵碳普惠"
        assert [a["name"] for a in info["args"]] == arg_names
        description = info["ret"]["doc"]
        assert len(description) <= 255, (name, len(description))  # Excel's MacroOptions limit
        assert "\n" not in description
        assert any("\u4e00" <= ch <= "\u9fff" for ch in description) and " / " in description
        assert any(mark in description for mark in ("§", "表", "SPEC")), name
        assert "[" in description or "[-]" in description, f"{name}: no unit"
        for arg in info["args"]:
            assert arg["options"].get("err_to_str") is True, (name, arg["name"])
            assert (arg["options"].get("ndim") == 2) == (arg["name"] in RANGE_ARGS), (name, arg["name"])
            assert ("optional" in arg) == (arg["name"] in OPTIONAL), (name, arg["name"])
            if "optional" in arg:
                assert arg["optional"] is None
            doc = arg["doc"]
            assert not doc.startswith("Positional argument"), (name, arg["name"])
            assert len(doc) <= 255, (name, arg["name"], len(doc))
            assert arg["name"].strip("[]") in doc and " / " in doc
            assert any("\u4e00" <= ch <= "\u9fff" for ch in doc), (name, arg["name"])
    sub = registered["hp_validate_active_workbook"].__xlfunc__
    assert sub["sub"] is True and sub["args"] == []


# VBA keywords that cannot name an argument (Microsoft, "Keywords (VBA)").
VBA_KEYWORDS = {
    "as", "binary", "byref", "byval", "date", "else", "empty", "error", "false", "for", "friend", "get", "input",
    "is", "len", "let", "lock", "me", "mid", "new", "next", "nothing", "null", "on", "option", "optional",
    "paramarray", "print", "private", "property", "ptrsafe", "public", "resume", "seek", "set", "static", "step",
    "string", "then", "time", "to", "true", "withevents", "and", "or", "not", "xor", "eqv", "imp", "mod", "like",
    "dim", "sub", "function", "end", "if",
}


def test_generated_vba_is_what_import_functions_writes(xlwin):
    buffer = io.StringIO()
    workbook = types.SimpleNamespace(Name="申报表.xlsm")
    xlwin.udfs.generate_vba_wrapper("hpcarbon_udfs", xlwin.module, buffer, workbook)
    vba = buffer.getvalue()
    for name, arg_names in FUNCTIONS.items():
        signature = ", ".join(f"Optional {a}" if a in OPTIONAL else a for a in arg_names)
        assert f"Function {name}({signature})" in vba
        assert f'{name} = XLPy.CallUDF("hpcarbon_udfs", "{name}", Array({", ".join(arg_names)}), ThisWorkbook' in vba
        assert not {a.lower() for a in arg_names} & VBA_KEYWORDS
    assert "Sub hp_validate_active_workbook()" in vba
    assert 'XLPy.CallUDF "hpcarbon_udfs", "hp_validate_active_workbook", Array()' in vba


def test_lower_cased_names_reach_the_same_python_functions(xlwin):
    """LibreOffice saves the add-in's functions lower-cased (hp_param …; tests/test_workbook_soffice.py). In
    Excel a formula's function name is looked up case-blind among the VBA Functions that Import Functions
    wrote (VBA identifiers are case-insensitive), and each of those passes the Python function's registered
    name to XLPy.CallUDF as a literal: the cell's spelling never reaches Python, and nothing in the add-in
    matches names. Resolved here as Excel does: every lower-cased name is exactly one VBA Function, which
    calls the function of that name."""
    import re

    buffer = io.StringIO()
    xlwin.udfs.generate_vba_wrapper("hpcarbon_udfs", xlwin.module, buffer, types.SimpleNamespace(Name="申报表.xlsm"))
    bodies = dict(re.findall(r"^Function (\w+)\(.*?\n(.*?)^End Function", buffer.getvalue(), re.M | re.S))
    for name in FUNCTIONS:
        (declared,) = [f for f in bodies if f.casefold() == name.lower().casefold()]
        (target,) = set(re.findall(r'XLPy\.CallUDF\("hpcarbon_udfs", "(\w+)"', bodies[declared]))  # each host
        assert target == name and callable(getattr(xlwin.module, target))
    assert call_like_excel(xlwin, "HP_Q_INDEX", "住宅", "是") == 40  # hp_q_index(…) in a cell: table 2, 40 W/m²


def test_worked_example_through_xlwings_conversion(xlwin):
    # monthly W as a column (COM: tuple of 1-tuples), season COP as a literal
    months = ((40000.0,), (50000.0,), (50000.0,), (50000.0,), (50000.0,), (50000.0,), (30000.0,))
    q_elec = call_like_excel(xlwin, "HP_HEAT_ELEC", _ComRange(months), 2.4)
    assert q_elec == pytest.approx(2764.8, rel=1e-12)
    q_index = call_like_excel(xlwin, "HP_Q_INDEX", "住宅", True)
    q_area = call_like_excel(xlwin, "HP_HEAT_AREA", q_index, 5000.0, _ComRange(4032.0))
    assert q_area == pytest.approx(2903.04, rel=1e-12)
    q = call_like_excel(xlwin, "HP_HEAT_CONSERVATIVE", q_elec, q_area)
    season = _ComRange(datetime(2024, 10, 20))  # a date cell
    ef_heat = call_like_excel(xlwin, "HP_PARAM", "EF_heat", season)
    be = call_like_excel(xlwin, "HP_BASELINE", _ComRange(None), q, _ComRange(None), ef_heat)
    assert be == pytest.approx(304.128, rel=1e-12)
    td = call_like_excel(xlwin, "HP_PARAM", "TD", season)
    ef_elec = call_like_excel(xlwin, "HP_PARAM", "EF_elec", season)
    pe = call_like_excel(xlwin, "HP_PROJECT_EMISSIONS", _ComRange(None), _ComRange(months), _ComRange(None), td, ef_elec)
    assert abs(pe - 156.30241556) < 1e-8
    er = call_like_excel(xlwin, "HP_REDUCTION", be, pe)
    assert abs(er - 147.82558444) < 1e-8
    assert call_like_excel(xlwin, "HP_CREDITABLE", er) == 147.82


def test_missing_and_blank_optional_arguments_through_xlwings(xlwin):
    ef = newest_parameter_file()["ef_heat"]["value"]
    assert call_like_excel(xlwin, "HP_BASELINE", 100.0, MISSING, MISSING, MISSING) == pytest.approx(100 * ef)
    assert call_like_excel(xlwin, "HP_BASELINE", 100.0, 0.0, 0.0, _ComRange(None)) == pytest.approx(100 * ef)


def test_error_cells_are_reported_not_read_as_blank(xlwin):
    # Without err_to_str xlwings turns an error cell into None — a missing month would pass unseen:
    assert xlwin.conversion.read(None, NA_ERROR, {}) is None
    # with the add-in's options the error is named, with its position in the range:
    result = call_like_excel(xlwin, "HP_HEAT_ELEC", _ComRange(((40000.0,), (NA_ERROR,))), 2.4)
    assert_message(result, "W（第2行第1列）", "W (row 2, col 1)", "#N/A")
    assert_message(call_like_excel(xlwin, "HP_CREDITABLE", NA_ERROR), "ER", "#N/A")


def test_text_numbers_dates_and_blanks_through_xlwings(xlwin):
    cells = _ComRange((("40,000",), (None,), ("５００００",)))
    assert call_like_excel(xlwin, "HP_HEAT_ELEC", cells, _ComRange((("2.0",), (None,), (3.0,)))) == pytest.approx(
        (40000 * 2.0 + 50000 * 3.0) * 0.0036, rel=1e-12)
    assert_message(call_like_excel(xlwin, "HP_HEAT_ELEC", _ComRange(datetime(2024, 1, 1)), 2.4), "W", "date")
    assert call_like_excel(xlwin, "HP_COP_MEAN", _ComRange(((2.0, None), (None, 3.0)))) == 2.5


# ============================================================================ the validation sub


class FakeSheet:
    def __init__(self, name):
        self.name, self.cells, self.cleared, self.active = name, None, 0, False

    def clear_contents(self):
        self.cleared += 1
        self.cells = None

    def range(self, address):
        sheet = self

        class _Range:
            @property
            def value(self):
                return sheet.cells

            @value.setter
            def value(self, rows):
                assert address == "A1"
                sheet.cells = rows

        return _Range()

    def activate(self):
        self.active = True


class FakeSheets:
    """The part of xlwings' Sheets the sub uses: iteration, [name], [index], len(), add()."""

    def __init__(self, names):
        self.items = [FakeSheet(n) for n in names]

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    def __getitem__(self, key):
        if isinstance(key, int):
            return self.items[key]
        return next(s for s in self.items if s.name == key)

    def add(self, name=None, before=None, after=None):
        sheet = FakeSheet(name)
        self.items.insert(self.items.index(after) + 1, sheet)
        return sheet


def fake_book(path, sheets=("申报表", "计算")):
    return types.SimpleNamespace(fullname=str(path), sheets=FakeSheets(sheets))


@pytest.fixture
def saved_workbook(tmp_path):
    path = tmp_path / "申报表.xlsm"
    path.write_bytes(b"not really a workbook")
    return path


def test_validation_asks_to_save_first(tmp_path):
    book = fake_book(tmp_path / "Book1")  # an unsaved workbook has no file
    rows = U.write_validation_results(book)
    sheet = book.sheets[U.RESULTS_SHEET]
    assert sheet.cells == rows and sheet.active
    assert_message(rows[1][0], "save the workbook first")


def test_validation_writes_findings(saved_workbook, monkeypatch):
    found = [
        finding("monthly.missing_month", month="2025-01").located("月度数据", "C9"),
        finding("reductions.negative", er=-3.5),
    ]
    calls = []

    def validate_file(path):
        calls.append(path)
        return FileResult(Path(path), Report(found, meta={"sha256": "ab" * 32}), unreadable=False)

    monkeypatch.setitem(sys.modules, "hpcarbon.validator", types.SimpleNamespace(validate_file=validate_file))
    book = fake_book(saved_workbook, sheets=("申报表", U.RESULTS_SHEET, "计算"))
    rows = U.write_validation_results(book)
    assert calls == [str(saved_workbook)]
    sheet = book.sheets[U.RESULTS_SHEET]
    assert sheet.cleared == 1 and sheet.cells == rows  # the existing results sheet is reused
    assert [s.name for s in book.sheets] == ["申报表", U.RESULTS_SHEET, "计算"]
    assert rows[0][3:5] == ["fail", "ab" * 32]
    assert rows[1][:3] == ["严重程度 severity", "代码 code", "条款 clause"]
    assert rows[2][:5] == ["error", "monthly.missing_month", "表5–表11", "月度数据", "C9"]
    assert "2025-01" in rows[2][5] and " / " in rows[2][5]
    assert rows[3][:5] == ["warning", "reductions.negative", "6.4", None, None]
    assert len({len(r) for r in rows}) == 1  # rectangular, as Excel needs


def test_validation_with_no_findings_and_a_failing_validator(saved_workbook, monkeypatch):
    monkeypatch.setitem(sys.modules, "hpcarbon.validator", types.SimpleNamespace(
        validate_file=lambda p: FileResult(Path(p), Report([]), unreadable=False)))
    rows = U.write_validation_results(fake_book(saved_workbook))
    assert rows[-1][-1] == "未发现问题 / no findings"

    def broken(path):
        raise OSError("disk on fire")

    monkeypatch.setitem(sys.modules, "hpcarbon.validator", types.SimpleNamespace(validate_file=broken))
    rows = U.write_validation_results(fake_book(saved_workbook))
    assert_message(rows[1][0], "OSError", "disk on fire")


def test_validation_with_the_real_validator(saved_workbook, tmp_path):
    rows = U.write_validation_results(fake_book(saved_workbook))
    # "not really a workbook" cannot pass
    assert rows[0][3] == "fail"
    assert any(r[1] == "file.not_xlsx" and r[0] == "error" for r in rows[2:])

    example = tmp_path / "example.xlsx"
    example.write_bytes((Path(__file__).parents[1] / "workbook_templates/examples/example-declaration.xlsx").read_bytes())
    rows = U.write_validation_results(fake_book(example))
    assert rows[0][3] == "pass"
    values = {r[0]: r[1] for r in rows if len(r) > 1}
    # SPEC §12: Q = 320 000 kWh × 2.4 × 0.0036; ER = BE − PE, credited down to 0.01 t
    assert values["heat_supplied_gj"] == pytest.approx(320000 * 2.4 * 0.0036, rel=1e-12)
    assert values["emission_reductions_t"] == pytest.approx(
        320000 * 2.4 * 0.0036 * 0.11 - 320000 / (1 - 0.0437) * 1e-3 * 0.4671, rel=1e-12)
    assert values["creditable_reductions_t"] == 147.82


# ============================================================================ packaging


def test_package_is_importable_as_hpcarbon_udfs():
    assert hpcarbon_udfs.__name__ == "hpcarbon_udfs"
    assert set(hpcarbon_udfs.__all__) == set(FUNCTIONS) | {"hp_validate_active_workbook"}
    assert Path(hpcarbon_udfs.__file__).parts[-2:] == ("hpcarbon_udfs", "__init__.py")


def test_normal_install_ships_the_addin_and_every_hpcarbon_package():
    """What ``pip install .`` copies, as setuptools computes it from pyproject.toml."""
    script = textwrap.dedent("""
        import json
        from setuptools.dist import Distribution
        from setuptools.config.pyprojecttoml import apply_configuration
        dist = apply_configuration(Distribution(), "pyproject.toml")
        dist.script_name = "setup.py"  # build_py excludes the setup script by this name; there is none
        build_py = dist.get_command_obj("build_py")
        build_py.ensure_finalized()
        print(json.dumps({"packages": dist.packages,
                          "modules": [[p, m, f] for p, m, f in build_py.find_all_modules()]}))
    """)
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", script], cwd=REPO, capture_output=True, text=True,
                         check=False)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout.strip().splitlines()[-1])
    assert "hpcarbon_udfs" in data["packages"]
    files = {Path(f).as_posix() for _, _, f in data["modules"]}
    assert "xladdin/hpcarbon_udfs/__init__.py" in files
    assert "src/hpcarbon/excel_values.py" in files
    # every package under src/ is still found automatically
    src_packages = {".".join(p.relative_to(REPO / "src").parent.parts)
                    for p in (REPO / "src").rglob("__init__.py")}
    assert src_packages <= set(data["packages"])


def test_xlwings_conf_template():
    raw = (REPO / "xladdin" / "xlwings.conf").read_bytes()
    raw.decode("ascii")  # VBA reads it as ANSI: keep it ASCII
    lines = raw.decode().splitlines()
    settings = dict(line.strip().strip('"').split('","') for line in lines if line.strip())
    assert settings["UDF MODULES"] == "hpcarbon_udfs"
    assert settings["INTERPRETER_WIN"].endswith(r"\Scripts\python.exe")
    assert settings["INTERPRETER_MAC"].endswith("/bin/python")


def test_install_guide_covers_the_steps():
    guide = (REPO / "xladdin" / "INSTALL.md").read_text(encoding="utf-8")
    for must in ("pip install", "xlwings addin install", "UDF Modules", "hpcarbon_udfs", "Import Functions",
                 "Trust access to the VBA project object model", "信任对 VBA 工程对象模型的访问",
                 "Restart UDF Server", "macOS", "xlwings Lite", "hp_validate_active_workbook", *FUNCTIONS):
        assert must in guide, must
