"""The pytest plugin of netease-capture, registered with the ``pytest11`` entry point.

``pip install netease-capture`` in any repository with a ``pages.toml`` gives its pytest the options
(``--live``, ``--watchlist``, ``--connect``, ``--shard`` …), one capture of the watched pages per
session, and the golden fixtures. Layered like pytest-playwright's own plugin, and on top of it:

    browser_type_launch_args / browser_context_args   (our options under pytest-playwright's flags)
      → browser (pytest-playwright)  → capture_context (configured like the recorder's contexts)
    replica_server → site_origin → base_url            (the replica, or www.163.com with --live)
    watchlist → captured                               (the session capture: {(id, mode): bundle})
    page_mode → capture_bundle → capture_views, golden (what one golden test compares)

Offline by default: a session-scoped replica on 127.0.0.1 stands in for www.163.com, and the golden
set ``snapshots/replica`` is compared. ``pytest --live`` runs the same tests against the real site
(or a stand-in: ``--base-url``, ``--map-host www.163.com=…``) and compares ``snapshots/live`` (record it,
both modes, with ``--snapshot-update``).
"""

from __future__ import annotations

import json
import os
import socket
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from . import goldens
from .browser import BrowserSettings
from .bundle import Bundle, read_bundle
from .compare import GoldenViews, views
from .environment import default_jobs
from .errors import BadInput
from .hosts import HostOverrides, check_host, parse_map
from .remote import check_endpoint, parse_shard, record_shared, shard, worker_endpoints, xdist_worker
from .sites import load_site, netease, set_current
from .targets import (
    MODES,
    Target,
    check_user_agent,
    load_host_overrides,
    load_user_agent,
    load_watchlist,
    site_overlay_path,
    site_overlays,
)

PLAYWRIGHT_LAYER = "netease-capture-playwright"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("netease-capture")
    group.addoption("--live", action="store_true", default=False,
                    help="run against www.163.com (or --base-url's origin) and compare the 'live' goldens")
    group.addoption("--watchlist", default=None, metavar="FILE",
                    help="watchlist to test (default: pages.toml, or pages.live.toml with --live, in the rootdir)")
    group.addoption("--capture-jobs", type=int, default=default_jobs(), metavar="N",
                    help=f"pages the session capture loads at once (default: 2 per core, 2 to 8; here {default_jobs()})")
    group.addoption("--connect", action="append", default=[], metavar="WS_ENDPOINT",
                    help="capture with the remote browser at this Playwright endpoint; repeat it, and "
                         "xdist worker gwN uses endpoint N mod count")
    group.addoption("--remote-executable", default=None, metavar="PATH",
                    help="with --connect to `playwright run-server --unsafe`: the Chromium it launches")
    group.addoption("--shard", default=None, metavar="i/N",
                    help="watch only the i-th of N contiguous slices of the watchlist (sorted by id)")
    group.addoption("--allow-host", action="append", default=[], metavar="HOST",
                    help="let the captured pages reach this host (or *.domain) too; repeatable")
    group.addoption("--block-host", action="append", default=[], metavar="HOST",
                    help="block this host (or *.domain) in the captured pages; repeatable")
    group.addoption("--map-host", action="append", default=[], metavar="HOST=ORIGIN",
                    help="answer the captured pages' requests for HOST from ORIGIN (path and query kept); "
                         "repeatable")
    group.addoption("--site", default=None, metavar="FILE",
                    help="site table overlay to layer over the package's (default: netease.toml beside the "
                         "watchlist, if there is one)")
    group.addoption("--user-agent", default=None, metavar="UA",
                    help="the User-Agent captured pages see (default: the watchlist's user_agent, else the "
                         "site table's desktop Chrome)")
    group.addoption("--a11y", choices=("figures", "full"), default="figures",
                    help="figures (default): the session capture measures normal pages without axe-core; "
                         "full: runs axe there too (the 关怀版 always runs it)")


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin(PLAYWRIGHT_LAYER):
        # Registered here, after every entry-point plugin, so its fixtures override
        # pytest-playwright's of the same names whatever order the entry points load in.
        from . import pytest_browser

        config.pluginmanager.register(pytest_browser, PLAYWRIGHT_LAYER)
    try:  # a bad --shard or --connect is one line, before any collection
        parse_shard(config.getoption("--shard"))
        for endpoint in config.getoption("--connect"):
            check_endpoint(endpoint)
        host_options(config)
        user_agent(config)
        # The table every extraction, text region, skeleton and mask of the session reads.
        overlays = site_overlays(config.getoption("--site"), watchlist_path(config))
        if overlays:
            set_current(load_site(overlays))
    except BadInput as exc:
        raise pytest.UsageError(str(exc)) from None
    # CAPTURE_GOLDENS_ROOT: another goldens folder (the suite-growth benchmark writes a temporary one).
    goldens.configure(Path(os.environ.get("CAPTURE_GOLDENS_ROOT") or config.rootpath / "snapshots"),
                      "live" if config.getoption("--live") else "replica")
    # Snapshot hygiene: a run of one test id or `-k` must never mark other goldens unused, nor let
    # `--snapshot-update` delete them. syrupy shares one top-level snapshots/ folder between every
    # test module and both targets, so cleanup is off and unused goldens only warn.
    if hasattr(config.option, "no_cleanup"):
        config.option.no_cleanup = True
    if hasattr(config.option, "warn_unused_snapshots"):
        config.option.warn_unused_snapshots = True


def watchlist_path(config: pytest.Config) -> Path:
    chosen = config.getoption("--watchlist")
    if chosen:
        return Path(chosen)
    return config.rootpath / ("pages.live.toml" if config.getoption("--live") else "pages.toml")


def host_options(config: pytest.Config) -> HostOverrides:
    """``--allow-host``, ``--block-host`` and ``--map-host`` as host-policy rows (a bad one is BadInput)."""
    return HostOverrides(tuple(check_host(h, "--allow-host") for h in config.getoption("--allow-host")),
                         tuple(check_host(h, "--block-host") for h in config.getoption("--block-host")),
                         tuple(parse_map(m) for m in config.getoption("--map-host")))


def user_agent(config: pytest.Config) -> str | None:
    """``--user-agent``, else the watchlist's ``user_agent``; None: the site table's (a bad one is BadInput)."""
    if (chosen := config.getoption("--user-agent")) is not None:
        return check_user_agent(chosen)
    return load_user_agent(watchlist_path(config))


def live_origin(config: pytest.Config) -> str | None:
    """Under ``--live``, where the live pages load from when not www.163.com: pytest-base-url's
    ``--base-url`` (a mirror, or the replica), else None (www.163.com itself, or its ``--map-host``)."""
    chosen = config.getoption("--base-url", default=None) if config.getoption("--live") else None
    return str(chosen).rstrip("/") if chosen else None


def _live_host_mapped(config: pytest.Config) -> bool:
    """Whether ``--map-host`` or the watchlist's ``[hosts] map`` answers www.163.com from another origin."""
    host = netease.LIVE_ORIGIN.split("://", 1)[1]
    mapped = host_options(config).then(load_host_overrides(watchlist_path(config))).map
    return any(h == host for h, _origin in mapped)


def watched(config: pytest.Config) -> list[Target]:
    """The watchlist, limited to ``--shard``; with CAPTURE_REPLICA_ARTICLES set (and no --watchlist or
    --live) every replica article, generated ones included."""
    spec = parse_shard(config.getoption("--shard"))
    if os.environ.get("CAPTURE_REPLICA_ARTICLES") and not config.getoption("--watchlist") \
            and not config.getoption("--live"):
        from .replica import targets

        return shard(targets(), spec)
    path = watchlist_path(config)
    return shard(load_watchlist(path), spec) if path.is_file() else []


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``page_mode`` runs a test once per watched page and mode, with ids ``<id>-<mode>``."""
    if "page_mode" in metafunc.fixturenames:
        params = [(t, m) for t in watched(metafunc.config) for m in MODES]
        metafunc.parametrize("page_mode", params, ids=[f"{t.id}-{m}" for t, m in params], scope="session")


def _online(host: str = "www.163.com") -> bool:
    try:
        socket.create_connection((host, 443), timeout=3).close()
        return True
    except OSError:
        return False


# --- the site under test ----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def live(pytestconfig: pytest.Config) -> bool:
    return bool(pytestconfig.getoption("--live"))


@pytest.fixture(scope="session")
def replica_server() -> Iterator[Any]:
    """The built-in replica of NetEase, as it serves by default (no drift, no fault), on 127.0.0.1."""
    from .replica import ReplicaServer

    with ReplicaServer() as server:
        yield server


@pytest.fixture(scope="session")
def site_origin(live: bool, request: pytest.FixtureRequest) -> str:
    """The origin pages are loaded from: the replica or, with ``--live``, www.163.com (``--base-url``
    or a ``--map-host`` of www.163.com stand in for it: then no probe of the real site)."""
    if live:
        if origin := live_origin(request.config):
            return origin
        if not _live_host_mapped(request.config) and not _online():
            pytest.skip("--live needs www.163.com, which this machine cannot reach")
        return netease.LIVE_ORIGIN
    return request.getfixturevalue("replica_server").base_url


@pytest.fixture(scope="module")
def replica_only(live: bool) -> None:
    """Tests of the harness on the replica itself (drifts, faults, recorder) skip under ``--live``."""
    if live:
        pytest.skip("this module drives the replica; --live runs the golden suites only")


# --- the session capture and the golden fixtures -----------------------------------------------------

@pytest.fixture(scope="session")
def watchlist(pytestconfig: pytest.Config) -> list[Target]:
    targets = watched(pytestconfig)
    if not targets:
        pytest.skip(f"no watchlist at {watchlist_path(pytestconfig)}: nothing to compare")
    return targets


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
def captured(watchlist: list[Target], site_origin: str, live: bool, pytestconfig: pytest.Config,
             tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> dict[tuple[str, str], Any]:
    """Every watched page the selected tests need, in both modes, captured once per session.

    Returns ``{(id, mode): bundle folder}``; a capture that failed maps to its reason (a str).
    """
    from .recorder import RecordOptions, record

    targets = selected_pages(request.session.items, watchlist)
    snapshots = tmp_path_factory.mktemp("session-snapshots")
    endpoints = tuple(check_endpoint(e) for e in pytestconfig.getoption("--connect"))
    cli, path = host_options(pytestconfig), watchlist_path(pytestconfig)
    settings = BrowserSettings(extra_allowed_hosts=cli.allow, extra_blocked_hosts=cli.block, host_map=cli.map,
                               user_agent=user_agent(pytestconfig))
    base = site_origin if not live else live_origin(pytestconfig)
    opts = RecordOptions(base_url=base, replica=not live, jobs=pytestconfig.getoption("--capture-jobs"),
                         connect=worker_endpoints(endpoints, xdist_id(pytestconfig)),
                         remote_executable=pytestconfig.getoption("--remote-executable"), settings=settings,
                         hosts=load_host_overrides(path), a11y=pytestconfig.getoption("--a11y"))
    worker = xdist_worker(getattr(pytestconfig, "workerinput", None))
    if worker is None:
        rows = [o.row() for o in record(targets, snapshots, opts)]
    else:  # every page once for all workers: shared under the run's base temp (xdist's own pattern)
        rows = record_shared(targets, tmp_path_factory.getbasetemp().parent / "shared-capture", worker,
                             lambda part, snaps: record(part, snaps, opts))
    result = {(r["id"], r["mode"]): (Path(r["path"]) if r["status"] == "ok" else r["reason"]) for r in rows}
    pytestconfig.stash[CAPTURED] = (result, {t.id: t for t in watchlist}, opts.base_url)
    return result


class CaptureCache:
    """This session's bundles and their golden views, each read or computed once.

    A page×mode has six tests that read its bundle and five that compare its views; extracting the
    page once instead of five times is most of what a test costs. Views (a few kB each) are kept for
    the session and shared, read-only, by the page's tests; bundles (DOM, screenshot: up to a few MB)
    only for the last few pages, as the page's tests mostly run together.
    """

    BUNDLES_KEPT = 4

    def __init__(self) -> None:
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
        if path not in self._views:
            self._views[path] = views(self.bundle(path))
        return self._views[path]


@pytest.fixture(scope="session")
def capture_cache() -> CaptureCache:
    """The session's :class:`CaptureCache` (one extraction per captured page and mode)."""
    return CaptureCache()


def _captured_path(page_mode: tuple[Target, str], captured: dict[tuple[str, str], Any]) -> Path:
    target, mode = page_mode
    got = captured.get((target.id, mode))
    if not isinstance(got, Path):
        pytest.fail(f"capture of {target.id}/{mode} failed: {got}")
    return got


@pytest.fixture
def capture_bundle(page_mode: tuple[Target, str], captured: dict[tuple[str, str], Any],
                   capture_cache: CaptureCache) -> Bundle:
    """This test's page and mode as captured this session; the test fails if that capture failed."""
    return capture_cache.bundle(_captured_path(page_mode, captured))


@pytest.fixture
def capture_views(page_mode: tuple[Target, str], captured: dict[tuple[str, str], Any],
                  capture_cache: CaptureCache) -> GoldenViews:
    """The views a golden keeps of this test's capture (extraction, skeleton, text, aria, a11y),
    computed once per page and mode and shared by its tests (read them, do not change them)."""
    return capture_cache.views(_captured_path(page_mode, captured))


@dataclass(frozen=True)
class Goldens:
    """syrupy's ``snapshot``, once per stored format: ``assert capture_views.text == golden.text``."""

    extraction: Any
    skeleton: Any
    text: Any
    aria: Any
    a11y: Any


@pytest.fixture
def golden(snapshot: Any) -> Goldens:
    """The golden of each view of this test's page, stored as ``capture accept`` stores it."""
    return Goldens(extraction=snapshot.use_extension(goldens.GoldenJSON),
                   skeleton=snapshot.use_extension(goldens.GoldenSkeleton),
                   text=snapshot.use_extension(goldens.GoldenText),
                   aria=snapshot.use_extension(goldens.GoldenAria),
                   a11y=snapshot.use_extension(goldens.GoldenA11y))


# --- the environment goldens: compared where the environment matches, said once where it does not ---

ENV_NOTES = pytest.StashKey[set[str]]()


def note_environment(config: pytest.Config, note: str) -> None:
    """Something the run did not compare because of its environment, for the one summary line."""
    config.stash.setdefault(ENV_NOTES, set()).add(note)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    for note in sorted(config.stash.get(ENV_NOTES, set())):
        terminalreporter.write_line(note)


# --- after a failing run: a check report of the failed pages, for `capture review` ------------------

CAPTURED = pytest.StashKey[tuple[dict, dict, Any]]()
FAILED_PAGES = pytest.StashKey[set[tuple[str, str]]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    rep = yield
    params = getattr(getattr(item, "callspec", None), "params", {})
    if rep.failed and rep.when in ("setup", "call") and "page_mode" in params:
        target, mode = params["page_mode"]
        item.config.stash.setdefault(FAILED_PAGES, set()).add((target.id, mode))
        if getattr(item, "originalname", "") == EXTRACTION_TEST:  # only once an extraction golden failed
            _add_repair_note(item, rep, target, mode)
    return rep


#: The extraction golden's test (capture.goldens.KINDS): its failure gets the proposed repair.
EXTRACTION_TEST = dict((k, t) for k, t, _ext in goldens.KINDS)["extraction"]


def _add_repair_note(item: pytest.Item, rep: Any, target: Target, mode: str) -> None:
    """Name the proposed repair and the command that applies it, next to syrupy's diff."""
    from .cli import repair_command
    from .errors import CaptureError
    from .repair import failure_note, repair_bundle
    from .repair.site import Table

    stash = item.config.stash.get(CAPTURED, None)
    path = stash[0].get((target.id, mode)) if stash else None
    golden_file = goldens.golden_dir(Path(str(item.path)).stem) / f"{item.name}.json"
    if not isinstance(path, Path) or not golden_file.is_file():
        return
    root, target_set = goldens.current()
    chosen = item.config.getoption("--site")
    overlays = site_overlays(chosen, watchlist_path(item.config))
    overlay = site_overlay_path(chosen, watchlist_path(item.config))
    try:
        golden = json.loads(golden_file.read_text(encoding="utf-8"))
        repair = repair_bundle(path, golden, target.id, mode, root, target_set, Table(tuple(overlays)), overlay)
    except (CaptureError, OSError, ValueError) as exc:
        note = f"no repair proposed: {exc}\n"
    else:
        site = Path(chosen) if chosen else None
        snapshots = None if Path(root).resolve() == Path("snapshots").resolve() else Path(root)
        note = failure_note(repair, repair_command([target.id], mode, site, snapshots))
    if not note:
        return
    if hasattr(rep.longrepr, "addsection"):
        rep.longrepr.addsection("proposed repair (capture repair)", note)
    else:
        rep.sections.append(("proposed repair (capture repair)", note))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write ``<snapshots>/reports/last-pytest.json`` (same format as ``capture check``) on failure."""
    failed = session.config.stash.get(FAILED_PAGES, set())
    stash = session.config.stash.get(CAPTURED, None)
    if not failed or stash is None:
        return
    from datetime import UTC, datetime

    from .check import compare_bundle
    from .errors import CaptureError
    from .report import CheckReport, Difference, PageResult, reports_dir

    captured, targets, base_url = stash
    root, target_set = goldens.current()
    report = CheckReport(created_at=datetime.now(UTC).isoformat(timespec="seconds"), snapshots=str(root),
                         target=target_set, base_url=base_url)
    for target_id, mode in sorted(failed):
        target, path = targets[target_id], captured.get((target_id, mode))
        try:
            if not isinstance(path, Path):
                raise CaptureError(str(path))
            report.results.append(compare_bundle(target, mode, path, root, target_set))
        except CaptureError as exc:
            report.results.append(PageResult(target_id, mode, target.url, "failed",
                                             [Difference("fetch-failed", "page", str(exc))]))
    report.write(reports_dir(root) / "last-pytest.json")
