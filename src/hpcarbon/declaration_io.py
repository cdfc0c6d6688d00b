"""Reading a declaration from its JSON interchange form (SPEC §11), with bilingual, located errors."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from hpcarbon.errors import validation_findings
from hpcarbon.findings import Finding, finding
from hpcarbon.model import Declaration

#: A declaration JSON larger than this is refused unread (a season is a few kB).
MAX_JSON_BYTES = 20 * 1024 * 1024


@dataclass
class Loaded:
    declaration: Declaration | None
    findings: list[Finding] = field(default_factory=list)  # why it could not be read
    sha256: str | None = None  # of the file's bytes, for the report (SPEC §10)


def _unreadable(zh: str, en: str) -> Loaded:
    return Loaded(None, [finding("input.unreadable", reason=f"{zh} / {en}")])


def load_json_declaration(path: str | Path) -> Loaded:
    path = Path(path)
    try:
        if not path.is_file():
            return _unreadable(f"找不到文件 {path}", f"no such file {path}")
        size = path.stat().st_size
        if size > MAX_JSON_BYTES:
            return _unreadable(f"文件过大（{size} 字节，上限 {MAX_JSON_BYTES}）", f"file too large ({size} bytes, limit {MAX_JSON_BYTES})")
        raw = path.read_bytes()
    except OSError as exc:
        return _unreadable(f"无法打开文件：{exc.strerror}", f"cannot open the file: {exc.strerror}")
    loaded = _parse(raw)
    loaded.sha256 = hashlib.sha256(raw).hexdigest()
    return loaded


def _parse(raw: bytes) -> Loaded:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return _unreadable(f"不是 UTF-8 文本（第 {exc.start} 字节）", f"not UTF-8 text (byte {exc.start})")
    try:
        # NaN / Infinity are read here and refused by the model at their field, so the error has a path
        data = json.loads(text, parse_constant=float)
    except ValueError as exc:
        where = f"{getattr(exc, 'lineno', '?')}:{getattr(exc, 'colno', '?')}"
        return _unreadable(f"JSON 格式错误（第 {where} 处）：{getattr(exc, 'msg', exc)}",
                           f"malformed JSON at line:column {where}: {getattr(exc, 'msg', exc)}")
    except RecursionError:
        return _unreadable("JSON 嵌套过深", "JSON nested too deeply")
    return declaration_from_data(data)


def declaration_from_data(data) -> Loaded:
    """A declaration from data as parsed from its JSON form (dicts, lists, str, numbers, bool, None).

    Validation is pydantic's *strict JSON* mode: the interchange format is a public contract, so
    ``true`` is not 1 kWh, ``"16000"`` is not a number and ``"yes"`` is not an affirmed statement;
    dates stay ISO strings and whole numbers are accepted for decimals.
    """
    if not isinstance(data, dict):
        return _unreadable("顶层应为对象（project、season …）", "the top level must be an object (project, season …)")
    try:
        text = json.dumps(data, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError, RecursionError):
        return _unreadable("内容不是 JSON 数据", "the content is not JSON data")
    try:
        return Loaded(Declaration.model_validate_json(text, strict=True))
    except ValidationError as exc:
        return Loaded(None, validation_findings(exc))
