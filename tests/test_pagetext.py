"""Unit tests of :mod:`capture.pagetext`: region text → ``text.txt``, and the seed comparison's folding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from capture import pagetext
from capture.extract import extract
from capture.extract.decode import to_text
from capture.replica import render, seed_page
from capture.sites import default_site
from capture.volatile import mask_text

CASES = Path(__file__).resolve().parent / "cases"


class FakePage:
    """Stands in for a Playwright page: answers ``evaluate`` from a table, records what it was given;
    its DOM (``content``) is ``dom``."""

    def __init__(self, texts: dict[str, str], dom: str = "<html><body></body></html>") -> None:
        self.texts = texts
        self.dom = dom
        self.calls: list[tuple[str, object]] = []

    def content(self) -> str:
        return self.dom

    def evaluate(self, js: str, arg: object) -> list[list[str]]:
        self.calls.append((js, arg))
        return [[name, self.texts.get(name, "")] for name, _sel in arg]


# --- comparable_lines ----------------------------------------------------------------------------

def test_comparable_lines_fold_full_width_punctuation_and_digits():
    """NFKC: the page's ，：？！（） and full-width digits read as the seed's ASCII ones."""
    page = "５月２４日上午，市政府新闻办：（发布会）？！"
    seed = "5月24日上午,市政府新闻办:(发布会)?!"
    assert pagetext.comparable_lines(page) == pagetext.comparable_lines(seed) == [seed]


def test_comparable_lines_remove_every_kind_of_whitespace_and_drop_empty_lines():
    """Spaces, tabs, NBSP and the ideographic space vanish; blank and space-only lines are dropped."""
    text = "网易首页 >\u00a0网易天津\t> 正文\r\n\n \u3000 \n  标题\u3000一  \n"
    assert pagetext.comparable_lines(text) == ["网易首页>网易天津>正文", "标题一"]


def test_comparable_lines_keep_line_order_and_curly_quotes():
    """Folding is not normalising everything: “” are not compatibility characters and stay."""
    assert pagetext.comparable_lines("b\na“x”") == ["b", "a“x”"]
    assert pagetext.comparable_lines("") == []


def test_replica_article_matches_the_seed_only_after_folding(seed_text):
    """../shared/NETEASE.md: the seed is NFKC-folded, so the replica's body paragraphs (full-width
    punctuation, as the real site) appear in it after ``comparable_lines`` and not before."""
    page = seed_page()
    article = json.loads(extract(render(page, "normal"), page.live_url).to_json())
    paragraphs = [b["text"] for b in article["blocks"] if b["type"] == "p"]
    seed = pagetext.comparable_lines(seed_text)
    assert paragraphs
    assert [p for p in paragraphs if pagetext.comparable_lines(p)[0] not in seed] == []
    raw_seed = "".join(seed_text.split())
    assert any("".join(p.split()) not in raw_seed for p in paragraphs), "folding must be what makes them agree"
    assert pagetext.comparable_lines(" > ".join(article["crumb"]))[0] == seed[0]


# --- format_text / nonempty_regions --------------------------------------------------------------

def test_format_text_one_block_per_region_stripped_with_trailing_newline():
    regions = [("crumb", " 网易首页 > 正文 "), ("title", "标题"), ("top", "\n"), ("body", "第一段\r\n\r\n  第二段  \n")]
    assert pagetext.format_text(regions) == "网易首页 > 正文\n\n标题\n\n第一段\n第二段\n"


def test_format_text_of_nothing_is_a_single_newline():
    assert pagetext.format_text([]) == "\n"
    assert pagetext.format_text([("body", " \n\t")]) == "\n"


@pytest.mark.parametrize("generation", sorted(default_site().text_regions))
def test_nonempty_regions_name_the_blocks_of_text_txt_in_order(generation):
    """``nonempty_regions`` lists exactly the regions that gave a block, so block i of ``text.txt``
    is region i (what :func:`capture.volatile.mask_text` relies on)."""
    names = [name for name, _ in default_site().text_regions[generation]]
    regions = [(name, f"{name} 行\n" if i % 2 == 0 else " \u3000\n") for i, name in enumerate(names)]
    text = pagetext.format_text(regions)
    kept = pagetext.nonempty_regions(regions)
    assert kept == names[::2]
    assert [block.split(" ")[0] for block in text.rstrip("\n").split("\n\n")] == kept


def test_volatile_region_is_masked_through_format_text_and_nonempty_regions():
    """End to end without a browser: the regions' text, formatted and named, masks ``top`` and ``side``."""
    regions = [("crumb", ""), ("title", "标题"), ("top", "1234\n分享至"), ("body", "正文"), ("side", "热点一\n热点二")]
    masked = mask_text(pagetext.format_text(regions), pagetext.nonempty_regions(regions))
    assert masked.split("\n\n") == ["标题", "<top: volatile, in range 1..4 lines>", "正文",
                                    "<side: volatile, in range 0..400 lines>\n"]


# --- the page-facing helpers, with a stand-in page -----------------------------------------------

@pytest.mark.parametrize("generation", [g.name for g in default_site().generations])
def test_region_args_are_the_generations_regions_as_lists(generation):
    mode = default_site().generation_by_name[generation].mode
    args = pagetext.region_args(mode, generation)
    assert args == [[name, sel] for name, sel in default_site().text_regions[generation]]
    assert all(isinstance(a, list) for a in args), "lists, so Playwright passes them to JS as arrays"


@pytest.mark.parametrize("mode, generation", [("normal", None), ("normal", "unknown"), ("normal", "care"),
                                              ("care", None), ("care", "post2020_dy"), ("care", "endpage1301")])
def test_a_page_no_generation_of_its_mode_recognises_reads_as_the_modes_fallback(mode, generation):
    """An unrecognised page keeps the regions it had before text regions were per generation: the
    newest layout's in its mode (a care page, of unknown markup, is read whole whatever it resembles)."""
    want = default_site().text_regions[default_site().fallback_generation[mode]]
    assert pagetext.region_args(mode, generation) == [list(r) for r in want]
    assert want == (default_site().text_regions["care"] if mode == "care" else default_site().text_regions["post2020_dy"])
    if mode == "care":
        assert want == (("page", "body"),)


def test_region_texts_and_visible_text_read_the_modes_regions():
    page = FakePage({"page": "标题\n2024-05-24 来源: 天津发布\n\n正文\n第二段"})
    assert pagetext.page_generation(page.content()) == "unknown"
    assert pagetext.region_texts(page, "care") == [("page", "标题\n2024-05-24 来源: 天津发布\n\n正文\n第二段")]
    assert pagetext.visible_text(page, "care") == "标题\n2024-05-24 来源: 天津发布\n正文\n第二段\n"
    js, arg = page.calls[-1]
    assert js == pagetext.REGION_TEXT_JS and arg == pagetext.region_args("care")
    assert all(isinstance(r, tuple) for r in pagetext.region_texts(page))


def test_region_texts_default_to_the_normal_regions():
    page = FakePage({})
    assert [name for name, _ in pagetext.region_texts(page)] == [name for name, _ in default_site().text_regions["post2020_dy"]]


def test_region_texts_learn_the_generation_from_the_pages_dom():
    """Text is read in the page: the regions sent there are those of the generation its DOM shows."""
    old = (CASES / "endpage1301_gbk" / "page.html").read_bytes()
    page = FakePage({"title": "老标题", "body": "老正文"}, dom=to_text(old))
    assert pagetext.region_texts(page) == [("crumb", ""), ("title", "老标题"), ("info", ""), ("body", "老正文")]
    assert page.calls[-1][1] == [list(r) for r in default_site().text_regions["endpage1301"]]
