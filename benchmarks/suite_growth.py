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
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 0.5


def suite_seconds(n: int, capture_jobs: int = 2, tests: str = "tests/test_goldens.py") -> float:
    with tempfile.TemporaryDirectory(prefix="bench-growth-") as goldens:
        env = {**os.environ, "CAPTURE_REPLICA_ARTICLES": str(n), "CAPTURE_GOLDENS_ROOT": goldens}
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", tests, "--snapshot-update",
               "--capture-jobs", str(capture_jobs)]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-5:]
        raise RuntimeError(f"suite with {n} articles failed: {' | '.join(tail)}")
    return seconds


def measure(sizes: tuple[int, ...] = (8, 16, 32), capture_jobs: int = 2) -> dict[str, object]:
    """``{"seconds": {n: s}, "slopes": [(a, b, s per added article×mode)], "overall": s}``."""
    seconds = {n: suite_seconds(n, capture_jobs) for n in sizes}
    pairs = list(zip(sizes, sizes[1:], strict=False))
    slopes = [(a, b, (seconds[b] - seconds[a]) / ((b - a) * 2)) for a, b in pairs]
    overall = (seconds[sizes[-1]] - seconds[sizes[0]]) / ((sizes[-1] - sizes[0]) * 2)
    return {"seconds": seconds, "slopes": slopes, "overall": overall}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="8,16,32", help="article counts (default 8,16,32)")
    ap.add_argument("--capture-jobs", type=int, default=2, help="the suite's --capture-jobs (default 2)")
    args = ap.parse_args()
    sizes = tuple(int(s) for s in args.sizes.split(","))
    res = measure(sizes, args.capture_jobs)
    for n, s in res["seconds"].items():
        print(f"{n:3d} articles ({2 * n:3d} article×modes): {s:7.1f} s")
    for a, b, slope in res["slopes"]:
        print(f"  {a} -> {b}: {slope:.2f} s per added article×mode")
    ok = res["overall"] <= TARGET_S
    print(f"overall {res['overall']:.2f} s per added article×mode (target <= {TARGET_S:g} s: "
          f"{'met' if ok else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
