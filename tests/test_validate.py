"""The validator, layer by layer (issue: validate), on workbooks made the way they arrive: a declaration
filled into the template, then edited with openpyxl as a person would (text in a number cell, a cleared
cell, a deleted row, a renamed sheet, a date typed as text …). Every finding is asserted with its code,
clause, sheet and cell; the cells are found through the layout API and checked against the schema.

Expected numbers are the SPEC §12 worked example written out again here, never the code's output.
"""

from __future__ import annotations

import hashlib
import io
import math
from datetime import date, timedelta
import zipfile
from pathlib import Path

import pytest
from builders import (
    EXAMPLE_KWH,
    GROUND_HEAT_GJ,
    GROUND_KWH,
    coupled_total_meter,
    example,
    metered_ground,
    onsite,
    put,
)
from openpyxl import Workbook
from validate_support import (
    at,
    calc_cell,
    check_result,
    edit,
    errors,
    filled,
    inject_cached,
    located,
    one,
    only,
    schema_cell,
    schema_slot,
    set_cells,
    sheet_member,
    validate,
)

from hpcarbon.findings import Severity
from hpcarbon.model import HeatPumpType
from hpcarbon.validator import validate_file
from hpcarbon.workbook import layout as L
from hpcarbon.workbook.reader import read_workbook

# --- SPEC §12, written out again -------------------------------------------------------------------------
HOURS = [12 * 24, 30 * 24, 31 * 24, 31 * 24, 28 * 24, 31 * 24, 5 * 24]  # Oct 20–31 … Apr 1–5
T = sum(HOURS)  # 4 032 h
W = sum(EXAMPLE_KWH)  # 320 000 kWh
COP = 2.4
Q_ELEC = W * COP * 0.0036  # formula (2)
Q_AREA = 40 * 5000 * T * 3.6e-6  # formula (3), residential energy-saving q = 40 W/m²
DEV = (Q_AREA - Q_ELEC) / min(Q_ELEC, Q_AREA)
Q = min(Q_ELEC, Q_AREA)
BE = Q * 0.11  # formula (1)
PE = W / (1 - 4.37 / 100) * 1e-3 * 0.4671  # formula (4)
ER = BE - PE  # formula (5)
CREDITABLE = math.floor(round(ER * 100, 6)) / 100  # rounded down to 0.01 t

EXPECTED_RESULTS = {
    "heating_hours": T, "electricity_kwh": W, "heat_elec_method_gj": Q_ELEC, "heat_area_method_gj": Q_AREA,
    "deviation": DEV, "heat_supplied_gj": Q, "baseline_emissions_t": BE, "project_emissions_t": PE,
    "emission_reductions_t": ER, "creditable_reductions_t": CREDITABLE,
}


def test_spec_numbers_written_out_again():
    """The constants above are SPEC §12's own figures."""
    assert T == 4032 and W == 320_000
    assert Q_ELEC == pytest.approx(2764.8, abs=1e-9) and Q_AREA == pytest.approx(2903.04, abs=1e-9)
    assert DEV == pytest.approx(0.05, abs=1e-12)
    assert BE == pytest.approx(304.128, abs=1e-9)
    assert PE == pytest.approx(156.30241556, abs=1e-8) and ER == pytest.approx(147.82558444, abs=1e-8)
    assert CREDITABLE == 147.82


@pytest.fixture
def good(tmp_path) -> Path:
    """The SPEC §12 example, filled."""
    return filled(tmp_path, example(), "example.xlsx")


def assert_example_results(result):
    res = result.report.results_dict()
    assert res is not None
    for key, expected in EXPECTED_RESULTS.items():
        assert res[key] == pytest.approx(expected, rel=1e-12), key


def test_the_filled_example_passes(good):
    r = validate(good)
    assert r.exit_code == 0 and r.report.status == "pass" and not r.unreadable
    assert errors(r) == [] and [f.code for f in r.report.findings if f.severity is Severity.warning] == []
    assert_example_results(r)
    assert r.report.meta["sha256"] == hashlib.sha256(good.read_bytes()).hexdigest()
    assert r.report.meta["template_version"] == L.TEMPLATE_VERSION


def test_a_resave_by_openpyxl_changes_nothing(good):
    edit(good, lambda wb: None)
    r = validate(good)
    assert r.exit_code == 0 and errors(r) == []
    assert_example_results(r)


# =========================================================================================================
# 1. The file layer
# =========================================================================================================
def test_not_a_zip(tmp_path):
    p = tmp_path / "declaration.xlsx"
    p.write_text("项目编号,项目名称\nCC-HP-2024-0001,示例\n", encoding="utf-8")  # a CSV renamed to .xlsx
    r = validate(p)
    assert r.exit_code == 2 and r.unreadable and r.report.status == "fail"
    f = one(r, "file.not_xlsx")
    assert f.severity is Severity.error and f.clause == "7.3.2"
    assert r.report.meta["sha256"] == hashlib.sha256(p.read_bytes()).hexdigest()


def test_a_zip_that_is_not_a_workbook(tmp_path):
    p = tmp_path / "declaration.xlsx"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "not a workbook")
    p.write_bytes(buf.getvalue())
    r = validate(p)
    assert r.exit_code == 2
    assert one(r, "file.not_xlsx").clause == "7.3.2"


def test_a_plain_workbook_is_not_the_template(tmp_path):
    p = tmp_path / "mine.xlsx"
    wb = Workbook()
    wb.active.title = "Sheet1"
    wb.active["A1"], wb.active["B1"] = "项目编号", "CC-HP-2024-0001"
    wb.save(p)
    r = validate(p)
    assert r.exit_code == 2 and r.unreadable
    f = one(r, "workbook.not_template")
    assert f.clause == "6.2.3.3" and f.severity is Severity.error
    for sheet in (L.S_PROJECT, L.S_MONTHLY, L.S_AREAS):
        assert sheet in f.message("zh") and sheet in f.message("en")


@pytest.mark.parametrize("stamp", ["9.9", "0.1", None], ids=["future", "old", "erased"])
def test_unsupported_template_version(good, stamp):
    sheet, ref = L.VERSION_CELL
    # the stamp is the cell the template's defined name HP_TEMPLATE_VERSION points at
    assert L.LAYOUT.defined_names[L.VERSION_NAME] == f"'{sheet}'!${ref[0]}${ref[1:]}"
    assert sheet == "填表说明"
    set_cells(good, {(sheet, ref): stamp}, as_text=True)
    r = validate(good)
    assert r.exit_code == 2 and r.unreadable
    f = one(r, "workbook.template_version")
    assert f.clause == "6.2.3.3" and at(f) == (sheet, ref)
    assert (stamp or "none") in f.message("en") and L.TEMPLATE_VERSION in f.message("en")


@pytest.mark.parametrize("sheet", [L.S_AREAS, L.S_MONTHLY, L.S_PROJECT])
def test_a_renamed_sheet(good, sheet):
    edit(good, lambda wb: setattr(wb[sheet], "title", "Sheet9"))
    r = validate(good)
    assert r.exit_code == 2 and r.unreadable
    f = one(r, "workbook.not_template")
    assert f.clause == "6.2.3.3"
    assert sheet in f.message("zh") and sheet in f.message("en")


def test_a_deleted_sheet(good):
    edit(good, lambda wb: wb.remove(wb[L.S_RECHECK]))
    r = validate(good)
    assert r.exit_code == 2
    f = one(r, "workbook.not_template")
    assert f.clause == "6.2.3.3" and L.S_RECHECK in f.message("en")


def test_a_deleted_row_in_a_form_sheet(good):
    """A person deletes the address row of the project sheet: every later field moved up one row,
    so the fixed positions cannot be read — the reader says where a label is not what it should be."""
    d = example()
    sheet, cell = located("project.address", d)
    assert (sheet, cell) == schema_cell("project.address") and sheet == "项目信息"
    deleted = int(cell[1:])
    edit(good, lambda wb: wb[sheet].delete_rows(deleted))
    r = validate(good)
    assert r.exit_code == 2 and r.unreadable
    f = one(r, "workbook.not_template")
    assert f.clause == "6.2.3.3"
    where_sheet, where_cell = at(f)
    assert where_sheet == sheet and where_cell[0] == "A"
    row = int(where_cell[1:])
    lines = {line.row: line for line in L.PROJECT_LINES}
    assert deleted <= row <= max(lines)
    assert lines[row].zh in f.message("zh")  # it names the label that belongs in that cell


@pytest.mark.parametrize("index", [3, 20], ids=["january-row", "an-empty-row"])
def test_a_deleted_row_in_the_monthly_table(good, index):
    """A person deletes a row of the monthly table (January, or an empty row below the data): the 合计
    row moves up into the table's range. It must be reported at the deleted row, never read as a month of
    data."""
    d = example()
    sheet, cell = schema_cell("monthly[{i}].month", index)
    assert sheet == "月度数据"
    if index < len(d["monthly"]):
        assert located(f"monthly[{index}].month", d) == (sheet, cell)
    edit(good, lambda wb: wb[sheet].delete_rows(int(cell[1:])))
    r = validate(good)
    assert r.exit_code == 2 and r.unreadable
    f = one(r, "workbook.not_template")
    row = int(cell[1:])  # the row deleted, named
    assert f.clause == "6.2.3.3" and at(f) == (sheet, f"{L.MONTHLY.first_column}{row}")
    assert f"第 {row} 行被删除" in f.message("zh") and f"row {row} of the table on sheet {sheet} was deleted" in \
        f.message("en")
    assert only(r, "field.invalid") == [] and only(r, "workbook.formula_in_input") == []


def test_a_row_inserted_in_the_areas_table(tmp_path):
    d = example()
    p = filled(tmp_path, d)
    sheet, cell = located("areas[0].building_type", d)
    assert sheet == "面积" and (sheet, cell) == schema_cell("areas[{i}].building_type", 0)
    edit(p, lambda wb: wb[sheet].insert_rows(int(cell[1:])))
    r = validate(p)
    assert r.exit_code == 2
    f = one(r, "workbook.not_template")
    assert f.clause == "6.2.3.3" and at(f) == (sheet, cell)
    assert f"row {cell[1:]} of sheet {sheet} was inserted" in f.message("en")


def _with_parts(src: Path, out: Path, *, content_types=None, rels=None, workbook=None, extra=None) -> Path:
    """Rewrite a workbook's package: ``content_types`` / ``rels`` / ``workbook`` edit those XML parts."""
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as b:
        for info in a.infolist():
            data = a.read(info)
            if info.filename == "[Content_Types].xml" and content_types:
                data = content_types(data)
            elif info.filename == "xl/_rels/workbook.xml.rels" and rels:
                data = rels(data)
            elif info.filename == "xl/workbook.xml" and workbook:
                data = workbook(data)
            b.writestr(info, data)
        for name, data in (extra or {}).items():
            b.writestr(name, data)
    return out


def macro_workbook(src: Path, out: Path) -> Path:
    """What Excel writes for 'Save as .xlsm' with a VBA project."""
    return _with_parts(
        src, out,
        content_types=lambda x: x.replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml").replace(
            b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>'),
        rels=lambda x: x.replace(b"</Relationships>", b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/'
                                 b'office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>'),
        extra={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504})


def test_a_macro_enabled_workbook_without_code_warns_and_is_still_validated(good, tmp_path):
    p = _with_parts(good, tmp_path / "declaration.xlsm", content_types=lambda x: x.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"))
    r = validate(p)
    f = one(r, "file.macro")
    assert f.severity is Severity.warning and f.clause == "7.3.2"
    assert "file.macro_code" not in {x.code for x in r.report.findings}
    assert r.exit_code == 0 and r.report.status == "pass"
    assert_example_results(r)  # still validated all the way


def test_a_workbook_with_macro_code_is_an_error_and_is_still_validated(good, tmp_path):
    p = macro_workbook(good, tmp_path / "declaration.xlsm")
    r = validate(p)
    f = one(r, "file.macro_code")
    assert f.severity is Severity.error and f.clause == "7.3.2" and "xl/vbaProject.bin" in f.message("en")
    assert one(r, "file.macro").severity is Severity.warning
    assert r.exit_code == 1 and r.report.status == "fail"
    assert_example_results(r)  # never run, but the declaration is still validated all the way


def test_a_macro_workbook_with_a_rule_error_still_gets_it(tmp_path):
    d = example()
    put(d, "project.statements.not_claimed_elsewhere", False)
    p = macro_workbook(filled(tmp_path, d), tmp_path / "declaration.xlsm")
    r = validate(p)
    assert {"file.macro", "statement.not_affirmed"} <= {f.code for f in r.report.findings}
    assert r.exit_code == 1


def external_link_workbook(src: Path, out: Path) -> Path:
    """A workbook whose values come from another file ([Book2.xlsx]Sheet1!A1): Excel keeps an
    externalLink part for it."""
    link = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            b'<externalBook r:id="rId1"><sheetNames><sheetName val="Sheet1"/></sheetNames></externalBook>'
            b"</externalLink>")
    link_rels = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                 b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                 b'externalLinkPath" Target="file:///C:/data/Book2.xlsx" TargetMode="External"/></Relationships>')
    return _with_parts(
        src, out,
        content_types=lambda x: x.replace(b"</Types>", b'<Override PartName="/xl/externalLinks/externalLink1.xml" '
                                          b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
                                          b'externalLink+xml"/></Types>'),
        rels=lambda x: x.replace(b"</Relationships>", b'<Relationship Id="rIdExt1" Type="http://schemas.openxmlformats'
                                 b'.org/officeDocument/2006/relationships/externalLink" '
                                 b'Target="externalLinks/externalLink1.xml"/></Relationships>'),
        workbook=lambda x: x.replace(b"</definedNames>", b'</definedNames><externalReferences>'
                                     b'<externalReference r:id="rIdExt1"/></externalReferences>'),
        extra={"xl/externalLinks/externalLink1.xml": link,
               "xl/externalLinks/_rels/externalLink1.xml.rels": link_rels})


def test_external_links_are_an_error(good, tmp_path):
    p = external_link_workbook(good, tmp_path / "linked.xlsx")
    r = validate(p)
    f = one(r, "file.external_links")
    assert f.severity is Severity.error and f.clause == "6.2.3.3"
    assert r.exit_code == 1 and r.report.status == "fail" and not r.unreadable
    assert_example_results(r)  # read and accounted all the same


# =========================================================================================================
# 2. The field layer
# =========================================================================================================
def test_text_in_a_number_cell(good):
    d = example()
    path = "monthly[2].electricity_kwh.air"  # December 2024
    sheet, cell = located(path, d)
    assert sheet == "月度数据" and (sheet, cell) == schema_cell("monthly[{i}].electricity_kwh.air", 2)
    set_cells(good, {(sheet, cell): "abc"})
    r = validate(good)
    assert r.exit_code == 1
    f = one(r, "field.invalid")
    assert at(f) == (sheet, cell) and f.field == path
    assert f.clause == schema_slot("monthly[{i}].electricity_kwh.air").spec.clause == "表9–表11"
    assert "abc" in f.message("en") and "abc" in f.message("zh")
    # one mistake, one error at that cell (not also "no reading" for the same cell)
    assert [g.code for g in errors(r) if at(g) == (sheet, cell)] == ["field.invalid"]


def test_text_in_the_report_cop_cell(good):
    d = example()
    path = "systems[0].cop.report_value"
    sheet, cell = located(path, d)
    assert sheet == "热泵系统" and (sheet, cell) == schema_cell("systems[{t}].cop.report_value", htype=HeatPumpType.air)
    set_cells(good, {(sheet, cell): "约2.4"})
    r = validate(good)
    f = one(r, "field.invalid")
    assert at(f) == (sheet, cell) and f.field == path and f.clause == "表8"
    # not also "the report COP is missing" for the cell that holds it
    assert [g.code for g in errors(r)] == ["field.invalid"]


@pytest.mark.parametrize("typed", ["16000", "１６０００", " 16,000 ", "16000.0"])
def test_numbers_stored_as_text_are_accepted(good, typed):
    d = example()
    sheet, cell = located("monthly[0].electricity_kwh.air", d)
    assert sheet == "月度数据" and (sheet, cell) == schema_cell("monthly[{i}].electricity_kwh.air", 0)
    assert d["monthly"][0]["electricity_kwh"]["air"] == 16000
    set_cells(good, {(sheet, cell): typed}, as_text=True)
    with zipfile.ZipFile(good) as zf:  # really stored as text, not as a number
        xml = zf.read(sheet_member(good, sheet)).decode()
    assert f'r="{cell}"' in xml and typed.strip().split(",")[0][:2] in xml
    r = validate(good)
    assert r.exit_code == 0 and errors(r) == []
    assert_example_results(r)


def test_a_cleared_required_form_cell(good):
    d = example()
    sheet, cell = located("project.name", d)
    assert sheet == "项目信息" and (sheet, cell) == schema_cell("project.name")
    set_cells(good, {(sheet, cell): None})
    r = validate(good)
    assert r.exit_code == 1
    f = one(r, "field.required")
    assert at(f) == (sheet, cell) and f.field == "project.name" and f.clause == "1"
    assert f.severity is Severity.error


def test_a_cleared_required_table_cell(good):
    d = example()
    path = "monthly[4].heating_hours"  # February 2025
    sheet, cell = located(path, d)
    assert sheet == "月度数据" and (sheet, cell) == schema_cell("monthly[{i}].heating_hours", 4)
    set_cells(good, {(sheet, cell): None})
    r = validate(good)
    assert r.exit_code == 1
    f = one(r, "field.required")
    assert at(f) == (sheet, cell) and f.field == path and f.clause == "6.2.4.2"


@pytest.mark.parametrize("typed", ["2024/10/20", "2024-10-20", "2024年10月20日", "2024.10.20"])
def test_a_date_typed_as_text_is_accepted(good, typed):
    d = example()
    sheet, cell = located("season.start", d)
    assert sheet == "项目信息" and (sheet, cell) == schema_cell("season.start")
    set_cells(good, {(sheet, cell): typed}, as_text=True)
    r = validate(good)
    assert r.exit_code == 0 and errors(r) == []
    assert r.report.declaration.season.start.isoformat() == "2024-10-20"
    assert_example_results(r)


@pytest.mark.parametrize("typed", ["2024-13-45", "2024/02/30", "明年十月"])
def test_a_nonsense_date_is_located(good, typed):
    d = example()
    sheet, cell = located("season.start", d)
    assert (sheet, cell) == schema_cell("season.start")
    set_cells(good, {(sheet, cell): typed}, as_text=True)
    r = validate(good)
    assert r.exit_code == 1
    f = one(r, "field.invalid")
    assert at(f) == (sheet, cell) and f.field == "season.start" and f.clause == "5.2"
    assert typed in f.message("en")


def test_an_enum_value_outside_its_list(good):
    d = example()
    sheet, cell = located("project.district", d)
    assert sheet == "项目信息" and (sheet, cell) == schema_cell("project.district")
    set_cells(good, {(sheet, cell): "北京市朝阳区"})
    r = validate(good)
    assert r.exit_code == 1
    f = one(r, "field.invalid")
    assert at(f) == (sheet, cell) and f.field == "project.district" and f.clause == "1"
    assert "北京市朝阳区" in f.message("zh") and "南关区" in f.message("zh")  # names the allowed values


def test_an_enum_typed_as_its_english_label_is_accepted(good):
    d = example()
    sheet, cell = located("project.owner.type", d)
    assert (sheet, cell) == schema_cell("project.owner.type")
    set_cells(good, {(sheet, cell): "Enterprise "})
    r = validate(good)
    assert r.exit_code == 0 and errors(r) == []


def test_a_yes_no_cell_with_another_word(good):
    d = example()
    path = "project.statements.refrigerant_compliant"
    sheet, cell = located(path, d)
    assert (sheet, cell) == schema_cell(path)
    set_cells(good, {(sheet, cell): "maybe"})
    r = validate(good)
    assert r.exit_code == 1
    f = one(r, "field.invalid")
    assert at(f) == (sheet, cell) and f.field == path and f.clause == "2.1.2.1"


def test_an_energy_saving_word_in_a_statement_is_refused_at_its_cell(good):
    """A statement is affirmed with 是/否 (yes/no); 节能 answers another question (表2) and is not a yes."""
    d = example()
    path = "project.statements.refrigerant_compliant"
    sheet, cell = located(path, d)
    set_cells(good, {(sheet, cell): "节能"})
    r = validate(good)
    assert r.exit_code == 1
    f = one(r, "field.invalid")
    assert at(f) == (sheet, cell) and f.field == path and f.clause == "2.1.2.1"
    assert "节能" in f.message("zh") and "是/否" in f.message("zh")
    assert "'节能'" in f.message("en") and "expected yes/no" in f.message("en")


@pytest.mark.parametrize("word, saving", [("节能", True), ("非节能", False)])
def test_the_energy_saving_column_reads_the_energy_saving_words(good, word, saving):
    d = example()
    set_cells(good, {located("areas[0].energy_saving", d): word})
    read = read_workbook(good)
    assert read.declaration is not None and read.declaration.areas[0].energy_saving is saving
    assert not [f for f in read.findings if f.field == "areas[0].energy_saving" and f.severity is Severity.error]


def test_a_formula_typed_into_an_input_cell(good):
    d = example()
    path = "monthly[5].electricity_kwh.air"
    sheet, cell = located(path, d)
    assert (sheet, cell) == schema_cell("monthly[{i}].electricity_kwh.air", 5)
    set_cells(good, {(sheet, cell): "=32000*2"})
    r = validate(good)
    assert r.exit_code == 1
    f = one(r, "workbook.formula_in_input")
    assert at(f) == (sheet, cell) and f.field == path and f.clause == "6.2.3.3"


# =========================================================================================================
# 3. The rule layer: engine rules located at the cells of their fields
# =========================================================================================================
def two_areas() -> dict:
    """The example with its 5 000 m² split: 3 000 m² residential + 2 000 m² school/office, both
    energy-saving, q from the table (40 and 50 W/m²)."""
    d = example()
    d["areas"] = [{"building_type": "residential", "energy_saving": True, "area_m2": 3000},
                  {"building_type": "school_office", "energy_saving": True, "area_m2": 2000}]
    return d


def test_q_above_the_table_is_located_at_that_rows_q_cell(tmp_path):
    d = two_areas()
    p = filled(tmp_path, d)
    sheet, cell = located("areas[1].q_w_per_m2", d)
    assert sheet == "面积" and (sheet, cell) == schema_cell("areas[{i}].q_w_per_m2", 1)
    set_cells(p, {(sheet, cell): 60})  # the table's lowest for energy-saving school/office is 50
    r = validate(p)
    f = one(r, "area.q_above_table")
    assert f.severity is Severity.error and f.clause == "6.2.4.1"
    assert at(f) == (sheet, cell) and f.field == "areas[1].q_w_per_m2"
    assert "60" in f.message("en") and "50" in f.message("en")
    assert r.exit_code == 1


def test_q_below_the_table_is_an_info_at_its_cell(tmp_path):
    d = two_areas()
    p = filled(tmp_path, d)
    sheet, cell = located("areas[0].q_w_per_m2", d)
    assert (sheet, cell) == schema_cell("areas[{i}].q_w_per_m2", 0)
    set_cells(p, {(sheet, cell): 38})
    r = validate(p)
    f = one(r, "area.q_below_table")
    assert f.severity is Severity.info and f.clause == "6.2.4.1" and at(f) == (sheet, cell)


def test_missing_electricity_of_a_month_is_located_at_that_months_cell(good):
    d = example()
    path = "monthly[3].electricity_kwh.air"  # January 2025
    sheet, cell = located(path, d)
    assert sheet == "月度数据" and (sheet, cell) == schema_cell("monthly[{i}].electricity_kwh.air", 3)
    set_cells(good, {(sheet, cell): None})
    r = validate(good)
    f = one(r, "monthly.electricity_missing")
    assert f.severity is Severity.error and f.clause == "表9–表11"
    assert at(f) == (sheet, cell) and f.field == path and "2025-01" in f.message("en")
    assert r.exit_code == 1


def test_zero_electricity_is_a_reading_not_a_missing_one(good):
    d = example()
    sheet, cell = located("monthly[6].electricity_kwh.air", d)
    set_cells(good, {(sheet, cell): 0})
    r = validate(good)
    assert only(r, "monthly.electricity_missing") == []
    assert r.report.results_dict()["electricity_kwh"] == W - EXAMPLE_KWH[6]


@pytest.mark.parametrize("statement, clause", [
    ("not_claimed_elsewhere", "2.3"), ("refrigerant_compliant", "2.1.2.1"), ("standards_compliant", "2.1.2.2"),
    ("owner_qualified", "2.2"), ("data_authorised", "7.3.1"),
])
def test_a_statement_not_affirmed_is_located_at_its_cell(good, statement, clause):
    d = example()
    path = f"project.statements.{statement}"
    sheet, cell = located(path, d)
    assert sheet == "项目信息" and (sheet, cell) == schema_cell(path)
    set_cells(good, {(sheet, cell): "否"})
    r = validate(good)
    f = one(r, "statement.not_affirmed")
    assert f.severity is Severity.error and f.clause == clause
    assert at(f) == (sheet, cell) and f.field == path
    assert r.exit_code == 1


def test_deviation_above_10_percent_points_at_the_recheck_record(good):
    d = example()
    sheet, cell = located("areas[0].area_m2", d)
    assert sheet == "面积" and (sheet, cell) == schema_cell("areas[{i}].area_m2", 0)
    set_cells(good, {(sheet, cell): 6000})
    q_area = 40 * 6000 * T * 3.6e-6  # 3 483.648 GJ
    deviation = (q_area - Q_ELEC) / Q_ELEC  # 26.0 %
    assert q_area == pytest.approx(3483.648) and deviation == pytest.approx(0.26)
    r = validate(good)
    f = one(r, "deviation.recheck_required")
    assert f.severity is Severity.error and f.clause == "6.2.3.2"
    assert at(f) == located("recheck.performed", d) == schema_cell("recheck.performed")
    assert at(f)[0] == "复核记录"
    assert "26.0%" in f.message("en") and "3483.648" in f.message("en") and "2764.800" in f.message("en")
    assert r.exit_code == 1
    assert r.report.results_dict()["heat_supplied_gj"] == pytest.approx(Q_ELEC)  # min() still applies

    # the re-check record filled in as a person would: a warning, no error
    record = {"recheck.performed": "是", "recheck.by": "张工（长春某检测中心）", "recheck.date": "2025/04/20",
              "recheck.note": "复核 COP 检测报告与供暖面积，面积法采用设计热指标，取较小值"}
    set_cells(good, {located(k, d): v for k, v in record.items()}, as_text=True)
    r = validate(good)
    f = one(r, "deviation.rechecked")
    assert f.severity is Severity.warning and f.clause == "6.2.3.2" and at(f)[0] == "复核记录"
    assert "张工" in f.message("zh") and "2025-04-20" in f.message("en")
    assert r.exit_code == 0 and errors(r) == []


def test_an_incomplete_recheck_record_is_on_the_recheck_sheet(good):
    d = example()
    set_cells(good, {located("areas[0].area_m2", d): 6000, located("recheck.performed", d): "是",
                     located("recheck.by", d): "张工", located("recheck.date", d): "2025-04-20"}, as_text=True)
    r = validate(good)
    f = one(r, "recheck.incomplete")
    assert f.severity is Severity.error and f.clause == "6.2.3.2"
    record_cells = {schema_cell(p) for p in ("recheck.performed", "recheck.by", "recheck.date", "recheck.note")}
    assert at(f) in record_cells


def test_heating_hours_above_the_calendar(good):
    d = example()
    path = "monthly[0].heating_hours"  # October 20–31: 12 days, 288 h
    sheet, cell = located(path, d)
    assert sheet == "月度数据" and (sheet, cell) == schema_cell("monthly[{i}].heating_hours", 0)
    set_cells(good, {(sheet, cell): 300})
    r = validate(good)
    f = one(r, "hours.exceed_calendar")
    assert f.clause == "6.2.4.2" and at(f) == (sheet, cell) and f.field == path
    assert "288" in f.message("en") and "300" in f.message("en")


def test_an_implausible_report_cop_is_located_in_the_air_column(good):
    d = example()
    path = "systems[0].cop.report_value"
    sheet, cell = located(path, d)
    assert sheet == "热泵系统" and (sheet, cell) == schema_cell("systems[{t}].cop.report_value", htype=HeatPumpType.air)
    set_cells(good, {(sheet, cell): 9})
    r = validate(good)
    f = one(r, "cop.implausible")
    assert f.clause == "6.2.4.1" and at(f) == (sheet, cell) and f.field == path


def test_an_invalid_credit_code_is_located_at_the_id_cell(good):
    d = example()
    path = "project.owner.id_number"
    sheet, cell = located(path, d)
    assert sheet == "项目信息" and (sheet, cell) == schema_cell(path)
    code = d["project"]["owner"]["id_number"]
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    set_cells(good, {(sheet, cell): wrong}, as_text=True)
    r = validate(good)
    f = one(r, "owner.uscc_invalid")
    assert f.clause == "2.2.1" and at(f) == (sheet, cell)


def test_a_negative_reduction_is_located_at_its_calculation_cell(good):
    d = example()
    path = "systems[0].cop.report_value"
    sheet, cell = located(path, d)
    assert (sheet, cell) == schema_cell("systems[{t}].cop.report_value", htype=HeatPumpType.air)
    set_cells(good, {(sheet, cell): 1.2})
    q_elec = W * 1.2 * 0.0036  # 1 382.4 GJ, below Q_area: the electricity method is kept
    er = min(q_elec, Q_AREA) * 0.11 - PE  # 152.064 − 156.302… = −4.238… t
    assert q_elec == pytest.approx(1382.4) and er == pytest.approx(-4.23841556, abs=1e-8)
    r = validate(good)
    f = one(r, "reductions.negative")
    assert f.severity is Severity.warning and f.clause == "6.4"
    assert at(f) == calc_cell("emission_reductions_t") and at(f)[0] == "核算"
    assert "-4.24" in f.message("en")
    res = r.report.results_dict()
    assert res["emission_reductions_t"] == pytest.approx(er, rel=1e-12) and res["creditable_reductions_t"] == 0
    atypical = one(r, "cop.atypical")  # 1.2 is below the air-source band 1.5–4.5 [D]
    assert atypical.severity is Severity.warning and at(atypical) == (sheet, cell)


def test_a_cop_measurement_outside_the_season_is_located_at_its_date(tmp_path):
    d = onsite()
    p = filled(tmp_path, d)
    path = "systems[0].cop.measurements[5].date"  # the third December measurement
    sheet, cell = located(path, d)
    assert sheet == "COP记录" and (sheet, cell) == schema_cell("systems[{t}].cop.measurements[{i}].date", 5)
    set_cells(p, {(sheet, cell): "2025-05-03"}, as_text=True)  # season ends 2025-04-05
    r = validate(p)
    f = one(r, "cop.measurement_outside_season")
    assert f.severity is Severity.error and f.clause == "表8" and at(f) == (sheet, cell) and f.field == path
    # December now has two measurements: fewer than the three of 表8 for a severe month
    freq = one(r, "cop.measurement_frequency")
    assert "2024-12" in freq.message("en") and at(freq)[0] == sheet


def test_a_cleared_total_meter_reading_is_located_at_its_cell(tmp_path):
    d = coupled_total_meter()
    p = filled(tmp_path, d)
    path = "monthly[2].total_heat_gj"
    sheet, cell = located(path, d)
    assert sheet == "月度数据" and (sheet, cell) == schema_cell("monthly[{i}].total_heat_gj", 2)
    assert validate(p).exit_code == 0
    set_cells(p, {(sheet, cell): None})
    r = validate(p)
    f = one(r, "monthly.total_heat_missing")
    assert f.severity is Severity.error and f.clause == "表5–表7" and at(f) == (sheet, cell)
    assert "2024-12" in f.message("en") and r.exit_code == 1


def test_every_rule_finding_of_a_broken_workbook_is_located(good):
    """Several mistakes at once: each finding has its own sheet and cell."""
    d = example()
    edits = {located("monthly[1].electricity_kwh.air", d): None, located("areas[0].q_w_per_m2", d): 45,
             located("project.statements.data_authorised", d): "否", located("monthly[0].heating_hours", d): 290}
    set_cells(good, edits)
    r = validate(good)
    by_code = {f.code: at(f) for f in r.report.findings}
    assert by_code["monthly.electricity_missing"] == located("monthly[1].electricity_kwh.air", d)
    assert by_code["area.q_above_table"] == located("areas[0].q_w_per_m2", d)
    assert by_code["statement.not_affirmed"] == located("project.statements.data_authorised", d)
    assert by_code["hours.exceed_calendar"] == located("monthly[0].heating_hours", d)
    for f in r.report.findings:
        assert f.location is not None and f.location.sheet, f


# =========================================================================================================
# 4. Recomputation against the values Excel cached
# =========================================================================================================
def serial(day: date) -> float:
    """An Excel date serial (1900 system), as a workbook caches a date."""
    return float((day - date(1899, 12, 30)).days)


#: every cell of 核算 the validator compares, for the SPEC §12 example: results key (and type) → value shown
EXAMPLE_SHOWN = {
    **{(k, None): v for k, v in EXPECTED_RESULTS.items()},
    ("electricity_by_type_kwh", "ground"): 0.0, ("electricity_by_type_kwh", "air"): float(W),
    ("electricity_by_type_kwh", "wastewater"): 0.0,
    ("method", None): "估算", ("estimate_basis", None): "电算法", ("recheck_needed", None): "无需复核",
    ("crediting_period_start", None): serial(date(2023, 10, 20)),
    ("crediting_period_end", None): serial(date(2038, 10, 19)),  # 15 years less a day
    ("records_keep_until", None): serial(date(2043, 10, 19)),  # 5 years after
}


def compared_cells(addin: bool = False) -> dict[tuple[str, str | None], str]:
    """(results key, type) → the cell the schema says holds it: native (column E, B–D) or the add-in's (F)."""
    out = {}
    for check in L.LAYOUT.calc_checks:
        cell = check.addin if addin else check.native
        if cell:
            out[(check.key, check.sub)] = cell
    return out


def shown(values: dict, addin=None) -> dict[str, object]:
    """Cell → cached value: the native cells hold ``values``; the add-in's hold the same, or ``addin``."""
    out = {compared_cells()[k]: v for k, v in values.items()}
    for k, cell in compared_cells(addin=True).items():
        out[cell] = values[k] if addin is None else addin
    return out


def test_every_compared_cell_is_known_for_the_example(good):
    assert set(compared_cells()) == set(EXAMPLE_SHOWN)
    assert read_workbook(good).result_cells() == L.LAYOUT.result_cells
    for key, where in L.LAYOUT.result_cells.items():
        assert where[0] == "核算" and where == calc_cell(key), key


def test_correct_cached_values_give_no_finding(good):
    inject_cached(good, shown(EXAMPLE_SHOWN))
    r = validate(good)
    assert r.report.findings == [] and r.exit_code == 0


def test_one_wrong_cached_value_is_a_mismatch_at_its_cell(good):
    values = dict(EXAMPLE_SHOWN)
    values[("baseline_emissions_t", None)] = 305.5  # someone typed over the result
    inject_cached(good, shown(values, addin="#NAME?"))
    r = validate(good)
    f = one(r, "recompute.mismatch")
    assert f.severity is Severity.error and f.clause == "6.2.3.3"
    assert at(f) == calc_cell("baseline_emissions_t")
    for lang in ("zh", "en"):
        assert "305.5" in f.message(lang) and "304.128" in f.message(lang) and "基准线排放" in f.message(lang)
        assert "baseline_emissions_t" not in f.message(lang)
    assert r.exit_code == 1 and only(r, "recompute.no_cached_value") == []


def test_a_tiny_rounding_difference_is_not_a_mismatch(good):
    values = dict(EXAMPLE_SHOWN)
    values[("project_emissions_t", None)] = float(f"{PE:.15g}")  # Excel keeps 15 significant digits
    inject_cached(good, shown(values))
    r = validate(good)
    assert only(r, "recompute.mismatch") == [] and r.exit_code == 0


def test_name_errors_without_the_add_in_are_one_info_and_the_native_results_are_compared(good):
    inject_cached(good, shown(EXAMPLE_SHOWN, addin="#NAME?"))
    r = validate(good)
    f = one(r, "recompute.addin_not_installed")
    assert f.severity is Severity.info and f.clause == "6.2.3.3" and at(f)[0] == "核算"
    assert "#NAME?" in f.message("en") and str(len(compared_cells(addin=True))) in f.message("en")
    assert only(r, "recompute.mismatch") == [] and r.exit_code == 0
    assert_example_results(r)


def test_some_name_errors_and_the_rest_correct(good):
    values = shown(EXAMPLE_SHOWN)
    values[calc_cell("emission_reductions_t")[1]] = "#NAME?"
    inject_cached(good, values)
    r = validate(good)
    f = one(r, "recompute.no_cached_value")
    assert at(f) == calc_cell("emission_reductions_t") and "1 " in f.message("en")
    assert only(r, "recompute.mismatch") == [] and r.exit_code == 0


def test_cached_values_of_a_metered_project(tmp_path):
    """A heat-metered ground-source project: the sheet shows "" for the estimation steps (no estimate is
    made) and numbers for the rest; none of it is a mismatch."""
    d = metered_ground()
    p = filled(tmp_path, d)
    q = sum(GROUND_HEAT_GJ)  # 2 070 GJ metered
    w = sum(GROUND_KWH)  # 170 000 kWh
    be = q * 0.11
    pe = w / (1 - 4.37 / 100) * 1e-3 * 0.4671
    start = date.fromisoformat(d["project"]["operation_start"])
    expected = {("heating_hours", None): T, ("electricity_kwh", None): w, ("heat_elec_method_gj", None): "",
                ("heat_area_method_gj", None): "", ("deviation", None): "", ("heat_supplied_gj", None): q,
                ("baseline_emissions_t", None): be, ("project_emissions_t", None): pe,
                ("emission_reductions_t", None): be - pe,
                ("creditable_reductions_t", None): math.floor(round((be - pe) * 100, 6)) / 100,
                ("electricity_by_type_kwh", "ground"): w, ("electricity_by_type_kwh", "air"): 0.0,
                ("electricity_by_type_kwh", "wastewater"): 0.0, ("method", None): "计量",
                ("estimate_basis", None): "—", ("recheck_needed", None): "—",
                ("crediting_period_start", None): serial(start),
                ("crediting_period_end", None): serial(start.replace(year=start.year + 15) - timedelta(days=1)),
                ("records_keep_until", None): serial((start.replace(year=start.year + 15) - timedelta(days=1))
                                                     .replace(year=start.year + 20))}
    assert q == 2070 and w == 170_000 and start.month != 2
    inject_cached(p, shown(expected))
    r = validate(p)
    assert only(r, "recompute.mismatch") == [] and only(r, "recompute.no_cached_value") == []
    assert r.exit_code == 0, [(f.code, f.location) for f in errors(r)]
    # and a wrong metered total is caught
    inject_cached(p, {calc_cell("heat_supplied_gj")[1]: 2170.0})
    f = one(validate(p), "recompute.mismatch")
    assert at(f) == calc_cell("heat_supplied_gj") and "2170" in f.message("en") and "2070" in f.message("en")


@pytest.mark.parametrize("how", ["deleted", "renamed"])
def test_a_missing_calculation_sheet_is_said_as_such(good, how):
    """Without its 核算 sheet the workbook's own results cannot be compared: a warning saying so (the data
    is all there and the validator computes everything), not "Excel did not calculate the file"."""
    if how == "deleted":
        edit(good, lambda wb: wb.remove(wb[L.S_CALC]))
    else:
        edit(good, lambda wb: setattr(wb[L.S_CALC], "title", "我的核算"))
    r = validate(good)
    f = one(r, "recompute.no_calc_sheet")
    assert f.severity is Severity.warning and f.clause == "6.2.3.3" and "核算" in f.message("zh")
    assert only(r, "recompute.no_cached_value") == [] and only(r, "recompute.mismatch") == []
    assert r.exit_code == 0
    assert_example_results(r)


def test_a_workbook_never_calculated_gets_one_info(good):
    r = validate(good)
    f = one(r, "recompute.no_cached_value")
    assert f.severity is Severity.info and r.exit_code == 0


# =========================================================================================================
# the report of a workbook
# =========================================================================================================
DOCUMENTED_RESULTS = {"heat_supplied_gj", "heat_elec_method_gj", "heat_area_method_gj", "deviation", "method",
                      "heat_by_type_gj", "baseline_emissions_t", "project_emissions_t", "emission_reductions_t",
                      "creditable_reductions_t", "crediting_period_end", "records_keep_until"}
DOCUMENTED_FINDING = {"code", "severity", "clause", "message", "field", "sheet", "cell"}


@pytest.mark.parametrize("kind", ["good", "bad", "not_zip", "not_template"])
def test_report_dict_has_the_documented_keys(good, tmp_path, kind):
    if kind == "bad":
        set_cells(good, {located("monthly[2].electricity_kwh.air", example()): "abc"})
    elif kind == "not_zip":
        good.write_bytes(b"%PDF-1.7 not a workbook")
    elif kind == "not_template":
        wb = Workbook()
        wb.save(good)
    r = validate(good)
    out = r.report.to_dict("en")
    assert {"file", "sha256", "template_version", "status", "counts", "results", "findings", "trace"} <= set(out)
    assert out["sha256"] == hashlib.sha256(good.read_bytes()).hexdigest()
    assert set(out["counts"]) == {"error", "warning", "info"}
    for f in out["findings"]:
        assert set(f) == DOCUMENTED_FINDING, f
        assert f["clause"]
    if kind == "good":
        assert DOCUMENTED_RESULTS <= set(out["results"]) and out["template_version"] == L.TEMPLATE_VERSION
        assert out["results"]["crediting_period_end"] == "2038-10-19"
        assert out["results"]["records_keep_until"] == "2043-10-19"
    else:
        assert out["status"] == "fail"


def test_the_submitted_file_is_never_modified(good, tmp_path):
    before = hashlib.sha256(good.read_bytes()).hexdigest()
    mtime = good.stat().st_mtime_ns
    r = validate(good, annotate_dir=tmp_path / "annotated")
    assert hashlib.sha256(good.read_bytes()).hexdigest() == before == r.report.meta["sha256"]
    assert good.stat().st_mtime_ns == mtime


def test_validate_file_never_raises_for_a_missing_file(tmp_path):
    r = check_result(validate_file(tmp_path / "nope.xlsx"))
    assert r.exit_code == 2 and r.report.findings and r.report.findings[0].clause
