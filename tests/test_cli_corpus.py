"""The corpus commands, run in-process through ``allege.cli.main`` on a small made-up corpus.

Every test runs on a SQLite file and on PostgreSQL (skipped without ALLEGE_TEST_POSTGRES).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from store_fixtures import postgres_url

from allege.cli import main

ARTICLES = {
    "bridge.txt": (
        "Halvard Brenn, the mayor of Varrow, said on Tuesday that the harbour bridge would "
        'reopen in May. "The repairs are almost finished," Brenn told reporters.\n\n'
        "Lena Ostrova, who leads the opposition on the council, denied that the repairs were "
        "finished.\n"
    ),
    "fares.txt": (
        "The Port Authority said that ferry fares would rise by a tenth in April. Marta Holm, "
        "the harbour master, told reporters that the new berth had cost twice as much as "
        "planned.\n"
    ),
    "berth.txt": (
        "The Varrow Harbour Board said the new berth would open late. Holm said that the "
        "contractor had not been paid since March.\n"
    ),
}

# Added after the analyst's corrections, to see that they hold for new documents.
LATER = {
    "board.txt": (
        "The Varrow Harbour Board said on Friday that the ferry timetable would change in "
        "June, and the bridge repairs would continue through the summer.\n"
    ),
    "holm.txt": (
        "Holm said on Friday that the contractor had finally been paid, and work on the "
        "quay would begin next week.\n"
    ),
}


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """What to give ``--db``: a SQLite file path, or the URL of a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield str(tmp_path / "allege.sqlite")
        return
    base = postgres_url()
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    status, out, err = run(capsys, *argv, "--json")
    assert status == 0, err
    return json.loads(out)


@pytest.fixture
def ingested(capsys: pytest.CaptureFixture[str], corpus: Path, db: str) -> str:
    status, out, err = run(capsys, "ingest", str(corpus), "--db", db)
    assert status == 0, err
    return db


def add_later(corpus: Path, name: str) -> None:
    (corpus / name).write_text(LATER[name], encoding="utf-8")


def speakers(rows: list[dict[str, Any]]) -> set[str | None]:
    return {r["speaker_entity"] for r in rows}


# ingest and stats ------------------------------------------------------------------------

def test_ingest_prints_its_summary(capsys: pytest.CaptureFixture[str], corpus: Path, db: str):
    (corpus / "scan.txt").write_bytes(bytes(range(256)) * 8)
    status, out, err = run(capsys, "ingest", str(corpus), "--db", db)
    assert status == 0, err
    said = " ".join(out.split())
    assert "3 stored, 0 already in the store" in said and "1 skipped" in said
    status, out, _ = run(capsys, "ingest", str(corpus), "--db", db)
    assert status == 0 and "0 stored, 3 already in the store" in " ".join(out.split())


def test_ingest_summary_says_why_items_were_skipped(
    capsys: pytest.CaptureFixture[str], corpus: Path, db: str
):
    (corpus / "scan.txt").write_bytes(bytes(range(256)) * 8)
    status, out, err = run(capsys, "ingest", str(corpus), "--db", db)
    assert status == 0, err
    assert "binary" in " ".join(out.split())


def test_stats(capsys: pytest.CaptureFixture[str], ingested: str):
    result = run_json(capsys, "stats", "--db", ingested)
    assert result["documents"] == 3 and result["languages"] == {"en": 3}
    assert result["claims"] >= 5 and result["entities"] >= 4
    status, out, _ = run(capsys, "stats", "--db", ingested)
    assert status == 0 and "documents" in out and "3" in out


# search ----------------------------------------------------------------------------------

def test_search_as_text_and_json(capsys: pytest.CaptureFixture[str], ingested: str):
    status, out, err = run(capsys, "search", "contractor", "--db", ingested)
    assert status == 0, err
    assert "contractor" in out
    hits = run_json(capsys, "search", "contractor", "--db", ingested)
    assert {h["kind"] for h in hits} == {"document", "claim"}
    assert all("[contractor]" in h["snippet"] for h in hits)
    claim = next(h for h in hits if h["kind"] == "claim")
    assert claim["speaker"] == "Marta Holm" and claim["stance"] == "asserts"


def test_search_without_matches(capsys: pytest.CaptureFixture[str], ingested: str):
    assert run_json(capsys, "search", "zeppelin", "--db", ingested) == []
    status, out, _ = run(capsys, "search", "zeppelin", "--db", ingested)
    assert status == 0 and "No matches" in out


@pytest.mark.parametrize(
    "query", ['"harbour bridge', 'repairs "', '"', 'berth -"', 'OR "berth', '"""'])
def test_search_with_unbalanced_quotes_does_not_crash(
    capsys: pytest.CaptureFixture[str], ingested: str, query: str
):
    hits = run_json(capsys, "search", query, "--db", ingested)
    assert isinstance(hits, list)
    status, _, err = run(capsys, "search", query, "--db", ingested)
    assert status == 0, err


# claims and entity -----------------------------------------------------------------------

def test_claims_by_speaker(capsys: pytest.CaptureFixture[str], ingested: str):
    rows = run_json(capsys, "claims", "--speaker", "Halvard Brenn", "--db", ingested)
    assert len(rows) == 2 and speakers(rows) == {"Halvard Brenn"}
    assert any("harbour bridge would reopen in May" in r["content"] for r in rows)
    denials = run_json(capsys, "claims", "--stance", "denies", "--db", ingested)
    assert [r["speaker_entity"] for r in denials] == ["Lena Ostrova"]


def test_claims_by_surname_finds_the_person(capsys: pytest.CaptureFixture[str], ingested: str):
    rows = run_json(capsys, "claims", "--speaker", "Holm", "--db", ingested)
    assert speakers(rows) == {"Marta Holm"} and len(rows) == 2


def test_claims_with_an_unknown_stance_is_an_error(
    capsys: pytest.CaptureFixture[str], ingested: str
):
    status, _, err = run(capsys, "claims", "--stance", "shouts", "--db", ingested)
    assert status != 0 and "Unknown stance" in err


def test_entity(capsys: pytest.CaptureFixture[str], ingested: str):
    report = run_json(capsys, "entity", "Marta Holm", "--db", ingested)
    assert (report["name"], report["type"]) == ("Marta Holm", "PERSON")
    assert "Holm" in report["aliases"]
    assert report["documents"] == 2 and len(report["claims_made"]) == 2
    status, out, _ = run(capsys, "entity", "Marta Holm", "--db", ingested)
    assert status == 0 and "Marta Holm" in out


def test_an_unknown_entity_is_a_clear_error(capsys: pytest.CaptureFixture[str], ingested: str):
    status, out, err = run(capsys, "entity", "Zebulon Quark", "--json", "--db", ingested)
    assert status != 0 and out == ""
    assert "No entity named 'Zebulon Quark'" in " ".join(err.split())


# merge and split, kept when re-ingesting -------------------------------------------------

def test_merge_is_kept_when_re_ingesting(
    capsys: pytest.CaptureFixture[str], corpus: Path, ingested: str
):
    status, out, err = run(capsys, "entities", "merge", "Port Authority",
                           "Varrow Harbour Board", "--db", ingested)
    assert status == 0, err
    assert "Merged 'Varrow Harbour Board' into 'Port Authority'" in " ".join(out.split())
    report = run_json(capsys, "entity", "Varrow Harbour Board", "--db", ingested)
    assert report["name"] == "Port Authority" and "Varrow Harbour Board" in report["aliases"]

    add_later(corpus, "board.txt")
    status, _, err = run(capsys, "ingest", str(corpus), "--db", ingested)
    assert status == 0, err

    report = run_json(capsys, "entity", "Port Authority", "--db", ingested)
    assert report["documents"] == 3
    assert speakers(report["claims_made"]) == {"Port Authority"}
    assert len(report["claims_made"]) == 3


def test_split_is_kept_when_re_ingesting(
    capsys: pytest.CaptureFixture[str], corpus: Path, ingested: str
):
    status, out, err = run(capsys, "entities", "split", "Marta Holm", "Holm", "--db", ingested)
    assert status == 0, err
    assert "Split 'Holm' off 'Marta Holm'" in " ".join(out.split())
    marta = run_json(capsys, "entity", "Marta Holm", "--db", ingested)
    assert "Holm" not in marta["aliases"] and len(marta["claims_made"]) == 1

    add_later(corpus, "holm.txt")
    status, _, err = run(capsys, "ingest", str(corpus), "--db", ingested)
    assert status == 0, err

    assert len(run_json(capsys, "entity", "Marta Holm", "--db", ingested)["claims_made"]) == 1
    rows = run_json(capsys, "claims", "--speaker", "Marta Holm", "--db", ingested)
    assert len(rows) == 1 and "new berth" in rows[0]["content"]
    holm = [r for r in run_json(capsys, "claims", "--db", ingested)
            if r["speaker"] == "Holm"]
    assert len(holm) == 2 and speakers(holm) == {"Holm"}


def test_merging_or_splitting_unknown_entities_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], ingested: str
):
    status, _, err = run(capsys, "entities", "merge", "Port Authority", "Zebulon Quark",
                         "--db", ingested)
    assert status != 0 and "No entity is called 'Zebulon Quark'" in " ".join(err.split())
    status, _, err = run(capsys, "entities", "split", "Marta Holm", "Zebulon", "--db", ingested)
    assert status != 0 and "never called 'Zebulon'" in " ".join(err.split())
