"""Facts named once (issue 13, item 5): the methodology's title and version, the template's file name, the
workbook suffixes, the batch separator and the out-of-memory reason are each defined in one module and the
others — CLI, service, pages, template, add-in — take them from there."""

from __future__ import annotations

import re
from pathlib import Path

from hpcarbon import methodology
from hpcarbon.cli import build_parser
from hpcarbon.html_report import environment, render_document
from hpcarbon.validator import OUT_OF_MEMORY, unreadable_reason
from hpcarbon.validator_cli import _failed
from hpcarbon.workbook.commands import DEFAULT_TEMPLATE_NAME

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [p for d in ("src/hpcarbon", "xladdin") for p in (ROOT / d).rglob("*")
           if p.suffix in (".py", ".j2") and "__pycache__" not in p.parts]


def _holding(pattern: str) -> list[str]:
    rx = re.compile(pattern)
    return sorted(str(p.relative_to(ROOT)) for p in SOURCES if rx.search(p.read_text("utf-8")))


def test_each_fact_is_written_in_one_module():
    assert _holding(r"V01") == ["src/hpcarbon/methodology.py"]
    assert _holding(r"hpcarbon-declaration-template\.xlsx") == ["src/hpcarbon/workbook/commands.py"]
    assert _holding(r"\"=\" \* 72") == ["src/hpcarbon/report.py"]
    assert _holding(r"out of memory\"") == ["src/hpcarbon/validator/__init__.py"]
    assert _holding(r"\"\.xltm\"") == ["src/hpcarbon/validator/names.py"]


def test_the_cli_says_the_methodology_from_its_one_name(monkeypatch):
    assert "长春市热泵供暖碳普惠方法学（V01）" in build_parser().description
    monkeypatch.setattr(methodology, "NAME_EN", "Methodology X")
    assert "Methodology X: accounting and validation" in build_parser().description


def test_the_pages_take_the_names_as_variables():
    page = environment().get_template("page.html.j2").render(
        views=[], error=None, trace_open=False, max_files=20, max_file_mb=1.0, template_name="named-once.xlsx")
    assert 'download="named-once.xlsx"' in page and DEFAULT_TEMPLATE_NAME not in page
    for html in (page, render_document([])):
        assert "长春市热泵供暖碳普惠方法学（V01）" in html
        assert "Changchun heat-pump heating carbon-inclusion methodology V01" in html


def test_out_of_memory_is_said_in_both_languages_wherever_it_is_met(tmp_path):
    assert unreadable_reason(MemoryError()) == OUT_OF_MEMORY == "内存不足 / out of memory"
    assert unreadable_reason(ValueError("bad zip")) == "ValueError: bad zip"
    outcome = _failed(tmp_path / "a.xlsx", MemoryError(), "en", keep=False)
    assert "out of memory" in outcome.text and outcome.exit == 2


def test_the_not_shown_text_is_written_once():
    assert _holding(r"不予显示|content not shown") == ["src/hpcarbon/privacy.py"]
