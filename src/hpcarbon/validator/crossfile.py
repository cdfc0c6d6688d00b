"""Checks across the files of one batch (what no single declaration can show):

* §7.3.3 — the same project must not be declared twice for the same time: two declarations of one
  project whose seasons overlap (or the very same file twice) are both errors;
* §6.2.4.3 — once a heat meter is installed, later seasons are metered, and an earlier *estimated*
  season must not exceed what was later measured, per heating hour.

What makes two files one project and how their heat compares are :mod:`hpcarbon.seasons`' (the registry uses
the same).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from hpcarbon.findings import Finding, finding
from hpcarbon.report import Report
from hpcarbon.seasons import SeasonHeat, estimate_above_later_metered, project_key

#: the fields that say which project and season a file is (a placeholder there identifies nothing)
IDENTITY = frozenset({"project.id", "season", "season.start", "season.end"})


@dataclass(frozen=True)
class SeasonRecord:
    """What a file contributes to the batch checks."""

    file: str
    sha256: str
    project_id: str
    start: date
    end: date
    heat: SeasonHeat
    project_id_cell: tuple[str, str | None] | None = None
    season_cell: tuple[str, str | None] | None = None


def season_record(report: Report, file: str,
                  locate: Callable[[str], tuple[str, str | None] | None]) -> SeasonRecord | None:
    """What a declaration's report contributes to the batch checks (``locate``: a field's cell, for the
    findings); None when it does not say which project and season it is (no declaration, or a refused
    project id or season: a placeholder there identifies nothing)."""
    decl = report.declaration
    if decl is None or report.invalid_fields & IDENTITY:
        return None
    res = report.accounting.results if report.accounting else None
    heat = SeasonHeat(res.method, res.heat_supplied_gj, res.heating_hours) if res else SeasonHeat(None, None, None)
    return SeasonRecord(file, report.meta.get("sha256") or "", decl.project.id, decl.season.start, decl.season.end,
                        heat, locate("project.id"), locate("season.start"))


def _located(f: Finding, where) -> Finding:
    return f.located(*where) if where else f


def cross_file_findings(records: Sequence[SeasonRecord | None]) -> dict[int, list[Finding]]:
    """Findings per position in the batch (None: a file that takes no part)."""
    out: dict[int, list[Finding]] = {}
    by_project: dict[str, list[tuple[int, SeasonRecord]]] = {}
    for index, r in enumerate(records):
        if r is not None:
            by_project.setdefault(project_key(r.project_id), []).append((index, r))
    for group in by_project.values():
        group.sort(key=lambda item: (item[1].start, item[0]))
        for i, (ia, a) in enumerate(group):
            for ib, b in group[i + 1:]:
                if b.start <= a.end:  # overlapping seasons (inclusive dates)
                    for this, at, other in ((a, ia, b), (b, ib, a)):
                        out.setdefault(at, []).append(_located(finding(
                            "batch.duplicate_declaration", "project.id", project_id=this.project_id,
                            other=other.file, this_start=this.start.isoformat(), this_end=this.end.isoformat(),
                            other_start=other.start.isoformat(), other_end=other.end.isoformat()),
                            this.project_id_cell))
                elif estimate_above_later_metered(a.heat, b.heat):
                    out.setdefault(ia, []).append(_located(finding(
                        "batch.estimate_above_later_metered", "season.start", estimate_rate=a.heat.rate,
                        metered_rate=b.heat.rate, other=b.file, later_start=b.start.isoformat()),
                        a.season_cell))
    return out
