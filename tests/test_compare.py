"""Unit tests of :mod:`capture.compare`: a bundle's golden views and the classification of differences.

Bundles are built in memory from replica HTML (no browser); classification rules are pinned on small
crafted views. (The drift table's classes are checked end to end in tests/test_drift_replica.py.)
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from capture import compare
from capture.bundle import Bundle, Meta
from capture.compare import GoldenViews, a11y_differences, classify, views, volatile_changes
from capture.extract import extract
from capture.fingerprint import skeleton
from capture.pagetext import format_text, nonempty_regions
from capture.replica import drift, render, seed_page
from capture.sites import default_site
from capture.volatile import mask_article

LIVE_ORIGIN = default_site().live_origin

BASE = "http://127.0.0.1:8123"
A11Y = {"a11y_version": 1, "text": {"font_px": 16}}
TIE = 'title="点击查看跟贴">0</a>'


def side_titles(html: str) -> list[str]:
    return re.findall(r"<h3>([^<]+)</h3>", html)


def make_bundle(html: str, *, base_url: str | None = BASE, a11y: dict | None = None, tie: str = "0",
                body: str | None = None) -> Bundle:
    """A normal-mode bundle of a replica page served from ``base_url``: its DOM, and a text.txt and an
    aria snapshot made from the same values a browser would read."""
    page = seed_page()
    origin = base_url or LIVE_ORIGIN
    dom = html.replace(LIVE_ORIGIN, origin)
    side = side_titles(html)
    regions = [("crumb", "网易首页 > 网易天津 > 正文"), ("title", page.title), ("top", f"{tie}\n分享至"),
               ("body", body if body is not None else "第一段\n第二段"), ("recommends", ""), ("side", "\n".join(side))]
    aria = "".join([f'- heading "{page.title}" [level=1]\n', f'- link "{tie}":\n  - /url: "#post_comment_area"\n',
                    f'- link "网易首页":\n  - /url: {origin}/\n',
                    *(f'- link "{t}":\n  - /url: javascript:;\n' for t in side)])
    meta = Meta(id=page.id, mode="normal", requested_url=page.live_url, final_url=origin + page.path, status=200,
                generation=page.generation, base_url=base_url, text_regions=nonempty_regions(regions))
    return Bundle(path=Path("captures") / page.id / "normal", meta=meta, raw=dom.encode(), dom=dom,
                  text=format_text(regions), aria=aria, screenshot=b"", a11y=dict(A11Y if a11y is None else a11y))


def masked(v: GoldenViews) -> GoldenViews:
    """The views as a golden stores them: :func:`views` masks the extraction itself (``data`` is the
    unmasked one), so this only checks that it did."""
    assert v.data is not None and v.extraction == mask_article(v.data)
    return v


@pytest.fixture(scope="module")
def html() -> str:
    return render(seed_page(), "normal")


@pytest.fixture(scope="module")
def golden_views(html) -> GoldenViews:
    return masked(views(make_bundle(html)))


def crafted(**extraction) -> GoldenViews:
    data = {"url": "u", "mode": "normal", "generation": "post2020_dy", "title": "标题", "published": "2024-05-24",
            "blocks": [{"type": "p", "text": "第一段"}, {"type": "p", "text": "第二段"}],
            "side_modules": [{"title": "头条要闻", "items": []}, {"title": "财经要闻", "items": []}],
            "recommendations": {"相关推荐": [], "热点推荐": []}, "source": {"name": "天津发布"},
            "share": ["share_weixin", "share_weibo"]}
    data.update(extraction)
    return GoldenViews(extraction=data, skeleton={"body": ["div.post_body", "  p +"]}, text="标题\n", aria="- x\n",
                       a11y=dict(A11Y))


# --- views ---------------------------------------------------------------------------------------

def test_views_are_extraction_skeleton_masked_text_and_aria_and_a11y(html):
    b = make_bundle(html, base_url=None)
    v = views(b)
    page = seed_page()
    assert v.data == json.loads(extract(html, page.live_url).to_json())
    assert v.extraction == mask_article(v.data)  # views come masked; data is the extraction as read
    assert v.skeleton == skeleton(html, "normal")
    assert "<top: volatile, in range 1..4 lines>" in v.text and "<side: volatile" in v.text
    assert v.text.startswith("网易首页 > 网易天津 > 正文\n\n" + page.title + "\n\n<top")
    assert v.a11y == A11Y
    side = side_titles(html)
    assert side and not [t for t in side if t in v.aria], "side item names are volatile strings in the aria view"
    assert f'- heading "{page.title}" [level=1]' in v.aria and '- link "<n>":' in v.aria


def test_views_write_the_replica_origin_as_the_live_one(html):
    """Goldens do not depend on the replica's port: the same page on two ports gives the same views."""
    a, b = views(make_bundle(html, base_url=BASE)), views(make_bundle(html, base_url="http://127.0.0.1:9999"))
    assert a == b
    assert a.extraction["url"] == a.data["url"] == seed_page().live_url
    assert "127.0.0.1" not in json.dumps(a.data) + json.dumps(a.extraction) + a.text + a.aria
    assert f"/url: {LIVE_ORIGIN}/" in a.aria


def test_extraction_data_reuses_a_parsed_tree(html):
    from capture.extract import parse

    b = make_bundle(html)
    assert compare.extraction_data(b, parse(b.dom)) == compare.extraction_data(b)
    assert compare.extraction_of(b).title == seed_page().title


# --- classification on bundles -------------------------------------------------------------------

def test_same_capture_has_no_difference(html, golden_views):
    assert classify(golden_views, masked(views(make_bundle(html)))) == []


def test_masked_churn_is_volatile_only(html, golden_views):
    """Another 跟贴 count and other side-module items: nothing fails; the churn is named, never failing."""
    churned_html = drift.apply("side-items", "normal", html).replace(TIE, 'title="点击查看跟贴">1234</a>')
    assert side_titles(churned_html) != side_titles(html)
    new = views(make_bundle(churned_html, tie="1234"))
    assert classify(golden_views, masked(new)) == []
    old = views(make_bundle(html)).data
    churn = volatile_changes(old, new.data)
    assert {(d.cls, d.region, d.fails) for d in churn} == {("volatile-only", "title-info", False),
                                                            ("volatile-only", "side", False)}
    assert {d.reason for d in churn} == {"tie_count churned", "side_modules churned"}


def test_changed_skeleton_is_layout_and_explains_its_content_change(html, golden_views):
    """A wrapper around the body's first paragraph is a body layout change; its text edit in the same
    region is not reported again as content."""
    first = re.search(r'<p(?: id="[0-9A-Z]{8}")?>[^<]+</p>', html.split('class="post_body"', 1)[1]).group(0)
    wrapped = html.replace(first, f'<div class="post_p_wrap">{first.replace("5月24日", "6月1日")}</div>', 1)
    diffs = classify(golden_views, masked(views(make_bundle(wrapped))))
    assert [(d.cls, d.region) for d in diffs] == [("layout-changed", "body")]
    assert diffs[0].fails and "div.post_p_wrap" in diffs[0].reason


def test_changed_text_in_the_same_skeleton_is_content(html, golden_views):
    edited = re.sub(r'(<p(?: id="[0-9A-Z]{8}")?>)程勇介绍：</p>', r"\1程勇说：</p>", html, count=1)
    assert edited != html
    diffs = classify(golden_views, masked(views(make_bundle(edited))))
    assert [(d.cls, d.region) for d in diffs] == [("content-changed", "body")]
    assert diffs[0].reason == "body block 2 edited: 程勇介绍： → 程勇说："


def test_text_only_change_is_content_naming_the_line(html, golden_views):
    """When the extraction and skeleton agree, an edited line of text.txt is content in region ``text``."""
    diffs = classify(golden_views, masked(views(make_bundle(html, body="第一段\n第二段改"))))
    assert [(d.cls, d.region, d.reason) for d in diffs] == [("content-changed", "text", "line 8: 第二段 → 第二段改")]


def test_aria_only_change_is_content(golden_views):
    new = replace(golden_views, aria=golden_views.aria.replace("网易首页", "首页"))
    assert [(d.cls, d.region) for d in classify(golden_views, new)] == [("content-changed", "aria")]


def test_text_change_is_reported_beside_an_informational_a11y_note(golden_views):
    new = replace(golden_views, text=golden_views.text.replace("正文", "正文改"), a11y={})
    assert ("content-changed", "text") in {(d.cls, d.region) for d in classify(golden_views, new)}


# --- classification rules on crafted views -------------------------------------------------------

@pytest.mark.parametrize("change, want", [
    (dict(generation="endpage1301"), ("layout-changed", "page", "template generation post2020_dy → endpage1301")),
    (dict(title=""), ("layout-changed", "title-info", "title is gone (was 标题)")),
    (dict(title="新标题"), ("content-changed", "title-info", "title 标题 → 新标题")),
    (dict(source={"name": "北青网"}), ("content-changed", "title-info", 'source {"name": "天津发布"} → {"name": "北青网"}')),
    (dict(blocks=[{"type": "p", "text": "第一段"}]), ("content-changed", "body", "body has 1 blocks, was 2")),
    (dict(side_modules=[{"title": "财经要闻", "items": []}]),
     ("layout-changed", "side", "side modules 头条要闻 · 财经要闻 → 财经要闻")),
    (dict(recommendations={"相关推荐": [], "热门": []}),
     ("layout-changed", "recommendations", "recommendation tabs ['相关推荐', '热点推荐'] → ['相关推荐', '热门']")),
    (dict(share=["share_weibo"]), ("layout-changed", "title-info", 'share ["share_weixin", "share_weibo"] → ["share_weibo"]')),
])
def test_field_changes_are_classed_by_field(change, want):
    diffs = classify(crafted(), crafted(**change))
    assert [(d.cls, d.region, d.reason) for d in diffs] == [want]
    assert all(d.fails for d in diffs)


def test_accessibility_links_changing_is_layout_in_nav_a11y():
    old = crafted(accessibility={"care_url": "https://www.163.com/a_pdya11y.html"})
    new = crafted(accessibility={"care_url": None})
    [d] = classify(old, new)
    assert (d.cls, d.region) == ("layout-changed", "nav-a11y") and d.reason.startswith("accessibility links ")


def test_a_field_new_in_the_capture_only_is_not_compared():
    """Fields are walked from the golden: one only the new capture has is not a difference (yet)."""
    assert classify(crafted(), crafted(brand_new_field="x")) == []


def test_layout_comes_before_content_and_long_values_are_shortened():
    old, new = crafted(title="标" * 80), crafted(generation="post2020_cms", title="题" * 80)
    new = replace(new, skeleton={"body": ["div.post_body", "  div.wrap", "    p +"]})
    diffs = classify(old, new)
    assert [(d.cls, d.region) for d in diffs] == [("layout-changed", "page"), ("layout-changed", "body"),
                                                  ("content-changed", "title-info")]
    assert diffs[1].reason == "p + → div.wrap"
    assert "…" in diffs[2].reason and len(diffs[2].reason) < 80


@pytest.mark.parametrize("old, new, reason", [
    (["div.a", "  p"], ["div.a", "  span"], "p → span"),
    (["div.a", "  p", "  img"], ["div.a", "  p"], "gone: img"),
    (["div.a", "  p"], ["div.a", "  p", "  ul"], "new: ul"),
    (["div.a", "  p", "  ul"], ["div.a", "  ul", "  p"], "order changed near ul"),
])
def test_skeleton_reasons_name_what_moved(old, new, reason):
    g = replace(crafted(), skeleton={"side": old})
    [d] = classify(g, replace(g, skeleton={"side": new}))
    assert (d.cls, d.region, d.reason) == ("layout-changed", "side", reason)


def test_a_region_only_one_side_has_is_a_layout_change():
    g = crafted()
    [d] = classify(g, replace(g, skeleton={**g.skeleton, "side": ["div.post_side"]}))
    assert (d.cls, d.region, d.reason) == ("layout-changed", "side", "new: div.post_side")


# --- the same value told differently: time precision, share classes with a build hash ----------------

_SECONDS = "2024-05-24T09:16:04+08:00"


def timed(published: str, shape: str | None) -> GoldenViews:
    """Crafted views whose skeleton carries the publish time's format line (as format_probes write it)."""
    v = crafted(published=published)
    lines = [f"format html@data-publishtime: {shape}"] if shape else []
    return replace(v, skeleton={**v.skeleton, "title-info": ["div.post_info", *lines]})


def test_a_time_shown_to_the_minute_that_is_the_goldens_is_an_informational_note():
    diffs = classify(timed(_SECONDS, "9999-99-99 99:99:99"), timed("2024-05-24T09:16:00+08:00", "9999-99-99 99:99"))
    notes = [d for d in diffs if d.cls == "volatile-only"]
    assert [(d.region, d.reason, d.fails) for d in notes] == [
        ("title-info", "published shown to the minute now (was to the second)", False)]
    assert not any(d.cls == "content-changed" for d in diffs)
    # The format line itself is still the layout's (accept the new golden to record the precision).
    assert [(d.cls, d.region) for d in diffs if d.fails] == [("layout-changed", "title-info")]


def test_a_time_shown_as_the_day_alone_that_is_the_goldens_is_an_informational_note():
    [d] = classify(crafted(published=_SECONDS), crafted(published="2024-05-24"))
    assert (d.cls, d.reason, d.fails) == ("volatile-only", "published shown to the day now (was to the second)", False)


@pytest.mark.parametrize("new, shape", [
    ("2024-05-24T09:21:04+08:00", "9999-99-99 99:99:99"),  # another time, same format: the newsroom's
    ("2024-05-24T09:17:00+08:00", "9999-99-99 99:99"),  # to the minute, but another minute
    ("2024-05-24T09:16:00+08:00", "9999-99-99 99:99:99"),  # shown to the second: 09:16:00 is another time
    ("2024-05-25", None),  # another day
])
def test_a_real_time_change_still_fails(new, shape):
    diffs = classify(timed(_SECONDS, "9999-99-99 99:99:99"), timed(new, shape))
    assert not any(d.cls == "volatile-only" for d in diffs)
    assert any(d.fails for d in diffs)
    if shape == "9999-99-99 99:99:99":  # same format: the time is content
        assert [(d.cls, d.region) for d in diffs] == [("content-changed", "title-info")]


def test_share_classes_carrying_a_build_hash_are_the_same_buttons():
    assert classify(crafted(), crafted(share=["share_weixin-a1b2c3", "share_weibo-a1b2c3"])) == []
    assert classify(crafted(), crafted(share=["share_weixin_x9k2", "share_weibo_x9k2"])) == []


@pytest.mark.parametrize("share", [["share_weibo-a1", "share_weixin-a1"], ["share_weixinpay", "share_weibo"],
                                   ["share_weixin-a1"], ["share_qq-a1", "share_weibo-a1"]])
def test_other_share_buttons_are_still_a_layout_change(share):
    [d] = classify(crafted(), crafted(share=share))
    assert (d.cls, d.region, d.fails) == ("layout-changed", "title-info", True)


# --- a body split across sibling containers is layout, not an edit ------------------------------------

_PARAS = [{"type": "p", "text": t} for t in ("第一段文字", "第二段文字", "第三段文字")]


def test_a_body_split_into_sibling_containers_is_layout_in_body():
    """The body reads the first container (a prefix of the golden's blocks); the page's aria snapshot
    shows the rest after it."""
    old = crafted(blocks=_PARAS)
    new = replace(crafted(blocks=_PARAS[:1]), aria="- paragraph: 第一段文字\n- paragraph: 第二段文字\n- paragraph: 第三段文字\n")
    diffs = classify(old, new)
    assert [(d.cls, d.region) for d in diffs] == [("layout-changed", "body")]
    assert diffs[0].reason.startswith("body split: the body reads the golden's first 1 of 3 blocks")


@pytest.mark.parametrize("new_blocks, aria", [
    (_PARAS[:1], "- paragraph: 第一段文字\n"),  # the rest is gone from the page: cut by the newsroom
    (_PARAS[:1], "- paragraph: 第一段文字\n- paragraph: 第三段文字\n- paragraph: 第二段文字\n"),  # not in order
    ([_PARAS[0], {"type": "p", "text": "新的一段"}], "- paragraph: 第二段文字\n- paragraph: 第三段文字\n"),  # not a prefix
])
def test_a_body_that_is_not_the_goldens_split_is_content(new_blocks, aria):
    diffs = classify(crafted(blocks=_PARAS), replace(crafted(blocks=new_blocks), aria=aria))
    assert [(d.cls, d.region) for d in diffs] == [("content-changed", "body")]


def test_a_split_body_on_the_replica_page_is_layout(html, golden_views):
    from capture.replica.drift_families import apply_split

    split = apply_split(html, {"at": 0.5, "second": '<div class="post_body_2">', "gap": False})
    assert split != html
    paras = [b["text"] for b in golden_views.extraction["blocks"] if b.get("text")]
    new = views(make_bundle(split))
    assert new.extraction["blocks"] != golden_views.extraction["blocks"]
    new = replace(new, aria=new.aria + "".join(f"- paragraph: {t}\n" for t in paras))  # aria reads the whole page
    body = [d for d in classify(golden_views, new) if d.region == "body"]
    assert [d.cls for d in body] == ["layout-changed"], body
    assert not any(d.cls == "content-changed" for d in classify(golden_views, new))


# --- a11y ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode, fails", [("normal", False), ("care", True)])
def test_unmeasured_a11y_is_a_care_regression_failing_on_care_pages_only(mode, fails):
    [d] = a11y_differences(A11Y, {}, mode)
    assert (d.cls, d.region, d.fails) == ("care-regression", "a11y", fails)
    assert d.reason == "accessibility not measured: no a11y.json"
    [e] = a11y_differences(A11Y, {"error": "axe timed out"}, mode)
    assert e.reason == "accessibility not measured: axe timed out" and e.fails is fails


def test_same_a11y_figures_on_a_normal_page_are_no_difference():
    assert a11y_differences(A11Y, dict(A11Y), "normal") == []


def test_care_page_below_its_thresholds_fails_in_classify():
    """Care figures are judged against the rules table even when the golden has the same figures."""
    g = replace(crafted(mode="care"), a11y={"text": {"font_px": 14}})
    diffs = classify(g, g)
    assert diffs and {d.cls for d in diffs} == {"care-regression"} and all(d.fails for d in diffs)
    assert "type-size" in {d.region for d in diffs}


# --- volatile_changes ----------------------------------------------------------------------------

def test_volatile_changes_name_each_churned_field_and_never_fail():
    old = {"tie_count": 1, "recommendations": {"热点推荐": [1]}, "side_modules": [], "yuanchuang": [], "title": "a"}
    new = {**old, "tie_count": 2, "yuanchuang": [{"title": "x"}], "title": "b"}
    diffs = volatile_changes(old, new)
    assert [(d.cls, d.region, d.reason, d.fails) for d in diffs] == [
        ("volatile-only", "title-info", "tie_count churned", False), ("volatile-only", "side", "yuanchuang churned", False)]
    assert volatile_changes(old, dict(old)) == []


def test_every_field_region_is_a_skeleton_region_or_page():
    """The report's regions for fields are the skeleton's (or ``page``), so layout and field rows agree."""
    SKELETON_REGION_NAMES = default_site().skeleton_region_names

    assert set(compare.FIELD_REGION.values()) <= set(SKELETON_REGION_NAMES) | {"page"}
    assert set(compare.CONTENT_FIELDS) <= set(compare.FIELD_REGION)
