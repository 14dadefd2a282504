"""Collecting a loaded page's files: raw HTML, DOM, text, aria, a11y figures, screenshot, fonts, meta."""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Awaitable
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


async def screenshot(page: Any, viewport_width: int, cdp: Any = None) -> tuple[bytes, dict[str, Any]]:
    """The full page, capped at SCREENSHOT_MAX_HEIGHT; Playwright's own screenshot where CDP is not there."""
    height = int(await page.evaluate("document.documentElement.scrollHeight"))
    clipped = height > SCREENSHOT_MAX_HEIGHT
    info = {"page_height": height, "clipped": clipped, "max_height": SCREENSHOT_MAX_HEIGHT}
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


async def a11y_figures(page: Any, requests: list[str], cdp: Any = None, *, axe: bool = True,
                       site: Site | None = None) -> dict[str, Any]:
    """``a11y.json`` of the loaded page; a measurement that breaks is recorded, not fatal."""
    from .. import a11y

    try:
        return await a11y.measure(page, requests=requests, cdp=cdp, axe=axe, site=site)
    except Exception as exc:
        return {"version": a11y.A11Y_VERSION, "error": first_line(exc, limit=200)}
