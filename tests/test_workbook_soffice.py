"""An independent application opens the workbooks: LibreOffice converts the template and every
example to PDF, and re-saves an example as .xlsx, which the reader must read back unchanged (a
file saved by another program than openpyxl). LibreOffice is required (tools/install-system-deps
installs it); these tests never skip."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hpcarbon.model import Declaration, declaration_to_json
from hpcarbon.workbook import layout as L
from hpcarbon.workbook.reader import read_workbook

ROOT = Path(__file__).resolve().parents[1]
WORKBOOKS = [ROOT / "workbook_templates" / "hpcarbon-declaration-template.xlsx",
             *sorted((ROOT / "workbook_templates" / "examples").glob("*.xlsx"))]
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def soffice(tmp_path: Path, target: str, *sources: Path) -> subprocess.CompletedProcess:
    assert SOFFICE, "LibreOffice (soffice) is required: run tools/install-system-deps"
    profile = tmp_path / "lo-profile"
    return subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--convert-to", target,
         "--outdir", str(tmp_path / "out"), *map(str, sources)],
        check=False, capture_output=True, text=True, timeout=300)


def test_template_and_examples_convert_to_pdf(tmp_path):
    proc = soffice(tmp_path, "pdf", *WORKBOOKS)
    assert proc.returncode == 0, proc.stderr
    visible = len([s for s in L.SHEETS if not s.hidden])
    for source in WORKBOOKS:
        pdf = tmp_path / "out" / f"{source.stem}.pdf"
        assert pdf.exists(), f"{source.name} did not convert: {proc.stdout} {proc.stderr}"
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF")
        pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))
        assert pages >= visible, (source.name, pages)  # at least a page per visible sheet


@pytest.fixture(scope="module")
def resaved_example(tmp_path_factory) -> Path:
    """The shared example re-saved by LibreOffice (its own results cached, HP_* names lower-cased)."""
    folder = tmp_path_factory.mktemp("resaved")
    source = ROOT / "workbook_templates" / "examples" / "example-declaration.xlsx"
    proc = soffice(folder, "xlsx:Calc MS Excel 2007 XML", source)
    assert proc.returncode == 0, proc.stderr
    return folder / "out" / source.name


def test_a_workbook_saved_by_libreoffice_reads_back_the_same(resaved_example):
    source = ROOT / "workbook_templates" / "examples" / "example-declaration.xlsx"
    resaved = resaved_example
    result = read_workbook(resaved)
    expected = declaration_to_json(Declaration.model_validate(json.loads(source.with_suffix(".json").read_text("utf-8"))))
    assert result.findings == []
    assert declaration_to_json(result.declaration) == expected
    # LibreOffice computed every step natively (SPEC §12's numbers); the add-in's HP_* cells are #NAME?
    ws = load_workbook(resaved, data_only=True)["核算"]
    cells = L.LAYOUT.result_cells
    assert ws[cells["heating_hours"][1]].value == 4032  # 288 + 720 + 744 + 744 + 672 + 744 + 120
    assert ws[cells["electricity_kwh"][1]].value == 320000
    assert ws[cells["baseline_emissions_t"][1]].value == pytest.approx(2764.8 * 0.11)
    assert ws[cells["creditable_reductions_t"][1]].value == 147.82
    row = cells["baseline_emissions_t"][1][1:]
    assert ws[f"F{row}"].value == "#NAME?" and ws[f"G{row}"].value == "未装加载项"


def _verdict(path: Path):
    from hpcarbon.validator import validate_file

    r = validate_file(path)
    cached_info = {"recompute.no_cached_value", "recompute.addin_not_installed", "recompute.explained_by_input",
                   "recompute.undetermined_by_input"}
    return r.report.status, sorted((f.code, f.severity.value, f.location.sheet if f.location else None,
                                    f.location.cell if f.location else None) for f in r.report.findings
                                   if f.code not in cached_info)


def test_the_verdict_does_not_depend_on_the_program_that_saved_the_file(tmp_path):
    """The same declaration written by openpyxl (no cached values) and re-saved by LibreOffice (its own
    results cached): the same status and findings, apart from the info about cached values — also when
    inputs are typed in ways the sheet's formulas ignore (a number stored as text, Y in a 是/否 cell)."""
    source = ROOT / "workbook_templates" / "examples" / "example-declaration.xlsx"
    clean = tmp_path / "clean.xlsx"
    clean.write_bytes(source.read_bytes())
    typed = tmp_path / "typed.xlsx"
    wb = load_workbook(source)
    month = L.MONTHLY.first_row
    elec = next(s for s in L.MONTHLY.slots if s.path.endswith("electricity_kwh.air"))
    wb[L.S_MONTHLY][f"{elec.column}{month}"] = "16000"  # a number stored as text
    statement = next(line for line in L.PROJECT_LINES if line.slots and "statements" in line.slots[0].path)
    wb[L.S_PROJECT][statement.slots[0].cell()] = "Y"
    wb.save(typed)
    # more coerced inputs, one per file: where the core cannot account the sheet's reading (a type not in
    # use, an area without its q, a test-report COP the sheet does not see) the results are undetermined,
    # said at the input — never an error that a file written by openpyxl would not have
    others = {}
    for name, (path, value) in {
            "cop-text": ("systems[{t}].cop.report_value", "2.4"), "in-use-y": ("systems[{t}]", "Y"),
            "saving-y": ("areas[{i}].energy_saving", "Y"), "area-text": ("areas[{i}].area_m2", "5000")}.items():
        # the example's only type is air source: column C of the systems sheet
        slot = next(s for s in L.LAYOUT.slots if s.path == path and (s.table or s.column == "C"))
        cell = slot.cell(L.AREAS.first_row if slot.table else None)
        wb = load_workbook(source)
        wb[slot.sheet][cell] = value
        wb[slot.sheet][cell].data_type = "s"
        wb.save(tmp_path / f"{name}.xlsx")
        others[tmp_path / f"{name}.xlsx"] = (slot.sheet, cell)
    proc = soffice(tmp_path, "xlsx:Calc MS Excel 2007 XML", clean, typed, *others)
    assert proc.returncode == 0, proc.stderr
    from hpcarbon.validator import validate_file

    for original, (sheet, cell) in others.items():
        resaved = tmp_path / "out" / original.name
        assert _verdict(original) == _verdict(resaved), original.name
        r = validate_file(resaved)
        assert r.report.status != "fail", original.name
        said = {(f.location.sheet, f.location.cell) for f in r.report.findings if f.code.endswith("_by_input")}
        assert said == {(sheet, cell)}, original.name
    for original in (clean, typed):
        resaved = tmp_path / "out" / original.name
        assert _verdict(original) == _verdict(resaved), original.name
    status, findings = _verdict(tmp_path / "out" / typed.name)
    assert status != "fail"
    assert {f[0] for f in findings} == {"field.coerced"}
    # the LibreOffice copy's results differ from the core (the sheet ignored the two inputs): said at the inputs
    r = validate_file(tmp_path / "out" / typed.name)
    explained = [f for f in r.report.findings if f.code == "recompute.explained_by_input"]
    # the text number: SUM ignores it; 'Y' in a statement cell: no formula reads it, nothing to explain
    assert [(f.location.sheet, f.location.cell, f.severity.value) for f in explained] == [
        (L.S_MONTHLY, f"{elec.column}{month}", "warning")]
    assert not [f for f in r.report.findings if f.code == "recompute.mismatch"]


def _udf_names(path: Path) -> set[str]:
    """The names of the add-in functions (HP_*, any case) the formulas of 核算 call, as written in the file."""
    from openpyxl.formula.tokenizer import Token, Tokenizer

    names = set()
    for row in load_workbook(path)[L.S_CALC].iter_rows():
        for c in row:
            if isinstance(c.value, str) and c.value.startswith("="):
                names |= {t.value[:-1] for t in Tokenizer(c.value).items
                          if t.type == Token.FUNC and t.subtype == Token.OPEN and t.value.upper().startswith("HP_")}
    return names


def test_lower_cased_function_names_are_the_add_ins_column_to_the_validator(resaved_example, tmp_path):
    """LibreOffice writes the add-in's functions it does not know in lower case (hp_param, hp_heat_elec …).
    The validator never matches function names: the add-in's column is the layout's cells, whatever they
    spell — so the lower-cased file is judged as the original: #NAME? there is one info; the add-in's values
    cached there (as Excel with the add-in saves them) are compared, and a wrong one is an error at its cell."""
    import hpcarbon_udfs

    from hpcarbon.accounting import compute
    from hpcarbon.declaration_io import declaration_from_data
    from hpcarbon.validator import validate_file
    from hpcarbon.validator.recompute import expected_cells
    from validate_support import inject_cached

    source = ROOT / "workbook_templates" / "examples" / "example-declaration.xlsx"
    written = _udf_names(resaved_example)
    assert written and all(n == n.lower() for n in written)  # LibreOffice lower-cased every one
    assert {n.upper() for n in written} == _udf_names(source)
    assert {n.upper() for n in written} <= set(hpcarbon_udfs.__all__)
    r = validate_file(resaved_example)
    assert r.exit_code == 0 and [f.code for f in r.report.findings] == ["recompute.addin_not_installed"]
    decl = declaration_from_data(json.loads(source.with_suffix(".json").read_text("utf-8"))).declaration
    addin = {e.cell: e.value for e in expected_cells(compute(decl), decl) if e.addin}
    assert len(addin) >= 9
    with_addin = inject_cached(resaved_example, {c: "" if v is None else v for c, v in addin.items()},
                               out=tmp_path / "with-addin.xlsx")
    r = validate_file(with_addin)
    assert r.exit_code == 0 and r.report.findings == []
    creditable = next(c for c in addin if c[1:] == L.LAYOUT.result_cells["creditable_reductions_t"][1][1:])
    wrong = inject_cached(with_addin, {creditable: 150.0}, out=tmp_path / "wrong.xlsx")
    r = validate_file(wrong)
    (f,) = r.report.findings
    assert (f.code, f.severity.value, f.location.cell) == ("recompute.mismatch", "error", creditable)
