"""Annotated copy of a submitted workbook: each finding's cell highlighted and commented (bilingual),
plus a findings sheet with links to the cells. The original is only ever read."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.cell import coordinate_from_string

from hpcarbon.findings import SEVERITY_LABEL, Finding, Severity
from hpcarbon.privacy import mask_id, mask_phone
from hpcarbon.files import atomic_write

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


#: an 18-character resident ID (area, birth date 18xx–20xx, sequence, check) and a mainland mobile number,
#: wherever an individual owner's workbook holds them as text
_RESIDENT_ID = re.compile(r"(?<![0-9])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
                          r"[0-9]{3}[0-9Xx](?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
_PROPERTIES = ("creator", "lastModifiedBy", "title", "subject", "description", "keywords", "category",
               "identifier", "contentStatus", "version", "language")


def _mask_text(text: str, personal: dict[str, str]) -> str:
    for raw, masked in personal.items():
        if raw:
            text = text.replace(raw, masked)
    text = _RESIDENT_ID.sub(lambda m: mask_id(m.group()), text)
    return _MOBILE.sub(lambda m: mask_phone(m.group()), text)


def _mask_everywhere(wb, personal: dict[str, str]) -> None:
    """An individual owner's name, ID and phone typed anywhere else in the workbook — another cell, a
    comment, a header, the author property Excel fills with the user's name — masked in the copy too."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and not cell.value.startswith("="):
                    masked = _mask_text(cell.value, personal)
                    if masked != cell.value:
                        cell.value = masked
                if cell.comment is not None and cell.comment.text:
                    masked = _mask_text(cell.comment.text, personal)
                    if masked != cell.comment.text:
                        cell.comment = Comment(masked, "hpcarbon")
        for hf in (ws.oddHeader, ws.oddFooter, ws.evenHeader, ws.evenFooter, ws.firstHeader, ws.firstFooter):
            for side in (hf.left, hf.center, hf.right):
                if side.text:
                    side.text = _mask_text(side.text, personal)
    for key in _PROPERTIES:
        value = getattr(wb.properties, key, None)
        if isinstance(value, str):
            setattr(wb.properties, key, _mask_text(value, personal))
    wb.properties.lastModifiedBy = "hpcarbon"


#: column widths of the findings sheet: they fit an A4 landscape page at full size (text ≥ 8 pt on paper)
_FINDINGS_WIDTHS = (12, 9, 11, 9, 18, 38, 38)


def _print_setup(ws) -> None:
    """The findings sheet prints on A4 landscape, one page wide, header row repeated, wrapped text."""
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.print_title_rows = "1:1"
    ws.print_area = f"A1:G{ws.max_row}"


def annotate_workbook(source: Path, target: Path, findings: list[Finding],
                      masked_cells: dict[tuple[str, str], str] | None = None, force: bool = False,
                      personal: dict[str, str] | None = None) -> None:
    """Write ``target``: a copy of ``source`` with findings marked; ``masked_cells`` maps
    (sheet, cell) → the masked text that replaces personal data in the copy (SPEC §10); with
    ``personal`` (raw text → masked text, given for an individual owner) the same data is masked wherever
    else the copy holds it, and so is any resident ID or mobile number written as text."""
    wb = load_workbook(source, keep_vba=False, keep_links=False)
    for (sheet, cell), text in (masked_cells or {}).items():
        if sheet in wb.sheetnames and _valid_cell(cell):
            wb[sheet][cell].value = text
    if personal is not None:
        _mask_everywhere(wb, personal)

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
    for col, width in zip("ABCDEFG", _FINDINGS_WIDTHS):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    _print_setup(ws)
    wb.active = 0
    atomic_write(target, lambda p: wb.save(p), force=force)
