"""RSS, Atom and RDF feeds: full-text items become Documents, link-only items wait."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from allege.read.feeds import is_teaser, iter_feed, published_date
from allege.read.sources import Item

CORPORA = Path(__file__).parents[1].parent / "shared" / "corpora"
FEEDS = CORPORA / "feeds"
FIXTURES = FEEDS / "rss-parser-fixtures"
WIKINEWS = FEEDS / "wikinews-derived"

needs_feeds = pytest.mark.skipif(not FEEDS.is_dir(), reason="shared feed corpus not present")

PARAGRAPHS = (
    "<p>The harbour authority said on Monday that the northern quay would close for six "
    "months while engineers replace the sea wall, which was damaged in the winter storms.</p>"
    "<p>Fishing crews, who land most of their catch at the northern quay, said the closure "
    "would cost them dearly. &ldquo;We were told nothing until this morning,&rdquo; one "
    "skipper said.</p>"
    "<p>A spokeswoman for the authority declined to comment on the cost of the works, "
    "saying the contract had not yet been signed.</p>"
)


def rss(*items: str, language: str = "en") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>The Harbour Herald</title><link>https://herald.example/</link>"
        f"<language>{language}</language>" + "".join(items) + "</channel></rss>"
    ).encode()


def kinds(items: list[Item]) -> Counter[str]:
    return Counter(
        "document" if i.document else "waiting" if i.waiting_url else "error" for i in items
    )


def read(path: Path) -> list[Item]:
    return list(iter_feed(path.read_bytes(), str(path)))


# --- real feeds ---------------------------------------------------------------------------


@needs_feeds
def test_full_text_rss_items_are_documents() -> None:
    items = read(WIKINEWS / "wikinews-2019.rss")
    assert kinds(items) == {"document": 171}
    assert [i.source for i in items[:2]] == [
        f"{WIKINEWS / 'wikinews-2019.rss'}#1", f"{WIKINEWS / 'wikinews-2019.rss'}#2"
    ]
    document = items[0].document
    assert document is not None
    assert document.title == "Radio host Don Imus dies aged 79"
    assert document.url == "https://en.wikinews.org/wiki/Radio_host_Don_Imus_dies_aged_79"
    assert document.published == "2019-12-30"
    assert document.outlet and document.outlet.startswith("Wikinews (English)")
    assert document.author == "Wikinews contributors"
    assert document.language == "en"
    assert document.text.startswith("Monday, December 30, 2019\n\n")  # one block per <p>
    assert "<p>" not in document.text and len(document.text) > 2000


@needs_feeds
def test_full_text_atom_items_are_documents() -> None:
    items = read(WIKINEWS / "wikinews-2020.atom")
    assert kinds(items) == {"document": 122}
    assert all(i.document and i.document.published and i.document.url for i in items)
    assert len({i.document.hash for i in items if i.document}) == 122


@needs_feeds
def test_teaser_summaries_wait_for_their_page() -> None:
    # The Guardian's summaries run to several paragraphs but end in "Continue reading...".
    items = read(FIXTURES / "guardian.rss")
    assert kinds(items) == {"waiting": 55}
    assert items[0].waiting_url == (
        "https://www.theguardian.com/us-news/2018/jan/31/"
        "donald-trump-state-of-the-union-address-unity-discord"
    )


@needs_feeds
@pytest.mark.parametrize(
    ("name", "count"),
    [("encoding.rss", 40), ("heise.atom", 15), ("rss-1.rss", 69)],  # RDF: 69 items, not 70
)
def test_short_summaries_wait_for_their_page(name: str, count: int) -> None:
    items = read(FIXTURES / name)
    assert kinds(items) == {"waiting": count}
    assert all(i.waiting_url and i.waiting_url.startswith("http") for i in items)


@needs_feeds
def test_atom_with_full_html_content() -> None:
    items = read(FIXTURES / "feedburner.atom")
    assert kinds(items) == {"document": 25}
    document = items[0].document
    assert document is not None
    assert document.outlet == "Google Ads Developer Blog"
    assert document.author == "Google Ads Developer Advisor"  # without the e-mail address
    assert document.published == "2016-06-03"  # the date as written, not shifted to UTC


# --- feeds written here -------------------------------------------------------------------


def test_item_with_content_encoded_is_a_document() -> None:
    item = (
        "<item><title>Northern quay to close for repairs</title>"
        "<link>https://herald.example/quay</link>"
        "<description>The northern quay will close.</description>"
        f"<content:encoded><![CDATA[{PARAGRAPHS}]]></content:encoded>"
        "<dc:creator>Mara Quill</dc:creator>"
        "<pubDate>Mon, 06 Mar 2023 23:30:00 -0500</pubDate></item>"
    )
    [result] = list(iter_feed(rss(item), "herald.rss"))
    document = result.document
    assert document is not None
    assert result.source == "herald.rss#1"
    assert document.title == "Northern quay to close for repairs"
    assert document.url == "https://herald.example/quay"
    assert document.outlet == "The Harbour Herald"
    assert document.author == "Mara Quill"
    assert document.published == "2023-03-07"  # RFC 2822 dates are read in UTC
    assert "“We were told nothing until this morning,” one skipper said." in document.text
    assert "\n\nFishing crews" in document.text


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("<item><title>Quay</title><link>https://herald.example/q</link>"
         "<description>The quay will close for six months.</description></item>", "waiting"),
        (f"<item><title>Quay</title><description><![CDATA[{PARAGRAPHS}]]></description></item>",
         "document"),
        ("<item><title>Quay</title><description>Quay closes.</description></item>", "document"),
        ("<item><title>Only a title</title></item>", "error"),
    ],
)
def test_item_kinds(item: str, expected: str) -> None:
    assert kinds(list(iter_feed(rss(item), "herald.rss"))) == {expected: 1}


def test_language_falls_back_to_the_feed_language() -> None:
    item = "<item><title>Scores</title><description>3–1, 2–2, 0–4, 1–1.</description></item>"
    [result] = list(iter_feed(rss(item, language="pt-PT"), "herald.rss"))
    assert result.document is not None and result.document.language == "pt"


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</ti',
        b"<rss><channel><title>Unclosed channel</title>",
        b"\x00\x01\x02 not a feed at all",
    ],
)
def test_malformed_feed_is_an_error_item(data: bytes) -> None:
    [result] = list(iter_feed(data, "broken.rss"))
    assert result.error and "broken.rss" in result.error and result.source == "broken.rss"


def test_xml_that_is_not_a_feed() -> None:
    [result] = list(iter_feed(b'<?xml version="1.0"?><catalogue><book/></catalogue>', "c.xml"))
    assert result.error and "not an RSS, Atom or RDF feed" in result.error


def test_feed_broken_after_some_items_keeps_them_and_says_so() -> None:
    good = "<item><title>Quay</title><link>https://herald.example/q</link></item>"
    data = rss(good, good).replace(b"</channel></rss>", b"<item><title>Cut &nbsp off")
    items = list(iter_feed(data, "herald.rss"))
    assert [i.waiting_url for i in items[:2]] == ["https://herald.example/q"] * 2
    assert items[-1].error and "not well-formed" in items[-1].error
    assert items[-1].source == "herald.rss#malformed"


@pytest.mark.parametrize(
    ("text", "teaser"),
    [
        ("A long first paragraph.\n\nContinue reading...", True),
        ("A long first paragraph.\n\nRead more", True),
        ("The minister said the talks had stalled […]", True),
        ("The minister said the talks had stalled...", True),
        ("Read the full story at the Herald", True),
        ("The minister said the talks had stalled.", False),
        ("Readers were asked to continue reading the report.", False),
    ],
)
def test_is_teaser(text: str, teaser: bool) -> None:
    assert is_teaser(text) is teaser


@pytest.mark.parametrize(
    ("entry", "date"),
    [
        ({"published": "2016-02-01T00:30:00+01:00"}, "2016-02-01"),
        ({"updated": "2020-12-28T00:00:00Z"}, "2020-12-28"),
        ({"published": "x", "published_parsed": (2018, 1, 3, 13, 47, 0, 2, 3, 0)}, "2018-01-03"),
        ({}, None),
    ],
)
def test_published_date(entry: dict[str, object], date: str | None) -> None:
    assert published_date(entry) == date
