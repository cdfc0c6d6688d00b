"""The registry on a real PostgreSQL server (a throwaway cluster, one for this module; see pg_support):
the same records, checks and corrections as on SQLite, tamper evidence, a process killed mid-accept, and
two processes accepting overlapping declarations of one project at the same moment."""

from __future__ import annotations

import json

import pytest
from builders import EF_HEAT, example, floor_cents, pe_formula, shift_years
from pg_support import start_cluster
from registry_support import next_season_metered, other_project, run, start, write
from sqlalchemy import text

from hpcarbon.cli import main
from hpcarbon.registry import Registry, RegistryError
from hpcarbon.registry.store import TEST_HOOK_ENV


@pytest.fixture(scope="module")
def cluster():
    c = start_cluster()
    yield c
    c.stop()


@pytest.fixture
def url(cluster):
    u = cluster.new_database()
    Registry.open(u, create=True).close()
    return u


def test_accept_duplicate_and_correction_on_postgresql(url, tmp_path):
    with Registry.open(url) as reg:
        assert reg.engine.dialect.name == "postgresql" and reg.revision() == "0002"
        assert reg.accept(write(tmp_path, example(), "a.json"), operator="王工").status == "accepted"
        d = example()
        d["monthly"][0]["outage_hours"] = 2
        dup = reg.accept(write(tmp_path, d, "b.json"), operator="王工")
        assert dup.status == "refused" and [f.code for f in dup.report.findings] == ["registry.duplicate_declaration"]
        meter = reg.check(write(tmp_path, other_project(example(), meter="EM-001"), "c.json"))
        assert [f.code for f in meter.report.findings] == ["registry.meter_claimed_elsewhere"]
        out = reg.accept(write(tmp_path, next_season_metered(), "m.json"), operator="王工")
        # 0.6 GJ/h metered × 4 032 h = 2 419.2 GJ; BE' = 2 419.2 × 0.11; ER' = BE' − PE(320 000 kWh)
        (fix,) = out.corrections
        assert fix.heat_supplied_gj == pytest.approx(2419.2)
        assert fix.creditable_reductions_t == floor_cents(2419.2 * EF_HEAT - pe_formula(320_000)) == 109.80
        assert [r.id for r in reg.list(needs_correction=True)] == [1]
        assert reg.verify().ok and reg.verify().events == 3


def test_verify_on_postgresql_names_an_edited_row(url, tmp_path):
    with Registry.open(url) as reg:
        reg.accept(write(tmp_path, example(), "a.json"), operator="王工")
        reg.accept(write(tmp_path, shift_years(example(), 1), "b.json"), operator="王工")
        with reg.engine.begin() as conn:
            conn.execute(text("UPDATE declarations SET season_end = '2026-05-01' WHERE id = 2"))
        problems = reg.verify().problems
        assert [p.declaration for p in problems] == [2]
        with reg.engine.begin() as conn:
            conn.execute(text("UPDATE events SET at = '2020-01-01T00:00:00+00:00' WHERE seq = 1"))
        assert reg.verify().problems[0].event == 1


def test_a_process_killed_mid_accept_leaves_nothing_on_postgresql(url, tmp_path):
    path = write(tmp_path, example(), "a.json")
    p = run("registry", "accept", path, "--operator", "王工", "--registry", url, env={TEST_HOOK_ENV: "kill:recorded"})
    assert p.returncode == -9
    with Registry.open(url) as reg:
        result = reg.verify()
        assert reg.list() == [] and result.ok and result.events == 0 and result.files == 0
        assert reg.accept(path, operator="王工").status == "accepted"


def test_two_processes_accepting_overlapping_declarations_at_once_on_postgresql(url, tmp_path):
    a = write(tmp_path, example(), "a.json")
    d = example()
    d["monthly"][0]["outage_hours"] = 2
    b = write(tmp_path, d, "b.json")
    env = {TEST_HOOK_ENV: "pause:checked:1.5"}  # each holds the lock 1.5 s between its checks and its insert
    procs = [start("registry", "accept", f, "--operator", "王工", "--registry", url, "--format", "json", env=env)
             for f in (a, b)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert sorted(p.returncode for p in procs) == [0, 1], [o[1] for o in outs]
    loser = json.loads(outs[[p.returncode for p in procs].index(1)][0])
    assert [f["code"] for f in loser["findings"]] == ["registry.duplicate_declaration"]
    with Registry.open(url) as reg:
        assert len(reg.list()) == 1 and reg.verify().ok


def test_backup_of_postgresql_points_to_pg_dump_and_validate_takes_a_url(url, tmp_path, capsys):
    with Registry.open(url) as reg:
        with pytest.raises(RegistryError, match="pg_dump"):
            reg.backup(tmp_path / "x")
    assert main(["registry", "accept", str(write(tmp_path, example(), "a.json")), "--operator", "王工",
                 "--registry", url]) == 0
    capsys.readouterr()
    d = example()
    d["monthly"][0]["outage_hours"] = 2
    assert main(["registry", "check", str(write(tmp_path, d, "b.json")), "--registry", url, "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["findings"][0]["code"] == "registry.duplicate_declaration"
    bad = url.replace("hpcarbon@", "nosuchuser@")
    assert main(["registry", "list", "--registry", bad]) == 2
    err = capsys.readouterr().err
    assert "cannot open the registry" in err and "Traceback" not in err
