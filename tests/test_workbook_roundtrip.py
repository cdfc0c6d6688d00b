"""JSON → fill → read → JSON is the identity (``model.declaration_to_json``), for the examples and
for any model-valid declaration the workbook can hold."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hpcarbon.model import (
    BuildingType,
    CopSource,
    Declaration,
    District,
    GroundSubtype,
    HeatPumpType,
    OwnerType,
    WorkingCondition,
    declaration_to_json,
)
from hpcarbon.workbook import layout as L
from hpcarbon.workbook.fill import fill_bytes
from hpcarbon.workbook.reader import read_workbook

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "workbook_templates" / "examples").glob("*.json"))
SHARED_EXAMPLE = ROOT.parent / "shared" / "methodology" / "example-declaration.json"


def roundtrip(data: dict, tmp_path: Path, name: str = "rt.xlsx"):
    target = tmp_path / name
    target.write_bytes(fill_bytes(data))
    return read_workbook(target)


@pytest.mark.parametrize("source", EXAMPLES + ([SHARED_EXAMPLE] if SHARED_EXAMPLE.exists() else []),
                         ids=lambda p: p.parent.name + "/" + p.stem)
def test_examples_round_trip(source, tmp_path):
    data = json.loads(source.read_text("utf-8"))
    expected = declaration_to_json(Declaration.model_validate(data))
    result = roundtrip(data, tmp_path)
    assert result.findings == []
    assert result.template_version == L.TEMPLATE_VERSION
    assert declaration_to_json(result.declaration) == expected


def test_provenance_agrees_with_cell_of_for_filled_workbooks(tmp_path):
    data = json.loads((ROOT / "workbook_templates/examples/example-coupled-total-meter.json").read_text("utf-8"))
    decl = Declaration.model_validate(data)
    result = roundtrip(data, tmp_path)
    assert result.provenance
    for path, where in result.provenance.items():
        assert L.cell_of(path, decl) == where, path


# --- any model-valid declaration ---------------------------------------------------------------

_text = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Lo", "Nd")), min_size=1, max_size=20)
_nonneg = st.floats(min_value=0.0, max_value=1e9, allow_nan=False, allow_infinity=False)
_positive = st.floats(min_value=1e-6, max_value=99.0, allow_nan=False, allow_infinity=False)
_dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31))
_types = st.lists(st.sampled_from(list(HeatPumpType)), unique=True, min_size=1, max_size=3).map(
    lambda ts: sorted(ts, key=L.TYPES.index))
def _maybe(s):
    return st.one_of(st.none(), s)


@st.composite
def declarations(draw):
    types = draw(_types)
    systems = []
    for t in types:
        cop = draw(_maybe(st.fixed_dictionaries({
            "source": st.sampled_from([c.value for c in CopSource]),
            "report_value": _maybe(_positive), "report_no": _maybe(_text),
            "measurements": st.lists(st.fixed_dictionaries({
                "date": _dates.map(date.isoformat), "value": _positive,
                "outdoor_temp_c": _maybe(st.floats(min_value=-60, max_value=50, allow_nan=False)),
                "condition": _maybe(st.sampled_from([c.value for c in WorkingCondition])),
                "extreme_weather": st.booleans()}), max_size=4)})))
        meter = st.fixed_dictionaries({"id": _text, "verified_on": _maybe(_dates.map(date.isoformat))})
        system = {"type": t.value, "heat_metered": draw(st.booleans()),
                  "electricity_meter": draw(_maybe(meter)), "heat_meter": draw(_maybe(meter)), "cop": cop}
        if t is HeatPumpType.ground:
            system["subtype"] = draw(_maybe(st.sampled_from([g.value for g in GroundSubtype])))
        systems.append(system)
    readings = st.dictionaries(st.sampled_from([t.value for t in HeatPumpType]), _nonneg, max_size=3)
    monthly = draw(st.lists(st.fixed_dictionaries({
        "month": st.from_regex(r"20[0-9]{2}-(0[1-9]|1[0-2])", fullmatch=True),
        "heating_hours": st.floats(min_value=0, max_value=744, allow_nan=False),
        "outage_hours": st.floats(min_value=0, max_value=100, allow_nan=False),
        "extreme_weather": st.booleans(), "electricity_kwh": readings, "heat_gj": readings,
        "total_heat_gj": _maybe(_nonneg)}), min_size=1, max_size=L.MONTHLY.rows))
    areas = draw(st.lists(st.fixed_dictionaries({
        "building_type": st.sampled_from([b.value for b in BuildingType]), "energy_saving": st.booleans(),
        "area_m2": st.floats(min_value=0.5, max_value=1e7, allow_nan=False),
        "q_w_per_m2": _maybe(st.floats(min_value=1, max_value=999, allow_nan=False)),
        "served_by": _maybe(_types.map(lambda ts: [t.value for t in ts]) | st.just([]))}), max_size=6))
    start = draw(_dates)
    return {
        "project": {"id": draw(_text), "name": draw(_text), "district": draw(st.sampled_from([d.value for d in District])),
                    "address": draw(_text), "operation_start": draw(_dates).isoformat(),
                    "owner": {"type": draw(st.sampled_from([o.value for o in OwnerType])), "name": draw(_text),
                              "id_number": draw(st.from_regex(r"[0-9A-Z]{18}", fullmatch=True)),
                              "phone": draw(_maybe(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)))},
                    "statements": {k: draw(st.booleans()) for k in ("not_claimed_elsewhere", "refrigerant_compliant",
                                                                    "standards_compliant", "owner_qualified",
                                                                    "data_authorised")}},
        "season": {"start": start.isoformat(), "end": draw(st.dates(min_value=start, max_value=date(2099, 12, 31)))
                   .isoformat()},
        "parameters": {"version": draw(st.sampled_from(["V01", "V02"])), "ef_heat": draw(_positive),
                       "ef_elec": draw(_positive), "td_percent": draw(st.floats(min_value=0, max_value=99.9))},
        "systems": systems,
        "total_heat_meter": draw(_maybe(st.fixed_dictionaries({
            "covers": _types.map(lambda ts: [t.value for t in ts]), "id": _text,
            "verified_on": _maybe(_dates.map(date.isoformat))}))),
        "monthly": monthly,
        "areas": areas,
        "recheck": draw(st.fixed_dictionaries({"performed": st.booleans(), "by": _maybe(_text),
                                               "date": _maybe(_dates.map(date.isoformat)),
                                               "note": _maybe(_text)})),
    }


@settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(declarations())
def test_any_declaration_round_trips(tmp_path_factory, data):
    decl = Declaration.model_validate(data)  # the strategy makes model-valid declarations only
    expected = declaration_to_json(decl)
    tmp = tmp_path_factory.mktemp("rt")
    result = roundtrip(expected, tmp)
    assert [f.code for f in result.findings] == []
    assert declaration_to_json(result.declaration) == expected


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    data = json.loads((ROOT / "workbook_templates/examples/example-declaration.json").read_text("utf-8"))
    data["project"]["name"] = '=HYPERLINK("http://example.invalid","x")'
    data["project"]["address"] = "+86 长春"
    target = tmp_path / "f.xlsx"
    target.write_bytes(fill_bytes(data))
    from openpyxl import load_workbook

    ws = load_workbook(target)["项目信息"]
    assert ws["B6"].data_type == "s"  # stored as text, never as a formula
    result = read_workbook(target)
    assert result.declaration.project.name == data["project"]["name"]
    assert result.declaration.project.address == "+86 长春"


def test_fill_result_is_deterministic():
    data = json.loads(EXAMPLES[0].read_text("utf-8"))
    assert fill_bytes(data) == fill_bytes(data)
    assert io.BytesIO(fill_bytes(data)).getvalue()[:2] == b"PK"
