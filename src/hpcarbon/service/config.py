"""Settings of ``hpcarbon serve`` — every limit of the service in one place, with the gate's limits."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from hpcarbon.service import defaults
from hpcarbon.validator.limits import DEFAULT_LIMITS, Limits

#: environment variable holding the API's bearer tokens, comma-separated
TOKENS_ENV = "HPCARBON_API_TOKENS"
#: environment variable naming the registry database when --registry is not given
REGISTRY_ENV = "HPCARBON_REGISTRY"
#: the embedded default registry: a SQLite file in the working directory
DEFAULT_REGISTRY_FILE = "hpcarbon-registry.sqlite"

#: worker processes of a config built without saying (the command defaults to the CPU count)
_WORKERS = 2


@dataclass(frozen=True)
class ServiceConfig:
    workers: int = _WORKERS
    #: files queued or being validated at once, all requests together; beyond it the service answers 429
    queue_capacity: int = defaults.queue_capacity(_WORKERS)
    #: files in one request (413 beyond)
    max_files: int = defaults.MAX_FILES
    #: bytes of one request body (413 beyond); each file is also held to limits.max_file_bytes
    max_request_bytes: int = defaults.MAX_REQUEST_MB * defaults.BYTES_PER_MB
    #: how long an annotated copy stays downloadable, and how many bytes of copies are kept at most
    download_ttl_seconds: float = 15 * 60
    download_store_bytes: int = 256 * 1024 * 1024
    #: address-space cap of each worker process (a hostile file gets a MemoryError, not the machine)
    worker_memory_bytes: int = 1536 * 1024 * 1024
    #: seconds a worker may overrun limits.timeout_seconds before the pool is killed and replaced
    grace_seconds: float = 10.0
    limits: Limits = DEFAULT_LIMITS
    tokens: tuple[str, ...] = field(default=(), repr=False)
    registry: str | None = None

    @staticmethod
    def tokens_from_env(environ=os.environ) -> tuple[str, ...]:
        return tuple(t.strip() for t in environ.get(TOKENS_ENV, "").split(",") if t.strip())

    @staticmethod
    def registry_from_env(value: str | None, environ=os.environ) -> str | None:
        chosen = value or environ.get(REGISTRY_ENV) or DEFAULT_REGISTRY_FILE
        return chosen if "://" in chosen else str(Path(chosen).resolve())
