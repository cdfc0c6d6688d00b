"""Parameter sets (methodology §7.1, tables 1–4) as versioned data.

Tables 1–4 say a newer published value supersedes the table's, so values live in
``data/parameters/*.json`` — one file per set — and never in code. The set in force for
a season is the newest whose ``effective_from`` is on or before the season's start
(SPEC §4). Adding a set is adding a file.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from hpcarbon.model import BuildingType

#: Environment variable naming an extra folder of parameter-set files (read after the bundled ones).
PARAMETER_DIR_ENV = "HPCARBON_PARAMETER_DIR"


class ParameterError(LookupError):
    """No parameter set, or no such parameter/table row, for the request."""


@dataclass(frozen=True)
class ParameterValue:
    value: float
    unit: str
    clause: str
    source: str


@dataclass(frozen=True)
class QRow:
    """One building type of the heat-index table (表2): recommended ranges in W/m²."""

    building_type: str
    label_zh: str
    label_en: str
    not_energy_saving: tuple[float, float]
    energy_saving: tuple[float, float]

    def lowest(self, energy_saving: bool) -> float:
        """The lowest value of the recommended range — what §6.2.2 prescribes."""
        return (self.energy_saving if energy_saving else self.not_energy_saving)[0]


@dataclass(frozen=True)
class ParameterSet:
    version: str
    effective_from: date
    title: str
    ef_heat: ParameterValue  # t CO2/GJ, 表1
    ef_elec: ParameterValue  # kg CO2/kWh, 表3
    td_percent: ParameterValue  # %, 表4
    heat_meter_cycle_years: int
    electricity_meter_cycle_years: int
    meter_cycle_source: str
    q_unit: str
    q_source: str
    q_rows: Mapping[str, QRow]
    origin: str  # file the set was read from, for the trace

    def q_lowest(self, building_type: str, energy_saving: bool) -> float:
        """Lowest recommended heat index q (W/m²) for a building type (§6.2.2, 表2)."""
        try:
            row = self.q_rows[building_type]
        except KeyError:
            raise ParameterError(f"unknown building type {building_type!r}") from None
        return row.lowest(energy_saving)

    def value(self, name: str) -> ParameterValue:
        """A scalar parameter by its name: ``ef_heat``, ``ef_elec`` or ``td_percent``."""
        key = name.strip().lower().replace(" ", "_")
        key = {"efheat": "ef_heat", "efelec": "ef_elec", "td": "td_percent"}.get(key.replace("_", ""), key)
        if key not in ("ef_heat", "ef_elec", "td_percent"):
            raise ParameterError(f"unknown parameter {name!r}; expected EF_heat, EF_elec or TD")
        return getattr(self, key)


def _parse_set(raw: dict, origin: str) -> ParameterSet:
    def scalar(key: str) -> ParameterValue:
        item = raw[key]
        return ParameterValue(float(item["value"]), item["unit"], item["clause"], item["source"])

    cycles = raw["meter_verification_cycle_years"]
    q = raw["q_table"]
    rows = {
        code: QRow(
            building_type=code,
            label_zh=row["label_zh"],
            label_en=row["label_en"],
            not_energy_saving=(float(row["not_energy_saving"][0]), float(row["not_energy_saving"][1])),
            energy_saving=(float(row["energy_saving"][0]), float(row["energy_saving"][1])),
        )
        for code, row in q["rows"].items()
    }
    missing = [b.value for b in BuildingType if b.value not in rows]
    if missing:  # a set must be complete: every building type of 表2 needs its q range
        raise ParameterError(f"parameter set {raw.get('version')!r} ({origin}) has no q row for {', '.join(missing)}")
    return ParameterSet(
        version=str(raw["version"]),
        effective_from=date.fromisoformat(raw["effective_from"]),
        title=raw.get("title", ""),
        ef_heat=scalar("ef_heat"),
        ef_elec=scalar("ef_elec"),
        td_percent=scalar("td_percent"),
        heat_meter_cycle_years=int(cycles["heat_meter"]),
        electricity_meter_cycle_years=int(cycles["electricity_meter"]),
        meter_cycle_source=cycles.get("source", ""),
        q_unit=q["unit"],
        q_source=q["source"],
        q_rows=rows,  # a plain dict (read-only by convention) so results pickle across --jobs workers
        origin=origin,
    )


#: The bundled sets, beside this module in an installation made of files (pip's, an editable checkout).
BUNDLED_DIR = Path(__file__).parent / "data" / "parameters"


def _bundled_folder():
    """The folder of bundled sets. Read as plain files where the package is files; through
    importlib.resources only where it is not (a zip) — that import costs more than ``compute``'s own work."""
    if BUNDLED_DIR.is_dir():
        return BUNDLED_DIR
    from importlib import resources

    return resources.files("hpcarbon") / "data" / "parameters"


def _bundled_files() -> list[tuple[str, str]]:
    return [(f"hpcarbon/data/parameters/{p.name}", p.read_text(encoding="utf-8"))
            for p in sorted(_bundled_folder().iterdir(), key=lambda p: p.name) if p.name.endswith(".json")]


@lru_cache(maxsize=8)
def _load_sets(extra_dir: str | None) -> tuple[ParameterSet, ...]:
    texts = _bundled_files()
    if extra_dir:
        texts += [(str(p), p.read_text(encoding="utf-8")) for p in sorted(Path(extra_dir).glob("*.json"))]
    sets = {}
    for origin, text in texts:
        parsed = _parse_set(json.loads(text), origin)
        sets[parsed.version] = parsed  # a later file of the same version replaces the earlier
    return tuple(sorted(sets.values(), key=lambda s: s.effective_from))


def all_sets(extra_dir: str | None = None) -> tuple[ParameterSet, ...]:
    """Every known parameter set, oldest first (bundled ones plus ``$HPCARBON_PARAMETER_DIR``)."""
    return _load_sets(extra_dir if extra_dir is not None else os.environ.get(PARAMETER_DIR_ENV) or None)


def set_in_force(on: date | None = None, extra_dir: str | None = None) -> ParameterSet:
    """The parameter set in force on a date (a season's start): the newest effective on or before it.

    With no date, the newest set of all. Raises :class:`ParameterError` when none is in force yet.
    """
    sets = all_sets(extra_dir)
    if on is None:
        return sets[-1]
    eligible = [s for s in sets if s.effective_from <= on]
    if not eligible:
        raise ParameterError(f"no parameter set is in force on {on.isoformat()}")
    return eligible[-1]


def set_in_force_or_none(on: date) -> ParameterSet | None:
    """The set in force on ``on``, or None when none is yet (which the rules report as
    ``parameters.no_set_in_force`` and the accounting lacks)."""
    try:
        return set_in_force(on)
    except ParameterError:
        return None
