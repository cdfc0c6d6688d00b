"""Admitting declaration data into the model: strictly for the verdict, leniently for the numbers.

A declaration whose fields are all valid becomes the :class:`~hpcarbon.model.Declaration`. One with invalid
fields is rejected — its field errors are findings and the verdict is fail — but its numbers are still
wanted (results as far as they can go, issue 13): a wrong district or a missing owner name feeds no
number. So the same data are admitted a second time with each invalid field replaced by a *placeholder*
(a neutral value of the field's type) and remembered as invalid. The accounting treats an invalid field as
no input (a result that needs it is None and says so) and the rules drop their findings about it, so a
placeholder never shows up as a number or a finding. [D] Where no placeholder is neutral — the season, a
heat-pump type, whether it is heat-metered, a month, the total meter's coverage, a whole section — there
is no draft and no result: everything hangs on them.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from pydantic import ValidationError

from hpcarbon.errors import path_of
from hpcarbon.model import BuildingType, CopSource, Declaration, District, HeatPumpType, OwnerType

_TEXT = "?"
_DELETE = object()  # the key is removed (an optional reading: absent = not an input)
_SEASON_START = object()  # the season's start as typed (a date that moves no period rule)

#: bare path (list indices removed, ``*`` for a dict key) → (placeholder, how many trailing path parts are
#: marked invalid with it: 0 the field, 1 its parent …). A parent is marked where a placeholder could
#: otherwise trigger a rule about a sibling (a placeholder owner type would have the ID checked as a
#: resident ID; a placeholder measurement date would have its condition compared with another month).
_PLACEHOLDERS: dict[str, tuple[Any, int]] = {
    "project.id": (_TEXT, 0),
    "project.name": (_TEXT, 0),
    "project.address": (_TEXT, 0),
    "project.district": (next(iter(District)).value, 0),
    "project.operation_start": (_SEASON_START, 0),
    "project.owner": ({"type": OwnerType.individual.value, "name": _TEXT, "id_number": _TEXT}, 0),
    "project.owner.type": (OwnerType.individual.value, 1),  # individual: masked in every report until known otherwise
    "project.owner.name": (_TEXT, 0),
    "project.owner.id_number": (_TEXT, 0),
    "project.owner.phone": (None, 0),
    "project.statements": ({}, 0),
    "project.statements.*": (False, 0),
    "parameters": ({"version": _TEXT, "ef_heat": 1.0, "ef_elec": 1.0, "td_percent": 0.0}, 0),
    "parameters.version": (_TEXT, 0),
    "parameters.ef_heat": (1.0, 0),
    "parameters.ef_elec": (1.0, 0),
    "parameters.td_percent": (0.0, 0),
    "systems.subtype": (None, 0),
    "systems.electricity_meter": (None, 0),
    "systems.electricity_meter.id": (_TEXT, 0),
    "systems.electricity_meter.verified_on": (None, 0),
    "systems.heat_meter": (None, 0),
    "systems.heat_meter.id": (_TEXT, 0),
    "systems.heat_meter.verified_on": (None, 0),
    "systems.cop": (None, 0),
    "systems.cop.source": (CopSource.test_report.value, 1),
    # the field alone: None triggers only the report-value-missing rule, about this very field
    "systems.cop.report_value": (None, 0),
    "systems.cop.report_no": (None, 0),
    "systems.cop.measurements": ([], 1),
    "systems.cop.measurements.date": (_SEASON_START, 1),
    "systems.cop.measurements.value": (1.0, 1),
    "systems.cop.measurements.outdoor_temp_c": (None, 0),
    "systems.cop.measurements.condition": (None, 0),
    "systems.cop.measurements.extreme_weather": (False, 0),
    "total_heat_meter.id": (_TEXT, 0),
    "total_heat_meter.verified_on": (None, 0),
    # the model's upper bound: no calendar or outage rule can fire on it (and t is unknown anyway)
    "monthly.heating_hours": (1e5, 0),
    "monthly.outage_hours": (0.0, 0),
    "monthly.extreme_weather": (False, 0),
    "monthly.electricity_kwh": ({}, 0),
    "monthly.electricity_kwh.*": (_DELETE, 0),
    "monthly.heat_gj": ({}, 0),
    "monthly.heat_gj.*": (_DELETE, 0),
    "monthly.total_heat_gj": (None, 0),
    "areas.building_type": (BuildingType.residential.value, 1),
    "areas.energy_saving": (True, 1),
    "areas.area_m2": (1.0, 1),
    "areas.q_w_per_m2": (None, 1),
    "areas.served_by": (None, 1),
    "recheck": ({}, 0),
    "recheck.performed": (False, 0),
    "recheck.by": (None, 0),
    "recheck.date": (None, 0),
    "recheck.note": (None, 0),
}
#: fields without a neutral placeholder (every number hangs on them): bare path → the part of the path (how
#: many leading parts) whose value is replaced and marked invalid; the draft holding one is not accounted
_UNACCOUNTED: dict[str, int] = {
    "season": 1,  # a season ending before it starts: a one-day season stands in
    "season.start": 1,
    "season.end": 1,
    "systems.type": 2,  # a type no other system has stands in, and the whole system is marked
    "systems.heat_metered": 2,  # not heat-metered stands in
    "monthly.month": 2,  # a month outside any season stands in; the whole record is marked
    "total_heat_meter.covers": 1,  # no total meter stands in
}
_NO_SEASON = "2000-01-01"
_NO_MONTH = "2000-01"
#: dict fields whose keys are data (a heat-pump type), so ``*`` stands for the key
_KEYED = ("monthly.electricity_kwh", "monthly.heat_gj", "project.statements")
_ROUNDS = 4  # a placeholder can reveal a later error (an object put in place of a missing one): retry


@dataclass(frozen=True)
class Admitted:
    """The outcome of admitting data: the strict model (None when any field is invalid), the draft for
    the numbers (the same, or the data with placeholders; None when none can stand), the validation
    errors (pydantic's, without the input values) and the invalid fields (JSON path → finding code)."""

    declaration: Declaration | None
    draft: Declaration | None
    errors: list[dict] = field(default_factory=list)
    invalid: dict[str, str] = field(default_factory=dict)


def _validate(data: Any, strict_json: bool) -> Declaration:
    if strict_json:
        # the JSON interchange form is a public contract: strict JSON mode (see declaration_io)
        return Declaration.model_validate_json(json.dumps(data, ensure_ascii=False, allow_nan=True), strict=True)
    return Declaration.model_validate(data)


def _errors(exc: ValidationError) -> list[dict]:
    return exc.errors(include_url=False, include_input=False)


def admit(data: Any, *, strict_json: bool = False) -> Admitted:
    """Admit ``data`` (JSON-shaped: dicts, lists, scalars). ``strict_json``: validate as the JSON interchange
    form (``true`` is not 1 kWh); else as the workbook reader's Python values."""
    try:
        decl = _validate(data, strict_json)
        return Admitted(decl, decl)
    except ValidationError as exc:
        errors = _errors(exc)
    work = copy.deepcopy(data)
    invalid: dict[str, str] = {}
    pending = errors
    for _ in range(_ROUNDS):
        for err in pending:
            marked = _replace(work, err)
            if marked is None:
                return Admitted(None, None, errors, invalid)
            code = "field.required" if err.get("type") == "missing" else "field.invalid"
            invalid.setdefault(marked, code)
            # the field itself too, as its finding names it: the placeholder's scope (``marked``, e.g. the
            # whole measurement) silences the rules, the field is what a result lacks (Missing.field)
            invalid.setdefault(path_of(err.get("loc", ())), code)
        try:
            return Admitted(None, _validate(work, strict_json), errors, invalid)
        except ValidationError as exc:
            pending = _errors(exc)
    return Admitted(None, None, errors, invalid)


def _bare(loc: tuple) -> str:
    parts = [str(p) for p in loc if not isinstance(p, int)]
    bare = ".".join(parts)
    for keyed in _KEYED:
        if bare.startswith(keyed + ".") and bare.count(".") == keyed.count(".") + 1:
            return keyed + ".*"
    return bare


def _replace(work: Any, err: dict) -> str | None:
    """Put the placeholder of the field ``err`` is about into ``work``; return the JSON path marked
    invalid, or None when the field has no placeholder."""
    loc = tuple(p for p in err.get("loc", ()) if p != "[key]")
    if not loc:
        return None
    if err.get("type") == "extra_forbidden":
        value, depth = _DELETE, 0  # not a field of the format: it feeds nothing
    elif _bare(loc) in _UNACCOUNTED:
        return _replace_unaccounted(work, loc)
    else:
        entry = _PLACEHOLDERS.get(_bare(loc))
        if entry is None:
            return None
        value, depth = entry
    parent = work
    try:
        for part in loc[:-1]:
            parent = parent[part]
        if value is _DELETE:
            parent.pop(loc[-1], None)
        else:
            if value is _SEASON_START:
                value = _season_start(work)
                if value is None:
                    return None
            parent[loc[-1]] = copy.deepcopy(value)
    except (KeyError, IndexError, TypeError, AttributeError):
        return None
    marked = loc[:len(loc) - depth] if depth else loc
    # an invalid dict key (pydantic adds it as the last part) is marked under its field
    return path_of(marked)


def _replace_unaccounted(work: Any, loc: tuple) -> str | None:
    """Put a placeholder for a field without a neutral one (:data:`_UNACCOUNTED`); return the path marked."""
    bare = _bare(loc)
    scope = loc[:_UNACCOUNTED[bare]]
    try:
        if bare.startswith("season"):
            work["season"] = {"start": _NO_SEASON, "end": _NO_SEASON}
        elif bare == "systems.type":
            taken = {s.get("type") for j, s in enumerate(work["systems"]) if j != loc[1] and isinstance(s, dict)}
            free = next((k.value for k in HeatPumpType if k.value not in taken), None)
            if free is None:
                return None
            work["systems"][loc[1]]["type"] = free  # ground first: no subtype rule can refuse it
        elif bare == "systems.heat_metered":
            work["systems"][loc[1]]["heat_metered"] = False
        elif bare == "monthly.month":
            work["monthly"][loc[1]]["month"] = _NO_MONTH
        else:  # the total meter's coverage
            work["total_heat_meter"] = None
    except (KeyError, IndexError, TypeError, AttributeError):
        return None
    return path_of(scope)


def unaccounted(invalid: Iterable[str]) -> tuple[str, ...]:
    """The refused fields among JSON paths ``invalid`` that have no neutral placeholder (the season, a
    heat-pump type …): a draft holding one is not accounted, and the results name them as what they lack.
    Each is named once, as its finding names it (``season.start``, not also ``season`` marked for it)."""
    hits = [p for p in invalid if _bare(_loc(p)) in _UNACCOUNTED]
    return tuple(p for p in hits if not any(q != p and q.startswith((p + ".", p + "[")) for q in hits))


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _season_start(work: Any):
    try:
        start = work["season"]["start"]
    except (KeyError, TypeError):
        return None
    if isinstance(start, str) and not _ISO.match(start):
        return None
    return start


_PATH_PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def _loc(path: str) -> tuple:
    return tuple(int(i) if i else name for i, name in _PATH_PART.findall(path))


def refused_scope(path: str) -> str | None:
    """What refusing the field at JSON ``path`` marks invalid, as admission marks a field it refused: the
    field or the parent its placeholder stands in for (a whole measurement for its value; the season for its
    start, a whole system for its type — the draft is then not accounted, :func:`unaccounted`); None when
    admission has no placeholder for the field. For a value refused after admission (a workbook cell holding
    a formula)."""
    loc = _loc(path)
    if not loc:
        return None
    bare = _bare(loc)
    if bare in _UNACCOUNTED:
        return path_of(loc[:_UNACCOUNTED[bare]])
    entry = _PLACEHOLDERS.get(bare)
    if entry is None:
        return None
    depth = entry[1]
    return path_of(loc[:len(loc) - depth] if depth else loc)
