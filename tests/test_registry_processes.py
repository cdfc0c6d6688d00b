"""The registry with real processes and real workbooks (SQLite): a process killed mid-accept leaves the whole
record or nothing; two processes accepting overlapping declarations of one project at the same moment → one
succeeds, the other gets the duplicate finding; ``hpcarbon registry …`` and ``hpcarbon validate --registry``
as a user runs them."""

from __future__ import annotations

import json

import pytest
from builders import example, shift_years
from registry_support import fresh_registry, run, start, write
from validate_support import filled, schema_cell

from hpcarbon.cli import main
from hpcarbon.workbook import layout as L
from hpcarbon.registry import Registry
from hpcarbon.registry.store import TEST_HOOK_ENV


@pytest.fixture
def db(tmp_path):
    return fresh_registry(tmp_path)


@pytest.mark.parametrize("point", ["archived", "declared", "recorded"])
def test_a_process_killed_mid_accept_leaves_nothing(tmp_path, db, point):
    path = write(tmp_path, example(), "a.json")
    p = run("registry", "accept", path, "--operator", "王工", "--registry", db, env={TEST_HOOK_ENV: f"kill:{point}"})
    assert p.returncode == -9  # SIGKILL: no handler, no cleanup, as a power cut or an OOM kill
    with Registry.open(str(db)) as reg:
        result = reg.verify()
        assert reg.list() == [] and result.ok and result.events == 0 and result.files == 0
        assert reg.accept(path, operator="王工").status == "accepted"  # and the registry still works
        assert reg.verify().ok


def test_a_process_killed_right_after_commit_leaves_the_whole_record(tmp_path, db):
    path = write(tmp_path, example(), "a.json")
    p = run("registry", "accept", path, "--operator", "王工", "--registry", db, env={TEST_HOOK_ENV: "kill:committed"})
    assert p.returncode == -9
    with Registry.open(str(db)) as reg:
        result = reg.verify()
        assert [r.id for r in reg.list()] == [1] and result.ok and result.events == 1 and result.files == 1
        assert reg.archived_file(reg.list()[0].sha256) == path.read_bytes()


def test_two_processes_accepting_overlapping_declarations_at_once_one_succeeds(tmp_path, db):
    a = write(tmp_path, example(), "a.json")
    d = example()
    d["monthly"][0]["outage_hours"] = 2  # another file of the same project and season
    b = write(tmp_path, d, "b.json")
    # each holds the write lock for 1.5 s between its checks and its insert: without the lock both would pass
    # the checks in that window and both be recorded
    env = {TEST_HOOK_ENV: "pause:checked:1.5"}
    procs = [start("registry", "accept", f, "--operator", "王工", "--registry", db, "--format", "json", "--lang",
                   "en", env=env) for f in (a, b)]
    outs = [p.communicate(timeout=120) for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes == [0, 1], [o[1] for o in outs]
    loser = json.loads(outs[[p.returncode for p in procs].index(1)][0])
    assert loser["registry_status"] == "refused"
    assert [f["code"] for f in loser["findings"]] == ["registry.duplicate_declaration"]
    with Registry.open(str(db)) as reg:
        assert len(reg.list()) == 1 and reg.verify().ok


# --- the commands as a user runs them -------------------------------------------------------------------
def test_registry_commands_exit_status_and_bilingual_text(tmp_path, capsys):
    db = str(tmp_path / "r.sqlite")
    assert main(["registry", "accept", str(write(tmp_path, example(), "a.json")), "--operator", "x",
                 "--registry", db]) == 2
    assert "hpcarbon registry init" in capsys.readouterr().err  # no registry yet: exit 2, said bilingually
    assert main(["registry", "init", "--registry", db]) == 0
    a = write(tmp_path, example(), "a.json")
    assert main(["registry", "accept", str(a), "--operator", "王工", "--registry", db]) == 0
    assert "已受理，登记为申报 #1" in capsys.readouterr().out
    assert main(["registry", "accept", str(a), "--operator", "王工", "--registry", db, "--lang", "en"]) == 0
    assert "accepted before (declaration #1, same SHA-256); nothing recorded" in capsys.readouterr().out
    d = example()
    d["monthly"][0]["outage_hours"] = 2
    assert main(["registry", "check", str(write(tmp_path, d, "b.json")), "--registry", db]) == 1
    assert "registry.duplicate_declaration" in capsys.readouterr().out
    assert main(["registry", "check", str(tmp_path / "missing.json"), "--registry", db]) == 2
    assert main(["registry", "withdraw", "1", "--reason", "重复", "--operator", "李工", "--registry", db]) == 0
    assert main(["registry", "withdraw", "1", "--reason", "重复", "--operator", "李工", "--registry", db]) == 2
    capsys.readouterr()
    assert main(["registry", "list", "--status", "withdrawn", "--format", "json", "--registry", db]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == [1]
    assert main(["registry", "show", "7", "--registry", db]) == 2
    assert main(["registry", "list", "--purgeable", "--as-of", "2043-10-20", "--format", "csv", "--registry", db]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("1,CC-HP-2024-0001,")
    out = tmp_path / "export.csv"
    assert main(["registry", "export", "-o", str(out), "--registry", db]) == 0
    assert main(["registry", "export", "-o", str(out), "--registry", db]) == 2  # never over a file without --force
    assert main(["registry", "backup", str(tmp_path / "b.sqlite"), "--registry", db]) == 0


def test_registry_location_from_the_environment(tmp_path, monkeypatch, capsys):
    db = tmp_path / "r.sqlite"
    monkeypatch.setenv("HPCARBON_REGISTRY", str(db))
    assert main(["registry", "init"]) == 0
    assert main(["registry", "list"]) == 0 and "（无）" in capsys.readouterr().out


def test_accepting_a_workbook_records_its_template_version_and_the_file_itself(tmp_path, db):
    book = filled(tmp_path, example(), "申报.xlsx")
    p = run("registry", "accept", book, "--operator", "王工", "--registry", db, "--format", "json")
    assert p.returncode == 0, p.stdout + p.stderr
    report = json.loads(p.stdout)
    assert report["registry_status"] == "accepted" and report["declaration_id"] == 1
    with Registry.open(str(db)) as reg:
        shown = reg.show(1)
        assert shown["file_kind"] == "xlsx" and shown["template_version"] == L.TEMPLATE_VERSION and shown["file"] == "申报.xlsx"
        assert reg.archived_file(shown["sha256"]) == book.read_bytes()


def test_validate_with_a_registry_checks_the_batch_against_itself_and_the_registry(tmp_path, db, capsys):
    with Registry.open(str(db)) as reg:
        reg.accept(write(tmp_path, example(), "a.json"), operator="王工")  # 2024-10-20 … 2025-04-05
    x, y = example(), example()
    x["monthly"][0]["outage_hours"] = 2
    y["monthly"][0]["outage_hours"] = 3
    bx, by = filled(tmp_path / "x", x, "x.xlsx"), filled(tmp_path / "y", y, "y.xlsx")
    nxt = filled(tmp_path / "n", shift_years(example(), 1), "n.xlsx")  # the next season: nothing to say
    assert main(["validate", str(bx), str(by), str(nxt), "--registry", str(db), "--format", "json", "--lang", "en"]) == 1
    reports = json.loads(capsys.readouterr().out)
    where = schema_cell("project.id")
    for r in reports[:2]:
        got = {f["code"]: (f["sheet"], f["cell"]) for f in r["findings"] if f["code"].split(".")[0] in
               ("batch", "registry")}
        assert got == {"batch.duplicate_declaration": where, "registry.duplicate_declaration": where}
        assert r["status"] == "fail"
    assert not [f for f in reports[2]["findings"] if f["code"].split(".")[0] in ("batch", "registry")]
    # the same findings in the text, html and jsonl reports and in the summary
    assert main(["validate", str(bx), "--registry", str(db), "--lang", "en"]) == 1
    text = capsys.readouterr().out
    assert "registry.duplicate_declaration" in text and "#1" in text
    assert main(["validate", str(bx), "--registry", str(db), "--format", "html", "--lang", "en"]) == 1
    assert "already accepted in the registry" in capsys.readouterr().out
    summary = tmp_path / "summary.csv"
    assert main(["validate", str(bx), str(nxt), "--registry", str(db), "--format", "jsonl", "--summary",
                 str(summary)]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [f["code"] for f in lines[0]["findings"] if f["code"].startswith("registry.")] == [
        "registry.duplicate_declaration"]
    rows = summary.read_text(encoding="utf-8-sig").splitlines()
    assert rows[1].split(",")[4] == "fail" and rows[2].split(",")[4] == "pass"
    assert main(["validate", str(bx), "--registry", str(tmp_path / "none.sqlite")]) == 2
