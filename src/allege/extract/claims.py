"""All attributions of a document, in text order."""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span

from ..content_pointer import point_contents, point_sources
from ..nlp import text_of
from .cues import Lexicon, load_lexicon
from .labelled import find_labelled
from .nominal import find_nominal
from .quotes import Quote, find_quotes
from .reported import find_verbal
from .signed import find_signed
from .spans import Found, Segment, extent, overlaps, subtree_indices, token_segments
from .tagged import POINTER_KEEPS, merge_tagged


def find_attributions(doc: Doc, lexicon: Lexicon | None = None) -> tuple[list[Found], list[Quote]]:
    """Every attribution in ``doc``, ordered by cue position, and the quotations found."""
    lexicon = lexicon or load_lexicon()
    quotes = find_quotes(text_of(doc))
    used: set[int] = set()
    found = list(find_nominal(doc, quotes, lexicon, used))
    found += find_verbal(doc, quotes, lexicon, used)
    found += find_signed(doc, quotes, used)
    found += find_labelled(doc, used)
    found = merge_tagged(doc, found, quotes, lexicon)  # no-op on untagged docs
    found = [f for f in found if not _supposes(doc, f)]
    point_contents(doc, found, POINTER_KEEPS, quotes)  # no-op without the encoder's states
    point_sources(doc, found, keep=POINTER_KEEPS)
    for f in found:
        cue = doc.char_span(*extent(f.cue), alignment_mode="expand") or doc[0:0]
        if _unnamed(cue):
            _take_subject(doc, f, cue)
            f.source = f.source_head = None
        elif f.rule.split("+")[0] not in POINTER_KEEPS:
            _take_relative(doc, f, cue)
    text = text_of(doc)
    _continue_quotations(text, found, quotes)
    _continue_paragraphs(text, found, quotes)
    for f in found:
        if f.kind != "direct":
            f.content = _without_connective(text, f.content)
    found.sort(key=lambda f: f.cue[0])
    return found, quotes


def _supposes(doc: Doc, f: Found) -> bool:
    """A "say" that means "suppose" reports nothing: "Let's say you pay $160,000", "Say
    the court rules against them"."""
    span = doc.char_span(*f.cue[0], alignment_mode="expand")
    if span is None or len(span) != 1 or span[0].lemma_.lower() != "say":
        return False
    word = span[0]
    if doc[max(word.i - 2, 0):word.i].text.lower().replace("’", "'") in ("let's", "let us"):
        return True
    if word.text != "Say" or any(child.dep_ in ("nsubj", "nsubjpass") for child in word.children):
        return False
    before = next((t for t in reversed(doc[:word.i]) if not t.is_space), None)
    return before is None or before.text[-1] in ".!?:“\"‘"


# Verbs whose subjectless past participle opens a clause ("Asked about …, X said") of a
# question by someone unnamed: X was asked, and asked nothing.
_QUESTIONED = {"ask", "press", "question"}
# Verbs whose passive, with no "by", leaves the one who said or thought it unnamed: the
# subject of "X was asked about …", "X is expected to win" is not the source.
_PASSIVE_UNNAMED = _QUESTIONED | {"expect", "say", "project", "know", "declare", "report",
                                  "rumor", "believe", "think", "estimate"}
# Verbs whose subject is part of what is said, by whoever writes: "X seems to …"
_RAISING = {"seem", "appear"}
# Participles that name a thing, with no source: "a bill titled …", "also known as …"
_NAMING = {"title", "know"}


def _unnamed(span: Span) -> bool:
    """Whether a claim's cue ``span`` is such a participle, passive or verb, so its source
    is no one named. PolNeAR train marks a source for 1 of 70 question participles ("Asked
    about …", "when asked"), 4 of 171 cues of "seem" or "appear" alone and 4 of 30 naming
    participles ("titled", "known as")."""
    # the cue's own words: not "seemed to blame", "wrote a column titled" (who did is named)
    words = [t for t in span if t.pos_ in ("VERB", "ADJ", "NOUN", "PROPN")]
    if not words or any(t.lemma_.lower() != words[0].lemma_.lower() for t in words):
        return False
    verb, lemma = words[0], words[0].lemma_.lower()
    if lemma in _RAISING:
        return True
    if verb.tag_ not in ("VBN", "VBD") or any(c.dep_ == "agent" for c in verb.children):
        return False
    if verb.tag_ == "VBN" and verb.dep_ == "acl":
        return lemma in _NAMING
    if verb.tag_ == "VBN" and any(c.dep_ == "auxpass" for c in verb.children):
        return lemma in _PASSIVE_UNNAMED
    # the question participle opens its clause; the tagger often takes "Asked" for a past tense
    opens = verb.i == span.start or (verb.i == span.start + 1 and span[0].tag_ == "WRB")
    return verb.dep_ in ("advcl", "xcomp", "relcl") and opens and lemma in _QUESTIONED and \
        not any(c.dep_ in ("nsubj", "nsubjpass", "aux") for c in verb.children)


def _take_subject(doc: Doc, f: Found, cue: Span) -> None:
    """What "seems" is its subject and the rest: "[X] seemed [to Y]" (PolNeAR train starts
    such a content at the subject in 96 of 105 cases). Not an empty "it" or "there"."""
    verb = next((t for t in cue if t.pos_ == "VERB" and t.lemma_.lower() in _RAISING), None)
    if verb is None or not f.content or f.content[0][0] < f.cue[-1][1]:
        return
    subject = next((c for c in verb.children if c.dep_ == "nsubj" and c.i < verb.i), None)
    if subject is not None and subject.lower_ not in ("it", "there"):
        f.content = [*token_segments(doc, subtree_indices(subject)), *f.content]


# Relative words that stand for part of what was said (not "that": mostly a conjunction)
_SAID_RELATIVES = {"which", "who", "whom", "what"}


def _take_relative(doc: Doc, f: Found, cue: Span) -> None:
    """A content after its cue starts at the relative word before the source when that word
    is the cue's or the content's own: "the budget, [which] the mayor said [would cut
    waste]", "[what] she called [a fair deal]". On PolNeAR train this changed 44 contents:
    23 to gold's extent, 2 away from it."""
    if f.source is None or not f.content or f.content[0][0] < f.cue[-1][1] or \
            any(end <= start for start, end in f.content):
        return
    source = doc.char_span(*f.source, alignment_mode="expand")
    if source is None or source.start < 2:
        return
    word = doc[source.start - 1]
    if word.lower_ not in _SAID_RELATIVES or word.tag_ not in ("WDT", "WP") or \
            word.dep_ == "pobj" or doc[word.i - 1].dep_ == "prep":  # "in which": a place
        return
    head = word.head
    if cue.start <= head.i < cue.end or f.content[0][0] <= head.idx < f.content[-1][1]:
        f.content = [(word.idx, word.idx + len(word)), *f.content]


# How far after its cue a quotation may go on ("…,” said X, speaking of Y. “…”).
_CONTINUATION_REACH = 300


def _continue_quotations(text: str, found: list[Found], quotes: list[Quote]) -> None:
    """A quotation the cue's sentence breaks goes on in the next quotation of the paragraph
    when nothing else claims it: "“A,” said X, speaking of Y. “B.”" attributes A and B to
    X, and Y to X's "speaking of". (Where only link words stand between cue and quotation,
    the verbal rule has joined them already.) On PolNeAR dev this raised content F1 by 0.4,
    and by 0.3 on train; letting a claim between the quotations (Y's) no longer stop it
    (and scoring that claim, :func:`allege.eval.polnear.scored_claims`), by 0.2 more on
    both."""
    for f in found:
        if not f.content or f.content[-1][1] > f.cue[0][0]:
            continue
        last = f.content[-1]
        before = next((q for q in quotes if q.start <= last[0] and last[1] <= q.end), None)
        if before is None or before.end > f.cue[0][0]:
            continue
        cue_end = f.cue[-1][1]
        after = next((q for q in quotes if q.start >= cue_end), None)
        if after is None or after.start - cue_end > _CONTINUATION_REACH \
                or "\n" in text[cue_end:after.start]:
            continue
        rest = (after.start, after.end)
        if any(other is not f and (after.start <= other.cue[0][0] < after.end
                                   or any(overlaps(rest, s) for s in other.content))
               for other in found):
            continue
        f.content = [*f.content, after.inner(text)]


_BLANKS = re.compile(r"\s*")


def _continue_paragraphs(text: str, found: list[Found], quotes: list[Quote]) -> None:
    """A quotation whose paragraph ends with its cue goes on in the next paragraph when that
    paragraph is one quotation and holds no other claim: "“A,” she said." followed by the
    paragraph "“B.”" attributes A and B to her. PolNeAR train does so in 28 of 34 such
    cases; the rule raised train content F1 by 0.14 and linked F1 by 0.08 (dev: one claim
    more right)."""
    for f in found:
        if f.kind != "direct" or not f.content or f.content[-1][1] > f.cue[0][0]:
            continue
        end = text.find("\n", f.cue[-1][1])
        if end < 0 or any(mark in text[f.cue[-1][1]:end] for mark in "“”\"‘"):
            continue
        start = _BLANKS.match(text, end).end()
        stop = text.find("\n", start)
        stop = len(text) if stop < 0 else stop
        quote = next((q for q in quotes if q.start == start), None)
        rest = (start, stop)
        if quote is None or text[quote.end:stop].strip() or any(
                other is not f and any(overlaps(rest, s) for s in other.cue + other.content)
                for other in found):
            continue
        f.content = [*f.content, quote.inner(text)]


# A word that joins the content to the sentence before it is not part of what was said.
_CONNECTIVE = re.compile(r"(?:And|But|Yet|However,?|Still,|Meanwhile,|In addition,)\s+")


def _without_connective(text: str, content: list[Segment]) -> list[Segment]:
    if not content:
        return content
    start, end = content[0]
    match = _CONNECTIVE.match(text, start, end)
    if match is None or match.end() >= end:
        return content
    return [(match.end(), end), *content[1:]]
