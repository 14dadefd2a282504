"""Measure a loaded page: the figures of ``a11y.json``.

:func:`measure` takes a Playwright *async* page (the recorder's); :func:`measure_sync` takes a sync
page (tests). Both run the same steps: one evaluate of ``measure.js`` for styles and layout, a bounded
keyboard walk through the main content, then axe-core (shipped by ``axe-playwright-python``, no CDN).
The walk leaves focus on ``<body>`` and the page scrolled to the top, so a screenshot taken after it
shows the page as loaded.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..sites import Site, default_site
from ..sites.a11y_rules import MEASURE, measure_config

A11Y_VERSION = 1
#: ``a11y.json``'s ``"axe"`` when axe-core did not run (a normal page's findings never fail a check).
AXE_SKIPPED = "skipped on normal pages (run with --a11y full)"
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
    violations = {v["id"]: {"impact": v["impact"], "nodes": v["nodes"], "help": v["help"]}
                  for v in response["violations"]}
    return {"version": response["version"], "violations": dict(sorted(violations.items()))}


@cache
def axe_js() -> str:
    """axe-core as shipped by ``axe-playwright-python`` (no CDN)."""
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


#: axe.run with the options ``axe-playwright-python`` uses (violations only), summarised in the page:
#: a violation's nodes, with their HTML and selectors, never cross the wire, only their count.
AXE_RUN_JS = """() => axe.run(document, {resultTypes: ['violations'], selectors: false, ancestry: false,
                                    xpath: false}).then(r => ({
  version: (r.testEngine || {}).version || '',
  violations: r.violations.map(v => ({id: v.id, impact: v.impact || '', nodes: v.nodes.length,
                                      help: v.help || ''})),
}))"""


async def run_axe(page: Any) -> dict[str, Any]:
    """Inject axe-core and run it: ``{"version", "violations": [{id, impact, nodes, help}]}``."""
    await page.evaluate(axe_js())
    return await page.evaluate(AXE_RUN_JS)


TAB_KEY = {"key": "Tab", "code": "Tab", "windowsVirtualKeyCode": 9, "nativeVirtualKeyCode": 9}
#: Tab presses sent at once when the first batch did not walk out of the main region.
TAB_TOP_UP = 4


async def _keyboard_tabs(page: Any, n: int) -> None:
    for _ in range(n):
        await page.keyboard.press("Tab")


async def press_tabs(page: Any, n: int, cdp: Any = None) -> None:
    """Press Tab ``n`` times: pipelined CDP key events (in order, no round trip each), or Playwright's
    keyboard where CDP is not available or the page is a sync one (nothing to pipeline there).
    ``cdp``: the page's session if open (else one for this call)."""
    from ..sync import Inline

    if isinstance(page, Inline):
        return await _keyboard_tabs(page, n)
    own = cdp is None
    if own:
        try:
            cdp = await page.context.new_cdp_session(page)
        except Exception:
            return await _keyboard_tabs(page, n)
    try:
        await asyncio.gather(*(cdp.send("Input.dispatchKeyEvent", {"type": kind, **TAB_KEY})
                               for _ in range(n) for kind in ("rawKeyDown", "keyUp")))
    finally:
        if own:
            with contextlib.suppress(Exception):
                await cdp.detach()


# Resource URLs the page itself knows about (a fallback when the caller collected no request list).
_PAGE_URLS_JS = """() => [
  ...performance.getEntriesByType('resource').map(e => e.name),
  ...Array.from(document.querySelectorAll('script[src], iframe[src], img[src], link[href]'))
     .map(e => e.src || e.href)
]"""


async def measure(page: Any, *, requests: list[str] | None = None, cfg: dict[str, Any] | None = None,
                  axe: bool = True, cdp: Any = None, site: Site | None = None) -> dict[str, Any]:
    """The figures of one loaded page, as the dict stored in ``a11y.json``.

    ``requests`` are the URLs the page requested (the recorder collects them from ``page.on("request")``,
    so blocked third-party requests count too); without it the page's own resource list is used.
    ``cdp`` is the page's DevTools session, if the caller has one open (else one is opened for the walk).
    """
    cfg = dict(measure_config(site or default_site()), **(cfg or {}))
    js = measure_js()
    result: dict[str, Any] = await page.evaluate(js, {"op": "static", "cfg": cfg})
    urls = list(requests or []) + list(await page.evaluate(_PAGE_URLS_JS))
    hosts = ad_hosts(urls, cfg["ad_hosts"])
    result["ads"]["hosts"] = hosts
    result["ads"]["hosts_requested"] = len(hosts)

    focusable = result.pop("focusable_in_main")
    start = await page.evaluate(js, {"op": "focus-start", "cfg": cfg})
    # The page applies the walk's stop rule itself (measure.js), so presses go out in batches:
    # first as many as the main region has stops (+2 to walk out), then small top-ups.
    max_tabs, sent = int(cfg["max_tabs"]), 0
    status = {"presses": 0, "done": False}
    while sent < max_tabs and not status["done"]:
        batch = min(max_tabs - sent, focusable + 2 if sent == 0 else TAB_TOP_UP)
        await press_tabs(page, batch, cdp)
        sent += batch
        status = await page.evaluate(js, {"op": "focus-status", "cfg": cfg})
    items = await page.evaluate(js, {"op": "focus-finish", "cfg": cfg})
    result["keyboard"] = {
        "main": start,
        "presses": status["presses"],
        "focusable": focusable,
        "reached": len(items),
        "no_indicator": sum(1 for i in items if i["indicator"] == "none"),
        "stops": items,
    }
    result["axe"] = _axe_summary(await run_axe(page)) if axe else AXE_SKIPPED
    result["version"] = A11Y_VERSION
    return result


def measure_sync(page: Any, **kwargs: Any) -> dict[str, Any]:
    """:func:`measure` on a sync Playwright page: the same coroutine, each step a sync call."""
    from ..sync import Inline, run_inline

    return run_inline(measure(Inline(page), **kwargs))


def golden_figures(figures: dict[str, Any], mode: str, *, site: Site | None = None,
                   titles: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The figures a golden keeps: what churns from load to load without a layout change is masked,
    by the site table, in both modes:

    * element names lose generated ids and random classes (``div.ad_module._ka6bkibmrrl``), as the
      skeleton drops them (``[skeleton] random_class``, ``generated_ids``);
    * a focus stop's label that is a count (the 跟贴 count) reads ``<n>``, one that
      is the title of a churning list's item (``titles``: :func:`capture.volatile.volatile_titles`; a
      label cut short counts too) ``<v>``, and each run of such stops (the walk through a
      churning list) is the sorted set of the stops it holds;
    * on a normal page, the ad slots inside the churning lists (``[volatile] list_elements``) leave
      the ad figures, the counts of focusable elements and Tab presses (they follow the lists'
      length) are masked, and ``reached`` counts the stops as kept (a list's once per shape).

    A normal page's axe-core result is informational and measured only with ``--a11y full``, so its
    golden says :data:`AXE_SKIPPED` whichever way the capture ran (a ``--a11y full`` run compares
    equal, and accepting it stores no axe result that a default run lacks). Idempotent."""
    site = site or default_site()
    if not figures or "error" in figures:
        return figures
    out = copy.deepcopy(figures)
    if mode != "care" and "axe" in out:
        out["axe"] = AXE_SKIPPED
    ads = out.get("ads")
    if isinstance(ads, dict) and isinstance(ads.get("element_list"), list):
        kept = [e for e in ads["element_list"]
                if mode == "care" or not any(label_matches(e, css) for css in site.volatile_list_elements)]
        ads["element_list"] = [clean_label(e, site) for e in kept]
        if mode != "care" and len(kept) != len(figures["ads"]["element_list"]):
            ads["elements"] = len(ads["element_list"])
    for overlay in (out.get("overlays") or {}).get("list") or []:
        if isinstance(overlay, dict) and isinstance(overlay.get("element"), str):
            overlay["element"] = clean_label(overlay["element"], site)
    keyboard = out.get("keyboard")
    if isinstance(keyboard, dict) and isinstance(keyboard.get("stops"), list):
        said = frozenset(" ".join(t.split()) for t in titles)  # as measure.js writes a label
        keyboard["stops"] = _stop_sets([_stop(s, site, said) for s in keyboard["stops"]])
        if mode != "care":  # how far the walk goes follows the lists' length: their stops count once
            keyboard.update(focusable="<count>", presses="<count>", reached=len(keyboard["stops"]))
    return out


#: A count standing as a word of its own ("1286", "0 跟贴 0"), as capture.volatile masks aria names.
_COUNT_LABEL = re.compile(r"(?<!\S)\d[\d,.]*万?(?!\S)")
_SIMPLE = re.compile(r"([#.]?)([^#.]+)")


def clean_label(label: str, site: Site) -> str:
    """``tag#id.class…`` without generated ids and random classes (as the skeleton reads elements)."""
    m = re.match(r"([^#.]*)((?:#[^.]+)?)(.*)$", label)
    if m is None:
        return label
    tag, ident, classes = m.groups()
    if ident and site.generated_id_re.fullmatch(ident[1:]):
        ident = ""
    kept = [c for c in classes.split(".") if c and not site.random_class_re.fullmatch(c)
            and c not in site.skeleton_volatile_classes]
    return tag + ident + "".join(f".{c}" for c in kept)


def label_matches(label: str, css: str) -> bool:
    """Whether an element named ``tag#id.class…`` matches a simple selector (``tag``, ``#id``, ``.class``)."""
    m = re.match(r"([^#.]*)((?:#[^.]+)?)(.*)$", label)
    if m is None:
        return False
    tag, ident, classes = m.group(1), m.group(2)[1:], set(m.group(3).split(".")) - {""}
    for kind, name in _SIMPLE.findall(css.strip()):
        if (kind == "" and name != tag) or (kind == "#" and name != ident) or (kind == "." and name not in classes):
            return False
    return True


#: A label this long that begins a title is that title cut short (measure.js clips labels).
_CUT_LABEL = 8


def _stop(stop: Any, site: Site, titles: frozenset[str]) -> Any:
    if not isinstance(stop, dict):
        return stop
    stop = dict(stop)
    if isinstance(stop.get("element"), str):
        stop["element"] = clean_label(stop["element"], site)
    label = stop.get("label")
    if isinstance(label, str):
        cut = label.strip()
        if cut in titles or (len(cut) >= _CUT_LABEL and any(t.startswith(cut) for t in titles)):
            stop["label"] = "<v>"
        else:
            stop["label"] = _COUNT_LABEL.sub("<n>", label)
    return stop


def _stop_sets(stops: list[Any]) -> list[Any]:
    """Each run of stops labelled ``<v>`` (a churning list, with the count links among its items) as
    the sorted set of its stops."""
    out: list[Any] = []
    run: list[Any] = []
    for stop in [*stops, None]:
        if isinstance(stop, dict) and isinstance(stop.get("label"), str) and (
                stop["label"] == "<v>" or (run and "<n>" in stop["label"])):
            run.append(stop)
            continue
        if run:
            out.extend(json.loads(s) for s in sorted({json.dumps(x, sort_keys=True, ensure_ascii=False) for x in run}))
            run = []
        if stop is not None:
            out.append(stop)
    return out


def to_json(result: dict[str, Any]) -> str:
    """``a11y.json``: sorted keys, UTF-8 text, two-space indent, trailing newline."""
    return json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
