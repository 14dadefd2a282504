"""Loading one page: navigation that fails fast, readiness without fixed sleeps, the 关怀版 link."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import urljoin

from ..browser import MapRecord
from ..errors import FetchFailed
from ..sites import Site, default_site
from ..targets import Target
from .retry import classify_nav_error, status_failure

#: Readiness is polled on a timer: Playwright's default (every animation frame) makes Chromium
#: composite 60 frames a second for nothing while the page finishes.
READY_POLL_MS = 20

#: In-page readiness test, polled by ``page.wait_for_function``. On first call it installs a
#: MutationObserver (document subtree) and a PerformanceObserver (resource entries) that stamp the
#: last activity; it is true once the body selector matches, the document is complete and nothing
#: has happened for ``quiet`` ms. Counted in the page rather than via Playwright request events
#: because a 20 ms poll is one cheap evaluate, while request events cost a round trip per request.
READY_FN = """([sel, quiet]) => {
  const w = window, now = () => performance.now();
  if (!w.__captureReady) {
    const st = w.__captureReady = {last: now()};
    const bump = () => { st.last = now(); };
    new MutationObserver(bump).observe(document, {subtree: true, childList: true, attributes: true,
                                                  characterData: true});
    try { new PerformanceObserver(bump).observe({type: "resource"}); } catch (e) {}
  }
  return !!document.querySelector(sel) && document.readyState === "complete"
    && now() - w.__captureReady.last >= quiet;
}"""


class NavFailed(Exception):
    """The main document's request failed (its net:: error text is the message)."""


async def goto_or_fail(page: Any, url: str) -> Any:
    """``page.goto(url)``, but a main-document request that fails after the page committed (a body
    cut short: ERR_CONTENT_LENGTH_MISMATCH leaves the document 'loading' forever) ends it at once."""
    failed: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def on_failed(req: Any) -> None:
        try:
            mine = req.is_navigation_request() and req.frame == page.main_frame
        except Exception:
            mine = False
        if mine and not failed.done():
            failed.set_result(req.failure or "net::ERR_FAILED")

    page.on("requestfailed", on_failed)
    nav = asyncio.ensure_future(page.goto(url, wait_until="load"))
    nav.add_done_callback(lambda t: t.cancelled() or t.exception())  # never 'exception not retrieved'
    try:
        await asyncio.wait({nav, failed}, return_when=asyncio.FIRST_COMPLETED)
        if nav.done():
            return nav.result()
        nav.cancel()
        raise NavFailed(failed.result())
    finally:
        if not nav.done():
            nav.cancel()
        page.remove_listener("requestfailed", on_failed)


async def goto(page: Any, url: str, timings: dict[str, float], step: str, record: MapRecord | None = None) -> Any:
    """Navigate, timed as ``step``; a failed load or an HTTP error status raises :class:`FetchFailed`.
    With ``record`` (the host guard's), a mapped fetch's own failure (too large, no answer, a redirect
    loop or a redirect to a blocked host) is the reason, not the net:: code it ended the request with."""
    t0 = time.perf_counter()
    if record is not None:
        record.begin()
    try:
        resp = await goto_or_fail(page, url)
    except Exception as exc:
        if record is not None and record.failures:
            raise mapped_failure(url, *record.failures[-1]) from None
        raise classify_nav_error(url, exc) from None
    timings[step] = round((time.perf_counter() - t0) * 1000, 1)
    if resp is None:
        raise FetchFailed(f"{url}: no response", reason="fetch-failed")
    if failure := status_failure(url, resp.status, resp.headers.get("retry-after")):
        raise failure
    return resp


def mapped_failure(url: str, hop: str, exc: FetchFailed) -> FetchFailed:
    """The host guard's failure of the main document at ``hop``, named for the page's ``url``."""
    where = "" if hop == url else f"{hop}: "
    return FetchFailed(f"{url}: {where}{exc}", reason=exc.reason, retryable=exc.retryable)


class InFlight:
    """Requests the page has started and not yet finished. The in-page observers only see finished
    resources, so a slow fetch could outlast the quiet window; readiness also waits for this to be 0."""

    def __init__(self, page: Any) -> None:
        self.count = 0
        self.idle = asyncio.Event()
        self.idle.set()
        page.on("request", self._start)
        page.on("requestfinished", self._end)
        page.on("requestfailed", self._end)

    def _start(self, _req: Any) -> None:
        self.count += 1
        self.idle.clear()

    def _end(self, _req: Any) -> None:
        self.count = max(0, self.count - 1)
        if not self.count:
            self.idle.set()


async def wait_ready(page: Any, timeout_ms: float, inflight: InFlight | None = None,
                     body: str | None = None, *, site: Site | None = None) -> str:
    """Wait until the article body (``body``, a selector) is present and the load has settled (no fixed
    sleep: polled, with ``timeout_ms`` only as the ceiling). Returns "settled", or "bound" when the
    ceiling ended it."""
    site = site or default_site()
    body = body or site.ready_body_selector
    end = time.perf_counter() + timeout_ms / 1000
    try:
        while True:
            left = (end - time.perf_counter()) * 1000
            await page.wait_for_function(READY_FN, arg=[body, site.ready_quiet_ms],
                                         timeout=max(1.0, left), polling=READY_POLL_MS)
            if inflight is None or inflight.idle.is_set():
                return "settled"
            # A request still open: wait for it to end, then for a fresh quiet window after it.
            await asyncio.wait_for(inflight.idle.wait(), timeout=max(0.001, end - time.perf_counter()))
    except Exception:
        return "bound"


def wait_ready_sync(page: Any, timeout_ms: float) -> str:
    """:func:`wait_ready` for a sync Playwright page (tests that open pages themselves)."""
    from ..sync import Inline, run_inline

    return run_inline(wait_ready(Inline(page), timeout_ms))


async def timed_ready(page: Any, timeout_ms: float, timings: dict[str, float], step: str,
                      inflight: InFlight | None = None, *, site: Site) -> bool:
    """Readiness with its timing; ``<step>_bound`` is 1.0 when the bound, not the page, ended the wait.
    A care step (``care_ready``) waits for the 关怀版's generic body, the others for a generation's."""
    t0 = time.perf_counter()
    body = site.ready_care_selector if step.startswith("care") else site.ready_body_selector
    ready_by = await wait_ready(page, timeout_ms, inflight, body, site=site)
    timings[step] = round((time.perf_counter() - t0) * 1000, 1)
    timings[f"{step}_bound"] = 0.0 if ready_by == "settled" else 1.0
    return ready_by == "settled"


async def check_is_article(page: Any, url: str, *, site: Site) -> None:
    """A blank page or a block/captcha page is a failure of the load, not a bundle."""
    text = (await page.evaluate("document.body ? document.body.innerText : ''")).strip()
    if not text:
        raise FetchFailed(f"{url}: blank page", reason="blank-page")
    has_title = await page.evaluate("!!document.querySelector('h1')")
    if not has_title and any(marker in text for marker in site.block_page_markers):
        raise FetchFailed(f"{url}: a block/captcha page instead of the article", reason="blocked")


async def care_url(page: Any, target: Target, timeout_ms: float, *, site: Site) -> tuple[str, str]:
    """The care URL as a reader reaches it: the 进入关怀版 link's href, else body@aria-url, else the rule
    ("url-rule": the page offers no 关怀版). Taken as the page gives it: the page runs at its real URL,
    and the host map answers wherever it points. A page with neither the link nor aria-url (older pages)
    is not waited on: nothing would give the link its href."""
    link = site.selectors["CARE_LINK"]
    try:
        found = await page.wait_for_function(
            "([sel, attr]) => { const a = document.querySelector(sel); const h = a && a.getAttribute('href');"
            " if (!!h && !h.startsWith('javascript:')) return 'link';"
            " return !a && !(document.body && document.body.getAttribute(attr)) ? 'none' : false; }",
            arg=[link, site.care_aria_url_attr], timeout=timeout_ms, polling=READY_POLL_MS)
        if await found.json_value() == "link":
            href = await page.eval_on_selector(link, "a => a.href")
            return href, "link"
    except Exception:
        pass
    aria = await page.evaluate(f"(document.body && document.body.getAttribute('{site.care_aria_url_attr}')) || ''")
    if aria:
        return urljoin(page.url, aria), "aria-url"
    return target.care_url(site=site), "url-rule"
