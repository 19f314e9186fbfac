"""Ingest: read, analyse and store every item once; bad items skipped with their reasons.

Every test that takes ``store`` runs on a SQLite file and on PostgreSQL. The kill test
runs the real command in a subprocess, kills it half-way and starts it again.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import store_fixtures
from sqlalchemy import func, select
from store_fixtures import counts

import allege.ingest as ingest_module
from allege.ingest import IngestSummary, ingest
from allege.store import Store, connect, pending_items, stats
from allege.store.schema import claims, documents, mentions, skipped

# The fixture, on a SQLite file and on PostgreSQL (skipped without ALLEGE_TEST_POSTGRES).
store = store_fixtures.store

CORPORA = Path(__file__).parents[1].parent / "shared" / "corpora"
NEWS_5 = CORPORA / "warc" / "news-sample-5.warc"
GUARDIAN = CORPORA / "feeds" / "rss-parser-fixtures" / "guardian.rss"

PEOPLE = ("Halvard Brenn", "Lena Ostrova", "Piet Marlow", "Anja Kovac", "Tomas Reyes",
          "Ilse Dorn", "Marta Holm", "Oskar Vell")
TOWNS = ("Varrow", "Dunmere", "Ostby", "Pellin", "Carrick", "Tolvane")
TOPICS = ("the harbour bridge would reopen in May", "the school budget had been cut by a fifth",
          "ferry fares would rise in April", "the new clinic would open next year",
          "the council had sold the old mill", "the flood wall was not finished")

GERMAN = (
    "Der Bürgermeister von Varrow sagte am Dienstag, dass die Brücke im Mai wieder geöffnet "
    "werde. Die Opposition im Stadtrat erklärte, die Reparaturen seien noch nicht fertig, und "
    "der Bauunternehmer sei seit März nicht bezahlt worden. Es ist nicht klar, wer die Kosten "
    "für die neue Brücke tragen wird, sagte ein Sprecher der Stadt.\n"
)


def article(n: int, paragraphs: int = 2) -> str:
    """A distinct made-up article whose paragraphs attribute claims to named people."""
    town = TOWNS[n % len(TOWNS)]
    out = []
    for p in range(paragraphs):
        speaker, other = PEOPLE[(n + p) % len(PEOPLE)], PEOPLE[(n + p + 3) % len(PEOPLE)]
        topic = TOPICS[(n + 2 * p) % len(TOPICS)]
        out.append(
            f"{speaker}, the mayor of {town}, said on Tuesday that {topic}. "
            f"{other} told reporters that district {n * 10 + p} had spent "
            f"{n + p + 2} million crowns on the plan. "
            f'"We will not accept this," {other.split()[-1]} said after the meeting.'
        )
    return "\n\n".join(out) + "\n"


def write_articles(folder: Path, count: int, *, paragraphs: int = 2, start: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(start, start + count):
        path = folder / f"article-{n:03d}.txt"
        path.write_text(article(n, paragraphs), encoding="utf-8")
        paths.append(path)
    return paths


def claims_by_document(store: Store) -> dict[str, int]:
    """Every stored document's hash with its number of claims."""
    query = (select(documents.c.hash, func.count(claims.c.id))
             .select_from(documents.outerjoin(claims, claims.c.document_id == documents.c.id))
             .group_by(documents.c.hash))
    with store.read() as conn:
        return dict(conn.execute(query).all())


def skipped_rows(store: Store) -> list[tuple[str, str]]:
    with store.read() as conn:
        return conn.execute(select(skipped.c.source, skipped.c.reason)
                            .order_by(skipped.c.id)).all()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """An empty folder for the articles, apart from the SQLite file the store keeps."""
    folder = (tmp_path / "corpus").resolve()
    folder.mkdir()
    return folder


def rss(items: list[str]) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            "<title>Varrow Courier</title><link>https://courier.example/</link>"
            f"<description>Local news</description>{''.join(items)}</channel></rss>\n")


def rss_item(title: str, link: str, body: str | None = None) -> str:
    content = f"<description><![CDATA[{body}]]></description>" if body else ""
    return f"<item><title>{title}</title><link>{link}</link>{content}</item>"


# Once and only once ----------------------------------------------------------------------

def test_ingesting_the_same_folder_twice_changes_nothing(store: Store, corpus: Path):
    write_articles(corpus, 4)
    (corpus / "german.txt").write_text(GERMAN, encoding="utf-8")
    (corpus / "feed.rss").write_text(rss([rss_item("Mill sold", "https://courier.example/mill")]))
    first = ingest([str(corpus)], store)
    assert (first.stored, first.non_english, first.waiting, first.known) == (4, 1, 1, 0)
    before = counts(store)

    second = ingest([str(corpus)], store)

    assert (second.stored, second.non_english, second.waiting) == (0, 0, 0)
    assert second.known == 5 and not second.skipped
    assert counts(store) == before


def test_the_same_text_under_two_names_is_stored_once(store: Store, corpus: Path):
    [path] = write_articles(corpus, 1)
    (corpus / "copy.txt").write_bytes(path.read_bytes())
    summary = ingest([str(corpus)], store)
    assert (summary.stored, summary.known) == (1, 1)
    assert stats(store).documents == 1


def test_summary_counts_what_the_store_holds(store: Store, corpus: Path):
    write_articles(corpus, 3)
    summary = ingest([str(corpus)], store)
    result = stats(store)
    assert summary.stored == result.documents == 3
    assert result.claims == sum(claims_by_document(store).values()) > 0
    assert summary.seconds > 0 and summary.documents_per_second > 0


# Bad items -------------------------------------------------------------------------------

def test_bad_items_are_recorded_with_their_reasons_and_the_run_goes_on(
    store: Store, corpus: Path
):
    write_articles(corpus, 2)
    (corpus / "scan.txt").write_bytes(bytes(range(256)) * 8)  # binary, NULs and all
    (corpus / "wire.jsonl").write_text(
        json.dumps({"text": article(50), "outlet": "Wire"}) + "\n"
        + '{"text": "an unterminated line\n'
        + json.dumps({"text": article(51), "outlet": "Wire"}) + "\n",
        encoding="utf-8",
    )

    summary = ingest([str(corpus)], store)

    assert summary.stored == 4  # two files, two good JSON lines
    assert sum(summary.skipped.values()) == 2
    reasons = dict(skipped_rows(store))
    assert set(reasons) == {str(corpus / "scan.txt"), f"{corpus / 'wire.jsonl'}#2"}
    assert "binary" in reasons[str(corpus / "scan.txt")]
    assert "not valid JSON" in reasons[f"{corpus / 'wire.jsonl'}#2"]
    assert stats(store).skipped == 2


@pytest.mark.skipif(not NEWS_5.is_file(), reason="shared WARC corpus not present")
def test_a_truncated_warc_keeps_its_whole_records_and_reports_the_cut(
    store: Store, corpus: Path
):
    cut = corpus / "crawl.warc"
    cut.write_bytes(NEWS_5.read_bytes()[:300_000])  # inside the second response record
    write_articles(corpus, 1)

    summary = ingest([str(corpus)], store)

    assert summary.stored + summary.non_english == 2  # the first page and the article
    assert sum(summary.skipped.values()) == 1
    [(source, reason)] = skipped_rows(store)
    assert source.startswith(f"{cut}#") and "truncated" in reason


def test_a_text_with_nul_characters_is_skipped_not_fatal(store: Store, corpus: Path):
    (corpus / "wire.jsonl").write_text(
        json.dumps({"text": article(1).replace("mayor", "may\x00or")}) + "\n"
        + json.dumps({"text": article(2)}) + "\n",
        encoding="utf-8",
    )
    summary = ingest([str(corpus)], store)
    assert summary.stored == 1 and sum(summary.skipped.values()) == 1


def test_reingesting_a_bad_item_does_not_count_it_twice(store: Store, corpus: Path):
    write_articles(corpus, 1)
    (corpus / "scan.txt").write_bytes(bytes(range(256)) * 8)
    ingest([str(corpus)], store)
    before = counts(store)
    ingest([str(corpus)], store)
    assert counts(store) == before
    assert stats(store).skipped == 1


def test_the_summary_groups_skipped_items_by_reason(corpus: Path, tmp_path: Path):
    for name in ("one.txt", "two.txt", "three.txt"):
        (corpus / name).write_bytes(bytes(range(256)) * 8)
    with connect(str(tmp_path / "allege.sqlite")) as opened:
        summary = ingest([str(corpus / "*.txt")], opened)
    [(reason, count)] = summary.skipped.items()
    assert count == 3 and "binary" in reason


# Languages and feeds ---------------------------------------------------------------------

def test_a_non_english_document_is_stored_marked_and_not_analysed(store: Store, corpus: Path):
    (corpus / "german.txt").write_text(GERMAN, encoding="utf-8")
    write_articles(corpus, 1)

    summary = ingest([str(corpus)], store)

    assert (summary.stored, summary.non_english) == (1, 1)
    with store.read() as conn:
        row = conn.execute(select(documents).where(
            documents.c.source == str(corpus / "german.txt"))).one()
        found = {table.name: conn.scalar(select(func.count()).select_from(table)
                                         .where(table.c.document_id == row.id))
                 for table in (claims, mentions)}
    assert (row.status, row.language) == ("non_english", "de")
    assert found == {"claims": 0, "mentions": 0}
    assert stats(store).statuses == {"analysed": 1, "non_english": 1}


def test_two_copies_of_a_non_english_document_count_once(corpus: Path, tmp_path: Path):
    (corpus / "a.txt").write_text(GERMAN, encoding="utf-8")
    (corpus / "b.txt").write_text(GERMAN, encoding="utf-8")
    with connect(str(tmp_path / "allege.sqlite")) as opened:
        summary = ingest([str(corpus / "*.txt")], opened)
        assert stats(opened).documents == 1
    assert (summary.non_english, summary.known) == (1, 1)


def test_a_feed_item_with_only_a_link_waits_for_its_page(store: Store, corpus: Path):
    feed = corpus / "courier.rss"
    feed.write_text(rss([
        rss_item("Mill sold", "https://courier.example/mill"),
        rss_item("Bridge to reopen", "https://courier.example/bridge", article(7, 3)),
    ]), encoding="utf-8")

    summary = ingest([str(feed)], store)

    assert (summary.stored, summary.waiting) == (1, 1)
    [waiting] = pending_items(store)
    assert waiting.url == "https://courier.example/mill"
    assert waiting.feed == f"{feed}#1"
    assert stats(store).pending == 1


@pytest.mark.skipif(not GUARDIAN.is_file(), reason="shared feed samples not present")
def test_a_feed_of_teasers_is_all_waiting(store: Store):
    summary = ingest([str(GUARDIAN)], store)
    assert summary.stored == 0 and summary.waiting == 55 and not summary.skipped
    urls = [p.url for p in pending_items(store)]
    assert len(urls) == 55 and all(u.startswith("https://www.theguardian.com/") for u in urls)


# Workers ---------------------------------------------------------------------------------

def test_two_workers_store_what_one_does(store: Store, corpus: Path, tmp_path: Path):
    write_articles(corpus, 9)
    with connect(str(tmp_path / "one.sqlite")) as one:
        ingest([str(corpus)], one, workers=1, batch_size=4)
        expected = claims_by_document(one)
        expected_stats = stats(one)

    summary = ingest([str(corpus)], store, workers=2, batch_size=4)

    assert summary.stored == 9
    assert claims_by_document(store) == expected
    got = stats(store)
    assert (got.documents, got.claims, got.entities) == (
        expected_stats.documents, expected_stats.claims, expected_stats.entities)


def test_more_workers_than_cpus_reuse_one_pool(corpus: Path, tmp_path: Path):
    write_articles(corpus, 4, paragraphs=1)
    pools = []
    with connect(str(tmp_path / "allege.sqlite")) as opened:
        ingest([str(corpus)], opened, workers=(os.cpu_count() or 1) + 1,
               batch_size=2, progress=lambda _: pools.append(ingest_module._POOL))
    assert len(pools) == 2 and pools[0] is pools[1]


# Killed and started again ----------------------------------------------------------------

KILL_ARTICLES = 40


def run_ingest(folder: Path, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "allege", "ingest", str(folder), "--db", str(db)],
        capture_output=True, text=True, timeout=120, check=False,
    )


def stored_count(db: Path) -> int:
    """Documents committed to the SQLite file, read as another process would."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.Error:  # not created or not migrated yet
        return 0


def children(pid: int) -> list[int]:
    """The processes ``pid`` started (its analysis workers)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children_file = task / "children"
        if children_file.exists():
            found += [int(c) for c in children_file.read_text().split()]
    return found


def assert_gone(pids: list[int], timeout: float = 10.0) -> None:
    """The killed ingest's workers end too, instead of lingering as orphans."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = [p for p in pids if Path(f"/proc/{p}").exists()
                 and "Z" not in Path(f"/proc/{p}/stat").read_text().split(")")[-1][:3]]
        if not alive:
            return
        time.sleep(0.1)
    pytest.fail(f"worker processes {alive} outlived the killed ingest")


def kill_half_way(folder: Path, db: Path, timeout: float = 45.0) -> int:
    """Start an ingest, SIGKILL it once some but not all documents are stored."""
    process = subprocess.Popen(
        [sys.executable, "-m", "allege", "ingest", str(folder), "--db", str(db)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            n = stored_count(db)
            if 0 < n < KILL_ARTICLES:
                workers = children(process.pid)
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=10)
                assert_gone(workers)
                # a document may have been committed between the count and the kill
                n = stored_count(db)
                assert 0 < n < KILL_ARTICLES, f"{n} documents stored when killed"
                return n
            if process.poll() is not None:
                pytest.fail(f"ingest ended (status {process.returncode}) with {n} documents "
                            "before it could be killed: make the articles longer")
            time.sleep(0.01)
        pytest.fail(f"no document was stored within {timeout} s")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_an_ingest_killed_half_way_finishes_when_started_again(corpus: Path, tmp_path: Path):
    files = write_articles(corpus, KILL_ARTICLES, paragraphs=6)
    db = tmp_path / "killed.sqlite"

    at_kill = kill_half_way(corpus, db)
    resumed = run_ingest(corpus, db)

    assert resumed.returncode == 0, resumed.stderr
    said = " ".join(resumed.stdout.split())
    assert re.search(rf"\b{KILL_ARTICLES - at_kill} stored, {at_kill} already in the store", said)
    clean = tmp_path / "clean.sqlite"
    assert run_ingest(corpus, clean).returncode == 0
    with connect(str(db)) as killed, connect(str(clean)) as fresh:
        with killed.read() as conn:
            sources = Counter(conn.scalars(select(documents.c.source)))
            hashes = Counter(conn.scalars(select(documents.c.hash)))
            mention_total = conn.scalar(select(func.count()).select_from(mentions))
        assert sources == Counter(str(f) for f in files)  # every file exactly once
        assert len(hashes) == KILL_ARTICLES and set(hashes.values()) == {1}
        assert claims_by_document(killed) == claims_by_document(fresh)
        got, expected = stats(killed), stats(fresh)
        assert (got.documents, got.claims, got.entities, got.skipped) == (
            expected.documents, expected.claims, expected.entities, 0)
        assert mention_total == counts(fresh)["mentions"]


def test_summary_is_a_plain_record():
    summary = IngestSummary(stored=3, non_english=1, seconds=2.0)
    summary.skipped["binary file"] += 2
    assert summary.documents_per_second == 2.0
    assert IngestSummary().documents_per_second == 0.0
