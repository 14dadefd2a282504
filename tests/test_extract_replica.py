"""Extraction on the project's replica pages, fetched over HTTP as the recorder would (raw HTML).

A replica that serves no pages, or answers an article with an HTTP error, fails here: hiding it
would let every test built on the replica pass against nothing.
"""

from __future__ import annotations

import http.server
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from capture import replica
from capture.errors import LayoutNotRecognized
from capture.extract import Paragraph, extract


def _get(url: str) -> bytes:
    """The body at ``url``; an HTTP error status fails the test with the URL and the status."""
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310 (local servers only)
            return resp.read()
    except urllib.error.HTTPError as exc:
        pytest.fail(f"the replica answered {url} with HTTP {exc.code} {exc.reason}; "
                    "run tests/test_replica.py to see why it fails to serve the page")


@pytest.fixture(scope="module")
def replica_url() -> Iterator[str]:
    """One replica server for the module; the tests fetch from it, so a bad answer fails a test."""
    assert replica.pages(), "capture.replica.pages() is empty: the replica must serve article pages"
    with replica.ReplicaServer() as srv:
        yield srv.base_url
def test_replica_normal_and_care_pages_extract(replica_url: str) -> None:
    for page in replica.pages():
        normal = extract(_get(replica_url + page.path), url=replica_url + page.path)
        care = extract(_get(replica_url + page.care_path), url=replica_url + page.care_path)
        assert normal.mode == "normal" and normal.generation.startswith("post2020_")
        assert care.mode == "care" and care.generation == "care"
        # The care page carries the same article.
        assert care.title == normal.title and care.title
        assert care.published == normal.published and normal.published
        assert care.source == normal.source
        assert care.body_text() == normal.body_text()
        assert any(isinstance(b, Paragraph) for b in normal.blocks)
        assert care.accessibility.normal_url and care.accessibility.normal_url.endswith(page.path)
        assert normal.accessibility.care_url and normal.accessibility.care_url.endswith(page.care_path)


def test_replica_care_page_is_care_by_how_it_is_reached_not_by_markers(replica_url: str) -> None:
    """A 关怀版 is one because it was reached as one (its URL, or the recorder's mode): without either,
    nothing in its markup says so, and the harness does not guess."""
    for page in replica.pages():
        html = _get(replica_url + page.care_path)
        assert extract(html, mode="care").mode == "care", page.care_path
        try:
            guessed = extract(html).mode
        except LayoutNotRecognized:
            guessed = "not recognised"
        assert guessed != "care", page.care_path


class _Broken(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.send_error(503, "Service Unavailable")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's name)
        pass


def test_a_server_error_fails_with_url_and_status() -> None:
    """The 5xx path of ``_get`` fails rather than skips: a broken replica must not pass unseen."""
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Broken)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{srv.server_address[1]}/dy/article/X.html"
    try:
        with pytest.raises(pytest.fail.Exception) as info:
            _get(url)
    finally:
        srv.shutdown()
        srv.server_close()
    assert url in str(info.value) and "HTTP 503" in str(info.value)
