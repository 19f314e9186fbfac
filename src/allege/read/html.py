"""HTML pages: the main article text and its metadata, by trafilatura."""

from __future__ import annotations

import codecs
import re

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from trafilatura.settings import Document as Extraction
from trafilatura.xml import xmltotxt

from ..errors import InputError
from ..model import Document
from .text import decode, guess_language, tidy

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""", re.IGNORECASE)
_HTML_LANG = re.compile(r"""<html\b[^>]*\slang\s*=\s*["']?([a-z]{2,3})\b""", re.IGNORECASE)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# Elements that start a new paragraph in the visible-text fallback.
BLOCK_TAGS = (
    "p", "div", "section", "article", "main", "header", "footer", "nav", "aside", "li",
    "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
    "table", "tr", "figure", "figcaption", "form", "address", "hr",
)
_INVISIBLE = ("script", "style", "noscript", "template", "svg", "head", "iframe", "object")


def declared_charset(data: bytes) -> str | None:
    """The encoding an HTML page names in ``<meta charset>`` or its XML declaration."""
    head = data[:4096]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if match is None:
        return None
    try:
        encoding = codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    if encoding.startswith(("utf-16", "utf-32")):
        return None  # a page without a byte-order mark that says UTF-16 is mislabelled
    # Browsers decode pages labelled Latin-1 or ASCII as windows-1252, and so do we.
    return "cp1252" if encoding in ("iso8859-1", "ascii") else encoding


def read_html(data: bytes, name: str) -> Document:
    """A :class:`Document` from the bytes of an HTML page: main text plus metadata.

    The text is trafilatura's main content, one block per paragraph, separated by blank
    lines; when it finds none, the visible text of ``<body>``.
    """
    page = decode(data, name, declared=declared_charset(data))
    if not page.strip():
        raise InputError(f"{name} contains only white space: give a file with an article's text.")
    found = trafilatura.bare_extraction(page, with_metadata=True, include_comments=False)
    text = tidy(main_text(found)) if found is not None else ""
    if not text:
        text = tidy(visible_text(page))
    if not text:
        raise InputError(
            f"No article text found in {name}: the page has no visible text. "
            "Check that it is the saved article page, not a script-rendered shell."
        )
    language = guess_language(text)
    if language == "und" and (lang := _HTML_LANG.search(page[:4096])):
        language = lang.group(1).lower()
    if found is None:
        return Document(text=text, language=language)
    published = found.date[:10] if found.date and _ISO_DATE.match(found.date) else None
    return Document(
        text=text,
        title=found.title or None,
        url=found.url or None,
        outlet=found.sitename or found.hostname or None,
        published=published,
        language=language,
        author=found.author or None,
    )


def main_text(found: Extraction) -> str:
    """The text of trafilatura's result, one block per paragraph, blank lines between."""
    if found.body is None:
        return found.text or ""
    blocks = (xmltotxt(child, False).strip() for child in found.body)
    return "\n\n".join(block for block in blocks if block)


def visible_text(page: str) -> str:
    """The text a reader would see in ``<body>``, blocks separated by blank lines."""
    try:
        root = lxml_html.document_fromstring(
            page.encode("utf-8"), parser=lxml_html.HTMLParser(encoding="utf-8")
        )
    except (etree.ParserError, ValueError):
        return ""
    etree.strip_elements(root, etree.Comment, *_INVISIBLE, with_tail=False)
    for element in root.iter():
        element.text = re.sub(r"\s+", " ", element.text) if element.text else element.text
        element.tail = re.sub(r"\s+", " ", element.tail) if element.tail else element.tail
    for element in root.iter(*BLOCK_TAGS):
        element.text = "\n\n" + (element.text or "")
        element.tail = "\n\n" + (element.tail or "")
    for element in root.iter("br"):
        element.tail = "\n" + (element.tail or "")
    body = root.find("body")
    lines = (line.strip() for line in (root if body is None else body).text_content().split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
