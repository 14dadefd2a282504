"""The ``capture`` command. Thin: parse arguments, call the package, print, map outcomes to exit codes.

Exit codes: 0 ok; 1 a capture failed (or, for ``check``, something changed); 2 bad input or an
unrecognised layout; 3 no browser; 4 the snapshots folder is busy; 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
import tomllib
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .browser import BrowserSettings, host_of
from .environment import default_jobs
from .errors import BadInput, CaptureError, LayoutNotRecognized, MissingField, first_line

if TYPE_CHECKING:
    from .targets import Target

DEFAULT_SNAPSHOTS = Path("snapshots")


def _add_common(p: argparse.ArgumentParser) -> None:
    # CAPTURE_GOLDENS_ROOT is the pytest plugin's goldens folder: the same default keeps both on one set.
    p.add_argument("--snapshots", type=Path, default=Path(os.environ.get("CAPTURE_GOLDENS_ROOT") or DEFAULT_SNAPSHOTS),
                   metavar="DIR", help="where bundles and goldens live (default: $CAPTURE_GOLDENS_ROOT, else ./snapshots)")


def _add_lookup(p: argparse.ArgumentParser) -> None:
    """What ids and URLs resolve against: every subcommand that takes pages has these."""
    p.add_argument("--watchlist", type=Path, metavar="FILE", help="pages.toml to read (default: ./pages.toml)")
    p.add_argument("--allow-host", action="append", default=[], metavar="HOST", help="admit another host")


def _add_origin(p: argparse.ArgumentParser) -> None:
    p.add_argument("--base-url", metavar="ORIGIN",
                   help="answer the watched www.163.com URLs from this origin (--map-host www.163.com=ORIGIN)")
    p.add_argument("--replica", action="store_true",
                   help="start the built-in replica and answer every host it knows from it (the page, its "
                        "stylesheets, images, comments…); hosts the policy blocks stay blocked")
    p.add_argument("--replica-url", metavar="ORIGIN",
                   help="like --replica, with a replica already serving at ORIGIN (capture serve, e.g. --drift/--churn)")


def _add_a11y(p: argparse.ArgumentParser) -> None:
    p.add_argument("--a11y", choices=("figures", "full"), default="figures",
                   help="figures (default): measure normal pages without axe-core (their findings never fail a "
                        "check); full: run axe there too. The 关怀版 always runs axe")


def _add_site(p: argparse.ArgumentParser) -> None:
    p.add_argument("--site", type=Path, metavar="FILE", default=None,
                   help="site table overlay to layer over the package's (default: netease.toml beside the "
                        "watchlist, if there is one)")


def _add_targets(p: argparse.ArgumentParser) -> None:
    p.add_argument("pages", nargs="*", metavar="ID|URL", help="watchlist ids or article URLs (default: all)")
    _add_origin(p)
    _add_lookup(p)
    _add_site(p)
    p.add_argument("--modes", default="normal,care", help="normal, care or normal,care (default)")
    p.add_argument("--jobs", type=int, default=default_jobs(), metavar="N",
                   help=f"pages loaded at once (default: 2 per core, 2 to 8; here {default_jobs()})")
    p.add_argument("--replay", action="store_true", help="load pages from the bundles' HAR, no network")
    p.add_argument("--timeout", type=float, default=20.0, metavar="S", help="navigation timeout in seconds")
    p.add_argument("--retries", type=int, default=3, metavar="N", help="attempts per page (5xx, resets, timeouts)")
    p.add_argument("--connect", action="append", default=[], metavar="WS_ENDPOINT",
                   help="use the remote browser at this Playwright endpoint (repeat: pages round-robin)")
    p.add_argument("--remote-executable", metavar="PATH",
                   help="with --connect to `playwright run-server --unsafe`: the Chromium it should launch")
    p.add_argument("--shard", metavar="i/N", help="take the i-th of N contiguous slices of the watchlist by id")
    p.add_argument("--block-host", action="append", default=[], metavar="HOST",
                   help="block this host's requests (or *.domain); beats the site's host policy")
    p.add_argument("--map-host", action="append", default=[], metavar="HOST=ORIGIN",
                   help="answer requests for HOST, any scheme, from ORIGIN (path and query kept); repeatable")
    p.add_argument("--user-agent", metavar="UA", default=None,
                   help="the User-Agent pages see (default: pages.toml's user_agent, else the site table's "
                        "desktop Chrome)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="capture", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"netease-capture {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    rec = sub.add_parser("record", help="capture pages into bundles (normal and 关怀版)")
    _add_common(rec)
    _add_targets(rec)
    rec.add_argument("--force", action="store_true", help="re-record complete bundles")
    _add_a11y(rec)

    chk = sub.add_parser("check", help="recapture pages and compare them with the goldens")
    _add_common(chk)
    _add_targets(chk)
    chk.add_argument("--live", action="store_true",
                     help="check against the 'live' goldens: www.163.com, or --base-url / --map-host's origin")
    chk.add_argument("--json", action="store_true", help="print the results as JSON (for CI)")
    _add_a11y(chk)
    chk.add_argument("--accept-new", action="store_true",
                     help="record goldens for pages that have none (listed as new; existing goldens are "
                          "never overwritten)")

    acc = sub.add_parser("accept", help="promote the last check's captures to golden")
    _add_common(acc)
    acc.add_argument("pages", nargs="+", metavar="ID|URL", help="ids (of the watchlist or the last check) or URLs")
    _add_lookup(acc)
    _add_site(acc)
    acc.add_argument("--mode", choices=("normal", "care"), default=None, help="only this mode (default both)")
    acc.add_argument("--live", action="store_true", help="write the 'live' goldens")

    rev = sub.add_parser("review", help="write an HTML review of the last check (or failing pytest run)")
    _add_common(rev)
    rev.add_argument("--report", type=Path, metavar="FILE",
                     help="report to review (default: the newer of <snapshots>/reports/last-check.json "
                          "and last-pytest.json)")
    rev.add_argument("--out", type=Path, metavar="FILE",
                     help="HTML file to write (default: <snapshots>/reports/review.html)")
    _add_lookup(rev)
    rev.add_argument("--site", type=Path, metavar="FILE", default=None,
                     help="the overlay repairs are proposed against (default: netease.toml beside pages.toml)")

    rep = sub.add_parser("repair", help="propose, verify and (--apply) write overlay selectors for pages whose "
                                        "extraction broke in the last check")
    _add_common(rep)
    rep.add_argument("pages", nargs="*", metavar="ID|URL", help="ids (of the watchlist or the last check) or URLs "
                                                               "(default: every failing page of the report)")
    _add_lookup(rep)
    rep.add_argument("--mode", choices=("normal", "care"), default=None, help="only this mode (default both)")
    rep.add_argument("--apply", action="store_true", help="write the verified repairs into the overlay (atomically)")
    rep.add_argument("--site", type=Path, metavar="FILE",
                     help="the overlay read and written (default: netease.toml beside pages.toml)")
    rep.add_argument("--report", type=Path, metavar="FILE",
                     help="check report to repair from (default: the newer of <snapshots>/reports/last-check.json "
                          "and last-pytest.json)")

    srv = sub.add_parser("serve", help="serve the built-in replica by hand")
    _add_common(srv)
    srv.add_argument("--port", default="0", help="port on 127.0.0.1 (default 0: any free port)")
    srv.add_argument("--drift", metavar="NAME", default=None,
                     help="serve every article, care page and /api/ answer with this drift self-test mutation "
                          "(names: capture.replica.drift.DRIFTS)")
    srv.add_argument("--churn", action="store_true",
                     help="change on every request what a live page changes (recommendations, ads, ids, counts)")

    ext = sub.add_parser("extract", help="print the structured extraction of a page")
    _add_common(ext)
    ext.add_argument("source", metavar="FILE|ID|URL", help="an HTML file, a watchlist id or an article URL")
    _add_origin(ext)
    _add_lookup(ext)
    _add_site(ext)
    ext.add_argument("--mode", choices=("normal", "care"), default=None)
    ext.add_argument("--format", choices=("json", "text"), default="json")
    return parser


# --- targets -------------------------------------------------------------------------------------

def _watchlist_path(args: argparse.Namespace) -> Path | None:
    if args.watchlist:
        return args.watchlist
    if Path("pages.toml").is_file():
        return Path("pages.toml")
    return None


def site_for(args: argparse.Namespace):
    """The site table a command runs with: the package's with ``--site FILE`` (else ``netease.toml``
    beside the watchlist) layered over it; a bad overlay is one BadInput line naming file and key."""
    from .sites import load_site
    from .targets import site_overlays

    chosen = getattr(args, "site", None)
    if args.command == "repair" and chosen is not None and not Path(chosen).exists():
        return load_site([])  # the overlay repair is to write: none yet is the package table alone
    return load_site(site_overlays(chosen, _watchlist_path(args)))


def _watchlist(args: argparse.Namespace, *, replica: bool) -> tuple[list[Target], str]:
    """The watched pages and what to call them in errors: pages.toml (or --watchlist), else
    ``[tool.capture] pages`` in pyproject.toml, else, on the replica, the replica's articles."""
    from .targets import load_watchlist

    path = _watchlist_path(args)
    if path is not None:
        return load_watchlist(path), str(path)
    if pyproject := _pyproject_watchlist():
        return pyproject, "pyproject.toml [tool.capture] pages"
    if replica:
        from .replica import targets
        return targets(), "the replica's articles"
    return [], "any watchlist (no pages.toml here)"


def _targets(args: argparse.Namespace, pages: list[str], *, base_url: str | None = None, replica: bool = False,
             checked: list[Target] | None = None, allow_hosts: tuple[str, ...] = ()) -> list[Target]:
    """The one resolver behind every subcommand that takes pages: ids of the watchlist (and, for
    ``accept``, of the last check) and article URLs, so each command takes what the others take."""
    from .targets import resolve

    watchlist, name = _watchlist(args, replica=replica)
    if checked:
        watchlist, name = [*checked, *watchlist], f"{name} nor the last check"  # the watchlist wins
    return resolve(pages, watchlist, allow_hosts=(*args.allow_host, *allow_hosts), base_url=base_url, known_as=name)


def _load_targets(args: argparse.Namespace, base_url: str | None) -> list[Target]:
    from .remote import parse_shard, shard

    targets = _targets(args, args.pages, base_url=base_url, replica=args.replica)
    if not targets:
        raise BadInput("nothing to capture: no pages.toml here; pass ids/URLs or --watchlist FILE")
    return shard(targets, parse_shard(getattr(args, "shard", None)))


def _pyproject_watchlist() -> list:
    """``[tool.capture] pages = [{id, url}, …]`` in ./pyproject.toml, the alternative to pages.toml."""
    from .targets import Target, check_id, check_url

    path = Path("pyproject.toml")
    if not path.is_file():
        return []
    try:
        pages = tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {}).get("capture", {}).get("pages", [])
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"{path}: {exc}") from None
    return [Target(check_id(p["id"]), check_url(p["url"])) for p in pages]


@contextlib.contextmanager
def _origin(args: argparse.Namespace) -> Iterator[str | None]:
    """The origin to load pages from: --base-url, a started replica (--replica) or a running one
    (--replica-url), or the live site (None)."""
    given = [flag for flag, on in (("--replica", args.replica), ("--replica-url", args.replica_url),
                                   ("--base-url", args.base_url)) if on]
    if len(given) > 1:
        raise BadInput(f"give one of {', '.join(given)}, not several")
    if args.replica_url:
        from .hosts import parse_map

        try:
            _host, origin = parse_map(f"www.163.com={args.replica_url}")
        except BadInput:
            raise BadInput(f"bad --replica-url {args.replica_url!r}: give an origin such as http://127.0.0.1:8000") from None
        args.replica = True
        yield origin
        return
    if args.replica:
        from .replica import ReplicaServer

        with ReplicaServer() as srv:
            print(f"replica serving on {srv.base_url}", file=sys.stderr)
            yield srv.base_url
        return
    if args.base_url:
        from .targets import check_url
        if "://" not in args.base_url:
            raise BadInput(f"bad --base-url {args.base_url!r}: give an origin such as http://127.0.0.1:8000")
        check_url(args.base_url.rstrip("/") + "/dy/article/AAAAAAAAAAAAAAAA.html",
                  allow_hosts=(host_of(args.base_url),))
    yield args.base_url


def _record_options(args: argparse.Namespace, base_url: str | None):
    from .hosts import HostOverrides, check_host, parse_map
    from .recorder import RecordOptions
    from .targets import check_user_agent, load_host_overrides, load_user_agent, parse_modes

    if args.jobs < 1 or args.jobs > 16:
        raise BadInput(f"bad --jobs {args.jobs}: use 1 to 16")
    if args.timeout <= 0:
        raise BadInput(f"bad --timeout {args.timeout}: give seconds > 0")
    path = _watchlist_path(args)
    user_agent = check_user_agent(args.user_agent) if args.user_agent is not None else None
    settings = BrowserSettings(extra_allowed_hosts=tuple(args.allow_host),
                               extra_blocked_hosts=tuple(check_host(h, "--block-host") for h in args.block_host),
                               host_map=tuple(parse_map(m) for m in args.map_host),
                               navigation_timeout_ms=args.timeout * 1000,
                               user_agent=user_agent or (load_user_agent(path) if path is not None else None))
    return RecordOptions(modes=parse_modes(args.modes), base_url=base_url, replica=bool(args.replica), jobs=args.jobs,
                         replay=args.replay, force=getattr(args, "force", False),
                         retries=max(1, args.retries), settings=settings,
                         ready_timeout_ms=min(8_000, args.timeout * 1000),
                         connect=_connect_endpoints(args), remote_executable=getattr(args, "remote_executable", None),
                         hosts=load_host_overrides(path) if path is not None else HostOverrides(),
                         a11y=getattr(args, "a11y", "figures"))


def _connect_endpoints(args: argparse.Namespace) -> tuple[str, ...]:
    from .remote import check_endpoint, parse_shard

    parse_shard(getattr(args, "shard", None))  # a bad --shard fails before anything starts
    if getattr(args, "remote_executable", None) and not getattr(args, "connect", None):
        raise BadInput("--remote-executable needs --connect WS_ENDPOINT")
    return tuple(check_endpoint(e) for e in getattr(args, "connect", None) or ())


# --- commands ------------------------------------------------------------------------------------

def cmd_record(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from .lock import snapshots_lock
    from .recorder import record

    out = Console()
    with _origin(args) as base_url:
        targets = _load_targets(args, base_url)
        opts = _record_options(args, base_url)
        with snapshots_lock(args.snapshots):
            outcomes = _with_progress("capture", len(targets) * len(opts.modes),
                                      lambda done: record(targets, args.snapshots, opts, on_done=done))
    table = Table(title=f"bundles in {(args.snapshots / 'captures').resolve()}")
    for col in ("id", "mode", "status", "seconds", "detail"):
        table.add_column(col)
    style = {"ok": "green", "skipped": "yellow", "failed": "red"}
    for o in sorted(outcomes, key=lambda o: (o.id, o.mode)):
        detail = o.reason if o.status != "ok" else f"{o.attempts} attempt(s)"
        table.add_row(o.id, o.mode, f"[{style[o.status]}]{o.status}[/]", f"{o.seconds:.1f}", detail)
    out.print(table)
    counts = {s: sum(o.status == s for o in outcomes) for s in ("ok", "skipped", "failed")}
    out.print(f"{counts['ok']} captured, {counts['skipped']} skipped, {counts['failed']} failed")
    return 1 if counts["failed"] else 0


def _with_progress(label: str, total: int, work):
    """Run ``work(on_done)`` under a rich progress bar over pages × modes (on stderr)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.description}"), TimeElapsedColumn(), console=Console(stderr=True)) as progress:
        task = progress.add_task("", total=total)

        def done(o) -> None:
            progress.update(task, advance=1, description=f"{o.id}/{o.mode} {o.status}")

        return work(done)


def cmd_check(args: argparse.Namespace) -> int:
    from rich.console import Console

    from .check import run_check
    from .lock import snapshots_lock
    from .report import last_check_path

    if args.live and (args.replica or args.replica_url):
        raise BadInput("give --live or --replica/--replica-url, not both (--live --base-url ORIGIN loads the "
                       "live pages from a mirror)")
    if not args.live and not args.base_url and not args.replica_url:
        args.replica = True  # offline by default: the built-in replica against the replica goldens
    # --live --base-url: the live goldens, the pages loaded from a mirror of www.163.com (or the replica)
    target_set = "live" if args.live else "replica"
    with _origin(args) as base_url:
        targets = _load_targets(args, base_url)
        opts = _record_options(args, base_url)
        with snapshots_lock(args.snapshots):
            report = _with_progress("check", len(targets) * len(opts.modes),
                                    lambda done: run_check(targets, args.snapshots, opts, target_set=target_set,
                                                           on_done=done, accept_new=args.accept_new))
    if args.json:
        sys.stdout.write(report.to_json())
    else:
        out = Console(highlight=False, soft_wrap=True)
        for r in report.results:
            if not r.differences:
                out.print(f"{r.id} {r.mode:<6} [green]{r.status}[/]")
            for d in r.differences:
                color = "red" if d.fails else "yellow"
                out.print(f"{r.id} {r.mode:<6} [{color}]{d.cls}[/] {d.region}: {d.reason}")
        counts = ", ".join(f"{n} {status}" for status, n in report.counts().items() if n or status == "unchanged")
        out.print(f"{counts}; report {last_check_path(args.snapshots)}; review with `capture review`")
    return 1 if report.fails else 0


def _last_checked(snapshots: Path) -> list[Target]:
    """The pages of the last check, so ``accept`` takes the ids ``check`` just printed."""
    from .report import CheckReport, last_check_path
    from .targets import Target

    path = last_check_path(snapshots)
    try:
        results = CheckReport.read(path).results if path.is_file() else []
    except CaptureError:  # a broken report only loses those ids: the watchlist and URLs still work
        results = []
    return [Target(r.id, r.url) for r in results]


def cmd_accept(args: argparse.Namespace) -> int:
    from .check import accept
    from .lock import snapshots_lock

    target_set = "live" if args.live else "replica"
    ids = [t.id for t in _targets(args, args.pages, replica=not args.live, checked=_last_checked(args.snapshots))]
    modes = (args.mode,) if args.mode else ("normal", "care")
    with snapshots_lock(args.snapshots):
        written = accept(ids, modes, args.snapshots, target_set)
    print(f"accepted {len(ids)} page(s) × {len(modes)} mode(s): {len(written)} golden files written "
          f"under {args.snapshots / target_set}")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from .review import write_review

    print(write_review(args.snapshots, report=args.report, out=args.out, overlay=args.site))
    return 0


def default_overlay(args: argparse.Namespace) -> Path:
    """The overlay ``repair`` reads and writes: ``--site``, else ``netease.toml`` beside the watchlist."""
    from .targets import site_overlay_path

    return site_overlay_path(getattr(args, "site", None), _watchlist_path(args))


def repair_command(ids: list[str], mode: str | None, site: Path | None, snapshots: Path | None) -> str:
    """The one command that applies a verified repair (printed by repair, review and pytest)."""
    parts = ["capture repair", *ids]
    if mode:
        parts.append(f"--mode {mode}")
    if site is not None:
        parts.append(f"--site {site}")
    if snapshots is not None and Path(snapshots) != DEFAULT_SNAPSHOTS:
        parts.append(f"--snapshots {snapshots}")
    return " ".join([*parts, "--apply"])


def cmd_repair(args: argparse.Namespace) -> int:
    from .repair import render_text, run_repair
    from .report import CheckReport
    from .review.render import choose_report
    from .sites import write_overlay

    overlay = default_overlay(args)
    if overlay.exists() and not overlay.is_file():
        raise BadInput(f"--site {overlay} is not a file: give an overlay TOML file")
    if args.report is not None and not args.report.is_file():
        raise BadInput(f"report {args.report} not found: give an existing --report FILE, or run `capture check`")
    report_path = args.report or choose_report(args.snapshots)
    report = CheckReport.read(report_path)
    from .targets import Target

    checked = [Target(r.id, r.url) for r in report.results]
    ids = {t.id for t in _targets(args, args.pages, replica=True, checked=checked)} if args.pages else None
    run = run_repair(report, args.snapshots, overlay, ids=ids, modes=(args.mode,) if args.mode else None)
    shown = sorted({p.id for p in run.verified})
    sys.stdout.write(render_text(run, repair_command(shown, args.mode, args.site, args.snapshots)))
    if not run.broken:
        print(f"nothing to repair: no failing page of {report_path} has an extraction unlike its golden")
    if args.apply and run.verified:
        addition = run.addition()
        write_overlay(overlay, addition)
        count = sum(len(p.repairs) for p in run.verified)
        print(f"applied {count} selector(s) of {len(run.verified)} verified repair(s) to {overlay}")
    return run.exit_code


def _parse_port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise BadInput(f"bad --port {value!r}: give a number from 0 to 65535") from None
    if not 0 <= port <= 65535:
        raise BadInput(f"bad --port {port}: give a number from 0 to 65535")
    return port


def cmd_serve(args: argparse.Namespace) -> int:
    from .replica import ReplicaServer, pages

    server = ReplicaServer(port=_parse_port(args.port), drift=args.drift, churn=args.churn)
    server.start()
    print(f"replica serving on {server.base_url} (Ctrl-C to stop)"
          + (f" with drift {server.drift}" if server.drift else "") + (" with churn" if args.churn else ""))
    for p in pages():
        print(f"  {server.base_url}{p.path}   {server.base_url}{p.care_path}")
    sys.stdout.flush()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("replica stopped", file=sys.stderr)
    finally:
        server.stop()
    return 0


def _read_source(args: argparse.Namespace) -> tuple[bytes, str]:
    """The page to extract: an HTML file as is; a URL or an id (its article, its 关怀版 with ``--mode
    care``) fetched as ``record`` would load it: from --base-url / --replica, else from where it points."""
    from .sites import current
    from .targets import is_url, rebase

    source = args.source
    if not is_url(source):
        path = Path(source)
        if path.is_file():
            return path.read_bytes(), ""
        if "/" in source or os.sep in source or path.suffix.lower() in (".html", ".htm"):
            raise BadInput(f"{source}: no such file (give an HTML file, a watchlist id or an http(s) URL)")
    with _origin(args) as base_url:
        host = host_of(source) if is_url(source) else ""
        loopback = (host,) if host in ("127.0.0.1", "localhost") else ()
        (target,) = _targets(args, [source], base_url=base_url, replica=args.replica, allow_hosts=loopback)
        if is_url(source):  # as given but for the origin: a 关怀版 URL stays one
            url = rebase(source, base_url)
        else:
            url = target.care_url(base_url) if args.mode == "care" else target.at(base_url)
        try:  # the captures' User-Agent: Python's own is the first thing a site refuses
            request = urllib.request.Request(url, headers={"User-Agent": current().user_agent})
            with urllib.request.urlopen(request, timeout=20) as resp:  # noqa: S310 (scheme checked)
                return resp.read(), url
        except OSError as exc:
            raise CaptureError(f"could not fetch {url}: {exc}") from None


def cmd_extract(args: argparse.Namespace) -> int:
    from .extract import extract

    data, url = _read_source(args)
    try:
        article = extract(data, url, mode=args.mode)
    except (LayoutNotRecognized, MissingField) as exc:
        if not url:  # a file: the message names no input yet, so name the file
            exc.args = (f"{args.source}: {exc}",)
        raise
    sys.stdout.write(article.to_json() if args.format == "json" else article.to_text())
    return 0


COMMANDS = {"record": cmd_record, "check": cmd_check, "accept": cmd_accept, "review": cmd_review,
            "serve": cmd_serve, "extract": cmd_extract, "repair": cmd_repair}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if not hasattr(args, "site"):
            return COMMANDS[args.command](args)
        from .sites import using

        with using(site_for(args)):  # extraction, text, skeletons and masks read this table
            return COMMANDS[args.command](args)
    except CaptureError as exc:
        print(f"capture {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"capture {args.command}: interrupted; stored bundles are untouched", file=sys.stderr)
        return 130
    except Exception as exc:  # never a raw traceback for users
        if os.environ.get("CAPTURE_DEBUG"):
            raise
        first = first_line(exc, "")
        print(f"capture {args.command}: internal error: {type(exc).__name__}: {first} "
              "(rerun with CAPTURE_DEBUG=1 for details and report it)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
