"""The hosts the replica answers for, as the real page reaches them (NETEASE.md, "What a live page does").

One origin (``ReplicaServer``) answers all of them: a mapped fetch says which host it was for in
``X-Forwarded-Host`` (:data:`capture.browser.FORWARDED_HOST`), and a request without it is for
www.163.com, so a plain browser on ``capture serve`` still gets the page. Kept free of imports so the
recorder can read it without loading the templates.
"""

from __future__ import annotations

PAGE_HOST = "www.163.com"
#: What each host serves on the replica (the same things it serves on the real site).
HOSTS: dict[str, str] = {
    PAGE_HOST: "the article pages, their 关怀版 pages and the 热点推荐 list",
    "static.ws.126.net": "stylesheets and scripts under /163/f2e/…, jQuery under /utf8/assets/js/",
    "nimg.ws.126.net": "every image, as /?url=<original>&thumbnail=…",
    "comment.tie.163.com": "the 跟贴 count the comment SDK asks for",
    "ipservice.ws.126.net": "the reader's location (JSONP), for 本地新闻",
    "nex.163.com": "NetEase's ad exchange (JSONP, no ad)",
    "pos.baidu.com": "Baidu ad slots (an empty script)",
    "cpro.baidustatic.com": "Baidu ad loader (an empty script)",
    "dup.baidustatic.com": "Baidu ad loader (an empty script)",
    "hm.baidu.com": "Baidu analytics (an empty script)",
    "zz.bdstatic.com": "Baidu link push (an empty script)",
    "acstatic-dun.126.net": "Yidun anti-bot script (an empty script)",
    "dl.reg.163.com": "the login widget's configuration (JSONP)",
}


def host_map(origin: str) -> tuple[tuple[str, str], ...]:
    """``(host, origin)`` for every host the replica answers (what ``--replica`` maps)."""
    return tuple((host, origin.rstrip("/")) for host in HOSTS)
