"""The generated template: the committed files match the generator, and the workbook has what a
person needs — unlocked inputs in one colour, dropdowns, input messages with unit and clause,
required-cell highlighting, frozen headers, A4 print setup, a version stamp, HP_* formulas."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hpcarbon.workbook import layout as L
from hpcarbon.workbook.fill import fill_bytes
from hpcarbon.workbook.template import COLOURS, input_message, template_bytes

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "workbook_templates" / "hpcarbon-declaration-template.xlsx"
EXAMPLES = ROOT / "workbook_templates" / "examples"
REGENERATE = "python workbook_templates/regenerate.py"


def _parts(payload: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(payload)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _assert_same_workbook(committed: Path, generated: bytes) -> None:
    assert committed.exists(), f"{committed} is missing; run {REGENERATE}"
    old, new = _parts(committed.read_bytes()), _parts(generated)
    assert sorted(old) == sorted(new), f"{committed.name}: parts differ; run {REGENERATE}"
    changed = [name for name in old if old[name] != new[name]]
    assert changed == [], f"{committed.name} differs from the generator in {changed}; run {REGENERATE}"


@pytest.fixture(scope="module")
def wb():
    return load_workbook(io.BytesIO(template_bytes()))


def test_generation_is_deterministic():
    assert template_bytes() == template_bytes()


def test_committed_template_matches_generator():
    _assert_same_workbook(TEMPLATE, template_bytes("zh"))


@pytest.mark.parametrize("source", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_committed_examples_match_their_json(source):
    _assert_same_workbook(source.with_suffix(".xlsx"), fill_bytes(json.loads(source.read_text("utf-8"))))


def test_examples_include_the_required_projects():
    names = {p.stem for p in EXAMPLES.glob("*.json")}
    assert {"example-declaration", "example-metered-ground-source", "example-coupled-total-meter"} <= names
    for name in names:
        assert (EXAMPLES / f"{name}.xlsx").exists()


def test_sheets_in_order(wb):
    assert wb.sheetnames == ["填表说明", "项目信息", "热泵系统", "月度数据", "COP记录", "面积", "复核记录", "参数",
                             "核算", "列表"]
    assert wb["列表"].sheet_state == "hidden"
    assert all(wb[s].sheet_state == "visible" for s in wb.sheetnames[:-1])


def test_version_stamp(wb):
    assert wb["填表说明"]["B3"].value == L.TEMPLATE_VERSION
    assert wb.defined_names["HP_TEMPLATE_VERSION"].attr_text == "'填表说明'!$B$3"


def _input_cells(wb):
    for slot in L.LAYOUT.slots:
        if slot.locked:
            continue
        rows = range(L.LAYOUT.tables[slot.table].first_row, L.LAYOUT.tables[slot.table].last_row + 1) \
            if slot.table else [slot.row]
        for r in rows:
            yield slot, wb[slot.sheet][slot.cell(r)]


def test_inputs_unlocked_in_one_colour_everything_else_locked(wb):
    inputs = set()
    for slot, cell in _input_cells(wb):
        assert cell.protection.locked is False, (slot.path, cell.coordinate)
        assert cell.fill.fgColor.rgb.endswith(COLOURS["input"]), (slot.path, cell.coordinate)
        inputs.add((slot.sheet, cell.coordinate))
    for ws in wb.worksheets:
        assert ws.protection.sheet is True, ws.title
        assert not ws.protection.password, ws.title
        for row in ws.iter_rows():
            for cell in row:
                if (ws.title, cell.coordinate) in inputs:
                    continue
                assert cell.protection.locked is not False, (ws.title, cell.coordinate)
                if cell.fill.fill_type == "solid" and ws.title != "填表说明":  # (its colour legend shows it)
                    assert not cell.fill.fgColor.rgb.endswith(COLOURS["input"]), (ws.title, cell.coordinate)


def test_parameters_are_locked_and_prefilled(wb):
    ws = wb["参数"]
    assert (ws["B5"].value, ws["B6"].value, ws["B7"].value) == (0.11, 0.4671, 4.37)
    assert all(ws[c].protection.locked for c in ("B5", "B6", "B7"))
    assert "GB/T 32150-2025" in ws["E5"].value


def test_every_input_has_a_validation_with_unit_and_clause(wb):
    for slot in L.LAYOUT.slots:
        if slot.locked:
            continue
        row = L.LAYOUT.tables[slot.table].last_row if slot.table else None
        matches = [dv for dv in wb[slot.sheet].data_validations.dataValidation if slot.cell(row) in dv.sqref]
        assert len(matches) == 1, slot.path
        dv = matches[0]
        assert dv.showInputMessage and dv.prompt and dv.promptTitle, slot.path
        assert len(dv.promptTitle) <= 32 and len(dv.prompt) <= 255, slot.path
        clause = L.clause_text(slot.spec.clause)
        assert f"条款 {clause}" in dv.prompt and f"clause {clause}" in dv.prompt, slot.path
        if slot.spec.unit and slot.spec.unit != "-":
            assert f"单位 {slot.spec.unit}" in dv.prompt, slot.path
        if slot.spec.vocab is not None:
            assert dv.type == "list" and dv.formula1 == slot.spec.vocab.name, slot.path
            if slot.spec.vocab.closed:
                assert dv.errorStyle in (None, "stop"), slot.path


def test_dropdown_lists_hold_the_chinese_labels(wb):
    ws = wb["列表"]
    for vocab in L.VOCABS:
        ref = L.LAYOUT.defined_names[vocab.name]
        sheet, rng = ref.split("!")
        assert sheet == "'列表'"
        cells = ws[rng.replace("$", "")]
        values = [row[0].value for row in cells] if isinstance(cells, tuple) else [cells.value]
        assert values == [o.zh for o in vocab.options]
    districts = [o.zh for o in L.DISTRICT.options]
    assert districts[0] == "南关区" and "中韩（长春）国际合作示范区" in districts and len(districts) == 17


def test_input_messages_fit_excel_limits():
    for slot in L.LAYOUT.slots:
        title, prompt = input_message(slot.spec)
        assert len(title) <= 32 and len(prompt) <= 255, (slot.path, len(prompt))


def test_required_cells_are_highlighted(wb):
    ws = wb["项目信息"]
    rules = {str(rng.sqref): [r.formula[0] for r in rules] for rng, rules in ws.conditional_formatting._cf_rules.items()}
    assert rules["B6"] == ["LEN(TRIM(B6))=0"]  # project name: always required
    assert "B14" not in rules  # phone: optional
    ws = wb["月度数据"]
    rules = {str(rng.sqref): [r.formula[0] for r in rules] for rng, rules in ws.conditional_formatting._cf_rules.items()}
    assert rules["F5:F28"] == ['AND(COUNTA($A5:$K5)>0,HP_IN_USE_AIR="是",LEN(TRIM(F5))=0)']
    ws = wb["热泵系统"]
    rules = {str(rng.sqref): [r.formula[0] for r in rules] for rng, rules in ws.conditional_formatting._cf_rules.items()}
    assert rules["B8:D8"] == ['AND(B$5="是",B$7="是",LEN(TRIM(B8))=0)']  # heat meter id when heat-metered


def test_frozen_headers_and_print_setup(wb):
    assert wb["月度数据"].freeze_panes == "B5"
    assert wb["COP记录"].freeze_panes == "A4"
    assert wb["项目信息"].freeze_panes == "A4"
    for ws in wb.worksheets[:-1]:
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4), ws.title
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.print_area, ws.title
    assert wb["月度数据"].print_title_rows.replace("$", "") == "1:4"
    assert wb["COP记录"].print_title_rows.replace("$", "") == "1:3"


def test_number_formats_carry_units(wb):
    assert wb["月度数据"]["E5"].number_format.endswith('" kWh"')
    assert wb["月度数据"]["H5"].number_format.endswith('" GJ"')
    assert wb["面积"]["C4"].number_format.endswith('" m²"')
    assert wb["项目信息"]["B16"].number_format == "yyyy-mm-dd"
    assert wb["项目信息"]["B13"].number_format == "@"  # an 18-digit ID must stay text


def test_calculation_uses_the_agreed_udfs(wb):
    ws = wb["核算"]
    formulas = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    text = "\n".join(formulas)
    for udf in ("HP_HEAT_ELEC(", "HP_HEAT_AREA(", "HP_HEAT_CONSERVATIVE(", "HP_DEVIATION(", "HP_BASELINE(",
                "HP_PROJECT_EMISSIONS(", "HP_REDUCTION(", "HP_CREDITABLE(", "HP_PARAM("):
        assert udf in text, udf
    # the table q is looked up natively (INDEX/MATCH on the lists sheet's copy of 表2), no add-in needed
    assert "INDEX(HP_Q_LOWEST_SAVING,MATCH($A4,HP_Q_LABEL,0))" in wb["面积"]["H4"].value
    lists = wb["列表"]
    labels = [lists.cell(r, L.Q_TABLE_FIRST_COLUMN).value for r in range(2, 11)]
    assert labels[0] == "住宅" and len(set(labels)) == 9
    # the results have defined names the validator can read cached values through
    for key, (sheet, cell) in L.LAYOUT.result_cells.items():
        value = wb[sheet][cell].value
        assert isinstance(value, str) and value.startswith("="), key
    names = L.LAYOUT.defined_names
    assert names["HP_CALC_BE"] == f"'核算'!${L.LAYOUT.result_cells['baseline_emissions_t'][1][0]}$" \
                                  f"{L.LAYOUT.result_cells['baseline_emissions_t'][1][1:]}"
    # the native result in E, the add-in's beside it in F, their agreement in G
    row = L.LAYOUT.result_cells["creditable_reductions_t"][1][1:]
    assert ws[f"E{row}"].value == "=IF(HP_CALC_ER<=0,0,ROUNDDOWN(ROUND(HP_CALC_ER,9),2))"
    assert ws[f"F{row}"].value == "=HP_CREDITABLE(HP_CALC_ER_ADDIN)"
    assert ws[f"G{row}"].value.startswith(f"=IF(ISERROR(F{row}),")


def test_every_name_used_in_a_formula_is_defined(wb):
    defined = set(L.LAYOUT.defined_names)
    udfs = {"HP_HEAT_ELEC", "HP_HEAT_AREA", "HP_HEAT_CONSERVATIVE", "HP_DEVIATION", "HP_BASELINE",
            "HP_PROJECT_EMISSIONS", "HP_REDUCTION", "HP_CREDITABLE", "HP_Q_INDEX", "HP_PARAM", "HP_COP_MEAN"}
    used = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("="):
                    used |= set(re.findall(r"\bHP_[A-Z_]+\b", re.sub(r'"[^"]*"', "", c.value)))
    for ws in wb.worksheets:
        for rules in ws.conditional_formatting._cf_rules.values():
            for r in rules:
                used |= set(re.findall(r"\bHP_[A-Z_]+\b", r.formula[0]))
    assert used - udfs - defined == set()


def test_english_first_template_has_the_same_cells():
    zh = load_workbook(io.BytesIO(template_bytes("zh")))
    en = load_workbook(io.BytesIO(template_bytes("en")))
    assert zh.sheetnames == en.sheetnames
    assert set(zh.defined_names) == set(en.defined_names)
    assert en["项目信息"]["A6"].value.startswith("Project name")
    assert zh["项目信息"]["A6"].value.startswith("项目名称")
    assert en["填表说明"]["B3"].value == L.TEMPLATE_VERSION


def test_numbers_are_saved_with_every_digit():
    """SPEC §9: a number keeps its full double precision in the saved file (openpyxl alone writes %.16g,
    so 0.1 + 0.2 would come back as 0.3)."""
    from openpyxl import Workbook

    from hpcarbon.workbook.template import workbook_bytes

    wb = Workbook()
    values = [0.1 + 0.2, 1 / 3, 2764.8000000000002, 5e-324, 147.82558444000001]
    for i, v in enumerate(values, start=1):
        wb.active.cell(i, 1, v)
    back = load_workbook(io.BytesIO(workbook_bytes(wb))).active
    assert [back.cell(i, 1).value for i in range(1, len(values) + 1)] == values
    assert back.cell(1, 1).value != 0.3


def test_a_dropdown_s_choices_in_each_language():
    assert L.YES_NO.choices("zh") == "是、否"
    assert L.COP_SOURCE.choices("en") == "test report, on-site measurement"


def test_a_dropdown_s_error_says_the_same_in_both_languages(wb):
    """Typing a value the dropdown does not hold: the Chinese line lists the list's values, the English line
    points at those same values (not a bare 'choose from the list' while the Chinese names 是、否); within
    Excel's 255 characters."""
    checked = set()
    for slot in L.LAYOUT.slots:
        if slot.locked or slot.spec.vocab is None:
            continue
        row = L.LAYOUT.tables[slot.table].last_row if slot.table else None
        dv = next(dv for dv in wb[slot.sheet].data_validations.dataValidation if slot.cell(row) in dv.sqref)
        zh, en = dv.error.split("\n")
        assert zh == "请从下拉列表中选择：" + "、".join(o.zh for o in slot.spec.vocab.options), slot.path
        assert en == "Choose one of the values above from the dropdown list.", slot.path
        assert len(dv.error) <= 255, slot.path
        checked.add(slot.spec.vocab.name)
    assert "HP_LIST_YES_NO" in checked
    yes_no = next(dv for dv in wb["项目信息"].data_validations.dataValidation if dv.formula1 == "HP_LIST_YES_NO")
    assert yes_no.error.startswith("请从下拉列表中选择：是、否\n")
