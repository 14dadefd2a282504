"""Capture speed: pages × modes per second, the harness (``Recorder``) against a naive script and the floor.

Run: ``.venv/bin/python benchmarks/capture.py [--jobs 1,2,4] [--repeat N]``. Captures every replica
article in normal and 关怀版 mode, served by the built-in replica on 127.0.0.1 and mapped as
``capture record --replica`` maps it (:mod:`served`: the same host policy, flags and context options
for all three, every page at its real URL):

* the harness: :func:`capture.recorder.record` (one browser, ``jobs`` contexts at once, readiness
  signal, HAR, DOM, text, aria snapshot, the a11y check, screenshot, fonts; the 关怀版 followed from
  the normal page), at each ``--jobs``; its wall time includes starting Playwright and the browser;
* the naive script below: a new browser per page, ``wait_until="networkidle"``, a full-page
  screenshot and the DOM; the 关怀版 URL loaded directly;
* the floor (``benchmarks/floor.py``): one warm browser, 4 contexts, ``domcontentloaded``, DOM, text,
  aria snapshot, full-page screenshot, nothing more.

Prints the rates, the harness's time against the floor's (target ≤ 1.5×) and the naive script's
(target ≥ 3× faster), the peak RSS (this Python process plus every child: driver and browser
processes) sampled every 20 ms with psutil, and where a harness capture's time goes. All use the same
Chromium binary (:func:`capture.browser.find_chromium`: the headless shell where installed, as
Playwright itself uses for headless pages). Peak RSS target ≤ 1.5 GB. Figures are wall time on
whatever machine runs it: compare runs on one machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(1, str(HERE))

from floor import TARGET_RATIO, floor  # noqa: E402
from floor import urls as floor_urls  # noqa: E402
from served import PeakRSS, browser_kwargs, open_context, replica_options, timed  # noqa: E402,F401 (PeakRSS: run.py)

from capture.recorder import record  # noqa: E402
from capture.replica import ReplicaServer  # noqa: E402
from capture.replica import targets as replica_targets  # noqa: E402
from capture.targets import MODES, Target  # noqa: E402

TARGET_SPEEDUP = 3.0
#: The floor's contexts at once (benchmarks/floor.py), against the harness at its highest jobs.
FLOOR_CONTEXTS = 4
TARGET_RSS_MB = 1536.0


def harness(base_url: str, jobs: int, tgts: list[Target]) -> dict[str, dict[str, float]]:
    """Record ``tgts`` in both modes; the mean milliseconds of each step, by mode (from meta.json)."""
    with tempfile.TemporaryDirectory(prefix="bench-capture-") as tmp:
        out = record(tgts, Path(tmp), replica_options(base_url, jobs=jobs, modes=MODES))
        bad = [f"{o.id}/{o.mode}: {o.reason}" for o in out if o.status != "ok"]
        if bad:
            raise RuntimeError(f"harness capture failed: {bad[:3]}")
        steps = {}
        for mode in MODES:
            metas = [json.loads((o.path / "meta.json").read_text()) for o in out if o.mode == mode and o.path]
            keys = dict.fromkeys(k for m in metas for k in m["timings_ms"])
            steps[mode] = {k: sum(m["timings_ms"].get(k, 0) for m in metas) / max(1, len(metas)) for k in keys}
        return steps


def naive(base_url: str, tgts: list[Target]) -> None:
    """What a first script would do: a browser per page, networkidle, full-page screenshot, the DOM.
    Served and mapped as the harness's pages are (:mod:`served`), the 关怀版 loaded at its own URL."""
    from capture.sync import run_sync

    async def run() -> None:
        from playwright.async_api import async_playwright

        opts = replica_options(base_url)
        async with async_playwright() as p:
            for url in floor_urls(tgts):
                browser = await p.chromium.launch(**browser_kwargs(opts))
                try:
                    page = await (await open_context(browser, opts, url)).new_page()
                    await page.goto(url, wait_until="networkidle")
                    await page.screenshot(full_page=True)
                    await page.content()
                finally:
                    await browser.close()

    run_sync(run())


def measure(jobs_list: tuple[int, ...] = (1, 2, 4), repeat: int = 1) -> dict[str, Any]:
    """``{"n": pages×modes, "harness": {jobs: (rate/s, peak RSS MB, peak PSS MB)}, "naive": (…),
    "floor": (…), "steps": {mode: {step: mean ms}} at the lowest jobs setting}``; rates from the best
    of ``repeat`` (the floor's from its own clock: the browser start is not in it)."""
    tgts = replica_targets()
    n = len(tgts) * len(MODES)
    out: dict[str, Any] = {"n": n, "harness": {}, "naive": None, "steps": {}}
    with ReplicaServer() as srv:
        harness(srv.base_url, 2, tgts[:1])  # warm-up: caches, fonts, first launch
        for jobs in jobs_list:
            runs = [timed(lambda j=jobs: harness(srv.base_url, j, tgts)) for _ in range(repeat)]
            best = min(runs, key=lambda r: r[0])
            out["harness"][jobs] = (n / best[0], max(r[1] for r in runs), max(r[2] for r in runs))
            if jobs == min(jobs_list):
                out["steps"] = best[3]
        runs = [timed(lambda: naive(srv.base_url, tgts)) for _ in range(repeat)]
        out["naive"] = (n / min(r[0] for r in runs), max(r[1] for r in runs), max(r[2] for r in runs))
        runs = [timed(lambda: floor(srv.base_url, tgts, FLOOR_CONTEXTS)) for _ in range(repeat)]
        out["floor"] = (n / min(r[3] for r in runs), max(r[1] for r in runs), max(r[2] for r in runs))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", default="1,2,4", help="jobs settings to time (default 1,2,4)")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each; the best is kept (default 1)")
    args = ap.parse_args()
    jobs_list = tuple(int(j) for j in args.jobs.split(","))
    res = measure(jobs_list, args.repeat)
    n = res["n"]
    print(f"{n} pages×modes ({n // 2} replica articles, normal and care), best of {args.repeat}")
    for jobs, (rate, mb, pss) in res["harness"].items():
        print(f"harness jobs {jobs}:  {rate:6.2f} pages×modes/s   peak RSS {mb:7.0f} MB   PSS {pss:7.0f} MB")
    naive_rate, naive_mb, naive_pss = res["naive"]
    print(f"naive script:    {naive_rate:6.2f} pages×modes/s   peak RSS {naive_mb:7.0f} MB   PSS {naive_pss:7.0f} MB")
    floor_rate, floor_mb, floor_pss = res["floor"]
    print(f"floor ({FLOOR_CONTEXTS} ctx):   {floor_rate:6.2f} pages×modes/s   peak RSS {floor_mb:7.0f} MB   "
          f"PSS {floor_pss:7.0f} MB")
    print(f"where a harness capture's time goes (mean ms per step, jobs {min(jobs_list)}; "
          "care continues from the normal page):")
    for mode, steps in res["steps"].items():
        print(f"  {mode:6s} " + "  ".join(f"{k} {v:.0f}" for k, v in steps.items()))
    top = max(jobs_list)
    ratio = res["harness"][top][0] / naive_rate
    time_ratio = floor_rate / res["harness"][top][0]
    print(f"harness jobs {top} time / floor time: {time_ratio:.2f}x "
          f"(target <= {TARGET_RATIO:g}x: {'met' if time_ratio <= TARGET_RATIO else 'NOT met'})")
    peak = max(mb for _r, mb, _p in res["harness"].values())
    peak_pss = max(p for _r, _mb, p in res["harness"].values())
    print(f"harness jobs {top} / naive: {ratio:.1f}x "
          f"(target >= {TARGET_SPEEDUP:g}x: {'met' if ratio >= TARGET_SPEEDUP else 'NOT met'})")
    print(f"harness peak RSS {peak:.0f} MB, summed over processes (target <= {TARGET_RSS_MB:.0f} MB: "
          f"{'met' if peak <= TARGET_RSS_MB else 'NOT met'}); PSS {peak_pss:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
