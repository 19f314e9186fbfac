"""RSS 2.0, Atom and RSS 1.0 (RDF) feeds -> one :class:`Item` per feed item, by feedparser.

An item that carries its article (``content:encoded``, Atom ``content``, or a long summary
that is not a teaser) becomes a :class:`Document`; an item with only a short summary or a
teaser ("Continue reading...") and a link is *waiting* for its page.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping
from functools import partial
from typing import Any

import feedparser

from ..model import Document
from .html import visible_text
from .sources import Item, safe_item
from .text import guess_language, tidy

# Below this many characters of text an item's content is a summary, not the article.
FULL_TEXT_MIN_CHARS = 400

# A last line like these marks the text as a teaser for the page behind the link.
TEASER_LINE = re.compile(
    r"(?:continue reading|read more|keep reading|read the (?:full|whole|rest of the) "
    r"(?:story|article|post)|full (?:story|article))\b.*",
    re.IGNORECASE,
)
TRUNCATED_END = re.compile(r"(?:\[\s*(?:…|\.\.\.)\s*\]|…|\.\.\.)\s*$")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TAG = re.compile(r"<[^>]+>")
# Complaints about the declared encoding: feedparser recovers and reads every item.
_HARMLESS_BOZO = (feedparser.CharacterEncodingOverride,)


def iter_feed(data: bytes, source: str) -> Iterator[Item]:
    """One :class:`Item` per item of the feed in ``data``; ``source`` names the feed.

    A feed that cannot be parsed at all becomes one error Item. A feed that is not
    well-formed but still yields items gives its items plus one error Item that says so.
    """
    # Always bytes: given a str, feedparser would take it for a URL or path and open it.
    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=True)
    entries = parsed.get("entries", [])
    if not entries:
        if parsed.get("bozo"):
            reason = parsed.get("bozo_exception")
            yield Item(source, error=(
                f"{source} is a malformed feed ({reason}) with no readable items: "
                "check that the file is a complete RSS, Atom or RDF feed."
            ))
        elif not parsed.get("version"):
            yield Item(source, error=(
                f"{source} is not an RSS, Atom or RDF feed: give a feed, or rename the file "
                "if it holds something else."
            ))
        return
    feed = parsed.get("feed", {})
    for number, entry in enumerate(entries, 1):
        locator = f"{source}#{number}"
        yield safe_item(locator, partial(item_from_entry, entry, feed, locator))
    reason = parsed.get("bozo_exception")
    if parsed.get("bozo") and not isinstance(reason, _HARMLESS_BOZO):
        yield Item(f"{source}#malformed", error=(
            f"{source} is not well-formed ({reason}); its {len(entries)} items were read "
            "leniently and items after the fault may be missing. Check the feed."
        ))


def item_from_entry(entry: Mapping[str, Any], feed: Mapping[str, Any], source: str) -> Item:
    """A feed item as a Document (full text), a waiting link, or an error."""
    text = entry_text(entry)
    link = entry.get("link") or None
    full = len(text) >= FULL_TEXT_MIN_CHARS and not is_teaser(text)
    if link and not full:
        return Item(source, waiting_url=link)
    if not text:
        return Item(source, error=f"{source}: the feed item has neither text nor a link.")
    language = guess_language(text)
    if language == "und" and feed.get("language"):
        language = str(feed["language"])[:2].lower()
    author = entry.get("author_detail", {}).get("name") or entry.get("author")
    document = Document(
        text=text,
        title=_plain_title(entry),
        url=link,
        outlet=_plain_title(feed),
        published=published_date(entry),
        language=language,
        author=author or None,
    )
    return Item(source, document=document)


def entry_text(entry: Mapping[str, Any]) -> str:
    """The longest text an item carries: its content or its summary, HTML stripped."""
    candidates = [(c.get("value", ""), c.get("type")) for c in entry.get("content", [])]
    if entry.get("summary"):
        candidates.append((entry["summary"], entry.get("summary_detail", {}).get("type")))
    texts = [fragment_text(value, kind) for value, kind in candidates if value]
    return max(texts, key=len, default="")


def fragment_text(value: str, content_type: str | None = "text/html") -> str:
    """The text of an HTML fragment, paragraphs separated by blank lines; plain text tidied."""
    if content_type and "html" not in content_type and "xml" not in content_type:
        return tidy(value)
    return tidy(visible_text(value)) if value.strip() else ""


def is_teaser(text: str) -> bool:
    """True when ``text`` ends like a teaser: "Continue reading...", "Read more", "[…]"."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if not lines:
        return False
    last = lines[-1]
    return TEASER_LINE.fullmatch(last) is not None or TRUNCATED_END.search(last) is not None


def published_date(entry: Mapping[str, Any]) -> str | None:
    """The item's date as ISO ``YYYY-MM-DD``: as written when ISO, else feedparser's UTC date."""
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if raw and _ISO_DATE.match(raw.strip()):
            return raw.strip()[:10]
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            return time.strftime("%Y-%m-%d", parsed)
    return None


def _plain_title(node: Mapping[str, Any]) -> str | None:
    title = node.get("title")
    if not title:
        return None
    if "html" in (node.get("title_detail", {}).get("type") or ""):
        title = visible_text(title) if _TAG.search(title) else title
    return " ".join(title.split()) or None
