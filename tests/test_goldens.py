"""Golden suites: for every watched page and mode, extraction JSON, text and aria snapshot.

Volatile values are masked by the site's declared rules, so churn passes and structure fails.
``pytest --snapshot-update`` accepts new goldens (``capture accept`` writes the same files).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from capture.bundle import read_bundle
from capture.compare import care_differences
from capture.pagetext import comparable_lines


def test_extraction(capture_views, golden):
    assert capture_views.extraction["title"], "extraction found no title"
    assert capture_views.extraction == golden.extraction


def test_skeleton(capture_views, golden):
    skeleton = capture_views.skeleton
    assert skeleton.get("body") and not any("(missing" in line for line in skeleton["body"])
    assert skeleton == golden.skeleton


def test_a11y_figures(capture_views, golden):
    """The accessibility figures (a11y.json): a regression against them is a care-regression in checks."""
    assert "error" not in capture_views.a11y, capture_views.a11y.get("error")
    assert capture_views.a11y == golden.a11y


def test_text(capture_views, golden):
    assert capture_views.text.strip(), "the page showed no text in its regions"
    assert capture_views.text == golden.text


def test_aria(capture_views, golden):
    assert "heading" in capture_views.aria
    assert capture_views.aria == golden.aria


CARE_SAME = ("title", "published", "source", "blocks")


def test_care_page_carries_the_same_article(watchlist, captured, capture_cache):
    """The 关怀版 page's title, time, source and body equal the normal page's."""
    from capture.errors import LayoutNotRecognized, MissingField

    for target in watchlist:
        normal, care = captured.get((target.id, "normal")), captured.get((target.id, "care"))
        if not (isinstance(normal, Path) and isinstance(care, Path)):
            pytest.fail(f"{target.id}: capture failed: {normal if not isinstance(normal, Path) else care}")
        n = capture_cache.views(normal).extraction
        try:
            c = capture_cache.views(care).extraction
        except (LayoutNotRecognized, MissingField):
            c = None  # care_differences reports why, as a care-regression
        regressions = care_differences(capture_cache.bundle(care), n, capture_cache.bundle(normal).meta.final_url, c)
        assert not regressions, f"{target.id}: {regressions[0].reason}"
        assert c is not None
        for key in CARE_SAME:
            assert c[key] == n[key], f"{target.id}: care page {key} differs from the normal page's"
        assert c["mode"] == "care" and n["mode"] == "normal"


def test_seed_bundle_text_matches_seed(watchlist, captured, seed_text, live):
    """The seed page's normal bundle reproduces the seed file; its care bundle carries the same article."""
    if live:
        pytest.skip("the seed page is the replica's; --live watches other pages")
    from capture.replica import seed_page

    seed = seed_page()
    if (seed.id, "normal") not in captured:
        pytest.skip(f"the seed page {seed.id} is not in this run's watchlist (--shard or --watchlist)")
    normal = read_bundle(captured[(seed.id, "normal")])
    care = read_bundle(captured[(seed.id, "care")])
    want = comparable_lines(seed_text)
    assert comparable_lines(normal.text) == want
    care_lines = comparable_lines(care.text)
    title_and_body = want[1:2] + want[4:want.index("相关推荐")]
    missing = [line for line in title_and_body if line not in care_lines]
    assert not missing, f"care bundle lacks {len(missing)} seed lines, first: {missing[:1]}"


def test_environment_and_screen(page_mode, capture_bundle, capture_views, request):
    """The golden's capture environment, and its screenshot where that environment is this one.

    Viewport, locale, timezone and the browser itself must match the golden's. A different browser
    build (or fonts) is no failure and no skip: the pixels are not compared, and the run says so in
    one summary line. Under ``--snapshot-update`` both are written exactly as ``capture accept`` does.
    """
    import json

    from capture.check import write_goldens

    from capture import environment, goldens
    from capture.pytest_plugin import note_environment

    target, mode = page_mode
    root, target_set = goldens.current()
    if request.config.option.update_snapshots:
        write_goldens(capture_bundle, root, target_set, capture_views)
    env_file = goldens.env_path(target.id, mode)
    if not env_file.exists():
        pytest.fail(f"no golden environment at {env_file}: run pytest --snapshot-update")
    cmp = environment.compare_env(json.loads(env_file.read_text(encoding="utf-8")),
                                  environment.env_of(capture_bundle.meta))
    assert not cmp.mismatched, f"{env_file}: capture settings differ from the golden's: {cmp.mismatched}"
    if cmp.build:
        note_environment(request.config, cmp.build)
        return
    screen = goldens.screen_path(target.id, mode)
    if not screen.exists():
        note_environment(request.config, f"screenshots not compared: no golden screenshots in {screen.parent} "
                                         f"(not committed); {environment.REFRESH}")
        return
    changed = environment.screenshot_change(screen.read_bytes(), capture_bundle.screenshot)
    assert changed <= environment.PIXEL_TOLERANCE, (
        f"{target.id}/{mode}: {changed:.2%} of the screenshot changed against {screen} "
        f"in the same environment; `capture review` shows where")
