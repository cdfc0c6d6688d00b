"""The file itself, before any spreadsheet library touches it: is it an .xlsx we may open?

Checks the signature (zip / OLE2 encrypted or legacy .xls / other), the zip directory, every member's
real uncompressed size (streamed, with a cap: a zip bomb stops here), any DOCTYPE in an XML part
(billion laughs, XXE — never legitimate in OOXML), macros, external links, the sheet count and each
sheet's used range (declared dimension, row elements and the last row: a million-row sheet stops here,
before openpyxl spends seconds and hundreds of MB on it). It also lists the sheets with their
visibility for the later checks. Nothing is extracted to disk and nothing outside the file is read.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from hpcarbon.findings import Finding, finding
from hpcarbon.validator.limits import Limits
from hpcarbon.validator.scan import sheets_of

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_CHUNK = 1 << 16
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_MACRO_TYPES = (b"macroEnabled", b"vbaProject")
#: a cell's start tag as every writer spells it (<c r=…>, <x:c r=…>); a cell spelt otherwise (<c>, a tab) is still
#: bounded by max_sheet_elements
_CELL_TAGS = (b"<c ", b":c ")
_STYLE_RECORDS = (b"<xf", b"<font", b"<fill", b"<border", b"<numFmt", b"<dxf",
                  b":xf", b":font", b":fill", b":border", b":numFmt", b":dxf")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*\bref="[A-Z]{0,3}\$?[0-9]*:?\$?[A-Z]{0,3}\$?([0-9]+)"')
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="([0-9]{1,9})"')


@dataclass
class ContainerReport:
    findings: list[Finding] = field(default_factory=list)
    readable: bool = True  # False: do not hand it to openpyxl
    macro: bool = False
    sheet_count: int = 0
    #: (name, state) of every sheet in workbook order; state is visible, hidden or veryHidden
    sheets: list[tuple[str, str]] = field(default_factory=list)
    #: tab name → zip member of each sheet (None when workbook.xml or its relationships cannot be parsed)
    parts: dict[str, str] | None = None


def _stop(report: ContainerReport, code: str, **params) -> ContainerReport:
    report.findings.append(finding(code, **params))
    report.readable = False
    return report


def inspect_container(path: Path, limits: Limits) -> ContainerReport:
    report = ContainerReport()
    try:
        size = path.stat().st_size
        if size == 0:
            return _stop(report, "file.empty")
        if size > limits.max_file_bytes:
            return _stop(report, "file.too_large", size=size, limit=limits.max_file_bytes)
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        return _stop(report, "file.cannot_open", reason=exc.strerror or str(exc))
    if head.startswith(OLE2_MAGIC):
        # an OLE2 compound file: a password-encrypted OOXML package, or a legacy .xls
        with path.open("rb") as fh:
            blob = fh.read(min(size, 1 << 20))
        if "EncryptedPackage".encode("utf-16-le") in blob:
            return _stop(report, "file.encrypted")
        return _stop(report, "file.legacy_xls")
    if not head.startswith(ZIP_MAGIC):
        return _stop(report, "file.not_xlsx")
    try:
        with zipfile.ZipFile(path) as zf:
            return _inspect_zip(zf, report, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, NotImplementedError, ValueError) as exc:
        return _stop(report, "file.corrupt_zip", reason=str(exc)[:200])
    except OSError as exc:
        return _stop(report, "file.cannot_open", reason=exc.strerror or str(exc))


class _Doctype(Exception):
    pass


def _refuse_doctype(*_args) -> None:
    raise _Doctype()


def _xml_checker():
    """An expat parser with no tree and no handlers but one: every XML part must be well-formed (Excel
    refuses a damaged part; openpyxl reads only part of some sheets and none of others), and a DOCTYPE or
    entity declaration stops it (defence in depth behind the byte scan)."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    return parser


def _is_sheet_part(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml") and "/_rels/" not in name


def _inspect_zip(zf: zipfile.ZipFile, report: ContainerReport, limits: Limits) -> ContainerReport:
    infos = zf.infolist()
    sheet_parts = sum(1 for i in infos if _is_sheet_part(i.filename))
    if sheet_parts > limits.max_sheets:  # say "too many sheets" rather than "too many parts" when it is that
        return _stop(report, "file.too_many_sheets", count=sheet_parts, limit=limits.max_sheets)
    if len(infos) > limits.max_zip_entries:
        return _stop(report, "file.too_many_parts", count=len(infos), limit=limits.max_zip_entries)
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        return _stop(report, "file.not_xlsx")
    if any(i.flag_bits & 0x1 for i in infos):
        return _stop(report, "file.encrypted")
    total = 0
    rows_of: dict[str, int] = {}  # sheet part → rows it uses
    cells = 0  # cell elements in all sheets
    strings = 0  # shared-string items, in whichever part holds them (openpyxl finds it by content type)
    styles = 0  # style records, likewise
    elements = 0  # elements of the parts that are not sheets
    sheet_elements = 0
    workbook_xml = b""
    for info in infos:
        if info.file_size > limits.max_uncompressed_bytes:
            return _stop(report, "file.zip_bomb", part=info.filename, limit=limits.max_uncompressed_bytes)
        real = 0
        is_xml = info.filename.endswith((".xml", ".rels", ".vml"))
        is_sheet = _is_sheet_part(info.filename)
        tail = b""
        row_elements = declared = 0
        checker = _xml_checker() if is_xml else None
        with zf.open(info) as member:  # streamed: the real size is counted, not the declared one
            while chunk := member.read(_CHUNK):
                if is_sheet:
                    if real == 0 and (m := _DIMENSION.search(chunk[:4096])):
                        declared = int(m.group(1))
                    row_elements += chunk.count(b"<row")
                    cells += sum(chunk.count(tag) for tag in _CELL_TAGS)
                    sheet_elements += chunk.count(b"<") - chunk.count(b"</")
                elif is_xml:
                    strings += chunk.count(b"<si") + chunk.count(b":si")  # <si> and <x:si>
                    styles += sum(chunk.count(tag) for tag in _STYLE_RECORDS)
                    elements += chunk.count(b"<") - chunk.count(b"</")
                real += len(chunk)
                total += len(chunk)
                if total > limits.max_uncompressed_bytes:
                    return _stop(report, "file.zip_bomb", part=info.filename, limit=limits.max_uncompressed_bytes)
                if info.compress_size and real > 1_000_000 and real / info.compress_size > limits.max_compression_ratio:
                    return _stop(report, "file.zip_bomb", part=info.filename, limit=limits.max_uncompressed_bytes)
                if is_xml:
                    window = tail + chunk
                    # "<!" never occurs in a sheet's data; the regex runs only where it does
                    if b"<!" in window and _DOCTYPE.search(window):
                        return _stop(report, "file.xml_doctype", part=info.filename)
                    tail = window[-4096:] if is_sheet else window[-16:]
                    if not _feed(checker, chunk, report, info.filename):
                        return report
        if checker is not None and not _feed(checker, b"", report, info.filename, final=True):
            return report
        if is_sheet:
            last = max((int(n) for n in _ROW_NUMBER.findall(tail)), default=0)
            rows_of[info.filename] = max(declared, row_elements, last)
        if info.filename == "[Content_Types].xml" or info.filename == "xl/workbook.xml":
            data = zf.read(info)
            if info.filename == "[Content_Types].xml" and any(m in data for m in _MACRO_TYPES):
                report.macro = True
            if info.filename == "xl/workbook.xml":
                report.sheet_count = len(re.findall(rb"<(?:\w+:)?sheet\s", data))
                workbook_xml = data
    # [D] a macro-enabled format alone warns (issue: .xlsm warns); macro code itself is refused as an
    # error (the hostile-file promise): it is never run, but a declaration must not carry it
    vba_parts = sorted(n for n in names if n.lower().endswith("vbaproject.bin") or n.lower().endswith("vbadata.xml"))
    if vba_parts:
        report.macro = True
    # counts first, so nothing below builds a tree of a stuffed part
    if report.sheet_count > limits.max_sheets:
        return _stop(report, "file.too_many_sheets", count=report.sheet_count, limit=limits.max_sheets)
    if strings > limits.max_cells:  # openpyxl loads the whole table up front: 1 M strings cost ~9 s, 200 MB
        return _stop(report, "file.too_many_strings", count=strings, limit=limits.max_cells)
    if styles > limits.max_styles:
        return _stop(report, "file.too_many_styles", count=styles, limit=limits.max_styles)
    if elements > limits.max_elements:
        return _stop(report, "file.too_many_elements", count=elements, limit=limits.max_elements)
    try:  # every part is well-formed by now; the relationships may still be missing or odd
        rels = zf.read("xl/_rels/workbook.xml.rels") if "xl/_rels/workbook.xml.rels" in names else None
        report.sheets, report.parts = sheets_of(workbook_xml, rels)
    except Exception:  # the reader will say what is wrong with the workbook
        report.sheets, report.parts = [], None
    too_long = {part: rows for part, rows in rows_of.items() if rows > limits.max_rows}
    if too_long:
        part, rows = max(too_long.items(), key=lambda kv: kv[1])
        tab = next((name for name, member in (report.parts or {}).items() if member == part), part)
        return _stop(report, "file.too_many_rows", sheet=tab, rows=rows, limit=limits.max_rows)
    if cells > limits.max_cells:
        return _stop(report, "file.too_many_cells", count=cells, limit=limits.max_cells)
    if sheet_elements > limits.max_sheet_elements:
        return _stop(report, "file.too_many_sheet_elements", count=sheet_elements, limit=limits.max_sheet_elements)
    if report.macro:
        report.findings.append(finding("file.macro"))
    if vba_parts:
        report.findings.append(finding("file.macro_code", part=", ".join(vba_parts)))
    if any(n.startswith("xl/externalLinks/") for n in names):
        report.findings.append(finding("file.external_links"))
    return report  # macro / external links: still read, but the verdict fails


def _feed(checker, chunk: bytes, report: ContainerReport, part: str, final: bool = False) -> bool:
    try:
        checker.Parse(chunk, final)
        return True
    except _Doctype:
        _stop(report, "file.xml_doctype", part=part)
    except expat.ExpatError as exc:
        _stop(report, "file.malformed_xml", part=part, line=exc.lineno,
              reason=expat.ErrorString(exc.code) if exc.code else str(exc)[:100])
    return False
