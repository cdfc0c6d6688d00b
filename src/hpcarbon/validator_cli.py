"""``hpcarbon validate PATH... [--format text|json|jsonl] [--lang zh|en] [--annotate DIR] [--summary CSV]
[--jobs N] [--force] [--limit NAME=VALUE]`` — the platform's gate, in batch.

Exit status (:mod:`hpcarbon.exit_codes`): 0 every file passes (warnings allowed); 1 some file has an error
finding; 2 some file cannot be read as a declaration workbook, or the command is misused.

This module builds the parser on every ``hpcarbon`` start: it imports nothing heavy at its top (the
validator, openpyxl); ``cmd_validate`` imports them when it runs.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from hpcarbon.exit_codes import ExitCode, worst
from hpcarbon.files import OutputExists, atomic_write_text, csv_text

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
SUMMARY_HEADER = ["file", "sha256", "project_id", "season", "status", "errors", "warnings",
                  "baseline_emissions_t", "project_emissions_t", "emission_reductions_t", "creditable_reductions_t"]


def add_validate_parser(sub) -> None:
    p = sub.add_parser("validate", help="校验申报工作簿 / validate declaration workbooks",
                       description="校验申报工作簿（无需 Excel）/ validate declaration workbooks headlessly")
    p.add_argument("paths", nargs="+", metavar="PATH", help="工作簿或其所在文件夹 / workbook or folder of workbooks")
    p.add_argument("--format", choices=("text", "json", "jsonl", "html"), default="text",
                   help="输出格式 output format (html: 可打印的双语报告 a printable bilingual page)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="报告语言 report language")
    p.add_argument("--annotate", metavar="DIR", help="写出标注副本的文件夹 / folder for annotated copies")
    p.add_argument("--summary", metavar="CSV", help="汇总表 CSV / one-row-per-file summary CSV")
    p.add_argument("--jobs", type=int, default=1, metavar="N", help="并行进程数 / parallel processes")
    p.add_argument("--force", action="store_true", help="允许覆盖已有输出 / overwrite existing outputs")
    p.add_argument("--limit", action="append", default=[], metavar="NAME=VALUE",
                   help="调整资源限制 / change a resource limit (see README)")
    p.add_argument("--registry", metavar="PATH|URL", help="同时与申报登记簿核对（§7.3.3、§6.2.4.3）/ also check "
                   "against the declaration registry (SQLite file or postgresql+psycopg:// URL)")
    p.set_defaults(func=cmd_validate)


def _usage_error(message: str) -> int:
    sys.stderr.write(f"hpcarbon validate: {message}\n")
    return ExitCode.UNREADABLE


def collect(paths: list[str]) -> tuple[list[Path], list[str]]:
    """Files to validate (folders expanded, sorted, workbook suffixes only) and the paths not found."""
    files, missing = [], []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files += sorted(q for q in p.iterdir() if q.is_file() and q.suffix.lower() in WORKBOOK_SUFFIXES
                            and not q.name.startswith("~$"))
        elif p.exists() or p.is_symlink():
            files.append(p)
        else:
            missing.append(raw)
    return files, missing


def _real(path: Path) -> str:
    """A path compared as the file system sees it (symlinks and .. resolved, case folded where folders are)."""
    return os.path.normcase(os.path.realpath(path))


def annotated_names(files: list[Path]) -> list[str]:
    """Annotated-copy names, distinct within the batch: submissions/A/申报表.xlsx and submissions/B/申报表.xlsx
    must not overwrite each other's copy (the later ones get -2, -3 …; compared case-blind, as Windows and
    macOS folders do)."""
    from hpcarbon.validator import annotated_name

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


def _job(args: tuple) -> dict:
    """One file in a worker: returns plain data (pickles cheaply, renders in any format)."""
    from hpcarbon.validator import validate_file

    path, limits, annotate_dir, annotate_name, force, lang, keep, registry = args
    result = validate_file(Path(path), limits=limits, annotate_dir=Path(annotate_dir) if annotate_dir else None,
                           force=force, annotate_name=annotate_name)
    if registry:  # the registry's findings join the file's own, in every output
        from hpcarbon.registry.store import add_registry_findings
        add_registry_findings(registry, result)
    return {"exit": result.exit_code, "json": result.report.to_dict(lang), "text": result.report.to_text(lang),
            "summary": result.summary_row(), "output_error": result.extras.get("output_error"),
            "season": result.season_record(), "result": result if keep else None}


def _apply_batch_findings(outcomes: list[dict], lang: str) -> dict[int, list]:
    """§7.3.3 / §6.2.4.3 across the batch: add each file's cross-file findings to its report."""
    from hpcarbon.validator.crossfile import SeasonRecord, cross_file_findings

    records = [SeasonRecord(index=i, **o["season"]) for i, o in enumerate(outcomes) if o and o["season"]]
    extra = cross_file_findings(records)
    for i, found in extra.items():
        result = outcomes[i]["result"]
        if result is not None:  # json / text: the report is rendered again with them
            result.report.findings.extend(found)
            outcomes[i].update(exit=result.exit_code, json=result.report.to_dict(lang),
                               text=result.report.to_text(lang), summary=result.summary_row())
            continue
        # jsonl keeps no reports (constant memory per file): only the summary row and the exit status change
        errors = sum(f.severity.value == "error" for f in found)
        warnings = sum(f.severity.value == "warning" for f in found)
        row = outcomes[i]["summary"]
        row[5], row[6] = row[5] + errors, row[6] + warnings
        if errors and row[4] == "pass":
            row[4] = "fail"
            outcomes[i]["exit"] = worst([outcomes[i]["exit"], ExitCode.FINDINGS])
            outcomes[i]["status"] = "fail"
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

    from hpcarbon.validator.limits import DEFAULT_LIMITS

    try:
        limits = DEFAULT_LIMITS.with_overrides(args.limit)
    except ValueError as exc:
        return _usage_error(str(exc))
    if args.jobs < 1:
        return _usage_error("--jobs 应不小于 1 / --jobs must be at least 1")
    files, missing = collect(args.paths)
    for m in missing:
        sys.stderr.write(f"hpcarbon validate: 找不到 {m} / not found: {m}\n")
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
    tasks = [(str(f), limits, args.annotate, name, args.force, args.lang, keep, args.registry)
             for f, name in zip(files, names)]
    outcomes: list[dict | None] = [None] * len(tasks)
    progress = _Progress(len(tasks))

    def emit(outcome: dict) -> None:
        if outcome.get("output_error"):  # e.g. an annotated copy exists and --force was not given
            sys.stderr.write(f"hpcarbon validate: {outcome['output_error']}\n")
        if args.format == "jsonl":
            sys.stdout.write(json.dumps(outcome["json"], ensure_ascii=False) + "\n")
            sys.stdout.flush()
            outcome.update(file=outcome["json"]["file"], status=outcome["json"]["status"], json=None, text=None)

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
                outcomes[i] = fut.result()
                while emitted < len(outcomes) and outcomes[emitted] is not None:
                    emit(outcomes[emitted])
                    emitted += 1
                progress.step()

    batch = _apply_batch_findings(outcomes, args.lang) if len(outcomes) > 1 else {}
    if args.format == "jsonl":  # the per-file lines are out already: batch findings follow, one line per file
        for i, found in sorted(batch.items()):
            o = outcomes[i]
            sys.stdout.write(json.dumps({"file": o["file"], "kind": "batch", "status": o["status"],
                                         "findings": [f.to_dict(args.lang) for f in found]},
                                        ensure_ascii=False) + "\n")
    done = [o for o in outcomes if o is not None]
    if args.format == "json":
        payload = done[0]["json"] if len(done) == 1 and not missing else [o["json"] for o in done]
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    elif args.format == "html":  # one self-contained page, every file's report in input order
        from hpcarbon.html_report import render_document, report_view

        sys.stdout.write(render_document([report_view(o["result"].report, unreadable=o["result"].unreadable)
                                          for o in done]))
    elif args.format == "text":
        sep = "\n" + "=" * 72 + "\n"
        sys.stdout.write(sep.join(o["text"] for o in done))
    if args.summary:
        try:
            atomic_write_text(Path(args.summary), csv_text(SUMMARY_HEADER, [o["summary"] for o in done]),
                              force=args.force)
        except OutputExists as exc:
            return _usage_error(str(exc))
        except OSError as exc:  # a folder, a read-only place …: say so, bilingually (no "internal error")
            return _usage_error(f"无法写入汇总表 {args.summary}：{exc.strerror or exc} / cannot write the summary "
                                f"{args.summary}: {exc.strerror or exc}")
    return worst([o["exit"] for o in done] + [ExitCode.UNREADABLE] * len(missing))
