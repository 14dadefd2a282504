"""The ``capture`` command: argparse, printing and exit codes over the run layer (:mod:`capture.run`).

Exit codes: 0 ok; 1 a capture failed (or, for ``check``, something changed); 2 bad input or an
unrecognised layout; 3 no browser; 4 the snapshots folder is busy; 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

from . import __version__
from .environment import default_jobs
from .errors import BadInput, CaptureError, first_line
from .terminal import safe


def _add_common(p: argparse.ArgumentParser) -> None:
    # CAPTURE_GOLDENS_ROOT is the pytest plugin's goldens folder: the same default keeps both on one set.
    p.add_argument("--snapshots", type=Path, default=None,
                   metavar="DIR", help="where bundles and goldens live (default: $CAPTURE_GOLDENS_ROOT, else ./snapshots)")


def _add_lookup(p: argparse.ArgumentParser) -> None:
    """What ids and URLs resolve against: every subcommand that takes pages has these."""
    p.add_argument("--watchlist", type=Path, metavar="FILE", help="pages.toml to read (default: ./pages.toml)")
    p.add_argument("--allow-host", action="append", default=[], metavar="HOST", help="admit another host")


def _add_origin(p: argparse.ArgumentParser) -> None:
    p.add_argument("--live", action="store_true",
                   help="load the real www.163.com (or --base-url / --map-host's origin) and use the 'live' "
                        "goldens (default: the built-in replica and the 'replica' goldens)")
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


DESCRIPTION = """Watch NetEase (163.com) article pages for layout changes with a real browser.

Capture each watched page in normal and 关怀版 (elder-care) mode, compare it with its golden files, and
when the layout moved, review the difference and repair the extraction (or accept the new golden).
Offline by default: the built-in replica of the site stands in for www.163.com (--live for the real one).

  capture record                 capture every page of pages.toml
  capture check                  recapture and compare with the goldens (exit 1 when something changed)
  capture review                 write an HTML report of the last check or pytest run
  capture repair --apply         write the verified selector fixes into netease.toml beside pages.toml
  capture accept ID              make the last check's capture of ID its golden
"""

EPILOG = "exit codes: 0 ok, 1 a capture failed or a check found a change, 2 bad input, 3 no browser, 4 busy, 130 interrupted"


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Shows every option's default (unless its help already says it), keeps the description's lines."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "default" in text or action.default in (None, False, [], argparse.SUPPRESS) or not action.option_strings:
            return text
        return f"{text} (default: {action.default})"


class _Parser(argparse.ArgumentParser):
    """An unknown option is reported by the subcommand it was given to, with its usage and the
    nearest option it has ("did you mean --replica?")."""

    def error(self, message: str):  # type: ignore[override]
        import difflib

        m = re.search(r"unrecognized arguments: (\S+)", message) or re.search(r"invalid choice: '([^']+)'", message)
        if m:
            known = [o for a in self._actions for o in a.option_strings]
            known += [c for a in self._actions if isinstance(a, argparse._SubParsersAction) for c in a.choices]
            if near := difflib.get_close_matches(m.group(1).split("=")[0], known, n=1, cutoff=0.6):
                message += f" (did you mean {near[0]}?)"
        super().error(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="capture", description=DESCRIPTION, epilog=EPILOG, formatter_class=_Formatter)
    parser.add_argument("--version", action="version", version=f"netease-capture {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _sub_add = sub.add_parser

    def add_parser(name: str, **kw):
        return _sub_add(name, formatter_class=_Formatter, description=kw.get("help"), **kw)

    sub.add_parser = add_parser  # type: ignore[method-assign]

    rec = sub.add_parser("record", help="capture pages into bundles (normal and 关怀版)")
    _add_common(rec)
    _add_targets(rec)
    rec.add_argument("--force", action="store_true", help="re-record complete bundles")
    _add_a11y(rec)

    chk = sub.add_parser("check", help="recapture pages and compare them with the goldens")
    _add_common(chk)
    _add_targets(chk)
    chk.add_argument("--json", action="store_true", help="print the results as JSON (for CI)")
    chk.add_argument("-v", "--verbose", action="store_true", help="print every difference, not one line per page")
    _add_a11y(chk)
    chk.add_argument("--accept-new", action="store_true",
                     help="record goldens for pages that have none (listed as new; existing goldens are "
                          "never overwritten; a broken capture is refused unless --force)")
    chk.add_argument("--force", action="store_true", help="with --accept-new: accept broken captures too")

    acc = sub.add_parser("accept", help="promote the last check's captures to golden")
    _add_common(acc)
    acc.add_argument("pages", nargs="+", metavar="ID|URL", help="ids (of the watchlist or the last check) or URLs")
    _add_lookup(acc)
    _add_site(acc)
    acc.add_argument("--mode", choices=("normal", "care"), default=None, help="only this mode (default both)")
    acc.add_argument("--live", action="store_true", help="write the 'live' goldens")
    acc.add_argument("--force", action="store_true",
                     help="accept a capture even when it is broken (failed first-party hosts, a 关怀版 failing "
                          "its rules)")

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
    srv.add_argument("--list-drifts", action="store_true", help="list the drift names and what each changes, then exit")
    srv.add_argument("--churn", action="store_true",
                     help="change on every request what a live page changes (recommendations, ads, ids, counts)")

    ext = sub.add_parser("extract", help="print the structured extraction of a page")
    _add_common(ext)
    ext.add_argument("source", metavar="FILE|ID|URL", help="an HTML file, a watchlist id or an article URL")
    _add_origin(ext)
    _add_lookup(ext)
    _add_site(ext)
    ext.add_argument("--mode", choices=("normal", "care"), default=None,
                     help="read the page as a normal or a 关怀版 page (default: from the URL; an id's normal page)")
    ext.add_argument("--format", choices=("json", "text"), default="json",
                     help="json: the whole extraction; text: title, time, source and body as plain text")
    return parser


# --- the run ------------------------------------------------------------------------------------

def config_of(args: argparse.Namespace, *, for_repair: bool = False):
    """The run this command line asks for (capture.run.build: the same meanings as pytest's)."""
    from .run import RunRequest, build

    values = dict(vars(args))
    if args.command == "accept" or args.command == "repair" or args.command == "review":
        values.pop("pages", None)  # resolved by the command against the last report too
    config = build(RunRequest.of(values), for_repair=for_repair)
    return config


def _say_watchlist(config) -> None:
    print(config.watchlist.line(), file=sys.stderr)


def _need_targets(config, pages: list[str]) -> list:
    targets = config.resolve(pages) if pages else config.targets
    if not targets:
        what = f"{config.watchlist.source} lists no pages" if config.watchlist.path else config.watchlist.source
        raise BadInput(f"nothing to capture: {what}; add [[page]] tables (id, url), or pass ids/URLs")
    return targets


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


# --- commands ------------------------------------------------------------------------------------

def cmd_record(args: argparse.Namespace) -> int:
    from rich.table import Table

    from .care_status import no_care_summary
    from .lock import snapshots_lock
    from .run import started
    from .run.commands import run_record
    from .terminal import console, styled

    config = config_of(args)
    _say_watchlist(config)
    targets = _need_targets(config, args.pages)
    with started(config) as run, snapshots_lock(run.snapshots):
        outcomes = _with_progress("capture", len(targets) * len(run.options.modes),
                                  lambda done: run_record(run, targets, on_done=done))
    out = console()
    table = Table(title=f"bundles in {(config.snapshots / 'captures').resolve()}")
    for col in ("id", "mode", "status", "seconds", "detail"):
        table.add_column(col)
    style = {"ok": "green", "skipped": "yellow", "failed": "red", "no-care": "yellow"}
    for o in sorted(outcomes, key=lambda o: (o.id, o.mode)):
        detail = o.reason if o.status != "ok" else f"{o.attempts} attempt(s)"
        table.add_row(styled(o.id), o.mode, styled((o.status, style.get(o.status, ""))), f"{o.seconds:.1f}",
                      styled(detail))
    out.print(table)
    counts = {s: sum(o.status == s for o in outcomes) for s in ("ok", "skipped", "failed", "no-care")}
    out.print(styled(f"{counts['ok']} captured, {counts['skipped']} skipped, {counts['failed']} failed"
                     + (f", {counts['no-care']} without a 关怀版" if counts["no-care"] else "")))
    if summary := no_care_summary(outcomes):
        out.print(styled(summary))
    return 1 if any(o.fails for o in outcomes) else 0


def cmd_check(args: argparse.Namespace) -> int:
    from .lock import snapshots_lock
    from .report import last_check_path
    from .run import started
    from .run.check import run_check
    from .terminal import console

    config = config_of(args)
    _say_watchlist(config)
    targets = _need_targets(config, args.pages)
    with started(config) as run, snapshots_lock(run.snapshots):
        report = _with_progress("check", len(targets) * len(run.options.modes),
                                lambda done: run_check(run, targets, on_done=done, accept_new=args.accept_new,
                                                       force=args.force))
    if args.json:
        sys.stdout.write(report.to_json())
    else:
        print_check(report, console(soft_wrap=True), verbose=args.verbose,
                    tail=f"report {last_check_path(config.snapshots)}; review with `{config.command('review')}`")
    return 1 if report.fails else 0


def print_check(report, out, *, tail: str, verbose: bool = False) -> None:
    """One line per page and mode: status, the leading difference class, how many differences and the
    first reason cut at a word (``-v``: every difference, whole). Page text in them goes through
    capture.terminal, never through a markup parser."""
    from .terminal import styled

    colour = {"unchanged": "green", "new": "green", "no-care": "yellow"}
    for r in report.results:
        failing = [d for d in r.differences if d.fails]
        shown = failing or r.differences
        line = [f"{r.id} {r.mode:<6} ", (f"{r.status:<9}", colour.get(r.status, "red"))]
        if shown:
            n = len(r.differences)
            line += [" ", (shown[0].cls, "red" if shown[0].fails else "yellow"),
                     f" ×{n}" if n > 1 else "", f" {shown[0].region}: ", cut(re.sub(r"^https?://\S+?: ", "", shown[0].reason))]
        out.print(styled(*line))
        if verbose:
            for d in r.differences:
                out.print(styled("    ", (d.cls, "red" if d.fails else "yellow"), f" {d.region}: ", d.reason))
    for note in report.notes:
        out.print(styled(note))
    counts = report.counts()
    churned = sum(r.status == "unchanged" and bool(r.differences) for r in report.results)
    parts = [f"{n} {status}" + (f" ({churned} with volatile churn only)" if status == "unchanged" and churned else "")
             for status, n in counts.items() if n or status == "unchanged"]
    out.print(styled(f"{', '.join(parts)}; {tail}"))


def cut(text: str, limit: int = 110) -> str:
    """``text`` shortened at a word boundary (never mid-word, never to nothing), with "…"."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    space = max(head.rfind(" "), head.rfind("，"), head.rfind(","))
    return (head[:space] if space > limit // 2 else head).rstrip(" ,;:") + " …"


def cmd_accept(args: argparse.Namespace) -> int:
    from .lock import snapshots_lock
    from .run.accept import accept, plan

    config = config_of(args)
    modes = (args.mode,) if args.mode else ("normal", "care")
    todo = plan(config, args.pages, modes)  # a page refused here leaves the folder untouched (not even a lock)
    with snapshots_lock(config.snapshots):
        written, todo = accept(config, args.pages, modes, force=args.force, todo=todo)
    print(f"took {todo.origin}", file=sys.stderr)
    for line in todo.skipped:
        print(f"skipped {line}")
    pages = len({t.id for t, _m, _s in todo.sources})
    print(f"accepted {pages} page(s), {len(todo.sources)} capture(s): {len(written)} golden files written "
          f"under {config.store.folder}")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from .run.commands import run_review

    out, report, path = run_review(config_of(args), report=args.report, out=args.out)
    print(f"reviewing {report.describe(path)}", file=sys.stderr)
    print(out)
    return 0


def cmd_repair(args: argparse.Namespace) -> int:
    from .repair import render_text
    from .run.commands import run_repair
    from .sites import write_overlay
    from .terminal import safe

    config = config_of(args, for_repair=True)
    run, path, report = run_repair(config, pages=args.pages, mode=args.mode, report=args.report)
    print(f"repairing from {report.describe(path)}", file=sys.stderr)
    shown = sorted({p.id for p in run.verified})
    sys.stdout.write(safe(render_text(run, config.command("repair", shown, mode=args.mode, tail="--apply")),
                          multiline=True))
    if not run.broken:
        print(f"nothing to repair: no failing page of {path} has an extraction unlike its golden")
    if args.apply and run.verified:
        write_overlay(config.overlay_path, run.addition())  # read, merged and written under its lock
        count = sum(len(p.repairs) for p in run.verified)
        print(f"applied {count} selector(s) of {len(run.verified)} verified repair(s) to {config.overlay_path}; "
              f"check again with `{config.command('check')}`")
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
    from .replica import DRIFTS, ReplicaServer, pages

    if args.list_drifts:
        drifts = DRIFTS.values() if isinstance(DRIFTS, dict) else DRIFTS
        for d in drifts:
            fails = f"fails as {d.expect_class}" if d.expect_class else "must pass"
            print(f"{d.name:<28} {d.kind:<8} {d.applies_to:<6} {fails:<24} {d.description}")
        return 0
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


def cmd_extract(args: argparse.Namespace) -> int:
    from .run import started
    from .run.commands import run_extract
    from .terminal import safe

    config = config_of(args)
    with started(config, announce=False) as run:
        article = run_extract(run, args.source, args.mode)
    sys.stdout.write(article.to_json() if args.format == "json" else safe(article.to_text(), multiline=True))
    return 0


COMMANDS = {"record": cmd_record, "check": cmd_check, "accept": cmd_accept, "review": cmd_review,
            "serve": cmd_serve, "extract": cmd_extract, "repair": cmd_repair}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # said by the subcommand, with its usage and the nearest option it has
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[args.command]
        sub.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return COMMANDS[args.command](args)
    except CaptureError as exc:
        print(f"capture {args.command}: error: {safe(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # the reader went away (`| head`): nothing to say
        return 141
    except OSError as exc:  # the environment (a full disk, a read-only folder), not a bug: one line, the path
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        print(f"capture {args.command}: error: {safe(where + (exc.strerror or str(exc)))}: check that the folder "
              "exists, is writable and has free space", file=sys.stderr)
        return 2
    except RecursionError:
        print(f"capture {args.command}: error: an input file is nested too deeply to read: simplify it",
              file=sys.stderr)
        return 2
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
