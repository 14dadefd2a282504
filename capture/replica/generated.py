"""Extra replica articles, generated deterministically, for measuring how the suites scale.

``CAPTURE_REPLICA_ARTICLES=N`` makes the replica serve ``N`` articles in all: the stored ones plus
``N - stored`` generated ones (none when ``N`` is not above the stored count). Article ``k`` (0-based)
copies stored article ``k mod stored`` (sorted by id), so both kinds (dy, news) and every template
feature keep appearing in the same proportion; it gets its own id, title and time so its pages differ.
Ids are ``K`` + 7 digits + the template's 8-character source suffix: 16 ``[0-9A-Z]``, sorted after the
stored ``J…`` ids, and stable for a given ``N``. Nothing is written to disk; goldens for generated pages
do not exist (the growth benchmark records them into a temporary snapshots root).
"""

from __future__ import annotations

import copy
import os
from datetime import datetime, timedelta
from typing import Any

ENV = "CAPTURE_REPLICA_ARTICLES"


def wanted(default: int = 0) -> int:
    """The article count asked for in ``CAPTURE_REPLICA_ARTICLES`` (``default`` when unset)."""
    value = os.environ.get(ENV, "").strip()
    if not value:
        return default
    try:
        n = int(value)
    except ValueError:
        raise ValueError(f"{ENV}={value!r}: give a whole number of articles") from None
    if n < 0 or n > 10_000:
        raise ValueError(f"{ENV}={value!r}: give 0 to 10000")
    return n


def generate(stored: dict[str, dict[str, Any]], total: int) -> dict[str, dict[str, Any]]:
    """``total - len(stored)`` generated articles (by id), each a renamed copy of a stored one."""
    bases = [stored[k] for k in sorted(stored)]
    out: dict[str, dict[str, Any]] = {}
    for k in range(max(0, total - len(bases))):
        base = bases[k % len(bases)]
        data = copy.deepcopy(base)
        data["id"] = f"K{k:07d}{base['id'][8:]}"
        data["title"] = f"{base['title']}（第{k + 1}篇）"
        if data.get("otitle"):
            data["otitle"] = f"{data['otitle']}（第{k + 1}篇）"
        if data.get("time"):
            t = datetime.strptime(data["time"], "%Y-%m-%d %H:%M:%S") + timedelta(minutes=7 * (k + 1))
            data["time"] = t.strftime("%Y-%m-%d %H:%M:%S")
        data["seed"] = False
        data["generated"] = True
        out[data["id"]] = data
    return out
