"""The shape of a page, as figures to set the replica beside the real samples: bytes, elements per
region, requests per host category. Read by tests/test_replica_shape.py and benchmarks/replica_vs_samples.py,
so the test and the figures in the issue note count the same things.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from selectolax.lexbor import LexborHTMLParser

#: (figure, CSS selector): elements counted per page region.
REGIONS: tuple[tuple[str, str], ...] = (
    ("nav links", "#js_N_NTES_wrap a"),
    ("app menu links", ".ntes-nav-app a"),
    ("quick-nav links", ".ntes-quicknav-pop a"),
    ("search box", "#netease_search"),
    ("hidden QR pop-up", "#js_qrcode_top.hidden"),
    ("base target=_blank", 'base[target="_blank"]'),
    ("external scripts", "script[src]"),
    ("inline scripts", "script:not([src])"),
    ("stylesheets", 'link[rel="stylesheet"]'),
    ("相关推荐 items", ".post_recommends li.post_recommend"),
    ("热点推荐 items", ".post_recommend_news_hot .post_recommend_new"),
    ("ads in the lists", ".post_recommends .post_recommend_ad"),
    ("side modules", ".post_side .post_side_mod"),
    ("side items", ".post_side_mod_item"),
    ("side ads", ".post_side .at_item"),
    ("body paragraphs", ".post_body p"),
    ("body paragraph ids", ".post_body p[id]"),
    ("body images", ".post_body p.f_center img"),
)

#: Host -> category, for counting a capture's requests (a host in no row is "other").
HOST_CATEGORIES: dict[str, tuple[str, ...]] = {
    "page": ("www.163.com",),
    "static": ("static.ws.126.net",),
    "images": ("nimg.ws.126.net", "cms-bucket.ws.126.net", "dingyue.ws.126.net", "videoimg.ws.126.net",
               "mobilepics.ws.126.net", "cms-bucket.nosdn.127.net", "urswebzj.nosdn.127.net", "webzj.netstatic.net"),
    "comments": ("comment.tie.163.com", "tie.163.com"),
    "ipservice": ("ipservice.ws.126.net",),
    "ads": ("nex.163.com", "g.163.com", "pos.baidu.com", "cpro.baidustatic.com", "dup.baidustatic.com"),
    "analytics": ("hm.baidu.com", "zz.bdstatic.com", "push.zhanzhang.baidu.com", "lf1-cdn-tos.bytegoofy.com"),
    "anti-bot / login": ("acstatic-dun.126.net", "dl.reg.163.com"),
}
_CATEGORY_OF = {host: cat for cat, hosts in HOST_CATEGORIES.items() for host in hosts}


def category(host: str) -> str:
    return _CATEGORY_OF.get(host.lower(), "other")


def figures(html: str | bytes) -> dict[str, int]:
    """Bytes and the element count of every :data:`REGIONS` row."""
    raw = html.encode("utf-8") if isinstance(html, str) else html
    tree = LexborHTMLParser(raw)
    return {"bytes": len(raw), **{name: len(tree.css(sel)) for name, sel in REGIONS}}


def captions_in_next_p(html: str | bytes) -> tuple[int, int]:
    """(image paragraphs, those whose own text is empty): the caption of ``p.f_center`` is the next
    ``<p>``, so an image paragraph carries no text of its own."""
    tree = LexborHTMLParser(html)
    imgs = [p for p in tree.css(".post_body p.f_center") if p.css_first("img") is not None]
    return len(imgs), sum(1 for p in imgs if not (p.text(deep=True) or "").strip())


def requests_by_category(hosts: Iterable[str]) -> dict[str, int]:
    """Requests counted per host category (one host per request)."""
    return dict(sorted(Counter(category(h) for h in hosts).items()))
