"""Driving one page: a fresh context, the load, the 关怀版 as a reader reaches it, a bundle's files.

A normal capture can be continued to the 关怀版 in the same page (:meth:`PageSession.continue_care`),
the way a reader goes there, which saves loading the normal page a second time.
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import __version__, bundle
from ..browser import MapRecord, context_args, guard_replay_async, host_of, prepare_context_async
from ..care_status import NO_CARE_REASONS, no_care_offered
from ..errors import FetchFailed, first_line
from ..extract.care import CARE_GENERATION
from ..hosts import HostOverrides, HostPolicy
from ..pagetext import REGION_TEXT_JS, format_text, nonempty_regions, page_generation, region_args
from ..targets import Target
from . import collect
from . import load as nav
from .options import RecordOptions
from .staging import merge_hars

#: Request failures that say nothing about a host: blocked by the host policy, or cancelled by the page
#: itself (a navigation away, a lazy image dropped).
IGNORED_FAILURES = ("ERR_BLOCKED_BY_CLIENT", "ERR_ABORTED")


class PageSession:
    """One fresh context and page for one target: load, reach 关怀版, collect a bundle's files."""

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
        #: What the host guard did to the main document (redirects through the map, mapped failures).
        self.record = MapRecord()
        #: True while the recorder itself navigates; a main-frame navigation at any other time is the
        #: page's own script moving away from the article (``away`` gets its URL).
        self.navigating = False
        self.away: asyncio.Future[str] | None = None

    def host_policy(self) -> HostPolicy:
        """The page's host policy: the site table, the watchlist's and the command line's rows, the map."""
        settings = self.opts.settings
        cli = HostOverrides(settings.extra_allowed_hosts, settings.extra_blocked_hosts, settings.host_map)
        return HostPolicy.build({host_of(self.url)}, cli=cli, watchlist=self.opts.hosts,
                                guard=settings.block_third_party, answers=self.opts.answers(host_of(self.url)),
                                site=self.opts.site)

    def _on_failed(self, request: Any) -> None:
        """A request that failed for a reason of its own: not blocked by us, not cancelled by the page."""
        failure = request.failure or ""
        if not any(code in failure for code in IGNORED_FAILURES):
            self.failed_hosts.add(host_of(request.url))

    def _on_request(self, request: Any) -> None:
        """A main-frame navigation the recorder did not start: the page's script left the article."""
        try:
            main = request.is_navigation_request() and request.frame == self.page.main_frame
        except Exception:
            return
        if main and not self.navigating and self.away is not None and not self.away.done():
            self.away.set_result(request.url)

    async def unless_away(self, coro: Any, url: str) -> Any:
        """``await coro``, unless the page navigates away by script first: then a classified failure
        (``navigated-away``) naming where it went, not what the lost page's calls report."""
        task = asyncio.ensure_future(coro)
        task.add_done_callback(lambda t: t.cancelled() or t.exception())  # never 'exception not retrieved'
        assert self.away is not None
        try:
            await asyncio.wait({task, self.away}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not task.done():
                task.cancel()
        if task.done() and not task.cancelled() and task.exception() is None:
            return task.result()
        if self.away.done():
            to = self.away.result()
            why = " (a host the host policy blocks)" if self.host_policy().decide(host_of(to)) == "block" else ""
            raise FetchFailed(f"{url}: the page's script navigated away to {to}{why}", reason="navigated-away")
        return task.result()  # its own failure

    def reset_hosts(self) -> None:
        """Forget the hosts seen so far (a care page reached from the normal one gets its own figures)."""
        self.requests.clear()
        self.blocked.clear()
        self.failed_hosts.clear()

    async def open(self, har: Path | None) -> None:
        settings = self.opts.settings
        self.context = await self.browser.new_context(**context_args(settings, site=self.opts.site))
        if self.replay_har is not None:
            await prepare_context_async(self.context, settings)
            await self.context.route_from_har(self.replay_har, not_found="abort")
            await guard_replay_async(self.context, self.host_policy(), self.blocked)
        else:
            await prepare_context_async(self.context, settings, blocked=self.blocked, policy=self.host_policy(),
                                        record=self.record)
        if har is not None:
            await self.context.tracing.start_har(har, content="embed")
        page = self.page = await self.context.new_page()
        self.inflight = nav.InFlight(page)
        self.away = asyncio.get_running_loop().create_future()
        page.on("request", self._on_request)
        page.on("requestfailed", self._on_failed)
        page.on("crash", lambda _p: self.crashed.append(True))
        page.on("pageerror", lambda err: self.page_errors.append(first_line(err, "error", 200)))
        if self.replay_har is not None or not settings.block_third_party:
            # No host guard to see third-party requests: listen to every request instead.
            page.on("request", lambda r: self.requests.append(r.url))

    async def load(self, url: str, timings: dict[str, float], step: str) -> Any:
        self.navigating = True
        try:
            resp = await nav.goto(self.page, url, timings, step, self.record if self.replay_har is None else None)
        finally:
            self.navigating = False
        await self.unless_away(nav.timed_ready(self.page, self.opts.ready_timeout_ms, timings,
                                               step.replace("goto", "ready"), self.inflight, site=self.opts.site), url)
        await self.unless_away(nav.check_is_article(self.page, url, site=self.opts.site), url)
        return resp

    async def go_care(self, timings: dict[str, float]) -> tuple[Any, str]:
        """From the loaded normal page to its 关怀版 as a reader gets there; (response, care_via)."""
        care, care_via = await nav.care_url(self.page, self.target, self.opts.ready_timeout_ms, site=self.opts.site)
        self.reset_hosts()
        try:
            return await self.load(care, timings, "care_goto"), care_via
        except FetchFailed as exc:
            if care_via == "url-rule" and exc.reason in NO_CARE_REASONS:
                raise no_care_offered(care, int(exc.reason[5:])) from None
            raise  # a 关怀版 the page links to and that is gone IS a failure

    async def capture(self, mode: str, stage: Path, *, keep_har: bool = False) -> bundle.Bundle:
        """Open, load the page in ``mode`` and collect; the HAR goes straight into ``stage``."""
        timings: dict[str, float] = {}
        started = time.perf_counter()
        await self.open(stage / "page.har" if self.replay_har is None else None)
        resp = await self.load(self.url, timings, "goto")
        care_via = None
        if mode == "care":
            resp, care_via = await self.go_care(timings)
        art = await self.unless_away(self.collect(stage, mode, resp, care_via, timings, started), self.url)
        if self.replay_har is None:
            await self.context.tracing.stop_har()
            if keep_har:
                self.normal_har = (stage / "page.har").read_bytes()
        return art

    async def continue_care(self, stage: Path) -> bundle.Bundle:
        """After :meth:`capture` in normal mode (``keep_har``): follow the 关怀版 link in the same page.

        The care HAR holds the normal page's entries too, as a care capture of its own would, so
        replaying it loads the normal page first exactly as recording did.
        """
        timings: dict[str, float] = {}
        started = time.perf_counter()
        part = stage / ".care-part.har"
        await self.context.tracing.start_har(part, content="embed")
        resp, care_via = await self.go_care(timings)
        art = await self.unless_away(self.collect(stage, "care", resp, care_via, timings, started), self.url)
        art.meta.followed_from_normal = True
        await self.context.tracing.stop_har()
        merged = merge_hars(json.loads(self.normal_har or b"{}"), json.loads(part.read_bytes()))
        (stage / "page.har").write_text(json.dumps(merged, ensure_ascii=False), encoding="utf-8")
        part.unlink()
        return art

    async def _views(self, mode: str) -> tuple[str, str, list[tuple[str, str]], str]:
        """DOM, its generation, the text regions (read in the page, with that generation's selectors:
        a page no table recognises is still kept, "unknown" is for a check to report) and aria."""
        dom = await self.page.content()
        generation = page_generation(dom, site=self.opts.site)
        regions = [tuple(r) for r in await self.page.evaluate(REGION_TEXT_JS,
                                                              region_args(mode, generation, site=self.opts.site))]
        aria = (await self.page.locator("body").aria_snapshot()).rstrip("\n") + "\n"
        return dom, generation, regions, aria

    async def collect(self, stage: Path, mode: str, resp: Any, care_via: str | None, timings: dict[str, float],
                      started: float) -> bundle.Bundle:
        """Every file of the bundle, in memory (``stage`` is where it will be written)."""
        page, settings = self.page, self.opts.settings
        raw, (dom, generation, regions, aria) = await collect.timed(
            timings, "collect", asyncio.gather(resp.body(), self._views(mode)))
        cdp = await self.cdp()
        # Redirects the host guard followed through the map: the page is their last answer, shown
        # under the URL it was asked for (page.url), so its real final URL is the chain's end.
        chain = self.record.chain(page.url)
        figures = await collect.timed(timings, "a11y", collect.a11y_figures(  # after the views: its Tab walk moves focus
            page, self.requests + self.blocked, cdp, axe=self.opts.runs_axe(mode), site=self.opts.site))
        png, shot = await collect.timed(timings, "screenshot", collect.screenshot(
            page, settings.viewport["width"], cdp, mask=collect.ScreenshotMask.of(self.opts.site) if mode == "normal" else None))
        meta = bundle.Meta(
            id=self.target.id, mode=mode, requested_url=self.url, final_url=chain[-1], status=resp.status,
            redirect_chain=collect.redirect_chain(resp) or chain[:-1], care_via=care_via,
            charset=collect.charset(await resp.all_headers(), raw),
            generation=CARE_GENERATION.name if mode == "care" else generation, base_url=self.opts.base_url,
            text_regions=nonempty_regions(regions),
            browser={"name": self.browser.browser_type.name, "version": self.browser.version},
            fonts=await collect.fonts(cdp, site=self.opts.site), viewport=dict(settings.viewport),
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
        return bundle.Bundle(path=stage, meta=meta, raw=raw, dom=dom, text=format_text(regions), aria=aria,
                             screenshot=png, a11y=figures)

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
