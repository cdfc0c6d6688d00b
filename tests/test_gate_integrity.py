"""Issue 10 — the gate sees exactly the workbook that Excel and openpyxl see. Every generated case of
tests/gate_integrity_corpus.py gets its verdict (never pass), its finding code with a clause and both
languages, no traceback, within the time bound — in-process (cheap), with an annotated copy that carries
nothing live; then the whole corpus once through the CLI as a folder (exit status, peak memory)."""

from __future__ import annotations

import json
import time
import zipfile
from pathlib import Path

import pytest
from gate_integrity_corpus import EXPECTED, NAMES, build
from gate_support import CJK, filled, run_cli

from hpcarbon.validator import validate_file

MAX_SECONDS = 10.0
MAX_PEAK_MB = 500.0


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return filled(tmp_path_factory.mktemp("gi") / "base.xlsx")


@pytest.fixture(scope="module")
def corpus(base, tmp_path_factory) -> dict[str, Path]:
    return build(base, tmp_path_factory.mktemp("gi-corpus"))


def test_the_base_passes(base):
    result = validate_file(base)
    assert result.report.status == "pass", [f.code for f in result.report.findings]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_case_is_refused_with_its_finding(corpus, name, tmp_path):
    exit_code, code = EXPECTED[name]
    start = time.perf_counter()
    result = validate_file(corpus[name], annotate_dir=tmp_path)
    seconds = time.perf_counter() - start
    assert seconds < MAX_SECONDS, (name, seconds)
    assert result.exit_code == exit_code, (name, [(f.code, f.message("en")) for f in result.report.findings])
    hits = [f for f in result.report.findings if f.code == code]
    assert hits, (name, [(f.code, f.message("en")) for f in result.report.findings])
    for f in hits:
        assert f.clause and CJK.search(f.message("zh")) and "Traceback" not in f.message("en")
        assert len([w for w in f.message("en").split() if w.isascii() and w.isalpha()]) >= 3
    if name in NAMES:  # the finding names what it is (or where), not only that something is wrong
        assert any(NAMES[name] in f.message("en") for f in hits), (name, [f.message("en") for f in hits])
    copy = result.annotated
    if copy:
        assert_nothing_live(Path(copy), name)
    else:
        assert name not in NAMES, (name, result.output_error)  # these are judged: their copy is written, inert


def assert_nothing_live(copy: Path, name: str) -> None:
    """No formula reaching outside, no code, no external relationship, no connection in an annotated copy."""
    from openpyxl import load_workbook

    from hpcarbon.validator.scan import reaches_outside

    with zipfile.ZipFile(copy) as zf:
        names = zf.namelist()
        rels = b"".join(zf.read(n) for n in names if n.endswith(".rels"))
    assert b'TargetMode="External"' not in rels, name
    assert not [n for n in names if "vba" in n.lower() or "embeddings" in n or "connections" in n
                or "externalLink" in n], (name, names)
    with zipfile.ZipFile(copy) as zf:
        types = zf.read("[Content_Types].xml").lower()
    for live in (b"activex", b"macrosheet", b"dialogsheet", b"vbaproject", b"oleobject"):
        assert live not in types, (name, live)
    for live in (b"/control\"", b"activeXControl", b"ui/extensibility", b"xlMacrosheet", b"xlIntlMacrosheet",
                 b"/dialogsheet\"", b"vbaProject"):
        assert live not in rels, (name, live)
    wb = load_workbook(copy)
    assert "Macro1" not in wb.sheetnames, name
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    assert reaches_outside(str(cell.value)) is None, (name, cell.coordinate, cell.value)
    for key, dn in wb.defined_names.items():
        assert reaches_outside(dn.attr_text or "") is None, (name, dn.attr_text)
        assert not key.lower().removeprefix("_xlnm.").startswith("auto_"), (name, key)


def test_the_corpus_through_the_cli_as_a_folder(corpus, tmp_path):
    folder = next(iter(corpus.values())).parent
    run = run_cli("validate", folder, "--format", "json", timeout=120)
    assert "Traceback" not in run.output
    assert run.code == 2
    reports = {Path(r["file"]).name: r for r in json.loads(run.stdout)}
    assert set(EXPECTED) <= set(reports)
    for name, (_exit, code) in EXPECTED.items():
        assert code in {f["code"] for f in reports[name]["findings"]}, name
        assert reports[name]["status"] == "fail"
    assert run.peak_mb < MAX_PEAK_MB
    assert run.seconds < MAX_SECONDS * 4  # 23 files in one process


@pytest.mark.parametrize("formula, what", [
    ('WEBSERVICE("http://x")', "WEBSERVICE"),
    ("_xlfn.FILTERXML(_xlfn.WEBSERVICE(A1),\"//a\")", "FILTERXML"),
    ("cmd|' /C calc'!A0", "DDE"),
    ("[1]Sheet1!A1*2", "another workbook"),
    ("SUM('C:\\x\\[b.xlsx]S'!A1)", "another workbook"),
    ('"a|b"&A1', None),  # a bar inside a string literal is text
    ("SUM(Table1[Col])", None),  # a structured reference is inside the workbook
    ("HP_PARAM(\"EF_heat\",HP_SEASON_START)", None),
    ("SUM(B5:D5)", None),
])
def test_formulas_reaching_outside(formula, what):
    from hpcarbon.validator.scan import reaches_outside

    found = reaches_outside(formula)
    if what is None:
        assert found is None
    else:
        assert found and what in found


def test_libreoffice_resaved_examples_still_pass(tmp_path):
    """Control: the bundled examples re-saved by LibreOffice (one soffice call) pass the gate."""
    import subprocess

    from gate_support import EXAMPLES, assert_same_values

    from hpcarbon.workbook.reader import sheet_extents

    sources = sorted(EXAMPLES.glob("*.xlsx"))
    subprocess.run(["soffice", "--headless", "--convert-to", "xlsx", "--outdir", str(tmp_path), *map(str, sources)],
                   check=True, capture_output=True, timeout=240)
    for src in sources:
        resaved = tmp_path / src.name
        assert resaved.read_bytes() != src.read_bytes()
        result = validate_file(resaved)
        assert result.report.status == "pass", (src.name, [(f.code, f.message("en")) for f in result.report.findings
                                                           if f.severity.value != "info"])
        assert validate_file(src).report.status == "pass"
        # the values the gate reads from LibreOffice's XML are openpyxl's, value for value
        assert_same_values(resaved.read_bytes(), sheet_extents())


def test_an_empty_last_row_and_a_dimension_down_to_it_are_not_a_million_rows(base, tmp_path):
    """What LibreOffice writes after a row is deleted — an empty row 1 048 576 and a dimension to it — holds no
    cell and costs no reader anything: judged like the file without them. One cell down there is refused."""
    import re

    from hostile_corpus import _rewrite_zip, sheet_part

    from hpcarbon.workbook import layout as L

    part = sheet_part(base, L.S_MONTHLY)

    def far(row_xml: bytes):
        def edit(name: str, data: bytes) -> bytes:
            if name != part:
                return data
            data = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:L1048576"/>', data)
            return data.replace(b"</sheetData>", row_xml + b"</sheetData>")
        return edit

    empty = _rewrite_zip(base, tmp_path / "empty-far-row.xlsx", far(b'<row r="1048576" ht="12.8" customHeight="1"/>'))
    result = validate_file(empty)
    assert result.exit_code == 0, [(f.code, f.message("en")) for f in result.report.findings]
    assert result.report.to_dict()["results"] == validate_file(base).report.to_dict()["results"]
    full = _rewrite_zip(base, tmp_path / "far-cell.xlsx", far(b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>'))
    result = validate_file(full)
    assert result.exit_code == 2 and "file.too_many_rows" in {f.code for f in result.report.findings}
