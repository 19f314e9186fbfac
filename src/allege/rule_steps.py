"""Faster stand-ins for the English pipeline's two rule-based steps, with the same output.

en_core_web_sm ends with an ``attribute_ruler`` (179 token patterns that set POS, MORPH
and some lemmas from the tagger's tags) and a rule ``lemmatizer``. Both are Python loops
over every token, and on news they take about a tenth of the pipeline's time: the ruler
runs spaCy's general ``Matcher`` over every token (its few regular-expression and set
tests cost the most), and the lemmatizer builds a ``Token`` per token and works most of
them out again, as it caches only the answers that took its tables.

The stand-ins wrap the original components and read their patterns, tables and cache, so
they assign exactly what the originals would (``tests/test_rule_steps.py`` compares every
token attribute on real news):

- :class:`QuickAttributeRuler` finds each pattern by one of its tokens' equality (or set)
  tests, looked up in a dictionary by the token's value, and checks the rest of the
  pattern only there. As in the original, a token matched by several patterns takes
  their attributes in pattern order.
- :class:`QuickLemmatizer` remembers every answer by the lemmatizer's own cache key (the
  token's text, POS and morphology, all its rules read) and asks the lemmatizer only the
  first time.

:func:`use_quick_steps` swaps them into a pipeline under the same names. Patterns in a
form the stand-in does not read (an operator such as ``"OP": "?"``, another attribute,
another predicate) leave the original ruler in place.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy
from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, ORTH, POS, TAG
from spacy.lang.en.lemmatizer import EnglishLemmatizer
from spacy.language import Language
from spacy.pipeline import AttributeRuler, Lemmatizer
from spacy.strings import StringStore
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs

__all__ = ["QuickAttributeRuler", "QuickLemmatizer", "use_quick_steps"]

# The token attributes a pattern may test, by the Matcher's name, in the order of the
# columns read with Doc.to_array; and the order in which one is preferred to find a
# pattern by (the rarest values first).
COLUMNS = {"TAG": TAG, "LOWER": LOWER, "DEP": DEP, "IS_SPACE": IS_SPACE}
ANCHOR_PREFERENCE = ("LOWER", "DEP", "TAG", "IS_SPACE")
# The attributes set through one Doc.from_array; any other goes through set_token_attrs.
ARRAY_ATTRS = (POS, MORPH, LEMMA)
# Lemmatizers whose answer depends only on the token's text, POS and morphology.
KEYED_LEMMATIZERS = (Lemmatizer, EnglishLemmatizer)
QUICK_RULER = "allege_quick_attribute_ruler"
QUICK_LEMMATIZER = "allege_quick_lemmatizer"

# One test on one token: (column, "eq" | "in" | "not_in" | "regex", value): a hash, a
# frozenset of hashes, or a compiled expression searched in the attribute's text.
Test = tuple[int, str, Any]


class Unsupported(ValueError):
    """A pattern in a form :class:`QuickAttributeRuler` does not read."""


@dataclass(frozen=True)
class _Pattern:
    """One alternative of one of the ruler's patterns, compiled."""

    entry: int  # the ruler's pattern index: its attributes, and their order
    tokens: tuple[tuple[Test, ...], ...]
    target: int  # the matched token, from the first, that takes the attributes
    anchor: int  # the token the pattern is found by, from the first
    found_by: Test | None  # the anchor's test it is found by; None: tried at every token


def _test(name: str, value: Any, strings: StringStore) -> Test:
    if name not in COLUMNS:
        raise Unsupported(f"attribute {name!r}")
    column = list(COLUMNS).index(name)
    if name == "IS_SPACE":
        if isinstance(value, bool):
            return column, "eq", int(value)
    elif isinstance(value, str):
        return column, "eq", strings.add(value)
    elif isinstance(value, dict) and len(value) == 1:
        (predicate, argument), = value.items()
        if predicate in ("IN", "NOT_IN") and all(isinstance(v, str) for v in argument):
            return column, predicate.lower(), frozenset(strings.add(v) for v in argument)
        if predicate == "REGEX" and isinstance(argument, str):
            return column, "regex", re.compile(argument)
    raise Unsupported(f"{name}: {value!r}")


def _anchor(tokens: Sequence[tuple[Test, ...]]) -> tuple[int, Test | None]:
    """The token and test to find a pattern by: an equality or set test, on the
    attribute with the rarest values; (0, None) if there is none (it is tried at every
    token)."""
    usable = [(ANCHOR_PREFERENCE.index(list(COLUMNS)[test[0]]), test[1] != "eq", k, test)
              for k, tests in enumerate(tokens) for test in tests if test[1] in ("eq", "in")]
    if not usable:
        return 0, None
    *_, k, test = min(usable, key=lambda u: u[:3])
    return k, test


def _compile(ruler: AttributeRuler) -> list[_Pattern]:
    strings = ruler.vocab.strings
    compiled = []
    for entry, pattern in enumerate(ruler.patterns):
        for alternative in pattern["patterns"]:
            if not alternative:
                raise Unsupported("an empty pattern")
            tokens = tuple(tuple(_test(name, value, strings) for name, value in spec.items())
                           for spec in alternative)
            index = pattern["index"]
            if not -len(tokens) <= index < len(tokens):
                raise Unsupported(f"index {index} in a pattern of {len(tokens)} tokens")
            compiled.append(_Pattern(entry, tokens, index % len(tokens), *_anchor(tokens)))
    return compiled


def _passes(row: Sequence[int], tests: tuple[Test, ...], strings: StringStore) -> bool:
    for column, kind, value in tests:
        found = row[column]
        if kind == "eq":
            if found != value:
                return False
        elif kind == "in":
            if found not in value:
                return False
        elif kind == "not_in":
            if found in value:
                return False
        elif not value.search(strings[found]):
            return False
    return True


class QuickAttributeRuler:
    """An ``attribute_ruler`` that assigns what ``ruler`` assigns, faster. Raises
    :class:`Unsupported` for a ruler with patterns it does not read."""

    def __init__(self, ruler: AttributeRuler) -> None:
        self.ruler = ruler
        # Per column, value -> the patterns found by that value there; and those tried
        # at every token.
        self.index: list[dict[int, list[_Pattern]]] = [{} for _ in COLUMNS]
        self.everywhere: list[_Pattern] = []
        for pattern in _compile(ruler):
            if pattern.found_by is None:
                self.everywhere.append(pattern)
                continue
            column, kind, value = pattern.found_by
            for one in (value if kind == "in" else (value,)):
                self.index[column].setdefault(one, []).append(pattern)
        self._merged: dict[tuple[int, ...], dict[int, Any]] = {}

    def _attrs_of(self, entries: tuple[int, ...]) -> dict[int, Any]:
        """The attributes that patterns ``entries`` (ascending) give a token, later ones
        winning, as the original applies them one after the other."""
        merged = self._merged.get(entries)
        if merged is None:
            merged = {}
            for entry in entries:
                merged.update(self.ruler.attrs[entry])
            self._merged[entries] = merged  # whole, for a thread that looks meanwhile
        return merged

    def matches(self, doc: Doc) -> list[set[int]]:
        """For each token of ``doc``, the patterns (by index) that assign to it."""
        rows = doc.to_array(list(COLUMNS.values())).tolist()
        strings = doc.vocab.strings
        found: list[set[int]] = [set() for _ in rows]
        for i, row in enumerate(rows):
            candidates = [p for column, value in enumerate(row)
                          for p in self.index[column].get(value, ())]
            for pattern in candidates + self.everywhere:
                start = i - pattern.anchor
                if start < 0 or start + len(pattern.tokens) > len(rows):
                    continue
                if all(_passes(rows[start + k], tests, strings)
                       for k, tests in enumerate(pattern.tokens)):
                    found[start + pattern.target].add(pattern.entry)
        return found

    def __call__(self, doc: Doc) -> Doc:
        values = doc.to_array(list(ARRAY_ATTRS))
        others: list[tuple[int, dict[int, Any]]] = []
        for i, entries in enumerate(self.matches(doc)):
            if not entries:
                continue
            attrs = self._attrs_of(tuple(sorted(entries)))
            for column, attr in enumerate(ARRAY_ATTRS):
                if attr in attrs:
                    values[i, column] = attrs[attr]
            if any(attr not in ARRAY_ATTRS for attr in attrs):
                others.append((i, attrs))
        doc.from_array(list(ARRAY_ATTRS), values)
        for i, attrs in others:
            set_token_attrs(doc[i], attrs)
        return doc


class QuickLemmatizer:
    """A rule ``lemmatizer`` that assigns what ``lemmatizer`` assigns, faster; in any other
    mode, one that overwrites lemmas, or one yet to check its tables (on its first doc),
    it runs the original."""

    def __init__(self, lemmatizer: Lemmatizer) -> None:
        self.lemmatizer = lemmatizer
        # Whether every answer may be kept by the cache key, or only those it caches.
        self.keyed = type(lemmatizer) in KEYED_LEMMATIZERS
        self._hashes: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc: Doc) -> Doc:
        lemmatizer = self.lemmatizer
        if lemmatizer.mode != "rule" or lemmatizer.overwrite or not len(doc) or \
                not getattr(lemmatizer, "_validated", True):
            return lemmatizer(doc)
        rows = doc.to_array([ORTH, POS, MORPH, LEMMA])
        lemmas = rows[:, 3].copy()
        strings = doc.vocab.strings
        for i, (orth, pos, morph, lemma) in enumerate(rows.tolist()):
            if lemma:
                continue
            key = (orth, pos, morph)
            found = self._hashes.get(key)
            if found is None:
                found = strings.add(lemmatizer.lemmatize(doc[i])[0])
                # A token with no POS is asked again each time: the lemmatizer warns.
                if pos and (self.keyed or key in lemmatizer.cache):
                    self._hashes[key] = found
            lemmas[i] = found
        doc.from_array([LEMMA], numpy.asarray(lemmas, dtype="uint64"))
        return doc


@Language.factory(QUICK_RULER)
def _quick_ruler(nlp: Language, name: str) -> QuickAttributeRuler:
    return QuickAttributeRuler(nlp.get_pipe("attribute_ruler"))


@Language.factory(QUICK_LEMMATIZER)
def _quick_lemmatizer(nlp: Language, name: str) -> QuickLemmatizer:
    return QuickLemmatizer(nlp.get_pipe("lemmatizer"))


def use_quick_steps(nlp: Language) -> Language:
    """Put the stand-ins in place of ``nlp``'s ``attribute_ruler`` and ``lemmatizer``,
    under the same names; a step it lacks, one of another kind, or a ruler with patterns
    the stand-in does not read stays as it is. Returns ``nlp``."""
    for name, factory, kind in (("attribute_ruler", QUICK_RULER, AttributeRuler),
                                ("lemmatizer", QUICK_LEMMATIZER, Lemmatizer)):
        if name not in nlp.pipe_names or not isinstance(nlp.get_pipe(name), kind):
            continue
        try:
            nlp.add_pipe(factory, name=factory, after=name)
        except Unsupported:
            continue
        nlp.remove_pipe(name)
        nlp.rename_pipe(factory, name)
    return nlp
