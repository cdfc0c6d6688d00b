"""Annotated copies, kept in memory a limited time behind unguessable links (256 bits from :mod:`secrets`);
bounded in total bytes — the oldest go first. Nothing is written to disk."""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class Download:
    name: str
    data: bytes
    expires: float


class DownloadStore:
    def __init__(self, ttl_seconds: float, max_bytes: int, clock=time.monotonic):
        self.ttl, self.max_bytes, self.clock = ttl_seconds, max_bytes, clock
        self._items: OrderedDict[str, Download] = OrderedDict()
        self._bytes = 0

    def _drop(self, token: str) -> None:
        item = self._items.pop(token, None)
        if item is not None:
            self._bytes -= len(item.data)

    def _expire(self) -> None:
        now = self.clock()
        for token in [t for t, d in self._items.items() if d.expires <= now]:
            self._drop(token)

    def put(self, name: str, data: bytes) -> str:
        self._expire()
        while self._items and self._bytes + len(data) > self.max_bytes:
            self._drop(next(iter(self._items)))
        token = secrets.token_urlsafe(32)
        self._items[token] = Download(name, data, self.clock() + self.ttl)
        self._bytes += len(data)
        return token

    def get(self, token: str) -> Download | None:
        self._expire()
        return self._items.get(token)

    def __len__(self) -> int:
        return len(self._items)
