"""One reading of an OOXML package, resolved the way openpyxl and Excel resolve it (issue 10).

openpyxl finds the workbook part and the shared strings through ``[Content_Types].xml`` (the first
Override of a workbook / shared-strings content type), the sheets through the workbook part's
relationships (targets normalised as ``openpyxl.packaging.relationship.get_dependents`` does), and the
styles at the fixed name ``xl/styles.xml``; Excel follows the package's office-document relationship and
the workbook's relationships, and compares part names case-blind. Where the two readings could differ
the package is *ambiguous* and refused (:class:`Ambiguous`), never guessed.

Every XML part — whatever its name — is parsed with expat before anything else reads it: well-formed,
no DOCTYPE, no entity declaration (:func:`check_xml`). Parts that can execute or reach outside the file
are classified by their relationship type and content type (:func:`active_content`), never by name.
Nothing here builds a tree of a part whose size is not already bounded by the container pass.
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import posixpath
import xml.etree.ElementTree as _ET
import zipfile
from dataclasses import dataclass, field
from xml.etree.ElementTree import XML as _c_fromstring  # C parser: only over bytes check_xml accepted
from xml.parsers import expat

#: namespaces (transitional; Strict Open XML is recognised and refused with a message, see STRICT_NS)
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
STRICT_NS = "http://purl.oclc.org/ooxml/"
MAIN = "{%s}" % NS_MAIN


def local_name(tag) -> str:
    """An element's name without its namespace (``{ns}row`` → ``row``); "?" for a comment or instruction."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else "?"


CONTENT_TYPES = "[Content_Types].xml"
ROOT_RELS = "_rels/.rels"
#: where openpyxl reads the styles, whatever the relationships say (openpyxl.styles.stylesheet)
OPENPYXL_STYLES = "xl/styles.xml"

_SHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml."
#: the workbook content types in the order openpyxl tries them (reader.excel._find_workbook_part)
WORKBOOK_TYPES = ("application/vnd.ms-excel.template.macroEnabled.main+xml",
                  _SHEET_CT + "template.main+xml",
                  "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                  _SHEET_CT + "sheet.main+xml")
MACRO_WORKBOOK_TYPES = WORKBOOK_TYPES[:1] + WORKBOOK_TYPES[2:3]
SHARED_STRINGS_CT = _SHEET_CT + "sharedStrings+xml"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class Ambiguous(Exception):
    """Excel and openpyxl could read this package differently: refused (``reason`` is (zh, en))."""

    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh, self.en = zh, en


class XmlRefused(Exception):
    """A part that is not well-formed XML, or that declares a DOCTYPE/entity."""

    def __init__(self, part: str, doctype: bool, line: int = 0, reason: str = ""):
        super().__init__(reason)
        self.part, self.doctype, self.line, self.reason = part, doctype, line, reason


# --- expat: every XML part, with or without a counting handler ------------------------------------------
class _Doctype(Exception):
    pass


def _refuse(*_args) -> None:
    raise _Doctype()


def xml_parser(start=None):
    """An expat parser that refuses any DOCTYPE or entity declaration and, with ``start``, calls
    ``start(name, attrs)`` per element (names as ``'namespace local'``)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.buffer_text = True
    if start is not None:
        parser.StartElementHandler = start
    return parser


def feed(parser, part: str, chunk: bytes, final: bool = False) -> None:
    try:
        parser.Parse(chunk, final)
    except _Doctype:
        raise XmlRefused(part, True) from None
    except expat.ExpatError as exc:
        raise XmlRefused(part, False, exc.lineno, expat.ErrorString(exc.code) if exc.code else str(exc)[:100]) \
            from None


def check_xml(part: str, data: bytes) -> None:
    feed(xml_parser(), part, data, final=True)


class _Root(Exception):
    pass


def _at_root(*_args) -> None:
    raise _Root()


def declared_utf8(head: bytes, declared: list) -> bool:
    """The part is in UTF-8 (no UTF-16 byte-order mark or NUL bytes up front; no other encoding
    declared): then every ``<`` of its text is the byte 0x3C, and ``bytes.count(b"<")`` bounds its
    elements from above."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4]:
        return False
    return not declared or declared[0] is None or declared[0].lower().replace("_", "-") in ("utf-8", "utf8")


def check_prolog(part: str, head: bytes) -> tuple[bool, bool]:
    """Parse only the prolog of a part — what comes before its root element, the one place a DOCTYPE
    (and with it any entity declaration) can stand. Returns (the root element starts within ``head``,
    the part is UTF-8); raises :class:`XmlRefused` for a DOCTYPE or a prolog that is not well-formed.
    Once the root has started no DOCTYPE can follow (a parser refuses it), and without one every entity
    reference other than the five predefined ones is an error: the C parser that reads the rest meets
    no entity to expand."""
    declared: list = []
    parser = xml_parser(_at_root)
    parser.XmlDeclHandler = lambda version, encoding, standalone: declared.append(encoding)
    try:
        feed(parser, part, head)
    except _Root:
        return True, declared_utf8(head, declared)
    return False, False


def parse_checked(part: str, data: bytes):
    """Element tree of a small structural part, after expat accepted it (no DOCTYPE can reach the C parser)."""
    check_xml(part, data)
    return _c_fromstring(data)


# --- the package ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rel:
    id: str
    type: str
    target: str  # resolved part name for internal targets, raw for external ones
    external: bool

    @property
    def kind(self) -> str:
        """The relationship type's last segment (``worksheet``, ``vbaProject`` …): the same in the
        transitional, strict and Microsoft namespaces."""
        return self.type.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class SheetRef:
    name: str
    state: str
    part: str | None  # None: the relationship is missing or its target absent (openpyxl skips the sheet)
    kind: str  # worksheet / chartsheet / dialogsheet …


@dataclass
class Package:
    zf: zipfile.ZipFile
    names: list[str]
    overrides: dict[str, str]  # part name (no leading slash) → content type
    defaults: dict[str, str]  # extension (lower case) → content type
    workbook: str = ""
    workbook_type: str = ""
    sheets: list[SheetRef] = field(default_factory=list)
    shared_strings: str | None = None
    date1904: bool = False
    #: every relationship of every .rels part: (source rels part, Rel)
    relationships: list[tuple[str, Rel]] = field(default_factory=list)

    def content_type(self, name: str) -> str:
        if name in self.overrides:
            return self.overrides[name]
        ext = posixpath.splitext(name)[1][1:].lower()
        return self.defaults.get(ext, "")

    def read(self, name: str) -> bytes:
        return self.zf.read(name)

    def sheet_parts(self) -> dict[str, str]:
        return {s.name: s.part for s in self.sheets if s.part is not None}


def rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _resolve(rels_part: str, target: str) -> str:
    """A relationship target as openpyxl's get_dependents makes it a zip member name."""
    if target.startswith("/"):
        return target[1:]
    parent = posixpath.split(posixpath.dirname(rels_part))[0]
    return posixpath.normpath(posixpath.join(parent, target))


def entry_key(name: str) -> str:
    """How Excel tells two zip entries apart: case-blind, either slash."""
    return name.replace("\\", "/").lstrip("/").casefold()


def open_package(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def check_entries(infos: list[zipfile.ZipInfo]) -> None:
    """Duplicate entries (also differing only in letter case or slash direction) are ambiguous."""
    seen: dict[str, str] = {}
    for info in infos:
        key = entry_key(info.filename)
        if key in seen:
            a, b = seen[key][:120], info.filename[:120]
            raise Ambiguous(f"压缩包中有两个同名部件（{a} 与 {b}，仅大小写或斜杠不同也算）",
                            f"the zip holds two entries with the same name ({a} and {b}; "
                            "names differing only in letter case or slash direction count as the same)")
        seen[key] = info.filename


def _member(names: set[str], folded: dict[str, str], name: str) -> str | None:
    """The member ``name`` as openpyxl finds it (exactly); a case-blind-only match is ambiguous (Excel
    would open it, openpyxl would not)."""
    if name in names:
        return name
    if entry_key(name) in folded:
        found = folded[entry_key(name)][:120]
        raise Ambiguous(f"关系指向的部件 {name[:120]} 只在忽略大小写时存在（{found}）",
                        f"a relationship points at {name[:120]}, which exists only case-blind ({found})")
    return None


def read_relationships(zf: zipfile.ZipFile, rels_part: str) -> list[Rel]:
    root = parse_checked(rels_part, zf.read(rels_part))
    out = []
    for el in root.iter(f"{{{NS_PKG_REL}}}Relationship"):
        target = el.get("Target", "")
        external = el.get("TargetMode") == "External"
        if not external and ("%" in target or "\\" in target):
            # Excel decodes %XX and accepts backslashes; openpyxl takes the target literally
            raise Ambiguous(f"{rels_part} 中的关系目标 {target[:80]} 含转义或反斜杠，Excel 与读取程序会找到不同部件",
                            f"a relationship target in {rels_part}, {target[:80]}, is escaped or uses backslashes: "
                            "Excel and the reader would find different parts")
        out.append(Rel(el.get("Id", ""), el.get("Type", ""), target if external else _resolve(rels_part, target),
                       external))
    return out


def resolve(zf: zipfile.ZipFile) -> Package:
    """Content types → workbook part → its relationships → sheets and shared strings. Raises
    :class:`Ambiguous` where Excel and openpyxl would disagree, KeyError when a required part is missing,
    :class:`XmlRefused` for a structural part that is not acceptable XML."""
    names_list = zf.namelist()
    names = set(names_list)
    folded = {entry_key(n): n for n in names_list}
    ct_root = parse_checked(CONTENT_TYPES, zf.read(CONTENT_TYPES))
    overrides: dict[str, str] = {}
    keys: set[str] = set()
    for el in ct_root.iter(f"{{{NS_CT}}}Override"):
        name = el.get("PartName", "").lstrip("/")
        if entry_key(name) in keys and name not in overrides:
            raise Ambiguous(f"内容类型表两次声明部件 {name[:120]}", f"the content types declare part {name[:120]} twice")
        overrides[name] = el.get("ContentType", "")
        keys.add(entry_key(name))
    defaults = {el.get("Extension", "").lower(): el.get("ContentType", "") for el in ct_root.iter(f"{{{NS_CT}}}Default")}
    pkg = Package(zf, names_list, overrides, defaults)

    # the workbook: openpyxl takes the first Override of a workbook type; Excel the office-document relationship
    candidates = [(n, t) for n, t in overrides.items() if t in WORKBOOK_TYPES]
    if not candidates:  # openpyxl: a workbook type as a Default means xl/workbook.xml
        default = next((t for t in defaults.values() if t in WORKBOOK_TYPES), None)
        if default:
            candidates = [("xl/workbook.xml", default)]
    if len({entry_key(n) for n, _ in candidates}) > 1:
        raise Ambiguous(f"内容类型表声明了多个工作簿部件（{'、'.join(n[:80] for n, _ in candidates[:4])}）",
                        f"the content types declare more than one workbook part "
                        f"({', '.join(n[:80] for n, _ in candidates[:4])})")
    if ROOT_RELS not in names:
        raise KeyError(ROOT_RELS)
    root_rels = read_relationships(zf, ROOT_RELS)
    pkg.relationships += [(ROOT_RELS, r) for r in root_rels]
    office = [r for r in root_rels if r.kind == "officeDocument"]
    if any(r.type.startswith(STRICT_NS) for r in office):
        raise StrictOoxml()
    if not candidates or not office:
        raise KeyError("workbook")
    if len(office) > 1 or office[0].external or entry_key(office[0].target) != entry_key(candidates[0][0]):
        raise Ambiguous("包关系指向的工作簿部件与内容类型表声明的不同",
                        "the package relationship and the content types name different workbook parts")
    pkg.workbook, pkg.workbook_type = candidates[0]
    if _member(names, folded, pkg.workbook) is None:
        raise KeyError(pkg.workbook)

    wb_rels_part = rels_path(pkg.workbook)
    wb_rels = read_relationships(zf, wb_rels_part) if _member(names, folded, wb_rels_part) else []
    by_id = {r.id: r for r in wb_rels}
    # shared strings: openpyxl by content type, Excel by relationship — they must be the same part
    by_type = [n for n, t in overrides.items() if t == SHARED_STRINGS_CT]
    by_rel = [r.target for r in wb_rels if r.kind == "sharedStrings" and not r.external]
    if len(by_type) > 1 or len(by_rel) > 1 or {entry_key(n) for n in by_type} != {entry_key(n) for n in by_rel}:
        raise Ambiguous("共享字符串表在内容类型表与工作簿关系中不一致",
                        "the content types and the workbook's relationships name different shared-string tables")
    pkg.shared_strings = _member(names, folded, by_type[0]) if by_type else None
    styles = [r.target for r in wb_rels if r.kind == "styles" and not r.external]
    if styles and (len(styles) > 1 or styles[0] != OPENPYXL_STYLES) or (not styles and OPENPYXL_STYLES in names):
        raise Ambiguous(f"样式表不在 {OPENPYXL_STYLES}，Excel 与读取程序会用不同的样式",
                        f"the styles are not at {OPENPYXL_STYLES}: Excel and the reader would use different styles")

    wb_root = parse_checked(pkg.workbook, zf.read(pkg.workbook))  # bounded by the container pass already
    pr = wb_root.find(f"{MAIN}workbookPr")
    epoch = pr.get("date1904", "false") if pr is not None else "false"
    if epoch not in ("0", "1", "true", "false"):
        # xsd:boolean for Excel; openpyxl takes any other text (even "False") as true: every date would move
        raise Ambiguous(f"工作簿的日期系统（date1904=\"{epoch[:20]}\"）无法确定", f"the workbook's date system "
                        f"(date1904=\"{epoch[:20]}\") cannot be told: Excel and the reader would date every cell differently")
    pkg.date1904 = epoch in ("1", "true")
    seen_names: dict[str, str] = {}
    sheets_el = wb_root.find(f"{MAIN}sheets")
    for el in sheets_el if sheets_el is not None else ():
        if el.tag != f"{MAIN}sheet":
            continue
        name = el.get("name", "")
        if name.casefold() in seen_names:
            a, b = seen_names[name.casefold()][:40], name[:40]
            raise Ambiguous(f"两张工作表同名（“{a}”与“{b}”，Excel 不区分大小写）",
                            f"two sheets have the same name (“{a}” and “{b}”; Excel ignores letter case)")
        seen_names[name.casefold()] = name
        rel = by_id.get(el.get(f"{{{NS_DOC_REL}}}id") or "")
        part = None
        if rel is not None and not rel.external:
            part = _member(names, folded, rel.target)
        pkg.sheets.append(SheetRef(name, el.get("state", "visible"), part, rel.kind if rel else ""))

    pkg.relationships += [(wb_rels_part, r) for r in wb_rels]
    return pkg


def structural_parts(zf: zipfile.ZipFile, overrides: dict[str, str]) -> list[str]:
    """The parts :func:`resolve` parses: checked and counted before it runs."""
    names = set(zf.namelist())
    out = [ROOT_RELS]
    for name, ct in overrides.items():
        if ct in WORKBOOK_TYPES:
            out += [name, rels_path(name)]
    if not any(ct in WORKBOOK_TYPES for ct in overrides.values()):
        out += ["xl/workbook.xml", rels_path("xl/workbook.xml")]
    return [n for n in dict.fromkeys(out) if n in names]


def all_relationships(pkg: Package) -> None:
    """Every relationship of every other part, for classification (called once every part is bounded).
    Relationship parts are found by their content type or their conventional place; both are read."""
    done = {source for source, _ in pkg.relationships}
    for name in pkg.names:
        if name in done:
            continue
        if name.endswith(".rels") or pkg.content_type(name) == "application/vnd.openxmlformats-package.relationships+xml":
            pkg.relationships += [(name, r) for r in read_relationships(pkg.zf, name)]


class StrictOoxml(Exception):
    """A Strict Open XML workbook (ISO 29500 strict): legitimate, but not what the reader reads."""


# --- active content: what can execute or reach outside the file ----------------------------------------
@dataclass(frozen=True)
class ActiveContent:
    part: str
    what_zh: str
    what_en: str
    kind: str  # "macro", "external", "active"


_REL_KINDS = {
    "vbaProject": ("macro", "VBA 宏工程", "a VBA project"),
    "vbaProjectSignature": ("macro", "VBA 宏工程签名", "a VBA project signature"),
    "externalLink": ("external", "外部工作簿链接", "a link to another workbook"),
    "externalLinkPath": ("external", "外部工作簿链接", "a link to another workbook"),
    "xlExternalLinkPath": ("external", "外部工作簿链接", "a link to another workbook"),
    "xlPathMissing": ("external", "外部工作簿链接", "a link to another workbook"),
    "xlStartup": ("external", "外部工作簿链接", "a link to another workbook"),
    "xlAlternateStartup": ("external", "外部工作簿链接", "a link to another workbook"),
    "xlLibrary": ("external", "外部工作簿链接", "a link to another workbook"),
    "connections": ("external", "数据连接（打开时可刷新外部数据）", "a data connection (can refresh outside data)"),
    "queryTable": ("external", "查询表（Web/数据库查询）", "a query table (web or database query)"),
    "oleObject": ("active", "嵌入的 OLE 对象", "an embedded OLE object"),
    "package": ("active", "嵌入的文件包", "an embedded package"),
    "activeXControl": ("active", "ActiveX 控件", "an ActiveX control"),
    "activeXControlBinary": ("active", "ActiveX 控件", "an ActiveX control"),
    "control": ("active", "表单控件", "a form control"),
    "extensibility": ("active", "自定义功能区（customUI，可调用宏）", "a custom ribbon (customUI, can call macros)"),
    "userCustomization": ("active", "自定义功能区（customUI，可调用宏）", "a custom ribbon (customUI, can call macros)"),
    "xlMacrosheet": ("macro", "Excel 4.0 宏表", "an Excel 4.0 macro sheet"),
    "xlIntlMacrosheet": ("macro", "Excel 4.0 宏表", "an Excel 4.0 macro sheet"),
    "dialogsheet": ("active", "Excel 5.0 对话框工作表（其控件可运行宏）", "an Excel 5.0 dialog sheet (its controls run macros)"),
    "attachedTemplate": ("external", "附加模板", "an attached template"),
}
_CT_KINDS = {
    "application/vnd.ms-office.vbaproject": _REL_KINDS["vbaProject"],
    "application/vnd.ms-office.vbaprojectsignature": _REL_KINDS["vbaProjectSignature"],
    "application/vnd.ms-excel.vbadata+xml": ("macro", "VBA 宏数据", "VBA macro data"),
    _SHEET_CT + "externallink+xml": _REL_KINDS["externalLink"],
    _SHEET_CT + "connections+xml": _REL_KINDS["connections"],
    _SHEET_CT + "querytable+xml": _REL_KINDS["queryTable"],
    "application/vnd.openxmlformats-officedocument.oleobject": _REL_KINDS["oleObject"],
    "application/vnd.ms-office.activex+xml": _REL_KINDS["activeXControl"],
    "application/vnd.ms-office.activex": _REL_KINDS["activeXControl"],
    "application/vnd.ms-excel.controlproperties+xml": _REL_KINDS["control"],
    "application/vnd.ms-excel.intl-macrosheet+xml": ("macro", "Excel 4.0 宏表", "an Excel 4.0 macro sheet"),
    "application/vnd.ms-excel.intlmacrosheet+xml": ("macro", "Excel 4.0 宏表", "an Excel 4.0 macro sheet"),
    _SHEET_CT + "dialogsheet+xml": _REL_KINDS["dialogsheet"],
    "application/vnd.ms-excel.macrosheet+xml": ("macro", "Excel 4.0 宏表", "an Excel 4.0 macro sheet"),
    "application/vnd.ms-excel.macrosheet": ("macro", "Excel 4.0 宏表", "an Excel 4.0 macro sheet"),
}
#: external hyperlinks a reviewer may follow safely; anything else (file:, UNC, a bare path) opens a file
_SAFE_LINK_SCHEMES = ("http://", "https://", "mailto:")


def active_content(pkg: Package) -> list[ActiveContent]:
    """Every part or relationship that can execute or reach outside the file, by relationship type,
    content type and content (an OLE compound file under any name), never by file name."""
    out: dict[tuple[str, str], ActiveContent] = {}

    def add(part, kind_what):
        kind, zh, en = kind_what
        out.setdefault((part, zh), ActiveContent(part, zh, en, kind))

    for source, rel in pkg.relationships:
        if rel.kind in _REL_KINDS:
            add(rel.target if not rel.external else f"{source} → {rel.target[:120]}", _REL_KINDS[rel.kind])
        elif rel.external:
            if rel.kind == "hyperlink":
                if not rel.target.lower().startswith(_SAFE_LINK_SCHEMES):
                    add(f"{source} → {rel.target[:120]}", ("external", "指向文件的超链接", "a hyperlink to a file"))
            else:
                add(f"{source} → {rel.target[:120]}", ("external", f"外部链接的内容（{rel.kind}）",
                                                       f"externally linked content ({rel.kind})"))
    for name in pkg.names:
        ct = pkg.content_type(name).lower()
        if ct in _CT_KINDS:
            add(name, _CT_KINDS[ct])
        elif not is_xml_type(ct) and not name.endswith("/"):
            with pkg.zf.open(name) as fh:  # an OLE compound file under any name or content type
                if fh.read(8) == OLE2_MAGIC:
                    add(name, ("active", "嵌入的 OLE 复合文件（可含宏或对象）",
                               "an embedded OLE compound file (can hold macros or objects)"))
    return sorted(out.values(), key=lambda a: (a.kind, a.part))


#: relationship kinds of sheets that hold code or controls: never part of a declaration, never copied
CODE_SHEET_KINDS = frozenset({"xlMacrosheet", "xlIntlMacrosheet", "dialogsheet"})
#: Excel runs a macro named like these when the workbook opens, closes or is (de)activated — Auto_Open,
#: Auto_Open2, _xlnm.Auto_Open … (Excel matches the beginning of the name, case-blind)
AUTO_RUN_PREFIXES = ("auto_open", "auto_close", "auto_activate", "auto_deactivate")


def code_sheets(pkg: Package) -> list[str]:
    """Sheets that are Excel 4.0 macro sheets or Excel 5.0 dialog sheets, by relationship or content type."""
    out = []
    for s in pkg.sheets:
        ct = pkg.content_type(s.part).lower() if s.part else ""
        if s.kind in CODE_SHEET_KINDS or _CT_KINDS.get(ct, ("",))[0] == "macro" or ct == _SHEET_CT + "dialogsheet+xml":
            out.append(s.name)
    return out


def runs_code(name: str, attrs: dict[str, str]) -> bool:
    """A defined name that runs code: an auto-run name, or an Excel 4.0 macro / VBA procedure name
    (``function``, ``vbProcedure`` or ``xlm`` set)."""
    bare = name.casefold().removeprefix("_xlnm.")
    if bare.startswith(AUTO_RUN_PREFIXES):
        return True
    return any(attrs.get(a, "").lower() in ("1", "true") for a in ("function", "vbProcedure", "xlm"))


def is_xml_type(ct: str) -> bool:
    """application/xml, text/xml, anything+xml (RFC 7303), VML."""
    ct = ct.split(";")[0].strip().lower()
    return ct.endswith(("+xml", "/xml")) or ct == "application/vnd.openxmlformats-officedocument.vmldrawing"


def is_xml_part(pkg_or_none: Package | None, name: str, head: bytes, overrides: dict[str, str],
                defaults: dict[str, str]) -> bool:
    """An XML part, classified by content type first, then by its first bytes; the suffix only adds."""
    ct = (overrides.get(name) or defaults.get(posixpath.splitext(name)[1][1:].lower(), "")).lower()
    if is_xml_type(ct) or name.lower().endswith((".xml", ".rels", ".vml")):
        return True
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return start.startswith(b"<") or head.startswith((b"\xff\xfe<", b"\xfe\xff\x00<", b"\xff\xfe", b"\xfe\xff"))


# --- openpyxl on the C parser, for bytes the gate accepted (issue 10, item 9) --------------------------
# openpyxl parses every part through defusedxml, whose pure-Python parser is most of its load time. The
# gate runs expat over every part of the very bytes openpyxl will read (is_xml_part: by content type, name
# or first bytes) and refuses any DOCTYPE or entity declaration before openpyxl starts; the C parser is
# expat too and decodes those bytes identically, so within the gate it has nothing defusedxml would
# refuse. Everywhere else (a path read by `hpcarbon compute`, another thread) openpyxl keeps defusedxml:
# the switch is a context variable, per thread and task.
_GATED = contextvars.ContextVar("hpcarbon_gated_openpyxl", default=False)
_installed = False


def _install() -> None:
    global _installed
    if _installed:
        return
    import sys

    import openpyxl.reader.excel  # noqa: F401 - imports every module the reader uses
    import openpyxl.reader.strings  # noqa: F401
    import openpyxl.worksheet._read_only  # noqa: F401
    from defusedxml import ElementTree as defused

    def fromstring(text, *args, **kwargs):
        return _ET.fromstring(text) if _GATED.get() else defused.fromstring(text, *args, **kwargs)

    def iterparse(source, *args, **kwargs):
        return _ET.iterparse(source, *args[:1], **{k: v for k, v in kwargs.items() if k == "events"}) \
            if _GATED.get() else defused.iterparse(source, *args, **kwargs)

    for name, module in list(sys.modules.items()):
        if not name.startswith("openpyxl") or module is None:
            continue
        if getattr(module, "fromstring", None) is defused.fromstring:
            module.fromstring = fromstring
        if getattr(module, "iterparse", None) is defused.iterparse:
            module.iterparse = iterparse
    _installed = True


@contextlib.contextmanager
def gated_openpyxl():
    """openpyxl on the C XML parser for the duration (only around bytes the container pass accepted)."""
    _install()
    token = _GATED.set(True)
    try:
        yield
    finally:
        _GATED.reset(token)
