"""The file itself, before any spreadsheet library touches it: is it an .xlsx we may open?

Works on the bytes read once (:func:`hpcarbon.validator.validate_file`), never on a path. Checks the
signature (zip / OLE2 encrypted or legacy .xls / OpenDocument / other), the zip directory (duplicate
names — also differing only in case or slash —, compression methods Excel cannot open, encryption),
every member's real uncompressed size (streamed, capped: a zip bomb stops here), and parses every XML
part — classified by content type and content, not by name — with expat: well-formed, no DTD or
entity declaration, and its elements counted against the limits before any tree is built. Then the
package is resolved as openpyxl and Excel resolve it (:mod:`.ooxml`; ambiguity is refused), parts that
execute or reach outside the file are named (:func:`.ooxml.active_content`), and every sheet is walked
once (:mod:`.scan`) for formulas, merges, cached values and cells openpyxl could not cast.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError
from xml.etree.ElementTree import XML as fromstring  # C parser: only parts the stream accepted
from xml.parsers import expat

from hpcarbon.findings import Finding, finding
from hpcarbon.validator import ooxml
from hpcarbon.validator.limits import Limits
from hpcarbon.validator.cells import ValueReader, number_styles, shared_strings
from hpcarbon.validator.scan import SheetScan, reaches_outside, scan_sheet

ZIP_MAGIC = b"PK\x03\x04"
_CHUNK = 1 << 16
_EXCEL_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_ODS_MIME = b"application/vnd.oasis.opendocument"
_SP = ooxml.NS_MAIN + " "
_CELL, _ROWTAG, _SI = _SP + "c", _SP + "row", _SP + "si"
_STYLE_RECORDS = frozenset(_SP + t for t in ("xf", "font", "fill", "border", "numFmt", "dxf"))
_WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


@dataclass
class PartCounts:
    elements: int = 0
    cells: int = 0
    rows: int = 0  # rows holding a cell, and the last of them (see SheetScan: empty rows cost nothing)
    last_row: int = 0
    strings: int = 0
    styles: int = 0


@dataclass
class ContainerReport:
    findings: list[Finding] = field(default_factory=list)
    readable: bool = True  # False: do not hand it to openpyxl
    macro: bool = False
    sheet_count: int = 0
    #: (name, state) of every sheet in workbook order; state is visible, hidden or veryHidden
    sheets: list[tuple[str, str]] = field(default_factory=list)
    #: tab name → zip member of each sheet
    parts: dict[str, str] | None = None
    #: tab name → what one streaming pass over the sheet found (formulas, merges, cached values …)
    scans: dict[str, SheetScan] = field(default_factory=dict)
    package: ooxml.Package | None = None
    #: formulas reaching outside the workbook in its defined names: (name, formula shown, what)
    outside_names: list[tuple[str, str, str]] = field(default_factory=list)
    #: cell elements in all sheets
    cells: int = 0
    #: elements openpyxl would build for an annotated copy, weighted (see ANNOTATE_COST)
    annotate_load: int = 0
    #: sheets that are Excel 4.0 macro sheets or dialog sheets (never copied into the annotated copy)
    code_sheets: list[str] = field(default_factory=list)
    #: the style sheet's element tree (None: none), parsed once for the values and the reviewer checks
    styles_root: object = None


#: what one element of a style sheet or of the workbook's structure costs openpyxl, in cells: measured by
#: bench/bench_limits.py with --annotate (63 000 formats or 95 000 defined names took as long as ~5× as many
#: cells, shared strings or rich-text runs)
ANNOTATE_COST = 5

#: characters of a part name or sheet name echoed into a message (a zip entry's name can be 64 KB)
_NAME_CHARS = 120


def _stop(report: ContainerReport, code: str, **params) -> ContainerReport:
    params = {k: v[:_NAME_CHARS] if isinstance(v, str) and k in ("part", "sheet") else v for k, v in params.items()}
    report.findings.append(finding(code, **params))
    report.readable = False
    return report


def inspect_container(data: bytes, limits: Limits, wanted: dict[str, set[str]] | None = None,
                      styled_sheets: frozenset[str] = frozenset(),
                      extents: dict[str, tuple[int, int]] | None = None) -> ContainerReport:
    """``wanted``: sheet → cells whose cached values the caller needs; ``styled_sheets``: sheets whose
    cells' style ids are kept (the reviewer checks); ``extents``: sheet → (rows, columns) whose values
    the caller reads (``SheetScan.rows_of``, as openpyxl would give them)."""
    report = ContainerReport()
    if len(data) == 0:
        return _stop(report, "file.empty")
    if len(data) > limits.max_file_bytes:
        return _stop(report, "file.too_large", size=len(data), limit=limits.max_file_bytes)
    if data.startswith(ooxml.OLE2_MAGIC):
        # an OLE2 compound file: a password-encrypted OOXML package, or a legacy .xls
        if "EncryptedPackage".encode("utf-16-le") in data[: 1 << 20]:
            return _stop(report, "file.encrypted")
        return _stop(report, "file.legacy_xls")
    if not data.startswith(ZIP_MAGIC):
        return _stop(report, "file.not_xlsx")
    try:
        # kept open (it holds no file descriptor, only the bytes): the reviewer checks read the styles later
        return _inspect_zip(ooxml.open_package(data), report, limits, wanted or {}, styled_sheets, extents)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, NotImplementedError, ValueError) as exc:
        return _stop(report, "file.corrupt_zip", reason=str(exc)[:200])
    except ooxml.Ambiguous as exc:
        return _stop(report, "file.ambiguous_package", reason_zh=exc.zh, reason_en=exc.en)
    except ooxml.XmlRefused as exc:
        return _refused(report, exc)


def _refused(report: ContainerReport, exc: ooxml.XmlRefused) -> ContainerReport:
    if exc.doctype:
        return _stop(report, "file.xml_doctype", part=exc.part)
    return _stop(report, "file.malformed_xml", part=exc.part, line=exc.line, reason=exc.reason)


def _counter(counts: PartCounts):
    row = [0, False]  # the current row's number (0: not given), and whether a cell of it was counted

    def start(name, attrs):
        counts.elements += 1
        if name == _CELL:
            counts.cells += 1
            if not row[1]:
                row[1] = True
                counts.rows += 1
                counts.last_row = max(counts.last_row, row[0])
        elif name == _ROWTAG:
            r = attrs.get("r", "")
            row[:] = [int(r) if r.isdigit() and len(r) < 10 else 0, False]
        elif name == _SI:
            counts.strings += 1
        elif name in _STYLE_RECORDS:
            counts.styles += 1
    return start


def _inspect_zip(zf: zipfile.ZipFile, report: ContainerReport, limits: Limits, wanted: dict[str, set[str]],
                 styled_sheets: frozenset[str], extents: dict[str, tuple[int, int]] | None) -> ContainerReport:
    infos = zf.infolist()
    names = {i.filename for i in infos}
    if "mimetype" in names and zf.read("mimetype").startswith(_ODS_MIME):
        return _stop(report, "file.opendocument")
    ooxml.check_entries(infos)
    if any(i.flag_bits & 0x1 for i in infos):
        return _stop(report, "file.encrypted")
    odd = next((i for i in infos if i.compress_type not in _EXCEL_METHODS), None)
    if odd is not None:
        return _stop(report, "file.compression", part=odd.filename, method=odd.compress_type)
    if ooxml.CONTENT_TYPES not in names:
        return _stop(report, "file.not_xlsx")
    for info in infos:
        if info.file_size > limits.max_uncompressed_bytes:
            return _stop(report, "file.zip_bomb", part=info.filename, limit=limits.max_uncompressed_bytes)

    # the content types first: they say which parts are XML and which are sheets
    ct_counts = PartCounts()
    ct_data = zf.read(ooxml.CONTENT_TYPES)
    parser = ooxml.xml_parser(_counter(ct_counts))
    ooxml.feed(parser, ooxml.CONTENT_TYPES, ct_data, final=True)
    if ct_counts.elements > limits.max_elements:
        return _stop(report, "file.too_many_elements", count=ct_counts.elements, limit=limits.max_elements)
    overrides, defaults = _content_types(ct_data)
    declared_sheets = sum(1 for t in overrides.values() if t == _WORKSHEET_CT)
    if declared_sheets > limits.max_sheets:  # "too many sheets" rather than "too many parts" when it is that
        return _stop(report, "file.too_many_sheets", count=declared_sheets, limit=limits.max_sheets)
    if len(infos) > limits.max_zip_entries:
        return _stop(report, "file.too_many_parts", count=len(infos), limit=limits.max_zip_entries)

    counts: dict[str, PartCounts] = {ooxml.CONTENT_TYPES: ct_counts}
    budget = _Budget(limits)
    # the parts that say where everything is, bounded first; then the package is resolved as openpyxl and
    # Excel resolve it, so each other part is counted as what it is (a sheet, or not)
    structural = ooxml.structural_parts(zf, overrides)
    for name in structural:
        stop = _stream(zf, zf.getinfo(name), report, limits, overrides, defaults, counts, budget, None)
        if stop is not None:
            return stop
    try:
        pkg = ooxml.resolve(zf)
    except ooxml.StrictOoxml:
        return _stop(report, "file.strict_ooxml")
    except KeyError:
        return _stop(report, "file.not_xlsx")
    report.package = pkg
    report.sheets = [(s.name, s.state) for s in pkg.sheets]
    report.parts = pkg.sheet_parts()
    report.sheet_count = len(pkg.sheets)
    if report.sheet_count > limits.max_sheets:
        return _stop(report, "file.too_many_sheets", count=report.sheet_count, limit=limits.max_sheets)
    # the sheets the scan parses (a part that is not a worksheet by content type or name is only checked)
    scanned = {part: name for name, part in report.parts.items()
               if pkg.content_type(part) == _WORKSHEET_CT or part.endswith(".xml")}
    tabs = {member: name for name, member in report.parts.items()}
    rest = [i for i in infos if i.filename not in counts and i.filename not in structural]
    # every other part streamed once: its real size, and when it is XML, expat over it (a sheet's
    # prolog only: the scan parses the rest); its elements bounded from above by counting "<"
    light: dict[str, _Light] = {}
    for info in rest:
        stop = _stream_light(zf, info, report, limits, overrides, defaults, budget, info.filename in scanned, light)
        if stop is not None:
            return stop
    # the content: the sheets, the shared strings and the style sheet. Their records count against their
    # own limits (cells and strings: max_cells; cell formats, fonts …: max_styles) and their elements
    # (rich-text runs, a format's alignment …) together against max_sheet_elements; every other part —
    # the structure: workbook, relationships, properties — against max_elements
    kinds = {pkg.shared_strings: "strings", ooxml.OPENPYXL_STYLES: "styles"}
    content = set(scanned) | set(kinds)
    sheet_bound = sum(v.bound for k, v in light.items() if k in scanned)
    strings_bound = light[pkg.shared_strings].bound if pkg.shared_strings in light else 0
    styles_bound = light[ooxml.OPENPYXL_STYLES].bound if ooxml.OPENPYXL_STYLES in light else 0
    other_bound = sum(v.bound for k, v in light.items() if k not in content)
    exact_content = any(not v.bounded for k, v in light.items() if k in content) \
        or sheet_bound > limits.max_cells or strings_bound > limits.max_cells or styles_bound > limits.max_styles \
        or sheet_bound + strings_bound + styles_bound > limits.max_sheet_elements
    exact_other = any(not v.bounded for k, v in light.items() if k not in content) \
        or budget.elements + other_bound > limits.max_elements
    # the bound does not settle it (a stuffed or non-UTF-8 part): counted exactly, stopping at the limit
    for info in rest:
        if info.filename in light and (exact_content if info.filename in content else exact_other):
            stop = _stream(zf, info, report, limits, overrides, defaults, counts, budget, tabs.get(info.filename),
                           content=kinds.get(info.filename), sized=True)
            if stop is not None:
                return stop
    ooxml.all_relationships(pkg)
    # what openpyxl would build to write an annotated copy: every element, those outside the cells and
    # strings (style records, defined names …) weighted by their measured cost (bench/bench_limits.py)
    structure = sum(c.elements for n, c in counts.items() if n not in light)
    cell_like = set(scanned) | {pkg.shared_strings}
    report.annotate_load = sum(v.bound for k, v in light.items() if k in cell_like) \
        + ANNOTATE_COST * (structure + sum(v.bound for k, v in light.items() if k not in cell_like))

    # [D] a macro-enabled format alone warns (issue: .xlsm warns); macro code itself is refused as an
    # error (the hostile-file promise): it is never run, but a declaration must not carry it
    active = ooxml.active_content(pkg)
    report.macro = pkg.workbook_type in ooxml.MACRO_WORKBOOK_TYPES or any(a.kind == "macro" for a in active)
    if report.macro:
        report.findings.append(finding("file.macro"))
    report.outside_names, code_names = _defined_names(zf.read(pkg.workbook))
    report.code_sheets = ooxml.code_sheets(pkg)
    macro_parts = [a.part for a in active if a.kind == "macro"] + [f"definedName {n}" for n in code_names]
    if code_names and not report.macro:
        report.macro = True
        report.findings.append(finding("file.macro"))
    if macro_parts:
        report.findings.append(finding("file.macro_code", part=", ".join(macro_parts[:5])[:_NAME_CHARS]))
    if any(a.what_en == "a link to another workbook" for a in active):
        report.findings.append(finding("file.external_links"))
    for a in active:
        if a.kind == "macro" or a.what_en == "a link to another workbook":
            continue
        code = "file.external_content" if a.kind == "external" else "file.active_content"
        report.findings.append(finding(code, part=a.part[:_NAME_CHARS], what_zh=a.what_zh, what_en=a.what_en))

    # the values as openpyxl would read them: shared strings, which cell formats are dates, the epoch
    try:
        styles_root = fromstring(zf.read(ooxml.OPENPYXL_STYLES)) if ooxml.OPENPYXL_STYLES in names else None
        cells = ValueReader(shared_strings(zf.read(pkg.shared_strings)) if pkg.shared_strings else [],
                            number_styles(styles_root), pkg.date1904)
    except (ValueError, TypeError, OverflowError) as exc:  # openpyxl would not open the workbook either
        return _stop(report, "input.unreadable",
                     reason=f"无法打开工作簿 / cannot open the workbook: {type(exc).__name__}")
    report.styles_root = styles_root

    # every sheet, once: formulas, merges, cached values, the reader's values, cells openpyxl cannot cast
    total_cells = 0
    for part, name in scanned.items():
        try:
            scan = scan_sheet(zf.read(part), wanted.get(name, frozenset()), cells,
                              keep_styles=name in styled_sheets, extent=(extents or {}).get(name))
        except ParseError as exc:
            return _stop(report, "file.malformed_xml", part=part, line=exc.position[0],
                         reason=expat.ErrorString(exc.code) or str(exc)[:100])
        rows = max(scan.rows_with_cells, scan.last_cell_row)
        if rows > limits.max_rows:
            return _stop(report, "file.too_many_rows", sheet=name, rows=rows, limit=limits.max_rows)
        total_cells += scan.cells
        report.scans[name] = scan
    report.cells = budget.cells if exact_content else total_cells
    return report


def _inflated_too_far(info, real: int, chunk: int, budget: "_Budget") -> bool:
    """A zip bomb: the real (not the declared) size of all parts so far, or one part's compression ratio."""
    budget.total += chunk
    lim = budget.limits
    return budget.total > lim.max_uncompressed_bytes or bool(
        info.compress_size and real > 1_000_000 and real / info.compress_size > lim.max_compression_ratio)


@dataclass
class _Light:
    bound: int = 0  # "<" bytes not followed by "/" in the part: at least its elements
    bounded: bool = True  # the bound holds (UTF-8, and for a sheet, its root found in the first chunk)


def _stream_light(zf, info, report, limits, overrides, defaults, budget, sheet: bool, light: dict):
    """One member, streamed: its real size (zip bomb) and, when it is XML, its elements bounded from
    above; a part that is not a sheet goes through expat (well-formed, no DOCTYPE or entity), a sheet's
    prolog only (:func:`.ooxml.check_prolog`: the scan's one parse checks the rest)."""
    real = 0
    checker = None
    part = None
    declared: list = []
    with zf.open(info) as member:
        while chunk := member.read(_CHUNK):
            if real == 0 and ooxml.is_xml_part(None, info.filename, chunk[:64], overrides, defaults):
                part = light[info.filename] = _Light()
                if sheet:
                    part.bounded = all(ooxml.check_prolog(info.filename, chunk))
                else:
                    checker = ooxml.xml_parser()
                    checker.XmlDeclHandler = lambda version, encoding, standalone: declared.append(encoding)
                    head = chunk[:4]
            real += len(chunk)
            if _inflated_too_far(info, real, len(chunk), budget):
                return _stop(report, "file.zip_bomb", part=info.filename, limit=limits.max_uncompressed_bytes)
            if part is not None:  # start tags at most ("</" split across two chunks only raises the bound)
                part.bound += chunk.count(b"<") - chunk.count(b"</")
            if checker is not None:
                ooxml.feed(checker, info.filename, chunk)
    if checker is not None:
        ooxml.feed(checker, info.filename, b"", final=True)
        part.bounded = ooxml.declared_utf8(head, declared)
    return None


class _Budget:
    """Running totals over the whole package, checked while each part streams (a stuffed part stops as
    soon as it passes a limit, with the limit it passed)."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.total = 0
        self.cells = self.sheet_elements = self.strings = self.styles = self.elements = 0

    def over(self, part: PartCounts, tab: str | None, done: bool = False,
             content: str | None = None) -> tuple[str, dict] | None:
        lim = self.limits
        if content is not None:  # the shared strings or the style sheet (see _inspect_zip)
            if self.strings + part.strings > lim.max_cells:  # openpyxl loads them all up front
                return "file.too_many_strings", {"count": self.strings + part.strings, "limit": lim.max_cells}
            if self.styles + part.styles > lim.max_styles:
                return "file.too_many_styles", {"count": self.styles + part.styles, "limit": lim.max_styles}
            # while a part streams, a looser bound: a table just over its own limit is refused for what it is
            bound = lim.max_sheet_elements if done else lim.max_sheet_elements + 8 * max(lim.max_cells, lim.max_styles)
            if self.sheet_elements + part.elements > bound:
                return "file.too_many_sheet_elements", {"count": self.sheet_elements + part.elements,
                                                        "limit": lim.max_sheet_elements}
            if done:
                self.strings += part.strings
                self.styles += part.styles
                self.sheet_elements += part.elements
            return None
        if tab is not None:
            rows = max(part.rows, part.last_row)
            if rows > lim.max_rows:
                return "file.too_many_rows", {"sheet": tab, "rows": rows, "limit": lim.max_rows}
            if self.cells + part.cells > lim.max_cells:
                return "file.too_many_cells", {"count": self.cells + part.cells, "limit": lim.max_cells}
            if self.sheet_elements + part.elements > lim.max_sheet_elements:
                return "file.too_many_sheet_elements", {"count": self.sheet_elements + part.elements,
                                                        "limit": lim.max_sheet_elements}
            if done:
                self.cells += part.cells
                self.sheet_elements += part.elements
            return None
        if self.strings + part.strings > lim.max_cells:  # openpyxl loads them all up front (1 M: ~9 s, 200 MB)
            return "file.too_many_strings", {"count": self.strings + part.strings, "limit": lim.max_cells}
        if self.styles + part.styles > lim.max_styles:
            return "file.too_many_styles", {"count": self.styles + part.styles, "limit": lim.max_styles}
        # while a part streams, a looser bound: a string table or style sheet just over its own limit has
        # two elements per record, and should be refused for what it is
        bound = lim.max_elements if done else lim.max_elements + 2 * max(lim.max_cells, lim.max_styles)
        if self.elements + part.elements > bound:
            return "file.too_many_elements", {"count": self.elements + part.elements, "limit": lim.max_elements}
        if done:
            self.strings += part.strings
            self.styles += part.styles
            self.elements += part.elements
        return None


def _stream(zf, info, report, limits, overrides, defaults, counts, budget: _Budget, tab: str | None,
            content: str | None = None, sized: bool = False):
    """One member, streamed: its real size (zip bomb), and when it is XML, expat over it with its elements
    counted against the limits. ``sized``: the member's size is already in the budget (its light stream
    counted it; this is the exact count's second stream). Returns the stopped report, or None to go on."""
    real = 0
    part_counts = PartCounts()
    checker = None
    with zf.open(info) as member:  # the real size is counted, not the declared one
        while chunk := member.read(_CHUNK):
            if real == 0 and ooxml.is_xml_part(None, info.filename, chunk[:64], overrides, defaults):
                checker = ooxml.xml_parser(_counter(part_counts))
                counts[info.filename] = part_counts
            real += len(chunk)
            if _inflated_too_far(info, real, 0 if sized else len(chunk), budget):
                return _stop(report, "file.zip_bomb", part=info.filename, limit=limits.max_uncompressed_bytes)
            if checker is not None:
                ooxml.feed(checker, info.filename, chunk)
                over = budget.over(part_counts, tab, content=content)
                if over:
                    return _stop(report, over[0], **over[1])
    if checker is not None:
        ooxml.feed(checker, info.filename, b"", final=True)
        over = budget.over(part_counts, tab, done=True, content=content)
        if over:
            return _stop(report, over[0], **over[1])
    return None


def _content_types(data: bytes) -> tuple[dict[str, str], dict[str, str]]:
    root = ooxml.parse_checked(ooxml.CONTENT_TYPES, data)
    ns = "{%s}" % ooxml.NS_CT
    overrides = {el.get("PartName", "").lstrip("/"): el.get("ContentType", "") for el in root.iter(f"{ns}Override")}
    defaults = {el.get("Extension", "").lower(): el.get("ContentType", "") for el in root.iter(f"{ns}Default")}
    return overrides, defaults


def _defined_names(workbook_xml: bytes) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Defined names whose formula reaches outside the workbook, and names that run code (auto-run, Excel
    4.0 macro or VBA procedure names) — bytes accepted and bounded above."""
    outside, code = [], []
    for el in fromstring(workbook_xml).iter(f"{ooxml.MAIN}definedName"):
        name = el.get("name", "")
        what = reaches_outside(el.text or "")
        if what:
            outside.append((name[:60], (el.text or "")[:60], what))
        if ooxml.runs_code(name, el.attrib):
            code.append(name[:60])
    return outside, code
