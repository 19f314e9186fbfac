"""Attributions around a cue verb: direct quotes, indirect and mixed speech, beliefs.

``find_verbal(doc, quotes, lexicon)`` looks at every verb of the cue lexicon outside
quotation marks and finds its content (an adjacent quotation, its clausal complement, or
its object) and its source (its subject, or the subject it shares with a verb it depends on).
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc, Token

from ..nlp import text_of
from .confidence import SPEECH
from .cues import Lexicon, VerbCue
from .quotes import Quote
from .speakers import source_of
from .spans import Found, Segment, extent, subtree_indices, token_segments

# Verb + preposition pairs that PolNeAR marks as one cue: "called for", "referring to".
# Not "said of" (train: 16 of 52) nor "wrote of" (1 of 3).
PHRASAL = {("call", "for"), ("vote", "for"), ("refer", "to"), ("push", "for"), ("ask", "for"),
           ("advocate", "for"), ("argue", "for"), ("argue", "against"), ("warn", "of"),
           ("warn", "against"), ("complain", "about"), ("point", "to"), ("talk", "about"),
           ("speak", "about"), ("speak", "of"), ("allude", "to"), ("respond", "to"),
           ("reply", "to"), ("hint", "at"), ("comment", "on"), ("rail", "against"),
           ("call", "on"), ("apologize", "for"),
           ("react", "to"), ("speak", "out")}
# After a passive cue PolNeAR train marks most prepositions as the cue's ("was described as",
# 38 of 64), but not the agent ("was criticized by", 30 of 103) nor these (8 of 42).
_NOT_AFTER_PASSIVE = {"in", "to", "at", "from"}
# "said in a statement": the medium belongs to the cue.
MEDIUMS = {"statement", "interview", "release", "tweet", "post", "letter", "speech", "op-ed",
           "email", "message", "column", "response", "memo", "filing", "essay", "book"}
# Verbs that, negated, decline to comment: "did not respond to requests for comment".
SILENCE = {"comment", "respond", "reply", "elaborate"}
_CLAUSE_DEPS = {"ccomp", "parataxis"}
_OBJECT_DEPS = {"dobj", "dative", "oprd", "prep", "xcomp", "acomp", "attr"}
# What may stand between a cue verb and an adjacent quotation without breaking the link.
_LINK_DEPS = {"nsubj", "nsubjpass", "dobj", "dative", "prep", "advmod", "npadvmod", "aux",
              "neg", "prt", "punct", "agent", "compound", "attr", "cc", "det", "poss", "amod"}


def find_verbal(doc: Doc, quotes: list[Quote], lexicon: Lexicon, used: set[int]) -> Iterator[Found]:
    """Every attribution whose cue is a verb of the lexicon and not in ``used``."""
    sentence_of = {s.start: n for n, s in enumerate(doc.sents)}
    for token in doc:
        if token.i in used or token.pos_ not in ("VERB", "AUX") or _quoted(token, quotes):
            continue
        cue = lexicon.verb(token.lemma_)
        complement = _complement(token, lexicon)
        if (cue is None and complement is None) or _quoted_as_saying(token, lexicon):
            continue
        found = _attribution(doc, token, cue, complement, quotes, lexicon)
        if found is None:
            continue
        found.sentence = sentence_of[token.sent.start]
        used |= found.tokens
        yield found


def _quoted_as_saying(token: Token, lexicon: Lexicon) -> bool:
    """"quoted" in "X was quoted as saying …": the cue is "saying", which owns the content.
    (An active verb keeps its claim: "criticized X for saying …".)"""
    children = list(token.children)
    return any(c.dep_ == "nsubjpass" for c in children) and any(
        child.dep_ == "prep" and child.lower_ == "as"
        and any(c.dep_ == "pcomp" and lexicon.verb(c.lemma_) for c in child.children)
        for child in children)


def _quoted(token: Token, quotes: list[Quote]) -> bool:
    return any(q.contains(token.idx) for q in quotes)


def _complement(token: Token, lexicon: Lexicon) -> tuple[Token, str] | None:
    """The "confirm" of "refused to confirm", with the stance of the pair; a negated
    "comment" or "respond" is its own complement ("would not comment on X")."""
    for child in token.children:
        if child.dep_ == "xcomp":
            stance = lexicon.complement(token.lemma_, child.lemma_)
            if stance:
                return child, stance
    if token.lemma_.lower() in SILENCE and _negated(token):
        return token, "declines_to_comment"
    return None


def _negated(verb: Token) -> bool:
    return any(child.dep_ == "neg" for child in verb.children)


def _stance(verb: Token, cue: VerbCue) -> str:
    """The cue's stance, turned by a negation: who "would not confirm" or "did not say
    whether" X refuses to confirm it (so does who "did not deny" it); who "does not believe"
    X denies it."""
    if not _negated(verb) or cue.stance == "questions":
        return cue.stance
    return "denies" if cue.mind and cue.stance == "asserts" else "refuses_to_confirm"


def _attribution(
    doc: Doc, verb: Token, cue: VerbCue | None, complement: tuple[Token, str] | None,
    quotes: list[Quote], lexicon: Lexicon,
) -> Found | None:
    if complement is not None:
        return _response(doc, verb, *complement)
    assert cue is not None
    cue_tokens = _cue_tokens(verb)
    direct = _direct(doc, verb, quotes)
    if direct is not None:
        content, rule = direct, "direct"
    else:
        keep, rule = _indirect(doc, verb, cue, lexicon)
        keep = _trim_content(doc, verb, keep - cue_tokens, rule)
        content = token_segments(doc, keep)
    if not content:
        return None
    kind = _kind(text_of(doc), content, quotes) if rule != "direct" else "direct"
    source, head = source_of(doc, _joined_cue(verb, lexicon) or verb, content)
    return Found(
        cue=token_segments(doc, cue_tokens), cue_lemma=verb.lemma_.lower(), content=content,
        kind=kind, stance=_stance(verb, cue), sentence=0, source=source,
        source_head=head, rule=rule, tokens=cue_tokens,
    )


def _cue_tokens(verb: Token) -> set[int]:
    """The verb with its auxiliaries, negation, adverbs, particle, bound preposition and
    medium ("also did not point out", "has called for", "was described as", "said in a
    statement")."""
    tokens = {verb.i} | {c.i for c in verb.children if c.dep_ in ("prt", "aux", "auxpass", "neg")
                         and c.i < verb.i + 2}
    tokens |= {c.i for c in verb.lefts if c.dep_ == "advmod" and c.i == min(tokens) - 1
               and c.tag_ != "WRB"}  # not "when" in "when asked" (train: 0 of 44)
    passive = any(c.dep_ == "auxpass" for c in verb.children)
    for child in verb.rights:
        if child.dep_ not in ("prep", "agent") or child.i != max(tokens) + 1:
            continue
        if (verb.lemma_.lower(), child.lower_) in PHRASAL or \
                (passive and child.dep_ != "agent" and child.lower_ not in _NOT_AFTER_PASSIVE):
            tokens.add(child.i)
        elif child.lower_ == "in" and any(c.lemma_.lower() in MEDIUMS for c in child.children):
            tokens |= {t.i for t in child.subtree}
    return tokens


def _response(doc: Doc, verb: Token, comp: Token, stance: str) -> Found:
    """"refused to confirm X", "declined to comment on X": the answer to another claim."""
    cue_tokens = {verb.i, comp.i} | {t.i for t in verb.subtree if t.i < comp.i and t.i > verb.i
                                     and t.dep_ in ("aux", "neg")}
    lemma, also = f"{verb.lemma_} to {comp.lemma_}", ()
    if comp == verb:  # "would not comment on X", "did not respond to requests for comment"
        cue_tokens |= _cue_tokens(verb)
        lemma, also = f"not {verb.lemma_}", ("to",)
    target = _object(comp, *also)
    content = token_segments(doc, subtree_indices(target)) if target is not None else []
    if not content:  # "declined to comment.": nothing is attributed but the refusal itself
        end = comp.idx + len(comp)
        content = [(end, end)]
    source, head = source_of(doc, verb, content)
    return Found(
        cue=token_segments(doc, cue_tokens), cue_lemma=lemma,
        content=content, kind="indirect", stance=stance, sentence=0, source=source,
        source_head=head, about=extent(content) if target is not None else None,
        rule="response", tokens=cue_tokens,
    )


def _object(verb: Token, *also: str) -> Token | None:
    """What a response is about: the object, clause, or what follows "on" or "about" (or
    a preposition in ``also``: what "did not respond to" is "requests for comment")."""
    for child in verb.children:
        if child.dep_ in ("dobj", "ccomp"):
            return child
    for child in verb.children:
        if child.dep_ == "prep" and child.lemma_ in ("on", "about", *also):
            return next((c for c in child.children if c.dep_ in ("pobj", "pcomp")), None)
    return None


def _direct(doc: Doc, verb: Token, quotes: list[Quote]) -> list[Segment] | None:
    """A quotation right before and/or right after the cue's clause."""
    clause = {i for i in _clause_indices(verb) if not _quoted(doc[i], quotes)}
    lo, hi = min(clause), max(clause)
    before = next((q for q in reversed(quotes) if q.end <= doc[lo].idx + len(doc[lo])
                   and _only_link(doc, q.end, doc[lo].idx, verb)), None)
    after = next((q for q in quotes if q.start >= doc[hi].idx
                  and _only_link(doc, doc[hi].idx + len(doc[hi]), q.start, verb)), None)
    if before is not None and _quote_in_sentence(doc, before, verb):
        segments = [before.inner(text_of(doc))]
        # the rest of a quotation the cue breaks; one in a new paragraph is a new quotation
        if after is not None and after.start - segments[0][1] < 400 and \
                "\n" not in text_of(doc)[segments[0][1]:after.start]:
            segments.append(after.inner(text_of(doc)))
        return segments
    if after is not None and _opens_after_link(doc, verb, after):
        return [after.inner(text_of(doc))]
    return None


def _clause_indices(verb: Token) -> set[int]:
    """The cue verb and the words that link it to a quotation: subject, object, adverbs."""
    keep = {verb.i}
    for child in verb.children:
        if child.dep_ in _LINK_DEPS and child.dep_ != "punct":
            keep |= {t.i for t in child.subtree}
    return keep


def _only_link(doc: Doc, start: int, end: int, verb: Token) -> bool:
    """True when the characters between start and end hold only punctuation and clause words."""
    if end < start:
        return False
    allowed = _clause_indices(verb)
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return text_of(doc)[start:end].strip(" \n,:;—–-") == ""
    for token in span:
        if token.i in allowed or token.is_punct or token.is_space:
            continue
        if token.idx >= end or token.idx + len(token) <= start:
            continue
        return False
    return True


def _quote_in_sentence(doc: Doc, quote: Quote, verb: Token) -> bool:
    """The quotation ends inside the cue's sentence, in the same paragraph; or it ends the
    sentence before with a question or exclamation mark or an ellipsis, which the parser
    takes for the sentence's end: "“Why not?” she asked."."""
    text = text_of(doc)
    if "\n" in text[quote.end:verb.idx]:
        return False
    if quote.end > verb.sent.start_char:
        return True
    start, end = quote.inner(text)
    return text[quote.end:verb.sent.start_char].strip() == "" and \
        text[start:end].endswith(("?", "!", "…", "..."))


def _opens_after_link(doc: Doc, verb: Token, quote: Quote) -> bool:
    """"He said: “…”" or "He told reporters, “…”": a colon or comma opens the quotation."""
    gap = text_of(doc)[verb.idx + len(verb):quote.start]
    if "\n\n" in gap.strip():
        return False
    has_clause = any(c.dep_ == "ccomp" and c.idx < quote.start for c in verb.children)
    return not has_clause and gap.rstrip().endswith((":", ",")) or gap.strip() == ""


def _indirect(doc: Doc, verb: Token, cue: VerbCue, lexicon: Lexicon) -> tuple[set[int], str]:
    """Tokens of the clausal complement, of the clause around an inserted cue, or of the object."""
    for child in verb.children:
        if child.dep_ == "ccomp":
            joined = [c for c in child.children if _joined_cue(c, lexicon) == verb]
            keep = subtree_indices(child, without=joined)
            if joined:  # and the "and" before the first of them
                keep -= {c.i for c in child.children if c.dep_ == "cc" and c.i < joined[0].i}
            return keep, "ccomp"
    if verb.dep_ in _CLAUSE_DEPS and verb.head.i != verb.i and _has_subject(verb) \
            and verb.lemma_.lower() in SPEECH:  # other verbs here are mostly not cues
        return subtree_indices(verb.head, without=[verb]), "inserted"
    passive = _passive_subject(verb)
    if passive is not None:  # "the move was first reported by MSNBC"
        return subtree_indices(passive), "passive"
    if cue.mind and not (cue.content or cue.object):
        return set(), ""  # a belief is attributed only with a clause: "believes that …"
    if cue.content:
        for child in verb.children:
            if child.dep_ == "xcomp":
                keep = subtree_indices(child)
                keep |= {t.i for c in verb.children if c.dep_ == "dobj" for t in c.subtree}
                return keep, "xcomp"
    if cue.object:
        keep: set[int] = set()
        for child in verb.rights:
            if child.dep_ in _OBJECT_DEPS and not _is_time(child):
                keep |= subtree_indices(child)
            elif keep and child.dep_ not in ("punct", "advmod", "npadvmod"):
                break
        if any(doc[i].dep_ in ("dobj", "dative", "pobj") for i in keep):
            return keep, "object"
    return set(), ""


def _is_time(token: Token) -> bool:
    """"on Thursday", "last week": when it was said is not what was said."""
    return any(t.ent_type_ in ("DATE", "TIME") for t in token.subtree) and \
        all(t.ent_type_ in ("DATE", "TIME") or t.dep_ in ("prep", "det") for t in token.subtree)


def _trim_content(doc: Doc, verb: Token, keep: set[int], rule: str) -> set[int]:
    """Drop a trailing clause set off by a comma (", putting them at odds …"), and take in
    the words before an inserted cue ("In such cases, it said, “…”")."""
    if not keep:
        return keep
    for i in sorted(keep):
        token = doc[i]
        if token.dep_ in ("relcl", "advcl", "acl") and i > min(keep) and \
                doc[token.left_edge.i - 1].text == "," and token.right_edge.i >= max(keep) - 1 \
                and token.head.i in keep:
            keep = keep - subtree_indices(token) - {token.left_edge.i - 1}
            break
    if rule in ("ccomp", "inserted") and min(keep) > verb.i:
        keep |= _inserted_prefix(doc, verb)
    return keep


def _inserted_prefix(doc: Doc, verb: Token) -> set[int]:
    """"An economic downturn, he said, “could be …”": the words before "he said,"."""
    clause = _clause_indices(verb)
    start, end = min(clause), max(clause)
    if start <= verb.sent.start or doc[start - 1].text != "," or end + 1 >= len(doc):
        return set()
    if doc[end + 1].text not in (",", "“", '"'):
        return set()
    return {i for i in range(verb.sent.start, start - 1) if not doc[i].is_space}


def _passive_subject(verb: Token) -> Token | None:
    """The subject of a passive cue with an agent: what is reported is the subject."""
    if not any(c.dep_ == "agent" for c in verb.children):
        return None
    return next((c for c in verb.children if c.dep_ == "nsubjpass"), None)


def _joined_cue(verb: Token, lexicon: Lexicon) -> Token | None:
    """The cue whose subject a second cue verb shares where the parser joined that verb to
    the first cue's clause: in "X said the talks had failed and added that …", "added"
    hangs from "failed" but is X's, like "said"; None elsewhere."""
    clause = verb.head
    if verb.dep_ != "conj" or clause.dep_ != "ccomp" or _has_subject(verb):
        return None
    first = clause.head
    if verb.tag_ != first.tag_ or not lexicon.verb(verb.lemma_) or not lexicon.verb(first.lemma_):
        return None
    return first


def _has_subject(verb: Token) -> bool:
    return any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children)


def _kind(text: str, content: list[Segment], quotes: list[Quote]) -> str:
    start, end = extent(content)
    inside = [q for q in quotes if q.start < end and q.end > start]
    if not inside:
        return "indirect"
    if len(inside) == 1 and inside[0].start <= start and inside[0].end >= end:
        return "direct"
    return "mixed"
