"""`hpcarbon serve`'s defaults have one definition (service.defaults): the parser, its help and ServiceConfig
take them from there, and the queue the command gives N workers is the one ServiceConfig's default follows."""

from __future__ import annotations

import types

from hpcarbon.cli import build_parser
from hpcarbon.service import defaults
from hpcarbon.service.config import ServiceConfig


def _serve_help() -> str:
    parser = build_parser("serve")
    sub = next(a for a in parser._actions if a.dest == "command")
    return " ".join(sub.choices["serve"].format_help().split())


def test_the_help_shows_the_defaults_the_parser_uses(monkeypatch):
    text = _serve_help()
    assert "default 127.0.0.1" in text and "default 8000" in text and "default 20" in text and "default 64" in text
    assert "max(64, 16 × workers)" in text
    # changed in one place, the help follows
    monkeypatch.setattr(defaults, "PORT", 8123)
    monkeypatch.setattr(defaults, "MAX_FILES", 7)
    text = _serve_help()
    assert "default 8123" in text and "default 7)" in text and "default 8000" not in text


def test_service_config_and_the_parser_share_the_defaults():
    args = build_parser("serve").parse_args(["serve"])
    config = ServiceConfig()
    assert (args.host, args.port) == ("127.0.0.1", 8000)
    assert args.max_files == config.max_files == 20
    assert args.max_request_mb * 1024 * 1024 == config.max_request_bytes == 64 * 1024 * 1024
    assert config.queue_capacity == 64  # 2 workers: max(64, 32)


def test_the_command_gives_n_workers_the_default_queue(monkeypatch):
    """8 workers: max(64, 16 × 8) = 128 files; 2 workers: 64; --queue wins when given."""
    seen = []
    monkeypatch.setitem(__import__("sys").modules, "uvicorn", types.SimpleNamespace(run=lambda app, **kw: None))
    import hpcarbon.service.app as app_module

    monkeypatch.setattr(app_module, "create_app", lambda config: seen.append(config))
    parser = build_parser("serve")
    for argv, expected in ((["--workers", "8"], 128), (["--workers", "2"], 64), (["--workers", "8", "--queue", "5"], 5)):
        args = parser.parse_args(["serve", "--no-registry", *argv])
        assert args.func(args) == 0
        assert seen[-1].queue_capacity == expected
