"""Body-text accuracy: a reference built independently of the extractor, and character-level F1.

The reference uses only the standard library's ``html.parser`` and no selector table: it collects
every text node inside the first element whose class list contains the post2020 body class (the site
table's one ``POST_BODY`` constant, not its field selectors; or, for older templates, whose id is
``endText``/``content``), skipping script/style and elements hidden by an
inline style. That is the text a reader sees in the article body (the 原标题 line included), so
extractor output is compared as ``otitle + paragraphs + captions``.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

from ..sites import default_site
from .decode import to_text
from .model import Article, Image, Paragraph

_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                   "source", "track", "wbr"})
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|(?<![-\w])height\s*:\s*0")


class _BodyText(HTMLParser):
    def __init__(self, classes: tuple[str, ...], ids: tuple[str, ...]) -> None:
        super().__init__(convert_charrefs=True)
        self.classes, self.ids = classes, ids
        self.depth = 0  # >0 while inside the body element
        self.muted = 0  # >0 while inside script/style/hidden inside the body
        self.done = False
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done or tag in _VOID:
            return
        a = {k: v or "" for k, v in attrs}
        if self.depth:
            self.depth += 1
            if self.muted or tag in ("script", "style") or _HIDDEN.search(a.get("style", "")):
                self.muted += 1
        elif set(a.get("class", "").split()) & set(self.classes) or a.get("id") in self.ids:
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.done or not self.depth or tag in _VOID:
            return
        self.depth -= 1
        if self.muted:
            self.muted -= 1
        if self.depth == 0:
            self.done = True

    def handle_data(self, data: str) -> None:
        if self.depth and not self.muted and not self.done:
            self.parts.append(data)


def reference_body_text(html: str | bytes, classes: tuple[str, ...] | None = None,
                        ids: tuple[str, ...] = ()) -> str:
    """All visible text of the page's body region, whitespace removed (default: the package table's
    ``POST_BODY`` class)."""
    if classes is None:
        classes = (default_site().selectors["POST_BODY"].removeprefix("."),)
    p = _BodyText(classes, ids)
    p.feed(to_text(html))
    p.close()
    return "".join("".join(p.parts).split())


def article_body_text(article: Article) -> str:
    """What the extractor says the body reads: 原标题, paragraphs and captions, whitespace removed."""
    parts = [article.otitle or ""]
    for b in article.blocks:
        if isinstance(b, Paragraph):
            parts.append(b.text)
        elif isinstance(b, Image):
            parts.append(b.caption)
    return "".join("".join(parts).split())


def char_f1(predicted: str, reference: str) -> float:
    """F1 over the multiset of characters (whitespace ignored): 1.0 means the same characters."""
    pred = Counter("".join(predicted.split()))
    ref = Counter("".join(reference.split()))
    if not pred and not ref:
        return 1.0
    overlap = sum((pred & ref).values())
    if not overlap:
        return 0.0
    precision = overlap / sum(pred.values())
    recall = overlap / sum(ref.values())
    return 2 * precision * recall / (precision + recall)
