"""``hpcarbon registry init|accept|check|withdraw|list|show|export|verify|backup`` (bilingual).

Exit status as everywhere: 0 done / no error finding; 1 error findings, a refused file or a failed verify;
2 a file that is not a declaration, a registry that cannot be used, or a misused command.

This module is imported to build ``hpcarbon --help``: nothing heavy (SQLAlchemy, the validator) at its top.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from hpcarbon.exit_codes import ExitCode, worst

_STATUS_TEXT = {
    "accepted": ("已受理，登记为申报 #{id}", "accepted, recorded as declaration #{id}"),
    "already": ("已受理过（申报 #{id}，同一 SHA-256），未重复登记", "accepted before (declaration #{id}, same SHA-256); "
                                                           "nothing recorded"),
    "passed": ("可受理（仅检查，未登记）", "would be accepted (check only; nothing recorded)"),
    "refused": ("不予受理：存在错误，未登记", "refused: it has errors; nothing recorded"),
    "unreadable": ("无法读取为申报文件，未登记", "cannot be read as a declaration; nothing recorded"),
}


def add_registry_parser(sub) -> None:
    p = sub.add_parser("registry", help="申报登记簿 / the declaration registry",
                       description="申报登记簿：受理、查重、撤回、核验与备份 / the declaration registry: accept, "
                                   "check against earlier declarations, withdraw, verify, back up")
    rsub = p.add_subparsers(dest="registry_command", required=True, parser_class=type(p))

    def command(name: str, help_text: str, func):
        c = rsub.add_parser(name, help=help_text, description=help_text)
        c.add_argument("--registry", metavar="PATH|URL",
                       help="登记簿：SQLite 文件路径或 postgresql+psycopg:// 地址（默认取环境变量 HPCARBON_REGISTRY）/ "
                            "registry: a SQLite file or a postgresql+psycopg:// URL (default: $HPCARBON_REGISTRY)")
        c.set_defaults(func=func)
        return c

    def output(c, formats=("text", "json")):
        c.add_argument("--format", choices=formats, default=formats[0], help="输出格式 / output format")
        c.add_argument("--lang", choices=("zh", "en"), default="zh", help="报告语言 / report language")

    command("init", "新建登记簿（或将其结构升级到本版本）/ create a registry (or bring its schema to this version)", cmd_init)
    c = command("accept", "校验并受理申报文件 / validate and accept declaration files", cmd_accept)
    c.add_argument("files", nargs="+", metavar="FILE", help="申报工作簿或 JSON 申报 / declaration workbook or JSON")
    c.add_argument("--operator", required=True, metavar="NAME", help="经办人 / operator accepting them")
    output(c)
    c = command("check", "与登记簿核对但不登记 / check against the registry without recording", cmd_check)
    c.add_argument("files", nargs="+", metavar="FILE", help="申报工作簿或 JSON 申报 / declaration workbook or JSON")
    output(c)
    c = command("withdraw", "撤回一份申报（不删除）/ withdraw a declaration (never deleted)", cmd_withdraw)
    c.add_argument("id", type=int, metavar="ID", help="申报编号 / declaration number")
    c.add_argument("--reason", required=True, metavar="TEXT", help="撤回理由 / why")
    c.add_argument("--operator", required=True, metavar="NAME", help="经办人 / operator")
    c = command("list", "列出登记的申报 / list recorded declarations", cmd_list)
    c.add_argument("--project", metavar="ID", help="项目备案编号 / project id (filing number)")
    c.add_argument("--status", choices=("accepted", "withdrawn"), help="状态 / status")
    c.add_argument("--needs-correction", action="store_true",
                   help="仅列出须按后期实测修正的申报（§6.2.4.3）/ only declarations to correct after later metered heat")
    c.add_argument("--purgeable", action="store_true",
                   help="仅列出台账保存期限已过、可清理的申报 / only declarations past records_keep_until (may be purged)")
    c.add_argument("--as-of", metavar="YYYY-MM-DD", help="--purgeable 的基准日（默认今天）/ reference date (default today)")
    output(c, ("text", "json", "csv"))
    c = command("show", "显示一份申报的全部记录 / show everything recorded about a declaration", cmd_show)
    c.add_argument("id", type=int, metavar="ID", help="申报编号 / declaration number")
    output(c)
    c = command("export", "导出登记簿（个人信息脱敏）/ export the registry (personal data masked)", cmd_export)
    c.add_argument("--format", choices=("csv", "json"), default="csv", help="导出格式 / export format")
    c.add_argument("-o", "--output", metavar="PATH", help="写入文件（默认标准输出）/ write to a file (default stdout)")
    c.add_argument("--force", action="store_true", help="允许覆盖已有文件 / overwrite an existing file")
    command("verify", "核验事件哈希链与全部存档文件 / verify the event hash chain and every archived file", cmd_verify)
    c = command("backup", "在用状态下备份 SQLite 登记簿 / back up a SQLite registry while in use", cmd_backup)
    c.add_argument("path", metavar="PATH", help="备份文件 / backup file")
    c.add_argument("--force", action="store_true", help="允许覆盖已有文件 / overwrite an existing file")


def _err(message: str) -> int:
    sys.stderr.write(f"hpcarbon registry: {message}\n")
    return ExitCode.UNREADABLE


def _location(args) -> str | None:
    from hpcarbon.registry.database import default_location

    return default_location(args.registry)


def _open(args, create: bool = False):
    from hpcarbon.registry import Registry

    return Registry.open(_location(args), create=create)


def _guarded(run):
    """Run a command body; a registry that cannot be used is answered bilingually with exit 2."""
    def wrapper(args) -> int:
        from sqlalchemy.exc import SQLAlchemyError

        from hpcarbon.registry import RegistryError
        from hpcarbon.registry.database import database_reason

        try:
            return run(args)
        except RegistryError as exc:
            return _err(str(exc))
        except SQLAlchemyError as exc:  # the database failed mid-command (disk full, connection lost …)
            return _err(f"登记簿数据库出错，本次操作未生效：{database_reason(exc)} / the registry's database failed; "
                        f"nothing of this command took effect: {database_reason(exc)}")
    wrapper.__doc__ = run.__doc__
    return wrapper


@_guarded
def cmd_init(args) -> int:
    from hpcarbon.registry.database import head_revision

    location = _location(args)
    reg = _open(args, create=True)
    try:
        sys.stdout.write(f"登记簿 {location} 已就绪，结构版本 {reg.revision()}（本版本 {head_revision()}）/ registry "
                         f"{location} ready, schema revision {reg.revision()} (this version's {head_revision()})\n")
    finally:
        reg.close()
    return ExitCode.OK


def _file_line(outcome, lang: str) -> str:
    zh, en = _STATUS_TEXT[outcome.status]
    return (zh if lang == "zh" else en).format(id=outcome.declaration_id) + f" — {outcome.file}"


def _emit_outcomes(outcomes, args) -> None:
    if args.format == "json":
        items = []
        for o in outcomes:
            d = o.report.to_dict(args.lang)
            d = {"registry_status": o.status, "declaration_id": o.declaration_id, **d}
            items.append(d)
        sys.stdout.write(json.dumps(items[0] if len(items) == 1 else items, ensure_ascii=False, indent=2) + "\n")
        return
    from hpcarbon.report import TEXT_SEPARATOR  # not at the top: this module's parser is read at every start

    sys.stdout.write(TEXT_SEPARATOR.join(f"{_file_line(o, args.lang)}\n{o.report.to_text(args.lang)}" for o in outcomes))


def _exit(outcomes, missing: int) -> int:
    codes = [o.exit_code for o in outcomes] + [ExitCode.UNREADABLE] * missing
    return worst(codes)


def _existing(files: list[str]) -> tuple[list[Path], int]:
    out, missing = [], 0
    for f in files:
        p = Path(f)
        if p.is_file():
            out.append(p)
        else:
            missing += 1
            sys.stderr.write(f"hpcarbon registry: 找不到文件 {f} / no such file: {f}\n")
    return out, missing


def _each(args, act) -> int:
    files, missing = _existing(args.files)
    if not files:
        return ExitCode.UNREADABLE
    reg = _open(args)
    try:
        outcomes = [act(reg, f) for f in files]  # one after another: a later file is checked against the earlier
    finally:
        reg.close()
    _emit_outcomes(outcomes, args)
    return _exit(outcomes, missing)


@_guarded
def cmd_accept(args) -> int:
    return _each(args, lambda reg, f: reg.accept(f, operator=args.operator))


@_guarded
def cmd_check(args) -> int:
    files, missing = _existing(args.files)
    if not files:
        return ExitCode.UNREADABLE
    reg = _open(args)
    try:
        outcomes = reg.check_batch(files)  # checked against the registry and against each other
    finally:
        reg.close()
    _emit_outcomes(outcomes, args)
    return _exit(outcomes, missing)


@_guarded
def cmd_withdraw(args) -> int:
    reg = _open(args)
    try:
        seq = reg.withdraw(args.id, args.reason, args.operator)
    finally:
        reg.close()
    sys.stdout.write(f"申报 #{args.id} 已撤回（事件 #{seq}）/ declaration #{args.id} withdrawn (event #{seq})\n")
    return ExitCode.OK


_LIST_COLUMNS = ("id", "project_id", "season_start", "season_end", "status", "method", "creditable_reductions_t",
                 "corrected_creditable_t", "needs_correction", "records_keep_until", "operator", "accepted_at",
                 "file_name", "sha256")


@_guarded
def cmd_list(args) -> int:
    from datetime import date

    keep_before = None
    if args.purgeable or args.as_of:
        try:
            keep_before = date.fromisoformat(args.as_of) if args.as_of else date.today()
        except ValueError:
            return _err(f"--as-of 应为 YYYY-MM-DD：{args.as_of} / --as-of must be YYYY-MM-DD: {args.as_of}")
    reg = _open(args)
    try:
        rows = reg.list(project=args.project, status=args.status, needs_correction=args.needs_correction,
                        keep_before=keep_before)
    finally:
        reg.close()
    if args.format == "json":
        sys.stdout.write(json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=2) + "\n")
    elif args.format == "csv":
        from hpcarbon.files import csv_text

        sys.stdout.write(csv_text(list(_LIST_COLUMNS), [[r.to_dict()[k] for k in _LIST_COLUMNS] for r in rows]))
    else:
        from hpcarbon.findings import T_DECIMALS

        zh = args.lang == "zh"
        if not rows:
            sys.stdout.write(("（无）" if zh else "(none)") + "\n")
        for r in rows:
            corr = ""
            if r.corrected_creditable_t is not None:
                corr = (f"  须修正为 {r.corrected_creditable_t:.{T_DECIMALS}f} t" if zh else
                        f"  to correct to {r.corrected_creditable_t:.{T_DECIMALS}f} t")
            sys.stdout.write(f"#{r.id}  {r.project_id}  {r.season_start}—{r.season_end}  {r.status}  {r.method}  "
                             f"{r.creditable_reductions_t:.{T_DECIMALS}f} t{corr}  {r.records_keep_until}  {r.file_name}\n")
    return ExitCode.OK


@_guarded
def cmd_show(args) -> int:
    reg = _open(args)
    try:
        shown = reg.show(args.id, lang=args.lang)
    finally:
        reg.close()
    if shown is None:
        return _err(f"登记簿中没有申报 #{args.id} / no declaration #{args.id} in the registry")
    if args.format == "json":
        sys.stdout.write(json.dumps(shown, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(_show_text(shown, args.lang))
    return ExitCode.OK


def _show_text(s: dict, lang: str) -> str:
    from hpcarbon.findings import GJ_DECIMALS, T_DECIMALS  # not at the top: this module's parser is read at
    from hpcarbon.report import trace_value_text  # every start

    zh = lang == "zh"
    lines = [f"{'申报' if zh else 'Declaration'} #{s['id']}  [{s['status']}]  {s['file']}  sha256 {s['sha256']}",
             f"{'项目' if zh else 'Project'}: {s['project']['id']} {s['project']['name']}  "
             f"({s['project']['owner']['name']})",
             f"{'供暖期' if zh else 'Season'}: {s['season']['start']} — {s['season']['end']}",
             f"{'参数集 / 模板' if zh else 'Parameters / template'}: {s['parameter_version']} / {s['template_version'] or '—'}",  # — : a JSON declaration has no template
             f"{'台账保存至' if zh else 'Records kept until'}: {s['records_keep_until']}",
             f"{'受理' if zh else 'Accepted'}: {s['accepted_at']} {s['operator']}", "",
             f"== {'核算结果' if zh else 'Results'} =="]
    for k, v in s["results"].items():
        lines.append(f"  {k}: {v}")
    lines += ["", f"== {'核算边界' if zh else 'Accounting boundary'} ==",
              "  " + json.dumps(s["boundary"], ensure_ascii=False)]
    lines += ["", f"== {'发现的问题' if zh else 'Findings'} =="]
    lines += [f"  {f['severity']}  {f['clause']}  {f['message']}  ({f['code']})" for f in s["findings"]] or ["  -"]
    if s["corrections"]:
        lines += ["", f"== {'§6.2.4.3 修正' if zh else '§6.2.4.3 corrections'} =="]
        lines += [f"  {'事件' if zh else 'event'} #{c['event']} ← #{c['by_declaration']}: Q {c['heat_supplied_gj']:.{GJ_DECIMALS}f} GJ, "
                  f"BE {c['baseline_emissions_t']:.{T_DECIMALS}f} t, ER {c['emission_reductions_t']:.{T_DECIMALS}f} t, "
                  f"{'可签发' if zh else 'creditable'} {c['creditable_reductions_t']:.{T_DECIMALS}f} t" for c in s["corrections"]]
    lines += ["", f"== {'历史' if zh else 'History'} =="]
    lines += [f"  #{e['event']} {e['at']} {e['kind']} {e['operator']} {json.dumps(e['details'], ensure_ascii=False)}"
              for e in s["history"]]
    lines += ["", f"== {'计算过程' if zh else 'Calculation trace'} =="]
    for i, step in enumerate(s["trace"], 1):
        title = step["title_zh"] if zh else step["title_en"]
        value = step["output"]["value"]  # the stored trace holds ∞ (one method gives 0) as null: json_value
        shown = trace_value_text(math.inf if value is None else value)
        lines.append(f"{i:>2}. [{step['clause']}] {title}: {step['formula']} → {step['output']['name']} = "
                     f"{shown} {step['output']['unit']}".rstrip())
    return "\n".join(lines) + "\n"


@_guarded
def cmd_export(args) -> int:
    reg = _open(args)
    try:
        rows = list(reg.export_rows())
    finally:
        reg.close()
    if args.format == "json":
        text = json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    else:
        from hpcarbon.files import csv_text

        header = list(rows[0]) if rows else ["id"]
        text = csv_text(header, [[r[k] for k in header] for r in rows])
    if not args.output:
        sys.stdout.write(text)
        return ExitCode.OK
    from hpcarbon.files import OutputExists, atomic_write_text

    try:
        atomic_write_text(Path(args.output), text, force=args.force)
    except OutputExists as exc:
        return _err(str(exc))
    except OSError as exc:
        return _err(f"无法写入 {args.output}：{exc.strerror or exc} / cannot write {args.output}: {exc.strerror or exc}")
    return ExitCode.OK


@_guarded
def cmd_verify(args) -> int:
    reg = _open(args)
    try:
        result = reg.verify()
    finally:
        reg.close()
    if result.ok:
        sys.stdout.write(f"核验通过：{result.events} 个事件的哈希链完整，{result.files} 个存档文件与其 SHA-256 相符 / "
                         f"verified: the hash chain of {result.events} events is intact and {result.files} archived "
                         f"files match their SHA-256\n")
        return ExitCode.OK
    first = next((p.event for p in result.problems if p.event is not None), None)
    if first is not None:
        sys.stdout.write(f"第一个不符的事件：#{first} / first event that does not match: #{first}\n")
    for p in result.problems:
        sys.stdout.write(f"  {p.text()}\n")
    return ExitCode.FINDINGS


@_guarded
def cmd_backup(args) -> int:
    reg = _open(args)
    try:
        reg.backup(Path(args.path), force=args.force)
    finally:
        reg.close()
    sys.stdout.write(f"已备份到 {args.path} / backed up to {args.path}\n")
    return ExitCode.OK
