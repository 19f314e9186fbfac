"""Corroboration on real multi-source news: FA-KES articles about one day of the Syrian war."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from allege.corroborate.grades import grade
from allege.corroborate.propositions import build_propositions
from allege.ingest import ingest
from allege.read import Columns
from allege.store import connect

FAKES = Path(__file__).parents[1].parent / "shared" / "corpora" / "fa-kes" / "fakes.csv"
DAY = "4/4/17"  # the day the most outlets reported on (FORMAT.md counts)


@pytest.fixture(scope="module")
def propositions(tmp_path_factory: pytest.TempPathFactory):
    if not FAKES.exists():
        pytest.skip(f"{FAKES} is not there")
    folder = tmp_path_factory.mktemp("fakes")
    with FAKES.open(encoding="utf-8", errors="replace", newline="") as source:
        rows = [r for r in csv.DictReader(source) if r["date"] == DAY]
    subset = folder / "day.csv"
    with subset.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    store = connect(str(folder / "store.sqlite"))
    columns = Columns(text="article_content", title="article_title", url=None, outlet="source",
                      published="date", author=None)
    summary = ingest([str(subset)], store, columns=columns)
    assert summary.stored >= 8
    return build_propositions(store)


def test_outlets_reporting_the_same_statement_form_one_proposition(propositions) -> None:
    outlets = [len({m.outlet for m in p.members}) for p in propositions]
    assert max(outlets) >= 2


def test_every_proposition_gets_an_admiralty_code_and_a_reason(propositions) -> None:
    for proposition in propositions:
        result = grade(proposition, {})
        assert re.fullmatch(r"F[1-6]", result.code), result  # nobody is in the registry
        assert result.explanation
