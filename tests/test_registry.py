"""The declaration registry on SQLite: accept / check / withdraw / list / show / export / verify / backup, the
checks against everything accepted before (§7.3.3, §6.2.4.3), tamper evidence and migrations.

Expected numbers are worked by hand from the SPEC §12 example (air, COP 2.4, W = 320 000 kWh, t = 4 032 h):
Q = 320 000 × 2.4 × 0.0036 = 2 764.8 GJ, BE = 2 764.8 × 0.11 = 304.128 t, PE by formula (4) written again.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest
from builders import EF_HEAT, example, floor_cents, metered_ground, pe_formula, shift_years
from registry_support import fresh_registry, individual, next_season_metered, other_project, write
from sqlalchemy import text

from hpcarbon.cli import main
from hpcarbon.privacy import mask_id, mask_name, mask_phone
from hpcarbon.registry import Registry, RegistryError
from hpcarbon.registry.database import head_revision

EXAMPLE_PE = pe_formula(320_000)
EXAMPLE_HOURS = 4032.0  # (12 + 30 + 31 + 31 + 28 + 31 + 5) days × 24 h


@pytest.fixture
def reg(tmp_path):
    r = Registry.open(str(fresh_registry(tmp_path)))
    yield r
    r.close()


def codes(outcome):
    return [f.code for f in outcome.report.findings]


def only(outcome, code):
    hits = [f for f in outcome.report.findings if f.code == code]
    assert len(hits) == 1, codes(outcome)
    return hits[0]


# --- opening, schema version ---------------------------------------------------------------------------
def test_init_creates_the_schema_at_the_migration_head_and_reopens(tmp_path):
    path = tmp_path / "r.sqlite"
    with Registry.open(str(path), create=True) as r:
        assert r.revision() == head_revision() == "0002"
    with Registry.open(str(path)) as r:  # opening again changes nothing
        assert r.revision() == "0002"


def test_a_registry_made_by_the_previous_schema_opens_in_this_version(tmp_path):
    from alembic import command
    from sqlalchemy import inspect

    from hpcarbon.registry.database import alembic_config, make_engine, write_transaction

    path = tmp_path / "old.sqlite"
    engine = make_engine(str(path))
    cfg = alembic_config()
    with write_transaction(engine) as conn:  # the schema as version 0001 made it …
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    old = Registry(engine, str(path))  # … and a declaration accepted into it
    assert old.revision() == "0001"
    assert old.accept(write(tmp_path, example(), "a.json"), operator="王工").status == "accepted"
    old.close()
    with Registry.open(str(path)) as reg:  # this version migrates it on opening, the record intact
        assert reg.revision() == "0002"
        assert [r.id for r in reg.list()] == [1] and reg.verify().ok
        indexes = {i["name"] for i in inspect(reg.engine).get_indexes("declarations")}
        assert "ix_declarations_status" not in indexes and "ix_declarations_project" in indexes


def test_missing_or_uninitialised_registry_is_refused_bilingually(tmp_path):
    with pytest.raises(RegistryError, match="hpcarbon registry init"):
        Registry.open(str(tmp_path / "none.sqlite"))
    sqlite3.connect(tmp_path / "empty.sqlite").close()
    with pytest.raises(RegistryError, match="不是已初始化的登记簿.*not an initialised registry"):
        Registry.open(str(tmp_path / "empty.sqlite"))


def test_a_registry_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "r.sqlite"
    Registry.open(str(path), create=True).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    with pytest.raises(RegistryError, match="9999.*newer hpcarbon"):
        Registry.open(str(path))


def test_migrations_build_exactly_the_tables_the_code_uses(reg):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from hpcarbon.registry.schema import metadata

    with reg.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_registry_show_text_shows_a_stored_infinite_trace_value_as_the_reports_do(reg, tmp_path):
    """The stored trace holds ∞ (one method gives 0) as null; `registry show` prints ∞ as the text and HTML
    reports do, never "None"; finite values as the reports show them (SPEC §12: d = 5 %, t = 4 032 h)."""
    from hpcarbon.registry.commands import _show_text

    reg.accept(write(tmp_path, example(), "a.json"), operator="王工")
    shown = reg.show(1)
    steps = {step["step"]: step for step in shown["trace"]}
    assert steps["heating_hours"]["output"]["value"] == 4032
    steps["deviation"]["output"]["value"] = None  # as a season whose electricity method gives 0 is stored
    text = _show_text(shown, "en")
    line = next(ln for ln in text.splitlines() if "[6.2.3.2]" in ln and "deviation" in ln.lower())
    assert line.rstrip().endswith("= ∞") or "= ∞ " in line, line
    assert "None" not in text
    assert "= 4,032 h" in text


# --- accept, the same file again, check ----------------------------------------------------------------
def test_accept_records_the_declaration_with_results_boundary_and_archived_file(reg, tmp_path):
    path = write(tmp_path, example(), "a.json")
    out = reg.accept(path, operator="王工")
    assert out.status == "accepted" and out.declaration_id == 1 and out.exit_code == 0
    shown = reg.show(1)
    assert shown["project"]["id"] == "CC-HP-2024-0001" and shown["season"] == {"start": "2024-10-20",
                                                                               "end": "2025-04-05"}
    res = shown["results"]
    assert res["heat_supplied_gj"] == pytest.approx(2764.8)
    assert res["baseline_emissions_t"] == pytest.approx(2764.8 * EF_HEAT)
    assert res["project_emissions_t"] == pytest.approx(EXAMPLE_PE)
    assert res["creditable_reductions_t"] == floor_cents(2764.8 * EF_HEAT - EXAMPLE_PE) == 147.82
    # records kept 5 years beyond a 15-year crediting period from 2023-10-20: 2038-10-19 + 5 y
    assert shown["records_keep_until"] == "2043-10-19"
    assert shown["boundary"]["systems"][0]["electricity_meter"] == "EM-001"
    assert shown["boundary"]["estimated_types"] == ["air"] and shown["boundary"]["metered_types"] == []
    assert shown["boundary"]["areas"][0]["address"] == "长春市南关区示例路 1 号"
    assert shown["parameter_version"] == "V01" and shown["operator"] == "王工"
    assert [s["step"] for s in shown["trace"]][:2] == ["parameters", "heating_hours"]
    assert [e["kind"] for e in shown["history"]] == ["accepted"]
    assert reg.archived_file(shown["sha256"]) == path.read_bytes()


def test_the_same_file_again_is_a_no_op_that_says_so(reg, tmp_path):
    path = write(tmp_path, example(), "a.json")
    reg.accept(path, operator="王工")
    again = reg.accept(path, operator="李工")
    assert again.status == "already" and again.declaration_id == 1 and again.exit_code == 0
    f = only(again, "registry.already_accepted")
    assert "#1" in f.message("zh") and "nothing new is recorded" in f.message("en")
    assert len(reg.list()) == 1 and reg.verify().events == 1


def test_check_records_nothing(reg, tmp_path):
    path = write(tmp_path, example(), "a.json")
    assert reg.check(path).status == "passed"
    assert reg.list() == [] and reg.verify().events == 0


def test_a_failing_file_is_refused_with_its_report_and_nothing_recorded(reg, tmp_path):
    d = example()
    d["project"]["statements"]["not_claimed_elsewhere"] = False
    out = reg.accept(write(tmp_path, d, "bad.json"), operator="王工")
    assert out.status == "refused" and out.exit_code == 1 and "statement.not_affirmed" in codes(out)
    assert reg.list() == []


def test_an_unreadable_file_is_exit_2(reg, tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text("{not json", encoding="utf-8")
    out = reg.accept(bad, operator="王工")
    assert out.status == "unreadable" and out.exit_code == 2 and reg.list() == []


# --- §7.3.3 -------------------------------------------------------------------------------------------
def test_same_project_overlapping_season_is_an_error_located_at_the_project_id(reg, tmp_path):
    reg.accept(write(tmp_path, example(), "a.json"), operator="王工")
    d = example()
    d["season"]["end"] = "2025-04-04"  # another file (another SHA-256), the same project and nearly the same season
    d["monthly"][-1]["heating_hours"] = 4 * 24
    out = reg.accept(write(tmp_path, d, "b.json"), operator="王工")
    assert out.status == "refused"
    f = only(out, "registry.duplicate_declaration")
    assert f.severity.value == "error" and f.clause == "7.3.3" and f.field == "project.id"
    assert "#1" in f.message("zh") and "a.json" in f.message("en") and "2024-10-20" in f.message("en")
    assert len(reg.list()) == 1


def test_the_next_season_of_the_same_project_is_accepted(reg, tmp_path):
    reg.accept(write(tmp_path, example(), "a.json"), operator="王工")
    out = reg.accept(write(tmp_path, shift_years(example(), 1), "b.json"), operator="王工")
    assert out.status == "accepted", codes(out)


def test_project_ids_are_compared_normalised(reg, tmp_path):
    reg.accept(write(tmp_path, example(), "a.json"), operator="王工")
    d = example()
    d["project"]["id"] = "ｃｃ-hp-2024-0001"  # full-width, lower case: the same filing number
    d["monthly"][0]["heating_hours"] = 11 * 24  # another file
    d["monthly"][0]["outage_hours"] = 0
    out = reg.check(write(tmp_path, d, "b.json"))
    assert "registry.duplicate_declaration" in codes(out)


def test_the_same_electricity_meter_in_another_project_overlapping_is_an_error(reg, tmp_path):
    reg.accept(write(tmp_path, example(), "a.json"), operator="王工")
    d = other_project(example(), meter=" em-001 ")  # the example's EM-001, typed differently
    out = reg.accept(write(tmp_path, d, "b.json"), operator="王工")
    assert out.status == "refused"
    f = only(out, "registry.meter_claimed_elsewhere")
    assert f.field == "systems[0].electricity_meter.id" and f.clause == "7.3.3"
    assert "CC-HP-2024-0001" in f.message("en") and "electricity meter" in f.message("en") and "电能表" in f.message("zh")


def test_the_same_meter_in_another_project_a_season_apart_is_no_finding(reg, tmp_path):
    reg.accept(write(tmp_path, example(), "a.json"), operator="王工")  # the meter changed hands afterwards
    d = shift_years(other_project(example(), meter="EM-001"), 1)
    assert reg.accept(write(tmp_path, d, "b.json"), operator="王工").status == "accepted"


def test_the_same_address_in_another_project_overlapping_is_a_warning(reg, tmp_path):
    reg.accept(write(tmp_path, example(), "a.json"), operator="王工")
    d = other_project(example(), address="长春市南关区 示例路1号")  # the example's address, spaced differently
    out = reg.accept(write(tmp_path, d, "b.json"), operator="王工")
    assert out.status == "accepted"  # a warning: a verifier looks, the declaration stands
    f = only(out, "registry.address_claimed_elsewhere")
    assert f.severity.value == "warning" and f.field == "project.address"
    assert reg.show(out.declaration_id)["findings"][0]["code"] == "registry.address_claimed_elsewhere"


# --- withdraw -----------------------------------------------------------------------------------------
def test_withdraw_keeps_the_record_and_frees_the_season(reg, tmp_path):
    reg.accept(write(tmp_path, example(), "a.json"), operator="王工")
    seq = reg.withdraw(1, reason="业主申请撤回", operator="李工")
    assert seq == 2
    shown = reg.show(1)
    assert shown["status"] == "withdrawn"
    assert [(e["kind"], e["operator"], e["details"]) for e in shown["history"]] == [
        ("accepted", "王工", shown["history"][0]["details"]), ("withdrawn", "李工", {"reason": "业主申请撤回"})]
    d = example()
    d["monthly"][0]["outage_hours"] = 1  # a corrected resubmission (another file) of the same season
    assert reg.accept(write(tmp_path, d, "b.json"), operator="王工").status == "accepted"
    with pytest.raises(RegistryError, match="withdrawn already"):
        reg.withdraw(1, reason="again", operator="李工")
    with pytest.raises(RegistryError, match="no declaration #99"):
        reg.withdraw(99, reason="x", operator="李工")
    assert reg.verify().ok


def test_a_withdrawn_file_cannot_be_accepted_again_as_it_is(reg, tmp_path):
    path = write(tmp_path, example(), "a.json")
    reg.accept(path, operator="王工")
    reg.withdraw(1, reason="错误", operator="李工")
    out = reg.accept(path, operator="王工")
    assert out.status == "refused" and codes(out)[-1] == "registry.withdrawn_resubmitted"


# --- §6.2.4.3 -----------------------------------------------------------------------------------------
def test_a_later_metered_season_records_the_correction_of_a_higher_earlier_estimate(reg, tmp_path):
    reg.accept(write(tmp_path, example(), "est.json"), operator="王工")
    out = reg.accept(write(tmp_path, next_season_metered(), "met.json"), operator="王工")
    assert out.status == "accepted", codes(out)
    # estimate 2 764.8 GJ / 4 032 h = 0.685714… GJ/h; metered 2 419.2 GJ / 4 032 h = 0.6 GJ/h: corrected to
    # Q' = 0.6 × 4 032 = 2 419.2 GJ, BE' = 2 419.2 × 0.11 = 266.112 t, ER' = BE' − PE (PE unchanged)
    f = only(out, "registry.corrects_earlier_estimate")
    assert f.severity.value == "warning" and f.clause == "6.2.4.3"
    assert "0.6857" in f.message("en") and "0.6000" in f.message("en") and "2419.200" in f.message("en")
    (fix,) = out.corrections
    assert fix.declaration_id == 1
    assert fix.heat_supplied_gj == pytest.approx(2419.2)
    assert fix.baseline_emissions_t == pytest.approx(266.112)
    assert fix.emission_reductions_t == pytest.approx(266.112 - EXAMPLE_PE)
    assert fix.creditable_reductions_t == floor_cents(266.112 - EXAMPLE_PE) == 109.80
    (listed,) = reg.list(needs_correction=True)
    assert listed.id == 1 and listed.corrected_creditable_t == 109.80 and listed.creditable_reductions_t == 147.82
    shown = reg.show(1)
    assert [e["kind"] for e in shown["history"]] == ["accepted", "corrected"]
    assert shown["corrections"][0]["by_declaration"] == 2
    assert reg.verify().ok


def test_a_metered_season_not_below_the_estimate_corrects_nothing(reg, tmp_path):
    reg.accept(write(tmp_path, example(), "est.json"), operator="王工")
    d = next_season_metered()
    d["monthly"][5]["heat_gj"]["air"] = 519.2 + 345.6  # Σ = 2 764.8 GJ: exactly the estimate's rate
    out = reg.accept(write(tmp_path, d, "met.json"), operator="王工")
    assert out.status == "accepted" and out.corrections == [] and reg.list(needs_correction=True) == []


def test_heat_is_compared_per_heating_hour_not_per_season(reg, tmp_path):
    # the metered season is 10 days shorter (3 792 h) with 2 600 GJ: less heat in total than the estimate's
    # 2 764.8 GJ, but 2 600 / 3 792 = 0.6857 GJ/h… vs 2 764.8 / 4 032 = 0.685714 GJ/h: 2 600/3 792 = 0.685654 is
    # still lower, so a correction to 0.685654… × 4 032 = 2 764.557 GJ; by season totals it would be 2 600
    reg.accept(write(tmp_path, example(), "est.json"), operator="王工")
    d = next_season_metered()
    d["season"]["end"] = "2026-03-26"
    d["monthly"] = d["monthly"][:-1]
    d["monthly"][-1]["heating_hours"] = 26 * 24
    heat = [100, 350, 450, 480, 420, 800]  # Σ 2 600 GJ over (12+30+31+31+28+26) × 24 = 3 792 h
    for rec, q in zip(d["monthly"], heat):
        rec["heat_gj"]["air"] = q
    out = reg.accept(write(tmp_path, d, "met.json"), operator="王工")
    assert out.status == "accepted", codes(out)
    (fix,) = out.corrections
    assert fix.heat_supplied_gj == pytest.approx(2600 / 3792 * 4032)
    assert fix.heat_supplied_gj > 2600


def test_estimating_a_type_after_an_accepted_metered_season_is_an_error(reg, tmp_path):
    reg.accept(write(tmp_path, next_season_metered(), "met.json"), operator="王工")
    later = shift_years(example(), 2)  # 2026-10 … 2027-04, air estimated again
    out = reg.accept(write(tmp_path, later, "est.json"), operator="王工")
    assert out.status == "refused"
    f = only(out, "registry.estimate_after_metered")
    assert f.clause == "6.2.4.3" and f.field == "systems[0].heat_metered"
    assert "air-source heat pump" in f.message("en") and "#1" in f.message("zh")


def test_an_earlier_estimate_above_an_accepted_later_metered_season_is_an_error(reg, tmp_path):
    reg.accept(write(tmp_path, next_season_metered(), "met.json"), operator="王工")  # 2025-10 … 2026-04
    out = reg.accept(write(tmp_path, example(), "est.json"), operator="王工")  # 2024-10 … 2025-04, submitted late
    f = only(out, "registry.estimate_above_later_metered")
    assert out.status == "refused" and f.field == "season.start"
    assert "0.6857" in f.message("en") and "0.6000" in f.message("en")


# --- list, purge, export, privacy ---------------------------------------------------------------------
def test_list_filters_and_the_purge_listing(reg, tmp_path):
    reg.accept(write(tmp_path, example(), "a.json"), operator="王工")
    reg.accept(write(tmp_path, other_project(example()), "b.json"), operator="王工")
    reg.withdraw(2, reason="x", operator="李工")
    assert [r.id for r in reg.list(project="cc-hp-2024-0001")] == [1]
    assert [r.id for r in reg.list(status="withdrawn")] == [2]
    # kept until 2043-10-19 (operation 2023-10-20, 15 + 5 years): purgeable from the day after, not on it
    assert reg.list(keep_before=date(2043, 10, 19)) == []
    assert [r.id for r in reg.list(keep_before=date(2043, 10, 20))] == [1, 2]


def test_export_and_show_mask_an_individual_owner(reg, tmp_path):
    d = individual(example())
    owner = d["project"]["owner"]
    d["project"]["name"] = "张三丰家热泵供暖"  # a project named after its owner
    reg.accept(write(tmp_path, d, "a.json"), operator="王工")
    rows = list(reg.export_rows())
    dumped = json.dumps(rows, ensure_ascii=False) + json.dumps(reg.show(1), ensure_ascii=False)
    for raw in (owner["name"], owner["id_number"], owner["phone"]):
        assert raw not in dumped
    assert rows[0]["owner_name"] == "张**" == mask_name("张三丰")
    assert rows[0]["owner_id_number"] == "2201" + "*" * 10 + owner["id_number"][-4:] == mask_id(owner["id_number"])
    assert reg.show(1)["project"]["owner"]["phone"] == "138****5678" == mask_phone("13812345678")
    assert rows[0]["project_name"] == "张**家热泵供暖"


# --- tamper evidence ----------------------------------------------------------------------------------
def _accept_three(reg, tmp_path):
    reg.accept(write(tmp_path, example(), "a.json"), operator="王工")
    reg.accept(write(tmp_path, other_project(example()), "b.json"), operator="王工")
    reg.withdraw(2, reason="x", operator="李工")
    reg.accept(write(tmp_path, shift_years(example(), 1), "c.json"), operator="王工")
    assert reg.verify().ok and reg.verify().events == 4 and reg.verify().files == 3


def _sql(reg, statement: str) -> None:
    with reg.engine.begin() as conn:  # behind the tool's back: straight SQL
        conn.execute(text(statement))


def test_verify_names_a_declaration_row_edited_behind_the_tools_back(reg, tmp_path):
    _accept_three(reg, tmp_path)
    _sql(reg, "UPDATE declarations SET creditable_reductions_t = 999.0 WHERE id = 1")
    result = reg.verify()
    assert not result.ok
    assert [p.declaration for p in result.problems] == [1] and "declaration #1" in result.problems[0].en


def test_verify_names_the_first_event_that_no_longer_matches(reg, tmp_path):
    _accept_three(reg, tmp_path)
    _sql(reg, "UPDATE events SET operator = '某人' WHERE seq = 3")  # who withdrew #2
    result = reg.verify()
    assert result.problems[0].event == 3 and "event #3" in result.problems[0].en


def test_verify_sees_a_deleted_event_and_an_undone_withdrawal(reg, tmp_path):
    _accept_three(reg, tmp_path)
    _sql(reg, "DELETE FROM events WHERE seq = 3")
    _sql(reg, "UPDATE declarations SET status = 'accepted' WHERE id = 2")
    result = reg.verify()
    assert result.problems[0].event == 4  # the chain breaks where the deleted event was
    assert "deleted or inserted" in result.problems[0].en


def test_verify_checks_every_archived_file(reg, tmp_path):
    import zlib

    _accept_three(reg, tmp_path)
    with reg.engine.begin() as conn:
        conn.execute(text("UPDATE archive SET content = :c WHERE rowid = 1"), {"c": zlib.compress(b"other bytes")})
    result = reg.verify()
    assert len(result.problems) == 1 and "archived file" in result.problems[0].en


def test_cli_verify_exit_status_and_first_bad_event(tmp_path, capsys):
    db = tmp_path / "r.sqlite"
    assert main(["registry", "init", "--registry", str(db)]) == 0
    for name, d in (("a.json", example()), ("b.json", shift_years(example(), 1))):
        assert main(["registry", "accept", str(write(tmp_path, d, name)), "--operator", "王工",
                     "--registry", str(db)]) == 0
    capsys.readouterr()
    assert main(["registry", "verify", "--registry", str(db)]) == 0
    assert "intact" in capsys.readouterr().out
    con = sqlite3.connect(db)
    con.execute("UPDATE events SET payload = replace(payload, '2025-04-05', '2025-04-06') WHERE seq = 1")
    con.commit()
    con.close()
    assert main(["registry", "verify", "--registry", str(db)]) == 1
    out = capsys.readouterr().out
    assert "first event that does not match: #1" in out and "第一个不符的事件：#1" in out


# --- backup -------------------------------------------------------------------------------------------
def test_backup_is_a_consistent_copy_and_never_overwrites(reg, tmp_path):
    reg.accept(write(tmp_path, example(), "a.json"), operator="王工")
    copy = tmp_path / "copy.sqlite"
    reg.backup(copy)
    with Registry.open(str(copy)) as r2:
        assert [r.id for r in r2.list()] == [1] and r2.verify().ok
    with pytest.raises(RegistryError, match="exists; add --force"):
        reg.backup(copy)
    reg.accept(write(tmp_path, shift_years(example(), 1), "b.json"), operator="王工")
    reg.backup(copy, force=True)
    with Registry.open(str(copy)) as r2:
        assert len(r2.list()) == 2


def test_check_of_several_files_checks_them_against_each_other_too(reg, tmp_path):
    reg.accept(write(tmp_path, other_project(example()), "old.json"), operator="王工")
    a = write(tmp_path, example(), "a.json")
    d = example()
    d["monthly"][0]["outage_hours"] = 2  # the same project and season as a.json: accepting both would refuse one
    b = write(tmp_path, d, "b.json")
    c = write(tmp_path, shift_years(example(), 1), "c.json")
    outcomes = reg.check_batch([a, b, c])
    assert [o.status for o in outcomes] == ["refused", "refused", "passed"]
    assert codes(outcomes[0]) == codes(outcomes[1]) == ["batch.duplicate_declaration"]
    assert "b.json" in outcomes[0].report.findings[0].message("en")
    assert [r.file_name for r in reg.list()] == ["old.json"]  # nothing recorded


def test_a_batch_compares_no_refused_project_ids(reg, tmp_path):
    """Two declarations of the same season whose project ids are refused (a number, not a text): each is
    refused for its own field, and not as a duplicate of the other — a placeholder id identifies nothing."""
    paths = []
    for name, bad_id in (("a.json", 12345), ("b.json", 678)):
        d = example()
        d["project"]["id"] = bad_id
        paths.append(write(tmp_path, d, name))
    outcomes = reg.check_batch(paths)
    assert [(o.status, [(f.code, f.field) for f in o.report.findings]) for o in outcomes] == [
        ("refused", [("field.invalid", "project.id")])] * 2


def test_an_upload_is_recorded_under_its_own_name(reg, tmp_path):
    out = reg.accept(write(tmp_path, example(), "tmp8x2k.json"), operator="服务", file_name="小区申报.json")
    assert reg.show(out.declaration_id)["file"] == "小区申报.json"


def test_every_check_is_an_index_search_never_a_scan(reg, tmp_path):
    from sqlalchemy import event

    from hpcarbon.registry.checks import registry_findings
    from hpcarbon.registry.database import read_transaction
    from hpcarbon.registry.records import record_of
    from hpcarbon.registry.submission import validate_submission

    reg.accept(write(tmp_path, example(), "a.json"), operator="王工")  # so the project look-up finds a row
    sub = validate_submission(write(tmp_path, next_season_metered(), "m.json"))
    seen = []
    listener = lambda conn, cursor, statement, params, context, many: seen.append((statement, params))  # noqa: E731
    event.listen(reg.engine, "before_cursor_execute", listener)
    with read_transaction(reg.engine) as conn:
        registry_findings(conn, record_of(sub.report.declaration, sub.report.accounting), sub.sha256)
    event.remove(reg.engine, "before_cursor_execute", listener)
    queries = [(s, p) for s, p in seen if s.lstrip().upper().startswith("SELECT")]
    assert len(queries) >= 5  # same file, project, its metered types, earlier corrections, meters, address
    con = sqlite3.connect(reg.engine.url.database)
    for statement, params in queries:
        plan = " | ".join(row[3] for row in con.execute("EXPLAIN QUERY PLAN " + statement, params))
        assert "SCAN" not in plan.replace("SCAN CONSTANT ROW", ""), (statement, plan)
    con.close()


def test_a_declaration_with_an_invalid_field_is_refused_not_compared(reg, tmp_path):
    reg.accept(write(tmp_path, example(), "a.json"), operator="王工")
    d = example()
    d["project"]["district"] = "火星区"  # not a district of Changchun: a field error, the numbers still computed
    out = reg.accept(write(tmp_path, d, "b.json"), operator="王工")
    assert out.status == "refused" and out.exit_code == 1
    assert not [c for c in codes(out) if c.startswith("registry.")]  # a draft is never compared or recorded
    assert len(reg.list()) == 1


def test_withdrawing_the_metered_season_withdraws_its_corrections(reg, tmp_path):
    reg.accept(write(tmp_path, example(), "est.json"), operator="王工")
    reg.accept(write(tmp_path, next_season_metered(), "met.json"), operator="王工")
    assert [r.id for r in reg.list(needs_correction=True)] == [1]
    reg.withdraw(2, reason="热量表数据有误", operator="李工")
    assert reg.list(needs_correction=True) == []  # the correction stays on record (show), without its basis
    assert reg.show(1)["corrections"][0]["by_declaration"] == 2 and reg.verify().ok


def test_finding_numbers_and_severity_survive_the_registry(reg, tmp_path):
    """Finding parameters are stored as numbers (JSON) and rendered when shown: COP 4.5000001 is outside the
    air band 1.5–4.5 [D] (a warning; 9 300 m² keeps the two methods within 10 %: Q_elec = 320 000 × 4.5 ×
    0.0036 = 5 184 GJ, Q_area = 40 × 9 300 × 4 032 × 3.6e-6 = 5 399.6 GJ). A severity the rule set (a heat-metered
    type's 表8 shortfall is a warning, the catalogue's default an error) is what is shown again."""
    d = example()
    d["systems"][0]["cop"]["report_value"] = 4.5000001
    d["areas"][0]["area_m2"] = 9300
    out = reg.accept(write(tmp_path, d, "a.json"), operator="王工")
    assert out.status == "accepted"
    shown = {f["code"]: f for f in reg.show(out.declaration_id, lang="en")["findings"]}
    assert "COP = 4.5000001 is outside the typical band 1.5–4.5" in shown["cop.atypical"]["message"]

    metered = shift_years(metered_ground(), 1)  # the next season: no overlap with the first
    metered["project"]["id"] = "CC-HP-2025-0002"
    metered["systems"][0]["cop"] = {"source": "onsite", "report_value": None, "report_no": None,
                                    "measurements": [{"date": "2025-11-08", "value": 4.0, "outdoor_temp_c": -5.0,
                                                      "extreme_weather": False}]}
    out = reg.accept(write(tmp_path, metered, "b.json"), operator="王工")
    assert out.status == "accepted"
    shown = reg.show(out.declaration_id, lang="en")["findings"]
    table_8 = [f for f in shown if f["code"] in ("cop.measurement_frequency", "cop.measurement_missing_month")]
    assert len(table_8) == 7 and {f["severity"] for f in table_8} == {"warning"}  # Nov 1 of 2; 6 months none


# --- findings kept as they were found: severity and clause (not rebuilt from the catalogue) ------------------
def _metered_with_one_measurement() -> dict:
    """A heat-metered ground system that also records one on-site COP measurement in November: 表8 asks 2 there
    (normal conditions), but the measurements feed no number (the heat is metered), so it is a warning."""
    d = metered_ground()
    d["systems"][0]["cop"] = {"source": "onsite", "report_value": None, "report_no": None,
                              "measurements": [{"date": "2024-11-08", "value": 3.2, "outdoor_temp_c": -5.0,
                                                "extreme_weather": False}]}
    return d



def test_registry_show_keeps_a_clause_the_finding_cites(reg, tmp_path):
    """A number typed as text into a workbook's heating-hours cell: field.coerced (catalogue clause 11) cites
    the clause of the field itself, §6.2.4.2 (actual heating hours); the record keeps it."""
    from validate_support import filled, located, set_cells

    from hpcarbon.findings import CATALOG, FORMAT_CLAUSE

    d = example()
    p = filled(tmp_path, d)
    set_cells(p, {located("monthly[2].heating_hours", d): "744"}, as_text=True)
    out = reg.accept(p, operator="王工")
    assert out.status == "accepted"
    coerced = [f for f in reg.show(out.declaration_id, "en")["findings"] if f["code"] == "field.coerced"]
    assert CATALOG["field.coerced"].clause == FORMAT_CLAUSE
    assert [(f["severity"], f["clause"], f["sheet"], f["cell"]) for f in coerced] == [
        ("warning", "6.2.4.2", *located("monthly[2].heating_hours", d))]


def test_a_finding_stored_without_severity_and_clause_reads_with_the_catalogues(reg, tmp_path):
    """Registries written before severity and clause were stored: their findings still read."""
    reg.accept(write(tmp_path, _metered_with_one_measurement(), "m.json"), operator="王工")
    old = [{"code": "cop.measurement_frequency", "params": {"month": "2024-11", "count": 1, "required": 2},
            "field": "systems[0].cop.measurements[0].date", "sheet": None, "cell": None}]
    with reg.engine.begin() as conn:
        conn.execute(text("UPDATE declarations SET findings = :f WHERE id = 1"), {"f": json.dumps(old)})
    shown = reg.show(1, "en")["findings"]
    assert [(f["code"], f["severity"], f["clause"], f["field"]) for f in shown] == [
        ("cop.measurement_frequency", "error", "表8", "systems[0].cop.measurements[0].date")]
    assert "1 on-site COP measurements, fewer than the 2 required" in shown[0]["message"]
