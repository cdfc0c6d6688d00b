"""Turning pydantic validation errors into located, bilingual findings (never echoing the input)."""

from __future__ import annotations

from pydantic import ValidationError

from hpcarbon.findings import FORMAT_CLAUSE, Finding, finding
from hpcarbon.vocabulary import NO, NO_EN, STATEMENTS, YES, YES_EN

# pydantic error type → (zh, en); {placeholders} come from the error's ctx.
_REASONS: dict[str, tuple[str, str]] = {
    "missing": ("缺少必填字段", "required field is missing"),
    "extra_forbidden": ("不是申报格式中的字段", "is not a field of the declaration format"),
    "float_parsing": ("应为数字", "must be a number"),
    "float_type": ("应为数字", "must be a number"),
    "int_parsing": ("应为整数", "must be a whole number"),
    "int_type": ("应为整数", "must be a whole number"),
    "finite_number": ("应为有限的数字", "must be a finite number"),
    "bool_parsing": (f"应为 {YES}/{NO}（true/false）", f"must be {YES_EN}/{NO_EN} (true/false)"),
    "bool_type": (f"应为 {YES}/{NO}（true/false）", f"must be {YES_EN}/{NO_EN} (true/false)"),
    "date_parsing": ("应为日期，格式 YYYY-MM-DD", "must be a date, YYYY-MM-DD"),
    "date_from_datetime_parsing": ("应为日期，格式 YYYY-MM-DD", "must be a date, YYYY-MM-DD"),
    "date_from_datetime_inexact": ("应为日期（不含时间）", "must be a date without a time"),
    "date_type": ("应为日期，格式 YYYY-MM-DD", "must be a date, YYYY-MM-DD"),
    "string_type": ("应为文字", "must be text"),
    "string_too_short": ("不能为空", "must not be empty"),
    "string_too_long": ("过长（最多 {max_length} 个字符）", "is too long (at most {max_length} characters)"),
    "string_pattern_mismatch": ("格式不符（应为 {pattern}）", "has the wrong form (expected {pattern})"),
    "enum": ("取值不在允许范围内，应为：{expected}", "is not an allowed value; expected {expected}"),
    "greater_than": ("应大于 {gt}", "must be greater than {gt}"),
    "greater_than_equal": ("应不小于 {ge}", "must be at least {ge}"),
    "less_than": ("应小于 {lt}", "must be less than {lt}"),
    "less_than_equal": ("应不大于 {le}", "must be at most {le}"),
    "too_short": ("至少需要 {min_length} 项", "needs at least {min_length} entries"),
    "too_long": ("最多 {max_length} 项", "allows at most {max_length} entries"),
    "dict_type": ("应为对象（键值表）", "must be an object"),
    "list_type": ("应为列表", "must be a list"),
    "model_type": ("应为对象", "must be an object"),
    "model_attributes_type": ("应为对象", "must be an object"),
    "none_required": ("应为空", "must be empty"),
}

#: The clause each declaration field cites (longest prefix of its path wins; the rest cite FORMAT_CLAUSE) — one
#: table for a field error of a JSON declaration and of a workbook, and for the template's help texts.
FIELD_CLAUSES = {
    "project.id": "7.3.3",
    "project.name": "1",
    "project.address": "1",
    "project.district": "1",
    "project.operation_start": "5.3",
    "project.owner": "2.2",
    "project.statements": "2.3",
    **{f"project.statements.{s.key}": s.clause for s in STATEMENTS},
    "season": "5.2",
    "parameters": "7.1",
    "parameters.ef_heat": "表1",
    "parameters.ef_elec": "表3",
    "parameters.td_percent": "表4",
    "systems": "6.2.1",
    "systems.subtype": "2.1.1.1",
    "systems.heat_metered": "表5–表7",
    "systems.cop": "表8",
    "systems.electricity_meter": "表9–表11",
    "systems.heat_meter": "表5–表7",
    "total_heat_meter": "表5–表7",
    # a meter's verification date: kept and checked as records of the crediting period
    "systems.electricity_meter.verified_on": "7.3.2",
    "systems.heat_meter.verified_on": "7.3.2",
    "total_heat_meter.verified_on": "7.3.2",
    "monthly": "表5–表11",
    "monthly.electricity_kwh": "表9–表11",
    "monthly.heat_gj": "表5–表7",
    "monthly.total_heat_gj": "表5–表7",
    "monthly.heating_hours": "6.2.4.2",
    "monthly.outage_hours": "6.2.4.2",
    "monthly.extreme_weather": "表8",
    "areas": "6.2.2",
    "areas.building_type": "表2",
    "areas.energy_saving": "表2",
    "areas.q_w_per_m2": "6.2.4.1",  # never overestimate the heat index
    "areas.served_by": "6.2.3",
    "recheck": "6.2.3.2",
    "recheck.note": "6.2.3.3",
}


def path_of(loc: tuple) -> str:
    """pydantic loc → JSON path: ('monthly', 2, 'electricity_kwh', 'air') → monthly[2].electricity_kwh.air."""
    out = ""
    for part in loc:
        if part == "[key]":  # pydantic marks an invalid dict key; the key itself is already the last part
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def clause_of(path: str) -> str:
    """The methodology clause a field belongs to (for field-level findings)."""
    bare = ".".join(p.split("[")[0] for p in path.split("."))
    best = ""
    for prefix in FIELD_CLAUSES:
        if (bare == prefix or bare.startswith(prefix + ".")) and len(prefix) > len(best):
            best = prefix
    return FIELD_CLAUSES.get(best, FORMAT_CLAUSE)


def reason(err: dict) -> tuple[str, str]:
    kind = err.get("type", "")
    ctx = {k: (", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v) for k, v in (err.get("ctx") or {}).items()}
    if kind in _REASONS:
        zh, en = _REASONS[kind]
        try:
            return zh.format(**_in_chinese(ctx)), en.format(**ctx)
        except (KeyError, IndexError):
            return zh, en
    if kind == "value_error":  # our own model validators write "English / 中文"
        msg = str(err.get("msg", "")).removeprefix("Value error, ")
        en, _, zh = msg.partition(" / ")
        return (zh or en), en
    return "取值无效", str(err.get("msg", "invalid value"))


def _in_chinese(ctx: dict) -> dict:
    """pydantic's context for the Chinese message: a list of allowed values joined with 或, not "or"
    (pydantic writes ``'a', 'b' or 'c'``)."""
    expected = ctx.get("expected")
    if isinstance(expected, str) and " or " in expected:
        head, _, last = expected.rpartition(" or ")
        return {**ctx, "expected": f"{head} 或 {last}"}
    return ctx


def validation_findings(errors: ValidationError | list[dict]) -> list[Finding]:
    """Findings of pydantic's errors (a ValidationError or its ``errors()`` without the input values)."""
    if isinstance(errors, ValidationError):
        errors = errors.errors(include_url=False, include_input=False)
    out = []
    for err in errors:
        path = path_of(err.get("loc", ()))
        if err.get("type") == "missing":  # one code for a missing required field, JSON or workbook
            out.append(finding("field.required", path or None, clause=clause_of(path), field_label=path))
            continue
        zh, en = reason(err)
        out.append(finding("field.invalid", path or None, clause=clause_of(path), field_label=path,
                           reason_zh=zh, reason_en=en))
    return out
