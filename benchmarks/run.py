"""All benchmarks in one table: capture speed against the floor and a naive script, live-shaped pages,
the page's own costs, extraction, suite growth, memory and scale.

Run: ``.venv/bin/python benchmarks/run.py [--quick]``. Reuses ``benchmarks/capture.py`` (with
``floor.py``), ``live_shaped.py``, ``page_cost.py``, ``extract.py``, ``suite_growth.py`` and
``scale.py`` (see each for what is measured). Wall-time figures depend on the machine and its load;
compare runs made on one machine. ``--quick``: one capture of each live-shaped page, no page-cost
rows, fewer extraction runs, suite sizes 8 and 16 only, and a 50-article scale run instead of 200.
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
    floor_rate, floor_mb, floor_pss = res["floor"]
    top = max(jobs_list)
    for jobs, (rate, _mb, _pss) in res["harness"].items():
        rows.append(("Capture", f"harness jobs {jobs} (pages×modes/s)", f"{rate:.2f}  ({rate / naive_rate:.1f}x naive)",
                     f">= {cap.TARGET_SPEEDUP:g}x naive" if jobs == top else ""))
    rows.append(("Capture", "naive script (pages×modes/s)", f"{naive_rate:.2f}", ""))
    rows.append(("Capture", f"floor, {cap.FLOOR_CONTEXTS} contexts (pages×modes/s)", f"{floor_rate:.2f}", ""))
    rows.append(("Capture", f"harness jobs {top} time / floor time", f"{floor_rate / res['harness'][top][0]:.2f}x",
                 f"<= {cap.TARGET_RATIO:g}x"))
    for mode, steps in res["steps"].items():
        rows.append(("Capture", f"{mode} capture steps, jobs {min(jobs_list)} (mean ms)",
                     " ".join(f"{k} {v:.0f}" for k, v in steps.items() if not k.endswith("_bound")), ""))

    live = _load("live_shaped")
    if live.available():
        for row in live.measure(1 if args.quick else 2):
            for mode in ("normal", "care"):
                got, twin = row["cost"][mode]["s"], row["twin_cost"][mode]["s"]
                rows.append(("Live-shaped", f"{row['sample'].split('_')[1]} {mode} / replica {row['twin']} (s)",
                             f"{got:.2f} / {twin:.2f}  ({got / twin:.2f}x)", f"<= {live.TARGET_RATIO:g}x"))
    else:
        rows.append(("Live-shaped", "samples", f"skipped: no real samples at {live.SAMPLES}", ""))

    if args.quick:
        rows.append(("Page", "HAR and resource types", "skipped in --quick: benchmarks/page_cost.py", ""))
    else:
        page = _load("page_cost")
        from capture.replica import ReplicaServer

        with ReplicaServer() as srv:
            pc = page.measure(page.replica_pages(srv.base_url, 2), 2)
        base = pc["cpu_ms"]["no HAR"]
        for variant in ("HAR embed", "HAR omit"):
            rows.append(("Page", f"{variant}, replica page (CPU ms per page, vs no HAR)",
                         f"{pc['cpu_ms'][variant]:.0f}  ({pc['cpu_ms'][variant] - base:+.0f})", ""))
        rows.append(("Page", "font / media requests, replica pages", f"{pc['types'].get('font', 0)} / "
                     f"{pc['types'].get('media', 0)} of {sum(pc['types'].values())}", ""))

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
    for n, sec in g["seconds"].items():
        rows.append(("Suite growth", f"test_goldens.py, {n} articles (s)", f"{sec:.1f}  (CPU {g['cpu'][n]:.1f})", ""))
    for a, b, slope, cpu in g["slopes"]:
        rows.append(("Suite growth", f"{a}->{b}: s per added article×mode", f"{slope:.2f}  (CPU {cpu:.2f})",
                     f"<= {growth.TARGET_S:g} s"))

    for jobs, (_rate, mb, pss) in res["harness"].items():
        rows.append(("Memory", f"peak RSS, harness jobs {jobs} (MB)", f"{mb:.0f}  (PSS {pss:.0f})",
                     f"<= {cap.TARGET_RSS_MB:.0f} MB" if jobs == max(jobs_list) else ""))
    rows.append(("Memory", "peak RSS, naive script (MB)", f"{naive_mb:.0f}  (PSS {naive_pss:.0f})", ""))
    rows.append(("Memory", "peak RSS, floor (MB)", f"{floor_mb:.0f}  (PSS {floor_pss:.0f})", ""))

    scale = _load("scale")
    articles = 50 if args.quick else 200
    for row in scale.measure(articles, 50, 4):
        rows.append(("Scale", f"articles {row['articles']:.0f}, jobs 4: s per capture / peak RSS (MB)",
                     f"{row['s_per_capture']:.2f} / {row['peak_rss_mb']:.0f}  (PSS {row['peak_pss_mb']:.0f})",
                     f"flat, <= {scale.TARGET_RSS_MB:.0f} MB"))

    widths = [max(len(r[i]) for r in rows + [("area", "measure", "value", "target")]) for i in range(4)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(line.format("area", "measure", "value", "target"))
    print(line.format(*("-" * w for w in widths)))
    for r in rows:
        print(line.format(*r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
