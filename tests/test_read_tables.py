"""JSON Lines and CSV corpora: one Item per line or row, fields mapped by Columns."""

from __future__ import annotations

import codecs
import csv
import json
from pathlib import Path

import pytest

from allege.read.sources import Columns, Item, iter_items
from allege.read.tables import normalise_date

CORPORA = Path(__file__).parents[1].parent / "shared" / "corpora"
WIKINEWS = CORPORA / "wikinews-sample" / "data"
FAKES = CORPORA / "fa-kes" / "fakes.csv"

BRIDGE = (
    "The mayor said on Tuesday that the harbour bridge would reopen within weeks.\n\n"
    "A spokesman for the regional government declined to comment."
)
FERRY = "The ferry company said fares would rise in April, blaming the price of fuel."
PAGE = (
    "<!DOCTYPE html><html><head><title>Page title</title></head><body><article>"
    f"<p>{FERRY}</p><p>Islanders said the rise would hurt families.</p></article></body></html>"
)


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def items_of(path: Path, **columns: str | None) -> list[Item]:
    return list(iter_items([path], columns=Columns(**columns)))  # type: ignore[arg-type]


# --- JSON Lines ---------------------------------------------------------------------------


def test_jsonl_lines_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": BRIDGE, "title": "Bridge to reopen", "url": "https://g.example/b",
                    "outlet": "The Gazette", "published": "2021-03-09T08:15:00Z",
                    "author": ["Ada Whitlock", "Tom Reed"]}),
        "",
        '{"text": "unterminated',
        '["a", "list"]',
        json.dumps({"title": "No text here"}),
        json.dumps({"text": FERRY, "published": "soon", "outlet": None}),
    ]
    path = write(tmp_path, "corpus.jsonl", "\n".join(lines) + "\n")
    items = items_of(path)
    assert [i.source.rsplit("#", 1)[1] for i in items] == ["1", "3", "4", "5", "6"]
    first = items[0].document
    assert first is not None
    assert first.text == BRIDGE
    assert first.title == "Bridge to reopen" and first.url == "https://g.example/b"
    assert first.outlet == "The Gazette"
    assert first.published == "2021-03-09" and first.author == "Ada Whitlock, Tom Reed"
    assert first.language == "en"
    assert items[1].error and "Line 3" in items[1].error and "not valid JSON" in items[1].error
    assert items[2].error and "JSON list, not an object" in items[2].error
    assert items[3].error and "no text in its 'text' field" in items[3].error
    last = items[4].document
    assert last is not None and last.published is None and last.outlet is None


def test_jsonl_mapped_fields_and_html_text(tmp_path: Path) -> None:
    record = {"body": PAGE, "headline": "Fares to rise", "source": "The Courier", "day": "3/14/22"}
    path = write(tmp_path, "corpus.ndjson", json.dumps(record) + "\n")
    [item] = items_of(path, text="body", title="headline", outlet="source", published="day")
    document = item.document
    assert document is not None
    assert document.text.startswith(FERRY) and "<p>" not in document.text
    assert document.title == "Fares to rise"  # the record wins over the page
    assert (document.outlet, document.published) == ("The Courier", "2022-03-14")


def test_jsonl_line_that_is_not_utf8(tmp_path: Path) -> None:
    data = (json.dumps({"text": FERRY}) + "\n").encode() + b'{"text": "caf\xe9 owners"}\n'
    items = items_of(write(tmp_path, "corpus.jsonl", data))
    assert items[0].document is not None
    assert items[1].error and "Line 2" in items[1].error and "not valid UTF-8" in items[1].error


def test_jsonl_sniffed_without_extension(tmp_path: Path) -> None:
    path = write(tmp_path, "export", json.dumps({"text": FERRY}) + "\n")
    [item] = items_of(path)
    assert item.document is not None and item.source == f"{path}#1"


# --- CSV ----------------------------------------------------------------------------------


def test_csv_with_mapped_columns(tmp_path: Path) -> None:
    path = tmp_path / "corpus.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "headline", "body", "paper", "date"])
        writer.writerow(["1", "Bridge to reopen", BRIDGE, "The Gazette", "2021-03-09"])
        writer.writerow(["2", "Empty", "   ", "The Gazette", "2021-03-10"])
        writer.writerow(["3", "Fares", FERRY, "The Courier", "Mar 14, 2022"])
    items = items_of(path, text="body", title="headline", outlet="paper", published="date")
    assert [i.source for i in items] == [f"{path}#{n}" for n in (1, 2, 3)]
    first, empty, third = items
    assert first.document is not None and first.document.text == BRIDGE  # multi-line field
    assert first.document.title == "Bridge to reopen" and first.document.outlet == "The Gazette"
    assert empty.error and "Row 2" in empty.error
    assert third.document is not None and third.document.published == "2022-03-14"


def test_csv_without_the_text_column_is_one_error(tmp_path: Path) -> None:
    path = write(tmp_path, "corpus.csv", f"id,body\n1,{FERRY}\n2,{FERRY}\n")
    [item] = items_of(path)
    assert item.error and "no column 'text'" in item.error and "id, body" in item.error


def test_csv_field_larger_than_the_csv_default(tmp_path: Path) -> None:
    long_text = (FERRY + " ") * 3000  # about 230,000 characters
    path = write(tmp_path, "long.csv", f'title,text\nLong,"{long_text}"\n')
    [item] = items_of(path)
    assert item.document is not None and len(item.document.text) > 131_072


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", codecs.BOM_UTF8), ("cp1252", b""), ("utf-16-le", codecs.BOM_UTF16_LE)],
)
def test_csv_encodings(tmp_path: Path, encoding: str, bom: bytes) -> None:
    text = "The café owners’ association called the plan “naïve”, the mayor said on Monday."
    data = bom + f"title,text\nCafés,\"{text}\"\n".encode(encoding)
    [item] = items_of(write(tmp_path, "corpus.csv", data))
    assert item.document is not None and item.document.text == text
    assert item.document.title == "Cafés"


def test_tsv(tmp_path: Path) -> None:
    [item] = items_of(write(tmp_path, "corpus.tsv", f"title\ttext\nFares\t{FERRY}\n"))
    assert item.document is not None and item.document.title == "Fares"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("corpus.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "PNG image"),
        ("corpus.jsonl", b"\x00\x01\x02\x03" * 50, "binary"),
        ("corpus.csv", b"", "is empty"),
    ],
)
def test_binary_or_empty_table(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    [item] = items_of(write(tmp_path, name, data))
    assert item.error and message in item.error


# --- real corpora -------------------------------------------------------------------------


@pytest.mark.skipif(not WIKINEWS.is_dir(), reason="shared Wikinews sample not present")
def test_wikinews_csv() -> None:
    items = items_of(WIKINEWS / "wikinews_2020.csv", published="date")
    assert len(items) == 124 and all(i.document for i in items)
    documents = [i.document for i in items if i.document]
    assert documents[0].published == "2020-01-01"
    assert all(d.url and d.url.startswith("https://en.wikinews.org/") for d in documents)
    assert max(len(d.text) for d in documents) > 100_000  # an interview of ~20,000 words


@pytest.mark.skipif(not FAKES.is_file(), reason="shared FA-KES corpus not present")
def test_fakes_csv_with_stray_bytes() -> None:
    items = items_of(
        FAKES, text="article_content", title="article_title", outlet="source", published="date"
    )
    assert len(items) == 804 and all(i.document for i in items)
    documents = [i.document for i in items if i.document]
    assert {d.outlet for d in documents} >= {"sana", "sputnik", "reuters", "tass"}
    assert all(d.published and "2011-02-02" <= d.published <= "2018-07-18" for d in documents)
    # a mangled byte becomes U+FFFD; the article around it is kept
    assert any("\ufffd" in d.text for d in documents)


@pytest.mark.parametrize(
    ("value", "date"),
    [
        ("2019-01-04", "2019-01-04"),
        ("2019-01-04T23:30:00-05:00", "2019-01-04"),
        ("Mon, 30 Dec 2019 12:00:00 +0000", "2019-12-30"),
        ("4/5/17", "2017-04-05"),
        ("12/30/2019", "2019-12-30"),
        ("December 30, 2019", "2019-12-30"),
        ("Monday, December 30, 2019", "2019-12-30"),
        ("30 Dec 2019", "2019-12-30"),
        ("yesterday", None),
        ("2019-13-45", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_date(value: str | None, date: str | None) -> None:
    assert normalise_date(value) == date
