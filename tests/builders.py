"""Shared builders for the engine tests: the SPEC §12 example as a dict, and small helpers to
derive full declarations from it. Nothing here computes an expected result — tests do that.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from hpcarbon import rules
from hpcarbon.accounting import compute
from hpcarbon.declaration_io import declaration_from_data
from hpcarbon.model import Declaration

ROOT = Path(__file__).resolve().parents[1]
#: The bundled copy of shared/methodology/example-declaration.json (test_example_copy checks they agree).
EXAMPLE_PATH = ROOT / "workbook_templates" / "examples" / "example-declaration.json"
#: The team's shared original, beside the checkout (present on developer machines and in CI).
SHARED_EXAMPLE_PATH = ROOT.parent / "shared" / "methodology" / "example-declaration.json"
_EXAMPLE_TEXT = EXAMPLE_PATH.read_text(encoding="utf-8")

#: SPEC §12 electricity per month of the example (kWh), in season order, Σ = 320 000.
EXAMPLE_KWH = [16000, 46000, 62000, 66000, 56000, 64000, 10000]
#: Heating hours of the example's months: Oct 20–31 = 12 d, Nov 30 d, Dec 31, Jan 31, Feb 28, Mar 31, Apr 1–5 = 5 d.
EXAMPLE_HOURS = [12 * 24, 30 * 24, 31 * 24, 31 * 24, 28 * 24, 31 * 24, 5 * 24]
EXAMPLE_MONTHS = ["2024-10", "2024-11", "2024-12", "2025-01", "2025-02", "2025-03", "2025-04"]

# V01 (SPEC §4) written out again here, independent of the data file.
EF_HEAT = 0.11
EF_ELEC = 0.4671
TD = 4.37


def example() -> dict:
    """A fresh deep copy of the example declaration (SPEC §11/§12)."""
    return json.loads(_EXAMPLE_TEXT)


def load(d: dict) -> Declaration:
    """The declaration model of a dict; fails the test loudly when the dict is not a valid declaration."""
    loaded = declaration_from_data(copy.deepcopy(d))
    assert loaded.declaration is not None, [f.bilingual() for f in loaded.findings]
    return loaded.declaration


def account(d: dict):
    return compute(load(d))


def results(d: dict):
    acc = account(d)
    assert acc.results is not None
    return acc.results


def lacked(acc) -> list:
    """Every input some result of the accounting ``acc`` lacks, once each, in order."""
    return list(dict.fromkeys(m for ms in acc.results.unavailable.values() for m in ms))


def findings(d: dict):
    return rules.check(load(d))


def codes(d: dict) -> set[str]:
    return {f.code for f in findings(d)}


def only(found, code: str):
    """The findings of one code."""
    return [f for f in found if f.code == code]


# --- path helpers -------------------------------------------------------------------------------
_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _tokens(path: str):
    return [int(i) if i else k for k, i in _TOKEN.findall(path)]


def get(d, path: str):
    for t in _tokens(path):
        d = d[t]
    return d


def put(d, path: str, value):
    """Set a value by JSON path, e.g. ``put(d, "monthly[2].electricity_kwh.air", 0)``; returns ``d``."""
    *head, last = _tokens(path)
    get_target = d
    for t in head:
        get_target = get_target[t]
    get_target[last] = value
    return d


def drop(d, path: str):
    """Delete a key (or list item) by JSON path; returns ``d``."""
    *head, last = _tokens(path)
    target = d
    for t in head:
        target = target[t]
    del target[last]
    return d


# --- declaration variants ---------------------------------------------------------------------
def set_electricity(d: dict, kind: str, kwh: list[float]) -> dict:
    for rec, w in zip(d["monthly"], kwh, strict=True):
        rec["electricity_kwh"][kind] = w
    return d


def set_heat(d: dict, kind: str, gj: list[float]) -> dict:
    for rec, q in zip(d["monthly"], gj, strict=True):
        rec["heat_gj"][kind] = q
    return d


def ground_example() -> dict:
    """The example turned into a ground-source (buried pipe) project with COP 3.0 and W = 256 000 kWh
    (each month × 0.8), so Q_elec = 256 000 × 3.0 × 0.0036 = 2 764.8 GJ, exactly the example's."""
    d = example()
    s = d["systems"][0]
    s["type"] = "ground"
    s["subtype"] = "buried_pipe"
    s["cop"]["report_value"] = 3.0
    for rec, w in zip(d["monthly"], [12800, 36800, 49600, 52800, 44800, 51200, 8000], strict=True):
        rec["electricity_kwh"] = {"ground": w}
    return d


#: Heat meter readings (GJ) used for a metered ground type; Σ = 50+300+450+480+400+350+40 = 2 070 GJ.
GROUND_HEAT_GJ = [50, 300, 450, 480, 400, 350, 40]
#: Ground electricity for the metered cases; Σ = 4 000+25 000+38 000+40 000+33 000+28 000+2 000 = 170 000 kWh.
GROUND_KWH = [4000, 25000, 38000, 40000, 33000, 28000, 2000]


def metered_ground() -> dict:
    """Case (a): a ground-source project with its own heat meter, no estimate needed."""
    d = example()
    d["systems"] = [{
        "type": "ground", "subtype": "buried_pipe", "heat_metered": True,
        "electricity_meter": {"id": "EM-G1", "verified_on": "2024-09-15"},
        "heat_meter": {"id": "HM-G1", "verified_on": "2024-09-01"},
        "cop": None,
    }]
    for rec in d["monthly"]:
        rec["electricity_kwh"] = {}
    set_electricity(d, "ground", GROUND_KWH)
    set_heat(d, "ground", GROUND_HEAT_GJ)
    d["areas"] = []
    return d


#: Total-output meter readings (GJ) for the coupled case; Σ = 120+380+560+600+500+470+70 = 2 700 GJ.
TOTAL_HEAT_GJ = [120, 380, 560, 600, 500, 470, 70]


def coupled_total_meter() -> dict:
    """Case (b): ground + air coupled, one total-output heat meter covering both."""
    d = example()
    d["systems"] = [
        {"type": "ground", "subtype": "groundwater", "heat_metered": False,
         "electricity_meter": {"id": "EM-G1", "verified_on": "2024-09-15"}, "cop": None},
        {"type": "air", "heat_metered": False,
         "electricity_meter": {"id": "EM-A1", "verified_on": "2024-09-15"}, "cop": None},
    ]
    d["total_heat_meter"] = {"covers": ["ground", "air"], "id": "HM-T1", "verified_on": "2024-08-01"}
    for rec in d["monthly"]:
        rec["electricity_kwh"] = {}
    set_electricity(d, "ground", GROUND_KWH)
    set_electricity(d, "air", [8000, 23000, 31000, 33000, 28000, 32000, 5000])  # Σ 160 000
    for rec, q in zip(d["monthly"], TOTAL_HEAT_GJ, strict=True):
        rec["total_heat_gj"] = q
    d["areas"] = []
    return d


#: Air electricity of the mixed case; Σ = 8+23+31+33+28+32+5 thousand = 160 000 kWh.
MIXED_AIR_KWH = [8000, 23000, 31000, 33000, 28000, 32000, 5000]


def mixed() -> dict:
    """Case (c): ground metered (own heat meter), air unmetered (test report COP 2.4);
    areas: 3 000 m² residential served by ground, 2 000 m² school/office (energy-saving) served by air."""
    d = metered_ground()
    d["systems"].append({
        "type": "air", "heat_metered": False,
        "electricity_meter": {"id": "EM-A1", "verified_on": "2024-09-15"},
        "cop": {"source": "test_report", "report_value": 2.4, "report_no": "JC-2023-0456", "measurements": []},
    })
    set_electricity(d, "air", MIXED_AIR_KWH)
    d["areas"] = [
        {"building_type": "residential", "energy_saving": True, "area_m2": 3000, "served_by": ["ground"]},
        {"building_type": "school_office", "energy_saving": True, "area_m2": 2000, "served_by": ["air"]},
    ]
    return d


def _m(day: str, value: float, temp: float, condition: str | None = None, extreme: bool = False) -> dict:
    out = {"date": day, "value": value, "outdoor_temp_c": temp, "extreme_weather": extreme}
    if condition:
        out["condition"] = condition
    return out


def onsite_measurements() -> list[dict]:
    """表8 frequencies: Oct 1, Nov 2, Dec 3, Jan 3+1 (extreme weather), Feb 3, Mar 2, Apr 1.
    Monthly means: Oct 3.0, Nov (2.6+2.4)/2 = 2.5, Dec (2.1+2.0+1.9)/3 = 2.0, Jan (1.8+2.0+1.9+2.1)/4 = 1.95,
    Feb (2.2+2.0+2.1)/3 = 2.1, Mar (2.5+2.7)/2 = 2.6, Apr 3.2."""
    return [
        _m("2024-10-25", 3.0, 2.0, "mild"),
        _m("2024-11-08", 2.6, -5.0, "normal"), _m("2024-11-22", 2.4, -9.0, "normal"),
        _m("2024-12-05", 2.1, -14.0, "severe"), _m("2024-12-15", 2.0, -18.0, "severe"),
        _m("2024-12-25", 1.9, -20.0, "severe"),
        _m("2025-01-05", 1.8, -24.0, "severe", extreme=True), _m("2025-01-12", 2.0, -17.0, "severe"),
        _m("2025-01-19", 1.9, -19.0, "severe"), _m("2025-01-26", 2.1, -15.0, "severe"),
        _m("2025-02-05", 2.2, -13.0, "severe"), _m("2025-02-15", 2.0, -16.0, "severe"),
        _m("2025-02-25", 2.1, -10.0, "severe"),
        _m("2025-03-10", 2.5, -4.0, "normal"), _m("2025-03-24", 2.7, 1.0, "normal"),
        _m("2025-04-03", 3.2, 6.0, "mild"),
    ]


def onsite() -> dict:
    """Case (d): air, COP from on-site measurement, January with extreme weather; 4 700 m² residential."""
    d = example()
    d["systems"][0]["cop"] = {"source": "onsite", "report_value": None, "report_no": None,
                              "measurements": onsite_measurements()}
    d["monthly"][3]["extreme_weather"] = True
    d["areas"][0]["area_m2"] = 4700
    return d


def shift_years(d: dict, years: int) -> dict:
    """Move the season, its months, meter verifications and COP measurements by whole years."""
    def sh(day: str | None) -> str | None:
        if day is None:
            return None
        x = date.fromisoformat(day)
        return x.replace(year=x.year + years).isoformat()

    d["season"] = {"start": sh(d["season"]["start"]), "end": sh(d["season"]["end"])}
    for rec in d["monthly"]:
        y, m = rec["month"].split("-")
        rec["month"] = f"{int(y) + years:04d}-{m}"
    for s in d["systems"]:
        for key in ("electricity_meter", "heat_meter"):
            if s.get(key):
                s[key]["verified_on"] = sh(s[key]["verified_on"])
        if s.get("cop"):
            for m in s["cop"]["measurements"]:
                m["date"] = sh(m["date"])
    if d.get("total_heat_meter"):
        d["total_heat_meter"]["verified_on"] = sh(d["total_heat_meter"]["verified_on"])
    return d


# --- independent arithmetic -------------------------------------------------------------------
def pe_formula(kwh: float, td: float = TD, ef: float = EF_ELEC) -> float:
    """Formula (4) written out again from SPEC §2."""
    return kwh / (1 - td / 100) * 1e-3 * ef


def floor_cents(x) -> float:
    """SPEC §9 creditable amount computed with exact rationals: floor(ER × 100) / 100, 0 when ER ≤ 0."""
    import math as _m
    from fractions import Fraction
    fx = Fraction(x) if not isinstance(x, Fraction) else x
    if fx <= 0:
        return 0.0
    return _m.floor(fx * 100) / 100


def iso7064_mod11_2(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character, written from the standard: the 18 characters a_18 … a_1
    (a_1 = the check) satisfy Σ a_i × 2^(i−1) ≡ 1 (mod 11), with X standing for 10."""
    total = sum(int(ch) * pow(2, 17 - pos, 11) for pos, ch in enumerate(first17))  # a_i weights, i = 18 − pos
    for check in range(11):
        if (total + check) % 11 == 1:
            return "X" if check == 10 else str(check)
    raise AssertionError("unreachable")


def gb32100_check(first17: str) -> str:
    """GB 32100-2015 check character, written from the standard: weights W_i = 3^(i−1) mod 31,
    C18 = 31 − (Σ C_i × W_i mod 31), 31 → 0; characters map to 0–30 over 0-9 A-H J-N P-R T U W-Y."""
    charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    total = sum(charset.index(ch) * pow(3, i, 31) for i, ch in enumerate(first17))
    return charset[(31 - total % 31) % 31]


@dataclass
class InProcessRun:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_in_process(*args) -> InProcessRun:
    """``hpcarbon ARGS`` in this process (``cli.main``, what the console script calls): the outputs and exit
    status a user sees, without a child interpreter's start-up where the entry point is not the subject."""
    from hpcarbon import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main([str(a) for a in args])
        except SystemExit as exc:  # argparse: usage errors and --help
            code = exc.code
    return InProcessRun(int(code), out.getvalue(), err.getvalue())
