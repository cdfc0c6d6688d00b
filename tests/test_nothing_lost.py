"""Issue 7 — nothing lost: outputs are written atomically (a crash mid-write leaves the old file or none,
and no stray temp file), an existing annotated copy or summary CSV is never replaced without --force, and
a submitted workbook is only ever read (same SHA-256 and mtime after validate, opened read-only)."""

from __future__ import annotations

import errno
import hashlib
import os
import sys
from pathlib import Path

import pytest
from gate_support import filled, run_cli

from hpcarbon.validator import validate_file
from hpcarbon.files import OutputExists, atomic_write, atomic_write_text


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") or p.suffix == ".part")


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    return filled(tmp_path_factory.mktemp("lost") / "declaration.xlsx")


def _half_then_crash(content: bytes, exc: BaseException):
    def write(tmp: Path) -> None:
        tmp.write_bytes(content[: len(content) // 2])
        raise exc
    return write


# --- atomic writes ----------------------------------------------------------------------------------
@pytest.mark.parametrize("exc", [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt(),
                                 RuntimeError("crash")])
def test_a_crash_mid_write_leaves_no_file_and_no_temp(tmp_path, exc):
    target = tmp_path / "out.csv"
    with pytest.raises(type(exc)):
        atomic_write(target, _half_then_crash(b"a,b\r\n1,2\r\n" * 100, exc))
    assert not target.exists()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("force", [False, True])
def test_a_crash_mid_write_keeps_the_old_content(tmp_path, force):
    target = tmp_path / "out.csv"
    target.write_text("old", encoding="utf-8")
    with pytest.raises((OSError, OutputExists)):
        atomic_write(target, _half_then_crash(b"new" * 1000, OSError(errno.EIO, "I/O error")), force=force)
    assert target.read_text(encoding="utf-8") == "old"
    assert leftovers(tmp_path) == []


def test_a_finished_write_replaces_only_with_force(tmp_path):
    target = tmp_path / "out.csv"
    atomic_write_text(target, "one")
    with pytest.raises(OutputExists):
        atomic_write_text(target, "two")
    assert target.read_text(encoding="utf-8") == "one"
    atomic_write_text(target, "three", force=True)
    assert target.read_text(encoding="utf-8") == "three"
    assert leftovers(tmp_path) == []
    umask = os.umask(0o022)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0600


def test_an_annotated_copy_interrupted_by_a_full_disk(workbook, tmp_path, monkeypatch):
    """openpyxl's save fails half-way (ENOSPC): no copy, no temp file, the report says so, the input intact."""
    from openpyxl.workbook.workbook import Workbook

    real_save = Workbook.save

    def save_half(self, filename):
        real_save(self, filename)
        data = Path(filename).read_bytes()
        Path(filename).write_bytes(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Workbook, "save", save_half)
    before = sha256(workbook)
    out = tmp_path / "annotated"
    result = validate_file(workbook, annotate_dir=out)
    assert result.output_error and result.annotated is None
    assert result.report.status == "pass" and result.exit_code == 2  # the declaration passes; its copy failed
    assert "No space left" in result.output_error
    assert not out.exists() or list(out.iterdir()) == []
    assert sha256(workbook) == before


def test_a_summary_interrupted_mid_write_keeps_the_old_summary(workbook, tmp_path, monkeypatch, capsys):
    from hpcarbon.cli import main

    summary = tmp_path / "summary.csv"
    summary.write_text("old summary", encoding="utf-8")
    real = Path.write_text

    def write_half(self, data, *args, **kwargs):
        if self.name.endswith(".part"):
            real(self, data[: len(data) // 2], *args, **kwargs)
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_half)
    code = main(["validate", str(workbook), "--summary", str(summary), "--force"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert summary.read_text(encoding="utf-8") == "old summary"
    assert leftovers(tmp_path) == []


# --- never overwritten without --force ------------------------------------------------------------------
def test_an_existing_annotated_copy_is_kept_without_force(workbook, tmp_path):
    out = tmp_path / "annotated"
    first = run_cli("validate", workbook, "--annotate", out)
    assert first.code == 0
    (copy,) = out.glob("*.xlsx")
    digest, mtime = sha256(copy), copy.stat().st_mtime_ns
    second = run_cli("validate", workbook, "--annotate", out)
    assert "Traceback" not in second.output
    assert "--force" in second.stderr  # says why, bilingually
    assert sha256(copy) == digest and copy.stat().st_mtime_ns == mtime
    assert [p.name for p in out.iterdir()] == [copy.name]
    third = run_cli("validate", workbook, "--annotate", out, "--force")
    assert third.code == 0 and copy.stat().st_mtime_ns != mtime
    assert [p.name for p in out.iterdir()] == [copy.name]


def test_an_existing_summary_is_kept_without_force(workbook, tmp_path):
    summary = tmp_path / "summary.csv"
    summary.write_text("keep me", encoding="utf-8")
    run = run_cli("validate", workbook, "--summary", summary)
    assert run.code == 2 and "--force" in run.stderr and "Traceback" not in run.output
    assert summary.read_text(encoding="utf-8") == "keep me"
    run = run_cli("validate", workbook, "--summary", summary, "--force")
    assert run.code == 0 and summary.read_text(encoding="utf-8-sig").startswith("file,sha256")


# --- the input is only read -----------------------------------------------------------------------------
_HOOK = """import os, sys
INPUT = os.path.realpath(sys.argv[1])
WRITE = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
def audit(event, args):
    if event == 'open' and args and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.path.realpath(os.fsdecode(args[0]))
        mode, flags = args[1], args[2] if len(args) > 2 else 0
        if path == INPUT and ((mode and any(c in str(mode) for c in 'wax+')) or (flags or 0) & WRITE):
            sys.stderr.write(f'INPUT OPENED FOR WRITING {mode!r} {flags!r}\\n')
    elif event in ('os.remove', 'os.rename', 'os.replace', 'os.truncate', 'os.chmod', 'os.utime') and args:
        if os.path.realpath(os.fsdecode(args[0])) == INPUT:
            sys.stderr.write(f'INPUT TOUCHED BY {event}\\n')
sys.addaudithook(audit)
from hpcarbon.cli import main
sys.exit(main(sys.argv[2:]))
"""


def test_the_input_is_opened_read_only_and_left_unchanged(workbook, tmp_path):
    before, mtime = sha256(workbook), workbook.stat().st_mtime_ns
    for extra in ([], ["--annotate", tmp_path / "a"], ["--annotate", tmp_path / "b", "--summary", tmp_path / "s.csv",
                                                       "--format", "json", "--jobs", "2", "--force"]):
        run = run_cli(workbook, "validate", workbook, *extra, python=[sys.executable, "-c", _HOOK])
        assert run.code == 0, run.output[-2000:]
        assert "INPUT OPENED FOR WRITING" not in run.stderr and "INPUT TOUCHED" not in run.stderr
        assert sha256(workbook) == before and workbook.stat().st_mtime_ns == mtime
    assert before in (tmp_path / "s.csv").read_text(encoding="utf-8-sig")  # the report carries the SHA-256


def test_annotating_into_the_input_folder_never_touches_the_input(workbook, tmp_path):
    """Even when the annotated copy goes beside the original (and with --force) the original stays."""
    src = tmp_path / workbook.name
    src.write_bytes(workbook.read_bytes())
    before, mtime = sha256(src), src.stat().st_mtime_ns
    run = run_cli("validate", src, "--annotate", tmp_path, "--force")
    assert run.code == 0
    assert sha256(src) == before and src.stat().st_mtime_ns == mtime
    assert len(list(tmp_path.glob("*.xlsx"))) == 2
