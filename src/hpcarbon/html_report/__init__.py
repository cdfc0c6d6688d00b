"""The HTML report, bilingual (zh first): one Jinja2 template (``templates/report.html.j2``) renders a
validation report for ``hpcarbon validate --format html`` (a self-contained, printable file: inline CSS,
inline SVG chart, nothing fetched) and for the self-check page of ``hpcarbon serve``.

A report is first turned into a *view* — plain, picklable data built from the report's masked renderings
(:meth:`Report.to_dict`), so personal data is masked here exactly as in the JSON, and a worker process can
build it and hand it back.
"""

from __future__ import annotations

from functools import lru_cache

from hpcarbon import methodology
from hpcarbon.admission import unaccounted
from hpcarbon.findings import SEVERITY_LABEL, Severity
from hpcarbon.report import Report, trace_value_text, visible

__all__ = ["report_view", "render_document", "render_fragment", "environment"]


def report_view(report: Report, file_label: str | None = None, unreadable: bool = False) -> dict:
    """Everything the template shows of one report, masked (SPEC §10); ``file_label`` replaces the path."""
    zh, en = report.to_dict("zh"), report.to_dict("en")
    personal = report.personal_texts()
    label = file_label if file_label is not None else zh.get("file")
    groups: dict[str | None, list[dict]] = {}
    for fz, fe, raw in zip(zh["findings"], en["findings"], report.findings):
        sev = Severity(fz["severity"])
        groups.setdefault(fz.get("sheet"), []).append({
            "severity": sev.value, "severity_zh": SEVERITY_LABEL["zh"][sev], "severity_en": SEVERITY_LABEL["en"][sev],
            "cell": fz.get("cell"), "field": fz.get("field"), "clause": raw.clause_ref, "code": fz["code"],
            "zh": fz["message"], "en": fe["message"]})
    # sheets in the order their first finding appears; findings about the whole file first
    ordered = sorted(groups.items(), key=lambda kv: kv[0] is not None)
    zh_rows, en_rows = report.result_rows("zh"), report.result_rows("en")
    results = [{"zh": lz, "en": le, "value": report.mask(v, personal)} for (lz, v), (le, _) in zip(zh_rows, en_rows)]
    # names and texts from the masked JSON trace; values rendered from the numbers as the text report does
    # (the JSON trace holds ∞ as null), then masked like every other string
    steps = report.accounting.trace if report.accounting else []
    trace = [{"clause": s["clause"], "title_zh": s["title_zh"], "title_en": s["title_en"], "formula": s["formula"],
              "inputs": [{"name": q["name"], "value": report.mask(trace_value_text(raw.value), personal),
                          "unit": q["unit"]} for q, raw in zip(s["inputs"], step.inputs)],
              "output": {"name": s["output"]["name"], "value": report.mask(trace_value_text(step.output.value), personal),
                         "unit": s["output"]["unit"]}}
             for s, step in zip(zh["trace"], steps)]
    chart = None
    # a draft that is not accounted holds placeholders for the season, a type or a month: no chart of it
    if report.declaration is not None and not unaccounted(report.invalid_fields):
        from hpcarbon.html_report.chart import chart_view, monthly_series

        chart = chart_view(monthly_series(report.declaration, report.invalid_fields))
    return {
        "file": report.mask(label, personal) if label else label,
        "sha256": zh.get("sha256"), "template_version": zh.get("template_version"),
        "status": "unreadable" if unreadable else zh["status"], "counts": zh["counts"],
        "project": zh.get("project"), "season": zh.get("season"),
        "results": results if report.results_dict() is not None else None,
        "groups": [{"sheet": sheet, "findings": items} for sheet, items in ordered],
        "trace": trace, "chart": chart, "annotated_url": None, "annotated_name": None,
    }


@lru_cache(maxsize=1)
def environment():
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("hpcarbon.html_report", "templates"),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    # text from a submitted file must not reorder what a reader sees (bidi overrides) or hide itself
    env.filters["visible"] = lambda v: visible(str(v)) if v is not None else ""
    env.globals.update(methodology_zh=methodology.NAME_ZH, methodology_en=methodology.NAME_EN)
    return env


def render_document(views: list[dict], title: str = "校验报告 Validation report") -> str:
    """A whole, self-contained, printable HTML page with every report (trace expanded for print)."""
    return environment().get_template("document.html.j2").render(views=views, title=title, trace_open=True)


def render_fragment(views: list[dict]) -> str:
    """The reports alone, as the self-check page inserts them."""
    return environment().get_template("fragment.html.j2").render(views=views, trace_open=False)
