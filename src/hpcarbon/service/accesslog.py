"""Access log as JSON lines: method, path (query string dropped: it may name a project), status, duration,
bytes in and out, files validated. Never a file name, a client address, a token or any content of a file."""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime, timezone


class AccessLog:
    """ASGI middleware writing one JSON line per request to ``stream``."""

    def __init__(self, app, stream=None):
        self.app = app
        self.stream = stream or sys.stderr

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        seen = {"status": 500, "out": 0, "in": 0}
        scope.setdefault("state", {})

        async def counting_receive():
            message = await receive()
            if message["type"] == "http.request":
                seen["in"] += len(message.get("body", b""))
            return message

        async def counting_send(message):
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
            elif message["type"] == "http.response.body":
                seen["out"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, counting_receive, counting_send)
        finally:
            path = scope.get("path", "")
            if path.startswith("/api/v1/annotated/"):
                path = "/api/v1/annotated/…"  # the link is the secret: never logged
            record = {"ts": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
                      "method": scope.get("method"), "path": path, "status": seen["status"],
                      "ms": round((time.perf_counter() - started) * 1000, 1), "bytes_in": seen["in"],
                      "bytes_out": seen["out"]}
            files = scope["state"].get("files_validated")
            if files is not None:
                record["files"] = files
            try:
                self.stream.write(json.dumps(record, ensure_ascii=False) + "\n")
                self.stream.flush()
            except (OSError, ValueError):
                pass
