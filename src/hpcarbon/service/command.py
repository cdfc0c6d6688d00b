"""``hpcarbon serve [--host HOST] [--port PORT] [--registry DB] [--workers N] [--limit NAME=VALUE]`` —
the validation service and the self-check page. This module imports nothing heavy: FastAPI, uvicorn and the
validator are imported when the command runs."""

from __future__ import annotations

import os
import sys

from hpcarbon.exit_codes import ExitCode
from hpcarbon.service import defaults


def add_serve_parser(sub) -> None:
    p = sub.add_parser("serve", help="启动校验服务与自查页面 / run the validation service and self-check page",
                       description="启动校验服务（HTTP API v1、/docs）与业主自查页面 / run the validation service "
                                   "(HTTP API v1, /docs) and the owners' self-check page")
    p.add_argument("--host", default=defaults.HOST, help="监听地址 / address to listen on (default %(default)s)")
    p.add_argument("--port", type=int, default=defaults.PORT, help="端口 / port (default %(default)s)")
    p.add_argument("--registry", metavar="DB", default=None,
                   help="申报登记簿（SQLite 路径或数据库 URL；默认环境变量 HPCARBON_REGISTRY，否则工作目录下的 "
                        "hpcarbon-registry.sqlite）/ registry database (SQLite path or URL; default $HPCARBON_REGISTRY, "
                        "else hpcarbon-registry.sqlite in the working directory)")
    p.add_argument("--no-registry", action="store_true",
                   help="不接登记簿，只提供自查 / no registry: self-check only (declaration endpoints answer 503)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="校验进程数（默认 CPU 核数）/ validation worker processes (default: CPU count)")
    p.add_argument("--queue", type=int, default=None, metavar="N",
                   help=f"排队与进行中的文件上限，超出答 429（默认 max({defaults.QUEUE_MIN}, {defaults.QUEUE_PER_WORKER} × 进程数））/ "
                        f"files queued or running at once; beyond it 429 (default max({defaults.QUEUE_MIN}, "
                        f"{defaults.QUEUE_PER_WORKER} × workers))")
    p.add_argument("--max-files", type=int, default=defaults.MAX_FILES, metavar="N",
                   help="每个请求的文件数上限，超出答 413 / files per request; beyond it 413 (default %(default)s)")
    p.add_argument("--max-request-mb", type=float, default=defaults.MAX_REQUEST_MB, metavar="MB",
                   help="每个请求的大小上限，超出答 413 / request size; beyond it 413 (default %(default)s)")
    p.add_argument("--limit", action="append", default=[], metavar="NAME=VALUE",
                   help="调整校验资源限制（同 hpcarbon validate）/ change a validator limit (as hpcarbon validate)")
    p.set_defaults(func=cmd_serve)


def cmd_serve(args) -> int:
    from hpcarbon.service.config import ServiceConfig
    from hpcarbon.validator.limits import DEFAULT_LIMITS

    try:
        limits = DEFAULT_LIMITS.with_overrides(args.limit)
    except ValueError as exc:
        sys.stderr.write(f"hpcarbon serve: {exc}\n")
        return ExitCode.UNREADABLE
    workers = args.workers or max(1, os.cpu_count() or 1)
    if workers < 1 or not 0 < args.port < 65536 or (args.queue is not None and args.queue < 1) \
            or args.max_files < 1 or args.max_request_mb <= 0:
        sys.stderr.write("hpcarbon serve: --workers、--queue、--max-files 应不小于 1，--max-request-mb 应大于 0，"
                         "--port 应在 1–65535 / --workers, --queue and --max-files must be at least 1, "
                         "--max-request-mb above 0, --port within 1–65535\n")
        return ExitCode.UNREADABLE
    config = ServiceConfig(workers=workers, queue_capacity=args.queue or defaults.queue_capacity(workers), limits=limits,
                           max_files=args.max_files, max_request_bytes=int(args.max_request_mb * defaults.BYTES_PER_MB),
                           tokens=ServiceConfig.tokens_from_env(), registry=None if args.no_registry else ServiceConfig.registry_from_env(args.registry))
    if config.registry is not None:
        problem = _open_registry(config.registry)
        if problem:
            sys.stderr.write(f"hpcarbon serve: {problem}\n")
            return ExitCode.UNREADABLE
    import uvicorn

    from hpcarbon.service.app import create_app

    sys.stderr.write(f"hpcarbon serve: http://{args.host}:{args.port}/ （自查页面 self-check page）  "
                     f"/docs （API）  workers={workers}  registry={'yes' if config.registry else 'no'}\n")
    uvicorn.run(create_app(config), host=args.host, port=args.port, access_log=False, log_level="warning",
                timeout_graceful_shutdown=10)
    return ExitCode.OK


def _open_registry(location: str) -> str | None:
    """Why the registry cannot be used (bilingual), or None; an absent SQLite file is created."""
    from hpcarbon.registry import Registry, RegistryError

    try:
        with Registry.open(location, create=True):
            return None
    except RegistryError as exc:
        return str(exc)
