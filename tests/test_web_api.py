"""The HTTP API through FastAPI's TestClient, over a real SQLite file and a real PostgreSQL.

Every test that takes ``client`` runs on both stores (PostgreSQL is skipped without
ALLEGE_TEST_POSTGRES). The client connects from 127.0.0.1, as a local analyst does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import store_fixtures
from fastapi.testclient import TestClient
from store_fixtures import ARTICLES, analysis

from allege import analyze
from allege.store import Store, connect, save_analysis
from allege.web import create_app, reader
from allege.web.access import is_loopback
from allege.web.app import CSP
from allege.web.formatting import MARK, marked, web_url

store = store_fixtures.store

TOKEN = "test-token-4f1c"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
LOCAL = ("127.0.0.1", 50000)
PESKOV_TEXT = ("Kremlin spokesman Dmitry Peskov refused to confirm the report. "
               '"We have nothing to add," Peskov told reporters on Monday.')


def client_for(store: Store, **options: object) -> TestClient:
    return TestClient(create_app(store=store, **options), client=LOCAL)


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    """A client of an app over ``store`` holding the four test articles, token set."""
    for name in ARTICLES:
        save_analysis(store, analysis(name))
    with client_for(store, token=TOKEN) as opened:
        yield opened


def doc_id(name: str) -> str:
    return analysis(name).document.id


# The OpenAPI document and errors ---------------------------------------------------------

def test_openapi_documents_every_route_with_its_model(client: TestClient):
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/documents", "/api/documents/{document_id}", "/api/claims",
                 "/api/entities", "/api/entities/{entity_id}", "/api/relations",
                 "/api/disputes", "/api/search", "/api/stats", "/api/analyze", "/api/ingest"):
        assert path in paths, path
    ok = paths["/api/claims"]["get"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"]["$ref"].endswith("/ClaimPage")
    body = paths["/api/ingest"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(body)
    assert "ErrorOut" in schema["components"]["schemas"]


def test_errors_are_json_with_a_message_and_security_headers(client: TestClient):
    response = client.get("/api/documents/0123456789abcdef")
    assert response.status_code == 404
    assert response.json() == {"error": response.json()["error"], "status": 404}
    assert "/api/documents" in response.json()["error"]
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    invalid = client.get("/api/claims", params={"limit": 0})
    assert invalid.status_code == 422 and "limit" in invalid.json()["error"]
    assert client.get("/api/documents/not-hex").status_code == 422


# Reading ---------------------------------------------------------------------------------

def test_documents_are_paginated_newest_first(client: TestClient):
    first = client.get("/api/documents", params={"limit": 2}).json()
    assert first["total"] == 4 and len(first["items"]) == 2
    assert [d["id"] for d in first["items"]] == [doc_id("gazette"), doc_id("post")]
    rest = client.get("/api/documents", params={"limit": 2, "offset": 2}).json()
    assert [d["id"] for d in rest["items"]] == [doc_id("courier"), doc_id("herald")]
    assert rest["items"][0]["claims"] == len(analysis("courier").claims)


def test_a_document_comes_back_as_the_analysis_contract(client: TestClient):
    expected = analysis("courier").to_dict()
    got = client.get(f"/api/documents/{doc_id('courier')}").json()
    assert got["schema"] == "allege.analysis/1"
    assert {k: got["document"][k] for k in expected["document"]} == expected["document"]
    assert [e["name"] for e in got["entities"]] == [e["name"] for e in expected["entities"]]
    assert len(got["claims"]) == len(expected["claims"])
    for stored, made in zip(got["claims"], expected["claims"], strict=True):
        for key in ("id", "speaker", "cue", "content", "kind", "stance", "about", "via",
                    "sentence"):
            assert stored[key] == made[key], (made["id"], key)
    assert [{k: d[k] for k in ("claims", "kind", "explanation")} for d in got["disputes"]] \
        == expected["disputes"]
    assert all(isinstance(d["id"], int) for d in got["disputes"])


def test_claims_filter_by_speaker_stance_outlet_and_dates(client: TestClient):
    peskov = client.get("/api/claims", params={"speaker": "Peskov"}).json()["items"]
    assert peskov and {c["speaker_entity"] for c in peskov} == {"Dmitry Peskov"}
    refusals = client.get("/api/claims", params={"stance": "refuses_to_confirm"}).json()
    assert [c["cue"] for c in refusals["items"]] == ["refused to confirm"]
    outlet = client.get("/api/claims", params={"outlet": "gazette"}).json()["items"]
    assert outlet and {c["outlet"] for c in outlet} == {"Gazette"}
    dated = client.get("/api/claims", params={"since": "2015-10-06", "until": "2015-10-08"})
    assert {c["outlet"] for c in dated.json()["items"]} == {"Evening Post"}
    about = client.get("/api/claims", params={"about": "Kadyrov"}).json()["items"]
    assert any(c["stance"] == "refuses_to_confirm" for c in about)


def test_claims_pages_say_whether_more_follow(client: TestClient):
    every = client.get("/api/claims", params={"limit": 500}).json()["items"]
    first = client.get("/api/claims", params={"limit": 2}).json()
    second = client.get("/api/claims", params={"limit": 2, "offset": 2}).json()
    assert first["more"] and first["items"] + second["items"] == every[:4]
    last = client.get("/api/claims", params={"limit": 2, "offset": len(every) - 1}).json()
    assert not last["more"] and len(last["items"]) == 1


def test_claim_filters_are_validated(client: TestClient):
    assert client.get("/api/claims", params={"stance": "shouts"}).status_code == 422
    assert client.get("/api/claims", params={"since": "yesterday"}).status_code == 422


def test_entities_by_name_and_by_id(client: TestClient):
    found = client.get("/api/entities", params={"q": "peskov"}).json()
    assert [e["name"] for e in found["items"]] == ["Dmitry Peskov"]
    peskov = client.get(f"/api/entities/{found['items'][0]['id']}").json()
    assert "Peskov" in peskov["aliases"] or peskov["name"] == "Dmitry Peskov"
    assert peskov["claims_made"] and peskov["documents"] == 2
    assert client.get("/api/entities/999999").status_code == 404
    assert client.get("/api/entities").json()["total"] >= 5


def test_relations_and_entity_graph(client: TestClient):
    relations = client.get("/api/relations").json()
    assert relations["total"] == len(relations["items"]) > 0
    spokes = client.get("/api/relations", params={"predicate": "spokesperson_of"}).json()
    assert spokes["items"] and {r["subject"] for r in spokes["items"]} == {"Dmitry Peskov"}
    subject = spokes["items"][0]["subject_id"]
    graph = client.get(f"/api/entities/{subject}/graph").json()
    assert [n["id"] for n in graph["nodes"] if n["focus"]] == [subject]
    assert any(e["kind"] == "relation" and e["source"] == subject for e in graph["edges"])


def test_disputes_have_sides_with_their_claims(client: TestClient):
    page = client.get("/api/disputes", params={"document": doc_id("courier")}).json()
    refusal = next(d for d in page["items"] if d["kind"] == "refuses_to_confirm")
    sides = {s["label"]: s for s in refusal["sides"]}
    assert set(sides) == {"Ramzan Kadyrov", "Dmitry Peskov"}
    assert sides["Dmitry Peskov"]["stances"] == ["refuses_to_confirm"]
    assert sides["Ramzan Kadyrov"]["claims"][0]["content"].startswith("his special forces")
    assert refusal["source"] == "document" and refusal["grade"] is None
    one = client.get(f"/api/disputes/{refusal['id']}").json()
    assert one == refusal
    assert client.get("/api/disputes/999999").status_code == 404


def test_search_marks_matches_and_refuses_an_empty_query(client: TestClient):
    hits = client.get("/api/search", params={"q": "Peskov"}).json()["items"]
    documents = [h for h in hits if h["kind"] == "document"]
    assert documents and all("[peskov]" in h["snippet"].lower() for h in documents)
    assert {h["kind"] for h in hits} == {"document", "claim"}
    assert client.get("/api/search", params={"q": ""}).status_code == 422


def test_stats(client: TestClient):
    stats = client.get("/api/stats").json()
    assert stats["documents"] == 4 and stats["outlets"] == 4
    assert stats["first_published"] == "2003-05-01"


# Writing ---------------------------------------------------------------------------------

def test_writes_are_refused_without_a_configured_token(store: Store, monkeypatch):
    monkeypatch.delenv("ALLEGE_TOKEN", raising=False)
    with client_for(store) as client:
        response = client.post("/api/ingest", json={"text": PESKOV_TEXT}, headers=AUTH)
    assert response.status_code == 403
    assert "ALLEGE_TOKEN" in response.json()["error"]


def test_the_token_can_come_from_the_environment(store: Store, monkeypatch):
    monkeypatch.setenv("ALLEGE_TOKEN", TOKEN)
    with client_for(store) as client:
        response = client.post("/api/analyze", json={"text": PESKOV_TEXT}, headers=AUTH)
    assert response.status_code == 200


def test_writes_need_the_right_token(client: TestClient):
    missing = client.post("/api/ingest", json={"text": PESKOV_TEXT})
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    wrong = client.post("/api/ingest", json={"text": PESKOV_TEXT},
                        headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert client.get("/api/stats").json()["documents"] == 4


def test_ingest_stores_once_and_returns_the_document_id(client: TestClient):
    first = client.post("/api/ingest", headers=AUTH,
                        json={"text": PESKOV_TEXT, "outlet": "Wire", "published": "2015-10-12"})
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["stored"] and body["claims"] >= 2 and body["url"] == f"/documents/{body['id']}"
    stored = client.get(f"/api/documents/{body['id']}").json()
    assert stored["document"]["outlet"] == "Wire"
    again = client.post("/api/ingest", headers=AUTH, json={"text": PESKOV_TEXT})
    assert again.status_code == 200 and again.json()["stored"] is False
    assert client.get("/api/stats").json()["documents"] == 5


def test_ingest_takes_a_file_upload(client: TestClient):
    page = (b"<!doctype html><html><head><title>Peskov refuses</title></head><body><article>"
            b"<h1>Peskov refuses</h1><p>" + PESKOV_TEXT.encode() + b"</p></article></body></html>")
    response = client.post("/api/ingest", headers=AUTH,
                           files={"file": ("peskov.html", page, "text/html")},
                           data={"outlet": "Upload Daily"})
    assert response.status_code == 201, response.text
    stored = client.get(f"/api/documents/{response.json()['id']}").json()["document"]
    assert stored["outlet"] == "Upload Daily" and "Peskov" in stored["text"]
    assert stored["source"] == "web: peskov.html"


def test_analyze_returns_the_contract_without_storing(client: TestClient):
    response = client.post("/api/analyze", headers=AUTH, json={"text": PESKOV_TEXT})
    assert response.status_code == 200
    result = response.json()
    assert result["schema"] == "allege.analysis/1"
    assert "refuses_to_confirm" in [c["stance"] for c in result["claims"]]
    form = client.post("/api/analyze", headers=AUTH, data={"text": PESKOV_TEXT})
    assert form.json()["claims"] == result["claims"]
    assert client.get("/api/stats").json()["documents"] == 4


def test_analyze_reads_html(client: TestClient):
    page = ("<html><head><title>Kremlin</title></head><body><article><p>"
            f"{PESKOV_TEXT}</p></article></body></html>")
    result = client.post("/api/analyze", headers=AUTH, json={"html": page}).json()
    assert "Peskov" in result["document"]["text"] and "<p>" not in result["document"]["text"]


@pytest.mark.parametrize(("body", "status", "words"), [
    ({"text": "a", "html": "<p>b</p>"}, 400, "exactly one"),
    ({}, 400, "exactly one"),
    ({"text": 5}, 422, "text"),
])
def test_bad_articles_are_client_errors(client: TestClient, body, status, words):
    response = client.post("/api/analyze", headers=AUTH, json=body)
    assert response.status_code == status
    assert words in response.json()["error"]


def test_a_binary_upload_is_refused_with_the_readers_message(client: TestClient):
    png = b"\x89PNG\r\n\x1a\n" + bytes(200)
    response = client.post("/api/ingest", headers=AUTH, files={"file": ("x.txt", png)})
    assert response.status_code == 400 and "PNG" in response.json()["error"]


def test_other_bodies_are_refused(client: TestClient):
    response = client.post("/api/analyze", headers={**AUTH, "Content-Type": "text/plain"},
                           content=PESKOV_TEXT)
    assert response.status_code == 415 and "JSON" in response.json()["error"]
    broken = client.post("/api/analyze", headers={**AUTH, "Content-Type": "application/json"},
                         content=b"{not json")
    assert broken.status_code == 422


# Limits and access -----------------------------------------------------------------------

def test_uploads_over_the_limit_get_413(store: Store):
    with client_for(store, token=TOKEN, max_upload=1000) as client:
        big = client.post("/api/ingest", headers=AUTH, json={"text": "Peskov said no. " * 100})
        assert big.status_code == 413 and "1,000 bytes" in big.json()["error"]
        upload = client.post("/api/ingest", headers=AUTH,
                             files={"file": ("big.txt", b"Peskov said no. " * 100)})
        assert upload.status_code == 413

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            for _ in range(10):
                yield json.dumps({"text": "x" * 200}).encode()

        streamed = client.post("/api/analyze", headers={**AUTH, "Content-Type":
                                                        "application/json"}, content=chunks())
        assert streamed.status_code == 413
        small = client.post("/api/analyze", headers=AUTH, json={"text": PESKOV_TEXT})
        assert small.status_code == 200


def test_reads_from_other_machines_need_the_token(store: Store):
    app = create_app(store=store, token=TOKEN)
    with TestClient(app, client=("203.0.113.7", 40000)) as remote:
        assert remote.get("/api/stats").status_code == 401
        assert remote.get("/api/stats", headers=AUTH).status_code == 200
        assert remote.get("/").status_code == 401


def test_create_app_opens_a_store_by_url(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'by-url.sqlite'}"
    with TestClient(create_app(url), client=LOCAL) as client:
        assert client.get("/api/stats").json()["documents"] == 0
    with connect(url) as opened:
        assert opened.dialect == "sqlite"


# The pages over both stores (the browser tests drive them on SQLite) ----------------------

def test_every_page_renders_on_this_store(client: TestClient):
    courier = doc_id("courier")
    dispute = client.get("/api/disputes").json()["items"][0]["id"]
    peskov = client.get("/api/entities", params={"q": "Peskov"}).json()["items"][0]["id"]
    for path in ("/", "/documents", f"/documents/{courier}", "/claims",
                 "/claims?speaker=Peskov&sort=stance&order=asc", "/disputes",
                 f"/disputes/{dispute}", "/entities?q=kremlin", f"/entities/{peskov}",
                 "/search?q=Peskov", "/add", "/docs"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-security-policy"] == CSP
        assert "<script>" not in response.text, path  # scripts only as files
    assert client.get("/claims?since=last+week").status_code == 422
    assert client.get("/documents/0123456789abcdef").status_code == 404


def test_the_claims_board_pages_through_many_claims(client: TestClient):
    for n in range(60):
        text = f"Official number {n} said that the talks in Geneva were going well."
        client.post("/api/ingest", headers=AUTH, json={"text": text, "outlet": "Bulk"})
    first = client.get("/claims", params={"outlet": "Bulk"})
    assert "Page 1 of 2" in first.text and "Next →" in first.text
    second = client.get("/claims", params={"outlet": "Bulk", "page": 2})
    assert "Page 2 of 2" in second.text and "← Previous" in second.text


# Helpers ---------------------------------------------------------------------------------

def test_reader_pieces_follow_offsets_and_nesting():
    text = "Ann said that Bob told Cy it rained."
    outer = {"id": "C1", "speaker": {"start": 0, "end": 3}, "cue": {"start": 4, "end": 8},
             "content": {"start": 9, "end": 35, "segments": [{"start": 9, "end": 35}]}}
    inner = {"id": "C2", "speaker": {"start": 14, "end": 17}, "cue": {"start": 18, "end": 22},
             "content": {"start": 26, "end": 35, "segments": [{"start": 26, "end": 35}]}}
    pieces = reader.pieces(text, [outer, inner])
    assert "".join(p.text for p in pieces) == text
    table = [(p.text, p.role, p.claims) for p in pieces]
    assert table == [
        ("Ann", "speaker", ("C1",)), (" ", None, ()), ("said", "cue", ("C1",)),
        (" ", None, ()), ("that ", "content", ("C1",)), ("Bob", "speaker", ("C2", "C1")),
        (" ", "content", ("C1",)), ("told", "cue", ("C2", "C1")), (" Cy ", "content", ("C1",)),
        ("it rained", "content", ("C2", "C1")), (".", None, ()),
    ]


def test_snippets_are_cut_at_the_store_markers():
    a, b = MARK
    assert marked(f"x {a}<b>{b} y") == [("x ", False), ("<b>", True), (" y", False)]
    assert marked(f"{a}open") == [("open", True)]
    assert marked(f"stray {b} close") == [("stray  close", False)]


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("localhost", True),
    ("10.0.0.1", False), ("203.0.113.7", False), ("testclient", False), (None, False),
])
def test_loopback_addresses(host, loopback):
    assert is_loopback(host) is loopback


def test_only_web_addresses_become_links():
    assert web_url("https://example.org/a") == "https://example.org/a"
    assert web_url("javascript:alert(1)") is None
    assert web_url(" JAVASCRIPT:alert(1)") is None
    assert web_url(None) is None


# Propositions across documents -------------------------------------------------------------

ASSERTS = {"title": "Minister accuses neighbour", "outlet": "Northern Herald",
           "published": "2021-03-01",
           "text": "Defence Minister John Harlow said that the army of Velmar had shelled "
                   "the border town of Kessa on Sunday."}
DENIES = {"title": "Velmar rejects shelling report", "outlet": "Velmar Times",
          "published": "2021-03-02",
          "text": "A Velmar government spokesman, Anton Brel, denied that the army of Velmar "
                  "had shelled the border town of Kessa."}


def test_a_denied_claim_becomes_a_contested_graded_proposition(store: Store):
    with client_for(store, token=TOKEN, registry={}) as client:
        assert client.get("/api/propositions").json()["total"] == 0
        ids = [client.post("/api/ingest", headers=AUTH, json=a).json()["id"]
               for a in (DENIES, ASSERTS)]  # ingested out of date order
        page = client.get("/api/propositions", params={"contested": True}).json()
        assert page["total"] == 1
        kessa = page["items"][0]
        assert "Kessa" in kessa["text"] and kessa["contested"]
        assert kessa["grade"]["code"] == "F4" and "denied" in kessa["grade"]["explanation"]
        assert kessa["documents"] == 2
        assert kessa["outlets"] == ["Northern Herald", "Velmar Times"]
        assert {s["origin"] for s in kessa["sources"]} == {"John Harlow", "Anton Brel"}
        assert [(t["published"], t["verb"], t["speaker"], t["outlet"])
                for t in kessa["timeline"]] == [
            ("2021-03-01", "asserted", "John Harlow", "Northern Herald"),
            ("2021-03-02", "denied", "Anton Brel", "Velmar Times")]
        assert kessa["timeline"][0]["chain"] == ["John Harlow", "Northern Herald"]
        assert client.get(kessa["url"]).status_code == 200
        one = client.get(f"/api/propositions/{kessa['id']}").json()
        assert one == kessa
        assert client.get("/api/propositions/999999").status_code == 404

        disputes = client.get("/api/disputes", params={"source": "proposition"}).json()
        contest = disputes["items"][0]
        assert contest["source"] == "proposition" and contest["grade"] == "F4"
        assert contest["kind"] == "denies" and contest["proposition"] == kessa["text"]
        sides = {s["label"]: s for s in contest["sides"]}
        assert sides["John Harlow"]["stances"] == ["asserts"]
        assert sides["Anton Brel"]["stances"] == ["denies"]
        assert sides["Anton Brel"]["claims"][0]["outlet"] == "Velmar Times"
        assert sides["John Harlow"]["claims"][0]["grade"] == "F4"
        everything = client.get("/api/disputes").json()
        assert contest in everything["items"]

        html = client.get("/disputes").text
        assert f'href="/propositions/{kessa["id"]}"' in html and "Anton Brel" in html
        board = client.get("/claims", params={"grade": "F4"}).text
        assert "John Harlow" in board and "Anton Brel" in board
        assert "<option selected>F4</option>" in board
        assert "John Harlow" not in client.get("/claims", params={"grade": "A1"}).text
        reader = client.get(f"/documents/{ids[1]}").text
        assert f'href="/propositions/{kessa["id"]}"' in reader and ">F4<" in reader


def test_grades_use_the_registry_and_follow_new_ingests(store: Store):
    with client_for(store, token=TOKEN, registry={"John Harlow": "B"}) as client:
        client.post("/api/ingest", headers=AUTH, json=ASSERTS)
        assert client.get("/api/propositions").json()["total"] == 0  # one source, no reply
        client.post("/api/ingest", headers=AUTH, json=DENIES)
        kessa = client.get("/api/propositions").json()["items"][0]
        assert kessa["grade"]["code"] == "B4"


def test_propositions_follow_articles_stored_by_another_process(store: Store):
    with client_for(store, token=TOKEN, registry={}) as client:
        client.post("/api/ingest", headers=AUTH, json=ASSERTS)
        assert client.get("/api/propositions").json()["total"] == 0
        # as `allege ingest` would, in another process beside the running app
        save_analysis(store, analyze(DENIES["text"], title=DENIES["title"],
                                     outlet=DENIES["outlet"], published=DENIES["published"]))
        [kessa] = client.get("/api/propositions").json()["items"]
        assert kessa["contested"] and kessa["documents"] == 2


def test_proposition_pages_escape_article_text(store: Store):
    hostile = {**DENIES, "text": DENIES["text"].replace("Kessa", "Kessa <b>bold</b>")}
    with client_for(store, token=TOKEN, registry={}) as client:
        for article in (ASSERTS, hostile):
            client.post("/api/ingest", headers=AUTH, json=article)
        kessa = client.get("/api/propositions").json()["items"][0]
        for path in (kessa["url"], "/disputes"):
            page = client.get(path)
            assert "<b>bold</b>" not in page.text and "<script>" not in page.text
            assert page.headers["content-security-policy"] == CSP
