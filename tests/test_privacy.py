"""Issue 7 — personal data of an individual owner never leaves unmasked (SPEC §10, methodology §7.3.1).

An individual owner 王小明 with a valid resident ID (check digit computed here, ISO 7064 MOD 11-2) and a
mobile number; the same with an invalid ID; and one with errors in and around the owner cells (the ID
stored as a number, a phone with letters, the name typed again beside its cell, the workbook's author
property set to the name). Every output is searched: validate as text / json / jsonl in both languages,
the annotated copy (every cell, comment and property read back, and every XML part of it byte by byte),
the summary CSV, stderr, and ``compute`` on the JSON declarations (also malformed ones). The project is
named after its owner, as households name theirs: the name is masked there too.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from builders import run_in_process
from gate_support import example_data, filled
from openpyxl import load_workbook

from hpcarbon.privacy import IdProblem, mask_id, mask_name, resident_id_problem, uscc_problem
from hpcarbon.workbook import layout as L
from hpcarbon.workbook.reader import read_workbook

NAME = "王小明"
PHONE = "13812345678"
BIRTH = "19900307"


def resident_id(area: str = "220102", birth: str = BIRTH, seq: str = "123") -> str:
    """An 18-character resident ID with its ISO 7064 MOD 11-2 check character, computed here."""
    body = area + birth + seq
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]
    return body + check


RID = resident_id()
BAD_RID = RID[:17] + ("0" if RID[17] != "0" else "1")  # a wrong check character


def test_the_ids_are_what_they_claim():
    assert resident_id_problem(RID) is None
    assert resident_id_problem(BAD_RID) is not None
    assert BIRTH in RID and mask_id(RID) == RID[:4] + "*" * 10 + RID[-4:]


def test_an_id_problem_says_why_by_name_in_both_languages():
    """The reason is read as .zh/.en, not by position."""
    assert resident_id_problem(BAD_RID) == IdProblem(zh="校验码不符", en="the check digit does not match")
    short = uscc_problem("91220101")
    assert (short.zh, short.en) == ("应为 18 位，实为 8 位", "must have 18 characters, has 8")


def secrets(rid: str) -> list[str]:
    """Strings that must never appear: the name (and the given name), the ID, its birth date, the phone and
    its masked-away middle."""
    return [NAME, NAME[1:], rid, BIRTH, rid[6:14], PHONE, PHONE[3:7], PHONE[:7]]


def individual(rid: str) -> dict:
    d = example_data()
    d["project"]["owner"] = {"type": "individual", "name": NAME, "id_number": rid, "phone": PHONE}
    d["project"]["name"] = f"{NAME}家空气源热泵供暖项目"  # a household project named after its owner
    return d


def assert_clean(text: str, rid: str, where: str) -> None:
    for s in secrets(rid):
        assert s not in text, f"{s!r} leaked in {where}"


def workbook_text(path: Path) -> str:
    """Everything a person can see in a workbook: every cell value, comment, header/footer, defined name,
    property — and, to be sure, every XML part of the file byte by byte."""
    parts = []
    wb = load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    parts.append(str(c.value))
                if c.comment is not None:
                    parts.append(c.comment.text)
        for hf in (ws.oddHeader, ws.oddFooter, ws.evenHeader, ws.evenFooter):
            for side in (hf.left, hf.center, hf.right):
                parts.append(side.text or "")
    parts += [str(getattr(wb.properties, k)) for k in ("creator", "lastModifiedBy", "title", "subject",
                                                       "description", "keywords", "category")]
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            parts.append(zf.read(name).decode("utf-8", "replace"))
    return "\n".join(parts)


def messy(path: Path, rid: str) -> Path:
    """Errors in and around the owner cells, as a person (and Excel) makes them."""
    wb = load_workbook(path)
    where = {p: L.cell_of(p) for p in ("project.owner.name", "project.owner.id_number", "project.owner.phone")}
    sheet, name_cell = where["project.owner.name"]
    ws = wb[sheet]
    ws[where["project.owner.id_number"][1]].value = int(rid[:17] + "0")  # typed as a number: digits lost
    ws[where["project.owner.phone"][1]].value = "1381234567８x"  # a letter and a full-width digit
    row = int(name_cell[1:])
    ws[f"C{row}"].value = f"联系人 {NAME} {PHONE}"  # the name again, beside its cell
    ws[f"D{row + 1}"].value = f"身份证 {rid}"
    wb.properties.creator = NAME  # Excel writes the author's name into docProps/core.xml
    wb.properties.lastModifiedBy = NAME
    wb.save(path)
    return path


CASES = {
    "valid-id": (RID, False),
    "invalid-id": (BAD_RID, False),
    "messy-owner-cells": (RID, True),
}


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("privacy")
    out = {}
    for name, (rid, mess) in CASES.items():
        path = filled(folder / f"{name}.xlsx", individual(rid))
        out[name] = messy(path, rid) if mess else path
    return out


def test_the_workbooks_hold_the_personal_data(workbooks):
    """The test is worth something only if the data is really in the submitted files."""
    for name, path in workbooks.items():
        rid = CASES[name][0]
        read = read_workbook(path)
        assert NAME in workbook_text(path) and PHONE[:10] in workbook_text(path)
        if name != "messy-owner-cells":
            assert read.declaration is not None and read.declaration.project.owner.id_number == rid


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_outputs_mask_personal_data(workbooks, case, tmp_path):
    rid = CASES[case][0]
    path = workbooks[case]
    outputs = []
    for fmt in ("text", "json", "jsonl"):
        for lang in ("zh", "en"):
            run = run_in_process("validate", path, "--format", fmt, "--lang", lang)
            assert "Traceback" not in run.output
            outputs.append((f"validate --format {fmt} --lang {lang}", run.output))
    annotated = tmp_path / "annotated"
    run = run_in_process("validate", path, "--annotate", annotated, "--summary", tmp_path / "summary.csv")
    assert "Traceback" not in run.output
    outputs.append(("validate --annotate --summary (stdout+stderr)", run.output))
    outputs.append(("summary CSV", (tmp_path / "summary.csv").read_text(encoding="utf-8-sig")))
    copies = list(annotated.glob("*.xlsx"))
    assert len(copies) == 1
    outputs.append(("annotated copy", workbook_text(copies[0])))
    for where, text in outputs:
        assert_clean(text, rid, f"{case}: {where}")
    # and the masked forms are there: the person is still identifiable to a verifier by the masked values
    json_out = json.loads(run_in_process("validate", path, "--format", "json").stdout)
    assert json_out["project"]["owner"]["name"] == mask_name(NAME) if "project" in json_out else True
    copy_text = workbook_text(copies[0])
    assert mask_name(NAME) in copy_text


def test_the_owner_findings_are_located_and_masked(workbooks):
    bad = json.loads(run_in_process("validate", workbooks["invalid-id"], "--format", "json").stdout)
    hit = next(f for f in bad["findings"] if f["code"] == "owner.resident_id_invalid")
    assert mask_id(BAD_RID) in hit["message"] and hit["cell"]
    messy_report = json.loads(run_in_process("validate", workbooks["messy-owner-cells"], "--format", "json").stdout)
    fields = {f["field"] for f in messy_report["findings"]}
    assert "project.owner.id_number" in fields


def _json_cases(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    out = {}
    for name, (rid, _) in CASES.items():
        d = individual(rid)
        if name == "messy-owner-cells":
            d["project"]["owner"]["phone"] = "1381234567８x"
            d["project"]["owner"]["id_number"] = int(rid[:17] + "0")  # a number: a type error in strict JSON
        p = tmp_path / f"{name}.json"
        p.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
        out[name] = (p, rid)
    broken = tmp_path / "truncated.json"
    broken.write_text(json.dumps(individual(RID), ensure_ascii=False)[:-40], encoding="utf-8")
    out["truncated-json"] = (broken, RID)
    wrong = individual(RID)
    wrong["project"]["owner"]["type"] = NAME  # personal data in a field that is not personal
    wrong["project"]["owner"]["name"] = [NAME, PHONE]
    p = tmp_path / "wrong-types.json"
    p.write_text(json.dumps(wrong, ensure_ascii=False), encoding="utf-8")
    out["wrong-types"] = (p, RID)
    return out


def test_compute_outputs_mask_personal_data(tmp_path):
    for name, (path, rid) in _json_cases(tmp_path).items():
        for fmt in ("text", "json"):
            for lang in ("zh", "en"):
                run = run_in_process("compute", path, "--format", fmt, "--lang", lang)
                assert "Traceback" not in run.output
                assert_clean(run.output, rid, f"compute {name} --format {fmt} --lang {lang}")


def test_stderr_messages_mask_personal_data(workbooks, tmp_path):
    """Error paths that print to stderr: an existing summary without --force, a missing file."""
    summary = tmp_path / "s.csv"
    summary.write_text("x", encoding="utf-8")
    run = run_in_process("validate", workbooks["valid-id"], "--summary", summary)
    assert run.code == 2 and run.stderr
    assert_clean(run.output, RID, "validate with an existing summary")


def test_a_json_declaration_masks_through_the_one_helper(tmp_path):
    """declaration_io keeps no mask list of its own: the texts typed in a JSON owner's fields — a name
    typed as the owner type, a list where a text belongs — are masked by privacy.declared_owner_personal,
    which builds on owner_personal like the workbook path."""
    from hpcarbon.declaration_io import load_json_declaration
    from hpcarbon.privacy import declared_owner_personal, owner_personal

    owner = {"type": NAME, "name": [NAME, PHONE], "id_number": RID, "phone": PHONE}
    expected = {RID: RID[:4] + "*" * 10 + RID[-4:], NAME: "王**", PHONE: "138****5678"}  # by hand (SPEC §10)
    assert declared_owner_personal(owner) == expected
    assert declared_owner_personal(owner) == owner_personal(True, [NAME, PHONE], RID, PHONE, NAME)
    assert declared_owner_personal({"type": "enterprise", "name": NAME}) == {}
    assert declared_owner_personal({"type": "individual", "name": "王"}) == {}  # one character is no identifier
    data = example_data()
    data["project"]["owner"] = owner
    path = tmp_path / "d.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert load_json_declaration(path).personal == expected


def test_merge_personal_joins_tables_longest_first_without_single_characters():
    from hpcarbon.privacy import merge_personal

    merged = merge_personal({"张三": "张*", "李": "李*"}, {"张三丰": "张**", "张三": "张?", " ": "*"})
    assert list(merged) == ["张三丰", "张三"]  # longest first: 张三丰 is masked before 张三 inside it
    assert merged["张三"] == "张?"  # the later table wins


def test_mask_value_masks_strings_inside_lists_and_dicts_and_keeps_the_rest():
    from hpcarbon.privacy import mask_value
    from hpcarbon.report import Report

    personal = {"张三丰": "张**"}
    value = {"owner": ["业主 张三丰，电话 13812345678", 3.5], "n": 3, "张三丰": None}
    expected = {"owner": ["业主 张**，电话 138****5678", 3.5], "n": 3, "张三丰": None}  # keys are not values
    assert mask_value(value, personal) == expected
    assert Report([], personal=personal).mask(value) == expected
