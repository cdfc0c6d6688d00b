"""JSON path → ``(sheet, cell)``: where ``fill`` puts a field, or where the reader found it."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from hpcarbon.model import HeatPumpType
from hpcarbon.workbook.schema import LAYOUT
from hpcarbon.workbook.sheets import MEASUREMENTS, S_CALC

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_path(path: str) -> list[str | int]:
    """``monthly[2].electricity_kwh.air`` → ['monthly', 2, 'electricity_kwh', 'air'] (pydantic's
    ``[key]`` markers dropped)."""
    out: list[str | int] = []
    for name, index in _TOKEN.findall(path or ""):
        if index:
            out.append(int(index))
        elif name != "[key]" and name:
            out.append(name)
    return [p for p in out if p != "key"] if "[key]" in (path or "") else out


class Locator:
    """Turns JSON paths into cells, given how rows and systems were placed.

    ``system_types[i]`` is the heat-pump type of ``systems[i]``; ``rows[table][i]`` is the sheet row
    of ``table[i]`` (``monthly``, ``areas``); ``measurement_rows[i][j]`` is the sheet row of
    ``systems[i].cop.measurements[j]``. Missing maps mean "compact, in order" for tables and
    "unknown" for system types.
    """

    def __init__(self, system_types: Sequence[HeatPumpType] | None = None,
                 rows: Mapping[str, Sequence[int]] | None = None,
                 measurement_rows: Mapping[int, Sequence[int]] | None = None):
        self.system_types = list(system_types) if system_types is not None else None
        self.rows = dict(rows or {})
        self.measurement_rows = dict(measurement_rows or {})

    @classmethod
    def for_declaration(cls, decl) -> Locator:
        """Placement as ``fill`` writes ``decl``: systems by type column, tables compact in order,
        COP measurements system after system."""
        if decl is None:
            return cls()
        mrows, row = {}, MEASUREMENTS.first_row
        for i, s in enumerate(decl.systems):
            n = len(s.cop.measurements) if s.cop else 0
            mrows[i] = list(range(row, row + n))
            row += n
        return cls([s.type for s in decl.systems], measurement_rows=mrows)

    # -- helpers
    def _table_row(self, table: str, index: int) -> int | None:
        t = LAYOUT.tables[table]
        known = self.rows.get(table)
        if known is not None:
            if index < len(known):
                return known[index]
            nxt = (known[-1] + 1 + index - len(known)) if known else t.first_row + index
            return nxt if nxt <= t.last_row else None
        return t.row_of(index)

    def _measurement_row(self, system: int, index: int) -> int | None:
        known = self.measurement_rows.get(system)
        if known is not None and index < len(known):
            return known[index]
        return None

    def locate(self, path: str) -> tuple[str, str | None] | None:
        tokens = parse_path(path)
        if not tokens or not isinstance(tokens[0], str):
            return None
        if tokens[0] == "results":  # a result the rules judge (e.g. a negative ER): its calculation cell
            key = tokens[1] if len(tokens) > 1 else None
            return LAYOUT.result_cells.get(key, (S_CALC, None))
        sheet = LAYOUT.sheet_of(tokens[0])
        if sheet is None:
            return None
        while tokens:
            found = self._resolve(tokens)
            if found is not None:
                return found
            tokens = tokens[:-1]
        return (sheet, None)

    def _resolve(self, tokens: list[str | int]) -> tuple[str, str | None] | None:
        """The cell of exactly this path, or of its first field when it names a group."""
        htype: HeatPumpType | None = None
        system: int | None = None
        row: int | None = None
        table: str | None = None
        pattern: list[str | int] = []
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            prev = pattern[-1] if pattern else None
            if isinstance(tok, int):
                if prev == "systems":
                    system = tok
                    if self.system_types is not None and tok < len(self.system_types):
                        htype = self.system_types[tok]
                    pattern.append("{t}")
                elif prev == "measurements":
                    table = "measurements"
                    row = self._measurement_row(system, tok) if system is not None else None
                    if row is None:
                        # unknown row: the table's first free row is no better than its start
                        row = -1
                    pattern.append("{i}")
                elif prev in ("monthly", "areas"):
                    table = prev
                    row = self._table_row(prev, tok)
                    if row is None:  # beyond the table: only the sheet
                        return (LAYOUT.tables[prev].sheet, None)
                    pattern.append("{i}")
                else:  # an index into a list of values (covers[1], served_by[0]): the list's cell
                    i += 1
                    continue
            else:
                pattern.append(tok)
            i += 1
        key = _pattern(pattern)
        slots = LAYOUT.by_path.get(key)
        if slots is None:
            # a group (``season``, ``systems[{t}].cop``, ``monthly[{i}]``): its first field
            prefix = key
            slots = next((v for k, v in LAYOUT.by_path.items()
                          if k.startswith((prefix + ".", prefix + "["))), None)
            if slots is None:
                return None
        slot = slots[0]
        if "{t}" in slot.path and slot.table is None:
            match = [s for s in slots if s.htype == htype]
            if not match:  # type unknown, or this type has no such cell: the row's label cell
                return (slot.sheet, f"A{slot.row}")
            slot = match[0]
        if slot.table:
            t = LAYOUT.tables[slot.table]
            if table is None and slot.table == "measurements" and system is not None:
                # one system's records: its first row, or the first free row to add them on
                rows = self.measurement_rows.get(system)
                if rows:
                    return (slot.sheet, f"{t.first_column}{rows[0]}")
                used = [r for rs in self.measurement_rows.values() for r in rs]
                free = max(used) + 1 if used else t.first_row
                return (slot.sheet, f"{t.first_column}{min(free, t.last_row)}")
            if table is None:  # the whole list: its first data row
                return (slot.sheet, f"{t.first_column}{t.first_row}")
            if row == -1:
                return (slot.sheet, f"{slot.column}{t.first_row}") if slot.table == "measurements" else None
            return (slot.sheet, slot.cell(row))
        return (slot.sheet, slot.cell())


def _pattern(tokens: Sequence[str | int]) -> str:
    out = ""
    for t in tokens:
        if t in ("{t}", "{i}"):
            out += f"[{t}]"
        else:
            out += ("." if out else "") + str(t)
    return out


def cell_of(path: str, decl=None) -> tuple[str, str | None] | None:
    """``(sheet, cell)`` of a JSON path in a workbook written by ``fill`` for ``decl``.

    ``cell_of("monthly[3].electricity_kwh.air")`` → ``("月度数据", "F8")``. For a path into
    ``systems[i]`` give ``decl`` (the index names a type column); without it the row's label cell is
    returned. A path with no cell of its own gives its group's first cell, its row or its sheet
    (``cell`` None); a path outside the declaration gives None. For a workbook that was *read*, use
    :meth:`hpcarbon.workbook.reader.ReadResult.locate` (it knows the rows a person actually used).
    """
    return Locator.for_declaration(decl).locate(path)
