"""Golden vs new: the views of a bundle that goldens store, and their classified differences."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .a11y.measure import golden_figures
from .bundle import Bundle
from .errors import LayoutNotRecognized, MissingField
from .extract.care import care_problems
from .extract.core import extract, parse
from .fingerprint import skeleton
from .report import Difference
from .same_value import in_order, same_at_precision, same_classes, shown_precision
from .sites import Site, default_site
from .volatile import (
    canonical_origin,
    list_texts,
    mask_aria,
    mask_article,
    mask_text,
    volatile_strings,
    volatile_titles,
)


@dataclass(frozen=True)
class GoldenViews:
    """What a golden records of one capture: the extraction, skeleton, text, aria snapshot and a11y
    figures, each masked by the site table's volatile rules exactly as stored (the serializers only
    write them). ``data`` is the unmasked extraction, for churn notes and the 关怀版 judgement.

    URLs are written against the live origin, so a replica on any port gives the same views.
    """

    extraction: dict[str, Any]
    skeleton: dict[str, list[str]]
    text: str
    aria: str
    a11y: dict[str, Any]
    data: dict[str, Any] | None = None

    def stored(self) -> dict[str, Any]:
        """``{view: value}`` as golden files keep them."""
        return {"extraction": self.extraction, "skeleton": self.skeleton, "text": self.text, "aria": self.aria,
                "a11y": self.a11y}


def extraction_of(bundle: Bundle, tree: Any = None, *, site: Site | None = None) -> Any:
    """The bundle's ``Article`` (from ``tree``, the parsed ``dom.html``, when the caller has it)."""
    return extract(bundle.dom if tree is None else tree, bundle.meta.final_url, mode=bundle.meta.mode,
                   site=site or default_site())


def extraction_data(bundle: Bundle, tree: Any = None, *, site: Site | None = None) -> dict[str, Any]:
    """The extraction as the golden keeps it, unmasked: JSON data, the replica's origin made www.163.com."""
    return json.loads(canonical_origin(extraction_of(bundle, tree, site=site).to_json(), bundle.meta.base_url))


def views(bundle: Bundle, *, site: Site | None = None) -> GoldenViews:
    """Every view a golden keeps of ``bundle``, read and masked by ``site`` (default: the package
    table). Raises ``LayoutNotRecognized`` / ``MissingField`` when the page cannot be extracted; then
    :func:`page_views` still gives the views that do not need the extraction."""
    site = site or default_site()
    tree = parse(bundle.dom)  # once, for the extraction and the skeleton
    data = extraction_data(bundle, tree, site=site)
    return _views(bundle, tree, data, site)


def _views(bundle: Bundle, tree: Any, data: dict[str, Any] | None, site: Site) -> GoldenViews:
    base = bundle.meta.base_url
    text = mask_text(canonical_origin(bundle.text, base), bundle.meta.text_regions, site=site)
    strings = volatile_strings(data, site=site) if data is not None else set()
    titles = volatile_titles(data, site=site) if data is not None else frozenset()
    aria = mask_aria(canonical_origin(bundle.aria, base), strings, site=site, list_texts=list_texts(tree, site=site))
    return GoldenViews(extraction=mask_article(data, site=site) if data is not None else {},
                       skeleton=skeleton(tree, bundle.meta.mode, site=site), text=text, aria=aria,
                       a11y=golden_figures(bundle.a11y, bundle.meta.mode, site=site, titles=titles),
                       data=data)


def page_views(bundle: Bundle, *, site: Site | None = None) -> tuple[GoldenViews, Exception | None]:
    """The views of ``bundle`` and, when the page cannot be extracted, why: then the extraction view is
    empty and the others (text, aria, skeleton, a11y) are still there to compare, so a layout break
    fails the extraction with what is missing while the rest of the page is still judged."""
    site = site or default_site()
    tree = parse(bundle.dom)
    try:
        data: dict[str, Any] | None = extraction_data(bundle, tree, site=site)
        error: Exception | None = None
    except (LayoutNotRecognized, MissingField) as exc:
        data, error = None, exc
    return _views(bundle, tree, data, site), error


# --- Classification -------------------------------------------------------------------------------

#: Which page region each extraction field belongs to (for the one-line report).
FIELD_REGION = {
    "generation": "page", "crumb": "crumb", "title": "title-info", "published": "title-info",
    "source": "title-info", "place": "title-info", "tie_count": "title-info", "share": "title-info",
    "otitle": "body", "blocks": "body", "body": "body", "author": "body", "editor": "body",
    "recommendations": "recommendations", "side_modules": "side", "yuanchuang": "side",
    "accessibility": "nav-a11y",
}
#: Fields whose text may be edited by the newsroom: a changed value (not a vanished one) is content.
CONTENT_FIELDS = ("title", "blocks", "otitle", "source", "place", "author", "editor", "published")


def _short(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _empty(value: Any) -> bool:
    return value in (None, "", [], {})


def _side_titles(data: dict[str, Any]) -> list[str]:
    return [m.get("title", "") for m in data.get("side_modules") or []]


def _field_difference(field: str, old: Any, new: Any) -> Difference:
    region = FIELD_REGION.get(field, "page")
    if _empty(new) and not _empty(old):
        return Difference("layout-changed", region, f"{field} is gone (was {_short(old, 40)})")
    if field == "side_modules" and _side_titles({"side_modules": old}) != _side_titles({"side_modules": new}):
        return Difference("layout-changed", region, "side modules " + " · ".join(_side_titles({"side_modules": old}))
                          + " → " + " · ".join(_side_titles({"side_modules": new})))
    if field == "recommendations" and list(old or {}) != list(new or {}):
        return Difference("layout-changed", region, f"recommendation tabs {list(old or {})} → {list(new or {})}")
    if field == "accessibility":
        return Difference("layout-changed", region, f"accessibility links {_short(old)} → {_short(new)}")
    if field in CONTENT_FIELDS and not _empty(old):
        if field == "blocks":
            return Difference("content-changed", region, _blocks_reason(old, new))
        return Difference("content-changed", region, f"{field} {_short(old, 30)} → {_short(new, 30)}")
    return Difference("layout-changed", region, f"{field} {_short(old, 40)} → {_short(new, 40)}")


def _precision_note(golden: GoldenViews, new: GoldenViews) -> Difference | None:
    """A publish time shown coarser now (seconds dropped, or the day alone) that is the golden's at the
    precision shown: the same value, an informational note that the precision changed; else None. The
    precision is the new skeleton's format line's (the day alone also shows in the value itself)."""
    old, cur = golden.extraction.get("published"), new.extraction.get("published")
    lines = [line for lines in new.skeleton.values() for line in lines]
    precision = shown_precision(lines) or ("day" if isinstance(cur, str) and len(cur) == 10 else "")
    if precision not in ("minute", "day") or not same_at_precision(old, cur, precision):
        return None
    was = shown_precision(line for lines in golden.skeleton.values() for line in lines) or "second"
    return Difference("volatile-only", "title-info", f"published shown to the {precision} now (was to the {was})",
                      fails=False)


def _nows(text: str | None) -> str:
    return "".join((text or "").split())


def _split_body(golden: GoldenViews, new: GoldenViews) -> Difference | None:
    """The golden's body split across sibling containers: the body read now (the first container) holds
    the golden's first blocks exactly, and the golden's other paragraphs follow on the page, in order
    (in the new capture's aria snapshot or text, which read the whole page). A layout change of the
    body, not an edit; None when the body is not a prefix of the golden's or the rest is not on the page.
    Views without any page text (no aria, no text: an extraction-only comparison) have only the prefix
    to go by."""
    old, cur = golden.extraction.get("blocks") or [], new.extraction.get("blocks") or []
    if not cur or len(cur) >= len(old) or old[:len(cur)] != cur:
        return None
    rest = [t for t in (_nows(b.get("text") or b.get("caption")) for b in old[len(cur):]) if t]
    page = [_nows(new.aria), _nows(new.text)]
    if any(page):
        if not rest or not any(in_order(rest, text) for text in page if text):
            return None
        seen = "on the page"
    else:
        seen = "not confirmed: no page text in these views"
    return Difference("layout-changed", "body", f"body split: the body reads the golden's first {len(cur)} of "
                      f"{len(old)} blocks, the other {len(old) - len(cur)} follow in another container ({seen})")


def _blocks_reason(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> str:
    if len(old) != len(new):
        return f"body has {len(new)} blocks, was {len(old)}"
    for i, (a, b) in enumerate(zip(old, new, strict=True)):
        if a != b:
            return f"body block {i + 1} edited: {_short(a.get('text') or a.get('src'), 24)} → {_short(b.get('text') or b.get('src'), 24)}"
    return "body changed"


def _skeleton_reason(old: list[str], new: list[str]) -> str:
    import difflib

    removed = [line.strip() for line in old if line not in new]
    added = [line.strip() for line in new if line not in old]
    if removed and added:
        return f"{removed[0]} → {added[0]}"
    if removed:
        return f"gone: {removed[0]}"
    if added:
        return f"new: {added[0]}"
    diff = [d for d in difflib.ndiff(old, new) if d[:1] in "+-"]
    return f"order changed near {diff[0][2:].strip()}" if diff else "changed"


def classify(golden: GoldenViews, new: GoldenViews) -> list[Difference]:
    """Classified differences between a golden's views and a new capture's (both masked).

    Layout first (template generation, skeletons, fields gone or restructured), then content (text
    edited in the same layout). Volatile churn never reaches here: the views are masked.
    """
    out: list[Difference] = []
    g, n = golden.extraction, new.extraction
    if g.get("generation") != n.get("generation"):
        out.append(Difference("layout-changed", "page",
                              f"template generation {g.get('generation')} → {n.get('generation')}"))
    for region in dict.fromkeys([*golden.skeleton, *new.skeleton]):
        old, cur = golden.skeleton.get(region, []), new.skeleton.get(region, [])
        if old != cur:
            out.append(Difference("layout-changed", region, _skeleton_reason(old, cur)))
    for field in g:
        if field in ("url", "mode", "generation") or g.get(field) == n.get(field):
            continue
        if field == "share" and same_classes(g.get(field), n.get(field)):
            continue  # the same buttons, their classes carrying a build hash now (the skeleton shows it)
        if field == "published" and (note := _precision_note(golden, new)) is not None:
            out.append(note)
            continue
        if field == "blocks" and (split := _split_body(golden, new)) is not None:
            if not any(d.region == "body" and d.cls == "layout-changed" for d in out):
                out.append(split)
            continue
        diff = _field_difference(field, g.get(field), n.get(field))
        if diff.cls == "content-changed" and any(d.region == diff.region and d.cls == "layout-changed" for d in out):
            continue  # the layout change explains it
        out.append(diff)
    a11y = a11y_differences(golden.a11y, new.a11y, new.extraction.get("mode", "normal"))
    out += a11y
    # Text and aria speak only where nothing failing explains the page already; an informational
    # note (a normal page's a11y finding) explains no text edit.
    explained = any(d.fails for d in out)
    if not explained and golden.text != new.text:
        out.append(Difference("content-changed", "text", _text_reason(golden.text, new.text)))
    if not explained and golden.aria != new.aria:
        out.append(Difference("content-changed", "aria", _text_reason(golden.aria, new.aria)))
    if golden.a11y != new.a11y and new.a11y and "error" not in new.a11y and not any(d.fails for d in a11y):
        # The figures a golden keeps changed with no rule to say so: as the suite's a11y golden fails
        # on it, so does the check (both front ends agree on one capture).
        out.append(Difference("layout-changed", "a11y", f"a11y figures changed: {_first_change(golden.a11y, new.a11y)}"))
    return out


def care_differences(care: Bundle, normal: dict[str, Any] | None, normal_url: str,
                     data: dict[str, Any] | None = None, *, site: Site | None = None) -> list[Difference]:
    """Whether a 关怀版 capture is the care page of the normal page at ``normal_url``, whose extraction
    is ``normal`` (None: unknown, nothing to judge by): it must carry that article, found by text, and
    not be the normal page again. A care page that cannot be read as an article is a care-regression.
    ``data``: the care page's :func:`extraction_data`, when the caller has it already."""
    if data is None:
        try:
            data = extraction_data(care, site=site)
        except (LayoutNotRecognized, MissingField) as exc:
            return [Difference("care-regression", FIELD_REGION.get(getattr(exc, "field", ""), "page"), str(exc))]
    if normal is None:
        return []
    return [Difference("care-regression", "body", problem)
            for problem in care_problems(data, normal, care.meta.final_url, normal_url, site=site)]


def a11y_differences(golden: dict[str, Any], new: dict[str, Any], mode: str) -> list[Difference]:
    """关怀版 conformance: thresholds (care pages) and regressions against the golden (both modes).

    Care findings fail as ``care-regression``; normal-page ones are informational (``fails=False``).
    """
    from . import a11y

    if not new or "error" in new:
        reason = (new or {}).get("error", "no a11y.json")
        return [Difference("care-regression", "a11y", f"accessibility not measured: {reason}", fails=mode == "care")]
    findings = a11y.evaluate(new, mode) if mode == "care" else []
    if golden and "error" not in golden:
        seen = {f.rule for f in findings}
        findings += [f for f in a11y.compare(golden, new, mode) if f.rule not in seen]
    return a11y.to_differences(findings, mode)


def _first_change(old: Any, new: Any, path: str = "") -> str:
    """Where two JSON values first differ: ``keyboard.reached 5 → 6``."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted({*old, *new}):
            if old.get(key) != new.get(key):
                return _first_change(old.get(key), new.get(key), f"{path}.{key}" if path else str(key))
    return f"{path or 'figures'} {_short(old, 30)} → {_short(new, 30)}"


def _text_reason(old: str, new: str) -> str:
    a, b = old.splitlines(), new.splitlines()
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return f"line {i + 1}: {_short(x, 28)} → {_short(y, 28)}"
    return f"{len(b)} lines, was {len(a)}"


def volatile_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Difference]:
    """What churned between two unmasked extractions whose masked forms agree (never fails)."""
    out = []
    for field in ("tie_count", "recommendations", "side_modules", "yuanchuang"):
        if old.get(field) != new.get(field):
            out.append(Difference("volatile-only", FIELD_REGION[field], f"{field} churned", fails=False))
    return out
