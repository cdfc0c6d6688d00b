"""Structural mistakes (issue 12, item 7): a row or column inserted into or deleted from a table is refused
(the fixed positions cannot be read), and the finding names the sheet and the exact row or column and says
how to fix it — for edits made by LibreOffice itself (which rewrites every formula, leaving #REF! where a row
went: tests/lo_edit.py drives it through its UNO API) and by a tool that moves cells without their formulas
(openpyxl). LibreOffice and its Python bridge are required (tools/install-system-deps); never skipped."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hpcarbon.workbook import layout as L
from hpcarbon.workbook.reader import read_workbook

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "workbook_templates" / "examples" / "example-coupled-total-meter.xlsx"
#: the Python that has LibreOffice's UNO bridge (Debian python3-uno), not the project's venv
UNO_PYTHON = "/usr/bin/python3"

TABLES = {"monthly": L.MONTHLY, "areas": L.AREAS}


def _row(table: L.Table, where: str, op: str) -> int:
    """The row a person inserts (the new row's number) or deletes, at the table's start, middle or end."""
    if where == "start":
        return table.first_row
    if where == "middle":
        return table.first_row + table.rows // 2
    return table.end_row if op == "insert" else table.last_row  # a row added above 合计 / the last row removed


ROW_CASES = [(t, where, op) for t in TABLES for where in ("start", "middle", "end") for op in ("insert", "delete")]
#: (table, op, column): a column inserted before C of the monthly table, column D of the areas table deleted
COLUMN_CASES = [("monthly", "insert", "C"), ("areas", "delete", "D")]


def _name(case) -> str:
    return "-".join(case)


def _edit_in_libreoffice(folder: Path) -> dict[str, Path]:
    """Every case edited by one LibreOffice process and saved as .xlsx."""
    jobs = []
    for case in ROW_CASES:
        t, where, op = case
        table = TABLES[t]
        jobs.append({"source": str(SOURCE), "target": str(folder / f"{_name(case)}.xlsx"), "sheet": table.sheet,
                     "op": f"{op}_rows", "index": _row(table, where, op) - 1, "count": 1})
    for case in COLUMN_CASES:
        t, op, col = case
        jobs.append({"source": str(SOURCE), "target": str(folder / f"{_name(case)}.xlsx"), "sheet": TABLES[t].sheet,
                     "op": f"{op}_columns", "index": ord(col) - ord("A"), "count": 1})
    (folder / "jobs.json").write_text(json.dumps(jobs, ensure_ascii=False), "utf-8")
    proc = subprocess.run([UNO_PYTHON, str(ROOT / "tests" / "lo_edit.py"), str(folder / "profile"),
                           str(folder / "jobs.json")], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    return {Path(j["target"]).stem: Path(j["target"]) for j in jobs}


def _refused(path: Path):
    result = read_workbook(path)
    assert result.unreadable and result.declaration is None
    (f,) = result.findings
    assert f.code == "workbook.not_template" and f.clause == "6.2.3.3"
    return f


def _assert_row_named(f, table: L.Table, row: int, op: str) -> None:
    zh, en = f.message("zh"), f.message("en")
    assert (f.location.sheet, f.location.cell) == (table.sheet, f"{table.first_column}{row}")
    if op == "insert":
        assert f"row {row} of sheet {table.sheet} was inserted" in en and f"Delete row {row} and save" in en
        assert f"工作表“{table.sheet}”的表格中插入了第 {row} 行" in zh and f"请删除第 {row} 行后保存" in zh
    else:
        assert f"row {row} of the table on sheet {table.sheet} was deleted" in en and "Undo the deletion" in en
        assert f"工作表“{table.sheet}”表格的第 {row} 行被删除了" in zh and "请撤销删除" in zh


def test_rows_and_columns_inserted_or_deleted_in_libreoffice_are_named(tmp_path):
    """One test (one LibreOffice run, on one worker): each row case at the start, middle and end of the monthly
    and the areas table, inserted and deleted; a column inserted and one deleted."""
    edited = _edit_in_libreoffice(tmp_path)
    for case in ROW_CASES:
        t, where, op = case
        table = TABLES[t]
        _assert_row_named(_refused(edited[_name(case)]), table, _row(table, where, op), op)
    # the gate reads the formulas from its own pass over the package: the same finding, exit 2 — also for a
    # deleted row, after which LibreOffice writes an empty row 1 048 576 and a dimension down to it (no
    # cell there: not a sheet of a million rows)
    from hpcarbon.validator import validate_file

    for case in ROW_CASES + COLUMN_CASES:
        r = validate_file(edited[_name(case)])
        found = [f for f in r.report.findings if f.code == "workbook.not_template"]
        assert r.exit_code == 2 and len(found) == 1, (case, [f.code for f in r.report.findings])
        assert found[0].message("en") == _refused(edited[_name(case)]).message("en"), case
        assert found[0].location == _refused(edited[_name(case)]).location, case
    for case in COLUMN_CASES:
        t, op, col = case
        table = TABLES[t]
        f = _refused(edited[_name(case)])
        zh, en = f.message("zh"), f.message("en")
        assert (f.location.sheet, f.location.cell) == (table.sheet, f"{col}{table.header_row}"), case
        if op == "insert":
            assert f"column {col} of sheet {table.sheet} was inserted" in en and f"Delete column {col} and save" in en
            assert f"插入了 {col} 列" in zh and f"请删除 {col} 列后保存" in zh
        else:
            label = next(s.spec.zh for s in table.slots if s.column == col)
            assert f"column {col} (“{label}”) of the table on sheet {table.sheet} was deleted" in en
            assert f"{col} 列（“{label}”）被删除了" in zh and "请撤销删除" in zh


@pytest.mark.parametrize("case", [("monthly", "middle", "delete"), ("areas", "end", "delete")], ids=_name)
def test_rows_moved_by_a_tool_without_their_formulas_are_named(tmp_path, case):
    """openpyxl moves the cells but not the references in formulas: the rows below a deleted row still refer
    to the rows they came from."""
    t, where, op = case
    table = TABLES[t]
    row = _row(table, where, op)
    wb = load_workbook(SOURCE)
    (wb[table.sheet].insert_rows if op == "insert" else wb[table.sheet].delete_rows)(row)
    wb.save(tmp_path / "moved.xlsx")
    _assert_row_named(_refused(tmp_path / "moved.xlsx"), table, row, op)
