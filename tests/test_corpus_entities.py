"""People named only by their role resolve to the person across documents."""

from __future__ import annotations

import store_fixtures

import allege
from allege.store import Store, entity, save_analysis

store = store_fixtures.store

NAMED = ("Marsk's spokesperson, Petra Lindqvist, said the border talks would go on. "
         "Lindqvist added that nothing had been agreed.")
ROLE_ONLY = "Marsk's spokesperson said on Monday that the capital had no plans to meet the envoy."
OTHER_SPELLING = "Petra Lindqvyst told reporters that the meeting was cancelled."


def test_a_role_without_a_name_is_an_entity_described_by_it() -> None:
    analysis = allege.analyze(ROLE_ONLY)
    speaker = analysis.entity(analysis.claims[0].speaker.entity)
    assert speaker.name == "Marsk's spokesperson" and speaker.role["predicate"] == "spokesperson_of"
    assert speaker.role["of_name"] == "Marsk"


def test_a_role_named_in_the_same_article_is_that_person() -> None:
    analysis = allege.analyze(NAMED + " " + ROLE_ONLY)
    names = {analysis.entity(c.speaker.entity).name for c in analysis.claims if c.speaker}
    assert names == {"Petra Lindqvist"}


def test_role_surname_and_spelling_resolve_to_one_person_in_the_corpus(store: Store) -> None:
    for text in (NAMED, ROLE_ONLY):
        save_analysis(store, allege.analyze(text))
    report = entity(store, "Lindqvist")
    assert report is not None and report.name == "Petra Lindqvist"
    assert {"Lindqvist", "Marsk's spokesperson"} <= set(report.aliases)
    assert len(report.claims_made) == 3
