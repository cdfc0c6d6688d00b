"""Checks of one declaration against everything the registry accepted before (withdrawn ones excepted).

Each check is one indexed look-up (project key, meter key, address key), never a scan, so a check costs
the same with ten or a hundred thousand declarations on record:

* §7.3.3 — the same project with an overlapping season → error; the same electricity or heat meter in
  another project with an overlapping season → error (the same equipment claimed twice); the same
  normalised address in another project with an overlapping season → warning;
* §6.2.4.3 — once a type of a project is metered in an accepted season, a later season that estimates it
  → error; an estimated season whose heat per heating hour exceeds an accepted *later* metered season's
  → error; a metered season whose heat per heating hour is below an accepted *earlier* estimate's → the
  earlier declaration gets a correction (recorded on accept, announced as a warning).

[D] Seasons differ in length, so heat is compared per actual heating hour (Q / t, GJ/h, t of §6.2.4.2):
the earlier estimate is corrected to ``Q' = t_earlier × Q_metered / t_metered`` when that is lower; BE, ER
and the creditable amount follow with the earlier season's own parameter set and its PE unchanged. Only a
season metered for every type (method ``metered``) corrects, or bounds, an estimate.
"""

from __future__ import annotations

from dataclasses import dataclass
from sqlalchemy import and_, bindparam, func, select

from hpcarbon import formulas
from hpcarbon.vocabulary import METER_LABEL, TYPE_LABEL
from hpcarbon.findings import Finding, finding
from hpcarbon.model import HeatPumpType
from hpcarbon.registry.records import Record
from hpcarbon.registry.schema import corrections, declaration_types, declarations, meters
from hpcarbon.seasons import ESTIMATED_METHODS, METERED, SeasonHeat, estimate_above_later_metered, heat_rate

#: meters of these kinds measure the same quantity: a heat meter and a total-output meter are both heat meters
_MEASURES = {"electricity": "electricity", "heat": "heat", "total": "heat"}


@dataclass(frozen=True)
class Correction:
    """§6.2.4.3: an earlier estimate corrected by a later metered season."""

    declaration_id: int  # the earlier, estimated declaration
    heat_supplied_gj: float
    baseline_emissions_t: float
    emission_reductions_t: float
    creditable_reductions_t: float
    estimate_rate: float  # GJ/h, as it stood
    metered_rate: float  # GJ/h, of the new metered season

    def payload(self) -> dict:
        return {"heat_supplied_gj": self.heat_supplied_gj, "baseline_emissions_t": self.baseline_emissions_t,
                "emission_reductions_t": self.emission_reductions_t,
                "creditable_reductions_t": self.creditable_reductions_t,
                "estimate_gj_per_h": self.estimate_rate, "metered_gj_per_h": self.metered_rate}


@dataclass
class CheckOutcome:
    findings: list[Finding]
    corrections: list[Correction]
    already: object | None = None  # the row of a declaration with the very same SHA-256, if any


# The look-ups, built once (bound parameters): building a statement costs more than running it on an index.
_d = declarations
_OVERLAPS = and_(_d.c.season_start <= bindparam("end"), _d.c.season_end >= bindparam("start"))
_SAME_FILE = select(_d.c.id, _d.c.status, _d.c.accepted_at).where(_d.c.sha256 == bindparam("sha256"))
_PROJECT = (select(_d.c.id, _d.c.file_name, _d.c.season_start, _d.c.season_end, _d.c.method, _d.c.heating_hours,
                   _d.c.heat_supplied_gj, _d.c.ef_heat, _d.c.project_emissions_t)
            .where(_d.c.project_key == bindparam("project_key"), _d.c.status == "accepted")
            .order_by(_d.c.season_start))
_METERED_TYPES = (select(declaration_types.c.declaration_id, declaration_types.c.type)
                  .where(declaration_types.c.declaration_id.in_(bindparam("ids", expanding=True)),
                         declaration_types.c.metered.is_(True)))
_BASIS = declarations.alias("basis")
_STANDING = (select(func.min(corrections.c.heat_supplied_gj))
             .join(_BASIS, _BASIS.c.id == corrections.c.by_declaration_id)
             .where(corrections.c.declaration_id == bindparam("id"), _BASIS.c.status == "accepted"))
_METERS = (select(meters.c.kind, meters.c.meter_key, meters.c.meter_id, _d.c.id, _d.c.project_id, _d.c.season_start,
                  _d.c.season_end)
           .join(_d, _d.c.id == meters.c.declaration_id)
           .where(meters.c.meter_key.in_(bindparam("keys", expanding=True)),
                  _d.c.project_key != bindparam("project_key"), _d.c.status == "accepted", _OVERLAPS)
           .order_by(_d.c.id))
_ADDRESS = (select(_d.c.id, _d.c.project_id, _d.c.season_start, _d.c.season_end)
            .where(_d.c.address_key == bindparam("address_key"), _d.c.project_key != bindparam("project_key"),
                   _d.c.status == "accepted", _OVERLAPS)
            .order_by(_d.c.id))


def _type_field(rec: Record, kind: str) -> str:
    i = rec.type_index(kind)
    return f"systems[{i}].heat_metered" if i is not None else "systems"


def registry_findings(conn, rec: Record, sha256: str | None) -> CheckOutcome:
    """Findings (not yet located) and the corrections accepting ``rec`` would record."""
    found: list[Finding] = []
    if sha256:
        same = conn.execute(_SAME_FILE, {"sha256": sha256}).first()
        if same is not None:
            code = "registry.already_accepted" if same.status == "accepted" else "registry.withdrawn_resubmitted"
            return CheckOutcome([finding(code, other_id=same.id, accepted_at=same.accepted_at)], [], same)

    project_rows = conn.execute(_PROJECT, {"project_key": rec.project_key}).all()
    metered_types: dict[int, set[str]] = {}
    if project_rows:
        for t in conn.execute(_METERED_TYPES, {"ids": [r.id for r in project_rows]}):
            metered_types.setdefault(t.declaration_id, set()).add(t.type)

    this = SeasonHeat(rec.method, rec.heat_supplied_gj, rec.heating_hours)
    new_rate = this.rate
    fixes: list[Correction] = []
    for r in project_rows:
        if r.season_start <= rec.season_end and r.season_end >= rec.season_start:
            found.append(finding("registry.duplicate_declaration", "project.id", project_id=rec.project_id,
                                 other_id=r.id, other_file=r.file_name, this_start=rec.season_start.isoformat(),
                                 this_end=rec.season_end.isoformat(), other_start=r.season_start.isoformat(),
                                 other_end=r.season_end.isoformat()))
            continue
        earlier = r.season_end < rec.season_start
        if earlier:
            for kind in rec.estimated_types:
                if kind in metered_types.get(r.id, ()):
                    label = TYPE_LABEL[HeatPumpType(kind)]
                    found.append(finding("registry.estimate_after_metered", _type_field(rec, kind), type_zh=label[0],
                                         type_en=label[1], other_id=r.id, other_start=r.season_start.isoformat(),
                                         other_end=r.season_end.isoformat()))
            if rec.method == METERED and r.method in ESTIMATED_METHODS and new_rate is not None:
                fix = _correction(conn, r, new_rate)
                if fix is not None:
                    fixes.append(fix)
                    found.append(finding("registry.corrects_earlier_estimate", "season.start", other_id=r.id,
                                         other_start=r.season_start.isoformat(), other_end=r.season_end.isoformat(),
                                         estimate_rate=fix.estimate_rate, metered_rate=fix.metered_rate,
                                         corrected_heat=fix.heat_supplied_gj,
                                         corrected_creditable=fix.creditable_reductions_t))
        else:
            later = SeasonHeat(r.method, r.heat_supplied_gj, r.heating_hours)
            if estimate_above_later_metered(this, later):
                found.append(finding("registry.estimate_above_later_metered", "season.start", estimate_rate=new_rate,
                                     metered_rate=later.rate, other_id=r.id, other_start=r.season_start.isoformat()))

    found += _meter_findings(conn, rec)
    found += _address_findings(conn, rec)
    return CheckOutcome(found, fixes)


def _correction(conn, earlier, metered_rate: float) -> Correction | None:
    """The correction of an earlier estimate by a metered season's heat per hour, if it is lower than the heat
    the earlier declaration stands at now (its own, or its latest correction's)."""
    standing = conn.execute(_STANDING, {"id": earlier.id}).scalar()
    heat = min(earlier.heat_supplied_gj, standing) if standing is not None else earlier.heat_supplied_gj
    estimate_rate = heat_rate(heat, earlier.heating_hours)
    if estimate_rate is None or estimate_rate <= metered_rate:
        return None
    corrected = metered_rate * earlier.heating_hours
    be = formulas.baseline_emissions(corrected, earlier.ef_heat)
    er = formulas.emission_reductions(be, earlier.project_emissions_t)
    return Correction(earlier.id, corrected, be, er, formulas.creditable_reductions(er), estimate_rate, metered_rate)


def _meter_findings(conn, rec: Record) -> list[Finding]:
    if not rec.meters:
        return []
    rows = conn.execute(_METERS, {"keys": sorted({m.key for m in rec.meters}), "project_key": rec.project_key,
                                  "start": rec.season_start, "end": rec.season_end}).all()
    out = []
    for m in rec.meters:
        for r in rows:
            if r.meter_key == m.key and _MEASURES[r.kind] == _MEASURES[m.kind]:
                zh, en = METER_LABEL[m.kind]
                out.append(finding("registry.meter_claimed_elsewhere", m.field, meter_zh=zh, meter_en=en,
                                   meter_id=m.meter_id, other_project=r.project_id, other_id=r.id,
                                   other_start=r.season_start.isoformat(), other_end=r.season_end.isoformat()))
    return out


def _address_findings(conn, rec: Record) -> list[Finding]:
    if not rec.address_key:
        return []
    rows = conn.execute(_ADDRESS, {"address_key": rec.address_key, "project_key": rec.project_key,
                                   "start": rec.season_start, "end": rec.season_end}).all()
    return [finding("registry.address_claimed_elsewhere", "project.address", address=rec.address,
                    other_project=r.project_id, other_id=r.id, other_start=r.season_start.isoformat(),
                    other_end=r.season_end.isoformat()) for r in rows]
