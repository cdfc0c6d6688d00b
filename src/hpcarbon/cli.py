"""The ``hpcarbon`` command: compute, template, fill, validate (and what other subsystems register).

Exit status: :mod:`hpcarbon.exit_codes`. Every message a user sees is bilingual; no traceback reaches
the terminal. Start-up stays light: each subcommand's parser module imports nothing heavy at its top (no
openpyxl, validator, database or web framework); the implementation is imported when the command runs.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import sys
import types

from hpcarbon import __version__, methodology
from hpcarbon.exit_codes import ExitCode

#: command → (module, function) adding its parser to argparse's subparsers. A subsystem registers its
#: command with one line here; the module must import nothing heavy at its top. Only the parser of the
#: command being run is built (``hpcarbon --help`` builds them all), so one command never pays for the
#: others' modules.
PARSERS = {
    "compute": ("hpcarbon.cli", "add_compute_parser"),
    "template": ("hpcarbon.workbook.commands", "add_template_parser"),
    "fill": ("hpcarbon.workbook.commands", "add_fill_parser"),
    "validate": ("hpcarbon.validate_command", "add_validate_parser"),
    "registry": ("hpcarbon.registry.commands", "add_registry_parser"),
    "serve": ("hpcarbon.service.command", "add_serve_parser"),
}

#: Set before pydantic is imported: the declaration model validates exactly as written here, whatever
#: other packages of the environment register as pydantic plugins (which may hook validation); and the
#: command does not scan every installed distribution's entry points at start-up to find them.
PYDANTIC_PLUGINS_OFF = ("PYDANTIC_DISABLE_PLUGINS", "__all__")
#: pydantic's plugin loader; its ``get_plugins()`` answers ``()`` when plugins are off.
PYDANTIC_PLUGIN_LOADER = "pydantic.plugin._loader"


def pydantic_without_plugins() -> None:
    """Turn pydantic plugins off for this process, before pydantic is imported.

    With plugins off, pydantic's loader answers "no plugins" from the environment variable alone, but
    the loader module imports ``importlib.metadata`` (and with it email, zipfile, csv …) at its top,
    tens of milliseconds of every start. The loader is therefore given in its
    plugins-off form: a module whose ``get_plugins()`` returns ``()``, as the real one does then
    (``tests/test_startup.py`` holds the two to the same answer). If pydantic has already loaded
    the real loader, it is left as it is."""
    os.environ.update([PYDANTIC_PLUGINS_OFF])
    if PYDANTIC_PLUGIN_LOADER not in sys.modules:
        loader = types.ModuleType(PYDANTIC_PLUGIN_LOADER, "pydantic plugins are off (hpcarbon.cli)")
        loader.get_plugins = tuple
        sys.modules[PYDANTIC_PLUGIN_LOADER] = loader


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # misuse: bilingual, exit 2
        self.print_usage(sys.stderr)
        sys.stderr.write(f"hpcarbon: 命令用法错误 / usage error: {message}\n")
        raise SystemExit(ExitCode.UNREADABLE)


def add_output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("text", "json"), default="text", help="输出格式 output format")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="报告语言 report language")


def add_compute_parser(sub) -> None:
    p = sub.add_parser("compute", help="核算一份 JSON 申报 / account a JSON declaration")
    p.add_argument("declaration", help="申报 JSON 文件 / declaration JSON file")
    add_output_options(p)
    p.set_defaults(func=cmd_compute)


@contextlib.contextmanager
def implementation_imports():
    """Around the imports of a command's implementation. Their objects (modules, classes, pydantic's
    schemas) live as long as the process, so the cyclic garbage collector is paused while they are made —
    it would only walk them again and again — and they are then frozen out of later collections,
    the last one at exit included (``gc.freeze``). Collection resumes for the command's own work. Where
    they were already imported (a second command in one process), nothing is frozen."""
    modules, enabled = len(sys.modules), gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if len(sys.modules) > modules:
            gc.freeze()
        if enabled:
            gc.enable()


def cmd_compute(args) -> int:
    """Exit 2 when the file is not a declaration at all; 1 with its findings when fields are invalid or
    rules broken — the results are still computed as far as their own inputs allow."""
    with implementation_imports():
        from hpcarbon.declaration_io import load_json_declaration
        from hpcarbon.judgement import judge_loaded
        from hpcarbon.model import Declaration
        from hpcarbon.report import Verdict

        Declaration.model_rebuild()  # its validator (built on first use) is start-up too: made here, then frozen

    loaded = load_json_declaration(args.declaration)
    meta = {"file": args.declaration}
    if loaded.sha256:
        meta["sha256"] = loaded.sha256  # SPEC §10: every report carries the file's SHA-256
    report = judge_loaded(loaded, meta)
    _emit(report, args)
    if not loaded.readable:
        return ExitCode.UNREADABLE
    return ExitCode.FINDINGS if report.status is Verdict.FAIL else ExitCode.OK


def _emit(report, args) -> None:
    if args.format == "json":
        sys.stdout.write(report.to_json(args.lang) + "\n")
    else:
        sys.stdout.write(report.to_text(args.lang))


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser: every subcommand's in full, or, given ``command``, that one's in full
    and the others by name only (enough for argparse to dispatch and to list them in a usage error)."""
    parser = _Parser(prog="hpcarbon", description=f"{methodology.NAME_ZH}核算与校验 / "
                     f"{methodology.NAME_EN}: accounting and validation")
    parser.add_argument("--version", action="version", version=f"hpcarbon {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, (module, function) in PARSERS.items():
        if command in (None, name):
            getattr(importlib.import_module(module), function)(sub)
        else:
            sub.add_parser(name)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    pydantic_without_plugins()
    try:
        args = build_parser(argv[0] if argv and argv[0] in PARSERS else None).parse_args(argv)
        return args.func(args)
    except KeyboardInterrupt:
        sys.stderr.write("已中断 / interrupted\n")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        return ExitCode.OK
    except Exception as exc:  # the last guard: a bug must still answer bilingually, without a traceback
        sys.stderr.write(f"hpcarbon: 内部错误 / internal error: {type(exc).__name__}: {exc}\n")
        return ExitCode.UNREADABLE


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
