"""The speed levers outside the recorder (issue 14): the default --jobs from the cores, a page's views
computed once per session, and no pixel diff for a screenshot that did not change."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from capture import environment, pytest_plugin
from capture.cli import build_parser
from capture.environment import MAX_JOBS, MIN_JOBS, default_jobs, usable_cores


@pytest.mark.parametrize(("cores", "jobs"), [(1, 2), (2, 4), (3, 6), (4, 8), (64, 8)])
def test_default_jobs_is_two_per_core_within_bounds(cores, jobs):
    assert default_jobs(cores) == jobs
    assert MIN_JOBS <= default_jobs(cores) <= MAX_JOBS


def test_default_jobs_follows_this_machine():
    cores = usable_cores()
    assert 1 <= cores <= (os.cpu_count() or cores)
    assert default_jobs() == default_jobs(cores)


def test_the_cli_default_jobs_is_the_cores_default():
    args = build_parser().parse_args(["record"])
    assert args.jobs == default_jobs()


def test_the_suite_default_capture_jobs_is_the_cores_default():
    options: dict[str, dict] = {}

    class Group:
        def addoption(self, name: str, **kw: object) -> None:
            options[name] = kw

    class Parser:
        def getgroup(self, _name: str) -> Group:
            return Group()

    pytest_plugin.pytest_addoption(Parser())  # type: ignore[arg-type]
    assert options["--capture-jobs"]["default"] == default_jobs()


def test_a_pages_views_are_computed_once_and_shared(monkeypatch):
    """Five golden tests compare one page's views: the extraction runs once, the bundle is read once."""
    from capture.pytest_plugin import fixtures

    reads, extractions = [], []
    monkeypatch.setattr(fixtures, "read_bundle", lambda p: reads.append(p) or f"bundle {p}")
    monkeypatch.setattr(fixtures, "page_views", lambda b, site: (extractions.append(b) or {"of": b}, None))
    cache = pytest_plugin.CaptureCache(SimpleNamespace(site=None))
    a, b = Path("a/normal"), Path("a/care")
    got = [cache.views(a) for _ in range(5)] + [cache.views(b)]
    assert got[0] is got[4] and got[0] == {"of": "bundle a/normal"} and got[5] == {"of": "bundle a/care"}
    assert extractions == ["bundle a/normal", "bundle a/care"]
    assert cache.bundle(a) == "bundle a/normal" and reads == [a, b]


def test_only_the_last_few_bundles_stay_in_memory(monkeypatch):
    from capture.pytest_plugin import fixtures

    reads = []
    monkeypatch.setattr(fixtures, "read_bundle", lambda p: reads.append(p) or object())
    cache = pytest_plugin.CaptureCache(SimpleNamespace(site=None))
    paths = [Path(f"p{i}") for i in range(cache.BUNDLES_KEPT + 1)]
    for p in paths:
        cache.bundle(p)
    cache.bundle(paths[-1])
    assert len(reads) == len(paths)  # the newest is kept
    cache.bundle(paths[0])
    assert reads[-1] == paths[0] and len(reads) == len(paths) + 1  # the oldest was let go


def test_an_identical_screenshot_is_not_decoded():
    """Equal bytes are no change, without decoding (these bytes are no PNG: decoding would raise)."""
    assert environment.screenshot_change(b"same bytes", b"same bytes") == 0.0
    with pytest.raises(Exception):  # noqa: B017 (PIL's own error type: unreadable image)
        environment.screenshot_change(b"same bytes", b"other bytes")


@pytest.mark.usefixtures("replica_only")
def test_check_extracts_each_capture_once(site_origin, seed_target, tmp_path, monkeypatch):
    """`capture check` of both modes: each new bundle's views are computed once, and the 关怀版 is
    judged against this run's normal extraction without extracting the normal page again."""
    from capture import compare
    from capture.run import check
    from capture.testing import run_config, snapshots_with_goldens

    snapshots_with_goldens(tmp_path, [seed_target.id])
    made, extracted = [], []
    real_views, real_data = check.page_views, compare.extraction_data
    monkeypatch.setattr(check, "page_views", lambda b, **k: made.append(b.meta.mode) or real_views(b, **k))
    monkeypatch.setattr(compare, "extraction_data",
                        lambda b, *a, **k: extracted.append(b.meta.mode) or real_data(b, *a, **k))
    report = check.run_check(run_config(tmp_path, site_origin), [seed_target])
    assert [(r.mode, r.status) for r in report.results] == [("normal", "unchanged"), ("care", "unchanged")], \
        [d for r in report.results for d in r.differences]
    assert sorted(made) == ["care", "normal"]
    # each page extracted once (inside its views): the 关怀版 is judged without extracting normal again
    assert sorted(extracted) == ["care", "normal"]
