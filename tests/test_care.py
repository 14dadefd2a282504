"""The 关怀版 of unknown markup: read generically, judged by whether it carries the normal article.

No real care page has ever been saved, so the markups here are made up on purpose and differ from each
other and from the replica's: a reader that knew any of them would fail the others. The real samples
with every class and id scrambled stand in for "the site's own markup, whatever it is".
"""

from __future__ import annotations

import json

import pytest

from capture.bundle import Bundle, Meta
from capture.compare import care_differences, extraction_data
from capture.errors import MissingField
from capture.extract import extract
from capture.extract.care import care_problems, missing_from_care
from capture.fingerprint import skeleton
from capture.testing import load_sample, scramble_markup

TID = "J2ZZCARE0000TEST"
NORMAL_URL = f"https://www.163.com/dy/article/{TID}.html"
CARE_URL = f"https://www.163.com/dy/article/{TID}_pdya11y.html"
TITLE = "滨海新区新开一座城市公园"
PARAS = ["公园占地约十二公顷，今日起对市民开放。", "园内步道全长三公里，沿途设有休息区。",
         "市民可通过公交直达公园南门。", "公园管理处表示，夜间照明将于下月投用。"]

NORMAL = f"""<!DOCTYPE html><html id="ne_wrap" data-publishtime="2024-05-24 11:32:10"><head>
<link rel="stylesheet" href="https://static.ws.126.net/163/f2e/product/post2020_dy/static/css/main.css"></head>
<body aria-url="{CARE_URL}"><div class="post_main"><div class="post_crumb"><a href="/">网易首页</a> &gt; 正文</div>
<h1 class="post_title">{TITLE}</h1>
<div class="post_info">2024-05-24 11:32:10　来源: <a href="https://www.163.com/dy/media/T1.html">示例日报</a></div>
<div class="post_body">{''.join(f'<p>{p}</p>' for p in PARAS)}</div>
<div class="creative_statement">责任编辑：王五_NBJ1</div></div></body></html>"""

#: Three care markups nobody's code knows: the article restyled, a stripped page, a table layout.
MARKUPS = {
    "restyled": f"""<html id="ne_wrap" data-publishtime="2024-05-24 11:32:10"><body class="ariabodytopfiexed">
<div id="cniil_wza">无障碍浏览</div><div class="post_main"><h1 class="post_title">{TITLE}</h1>
<div class="post_info">2024-05-24 11:32:10　来源: <a href="https://www.163.com/dy/media/T1.html">示例日报</a>
<a href="javascript:;">举报</a></div><div class="post_body">{''.join(f'<p>{p}</p>' for p in PARAS)}</div>
<div class="creative_statement">责任编辑：王五_NBJ1</div></div></body></html>""",
    "standalone": f"""<html lang="zh-CN"><head><meta property="og:title" content="{TITLE}"></head><body>
<header class="eld-top"><a href="{NORMAL_URL}">返回普通版</a><p>字号 大 中 小</p></header>
<section class="eld-article"><h1 class="eld-h">{TITLE}</h1>
<div class="eld-meta"><span>来源：示例日报</span> <time>2024-05-24 11:32</time></div>
<div class="eld-text">{''.join(f'<p class="eld-p">{p}</p>' for p in PARAS)}</div>
<p class="eld-foot">责任编辑：王五_NBJ1</p></section></body></html>""",
    "table": f"""<html><head><meta property="og:title" content="{TITLE}"></head><body><table><tr>
<td class="t1"><b>{TITLE}</b><br><span>2024年5月24日 11:32:10 来源: 示例日报</span></td></tr>
<tr><td class="t2">{''.join(f'<p>{p}</p>' for p in PARAS)}</td></tr></table></body></html>""",
}


def _normal() -> dict:
    return json.loads(extract(NORMAL, NORMAL_URL).to_json())


@pytest.mark.parametrize("markup", sorted(MARKUPS))
def test_a_care_page_of_any_markup_carries_the_article(markup):
    care = extract(MARKUPS[markup], CARE_URL, mode="care")
    normal = _normal()
    assert care.mode == "care" and care.generation == "care"
    assert care.title == TITLE
    assert [b.text for b in care.blocks] == PARAS
    assert care.published and care.published.startswith("2024-05-24T11:32")
    assert care.source is not None and care.source.name == "示例日报"
    assert missing_from_care(json.loads(care.to_json()), normal) == []
    sk = skeleton(MARKUPS[markup], "care")
    assert sk["body"] and not any("(missing" in line for line in sk["body"])


def test_the_care_url_alone_makes_a_page_a_care_page():
    assert extract(MARKUPS["standalone"], CARE_URL).mode == "care"


def test_the_standalone_markup_finds_its_way_back_and_the_editor():
    care = extract(MARKUPS["standalone"], CARE_URL, mode="care")
    assert care.accessibility.normal_url == NORMAL_URL
    assert care.editor == "王五_NBJ1"


def test_care_skeleton_shows_a_wrapper_added_around_the_body():
    before = skeleton(MARKUPS["standalone"], "care")
    wrapped = MARKUPS["standalone"].replace('<div class="eld-text">', '<div class="eld-wrap"><div class="eld-text">')
    wrapped = wrapped.replace('<p class="eld-foot">', '</div><p class="eld-foot">')
    after = skeleton(wrapped, "care")
    assert before["body"][1:] == after["body"][1:]  # the same paragraphs
    assert before["body"][0] != after["body"][0] and after["body"][0].endswith("div.eld-wrap")


def test_care_skeleton_shows_a_new_date_format():
    before = skeleton(MARKUPS["standalone"], "care")["title-info"]
    after = skeleton(MARKUPS["standalone"].replace("2024-05-24 11:32", "2024/05/24 11:32"), "care")["title-info"]
    assert before != after and any("9999/99/99" in line for line in after)


def test_a_care_page_without_the_body_says_what_is_missing():
    gone = MARKUPS["standalone"].replace(PARAS[1], "").replace(PARAS[2], "")
    problems = missing_from_care(json.loads(extract(gone, CARE_URL, mode="care").to_json()), _normal())
    assert len(problems) == 1 and "2 of 4 body paragraphs" in problems[0] and PARAS[1][:10] in problems[0]


def test_a_care_page_with_another_title_says_so():
    other = MARKUPS["standalone"].replace(TITLE, "另一篇文章的标题")
    problems = missing_from_care(json.loads(extract(other, CARE_URL, mode="care").to_json()), _normal())
    assert any(p.startswith("title") and TITLE in p for p in problems)


def test_a_care_page_that_is_no_article_is_missing_field_not_a_crash():
    with pytest.raises(MissingField, match="carries no article body"):
        extract("<html><body><h1>页面不存在</h1><div>404</div></body></html>", CARE_URL, mode="care")
    with pytest.raises(MissingField, match="carries no title"):
        extract("<html><body><div><p>只有一段</p></div></body></html>", CARE_URL, mode="care")


def test_the_normal_page_again_is_named():
    problems = care_problems(_normal(), _normal(), NORMAL_URL, NORMAL_URL)
    assert problems == [f"the 关怀版 link led back to the normal page {NORMAL_URL}"]


def _bundle(html: str, mode: str, url: str) -> Bundle:
    from pathlib import Path

    meta = Meta(id=TID, mode=mode, requested_url=url, final_url=url, status=200, charset="utf-8")
    return Bundle(path=Path("/nonexistent"), meta=meta, raw=html.encode(), dom=html, text="", aria="", screenshot=b"")


@pytest.mark.parametrize("care_html, url, expect", [
    (MARKUPS["standalone"], CARE_URL, None),
    (MARKUPS["standalone"].replace(PARAS[0], "").replace(PARAS[3], ""), CARE_URL, "does not carry the article"),
    (NORMAL, NORMAL_URL, "led back to the normal page"),
    ("<html><body><h1>出错了</h1><p></p></body></html>", CARE_URL, "carries no article body"),
])
def test_care_differences_are_care_regressions(care_html, url, expect):
    diffs = care_differences(_bundle(care_html, "care", url), extraction_data(_bundle(NORMAL, "normal", NORMAL_URL)),
                             NORMAL_URL)
    if expect is None:
        assert diffs == []
    else:
        assert len(diffs) == 1 and diffs[0].cls == "care-regression" and diffs[0].fails
        assert expect in diffs[0].reason and "\n" not in diffs[0].reason


@pytest.mark.parametrize("name, url", [
    ("magichtml_2024_dy_J22CN60P0514R9KQ_dom.html", "https://www.163.com/dy/article/J22CN60P0514R9KQ"),
    ("nanmicoder_2025_news_KC12OUHK000189FH_raw.html", "https://www.163.com/news/article/KC12OUHK000189FH"),
])
def test_a_real_page_in_unknown_markup_is_read_as_its_care_page(name, url):
    """The real page with every class and id scrambled is no generation's, yet as a 关怀版 it carries
    the article the normal reader finds in the original."""
    html = load_sample(name).decode("utf-8")
    normal = json.loads(extract(html, url + ".html").to_json())
    care = json.loads(extract(scramble_markup(html), url + "_pa11y.html", mode="care").to_json())
    assert care["generation"] == "care" and care["title"] == normal["title"]
    assert care["published"] == normal["published"]
    assert care["source"] and care["source"]["name"] == normal["source"]["name"]
    assert missing_from_care(care, normal) == []
    assert care_problems(care, normal, url + "_pa11y.html", url + ".html") == []


def test_extraction_data_of_a_care_bundle_is_generic():
    data = extraction_data(_bundle(MARKUPS["table"], "care", CARE_URL))
    assert data["generation"] == "care" and data["title"] == TITLE
