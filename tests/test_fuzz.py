"""Issue 7 — fuzzing the gate (Hypothesis).

* cell mutations: random values of random types (numbers huge and non-finite, text with odd characters,
  dates, booleans, formulas, Excel error texts, blanks) written through openpyxl into random input cells
  of a valid declaration workbook;
* XML mutations: byte flips, truncation and tag deletion inside sheet XML (and now and then
  workbook.xml, its relationships or the content types).

The promises: ``validate_file`` never raises and never falls back to its last-resort answer for a
well-formed workbook (that would be a bug caught, not an answer); exit 0/1/2 for cell mutations, 1 or 2
when the XML is no longer well-formed; every finding carries a clause and both languages; the report
renders as text and JSON; each file is answered in bounded time. Most examples run in-process; a few
run through the ``hpcarbon validate`` command.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import math
import random
import re
import time
import zipfile
from datetime import date, datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest
from gate_support import filled, run_cli
from hostile_corpus import sheet_part
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from hpcarbon.validator import validate_file
from hpcarbon.validator.scan import input_cells
from hpcarbon.workbook import layout as L

MAX_SECONDS = 5.0
#: The last-resort answer of validate_file to an exception it did not expect.
LAST_RESORT = "file.unreadable_workbook"


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return filled(tmp_path_factory.mktemp("fuzz") / "base.xlsx")


class _Bytes(bytes):
    """The base workbook's bytes, shown shortly when Hypothesis reports an example."""

    def __repr__(self) -> str:
        return f"<base workbook, {len(self)} bytes>"


@pytest.fixture(scope="module")
def base_bytes(base) -> bytes:
    return _Bytes(base.read_bytes())


def _cells() -> list[tuple[str, str]]:
    """Input cells to mutate: every form cell, and the first rows of each table (where the data is)."""
    out = []
    for sheet, refs in input_cells().items():
        for ref, (_, row) in refs.items():
            table = next((t for t in L.LAYOUT.tables.values() if t.sheet == sheet), None)
            if table is None or row < table.first_row + 10:
                out.append((sheet, ref))
    return sorted(out)


CELLS = _cells()

values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10 ** 20), max_value=10 ** 20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1e308, -1e308, 5e-324, 2.4, 16000, 0.1 + 0.2]),
    st.text(max_size=40).map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s)),
    st.text(alphabet="0123456789０１２３-/. 年月日是否XxTRUEFALSE", max_size=20),
    st.sampled_from(["=1+1", '=WEBSERVICE("http://203.0.113.9/")', "=cmd|' /C calc'!A0", "#N/A", "#DIV/0!",
                     "#NAME?", "  ", "是", "否", "2024-10", "2024年10月", "220101199003071237", "长" * 300]),
    st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 1, 1)),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 1, 1)),
)


def _check(result, path: Path, seconds: float, allowed: set[int]) -> None:
    assert seconds < MAX_SECONDS, seconds
    assert result.exit_code in allowed, (result.exit_code, [f.bilingual() for f in result.report.findings])
    for f in result.report.findings:
        assert f.clause, f
        assert f.message("zh") and f.message("en"), f
    for lang in ("zh", "en"):
        json.loads(result.report.to_json(lang))
        assert result.report.to_text(lang)


@pytest.fixture(scope="module")
def base_workbook(base_bytes):
    """The base workbook loaded once; each example writes its cells and :func:`_written` puts them back."""
    return load_workbook(io.BytesIO(base_bytes))


@contextlib.contextmanager
def _written(wb, changes):
    """``changes`` written into ``wb``, then every touched cell restored (value, type and style: openpyxl
    gives a cell a date format when a date is written), so the next example starts from the base."""
    cells = {(sheet, ref): wb[sheet][ref] for (sheet, ref), _ in changes}
    saved = {key: (c._value, c.data_type, copy.copy(c._style)) for key, c in cells.items()}
    try:
        for key, value in changes:
            cells[key].value = value
        yield
    finally:
        for key, (value, data_type, style) in saved.items():
            cells[key]._value, cells[key].data_type, cells[key]._style = value, data_type, style


def test_written_puts_every_cell_back(base_workbook):
    (sheet, ref), (sheet2, ref2) = CELLS[0], CELLS[-1]
    before = [(c.value, c.data_type, c.number_format, tuple(c._style))
              for c in (base_workbook[sheet][ref], base_workbook[sheet2][ref2])]
    with _written(base_workbook, [((sheet, ref), datetime(2001, 2, 3)), ((sheet2, ref2), "=1+1")]):
        assert base_workbook[sheet][ref].is_date and base_workbook[sheet2][ref2].data_type == "f"
    after = [(c.value, c.data_type, c.number_format, tuple(c._style))
             for c in (base_workbook[sheet][ref], base_workbook[sheet2][ref2])]
    assert after == before


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(changes=st.lists(st.tuples(st.sampled_from(CELLS), values), min_size=1, max_size=4))
def test_random_values_in_random_input_cells(base_workbook, tmp_path, changes):
    path = tmp_path / "mutated.xlsx"
    with _written(base_workbook, changes):
        base_workbook.save(path)
    start = time.perf_counter()
    result = validate_file(path)
    seconds = time.perf_counter() - start
    codes = {f.code for f in result.report.findings}
    assert LAST_RESORT not in codes, [f.bilingual() for f in result.report.findings]
    _check(result, path, seconds, {0, 1, 2})
    written = list({cell: v for cell, v in changes}.values())  # the last value written to each cell stays
    if any(isinstance(v, float) and not math.isfinite(v) for v in written):
        return  # openpyxl writes nan/inf as <v>nan</v>: the gate may refuse the file (bad_cell_value)
    if any(isinstance(v, str) and v.startswith("=") for v in written) and result.exit_code != 2:
        assert "workbook.formula_in_input" in codes


def _mutate(data: bytes, rnd: random.Random, how: str) -> bytes:
    if how == "flip":
        b = bytearray(data)
        for _ in range(rnd.randint(1, 8)):
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        return bytes(b)
    if how == "truncate":
        return data[: rnd.randrange(len(data))]
    tags = [m.span() for m in re.finditer(rb"<[^<>]+>", data)]  # "delete": one or more tags
    for start, end in sorted(rnd.sample(tags, min(len(tags), rnd.randint(1, 3))), reverse=True):
        data = data[:start] + data[end:]
    return data


def _well_formed(data: bytes) -> bool:
    try:
        ElementTree.fromstring(data)
        return True
    except ElementTree.ParseError:
        return False


PARTS = [L.S_MONTHLY, L.S_PROJECT, L.S_SYSTEMS, L.S_COP, L.S_AREAS, L.S_CALC,
         "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"]


def _xml_mutant(base: Path, out: Path, target: str, how: str, seed: int) -> tuple[Path, bool]:
    part = target if "/" in target or target.startswith("[") else sheet_part(base, target)
    rnd = random.Random(seed)
    well_formed = True
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == part:
                data = _mutate(data, rnd, how)
                well_formed = _well_formed(data)
            dst.writestr(info.filename, data)
    return out, well_formed


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.sampled_from(PARTS), how=st.sampled_from(["flip", "truncate", "delete"]),
       seed=st.integers(0, 2 ** 32 - 1))
def test_broken_xml_parts(base, tmp_path, target, how, seed):
    path, well_formed = _xml_mutant(base, tmp_path / "mutant.xlsx", target, how, seed)
    start = time.perf_counter()
    result = validate_file(path)
    seconds = time.perf_counter() - start
    _check(result, path, seconds, {0, 1, 2} if well_formed else {1, 2})
    for f in result.report.findings:
        if f.code == LAST_RESORT:  # an exception we did not expect must come from parsing, not from our code
            assert re.match(r"(ParseError|ExpatError|ValueError|KeyError|BadZipFile|IndexError|TypeError)",
                            str(f.params.get("reason", ""))), f.bilingual()


def test_a_few_mutants_through_the_command(base, tmp_path):
    """The same promises end to end: several mutants in one batch, two jobs, no traceback."""
    files = []
    for i, (target, how) in enumerate([(L.S_MONTHLY, "flip"), (L.S_MONTHLY, "truncate"), (L.S_PROJECT, "delete"),
                                       ("xl/workbook.xml", "flip"), (L.S_CALC, "truncate"),
                                       ("[Content_Types].xml", "delete")]):
        files.append(_xml_mutant(base, tmp_path / f"m{i}.xlsx", target, how, seed=1000 + i))
    wb = load_workbook(base)
    wb[L.S_MONTHLY]["F6"].value = float("nan")
    wb[L.S_PROJECT]["B6"].value = "=cmd|' /C calc'!A0"
    wb.save(tmp_path / "cells.xlsx")
    paths = [p for p, _ in files] + [tmp_path / "cells.xlsx"]
    run = run_cli("validate", *paths, "--format", "jsonl", "--jobs", "2", "--annotate", tmp_path / "annotated")
    assert "Traceback" not in run.output
    assert run.code in (1, 2)
    reports = {r["file"]: r for r in map(json.loads, run.stdout.splitlines())}  # jsonl: in completion order
    assert set(reports) == {str(p) for p in paths}
    for p, well_formed in files:
        if not well_formed:
            assert reports[str(p)]["status"] == "fail"
    assert run.seconds < MAX_SECONDS * len(paths)
