"""The example every part must get right: Kadyrov's special forces in Syria.

The article is read from ../shared at run time; it is not copied into the repository.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from spacy.language import Language

from allege import analyze_documents
from allege.model import SCHEMA, Analysis, Claim
from allege.read import read_path
from conftest import KADYROV, check_claim_offsets, entity_of, name_of

pytestmark = pytest.mark.skipif(not KADYROV.exists(), reason=f"{KADYROV} is not there")


@pytest.fixture(scope="module", params=["none", "fast", "full"])
def analysis(nlp: Language, request: pytest.FixtureRequest) -> Analysis:
    return next(analyze_documents([read_path(KADYROV)], nlp=nlp, encoder=request.param))


def find(analysis: Analysis, cue: str, content: str) -> Claim:
    """The one claim whose cue has the words ``cue`` and whose content has ``content``."""
    words = re.compile(rf"\b{re.escape(cue)}\b")
    hits = [c for c in analysis.claims
            if words.search(c.cue.text) and content in c.content.text]
    found = [(c.cue.text, c.content.text[:60]) for c in analysis.claims]
    assert len(hits) == 1, f"expected one claim cued by {cue!r} with {content!r}; found {found}"
    return hits[0]


def speaker_name(analysis: Analysis, claim: Claim) -> str | None:
    return name_of(entity_of(analysis, claim))


# (cue, words of the content, speaker entity name)
ATTRIBUTIONS = [
    ("said", "Chechen Special Forces loyal to Vladimir Putin are on the ground in Syria",
     "Ramzan Kadyrov"),
    ("claimed", "intelligence-gathering mission", "Ramzan Kadyrov"),
    ("reports", "documentary", "International Business Times"),
    ("tells", "best fighters", "Ramzan Kadyrov"),
    ("According to", "irritated the Kremlin", "Homeland Security News Wire"),
    ("refused to confirm", "Kadyrov", "Dmitry Peskov"),
    ("told", "defense ministry", "Dmitry Peskov"),
    ("refusal", "it", "Kremlin"),
    ("insisted", "no Russian troops on the ground", "Kremlin"),
]


@pytest.mark.parametrize(("cue", "content", "speaker"), ATTRIBUTIONS,
                         ids=[f"{cue}-{speaker}" for cue, _, speaker in ATTRIBUTIONS])
def test_attribution(analysis: Analysis, cue: str, content: str, speaker: str) -> None:
    assert speaker_name(analysis, find(analysis, cue, content)) == speaker


def test_the_state_tv_reporter_is_an_unnamed_speaker(analysis: Analysis) -> None:
    claim = find(analysis, "says", "safeguarded the success of Russian air strikes")
    assert claim.speaker is not None and "reporter" in claim.speaker.text
    assert speaker_name(analysis, claim) != "Ramzan Kadyrov"


def test_kadyrov_to_the_camera_came_via_russia_one_then_ibt(analysis: Analysis) -> None:
    claim = find(analysis, "tells", "best fighters")
    names = [name_of(analysis.entity(v)) for v in claim.via]
    assert names[:2] == ["Russia One", "International Business Times"]


def test_peskov_refuses_to_confirm_kadyrov(analysis: Analysis) -> None:
    refusal = find(analysis, "refused to confirm", "Kadyrov")
    assert refusal.stance == "refuses_to_confirm"
    target = analysis.claim(refusal.about)
    assert target is not None and speaker_name(analysis, target) == "Ramzan Kadyrov"


def test_the_kremlin_refuses_to_confirm(analysis: Analysis) -> None:
    assert find(analysis, "refusal", "it").stance == "refuses_to_confirm"


def test_the_kremlin_insists(analysis: Analysis) -> None:
    assert find(analysis, "insisted", "no Russian troops").stance == "asserts"


def test_kadyrov_is_disputed_by_peskov_and_by_the_kremlin(analysis: Analysis) -> None:
    said = find(analysis, "said", "Chechen Special Forces")
    claimed = find(analysis, "claimed", "intelligence-gathering mission")
    refusal = find(analysis, "refused to confirm", "Kadyrov")
    insisted = find(analysis, "insisted", "no Russian troops")
    against_peskov = [d.kind for d in analysis.disputes
                      if {said.id, claimed.id, refusal.id} <= set(d.claims)]
    assert against_peskov == ["refuses_to_confirm"]
    against_kremlin = [d.kind for d in analysis.disputes
                       if {said.id, claimed.id, insisted.id} <= set(d.claims)]
    assert against_kremlin and set(against_kremlin) <= {"contradicts", "denies"}


def relations(analysis: Analysis) -> list[tuple[str | None, str, str | None]]:
    return [(name_of(analysis.entity(r.subject)), r.predicate, name_of(analysis.entity(r.object)))
            for r in analysis.relations]


def test_peskov_is_putins_spokesperson(analysis: Analysis) -> None:
    assert ("Dmitry Peskov", "spokesperson_of", "Vladimir Putin") in relations(analysis)


def test_kadyrov_leads_the_chechens(analysis: Analysis) -> None:
    assert any(s == "Ramzan Kadyrov" and p == "leader_of" and (o or "").startswith("Chech")
               for s, p, o in relations(analysis))


def test_kadyrov_and_his_surname_are_one_entity(analysis: Analysis) -> None:
    kadyrovs = [e for e in analysis.entities if e.name == "Ramzan Kadyrov"]
    assert len(kadyrovs) == 1 and "Kadyrov" in kadyrovs[0].aliases
    assert not [e for e in analysis.entities if e.name == "Kadyrov"]


def spans(node: Any) -> list[dict[str, Any]]:
    """Every dict with start, end and text anywhere in ``node``."""
    if isinstance(node, list):
        return [s for item in node for s in spans(item)]
    if not isinstance(node, dict):
        return []
    own = [node] if {"start", "end", "text"} <= node.keys() else []
    return own + [s for value in node.values() for s in spans(value)]


def test_every_span_is_the_text_at_its_offsets(analysis: Analysis) -> None:
    data = analysis.to_dict()
    text = data["document"]["text"]
    found = spans(data)
    assert len(found) > 3 * len(data["claims"])
    for span in found:
        assert span["text"] == text[span["start"]:span["end"]], span
    check_claim_offsets(analysis)


def test_json_contract(analysis: Analysis) -> None:
    data = json.loads(json.dumps(analysis.to_dict()))
    assert data["schema"] == SCHEMA == "allege.analysis/1"
    assert {"document", "entities", "claims", "relations", "disputes"} <= data.keys()
    assert data["document"]["text"] == analysis.document.text
    assert "This post is also available in" not in data["document"]["text"]
