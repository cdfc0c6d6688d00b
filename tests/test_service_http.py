"""`hpcarbon serve` over real HTTP: a uvicorn server started once for this module on a free port of
127.0.0.1 (the real command), called with httpx — every endpoint, auth, limits, a hostile upload among
good ones, concurrent uploads, masking and the access log."""

from __future__ import annotations

import hashlib
import io
import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from builders import example, iso7064_mod11_2
from hostile_corpus import billion_laughs, zip_bomb
from openpyxl import load_workbook
from service_support import TOKEN, start_server
from validate_support import EXAMPLES, filled, located

from hpcarbon.validator import validate_file

EXAMPLE = EXAMPLES / "example-declaration.xlsx"
ALL_EXAMPLES = sorted(EXAMPLES.glob("*.xlsx"))
RID = "22010219850312123" + iso7064_mod11_2("22010219850312123")
NAME, PHONE = "张三丰", "13812345678"
MAX_FILE = 400_000


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = start_server(tmp_path_factory.mktemp("service"), "--no-registry", "--workers", "2", "--queue", "4", "--max-files", "5",
                       "--max-request-mb", "1.5", "--limit", f"max_file_bytes={MAX_FILE}")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=120) as c:
        yield c


def _files(*paths, field="files"):
    return [(field, (p.name, p.read_bytes(), "application/octet-stream")) for p in paths]


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["code"] == code
    assert body["message_zh"] and body["message_en"] and body["message_zh"] != body["message_en"]
    return body


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok" and r.json()["workers"] == 2 and r.json()["registry"] is False


def test_validate_answers_the_same_report_as_the_cli(client):
    r = client.post("/api/v1/validate", files=_files(EXAMPLE))
    assert r.status_code == 200
    [report] = r.json()
    expected = json.loads(json.dumps(validate_file(EXAMPLE).report.to_dict("zh"), ensure_ascii=False))
    assert report["file"] == "example-declaration.xlsx"
    assert {k: v for k, v in report.items() if k != "file"} == {k: v for k, v in expected.items() if k != "file"}
    assert report["sha256"] == hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    assert report["status"] == "pass"
    [f] = report["findings"]
    assert (f["sheet"], f["cell"], f["code"]) == ("核算", "E9", "recompute.no_cached_value")
    english = client.post("/api/v1/validate?lang=en", files=_files(EXAMPLE)).json()[0]
    assert english["findings"][0]["message"] != f["message"] and "cells" in english["findings"][0]["message"]


def test_a_hostile_upload_among_good_ones_gets_its_own_report(client, tmp_path):
    bomb = zip_bomb(EXAMPLE, tmp_path / "bomb.xlsx", expanded_mb=60)
    laughs = billion_laughs(EXAMPLE, tmp_path / "laughs.xlsx")
    sent = [ALL_EXAMPLES[0], bomb, ALL_EXAMPLES[1], laughs]
    r = client.post("/api/v1/validate", files=_files(*sent))
    assert r.status_code == 200
    reports = r.json()
    assert [x["sha256"] for x in reports] == [hashlib.sha256(p.read_bytes()).hexdigest() for p in sent]
    assert [x["file"] for x in reports] == [p.name for p in sent]
    assert reports[0]["status"] == reports[2]["status"] == "pass"
    assert {f["code"] for f in reports[1]["findings"]} & {"file.zip_bomb"}
    assert {f["code"] for f in reports[3]["findings"]} == {"file.xml_doctype"}
    # the server is still there and answers a good file
    assert client.post("/api/v1/validate", files=_files(EXAMPLE)).json()[0]["status"] == "pass"


def test_two_uploads_of_one_project_and_season_are_both_errors(client):
    """The batch checks across the files of one request (§7.3.3), as ``hpcarbon validate`` runs them across a
    batch: the example sent twice under two names — each report names the other upload, at the project id."""
    data = EXAMPLE.read_bytes()
    sent = [("files", (name, data, "application/octet-stream")) for name in ("甲.xlsx", "乙.xlsx")]
    reports = client.post("/api/v1/validate?lang=en", files=sent).json()
    assert [r["status"] for r in reports] == ["fail", "fail"]
    for report, other in zip(reports, ("乙.xlsx", "甲.xlsx")):
        [dup] = [f for f in report["findings"] if f["code"] == "batch.duplicate_declaration"]
        assert (dup["clause"], (dup["sheet"], dup["cell"])) == ("7.3.3", located("project.id", example()))
        assert other in dup["message"]


def test_concurrent_uploads_each_get_their_own_report(server):
    def one(i: int):
        path = ALL_EXAMPLES[i % len(ALL_EXAMPLES)]
        with httpx.Client(base_url=server.url, timeout=120) as c:
            r = c.post("/api/v1/validate", files=_files(path))
        return path, r

    with ThreadPoolExecutor(4) as pool:  # 4 clients against a queue of 4 files: none refused
        answers = list(pool.map(one, range(8)))
    for path, r in answers:
        assert r.status_code == 200, r.text
        [report] = r.json()
        assert report["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest() and report["file"] == path.name


def test_annotated_copy_by_an_unguessable_link(client):
    r = client.post("/api/v1/validate?annotate=1", files=_files(EXAMPLE))
    link = r.json()[0]["annotated"]
    token = link.rsplit("/", 1)[1]
    assert link.startswith("/api/v1/annotated/") and len(token) >= 43  # 256 random bits
    got = client.get(link)
    assert got.status_code == 200 and got.content[:2] == b"PK"
    assert "example-declaration.annotated.xlsx" in got.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(got.content), read_only=True)
    assert "核算" in wb.sheetnames and len(wb.sheetnames) > 9  # the template's sheets plus the findings sheet
    _error(client.get("/api/v1/annotated/" + "A" * 43), 404, "link_expired")
    assert "annotated" not in client.post("/api/v1/validate", files=_files(EXAMPLE)).json()[0]


def test_blank_template(client):
    from hpcarbon.workbook.template import template_bytes

    r = client.get("/api/v1/template")
    assert r.status_code == 200 and r.content == template_bytes("zh")
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")


def test_bad_requests(client, tmp_path):
    _error(client.post("/api/v1/validate", content=b"x", headers={"content-type": "application/json"}),
           415, "not_multipart")
    _error(client.post("/api/v1/validate", data={"note": "no file"}, files=[("x", ("", b"", "text/plain"))]),
           400, "no_files")
    _error(client.post("/api/v1/validate?lang=fr", files=_files(EXAMPLE)), 400, "bad_parameter")
    _error(client.post("/api/v1/validate?annotate=7", files=_files(EXAMPLE)), 400, "bad_parameter")
    text = tmp_path / "notes.xlsx"
    text.write_text("plain text, not a workbook")
    body = _error(client.post("/api/v1/validate", files=_files(text)), 415, "not_a_workbook")
    assert body["code"] == "not_a_workbook"
    assert client.post("/api/v1/validate", files=_files(text)).json()["reports"][0]["status"] == "fail"
    _error(client.get("/api/v1/nothing-here"), 404, "not_found")


def test_limits_answer_413_and_429(client, tmp_path):
    big = tmp_path / "big.xlsx"
    big.write_bytes(b"PK" + b"\0" * (MAX_FILE + 1))
    _error(client.post("/api/v1/validate", files=_files(big)), 413, "file_too_large")
    huge = tmp_path / "huge.xlsx"
    huge.write_bytes(b"PK" + b"\0" * int(1.6 * 1024 * 1024))
    _error(client.post("/api/v1/validate", files=_files(huge)), 413, "request_too_large")
    _error(client.post("/api/v1/validate", files=_files(*[EXAMPLE] * 6)), 413, "too_many_files")
    # 5 files are allowed in a request, but the queue holds 4: refused at once, nothing validated
    r = client.post("/api/v1/validate", files=_files(*[EXAMPLE] * 5))
    _error(r, 429, "busy")
    assert int(r.headers["retry-after"]) > 0
    assert client.get("/healthz").json()["queue"]["in_flight"] == 0


def test_write_endpoints_need_a_valid_bearer_token(client):
    r = client.post("/api/v1/declarations", files=_files(EXAMPLE))
    _error(r, 401, "unauthorized")
    assert r.headers["www-authenticate"] == "Bearer"
    _error(client.post("/api/v1/declarations", files=_files(EXAMPLE), headers={"Authorization": "Bearer wrong"}),
           403, "forbidden")
    _error(client.post("/api/v1/declarations/1/withdraw", json={"reason": "x"},
                       headers={"Authorization": "Basic " + TOKEN}), 401, "unauthorized")
    auth = {"Authorization": f"Bearer {TOKEN}"}
    # a valid token, but this server has no registry: 503, said so
    _error(client.post("/api/v1/declarations", files=_files(EXAMPLE), headers=auth), 503, "registry_not_configured")
    _error(client.post("/api/v1/declarations/1/withdraw", json={"reason": "x"}, headers=auth),
           503, "registry_not_configured")
    _error(client.get("/api/v1/declarations", params={"project": "CC-HP-2024-0001"}), 503, "registry_not_configured")
    _error(client.get("/api/v1/declarations/1"), 503, "registry_not_configured")


def test_docs_and_openapi_are_served_locally(client):
    spec = client.get("/openapi.json").json()
    for path in ("/api/v1/validate", "/api/v1/declarations", "/api/v1/declarations/{declaration_id}",
                 "/api/v1/declarations/{declaration_id}/withdraw", "/api/v1/template", "/healthz"):
        assert path in spec["paths"]
    assert "multipart/form-data" in spec["paths"]["/api/v1/validate"]["post"]["requestBody"]["content"]
    docs = client.get("/docs").text
    assert "/docs/assets/swagger-ui-bundle.js" in docs and "http://" not in docs and "https://" not in docs
    js = client.get("/docs/assets/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.content) > 500_000
    assert client.get("/docs/assets/swagger-ui.css").status_code == 200


def test_personal_data_masked_in_answers_and_absent_from_the_log(client, server, tmp_path):
    d = example()
    d["project"]["owner"] = {"type": "individual", "name": NAME, "id_number": RID, "phone": PHONE}
    path = filled(tmp_path, d, name=f"{NAME}的申报.xlsx")
    r = client.post("/api/v1/validate?annotate=1", files=_files(path))
    page = client.post("/check", files=_files(path))
    for text in (r.text, page.text, "\n".join(server.log_lines())):
        for secret in (NAME, RID, PHONE, "三丰"):
            assert secret not in text
    assert r.json()[0]["file"] == "张**的申报.xlsx" and "张**" in page.text


def test_access_log_is_json_lines_without_file_names(client, server):
    link = client.post("/api/v1/validate?annotate=1", files=_files(EXAMPLE)).json()[0]["annotated"]
    assert client.get(link).status_code == 200  # the download's path holds the secret token: logged masked
    records = [json.loads(line) for line in server.log_lines() if line.startswith("{")]
    assert records and all({"ts", "method", "path", "status", "ms", "bytes_in", "bytes_out"} <= set(r) for r in records)
    validated = [r for r in records if r["path"] == "/api/v1/validate" and r["status"] == 200]
    assert validated and all(r["files"] >= 1 for r in validated)
    log = "\n".join(server.log_lines())
    assert "example-declaration" not in log and "/api/v1/annotated/…" in log and TOKEN not in log


def test_uploads_are_gone_after_the_answer(client, server):
    client.post("/api/v1/validate?annotate=1", files=_files(EXAMPLE))
    leftovers = [p for p in server.tmp.rglob("*") if p.is_file() and "hpcarbon-upload" in str(p)]
    assert leftovers == []


def test_page_works_without_javascript(client):
    page = client.get("/")
    assert page.status_code == 200 and 'action="/check"' in page.text and 'enctype="multipart/form-data"' in page.text
    r = client.post("/check", files=_files(EXAMPLE), data={"annotate": "1"})
    assert r.status_code == 200
    assert "通过 <span class=\"en\">PASS</span>" in r.text and 'data-cell="核算!E9"' in r.text
    assert "/api/v1/annotated/" in r.text and "<svg" in r.text
    fragment = client.post("/check?fragment=1", files=_files(EXAMPLE)).text
    assert fragment.lstrip().startswith("<section") and "<html" not in fragment
    too_many = client.post("/check", files=_files(*[EXAMPLE] * 6))
    assert too_many.status_code == 413 and "error-box" in too_many.text and "<html" in too_many.text
