"""The short loop that runs the extractors: text -> Analysis."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import replace

from spacy.language import Language
from spacy.tokens import Doc

from .encoder_tagger import ENCODERS, EncoderTagger, encoder_named, tag_with_encoder
from .extract.chains import assign_chains
from .extract.claims import find_attributions
from .extract.confidence import confidence
from .extract.disputes import find_disputes
from .extract.relations import find_relations, role_speaker
from .extract.spans import Found, extent
from .errors import AllegeError
from .model import Analysis, Claim, Content, Cue, Document, Entity, Span, Speaker
from .nlp import parse_many, text_of
from .resolve import Entities, resolve_entities, speaker_entity
from .tagger import load_tagger, tag_docs

ENCODER_ENV = "ALLEGE_ENCODER"


def analyze(
    text: str,
    *,
    title: str | None = None,
    url: str | None = None,
    outlet: str | None = None,
    published: str | None = None,
) -> Analysis:
    """Analyse one article: its entities, attributed claims, relations and disputes."""
    document = Document(text=text, title=title, url=url, outlet=outlet, published=published)
    return next(analyze_documents([document]))


def analyze_documents(
    documents: Iterable[Document],
    *,
    nlp: Language | None = None,
    batch_size: int = 64,
    tagger: Language | None | bool = None,
    encoder: str | bool | EncoderTagger | None = None,
) -> Iterator[Analysis]:
    """Analyse many documents, parsing them in batches with ``nlp.pipe``.

    ``tagger``: the trained attribution tagger to refine the rules with; by default the one
    shipped with allege, when present; ``False`` for the rules alone.
    ``encoder``: which encoder tagger (:mod:`allege.encoder_tagger`) re-tags the tagger's
    spans with its own scores: "fast" (four layers), "full" (six: more accurate, slower;
    also ``True``) or "none" (also ``False``); by default the ``ALLEGE_ENCODER``
    environment variable's choice, else "fast" (README, "How it finds attributions, and
    how well"); or a loaded :class:`EncoderTagger` (one computing in another precision, say).
    It refines the tagger, so it needs one.
    """
    documents = list(documents)
    # a name checked now, loaded only if there is a tagger to refine
    choice = encoder if isinstance(encoder, EncoderTagger) else encoder_choice(encoder)
    docs = parse_many((d.text for d in documents), nlp, batch_size=batch_size)
    if tagger is not False:
        tagger = tagger or load_tagger()
        if tagger is not None:
            docs = tag_docs(docs, batch_size=batch_size, tagger=tagger)
            if choice != "none":
                loaded = choice if isinstance(choice, EncoderTagger) else encoder_named(choice)
                docs = tag_with_encoder(docs, encoder=loaded)
    for document, doc in zip(documents, docs):
        yield analyze_doc(document, doc)


def encoder_choice(encoder: str | bool | None = None) -> str:
    """"fast", "full" or "none", from ``encoder`` as :func:`analyze_documents` takes it."""
    if encoder is None:
        encoder = os.environ.get(ENCODER_ENV) or "fast"
    choice = {True: "full", False: "none", "1": "full", "0": "none"}.get(encoder, encoder)
    if choice != "none" and choice not in ENCODERS:
        raise AllegeError(f"No encoder named {encoder!r} (in {ENCODER_ENV} or given): "
                          f"choose fast, full or none.")
    return choice


def analyze_doc(document: Document, doc: Doc) -> Analysis:
    """Run every extractor over a parsed document (pure: no I/O)."""
    entities = resolve_entities(doc)
    found, _ = find_attributions(doc)
    claims = [_claim(doc, n, f, entities) for n, f in enumerate(found, start=1)]
    relations = list(find_relations(doc, entities))
    for claim, f in zip(claims, found):
        if claim.speaker is not None and claim.speaker.entity is None and f.source_head is not None:
            entity = role_speaker(doc[f.source_head], claim.speaker.text, entities, relations)
            claim.speaker = replace(claim.speaker, entity=entity)
    assign_chains(doc, claims, entities, _outlet(document, entities))
    text, types = text_of(doc), {e.id: e.type for e in entities.entities}
    for claim in claims:
        claim.confidence = confidence(claim, text, types)
    return Analysis(
        document=document,
        entities=entities.entities,
        claims=claims,
        relations=relations,
        disputes=list(find_disputes(doc, claims, entities)),
    )


def _claim(doc: Doc, number: int, found: Found, entities: Entities) -> Claim:
    text = text_of(doc)
    speaker = None
    if found.source is not None:
        entity = None
        if found.source_head is not None:
            entity = speaker_entity(doc, doc[found.source_head], entities)
            entity = entity or _unrecognised_name(doc, found.source, entities)
        speaker = Speaker(*found.source, text[found.source[0]:found.source[1]], entity)
    cue_start, cue_end = extent(found.cue)
    start, end = extent(found.content)
    return Claim(
        id=f"C{number}",
        speaker=speaker,
        cue=Cue(cue_start, cue_end, text[cue_start:cue_end], found.cue_lemma),
        content=Content(start, end, text[start:end], tuple(found.content)),
        kind=found.kind,
        stance=found.stance,
        sentence=found.sentence,
        rule=found.rule,
    )


def _unrecognised_name(doc: Doc, source: tuple[int, int], entities: Entities) -> str | None:
    """A speaker named by proper nouns the recogniser missed ("The Daily Courier")."""
    span = doc.char_span(*source, alignment_mode="expand")
    if span is None or len(span) > 6:
        return None
    words = [t for t in span if not (t.dep_ == "det" and t.i == span.start)]
    if not words or not all(t.pos_ == "PROPN" for t in words):
        return None
    name = " ".join(t.text for t in words)
    known = next((e for e in entities.entities if e.name == name or name in e.aliases
                  or (e.type == "PERSON" and len(words) == 1
                      and e.name.split()[-1] == name)), None)
    if known is not None and name != known.name and name not in known.aliases:
        known.aliases.append(name)
    if known is None:
        kind = "ORG" if words[0].i != span.start else "PERSON"
        known = Entity(id=f"E{len(entities.entities) + 1}", name=name, type=kind)
        entities.entities.append(known)
    known.mentions.append(Span.of(text_of(doc), words[0].idx, words[-1].idx + len(words[-1])))
    for t in words:
        entities.by_token[t.i] = known.id
    return known.id


def _outlet(document: Document, entities: Entities) -> str | None:
    """The publishing outlet as an entity, added when the text never names it."""
    if not document.outlet:
        return None
    for entity in entities.entities:
        if document.outlet.lower() in [entity.name.lower(), *map(str.lower, entity.aliases)]:
            return entity.id
    entity = Entity(id=f"E{len(entities.entities) + 1}", name=document.outlet, type="ORG")
    entities.entities.append(entity)
    return entity.id
