"""What a repair is: the field repairs proposed for a page, the figures they are verified on, and
the overlay addition and diff they come to; kept apart so the search, the proposal and the report
share one model without importing each other."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from ..sites import Site, merge_overlay_text

#: Body character F1 a repaired extraction must reach against the golden.
MIN_BODY_F1 = 0.99
#: Text and skeleton regions named after the field whose element they read.
_REGION_OF = {"body": "body", "crumb": "crumb", "title": "title"}


@dataclass
class FieldRepair:
    """One selector added for one table field of one generation."""

    generation: str
    field: str
    selector: str
    old: tuple[str, ...]
    found: str  # the element holding the golden value, e.g. "div.post_body_v2"
    #: "selector" | "exclusion" (body_skip: a block the body must not read) | "joined" (a container
    #: read for several sibling ones: no text/skeleton region follows it) | "name" (a [selectors]
    #: entry rewritten: ``field`` is its name) | "replace" (the field's list replaced by the
    #: selectors of this kind, in order) | "dates" (a [dates] pattern: ``field`` is date or clock)
    kind: str = "selector"

    @property
    def key(self) -> str:
        if self.kind == "name":
            return f"selectors.{self.field}"
        if self.kind == "dates":
            return f"dates.{self.field}"
        return f"generation.{self.generation}.fields.{self.field}"


@dataclass
class Verification:
    """The figures a proposal is accepted on."""

    title: bool = False
    published: bool = False
    source: bool = False
    body_f1: float = 0.0
    remaining: list[str] = field(default_factory=list)  # extraction keys still unlike the golden
    reference: str = ""  # which copy of the golden's page it was checked on
    reference_unchanged: bool | None = None  # None: no copy to check on
    reference_changes: list[str] = field(default_factory=list)

    @property
    def content_ok(self) -> bool:
        return self.title and self.published and self.source and self.body_f1 >= MIN_BODY_F1

    @property
    def accepted(self) -> bool:
        return self.content_ok and self.reference_unchanged is True

    def line(self) -> str:
        mark = {True: "=", False: "≠"}
        ref = ("golden page not checked: " + self.reference if self.reference_unchanged is None else
               f"golden page ({self.reference}) " + ("reads as before" if self.reference_unchanged else
                                                     "would change: " + ", ".join(self.reference_changes)))
        rest = f"; still unlike the golden: {', '.join(self.remaining)}" if self.remaining else ""
        return (f"new capture: title {mark[self.title]} time {mark[self.published]} source {mark[self.source]} "
                f"body F1 {self.body_f1:.3f}; {ref}{rest}")


@dataclass
class PageRepair:
    """What the repair found for one page and mode."""

    id: str
    mode: str
    url: str
    #: repaired | partial (some fields left) | rejected (failed verification) | content (no layout
    #: difference to repair) | unrepaired (layout, but no selector found) | nothing-broken
    status: str
    broken: list[str] = field(default_factory=list)  # extraction keys unlike the golden
    repairs: list[FieldRepair] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    verification: Verification | None = None
    diff: str = ""

    @property
    def verified(self) -> bool:
        return bool(self.repairs) and self.verification is not None and self.verification.accepted

    @property
    def fails(self) -> bool:
        """Broken and not (fully) repaired."""
        return self.status not in ("repaired", "nothing-broken")

    def addition(self) -> dict[str, Any]:
        return addition_of(self.repairs)


def addition_of(repairs: list[FieldRepair], site: Site | None = None) -> dict[str, Any]:
    """The overlay addition (nested dict, the package table's shape) of some field repairs: each field's
    selector, and the text/skeleton region reading the same element."""
    out: dict[str, Any] = {}
    for r in repairs:
        if r.kind in ("name", "dates"):  # a scalar of the table: replaced
            out.setdefault("selectors" if r.kind == "name" else "dates", {})[r.field] = r.selector
            continue
        fields = out.setdefault("generation", {}).setdefault(r.generation, {}).setdefault("fields", {})
        if r.kind == "replace":  # the field's list replaced outright ({ replace = [...] })
            sels = fields.setdefault(r.field, {"replace": []})["replace"]
            sels.append(r.selector) if r.selector not in sels else None
            continue
        fields.setdefault(r.field, [])
        if r.selector not in fields[r.field]:
            fields[r.field].append(r.selector)
        region = _REGION_OF.get(r.field)
        if region is None or r.kind != "selector":
            continue
        from ..sites import default_site

        table = site or default_site()
        old = r.old[0] if r.old else None
        text = {(name, css) for name, joined in table.text_regions.get(r.generation, ())
                for css in joined.split(", ")}
        if old and (region, old) in text:
            sels = out.setdefault("text_regions", {}).setdefault(r.generation, {}).setdefault(region, [])
            sels.append(r.selector) if r.selector not in sels else None
        if old and old in table.skeleton_regions.get(r.generation, {}).get(region, ()):
            sels = out.setdefault("skeleton_regions", {}).setdefault(r.generation, {}).setdefault(region, [])
            sels.append(r.selector) if r.selector not in sels else None
    return out


def overlay_diff(existing: str, addition: dict[str, Any], name: str) -> str:
    """A unified diff of the overlay file before and after ``addition``."""
    after = merge_overlay_text(existing, addition)
    return "".join(difflib.unified_diff(existing.splitlines(keepends=True), after.splitlines(keepends=True),
                                        fromfile=f"a/{name}", tofile=f"b/{name}"))
