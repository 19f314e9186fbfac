"""The ``allege`` command, run in-process through ``allege.cli.main``."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language

from allege.cli import main
from allege.model import KINDS, SCHEMA, STANCES

ARTICLE = (
    "Kelmor's mayor Halvard Brenn said on Tuesday that the harbour bridge would reopen in May. "
    "“The repairs are almost finished,” Brenn told reporters.\n\n"
    "Lena Ostrova, who leads the opposition on the council, denied that the repairs were "
    "finished. According to Ostrova, the contractor has not been paid since March.\n"
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def check_contract(data: dict[str, Any]) -> None:
    """The keys and types of the ``allege.analysis/1`` JSON contract (DESIGN.md)."""
    assert data["schema"] == SCHEMA
    document = data["document"]
    assert {"id", "title", "url", "outlet", "published", "language", "text"} <= document.keys()
    text = document["text"]
    ids = {e["id"] for e in data["entities"]}
    for entity in data["entities"]:
        assert {"id", "name", "type", "aliases", "mentions"} <= entity.keys()
        for mention in entity["mentions"]:
            assert text[mention["start"]:mention["end"]] == mention["text"]
    claim_ids = {c["id"] for c in data["claims"]}
    for claim in data["claims"]:
        assert {"id", "speaker", "cue", "content", "kind", "stance", "about", "via",
                "sentence", "confidence"} <= claim.keys()
        assert claim["kind"] in KINDS and claim["stance"] in STANCES
        assert claim["about"] is None or claim["about"] in claim_ids
        assert set(claim["via"]) <= ids
        assert 0 <= claim["confidence"] <= 1
        speaker = claim["speaker"]
        if speaker is not None:
            assert speaker["entity"] is None or speaker["entity"] in ids
            assert text[speaker["start"]:speaker["end"]] == speaker["text"]
        cue, content = claim["cue"], claim["content"]
        assert "lemma" in cue and text[cue["start"]:cue["end"]] == cue["text"]
        assert text[content["start"]:content["end"]] == content["text"]
        for segment in content["segments"]:
            assert content["start"] <= segment["start"] <= segment["end"] <= content["end"]
    for relation in data["relations"]:
        assert relation["subject"] in ids and relation["object"] in ids
        evidence = relation["evidence"]
        assert text[evidence["start"]:evidence["end"]] == evidence["text"]
    for dispute in data["disputes"]:
        assert set(dispute["claims"]) <= claim_ids and dispute["kind"] and dispute["explanation"]


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "bridge.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


@pytest.mark.parametrize("options", [(), ("--encoder",), ("--encoder", "none")],
                         ids=["fast", "full", "none"])
def test_analyze_json_follows_the_contract(
    nlp: Language, capsys: pytest.CaptureFixture[str], article: Path, options: tuple[str, ...]
) -> None:
    status, out, err = run(capsys, "analyze", str(article), "--format", "json", *options)
    assert (status, err) == (0, "")
    data = json.loads(out)
    check_contract(data)
    assert data["document"]["text"] == ARTICLE.rstrip()
    names = {e["id"]: e["name"] for e in data["entities"]}
    speakers = {names.get(c["speaker"]["entity"]) for c in data["claims"] if c["speaker"]}
    assert {"Halvard Brenn", "Lena Ostrova"} <= speakers


def test_analyze_text_report_names_the_speakers(
    nlp: Language, capsys: pytest.CaptureFixture[str], article: Path
) -> None:
    status, out, _ = run(capsys, "analyze", str(article))
    assert status == 0
    assert "Halvard Brenn" in out and "Lena Ostrova" in out


def test_analyze_reads_stdin(
    nlp: Language, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(ARTICLE.encode("utf-8")), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    status, out, _ = run(capsys, "analyze", "-", "--format", "json")
    assert status == 0
    data = json.loads(out)
    check_contract(data)
    assert data["document"]["text"] == ARTICLE.rstrip()
    assert data["claims"]


@pytest.fixture(scope="module")
def demo(nlp: Language) -> dict[str, Any]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["demo", "--format", "json"]) == 0
    return json.loads(out.getvalue())


def test_demo_follows_the_contract(demo: dict[str, Any]) -> None:
    check_contract(demo)
    assert len(demo["claims"]) >= 10


@pytest.mark.parametrize("kind", KINDS)
def test_demo_shows_every_kind(demo: dict[str, Any], kind: str) -> None:
    assert kind in {c["kind"] for c in demo["claims"]}


@pytest.mark.parametrize("stance", [
    s for s in STANCES
])
def test_demo_shows_every_stance(demo: dict[str, Any], stance: str) -> None:
    assert stance in {c["stance"] for c in demo["claims"]}


def test_demo_text_report(nlp: Language, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "demo")
    assert status == 0 and "Who claims what" in out


# --- bad input ----------------------------------------------------------------------------

BAD = [
    ("missing.txt", None, "No such file"),
    ("empty.txt", b"", "is empty"),
    ("blank.txt", b" \n\n\t\n", "only white space"),
    ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "PNG image"),
    ("data.bin", bytes(range(256)) * 8, "binary"),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_a_clear_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, data: bytes | None,
    message: str,
) -> None:
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    status, out, err = run(capsys, "analyze", str(path))
    assert status != 0
    assert out == ""
    # rich wraps the message to the terminal's width: compare without the line breaks
    assert message in " ".join(err.split()) and name in err.replace("\n", "")
    assert "Traceback" not in err


def test_cp1252_file_is_decoded(
    nlp: Language, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = ("“The bridge will reopen in May,” said Halvard Brenn, the mayor of Kelmor. "
            "He added that the café owners’ association had been told about the delay.\n")
    path = tmp_path / "windows.txt"
    path.write_bytes(text.encode("cp1252"))
    status, out, err = run(capsys, "analyze", str(path), "--format", "json")
    assert status == 0, err
    data = json.loads(out)
    assert data["document"]["text"] == text.rstrip()
    assert "“" in data["document"]["text"] and "”" in data["document"]["text"]
    assert any(c["speaker"] and "Brenn" in c["speaker"]["text"] for c in data["claims"])


def test_unbalanced_quotation_marks(
    nlp: Language, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "unbalanced.txt"
    path.write_text("Halvard Brenn said: “The bridge will reopen in May. The tolls will stay "
                    "the same.\n\nLena Ostrova said the tolls would rise in June.\n",
                    encoding="utf-8")
    status, out, err = run(capsys, "analyze", str(path), "--format", "json")
    assert status == 0, err
    data = json.loads(out)
    check_contract(data)
    names = {e["id"]: e["name"] for e in data["entities"]}
    speakers = {names.get(c["speaker"]["entity"]) for c in data["claims"] if c["speaker"]}
    assert {"Halvard Brenn", "Lena Ostrova"} <= speakers


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["analyse-everything"])
    assert exit_.value.code == 2
    assert "usage: allege" in capsys.readouterr().err


def test_python_m_allege_help() -> None:
    result = subprocess.run([sys.executable, "-m", "allege", "--help"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert "usage: allege" in result.stdout
    assert "analyze" in result.stdout and "demo" in result.stdout
