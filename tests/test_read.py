"""Readers: files, stdin and bytes become Documents; bad input becomes InputError."""

from __future__ import annotations

import codecs
import gzip
import io
import os
import zlib
from pathlib import Path

import pytest

from allege.errors import InputError
from allege.read import decode, guess_language, read_bytes, read_path, strip_boilerplate

SHARED = Path(__file__).parents[1].parent / "shared"
KADYROV = SHARED / "examples" / "kadyrov-syria.txt"
PAGES = SHARED / "corpora" / "readability-news-pages" / "pages"

ENGLISH = (
    "The mayor said on Tuesday that the bridge would reopen “within weeks”, "
    "a promise the café owners’ association called “naïve” and “premature”.\n\n"
    "A spokesman for the regional government declined to comment, saying the matter was "
    "still under review by the transport ministry.\n"
)
RUSSIAN = (
    "Мэр города заявил во вторник, что мост откроют в течение нескольких недель. "
    "Представитель правительства отказался от комментариев и сказал, что вопрос "
    "ещё рассматривается министерством транспорта.\n"
)
FRENCH = (
    "Le maire a déclaré mardi que le pont serait rouvert « dans quelques semaines », "
    "une promesse que l'association des cafés a jugée naïve et prématurée.\n"
)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- errors -------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"No such file: .*nowhere\.txt"):
        read_path(tmp_path / "nowhere.txt")


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        read_path(tmp_path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path, "secret.txt", ENGLISH.encode())
    path.chmod(0)
    try:
        with pytest.raises(InputError, match="permission denied"):
            read_path(path)
    finally:
        path.chmod(0o600)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"  \n\t\r\n  \n", "only white space"),
        ("\ufeff   \n".encode(), "only white space"),
        (b"<html><body>  </body></html>", "only white space|No article text"),
        (b"Share this article\n\nFollow us on Twitter\n", "No article text"),
    ],
)
def test_no_text(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_path(write(tmp_path, "article.txt", data))


def test_html_without_text(tmp_path: Path) -> None:
    page = b"<!doctype html><html><head><title>x</title><script>var a = 1;</script></head><body></body></html>"
    with pytest.raises(InputError, match="No article text found in .*page.html"):
        read_path(write(tmp_path, "page.html", page))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "PNG image"),
        (gzip.compress(ENGLISH.encode() * 20), "gzip"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"plain words\x00 then a NUL byte", "binary"),
        (zlib.compress(ENGLISH.encode() * 20), "binary"),
        (b"\x01\x02\x03\x04 text with many \x05\x06\x07\x08 control \x0e\x0f\x10 bytes", "binary"),
    ],
)
def test_binary(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_path(write(tmp_path, "file.txt", data))


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + b"Valid start \xff\xfe\xfd invalid middle",
        bytes(range(0x80, 0x100)) * 4,
    ],
)
def test_undecodable(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(InputError, match="Cannot decode .*Re-save the file as UTF-8"):
        read_path(write(tmp_path, "file.txt", data))


def test_errors_carry_input_exit_code(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_path(tmp_path / "nowhere.txt")
    assert caught.value.exit_code == 2


# --- encodings and newlines ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (ENGLISH, "utf-8"),
        (ENGLISH, "utf-8-sig"),
        (ENGLISH, "utf-16"),
        (ENGLISH, "utf-16-be"),  # with a BOM written by hand below
        (ENGLISH, "cp1252"),
        (FRENCH, "latin-1"),
        (RUSSIAN, "cp1251"),
        (RUSSIAN, "koi8-r"),
        (RUSSIAN, "utf-8"),
    ],
)
def test_encodings(tmp_path: Path, text: str, encoding: str) -> None:
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    document = read_path(write(tmp_path, "article.txt", data))
    assert document.text == text.rstrip()


def test_decode_prefers_utf8_then_declared() -> None:
    assert decode("naïve".encode(), "x") == "naïve"
    assert decode("Ελλάδα και Αθήνα".encode("cp1253"), "x", declared="cp1253") == "Ελλάδα και Αθήνα"


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_newlines_normalised(tmp_path: Path, newline: str) -> None:
    data = ENGLISH.replace("\n", newline).encode()
    assert read_path(write(tmp_path, "article.txt", data)).text == ENGLISH.rstrip()


def test_text_kept_exactly_inside(tmp_path: Path) -> None:
    text = "\n\n  First line,  indented.\n\n\n\tSecond\t paragraph.   \nThird line."
    document = read_path(write(tmp_path, "article.txt", text.encode()))
    assert document.text == "  First line,  indented.\n\n\n\tSecond\t paragraph.   \nThird line."


def test_stdin() -> None:
    document = read_path("-", stdin=io.BytesIO(ENGLISH.encode("cp1252")))
    assert document.text == ENGLISH.rstrip()
    assert document.language == "en"


def test_read_bytes_sniffs_html() -> None:
    assert read_bytes(ENGLISH.encode()).text == ENGLISH.rstrip()
    page = read_bytes(b"\n  <!DOCTYPE html><html><body><p>" + ENGLISH.encode() + b"</p></body></html>")
    assert "café owners’ association" in page.text
    assert "<p>" not in page.text


# --- HTML ---------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="windows-1252">
  <title>Harbour bridge to reopen within weeks, mayor says</title>
  <meta property="og:site_name" content="The Coastal Gazette">
  <meta property="og:title" content="Harbour bridge to reopen within weeks, mayor says">
  <meta property="article:published_time" content="2021-03-09T08:15:00+00:00">
  <meta name="author" content="Ada Whitlock">
  <link rel="canonical" href="https://gazette.example/news/2021/03/09/bridge-reopens">
</head>
<body>
  <nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
  <article>
    <h1>Harbour bridge to reopen within weeks, mayor says</h1>
    <p>The mayor said on Tuesday that the harbour bridge would reopen “within weeks”,
       ending a closure that has lasted since the storms of early February.</p>
    <p>Engineers had warned that the main span was unsafe after two of its cables snapped,
       and the council ordered the crossing shut while repairs were carried out.</p>
    <p>A spokesman for the regional government declined to comment on the timetable,
       saying the matter was still under review by the transport ministry.</p>
    <p>Share this article</p>
    <p>Local traders, who say they have lost a third of their custom, welcomed the news
       but asked the council to publish the engineers’ report in full.</p>
  </article>
  <footer><p>Contact us | Privacy policy | Terms of use</p></footer>
</body>
</html>
"""


def test_html_text_and_metadata(tmp_path: Path) -> None:
    document = read_path(write(tmp_path, "bridge.html", PAGE.encode("cp1252")))
    assert document.title == "Harbour bridge to reopen within weeks, mayor says"
    assert document.outlet == "The Coastal Gazette"
    assert document.published == "2021-03-09"
    assert document.author == "Ada Whitlock"
    assert document.url == "https://gazette.example/news/2021/03/09/bridge-reopens"
    assert document.language == "en"
    text = document.text
    assert "would reopen “within weeks”, ending a closure" in text
    assert "engineers’ report in full." in text
    assert "Engineers had warned" in text and "A spokesman for" in text
    assert "\n\nEngineers had warned" in text  # paragraphs separated by blank lines
    for furniture in ("Sport", "Privacy policy", "Share this article"):
        assert furniture not in text


def test_html_sniffed_without_extension(tmp_path: Path) -> None:
    document = read_path(write(tmp_path, "saved-page", PAGE.encode("utf-8")))
    assert document.outlet == "The Coastal Gazette"


def test_html_fallback_to_visible_text(tmp_path: Path) -> None:
    page = b"<html><body><div>Bridge to reopen.</div><script>x()</script><div>Soon, says mayor.</div></body></html>"
    document = read_path(write(tmp_path, "short.htm", page))
    assert "Bridge to reopen." in document.text and "Soon, says mayor." in document.text
    assert "x()" not in document.text


@pytest.mark.skipif(not PAGES.is_dir(), reason="shared readability corpus not present")
def test_saved_news_page() -> None:
    document = read_path(PAGES / "bbc-1" / "source.html")
    assert document.title and "Obama" in document.title
    assert len(document.text) > 1000
    assert document.published == "2015-07-24"
    assert document.language == "en"
    assert "<div" not in document.text


# --- boilerplate and language -------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "This post is also available in: heעברית (Hebrew)",
        "Share this article",
        "Share on Facebook",
        "Sign up for our newsletter",
        "Subscribe to our daily briefing to get the news in your inbox",
        "Read more: Mayor promises bridge will reopen",
        "Read more about the bridge",
        "See also",
        "Related: Traders count the cost of the closure",
        "Click here to see the full timetable",
        "Follow us on Twitter",
        "- 941 comments",
        "Advertisement",
        "© 2021 The Coastal Gazette. All rights reserved.",
        "Copyright 2021 The Coastal Gazette",
    ],
)
def test_boilerplate_line_removed(line: str) -> None:
    text = f"{line}\n\nThe mayor said the bridge would reopen.\n\n{line}\n\nTraders welcomed it."
    assert strip_boilerplate(text) == "The mayor said the bridge would reopen.\n\nTraders welcomed it."


@pytest.mark.parametrize(
    "line",
    [
        "Read more books, the minister told pupils on Monday.",
        "Followers of the movement said they would share the costs.",
        "The council said it would click into action once the report arrived.",
        "Share prices fell 4% after the announcement, analysts said.",
        "Related talks were held in Geneva last month, officials said.",
        "Copyright law was changed in 2019, the minister said.",
        "See more clearly, the optician said.",
    ],
)
def test_content_lines_kept(line: str) -> None:
    assert strip_boilerplate(f"{line}\n") == f"{line}\n"


def test_boilerplate_removed_from_text_file(tmp_path: Path) -> None:
    data = "This post is also available in: heעברית (Hebrew)\r\n\r\n" + ENGLISH
    document = read_path(write(tmp_path, "article.txt", data.encode()))
    assert document.text == ENGLISH.rstrip()


@pytest.mark.skipif(not KADYROV.is_file(), reason="shared examples not present")
def test_kadyrov_example_starts_at_first_paragraph() -> None:
    document = read_path(KADYROV)
    assert document.text.startswith("Chechen leader Ramzan Kadyrov")
    assert document.language == "en"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (ENGLISH, "en"),
        (FRENCH, "fr"),
        (RUSSIAN, "ru"),
        ("Der Bürgermeister sagte am Dienstag, die Brücke werde in wenigen Wochen wieder geöffnet.", "de"),
        ("El alcalde dijo el martes que el puente se reabrirá en unas semanas y que no hay riesgo.", "es"),
        ("ראש העיר אמר ביום שלישי שהגשר ייפתח מחדש בתוך שבועות", "he"),
        ("12345 67890", "und"),
    ],
)
def test_guess_language(text: str, language: str) -> None:
    assert guess_language(text) == language


@pytest.mark.parametrize(("text", "title"), [
    ("Mayor opens the new bridge.\n\nThe mayor said the bridge cost less than planned.", "Mayor opens the new bridge"),
    ("The mayor said the bridge cost less than planned.\nIt opened on Monday.", None),
    ("One paragraph only, with no headline above it.", None),
])
def test_a_first_line_set_apart_is_the_headline(text: str, title: str | None) -> None:
    assert read_bytes(text.encode("utf-8"), name="a.txt").title == title
