"""All benchmarks in one table: capture speed, extraction, suite growth, memory.

Run: ``.venv/bin/python benchmarks/run.py [--quick]``. Reuses ``benchmarks/capture.py``,
``benchmarks/extract.py`` and ``benchmarks/suite_growth.py`` (see each for what is measured). Wall-time
figures depend on the machine and its load; compare runs made on one machine. ``--quick``: fewer
extraction runs and suite sizes 8 and 16 only.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def _load(name: str) -> ModuleType:
    """A sibling benchmark as a module (by path: ``benchmarks/capture.py`` must not shadow the package)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", HERE / f"{name}.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--jobs", default="1,2,4")
    args = ap.parse_args()
    rows: list[tuple[str, str, str, str]] = []  # (area, measure, value, target)

    cap = _load("capture")
    jobs_list = tuple(int(j) for j in args.jobs.split(","))
    res = cap.measure(jobs_list)
    naive_rate, naive_mb, naive_pss = res["naive"]
    for jobs, (rate, _mb, _pss) in res["harness"].items():
        rows.append(("Capture", f"harness jobs {jobs} (pages×modes/s)", f"{rate:.2f}  ({rate / naive_rate:.1f}x naive)",
                     f">= {cap.TARGET_SPEEDUP:g}x naive" if jobs == max(jobs_list) else ""))
    rows.append(("Capture", "naive script (pages×modes/s)", f"{naive_rate:.2f}", ""))

    ext = _load("extract")
    if ext.SAMPLE.is_file():
        raw = ext.SAMPLE.read_bytes()
        runs, traf_runs = (50, 10) if args.quick else (200, 30)
        ms = ext.measure(raw, runs, traf_runs)  # alternating blocks, as benchmarks/extract.py prints it
        ours = ms["ours"]
        rows.append(("Extraction", "capture.extract (ms/page, median)", f"{ours:.2f}", f"<= {ext.TARGET_MS:g} ms"))
        rows.append(("Extraction", "body char F1 (ours / trafilatura)",
                     f"{ms['ours_f1']:.4f} / " + (f"{ms['traf_f1']:.4f}" if ms["traf_f1"] is not None else "-"),
                     "= 1.0, > trafilatura"))
        if ms["traf"] is None:
            rows.append(("Extraction", "trafilatura", "not installed (pip install -e '.[bench]')", ""))
        else:
            traf = ms["traf"]
            rows.append(("Extraction", "trafilatura (ms/page, median)", f"{traf:.2f}  ({traf / ours:.1f}x slower)",
                         f">= {ext.TARGET_SPEEDUP:g}x slower"))
    else:
        rows.append(("Extraction", "sample", f"absent: {ext.SAMPLE}", ""))

    growth = _load("suite_growth")
    sizes = (8, 16) if args.quick else (8, 16, 32)
    g = growth.measure(sizes)
    for n, s in g["seconds"].items():
        rows.append(("Suite growth", f"test_goldens.py, {n} articles (s)", f"{s:.1f}", ""))
    for a, b, slope in g["slopes"]:
        rows.append(("Suite growth", f"{a}->{b}: s per added article×mode", f"{slope:.2f}", f"<= {growth.TARGET_S:g} s"))

    for jobs, (_rate, mb, pss) in res["harness"].items():
        rows.append(("Memory", f"peak RSS, harness jobs {jobs} (MB)", f"{mb:.0f}  (PSS {pss:.0f})",
                     f"<= {cap.TARGET_RSS_MB:.0f} MB" if jobs == max(jobs_list) else ""))
    rows.append(("Memory", "peak RSS, naive script (MB)", f"{naive_mb:.0f}  (PSS {naive_pss:.0f})", ""))

    widths = [max(len(r[i]) for r in rows + [("area", "measure", "value", "target")]) for i in range(4)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(line.format("area", "measure", "value", "target"))
    print(line.format(*("-" * w for w in widths)))
    for r in rows:
        print(line.format(*r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
