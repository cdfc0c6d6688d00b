"""Issue 7 — unbreakable at the gate: every case of the hostile corpus (tests/hostile_corpus.py, generated,
nothing binary committed) through ``hpcarbon validate`` as a child process.

For each case: the expected exit status (1 or 2), the finding that says why, with its clause, in Chinese (``--lang zh``) and in English
(``--lang en``); never a traceback; at most 10 s wall time and 500 MB peak memory per run; and the XXE
canary's content in no output (nor opened at all).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from gate_support import CJK, filled, run_cli
from hostile_corpus import CANARY_TEXT, EXPECTED, build_corpus

from hpcarbon.report import TEXT_SEPARATOR
from hpcarbon.workbook.layout import clause_text

MAX_SECONDS = 10.0
MAX_PEAK_MB = 500.0


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    canary = folder / "secret" / "canary.txt"
    canary.parent.mkdir()
    canary.write_text(CANARY_TEXT, encoding="utf-8")
    base = filled(folder / "base.xlsx")
    return build_corpus(base, folder / "corpus", canary)


@pytest.fixture(scope="module")
def english_texts(corpus) -> dict[str, str]:
    """The whole corpus in one English text run (each case's own zh run checks its exit status, time and
    memory): one child process instead of one per case keeps the suite fast."""
    names = sorted(EXPECTED)
    run = run_cli("validate", *(corpus[n] for n in names), "--format", "text", "--lang", "en", "--jobs", "2",
                  timeout=300)
    _assert_bounded(run, "english batch", seconds=10.0 * len(names))
    assert run.code == 2  # the corpus holds unreadable files
    texts = run.stdout.split(TEXT_SEPARATOR)
    assert len(texts) == len(names), run.stdout[-2000:]
    for name, text in zip(names, texts):
        assert str(corpus[name]) in text or Path(corpus[name]).name in text, (name, text[:300])
    return dict(zip(names, texts))


def test_the_corpus_covers_every_expected_case(corpus):
    assert set(corpus) == set(EXPECTED)


def _assert_bounded(run, name, seconds: float = MAX_SECONDS):
    assert "Traceback" not in run.output, (name, run.output[-2000:])
    assert "Warning" not in run.stderr, (name, run.stderr[-2000:])  # no library warnings leak out
    assert run.seconds < seconds, (name, run.seconds)
    assert run.peak_mb < MAX_PEAK_MB, (name, run.peak_mb)
    assert CANARY_TEXT not in run.output, name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file_gets_a_clear_bilingual_answer(corpus, english_texts, name, tmp_path):
    exit_code, code = EXPECTED[name]
    path = corpus[name]
    annotated = tmp_path / "annotated"

    zh = run_cli("validate", path, "--format", "json", "--lang", "zh", "--annotate", annotated,
                 "--summary", tmp_path / "summary.csv")
    _assert_bounded(zh, name)
    assert zh.code == exit_code, (name, zh.output[-3000:])
    assert zh.code in (1, 2)
    report = json.loads(zh.stdout)
    hits = [f for f in report["findings"] if f["code"] == code]
    assert hits, (name, [f["code"] for f in report["findings"]])
    for f in hits:
        assert f["clause"], f
        assert CJK.search(f["message"]), f  # Chinese
    summary = (tmp_path / "summary.csv").read_text(encoding="utf-8-sig")
    assert str(path) in summary and "Traceback" not in summary

    line = next(ln for ln in english_texts[name].splitlines() if f"({code})" in ln)
    clause = clause_text(hits[0]["clause"])  # §7.3.2, 表8
    assert clause in line
    message = line.split(clause, 1)[1]
    assert len([w for w in message.split() if w.isascii() and w.isalpha()]) >= 3, line  # English words

    for copy in annotated.glob("*") if annotated.exists() else ():
        assert CANARY_TEXT.encode() not in copy.read_bytes()


def test_exit_2_cases_make_no_annotated_copy(corpus, tmp_path):
    """A file the gate refuses is not handed to openpyxl to be copied either."""
    refused = [corpus[n] for n, (code, _) in EXPECTED.items() if code == 2]
    run = run_cli("validate", *refused, "--format", "jsonl", "--annotate", tmp_path / "out", "--jobs", "2")
    assert run.code == 2 and "Traceback" not in run.output
    assert len(run.stdout.splitlines()) == len(refused)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_the_xxe_canary_is_never_opened(corpus):
    """Not only absent from the output: the process never opens the file the entity points at."""
    canary = str(Path(corpus["xxe.xlsx"]).parent.parent / "secret" / "canary.txt")
    hook = ("import sys\n"
            f"CANARY = {canary!r}\n"
            "def audit(event, args):\n"
            "    if event == 'open' and args and CANARY in str(args[0]):\n"
            "        sys.stderr.write('CANARY OPENED\\n')\n"
            "sys.addaudithook(audit)\n"
            "from hpcarbon.cli import main\n"
            "sys.exit(main(sys.argv[1:]))\n")
    run = run_cli("validate", corpus["xxe.xlsx"], "--format", "json", python=[sys.executable, "-c", hook])
    assert run.code == 2
    assert "CANARY OPENED" not in run.stderr and CANARY_TEXT not in run.output


def test_xxe_behind_the_gate_is_still_inert(corpus):
    """Defence in depth: were the DOCTYPE check bypassed, neither the reader (defusedxml outside the gate,
    the C parser inside it) nor the gate's own sheet scan would resolve the entity."""
    import zipfile

    from hpcarbon.validator.ooxml import gated_openpyxl
    from hpcarbon.validator.cells import shared_strings
    from hpcarbon.validator.scan import scan_sheet
    from hpcarbon.workbook.reader import read_workbook

    path = corpus["xxe.xlsx"]
    read = read_workbook(path)
    assert CANARY_TEXT not in repr(read.raw) + repr(read.data) + repr([f.bilingual() for f in read.findings])
    try:
        with gated_openpyxl():
            read = read_workbook(path.read_bytes())
    except Exception as exc:  # the C parser refuses the undefined entity: a good outcome
        assert CANARY_TEXT not in str(exc)
    else:
        assert CANARY_TEXT not in repr(read.raw) + repr(read.data) + repr([f.bilingual() for f in read.findings])
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if not name.endswith(".xml"):
                continue
            for parse in (lambda d: scan_sheet(d, wanted={"B5", "B6"}), shared_strings):
                try:
                    out = parse(zf.read(name))
                except Exception as exc:  # refused (undefined entity …) is a good outcome
                    assert CANARY_TEXT not in str(exc)
                else:
                    assert CANARY_TEXT not in repr(out)


def test_limits_are_configurable(corpus):
    """The row limit is an option: raised above the sheet's rows, the million-row-dimension workbook is read
    (and its stray far cell does not change the example's results)."""
    run = run_cli("validate", corpus["million-row-dimension.xlsx"], "--format", "json",
                  "--limit", "max_rows=2000000")
    assert "Traceback" not in run.output
    report = json.loads(run.stdout)
    assert "file.too_many_rows" not in {f["code"] for f in report["findings"]}
    assert report["results"]["creditable_reductions_t"] == 147.82
    run = run_cli("validate", corpus["many-sheets.xlsx"], "--limit", "max_sheets=0")
    assert run.code == 2 and "limit" in run.stderr and "Traceback" not in run.output


def test_every_limit_is_documented_in_the_readme():
    """Each limit is a --limit option and a row of the README's limits table, with its default."""
    from dataclasses import fields

    from hpcarbon.validator.limits import DEFAULT_LIMITS

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for f in fields(DEFAULT_LIMITS):
        row = re.search(rf"^\| `{f.name}` \| ([0-9 .]+) \|", readme, re.MULTILINE)
        assert row, f"{f.name} is not in the README's limits table"
        assert float(row.group(1).replace(" ", "")) == getattr(DEFAULT_LIMITS, f.name), f.name
        assert DEFAULT_LIMITS.with_overrides([f"{f.name}=7"]) != DEFAULT_LIMITS
