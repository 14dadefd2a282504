"""The replica beside the two real samples: bytes, elements per region and requests per host category.

Run: ``.venv/bin/python benchmarks/replica_vs_samples.py [--pages ID,ID] [--no-browser]``. For the issue note
(issue 13, item 1), so the figures say how close the replica's pages come to the real ones:

* bytes and elements per region (:data:`capture.replica.shape.REGIONS`) of each page as served (the
  replica's HTML; the samples' files: the 2025 one is the raw page, the 2024 one a DOM after scripts);
* requests per host category (:data:`capture.replica.shape.HOST_CATEGORIES`) of one capture of each: the
  replica with ``--replica`` (its own server answers every host it knows, the policy blocks ads and
  trackers), each sample served on 127.0.0.1 at its real URL with every host the site table allows mapped
  to a stand-in (``--map-host``), as tests/test_hosts.py captures them. "answered" counts HAR entries,
  "blocked" the hosts the policy blocked (meta.json ``blocked_hosts``).

Nothing leaves 127.0.0.1: every host is mapped or blocked and Chromium resolves no name but 127.0.0.1.
The samples are third-party data outside the project (../shared/samples); without them only the
replica's column is printed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from capture.browser import NO_DNS_ARG, BrowserSettings  # noqa: E402
from capture.bundle import read_bundle  # noqa: E402
from capture.recorder import RecordOptions, record  # noqa: E402
from capture.replica import ReplicaServer, pages, render  # noqa: E402
from capture.replica.shape import REGIONS, figures, requests_by_category  # noqa: E402
from capture.sites import default_site  # noqa: E402
from capture.targets import Target  # noqa: E402
from capture.testing import ROOT, StandIn  # noqa: E402

SAMPLES = ROOT.parent / "shared" / "samples" / "netease"
#: sample file -> the live URL it was saved from (it is served at that path).
SAMPLE_URLS = {
    "nanmicoder_2025_news_KC12OUHK000189FH_raw.html": "https://www.163.com/news/article/KC12OUHK000189FH.html",
    "magichtml_2024_dy_J22CN60P0514R9KQ_dom.html": "https://www.163.com/dy/article/J22CN60P0514R9KQ.html",
}
#: The hosts a sample's stand-in answers: every host the site table allows by name.
ALLOWED = tuple(r.pattern for r in default_site().host_rules if r.decision == "allow" and not r.pattern.startswith("*."))
#: With the allowed hosts mapped, the rest of NetEase's domains are blocked (a mapped host still wins).
BLOCK_REST = ("*.163.com", "*.126.net", "*.127.net", "*.netstatic.net")


@contextmanager
def stand_in(page_path: str, page: bytes) -> Iterator[str]:
    """One origin on 127.0.0.1 answering every mapped host (capture.testing.StandIn): the page at its
    path, a tiny stylesheet, script or image by extension for the asset hosts, else 404."""
    server = StandIn("www.163.com", {page_path: page})
    try:
        yield server.origin
    finally:
        server.stop()


def requests_of(target: Target, opts: RecordOptions) -> dict[str, dict[str, int]]:
    """One normal capture's requests per host category: answered (HAR entries) and blocked hosts."""
    with tempfile.TemporaryDirectory() as tmp:
        (outcome,) = record([target], Path(tmp), opts)
        if outcome.status != "ok":
            raise SystemExit(f"capture of {target.url} failed: {outcome.reason}")
        got = read_bundle(outcome.path)
        entries = json.loads(got.har.read_text(encoding="utf-8"))["log"]["entries"]
        return {"answered": requests_by_category(urlsplit(e["request"]["url"]).hostname or "" for e in entries
                                                 if e["response"]["status"] > 0),
                "blocked hosts": requests_by_category(got.meta.blocked_hosts)}


def sample_requests(name: str, data: bytes) -> dict[str, dict[str, int]]:
    url = SAMPLE_URLS[name]
    with stand_in(urlsplit(url).path, data) as origin:
        settings = BrowserSettings(host_map=tuple((h, origin) for h in ALLOWED), extra_blocked_hosts=BLOCK_REST,
                                   extra_args=(NO_DNS_ARG,), navigation_timeout_ms=40_000)
        opts = RecordOptions(modes=("normal",), jobs=1, retries=2, ready_timeout_ms=1_500, settings=settings)
        return requests_of(Target(name.split("_")[2] + "-" + name.split("_")[1], url), opts)


def table(columns: dict[str, dict[str, Any]], rows: list[str]) -> str:
    """A plain text table: one row per figure, one column per page."""
    names = list(columns)
    width = max(len(r) for r in rows) + 2
    cols = [max(len(n), 8) + 2 for n in names]
    out = ["".ljust(width) + "".join(n.rjust(c) for n, c in zip(names, cols, strict=True))]
    for row in rows:
        out.append(row.ljust(width) + "".join(str(columns[n].get(row, "-")).rjust(c)
                                              for n, c in zip(names, cols, strict=True)))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default="", help="replica ids to show (default: every replica page)")
    parser.add_argument("--no-browser", action="store_true", help="only the served-HTML figures (no captures)")
    args = parser.parse_args(argv)
    wanted = {p for p in args.pages.split(",") if p}
    chosen = [p for p in pages() if not wanted or p.id in wanted]
    if wanted - {p.id for p in chosen}:
        print(f"replica_vs_samples: error: no replica page {sorted(wanted - {p.id for p in chosen})}", file=sys.stderr)
        return 2
    samples = {n: (SAMPLES / n).read_bytes() for n in SAMPLE_URLS if (SAMPLES / n).is_file()}
    if not samples:
        print(f"(no real samples at {SAMPLES}: the replica's figures only)")

    shape: dict[str, dict[str, Any]] = {n.split("_")[1] + "-" + n.split("_")[2]: figures(d) for n, d in samples.items()}
    shape.update({p.id: figures(render(p, "normal")) for p in chosen})
    shape.update({f"{p.id}-care": {"bytes": len(render(p, "care").encode())} for p in chosen})
    print("Page bytes and elements per region (as served; the 2024 sample is a DOM after scripts)\n")
    print(table(shape, ["bytes", *(name for name, _sel in REGIONS)]))
    if args.no_browser:
        return 0

    print("\nRequests per host category, one normal capture each (answered = HAR entries; blocked = hosts)\n")
    reqs: dict[str, dict[str, Any]] = {}
    for name, data in samples.items():
        got = sample_requests(name, data)
        reqs[name.split("_")[1] + "-" + name.split("_")[2]] = {
            f"{k}: {cat}": n for k, cats in got.items() for cat, n in cats.items()}
    with ReplicaServer() as srv:
        for p in chosen:
            got = requests_of(Target(p.id, p.live_url),
                              RecordOptions(replica=True, base_url=srv.base_url, modes=("normal",), retries=1))
            reqs[p.id] = {f"{k}: {cat}": n for k, cats in got.items() for cat, n in cats.items()}
    rows = sorted({r for col in reqs.values() for r in col}, key=lambda r: (not r.startswith("answered"), r))
    print(table(reqs, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
