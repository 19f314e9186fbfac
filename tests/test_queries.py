"""The analyst's questions over a small corpus: search, claims, entity, stats.

Three real analyses (two outlets quoting the Kremlin's spokesman under two spellings, and an
older article about another Kadyrov) are stored in a SQLite file and in PostgreSQL.
"""

from __future__ import annotations

import pytest
import store_fixtures
from store_fixtures import analysis, counts

from allege.store import (
    Store,
    StoreError,
    claims,
    entity,
    save_analysis,
    search,
    stats,
)
from allege.store.search import fts5_query

# The fixture, on a SQLite file and on PostgreSQL (skipped without ALLEGE_TEST_POSTGRES).
store = store_fixtures.store


@pytest.fixture
def corpus(store: Store) -> Store:
    for name in ("courier", "post", "herald"):
        save_analysis(store, analysis(name))
    return store


def _id(name: str) -> str:
    return analysis(name).document.id


# search ----------------------------------------------------------------------------------

def test_search_finds_documents_and_claims_with_highlights(corpus: Store):
    hits = search(corpus, "Russian troops")
    kinds = {(h.kind, h.document, h.claim) for h in hits}
    assert ("document", _id("courier"), None) in kinds
    assert ("claim", _id("courier"), "C3") in kinds
    claim = next(h for h in hits if h.kind == "claim")
    assert claim.speaker == "Dmitry Peskov" and claim.stance == "asserts"
    assert "[troops]" in claim.snippet
    assert all(h.outlet and h.title for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_search_stems_and_ignores_case(corpus: Store):
    hits = search(corpus, "SOLDIER", kinds=["claim"])
    assert {h.claim for h in hits} == {"C1", "C3"} and {h.document for h in hits} == {_id("post")}


def test_search_phrases_alternatives_and_exclusions(corpus: Store):
    def documents(query: str) -> set[str]:
        return {h.document for h in search(corpus, query, kinds=["document"])}

    assert documents('"special forces"') == {_id("courier")}
    assert documents('"forces special"') == set()
    assert documents("volunteers OR Grozny") == {_id("post"), _id("herald")}
    assert documents("Kadyrov -Syria") == {_id("herald")}
    assert documents("Kadyrov Syria") == {_id("courier"), _id("post")}


def test_search_respects_the_limit(corpus: Store):
    assert len(search(corpus, "Kadyrov", limit=2)) == 2
    assert search(corpus, "Kadyrov", limit=0) == []


def test_search_with_custom_markers(corpus: Store):
    hit = search(corpus, "Grozny", kinds=["document"], mark=("<mark>", "</mark>"))[0]
    assert "<mark>Grozny</mark>" in hit.snippet


@pytest.mark.parametrize("query", [
    '"unbalanced quote', 'Kadyrov"', "AND OR NOT", "*", "title:Kadyrov", "NEAR(Kadyrov Syria)",
    "Kadyrov's", "-", '""', "'; DROP TABLE documents; --", "\\", "(((", "^Kadyrov", "Kadyrov*",
    "{text}: war", "\x00", "🙂", "   ",
])
def test_no_query_breaks_search(corpus: Store, query: str):
    before = counts(corpus)
    hits = search(corpus, query)
    assert isinstance(hits, list)
    assert counts(corpus) == before


def test_searching_for_nothing_finds_nothing(corpus: Store):
    assert search(corpus, "") == search(corpus, "-Kadyrov") == search(corpus, '"') == []


@pytest.mark.parametrize("query, expected", [
    ("kremlin", '"kremlin"'),
    ('"special forces" Syria', '"special forces" AND "Syria"'),
    ("Peskov OR Kremlin denies", '("Peskov" OR "Kremlin") AND "denies"'),
    ("Kadyrov -Syria -war", '("Kadyrov") NOT "Syria" NOT "war"'),
    ('"unbalanced', '"unbalanced"'),
    ("title:x NEAR(a b)", '"title x" AND "NEAR a" AND "b"'),
    ("Kadyrov's", '"Kadyrov s"'),
    ("OR Kremlin", '"Kremlin"'),
    ("-only -negatives", None),
    ("* ( ) ^", None),
])
def test_user_queries_become_quoted_fts5_expressions(query: str, expected: str | None):
    assert fts5_query(query) == expected


# claims ----------------------------------------------------------------------------------

def test_claims_by_speaker_match_every_spelling(corpus: Store):
    for name in ("Dmitry Peskov", "dmitri peskov", "Peskov", "PESKOV"):
        found = claims(corpus, speaker=name)
        assert {(c.document, c.claim) for c in found} == {
            (_id("courier"), "C2"), (_id("courier"), "C3"), (_id("post"), "C1")}, name
        assert {c.speaker_entity for c in found} == {"Dmitry Peskov"}


def test_claims_by_unknown_speaker_are_none(corpus: Store):
    assert claims(corpus, speaker="Vladimir Putin") == []


def test_claims_about_someone_mention_them_or_answer_them(corpus: Store):
    about = claims(corpus, about="Ramzan Kadyrov")
    refusal = next(c for c in about if c.claim == "C2" and c.document == _id("courier"))
    assert refusal.stance == "refuses_to_confirm" and refusal.about == "C1"
    assert refusal.speaker_entity == "Dmitry Peskov"
    assert all(c.speaker_entity != "Akhmad Kadyrov" for c in about)


def test_claims_by_stance_outlet_and_date(corpus: Store):
    assert [(c.document, c.claim) for c in claims(corpus, stance="denies")] == [
        (_id("post"), "C1"), (_id("herald"), "C2")]
    assert {c.document for c in claims(corpus, outlet="evening post")} == {_id("post")}
    assert {c.document for c in claims(corpus, since="2015-10-06")} == {_id("post")}
    assert {c.document for c in claims(corpus, until="2015-10-07")} == {
        _id("courier"), _id("post"), _id("herald")}
    assert {c.document for c in claims(corpus, since="2015", until="2015-10-05")} == {
        _id("courier")}
    assert claims(corpus, stance="denies", outlet="Daily Courier") == []


def test_claims_come_newest_first_with_their_chain(corpus: Store):
    found = claims(corpus)
    assert [c.published for c in found] == sorted((c.published for c in found), reverse=True)
    assert found[0].via == ["Evening Post"]
    assert len(claims(corpus, limit=2)) == 2


def test_an_unknown_stance_is_refused_with_the_known_ones(corpus: Store):
    with pytest.raises(StoreError, match="refuses_to_confirm"):
        claims(corpus, stance="agrees")


# entity ----------------------------------------------------------------------------------

def test_entity_report(corpus: Store):
    report = entity(corpus, "Peskov")
    assert report is not None
    assert (report.name, report.type) == ("Dmitry Peskov", "PERSON")
    assert {"Dmitri Peskov", "Peskov"} <= set(report.aliases)
    assert "spokesperson_of Kremlin" in report.roles
    assert {r.object for r in report.relations} == {"Kremlin"}
    assert len(report.claims_made) == 3
    assert report.outlets == [("Daily Courier", 2), ("Evening Post", 1)]


def test_entity_report_of_an_organisation(corpus: Store):
    kremlin = entity(corpus, "kremlin")
    assert kremlin is not None and kremlin.type == "ORG"
    assert {r.subject for r in kremlin.relations} == {"Dmitry Peskov"}
    assert kremlin.claims_made == []


def test_outlets_are_sources_in_chains(corpus: Store):
    assert entity(corpus, "Evening Post").relayed == len(analysis("post").claims)


def test_entity_by_surname_alone(store: Store):
    save_analysis(store, analysis("herald"))
    herald = entity(store, "Kadyrov")  # not one of his names, but his surname
    assert herald is not None and (herald.name, herald.aliases) == ("Akhmad Kadyrov", [])
    assert [c.speaker for c in claims(store, speaker="kadyrov")] == ["Akhmad Kadyrov"]


def test_unknown_entity_is_none(corpus: Store):
    assert entity(corpus, "Nobody") is None
    assert entity(corpus, 10_000) is None


# stats -----------------------------------------------------------------------------------

def test_stats(corpus: Store):
    numbers = stats(corpus)
    assert numbers.documents == 3
    assert numbers.claims == sum(len(analysis(n).claims) for n in ("courier", "post", "herald"))
    assert numbers.outlets == 3 and numbers.languages == {"en": 3}
    assert (numbers.first_published, numbers.last_published) == (
        "2003-05-01", "2015-10-07T09:30:00")
    assert numbers.entities == counts(corpus)["entities"]
    assert numbers.pending == numbers.skipped == 0


def test_stats_of_an_empty_store(store: Store):
    numbers = stats(store)
    assert (numbers.documents, numbers.claims, numbers.first_published) == (0, 0, None)
