"""The browsers pages run in: one local Chromium, or one per ``--connect`` endpoint; relaunched
(or reconnected) when it died or was closed, so one crash costs one attempt, not the run."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from ..browser import launch_async
from .options import RecordOptions


class BrowserPool:
    """``await pool.get(slot)``: the browser for a page at watchlist index ``slot`` (round-robin over
    the endpoints with ``connect``; the one local browser without)."""

    def __init__(self, playwright: Any, opts: RecordOptions) -> None:
        self.playwright, self.opts = playwright, opts
        self._lock = asyncio.Lock()  # one relaunch at a time, however many pages notice the death
        self._browsers: dict[str, Any] = {}  # "" (local) or a --connect endpoint -> its browser
        self.opened: list[str] = []  # every browser opened, relaunches included ("" is the local one)

    def endpoints(self, slot: int | None) -> list[str]:
        """The keys of the browsers a page at ``slot`` needs (None: every one, so a bad endpoint
        fails before any capture)."""
        if not self.opts.connect:
            return [""]
        from ..remote import endpoint_for

        return [endpoint_for(slot, self.opts.connect)] if slot is not None else list(dict.fromkeys(self.opts.connect))

    async def _open(self, endpoint: str) -> Any:
        settings = self.opts.launch_settings()
        if not endpoint:
            return await launch_async(self.playwright, settings)
        from ..remote import connect_async

        return await connect_async(self.playwright, endpoint, settings, self.opts.remote_executable)

    async def get(self, slot: int | None = None) -> Any:
        async with self._lock:
            wanted = self.endpoints(slot)
            for endpoint in wanted:
                browser = self._browsers.get(endpoint)
                if browser is None or not browser.is_connected():
                    self._browsers[endpoint] = await self._open(endpoint)
                    self.opened.append(endpoint)
            return self._browsers[wanted[0]]

    async def close(self) -> None:
        for browser in self._browsers.values():
            with contextlib.suppress(Exception):
                await browser.close()  # a connected browser: closes our contexts, disconnects
        self._browsers.clear()


@contextlib.asynccontextmanager
async def started(opts: RecordOptions) -> AsyncIterator[BrowserPool]:
    """Playwright and the pool's browsers (opened at once, so a broken browser fails before any page)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        pool = BrowserPool(pw, opts)
        try:
            await pool.get()
            yield pool
        finally:
            await pool.close()
