"""Comparing the seasons of one project (what no single declaration can show), for the batch checks of the
validator and the registry's checks against what it accepted before — one definition for both:

* §7.3.3 — a project is the same project under :func:`project_key` (filing numbers compared trimmed,
  NFKC-folded and in upper case);
* §6.2.4.3 — once a heat meter is installed, an earlier *estimated* season must not exceed what was later
  metered. [D] Seasons differ in length, so heat is compared per actual heating hour (Q / t, GJ/h, t of
  §6.2.4.2); only a season metered for every type bounds an estimate.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

#: how heat is known (accounting ``Results.method``): these hold an estimate that a later metered season bounds
ESTIMATED_METHODS = frozenset({"estimated", "mixed"})
METERED = "metered"


def project_key(project_id: str) -> str:
    """A filing number compared trimmed, NFKC-folded (full-width ＡＢ１ = AB1) and in upper case."""
    return unicodedata.normalize("NFKC", project_id).strip().upper()


def heat_rate(heat_gj: float | None, heating_hours: float | None) -> float | None:
    """Heat supplied per actual heating hour, GJ/h (§6.2.4.3 [D]); None when either is unknown or t is 0."""
    if heat_gj is None or heating_hours is None or heating_hours <= 0:
        return None
    return heat_gj / heating_hours


@dataclass(frozen=True)
class SeasonHeat:
    """How a season's heat is known and how much of it there is."""

    method: str | None  # metered | estimated | mixed; None when not computed
    heat_gj: float | None
    heating_hours: float | None

    @property
    def rate(self) -> float | None:
        return heat_rate(self.heat_gj, self.heating_hours)


def estimate_above_later_metered(earlier: SeasonHeat, later: SeasonHeat) -> bool:
    """§6.2.4.3: the earlier season is an estimate whose heat per heating hour exceeds that of a later season
    metered for every type."""
    if earlier.method not in ESTIMATED_METHODS or later.method != METERED:
        return False
    estimate, metered = earlier.rate, later.rate
    return estimate is not None and metered is not None and estimate > metered
