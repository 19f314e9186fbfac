"""Web addresses, served from a local server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from allege.read.sources import iter_items
from allege.read.urls import fetch_items, make_client, user_agent

ARTICLE = b"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Lighthouse keeper retires after forty years</title>
<meta property="og:site_name" content="The Cape Chronicle"></head><body><article>
<h1>Lighthouse keeper retires after forty years</h1>
<p>The last keeper of the cape lighthouse retired on Friday after forty years in the job,
the maritime trust said.</p>
<p>"The light will go on without me," he told a small crowd at the foot of the tower,
adding that he planned to take up sailing.</p>
</article></body></html>"""

FULL_TEXT = (
    "<p>The coastguard said on Saturday that two walkers had been rescued from the cliffs "
    "below the lighthouse after being cut off by the tide.</p>"
    "<p>A spokesman said both were cold but unhurt, and urged visitors to check the tide "
    "tables before setting out. The lifeboat crew were at the scene within twenty minutes, "
    "he said, and the walkers were brought ashore at the harbour shortly afterwards.</p>"
    "<p>It was the third rescue at the cape this summer. The trust that runs the lighthouse "
    "said it would put up new signs on the cliff path before the spring tides.</p>"
)
FEED = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>The Cape Chronicle</title><link>http://chronicle.example/</link>
<item><title>Walkers rescued</title><link>http://chronicle.example/rescue</link>
<content:encoded><![CDATA[{FULL_TEXT}]]></content:encoded></item>
<item><title>Keeper retires</title><link>PAGE_URL</link>
<description>The keeper retires.</description></item>
</channel></rss>"""

ROUTES: dict[str, tuple[int, str, bytes]] = {
    "/article.html": (200, "text/html; charset=utf-8", ARTICLE),
    "/feed.xml": (200, "application/rss+xml", FEED.encode()),
    "/notes": (200, "text/plain", b"The keeper said he would miss the view, the trust said."),
}


class Handler(BaseHTTPRequestHandler):
    seen_agents: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        Handler.seen_agents.append(self.headers.get("User-Agent", ""))
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/article.html")
            self.end_headers()
            return
        if self.path == "/slow":
            time.sleep(1.5)
        status, content_type, body = ROUTES.get(self.path, (404, "text/html", b"<h1>Gone</h1>"))
        if self.path == "/feed.xml":
            page = f"http://127.0.0.1:{self.server.server_address[1]}/article.html"
            body = body.replace(b"PAGE_URL", page.encode())
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # keep the test output quiet


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture()
def client() -> Iterator[httpx.Client]:
    with make_client(timeout=5) as client:
        yield client


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_page(server: str, client: httpx.Client) -> None:
    [item] = list(fetch_items(f"{server}/article.html", client=client))
    document = item.document
    assert document is not None and item.source == f"{server}/article.html"
    assert document.title == "Lighthouse keeper retires after forty years"
    assert document.outlet == "The Cape Chronicle"
    assert document.url == f"{server}/article.html"
    assert '"The light will go on without me," he told' in document.text
    assert document.language == "en"


def test_redirect_is_followed(server: str, client: httpx.Client) -> None:
    [item] = list(fetch_items(f"{server}/moved", client=client))
    assert item.source == f"{server}/moved"
    assert item.document is not None and item.document.url == f"{server}/article.html"


def test_plain_text(server: str, client: httpx.Client) -> None:
    [item] = list(fetch_items(f"{server}/notes", client=client))
    assert item.document is not None and item.document.outlet == "127.0.0.1"


def test_feed_url_gives_its_items(server: str, client: httpx.Client) -> None:
    full, waiting = fetch_items(f"{server}/feed.xml", client=client)
    assert full.source == f"{server}/feed.xml#1" and full.document is not None
    assert full.document.url == "http://chronicle.example/rescue"
    assert waiting.waiting_url == f"{server}/article.html"
    # the ingest loop fetches a waiting item's page the same way
    [page] = list(fetch_items(waiting.waiting_url, client=client))
    assert page.document is not None


def test_http_error(server: str, client: httpx.Client) -> None:
    [item] = list(fetch_items(f"{server}/missing", client=client))
    assert item.error and "HTTP 404 Not Found" in item.error


def test_connection_refused(client: httpx.Client) -> None:
    url = f"http://127.0.0.1:{closed_port()}/article.html"
    [item] = list(fetch_items(url, client=client))
    assert item.error and item.error.startswith(f"Cannot connect to {url}")


def test_timeout(server: str) -> None:
    with make_client(timeout=0.3) as client:
        [item] = list(fetch_items(f"{server}/slow", client=client))
    assert item.error and "did not answer in time" in item.error


def test_user_agent(server: str, client: httpx.Client) -> None:
    list(fetch_items(f"{server}/article.html", client=client))
    assert Handler.seen_agents[-1] == user_agent()
    assert user_agent().startswith("allege/")


def test_iter_items_fetches_with_its_own_client(server: str) -> None:
    urls = [f"{server}/article.html", f"{server}/missing", f"{server}/feed.xml"]
    items = list(iter_items(urls, fetch=True))
    assert [bool(i.document) for i in items] == [True, False, True, False]
    assert items[1].error and items[3].waiting_url


def test_iter_items_does_not_fetch_unless_asked(server: str) -> None:
    count = len(Handler.seen_agents)
    [item] = list(iter_items([f"{server}/article.html"]))
    assert item.error and "fetching is off" in item.error
    assert len(Handler.seen_agents) == count
