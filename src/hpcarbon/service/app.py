"""The ASGI application of ``hpcarbon serve`` (FastAPI on uvicorn).

Routes: the self-check page ``/`` (and ``POST /check``, which answers the page's form with the HTML report),
the API v1 under ``/api/v1`` (OpenAPI at ``/openapi.json``, Swagger UI at ``/docs`` served from the
``swagger-ui-py`` package's files — nothing from a CDN), ``/healthz``.

Status codes: 200 for a validation that ran, whatever its verdict (the verdict is in the report, as the
CLI's exit code is); 400 a malformed upload, 401/403 a missing/invalid token on a write endpoint, 404,
413 a request, a file or a file count over the limits, 415 not multipart / no upload is a workbook at
all, 422 a declaration refused by the registry's rules, 429 the validation queue full, 503 no registry.
"""

from __future__ import annotations

import asyncio
import hashlib
from contextlib import asynccontextmanager
from importlib import resources
from urllib.parse import quote

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from hpcarbon import __version__, methodology
from hpcarbon.findings import finding
from hpcarbon.html_report import environment, render_fragment
from hpcarbon.report import Report
from hpcarbon.service.accesslog import AccessLog
from hpcarbon.service.config import ServiceConfig
from hpcarbon.service.declarations import add_declaration_routes
from hpcarbon.service.downloads import DownloadStore
from hpcarbon.service.errors import ApiError
from hpcarbon.service.pool import ValidationPool
from hpcarbon.service.uploads import Upload, read_uploads
from hpcarbon.service.worker import UploadJob, UploadOutcome, render
from hpcarbon.validator.crossfile import cross_file_findings
from hpcarbon.workbook.commands import DEFAULT_TEMPLATE_NAME

#: codes of the container check meaning "this is not a workbook at all" (→ 415 when every upload is one)
NOT_A_WORKBOOK = {"file.not_xlsx", "file.legacy_xls", "file.empty"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["files"],
    "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"},
                             "description": "一个或多个申报工作簿 / one or more declaration workbooks (.xlsx)"}}}}}}}
_ERROR = {"description": "错误 / error: {\"error\": {\"code\", \"message_zh\", \"message_en\", \"message\"}}"}


class Service:
    """What the routes share: settings, the worker pool, the annotated copies, the blank template."""

    def __init__(self, config: ServiceConfig, pool: ValidationPool | None = None):
        self.config = config
        self.pool = pool or ValidationPool(config.workers, config.queue_capacity, config.grace_seconds,
                                           config.worker_memory_bytes)
        self.downloads = DownloadStore(config.download_ttl_seconds, config.download_store_bytes)
        self._template: bytes | None = None

    def template(self) -> bytes:
        if self._template is None:
            from hpcarbon.workbook.template import template_bytes

            self._template = template_bytes("zh")
        return self._template

    # --- validation ------------------------------------------------------------------------------------
    def failure_outcome(self, job: UploadJob, kind: str) -> UploadOutcome:
        """The answer for a file that stalled or killed its worker: still a report, with a finding."""
        f = (finding("file.timeout", seconds=job.limits.timeout_seconds) if kind == "timeout"
             else finding("service.worker_died")).located(None, None)
        sha = hashlib.sha256(job.data).hexdigest()
        report = Report([f], meta={"file": job.name, "template_version": None, "sha256": sha})
        data, view = render(report, job.name, job.name, job.lang, job.html, True)
        return UploadOutcome(job.index, job.name, data, view, None, None, report, True, job.name)

    async def validate(self, request: Request, files: list[Upload], annotate: bool, lang: str,
                       html: bool) -> list[UploadOutcome]:
        if not self.pool.reserve(len(files)):
            raise ApiError("busy", headers={"Retry-After": "5"})
        request.scope.setdefault("state", {})["files_validated"] = len(files)
        try:
            jobs = [UploadJob(i, f.name, f.data, self.config.limits, annotate, lang, html, self.config.registry)
                    for i, f in enumerate(files)]
            outcomes = list(await asyncio.gather(*(self.pool.run(j, self.failure_outcome) for j in jobs)))
        finally:
            self.pool.release(len(files))
        if len(outcomes) > 1:
            self._batch_checks(outcomes, lang, html)
        for o in outcomes:
            if o.annotated is not None:
                stem = o.name.rsplit(".", 1)[0] if "." in o.name else o.name
                token = self.downloads.put(f"{stem}.annotated.xlsx", o.annotated)
                url = f"/api/v1/annotated/{token}"
                o.json["annotated"] = url
                if o.view is not None:
                    o.view.update(annotated_url=url, annotated_name=f"{stem}.annotated.xlsx")
        return outcomes

    @staticmethod
    def _batch_checks(outcomes: list[UploadOutcome], lang: str, html: bool) -> None:
        """§7.3.3 / §6.2.4.3 across the files of one request, as ``hpcarbon validate`` does across a batch."""
        for i, found in cross_file_findings([o.season for o in outcomes]).items():
            o = outcomes[i]
            o.report.findings.extend(found)
            o.json, o.view = render(o.report, o.name, o.temp_path, lang, html, o.unreadable)


def _error_response(exc: ApiError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


def _lang(value: str) -> str:
    if value not in ("zh", "en"):
        raise ApiError("bad_parameter", {"name": "lang", "reason": "zh | en"})
    return value


def create_app(config: ServiceConfig, log_stream=None, service: Service | None = None):
    """The application, wrapped in the JSON-lines access log; ``.service`` and ``.fastapi`` for tests."""
    service = service or Service(config)

    @asynccontextmanager
    async def lifespan(app):
        await asyncio.to_thread(service.pool.start)
        yield
        await asyncio.to_thread(service.pool.shutdown)

    app = FastAPI(title="hpcarbon", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description=f"{methodology.NAME_ZH}申报工作簿校验服务 / validation service for the "
                              f"{methodology.NAME_EN} declaration workbooks")

    @app.exception_handler(ApiError)
    async def _api_error(request, exc: ApiError):
        if request.url.path == "/check":  # the page's form without JavaScript: an HTML answer
            return HTMLResponse(_page(service, error=exc.body()["error"]), status_code=exc.status, headers=exc.headers)
        return _error_response(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request, exc):
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "bad_parameter")
        err = ApiError(code, {"name": "request", "reason": str(exc.detail)})
        return JSONResponse(err.body(), status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request, exc):
        first = exc.errors()[0] if exc.errors() else {}
        name = ".".join(str(x) for x in first.get("loc", ())[1:]) or "request"
        return _error_response(ApiError("bad_parameter", {"name": name, "reason": first.get("msg", "")}))

    @app.exception_handler(Exception)
    async def _internal(request, exc):  # never a traceback to the client
        return _error_response(ApiError("internal"))

    # --- page ---------------------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page():
        return HTMLResponse(_page(service))

    @app.post("/check", response_class=HTMLResponse, include_in_schema=False)
    async def check(request: Request, fragment: int = 0):
        files, fields = await read_uploads(request, config)
        annotate = fields.get("annotate", "1") not in ("0", "", "off")
        outcomes = await service.validate(request, files, annotate=annotate, lang="zh", html=True)
        views = [o.view for o in outcomes]
        if fragment:
            return HTMLResponse(render_fragment(views))
        return HTMLResponse(_page(service, views=views))

    static = resources.files("hpcarbon.service") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    swagger = resources.files("swagger_ui") / "static"
    app.mount("/docs/assets", StaticFiles(directory=str(swagger)), name="swagger")

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    async def docs():
        return get_swagger_ui_html(openapi_url=app.openapi_url, title="hpcarbon API v1",
                                   swagger_js_url="/docs/assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs/assets/swagger-ui.css",
                                   swagger_favicon_url="/static/favicon.svg")

    # --- API v1 -------------------------------------------------------------------------------------------
    @app.get("/healthz", tags=["service"], summary="健康检查 / health")
    async def healthz():
        return {"status": "ok", "version": __version__, "workers": service.pool.workers,
                "queue": {"capacity": service.pool.capacity, "in_flight": service.pool.in_flight},
                "registry": config.registry is not None}

    @app.get("/api/v1/template", tags=["self-check"], summary="空白申报表模板 / the blank declaration template",
             response_class=Response, responses={200: {"content": {XLSX: {}}}})
    async def template():
        data = await asyncio.to_thread(service.template)
        return Response(data, media_type=XLSX,
                        headers={"Content-Disposition": f"attachment; filename={DEFAULT_TEMPLATE_NAME}"})

    @app.post("/api/v1/validate", tags=["self-check"], openapi_extra=_UPLOAD_BODY,
              summary="校验工作簿 / validate workbooks",
              description="返回与 `hpcarbon validate --format json` 相同的报告对象（数组，按上传顺序）；"
                          "annotate=1 时每份报告的 `annotated` 为标注副本的限时下载链接。/ The same report objects "
                          "as `hpcarbon validate --format json` (an array, in upload order); with annotate=1 each "
                          "report's `annotated` is a time-limited link to its annotated copy.",
              responses={400: _ERROR, 413: _ERROR, 415: _ERROR, 429: _ERROR})
    async def validate(request: Request, annotate: int = Query(0, ge=0, le=1), lang: str = "zh"):
        files, _ = await read_uploads(request, config)
        outcomes = await service.validate(request, files, annotate=bool(annotate), lang=_lang(lang), html=False)
        reports = [o.json for o in outcomes]
        if all(o.unreadable and {f.code for f in o.report.findings} & NOT_A_WORKBOOK for o in outcomes):
            raise ApiError("not_a_workbook", extra={"reports": reports})
        return JSONResponse(reports)

    @app.get("/api/v1/annotated/{token}", tags=["self-check"], response_class=Response,
             summary="下载标注副本 / download an annotated copy", responses={200: {"content": {XLSX: {}}}, 404: _ERROR})
    async def annotated(token: str):
        item = service.downloads.get(token)
        if item is None:
            raise ApiError("link_expired")
        return Response(item.data, media_type=XLSX, headers={
            "Content-Disposition": f"attachment; filename=annotated.xlsx; filename*=UTF-8''{quote(item.name)}",
            "Cache-Control": "no-store"})

    add_declaration_routes(app, service, _ERROR, _UPLOAD_BODY)

    wrapped = AccessLog(app, log_stream)
    wrapped.service, wrapped.fastapi = service, app
    return wrapped


def _page(service: Service, views: list[dict] | None = None, error: dict | None = None) -> str:
    cfg = service.config
    return environment().get_template("page.html.j2").render(
        views=views or [], error=error, trace_open=False, max_files=cfg.max_files, template_name=DEFAULT_TEMPLATE_NAME,
        max_file_mb=round(cfg.limits.max_file_bytes / 1024 / 1024, 1))
