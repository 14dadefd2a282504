"""HTML to ``Article`` by reading a site table (``capture.sites.Site``, passed explicitly).

The code here knows *how* to read a kind of field (a time, a crumb, a list); *where* each field is
lives in the table, so a layout change is fixed there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache, cached_property

from selectolax.lexbor import LexborDocumentOptions, LexborHTMLParser, LexborNode

from ..errors import BadInput, LayoutNotRecognized, MissingField
from ..sites import Site, default_site
from ..sites.netease import Generation, iso_time
from .care import extract_care
from .decode import decode_charset, to_text
from .model import (
    Accessibility,
    Article,
    Block,
    Image,
    Link,
    Paragraph,
    Recommendation,
    SideModule,
    Source,
    Video,
)

_MODES = ("normal", "care")
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "link", "meta", "-comment"})
_TEXT_BLOCK_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "li", "figure"})
_INLINE_TAGS = frozenset({"a", "b", "strong", "em", "i", "u", "span", "font", "sup", "sub", "small", "big"})
_WO_EVENTS = LexborDocumentOptions.WO_EVENTS
#: A selector on the ``html`` or ``body`` element itself (no combinator): there is one such element.
_ON_ROOT = re.compile(r"(?:html|body)(?![-\w])[^\s>+~,]*$")
_ON_ROOT_ATTRS = re.compile(r"(?:html|body)((?:\[[^\]]*\])+)")
_ATTR_SEL = re.compile(r"""\[([-\w]+)(?:([*^$~|]?=)(?:"([^"]*)"|([-\w]+)))?\]""")
_BARE_CLASS = re.compile(r"\.[-\w]+")
_NON_DIGIT = re.compile(r"\D")
#: How much of a found text a ``MissingField`` message shows.
_SHOWN_CHARS = 40
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|(?<![-\w])height\s*:\s*0(?:px)?\s*(?:;|$)")


def _squeeze(text: str | None) -> str:
    """Collapse runs of whitespace (incl. full-width and nbsp) to one space, as a reader perceives it."""
    return " ".join(text.split()) if text else ""


def parse(html: str | bytes | LexborHTMLParser) -> LexborHTMLParser:
    """A Lexbor tree; bytes are decoded first (:func:`.decode.decode_charset`: BOM, valid UTF-8, declared charset)."""
    if isinstance(html, LexborHTMLParser):
        return html
    if isinstance(html, bytes) and decode_charset(html) == "utf-8":
        # Lexbor reads UTF-8 bytes itself (no decode/encode round trip); the tree is never mutated,
        # so DOM mutation events are switched off.
        return LexborHTMLParser(html, options=_WO_EVENTS)
    return LexborHTMLParser(to_text(html), options=_WO_EVENTS)


def _attr_test(op: str, want: str) -> Callable[[str | None], bool]:
    if not op:
        return lambda v: True
    if op != "=" and not want:
        return lambda v: False  # CSS: an empty *=, ^=, $= … value matches nothing
    return {
        "=": lambda v: v == want,
        "*=": lambda v: v is not None and want in v,
        "^=": lambda v: v is not None and v.startswith(want),
        "$=": lambda v: v is not None and v.endswith(want),
        "~=": lambda v: v is not None and want in v.split(),
        "|=": lambda v: v is not None and (v == want or v.startswith(want + "-")),
    }[op]


@cache
def _root_matcher(css: str) -> Callable[[LexborNode], bool] | None:
    """A Python test for ``html[…]``/``body[…]`` selectors made only of attribute checks on ``data-*`` or
    ``aria-*`` attributes (case-sensitive values), else None. Lexbor's own ``css_matches`` walks the
    whole subtree, so on ``html`` a miss would cost a full page walk."""
    m = _ON_ROOT_ATTRS.fullmatch(css)
    if m is None:
        return None
    tests = []
    for a in _ATTR_SEL.finditer(m.group(1)):
        name, op = a.group(1).lower(), a.group(2) or ""
        if op and not name.startswith(("data-", "aria-")):
            return None
        tests.append((name, _attr_test(op, a.group(3) if a.group(3) is not None else a.group(4) or "")))
    if "".join(a.group(0) for a in _ATTR_SEL.finditer(m.group(1))) != m.group(1):
        return None

    def matcher(el: LexborNode) -> bool:
        attrs = el.attributes
        return all(name in attrs and test(attrs[name]) for name, test in tests)

    return matcher


#: css -> whether it is a selector on ``html``/``body`` itself (a regex match per lookup adds up).
_ROOT_SEL: dict[str, bool] = {}


def _on_root(css: str) -> bool:
    on_root = _ROOT_SEL.get(css)
    if on_root is None:
        on_root = _ROOT_SEL[css] = _ON_ROOT.match(css) is not None
    return on_root


def _first(tree: LexborHTMLParser, scope: LexborNode | None, css: str) -> LexborNode | None:
    """First match of ``css`` in ``scope`` (whole page if None); ``html[…]``/``body[…]`` test that element."""
    if _on_root(css):
        test = _root_matcher(css)
        if test is not None:
            el = tree.root if css[0] == "h" else tree.body
            return el if el is not None and test(el) else None
        return tree.css_first(css)
    return (scope if scope is not None else tree).css_first(css)


def _all(tree: LexborHTMLParser, scope: LexborNode | None, css: str) -> list[LexborNode]:
    """Every match of ``css`` in ``scope`` (whole page if None), in document order."""
    if _on_root(css):
        el = _first(tree, None, css)
        return [el] if el is not None else []
    return (scope if scope is not None else tree).css(css)


class _Page:
    """A tree plus the whole-page first matches already looked up: generations share fingerprint
    markers, and the reader reuses them (a region found while recognising is not searched again)."""

    def __init__(self, tree: LexborHTMLParser, site: Site) -> None:
        self.tree = tree
        self.site = site
        self.found: dict[str, LexborNode | None] = {}

    def first(self, css: str) -> LexborNode | None:
        """First match of ``css`` in the whole page, looked up once."""
        found = self.found
        if css in found:
            return found[css]
        n = found[css] = _first(self.tree, None, css)
        return n

    def has(self, css: str) -> bool:
        return self.first(css) is not None

    def has_any(self, sels: tuple[str, ...]) -> bool:
        on_root, rest = _split_markers(sels)
        return any(self.has(s) for s in on_root) or bool(rest) and self.has(rest)


@cache
def _split_markers(sels: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    """(markers checked on ``html``/``body`` itself, the others as one comma selector): one pass over
    the page for the rest of the list, not one per marker."""
    on_root = tuple(s for s in sels if _ON_ROOT.match(s))
    return on_root, ", ".join(s for s in sels if s not in on_root)


def _matches(page: _Page, gen: Generation) -> bool:
    fp = gen.fingerprint
    return all(page.has(s) for s in fp.all) and (not fp.any or page.has_any(fp.any))


def _recognise(page: _Page, candidates: tuple[Generation, ...], what: str) -> Generation:
    for gen in candidates:
        if _matches(page, gen):
            return gen
    tried = "; ".join(f"{g.name} = {g.fingerprint.describe()}" for g in candidates)
    raise LayoutNotRecognized(f"no template generation recognised {what}; looked for: {tried}")


def detect_generation(html_or_tree: str | bytes | LexborHTMLParser, mode: str | None = None, *,
                      site: Site | None = None) -> str:
    """Name of the template generation of a normal page (with ``mode``, only that mode's generations:
    "care" has none, a 关怀版 is read generically) in ``site`` (default: the package table);
    raises ``LayoutNotRecognized``."""
    site = site or default_site()
    candidates = tuple(g for g in site.generations if mode is None or g.mode == mode)
    return _recognise(_Page(parse(html_or_tree), site), candidates, "the page").name


# -- reading fields ---------------------------------------------------------------------------------


class _Plan:
    """A generation's table, pre-split once: field -> ((css, attr), …) and field -> region selector."""

    def __init__(self, gen: Generation) -> None:
        self.gen = gen
        self.sels = {k: tuple((css, attr) for css, _, attr in (s.partition("@") for s in v))
                     for k, v in gen.fields.items()}
        self.region = {f: region for region, names in gen.regions.items() for f in names}
        self.queries: dict[str, str] = {}  # derived selectors (recommendation rows), built on first use


_PLANS: dict[int, _Plan] = {}


def _plan(gen: Generation) -> _Plan:
    plan = _PLANS.get(id(gen))
    if plan is None or plan.gen is not gen:
        plan = _PLANS[id(gen)] = _Plan(gen)
    return plan


class _Reader:
    """Field access for one page and one generation: selectors come from ``gen.fields``, searched
    inside the field's region (``gen.regions``) when it has one, else in the whole page."""

    def __init__(self, page: _Page, gen: Generation) -> None:
        self.page = page
        self.tree = page.tree
        self.site = page.site
        self.gen = gen
        self.plan = _plan(gen)
        self.region = self.plan.region
        self.found: dict[tuple[str, str], LexborNode | None] = {}  # (region, css) -> first match

    def first(self, name: str, css: str) -> LexborNode | None:
        """First match of ``css`` in the region of field ``name``; fields sharing a selector share the search."""
        region = self.region.get(name)
        if region is None:
            return self.page.first(css)
        key = (region, css)
        found = self.found
        if key in found:
            return found[key]
        n = found[key] = _first(self.tree, self.page.first(region), css)
        return n

    def sels(self, name: str) -> tuple[str, ...]:
        return self.gen.fields.get(name, ())

    def missing(self, name: str, what: str = "") -> MissingField:
        """The error for a required field: whether no element matched (absent) or one did and its text
        did not do (did not parse, with that text, shortened), so a user knows which to fix."""
        gen = self.gen.name
        found, absent = [], []
        for sel, (css, attr) in zip(self.sels(name), self.plan.sels.get(name, ()), strict=True):
            n = self.first(name, css)
            if n is None:
                absent.append(sel)
            else:
                found.append(f"selector {sel} found {_shorten(n.attrs.get(attr) if attr else n.text_lexbor())!r}")
        head = f"{what + ': ' if what else ''}{gen} page: required field {name!r}"
        if not found:
            problem = f"is absent: no element matched {' | '.join(absent) or '(no selector in table)'}"
        else:
            tried = f"; nothing matched {' | '.join(absent)}" if absent else ""
            problem = (f"did not parse: {'; '.join(found)}{tried} "
                       f"(expected {self.site.field_formats.get(name, 'text')})")
        return MissingField(f"{head} {problem}; if the site changed, add a selector to generation.{gen}.fields."
                            f"{name} in capture/sites/netease.toml or an overlay (netease.toml beside pages.toml, "
                            "or --site FILE)", field=name)

    def scope(self, name: str) -> LexborNode | None:
        """The region node ``name`` lives in, or None (whole page) when it has none or it is absent."""
        region = self.region.get(name)
        return self.page.first(region) if region is not None else None

    def nodes(self, name: str, scope: LexborNode | None = None) -> list[LexborNode]:
        """All matches of the first alternative that matches anything."""
        sels = self.plan.sels.get(name, ())
        if scope is not None:
            return next((found for css, _ in sels if (found := scope.css(css))), [])
        root = self.scope(name)
        for css, _ in sels:
            found = _all(self.tree, root, css)
            if found:
                return found
        return []

    def node(self, name: str, scope: LexborNode | None = None) -> LexborNode | None:
        sels = self.plan.sels.get(name, ())
        if scope is not None:
            return next((found for css, _ in sels if (found := scope.css_first(css)) is not None), None)
        for css, _ in sels:
            found = self.first(name, css)
            if found is not None:
                return found
        return None

    def iter_values(self, name: str) -> Iterator[str]:
        """Text (or ``@attr`` value) of the first match of each alternative, in table order, lazily."""
        for css, attr in self.plan.sels.get(name, ()):
            n = self.first(name, css)
            if n is None:
                continue
            v = n.attrs.get(attr) if attr else n.text_lexbor()
            if v:
                yield v

    def values(self, name: str) -> list[str]:
        return list(self.iter_values(name))

    def value(self, name: str) -> str | None:
        return next(self.iter_values(name), None)

    def nodes_all(self, name: str, scope: LexborNode | None = None) -> list[LexborNode]:
        """Every match of every alternative in ``scope`` (whole page if None)."""
        root = scope if scope is not None else self.tree
        return [n for css, _ in self.plan.sels.get(name, ()) for n in root.css(css)]

    def ids(self, name: str, scope: LexborNode) -> set[int]:
        return {n.mem_id for css, _ in self.plan.sels.get(name, ()) for n in scope.css(css)}


def _with_ancestors(nodes: Iterable[LexborNode], stop: LexborNode | None = None) -> set[int]:
    """``mem_id`` of each node and all its ancestors: "x in set" means "x is or contains one of them".

    With ``stop`` (an ancestor-or-self of every node given), chains end at it: enough to ask about
    nodes inside ``stop``, and each chain is a few parents long instead of reaching the root."""
    out: set[int] = set()
    add = out.add
    stop_id = stop.mem_id if stop is not None else None
    for n in nodes:
        while n is not None:
            mid = n.mem_id
            if mid in out:
                break  # this chain was added up to the root (or ``stop``) already
            add(mid)
            if mid == stop_id:
                break
            n = n.parent
    return out


def _shorten(text: str | None) -> str:
    """A found text as a message shows it: squeezed, at most ``_SHOWN_CHARS`` characters."""
    text = _squeeze(text)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


def _published(r: _Reader) -> str | None:
    """The publish time of the first alternative that has one with a clock time, else the first date
    alone: a page whose attribute gives only the day but whose info line gives the time keeps the time."""
    day = None
    for t in (iso_time(v, site=r.site) for v in r.iter_values("published")):
        if t and "T" in t:
            return t
        day = day or t
    return day


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _label(text: str | None, pattern: str) -> str | None:
    m = _compiled(pattern).search(text or "")
    return m.group(1) if m else None


def _crumb(r: _Reader) -> list[str]:
    """The crumb's parts: the texts of its ``crumb_item`` matches inside the crumb (a crumb given as a
    list, ``<ul><li>网易首页</li><li>…</li></ul>``; a separator at an item's edge is dropped) when the
    table names items and some match there; else its text and links (not ``crumb_skip``) split by '>'."""
    node = r.node("crumb")
    if node is None:
        return []
    skip = r.ids("crumb_skip", node)
    items = r.nodes("crumb_item", node) if "crumb_item" in r.gen.fields else []
    if items:  # an item that is or holds a crumb_skip node (申请入驻) is left out
        held = _with_ancestors(r.nodes_all("crumb_skip", node), node) if skip else set()
        texts = (_squeeze(n.text(deep=True)).strip(">").strip() for n in items if n.mem_id not in held)
        return [t for t in texts if t]
    parts = []
    for child in node.iter(include_text=True):
        if child.is_text_node:
            parts.append(child.text_content or "")
        elif child.tag == "a" and child.mem_id not in skip:
            parts.append(child.text_lexbor())
    return [p for p in (_squeeze(x) for x in " ".join(parts).split(">")) if p]


def _source(r: _Reader) -> Source | None:
    node = r.node("source")
    if node is None:
        return None
    if node.tag == "a":
        name = _squeeze(node.text_lexbor())
        return Source(name=name, url=node.attrs.get("href")) if name else None
    name = _label(node.text_lexbor(), r.site.source_label)
    return Source(name=name, url=None) if name else None


def _place(r: _Reader) -> str | None:
    """The ipLocation city: the text right after the location icon."""
    icon = r.node("place")
    nxt = icon.next if icon is not None else None
    if nxt is None or not nxt.is_text_node:
        return None
    words = (nxt.text_content or "").split()
    return words[0] if words else None


def _is_hidden(node: LexborNode) -> bool:
    attrs = node.attributes
    style = attrs.get("style")
    return bool(style) and bool(_HIDDEN_STYLE.search(style)) or "hidden" in attrs


class _BodyWalker:
    """Body blocks in reading order: paragraphs, images (own blocks) and video placeholders.

    What a subtree contains (an image, a video, a block element) is found by one query over the
    whole body up front: ``x in self.has_img`` means x is or contains an ``img``. Likewise the
    elements that could be hidden (they carry ``style`` or ``hidden``): only those are inspected.
    """

    def __init__(self, body: LexborNode, skip: set[int], videos: list[LexborNode]) -> None:
        self.skip = skip
        self.videos = {n.mem_id for n in videos}
        self.blocks: list[Block] = []
        self.inline: list[str] = []
        self.body = body
        self.tags = [(n, n.tag) for n in body.css("img, p, div, video, iframe")]
        self.has_img = _with_ancestors((n for n, tag in self.tags if tag == "img"), body)
        self.has_video = _with_ancestors([*(n for n, tag in self.tags if tag in ("video", "iframe")), *videos], body)
        self.styled = {n.mem_id for n in body.css("[style], [hidden]")}

    @cached_property
    def has_block(self) -> set[int]:
        """Needed only when an inline element sits beside blocks, so built on first use."""
        return _with_ancestors((n for n, tag in self.tags if tag in ("img", "p", "div")), self.body)

    def hidden(self, node: LexborNode) -> bool:
        return node.mem_id in self.styled and _is_hidden(node)

    def flush(self) -> None:
        if self.inline:
            text = _squeeze("".join(self.inline))
            self.inline = []
            if text:
                self.blocks.append(Paragraph(text=text))

    def video(self, node: LexborNode) -> Video:
        src_node = node if node.tag in ("video", "iframe") else node.css_first("video, iframe, source")
        attrs = src_node.attributes if src_node is not None else node.attributes
        own = node.attributes
        src = attrs.get("src") or attrs.get("data-src") or own.get("data-src")
        poster = attrs.get("poster") or own.get("data-poster") or own.get("poster")
        return Video(src=src, poster=poster)

    def walk(self, container: LexborNode) -> None:
        skip, styled, videos, blocks = self.skip, self.styled, self.videos, self.blocks
        for node in container.iter(include_text=True):
            if node.is_text_node:
                self.inline.append(node.text_content or "")
                continue
            tag = node.tag
            mid = node.mem_id
            if tag in _SKIP_TAGS or mid in skip or mid in styled and _is_hidden(node):
                continue
            if mid in videos:
                self.flush()
                blocks.append(self.video(node))
            elif tag == "img":
                self.flush()
                blocks.append(Image(src=_img_src(node)))
            elif tag == "br":
                self.flush()
            elif tag in _TEXT_BLOCK_TAGS:
                self.flush()
                self.text_block(node, mid)
            elif tag in _INLINE_TAGS and mid not in self.has_block:
                self.inline.append(node.text_lexbor())
            else:
                self.flush()
                self.walk(node)
                self.flush()
        self.flush()

    def text_block(self, node: LexborNode, mid: int) -> None:
        if mid in self.has_video:
            self.walk(node)
            return
        imgs = [i for i in node.css("img") if not self.hidden(i)] if mid in self.has_img else []
        text = _squeeze(node.text_lexbor())
        if imgs:
            # 'p.f_center' style: the images are the content, any text beside them is their caption.
            last = len(imgs) - 1
            for i, img in enumerate(imgs):
                self.blocks.append(Image(src=_img_src(img), caption=text if i == last else ""))
        elif text:
            self.blocks.append(Paragraph(text=text))


def _img_src(img: LexborNode) -> str:
    a = img.attributes
    return a.get("data-src") or a.get("src") or a.get("data-original") or ""


def _body(r: _Reader, body: LexborNode) -> list[Block]:
    skip = r.ids("otitle", body) | r.ids("body_skip", body)
    videos = r.nodes_all("video", body)
    walker = _BodyWalker(body, skip, videos)
    walker.walk(body)
    return walker.blocks


def _tie_count(r: _Reader) -> int | None:
    digits = _NON_DIGIT.sub("", r.value("tie_count") or "")
    return int(digits) if digits else None


def _share(r: _Reader) -> list[str]:
    out = []
    for li in r.nodes("share"):
        classes = (li.attributes.get("class") or "").split()
        out.append(classes[0] if classes else _squeeze(li.text_lexbor()))
    return out


def _recommendation_queries(r: _Reader) -> tuple[str, str, str]:
    """(title, time, all) selectors of a row, each scoped by every ``recommend_item`` part; built once."""
    q = r.plan.queries
    if "all" not in q:
        parts = [s.strip() for sel in r.sels("recommend_item") for s in sel.split(",")]

        def scoped(key: str) -> str:
            return ", ".join(f"{p} {sub}" for p in parts for sub in r.sels(key))

        q["title"], q["time"] = scoped("recommend.title"), scoped("recommend.time")
        q["all"] = ", ".join(x for x in (q["title"], q["time"], scoped("recommend.source")) if x)
    return q["title"], q["time"], q["all"]


def _recommendations(r: _Reader) -> dict[str, list[Recommendation]]:
    """Tabs of recommendation lists; two or three queries per tab keep this fast on 60-item rendered lists."""
    labels = [_squeeze(n.text_lexbor()) for n in r.nodes("recommend_tab")]
    q_title, q_time, q_all = _recommendation_queries(r)
    time_sels = r.sels("recommend.time")
    time_class = (frozenset(t[1:] for t in time_sels)
                  if time_sels and all(_BARE_CLASS.fullmatch(t) for t in time_sels) else None)
    out: dict[str, list[Recommendation]] = {}
    search = r.site.list_time_re.search
    for i, panel in enumerate(r.nodes("recommend_panel")):
        label = labels[i] if i < len(labels) and labels[i] else f"tab{i + 1}"
        if not q_title:
            out[label] = []
            continue
        titles = {n.mem_id for n in panel.css(q_title)}
        # A time selector that is a bare class is checked on the node: one query fewer per tab.
        times = {n.mem_id for n in panel.css(q_time)} if q_time and time_class is None else set()
        # Title, time and source nodes in document order: each title starts a new item.
        rows: list[list[LexborNode]] = []  # [title, time or None, source or None]
        row: list | None = None
        for n in panel.css(q_all):
            mid = n.mem_id
            if mid in titles:
                row = [n, None, None]
                rows.append(row)
            elif row is not None:
                if time_class is not None:
                    classes = n.attributes.get("class")
                    k = 1 if classes and not time_class.isdisjoint(classes.split()) else 2
                else:
                    k = 1 if mid in times else 2
                if row[k] is None:
                    row[k] = n
        items = []
        for a, t, src in rows:
            title = _squeeze(a.text_lexbor())
            if not title:
                continue  # empty slots (artificial_collect_item in raw HTML) are not items
            time_text = _squeeze(t.text_lexbor()) if t is not None else ""
            m = search(time_text) if time_text else None
            if src is not None:
                source = _squeeze(src.text_lexbor()) or None
            else:
                source = _squeeze(time_text[: m.start()] if m else time_text) or None
            items.append(Recommendation(title=title, url=a.attrs.get("href"),
                                        source=source, time=m.group(0) if m else None))
        out[label] = items
    return out


def _links(nodes: Iterable[LexborNode]) -> list[Link]:
    """Titled links (a link without text is not an item)."""
    out = []
    for a in nodes:
        title = _squeeze(a.text_lexbor())
        if title:
            out.append(Link(title=title, url=a.attrs.get("href")))
    return out


def _side_modules(r: _Reader) -> list[SideModule]:
    titles = r.nodes("side_title")
    if not titles:
        return []
    # Modules holding a ``side_skip`` node are left out: one query for all of them, not one per module.
    region = r.scope("side_title")
    skip_roots = r.nodes_all("side_skip", region) if region is not None else r.nodes_all("side_skip")
    skipped = _with_ancestors(skip_roots)
    mods = []
    for h2 in titles:
        mod = h2.parent
        if mod is None or mod.mem_id in skipped:
            continue
        # The heading's own link: its subtree is a node or two, cheaper to walk than to query.
        a = next((n for n in h2.traverse() if n.tag == "a"), None)
        mods.append(SideModule(title=_squeeze(h2.text_lexbor()),
                               url=a.attrs.get("href") if a is not None else None,
                               items=_links(r.nodes("side_item", mod))))
    return mods


def _accessibility(r: _Reader) -> Accessibility:
    care = next((v for v in r.iter_values("care_link") if not v.strip().lower().startswith("javascript:")), None)
    return Accessibility(
        wza_toolbar=r.node("wza") is not None,
        care_url=care or r.value("care_url"),
        normal_url=r.value("normal_link"),
    )


def extract(html: str | bytes | LexborHTMLParser, url: str = "", mode: str | None = None, *,
            site: Site | None = None) -> Article:
    """Turn one article page (raw server HTML or rendered DOM, normal or 关怀版) into an ``Article``.

    ``mode`` None auto-detects: a ``_pdya11y``/``_pa11y`` URL is a care page. A care page (of any
    markup) is read generically; a normal page by its template generation. Raises
    ``LayoutNotRecognized`` (normal pages only) or ``MissingField`` with what was looked for.
    A tree from :func:`parse` is accepted too (it is only read), so a caller that also needs the
    skeleton parses the page once. ``site``: the table to read by (None: the package's own; a run
    passes its own, overlays included, explicitly).
    """
    site = site or default_site()
    if mode is not None and mode not in _MODES:
        raise BadInput(f"mode must be one of {', '.join(_MODES)}, not {mode!r}")
    if mode is None and url.split("?", 1)[0].split("#", 1)[0].endswith(site.care_url_suffixes):
        mode = "care"
    tree = parse(html)
    page = _Page(tree, site)
    if mode == "care":  # unknown markup: read generically (capture.extract.care), never "not recognised"
        return extract_care(tree, url, lambda gen, body: _body(_Reader(page, gen), body), site=site)
    what = f"{url or 'the page'}" + (f" as a {mode} page" if mode else "")
    gen = _recognise(page, site.generations, what)
    r = _Reader(page, gen)

    title = _squeeze(r.value("title"))
    if not title and "title" in gen.required:
        raise r.missing("title", url)
    published = _published(r)
    if published is None and "published" in gen.required:
        raise r.missing("published", url)
    body = r.node("body")
    if body is None and "body" in gen.required:
        raise r.missing("body", url)
    source = _source(r)
    if source is None and "source" in gen.required:
        raise r.missing("source", url)

    otitle_node = r.node("otitle", body) if body is not None else None
    author_text = " ".join(r.values("author_text"))
    return Article(
        url=url,
        mode=gen.mode,
        generation=gen.name,
        crumb=_crumb(r),
        title=title,
        published=published,
        source=source,
        place=_place(r),
        otitle=_squeeze(otitle_node.text_lexbor()) or None if otitle_node is not None else None,
        blocks=_body(r, body) if body is not None else [],
        author=_squeeze(r.value("author")) or _label(author_text, site.author_label),
        editor=next((e for e in (_label(v, site.editor_label) for v in r.iter_values("editor")) if e), None),
        tie_count=_tie_count(r),
        share=_share(r),
        recommendations=_recommendations(r),
        side_modules=_side_modules(r),
        yuanchuang=_links(r.nodes("yuanchuang")),
        accessibility=_accessibility(r),
    )
