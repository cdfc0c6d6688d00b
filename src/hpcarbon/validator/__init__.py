"""Headless validation of one submitted declaration workbook, in layers (issue: validate):

1. the file itself (:mod:`.container`) — before openpyxl sees it;
2. the template and every field (the workbook reader, located by the layout schema);
3. every rule of the engine (:mod:`hpcarbon.rules`), located at the cells of the fields it concerns;
4. recomputation with the core and comparison with the values Excel cached in the calculation sheet.

The submitted file is opened read-only and never written; every report carries its SHA-256.
"""

from __future__ import annotations

import hashlib
import re
import signal
import threading
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from hpcarbon.exit_codes import ExitCode
from hpcarbon.findings import Finding, Severity, finding
from hpcarbon.model import OwnerType
from hpcarbon.files import OutputExists
from hpcarbon.privacy import mask_id, mask_name, mask_phone
from hpcarbon.report import Report
from hpcarbon.validator.container import inspect_container
from hpcarbon.validator.limits import DEFAULT_LIMITS, Limits

__all__ = ["FileResult", "validate_file"]


#: the fields that say which project and season a file is (a placeholder there identifies nothing)
_IDENTITY = frozenset({"project.id", "season", "season.start", "season.end"})


@dataclass
class FileResult:
    path: Path
    report: Report
    unreadable: bool  # not a declaration workbook at all → exit 2
    extras: dict = field(default_factory=dict)  # "annotated": the copy written; "output_error": why it was not

    def __post_init__(self):
        # a workbook's findings always say where (JSON keys sheet and cell), null when nowhere in particular
        self.report.findings = [f if f.location is not None else f.located(None, None) for f in self.report.findings]

    @property
    def exit_code(self) -> ExitCode:
        if self.unreadable or self.extras.get("output_error"):
            return ExitCode.UNREADABLE
        return ExitCode.FINDINGS if self.report.status == "fail" else ExitCode.OK

    def season_record(self) -> dict | None:
        """What the batch checks across files need (validator.crossfile.SeasonRecord fields)."""
        decl = self.report.declaration
        if decl is None or self.unreadable or self.report.invalid_fields & _IDENTITY:
            return None  # not which project and season it is: nothing to compare across the batch
        res = self.report.accounting.results if self.report.accounting else None
        where = self.extras.get("locate", {})
        return {"file": str(self.path), "sha256": self.report.meta.get("sha256", ""), "project_id": decl.project.id,
                "start": decl.season.start, "end": decl.season.end, "method": res.method if res else None,
                "heat_supplied_gj": res.heat_supplied_gj if res else None,
                "project_id_cell": where.get("project.id"), "season_cell": where.get("season.start")}

    def summary_row(self) -> list:
        r = self.report
        decl = r.declaration
        res = r.results_dict() or {}
        c = {s.value: 0 for s in Severity}
        for f in r.findings:
            c[f.severity.value] += 1
        # a declaration the model rejected still has the project id and season as typed, when readable
        typed = self.extras.get("typed", {})
        known = decl is not None and not r.invalid_fields & _IDENTITY
        project_id = decl.project.id if known else typed.get("project_id") or ""
        season = f"{decl.season.start}/{decl.season.end}" if known else typed.get("season") or ""
        return [str(self.path), r.meta.get("sha256", ""), r.mask(project_id), season,
                r.status if not self.unreadable else "unreadable",
                c["error"], c["warning"], res.get("baseline_emissions_t"), res.get("project_emissions_t"),
                res.get("emission_reductions_t"), res.get("creditable_reductions_t")]


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


class _Timeout(Exception):
    pass


@contextmanager
def _deadline(seconds: float):
    """Give up on a file after ``seconds`` (POSIX main thread only; elsewhere no deadline)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def _raise(signum, frame):
        raise _Timeout()

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def annotated_name(path: Path) -> str:
    """File name of a workbook's annotated copy (``--annotate DIR``): ``<stem>.annotated.xlsx``."""
    return f"{Path(path).stem}.annotated.xlsx"


def validate_file(path: Path, limits: Limits = DEFAULT_LIMITS, annotate_dir: Path | None = None,
                  force: bool = False, annotate_name: str | None = None) -> FileResult:
    """Validate one workbook; with ``annotate_dir`` also write its annotated copy there, named
    ``annotate_name`` (default :func:`annotated_name`; a batch gives files of the same name distinct names)."""
    path = Path(path)
    meta: dict = {"file": str(path), "template_version": None}
    annotate_to = Path(annotate_dir) / (annotate_name or annotated_name(path)) if annotate_dir is not None else None
    try:
        # openpyxl warns on odd files (a date serial out of range, unsupported extensions …) to stderr, in
        # English, with its own paths: the report's findings are the answer, so its warnings are silenced
        with _deadline(limits.timeout_seconds), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _validate(path, limits, annotate_to, force, meta)
    except _Timeout:
        return FileResult(path, Report([finding("file.timeout", seconds=limits.timeout_seconds)], meta=meta), True)
    except MemoryError:
        return FileResult(path, Report([finding("file.unreadable_workbook", reason="内存不足 / out of memory")],
                                       meta=meta), True)
    except Exception as exc:  # a file must never crash the gate: answer it, bilingually
        reason = f"{type(exc).__name__}: {str(exc)[:200]}"
        return FileResult(path, Report([finding("file.unreadable_workbook", reason=reason)], meta=meta), True)


def _validate(path: Path, limits: Limits, annotate_to: Path | None, force: bool, meta: dict) -> FileResult:
    from hpcarbon.rules import check, make_context
    from hpcarbon.workbook import reader as wb_reader

    try:
        meta["sha256"] = sha256_of(path)
    except OSError as exc:
        return FileResult(path, Report([finding("file.cannot_open", reason=exc.strerror or str(exc))], meta=meta), True)
    container = inspect_container(path, limits)
    findings: list[Finding] = list(container.findings)
    if not container.readable:
        return FileResult(path, Report(findings, meta=meta), True)

    try:
        read = wb_reader.read_workbook(path, limits=limits)
    except (_Timeout, MemoryError):
        raise
    except Exception as exc:  # openpyxl gave up on a cell: say which one, if it is a value it cannot cast
        from hpcarbon.validator.scan import unreadable_cells

        findings += unreadable_cells(path) or [
            finding("file.unreadable_workbook", reason=f"{type(exc).__name__}: {str(exc)[:200]}")]
        return FileResult(path, Report(findings, meta=meta), True)
    meta["template_version"] = read.template_version
    findings += read.findings
    if read.unreadable:  # not our template / unsupported version / sheets missing
        return FileResult(path, Report(findings, meta=meta), True)
    findings += _sheet_findings(container.sheets) + _control_characters(read)
    formula_findings, merge_findings = _scan_inputs(path, read, container.parts)
    findings += formula_findings + merge_findings
    # a declaration with invalid fields is still accounted as far as its numbers go: the draft holds
    # placeholders where fields are invalid, which no result and no rule uses (hpcarbon.admission)
    decl = read.declaration or read.draft
    invalid = frozenset(read.invalid)
    if decl is None:
        return _finish(path, Report(findings, meta=meta), read, annotate_to, force)
    if formula_findings:
        # a value Excel computed from a formula (=WEBSERVICE, DDE …) is not a declared reading
        return _finish(path, Report(findings, declaration=decl, meta=meta, invalid_fields=invalid), read,
                       annotate_to, force)
    ctx = make_context(decl, invalid=read.invalid)
    findings += [_locate(f, read) for f in check(decl, ctx)]
    findings += _explained(_compare_cached(path, ctx.accounting, decl, read, container.parts), findings)
    report = Report(findings, accounting=ctx.accounting, declaration=decl, meta=meta, invalid_fields=invalid)
    return _finish(path, report, read, annotate_to, force)


def _scan_inputs(path: Path, read, parts: dict[str, str] | None = None) -> tuple[list[Finding], list[Finding]]:
    """Input cells must hold typed values: a formula there (=WEBSERVICE, DDE, a link …) is an error, and
    so is a merged range that swallows an input cell (see :mod:`.scan`; the reader sees only values)."""
    from hpcarbon.validator.scan import scan_input_sheets

    fields = {where: field_path for field_path, where in read.provenance.items() if where[1]}
    formula_cells, merged = scan_input_sheets(path, parts)
    formulas = [finding("workbook.formula_in_input", fields.get((sheet, ref))).located(sheet, ref)
                for sheet, ref in formula_cells]
    merges = [finding("workbook.merged_input", fields.get((sheet, ref)), range=f"{sheet}!{rng}").located(sheet, ref)
              for sheet, rng, ref in merged]
    return formulas, merges


def _sheet_findings(sheets: list[tuple[str, str]]) -> list[Finding]:
    """Hidden sheets: the template hides only its dropdown lists; anything else hidden could conceal data."""
    from hpcarbon.workbook.layout import LAYOUT

    template = {s.name: s.hidden for s in LAYOUT.sheets}
    out = []
    for name, state in sheets:
        if state == "visible" or template.get(name) is True:
            continue
        if name in template:
            zh, en = "模板工作表须保持可见，以便核查所申报的数据；请取消隐藏", \
                "a template sheet must stay visible so that a verifier sees what was declared; unhide it"
        else:
            zh, en = "申报表模板没有这张工作表，隐藏的工作表可能存放未申报的数据；请删除后提交", \
                "the template has no such sheet, and a hidden sheet can hold undeclared data; delete it"
        out.append(finding("workbook.hidden_sheet", sheet=name, state=state, reason_zh=zh, reason_en=en)
                   .located(name, None))
    return out


#: invisible characters that can hide or alter a text: C0/C1 controls (tab and line breaks allowed), DEL,
#: and the bidirectional overrides (U+202A–U+202E, U+2066–U+2069) that reorder what is shown — typed
#: literally, or as the _xHHHH_ escapes that Excel decodes when it shows the cell (openpyxl does not)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL_ESCAPE = re.compile(r"(?<!_x005[Ff])_x(00[01][0-8BbCcEeFf]|001[0-9A-Fa-f]|007[Ff]|00[89][0-9A-Fa-f]"
                             r"|202[A-Ea-e]|206[6-9])_")


def _control_characters(read) -> list[Finding]:
    out = []
    for field_path, raw in read.raw.items():
        if not isinstance(raw, str):
            continue
        hits = {f"U+{ord(c):04X}" for c in _CONTROL.findall(raw)}
        hits |= {f"U+{h.upper()}" for h in _CONTROL_ESCAPE.findall(raw)}
        if hits:
            where = read.locate(field_path)
            label = f"{where[0]}!{where[1]} {field_path}" if where and where[1] else field_path
            f = finding("workbook.control_characters", field_path, field_label=label, chars="、".join(sorted(hits)))
            out.append(f.located(*where) if where else f)
    return out


def _locate(f: Finding, read) -> Finding:
    if f.location is not None or not f.field:
        return f
    where = read.locate(f.field)
    return f.located(*where) if where else f


def _finish(path: Path, report: Report, read, annotate_to: Path | None, force: bool) -> FileResult:
    personal = _personal_texts(read)
    if personal is not None:  # an individual owner (or one whose type cannot be read): mask what was typed
        report.personal = personal
    result = FileResult(path, report, False)
    result.extras["locate"] = {p: read.locate(p) for p in ("project.id", "season.start")}
    if (report.declaration is None or report.invalid_fields & _IDENTITY) and read.data:
        typed_project = (read.data.get("project") or {}).get("id")
        season = read.data.get("season") or {}
        result.extras["typed"] = {
            "project_id": typed_project if isinstance(typed_project, str) else None,
            "season": f"{season.get('start')}/{season.get('end')}" if season.get("start") and season.get("end") else None,
        }
    if annotate_to is not None:
        from hpcarbon.validator.annotate import annotate_workbook

        target = annotate_to
        try:
            masked = _masked_cells(read)
            annotate_workbook(path, target, report.findings, masked_cells=masked, force=force,
                              personal=_personal_texts(read))
        except OSError as exc:  # an existing copy without --force, an unwritable folder: not the file's fault
            result.extras["output_error"] = str(exc) if isinstance(exc, OutputExists) else (
                f"无法写入 {target}：{exc.strerror or exc} / cannot write {target}: {exc.strerror or exc}")
            return result
        result.extras["annotated"] = str(target)
        report.meta["annotated"] = str(target)
    return result


def _masked_cells(read) -> dict[tuple[str, str], str]:
    """Cells holding an individual owner's personal data, with the masked text for the copy (SPEC §10)."""
    decl = read.declaration
    owner_type = decl.project.owner.type if decl else read.owner_type
    if owner_type is OwnerType.enterprise:
        return {}
    out = {}
    for path, masker in (("project.owner.name", mask_name), ("project.owner.id_number", mask_id),
                         ("project.owner.phone", mask_phone)):
        where = read.locate(path)
        raw = read.raw_text(path)
        if where and raw:
            out[where] = masker(raw)
    return out


def _personal_texts(read) -> dict[str, str] | None:
    """An individual owner's name, ID and phone as typed → masked (None for an enterprise owner)."""
    decl = read.declaration
    owner_type = decl.project.owner.type if decl else read.owner_type
    if owner_type is OwnerType.enterprise:
        return None
    out = {}
    for path, masker in (("project.owner.name", mask_name), ("project.owner.id_number", mask_id),
                         ("project.owner.phone", mask_phone)):
        raw = read.raw_text(path)
        if raw and raw.strip():
            out[raw.strip()] = masker(raw.strip())
    return out


def _explained(recomputed: list[Finding], findings: list[Finding]) -> list[Finding]:
    """Cached results that differ from the core because the reader had to coerce inputs the workbook's own
    formulas ignore ('Y' in a 是/否 cell, a number stored as text): the cells to fix are those inputs, already
    warned about where they are, so the differences are one info, not errors on the locked 核算 sheet."""
    coerced = [f for f in findings if f.code == "field.coerced" and f.location is not None]
    mismatches = [f for f in recomputed if f.code == "recompute.mismatch"]
    if not coerced or not mismatches:
        return recomputed
    first = mismatches[0]
    inputs = "、".join(f"{f.location.sheet}!{f.location.cell}" for f in coerced[:5]) + ("…" if len(coerced) > 5 else "")
    info = finding("recompute.explained_by_inputs", None, count=len(mismatches), cell=first.params.get("cell", ""),
                   label=first.params.get("label", ""), inputs=inputs).located(coerced[0].location.sheet,
                                                                                 coerced[0].location.cell)
    return [f for f in recomputed if f.code != "recompute.mismatch"] + [info]


def _has_sheet(path: Path, sheet: str, parts: dict[str, str] | None) -> bool:
    if parts is not None:
        return sheet in parts
    import zipfile

    from hpcarbon.validator.cached import sheet_part

    with zipfile.ZipFile(path) as zf:
        return sheet_part(zf, sheet) is not None


def _compare_cached(path: Path, accounting, decl, read, parts: dict[str, str] | None = None) -> list[Finding]:
    """Recomputation (issue: validate, layer 4): the core's results vs what the workbook cached, compared by
    :mod:`.recompute`. ``parts`` (tab name → zip member, from the container pass) saves parsing workbook.xml
    again."""
    from hpcarbon.validator.cached import cached_values
    from hpcarbon.validator.recompute import compare_cached, old_template, sheet_and_cells

    sheet, cells = sheet_and_cells()
    if not _has_sheet(path, sheet, parts):  # deleted or renamed: nothing to compare
        return [finding("recompute.no_calc_sheet", None, sheet=sheet)]
    if read.template_version in old_template():
        return [finding("recompute.old_template", None, version=read.template_version).located(sheet, None)]
    cached = cached_values(path, sheet, cells, part=(parts or {}).get(sheet))
    return compare_cached(accounting, decl, cached, sheet)
