"""The site table's shapes: what ``netease.toml`` (and an overlay over it) is validated into.

Frozen, so a table handed to extraction cannot change under it; derived tables (readiness selectors,
format probes, compiled patterns) are computed once per table, on first use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class HostRule:
    """One row of the host policy: ``pattern`` is a host (``static.ws.126.net``) or, with a leading
    ``*.``, a domain and every host under it (``*.163.com``); ``decision`` is ``allow`` or ``block``."""

    pattern: str
    decision: str
    reason: str

    def matches(self, host: str) -> bool:
        host = host.lower()
        if self.pattern.startswith("*."):
            domain = self.pattern[2:]
            return host == domain or host.endswith("." + domain)
        return host == self.pattern


@dataclass(frozen=True)
class Fingerprint:
    """How a generation is recognised: every ``all`` selector matches and, if given, one ``any`` does."""

    all: tuple[str, ...]
    any: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line for error messages, e.g. ``.post_main + h1.post_title + (link[…] | script[…])``."""
        parts = list(self.all)
        if self.any:
            parts.append("(" + " | ".join(self.any) + ")")
        return " + ".join(parts)


@dataclass(frozen=True)
class Generation:
    """Selectors of one template generation.

    ``fields`` maps a field name to the selectors tried in order; ``sel@attr`` reads an attribute
    instead of text. Names with a dot (``recommend.title``) are read inside their parent's match.
    A field missing from ``fields`` does not exist in that generation.

    ``regions`` maps a region selector to the fields that live inside it: such a field is looked up
    only inside the region's first match (a small subtree, so much faster than the whole page); if
    the region is absent the whole page is searched. A selector on ``html``/``body`` itself (e.g.
    ``html[data-publishtime]``) is always checked on that element. Unlisted fields: whole page.
    """

    name: str
    mode: str  # "normal" | "care"
    fingerprint: Fingerprint
    fields: Mapping[str, tuple[str, ...]]
    required: frozenset[str]
    regions: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class CareRules:
    """How a page of unknown markup is read as an article: generic HTML, no site classes."""

    #: The title: the first of these that has text (``sel@attr`` reads an attribute).
    title: tuple[str, ...]
    #: The body is the element of these whose own paragraph children hold the most text.
    body_containers: str
    paragraph: str
    #: The time/source line: the smallest element of these, outside the body and at most
    #: ``info_max_chars`` long, whose text has a publish time (PUBLISHED_RE).
    info_containers: str
    info_max_chars: int
    #: The crumb: the shortest such element before the body, with a link, in parts split by this.
    crumb_separator: str
    #: A first body paragraph that is the original title, ``（原标题：…）``: the otitle, not body text.
    otitle: str
    #: Share of the normal page's body paragraphs the care page must carry (found by their text).
    min_paragraph_share: float
    #: Fields compared with the normal page's to say whether the care page carries the article.
    same_fields: tuple[str, ...]


#: (path in the extraction JSON, kind, allowed item count for lists, why).
VolatileField = tuple[str, str, "tuple[int, int] | None", str]


@dataclass(frozen=True, eq=False)
class Site:
    """One site table: the package's ``netease.toml`` with any overlays merged in (see ``load_site``).

    Compared by identity (a table is loaded once and handed around); the fields are the tables the
    code reads, the properties what is derived from them."""

    #: Where the table came from, package file first (for messages).
    sources: tuple[str, ...]
    #: ``[selectors]``: the markup names entries interpolate as ``{NAME}``.
    selectors: Mapping[str, str]
    live_origin: str
    user_agent: str
    article_hosts: tuple[str, ...]
    care_suffix: Mapping[str, str]
    care_aria_url_attr: str
    block_page_markers: tuple[str, ...]
    host_rules: tuple[HostRule, ...]
    unknown_host_decision: str
    #: Normal-page generations, in the order they are tried.
    generations: tuple[Generation, ...]
    care: CareRules
    care_fields: Mapping[str, tuple[str, ...]]
    ready_quiet_ms: int
    date_pattern: str
    clock_pattern: str
    published_format: str
    page_utc_offset: str
    editor_label: str
    author_label: str
    source_label: str
    field_formats: Mapping[str, str]
    volatile_fields: tuple[VolatileField, ...]
    location_modules: tuple[str, ...]
    #: ``[volatile] lists``: containers whose items churn (text and aria compare their items' shapes).
    volatile_lists: tuple[str, ...]
    #: ``[volatile] list_elements``: elements that come and go inside them (ad slots; simple selectors).
    volatile_list_elements: tuple[str, ...]
    #: ``[volatile] screenshot_mask``: elements painted over in screenshots.
    screenshot_mask: tuple[str, ...]
    #: ``[volatile] screenshot_list_height``: px every churning list is given in a screenshot.
    screenshot_list_height: int
    volatile_text_regions: Mapping[str, tuple[int, int]]
    fallback_generation: Mapping[str, str]
    #: generation -> ((region, CSS selector list), …): a region's selectors joined with ", ".
    text_regions: Mapping[str, tuple[tuple[str, str], ...]]
    #: generation -> region -> selectors, each selector's first match a root.
    skeleton_regions: Mapping[str, Mapping[str, tuple[str, ...]]]
    #: (generation, region, selector) an overlay added to a skeleton region: left out where it matches nothing.
    skeleton_optional: frozenset[tuple[str, str, str]]
    skeleton_volatile_classes: tuple[str, ...]
    skeleton_random_class: str
    skeleton_generated_ids: tuple[str, ...]
    skeleton_skip: tuple[tuple[str, str], ...]
    skeleton_item_sets: tuple[str, ...]
    skeleton_unordered: tuple[str, ...]

    # --- derived -------------------------------------------------------------------------------
    @cached_property
    def generation_by_name(self) -> Mapping[str, Generation]:
        return MappingProxyType({g.name: g for g in self.generations})

    @cached_property
    def care_generation(self) -> Generation:
        """The 关怀版 as a row of the generation table: matches any page, reads only generic fields."""
        return Generation(name="care", mode="care", fingerprint=Fingerprint(all=()), fields=self.care_fields,
                          required=frozenset({"title", "body"}))

    @cached_property
    def published_re(self) -> re.Pattern[str]:
        """A publish time: a date, with its clock time when the page gives one (2019 dy_v2 pages give none)."""
        return re.compile(rf"{self.date_pattern}(?:\s*{self.clock_pattern})?")

    @cached_property
    def list_time_re(self) -> re.Pattern[str]:
        """A list item's time: always date and clock; what comes before it is the item's source."""
        return re.compile(rf"{self.date_pattern}\s*{self.clock_pattern}")

    @cached_property
    def time_pattern(self) -> str:
        """LIST_TIME_RE without its groups, so it can be embedded in a mask."""
        return re.sub(r"\(\?P<\w+>", "(?:", self.list_time_re.pattern)

    @cached_property
    def time_re(self) -> re.Pattern[str]:
        return re.compile(self.time_pattern)

    @cached_property
    def care_suffix_re(self) -> str:
        """The care suffixes as a regex alternation: ``_pdya11y|_pa11y``."""
        return "|".join(re.escape(s) for s in dict.fromkeys(self.care_suffix.values()))

    @cached_property
    def article_path_re(self) -> str:
        """An article path: /<channel>/article/<16-char id>[care suffix].html"""
        return (rf"^/(?P<channel>[a-z0-9]+)/article/(?P<id>[0-9A-Z]{{16}})"
                rf"(?P<care>{self.care_suffix_re})?\.html$")

    @cached_property
    def care_url_suffixes(self) -> tuple[str, ...]:
        return tuple(f"{s}.html" for s in dict.fromkeys(self.care_suffix.values()))

    @cached_property
    def ready_body(self) -> Mapping[str, tuple[str, ...]]:
        """Per generation, the selectors whose presence means the article body is there."""
        return MappingProxyType({g.name: g.fields.get("body", ()) for g in self.generations})

    @cached_property
    def ready_body_selector(self) -> str:
        """Union of ready_body, deduplicated, as one CSS selector list."""
        return ", ".join(dict.fromkeys(s for sels in self.ready_body.values() for s in sels))

    @property
    def ready_care_selector(self) -> str:
        """The 关怀版's body is of unknown markup: a paragraph present is all it can promise."""
        return self.care.paragraph

    @cached_property
    def font_probes(self) -> tuple[str, ...]:
        """Elements whose rendering fonts meta.json records: the title, a body paragraph, the page."""
        return ("h1", ", ".join(f"{s} p" for s in self.ready_body_selector.split(", ")), "body")

    @cached_property
    def format_probes(self) -> Mapping[str, tuple[tuple[str, str, str], ...]]:
        """Per generation, (region, selector, attribute or "") of each ``published`` selector: the value's
        shape is kept in the skeleton, so a new date format is a layout change while a new date is not."""
        return MappingProxyType({
            g.name: tuple(("title-info", css.removesuffix(f"[{attr}]") if attr else css, attr)
                          for css, _, attr in (sel.partition("@") for sel in g.fields.get("published", ())))
            for g in self.generations})

    @cached_property
    def skeleton_region_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r for regions in self.skeleton_regions.values() for r in regions))

    @cached_property
    def generated_id_re(self) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{p})" for p in self.skeleton_generated_ids))

    @cached_property
    def random_class_re(self) -> re.Pattern[str]:
        return re.compile(self.skeleton_random_class)

    def page_regions(self, table: Mapping[str, Any], generation: str | None, mode: str) -> Any:
        """``table``'s entry (text_regions, skeleton_regions, format_probes) for a page of ``generation``
        captured in ``mode``; a generation of another mode or none recognised reads as the fallback."""
        gen = self.generation_by_name.get(generation or "")
        if gen is None or gen.mode != mode or gen.name not in table:
            return table[self.fallback_generation[mode]]
        return table[gen.name]
