"""Mask what churns (counts, hot lists, side-module items, list times) so only structure is compared.

The rules are data in the site table (a ``Site``, passed in); this module only applies them. A masked list keeps
what a structural change would break: whether its item count is in range and which fields items have.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

from .sites import Site, default_site

_DIGIT = re.compile(r"\d")
_JS_URL = re.compile(r"^(\s*- /url: )javascript:.*$")  # placeholder links carry nothing to compare
_NAMED = re.compile(r'^\s*- (?:link|text|generic)(?: "|: )')
#: A count in a name: a number standing as a word of its own ("0 跟贴 0", "1.2万"), never digits inside a
#: word ("5月23日", "G20"): counts churn, a title's numbers do not.
_COUNT = re.compile(r'(?<![^\s"])\d[\d,.万]*(?![^\s":])')


def _in_range(n: int, bounds: tuple[int, int]) -> str:
    lo, hi = bounds
    return f"in range {lo}..{hi}" if lo <= n <= hi else f"{n}, out of range {lo}..{hi}"


def _mask_value(kind: str, value: Any, bounds: tuple[int, int] | None, site: Site) -> Any:
    if kind == "count":
        return "<count>" if isinstance(value, int) else value
    if kind == "time":
        return "<time>" if isinstance(value, str) and site.time_re.fullmatch(value) else value
    if kind == "list" and isinstance(value, list):
        fields = sorted({k for item in value if isinstance(item, dict) for k in item})
        out: dict[str, Any] = {"volatile": "list", "count": _in_range(len(value), bounds or (0, 10**6)),
                               "item_fields": fields}
        times = {_DIGIT.sub("9", item["time"]) for item in value if isinstance(item, dict) and isinstance(item.get("time"), str)}
        if times:  # the items' time format is layout: kept as its shape (digits → 9), like FORMAT_PROBES
            out["time_formats"] = sorted(times)
        return out
    return value


def _select(node: Any, parts: list[str]) -> Iterator[tuple[Any, Any]]:
    """``(container, key)`` of every value a ``VOLATILE_FIELDS`` path names: dict keys, list
    indices, ``*`` for all of either. The one path walker of masking and of volatile_strings."""
    head, rest = parts[0], parts[1:]
    if isinstance(node, dict):
        keys: list[Any] = list(node) if head == "*" else [head] if head in node else []
    elif isinstance(node, list):
        keys = list(range(len(node))) if head == "*" else [int(head)] if head.isdigit() and int(head) < len(node) else []
    else:
        return
    for k in keys:
        if rest:
            yield from _select(node[k], rest)
        else:
            yield node, k


def mask_article(data: dict[str, Any], *, site: Site | None = None) -> dict[str, Any]:
    """A copy of an extraction dict with every volatile field of ``site`` (default: the package table) masked."""
    site = site or default_site()
    out = copy.deepcopy(data)
    for path, kind, bounds, _why in site.volatile_fields:
        for container, key in list(_select(out, path.split("."))):
            container[key] = _mask_value(kind, container[key], bounds, site)
    return out


def mask_text(text: str, regions: list[str], *, site: Site | None = None) -> str:
    """Mask volatile regions of ``text.txt``. ``regions`` names its non-empty blocks in order."""
    blocks = text.rstrip("\n").split("\n\n") if text.strip() else []
    out = []
    volatile_regions = (site or default_site()).volatile_text_regions
    for i, block in enumerate(blocks):
        name = regions[i] if i < len(regions) else ""
        bounds = volatile_regions.get(name)
        if bounds is None:
            out.append(block)
        else:
            out.append(f"<{name}: volatile, {_in_range(len(block.splitlines()), bounds)} lines>")
    return "\n\n".join(out) + "\n"


def volatile_titles(data: dict[str, Any], *, site: Site | None = None) -> frozenset[str]:
    """The titles of the items of every volatile list of an (unmasked) extraction: what a focus stop
    in a churning list is labelled (the a11y figures mask them)."""
    found: set[str] = set()

    def titles(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("title"), str) and node["title"].strip():
                found.add(node["title"].strip())
            for v in node.values():
                titles(v)
        elif isinstance(node, list):
            for v in node:
                titles(v)

    for path, _kind, _bounds, _why in (site or default_site()).volatile_fields:
        for container, key in _select(data, path.split(".")):
            titles(container[key])
    return frozenset(found)


def volatile_strings(data: dict[str, Any], *, site: Site | None = None) -> set[str]:
    """Every string under a volatile field of an (unmasked) extraction: titles, URLs, sources, times."""
    found: set[str] = set()

    def leaves(node: Any) -> None:
        if isinstance(node, str):
            if len(node) >= 2 and not node.isdigit() and not node.startswith(("javascript:", "#")):
                found.add(node)
        elif isinstance(node, dict):
            for v in node.values():
                leaves(v)
        elif isinstance(node, list):
            for v in node:
                leaves(v)

    site = site or default_site()
    for path, _kind, _bounds, _why in site.volatile_fields:
        for container, key in _select(data, path.split(".")):
            leaves(container[key])
    # A list item's source that is also the article's own author, or a title word of the article:
    # masking it would mask the page's own line in the loads whose lists happen to carry it.
    volatile, found = found, set()
    leaves(mask_article(data, site=site))
    own = found
    return {s for s in volatile if not any(s in o for o in own)}


def _collapse_repeats(lines: list[str], max_group: int = 12) -> list[str]:
    """Drop consecutive repeats of the same group of lines (masked list items), keeping one."""
    for size in range(1, max_group + 1):
        out: list[str] = []
        for line in lines:
            out.append(line)
            if len(out) >= 2 * size and out[-size:] == out[-2 * size:-size]:
                del out[-size:]
        lines = out
    return lines


def mask_aria(aria: str, strings: set[str] = frozenset(), *, site: Site | None = None,
              list_texts: frozenset[str] = frozenset()) -> str:
    """Mask times, bare numbers (counts) and the given volatile strings in an aria snapshot, and read
    the churning lists as sets.

    A node whose subtree holds a volatile string (an item of a list the table declares volatile) is
    an item: a run of such siblings, with the nameless nodes among them (an ad's iframe, a bare
    image), becomes the sorted set of its items' shapes (roles, levels and nesting; every name, text
    and URL masked), each marked `` *``. A list reordered, with items dropped, inserted or of other
    kinds in other places (the 2024 网易号 相关推荐 flattens its promoted items into the list) then
    reads the same; an item of a new shape, a module title renamed or a module gone does not.
    ``list_texts`` (:func:`list_texts` of the page) tells an item's own words (``跟贴``) from the
    page's: a node with any line of other text is a container, never an item.
    """
    ordered = sorted(strings, key=len, reverse=True)
    time_sub = (site or default_site()).time_re.sub
    lines = []
    for line in aria.splitlines():
        for value in ordered:
            if value in line:
                line = line.replace(value, _V)
        line = time_sub("<time>", line)
        line = _JS_URL.sub(r"\1" + _JS, line)
        if named := _NAMED.match(line):
            line = named.group(0) + _COUNT.sub("<n>", line[named.end():])
        lines.append(line)
    known = _alternation(list_texts)
    return "\n".join(_collapse_repeats([x.replace(_JS, _V) for x in _item_sets(_aria_tree(lines), known)])) + "\n"


def list_texts(tree: Any, *, site: Site | None = None) -> frozenset[str]:
    """Every text the page's volatile lists (``[volatile] lists``) hold: their text nodes and their
    elements' ``alt`` and ``title``, stripped. What an aria line made only of these (and masks) says
    is churn; a line with any other text (a module title, a paragraph) is the page's own."""
    site = site or default_site()
    found: set[str] = set()
    for css in site.volatile_lists:
        for node in tree.css(css):
            found.update(t.strip() for t in node.text(deep=True, separator="\n").split("\n"))
            for el in node.css("[alt], [title]"):
                found.update((el.attributes.get(a) or "").strip() for a in ("alt", "title"))
    # counts are no list text: a page's own number must not read as churn because an item had it
    return frozenset(t for t in found if _RESIDUE.sub("", t))


def _alternation(texts: Any) -> re.Pattern[str] | None:
    ordered = sorted(texts, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, ordered))) if ordered else None


_V = "<v>"
#: A ``javascript:`` placeholder link, masked like a volatile string but no sign of a churning list.
_JS = "<js>"
_ROLE = re.compile(r'^(\s*- )(/?[^\s:"]+)(.*)$')
_QUOTED = re.compile(r'^ "(?:[^"\\]|\\.)*"')
_VALUE = re.compile(r"^([^:]*):\s+\S.*$")

AriaNode = tuple[str, list[Any]]  # (line, children)


def _aria_tree(lines: list[str]) -> list[AriaNode]:
    """The snapshot's lines as a tree, by indentation (a deeper line is a child of the line above)."""
    root: list[AriaNode] = []
    stack: list[tuple[int, list[AriaNode]]] = [(-1, root)]
    for line in lines:
        depth = len(line) - len(line.lstrip(" "))
        while stack[-1][0] >= depth:
            stack.pop()
        node: AriaNode = (line, [])
        stack[-1][1].append(node)
        stack.append((depth, node[1]))
    return root


_MARK = " *"
_RESIDUE = re.compile(r'<v>|<js>|<n>|<time>|\[[^\]]*\]|[\s\d"\':：|/,.，。·\-*()（）]')


def _fixed(line: str, known: re.Pattern[str] | None) -> bool:
    """Whether ``line`` says something of its own: text that is no mask, count, time or list text."""
    m = _ROLE.match(line)
    text = m.group(3) if m else line
    if known is not None:
        text = known.sub("", text)
    return bool(_RESIDUE.sub("", text))


def _churns(line: str, known: re.Pattern[str] | None) -> bool:
    """Whether ``line`` names something of a churning list: a volatile string, or a list's own text."""
    if _V in line:
        return True
    m = _ROLE.match(line)
    return known is not None and known.search(m.group(3) if m else line) is not None


def aria_shape(line: str) -> str:
    """A line of an aria snapshot with its name, text and value masked: ``- heading "<v>" [level=3]:``."""
    line = line.removesuffix(_MARK)
    m = _ROLE.match(line)
    if m is None:
        return line[: len(line) - len(line.lstrip(" "))] + _V if line.strip() else line
    head, role, rest = m.groups()
    rest = _QUOTED.sub(f' "{_V}"', rest, count=1)
    rest = _VALUE.sub(rf"\1: {_V}", rest)
    return head + role + rest


def _item_sets(nodes: list[AriaNode], known: re.Pattern[str] | None) -> list[str]:
    """The lines of ``nodes`` (siblings), each run of items made the sorted set of their shapes."""
    rendered = []  # (lines, is an item, is nameless)
    for line, children in nodes:
        lines = [line, *_item_sets(children, known)]
        item = any(_churns(x, known) for x in lines) and not any(_fixed(x, known) for x in lines)
        rendered.append((lines, item, not item and all(aria_shape(x) == x.removesuffix(_MARK) for x in lines)))
    out: list[str] = []
    i = 0
    while i < len(rendered):
        j = i
        while j < len(rendered) and (rendered[j][1] or rendered[j][2]):
            j += 1
        run = rendered[i:j]
        if any(item for _lines, item, _nameless in run):
            for shape in sorted({tuple(aria_shape(x) for x in lines) for lines, item, _n in run if item}):
                out.extend([shape[0] + _MARK, *shape[1:]])
            i = j
        else:
            out.extend(rendered[i][0])
            i += 1
    return out


def canonical_origin(text: str, base_url: str | None) -> str:
    """Write the replica's (or a mirror's) origin as the live one, so goldens do not depend on a port."""
    if not base_url:
        return text
    return text.replace(base_url.rstrip("/"), default_site().live_origin)
