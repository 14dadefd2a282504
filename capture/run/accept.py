"""``accept``: make exactly what the last run captured the golden of the pages named.

Goldens are written with the very serializers the pytest suite's syrupy extensions use, so
``capture accept`` and ``pytest --snapshot-update`` leave the same files. Everything is checked before
anything is written: an error means no golden changed.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .. import bundle
from ..compare import a11y_differences, care_differences, views
from ..environment import env_of
from ..errors import BadInput, CaptureError, CorruptFile
from ..goldens import View, serialize
from ..hosts import HostPolicy
from ..report import CheckReport, last_check_path
from ..targets import Target
from .config import RunConfig


class BrokenCapture(CaptureError):
    """A capture not fit to be a golden (first-party hosts failed; a 关怀版 failing its rules)."""

    exit_code = 1


def broken(b: bundle.Bundle, config: RunConfig) -> list[str]:
    """Why ``b`` should not become a golden ([] when it may): failed first-party hosts (the page's own,
    or hosts the site table allows: its stylesheets, scripts, images); for a 关怀版, failing its rules."""
    policy = HostPolicy.build({(b.meta.final_url.split("/")[2:3] or [""])[0].split(":")[0]}, site=config.site)
    first_party = sorted(h for h in b.meta.failed_hosts if policy.decide(h) != "block")
    out = [f"first-party host{'s' if len(first_party) > 1 else ''} {', '.join(first_party)} failed "
           "(the page loaded without them)"] if first_party else []
    if b.meta.mode == "care":
        out += [f"关怀版 rule {d.region}: {d.reason}" for d in a11y_differences({}, b.a11y, "care") if d.fails]
    return out


def write_goldens(b: bundle.Bundle, config: RunConfig, *, force: bool = False) -> list[Path]:
    """Every golden of one bundle (each view, env, screen), computed first: a bundle that cannot be
    extracted, or that is broken (unless ``force``), writes nothing."""
    if not force and (why := broken(b, config)):
        raise BrokenCapture(f"{b.meta.id}/{b.meta.mode}: not accepted: {'; '.join(why)}; recapture it, "
                            "or pass --force to accept it anyway")
    v = views(b, site=config.site)
    store = config.store
    blobs = {store.path(b.meta.id, b.meta.mode, view): serialize(view, value).encode("utf-8")
             for view, value in v.stored().items()}
    blobs[store.env_path(b.meta.id, b.meta.mode)] = (
        json.dumps(env_of(b.meta), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    blobs[store.screen_path(b.meta.id, b.meta.mode)] = b.screenshot
    replace_files(blobs)
    return list(blobs)


def replace_files(blobs: dict[Path, bytes]) -> None:
    """One page's golden set, written as a set: all the new files or all the old ones, whatever stops
    the process (capture.fs journals the switch; the next write finishes or undoes a half one)."""
    from .. import fs

    root = next(iter(blobs)).parents[2]  # <root>/<target>/<view>/<file>: the snapshots folder
    fs.replace_files(blobs, root=root)


@dataclass
class AcceptPlan:
    """What ``accept`` will take: ``(target, mode, bundle folder)`` per page and mode, and what it skips."""

    sources: list[tuple[Target, str, Path]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    origin: str = ""


def plan(config: RunConfig, pages: list[str], modes: tuple[str, ...]) -> AcceptPlan:
    """The captures ``accept`` takes: the last check's, exactly as its report names them (a mode that
    check did not capture is skipped, and said); with no report, the stored bundles of ``capture record``."""
    report_path = last_check_path(config.snapshots)
    report = CheckReport.read(report_path) if report_path.is_file() else None
    if report is not None and not report.complete:
        raise BadInput(f"the last check ({report.created_at}) did not finish, so its captures are not "
                       f"whole: run `{config.command('check', pages)}` again, then accept")
    checked = [Target(r.id, r.url) for r in report.results] if report else []
    targets = config.resolve(pages, extra=checked, what=" nor the last check")
    out = AcceptPlan(origin=report.describe(report_path) if report else "the stored bundles of capture record")
    for t in targets:
        results = {r.mode: r for r in report.results if r.id == t.id} if report else {}
        for mode in modes:
            if report is not None and results:
                r = results.get(mode)
                if r is None or not r.bundle:
                    why = "it was not captured" if r is None else f"its capture failed ({r.status})"
                    out.skipped.append(f"{t.id}/{mode}: the last check has no capture of it ({why})")
                    continue
                source = Path(r.bundle)
            else:
                source = bundle.bundle_dir(config.snapshots, t.id, mode)
                if not bundle.is_complete(source):
                    out.skipped.append(f"{t.id}/{mode}: no capture to accept (run "
                                       f"`{config.command('check', [t.id])}` first)")
                    continue
            if not bundle.is_complete(source):
                raise CorruptFile(f"{t.id}/{mode}: the capture the last check made is gone or incomplete "
                                  f"({source}): run `{config.command('check', [t.id])}` again")
            out.sources.append((t, mode, source))
    return out


def accept(config: RunConfig, pages: list[str], modes: tuple[str, ...], *, force: bool = False,
           todo: AcceptPlan | None = None) -> tuple[list[Path], AcceptPlan]:
    """Promote the planned captures (``todo``, else :func:`plan`'s) to golden. Every bundle is read,
    checked and extracted before the first file is written."""
    from .. import fs
    from ..goldens_check import validate_bundle

    fs.recover(config.snapshots)
    todo = todo or plan(config, pages, modes)
    for t, mode, src in todo.sources:
        validate_bundle(src, hint=f"recapture it with `{config.command('check', [t.id], mode=mode)}`")
    if not todo.sources:
        raise BadInput("nothing to accept: " + ("; ".join(todo.skipped) or "no such capture"))
    bundles = [(t, mode, src, bundle.read_bundle(src)) for t, mode, src in todo.sources]
    for _t, _mode, _src, b in bundles:
        _check_bundle(b)
        if not force and (why := broken(b, config)):
            raise BrokenCapture(f"{b.meta.id}/{b.meta.mode}: not accepted: {'; '.join(why)}; recapture it, "
                                "or pass --force to accept it anyway")
        if b.meta.mode == "care":
            normal = next((nb for _t2, m2, _s2, nb in bundles if m2 == "normal" and nb.meta.id == b.meta.id), None)
            if normal is not None and not force:
                from ..compare import extraction_data

                regress = care_differences(b, extraction_data(normal, site=config.site), normal.meta.final_url,
                                           site=config.site)
                if regress:
                    raise BrokenCapture(f"{b.meta.id}/care: not accepted: {regress[0].reason}; "
                                        "pass --force to accept it anyway")
        views(b, site=config.site)  # an unreadable page fails here, before any write
    written: list[Path] = []
    for t, mode, src, b in bundles:
        written += write_goldens(b, config, force=True)
        stored = bundle.bundle_dir(config.snapshots, t.id, mode)
        if src.resolve() != stored.resolve():
            _promote_bundle(src, config.snapshots, t.id, mode)
    return written, todo


def _check_bundle(b: bundle.Bundle) -> None:
    """A bundle whose text or aria is empty is not a capture of a page (a truncated or emptied file)."""
    for name, value in (("text.txt", b.text), ("aria.yaml", b.aria)):
        if not value.strip():
            raise CorruptFile(f"{b.path / name} is empty: not a capture to accept; recapture the page")
    if not b.screenshot.startswith(b"\x89PNG"):
        raise CorruptFile(f"{b.path / 'screenshot.png'} is not a PNG: not a capture to accept; recapture the page")


def _promote_bundle(src: Path, snapshots: Path, target_id: str, mode: str) -> None:
    """The accepted capture also becomes the stored bundle (staged copy, then swapped in)."""
    with bundle.staging(snapshots, target_id, mode) as stage:
        for name in bundle.FILES:
            if (src / name).exists():
                shutil.copyfile(src / name, stage / name)


__all__ = ["BrokenCapture", "View", "accept", "broken", "plan", "write_goldens"]
