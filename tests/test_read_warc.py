"""WARC and WARC.gz: HTML responses become Documents; damage ends the file with an error."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from allege.read.sources import Item, iter_items
from allege.read.warc import iter_warc

CORPORA = Path(__file__).parents[1].parent / "shared" / "corpora"
WARCS = CORPORA / "warc"
NEWS_30 = WARCS / "news-sample-30.warc.gz"
NEWS_5 = WARCS / "news-sample-5.warc"
FIXTURES = WARCS / "warcio-fixtures"

needs_warcs = pytest.mark.skipif(not WARCS.is_dir(), reason="shared WARC corpus not present")

PAGE = b"""<!DOCTYPE html><html lang="en"><head><title>Ferry fares to rise</title>
<meta property="og:site_name" content="The Island Courier"></head><body><article>
<h1>Ferry fares to rise</h1>
<p>The ferry company said on Thursday that fares would rise by a tenth in April, blaming
the price of fuel and the cost of the new harbour berth.</p>
<p>Islanders' groups said the rise would hurt families who cross to the mainland for work.
"Nobody asked us," said the chair of the residents' association.</p>
</article></body></html>"""


def read(data: bytes, source: str = "crawl.warc") -> list[Item]:
    return list(iter_warc(io.BytesIO(data), source))


def build_warc(records: list[tuple[str, str, bytes]], *, gzip: bool = False) -> bytes:
    """A WARC of response records (url, "status content-type", payload)."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gzip)
    for url, head, payload in records:
        status, content_type = head.split(" ", 1)
        http = StatusAndHeaders(
            f"{status} X", [("Content-Type", content_type)], protocol="HTTP/1.1"
        )
        writer.write_record(writer.create_warc_record(
            url, "response", payload=io.BytesIO(payload), http_headers=http
        ))
    return out.getvalue()


# --- real archives ------------------------------------------------------------------------


@needs_warcs
def test_gzipped_news_warc() -> None:
    manifest = json.loads((WARCS / "news-sample-30.manifest.json").read_text())
    with NEWS_30.open("rb") as stream:
        items = list(iter_warc(stream, str(NEWS_30)))
    assert all(i.document for i in items) and len(items) == 30
    # record 1 is the warcinfo record, so the pages are records 2 to 31
    assert [i.source for i in items] == [f"{NEWS_30}#{n}" for n in range(2, 32)]
    first = items[0].document
    assert first is not None
    assert first.url == manifest[0]["url"]
    assert first.title and "Republicans" in first.title
    assert first.language == "en" and len(first.text) > 2000
    assert "<p>" not in first.text


@needs_warcs
def test_plain_news_warc() -> None:
    items = list(iter_items([NEWS_5]))
    assert len(items) == 5 and all(i.document and i.document.url for i in items)


@needs_warcs
@pytest.mark.parametrize(
    ("name", "pages"),
    [
        ("example.warc.gz", 1),  # request, revisit and warcinfo records are passed over
        ("example.warc", 1),
        ("example-resource.warc.gz", 0),  # a resource record has no HTTP response
        ("example-iana.org-chunked.warc", 1),  # a chunked body is de-chunked
    ],
)
def test_record_types(name: str, pages: int) -> None:
    items = list(iter_items([FIXTURES / name]))
    assert len(items) == pages and all(i.document for i in items)


@needs_warcs
def test_chunked_body_is_read_whole() -> None:
    [item] = list(iter_items([FIXTURES / "example-iana.org-chunked.warc"]))
    assert item.document is not None and item.document.url == "http://iana.org/"
    assert item.document.title == "Internet Assigned Numbers Authority"
    assert item.document.text.startswith("Domain Names")
    assert item.document.text.endswith("describes the methodology and responses received.")


# --- damage -------------------------------------------------------------------------------


@needs_warcs
def test_truncated_warc_gz_keeps_the_records_before(tmp_path: Path) -> None:
    data = NEWS_30.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: len(data) // 2])
    items = list(iter_items([cut]))
    *pages, last = items
    assert len(pages) == 15 and all(i.document for i in pages)
    assert last.source == f"{cut}#17"
    assert last.error and "truncated" in last.error and "Re-download" in last.error


@needs_warcs
@pytest.mark.parametrize("cut", [100, 400, 300_000])
def test_cut_anywhere_ends_in_an_error(cut: int) -> None:
    # inside the first record's headers, inside a gzip member's header, inside a body
    items = read(NEWS_30.read_bytes()[:cut], "cut.warc.gz")
    assert items and items[-1].error
    assert all(i.document for i in items[:-1])


@needs_warcs
def test_truncated_plain_warc() -> None:
    items = read(NEWS_5.read_bytes()[:300_000])
    assert [bool(i.document) for i in items] == [True, False]
    assert items[-1].error and "truncated" in items[-1].error


@needs_warcs
def test_damaged_gzip_member() -> None:
    data = bytearray(NEWS_30.read_bytes())
    data[150_000:150_100] = b"x" * 100  # inside the 5th page's member
    items = read(bytes(data), "damaged.warc.gz")
    assert [bool(i.document) for i in items] == [True] * 4 + [False]
    assert items[-1].source == "damaged.warc.gz#6"


def test_not_a_warc() -> None:
    [item] = read(b"Dear editor,\nI write about the ferry fares.\n", "letter.warc")
    assert item.error and "not a WARC" in item.error and item.source == "letter.warc#1"


# --- archives written here ----------------------------------------------------------------


@pytest.mark.parametrize("gzip", [False, True])
def test_only_successful_html_responses(gzip: bool) -> None:
    data = build_warc(
        [
            ("https://courier.example/fares", "200 text/html; charset=utf-8", PAGE),
            ("https://courier.example/gone", "404 text/html", PAGE),
            ("https://courier.example/logo.png", "200 image/png", b"\x89PNG\r\n\x1a\n"),
            ("https://courier.example/old", "301 text/html", b"<html>Moved</html>"),
            ("https://courier.example/fares?amp", "200 application/xhtml+xml", PAGE),
        ],
        gzip=gzip,
    )
    items = read(data)
    assert [i.source for i in items] == ["crawl.warc#1", "crawl.warc#5"]
    document = items[0].document
    assert document is not None
    assert document.url == "https://courier.example/fares"  # the page names no URL itself
    assert document.outlet == "The Island Courier"
    assert '"Nobody asked us," said the chair' in document.text


def test_page_without_text_is_an_error_and_reading_goes_on() -> None:
    data = build_warc([
        ("https://courier.example/empty", "200 text/html", b"<html><body> </body></html>"),
        ("https://courier.example/fares", "200 text/html", PAGE),
    ])
    empty, page = read(data)
    assert empty.error and empty.source == "crawl.warc#1"
    assert page.document is not None
