"""Bytes to text (capture/extract/decode.py): BOM, then valid UTF-8, then the declared charset.

A browser's serialised DOM of an old GBK page (and a bundle's ``dom.html``) is UTF-8 that still says
``<meta charset="gb2312">``; a page as the server sent it is GBK bytes. Both must read the same.
"""

from __future__ import annotations

import codecs
import random
from pathlib import Path

import pytest

from capture.extract import extract
from capture.extract.decode import decode_charset, sniff_charset, to_text

CASES = Path(__file__).resolve().parent / "cases"

#: An endpage1301 (≤2016) page, the shape of tests/cases/endpage1301_gbk, with characters outside
#: GB2312 (镕, 堃) that only a gbk/gb18030 reading gets right.
OLD_PAGE = """<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>老页面_网易新闻中心</title>
</head>
<body>
<div class="ep-header">
 <span class="ep-crumb JS_NTES_LOG_FE"><a href="http://www.163.com/">网易首页</a> &gt; <a href="http://news.163.com/">新闻中心</a> &gt; 正文</span>
</div>
<div class="ep-content-main">
 <h1 id="h1title" class="ep-h1">镕堃两字：旧模板标题“引号”</h1>
 <div class="ep-time-soure cDGray">2014-07-09 10:20:30　来源: <a id="ne_article_source" href="http://example.com/" target="_blank">示例日报（北京）</a></div>
 <div id="endText" class="end-text">
  <p>　　正文一段，含镕字与全角标点：，。！</p>
 </div>
</div>
</body>
</html>
"""
TITLE = "镕堃两字：旧模板标题“引号”"
SOURCE = "示例日报（北京）"


def _encodings() -> dict[str, bytes]:
    return {
        "gbk-bytes": OLD_PAGE.encode("gb18030"),  # as the server sent it
        "utf8-dump": OLD_PAGE.encode("utf-8"),  # a saved DOM: UTF-8, the gb2312 meta kept
        "utf8-bom": codecs.BOM_UTF8 + OLD_PAGE.encode("utf-8"),
        "utf16le-bom": OLD_PAGE.encode("utf-16"),  # Python writes the native (LE) mark
        "utf16be-bom": codecs.BOM_UTF16_BE + OLD_PAGE.encode("utf-16-be"),
    }


@pytest.mark.parametrize("kind", list(_encodings()))
def test_old_gbk_page_reads_the_same_whatever_its_bytes(kind: str) -> None:
    data = _encodings()[kind]
    assert to_text(data).lstrip("\ufeff") == OLD_PAGE
    article = extract(data)
    assert article.generation == "endpage1301"
    assert article.title == TITLE
    assert article.source is not None and article.source.name == SOURCE


def test_gbk_bytes_and_utf8_dump_extract_identically() -> None:
    gbk = _encodings()["gbk-bytes"]
    assert decode_charset(gbk) == "gb18030" and sniff_charset(gbk) == "gb18030"
    dump = _encodings()["utf8-dump"]
    assert sniff_charset(dump) == "gb18030"  # what it declares …
    assert decode_charset(dump) == "utf-8"  # … is not what it is
    assert extract(gbk).to_dict() == extract(dump).to_dict()


def test_case_page_as_a_utf8_dom_dump_extracts_like_its_gbk_bytes() -> None:
    raw = (CASES / "endpage1301_gbk" / "page.html").read_bytes()
    dump = raw.decode("gb18030").encode("utf-8")
    assert b"charset=gb2312" in dump
    assert extract(dump).to_dict() == extract(raw).to_dict()
    assert extract(dump).title.startswith("老模板的标题")


def test_plain_utf8_page_and_undeclared_bytes() -> None:
    page = '<html><head><meta charset="utf-8"></head><body><h1>网易</h1></body></html>'
    assert decode_charset(page.encode("utf-8")) == "utf-8"
    assert to_text(page.encode("utf-8")) == page
    # Neither a mark, nor valid UTF-8, nor a declaration: read as UTF-8 with replacement characters.
    assert to_text("<h1>网易</h1>".encode("gbk")).startswith("<h1>\ufffd")
    assert to_text(b'<meta charset="no-such-codec"><p>\xff</p>') == '<meta charset="no-such-codec"><p>\ufffd</p>'


def _random_chinese(rng: random.Random, n: int) -> str:
    """``n`` characters: mostly GB2312 hanzi (level 1 and 2), some ASCII and full-width punctuation."""
    out = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.8:
            out.append(bytes([rng.randint(0xB0, 0xF7), rng.randint(0xA1, 0xFE)]).decode("gb2312", "replace"))
        elif roll < 0.9:
            out.append(rng.choice("，。！？：；“”（）《》"))
        else:
            out.append(chr(rng.randint(0x20, 0x7E)).replace("<", " ").replace("&", " "))
    return "".join(out).replace("\ufffd", "网")


def test_property_random_gbk_text_decodes_by_its_meta_and_its_utf8_dump_by_utf8() -> None:
    rng = random.Random(20240524)
    by_meta = 0
    for _ in range(400):
        text = _random_chinese(rng, rng.randint(1, 40))
        page = f'<html><head><meta charset="gb2312"><title>t</title></head><body><p>{text}</p></body></html>'
        gbk = page.encode("gb18030")
        if gbk.decode("utf-8", "ignore").encode("utf-8") != gbk:  # not valid UTF-8: the meta must decide
            by_meta += 1
            assert decode_charset(gbk) == "gb18030"
            assert to_text(gbk) == page
        else:  # GBK bytes that happen to be valid UTF-8 (e.g. ASCII only) read as UTF-8, as a browser would
            assert to_text(gbk) == gbk.decode("utf-8")
        assert to_text(page.encode("utf-8")) == page  # the same text in a UTF-8 dump keeping the meta
    assert by_meta > 350  # the property was exercised, not skipped
