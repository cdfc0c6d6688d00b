"""The ``hpcarbon validate`` command's parser. It is built on every ``hpcarbon --help``, so this module
imports nothing; the command itself is :mod:`hpcarbon.validator_cli`, imported when it runs."""

from __future__ import annotations


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



def cmd_validate(args) -> int:
    from hpcarbon.cli import implementation_imports

    with implementation_imports():
        from hpcarbon.validator_cli import cmd_validate as run

    return run(args)
