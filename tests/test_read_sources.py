"""The dispatcher: paths, folders, globs and stdin -> Items; a bad item never stops the run."""

from __future__ import annotations

import gzip
import io
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from allege.errors import InputError
from allege.model import Document
from allege.read import Columns, Item, iter_items
from allege.read.sources import safe_item, sniff

CORPORA = Path(__file__).parents[1].parent / "shared" / "corpora"
BBC_BUSINESS = CORPORA / "bbc-news" / "business"
BENCHMARK_HTML = CORPORA / "article-extraction-benchmark" / "html"
FEEDS = CORPORA / "feeds"
WARC_5 = CORPORA / "warc" / "news-sample-5.warc"

ARTICLE = (
    "The council said on Wednesday that the library would stay open on Sundays, "
    "reversing a decision that had angered readers.\n\n"
    "A spokeswoman said the money had been found in the culture budget."
)
PAGE = f"<!DOCTYPE html><html><body><article><p>{ARTICLE}</p></article></body></html>"
FEED = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>The Borough Bulletin</title>'
    "<item><title>Library hours</title><link>https://bulletin.example/library</link>"
    "<description>The library stays open.</description></item></channel></rss>"
)


def write(folder: Path, name: str, data: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def outcome(item: Item) -> str:
    return "document" if item.document else "waiting" if item.waiting_url else "error"


# --- Item ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [{}, {"waiting_url": "https://x.example", "error": "both"}],
)
def test_item_holds_exactly_one_outcome(fields: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        Item("source", **fields)  # type: ignore[arg-type]


def fail_with(error: Exception) -> Document:
    raise error


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (InputError("x.txt is empty: give a file."), "x.txt is empty: give a file."),
        (ZeroDivisionError("division by zero"), "Unexpected ZeroDivisionError while reading x"),
    ],
)
def test_safe_item_reports_any_failure(error: Exception, message: str) -> None:
    item = safe_item("x", lambda: fail_with(error))
    assert item.error and item.error.startswith(message)


# --- paths --------------------------------------------------------------------------------


def test_folder_is_read_recursively_in_order_without_hidden_files(tmp_path: Path) -> None:
    write(tmp_path, "b.txt", ARTICLE)
    write(tmp_path, "a/page.html", PAGE)
    write(tmp_path, "a/feed.rss", FEED)
    write(tmp_path, ".hidden.txt", ARTICLE)
    write(tmp_path, ".git/notes.txt", ARTICLE)
    items = list(iter_items([tmp_path]))
    assert [i.source for i in items] == [
        str(tmp_path / "a" / "feed.rss") + "#1",
        str(tmp_path / "a" / "page.html"),
        str(tmp_path / "b.txt"),
    ]
    assert [outcome(i) for i in items] == ["waiting", "document", "document"]


def test_glob_and_each_file_once(tmp_path: Path) -> None:
    first = write(tmp_path, "one.txt", ARTICLE)
    write(tmp_path, "two.txt", ARTICLE.replace("Sundays", "Mondays"))
    write(tmp_path, "three.html", PAGE)
    no_match = str(tmp_path / "nothing-*.txt")
    items = list(iter_items([first, str(tmp_path / "*.txt"), no_match]))
    assert [i.source for i in items] == [str(first), str(tmp_path / "two.txt"), no_match]
    assert items[-1].error and items[-1].error.startswith("No files match")


def test_relative_paths_give_absolute_sources(tmp_path: Path) -> None:
    story = write(tmp_path, "story.txt", ARTICLE)
    [item] = list(iter_items([os.path.relpath(story)]))
    assert item.source == str(tmp_path / "story.txt")


def test_bad_items_do_not_stop_the_run(tmp_path: Path) -> None:
    paths = [
        write(tmp_path, "good.txt", ARTICLE),
        tmp_path / "missing.txt",
        write(tmp_path, "image.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256))),
        write(tmp_path, "latin.txt", bytes(range(0x80, 0x100)) * 4),
        write(tmp_path, "empty.html", b""),
        write(tmp_path, "broken.xml", b"<rss><channel><title>Cut off"),
        write(tmp_path, "also-good.html", PAGE),
    ]
    items = list(iter_items(paths))
    assert [outcome(i) for i in items] == ["document"] + ["error"] * 5 + ["document"]
    errors = [i.error or "" for i in items[1:6]]
    assert errors[0].startswith("No such file")
    assert "is a PNG image, not text" in errors[1]
    assert "Cannot decode" in errors[2] and "Re-save the file as UTF-8" in errors[2]
    assert "is empty" in errors[3]
    assert "malformed feed" in errors[4]


def test_gzipped_files(tmp_path: Path) -> None:
    page = write(tmp_path, "page.html.gz", gzip.compress(PAGE.encode()))
    line = json.dumps({"text": ARTICLE}).encode()
    lines = write(tmp_path, "corpus.jsonl.gz", gzip.compress(line))
    cut = write(tmp_path, "cut.txt.gz", gzip.compress(ARTICLE.encode() * 50)[:200])
    page_item, line_item, cut_item = iter_items([page, lines, cut])
    assert page_item.document is not None
    assert page_item.document.text == " ".join(ARTICLE.split())  # HTML folds white space
    assert line_item.source == f"{lines}#1" and line_item.document is not None
    assert cut_item.error and "truncated or damaged" in cut_item.error


# --- sniffing and stdin -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"WARC/1.0\r\nWARC-Type: warcinfo\r\n", "warc"),
        (gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\n"), "warc"),
        (FEED.encode(), "feed"),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>', "feed"),
        (b'\xef\xbb\xbf<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">', "feed"),
        (b'{"text": "a"}\n{"text": "b"}\n', "jsonl"),
        (PAGE.encode(), "document"),
        (ARTICLE.encode(), "document"),
        (b"{not json}", "document"),
    ],
)
def test_sniff(data: bytes, kind: str) -> None:
    assert sniff(data) == kind


def test_kind_sniffed_without_extension(tmp_path: Path) -> None:
    feed = write(tmp_path, "bulletin", FEED)
    [item] = list(iter_items([feed]))
    assert item.source == f"{feed}#1" and item.waiting_url == "https://bulletin.example/library"


@pytest.mark.parametrize(
    ("data", "outcomes"),
    [
        (ARTICLE.encode("cp1252"), ["document"]),
        (FEED.encode(), ["waiting"]),
        (f'{{"body": {json.dumps(ARTICLE)}}}\n{{"body": ""}}'.encode(), ["document", "error"]),
    ],
)
def test_stdin(data: bytes, outcomes: list[str]) -> None:
    items = list(iter_items(["-"], stdin=io.BytesIO(data), columns=Columns(text="body")))
    assert [outcome(i) for i in items] == outcomes
    assert items[0].source.startswith("<stdin>")


# --- real corpora -------------------------------------------------------------------------


@pytest.mark.skipif(not BBC_BUSINESS.is_dir(), reason="shared BBC corpus not present")
def test_bbc_folder_glob() -> None:
    items = list(iter_items([str(BBC_BUSINESS / "0[0-4]?.txt")]))
    assert len(items) == 49 and all(i.document for i in items)  # 001.txt to 049.txt
    assert all(i.document and i.document.language == "en" for i in items)
    assert items[0].source == str((BBC_BUSINESS / "001.txt").resolve())


@pytest.mark.skipif(not BENCHMARK_HTML.is_dir(), reason="shared benchmark pages not present")
def test_saved_pages_compressed() -> None:
    items = list(iter_items(sorted(BENCHMARK_HTML.glob("*.html.gz"))[:5]))
    assert len(items) == 5 and all(i.document and len(i.document.text) > 200 for i in items)


@pytest.mark.skipif(not FEEDS.is_dir() or not WARC_5.is_file(), reason="shared corpora not present")
def test_mixed_corpus_sources_are_unique_and_stable() -> None:
    paths = [FEEDS, WARC_5]
    first = list(iter_items(paths))
    again = list(iter_items(paths))
    assert [i.source for i in first] == [i.source for i in again]
    assert len({i.source for i in first}) == len(first)
    counts = Counter(outcome(i) for i in first)
    # 171 + 122 + 25 full-text feed items, 5 pages, and the folder's text files
    assert counts["document"] >= 171 + 122 + 25 + 5
    assert counts["waiting"] == 40 + 55 + 15 + 69
