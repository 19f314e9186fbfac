"""Web addresses -> Items, by httpx: an article page, or every item of a feed or archive.

A page is read by the same readers as a saved file, its kind taken from the response's
Content-Type (or its content when that says nothing useful). Network failures, HTTP errors
and oversized responses become error Items that say what happened.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import metadata
from urllib.parse import urlsplit

import httpx

from ..errors import InputError
from .sources import Columns, Item, Kind, items_from_bytes

DEFAULT_TIMEOUT = 20.0  # seconds to connect, and between bytes of the response
MAX_BYTES = 50 * 2**20  # far beyond any news page: a larger response is not an article

# What a response's Content-Type says it holds; anything else is decided by its content.
CONTENT_KINDS: tuple[tuple[str, Kind], ...] = (
    ("text/html", "document"), ("application/xhtml+xml", "document"),
    ("text/plain", "document"),
    ("application/rss+xml", "feed"), ("application/atom+xml", "feed"),
    ("application/rdf+xml", "feed"),
    ("application/warc", "warc"),
    ("application/jsonl", "jsonl"), ("application/x-ndjson", "jsonl"),
    ("text/csv", "csv"), ("text/tab-separated-values", "tsv"),
)


def user_agent() -> str:
    """The User-Agent allege sends: its name and version."""
    try:
        version = metadata.version("allege")
    except metadata.PackageNotFoundError:
        version = "dev"
    return f"allege/{version} (news attribution analysis; python-httpx)"


def make_client(*, timeout: float = DEFAULT_TIMEOUT) -> httpx.Client:
    """An httpx client for fetching articles: timeout, redirects followed, allege's User-Agent.

    The caller closes it (``with make_client() as client: ...``).
    """
    return httpx.Client(
        timeout=timeout, follow_redirects=True, headers={"User-Agent": user_agent()}
    )


class FetchError(InputError):
    """A URL could not be downloaded; the message says why and what to do."""


def fetch_items(
    url: str, *, client: httpx.Client, columns: Columns | None = None
) -> Iterator[Item]:
    """The items at ``url``: one Document for a page, one Item per entry of a feed, or errors.

    Every item's ``source`` starts with ``url`` as given; a page's ``url`` is the address it
    was found at after redirects, unless the page names its own canonical address.
    """
    try:
        data, final_url, content_type = download(url, client)
    except FetchError as exc:
        yield Item(url, error=str(exc))
        return
    kind = kind_of_content_type(content_type)
    html = True if kind == "document" and "html" in content_type else None
    for item in items_from_bytes(data, url, kind=kind, columns=columns, html=html):
        if item.document is not None and item.source == url:
            item.document.url = item.document.url or final_url
            item.document.outlet = item.document.outlet or urlsplit(final_url).hostname
        yield item


def download(url: str, client: httpx.Client) -> tuple[bytes, str, str]:
    """The body, final URL and Content-Type of ``url``; raises :class:`FetchError`."""
    try:
        with client.stream("GET", url) as response:
            if response.status_code >= 400:
                raise FetchError(
                    f"{url} answered HTTP {response.status_code} {response.reason_phrase}: "
                    "check the address, or try again later if the server is busy."
                )
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BYTES:
                    raise FetchError(
                        f"{url} is larger than {MAX_BYTES // 2**20} MiB, too large for an "
                        "article: download it and give the file instead."
                    )
                chunks.append(chunk)
            return b"".join(chunks), str(response.url), response.headers.get("content-type", "")
    except httpx.TimeoutException as exc:
        raise FetchError(
            f"{url} did not answer in time ({type(exc).__name__}): try again later."
        ) from exc
    except httpx.ConnectError as exc:
        raise FetchError(
            f"Cannot connect to {url} ({exc}): check the address and the network."
        ) from exc
    except httpx.TooManyRedirects as exc:
        raise FetchError(f"{url} redirects too many times: check the address.") from exc
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise FetchError(f"Cannot download {url} ({type(exc).__name__}: {exc}).") from exc


def kind_of_content_type(content_type: str) -> Kind | None:
    """The kind of a response from its Content-Type, or None: let the content decide."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    return next((kind for known, kind in CONTENT_KINDS if known == media_type), None)
