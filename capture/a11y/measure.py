"""Measure a loaded page: the figures of ``a11y.json``.

:func:`measure` takes a Playwright *async* page (the recorder's); :func:`measure_sync` takes a sync
page (tests). Both run the same steps: one evaluate of ``measure.js`` for styles and layout, a bounded
keyboard walk through the main content, then axe-core (shipped by ``axe-playwright-python``, no CDN).
The walk leaves focus on ``<body>`` and the page scrolled to the top, so a screenshot taken after it
shows the page as loaded.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..sites.a11y_rules import MEASURE

A11Y_VERSION = 1
JS_PATH = Path(__file__).resolve().parent / "measure.js"


@cache
def measure_js() -> str:
    return JS_PATH.read_text(encoding="utf-8")


def ad_hosts(urls: list[str] | None, hosts: list[str] | None = None) -> list[str]:
    """The ad hosts (by domain suffix) among ``urls``, sorted, each once."""
    hosts = hosts if hosts is not None else MEASURE["ad_hosts"]
    found: set[str] = set()
    for url in urls or ():
        host = (urlsplit(url).hostname or "").lower()
        if any(host == d or host.endswith("." + d) for d in hosts):
            found.add(host)
    return sorted(found)


def _axe_summary(response: dict[str, Any]) -> dict[str, Any]:
    violations = {
        v["id"]: {"impact": v.get("impact") or "", "nodes": len(v.get("nodes", [])), "help": v.get("help", "")}
        for v in response.get("violations", [])
    }
    return {"version": (response.get("testEngine") or {}).get("version", ""),
            "violations": dict(sorted(violations.items()))}


# Resource URLs the page itself knows about (a fallback when the caller collected no request list).
_PAGE_URLS_JS = """() => [
  ...performance.getEntriesByType('resource').map(e => e.name),
  ...Array.from(document.querySelectorAll('script[src], iframe[src], img[src], link[href]'))
     .map(e => e.src || e.href)
]"""


async def measure(page: Any, *, requests: list[str] | None = None, cfg: dict[str, Any] | None = None,
                  axe: bool = True) -> dict[str, Any]:
    """The figures of one loaded page, as the dict stored in ``a11y.json``.

    ``requests`` are the URLs the page requested (the recorder collects them from ``page.on("request")``,
    so blocked third-party requests count too); without it the page's own resource list is used.
    """
    cfg = dict(MEASURE, **(cfg or {}))
    js = measure_js()
    result: dict[str, Any] = await page.evaluate(js, {"op": "static", "cfg": cfg})
    urls = list(requests or []) + list(await page.evaluate(_PAGE_URLS_JS))
    hosts = ad_hosts(urls, cfg["ad_hosts"])
    result["ads"]["hosts"] = hosts
    result["ads"]["hosts_requested"] = len(hosts)

    focusable = result.pop("focusable_in_main")
    start = await page.evaluate(js, {"op": "focus-start", "cfg": cfg})
    presses, entered = 0, False
    for _ in range(int(cfg["max_tabs"])):
        await page.keyboard.press("Tab")
        presses += 1
        where = (await page.evaluate(js, {"op": "focus-probe", "cfg": cfg}))["where"]
        if where == "inside":
            entered = True
        elif where in ("outside", "none") and (entered or where == "none"):
            break  # walked out of the main content (or focus fell off the page)
    items = await page.evaluate(js, {"op": "focus-finish", "cfg": cfg})
    result["keyboard"] = {
        "main": start,
        "presses": presses,
        "focusable": focusable,
        "reached": len(items),
        "no_indicator": sum(1 for i in items if i["indicator"] == "none"),
        "stops": items,
    }
    if axe:
        from axe_playwright_python.async_playwright import Axe

        # Axe.run injects the shipped axe.min.js with page.evaluate and runs axe.run(document).
        response = (await Axe().run(page)).response
        result["axe"] = _axe_summary(response)
    result["version"] = A11Y_VERSION
    return result


class _SyncPage:
    """A sync Playwright page behind ``await``-able methods, so :func:`measure` serves both APIs."""

    def __init__(self, page: Any) -> None:
        self._page = page
        self.keyboard = self

    async def evaluate(self, expression: str, arg: Any = None) -> Any:
        return self._page.evaluate(expression, arg)

    async def press(self, key: str) -> None:
        self._page.keyboard.press(key)


def measure_sync(page: Any, **kwargs: Any) -> dict[str, Any]:
    """:func:`measure` for Playwright's sync API (the coroutine never suspends: each step is a sync call)."""
    coro = measure(_SyncPage(page), **kwargs)
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()
    raise RuntimeError("capture.a11y.measure_sync: the measurement awaited something asynchronous")


def to_json(result: dict[str, Any]) -> str:
    """``a11y.json``: sorted keys, UTF-8 text, two-space indent, trailing newline."""
    return json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
