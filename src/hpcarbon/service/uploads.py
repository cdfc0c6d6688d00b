"""Reading uploaded workbooks from a multipart request, in memory, within the service's limits: the body is
refused (413) as soon as it exceeds ``max_request_bytes`` — by its Content-Length before anything is read, or
while it streams in — and so is a request with too many files or a file over the gate's ``max_file_bytes``."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from hpcarbon.service.config import ServiceConfig
from hpcarbon.service.errors import ApiError


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise ApiError("request_too_large", {"limit": limit})
        except ValueError:
            raise ApiError("bad_multipart", {"reason": "Content-Length"}) from None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError("request_too_large", {"limit": limit})
        chunks.append(chunk)
    return b"".join(chunks)


async def read_uploads(request: Request, config: ServiceConfig) -> tuple[list[Upload], dict[str, str]]:
    """The uploaded files, in order, and the form's text fields."""
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise ApiError("not_multipart")
    body = await read_body(request, config.max_request_bytes)

    async def replay():
        yield body

    parser = MultiPartParser(request.headers, replay(), max_files=config.max_files + 1, max_fields=50)
    parser.spool_max_size = config.max_request_bytes  # the body is in memory already: no spill to disk
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        if "files" in str(exc).lower():
            raise ApiError("too_many_files", {"limit": config.max_files}) from None
        raise ApiError("bad_multipart", {"reason": str(exc)[:200]}) from None
    files, fields = [], {}
    try:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                data = await value.read()
                if not data and not value.filename:
                    continue  # an empty file input of a browser form
                files.append(Upload(_plain_name(value.filename), data))
            else:
                fields[key] = value
    finally:
        await form.close()
    if len(files) > config.max_files:
        raise ApiError("too_many_files", {"limit": config.max_files})
    if not files:
        raise ApiError("no_files")
    for f in files:
        if len(f.data) > config.limits.max_file_bytes:
            raise ApiError("file_too_large", {"name": f.name, "limit": config.limits.max_file_bytes})
    return files, fields


def _plain_name(filename: str | None) -> str:
    """The last part of a client's file name (browsers may send a path), or a stand-in."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:200] or "upload.xlsx"
