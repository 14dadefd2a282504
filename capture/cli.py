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

from . import __version__
from .browser import BrowserSettings
from .errors import BadInput, CaptureError

DEFAULT_SNAPSHOTS = Path("snapshots")


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--snapshots", type=Path, default=DEFAULT_SNAPSHOTS, metavar="DIR",
                   help="where bundles and goldens live (default: ./snapshots)")


def _add_targets(p: argparse.ArgumentParser) -> None:
    p.add_argument("pages", nargs="*", metavar="ID|URL", help="watchlist ids or article URLs (default: all)")
    p.add_argument("--base-url", metavar="ORIGIN", help="load the watched www.163.com URLs from this origin")
    p.add_argument("--replica", action="store_true", help="start the built-in replica and use it as --base-url")
    p.add_argument("--watchlist", type=Path, metavar="FILE", help="pages.toml to read (default: ./pages.toml)")
    p.add_argument("--allow-host", action="append", default=[], metavar="HOST", help="admit another host")
    p.add_argument("--modes", default="normal,care", help="normal, care or normal,care (default)")
    p.add_argument("--jobs", type=int, default=2, metavar="N", help="pages loaded at once (default 2)")
    p.add_argument("--replay", action="store_true", help="load pages from the bundles' HAR, no network")
    p.add_argument("--timeout", type=float, default=20.0, metavar="S", help="navigation timeout in seconds")
    p.add_argument("--retries", type=int, default=3, metavar="N", help="attempts per page (5xx, resets, timeouts)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="capture", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"netease-capture {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    rec = sub.add_parser("record", help="capture pages into bundles (normal and 关怀版)")
    _add_common(rec)
    _add_targets(rec)
    rec.add_argument("--force", action="store_true", help="re-record complete bundles")

    srv = sub.add_parser("serve", help="serve the built-in replica by hand")
    _add_common(srv)
    srv.add_argument("--port", default="0", help="port on 127.0.0.1 (default 0: any free port)")

    ext = sub.add_parser("extract", help="print the structured extraction of a page")
    _add_common(ext)
    ext.add_argument("source", metavar="FILE|URL")
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


def _load_targets(args: argparse.Namespace, base_url: str | None) -> list:
    from .targets import Target, load_watchlist, resolve

    path = _watchlist_path(args)
    if path is not None:
        watchlist = load_watchlist(path)
    elif _pyproject_watchlist():
        watchlist = _pyproject_watchlist()
    elif args.replica:
        from .replica import pages
        watchlist = [Target(p.id, f"https://www.163.com{p.path}") for p in pages()]
    else:
        watchlist = []
    if not args.pages and not watchlist:
        raise BadInput("nothing to capture: no pages.toml here; pass ids/URLs or --watchlist FILE")
    return resolve(args.pages, watchlist, allow_hosts=tuple(args.allow_host), base_url=base_url)


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
    """The origin to load pages from: --base-url, a started replica, or the live site (None)."""
    if args.replica and args.base_url:
        raise BadInput("give --replica or --base-url, not both")
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
                  allow_hosts=(args.base_url.split("://", 1)[1].split("/")[0].split(":")[0],))
    yield args.base_url


def _record_options(args: argparse.Namespace, base_url: str | None):
    from .recorder import RecordOptions
    from .targets import parse_modes

    if args.jobs < 1 or args.jobs > 16:
        raise BadInput(f"bad --jobs {args.jobs}: use 1 to 16")
    if args.timeout <= 0:
        raise BadInput(f"bad --timeout {args.timeout}: give seconds > 0")
    settings = BrowserSettings(extra_allowed_hosts=tuple(args.allow_host),
                               navigation_timeout_ms=args.timeout * 1000)
    return RecordOptions(modes=parse_modes(args.modes), base_url=base_url, jobs=args.jobs,
                         replay=args.replay, force=getattr(args, "force", False),
                         retries=max(1, args.retries), settings=settings)


# --- commands ------------------------------------------------------------------------------------

def cmd_record(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from .lock import snapshots_lock
    from .recorder import record

    err = Console(stderr=True)
    out = Console()
    with _origin(args) as base_url:
        targets = _load_targets(args, base_url)
        opts = _record_options(args, base_url)
        with snapshots_lock(args.snapshots):
            total = len(targets) * len(opts.modes)
            with Progress(TextColumn("[bold]capture"), BarColumn(), MofNCompleteColumn(),
                          TextColumn("{task.description}"), TimeElapsedColumn(), console=err,
                          transient=False) as progress:
                task = progress.add_task("", total=total)

                def done(o) -> None:
                    progress.update(task, advance=1, description=f"{o.id}/{o.mode} {o.status}")

                outcomes = record(targets, args.snapshots, opts, on_done=done)
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

    server = ReplicaServer(port=_parse_port(args.port))
    server.start()
    print(f"replica serving on {server.base_url} (Ctrl-C to stop)")
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


def _read_source(source: str) -> tuple[bytes, str]:
    if "://" in source:
        from .targets import check_url

        if not source.startswith(("http://", "https://")):
            raise BadInput(f"{source!r} is not an http(s) URL or a file")
        host = source.split("://", 1)[1].split("/")[0].split(":")[0]
        check_url(source, allow_hosts=(host,) if host in ("127.0.0.1", "localhost") else ())
        try:
            with urllib.request.urlopen(source, timeout=20) as resp:  # noqa: S310 (scheme checked)
                return resp.read(), source
        except OSError as exc:
            raise CaptureError(f"could not fetch {source}: {exc}") from None
    path = Path(source)
    if not path.is_file():
        raise BadInput(f"{source}: no such file (give an HTML file or an http(s) URL)")
    return path.read_bytes(), ""


def cmd_extract(args: argparse.Namespace) -> int:
    from .extract import extract

    data, url = _read_source(args.source)
    article = extract(data, url, mode=args.mode)
    sys.stdout.write(article.to_json() if args.format == "json" else article.to_text())
    return 0


COMMANDS = {"record": cmd_record, "serve": cmd_serve, "extract": cmd_extract}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
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
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(f"capture {args.command}: internal error: {type(exc).__name__}: {first} "
              "(rerun with CAPTURE_DEBUG=1 for details and report it)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
