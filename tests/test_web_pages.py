"""The workbench's pages end to end, in a real headless Chromium driven by Playwright.

The server is the real app under uvicorn on a free loopback port; articles reach it through
the HTTP API as an analyst's script would send them. Debian's Chromium is used as installed
(``bash .ci/chromium.sh``); Playwright's own browser downloads are never used.
Screenshots go to ``$ALLEGE_SCREENSHOTS`` when set, else to a temporary folder.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from conftest import KADYROV

from allege.web import create_app

playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")

CHROMIUM = os.environ.get("ALLEGE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
TOKEN = "pages-token-9d2e"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"no Chromium at {CHROMIUM}: run bash .ci/chromium.sh")

HOSTILE = (
    "Officials said <script>window.__pwned=1</script> was only a test of the site.\n\n"
    'The ministry told reporters that <img src=x onerror="window.__pwned=1"> '
    "had been removed from its pages."
)
HOSTILE_TITLE = '<b onmouseover="window.__pwned=1">Bold</b> title'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The workbench under uvicorn in a background thread; yields its base URL."""
    db = tmp_path_factory.mktemp("web") / "allege.sqlite"
    app = create_app(f"sqlite:///{db}", token=TOKEN)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(10)


def ingest(server: str, **article: Any) -> str:
    response = httpx.post(f"{server}/api/ingest", json=article, headers=AUTH, timeout=120)
    assert response.status_code in (200, 201), response.text
    return response.json()["id"]


@pytest.fixture(scope="module")
def kadyrov(server: str) -> str:
    """The Kadyrov article, ingested; its document id."""
    if not KADYROV.exists():
        pytest.skip(f"{KADYROV} is not there")
    return ingest(server, text=KADYROV.read_text(encoding="utf-8"), outlet="Israel Defense",
                  published="2015-10-07")


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("ALLEGE_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page; console errors (CSP violations among them) are kept on ``page.errors``."""
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    opened = context.new_page()
    opened.errors = []
    opened.on("console", lambda m: m.type == "error" and opened.errors.append(m.text))
    opened.on("pageerror", lambda e: opened.errors.append(str(e)))
    yield opened
    context.close()


def test_click_peskovs_refusal_and_follow_it_to_the_dispute(server, kadyrov, page, shots):
    response = page.goto(f"{server}/documents/{kadyrov}")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator(".hl-cue", has_text="refused to confirm").first.click()
    card = page.locator(".claim-card:visible")
    playwright_api.expect(card).to_have_count(1)
    playwright_api.expect(card).to_contain_text("refuses to confirm")
    playwright_api.expect(card).to_contain_text("Dmitry Peskov")
    playwright_api.expect(card).to_contain_text("Kadyrov’s claims")
    playwright_api.expect(page.locator(".hl.active").first).to_be_visible()
    page.screenshot(path=str(shots / "reader-peskov-refusal.png"), full_page=True)

    card.locator("a.dispute-link", has_text="Peskov").first.click()
    page.wait_for_url("**/disputes/*")
    sides = page.locator("#sides > .side")
    playwright_api.expect(sides).to_have_count(2)
    kadyrov_side = sides.filter(has_text="Ramzan Kadyrov")
    peskov_side = sides.filter(has_text="Dmitry Peskov")
    playwright_api.expect(kadyrov_side).to_contain_text("asserts")
    playwright_api.expect(kadyrov_side).to_contain_text("Special Forces loyal to Vladimir Putin")
    playwright_api.expect(peskov_side).to_contain_text("refuses to confirm")
    playwright_api.expect(peskov_side).to_contain_text("Kadyrov’s claims")
    page.screenshot(path=str(shots / "dispute-kadyrov-peskov.png"), full_page=True)
    assert page.errors == []


def test_article_markup_is_shown_as_text_and_never_run(server, page, shots):
    hostile = ingest(server, text=HOSTILE, title=HOSTILE_TITLE, outlet="<i>Outlet</i>")
    for path in (f"/documents/{hostile}", "/documents", "/claims", "/search?q=ministry",
                 "/search?q=script", "/"):
        page.goto(f"{server}{path}")
        page.mouse.move(200, 200)
        assert page.evaluate("typeof window.__pwned") == "undefined", path
        assert page.locator("main img, main script, main b").count() == 0, path
    page.goto(f"{server}/documents/{hostile}")
    article = page.locator("#article").inner_text()
    assert "<script>window.__pwned=1</script>" in article
    assert '<img src=x onerror="window.__pwned=1">' in article
    playwright_api.expect(page.locator("h1")).to_have_text(HOSTILE_TITLE)
    page.locator("#article .hl").first.click()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    page.screenshot(path=str(shots / "reader-hostile-markup.png"), full_page=True)
    assert page.errors == []


def test_claims_board_filters_sorts_and_links(server, kadyrov, page, shots):
    page.goto(f"{server}/claims")
    page.fill("input[name=speaker]", "Peskov")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/claims?*speaker=Peskov*")
    rows = page.locator("table.claims tbody tr")
    assert rows.count() >= 2
    for text in rows.all_inner_texts():
        assert "Peskov" in text
    page.locator("a.sort", has_text="Stance").click()
    playwright_api.expect(page.locator("a.sort.sorted-desc")).to_have_text("Stance")
    stances = page.locator("table.claims tbody .stance").all_inner_texts()
    assert stances == sorted(stances, reverse=True)
    page.goto(f"{server}/claims?stance=refuses_to_confirm")
    refusals = page.locator("table.claims tbody .stance").all_inner_texts()
    assert refusals and set(refusals) == {"refuses to confirm"}
    page.screenshot(path=str(shots / "claims-board.png"), full_page=True)
    peskov = page.locator("table.claims tbody tr", has_text="Peskov")
    peskov.locator("a", has_text=re.compile(r"^C\d+$")).first.click()
    playwright_api.expect(page.locator(".claim-card:visible")).to_contain_text("Peskov")
    assert page.errors == []


def test_entity_page_draws_its_graph(server, kadyrov, page, shots):
    found = httpx.get(f"{server}/api/entities", params={"q": "Ramzan Kadyrov"}).json()
    page.goto(f"{server}/entities/{found['items'][0]['id']}")
    playwright_api.expect(page.locator("h1")).to_have_text("Ramzan Kadyrov")
    playwright_api.expect(page.locator("#graph[data-ready='1'] canvas").first).to_be_attached()
    assert "Kadyrov" in page.locator("ul.tags").first.inner_text()
    playwright_api.expect(page.locator("main")).to_contain_text("leader of")
    page.wait_for_timeout(300)
    page.screenshot(path=str(shots / "entity-kadyrov.png"), full_page=True)
    page.locator(".graph-card").screenshot(path=str(shots / "entity-kadyrov-graph.png"))
    assert page.errors == []


def test_search_highlights_matches(server, kadyrov, page, shots):
    page.goto(server)
    page.fill("header input[name=q]", "Peskov")
    page.press("header input[name=q]", "Enter")
    page.wait_for_url("**/search?q=Peskov")
    marks = page.locator("ol.hits mark")
    assert marks.count() >= 2
    assert {m.lower() for m in marks.all_inner_texts()} == {"peskov"}
    page.screenshot(path=str(shots / "search-peskov.png"), full_page=True)
    assert page.errors == []


def test_add_article_form_needs_the_token_and_opens_the_reader(server, page, shots):
    page.goto(f"{server}/add")
    page.fill("input[name=token]", "wrong")
    page.fill("textarea[name=text]", "Kremlin spokesman Dmitry Peskov denied the report.")
    page.click("form.add button[type=submit]")
    playwright_api.expect(page.locator(".notice.error")).to_contain_text("token")
    playwright_api.expect(page.locator("textarea[name=text]")).to_have_value(
        "Kremlin spokesman Dmitry Peskov denied the report.")
    page.screenshot(path=str(shots / "add-form-wrong-token.png"), full_page=True)
    page.fill("input[name=token]", TOKEN)
    page.fill("input[name=outlet]", "Form Gazette")
    page.click("form.add button[type=submit]")
    page.wait_for_url("**/documents/*")
    playwright_api.expect(page.locator(".doc-head")).to_contain_text("Form Gazette")
    page.locator(".hl-cue", has_text="denied").click()
    playwright_api.expect(page.locator(".claim-card:visible")).to_contain_text("denies")
    page.screenshot(path=str(shots / "added-article.png"), full_page=True)
    assert [e for e in page.errors if "401" not in e] == []  # the wrong token's answer


def test_start_page_and_lists(server, kadyrov, page, shots):
    page.goto(server)
    playwright_api.expect(page.locator(".stats")).to_contain_text("documents")
    page.screenshot(path=str(shots / "home.png"), full_page=True)
    page.goto(f"{server}/disputes")
    assert page.locator(".dispute-summary").count() >= 1
    page.screenshot(path=str(shots / "disputes.png"), full_page=True)
    page.goto(f"{server}/nowhere")
    playwright_api.expect(page.locator("h1")).to_have_text("404")
    assert [e for e in page.errors if "404" not in e] == []


def test_proposition_page_shows_the_timeline_of_both_sources(server, page, shots):
    denial = ingest(server, title="Velmar rejects shelling report", outlet="Velmar Times",
                    published="2021-03-02",
                    text="A Velmar government spokesman, Anton Brel, denied that the army of "
                         "Velmar had shelled the border town of Kessa.")
    ingest(server, title="Minister accuses neighbour", outlet="Northern Herald",
           published="2021-03-01",
           text="Defence Minister John Harlow said that the army of Velmar had shelled the "
                "border town of Kessa on Sunday.")
    page.goto(f"{server}/disputes")
    contest = page.locator("#contested .proposition-dispute", has_text="Kessa")
    playwright_api.expect(contest).to_have_count(1)
    playwright_api.expect(contest.locator(".side")).to_have_count(2)
    playwright_api.expect(contest).to_contain_text("Anton Brel")
    playwright_api.expect(contest).to_contain_text("Northern Herald")
    page.screenshot(path=str(shots / "disputes-propositions.png"), full_page=True)

    contest.locator("h3 a").click()
    page.wait_for_url("**/propositions/*")
    entries = page.locator("#timeline .timeline-entry")
    playwright_api.expect(entries).to_have_count(2)
    playwright_api.expect(entries.nth(0)).to_contain_text("2021-03-01")
    playwright_api.expect(entries.nth(0)).to_contain_text("John Harlow")
    playwright_api.expect(entries.nth(0)).to_contain_text("asserted")
    playwright_api.expect(entries.nth(0)).to_contain_text("Northern Herald")
    playwright_api.expect(entries.nth(1)).to_contain_text("Anton Brel")
    playwright_api.expect(entries.nth(1)).to_contain_text("denied")
    playwright_api.expect(entries.nth(1)).to_contain_text("Velmar Times")
    playwright_api.expect(page.locator(".doc-head .grade")).to_have_text(re.compile(r"^[A-F]4$"))
    playwright_api.expect(page.locator("#provenance")).to_contain_text("John Harlow → Northern Herald")
    page.screenshot(path=str(shots / "proposition-timeline.png"), full_page=True)

    page.goto(f"{server}/documents/{denial}")
    page.locator(".hl-cue", has_text="denied").first.click()
    card = page.locator(".claim-card:visible")
    playwright_api.expect(card.locator("a.proposition-link")).to_contain_text("Kessa")
    assert page.errors == []
