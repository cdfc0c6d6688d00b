"""Who may write: the bearer token of a write request (accept, withdraw), checked against the configured
tokens."""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Request

from hpcarbon.service.config import ServiceConfig
from hpcarbon.service.errors import ApiError


def require_token(request: Request, config: ServiceConfig) -> str:
    """The bearer token of a write request, compared in constant time with every configured token."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError("unauthorized", headers={"WWW-Authenticate": "Bearer"})
    given = token.strip().encode()
    ok = False
    for known in config.tokens:  # no early exit: the time does not say which token came close
        ok |= hmac.compare_digest(given, known.encode())
    if not ok:
        raise ApiError("forbidden")
    return hashlib.sha256(given).hexdigest()[:12]  # names the caller in records without revealing the token
