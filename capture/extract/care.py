"""The 关怀版 page, read without knowing its markup.

No real care page has ever been saved (NETEASE.md), so nothing here may name its classes. A care page
is the page the recorder reached from the normal one; it is read as generic HTML by the rules in
the site table's ``care`` rules (a heading, the element whose paragraphs hold the most text, the short
line with a publish time) and judged by whether it carries the normal page's article, found by text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..errors import MissingField
from ..sites import Site, default_site
from ..sites.netease import iso_time
from .model import Accessibility, Article, Paragraph, Source

#: The 关怀版 as a row of the package table's generations (the table in force has its own:
#: ``Site.care_generation``): matches any page, reads only generic fields.
CARE_GENERATION = default_site().care_generation


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@dataclass(frozen=True)
class CareParts:
    """The elements the generic reader found: what the care fingerprint describes."""

    crumb: LexborNode | None
    title: LexborNode | None
    info: LexborNode | None
    body: LexborNode | None


def _squeeze(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


def _own_paragraph_text(node: LexborNode, paragraph: str) -> int:
    """Characters in ``node``'s own paragraph children (not deeper: the innermost holder wins)."""
    total = 0
    child = node.child
    while child is not None:
        if child.tag == paragraph:
            total += len("".join((child.text_lexbor() or "").split()))
        child = child.next
    return total


def _body(tree: LexborHTMLParser, site: Site) -> LexborNode | None:
    """The element whose own paragraphs hold the most text (first one on a tie); None without text."""
    best, best_len = None, 0
    rules = site.care
    for node in tree.css(rules.body_containers):
        n = _own_paragraph_text(node, rules.paragraph)
        if n > best_len:
            best, best_len = node, n
    return best


def _inside(node: LexborNode, ancestor: LexborNode | None) -> bool:
    if ancestor is None:
        return False
    while node is not None:
        if node.mem_id == ancestor.mem_id:
            return True
        node = node.parent
    return False


def _info(tree: LexborHTMLParser, body: LexborNode | None, site: Site) -> LexborNode | None:
    """The time/source line: the shortest element outside the body whose text has a publish time;
    one before the body (where an article states it) wins over one after it (a list item's time),
    and one that also names a source (a label or a link) over a bare date."""
    candidates = []
    after = False
    rules, published, source = site.care, site.published_re, _compiled(site.source_label)
    for node in tree.css(rules.info_containers):
        if body is not None and node.mem_id == body.mem_id:
            after = True
            continue
        text = _squeeze(node.text_lexbor())
        if len(text) > rules.info_max_chars or not published.search(text) or _inside(node, body):
            continue
        named = bool(source.search(text)) or _source_link(node) is not None
        candidates.append((after, not named, len(text), node))
    return min(candidates, key=lambda c: c[:3])[3] if candidates else None


def _crumb(tree: LexborHTMLParser, title: LexborNode | None, body: LexborNode | None,
           site: Site) -> LexborNode | None:
    """The crumb: the shortest element before the title (else the body), with a link, whose text has at
    least two parts split by ``CARE.crumb_separator`` ("网易首页 > 网易号 > 正文")."""
    best: tuple[int, LexborNode] | None = None
    stop = title if title is not None else body
    rules = site.care
    for node in tree.css(f"{rules.info_containers}, h1"):
        if stop is not None and node.mem_id == stop.mem_id:
            break
        text = _squeeze(node.text_lexbor())
        if len(text) > rules.info_max_chars or rules.crumb_separator not in text or _inside(node, body):
            continue
        parts = [p for p in text.split(rules.crumb_separator) if p.strip()]
        if len(parts) >= 2 and node.css_first("a") is not None and (best is None or len(text) < best[0]):
            best = (len(text), node)
    return best[1] if best else None


def locate(tree: LexborHTMLParser, *, site: Site | None = None) -> CareParts:
    """Crumb, title, time/source line and body of a care page, by the generic rules of ``site``."""
    site = site or default_site()
    body = _body(tree, site)
    title = next((n for n in tree.css("h1") if _squeeze(n.text_lexbor())), None)
    return CareParts(crumb=_crumb(tree, title, body, site), title=title, info=_info(tree, body, site), body=body)


def _title(tree: LexborHTMLParser, parts: CareParts, site: Site) -> str:
    if parts.title is not None:
        return _squeeze(parts.title.text_lexbor())
    for sel in site.care.title:
        css, _, attr = sel.partition("@")
        node = tree.css_first(css)
        value = (node.attrs.get(attr) if attr else node.text_lexbor()) if node is not None else None
        if _squeeze(value):
            return _squeeze(value)
    return ""


def _source_link(node: LexborNode) -> LexborNode | None:
    for a in node.css("a"):
        href = (a.attrs.get("href") or "").strip().lower()
        if href and not href.startswith("javascript:") and _squeeze(a.text_lexbor()):
            return a
    return None


def _source(info: LexborNode | None, site: Site) -> Source | None:
    if info is None:
        return None
    a = _source_link(info)
    if a is not None:
        return Source(name=_squeeze(a.text_lexbor()), url=a.attrs.get("href"))
    m = _compiled(site.source_label).search(info.text_lexbor() or "")
    return Source(name=m.group(1), url=None) if m else None


def _normal_link(tree: LexborHTMLParser, url: str, site: Site) -> str | None:
    """The link back to the normal page: this article's URL without a care suffix (other article
    links, such as a list's, are not it)."""
    article = _compiled(site.article_path_re)
    own = article.match(urlsplit(url).path)
    if own is None:
        return None
    for a in tree.css("a[href]"):
        href = a.attrs.get("href") or ""
        m = article.match(urlsplit(href).path)
        if m and not m["care"] and m["id"] == own["id"]:
            return href
    return None


def extract_care(tree: LexborHTMLParser, url: str, read_body, *, site: Site) -> Article:
    """A care page as an ``Article``. ``read_body(gen, body)`` is the normal reader's body walker, so a
    care page's paragraphs, images and captions come out exactly as the normal page's do."""
    parts = locate(tree, site=site)
    where = f"{url or 'the page'}: 关怀版"
    title = _title(tree, parts, site)
    if not title:
        raise MissingField(f"{where} carries no title: no h1 and no og:title; it may not be an article page",
                           field="title")
    if parts.body is None:
        raise MissingField(f"{where} carries no article body: no element holds <p> text; it may not be an "
                           "article page", field="body")
    generation = site.care_generation
    blocks = read_body(generation, parts.body)
    otitle = None
    if blocks and isinstance(blocks[0], Paragraph) and (m := _compiled(site.care.otitle).match(blocks[0].text)):
        otitle, blocks = m.group(1), blocks[1:]
    attr_time = tree.root.attrs.get("data-publishtime") if tree.root is not None else None
    published = iso_time(attr_time, site=site) if attr_time else None
    line_time = iso_time(parts.info.text_lexbor(), site=site) if parts.info is not None else None
    if line_time and (published is None or "T" in line_time and "T" not in published):
        published = line_time
    after = tree.body.text_lexbor() if tree.body is not None else ""
    editor = _compiled(site.editor_label).search(after or "")
    wza = any(tree.css_first(css) is not None for css in site.care_fields.get("wza", ()))
    crumb = [_squeeze(p) for p in parts.crumb.text_lexbor().split(site.care.crumb_separator)] if parts.crumb else []
    return Article(
        url=url, mode="care", generation=generation.name, crumb=[p for p in crumb if p], title=title,
        published=published,
        source=_source(parts.info, site), place=None, otitle=otitle, blocks=blocks, author=None,
        editor=editor.group(1) if editor else None, tie_count=None, share=[], recommendations={},
        side_modules=[], yuanchuang=[],
        accessibility=Accessibility(wza_toolbar=wza, care_url=None, normal_url=_normal_link(tree, url, site)),
    )


# -- does the care page carry the article? ------------------------------------------------------------


@cache
def _fold(text: str) -> str:
    """Text compared across markups: NFKC-folded, all whitespace removed."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _paragraphs(data: dict) -> list[str]:
    return [b.get("text", "") for b in data.get("blocks") or [] if b.get("type") == "p" and b.get("text")]


def missing_from_care(care: dict, normal: dict, *, site: Site | None = None) -> list[str]:
    """What of the normal page's article the care page lacks (extraction dicts); [] when it carries it.

    Fields in ``CARE.same_fields`` must be equal; at least ``CARE.min_paragraph_share`` of the normal
    body's paragraphs must occur in the care page's body text.
    """
    out = []
    rules = (site or default_site()).care
    for name in rules.same_fields:
        if _fold(str(care.get(name) or "")) != _fold(str(normal.get(name) or "")):
            out.append(f"{name} {normal.get(name)!r} (the care page has {care.get(name)!r})")
    want = _paragraphs(normal)
    text = _fold("".join(_paragraphs(care)))
    lost = [p for p in want if _fold(p) not in text]
    if want and (len(want) - len(lost)) / len(want) < rules.min_paragraph_share:
        first = lost[0] if len(lost[0]) <= 24 else lost[0][:23] + "…"
        out.append(f"{len(lost)} of {len(want)} body paragraphs (first: {first!r})")
    return out


def care_problems(care: dict, normal: dict, care_url: str, normal_url: str, *,
                  site: Site | None = None) -> list[str]:
    """Why a care capture is not the 关怀版 of ``normal`` (one sentence each); [] when it is."""
    if care_url and normal_url and care_url.split("#")[0] == normal_url.split("#")[0]:
        return [f"the 关怀版 link led back to the normal page {normal_url}"]
    missing = missing_from_care(care, normal, site=site)
    return [f"the 关怀版 at {care_url} does not carry the article of {normal_url}: missing "
            + "; ".join(missing)] if missing else []
