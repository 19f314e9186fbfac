"""Readers: a file, stdin or bytes -> :class:`~allege.model.Document`.

HTML goes through trafilatura (main text and metadata); anything else is read as plain
text. Every reader decodes the same way (:func:`decode`), normalises newlines to ``\\n``
and drops page boilerplate lines (:func:`strip_boilerplate`). Failures are
:class:`~allege.errors.InputError` with a message that says what to do.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError
from ..model import Document
from .boilerplate import strip_boilerplate
from .html import read_html
from .text import decode, guess_language, read_text

__all__ = [
    "Columns",
    "Item",
    "decode",
    "guess_language",
    "iter_items",
    "looks_like_html",
    "read_bytes",
    "read_path",
    "strip_boilerplate",
]

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
_HTML_STARTS = ("<!doctype html", "<html")
_SNIFF_CHARS = 4096


def looks_like_html(data: bytes) -> bool:
    """True when ``data`` starts like an HTML page or has a ``<body`` tag near its start."""
    head = data[: _SNIFF_CHARS * 4]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="ignore")
    else:
        text = head.decode("latin-1")
    text = text.lstrip("\ufeff\u00ef\u00bb\u00bf \t\r\n\f").lower()
    return text.startswith(_HTML_STARTS) or "<body" in text[:_SNIFF_CHARS * 2]


def read_bytes(data: bytes, *, name: str = "<bytes>", html: bool | None = None) -> Document:
    """A :class:`Document` from ``data``; ``html`` None means: decide from the content.

    ``name`` only names the input in error messages.
    """
    if html is None:
        html = looks_like_html(data)
    return read_html(data, name) if html else read_text(data, name)


def read_path(path: str | os.PathLike[str], *, stdin: BinaryIO | None = None) -> Document:
    """A :class:`Document` from a file; ``-`` reads standard input (or ``stdin`` if given).

    A file is read as HTML when its extension is .html, .htm or .xhtml or its content looks
    like HTML, else as plain text.
    """
    if os.fspath(path) == "-":
        data = (stdin if stdin is not None else sys.stdin.buffer).read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        return read_bytes(data, name="<stdin>")
    file = Path(path)
    data = _read_file(file)
    html = True if file.suffix.lower() in HTML_SUFFIXES else None
    return read_bytes(data, name=str(file), html=html)


def _read_file(file: Path) -> bytes:
    if file.is_dir():
        raise InputError(f"{file} is a directory, not a file: give the path of one article file.")
    try:
        return file.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(f"No such file: {file}. Check the path and try again.") from exc
    except PermissionError as exc:
        raise InputError(
            f"Cannot read {file}: permission denied. Check the file's permissions."
        ) from exc
    except OSError as exc:
        raise InputError(f"Cannot read {file}: {exc.strerror or exc}.") from exc

# At the end: the dispatcher builds on the readers above.
from .sources import Columns, Item, iter_items  # noqa: E402
