"""Golden suites: for every watched page and mode, extraction JSON, text and aria snapshot.

Volatile values are masked by the site's declared rules, so churn passes and structure fails.
``pytest --snapshot-update`` accepts new goldens (``capture accept`` writes the same files).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from capture.bundle import Bundle, read_bundle
from capture.compare import GoldenViews, views
from capture.goldens import GoldenA11y, GoldenAria, GoldenJSON, GoldenSkeleton, GoldenText
from capture.pagetext import comparable_lines


def _views(captured: dict, page_mode) -> tuple[Bundle, GoldenViews]:
    target, mode = page_mode
    got = captured.get((target.id, mode))
    if not isinstance(got, Path):
        pytest.fail(f"capture of {target.id}/{mode} failed: {got}")
    bundle = read_bundle(got)
    return bundle, views(bundle)


def test_extraction(page_mode, captured, snapshot):
    _bundle, v = _views(captured, page_mode)
    assert v.extraction["title"], "extraction found no title"
    assert v.extraction == snapshot(extension_class=GoldenJSON)


def test_skeleton(page_mode, captured, snapshot):
    _bundle, v = _views(captured, page_mode)
    assert v.skeleton.get("body") and not any("(missing" in line for line in v.skeleton["body"])
    assert v.skeleton == snapshot(extension_class=GoldenSkeleton)


def test_a11y_figures(page_mode, captured, snapshot):
    """The accessibility figures (a11y.json): a regression against them is a care-regression in checks."""
    _bundle, v = _views(captured, page_mode)
    assert "error" not in v.a11y, v.a11y.get("error")
    assert v.a11y == snapshot(extension_class=GoldenA11y)


def test_text(page_mode, captured, snapshot):
    _bundle, v = _views(captured, page_mode)
    assert v.text.strip(), "the page showed no text in its regions"
    assert v.text == snapshot(extension_class=GoldenText)


def test_aria(page_mode, captured, snapshot):
    _bundle, v = _views(captured, page_mode)
    assert "heading" in v.aria
    assert v.aria == snapshot(extension_class=GoldenAria)


CARE_SAME = ("title", "published", "source", "blocks")


def test_care_page_carries_the_same_article(watchlist, captured):
    """The 关怀版 page's title, time, source and body equal the normal page's."""
    for target in watchlist:
        normal, care = captured.get((target.id, "normal")), captured.get((target.id, "care"))
        if not (isinstance(normal, Path) and isinstance(care, Path)):
            pytest.fail(f"{target.id}: capture failed: {normal if not isinstance(normal, Path) else care}")
        n, c = views(read_bundle(normal)).extraction, views(read_bundle(care)).extraction
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


def test_environment_and_screen(page_mode, captured, request):
    """The golden's capture environment (and its screenshot, for the review's pixel diff).

    Under ``--snapshot-update`` these are written exactly as ``capture accept`` writes them; otherwise
    the stored environment must be readable and name the browser it was captured with.
    """
    import json

    from capture import goldens
    from capture.check import env_of, write_goldens

    bundle, _v = _views(captured, page_mode)
    target, mode = page_mode
    env_file = goldens.env_path(target.id, mode)
    if request.config.option.update_snapshots:
        write_goldens(bundle, *goldens.current())
    if not env_file.exists():
        pytest.fail(f"no golden environment at {env_file}: run pytest --snapshot-update")
    stored = json.loads(env_file.read_text(encoding="utf-8"))
    assert stored["browser"]["name"] == "chromium" and stored["viewport"]
    if stored != env_of(bundle.meta):
        pytest.skip(f"captured with {env_of(bundle.meta)['browser']}, golden with {stored['browser']}: "
                    "screenshots are compared only by `capture review` and only in the same environment")
