"""Small helpers the templates use: labels, and search snippets cut at their markers.

The store marks matched words in a snippet with two private-use characters; :func:`marked`
cuts the snippet at them, and the template escapes every piece before it wraps the matched
ones in ``<mark>``. No snippet text is ever trusted as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

#: Markers the store puts around matched words; private-use characters news text lacks.
MARK = ("\ue000", "\ue001")


def marked(snippet: str, mark: tuple[str, str] = MARK) -> list[tuple[str, bool]]:
    """``snippet`` as (text, matched) pieces, markers removed.

    >>> marked("the \\ue000Kremlin\\ue001 said")
    [('the ', False), ('Kremlin', True), (' said', False)]
    """
    pieces: list[tuple[str, bool]] = []
    rest = snippet
    while rest:
        before, opened, after = rest.partition(mark[0])
        if before:
            pieces.append((before.replace(mark[1], ""), False))
        if not opened:
            break
        inside, _, rest = after.partition(mark[1])
        if inside:
            pieces.append((inside.replace(mark[0], ""), True))
    return pieces


def plain(snippet: str, mark: tuple[str, str] = MARK, brackets: tuple[str, str] = ("[", "]")
          ) -> str:
    """The snippet with the store's default markers, for the JSON API."""
    return snippet.replace(mark[0], brackets[0]).replace(mark[1], brackets[1])


def label(value: str | None) -> str:
    """A stance, kind or predicate as words: ``refuses_to_confirm`` → ``refuses to confirm``."""
    return (value or "").replace("_", " ")


def query_string(params: dict[str, Any], **changes: Any) -> str:
    """``?a=1&b=2`` for a link that keeps the current filters but changes some of them."""
    merged = {**params, **changes}
    kept = {k: v for k, v in merged.items() if v not in (None, "")}
    return "?" + urlencode(kept) if kept else "?"


def web_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) address, else None: no other scheme becomes a link."""
    if url and urlsplit(url.strip()).scheme.lower() in ("http", "https"):
        return url.strip()
    return None


def plural(count: int, noun: str) -> str:
    """``1 claim``, ``2 claims``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def short(text: str | None, length: int = 240) -> str:
    """``text`` cut at a word boundary to about ``length`` characters."""
    text = text or ""
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0] + " …"


FILTERS: dict[str, Callable[..., Any]] = {
    "marked": marked, "label": label, "short": short, "query_string": query_string,
    "web_url": web_url, "plural": plural,
}
