"""Drift families with random parameters, for the drift benchmark (``benchmarks/drift_bench.py``).

:mod:`.drift` holds the replica's named self-test mutations, one fixed change each. A family here is a
kind of change the real site makes, drawn with random parameters: which classes, which stem or hash,
where a split falls, which date format. ``draw(html, rng)`` picks the parameters for one page;
``apply(html, params)`` makes the change, so the same drift can be replayed on a second page (a held-out
variant). Every function works on the HTML text (replica pages and the real samples alike) and returns
the page unchanged when the drift does not apply to it.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..sites import default_site
from .drift import _children, _open_re, _span

_LOWER = string.digits + string.ascii_lowercase
_CLASS_ATTR = re.compile(r'(\sclass=")([^"]*)(")')
_HEAD_END = re.compile(r"</head\s*>", re.I)


def _token(rng: random.Random, n: int, alphabet: str = _LOWER) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _body_start(html: str) -> int:
    m = _HEAD_END.search(html)
    return m.end() if m else 0


def _classes(html: str) -> set[str]:
    return {c for m in _CLASS_ATTR.finditer(html, _body_start(html)) for c in m[2].split()}


# --- class-hash rename: one build hash appended to every class name ---------------------------------

def draw_class_hash(html: str, rng: random.Random) -> dict[str, Any]:
    return {"hash": _token(rng, rng.randint(5, 8)), "sep": rng.choice(["_", "-", "__"])}


def apply_class_hash(html: str, p: dict[str, Any]) -> str:
    start = _body_start(html)
    suffix = p["sep"] + p["hash"]
    body = _CLASS_ATTR.sub(lambda m: m[1] + " ".join(c + suffix for c in m[2].split()) + m[3], html[start:])
    return html[:start] + body


# --- single-class rename ------------------------------------------------------------------------------

#: Classes the site table names that a release might rename on their own.
RENAMABLE = ("post_crumb", "post_title", "post_info", "post_body", "post_main", "post_side_mod_title",
             "post_recommends_title")
_ROLE = {"post_crumb": "crumb", "post_title": "headline", "post_info": "meta", "post_body": "article-text",
         "post_main": "article-main", "post_side_mod_title": "side-heading", "post_recommends_title": "rec-tab"}


def draw_single_rename(html: str, rng: random.Random) -> dict[str, Any]:
    present = [c for c in RENAMABLE if c in _classes(html)]
    old = rng.choice(present) if present else RENAMABLE[0]
    style = rng.choice(["v", "new", "year", "hash", "hash", "unrelated"])
    new = {"v": f"{old}_v{rng.randint(2, 9)}", "new": f"{old}_new", "year": f"{old}-{rng.randint(2024, 2026)}",
           "hash": f"{old}_{_token(rng, 6)}",
           "unrelated": f"ne-{_ROLE[old]}-{_token(rng, 2, string.ascii_lowercase)}"}[style]
    return {"old": old, "new": new}


def apply_single_rename(html: str, p: dict[str, Any]) -> str:
    start = _body_start(html)

    def one(m: re.Match[str]) -> str:
        return m[1] + " ".join(p["new"] if c == p["old"] else c for c in m[2].split()) + m[3]

    return html[:start] + _CLASS_ATTR.sub(one, html[start:])


# --- container split: the body's children shared out between two sibling containers -------------------

_SECOND = ('<div class="post_body">', '<div class="post_body post_body_more">', '<div class="post_body_2">',
           '<div class="post_body_cont">', '<div class="post_body_next">')


def draw_split(html: str, rng: random.Random) -> dict[str, Any]:
    return {"at": rng.uniform(0.2, 0.8), "second": rng.choice(_SECOND), "gap": rng.random() < 0.3}


def apply_split(html: str, p: dict[str, Any]) -> str:
    span = _span(html, "post_body")
    if span is None:
        return html
    kids = [k for k in _children(html, *span) if not html.startswith("<script", k[0])]
    if len(kids) < 2:
        return html
    k = min(max(1, round(p["at"] * len(kids))), len(kids) - 1)
    cut = kids[k][0]
    gap = '<div class="post_body_gap"></div>' if p["gap"] else ""
    return html[:cut] + "</div>\n" + gap + p["second"] + "\n" + html[cut:]


# --- crumb → list ---------------------------------------------------------------------------------------

_CRUMB_RUN = re.compile(r'^(\s*(?:<a\b(?![^>]*class="to_reg")[^>]*>[^<]*</a>|[^<]+))+', re.S)


def draw_crumb_list(html: str, rng: random.Random) -> dict[str, Any]:
    return {"ul": rng.choice(["", "post_crumb_list", "crumb_items", "breadcrumb"]),
            "li": rng.choice(["", "post_crumb_item", "crumb_li"]), "keep_sep": rng.random() < 0.3,
            "whole": rng.random() < 0.3}


def apply_crumb_list(html: str, p: dict[str, Any]) -> str:
    span = _span(html, "post_crumb")
    if span is None:
        return html
    a, b = span
    head = html.index(">", a) + 1
    inner = html[head:b - len("</div>")]
    m = _CRUMB_RUN.match(inner)
    if m is None:
        return html
    parts = [x.strip() for x in re.split(r"\s*&gt;\s*", m[0]) if x.strip()]
    if len(parts) < 2:
        return html
    li_cls = f' class="{p["li"]}"' if p["li"] else ""
    ul_cls = f' class="{p["ul"]}"' if p["ul"] else ""
    sep = "<span>&gt;</span>" if p["keep_sep"] else ""
    items = sep.join(f"<li{li_cls}>{x}</li>" for x in parts)
    if p.get("whole"):  # the crumb element itself a list: <ul class="post_crumb"><li>…</li>…</ul>
        tag = html[a:head]
        opening = "<ul" + tag[len("<div"):] if tag.startswith("<div") else tag
        return html[:a] + opening + items + inner[m.end():] + "</ul>" + html[b:]
    return html[:head] + f"<ul{ul_cls}>{items}</ul>" + inner[m.end():] + html[b - len("</div>"):]


# --- publish time in another format ----------------------------------------------------------------------

#: Formats the site has used or could (Y M D always in that order; with or without seconds).
DATE_FORMATS = (
    "{Y}年{m}月{d}日 {H}:{M}", "{Y}年{m}月{d}日 {H}:{M}:{S}", "{Y}/{m}/{d} {H}:{M}", "{Y}.{m}.{d} {H}:{M}",
    "{Y}-{m}-{d} {H}:{M}", "{Y}年{m}月{d}日 {H}时{M}分", "{Y}.{m}.{d} {H}:{M}:{S}", "{Y}年{m}月{d}日{H}:{M}",
    "{Y}年{m}月{d}日 {H}时{M}分{S}秒", "{Y}/{m}/{d} {H}:{M}:{S}",
)


def draw_date(html: str, rng: random.Random) -> dict[str, Any]:
    return {"fmt": rng.choice(DATE_FORMATS), "pad": rng.random() < 0.6}


def _fmt(m: re.Match[str], p: dict[str, Any]) -> str:
    pad = (lambda v: f"{int(v):02d}") if p["pad"] else (lambda v: str(int(v)))
    return p["fmt"].format(Y=m["year"], m=pad(m["month"]), d=pad(m["day"]), H=f"{int(m['hour']):02d}",
                           M=m["minute"], S=m["second"] or "00")


def apply_date(html: str, p: dict[str, Any]) -> str:
    iso = default_site().list_time_re  # the package table's own time format (the undrifted page's)
    html = re.sub(r'(data-publishtime=")([^"]+)', lambda m: m[1] + iso.sub(lambda t: _fmt(t, p), m[2], count=1),
                  html, count=1)
    span = _span(html, "post_info")
    if span is None:
        return html
    a, b = span
    return html[:a] + iso.sub(lambda t: _fmt(t, p), html[a:b], count=1) + html[b:]


# --- content change: the text really changed (not layout: must not be repaired) --------------------------

def draw_content(html: str, rng: random.Random) -> dict[str, Any]:
    return {"what": rng.choice(["title", "paragraph", "source", "time"]), "seed": rng.randrange(10**6)}


def apply_content(html: str, p: dict[str, Any]) -> str:
    rng = random.Random(p["seed"])
    what = p["what"]
    if what == "title":
        return re.sub(r'(<h1 class="post_title">)([^<]+)', lambda m: m[1] + "更新：" + m[2][: max(4, len(m[2]) // 2)],
                      html, count=1)
    if what == "paragraph":
        span = _span(html, "post_body")
        if span is None:
            return html
        a, b = span
        paras = list(re.finditer(r"(<p(?: [^>]*)?>)([^<]{12,})", html[a:b]))
        if not paras:
            return html
        m = rng.choice(paras)
        at = a + m.start(2)
        return html[:at] + "据最新消息，" + html[at + 6:]
    if what == "source":
        span = _span(html, "post_info")
        if span is None:
            return html
        a, b = span
        seg = re.sub(r"(来源:\s*<a [^>]*>)([^<]+)", r"\1新京报", html[a:b], count=1)
        return html[:a] + seg + html[b:]
    shift = rng.randint(1, 50)

    def later(m: re.Match[str]) -> str:
        minute = (int(m["minute"]) + shift) % 60
        return m[0].replace(f":{m['minute']}:", f":{minute:02d}:", 1)

    iso = default_site().list_time_re
    html = re.sub(r'(data-publishtime=")([^"]+)', lambda m: m[1] + iso.sub(later, m[2], count=1),
                  html, count=1)
    span = _span(html, "post_info")
    if span is None:
        return html
    a, b = span
    return html[:a] + iso.sub(later, html[a:b], count=1) + html[b:]


@dataclass(frozen=True)
class Family:
    name: str
    kind: str  # "layout" | "content"
    description: str
    draw: Callable[[str, random.Random], dict[str, Any]]
    apply: Callable[[str, dict[str, Any]], str]


FAMILIES: dict[str, Family] = {f.name: f for f in (
    Family("class-hash", "layout", "one build hash appended to every class name (post_title → post_title_a1b2c3)",
           draw_class_hash, apply_class_hash),
    Family("single-rename", "layout", "one class the table names renamed (stem kept, or an unrelated name)",
           draw_single_rename, apply_single_rename),
    Family("container-split", "layout", "the body's children shared out between two sibling containers",
           draw_split, apply_split),
    Family("crumb-list", "layout", 'the text crumb "a > b > c" turned into <ul><li>a</li><li>b</li>… (inside the '
           "crumb element, or the crumb element itself a list)", draw_crumb_list,
           apply_crumb_list),
    Family("date-format", "layout", "the publish time in another format (年月日, / . 时分, seconds dropped or not)",
           draw_date, apply_date),
    Family("content", "content", "the text really changed: title, a paragraph, the source, the time",
           draw_content, apply_content),
)}


def classes_of(html: str) -> set[str]:
    """Every class token used in the page's body (for tests)."""
    return _classes(html)


def has_class(html: str, cls: str) -> bool:
    return _open_re(cls).search(html) is not None
