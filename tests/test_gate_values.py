"""Issue 10, item 9 — the gate reads the values itself, from its one parse of each sheet
(``validator/cells.py``, ``SheetScan.rows_of``), instead of handing the bytes to openpyxl for a second
and third parse. These tests hold it to openpyxl itself, the oracle: for every cell kind Excel, openpyxl
and LibreOffice write — numbers (int, float, exponent), dates by built-in and custom formats, elapsed
times, times of day, a date serial out of range, both epochs, booleans, errors, shared strings (rich
text, phonetic runs, ``_x005F_`` escapes), inline strings, ``str`` results, ISO dates, empty values, cells
without a reference — the values the reader receives equal ``load_workbook(read_only=True,
data_only=True)``'s ``iter_rows(values_only=True)``; and where openpyxl and Excel would place a value
differently the file is refused, not guessed.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from gate_support import EXAMPLES, assert_same_values, filled, gate_rows
from hostile_corpus import sheet_part
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from hpcarbon.validator import validate_file
from hpcarbon.validator.container import inspect_container
from hpcarbon.validator.limits import DEFAULT_LIMITS
from hpcarbon.workbook import layout as L
from hpcarbon.workbook.reader import read_workbook, sheet_extents

MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.xlsx")))
def test_the_examples_read_as_openpyxl_reads_them(example):
    data = (EXAMPLES / example).read_bytes()
    assert_same_values(data, sheet_extents())
    # and so the declaration read from them is the same, field by field
    gate = validate_file(EXAMPLES / example)
    assert gate.report.declaration == read_workbook(data).declaration


# --- every cell kind ------------------------------------------------------------------------------------
def _every_kind(date1904: bool) -> bytes:
    """A workbook written by openpyxl with every kind of value, then edited where openpyxl does not write
    what Excel or LibreOffice may (inline strings, str results, ISO dates, phonetic runs …)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Kinds"
    if date1904:
        wb.epoch = __import__("openpyxl").utils.datetime.CALENDAR_MAC_1904
    rows = [
        (1, 2.5, -3, 1e-7, 12345678901234),
        (datetime(2024, 10, 20), datetime(2025, 1, 15, 13, 45, 30), time(6, 30), timedelta(hours=50, minutes=3), None),
        (True, False, "=1/0", "文本 text", "  spaced  "),
        (CellRichText(["plain ", TextBlock(InlineFont(b=True), "bold")]), "x", "_x005F_x000D_ kept", "", None),
    ]
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            if value is not None:
                ws.cell(r, c, value)
    ws["B2"].number_format = "yyyy-mm-dd hh:mm:ss"
    ws["D2"].number_format = "[h]:mm:ss"
    ws["A5"] = 45000.75
    ws["A5"].number_format = "yyyy\"年\"m\"月\"d\"日\""  # a custom date format with quoted text
    ws["B5"] = 45000
    ws["B5"].number_format = "0.00%"  # not a date
    ws["C5"] = 1e12
    ws["C5"].number_format = "yyyy-mm-dd"  # a date serial out of range: #VALUE!
    ws["D5"] = 0.25
    ws["D5"].number_format = "h:mm"  # a time of day
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                extra = (b'<row r="7"><c r="A7" t="inlineStr"><is><t>inline</t></is></c>'
                         b'<c r="B7" t="inlineStr"><is><r><t>rich </t></r><r><rPr><b/></rPr><t>inline</t></r>'
                         b'<rPh sb="0" eb="1"><t>phonetic</t></rPh></is></c>'
                         b'<c r="C7" t="str"><f>A1&amp;"x"</f><v>1x</v></c>'
                         b'<c r="D7" t="d"><v>2024-10-20T00:00:00</v></c>'
                         b'<c r="E7" t="e"><v>#N/A</v></c></row>'
                         b'<row r="8"><c t="n"><v>7</v></c><c><v>8.0</v></c><c s=""><v>45000</v></c>'
                         b'<c r="E8"><v></v></c><c t="b"><v>1</v></c></row>'
                         b'<row r="9"><c r="A9" t="n" s="0"><v>1E3</v></c><c r="B9" t="str"><v></v></c></row>'
                         b'<row r="10"><c r="A10" t="s"><v>0</v></c><c r="B10" t="s"><v>1</v></c>'
                         b'<c r="C10" t="s"><v>2</v></c><c r="D10" t="s"><v>3</v></c><c r="E10" t="s"><v>4</v></c>'
                         b'</row>')
                data = data.replace(b"</sheetData>", extra + b"</sheetData>")
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="'
                                    b'application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                                    b'</Types>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdS" Type="http://schemas.openxml'
                                    b'formats.org/officeDocument/2006/relationships/sharedStrings" Target='
                                    b'"sharedStrings.xml"/></Relationships>')
            dst.writestr(info, data)
        # plain; rich runs with a phonetic run; an escaped underscore; spaces kept; an empty item
        dst.writestr("xl/sharedStrings.xml", b'<sst xmlns="%s" count="5" uniqueCount="5"><si><t>plain</t></si>'
                     b'<si><r><t>a</t></r><r><rPr><b/></rPr><t>b</t></r><rPh sb="0" eb="1"><t>p</t></rPh>'
                     b'<phoneticPr fontId="1"/></si><si><t>_x005F_x000D_ kept</t></si>'
                     b'<si><t xml:space="preserve">  spaced  </t></si><si/></sst>' % MAIN)
    return out.getvalue()


@pytest.mark.filterwarnings("ignore:Cell .* is marked as a date:UserWarning")  # openpyxl, on the out-of-range serial
@pytest.mark.parametrize("date1904", [False, True], ids=["1900", "1904"])
def test_every_cell_kind_reads_as_openpyxl_reads_it(date1904):
    data = _every_kind(date1904)
    assert_same_values(data, {"Kinds": (12, 7)})
    rows = gate_rows(data, "Kinds", 12, 7)
    # what openpyxl gives, checked independently of it as well
    assert rows[0][:5] == (1, 2.5, -3, 1e-7, 12345678901234)
    assert rows[1][0] == datetime(2024, 10, 20) and rows[1][2] == time(6, 30)
    assert rows[1][3] == timedelta(hours=50, minutes=3)
    assert rows[2][:2] == (True, False)
    assert rows[4][0] == datetime(2023, 3, 15, 18, 0) + (timedelta(days=1462) if date1904 else timedelta())
    assert rows[4][1] == 45000 and rows[4][2] == "#VALUE!" and rows[4][3] == time(6, 0)
    assert rows[4][2].serial == 1e12  # what the cell holds, for the reader to say so
    assert rows[6] == ("inline", "rich inline", "1x", datetime(2024, 10, 20), "#N/A", None, None)
    assert rows[7][:6] == (7, 8.0, 45000, None, None, True)  # E8 named; the next cell without a reference is F8
    assert rows[8][:2] == (1000.0, None)
    assert rows[9][:5] == ("plain", "ab", "_x000D_ kept", "  spaced  ", "")


# --- where openpyxl and Excel would differ: refused --------------------------------------------------------
@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return filled(tmp_path_factory.mktemp("values") / "base.xlsx")


def _part_edited(base: Path, out: Path, part: str, edit) -> Path:
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, edit(data) if info.filename == part else data)
    return out


def _sheet_edited(base: Path, out: Path, sheet: str, edit) -> Path:
    return _part_edited(base, out, sheet_part(base, sheet), edit)


def _after(tag: bytes, old: bytes, new: bytes):
    """An edit: the first ``old`` after ``tag`` replaced by ``new`` (asserting it was there)."""
    def edit(data: bytes) -> bytes:
        head, _, tail = data.partition(tag)
        out = head + tag + tail.replace(old, new, 1)
        assert out != data
        return out
    return edit


@pytest.mark.parametrize("name, edit", [
    # a row nested in a cell: openpyxl reads it when its end tag comes (before the outer row), Excel never
    ("nested row", lambda d: d.replace(b"</sheetData>", b'<row r="200"><c r="A200"><row r="201"><c r="B201">'
                                       b'<v>1</v></c></row></c></row></sheetData>')),
    # a row outside the sheet data: openpyxl reads it, Excel does not
    ("row outside sheetData", lambda d: d.replace(b"</sheetData>", b'</sheetData><row r="300"><c r="A300"><v>1</v>'
                                                  b'</c></row>', 1)),
    # an element in a row that is not a cell: openpyxl takes it for the next cell
    ("element in a row", lambda d: d.replace(b"</sheetData>", b'<row r="400"><x r="A400"><v>1</v></x></row>'
                                             b'</sheetData>')),
    # a reference naming another row: openpyxl's read-only reader puts it in the row element's row
    ("reference in another row", lambda d: d.replace(b"</sheetData>", b'<row r="500"><c r="A501"><v>1</v></c>'
                                                     b'</row></sheetData>')),
    # a cell format index that is not a number: openpyxl gives up on the sheet
    ("style index", lambda d: d.replace(b"</sheetData>", b'<row r="600"><c r="A600" s="x"><v>1</v></c></row>'
                                        b'</sheetData>')),
])
def test_cells_placed_differently_by_openpyxl_and_excel_are_refused(base, tmp_path, name, edit):
    path = _sheet_edited(base, tmp_path / "edited.xlsx", L.S_MONTHLY, edit)
    result = validate_file(path)
    assert result.exit_code == 2
    codes = [f.code for f in result.report.findings]
    assert "workbook.bad_cell_value" in codes and "file.unreadable_workbook" not in codes, codes
    bad = next(f for f in result.report.findings if f.code == "workbook.bad_cell_value")
    assert bad.location.sheet == L.S_MONTHLY
    assert bad.message("zh") != bad.message("en")


def test_a_style_sheet_openpyxl_cannot_read_is_refused_not_crashed(base, tmp_path):
    """A cell format whose number-format id is not a number: openpyxl would not open the workbook (it
    decides from these which numbers are dates); the gate says so."""
    _part_edited(base, tmp_path / "s.xlsx", "xl/styles.xml", _after(b"<cellXfs", b'numFmtId="', b'numFmtId="zero'))
    with pytest.raises((ValueError, TypeError)):
        load_workbook(tmp_path / "s.xlsx", read_only=True)
    result = validate_file(tmp_path / "s.xlsx")
    assert result.exit_code == 2
    assert [f.code for f in result.report.findings] == ["input.unreadable"]


def test_a_sheet_with_a_doctype_after_a_long_prolog_is_still_refused(base, tmp_path):
    """The DOCTYPE check reads a sheet's prolog: one pushed beyond the first 64 KB by comments is found by
    the exact pass that a prolog without its root in the first chunk gets."""
    prolog = b"<!--" + b"x" * 70_000 + b"-->"
    doctype = b'<!DOCTYPE worksheet [<!ENTITY e "boom">]>'
    path = _sheet_edited(base, tmp_path / "d.xlsx", L.S_MONTHLY,
                         lambda d: prolog + doctype + d)
    result = validate_file(path)
    assert result.exit_code == 2
    assert [f.code for f in result.report.findings] == ["file.xml_doctype"]


def test_a_sheet_in_utf16_is_counted_exactly(base, tmp_path):
    """The fast bound ("<" bytes ≥ elements) holds only in UTF-8: a UTF-16 sheet is counted exactly, so its
    limits still apply (here max_cells set just below its cells)."""
    part = sheet_part(base, L.S_MONTHLY)
    with zipfile.ZipFile(base) as zf:
        xml = zf.read(part).decode("utf-8")
        cells = xml.count("<c ")
    utf16 = xml.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    path = _sheet_edited(base, tmp_path / "u.xlsx", L.S_MONTHLY, lambda d: utf16)
    assert validate_file(path).exit_code in (0, 1)
    result = validate_file(path, limits=DEFAULT_LIMITS.with_overrides([f"max_cells={cells - 1}"]))
    assert "file.too_many_cells" in [f.code for f in result.report.findings]


def test_a_defect_openpyxl_refuses_outside_the_values_still_gets_its_report(base, tmp_path):
    """A style record openpyxl cannot convert that decides no value (a cell *style* format): the gate judges
    the declaration from its own reading; only the annotated copy, which openpyxl writes, cannot be made —
    the report says so instead of losing the file's answer."""
    _part_edited(base, tmp_path / "s.xlsx", "xl/styles.xml", _after(b"<cellStyleXfs", b'fontId="', b'fontId="x'))
    result = validate_file(tmp_path / "s.xlsx", annotate_dir=tmp_path / "out")
    codes = [f.code for f in result.report.findings]
    assert "file.annotate_failed" in codes and "file.unreadable_workbook" not in codes
    assert result.report.status == "pass" and result.report.declaration is not None
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize("value, epoch", [("1", 1904), ("true", 1904), ("0", 1900), ("false", 1900), ("False", None),
                                          ("yes", None)])
def test_the_date_system_is_read_as_excel_reads_it_or_refused(base, tmp_path, value, epoch):
    """date1904 is an xsd:boolean for Excel; openpyxl takes any other text — even "False" — as true, so such
    a value would move every date by 1462 days between the two readings: refused."""
    _part_edited(base, tmp_path / "e.xlsx", "xl/workbook.xml", lambda data: data.replace(
        b"<workbookPr", b'<workbookPr date1904="%s"' % value.encode(), 1) if b"<workbookPr" in data else
        data.replace(b"<sheets>", b'<workbookPr date1904="%s"/><sheets>' % value.encode(), 1))
    container = inspect_container((tmp_path / "e.xlsx").read_bytes(), DEFAULT_LIMITS)
    if epoch is None:
        assert [f.code for f in container.findings] == ["file.ambiguous_package"]
    else:
        assert container.readable and container.package.date1904 is (epoch == 1904)


def test_the_string_table_is_bounded_as_cell_content(base, tmp_path):
    """Shared strings are cell content: their items count against max_cells and their elements against
    max_sheet_elements with the sheets' — not against max_elements, which bounds the structure (defined
    names, relationships …) and would refuse a legitimate table of two elements per string. Limits are
    lowered so the files stay small."""
    from hostile_corpus import many_shared_strings

    path = many_shared_strings(base, tmp_path / "s.xlsx", count=10_000)  # 20 000 elements
    lowered = DEFAULT_LIMITS.with_overrides(["max_elements=5000"])
    assert validate_file(path, limits=lowered).exit_code == 0
    over_items = DEFAULT_LIMITS.with_overrides(["max_cells=9000"])  # the sheets' ~7 500 cells fit, 10 000 strings not
    strings = validate_file(path, limits=over_items).report.findings
    assert [f.code for f in strings] == ["file.too_many_strings"], [f.code for f in strings]
    with zipfile.ZipFile(path) as zf:
        sheet_elements = sum(zf.read(n).count(b"<") - zf.read(n).count(b"</") for n in zf.namelist()
                             if n.startswith("xl/worksheets/"))
    over_elements = DEFAULT_LIMITS.with_overrides([f"max_sheet_elements={sheet_elements + 5_000}"])
    found = validate_file(path, limits=over_elements).report.findings
    assert [f.code for f in found] == ["file.too_many_sheet_elements"], [f.code for f in found]


def test_the_style_sheet_is_bounded_as_content(base, tmp_path):
    """The same for the style sheet: cell formats count against max_styles, their elements (a format's
    alignment …) against max_sheet_elements — a style sheet of two elements per format is not refused by
    max_elements."""
    from hostile_corpus import style_bloat

    path = style_bloat(base, tmp_path / "s.xlsx", count=3_000)  # 6 000 elements
    assert validate_file(path, limits=DEFAULT_LIMITS.with_overrides(["max_elements=5000"])).exit_code == 0
    found = validate_file(path, limits=DEFAULT_LIMITS.with_overrides(["max_styles=2500"])).report.findings
    assert [f.code for f in found] == ["file.too_many_styles"], [f.code for f in found]


def test_an_annotated_copy_too_heavy_for_openpyxl_is_not_written(base, tmp_path):
    """openpyxl builds every style record, name and text run of an annotated copy — a style sheet of
    63 000 formats took it longer than 190 000 cells (bench/bench_limits.py). The copy is bounded by that
    load, not only by the cells: here 3 000 formats (6 000 elements, 5 cells' worth each) against a lowered
    max_annotated_cells that the cells (~8 300) stay under, and the same workbook without them annotated."""
    from hostile_corpus import style_bloat

    from hpcarbon.validator.container import ANNOTATE_COST

    path = style_bloat(base, tmp_path / "s.xlsx", count=3_000)
    limits = DEFAULT_LIMITS.with_overrides(["max_annotated_cells=20000"])
    container = inspect_container(path.read_bytes(), limits)
    assert container.cells < 20_000 < container.annotate_load / 2
    assert container.annotate_load >= ANNOTATE_COST * 6_000
    result = validate_file(path, limits=limits, annotate_dir=tmp_path / "out")
    heavy = [f for f in result.report.findings if f.code == "file.annotate_too_heavy"]
    assert heavy and heavy[0].severity.value == "info" and "annotated copy" in heavy[0].message("en")
    assert result.annotated is None and result.exit_code == 0
    plain = validate_file(base, limits=limits, annotate_dir=tmp_path / "out")
    assert plain.annotated is not None and not [f for f in plain.report.findings if f.code.startswith("file.annot")]


def test_a_part_counted_exactly_is_not_sized_twice(base, tmp_path):
    """A long prolog sends the content parts through the exact count, a second stream of each: their size
    counts once against max_uncompressed_bytes (a limit a third above the package passes it; one at half the
    package's real size is still a zip bomb)."""
    path = _sheet_edited(base, tmp_path / "p.xlsx", L.S_MONTHLY, lambda d: b"<!--" + b"x" * 70_000 + b"-->" + d)
    with zipfile.ZipFile(path) as zf:
        size = sum(i.file_size for i in zf.infolist())
    roomy = DEFAULT_LIMITS.with_overrides([f"max_uncompressed_bytes={size * 4 // 3}"])
    result = validate_file(path, limits=roomy)
    assert result.exit_code == 0, [f.code for f in result.report.findings]
    tight = DEFAULT_LIMITS.with_overrides([f"max_uncompressed_bytes={size // 2}"])
    assert "file.zip_bomb" in {f.code for f in validate_file(path, limits=tight).report.findings}
