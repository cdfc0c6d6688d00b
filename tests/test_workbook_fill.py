"""``hpcarbon fill`` and ``hpcarbon template``: nothing overwritten unless asked, refusals for what
cannot be placed (never for business rules), bilingual messages, exit codes, no tracebacks."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from hpcarbon.cli import main
from hpcarbon.workbook.fill import FillError, fill_workbook
from hpcarbon.workbook.reader import read_workbook

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / "workbook_templates" / "examples" / "example-declaration.json"
COUPLED = ROOT / "workbook_templates" / "examples" / "example-coupled-total-meter.json"


def load(path: Path) -> dict:
    return json.loads(path.read_text("utf-8"))


def write_json(tmp_path: Path, data, name="d.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return p


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_fill_writes_and_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "o.xlsx"
    code, stdout, _ = run(capsys, "fill", str(SHARED), "-o", str(out))
    assert code == 0 and out.exists() and "written" in stdout
    before = out.read_bytes()
    out.write_bytes(b"keep me")
    code, _, err = run(capsys, "fill", str(SHARED), "-o", str(out))
    assert code == 2
    assert out.read_bytes() == b"keep me"  # untouched
    assert "已存在" in err and "exists" in err and "--force" in err
    code, _, _ = run(capsys, "fill", str(SHARED), "-o", str(out), "--force")
    assert code == 0 and out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.xlsx"]  # no temp file left behind


def test_fill_refuses_a_table_longer_than_the_sheet(tmp_path, capsys):
    data = load(SHARED)
    data["monthly"] = [dict(data["monthly"][0], month=f"20{24 + i // 12}-{i % 12 + 1:02d}") for i in range(25)]
    out = tmp_path / "o.xlsx"
    code, _, err = run(capsys, "fill", str(write_json(tmp_path, data)), "-o", str(out))
    assert code == 2 and not out.exists()
    assert "monthly" in err and "25" in err and "24" in err
    assert "Traceback" not in err


def test_fill_refuses_more_cop_records_than_rows(tmp_path):
    data = load(COUPLED)
    m = data["systems"][1]["cop"]["measurements"][0]
    data["systems"][1]["cop"]["measurements"] = [m] * 601
    with pytest.raises(FillError) as exc:
        fill_workbook(data)
    assert [p.path for p in exc.value.problems] == ["systems[1].cop.measurements[600]"]


@pytest.mark.parametrize("change,path", [
    (lambda d: d.update(foo=1), "foo"),
    (lambda d: d["project"].update(colour="red"), "project.colour"),
    (lambda d: d.update(project=[1, 2]), "project"),
    (lambda d: d["monthly"][0].update(electricity_kwh={"solar": 5}), "monthly[0].electricity_kwh.solar"),
    (lambda d: d["monthly"][0].update(heating_hours={"h": 1}), "monthly[0].heating_hours"),
    (lambda d: d["systems"][0].update(type="geothermal"), "systems[0].type"),
    (lambda d: d["systems"].append(copy.deepcopy(d["systems"][0])), "systems[1].type"),
    (lambda d: d["systems"][0].update(subtype="groundwater"), "systems[0].subtype"),  # air has no subtype cell
    (lambda d: d["areas"][0].update(served_by=["air", "air"]), "areas[0].served_by[1]"),
    (lambda d: d["project"].update(name="bad\x01char"), "project.name"),
    (lambda d: d.update(monthly="all of them"), "monthly"),
])
def test_fill_refuses_what_it_cannot_place(change, path):
    data = load(SHARED)
    change(data)
    with pytest.raises(FillError) as exc:
        fill_workbook(data)
    assert path in [p.path for p in exc.value.problems]
    for p in exc.value.problems:
        assert p.zh and p.en


def test_fill_places_business_rule_violations_for_the_validator_to_point_at(tmp_path, capsys):
    data = load(SHARED)
    data["project"]["district"] = "北京市"  # outside Changchun
    data["monthly"][0]["electricity_kwh"]["air"] = -5  # negative reading
    data["season"]["end"] = "2024-01-01"  # before the start
    data["project"]["operation_start"] = "2020-01-01"  # before traceability (a rule, not the model)
    out = tmp_path / "o.xlsx"
    code, _, _ = run(capsys, "fill", str(write_json(tmp_path, data)), "-o", str(out))
    assert code == 0
    result = read_workbook(out)
    cells = {(f.location.sheet, f.location.cell) for f in result.findings}
    assert {("项目信息", "B7"), ("月度数据", "F5"), ("项目信息", "B16")} <= cells


def test_fill_rejects_unreadable_json_bilingually(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    code, _, err = run(capsys, "fill", str(bad), "-o", str(tmp_path / "o.xlsx"))
    assert code == 2 and "JSON 格式错误" in err and "malformed JSON" in err
    code, _, err = run(capsys, "fill", str(tmp_path / "missing.json"), "-o", str(tmp_path / "o.xlsx"))
    assert code == 2 and "找不到文件" in err and "no such file" in err
    nan = tmp_path / "nan.json"
    nan.write_text('{"monthly": [{"heating_hours": NaN}]}', encoding="utf-8")
    code, _, err = run(capsys, "fill", str(nan), "-o", str(tmp_path / "o.xlsx"))
    assert code == 2 and "NaN" in err
    code, _, err = run(capsys, "fill", str(write_json(tmp_path, [1, 2])), "-o", str(tmp_path / "o.xlsx"))
    assert code == 2 and "顶层" in err and "top level" in err
    assert not (tmp_path / "o.xlsx").exists()


def test_fill_needs_an_output(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["fill", str(SHARED)])
    assert exc.value.code == 2


def test_template_command(tmp_path, capsys):
    out = tmp_path / "t.xlsx"
    code, _, _ = run(capsys, "template", "-o", str(out))
    assert code == 0 and out.exists()
    code, _, err = run(capsys, "template", "-o", str(out))
    assert code == 2 and "--force" in err
    code, _, _ = run(capsys, "template", "-o", str(out), "--force", "--lang", "en")
    assert code == 0
    from openpyxl import load_workbook

    assert load_workbook(out)["项目信息"]["A6"].value.startswith("Project name")
    result = read_workbook(out)  # a blank template reads as an incomplete declaration, located
    assert not result.unreadable and result.declaration is None
    assert ("项目信息", "B5") in {(f.location.sheet, f.location.cell) for f in result.findings}


def test_fill_lists_every_problem(tmp_path, capsys):
    data = load(SHARED)
    data["a"], data["b"] = 1, 2
    code, _, err = run(capsys, "fill", str(write_json(tmp_path, data)), "-o", str(tmp_path / "o.xlsx"))
    assert code == 2
    assert "  - a:" in err and "  - b:" in err
