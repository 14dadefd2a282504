"""The commands that are not a check: record, repair, review and extract, each a function of a
:class:`~capture.run.config.RunConfig`."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from .. import bundle
from ..errors import BadInput, CaptureError, LayoutNotRecognized, MissingField
from ..recorder import Outcome, record
from ..report import CheckReport
from ..targets import is_url
from .config import RunConfig


def run_record(config: RunConfig, targets: list, on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    return record(targets, config.snapshots, config.options, on_done=on_done)


def choose_report(config: RunConfig, given: Path | None) -> tuple[Path, CheckReport]:
    """``--report FILE``, else the newer of the last check's and the last pytest run's reports."""
    from ..review.render import choose_report as newer

    if given is not None and not Path(given).is_file():
        raise BadInput(f"report {given} not found: give an existing --report FILE, or run `capture check`")
    path = Path(given) if given is not None else newer(config.snapshots)
    return path, CheckReport.read(path)


def run_repair(config: RunConfig, *, pages: list[str], mode: str | None, report: Path | None):
    """Propose and verify repairs for the failing pages of the last report, against the run's overlay."""
    from ..repair import run_repair as repair_pages
    from ..targets import Target

    overlay = config.overlay_path
    if overlay.exists() and not overlay.is_file():
        raise BadInput(f"--site {overlay} is not a file: give an overlay TOML file")
    path, data = choose_report(config, report)
    checked = [Target(r.id, r.url) for r in data.results]
    ids = {t.id for t in config.resolve(pages, extra=checked, what=" nor the last report")} if pages else None
    run = repair_pages(data, config.snapshots, overlay, ids=ids, modes=(mode,) if mode else None)
    return run, path, data


def run_review(config: RunConfig, *, report: Path | None, out: Path | None):
    from ..review.render import ReviewContext, write_review

    ctx = ReviewContext(site=config.site, overlay=config.overlay_path, hint_options=config.hint_options())
    return write_review(config.snapshots, ctx, report=report, out=out)


def run_extract(config: RunConfig, source: str, mode: str | None):
    """The extraction of an HTML file as is, or of a page (id or URL) loaded in the browser exactly as
    ``record`` loads it (same origin, host policy and site table), into a temporary folder."""
    from ..extract import extract

    if not is_url(source):
        path = Path(source)
        if path.is_file():
            try:
                return extract(path.read_bytes(), "", mode=mode, site=config.site)
            except (LayoutNotRecognized, MissingField) as exc:
                exc.args = (f"{source}: {exc}",)
                raise
        if "/" in source or path.suffix.lower() in (".html", ".htm"):
            raise BadInput(f"{source}: no such file (give an HTML file, a watchlist id or an http(s) URL)")
    (target,) = config.resolve([source])
    if mode is None:
        mode = "care" if is_url(source) and source.split("?")[0].endswith(config.site.care_url_suffixes) else "normal"
    opts = replace(config.options, modes=(mode,), force=True, jobs=1)
    with tempfile.TemporaryDirectory(prefix="capture-extract-") as tmp:
        (outcome,) = [o for o in record([target], Path(tmp), opts) if o.mode == mode]
        if outcome.status != "ok" or outcome.path is None:
            raise CaptureError(f"could not load {target.url} ({mode}): {outcome.reason}")
        b = bundle.read_bundle(outcome.path)
        return extract(b.dom, b.meta.final_url, mode=mode, site=config.site)
