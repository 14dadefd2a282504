"""Speed and body accuracy of ``capture.extract`` against trafilatura on the real 2024 sample.

Run: ``.venv/bin/python benchmarks/extract.py [--runs N]``. Prints the median ms per page of both,
their ratio, and each one's body-text character F1 against the independent reference
(``capture.extract.accuracy.reference_body_text``). Targets: ≤ 5 ms, ≥ 20× faster, more accurate.
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


def median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm up (imports, caches)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--sample", type=Path, default=SAMPLE)
    args = ap.parse_args()
    if not args.sample.is_file():
        print(f"skipped: sample not found at {args.sample} (mount ../shared/samples to run this benchmark)")
        return 0
    raw = args.sample.read_bytes()
    text = raw.decode("utf-8")
    ref = reference_body_text(raw)

    ours_ms = median_ms(lambda: extract(raw), args.runs)
    ours_f1 = char_f1(article_body_text(extract(raw)), ref)
    print(f"sample: {args.sample.name} ({len(raw) / 1024:.0f} KiB), {args.runs} runs, reference {len(ref)} chars")
    print(f"capture.extract   median {ours_ms:7.2f} ms/page   body char F1 {ours_f1:.4f}")
    try:
        import trafilatura
    except ImportError:
        print("trafilatura not installed: pip install 'netease-capture[bench]' to compare")
        return 0
    traf_runs = max(5, args.runs // 5)
    traf_ms = median_ms(lambda: trafilatura.extract(text), traf_runs)
    traf_f1 = char_f1(trafilatura.extract(text) or "", ref)
    print(f"trafilatura       median {traf_ms:7.2f} ms/page   body char F1 {traf_f1:.4f}   ({traf_runs} runs)")
    ratio = traf_ms / ours_ms
    print(f"speed-up          {ratio:.1f}x")
    ok = ours_ms <= 5 and ratio >= 20 and ours_f1 > traf_f1
    print(f"targets (<=5 ms, >=20x, more accurate): {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
