"""Batch checks across files: §7.3.3 no double declaration, §6.2.4.3 estimate ≤ later metered heat."""

from datetime import date

from builders import run_in_process

from hpcarbon.seasons import SeasonHeat, estimate_above_later_metered, heat_rate, project_key
from hpcarbon.validator.crossfile import SeasonRecord, cross_file_findings


def rec(i, pid, start, end, method="estimated", heat=1000.0, hours=4032.0, sha=None):
    return SeasonRecord(f"f{i}.xlsx", sha or f"{i:064x}", pid, date.fromisoformat(start), date.fromisoformat(end),
                        SeasonHeat(method, heat, hours), ("项目信息", "B5"), ("项目信息", "B16"))


def codes(found, i):
    return [f.code for f in found.get(i, [])]


def test_distinct_projects_and_consecutive_seasons_pass():
    found = cross_file_findings([
        rec(0, "P-1", "2024-10-20", "2025-04-05"),
        rec(1, "P-1", "2025-10-20", "2026-04-05"),  # next season: no overlap
        rec(2, "P-2", "2024-10-20", "2025-04-05"),  # another project, same season
    ])
    assert found == {}


def test_overlapping_seasons_of_one_project_are_both_errors():
    found = cross_file_findings([
        rec(0, "P-1", "2024-10-20", "2025-04-05"),
        rec(1, "p-1 ", "2025-04-05", "2025-10-01"),  # shares 2025-04-05; ids compared trimmed, case-folded
    ])
    assert codes(found, 0) == ["batch.duplicate_declaration"] and codes(found, 1) == ["batch.duplicate_declaration"]
    f = found[0][0]
    assert f.severity.value == "error" and f.clause == "7.3.3"
    assert f.location.sheet == "项目信息" and f.location.cell == "B5"
    assert "f1.xlsx" in f.message("zh") and "f1.xlsx" in f.message("en")


def test_the_same_file_twice_is_a_duplicate():
    found = cross_file_findings([rec(0, "P-1", "2024-10-20", "2025-04-05", sha="a" * 64),
                                 rec(1, "P-1", "2024-10-20", "2025-04-05", sha="a" * 64)])
    assert codes(found, 0) == codes(found, 1) == ["batch.duplicate_declaration"]


def test_earlier_estimate_above_later_metered_heat():
    found = cross_file_findings([
        rec(0, "P-1", "2023-10-20", "2024-04-05", "estimated", 2900.0),
        rec(1, "P-1", "2024-10-20", "2025-04-05", "metered", 2800.0),
    ])
    assert codes(found, 0) == ["batch.estimate_above_later_metered"] and 1 not in found
    f = found[0][0]
    assert f.clause == "6.2.4.3" and f.location.cell == "B16"
    # per heating hour: 2900 / 4032 = 0.71925 GJ/h against 2800 / 4032 = 0.69444 GJ/h
    assert "0.7192 GJ/h" in f.message("en") and "0.6944 GJ/h" in f.message("en") and "f1.xlsx" in f.message("zh")


def test_seasons_of_different_lengths_are_compared_per_heating_hour_as_the_registry_does():
    """A short estimated season below a long metered one in total can still exceed it per hour (and the
    reverse): the batch judges as the registry does (hpcarbon.seasons, README [D] "like with like")."""
    short_estimate = rec(0, "P-1", "2023-10-20", "2024-01-31", "estimated", 2000.0, hours=2000.0)  # 1.0 GJ/h
    long_metered = rec(1, "P-1", "2024-10-20", "2025-04-05", "metered", 2800.0, hours=4000.0)  # 0.7 GJ/h
    assert codes(cross_file_findings([short_estimate, long_metered]), 0) == ["batch.estimate_above_later_metered"]
    long_estimate = rec(0, "P-1", "2023-10-01", "2024-04-30", "estimated", 2900.0, hours=5000.0)  # 0.58 GJ/h
    assert cross_file_findings([long_estimate, long_metered]) == {}  # more in total, less per hour


def test_the_season_comparison_itself():
    assert heat_rate(2764.8, 4032.0) == 2764.8 / 4032.0 and heat_rate(10.0, 0.0) is None and heat_rate(None, 5) is None
    metered = SeasonHeat("metered", 2419.2, 4032.0)  # 0.6 GJ/h
    assert estimate_above_later_metered(SeasonHeat("estimated", 2764.8, 4032.0), metered)  # 0.6857 > 0.6
    assert estimate_above_later_metered(SeasonHeat("mixed", 2764.8, 4032.0), metered)
    assert not estimate_above_later_metered(SeasonHeat("estimated", 2419.2, 4032.0), metered)  # equal is allowed
    assert not estimate_above_later_metered(SeasonHeat("metered", 2764.8, 4032.0), metered)  # not an estimate
    assert not estimate_above_later_metered(SeasonHeat("estimated", 2764.8, 4032.0), SeasonHeat("mixed", 1.0, 4032.0))
    assert not estimate_above_later_metered(SeasonHeat("estimated", None, 4032.0), metered)
    assert project_key(" ｐ－１ ") == project_key("P－1") and project_key("ＡＢ１") == "AB1"


def test_estimate_not_above_later_metered_or_order_reversed_passes():
    assert cross_file_findings([
        rec(0, "P-1", "2023-10-20", "2024-04-05", "estimated", 2800.0),
        rec(1, "P-1", "2024-10-20", "2025-04-05", "metered", 2800.0),  # equal is allowed
    ]) == {}
    assert cross_file_findings([
        rec(0, "P-1", "2023-10-20", "2024-04-05", "metered", 2000.0),
        rec(1, "P-1", "2024-10-20", "2025-04-05", "estimated", 2900.0),  # the metered season came first
    ]) == {}


def test_validate_command_applies_the_batch_checks(tmp_path):
    """Two copies of the example in one batch: the same project and season twice (§7.3.3)."""
    import json
    import shutil
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "workbook_templates/examples/example-declaration.xlsx"
    for name in ("a.xlsx", "b.xlsx"):
        shutil.copy(example, tmp_path / name)
    run = run_in_process("validate", str(tmp_path), "--format", "json", "--jobs", "2")
    assert run.code == 1, run.stderr
    reports = json.loads(run.stdout)
    for report, other in zip(reports, ("b.xlsx", "a.xlsx")):
        dup = [f for f in report["findings"] if f["code"] == "batch.duplicate_declaration"]
        assert len(dup) == 1 and report["status"] == "fail"
        assert dup[0]["clause"] == "7.3.3" and dup[0]["sheet"] == "项目信息" and other in dup[0]["message"]

    one = run_in_process("validate", str(tmp_path / "a.xlsx"))
    assert one.code == 0  # alone, the file passes

    lines = run_in_process("validate", str(tmp_path), "--format", "jsonl").stdout.splitlines()
    objs = [json.loads(line) for line in lines]
    assert [o.get("kind") for o in objs] == [None, None, "batch", "batch"]
    assert {o["file"] for o in objs[2:]} == {str(tmp_path / "a.xlsx"), str(tmp_path / "b.xlsx")}


def test_jsonl_batch_findings_reach_the_summary_and_the_exit_status(tmp_path):
    """jsonl keeps no reports in memory; the batch findings must still count (summary row, exit 1)."""
    import csv
    import shutil
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "workbook_templates/examples/example-declaration.xlsx"
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.xlsx", "b.xlsx"):
        shutil.copy(example, folder / name)
    summary = tmp_path / "summary.csv"
    run = run_in_process("validate", str(folder), "--format", "jsonl",
                          "--jobs", "2", "--summary", str(summary))
    assert run.code == 1, run.stderr
    rows = list(csv.DictReader(summary.read_text(encoding="utf-8-sig").splitlines()))
    assert [(r["status"], r["errors"]) for r in rows] == [("fail", "1"), ("fail", "1")]


def test_a_file_that_takes_no_part_keeps_the_others_positions():
    """None stands for a file that says no project and season (unreadable, a refused project id): the
    findings are keyed by each file's position in the batch all the same."""
    found = cross_file_findings([rec(0, "P-1", "2024-10-20", "2025-04-05"), None,
                                 rec(2, "P-1", "2025-01-01", "2025-04-05")])
    assert sorted(found) == [0, 2] and codes(found, 2) == ["batch.duplicate_declaration"]
    assert "f0.xlsx" in found[2][0].message("en")


def test_a_workbooks_season_record_is_typed_and_located(tmp_path):
    """What ``FileResult.season_record`` hands the batch checks for the SPEC §12 example workbook: its project,
    season, method and Q = 320 000 kWh × 2.4 × 0.0036 = 2 764.8 GJ (electricity method, the conservative one),
    with the cells of the project id and season start."""
    from pathlib import Path

    import pytest
    from builders import example
    from validate_support import filled, located

    from hpcarbon.validator import validate_file

    d = example()
    r = validate_file(filled(tmp_path, d)).season_record()
    assert isinstance(r, SeasonRecord)
    assert (r.file, r.project_id, r.start, r.end, r.heat.method) == (
        str(Path(tmp_path) / "declaration.xlsx"), "CC-HP-2024-0001", date(2024, 10, 20), date(2025, 4, 5), "estimated")
    assert r.heat.heat_gj == pytest.approx(320_000 * 2.4 * 0.0036, rel=1e-12)
    assert r.heat.heating_hours == 4032  # SPEC §12: t = 4 032 h
    assert r.project_id_cell == located("project.id", d) and r.season_cell == located("season.start", d)
    assert len(r.sha256) == 64
