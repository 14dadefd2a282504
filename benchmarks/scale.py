"""Scale: a 200-article generated watchlist at jobs 4; per-capture time and peak RSS every 50 articles.

Run: ``.venv/bin/python benchmarks/scale.py [--articles 200] [--step 50] [--jobs 4]``. The replica serves
``--articles`` articles (``CAPTURE_REPLICA_ARTICLES``: the stored ones plus generated copies,
:mod:`capture.replica.generated`) and the harness records all of them in both modes in one run, as
``capture record --replica --jobs 4`` would. Each time another ``--step`` articles are done it prints
the wall seconds per capture (page×mode) of that stretch and the peak RSS of the whole process tree
(this process, the driver, the browser and its renderers: :class:`served.PeakRSS`, summed RSS and PSS)
during it. Targets: per-capture time and peak RSS flat from the first stretch to the last, peak RSS
≤ 1.5 GB. The replica's article count is fixed when it is first read, so the run is a subprocess of
its own when this process has already read another count (benchmarks/run.py).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(1, str(HERE))

from served import PeakRSS, replica_options  # noqa: E402

TARGET_RSS_MB = 1536.0
ENV = "CAPTURE_REPLICA_ARTICLES"


def run_here(articles: int, step: int, jobs: int) -> list[dict[str, float]]:
    """The curve, in this process (``CAPTURE_REPLICA_ARTICLES`` must already say ``articles``)."""
    from capture.recorder import record
    from capture.replica import ReplicaServer, targets

    tgts = targets()[:articles]
    if len(tgts) < articles:
        raise SystemExit(f"scale: the replica serves {len(tgts)} articles, not {articles}: set {ENV}={articles}")
    curve: list[dict[str, float]] = []
    done: set[str] = set()
    failed: list[str] = []
    with ReplicaServer() as srv, tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp, PeakRSS() as mem:
        mark = [time.perf_counter(), 0]  # start of this stretch, captures in it

        def on_done(o: Any) -> None:
            if o.status != "ok":
                failed.append(f"{o.id}/{o.mode}: {o.reason}")
            mark[1] += 1
            if o.mode == "care":
                done.add(o.id)
            # a stretch ends when its last article is done (articles finish roughly in order)
            while len(curve) * step + step <= len(done) and all(
                    t.id in done for t in tgts[len(curve) * step:len(curve) * step + step]):
                now = time.perf_counter()
                rss, pss = mem.take()
                curve.append({"articles": len(curve) * step + step, "s_per_capture": (now - mark[0]) / max(1, mark[1]),
                              "peak_rss_mb": rss, "peak_pss_mb": pss, "captures": mark[1]})
                mark[0], mark[1] = now, 0

        record(tgts, Path(tmp), replica_options(srv.base_url, jobs=jobs), on_done=on_done)
    if failed:
        raise SystemExit(f"scale: {len(failed)} captures failed, first: {failed[0]}")
    return curve


def measure(articles: int = 200, step: int = 50, jobs: int = 4) -> list[dict[str, float]]:
    """``[{"articles": n, "s_per_capture": s, "peak_rss_mb": MB, "peak_pss_mb": MB, "captures": k}]``, one
    entry per stretch of ``step`` articles; in a subprocess unless this process serves ``articles``."""
    from capture.replica.content import articles as loaded

    if loaded.cache_info().currsize == 0 and os.environ.get(ENV) == str(articles):
        return run_here(articles, step, jobs)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--articles", str(articles), "--step", str(step),
           "--jobs", str(jobs), "--json"]
    proc = subprocess.run(cmd, env={**os.environ, ENV: str(articles)}, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"scale run failed: {(proc.stdout + proc.stderr).strip().splitlines()[-1:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=200, help="articles in the watchlist (default 200)")
    ap.add_argument("--step", type=int, default=50, help="articles per printed stretch (default 50)")
    ap.add_argument("--jobs", type=int, default=4, help="the harness's --jobs (default 4)")
    ap.add_argument("--json", action="store_true", help="print the curve as one JSON line")
    args = ap.parse_args()
    curve = measure(args.articles, args.step, args.jobs)
    if args.json:
        print(json.dumps(curve))
        return 0
    print(f"{args.articles} generated-watchlist articles × 2 modes, jobs {args.jobs}, one run")
    for row in curve:
        print(f"  articles {row['articles']:4.0f}: {row['s_per_capture']:.2f} s per capture over the last "
              f"{row['captures']:.0f}, peak RSS {row['peak_rss_mb']:6.0f} MB (PSS {row['peak_pss_mb']:5.0f} MB)")
    peak = max(r["peak_rss_mb"] for r in curve)
    first, last = curve[0]["s_per_capture"], curve[-1]["s_per_capture"]
    print(f"per-capture time last/first stretch {last / first:.2f}x (target flat); peak RSS {peak:.0f} MB "
          f"(target <= {TARGET_RSS_MB:.0f} MB: {'met' if peak <= TARGET_RSS_MB else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
