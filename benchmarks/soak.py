"""Soak: capture the replica many times with a share of requests faulted; nothing may be corrupted.

Run: ``.venv/bin/python benchmarks/soak.py [--captures 200] [--rate 0.1] [--seed 1] [--jobs 3]``
(not run in CI; needs ``psutil``, in the ``bench`` extra).

One recorder and one browser serve every round (pages × modes through ``Recorder.capture``, as
``capture record`` does: a page's 关怀版 is followed from its normal page; ``--force`` so each round
replaces the bundles of the last). The replica faults ``--rate`` of article-page requests, choosing the kind
pseudo-randomly but deterministically (:class:`capture.replica.faults.RandomFaults`). Reports captures
ok, failures by class, bundles corrupted (each stored bundle checked with ``bundle.is_complete`` and
``bundle.read_bundle`` after every round: must be 0), and the RSS of the Chromium process tree at the
start and the end.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil  # noqa: E402

from capture import bundle  # noqa: E402
from capture.browser import BrowserSettings  # noqa: E402
from capture.errors import CorruptFile  # noqa: E402
from capture.recorder import Recorder, RecordOptions  # noqa: E402
from capture.replica import ReplicaServer  # noqa: E402
from capture.replica import targets as replica_targets  # noqa: E402
from capture.replica.faults import RandomFaults  # noqa: E402
from capture.targets import MODES, Target  # noqa: E402

#: Fault kinds mixed in (hang and drip are left out: each costs a full timeout × retries).
KINDS = ("500", "503:1", "404", "reset", "truncate", "empty", "captcha", "flaky:1", "redirect:2",
         "gbk", "script-error", "charset-missing")


def chromium_rss_mb() -> float:
    """Resident memory of every Chromium process under this one, in MB."""
    total = 0
    for proc in psutil.Process().children(recursive=True):
        try:
            if "chrom" in proc.name().lower():
                total += proc.memory_info().rss
        except psutil.Error:
            continue
    return total / 2**20


def verify(snapshots: Path, targets: list[Target]) -> tuple[int, int]:
    """(bundles checked, bundles corrupted) among those present."""
    checked = corrupted = 0
    for t in targets:
        for mode in MODES:
            folder = bundle.bundle_dir(snapshots, t.id, mode)
            if not folder.exists():
                continue
            checked += 1
            try:
                if not bundle.is_complete(folder):
                    raise CorruptFile(f"{folder} incomplete")
                bundle.read_bundle(folder)
            except CorruptFile as exc:
                corrupted += 1
                print(f"  CORRUPT: {exc}", file=sys.stderr)
    leftovers = [c for d in bundle.captures_dir(snapshots).iterdir() for c in d.iterdir()
                 if c.name.startswith(".")]
    for c in leftovers:
        print(f"  LEFT OVER: {c}", file=sys.stderr)
    corrupted += len(leftovers)
    return checked, corrupted


async def soak(args: argparse.Namespace) -> int:

    targets = replica_targets()
    per_round = len(targets) * len(MODES)
    rounds = -(-args.captures // per_round)
    policy = RandomFaults(args.rate, KINDS, seed=args.seed)
    snapshots = Path(tempfile.mkdtemp(prefix="capture-soak-"))
    outcomes = []
    corrupted = checked = 0
    with ReplicaServer(fault=policy) as server:
        opts = RecordOptions(replica=True, base_url=server.base_url, jobs=args.jobs, force=True, retries=3, backoff_s=0.2,
                             ready_timeout_ms=8_000, settings=BrowserSettings(navigation_timeout_ms=20_000))
        rec = Recorder(snapshots, opts)
        t0 = time.monotonic()
        async with rec.started():
            rss_start = chromium_rss_mb()
            rss_peak = rss_start
            for r in range(rounds):
                left = -(-(args.captures - len(outcomes)) // len(MODES))
                outcomes += await rec.capture(targets[:left])
                c, bad = verify(snapshots, targets)
                checked += c
                corrupted += bad
                rss = chromium_rss_mb()
                rss_peak = max(rss_peak, rss)
                ok = sum(o.status == "ok" for o in outcomes)
                print(f"round {r + 1}/{rounds}: {len(outcomes)} captures, {ok} ok, "
                      f"{time.monotonic() - t0:.0f} s, chromium RSS {rss:.0f} MB", flush=True)
            rss_end = chromium_rss_mb()
        wall = time.monotonic() - t0
    shutil.rmtree(snapshots, ignore_errors=True)
    failures = collections.Counter(o.reason.split(":", 1)[0] for o in outcomes if o.status == "failed")
    retried = sum(o.attempts > 1 for o in outcomes if o.status == "ok")
    print()
    print(f"captures:            {len(outcomes)} in {wall:.0f} s ({rounds} rounds of {per_round}, jobs {args.jobs})")
    print(f"faulted requests:    {sum(policy.chosen.values())} of {policy.requests} article requests "
          f"({sum(policy.chosen.values()) / max(1, policy.requests):.1%}): "
          + ", ".join(f"{k} {v}" for k, v in sorted(policy.chosen.items())))
    print(f"captures ok:         {sum(o.status == 'ok' for o in outcomes)} ({retried} after a retry)")
    print("failures by class:   " + (", ".join(f"{k} {v}" for k, v in sorted(failures.items())) or "none"))
    print(f"bundles corrupted:   {corrupted} (of {checked} checks)")
    print(f"chromium RSS:        start {rss_start:.0f} MB, peak {rss_peak:.0f} MB, end {rss_end:.0f} MB")
    return 1 if corrupted else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--captures", type=int, default=200)
    ap.add_argument("--rate", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=3)
    return asyncio.run(soak(ap.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
