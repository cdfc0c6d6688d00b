"""Prose that states a threshold is rendered from the constant or parameter the rules apply (issue 13,
item 5): change the constant and the instructions sheet's text follows; the findings take it as a parameter."""

from __future__ import annotations

import importlib

from builders import example, findings, put

from hpcarbon import calendar, formulas, rules
from hpcarbon.workbook import texts


def _all_text() -> str:
    return "\n".join(" ".join(row) for block in (texts.HOW_TO_FILL, texts.DECISIONS, texts.TABLE8) for row in block)


def test_instructions_follow_the_constants(monkeypatch):
    try:
        monkeypatch.setattr(formulas, "DEVIATION_RECHECK_THRESHOLD", 0.15)
        monkeypatch.setattr(rules, "COP_PLAUSIBLE", (1.2, 9.0))
        monkeypatch.setitem(calendar.MIN_MEASUREMENTS, calendar.WorkingCondition.severe, 4)
        text = _all_text()
        assert "15%" not in text  # not yet reloaded
        importlib.reload(texts)
        text = _all_text()
        assert "偏差超过 15% 时" in text and "more than 15 %" in text and "10 %" not in text
        assert "COP 须在 1.2–9 之间" in text and "between 1.2 and 9" in text
        assert "12 月、1 月、2 月：每月 4 次" in text
    finally:
        monkeypatch.undo()
        importlib.reload(texts)
    assert "偏差超过 10% 时" in _all_text()


def test_findings_render_the_thresholds():
    d = put(example(), "systems[0].cop.report_value", 8.5)
    (f,) = [x for x in findings(d) if x.code == "cop.implausible"]
    assert f.message("en").endswith("(must be between 1 and 8)")
    # d = (2 903.04 − 2 419.2) / 2 419.2 = 20 % with COP 2.1 (Q_elec = 320 000 × 2.1 × 0.0036 = 2 419.2 GJ)
    (g,) = [x for x in findings(put(example(), "systems[0].cop.report_value", 2.1)) if x.code == "deviation.recheck_required"]
    assert "deviate by 20.0% (> 10%)" in g.message("en") and "偏差 20.0% 超过 10%" in g.message("zh")
