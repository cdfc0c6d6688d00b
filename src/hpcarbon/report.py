"""A report = findings + accounting + metadata, rendered as text or JSON (SPEC §9 display rounding).

Personal data of individual owners is masked here and nowhere later (SPEC §10).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from hpcarbon.accounting import Accounting, at_or_under
from hpcarbon.findings import GJ_DECIMALS, SEVERITY_LABEL, T_DECIMALS, Finding, Severity, counts, percent_text
from hpcarbon.formulas import DEVIATION_RECHECK_THRESHOLD
from hpcarbon.model import Declaration, OwnerType
from hpcarbon.privacy import mask_id, mask_name, mask_phone, mask_value, merge_personal, owner_personal

RESULT_KEYS = ("heat_supplied_gj", "heat_elec_method_gj", "heat_area_method_gj", "deviation", "method",
               "heat_by_type_gj", "baseline_emissions_t", "project_emissions_t", "emission_reductions_t",
               "creditable_reductions_t", "crediting_period_end", "records_keep_until")
#: Further result keys the JSON carries besides the contract's; ``unavailable`` maps each result that is
#: null to the inputs it lacks ({code, field}: the finding reporting each of them).
EXTRA_RESULT_KEYS = ("estimate_basis", "heating_hours", "electricity_kwh", "electricity_by_type_kwh",
                     "crediting_period_start", "parameter_version", "unavailable")

#: Between one file's text report and the next (in input order) when a batch is printed as text.
TEXT_SEPARATOR = "\n" + "=" * 72 + "\n"

_T = {
    "zh": {"pass": "通过", "fail": "未通过", "verdict": "结论", "results": "核算结果", "findings": "发现的问题",
           "trace": "计算过程", "none": "无", "not_computable": "无法核算（见下方错误）", "lacking": "无法核算，缺少：",
           "project": "项目",
           "season": "供暖期", "owner": "业主", "file": "文件", "counts": "错误 {error}，警告 {warning}，提示 {info}",
           "general": "（整体）"},
    "en": {"pass": "PASS", "fail": "FAIL", "verdict": "Verdict", "results": "Results", "findings": "Findings",
           "trace": "Calculation trace", "none": "none", "not_computable": "cannot be computed (see the errors below)",
           "lacking": "cannot be computed, lacking:",
           "project": "Project", "season": "Season", "owner": "Owner", "file": "File",
           "counts": "{error} errors, {warning} warnings, {info} infos", "general": "(general)"},
}

_RESULT_LABELS = {
    "heat_supplied_gj": ("供热量 Q", "heat supplied Q", "GJ", GJ_DECIMALS),
    "heat_elec_method_gj": ("电算法 Q电", "electricity method Q_elec", "GJ", GJ_DECIMALS),
    "heat_area_method_gj": ("面积法 Q面", "area method Q_area", "GJ", GJ_DECIMALS),
    "deviation": ("两法偏差 d", "deviation d", "%", 1),
    "method": ("供热量取值方式", "how heat is known", "", None),
    "heat_by_type_gj": ("各类型供热量", "heat by type", "GJ", GJ_DECIMALS),
    "baseline_emissions_t": ("基准线排放 BE", "baseline emissions BE", "t CO2", T_DECIMALS),
    "project_emissions_t": ("项目排放 PE", "project emissions PE", "t CO2", T_DECIMALS),
    "emission_reductions_t": ("减排量 ER", "emission reductions ER", "t CO2", T_DECIMALS),
    "creditable_reductions_t": ("可签发减排量", "creditable reductions", "t CO2", T_DECIMALS),
    "crediting_period_end": ("计入期截止", "crediting period ends", "", None),
    "records_keep_until": ("台账保存至", "records kept until", "", None),
}
_METHOD = {"metered": ("热量表计量", "metered"), "estimated": ("估算", "estimated"), "mixed": ("计量与估算混合", "mixed"),
           "electricity": ("电算法", "electricity method"), "area": ("面积法", "area method")}


def owner_summary(decl: Declaration, invalid: frozenset[str] = frozenset()) -> dict:
    """Owner as it may appear in a report: an individual's name, ID and phone masked (SPEC §10); a field the
    validation refused (a placeholder stands there) is None."""
    o = decl.project.owner
    if o.type is OwnerType.individual:
        out = {"type": o.type.value, "name": mask_name(o.name), "id_number": mask_id(o.id_number),
               "phone": mask_phone(o.phone)}
    else:
        out = {"type": o.type.value, "name": o.name, "id_number": o.id_number, "phone": o.phone}
    for key in out:
        if any(p in ("project.owner", f"project.owner.{key}") for p in invalid):
            out[key] = None
    return out


class Verdict(StrEnum):
    """A report's verdict: any error finding fails it (its text is what the JSON and text outputs carry)."""

    PASS = "pass"
    FAIL = "fail"


@dataclass
class Report:
    findings: list[Finding]
    accounting: Accounting | None = None
    declaration: Declaration | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # file, sha256, template_version …
    #: an individual owner's name, ID and phone as typed → masked; None: taken from the declaration. Every
    #: rendered string but the file's own path and hash goes through it (a project named after its owner,
    #: a name echoed by a finding), so personal data never leaves unmasked (SPEC §10)
    personal: dict[str, str] | None = None
    #: fields the validation refused: ``declaration`` then holds placeholders there (:mod:`hpcarbon.admission`),
    #: which are never shown as declared values
    invalid_fields: frozenset[str] = frozenset()

    def personal_texts(self) -> dict[str, str]:
        if self.declaration is None:
            return merge_personal(self.personal or {})  # as typed
        o = self.declaration.project.owner  # as the model normalised it (trimmed, an ID's x upper-cased)
        return merge_personal(self.personal or {},
                              owner_personal(o.type is OwnerType.individual, o.name, o.id_number, o.phone))

    def mask(self, value: Any, personal: dict[str, str] | None = None) -> Any:
        """``value`` with personal data masked (:func:`hpcarbon.privacy.mask_text`): strings, and the
        strings inside lists and dicts. Resident IDs and mobile numbers are masked whatever the owner type."""
        return mask_value(value, self.personal_texts() if personal is None else personal)

    def _declared(self, path: str):
        """A header value of the declaration as declared; None where the field was refused (a placeholder)."""
        if any(at_or_under(path, p) for p in self.invalid_fields):
            return None
        value = self.declaration
        for part in path.split("."):
            value = getattr(value, part)
        return value

    @property
    def status(self) -> Verdict:
        return Verdict.FAIL if any(f.severity is Severity.error for f in self.findings) else Verdict.PASS

    def results_dict(self) -> dict | None:
        if self.accounting is None or self.accounting.results is None:
            return None
        full = self.accounting.results.to_dict()
        return {k: full[k] for k in RESULT_KEYS + EXTRA_RESULT_KEYS}

    def to_dict(self, lang: str = "zh") -> dict:
        out = dict(self.meta)
        if self.declaration is not None:
            shown = self._declared
            out["project"] = {"id": shown("project.id"), "name": shown("project.name"),
                              "owner": owner_summary(self.declaration, self.invalid_fields)}
            out["season"] = {k: _iso(shown(f"season.{k}")) for k in ("start", "end")}
        out.update({
            "status": self.status.value,
            "counts": counts(self.findings),
            "results": self.results_dict(),
            "findings": [f.to_dict(lang) for f in self.findings],
            "trace": [s.to_dict() for s in self.accounting.trace] if self.accounting else [],
        })
        personal = self.personal_texts()  # resident IDs and mobile numbers are masked even without
        out = {k: v if k in _OWN_KEYS else self.mask(v, personal) for k, v in out.items()}
        return out

    def to_json(self, lang: str = "zh", indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(lang), ensure_ascii=False, indent=indent, allow_nan=False)

    def to_text(self, lang: str = "zh") -> str:
        t = _T[lang]
        c = counts(self.findings)
        lines = [f"{t['verdict']}: {t[self.status]} — {t['counts'].format(**c)}"]
        file_line = None
        if "file" in self.meta:
            file_line = f"{t['file']}: {self.meta['file']}" + (f"  sha256 {self.meta['sha256']}" if "sha256" in self.meta else "")
            lines.append(file_line)
        if self.declaration is not None:
            d = self.declaration
            owner = owner_summary(d, self.invalid_fields)
            lines.append(f"{t['project']}: {self._declared('project.id') or '—'} {self._declared('project.name') or '—'}")
            lines.append(f"{t['owner']}: {owner['name'] or '—'} ({owner['id_number'] or '—'})")
            start, end = self._declared("season.start"), self._declared("season.end")
            lines.append(f"{t['season']}: {start} — {end}" if start and end else f"{t['season']}: —")
        lines += ["", f"== {t['results']} =="]
        lines += self._results_lines(lang) or [f"  {t['not_computable']}"]
        lines += ["", f"== {t['findings']} =="]
        lines += self._findings_lines(lang) or [f"  {t['none']}"]
        if self.accounting and self.accounting.trace:
            lines += ["", f"== {t['trace']} =="]
            for i, s in enumerate(self.accounting.trace, 1):
                title = s.title_en if lang == "en" else s.title_zh
                lines.append(f"{i:>2}. [{s.clause}] {title}: {s.formula}")
                if s.inputs:
                    lines.append("      " + "; ".join(f"{q.name} = {trace_value_text(q.value)} {q.unit}".rstrip() for q in s.inputs))
                lines.append(f"      → {s.output.name} = {trace_value_text(s.output.value)} {s.output.unit}".rstrip())
        personal = self.personal_texts()  # every line but the file's own path
        lines = [line if line is file_line else self.mask(line, personal) for line in lines]
        return visible("\n".join(lines)) + "\n"

    def _results_lines(self, lang: str) -> list[str]:
        return [f"  {_pad(label, 26)} {shown}" for label, shown in self.result_rows(lang)]

    def result_rows(self, lang: str) -> list[tuple[str, str]]:
        """(label, value as shown) of every result there is, in the report's order and display rounding."""
        res = self.results_dict()
        if res is None:
            return []
        zh = lang != "en"
        out = []
        raw = self.accounting.results
        where = {(f.code, f.field): f.location for f in self.findings if f.location and f.location.cell}
        for key in RESULT_KEYS:
            label_zh, label_en, unit, digits = _RESULT_LABELS[key]
            value = res[key]
            if key == "deviation" and value is None and raw.deviation is not None:
                value = raw.deviation  # infinite (one method gives 0): JSON says null, the text says ∞
            if value is None:
                lacking = raw.unavailable.get(key)
                if lacking:  # each input it lacks, where the finding about it sits (a cell of the workbook)
                    names = []
                    for m in lacking:
                        loc = where.get((m.code, m.field))
                        names.append(f"{loc.sheet}!{loc.cell}" if loc else (m.field or m.code))
                    out.append((label_zh if zh else label_en, f"{_T[lang]['lacking']} {', '.join(names)}"))
                continue
            if key == "method":
                shown = _METHOD[value][0 if zh else 1]
                if res.get("estimate_basis"):
                    shown += f" ({_METHOD[res['estimate_basis']][0 if zh else 1]})"
            elif key == "deviation":
                # as many digits as it takes not to read as the threshold it is judged against (10.004%, not 10.0%)
                shown = percent_text(value, DEVIATION_RECHECK_THRESHOLD, digits)
            elif key == "heat_by_type_gj":
                if not value:
                    continue
                shown = ", ".join(f"{k} {v:,.{digits}f} GJ" for k, v in value.items())
            elif digits is not None:
                shown = f"{value:,.{digits}f} {unit}"
            else:
                shown = str(value)
            out.append((label_zh if zh else label_en, shown))
        return out

    def _findings_lines(self, lang: str) -> list[str]:
        groups: dict[str, list[Finding]] = {}
        for f in self.findings:
            key = f.location.sheet if f.location and f.location.sheet else _T[lang]["general"]
            groups.setdefault(key, []).append(f)
        out = []
        for sheet, items in groups.items():
            out.append(f"  [{sheet}]")
            for f in items:
                where = f.location.cell if f.location and f.location.cell else (f.field or "")
                sev = SEVERITY_LABEL[lang][f.severity]
                out.append(f"    {_pad(sev, 8)} {_pad(where, 14)} {f.clause_ref}  {f.message(lang)}  ({f.code})")
        return out


#: control characters (but tab and line break) and bidirectional overrides: text from a submitted file must not
#: drive the terminal (ESC sequences) or reorder what a reader sees; shown escaped instead (\x1b, \u202e)
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """``text`` with its control and bidirectional characters shown as escapes (\\xNN, \\uNNNN)."""
    return _INVISIBLE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                          else f"\\u{ord(m.group()):04x}", text)


#: report keys that name the submitted file itself, never masked (a path is the platform's, not the owner's)
_OWN_KEYS = ("file", "sha256", "annotated")


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _pad(text: str, width: int) -> str:
    """Left-justify by display width: CJK characters take two columns in a terminal."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - shown, 0)


def trace_value_text(v) -> str:
    """A value of the calculation trace as the text and HTML reports show it: up to 6 decimals, ∞ where one
    method gives 0 (a deviation), dates ISO. The JSON trace keeps the number itself."""
    if isinstance(v, float):
        if math.isinf(v):
            return "∞"
        return f"{v:,.6f}".rstrip("0").rstrip(".")
    return str(v)
