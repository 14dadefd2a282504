"""Reading a page as a golden keeps it (masked) and finding where the golden's values are in a new
capture: the questions a proposal asks of a page, apart from what it proposes."""

from __future__ import annotations

import json
from typing import Any

from ..same_value import same_at_precision, same_classes
from ..sites import Site
from ..volatile import canonical_origin, mask_article
from . import search
from .site import Table

#: Extraction keys compared field by field with the golden (url and mode say where, not what).
_IGNORED = ("url", "mode")


def masked(html: str | bytes, url: str, mode: str, base_url: str | None, site: Site | Table) -> dict[str, Any]:
    """The extraction of ``html`` with ``site``'s table, as a golden keeps it (origin made www.163.com,
    volatile values masked)."""
    from ..extract import extract

    table = site.site() if isinstance(site, Table) else site
    article = extract(html, url, mode=mode, site=table)
    return mask_article(json.loads(canonical_origin(article.to_json(), base_url)), site=table)


def differing(golden: dict[str, Any], data: dict[str, Any], precision: str = "") -> list[str]:
    """Extraction keys unlike the golden's; with ``precision`` (how precisely the new page shows its
    publish time, :func:`capture.repair.evidence.published_precision`), a coarser time equal to the
    golden's at that precision is the same value."""
    return [k for k in golden if k not in _IGNORED and golden.get(k) != data.get(k)
            and not (k == "published" and precision and same_at_precision(golden.get(k), data.get(k), precision))
            and not (k == "share" and same_classes(golden.get(k), data.get(k)))]


def _body_text(data: dict[str, Any]) -> str:
    parts = [data.get("otitle") or ""]
    for b in data.get("blocks") or []:
        parts.append(b.get("text") or b.get("caption") or "")
    return search.nows("".join(parts))


def _paragraphs(data: dict[str, Any]) -> list[str]:
    return [b["text"] for b in data.get("blocks") or [] if b.get("type") == "p" and b.get("text")]


def _short(value: Any, limit: int = 40) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _value(key: str, data: dict[str, Any]) -> str:
    """A golden value as a report quotes it: module titles, tab labels, the care URL, else the value."""
    value = data.get(key)
    if key == "side_modules":
        return "modules " + " · ".join(m.get("title", "") for m in value or [])
    if key == "recommendations":
        return "tabs " + " · ".join(value or {})
    if key == "accessibility" and isinstance(value, dict):
        return f"care_url {value.get('care_url')}"
    if isinstance(value, dict) and "volatile" in value:
        return f"a volatile list, {value.get('count')}"
    return _short(value)


def _gone_items(page: search.Page, key: str, golden: dict[str, Any]) -> list[str]:
    """The golden's side-module titles or recommendation tabs that no element of the page shows."""
    value = golden.get(key)
    if key == "side_modules":
        names = [m.get("title", "") for m in value or []]
    elif key == "recommendations":
        names = list(value or {})
    else:
        return []
    return [repr(n) for n in names if n and page.containing(n, exact=True) is None]


def find_value(page: search.Page, key: str, golden: dict[str, Any]) -> Any:
    """The element of the new capture that holds the golden's value of ``key``, or None."""
    from ..sites.netease import iso_time

    value = golden.get(key)
    if value in (None, "", [], {}):
        return None
    if key == "blocks":
        paras = _paragraphs(golden)
        return page.in_order([paras[0], paras[-1]]) if paras else None
    if key == "crumb":
        return page.in_order(list(value))
    if key == "source":
        name = value.get("name") if isinstance(value, dict) else None
        for node in page.tree.css("a"):
            if search.nows(node.text(deep=True)) == search.nows(name) and name:
                return node
        return page.containing(name or "")
    if key == "published":
        return page.deepest(lambda t: iso_time(t) == value) or page.with_attribute(str(value)[:10])
    if key == "side_modules":
        titles = [m.get("title") for m in value if m.get("title")]
        return page.containing(titles[0], exact=True) if titles else None
    if key == "recommendations":
        labels = [k for k in value if k]
        return page.containing(labels[0], exact=True) if labels else None
    if key == "accessibility":
        url = value.get("care_url") if isinstance(value, dict) else None
        return page.with_attribute(url.split("://", 1)[-1].split("/", 1)[-1]) if url else None
    if isinstance(value, str):
        return page.containing(value, exact=True) or page.containing(value)
    return None


def _reads(page: search.Page, node: Any, sels: tuple[str, ...]) -> bool:
    """Whether the table's current selectors already reach ``node`` (so a different value is content)."""
    for sel in sels:
        css = sel.partition("@")[0]
        try:
            matches = {n.mem_id for n in page.tree.css(css)}
        except Exception:  # noqa: BLE001 (an exotic selector lexbor refuses: it reaches nothing)
            continue
        if any(n.mem_id in matches for n in (node, *search.ancestors(node, 3))):
            return True
    return False
