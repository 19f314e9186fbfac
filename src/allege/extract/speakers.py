"""Who an attribution is attributed to: the source phrase of a cue."""

from __future__ import annotations

from spacy.tokens import Doc, Token

from .spans import Segment

_CLIMB = {"conj", "xcomp", "advcl", "ccomp", "parataxis"}
_RELATIVE = {"who", "which", "that", "whom"}
# Prepositions that open a clause of the subject's own doing: "by saying", "after saying"
_CLAUSE_PREPS = {"by", "after", "before", "in", "while", "without"}
_ISSUED = {"statement", "release", "tweet", "post", "letter", "email", "message", "memo", "filing",
           "paper", "document", "report", "ad", "video", "complaint", "lawsuit", "suit"}


def source_of(doc: Doc, verb: Token, content: list[Segment]) -> tuple[Segment | None, int | None]:
    """The source phrase of ``verb`` and the index of its head token, or (None, None)."""
    subject = _subject(verb)
    if subject is None:
        return None, None
    if subject.lower_ in _RELATIVE and subject.head.dep_ == "relcl":
        # PolNeAR marks the relative pronoun; its antecedent is the entity (see resolve.py)
        return (subject.idx, subject.idx + len(subject)), subject.head.head.i
    tokens = _noun_phrase(subject, stop=lambda t: t.dep_ == "acl")
    tokens = _after_dateline(tokens)
    inside = [(s, e) for s, e in content]
    tokens = [t for t in tokens if not any(s <= t.idx < e for s, e in inside)]
    tokens = _around(tokens, subject)
    while tokens and (tokens[-1].is_punct or tokens[-1].is_space):
        tokens.pop()
    while tokens and (tokens[0].is_punct or tokens[0].is_space):
        tokens.pop(0)
    if not tokens:
        return None, None
    return (tokens[0].idx, tokens[-1].idx + len(tokens[-1])), subject.i


def _subject(verb: Token) -> Token | None:
    """The subject of ``verb``, or of the verb it is a complement or conjunct of."""
    seen = 0
    while seen < 4:
        for child in verb.children:
            if child.dep_ == "nsubj":
                return child
            if child.dep_ == "agent":
                return next((c for c in child.children if c.dep_ == "pobj"), None)
        if _passive(verb):
            return None
        if verb.dep_ == "pcomp" and verb.head.dep_ == "prep":
            main = verb.head.head
            passive = next((c for c in main.children if c.dep_ == "nsubjpass"), None)
            if passive is not None or verb.head.lower_ not in _CLAUSE_PREPS:
                return passive  # "X was quoted as saying …": the subject of the passive verb
            verb = main  # "X responded by saying …", "after saying …": X speaks
            seen += 1
            continue
        if verb.dep_ == "acl" and verb.head.pos_ in ("NOUN", "PROPN"):
            if verb.head.dep_ == "dobj" and verb.head.lemma_.lower() in _ISSUED:
                verb = verb.head.head  # "X issued a statement calling …": X speaks
                seen += 1
                continue
            return verb.head
        if verb.dep_ not in _CLIMB or verb.head.i == verb.i:
            return None
        verb = verb.head
        seen += 1
    return None


def _passive(verb: Token) -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)


def _noun_phrase(head: Token, stop) -> list[Token]:
    keep = [head]
    for child in head.children:
        if not stop(child):
            keep.extend(child.subtree)
    return sorted(keep, key=lambda t: t.i)


def _after_dateline(tokens: list[Token]) -> list[Token]:
    """Drop a dateline or timestamp the parser glued to the subject ("RENO, Nev. (AP) — X")."""
    for n in range(len(tokens) - 1, 0, -1):
        if tokens[n].text in ("—", "--", "–") or "\n" in tokens[n].text:
            return tokens[n + 1:]
    return tokens


def _around(tokens: list[Token], head: Token) -> list[Token]:
    """The run of consecutive tokens that contains ``head``."""
    if not tokens:
        return []
    runs: list[list[Token]] = [[tokens[0]]]
    for t in tokens[1:]:
        if t.i == runs[-1][-1].i + 1:
            runs[-1].append(t)
        else:
            runs.append([t])
    return next((r for r in runs if head in r), runs[0])
