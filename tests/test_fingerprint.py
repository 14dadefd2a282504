"""Unit tests of :mod:`capture.fingerprint`: per-region DOM skeletons and date shapes of a small page."""

from __future__ import annotations

from pathlib import Path

import pytest

from capture.extract import parse
from capture.fingerprint import skeleton
from capture.replica import render, seed_page
from capture.sites import default_site

PAGE = """<!DOCTYPE html>
<html data-publishtime="{published}">
<body>
<div id="js_N_nav_left" class="c-fl"><a class="ntes-nav-index-title" href="/">{home}</a></div>
<div class="post_main">
  <div class="post_crumb"><a href="/">{home}</a> &gt; <a href="/tj">{channel}</a> &gt; 正文</div>
  <h1 class="post_title">{title}</h1>
  <div class="post_info">{published} 来源: <a href="/media/{n}">{source}</a><!-- note --></div>
  <div class="post_top"><a class="post_top_tie_count" href="#c">{n}</a><ul class="post_share"><li class="share_weixin"></li></ul></div>
  <div class="{body_class}">
    <script>var x = 1;</script>
    <p>{p1}</p>{extra_p}
    <p class="f_center"><img src="/img/{n}.png" style="width:{n}px"></p>
    <p>{p2}<br>下一行</p>
  </div>
  <div class="post_recommends">
    <div class="post_recommends_titles"><div class="post_recommends_title {tab}">相关推荐</div><div class="post_recommends_title">热点推荐</div></div>
    <ul><li data-id="{n}"><a>{p1}</a></li><li><a>{p2}</a></li><li><a>三</a></li></ul>
  </div>
</div>
<div class="post_side">{side}</div>
</body>
</html>
"""
SIDE_MOD = '<div class="post_side_mod"><h2 class="post_side_mod_title"><a>{}</a></h2><ul><li><a>一</a></li></ul></div>'
SIDE = SIDE_MOD.format("头条要闻") + '<div class="blank25"></div>' + SIDE_MOD.format("财经要闻")
VALUES = dict(published="2024-05-24 11:32:10", home="网易首页", channel="网易天津", title="标题", n="12",
              source="天津发布", body_class="post_body", p1="第一段", p2="第二段", extra_p="", tab="active",
              side=SIDE)


def page(**kw) -> str:
    return PAGE.format(**{**VALUES, **kw})


def changed_regions(a: dict, b: dict) -> set[str]:
    return {r for r in a.keys() | b.keys() if a.get(r) != b.get(r)}


@pytest.fixture(scope="module")
def base() -> dict[str, list[str]]:
    return skeleton(page())


def test_every_region_of_the_mode_is_fingerprinted(base):
    """Keys are the site table's regions of the normal fallback generation (this page carries no
    generation's asset markers), in table order; a 关怀版's are the parts the generic care reader found."""
    want = list(default_site().skeleton_regions[default_site().fallback_generation["normal"]])
    assert list(skeleton(page(), "normal")) == want
    assert list(skeleton(page(), "care")) == ["crumb", "title-info", "body"]


CASES = Path(__file__).resolve().parent / "cases"
OLDER = {"post_content_main": "post_content_main", "dy_v2": "dy_v2", "endpage1301_gbk": "endpage1301"}


@pytest.mark.parametrize("case", sorted(OLDER))
def test_an_older_generation_is_fingerprinted_by_its_own_regions(case):
    """A 2016–2020 page's skeleton has its generation's regions, each found (none "(missing …)"), and
    its date format probed by its own ``published`` selector."""
    generation = OLDER[case]
    sk = skeleton((CASES / case / "page.html").read_bytes())
    assert list(sk) == list(default_site().skeleton_regions[generation])
    assert not [line for lines in sk.values() for line in lines if line.startswith("(missing")], sk
    (probe,) = default_site().format_probes[generation]
    assert sk["title-info"][-1].startswith(f"format {probe[1]}: 9999-99-99"), sk["title-info"]
    assert len(sk["body"]) > 1, "the body root and its children"


def test_skeleton_lines_are_tags_ids_sorted_classes_and_indent(base):
    """``tag#id.class``, classes sorted, script/comment/br skipped, identical siblings collapsed with +."""
    assert base["nav-a11y"] == ["div#js_N_nav_left.c-fl", "  a.ntes-nav-index-title"]
    assert base["crumb"] == ["div.post_crumb", "  a +"]
    assert base["body"] == ["div.post_body", "  p *", "  p.f_center *", "    img"]  # a set of shapes
    assert "script" not in " ".join(base["body"])
    assert base["side"][:4] == ["div.post_side", "  div.post_side_mod", "    h2.post_side_mod_title", "      a"]
    assert "    li +" in base["recommendations"]


def test_volatile_classes_are_not_layout(base):
    """A tab's ``active``/``current`` state is toggled by scripts: it is dropped from the label."""
    assert "    div.post_recommends_title +" in base["recommendations"]
    assert skeleton(page(tab="current")) == base


def test_text_numbers_links_and_attributes_do_not_change_the_skeleton(base):
    """Everything but tags, ids and classes is content or churn: the skeleton ignores it."""
    other = page(home="首页", channel="新闻", title="另一个标题", n="99999", source="北青网", p1="改写",
                 p2="另一段", published="2025-12-31 23:59:59")
    assert skeleton(other) == base


def test_more_or_reordered_body_paragraphs_are_content_not_layout(base):
    """The body is compared as a set of shapes: more paragraphs, or an image moved, are not layout."""
    assert skeleton(page(extra_p="<p>多一段</p><p>再一段</p>")) == base
    image = '<p class="f_center"><img src="/img/12.png" style="width:12px"></p>'
    html = page()
    assert image in html
    moved = html.replace(image, "").replace("下一行</p>", "下一行</p>" + image)
    assert moved != html and skeleton(moved) == base


def test_image_moved_to_the_top_of_the_body_is_content(base):
    image = '<p class="f_center"><img src="/img/12.png" style="width:12px"></p>'
    moved = page().replace(image, "").replace("<p>第一段</p>", image + "<p>第一段</p>")
    assert skeleton(moved)["body"] == base["body"]


@pytest.mark.parametrize("change, region", [
    ("class-renamed", "body"),
    ("wrapper-added", "body"),
    ("side-module-removed", "side"),
    ("side-wrapper-added", "side"),
    ("crumb-class-renamed", "crumb"),
    ("nav-id-renamed", "nav-a11y"),
])
def test_layout_changes_show_in_their_region_only(base, change, region):
    html = page()
    if change == "class-renamed":
        html = page(body_class="post_body_v2 post_body")
    elif change == "wrapper-added":
        html = html.replace("<p>第一段</p>", '<div class="inner"><p>第一段</p></div>')
    elif change == "side-module-removed":
        html = page(side=SIDE_MOD.format("头条要闻") + '<div class="blank25"></div>')
    elif change == "side-wrapper-added":
        html = page(side=f'<div class="side_wrap">{SIDE}</div>')
    elif change == "crumb-class-renamed":
        html = html.replace('class="post_crumb"', 'class="post_crumb crumb_v2"')
    else:
        html = html.replace('id="js_N_nav_left"', 'id="js_N_nav_left2"').replace(
            '<body>', '<body><div id="js_N_nav_left"></div>', 1)
    assert changed_regions(base, skeleton(html)) == {region}


def test_a_missing_region_says_which_selector(base):
    html = page().replace('<div class="post_top">', '<div class="post_top_v2">')
    sk = skeleton(html)
    assert "(missing .post_top)" in sk["title-info"]
    assert changed_regions(base, sk) == {"title-info"}


def test_accepts_text_bytes_and_a_parsed_tree(base):
    html = page()
    assert skeleton(html.encode("utf-8")) == base
    assert skeleton(parse(html)) == base


# --- date shapes ---------------------------------------------------------------------------------

def fmt(sk: dict, probe: str) -> str:
    [line] = [x for x in sk["title-info"] if x.startswith(f"format {probe}")]
    return line.split(": ", 1)[1]


def test_date_values_are_reduced_to_their_shape(base):
    assert fmt(base, "html@data-publishtime") == "9999-99-99 99:99:99"
    assert fmt(base, ".post_info") == "9999-99-99 99:99:99"
    assert base["title-info"][-2:] == ["format html@data-publishtime: 9999-99-99 99:99:99",
                                       "format .post_info: 9999-99-99 99:99:99"]


@pytest.mark.parametrize("published, shape", [
    ("2024年5月24日 11:32", "9999年9月99日 99:99"),
    ("2024/05/24 11:32:10", "9999/99/99 99:99:99"),
    ("2024-05-24", "9999-99-99"),
    ("发布于昨天", "(none)"),
])
def test_a_new_date_format_is_a_new_shape(base, published, shape):
    sk = skeleton(page(published=published))
    assert fmt(sk, "html@data-publishtime") == shape and fmt(sk, ".post_info") == shape
    assert changed_regions(base, sk) == {"title-info"}


def test_missing_probe_element_and_attribute():
    html = page().replace('<div class="post_info">', '<div class="post_info_v2">').replace(
        ' data-publishtime="2024-05-24 11:32:10"', "")
    sk = skeleton(html)
    assert fmt(sk, ".post_info") == "(missing)"
    assert fmt(sk, "html@data-publishtime") == "(none)"


# --- on a replica page ---------------------------------------------------------------------------

def test_replica_seed_page_skeleton_has_no_missing_region_and_ignores_text():
    """On the seed page every normal region is found; retitling the article leaves it unchanged."""
    p = seed_page()
    html = render(p, "normal")
    sk = skeleton(html)
    assert not [line for lines in sk.values() for line in lines if line.startswith("(missing")]
    assert skeleton(html.replace(p.title, "完全不同的标题")) == sk
    care = skeleton(render(p, "care"), "care")
    assert list(care) == ["crumb", "title-info", "body"] and care["body"][1] == "div.post_body"
