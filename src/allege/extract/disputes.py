"""Disputes inside one document.

Two kinds: a response (denial, refusal to confirm, question) aimed at other claims —
"Peskov refused to confirm Kadyrov's claims" — and two claims whose contents contradict
each other: one negates what the other asserts about the same things ("there are no
Russian troops on the ground" against "special forces are on the ground in Syria").
A speaker's consecutive claims in one paragraph are one statement and are disputed together.
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc

from ..nlp import text_of
from ..model import Claim, Dispute
from ..resolve import Entities

RESPONSES = {"denies", "refuses_to_confirm", "questions", "declines_to_comment"}
# Words that name the same kind of thing for the purpose of spotting a contradiction.
_SAME = {"troop": "force", "soldier": "force", "fighter": "force", "army": "force",
         "unit": "force", "military": "force"}
_NEGATIONS = {"no", "not", "n't", "never", "none", "nobody", "nothing", "neither", "nor"}
_MIN_SHARED = 2
_VERBS = {"denies": "denied", "refuses_to_confirm": "refused to confirm",
          "questions": "questioned", "declines_to_comment": "declined to comment on"}


def find_disputes(doc: Doc, claims: list[Claim], entities: Entities) -> Iterator[Dispute]:
    """Responses to other claims, then contradictions between claims."""
    for response in claims:
        if response.stance not in RESPONSES:
            continue
        targets = _targets(doc, response, claims, entities)
        if targets:
            response.about = targets[0].id
            names = _speaker_names(targets, entities)
            yield Dispute(
                claims=[t.id for t in targets] + [response.id], kind=_kind(response.stance),
                explanation=f"{_who(response, entities)} {_VERBS[response.stance]} "
                            f"what {names} said.",
            )
    yield from _contradictions(doc, claims, entities)


def _kind(stance: str) -> str:
    return {"declines_to_comment": "refuses_to_confirm"}.get(stance, stance)


def _targets(doc: Doc, response: Claim, claims: list[Claim], entities: Entities) -> list[Claim]:
    """The claims a response is about: those of the speaker its object names."""
    earlier = [c for c in claims if c.cue.start < response.cue.start and c is not response]
    span = doc.char_span(response.content.start, response.content.end, alignment_mode="expand")
    named = {entities.at(t.i) for t in span or [] if entities.at(t.i)}
    if named:
        hits = [c for c in earlier if _speaks(c) in named or named & set(c.via[:1])]
        if hits:
            return hits
    if span is not None and any(t.pos_ == "PRON" for t in span):
        before = doc.char_span(response.cue.start, response.cue.end, alignment_mode="expand")
        sent_ents = {entities.at(t.i) for t in (before.sent if before else [])
                     if entities.at(t.i) and t.idx < response.cue.start}
        hits = [c for c in earlier if _speaks(c) in sent_ents or sent_ents & set(c.via[:1])]
        return hits
    return []


def _speaks(claim: Claim) -> str | None:
    return claim.speaker.entity if claim.speaker else None


def _contradictions(doc: Doc, claims: list[Claim], entities: Entities) -> Iterator[Dispute]:
    terms = {c.id: _terms(doc, c) for c in claims}
    for i, a in enumerate(claims):
        for b in claims[i + 1:]:
            if _speaks(a) == _speaks(b) or a.stance in RESPONSES or b.stance in RESPONSES:
                continue
            (ta, na), (tb, nb) = terms[a.id], terms[b.id]
            shared = ta & tb
            if na != nb and len(shared) >= _MIN_SHARED:
                group = _statement(doc, a if nb else b, claims)
                other = b if nb else a
                yield Dispute(
                    claims=[c.id for c in group] + [other.id], kind="contradicts",
                    explanation=f"{_who(other, entities)} says the opposite of "
                                f"{_who(a if nb else b, entities)} about "
                                f"{', '.join(sorted(shared))}.",
                )


def _terms(doc: Doc, claim: Claim) -> tuple[set[str], bool]:
    """Content words of a claim (normalised) and whether the claim is negated."""
    span = doc.char_span(claim.content.start, claim.content.end, alignment_mode="expand")
    words: set[str] = set()
    negated = False
    for token in span or []:
        if token.lower_ in _NEGATIONS or token.dep_ == "neg":
            negated = True
        if token.pos_ in ("NOUN", "PROPN") and not token.is_stop:
            words.add(_normal(token.lemma_.lower()))
    return words, negated


def _normal(word: str) -> str:
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        word = word[:-1]
    return _SAME.get(word, word)


def _statement(doc: Doc, claim: Claim, claims: list[Claim]) -> list[Claim]:
    """The speaker's consecutive claims in the claim's paragraph."""
    start = text_of(doc).rfind("\n\n", 0, claim.cue.start)
    end = text_of(doc).find("\n\n", claim.cue.start)
    end = len(text_of(doc)) if end < 0 else end
    return [c for c in claims if start <= c.cue.start < end and _speaks(c) == _speaks(claim)
            and c.stance not in RESPONSES]


def _who(claim: Claim, entities: Entities) -> str:
    entity = entities.get(_speaks(claim))
    if entity is not None:
        return entity.name
    return claim.speaker.text if claim.speaker else "an unnamed source"


def _speaker_names(claims: list[Claim], entities: Entities) -> str:
    names = []
    for claim in claims:
        name = _who(claim, entities)
        if name not in names:
            names.append(name)
    return " and ".join(names)

