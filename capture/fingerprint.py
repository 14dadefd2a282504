"""Layout fingerprint: a skeleton of each page region (tags, classes, nesting; no text, no churn).

A change that extraction survives still shows here: a wrapper div added, a class renamed, a module
reordered. Runs of identical siblings collapse to one line with ``+``, so more or fewer paragraphs or
list items (content) do not read as a layout change. What churns from load to load without a layout
change is left out, by the site table: generated ids and random classes, ad slots, optional icons; and
the items of lists that are recomputed per request become the sorted set of shapes they take.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .errors import LayoutNotRecognized
from .extract import care
from .extract.core import detect_generation, parse
from .sites import Site, default_site

_SKIP = frozenset({"script", "style", "noscript", "template", "-text", "-comment", "br", "wbr"})


class _Marks:
    """Nodes of one tree that the site table names: subtrees to skip and lists read as sets; and
    the table's rules for what of an element's id and class is layout."""

    def __init__(self, tree: LexborHTMLParser, site: Site) -> None:
        self.site = site
        self.skip = {n.mem_id for css, _why in site.skeleton_skip for n in tree.css(css)}
        self.sets = {n.mem_id for css in site.skeleton_item_sets for n in tree.css(css)}
        self.generated_id = site.generated_id_re.fullmatch
        self.random_class = site.random_class_re.fullmatch
        self.volatile_classes = frozenset(site.skeleton_volatile_classes)


def _label(node: LexborNode, marks: _Marks) -> str:
    """``tag#id.class…``: only id and class are kept (href, src, style, data-* carry content or churn),
    and of those only what a page author wrote (generated ids and random classes change per load)."""
    attrs = node.attributes
    label = node.tag or "?"
    if attrs.get("id") and not marks.generated_id(attrs["id"]):
        label += f"#{attrs['id']}"
    classes = sorted(c for c in (attrs.get("class") or "").split()
                     if c not in marks.volatile_classes and not marks.random_class(c))
    if classes:
        label += "." + ".".join(classes)
    return label


def _lines(node: LexborNode, depth: int, marks: _Marks, unordered: bool = False) -> list[str]:
    """Indented skeleton lines of ``node``'s subtree.

    Runs of identical siblings collapse to one entry marked `` +``. With ``unordered`` (the body) or
    for a list of ``SKELETON_ITEM_SETS``, the children become the sorted set of their distinct shapes,
    each marked `` *``: adding, dropping or moving a paragraph or a list item is content (or churn),
    while a new wrapper, a new item shape or a renamed class is layout.
    """
    children: list[list[str]] = []
    child = node.child
    while child is not None:
        if child.tag not in _SKIP and child.mem_id not in marks.skip:
            children.append(_lines(child, depth + 1, marks))
        child = child.next
    out = ["  " * depth + _label(node, marks)]
    if unordered or node.mem_id in marks.sets:
        for sub in sorted({tuple(sub) for sub in children}):
            out.extend([sub[0] + " *", *sub[1:]])
        return out
    i = 0
    while i < len(children):
        j = i
        while j + 1 < len(children) and children[j + 1] == children[i]:
            j += 1
        sub = children[i]
        out.extend([sub[0] + (" +" if j > i else ""), *sub[1:]])
        i = j + 1
    return out


def _care_skeleton(tree: LexborHTMLParser, marks: _Marks) -> dict[str, list[str]]:
    """The 关怀版's skeleton, whatever its markup: the parts the generic care reader found (crumb,
    title and time/source line, body), the body led by the chain of elements that holds it."""
    parts = care.locate(tree, site=marks.site)
    out = {"crumb": _lines(parts.crumb, 0, marks) if parts.crumb is not None else []}
    title_info = [line for node in (parts.title, parts.info) if node is not None for line in _lines(node, 0, marks)]
    if parts.info is not None:  # a new date format is a layout change, a new date is not
        m = marks.site.published_re.search(parts.info.text(deep=True) or "")
        title_info.append(f"format time line: {re.sub(r'[0-9]', '9', m.group(0).strip()) if m else '(none)'}")
    out["title-info"] = title_info or ["(missing title and time line)"]
    if parts.body is None:
        out["body"] = ["(missing body)"]
        return out
    chain, node = [], parts.body.parent
    while node is not None and node.tag not in (None, "-document"):
        chain.insert(0, _label(node, marks))
        node = node.parent
    out["body"] = ["in " + " > ".join(chain), *_lines(parts.body, 0, marks, unordered=True)]
    return out


def skeleton(html: str | bytes | LexborHTMLParser, mode: str = "normal", *,
             site: Site | None = None) -> dict[str, list[str]]:
    """``{region: skeleton lines}`` for every region of the page's generation (recognised among
    ``mode``'s; one not recognised reads as the mode's fallback); a region not found gives ``[]``."""
    tree = parse(html)
    site = site or default_site()
    marks = _Marks(tree, site)
    if mode == "care":
        return _care_skeleton(tree, marks)
    try:
        generation: str | None = detect_generation(tree, mode, site=site)
    except LayoutNotRecognized:
        generation = None
    out: dict[str, list[str]] = {}
    name = site.page_regions(site.generation_by_name, generation, mode).name
    for region, selectors in site.page_regions(site.skeleton_regions, generation, mode).items():
        lines: list[str] = []
        for css in selectors:
            node = tree.css_first(css)
            if node is not None:
                lines.extend(_lines(node, 0, marks, region in site.skeleton_unordered))
            elif (name, region, css) not in site.skeleton_optional:  # an overlay's root absent: the old layout
                lines.append(f"(missing {css})")
        out[region] = lines
    for region, css, attr in site.page_regions(site.format_probes, generation, mode):
        if region in out:
            out[region].append(f"format {css}{'@' + attr if attr else ''}: {_format_of(tree, css, attr, site)}")
    return out


def _format_of(tree: LexborHTMLParser, css: str, attr: str, site: Site) -> str:
    """The shape of the first date-like value: ``2024-05-24 11:32:10`` → ``9999-99-99 99:99:99``."""
    node = tree.css_first(css)
    if node is None:
        return "(missing)"
    value = (node.attributes.get(attr) or "") if attr else node.text(deep=True)
    m = site.published_re.search(value or "")
    return re.sub(r"\d", "9", m.group(0).strip()) if m else "(none)"
