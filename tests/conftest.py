"""Shared fixtures: the spaCy pipeline is loaded once per test session."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from spacy.language import Language

from allege import analyze
from allege.model import Analysis, Claim, Entity
from allege.nlp import load_pipeline, plain_pipeline

SHARED = Path(__file__).parents[1].parent / "shared"
KADYROV = SHARED / "examples" / "kadyrov-syria.txt"


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The English pipeline, loaded once for the whole session."""
    return load_pipeline()


@pytest.fixture(scope="session")
def shipped() -> Language:
    """en_core_web_sm exactly as its package ships it, loaded once; tests leave it so."""
    return plain_pipeline()


@pytest.fixture(scope="session")
def analysed(nlp: Language) -> Callable[..., Analysis]:
    """``analysed(text, outlet=None)``: ``allege.analyze`` with results kept for the session.

    Several tests look at the same sentence from different sides; each text is analysed once.
    """
    cache: dict[tuple[str, str | None], Analysis] = {}

    def run(text: str, outlet: str | None = None) -> Analysis:
        key = (text, outlet)
        if key not in cache:
            cache[key] = analyze(text, outlet=outlet)
        return cache[key]

    return run


def entity_of(analysis: Analysis, claim: Claim) -> Entity | None:
    """The entity a claim's speaker points to, or None."""
    if claim.speaker is None:
        return None
    return analysis.entity(claim.speaker.entity)


def name_of(entity: Entity | None) -> str | None:
    """An entity's name without a leading article ("the Kremlin" and "Kremlin" are one)."""
    if entity is None:
        return None
    name = entity.name
    return name[4:] if name.lower().startswith("the ") else name


def check_claim_offsets(analysis: Analysis) -> None:
    """Every span of every claim is the text at its offsets; segments lie in the content."""
    text = analysis.document.text
    for claim in analysis.claims:
        parts = [("cue", claim.cue), ("content", claim.content)]
        if claim.speaker is not None:
            parts.append(("speaker", claim.speaker))
        for role, span in parts:
            assert 0 <= span.start <= span.end <= len(text), (claim.id, role, span)
            assert text[span.start:span.end] == span.text, (claim.id, role, span)
        content = claim.content
        assert content.segments, (claim.id, "content has no segments")
        assert content.segments[0][0] == content.start, (claim.id, content)
        assert content.segments[-1][1] == content.end, (claim.id, content)
        for start, end in content.segments:
            assert content.start <= start <= end <= content.end, (claim.id, content)
