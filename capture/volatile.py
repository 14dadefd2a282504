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

    for path, _kind, _bounds, _why in (site or default_site()).volatile_fields:
        for container, key in _select(data, path.split(".")):
            leaves(container[key])
    return found


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


def mask_aria(aria: str, strings: set[str] = frozenset(), *, site: Site | None = None) -> str:
    """Mask times, bare numbers (counts) and the given volatile strings in an aria snapshot.

    Items of a masked list then read alike, and their repeats collapse, so a list that churns or
    changes length (within what the extraction check allows) leaves the aria golden unchanged.
    """
    ordered = sorted(strings, key=len, reverse=True)
    time_sub = (site or default_site()).time_re.sub
    lines = []
    for line in aria.splitlines():
        for value in ordered:
            if value in line:
                line = line.replace(value, "<v>")
        line = time_sub("<time>", line)
        line = _JS_URL.sub(r"\1<v>", line)
        if named := _NAMED.match(line):
            line = named.group(0) + _COUNT.sub("<n>", line[named.end():])
        lines.append(line)
    return "\n".join(_collapse_repeats(lines)) + "\n"


def canonical_origin(text: str, base_url: str | None) -> str:
    """Write the replica's (or a mirror's) origin as the live one, so goldens do not depend on a port."""
    if not base_url:
        return text
    return text.replace(base_url.rstrip("/"), default_site().live_origin)
