"""Corpora as tables: JSON Lines and CSV/TSV -> one :class:`Item` per line or row.

Which field holds the text, title, URL, outlet, date and author is a :class:`Columns`
mapping. A line or row that cannot be read (bad JSON, bytes that are not text, no text in
the text field) becomes an error Item, and reading goes on with the next.
"""

from __future__ import annotations

import csv
import email.utils
import io
import json
import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any, BinaryIO

from charset_normalizer import from_bytes

from ..errors import InputError
from ..model import Document
from . import looks_like_html
from .html import read_html
from .sources import SNIFF_BYTES, Columns, Item, safe_item
from .text import BOMS, PREFERRED_ENCODINGS, decode, guess_language, tidy

# Dates written other than ISO 8601 or RFC 2822; day/month/year numbers are read US-style,
# month first, as in the corpora seen so far (FA-KES writes M/D/YY).
DATE_FORMATS: tuple[str, ...] = (
    "%m/%d/%y", "%m/%d/%Y", "%Y/%m/%d", "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y",
    "%A, %B %d, %Y", "%d.%m.%Y",
)
FIELD_SIZE_LIMIT = 2**31 - 1  # one article may be far longer than csv's 128 KiB default
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_UNDECODED = re.compile("[\udc80-\udcff]")


def iter_jsonl(stream: BinaryIO, source: str, columns: Columns) -> Iterator[Item]:
    """One Item per non-blank line of a JSON Lines file; ``source#n`` is line n."""
    try:
        encoding = text_encoding(stream, source, detect=False)
    except InputError as exc:
        yield Item(source, error=str(exc))
        return
    lines = io.TextIOWrapper(stream, encoding=encoding, errors="surrogateescape")
    for number, line in enumerate(lines, 1):
        if line.strip():
            yield jsonl_item(line, columns, f"{source}#{number}", f"Line {number} of {source}")


def jsonl_item(line: str, columns: Columns, source: str, name: str) -> Item:
    """The Item for one line of JSON Lines; ``name`` names the line in messages."""
    if _UNDECODED.search(line):
        return Item(source, error=f"{name} is not valid UTF-8: re-save the file as UTF-8.")
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return Item(source, error=(
            f"{name} is not valid JSON ({exc.msg} at column {exc.colno}): fix or remove the line."
        ))
    if not isinstance(record, dict):
        return Item(source, error=(
            f"{name} is a JSON {type(record).__name__}, not an object with a "
            f"{columns.text!r} field: give one JSON object per line."
        ))
    return record_item(record, columns, source, name)


def iter_csv(
    stream: BinaryIO, source: str, columns: Columns, *, delimiter: str = ","
) -> Iterator[Item]:
    """One Item per row of a CSV file with a header row; ``source#n`` is data row n.

    Bytes that are not valid in the file's encoding become U+FFFD in the text, so one bad
    byte does not cost a whole article.
    """
    try:
        encoding = text_encoding(stream, source)
    except InputError as exc:
        yield Item(source, error=str(exc))
        return
    if csv.field_size_limit() < FIELD_SIZE_LIMIT:
        csv.field_size_limit(FIELD_SIZE_LIMIT)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    reader = csv.DictReader(text, delimiter=delimiter)
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        yield Item(source, error=f"Cannot read the header row of {source} ({exc}).")
        return
    if columns.text not in header:
        yield Item(source, error=(
            f"{source} has no column {columns.text!r} (its columns: {', '.join(header)}): "
            "map the column that holds the article text as the text column."
        ))
        return
    yield from _rows(reader, columns, source)


def _rows(reader: csv.DictReader[str], columns: Columns, source: str) -> Iterator[Item]:
    number = 0
    while True:
        line = reader.line_num
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            number += 1
            yield Item(f"{source}#{number}", error=(
                f"Row {number} of {source} (line {reader.line_num}) is not valid CSV ({exc}): "
                "fix the row's quoting."
            ))
            if reader.line_num == line:
                return  # the reader cannot get past the fault
            continue
        number += 1
        yield record_item(row, columns, f"{source}#{number}", f"Row {number} of {source}")


def record_item(record: Mapping[str, Any], columns: Columns, source: str, name: str) -> Item:
    """The Item for one JSON object or CSV row."""
    return safe_item(source, lambda: document_from_record(record, columns, name))


def document_from_record(record: Mapping[str, Any], columns: Columns, name: str) -> Document:
    """A :class:`Document` from one record, its fields mapped by ``columns``.

    A text field that holds a whole HTML page is read as a page; metadata in the record
    wins over what the page says. Raises :class:`InputError` when there is no text.
    """
    raw = field(record, columns.text)
    if not raw:
        raise InputError(
            f"{name} has no text in its {columns.text!r} field: check that this field holds "
            "the article text, or map the one that does as the text column."
        )
    if looks_like_html(raw.encode("utf-8")):
        document = read_html(raw.encode("utf-8"), name)
    else:
        text = tidy(raw)
        if not text:
            raise InputError(f"No article text found in {name}: every line is page boilerplate.")
        document = Document(text=text, language=guess_language(text))
    for attribute in ("title", "url", "outlet", "author"):
        value = field(record, getattr(columns, attribute))
        if value:
            setattr(document, attribute, " ".join(value.split()))
    published = normalise_date(field(record, columns.published))
    document.published = published or document.published
    return document


def field(record: Mapping[str, Any], key: str | None) -> str | None:
    """The record's value for ``key`` as text (a list joined by commas), or None if empty."""
    if key is None:
        return None
    value = record.get(key)
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value if v not in (None, ""))
    if value is None or isinstance(value, dict):
        return None
    value = str(value)
    return value if value.strip() else None


def normalise_date(value: str | None) -> str | None:
    """``value`` as an ISO date (``YYYY-MM-DD``), or None when it is not a recognisable date.

    Reads ISO 8601 (``2019-01-04``, ``2019-01-04T12:00:00Z``), RFC 2822 (as in RSS) and the
    :data:`DATE_FORMATS`.
    """
    if not value or not value.strip():
        return None
    value = " ".join(value.split())
    if match := _ISO_DATE.match(value):
        year, month, day = (int(part) for part in match.groups())
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            return None
    try:
        return email.utils.parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(value, pattern).date().isoformat()
        except ValueError:
            continue
    return None


def text_encoding(stream: BinaryIO, name: str, *, detect: bool = True) -> str:
    """The encoding of a text table, judged from its first bytes as :func:`decode` judges.

    The stream is left at its start. Without ``detect`` the answer is UTF-8 unless a
    byte-order mark says otherwise (JSON Lines is UTF-8 by definition). Raises
    :class:`InputError` (the readers' usual message) when the file is empty, binary or
    undecodable.
    """
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    for bom, encoding in BOMS:
        if head.startswith(bom):
            return encoding
    if len(head) == SNIFF_BYTES and b"\n" in head:
        head = head[: head.rindex(b"\n") + 1]  # do not judge by a character cut in half
    text = decode(head, name)
    if not detect:
        return "utf-8"
    for encoding in ("utf-8", *PREFERRED_ENCODINGS):
        try:
            if head.decode(encoding) == text:
                return encoding
        except UnicodeDecodeError:
            continue
    best = from_bytes(head).best()
    return best.encoding if best is not None else "utf-8"
