"""Behaviour of the extraction API beyond the data cases: modes, charsets, errors, JSON stability."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from capture.errors import BadInput, LayoutNotRecognized, MissingField
from capture.extract import Article, Image, Paragraph, Video, detect_generation, extract, parse
from capture.extract.accuracy import char_f1
from capture.extract.decode import sniff_charset, to_text

CASES = Path(__file__).resolve().parent / "cases"


def page(name: str) -> bytes:
    return (CASES / name / "page.html").read_bytes()


def test_detect_generation_accepts_text_bytes_and_tree() -> None:
    raw = page("post2020_cms_news")
    assert detect_generation(raw) == "post2020_cms"
    assert detect_generation(raw.decode("utf-8")) == "post2020_cms"
    assert detect_generation(parse(raw)) == "post2020_cms"
    with pytest.raises(LayoutNotRecognized):  # a 关怀版 has no generation: it is read generically
        detect_generation(page("care_page"))


def test_unknown_layout_message_is_one_line_listing_fingerprints() -> None:
    with pytest.raises(LayoutNotRecognized) as info:
        detect_generation(page("unknown_layout"))
    msg = str(info.value)
    assert "\n" not in msg and ".post_main" in msg and "span.ep-crumb" in msg


def test_str_and_bytes_give_the_same_article() -> None:
    raw = page("post2020_dy_raw")
    assert extract(raw).to_json() == extract(raw.decode("utf-8")).to_json()


def test_to_json_is_stable_and_ordered() -> None:
    a = extract(page("post2020_dy_raw"))
    b = extract(page("post2020_dy_raw"))
    text = a.to_json()
    assert text == b.to_json() and text.endswith("}\n")
    assert "网易首页" in text  # ensure_ascii=False
    assert list(json.loads(text)) == list(Article.__dataclass_fields__)


def test_blocks_keep_order_and_types() -> None:
    a = extract(page("post2020_dy_raw"))
    assert [type(b) for b in a.blocks] == [Paragraph, Image, Paragraph, Video, Paragraph]
    assert a.blocks[3].src == "https://flv.example/park.mp4"
    assert "park.jpg" not in a.body_text()  # hidden logo div and images are not text


def test_to_text_summarises() -> None:
    text = extract(page("post2020_cms_news")).to_text()
    assert text.startswith("示例新闻：城市更新进入新阶段\n")
    assert "post2020_cms" in text and "钱七_NB0002" in text and "专题推荐(1)" in text


def test_care_url_forces_the_generic_care_reader() -> None:
    """A care URL is a care page whatever its markup: read generically, never "not recognised"."""
    normal = extract(page("post2020_dy_raw"))
    care = extract(page("post2020_dy_raw"), url="https://www.163.com/dy/article/X_pdya11y.html")
    assert (care.mode, care.generation) == ("care", "care")
    assert care.title == normal.title and care.body_text() == normal.body_text()


def test_explicit_mode_normal_does_not_accept_care_page() -> None:
    with pytest.raises(LayoutNotRecognized):
        extract(page("care_page"), mode="normal")
    assert extract(page("care_page"), mode="care").mode == "care"


def test_bad_mode_is_bad_input() -> None:
    with pytest.raises(BadInput):
        extract(page("care_page"), mode="elder")


def test_renamed_body_class_names_field_and_selector() -> None:
    html = page("post2020_dy_raw").decode("utf-8").replace('class="post_body"', 'class="post_text_v9"')
    with pytest.raises(MissingField) as info:
        extract(html)
    assert "'body'" in str(info.value) and ".post_body" in str(info.value)


def test_missing_publish_time_is_reported() -> None:
    html = page("post2020_dy_rendered").decode("utf-8").replace("2024-05-13 09:16:04", "")
    with pytest.raises(MissingField, match="published"):
        extract(html)


def test_rendered_dom_without_html_tag_falls_back_to_post_info_time() -> None:
    a = extract(page("post2020_dy_rendered"))
    assert a.published == "2024-05-13T09:16:04+08:00"
    assert a.tie_count == 59625


def test_gbk_page_decodes_by_declared_charset() -> None:
    raw = page("endpage1301_gbk")
    assert sniff_charset(raw) == "gb18030"
    assert "镕" in to_text(raw)  # outside gb2312: only a gbk/gb18030 decode gets it right
    assert extract(raw).title.startswith("老模板的标题")


def test_sniff_charset_variants() -> None:
    assert sniff_charset(b'<meta charset="GBK">') == "gb18030"
    assert sniff_charset(b'<meta charset=utf-8>') == "utf-8"
    assert sniff_charset(b"<html><body>no meta</body></html>") == "utf-8"
    assert sniff_charset(b"\xef\xbb\xbf<meta charset=gbk>") == "utf-8"


def test_char_f1() -> None:
    assert char_f1("abc", "abc") == 1.0
    assert char_f1("", "abc") == 0.0
    assert char_f1("a b", "ab") == 1.0
    assert 0.6 < char_f1("abcd", "ab") < 0.7
