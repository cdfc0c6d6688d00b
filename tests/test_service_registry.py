"""The registry's endpoints of `hpcarbon serve` over real HTTP (one server for this module, with a SQLite
registry): accept (bearer token), list by project, show, withdraw, and /validate carrying the registry checks."""

from __future__ import annotations

import hashlib

import httpx
import pytest
from builders import example, iso7064_mod11_2, put
from service_support import TOKEN, start_server
from validate_support import EXAMPLES, filled

EXAMPLE = EXAMPLES / "example-declaration.xlsx"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
RID = "22010219850312123" + iso7064_mod11_2("22010219850312123")
NAME, PHONE = "张三丰", "13812345678"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("service-registry")
    srv = start_server(folder, "--registry", str(folder / "registry.sqlite"), "--workers", "2")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=120) as c:
        yield c


def _file(path, name=None):
    return [("files", (name or path.name, path.read_bytes(), "application/octet-stream"))]


def test_accept_list_show_withdraw(client, tmp_path):
    assert client.get("/healthz").json()["registry"] is True
    r = client.post("/api/v1/declarations", files=_file(EXAMPLE), headers=AUTH)
    assert r.status_code == 201, r.text
    body = r.json()
    ident = body["id"]
    assert body["status"] == "accepted" and r.headers["location"] == f"/api/v1/declarations/{ident}"
    assert body["report"]["sha256"] == hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()

    again = client.post("/api/v1/declarations", files=_file(EXAMPLE), headers=AUTH)
    assert again.status_code == 200 and again.json()["status"] == "already"

    # the same project and season with other readings: §7.3.3, refused with its report (422)
    d = put(example(), "monthly[1].electricity_kwh.air", 47000)
    other = filled(tmp_path, d, name="resubmitted.xlsx")
    refused = client.post("/api/v1/declarations", files=_file(other), headers=AUTH)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "declaration_rejected"
    assert "registry.duplicate_declaration" in {f["code"] for f in refused.json()["report"]["findings"]}
    # /validate with a registry configured carries the same check, without recording anything
    checked = client.post("/api/v1/validate", files=_file(other)).json()[0]
    assert "registry.duplicate_declaration" in {f["code"] for f in checked["findings"]}
    assert checked["status"] == "fail"

    listed = client.get("/api/v1/declarations", params={"project": "CC-HP-2024-0001"})
    assert listed.status_code == 200
    assert [(x["id"], x["project_id"], x["status"]) for x in listed.json()] == [(ident, "CC-HP-2024-0001", "accepted")]
    assert client.get("/api/v1/declarations", params={"project": "NO-SUCH"}).json() == []

    shown = client.get(f"/api/v1/declarations/{ident}")
    assert shown.status_code == 200 and shown.json()["id"] == ident and shown.json()["status"] == "accepted"
    assert shown.json()["file"] == "example-declaration.xlsx"  # recorded under the upload's own name
    assert client.get("/api/v1/declarations/99999").status_code == 404

    assert client.post(f"/api/v1/declarations/{ident}/withdraw", json={"reason": "x"}).status_code == 401
    no_reason = client.post(f"/api/v1/declarations/{ident}/withdraw", json={}, headers=AUTH)
    assert no_reason.status_code == 400 and no_reason.json()["error"]["code"] == "bad_parameter"
    w = client.post(f"/api/v1/declarations/{ident}/withdraw", json={"reason": "填报错误 / wrong figures"}, headers=AUTH)
    assert w.status_code == 200 and w.json()["status"] == "withdrawn"
    assert client.get(f"/api/v1/declarations/{ident}").json()["status"] == "withdrawn"
    assert client.post(f"/api/v1/declarations/{ident}/withdraw", json={"reason": "x"}, headers=AUTH).status_code == 400
    assert client.post("/api/v1/declarations/99999/withdraw", json={"reason": "x"}, headers=AUTH).status_code == 404


def test_accept_refuses_a_file_that_is_not_a_declaration_and_takes_one_file(client, tmp_path):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    r = client.post("/api/v1/declarations", files=_file(junk), headers=AUTH)
    assert r.status_code == 422 and r.json()["report"]["status"] == "fail"
    two = client.post("/api/v1/declarations", files=_file(EXAMPLE) + _file(EXAMPLE), headers=AUTH)
    assert two.status_code == 413 and two.json()["error"]["code"] == "too_many_files"


def test_an_individual_owner_is_masked_in_what_the_registry_shows(client, tmp_path):
    d = example()
    d["project"]["id"] = "CC-HP-2024-0777"
    d["project"]["owner"] = {"type": "individual", "name": NAME, "id_number": RID, "phone": PHONE}
    path = filled(tmp_path, d, name="owner.xlsx")
    r = client.post("/api/v1/declarations", files=_file(path), headers=AUTH)
    assert r.status_code == 201, r.text
    shown = client.get(f"/api/v1/declarations/{r.json()['id']}").text
    listed = client.get("/api/v1/declarations", params={"project": "CC-HP-2024-0777"}).text
    for text in (r.text, shown, listed):
        for secret in (NAME, RID, PHONE):
            assert secret not in text


def test_a_broken_registry_module_fails_loudly_not_as_a_missing_feature(tmp_path, monkeypatch, capsys):
    """`hpcarbon serve --registry` whose registry module cannot be imported (a broken install): the CLI's
    bilingual internal error (exit 2, hpcarbon.exit_codes), naming the import error — never reported as a
    version without registry support, and no server started."""
    import sys

    from hpcarbon.cli import main

    monkeypatch.setitem(sys.modules, "hpcarbon.registry", None)  # importing it now raises ImportError
    assert main(["serve", "--registry", str(tmp_path / "r.sqlite"), "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert "内部错误 / internal error: ModuleNotFoundError" in err and "hpcarbon.registry" in err
    assert "registry support" not in err and "Traceback" not in err
    assert not (tmp_path / "r.sqlite").exists()


def test_a_workers_accept_answer_is_typed(tmp_path):
    """run_accept (in-process here) answers with the registry's OutcomeStatus, the declaration's id and its
    report — the endpoint compares the enum, not strings; the same file again is ALREADY, same id; a registry
    never initialised answers registry_error, no status."""
    from hpcarbon.registry import OutcomeStatus, Registry
    from hpcarbon.service.declarations import AcceptJob, run_accept
    from hpcarbon.validator.limits import DEFAULT_LIMITS

    def job(registry):
        return AcceptJob(0, EXAMPLE.name, EXAMPLE.read_bytes(), DEFAULT_LIMITS, registry=registry, operator="test")

    Registry.open(str(tmp_path / "registry.sqlite"), create=True).close()
    first = run_accept(job(str(tmp_path / "registry.sqlite")))
    assert first.status is OutcomeStatus.ACCEPTED and isinstance(first.declaration_id, int)
    assert first.report["sha256"] == hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    assert first.registry_error is None and first.failed is None
    again = run_accept(job(str(tmp_path / "registry.sqlite")))
    assert (again.status, again.declaration_id) == (OutcomeStatus.ALREADY, first.declaration_id)
    broken = run_accept(job(str(tmp_path / "none.sqlite")))  # never initialised
    assert broken.status is None and broken.registry_error
