"""The corroboration commands, run in-process over a real SQLite store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from allege.cli import main

CLAIM = ("Governor Darius Vantor said on Tuesday that his fighters were camped on the ridge "
         "above Miren and would stay there through the winter.")
DENIAL = ("Defence Minister Oskar Brandt denied that fighters were camped on the ridge above "
          "Miren, calling the governor's account a fantasy.")


@pytest.fixture
def db(tmp_path: Path) -> str:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "one.txt").write_text(CLAIM, encoding="utf-8")
    (folder / "two.txt").write_text(DENIAL, encoding="utf-8")
    path = str(tmp_path / "store.sqlite")
    assert main(["ingest", str(folder), "--db", path]) == 0
    return path


def test_sources_set_then_list_round_trips(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    registry = str(tmp_path / "sources.toml")
    assert main(["sources", "set", "Vestnik Gor", "B", "--registry", registry]) == 0
    capsys.readouterr()
    assert main(["sources", "list", "--registry", registry]) == 0
    assert "B  Vestnik Gor" in capsys.readouterr().out


def test_disputes_show_both_sides_and_the_proposition_its_provenance(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["disputes", "--db", db, "--json"]) == 0
    contests = json.loads(capsys.readouterr().out)
    assert contests, "the denial should contest the governor's claim"
    contest = contests[0]
    assert contest["grade"][0] == "F"  # no source is in the registry
    speakers = {m["speaker"] for g in contest["support"] + contest["against"] for m in g}
    assert {"Darius Vantor", "Oskar Brandt"} <= speakers
    assert main(["proposition", str(contest["proposition"]), "--db", db]) == 0
    assert "Darius Vantor" in capsys.readouterr().out


def test_an_unknown_proposition_is_a_clear_error(db: str, capsys: pytest.CaptureFixture[str]):
    assert main(["proposition", "999", "--db", db]) != 0
    assert "No proposition 999" in capsys.readouterr().err
