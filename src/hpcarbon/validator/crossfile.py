"""Checks across the files of one batch (what no single declaration can show):

* §7.3.3 — the same project must not be declared twice for the same time: two declarations of one
  project whose seasons overlap (or the very same file twice) are both errors;
* §6.2.4.3 — once a heat meter is installed, later seasons are metered, and an earlier *estimated*
  season must not exceed what was later measured.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hpcarbon.findings import Finding, finding


@dataclass(frozen=True)
class SeasonRecord:
    """What a file contributes to the batch checks."""

    index: int  # position in the batch
    file: str
    sha256: str
    project_id: str
    start: date
    end: date
    method: str | None  # metered | estimated | mixed | None when not computed
    heat_supplied_gj: float | None
    project_id_cell: tuple[str, str | None] | None = None
    season_cell: tuple[str, str | None] | None = None


def _located(f: Finding, where) -> Finding:
    return f.located(*where) if where else f


def cross_file_findings(records: list[SeasonRecord]) -> dict[int, list[Finding]]:
    """Findings per batch index."""
    out: dict[int, list[Finding]] = {}
    by_project: dict[str, list[SeasonRecord]] = {}
    for r in records:
        by_project.setdefault(r.project_id.strip().upper(), []).append(r)
    for group in by_project.values():
        group.sort(key=lambda r: (r.start, r.index))
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if b.start <= a.end:  # overlapping seasons (inclusive dates)
                    for this, other in ((a, b), (b, a)):
                        out.setdefault(this.index, []).append(_located(finding(
                            "batch.duplicate_declaration", "project.id", project_id=this.project_id,
                            other=other.file, this_start=this.start.isoformat(), this_end=this.end.isoformat(),
                            other_start=other.start.isoformat(), other_end=other.end.isoformat()),
                            this.project_id_cell))
                elif (a.method in ("estimated", "mixed") and b.method == "metered"
                      and a.heat_supplied_gj is not None and b.heat_supplied_gj is not None
                      and a.heat_supplied_gj > b.heat_supplied_gj):
                    out.setdefault(a.index, []).append(_located(finding(
                        "batch.estimate_above_later_metered", "season.start", estimate=a.heat_supplied_gj,
                        metered=b.heat_supplied_gj, other=b.file, later_start=b.start.isoformat()),
                        a.season_cell))
    return out
