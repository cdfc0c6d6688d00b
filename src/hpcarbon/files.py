"""Writing outputs safely: atomically (a crash never leaves half a file), never over an existing
file unless asked, and CSV cells that Excel cannot mistake for formulas."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path
from typing import Callable, Iterable


class OutputExists(FileExistsError):
    def __init__(self, path: Path):
        super().__init__(f"{path} 已存在，如需覆盖请加 --force / {path} exists; add --force to overwrite")
        self.path = path


def atomic_write(path: Path, write: Callable[[Path], None], force: bool = False) -> None:
    """Write through ``write(tmp_path)`` into a temp file beside ``path``, then rename over it.

    Without ``force`` an existing ``path`` is never replaced (checked before and, with a hard link
    instead of a rename, at the moment of publishing, so a concurrent writer cannot be clobbered).
    """
    path = Path(path)
    if path.exists() and not force:
        raise OutputExists(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        _durable(tmp_path)
        if force:
            os.replace(tmp_path, path)
        else:
            try:
                os.link(tmp_path, path)  # fails if path appeared meanwhile
            except FileExistsError:
                raise OutputExists(path) from None
            except OSError:
                if path.exists():
                    raise OutputExists(path) from None
                os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()
    _sync_dir(path.parent)


#: the process umask, read once: a published output gets the permissions a plain open() would give it
#: (mkstemp's temp files are 0600)
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def _durable(tmp_path: Path) -> None:
    """Permissions as for any new file, and the bytes on disk before the rename publishes them (a power
    cut after the rename must not leave an empty file under the final name)."""
    os.chmod(tmp_path, 0o666 & ~_UMASK)
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot sync a directory: the rename is still atomic
        pass
    finally:
        os.close(fd)


def atomic_write_text(path: Path, text: str, force: bool = False) -> None:
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"), force=force)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def csv_safe(value) -> object:
    """A CSV cell Excel will show as text, never run: text starting like a formula gets a leading '."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def csv_text(header: list[str], rows: Iterable[list]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for row in rows:
        w.writerow([csv_safe(v) for v in row])
    return "\ufeff" + buf.getvalue()  # BOM: Excel opens UTF-8 Chinese text correctly
