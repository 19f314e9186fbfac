"""The store: opening, migrating, saving once and whole, and corpus entities with decisions.

Every test that takes ``store`` runs on a SQLite file and on PostgreSQL.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import store_fixtures
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text
from store_fixtures import ARTICLES, analysis, counts

from allege.model import Analysis, Document, Entity
from allege.store import (
    Store,
    StoreError,
    claims,
    connect,
    default_url,
    entity,
    is_stored,
    merge_entities,
    pending_items,
    record_pending,
    record_skip,
    save_analysis,
    search,
    split_entity,
    stats,
    store_url,
    stored,
)
from allege.store.entities import canonical_entity, create_entity, name_key
from allege.store.schema import claims as claims_table
from allege.store.schema import documents, entities, metadata

# The fixture, on a SQLite file and on PostgreSQL (skipped without ALLEGE_TEST_POSTGRES).
store = store_fixtures.store


# Opening a store -------------------------------------------------------------------------

def test_default_path_follows_xdg_data_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.delenv("ALLEGE_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_url() == f"sqlite:///{tmp_path / 'data' / 'allege' / 'allege.sqlite'}"
    assert store_url() == default_url()


def test_default_path_without_xdg_is_under_local_share(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert default_url().endswith("/.local/share/allege/allege.sqlite")


def test_url_argument_wins_over_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ALLEGE_DB", "sqlite:///from-env.sqlite")
    assert store_url() == "sqlite:///from-env.sqlite"
    assert store_url("sqlite:///given.sqlite") == "sqlite:///given.sqlite"


def test_sqlite_file_is_created_with_its_folders_in_wal_mode(tmp_path: Path):
    path = tmp_path / "deep" / "er" / "corpus.sqlite"
    with connect(str(path)) as opened, opened.read() as conn:  # a bare path: a SQLite file
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert path.exists()


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url at all://", "oracle://x"])
def test_unsupported_urls_are_refused_with_advice(url: str):
    with pytest.raises(StoreError):
        connect(url)


def test_unreachable_postgresql_says_what_to_check():
    with pytest.raises(StoreError, match="ALLEGE_DB"):
        connect("postgresql+psycopg://nobody:x@127.0.0.1:1/nothing?connect_timeout=2")


def test_migrations_create_exactly_the_schema(store: Store):
    def not_full_text(name: str | None, _type: str, _parent: object) -> bool:
        return "fts" not in (name or "")

    with store.read() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": not_full_text})
        assert compare_metadata(context, metadata) == []
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0003"


def test_opening_again_keeps_the_data(store: Store):
    save_analysis(store, analysis("herald"))
    with connect(store.engine.url.render_as_string(hide_password=False)) as again:
        assert counts(again) == counts(store)


# Saving ----------------------------------------------------------------------------------

def test_saving_the_same_document_twice_changes_nothing(store: Store):
    assert save_analysis(store, analysis("courier")) is True
    before = counts(store)
    assert save_analysis(store, analysis("courier")) is False
    assert counts(store) == before
    assert before["documents"] == 1 and before["claims"] == len(analysis("courier").claims)


def test_a_document_is_stored_whole_or_not_at_all(store: Store):
    class ResolverFailure(Exception):
        pass

    seen = []

    def failing(conn, entity: Entity, document: Document) -> int:
        seen.append(entity.id)
        if len(seen) == 3:
            raise ResolverFailure
        return canonical_entity(conn, entity)

    with pytest.raises(ResolverFailure):
        save_analysis(store, analysis("courier"), resolve=failing)
    assert set(counts(store).values()) == {0}
    assert save_analysis(store, analysis("courier")) is True


def test_stored_spans_are_the_text_at_their_offsets(store: Store):
    save_analysis(store, analysis("courier"))
    with store.read() as conn:
        body = conn.scalar(select(documents.c.text))
        for row in conn.execute(select(claims_table)):
            assert body[row.content_start:row.content_end] == row.content_text
            assert body[row.cue_start:row.cue_end] == row.cue_text
            if row.speaker_text is not None:
                assert body[row.speaker_start:row.speaker_end] == row.speaker_text
            assert [list(s) for s in row.content_segments] == row.content_segments


def test_full_text_index_follows_replacements_and_entity_decisions(store: Store):
    for name in ("courier", "post"):
        save_analysis(store, analysis(name))
    before = [(h.kind, h.document, h.claim) for h in search(store, "Kadyrov")]
    save_analysis(store, analysis("post"), replace=True)
    merge_entities(store, "Kremlin", "Moscow")
    split_entity(store, "Ramzan Kadyrov", "Kadyrov")
    after = [(h.kind, h.document, h.claim) for h in search(store, "Kadyrov")]
    assert sorted(after) == sorted(before) and len(set(after)) == len(after)
    if store.dialect == "sqlite":
        with store.write() as conn:
            for fts in ("documents_fts", "claims_fts"):
                conn.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('integrity-check')")


def test_concurrent_writers_each_store_their_document_once(store: Store):
    analyses = [analysis(n) for n in ("courier", "post", "herald", "gazette")] * 3
    with ThreadPoolExecutor(max_workers=4) as pool:
        saved = list(pool.map(lambda a: save_analysis(store, a), analyses))
    assert saved.count(True) == 4
    assert counts(store)["documents"] == 4
    with store.read() as conn:  # writers are serialised, so no entity was created twice
        named = select(func.count()).where(entities.c.key.in_(["dmitry peskov", "kremlin"]))
        assert conn.scalar(named) == 2


def test_document_particulars_are_kept(store: Store):
    save_analysis(store, analysis("post"), source="feeds/post.xml")
    document = analysis("post").document
    assert is_stored(store, document) and is_stored(store, document.hash)
    assert stored(store, [document.hash, "0" * 64]) == {document.hash}
    with store.read() as conn:
        row = conn.execute(select(documents)).one()
    assert (row.hash, row.title, row.url, row.outlet, row.published, row.language) == (
        document.hash, document.title, document.url, "Evening Post", "2015-10-07T09:30:00", "en")
    assert (row.status, row.source) == ("analysed", "feeds/post.xml")


def test_replace_stores_a_document_again_without_duplicates(store: Store):
    save_analysis(store, analysis("courier"))
    before = counts(store)
    assert save_analysis(store, analysis("courier"), replace=True) is True
    assert counts(store) == before
    assert entity(store, "Dmitry Peskov").mentions == 2


def test_non_english_documents_are_stored_and_marked(store: Store):
    german = Document("Der Kreml bestreitet, dass russische Soldaten in Syrien kämpfen.",
                      language="de", outlet="Die Zeitung")
    assert save_analysis(store, Analysis(german), status="non_english")
    assert stats(store).statuses == {"non_english": 1}
    with pytest.raises(StoreError, match="status"):
        save_analysis(store, Analysis(Document("x")), status="unheard_of")


def test_text_with_nul_characters_is_refused_with_advice(store: Store):
    with pytest.raises(StoreError, match="NUL"):
        save_analysis(store, Analysis(Document("bad\x00text")))
    assert counts(store)["documents"] == 0


def test_feed_items_wait_for_their_page_until_it_is_stored(store: Store):
    url = ARTICLES["herald"].url
    assert record_pending(store, url, title="War over", feed="https://herald.example/rss")
    assert not record_pending(store, url)
    assert [p.url for p in pending_items(store)] == [url]
    save_analysis(store, analysis("herald"))
    assert pending_items(store) == []
    assert not record_pending(store, url)  # already stored


def test_skipped_items_are_recorded_with_their_reason(store: Store):
    record_skip(store, "corpus/broken.warc.gz", "truncated WARC record")
    assert stats(store).skipped == 1


# Corpus entities -------------------------------------------------------------------------

@pytest.mark.parametrize("name, key", [
    ("the Kremlin's", "kremlin"), ("Erdoğan", "erdogan"), ("Dmitri  Peskov", "dmitri peskov"),
    ("U.S.", "u s"), ("Kadyrov’s", "kadyrov"), ("—", "—"),
])
def test_names_are_normalised_for_matching(name: str, key: str):
    assert name_key(name) == key


def test_one_person_under_several_spellings_is_one_entity(store: Store):
    for name in ("courier", "post"):
        save_analysis(store, analysis(name))
    peskov = entity(store, "Dmitri Peskov")
    assert peskov is not None and peskov.name == "Dmitry Peskov"
    assert set(peskov.aliases) >= {"Dmitri Peskov", "Peskov"}
    assert peskov.documents == 2 and peskov.mentions == 3
    assert entity(store, "peskov").id == entity(store, "DMITRY PESKOV").id == peskov.id


def test_people_who_share_a_surname_stay_apart(store: Store):
    for name in ("courier", "herald"):
        save_analysis(store, analysis(name))
    ramzan, akhmad = entity(store, "Ramzan Kadyrov"), entity(store, "Akhmad Kadyrov")
    assert ramzan is not None and akhmad is not None and ramzan.id != akhmad.id
    assert [c.content for c in akhmad.claims_made] == ["the war was over"]


def test_a_merge_is_applied_and_survives_reingesting(store: Store):
    save_analysis(store, analysis("post"))
    kremlin, moscow = entity(store, "Kremlin"), entity(store, "Moscow")
    assert kremlin.id != moscow.id  # an ORG and a GPE: the default resolver keeps them apart
    assert merge_entities(store, "Kremlin", "Moscow") == kremlin.id
    assert entity(store, "Moscow").id == kremlin.id
    assert "Moscow" in entity(store, "Kremlin").aliases
    said = [c.content for c in claims(store, speaker="Kremlin")]
    assert "the volunteers were not soldiers" in said
    save_analysis(store, analysis("post"), replace=True)
    save_analysis(store, analysis("gazette"))  # "Moscow said …" in a new document
    said = [c.content for c in claims(store, speaker="Kremlin")]
    assert "the volunteers were not soldiers" in said
    assert any("Palmyra" in content for content in said)
    with store.read() as conn:
        assert conn.execute(text("SELECT kind, entity_name, other_name FROM entity_decisions")
                            ).all() == [("merge", "Kremlin", "Moscow")]


def test_a_split_is_applied_and_survives_reingesting(store: Store):
    for name in ("courier", "post"):
        save_analysis(store, analysis(name))
    ramzan = entity(store, "Ramzan Kadyrov")
    assert "Kadyrov" in ramzan.aliases
    assert len(ramzan.claims_made) == 2  # his own, and the bare "Kadyrov" of the Post
    father = split_entity(store, "Ramzan Kadyrov", "Kadyrov")
    assert father != ramzan.id
    assert [c.document for c in entity(store, "Ramzan Kadyrov").claims_made] == [
        analysis("courier").document.id]
    assert entity(store, "Kadyrov").id == father
    assert "Kadyrov" not in entity(store, "Ramzan Kadyrov").aliases
    for name in ("courier", "post"):
        save_analysis(store, analysis(name), replace=True)
    save_analysis(store, analysis("gazette"))
    assert "Kadyrov" not in entity(store, "Ramzan Kadyrov").aliases
    made = {c.document for c in claims(store, speaker="Ramzan Kadyrov")}
    assert made == {analysis("courier").document.id}
    assert {c.document for c in entity(store, father).claims_made} == {
        analysis("post").document.id, analysis("gazette").document.id}


def test_merge_and_split_refuse_what_they_cannot_do(store: Store):
    for name in ("courier", "herald"):
        save_analysis(store, analysis(name))
    with pytest.raises(StoreError, match="No entity"):
        merge_entities(store, "Kremlin", "Nobody At All")
    with pytest.raises(StoreError, match="never called"):
        split_entity(store, "Ramzan Kadyrov", "Akhmad")
    with pytest.raises(StoreError, match="is the name"):
        split_entity(store, "Ramzan Kadyrov", "ramzan kadyrov")
    with store.write() as conn:
        create_entity(conn, "Kremlin", "GPE")
    with pytest.raises(StoreError, match="2 entities"):
        merge_entities(store, "Syria", "Kremlin")
    ramzan = entity(store, "Ramzan Kadyrov").id
    assert merge_entities(store, ramzan, "Ramzan Kadyrov") == ramzan

