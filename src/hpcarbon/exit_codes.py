"""The exit status of every ``hpcarbon`` command, defined once.

* 0 — done, no error finding (warnings allowed);
* 1 — the input was read as a declaration but has error findings: invalid field values (a district
  outside Changchun, a negative reading, a missing required field) or a rule it breaks;
* 2 — the input cannot be read as a declaration at all (not JSON, not a workbook of the template, the
  wrong top-level shape), an output cannot be written, the registry cannot be used (cannot be opened, no
  such declaration) or the service cannot start, the command is misused — or an internal error (a bug:
  the command answers it bilingually, without a traceback, and no result is given);
* 130 — interrupted (Ctrl-C), as shells report SIGINT.

A batch exits with the worst of its files (:func:`worst`).
"""

from __future__ import annotations

from enum import IntEnum
from collections.abc import Iterable


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1
    UNREADABLE = 2
    INTERRUPTED = 130


def worst(codes: Iterable[int]) -> ExitCode:
    """The batch's status: 2 if any input is unreadable, else 1 if any has findings, else 0."""
    seen = set(codes)
    for code in (ExitCode.UNREADABLE, ExitCode.FINDINGS):
        if code in seen:
            return code
    return ExitCode.OK
