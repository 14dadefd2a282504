"""The browser's own floor: the least a capture of the replica's pages can cost on this machine.

Run: ``.venv/bin/python benchmarks/floor.py [--contexts 4] [--repeat N]``. One warm browser (the
harness's Chromium: the headless shell), ``--contexts`` contexts at once, each taking the next of the
replica's page×mode URLs: ``goto`` until ``domcontentloaded``, then ``content()``, the body's
``innerText``, ``locator('body').aria_snapshot()`` and a full-page screenshot, and nothing more (no
readiness wait, no HAR, no a11y, no files). Pages are served and mapped as ``capture record --replica``
serves them (:mod:`served`: same host policy, launch flags and context options), the 关怀版 loaded at
its own URL. Prints pages×modes per second; the harness's target is at most 1.5× this time.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(1, str(HERE))

from served import browser_kwargs, open_context, replica_options  # noqa: E402

from capture.replica import ReplicaServer  # noqa: E402
from capture.replica import targets as replica_targets  # noqa: E402
from capture.targets import MODES, Target  # noqa: E402

#: The harness's capture time may be at most this many times the floor's (issue 14).
TARGET_RATIO = 1.5


def urls(tgts: list[Target]) -> list[str]:
    """Every page×mode URL: the real URLs (the host map answers them), normal then 关怀版 by page."""
    return [t.url if mode == "normal" else t.care_url() for t in tgts for mode in MODES]


async def floor_async(base_url: str, page_urls: list[str], contexts: int = 4) -> float:
    """Seconds to load and read ``page_urls`` with ``contexts`` contexts of one warm browser."""
    from playwright.async_api import async_playwright

    opts = replica_options(base_url)
    queue: asyncio.Queue[str] = asyncio.Queue()
    for url in page_urls:
        queue.put_nowait(url)

    async def worker(browser: object) -> None:
        context = await open_context(browser, opts, page_urls[0])
        page = await context.new_page()
        while not queue.empty():
            url = queue.get_nowait()
            await page.goto(url, wait_until="domcontentloaded")
            await page.content()
            await page.evaluate("document.body.innerText")
            await page.locator("body").aria_snapshot()
            await page.screenshot(full_page=True)
        await context.close()

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**browser_kwargs(opts))
        try:
            warm = await open_context(browser, opts, page_urls[0])  # warm: first page, fonts, caches
            page = await warm.new_page()
            await page.goto(page_urls[0], wait_until="domcontentloaded")
            await page.screenshot(full_page=True)
            await warm.close()
            t0 = time.perf_counter()
            await asyncio.gather(*(worker(browser) for _ in range(contexts)))
            return time.perf_counter() - t0
        finally:
            await browser.close()


def floor(base_url: str, tgts: list[Target], contexts: int = 4) -> float:
    """:func:`floor_async` from sync code (benchmarks/run.py)."""
    from capture.sync import run_sync

    return run_sync(floor_async(base_url, urls(tgts), contexts))


def measure(contexts: int = 4, repeat: int = 1, tgts: list[Target] | None = None) -> dict[str, float]:
    """``{"n": pages×modes, "seconds": best wall time, "rate": pages×modes/s}`` on a fresh replica."""
    tgts = tgts or replica_targets()
    with ReplicaServer() as srv:
        best = min(floor(srv.base_url, tgts, contexts) for _ in range(repeat))
    n = len(tgts) * len(MODES)
    return {"n": n, "seconds": best, "rate": n / best}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--contexts", type=int, default=4, help="contexts at once (default 4)")
    ap.add_argument("--repeat", type=int, default=1, help="runs; the best is kept (default 1)")
    args = ap.parse_args()
    res = measure(args.contexts, args.repeat)
    print(f"floor: {res['n']} pages×modes in {res['seconds']:.2f} s = {res['rate']:.2f} pages×modes/s "
          f"({args.contexts} contexts, one warm browser, best of {args.repeat})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
