"""Helpers for the validator tests: filled workbooks edited as a person would (openpyxl), cells found
through the layout schema, cached values injected into the calculation sheet, and the checks every
validator answer must pass. Nothing here computes an expected result — the tests do that.
"""

from __future__ import annotations

import contextlib
import copy
import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from builders import load, run_in_process
from openpyxl import load_workbook

from hpcarbon.findings import CATALOG, Finding
from hpcarbon.validator import FileResult, validate_file
from hpcarbon.workbook import layout as L
from hpcarbon.workbook.fill import fill_bytes

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "workbook_templates" / "examples"
HPCARBON = Path(sys.executable).with_name("hpcarbon")


# --- workbooks ------------------------------------------------------------------------------------------
@lru_cache(maxsize=64)
def _fill(key: str) -> bytes:
    return fill_bytes(json.loads(key))


def filled(folder: Path, data: dict, name: str = "declaration.xlsx") -> Path:
    """``hpcarbon fill`` of ``data`` written to ``folder/name`` (filled once per distinct declaration)."""
    target = Path(folder) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(_fill(json.dumps(data, sort_keys=True, ensure_ascii=False)))
    return target


def edit(path: Path, change: Callable, out: Path | None = None) -> Path:
    """Open the workbook as Excel would keep it (formulas, not values), let ``change(wb)`` edit it,
    save (over ``path`` or to ``out``)."""
    wb = load_workbook(path)
    change(wb)
    target = out or path
    wb.save(target)
    return target


def set_cells(path: Path, values: dict[tuple[str, str], object], as_text: bool = False) -> Path:
    """Type values into cells; ``as_text`` keeps a string that starts like a number or a formula as
    text (as a person typing into a text-formatted cell gets)."""
    def change(wb):
        for (sheet, ref), value in values.items():
            cell = wb[sheet][ref]
            cell.value = value
            if as_text and isinstance(value, str):
                cell.data_type = "s"
    return edit(path, change)


# --- where a field is, twice: through the layout API and from the schema's own declarations ------------
def located(path: str, data: dict) -> tuple[str, str]:
    """``(sheet, cell)`` of a JSON path in the workbook ``fill`` writes for ``data`` (layout API)."""
    where = L.cell_of(path, load(copy.deepcopy(data)))
    assert where is not None and where[1] is not None, path
    return where


def schema_slot(pattern: str, htype=None) -> L.Slot:
    slots = [s for s in L.LAYOUT.slots if s.path == pattern and (htype is None or s.htype == htype)]
    assert len(slots) == 1, (pattern, htype, slots)
    return slots[0]


def schema_cell(pattern: str, index: int | None = None, htype=None) -> tuple[str, str]:
    """The cell the schema declares for a field: a form cell, a systems-grid cell of one type's column,
    or a table column at data row ``index`` (0 = the table's first data row)."""
    slot = schema_slot(pattern, htype)
    if slot.table:
        table = L.LAYOUT.tables[slot.table]
        assert index is not None
        return slot.sheet, f"{slot.column}{table.first_row + index}"
    return slot.sheet, f"{slot.column}{slot.row}"


def calc_cell(result_key: str) -> tuple[str, str]:
    """The calculation-sheet cell the schema declares for an accounting result (its step's E cell)."""
    lines = [line for line in L.CALC_LINES if line.result == result_key]
    assert len(lines) == 1, result_key
    assert any(c.column == "E" for c in lines[0].cells)
    return L.S_CALC, f"E{lines[0].row}"


# --- cached values in the calculation sheet ---------------------------------------------------------------
def sheet_member(path: Path, sheet: str) -> str:
    """The zip member of a sheet, found through workbook.xml and its relationships (written here again,
    not taken from the validator)."""
    with zipfile.ZipFile(path) as zf:
        wb = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    tag = next(m.group(0) for m in re.finditer(r"<(?:\w+:)?sheet\b[^>]*/?>", wb) if f'name="{sheet}"' in m.group(0))
    rid = re.search(r'r:id="([^"]+)"', tag).group(1)
    rel = next(m.group(0) for m in re.finditer(r"<Relationship\b[^>]*/>", rels) if f'Id="{rid}"' in m.group(0))
    target = re.search(r'Target="([^"]+)"', rel).group(1)
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def inject_cached(path: Path, values: dict[str, float | str], sheet: str = L.S_CALC, out: Path | None = None) -> Path:
    """Give formula cells of ``sheet`` the value Excel would have cached when it saved: a number
    (``<v>…</v>``), an error text such as ``#NAME?`` (``t="e"``) or other text (``t="str"``). Each cell
    must hold a formula."""
    member = sheet_member(path, sheet)
    with zipfile.ZipFile(path) as zf:
        parts = [(info, zf.read(info)) for info in zf.infolist()]
    out = out or path
    xml = {i.filename: d for i, d in parts}[member].decode("utf-8")
    for ref, value in values.items():
        pattern = re.compile(rf'<c r="{ref}"([^>]*?)(?:/>|>(.*?)</c>)', re.DOTALL)
        m = pattern.search(xml)
        assert m, ref
        attrs, body = m.group(1), m.group(2) or ""
        formula = re.search(r"<f\b.*?(?:</f>|/>)", body, re.DOTALL)
        assert formula, f"{ref} holds no formula"
        attrs = re.sub(r'\st="[^"]*"', "", attrs)
        if isinstance(value, str) and value.startswith("#"):
            cell = f'<c r="{ref}"{attrs} t="e">{formula.group(0)}<v>{value}</v></c>'
        elif isinstance(value, str):  # a formula returning text, e.g. "" where a method does not apply
            cell = f'<c r="{ref}"{attrs} t="str">{formula.group(0)}<v>{value}</v></c>'
        else:
            cell = f'<c r="{ref}"{attrs}>{formula.group(0)}<v>{value!r}</v></c>'
        xml = xml[:m.start()] + cell + xml[m.end():]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in parts:
            zf.writestr(info, xml.encode("utf-8") if info.filename == member else data)
    return out


# --- answers --------------------------------------------------------------------------------------------
def check_result(result: FileResult) -> FileResult:
    """What every validator answer owes (issue: validate): each finding is catalogued, has a clause, and
    a location with a real cell reference when it has one; its messages render in both languages."""
    for f in result.report.findings:
        assert f.code in CATALOG, f.code
        assert isinstance(f.clause, str) and f.clause.strip(), f
        for lang in ("zh", "en"):
            text = f.message(lang)
            assert text.strip() and "Traceback" not in text
            assert "{" not in text.replace("{}", ""), (f.code, text)  # no parameter left unfilled
        if f.location is not None and f.location.cell is not None:
            assert re.fullmatch(r"[A-Z]{1,3}[1-9][0-9]*", f.location.cell), f
    return result


def validate(path: Path, **kw) -> FileResult:
    return check_result(validate_file(Path(path), **kw))


def only(result_or_findings, code: str) -> list[Finding]:
    found = result_or_findings.report.findings if isinstance(result_or_findings, FileResult) else result_or_findings
    return [f for f in found if f.code == code]


def one(result: FileResult, code: str) -> Finding:
    found = only(result, code)
    assert len(found) == 1, [(f.code, f.location) for f in result.report.findings]
    return found[0]


def errors(result: FileResult) -> list[Finding]:
    return [f for f in result.report.findings if f.severity.value == "error"]


def at(f: Finding) -> tuple[str | None, str | None]:
    assert f.location is not None, f
    return f.location.sheet, f.location.cell


# --- the command ----------------------------------------------------------------------------------------
def run(*args, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``hpcarbon ARGS…`` as a user runs it — ``cli.main``, what the console script calls, in this process
    (a child interpreter's start-up is not what these tests are about; tests/test_startup.py runs the real
    entry point); never a traceback, never the last-guard 'internal error'."""
    with contextlib.chdir(cwd or Path.cwd()):
        r = run_in_process(*args)
    p = subprocess.CompletedProcess([str(HPCARBON), *map(str, args)], r.code, r.stdout, r.stderr)
    assert "Traceback" not in p.stdout + p.stderr, p.stderr
    assert "internal error" not in p.stderr, p.stderr
    return p


def check_json_findings(report: dict) -> None:
    """Every finding of a JSON report has a clause (item 8 of the issue's test list)."""
    for f in report["findings"]:
        assert isinstance(f["clause"], str) and f["clause"].strip(), f
