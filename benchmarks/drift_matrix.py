"""The drift self-test as a table: every replica drift, and what ``capture check`` caught for it.

Run: ``.venv/bin/python benchmarks/drift_matrix.py [NAME ...]`` (default: every drift in
``capture.replica.drift.DRIFTS``). For each drift, the seed page is checked against a copy of the repo's
replica goldens on a replica serving that drift, in the modes the drift applies to, and one row per
mode is printed: drift, kind, what was expected (class and region, or ``pass``), and every difference
the check classified (``unchanged`` when none), then how many layout drifts were caught. With
``--churn N`` it also checks the seed page N times against a churning replica (``ReplicaServer(churn=True)``,
no layout change) and counts false alarms: results that fail. Prints only, asserts nothing: the drift
tests in ``tests/test_check.py`` and ``tests/test_churn.py`` are the checks; this is for reading what they
see side by side.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from capture.check import run_check  # noqa: E402

from capture.recorder import RecordOptions  # noqa: E402
from capture.replica import DRIFTS, ReplicaServer, seed_page  # noqa: E402
from capture.report import PageResult  # noqa: E402
from capture.targets import MODES, Target  # noqa: E402

REPO_GOLDENS = Path(__file__).resolve().parents[1] / "snapshots" / "replica"


def caught(result: PageResult) -> str:
    """What the check said of one page and mode, on one line."""
    return "; ".join(f"{d.cls}{'' if d.fails else ' (passes)'} {d.region}: {d.reason}"
                     for d in result.differences) or result.status


def matrix(names: list[str], snapshots: Path) -> None:
    """Check the seed page under each drift and print a row per mode as soon as it is known."""
    page = seed_page()
    seed = Target(page.id, page.live_url)
    width = max(len(n) for n in names)
    layout = caught_layout = 0
    for name in names:
        drift = DRIFTS[name]
        expected = f"{drift.expect_class} {drift.expect_region}" if drift.expect_class else "pass"
        modes = tuple(m for m in MODES if drift.applies(m))
        with ReplicaServer(drift=name) as server:
            report = run_check([seed], snapshots, RecordOptions(replica=True, base_url=server.base_url, modes=modes, retries=1),
                               target_set="replica")
        for r in report.results:
            print(f"{name:<{width}}  {drift.kind:<8} {r.mode:<6}  expected {expected:<32}  caught {caught(r)}",
                  flush=True)
            if drift.expect_class == "layout-changed":
                layout += 1
                caught_layout += any(d.cls == "layout-changed" and d.fails for d in r.differences)
    print(f"layout drifts caught: {caught_layout} / {layout} (page × mode rows)", flush=True)


def false_alarms(reloads: int, snapshots: Path) -> None:
    """Check the seed page ``reloads`` times against a churning replica; every failing result is a false alarm."""
    page = seed_page()
    seed = Target(page.id, page.live_url)
    alarms = total = 0
    with ReplicaServer(churn=True) as server:
        for _ in range(reloads):
            report = run_check([seed], snapshots, RecordOptions(replica=True, base_url=server.base_url, modes=MODES, retries=1),
                               target_set="replica")
            for r in report.results:
                total += 1
                if r.fails:
                    alarms += 1
                    print(f"false alarm {r.mode}: {caught(r)}", flush=True)
    print(f"false alarms over {reloads} churned reloads: {alarms} / {total} (page × mode checks)", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="drifts to run (default: all)")
    parser.add_argument("--churn", type=int, default=0, metavar="N",
                        help="also count false alarms over N reloads of a churning replica (e.g. 20)")
    args = parser.parse_args(argv)
    names = args.names or sorted(DRIFTS, key=lambda n: (DRIFTS[n].kind, n))
    unknown = [n for n in names if n not in DRIFTS]
    if unknown:
        print(f"unknown drift(s) {', '.join(unknown)}: choose from {', '.join(sorted(DRIFTS))}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="drift-matrix-") as tmp:
        snapshots = Path(tmp)
        shutil.copytree(REPO_GOLDENS, snapshots / "replica")
        matrix(names, snapshots)
        if args.churn > 0:
            false_alarms(args.churn, snapshots)
    return 0


if __name__ == "__main__":
    sys.exit(main())
