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


def test_a_file_result_holds_its_outputs_as_typed_fields_and_pickles(tmp_path):
    """What the batch and the service's worker processes take from a validated file — the annotated copy,
    the identity's cells, the project and season as typed when refused — are named fields that survive
    the trip between processes (pickle) unchanged."""
    import pickle

    from hpcarbon.validator import TypedIdentity, validate_file

    read = read_workbook(EXAMPLE)
    where = read.locate("season.end")
    wb = openpyxl.load_workbook(EXAMPLE)
    wb[where[0]][where[1]] = "abc"  # not a date: the season is refused, the project id stands as typed
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    result = pickle.loads(pickle.dumps(validate_file(bad, annotate_dir=tmp_path / "copies")))
    assert result.annotated == tmp_path / "copies" / "bad.annotated.xlsx" and result.annotated.is_file()
    assert result.output_error is None and result.exit_code == 1
    assert result.identity_cells == {"project.id": read.locate("project.id"),
                                     "season.start": read.locate("season.start")}
    assert result.typed == TypedIdentity(project_id="CC-HP-2024-0001", season=None)
    assert result.identity() == ("CC-HP-2024-0001", "")
