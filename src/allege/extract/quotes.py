"""Quotation marks paired into quotations, at the character level.

Newswire conventions handled: straight and curly double quotes, guillemets, a quotation
that runs over several paragraphs (each paragraph opens with a quote mark, only the last
one closes), and unbalanced marks (an unclosed quotation ends at its paragraph's end).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPENING = "“«„"
CLOSING = "”»"
STRAIGHT = ('"', "''")  # some wires write a double quote as two apostrophes
_MARK = re.compile(r"''|[“”«»„\"]|\n\s*\n")


@dataclass(frozen=True)
class Quote:
    """A quotation: ``start``/``end`` include the marks; ``closed`` is False when unbalanced."""

    start: int
    end: int
    closed: bool = True

    def inner(self, text: str) -> tuple[int, int]:
        """Offsets of the quoted words, without the marks and the white space inside them."""
        start = self.start + (2 if text.startswith("''", self.start) else 1)
        end = self.end
        if self.closed:
            end -= 2 if text.startswith("''", self.end - 2) else 1
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return start, end

    def contains(self, offset: int) -> bool:
        return self.start <= offset < self.end


def find_quotes(text: str) -> list[Quote]:
    """All quotations in ``text``, in order, not nested."""
    quotes: list[Quote] = []
    open_at: int | None = None
    paragraph_end: int | None = None
    for match in _MARK.finditer(text):
        mark, at = match.group(), match.start()
        if mark.strip() == "":  # a paragraph break
            if open_at is not None:
                paragraph_end = at
            continue
        if paragraph_end is not None and open_at is not None:
            if _is_opening(text, at) and _at_paragraph_start(text, at):
                paragraph_end = None  # the quotation goes on in this paragraph
                continue
            quotes.append(Quote(open_at, paragraph_end, closed=False))
            open_at, paragraph_end = None, None
        if open_at is None:
            if _is_opening(text, at):
                open_at = at
        elif not _is_opening(text, at) or mark in STRAIGHT:
            quotes.append(Quote(open_at, at + len(mark)))
            open_at = None
        else:  # an opening mark inside an open quotation: the first one was never closed
            quotes.append(Quote(open_at, _trim_end(text, at), closed=False))
            open_at = at
    if open_at is not None:
        end = paragraph_end if paragraph_end is not None else _paragraph_end(text, open_at)
        quotes.append(Quote(open_at, end, closed=False))
    return [q for q in quotes if q.end - q.start > 1]


def _is_opening(text: str, at: int) -> bool:
    mark = text[at]
    if mark in OPENING:
        return True
    if mark in CLOSING:
        return False
    before = text[at - 1] if at > 0 else " "
    return before.isspace() or before in "([{—–-/:"


def _at_paragraph_start(text: str, at: int) -> bool:
    line_start = text.rfind("\n", 0, at) + 1
    return text[line_start:at].strip() == ""


def _paragraph_end(text: str, start: int) -> int:
    match = re.compile(r"\n\s*\n").search(text, start)
    return match.start() if match else len(text.rstrip())


def _trim_end(text: str, end: int) -> int:
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end
