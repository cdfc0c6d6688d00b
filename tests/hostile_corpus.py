"""Generates the hostile-file corpus (nothing binary is committed): every way a submitted file can be
broken or malicious. ``build_corpus(base, folder)`` writes them beside each other and returns
{name: path}; ``base`` is a valid filled declaration workbook that the workbook-level cases mutate.

Run as a script to write the corpus into a folder for manual inspection:
    python tests/hostile_corpus.py BASE.xlsx OUT_DIR
"""

from __future__ import annotations

import io
import random
import re
import sys
import zipfile
from pathlib import Path
from typing import Callable

#: A file the XXE case points at; its content must never appear in any output.
CANARY_TEXT = "HPCARBON-CANARY-7f3a"


def _rewrite_zip(base: Path, target: Path, edit: Callable[[str, bytes], bytes | None],
                 extra: dict[str, bytes] | None = None) -> Path:
    """Copy a zip member by member; ``edit(name, data)`` returns new bytes (or None to drop the member)."""
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = edit(info.filename, src.read(info))
            if data is not None:
                dst.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            dst.writestr(name, data)
    return target


def sheet_part(base: Path, sheet_name: str) -> str:
    """The zip member name of a sheet (via workbook.xml and its rels)."""
    with zipfile.ZipFile(base) as zf:
        wb = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    m = re.search(r'<(?:\w+:)?sheet\b[^>]*name="%s"[^>]*r:id="([^"]+)"' % re.escape(sheet_name), wb)
    if not m:
        m = re.search(r'<(?:\w+:)?sheet\b[^>]*r:id="([^"]+)"[^>]*name="%s"' % re.escape(sheet_name), wb)
    rid = m.group(1)
    target = re.search(r'<Relationship\b[^>]*Id="%s"[^>]*Target="([^"]+)"' % rid, rels)
    if not target:
        target = re.search(r'<Relationship\b[^>]*Target="([^"]+)"[^>]*Id="%s"' % rid, rels)
    t = target.group(1)
    return t.lstrip("/") if t.startswith("/") else "xl/" + t


# --- file-level cases (need no template knowledge) ------------------------------------------------------
def empty(base: Path, out: Path) -> Path:
    out.write_bytes(b"")
    return out


def random_bytes(base: Path, out: Path) -> Path:
    out.write_bytes(random.Random(7).randbytes(64 * 1024))
    return out


def truncated_zip(base: Path, out: Path) -> Path:
    data = base.read_bytes()
    out.write_bytes(data[: len(data) // 2])
    return out


def csv_renamed(base: Path, out: Path) -> Path:
    out.write_text("month,electricity_kwh\n2024-10,16000\n=cmd|' /C calc'!A0,1\n", encoding="utf-8")
    return out


def xls_renamed(base: Path, out: Path) -> Path:
    # an OLE2 compound-file header followed by filler: what a legacy .xls looks like to a sniffer
    out.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + random.Random(3).randbytes(8192))
    return out


def encrypted(base: Path, out: Path) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    with base.open("rb") as fh:
        buf = io.BytesIO()
        OOXMLFile(fh).encrypt("secret", buf)
    out.write_bytes(buf.getvalue())
    return out


def zip_bomb(base: Path, out: Path, expanded_mb: int = 300) -> Path:
    """A sheet part that inflates ~1000× to ``expanded_mb`` MB of whitespace inside valid XML."""
    part = sheet_part(base, _first_sheet_name(base))
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != part:
                dst.writestr(info.filename, src.read(info))
                continue
            xml = src.read(info)
            head, _, tail = xml.partition(b"<sheetData")
            with dst.open(info.filename, "w", force_zip64=True) as fh:
                fh.write(head)
                block = b" " * (1 << 20)
                for _ in range(expanded_mb):
                    fh.write(block)
                fh.write(b"<sheetData" + tail)
    return out


def billion_laughs(base: Path, out: Path) -> Path:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">' for i in range(1, 10))
    doctype = f"<!DOCTYPE workbook [{entities}]>".encode()

    def edit(name: str, data: bytes) -> bytes:
        if name == "xl/workbook.xml":
            decl_end = data.index(b"?>") + 2 if data.startswith(b"<?xml") else 0
            return data[:decl_end] + doctype + data[decl_end:].replace(b"<sheets>", b"<sheets>&lol9;", 1)
        return data

    return _rewrite_zip(base, out, edit)


def xxe(base: Path, out: Path, secret_file: Path) -> Path:
    """An external entity pointing at ``secret_file``, used in a text cell (shared or inline string)."""
    with zipfile.ZipFile(base) as zf:
        names = zf.namelist()
    target = "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in names else sheet_part(base, _first_sheet_name(base))
    root = "sst" if target.endswith("sharedStrings.xml") else "worksheet"
    doctype = f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file://{secret_file}">]>'.encode()

    def edit(name: str, data: bytes) -> bytes:
        if name != target:
            return data
        decl_end = data.index(b"?>") + 2 if data.startswith(b"<?xml") else 0
        body = re.sub(rb"<t>([^<]*)</t>", rb"<t>&xxe;</t>", data[decl_end:], count=1)
        return data[:decl_end] + doctype + body

    return _rewrite_zip(base, out, edit)


def macro_workbook(base: Path, out: Path) -> Path:
    def edit(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            data = data.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
            return data.replace(b"</Types>", b'<Default Extension="bin" '
                                b'ContentType="application/vnd.ms-office.vbaProject"/></Types>')
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(b"</Relationships>", b'<Relationship Id="rIdVba" '
                                b'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
                                b'Target="vbaProject.bin"/></Relationships>')
        return data

    return _rewrite_zip(base, out, edit, extra={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"Attribute VB_Name" * 64})


def external_link(base: Path, out: Path) -> Path:
    link = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<externalBook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId1">'
            b'<sheetNames><sheetName val="S"/></sheetNames></externalBook></externalLink>')
    rels = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            b'externalLinkPath" Target="file:///C:/other.xlsx" TargetMode="External"/></Relationships>')
    return _rewrite_zip(base, out, lambda n, d: d, extra={"xl/externalLinks/externalLink1.xml": link,
                                                           "xl/externalLinks/_rels/externalLink1.xml.rels": rels})


def many_sheets(base: Path, out: Path, count: int = 3000) -> Path:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for i in range(count):
        wb.create_sheet(f"S{i}").append([i])
    wb.save(out)
    return out


def million_row_used_range(base: Path, out: Path, sheet_name: str) -> Path:
    """A sheet whose used range reaches row 1 048 576 (dimension and a last cell there)."""
    part = sheet_part(base, sheet_name)

    def edit(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        data = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', data)
        return data.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')

    return _rewrite_zip(base, out, edit)


def million_rows_of_data(base: Path, out: Path, sheet_name: str, rows: int = 1_048_576) -> Path:
    """A sheet with a real cell on every one of 1 048 576 rows (compresses small, parses long)."""
    part = sheet_part(base, sheet_name)
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename != part:
                dst.writestr(info.filename, data)
                continue
            head, _, rest = data.partition(b"</sheetData>")
            last = max((int(x) for x in re.findall(rb'<row r="(\d+)"', head)), default=0)
            with dst.open(info.filename, "w", force_zip64=True) as fh:
                fh.write(head)
                for r in range(last + 1, rows + 1):
                    fh.write(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (r, r))
                fh.write(b"</sheetData>" + rest)
    return out


def _first_sheet_name(base: Path) -> str:
    with zipfile.ZipFile(base) as zf:
        wb = zf.read("xl/workbook.xml").decode()
    return re.search(r'<(?:\w+:)?sheet\b[^>]*name="([^"]+)"', wb).group(1)


FILE_LEVEL_CASES = {
    "empty.xlsx": empty,
    "random-bytes.xlsx": random_bytes,
    "truncated-zip.xlsx": truncated_zip,
    "csv-renamed.xlsx": csv_renamed,
    "xls-renamed.xlsx": xls_renamed,
    "encrypted.xlsx": encrypted,
    "zip-bomb.xlsx": zip_bomb,
    "billion-laughs.xlsx": billion_laughs,
    "macro.xlsm": macro_workbook,
    "external-link.xlsx": external_link,
    "many-sheets.xlsx": many_sheets,
}


if __name__ == "__main__":  # pragma: no cover - manual use
    base_path, folder = Path(sys.argv[1]), Path(sys.argv[2])
    folder.mkdir(parents=True, exist_ok=True)
    for name, make in FILE_LEVEL_CASES.items():
        print(make(base_path, folder / name))
