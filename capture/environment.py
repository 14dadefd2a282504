"""The capture environment a golden was made in, and what may be compared across a change of it.

Text, aria, DOM, extraction and a11y goldens do not depend on the browser's exact build, so they are
compared everywhere. Pixels do: a screenshot is compared only in the environment its golden was made
in. Debian updates Chromium every few weeks; a suite that failed or silently skipped on each update
would be switched off, so a build change is *said* (one summary line), and what must never change
(viewport, locale, timezone, the browser itself) still fails.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from .bundle import Meta

#: Pages at once per usable core, and the bounds of the default (``--jobs``, ``--capture-jobs``).
JOBS_PER_CORE = 2
MIN_JOBS, MAX_JOBS = 2, 8


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the system says, else all of them)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def default_jobs(cores: int | None = None) -> int:
    """The default number of pages loaded at once: two per usable core, from 2 to 8.

    A capture is CPU-bound in the renderer for most of its time but waits on the network and the
    readiness window for the rest, so one extra page per core fills those gaps (measured on 2 cores,
    ``benchmarks/capture.py``: jobs 1 / 2 / 4 = 0.62 / 0.81 / 0.87 pages×modes/s); past 8 each
    context's few hundred MB outweighs what the overlap gains.
    """
    n = usable_cores() if cores is None else cores
    return max(MIN_JOBS, min(MAX_JOBS, JOBS_PER_CORE * n))


#: Settings of the capture itself: a golden made with other ones is a different capture.
FIXED_KEYS = ("viewport", "locale", "timezone")
REFRESH = "refresh with `pytest --snapshot-update` or `capture accept <ID> [--mode care]`"


def env_of(meta: Meta) -> dict[str, Any]:
    """What a screenshot depends on, as ``snapshots/<target>/env/<id>-<mode>.json`` stores it."""
    return {"browser": meta.browser, "fonts": meta.fonts, "viewport": meta.viewport,
            "locale": meta.locale, "timezone": meta.timezone}


def _browser(env: dict[str, Any]) -> str:
    b = env.get("browser") or {}
    return f"{b.get('name', '?')} {b.get('version', '?')}"


@dataclass(frozen=True)
class EnvComparison:
    """``mismatched``: settings that must match and do not (a failure). ``build``: why pixels cannot
    be compared here (a note), empty when golden and capture share the environment."""

    mismatched: list[str] = field(default_factory=list)
    build: str = ""

    @property
    def pixels_comparable(self) -> bool:
        return not self.mismatched and not self.build


def compare_env(golden: dict[str, Any], new: dict[str, Any]) -> EnvComparison:
    mismatched = [f"{k}: golden {golden.get(k)!r}, this capture {new.get(k)!r}"
                  for k in FIXED_KEYS if golden.get(k) != new.get(k)]
    g_name, n_name = (golden.get("browser") or {}).get("name"), (new.get("browser") or {}).get("name")
    if g_name != n_name:
        mismatched.append(f"browser: golden {g_name!r}, this capture {n_name!r}")
    build = ""
    if golden.get("browser") != new.get("browser"):
        build = (f"screenshots not compared: goldens made with {_browser(golden)}, "
                 f"this is {(new.get('browser') or {}).get('version', '?')}; {REFRESH}")
    elif golden.get("fonts") != new.get("fonts"):
        build = (f"screenshots not compared: goldens made with fonts {golden.get('fonts')}, "
                 f"this machine has {new.get('fonts')}; {REFRESH}")
    return EnvComparison(mismatched, build)


#: Share of changed pixels (at the review's compare scale) a screenshot may differ by in the same
#: environment: anti-aliasing noise, not a layout change.
PIXEL_TOLERANCE = 0.001


def screenshot_change(golden_png: bytes, new_png: bytes) -> float:
    """Share of pixels that changed, as the review's pixel diff counts them. Identical files are 0 at
    once: decoding, scaling and diffing two PNGs is work only a changed screenshot needs."""
    if golden_png == new_png:
        return 0.0
    from .review.images import pixel_diff

    diff = pixel_diff(golden_png, new_png)
    return diff.changed / diff.total if diff.total else 0.0
