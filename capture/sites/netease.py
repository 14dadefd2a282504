"""Computation over the NetEase site table: URL rules and publish times.

The table itself is data, in ``netease.toml`` beside this file (an overlay can layer over it: see
:mod:`capture.sites.load`), loaded into a :class:`~capture.sites.model.Site` value. Nothing here is read
at import time: every function takes the ``Site`` it works by (default: the package table), so a run's
overlays reach it wherever it is called, on any thread.
"""

from __future__ import annotations

from datetime import datetime

from .load import default_site
from .model import CareRules, Fingerprint, Generation, HostRule, Site

__all__ = ["CareRules", "Fingerprint", "Generation", "HostRule", "Site", "article_path", "iso_time"]


def article_path(channel: str, article_id: str, care: bool = False, *, site: Site | None = None) -> str:
    """An article's path by the URL rule (``/dy/article/<ID>.html``); with ``care``, its 关怀版's."""
    suffix = (site or default_site()).care_suffix
    return f"/{channel}/article/{article_id}{suffix.get(channel, suffix['*']) if care else ''}.html"


def iso_time(text: str | None, *, site: Site | None = None) -> str | None:
    """The first publish time in ``text`` in ISO 8601, Beijing time, at the precision the page gives:
    ``2019-05-17T09:16:04+08:00``, or ``2019-05-17`` for a date alone (no time is made up; a time
    to the minute gets ``:00`` seconds). None if there is none, or it is no real date (2019-13-40)."""
    site = site or default_site()
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
