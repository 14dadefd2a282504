"""Accuracy on the two real saved pages (third-party data, read in place, never copied).

Body reference: ``capture.extract.accuracy.reference_body_text`` collects, with the standard library's
``html.parser`` and no selector table, every visible text node inside the page's ``.post_body``
element — the text a reader sees in the article body. The extractor's ``otitle + paragraphs +
captions`` is compared with it by character-level F1 (whitespace ignored); target ≥ 0.99.
The title is checked against the page's own ``og:title`` meta, also read independently.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from capture.extract import Image, Paragraph, extract
from capture.extract.accuracy import article_body_text, char_f1, reference_body_text

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "netease"

# name -> facts read off the page by a person: generation, published, source, editor, place, minimum body.
REAL = {
    "magichtml_2024_dy_J22CN60P0514R9KQ_dom.html": dict(
        url="https://www.163.com/dy/article/J22CN60P0514R9KQ.html", generation="post2020_dy",
        published="2024-05-13T09:16:04+08:00", source="北青网-北京青年报", editor="李曦_NN2587",
        place="北京", crumb=["网易首页", "网易号", "正文"], min_paragraphs=25, images=3, otitle=False,
    ),
    "nanmicoder_2025_news_KC12OUHK000189FH_raw.html": dict(
        url="https://www.163.com/news/article/KC12OUHK000189FH.html", generation="post2020_cms",
        published="2025-10-16T20:02:18+08:00", source="总台环球资讯广播", editor="雷晓_NB26578",
        place="北京", crumb=["网易首页", "新闻中心", "新闻", "正文"], min_paragraphs=10, images=3, otitle=True,
    ),
}


def _load(name: str) -> bytes:
    path = SAMPLES / name
    if not path.is_file():
        pytest.skip(f"real sample not available: {path} (the shared samples folder is not mounted)")
    return path.read_bytes()


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_page_fields(name: str) -> None:
    raw = _load(name)
    facts = REAL[name]
    a = extract(raw, url=facts["url"])
    assert a.mode == "normal" and a.generation == facts["generation"]
    og = re.search(rb'<meta property="og:title" content="([^"]*)"', raw)
    assert og and a.title == og.group(1).decode("utf-8")
    assert a.published == facts["published"]
    assert a.source is not None and a.source.name == facts["source"] and a.source.url
    assert a.editor == facts["editor"]
    assert a.place == facts["place"]
    assert a.crumb == facts["crumb"]
    assert sum(isinstance(b, Paragraph) for b in a.blocks) >= facts["min_paragraphs"]
    assert sum(isinstance(b, Image) for b in a.blocks) == facts["images"]
    assert (a.otitle is not None) == facts["otitle"]
    assert a.accessibility.wza_toolbar
    assert a.accessibility.care_url == facts["url"].replace(".html", "_pdya11y.html" if "/dy/" in facts["url"]
                                                            else "_pa11y.html")
    assert set(a.recommendations) == {"相关推荐", "热点推荐"}
    assert all(item.title and item.url for items in a.recommendations.values() for item in items)
    assert a.side_modules and all(m.items for m in a.side_modules)


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_page_body_f1(name: str) -> None:
    raw = _load(name)
    a = extract(raw)
    ref = reference_body_text(raw)
    assert len(ref) > 500  # the reference itself found the body
    f1 = char_f1(article_body_text(a), ref)
    print(f"\n{name}: body char F1 = {f1:.4f} ({len(ref)} reference chars)")
    assert f1 >= 0.99


def test_rendered_2024_page_values_that_scripts_fill_in() -> None:
    a = extract(_load("magichtml_2024_dy_J22CN60P0514R9KQ_dom.html"))
    assert a.tie_count is not None and a.tie_count > 0  # raw HTML says 0; the DOM has the real count
    assert len(a.yuanchuang) >= 1 and all(x.url for x in a.yuanchuang)
    assert "态度原创" not in [m.title for m in a.side_modules]


def test_raw_2025_page_tie_count_is_placeholder() -> None:
    a = extract(_load("nanmicoder_2025_news_KC12OUHK000189FH_raw.html"))
    assert a.tie_count == 0
    assert a.author is None and a.editor
