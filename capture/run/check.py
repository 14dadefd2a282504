"""``check``: recapture, compare with the goldens, classify; and reading a golden set back.

New captures go to ``<snapshots>/reports/check/captures/<id>/<mode>``; the report to
``<snapshots>/reports/last-check.json``. Both front ends compare a bundle with :func:`compare_bundle`,
with the run's :class:`~capture.sites.Site` passed in (never looked up, so a thread sees it too).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import bundle
from ..compare import FIELD_REGION, GoldenViews, care_differences, classify, page_views, volatile_changes
from ..errors import CaptureError, LayoutNotRecognized, MissingField
from ..goldens import GoldenStore, View
from ..recorder import Outcome, record
from ..report import CheckReport, Difference, PageResult, check_captures_root, last_check_path
from ..sites import Site
from ..targets import Target
from .config import RunConfig


def read_goldens(store: GoldenStore, page_id: str, mode: str, *, hint: str) -> dict[View, Any] | None:
    """The views this page and mode keeps goldens of, validated; None when it keeps none.
    A file that does not parse, or an empty text/aria golden, is :class:`CorruptFile` naming it."""
    from ..goldens_check import read_golden_file, validate

    kept = store.kept(page_id, mode)
    if not kept:
        return None
    for kind, path in (("env", store.env_path(page_id, mode)), ("screen", store.screen_path(page_id, mode))):
        if path.is_file():  # not compared here, but a corrupt one must not read as "unchanged"
            validate(kind, path, path.read_bytes(), hint=hint)
    return {view: read_golden_file(str(view), store.path(page_id, mode, view), hint=hint) for view in kept}


def golden_as_views(kept: dict[View, Any], new: GoldenViews) -> GoldenViews:
    """The golden's views, the new capture's standing in for the views the suite does not keep (so
    those are not compared)."""
    return replace(new, **{str(v): value for v, value in kept.items()})


#: Extractions this run already made, by bundle folder: ``{path: (extraction data, final URL)}``, so a
#: 关怀版 is judged against its normal page without extracting that page again.
Seen = dict[Path, tuple[dict[str, Any], str]]


@dataclass(frozen=True)
class Compare:
    """What comparing one bundle needs besides the bundle: the goldens, the table, and the hints."""

    store: GoldenStore
    site: Site
    hint_options: str = ""

    def accept_hint(self, page_id: str, mode: str) -> str:
        opts = f" {self.hint_options}" if self.hint_options else ""
        return f"capture accept {page_id} --mode {mode}{opts}"


def compare_bundle(target: Target, mode: str, bundle_path: Path, cmp: Compare, *,
                   previous: Path | None = None, seen: Seen | None = None) -> PageResult:
    """Compare one new bundle with the goldens it has and classify every difference (the page is
    extracted once; ``seen`` shares extractions between the calls of one run)."""
    store = cmp.store
    kept_paths = {str(v): str(p) for v, p in store.paths(target.id, mode).items() if p.exists()}
    result = PageResult(target.id, mode, target.url, "unchanged", bundle=str(bundle_path), golden=kept_paths)
    hint = f"regenerate it with `{cmp.accept_hint(target.id, mode)}` or `pytest --snapshot-update`"
    golden = read_goldens(store, target.id, mode, hint=hint)
    if golden is None:  # syrupy's missing snapshot: fails, and is not a difference of the page
        result.status = "no-golden"
        result.differences.append(Difference(
            "no-golden", "page", f"no {store.target} golden yet: create it with "
                                 f"`{cmp.accept_hint(target.id, mode)}` or `pytest --snapshot-update`"))
        return result
    new_bundle = bundle.read_bundle(bundle_path)
    current, error = page_views(new_bundle, site=cmp.site)
    normal = _normal_of(target, bundle_path, previous, cmp, seen) if mode == "care" else (None, target.url)
    if error is not None:
        region = FIELD_REGION.get(getattr(error, "field", ""), "page")
        care_diffs = care_differences(new_bundle, *normal, site=cmp.site) if mode == "care" else []
        result.status = "changed"
        result.differences += care_diffs or [Difference("layout-changed", region, str(error))]
        return result
    if seen is not None and current.data is not None:
        seen[bundle_path] = (current.data, new_bundle.meta.final_url)
    care_diffs = care_differences(new_bundle, *normal, current.data, site=cmp.site) if mode == "care" else []
    diffs = care_diffs + classify(golden_as_views(golden, current), current)
    if not diffs and previous is not None and current.data is not None:
        try:  # a missing or broken previous bundle (CorruptFile) just means no churn to report
            from ..compare import extraction_data

            diffs = volatile_changes(extraction_data(bundle.read_bundle(previous), site=cmp.site), current.data)
        except (CaptureError, LayoutNotRecognized, MissingField):
            pass
    diffs += screen_differences(store, target.id, mode, new_bundle)
    result.differences = diffs
    result.status = "changed" if any(d.fails for d in diffs) else "unchanged"
    return result


def screen_differences(store: GoldenStore, page_id: str, mode: str, new: bundle.Bundle) -> list[Difference]:
    """The golden screenshot against the new one, where both were taken in the same environment (as the
    pytest suite compares them): more than the tolerance changed is a failing layout difference."""
    from .. import environment

    env_path, screen = store.env_path(page_id, mode), store.screen_path(page_id, mode)
    if not (env_path.is_file() and screen.is_file()):
        return []
    cmp = environment.compare_env(json.loads(env_path.read_text(encoding="utf-8")), environment.env_of(new.meta))
    if cmp.mismatched or cmp.build:
        return []
    changed = environment.screenshot_change(screen.read_bytes(), new.screenshot)
    if changed <= environment.PIXEL_TOLERANCE:
        return []
    return [Difference("layout-changed", "screenshot", f"{changed:.2%} of the screenshot changed (in the same "
                                                       "environment); `capture review` shows where")]


def _normal_of(target: Target, care_path: Path, stored_care: Path | None, cmp: Compare,
               seen: Seen | None = None) -> tuple[dict[str, Any] | None, str]:
    """The normal page's extraction a care capture is judged against, and its URL: this run's normal
    capture, else the stored one, else (a check of the 关怀版 alone) the normal golden."""
    from ..compare import extraction_data

    for path in (care_path.parent / "normal", stored_care.parent / "normal" if stored_care else None):
        if path is not None and seen and path in seen:
            return seen[path]
        if path is not None and bundle.is_complete(path):
            try:
                normal = bundle.read_bundle(path)
                return extraction_data(normal, site=cmp.site), normal.meta.final_url
            except (CaptureError, LayoutNotRecognized, MissingField):
                continue
    path = cmp.store.path(target.id, "normal", View.EXTRACTION)
    try:
        golden = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    except (OSError, ValueError):
        golden = None
    return (golden, golden.get("url") or target.url) if isinstance(golden, dict) else (None, target.url)


def new_report(config: RunConfig, *, run: str) -> CheckReport:
    return CheckReport(created_at=datetime.now(UTC).isoformat(timespec="seconds"), snapshots=str(config.snapshots),
                       target=str(config.store.target), base_url=config.options.base_url, run=run)


def run_check(config: RunConfig, targets: list[Target], *, on_done: Callable[[Outcome], None] | None = None,
              accept_new: bool = False, force: bool = False) -> CheckReport:
    """Recapture ``targets`` (forced, or replayed from the stored bundles) and compare with goldens.

    ``accept_new``: a page and mode with no golden at all gets its goldens from this capture, by
    :func:`capture.run.accept.write_goldens` (so the files are those of ``capture accept`` and
    ``pytest --snapshot-update``), and is reported ``new``, which does not fail, unless the capture is
    broken (then refused, as ``accept`` refuses it, unless ``force``). A page with goldens is only
    ever compared.
    """
    from .. import fs

    snapshots = config.snapshots
    fs.recover(snapshots)  # a golden set a killed accept left half switched is finished or undone first
    root = check_captures_root(snapshots)
    report_path = last_check_path(snapshots)
    started = new_report(config, run="check")
    started.complete = False  # a check killed mid-run leaves a report accept refuses
    started.write(report_path)
    if root.exists():
        shutil.rmtree(root / "captures", ignore_errors=True)
    opts = replace(config.options, force=True, replay_from=Path(snapshots) if config.options.replay else None)
    by_id = {t.id: t for t in targets}
    seen: Seen = {}
    cmp = Compare(config.store, config.site, config.hint_options())
    compared: dict[tuple[str, str], Future[PageResult]] = {}

    def done(o: Outcome) -> None:
        """Compare a bundle as soon as it is written, beside the captures still running (one thread:
        a 关怀版 comes after its normal page, whose extraction it reuses)."""
        if on_done is not None:
            on_done(o)
        if o.status == "ok" and o.path is not None:
            compared[(o.id, o.mode)] = pool.submit(compare_bundle, by_id[o.id], o.mode, o.path, cmp,
                                                   previous=bundle.bundle_dir(snapshots, o.id, o.mode), seen=seen)

    with ThreadPoolExecutor(1, thread_name_prefix="check-compare") as pool:
        outcomes = record(targets, root, opts, on_done=done)
    by_key = {(o.id, o.mode): o for o in outcomes}
    report = new_report(config, run="check")
    for t in targets:
        for mode in opts.modes:
            o = by_key[(t.id, mode)]
            if o.status == "no-care":
                report.results.append(no_care_result(t, o.reason, config.store))
                continue
            if o.status != "ok" or o.path is None:
                report.results.append(PageResult(t.id, mode, t.url, "failed",
                                                 [Difference("fetch-failed", "page", o.reason)]))
                continue
            result = compared[(t.id, mode)].result()
            if accept_new and result.status == "no-golden":
                _accept_new(result, config, force=force)
            report.results.append(result)
    report.notes = views_note(config.store, report.results)
    report.write(report_path)
    return report


def no_care_result(target: Target, reason: str, store: GoldenStore) -> PageResult:
    """A 关怀版 the page does not offer: its own status, unless its goldens had one (then what is gone
    is a care-regression)."""
    from ..care_status import care_gone, offers_care

    had = bool(store.kept(target.id, "care"))
    if not had:
        path = store.path(target.id, "normal", View.EXTRACTION)
        try:
            had = offers_care(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else False
        except (OSError, ValueError):
            had = False
    gone = care_gone(had, "no-care", reason)
    if gone is not None:
        return PageResult(target.id, "care", target.url, "changed", [gone])
    return PageResult(target.id, "care", target.url, "no-care",
                      [Difference("volatile-only", "nav-a11y", reason, fails=False)])


def views_note(store: GoldenStore, results: list[PageResult]) -> list[str]:
    """Said once per run: the views no page's goldens keep (a suite that keeps a subset)."""
    kept = {v for r in results for v in r.golden}
    if not kept:
        return []
    left = [str(v) for v in View if str(v) not in kept]
    return [f"not compared: {', '.join(left)} (the goldens in {store.folder} do not keep "
            f"{'it' if len(left) == 1 else 'them'})"] if left else []


def _accept_new(result: PageResult, config: RunConfig, *, force: bool) -> None:
    """Make this check's capture of a page without goldens its golden: status ``new``; or, when the
    page cannot be extracted or the capture is broken (then nothing is written), the difference saying why."""
    from .accept import BrokenCapture, _promote_bundle, write_goldens

    try:
        written = write_goldens(bundle.read_bundle(Path(result.bundle or "")), config, force=force)
    except (LayoutNotRecognized, MissingField) as exc:
        region = FIELD_REGION.get(getattr(exc, "field", ""), "page")
        result.differences.append(Difference("layout-changed", region, f"no golden recorded: {exc}"))
        return
    except BrokenCapture as exc:
        result.differences.append(Difference("fetch-failed", "page", f"no golden recorded: {exc}"))
        return
    _promote_bundle(Path(result.bundle or ""), config.snapshots, result.id, result.mode)  # as accept does
    result.status = "new"
    result.differences = [Difference("new-golden", "page",
                                     f"no golden yet: recorded {len(written)} golden files in "
                                     f"{config.store.folder} from this capture (review and commit them)",
                                     fails=False)]
