"""What the page itself costs: HAR recording modes, and which resource types a page asks for.

Run: ``.venv/bin/python benchmarks/page_cost.py [--repeat N] [--pages N]``. On the replica's real-shaped
pages (~150 KB, 50–100 requests; served and mapped as ``capture record --replica``, :mod:`served`) and,
where ``../shared/samples`` is there, on the two real samples served on loopback at their real URLs
(:mod:`live_shaped`), one page at a time in a fresh context of one warm browser, as the harness loads a
page: ``goto`` until ``load``, the readiness wait of the harness, a full-page screenshot. Each page is
loaded once per variant per round, the variants interleaved so a change of the machine's load hits
them alike:

* ``no HAR``; ``HAR embed`` (what the harness records: ``tracing.start_har(content="embed")``, every body
  in the file, which ``--replay`` serves back); ``HAR minimal`` (``mode="minimal"``: no timings or
  sizes, which replay does not read); ``HAR omit`` (no bodies: a replay would have nothing to serve).

Prints the median wall and CPU ms per page of each variant (CPU of the whole process tree: the
browser's too; on a shared machine it moves much less than wall time), the HAR's size, and the requests per resource type
(fonts and media are what a block of "what no artifact needs" could drop; images, stylesheets and
scripts are in the screenshot or make it).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(1, str(HERE))

from served import browser_kwargs, open_context, replica_options, tree_cpu_s  # noqa: E402

from capture.recorder import RecordOptions, wait_ready  # noqa: E402
from capture.replica import ReplicaServer  # noqa: E402
from capture.replica import targets as replica_targets  # noqa: E402

#: variant -> start_har keyword arguments (None: no HAR).
VARIANTS: dict[str, dict[str, str] | None] = {
    "no HAR": None,
    "HAR embed": {"content": "embed"},
    "HAR minimal": {"content": "embed", "mode": "minimal"},
    "HAR omit": {"content": "omit"},
}


async def load_once(browser: Any, opts: RecordOptions, url: str, har: dict[str, str] | None,
                    tmp: Path) -> tuple[float, float, int, Counter[str], bytes]:
    """(wall ms, CPU ms of the process tree, HAR bytes, requests by resource type, screenshot) of one
    load of ``url``."""
    t0, c0 = time.perf_counter(), tree_cpu_s()
    context = await open_context(browser, opts, url)
    path = tmp / "page.har"
    if har is not None:
        await context.tracing.start_har(path, **har)
    page = await context.new_page()
    types: Counter[str] = Counter()
    page.on("request", lambda r: types.update([r.resource_type]))
    await page.goto(url, wait_until="load")
    await wait_ready(page, opts.ready_timeout_ms, None, "body")
    shot = await page.screenshot(full_page=True)
    size = 0
    if har is not None:
        await context.tracing.stop_har()
        size = path.stat().st_size
    await context.close()
    return (time.perf_counter() - t0) * 1000, (tree_cpu_s() - c0) * 1000, size, types, shot


async def measure_async(pages: list[tuple[str, RecordOptions]], repeat: int) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    ms: dict[str, list[float]] = {v: [] for v in VARIANTS}
    cpu: dict[str, list[float]] = {v: [] for v in VARIANTS}
    har_bytes: dict[str, list[int]] = {v: [] for v in VARIANTS}
    types: Counter[str] = Counter()
    with tempfile.TemporaryDirectory(prefix="bench-page-cost-") as tmp:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(**browser_kwargs(pages[0][1]))
            try:
                await load_once(browser, pages[0][1], pages[0][0], None, Path(tmp))  # warm-up
                for r in range(repeat):
                    for url, opts in pages:
                        order = list(VARIANTS)
                        order = order[r % len(order):] + order[:r % len(order)]  # rotate who goes first
                        for variant in order:
                            t, c, size, seen, _shot = await load_once(browser, opts, url, VARIANTS[variant],
                                                                      Path(tmp))
                            ms[variant].append(t)
                            cpu[variant].append(c)
                            har_bytes[variant].append(size)
                            if variant == "no HAR" and r == 0:
                                types.update(seen)
            finally:
                await browser.close()
    return {"pages": len(pages), "ms": {v: statistics.median(x) for v, x in ms.items()},
            "cpu_ms": {v: statistics.median(x) for v, x in cpu.items()},
            "har_kb": {v: statistics.mean(x) / 1024 for v, x in har_bytes.items()}, "types": dict(types)}


def measure(pages: list[tuple[str, RecordOptions]], repeat: int = 3) -> dict[str, Any]:
    """``{"pages": n, "ms": {variant: median ms per page}, "cpu_ms": {variant: median CPU ms per page},
    "har_kb": {variant: mean KB},
    "types": {resource type: requests over the pages}}``."""
    from capture.sync import run_sync

    return run_sync(measure_async(pages, repeat))


def replica_pages(base_url: str, n: int) -> list[tuple[str, RecordOptions]]:
    opts = replica_options(base_url)
    return [(u, opts) for t in replica_targets()[:n] for u in (t.url, t.care_url())]


def report(name: str, res: dict[str, Any], out: Callable[[str], None] = print) -> None:
    base, base_cpu = res["ms"]["no HAR"], res["cpu_ms"]["no HAR"]
    out(f"{name}: {res['pages']} page loads per variant (medians; CPU: the whole process tree)")
    for variant, ms in res["ms"].items():
        cpu = res["cpu_ms"][variant]
        extra = (f"  ({ms - base:+.0f} ms wall, {cpu - base_cpu:+.0f} ms CPU; HAR {res['har_kb'][variant]:.0f} KB)"
                 if VARIANTS[variant] else "")
        out(f"  {variant:12s} {ms:6.0f} ms wall {cpu:6.0f} ms CPU per page{extra}")
    total = sum(res["types"].values())
    out("  requests by resource type: " + ", ".join(f"{k} {v}" for k, v in sorted(res["types"].items()))
        + f" (total {total}; fonts {res['types'].get('font', 0)}, media {res['types'].get('media', 0)})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="rounds over the pages (default 3)")
    ap.add_argument("--pages", type=int, default=4, help="replica articles, both modes (default 4)")
    args = ap.parse_args()
    with ReplicaServer() as srv:
        report("replica", measure(replica_pages(srv.base_url, args.pages), args.repeat))
    from live_shaped import SAMPLES, Sample, available

    samples = [Sample(name) for name in available()]
    if not samples:
        print(f"samples: skipped, {SAMPLES} is not there (the shared samples folder is not mounted)")
        return 0
    try:
        pages = [(u, s.options()) for s in samples for u in (s.url, s.care_url)]
        report("samples", measure(pages, args.repeat))
    finally:
        for s in samples:
            s.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
