"""``hpcarbon validate PATH... [--format text|json|jsonl] [--lang zh|en] [--annotate DIR] [--summary CSV]
[--jobs N] [--force] [--limit NAME=VALUE]`` — the platform's gate, in batch.

Exit status (:mod:`hpcarbon.exit_codes`): 0 every file passes (warnings allowed); 1 some file has an error
finding; 2 some file cannot be read as a declaration workbook, or the command is misused.

Its parser is in :mod:`hpcarbon.validate_command` (built on every ``hpcarbon --help``, so it imports
nothing); this module is imported when the command runs, and imports the validator and openpyxl then.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, fields
from pathlib import Path

from hpcarbon.exit_codes import ExitCode, worst
from hpcarbon.files import OutputExists, atomic_write_text, csv_text
from hpcarbon.findings import Severity, counts, finding
from hpcarbon.report import TEXT_SEPARATOR, Report, Verdict
from hpcarbon.validator import FileResult, unreadable_reason, validate_file
from hpcarbon.validator.crossfile import SeasonRecord, cross_file_findings
from hpcarbon.validator.limits import DEFAULT_LIMITS, Limits
from hpcarbon.validator.names import WORKBOOK_SUFFIXES, annotated_name, shown_path


@dataclass
class SummaryRow:
    """One file's row of the ``--summary`` CSV (the header is the field names)."""

    file: str
    sha256: str
    project_id: str
    season: str
    status: str  # pass / fail / unreadable / skipped
    errors: int | None
    warnings: int | None
    baseline_emissions_t: float | None = None
    project_emissions_t: float | None = None
    emission_reductions_t: float | None = None
    creditable_reductions_t: float | None = None
    note: str = ""  # a folder entry not validated: why, in both languages

    @classmethod
    def skipped(cls, entry: "Skipped") -> "SummaryRow":
        return cls(entry.shown, "", "", "", "skipped", None, None, note=f"{entry.reason_zh} / {entry.reason_en}")

    @classmethod
    def of(cls, result) -> "SummaryRow":
        r = result.report
        res = r.results_dict() or {}
        project_id, season = result.identity()
        tally = counts(r.findings)
        return cls(r.meta.get("file", ""), r.meta.get("sha256", ""), project_id, season,
                   r.status.value if not result.unreadable else "unreadable",
                   tally[Severity.error.value], tally[Severity.warning.value],
                   res.get("baseline_emissions_t"), res.get("project_emissions_t"),
                   res.get("emission_reductions_t"), res.get("creditable_reductions_t"))

    def cells(self) -> list:
        return [getattr(self, f.name) for f in fields(self)]


SUMMARY_HEADER = [f.name for f in fields(SummaryRow)]


@dataclass
class FileOutcome:
    """One file's answer, as a worker hands it back (pickles cheaply, renders in any format)."""

    exit: ExitCode
    summary: SummaryRow
    json: dict | None = None  # dropped once a jsonl line is out
    text: str | None = None
    output_error: str | None = None
    season: SeasonRecord | None = None  # what the batch checks need
    result: object | None = None  # the FileResult, kept for json/text/html (batch findings re-render it)

    @property
    def file(self) -> str:
        return self.summary.file

    @property
    def status(self) -> str:
        return self.summary.status


@dataclass(frozen=True)
class Skipped:
    """A folder entry not validated, and why (listed — on stderr, in the summary CSV and in the JSON,
    JSON Lines and text outputs — never skipped silently)."""

    path: Path
    reason_zh: str
    reason_en: str

    @property
    def shown(self) -> str:
        return shown_path(self.path)

    def to_dict(self) -> dict:
        return {"file": self.shown, "kind": "skipped", "status": "skipped", "reason_zh": self.reason_zh,
                "reason_en": self.reason_en}

    def text(self, lang: str) -> str:
        return f"跳过 {self.shown}（{self.reason_zh}）" if lang == "zh" else f"skipped {self.shown} ({self.reason_en})"


def _usage_error(message: str) -> int:
    sys.stderr.write(f"hpcarbon validate: {message}\n")
    return ExitCode.UNREADABLE


def collect(paths: list[str]) -> tuple[list[Path], list[str], list[Skipped]]:
    """Files to validate (folders expanded, sorted), the paths not found, and the folder entries left out
    with the reason: Excel lock files (``~$…``), other formats (.xls, .csv …), symbolic links (never
    followed inside a folder: a link could lead anywhere) and anything that is not a regular file. A path
    named on the command line is validated whatever it is (the validator refuses what is not a file)."""
    files, missing, skipped = [], [], []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():  # a link to a folder named on the command line is followed: the user chose it
            for q in sorted(p.iterdir()):
                why = _skip_reason(q)
                if why:
                    skipped.append(Skipped(q, *why))
                else:
                    files.append(q)
        elif p.exists() or p.is_symlink():
            files.append(p)
        else:
            missing.append(raw)
    return files, missing, skipped


def _skip_reason(q: Path) -> tuple[str, str] | None:
    if q.is_symlink():
        return "符号链接，不跟随", "a symbolic link, not followed"
    if q.name.startswith("~$"):
        return "Excel 打开文件时的锁定文件", "an Excel lock file"
    if not q.is_file():
        return ("子文件夹", "a subfolder") if q.is_dir() else ("不是普通文件", "not a regular file")
    suffix = q.suffix.lower()
    if suffix == ".xls":
        return "旧版 .xls 文件，请另存为 .xlsx", "a legacy .xls file; save it as .xlsx"
    if suffix not in WORKBOOK_SUFFIXES:
        return f"不是 Excel 工作簿（{suffix or '无扩展名'}）", f"not an Excel workbook ({suffix or 'no suffix'})"
    return None


def _real(path: Path) -> str:
    """A path compared as the file system sees it (symlinks and .. resolved, case folded where folders are)."""
    return os.path.normcase(os.path.realpath(path))


def annotated_names(files: list[Path]) -> list[str]:
    """Annotated-copy names, distinct within the batch: submissions/A/申报表.xlsx and submissions/B/申报表.xlsx
    must not overwrite each other's copy (the later ones get -2, -3 …; compared case-blind, as Windows and
    macOS folders do)."""
    seen: set[str] = set()
    out = []
    for f in files:
        name, k = annotated_name(f), 2
        while name.casefold() in seen:
            name = annotated_name(f.with_name(f"{f.stem}-{k}{f.suffix}"))
            k += 1
        seen.add(name.casefold())
        out.append(name)
    return out


@dataclass(frozen=True)
class FileTask:
    """One file of the batch as a worker receives it (pickled to the --jobs pool)."""

    path: Path
    limits: Limits
    annotate_dir: Path | None  # where the annotated copy goes; None: no copy
    annotate_name: str  # the copy's name, distinct within the batch
    force: bool  # an existing copy may be replaced
    lang: str
    keep: bool  # keep the FileResult (json/text/html outputs re-render it with the batch findings)
    registry: str | None  # a registry whose findings join the file's own


def _job(task: FileTask) -> FileOutcome:
    """One file in a worker. Anything that goes wrong here (a MemoryError while rendering, the registry)
    becomes this file's finding, never the end of the batch."""
    try:
        result = validate_file(task.path, limits=task.limits, annotate_dir=task.annotate_dir, force=task.force,
                               annotate_name=task.annotate_name)
        if task.registry:  # the registry's findings join the file's own, in every output
            from hpcarbon.registry.store import add_registry_findings
            add_registry_findings(task.registry, result)
        return FileOutcome(result.exit_code, SummaryRow.of(result), result.report.to_dict(task.lang),
                           result.report.to_text(task.lang), result.output_error,
                           result.season_record(), result if task.keep else None)
    except Exception as exc:  # noqa: BLE001 - the batch goes on; the file says what happened
        return _failed(task.path, exc, task.lang, task.keep)


def _failed(path: Path, exc: BaseException, lang: str, keep: bool) -> FileOutcome:
    result = FileResult(path, Report([finding("file.unreadable_workbook", reason=unreadable_reason(exc))],
                                           meta={"file": shown_path(path), "template_version": None}), True)
    return FileOutcome(result.exit_code, SummaryRow.of(result), result.report.to_dict(lang),
                       result.report.to_text(lang), None, None, result if keep else None)


def _apply_batch_findings(outcomes: list[FileOutcome], lang: str) -> dict[int, list]:
    """§7.3.3 / §6.2.4.3 across the batch: add each file's cross-file findings to its report."""
    extra = cross_file_findings([o.season if o else None for o in outcomes])
    for i, found in extra.items():
        o = outcomes[i]
        result = o.result
        if result is not None:  # json / text: the report is rendered again with them
            result.report.findings.extend(found)
            o.exit, o.json, o.text = result.exit_code, result.report.to_dict(lang), result.report.to_text(lang)
            o.summary = SummaryRow.of(result)
            continue
        # jsonl keeps no reports (constant memory per file): only the summary row and the exit status change
        tally = counts(found)
        errors = tally[Severity.error.value]
        o.summary.errors += errors
        o.summary.warnings += tally[Severity.warning.value]
        if errors and o.summary.status == Verdict.PASS:
            o.summary.status = Verdict.FAIL.value
            o.exit = worst([o.exit, ExitCode.FINDINGS])
    return extra


class _Progress:
    """A one-line progress bar on a terminal; silent otherwise."""

    def __init__(self, total: int):
        self.total, self.done = total, 0
        self.enabled = total > 1 and sys.stderr.isatty()

    def step(self) -> None:
        self.done += 1
        if self.enabled:
            width = 30
            filled = int(width * self.done / self.total)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}")
            if self.done == self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()


def cmd_validate(args) -> int:
    from concurrent.futures import ProcessPoolExecutor, as_completed  # multiprocessing: on use, not at start
    from concurrent.futures.process import BrokenProcessPool

    try:
        limits = DEFAULT_LIMITS.with_overrides(args.limit)
    except ValueError as exc:
        return _usage_error(str(exc))
    if args.jobs < 1:
        return _usage_error("--jobs 应不小于 1 / --jobs must be at least 1")
    files, missing, skipped = collect(args.paths)
    for m in missing:
        sys.stderr.write(f"hpcarbon validate: 找不到 {shown_path(m)} / not found: {shown_path(m)}\n")
    for sk in skipped:
        sys.stderr.write(f"hpcarbon validate: {sk.text('zh')} / {sk.text('en')}\n")
    if not files and not missing:
        return _usage_error("没有找到工作簿（.xlsx）/ no workbooks (.xlsx) found")
    if args.summary and Path(args.summary).exists() and not args.force:
        return _usage_error(f"{args.summary} 已存在，如需覆盖请加 --force / {args.summary} exists; add --force")
    if args.annotate and Path(args.annotate).exists() and not Path(args.annotate).is_dir():
        return _usage_error(f"--annotate 应为文件夹 / --annotate must be a folder: {args.annotate}")

    if args.registry:  # a registry that cannot be used is a misuse, said once, before any file
        from hpcarbon.registry import Registry, RegistryError
        try:
            Registry.open(args.registry).close()
        except RegistryError as exc:
            return _usage_error(str(exc))
    names = annotated_names(files)
    # a submitted file is never modified (SPEC §10), not even with --force: no output may land on an input
    inputs = {_real(f) for f in files}
    outputs = ([Path(args.summary)] if args.summary else []) + (
        [Path(args.annotate) / n for n in names] if args.annotate else [])
    for out in outputs:
        if _real(out) in inputs:
            return _usage_error(f"输出 {out} 是被校验的文件之一，不予覆盖 / the output {out} is one of the files "
                                "being validated; it is never overwritten")
    # jsonl streams each report as it is done and keeps only what the batch checks need; json and text
    # print at the end, so they keep each file's report to add the batch findings to it
    keep = args.format != "jsonl"
    annotate_dir = Path(args.annotate) if args.annotate else None
    tasks = [FileTask(f, limits, annotate_dir, name, args.force, args.lang, keep, args.registry)
             for f, name in zip(files, names)]
    outcomes: list[FileOutcome | None] = [None] * len(tasks)
    progress = _Progress(len(tasks))

    def emit(outcome: FileOutcome) -> None:
        if outcome.output_error:  # e.g. an annotated copy exists and --force was not given
            sys.stderr.write(f"hpcarbon validate: {shown_path(outcome.output_error)}\n")
        if args.format == "jsonl":
            sys.stdout.write(json.dumps(outcome.json, ensure_ascii=False) + "\n")
            sys.stdout.flush()
            outcome.json = outcome.text = None

    if args.jobs == 1 or len(tasks) == 1:
        for i, t in enumerate(tasks):
            outcomes[i] = _job(t)
            emit(outcomes[i])
            progress.step()
    else:
        with ProcessPoolExecutor(max_workers=min(args.jobs, len(tasks), os.cpu_count() or 1)) as pool:
            futures = {pool.submit(_job, t): i for i, t in enumerate(tasks)}
            emitted = 0  # jsonl lines go out in input order (the same output for any --jobs), each as soon as
            for fut in as_completed(futures):  # it and every file before it are done
                i = futures[fut]
                try:
                    outcomes[i] = fut.result()
                except BrokenProcessPool as exc:  # a worker killed (out of memory …): that file's answer
                    outcomes[i] = _failed(tasks[i].path, exc, args.lang, keep)
                while emitted < len(outcomes) and outcomes[emitted] is not None:
                    emit(outcomes[emitted])
                    emitted += 1
                progress.step()

    batch = _apply_batch_findings(outcomes, args.lang) if len(outcomes) > 1 else {}
    if args.format == "jsonl":  # the per-file lines are out already: batch findings follow, one line per file
        for i, found in sorted(batch.items()):
            o = outcomes[i]
            sys.stdout.write(json.dumps({"file": o.file, "kind": "batch", "status": o.status,
                                         "findings": [f.to_dict(args.lang) for f in found]},
                                        ensure_ascii=False) + "\n")
        for sk in skipped:  # then what a folder held that was not validated, and why
            sys.stdout.write(json.dumps(sk.to_dict(), ensure_ascii=False) + "\n")
    done = [o for o in outcomes if o is not None]
    if args.format == "json":
        payload = done[0].json if len(done) == 1 and not missing and not skipped else \
            [o.json for o in done] + [sk.to_dict() for sk in skipped]
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    elif args.format == "html":  # one self-contained page, every file's report in input order
        from hpcarbon.html_report import render_document, report_view

        sys.stdout.write(render_document([report_view(o.result.report, unreadable=o.result.unreadable)
                                          for o in done]))
    elif args.format == "text":
        sys.stdout.write(TEXT_SEPARATOR.join(o.text for o in done))
        if skipped:
            sys.stdout.write(TEXT_SEPARATOR + ("未校验 / not validated:\n" if args.lang == "zh" else
                                               "not validated / 未校验:\n")
                             + "".join(f"  {sk.text(args.lang)}\n" for sk in skipped))
    if args.summary:
        try:
            rows = [o.summary.cells() for o in done] + [SummaryRow.skipped(sk).cells() for sk in skipped]
            atomic_write_text(Path(args.summary), csv_text(SUMMARY_HEADER, rows), force=args.force)
        except OutputExists as exc:
            return _usage_error(str(exc))
        except OSError as exc:  # a folder, a read-only place …: say so, bilingually (no "internal error")
            return _usage_error(f"无法写入汇总表 {args.summary}：{exc.strerror or exc} / cannot write the summary "
                                f"{args.summary}: {exc.strerror or exc}")
    return worst([o.exit for o in done] + [ExitCode.UNREADABLE] * len(missing))
