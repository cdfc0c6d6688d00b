"""``hpcarbon template`` and ``hpcarbon fill`` — argparse sub-commands (registered by :mod:`hpcarbon.cli`).

Exit status (:mod:`hpcarbon.exit_codes`): 0 written; 2 input that cannot be read or placed, an existing
output without ``--force``, or misuse. Messages are bilingual ("中文 / English"); no traceback reaches the user.
"""

from __future__ import annotations

import sys
from pathlib import Path

from hpcarbon.exit_codes import ExitCode

DEFAULT_TEMPLATE_NAME = "hpcarbon-declaration-template.xlsx"


def _err(message: str) -> None:
    sys.stderr.write(f"hpcarbon: {message}\n")


def _refused(path: Path, force: bool) -> bool:
    """True (and says so) when ``path`` exists and ``--force`` was not given — checked before any work."""
    if path.exists() and not force:
        _err(f"{path} 已存在，未覆盖；如需覆盖请加 --force / {path} exists and was not overwritten; add --force")
        return True
    return False


def _write(path: Path, payload: bytes, force: bool) -> int:
    from hpcarbon.files import OutputExists, atomic_write  # not at the top: this module is read at every start

    try:
        atomic_write(path, lambda p: p.write_bytes(payload), force=force)
    except OutputExists:  # appeared while we worked
        _refused(path, force=False)
        return ExitCode.UNREADABLE
    except OSError as exc:
        _err(f"无法写入 {path}：{exc.strerror or exc} / cannot write {path}: {exc.strerror or exc}")
        return ExitCode.UNREADABLE
    return ExitCode.OK


def add_template_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "template", help="生成空白申报表模板 / write the blank declaration template",
        description="生成标准申报表模板（.xlsx）/ write the standard declaration workbook template (.xlsx)")
    p.add_argument("-o", "--output", default=DEFAULT_TEMPLATE_NAME, metavar="PATH",
                   help=f"输出文件，默认 {DEFAULT_TEMPLATE_NAME} / output file")
    p.add_argument("--lang", choices=("zh", "en"), default="zh",
                   help="标签以中文或英文在前 / labels Chinese-first or English-first")
    p.add_argument("--force", action="store_true", help="覆盖已有文件 / overwrite an existing file")
    p.set_defaults(func=cmd_template)


def cmd_template(args) -> int:
    from hpcarbon.workbook.template import template_bytes

    out = Path(args.output)
    if _refused(out, args.force):
        return ExitCode.UNREADABLE
    code = _write(out, template_bytes(args.lang), args.force)
    if code == ExitCode.OK:
        sys.stdout.write(f"已生成申报表模板 / template written: {out}\n")
    return code


def add_fill_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "fill", help="把 JSON 申报写入申报表 / write a JSON declaration into the workbook",
        description="把 JSON 申报（SPEC §11）写入标准申报表模板的副本 / write a JSON declaration into a copy of "
                    "the template; refuses only what it cannot place")
    p.add_argument("declaration", metavar="DECLARATION.json", help="申报 JSON 文件 / declaration JSON file")
    p.add_argument("-o", "--output", required=True, metavar="OUT.xlsx", help="输出工作簿 / output workbook")
    p.add_argument("--lang", choices=("zh", "en"), default="zh",
                   help="标签以中文或英文在前 / labels Chinese-first or English-first")
    p.add_argument("--force", action="store_true", help="覆盖已有文件 / overwrite an existing file")
    p.set_defaults(func=cmd_fill)


def cmd_fill(args) -> int:
    from hpcarbon.workbook.fill import FillError, InputError, fill_bytes, load_json

    out = Path(args.output)
    if _refused(out, args.force):
        return ExitCode.UNREADABLE
    try:
        data = load_json(args.declaration)
    except InputError as exc:
        _err(str(exc))
        return ExitCode.UNREADABLE
    try:
        payload = fill_bytes(data, args.lang)
    except FillError as exc:
        _err(f"无法写入申报表，以下内容没有对应位置（{len(exc.problems)} 处）/ cannot fill the workbook: "
             f"{len(exc.problems)} item(s) have no place in it:")
        for problem in exc.problems[:50]:
            sys.stderr.write(f"  - {problem.text()}\n")
        if len(exc.problems) > 50:
            sys.stderr.write(f"  … 另有 {len(exc.problems) - 50} 处 / {len(exc.problems) - 50} more\n")
        return ExitCode.UNREADABLE
    code = _write(out, payload, args.force)
    if code == ExitCode.OK:
        sys.stdout.write(f"已写入 / written: {out}\n")
    return code
