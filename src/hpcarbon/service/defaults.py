"""Defaults of ``hpcarbon serve``, one definition each: :class:`~hpcarbon.service.config.ServiceConfig` and
the command's parser (and its help) take them from here. Imports nothing: the parser loads it at start-up."""

from __future__ import annotations

HOST = "127.0.0.1"
PORT = 8000
#: files in one request (413 beyond)
MAX_FILES = 20
#: size of one request body in MB (413 beyond)
MAX_REQUEST_MB = 64
BYTES_PER_MB = 1024 * 1024
#: files queued or being validated at once: at least QUEUE_MIN, QUEUE_PER_WORKER per worker process
QUEUE_MIN = 64
QUEUE_PER_WORKER = 16


def queue_capacity(workers: int) -> int:
    """The default queue for ``workers`` worker processes."""
    return max(QUEUE_MIN, QUEUE_PER_WORKER * workers)
