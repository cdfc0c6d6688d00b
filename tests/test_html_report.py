"""`hpcarbon validate --format html`: one self-contained, printable, bilingual page rendered from the
template the self-check page uses; the monthly chart's numbers worked out again here from the declaration."""

from __future__ import annotations

import contextlib
import io
import re
from html.parser import HTMLParser

import pytest
from builders import EXAMPLE_KWH, EXAMPLE_MONTHS, example, iso7064_mod11_2, load, onsite, put
from validate_support import EXAMPLES, filled

from hpcarbon.cli import main
from hpcarbon.html_report.chart import monthly_series, nice_ceiling
from hpcarbon.model import HeatPumpType

RID = "22010219850312123" + iso7064_mod11_2("22010219850312123")
NAME, PHONE = "张三丰", "13812345678"


def _html(*paths) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["validate", "--format", "html", *map(str, paths)])
    return code, out.getvalue()


class _Tags(HTMLParser):
    """Every start tag with its attributes, and whether the open/close structure balances."""

    VOID = {"meta", "br", "line", "rect", "circle", "polyline", "input", "link", "img"}

    def __init__(self):
        super().__init__()
        self.tags, self.stack, self.mismatch = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.mismatch.append(tag)
        else:
            self.stack.pop()


@pytest.fixture(scope="module")
def example_page():
    return _html(EXAMPLES / "example-declaration.xlsx", EXAMPLES / "example-coupled-total-meter.xlsx")


def test_html_report_is_self_contained_and_well_formed(example_page):
    code, html = example_page
    assert code == 0
    parser = _Tags()
    parser.feed(html)
    assert parser.mismatch == [] and parser.stack == []
    names = [t for t, _ in parser.tags]
    assert "style" in names and names.count("svg") == 2 and names.count("section") == 2
    # nothing fetched: no script, stylesheet link, image, frame, or CSS url()/@import
    assert not {"script", "link", "img", "iframe", "object", "embed"} & set(names)
    assert not any("src" in a or "href" in a and not a["href"].startswith("#") for _, a in parser.tags)
    assert "url(" not in html and "@import" not in html
    assert '<html lang="zh-CN">' in html and "@media print" in html


def test_html_report_shows_verdict_results_located_finding_and_trace_zh_first(example_page):
    _, html = example_page
    assert html.count("结论 <span class=\"en\">Verdict</span>") == 2
    assert "通过 <span class=\"en\">PASS</span>" in html
    # the example's one finding: no cached values in the calculation sheet, located at 核算!E9 (§6.2.3.3)
    assert 'data-cell="核算!E9"' in html and "recompute.no_cached_value" in html and "§6.2.3.3" in html
    # results as the text report shows them: 2 764.8 GJ, ER 147.83 → creditable 147.82 (SPEC §12)
    assert "2,764.800 GJ" in html and "147.82 t CO2" in html
    assert html.index("减排量 ER") < html.index("emission reductions ER")  # zh first
    assert "<details class=\"trace\" open>" in html  # printed expanded


def test_chart_series_of_the_example_formula_2_month_by_month():
    s = monthly_series(load(example()))
    assert s.months == tuple(EXAMPLE_MONTHS)
    assert s.electricity_kwh == tuple(float(w) for w in EXAMPLE_KWH)
    # air, test-report COP 2.4, not heat-metered: Q_m = W_m × 2.4 × 0.0036 GJ/kWh
    assert s.heat_gj == pytest.approx([w * 2.4 * 0.0036 for w in EXAMPLE_KWH])
    assert all(s.heat_estimated) and s.cop == {}


def test_chart_series_with_onsite_cop_uses_each_months_mean():
    s = monthly_series(load(onsite()))
    means = [3.0, 2.5, 2.0, 1.95, 2.1, 2.6, 3.2]  # builders.onsite_measurements' docstring, by hand
    assert s.cop[HeatPumpType.air] == pytest.approx(means)
    assert s.heat_gj == pytest.approx([w * c * 0.0036 for w, c in zip(EXAMPLE_KWH, means)])


def test_chart_draws_no_placeholder_of_a_refused_field(tmp_path):
    """The report's declaration is the accounting's draft, where a refused field holds a placeholder: the chart
    leaves it out. November's first measurement (2.6) refused → November's mean is the other one, 2.4;
    December's electricity refused → no electricity and no heat bar that month; the rest as the example's."""
    import json

    from hpcarbon.declaration_io import load_json_declaration
    from hpcarbon.judgement import judge_loaded

    d = onsite()
    d["systems"][0]["cop"]["measurements"][1]["value"] = -5
    d["monthly"][2]["electricity_kwh"]["air"] = -1
    path = tmp_path / "d.json"
    path.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    report = judge_loaded(load_json_declaration(path), {})
    assert {"systems[0].cop.measurements[1].value", "monthly[2].electricity_kwh.air"} <= report.invalid_fields
    s = monthly_series(report.declaration, report.invalid_fields)
    means = [3.0, 2.4, 2.0, 1.95, 2.1, 2.6, 3.2]  # builders.onsite_measurements, November without its 2.6
    assert s.cop[HeatPumpType.air] == pytest.approx(means)
    assert s.electricity_kwh[2] is None and s.heat_gj[2] is None
    expected = [w * c * 0.0036 for w, c in zip(EXAMPLE_KWH, means)]
    assert [h for i, h in enumerate(s.heat_gj) if i != 2] == pytest.approx([h for i, h in enumerate(expected) if i != 2])


def test_no_chart_and_no_placeholder_season_where_the_draft_is_not_accounted(tmp_path):
    """A reversed season has no neutral placeholder: the page draws no chart of the draft (its season, months
    and types may be placeholders) and shows the season as not declared, never the placeholder's dates."""
    import json

    from hpcarbon.declaration_io import load_json_declaration
    from hpcarbon.html_report import render_document, report_view
    from hpcarbon.judgement import judge_loaded

    d = put(example(), "season", {"start": "2025-04-05", "end": "2024-10-20"})
    path = tmp_path / "d.json"
    path.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    view = report_view(judge_loaded(load_json_declaration(path), {}))
    assert view["chart"] is None and view["season"] == {"start": None, "end": None}
    page = render_document([view])
    assert "<dd>— — —</dd>" in page and "None" not in page and "2000-01-01" not in page


def test_chart_of_metered_heat_shows_the_readings():
    d = example()
    d["systems"][0]["heat_metered"] = True
    d["systems"][0]["heat_meter"] = {"id": "HM-1", "verified_on": "2024-09-01"}
    readings = [100.5, 300, 420, 450, 380, 410, 60]
    for rec, q in zip(d["monthly"], readings):
        rec["heat_gj"] = {"air": q}
    put(d, "monthly[2].heat_gj", {})  # December: no reading → no bar
    s = monthly_series(load(d))
    assert s.heat_gj == (100.5, 300.0, None, 450.0, 380.0, 410.0, 60.0)
    assert not any(s.heat_estimated)


def test_axis_maxima_are_round():
    assert [nice_ceiling(v) for v in (66000, 237.6, 3.2, 1, 0, 0.004)] == [100000, 250, 5, 1, 1, 0.005]


def test_chart_svg_bars_scale_to_the_axis(example_page):
    _, html = example_page
    svg = html[html.index("<svg"):html.index("</svg>")]
    # electricity panel of the example: axis top 100 000 kWh (66 000 is the largest month), plot 102 px high
    heights = [float(h) for h in re.findall(r'<rect class="elec" x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)"', svg)]
    assert heights == pytest.approx([102 * w / 100000 for w in EXAMPLE_KWH], abs=0.06)


def test_html_report_masks_an_individual_owner_and_escapes_markup(tmp_path):
    d = example()
    d["project"]["owner"] = {"type": "individual", "name": NAME, "id_number": RID, "phone": PHONE}
    d["project"]["name"] = f"{NAME}家<script>alert(1)</script>"
    code, html = _html(filled(tmp_path, d))
    assert code in (0, 1)
    for secret in (NAME, RID, PHONE, "三丰"):
        assert secret not in html
    assert "张**" in html and RID[:4] + "*" * 10 + RID[-4:] in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_unreadable_file_gets_an_html_report_and_exit_2(tmp_path):
    bad = tmp_path / "not-a-workbook.xlsx"
    bad.write_bytes(b"hello, not a zip")
    code, html = _html(bad)
    assert code == 2
    assert "无法读取 <span class=\"en\">UNREADABLE</span>" in html and "file.not_xlsx" in html


def test_an_infinite_deviation_reads_the_same_in_the_text_and_html_trace():
    """No electricity at all: Q_elec = 0 while Q_area = 40 × 5 000 × 4 032 × 3.6e-6 = 2 903.04 GJ, so
    d = |0 − 2 903.04| / min(0, 2 903.04) is infinite; the JSON trace holds null (JSON has no ∞), and the text and
    the HTML trace both show ∞ — one formatter."""
    from hpcarbon.declaration_io import declaration_from_data
    from hpcarbon.html_report import report_view
    from hpcarbon.judgement import judge_loaded

    d = example()
    for rec in d["monthly"]:
        rec["electricity_kwh"]["air"] = 0
    report = judge_loaded(declaration_from_data(d), {})
    [step] = [s for s in report.to_dict("en")["trace"] if s["step"] == "deviation"]
    assert step["output"]["value"] is None
    [shown] = [s for s in report_view(report)["trace"] if s["formula"].startswith("d = ")]
    assert shown["output"]["value"] == "∞" and shown["inputs"][0]["value"] == "0"
    assert "→ d = ∞" in report.to_text("en")
