"""Everything the harness knows about NetEase pages, by name: the package table's values.

The tables themselves are data, in ``netease.toml`` beside this file (an overlay can layer over it:
see :mod:`capture.sites.load`). These names are the package table's, for code that needs no overlay
(URL rules, the recorder's defaults); extraction, text regions, skeletons and masks read
:func:`capture.sites.current` at call time instead, so ``using(load_site([overlay]))`` reaches them.
What is computation (``iso_time``, ``article_path``, ``page_regions``) stays here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .load import current, default_site
from .model import CareRules, Fingerprint, Generation, HostRule, Site

__all__ = ["CareRules", "Fingerprint", "Generation", "HostRule", "Site", "article_path", "iso_time", "page_regions"]

_SITE = default_site()

# --- Site markup: the [selectors] table ------------------------------------------------------------
POST_MAIN = _SITE.selectors["POST_MAIN"]
POST_CRUMB = _SITE.selectors["POST_CRUMB"]
POST_TITLE = _SITE.selectors["POST_TITLE"]
POST_INFO = _SITE.selectors["POST_INFO"]
POST_TOP = _SITE.selectors["POST_TOP"]
POST_BODY = _SITE.selectors["POST_BODY"]
POST_AUTHOR = _SITE.selectors["POST_AUTHOR"]
POST_RECOMMENDS = _SITE.selectors["POST_RECOMMENDS"]
POST_RECOMMEND_AD = _SITE.selectors["POST_RECOMMEND_AD"]
POST_SIDE = _SITE.selectors["POST_SIDE"]
POST_SIDE_MOD = _SITE.selectors["POST_SIDE_MOD"]
YUANCHUANG = _SITE.selectors["YUANCHUANG"]
NAV_LEFT = _SITE.selectors["NAV_LEFT"]
NAV_A11Y_LINKS = _SITE.selectors["NAV_A11Y_LINKS"]
WZA_LINK = _SITE.selectors["WZA_LINK"]
PCM_MAIN = _SITE.selectors["PCM_MAIN"]
PCM_TIME_SOURCE = _SITE.selectors["PCM_TIME_SOURCE"]
PCM_TEXT = _SITE.selectors["PCM_TEXT"]
EP_CRUMB = _SITE.selectors["EP_CRUMB"]
EP_TITLE = _SITE.selectors["EP_TITLE"]
EP_TIME_SOURCE = _SITE.selectors["EP_TIME_SOURCE"]
EP_TEXT = _SITE.selectors["EP_TEXT"]
EP_SOURCE = _SITE.selectors["EP_SOURCE"]
EP_EDITOR = _SITE.selectors["EP_EDITOR"]
TIE_JOIN_COUNT = _SITE.selectors["TIE_JOIN_COUNT"]
DY2_TITLE = _SITE.selectors["DY2_TITLE"]
DY2_TIME = _SITE.selectors["DY2_TIME"]
DY2_CONTENT = _SITE.selectors["DY2_CONTENT"]

# --- [site]: origin, user agent, URL rules --------------------------------------------------------
LIVE_ORIGIN = _SITE.live_origin
#: What every capture says it is (read by ``capture.browser``); see [site] user_agent.
USER_AGENT = _SITE.user_agent
ARTICLE_HOSTS = _SITE.article_hosts
CARE_SUFFIX: Mapping[str, str] = _SITE.care_suffix
CARE_SUFFIX_RE = _SITE.care_suffix_re
ARTICLE_PATH = _SITE.article_path_re
#: How the recorder reaches the care page, in order (recorded in meta.json as ``care_via``).
CARE_LINK_SELECTOR = _SITE.selectors["CARE_LINK"]
CARE_ARIA_URL_ATTR = _SITE.care_aria_url_attr
BLOCK_PAGE_MARKERS = _SITE.block_page_markers
CARE_URL_SUFFIXES = _SITE.care_url_suffixes


def article_path(channel: str, article_id: str, care: bool = False) -> str:
    """An article's path by the URL rule (``/dy/article/<ID>.html``); with ``care``, its 关怀版's."""
    suffix = current().care_suffix
    return f"/{channel}/article/{article_id}{suffix.get(channel, suffix['*']) if care else ''}.html"


# --- [hosts] (read by ``capture.hosts``) ------------------------------------------------------------
HOST_RULES: tuple[HostRule, ...] = _SITE.host_rules
UNKNOWN_HOST_DECISION = _SITE.unknown_host_decision

# --- [generation.*], [care], [care_fields] (read by ``capture.extract``) ---------------------------
GENERATIONS: tuple[Generation, ...] = _SITE.generations
GENERATION_BY_NAME: Mapping[str, Generation] = _SITE.generation_by_name
CARE: CareRules = _SITE.care
CARE_FIELDS: Mapping[str, tuple[str, ...]] = _SITE.care_fields

# --- [readiness] (read by ``capture.recorder``) ------------------------------------------------------
READY_BODY: Mapping[str, tuple[str, ...]] = _SITE.ready_body
READY_BODY_SELECTOR = _SITE.ready_body_selector
READY_CARE_SELECTOR = _SITE.ready_care_selector
READY_QUIET_MS = _SITE.ready_quiet_ms
FONT_PROBES = _SITE.font_probes

# --- [dates], [labels], [field_formats] --------------------------------------------------------------
PUBLISHED_RE = _SITE.published_re
LIST_TIME_RE = _SITE.list_time_re
PUBLISHED_FORMAT = _SITE.published_format
PAGE_UTC_OFFSET = _SITE.page_utc_offset
EDITOR_LABEL = _SITE.editor_label
AUTHOR_LABEL = _SITE.author_label
SOURCE_LABEL = _SITE.source_label
FIELD_FORMATS: Mapping[str, str] = _SITE.field_formats


def iso_time(text: str | None) -> str | None:
    """The first publish time in ``text`` in ISO 8601, Beijing time, at the precision the page gives:
    ``2019-05-17T09:16:04+08:00``, or ``2019-05-17`` for a date alone (no time is made up; a time
    to the minute gets ``:00`` seconds). None if there is none, or it is no real date (2019-13-40)."""
    site = current()
    m = site.published_re.search(text or "")
    if m is None:
        return None
    y, mo, d, h, mi, s = (int(v) if v else 0 for v in m.group("year", "month", "day", "hour", "minute", "second"))
    try:
        datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None
    day = f"{y:04d}-{mo:02d}-{d:02d}"
    return day if m["hour"] is None else f"{day}T{h:02d}:{mi:02d}:{s:02d}{site.page_utc_offset}"


# --- [volatile] ------------------------------------------------------------------------------------------
VOLATILE_FIELDS: tuple[tuple[str, str, tuple[int, int] | None, str], ...] = _SITE.volatile_fields
LOCATION_MODULES = _SITE.location_modules
VOLATILE_TEXT_REGIONS: Mapping[str, tuple[int, int]] = _SITE.volatile_text_regions
TIME_PATTERN = _SITE.time_pattern

# --- [fallback], [text_regions], [skeleton_regions], [skeleton] -------------------------------------
FALLBACK_GENERATION: Mapping[str, str] = _SITE.fallback_generation
TEXT_REGIONS: Mapping[str, tuple[tuple[str, str], ...]] = _SITE.text_regions
SKELETON_REGIONS: Mapping[str, Mapping[str, tuple[str, ...]]] = _SITE.skeleton_regions
SKELETON_REGION_NAMES = _SITE.skeleton_region_names
FORMAT_PROBES: Mapping[str, tuple[tuple[str, str, str], ...]] = _SITE.format_probes
SKELETON_VOLATILE_CLASSES = _SITE.skeleton_volatile_classes
SKELETON_RANDOM_CLASS = _SITE.skeleton_random_class
SKELETON_GENERATED_IDS = _SITE.skeleton_generated_ids
SKELETON_SKIP: tuple[tuple[str, str], ...] = _SITE.skeleton_skip
SKELETON_ITEM_SETS = _SITE.skeleton_item_sets
SKELETON_UNORDERED = _SITE.skeleton_unordered


def page_regions(table: Mapping[str, Any], generation: str | None, mode: str) -> Any:
    """``table``'s entry (TEXT_REGIONS, SKELETON_REGIONS, FORMAT_PROBES) for a page of ``generation``
    captured in ``mode``; a generation of another mode or none recognised reads as FALLBACK_GENERATION
    (generations known to the table in force, :func:`capture.sites.current`)."""
    return current().page_regions(table, generation, mode)
