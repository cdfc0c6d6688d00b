"""The file itself, before any spreadsheet library touches it: is it an .xlsx we may open?

Checks the signature (zip / OLE2 encrypted or legacy .xls / other), the zip directory, every member's
real uncompressed size (streamed, with a cap: a zip bomb stops here), any DOCTYPE in an XML part
(billion laughs, XXE — never legitimate in OOXML), macros, external links and the sheet count.
Nothing is extracted to disk and nothing outside the file is read.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from hpcarbon.findings import Finding, Severity, finding
from hpcarbon.validator.limits import Limits

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_CHUNK = 1 << 16
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_MACRO_TYPES = (b"macroEnabled", b"vbaProject")


@dataclass
class ContainerReport:
    findings: list[Finding] = field(default_factory=list)
    readable: bool = True  # False: do not hand it to openpyxl
    macro: bool = False
    sheet_count: int = 0


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


def _inspect_zip(zf: zipfile.ZipFile, report: ContainerReport, limits: Limits) -> ContainerReport:
    infos = zf.infolist()
    if len(infos) > limits.max_zip_entries:
        return _stop(report, "file.too_many_parts", count=len(infos), limit=limits.max_zip_entries)
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        return _stop(report, "file.not_xlsx")
    if any(i.flag_bits & 0x1 for i in infos):
        return _stop(report, "file.encrypted")
    total = 0
    for info in infos:
        if info.file_size > limits.max_uncompressed_bytes:
            return _stop(report, "file.zip_bomb", part=info.filename, limit=limits.max_uncompressed_bytes)
        real = 0
        is_xml = info.filename.endswith((".xml", ".rels", ".vml"))
        tail = b""
        with zf.open(info) as member:  # streamed: the real size is counted, not the declared one
            while chunk := member.read(_CHUNK):
                real += len(chunk)
                total += len(chunk)
                if total > limits.max_uncompressed_bytes:
                    return _stop(report, "file.zip_bomb", part=info.filename, limit=limits.max_uncompressed_bytes)
                if info.compress_size and real > 1_000_000 and real / info.compress_size > limits.max_compression_ratio:
                    return _stop(report, "file.zip_bomb", part=info.filename, limit=limits.max_uncompressed_bytes)
                if is_xml:
                    window = tail + chunk
                    if _DOCTYPE.search(window):
                        return _stop(report, "file.xml_doctype", part=info.filename)
                    tail = window[-16:]
        if info.filename == "[Content_Types].xml" or info.filename == "xl/workbook.xml":
            data = zf.read(info)
            if info.filename == "[Content_Types].xml" and any(m in data for m in _MACRO_TYPES):
                report.macro = True
            if info.filename == "xl/workbook.xml":
                report.sheet_count = len(re.findall(rb"<(?:\w+:)?sheet\s", data))
    if "xl/vbaProject.bin" in names:
        report.macro = True
    if report.macro:
        report.findings.append(finding("file.macro"))
    if any(n.startswith("xl/externalLinks/") for n in names):
        report.findings.append(finding("file.external_links"))
    if report.sheet_count > limits.max_sheets:
        return _stop(report, "file.too_many_sheets", count=report.sheet_count, limit=limits.max_sheets)
    if any(f.severity is Severity.error for f in report.findings):
        report.readable = True  # external links: still read, but the verdict fails
    return report
