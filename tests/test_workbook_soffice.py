"""An independent application opens the workbooks: LibreOffice converts the template and every
example to PDF, and re-saves an example as .xlsx, which the reader must read back unchanged (a
file saved by another program than openpyxl). Skipped when LibreOffice is not installed."""

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

pytestmark = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed, so the check that the template and the examples open and "
           "convert to PDF in an independent application is skipped (apt-get install libreoffice-calc-nogui)")


def soffice(tmp_path: Path, target: str, *sources: Path) -> subprocess.CompletedProcess:
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
    # LibreOffice computed the plain-Excel steps; the add-in's HP_* cells are #NAME? without the add-in
    ws = load_workbook(resaved, data_only=True)["核算"]
    cells = L.LAYOUT.result_cells
    assert ws[cells["heating_hours"][1]].value == 4032  # 288 + 720 + 744 + 744 + 672 + 744 + 120
    assert ws[cells["electricity_kwh"][1]].value == 320000
    assert ws[cells["baseline_emissions_t"][1]].value in ("#NAME?", None)
