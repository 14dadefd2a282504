"""关怀版 a11y checks: the figures, every rule passing and failing, regressions, drifts, and the golden.

Browser tests drive the replica (and a few small pages set with ``page.set_content``) in one Chromium
configured like captures are. The seed page's figures are a syrupy golden
(``snapshots/replica/test_a11y/test_seed_figures[<mode>].json``, :class:`capture.goldens.GoldenA11y`
kept in the run's golden store).
"""

from __future__ import annotations

from typing import Any

import pytest

from capture.a11y import compare, evaluate, measure_sync, rules_for, to_differences
from capture.a11y.rules import value
from capture.compare import a11y_differences
from capture.goldens import GoldenA11y
from capture.recorder import wait_ready_sync
from capture.replica import ReplicaServer, drift, pages, render, seed_page
from capture.replica.a11y_drifts import CARE_DRIFTS
from capture.report import CLASSES, Difference
from capture.sites.a11y_rules import RULES, RULES_BY_ID

SEED = seed_page()
#: The care page with the most body images (the image-alt drift must strip every one).
WITH_IMAGES = max(pages(), key=lambda p: render(p, "care").count('<p class="f_center"><img'))

pytestmark = pytest.mark.usefixtures("replica_only")


def measure_url(capture_context: Any, url: str) -> dict[str, Any]:
    page = capture_context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(url)
        wait_ready_sync(page, 10_000)
        return measure_sync(page, requests=requests)
    finally:
        page.close()


def measure_html(capture_context: Any, html: str) -> dict[str, Any]:
    page = capture_context.new_page()
    try:
        page.set_content(html)
        return measure_sync(page)
    finally:
        page.close()


@pytest.fixture(scope="module")
def seed(capture_context: Any, replica_server: ReplicaServer) -> dict[str, dict[str, Any]]:
    return {"care": measure_url(capture_context, replica_server.base_url + SEED.care_path),
            "normal": measure_url(capture_context, replica_server.base_url + SEED.path)}


def ids(findings) -> list[str]:
    return [f.rule for f in findings]


# --- the table ----------------------------------------------------------------------------------------

def test_rules_table_is_well_formed() -> None:
    assert len(RULES_BY_ID) == len(RULES), "rule ids must be unique"
    for r in RULES:
        assert r.id and r.title and r.source and r.metric and r.figure, r
        assert set(r.modes) <= {"care", "normal"} and r.modes, r
        assert r.op in (">=", "<=", "==", "nonempty", "no-new-ids"), r
        assert r.regression in ("higher-better", "lower-better", "keep-passing", "no-new-ids"), r
        assert "WCAG" in r.source or "MIIT" in r.source or "axe" in r.source, r
    assert {"type-size", "line-spacing", "paragraph-spacing", "no-ads", "no-popups", "focus-visible",
            "image-alt"} <= {r.id for r in rules_for("care")}


# --- the replica: care pages pass, normal pages show the contrast ---------------------------------

def test_seed_figures_care_vs_normal(seed) -> None:
    care, normal = seed["care"], seed["normal"]
    assert care["text"]["font_px"] > normal["text"]["font_px"]
    assert care["text"]["contrast_min"] > normal["text"]["contrast_min"]
    assert care["ads"]["elements"] == 0 < normal["ads"]["elements"]
    assert care["keyboard"]["reached"] == care["keyboard"]["focusable"] > 0
    assert evaluate(care, "care") == []
    # the normal page judged by the care rules: ads and smaller type (it is allowed both)
    assert {"type-size", "no-ads"} <= set(ids(evaluate(normal, "care")))
    # by its own (informational) rules only the missing html@lang shows
    assert ids(evaluate(normal, "normal")) == ["html-lang"]


@pytest.fixture(scope="module")
def seed_figures_format(capture_run: Any) -> type[GoldenA11y]:
    """GoldenA11y kept in the run's replica goldens (``<snapshots>/replica/test_a11y/``), named by test."""
    return type("SeedA11y", (GoldenA11y,), {"store_dir": str(capture_run.store.folder / "test_a11y")})


@pytest.mark.parametrize("mode", ["care", "normal"])
def test_seed_figures(seed, mode, snapshot, seed_figures_format) -> None:
    assert seed[mode] == snapshot(extension_class=seed_figures_format)


@pytest.mark.parametrize("page", pages(), ids=[p.id for p in pages()])
def test_every_care_page_passes_every_rule(capture_context, replica_server, page) -> None:
    got = measure_url(capture_context, replica_server.base_url + page.care_path)
    assert evaluate(got, "care") == [], [f.message for f in evaluate(got, "care")]


def test_figures_are_deterministic(capture_context, replica_server) -> None:
    a = measure_url(capture_context, replica_server.base_url + SEED.care_path)
    b = measure_url(capture_context, replica_server.base_url + SEED.care_path)
    assert a == b


# --- drifts: each care mutation is caught by its rule ---------------------------------------------

@pytest.mark.parametrize("name", [n for n, *_ in CARE_DRIFTS])
def test_care_drift_is_caught_by_its_rule(capture_context, replica_server, seed, name) -> None:
    """Served by the replica and measured, the drift fails the rule its DRIFTS entry names and no other
    threshold (axe-core may see the same change), and capture check's a11y comparison reports it with
    the entry's class and region."""
    expected = drift.DRIFTS[name]
    rule = RULES_BY_ID[expected.expect_region]
    target = WITH_IMAGES if rule.id == "image-alt" else SEED
    golden = seed["care"] if target is SEED else measure_url(capture_context, replica_server.base_url + target.care_path)
    new = measure_url(capture_context, f"{replica_server.base_url}{target.care_path}?drift={name}")
    assert evaluate(golden, "care") == []
    assert value(new, rule.metric) != value(golden, rule.metric)
    assert ids(evaluate(new, "care")) == [rule.id], [f.message for f in evaluate(new, "care")]
    regressions = compare(golden, new, "care")  # e.g. axe "region": the pop-up is outside every landmark
    assert rule.id in ids(regressions) and set(ids(regressions)) <= {rule.id, "axe"}, [f.message for f in regressions]
    rows = a11y_differences(golden, new, "care")
    assert (expected.expect_class, rule.id) in [(d.cls, d.region) for d in rows], rows
    assert all(d.cls == expected.expect_class and d.fails for d in rows), rows
    assert expected.expect_class in CLASSES


def test_care_drifts_leave_normal_pages_alone() -> None:
    html = render(SEED, "normal")
    for name, *_ in CARE_DRIFTS:
        assert drift.apply(name, "normal", html) == html


@pytest.mark.parametrize("page", [WITH_IMAGES, SEED], ids=["with-body-images", "without-body-images"])
def test_image_alt_drift_leaves_no_body_image_with_alt(capture_context, replica_server, seed, page) -> None:
    """Body images lose their alt; a body without images (the seed) gains one without alt."""
    golden = seed["care"] if page is SEED else measure_url(capture_context, replica_server.base_url + page.care_path)
    new = measure_url(capture_context, f"{replica_server.base_url}{page.care_path}?drift=care-image-alt-lost")
    before, after = golden["images"], new["images"]
    assert before["missing_alt"] == 0, before
    if page is SEED:
        assert before["total"] == 0 and after["total"] > 0, (before, after)
    else:  # two or more, so that "every image" differs from "the first one"
        assert before["total"] >= 2 and after["total"] == before["total"], (before, after)
    assert after["missing_alt"] == after["total"], after
    assert "image-alt" in ids(compare(golden, new, "care"))


# --- every rule on a small passing and failing page ------------------------------------------------

def mini(*, css: str = "", head: str = "", main: str = "", after: str = "", lang: str = ' lang="zh-CN"',
         h1: str = "<h1>标题</h1>") -> str:
    paras = "".join(f"<p>第{i}段，老年读者阅读的正文。</p>" for i in range(4))
    return (f"<!DOCTYPE html><html{lang}><head><meta charset='utf-8'><style>"
            "body{margin:0;font:22px/1.8 sans-serif;color:#000;background:#fff}"
            ".post_body{font-size:24px;line-height:1.9}.post_body p{margin:0 0 28px}"
            f"{css}</style>{head}</head><body class='care'><main class='care_main'>{h1}"
            f"<div class='post_info'><a href='#src'>来源</a></div><div class='post_body'>{paras}"
            f"<p class='f_center'><img src='data:image/gif;base64,R0lGODlhAQABAAAAACw=' alt='图' width='10' height='10'></p>"
            f"</div>{main}</main>{after}</body></html>")


FAILING: dict[str, dict[str, str]] = {
    "type-size": {"css": ".post_body{font-size:16px}"},
    "line-spacing": {"css": ".post_body{line-height:1.2}"},
    "paragraph-spacing": {"css": ".post_body p{margin:0}"},
    "contrast-high": {"css": ".post_body{color:#666}"},
    "contrast": {"css": ".post_body{color:#aaa}"},
    "no-ads": {"main": "<div class='ad_module'>广告</div>"},
    "no-ad-iframes": {"main": "<iframe src='https://googlesyndication.com/x' width='300' height='250'></iframe>"},
    "no-ad-requests": {"head": "<script async src='https://g.163.com/a.js'></script>"},
    "no-popups": {"after": "<div style='position:fixed;top:0;left:0;width:400px;height:200px;background:#fff'>弹窗</div>"},
    "no-inducement": {"main": "<a href='#app'>下载网易新闻APP</a>"},
    "focus-visible": {"css": "a:focus,a:focus-visible{outline:none}"},
    "keyboard-reach": {"css": ".post_info{display:none}"},
    "image-alt": {},  # the body image loses its alt (below)
    "one-h1": {"main": "<h1>第二个标题</h1>"},
    "html-lang": {"lang": ""},
}


@pytest.fixture(scope="module")
def passing(capture_context) -> dict[str, Any]:
    return measure_html(capture_context, mini())


def test_small_page_passes_every_rule(passing) -> None:
    assert evaluate(passing, "care") == []
    assert evaluate(passing, "normal") == []


@pytest.mark.parametrize("rule", sorted(FAILING))
def test_every_rule_fails_on_its_failing_page(capture_context, passing, rule) -> None:
    html = mini(**FAILING[rule])
    if rule == "image-alt":
        html = html.replace("alt='图' ", "")
    got = measure_html(capture_context, html)
    mode = next(m for m in ("care", "normal") if m in RULES_BY_ID[rule].modes)
    found = evaluate(got, mode)
    assert rule in ids(found), [f.message for f in found]
    assert rule in ids(compare(passing, got, mode))


def test_axe_new_violation_is_a_regression(capture_context, passing) -> None:
    got = measure_html(capture_context, mini(main="<button></button>"))
    assert "button-name" in got["axe"]["violations"] and "button-name" not in passing["axe"]["violations"]
    found = compare(passing, got, "care")
    assert ids(found) == ["axe"] and "button-name" in found[0].message
    assert compare(got, got, "care") == []


# --- evaluate / compare / to_differences without a browser ---------------------------------------

def test_messages_name_rule_figure_and_change(seed) -> None:
    golden = seed["care"]
    new = {**golden, "text": {**golden["text"], "font_px": 14}}
    (f,) = compare(golden, new, "care")
    assert f.message == f"body font {golden['text']['font_px']:g}px → 14px (rule: extra-large type)"
    (d,) = to_differences([f], "care")
    assert d == Difference(cls="care-regression", region="type-size", reason=f.message, fails=True)


def test_improvements_and_jitter_are_not_regressions(seed) -> None:
    golden = seed["care"]
    bigger = {**golden, "text": {**golden["text"], "font_px": golden["text"]["font_px"] + 0.3}}
    smaller = {**golden, "text": {**golden["text"], "font_px": golden["text"]["font_px"] - 0.3}}
    assert compare(golden, bigger, "care") == [] and compare(golden, smaller, "care") == []


def test_normal_findings_are_informational(seed) -> None:
    found = evaluate(seed["normal"], "normal")
    rows = to_differences(found, "normal")
    assert rows and all(not d.fails and d.reason.startswith("normal page (informational)") for d in rows)
