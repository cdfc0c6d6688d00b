"""Reading a declaration from its JSON interchange form (SPEC §11), with bilingual, located errors.

:func:`read_json` is the one way a JSON file is read (``compute``, ``fill``): one size limit and one
NaN/Infinity policy — JSON has no such numbers, but Python's parser reads them; they are kept as floats
(as is an integer too long for Python's int conversion, which JSON allows) and refused by the model *at
their field*, so the error says where (``monthly[2].electricity_kwh.air`` must be a finite number) rather
than only a line and column.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hpcarbon.admission import admit
from hpcarbon.errors import validation_findings
from hpcarbon.findings import Finding, finding
from hpcarbon.model import Declaration
from hpcarbon.privacy import declared_owner_personal

#: A declaration JSON larger than this is refused unread (a season is a few kB).
MAX_JSON_BYTES = 20 * 1024 * 1024
#: The sections of a declaration (SPEC §11): a JSON object with none of them is not a declaration at all.
SECTIONS = frozenset(Declaration.model_fields)


@dataclass(frozen=True)
class JsonFile:
    """A JSON file as read: its data, or why it cannot be read (zh, en); the SHA-256 of its bytes."""

    data: Any = None
    problem: tuple[str, str] | None = None
    sha256: str | None = None


def read_json(path: str | Path) -> JsonFile:
    """Read and parse a JSON file (UTF-8, BOM allowed; at most :data:`MAX_JSON_BYTES`). Never raises."""
    path = Path(path)
    try:
        if not path.is_file():
            return JsonFile(problem=(f"找不到文件 {path}", f"no such file {path}"))
        size = path.stat().st_size
        if size > MAX_JSON_BYTES:
            return JsonFile(problem=(f"文件过大（{size} 字节，上限 {MAX_JSON_BYTES}）",
                                     f"file too large ({size} bytes, limit {MAX_JSON_BYTES})"))
        raw = path.read_bytes()
    except OSError as exc:
        return JsonFile(problem=(f"无法打开文件：{exc.strerror}", f"cannot open the file: {exc.strerror}"))
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return JsonFile(problem=(f"不是 UTF-8 文本（第 {exc.start} 字节）", f"not UTF-8 text (byte {exc.start})"),
                        sha256=digest)
    try:
        return JsonFile(data=json.loads(text, parse_constant=float, parse_int=_json_int), sha256=digest)
    except ValueError as exc:
        where = f"{getattr(exc, 'lineno', '?')}:{getattr(exc, 'colno', '?')}"
        return JsonFile(problem=(f"JSON 格式错误（第 {where} 处）：{getattr(exc, 'msg', exc)}",
                                 f"malformed JSON at line:column {where}: {getattr(exc, 'msg', exc)}"), sha256=digest)
    except RecursionError:
        return JsonFile(problem=("JSON 嵌套过深", "JSON nested too deeply"), sha256=digest)


def _json_int(digits: str) -> int | float:
    """A JSON integer. One too long for Python's int conversion (more than ``sys.get_int_max_str_digits()``
    digits) is still valid JSON: it becomes the float it rounds to (±inf), refused by the model at its field."""
    try:
        return int(digits)
    except ValueError:
        return float(digits)


@dataclass
class Loaded:
    """A JSON declaration as loaded. ``readable`` False: not a declaration at all (exit 2). Otherwise
    ``findings`` are its field errors (exit 1 when any), ``declaration`` the strict model (None when a field
    is invalid) and ``draft``/``invalid`` what the accounting can still use (:mod:`hpcarbon.admission`)."""

    declaration: Declaration | None
    findings: list[Finding] = field(default_factory=list)
    sha256: str | None = None  # of the file's bytes, for the report (SPEC §10)
    draft: Declaration | None = None
    invalid: dict[str, str] = field(default_factory=dict)
    readable: bool = True
    #: an owner that is not a valid enterprise, as typed → masked (SPEC §10): the draft holds placeholders
    #: where the owner's fields are invalid, so they cannot be masked from it
    personal: dict[str, str] | None = None


def _unreadable(zh: str, en: str, sha256: str | None = None) -> Loaded:
    return Loaded(None, [finding("input.unreadable", reason=f"{zh} / {en}")], sha256=sha256, readable=False)


def load_json_declaration(path: str | Path) -> Loaded:
    read = read_json(path)
    if read.problem is not None:
        return _unreadable(*read.problem, sha256=read.sha256)
    loaded = declaration_from_data(read.data)
    loaded.sha256 = read.sha256
    return loaded


def declaration_from_data(data) -> Loaded:
    """A declaration from data as parsed from its JSON form (dicts, lists, str, numbers, bool, None).

    Validation is pydantic's *strict JSON* mode: the interchange format is a public contract, so
    ``true`` is not 1 kWh, ``"16000"`` is not a number and ``"yes"`` is not an affirmed statement;
    dates stay ISO strings and whole numbers are accepted for decimals.
    """
    if not isinstance(data, dict):
        return _unreadable("顶层应为对象（project、season …）", "the top level must be an object (project, season …)")
    if not SECTIONS & set(data):
        return _unreadable("不是申报：没有 project、season、systems、monthly 等任何一部分",
                           "not a declaration: none of its sections (project, season, systems, monthly …)")
    try:
        json.dumps(data, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError, RecursionError):
        return _unreadable("内容不是 JSON 数据", "the content is not JSON data")
    admitted = admit(data, strict_json=True)
    return Loaded(admitted.declaration, validation_findings(admitted.errors), draft=admitted.draft,
                  invalid=admitted.invalid, personal=_personal_texts(data))


def _personal_texts(data: dict) -> dict[str, str]:
    """Every text typed in the owner's fields → masked (:func:`hpcarbon.privacy.declared_owner_personal`)."""
    project = data.get("project")
    return declared_owner_personal(project.get("owner") if isinstance(project, dict) else None)
