"""Unit tests of :mod:`capture.volatile`: the site table's masking rules, applied to small inputs."""

from __future__ import annotations

import copy
import json

import pytest

from capture import volatile
from capture.extract import extract
from capture.replica import render, seed_page
from capture.sites import default_site


def rec(title: str, time: str = "2024-09-17 04:49:23", **extra) -> dict:
    return {"title": title, "url": "javascript:;", "source": "来源", "time": time, **extra}


def article(**kw) -> dict:
    """A small extraction dict with every volatile field the site table names."""
    data = {
        "url": "https://www.163.com/dy/article/J30TJ1QA0530JPVV.html", "mode": "normal", "title": "标题",
        "tie_count": 1234,
        "recommendations": {"相关推荐": [rec("甲"), rec("乙")], "热点推荐": [rec("热一"), rec("热二")]},
        "side_modules": [{"title": "头条要闻", "url": "https://news.163.com/",
                          "items": [{"title": "要闻一", "url": "https://www.163.com/a.html"}]}],
        "yuanchuang": [{"title": "原创一", "url": "https://www.163.com/b.html"}],
    }
    data.update(kw)
    return data


@pytest.fixture(scope="module")
def seed_extraction() -> dict:
    page = seed_page()
    return json.loads(extract(render(page, "normal"), page.live_url).to_json())


# --- the table itself ----------------------------------------------------------------------------

def test_every_volatile_rule_is_of_a_kind_the_masker_knows():
    """A typo in a rule's kind would silently mask nothing; list rules carry their count range."""
    for path, kind, bounds, why in default_site().volatile_fields:
        assert kind in ("count", "list", "time"), path
        assert (bounds is not None) == (kind == "list"), path
        assert why, f"{path}: say why it churns"
    assert set(default_site().volatile_text_regions) <= {name for regs in default_site().text_regions.values() for name, _ in regs}


# --- mask_article --------------------------------------------------------------------------------

def test_counts_lists_and_times_are_masked_by_the_table():
    masked = volatile.mask_article(article())
    assert masked["tie_count"] == "<count>"
    for tab in ("热点推荐", "相关推荐"):  # 相关推荐 is recomputed on every request (issue 13)
        assert masked["recommendations"][tab] == {"volatile": "list", "count": "in range 0..60",
                                                  "item_fields": ["source", "time", "title", "url"],
                                                  "time_formats": ["9999-99-99 99:99:99"]}
    assert masked["side_modules"][0]["items"] == {"volatile": "list", "count": "in range 0..30",
                                                  "item_fields": ["title", "url"]}
    assert masked["side_modules"][0]["title"] == "头条要闻", "module titles are layout, not churn"
    assert masked["yuanchuang"]["count"] == "in range 0..60"
    assert masked["title"] == "标题"


def test_churn_inside_the_rules_masks_to_the_same_value():
    """Other counts, other list items (same fields, count in range) and other times compare equal."""
    a = article()
    b = article(tie_count=7, yuanchuang=[{"title": f"新{i}", "url": f"/n{i}"} for i in range(5)],
                recommendations={"相关推荐": [rec("甲", "2025-01-01 00:00:00"), rec("乙", "2025-02-02 12:30:59")],
                                 "热点推荐": [rec(f"热{i}") for i in range(60)]},
                side_modules=[{"title": "头条要闻", "url": "https://news.163.com/",
                                  "items": [{"title": f"要闻{i}", "url": f"/y{i}"} for i in range(30)]}])
    assert a != b
    assert volatile.mask_article(a) == volatile.mask_article(b)


@pytest.mark.parametrize("change", ["hot-list-too-long", "side-items-too-long", "items-lose-a-field",
                                    "time-format", "count-gone", "module-renamed"])
def test_structural_change_under_a_volatile_field_still_shows(change):
    """A list leaving its count range, items losing a field, a new time format, a count that is no
    longer a number and a renamed side module all survive masking."""
    b = copy.deepcopy(article())
    if change == "hot-list-too-long":
        b["recommendations"]["热点推荐"] = [rec(str(i)) for i in range(61)]
    elif change == "side-items-too-long":
        b["side_modules"][0]["items"] = [{"title": "t", "url": "u"}] * 31
    elif change == "items-lose-a-field":
        b["recommendations"]["热点推荐"] = [{"title": "热一", "url": "javascript:;", "source": "来源"}]
    elif change == "time-format":
        b["recommendations"]["相关推荐"][0]["time"] = "2024年09月17日 04:49"
    elif change == "count-gone":
        b["tie_count"] = None
    else:
        b["side_modules"][0]["title"] = "要闻"
    assert volatile.mask_article(article()) != volatile.mask_article(b)


def test_an_emptied_list_shows_although_its_range_allows_zero():
    """An empty list has no item fields, so a list that empties reads as changed even where its
    range starts at 0: the range bounds the count, ``item_fields`` still tells an empty list apart."""
    emptied = volatile.mask_article(article(yuanchuang=[]))
    assert emptied["yuanchuang"] == {"volatile": "list", "count": "in range 0..60", "item_fields": []}
    assert emptied != volatile.mask_article(article())


def test_out_of_range_count_says_how_many():
    masked = volatile.mask_article(article(yuanchuang=[{"title": "x"}] * 61))
    assert masked["yuanchuang"]["count"] == "61, out of range 0..60"


def test_masking_is_idempotent_and_works_on_a_copy(seed_extraction):
    """Masking a masked extraction changes nothing (goldens are masked again on read); the input is kept."""
    for data in (article(), seed_extraction):
        before = copy.deepcopy(data)
        once = volatile.mask_article(data)
        assert volatile.mask_article(once) == once
        assert data == before


def test_seed_extraction_keeps_no_list_time_unmasked(seed_extraction):
    masked = volatile.mask_article(seed_extraction)
    tabs = masked["recommendations"]  # raw HTML: 热点推荐 is filled by script, so empty here
    assert tabs["相关推荐"]["time_formats"] == ["9999-99-99 99:99:99"]
    assert all(tab["volatile"] == "list" for tab in tabs.values())
    assert all(m["items"]["volatile"] == "list" for m in masked["side_modules"])


def test_fields_absent_from_a_page_are_left_absent():
    """Older generations have no recommendations or side modules: nothing is invented for them."""
    data = {"title": "标题", "tie_count": None, "recommendations": {}}
    assert volatile.mask_article(data) == data


# --- the path walker -----------------------------------------------------------------------------

@pytest.mark.parametrize("path, want", [
    ("a.1.b", [2]),
    ("a.*.b", [1, 2]),
    ("a.5.b", []),  # index out of range
    ("a.x.b", []),  # a key on a list
    ("m.*", [10, 20]),
    ("m.k.deeper", []),  # into a scalar
    ("missing.*", []),
])
def test_select_walks_keys_indices_and_stars(path, want):
    data = {"a": [{"b": 1}, {"b": 2}], "m": {"k": 10, "j": 20}}
    assert [c[k] for c, k in volatile._select(data, path.split("."))] == want


def test_select_gives_containers_so_masking_replaces_in_place():
    data = {"a": [{"b": 1}, {"b": 2}]}
    for container, key in volatile._select(data, ["a", "0", "b"]):
        container[key] = "x"
    assert data == {"a": [{"b": "x"}, {"b": 2}]}


# --- volatile_strings ----------------------------------------------------------------------------

def test_volatile_strings_are_the_strings_under_volatile_fields():
    """Titles, URLs, sources and times of churning lists; not placeholders, digits or one-char values."""
    data = article(yuanchuang=[{"title": "原创一", "url": "#top", "n": "7"}, {"title": "x"}])
    found = volatile.volatile_strings(data)
    assert {"热一", "要闻一", "https://www.163.com/a.html", "原创一", "2024-09-17 04:49:23", "来源"} <= found
    assert not found & {"#top", "7", "x", "javascript:;", "标题", "甲", "头条要闻"}


# --- mask_text -----------------------------------------------------------------------------------

def test_mask_text_replaces_volatile_regions_with_their_line_count_range():
    text = "网易首页 > 正文\n\n标题\n\n1234\n分享至\n\n正文\n\n热点一\n热点二\n"
    out = volatile.mask_text(text, ["crumb", "title", "top", "body", "side"])
    assert out == ("网易首页 > 正文\n\n标题\n\n<top: volatile, in range 1..4 lines>\n\n正文\n\n"
                   "<side: volatile, in range 0..400 lines>\n")


def test_mask_text_region_out_of_range_shows_the_count():
    out = volatile.mask_text("\n".join("12345") + "\n", ["top"])
    assert out == "<top: volatile, 5, out of range 1..4 lines>\n"


def test_mask_text_unnamed_blocks_are_kept_and_empty_text_is_one_newline():
    assert volatile.mask_text("甲\n\n乙\n", ["top"]) == "<top: volatile, in range 1..4 lines>\n\n乙\n"
    assert volatile.mask_text("", []) == "\n"
    text = "甲\n\n乙\n"
    assert volatile.mask_text(volatile.mask_text(text, ["side", "body"]), ["side", "body"]) == \
        volatile.mask_text(text, ["side", "body"])


# --- mask_aria -----------------------------------------------------------------------------------

def test_mask_aria_masks_times_counts_placeholders_and_given_strings():
    aria = ('- link "1,234":\n  - /url: "#post_comment_area"\n'
            '- link "热点新闻标题":\n  - /url: javascript:;\n'
            "- text: 来源 2024-09-17 04:49:23\n- generic: 12万\n- heading \"正文标题\" [level=1]\n")
    out = volatile.mask_aria(aria, {"热点新闻标题", "热点"})
    assert out.splitlines() == ['- link "<n>":', '  - /url: "#post_comment_area"', '- link "<v>": *',
                                "  - /url: <v>", "- text: 来源 <time>", "- generic: <n>",
                                '- heading "正文标题" [level=1]']


def test_mask_aria_lists_of_other_lengths_and_items_read_the_same():
    """Masked list items read alike and their repeats collapse, so churn and a changed length agree."""
    def listing(titles):
        return "- list:\n" + "".join(f'  - listitem:\n    - link "{t}":\n      - /url: javascript:;\n'
                                     f"    - text: {t} 2024-09-1{i} 0{i}:00:00\n" for i, t in enumerate(titles))

    a, b = ["热一", "热二", "热三"], ["新一", "新二"]
    masked_a = volatile.mask_aria(listing(a), set(a))
    assert masked_a == volatile.mask_aria(listing(b), set(b))
    assert masked_a.count("listitem") == 1
    assert volatile.mask_aria(masked_a, set(a)) == masked_a, "idempotent"


def test_mask_aria_keeps_distinct_lines_and_ends_with_one_newline():
    aria = "- heading \"甲\"\n- heading \"乙\"\n- heading \"甲\""
    assert volatile.mask_aria(aria) == aria + "\n"


# --- canonical_origin ----------------------------------------------------------------------------

@pytest.mark.parametrize("base", ["http://127.0.0.1:8123", "http://127.0.0.1:8123/"])
def test_canonical_origin_writes_the_replica_origin_as_the_live_one(base):
    text = '<a href="http://127.0.0.1:8123/dy/article/X.html">x</a>'
    assert volatile.canonical_origin(text, base) == f'<a href="{default_site().live_origin}/dy/article/X.html">x</a>'


def test_canonical_origin_without_a_base_is_unchanged():
    text = "http://127.0.0.1:8123/a"
    assert volatile.canonical_origin(text, None) == text and volatile.canonical_origin(text, "") == text
