"""Collecting a loaded page's files: raw HTML, DOM, text, aria, a11y figures, screenshot, fonts, meta."""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, TypeVar

from ..errors import first_line
from ..sites import Site

T = TypeVar("T")

#: Screenshots stop here: taller pages are clipped (a JPEG over 65,535 px comes back empty; PNG is
#: kept well below that so files stay reviewable).
SCREENSHOT_MAX_HEIGHT = 16_000


async def timed(timings: dict[str, float], step: str, work: Awaitable[T]) -> T:
    """``await work``, its wall time in ms stored as ``timings[step]``."""
    t0 = time.perf_counter()
    try:
        return await work
    finally:
        timings[step] = round((time.perf_counter() - t0) * 1000, 1)


def charset(headers: dict[str, str], body: bytes) -> str:
    """The document's charset: the Content-Type header's, else the first ``<meta charset>``'s."""
    m = re.search(r"charset=([\w-]+)", headers.get("content-type", ""), re.I)
    if m:
        return m.group(1).lower()
    m = re.search(rb"<meta[^>]+charset=[\"']?([\w-]+)", body[:4096], re.I)
    return m.group(1).decode().lower() if m else ""


def redirect_chain(resp: Any) -> list[str]:
    """The URLs the main document was redirected from, first first."""
    chain: list[str] = []
    req = resp.request.redirected_from
    while req is not None:
        chain.insert(0, req.url)
        req = req.redirected_from
    return chain


async def fonts(cdp: Any, *, site: Site) -> list[str]:
    """Platform fonts that rendered the title and body text (Chromium DevTools protocol)."""
    if cdp is None:
        return []
    names: set[str] = set()
    try:
        await cdp.send("DOM.enable")
        await cdp.send("CSS.enable")
        root = (await cdp.send("DOM.getDocument", {"depth": 0}))["root"]["nodeId"]
        for sel in site.font_probes:
            node = (await cdp.send("DOM.querySelector", {"nodeId": root, "selector": sel})).get("nodeId")
            if node:
                found = await cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})
                names |= {f["familyName"] for f in found.get("fonts", [])}
        await cdp.send("CSS.disable")
        await cdp.send("DOM.disable")
    except Exception:
        pass
    return sorted(names)


async def cdp_png(cdp: Any, width: int, height: int) -> bytes | None:
    """The top ``width`` × ``height`` px of the page as PNG via CDP; None if CDP is unavailable.

    Chromium renders just the clip, beyond the viewport, with no resize of the page; and
    ``optimizeForSpeed`` halves the PNG encoding time (same pixels, files ~20% larger).
    """
    if cdp is None:
        return None
    try:
        shot = await cdp.send("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True, "optimizeForSpeed": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
        return base64.b64decode(shot["data"])
    except Exception:
        return None


#: Masks the page for its screenshot, as Playwright's ``page.screenshot(mask=[locators])`` paints
#: one flat box over each masked element (here for the CDP capture too). The churning lists first
#: get one fixed height (their item count changes the page's height from load to load, and would
#: move everything below them); then every list and every other masked element is painted over.
#: Each changed style is kept in ``data-capture-style`` so :data:`UNMASK_JS` restores the page.
MASK_JS = """({lists, paint, height}) => {
  const all = (sel) => { try { return Array.from(document.querySelectorAll(sel)); } catch (e) { return []; } };
  const fixed = [];
  for (const el of lists.flatMap(all)) {
    if (fixed.includes(el)) continue;
    fixed.push(el);
    el.setAttribute('data-capture-style', el.getAttribute('style') ?? '\\u0000');
    for (const [k, v] of [['height', height + 'px'], ['min-height', '0'], ['max-height', height + 'px'],
                          ['overflow', 'hidden']]) el.style.setProperty(k, v, 'important');
  }
  const boxes = [];
  for (const el of [...lists, ...paint].flatMap(all)) {
    if (fixed.some((f) => f !== el && f.contains(el))) continue;  // clipped inside a list painted whole
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    boxes.push([r.left + scrollX, r.top + scrollY, r.width, r.height]);
  }
  for (const [x, y, w, h] of boxes) {
    const box = document.createElement('div');
    box.setAttribute('data-capture-mask', '');
    box.style.cssText = `position:absolute;left:${x}px;top:${y}px;width:${w}px;height:${h}px;` +
      'background:#FF00FF;z-index:2147483647;pointer-events:none;margin:0;padding:0;border:0';
    document.documentElement.appendChild(box);
  }
  return boxes.length;
}"""
UNMASK_JS = """() => {
  document.querySelectorAll('[data-capture-mask]').forEach((el) => el.remove());
  document.querySelectorAll('[data-capture-style]').forEach((el) => {
    const old = el.getAttribute('data-capture-style');
    if (old === '\\u0000') el.removeAttribute('style'); else el.setAttribute('style', old);
    el.removeAttribute('data-capture-style');
  });
}"""


@dataclass(frozen=True)
class ScreenshotMask:
    """What a screenshot masks (the site table's ``[volatile]``): ``lists`` get ``height`` px and are
    painted over, ``paint`` is painted over."""

    lists: tuple[str, ...] = ()
    paint: tuple[str, ...] = ()
    height: int = 0

    @classmethod
    def of(cls, site: Site) -> ScreenshotMask:
        return cls(site.volatile_lists, site.screenshot_mask, site.screenshot_list_height)

    def __bool__(self) -> bool:
        return bool(self.lists or self.paint)


async def screenshot(page: Any, viewport_width: int, cdp: Any = None, *,
                     mask: ScreenshotMask | None = None) -> tuple[bytes, dict[str, Any]]:
    """The full page, capped at SCREENSHOT_MAX_HEIGHT; Playwright's own screenshot where CDP is not there.

    ``mask``: what churns from load to load (the lists, the 跟贴 count, ad slots), painted over with
    one flat colour (the lists first given one fixed height), so the golden keeps the page's layout
    and not its churn. Taken away afterwards (the DOM, text and aria are collected before)."""
    info: dict[str, Any] = {}
    if mask:
        info["masked"] = int(await page.evaluate(MASK_JS, {"lists": list(mask.lists), "paint": list(mask.paint),
                                                           "height": mask.height}))
    try:
        height = int(await page.evaluate("document.documentElement.scrollHeight"))
        clipped = height > SCREENSHOT_MAX_HEIGHT
        info.update({"page_height": height, "clipped": clipped, "max_height": SCREENSHOT_MAX_HEIGHT})
        await page.evaluate("document.fonts.ready.then(() => true)")  # as Playwright's screenshot waits
        png = await cdp_png(cdp, viewport_width, min(height, SCREENSHOT_MAX_HEIGHT))
        if png is not None:
            return png, info
        # Playwright's full_page first resizes the page to its whole height (100,000 px: over 30 s, or
        # never), so a tall page is clipped instead.
        kwargs: dict[str, Any] = {"full_page": True, "type": "png", "animations": "disabled", "caret": "hide"}
        if clipped:
            kwargs["clip"] = {"x": 0, "y": 0, "width": viewport_width, "height": SCREENSHOT_MAX_HEIGHT}
        return await page.screenshot(**kwargs), info
    finally:
        if mask:
            await page.evaluate(UNMASK_JS)


async def a11y_figures(page: Any, requests: list[str], cdp: Any = None, *, axe: bool = True,
                       site: Site | None = None) -> dict[str, Any]:
    """``a11y.json`` of the loaded page; a measurement that breaks is recorded, not fatal."""
    from .. import a11y

    try:
        return await a11y.measure(page, requests=requests, cdp=cdp, axe=axe, site=site)
    except Exception as exc:
        return {"version": a11y.A11Y_VERSION, "error": first_line(exc, limit=200)}
