"""Values Excel cached in formula cells when it last saved the workbook, read straight from the
sheet XML (defusedxml) — no second full load of the workbook."""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path

from defusedxml.ElementTree import fromstring, iterparse

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass(frozen=True)
class Cached:
    """A formula cell's cached state: ``value`` (float or str), or ``error`` ('#NAME?' …), or neither."""

    has_formula: bool
    value: float | str | None = None
    error: str | None = None


def sheet_part(zf: zipfile.ZipFile, sheet_name: str) -> str | None:
    """The zip member holding a sheet, found through workbook.xml and its relationships."""
    wb = fromstring(zf.read("xl/workbook.xml"))
    rid = None
    for sheet in wb.iter(f"{_NS_MAIN}sheet"):
        if sheet.get("name") == sheet_name:
            rid = sheet.get(f"{_NS_REL}id")
    if rid is None:
        return None
    rels = fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iter(f"{_NS_PKG_REL}Relationship"):
        if rel.get("Id") == rid:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    return None


def cached_values(path: Path, sheet_name: str, cells: set[str], part: str | None = None) -> dict[str, Cached]:
    """The cached state of ``cells`` (A1 refs) of one sheet; absent cells are left out. ``part``: the
    sheet's zip member when the caller knows it already."""
    out: dict[str, Cached] = {}
    with zipfile.ZipFile(path) as zf:
        part = part or sheet_part(zf, sheet_name)
        if part is None or part not in zf.namelist():
            return out
        shared: list[str] | None = None
        with zf.open(part) as fh:
            for _, el in iterparse(fh, events=("end",)):
                if el.tag != f"{_NS_MAIN}c":
                    if el.tag == f"{_NS_MAIN}row":
                        el.clear()
                    continue
                ref = el.get("r")
                if ref in cells:
                    f = el.find(f"{_NS_MAIN}f")
                    v = el.find(f"{_NS_MAIN}v")
                    kind = el.get("t", "n")
                    text = v.text if v is not None else None
                    if text is None and kind == "str" and v is not None:
                        out[ref] = Cached(f is not None, value="")  # a formula that returned "" (Excel: <v></v>)
                    elif text is None:
                        out[ref] = Cached(f is not None)
                    elif kind == "e":
                        out[ref] = Cached(f is not None, error=text)
                    elif kind in ("str", "inlineStr"):
                        out[ref] = Cached(f is not None, value=text)
                    elif kind == "s":
                        if shared is None:
                            shared = _shared_strings(zf)
                        idx = int(text)
                        out[ref] = Cached(f is not None, value=shared[idx] if idx < len(shared) else None)
                    elif kind == "b":
                        out[ref] = Cached(f is not None, value=float(text))
                    else:
                        try:
                            out[ref] = Cached(f is not None, value=float(text))
                        except ValueError:
                            out[ref] = Cached(f is not None, value=text)
                    if len(out) == len(cells):
                        break
    return out


def _shared_strings(zf: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in zf.namelist():
        return []
    root = fromstring(zf.read("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in si.iter(f"{_NS_MAIN}t")) for si in root.iter(f"{_NS_MAIN}si")]
