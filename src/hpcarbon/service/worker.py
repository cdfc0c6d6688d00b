"""One uploaded workbook validated inside a worker process.

The upload is written into a private temporary folder (mode 0700, made by :func:`tempfile.mkdtemp`) because
the gate reads a file; the folder and the annotated copy written there are removed before the worker
answers, so nothing of an upload stays on disk. What comes back is plain, picklable data: the JSON report,
the HTML view, the annotated copy's bytes, the Report itself (for the batch checks across a request).
"""

from __future__ import annotations

import os
import resource
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from hpcarbon.validator.crossfile import SeasonRecord
from hpcarbon.validator.limits import Limits
from hpcarbon.validator.names import WORKBOOK_SUFFIXES  # any other upload is validated under .xlsx (the gate
# looks at the bytes, not the name)


@dataclass(frozen=True)
class UploadJob:
    index: int  # position in its request
    name: str  # the name the client gave (shown masked, never used as a path)
    data: bytes
    limits: Limits
    annotate: bool = False
    lang: str = "zh"
    html: bool = False
    registry: str | None = None  # with a registry, its checks (§7.3.3, §6.2.4.3) join the file's findings


@dataclass
class UploadOutcome:
    index: int
    name: str  # masked
    json: dict
    view: dict | None
    annotated: bytes | None
    season: SeasonRecord | None  # what the batch checks across a request need
    report: object  # hpcarbon.report.Report, masked when rendered
    unreadable: bool
    temp_path: str  # where the upload lay in the worker (gone now): replaced by its name when rendered again


def limit_memory(max_bytes: int) -> None:
    """Worker initializer: a hostile file that slips past the gate's limits gets a MemoryError (answered
    as unreadable by the gate), not the machine's memory."""
    if max_bytes > 0:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = max_bytes if hard == resource.RLIM_INFINITY else min(max_bytes, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def warm_up() -> int:
    """Import the validator before the first upload (the pool calls this once per worker)."""
    import hpcarbon.html_report  # noqa: F401
    import hpcarbon.validator  # noqa: F401
    from hpcarbon.workbook import reader  # noqa: F401

    return os.getpid()


def _replace(value, old: str, new: str):
    """``value`` with the temporary path replaced by the upload's name (an exception text may carry it)."""
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        return [_replace(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, old, new) for k, v in value.items()}
    return value


def render(report, name: str, temp_path: str, lang: str, html: bool, unreadable: bool) -> tuple[dict, dict | None]:
    """The JSON report (as ``hpcarbon validate --format json``) and the HTML view, naming the upload."""
    data = _replace(report.to_dict(lang), temp_path, name)
    data["file"] = name
    data.pop("annotated", None)  # a temporary path; the service gives a link instead
    view = None
    if html:
        from hpcarbon.html_report import report_view

        view = _replace(report_view(report, file_label=name, unreadable=unreadable), temp_path, name)
    return data, view


def run_upload(job: UploadJob) -> UploadOutcome:
    from hpcarbon.validator import validate_file

    root = Path(tempfile.mkdtemp(prefix="hpcarbon-upload-"))
    try:
        suffix = Path(job.name).suffix.lower()
        path = root / ("upload" + (suffix if suffix in WORKBOOK_SUFFIXES else ".xlsx"))
        path.write_bytes(job.data)
        result = validate_file(path, limits=job.limits, annotate_dir=root / "annotated" if job.annotate else None,
                               annotate_name="annotated.xlsx")
        if job.registry:
            from hpcarbon.registry.store import add_registry_findings

            add_registry_findings(job.registry, result)
        report = result.report
        name = report.mask(job.name)  # a file named after its owner is masked like any other text
        data, view = render(report, name, str(path), job.lang, job.html, result.unreadable)
        annotated = result.annotated.read_bytes() if result.annotated else None
        season = result.season_record()
        if season is not None:
            season = replace(season, file=name)
        return UploadOutcome(job.index, name, data, view, annotated, season, report, result.unreadable, str(path))
    finally:
        shutil.rmtree(root, ignore_errors=True)
