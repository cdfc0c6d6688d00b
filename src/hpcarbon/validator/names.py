"""File names as outputs show them and as copies are named (issue 10: the file system is not a way in).

A submitted file's name can be anything the file system holds: bytes that are not UTF-8 (an archive made
on Chinese Windows stores GBK; Python keeps them as lone surrogates), control characters, 250 bytes.
:func:`shown_path` gives the one text every output (JSON, text, CSV, HTML, stderr) uses: undecodable
bytes and control characters as ``\\xNN`` escapes, so no output crashes on it and no terminal obeys it.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

#: bytes a copy's name may take: the common file systems allow 255, and the atomic write's temporary
#: name beside it adds a prefix and a suffix
NAME_MAX = 200
#: the suffixes read as a declaration workbook (OOXML: workbook, macro-enabled, template, macro template)
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
_SUFFIX = ".annotated.xlsx"


def _escape(ch: str) -> str:
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte the file-system encoding could not decode (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x20 or 0x7F <= code <= 0x9F or 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
    if 0xD800 <= code <= 0xDFFF:  # any other lone surrogate
        return f"\\u{code:04x}"
    return ch


def shown_path(path: Path | str) -> str:
    """``path`` as every output shows it: undecodable bytes, control and bidirectional characters escaped."""
    text = os.fspath(path)
    if text.isprintable() and text.isascii():
        return text
    return "".join(_escape(c) for c in text)


def annotated_name(path: Path | str) -> str:
    """File name of a workbook's annotated copy: ``<stem>.annotated.xlsx``; a stem too long for the file
    system is shortened and given 8 hex characters of its hash, so distinct long names stay distinct."""
    stem = Path(path).stem
    name = stem + _SUFFIX
    if len(os.fsencode(name)) <= NAME_MAX:
        return name
    tag = "-" + hashlib.sha256(os.fsencode(stem)).hexdigest()[:8]
    budget = NAME_MAX - len(os.fsencode(tag + _SUFFIX))
    short = stem
    while len(os.fsencode(short)) > budget:
        short = short[:-1]
    return short + tag + _SUFFIX
