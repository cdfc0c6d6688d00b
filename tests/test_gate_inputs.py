"""Issue 10 — the file system is not a way in, privacy without trusting the declaration, what a reviewer
would miss, odd but legitimate files. In-process where a child process is not the point."""

from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from datetime import date as date_
from pathlib import Path

import pytest
from gate_support import CJK, example_data, filled, run_cli
from openpyxl import load_workbook

from hpcarbon.validator import validate_file
from hpcarbon.workbook import layout as L

#: a resident ID whose GB 11643 check digit holds (worked by hand: Σ digit×weight = 189, 189 mod 11 = 2 → 'X')
VALID_ID = "11010519491231002X"
MOBILE = "13912345678"


def test_the_resident_id_used_here_is_valid():
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(VALID_ID[:17], weights))
    assert "10X98765432"[total % 11] == VALID_ID[17]


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return filled(tmp_path_factory.mktemp("gin") / "base.xlsx")


# --- the file system ------------------------------------------------------------------------------------
def test_a_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    run = run_cli("validate", fifo, "--format", "json", timeout=20)  # a blocking open would hang until killed
    assert run.code == 2 and run.seconds < 10
    assert "file.not_regular" in {f["code"] for f in json.loads(run.stdout)["findings"]}


def test_a_folder_lists_what_it_skips_and_escapes_names(base, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    data = base.read_bytes()
    gbk = os.fsdecode("申报表".encode("gbk") + b".xlsx")  # bytes that are not UTF-8, as an archive from Windows
    (folder / gbk).write_bytes(data)
    (folder / "bell\x07\x1b[2J.xlsx").write_bytes(data)
    long_stem = "很长的文件名" * 13  # 234 bytes of UTF-8: the copy's name must be shortened
    (folder / f"{long_stem}.xlsx").write_bytes(data)
    (folder / "~$lock.xlsx").write_bytes(b"lock")
    (folder / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (folder / "notes.txt").write_text("x")
    (folder / "link.xlsx").symlink_to(base)
    (folder / "sub").mkdir()
    annotated = tmp_path / "annotated"
    summary = tmp_path / "summary.csv"
    run = run_cli("validate", folder, "--format", "json", "--annotate", annotated, "--summary", summary)
    assert "Traceback" not in run.output, run.output[-2000:]
    assert "\x1b" not in run.output and "\x07" not in run.output  # control characters never reach a terminal
    why = {"~$lock.xlsx": "lock file", "old.xls": ".xls", "notes.txt": ".txt", "link.xlsx": "symbolic link",
           "sub": "subfolder"}
    for skipped in why:
        assert f"skipped {folder / skipped}" in run.stderr, skipped  # listed, never skipped silently
    entries = json.loads(run.stdout)
    reports = [r for r in entries if r.get("kind") != "skipped"]
    # ... and in the JSON, each with its reason in both languages
    listed = {Path(r["file"]).name: r for r in entries if r.get("kind") == "skipped"}
    assert set(listed) == set(why)
    for name, r in listed.items():
        assert r["status"] == "skipped" and why[name] in r["reason_en"] and CJK.search(r["reason_zh"]), r
    files = {r["file"] for r in reports}
    assert len(reports) == 3
    # GBK 申报表 is C9 EA B1 A8 B1 ED: EA B1 A8 happens to be valid UTF-8 (U+AC68), the other bytes are escaped
    assert str(folder / "\\xc9\uac68\\xb1\\xed.xlsx") in files
    assert str(folder / "bell\\x07\\x1b[2J.xlsx") in files
    assert all(r["status"] == "fail" for r in reports)  # three copies of one project: §7.3.3 in the batch
    copies = sorted(p.name for p in annotated.iterdir())
    assert len(copies) == 3 and all(len(os.fsencode(n)) <= 200 for n in copies)
    assert any(n.startswith("很长的文件名") and n.endswith(".annotated.xlsx") for n in copies)
    text = summary.read_text(encoding="utf-8-sig")
    assert "\\xc9\uac68\\xb1\\xed" in text and "\x1b" not in text
    rows = {Path(r["file"]).name: r for r in csv.DictReader(io.StringIO(text))}
    for name in why:  # the summary has a row for every entry, the skipped ones with the reason
        assert rows[name]["status"] == "skipped" and why[name] in rows[name]["note"] and CJK.search(rows[name]["note"])
        assert rows[name]["sha256"] == "" and rows[name]["errors"] == ""
    assert sum(r["status"] != "skipped" for r in rows.values()) == 3
    run = run_cli("validate", folder, "--format", "text", "--lang", "en")
    assert "\x1b" not in run.stdout and "Traceback" not in run.output
    assert all(f"skipped {folder / name} (" in run.stdout for name in why), run.stdout[-800:]
    run = run_cli("validate", folder, "--format", "jsonl")
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert {Path(r["file"]).name for r in lines if r.get("kind") == "skipped"} == set(why)


def test_long_names_stay_distinct():
    from hpcarbon.validator.names import annotated_name

    a, b = annotated_name("长" * 100 + "A.xlsx"), annotated_name("长" * 100 + "B.xlsx")
    assert a != b and len(os.fsencode(a)) <= 200 and len(os.fsencode(b)) <= 200
    assert annotated_name("申报表.xlsx") == "申报表.annotated.xlsx"


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "0", "-3", "1e400", "x"])
def test_a_limit_that_is_not_a_positive_finite_number_is_a_usage_error(value, tmp_path):
    run = run_cli("validate", tmp_path / "none.xlsx", "--limit", f"timeout_seconds={value}")
    assert run.code == 2 and "timeout_seconds" in run.stderr and "Traceback" not in run.output


# --- privacy without trusting the declaration -----------------------------------------------------------
def test_ids_and_mobiles_are_masked_even_for_an_enterprise(tmp_path):
    data = example_data()
    assert data["project"]["owner"]["type"] == "enterprise"
    data["project"]["name"] = f"示例项目 联系人身份证 {VALID_ID} 手机 {MOBILE}"
    path = filled(tmp_path / "ent.xlsx", data)
    wb = load_workbook(path)  # the ID as a sheet name, a defined name, a property, a comment
    wb.create_sheet(f"联系{MOBILE}")
    wb.properties.creator = f"王小明 {MOBILE}"
    wb.properties.title = f"ID {VALID_ID}"
    from openpyxl.comments import Comment

    wb[L.S_PROJECT]["H1"].comment = Comment(f"call {MOBILE}", "x")
    wb.save(path)
    result = validate_file(path, annotate_dir=tmp_path / "copy")
    rendered = json.dumps(result.report.to_dict("zh"), ensure_ascii=False) + result.report.to_text("en")
    assert VALID_ID not in rendered and MOBILE not in rendered
    assert "1101**********002X" in rendered and "139****5678" in rendered
    copy = result.annotated
    with zipfile.ZipFile(copy) as zf:
        blob = b"".join(zf.read(n) for n in zf.namelist()).decode("utf-8", "replace")
    assert VALID_ID not in blob and MOBILE not in blob


def test_an_invalid_18_digit_number_is_not_masked():
    from hpcarbon.privacy import mask_text

    meter = "110105194912310021"  # check digit wrong: a meter serial, not an ID
    assert mask_text(f"表号 {meter}") == f"表号 {meter}"
    assert mask_text(f"身份证 {VALID_ID}") == "身份证 1101**********002X"
    assert mask_text(f"tel:{MOBILE};") == "tel:139****5678;"


# --- what a reviewer would miss -------------------------------------------------------------------------
def test_what_a_reviewer_would_miss_is_warned_at_the_cell(base, tmp_path):
    from hpcarbon.workbook.reader import read_workbook

    read = read_workbook(base)
    sheet, ref = read.locate("monthly[1].electricity_kwh.air")
    hidden_col_sheet, hidden_col_ref = read.locate("project.address")
    name_sheet, name_ref = read.locate("project.name")
    wb = load_workbook(base)
    wb[sheet].row_dimensions[int("".join(c for c in ref if c.isdigit()))].hidden = True
    wb[hidden_col_sheet].column_dimensions["".join(c for c in hidden_col_ref if c.isalpha())].hidden = True
    wb[name_sheet][name_ref].number_format = ";;;"
    lists = wb[next(s.name for s in L.LAYOUT.sheets if s.hidden)]
    lists["Z500"] = "undeclared 16000"
    wb.create_sheet(L.S_MONTHLY + " ")  # a visible sheet imitating a template sheet's name
    path = tmp_path / "reviewer.xlsx"
    wb.save(path)
    result = validate_file(path)
    found = {(f.code, f.location.sheet if f.location else None, f.location.cell if f.location else None)
             for f in result.report.findings}
    assert ("workbook.hidden_input_data", sheet, ref) in found
    assert ("workbook.hidden_input_data", hidden_col_sheet, hidden_col_ref) in found
    assert ("workbook.hidden_format", name_sheet, name_ref) in found
    assert ("workbook.lists_extra", lists.title, "Z500") in found
    assert ("workbook.imitation_sheet", L.S_MONTHLY + " ", None) in found
    for f in result.report.findings:
        if f.code.startswith("workbook.") and f.code in {"workbook.hidden_input_data", "workbook.hidden_format",
                                                         "workbook.lists_extra", "workbook.imitation_sheet"}:
            assert f.severity.value == "warning" and f.clause


def test_text_coloured_like_its_background_is_found_as_excel_shows_colours(base, tmp_path):
    """White-on-white through every way a colour is written: a theme colour (theme 0 is the theme's lt1,
    white in the template's Office theme), an indexed colour on the same indexed fill, near-white RGB on the
    white sheet, a tinted theme colour, an indexed colour of the workbook's own palette on the RGB it
    stands for. Controls that must not warn: black on white, white on a dark fill (RGB, and the dark theme
    colour), an indexed colour that the workbook's palette makes dark on white."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.styles.colors import Color

    from hpcarbon.workbook.reader import read_workbook

    read = read_workbook(base)
    cells = [read.locate(f"monthly[{i}].electricity_kwh.air") for i in range(6)] + \
        [read.locate(p) for p in ("project.name", "project.address", "project.id")]
    hidden = {
        cells[0]: (Font(color=Color(theme=0)), None),
        cells[1]: (Font(color=Color(indexed=9)), PatternFill("solid", fgColor=Color(indexed=9))),
        cells[2]: (Font(color="FFFEFEFE"), None),
        cells[3]: (Font(color=Color(theme=1, tint=0.99)), None),  # black tinted almost to white
        cells[4]: (Font(color=Color(indexed=10)), PatternFill("solid", fgColor="FF123456")),  # palette below
    }
    shown = {
        cells[5]: (Font(color="FF000000"), None),
        cells[6]: (Font(color=Color(theme=0)), PatternFill("solid", fgColor="FF1F4E79")),
        cells[7]: (Font(color=Color(indexed=9)), PatternFill("solid", fgColor=Color(theme=1))),
        cells[8]: (Font(color=Color(indexed=11)), None),  # default palette: 11 is pure green; here: dark
    }
    wb = load_workbook(base)
    for (sheet, ref), (font, fill) in {**hidden, **shown}.items():
        wb[sheet][ref].font = font
        wb[sheet][ref].fill = fill or PatternFill(fill_type=None)  # None: no fill (the template fills inputs)
    saved = tmp_path / "colours.xlsx"
    wb.save(saved)
    # the workbook's own palette: index 10 is 123456 (default: FF0000), index 11 is 202020 (default: 00FF00)
    from openpyxl.styles.colors import COLOR_INDEX

    palette = list(COLOR_INDEX[:64])
    palette[10], palette[11] = "00123456", "00202020"
    colors = ("<colors><indexedColors>" + "".join(f'<rgbColor rgb="{c}"/>' for c in palette)
              + "</indexedColors></colors>").encode()
    path = tmp_path / "colours-palette.xlsx"
    with zipfile.ZipFile(saved) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/styles.xml":
                data = data.replace(b"<colors>", b"<colorsX>").replace(b"</colors>", b"</colorsX>")
                data = data.replace(b"<dxfs", colors + b"<dxfs", 1) if b"<dxfs" in data else \
                    data.replace(b"</styleSheet>", colors + b"</styleSheet>")
                assert b"<indexedColors>" in data
            dst.writestr(info, data)
    with zipfile.ZipFile(path) as zf:
        assert b'<a:sysClr val="window" lastClr="FFFFFF"' in zf.read("xl/theme/theme1.xml")  # theme 0 is white
    result = validate_file(path)
    found = {(f.location.sheet, f.location.cell) for f in result.report.findings if f.code == "workbook.hidden_format"}
    assert found == set(hidden), (sorted(found), sorted(hidden))
    f = next(f for f in result.report.findings if f.code == "workbook.hidden_format")
    assert f.severity.value == "warning" and "background" in f.message("en") and "底色" in f.message("zh")


# --- odd but legitimate ---------------------------------------------------------------------------------
def test_text_date_serials_of_a_1904_workbook_are_read_in_that_system(base, tmp_path):
    from datetime import date, timedelta

    from hpcarbon.workbook.reader import read_workbook

    read = read_workbook(base)
    sheet, ref = read.locate("project.operation_start")
    declared = read.declaration.project.operation_start
    serial_1904 = (declared - date(1904, 1, 1)).days  # 1904 system: day 0 is 1904-01-01
    assert date(1904, 1, 1) + timedelta(days=serial_1904) == declared
    wb = load_workbook(base)
    wb.epoch = __import__("openpyxl").utils.datetime.CALENDAR_MAC_1904
    wb[sheet][ref].value = str(serial_1904)  # typed as text: the reader converts it
    wb[sheet][ref].number_format = "@"
    path = tmp_path / "mac.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path) as zf:
        assert b'date1904="1"' in zf.read("xl/workbook.xml")
    assert read_workbook(path).declaration.project.operation_start == declared


def test_no_annotated_copy_of_a_workbook_beyond_max_annotated_cells(base, tmp_path):
    """A copy of a huge workbook would cost openpyxl seconds per 100 000 cells to load and save: the
    report says it was not written (info), the verdict is unchanged, and the limit is an option."""
    import hostile_corpus as hc

    from hpcarbon.validator.limits import DEFAULT_LIMITS

    wide = hc.wide_rows(base, tmp_path / "wide.xlsx", hc._monthly_sheet(base), width=200)
    plain = validate_file(wide)
    small = DEFAULT_LIMITS.with_overrides(["max_annotated_cells=2000"])
    result = validate_file(wide, limits=small, annotate_dir=tmp_path / "copies")
    skipped = [f for f in result.report.findings if f.code == "file.annotate_skipped"]
    assert skipped and skipped[0].severity.value == "info" and skipped[0].params["limit"] == 2000
    assert skipped[0].params["count"] > 2000
    assert not (tmp_path / "copies").exists() or not any((tmp_path / "copies").iterdir())
    assert result.exit_code == plain.exit_code
    assert validate_file(wide, annotate_dir=tmp_path / "copies").annotated  # under the default


def test_a_linked_folder_named_on_the_command_line_lists_what_it_skips(tmp_path):
    """A link to a folder, named by the user, is followed — and what it holds that is not validated is
    listed with its reason like any folder's (it used to be left out silently)."""
    from hpcarbon.validator_cli import collect

    folder = tmp_path / "real"
    folder.mkdir()
    (folder / "a.xlsx").write_bytes(b"PK")
    (folder / "~$a.xlsx").write_bytes(b"lock")
    (folder / "b.xls").write_bytes(b"\xd0\xcf")
    link = tmp_path / "link"
    link.symlink_to(folder, target_is_directory=True)
    files, missing, skipped = collect([str(link)])
    assert [f.name for f in files] == ["a.xlsx"] and not missing
    assert {s.path.name: s.reason_en for s in skipped} == {"~$a.xlsx": "an Excel lock file",
                                                          "b.xls": "a legacy .xls file; save it as .xlsx"}


# --- a number in a date cell that is no Excel date ------------------------------------------------------
_LAST_1900 = (date_(9999, 12, 31) - date_(1899, 12, 30)).days  # 2 958 465: Excel's last date, 1900 system
_LAST_1904 = (date_(9999, 12, 31) - date_(1904, 1, 1)).days  # 2 957 003 in the 1904 system


def _serial_in(base: Path, out: Path, value, number_format: str | None = None, date1904: bool = False) -> tuple:
    from hpcarbon.workbook.reader import read_workbook

    sheet, ref = read_workbook(base).locate("project.operation_start")
    wb = load_workbook(base)
    if date1904:
        wb.epoch = __import__("openpyxl").utils.datetime.CALENDAR_MAC_1904
    wb[sheet][ref].value = value
    if number_format:
        wb[sheet][ref].number_format = number_format
    wb.save(out)
    return sheet, ref


@pytest.mark.filterwarnings("ignore:Cell .* is marked as a date:UserWarning")
@pytest.mark.parametrize("value, shown", [(-5, "-5"), (0, "0"), (0.5, "0.5"), (_LAST_1900 + 1, "2958466"),
                                          (1e300, "1e+300")])
def test_a_number_that_is_no_date_in_a_date_cell_is_an_out_of_range_serial(base, tmp_path, value, shown):
    """The template's date cell holding a number outside Excel's dates (1 = 1900-01-01 … 9999-12-31): one
    error at the cell saying so — not an Excel error it does not hold (openpyxl reads a serial beyond
    9999-12-31 as #VALUE!), not a day of 1899 or a time of day — and the same words as for the number in a
    General cell."""
    dated = tmp_path / "dated.xlsx"
    at_cell = _serial_in(base, dated, value)
    general = tmp_path / "general.xlsx"
    _serial_in(base, general, value, number_format="General")
    said = []
    for path in (dated, general):
        errs = [f for f in validate_file(path).report.findings if f.severity.value == "error"]
        assert [(f.code, f.field, (f.location.sheet, f.location.cell)) for f in errs] == [
            ("field.invalid", "project.operation_start", at_cell)]
        said.append((errs[0].message("zh"), errs[0].message("en")))
    zh, en = said[0]
    assert said[1] == said[0]
    assert f"{shown} is not a valid Excel date serial (valid: 1–{_LAST_1900}, 1900-01-01 to 9999-12-31)" in en
    assert f"{shown} 不是有效的 Excel 日期序号" in zh and str(_LAST_1900) in zh
    assert "#VALUE!" not in zh + en and "Excel error" not in en


@pytest.mark.filterwarnings("ignore:Cell .* is marked as a date:UserWarning")
def test_serials_out_of_range_in_a_1904_workbook_name_that_system(base, tmp_path):
    from hpcarbon.workbook.reader import read_workbook

    for value, shown in ((-1, "-1"), (_LAST_1904 + 1, str(_LAST_1904 + 1))):
        path = tmp_path / "mac.xlsx"
        at_cell = _serial_in(base, path, value, date1904=True)
        errs = [f for f in validate_file(path).report.findings if f.severity.value == "error"]
        assert [(f.code, (f.location.sheet, f.location.cell)) for f in errs] == [("field.invalid", at_cell)]
        assert (f"{shown} is not a valid Excel date serial (valid: 0–{_LAST_1904}, 1904-01-01 to 9999-12-31, "
                "1904 date system)") in errs[0].message("en")
    # the last day of the 1904 system is a date (in a General cell, converted by the reader in that system):
    # not an out-of-range serial, but 9999-12-31, which the model refuses as beyond any project (DATE_RANGE)
    path = tmp_path / "last.xlsx"
    _serial_in(base, path, _LAST_1904, number_format="General", date1904=True)
    (f,) = [f for f in read_workbook(path).findings if f.severity.value == "error"]
    assert "must be at most 2999-12-31" in f.message("en") and "serial" not in f.message("en")
    # and a day of a season, in that system: days since 1904-01-01
    path = tmp_path / "day.xlsx"
    _serial_in(base, path, (date_(2023, 10, 20) - date_(1904, 1, 1)).days, number_format="General", date1904=True)
    assert read_workbook(path).declaration.project.operation_start == date_(2023, 10, 20)


@pytest.mark.parametrize("day, bound", [(date_(9999, 12, 31), "at most 2999-12-31"),
                                        (date_(3000, 1, 1), "at most 2999-12-31")])
def test_a_valid_excel_date_far_outside_any_project_is_refused_at_its_cell(base, tmp_path, day, bound):
    """9999-12-31 is a date Excel holds, but the crediting period and record keeping run 20 years on from the
    operation start: the date is refused at its cell (model.DATE_RANGE), exit 1 — it used to overflow the date
    arithmetic and make the whole workbook 'unreadable' in Python's words."""
    path = tmp_path / "far.xlsx"
    at_cell = _serial_in(base, path, day)
    result = validate_file(path)
    errs = [f for f in result.report.findings if f.severity.value == "error"]
    assert [(f.code, f.field, (f.location.sheet, f.location.cell)) for f in errs] == [
        ("field.invalid", "project.operation_start", at_cell)]
    assert bound in errs[0].message("en")
    assert result.exit_code == 1
