"""The declaration model and its JSON form (SPEC §11): round trip, and located bilingual errors."""

from __future__ import annotations

import json
import re

import pytest
from builders import EXAMPLE_PATH, drop, example, load, put

from hpcarbon.declaration_io import load_json_declaration
from hpcarbon.model import HeatPumpType, declaration_to_json

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_example_round_trips_to_the_same_dict():
    original = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
    loaded = load_json_declaration(EXAMPLE_PATH)
    assert loaded.findings == []
    assert declaration_to_json(loaded.declaration) == original


def test_round_trip_keeps_optional_fields():
    d = example()
    d["systems"][0]["cop"] = {"source": "onsite", "report_value": None, "report_no": None, "measurements": [
        {"date": "2024-12-05", "value": 2.1, "outdoor_temp_c": -14.0, "condition": "severe", "extreme_weather": False}]}
    d["areas"][0]["q_w_per_m2"] = 39.0
    d["areas"][0]["served_by"] = ["air"]
    d["monthly"][0]["total_heat_gj"] = 1.5
    assert declaration_to_json(load(d)) == d


def test_recheck_record_takes_a_date():
    d = example()
    d["recheck"] = {"performed": True, "by": "王工", "date": "2025-05-10", "note": "COP 与面积已复核"}
    decl = load(d)
    assert decl.recheck.date.isoformat() == "2025-05-10"
    assert declaration_to_json(decl) == d


def test_example_model_values():
    decl = load(example())
    assert decl.types == [HeatPumpType.air]
    assert sum(r.electricity_kwh[HeatPumpType.air] for r in decl.monthly) == 320_000
    assert decl.project.owner.id_number == "91220101MA0Y4H5X3T"


# --- JSON errors, with the JSON path, in Chinese and English -------------------------------------
def _load_text(tmp_path, text: str):
    p = tmp_path / "d.json"
    p.write_text(text, encoding="utf-8")
    return load_json_declaration(p)


def _load_dict(tmp_path, d):
    return _load_text(tmp_path, json.dumps(d, ensure_ascii=False))


def _one(loaded, code="field.invalid", cjk_values_in_en=False):
    assert loaded.declaration is None
    assert len(loaded.findings) == 1, [f.bilingual() for f in loaded.findings]
    (f,) = loaded.findings
    assert f.code == code
    assert f.severity.value == "error"
    zh, en = f.message("zh"), f.message("en")
    assert CJK.search(zh), zh
    assert not CJK.search(en) or code == "input.unreadable" or cjk_values_in_en, en
    assert re.search(r"[a-z]{3}", en), en
    return f, zh, en


@pytest.mark.parametrize("value", ["abc", True, "16000", None, [1], {"kWh": 1}])
def test_wrong_type_is_located(tmp_path, value):
    d = put(example(), "monthly[2].electricity_kwh.air", value)
    f, zh, en = _one(_load_dict(tmp_path, d))
    assert f.field == "monthly[2].electricity_kwh.air"
    assert f.clause == "表9–表11"
    assert "monthly[2].electricity_kwh.air" in zh and "monthly[2].electricity_kwh.air" in en
    assert "数字" in zh and "number" in en


def test_boolean_statement_must_be_a_boolean(tmp_path):
    d = put(example(), "project.statements.not_claimed_elsewhere", "yes")
    f, _zh, en = _one(_load_dict(tmp_path, d))
    assert f.field == "project.statements.not_claimed_elsewhere"
    assert f.clause == "2.3"
    assert "true/false" in en


def test_negative_reading_is_located(tmp_path):
    d = put(example(), "monthly[2].electricity_kwh.air", -1)
    f, zh, en = _one(_load_dict(tmp_path, d))
    assert f.field == "monthly[2].electricity_kwh.air"
    assert "0" in zh and "at least 0" in en


def test_unknown_field(tmp_path):
    d = put(example(), "project.colour", "blue")
    f, zh, en = _one(_load_dict(tmp_path, d))
    assert f.field == "project.colour"
    assert "不是申报格式中的字段" in zh and "not a field of the declaration format" in en


def test_unknown_heat_pump_type_key(tmp_path):
    d = put(example(), "monthly[0].electricity_kwh.solar", 5)
    f, _zh, en = _one(_load_dict(tmp_path, d))
    assert f.field == "monthly[0].electricity_kwh.solar"
    assert "ground" in en and "air" in en and "wastewater" in en


def test_missing_owner(tmp_path):
    d = drop(example(), "project.owner")
    f, zh, en = _one(_load_dict(tmp_path, d), "field.required")
    assert f.field == "project.owner"
    assert f.clause == "2.2"
    assert zh == "必填项 project.owner 未填写" and en == "required field project.owner is empty"


def test_season_end_before_start(tmp_path):
    d = put(example(), "season.end", "2024-10-01")
    f, zh, en = _one(_load_dict(tmp_path, d))
    assert f.field == "season"
    # the field label names the season: the message does not repeat it
    assert zh == "season 结束日期早于开始日期" and en == "season ends before it starts"


def test_subtype_only_for_ground(tmp_path):
    d = put(example(), "systems[0].subtype", "buried_pipe")
    f, zh, en = _one(_load_dict(tmp_path, d))
    assert f.field == "systems[0]"
    assert "仅地源热泵" in zh and "ground-source systems only" in en


def test_bad_date_and_month(tmp_path):
    d = put(example(), "project.operation_start", "2023-02-30")
    f, zh, en = _one(_load_dict(tmp_path, d))
    assert f.field == "project.operation_start" and f.clause == "5.3"
    assert "YYYY-MM-DD" in zh and "YYYY-MM-DD" in en
    d = put(example(), "monthly[1].month", "2024-13")
    f, zh, en = _one(_load_dict(tmp_path, d))
    assert f.field == "monthly[1].month"


def test_district_outside_changchun(tmp_path):
    d = put(example(), "project.district", "朝阳区（北京）")
    f, zh, en = _one(_load_dict(tmp_path, d), cjk_values_in_en=True)  # the allowed values are Chinese names
    assert f.field == "project.district" and f.clause == "1"
    assert "南关区" in zh and "中韩（长春）国际合作示范区" in en  # the allowed divisions are listed
    # each language joins the list in its own words
    assert zh.endswith("'长春汽车经济技术开发区' 或 '中韩（长春）国际合作示范区'") and " or " not in zh
    assert en.endswith("'长春汽车经济技术开发区' or '中韩（长春）国际合作示范区'")


def test_format_errors_cite_the_spec_not_a_methodology_clause(tmp_path):
    """The JSON format is SPEC §11's; the methodology has no §11: an unreadable file and an unknown field
    cite "SPEC §11", rendered as it is (not "§SPEC …")."""
    f, _zh, _en = _one(_load_dict(tmp_path, put(example(), "project.colour", "blue")))
    assert f.clause == "SPEC §11" and f.clause_ref == "SPEC §11"
    p = tmp_path / "bad.json"
    p.write_text("{", encoding="utf-8")
    f, _zh, _en = _one(load_json_declaration(p), "input.unreadable")
    assert f.clause == "SPEC §11" and f.clause_ref == "SPEC §11"


def test_several_errors_each_located(tmp_path):
    d = example()
    put(d, "monthly[2].electricity_kwh.air", "x")
    put(d, "areas[0].area_m2", 0)
    loaded = _load_dict(tmp_path, d)
    assert {f.field for f in loaded.findings} == {"monthly[2].electricity_kwh.air", "areas[0].area_m2"}


def test_malformed_json(tmp_path):
    text = EXAMPLE_PATH.read_text(encoding="utf-8").replace('"district": "南关区",', '"district": "南关区"', 1)
    f, zh, en = _one(_load_text(tmp_path, text), "input.unreadable")
    assert f.field is None
    assert "JSON 格式错误" in zh and "malformed JSON" in en
    assert re.search(r"\d+:\d+", en)  # line:column of the fault


def test_non_object_top_level(tmp_path):
    _f, zh, en = _one(_load_text(tmp_path, "[1, 2, 3]"), "input.unreadable")
    assert "顶层应为对象" in zh and "top level must be an object" in en


def test_nan_constant_is_refused_and_located(tmp_path):
    text = EXAMPLE_PATH.read_text(encoding="utf-8").replace('"air": 62000', '"air": NaN', 1)
    assert "NaN" in text
    f, zh, en = _one(_load_text(tmp_path, text))
    assert f.field == "monthly[2].electricity_kwh.air"
    assert "有限的数字" in zh and "finite number" in en


@pytest.mark.parametrize("constant", ["Infinity", "-Infinity", "1e400", "1" * 5000, "-" + "9" * 4301])
def test_infinite_numbers_are_refused(tmp_path, constant):
    """Beyond a float's range, as a constant, an exponent or an integer longer than Python converts to int by
    default (4 300 digits; valid JSON all the same): refused at its field, not as malformed JSON."""
    text = EXAMPLE_PATH.read_text(encoding="utf-8").replace('"area_m2": 5000', f'"area_m2": {constant}', 1)
    f, _zh, _en = _one(_load_text(tmp_path, text))
    assert f.field == "areas[0].area_m2"


def test_missing_file(tmp_path):
    _f, zh, en = _one(load_json_declaration(tmp_path / "nope.json"), "input.unreadable")
    assert "找不到文件" in zh and "no such file" in zh  # the reason itself is bilingual
    assert "cannot read the declaration" in en


def test_not_utf8(tmp_path):
    p = tmp_path / "d.json"
    p.write_bytes(EXAMPLE_PATH.read_text(encoding="utf-8").encode("gbk"))
    _f, zh, en = _one(load_json_declaration(p), "input.unreadable")
    assert "UTF-8" in zh and "UTF-8" in en


def test_utf8_bom_is_accepted(tmp_path):
    p = tmp_path / "d.json"
    p.write_bytes(b"\xef\xbb\xbf" + EXAMPLE_PATH.read_bytes())
    assert load_json_declaration(p).findings == []


def test_absurd_magnitudes_are_refused_at_the_field(tmp_path):
    """A model-valid declaration must be computable; magnitudes no season can have are a field error."""
    d = put(example(), "monthly[2].electricity_kwh.air", 1e300)
    f, _zh, _en = _one(_load_dict(tmp_path, d))
    assert f.field == "monthly[2].electricity_kwh.air"


@pytest.mark.parametrize("path, value, clause", [
    ("project.id", "", "7.3.3"),  # the filing number: one project declared once (§7.3.3)
    ("project.statements.refrigerant_compliant", "maybe", "2.1.2.1"),  # the statement's own clause
    ("project.statements.data_authorised", "maybe", "7.3.1"),
    ("systems[0].electricity_meter.verified_on", "soon", "7.3.2"),  # verification records
    ("areas[0].q_w_per_m2", -1, "6.2.4.1"),  # never overestimate the heat index
    ("parameters.td_percent", 100, "表4"),
    ("monthly[3].extreme_weather", "often", "表8"),
])
def test_a_field_error_cites_the_fields_own_clause_in_json_as_in_the_workbook(path, value, clause):
    """One table of clauses per field (errors.FIELD_CLAUSES): a JSON field error cites what the template's help
    and a workbook field error cite for that field."""
    from builders import declaration_from_data

    from hpcarbon.workbook.layout import LAYOUT

    d = example()
    put(d, path, value)
    found = [f for f in declaration_from_data(d).findings if f.field == path]
    assert [f.clause for f in found] == [clause], [f.bilingual() for f in found]
    pattern = re.sub(r"\[\d+\]", "[{i}]", path).replace("systems[{i}]", "systems[{t}]")
    slot = next(s for s in LAYOUT.slots if s.path == pattern)
    assert slot.spec.clause == clause


@pytest.mark.parametrize("path", ["project.operation_start", "season.start", "season.end",
                                  "systems[0].electricity_meter.verified_on", "recheck.date"])
@pytest.mark.parametrize("value, ok", [("9999-12-31", False), ("3000-01-01", False), ("2999-12-31", True),
                                       ("1900-01-01", True), ("1899-12-31", False), ("0001-01-01", False)])
def test_dates_far_outside_any_project_are_refused_at_their_field(path, value, ok):
    """model.DATE_RANGE: 1900-01-01 … 2999-12-31 are dates a declaration may hold (the rules judge whether they
    make sense); beyond them a date is a typo refused at its field, before any date arithmetic runs on it."""
    from builders import declaration_from_data

    d = example()
    put(d, path, value)
    found = [f for f in declaration_from_data(d).findings if f.field == path]
    assert (found == []) is ok, [f.bilingual() for f in found]


@pytest.mark.parametrize("month, ok", [("9999-12", False), ("0000-01", False), ("2999-12", True), ("1900-01", True)])
def test_months_far_outside_any_project_are_refused_at_their_field(month, ok):
    from builders import declaration_from_data

    d = put(example(), "monthly[0].month", month)
    found = [f for f in declaration_from_data(d).findings if f.field == "monthly[0].month"]
    assert (found == []) is ok, [f.bilingual() for f in found]


@pytest.mark.parametrize("path", ["project.operation_start", "season.start", "systems[0].electricity_meter.verified_on"])
def test_compute_refuses_a_date_beyond_2999_as_a_field_error_not_an_internal_error(tmp_path, path):
    from builders import run_in_process

    d = put(example(), path, "9999-12-31")
    if path == "season.start":
        put(d, "season.end", "9999-12-31")
    p = tmp_path / "d.json"
    p.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    run = run_in_process("compute", str(p), "--lang", "en")
    assert run.code == 1 and "internal error" not in run.stderr, run.stderr
    assert f"{path} must be at most 2999-12-31" in run.stdout
