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


def test_a_workbook_saved_by_libreoffice_reads_back_the_same(tmp_path):
    source = ROOT / "workbook_templates" / "examples" / "example-declaration.xlsx"
    proc = soffice(tmp_path, "xlsx:Calc MS Excel 2007 XML", source)
    assert proc.returncode == 0, proc.stderr
    resaved = tmp_path / "out" / source.name
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
    cached_info = {"recompute.no_cached_value", "recompute.addin_not_installed", "recompute.explained_by_input"}
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
    proc = soffice(tmp_path, "xlsx:Calc MS Excel 2007 XML", clean, typed)
    assert proc.returncode == 0, proc.stderr
    for original in (clean, typed):
        resaved = tmp_path / "out" / original.name
        assert _verdict(original) == _verdict(resaved), original.name
    status, findings = _verdict(tmp_path / "out" / typed.name)
    assert status != "fail"
    assert {f[0] for f in findings} == {"field.coerced"}
    # the LibreOffice copy's results differ from the core (the sheet ignored the two inputs): said at the inputs
    from hpcarbon.validator import validate_file

    r = validate_file(tmp_path / "out" / typed.name)
    explained = [f for f in r.report.findings if f.code == "recompute.explained_by_input"]
    # the text number: SUM ignores it; 'Y' in a statement cell: no formula reads it, nothing to explain
    assert [(f.location.sheet, f.location.cell, f.severity.value) for f in explained] == [
        (L.S_MONTHLY, f"{elec.column}{month}", "warning")]
    assert not [f for f in r.report.findings if f.code == "recompute.mismatch"]
