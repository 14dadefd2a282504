"""One run, configured once: what to capture, from where, read by which site table, compared with
which goldens. Both front ends (``capture`` and the pytest plugin) fill a :class:`RunRequest` from their
own options and call :func:`build`; everything after that reads the :class:`RunConfig` it returns.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from ..browser import BrowserSettings, host_of
from ..environment import default_jobs
from ..errors import BadInput
from ..goldens import GoldenStore, TargetSet
from ..hosts import HostOverrides, check_host, parse_map
from ..record.options import A11Y_LEVELS, RecordOptions
from ..remote import check_endpoint, parse_shard, shard
from ..sites import Site, default_site, load_site
from ..targets import (
    Target,
    check_id,
    check_url,
    check_user_agent,
    load_host_overrides,
    load_user_agent,
    load_watchlist,
    parse_modes,
    resolve,
    site_overlay_path,
    site_overlays,
)

DEFAULT_SNAPSHOTS = Path("snapshots")
WATCHLIST = "pages.toml"
LIVE_WATCHLIST = "pages.live.toml"


class OriginKind(StrEnum):
    """Where pages are loaded from."""

    REPLICA = "replica"  # the built-in replica, started for the run (the offline default)
    REPLICA_URL = "replica-url"  # a replica already serving (``capture serve``, with a drift or churn)
    BASE_URL = "base-url"  # a mirror answering www.163.com
    LIVE = "live"  # www.163.com itself (or what ``--map-host`` answers it from)


@dataclass(frozen=True)
class RunRequest:
    """What a user asked for, in either front end's words (argparse's ``dest`` names)."""

    root: Path = Path()
    pages: tuple[str, ...] = ()
    watchlist: Path | None = None
    live: bool = False
    replica: bool = False
    replica_url: str | None = None
    base_url: str | None = None
    map_host: tuple[str, ...] = ()
    allow_host: tuple[str, ...] = ()
    block_host: tuple[str, ...] = ()
    site: Path | None = None
    user_agent: str | None = None
    modes: str = "normal,care"
    jobs: int = field(default_factory=default_jobs)
    timeout: float = 20.0
    retries: int = 3
    connect: tuple[str, ...] = ()
    remote_executable: str | None = None
    shard: str | None = None
    replay: bool = False
    force: bool = False
    a11y: str = "figures"
    snapshots: Path | None = None
    #: The pytest suite's development switch: every replica article (generated ones too).
    replica_articles: bool = False

    @classmethod
    def of(cls, values: dict[str, object], root: Path = Path()) -> RunRequest:
        """A request from a mapping of option values (``vars(argparse.Namespace)``); unknown keys are
        ignored, lists become tuples, None keeps the default."""
        known = {f for f in cls.__dataclass_fields__}
        kw: dict[str, object] = {"root": root}
        for key, value in values.items():
            if key not in known or value is None:
                continue
            kw[key] = tuple(value) if isinstance(value, list) else value
        return cls(**kw)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Watchlist:
    """The watched pages and where they came from (printed by every command, named in errors)."""

    targets: tuple[Target, ...]
    source: str
    path: Path | None = None

    def line(self) -> str:
        return f"watchlist: {self.source} ({len(self.targets)} page{'s' if len(self.targets) != 1 else ''})"


@dataclass(frozen=True)
class Origin:
    kind: OriginKind
    url: str | None = None  # None: not known yet (the built-in replica) or www.163.com itself

    @property
    def offline(self) -> bool:
        return self.kind is not OriginKind.LIVE

    @property
    def replica(self) -> bool:
        return self.kind in (OriginKind.REPLICA, OriginKind.REPLICA_URL)


@dataclass(frozen=True)
class RunConfig:
    """A run, resolved: every command and the pytest session read this and nothing else."""

    request: RunRequest
    watchlist: Watchlist
    origin: Origin
    site: Site
    #: The overlay files layered over the package table (``--site``, else netease.toml beside the watchlist).
    overlays: tuple[Path, ...]
    #: Where ``repair --apply`` writes (``--site``, else netease.toml beside the watchlist).
    overlay_path: Path
    store: GoldenStore
    options: RecordOptions

    @property
    def snapshots(self) -> Path:
        return self.store.root

    @property
    def targets(self) -> list[Target]:
        return list(self.watchlist.targets)

    def with_base_url(self, base_url: str | None) -> RunConfig:
        return replace(self, origin=replace(self.origin, url=base_url), options=replace(self.options, base_url=base_url))

    def resolve(self, pages: list[str] | tuple[str, ...], *, extra: list[Target] | None = None,
                what: str = "") -> list[Target]:
        """Ids (of the watchlist, then ``extra``: the last run's pages) and URLs → targets."""
        watch, name = list(self.watchlist.targets), self.watchlist.source
        if extra:
            watch, name = [*watch, *(t for t in extra if t.id not in {w.id for w in watch})], f"{name}{what}"
        base = self.origin.url if self.origin.kind is not OriginKind.LIVE else None
        loopback = tuple(h for h in (_host_or_none(p) for p in pages if "://" in p) if h in ("127.0.0.1", "localhost"))
        return resolve(list(pages), watch, allow_hosts=(*self.request.allow_host, *loopback), base_url=base,
                       known_as=name)

    def hint_options(self) -> str:
        """The options a printed command must carry to act on the same files (``--snapshots``,
        ``--site``, ``--watchlist``, ``--live``): every hint line ends with these."""
        parts = []
        if self.store.target is TargetSet.LIVE:
            parts.append("--live")
        if self.request.snapshots is not None and Path(self.request.snapshots) != DEFAULT_SNAPSHOTS:
            parts.append(f"--snapshots {self.request.snapshots}")
        if self.request.site is not None:
            parts.append(f"--site {self.request.site}")
        if self.request.watchlist is not None:
            parts.append(f"--watchlist {self.request.watchlist}")
        return " ".join(parts)

    def command(self, name: str, ids: list[str] | tuple[str, ...] = (), *, mode: str | None = None,
                tail: str = "") -> str:
        """A command line for the user to run next, with this run's options."""
        parts = ["capture", name, *ids]
        if mode:
            parts.append(f"--mode {mode}")
        if opts := self.hint_options():
            parts.append(opts)
        if tail:
            parts.append(tail)
        return " ".join(parts)


def _host_or_none(url: str) -> str | None:
    """The URL's host; None for a malformed URL (``resolve`` then names it, as bad input)."""
    try:
        return host_of(url)
    except ValueError:
        return None


# --- building --------------------------------------------------------------------------------------

def build(req: RunRequest, *, for_repair: bool = False) -> RunConfig:
    """Validate ``req`` and resolve it: the one place options get their meaning and defaults.
    Raises :class:`BadInput` (one line) on anything wrong; starts nothing."""
    origin = _origin(req)
    watch = _watchlist(req, origin)
    path = watch.path
    overlays = tuple(site_overlays(req.site, path))
    if for_repair and req.site is not None and not Path(req.site).exists():
        overlays = ()  # the overlay repair is to write: none yet is the package table alone
    site = load_site(overlays) if overlays else default_site()
    snapshots = Path(req.snapshots) if req.snapshots is not None else \
        Path(os.environ.get("CAPTURE_GOLDENS_ROOT") or req.root / DEFAULT_SNAPSHOTS)
    store = GoldenStore(snapshots, TargetSet.LIVE if req.live else TargetSet.REPLICA)
    options = _record_options(req, origin, site, path)
    targets = shard(list(watch.targets), parse_shard(req.shard))
    watch = replace(watch, targets=tuple(targets))
    return RunConfig(request=req, watchlist=watch, origin=origin, site=site, overlays=overlays,
                     overlay_path=site_overlay_path(req.site, path if path is not None else req.root / WATCHLIST),
                     store=store, options=options)


def _origin(req: RunRequest) -> Origin:
    given = [flag for flag, on in (("--replica", req.replica), ("--replica-url", req.replica_url),
                                   ("--base-url", req.base_url)) if on]
    if len(given) > 1:
        raise BadInput(f"give one of {', '.join(given)}, not several")
    if req.live and (req.replica or req.replica_url):
        raise BadInput("give --live or --replica/--replica-url, not both (--live --base-url ORIGIN loads the "
                       "live pages from a mirror)")
    if req.replica_url:
        return Origin(OriginKind.REPLICA_URL, _check_origin(req.replica_url, "--replica-url"))
    if req.base_url:
        return Origin(OriginKind.BASE_URL, _check_origin(req.base_url, "--base-url"))
    if req.live:
        return Origin(OriginKind.LIVE)
    return Origin(OriginKind.REPLICA)


def _check_origin(value: str, flag: str) -> str:
    try:
        _host, origin = parse_map(f"www.163.com={value}", flag)
    except BadInput:
        raise BadInput(f"bad {flag} {value!r}: give an http(s) origin such as http://127.0.0.1:8000") from None
    return origin


def _watchlist(req: RunRequest, origin: Origin) -> Watchlist:
    """The watchlist, the same way for every command and the pytest session: ``--watchlist FILE``; else,
    with ``--live``, pages.live.toml when there is one; else pages.toml; else ``[tool.capture] pages``
    in pyproject.toml; else, on a replica, the replica's own articles."""
    if req.watchlist is not None:
        path = Path(req.watchlist)
        return Watchlist(tuple(load_watchlist(path)), str(path), path)
    if req.replica_articles and not req.live:
        from ..replica import targets

        return Watchlist(tuple(targets()), "every replica article (CAPTURE_REPLICA_ARTICLES)")
    names = (LIVE_WATCHLIST, WATCHLIST) if req.live else (WATCHLIST,)
    for name in names:
        path = req.root / name
        if path.is_file():
            return Watchlist(tuple(load_watchlist(path)), _shown(path, req.root), path)
    if pages := _pyproject_watchlist(req.root / "pyproject.toml"):
        return Watchlist(tuple(pages), "pyproject.toml [tool.capture] pages")
    if origin.replica:
        from ..replica import targets

        return Watchlist(tuple(targets()), f"the replica's articles (no {WATCHLIST} here)")
    return Watchlist((), f"no watchlist (no {WATCHLIST} in {req.root.resolve()})")


def _shown(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if root == Path() else str(path)


def _pyproject_watchlist(path: Path) -> list[Target]:
    """``[tool.capture] pages = [{id, url}, …]`` in pyproject.toml, the alternative to pages.toml."""
    if not path.is_file():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: {exc}: fix that line") from None
    except RecursionError:
        raise BadInput(f"{path}: nested too deeply to read: simplify the file") from None
    pages = data.get("tool", {}).get("capture", {}).get("pages", [])
    if not isinstance(pages, list) or not all(isinstance(p, dict) and isinstance(p.get("id"), str)
                                              and isinstance(p.get("url"), str) for p in pages):
        raise BadInput(f"{path}: [tool.capture] pages must be a list of {{id = \"…\", url = \"…\"}} tables")
    return [Target(check_id(p["id"]), check_url(p["url"])) for p in pages]


def _record_options(req: RunRequest, origin: Origin, site: Site, watchlist: Path | None) -> RecordOptions:
    if not 1 <= req.jobs <= 16:
        raise BadInput(f"bad --jobs {req.jobs}: use 1 to 16")
    if not (isinstance(req.timeout, int | float) and math.isfinite(req.timeout) and 0 < req.timeout <= 3600):
        raise BadInput(f"bad --timeout {req.timeout}: give seconds, more than 0 and at most 3600")
    if not 1 <= req.retries <= 20:
        raise BadInput(f"bad --retries {req.retries}: use 1 to 20")
    if req.a11y not in A11Y_LEVELS:
        raise BadInput(f"bad --a11y {req.a11y!r}: use {' or '.join(A11Y_LEVELS)}")
    if req.remote_executable and not req.connect:
        raise BadInput("--remote-executable needs --connect WS_ENDPOINT")
    user_agent = check_user_agent(req.user_agent) if req.user_agent is not None else \
        (load_user_agent(watchlist) if watchlist is not None else None)
    settings = BrowserSettings(extra_allowed_hosts=tuple(check_host(h, "--allow-host") for h in req.allow_host),
                               extra_blocked_hosts=tuple(check_host(h, "--block-host") for h in req.block_host),
                               host_map=tuple(parse_map(m) for m in req.map_host),
                               navigation_timeout_ms=req.timeout * 1000, user_agent=user_agent)
    return RecordOptions(modes=parse_modes(req.modes), base_url=origin.url if origin.offline else None,
                         replica=origin.replica, jobs=req.jobs, replay=req.replay, force=req.force,
                         retries=req.retries, settings=settings, ready_timeout_ms=min(8_000, req.timeout * 1000),
                         connect=tuple(check_endpoint(e) for e in req.connect),
                         remote_executable=req.remote_executable,
                         hosts=load_host_overrides(watchlist) if watchlist is not None else HostOverrides(),
                         a11y=req.a11y, site=site)


def live_host_mapped(config: RunConfig) -> bool:
    """Whether ``--map-host`` or the watchlist's ``[hosts] map`` answers www.163.com from elsewhere."""
    host = host_of(config.site.live_origin)
    cli = HostOverrides(map=config.options.settings.host_map)
    return any(h == host for h, _o in cli.then(config.options.hosts).map)


# --- starting ----------------------------------------------------------------------------------------

@contextlib.contextmanager
def started(config: RunConfig, *, announce: bool = True) -> Iterator[RunConfig]:
    """The run with its origin serving: the built-in replica is started here (and stopped after);
    every other origin is used as given."""
    if config.origin.kind is not OriginKind.REPLICA or config.origin.url:
        yield config
        return
    from ..replica import ReplicaServer

    with ReplicaServer() as srv:
        if announce:
            print(f"replica serving on {srv.base_url}", file=sys.stderr)
        yield config.with_base_url(srv.base_url)
