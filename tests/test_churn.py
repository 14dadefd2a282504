"""Issue 13, item 6: a churning replica raises no alarm, and the churn-proof fingerprint still sees layout.

Offline (no browser): the views a golden keeps that the served HTML alone decides (masked extraction and
skeleton, as tests/test_drift_replica.py builds them) of 20 churned loads against the deterministic one;
the same edits applied to the real samples' own lists; one real ``capture check`` round through a
browser against a churning server.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

from capture.compare import GoldenViews, classify
from capture.errors import MissingField
from capture.extract import extract
from capture.fingerprint import skeleton
from capture.replica import ReplicaServer, handle, page_by_id, pages, seed_page
from capture.replica.churn import churn_html, churn_json
from capture.testing import ROOT, churn_sample
from capture.volatile import mask_article

RELOADS = 20
SAMPLES = ROOT.parent / "shared" / "samples" / "netease"


def views(html: str, mode: str) -> GoldenViews:
    data = mask_article(json.loads(extract(html, mode=mode).to_json()))
    return GoldenViews(extraction=data, skeleton=skeleton(html, mode), text="", aria="", a11y={})


def alarms(golden: GoldenViews, new: GoldenViews) -> list[str]:
    return [f"{d.cls} {d.region}: {d.reason}" for d in classify(golden, new) if d.fails and d.region != "a11y"]


def served(server: Any, path: str) -> str:
    resp = handle("GET", path, "", None, server)
    assert resp.status == 200, path
    return resp.body.decode("utf-8")


@pytest.fixture
def churning_replica() -> Any:
    """A churning replica server (seeded, so a failure reproduces)."""
    with ReplicaServer(churn=True, churn_seed=1000) as server:
        yield server


def test_deterministic_by_default_and_churn_changes_every_load() -> None:
    page = seed_page()
    assert handle("GET", page.path).body == handle("GET", page.path).body
    server = ReplicaServer(churn=True)
    loads = {served(server.churn, page.path) for _ in range(5)}
    assert len(loads) == 5
    one = loads.pop()
    assert "post_recommend_ad" in one or any("post_recommend_ad" in x for x in loads)
    assert re.search(r'class="ad_module _[0-9a-z]{11}"', one) or page.kind != "dy"


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["normal", "care"])
def test_twenty_churned_reloads_raise_no_alarm(mode: str) -> None:
    server = ReplicaServer(churn=True, churn_seed=7)
    churned = 0
    for page in pages():
        path = page.path if mode == "normal" else page.care_path
        base = served(None, path)
        golden = views(base, mode)
        for _ in range(RELOADS):
            html = served(server.churn, path)
            churned += html != base
            assert alarms(golden, views(html, mode)) == [], (page.id, mode)
    assert churned >= RELOADS  # the loads really differ (normal: all; care: the 网易号 paragraph ids)


def test_churn_touches_what_the_live_site_changes() -> None:
    page = next(p for p in pages() if p.kind == "dy")
    base = served(None, page.path)
    seen = {"order": False, "video": False, "ad": False, "ids": False, "paid": False}
    for seed in range(RELOADS):
        html = churn_html(base, page.kind, "normal", seed)
        titles = re.findall(r'<h3 class="post_recommend_title"><a [^>]*>(?:<i[^>]*></i>)?([^<]*)', html)
        seen["order"] |= titles != re.findall(r'<h3 class="post_recommend_title"><a [^>]*>([^<]*)', base)
        seen["video"] |= "post_recommend_video" in html
        seen["ad"] |= bool(re.search(r'<div id="ssp_\d+">', html))
        seen["ids"] |= bool(re.search(r'<p id="[0-9A-Z]{8}"', html))
        seen["paid"] |= "/dy/paidCollect/" in html
    assert all(seen.values()), seen
    local = page_by_id("J2T7M1LC0534A8VB")  # the page with a 本地新闻 module
    assert local is not None
    html = served(None, local.path)
    cities = {re.search(r"(\S\S)：地铁新线", churn_html(html, local.kind, "normal", s))[1] for s in range(RELOADS)}
    assert len(cities) > 2 and "北京" in re.search(r"(\S\S)：地铁新线", html)[1]
    tie = {churn_json("tie", {"tcount": 1}, s)["tcount"] for s in range(5)}
    assert len(tie) > 1


def _layout_edits(html: str) -> dict[str, str]:
    return {
        "rename-body-class": html.replace('class="post_body"', 'class="post_body_v2"', 1),
        "rename-title-class": html.replace('class="post_title"', 'class="post_title_new"', 1),
    }


@pytest.mark.parametrize("mode", ["normal"])
def test_layout_is_still_caught_on_a_churned_page(mode: str) -> None:
    page = seed_page()
    base = served(None, page.path)
    golden = views(base, mode)
    churned = churn_html(base, page.kind, mode, 3)
    for name, html in _layout_edits(churned).items():
        assert skeleton(html, mode) != golden.skeleton, name
        try:
            found = alarms(golden, views(html, mode))
        except MissingField:  # capture check reports a required field gone as layout-changed
            continue
        assert any(a.startswith("layout-changed") for a in found), name


# --- the real samples -----------------------------------------------------------------------------------

def _samples() -> list[Path]:
    if not SAMPLES.is_dir():
        pytest.skip(f"no real samples at {SAMPLES} (third-party data kept outside the project)")
    return sorted(SAMPLES.glob("*.html"))


def test_real_samples_churn_keeps_the_fingerprint_and_a_rename_moves_it() -> None:
    for path in _samples():
        html = path.read_text(encoding="utf-8")
        base = skeleton(html)
        rng = random.Random(path.name)
        for _ in range(5):
            churned = churn_sample(html, rng)
            assert churned != html
            assert skeleton(churned) == base, path.name
        for name, edited in _layout_edits(html).items():
            assert edited != html, (path.name, name)
            assert skeleton(edited) != base, (path.name, name)


# --- one real capture check round through a browser --------------------------------------------------

@pytest.mark.usefixtures("replica_only")
@pytest.mark.parametrize("mode", ["normal", "care"])
def test_capture_check_against_a_churning_replica_passes(churning_replica: ReplicaServer, tmp_path: Path,
                                                         mode: str) -> None:
    """The repo's goldens (recorded on the deterministic replica), checked in a browser against churn."""
    from capture.run.check import run_check
    from capture.targets import Target
    from capture.testing import run_config, snapshots_with_goldens

    # a 网易号 page, the one with a 本地新闻 module, and a news page
    chosen = [seed_page(), page_by_id("J2T7M1LC0534A8VB"), next(p for p in pages() if p.kind != seed_page().kind)]
    snapshots_with_goldens(tmp_path, [p.id for p in chosen])
    config = run_config(tmp_path, churning_replica.base_url, modes=(mode,), retries=2)  # a busy machine
    targets = [Target(p.id, p.live_url) for p in chosen]
    for _ in range(2):
        report = run_check(config, targets)
        assert len(report.results) == 3
        # An informational a11y note (a normal page's axe node count follows the list length) fails nothing.
        assert not report.fails, [(r.mode, r.status, [f"{d.cls} {d.region}: {d.reason}" for d in r.differences if d.fails])
                                  for r in report.results]
        assert all(d.cls not in ("layout-changed", "content-changed") for r in report.results for d in r.differences)


def test_capture_serve_takes_churn() -> None:
    from capture.cli import build_parser

    assert build_parser().parse_args(["serve", "--churn"]).churn is True
    assert build_parser().parse_args(["serve"]).churn is False
