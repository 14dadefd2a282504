"""Pages that offer no 关怀版 (capture/care_status.py): the recorder says ``no-care`` instead of failing.

Older real articles (a 2020 news page, an early-2021 网易号 page) have no 进入关怀版 link and no
body@aria-url, and the URL rule's ``_pdya11y``/``_pa11y`` address answers 404 for them. The replica
serves such pages as variants listed nowhere (content.VARIANTS): no watchlist, index or golden changes.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from capture import bundle
from capture.care_status import NO_CARE, care_gone, no_care_summary, offers_care
from capture.extract import extract
from capture.record import load as nav
from capture.record.options import OUTCOME_STATUSES, Outcome
from capture.recorder import RecordOptions, record
from capture.replica import content, handle, pages
from capture.sites import default_site
from capture.sync import Inline, run_inline
from capture.targets import Target
from capture.testing import load_sample

NO_CARE_DY = "J0NOCARE0530JPVV"
NO_CARE_NEWS = "J0NOCARE000189FH"
CARE_404 = "J0CARE4040530JPV"
SAMPLE_2024 = "magichtml_2024_dy_J22CN60P0514R9KQ_dom.html"
SAMPLE_2025 = "nanmicoder_2025_news_KC12OUHK000189FH_raw.html"


def target(art_id: str) -> Target:
    base, _kind = content.VARIANTS[art_id]
    return Target(art_id, f"https://www.163.com/{content.page_by_id(base).kind}/article/{art_id}.html")


# --- care_gone and friends: pure -------------------------------------------------------------------

@pytest.mark.parametrize("golden_has_care, status, gone", [
    (True, NO_CARE, True),  # the golden had a 关怀版, the page no longer offers one
    (False, NO_CARE, False),  # never had one: the page is what it was
    (True, "ok", False),  # captured: the care comparison judges it
    (True, "failed", False),  # a fetch failure: reported as such, not twice
    (False, "ok", False),
    (True, "skipped", False),
])
def test_care_gone(golden_has_care: bool, status: str, gone: bool) -> None:
    diff = care_gone(golden_has_care, status)
    if not gone:
        assert diff is None
        return
    assert diff is not None and diff.cls == "care-regression" and diff.fails and diff.region == "nav-a11y"
    for word in ("进入关怀版 link", "aria-url", "URL rule", "404"):
        assert word in diff.reason
    assert "\n" not in diff.reason
    assert "http://x_pa11y.html" in care_gone(True, NO_CARE, reason="http://x_pa11y.html answers HTTP 404").reason


def test_offers_care_reads_a_golden_extraction() -> None:
    assert offers_care({"accessibility": {"wza_toolbar": True, "care_url": "https://www.163.com/a_pa11y.html"}})
    assert not offers_care({"accessibility": {"wza_toolbar": True, "care_url": None}})
    assert not offers_care({}) and not offers_care(None)


def test_outcome_status_and_summary_line() -> None:
    assert OUTCOME_STATUSES == {"ok": False, "skipped": False, "failed": True, "no-care": False}
    outs = [Outcome("A", "normal", "ok"), Outcome("A", "care", NO_CARE, care_via="url-rule"),
            Outcome("B", "care", NO_CARE, care_via="url-rule"), Outcome("C", "care", "failed")]
    assert [o.fails for o in outs] == [False, False, False, True]
    assert outs[1].row()["care_via"] == "url-rule" and outs[1].row()["status"] == "no-care"
    line = no_care_summary(outs)
    assert line is not None and line.startswith("2 pages offer no 关怀版") and line.endswith(": A, B")
    assert "\n" not in line
    assert no_care_summary(outs[:1]) is None


@pytest.mark.parametrize("name", [SAMPLE_2024, SAMPLE_2025])
def test_real_pages_offer_care(name: str) -> None:
    """The 2024 DOM has the link with its href and aria-url; the 2025 raw page a javascript: href
    (wzaInit has not run) and aria-url: both offer a 关怀版."""
    html = load_sample(name).decode("utf-8")
    assert offers_care(extract(html).to_dict())
    assert re.search(r'<body[^>]*\saria-url="https://www\.163\.com/[^"]+_p(?:dy)?a11y\.html"', html)


# --- the replica's variants ------------------------------------------------------------------------

def test_variants_are_served_but_listed_nowhere() -> None:
    listed = {p.id for p in pages()}
    toml = (Path(__file__).resolve().parents[1] / "pages.toml").read_text(encoding="utf-8")
    for art_id, (base, kind) in content.VARIANTS.items():
        assert kind in content.VARIANT_KINDS and base in listed and art_id not in listed and art_id not in toml
        t = target(art_id)
        path = t.url.removeprefix("https://www.163.com")
        normal = handle("GET", path)
        assert normal.status == 200
        html = normal.body.decode("utf-8")
        assert art_id in html and f"/{base}" not in html  # the copy carries its own id
        assert offers_care(extract(html, t.url).to_dict()) is (kind == "care-404")
        assert handle("GET", t.care_url().removeprefix("https://www.163.com")).status == 404
        assert handle("GET", f"/api/tie/{art_id}.json").status == 200  # its scripts' fetches answer
    assert handle("GET", f"/news/article/{NO_CARE_DY}.html").status == 404  # a dy id on the news channel


# --- the recorder, in a browser --------------------------------------------------------------------

@pytest.mark.usefixtures("replica_only")
def test_page_without_care_records_no_care_not_failed(site_origin: str, tmp_path: Path) -> None:
    targets = [target(NO_CARE_DY), target(NO_CARE_NEWS)]
    out = record(targets, tmp_path, RecordOptions(replica=True, base_url=site_origin, jobs=2))
    assert [(o.id, o.mode, o.status) for o in out] == [
        (NO_CARE_DY, "normal", "ok"), (NO_CARE_DY, "care", NO_CARE),
        (NO_CARE_NEWS, "normal", "ok"), (NO_CARE_NEWS, "care", NO_CARE)], [o.reason for o in out]
    assert not any(o.fails for o in out)  # the run's exit path: nothing failed
    for o in out[1::2]:
        assert o.care_via == "url-rule" and o.path is None and o.attempts == 1
        for word in ("进入关怀版 link", "aria-url", "URL rule", "HTTP 404", "a11y.html"):
            assert word in o.reason, o.reason
        assert o.seconds < 5, "a page with no link and no aria-url is not waited on"
        assert not bundle.bundle_dir(tmp_path, o.id, "care").exists()
        left = [p.name for p in (tmp_path / "captures" / o.id).iterdir() if p.name.startswith(".")]
        assert not left, f"left behind: {left}"
    assert no_care_summary(out) == (f"2 pages offer no 关怀版 (no 进入关怀版 link with a real href, no body@aria-url, "
                                    f"the URL rule's page answers 404): {NO_CARE_DY}, {NO_CARE_NEWS}")


@pytest.mark.usefixtures("replica_only")
def test_care_alone_on_a_page_without_care_is_no_care(site_origin: str, tmp_path: Path) -> None:
    """The 关怀版 recorded on its own (fresh context, not followed from the normal capture)."""
    out = record([target(NO_CARE_NEWS)], tmp_path, RecordOptions(replica=True, base_url=site_origin, modes=("care",)))
    assert [(o.mode, o.status, o.care_via) for o in out] == [("care", NO_CARE, "url-rule")], [o.reason for o in out]


@pytest.mark.usefixtures("replica_only")
def test_care_link_whose_page_404s_still_fails(site_origin: str, tmp_path: Path) -> None:
    """The page offers a 关怀版 (link and aria-url) and that page is gone: a failure, as before."""
    out = record([target(CARE_404)], tmp_path, RecordOptions(replica=True, base_url=site_origin))
    assert [(o.mode, o.status) for o in out] == [("normal", "ok"), ("care", "failed")], [o.reason for o in out]
    assert out[1].fails and "http-404" in out[1].reason and out[1].care_via is None


def _care_url_on(tab: Any, html: str, art: Target) -> tuple[str, str]:
    tab.set_content(html, wait_until="domcontentloaded")
    return run_inline(nav.care_url(Inline(tab), art, 15_000, site=default_site()))


def test_care_url_detection_on_real_markup(capture_context: Any) -> None:
    """What the recorder looks for, on the real pages' own markup: the 2024 DOM's link (href set by
    wzaInit before it was saved), the 2025 raw page's link once its inline wzaInit ran (else aria-url);
    the same pages stripped of both fall to the URL rule, at once."""
    h2024, h2025 = (load_sample(n).decode("utf-8") for n in (SAMPLE_2024, SAMPLE_2025))
    dy = Target("J22CN60P0514R9KQ", "https://www.163.com/dy/article/J22CN60P0514R9KQ.html")
    news = Target("KC12OUHK000189FH", "https://www.163.com/news/article/KC12OUHK000189FH.html")
    tab = capture_context.new_page()
    try:
        assert _care_url_on(tab, h2024, dy) == ("https://www.163.com/dy/article/J22CN60P0514R9KQ_pdya11y.html", "link")
        url, via = _care_url_on(tab, h2025, news)
        assert url == "https://www.163.com/news/article/KC12OUHK000189FH_pa11y.html" and via in ("link", "aria-url")
        for html, art in ((h2024, dy), (h2025, news)):
            stripped = re.sub(r'<a\b[^>]*\bid="js_gowza"[^>]*>.*?</a>', "", re.sub(r'\saria-url="[^"]*"', "", html),
                              flags=re.S)
            assert 'id="js_gowza"' not in stripped and "aria-url=" not in stripped
            t0 = time.perf_counter()
            assert _care_url_on(tab, stripped, art) == (art.care_url(), "url-rule")
            assert time.perf_counter() - t0 < 7.5, "no link and no aria-url: not waited on (the wait would be 15 s)"
    finally:
        tab.close()
