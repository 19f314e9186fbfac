"""Every usual source of articles -> a stream of :class:`Item` s, one per article.

:func:`iter_items` takes what a user types (files, folders, globs, ``-`` for standard input,
web addresses) and yields one :class:`Item` per article found: a :class:`Document`, a link
waiting for its page (a feed item without its text), or the reason an item was skipped. A bad
item never raises out of the iterator; it becomes an :class:`Item` with ``error`` set, and
iteration goes on.

Each item's ``source`` is the absolute path or the URL it came from, plus ``#n`` for the
n-th item inside a container (feed item, WARC record, JSON line, CSV row; counted from 1), so
a resumed run can skip what it has done.
"""

from __future__ import annotations

import glob
import gzip
import io
import json
import os
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Literal, cast

from ..errors import InputError
from ..model import Document
from . import HTML_SUFFIXES, looks_like_html, read_bytes

if TYPE_CHECKING:
    import httpx

Kind = Literal["document", "feed", "warc", "jsonl", "csv", "tsv"]

# What a file's name says it holds; a name not listed here is decided by its content.
SUFFIX_KINDS: dict[str, Kind] = {
    ".txt": "document", ".html": "document", ".htm": "document", ".xhtml": "document",
    ".xml": "feed", ".rss": "feed", ".atom": "feed", ".rdf": "feed",
    ".warc": "warc", ".warc.gz": "warc",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".csv": "csv", ".tsv": "tsv",
}
STDIN_SOURCE = "<stdin>"
SNIFF_BYTES = 65_536
_FEED_ROOTS = (b"<rss", b"<feed", b"<rdf:rdf")


@dataclass(frozen=True)
class Item:
    """One article from a source: exactly one of ``document``, ``waiting_url``, ``error``.

    ``source`` is the path or URL plus a ``#n`` locator inside a container: unique and
    stable between runs. ``waiting_url`` is the link of a feed item that came without its
    text; ``error`` says why the item was skipped and what to do about it.
    """

    source: str
    document: Document | None = None
    waiting_url: str | None = None
    error: str | None = None

    def __post_init__(self) -> None:
        given = [v for v in (self.document, self.waiting_url, self.error) if v is not None]
        if len(given) != 1:
            raise ValueError("An Item holds exactly one of document, waiting_url and error.")


@dataclass(frozen=True)
class Columns:
    """Which field of a JSON Lines object or CSV row holds each part of an article.

    Only ``text`` is required in the data; a field named here but missing from a row is
    left empty. ``None`` means: the data has no such field.
    """

    text: str = "text"
    title: str | None = "title"
    url: str | None = "url"
    outlet: str | None = "outlet"
    published: str | None = "published"
    author: str | None = "author"


def iter_items(
    paths: Iterable[str | os.PathLike[str]],
    *,
    columns: Columns | None = None,
    stdin: BinaryIO | None = None,
    fetch: bool = False,
    client: httpx.Client | None = None,
) -> Iterator[Item]:
    """Every article in ``paths``, in order, each file once; bad items become error Items.

    A path may be a file, a folder (read recursively in sorted order, hidden files and
    folders skipped), a glob (``corpus/**/*.html``), ``-`` for standard input (``stdin`` if
    given), or an http(s) URL, downloaded only when ``fetch`` is true (with ``client``, or a
    client made and closed here).
    """
    columns = columns or Columns()
    seen: set[str] = set()
    own_client: httpx.Client | None = None
    try:
        for arg in paths:
            for target in expand(arg):
                if isinstance(target, Item):
                    yield target
                elif target == "-":
                    yield from items_from_stdin(stdin, columns)
                elif isinstance(target, str):
                    if not fetch:
                        yield Item(target, error=(
                            f"{target} is a web address and fetching is off: allow network "
                            "access to download it, or save the page and give its file."
                        ))
                        continue
                    from .urls import fetch_items, make_client

                    if client is None:
                        client = own_client = make_client()
                    yield from fetch_items(target, client=client, columns=columns)
                elif (key := str(target.resolve())) not in seen:
                    seen.add(key)
                    yield from items_from_file(Path(key), columns)
    finally:
        if own_client is not None:
            own_client.close()


def expand(arg: str | os.PathLike[str]) -> Iterator[Path | str | Item]:
    """What one argument names: files (folders and globs expanded), ``-``, a URL, or an error."""
    text = os.fspath(arg)
    if text == "-":
        yield "-"
        return
    if is_url(text):
        yield text
        return
    path = Path(text)
    if path.is_dir():
        yield from walk(path)
    elif path.exists() or path.is_symlink():
        yield path
    elif any(char in text for char in "*?["):
        matches = sorted(glob.glob(text, recursive=True))
        if not matches:
            yield Item(text, error=f"No files match {text}. Check the pattern and try again.")
        for match in matches:
            yield from walk(Path(match)) if os.path.isdir(match) else [Path(match)]
    else:
        yield Item(text, error=f"No such file: {text}. Check the path and try again.")


def walk(folder: Path) -> list[Path]:
    """The files under ``folder``, recursively, sorted, without hidden files or folders."""
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(Path(root, name) for name in files if not name.startswith("."))
    return sorted(found)


def is_url(text: str) -> bool:
    """True for an http or https address."""
    return text[:8].lower().startswith(("http://", "https://"))


def kind_of_name(name: str) -> Kind | None:
    """The kind a file name's extension says, or None when the content must decide."""
    lower = name.lower()
    if lower.endswith(".warc.gz"):
        return "warc"
    return SUFFIX_KINDS.get(os.path.splitext(lower)[1])


def sniff(head: bytes) -> Kind:
    """The kind of data that starts with ``head``: WARC, feed, JSON Lines, else a document."""
    if head.startswith(b"WARC/"):
        return "warc"
    if head.startswith(b"\x1f\x8b"):
        try:
            inflated = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 16)
        except zlib.error:
            inflated = b""
        if inflated.startswith(b"WARC/"):
            return "warc"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"<") and not looks_like_html(head):
        lower = start[:4096].lower()
        if any(root + b" " in lower or root + b">" in lower for root in _FEED_ROOTS):
            return "feed"
    if start.startswith(b"{"):
        try:
            if isinstance(json.loads(start.split(b"\n", 1)[0]), dict):
                return "jsonl"
        except ValueError:
            pass
    return "document"


def items_from_file(path: Path, columns: Columns) -> Iterator[Item]:
    """The items in one file; a file that cannot be read becomes one error Item.

    A gzip-compressed file (``page.html.gz``, ``corpus.jsonl.gz``) is read decompressed, as
    what its name without ``.gz`` says.
    """
    source = str(path)
    name = path.name[:-3] if _gzipped(path) else path.name
    try:
        with (gzip.open(path, "rb") if _gzipped(path) else path.open("rb")) as stream:
            head = stream.read(SNIFF_BYTES)
            if not head:
                raise InputError(f"{path} is empty: give a file that contains an article's text.")
            kind = kind_of_name(name) or sniff(head)
            if kind in ("warc", "jsonl", "csv", "tsv"):
                stream.seek(0)
                yield from read_stream(cast(BinaryIO, stream), source, kind, columns)
                return
            data = head + stream.read()
    except InputError as exc:
        yield Item(source, error=str(exc))
        return
    except (OSError, EOFError, zlib.error) as exc:
        yield Item(source, error=_os_message(path, exc))
        return
    html = True if os.path.splitext(name)[1].lower() in HTML_SUFFIXES else None
    yield from items_from_bytes(data, source, kind=kind, columns=columns, html=html)


def _gzipped(path: Path) -> bool:
    # A .warc.gz is read member by member by warcio, not decompressed here.
    return path.name.lower().endswith(".gz") and not path.name.lower().endswith(".warc.gz")


def items_from_stdin(stdin: BinaryIO | None, columns: Columns) -> Iterator[Item]:
    """The items in standard input (or ``stdin``), its kind decided by its content."""
    data = (stdin if stdin is not None else sys.stdin.buffer).read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    yield from items_from_bytes(data, STDIN_SOURCE, columns=columns)


def items_from_bytes(
    data: bytes,
    source: str,
    *,
    kind: Kind | None = None,
    columns: Columns | None = None,
    html: bool | None = None,
) -> Iterator[Item]:
    """The items in ``data`` read from ``source``; ``kind`` None means: sniff the content."""
    columns = columns or Columns()
    kind = kind or sniff(data[:SNIFF_BYTES])
    if kind == "document":
        yield safe_item(source, lambda: read_bytes(data, name=source, html=html))
    elif kind == "feed":
        from .feeds import iter_feed

        yield from iter_feed(data, source)
    else:
        yield from read_stream(io.BytesIO(data), source, kind, columns)


def read_stream(stream: BinaryIO, source: str, kind: Kind, columns: Columns) -> Iterator[Item]:
    """The items of a container read as a stream: WARC, JSON Lines, CSV or TSV."""
    # The readers import Item from here, and their libraries load only when needed.
    if kind == "warc":
        from .warc import iter_warc

        yield from iter_warc(stream, source)
    elif kind == "jsonl":
        from .tables import iter_jsonl

        yield from iter_jsonl(stream, source, columns)
    else:
        from .tables import iter_csv

        yield from iter_csv(stream, source, columns, delimiter="\t" if kind == "tsv" else ",")


def safe_item(source: str, read: Callable[[], Document | Item]) -> Item:
    """The Item ``read()`` returns (a Document is wrapped in one), or the reason it failed.

    An :class:`InputError` gives its own message. Any other exception is a bug in a reader
    or a library it uses; it is reported as one too, because one bad article must not end a
    batch run.
    """
    try:
        result = read()
        return result if isinstance(result, Item) else Item(source, document=result)
    except InputError as exc:
        return Item(source, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - see the docstring
        return Item(source, error=(
            f"Unexpected {type(exc).__name__} while reading {source}: {exc}. This is a bug in "
            "allege: please report it with the input that caused it."
        ))


def _os_message(path: Path, exc: Exception) -> str:
    if isinstance(exc, (EOFError, zlib.error, gzip.BadGzipFile)):
        return f"Cannot read {path}: its gzip data is truncated or damaged ({exc}). Re-download it."
    if isinstance(exc, FileNotFoundError):
        return f"No such file: {path}. Check the path and try again."
    if isinstance(exc, PermissionError):
        return f"Cannot read {path}: permission denied. Check the file's permissions."
    return f"Cannot read {path}: {getattr(exc, 'strerror', None) or exc}."
