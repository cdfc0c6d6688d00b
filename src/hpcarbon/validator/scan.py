"""Byte-level scans of the sheet XML that openpyxl's values cannot answer (issue: unbreakable at the gate).

* formulas and merged ranges over the template's input cells — one regex pass per input sheet, no
  XML tree (the reader sees only cached values, and read-only openpyxl ignores merges);
* on a workbook openpyxl could not read: the cells whose stored value it cannot cast (``<v>NaN</v>``
  in a number cell, a shared-string index out of range …), located, so the answer names the cell.

Every pattern tolerates a namespace prefix (``<x:c>``); nothing here builds an element tree.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from functools import lru_cache
from pathlib import Path

from defusedxml.ElementTree import fromstring, iterparse
from openpyxl.utils.cell import column_index_from_string, coordinate_to_tuple
from openpyxl.utils.exceptions import CellCoordinatesException

from hpcarbon.findings import Finding, finding

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

#: a cell's start tag, matched exactly between the '<' before a formula element and that element (an
#: attribute value cannot hold '<', so the previous '<' starts the enclosing tag); its r attribute
_C_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c(?:\s([^<>]*))?>\s*")
_R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*(["'])([^"']*)\1""")
_PREFIX = re.compile(rb"[A-Za-z_][\w.-]*")
_AFTER_NAME = frozenset(b">/ \t\r\n")
_MERGE = re.compile(rb"""<(?:[\w.-]+:)?mergeCell\s[^>]*?\bref\s*=\s*["']\$?([A-Z]{1,3})\$?([0-9]{1,7})"""
                    rb"""(?::\$?([A-Z]{1,3})\$?([0-9]{1,7}))?["']""")
_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', re.DOTALL)
_ATTR_R = re.compile(rb'\br="([^"]*)"')
_ATTR_T = re.compile(rb'\bt="([^"]*)"')
_VALUE = re.compile(rb'<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>')
_ROW = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="([^"]*)"')
_MAX_REPORTED = 20


def sheets_of(workbook_xml: bytes, rels_xml: bytes | None) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """From workbook.xml and its relationships: (name, state) of every sheet in order, and each sheet's
    tab name → zip member. Raises for XML that cannot be parsed."""
    targets = {}
    if rels_xml is not None:
        for rel in fromstring(rels_xml).iter(f"{_NS_PKG_REL}Relationship"):
            target = rel.get("Target", "")
            targets[rel.get("Id")] = (target.lstrip("/") if target.startswith("/")
                                      else posixpath.normpath(posixpath.join("xl", target)))
    states, parts = [], {}
    # streamed, and only up to </sheets>: the defined names after it can be many
    for _, el in iterparse(io.BytesIO(workbook_xml), events=("end",)):
        if el.tag == f"{_NS_MAIN}sheet":
            name = el.get("name", "")
            states.append((name, el.get("state", "visible")))
            part = targets.get(el.get(f"{_NS_REL}id"))
            if part is not None:
                parts[name] = part
        elif el.tag == f"{_NS_MAIN}sheets":
            break
    return states, parts


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Every sheet's tab name → its zip member, through workbook.xml and its relationships (parsed once)."""
    names = set(zf.namelist())
    rels = zf.read("xl/_rels/workbook.xml.rels") if "xl/_rels/workbook.xml.rels" in names else None
    return sheets_of(zf.read("xl/workbook.xml"), rels)[1]


@lru_cache(maxsize=1)
def input_cells() -> dict[str, dict[str, tuple[int, int]]]:
    """The template's input cells: sheet → {A1 ref: (column index, row)} (every row of a table)."""
    from hpcarbon.workbook.layout import LAYOUT

    out: dict[str, dict[str, tuple[int, int]]] = {}
    for slot in LAYOUT.slots:
        if slot.locked:
            continue
        col = column_index_from_string(slot.column)
        if slot.table:
            t = LAYOUT.tables[slot.table]
            rows = range(t.first_row, t.last_row + 1)
        else:
            rows = range(slot.row, slot.row + 1)
        cells = out.setdefault(slot.sheet, {})
        for r in rows:
            cells[f"{slot.column}{r}"] = (col, r)
    return out


@lru_cache(maxsize=1)
def personal_cells() -> frozenset[tuple[str, str]]:
    """(sheet, ref) of the cells holding an individual owner's personal data (never echoed)."""
    from hpcarbon.workbook.layout import LAYOUT

    return frozenset((s.sheet, s.cell()) for s in LAYOUT.slots if s.spec.personal and not s.table)


def scan_input_sheets(path: Path, parts: dict[str, str] | None = None
                      ) -> tuple[list[tuple[str | None, str]], list[tuple[str, str, str]]]:
    """Formula cells among the input cells, as (sheet, ref), and merged ranges that swallow an input
    cell, as (sheet, range, first input cell lost) — a range covering two input cells, or one input cell
    that is not its top-left cell (Excel keeps only the top-left value). ``parts`` (tab name → member,
    as the container pass found them) saves parsing workbook.xml again."""
    cells = input_cells()
    formulas: list[tuple[str, str]] = []
    merges: list[tuple[str, str, str]] = []
    with zipfile.ZipFile(path) as zf:
        parts = sheet_parts(zf) if parts is None else parts
        names = set(zf.namelist())
        for sheet, refs in cells.items():
            part = parts.get(sheet)
            if part is None or part not in names:
                continue
            data = zf.read(part)
            for ref in _formula_refs(data):
                if ref is None or ref in refs:  # a formula cell without a reference: where openpyxl puts it
                    formulas.append((sheet, ref))
            end = data.rfind(b"sheetData>")  # <mergeCells> follows <sheetData> (the schema's order)
            for m in _MERGE.finditer(data, max(end, 0)):
                c1, r1 = column_index_from_string(m.group(1).decode()), int(m.group(2))
                c2, r2 = ((column_index_from_string(m.group(3).decode()), int(m.group(4))) if m.group(3)
                          else (c1, r1))
                (c1, c2), (r1, r2) = sorted((c1, c2)), sorted((r1, r2))
                inside = sorted((r, c, ref) for ref, (c, r) in refs.items() if c1 <= c <= c2 and r1 <= r <= r2)
                lost = [ref for r, c, ref in inside if (c, r) != (c1, r1)]
                if lost:
                    rng = m.group(0).split(b'ref="')[1].rstrip(b'"').decode()
                    merges.append((sheet, rng, inside[0][2]))
    return formulas, merges


def _formula_refs(data: bytes) -> list[str | None]:
    """The r attribute (None when absent) of every cell holding a formula element (``<f>``, ``<f t=…/>``,
    ``<x:f>``), whatever the quoting, spacing or namespace prefix of the cell's tag. Walked with
    ``bytes.find`` from formula element to enclosing tag: half the time of a regex that starts at every
    '<' of a 250 KB sheet, and not fooled by ``r='F5'``, ``r = "F5"`` or a tab before ``r``."""
    out: list[str | None] = []
    for needle in (b"<f", b":f") if b":f" in data else (b"<f",):
        pos = data.find(needle)
        while pos >= 0:
            if pos + 2 < len(data) and data[pos + 2] in _AFTER_NAME:
                start = pos
                if needle == b":f":
                    start = data.rfind(b"<", 0, pos)
                    if start < 0 or not _PREFIX.fullmatch(data, start + 1, pos):
                        start = -1
                if start >= 0:
                    q = data.rfind(b"<", 0, start)
                    tag = _C_TAG.fullmatch(data, q, start) if q >= 0 else None
                    if tag is not None:
                        r = _R_ATTR.search(tag.group(1) or b"")
                        out.append(r.group(2).decode("utf-8", "replace").replace("$", "") if r else None)
            pos = data.find(needle, pos + 2)
    return out


def unreadable_cells(path: Path) -> list[Finding]:
    """Cells whose stored value openpyxl cannot cast (it gives up on the whole sheet), located.

    Run only after openpyxl failed, so a valid workbook pays nothing for it. Mirrors openpyxl 3.1's
    casts: a number is ``float()`` when it has '.', 'e' or 'E', else ``int()`` (so ``NaN``,
    ``Infinity`` and ``-inf`` fail); ``t="s"`` an index into the shared strings; ``t="b"`` ``int()``;
    ``t="d"`` an ISO 8601 date."""
    from openpyxl.utils.datetime import from_ISO8601

    out: list[Finding] = []
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return out
    with zf:
        try:
            parts = sheet_parts(zf)
        except Exception:  # workbook.xml itself is broken: nothing to locate
            return out
        names = set(zf.namelist())
        shared = None
        personal = personal_cells()
        for sheet, part in parts.items():
            if part not in names:
                continue
            try:
                data = zf.read(part)
            except Exception:
                continue
            for m in _ROW.finditer(data):
                if not m.group(1).isdigit():
                    out.append(finding("workbook.bad_cell_value", value=_quote(m.group(1).decode("utf-8", "replace")),
                                       kind="行号", kind_en="row number").located(sheet, None))
            for m in _CELL.finditer(data):
                attrs, body = m.group(1), m.group(2) or b""
                ref_m, t_m = _ATTR_R.search(attrs), _ATTR_T.search(attrs)
                ref = ref_m.group(1).decode("utf-8", "replace") if ref_m else None
                kind = t_m.group(1).decode("utf-8", "replace") if t_m else "n"
                v = _VALUE.search(body)
                text = v.group(1).decode("utf-8", "replace") if v else None
                problem = None
                if ref is not None:
                    try:
                        coordinate_to_tuple(ref)
                    except (ValueError, CellCoordinatesException):
                        problem = ("单元格地址", "cell reference", ref)
                if problem is None and text:
                    try:
                        if kind == "n":
                            float(text) if any(ch in text for ch in ".eE") else int(text)
                        elif kind == "s":
                            if shared is None:
                                shared = _shared_count(zf, names)
                            if not 0 <= int(text) < shared:
                                raise ValueError
                        elif kind == "b":
                            int(text)
                        elif kind == "d" and from_ISO8601(text) is None:
                            raise ValueError
                    except (ValueError, OverflowError, TypeError):
                        problem = {"s": ("共享字符串编号", "shared-string index"), "b": ("逻辑值", "logical value"),
                                   "d": ("日期", "date")}.get(kind, ("数值", "number")) + (text,)
                if problem is None:
                    continue
                kind_zh, kind_en, value = problem
                shown = "（内容不予显示 not shown）" if (sheet, ref) in personal else _quote(value)
                out.append(finding("workbook.bad_cell_value", value=shown, kind=kind_zh, kind_en=kind_en)
                           .located(sheet, ref if ref and len(ref) <= 10 else None))
                if len(out) >= _MAX_REPORTED:
                    return out
    return out


def _quote(value: str, limit: int = 30) -> str:
    return "'" + (value if len(value) <= limit else value[: limit - 1] + "…") + "'"


def _shared_count(zf: zipfile.ZipFile, names: set[str]) -> int:
    if "xl/sharedStrings.xml" not in names:
        return 0
    return len(re.findall(rb"<(?:\w+:)?si\b", zf.read("xl/sharedStrings.xml")))
