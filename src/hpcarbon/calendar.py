"""Season calendar helpers: months of a season, days inside it, 表8 working conditions, periods."""

from __future__ import annotations

import calendar as _cal
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Sequence

from hpcarbon.model import CopMeasurement, Season, WorkingCondition, month_parts
from hpcarbon.vocabulary import month_key, month_of

#: §5.3 traceability date: operation must start on or after it.
TRACEABILITY_DATE = date(2023, 1, 1)
#: §5.2 crediting period, years from the operation start.
CREDITING_YEARS = 15
#: §2.2, §7.3.2 records are kept at least this many years after the last crediting period ends.
RECORD_KEEPING_YEARS = 5

# 表8: late October & early April mild (1), November & March normal (2), December–February severe (3).
# [D] months the table does not name (September, May …) are treated as mild.
_CONDITION_BY_MONTH = {10: WorkingCondition.mild, 4: WorkingCondition.mild,
                       11: WorkingCondition.normal, 3: WorkingCondition.normal,
                       12: WorkingCondition.severe, 1: WorkingCondition.severe, 2: WorkingCondition.severe}
#: The months 表8 names, in the order of a season (October to April).
TABLE8_MONTHS: tuple[int, ...] = tuple(sorted(_CONDITION_BY_MONTH, key=lambda m: (m - 10) % 12))
#: 表8 on-site COP measurements a month needs per working condition, and the extra one with extreme weather.
MIN_MEASUREMENTS = {WorkingCondition.mild: 1, WorkingCondition.normal: 2, WorkingCondition.severe: 3}
EXTREME_WEATHER_EXTRA = 1

CONDITION_LABEL = {WorkingCondition.mild: ("温和", "mild"), WorkingCondition.normal: ("常规", "normal"),
                   WorkingCondition.severe: ("严寒", "severe")}


def season_months(season: Season) -> list[str]:
    """The calendar months (YYYY-MM) the season touches, in order."""
    out, y, m = [], season.start.year, season.start.month
    while (y, m) <= (season.end.year, season.end.month):
        out.append(month_key(y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@dataclass(frozen=True)
class MonthProblem:
    """A monthly record that breaks the season's coverage: ``code`` (monthly.outside_season | duplicate |
    missing_month), the index of the record it is reported at, and the month."""

    code: str
    index: int
    month: str


def month_coverage(season: Season, months: list[str]) -> list[MonthProblem]:
    """Every month of the season exactly once and none outside it (表5–表11, continuous monitoring), given
    the months of the monthly records in order. One detection for the rule that reports it and for the
    accounting, which sums no month twice and none that is missing."""
    wanted = season_months(season)
    seen = Counter(months)
    out, reported = [], set()
    for i, m in enumerate(months):
        if m not in wanted:
            out.append(MonthProblem("monthly.outside_season", i, m))
        elif seen[m] > 1 and m in reported:
            out.append(MonthProblem("monthly.duplicate", i, m))
        reported.add(m)
    for m in wanted:
        if m not in seen:
            # located where the month belongs: at the first later month entered, else the last one
            later = [i for i, x in enumerate(months) if x > m]
            out.append(MonthProblem("monthly.missing_month", later[0] if later else len(months) - 1, m))
    return out


def in_season(day: date, season: Season) -> bool:
    """Whether ``day`` lies inside the season, both ends included."""
    return season.start <= day <= season.end


def measurements_by_month(measurements: Sequence[CopMeasurement],
                          season: Season) -> dict[str, list[tuple[int, CopMeasurement]]]:
    """Month (YYYY-MM) → its on-site COP measurements with their indices, in order (表8 counts and averages
    them month by month of the season, SPEC §5): one dated outside the season counts in no month."""
    out: dict[str, list[tuple[int, CopMeasurement]]] = {}
    for j, m in enumerate(measurements):
        if in_season(m.date, season):
            out.setdefault(month_of(m.date), []).append((j, m))
    return out


def days_in_season(month: str, season: Season) -> int:
    """How many days of calendar month ``YYYY-MM`` lie inside the season (0 when none)."""
    y, m = month_parts(month)
    first, last = date(y, m, 1), date(y, m, _cal.monthrange(y, m)[1])
    lo, hi = max(first, season.start), min(last, season.end)
    return max((hi - lo).days + 1, 0)


def working_condition(month: int) -> WorkingCondition:
    """表8 working condition of a calendar month."""
    return _CONDITION_BY_MONTH.get(month, WorkingCondition.mild)


def required_measurements(month: int, extreme_weather: bool) -> int:
    """表8 minimum on-site COP measurements in a month; one more with extreme weather."""
    return MIN_MEASUREMENTS[working_condition(month)] + (EXTREME_WEATHER_EXTRA if extreme_weather else 0)


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later; 29 February becomes 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


@dataclass(frozen=True)
class Period:
    """A span of days, both ends inclusive."""
    start: date
    end: date


def crediting_period(operation_start: date) -> Period:
    """§5.2: :data:`CREDITING_YEARS` years from the operation start, both ends inclusive."""
    return Period(operation_start, add_years(operation_start, CREDITING_YEARS) - timedelta(days=1))


def records_keep_until(operation_start: date) -> date:
    """§2.2, §7.3.2: at least :data:`RECORD_KEEPING_YEARS` years after the crediting period ends."""
    return add_years(crediting_period(operation_start).end, RECORD_KEEPING_YEARS)
