"""Extraction on the project's replica pages, fetched over HTTP as the recorder would (raw HTML).

Skips while ``capture.replica`` is not importable (it is built alongside this module).
"""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

replica = pytest.importorskip("capture.replica", reason="capture.replica is not importable yet")

from capture.extract import Paragraph, extract  # noqa: E402


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310 (local replica only)
        return resp.read()


@pytest.fixture(scope="module")
def fetched() -> list[tuple[object, bytes, bytes, str]]:
    pages = replica.pages()
    if not pages:
        pytest.skip("the replica has no article pages yet")
    out = []
    with replica.ReplicaServer() as srv:
        for page in pages:
            try:
                normal, care = _get(srv.base_url + page.path), _get(srv.base_url + page.care_path)
            except urllib.error.HTTPError as exc:
                if exc.code >= 500:  # the replica's own bug; its tests report it
                    pytest.skip(f"replica does not serve {page.path} yet: HTTP {exc.code}")
                raise
            out.append((page, normal, care, srv.base_url))
    return out


def test_replica_normal_and_care_pages_extract(fetched: list[tuple[object, bytes, bytes, str]]) -> None:
    for page, normal_html, care_html, base in fetched:
        normal = extract(normal_html, url=base + page.path)
        care = extract(care_html, url=base + page.care_path)
        assert normal.mode == "normal" and normal.generation.startswith("post2020_")
        assert care.mode == "care" and care.generation == "care_post2020"
        # The care page carries the same article.
        assert care.title == normal.title and care.title
        assert care.published == normal.published and normal.published
        assert care.source == normal.source
        assert care.body_text() == normal.body_text()
        assert any(isinstance(b, Paragraph) for b in normal.blocks)
        assert care.accessibility.normal_url and care.accessibility.normal_url.endswith(page.path)
        assert normal.accessibility.care_url and normal.accessibility.care_url.endswith(page.care_path)


def test_replica_care_page_is_detected_without_url(fetched: list[tuple[object, bytes, bytes, str]]) -> None:
    _page, _normal, care_html, _base = fetched[0]
    assert extract(care_html).mode == "care"
