"""Churn on request: every answer changes what the real site changes from load to load, no layout.

``ReplicaServer(churn=True)`` / ``capture serve --churn``. Off by default, so the replica stays
deterministic. What changes (NETEASE.md, "What a live page does"): 相关推荐 items and their order
(an item dropped, a 付费专栏 item inserted), the video icon of each item, ad slots inside the list with
random classes (``div#ssp_… .post_recommend_ad._<random>``), a random class on the sidebar ad,
side-module items reordered, generated paragraph ids on 网易号 bodies (``<p id="2NOJUF63">``), the
跟贴 count, the 热点推荐 items and the reader's city in 本地新闻 (``LOCATION_MODULES``). Each request
draws from ``random.Random(seed)`` with the seed a
per-server counter, so a run of requests is reproducible. Post-processing of the rendered HTML, like
:mod:`.drift`: it never needs to know how the templates work.
"""

from __future__ import annotations

import random
import re
import string
import threading
from typing import Any

from ..sites import default_site

_UPPER = string.digits + string.ascii_uppercase
_LOWER = string.digits + string.ascii_lowercase
_REC_LIST = re.compile(r'(<ul class="post_recommends_list">)(.*?)(\n\s*</ul>)', re.S)
_REC_ITEM = re.compile(r'\s*<li class="post_recommend">.*?</li>|\s*<div class="post_recommend artificial_collect_item">'
                       r'.*?</div>\s*</div>', re.S)
#: Side lists, but not 态度原创 (``ul#js-yuanchuang-content``): the real page shuffles that one in the
#: browser with ``Math.random``, which a capture seeds, so the server sends it the same every time.
_SIDE_LIST = re.compile(r'(<ul class="post_side_mod_list">)(.*?)(\s*</ul>)', re.S)
_SIDE_ITEM = re.compile(r'\s*<li class="post_side_mod_item">.*?</li>', re.S)
_BODY = re.compile(r'(<div class="post_body">)(.*?)(\n</div>)', re.S)
#: A body paragraph's start tag, with the generated id it already carries (2024 网易号 pages) if any.
_PARA = re.compile(r'<p(?: id="[0-9A-Z]{8}")?(?=[ >])')
_VIDEO = '<i class="post_recommend_video"></i>'
#: The replica's default reader city (ipservice is blocked, so a capture sees the default) and others.
CITY, CITIES = "北京", ("上海", "广州", "天津", "杭州", "成都", "武汉")
_LOCAL = re.compile(r'<h2 class="post_side_mod_title">(?:<a [^>]*>)?(?:' + "|".join(default_site().location_modules)
                    + r")(?:</a>)?</h2>.*?</ul>", re.S)


def _token(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _ad_slot(rng: random.Random) -> str:
    """An ad slot as the real list carries one (empty here: the ad hosts are blocked)."""
    return (f'\n          <div class="at_item post_recommend_new post_recommend_ad _{_token(rng, _LOWER, 11)}">'
            f'<div id="ssp_{rng.randint(1_000_000, 9_999_999)}"></div></div>')


def _paid_item(item: str, rng: random.Random) -> str:
    """A 付费专栏 item (script-inserted on the real page): an item's shape, a /dy/paidCollect/ link."""
    url = f"/dy/paidCollect/{_token(rng, _UPPER, 16)}.html"
    item = re.sub(r'href="[^"]*"', f'href="{url}"', item)
    return re.sub(r'(<span class="post_recommend_source">)[^<]*', r"\1付费专栏", item)


def _recommends(block: str, rng: random.Random) -> str:
    items = _REC_ITEM.findall(block)
    plain = [i for i, it in enumerate(items) if "<li" in it]
    # Plain items shuffle among their own slots; an item of another kind (the 收藏 entry) keeps its
    # place, as the real list keeps its kinds in their slots.
    drawn = [items[i] for i in plain]
    rng.shuffle(drawn)
    for i, it in zip(plain, drawn, strict=True):
        items[i] = it
    runs = [i for i in plain if i + 1 in plain]  # never the last of a run: the kinds keep their order
    if runs and rng.random() < 0.5:
        del items[rng.choice(runs)]
    plain = [i for i, it in enumerate(items) if "<li" in it]
    if plain and rng.random() < 0.5:
        at = rng.choice(plain)
        items.insert(at, _paid_item(items[at], rng))
    items = [it.replace(_VIDEO, "") for it in items]
    items = [re.sub(r'(<h3 class="post_recommend_title"><a [^>]*>)', r"\1" + _VIDEO, it, count=1)
             if rng.random() < 0.4 else it for it in items]
    for _ in range(rng.randint(0, 2)):
        items.insert(rng.randrange(len(items) + 1), _ad_slot(rng))
    return "".join(items)


def _side(block: str, rng: random.Random) -> str:
    items = _SIDE_ITEM.findall(block)
    rng.shuffle(items)
    return "".join(items)


def _paragraph_ids(body: str, rng: random.Random) -> str:
    """Generated ids on every body paragraph, as 2024 网易号 pages have (a fresh run per load)."""
    return _PARA.sub(lambda _m: f'<p id="{_token(rng, _UPPER, 8)}"', body)


def churn_html(html: str, kind: str, mode: str, seed: int) -> str:
    """``html`` (an article page) as load number ``seed`` shows it: same layout, churned values."""
    rng = random.Random(seed)
    if mode == "normal":
        html = _REC_LIST.sub(lambda m: m[1] + _recommends(m[2], rng) + m[3], html, count=1)
        html = _SIDE_LIST.sub(lambda m: m[1] + _side(m[2], rng) + m[3], html)
        city = rng.choice(CITIES)
        html = _LOCAL.sub(lambda m: m[0].replace(f"{CITY}：", f"{city}："), html)
        html = html.replace('<div class="ad_module">',
                            f'<div class="ad_module _{_token(rng, _LOWER, 11)}">')
    if kind == "dy":
        html = _BODY.sub(lambda m: m[1] + _paragraph_ids(m[2], rng) + m[3], html, count=1)
    return html


def churn_json(what: str, value: dict[str, Any], seed: int) -> dict[str, Any]:
    """``/api/tie`` and ``/api/hot`` as load number ``seed`` answers them: a new count, new hot items."""
    rng = random.Random(seed)
    if what == "tie":
        return dict(value, tcount=rng.randint(0, 99_999))
    items = list(value.get("items", []))
    rng.shuffle(items)
    return dict(value, items=items[: max(1, len(items) - rng.randint(0, 2))])


class Churn:
    """One server's churn: a request counter that seeds each answer (thread-safe)."""

    def __init__(self, start: int = 0) -> None:
        self._next = start
        self._lock = threading.Lock()

    def seed(self) -> int:
        """The next request's seed."""
        with self._lock:
            self._next += 1
            return self._next
