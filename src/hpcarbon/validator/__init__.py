"""Headless validation of one submitted declaration workbook, in layers (issue: validate):

1. the file itself (:mod:`.container`) — before openpyxl sees it;
2. the template and every field (the workbook reader, located by the layout schema);
3. every rule of the engine (:mod:`hpcarbon.rules`), located at the cells of the fields it concerns;
4. recomputation with the core and comparison with the values Excel cached in the calculation sheet.

The submitted file is opened read-only and never written; every report carries its SHA-256.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import stat
import threading
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, range_boundaries

from hpcarbon.admission import refused_scope
from hpcarbon.exit_codes import ExitCode
from hpcarbon.files import OutputExists
from hpcarbon.findings import Finding, finding, placed
from hpcarbon.model import OwnerType
from hpcarbon.privacy import NOT_SHOWN_EN, NOT_SHOWN_ZH, owner_personal
from hpcarbon.report import Report, Verdict
from hpcarbon.rules import check, make_context
from hpcarbon.validator.annotate import annotate_workbook
from hpcarbon.validator.container import inspect_container
from hpcarbon.validator.crossfile import IDENTITY, SeasonRecord, season_record
from hpcarbon.validator.limits import DEFAULT_LIMITS, Limits
from hpcarbon.validator.names import annotated_name, shown_path
from hpcarbon.validator.ooxml import gated_openpyxl
from hpcarbon.validator.recompute import compare_cached, old_template, sheet_and_cells, sheet_sees
from hpcarbon.validator.reviewer import reviewer_findings
from hpcarbon.validator.scan import input_cells, inputs_in, personal_cells, shown
from hpcarbon.workbook import reader as wb_reader
from hpcarbon.workbook.layout import LAYOUT
from hpcarbon.workbook.schema import TEMPLATE_VERSION

__all__ = ["FileResult", "TypedIdentity", "annotated_name", "validate_file"]


Cell = tuple[str, str | None]  # (sheet, cell) as the workbook reader locates a field


@dataclass(frozen=True)
class TypedIdentity:
    """The project id and season as typed, kept when the model refused them (the summary still names them)."""
    project_id: str | None
    season: str | None  # "start/end"


@dataclass
class FileResult:
    path: Path
    report: Report
    unreadable: bool  # not a declaration workbook at all → exit 2
    annotated: Path | None = None  # the annotated copy written
    output_error: str | None = None  # why the annotated copy was not written (exit 2: not the file's fault)
    identity_cells: dict[str, Cell | None] = field(default_factory=dict)  # project.id, season.start → cell
    typed: TypedIdentity | None = None  # only when the model refused the project id or the season

    def __post_init__(self):
        # a workbook's findings always say where (JSON keys sheet and cell), null when nowhere in particular
        self.report.findings = [f if f.location is not None else f.located(None, None) for f in self.report.findings]

    @property
    def exit_code(self) -> ExitCode:
        if self.unreadable or self.output_error:
            return ExitCode.UNREADABLE
        return ExitCode.FINDINGS if self.report.status is Verdict.FAIL else ExitCode.OK

    def season_record(self) -> SeasonRecord | None:
        """What the batch checks across files need (None: not which project and season it is)."""
        if self.unreadable:
            return None
        return season_record(self.report, shown_path(self.path), self.identity_cells.get)

    def identity(self) -> tuple[str, str]:
        """(project id, season) for the summary: as declared, or as typed when the model rejected them."""
        decl = self.report.declaration
        typed = self.typed or TypedIdentity(None, None)
        known = decl is not None and not self.report.invalid_fields & IDENTITY
        project_id = decl.project.id if known else typed.project_id or ""
        season = f"{decl.season.start}/{decl.season.end}" if known else typed.season or ""
        return self.report.mask(project_id), season


class NotRegularFile(OSError):
    """A FIFO, device, socket or folder given as a workbook: never read (a FIFO would block forever)."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


_KINDS = ((stat.S_ISFIFO, "FIFO 管道 / FIFO"), (stat.S_ISCHR, "字符设备 / character device"),
          (stat.S_ISBLK, "块设备 / block device"), (stat.S_ISSOCK, "套接字 / socket"),
          (stat.S_ISDIR, "文件夹 / folder"))


def read_submitted(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, read once (everything after works on them, never on the path again). Not a
    regular file: :class:`NotRegularFile` at once, without blocking; more than ``max_bytes``: the first
    ``max_bytes + 1`` bytes (the size check refuses it)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(next((k for test, k in _KINDS if test(mode)), "?"))
        chunks, size = [], 0
        while size <= max_bytes and (chunk := os.read(fd, min(1 << 20, max_bytes + 1 - size))):
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


#: why a file could not be read when the machine ran out of memory reading it
OUT_OF_MEMORY = "内存不足 / out of memory"


def unreadable_reason(exc: BaseException) -> str:
    """The reason file.unreadable_workbook gives for an exception met reading a file (the type and the start
    of its message; out of memory said in both languages)."""
    return OUT_OF_MEMORY if isinstance(exc, MemoryError) else f"{type(exc).__name__}: {str(exc)[:200]}"


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


def validate_file(path: Path, limits: Limits = DEFAULT_LIMITS, annotate_dir: Path | None = None,
                  force: bool = False, annotate_name: str | None = None) -> FileResult:
    """Validate one workbook; with ``annotate_dir`` also write its annotated copy there, named
    ``annotate_name`` (default :func:`annotated_name`; a batch gives files of the same name distinct names)."""
    path = Path(path)
    meta: dict = {"file": shown_path(path), "template_version": None}
    annotate_to = Path(annotate_dir) / (annotate_name or annotated_name(path)) if annotate_dir is not None else None
    try:
        # openpyxl warns on odd files (a date serial out of range, unsupported extensions …) to stderr, in
        # English, with its own paths: the report's findings are the answer, so its warnings are silenced
        with _deadline(limits.timeout_seconds), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _validate(path, limits, annotate_to, force, meta)
    except _Timeout:
        return FileResult(path, Report([finding("file.timeout", seconds=limits.timeout_seconds)], meta=meta), True)
    except Exception as exc:  # a file must never crash the gate (MemoryError included): answer it, bilingually
        return FileResult(path, Report([finding("file.unreadable_workbook", reason=unreadable_reason(exc))],
                                       meta=meta), True)


def _validate(path: Path, limits: Limits, annotate_to: Path | None, force: bool, meta: dict) -> FileResult:
    try:
        data = read_submitted(path, limits.max_file_bytes)
    except NotRegularFile as exc:
        return FileResult(path, Report([finding("file.not_regular", file=shown_path(path.name), kind=exc.kind)], meta=meta), True)
    except OSError as exc:
        return FileResult(path, Report([finding("file.cannot_open", reason=exc.strerror or str(exc))], meta=meta), True)
    meta["sha256"] = hashlib.sha256(data).hexdigest()
    calc_sheet, calc_cells = sheet_and_cells()
    wanted = {calc_sheet: calc_cells}
    container = inspect_container(data, limits, wanted,
                                  styled_sheets=frozenset(input_sheets()) | {s.name for s in LAYOUT.sheets if s.hidden},
                                  extents=wb_reader.sheet_extents())
    findings: list[Finding] = list(container.findings)
    if not container.readable:
        return FileResult(path, Report(findings, meta=meta), True)
    if annotate_to is not None and container.cells > limits.max_annotated_cells:
        findings.append(finding("file.annotate_skipped", count=container.cells, limit=limits.max_annotated_cells))
        annotate_to = None
    elif annotate_to is not None and container.annotate_load > 2 * limits.max_annotated_cells:
        # openpyxl builds every style record, name and text run of the copy: bounded like the cells
        findings.append(finding("file.annotate_too_heavy", count=container.annotate_load,
                                limit=limits.max_annotated_cells))
        annotate_to = None
    bad = _bad_cells(container)
    if bad:  # openpyxl would give up on the sheet: the gate names the cells instead
        return FileResult(path, Report(findings + bad, meta=meta), True)

    # the reader takes the values of the container's one pass over each sheet, as openpyxl would give
    # them (validator/cells.py): no sheet is parsed a second time
    read = wb_reader.read_values(_rows_of(container), limits=limits, date1904=container.package.date1904,
                                 formulas_of=_formulas_of(container))
    meta["template_version"] = read.template_version
    findings += read.findings
    if read.unreadable:  # not our template / unsupported version / sheets missing
        return FileResult(path, Report(findings, meta=meta), True)
    findings += _sheet_findings(container.sheets) + _control_characters(read)
    formula_findings, merge_findings = _scan_inputs(read, container)
    findings = _not_empty(findings, formula_findings)
    findings += formula_findings + merge_findings + _outside_formulas(container, read)
    findings += reviewer_findings(container, read)
    # a declaration with invalid fields is still accounted as far as its numbers go: the draft holds
    # placeholders where fields are invalid, which no result and no rule uses (hpcarbon.admission)
    decl = read.declaration or read.draft
    if decl is None:
        return _finish(path, data, Report(findings, meta=meta), read, annotate_to, force, container)
    refused = _formula_refused(formula_findings, read.invalid)
    if refused is None:  # a formula in a field admission has no placeholder for: no result
        return _finish(path, data, Report(findings, declaration=decl, meta=meta,
                                          invalid_fields=frozenset(read.invalid)), read, annotate_to, force, container)
    invalid = frozenset(refused)
    ctx = make_context(decl, invalid=refused)
    findings += placed(check(decl, ctx), read.locate)
    findings += _compare_cached(ctx.accounting, decl, read, container)
    report = Report(findings, accounting=ctx.accounting, declaration=decl, meta=meta, invalid_fields=invalid)
    return _finish(path, data, report, read, annotate_to, force, container)


def _not_empty(findings: list[Finding], formula_findings: list[Finding]) -> list[Finding]:
    """``findings`` without "required field is empty" where the cell holds a formula: a formula Excel never
    calculated (a file written by a script) has no saved value, so the reader sees the cell empty, but the
    cell is not empty — its finding is the formula's, as for an optional field."""
    formula_cells = {at for f in formula_findings if (at := _cell_of(f)) is not None}
    return [f for f in findings if not (f.code == "field.required" and _cell_of(f) in formula_cells)]


def _cell_of(f: Finding) -> tuple[str, str] | None:
    loc = f.location
    return (loc.sheet, loc.cell) if loc is not None and loc.cell else None


def _formula_refused(formula_findings: list[Finding], invalid: dict[str, str]) -> dict[str, str] | None:
    """The refused fields with those whose input cell holds a formula: a value Excel computed (=WEBSERVICE,
    DDE …) is not a declared one, so its field is refused as admission refuses an invalid one — the field
    and its placeholder's scope (its finding is the formula's) — and only the results resting on it are
    blank (a field without a neutral one — the season … — leaves a draft that is not accounted:
    admission.unaccounted). None when admission has no placeholder for such a field. A formula without
    a field is in a cell the reader took nothing from: it feeds no number."""
    refused = dict(invalid)
    for f in formula_findings:
        if not f.field:
            continue
        scope = refused_scope(f.field)
        if scope is None:
            return None
        for path in (scope, f.field):  # a formula with no saved value read as empty: the formula says why
            if refused.get(path, "field.required") == "field.required":
                refused[path] = f.code
    return refused


def _rows_of(container):
    """What the reader asks of a workbook, from the container's scans: a sheet's rows, or None when the
    workbook has no such worksheet (a chart sheet is none)."""
    kinds = {s.name: s.kind for s in container.package.sheets}

    def rows_of(sheet: str, max_row: int, max_col: int):
        scan = container.scans.get(sheet)
        if scan is None or kinds.get(sheet) == "chartsheet":
            return None
        return scan.rows_of(max_row, max_col)
    return rows_of


def _formulas_of(container):
    """The formulas of a sheet as the reader asks for them (to name a moved table row or column), from the
    container's scans: ``=`` and the formula's text where a cell holds one (a shared formula's other cells:
    ``=`` alone)."""
    def formulas_of(sheet: str, max_row: int, max_col: int):
        scan = container.scans.get(sheet)
        if scan is None:
            return None
        rows = [[None] * max_col for _ in range(max_row)]
        for ref, text in scan.formulas:
            col, row = coordinate_from_string(ref)
            c = column_index_from_string(col)
            if row <= max_row and c <= max_col:
                rows[row - 1][c - 1] = "=" + text
        return [tuple(r) for r in rows]
    return formulas_of


def input_sheets() -> list[str]:
    return list(input_cells())


def _bad_cells(container) -> list[Finding]:
    personal = personal_cells()
    out = []
    for sheet, scan in container.scans.items():
        for b in scan.bad:
            value = f"（{NOT_SHOWN_ZH} {NOT_SHOWN_EN}）" if (sheet, b.ref) in personal else shown(b.value)
            out.append(finding("workbook.bad_cell_value", value=value, kind=b.kind_zh, kind_en=b.kind_en)
                       .located(sheet, b.ref))
    return out


def _scan_inputs(read, container) -> tuple[list[Finding], list[Finding]]:
    """Input cells must hold typed values: a formula there (=WEBSERVICE, DDE, a link …) is an error, and
    so is a merged range that swallows an input cell — a range covering two input cells, or one input
    cell that is not its top-left cell (Excel keeps only the top-left value)."""
    fields = {where: field_path for field_path, where in read.provenance.items() if where[1]}
    formulas, merges = [], []
    for sheet, refs in input_cells().items():
        scan = container.scans.get(sheet)
        if scan is None:
            continue
        for ref, _text in scan.formulas:
            if ref in refs:
                formulas.append(finding("workbook.formula_in_input", fields.get((sheet, ref))).located(sheet, ref))
        for rng in scan.merges:
            inside = inputs_in(sheet, rng)
            if not inside:
                continue
            c1, r1 = range_boundaries(rng.replace("$", ""))[:2]
            lost = [ref for r, c, ref in inside if (c, r) != (c1, r1)]
            if lost:
                merges.append(finding("workbook.merged_input", fields.get((sheet, inside[0][2])),
                                      range=f"{sheet}!{rng[:40]}").located(sheet, inside[0][2]))
    return formulas, merges


def _outside_formulas(container, read) -> list[Finding]:
    """A formula anywhere in the workbook — any sheet, any cell, a defined name — that reaches outside it."""
    inputs = input_cells()
    out = []
    for sheet, scan in container.scans.items():
        for ref, text, what in scan.outside:
            if ref in inputs.get(sheet, {}):
                continue  # already an input-cell formula error, at that cell
            out.append(finding("workbook.formula_outside", formula=shown("=" + text, 60), what=what)
                       .located(sheet, ref))
    for name, text, what in container.outside_names:
        out.append(finding("workbook.formula_outside", formula=shown(f"{name} = {text}", 60), what=what))
    return out[:50]


def _sheet_findings(sheets: list[tuple[str, str]]) -> list[Finding]:
    """Hidden sheets: the template hides only its dropdown lists; anything else hidden could conceal data."""
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
        out.append(finding("workbook.hidden_sheet", sheet=name[:40], state=state[:20], reason_zh=zh, reason_en=en)
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




def _finish(path: Path, data: bytes, report: Report, read, annotate_to: Path | None, force: bool,
            container) -> FileResult:
    personal = personal_texts(read)
    report.personal = personal  # an enterprise owner: {} (IDs and mobile numbers are masked anyway)
    result = FileResult(path, report, False)
    result.identity_cells = {p: read.locate(p) for p in ("project.id", "season.start")}
    if (report.declaration is None or report.invalid_fields & IDENTITY) and read.data:
        typed_project = (read.data.get("project") or {}).get("id")
        season = read.data.get("season") or {}
        result.typed = TypedIdentity(
            project_id=typed_project if isinstance(typed_project, str) else None,
            season=f"{season.get('start')}/{season.get('end')}" if season.get("start") and season.get("end") else None,
        )
    if annotate_to is not None:
        target = annotate_to
        try:
            with gated_openpyxl():
                annotate_workbook(data, target, report.findings, force=force, personal=personal,
                                  strip=_live_cells(container), drop=container.code_sheets)
        except OSError as exc:  # an existing copy without --force, an unwritable folder: not the file's fault
            shown = shown_path(target)
            result.output_error = shown_path(str(exc)) if isinstance(exc, OutputExists) else (
                f"无法写入 {shown}：{exc.strerror or exc} / cannot write {shown}: {exc.strerror or exc}")
            return result
        except (_Timeout, MemoryError):
            raise
        except Exception as exc:  # noqa: BLE001 - openpyxl refuses a part the gate's own reading did not need
            report.findings.append(finding("file.annotate_failed", reason=f"{type(exc).__name__}: {str(exc)[:120]}")
                                   .located(None, None))
            return result
        result.annotated = Path(target)
        report.meta["annotated"] = shown_path(target)
    return result


def _live_cells(container) -> dict[str, set[str]]:
    """Cells whose formula reaches outside the workbook: the annotated copy keeps their text, not the formula."""
    out: dict[str, set[str]] = {}
    for sheet, scan in container.scans.items():
        for ref, _text, _what in scan.outside:
            out.setdefault(sheet, set()).add(ref)
    return out


def personal_texts(read) -> dict[str, str]:
    """An individual owner's name, ID and phone as typed → masked ({} for an enterprise owner); an owner
    whose type cannot be read counts as an individual."""
    decl = read.declaration
    owner_type = decl.project.owner.type if decl else read.owner_type
    return owner_personal(owner_type is not OwnerType.enterprise, read.raw_text("project.owner.name"),
                          read.raw_text("project.owner.id_number"), read.raw_text("project.owner.phone"))


def _compare_cached(accounting, decl, read, container) -> list[Finding]:
    """Recomputation (issue: validate, layer 4): the core's results vs what the workbook cached, compared by
    :mod:`.recompute`; the cached values come from the container's one pass over the calculation sheet."""
    sheet, _cells = sheet_and_cells()
    if sheet not in container.scans:  # deleted or renamed: nothing to compare
        return [finding("recompute.no_calc_sheet", None, sheet=sheet)]
    if read.template_version in old_template():
        return [finding("recompute.old_template", None, version=read.template_version,
                        current=TEMPLATE_VERSION).located(sheet, None)]
    # a difference the coerced inputs explain (the sheet's formulas take them otherwise) is said at them
    return compare_cached(accounting, decl, container.scans[sheet].values, sheet, sheet_sees(read.sheet_view))
