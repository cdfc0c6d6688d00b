"""`hpcarbon compute FILE [--format text|json] [--lang zh|en]` as a user runs it (subprocess):
reports, exit status 0/1/2, bilingual messages without tracebacks, and masked personal data (SPEC §10)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from builders import EXAMPLE_PATH, example, iso7064_mod11_2, put, run_in_process

HPCARBON = Path(sys.executable).with_name("hpcarbon")

RESULT_KEYS = {"heat_supplied_gj", "heat_elec_method_gj", "heat_area_method_gj", "deviation", "method",
               "heat_by_type_gj", "baseline_emissions_t", "project_emissions_t", "emission_reductions_t",
               "creditable_reductions_t", "crediting_period_end", "records_keep_until"}
# further result keys the report documents as additions to the contract (report.EXTRA_RESULT_KEYS)
EXTRA_RESULT_KEYS = {"estimate_basis", "heating_hours", "electricity_kwh", "electricity_by_type_kwh",
                     "crediting_period_start", "parameter_version", "unavailable"}
FINDING_KEYS = {"code", "severity", "clause", "message", "field"}
TRACE_KEYS = {"step", "clause", "title_zh", "title_en", "formula", "inputs", "output"}


def run(*args, module=False, script=False):
    """The command as a user runs it: in process (cli.main, as the console script calls it) unless the entry
    point itself is tested (``module``: ``python -m hpcarbon``; ``script``: the installed ``hpcarbon``)."""
    if module or script:
        cmd = [sys.executable, "-m", "hpcarbon", *map(str, args)] if module else [str(HPCARBON), *map(str, args)]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    else:
        r = run_in_process(*args)
        p = subprocess.CompletedProcess(["hpcarbon", *map(str, args)], r.code, r.stdout, r.stderr)
    assert "Traceback" not in p.stdout + p.stderr
    return p


def write(tmp_path, d, name="d.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    return p


# --- the example ---------------------------------------------------------------------------------------
def test_example_text_zh():
    p = run("compute", EXAMPLE_PATH, script=True)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert "结论: 通过" in out and "错误 0，警告 0，提示 0" in out
    for shown in ("2,764.800 GJ", "2,903.040 GJ", "5.0%", "304.13 t CO2", "156.30 t CO2", "147.83 t CO2",
                  "147.82 t CO2", "2038-10-19", "2043-10-19", "估算 (电算法)"):
        assert shown in out, shown
    for clause in ("[6.2.1]", "[6.2.2]", "[6.2.3.2]", "[6.2]", "[6.3]", "[6.4]", "[6.2.4.2]", "[7.1]"):
        assert clause in out, clause


def test_example_text_en_via_module():
    p = run("compute", EXAMPLE_PATH, "--lang", "en", module=True)
    assert p.returncode == 0
    assert "Verdict: PASS — 0 errors, 0 warnings, 0 infos" in p.stdout
    assert "creditable reductions" in p.stdout and "147.82 t CO2" in p.stdout
    assert "estimated (electricity method)" in p.stdout


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_example_json(lang):
    p = run("compute", EXAMPLE_PATH, "--format", "json", "--lang", lang)
    assert p.returncode == 0
    rep = json.loads(p.stdout)
    assert {"status", "counts", "results", "findings", "trace"} <= set(rep)
    assert rep["status"] == "pass"
    assert rep["counts"] == {"error": 0, "warning": 0, "info": 0}
    assert rep["findings"] == []
    r = rep["results"]
    assert set(r) == RESULT_KEYS | EXTRA_RESULT_KEYS
    # SPEC §12, full precision in the JSON
    assert r["heat_supplied_gj"] == pytest.approx(2764.8, rel=1e-12)
    assert r["heat_elec_method_gj"] == pytest.approx(2764.8, rel=1e-12)
    assert r["heat_area_method_gj"] == pytest.approx(2903.04, rel=1e-12)
    assert r["deviation"] == pytest.approx(0.05, rel=1e-9)
    assert r["method"] == "estimated" and r["estimate_basis"] == "electricity"
    assert r["heat_by_type_gj"] == {"air": pytest.approx(2764.8, rel=1e-12)}
    assert r["baseline_emissions_t"] == pytest.approx(304.128, rel=1e-12)
    assert r["project_emissions_t"] == pytest.approx(149_472 / 956.3, rel=1e-12)
    assert r["emission_reductions_t"] == pytest.approx(304.128 - 149_472 / 956.3, rel=1e-12)
    assert r["creditable_reductions_t"] == 147.82
    assert (r["crediting_period_end"], r["records_keep_until"]) == ("2038-10-19", "2043-10-19")
    assert r["crediting_period_start"] == "2023-10-20" and r["parameter_version"] == "V01"
    assert all(set(s) == TRACE_KEYS for s in rep["trace"])
    clauses = {s["clause"] for s in rep["trace"]}
    assert {"6.2.1", "6.2.2", "6.2.3.2", "6.2", "6.3", "6.4"} <= clauses


@pytest.mark.parametrize("content", [None, b"{"])
def test_report_carries_the_file_sha256(tmp_path, content):
    """SPEC §10: every report carries the SHA-256 of the submitted file, which is never modified."""
    f = tmp_path / "d.json"
    f.write_bytes(EXAMPLE_PATH.read_bytes() if content is None else content)
    before = f.read_bytes()
    digest = hashlib.sha256(before).hexdigest()
    rep = json.loads(run("compute", f, "--format", "json").stdout)
    assert rep["sha256"] == digest
    assert digest in run("compute", f, "--lang", "en").stdout
    assert f.read_bytes() == before


# --- exit 1: error findings ----------------------------------------------------------------------------------
@pytest.mark.parametrize("lang, fragment", [("zh", "未确认书面声明"), ("en", "written statement not affirmed")])
def test_error_findings_exit_1(tmp_path, lang, fragment):
    f = write(tmp_path, put(example(), "project.statements.not_claimed_elsewhere", False))
    p = run("compute", f, "--format", "json", "--lang", lang)
    assert p.returncode == 1
    rep = json.loads(p.stdout)
    assert rep["status"] == "fail" and rep["counts"] == {"error": 1, "warning": 0, "info": 0}
    (finding,) = rep["findings"]
    assert set(finding) == FINDING_KEYS
    assert finding["code"] == "statement.not_affirmed" and finding["severity"] == "error"
    assert finding["clause"] == "2.3" and finding["field"] == "project.statements.not_claimed_elsewhere"
    assert fragment in finding["message"]
    assert rep["results"]["creditable_reductions_t"] == 147.82  # the numbers are still shown


def test_warnings_only_exit_0(tmp_path):
    f = write(tmp_path, put(example(), "systems[0].cop.report_no", None))
    p = run("compute", f, "--lang", "en")
    assert p.returncode == 0
    assert "PASS — 0 errors, 1 warnings" in p.stdout and "cop.report_no_missing" in p.stdout


def test_not_computable_text(tmp_path):
    """A missing December reading blanks W (PE, ER) and Q_elec (Q, BE) — and nothing else."""
    d = example()
    del d["monthly"][2]["electricity_kwh"]["air"]
    p = run("compute", write(tmp_path, d), "--lang", "en")
    assert p.returncode == 1
    assert "cannot be computed, lacking: monthly[2].electricity_kwh.air" in p.stdout
    assert "monthly.electricity_missing" in p.stdout and "2,903.040 GJ" in p.stdout  # Q_area = 40 × 5 000 × 4 032 × 3.6e-6
    rep = json.loads(run("compute", write(tmp_path, d), "--format", "json").stdout)
    res = rep["results"]
    assert res["baseline_emissions_t"] is None and res["emission_reductions_t"] is None
    assert res["unavailable"]["project_emissions_t"] == [{"code": "monthly.electricity_missing",
                                                          "field": "monthly[2].electricity_kwh.air"}]
    assert res["heat_area_method_gj"] == pytest.approx(2903.04, rel=1e-12) and res["heating_hours"] == 4032


def test_infinite_deviation_is_shown(tmp_path):
    d = example()
    for r in d["monthly"]:
        r["outage_hours"] = r["heating_hours"]  # t = 0 → Q_area = 0 → d = ∞
    p = run("compute", write(tmp_path, d), "--lang", "en")
    assert p.returncode == 1
    assert "deviation d" in p.stdout and "∞" in p.stdout
    rep = json.loads(run("compute", write(tmp_path, d), "--format", "json").stdout)
    assert rep["results"]["deviation"] is None  # JSON has no infinity
    assert rep["results"]["heat_area_method_gj"] == 0


# --- exit 2: unreadable input, bilingual, no traceback ---------------------------------------------------------
def _bilingual(text: str):
    import re
    assert re.search(r"[\u4e00-\u9fff]", text) and re.search(r"[A-Za-z]{4}", text), text


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_missing_file_exit_2(tmp_path, fmt):
    p = run("compute", tmp_path / "none.json", "--format", fmt)
    assert p.returncode == 2
    assert "找不到文件" in p.stdout and "no such file" in p.stdout


@pytest.mark.parametrize("content", ["{", "[]", "\u00ff\u00fe", "{\"name\": \"not a declaration\"}", ""])
def test_unreadable_content_exit_2(tmp_path, content):
    f = tmp_path / "d.json"
    f.write_text(content, encoding="latin-1")
    for lang in ("zh", "en"):
        p = run("compute", f, "--lang", lang)
        assert p.returncode == 2
        msg = [ln for ln in p.stdout.splitlines() if "input.unreadable" in ln or "field.invalid" in ln]
        assert msg, p.stdout
        if "input.unreadable" in msg[0]:
            _bilingual(msg[0])


def test_field_error_exit_1_with_path_and_results_as_far_as_they_go(tmp_path):
    """A readable declaration with an invalid value is exit 1 with its finding (not 2); the results that do
    not need the value are computed (Q_area 2 903.04 GJ, t 4 032 h), those that do are null and say why."""
    f = write(tmp_path, put(example(), "monthly[2].electricity_kwh.air", "lots"))
    p = run("compute", f, "--format", "json")
    assert p.returncode == 1
    rep = json.loads(p.stdout)
    assert rep["status"] == "fail"
    assert [(x["code"], x["field"]) for x in rep["findings"]] == [("field.invalid", "monthly[2].electricity_kwh.air")]
    res = rep["results"]
    assert res["project_emissions_t"] is None and res["unavailable"]["project_emissions_t"] == [
        {"code": "field.invalid", "field": "monthly[2].electricity_kwh.air"}]
    assert res["heat_area_method_gj"] == pytest.approx(2903.04, rel=1e-12)
    en = json.loads(run("compute", f, "--format", "json", "--lang", "en").stdout)["findings"][0]["message"]
    assert en == "monthly[2].electricity_kwh.air must be a number"


def test_nan_section_is_a_field_error_exit_1(tmp_path):
    f = tmp_path / "d.json"
    f.write_text('{"project": NaN}', encoding="utf-8")
    p = run("compute", f, "--format", "json")
    assert p.returncode == 1
    rep = json.loads(p.stdout)
    assert ("field.invalid", "project") in {(x["code"], x["field"]) for x in rep["findings"]}
    assert rep["results"] is None  # no season, no systems: nothing to account


def test_usage_error_exit_2():
    p = run("compute", EXAMPLE_PATH, "--format", "xml")
    assert p.returncode == 2
    _bilingual(p.stderr)
    p = run()
    assert p.returncode == 2


# --- personal data never unmasked, SPEC §10 ----------------------------------------------------------------------
RID = "22010219850312123" + iso7064_mod11_2("22010219850312123")  # 220102198503121230
NAME, PHONE = "张三丰", "13812345678"
SECRETS = (NAME, "三丰", RID, RID[:17], "19850312", PHONE, "12345678", "1234567")


def _individual(d, rid=RID):
    d["project"]["owner"] = {"type": "individual", "name": NAME, "id_number": rid, "phone": PHONE}
    return d


VARIANTS = {
    "valid": lambda: _individual(example()),
    "bad_check_digit": lambda: _individual(example(), RID[:17] + "9"),
    "bad_birth_date": lambda: _individual(example(), "22010219850332" + "1230"),
    "with_other_errors": lambda: put(_individual(example()), "project.statements.data_authorised", False),
    "unreadable_elsewhere": lambda: put(_individual(example()), "monthly[0].heating_hours", "x"),
    "phone_wrong_type": lambda: put(_individual(example()), "project.owner.phone", 13812345678),
    "id_too_long": lambda: put(_individual(example()), "project.owner.id_number", RID * 3),
    "name_wrong_type": lambda: put(_individual(example()), "project.owner.name", [NAME]),
    "unknown_owner_field": lambda: put(_individual(example()), "project.owner.身份证", RID),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_individual_owner_data_is_masked_everywhere(tmp_path, variant):
    d = VARIANTS[variant]()
    f = write(tmp_path, d, name="owner.json")
    rid = d["project"]["owner"]["id_number"]
    secrets = SECRETS + ((rid, rid[4:-4]) if isinstance(rid, str) else ())
    outputs = []
    for fmt in ("text", "json"):
        for lang in ("zh", "en"):
            p = run("compute", f, "--format", fmt, "--lang", lang)
            assert p.returncode in (0, 1, 2)
            outputs.append(p.stdout + p.stderr)
    for out in outputs:
        for secret in secrets:
            assert secret not in out, secret


def test_masked_forms_are_shown(tmp_path):
    f = write(tmp_path, _individual(example()))
    text = run("compute", f).stdout
    assert "张**" in text and "2201**********1230" in text
    rep = json.loads(run("compute", f, "--format", "json").stdout)
    assert rep["project"]["owner"] == {"type": "individual", "name": "张**", "id_number": "2201**********1230",
                                       "phone": "138****5678"}
    assert rep["status"] == "pass"


def test_invalid_resident_id_finding_is_masked(tmp_path):
    f = write(tmp_path, _individual(example(), RID[:17] + "9"))
    rep = json.loads(run("compute", f, "--format", "json", "--lang", "en").stdout)
    (finding,) = rep["findings"]
    assert finding["code"] == "owner.resident_id_invalid" and finding["clause"] == "2.2.2"
    assert "2201**********1239" in finding["message"]


def test_a_deviation_just_past_ten_percent_is_shown_with_the_digits_that_say_so(tmp_path):
    """The results' d beside its 10 % threshold: area 5 238.3 m² at q = 40 W/m² over t = 4 032 h gives
    Q_area = 40 × 5 238.3 × 4 032 × 3.6×10⁻⁶ = 3 041.3988864 GJ against Q_elec = 2 764.8 GJ (SPEC §12), so
    d = 276.5988864 / 2 764.8 = 0.100043 — shown 10.004%, not 10.0% (which would read as the threshold)."""
    d = example()
    d["areas"][0]["area_m2"] = 5238.3
    out = run_in_process("compute", str(write(tmp_path, d)), "--lang", "en")
    line = next(ln for ln in out.stdout.splitlines() if "10.0" in ln and "%" in ln and "deviation" in ln.lower())
    assert "10.004%" in line and "10.0%" not in line.replace("10.004%", ""), line


def test_a_reports_verdict_is_typed_and_renders_as_before():
    """Report.status is a Verdict member; the JSON and text outputs carry the same words as before."""
    from hpcarbon.findings import finding
    from hpcarbon.report import Report, Verdict

    ok = Report([])
    assert ok.status is Verdict.PASS and type(ok.to_dict("en")["status"]) is str
    assert '"status": "pass"' in ok.to_json("en") and ok.to_text("en").startswith("Verdict: PASS")
    bad = Report([finding("file.unreadable_workbook", reason="x")])
    assert bad.status is Verdict.FAIL and '"status": "fail"' in bad.to_json("en")
    assert bad.to_text("en").startswith("Verdict: FAIL") and bad.to_text("zh").startswith("结论: 未通过")


def test_a_declaration_without_a_whole_section_points_down_to_its_errors(tmp_path):
    """No monthly section at all: no draft can be formed, so no result; the results say so and point to the
    errors listed below (exit 1: a declaration with an invalid field, not an unreadable file)."""
    d = example()
    del d["monthly"]
    for lang, results, findings, pointer in (("en", "== Results ==", "== Findings ==", "see the errors below"),
                                             ("zh", "== 核算结果 ==", "== 发现的问题 ==", "见下方错误")):
        run = run_in_process("compute", str(write(tmp_path, d)), "--lang", lang)
        assert run.code == 1, run.stderr
        out = run.stdout
        assert out.index(results) < out.index(pointer) < out.index(findings)
