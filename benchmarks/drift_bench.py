"""The drift benchmark: random drifts of each family, detected, repaired and verified, in process.

Run: ``.venv/bin/python benchmarks/drift_bench.py [--quick] [--per-family N] [--reloads N]``.

Pages: every replica article (``capture.replica.pages()``, rendered in process, normal mode) and the two
real samples in ../shared/samples/netease when present (read in place, never copied). For each family of
``capture.replica.drift_families.FAMILIES`` it draws N drifts with random parameters (seeded: the run is
deterministic), each on the next page of the pool, and for each:

* **detection** — the golden (the page's own masked extraction and skeleton) against the drifted page's,
  classified by ``capture.compare.classify`` as a check does (text and aria views are the browser's and are
  left out): layout / content / nothing (volatile);
* **repair** — ``capture.repair.propose`` with the undrifted page as the golden's page; a repair counts as
  verified when its overlay leaves no extraction difference from the golden on the drifted page (a time
  shown coarser and equal at that precision, and share buttons whose classes carry the build hash, are the
  same value) and the golden's page reads as before;
* **wrong** — a verified repair whose overlay, on a held-out variant (the same drift, same parameters, on
  the next page of the pool), reads something other than that page's golden; any verified repair of a
  content change is wrong too.

Then N churned reloads (``capture.replica.churn`` on replica pages, ``capture.testing.churn_sample`` on the
samples) must raise no alarm. Prints per-family figures, precision and recall per class, and the misses.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from capture.compare import GoldenViews, classify  # noqa: E402
from capture.errors import CaptureError  # noqa: E402
from capture.extract.decode import to_text  # noqa: E402
from capture.fingerprint import skeleton  # noqa: E402
from capture.repair import Case, masked, propose  # noqa: E402
from capture.repair.evidence import published_precision  # noqa: E402
from capture.repair.read import differing  # noqa: E402
from capture.repair.site import PACKAGE  # noqa: E402
from capture.replica import pages, render  # noqa: E402
from capture.replica.churn import churn_html  # noqa: E402
from capture.replica.drift_families import FAMILIES  # noqa: E402
from capture.sites import Site  # noqa: E402
from capture.testing import SAMPLE_URLS, SAMPLES, churn_sample  # noqa: E402

CLASSES = ("layout", "content", "volatile")


@dataclass
class PoolPage:
    label: str
    url: str
    html: str
    kind: str  # "dy" | "news" (replica churn) or "sample"
    golden: dict[str, Any] = field(default_factory=dict)
    skeleton: dict[str, list[str]] = field(default_factory=dict)


def pool() -> list[PoolPage]:
    out = [PoolPage(f"replica:{p.id}", p.live_url, render(p), p.kind) for p in pages()]
    for name, url in sorted(SAMPLE_URLS.items()):
        path = SAMPLES / name
        if path.is_file():  # third-party data: read in place
            out.append(PoolPage(f"sample:{name.split('_')[1]}", url, to_text(path.read_bytes()), "sample"))
        else:
            print(f"(sample {path} not available: left out of the pool)", flush=True)
    site = PACKAGE.site()
    for p in out:
        p.golden = masked(p.html.encode(), p.url, "normal", None, PACKAGE)
        p.skeleton = skeleton(p.html, "normal", site=site)
    return out


def detect(page: PoolPage, html: str) -> str:
    """What a check would say of ``html`` against ``page``'s goldens: layout, content or volatile."""
    site = PACKAGE.site()
    try:
        data = masked(html.encode(), page.url, "normal", None, PACKAGE)
    except CaptureError:
        return "layout"  # a check reports an extraction that fails as layout-changed
    skel = skeleton(html, "normal", site=site)
    diffs = classify(GoldenViews(page.golden, page.skeleton, "", "", {}), GoldenViews(data, skel, "", "", {}))
    diffs = [d for d in diffs if d.fails and d.region != "a11y"]
    if any(d.cls == "layout-changed" for d in diffs):
        return "layout"
    return "content" if any(d.cls == "content-changed" for d in diffs) else "volatile"


def broken(page: PoolPage, html: str, site: Site) -> list[str] | None:
    """Extraction keys of ``html`` with ``site`` unlike ``page``'s golden (as a repair compares them);
    None when the extraction fails."""
    try:
        data = masked(html.encode(), page.url, "normal", None, site)
    except CaptureError:
        return None
    prec = published_precision(html.encode(), site, data.get("generation")) \
        if data.get("published") != page.golden.get("published") else ""
    return differing(page.golden, data, prec)


@dataclass
class Outcome:
    family: str
    page: str
    params: dict[str, Any]
    truth: str
    detected: str
    breaking: bool
    status: str = ""
    verified: bool = False
    wrong: str = ""
    held: str = ""
    why: str = ""


def run_family(name: str, n: int, the_pool: list[PoolPage]) -> list[Outcome]:
    fam = FAMILIES[name]
    out: list[Outcome] = []
    i = 0
    while len(out) < n and i < n * 4:
        page = the_pool[i % len(the_pool)]
        # Held out: the next page of the pool read by the same generation (the overlay fixes that one).
        same = [p for p in the_pool if p.golden.get("generation") == page.golden.get("generation")]
        held = same[(same.index(page) + 1) % len(same)]
        rng = random.Random(f"{name}-{i}")
        i += 1
        params = fam.draw(page.html, rng)
        new = fam.apply(page.html, params)
        if new == page.html:
            continue  # the drift does not apply to this page
        b = broken(page, new, PACKAGE.site())
        o = Outcome(name, page.label, params, fam.kind, detect(page, new), b is None or bool(b))
        out.append(o)
        if not o.breaking:
            o.why = "extraction unchanged (only the fingerprint changed)"
            continue
        case = Case(page.label, "normal", page.url, new.encode(), None, page.golden,
                    [("the golden's page", page.html.encode(), page.url, None)])
        r = propose(case, PACKAGE)
        o.status = r.status
        o.verified = r.verified and r.status == "repaired"
        if o.verified and o.detected == "content":
            o.detected = "layout"  # check + repair: a verified selector repair says the change is layout
            o.why = "the check alone said content"
        if not o.verified:
            o.why = "; ".join(r.reasons[:2]) or r.status
            continue
        if fam.kind == "content":
            o.wrong = "a content change was repaired"
            continue
        site = PACKAGE.plus(r.addition()).site()
        held_new = fam.apply(held.html, params)
        if held_new == held.html:
            o.held = "n/a"
            continue
        o.held = held.label
        for label, html in (("drifted", held_new), ("unchanged", held.html)):
            b = broken(held, html, site)
            if b is None or b:
                o.wrong = f"held-out {held.label} ({label}) reads {'an error' if b is None else ', '.join(b)}"
                break
    return out


def churn(reloads: int, the_pool: list[PoolPage]) -> list[Outcome]:
    out = []
    for i in range(reloads):
        page = the_pool[i % len(the_pool)]
        if page.kind == "sample":
            html = churn_sample(page.html, random.Random(f"churn-{i}"))
        else:
            html = churn_html(page.html, page.kind, "normal", seed=i + 1)
        out.append(Outcome("churn", page.label, {"seed": i}, "volatile", detect(page, html), False))
    return out


def figures(outcomes: list[Outcome]) -> dict[str, Any]:
    """Everything the floor test asserts, from the outcomes."""
    by_class = {}
    for c in CLASSES:
        tp = sum(o.truth == c and o.detected == c for o in outcomes)
        predicted = sum(o.detected == c for o in outcomes)
        actual = sum(o.truth == c for o in outcomes)
        by_class[c] = (tp / predicted if predicted else 1.0, tp / actual if actual else 1.0, predicted, actual)
    layout_breaking = [o for o in outcomes if o.truth == "layout" and o.breaking]
    return {
        "classes": by_class,
        "false_alarms": sum(o.family == "churn" and o.detected != "volatile" for o in outcomes),
        "reloads": sum(o.family == "churn" for o in outcomes),
        "breaking": len(layout_breaking),
        "proposed": sum(bool(o.status) and o.status not in ("content", "unrepaired", "nothing-broken")
                        for o in outcomes),
        "verified": sum(o.verified for o in layout_breaking),
        "wrong": sum(bool(o.wrong) for o in outcomes),
        "content_repaired": sum(o.truth == "content" and o.verified for o in outcomes),
    }


def run(per_family: int, reloads: int, families: tuple[str, ...] = tuple(FAMILIES)) -> tuple[list[Outcome], dict]:
    the_pool = pool()
    outcomes: list[Outcome] = []
    for name in families:
        outcomes += run_family(name, per_family, the_pool)
    outcomes += churn(reloads, the_pool)
    return outcomes, figures(outcomes)


def report(outcomes: list[Outcome], fig: dict[str, Any]) -> str:
    lines = [f"{'family':<16} {'drifts':>6} {'breaking':>8} {'det.layout':>10} {'det.content':>11} "
             f"{'proposed':>8} {'verified':>8} {'wrong':>5} {'held-out':>8}"]
    fams = list(dict.fromkeys(o.family for o in outcomes))
    for f in fams:
        rows = [o for o in outcomes if o.family == f]
        lines.append(f"{f:<16} {len(rows):>6} {sum(o.breaking for o in rows):>8} "
                     f"{sum(o.detected == 'layout' for o in rows):>10} {sum(o.detected == 'content' for o in rows):>11} "
                     f"{sum(bool(o.status) and o.status not in ('content', 'unrepaired', 'nothing-broken') for o in rows):>8} "
                     f"{sum(o.verified for o in rows):>8} {sum(bool(o.wrong) for o in rows):>5} "
                     f"{sum(bool(o.held) and o.held != 'n/a' for o in rows):>8}")
    lines.append("")
    lines.append(f"{'class':<10} {'precision':>9} {'recall':>7} {'detected':>8} {'actual':>7}")
    for c, (p, r, pred, act) in fig["classes"].items():
        lines.append(f"{c:<10} {p:>9.3f} {r:>7.3f} {pred:>8} {act:>7}")
    lines.append("")
    b = fig["breaking"]
    lines.append(f"false alarms over {fig['reloads']} churned reloads: {fig['false_alarms']}")
    lines.append(f"extraction-breaking layout drifts: {b}; repairs proposed {fig['proposed']}, verified "
                 f"{fig['verified']} ({fig['verified'] / b if b else 1:.1%}), wrong {fig['wrong']}; content changes "
                 f"repaired {fig['content_repaired']}")
    relabelled = sum(o.why == "the check alone said content" for o in outcomes)
    lines.append(f"detection is the check's classification, then the repair's: {relabelled} drift(s) the check "
                 "alone classed as content were verified layout repairs")
    misses = [o for o in outcomes if (o.truth == "layout" and o.breaking and not o.verified) or o.wrong
              or o.detected != o.truth]
    if misses:
        lines.append("")
        lines.append("misses:")
        why: dict[str, Counter] = defaultdict(Counter)
        for o in misses:
            kind = ("wrong: " + o.wrong) if o.wrong else (
                f"detected {o.detected}, is {o.truth}" if o.detected != o.truth else f"{o.status}: {o.why}")
            why[o.family][kind[:160]] += 1
        for f, counter in why.items():
            for k, v in counter.most_common():
                lines.append(f"  {f:<16} x{v:<3} {k}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run (6 per family, 20 reloads): the CI floor")
    parser.add_argument("--per-family", type=int, default=None, help="drifts per family (default 30)")
    parser.add_argument("--reloads", type=int, default=None, help="churned reloads (default 100)")
    parser.add_argument("--family", action="append", choices=sorted(FAMILIES), help="only these families")
    args = parser.parse_args(argv)
    n = args.per_family or (6 if args.quick else 30)
    reloads = args.reloads if args.reloads is not None else (20 if args.quick else 100)
    start = time.monotonic()
    outcomes, fig = run(n, reloads, tuple(args.family or FAMILIES))
    print(report(outcomes, fig))
    print(f"({time.monotonic() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
