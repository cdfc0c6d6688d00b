"""Annotated copy of a submitted workbook: each finding's cell highlighted and commented (bilingual),
plus a findings sheet with links to the cells. The original is only ever read."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.cell import coordinate_from_string

from hpcarbon.findings import SEVERITY_LABEL, Finding, Severity
from hpcarbon.validator.outputs import atomic_write

FINDINGS_SHEET = "校验结果 Findings"
_FILL = {Severity.error: "FFC7CE", Severity.warning: "FFEB9C", Severity.info: "DDEBF7"}
_RANK = {Severity.error: 0, Severity.warning: 1, Severity.info: 2}


def _valid_cell(ref: str | None) -> bool:
    if not ref:
        return False
    try:
        coordinate_from_string(ref)
        return True
    except ValueError:
        return False


def annotate_workbook(source: Path, target: Path, findings: list[Finding],
                      masked_cells: dict[tuple[str, str], str] | None = None, force: bool = False) -> None:
    """Write ``target``: a copy of ``source`` with findings marked; ``masked_cells`` maps
    (sheet, cell) → the masked text that replaces personal data in the copy (SPEC §10)."""
    wb = load_workbook(source, keep_vba=False, keep_links=False)
    for (sheet, cell), text in (masked_cells or {}).items():
        if sheet in wb.sheetnames and _valid_cell(cell):
            wb[sheet][cell].value = text

    by_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        if f.location and f.location.sheet in wb.sheetnames and _valid_cell(f.location.cell):
            by_cell[(f.location.sheet, f.location.cell)].append(f)
    for (sheet, ref), items in by_cell.items():
        items.sort(key=lambda f: _RANK[f.severity])
        cell = wb[sheet][ref]
        cell.fill = PatternFill("solid", fgColor=_FILL[items[0].severity])
        text = "\n".join(f"[{SEVERITY_LABEL['zh'][f.severity]} {SEVERITY_LABEL['en'][f.severity]}] {f.clause_ref}\n"
                         f"{f.message('zh')}\n{f.message('en')}" for f in items)
        comment = Comment(text[:30000], "hpcarbon")
        comment.width, comment.height = 420, min(60 + 60 * len(items), 600)
        cell.comment = comment

    if FINDINGS_SHEET in wb.sheetnames:
        del wb[FINDINGS_SHEET]
    ws = wb.create_sheet(FINDINGS_SHEET, 0)
    header = ["严重程度 Severity", "条款 Clause", "工作表 Sheet", "单元格 Cell", "代码 Code", "说明", "Message"]
    ws.append(header)
    for c in ws[1]:
        c.font = Font(bold=True)
    for f in sorted(findings, key=lambda f: _RANK[f.severity]):
        sheet = f.location.sheet if f.location else None
        ref = f.location.cell if f.location else None
        ws.append([f"{SEVERITY_LABEL['zh'][f.severity]} {SEVERITY_LABEL['en'][f.severity]}", f.clause, sheet or "",
                   ref or (f.field or ""), f.code, f.message("zh"), f.message("en")])
        row = ws.max_row
        ws.cell(row, 1).fill = PatternFill("solid", fgColor=_FILL[f.severity])
        if sheet in wb.sheetnames and _valid_cell(ref):
            link = ws.cell(row, 4)
            link.hyperlink = f"#'{sheet}'!{ref}"
            link.font = Font(color="0563C1", underline="single")
    for col, width in zip("ABCDEFG", (14, 12, 16, 12, 30, 60, 60)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        for c in row[5:7]:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    wb.active = 0
    atomic_write(target, lambda p: wb.save(p), force=force)
