"""Attributions without a cue verb: "according to X", and reporting nouns.

"a report by X that …", "X's claim that …", "the refusal of X to confirm it".
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc, Token

from ..nlp import text_of
from .cues import Lexicon
from .quotes import Quote
from .spans import Found, extent, subtree_indices, token_segments


def find_nominal(doc: Doc, quotes: list[Quote], lexicon: Lexicon, used: set[int]) -> Iterator[Found]:
    """Every "according to" attribution and every reporting noun with its content."""
    sentence_of = {s.start: n for n, s in enumerate(doc.sents)}
    for token in doc:
        if token.i in used or any(q.contains(token.idx) for q in quotes):
            continue
        found = None
        if token.lower_ == "according":
            found = _according_to(doc, token)
        elif token.pos_ == "NOUN" and lexicon.noun(token.lemma_):
            found = _reporting_noun(doc, token, lexicon)
        elif token.text == ":":
            found = _headline_colon(doc, token)
        if found is not None:
            found.sentence = sentence_of[token.sent.start]
            used |= found.tokens
            yield found


def _according_to(doc: Doc, according: Token) -> Found | None:
    to = next((c for c in according.children if c.lower_ == "to"), None)
    if to is None and according.i + 1 < len(doc) and doc[according.i + 1].lower_ == "to":
        to = doc[according.i + 1]
    if to is None:
        return None
    source = next((c for c in to.children if c.dep_ == "pobj"), None)
    if source is None:
        return None
    named = _before_comma(doc, subtree_indices(source), source)
    keep = {t.i for t in according.sent if not t.is_space} - subtree_indices(according)
    keep |= subtree_indices(source) - named  # what the parser hung on the source by mistake
    colons = [t.i for t in according.sent if t.text == ":" and t.i < according.i]
    if colons:  # "And it has not gone unnoticed: according to polls, …"
        keep = {i for i in keep if i > colons[-1]}
    content = token_segments(doc, keep)
    if not content:
        return None
    source_span = token_segments(doc, named)
    cue_tokens = {according.i, to.i}
    return Found(
        cue=token_segments(doc, cue_tokens), cue_lemma="according to", content=content,
        kind="according_to", stance="asserts", sentence=0,
        source=extent(source_span) if source_span else None,
        source_head=_named_head(source).i, rule="according_to",
        tokens=cue_tokens | named,
    )


def _before_comma(doc: Doc, indices: set[int], head: Token) -> set[int]:
    """The source phrase up to the first comma after its head: in "according to a report by
    X, Y's claims took …" the parser may attach "Y's claims" to the source."""
    comma = next((i for i in sorted(indices) if i > head.i and doc[i].text == ","), None)
    return indices if comma is None else {i for i in indices if i < comma}


def _headline_colon(doc: Doc, colon: Token) -> Found | None:
    """"Graham: Trump's rhetoric is hateful" — a name, a colon, then what they say."""
    line_start = text_of(doc).rfind("\n", 0, colon.idx) + 1
    before = [t for t in colon.sent if line_start <= t.idx < colon.idx and not t.is_space]
    if not 1 <= len(before) <= 5 or not any(t.pos_ == "PROPN" for t in before):
        return None
    if any(t.pos_ in ("VERB", "AUX") or t.is_punct for t in before):
        return None
    line_end = text_of(doc).find("\n", colon.idx)
    line_end = len(text_of(doc)) if line_end < 0 else line_end
    after = [t.i for t in colon.sent if colon.idx < t.idx < line_end]
    if len(after) < 3:
        return None
    head = next((t for t in before if t.head.i not in {b.i for b in before}), before[-1])
    return Found(
        cue=[(colon.idx, colon.idx + 1)], cue_lemma=":", content=token_segments(doc, after),
        kind="direct" if text_of(doc)[colon.idx + 1:].lstrip()[:1] in "\"“‘'" else "indirect",
        stance="asserts", sentence=0, source=(before[0].idx, before[-1].idx + len(before[-1])),
        source_head=head.i, rule="colon", tokens={colon.i},
    )


def _named_head(phrase: Token) -> Token:
    """"a report by Homeland Security News Wire" names its source in the "by" phrase."""
    for child in phrase.children:
        if child.dep_ == "prep" and child.lower_ in ("by", "from", "of"):
            pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if pobj is not None and pobj.pos_ == "PROPN":
                return pobj
            name = next((c for c in pobj.children if c.dep_ == "appos" and c.pos_ == "PROPN"),
                        None) if pobj is not None else None
            if name is not None:  # "a report by the news agency Agentia Norda"
                return name
    return phrase


def _reporting_noun(doc: Doc, noun: Token, lexicon: Lexicon) -> Found | None:
    stance = lexicon.noun(noun.lemma_)
    holder = _holder(noun)
    action = _action(noun, lexicon)
    if action is not None:  # "the refusal of the Kremlin to confirm it"
        target = next((c for c in action.children if c.dep_ == "dobj"), None)
        content = token_segments(doc, subtree_indices(target)) if target is not None else []
        cue_tokens = {noun.i, action.i}
        about = extent(content) if content else None
        stance = lexicon.complement("refuse", action.lemma_) or stance
    else:
        clause = next((c for c in noun.children if c.dep_ in ("acl", "ccomp")
                       and any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)), None)
        if clause is None:
            return None
        content = token_segments(doc, subtree_indices(clause))
        cue_tokens = {noun.i}
        about = None
    if not content:
        end = noun.idx + len(noun)
        content = [(end, end)]
    source = token_segments(doc, subtree_indices(holder)) if holder is not None else []
    return Found(
        cue=token_segments(doc, cue_tokens), cue_lemma=noun.lemma_.lower(), content=content,
        kind="nominal", stance=stance or "asserts", sentence=0,
        source=extent(source) if source else None,
        source_head=holder.i if holder is not None else None, about=about,
        rule="nominal", tokens=cue_tokens,
    )


def _action(noun: Token, lexicon: Lexicon) -> Token | None:
    """The "confirm" of "the refusal of X to confirm it": the noun's infinitive, or the one
    right after the noun's phrase when the parser hung it elsewhere."""
    def fits(verb: Token) -> bool:
        return bool(lexicon.complement("refuse", verb.lemma_)) and noun.lemma_ == "refusal"

    for child in noun.children:
        if child.dep_ in ("acl", "relcl", "ccomp") and fits(child):
            return child
    after = noun.right_edge.i + 1
    doc = noun.doc
    if after + 1 < len(doc) and doc[after].lower_ == "to" and doc[after + 1].pos_ == "VERB" \
            and fits(doc[after + 1]):
        return doc[after + 1]
    return None


def _holder(noun: Token) -> Token | None:
    """Whose claim it is: "X's claims", "a report by X", "the refusal of X"."""
    for child in noun.children:
        if child.dep_ == "poss":
            return child
    for child in noun.children:
        if child.dep_ == "prep" and child.lower_ in ("by", "of", "from"):
            pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if pobj is not None:
                return pobj
    return None

