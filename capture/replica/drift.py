"""Drift self-test: named mutations the replica can serve, to prove the harness catches layout changes.

Ask for one per request (``?drift=<name>`` on an article, care or ``/api/…`` URL) or server-wide
(``ReplicaServer(drift=<name>)``, ``capture serve --drift NAME``). Each entry of :data:`DRIFTS` says
what it changes and what the harness must report: ``layout`` drifts must be classed
``layout-changed`` in ``expect_region``; ``volatile`` drifts only change values that churn on the real
site (跟贴 count, 热点推荐, side-module items) and must NOT fail a check.

To add a mutation, append one ``Drift(...)`` to ``_TABLE``: ``fn`` takes the served HTML (``target``
"html") or the decoded JSON value of ``/api/tie`` / ``/api/hot`` (``target`` "tie" / "hot") and returns
the mutated one. Keep it deterministic: same input, same output.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape as html_escape
from typing import Any

from ..errors import BadInput
from ..sites import default_site
from ..sites.a11y_rules import RULES_BY_ID
from . import content
from .a11y_drifts import CARE_DRIFTS

KINDS = ("layout", "volatile", "a11y")  # a11y: 关怀版 rule breaks, expect_region is a capture.sites.a11y_rules id
REGIONS = ("crumb", "title-info", "body", "recommendations", "side", "nav-a11y", "page")
APPLIES = ("normal", "care", "both")
TARGETS = ("html", "tie", "hot")


@dataclass(frozen=True)
class Drift:
    name: str
    kind: str  # "layout" | "volatile"
    expect_class: str | None  # "layout-changed" for layout drifts; None: the check must pass
    expect_region: str  # one of REGIONS
    applies_to: str  # "normal" | "care" | "both"
    description: str
    fn: Callable[[Any], Any]
    target: str = "html"  # "html": the page; "tie" / "hot": the JSON of /api/tie, /api/hot

    def applies(self, mode: str) -> bool:
        return self.applies_to in (mode, "both")


# --- small HTML helpers (the replica's own templates are well formed, so a tag counter is enough) ----

_VOID = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?>")


def _open_re(cls: str, tag: str = r"[a-zA-Z][a-zA-Z0-9]*") -> re.Pattern[str]:
    """The opening tag of an element whose class list holds the token ``cls``."""
    return re.compile(rf'<(?:{tag})\b[^>]*\bclass="(?:[^"]*\s)?{re.escape(cls)}(?:\s[^"]*)?"[^>]*>')


def _span(html: str, cls: str, tag: str = "div") -> tuple[int, int] | None:
    """(start, end) of the first ``<tag class="… cls …">…</tag>``, or None."""
    m = _open_re(cls, tag).search(html)
    if not m:
        return None
    depth = 0
    for t in _TAG.finditer(html, m.start()):
        if t[2].lower() != tag:
            continue
        depth += -1 if t[1] else 1
        if depth == 0:
            return m.start(), t.end()
    return None


def _children(html: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the top-level child elements of the element ``html[start:end]``."""
    out: list[tuple[int, int]] = []
    depth, child_start = 0, 0
    for t in _TAG.finditer(html, start, end):
        name = t[2].lower()
        if name in _VOID or t[0].endswith("/>"):
            if depth == 1:
                out.append((t.start(), t.end()))
            continue
        if not t[1]:
            depth += 1
            if depth == 2:
                child_start = t.start()
        else:
            if depth == 2:
                out.append((child_start, t.end()))
            depth -= 1
    return out


def _edit(html: str, cls: str, fn: Callable[[str], str], tag: str = "div") -> str:
    """Replace the first ``cls`` element by ``fn(element html)``; unchanged if there is none."""
    span = _span(html, cls, tag)
    if span is None:
        return html
    a, b = span
    return html[:a] + fn(html[a:b]) + html[b:]


#: The standalone 关怀版 markup's own name for a post2020 part (content.CARE_MARKUPS): a drift of that
#: part applies to it there, so a drift that applies to "both" modes changes every care page.
_STANDALONE = {"post_body": "wza-content", "post_title": "wza-title", "post_info": "wza-meta", "post_crumb": "wza-crumb"}


def _own(html: str, cls: str) -> str:
    """``cls``, or the page's own name for that part when the page has no ``cls`` (the standalone care page)."""
    if _open_re(cls).search(html) is None and cls in _STANDALONE and _open_re(_STANDALONE[cls]).search(html):
        return _STANDALONE[cls]
    return cls


def _rename_class(old: str, new: str, tag: str = r"[a-zA-Z][a-zA-Z0-9]*") -> Callable[[str], str]:
    def rename(html: str) -> str:
        was = _own(html, old)
        now = new.replace(old, was, 1)
        pattern = re.compile(rf'(<(?:{tag})\b[^>]*\bclass="(?:[^"]*\s)?){re.escape(was)}((?:\s[^"]*)?")')
        return pattern.sub(rf"\g<1>{now}\g<2>", html)
    return rename


def _side_modules(html: str) -> list[tuple[int, int]]:
    """Spans of the ``.post_side_mod`` children of ``.post_side`` (spacers and ads excluded)."""
    side = _span(html, "post_side")
    if side is None:
        return []
    return [(a, b) for a, b in _children(html, *side) if _open_re("post_side_mod").match(html, a)]


def _rearrange(html: str, spans: list[tuple[int, int]], pieces: list[str]) -> str:
    """Put ``pieces`` in place of ``spans`` (same count, spans in document order)."""
    out, pos = [], 0
    for (a, b), piece in zip(spans, pieces, strict=True):
        out += [html[pos:a], piece]
        pos = b
    return "".join(out) + html[pos:]


# --- layout mutations ------------------------------------------------------------------------------

def _wrap_body(html: str) -> str:
    def wrap(el: str) -> str:
        head = el.index(">") + 1
        return f'{el[:head]}<div class="post_body_inner">{el[head:-len("</div>")]}</div></div>'
    return _edit(html, _own(html, "post_body"), wrap)


def _split_p(m: re.Match[str]) -> str:
    text = m[2]
    cut = next((i + 1 for i, ch in enumerate(text[:-1]) if ch in "，。；！？"), len(text) // 2)
    if not 0 < cut < len(text):
        return m[0]
    return f"<p{m[1] or ''}><span>{text[:cut]}</span><span>{text[cut:]}</span></p>"


def _split_paragraphs(html: str) -> str:
    """Plain paragraphs (with or without the generated id of 网易号 pages) split into two spans."""
    return _edit(html, _own(html, "post_body"), lambda el: re.sub(r'<p( id="[0-9A-Z]{8}")?>([^<]+)</p>', _split_p, el))


def _drop_side_module(html: str) -> str:
    mods = _side_modules(html)
    if not mods:
        return html
    a, b = mods[1] if len(mods) > 1 else mods[0]
    return html[:a] + html[b:]


def _reorder_side_modules(html: str) -> str:
    mods = _side_modules(html)
    return _rearrange(html, mods, [html[a:b] for a, b in reversed(mods)])


_SIDE_TITLE = re.compile(r'(<h2 class="post_side_mod_title">(?:<a [^>]*>)?)([^<]+)')
_TITLE_RENAMES = (("财经要闻", "财经新闻"), ("要闻", "新闻"), ("推荐", "精选"))


def _rename_side_module(html: str) -> str:
    titles = [m for m in _SIDE_TITLE.finditer(html) if m[2].strip()]
    for old, new in _TITLE_RENAMES:
        for m in titles:
            if old in m[2]:
                return html[:m.start(2)] + m[2].replace(old, new, 1) + html[m.end(2):]
    return html


def _swap_recommend_tabs(html: str) -> str:
    """相关推荐 / 热点推荐: labels and panels both swap; the first tab stays the active one."""
    box = _span(html, "post_recommends")
    if box is None:
        return html
    kids = _children(html, *box)
    panels = [s for s in kids if _open_re("post_recommends_ulist").match(html, s[0])]
    titles_box = next((s for s in kids if _open_re("post_recommends_titles").match(html, s[0])), None)
    if len(panels) != 2 or titles_box is None:
        return html
    tabs = _children(html, *titles_box)
    if len(tabs) != 2:
        return html
    labels = [re.sub(r"<[^>]+>", "", html[a:b]) for a, b in tabs]
    new_tabs = [html[a:b].replace(labels[i], labels[1 - i]) for i, (a, b) in enumerate(tabs)]
    first, second = (html[a:b] for a, b in panels)
    active = ' active"'
    new_panels = [second.replace('js-content"', "js-content" + active, 1),
                  first.replace("js-content" + active, 'js-content"', 1)]
    return _rearrange(html, [*tabs, *panels], [*new_tabs, *new_panels])


#: A time as the site writes it (date and clock): the one pattern of the site table.
_ISO = default_site().list_time_re


def _cn_date(m: re.Match[str]) -> str:
    return f"{m['year']}年{m['month']}月{m['day']}日 {m['hour']}:{m['minute']}"


def _date_format(html: str) -> str:
    html = re.sub(r'(data-publishtime=")([^"]+)', lambda m: m[1] + _ISO.sub(_cn_date, m[2]), html, count=1)
    return _edit(html, _own(html, "post_info"), lambda el: _ISO.sub(_cn_date, el, count=1))


_ARIA_URL = re.compile(r'\saria-url="([^"]*)"')
_CARE_LINK = re.compile(r'<a\b[^>]*\bid="js_gowza"[^>]*>.*?</a>\s*', re.S)


def _remove_care_link(html: str) -> str:
    return _CARE_LINK.sub("", _ARIA_URL.sub("", html, count=1), count=1)


def _care_link_elsewhere(html: str) -> str:
    """aria-url names the 关怀版 of a different replica article (the next one of the same kind)."""
    m = _ARIA_URL.search(html)
    page = _page_in(html)
    if m is None or page is None:
        return html
    same = [p for p in content.pages() if p.kind == page.kind]
    other = same[(same.index(page) + 1) % len(same)]
    if other == page:
        return html.replace(m[0], ' aria-url="https://www.163.com/index.html"', 1)
    return html.replace(m[0], f' aria-url="{other.live_care_url}"', 1)


def _care_loses_body(html: str) -> str:
    """The care page without its body, in either care markup (restyled: .post_body; standalone: .wza-content)."""
    return _edit(html, _own(html, "post_body"), lambda el: "")


def _page_in(html: str) -> content.ReplicaPage | None:
    """The replica article a served page belongs to (from its canonical link)."""
    m = re.search(rf'<link rel="canonical" href="[^"]*/([0-9A-Z]{{16}})(?:{default_site().care_suffix_re})?\.html"', html)
    return content.page_by_id(m[1]) if m else None


def _old_template(html: str) -> str:
    from .render import environment

    page = _page_in(html)
    if page is None:
        return html
    return environment().get_template("drift_post_content_main.html").render(
        page=page, a=content.articles()[page.id])


# --- volatile mutations ----------------------------------------------------------------------------

def _tie_count(value: dict[str, Any]) -> dict[str, Any]:
    return dict(value, tcount=int(value.get("tcount", 0)) * 3 + 17)


def _hot_items(value: dict[str, Any]) -> dict[str, Any]:
    """Same number of items with the same fields; titles, links and order differ."""
    items = [dict(it, title=f"{it['title']}：最新进展") for it in reversed(value.get("items", []))]
    for i, it in enumerate(items):
        if "url" in it:
            it["url"] = f"https://www.163.com/dy/article/K{i:015d}.html"
    return dict(value, items=items)


_SIDE_HEADLINES = ("早高峰地铁加开临时列车", "多地发布高温橙色预警", "新能源车下乡活动启动", "博物馆夜场延长开放",
                   "全国夏粮收购进度过半", "城市更新试点名单公布", "暑期档电影预售开启", "社区食堂试点扩大")


def _side_items(html: str) -> str:
    """Every side-module item (image news, list items) gets a different title and link; same count.

    Module titles (``h2.post_side_mod_title``) and tab labels stay: those are layout, not churn.
    """
    counter = iter(range(10_000))

    def item(m: re.Match[str]) -> str:
        i = next(counter)
        title = f"{_SIDE_HEADLINES[i % len(_SIDE_HEADLINES)]}（{i + 1}）"
        return f'{m[1]}href="https://www.163.com/dy/article/S{i:015d}.html"{m[2]}{title}{m[3]}'

    return _edit(html, "post_side", lambda el: _SIDE_ITEM.sub(item, el))


#: An image-news link or a list item's link: (before href)(between href and title)(after title).
_SIDE_ITEM = re.compile(r'(<div class="post_side_mod_imgnews">\s*<a |<li class="post_side_mod_item"><h3><a )'
                        r'href="[^"]*"(>\s*(?:<img [^>]*>\s*<h3>|<em>[^<]*</em> \| )?)[^<]+(<)')


# --- the table -------------------------------------------------------------------------------------

_L, _V, _LC = "layout", "volatile", "layout-changed"

_TABLE: tuple[Drift, ...] = (
    Drift("rename-body-class", _L, _LC, "body", "both", ".post_body becomes .post_body_v2",
          _rename_class("post_body", "post_body_v2", "div")),
    Drift("rename-title-class", _L, _LC, "title-info", "both", "h1.post_title becomes h1.post_title_new",
          _rename_class("post_title", "post_title_new", "h1")),
    Drift("rename-info-class", _L, _LC, "title-info", "both", ".post_info becomes .post_info_v2",
          _rename_class("post_info", "post_info_v2", "div")),
    Drift("rename-crumb-class", _L, _LC, "crumb", "both", ".post_crumb becomes .post_crumb_v2",
          _rename_class("post_crumb", "post_crumb_v2", "div")),
    Drift("wrap-body", _L, _LC, "body", "both", "the body's content wrapped in a new div.post_body_inner",
          _wrap_body),
    Drift("split-paragraphs", _L, _LC, "body", "both", "plain body paragraphs become <p><span>…</span><span>…</span></p>",
          _split_paragraphs),
    Drift("drop-side-module", _L, _LC, "side", "normal", "the second side module (the only one if just one) removed",
          _drop_side_module),
    Drift("reorder-side-modules", _L, _LC, "side", "normal",
          "side modules in reverse order (no change on a page with one module)", _reorder_side_modules),
    Drift("rename-side-module", _L, _LC, "side", "normal", "a side module title renamed (财经要闻 → 财经新闻, …)",
          _rename_side_module),
    Drift("swap-recommend-tabs", _L, _LC, "recommendations", "normal", "相关推荐 / 热点推荐 tabs and panels swapped",
          _swap_recommend_tabs),
    Drift("date-format", _L, _LC, "title-info", "both",
          'info time and html@data-publishtime as "2024年05月24日 11:32"', _date_format),
    Drift("remove-care-link", _L, _LC, "nav-a11y", "normal", "no 进入关怀版 link and no body@aria-url",
          _remove_care_link),
    Drift("care-link-elsewhere", _L, _LC, "nav-a11y", "normal",
          "body@aria-url names the 关怀版 of another article", _care_link_elsewhere),
    Drift("care-loses-body", _L, "care-regression", "body", "care",
          "the 关怀版 page without its .post_body: it no longer carries the article", _care_loses_body),
    Drift("old-template", _L, _LC, "page", "normal",
          "the article in the 2017–2020 post_content_main template (#epContentLeft, #endText)", _old_template),
    Drift("tie-count", _V, None, "title-info", "normal", "/api/tie answers a different 跟贴 count",
          _tie_count, target="tie"),
    Drift("hot-items", _V, None, "recommendations", "normal",
          "/api/hot answers different 热点推荐 items (same count and fields)", _hot_items, target="hot"),
    Drift("side-items", _V, None, "side", "normal",
          "side-module items get different titles and links (same number of items)", _side_items),
)

# 关怀版 a11y mutations (capture/replica/a11y_drifts.py): each breaks one rule of capture/sites/a11y_rules.py.
_TABLE += tuple(Drift(name, "a11y", "care-regression", rule, "care", description, fn)
                for name, rule, description, fn in CARE_DRIFTS)

DRIFTS: dict[str, Drift] = {d.name: d for d in _TABLE}


def _validate() -> None:
    for d in _TABLE:
        regions = RULES_BY_ID if d.kind == "a11y" else REGIONS
        assert d.kind in KINDS and d.expect_region in regions and d.applies_to in APPLIES, d
        assert d.target in TARGETS and (d.expect_class is None) == (d.kind == "volatile"), d
    assert len(DRIFTS) == len(_TABLE), "drift names must be unique"


_validate()


def get(name: str) -> Drift:
    """The drift called ``name``; ``BadInput`` (one line, listing the known names) if there is none."""
    drift = DRIFTS.get(name)
    if drift is None:
        raise BadInput(f"unknown drift {name!r}: known drifts are {', '.join(DRIFTS)}")
    return drift


def apply(name: str, mode: str, html: str) -> str:
    """``html`` (a served normal or care page) with drift ``name`` applied, if it applies to ``mode``."""
    drift = get(name)
    if drift.target != "html" or not drift.applies(mode):
        return html
    return drift.fn(html)


def apply_json(name: str, what: str, value: Any) -> Any:
    """The JSON value of ``/api/<what>/<ID>.json`` (``what``: tie or hot) with drift ``name`` applied."""
    drift = get(name)
    if drift.target != what:
        return value
    return drift.fn(value)


def unknown_page(name: str) -> str:
    """The 400 page for ``?drift=<unknown name>``: says which names exist."""
    message = html_escape(f"unknown drift {name!r}: known drifts are {', '.join(DRIFTS)}")
    return (f'<!DOCTYPE HTML>\n<html><head><meta charset="utf-8"><title>400 unknown drift</title></head>\n'
            f'<body class="page_400"><h1>400</h1><p class="drift_error">{message}</p></body></html>\n')
