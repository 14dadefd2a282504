"""The pytest plugin of netease-capture, registered with the ``pytest11`` entry point.

``pip install netease-capture`` in any repository with a ``pages.toml`` gives its pytest the options
(``--live``, ``--replica-url``, ``--watchlist``, ``--connect``, ``--shard`` …), one capture of the
watched pages per session, and the golden fixtures. The options build the same run
(:mod:`capture.run`) as the ``capture`` command; this package only adds pytest's side:

    options     the options → the session's RunConfig
    fixtures    capture_run → watchlist → captured → capture_views, golden (by page, mode and view)
    reporting   the repair beside a failing extraction golden; last-pytest.json after every session
    browser     the layer over pytest-playwright's fixtures (launch and context options)
"""

from __future__ import annotations

import contextlib
from typing import Any

import pytest

from .fixtures import (
    CaptureCache,
    Goldens,
    capture_bundle,
    capture_cache,
    capture_run,
    capture_views,
    captured,
    golden,
    live,
    pytest_generate_tests,
    replica_only,
    replica_server,
    site_origin,
    watchlist,
)
from .options import RUN as RUN_KEY
from .options import configure_run, pytest_addoption, run_of, unreachable
from .reporting import (
    note_environment,
    pytest_runtest_makereport,
    pytest_sessionfinish,
    pytest_terminal_summary,
)

PLAYWRIGHT_LAYER = "netease-capture-playwright"
_LOCK = pytest.StashKey[Any]()

__all__ = ["CaptureCache", "Goldens", "capture_bundle", "capture_cache", "capture_run", "capture_views",
           "captured", "golden", "live", "note_environment", "pytest_addoption", "pytest_configure",
           "pytest_generate_tests", "pytest_report_header", "pytest_runtest_makereport", "pytest_sessionfinish",
           "pytest_terminal_summary", "pytest_unconfigure", "replica_only", "replica_server", "run_of",
           "site_origin", "watchlist"]


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin(PLAYWRIGHT_LAYER):
        # Registered here, after every entry-point plugin, so its fixtures override
        # pytest-playwright's of the same names whatever order the entry points load in.
        from . import browser

        config.pluginmanager.register(browser, PLAYWRIGHT_LAYER)
    if config.option.help or getattr(config.option, "version", False):
        return
    run = configure_run(config)
    if (why := unreachable(run)) is not None:
        if not config.getoption("--skip-unreachable"):
            raise pytest.UsageError(why)
    # Snapshot hygiene: a run of one test id or `-k` must never mark other goldens unused, nor let
    # `--snapshot-update` delete them: each golden test owns one file, and cleanup is off.
    if hasattr(config.option, "no_cleanup"):
        config.option.no_cleanup = True
    if hasattr(config.option, "warn_unused_snapshots"):
        config.option.warn_unused_snapshots = True
    if getattr(config.option, "update_snapshots", False) and not hasattr(config, "workerinput"):
        # --snapshot-update writes goldens: one writer per snapshots folder, as `capture accept`.
        from ..lock import snapshots_lock

        stack = contextlib.ExitStack()
        try:
            stack.enter_context(snapshots_lock(run.snapshots))
        except Exception as exc:
            raise pytest.UsageError(str(exc)) from None
        config.stash[_LOCK] = stack


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Which run this is, as ``capture`` prints it: the watchlist, where pages load from, the goldens."""
    run = config.stash.get(RUN_KEY, None)
    if run is None:
        return []
    origin = run.origin.url or ("the built-in replica" if run.origin.replica else run.site.live_origin)
    return [f"netease-capture: {run.watchlist.line()}; pages from {origin}; goldens {run.store.folder}"
            + (f"; site overlay {', '.join(map(str, run.overlays))}" if run.overlays else "")]


def pytest_unconfigure(config: pytest.Config) -> None:
    stack = config.stash.get(_LOCK, None)
    if stack is not None:
        stack.close()

