"""Readiness without a flag: the body is present and the load has settled, inside a bound."""

from __future__ import annotations

import time
from typing import Any

import pytest

from capture.bundle import read_bundle
from capture.recorder import RecordOptions, record, wait_ready_sync
from capture.targets import Target
from capture.testing import ROOT

SAMPLES = ROOT.parent / "shared" / "samples" / "netease"
SAMPLE_PATHS = {
    "nanmicoder_2025_news_KC12OUHK000189FH_raw.html": "/news/article/KC12OUHK000189FH.html",
    "magichtml_2024_dy_J22CN60P0514R9KQ_dom.html": "/dy/article/J22CN60P0514R9KQ.html",
}
FOREVER = """<!doctype html><html><body><div class="post_body"><p>正文</p><p id="n">0</p></div>
<script>let i = 0; setInterval(() => { document.getElementById("n").textContent = String(++i); }, 30);</script>
</body></html>"""
LATE = """<!doctype html><html><body><h1>标题</h1>
<script>setTimeout(() => { const d = document.createElement("div"); d.className = "post_body";
d.textContent = "正文"; document.body.appendChild(d); }, 300);</script></body></html>"""


@pytest.mark.parametrize("name", sorted(SAMPLE_PATHS))
def test_a_real_sample_is_ready_when_settled_well_before_the_bound(name, serve, tmp_path):
    if not (SAMPLES / name).is_file():
        pytest.skip(f"{SAMPLES / name} absent: the real samples live outside the project (../shared/samples)")
    path = SAMPLE_PATHS[name]
    origin = serve({path: (SAMPLES / name).read_bytes()})
    target = Target(path.rsplit("/", 1)[-1].removesuffix(".html"), "https://www.163.com" + path)
    opts = RecordOptions(modes=("normal",), base_url=origin, jobs=1, retries=1)
    (outcome,) = record([target], tmp_path, opts)
    assert outcome.status == "ok", outcome.reason
    timings = _timings(outcome)
    print(f"\n{name}: ready {timings['ready']} ms, bound hit {timings['ready_bound']}, total {timings['total']} ms")
    assert timings["ready_bound"] == 0.0  # ready_by: settled, not the bound
    assert timings["ready"] < 2_000


def _timings(outcome: Any) -> dict[str, float]:
    return read_bundle(outcome.path).meta.timings_ms


def test_a_page_that_never_stops_mutating_is_ended_by_the_bound(serve, capture_context):
    origin = serve({"/p.html": FOREVER.encode()})
    page = capture_context.new_page()
    try:
        page.goto(origin + "/p.html")
        t0 = time.perf_counter()
        assert wait_ready_sync(page, 1_000) == "bound"
        assert 0.9 <= time.perf_counter() - t0 < 3
    finally:
        page.close()


def test_a_body_inserted_late_is_waited_for(serve, capture_context):
    origin = serve({"/p.html": LATE.encode()})
    page = capture_context.new_page()
    try:
        t0 = time.perf_counter()
        page.goto(origin + "/p.html")
        assert wait_ready_sync(page, 5_000) == "settled"
        assert time.perf_counter() - t0 >= 0.3
        assert page.query_selector(".post_body") is not None
    finally:
        page.close()
