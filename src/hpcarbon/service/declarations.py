"""The registry's endpoints: accept a declaration (validated in a worker process, recorded by the registry,
issue 11), list, show, withdraw. Without a configured registry each answers 503 ``registry_not_configured``."""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import Query, Request
from fastapi.responses import JSONResponse

from hpcarbon.service.auth import require_token
from hpcarbon.service.errors import ApiError
from hpcarbon.service.uploads import read_uploads
from hpcarbon.service.worker import WORKBOOK_SUFFIXES, UploadJob, render


if TYPE_CHECKING:
    from hpcarbon.registry import OutcomeStatus


@dataclass(frozen=True)
class AcceptJob(UploadJob):
    operator: str = ""


@dataclass(frozen=True)
class AcceptAnswer:
    """What a worker made of an upload to accept: the registry's outcome (status, the declaration's id, the
    JSON report); or why there is none — the registry could not be used, or the file stalled or killed its
    worker (``failed``: "timeout" | "died")."""

    status: OutcomeStatus | None = None
    declaration_id: int | None = None
    report: dict | None = None
    registry_error: str | None = None
    failed: str | None = None


def run_accept(job: AcceptJob) -> AcceptAnswer:
    """In a worker: the registry's ``accept`` of the upload; the private folder is gone afterwards (the
    registry keeps its own archived copy of an accepted file)."""
    # the registry (SQLAlchemy) loads only where one is configured: `serve --no-registry` runs without it
    from hpcarbon.registry import OutcomeStatus, Registry, RegistryError

    root = Path(tempfile.mkdtemp(prefix="hpcarbon-accept-"))
    try:
        suffix = Path(job.name).suffix.lower()
        path = root / ("upload" + (suffix if suffix in WORKBOOK_SUFFIXES else ".xlsx"))
        path.write_bytes(job.data)
        try:
            with Registry.open(job.registry) as reg:
                outcome = reg.accept(path, operator=job.operator, file_name=job.name)
        except RegistryError as exc:
            return AcceptAnswer(registry_error=str(exc))
        name = outcome.report.mask(job.name)
        data, _ = render(outcome.report, name, str(path), job.lang, False, outcome.status is OutcomeStatus.UNREADABLE)
        return AcceptAnswer(outcome.status, outcome.declaration_id, data)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def add_declaration_routes(app, service, error_doc: dict, upload_body: dict) -> None:
    config = service.config

    def registry():
        if config.registry is None:
            raise ApiError("registry_not_configured")
        return config.registry

    def _open():
        from hpcarbon.registry import Registry

        return Registry.open(registry())

    @app.post("/api/v1/declarations", tags=["registry"], openapi_extra=upload_body, status_code=201,
              summary="校验并受理申报 / validate and accept a declaration (bearer token)",
              description="与 `hpcarbon registry accept` 相同的规则；一次一个工作簿。201 受理，200 同一文件已受理过，"
                          "422 未通过（附报告）。/ The rules of `hpcarbon registry accept`; one workbook. 201 "
                          "accepted, 200 the same file was accepted before, 422 refused (with its report).",
              responses={401: error_doc, 403: error_doc, 413: error_doc, 422: error_doc, 429: error_doc,
                         503: error_doc})
    async def accept(request: Request, lang: str = "zh"):
        operator = require_token(request, config)
        location = registry()
        files, fields = await read_uploads(request, config)
        if len(files) != 1:
            raise ApiError("too_many_files", {"limit": 1})
        if not service.pool.reserve(1):
            raise ApiError("busy", headers={"Retry-After": "5"})
        try:
            job = AcceptJob(0, files[0].name, files[0].data, config.limits, lang=lang, registry=location,
                            operator=f"api:{operator}")
            out = await service.pool.run(job, lambda j, kind: AcceptAnswer(failed=kind), fn=run_accept)
        finally:
            service.pool.release(1)
        from hpcarbon.registry import OutcomeStatus

        if out.failed:
            failed = service.failure_outcome(job, out.failed)
            raise ApiError("declaration_rejected", extra={"status": OutcomeStatus.UNREADABLE.value,
                                                           "report": failed.json})
        if out.registry_error is not None:
            raise ApiError("bad_parameter", {"name": "registry", "reason": out.registry_error})
        body = {"id": out.declaration_id, "status": out.status.value, "report": out.report}
        if out.status is OutcomeStatus.ACCEPTED:
            return JSONResponse(body, status_code=201,
                                headers={"Location": f"/api/v1/declarations/{out.declaration_id}"})
        if out.status is OutcomeStatus.ALREADY:
            return JSONResponse(body, status_code=200)
        raise ApiError("declaration_rejected", extra={"status": out.status.value, "report": out.report})

    @app.get("/api/v1/declarations", tags=["registry"], summary="申报列表 / list declarations",
             responses={503: error_doc})
    async def list_declarations(project: str | None = Query(None, max_length=200),
                                status: str | None = Query(None, max_length=40)):
        registry()

        def read():
            with _open() as reg:
                return [s.to_dict() for s in reg.list(project=project, status=status)]

        return JSONResponse(_jsonable(await asyncio.to_thread(read)))

    @app.get("/api/v1/declarations/{declaration_id}", tags=["registry"], summary="申报详情 / one declaration",
             responses={404: error_doc, 503: error_doc})
    async def show_declaration(declaration_id: int, lang: str = "zh"):
        registry()

        def read():
            with _open() as reg:
                return reg.show(declaration_id, lang=lang)

        found = await asyncio.to_thread(read)
        if found is None:
            raise ApiError("not_found")
        return JSONResponse(_jsonable(found))

    @app.post("/api/v1/declarations/{declaration_id}/withdraw", tags=["registry"],
              summary="撤回申报 / withdraw a declaration (bearer token)",
              responses={401: error_doc, 403: error_doc, 404: error_doc, 503: error_doc})
    async def withdraw(request: Request, declaration_id: int):
        operator = require_token(request, config)
        registry()
        try:
            payload = await request.json()
        except ValueError:
            payload = None
        reason = payload.get("reason") if isinstance(payload, dict) else None
        if not isinstance(reason, str) or not reason.strip():
            raise ApiError("bad_parameter", {"name": "reason", "reason": "JSON {\"reason\": \"…\"}"})

        def write():
            from hpcarbon.registry import RegistryError

            with _open() as reg:
                if reg.show(declaration_id) is None:
                    return None
                try:
                    return reg.withdraw(declaration_id, reason, operator=f"api:{operator}")
                except RegistryError as exc:
                    return str(exc)

        event = await asyncio.to_thread(write)
        if event is None:
            raise ApiError("not_found")
        if isinstance(event, str):
            raise ApiError("bad_parameter", {"name": "declaration", "reason": event})
        return {"id": declaration_id, "status": "withdrawn", "event": event}


def _jsonable(value):
    """Dates and the like as ISO text (the registry's summaries hold date objects)."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))
