"""WARC and WARC.gz web archives -> one :class:`Item` per archived HTML page, by warcio.

Only HTTP ``response`` records with a 2xx status and an HTML content type are articles;
every other record (warcinfo, request, revisit, resource, images, redirects) is passed over.
A record cut short (a truncated file or a damaged gzip member) or one that cannot be parsed
ends the file with one error Item; the pages before it are kept.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from ..model import Document
from .html import read_html
from .sources import Item, safe_item

HTML_TYPES = ("text/html", "application/xhtml+xml")
_READ_ERRORS = (ArchiveLoadFailed, EOFError, OSError, ValueError, zlib.error)
_BLOCK = 65_536


class _Damaged(Exception):
    """A record cannot be read to its end: the file stops being readable here."""


def iter_warc(stream: BinaryIO, source: str) -> Iterator[Item]:
    """One Item per HTML response in the WARC ``stream``; ``source`` names the file.

    Records are counted from 1 over all record types, so ``source#n`` is the n-th record.
    """
    archive = ArchiveIterator(stream)
    records = iter(archive)
    number = end = 0
    while True:
        try:
            record = next(records, None)
        except Exception as exc:  # noqa: BLE001 - warcio fails in many ways on damaged headers
            reason = exc if isinstance(exc, _READ_ERRORS) else "its headers are damaged"
            yield Item(f"{source}#{number + 1}", error=(
                f"Cannot read record {number + 1} of {source} ({reason}): the file is damaged "
                f"or not a WARC. {_kept(number)}"
            ))
            return
        if record is None:
            if _bytes_after(stream, end):
                yield Item(f"{source}#{number + 1}", error=(
                    f"{source} ends inside record {number + 1}: the file is truncated. "
                    f"{_kept(number)} Re-download the WARC."
                ))
            return
        number += 1
        try:
            item = read_record(record, f"{source}#{number}")
            end = archive.get_record_offset() + archive.get_record_length()
        except (_Damaged, *_READ_ERRORS) as exc:
            yield Item(f"{source}#{number}", error=(
                f"Record {number} of {source} is truncated or damaged ({exc}). "
                f"{_kept(number - 1)} Re-download or repair the WARC."
            ))
            return
        if item is not None:
            yield item


def read_record(record: Any, source: str) -> Item | None:
    """The Item for one WARC record, or None when the record is not an HTML page.

    Raises :class:`_Damaged` when the record ends before its declared length.
    """
    if record.length is None:  # Content-Length is mandatory: the headers were cut short
        raise _Damaged("its WARC headers end before Content-Length")
    if not is_html_response(record):
        _drain(record)
        return None
    payload = record.content_stream().read()
    missing = getattr(record.raw_stream, "limit", 0)
    if missing:
        raise _Damaged(f"{missing} bytes missing from its end")
    url = record.rec_headers.get_header("WARC-Target-URI")

    def read() -> Document:
        document = read_html(payload, f"{source} ({url})" if url else source)
        document.url = document.url or url
        document.outlet = document.outlet or (urlsplit(url).hostname if url else None)
        return document

    return safe_item(source, read)


def is_html_response(record: Any) -> bool:
    """True for an HTTP response record with a 2xx status and an HTML content type."""
    if record.rec_type != "response" or record.http_headers is None:
        return False
    status = record.http_headers.get_statuscode() or ""
    content_type = (record.http_headers.get_header("Content-Type") or "").lower()
    return status.startswith("2") and content_type.startswith(HTML_TYPES)


def _bytes_after(stream: BinaryIO, end: int) -> bool:
    """True when ``stream`` holds more than blank lines after offset ``end``.

    warcio ends quietly when the last gzip member or record header is cut short; what is
    left over after the last whole record shows it. An unseekable stream is not checked.
    """
    try:
        size = stream.seek(0, io.SEEK_END)
        if size <= end:
            return False
        stream.seek(end)
        return bool(stream.read(_BLOCK).strip(b"\r\n"))
    except (OSError, ValueError):
        return False


def _kept(records: int) -> str:
    return f"Reading stopped there, keeping what came before ({records} records)."


def _drain(record: Any) -> None:
    """Read a skipped record to its end, so that a truncated one is noticed here."""
    while record.raw_stream.read(_BLOCK):
        pass
    missing = getattr(record.raw_stream, "limit", 0)
    if missing:
        raise _Damaged(f"{missing} bytes missing from its end")
