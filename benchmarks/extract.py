"""Speed and body accuracy of ``capture.extract`` against trafilatura on the real 2024 sample.

Run: ``.venv/bin/python benchmarks/extract.py [--runs N] [--traf-runs N] [--warmup N]``. After warm-up
runs, prints the median ms per page of both (200 / 30 timed runs by default), their ratio, and each
one's body-text character F1 against the independent reference
(``capture.extract.accuracy.reference_body_text``), then whether each target is met: median ≤ 5 ms,
≥ 20× faster than trafilatura, body F1 = 1.0 and more accurate than trafilatura.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from capture.extract import extract  # noqa: E402
from capture.extract.accuracy import article_body_text, char_f1, reference_body_text  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "netease"
SAMPLE = SAMPLES / "magichtml_2024_dy_J22CN60P0514R9KQ_dom.html"
TARGET_MS = 5.0
TARGET_SPEEDUP = 20.0


def median_ms(fn: Callable[[], object], runs: int, warmup: int) -> float:
    """Median wall time of ``fn`` in ms over ``runs`` calls, after ``warmup`` untimed calls."""
    for _ in range(warmup):  # imports, caches, allocator pools, CPU frequency
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200, help="timed runs of capture.extract (default 200)")
    ap.add_argument("--traf-runs", type=int, default=30, help="timed runs of trafilatura (default 30)")
    ap.add_argument("--warmup", type=int, default=10, help="untimed runs before timing each (default 10)")
    ap.add_argument("--sample", type=Path, default=SAMPLE)
    args = ap.parse_args()
    if not args.sample.is_file():
        print(f"skipped: sample not found at {args.sample} (mount ../shared/samples to run this benchmark)")
        return 0
    raw = args.sample.read_bytes()
    text = raw.decode("utf-8")
    ref = reference_body_text(raw)

    ours_ms = median_ms(lambda: extract(raw), args.runs, args.warmup)
    ours_f1 = char_f1(article_body_text(extract(raw)), ref)
    print(f"sample: {args.sample.name} ({len(raw) / 1024:.0f} KiB), reference {len(ref)} chars, "
          f"{args.warmup} warm-up runs each")
    print(f"capture.extract   median {ours_ms:7.2f} ms/page   body char F1 {ours_f1:.4f}   ({args.runs} runs)")
    fast = ours_ms <= TARGET_MS
    print(f"  target median <= {TARGET_MS:g} ms: {'met' if fast else 'NOT met'}")
    print(f"  target body char F1 == 1.0: {'met' if ours_f1 == 1.0 else 'NOT met'}")
    try:
        import trafilatura
    except ImportError:
        print("trafilatura not installed: pip install 'netease-capture[bench]' to compare")
        return 0
    traf_ms = median_ms(lambda: trafilatura.extract(text), args.traf_runs, max(1, args.warmup // 3))
    traf_f1 = char_f1(trafilatura.extract(text) or "", ref)
    print(f"trafilatura       median {traf_ms:7.2f} ms/page   body char F1 {traf_f1:.4f}   ({args.traf_runs} runs)")
    ratio = traf_ms / ours_ms
    print(f"speed-up          {ratio:.1f}x")
    print(f"  target >= {TARGET_SPEEDUP:g}x faster than trafilatura: {'met' if ratio >= TARGET_SPEEDUP else 'NOT met'}")
    print(f"  target more accurate than trafilatura: {'met' if ours_f1 > traf_f1 else 'NOT met'}")
    ok = fast and ratio >= TARGET_SPEEDUP and ours_f1 == 1.0 and ours_f1 > traf_f1
    print(f"all targets: {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
