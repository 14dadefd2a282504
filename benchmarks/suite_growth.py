"""Suite growth: wall time of the golden suite with 8, 16 and 32 replica articles, and the cost per added one.

Run: ``.venv/bin/python benchmarks/suite_growth.py [--sizes 8,16,32] [--capture-jobs N]``.

Each size runs ``pytest tests/test_goldens.py --snapshot-update`` in a subprocess with
``CAPTURE_REPLICA_ARTICLES=N`` (the replica generates the extra articles, ``capture/replica/generated.py``,
and the suite's watchlist follows it) and ``CAPTURE_GOLDENS_ROOT`` pointing at a fresh temporary folder:
generated pages have no stored goldens, so they are written there instead of compared, and the project's
``snapshots/`` is never touched. The time covers collection, the session capture of every page in both
modes, extraction, views and writing goldens (writing costs about what comparing does).

Prints the wall time of each size and the cost per added article×mode, between each pair of sizes and
overall; target ≤ 0.5 s per added article×mode, and flat (the later slope not above the earlier one).
Also the CPU seconds (user + system, the browser's included) of each run: on a machine shared with
other work the wall time swings with the load, the CPU time much less.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 0.5


def cpu_children() -> float:
    """CPU seconds (user + system) of every finished child and its waited-for descendants (the
    browser too: Chromium's processes are reaped by the driver, the driver by pytest)."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def suite_seconds(n: int, capture_jobs: int = 2, tests: str = "tests/test_goldens.py") -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of the golden suite over ``n`` replica articles."""
    with tempfile.TemporaryDirectory(prefix="bench-growth-") as goldens:
        env = {**os.environ, "CAPTURE_REPLICA_ARTICLES": str(n), "CAPTURE_GOLDENS_ROOT": goldens}
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", tests, "--snapshot-update",
               "--capture-jobs", str(capture_jobs)]
        t0, c0 = time.perf_counter(), cpu_children()
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        seconds, cpu = time.perf_counter() - t0, cpu_children() - c0
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-5:]
        raise RuntimeError(f"suite with {n} articles failed: {' | '.join(tail)}")
    return seconds, cpu


def measure(sizes: tuple[int, ...] = (8, 16, 32), capture_jobs: int = 2) -> dict[str, object]:
    """``{"seconds": {n: s}, "cpu": {n: s}, "slopes": [(a, b, s per added article×mode, CPU s per
    added article×mode)], "overall": s, "overall_cpu": s}``."""
    runs = {n: suite_seconds(n, capture_jobs) for n in sizes}
    seconds, cpu = {n: r[0] for n, r in runs.items()}, {n: r[1] for n, r in runs.items()}
    pairs = list(zip(sizes, sizes[1:], strict=False))

    def slope(d: dict[int, float], a: int, b: int) -> float:
        return (d[b] - d[a]) / ((b - a) * 2)

    slopes = [(a, b, slope(seconds, a, b), slope(cpu, a, b)) for a, b in pairs]
    return {"seconds": seconds, "cpu": cpu, "slopes": slopes, "overall": slope(seconds, sizes[0], sizes[-1]),
            "overall_cpu": slope(cpu, sizes[0], sizes[-1])}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="8,16,32", help="article counts (default 8,16,32)")
    ap.add_argument("--capture-jobs", type=int, default=2, help="the suite's --capture-jobs (default 2)")
    args = ap.parse_args()
    sizes = tuple(int(s) for s in args.sizes.split(","))
    res = measure(sizes, args.capture_jobs)
    for n, s in res["seconds"].items():
        print(f"{n:3d} articles ({2 * n:3d} article×modes): {s:7.1f} s wall, {res['cpu'][n]:7.1f} s CPU")
    for a, b, slope, cpu in res["slopes"]:
        print(f"  {a} -> {b}: {slope:.2f} s per added article×mode ({cpu:.2f} s CPU)")
    ok = res["overall"] <= TARGET_S
    print(f"overall {res['overall']:.2f} s per added article×mode, {res['overall_cpu']:.2f} s CPU "
          f"(target <= {TARGET_S:g} s wall: {'met' if ok else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
