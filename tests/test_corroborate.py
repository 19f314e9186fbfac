"""Corroboration: propositions across documents, independence, grades, the source registry."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from allege import analyze
from allege.corroborate.grades import (
    Policy,
    credibility,
    disputes,
    grade,
    independent_groups,
    provenance,
    side_of,
    sides,
)
from allege.corroborate.stance import LABELS
import allege.corroborate.propositions as propositions_module
from allege.corroborate.propositions import Member, build_propositions, load_propositions
from allege.corroborate.sources import load_registry, reliability, set_reliability
from allege.store import connect, save_analysis
from allege.store.schema import claim_vectors

BASIL = Path(__file__).parents[1].parent / "shared" / "corpora" / "basil" / "articles"
CLAIM = "the army had moved tanks to the border near Kharkiv"


def member(n: int, stance: str, *chain: str) -> Member:
    return Member(claim_id=n, document=f"d{n}", claim="C1", outlet=chain[-1], published=None,
                  speaker=chain[0], stance=stance, content=CLAIM, chain=tuple(chain))


@pytest.fixture
def store(tmp_path: Path):
    with connect(str(tmp_path / "s.sqlite")) as opened:
        yield opened


def ingest(store, *articles: tuple[str, str]) -> None:
    for text, outlet in articles:
        save_analysis(store, analyze(text, outlet=outlet))


ORIGINAL = (f"Ivan Petrov told the Daily Planet that {CLAIM}.", "Daily Planet")
ECHO = (f"Ivan Petrov told the Daily Planet that {CLAIM}, the Daily Planet reported.",
        "Morning Star")
SECOND = (f"Army chief Olga Marsh said {CLAIM}.", "Evening Post")
THIRD = (f"The border guard commander Pavel Orlov said {CLAIM}.", "Northern Herald")
DENIAL = (f"The defence minister Anna Volkova denied that {CLAIM}.", "Gazette")


def test_an_echo_is_not_an_independent_confirmation(store):
    ingest(store, ORIGINAL, ECHO)
    [proposition] = build_propositions(store)
    assert {m.outlet for m in proposition.members} == {"Daily Planet", "Morning Star"}
    supporting = [g for g in independent_groups(proposition)
                  if any(m.stance == "asserts" for m in g)]
    assert len(supporting) == 1
    assert grade(proposition, {}).credibility == 3


def test_echoes_share_an_origin_through_the_chain():
    interview = member(1, "asserts", "Petrov", "Daily Planet")
    relayed = member(2, "reports", "Daily Planet", "Morning Star")
    other = member(3, "asserts", "Marsh", "Evening Post")
    same_outlet = member(4, "asserts", "Orlov", "Evening Post")  # another voice, same paper
    groups = independent_groups([interview, relayed, other, same_outlet])
    assert sorted(len(g) for g in groups) == [1, 1, 2]


def test_an_article_that_agrees_is_a_source_and_one_that_disagrees_a_denial():
    relayed = member(2, "reports", "Daily Planet", "Morning Star")
    assert side_of(relayed) == "reports"
    assert side_of(replace(relayed, article_stance="discuss")) == "reports"
    assert side_of(replace(relayed, article_stance="agree")) == "asserts"
    assert side_of(replace(relayed, article_stance="disagree")) == "denies"
    assert side_of(replace(member(1, "asserts", "Petrov"), article_stance="disagree")) == "asserts"
    found = sides([member(1, "asserts", "Petrov", "Daily Planet"),
                   replace(member(3, "reports", "Gazette"), article_stance="disagree")])
    assert len(found.support) == 1 and len(found.oppose) == 1
    assert "its report disagrees with it" in grade(
        [member(1, "asserts", "Petrov"),
         replace(member(3, "reports", "Gazette"), article_stance="disagree")], {}).explanation


def test_reporting_members_get_their_article_stance(store):
    ingest(store, ORIGINAL, ECHO)
    [proposition] = build_propositions(store)
    for m in proposition.members:
        if m.stance == "reports":
            assert m.article_stance in LABELS
        else:
            assert m.article_stance is None
    assert any(m.stance == "reports" for m in proposition.members)
    [again] = build_propositions(store, article_stances=False)
    assert all(m.article_stance is None for m in again.members)


def test_claims_are_embedded_once(store):
    ingest(store, ORIGINAL, SECOND)
    heard: list[tuple[int, int]] = []
    build_propositions(store, progress=lambda done, total: heard.append((done, total)))
    assert heard and heard[-1][0] == heard[-1][1] > 0
    with store.read() as conn:
        stored = conn.scalar(select(func.count()).select_from(claim_vectors))
    assert stored == heard[-1][1]
    heard.clear()
    build_propositions(store, progress=lambda done, total: heard.append((done, total)))
    assert heard == []


def test_two_independent_confirmations_grade_higher_than_one(store):
    ingest(store, ORIGINAL, ECHO, SECOND)
    [one] = build_propositions(store)
    ingest(store, THIRD)
    [two] = build_propositions(store)
    assert grade(one, {}).code == "F2"
    assert grade(two, {}).code == "F1"
    assert "confirmed by 2 independent sources" in grade(two, {}).explanation


def test_a_denial_lowers_credibility(store):
    ingest(store, ORIGINAL, SECOND, DENIAL)
    [proposition] = build_propositions(store)
    assert {m.stance for m in proposition.members} == {"asserts", "denies"}
    assert grade(proposition, {}).credibility == 4
    [contest] = disputes(store)
    assert len(contest.support) == 2 and len(contest.against) == 1
    tree = provenance(store, proposition.id)
    assert tree is not None and len(tree["sources"]) == 3
    json.dumps(tree)


@pytest.mark.parametrize(("support", "oppose", "refuse", "expected"), [
    (3, 0, 0, 1), (2, 0, 0, 2), (1, 0, 0, 3), (1, 1, 0, 4), (1, 0, 1, 4), (1, 2, 0, 5),
    (0, 0, 0, 6),
])
def test_credibility_scale(support: int, oppose: int, refuse: int, expected: int):
    assert credibility(support, oppose, refuse, Policy())[0] == expected


def test_unknown_sources_are_f_and_the_registry_grades_the_asserting_side(tmp_path: Path):
    registry = set_reliability(tmp_path / "sources.toml", "Ivan Petrov", "b")
    assert reliability(registry, "Nobody Known") == "F"
    assert reliability(registry, "ivan petrov") == "B"
    members = [member(1, "asserts", "Ivan Petrov", "Daily Planet"),
               member(2, "denies", "Anna Volkova", "Gazette")]
    assert grade(members, registry).code == "B4"
    assert grade(members, {}).reliability == "F"


def test_the_registry_round_trips_through_its_toml_file(tmp_path: Path):
    path = tmp_path / "sources.toml"
    set_reliability(path, "Russia One", "D")
    set_reliability(path, "Reuters", "B")
    path.write_text(path.read_text() + "# kept by hand\n")
    set_reliability(path, "the russia one", "E")  # same source, another spelling
    assert load_registry(path) == {"Russia One": "E", "Reuters": "B"}
    assert "# kept by hand" in path.read_text()


def test_the_registry_path_comes_from_the_environment(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("ALLEGE_SOURCES", str(tmp_path / "mine.toml"))
    set_reliability(None, "TASS", "D")
    assert load_registry() == {"TASS": "D"}


def basil_triplet() -> list[tuple[str, str]]:
    first = sorted(BASIL.glob("*/*_1.json"))[0]
    found = []
    for n in (1, 2, 3):
        data = json.loads(first.with_name(first.name[:-6] + f"{n}.json").read_text())
        text = "\n\n".join(" ".join(p) for p in data["body-paragraphs"])
        found.append((text, data["source"].lower()))
    return found


@pytest.mark.skipif(not BASIL.exists(), reason="BASIL corpus not present")
def test_basil_triplet_has_a_proposition_from_two_outlets(store):
    ingest(store, *basil_triplet())
    found = build_propositions(store)
    assert any(len(p.outlets) >= 2 for p in found)


def test_an_outlet_in_its_own_voice_does_not_join_the_speakers_it_publishes():
    asserting = member(1, "asserts", "Petrov", "Gazette")
    denying = member(2, "denies", "Volkova", "Gazette")
    own_voice = member(3, "reports", "Gazette")
    same_voice_elsewhere = member(4, "reports", "Gazette")
    groups = independent_groups([asserting, denying, own_voice, same_voice_elsewhere])
    assert sorted(len(g) for g in groups) == [1, 1, 2]
    found = sides([asserting, denying, own_voice])
    assert len(found.support) == 1 and len(found.oppose) == 1


def test_propositions_load_the_same_in_small_chunks(store, monkeypatch):
    ingest(store, ORIGINAL, ECHO, SECOND, DENIAL)
    built = build_propositions(store, article_stances=False)
    monkeypatch.setattr(propositions_module, "CHUNK", 1)  # one id per IN (...)
    assert load_propositions(store) == built
    assert load_propositions(store, [p.id for p in built]) == built
