"""Cell values as openpyxl reads them (``load_workbook(read_only=True, data_only=True)``, ``values_only``),
computed by the gate from its own one parse of each part (issue 10, item 9: the file is parsed once).

The gate used to hand the accepted bytes to openpyxl, which parsed every sheet again (the third time) and
built a style object for every record; here the same values come from the element trees the gate already
holds, by openpyxl's own rules, which this module mirrors and names:

* ``openpyxl.worksheet._reader.WorkSheetParser.parse_cell`` — a number is ``float`` when its text holds
  ``.``, ``e`` or ``E``, else ``int``; a number whose cell format is a date format is a date (``from_excel``
  in the workbook's epoch; a serial out of range is ``#VALUE!``) or, for an elapsed-time format, a
  timedelta; ``s`` indexes the shared strings; ``b`` is ``bool(int(text))``; ``str``, ``e`` and any other
  type keep their text; ``d`` is ISO 8601; ``inlineStr`` is the text of its ``<is>``; the cached value is
  the first ``<v>``, and an empty ``<v>`` is no value;
* ``openpyxl.reader.strings.read_string_table`` — each ``<si>``, in the order its end tag comes, as
  ``Text.content`` (its ``<t>`` and the ``<t>`` of each run, phonetic runs left out), ``x005F_`` removed;
* ``openpyxl.styles.stylesheet.Stylesheet._normalise_numbers`` — which cell formats (``cellXfs``) are
  date and elapsed-time formats, custom number formats taking precedence over the built-in ones.

Where openpyxl would fail to convert something that decides a value (a cell format's number-format id)
the workbook is refused as openpyxl would refuse it; the values are the same as openpyxl's, which
``tests/test_gate_values.py`` checks against openpyxl itself. All trees here are of bytes the container pass accepted (no DOCTYPE, bounded).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.etree.ElementTree import iterparse  # C parser: bytes the container pass accepted

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel, from_ISO8601

from hpcarbon.excel_values import SerialNotADate
from hpcarbon.validator.ooxml import MAIN, local_name

_SI = f"{MAIN}si"


def item_text(node) -> str:
    """A string item's text (an ``<si>`` or an ``<is>``) as openpyxl's ``Text.from_tree(node).content``:
    its ``<t>`` (the last one: openpyxl keeps the last of a single-valued child) followed by the ``<t>`` of
    each run (``<r>``, again the last of each), phonetic runs and run properties left out; children are
    matched by local name, whatever their namespace, as openpyxl matches them. The run properties are not
    built (openpyxl builds a font object per run: 100 000 runs took it seconds)."""
    plain = None
    runs: list[str] = []
    for el in node:
        name = local_name(el.tag)
        if name == "t":
            plain = el.text
        elif name == "r":
            text = None
            for sub in el:
                if local_name(sub.tag) == "t":
                    text = sub.text
            if text is not None:
                runs.append(text)
    return "".join(([plain] if plain is not None else []) + runs)


def shared_strings(data: bytes) -> list[str]:
    """The shared-string table as openpyxl reads it (``read_string_table``)."""
    out = []
    for _, el in iterparse(io.BytesIO(data)):
        if el.tag == _SI:
            out.append(item_text(el).replace("x005F_", ""))
            el.clear()
    return out


@dataclass(frozen=True)
class NumberStyles:
    """Which cell formats make a number a date (or an elapsed time), by cell-format index."""

    dates: frozenset[int] = frozenset()
    timedeltas: frozenset[int] = frozenset()


def number_styles(root) -> NumberStyles:
    """From the style sheet's element tree (None: no style sheet), as openpyxl's Stylesheet builds them:
    the last ``numFmts`` and ``cellXfs`` children of the root, matched by local name as openpyxl matches
    them. Raises ValueError where openpyxl would fail to convert an id (it would not open the workbook)."""
    if root is None:
        return NumberStyles()
    numfmts = cellxfs = None
    for child in root:
        name = local_name(child.tag)
        if name == "numFmts":
            numfmts = child
        elif name == "cellXfs":
            cellxfs = child
    custom: dict[int, str] = {}
    for el in numfmts if numfmts is not None else ():
        if local_name(el.tag) == "numFmt":
            code = el.get("formatCode")
            if code is None:  # openpyxl's NumberFormat requires it
                raise ValueError("numFmt without formatCode")
            custom[int(el.get("numFmtId"))] = code  # absent: TypeError, as openpyxl's
    dates, timedeltas = set(), set()
    xfs = [el for el in (cellxfs if cellxfs is not None else ()) if local_name(el.tag) == "xf"]
    for idx, xf in enumerate(xfs):
        fmt_id = int(xf.get("numFmtId", 0))
        if not -(2 ** 31) <= fmt_id < 2 ** 31:  # openpyxl keeps it in an array of C ints
            raise OverflowError(f"numFmtId {fmt_id} out of range")
        fmt = custom[fmt_id] if fmt_id in custom else BUILTIN_FORMATS.get(fmt_id)
        if is_date_format(fmt):
            dates.add(idx)
        if is_timedelta_format(fmt):
            timedeltas.add(idx)
    return NumberStyles(frozenset(dates), frozenset(timedeltas))


def style_index(raw: str | None) -> int | None:
    """openpyxl's ``s`` attribute: absent → 0, empty → no style (never a date), else ``int()`` (a text that
    is not an integer raises ValueError: openpyxl gives up on the sheet, the gate names the cell)."""
    if raw is None:
        return 0
    return int(raw) if raw else None


class ValueReader:
    """Typed values of cells, given the shared strings, the number styles and the epoch."""

    def __init__(self, strings: list[str], styles: NumberStyles, date1904: bool):
        self.strings = strings
        self.dates = styles.dates
        self.timedeltas = styles.timedeltas
        self.epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900

    def value(self, kind: str, text: str | None, style: int | None, cell):
        """The value of a cell whose type is ``kind`` (``t``), first ``<v>`` text ``text`` (None when absent
        or empty, and for ``inlineStr``) and cell format ``style``. The cell's text was already checked
        castable (scan's bad cells), so the casts here cannot fail except as openpyxl's do."""
        if text is None:
            if kind == "inlineStr":
                node = cell.find(f"{MAIN}is")
                return item_text(node) if node is not None else None
            return None
        if kind == "n":
            number = float(text) if ("." in text or "e" in text or "E" in text) else int(text)
            if style in self.dates:
                try:
                    return from_excel(number, self.epoch, timedelta=style in self.timedeltas)
                except (OverflowError, ValueError):
                    return SerialNotADate(number)  # "#VALUE!", as openpyxl, holding the number
            return number
        if kind == "s":
            return self.strings[int(text)]
        if kind == "b":
            return bool(int(text))
        if kind == "d":
            return from_ISO8601(text)
        return text
