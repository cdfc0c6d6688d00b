"""A submitted file (declaration workbook or JSON declaration) put through the full validator.

The registry records what the validator saw: the report (findings, accounting, trace), the file's bytes
(archived content-addressed) and a way to locate a field in the file (a workbook's sheet and cell).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hpcarbon.findings import Finding, finding, placed
from hpcarbon.report import Report

JSON_SUFFIXES = (".json",)

Locate = Callable[[str], "tuple[str, str | None] | None"]


@dataclass
class Submission:
    path: Path
    kind: str  # xlsx | json
    report: Report
    unreadable: bool  # not a declaration at all (exit 2)
    content: bytes | None  # the file as submitted (None when it could not be read)
    template_version: str | None = None
    locate: Locate = field(default=lambda _path: None, repr=False)

    @property
    def sha256(self) -> str | None:
        return self.report.meta.get("sha256")

    def located(self, found: list[Finding]) -> list[Finding]:
        """Findings placed at the cell of their field (workbooks); a JSON declaration has paths only."""
        return placed(found, self.locate)


def validate_submission(path: str | Path) -> Submission:
    """Run the full validator on one file: a ``.json`` is a JSON declaration (SPEC §11), anything else a
    declaration workbook."""
    path = Path(path)
    if path.suffix.lower() in JSON_SUFFIXES:
        return _validate_json(path)
    return _validate_workbook(path)


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _validate_workbook(path: Path) -> Submission:
    from hpcarbon.validator import validate_file
    from hpcarbon.workbook.layout import cell_of

    result = validate_file(path)
    decl = result.report.declaration
    content = None if result.unreadable else _read_bytes(path)
    if content is not None and hashlib.sha256(content).hexdigest() != result.report.meta.get("sha256"):
        content = None  # changed while it was being validated: what was validated is not what we hold
        result.unreadable = True
    return Submission(path, "xlsx", result.report, result.unreadable, content,
                      template_version=result.report.meta.get("template_version"),
                      locate=lambda p: cell_of(p, decl))


def _validate_json(path: Path) -> Submission:
    """As ``hpcarbon compute`` judges it: field errors and every rule (a declaration with invalid fields is
    accounted as far as its numbers go, and refused)."""
    from hpcarbon.declaration_io import load_json_declaration
    from hpcarbon.judgement import judge_loaded

    loaded = load_json_declaration(path)
    meta = {"file": str(path), "template_version": None}
    if loaded.sha256:
        meta["sha256"] = loaded.sha256
    if not loaded.readable:
        return Submission(path, "json", Report(loaded.findings, meta=meta), True, None)
    content = _read_bytes(path)
    if content is None or hashlib.sha256(content).hexdigest() != loaded.sha256:
        changed = finding("input.unreadable", reason="文件在校验期间被修改或无法再次读取 / the file changed while it "
                          "was being validated, or cannot be read again")
        return Submission(path, "json", Report([changed], meta=meta), True, None)
    return Submission(path, "json", judge_loaded(loaded, meta), False, content)
