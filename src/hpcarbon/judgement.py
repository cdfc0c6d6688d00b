"""A JSON declaration judged: its field findings, every rule, and the results as far as their own inputs
allow (issue 13, ruling 3) — one place for ``hpcarbon compute`` and the registry's JSON submissions."""

from __future__ import annotations

from hpcarbon.declaration_io import Loaded
from hpcarbon.report import Report
from hpcarbon.rules import check, make_context


def judge_loaded(loaded: Loaded, meta: dict) -> Report:
    """The report of a loaded JSON declaration (``meta``: file, sha256 … as the caller knows them).

    A declaration the strict model refused is accounted through its draft (invalid fields hold
    placeholders no result or rule uses), so the report still shows every number it can form."""
    findings, accounting = list(loaded.findings), None
    decl = loaded.declaration or loaded.draft
    if decl is not None:
        ctx = make_context(decl, invalid=loaded.invalid)
        findings += check(decl, ctx)
        accounting = ctx.accounting
    return Report(findings=findings, accounting=accounting, declaration=decl, meta=meta,
                  personal=loaded.personal, invalid_fields=frozenset(loaded.invalid))
