"""Drive the page: load it, wait for it, reach 关怀版, collect every artifact of a bundle, retry.

One browser per process; each page gets its own context, and up to ``jobs`` contexts run at once
(Playwright's async API, so one browser serves them all). A page wanted in both modes is one job: the
normal bundle, then the 关怀版 followed from that same page (one load of the normal page, not two); if
that continuation fails, the 关怀版 is recorded on its own, in a fresh context, with its retries.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import json
import re
import shutil
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from . import __version__, bundle
from .browser import (
    NO_DNS_ARG,
    BrowserSettings,
    context_args,
    guard_replay_async,
    host_of,
    launch_async,
    prepare_context_async,
)
from .errors import CaptureError, FetchFailed, first_line
from .extract.care import CARE_GENERATION
from .hosts import HostOverrides, HostPolicy
from .pagetext import REGION_TEXT_JS, format_text, nonempty_regions, page_generation, region_args
from .sites import netease
from .sync import run_sync
from .targets import Target

#: Screenshots stop here: taller pages are clipped (a JPEG over 65,535 px comes back empty; PNG is
#: kept well below that so files stay reviewable).
SCREENSHOT_MAX_HEIGHT = 16_000
RETRYABLE_NET = ("ERR_CONNECTION", "ERR_EMPTY_RESPONSE", "ERR_TIMED_OUT", "ERR_NETWORK_CHANGED",
                 "ERR_SOCKET", "ERR_ADDRESS_UNREACHABLE", "ERR_INCOMPLETE_CHUNKED_ENCODING",
                 "ERR_CONTENT_LENGTH_MISMATCH")
#: HTTP statuses worth another attempt (honouring Retry-After); every other 4xx (a 404 above all) is final.
RETRYABLE_STATUS = (429, 500, 502, 503, 504)
#: Readiness is polled on a timer: Playwright's default (every animation frame) makes Chromium
#: composite 60 frames a second for nothing while the page finishes.
READY_POLL_MS = 20
#: Request failures that say nothing about a host: blocked by the host policy, or cancelled by the page
#: itself (a navigation away, a lazy image dropped).
IGNORED_FAILURES = ("ERR_BLOCKED_BY_CLIENT", "ERR_ABORTED")
#: Seconds added to each attempt's budget for collecting artifacts and the screenshot.
ATTEMPT_SLACK_S = 30.0


@dataclass(frozen=True)
class RecordOptions:
    modes: tuple[str, ...] = ("normal", "care")
    #: The origin that answers the page's host (``--base-url``: ``--map-host www.163.com=<base_url>``).
    #: The browser loads the real URL either way, so the page runs at www.163.com as on the real site.
    base_url: str | None = None
    #: ``base_url`` is the built-in replica: it also answers every host it knows
    #: (:data:`capture.replica.hostnames.HOSTS`) that the host policy allows (``--replica``).
    replica: bool = False
    jobs: int = 2
    replay: bool = False
    #: With ``replay``: the snapshots folder whose bundles hold the HARs (default: the one written to).
    replay_from: Path | None = None
    force: bool = False
    retries: int = 3
    backoff_s: float = 0.5
    ready_timeout_ms: float = 8_000
    settings: BrowserSettings = field(default_factory=BrowserSettings)
    #: Longest wait a server's Retry-After may impose before the next attempt.
    max_retry_after_s: float = 30.0
    #: Wall-clock limit for one page in one mode, all attempts and waits included (None: derived
    #: from the navigation and readiness timeouts × retries, see :meth:`RecordOptions.deadline`).
    deadline_s: float | None = None
    #: WebSocket endpoints of remote browsers (``--connect``); pages go round-robin by watchlist index.
    connect: tuple[str, ...] = ()
    #: Sent as the launch-options header to a ``run-server --unsafe`` endpoint (None: no header).
    remote_executable: str | None = None
    #: The watchlist's ``[hosts]`` rows; the command line's are in ``settings`` (they win).
    hosts: HostOverrides = field(default_factory=HostOverrides)

    def answers(self, page_host: str) -> tuple[tuple[str, str], ...]:
        """``(host, origin)`` pairs served by ``base_url`` when the policy allows them."""
        if not self.base_url:
            return ()
        if self.replica:
            from .replica.hostnames import host_map

            return host_map(self.base_url)
        return ((page_host, self.base_url),)

    def launch_settings(self) -> BrowserSettings:
        """The browser settings: with a base URL or the replica, no name resolves but 127.0.0.1, so
        nothing a page asks for can leave the machine (not even a DNS query for a prefetch)."""
        if not self.base_url or NO_DNS_ARG in self.settings.extra_args:
            return self.settings
        return replace(self.settings, extra_args=(*self.settings.extra_args, NO_DNS_ARG))

    def attempt_budget(self, mode: str) -> float:
        """Seconds one attempt may take: each navigation and readiness wait, plus collection."""
        gotos = 2 if mode == "care" else 1
        per_goto = self.settings.navigation_timeout_ms / 1000 + self.ready_timeout_ms / 1000
        return gotos * per_goto + ATTEMPT_SLACK_S

    def deadline(self, mode: str) -> float:
        """Seconds one page in one mode may take in all, so a hung or dripping server cannot stall a run."""
        if self.deadline_s is not None:
            return self.deadline_s
        return max(1, self.retries) * self.attempt_budget(mode) + min(self.max_retry_after_s, 10.0)


@dataclass
class Outcome:
    """What happened to one page in one mode."""

    id: str
    mode: str
    status: str  # "ok" | "skipped" | "failed"
    reason: str = ""
    path: Path | None = None
    seconds: float = 0.0
    attempts: int = 0

    def row(self) -> dict[str, Any]:
        """As JSON-ready data (the path as a string), e.g. to share between pytest-xdist workers."""
        return {"id": self.id, "mode": self.mode, "status": self.status, "reason": self.reason,
                "path": str(self.path) if self.path else None, "seconds": self.seconds, "attempts": self.attempts}


@dataclass
class Artifacts:
    """What one load of a page yields, before it is written to disk."""

    meta: bundle.Meta
    raw: bytes
    dom: str
    text: str
    aria: str
    screenshot: bytes
    a11y: str = ""  # a11y.json (capture.a11y.measure), written as is



def _charset(headers: dict[str, str], body: bytes) -> str:
    m = re.search(r"charset=([\w-]+)", headers.get("content-type", ""), re.I)
    if m:
        return m.group(1).lower()
    m = re.search(rb"<meta[^>]+charset=[\"']?([\w-]+)", body[:4096], re.I)
    return m.group(1).decode().lower() if m else ""


def _classify_nav_error(url: str, exc: Exception) -> FetchFailed:
    msg = first_line(exc)
    if "Timeout" in type(exc).__name__ or "Timeout" in msg:
        return FetchFailed(f"{url}: timed out loading the page", reason="timeout", retryable=True)
    if "ERR_TOO_MANY_REDIRECTS" in msg:
        return FetchFailed(f"{url}: redirect loop", reason="redirect-loop")
    if any(code in msg for code in RETRYABLE_NET):
        code = re.search(r"net::(ERR_\w+)", msg)
        return FetchFailed(f"{url}: {code.group(1) if code else msg}", reason="connection", retryable=True)
    if "crash" in msg.lower() or "closed" in msg.lower() or "disconnected" in msg.lower():
        return FetchFailed(f"{url}: the browser or its page crashed or closed ({msg})", reason="crash",
                           retryable=True)
    return FetchFailed(f"{url}: {msg}", reason="fetch-failed")


class _NavFailed(Exception):
    """The main document's request failed (its net:: error text is the message)."""


async def _goto_or_fail(page: Any, url: str) -> Any:
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
        raise _NavFailed(failed.result())
    finally:
        if not nav.done():
            nav.cancel()
        page.remove_listener("requestfailed", on_failed)


async def _goto(page: Any, url: str, timings: dict[str, float], step: str) -> Any:
    t0 = time.perf_counter()
    try:
        resp = await _goto_or_fail(page, url)
    except Exception as exc:
        raise _classify_nav_error(url, exc) from None
    timings[step] = round((time.perf_counter() - t0) * 1000, 1)
    if resp is None:
        raise FetchFailed(f"{url}: no response", reason="fetch-failed")
    if resp.status >= 500 or resp.status in RETRYABLE_STATUS:
        retry_after = _retry_after(resp.headers.get("retry-after"))
        raise FetchFailed(f"{url}: HTTP {resp.status}", reason=f"http-{resp.status}",
                          retryable=resp.status in RETRYABLE_STATUS, retry_after=retry_after)
    if resp.status >= 400:
        raise FetchFailed(f"{url}: HTTP {resp.status}", reason=f"http-{resp.status}")
    return resp


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: a number or an HTTP date; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


async def _attempt(coro: Any, url: str, budget: float) -> Any:
    """Run one capture attempt within ``budget`` seconds; any failure becomes a classified FetchFailed."""
    try:
        return await asyncio.wait_for(coro, timeout=max(0.1, budget))
    except CaptureError:
        raise
    except TimeoutError:
        raise FetchFailed(f"{url}: no result within {budget:.0f} s (server or page hung)", reason="timeout",
                          retryable=True) from None
    except Exception as exc:  # a Playwright error outside navigation (evaluate, screenshot, closed browser)
        raise _classify_nav_error(url, exc) from None


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
                     body: str = netease.READY_BODY_SELECTOR) -> str:
    """Wait until the article body (``body``, a selector) is present and the load has settled (no fixed
    sleep: polled, with ``timeout_ms`` only as the ceiling). Returns "settled", or "bound" when the
    ceiling ended it."""
    end = time.perf_counter() + timeout_ms / 1000
    try:
        while True:
            left = (end - time.perf_counter()) * 1000
            await page.wait_for_function(READY_FN, arg=[body, netease.READY_QUIET_MS],
                                         timeout=max(1.0, left), polling=READY_POLL_MS)
            if inflight is None or inflight.idle.is_set():
                return "settled"
            # A request still open: wait for it to end, then for a fresh quiet window after it.
            await asyncio.wait_for(inflight.idle.wait(), timeout=max(0.001, end - time.perf_counter()))
    except Exception:
        return "bound"


def wait_ready_sync(page: Any, timeout_ms: float) -> str:
    """``wait_ready`` for a sync Playwright page (tests that open pages themselves)."""
    try:
        page.wait_for_function(READY_FN, arg=[netease.READY_BODY_SELECTOR, netease.READY_QUIET_MS],
                               timeout=timeout_ms, polling=READY_POLL_MS)
        return "settled"
    except Exception:
        return "bound"


async def _wait_ready(page: Any, timeout_ms: float, timings: dict[str, float], step: str,
                      inflight: InFlight | None = None) -> bool:
    """Readiness with its timing; ``<step>_bound`` is 1.0 when the bound, not the page, ended the wait.
    A care step (``care_ready``) waits for the 关怀版's generic body, the others for a generation's."""
    t0 = time.perf_counter()
    body = netease.READY_CARE_SELECTOR if step.startswith("care") else netease.READY_BODY_SELECTOR
    ready_by = await wait_ready(page, timeout_ms, inflight, body)
    timings[step] = round((time.perf_counter() - t0) * 1000, 1)
    timings[f"{step}_bound"] = 0.0 if ready_by == "settled" else 1.0
    return ready_by == "settled"


async def _check_is_article(page: Any, url: str) -> None:
    text = (await page.evaluate("document.body ? document.body.innerText : ''")).strip()
    if not text:
        raise FetchFailed(f"{url}: blank page", reason="blank-page")
    has_title = await page.evaluate("!!document.querySelector('h1')")
    if not has_title and any(marker in text for marker in netease.BLOCK_PAGE_MARKERS):
        raise FetchFailed(f"{url}: a block/captcha page instead of the article", reason="blocked")


async def _care_url(page: Any, target: Target, timeout_ms: float) -> tuple[str, str]:
    """The care URL as a reader reaches it: the 进入关怀版 link's href, else body@aria-url, else the rule.
    Taken as the page gives it: the page runs at its real URL, and the host map answers wherever it points."""
    try:
        await page.wait_for_function(
            "sel => { const a = document.querySelector(sel); const h = a && a.getAttribute('href');"
            " return !!h && !h.startsWith('javascript:'); }",
            arg=netease.CARE_LINK_SELECTOR, timeout=timeout_ms, polling=READY_POLL_MS)
        href = await page.eval_on_selector(netease.CARE_LINK_SELECTOR, "a => a.href")
        return href, "link"
    except Exception:
        pass
    aria = await page.evaluate(f"(document.body && document.body.getAttribute('{netease.CARE_ARIA_URL_ATTR}')) || ''")
    if aria:
        return urljoin(page.url, aria), "aria-url"
    return target.care_url(), "url-rule"


async def _fonts(cdp: Any) -> list[str]:
    """Platform fonts that rendered the title and body text (Chromium DevTools protocol)."""
    if cdp is None:
        return []
    names: set[str] = set()
    try:
        await cdp.send("DOM.enable")
        await cdp.send("CSS.enable")
        root = (await cdp.send("DOM.getDocument", {"depth": 0}))["root"]["nodeId"]
        for sel in netease.FONT_PROBES:
            node = (await cdp.send("DOM.querySelector", {"nodeId": root, "selector": sel})).get("nodeId")
            if node:
                fonts = await cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})
                names |= {f["familyName"] for f in fonts.get("fonts", [])}
        await cdp.send("CSS.disable")
        await cdp.send("DOM.disable")
    except Exception:
        pass
    return sorted(names)


async def _cdp_png(cdp: Any, width: int, height: int) -> bytes | None:
    """The top ``width`` × ``height`` px of the page as PNG via CDP; None if CDP is unavailable.

    Chromium renders just the clip, beyond the viewport, with no resize of the page; and
    ``optimizeForSpeed`` halves the PNG encoding time (same pixels, files ~20% larger).
    """
    import base64

    if cdp is None:
        return None
    try:
        shot = await cdp.send("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True, "optimizeForSpeed": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
        return base64.b64decode(shot["data"])
    except Exception:
        return None


async def _screenshot(page: Any, viewport_width: int, cdp: Any = None) -> tuple[bytes, dict[str, Any]]:
    """The full page, capped at SCREENSHOT_MAX_HEIGHT; Playwright's own screenshot where CDP is not there."""
    height = int(await page.evaluate("document.documentElement.scrollHeight"))
    clipped = height > SCREENSHOT_MAX_HEIGHT
    info = {"page_height": height, "clipped": clipped, "max_height": SCREENSHOT_MAX_HEIGHT}
    await page.evaluate("document.fonts.ready.then(() => true)")  # as Playwright's screenshot waits
    png = await _cdp_png(cdp, viewport_width, min(height, SCREENSHOT_MAX_HEIGHT))
    if png is not None:
        return png, info
    # Playwright's full_page first resizes the page to its whole height (100,000 px: over 30 s, or
    # never), so a tall page is clipped instead.
    kwargs: dict[str, Any] = {"full_page": True, "type": "png", "animations": "disabled", "caret": "hide"}
    if clipped:
        kwargs["clip"] = {"x": 0, "y": 0, "width": viewport_width, "height": SCREENSHOT_MAX_HEIGHT}
    return await page.screenshot(**kwargs), info


class _Session:
    """One fresh context and page for one target: load, reach 关怀版, collect a bundle's artifacts.

    A normal capture can be continued to the 关怀版 in the same page (:meth:`continue_care`), the way
    a reader goes there, which saves loading the normal page a second time.
    """

    def __init__(self, browser: Any, target: Target, opts: RecordOptions, replay_har: Path | None) -> None:
        self.browser, self.target, self.opts, self.replay_har = browser, target, opts, replay_har
        self.url = target.url  # the real URL: a base URL or the replica answers it through the host map
        self.context: Any = None
        self.page: Any = None
        self.crashed: list[bool] = []
        self.page_errors: list[str] = []
        #: Third-party URLs the page asked for (blocked by the host guard), for the a11y ad-host figure.
        self.requests: list[str] = []
        self.normal_har = b""  # the normal HAR, kept by capture(keep_har=True) for continue_care
        self._cdp: Any = None
        #: URLs the host policy blocked, and hosts whose allowed requests failed (meta.json).
        self.blocked: list[str] = []
        self.failed_hosts: set[str] = set()

    def host_policy(self) -> HostPolicy:
        """The page's host policy: the site table, the watchlist's and the command line's rows, the map."""
        settings = self.opts.settings
        cli = HostOverrides(settings.extra_allowed_hosts, settings.extra_blocked_hosts, settings.host_map)
        return HostPolicy.build({host_of(self.url)}, cli=cli, watchlist=self.opts.hosts,
                                guard=settings.block_third_party, answers=self.opts.answers(host_of(self.url)))

    def _on_failed(self, request: Any) -> None:
        """A request that failed for a reason of its own: not blocked by us, not cancelled by the page."""
        failure = request.failure or ""
        if not any(code in failure for code in IGNORED_FAILURES):
            self.failed_hosts.add(host_of(request.url))

    def reset_hosts(self) -> None:
        """Forget the hosts seen so far (a care page reached from the normal one gets its own figures)."""
        self.requests.clear()
        self.blocked.clear()
        self.failed_hosts.clear()

    async def open(self, har: Path | None) -> None:
        settings = self.opts.settings
        self.context = await self.browser.new_context(**context_args(settings))
        if self.replay_har is not None:
            await prepare_context_async(self.context, settings)
            await self.context.route_from_har(self.replay_har, not_found="abort")
            await guard_replay_async(self.context, self.host_policy(), self.blocked)
        else:
            await prepare_context_async(self.context, settings, blocked=self.blocked, policy=self.host_policy())
        if har is not None:
            await self.context.tracing.start_har(har, content="embed")
        page = self.page = await self.context.new_page()
        self.inflight = InFlight(page)
        page.on("requestfailed", self._on_failed)
        page.on("crash", lambda _p: self.crashed.append(True))
        page.on("pageerror", lambda err: self.page_errors.append(first_line(err, "error", 200)))
        if self.replay_har is not None or not settings.block_third_party:
            # No host guard to see third-party requests: listen to every request instead.
            page.on("request", lambda r: self.requests.append(r.url))

    async def load(self, url: str, timings: dict[str, float], step: str) -> Any:
        resp = await _goto(self.page, url, timings, step)
        await _wait_ready(self.page, self.opts.ready_timeout_ms, timings, step.replace("goto", "ready"), self.inflight)
        await _check_is_article(self.page, url)
        return resp

    async def go_care(self, timings: dict[str, float]) -> tuple[Any, str]:
        """From the loaded normal page to its 关怀版 as a reader gets there; (response, care_via)."""
        care, care_via = await _care_url(self.page, self.target, self.opts.ready_timeout_ms)
        self.reset_hosts()
        return await self.load(care, timings, "care_goto"), care_via

    async def capture(self, mode: str, stage: Path, *, keep_har: bool = False) -> Artifacts:
        """Open, load the page in ``mode`` and collect; the HAR goes straight into ``stage``."""
        timings: dict[str, float] = {}
        started = time.perf_counter()
        await self.open(stage / "page.har" if self.replay_har is None else None)
        resp = await self.load(self.url, timings, "goto")
        care_via = None
        if mode == "care":
            resp, care_via = await self.go_care(timings)
        art = await self.collect(mode, resp, care_via, timings, started)
        if self.replay_har is None:
            await self.context.tracing.stop_har()
            if keep_har:
                self.normal_har = (stage / "page.har").read_bytes()
        return art

    async def continue_care(self, stage: Path) -> Artifacts:
        """After :meth:`capture` in normal mode (``keep_har``): follow the 关怀版 link in the same page.

        The care HAR holds the normal page's entries too, as a care capture of its own would, so
        replaying it loads the normal page first exactly as recording did.
        """
        timings: dict[str, float] = {}
        started = time.perf_counter()
        part = stage / ".care-part.har"
        await self.context.tracing.start_har(part, content="embed")
        resp, care_via = await self.go_care(timings)
        art = await self.collect("care", resp, care_via, timings, started)
        art.meta.followed_from_normal = True
        await self.context.tracing.stop_har()
        merged = merge_hars(json.loads(self.normal_har or b"{}"), json.loads(part.read_bytes()))
        (stage / "page.har").write_text(json.dumps(merged, ensure_ascii=False), encoding="utf-8")
        part.unlink()
        return art

    async def collect(self, mode: str, resp: Any, care_via: str | None, timings: dict[str, float],
                      started: float) -> Artifacts:
        page, settings = self.page, self.opts.settings
        t0 = time.perf_counter()
        raw = await resp.body()
        dom = await page.content()
        # Text is read in the page, with the regions of the generation its DOM shows (the bundle is
        # kept for a page no table recognises: "unknown" is what a check must report, not a failure).
        generation = page_generation(dom)
        regions = [tuple(r) for r in await page.evaluate(REGION_TEXT_JS, region_args(mode, generation))]
        text = format_text(regions)
        aria = (await page.locator("body").aria_snapshot()).rstrip("\n") + "\n"
        timings["collect"] = round((time.perf_counter() - t0) * 1000, 1)
        t0 = time.perf_counter()
        cdp = await self.cdp()
        a11y_json = await _a11y(page, self.requests + self.blocked, cdp)  # after dom/text/aria: its Tab walk moves focus
        timings["a11y"] = round((time.perf_counter() - t0) * 1000, 1)
        t0 = time.perf_counter()
        png, shot = await _screenshot(page, settings.viewport["width"], cdp)
        timings["screenshot"] = round((time.perf_counter() - t0) * 1000, 1)
        fonts = await _fonts(cdp)
        chain: list[str] = []
        req = resp.request.redirected_from
        while req is not None:
            chain.insert(0, req.url)
            req = req.redirected_from
        headers = await resp.all_headers()
        meta = bundle.Meta(
            id=self.target.id, mode=mode, requested_url=self.url, final_url=page.url, status=resp.status,
            redirect_chain=chain, care_via=care_via, charset=_charset(headers, raw),
            generation=CARE_GENERATION.name if mode == "care" else generation, base_url=self.opts.base_url,
            text_regions=nonempty_regions(regions),
            browser={"name": self.browser.browser_type.name, "version": self.browser.version},
            fonts=fonts, viewport=dict(settings.viewport),
            user_agent=await page.evaluate("navigator.userAgent"),
            locale=settings.locale, timezone=settings.timezone_id,
            fixed_time=settings.fixed_time.isoformat() if settings.fixed_time else None,
            screenshot=shot, replayed=self.replay_har is not None,
            captured_at=datetime.now(UTC).isoformat(timespec="seconds"), tool_version=__version__,
        )
        if self.crashed:
            raise FetchFailed(f"{self.url}: the renderer crashed", reason="crash", retryable=True)
        timings["total"] = round((time.perf_counter() - started) * 1000, 1)
        meta.timings_ms = timings
        meta.page_errors = self.page_errors[:20]
        meta.blocked_hosts = sorted({host_of(u) for u in self.blocked})
        meta.failed_hosts = sorted(self.failed_hosts)
        return Artifacts(meta=meta, raw=raw, dom=dom, text=text, aria=aria, screenshot=png, a11y=a11y_json)

    async def cdp(self) -> Any:
        """The page's DevTools session, opened once (None where there is no CDP: then Playwright's
        own calls are used)."""
        if self._cdp is None:
            try:
                self._cdp = await self.context.new_cdp_session(self.page)
            except Exception:
                self._cdp = False
        return self._cdp or None

    async def close(self) -> None:
        if self.context is None:
            return
        try:
            await asyncio.wait_for(self.context.close(), 5)  # bounded: a hung renderer can stall it
        except Exception:
            pass
        self.context = None


def merge_hars(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """One HAR holding both recordings' pages and entries, in order (for ``route_from_har``)."""
    log = dict(second.get("log") or {})
    a = first.get("log") or {}
    for key in ("pages", "entries"):
        log[key] = list(a.get(key) or []) + list(log.get(key) or [])
    return {**second, "log": log}


async def _a11y(page: Any, requests: list[str], cdp: Any = None) -> str:
    """``a11y.json`` of the loaded page; a measurement that breaks is recorded, not fatal."""
    from . import a11y

    try:
        return a11y.to_json(await a11y.measure(page, requests=requests, cdp=cdp))
    except Exception as exc:
        first = first_line(exc, limit=200)
        return a11y.to_json({"version": a11y.A11Y_VERSION, "error": first})


def write_artifacts(stage: Path, art: Artifacts) -> None:
    """Write everything but the HAR (already there); ``meta.json`` last."""
    (stage / "raw.html").write_bytes(art.raw)
    bundle.write_text(stage / "dom.html", art.dom)
    bundle.write_text(stage / "text.txt", art.text)
    bundle.write_text(stage / "aria.yaml", art.aria)
    (stage / "screenshot.png").write_bytes(art.screenshot)
    bundle.write_text(stage / "a11y.json", art.a11y)
    bundle.write_text(stage / "meta.json", art.meta.to_json())


def _har_problem(path: Path) -> str:
    """Why a stored HAR cannot be replayed ('' if it can)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return f"is not a readable HAR ({type(exc).__name__})"
    if not isinstance(data, dict) or not isinstance(data.get("log", {}).get("entries"), list):
        return "has no log.entries"
    return ""


class Recorder:
    """Captures targets × modes into ``snapshots``, sharing one browser (relaunched if it dies)."""

    def __init__(self, snapshots: Path, opts: RecordOptions,
                 on_done: Callable[[Outcome], None] | None = None) -> None:
        self.snapshots = Path(snapshots)
        self.opts = opts
        self.on_done = on_done or (lambda _o: None)
        self._browser: Any = None
        self._pw: Any = None
        self._relaunch = asyncio.Lock()
        self._remote: dict[str, Any] = {}  # --connect endpoint -> its browser
        self._slots: dict[str, int] = {}  # target id -> watchlist index (round-robin over endpoints)

    async def _get_browser(self, target: Target | None = None) -> Any:
        """The local browser, or with ``connect`` the endpoint of ``target``'s slot (one browser per
        endpoint; without a target every endpoint is opened, so a bad one fails before any capture)."""
        async with self._relaunch:
            if self.opts.connect:
                from .remote import connect_async, endpoint_for

                wanted = ([endpoint_for(self._slots.get(target.id, 0), self.opts.connect)] if target is not None
                          else list(dict.fromkeys(self.opts.connect)))
                remote = self._remote
                for endpoint in wanted:
                    if remote.get(endpoint) is None or not remote[endpoint].is_connected():
                        remote[endpoint] = await connect_async(self._pw, endpoint, self.opts.launch_settings(),
                                                               self.opts.remote_executable)
                return remote[wanted[0]]
            if self._browser is None or not self._browser.is_connected():
                self._browser = await launch_async(self._pw, self.opts.launch_settings())
            return self._browser

    def _wanted(self, target: Target, mode: str) -> bool:
        """Whether this page in this mode is to be captured (not a complete bundle kept as it is)."""
        final = bundle.bundle_dir(self.snapshots, target.id, mode)
        return self.opts.force or self.opts.replay or not bundle.is_complete(final)

    async def _one(self, target: Target, mode: str, follow: list[_Session] | None = None) -> Outcome:
        """Capture one page in one mode, with retries. With ``follow`` (normal mode), the successful
        attempt's page is left open and appended to it, for :meth:`_care_after`."""
        final = bundle.bundle_dir(self.snapshots, target.id, mode)
        if not self._wanted(target, mode):
            return Outcome(target.id, mode, "skipped", "complete bundle exists (use --force)", final)
        source = bundle.bundle_dir(self.opts.replay_from or self.snapshots, target.id, mode)
        replay_src = source / "page.har" if self.opts.replay else None
        if replay_src is not None and not bundle.is_complete(source):
            why = ("is incomplete or its meta.json is corrupt" if source.exists() else "does not exist")
            return Outcome(target.id, mode, "failed",
                           f"corrupt-file: the bundle to replay at {source} {why}: re-record it with "
                           f"`capture record {target.id} --modes {mode} --force`", None)
        if replay_src is not None and (problem := _har_problem(replay_src)):
            return Outcome(target.id, mode, "failed",
                           f"corrupt-file: {replay_src} {problem}: re-record it with "
                           f"`capture record {target.id} --modes {mode} --force`", None)
        started = time.perf_counter()
        deadline = started + self.opts.deadline(mode)
        url = target.url
        attempt = 0
        while True:
            attempt += 1
            try:
                with bundle.staging(self.snapshots, target.id, mode) as stage:
                    har_copy = None
                    if replay_src is not None:
                        har_copy = stage.parent / f".{mode}.replay-{id(stage)}.har"
                        shutil.copyfile(replay_src, har_copy)
                    try:
                        remaining = deadline - time.perf_counter()
                        art = await _attempt(self._capture(target, mode, stage, har_copy, follow), url,
                                             min(self.opts.attempt_budget(mode), remaining))
                        if har_copy is not None:
                            shutil.copyfile(har_copy, stage / "page.har")
                    finally:
                        if har_copy is not None:
                            har_copy.unlink(missing_ok=True)
                    art.meta.attempts = attempt
                    write_artifacts(stage, art)
                return Outcome(target.id, mode, "ok", "", final,
                               round(time.perf_counter() - started, 2), attempt)
            except FetchFailed as exc:
                elapsed = round(time.perf_counter() - started, 2)
                if not exc.retryable or attempt >= self.opts.retries:
                    return Outcome(target.id, mode, "failed", f"{exc.reason}: {exc}", None, elapsed, attempt)
                delay = exc.retry_after if exc.retry_after is not None else self.opts.backoff_s * 2 ** (attempt - 1)
                delay = min(delay, self.opts.max_retry_after_s)
                # Another attempt needs at least a little time before the deadline; else say so now.
                if time.perf_counter() + delay + 1.0 > deadline:
                    return Outcome(target.id, mode, "failed",
                                   f"{exc.reason}: {exc} (gave up after {attempt} attempt(s): the "
                                   f"{self.opts.deadline(mode):.0f} s deadline for one page would pass)",
                                   None, elapsed, attempt)
                await asyncio.sleep(delay)
            except CaptureError as exc:
                return Outcome(target.id, mode, "failed", str(exc), None,
                               round(time.perf_counter() - started, 2), attempt)
            except Exception as exc:  # never let one page end the run for the others
                first = first_line(exc, "")
                return Outcome(target.id, mode, "failed", f"error: {type(exc).__name__}: {first}", None,
                               round(time.perf_counter() - started, 2), attempt)

    async def _capture(self, target: Target, mode: str, stage: Path, har_copy: Path | None,
                       follow: list[_Session] | None = None) -> Artifacts:
        """One attempt: a live browser (relaunched if it died or was closed), then a fresh context.

        The HAR is recorded straight into ``stage``; in replay mode pages come from ``har_copy`` only.
        With ``follow`` the context stays open and its session is appended there; else it is closed.
        """
        session = _Session(await self._get_browser(target), target, self.opts, har_copy)
        try:
            art = await session.capture(mode, stage, keep_har=follow is not None)
        except BaseException:
            await session.close()
            raise
        if follow is None:
            await session.close()
        else:
            follow.append(session)
        return art

    async def _care_after(self, target: Target, session: _Session) -> Outcome | None:
        """The 关怀版 bundle, continued from the normal page just captured in ``session`` (one page load
        saved). None if that does not work out: the caller then captures care on its own, with retries."""
        started = time.perf_counter()
        url = target.url
        try:
            with bundle.staging(self.snapshots, target.id, "care") as stage:
                try:
                    art = await _attempt(session.continue_care(stage), url, self.opts.attempt_budget("care"))
                except BaseException:
                    # Close before the staging folder is removed: a context closed mid-HAR writes
                    # its HAR out, which would bring the folder back.
                    await session.close()
                    raise
                write_artifacts(stage, art)
            return Outcome(target.id, "care", "ok", "", bundle.bundle_dir(self.snapshots, target.id, "care"),
                           round(time.perf_counter() - started, 2), 1)
        except Exception:
            return None
        finally:
            await session.close()

    async def _pair(self, target: Target) -> list[Outcome]:
        """Normal, then 关怀版 in the same page, as a reader goes there."""
        follow: list[_Session] = []
        normal = await self._one(target, "normal", follow)
        care = None
        try:
            if normal.status == "ok" and follow:
                care = await self._care_after(target, follow[-1])
        finally:
            for session in follow:
                await session.close()
        return [normal, care or await self._one(target, "care")]

    async def run(self, targets: list[Target]) -> list[Outcome]:
        """Start Playwright and the browser, capture ``targets`` × modes, close everything."""
        async with self.started():
            return await self.capture(targets)

    @contextlib.asynccontextmanager
    async def started(self) -> AsyncIterator[Recorder]:
        """Playwright and the browser (or the ``connect`` endpoints) for one or more :meth:`capture`
        calls (the soak benchmark runs many rounds on one browser)."""
        from playwright.async_api import async_playwright

        bundle.clean_stale(self.snapshots)
        async with async_playwright() as pw:
            self._pw = pw
            try:
                await self._get_browser()
                yield self
            finally:
                for browser in (self._browser, *self._remote.values()):
                    if browser is None:
                        continue
                    try:
                        await browser.close()  # a connected browser: closes our contexts, disconnects
                    except Exception:
                        pass

    async def capture(self, targets: list[Target]) -> list[Outcome]:
        """Every target in every mode, ``jobs`` at a time; outcomes in watchlist × modes order.

        A target wanted in both modes is one job: normal, then the 关怀版 followed from that page.
        """
        sem = asyncio.Semaphore(max(1, self.opts.jobs))
        self._slots = {t.id: i for i, t in enumerate(targets)}

        async def job(t: Target, modes: tuple[str, ...]) -> list[Outcome]:
            async with sem:
                outs = await self._pair(t) if modes == ("normal", "care") else [await self._one(t, modes[0])]
            for out in outs:
                self.on_done(out)
            return outs

        jobs = []
        for t in targets:
            wanted = [m for m in self.opts.modes if self._wanted(t, m)]
            paired = not self.opts.replay and set(wanted) == {"normal", "care"}
            if paired:
                jobs.append(job(t, ("normal", "care")))
            jobs.extend(job(t, (m,)) for m in self.opts.modes if not (paired and m in wanted))
        done = [out for outs in await asyncio.gather(*jobs) for out in outs]
        order = {(t.id, m): i for i, (t, m) in enumerate((t, m) for t in targets for m in self.opts.modes)}
        return sorted(done, key=lambda o: order.get((o.id, o.mode), len(order)))


def record(targets: list[Target], snapshots: Path, opts: RecordOptions,
           on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Synchronous entry point (CLI, tests, benchmarks); works where a loop is already running."""
    return run_sync(Recorder(snapshots, opts, on_done).run(targets))
