"""Drive the page: load it, wait for it, reach 关怀版, collect every artifact of a bundle, retry.

One browser per process; each capture gets its own context, and up to ``jobs`` contexts run at once
(Playwright's async API, so one browser serves them all).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import __version__, bundle
from .browser import BrowserSettings, context_args, host_of, launch_async, prepare_context_async
from .errors import CaptureError, FetchFailed
from .pagetext import REGION_TEXT_JS, format_text, nonempty_regions, region_args
from .sites import netease
from .targets import Target, rebase

#: Screenshots stop here: taller pages are clipped (a JPEG over 65,535 px comes back empty; PNG is
#: kept well below that so files stay reviewable).
SCREENSHOT_MAX_HEIGHT = 16_000
RETRYABLE_NET = ("ERR_CONNECTION", "ERR_EMPTY_RESPONSE", "ERR_TIMED_OUT", "ERR_NETWORK_CHANGED",
                 "ERR_SOCKET", "ERR_ADDRESS_UNREACHABLE", "ERR_INCOMPLETE_CHUNKED_ENCODING")


@dataclass(frozen=True)
class RecordOptions:
    modes: tuple[str, ...] = ("normal", "care")
    base_url: str | None = None
    jobs: int = 2
    replay: bool = False
    force: bool = False
    retries: int = 3
    backoff_s: float = 0.5
    ready_timeout_ms: float = 8_000
    settings: BrowserSettings = field(default_factory=BrowserSettings)


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


@dataclass
class Artifacts:
    """What one load of a page yields, before it is written to disk."""

    meta: bundle.Meta
    raw: bytes
    dom: str
    text: str
    aria: str
    screenshot: bytes


def _charset(headers: dict[str, str], body: bytes) -> str:
    m = re.search(r"charset=([\w-]+)", headers.get("content-type", ""), re.I)
    if m:
        return m.group(1).lower()
    m = re.search(rb"<meta[^>]+charset=[\"']?([\w-]+)", body[:4096], re.I)
    return m.group(1).decode().lower() if m else ""


def _classify_nav_error(url: str, exc: Exception) -> FetchFailed:
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "Timeout" in type(exc).__name__ or "Timeout" in msg:
        return FetchFailed(f"{url}: timed out loading the page", reason="timeout", retryable=True)
    if "ERR_TOO_MANY_REDIRECTS" in msg:
        return FetchFailed(f"{url}: redirect loop", reason="redirect-loop")
    if any(code in msg for code in RETRYABLE_NET):
        code = re.search(r"net::(ERR_\w+)", msg)
        return FetchFailed(f"{url}: {code.group(1) if code else msg}", reason="connection", retryable=True)
    if "crash" in msg.lower() or "closed" in msg.lower():
        return FetchFailed(f"{url}: the browser page crashed", reason="crash", retryable=True)
    return FetchFailed(f"{url}: {msg}", reason="fetch-failed")


async def _goto(page: Any, url: str, timings: dict[str, float], step: str) -> Any:
    t0 = time.perf_counter()
    try:
        resp = await page.goto(url, wait_until="load")
    except Exception as exc:
        raise _classify_nav_error(url, exc) from None
    timings[step] = round((time.perf_counter() - t0) * 1000, 1)
    if resp is None:
        raise FetchFailed(f"{url}: no response", reason="fetch-failed")
    if resp.status >= 500:
        after = resp.headers.get("retry-after")
        retry_after = float(after) if after and after.isdigit() else None
        raise FetchFailed(f"{url}: HTTP {resp.status}", reason=f"http-{resp.status}", retryable=True,
                          retry_after=retry_after)
    if resp.status >= 400:
        raise FetchFailed(f"{url}: HTTP {resp.status}", reason=f"http-{resp.status}")
    return resp


async def _wait_ready(page: Any, timeout_ms: float, timings: dict[str, float], step: str) -> bool:
    """Wait for the page's own readiness signal; a page without one (live site) is taken as loaded."""
    t0 = time.perf_counter()
    try:
        await page.wait_for_function(netease.READY_JS, timeout=timeout_ms)
        ok = True
    except Exception:
        ok = False
    timings[step] = round((time.perf_counter() - t0) * 1000, 1)
    return ok


async def _check_is_article(page: Any, url: str) -> None:
    text = (await page.evaluate("document.body ? document.body.innerText : ''")).strip()
    if not text:
        raise FetchFailed(f"{url}: blank page", reason="blank-page")
    has_title = await page.evaluate("!!document.querySelector('h1')")
    if not has_title and any(marker in text for marker in netease.BLOCK_PAGE_MARKERS):
        raise FetchFailed(f"{url}: a block/captcha page instead of the article", reason="blocked")


async def _care_url(page: Any, target: Target, base_url: str | None, timeout_ms: float) -> tuple[str, str]:
    """The care URL as a reader reaches it: the 进入关怀版 link's href, else body@aria-url, else the rule."""
    try:
        await page.wait_for_function(
            "sel => { const a = document.querySelector(sel); const h = a && a.getAttribute('href');"
            " return !!h && !h.startsWith('javascript:'); }",
            arg=netease.CARE_LINK_SELECTOR, timeout=timeout_ms)
        href = await page.eval_on_selector(netease.CARE_LINK_SELECTOR, "a => a.href")
        return rebase(href, base_url), "link"
    except Exception:
        pass
    aria = await page.evaluate(f"(document.body && document.body.getAttribute('{netease.CARE_ARIA_URL_ATTR}')) || ''")
    if aria:
        return rebase(aria, base_url), "aria-url"
    return target.care_url(base_url), "url-rule"


async def _fonts(page: Any) -> list[str]:
    """Platform fonts that rendered the title and body text (Chromium DevTools protocol)."""
    try:
        cdp = await page.context.new_cdp_session(page)
    except Exception:
        return []
    names: set[str] = set()
    try:
        await cdp.send("DOM.enable")
        await cdp.send("CSS.enable")
        root = (await cdp.send("DOM.getDocument", {"depth": 0}))["root"]["nodeId"]
        for sel in ("h1", ".post_body p", "body"):
            node = (await cdp.send("DOM.querySelector", {"nodeId": root, "selector": sel})).get("nodeId")
            if node:
                fonts = await cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})
                names |= {f["familyName"] for f in fonts.get("fonts", [])}
    except Exception:
        pass
    finally:
        try:
            await cdp.detach()
        except Exception:
            pass
    return sorted(names)


async def _screenshot(page: Any, viewport_width: int) -> tuple[bytes, dict[str, Any]]:
    height = int(await page.evaluate("document.documentElement.scrollHeight"))
    clipped = height > SCREENSHOT_MAX_HEIGHT
    kwargs: dict[str, Any] = {"full_page": True, "type": "png", "animations": "disabled", "caret": "hide"}
    if clipped:
        kwargs["clip"] = {"x": 0, "y": 0, "width": viewport_width, "height": SCREENSHOT_MAX_HEIGHT}
    png = await page.screenshot(**kwargs)
    return png, {"page_height": height, "clipped": clipped, "max_height": SCREENSHOT_MAX_HEIGHT}


def _generation(dom: str, url: str) -> str:
    try:
        from .extract import detect_generation
    except ImportError:
        return "unknown"
    try:
        return detect_generation(dom)
    except Exception:
        return "unknown"


async def capture_page(browser: Any, target: Target, mode: str, stage: Path, opts: RecordOptions,
                       replay_har: Path | None = None) -> Artifacts:
    """Load ``target`` in ``mode`` in a fresh context and collect a bundle's artifacts.

    The HAR is recorded straight into ``stage``; in replay mode pages come from ``replay_har`` only.
    """
    settings = opts.settings
    timings: dict[str, float] = {}
    started = time.perf_counter()
    url = target.at(opts.base_url)
    context = await browser.new_context(**context_args(settings))
    try:
        if replay_har is not None:
            await prepare_context_async(context, settings, allowed_hosts=None)
            await context.route_from_har(replay_har, not_found="abort")
        else:
            await prepare_context_async(context, settings, allowed_hosts={host_of(url)})
            await context.tracing.start_har(stage / "page.har", content="embed")
        page = await context.new_page()
        crashed: list[bool] = []
        page.on("crash", lambda _p: crashed.append(True))
        resp = await _goto(page, url, timings, "goto")
        await _wait_ready(page, opts.ready_timeout_ms, timings, "ready")
        await _check_is_article(page, url)
        care_via = None
        if mode == "care":
            care, care_via = await _care_url(page, target, opts.base_url, opts.ready_timeout_ms)
            resp = await _goto(page, care, timings, "care_goto")
            await _wait_ready(page, opts.ready_timeout_ms, timings, "care_ready")
            await _check_is_article(page, care)
        t0 = time.perf_counter()
        raw = await resp.body()
        dom = await page.content()
        regions = [tuple(r) for r in await page.evaluate(REGION_TEXT_JS, region_args(mode))]
        text = format_text(regions)
        aria = (await page.locator("body").aria_snapshot()).rstrip("\n") + "\n"
        timings["collect"] = round((time.perf_counter() - t0) * 1000, 1)
        t0 = time.perf_counter()
        png, shot = await _screenshot(page, settings.viewport["width"])
        timings["screenshot"] = round((time.perf_counter() - t0) * 1000, 1)
        fonts = await _fonts(page)
        chain: list[str] = []
        req = resp.request.redirected_from
        while req is not None:
            chain.insert(0, req.url)
            req = req.redirected_from
        headers = await resp.all_headers()
        meta = bundle.Meta(
            id=target.id, mode=mode, requested_url=url, final_url=page.url, status=resp.status,
            redirect_chain=chain, care_via=care_via, charset=_charset(headers, raw),
            generation=_generation(dom, page.url), base_url=opts.base_url,
            text_regions=nonempty_regions(regions),
            browser={"name": browser.browser_type.name, "version": browser.version},
            fonts=fonts, viewport=dict(settings.viewport),
            user_agent=await page.evaluate("navigator.userAgent"),
            locale=settings.locale, timezone=settings.timezone_id,
            fixed_time=settings.fixed_time.isoformat() if settings.fixed_time else None,
            screenshot=shot, replayed=replay_har is not None,
            captured_at=datetime.now(UTC).isoformat(timespec="seconds"), tool_version=__version__,
        )
        if crashed:
            raise FetchFailed(f"{url}: the renderer crashed", reason="crash", retryable=True)
        if replay_har is None:
            await context.tracing.stop_har()
        timings["total"] = round((time.perf_counter() - started) * 1000, 1)
        meta.timings_ms = timings
        return Artifacts(meta=meta, raw=raw, dom=dom, text=text, aria=aria, screenshot=png)
    finally:
        try:
            await context.close()
        except Exception:
            pass


def write_artifacts(stage: Path, art: Artifacts) -> None:
    """Write everything but the HAR (already there); ``meta.json`` last."""
    (stage / "raw.html").write_bytes(art.raw)
    bundle.write_text(stage / "dom.html", art.dom)
    bundle.write_text(stage / "text.txt", art.text)
    bundle.write_text(stage / "aria.yaml", art.aria)
    (stage / "screenshot.png").write_bytes(art.screenshot)
    bundle.write_text(stage / "meta.json", art.meta.to_json())


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

    async def _get_browser(self) -> Any:
        async with self._relaunch:
            if self._browser is None or not self._browser.is_connected():
                self._browser = await launch_async(self._pw, self.opts.settings)
            return self._browser

    async def _one(self, target: Target, mode: str, sem: asyncio.Semaphore) -> Outcome:
        final = bundle.bundle_dir(self.snapshots, target.id, mode)
        if not self.opts.force and not self.opts.replay and bundle.is_complete(final):
            return Outcome(target.id, mode, "skipped", "complete bundle exists (use --force)", final)
        replay_src = final / "page.har" if self.opts.replay else None
        if replay_src is not None and not bundle.is_complete(final):
            return Outcome(target.id, mode, "failed", f"no bundle to replay at {final}: record it first", None)
        async with sem:
            started = time.perf_counter()
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
                            art = await capture_page(await self._get_browser(), target, mode, stage,
                                                     self.opts, replay_har=har_copy)
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
                    if not exc.retryable or attempt >= self.opts.retries:
                        return Outcome(target.id, mode, "failed", f"{exc.reason}: {exc}", None,
                                       round(time.perf_counter() - started, 2), attempt)
                    delay = exc.retry_after if exc.retry_after is not None else self.opts.backoff_s * 2 ** (attempt - 1)
                    await asyncio.sleep(min(delay, 30.0))
                except CaptureError as exc:
                    return Outcome(target.id, mode, "failed", str(exc), None,
                                   round(time.perf_counter() - started, 2), attempt)

    async def run(self, targets: list[Target]) -> list[Outcome]:
        from playwright.async_api import async_playwright

        bundle.clean_stale(self.snapshots)
        sem = asyncio.Semaphore(max(1, self.opts.jobs))
        async with async_playwright() as pw:
            self._pw = pw
            try:
                await self._get_browser()

                async def job(t: Target, m: str) -> Outcome:
                    out = await self._one(t, m, sem)
                    self.on_done(out)
                    return out

                return list(await asyncio.gather(*(job(t, m) for t in targets for m in self.opts.modes)))
            finally:
                if self._browser is not None:
                    try:
                        await self._browser.close()
                    except Exception:
                        pass


def record(targets: list[Target], snapshots: Path, opts: RecordOptions,
           on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Synchronous entry point (CLI, tests, benchmarks)."""
    return asyncio.run(Recorder(snapshots, opts, on_done).run(targets))
