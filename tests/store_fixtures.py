"""Stores and analysed articles for the store tests, on SQLite and on PostgreSQL.

Import the fixtures into a test module (``from store_fixtures import store``). The
PostgreSQL variant needs ``ALLEGE_TEST_POSTGRES`` (``.ci/postgres.sh`` prints it); each test
gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url

from allege import analyze
from allege.model import Analysis
from allege.store import Store, connect
from allege.store.schema import metadata

POSTGRES_ENV = "ALLEGE_TEST_POSTGRES"


@dataclass(frozen=True)
class Article:
    text: str
    outlet: str
    published: str
    title: str
    url: str


ARTICLES = {
    "courier": Article(
        "Chechen leader Ramzan Kadyrov said his special forces were operating in Syria. "
        "Kremlin spokesman Dmitry Peskov refused to confirm Kadyrov's claims. "
        '"There are no Russian troops on the ground," Peskov told reporters.',
        "Daily Courier", "2015-10-05", "Kadyrov says his fighters are in Syria",
        "https://courier.example/kadyrov-syria",
    ),
    "post": Article(
        "Dmitri Peskov, the Kremlin spokesman, denied that Russian soldiers were fighting in "
        "Syria. Kadyrov told Reuters that volunteers had gone to the region. "
        "Moscow said the volunteers were not soldiers.",
        "Evening Post", "2015-10-07T09:30:00", "Kremlin denies soldiers are fighting",
        "https://post.example/kremlin-denies",
    ),
    "herald": Article(
        "Akhmad Kadyrov said the war was over. Officials in Grozny disputed his account.",
        "Morning Herald", "2003-05-01", "Chechen leader declares the war over",
        "https://herald.example/war-over",
    ),
    "gazette": Article(
        "Moscow said its air strikes had hit Islamic State positions near Palmyra. "
        "Kadyrov told Reuters that volunteers had gone to the region.",
        "Gazette", "2015-10-09", "Air strikes near Palmyra",
        "https://gazette.example/palmyra",
    ),
}


@cache
def analysis(name: str) -> Analysis:
    """The real analysis of one of :data:`ARTICLES`, made once per test session."""
    a = ARTICLES[name]
    return analyze(a.text, title=a.title, url=a.url, outlet=a.outlet, published=a.published)


def counts(store: Store) -> dict[str, int]:
    """Rows in every table of the schema."""
    with store.read() as conn:
        return {
            name: conn.scalar(select(func.count()).select_from(table)) or 0
            for name, table in metadata.tables.items()
        }


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty, migrated store: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        with connect(f"sqlite:///{tmp_path / 'allege.sqlite'}") as opened:
            yield opened
        return
    yield from _postgresql_store()


def postgres_url() -> str:
    """The test server's URL, or a skip when none is configured."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"PostgreSQL not configured: set {POSTGRES_ENV} "
                    "(eval \"$(.ci/postgres.sh | tail -n 1)\"; export ALLEGE_TEST_POSTGRES)")
    return url


def _postgresql_store() -> Iterator[Store]:
    base = postgres_url()
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        with connect(url.render_as_string(hide_password=False)) as opened:
            yield opened
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()
