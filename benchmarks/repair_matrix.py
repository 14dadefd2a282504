"""The repair matrix: every layout drift of the replica's self-test, checked, then repaired.

Run: ``.venv/bin/python benchmarks/repair_matrix.py [--samples] [NAME ...]`` (default: every layout
drift of ``capture.replica.drift.DRIFTS`` on the seed page). For each drift and mode it applies to, the
page is checked against its goldens (the repo's replica goldens; for ``--samples``, goldens made from a
first capture of each real sample in ../shared/samples, served on 127.0.0.1 with the drift applied), then
``capture repair``'s proposal is computed (nothing is written) and one row printed: drift, page, mode,
the extraction fields broken, repaired yes/no, and the selectors proposed (or why none). Prints only.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from capture.check import run_check, write_goldens  # noqa: E402

from capture.bundle import read_bundle  # noqa: E402
from capture.recorder import RecordOptions, record  # noqa: E402
from capture.repair import PageRepair, run_repair  # noqa: E402
from capture.replica import DRIFTS, ReplicaServer, seed_page  # noqa: E402
from capture.replica import drift as drifts  # noqa: E402
from capture.targets import MODES, Target  # noqa: E402
from capture.testing import SAMPLE_URLS, SAMPLES, SampleSite  # noqa: E402

REPO_GOLDENS = Path(__file__).resolve().parents[1] / "snapshots" / "replica"
LAYOUT = sorted(n for n, d in DRIFTS.items() if d.kind == "layout" and d.target == "html")


def row(name: str, page: str, p: PageRepair) -> str:
    repaired = "yes" if p.status == "repaired" else "n/a" if p.status == "nothing-broken" else "no"
    proposed = "; ".join(f"{r.key} = {r.selector}" for r in p.repairs) if p.repairs else (
        p.reasons[0] if p.reasons else "extraction matches: only the fingerprint changed")
    broken = ", ".join(p.broken) or "-"
    return f"{name:<21} {page:<10} {p.mode:<6} {broken:<28} {repaired:<8} {proposed}"


def header() -> str:
    return f"{'drift':<21} {'page':<10} {'mode':<6} {'fields broken':<28} {'repaired':<8} selector proposed (or why none)"


def replica(names: list[str], tmp: Path) -> list[str]:
    page = seed_page()
    target = Target(page.id, page.live_url)
    rows = []
    for name in names:
        snaps = tmp / f"replica-{name}"
        shutil.copytree(REPO_GOLDENS, snaps / "replica")
        modes = tuple(m for m in MODES if DRIFTS[name].applies(m))
        with ReplicaServer(drift=name) as server:
            report = run_check([target], snaps, RecordOptions(replica=True, base_url=server.base_url, modes=modes,
                                                             retries=1), target_set="replica")
        run = run_repair(report, snaps, snaps / "netease.toml")
        done = {(p.id, p.mode) for p in run.pages}
        for p in run.pages:
            rows.append(row(name, "replica", p))
        for r in report.results:
            if (r.id, r.mode) not in done:
                rows.append(f"{name:<21} {'replica':<10} {r.mode:<6} {'-':<28} {'n/a':<8} "
                            f"{'check passed' if not r.fails else 'no new capture or golden'}")
        print(rows[-1] if rows else "", flush=True)
    return rows


def samples(names: list[str], tmp: Path) -> list[str]:
    rows = []
    for sample, label in zip(sorted(SAMPLE_URLS), ("2024-dy", "2025-news"), strict=True):
        if not (SAMPLES / sample).is_file():
            rows.append(f"(sample {SAMPLES / sample} not available: skipped)")
            continue
        site = SampleSite(sample)
        try:
            snaps = tmp / f"sample-{label}"
            opts = RecordOptions(**{**site.options().__dict__, "modes": ("normal",)})
            (outcome,) = record([site.target], snaps, opts)
            write_goldens(read_bundle(outcome.path), snaps, "live")
            for name in names:
                if not DRIFTS[name].applies("normal"):
                    continue
                drifted = drifts.apply(name, "normal", site.html)
                if drifted == site.html:
                    rows.append(f"{name:<21} {label:<10} {'normal':<6} {'-':<28} {'n/a':<8} the drift does not apply to this page")
                    print(rows[-1], flush=True)
                    continue
                site.serve(drifted)
                report = run_check([site.target], snaps, opts, target_set="live")
                run = run_repair(report, snaps, snaps / "netease.toml")
                rows += [row(name, label, p) for p in run.pages] or [
                    f"{name:<21} {label:<10} {'normal':<6} {'-':<28} {'n/a':<8} check passed"]
                print(rows[-1], flush=True)
                site.serve(site.html)
        finally:
            site.stop()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="layout drifts to run (default: all)")
    parser.add_argument("--samples", action="store_true", help="also the two real samples in ../shared/samples")
    args = parser.parse_args(argv)
    names = args.names or LAYOUT
    unknown = [n for n in names if n not in LAYOUT]
    if unknown:
        print(f"unknown layout drift(s) {', '.join(unknown)}: choose from {', '.join(LAYOUT)}", file=sys.stderr)
        return 2
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="repair-matrix-") as tmp:
        rows = replica(names, Path(tmp))
        if args.samples:
            rows += samples(names, Path(tmp))
    print()
    print(header())
    for r in rows:
        print(r)
    print(f"({time.monotonic() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
