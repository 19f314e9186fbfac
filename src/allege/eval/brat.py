"""Reading brat standoff annotations (``.ann`` files) into plain records.

Only what attribution scoring needs: text-bound ``T`` records and ``E`` event records.
Notes (``#``) and other record kinds are skipped. A covered text may contain newlines, so
a physical line that does not start a record continues the previous one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import DataError

RECORD_START = re.compile(r"^(?:[TERAMN#]\d+|\*)\t")

Spans = list[tuple[int, int]]


@dataclass(frozen=True)
class TextBound:
    """A ``T`` record: a typed annotation over one or more character ranges."""

    id: str
    type: str
    spans: Spans
    text: str


@dataclass(frozen=True)
class Event:
    """An ``E`` record: a trigger plus ``(role, T id)`` arguments, in file order."""

    id: str
    trigger_type: str
    trigger: str
    arguments: list[tuple[str, str]]


def records(ann: str) -> list[str]:
    """Split ``.ann`` text into records, joining continuation lines with ``\\n``."""
    out: list[str] = []
    for line in ann.split("\n"):
        if RECORD_START.match(line) or not out:
            out.append(line)
        else:
            out[-1] += "\n" + line
    return [r for r in out if r.strip()]


def parse_spans(field: str) -> Spans:
    """``"381 507;601 662"`` -> ``[(381, 507), (601, 662)]``."""
    spans = []
    for fragment in field.split(";"):
        start, end = fragment.split()
        spans.append((int(start), int(end)))
    return spans


def parse_ann(ann: str, *, name: str = "<ann>") -> tuple[dict[str, TextBound], list[Event]]:
    """Parse ``.ann`` text into its ``T`` records (by id) and its ``E`` records.

    ``name`` only labels error messages.
    """
    bounds: dict[str, TextBound] = {}
    events: list[Event] = []
    for record in records(ann):
        try:
            if record.startswith("T"):
                rid, head, text = record.split("\t", 2)
                type_, spans = head.split(" ", 1)
                bounds[rid] = TextBound(rid, type_, parse_spans(spans), text)
            elif record.startswith("E"):
                rid, body = record.split("\t", 1)
                (trigger_type, trigger), *arguments = [_argument(a) for a in body.split()]
                events.append(Event(rid, trigger_type, trigger, arguments))
        except ValueError as error:
            first = record.split("\n", 1)[0]
            raise DataError(f"{name}: cannot parse brat record {first!r} ({error}).") from error
    return bounds, events


def _argument(text: str) -> tuple[str, str]:
    role, sep, target = text.partition(":")
    if not sep or not target:
        raise ValueError(f"argument {text!r} is not Role:Id")
    return role, target
