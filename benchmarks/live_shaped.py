"""Live-shaped pages: a capture of each real sample, on loopback at its real URL, against a replica page of its size.

Run: ``.venv/bin/python benchmarks/live_shaped.py [--repeat N]``. Each file in ``../shared/samples`` is
served on 127.0.0.1 at the path of its real URL, its 关怀版 (the same page in a markup no table knows,
:func:`capture.testing.scramble_markup`) at the URL its own ``body@aria-url`` names, and every host the
site table allows answered by the same stand-in (:class:`capture.testing.StandIn`: small CSS, JS and
images by extension), the rest of NetEase's hosts blocked, no DNS (as ``benchmarks/replica_vs_samples.py``
serves them). The harness captures both modes (jobs 1); so does it for the replica article whose
normal page is nearest in bytes, on the replica. Prints seconds per page×mode and the steps of each,
best of ``--repeat``; the target: a sample costs no more than its replica twin. Without the samples
folder it says so and stops (the samples are third-party data, never copied into the project).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(1, str(HERE))

from replica_vs_samples import ALLOWED, BLOCK_REST, SAMPLE_URLS  # noqa: E402
from served import replica_options  # noqa: E402

from capture.browser import NO_DNS_ARG, BrowserSettings  # noqa: E402
from capture.bundle import read_bundle  # noqa: E402
from capture.recorder import RecordOptions, record  # noqa: E402
from capture.replica import ReplicaServer, pages, render  # noqa: E402
from capture.targets import Target  # noqa: E402
from capture.testing import SAMPLES, StandIn, scramble_markup  # noqa: E402

#: A sample's capture may cost at most this many times its replica twin's.
TARGET_RATIO = 1.0


class Sample:
    """One real sample on loopback: its page and 关怀版 at their real paths, every allowed host mapped."""

    def __init__(self, name: str) -> None:
        self.name, self.url = name, SAMPLE_URLS[name]
        self.html = (SAMPLES / name).read_bytes()
        aria = re.search(rb'aria-url="([^"]+)"', self.html)
        self.care_url = aria.group(1).decode() if aria else self.url
        self.server = StandIn("www.163.com", {urlsplit(self.url).path: self.html,
                                              urlsplit(self.care_url).path: scramble_markup(self.html.decode()).encode()})
        self.target = Target(urlsplit(self.url).path.rsplit("/", 1)[-1].removesuffix(".html"), self.url)

    def options(self, **kw: Any) -> RecordOptions:
        settings = BrowserSettings(host_map=tuple((h, self.server.origin) for h in ALLOWED),
                                   extra_blocked_hosts=BLOCK_REST, extra_args=(NO_DNS_ARG,))
        return RecordOptions(settings=settings, **{"jobs": 1, "retries": 2, **kw})

    def stop(self) -> None:
        self.server.stop()


def twin(size: int) -> Target:
    """The replica article whose normal page is nearest ``size`` bytes."""
    best = min(pages(), key=lambda p: abs(len(render(p, "normal").encode()) - size))
    return Target(best.id, best.live_url)


def capture_cost(target: Target, opts: RecordOptions, repeat: int) -> dict[str, dict[str, float]]:
    """``{mode: {"s": best seconds, step: ms of that run}}`` of the harness capturing ``target``."""
    best: dict[str, dict[str, float]] = {}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="bench-live-shaped-") as tmp:
            for o in record([target], Path(tmp), opts):
                if o.status != "ok" or o.path is None:
                    raise SystemExit(f"live_shaped: capture of {target.url} ({o.mode}) failed: {o.reason}")
                if o.mode not in best or o.seconds < best[o.mode]["s"]:
                    best[o.mode] = {"s": o.seconds, **read_bundle(o.path).meta.timings_ms}
    return best


def available() -> list[str]:
    """The samples present beside the checkout."""
    return [n for n in SAMPLE_URLS if (SAMPLES / n).is_file()]


def measure(repeat: int = 2) -> list[dict[str, Any]]:
    """One row per sample: its size, its cost, its replica twin and the twin's cost."""
    rows = []
    for name in available():
        sample = Sample(name)
        try:
            cost = capture_cost(sample.target, sample.options(), repeat)
        finally:
            sample.stop()
        other = twin(len(sample.html))
        with ReplicaServer() as srv:
            twin_cost = capture_cost(other, replica_options(srv.base_url, jobs=1), repeat)
        rows.append({"sample": name, "bytes": len(sample.html), "cost": cost, "twin": other.id,
                     "twin_bytes": len(render(next(p for p in pages() if p.id == other.id), "normal").encode()),
                     "twin_cost": twin_cost})
    return rows


STEPS = ("goto", "ready", "care_goto", "care_ready", "collect", "a11y", "screenshot")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=2, help="captures of each; the best is kept (default 2)")
    args = ap.parse_args()
    if not available():
        print(f"live_shaped: skipped, no real samples at {SAMPLES} (the shared samples folder is not mounted)")
        return 0
    for row in measure(args.repeat):
        print(f"{row['sample']} ({row['bytes'] // 1024} KB) vs replica {row['twin']} ({row['twin_bytes'] // 1024} KB)")
        for mode in ("normal", "care"):
            s, r = row["cost"][mode], row["twin_cost"][mode]
            print(f"  {mode:6s} sample {s['s']:5.2f} s  replica {r['s']:5.2f} s  ratio {s['s'] / r['s']:.2f}"
                  f" (target <= {TARGET_RATIO:g})")
            print("         steps ms, sample / replica: " + "  ".join(
                f"{k} {s[k]:.0f}/{r[k]:.0f}" for k in STEPS if k in s and k in r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
