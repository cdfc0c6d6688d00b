"""What the registry keeps of one declaration (§7.3.3: filing number, heating period, accounting boundary),
built from a validated submission, and the normalisations under which two declarations are compared."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from hpcarbon.accounting import metering_plan
from hpcarbon.model import Declaration, declaration_to_json
from hpcarbon.seasons import project_key


def meter_key(meter_id: str) -> str:
    """A meter id compared NFKC-folded, in upper case, without spaces, hyphens or other separators
    (``DB-2023 001`` = ``db2023001``): the same device written two ways is the same device."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", meter_id)).upper()


def address_key(address: str) -> str:
    """An address compared NFKC-folded, case-blind, without spaces and punctuation
    (``长春市 朝阳区，人民大街 1号`` = ``长春市朝阳区人民大街1号``)."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", address)).casefold()


@dataclass(frozen=True)
class MeterClaim:
    kind: str  # electricity | heat | total
    meter_id: str
    type: str | None  # the system's type; None for the total-output meter
    field: str  # JSON path of the id, to locate a finding

    @property
    def key(self) -> str:
        return meter_key(self.meter_id)


@dataclass(frozen=True)
class Record:
    """One declaration as the registry compares and stores it."""

    project_id: str
    project_name: str
    address: str
    season_start: date
    season_end: date
    method: str
    heating_hours: float
    heat_supplied_gj: float
    ef_heat: float
    project_emissions_t: float
    creditable_reductions_t: float
    parameter_version: str
    records_keep_until: date
    metered_types: tuple[str, ...]
    estimated_types: tuple[str, ...]
    meters: tuple[MeterClaim, ...]
    source: Declaration = field(repr=False, compare=False)

    @cached_property
    def boundary(self) -> dict:
        return boundary_of(self.source)

    @cached_property
    def declaration(self) -> dict:
        """The JSON interchange form (SPEC §11), built only when recorded (it costs more than the checks)."""
        return declaration_to_json(self.source)

    def type_index(self, kind: str) -> int | None:
        return next((i for i, s in enumerate(self.source.systems) if s.type.value == kind), None)

    @property
    def project_key(self) -> str:
        return project_key(self.project_id)

    @property
    def address_key(self) -> str:
        return address_key(self.address)


def boundary_of(decl: Declaration) -> dict:
    """The accounting boundary (§7.3.3): types and how each is metered, meters, total-output meter, areas
    and the address."""
    plan = metering_plan(decl)
    systems = []
    for s in decl.systems:
        systems.append({"type": s.type.value, "subtype": s.subtype.value if s.subtype else None,
                        "heat_metered": s.heat_metered,
                        "electricity_meter": s.electricity_meter.id if s.electricity_meter else None,
                        "heat_meter": s.heat_meter.id if s.heat_meter else None})
    return {
        "address": decl.project.address, "district": decl.project.district.value, "systems": systems,
        "total_heat_meter": ({"id": decl.total_heat_meter.id, "covers": [t.value for t in decl.total_heat_meter.covers]}
                             if decl.total_heat_meter else None),
        "metered_types": [t.value for t in plan.own_meter + plan.total_meter],
        "estimated_types": [t.value for t in plan.unmetered],
        "areas": [{"building_type": a.building_type.value, "energy_saving": a.energy_saving, "area_m2": a.area_m2,
                   "served_by": [t.value for t in a.served_by] if a.served_by else None,
                   "address": decl.project.address} for a in decl.areas],
    }


def meter_claims(decl: Declaration) -> tuple[MeterClaim, ...]:
    out = []
    for i, s in enumerate(decl.systems):
        if s.electricity_meter:
            out.append(MeterClaim("electricity", s.electricity_meter.id, s.type.value, f"systems[{i}].electricity_meter.id"))
        if s.heat_meter:
            out.append(MeterClaim("heat", s.heat_meter.id, s.type.value, f"systems[{i}].heat_meter.id"))
    if decl.total_heat_meter:
        out.append(MeterClaim("total", decl.total_heat_meter.id, None, "total_heat_meter.id"))
    return tuple(out)


def record_of(decl: Declaration, accounting) -> Record:
    """The record of a declaration whose results could be computed (``accounting.results`` not None)."""
    res = accounting.results
    plan = metering_plan(decl)
    return Record(
        project_id=decl.project.id, project_name=decl.project.name, address=decl.project.address,
        season_start=decl.season.start, season_end=decl.season.end, method=res.method,
        heating_hours=res.heating_hours, heat_supplied_gj=res.heat_supplied_gj,
        ef_heat=accounting.parameters.ef_heat.value, project_emissions_t=res.project_emissions_t,
        creditable_reductions_t=res.creditable_reductions_t, parameter_version=res.parameter_version,
        records_keep_until=res.records_keep_until,
        metered_types=tuple(t.value for t in plan.own_meter + plan.total_meter),
        estimated_types=tuple(t.value for t in plan.unmetered),
        meters=meter_claims(decl), source=decl,
    )


def canonical_json(value) -> str:
    """One text per value: sorted keys, no spaces, UTF-8 kept, dates as ISO text, no NaN (what is hashed)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False,
                      default=_plain)


def _plain(v):
    if isinstance(v, date):
        return v.isoformat()
    raise TypeError(f"not JSON: {type(v).__name__}")
