"""The summary CSV names the project and season as typed even when the declaration is rejected."""

import csv
import subprocess
import sys
from pathlib import Path

import openpyxl

from hpcarbon.workbook.reader import read_workbook

EXAMPLE = Path(__file__).resolve().parents[1] / "workbook_templates/examples/example-declaration.xlsx"


def test_rejected_declaration_keeps_its_typed_project_id_in_the_summary(tmp_path):
    where = read_workbook(EXAMPLE).locate("monthly[1].electricity_kwh.air")
    wb = openpyxl.load_workbook(EXAMPLE)
    wb[where[0]][where[1]] = -5  # negative energy: the model rejects the declaration
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    summary = tmp_path / "summary.csv"
    run = subprocess.run([sys.executable, "-m", "hpcarbon", "validate", str(bad), "--summary", str(summary)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    (row,) = list(csv.DictReader(summary.read_text(encoding="utf-8-sig").splitlines()))
    assert row["project_id"] == "CC-HP-2024-0001" and row["season"] == "2024-10-20/2025-04-05"
    assert row["status"] == "fail" and row["errors"] == "1" and row["creditable_reductions_t"] == ""
