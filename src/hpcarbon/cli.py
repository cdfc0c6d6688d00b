"""The ``hpcarbon`` command: compute, template, fill, validate.

Exit status: 0 no error finding; 1 error findings; 2 input that cannot be read, or misuse.
Every message a user sees is bilingual; no traceback reaches the terminal.
"""

from __future__ import annotations

import argparse
import sys

from hpcarbon import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # misuse: bilingual, exit 2
        self.print_usage(sys.stderr)
        sys.stderr.write(f"hpcarbon: 命令用法错误 / usage error: {message}\n")
        raise SystemExit(EXIT_UNREADABLE)


def _add_output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("text", "json"), default="text", help="输出格式 output format")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="报告语言 report language")


def cmd_compute(args) -> int:
    from hpcarbon.declaration_io import load_json_declaration
    from hpcarbon.report import Report
    from hpcarbon.rules import check, make_context

    loaded = load_json_declaration(args.declaration)
    meta = {"file": args.declaration}
    if loaded.sha256:
        meta["sha256"] = loaded.sha256  # SPEC §10: every report carries the file's SHA-256
    if loaded.declaration is None:
        report = Report(findings=loaded.findings, meta=meta)
        _emit(report, args)
        return EXIT_UNREADABLE
    ctx = make_context(loaded.declaration)
    report = Report(findings=check(loaded.declaration, ctx), accounting=ctx.accounting,
                    declaration=loaded.declaration, meta=meta)
    _emit(report, args)
    return EXIT_FINDINGS if report.status == "fail" else EXIT_OK


def _emit(report, args) -> None:
    if args.format == "json":
        sys.stdout.write(report.to_json(args.lang) + "\n")
    else:
        sys.stdout.write(report.to_text(args.lang))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="hpcarbon", description="长春市热泵供暖碳普惠方法学（V01）核算与校验 / "
                     "Changchun heat-pump heating carbon-inclusion methodology V01: accounting and validation")
    parser.add_argument("--version", action="version", version=f"hpcarbon {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = sub.add_parser("compute", help="核算一份 JSON 申报 / account a JSON declaration")
    p.add_argument("declaration", help="申报 JSON 文件 / declaration JSON file")
    _add_output_options(p)
    p.set_defaults(func=cmd_compute)
    for register in _plugins():
        register(sub)
    return parser


def _plugins():
    """Commands that live with their subsystem (workbook template/fill, validator)."""
    out = []
    try:
        from hpcarbon.workbook import commands as wb
        out += [wb.add_template_parser, wb.add_fill_parser]
    except ImportError:
        pass
    try:
        from hpcarbon import validator_cli
        out.append(validator_cli.add_validate_parser)
    except ImportError:
        pass
    try:
        from hpcarbon.registry import commands as registry_commands
        out.append(registry_commands.add_registry_parser)
    except ImportError:
        pass
    from hpcarbon.service.command import add_serve_parser; out.append(add_serve_parser)  # noqa: E702
    return out


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        sys.stderr.write("已中断 / interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # the last guard: a bug must still answer bilingually, without a traceback
        sys.stderr.write(f"hpcarbon: 内部错误 / internal error: {type(exc).__name__}: {exc}\n")
        return EXIT_UNREADABLE


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
