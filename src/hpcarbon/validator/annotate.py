"""Annotated copy of a submitted workbook: each finding's cell highlighted and commented (bilingual),
plus a findings sheet with links to the cells. The original is only ever read."""

from __future__ import annotations

import io
from collections import defaultdict
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.properties import PageSetupProperties

from hpcarbon.findings import SEVERITY_LABEL, Finding, Severity
from hpcarbon.files import atomic_write
from hpcarbon.privacy import mask_text
from hpcarbon.validator.ooxml import runs_code
from hpcarbon.validator.scan import reaches_outside

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


_PROPERTIES = ("creator", "lastModifiedBy", "title", "subject", "description", "keywords", "category",
               "identifier", "contentStatus", "version", "language")


def _cells(ws) -> list:
    """The cells the sheet holds — not the whole rectangle up to its last cell (a lone cell at Z9000
    would make iter_rows build 234 000 empty ones)."""
    return list(ws._cells.values())


def _mask_everywhere(wb, personal: dict[str, str]) -> None:
    """An owner's name, ID and phone typed anywhere — a cell (as text or as a number), a comment, a
    header, a hyperlink tooltip, an input prompt, a defined name, a document property (core or custom),
    the author Excel fills with the user's name — masked in the copy, and so is any resident ID or mobile
    number (:func:`hpcarbon.privacy.mask_text`, the one masking helper). Sheet names: see the caller."""
    numbers = {raw: masked for raw, masked in personal.items() if raw.isdigit()}
    for ws in wb.worksheets:
        for cell in _cells(ws):
            value = cell.value
            if isinstance(value, str) and not value.startswith("="):
                masked = mask_text(value, personal)
                if masked != value:
                    cell.value = masked
            elif isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
                text = str(int(value))
                masked = numbers.get(text) or mask_text(text)
                if masked != text:
                    cell.value = masked
            if cell.comment is not None and cell.comment.text:
                masked = mask_text(cell.comment.text, personal)
                if masked != cell.comment.text:
                    cell.comment = Comment(masked, "hpcarbon")
            if cell.hyperlink is not None and cell.hyperlink.tooltip:
                cell.hyperlink.tooltip = mask_text(cell.hyperlink.tooltip, personal)
        for hf in (ws.oddHeader, ws.oddFooter, ws.evenHeader, ws.evenFooter, ws.firstHeader, ws.firstFooter):
            for side in (hf.left, hf.center, hf.right):
                if side.text:
                    side.text = mask_text(side.text, personal)
        for dv in ws.data_validations.dataValidation:
            for attr in ("prompt", "promptTitle", "error", "errorTitle"):
                text = getattr(dv, attr, None)
                if isinstance(text, str):
                    setattr(dv, attr, mask_text(text, personal))
    for names in [wb.defined_names] + [ws.defined_names for ws in wb.worksheets]:
        for dn in names.values():
            if isinstance(dn.attr_text, str):
                dn.attr_text = mask_text(dn.attr_text, personal)
            if isinstance(dn.comment, str):
                dn.comment = mask_text(dn.comment, personal)
    for key in _PROPERTIES:
        value = getattr(wb.properties, key, None)
        if isinstance(value, str):
            setattr(wb.properties, key, mask_text(value, personal))
    wb.properties.lastModifiedBy = "hpcarbon"
    for prop in list(getattr(wb, "custom_doc_props", None) or []):
        if isinstance(getattr(prop, "value", None), str):
            prop.value = mask_text(prop.value, personal)
        if isinstance(getattr(prop, "name", None), str):
            prop.name = mask_text(prop.name, personal)


#: column widths of the findings sheet: they fit an A4 landscape page at full size (text ≥ 8 pt on paper)
_FINDINGS_WIDTHS = (12, 9, 11, 9, 18, 38, 38)


def _print_setup(ws) -> None:
    """The findings sheet prints on A4 landscape, one page wide, header row repeated, wrapped text."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.print_title_rows = "1:1"
    ws.print_area = f"A1:G{ws.max_row}"


def _strip_live(wb, strip: dict[str, set[str]], drop: list[str]) -> None:
    """Nothing live leaves in the copy: formulas that reach outside the workbook become their text,
    defined names that do are dropped, hyperlinks leaving the workbook keep their text but not their
    target, names that run code (Auto_Open …) are dropped and so are macro and dialog sheets (``drop``).
    (openpyxl writes no VBA, external links, connections, query tables, OLE objects, ActiveX
    controls or custom UI: the copy is written from its model, not from the submitted parts.)"""
    for ws in wb.worksheets:
        for ref in strip.get(ws.title, ()):
            cell = ws[ref]
            if isinstance(cell.value, str):
                cell.data_type = "s"  # written as text: shown as typed, never evaluated
        for cell in _cells(ws):
            link = cell.hyperlink
            if link is not None and (link.target or not link.location):
                cell.hyperlink = None
    for names in [wb.defined_names] + [ws.defined_names for ws in wb.worksheets]:
        for key in [k for k, dn in names.items() if reaches_outside(dn.attr_text or "")
                    or runs_code(k, {a: str(getattr(dn, a, None) or "") for a in ("function", "vbProcedure", "xlm")})]:
            del names[key]
    for title in drop:  # Excel 4.0 macro sheets, dialog sheets: openpyxl would write them as worksheets
        if title in wb.sheetnames:
            del wb[title]


def annotate_workbook(source: bytes | Path, target: Path, findings: list[Finding], force: bool = False,
                      personal: dict[str, str] | None = None, strip: dict[str, set[str]] | None = None,
                      drop: list[str] | None = None) -> None:
    """Write ``target``: a copy of ``source`` (the bytes the gate read) with findings marked, personal
    data masked wherever the copy holds it (``personal``: raw text → masked, for an individual owner; resident
    IDs and mobile numbers always) and nothing live (``strip``: sheet → cells whose formula reaches outside;
    ``drop``: sheets not copied)."""
    wb = load_workbook(io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source,
                       keep_vba=False, keep_links=False)
    personal = personal or {}
    _strip_live(wb, strip or {}, drop or [])
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
        text = mask_text(text, personal)
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
        ws.append([f"{SEVERITY_LABEL['zh'][f.severity]} {SEVERITY_LABEL['en'][f.severity]}", f.clause,
                   mask_text(sheet or "", personal), ref or (f.field or ""), f.code,
                   mask_text(f.message("zh"), personal), mask_text(f.message("en"), personal)])
        row = ws.max_row
        ws.cell(row, 1).fill = PatternFill("solid", fgColor=_FILL[f.severity])
        if sheet in wb.sheetnames and _valid_cell(ref):
            link = ws.cell(row, 4)
            # a location inside the workbook, not a relationship (no TargetMode="External" in the copy)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{sheet}'!{ref}")
            link.font = Font(color="0563C1", underline="single")
    for col, width in zip("ABCDEFG", _FINDINGS_WIDTHS):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    _print_setup(ws)
    for sheet in wb.worksheets:  # last: the findings above are located by the titles as submitted
        masked = mask_text(sheet.title, personal).replace("*", "＊")  # '*' is not allowed in a sheet title
        if masked != sheet.title:
            sheet.title = masked
    wb.active = 0
    atomic_write(target, lambda p: wb.save(p), force=force)
