"""The plugin's options, and the run they describe: the same :class:`~capture.run.RunConfig` the
``capture`` command builds, with the same meanings (``--replica``, ``--replica-url``, ``--base-url``,
``--map-host`` …), built once per session in ``pytest_configure``."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from ..environment import default_jobs
from ..errors import BadInput
from ..run import OriginKind, RunConfig, RunRequest, build
from ..run.config import live_host_mapped

RUN = pytest.StashKey[RunConfig]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("netease-capture")
    group.addoption("--live", action="store_true", default=False,
                    help="run against www.163.com (or --base-url's origin) and compare the 'live' goldens")
    group.addoption("--replica", action="store_true", default=False,
                    help="load pages from the built-in replica (the default without --live)")
    group.addoption("--replica-url", default=None, metavar="ORIGIN",
                    help="load pages from a replica already serving at ORIGIN (capture serve --drift/--churn)")
    group.addoption("--skip-unreachable", action="store_true", default=False,
                    help="with --live: skip, instead of failing, when www.163.com cannot be reached")
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


def request_of(config: pytest.Config) -> RunRequest:
    """The pytest options as the run layer's request (the CLI's names and meanings)."""
    opt = config.getoption
    base = opt("--base-url", default=None)
    return RunRequest(
        root=config.rootpath, watchlist=Path(opt("--watchlist")) if opt("--watchlist") else None,
        live=bool(opt("--live")), replica=bool(opt("--replica")), replica_url=opt("--replica-url"),
        base_url=str(base).rstrip("/") if base else None, map_host=tuple(opt("--map-host")),
        allow_host=tuple(opt("--allow-host")), block_host=tuple(opt("--block-host")),
        site=Path(opt("--site")) if opt("--site") else None, user_agent=opt("--user-agent"),
        jobs=opt("--capture-jobs"), connect=tuple(opt("--connect")), remote_executable=opt("--remote-executable"),
        shard=opt("--shard"), a11y=opt("--a11y"),
        snapshots=Path(os.environ["CAPTURE_GOLDENS_ROOT"]) if os.environ.get("CAPTURE_GOLDENS_ROOT") else None,
        replica_articles=bool(os.environ.get("CAPTURE_REPLICA_ARTICLES")))


def configure_run(config: pytest.Config) -> RunConfig:
    """Build the session's run once; a bad option is one usage line, before any collection."""
    try:
        run = build(request_of(config))
    except BadInput as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[RUN] = run
    return run


def unreachable(run: RunConfig) -> str | None:
    """Why ``--live`` cannot run here (None: it can): www.163.com itself, unmapped, out of reach."""
    if run.origin.kind is not OriginKind.LIVE or live_host_mapped(run):
        return None
    host = run.site.live_origin.split("://", 1)[1].split("/")[0]
    probe = os.environ.get("CAPTURE_LIVE_PROBE") or f"{host}:443"  # tests point it at a closed loopback port
    probe_host, _, port = probe.rpartition(":")
    try:
        socket.create_connection((probe_host, int(port)), timeout=3).close()
        return None
    except OSError as exc:
        return (f"--live: {host} cannot be reached from this machine ({exc.strerror or exc}); nothing would be "
                "watched. Run where it can be reached, point --base-url/--map-host at a mirror, or pass "
                "--skip-unreachable to skip instead")


def run_of(config: pytest.Config) -> RunConfig:
    return config.stash[RUN]
