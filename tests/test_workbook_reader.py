"""The reader on what a person types, and on what it cannot read: every finding located at its
sheet and cell with the field's clause. Cells are edited with openpyxl after ``fill``, as a person
would in Excel. Cell addresses follow the sheet designs (worked out by hand, not from the code):

项目信息  B5 id · B6 name · B7 district · B9 operation start · B11–B14 owner · B16/B17 season · B20–B24 statements
热泵系统  columns B ground, C air, D waste-heat; rows 5 in use · 10 electricity meter · 13 COP source · 18 covers
月度数据  rows 5…28; A month · B hours · C outage · E/F/G electricity ground/air/waste-heat · K total heat
COP记录   rows 4…; A type · B date · C outdoor °C · D condition · E extreme · F COP
面积      rows 4…; A building type · B energy-saving · C area · D q · E/F/G served by
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook

from hpcarbon.model import Declaration, OwnerType, declaration_to_json
from hpcarbon.workbook.reader import read_workbook

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "workbook_templates" / "examples"
SHARED = EX / "example-declaration"  # air source, 7 months, COP from a test report
COUPLED = EX / "example-coupled-total-meter"  # ground + air, total-output meter, 16 on-site air COPs


def expected(example: Path) -> dict:
    return declaration_to_json(Declaration.model_validate(json.loads(example.with_suffix(".json").read_text("utf-8"))))


def edited(example: Path, tmp_path: Path, edits: dict, formats: dict | None = None, change=None) -> Path:
    wb = load_workbook(example.with_suffix(".xlsx"))
    for (sheet, cell), value in edits.items():
        wb[sheet][cell].value = value
    for (sheet, cell), fmt in (formats or {}).items():
        wb[sheet][cell].number_format = fmt
    if change:
        change(wb)
    out = tmp_path / "edited.xlsx"
    wb.save(out)
    return out


def where(result, code=None):
    return {(f.code, f.location.sheet, f.location.cell, f.clause, f.field) for f in result.findings
            if code is None or f.code == code}


def test_reads_what_a_person_types(tmp_path):
    path = edited(SHARED, tmp_path, {
        ("月度数据", "F5"): "16000",  # a number stored as text
        ("月度数据", "F6"): "４６０００",  # full-width digits
        ("月度数据", "F7"): " 62,000 ",  # thousands separator and spaces
        ("月度数据", "B5"): "288.0",
        ("月度数据", "A5"): datetime(2024, 10, 1),  # Excel turned the month into a date
        ("月度数据", "A6"): "2024年11月",
        ("月度数据", "A7"): "2024/12",
        ("月度数据", "D5"): "FALSE",
        ("项目信息", "B16"): " 2024/10/20 ",
        ("项目信息", "B17"): "2025年4月5日",
        ("项目信息", "B9"): 45219,  # Excel serial of 2023-10-20, in a General cell
        ("项目信息", "B7"): "南关区 ",
        ("项目信息", "B13"): "９１２２０１０１ＭＡ０Ｙ４Ｈ５Ｘ３Ｔ",
        ("项目信息", "B20"): True,
        ("项目信息", "B21"): "TRUE",
        ("项目信息", "B22"): "是 ",
        ("项目信息", "B23"): "yes",
        ("项目信息", "B24"): 1,
        ("热泵系统", "C13"): " 检测报告",
        ("热泵系统", "C14"): "2.4",
        ("面积", "A4"): "住宅 ",
        ("面积", "B4"): "是",
        ("面积", "C4"): "5000",
    }, formats={("项目信息", "B9"): "General"})
    result = read_workbook(path)
    assert declaration_to_json(result.declaration) == expected(SHARED)
    # read, but the workbook's own formulas ignore what is not typed as they expect: a warning at each such
    # cell, saying how to retype it (a real number, the dropdown's 是/否 and labels, a date, a YYYY-MM text)
    coerced = {(f.location.sheet, f.location.cell) for f in result.findings if f.code == "field.coerced"}
    assert all(f.code == "field.coerced" and f.severity.value == "warning" for f in result.findings)
    assert coerced == {("月度数据", c) for c in ("F5", "F6", "F7", "B5", "A5", "A6", "A7", "D5")} | {
        ("项目信息", c) for c in ("B16", "B17", "B7", "B20", "B21", "B22", "B23", "B24")} | {
        ("热泵系统", "C13"), ("热泵系统", "C14"), ("面积", "A4"), ("面积", "C4")}
    by_cell = {f.location.cell: f for f in result.findings if f.location.sheet == "月度数据"}
    assert "'16000'" in by_cell["F5"].message("zh") and "16000" in by_cell["F5"].message("en")
    assert "number stored as text" in by_cell["F5"].message("en")
    yes = next(f for f in result.findings if f.location.cell == "B23")
    assert "“是”" in yes.message("zh") and "'yes'" in yes.message("en")
    # an owner's personal data is never echoed: the full-width ID is read, no warning quoting it
    assert not any(f.location.cell == "B13" for f in result.findings)


def test_serial_dates_in_date_cells_and_as_text(tmp_path):
    path = edited(SHARED, tmp_path, {("项目信息", "B16"): 45585, ("项目信息", "B17"): "45752",
                                     ("项目信息", "B9"): "20231020"})
    decl = read_workbook(path).declaration
    assert decl.season.start == date(2024, 10, 20)  # 45585 = 2024-10-20
    assert decl.season.end == date(2025, 4, 5)  # 45752 = 45585 + 167 days
    assert decl.project.operation_start == date(2023, 10, 20)


def test_unreadable_cells_are_located_with_their_clause(tmp_path):
    path = edited(SHARED, tmp_path, {
        ("月度数据", "F8"): "abc",
        ("月度数据", "B6"): "#N/A",
        ("项目信息", "B16"): "2024-13-45",
        ("项目信息", "B7"): "朝阳",
        ("面积", "C4"): "五千",
    })
    result = read_workbook(path)
    assert where(result) == {
        ("field.invalid", "月度数据", "F8", "表9–表11", "monthly[3].electricity_kwh.air"),
        ("field.invalid", "月度数据", "B6", "6.2.4.2", "monthly[1].heating_hours"),
        ("field.invalid", "项目信息", "B16", "5.2", "season.start"),
        ("field.invalid", "项目信息", "B7", "1", "project.district"),
        ("field.invalid", "面积", "C4", "6.2.2", "areas[0].area_m2"),
    }
    assert result.declaration is None  # required fields could not be read
    by_cell = {f.location.cell: f for f in result.findings}
    assert "不是数值" in by_cell["F8"].message("zh") and "'abc'" in by_cell["F8"].message("zh")
    assert "is not a number" in by_cell["F8"].message("en")
    assert "#N/A" in by_cell["B6"].message("zh")
    assert "南关区" in by_cell["B7"].message("zh")  # the allowed values are listed


def test_model_errors_map_back_to_their_cells(tmp_path):
    path = edited(SHARED, tmp_path, {
        ("月度数据", "F5"): -5,
        ("项目信息", "B11"): None,  # owner type
        ("项目信息", "B17"): datetime(2024, 1, 1),  # season ends before it starts
    })
    result = read_workbook(path)
    assert where(result) == {
        ("field.invalid", "月度数据", "F5", "表9–表11", "monthly[0].electricity_kwh.air"),
        ("field.required", "项目信息", "B11", "2.2", "project.owner.type"),
        ("field.invalid", "项目信息", "B16", "5.2", "season"),
    }
    f5 = next(f for f in result.findings if f.location.cell == "F5")
    assert "应不小于 0" in f5.message("zh") and "must be at least 0" in f5.message("en")
    season = next(f for f in result.findings if f.field == "season")
    # the field's label, then what is wrong with it (the label is not said twice)
    assert season.message("zh") == "「供暖期 / heating season」 结束日期早于开始日期"
    assert season.message("en") == "「供暖期 / heating season」 ends before it starts"


def test_measurement_and_total_meter_errors_are_located(tmp_path):
    path = edited(COUPLED, tmp_path, {("COP记录", "F4"): 0, ("热泵系统", "B18"): "否", ("热泵系统", "C18"): "否"})
    result = read_workbook(path)
    assert where(result) == {
        ("field.invalid", "COP记录", "F4", "表8", "systems[1].cop.measurements[0].value"),
        ("field.invalid", "热泵系统", "B18", "表5–表7", "total_heat_meter.covers"),
    }


def test_an_empty_row_is_absent_and_rows_are_numbered_as_used(tmp_path):
    def clear_row_6(wb):
        for col in "ABCDEFGHIJK":
            wb["月度数据"][f"{col}6"].value = None

    result = read_workbook(edited(SHARED, tmp_path, {}, change=clear_row_6))
    decl = result.declaration
    assert [m.month for m in decl.monthly] == ["2024-10", "2024-12", "2025-01", "2025-02", "2025-03", "2025-04"]
    assert result.provenance["monthly[1].electricity_kwh.air"] == ("月度数据", "F7")
    assert result.locate("monthly[1].electricity_kwh.air") == ("月度数据", "F7")
    assert result.locate("monthly[5].month") == ("月度数据", "A11")


def test_blank_is_a_missing_reading_and_zero_a_reading(tmp_path):
    result = read_workbook(edited(SHARED, tmp_path, {("月度数据", "F5"): None, ("月度数据", "F6"): 0}))
    m0, m1 = result.declaration.monthly[:2]
    assert "air" not in {t.value for t in m0.electricity_kwh}
    assert [(t.value, v) for t, v in m1.electricity_kwh.items()] == [("air", 0.0)]
    # the empty cell is still known, so a rule's finding about it lands there
    assert result.locate("monthly[0].electricity_kwh.air") == ("月度数据", "F5")


def test_rule_findings_are_located_by_the_read(tmp_path):
    from hpcarbon.findings import placed
    from hpcarbon.rules import check, make_context

    result = read_workbook(edited(SHARED, tmp_path, {("月度数据", "F8"): None}))
    located = placed(check(result.declaration, make_context(result.declaration)), result.locate)
    missing = [f for f in located if f.code == "monthly.electricity_missing"]
    assert [(f.location.sheet, f.location.cell) for f in missing] == [("月度数据", "F8")]


def test_a_column_with_data_needs_its_in_use_answer(tmp_path):
    result = read_workbook(edited(COUPLED, tmp_path, {("热泵系统", "D5"): None, ("热泵系统", "D10"): "EM-WW-9"}))
    assert where(result) == {("field.required", "热泵系统", "D5", "6.2.1", None)}
    assert [s.type.value for s in result.declaration.systems] == ["ground", "air"]


def test_data_of_a_type_not_in_use_is_ignored_with_a_warning(tmp_path):
    result = read_workbook(edited(COUPLED, tmp_path, {
        ("热泵系统", "D5"): "否", ("热泵系统", "D10"): "EM-WW-9",
        ("COP记录", "A20"): "低温余热水源热泵", ("COP记录", "B20"): date(2025, 1, 10), ("COP记录", "F20"): 3.1,
    }))
    assert where(result) == {("workbook.data_ignored", "热泵系统", "D5", "6.2.1", None),
                             ("workbook.data_ignored", "COP记录", "A20", "表8", None)}
    assert {f.severity.value for f in result.findings} == {"warning"}
    assert declaration_to_json(result.declaration) == expected(COUPLED)


def test_no_system_in_use_is_located_at_the_systems_sheet(tmp_path):
    result = read_workbook(edited(SHARED, tmp_path, {("热泵系统", "C5"): "否"}))
    assert ("field.invalid", "热泵系统", "A5", "6.2.1", "systems") in where(result)
    assert result.declaration is None


def test_personal_data_is_never_echoed(tmp_path):
    result = read_workbook(edited(SHARED, tmp_path, {
        ("项目信息", "B11"): "个人", ("项目信息", "B12"): "#REF!", ("项目信息", "B13"): 220101199001011234.0}))
    assert result.owner_type is OwnerType.individual
    cells = {f.location.cell: f for f in result.findings}
    assert set(cells) == {"B12", "B13"}
    for f in cells.values():
        assert "2201011990" not in f.bilingual() and "#REF!" not in f.bilingual()
    assert "内容不予显示" in cells["B12"].message("zh")


def test_template_version_is_checked(tmp_path):
    result = read_workbook(edited(SHARED, tmp_path, {("填表说明", "B3"): "0.9"}))
    assert result.unreadable and result.declaration is None
    assert result.template_version == "0.9"
    assert where(result) == {("workbook.template_version", "填表说明", "B3", "6.2.3.3", None)}


def test_missing_sheet_or_moved_rows_are_not_the_template(tmp_path):
    result = read_workbook(edited(SHARED, tmp_path, {}, change=lambda wb: wb.remove(wb["面积"])))
    assert result.unreadable and [f.code for f in result.findings] == ["workbook.not_template"]
    assert "面积" in result.findings[0].message("zh")
    result = read_workbook(edited(SHARED, tmp_path, {}, change=lambda wb: wb["项目信息"].insert_rows(5)))
    assert result.unreadable
    assert where(result) == {("workbook.not_template", "项目信息", "A5", "6.2.3.3", None)}


def test_a_file_that_is_not_a_workbook(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    result = read_workbook(bad)
    assert result.unreadable and result.declaration is None
    assert [f.code for f in result.findings] == ["input.unreadable"]


def test_validator_helpers(tmp_path):
    result = read_workbook(SHARED.with_suffix(".xlsx"))
    assert result.owner_type is OwnerType.enterprise
    assert result.raw_text("project.owner.id_number") == "91220101MA0Y4H5X3T"
    assert result.raw_text("project.owner.phone") == "0431-80000000"
    cells = result.result_cells()
    assert cells["heating_hours"] == ("核算", "E9")
    assert cells["creditable_reductions_t"][0] == "核算"


def _broken_declarations():
    """Model-valid declarations that break many rules (built from the shared test builders)."""
    import builders as b

    d = b.example()
    d["project"]["operation_start"] = "2020-01-01"
    d["project"]["statements"]["data_authorised"] = False
    d["parameters"].update(version="V09", ef_heat=0.2)
    d["systems"][0]["electricity_meter"] = None
    d["systems"][0]["cop"]["report_value"] = 9.5
    del d["monthly"][3]
    d["monthly"][1]["heating_hours"] = 800
    d["monthly"][2]["outage_hours"] = 900
    d["monthly"][4]["total_heat_gj"] = 5.0
    d["monthly"][4]["heat_gj"] = {"air": 3.0}
    d["areas"][0]["q_w_per_m2"] = 60
    d["recheck"] = {"performed": True, "by": None, "date": None, "note": None}
    yield d
    m = b.mixed()
    for area in m["areas"]:
        area.pop("served_by", None)
    yield m
    o = b.onsite()
    o["systems"][0]["cop"]["measurements"] = o["systems"][0]["cop"]["measurements"][2:]
    yield o
    c = b.coupled_total_meter()
    c["total_heat_meter"]["covers"] = ["ground", "air", "wastewater"]
    yield c


def test_every_rule_finding_of_a_read_workbook_is_located(tmp_path):
    """The validator's need: whatever path a rule names, the read workbook knows its cell."""
    from hpcarbon.rules import check, make_context
    from hpcarbon.workbook.fill import fill_bytes

    seen_codes = set()
    for n, data in enumerate(_broken_declarations()):
        target = tmp_path / f"broken{n}.xlsx"
        target.write_bytes(fill_bytes(data))
        result = read_workbook(target)
        assert result.declaration is not None, [f.bilingual() for f in result.findings]
        found = check(result.declaration, make_context(result.declaration))
        for f in found:
            if not f.field:
                continue
            seen_codes.add(f.code)
            where = result.locate(f.field)
            assert where is not None and where[1] is not None, (f.code, f.field)
    assert len(seen_codes) >= 12  # the declarations really do break many rules


def test_a_row_inserted_or_deleted_in_the_cop_table_is_named(tmp_path):
    """The COP table (no block of 核算 refers to its rows): a row a tool inserted or deleted is named by the
    formulas of its computed column (tests/test_workbook_structure.py: the monthly and areas tables)."""
    sheet, row = "COP记录", 10
    for op, change in (("deleted", lambda wb: wb[sheet].delete_rows(row)),
                       ("inserted", lambda wb: wb[sheet].insert_rows(row))):
        result = read_workbook(edited(COUPLED, tmp_path, {}, change=change))
        assert result.unreadable and result.declaration is None
        assert [(f.code, f.location.sheet, f.location.cell) for f in result.findings] == [
            ("workbook.not_template", sheet, f"A{row}")]
        en = result.findings[0].message("en")
        assert f"row {row} of" in en and op in en, en
        assert sheet in result.findings[0].message("zh")
