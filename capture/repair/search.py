"""Search a new capture's DOM for the elements holding a golden's values, and build selectors for them.

Selectors are made of classes and structure only: a generated id (``SKELETON_GENERATED_IDS``) or a
random class (``SKELETON_RANDOM_CLASS``) changes on every load, so a selector naming one would break on
the next capture.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..same_value import in_order
from ..sites import default_site

_RANDOM = re.compile(default_site().skeleton_random_class)
_GENERATED_ID = re.compile("|".join(f"(?:{p})" for p in default_site().skeleton_generated_ids))
_SKIP = frozenset({"script", "style", "noscript", "template", "head", "title", "meta", "link", "-comment"})
_CLASS_TOKEN = r"\.{}(?![-\w])"
#: How far up from the found element a selector may anchor (ancestors tried, nearest first).
MAX_ANCESTORS = 6


def nows(text: str | None) -> str:
    """Text with every whitespace removed: how values are matched (line breaks and nbsp differ by page)."""
    return "".join((text or "").split())


def robust_classes(node: LexborNode) -> list[str]:
    """The element's classes a selector may name: not generated, not toggled by scripts."""
    return [c for c in (node.attributes.get("class") or "").split()
            if not _RANDOM.fullmatch(c) and c not in default_site().skeleton_volatile_classes]


def robust_id(node: LexborNode) -> str | None:
    ident = node.attributes.get("id")
    return ident if ident and not _GENERATED_ID.fullmatch(ident) and re.fullmatch(r"[A-Za-z][-\w]*", ident) else None


def describe(node: LexborNode) -> str:
    """``div.post_body_v2`` / ``h1#title``: how a report names an element."""
    ident = robust_id(node)
    return node.tag + (f"#{ident}" if ident else "") + "".join(f".{c}" for c in robust_classes(node))


class Page:
    """A parsed DOM with each element's text (whitespace removed) worked out once, in document order."""

    def __init__(self, html: str | bytes | LexborHTMLParser) -> None:
        from ..extract.core import parse

        self.tree = parse(html)
        self.nodes: list[LexborNode] = []
        self.texts: list[str] = []
        root = self.tree.body
        if root is not None:
            self._walk(root)

    def _walk(self, root: LexborNode) -> None:
        for node in root.traverse():
            if node.tag in _SKIP or node.is_text_node:
                continue
            self.nodes.append(node)
            self.texts.append(nows(node.text(deep=True)))

    def deepest(self, test: Any) -> LexborNode | None:
        """The smallest element whose text passes ``test`` (the last of equals: a descendant)."""
        best: tuple[int, int] | None = None
        for i, text in enumerate(self.texts):
            if text and test(text) and (best is None or len(text) <= best[0]):
                best = (len(text), i)
        return self.nodes[best[1]] if best else None

    def containing(self, value: str, exact: bool = False) -> LexborNode | None:
        want = nows(value)
        if not want:
            return None
        return self.deepest((lambda t: t == want) if exact else (lambda t: want in t))

    def in_order(self, parts: list[str]) -> LexborNode | None:
        """The smallest element whose text holds every part, in this order."""
        wanted = [p for p in map(nows, parts) if p]
        if not wanted:
            return None

        def test(text: str) -> bool:
            return in_order(wanted, text)

        first = wanted[0]
        return self.deepest(lambda t: first in t and test(t))

    def with_attribute(self, value: str) -> LexborNode | None:
        """The first element one of whose attributes ends with ``value`` (a URL written relative or absolute)."""
        for node in [self.tree.root, *self.nodes]:
            if node is not None and any(v and (v == value or value.endswith(v) or v.endswith(value))
                                        for v in node.attributes.values() if isinstance(v, str) and len(v) > 8):
                return node
        return None


def ancestors(node: LexborNode, limit: int = MAX_ANCESTORS) -> Iterator[LexborNode]:
    n = node.parent
    while n is not None and limit > 0 and n.tag not in ("body", "html"):
        yield n
        n = n.parent
        limit -= 1


def _lost_classes(selector: str, tree: LexborHTMLParser) -> list[str]:
    """Classes a selector names that nothing in the page carries any more."""
    return [c for c in dict.fromkeys(re.findall(r"\.([-\w]+)", selector)) if tree.css_first(f".{c}") is None]


def rename(selector: str, lost: str, new: str) -> str:
    """``selector`` with the class ``lost`` written ``new`` (whole class tokens only)."""
    return re.sub(_CLASS_TOKEN.format(re.escape(lost)), f".{new}", selector)


def candidates(node: LexborNode, old: tuple[str, ...], tree: LexborHTMLParser) -> list[tuple[str, tuple[str, str] | None]]:
    """Selectors for ``node``, smallest edit first, each with the class rename it makes (or None):
    each old selector with a class the page lost replaced by a class of the element or an ancestor;
    then the element's own classes and tag, alone and under a classed ancestor. The old selector's
    ``@attr`` is kept."""
    chain = [node, *ancestors(node)]
    edits: dict[str, tuple[str, str]] = {}
    attr = ""
    for sel in old:
        css, _, attr_part = sel.partition("@")
        attr = attr or attr_part
        suffix = f"@{attr_part}" if attr_part else ""
        for lost in _lost_classes(css, tree):
            for n in chain:
                for c in sorted(robust_classes(n), key=len):
                    if c != lost:
                        edits.setdefault(rename(css, lost, c) + suffix, (lost, c))
    suffix = f"@{attr}" if attr else ""
    own = [f"{node.tag}.{c}" for c in robust_classes(node)] + [f".{c}" for c in robust_classes(node)]
    if (ident := robust_id(node)) is not None:
        own.append(f"{node.tag}#{ident}")
    anchored = []
    for a in chain[1:]:
        for ac in robust_classes(a):
            anchored += [f".{ac} > {node.tag}", f".{ac} {node.tag}", *(f".{ac} {s}" for s in own)]
    generic = sorted(dict.fromkeys(s + suffix for s in own), key=len) + [s + suffix for s in dict.fromkeys(anchored)]
    # Nearest element first (the element's own class before an ancestor's), shorter first within one.
    ordered: list[tuple[str, tuple[str, str] | None]] = [(s, edits[s]) for s in edits]
    ordered += [(s, None) for s in generic if s not in edits]
    return ordered


def block_root(page: Page, text: str, body: LexborNode, golden_texts: list[str]) -> LexborNode | None:
    """The outermost element inside ``body`` that holds ``text`` and none of the golden's paragraphs:
    an inserted block (an ad) as a whole."""
    want = nows(text)
    inner = page.deepest(lambda t: want in t)
    if inner is None:
        return None
    golden = [nows(g) for g in golden_texts if nows(g)]
    node, best = inner, None
    while node is not None and node.mem_id != body.mem_id:
        own = nows(node.text(deep=True))
        if any(g in own for g in golden):
            break
        best = node
        node = node.parent
    return best
