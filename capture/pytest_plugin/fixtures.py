"""The plugin's fixtures, layered like pytest-playwright's:

    capture_run (the session's RunConfig, its origin serving) → watchlist → captured
    page_mode → capture_bundle → capture_views, golden          (what one golden test compares)
    replica_server → site_origin → base_url                     (the replica, or www.163.com with --live)
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from ..bundle import Bundle, read_bundle
from ..compare import GoldenViews, page_views
from ..errors import first_line
from ..goldens import View, extension_for
from ..remote import record_shared, worker_endpoints, xdist_worker
from ..run import OriginKind, RunConfig
from ..targets import MODES, Target
from .options import run_of

CAPTURED = pytest.StashKey[tuple[dict, dict, RunConfig]]()


class NoCare(str):
    """A 关怀版 the page does not offer (the recorder's ``no-care``): its reason."""


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``page_mode`` runs a test once per watched page and mode, with ids ``<id>-<mode>``."""
    if "page_mode" in metafunc.fixturenames:
        params = [(t, m) for t in run_of(metafunc.config).targets for m in MODES]
        metafunc.parametrize("page_mode", params, ids=[f"{t.id}-{m}" for t, m in params], scope="session")


# --- the site under test ----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def live(pytestconfig: pytest.Config) -> bool:
    return bool(pytestconfig.getoption("--live"))


@pytest.fixture(scope="session")
def replica_server() -> Iterator[Any]:
    """The built-in replica of NetEase, as it serves by default (no drift, no fault), on 127.0.0.1."""
    from ..replica import ReplicaServer

    with ReplicaServer() as server:
        yield server


@pytest.fixture(scope="session")
def capture_run(pytestconfig: pytest.Config, request: pytest.FixtureRequest) -> RunConfig:
    """The session's run (:class:`capture.run.RunConfig`), its origin serving: the built-in replica
    (``replica_server``) unless ``--replica-url``, ``--base-url`` or ``--live`` says otherwise."""
    run = run_of(pytestconfig)
    from .options import unreachable

    if (why := unreachable(run)) is not None:  # only with --skip-unreachable does the session get here
        pytest.skip(why)
    if run.origin.kind is OriginKind.REPLICA:
        return run.with_base_url(request.getfixturevalue("replica_server").base_url)
    return run


@pytest.fixture(scope="session")
def site_origin(capture_run: RunConfig) -> str:
    """The origin pages are loaded from: the replica, a mirror, or www.163.com itself."""
    return capture_run.origin.url or capture_run.site.live_origin


@pytest.fixture(scope="module")
def replica_only(live: bool) -> None:
    """Tests of the harness on the replica itself (drifts, faults, recorder) skip under ``--live``."""
    if live:
        pytest.skip("this module drives the replica; --live runs the golden suites only")


# --- the session capture and the golden fixtures -----------------------------------------------------

@pytest.fixture(scope="session")
def watchlist(capture_run: RunConfig) -> list[Target]:
    if not capture_run.targets:
        pytest.skip(f"nothing to compare: {capture_run.watchlist.source}")
    return capture_run.targets


def xdist_id(config: pytest.Config) -> str:
    """``gwN`` in a pytest-xdist worker, else ''."""
    return str(getattr(config, "workerinput", {}).get("workerid", ""))


def selected_pages(items: list[Any], watchlist: list[Target]) -> list[Target]:
    """The watched pages the selected tests need: those of the ``page_mode`` tests that use
    ``captured``; the whole watchlist when a selected test uses it without a page (e.g. the care
    consistency test). So ``pytest -k <id>`` captures that page only."""
    wanted: set[str] = set()
    for item in items:
        if "captured" not in getattr(item, "fixturenames", ()):
            continue
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "page_mode" not in params:
            return list(watchlist)
        wanted.add(params["page_mode"][0].id)
    return [t for t in watchlist if t.id in wanted]


@pytest.fixture(scope="session")
def captured(watchlist: list[Target], capture_run: RunConfig, pytestconfig: pytest.Config,
             tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> dict[tuple[str, str], Any]:
    """Every watched page the selected tests need, in both modes, captured once per session.

    Returns ``{(id, mode): bundle folder}``; a capture that failed maps to its reason (a str).
    """
    from ..recorder import record

    targets = selected_pages(request.session.items, watchlist)
    snapshots = tmp_path_factory.mktemp("session-snapshots")
    opts = replace(capture_run.options, connect=worker_endpoints(capture_run.options.connect, xdist_id(pytestconfig)))
    worker = xdist_worker(getattr(pytestconfig, "workerinput", None))
    if worker is None:
        rows = [o.row() for o in record(targets, snapshots, opts)]
    else:  # every page once for all workers: shared under the run's base temp (xdist's own pattern)
        rows = record_shared(targets, tmp_path_factory.getbasetemp().parent / "shared-capture", worker,
                             lambda part, snaps: record(part, snaps, opts))
    result = {(r["id"], r["mode"]): (Path(r["path"]) if r["status"] == "ok" else
                                     NoCare(r["reason"]) if r["status"] == "no-care" else r["reason"]) for r in rows}
    pytestconfig.stash[CAPTURED] = (result, {t.id: t for t in watchlist}, capture_run)
    return result


class CaptureCache:
    """This session's bundles and their golden views, each read or computed once.

    A page×mode has several tests that read its bundle and compare its views; extracting the page
    once instead of once a test is most of what a test costs. Views (a few kB each) are kept for the
    session and shared, read-only; bundles (DOM, screenshot: up to a few MB) only for the last few pages.
    """

    BUNDLES_KEPT = 4

    def __init__(self, run: RunConfig) -> None:
        self.run = run
        self._views: dict[Path, GoldenViews] = {}
        self._bundles: OrderedDict[Path, Bundle] = OrderedDict()

    def bundle(self, path: Path) -> Bundle:
        if path in self._bundles:
            self._bundles.move_to_end(path)
            return self._bundles[path]
        got = self._bundles[path] = read_bundle(path)
        while len(self._bundles) > self.BUNDLES_KEPT:
            self._bundles.popitem(last=False)
        return got

    def views(self, path: Path) -> GoldenViews:
        """The views, read by the run's site table. A page that no longer extracts gives an extraction
        view that says why (``{"extraction failed": …}``: the golden's diff shows it) and its other
        views as usual, so text, aria and skeleton are still compared."""
        if path not in self._views:
            v, error = page_views(self.bundle(path), site=self.run.site)
            if error is not None:
                v = replace(v, extraction={"extraction failed": first_line(error)})
            self._views[path] = v
        return self._views[path]


@pytest.fixture(scope="session")
def capture_cache(capture_run: RunConfig) -> CaptureCache:
    """The session's :class:`CaptureCache` (one extraction per captured page and mode)."""
    return CaptureCache(capture_run)


def _captured_path(page_mode: tuple[Target, str], captured: dict[tuple[str, str], Any],
                   run: RunConfig) -> Path:
    target, mode = page_mode
    got = captured.get((target.id, mode))
    if isinstance(got, NoCare):  # no 关怀版 offered: a skip, unless the goldens had one (then it is gone)
        from ..run.check import no_care_result

        result = no_care_result(target, str(got), run.store)
        if result.fails:
            pytest.fail(f"{target.id}/care: {result.differences[0].reason}", pytrace=False)
        pytest.skip(f"{target.id} offers no 关怀版: {got}")
    if not isinstance(got, Path):
        pytest.fail(f"capture of {target.id}/{mode} failed: {got}", pytrace=False)
    return got


@pytest.fixture
def capture_bundle(page_mode: tuple[Target, str], captured: dict[tuple[str, str], Any],
                   capture_cache: CaptureCache) -> Bundle:
    """This test's page and mode as captured this session; the test fails if that capture failed."""
    return capture_cache.bundle(_captured_path(page_mode, captured, capture_cache.run))


@pytest.fixture
def capture_views(page_mode: tuple[Target, str], captured: dict[tuple[str, str], Any],
                  capture_cache: CaptureCache) -> GoldenViews:
    """The views a golden keeps of this test's capture (extraction, skeleton, text, aria, a11y),
    computed once per page and mode and shared by its tests (read them, do not change them)."""
    return capture_cache.views(_captured_path(page_mode, captured, capture_cache.run))


@dataclass(frozen=True)
class Goldens:
    """syrupy's ``snapshot``, once per stored view: ``assert capture_views.text == golden.text``."""

    extraction: Any
    skeleton: Any
    text: Any
    aria: Any
    a11y: Any


@pytest.fixture
def golden(snapshot: Any, page_mode: tuple[Target, str], capture_run: RunConfig) -> Goldens:
    """The golden of each view of this test's page and mode, stored where ``capture accept`` stores it
    (``<snapshots>/<target>/<view>/<id>-<mode>.<ext>``), whatever the test module is called."""
    target, mode = page_mode
    return Goldens(**{str(v): snapshot.use_extension(extension_for(capture_run.store, target.id, mode, v))
                      for v in View})
